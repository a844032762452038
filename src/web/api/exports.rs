//! `GET /api/v1/exports/{form_id}.{csv|xlsx|parquet}`: the responses of a selection as a file
//! (the formats and how memory behaves: `crate::reporting::exports`).
//!
//! The selection is the report's: `unit` (default the root; a unit's whole subtree), `from`, `to`
//! (local dates, `to` exclusive). The route is `/exports/{file}` with `file` = `{form_id}.{ext}`
//! split here (an unknown extension is 404 `not_found`): one parameter per path segment keeps the
//! OpenAPI description simple for clients. `group_by` and `period` do not apply to a file of responses and
//! are refused (400 `bad_query`) rather than silently ignored. `labels=1` adds a second header row
//! of Vietnamese labels to the CSV (the XLSX always has them in its `Câu hỏi` sheet).
//!
//! Every error (auth, unknown format, form or unit, bad query) is answered before the first byte
//! of the file: the selection is loaded first. CSV is then generated chunk by chunk while it is
//! sent; XLSX and Parquet are written to an anonymous temporary file (removed when the download
//! ends or fails) and sent from it with a `Content-Length`. The blocking work (database, writing,
//! reading the file) runs on the blocking pool, never on the async workers. The first byte of an
//! XLSX therefore comes only once the file is written: ~26 s for a million responses (measured,
//! release build), which a reverse proxy's read timeout must allow.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{get, HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono_tz::Tz;
use futures_util::Stream;
use polars::prelude::DataFrame;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::Role;
use crate::forms::LoadedForm;
use crate::reporting::analytics;
use crate::reporting::exports::csv::CsvChunks;
use crate::reporting::exports::{self, ExportError, Format, Table};
use crate::reporting::reports::{self, RawReportQuery, ReportQuery, Scope, TreeKind};
use crate::service::reporting::{self, ExportSelection};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::StaffUser;
use crate::web::state::AppState;

/// The query of an export.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Unit code; default: the root of the tree. A unit exports all responses of its subtree.
    pub unit: Option<String>,
    /// First local date (YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    /// Last local date (YYYY-MM-DD), exclusive.
    pub to: Option<String>,
    /// CSV only: `1` (or `true`) adds a second header row with the Vietnamese labels.
    pub labels: Option<String>,
    /// `as_given` (default): the unit each response was given to. `current`: today's tree — the
    /// selection's `unit` is a unit of today's tree, and the `unit` column holds each response's
    /// unit in today's tree (through the old → new mappings of reforms).
    pub tree: Option<String>,
    /// Not accepted (400): an export is one row per response.
    #[param(ignore)]
    pub group_by: Option<String>,
    /// Not accepted (400): an export is one row per response.
    #[param(ignore)]
    pub period: Option<String>,
}

/// The file (binary).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ExportFile(pub Vec<u8>);

impl ExportQuery {
    fn labels(&self) -> Result<bool, ApiError> {
        match self.labels.as_deref() {
            None | Some("") | Some("0") | Some("false") => Ok(false),
            Some("1") | Some("true") => Ok(true),
            Some(other) => Err(ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "bad_query",
                format!("Tham số truy vấn không hợp lệ: labels phải là 1 hoặc 0, không phải \"{other}\""),
                format!("Invalid query: labels must be 1 or 0, not \"{other}\""),
            )),
        }
    }

    fn selection(&self) -> Result<RawReportQuery, ApiError> {
        for (name, value) in [("group_by", &self.group_by), ("period", &self.period)] {
            if value.as_deref().is_some_and(|v| !v.is_empty()) {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::BAD_REQUEST,
                    "bad_query",
                    format!("Tham số truy vấn không hợp lệ: {name} không dùng cho tệp xuất (mỗi dòng một phiếu); hãy dùng báo cáo để xem theo nhóm"),
                    format!("Invalid query: {name} does not apply to exports (one row per response); use the report for groups"),
                ));
            }
        }
        Ok(RawReportQuery {
            unit: self.unit.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            group_by: None,
            period: None,
        })
    }
}

/// Bytes read from a file per chunk sent.
const FILE_CHUNK: usize = 256 * 1024;

/// Sends the chunks of a blocking iterator, producing each on the blocking pool when the
/// previous one has been taken (so a slow client holds back production instead of buffering).
fn blocking_stream<I>(chunks: I) -> impl Stream<Item = Result<Bytes, io::Error>>
where
    I: Iterator<Item = io::Result<Vec<u8>>> + Send + 'static,
{
    futures_util::stream::unfold(Some(chunks), |state| async move {
        let mut chunks = state?;
        match web::block(move || (chunks.next(), chunks)).await {
            Ok((Some(Ok(chunk)), chunks)) => Some((Ok(Bytes::from(chunk)), Some(chunks))),
            Ok((Some(Err(e)), _)) => {
                tracing::error!(error = %e, "export stream failed");
                Some((Err(e), None))
            }
            Ok((None, _)) => None,
            Err(e) => {
                tracing::error!(error = %e, "export stream failed");
                Some((Err(io::Error::other(e.to_string())), None))
            }
        }
    })
}

/// A file from its start, in [`FILE_CHUNK`] pieces.
struct FileChunks(std::fs::File);

impl Iterator for FileChunks {
    type Item = io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<io::Result<Vec<u8>>> {
        let mut buf = Vec::with_capacity(FILE_CHUNK);
        match (&mut self.0).take(FILE_CHUNK as u64).read_to_end(&mut buf) {
            Ok(0) => None,
            Ok(_) => Some(Ok(buf)),
            Err(e) => Some(Err(e)),
        }
    }
}

/// Writes a file with `write` into an anonymous temporary file; returns it rewound, and its size.
fn to_temp_file(
    write: impl FnOnce(&mut std::fs::File) -> Result<(), ExportError>,
) -> Result<(std::fs::File, u64), ExportError> {
    let mut file = tempfile::tempfile()?;
    write(&mut file)?;
    let size = file.stream_position()?;
    file.seek(SeekFrom::Start(0))?;
    Ok((file, size))
}

/// The responses of a selection as a CSV, XLSX or Parquet file (analyst, admin).
///
/// One row per response — `id`, `unit`, `channel`, `submitted_at` (local time with offset, RFC
/// 3339), then one column per question code in form order; empty where not answered. CSV: UTF-8
/// with BOM, one header row of codes (`labels=1`: a second row of Vietnamese labels), comments
/// that begin like a formula (`=`, `+`, `-`, `@`) prefixed with `'`. XLSX: sheets `Phiếu trả lời`
/// (responses), `Chỉ số` (the index table of the selection) and `Câu hỏi` (codes and labels); at
/// most 1,048,575 responses. Parquet: the same columns, ratings as Int8. `group_by` and `period`
/// are refused (400). An empty selection gives a file with the header only.
#[utoipa::path(
    tag = "exports",
    params(
        ("file" = String, Path, description = "`{form_id}.{format}`, format `csv`, `xlsx` or `parquet`, e.g. `sipas-dich-vu.csv`"),
        ExportQuery
    ),
    responses(
        (status = 200, description = "The file, as an attachment named `{form_id}_{unit}_{from}_{to}.{format}` (`all` where not limited)",
            content(
                (String = "text/csv; charset=utf-8"),
                (inline(ExportFile) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (inline(ExportFile) = "application/vnd.apache.parquet")
            ),
            headers(("Content-Disposition" = String, description = "attachment; filename=\"…\""))
        ),
        (status = 400, body = ErrorBody, description = "bad_query: bad date, group_by or period given, labels not 0/1, more rows than XLSX holds"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "not_found (unknown format), unknown_form, unknown_unit")
    ),
    security(("bearer" = []))
)]
#[get("/exports/{file}")]
pub async fn get_export(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ExportQuery>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    client::require_role(
        &req,
        &state,
        &staff.0,
        &[Role::Analyst, Role::Admin],
        "export",
    )
    .await?;
    let (form_id, format) = export_file(&path)?;
    let loaded = state
        .forms
        .get(&form_id)
        .ok_or_else(|| ApiError::unknown_form(&form_id))?;
    let labels = query.labels()?;
    let parsed = query.selection()?.parse(&loaded.form)?;
    let tree_kind = TreeKind::parse(query.tree.as_deref())?;
    let tz = state.config.tz;
    let actor = client::actor(&req, &state, &staff.0);
    let form = loaded.clone();
    // Recorded before the first byte; no record, no file.
    let ExportSelection {
        frame,
        query: parsed,
        scope,
    } = with_conn(&state, move |conn| {
        let file = (format.extension(), labels);
        reporting::export_selection(conn, &actor, tz, &form.form, parsed, tree_kind, file)
    })
    .await?;
    let mut response = attachment(&loaded.form.id, &parsed, format);
    let form = loaded.clone();
    let (file, size) = match format {
        Format::Csv => {
            let table = csv_table(frame, form, tz).await?;
            let chunks = CsvChunks::new(table, labels).map(Ok);
            return Ok(response.streaming(blocking_stream(chunks)));
        }
        Format::Xlsx => xlsx_file(frame, form, parsed, scope, tz).await?,
        Format::Parquet => parquet_file(frame, form, tz).await?,
    };
    // Already compressed: the Compress middleware leaves a response with an encoding alone.
    response.insert_header((header::CONTENT_ENCODING, "identity"));
    response.no_chunking(size);
    Ok(response.streaming(blocking_stream(FileChunks(file))))
}

/// The form id and format of `{form_id}.{ext}` (404 `not_found` for an unknown extension).
fn export_file(path: &str) -> Result<(String, Format), ApiError> {
    path.rsplit_once('.')
        .and_then(|(form, ext)| Some((form.to_string(), Format::from_extension(ext)?)))
        .ok_or_else(ApiError::not_found)
}

/// The 200 of a download: content type, attachment name, not stored.
fn attachment(form_id: &str, parsed: &ReportQuery, format: Format) -> HttpResponseBuilder {
    let file_name = exports::file_name(
        form_id,
        parsed.unit.as_deref(),
        parsed.from.map(|d| d.to_string()).as_deref(),
        parsed.to.map(|d| d.to_string()).as_deref(),
        format,
    );
    let mut response = HttpResponse::Ok();
    response
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

/// The table of a CSV export, the frame freed once it is made (on the blocking pool).
async fn csv_table(frame: DataFrame, form: Arc<LoadedForm>, tz: Tz) -> Result<Table, ApiError> {
    let table = web::block(move || {
        let table = Table::new(&frame, &form.form, tz);
        drop(frame);
        crate::platform::memory::release_freed();
        table
    })
    .await??;
    Ok(table)
}

/// The XLSX export (responses, the selection's index table, questions) in a temporary file.
async fn xlsx_file(
    frame: DataFrame,
    form: Arc<LoadedForm>,
    parsed: ReportQuery,
    scope: Scope,
    tz: Tz,
) -> Result<(std::fs::File, u64), ApiError> {
    let written = web::block(move || {
        let table = Table::new(&frame, &form.form, tz)?;
        let results = analytics::compute(&frame, &form.form)?;
        let report = reports::assemble_in(&form.form, &parsed, &scope, table.len() as u64, results);
        drop(frame);
        let written = to_temp_file(|file| exports::xlsx::write(&table, &form.form, &report, file));
        drop(table);
        crate::platform::memory::release_freed();
        written
    })
    .await??;
    Ok(written)
}

/// The Parquet export in a temporary file.
async fn parquet_file(
    frame: DataFrame,
    form: Arc<LoadedForm>,
    tz: Tz,
) -> Result<(std::fs::File, u64), ApiError> {
    let written = web::block(move || {
        let table = Table::new(&frame, &form.form, tz)?;
        drop(frame);
        let written = to_temp_file(|file| exports::parquet::write(&table, file).map(drop));
        drop(table);
        crate::platform::memory::release_freed();
        written
    })
    .await??;
    Ok(written)
}
