//! `sipas report --format docx` (the real binary, a SQLite file of demo data): the file where
//! `--out` says, named as promised; the same text as the folder's `index.html`; every bad
//! argument a message and a non-zero exit with nothing written.

use std::path::{Path, PathBuf};
use std::process::Output;

use scraper::Html;

use super::docx::Docx;
use super::*;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `sipas report ARGS --out OUT` against `db`.
fn report(db: &Path, args: &[&str], out: &Path) -> Output {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    let out = out.to_str().unwrap();
    all.extend(["--out", out]);
    run_sipas(db, &all)
}

/// Every file under `dir`, relative, sorted (the database's own files left out).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("sipas.db")
            {
                found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn report_docx_is_written_where_asked_and_bad_input_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("sipas.db");
    demo(db.to_str().unwrap(), 600, 60, 3);
    let (from, to) = last_year();
    let (from, to) = (from.to_string(), to.to_string());
    let selection = [
        "--form", FORM, "--unit", DISTRICT, "--from", &from, "--to", &to,
    ];
    let docx_args = [&["--format", "docx"][..], &selection[..]].concat();

    // A folder: the file inside is named after the selection.
    let dir = tmp.path().join("bao-cao");
    let written = report(&db, &docx_args, &dir);
    assert!(written.status.success(), "{}", describe(&written));
    let name = format!("bao-cao-{FORM}-{DISTRICT}-{from}-{to}.docx");
    assert_eq!(files_under(&dir), [PathBuf::from(&name)]);
    let stdout = String::from_utf8_lossy(&written.stdout);
    assert!(stdout.contains(&name), "{stdout}");
    let docx = Docx::read(&std::fs::read(dir.join(&name)).unwrap());
    // Without a unit, the name has none.
    let whole = tmp.path().join("whole");
    let all_units = [
        "--format", "docx", "--form", FORM, "--from", &from, "--to", &to,
    ];
    assert!(report(&db, &all_units, &whole).status.success());
    assert_eq!(
        files_under(&whole),
        [PathBuf::from(format!("bao-cao-{FORM}-{from}-{to}.docx"))]
    );
    // A path ending in .docx is the file itself, its folder created.
    let file = tmp.path().join("nested/folder/ten-tu-chon.docx");
    let written = report(&db, &docx_args, &file);
    assert!(written.status.success(), "{}", describe(&written));
    assert_eq!(
        files_under(&tmp.path().join("nested")),
        [PathBuf::from("folder/ten-tu-chon.docx")]
    );
    let same = Docx::read(&std::fs::read(&file).unwrap());
    assert_eq!(
        same.blocks(),
        docx.blocks(),
        "the same selection, the same báo cáo"
    );

    // The folder of the same selection: the same sentences, the same numbers.
    let folder = tmp.path().join("thu-muc");
    let written = report(&db, &selection, &folder);
    assert!(written.status.success(), "{}", describe(&written));
    assert!(
        !files_under(&folder)
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "docx")),
        "the folder output has no Word file"
    );
    let html = std::fs::read_to_string(folder.join("index.html")).unwrap();
    let page = Html::parse_document(&html);
    let sentences: Vec<String> = page
        .select(&scraper::Selector::parse("p").unwrap())
        .map(|p| p.text().collect::<String>())
        .collect();
    let assessment = docx.under_heading("1. Đánh giá");
    assert!(assessment.len() >= 3, "{assessment:?}");
    let placeholder = docx.under_heading("2. Kiến nghị");
    let narrative: Vec<String> = docx
        .styled("BodyText")
        .into_iter()
        .filter(|p| !placeholder.contains(p))
        .collect();
    assert!(narrative.len() > assessment.len());
    for sentence in assessment.iter().chain(&narrative) {
        assert!(
            sentences.contains(sentence),
            "index.html lacks the báo cáo's paragraph {sentence:?}"
        );
    }

    // Bad arguments: a message, a non-zero exit, nothing written.
    let unknown_unit = [
        "--format", "docx", "--form", FORM, "--unit", "khong-co", "--from", &from, "--to", &to,
    ];
    let unknown_form = [
        "--format", "docx", "--form", "khong-co", "--from", &from, "--to", &to,
    ];
    let bad_date = [
        "--format",
        "docx",
        "--form",
        FORM,
        "--from",
        "2024-13-01",
        "--to",
        &to,
    ];
    let bad_to = [
        "--format",
        "docx",
        "--form",
        FORM,
        "--from",
        &from,
        "--to",
        "31/12/2024",
    ];
    let same_day = [
        "--format", "docx", "--form", FORM, "--from", &from, "--to", &from,
    ];
    let reversed = [
        "--format", "docx", "--form", FORM, "--from", &to, "--to", &from,
    ];
    let cases: [(&str, &[&str], &str); 6] = [
        ("unknown unit", &unknown_unit, "unknown unit khong-co"),
        ("unknown form", &unknown_form, "unknown form \"khong-co\""),
        ("bad --from", &bad_date, "--from must be a date YYYY-MM-DD"),
        ("bad --to", &bad_to, "--to must be a date YYYY-MM-DD"),
        ("from = to", &same_day, "must be before --to"),
        ("from > to", &reversed, "must be before --to"),
    ];
    for (i, (what, args, message)) in cases.into_iter().enumerate() {
        for out in [
            tmp.path().join(format!("bad-{i}")),
            tmp.path().join(format!("bad-{i}.docx")),
        ] {
            let refused = report(&db, args, &out);
            assert!(!refused.status.success(), "{what}: {}", describe(&refused));
            assert!(
                stderr(&refused).contains(message),
                "{what}: {}",
                describe(&refused)
            );
            assert!(!out.exists(), "{what}: {} was written", out.display());
        }
    }
    // --out naming a file that is not a .docx: refused, the file left as it was.
    let notes = tmp.path().join("ghi-chu.txt");
    std::fs::write(&notes, "giữ nguyên").unwrap();
    let before = files_under(tmp.path());
    let refused = report(&db, &docx_args, &notes);
    assert!(!refused.status.success(), "{}", describe(&refused));
    assert!(
        stderr(&refused).contains("is a file that is not a .docx"),
        "{}",
        describe(&refused)
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "giữ nguyên");
    assert_eq!(files_under(tmp.path()), before, "nothing written anywhere");
}
