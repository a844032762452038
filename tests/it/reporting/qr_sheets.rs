//! `GET /api/v1/units/{code}/qr.{png|svg}?form=`: the printable QR sheet of a unit for the
//! one-stop counter, over HTTP on both backends. The PNG's code is decoded and must hold exactly
//! the unit's phone link.

use std::time::Instant;

use crate::common::*;
use diesel::prelude::*;
use reqwest::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use sipas::domain::Role;
use unicode_normalization::UnicodeNormalization;

const SHEET: &str = "/api/v1/units/phuoc-son/qr";
const UNIT_NAME: &str = "Xã Phước Sơn";
const PUBLIC_URL: &str = "https://khaosat.example.vn/";

/// Fetches the PNG sheet and checks the headers; returns its bytes.
async fn fetch_png(app: &TestApp, path: &str, token: &str, filename: &str) -> Vec<u8> {
    let started = Instant::now();
    let response = app.get_auth(path, token).await;
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(response.headers()[CONTENT_TYPE], "image/png");
    assert_eq!(
        response.headers()[CONTENT_DISPOSITION],
        format!("inline; filename=\"{filename}\"").as_str()
    );
    assert_eq!(response.headers()[CACHE_CONTROL], "private, max-age=300");
    let bytes = response.bytes().await.unwrap().to_vec();
    assert!(
        matches!(
            png_color_type(&bytes),
            png::ColorType::Grayscale | png::ColorType::Rgb | png::ColorType::Rgba
        ),
        "{path}: a grey, RGB or RGBA PNG"
    );
    eprintln!(
        "{path}: {} bytes in {:?} (unit lookup, render, transfer)",
        bytes.len(),
        started.elapsed()
    );
    bytes
}

async fn png_sheet_holds_the_units_phone_link(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let expected = format!(
        "{}/f/sipas-dich-vu?unit=phuoc-son&channel=phone",
        app.address
    );
    let filename = "qr-phuoc-son-sipas-dich-vu.png";
    // The form defaults to the counter's survey; naming it gives the same sheet.
    let png = fetch_png(&app, &format!("{SHEET}.png"), &clerk, filename).await;
    let named = fetch_png(
        &app,
        &format!("{SHEET}.png?form=sipas-dich-vu"),
        &clerk,
        filename,
    )
    .await;
    assert_eq!(png, named);

    let (w, h, grey) = grey_pixels(&png);
    assert_eq!((w, h), (1240, 1754), "A4 at 150 dpi");
    assert_eq!(grey[0], 255, "white paper");
    let started = Instant::now();
    assert_eq!(
        decode_qr(&png),
        vec![expected.clone()],
        "one code, the link"
    );
    eprintln!("decoding the code took {:?}", started.elapsed());

    // The link opens the phone form of that unit.
    let form = app
        .client
        .get(&expected)
        .send()
        .await
        .expect("the link answers");
    assert_eq!(form.status(), 200, "{expected}");
    assert!(form.text().await.unwrap().contains(UNIT_NAME));

    // Every staff role may print the sheet.
    for role in [Role::Analyst, Role::Admin] {
        let token = app.token_for(role).await;
        assert_eq!(
            fetch_png(&app, &format!("{SHEET}.png"), &token, filename).await,
            png,
            "{role}"
        );
    }
}
both_backends!(png_sheet_holds_the_units_phone_link);

async fn public_url_is_the_links_base(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.public_url = Some(PUBLIC_URL.into())).await
    else {
        return;
    };
    let clerk = app.token_for(Role::Clerk).await;
    let png = fetch_png(
        &app,
        &format!("{SHEET}.png"),
        &clerk,
        "qr-phuoc-son-sipas-dich-vu.png",
    )
    .await;
    assert_eq!(
        decode_qr(&png),
        vec!["https://khaosat.example.vn/f/sipas-dich-vu?unit=phuoc-son&channel=phone".to_string()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_url_is_the_links_base_sqlite() {
    public_url_is_the_links_base(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_url_is_the_links_base_postgres() {
    public_url_is_the_links_base(Backend::Postgres).await;
}

async fn svg_sheet_has_the_texts(app: TestApp) {
    use sipas::store::schema::units;
    // A name saved decomposed (NFD) is printed composed (NFC).
    let decomposed: String = UNIT_NAME.nfd().collect();
    assert_ne!(decomposed, UNIT_NAME);
    let updated = diesel::update(units::table.find("phuoc-son"))
        .set(units::name.eq(&decomposed))
        .execute(&mut app.db())
        .expect("rename phuoc-son");
    assert_eq!(updated, 1);

    let admin = app.token_for(Role::Admin).await;
    let response = app.get_auth(&format!("{SHEET}.svg"), &admin).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("image/svg+xml"));
    assert_eq!(
        response.headers()[CONTENT_DISPOSITION],
        "inline; filename=\"qr-phuoc-son-sipas-dich-vu.svg\""
    );
    assert_eq!(response.headers()[CACHE_CONTROL], "private, max-age=300");
    let text = response.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("viewBox"), Some("0 0 1240 1754"));
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect();
    let url = format!(
        "{}/f/sipas-dich-vu?unit=phuoc-son&channel=phone",
        app.address
    );
    for wanted in [
        "Khảo sát sự hài lòng của người dân, tổ chức",
        UNIT_NAME,
        url.as_str(),
    ] {
        assert!(
            texts.iter().any(|t| t == wanted),
            "the text {wanted:?} is among {texts:?}"
        );
    }
    assert!(
        texts.iter().any(|t| t.starts_with("Quét mã QR")),
        "the instruction"
    );
    assert!(!text.contains(&decomposed), "no decomposed text");
    assert!(
        texts.iter().any(|t| t.contains("dịch vụ hành chính công")),
        "the form's title"
    );
    // Text names Vietnamese-capable fonts; the modules are black rectangles.
    assert!(text.contains("font-family=\"DejaVu Sans"));
    assert!(
        doc.descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#000000"))
            .count()
            > 50
    );
}
both_backends!(svg_sheet_has_the_texts);

async fn bad_requests_are_refused(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    expect_error(
        app.get(&format!("{SHEET}.png")).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        app.get_auth(&format!("{SHEET}.svg"), "not-a-real-token")
            .await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        app.get_auth("/api/v1/units/nowhere/qr.png", &clerk).await,
        404,
        "unknown_unit",
    )
    .await;
    expect_error(
        app.get_auth(&format!("{SHEET}.png?form=nope"), &clerk)
            .await,
        404,
        "unknown_form",
    )
    .await;
    // Like the charts: a format other than png or svg is a bad query.
    expect_error(
        app.get_auth(&format!("{SHEET}.gif"), &clerk).await,
        400,
        "bad_query",
    )
    .await;
    // The delegates' survey is answered through invitations only; the households' survey takes
    // no phone answers.
    for (form, code) in [
        ("khao-sat-dai-bieu", "invitation_required"),
        ("sipas-ho-gia-dinh", "channel_not_accepted"),
    ] {
        let body = expect_error(
            app.get_auth(&format!("{SHEET}.png?form={form}"), &clerk)
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(
            field_errors(&body),
            vec![("form".to_string(), code.to_string())],
            "{form}"
        );
    }
}
both_backends!(bad_requests_are_refused);

async fn closed_unit_gets_no_sheet(app: TestApp) {
    use sipas::store::schema::units;
    let closed = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let updated = diesel::update(units::table.find("phuoc-son"))
        .set(units::valid_to.eq(Some(closed)))
        .execute(&mut app.db())
        .expect("close phuoc-son");
    assert_eq!(updated, 1);
    let clerk = app.token_for(Role::Clerk).await;
    for ext in ["png", "svg"] {
        let body = expect_error(
            app.get_auth(&format!("{SHEET}.{ext}"), &clerk).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(
            field_errors(&body),
            vec![("unit".to_string(), "unit_not_valid".to_string())]
        );
    }
}
both_backends!(closed_unit_gets_no_sheet);
