//! `GET /admin`: the administration's sections.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use maud::html;

use super::{admin_get, admin_page};
use crate::web::state::AppState;

/// What each section is for.
const DESCRIPTIONS: &[(&str, &str)] = &[
    ("/admin/users", "Tạo tài khoản, đổi vai trò, khoá hoặc mở khoá, đặt lại mật khẩu."),
    ("/admin/units", "Cây đơn vị theo thời gian: thêm, đổi tên, đóng, nhập cả cây, ánh xạ sau sắp xếp đơn vị hành chính."),
    ("/admin/forms", "Các phiếu và phiên bản; tải lên phiên bản mới của một phiếu."),
    ("/admin/kiosks", "Đăng ký máy tính bảng tại quầy Một cửa, thu hồi máy."),
    ("/admin/invitations", "Tạo thư mời dùng một lần (kèm mã QR) để in, xem tỉ lệ phản hồi."),
    ("/admin/paper", "In phiếu giấy đánh số (PDF, có mã QR) cho một đơn vị; các đợt đã in."),
    ("/admin/audit", "Nhật ký: ai làm gì, khi nào; tải về CSV."),
];

/// The administration's home page (admin; session cookie).
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, content_type = "text/html", description = "links to the sections"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin")
    )
)]
#[get("/admin")]
pub async fn admin_home(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let body = html! {
        h1 { "Quản trị" }
        ul.sections {
            @for (path, text) in DESCRIPTIONS {
                @let label = super::SECTIONS.iter().find(|(p, _)| p == path).map_or("", |(_, l)| *l);
                li { a href=(path) { strong { (label) } } br; span.hint { (text) } }
            }
        }
    };
    admin_page(StatusCode::OK, "Quản trị", &admin, "/admin", body)
}
