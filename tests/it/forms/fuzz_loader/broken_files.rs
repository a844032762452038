//! Broken files each reported on their own lines: deep nesting, several broken files, a line
//! break in a code, bytes that are not UTF-8.

use super::*;

/// Deep nesting is refused with a problem, not a stack overflow (which would abort the process).
#[test]
fn deeply_nested_values_are_refused_on_their_line() {
    let (path, text) = &SHIPPED[1];
    for depth in [100, 1_000, 10_000, 100_000] {
        for open in ["[", "{ a = "] {
            let mutated = format!("{text}deep = {}\n", nested(open, depth));
            check_outcome(path, &mutated).unwrap_or_else(|e| panic!("depth {depth} {open}: {e}"));
            assert!(parse_form(path, &mutated).is_err());
        }
        let table = format!("{text}[{}]\nx = 1\n", vec!["t"; depth].join("."));
        check_outcome(path, &table).unwrap_or_else(|e| panic!("dotted table of {depth}: {e}"));
    }
}

/// `load_dir` on a folder of mutated copies: every problem names its own file and a line in it.
#[test]
fn load_dir_reports_each_broken_file_with_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut texts = HashMap::new();
    for (n, (path, text)) in SHIPPED.iter().enumerate() {
        // Each file broken differently: the first line of the first [[parts]] removed, a value
        // retyped, a truncation.
        let broken = match n {
            0 => text.replacen("[[parts]]", "", 1),
            1 => text.replacen("target = 90.0", "target = \"90\"", 1),
            _ => text[..text.len() / 2].to_string(),
        };
        let target = dir.path().join(path.file_name().unwrap());
        std::fs::write(&target, &broken).unwrap();
        texts.insert(target, broken);
    }
    let error = load_dir(dir.path()).expect_err("broken files are refused");
    let FormLoadError::Invalid(problems) = &error else {
        panic!("{error}")
    };
    let files: BTreeSet<&PathBuf> = problems.iter().map(|p| &p.file).collect();
    assert_eq!(files.len(), 3, "every broken file is reported: {error}");
    for p in problems {
        let text = &texts[&p.file];
        assert!(
            (1..=text.matches('\n').count() + 1).contains(&p.line),
            "{p}: outside the file"
        );
    }
}

/// A code with a line break inside: the problem stays one `file:line: message` line (the code
/// shown escaped), or the next line would read as another problem without a file and line.
#[test]
fn a_code_with_a_line_break_is_reported_on_one_line() {
    let (path, text) = &SHIPPED[1];
    for (from, to) in [
        ("code = \"TC1\"", "code = \"TC\\n1\""),
        ("code = \"nam\"", "code = \"n\\nam\""),
        ("equals = \"co\"", "equals = \"c\\no\""),
        ("code = \"da_pakn\"", "code = \"da_pakn\\r\""),
    ] {
        let mutated = text.replacen(from, to, 1);
        assert_ne!(&mutated, text, "{from} is in the file");
        let error = parse_form(path, &mutated).expect_err("refused");
        check_refusal(path, &mutated, &error).unwrap_or_else(|e| panic!("{from} → {to}: {e}"));
    }
}

/// A form file that is not UTF-8 (an editor saving in Windows-1258, say) is a problem of that
/// file at a line, like any other: `sipas forms check` and the upload then say where.
#[test]
fn a_file_that_is_not_utf8_is_reported_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in SHIPPED.iter() {
        std::fs::write(dir.path().join(path.file_name().unwrap()), text).unwrap();
    }
    let (path, text) = &SHIPPED[1];
    let mut bytes = text.as_bytes().to_vec();
    // Line 9 ("title = …"): "Phi\xea\xfau" — Latin-1/CP1258 bytes instead of UTF-8.
    let title = text.find("title = \"").unwrap() + "title = \"".len();
    bytes.splice(title..title, [0xea, 0xfa]);
    let target = dir.path().join(path.file_name().unwrap());
    std::fs::write(&target, &bytes).unwrap();
    // A second, ordinary problem in another file must be reported too.
    let (other, other_text) = &SHIPPED[0];
    std::fs::write(
        dir.path().join(other.file_name().unwrap()),
        other_text.replacen("target = 80.0", "target = 800.0", 1),
    )
    .unwrap();

    let error = load_dir(dir.path()).expect_err("refused");
    let FormLoadError::Invalid(problems) = &error else {
        panic!("not file:line: message problems: {error}");
    };
    let line = text[..title].matches('\n').count() + 1;
    assert!(
        problems.iter().any(|p| p.file == target && p.line == line),
        "{error}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.file == dir.path().join(other.file_name().unwrap())),
        "the other file's problem is reported too: {error}"
    );
}
