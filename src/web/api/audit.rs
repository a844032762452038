//! The audit log for administrators: `GET /api/v1/audit` (JSON pages, newest first) and
//! `GET /api/v1/audit.csv` (every matching record, streamed). Reading the export is itself
//! recorded (`audit.export`). There is no route that changes a record: the table is append-only
//! (the database refuses UPDATE and DELETE).

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{get, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use crate::domain::Role;
use crate::web::db::with_conn;

use crate::reporting::exports::csv::{starts_like_formula, BOM};
use crate::reporting::reports::load::local_midnight_utc;
use crate::store::audit::{self as store_audit, AuditFilter};
use crate::store::models::AuditRow;

use crate::web::client;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::StaffUser;
use crate::web::state::AppState;

/// Records per page when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 100;
/// Most records per page.
pub const MAX_LIMIT: i64 = 1000;
/// Records read from the database per CSV chunk.
const CSV_PAGE: i64 = 1000;

/// Which records: every filter is optional and they combine.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// First local date (YYYY-MM-DD, in `SIPAS_TZ`), inclusive.
    pub from: Option<String>,
    /// Last local date (YYYY-MM-DD), exclusive.
    pub to: Option<String>,
    /// Exact action, e.g. `export`, `login`, `kiosk.create`.
    pub action: Option<String>,
    /// Exact username.
    pub actor: Option<String>,
    /// Only records with a smaller id: the `next_before_id` of the previous page.
    #[param(value_type = Option<i64>)]
    pub before_id: Option<String>,
    /// Records per page, 1–1000 (default 100). Not for the CSV, which holds every match.
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn date(name: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    value
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                ApiError::bad_query(format!("{name} must be a date YYYY-MM-DD, not \"{v}\""))
            })
        })
        .transpose()
}

impl AuditQuery {
    /// The database filter; dates are local days in `tz`, `to` exclusive.
    pub fn filter(&self, tz: chrono_tz::Tz) -> Result<AuditFilter, ApiError> {
        let from = date("from", given(&self.from))?;
        let to = date("to", given(&self.to))?;
        if let (Some(f), Some(t)) = (from, to) {
            if f >= t {
                return Err(ApiError::bad_query(format!(
                    "from ({f}) must be before to ({t}); to is exclusive"
                )));
            }
        }
        let before_id = given(&self.before_id)
            .map(|v| {
                v.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    ApiError::bad_query(format!("before_id must be a record id, not \"{v}\""))
                })
            })
            .transpose()?;
        let limit = match given(&self.limit) {
            None => DEFAULT_LIMIT,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_query(format!(
                        "limit must be a number from 1 to {MAX_LIMIT}, not \"{v}\""
                    ))
                })?,
        };
        Ok(AuditFilter {
            from: from.map(|d| local_midnight_utc(d, tz)),
            to: to.map(|d| local_midnight_utc(d, tz)),
            action: given(&self.action).map(str::to_string),
            actor: given(&self.actor).map(str::to_string),
            before_id,
            limit,
        })
    }

    /// The filters as given, for the record of an export.
    fn as_detail(&self) -> Value {
        json!({
            "from": given(&self.from),
            "to": given(&self.to),
            "action": given(&self.action),
            "actor": given(&self.actor),
            "before_id": given(&self.before_id),
        })
    }
}

/// One audit record.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    /// When, as local time in `SIPAS_TZ` with its offset (RFC 3339).
    pub at: String,
    /// Username (for a failed login: the name tried); null for the service itself.
    pub actor: Option<String>,
    pub role: Option<String>,
    /// Dotted verb: `login`, `export`, `report`, `chart`, `qr_sheet`, `kiosk.create`, …
    pub action: String,
    /// What it was done to: a form id, a kiosk id, a unit code, a username.
    pub target: Option<String>,
    /// `ok`, `denied` or `failed`.
    pub outcome: String,
    /// Parameters of the action (filters, counts); never a secret token.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<Value>,
    /// Keyed hash of the client address; the key changes every day and is kept in memory only,
    /// so hashes compare within one day of one run and are never an address.
    pub address_hash: Option<String>,
}

fn local_time(at: chrono::NaiveDateTime, tz: chrono_tz::Tz) -> String {
    at.and_utc()
        .with_timezone(&tz)
        .fixed_offset()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

impl AuditRecord {
    fn new(row: AuditRow, tz: chrono_tz::Tz) -> Self {
        AuditRecord {
            id: row.id,
            at: local_time(row.at, tz),
            actor: row.actor,
            role: row.role,
            action: row.action,
            target: row.target,
            outcome: row.outcome,
            detail: row
                .detail
                .map(|d| serde_json::from_str(&d).unwrap_or(Value::String(d))),
            address_hash: row.address_hash,
        }
    }
}

/// A page of records, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub records: Vec<AuditRecord>,
    /// Pass as `before_id` for the next (older) page; null on the last page.
    pub next_before_id: Option<i64>,
}

/// Audit records, newest first (admin): logins, exports, report and chart downloads, QR sheets,
/// administrative changes, refusals. Page backwards with `before_id`.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 400, body = ErrorBody, description = "bad_query: bad date, from not before to, bad before_id, limit not 1–1000"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
#[get("/audit")]
pub async fn list_audit(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    crate::web::client::require_role(&req, &state, &staff.0, &[Role::Admin], "audit.read").await?;
    let mut filter = query.filter(state.config.tz)?;
    let limit = filter.limit;
    // One more than asked: whether there is a next page.
    filter.limit = limit + 1;
    let mut rows = with_conn(&state, move |conn| store_audit::list(conn, &filter)).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_before_id = more.then(|| rows.last().map(|r| r.id)).flatten();
    let tz = state.config.tz;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(AuditPage {
            records: rows.into_iter().map(|r| AuditRecord::new(r, tz)).collect(),
            next_before_id,
        }))
}

/// The CSV columns.
const CSV_HEADER: [&str; 9] = [
    "id",
    "at",
    "actor",
    "role",
    "action",
    "target",
    "outcome",
    "detail",
    "address_hash",
];

/// RFC 4180 field; text a spreadsheet would run as a formula gets a leading `'` (as in the
/// response exports).
fn write_field(out: &mut Vec<u8>, field: &str) {
    let guarded;
    let field = if starts_like_formula(field) {
        guarded = format!("'{field}");
        guarded.as_str()
    } else {
        field
    };
    if field.contains([',', '"', '\r', '\n']) {
        out.push(b'"');
        out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

fn write_record<'a>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_field(out, field);
    }
    out.extend_from_slice(b"\r\n");
}

fn csv_rows(rows: &[AuditRow], tz: chrono_tz::Tz) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 200);
    for row in rows {
        let (id, at) = (row.id.to_string(), local_time(row.at, tz));
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let fields = [
            id,
            at,
            text(&row.actor),
            text(&row.role),
            row.action.clone(),
            text(&row.target),
            row.outcome.clone(),
            text(&row.detail),
            text(&row.address_hash),
        ];
        write_record(&mut out, fields.iter().map(String::as_str));
    }
    out
}

/// Every matching record as CSV (admin), newest first: UTF-8 with BOM, a header row, text that
/// begins like a formula prefixed with `'`. Filters as `GET /api/v1/audit` (`limit` ignored).
/// The download is recorded (`audit.export`) before the first byte is sent.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "The records, as an attachment `audit_{from}_{to}.csv` (`all` where not limited)",
            content((String = "text/csv; charset=utf-8"))),
        (status = 400, body = ErrorBody, description = "bad_query"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
#[get("/audit.csv")]
pub async fn export_audit(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    crate::web::client::require_role(&req, &state, &staff.0, &[Role::Admin], "audit.export")
        .await?;
    let mut filter = query.filter(state.config.tz)?;
    filter.limit = CSV_PAGE;
    client::record(
        &state,
        client::audit_entry(&req, &state, Some(&staff.0), "audit.export").detail(query.as_detail()),
    )
    .await?;
    let file_name = format!(
        "audit_{}_{}.csv",
        given(&query.from).unwrap_or("all"),
        given(&query.to).unwrap_or("all")
    );
    let tz = state.config.tz;
    let mut header_row = BOM.to_vec();
    write_record(&mut header_row, CSV_HEADER);
    // The header, then pages of records, each read on the blocking pool when the previous one
    // has been sent; records written meanwhile have larger ids and are not included.
    let first = futures_util::stream::once(async move { Ok(Bytes::from(header_row)) });
    let pages = futures_util::stream::unfold(Some(filter), move |next| {
        let state = state.clone();
        async move {
            let filter = next?;
            let page = filter.clone();
            match with_conn(&state, move |conn| store_audit::list(conn, &page)).await {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let next = (rows.len() as i64 == filter.limit).then(|| AuditFilter {
                        before_id: rows.last().map(|r| r.id),
                        ..filter
                    });
                    Some((Ok(Bytes::from(csv_rows(&rows, tz))), next))
                }
                Err(e) => {
                    tracing::error!(error = %e, "audit export failed");
                    Some((Err(std::io::Error::other(e.to_string())), None))
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(first.chain(pages)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(s: &str) -> String {
        let mut out = Vec::new();
        write_field(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fields_are_quoted_and_guarded() {
        assert_eq!(field("lan"), "lan");
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(
            field(r#"{"unit":"a"}"#),
            r#""{""unit"":""a""}""#,
            "JSON detail is quoted, not guarded"
        );
    }

    #[test]
    fn query_is_checked() {
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let q = |from: &str, to: &str, limit: &str, before: &str| AuditQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            limit: Some(limit.into()),
            before_id: Some(before.into()),
            ..Default::default()
        };
        let f = q("2026-01-01", "2026-01-02", "", "").filter(tz).unwrap();
        assert_eq!(f.limit, DEFAULT_LIMIT);
        // Local midnight in Hà Nội is 17:00 UTC the day before.
        assert_eq!(f.from.unwrap().to_string(), "2025-12-31 17:00:00");
        assert!(q("2026-01-02", "2026-01-01", "", "").filter(tz).is_err());
        assert!(q("2026-13-01", "", "", "").filter(tz).is_err());
        assert!(q("", "", "0", "").filter(tz).is_err());
        assert!(q("", "", "1001", "").filter(tz).is_err());
        assert!(q("", "", "x", "").filter(tz).is_err());
        assert!(q("", "", "1000", "-1").filter(tz).is_err());
        assert_eq!(
            q("", "", "1000", "7").filter(tz).unwrap().before_id,
            Some(7)
        );
    }
}
