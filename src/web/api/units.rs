//! The unit tree: `GET /api/v1/units` (anyone) and its administration (admin) — create, change
//! (rename, move, close, population), import a whole tree (CSV or JSON), and the old → new mappings
//! of reforms. Every change is checked as a whole (`units::admin`) and written in one transaction
//! together with its audit record.

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::administration::units::admin::{
    self, AdminError, Change, MappingChange, Plan, UnitChange,
};
use crate::administration::units::import::{self, ImportRequest};
use crate::administration::units::{Mapping, Unit, UnitSpec};
use crate::domain::FieldError;
use crate::domain::Role;
use crate::store::{mappings, now_utc, units};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{invalid_units, ApiError, ErrorBody};
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
    let entry = client::audit_entry(&req, &state, Some(&staff.0), "unit.create");
    let tz = state.config.tz;
    let plan = with_conn(&state, move |conn| {
        admin::execute(
            conn,
            tz,
            now_utc(),
            |snapshot| {
                if snapshot.units.contains_key(&spec.code) {
                    return Err(AdminError::UnitExists(spec.code.clone()));
                }
                Ok(Change {
                    units: vec![UnitChange::single(spec)],
                    mappings: Vec::new(),
                })
            },
            |plan| {
                let created = plan.created.first();
                entry
                    .target(created.map(|r| r.code.clone()).unwrap_or_default())
                    .detail(created.map(admin::audit_json).unwrap_or_default())
            },
        )
    })
    .await?;
    let created = plan
        .created
        .into_iter()
        .next()
        .ok_or_else(ApiError::internal)?;
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
    /// Population the unit serves (METHOD.md §6, sample adequacy); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub population: Option<Option<i64>>,
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
    if body
        .population
        .flatten()
        .is_some_and(|p| p <= 0 || p > 1_000_000_000)
    {
        return Err(invalid_units(vec![FieldError::new(
            "population",
            "out_of_range",
            "Dân số phải là số nguyên dương.",
            "population must be a positive whole number.",
        )]));
    }
    let code = path.into_inner();
    let entry = client::audit_entry(&req, &state, Some(&staff.0), "unit.update").target(&code);
    let tz = state.config.tz;
    with_conn(&state, move |conn| {
        admin::execute(
            conn,
            tz,
            now_utc(),
            |snapshot| {
                let Some(row) = snapshot.units.get(&code) else {
                    return Err(AdminError::UnknownUnit(code.clone()));
                };
                let spec = UnitSpec {
                    code: row.code.clone(),
                    name: body.name.unwrap_or_else(|| row.name.clone()),
                    level: body.level.unwrap_or_else(|| row.level.clone()),
                    parent: body.parent.unwrap_or_else(|| row.parent.clone()),
                    valid_from: body.valid_from.unwrap_or(row.valid_from),
                    valid_to: body.valid_to.unwrap_or(row.valid_to),
                };
                Ok(Change {
                    units: vec![UnitChange {
                        population: body.population,
                        ..UnitChange::single(spec)
                    }],
                    mappings: Vec::new(),
                })
            },
            |plan| {
                entry.detail(match plan.updated.first() {
                    Some((before, after)) => json!({
                        "before": admin::audit_json(before),
                        "after": admin::audit_json(after),
                    }),
                    None => json!({"unchanged": true}),
                })
            },
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    /// Codes of the units created.
    pub created: Vec<String>,
    /// Codes of the units changed (name, level, parent or validity).
    pub updated: Vec<String>,
    /// How many listed units were already exactly so.
    pub unchanged: usize,
    pub mappings_created: Vec<Mapping>,
    /// How many listed mappings were stored already.
    pub mappings_unchanged: usize,
}

impl From<&Plan> for ImportOut {
    fn from(plan: &Plan) -> Self {
        ImportOut {
            created: plan.created.iter().map(|r| r.code.clone()).collect(),
            updated: plan.updated.iter().map(|(_, a)| a.code.clone()).collect(),
            unchanged: plan.unchanged.len(),
            mappings_created: plan.mappings_created.clone(),
            mappings_unchanged: plan.mappings_unchanged,
        }
    }
}

fn media_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
}

fn empty_change() -> ApiError {
    invalid_units(vec![FieldError::new(
        "units",
        "required",
        "Không có đơn vị hay ánh xạ nào để nhập.",
        "There are no units or mappings to import.",
    )])
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
    let (format, change) = match media_type(&req).as_deref() {
        Some("text/csv") => {
            let body = read_body(&req, payload, "text/csv").await?;
            ("csv", import::parse_csv(&body).map_err(invalid_units)?)
        }
        Some("application/json") => {
            let body: ImportRequest = read_json(&req, payload).await?;
            ("json", body.into_change())
        }
        _ => {
            return Err(ApiError::unsupported_media_type(
                "application/json or text/csv",
            ))
        }
    };
    if change.units.is_empty() && change.mappings.is_empty() {
        return Err(empty_change());
    }
    let entry = client::audit_entry(&req, &state, Some(&staff.0), "units.import");
    let tz = state.config.tz;
    let plan = with_conn(&state, move |conn| {
        admin::execute(
            conn,
            tz,
            now_utc(),
            |_| Ok(change),
            |plan| {
                let mut detail = serde_json::to_value(ImportOut::from(plan)).unwrap_or_default();
                detail["format"] = json!(format);
                entry.detail(detail)
            },
        )
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
    if body.is_empty() {
        return Err(invalid_units(vec![FieldError::new(
            "mappings",
            "required",
            "Không có ánh xạ nào.",
            "There are no mappings.",
        )]));
    }
    let change = Change {
        units: Vec::new(),
        mappings: body
            .into_iter()
            .enumerate()
            .map(|(i, mapping)| MappingChange {
                label: format!("mappings[{i}]"),
                line: None,
                mapping,
            })
            .collect(),
    };
    let entry = client::audit_entry(&req, &state, Some(&staff.0), "unit_mapping.create");
    let tz = state.config.tz;
    let plan = with_conn(&state, move |conn| {
        admin::execute(
            conn,
            tz,
            now_utc(),
            |_| Ok(change),
            |plan| {
                let olds: Vec<&str> = plan
                    .mappings_created
                    .iter()
                    .map(|m| m.old.as_str())
                    .collect();
                entry.target(olds.join(",")).detail(json!({
                    "created": plan.mappings_created,
                    "unchanged": plan.mappings_unchanged,
                }))
            },
        )
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
