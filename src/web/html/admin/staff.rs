//! `GET /staff`: the page every staff role may open, and where a clerk lands after logging in:
//! what they can do today (print the counter QR sheets and, admin and clerk, the numbered paper
//! sheets; open the citizens' forms), the pages of their role and the logout button.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use maud::html;

use super::{error_page, open_units, qr_sheet_links, see_other, serves_citizens};
use crate::domain::Channel;
use crate::web::html::assets::dashboard_css_href;
use crate::web::html::layout::html_response;
use crate::web::html::layout::{page, staff_nav};
use crate::web::state::AppState;

/// The staff home page (any staff role; session cookie).
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, content_type = "text/html", description = "what the role can do: counter QR sheets, the citizens' forms, logout"),
        (status = 303, description = "to /login without a session")
    )
)]
#[get("/staff")]
pub async fn staff_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let staff = match crate::web::html::dashboard::session_staff(&req, &state).await {
        Ok(Some(staff)) => staff,
        Ok(None) => return see_other("/login"),
        Err(e) => return error_page(&e),
    };
    let csrf = crate::auth::csrf_token(&state.keys, &staff.token_hash);
    let units = match open_units(&state).await {
        Ok(units) => units,
        Err(e) => return error_page(&e),
    };
    let mut forms: Vec<_> = state
        .forms
        .all()
        .filter(|f| !f.form.invitation_only && f.form.accepts(Channel::Web))
        .collect();
    forms.sort_by(|a, b| a.form.id.cmp(&b.form.id));
    let counters: Vec<_> = units.iter().filter(|u| serves_citizens(&u.level)).collect();
    let body = html! {
        (staff_nav(&staff, &csrf, "/staff", html! {}))
        h1 { "Trang cán bộ" }
        p { "Những việc tài khoản của bạn làm được hôm nay trên trang này." }
        h2 { "In tờ mã QR đặt tại quầy" }
        p { "Mỗi tờ khổ A4 có mã QR mở phiếu khảo sát trên điện thoại của người dân, cho đúng đơn vị. In bản PNG, hoặc bản SVG để in sắc nét." }
        @if counters.is_empty() {
            p { "Chưa có đơn vị nào đang hoạt động phục vụ người dân." }
        } @else {
            ul #qr-sheets {
                @for u in &counters {
                    li { strong { (u.name) } ": " (qr_sheet_links(&u.code, &u.name)) }
                }
            }
        }
        @if matches!(staff.role, crate::domain::Role::Admin | crate::domain::Role::Clerk) {
            h2 { "In phiếu giấy đánh số" }
            p { a href="/admin/paper" { "In phiếu giấy" } " — phiếu khổ A4, mỗi phiếu có số phiếu và mã QR riêng; danh sách các đợt đã in." }
        }
        h2 { "Phiếu khảo sát cho người dân" }
        ul {
            @for f in &forms {
                li { a href={ "/f/" (f.form.id) } { (f.form.title) } }
            }
        }
        p.hint { "Nhập phiếu giấy chưa có trên trang này; hỏi quản trị viên nếu cần nhập phiếu giấy." }
    };
    html_response(
        StatusCode::OK,
        page(
            "Trang cán bộ – SIPAS",
            body,
            Some(dashboard_css_href()),
            None,
        ),
    )
}
