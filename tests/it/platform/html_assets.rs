//! The citizen pages' stylesheet and script through the real HTTP server: served with the right
//! type and a year-long immutable cache, linked under their content version, no inline script
//! anywhere (a strict Content-Security-Policy comes next), the markup the script works on, and the
//! phone's budget: HTML + CSS + JS of each public form ≤ 30 KB gzip-compressed.

use crate::common::*;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
};
use scraper::{ElementRef, Html};
use serde_json::{json, Value};
use unicode_normalization::is_nfc;

const CSS: &str = "/static/sipas.css";
const JS: &str = "/static/sipas.js";
const PHONE_FORM: &str = "/f/sipas-dich-vu?unit=phuoc-son&channel=phone";
/// The phone's budget: the whole form page, compressed.
const BUDGET: usize = 30 * 1024;

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// First 12 hex digits of the SHA-256 of the content.
fn version_of(content: &[u8]) -> String {
    sha256_hex(content)[..12].to_string()
}

async fn fetch(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// A page as the browser sees it: every script is external, no event-handler attributes, no
/// `javascript:` links; the stylesheet and the script are linked under their current version.
fn assert_page_shell(what: &str, body: &str, css_version: &str, js_version: &str) {
    let doc = Html::parse_document(body);
    assert!(body.contains("<html lang=\"vi\">"), "{what}: lang=vi");
    for script in all(&doc, "script") {
        let src = script.value().attr("src");
        assert!(
            src.is_some(),
            "{what}: an inline <script> ({})",
            script.html()
        );
        assert!(
            text(script).trim().is_empty(),
            "{what}: a script with a src and a body"
        );
    }
    let lower = body.to_ascii_lowercase();
    assert!(!lower.contains("javascript:"), "{what}: a javascript: URL");
    for element in all(&doc, "*") {
        for (name, _) in element.value().attrs() {
            assert!(
                !name.to_ascii_lowercase().starts_with("on"),
                "{what}: an inline event handler {name} on <{}>",
                element.value().name()
            );
            assert_ne!(name, "style", "{what}: an inline style attribute");
        }
    }
    // The shared stylesheet first; a form's routing rules or the staff layout may follow.
    let links = all(&doc, "head link[rel=stylesheet]");
    assert_eq!(
        links.first().map(|l| attr(*l, "href").to_string()),
        Some(format!("{CSS}?v={css_version}")),
        "{what}"
    );
    for extra in &links[1..] {
        let href = attr(*extra, "href");
        assert!(
            (href.starts_with("/static/forms/") || href.starts_with("/static/dashboard.css"))
                && href.contains(".css?v="),
            "{what}: {href}"
        );
    }
    assert!(links.len() <= 2, "{what}: at most one extra stylesheet");
    let script = one(&doc, "head script[src]");
    assert_eq!(
        attr(script, "src"),
        format!("{JS}?v={js_version}"),
        "{what}"
    );
    assert!(
        script.value().attr("defer").is_some(),
        "{what}: the script is deferred"
    );
}

// ---------------------------------------------------------------------------------------------

async fn assets_are_served_cacheable_with_their_type(app: TestApp) {
    for (path, content_type, marker) in [
        (CSS, "text/css; charset=utf-8", "fieldset"),
        (JS, "text/javascript; charset=utf-8", "sipas-outbox"),
    ] {
        let response = app.get(&format!("{path}?v=whatever")).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, CONTENT_TYPE), content_type, "{path}");
        assert_eq!(
            header(&response, CACHE_CONTROL),
            "public, max-age=31536000, immutable",
            "{path}"
        );
        assert_eq!(
            header(&response, reqwest::header::X_CONTENT_TYPE_OPTIONS),
            "nosniff"
        );
        let etag = header(&response, ETAG);
        let body = response.text().await.unwrap();
        assert!(body.contains(marker), "{path} is the real file");
        assert!(is_nfc(&body), "{path}: its Vietnamese text is NFC");
        assert_eq!(etag, format!("\"{}\"", version_of(body.as_bytes())));

        // Revalidation (a browser that ignores `immutable`) costs no body.
        let again = app
            .client
            .get(app.url(path))
            .header(IF_NONE_MATCH, &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path} unchanged");
        assert!(again.bytes().await.unwrap().is_empty());
    }
    // The script is what the pages need: it sends through an outbox, without inline code.
    let (_, js) = fetch(&app, JS).await;
    for needle in [
        "form[data-outbox]",
        "application/x-www-form-urlencoded",
        "application/json",
        "navigator.locks",
        "getRandomValues",
        "HTMLFormElement.prototype.submit.call",
        "Retry-After",
        "Đã trả lời ",
        "Chưa gửi được vì mất kết nối.",
        "Câu trả lời đã được lưu trên máy này và sẽ tự động gửi khi có mạng.",
        "Cảm ơn ông/bà! Ý kiến đã được gửi.",
    ] {
        assert!(js.contains(needle), "the script mentions {needle:?}");
    }
    assert!(!js.contains("eval("), "no eval (CSP)");
    assert!(!js.contains("innerHTML"), "text only, never markup");
}
both_backends!(assets_are_served_cacheable_with_their_type);

async fn pages_link_the_current_versions_and_have_no_inline_script(app: TestApp) {
    let (_, css) = fetch(&app, CSS).await;
    let (_, js) = fetch(&app, JS).await;
    let (css_v, js_v) = (version_of(css.as_bytes()), version_of(js.as_bytes()));

    for path in [
        "/",
        PHONE_FORM,
        "/f/sipas-dich-vu?unit=phuoc-son&channel=web",
        "/f/sipas-ho-gia-dinh?unit=phuoc-son&channel=web",
        "/f/khong-co-phieu?unit=phuoc-son",
        "/f/khao-sat-dai-bieu?unit=tuy-phuoc",
        "/no-such-page",
        "/login",
    ] {
        let (_, body) = fetch(&app, path).await;
        assert_page_shell(path, &body, &css_v, &js_v);
    }

    // After a submission: the form with its errors, and the thank-you page.
    for (answers, status) in [(json!({"TC1": 5}), 422), (full_answers(), 201)] {
        let mut fields = vec![
            ("unit".to_string(), "phuoc-son".to_string()),
            ("channel".to_string(), "phone".to_string()),
            ("client_id".to_string(), new_client_id()),
        ];
        fields.extend(answer_fields(&answers));
        let response = post_urlencoded(&app, "/f/sipas-dich-vu", &fields, false).await;
        assert_eq!(response.status().as_u16(), status);
        let body = response.text().await.unwrap();
        assert_page_shell(&format!("POST → {status}"), &body, &css_v, &js_v);
    }
}
both_backends!(pages_link_the_current_versions_and_have_no_inline_script);

async fn the_form_carries_the_scripts_contract(app: TestApp) {
    let (status, body) = fetch(&app, PHONE_FORM).await;
    assert_eq!(status, 200);
    assert!(is_nfc(&body));
    let doc = Html::parse_document(&body);

    let form = one(&doc, "form[data-outbox]");
    assert_eq!(attr(form, "method"), "post");
    assert_eq!(attr(form, "action"), "/f/sipas-dich-vu");
    // Not a kiosk: no kiosk class, no timings, no idle dialog.
    assert!(!form.value().classes().any(|c| c == "kiosk"));
    for name in [
        "data-idle-seconds",
        "data-warning-seconds",
        "data-thanks-seconds",
    ] {
        assert!(form.value().attr(name).is_none(), "{name} on a phone form");
    }
    assert!(all(&doc, "#idle-warning").is_empty());
    let client_id = attr(
        one(&doc, "form input[type=hidden][name=client_id]"),
        "value",
    );
    uuid::Uuid::parse_str(client_id).expect("a UUID");
    assert_eq!(text(one(&doc, "form button[type=submit]")).trim(), "Gửi");

    // The live regions the script writes to.
    let status = one(&doc, "#outbox-status");
    assert_eq!(attr(status, "role"), "status");
    assert_eq!(attr(status, "aria-live"), "polite");
    assert!(
        status.value().attr("data-state").is_none(),
        "nothing is being sent yet"
    );
    let progress = one(&doc, "form p#progress");
    assert_eq!(attr(progress, "aria-live"), "polite");
    assert!(
        progress.value().attr("hidden").is_some(),
        "the script shows it"
    );
    let thanks = one(&doc, "#thanks");
    assert_eq!(attr(thanks, "role"), "status");
    assert!(thanks.value().attr("hidden").is_some(), "shown once sent");
    assert_eq!(text(one(&doc, "#thanks h2")), "Cảm ơn ông/bà!");

    // Every question is numbered "Câu n/N" in page order, over all radio questions.
    let fieldsets = all(&doc, "form fieldset[id^=\"q-\"]");
    let total = fieldsets.len();
    assert!(total >= 19, "{total} questions");
    for (i, fieldset) in fieldsets.iter().enumerate() {
        let number = fieldset
            .select(&sel("legend .qn"))
            .next()
            .unwrap_or_else(|| panic!("a number in {}", attr(*fieldset, "id")));
        assert_eq!(text(number), format!("Câu {}/{total}", i + 1));
    }

    // Faces on the phone's satisfaction scale: beside the words, hidden from screen readers.
    let tc1: Vec<ElementRef<'_>> = all(&doc, "fieldset#q-TC1 label.opt");
    assert_eq!(tc1.len(), 5);
    let faces: Vec<String> = tc1
        .iter()
        .map(|l| {
            let face = l.select(&sel(".face")).next().expect("a face");
            assert_eq!(attr(face, "aria-hidden"), "true");
            text(face)
        })
        .collect();
    assert_eq!(faces, ["😠", "😞", "😐", "😊", "😄"]);
    assert!(text(tc1[0]).contains("Rất không hài lòng"));
    assert!(text(tc1[4]).contains("Rất hài lòng"));
    // Not on the choice questions, nor on the expectations' 3-level scale.
    assert!(all(&doc, "fieldset#q-da_pakn .face").is_empty());
    assert!(all(&doc, "fieldset#q-KV1 .face").is_empty());
    assert_eq!(all(&doc, "fieldset#q-KV1 input[type=radio]").len(), 3);

    // The web form (from the start page) is a citizen's like the phone's: the same faces.
    let (_, web) = fetch(&app, "/f/sipas-dich-vu?unit=phuoc-son&channel=web").await;
    let web = Html::parse_document(&web);
    assert_eq!(
        all(&web, "fieldset#q-TC1 .face").len(),
        5,
        "faces on the web form"
    );
    one(&web, "form[data-outbox]");

    // The page with errors keeps the contract and the focusable error summary.
    let response = app
        .client
        .post(app.url("/f/sipas-dich-vu"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(
            "unit=phuoc-son&channel=phone&client_id={}&TC1=5",
            uuid::Uuid::new_v4()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let errors = Html::parse_document(&response.text().await.unwrap());
    one(&errors, "form[data-outbox]");
    one(&errors, "#outbox-status");
    let summary = one(&errors, ".error-summary");
    assert_eq!(attr(summary, "tabindex"), "-1", "the script focuses it");
}
both_backends!(the_form_carries_the_scripts_contract);

async fn kiosk_form_has_big_faces_timings_and_the_idle_dialog(app: TestApp) {
    let admin = app.token_for(sipas::domain::Role::Admin).await;
    let kiosk = register_kiosk(&app, &admin, "Quầy 1", "phuoc-son").await;
    let path = format!("/k/{}", kiosk["token"].as_str().expect("a token"));
    let (status, body) = fetch(&app, &path).await;
    assert_eq!(status, 200, "{body}");
    let doc = Html::parse_document(&body);

    let form = one(&doc, "form[data-outbox]");
    assert!(form.value().classes().any(|c| c == "kiosk"));
    // The test configuration's timings.
    assert_eq!(attr(form, "data-idle-seconds"), "90");
    assert_eq!(attr(form, "data-warning-seconds"), "30");
    assert_eq!(attr(form, "data-thanks-seconds"), "8");
    assert_eq!(
        attr(one(&doc, "input[type=hidden][name=channel]"), "value"),
        "kiosk"
    );

    // A face above the scale's words, without the numbers.
    let labels = all(&doc, "fieldset#q-TC1 label.opt");
    assert_eq!(labels.len(), 5);
    let words: Vec<String> = labels
        .iter()
        .map(|l| text(l.select(&sel("span:not(.face)")).next().unwrap()))
        .collect();
    assert_eq!(
        words,
        [
            "Rất không hài lòng",
            "Không hài lòng",
            "Bình thường",
            "Hài lòng",
            "Rất hài lòng"
        ]
    );
    assert_eq!(all(&doc, "fieldset#q-TC1 .face[aria-hidden=true]").len(), 5);

    // The dialog, hidden until the script needs it.
    let dialog = one(&doc, "#idle-warning");
    assert_eq!(attr(dialog, "role"), "alertdialog");
    assert_eq!(attr(dialog, "aria-modal"), "true");
    assert!(dialog.value().attr("hidden").is_some());
    let title = attr(dialog, "aria-labelledby");
    assert!(text(one(&doc, &format!("#{title}"))).contains("Ông/bà còn đang trả lời không?"));
    assert!(text(dialog).contains("Màn hình sẽ xoá các câu trả lời sau 30 giây."));
    let button = one(&doc, "#idle-warning button#idle-continue");
    assert_eq!(attr(button, "type"), "button");
    assert_eq!(text(button), "Tôi cần thêm thời gian");
    assert!(text(one(&doc, "#thanks")).contains("sau 8 giây"));
}
both_backends!(kiosk_form_has_big_faces_timings_and_the_idle_dialog);

async fn a_public_form_on_a_phone_fits_in_30_kb_compressed(app: TestApp) {
    /// Bytes on the wire, checking they were gzip-compressed (this reqwest does not decode).
    async fn gzipped(app: &TestApp, path: &str) -> usize {
        let response = app
            .client
            .get(app.url(path))
            .header(ACCEPT_ENCODING, "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, CONTENT_ENCODING), "gzip", "{path}");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "{path}: a gzip stream");
        bytes.len()
    }
    let css = gzipped(&app, CSS).await;
    let js = gzipped(&app, JS).await;

    let forms: Value = app.get("/api/v1/forms").await.json().await.unwrap();
    let mut measured = 0;
    for form in forms.as_array().unwrap() {
        if form["invitation_only"] == true {
            continue;
        }
        let id = form["id"].as_str().unwrap();
        let channels: Vec<&str> = form["channels"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        // What a phone opens: the phone channel, or the web one where the form has no phone
        // channel (the same page).
        let channel = ["phone", "web"]
            .into_iter()
            .find(|c| channels.contains(c))
            .unwrap_or_else(|| panic!("{id} has neither a phone nor a web channel"));
        let html = gzipped(&app, &format!("/f/{id}?unit=phuoc-son&channel={channel}")).await;
        let total = html + css + js;
        eprintln!("{id} ({channel}): HTML {html} + CSS {css} + JS {js} = {total} bytes gzip");
        assert!(
            total <= BUDGET,
            "{id}: {total} bytes compressed, over the {BUDGET} budget"
        );
        measured += 1;
    }
    assert!(measured >= 2, "both public forms measured");
}
both_backends!(a_public_form_on_a_phone_fits_in_30_kb_compressed);
