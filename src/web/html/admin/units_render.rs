//! Rendering for `/admin/units`: the page with the tree, the mappings and the forms, and the
//! page again with the problems of a refused change.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};

use super::{
    admin_page, csrf_field, error_summary, notice, qr_sheet_links, serves_citizens, today, Admin,
    Problem,
};
use crate::administration::units::{tree_order, Mapping, Unit, LEVELS};
use crate::domain::FieldError;
use crate::store::{mappings, units};
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::error::PageError;
use crate::web::state::AppState;

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
pub(super) struct View<'a> {
    pub(super) problems: Vec<Problem>,
    /// The create form's fields.
    pub(super) new: HashMap<&'static str, &'a str>,
    pub(super) done: Option<&'a str>,
    /// What an import did.
    pub(super) imported: Option<Imported>,
}

/// What an import did, carried in the redirect's query.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Imported {
    pub(super) created: usize,
    pub(super) updated: usize,
    pub(super) unchanged: usize,
    pub(super) mappings: usize,
}

impl Imported {
    pub(super) fn query(&self) -> String {
        format!(
            "created={}&updated={}&unchanged={}&mappings={}",
            self.created, self.updated, self.unchanged, self.mappings
        )
    }

    pub(super) fn from_query(query: &HashMap<String, String>) -> Imported {
        let n = |k: &str| query.get(k).and_then(|v| v.parse().ok()).unwrap_or(0);
        Imported {
            created: n("created"),
            updated: n("updated"),
            unchanged: n("unchanged"),
            mappings: n("mappings"),
        }
    }
}

pub(super) fn render(
    status: StatusCode,
    admin: &Admin,
    state: &AppState,
    all: &[Unit],
    maps: &[Mapping],
    view: View<'_>,
) -> HttpResponse {
    let today = today(state);
    let body = html! {
        h1 { "Đơn vị hành chính" }
        p { "Mỗi đơn vị có thời gian hiệu lực [từ ngày, đến ngày): đơn vị không bao giờ bị xoá, vì các phiếu đã trả lời gắn với nó. Sau một đợt sắp xếp đơn vị hành chính, hãy đóng đơn vị cũ, tạo đơn vị mới và thêm ánh xạ cũ → mới để báo cáo tính lại theo cây hiện nay." }
        (error_summary("Chưa thực hiện được", &view.problems))
        (notice(view.done))
        @if let Some(plan) = view.imported {
            div.notice role="status" #import-result {
                p { "Đã nhập: " (plan.created) " đơn vị mới, " (plan.updated) " đơn vị thay đổi, "
                    (plan.unchanged) " đơn vị giữ nguyên, " (plan.mappings) " ánh xạ mới." }
            }
        }
        h2 { "Cây đơn vị" }
        (unit_table(admin, all, today))
        (create_form(admin, all, &view.new, today))
        (import_form(admin))
        h2 { "Ánh xạ đơn vị cũ → mới" }
        (mapping_table(all, maps))
        (mapping_form(admin, all))
    };
    admin_page(status, "Đơn vị", admin, "/admin/units", body)
}

/// The options of a unit `select`, in tree order and indented.
fn unit_options(units: &[Unit], selected: &str) -> Markup {
    html! {
        @for (depth, u) in tree_order(units) {
            option value=(u.code) selected[u.code == selected] { ("\u{a0}".repeat(depth * 3)) (u.name) " (" (u.code) ")" }
        }
    }
}

/// Every unit, closed ones too, in tree order, with the forms to rename and close it.
fn unit_table(admin: &Admin, all: &[Unit], today: NaiveDate) -> Markup {
    html! {
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
                    th scope="col" { "Tờ mã QR tại quầy" }
                } }
                tbody {
                    @for (depth, u) in tree_order(all) {
                        (unit_row(admin, depth, u, today))
                    }
                }
            }
        }
    }
}

fn unit_row(admin: &Admin, depth: usize, u: &Unit, today: NaiveDate) -> Markup {
    let is_open = u.valid_to.is_none_or(|end| today < end);
    html! {
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
            td.qr-sheet {
                @if is_open && u.is_valid_on(today) && serves_citizens(&u.level) {
                    (qr_sheet_links(&u.code, &u.name))
                }
            }
        }
    }
}

/// The form that adds a unit (under a unit open today), filled with `new` after a refusal.
fn create_form(
    admin: &Admin,
    all: &[Unit],
    new: &HashMap<&'static str, &str>,
    today: NaiveDate,
) -> Markup {
    let new = |k: &str| new.get(k).copied().unwrap_or("");
    let open: Vec<Unit> = all
        .iter()
        .filter(|u| u.is_valid_on(today))
        .cloned()
        .collect();
    html! {
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
    }
}

/// The form that imports a whole tree from a file.
fn import_form(admin: &Admin) -> Markup {
    html! {
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
    }
}

/// The stored old → new mappings, with the units' names.
fn mapping_table(all: &[Unit], maps: &[Mapping]) -> Markup {
    let name_of = |code: &str| {
        all.iter()
            .find(|u| u.code == code)
            .map_or_else(|| code.to_string(), |u| u.name.clone())
    };
    html! {
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
    }
}

/// The form that adds a mapping.
fn mapping_form(admin: &Admin, all: &[Unit]) -> Markup {
    html! {
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
    }
}

pub(super) async fn load(
    state: &web::Data<AppState>,
) -> Result<(Vec<Unit>, Vec<Mapping>), ApiError> {
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

/// The page again with the problems of a refused change (an error of the service: its page).
pub(super) async fn refused(
    state: &web::Data<AppState>,
    admin: &Admin,
    e: ApiError,
    anchor: impl Fn(&FieldError) -> Option<String>,
    new: HashMap<&'static str, &str>,
) -> Result<HttpResponse, PageError> {
    if e.status.is_server_error() {
        return Err(PageError(e));
    }
    let (all, maps) = load(state).await?;
    let problems = Problem::of(&e, anchor);
    Ok(render(
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
    ))
}
