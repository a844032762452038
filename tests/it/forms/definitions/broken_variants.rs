//! Broken variants of the shipped files: each refused with its line and a message.

use super::*;

// ---------------------------------------------------------------------------------------------
// Broken variants
// ---------------------------------------------------------------------------------------------

/// The shipped service form with `from` (which must occur exactly once) replaced by `to`.
fn service_with(from: &str, to: &str) -> String {
    let text = shipped_toml("sipas-dich-vu");
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} occurs once in the shipped form"
    );
    text.replacen(from, to, 1)
}

/// Parses `text` as the service form and returns its problems (it must be refused).
fn problems_of(path: &Path, text: &str) -> Vec<Problem> {
    match parse_form(path, text) {
        Err(FormLoadError::Invalid(problems)) => problems,
        Err(other) => panic!("expected Invalid, got {other:?}"),
        Ok(_) => panic!("the broken form was accepted"),
    }
}

/// Exactly one problem, on `line`, whose message contains every one of `words`.
fn assert_one_problem(text: &str, line: usize, words: &[&str]) {
    let problems = problems_of(&service_path(), text);
    assert_eq!(problems.len(), 1, "exactly one problem: {problems:#?}");
    let p = &problems[0];
    assert_eq!(p.file, service_path());
    assert_eq!(p.line, line, "line of the problem: {p}");
    for word in words {
        assert!(p.message.contains(word), "{word:?} in {p}");
    }
    assert_eq!(
        p.to_string(),
        format!("{}:{line}: {}", service_path().display(), p.message)
    );
}

#[test]
fn the_shipped_text_parses() {
    let form = parse_form(&service_path(), &shipped_toml("sipas-dich-vu")).expect("valid");
    assert_eq!(form, shipped_form("sipas-dich-vu"));
}

#[test]
fn duplicate_code_is_reported_where_it_is_used_again() {
    let text = service_with("code = \"TC2\"", "code = \"TC1\"");
    assert_one_problem(&text, line_of(&text, "code = \"TC1\"", 1), &["TC1"]);
}

#[test]
fn show_if_naming_an_unknown_question() {
    let text = service_with(
        "show_if = { question = \"da_pakn\", equals = \"co\" }",
        "show_if = { question = \"da_pakm\", equals = \"co\" }",
    );
    assert_one_problem(&text, line_of(&text, "show_if", 0), &["da_pakm"]);
}

#[test]
fn show_if_naming_a_later_question() {
    // gioi_tinh comes before da_pakn: routing may only look back.
    let text = service_with(
        "code = \"gioi_tinh\"\n",
        "code = \"gioi_tinh\"\nshow_if = { question = \"da_pakn\", equals = \"co\" }\n",
    );
    let line = line_of(&text, "show_if", 0);
    assert_eq!(line, line_of(&text, "code = \"gioi_tinh\"", 0) + 1);
    assert_one_problem(&text, line, &["da_pakn"]);
}

#[test]
fn show_if_naming_an_unknown_option() {
    let text = service_with(
        "show_if = { question = \"da_pakn\", equals = \"co\" }",
        "show_if = { question = \"da_pakn\", equals = \"co_roi\" }",
    );
    assert_one_problem(&text, line_of(&text, "show_if", 0), &["co_roi", "da_pakn"]);
}

#[test]
fn target_over_100() {
    let text = service_with("target = 90.0", "target = 120.0");
    assert_one_problem(&text, line_of(&text, "target = 120.0", 0), &["target"]);
}

#[test]
fn scale_with_four_labels() {
    // The offending thing is the `labels` array (the line after `[scale]`).
    let text = service_with(
        "labels = [\"Rất không hài lòng\", \"Không hài lòng\", \"Bình thường\", \"Hài lòng\", \"Rất hài lòng\"]",
        "labels = [\"Rất không hài lòng\", \"Không hài lòng\", \"Hài lòng\", \"Rất hài lòng\"]",
    );
    let labels_line = line_of(&text, "labels = [\"Rất không hài lòng\"", 0);
    assert_eq!(labels_line, line_of(&text, "[scale]", 0) + 1);
    assert_one_problem(&text, labels_line, &["5 nhãn"]);
}

#[test]
fn scale_with_four_english_labels() {
    let text = service_with(
        "labels_en = [\"Very dissatisfied\", \"Dissatisfied\", \"Neutral\", \"Satisfied\", \"Very satisfied\"]",
        "labels_en = [\"Very dissatisfied\", \"Dissatisfied\", \"Satisfied\", \"Very satisfied\"]",
    );
    assert_one_problem(
        &text,
        line_of(&text, "labels_en = [\"Very dissatisfied\"", 0),
        &["labels_en", "5 nhãn"],
    );
}

#[test]
fn unknown_key_is_reported_on_its_line() {
    let text = service_with("label_en = \"Gender\"", "lable_en = \"Gender\"");
    assert_one_problem(&text, line_of(&text, "lable_en", 0), &["lable_en"]);
}

#[test]
fn unknown_top_level_key_is_reported_on_its_line() {
    let text = service_with("target = 90.0\n", "target = 90.0\ntagret = 95.0\n");
    assert_one_problem(&text, line_of(&text, "tagret", 0), &["tagret"]);
}

#[test]
fn several_problems_are_reported_together() {
    let text = service_with("target = 90.0", "target = 120.0").replacen(
        "code = \"TC2\"",
        "code = \"TC1\"",
        1,
    );
    let problems = problems_of(&service_path(), &text);
    let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
    assert!(
        lines.contains(&line_of(&text, "target = 120.0", 0)),
        "{problems:#?}"
    );
    assert!(
        lines.contains(&line_of(&text, "code = \"TC1\"", 1)),
        "{problems:#?}"
    );
}

#[test]
fn id_not_matching_the_file_name() {
    let text = shipped_toml("sipas-dich-vu");
    let path = forms_dir().join("sipas-dich-vu-2025.toml");
    let problems = problems_of(&path, &text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].file, path);
    assert_eq!(
        problems[0].line,
        line_of(&text, "id = \"sipas-dich-vu\"", 0)
    );
    assert!(
        problems[0].message.contains("sipas-dich-vu-2025"),
        "{}",
        problems[0]
    );
}

#[test]
fn load_dir_reports_a_misnamed_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = shipped_toml("sipas-dich-vu");
    std::fs::write(dir.path().join("dich-vu.toml"), &text).unwrap();
    std::fs::write(
        dir.path().join("sipas-ho-gia-dinh.toml"),
        shipped_toml("sipas-ho-gia-dinh"),
    )
    .unwrap();
    match load_dir(dir.path()) {
        Err(FormLoadError::Invalid(problems)) => {
            assert_eq!(problems.len(), 1, "{problems:#?}");
            assert_eq!(problems[0].file, dir.path().join("dich-vu.toml"));
            assert_eq!(problems[0].line, line_of(&text, "id = ", 0));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn load_dir_reports_every_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let service = service_with("target = 90.0", "target = 120.0");
    let household =
        shipped_toml("sipas-ho-gia-dinh").replacen("code = \"GT2\"", "code = \"GT1\"", 1);
    std::fs::write(dir.path().join("sipas-dich-vu.toml"), &service).unwrap();
    std::fs::write(dir.path().join("sipas-ho-gia-dinh.toml"), &household).unwrap();
    match load_dir(dir.path()) {
        Err(FormLoadError::Invalid(problems)) => {
            let found: Vec<(PathBuf, usize)> =
                problems.iter().map(|p| (p.file.clone(), p.line)).collect();
            assert_eq!(
                found,
                vec![
                    (
                        dir.path().join("sipas-dich-vu.toml"),
                        line_of(&service, "target = 120.0", 0)
                    ),
                    (
                        dir.path().join("sipas-ho-gia-dinh.toml"),
                        line_of(&household, "code = \"GT1\"", 1)
                    ),
                ]
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}
