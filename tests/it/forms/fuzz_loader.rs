//! Fuzzing the form loader (issue 7, item 4): mutations of the shipped form files
//! (`survey-forms/*.toml`) — lines deleted, duplicated, swapped; random bytes; truncation; values
//! changed to other values and types; deep nesting — through `sipas::forms::parse_form` and
//! `load_dir`.
//!
//! Properties: never a panic; every refusal is a list of `file:line: message` problems with the
//! file's name, a line inside the file and a one-line message; whatever loads satisfies the
//! form rules (checked again here); and mutations that change nothing that matters (comments,
//! blank lines, other labels, optional lines removed) still load, with the same codes.
//!
//! Bounded: 256 cases per property by default; `PROPTEST_CASES=N` for more.

use crate::common::*;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use sipas::forms::{load_dir, parse_form, Form, FormLoadError, QuestionKind};

/// (path, text) of every shipped form file.
static SHIPPED: LazyLock<Vec<(PathBuf, String)>> = LazyLock::new(|| {
    let mut files: Vec<PathBuf> = std::fs::read_dir(forms_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "three shipped forms");
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
});

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(prop::sample::Index),
    DuplicateLine(prop::sample::Index),
    SwapLines(prop::sample::Index, prop::sample::Index),
    /// Random bytes at a random offset (made UTF-8 with replacement characters for `parse_form`).
    InsertBytes(prop::sample::Index, Vec<u8>),
    Truncate(prop::sample::Index),
    /// The value of a `key = value` line replaced.
    ReplaceValue(prop::sample::Index, String),
    /// A new line: a key with a deeply nested value, an unknown key, a table header…
    InsertLine(prop::sample::Index, String),
}

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "0",
            "-1",
            "5",
            "100",
            "100.0001",
            "1e309",
            "-0.0",
            "nan",
            "inf",
            "-inf",
            "18446744073709551616",
            "99999999999999999999999999",
            "0x7fffffffffffffff",
            "true",
            "false",
            "\"\"",
            "\"x\"",
            "''",
            "[]",
            "[\"\"]",
            "[1, 2]",
            "[\"web\", \"web\"]",
            "[\"sms\"]",
            "{}",
            "{ question = \"da_pakn\", equals = \"co\" }",
            "{ question = \"da_pakn\", equals = \"maybe\" }",
            "{ question = \"x\" }",
            "1979-05-27T07:32:00Z",
            "1979-05-27",
            "07:32:00",
            "\"\\u0000\"",
            "\"a\\nb\"",
            "\"\\uD800\"",
            "\"🇻🇳\"",
            "\"e\u{302}\u{301}\"",
            "\"has space\"",
            "\"dup\"",
            "[[]]",
            "[{}]",
            "\"unterminated",
            "[1,",
            "{ a = 1",
            "= =",
        ])
        .prop_map(String::from),
        "\\PC{0,20}".prop_map(|s| format!("{:?}", s)),
        "\\PC{0,20}",
        (1usize..3_000, prop::sample::select(vec!["[", "{ a = "]))
            .prop_map(|(d, open)| nested(open, d)),
    ]
}

/// A value nested `depth` times: `[[[…]]]` or `{ a = { a = … } }`.
fn nested(open: &str, depth: usize) -> String {
    let close = if open == "[" { "]" } else { " }" };
    format!("{}1{}", open.repeat(depth), close.repeat(depth))
}

fn new_line() -> impl Strategy<Value = String> {
    prop_oneof![
        (1usize..20_000, prop::sample::select(vec!["[", "{ a = "]))
            .prop_map(|(d, open)| format!("deep = {}", nested(open, d))),
        (1usize..20_000).prop_map(|d| format!("[{}]", vec!["t"; d].join("."))),
        prop::sample::select(vec![
            "[[questions]]",
            "[[parts]]",
            "[[parts.elements]]",
            "[[parts.elements.items]]",
            "[[comments]]",
            "[[expectations]]",
            "[scale]",
            "[expectation_scale]",
            "code = \"TC1\"",
            "code = \"da_pakn\"",
            "required = [\"kiosk\"]",
            "required = \"yes\"",
            "show_if = { question = \"da_pakn\", equals = \"co\" }",
            "max_length = 0",
            "unknown = 1",
            "id = \"sipas-dich-vu\"",
            "\u{feff}",
            "\r",
            "\t",
        ])
        .prop_map(String::from),
        ("[a-z_]{1,10}", toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
        any::<String>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<prop::sample::Index>().prop_map(Mutation::DeleteLine),
        2 => any::<prop::sample::Index>().prop_map(Mutation::DuplicateLine),
        2 => (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        2 => (any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| Mutation::InsertBytes(i, b)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        4 => (any::<prop::sample::Index>(), toml_value()).prop_map(|(i, v)| Mutation::ReplaceValue(i, v)),
        2 => (any::<prop::sample::Index>(), new_line()).prop_map(|(i, l)| Mutation::InsertLine(i, l)),
    ]
}

fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(bytes: &[u8], m: &Mutation) -> Vec<u8> {
    let mut lines = lines_of(bytes);
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    match m {
        Mutation::DeleteLine(i) => {
            lines.remove(i.index(lines.len()));
        }
        Mutation::DuplicateLine(i) => {
            let i = i.index(lines.len());
            let line = lines[i].clone();
            lines.insert(i, line);
        }
        Mutation::SwapLines(a, b) => {
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
        }
        Mutation::InsertBytes(i, new) => {
            let mut out = bytes.to_vec();
            let at = i.index(out.len() + 1);
            out.splice(at..at, new.iter().copied());
            return out;
        }
        Mutation::Truncate(i) => return bytes[..i.index(bytes.len() + 1)].to_vec(),
        Mutation::ReplaceValue(i, value) => {
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&n| {
                    let l = String::from_utf8_lossy(&lines[n]);
                    !l.trim_start().starts_with('#') && l.contains(" = ")
                })
                .collect();
            if let Some(&n) = candidates.get(i.index(candidates.len().max(1))) {
                let line = String::from_utf8_lossy(&lines[n]).into_owned();
                let (key, _) = line.split_once(" = ").unwrap();
                lines[n] = format!("{key} = {value}\n").into_bytes();
            }
        }
        Mutation::InsertLine(i, line) => {
            let at = i.index(lines.len() + 1);
            lines.insert(at, format!("{line}\n").into_bytes());
        }
    }
    lines.concat()
}

// ---------------------------------------------------------------------------------------------
// What every outcome must satisfy
// ---------------------------------------------------------------------------------------------

fn is_code(s: &str, dash: bool) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || (dash && c == '-'))
}

/// The form rules, checked on a loaded form independently of the loader.
fn check_loaded(path: &Path, form: &Form) -> Result<(), String> {
    let stem = path.file_stem().unwrap().to_str().unwrap();
    if form.id != stem {
        return Err(format!("id {:?} loaded from {stem}.toml", form.id));
    }
    if !(form.target > 0.0 && form.target <= 100.0) {
        return Err(format!("target {}", form.target));
    }
    if form.channels.is_empty() {
        return Err("no channels".into());
    }
    if form.scale.labels.len() != 5 {
        return Err(format!("{} scale labels", form.scale.labels.len()));
    }
    if form
        .expectation_scale
        .as_ref()
        .is_some_and(|s| s.labels.len() != 3)
        || (!form.expectations.is_empty() && form.expectation_scale.is_none())
    {
        return Err("expectation scale".into());
    }
    let mut seen = BTreeSet::new();
    let mut choices: HashMap<&str, Vec<&str>> = HashMap::new();
    let questions = form.all_questions();
    if !questions
        .iter()
        .any(|q| matches!(q.kind, QuestionKind::Item(_)))
    {
        return Err("no rated item".into());
    }
    for q in &questions {
        if !is_code(q.code, false) || !seen.insert(q.code) {
            return Err(format!("code {:?} invalid or twice", q.code));
        }
        for c in &q.conditions {
            let known = choices
                .get(c.question.as_str())
                .is_some_and(|o| o.contains(&c.equals.as_str()));
            if !known {
                return Err(format!("{} routed on {c:?}", q.code));
            }
        }
        match q.kind {
            QuestionKind::Choice(choice) => {
                let options: Vec<&str> = choice.options.iter().map(|o| o.code.as_str()).collect();
                let distinct: BTreeSet<&&str> = options.iter().collect();
                if options.is_empty()
                    || distinct.len() != options.len()
                    || !options.iter().all(|o| is_code(o, false))
                {
                    return Err(format!("options of {}: {options:?}", q.code));
                }
                choices.insert(q.code, options);
            }
            QuestionKind::Comment(c) if !(1..=10_000).contains(&c.max_length) => {
                return Err(format!("max_length {}", c.max_length));
            }
            _ => {}
        }
    }
    for part in &form.parts {
        if part.elements.is_empty() || part.elements.iter().any(|e| e.items.is_empty()) {
            return Err(format!("empty part or element in {}", part.code));
        }
    }
    Ok(())
}

/// Every problem names the file, a line of it and a one-line message.
fn check_refusal(path: &Path, text: &str, error: &FormLoadError) -> Result<(), String> {
    let FormLoadError::Invalid(problems) = error else {
        return Err(format!("not a list of problems: {error}"));
    };
    if problems.is_empty() {
        return Err("refused without a problem".into());
    }
    // A file of n newline characters has lines 1..=n+1 (the last one possibly empty).
    let last_line = text.matches('\n').count() + 1;
    for p in problems {
        let shown = p.to_string();
        if p.file != path {
            return Err(format!("{shown}: names another file"));
        }
        if !(1..=last_line).contains(&p.line) {
            return Err(format!("{shown}: line {} outside 1..={last_line}", p.line));
        }
        if p.message.trim().is_empty() || p.message.contains('\n') {
            return Err(format!("{shown:?}: empty or multi-line message"));
        }
        if shown != format!("{}:{}: {}", path.display(), p.line, p.message) {
            return Err(format!("{shown:?}: not file:line: message"));
        }
    }
    let all = error.to_string();
    if all.lines().count() != problems.len() {
        return Err(format!("{all:?}: not one line per problem"));
    }
    Ok(())
}

fn check_outcome(path: &Path, text: &str) -> Result<(), String> {
    match parse_form(path, text) {
        Ok(form) => check_loaded(path, &form).map_err(|e| format!("loaded, but {e}")),
        Err(e) => check_refusal(path, text, &e),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: proptest_cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    /// Random mutations: never a panic, `file:line: message` refusals, sound acceptances.
    #[test]
    fn mutated_forms_never_panic_and_report_file_line_message(
        file in 0usize..3,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let (path, text) = &SHIPPED[file];
        let mut bytes = text.as_bytes().to_vec();
        for m in &mutations {
            bytes = apply(&bytes, m);
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = check_outcome(path, &text) {
            prop_assert!(false, "{}: {}\n--- mutated text (first 2000 chars) ---\n{}",
                path.display(), e, text.chars().take(2000).collect::<String>());
        }
    }

    /// Mutations that change nothing that matters: the form loads, with the same codes.
    #[test]
    fn harmless_mutations_still_load(
        file in 0usize..3,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, "\\PC{0,40}"), 1..6),
    ) {
        let (path, text) = &SHIPPED[file];
        let original = parse_form(path, text).expect("the shipped form loads");
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        for (i, kind, s) in &edits {
            match kind {
                // A comment or a blank line between any two lines.
                0 => lines.insert(i.index(lines.len() + 1), format!("# {s}")),
                1 => lines.insert(i.index(lines.len() + 1), String::new()),
                // Another text for a label (as a TOML basic string).
                2 => {
                    let labels: Vec<usize> = (0..lines.len())
                        .filter(|&n| lines[n].starts_with("label = ") || lines[n].starts_with("label_en = "))
                        .collect();
                    let n = labels[i.index(labels.len())];
                    let key = lines[n].split(" = ").next().unwrap().to_string();
                    lines[n] = format!("{key} = {}", toml::Value::String(s.clone()));
                }
                // Optional lines removed.
                _ => {
                    let optional: Vec<usize> = (0..lines.len())
                        .filter(|&n| ["label_en = ", "title_en = ", "intro = ", "intro_en = "]
                            .iter().any(|k| lines[n].starts_with(k)))
                        .collect();
                    if !optional.is_empty() {
                        lines.remove(optional[i.index(optional.len())]);
                    }
                }
            }
        }
        let mutated = lines.join("\n") + "\n";
        match parse_form(path, &mutated) {
            Ok(form) => {
                let codes = |f: &Form| f.all_questions().iter().map(|q| q.code.to_string()).collect::<Vec<_>>();
                prop_assert_eq!(codes(&form), codes(&original));
                prop_assert_eq!(form.channels, original.channels);
            }
            Err(e) => prop_assert!(false, "{}: harmless edits {:?} refused: {}", path.display(), edits, e),
        }
    }
}

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
