//! `/admin/invitations`: single-use invitations — a form picker, a count and a respondent group
//! give a printable page of cards (QR code and link, one invitation per card); the response rate
//! per group: the actions of `service::invitations`, as the JSON API calls them.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};

use super::invitation_cards::{cards, print_page, Sheet};
use super::{
    admin_form, admin_get, admin_page, already_sent, csrf_field, error_summary, field, mark_sent,
    once_field, open_units, today, unit_options, Admin, Problem,
};
use crate::administration::units::Unit;
use crate::collecting::access;
use crate::forms::LoadedForm;
use crate::reporting::fragments::pct;
use crate::service::invitations::{
    self as actions, InvitationUse, NewBatch, MAX_INVITATIONS_PER_REQUEST,
};
use crate::service::Actor;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::error::PageError;
use crate::web::state::AppState;

/// Invitation-only forms first, then by id.
fn forms(state: &AppState) -> Vec<Arc<LoadedForm>> {
    let mut forms: Vec<_> = state.forms.all().collect();
    forms.sort_by(|a, b| {
        (!a.form.invitation_only, &a.form.id).cmp(&(!b.form.invitation_only, &b.form.id))
    });
    forms
}

/// Per form with invitations: the form, and its invitations issued and used per group.
type Stats = Vec<(Arc<LoadedForm>, InvitationUse)>;

async fn stats(state: &web::Data<AppState>, actor: Actor) -> Result<Stats, ApiError> {
    let forms = forms(state);
    with_conn(state, move |conn| {
        actions::invitation_stats_of_forms(conn, &actor, forms)
    })
    .await
}

/// A group's label in the form (its code when the form no longer defines it).
fn group_label(form: &crate::forms::Form, group: &str) -> String {
    access::form_groups(form)
        .into_iter()
        .find(|(code, _)| code == group)
        .map_or_else(|| group.to_string(), |(_, label)| label)
}

fn rate(issued: i64, used: i64) -> String {
    if issued == 0 {
        return pct(None);
    }
    pct(Some(used as f64 * 100.0 / issued as f64))
}

/// The values the form is filled with.
struct Filled<'a> {
    form: &'a str,
    count: &'a str,
    group: &'a str,
    unit: &'a str,
    issuer: &'a str,
    deadline: &'a str,
}

impl<'a> Filled<'a> {
    /// What a new page offers.
    fn blank() -> Filled<'static> {
        Filled {
            form: "",
            count: "10",
            group: "",
            unit: "",
            issuer: "",
            deadline: "",
        }
    }

    /// What was sent.
    fn sent(fields: &'a HashMap<String, String>) -> Filled<'a> {
        Filled {
            form: field(fields, "form"),
            count: field(fields, "count"),
            group: field(fields, "group"),
            unit: field(fields, "unit"),
            issuer: field(fields, "issuer"),
            deadline: field(fields, "deadline"),
        }
    }
}

/// Longest issuing office's name printed on the cards.
const MAX_ISSUER: usize = 200;

/// The page: the form to create invitations (filled with `filled`, its problems on top) and the
/// response rates.
fn render(
    status: StatusCode,
    admin: &Admin,
    state: &AppState,
    units: &[Unit],
    stats: &Stats,
    filled: &Filled<'_>,
    problems: &[Problem],
) -> HttpResponse {
    let body = html! {
        h1 { "Thư mời khảo sát" }
        p { "Mỗi thư mời là một đường dẫn dùng một lần (kèm mã QR) để in và gửi cho người được mời, ví dụ đại biểu HĐND. Dịch vụ không lưu liên hệ nào giữa thư mời và câu trả lời." }
        (error_summary("Chưa tạo được thư mời", problems))
        (create_form(admin, &forms(state), units, filled))
        h2 { "Tỉ lệ phản hồi theo nhóm" }
        @if stats.is_empty() {
            p { "Chưa có thư mời nào." }
        }
        @for (form, found) in stats {
            (stats_table(form, found))
        }
    };
    admin_page(status, "Thư mời", admin, "/admin/invitations", body)
}

/// The form that creates a batch of invitations.
fn create_form(
    admin: &Admin,
    forms: &[Arc<LoadedForm>],
    units: &[Unit],
    filled: &Filled<'_>,
) -> Markup {
    html! {
        form.card method="post" action="/admin/invitations" {
            fieldset {
                legend { "Tạo thư mời" }
                (csrf_field(admin))
                (once_field())
                p {
                    label for="form" { strong { "Phiếu khảo sát" } }
                    select #form name="form" required {
                        @for f in forms {
                            option value=(f.form.id) selected[f.form.id == filled.form] {
                                (f.form.title) @if f.form.invitation_only { " (chỉ theo thư mời)" }
                            }
                        }
                    }
                }
                p {
                    label for="count" { strong { "Số thư mời" } }
                    span.hint #count-hint { "Từ 1 đến " (MAX_INVITATIONS_PER_REQUEST) "." }
                    input #count type="number" name="count" min="1" max=(MAX_INVITATIONS_PER_REQUEST) value=(filled.count) required aria-describedby="count-hint";
                }
                p {
                    label for="group" { strong { "Nhóm người trả lời" } }
                    span.hint #group-hint { "Nhóm để tính tỉ lệ phản hồi, trong các nhóm của phiếu đã chọn." }
                    select #group name="group" required aria-describedby="group-hint" {
                        @for f in forms {
                            optgroup label=(f.form.title) {
                                @for (code, label) in access::form_groups(&f.form) {
                                    option value=(code) selected[code == filled.group] { (label) }
                                }
                            }
                        }
                    }
                }
                p {
                    label for="deadline" { strong { "Hạn trả lời (không bắt buộc)" } }
                    span.hint #deadline-hint { "Ngày cuối cùng trả lời được (in trên thư mời); sau ngày này đường dẫn báo đã hết hạn." }
                    input #deadline type="date" name="deadline" value=(filled.deadline) aria-describedby="deadline-hint";
                }
                p {
                    label for="issuer" { strong { "Cơ quan phát hành (không bắt buộc)" } }
                    span.hint #issuer-hint { "In trên mỗi thư mời, ví dụ Văn phòng HĐND và UBND huyện Tuy Phước." }
                    input #issuer type="text" name="issuer" value=(filled.issuer) maxlength=(MAX_ISSUER) aria-describedby="issuer-hint";
                }
                p {
                    label for="unit" { strong { "Đơn vị được tính" } }
                    select #unit name="unit" {
                        option value="" selected[filled.unit.is_empty()] { "— Đơn vị gốc của cây —" }
                        (unit_options(units, filled.unit))
                    }
                }
                p { button type="submit" { "Tạo và in thư mời" } }
            }
        }
    }
}

/// A form's response rate per group, with the total.
fn stats_table(form: &LoadedForm, found: &InvitationUse) -> Markup {
    let total = &found.total;
    html! {
        div.table-wrap {
            table.invitation-stats {
                caption { (form.form.title) }
                thead { tr {
                    th scope="col" { "Nhóm" }
                    th scope="col" { "Đã phát" }
                    th scope="col" { "Đã trả lời" }
                    th scope="col" { "Tỉ lệ phản hồi" }
                } }
                tbody {
                    @for g in &found.groups {
                        tr { th scope="row" { (group_label(&form.form, &g.group)) } td.num { (g.issued) } td.num { (g.used) } td.num { (rate(g.issued, g.used)) } }
                    }
                }
                tfoot {
                    tr { th scope="row" { "Tổng" } td.num { (total.issued) } td.num { (total.used) } td.num { (rate(total.issued, total.used)) } }
                }
            }
        }
    }
}

/// The invitations page (admin; session cookie).
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, content_type = "text/html", description = "the invitation form and the response rates"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin")
    )
)]
#[get("/admin/invitations")]
pub async fn invitations_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return Ok(response),
    };
    let (units, stats) = (
        open_units(&state).await,
        stats(&state, client::actor(&req, &state, &admin.staff)).await,
    );
    let (units, stats) = (units?, stats?);
    Ok(render(
        StatusCode::OK,
        &admin,
        &state,
        &units,
        &stats,
        &Filled::blank(),
        &[],
    ))
}

/// The page again with the problems of what was sent (422).
async fn refused(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    admin: &Admin,
    filled: &Filled<'_>,
    problems: &[Problem],
) -> Result<HttpResponse, PageError> {
    let (units, stats) = (
        open_units(state).await,
        stats(state, client::actor(req, state, &admin.staff)).await,
    );
    let (units, stats) = (units?, stats?);
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(render(
        status, admin, state, &units, &stats, filled, problems,
    ))
}

/// The form and the batch asked for, or the problems of the fields as sent (before anything is
/// asked of the service).
fn batch_of(
    state: &AppState,
    filled: &Filled<'_>,
) -> Result<(Arc<LoadedForm>, NewBatch), Vec<Problem>> {
    let mut problems = Vec::new();
    let loaded = state.forms.get(filled.form);
    if loaded.is_none() {
        problems.push(Problem::new(Some("form"), "Hãy chọn một phiếu khảo sát."));
    }
    if filled.issuer.chars().count() > MAX_ISSUER || filled.issuer.chars().any(char::is_control) {
        problems.push(Problem::new(
            Some("issuer"),
            format!("Tên cơ quan phát hành tối đa {MAX_ISSUER} ký tự, trên một dòng."),
        ));
    }
    let deadline = match filled.deadline {
        "" => Ok(None),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some),
    };
    if deadline.is_err() {
        problems.push(Problem::new(
            Some("deadline"),
            "Hạn trả lời phải là một ngày, ví dụ 2026-12-31.",
        ));
    }
    let count = filled.count.parse::<u32>().ok();
    if count.is_none() {
        problems.push(Problem::new(
            Some("count"),
            format!("Số thư mời phải là một số từ 1 đến {MAX_INVITATIONS_PER_REQUEST}."),
        ));
    }
    match (loaded, count, deadline) {
        (Some(form), Some(count), Ok(deadline)) if problems.is_empty() => {
            let batch = NewBatch {
                count,
                group: filled.group.to_string(),
                unit: (!filled.unit.is_empty()).then(|| filled.unit.to_string()),
                deadline,
            };
            Ok((form, batch))
        }
        _ => Err(problems),
    }
}

/// Creates invitations (admin; form with `csrf`, `form`, `count`, `group`, `unit`): a printable
/// page with one card per invitation (QR code and link).
#[utoipa::path(
    tag = "admin",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, form, count, group, unit (optional)"),
    responses(
        (status = 201, content_type = "text/html", description = "the invitations to print, one card each"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 409, content_type = "text/html", description = "already_sent: the same form (its one-time key) sent again; nothing is created again"),
        (status = 422, content_type = "text/html", description = "the form again with its errors")
    )
)]
#[post("/admin/invitations")]
pub async fn invitations_create(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) =
        match admin_form(&req, &state, payload, actions::CREATE_AUDIT_ACTION).await {
            Ok(found) => found,
            Err(response) => return Ok(response),
        };
    if let Some(again) = already_sent(&state, &fields) {
        return Ok(again);
    }
    let filled = Filled::sent(&fields);
    let (loaded, batch) = match batch_of(&state, &filled) {
        Ok(found) => found,
        Err(problems) => return refused(&req, &state, &admin, &filled, &problems).await,
    };
    let (by, today, issuer) = (
        client::actor(&req, &state, &admin.staff),
        today(&state),
        filled.issuer,
    );
    let (form, asked, issued_by) = (loaded.clone(), batch.clone(), issuer.to_string());
    let outcome = with_conn(&state, move |conn| {
        actions::create_invitations(conn, &by, &form, &asked, Some(&issued_by), today)
    })
    .await;
    let tokens = match outcome {
        Ok(tokens) => tokens,
        Err(e) if e.status.is_client_error() => {
            return refused(&req, &state, &admin, &filled, &Problem::of_unit_form(&e)).await;
        }
        Err(e) => return Err(e.into()),
    };
    mark_sent(&state, &fields);
    let cards = cards(&req, &state, tokens).await?;
    let sheet = Sheet {
        title: &loaded.form.title,
        group: group_label(&loaded.form, filled.group),
        issuer,
        deadline: batch.deadline,
    };
    Ok(print_page(&admin, &sheet, &cards))
}
