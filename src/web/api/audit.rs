//! The audit log for administrators: `GET /api/v1/audit` (JSON pages, newest first) and
//! `GET /api/v1/audit.csv` (every matching record, streamed). Reading the export is itself
//! recorded (`audit.export`). There is no route that changes a record: the table is append-only
//! (the database refuses UPDATE and DELETE).

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{get, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::domain::Role;
use crate::reporting::exports::csv::{self, BOM};
use crate::service::audit::{self, given, Selection};
use crate::store::models::AuditRow;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::StaffUser;
use crate::web::state::AppState;

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

impl From<&AuditQuery> for Selection {
    fn from(q: &AuditQuery) -> Selection {
        Selection {
            from: q.from.clone(),
            to: q.to.clone(),
            action: q.action.clone(),
            actor: q.actor.clone(),
            before_id: q.before_id.clone(),
            limit: q.limit.clone(),
        }
    }
}

/// The acting admin of a request.
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
    client::require_role(&req, &state, &staff.0, &[Role::Admin], "audit.read").await?;
    let (actor, selection) = (
        client::actor(&req, &state, &staff.0),
        Selection::from(&*query),
    );
    let tz = state.config.tz;
    let page = with_conn(&state, move |conn| {
        audit::list(conn, &actor, &selection, tz)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(AuditPage {
            records: page
                .rows
                .into_iter()
                .map(|r| AuditRecord::new(r, tz))
                .collect(),
            next_before_id: page.next_before_id,
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

/// The export's records through the one CSV writer (`reporting::exports::csv`: RFC 4180, text a
/// spreadsheet would run as a formula gets a leading `'`, as in the response exports).
fn write_csv<'a, R, F>(out: &mut Vec<u8>, records: R)
where
    R: IntoIterator<Item = F>,
    F: IntoIterator<Item = &'a str>,
{
    for record in records {
        csv::write_guarded_record(out, record);
    }
}

/// The CSV lines of `rows`, in the columns of [`CSV_HEADER`].
fn csv_rows(rows: &[AuditRow], tz: chrono_tz::Tz) -> Vec<u8> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let records: Vec<[String; 9]> = rows
        .iter()
        .map(|row| {
            [
                row.id.to_string(),
                local_time(row.at, tz),
                text(&row.actor),
                text(&row.role),
                row.action.clone(),
                text(&row.target),
                row.outcome.clone(),
                text(&row.detail),
                text(&row.address_hash),
            ]
        })
        .collect();
    let mut out = Vec::with_capacity(rows.len() * 200);
    write_csv(
        &mut out,
        records.iter().map(|r| r.iter().map(String::as_str)),
    );
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
    client::require_role(&req, &state, &staff.0, &[Role::Admin], "audit.export").await?;
    let (actor, selection) = (
        client::actor(&req, &state, &staff.0),
        Selection::from(&*query),
    );
    let tz = state.config.tz;
    let first_page = with_conn(&state, {
        let actor = actor.clone();
        move |conn| audit::export(conn, &actor, &selection, tz)
    })
    .await?;
    let file_name = format!(
        "audit_{}_{}.csv",
        given(&query.from).unwrap_or("all"),
        given(&query.to).unwrap_or("all")
    );
    let mut header_row = BOM.to_vec();
    write_csv(&mut header_row, [CSV_HEADER]);
    // The header, then pages of records, each read on the blocking pool when the previous one
    // has been sent.
    let first = futures_util::stream::once(async move { Ok(Bytes::from(header_row)) });
    let pages = futures_util::stream::unfold(Some(first_page), move |next| {
        let (state, actor) = (state.clone(), actor.clone());
        async move {
            let filter = next?;
            match with_conn(&state, move |conn| {
                audit::export_page(conn, &actor, &filter)
            })
            .await
            {
                Ok((rows, _)) if rows.is_empty() => None,
                Ok((rows, next)) => Some((Ok(Bytes::from(csv_rows(&rows, tz))), next)),
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
        write_csv(&mut out, [[s]]);
        String::from_utf8(out)
            .unwrap()
            .trim_end_matches("\r\n")
            .to_string()
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
        let mut out = Vec::new();
        write_csv(&mut out, [["a", "b"], ["c", "d"]]);
        assert_eq!(out, b"a,b\r\nc,d\r\n");
    }
}
