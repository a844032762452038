//! The printable page of a batch of invitations just created: one card per invitation (its QR
//! code and link, the form, the deadline, the issuing office) and the links as a CSV file for a
//! mail merge. The tokens are shown this once: nothing here is stored.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use maud::html;

use super::{admin_page, Admin};
use crate::platform::qr::Qr;
use crate::web::error::ApiError;
use crate::web::links::{invitation_url, public_base};
use crate::web::state::AppState;

/// Each token's link and the QR code of it (SVG `data:` address).
pub async fn cards(
    req: &HttpRequest,
    state: &AppState,
    tokens: Vec<String>,
) -> Result<Vec<(String, String)>, ApiError> {
    let base = public_base(req, &state.config);
    web::block(move || {
        tokens
            .iter()
            .map(|token| {
                let url = invitation_url(&base, token);
                Qr::encode(&url).map(|qr| (url, qr.svg_data_uri()))
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await?
    .map_err(|_| ApiError::internal())
}

/// What every card of a batch says besides its link.
pub struct Sheet<'a> {
    pub title: &'a str,
    /// The group's label.
    pub group: String,
    pub issuer: &'a str,
    pub deadline: Option<NaiveDate>,
}

/// The printable page of a batch: one card per invitation (`cards`: link, QR code), and the
/// links as a CSV file for a mail merge.
pub fn print_page(admin: &Admin, sheet: &Sheet<'_>, cards: &[(String, String)]) -> HttpResponse {
    let Sheet {
        title,
        group,
        issuer,
        deadline,
    } = sheet;
    let urls: Vec<String> = cards.iter().map(|(url, _)| url.clone()).collect();
    let csv = links_csv(&urls, title, group, issuer);
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
        admin,
        "/admin/invitations",
        body,
    )
}

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
