//! `/admin/paper`: printing numbered paper sheets (admin, clerk) — choose the form, the unit, how
//! many sheets and whether each is entered twice; the answer is the PDF to download. Below, the
//! batches printed so far, newest first, each downloadable again. The same actions as
//! `/api/v1/paper/batches` (`service::paper::print`).

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::{
    admin_page, already_sent, csrf_field, error_summary, field, local_time, mark_sent, once_field,
    open_units, staff_form, staff_get, today, unit_options, Admin, Gate, Problem,
};
use crate::administration::units::Unit;
use crate::domain::{Role, SheetNumber};
use crate::forms::LoadedForm;
use crate::service::paper::print::{self as actions, PrintRequest, PrintedBatch, MAX_SHEETS};
use crate::store::paper::batches::BatchRow;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::assets::dashboard_css_href;
use crate::web::html::error::PageError;
use crate::web::html::layout::{html_response, page, staff_nav};
use crate::web::paper::paper_forms;
use crate::web::state::AppState;

const TITLE: &str = "In phiếu giấy đánh số";
/// Admins and clerks print.
const PRINTERS: Gate = Gate {
    roles: &[Role::Admin, Role::Clerk],
    refused: "Trang in phiếu giấy dành cho tài khoản quản trị (admin) và văn thư (clerk).",
};

/// The print form's values, as sent (to show them again beside its problems).
struct Choice<'a> {
    form: &'a str,
    unit: &'a str,
    count: &'a str,
    double_entry: bool,
}

const FRESH: Choice<'static> = Choice {
    form: "",
    unit: "",
    count: "",
    double_entry: true,
};

struct Loaded {
    batches: Vec<BatchRow>,
    units: Vec<Unit>,
    all_units: Vec<Unit>,
}

async fn load(
    state: &web::Data<AppState>,
    admin: &Admin,
    req: &HttpRequest,
) -> Result<Loaded, ApiError> {
    let actor = client::actor(req, state, &admin.staff);
    let (batches, all_units) = with_conn(state, move |conn| {
        let batches = actions::list_batches(conn, &actor, None, None)?;
        let units = crate::store::units::list(conn)?;
        Ok::<_, ApiError>((batches, units.into_iter().map(Unit::from).collect()))
    })
    .await?;
    let units = open_units(state).await?;
    Ok(Loaded {
        batches,
        units,
        all_units,
    })
}

fn render(
    status: StatusCode,
    admin: &Admin,
    state: &AppState,
    loaded: &Loaded,
    choice: &Choice<'_>,
    problems: &[Problem],
) -> HttpResponse {
    let forms = paper_forms(state);
    let body = html! {
        h1 { (TITLE) }
        p { "Mỗi phiếu in ra có số phiếu riêng (in bằng chữ và mã QR trên mọi trang), theo thứ tự tiếp nối của đơn vị. Cán bộ nhập phiếu quét hoặc gõ số phiếu này khi nhập." }
        (error_summary("Chưa in được phiếu", problems))
        (print_form(admin, &forms, &loaded.units, choice))
        h2 #batches-title { "Các đợt đã in" }
        (batch_table(state, &forms, &loaded.all_units, &loaded.batches))
    };
    if admin.staff.role == Role::Admin {
        return admin_page(status, TITLE, admin, "/admin/paper", body);
    }
    let body = html! { (staff_nav(&admin.staff, &admin.csrf, "", html! {})) (body) };
    html_response(
        status,
        page(
            &format!("{TITLE} – SIPAS"),
            body,
            Some(dashboard_css_href()),
            None,
        ),
    )
}

fn print_form(
    admin: &Admin,
    forms: &[std::sync::Arc<LoadedForm>],
    units: &[Unit],
    c: &Choice<'_>,
) -> Markup {
    html! {
        form.card method="post" action="/admin/paper" {
            fieldset {
                legend { "In một đợt phiếu" }
                (csrf_field(admin))
                (once_field())
                p {
                    label for="form" { strong { "Phiếu khảo sát" } }
                    select #form name="form" required {
                        @for f in forms {
                            option value=(f.form.id) selected[f.form.id == c.form] { (f.form.title) }
                        }
                    }
                }
                p {
                    label for="unit" { strong { "Đơn vị" } }
                    span.hint #unit-hint { "Tên đơn vị được in trên phiếu; số phiếu tiếp nối các đợt đã in của đơn vị này." }
                    select #unit name="unit" required aria-describedby="unit-hint" {
                        option value="" { "— Chọn đơn vị —" }
                        (unit_options(units, c.unit))
                    }
                }
                p {
                    label for="count" { strong { "Số phiếu cần in" } }
                    span.hint #count-hint { "Từ 1 đến " (MAX_SHEETS) " phiếu; mỗi phiếu bắt đầu ở một trang mới." }
                    input #count type="number" name="count" min="1" max=(MAX_SHEETS) step="1" value=(c.count) required inputmode="numeric" aria-describedby="count-hint";
                }
                p {
                    input #double_entry type="checkbox" name="double_entry" value="1" checked[c.double_entry] aria-describedby="double-hint";
                    " "
                    label for="double_entry" { "Nhập hai lần" }
                    br;
                    span.hint #double-hint { "Hai cán bộ nhập độc lập mỗi phiếu, phiếu chỉ được tính khi hai lần nhập khớp nhau (khuyến nghị). Bỏ chọn nếu mỗi phiếu chỉ nhập một lần." }
                }
                p { button type="submit" { "In phiếu (tải tệp PDF)" } }
                p.hint { "Sau khi tải tệp, tải lại trang để thấy đợt vừa in trong danh sách." }
            }
        }
    }
}

fn batch_table(
    state: &AppState,
    forms: &[std::sync::Arc<LoadedForm>],
    units: &[Unit],
    batches: &[BatchRow],
) -> Markup {
    let unit_name = |code: &str| {
        units
            .iter()
            .find(|u| u.code == code)
            .map_or_else(|| code.to_string(), |u| u.name.clone())
    };
    let form_title = |id: &str| {
        forms
            .iter()
            .find(|f| f.form.id == id)
            .map_or_else(|| id.to_string(), |f| f.form.title.clone())
    };
    let sheet = |unit: &str, serial: i64| {
        SheetNumber {
            unit: unit.to_string(),
            serial: serial.unsigned_abs(),
        }
        .to_string()
    };
    html! {
        @if batches.is_empty() {
            p { "Chưa in đợt phiếu nào." }
        } @else {
            div.table-wrap {
                table #batch-table aria-labelledby="batches-title" {
                    caption { "Các đợt phiếu đã in, mới nhất trước" }
                    thead { tr {
                        th scope="col" { "Số phiếu" }
                        th scope="col" { "Phiếu khảo sát" }
                        th scope="col" { "Đơn vị" }
                        th scope="col" { "Số lượng" }
                        th scope="col" { "Cách nhập" }
                        th scope="col" { "Ngày in" }
                        th scope="col" { "Người in" }
                        th scope="col" { "Tệp" }
                    } }
                    tbody {
                        @for b in batches {
                            @let range = format!("{} – {}", sheet(&b.unit, b.first_serial), sheet(&b.unit, b.last_serial));
                            tr {
                                th scope="row" { (range) }
                                td { (form_title(&b.form_id)) }
                                td { (unit_name(&b.unit)) }
                                td.num { (b.count()) }
                                td { @if b.double_entry { "Nhập hai lần" } @else { "Nhập một lần" } }
                                td { (local_time(b.printed_at, state.config.tz)) }
                                td { (b.printed_by) }
                                td { a href={ "/api/v1/paper/batches/" (b.id) ".pdf" } download aria-label={ "Tải lại PDF các phiếu " (range) } { "Tải lại PDF" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The print page (admin, clerk; session cookie).
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, content_type = "text/html", description = "the print form and the printed batches"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin or a clerk")
    )
)]
#[get("/admin/paper")]
pub async fn paper_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let admin = match staff_get(&req, &state, PRINTERS).await {
        Ok(admin) => admin,
        Err(response) => return Ok(response),
    };
    let loaded = load(&state, &admin, &req).await?;
    Ok(render(StatusCode::OK, &admin, &state, &loaded, &FRESH, &[]))
}

/// Prints a batch (admin, clerk; form with `csrf`, `once`, `form`, `unit`, `count`,
/// `double_entry`): the answer is its PDF, as an attachment.
#[utoipa::path(
    tag = "admin",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, once, form, unit, count, double_entry (present: entered twice)"),
    responses(
        (status = 200, content_type = "application/pdf", description = "the sheets, `Content-Disposition: attachment; filename=\"phieu-<form>-<unit>-<first>-<last>.pdf\"`"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin or a clerk, or the CSRF field is missing or wrong"),
        (status = 409, content_type = "text/html", description = "already_sent: the same form (its one-time key) sent again; nothing is printed again"),
        (status = 422, content_type = "text/html", description = "the form again with its errors")
    )
)]
#[post("/admin/paper")]
pub async fn paper_print(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) =
        match staff_form(&req, &state, payload, PRINTERS, actions::PRINT_AUDIT_ACTION).await {
            Ok(found) => found,
            Err(response) => return Ok(response),
        };
    if let Some(again) = already_sent(&state, &fields) {
        return Ok(again);
    }
    let choice = Choice {
        form: field(&fields, "form"),
        unit: field(&fields, "unit"),
        count: field(&fields, "count"),
        double_entry: !field(&fields, "double_entry").is_empty(),
    };
    let outcome = print(&req, &state, &admin, &choice).await;
    let problems = match outcome {
        Ok(printed) => {
            mark_sent(&state, &fields);
            return Ok(pdf_download(&printed));
        }
        Err(e) if e.status.is_client_error() => Problem::of_unit_form(&e),
        Err(e) => return Err(e.into()),
    };
    let loaded = load(&state, &admin, &req).await?;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(render(status, &admin, &state, &loaded, &choice, &problems))
}

async fn print(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    admin: &Admin,
    choice: &Choice<'_>,
) -> Result<PrintedBatch, ApiError> {
    let count: i64 = choice.count.parse().map_err(|_| {
        ApiError::validation(vec![crate::domain::FieldError::new(
            "count",
            "out_of_range",
            format!("Số phiếu in phải là một số từ 1 đến {MAX_SHEETS}."),
            format!("count must be a number from 1 to {MAX_SHEETS}."),
        )])
    })?;
    let loaded = state.forms.get(choice.form).ok_or_else(|| {
        ApiError::validation(vec![crate::domain::FieldError::new(
            "form",
            "unknown_form",
            "Hãy chọn một phiếu khảo sát trong danh sách.",
            "Choose a form from the list.",
        )])
    })?;
    let (actor, today) = (client::actor(req, state, &admin.staff), today(state));
    let (unit, double_entry) = (choice.unit.to_string(), choice.double_entry);
    with_conn(state, move |conn| {
        let request = PrintRequest {
            form: &loaded.form,
            unit: &unit,
            count,
            double_entry,
            today,
        };
        actions::print_batch(conn, &actor, &request)
    })
    .await
}

fn pdf_download(printed: &PrintedBatch) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", printed.filename()),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(printed.pdf.clone())
}
