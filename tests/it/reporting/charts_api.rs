//! `GET /api/v1/reports/{form_id}/charts/{kind}.{png|svg}` over HTTP on both backends.

use crate::common::*;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use sipas::domain::Role;

const BASE: &str = "/api/v1/reports/sipas-dich-vu/charts";

async fn every_kind_in_both_formats(app: TestApp) {
    for _ in 0..3 {
        assert_eq!(app.submit(&valid_submission()).await.status(), 201);
    }
    let token = app.token_for(Role::Analyst).await;
    for kind in ["elements", "items", "trend", "units", "distribution"] {
        let png = app
            .get_auth(&format!("{BASE}/{kind}.png?width=640&height=400"), &token)
            .await;
        assert_eq!(png.status(), 200, "{kind}.png");
        assert_eq!(png.headers()[CONTENT_TYPE], "image/png");
        assert!(png.headers().contains_key(ETAG));
        assert!(png.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age"));
        let bytes = png.bytes().await.unwrap();
        assert_eq!(&bytes[1..4], b"PNG", "{kind} is a PNG");
        // Width and height stand in the IHDR chunk.
        assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 640);
        assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 400);
        let svg = app.get_auth(&format!("{BASE}/{kind}.svg"), &token).await;
        assert_eq!(svg.status(), 200, "{kind}.svg");
        assert!(svg.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml"));
        let text = svg.text().await.unwrap();
        assert!(text.contains("<svg"), "{kind}.svg is SVG");
        // Stacked shares have no target; every other kind draws the target line.
        if kind != "distribution" {
            assert!(text.contains("Mục tiêu 90 %"), "{kind}.svg has the target");
        }
    }
}
both_backends!(every_kind_in_both_formats);

async fn etag_gives_304_and_empty_selection_still_draws(app: TestApp) {
    let token = app.token_for(Role::Admin).await;
    let url = format!("{BASE}/elements.svg?from=2001-01-01&to=2001-02-01");
    let first = app.get_auth(&url, &token).await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()[ETAG].clone();
    assert!(
        first.text().await.unwrap().contains("Không có dữ liệu"),
        "an empty selection says so"
    );
    let again = app
        .client
        .get(app.url(&url))
        .bearer_auth(&token)
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}
both_backends!(etag_gives_304_and_empty_selection_still_draws);

async fn bad_requests_are_refused(app: TestApp) {
    let analyst = app.token_for(Role::Analyst).await;
    let clerk = app.token_for(Role::Clerk).await;
    expect_error(
        app.get(&format!("{BASE}/elements.png")).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        app.get_auth(&format!("{BASE}/elements.png"), &clerk).await,
        403,
        "forbidden",
    )
    .await;
    for bad in [
        "pie.png",
        "elements.gif",
        "elements",
        "elements.png?width=100",
        "elements.png?height=5000",
        "elements.png?from=2024-13-01",
        "trend.png?period=week",
    ] {
        expect_error(
            app.get_auth(&format!("{BASE}/{bad}"), &analyst).await,
            400,
            "bad_query",
        )
        .await;
    }
    expect_error(
        app.get_auth("/api/v1/reports/nope/charts/elements.png", &analyst)
            .await,
        404,
        "unknown_form",
    )
    .await;
    expect_error(
        app.get_auth(&format!("{BASE}/elements.png?unit=nowhere"), &analyst)
            .await,
        404,
        "unknown_unit",
    )
    .await;
}
both_backends!(bad_requests_are_refused);

/// The expectations chart draws the KV questions; the units chart of the default scope (the
/// province over one district) ranks the communes, not the single district.
async fn expectations_and_the_units_that_serve_citizens(app: TestApp) {
    for (unit, kv) in [("phuoc-son", 3), ("phuoc-hoa", 1)] {
        let mut body = valid_submission();
        body["unit"] = serde_json::json!(unit);
        body["answers"]["KV1"] = serde_json::json!(kv);
        assert_eq!(app.submit(&body).await.status(), 201);
    }
    let token = app.token_for(Role::Analyst).await;
    let svg = app
        .get_auth(&format!("{BASE}/expectations.svg"), &token)
        .await;
    assert_eq!(svg.status(), 200);
    let text = svg.text().await.unwrap();
    assert!(text.contains("Mong muốn cải thiện"), "{text}");
    assert!(text.contains("KV1") && text.contains("Rất nhiều"), "{text}");
    let png = app
        .get_auth(&format!("{BASE}/expectations.png"), &token)
        .await;
    assert_eq!(png.status(), 200);
    assert_eq!(&png.bytes().await.unwrap()[1..4], b"PNG");

    let svg = app.get_auth(&format!("{BASE}/units.svg"), &token).await;
    let text = svg.text().await.unwrap();
    assert!(text.contains("Xã Phước Sơn"), "{text}");
    assert!(text.contains("Xã Phước Hòa"), "{text}");

    let bad = app.get_auth(&format!("{BASE}/khong-co.svg"), &token).await;
    let body = expect_error(bad, 400, "bad_query").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("không có loại biểu đồ"), "{message}");
}
both_backends!(expectations_and_the_units_that_serve_citizens);
