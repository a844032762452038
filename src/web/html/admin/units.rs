//! `/admin/units`: the unit tree with its validity — create, rename, close, import a whole tree
//! (CSV or JSON file), and the old → new mappings of a reform. Every change is the action of
//! `service::units` the JSON API calls too: checked as a whole, written with its audit record in
//! one transaction.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;

use super::multipart::Parts;
use super::units_render::Imported;
use super::units_render::{load, refused, render, View};
use super::{admin_form, admin_get, admin_multipart, field, see_other, Admin};
use crate::administration::units::import::ImportRequest;
use crate::administration::units::{Mapping, UnitSpec};
use crate::domain::FieldError;
use crate::service::units::{self as actions, TreeFile, UnitEdit};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::error::PageError;
use crate::web::state::AppState;
use crate::web::BODY_LIMIT;

/// A tree file of at most 64 KiB, with room for the multipart wrapping and the CSRF field.
const PAGE_BODY_LIMIT: usize = BODY_LIMIT + 8 * 1024;

/// The administrator as the actor of a change, from this request's address.
/// The unit tree (admin; session cookie).
#[utoipa::path(
    tag = "admin",
    params(
        ("done" = Option<String>, Query, description = "confirm a change: created, renamed, closed, mapping, unchanged, imported"),
        ("created" = Option<usize>, Query, description = "imported: units created"),
        ("updated" = Option<usize>, Query, description = "imported: units changed"),
        ("unchanged" = Option<usize>, Query, description = "imported: units unchanged"),
        ("mappings" = Option<usize>, Query, description = "imported: mappings created")
    ),
    responses(
        (status = 200, content_type = "text/html", description = "the tree, the mappings and the forms to change them"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin")
    )
)]
#[get("/admin/units")]
pub async fn units_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return Ok(response),
    };
    let (all, maps) = load(&state).await?;
    let done = match field(&query, "done") {
        "created" => Some("Đã thêm đơn vị."),
        "renamed" => Some("Đã đổi tên đơn vị."),
        "closed" => Some("Đã đóng đơn vị."),
        "mapping" => Some("Đã thêm ánh xạ."),
        "unchanged" => Some("Không có gì thay đổi."),
        _ => None,
    };
    let imported = (field(&query, "done") == "imported").then(|| Imported::from_query(&query));
    Ok(render(
        StatusCode::OK,
        &admin,
        &state,
        &all,
        &maps,
        View {
            done,
            imported,
            ..View::default()
        },
    ))
}

fn date_field(value: &str, name: &str, anchor: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        ApiError::validation(vec![FieldError::new(
            anchor,
            "invalid_date",
            format!("{name}: hãy chọn một ngày."),
            format!("{name}: choose a date."),
        )])
    })
}

/// Creates a unit (admin; form with `csrf`, `code`, `name`, `level`, `parent`, `valid_from`).
#[utoipa::path(
    tag = "admin",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, code, name, level, parent, valid_from"),
    responses(
        (status = 303, description = "to /admin/units (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 409, content_type = "text/html", description = "the code exists"),
        (status = 422, content_type = "text/html", description = "the form again with its errors")
    )
)]
#[post("/admin/units")]
pub async fn unit_create(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) = match admin_form(&req, &state, payload, "unit.create").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let new: HashMap<&'static str, &str> = ["code", "name", "level", "parent", "valid_from"]
        .into_iter()
        .map(|k| (k, field(&fields, k)))
        .collect();
    let anchor = |f: &FieldError| Some(format!("unit-{}", f.field));
    let valid_from = match date_field(new["valid_from"], "Có hiệu lực từ ngày", "valid_from")
    {
        Ok(d) => d,
        Err(e) => return refused(&state, &admin, e, anchor, new).await,
    };
    let spec = UnitSpec {
        code: new["code"].to_string(),
        name: new["name"].to_string(),
        level: new["level"].to_string(),
        parent: Some(new["parent"].to_string()).filter(|p| !p.is_empty()),
        valid_from,
        valid_to: None,
    };
    let (actor, tz) = (client::actor(&req, &state, &admin.staff), state.config.tz);
    let outcome = with_conn(&state, move |conn| {
        actions::create_unit(conn, &actor, tz, spec)
    })
    .await;
    match outcome {
        Ok(_) => Ok(see_other("/admin/units?done=created")),
        Err(e) => refused(&state, &admin, e, anchor, new).await,
    }
}

/// Which change of one unit.
enum Edit {
    Rename(String),
    Close(NaiveDate),
}

async fn edit_unit(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    admin: &Admin,
    code: String,
    edit: Edit,
    anchor: String,
) -> Result<HttpResponse, PageError> {
    let (done, edit) = match edit {
        Edit::Rename(name) => (
            "renamed",
            UnitEdit {
                name: Some(name),
                ..UnitEdit::default()
            },
        ),
        Edit::Close(end) => (
            "closed",
            UnitEdit {
                valid_to: Some(Some(end)),
                ..UnitEdit::default()
            },
        ),
    };
    let (actor, tz) = (client::actor(req, state, &admin.staff), state.config.tz);
    let outcome = with_conn(state, move |conn| {
        actions::update_unit(conn, &actor, tz, code, edit)
    })
    .await;
    match outcome {
        Ok(plan) if plan.is_empty() => Ok(see_other("/admin/units?done=unchanged")),
        Ok(_) => Ok(see_other(&format!("/admin/units?done={done}"))),
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(e.into()),
        Err(e) => refused(state, admin, e, |_| Some(anchor.clone()), HashMap::new()).await,
    }
}

/// Renames a unit (admin; form with `csrf`, `name`). The code never changes.
#[utoipa::path(
    tag = "admin",
    params(("code" = String, Path, description = "unit code")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, name"),
    responses(
        (status = 303, description = "to /admin/units (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 404, content_type = "text/html", description = "no such unit"),
        (status = 422, content_type = "text/html", description = "the page with the problem")
    )
)]
#[post("/admin/units/{code}/rename")]
pub async fn unit_rename(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) = match admin_form(&req, &state, payload, "unit.update").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let code = path.into_inner();
    let anchor = format!("name-{code}");
    let name = field(&fields, "name").to_string();
    edit_unit(&req, &state, &admin, code, Edit::Rename(name), anchor).await
}

/// Closes a unit (admin; form with `csrf`, `valid_to`: the first day it no longer exists). Its
/// children must be closed by then and no response may be given to it on or after that day.
#[utoipa::path(
    tag = "admin",
    params(("code" = String, Path, description = "unit code")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, valid_to (YYYY-MM-DD)"),
    responses(
        (status = 303, description = "to /admin/units (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 404, content_type = "text/html", description = "no such unit"),
        (status = 422, content_type = "text/html", description = "the page with the problem (open children, later responses, …)")
    )
)]
#[post("/admin/units/{code}/close")]
pub async fn unit_close(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) = match admin_form(&req, &state, payload, "unit.update").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let code = path.into_inner();
    let anchor = format!("close-{code}");
    match date_field(field(&fields, "valid_to"), "Ngày đóng", &anchor) {
        Ok(end) => edit_unit(&req, &state, &admin, code, Edit::Close(end), anchor).await,
        Err(e) => refused(&state, &admin, e, |_| Some(anchor.clone()), HashMap::new()).await,
    }
}

/// Imports a whole tree from a file (admin; `multipart/form-data` with `csrf` and `file`, CSV or
/// JSON as `POST /api/v1/units/import` takes them): what changed, or every problem.
#[utoipa::path(
    tag = "admin",
    request_body(content_type = "multipart/form-data", description = "csrf, file (CSV or JSON)"),
    responses(
        (status = 303, description = "imported: to /admin/units?done=imported&created=&updated=&unchanged=&mappings= (what changed); to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 422, content_type = "text/html", description = "every problem; nothing written")
    )
)]
#[post("/admin/units/import")]
pub async fn units_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, parts) =
        match admin_multipart(&req, &state, payload, "units.import", PAGE_BODY_LIMIT).await {
            Ok(found) => found,
            Err(response) => return Ok(response),
        };
    let file_anchor = |_: &FieldError| Some("file".to_string());
    let file = match tree_file(&parts) {
        Ok(file) => file,
        Err(e) => return refused(&state, &admin, e, file_anchor, HashMap::new()).await,
    };
    let (actor, tz) = (client::actor(&req, &state, &admin.staff), state.config.tz);
    let outcome = with_conn(&state, move |conn| {
        actions::import_tree(conn, &actor, tz, file)
    })
    .await;
    let plan = match outcome {
        Ok(plan) => plan,
        Err(e) => return refused(&state, &admin, e, file_anchor, HashMap::new()).await,
    };
    // What the import did, shown by the page after the redirect (F5 does not import again).
    let counts = Imported {
        created: plan.created.len(),
        updated: plan.updated.len(),
        unchanged: plan.unchanged.len(),
        mappings: plan.mappings_created.len(),
    };
    Ok(see_other(&format!(
        "/admin/units?done=imported&{}",
        counts.query()
    )))
}

/// The tree file of an import form: present, at most 64 KiB, JSON (by its name or its first
/// character; it must parse) or else CSV.
fn tree_file(parts: &Parts) -> Result<TreeFile, ApiError> {
    let file_error = |code, vi: String, en: String| {
        ApiError::validation(vec![FieldError::new("file", code, vi, en)])
    };
    let (bytes, name) = match parts.get("file") {
        Some(p) if !p.data.is_empty() => (p.data.clone(), p.filename.clone().unwrap_or_default()),
        _ => {
            return Err(file_error(
                "required",
                "Hãy chọn một tệp CSV hoặc JSON.".into(),
                "Choose a CSV or JSON file.".into(),
            ))
        }
    };
    if bytes.len() > BODY_LIMIT {
        return Err(file_error(
            "too_large",
            "Tệp lớn hơn 64 KiB.".into(),
            "The file is larger than 64 KiB.".into(),
        ));
    }
    let is_json = name.to_ascii_lowercase().ends_with(".json")
        || bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace() && **b != 0xEF && **b != 0xBB && **b != 0xBF)
            .is_some_and(|b| *b == b'{');
    if !is_json {
        return Ok(TreeFile::Csv(bytes));
    }
    match serde_json::from_slice::<ImportRequest>(&bytes) {
        Ok(request) => Ok(TreeFile::Json(request)),
        Err(e) => Err(file_error(
            "malformed_json",
            format!(
                "Tệp JSON không đọc được ở dòng {}, cột {}: hãy kiểm tra dấu ngoặc, dấu phẩy và ngoặc kép.",
                e.line(),
                e.column()
            ),
            format!("The JSON file does not parse (line {}): {e}", e.line()),
        )),
    }
}

/// Adds an old → new mapping (admin; form with `csrf`, `old`, `new`, `effective`).
#[utoipa::path(
    tag = "admin",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, old, new, effective (YYYY-MM-DD)"),
    responses(
        (status = 303, description = "to /admin/units (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 422, content_type = "text/html", description = "the page with the problems")
    )
)]
#[post("/admin/units/mappings")]
pub async fn mapping_create(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) = match admin_form(&req, &state, payload, "unit_mapping.create").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let anchor = |f: &FieldError| {
        let name = f.field.rsplit('.').next().unwrap_or("old");
        Some(format!("mapping-{name}"))
    };
    let effective = match date_field(field(&fields, "effective"), "Từ ngày", "effective") {
        Ok(d) => d,
        Err(e) => return refused(&state, &admin, e, anchor, HashMap::new()).await,
    };
    let mapping = Mapping {
        old: field(&fields, "old").to_string(),
        new: field(&fields, "new").to_string(),
        effective,
    };
    let (actor, tz) = (client::actor(&req, &state, &admin.staff), state.config.tz);
    let outcome = with_conn(&state, move |conn| {
        actions::add_mappings(conn, &actor, tz, vec![mapping])
    })
    .await;
    match outcome {
        Ok(plan) if plan.mappings_created.is_empty() => {
            Ok(see_other("/admin/units?done=unchanged"))
        }
        Ok(_) => Ok(see_other("/admin/units?done=mapping")),
        Err(e) => refused(&state, &admin, e, anchor, HashMap::new()).await,
    }
}
