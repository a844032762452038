//! The service form's report as the API answers it, and the parts, elements and items of one of
//! its groups.

use serde_json::Value;

use super::{status_and_json, TestApp};

/// GETs the service form's report with this query string as `token`; expects 200.
pub async fn report_of(app: &TestApp, token: &str, query: &str) -> Value {
    let path = if query.is_empty() {
        "/api/v1/reports/sipas-dich-vu".to_string()
    } else {
        format!("/api/v1/reports/sipas-dich-vu?{query}")
    };
    let (status, body) = status_and_json(app.get_auth(&path, token).await).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// The part `code` of a report group.
pub fn report_part<'a>(g: &'a Value, code: &str) -> &'a Value {
    g["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("part {code}"))
}

/// The element `code` of a report group.
pub fn report_element<'a>(g: &'a Value, code: &str) -> &'a Value {
    g["parts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["elements"].as_array().unwrap())
        .find(|e| e["code"] == code)
        .unwrap_or_else(|| panic!("element {code}"))
}

/// The item `code` of a report group.
pub fn report_item<'a>(g: &'a Value, code: &str) -> &'a Value {
    g["parts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["elements"].as_array().unwrap())
        .flat_map(|e| e["items"].as_array().unwrap())
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("item {code}"))
}
