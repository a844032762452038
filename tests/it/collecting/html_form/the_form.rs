//! Choosing a unit and a form, the form page itself, nothing pre-selected, HEAD and the favicon.

use super::*;

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
// Nothing pre-selected; HEAD and the favicon
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
