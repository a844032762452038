//! The shipped questionnaires (`survey-forms/*.toml`): they load, carry exactly the codes that
//! QUESTIONNAIRE.md fixes, and broken variants are refused with the line of the problem.
//! Pure: no server, no database.

use crate::common::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::{Map, Value};
use sipas::domain::Channel;
use sipas::forms::model::{Part, ShowIf};
use sipas::forms::{
    load_dir, parse_form, validate_answers, AnswerValue, Form, FormLoadError, IndexMethod, Problem,
};

fn codes<'a>(it: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    it.into_iter().collect()
}

fn show_if(question: &str, equals: &str) -> Option<ShowIf> {
    Some(ShowIf {
        question: question.into(),
        equals: equals.into(),
    })
}

/// (element code, item codes) of a part, in order.
fn element_items(part: &Part) -> Vec<(&str, Vec<&str>)> {
    part.elements
        .iter()
        .map(|e| {
            (
                e.code.as_str(),
                e.items.iter().map(|i| i.code.as_str()).collect(),
            )
        })
        .collect()
}

fn options_of<'a>(form: &'a Form, question: &str) -> Vec<&'a str> {
    form.question(question)
        .unwrap_or_else(|| panic!("{} has question {question}", form.id))
        .options
        .iter()
        .map(|o| o.code.as_str())
        .collect()
}

const SERVICE_ELEMENTS: [(&str, &[&str]); 5] = [
    ("tiep_can", &["TC1", "TC2", "TC3", "TC4"]),
    ("tthc", &["TT1", "TT2", "TT3", "TT4"]),
    ("cong_chuc", &["CC1", "CC2", "CC3", "CC4", "CC5"]),
    ("ket_qua", &["KQ1", "KQ2", "KQ3"]),
    ("pakn", &["PA1", "PA2", "PA3"]),
];

/// The statements of QUESTIONNAIRE.md, word for word.
const SERVICE_STATEMENTS: [(&str, &str); 19] = [
    ("TC1", "Cơ quan cung cấp thông tin về giải quyết thủ tục hành chính theo nhiều hình thức, dễ tiếp cận, dễ hiểu"),
    ("TC2", "Trụ sở tiếp nhận hồ sơ, trả kết quả có biển hiệu, hướng dẫn rõ ràng, dễ thấy"),
    ("TC3", "Trụ sở tiếp nhận hồ sơ, trả kết quả sạch sẽ, văn minh"),
    ("TC4", "Trang thiết bị phục vụ người dân đầy đủ, chất lượng tốt, dễ sử dụng"),
    ("TT1", "Thủ tục hành chính được niêm yết công khai tại trụ sở, dễ thấy, dễ hiểu"),
    ("TT2", "Thành phần hồ sơ phải nộp đúng quy định"),
    ("TT3", "Phí, lệ phí phải nộp đúng quy định"),
    ("TT4", "Thời hạn giải quyết đúng quy định"),
    ("CC1", "Công chức giao tiếp lịch sự, tôn trọng người dân"),
    ("CC2", "Công chức trả lời kịp thời, đầy đủ câu hỏi, ý kiến của người dân"),
    ("CC3", "Công chức hướng dẫn dễ hiểu, hoàn thiện hồ sơ sau một lần hướng dẫn"),
    ("CC4", "Công chức tuân thủ đúng quy định khi giải quyết công việc"),
    ("CC5", "Công chức tận tình trong suốt quá trình giải quyết công việc"),
    ("KQ1", "Kết quả được trả đúng hẹn"),
    ("KQ2", "Kết quả có thông tin đầy đủ, chính xác"),
    ("KQ3", "Kết quả bảo đảm công bằng"),
    ("PA1", "Cơ quan bố trí hình thức tiếp nhận phản ánh, kiến nghị, dễ thực hiện"),
    ("PA2", "Cơ quan tiếp nhận, xử lý phản ánh, kiến nghị đúng quy định"),
    ("PA3", "Cơ quan thông báo kết quả xử lý phản ánh, kiến nghị kịp thời"),
];

// ---------------------------------------------------------------------------------------------
// The shipped forms
// ---------------------------------------------------------------------------------------------

#[test]
fn exactly_the_three_forms_are_shipped() {
    let forms = load_dir(&forms_dir()).unwrap_or_else(|e| panic!("shipped forms load: {e}"));
    let ids: Vec<&str> = forms.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        ["khao-sat-dai-bieu", "sipas-dich-vu", "sipas-ho-gia-dinh"]
    );
}

#[test]
fn service_form_header() {
    let form = shipped_form("sipas-dich-vu");
    assert_eq!(form.target, 90.0);
    assert_eq!(form.index_method, IndexMethod::Top2Share);
    assert!(!form.invitation_only);
    for channel in [Channel::Kiosk, Channel::Phone, Channel::Web, Channel::Paper] {
        assert!(form.accepts(channel), "service form accepts {channel}");
    }
    assert!(!form.title.is_empty());
    assert_eq!(
        form.scale.labels,
        [
            "Rất không hài lòng",
            "Không hài lòng",
            "Bình thường",
            "Hài lòng",
            "Rất hài lòng"
        ]
    );
    assert_eq!(form.scale.not_applicable, None);
}

#[test]
fn service_form_respondent_questions() {
    let form = shipped_form("sipas-dich-vu");
    assert_eq!(
        codes(form.questions.iter().map(|q| q.code.as_str())),
        [
            "linh_vuc",
            "gioi_tinh",
            "nhom_tuoi",
            "dan_toc",
            "hoc_van",
            "nghe_nghiep",
            "da_pakn"
        ]
    );
    let expected: [(&str, &[&str]); 7] = [
        (
            "linh_vuc",
            &[
                "dat_dai",
                "ho_tich",
                "chung_thuc",
                "xay_dung",
                "kinh_doanh",
                "lao_dong_xa_hoi",
                "khac",
            ],
        ),
        ("gioi_tinh", &["nam", "nu", "khac"]),
        (
            "nhom_tuoi",
            &["18_24", "25_34", "35_49", "50_60", "tren_60"],
        ),
        ("dan_toc", &["kinh", "khac"]),
        (
            "hoc_van",
            &["tieu_hoc", "thcs", "thpt", "nghe_cd", "dai_hoc", "khac"],
        ),
        (
            "nghe_nghiep",
            &[
                "nghi_huu",
                "khong_di_lam",
                "tu_do",
                "sinh_vien",
                "tu_nhan",
                "cong",
                "khac",
            ],
        ),
        ("da_pakn", &["co", "khong"]),
    ];
    for (code, options) in expected {
        assert_eq!(options_of(&form, code), options, "options of {code}");
        let q = form.question(code).unwrap();
        assert_eq!(q.required, code == "da_pakn", "only da_pakn is required");
        assert_eq!(q.show_if, None, "{code} is not routed");
    }
    let da_pakn = form.question("da_pakn").unwrap();
    assert_eq!(da_pakn.options[0].label, "Có");
    assert_eq!(da_pakn.options[1].label, "Chưa");
}

#[test]
fn service_form_items_and_routing() {
    let form = shipped_form("sipas-dich-vu");
    assert_eq!(
        codes(form.parts.iter().map(|p| p.code.as_str())),
        ["dich_vu"]
    );
    let part = &form.parts[0];
    assert_eq!(part.show_if, None);
    let expected: Vec<(&str, Vec<&str>)> = SERVICE_ELEMENTS
        .iter()
        .map(|(e, items)| (*e, items.to_vec()))
        .collect();
    assert_eq!(element_items(part), expected);
    for element in &part.elements {
        let expected_route = if element.code == "pakn" {
            show_if("da_pakn", "co")
        } else {
            None
        };
        assert_eq!(
            element.show_if, expected_route,
            "routing of {}",
            element.code
        );
        for item in &element.items {
            // Required on kiosk and phone, optional on the web and on paper.
            assert!(item.required.applies_to(Channel::Kiosk), "{}", item.code);
            assert!(item.required.applies_to(Channel::Phone), "{}", item.code);
            assert!(!item.required.applies_to(Channel::Web), "{}", item.code);
            assert!(!item.required.applies_to(Channel::Paper), "{}", item.code);
        }
    }
    let labels: BTreeMap<&str, &str> = part
        .elements
        .iter()
        .flat_map(|e| e.items.iter())
        .map(|i| (i.code.as_str(), i.label.as_str()))
        .collect();
    for (code, statement) in SERVICE_STATEMENTS {
        assert_eq!(labels[code], statement, "wording of {code}");
    }
}

#[test]
fn service_form_expectations_and_comment() {
    let form = shipped_form("sipas-dich-vu");
    assert_eq!(
        codes(form.expectations.iter().map(|e| e.code.as_str())),
        ["KV1", "KV2", "KV3", "KV4", "KV5", "KV6", "KV7"]
    );
    let scale = form.expectation_scale.as_ref().expect("expectation scale");
    assert_eq!(scale.labels, ["Ít", "Nhiều", "Rất nhiều"]);
    assert_eq!(form.comments.len(), 1);
    assert_eq!(form.comments[0].code, "y_kien");
    assert_eq!(form.comments[0].max_length, 2000);
}

#[test]
fn household_form() {
    let form = shipped_form("sipas-ho-gia-dinh");
    assert_eq!(form.target, 90.0);
    assert_eq!(form.index_method, IndexMethod::Top2Share);
    assert!(!form.invitation_only);
    assert!(form.accepts(Channel::Paper) && form.accepts(Channel::Web));

    assert_eq!(options_of(&form, "da_giai_quyet_tthc"), ["co", "khong"]);
    assert!(form.question("da_giai_quyet_tthc").unwrap().required);
    assert_eq!(form.question("da_giai_quyet_tthc").unwrap().show_if, None);
    assert_eq!(options_of(&form, "da_pakn"), ["co", "khong"]);
    // Every choice question that routes must come before what it routes.
    let pos = |code: &str| form.questions.iter().position(|q| q.code == code).unwrap();
    assert!(pos("da_giai_quyet_tthc") < pos("da_pakn"));

    assert_eq!(
        codes(form.parts.iter().map(|p| p.code.as_str())),
        ["chinh_sach", "dich_vu"]
    );
    let policy = &form.parts[0];
    assert_eq!(policy.show_if, None);
    assert_eq!(
        element_items(policy),
        vec![
            ("giai_trinh", vec!["GT1", "GT2"]),
            ("tham_gia", vec!["TG1", "TG2"]),
            (
                "chat_luong",
                vec!["CL1", "CL2", "CL3", "CL4", "CL5", "CL6", "CL7", "CL8"]
            ),
            ("tac_dong", vec!["KT1", "KT2"]),
        ]
    );

    // The service part: the service form's items, same codes, same wording, same routing, and
    // the whole part routed by da_giai_quyet_tthc.
    let service_part = &form.parts[1];
    assert_eq!(service_part.show_if, show_if("da_giai_quyet_tthc", "co"));
    let service_form = shipped_form("sipas-dich-vu");
    let reference = &service_form.parts[0];
    assert_eq!(element_items(service_part), element_items(reference));
    for (ours, theirs) in service_part.elements.iter().zip(&reference.elements) {
        assert_eq!(ours.show_if, theirs.show_if, "routing of {}", ours.code);
        for (a, b) in ours.items.iter().zip(&theirs.items) {
            assert_eq!(a.label, b.label, "wording of {}", a.code);
        }
    }
    assert_eq!(
        service_part
            .elements
            .iter()
            .find(|e| e.code == "pakn")
            .unwrap()
            .show_if,
        show_if("da_pakn", "co")
    );
    assert!(form.comments.iter().any(|c| c.code == "y_kien"));
}

#[test]
fn delegates_form() {
    let form = shipped_form("khao-sat-dai-bieu");
    assert_eq!(form.target, 80.0);
    assert_eq!(form.index_method, IndexMethod::ScoreShare);
    assert!(form.invitation_only);
    assert_eq!(
        form.scale.labels,
        ["Rất kém", "Kém", "Trung bình", "Tốt", "Rất tốt"]
    );
    assert_eq!(
        form.scale.not_applicable.as_deref(),
        Some("Không đánh giá được")
    );

    assert_eq!(
        codes(form.questions.iter().map(|q| q.code.as_str())),
        ["nhom"]
    );
    assert!(form.question("nhom").unwrap().required);
    assert_eq!(
        options_of(&form, "nhom"),
        ["dai_bieu_hdnd", "lanh_dao_huyen", "lanh_dao_xa"]
    );

    let elements: Vec<(&str, Vec<&str>)> = form.parts.iter().flat_map(element_items).collect();
    assert_eq!(
        elements,
        vec![
            ("chi_dao", vec!["DB1", "DB2"]),
            ("the_che", vec!["DB3", "DB4"]),
            ("tthc", vec!["DB5", "DB6"]),
            ("bo_may", vec!["DB7", "DB8"]),
            ("cong_vu", vec!["DB9", "DB10"]),
            ("tai_chinh", vec!["DB11", "DB12"]),
            ("chinh_quyen_so", vec!["DB13", "DB14"]),
            ("tac_dong", vec!["DB15", "DB16"]),
        ]
    );
    for element in form.parts.iter().flat_map(|p| &p.elements) {
        assert_eq!(element.show_if, None);
    }
}

#[test]
fn codes_are_unique_within_each_form() {
    for form in load_dir(&forms_dir()).unwrap() {
        let all: Vec<&str> = form.all_questions().iter().map(|q| q.code).collect();
        let mut unique = all.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(all.len(), unique.len(), "duplicate code in {}", form.id);
    }
}

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

fn service_path() -> PathBuf {
    forms_dir().join("sipas-dich-vu.toml")
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

// ---------------------------------------------------------------------------------------------
// validate_answers on arbitrary input
// ---------------------------------------------------------------------------------------------

static SERVICE: LazyLock<Form> = LazyLock::new(|| {
    parse_form(&service_path(), &shipped_toml("sipas-dich-vu")).expect("service form")
});

fn service_codes() -> Vec<String> {
    SERVICE
        .all_questions()
        .iter()
        .map(|q| q.code.to_string())
        .collect()
}

fn item_codes() -> Vec<String> {
    SERVICE_ELEMENTS
        .iter()
        .flat_map(|(_, items)| items.iter().map(|c| c.to_string()))
        .collect()
}

fn json_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..10).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (0.0f64..6.0)
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "co",
            "khong",
            "nu",
            "nam",
            "khac",
            "kinh",
            "dat_dai",
            "18_24",
            "",
            " ",
            "4",
            "5",
            " 5",
            "4.0",
            "Rất hài lòng",
        ])
        .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
        prop::collection::vec(any::<char>(), 1990..2010)
            .prop_map(|chars| Value::from(chars.into_iter().collect::<String>())),
    ]
}

fn channel() -> impl Strategy<Value = Channel> {
    prop::sample::select(Channel::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn validate_answers_never_panics_and_accepts_only_scores_1_to_5(
        answers in prop::collection::btree_map(prop::sample::select(service_codes()), json_scalar(), 0..30),
        channel in channel(),
    ) {
        let map: Map<String, Value> = answers.clone().into_iter().collect();
        let outcome = validate_answers(&SERVICE, channel, &map);
        match outcome {
            Ok(valid) => {
                for code in item_codes() {
                    if let Some(value) = valid.get(&code) {
                        let AnswerValue::Score(score) = value else {
                            panic!("{code} accepted as {value:?}, not a score");
                        };
                        prop_assert!((1..=5).contains(&score.get()), "{code} = {score:?}");
                        prop_assert_eq!(answers[&code].as_i64(), Some(i64::from(score.get())),
                            "{} accepted from {}", code, answers[&code]);
                    }
                }
                for (code, value) in &valid {
                    prop_assert!(answers.contains_key(code), "{} appeared from nowhere", code);
                    if code.starts_with("PA") {
                        prop_assert_eq!(valid.get("da_pakn"), Some(&AnswerValue::Choice("co".into())),
                            "{} accepted without da_pakn = co", code);
                    }
                    if code.starts_with("KV") {
                        prop_assert!(matches!(value, AnswerValue::Expectation(e) if (1..=3).contains(&e.get())));
                    }
                    if code == "y_kien" {
                        let AnswerValue::Text(text) = value else { panic!("y_kien as {value:?}") };
                        prop_assert!(text.chars().count() <= 2000);
                    }
                }
                // Accepted means every required question of the channel was answered.
                prop_assert!(valid.contains_key("da_pakn"));
                if matches!(channel, Channel::Kiosk | Channel::Phone) {
                    for code in SERVICE_ELEMENTS[..4].iter().flat_map(|(_, items)| items.iter()) {
                        prop_assert!(valid.contains_key(*code), "required {} missing", code);
                    }
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert!(service_codes().contains(&e.field), "error on unknown field {}", e.field);
                    prop_assert!(!e.message.is_empty() && !e.message_en.is_empty());
                }
            }
        }
    }

    #[test]
    fn validate_answers_accepts_every_complete_phone_answer(
        scores in prop::collection::vec(1i64..=5, 16),
        pakn in prop::option::of(prop::collection::vec(1i64..=5, 3)),
    ) {
        let mut map = Map::new();
        let codes = item_codes();
        for (code, score) in codes.iter().take(16).zip(&scores) {
            map.insert(code.clone(), Value::from(*score));
        }
        match &pakn {
            Some(pa) => {
                map.insert("da_pakn".into(), Value::from("co"));
                for (code, score) in codes[16..].iter().zip(pa) {
                    map.insert(code.clone(), Value::from(*score));
                }
            }
            None => {
                map.insert("da_pakn".into(), Value::from("khong"));
            }
        }
        let valid = validate_answers(&SERVICE, Channel::Phone, &map)
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(valid.len(), map.len());
        for (code, value) in &map {
            if let Some(n) = value.as_i64() {
                prop_assert_eq!(valid[code].number(), Some(n as i32));
            }
        }
    }
}
