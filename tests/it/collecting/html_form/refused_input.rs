//! What the public form refuses: an overlong comment (kept for correction), paper, a field given
//! twice, bytes that are not UTF-8, a response that rates nothing.

use super::*;

// ---------------------------------------------------------------------------------------------
// Comment length
// ---------------------------------------------------------------------------------------------

async fn overlong_comment_is_refused_and_kept(app: TestApp) {
    let sentence = "Thủ tục đất đai còn chậm, mong cơ quan rút ngắn thời gian giải quyết. ";
    // Exactly 2000 characters (the limit) and one more.
    let fits = format!(
        "{}ạ",
        sentence.chars().cycle().take(1999).collect::<String>()
    );
    let long = format!("{fits}!");
    assert_eq!(fits.chars().count(), 2000);
    assert_eq!(long.chars().count(), 2001);
    let client_id = new_client_id();
    let answers = answers_with(json!({"y_kien": long}));
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "phone", &client_id, &answers),
    )
    .await;
    page.assert_html(422);
    assert_eq!(app.counts(), (0, 0), "nothing stored");

    let links: Vec<String> = page
        .one("[role=alert]")
        .select(&sel("a[href]"))
        .map(|a| attr(a, "href").to_string())
        .collect();
    assert_eq!(links, ["#q-y_kien"]);
    let error = page.one("#q-y_kien .err");
    assert!(
        text(error).contains("2000"),
        "the limit is told: {}",
        text(error)
    );
    assert_eq!(
        text(page.one("#q-y_kien textarea[name=y_kien]")),
        long,
        "the text is kept"
    );
    // The ratings are kept too.
    assert_eq!(
        page.all("input[type=radio][checked]").len(),
        full_answers().as_object().unwrap().len()
    );

    // Exactly 2000 characters is fine.
    let answers = answers_with(json!({"y_kien": fits}));
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "phone", &new_client_id(), &answers),
    )
    .await;
    page.assert_thank_you();
    assert_eq!(stored_answers(&app)["y_kien"], txt(&fits));
}
both_backends!(overlong_comment_is_refused_and_kept);

// ---------------------------------------------------------------------------------------------
// What the public form refuses: paper, fields given twice, bytes that are not UTF-8
// ---------------------------------------------------------------------------------------------

async fn paper_on_the_public_form_is_refused(app: TestApp) {
    let answers = fields("phuoc-son", "paper", &new_client_id(), &full_answers());
    let page = post_fields(&app, SERVICE, &answers).await;
    page.assert_html(403);
    assert!(page.body.contains("phiếu giấy"), "{}", page.body);
    let json = post_urlencoded(&app, &format!("/f/{SERVICE}"), &answers, true).await;
    expect_error(json, 403, "channel_not_allowed").await;
    // Nor is a paper form offered to citizens.
    let page = Page::get(&app, &format!("/f/{SERVICE}?unit=phuoc-son&channel=paper")).await;
    page.assert_html(403);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(paper_on_the_public_form_is_refused);

async fn a_field_given_twice_is_refused(app: TestApp) {
    let mut answers = fields("phuoc-son", "web", &new_client_id(), &full_answers());
    answers.push(("TC1".to_string(), "1".to_string()));
    let page = post_fields(&app, SERVICE, &answers).await;
    page.assert_html(400);
    assert!(
        page.body.contains("TC1") && page.body.contains("hai lần"),
        "{}",
        page.body
    );
    let json = post_urlencoded(&app, &format!("/f/{SERVICE}"), &answers, true).await;
    expect_error(json, 400, "malformed_form").await;
    assert_eq!(app.counts(), (0, 0));
    // The same answers without the second TC1 are stored, with the first value.
    answers.pop();
    post_fields(&app, SERVICE, &answers)
        .await
        .assert_thank_you();
    assert_eq!(
        stored_answers(&app)["TC1"],
        num(full_answers()["TC1"].as_i64().unwrap() as i32)
    );
}
both_backends!(a_field_given_twice_is_refused);

async fn bytes_that_are_not_utf8_are_refused(app: TestApp) {
    let mut body = serde_urlencoded::to_string(fields(
        "phuoc-son",
        "web",
        &new_client_id(),
        &json!({"da_pakn": "khong"}),
    ))
    .unwrap();
    body.push_str("&y_kien=C%E1m%20%FF%FEn");
    for accept in ["text/html", "application/json"] {
        let response = app
            .client
            .post(app.url(&format!("/f/{SERVICE}")))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::ACCEPT, accept)
            .body(body.clone())
            .send()
            .await
            .expect("POST");
        if accept == "text/html" {
            let page = Page::from(response).await;
            page.assert_html(400);
            assert!(page.body.contains("UTF-8"), "{}", page.body);
        } else {
            expect_error(response, 400, "malformed_form").await;
        }
    }
    assert_eq!(app.counts(), (0, 0), "nothing stored, no U+FFFD guessed");
}
both_backends!(bytes_that_are_not_utf8_are_refused);

// ---------------------------------------------------------------------------------------------
// A response that rates nothing
// ---------------------------------------------------------------------------------------------

/// The web form (from the start page) is answered like the phone's: faces, every item required;
/// only da_pakn=khong is refused with the no-rating message at the top, and nothing is stored.
async fn web_form_has_the_phone_rules_and_refuses_no_rating(app: TestApp) {
    let page = Page::get(&app, "/f/sipas-dich-vu?unit=phuoc-son&channel=web").await;
    assert_eq!(
        page.all("fieldset#q-TC1 .face").len(),
        5,
        "faces on the web form"
    );
    assert!(text(page.one("fieldset#q-TC1 legend")).contains("(bắt buộc)"));

    let only_pakn = json!({"da_pakn": "khong"});
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "web", &new_client_id(), &only_pakn),
    )
    .await;
    page.assert_html(422);
    let summary = text(page.one(".error-summary"));
    assert!(
        summary.contains("Phiếu chưa đánh giá tiêu chí nào"),
        "{summary}"
    );
    let first = text(page.all(".error-summary ul li")[0]);
    // (TC1, Câu 2, carries the no-rating message above the list.)
    assert!(
        first.starts_with("Câu 3 – Trụ sở"),
        "numbered like the legends: {first}"
    );
    assert!(first.chars().count() < 50, "a short label: {first}");
    assert!(page.one("title").inner_html().starts_with("Cần xem lại – "));
    assert_eq!(app.counts(), (0, 0), "nothing stored");

    // The page's script gets the API's 422 with the field codes.
    let response = post_urlencoded(
        &app,
        &format!("/f/{SERVICE}"),
        &fields("phuoc-son", "web", &new_client_id(), &only_pakn),
        true,
    )
    .await;
    let body = expect_error(response, 422, "validation_failed").await;
    let codes = field_errors(&body);
    assert_eq!(codes[0], ("TC1".to_string(), "no_rating".to_string()));
    assert!(
        codes.contains(&("TC2".to_string(), "required".to_string())),
        "{codes:?}"
    );

    // A few items only: still refused on the web page (phone rules), the given ones kept.
    let some = json!({"da_pakn": "khong", "TC1": 4});
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "web", &new_client_id(), &some),
    )
    .await;
    page.assert_html(422);
    assert_eq!(page.all("input[name=TC1][checked]").len(), 1);
    assert_eq!(app.counts(), (0, 0), "nothing stored");

    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "web", &new_client_id(), &full_answers()),
    )
    .await;
    page.assert_thank_you();
    assert_eq!(stored_response(&app).2, "web");
}
both_backends!(web_form_has_the_phone_rules_and_refuses_no_rating);

/// The household form on the web: a response with only the routing answers rates nothing.
async fn household_web_form_refuses_no_rating(app: TestApp) {
    let answers = json!({"da_giai_quyet_tthc": "khong", "gioi_tinh": "nam"});
    let page = post_fields(
        &app,
        "sipas-ho-gia-dinh",
        &fields("phuoc-son", "web", &new_client_id(), &answers),
    )
    .await;
    page.assert_html(422);
    assert!(text(page.one(".error-summary")).contains("Phiếu chưa đánh giá tiêu chí nào"));
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(household_web_form_refuses_no_rating);
