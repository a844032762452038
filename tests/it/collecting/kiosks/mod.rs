//! Kiosk tablets through the real HTTP stack, on SQLite and PostgreSQL: registration by an admin
//! (a device link shown once, with its QR codes; only the token's SHA-256 stored), the kiosk page
//! `/k/{token}` and its submissions (unit and channel come from the kiosk, not from the body),
//! revocation, and the per-device rate limit.

use std::collections::BTreeMap;

use crate::common::*;
use diesel::prelude::*;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::{kiosks, responses};

mod page_and_revocation;
mod registration;
mod submissions;

const SERVICE: &str = "sipas-dich-vu";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A fresh admin and a kiosk of `phuoc-son`: (admin token, kiosk id, kiosk token).
async fn kiosk_of_phuoc_son(app: &TestApp) -> (String, String, String) {
    let admin = app.token_for(Role::Admin).await;
    let body = register_kiosk(app, &admin, "Quầy 1", "phuoc-son").await;
    (
        admin,
        body["id"].as_str().unwrap().to_string(),
        body["token"].as_str().unwrap().to_string(),
    )
}

/// The urlencoded fields of a kiosk submission: client id, then the answers (numbers as text),
/// then `extra` (e.g. a unit or channel the body claims).
fn fields(client_id: &str, answers: &Value, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out = client_fields(client_id, answers);
    out.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    out
}

/// POSTs urlencoded fields to `/k/{token}` (as the page does: `?form=sipas-dich-vu`), as a
/// plain form or, with `json`, the way the page's script does.
async fn post_kiosk(
    app: &TestApp,
    token: &str,
    fields: &[(String, String)],
    json: bool,
) -> reqwest::Response {
    post_urlencoded(app, &format!("/k/{token}?form=sipas-dich-vu"), fields, json).await
}

/// Every stored response: (id, unit, channel, client_id).
fn stored(app: &TestApp) -> Vec<(String, String, String, Option<String>)> {
    responses::table
        .select((
            responses::id,
            responses::unit,
            responses::channel,
            responses::client_id,
        ))
        .order(responses::seq)
        .load(&mut app.db())
        .expect("read responses")
}

/// Every kiosk row: (id, name, unit, token_hash, revoked).
fn kiosk_rows(app: &TestApp) -> Vec<(String, String, String, String, bool)> {
    let rows: Vec<(
        String,
        String,
        String,
        String,
        Option<chrono::NaiveDateTime>,
    )> = kiosks::table
        .select((
            kiosks::id,
            kiosks::name,
            kiosks::unit,
            kiosks::token_hash,
            kiosks::revoked_at,
        ))
        .order(kiosks::id)
        .load(&mut app.db())
        .expect("read kiosks");
    rows.into_iter()
        .map(|(id, name, unit, hash, revoked)| (id, name, unit, hash, revoked.is_some()))
        .collect()
}
