//! The unit tree: `GET /api/v1/units` (anyone) and its administration (admin) — create, change
//! (rename, move, close, population), import a whole tree (CSV or JSON), and the old → new mappings
//! of reforms: each calls its action in `service::units` (checked as a whole, written in one
//! transaction together with its audit record).

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::administration::units::import::{ImportOut, ImportRequest};
use crate::administration::units::{Mapping, Unit, UnitSpec};
use crate::domain::Role;
use crate::service::units::{self as actions, TreeFile, UnitEdit};
use crate::store::{mappings, units};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_body, read_json, StaffUser};
use crate::web::state::AppState;

fn today(state: &AppState) -> NaiveDate {
    crate::reporting::reports::today(state.config.tz)
}

/// The unit tree, every unit with its parent and validity dates.
#[utoipa::path(tag = "units", responses((status = 200, body = [Unit]), (status = 503, body = ErrorBody)))]
#[get("/units")]
pub async fn list_units(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = with_conn(&state, units::list).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Unit::from).collect::<Vec<_>>()))
}

/// A new unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    /// Stable identifier: 1–64 characters `a-z`, `0-9`, `-`; never reused.
    pub code: String,
    pub name: String,
    /// `tinh`, `huyen`, `xa` or `mot_cua`.
    pub level: String,
    /// The parent's code (it must exist on `valid_from`); absent or `null` for a root.
    #[serde(default)]
    pub parent: Option<String>,
    /// First day of existence; default today (local date).
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
}

/// Creates a unit (admin).
#[utoipa::path(
    tag = "units",
    request_body(content = NewUnit, content_type = "application/json"),
    responses(
        (status = 201, body = Unit),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "unit_exists"),
        (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: code, name, level, parent (unknown, not open on valid_from)")
    ),
    security(("bearer" = []))
)]
#[post("/units")]
pub async fn create_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    client::require_role(&req, &state, &staff.0, &[Role::Admin], "unit.create").await?;
    let body: NewUnit = read_json(&req, payload).await?;
    let spec = UnitSpec {
        code: body.code,
        name: body.name,
        level: body.level,
        parent: body.parent,
        valid_from: body.valid_from.unwrap_or_else(|| today(&state)),
        valid_to: None,
    };
    let (actor, tz) = (client::actor(&req, &state, &staff.0), state.config.tz);
    let created = with_conn(&state, move |conn| {
        actions::create_unit(conn, &actor, tz, spec)
    })
    .await?;
    Ok(HttpResponse::Created().json(Unit::from(created)))
}

/// `Some(value)` for a field that is present (`null` included), `None` (default) when absent.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Admin changes to a unit; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    /// A new name (stored NFC-normalised).
    #[serde(default)]
    pub name: Option<String>,
    /// `tinh`, `huyen`, `xa` or `mot_cua`.
    #[serde(default)]
    pub level: Option<String>,
    /// Move under another unit (it must exist on the unit's `valid_from`); `null`: a root.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub parent: Option<Option<String>>,
    /// First day of existence (responses must not predate it).
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// Close the unit: the first day on which it no longer exists (exclusive; after `valid_from`;
    /// its children must be closed by then; no response on or after it). `null` reopens it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_to: Option<Option<NaiveDate>>,
    /// Population the unit serves (docs/method.md §10, sample adequacy); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub population: Option<Option<i64>>,
}

impl From<UnitPatch> for UnitEdit {
    fn from(patch: UnitPatch) -> Self {
        UnitEdit {
            name: patch.name,
            level: patch.level,
            parent: patch.parent,
            valid_from: patch.valid_from,
            valid_to: patch.valid_to,
            population: patch.population,
        }
    }
}

/// Changes a unit (admin): rename, move, close (`valid_to`), population. The code never changes.
#[utoipa::path(
    tag = "units",
    params(("code" = String, Path, description = "Unit code")),
    request_body(content = UnitPatch, content_type = "application/json"),
    responses(
        (status = 204, description = "changed (or already so)"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_unit"), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: e.g. valid_to open_children, parent parent_not_open, valid_to responses_after")
    ),
    security(("bearer" = []))
)]
#[patch("/units/{code}")]
pub async fn patch_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    client::require_role(&req, &state, &staff.0, &[Role::Admin], "unit.update").await?;
    let body: UnitPatch = read_json(&req, payload).await?;
    let code = path.into_inner();
    let (actor, tz) = (client::actor(&req, &state, &staff.0), state.config.tz);
    with_conn(&state, move |conn| {
        actions::update_unit(conn, &actor, tz, code, body.into())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn media_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
}

/// Imports a whole tree (admin): units are created or updated by code (name, level, parent,
/// validity; units not listed, and populations, stay as they are; nothing is ever deleted) and
/// mappings added. Everything is checked first — every problem listed (`units[3].parent`, CSV
/// line numbers in the messages) — then written in one transaction, or nothing is. Importing the
/// same file again changes nothing.
///
/// CSV (`text/csv`, UTF-8): header `code,name,level,parent,valid_from,valid_to`, optionally
/// `replaces` (old unit codes separated by `;` that the row's unit takes over from its
/// `valid_from`). JSON: `{"units": [{code, name, level, parent, valid_from, valid_to}],
/// "mappings": [{old, new, effective}]}`.
#[utoipa::path(
    tag = "units",
    request_body(
        content((ImportRequest = "application/json"), (String = "text/csv")),
        description = "The tree as JSON, or as CSV with the header `code,name,level,parent,valid_from,valid_to[,replaces]`"
    ),
    responses(
        (status = 200, body = ImportOut),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: every problem, nothing written")
    ),
    security(("bearer" = []))
)]
#[post("/units/import")]
pub async fn import_units(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    client::require_role(&req, &state, &staff.0, &[Role::Admin], "units.import").await?;
    let file = match media_type(&req).as_deref() {
        Some("text/csv") => TreeFile::Csv(read_body(&req, payload, "text/csv").await?.to_vec()),
        Some("application/json") => TreeFile::Json(read_json(&req, payload).await?),
        _ => {
            return Err(ApiError::unsupported_media_type(
                "application/json or text/csv",
            ))
        }
    };
    let (actor, tz) = (client::actor(&req, &state, &staff.0), state.config.tz);
    let plan = with_conn(&state, move |conn| {
        actions::import_tree(conn, &actor, tz, file)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ImportOut::from(&plan)))
}

/// The old → new mappings of reforms, by old code. Reports with `tree=current` count an old
/// unit's responses for the end of its chain of successors.
#[utoipa::path(
    tag = "units",
    responses((status = 200, body = [Mapping]), (status = 503, body = ErrorBody))
)]
#[get("/units/mappings")]
pub async fn list_mappings(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = with_conn(&state, mappings::list).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Mapping::from).collect::<Vec<_>>()))
}

/// What adding mappings did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MappingsOut {
    pub created: Vec<Mapping>,
    /// How many were stored already.
    pub unchanged: usize,
}

/// Adds old → new mappings (admin): the old unit is closed by `effective`, the new one exists on
/// `effective`, one successor per old unit, no cycles. A mapping stored already is no change (200);
/// otherwise 201.
#[utoipa::path(
    tag = "units",
    request_body(content = Vec<Mapping>, content_type = "application/json"),
    responses(
        (status = 201, body = MappingsOut), (status = 200, body = MappingsOut, description = "all stored already"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: mappings[i].old/new (unknown_unit, old_not_closed, new_not_open, already_mapped, duplicate, cycle)")
    ),
    security(("bearer" = []))
)]
#[post("/units/mappings")]
pub async fn create_mappings(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    client::require_role(
        &req,
        &state,
        &staff.0,
        &[Role::Admin],
        "unit_mapping.create",
    )
    .await?;
    let body: Vec<Mapping> = read_json(&req, payload).await?;
    let (actor, tz) = (client::actor(&req, &state, &staff.0), state.config.tz);
    let plan = with_conn(&state, move |conn| {
        actions::add_mappings(conn, &actor, tz, body)
    })
    .await?;
    let out = MappingsOut {
        unchanged: plan.mappings_unchanged,
        created: plan.mappings_created,
    };
    Ok(if out.created.is_empty() {
        HttpResponse::Ok().json(out)
    } else {
        HttpResponse::Created().json(out)
    })
}
