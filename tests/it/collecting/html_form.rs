//! The citizen's round trip without JavaScript, through the real HTTP server: choose a unit and a
//! form, get the HTML form, post it urlencoded, see the thank-you page or the form again with the
//! errors. What is stored is read back from the database.

use crate::common;

use std::collections::BTreeMap;

use common::*;
use diesel::prelude::*;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use scraper::ElementRef;
use serde_json::{json, Value};
use sipas::store::schema::{answers, responses};
use unicode_normalization::{is_nfc, UnicodeNormalization};

const SERVICE: &str = "sipas-dich-vu";

/// Every rated criterion of the service form, in order.
const ITEMS: [&str; 19] = [
    "TC1", "TC2", "TC3", "TC4", "TT1", "TT2", "TT3", "TT4", "CC1", "CC2", "CC3", "CC4", "CC5",
    "KQ1", "KQ2", "KQ3", "PA1", "PA2", "PA3",
];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The urlencoded fields of a submission: envelope first, then the answers (numbers as text).
fn fields(unit: &str, channel: &str, client_id: &str, answers: &Value) -> Vec<(String, String)> {
    let mut out = vec![
        ("unit".to_string(), unit.to_string()),
        ("channel".to_string(), channel.to_string()),
        ("client_id".to_string(), client_id.to_string()),
    ];
    out.extend(answer_fields(answers));
    out
}

async fn post_fields(app: &TestApp, form_id: &str, fields: &[(String, String)]) -> Page {
    Page::from(post_urlencoded(app, &format!("/f/{form_id}"), fields, false).await).await
}

/// The single stored response: (form, unit, channel, client_id).
fn stored_response(app: &TestApp) -> (String, String, String, Option<String>) {
    let rows: Vec<(String, String, String, Option<String>)> = responses::table
        .select((
            responses::form_id,
            responses::unit,
            responses::channel,
            responses::client_id,
        ))
        .load(&mut app.db())
        .expect("read responses");
    assert_eq!(rows.len(), 1, "exactly one stored response: {rows:?}");
    rows.into_iter().next().unwrap()
}

/// The answers of the single stored response, by code: (number, text).
fn stored_answers(app: &TestApp) -> BTreeMap<String, (Option<i32>, Option<String>)> {
    stored_response(app);
    let rows: Vec<(String, Option<i32>, Option<String>)> = answers::table
        .select((answers::question, answers::num_value, answers::text_value))
        .load(&mut app.db())
        .expect("read answers");
    rows.into_iter().map(|(q, n, t)| (q, (n, t))).collect()
}

fn num(n: i32) -> (Option<i32>, Option<String>) {
    (Some(n), None)
}

fn txt(s: &str) -> (Option<i32>, Option<String>) {
    (None, Some(s.to_string()))
}

/// What `full_answers()` is stored as.
fn full_answers_stored() -> BTreeMap<String, (Option<i32>, Option<String>)> {
    full_answers()
        .as_object()
        .unwrap()
        .iter()
        .map(|(code, value)| {
            let stored = match value {
                Value::String(s) => txt(s),
                n => num(n.as_i64().unwrap() as i32),
            };
            (code.clone(), stored)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Choosing a unit and a form
// ---------------------------------------------------------------------------------------------

async fn index_lists_units_and_public_forms(app: TestApp) {
    let page = Page::get(&app, "/").await;
    page.assert_html(200);
    assert!(page.has("meta[name=viewport]"));
    assert!(is_nfc(&page.body), "the page is NFC");

    let chooser = page.one("form[method=get][action=\"/f\"]");
    let units: BTreeMap<String, String> = chooser
        .select(&sel("select[name=unit] option"))
        // (Sub-units may be indented with non-breaking spaces.)
        .map(|o| (attr(o, "value").to_string(), text(o).trim().to_string()))
        .collect();
    assert_eq!(units["phuoc-son"], "Xã Phước Sơn");
    assert_eq!(units["tt-dieu-tri"], "Thị trấn Diêu Trì");
    assert_eq!(units["tuy-phuoc-mc"], "Bộ phận Một cửa huyện Tuy Phước");
    // Only the units that serve citizens: the one-stop office and the 13 communes, not the
    // province or the district above them; under their district's name.
    assert!(
        !units.contains_key("binh-dinh") && !units.contains_key("tuy-phuoc"),
        "{units:?}"
    );
    assert_eq!(
        units.len(),
        1 + 14,
        "the placeholder and the 14 serving units: {units:?}"
    );
    let groups: Vec<String> = chooser
        .select(&sel("select[name=unit] optgroup"))
        .map(|g| attr(g, "label").to_string())
        .collect();
    assert_eq!(groups, ["Huyện Tuy Phước"]);
    assert!(
        chooser
            .select(&sel("input[checked], option[selected]"))
            .next()
            .is_none(),
        "nothing pre-selected"
    );

    let forms: Vec<String> = chooser
        .select(&sel("input[type=radio][name=form]"))
        .map(|i| attr(i, "value").to_string())
        .collect();
    assert_eq!(forms, ["sipas-dich-vu", "sipas-ho-gia-dinh"]);
    assert!(
        !page.body.contains("khao-sat-dai-bieu"),
        "the invitation-only form is not offered"
    );
    assert!(
        !page.body.contains("đại biểu Hội đồng nhân dân"),
        "not even by its title"
    );
    assert!(chooser.select(&sel("button[type=submit]")).next().is_some());
}
both_backends!(index_lists_units_and_public_forms);

async fn chooser_redirects_to_the_form(app: TestApp) {
    let response = app
        .get("/f?form=sipas-dich-vu&unit=phuoc-son&channel=web")
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()[LOCATION].to_str().unwrap().to_string();
    assert_eq!(location, "/f/sipas-dich-vu?unit=phuoc-son&channel=web");

    let page = Page::get(&app, &location).await;
    page.assert_html(200);
    assert_eq!(page.hidden("unit"), "phuoc-son");
    assert_eq!(page.hidden("channel"), "web");

    // Without a unit the chooser cannot redirect anywhere useful.
    let page = Page::get(&app, "/f?form=sipas-dich-vu&channel=web").await;
    page.assert_html(400);
}
both_backends!(chooser_redirects_to_the_form);

// ---------------------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------------------

async fn form_page_is_a_complete_accessible_form(app: TestApp) {
    let page = Page::get(&app, "/f/sipas-dich-vu?unit=phuoc-son&channel=phone").await;
    page.assert_html(200);
    assert_eq!(
        attr(page.one("meta[name=viewport]"), "content"),
        "width=device-width, initial-scale=1"
    );
    assert!(
        is_nfc(&page.body),
        "every Vietnamese text on the page is NFC"
    );
    assert!(page.body.contains("Xã Phước Sơn"), "the unit's name");

    let form = page.one("form[method=post]");
    assert_eq!(attr(form, "action"), "/f/sipas-dich-vu");
    assert_eq!(page.hidden("unit"), "phuoc-son");
    assert_eq!(page.hidden("channel"), "phone");
    let client_id = page.hidden("client_id");
    let parsed = uuid::Uuid::parse_str(&client_id).expect("client_id is a UUID");
    assert!(!parsed.is_nil());
    let submit = page.one("form button[type=submit]");
    assert_eq!(text(submit).trim(), "Gửi");

    let mut legends_seen = std::collections::BTreeSet::new();
    for code in ITEMS {
        let fieldset = page.one(&format!("fieldset#q-{code}"));
        let legends: Vec<_> = fieldset.select(&sel("legend")).collect();
        assert_eq!(legends.len(), 1, "one legend for {code}");
        let legend = text(legends[0]);
        assert!(
            legend.trim().chars().count() > 10,
            "legend of {code}: {legend:?}"
        );
        assert!(
            legend.contains("(bắt buộc)"),
            "{code} is marked required on the phone: {legend:?}"
        );
        assert!(legends_seen.insert(legend), "{code} has its own legend");
        let radios: Vec<_> = fieldset.select(&sel("input[type=radio]")).collect();
        let names: Vec<String> = radios
            .iter()
            .map(|r| attr(*r, "name").to_string())
            .collect();
        let values: Vec<String> = radios
            .iter()
            .map(|r| attr(*r, "value").to_string())
            .collect();
        assert!(
            names.iter().all(|n| n == code),
            "names in {code}: {names:?}"
        );
        assert_eq!(values, ["1", "2", "3", "4", "5"], "values of {code}");
        assert!(
            radios.iter().all(|r| r.value().attr("checked").is_none()),
            "nothing is pre-selected in {code}"
        );
        // Each radio sits inside its label, so tapping the words selects it.
        let labels: Vec<String> = fieldset
            .select(&sel("label"))
            .filter(|l| l.select(&sel("input[type=radio]")).next().is_some())
            .map(text)
            .collect();
        assert_eq!(labels.len(), 5, "a label per radio in {code}");
        assert!(labels[0].contains("Rất không hài lòng"), "{labels:?}");
        assert!(labels[4].contains("Rất hài lòng"), "{labels:?}");
    }
    assert_eq!(
        page.all("fieldset[id^=\"q-\"] legend").len(),
        page.all("fieldset[id^=\"q-\"]").len(),
        "every question fieldset has a legend"
    );
    // The statements are the questionnaire's, in Vietnamese.
    assert!(text(page.one("fieldset#q-TC3 legend"))
        .contains("Trụ sở tiếp nhận hồ sơ, trả kết quả sạch sẽ, văn minh"));
    assert!(text(page.one("fieldset#q-KQ3 legend")).contains("Kết quả bảo đảm công bằng"));

    // Respondent questions and the comment are on the page too.
    let da_pakn: Vec<String> = page
        .all("fieldset#q-da_pakn input[type=radio][name=da_pakn]")
        .into_iter()
        .map(|r| attr(r, "value").to_string())
        .collect();
    assert_eq!(da_pakn, ["co", "khong"]);
    let textarea = page.one("textarea[name=y_kien]");
    assert_eq!(attr(textarea, "maxlength"), "2000");
    assert_eq!(
        attr(page.one("label[for=y_kien]"), "for"),
        attr(textarea, "id"),
        "the comment box is labelled"
    );

    // Routing without JavaScript: the PA questions sit inside a block that CSS shows only when
    // da_pakn = co, with a note for browsers that show everything.
    for code in ["PA1", "PA2", "PA3"] {
        let routed = page
            .one(&format!("fieldset#q-{code}"))
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().classes().any(|c| c == "when-da_pakn-co"));
        assert!(routed.is_some(), "{code} is routed by da_pakn = co");
    }
    // The routing rules are the form's own stylesheet (no inline style under the CSP).
    let href = page
        .all("link[rel=stylesheet]")
        .into_iter()
        .map(|l| attr(l, "href").to_string())
        .find(|h| h.starts_with("/static/forms/sipas-dich-vu.css?v="))
        .expect("the form links its routing rules");
    let css = app.get(&href).await.text().await.unwrap();
    assert!(css.contains(".when-da_pakn-co{display:none}"), "{css}");

    // Each page has its own idempotency key.
    let again = Page::get(&app, "/f/sipas-dich-vu?unit=phuoc-son&channel=phone").await;
    assert_ne!(again.hidden("client_id"), client_id);
}
both_backends!(form_page_is_a_complete_accessible_form);

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

// ---------------------------------------------------------------------------------------------
// Thank-you pages per channel
// ---------------------------------------------------------------------------------------------

async fn kiosk_returns_to_a_fresh_form(app: TestApp) {
    let admin = app.token_for(sipas::domain::Role::Admin).await;
    let kiosk = register_kiosk(&app, &admin, "Quầy 1", "phuoc-son").await;
    let kiosk_path = format!("/k/{}", kiosk["token"].as_str().expect("a token"));
    let start = Page::get(&app, &kiosk_path).await;
    start.assert_html(200);
    let action = attr(start.one("form[method=post]"), "action");
    assert_eq!(action, format!("{kiosk_path}?form={SERVICE}"));

    let client_id = new_client_id();
    // The unit and channel come from the kiosk, whatever the fields say.
    let response = post_urlencoded(
        &app,
        action,
        &fields("phuoc-loc", "web", &client_id, &full_answers()),
        false,
    )
    .await;
    let page = Page::from(response).await;
    page.assert_thank_you();
    let refresh = page.one("meta[http-equiv=refresh]");
    let content = attr(refresh, "content");
    let (seconds, url) = content
        .split_once(';')
        .unwrap_or_else(|| panic!("refresh content {content:?}"));
    let seconds: u32 = seconds.trim().parse().expect("seconds");
    assert!((3..=60).contains(&seconds), "a few seconds: {seconds}");
    let url = url
        .trim()
        .strip_prefix("url=")
        .or_else(|| url.trim().strip_prefix("URL="))
        .unwrap_or_else(|| panic!("url= in {content:?}"));
    assert_eq!(url, action, "back to the kiosk's own form");

    let fresh = Page::get(&app, url).await;
    fresh.assert_html(200);
    assert_ne!(
        fresh.hidden("client_id"),
        client_id,
        "the next citizen gets a new key"
    );
    assert!(fresh.all("input[type=radio][checked]").is_empty());

    let (_, unit, channel, _) = stored_response(&app);
    assert_eq!((unit.as_str(), channel.as_str()), ("phuoc-son", "kiosk"));
}
both_backends!(kiosk_returns_to_a_fresh_form);

async fn the_public_link_is_not_a_kiosk(app: TestApp) {
    let page = Page::get(&app, "/f/sipas-dich-vu?unit=phuoc-son&channel=kiosk").await;
    page.assert_html(400);
    assert!(page.body.contains("đường dẫn riêng"), "{}", page.body);
    let posted = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "kiosk", &new_client_id(), &full_answers()),
    )
    .await;
    posted.assert_html(400);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(the_public_link_is_not_a_kiosk);

async fn web_thank_you_does_not_refresh(app: TestApp) {
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "web", &new_client_id(), &full_answers()),
    )
    .await;
    page.assert_thank_you();
    assert!(!page.has("meta[http-equiv=refresh]"), "{}", page.body);
    assert!(!page
        .body
        .to_ascii_lowercase()
        .contains("http-equiv=\"refresh\""));
    assert_eq!(stored_answers(&app), full_answers_stored());
}
both_backends!(web_thank_you_does_not_refresh);

// ---------------------------------------------------------------------------------------------
// Refusals: pages, never stored
// ---------------------------------------------------------------------------------------------

async fn unknown_form_is_a_404_page(app: TestApp) {
    Page::get(&app, "/f/khong-co-phieu?unit=phuoc-son&channel=web")
        .await
        .assert_html(404);
    let fields = fields("phuoc-son", "phone", &new_client_id(), &full_answers());
    post_fields(&app, "khong-co-phieu", &fields)
        .await
        .assert_html(404);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(unknown_form_is_a_404_page);

async fn unknown_unit_is_a_404_page(app: TestApp) {
    Page::get(&app, "/f/sipas-dich-vu?unit=xa-khong-co&channel=web")
        .await
        .assert_html(404);
    let fields = fields("xa-khong-co", "phone", &new_client_id(), &full_answers());
    post_fields(&app, SERVICE, &fields).await.assert_html(404);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(unknown_unit_is_a_404_page);

async fn missing_unit_is_a_400_page(app: TestApp) {
    Page::get(&app, "/f/sipas-dich-vu?channel=web")
        .await
        .assert_html(400);
    Page::get(&app, "/f/sipas-dich-vu?unit=&channel=web")
        .await
        .assert_html(400);
    let mut fields = fields("", "phone", &new_client_id(), &full_answers());
    fields.retain(|(k, _)| k != "unit");
    post_fields(&app, SERVICE, &fields).await.assert_html(400);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(missing_unit_is_a_400_page);

async fn bogus_channel_is_a_400_page(app: TestApp) {
    Page::get(&app, "/f/sipas-dich-vu?unit=phuoc-son&channel=bogus")
        .await
        .assert_html(400);
    let fields = fields("phuoc-son", "bogus", &new_client_id(), &full_answers());
    post_fields(&app, SERVICE, &fields).await.assert_html(400);
    // A real channel that this form does not take (the household form is paper and web only).
    Page::get(&app, "/f/sipas-ho-gia-dinh?unit=phuoc-son&channel=kiosk")
        .await
        .assert_html(400);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(bogus_channel_is_a_400_page);

async fn invitation_only_form_is_a_403_page(app: TestApp) {
    let page = Page::get(&app, "/f/khao-sat-dai-bieu?unit=tuy-phuoc").await;
    page.assert_html(403);
    assert!(!page.has("form[method=post]"), "no form to fill in");
    let answers = json!({"nhom": "dai_bieu_hdnd", "DB1": 4, "DB2": 5});
    post_fields(
        &app,
        "khao-sat-dai-bieu",
        &fields("tuy-phuoc", "web", &new_client_id(), &answers),
    )
    .await
    .assert_html(403);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(invitation_only_form_is_a_403_page);

async fn json_body_is_a_415(app: TestApp) {
    let body = valid_submission();
    let response = app
        .client
        .post(app.url("/f/sipas-dich-vu"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 415);
    // And a urlencoded body labelled as JSON.
    let urlencoded = serde_urlencoded::to_string(fields(
        "phuoc-son",
        "phone",
        &new_client_id(),
        &full_answers(),
    ))
    .unwrap();
    let response = app
        .client
        .post(app.url("/f/sipas-dich-vu"))
        .header(CONTENT_TYPE, "application/json")
        .body(urlencoded)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 415);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(json_body_is_a_415);

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

// Nothing pre-selected; the web form's rules; a response that rates nothing
// ---------------------------------------------------------------------------------------------

/// A fresh form, of every public form on every channel it offers a page for, has no answer
/// checked.
async fn fresh_forms_have_nothing_checked(app: TestApp) {
    for path in [
        "/f/sipas-dich-vu?unit=phuoc-son&channel=phone",
        "/f/sipas-dich-vu?unit=phuoc-son&channel=web",
        "/f/sipas-ho-gia-dinh?unit=phuoc-son&channel=web",
    ] {
        let page = Page::get(&app, path).await;
        page.assert_html(200);
        assert!(page.all("input[type=radio]").len() > 20, "{path}");
        assert!(
            page.all("input[checked]").is_empty(),
            "nothing checked on {path}"
        );
    }
}
both_backends!(fresh_forms_have_nothing_checked);

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

/// HEAD is answered wherever GET is on the citizen pages; the icon is served and linked.
async fn head_and_favicon(app: TestApp) {
    let admin = app.token_for(sipas::domain::Role::Admin).await;
    let kiosk = register_kiosk(&app, &admin, "Quầy", "phuoc-son").await;
    let kiosk_path = format!("/k/{}", kiosk["token"].as_str().unwrap());
    for path in [
        "/",
        "/f?form=sipas-dich-vu&unit=phuoc-son",
        "/f/sipas-dich-vu?unit=phuoc-son&channel=phone",
        kiosk_path.as_str(),
        "/static/sipas.css",
        "/static/sipas.js",
        "/static/favicon.svg",
        "/favicon.ico",
    ] {
        let get = app.client.get(app.url(path)).send().await.unwrap();
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(
            head.headers().get(CONTENT_TYPE),
            get.headers().get(CONTENT_TYPE),
            "{path}"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has no body"
        );
    }
    let page = Page::get(&app, "/").await;
    let href = attr(page.one("link[rel=icon]"), "href").to_string();
    assert!(href.starts_with("/static/favicon.svg?v="), "{href}");
    for path in [href.as_str(), "/favicon.ico"] {
        let icon = app.get(path).await;
        assert_eq!(icon.status(), 200, "{path}");
        assert_eq!(icon.headers()[CONTENT_TYPE], "image/svg+xml");
        assert!(icon.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age"));
        let svg = icon.text().await.unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"), "{svg}");
    }
}
both_backends!(head_and_favicon);
