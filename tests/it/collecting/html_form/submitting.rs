//! Submitting the form: stored and thanked, NFC, a double tap, errors shown beside the form, the
//! PAKN answers.

use super::*;

// ---------------------------------------------------------------------------------------------
// Submitting
// ---------------------------------------------------------------------------------------------

async fn submission_is_stored_and_thanked(app: TestApp) {
    let form = Page::get(&app, "/f/sipas-dich-vu?unit=phuoc-son&channel=phone").await;
    let client_id = form.hidden("client_id");
    let comment = "Cán bộ hướng dẫn tận tình, thủ tục nhanh gọn. Cảm ơn Xã Phước Sơn!";
    let answers = answers_with(json!({"gioi_tinh": "nu", "KV5": 3, "y_kien": comment}));
    // Exactly what the browser sends: the hidden fields of the page plus the answers.
    let fields = fields(
        &form.hidden("unit"),
        &form.hidden("channel"),
        &client_id,
        &answers,
    );

    let page = post_fields(&app, SERVICE, &fields).await;
    page.assert_thank_you();
    assert!(is_nfc(&page.body));

    let expected_answers = answers.as_object().unwrap().len() as i64;
    assert_eq!(app.counts(), (1, expected_answers));
    let (form_id, unit, channel, stored_client_id) = stored_response(&app);
    assert_eq!(form_id, SERVICE);
    assert_eq!(unit, "phuoc-son");
    assert_eq!(channel, "phone");
    assert_eq!(stored_client_id.as_deref(), Some(client_id.as_str()));

    let mut expected = full_answers_stored();
    expected.insert("gioi_tinh".into(), txt("nu"));
    expected.insert("KV5".into(), num(3));
    expected.insert("y_kien".into(), txt(comment));
    assert_eq!(stored_answers(&app), expected);
}
both_backends!(submission_is_stored_and_thanked);

async fn comment_is_stored_nfc(app: TestApp) {
    // Typed on a keyboard that sends decomposed marks (NFD), with surrounding spaces.
    let nfc = "Phòng một cửa sạch sẽ, công chức niềm nở; thời gian chờ hơi lâu.";
    let nfd: String = nfc.nfd().collect();
    assert_ne!(nfd, nfc);
    let answers = answers_with(json!({"y_kien": format!("  {nfd}\n")}));
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "phone", &new_client_id(), &answers),
    )
    .await;
    page.assert_thank_you();
    assert_eq!(stored_answers(&app)["y_kien"], txt(nfc));
}
both_backends!(comment_is_stored_nfc);

async fn double_tap_stores_once(app: TestApp) {
    let fields = fields(
        "phuoc-son",
        "phone",
        &new_client_id(),
        &answers_with(json!({"y_kien": "Rất tốt"})),
    );
    let first = post_fields(&app, SERVICE, &fields).await;
    first.assert_thank_you();
    let counts = app.counts();
    assert_eq!(counts.0, 1);

    let second = post_fields(&app, SERVICE, &fields).await;
    assert!(
        (200..300).contains(&second.status),
        "a double tap is not an error: {}\n{}",
        second.status,
        second.body
    );
    assert!(second.content_type.starts_with("text/html"));
    assert!(second.body.contains("Cảm ơn"), "{}", second.body);
    assert_eq!(app.counts(), counts, "still exactly one response");
}
both_backends!(double_tap_stores_once);

async fn missing_answers_show_the_form_again_with_errors(app: TestApp) {
    let client_id = new_client_id();
    // da_pakn (required on every channel) and most items (required on the phone) are missing.
    let given = json!({
        "TC1": 5, "TC2": 4, "gioi_tinh": "nu", "KV1": 2,
        "y_kien": "Tôi chưa trả lời hết."
    });
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "phone", &client_id, &given),
    )
    .await;
    page.assert_html(422);
    assert!(is_nfc(&page.body));
    assert_eq!(app.counts(), (0, 0), "nothing stored");

    let missing: Vec<&str> = std::iter::once("da_pakn")
        .chain(ITEMS[2..16].iter().copied())
        .collect();

    // The summary at the top: one link per missing answer, to its question.
    let summary = page.one("[role=alert]");
    let links: Vec<String> = summary
        .select(&sel("a[href]"))
        .map(|a| attr(a, "href").to_string())
        .collect();
    let expected: Vec<String> = missing.iter().map(|c| format!("#q-{c}")).collect();
    assert_eq!(links, expected, "summary links, in form order");
    // The summary comes before the form.
    let summary_at = page.body.find("role=\"alert\"").unwrap();
    let form_at = page.body.find("<form method=\"post\"").unwrap();
    assert!(summary_at < form_at);

    // Next to each missing question: its error, tied to the fieldset.
    for code in &missing {
        let fieldset = page.one(&format!("fieldset#q-{code}"));
        let errors: Vec<_> = fieldset.select(&sel(".err")).collect();
        assert_eq!(errors.len(), 1, "an error next to {code}");
        assert!(
            text(errors[0]).contains("Xin vui lòng trả lời"),
            "{}",
            text(errors[0])
        );
        assert_eq!(
            fieldset.value().attr("aria-describedby"),
            errors[0].value().attr("id"),
            "{code}'s error is announced with it"
        );
    }
    // No error on the questions that were answered or that are optional or hidden.
    for code in ["TC1", "TC2", "gioi_tinh", "KV1", "PA1", "PA2", "PA3"] {
        let fieldset = page.one(&format!("fieldset#q-{code}"));
        assert!(
            fieldset.select(&sel(".err")).next().is_none(),
            "no error on {code}"
        );
    }
    assert!(page.all("#q-y_kien .err").is_empty());

    // The answers already given are kept.
    let checked = |code: &str| -> Vec<String> {
        page.all(&format!("input[type=radio][name={code}][checked]"))
            .into_iter()
            .map(|r| attr(r, "value").to_string())
            .collect()
    };
    assert_eq!(checked("TC1"), ["5"]);
    assert_eq!(checked("TC2"), ["4"]);
    assert_eq!(checked("gioi_tinh"), ["nu"]);
    assert_eq!(checked("KV1"), ["2"]);
    assert!(checked("TC3").is_empty());
    assert!(checked("da_pakn").is_empty());
    assert_eq!(
        text(page.one("textarea[name=y_kien]")),
        "Tôi chưa trả lời hết."
    );
    // Same page, same key: completing it later still stores one response.
    assert_eq!(page.hidden("client_id"), client_id);
    assert_eq!(page.hidden("unit"), "phuoc-son");
    assert_eq!(page.hidden("channel"), "phone");

    // Completing the form and sending again is accepted.
    let complete = answers_with(given);
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "phone", &client_id, &complete),
    )
    .await;
    page.assert_thank_you();
    assert_eq!(app.counts().0, 1);
}
both_backends!(missing_answers_show_the_form_again_with_errors);

async fn hidden_pakn_answers_are_dropped(app: TestApp) {
    // The citizen chose "Chưa" after having ticked PA1: the page hides PA1, so it is not sent on.
    let answers = answers_with(json!({"da_pakn": "khong", "PA1": 4}));
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "phone", &new_client_id(), &answers),
    )
    .await;
    page.assert_thank_you();
    let stored = stored_answers(&app);
    assert_eq!(stored["da_pakn"], txt("khong"));
    assert!(!stored.contains_key("PA1"), "PA1 is not stored: {stored:?}");
    assert_eq!(stored, full_answers_stored());
}
both_backends!(hidden_pakn_answers_are_dropped);

async fn shown_pakn_answers_are_stored(app: TestApp) {
    let answers = answers_with(json!({"da_pakn": "co", "PA1": 4, "PA2": 5, "PA3": 2}));
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "phone", &new_client_id(), &answers),
    )
    .await;
    page.assert_thank_you();
    let stored = stored_answers(&app);
    assert_eq!(stored["da_pakn"], txt("co"));
    assert_eq!(stored["PA1"], num(4));
    assert_eq!(stored["PA2"], num(5));
    assert_eq!(stored["PA3"], num(2));
}
both_backends!(shown_pakn_answers_are_stored);

async fn shown_pakn_answers_are_required_on_the_phone(app: TestApp) {
    let answers = answers_with(json!({"da_pakn": "co", "PA2": 5}));
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "phone", &new_client_id(), &answers),
    )
    .await;
    page.assert_html(422);
    let links: Vec<String> = page
        .one("[role=alert]")
        .select(&sel("a[href]"))
        .map(|a| attr(a, "href").to_string())
        .collect();
    assert_eq!(links, ["#q-PA1", "#q-PA3"]);
    let checked: Vec<String> = page
        .all("input[type=radio][name=PA2][checked]")
        .into_iter()
        .map(|r| attr(r, "value").to_string())
        .collect();
    assert_eq!(checked, ["5"]);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(shown_pakn_answers_are_required_on_the_phone);
