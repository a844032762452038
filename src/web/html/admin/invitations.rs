//! `/admin/invitations`: single-use invitations — a form picker, a count and a respondent group
//! give a printable page of cards (QR code and link, one invitation per card); the response rate
//! per group.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::html;
use serde_json::json;

use super::{
    admin_form, admin_get, admin_page, already_sent, csrf_field, error_page, error_summary, field,
    mark_sent, once_field, open_units, today, unit_options, Admin, Problem,
};
use crate::administration::units::Unit;
use crate::collecting::access::{self, MAX_INVITATIONS_PER_REQUEST};
use crate::forms::LoadedForm;
use crate::platform::qr::Qr;
use crate::store::{invitations, now_utc};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::fragments::pct;
use crate::web::links::{invitation_url, public_base};
use crate::web::state::AppState;

/// Invitation-only forms first, then by id.
fn forms(state: &AppState) -> Vec<Arc<LoadedForm>> {
    let mut forms: Vec<_> = state.forms.all().collect();
    forms.sort_by(|a, b| {
        (!a.form.invitation_only, &a.form.id).cmp(&(!b.form.invitation_only, &b.form.id))
    });
    forms
}

/// Per form with invitations: (form, [(group, issued, used)]).
type Stats = Vec<(Arc<LoadedForm>, Vec<(String, i64, i64)>)>;

async fn stats(state: &web::Data<AppState>) -> Result<Stats, ApiError> {
    let forms = forms(state);
    with_conn(state, move |conn| {
        let mut out = Vec::new();
        for form in forms {
            let rows = invitations::stats(conn, &form.form.id)?;
            if !rows.is_empty() {
                out.push((form, rows));
            }
        }
        Ok::<_, ApiError>(out)
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

/// Longest issuing office's name printed on the cards.
const MAX_ISSUER: usize = 200;

/// The links of a batch as a CSV file for a mail merge (UTF-8 with BOM, as spreadsheets in
/// Vietnamese expect), as a `data:` address: the tokens are shown once, so the file comes with
/// the page that shows them and is stored nowhere.
fn links_csv(urls: &[String], title: &str, group: &str, issuer: &str) -> String {
    use base64::Engine;
    let cell = |text: &str| {
        let text = if crate::reporting::exports::csv::starts_like_formula(text) {
            format!("'{text}")
        } else {
            text.to_string()
        };
        format!("\"{}\"", text.replace('"', "\"\""))
    };
    let mut csv = String::from("\u{feff}so_thu,duong_dan,phieu,nhom,co_quan\r\n");
    for (i, url) in urls.iter().enumerate() {
        csv.push_str(&format!(
            "{},{},{},{},{}\r\n",
            i + 1,
            cell(url),
            cell(title),
            cell(group),
            cell(issuer)
        ));
    }
    format!(
        "data:text/csv;charset=utf-8;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(csv)
    )
}

fn render(
    status: StatusCode,
    admin: &Admin,
    state: &AppState,
    units: &[Unit],
    stats: &Stats,
    filled: &Filled<'_>,
    problems: &[Problem],
) -> HttpResponse {
    let forms = forms(state);
    let body = html! {
        h1 { "Thư mời khảo sát" }
        p { "Mỗi thư mời là một đường dẫn dùng một lần (kèm mã QR) để in và gửi cho người được mời, ví dụ đại biểu HĐND. Dịch vụ không lưu liên hệ nào giữa thư mời và câu trả lời." }
        (error_summary("Chưa tạo được thư mời", problems))
        form.card method="post" action="/admin/invitations" {
            fieldset {
                legend { "Tạo thư mời" }
                (csrf_field(admin))
                (once_field())
                p {
                    label for="form" { strong { "Phiếu khảo sát" } }
                    select #form name="form" required {
                        @for f in &forms {
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
                        @for f in &forms {
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
        h2 { "Tỉ lệ phản hồi theo nhóm" }
        @if stats.is_empty() {
            p { "Chưa có thư mời nào." }
        }
        @for (form, rows) in stats {
            @let (issued, used) = rows.iter().fold((0, 0), |(i, u), (_, gi, gu)| (i + gi, u + gu));
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
                        @for (group, i, u) in rows {
                            tr { th scope="row" { (group_label(&form.form, group)) } td.num { (i) } td.num { (u) } td.num { (rate(*i, *u)) } }
                        }
                    }
                    tfoot {
                        tr { th scope="row" { "Tổng" } td.num { (issued) } td.num { (used) } td.num { (rate(issued, used)) } }
                    }
                }
            }
        }
    };
    admin_page(status, "Thư mời", admin, "/admin/invitations", body)
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
pub async fn invitations_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let (units, stats) = match (open_units(&state).await, stats(&state).await) {
        (Ok(units), Ok(stats)) => (units, stats),
        (Err(e), _) | (_, Err(e)) => return error_page(&e),
    };
    let filled = Filled {
        form: "",
        count: "10",
        group: "",
        unit: "",
        issuer: "",
        deadline: "",
    };
    render(StatusCode::OK, &admin, &state, &units, &stats, &filled, &[])
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
) -> HttpResponse {
    let (admin, fields) = match admin_form(&req, &state, payload, "invitations.create").await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if let Some(again) = already_sent(&state, &fields) {
        return again;
    }
    let filled = Filled {
        form: field(&fields, "form"),
        count: field(&fields, "count"),
        group: field(&fields, "group"),
        unit: field(&fields, "unit"),
        issuer: field(&fields, "issuer"),
        deadline: field(&fields, "deadline"),
    };
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
        text => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some),
    };
    if deadline.is_err() {
        problems.push(Problem::new(
            Some("deadline"),
            "Hạn trả lời phải là một ngày, ví dụ 2026-12-31.",
        ));
    }
    let deadline = deadline.unwrap_or(None);
    let count = filled.count.parse::<u32>().ok();
    if count.is_none() {
        problems.push(Problem::new(
            Some("count"),
            format!("Số thư mời phải là một số từ 1 đến {MAX_INVITATIONS_PER_REQUEST}."),
        ));
    }
    let outcome = match (loaded.clone(), count) {
        (Some(form), Some(count)) if problems.is_empty() => {
            let batch = access::NewBatch {
                count,
                group: filled.group.to_string(),
                unit: (!filled.unit.is_empty()).then(|| filled.unit.to_string()),
                deadline,
            };
            let entry = client::audit_entry(&req, &state, Some(&admin.staff), "invitations.create")
                .target(form.form.id.clone())
                .detail(json!({
                    "group": batch.group, "count": count, "unit": batch.unit,
                    "issuer": filled.issuer, "deadline": deadline,
                }));
            let today = today(&state);
            Some(
                with_conn(&state, move |conn| {
                    crate::service::in_transaction(conn, |c| {
                        let tokens =
                            access::create_invitations(c, &form, &batch, today, now_utc())?;
                        Ok::<_, ApiError>((tokens, entry))
                    })
                })
                .await,
            )
        }
        _ => None,
    };
    let tokens = match outcome {
        Some(Ok(tokens)) => tokens,
        Some(Err(e)) if e.status.is_client_error() => {
            if e.code == "unknown_unit" {
                problems.push(Problem::new(
                    Some("unit"),
                    "Hãy chọn một đơn vị trong danh sách.",
                ));
            } else {
                problems.extend(Problem::of(&e, |f| Some(f.field.clone())));
            }
            Vec::new()
        }
        Some(Err(e)) => return error_page(&e),
        None => Vec::new(),
    };
    let Some(loaded) = loaded.filter(|_| problems.is_empty()) else {
        let (units, stats) = match (open_units(&state).await, stats(&state).await) {
            (Ok(units), Ok(stats)) => (units, stats),
            (Err(e), _) | (_, Err(e)) => return error_page(&e),
        };
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &admin,
            &state,
            &units,
            &stats,
            &filled,
            &problems,
        );
    };
    mark_sent(&state, &fields);
    tracing::info!(form = %loaded.form.id, count = tokens.len(), group = %filled.group, by = %admin.staff.username, "invitations issued");
    let base = public_base(&req, &state.config);
    let cards = web::block(move || {
        tokens
            .iter()
            .map(|token| {
                let url = invitation_url(&base, token);
                Qr::encode(&url).map(|qr| (url, qr.svg_data_uri()))
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    let cards = match cards {
        Ok(Ok(cards)) => cards,
        _ => return error_page(&ApiError::internal()),
    };
    let title = loaded.form.title.clone();
    let group = group_label(&loaded.form, filled.group);
    let issuer = filled.issuer.to_string();
    let urls: Vec<String> = cards.iter().map(|(url, _)| url.clone()).collect();
    let csv = links_csv(&urls, &title, &group, &issuer);
    let body = html! {
        div.print-sheet {
            h1.noprint { "Đã tạo " (cards.len()) " thư mời" }
            div.notice.noprint role="status" {
                p { "Các đường dẫn này chỉ hiện một lần: hãy in ngay (Ctrl+P). Mỗi thư mời chỉ trả lời được một lần." }
                p { "Phiếu: " strong { (title) } ". Nhóm: " strong { (group) } "." }
                p { a #links-csv href=(csv) download="thu-moi.csv" { "Tải danh sách đường dẫn (CSV, để trộn thư)" } }
                p { a href="/admin/invitations" { "Về trang thư mời" } }
            }
            div.invitation-cards {
                @for (i, (url, qr)) in cards.iter().enumerate() {
                    article.invitation-card aria-label={ "Thư mời số " (i + 1) } {
                        h2 { "Thư mời tham gia khảo sát" }
                        p.form-title { (title) }
                        img.qr src=(qr) alt={ "Mã QR của thư mời số " (i + 1) } width="200" height="200";
                        p { "Quét mã QR bằng điện thoại, hoặc mở đường dẫn:" }
                        p.url { a href=(url) { (url) } }
                        p.hint { "Phiếu không ghi tên; đường dẫn chỉ dùng được một lần. Xin cảm ơn ông/bà!" }
                        @if let Some(day) = deadline { p.deadline { "Hạn trả lời: " strong { (day.format("%d/%m/%Y")) } } }
                        @if !issuer.is_empty() { p.issuer { "Cơ quan phát hành: " strong { (issuer) } } }
                    }
                }
            }
        }
    };
    admin_page(
        StatusCode::CREATED,
        "Thư mời để in",
        &admin,
        "/admin/invitations",
        body,
    )
}
