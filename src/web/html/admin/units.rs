//! `/admin/units`: the unit tree with its validity — create, rename, close, import a whole tree
//! (CSV or JSON file), and the old → new mappings of a reform. Every change goes through
//! `units::admin::execute`: checked as a whole, written with its audit record in one transaction.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde_json::json;

use super::{
    admin_form, admin_get, admin_multipart, admin_page, csrf_field, error_page, error_summary,
    field, notice, see_other, today, Admin, Problem,
};
use crate::forms::FieldError;
use crate::startup::AppState;
use crate::store::{mappings, now_utc, units};
use crate::units::admin::{self, AdminError, Change, MappingChange, Plan, UnitChange};
use crate::units::import::{self, ImportRequest};
use crate::units::{tree_order, Mapping, Unit, UnitSpec, LEVELS};
use crate::web::api::with_conn;
use crate::web::client;
use crate::web::error::ApiError;
use crate::web::BODY_LIMIT;

/// A tree file of at most 64 KiB, with room for the multipart wrapping and the CSRF field.
const PAGE_BODY_LIMIT: usize = BODY_LIMIT + 8 * 1024;

fn level_label(level: &str) -> &str {
    match level {
        "tinh" => "Tỉnh",
        "huyen" => "Huyện",
        "xa" => "Xã, phường, thị trấn",
        "mot_cua" => "Bộ phận Một cửa",
        other => other,
    }
}

/// The values the forms are filled with, and what to say.
#[derive(Default)]
struct View<'a> {
    problems: Vec<Problem>,
    /// The create form's fields.
    new: HashMap<&'static str, &'a str>,
    done: Option<&'a str>,
    /// What an import did.
    imported: Option<&'a Plan>,
}

fn render(
    status: StatusCode,
    admin: &Admin,
    state: &AppState,
    all: &[Unit],
    maps: &[Mapping],
    view: View<'_>,
) -> HttpResponse {
    let today = today(state);
    let name_of = |code: &str| {
        all.iter()
            .find(|u| u.code == code)
            .map_or_else(|| code.to_string(), |u| u.name.clone())
    };
    let new = |k: &str| view.new.get(k).copied().unwrap_or("");
    let open: Vec<Unit> = all
        .iter()
        .filter(|u| u.is_valid_on(today))
        .cloned()
        .collect();
    let unit_options = |units: &[Unit], selected: &str| -> Markup {
        html! {
            @for (depth, u) in tree_order(units) {
                option value=(u.code) selected[u.code == selected] { ("\u{a0}".repeat(depth * 3)) (u.name) " (" (u.code) ")" }
            }
        }
    };
    let body = html! {
        h1 { "Đơn vị hành chính" }
        p { "Mỗi đơn vị có thời gian hiệu lực [từ ngày, đến ngày): đơn vị không bao giờ bị xoá, vì các phiếu đã trả lời gắn với nó. Sau một đợt sắp xếp đơn vị hành chính, hãy đóng đơn vị cũ, tạo đơn vị mới và thêm ánh xạ cũ → mới để báo cáo tính lại theo cây hiện nay." }
        (error_summary("Chưa thực hiện được", &view.problems))
        (notice(view.done))
        @if let Some(plan) = view.imported {
            div.notice role="status" #import-result {
                p { "Đã nhập: " (plan.created.len()) " đơn vị mới, " (plan.updated.len()) " đơn vị thay đổi, "
                    (plan.unchanged.len()) " đơn vị giữ nguyên, " (plan.mappings_created.len()) " ánh xạ mới." }
            }
        }
        h2 { "Cây đơn vị" }
        div.table-wrap {
            table #unit-table {
                caption { "Mọi đơn vị, kể cả đã đóng, theo cây" }
                thead { tr {
                    th scope="col" { "Đơn vị" }
                    th scope="col" { "Mã" }
                    th scope="col" { "Cấp" }
                    th scope="col" { "Hiệu lực" }
                    th scope="col" { "Đổi tên" }
                    th scope="col" { "Đóng đơn vị" }
                } }
                tbody {
                    @for (depth, u) in tree_order(all) {
                        @let is_open = u.valid_to.is_none_or(|end| today < end);
                        tr id={ "unit-" (u.code) } {
                            th scope="row" { ("\u{a0}".repeat(depth * 3)) (u.name) }
                            td { code { (u.code) } }
                            td { (level_label(&u.level)) }
                            td {
                                "từ " (u.valid_from)
                                @if let Some(end) = u.valid_to { br; "đến " (end) " (không tính ngày này)" }
                                @if !is_open { br; strong { "Đã đóng" } }
                            }
                            td {
                                form.inline method="post" action={ "/admin/units/" (u.code) "/rename" } {
                                    (csrf_field(admin))
                                    label.visually-hidden for={ "name-" (u.code) } { "Tên mới của " (u.name) }
                                    input id={ "name-" (u.code) } type="text" name="name" value=(u.name) required;
                                    button.secondary type="submit" { "Đổi tên" }
                                }
                            }
                            td {
                                @if u.valid_to.is_none() {
                                    form.inline method="post" action={ "/admin/units/" (u.code) "/close" } {
                                        (csrf_field(admin))
                                        label.visually-hidden for={ "close-" (u.code) } { "Ngày đầu tiên " (u.name) " không còn (đóng)" }
                                        input id={ "close-" (u.code) } type="date" name="valid_to" required;
                                        button.secondary type="submit" { "Đóng" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        form.card method="post" action="/admin/units" {
            fieldset {
                legend { "Thêm đơn vị" }
                (csrf_field(admin))
                p {
                    label for="unit-code" { strong { "Mã đơn vị" } }
                    span.hint #unit-code-hint { "1–64 ký tự a-z, 0-9, '-', ví dụ phuoc-son-moi; mã không bao giờ đổi và không dùng lại." }
                    input #unit-code type="text" name="code" value=(new("code")) maxlength="64" pattern="[a-z0-9-]{1,64}" required aria-describedby="unit-code-hint";
                }
                p {
                    label for="unit-name" { strong { "Tên đơn vị" } }
                    input #unit-name type="text" name="name" value=(new("name")) required;
                }
                p {
                    label for="unit-level" { strong { "Cấp" } }
                    select #unit-level name="level" required {
                        @for level in LEVELS {
                            option value=(level) selected[*level == new("level")] { (level_label(level)) }
                        }
                    }
                }
                p {
                    label for="unit-parent" { strong { "Đơn vị cấp trên" } }
                    select #unit-parent name="parent" {
                        option value="" { "— Không có (gốc của cây) —" }
                        (unit_options(&open, new("parent")))
                    }
                }
                p {
                    label for="unit-valid_from" { strong { "Có hiệu lực từ ngày" } }
                    input #unit-valid_from type="date" name="valid_from" value=(if new("valid_from").is_empty() { today.to_string() } else { new("valid_from").to_string() }) required;
                }
                p { button type="submit" { "Thêm đơn vị" } }
            }
        }
        form.card method="post" action="/admin/units/import" enctype="multipart/form-data" {
            fieldset {
                legend { "Nhập cả cây từ tệp (CSV hoặc JSON)" }
                (csrf_field(admin))
                p.hint #file-hint {
                    "CSV (UTF-8): dòng tiêu đề " code { "code,name,level,parent,valid_from,valid_to" } ", có thể thêm cột " code { "replaces" }
                    " (mã các đơn vị cũ mà đơn vị này thay thế từ ngày valid_from, cách nhau bởi ';'). JSON: "
                    code { "{\"units\": [...], \"mappings\": [...]}" } ". Đơn vị được tạo mới hoặc cập nhật theo mã; mọi lỗi được liệt kê và không có gì được lưu nếu còn lỗi. Tối đa 64 KiB."
                }
                p {
                    label for="file" { strong { "Tệp cây đơn vị" } }
                    input #file type="file" name="file" accept=".csv,.json,text/csv,application/json" required aria-describedby="file-hint";
                }
                p { button type="submit" { "Kiểm tra và nhập" } }
            }
        }
        h2 { "Ánh xạ đơn vị cũ → mới" }
        @if maps.is_empty() {
            p { "Chưa có ánh xạ nào." }
        } @else {
            div.table-wrap {
                table #mapping-table {
                    caption { "Đơn vị cũ và đơn vị kế thừa" }
                    thead { tr {
                        th scope="col" { "Đơn vị cũ" }
                        th scope="col" { "Đơn vị mới" }
                        th scope="col" { "Từ ngày" }
                    } }
                    tbody {
                        @for m in maps {
                            tr {
                                th scope="row" { (name_of(&m.old)) " (" code { (m.old) } ")" }
                                td { (name_of(&m.new)) " (" code { (m.new) } ")" }
                                td { (m.effective) }
                            }
                        }
                    }
                }
            }
        }
        form.card method="post" action="/admin/units/mappings" {
            fieldset {
                legend { "Thêm ánh xạ" }
                (csrf_field(admin))
                p.hint { "Đơn vị cũ phải đã đóng trước ngày hiệu lực; đơn vị mới phải đang có hiệu lực vào ngày đó." }
                p {
                    label for="mapping-old" { strong { "Đơn vị cũ" } }
                    select #mapping-old name="old" required {
                        option value="" { "— Chọn —" }
                        (unit_options(all, ""))
                    }
                }
                p {
                    label for="mapping-new" { strong { "Đơn vị mới" } }
                    select #mapping-new name="new" required {
                        option value="" { "— Chọn —" }
                        (unit_options(all, ""))
                    }
                }
                p {
                    label for="mapping-effective" { strong { "Từ ngày" } }
                    input #mapping-effective type="date" name="effective" required;
                }
                p { button type="submit" { "Thêm ánh xạ" } }
            }
        }
    };
    admin_page(status, "Đơn vị", admin, "/admin/units", body)
}

async fn load(state: &web::Data<AppState>) -> Result<(Vec<Unit>, Vec<Mapping>), ApiError> {
    with_conn(state, |conn| {
        let all: Vec<Unit> = units::list(conn)?.into_iter().map(Unit::from).collect();
        let maps: Vec<Mapping> = mappings::list(conn)?
            .into_iter()
            .map(Mapping::from)
            .collect();
        Ok::<_, ApiError>((all, maps))
    })
    .await
}

/// The page again with the problems of a refused change.
async fn refused(
    state: &web::Data<AppState>,
    admin: &Admin,
    e: &ApiError,
    anchor: impl Fn(&FieldError) -> Option<String>,
    new: HashMap<&'static str, &str>,
) -> HttpResponse {
    if e.status.is_server_error() {
        return error_page(e);
    }
    let (all, maps) = match load(state).await {
        Ok(found) => found,
        Err(e) => return error_page(&e),
    };
    let problems = Problem::of(e, anchor);
    render(
        e.status,
        admin,
        state,
        &all,
        &maps,
        View {
            problems,
            new,
            ..View::default()
        },
    )
}

/// The unit tree (admin; session cookie).
#[utoipa::path(
    tag = "admin",
    params(("done" = Option<String>, Query, description = "confirm a change: created, renamed, closed, mapping")),
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
) -> HttpResponse {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let (all, maps) = match load(&state).await {
        Ok(found) => found,
        Err(e) => return error_page(&e),
    };
    let done = match field(&query, "done") {
        "created" => Some("Đã thêm đơn vị."),
        "renamed" => Some("Đã đổi tên đơn vị."),
        "closed" => Some("Đã đóng đơn vị."),
        "mapping" => Some("Đã thêm ánh xạ."),
        "unchanged" => Some("Không có gì thay đổi."),
        _ => None,
    };
    render(
        StatusCode::OK,
        &admin,
        &state,
        &all,
        &maps,
        View {
            done,
            ..View::default()
        },
    )
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
) -> HttpResponse {
    let (admin, fields) = match admin_form(&req, &state, payload, "unit.create").await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let new: HashMap<&'static str, &str> = ["code", "name", "level", "parent", "valid_from"]
        .into_iter()
        .map(|k| (k, field(&fields, k)))
        .collect();
    let anchor = |f: &FieldError| Some(format!("unit-{}", f.field));
    let valid_from = match date_field(new["valid_from"], "Có hiệu lực từ ngày", "valid_from")
    {
        Ok(d) => d,
        Err(e) => return refused(&state, &admin, &e, anchor, new).await,
    };
    let spec = UnitSpec {
        code: new["code"].to_string(),
        name: new["name"].to_string(),
        level: new["level"].to_string(),
        parent: Some(new["parent"].to_string()).filter(|p| !p.is_empty()),
        valid_from,
        valid_to: None,
    };
    let entry = client::audit_entry(&req, &state, Some(&admin.staff), "unit.create");
    let tz = state.config.tz;
    let outcome = with_conn(&state, move |conn| {
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
    .await;
    match outcome {
        Ok(_) => see_other("/admin/units?done=created"),
        Err(e) => refused(&state, &admin, &e, anchor, new).await,
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
) -> HttpResponse {
    let done = match edit {
        Edit::Rename(_) => "renamed",
        Edit::Close(_) => "closed",
    };
    let entry = client::audit_entry(req, state, Some(&admin.staff), "unit.update").target(&code);
    let tz = state.config.tz;
    let outcome = with_conn(state, move |conn| {
        admin::execute(
            conn,
            tz,
            now_utc(),
            |snapshot| {
                let Some(row) = snapshot.units.get(&code) else {
                    return Err(AdminError::UnknownUnit(code.clone()));
                };
                let mut spec = UnitSpec {
                    code: row.code.clone(),
                    name: row.name.clone(),
                    level: row.level.clone(),
                    parent: row.parent.clone(),
                    valid_from: row.valid_from,
                    valid_to: row.valid_to,
                };
                match edit {
                    Edit::Rename(name) => spec.name = name,
                    Edit::Close(end) => spec.valid_to = Some(end),
                }
                Ok(Change {
                    units: vec![UnitChange::single(spec)],
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
    .await;
    match outcome {
        Ok(plan) if plan.is_empty() => see_other("/admin/units?done=unchanged"),
        Ok(_) => see_other(&format!("/admin/units?done={done}")),
        Err(e) if e.status == StatusCode::NOT_FOUND => error_page(&e),
        Err(e) => refused(state, admin, &e, |_| Some(anchor.clone()), HashMap::new()).await,
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
) -> HttpResponse {
    let (admin, fields) = match admin_form(&req, &state, payload, "unit.update").await {
        Ok(found) => found,
        Err(response) => return response,
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
) -> HttpResponse {
    let (admin, fields) = match admin_form(&req, &state, payload, "unit.update").await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let code = path.into_inner();
    let anchor = format!("close-{code}");
    match date_field(field(&fields, "valid_to"), "Ngày đóng", &anchor) {
        Ok(end) => edit_unit(&req, &state, &admin, code, Edit::Close(end), anchor).await,
        Err(e) => refused(&state, &admin, &e, |_| Some(anchor.clone()), HashMap::new()).await,
    }
}

/// Imports a whole tree from a file (admin; `multipart/form-data` with `csrf` and `file`, CSV or
/// JSON as `POST /api/v1/units/import` takes them): what changed, or every problem.
#[utoipa::path(
    tag = "admin",
    request_body(content_type = "multipart/form-data", description = "csrf, file (CSV or JSON)"),
    responses(
        (status = 200, content_type = "text/html", description = "imported: what changed"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 422, content_type = "text/html", description = "every problem; nothing written")
    )
)]
#[post("/admin/units/import")]
pub async fn units_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    let (admin, parts) =
        match admin_multipart(&req, &state, payload, "units.import", PAGE_BODY_LIMIT).await {
            Ok(found) => found,
            Err(response) => return response,
        };
    let file_anchor = |_: &FieldError| Some("file".to_string());
    let (bytes, name) = match parts.get("file") {
        Some(p) if !p.data.is_empty() => (p.data.clone(), p.filename.clone().unwrap_or_default()),
        _ => {
            let e = ApiError::validation(vec![FieldError::new(
                "file",
                "required",
                "Hãy chọn một tệp CSV hoặc JSON.",
                "Choose a CSV or JSON file.",
            )]);
            return refused(&state, &admin, &e, file_anchor, HashMap::new()).await;
        }
    };
    if bytes.len() > BODY_LIMIT {
        let e = ApiError::validation(vec![FieldError::new(
            "file",
            "too_large",
            "Tệp lớn hơn 64 KiB.",
            "The file is larger than 64 KiB.",
        )]);
        return refused(&state, &admin, &e, file_anchor, HashMap::new()).await;
    }
    // JSON by its name or its first character; CSV otherwise.
    let is_json = name.to_ascii_lowercase().ends_with(".json")
        || bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace() && **b != 0xEF && **b != 0xBB && **b != 0xBF)
            .is_some_and(|b| *b == b'{');
    let (format, change) = if is_json {
        match serde_json::from_slice::<ImportRequest>(&bytes) {
            Ok(request) => ("json", request.into_change()),
            Err(e) => {
                let e = ApiError::validation(vec![FieldError::new(
                    "file",
                    "malformed_json",
                    format!("Tệp JSON không đọc được (dòng {}): {e}", e.line()),
                    format!("The JSON file does not parse (line {}): {e}", e.line()),
                )]);
                return refused(&state, &admin, &e, file_anchor, HashMap::new()).await;
            }
        }
    } else {
        match import::parse_csv(&bytes) {
            Ok(change) => ("csv", change),
            Err(fields) => {
                let e = ApiError::validation(fields);
                return refused(&state, &admin, &e, file_anchor, HashMap::new()).await;
            }
        }
    };
    if change.units.is_empty() && change.mappings.is_empty() {
        let e = ApiError::validation(vec![FieldError::new(
            "file",
            "required",
            "Không có đơn vị hay ánh xạ nào để nhập.",
            "There are no units or mappings to import.",
        )]);
        return refused(&state, &admin, &e, file_anchor, HashMap::new()).await;
    }
    let entry = client::audit_entry(&req, &state, Some(&admin.staff), "units.import");
    let tz = state.config.tz;
    let outcome = with_conn(&state, move |conn| {
        admin::execute(
            conn,
            tz,
            now_utc(),
            |_| Ok(change),
            |plan| {
                let mut detail =
                    serde_json::to_value(crate::web::api::units::ImportOut::from(plan))
                        .unwrap_or_default();
                detail["format"] = json!(format);
                entry.detail(detail)
            },
        )
    })
    .await;
    let plan = match outcome {
        Ok(plan) => plan,
        Err(e) => return refused(&state, &admin, &e, file_anchor, HashMap::new()).await,
    };
    let (all, maps) = match load(&state).await {
        Ok(found) => found,
        Err(e) => return error_page(&e),
    };
    render(
        StatusCode::OK,
        &admin,
        &state,
        &all,
        &maps,
        View {
            imported: Some(&plan),
            ..View::default()
        },
    )
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
) -> HttpResponse {
    let (admin, fields) = match admin_form(&req, &state, payload, "unit_mapping.create").await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let anchor = |f: &FieldError| {
        let name = f.field.rsplit('.').next().unwrap_or("old");
        Some(format!("mapping-{name}"))
    };
    let effective = match date_field(field(&fields, "effective"), "Từ ngày", "effective") {
        Ok(d) => d,
        Err(e) => return refused(&state, &admin, &e, anchor, HashMap::new()).await,
    };
    let change = Change {
        units: Vec::new(),
        mappings: vec![MappingChange {
            label: "mappings[0]".into(),
            line: None,
            mapping: Mapping {
                old: field(&fields, "old").to_string(),
                new: field(&fields, "new").to_string(),
                effective,
            },
        }],
    };
    let entry = client::audit_entry(&req, &state, Some(&admin.staff), "unit_mapping.create");
    let tz = state.config.tz;
    let outcome = with_conn(&state, move |conn| {
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
    .await;
    match outcome {
        Ok(plan) if plan.mappings_created.is_empty() => see_other("/admin/units?done=unchanged"),
        Ok(_) => see_other("/admin/units?done=mapping"),
        Err(e) => refused(&state, &admin, &e, anchor, HashMap::new()).await,
    }
}
