//! The shipped forms: they load, with exactly the codes, scales, routing and targets expected.

use super::*;

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
