//! `/admin/forms`: the forms with their versions, and the upload of a form file (a new form or a
//! new version), checked like `sipas forms check`: the problems by line, or the new version.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::html;

use std::collections::HashMap;

use super::{
    admin_get, admin_multipart, admin_page, csrf_field, error_summary, field, local_time,
    see_other, Admin, Problem,
};
use crate::forms::upload::Uploaded;
use crate::service::forms::{self, Versions};
use crate::service::Actor;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::error::PageError;
use crate::web::state::AppState;
use crate::web::BODY_LIMIT;

/// A form file of at most 64 KiB, with room for the multipart wrapping and the CSRF field.
const PAGE_BODY_LIMIT: usize = BODY_LIMIT + 8 * 1024;

async fn versions(state: &web::Data<AppState>, actor: Actor) -> Result<Versions, ApiError> {
    let ids: Vec<String> = state.forms.all().map(|f| f.form.id.clone()).collect();
    with_conn(state, move |conn| forms::versions(conn, &actor, &ids)).await
}

/// What an upload did, as the page after the redirect shows it (`?done=&form=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DoneKind {
    Created,
    Version,
    Unchanged,
}

impl DoneKind {
    fn of(uploaded: &Uploaded) -> DoneKind {
        match (uploaded.changed, uploaded.previous_version) {
            (false, _) => DoneKind::Unchanged,
            (true, Some(_)) => DoneKind::Version,
            (true, None) => DoneKind::Created,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            DoneKind::Created => "created",
            DoneKind::Version => "version",
            DoneKind::Unchanged => "unchanged",
        }
    }

    fn parse(s: &str) -> Option<DoneKind> {
        [DoneKind::Created, DoneKind::Version, DoneKind::Unchanged]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The confirmation of an upload: the form as it is live now.
struct Done {
    kind: DoneKind,
    id: String,
    title: String,
    version: i32,
}

/// A channel as an administrator reads it.
fn channel_vi(channel: crate::domain::Channel) -> &'static str {
    use crate::domain::Channel;
    match channel {
        Channel::Kiosk => "máy tính bảng tại quầy",
        Channel::Phone => "điện thoại",
        Channel::Web => "trang web",
        Channel::Paper => "phiếu giấy",
    }
}

fn render(
    status: StatusCode,
    admin: &Admin,
    state: &AppState,
    versions: &Versions,
    uploaded: Option<&Done>,
    problems: &[Problem],
) -> HttpResponse {
    let tz = state.config.tz;
    let body = html! {
        h1 { "Phiếu khảo sát" }
        (error_summary("Tệp phiếu chưa được nhận", problems))
        @if let Some(u) = uploaded {
            div.notice role="status" #upload-result {
                @match u.kind {
                    DoneKind::Unchanged => p { "Nội dung tệp giống phiên bản đang dùng (phiên bản " (u.version) ") của phiếu “" (u.title) "”: không có gì thay đổi." },
                    DoneKind::Version => p { "Đã lưu phiếu “" (u.title) "” (" code { (u.id) } "): phiên bản " strong { (u.version) } " đang được dùng. Các phiếu đã trả lời giữ phiên bản của chúng." },
                    DoneKind::Created => p { "Đã thêm phiếu mới “" (u.title) "” (" code { (u.id) } "), phiên bản " strong { (u.version) } "." },
                }
            }
        }
        form.card method="post" action="/admin/forms" enctype="multipart/form-data" {
            fieldset {
                legend { "Tải lên tệp phiếu (TOML)" }
                (csrf_field(admin))
                p.hint #file-hint {
                    "Tệp được kiểm tra như lệnh " code { "sipas forms check" } ". Một phiếu đã có (cùng " code { "id" } ") sẽ có phiên bản mới; "
                    "mã câu hỏi là định danh cố định: câu đã có câu trả lời không được xoá hay đổi loại. Tối đa 64 KiB."
                }
                p {
                    label for="file" { strong { "Tệp phiếu" } }
                    input #file type="file" name="file" accept=".toml,application/toml,text/plain" required aria-describedby="file-hint";
                }
                p { button type="submit" { "Kiểm tra và tải lên" } }
            }
        }
        h2 { "Các phiếu đang dùng" }
        div.table-wrap {
            table #form-table {
                caption { "Phiếu và phiên bản đang dùng" }
                thead { tr {
                    th scope="col" { "Mã phiếu" }
                    th scope="col" { "Tên phiếu" }
                    th scope="col" { "Phiên bản đang dùng" }
                    th scope="col" { "Mục tiêu" }
                    th scope="col" { "Kênh" }
                    th scope="col" { "Các phiên bản đã lưu" }
                } }
                tbody {
                    @for f in state.forms.all() {
                        tr id={ "form-" (f.form.id) } {
                            th scope="row" { code { (f.form.id) } }
                            td { (f.form.title) @if f.form.invitation_only { br; small { "(chỉ theo thư mời)" } } }
                            td.num { (f.version) }
                            td.num { (crate::reporting::fragments::pct(Some(f.form.target))) }
                            td { (f.form.channels.iter().map(|c| channel_vi(*c)).collect::<Vec<_>>().join(", ")) }
                            td {
                                @if let Some((_, rows)) = versions.iter().find(|(id, _)| *id == f.form.id) {
                                    ul.versions {
                                        @for (row, n) in rows {
                                            li {
                                                "Phiên bản " (row.version) ": nạp " (local_time(row.loaded_at, tz))
                                                ", " (n) " phiếu"
                                                @if row.version == f.version { " — " strong { "đang dùng" } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    admin_page(status, "Phiếu khảo sát", admin, "/admin/forms", body)
}

/// The forms and their versions (admin; session cookie).
#[utoipa::path(
    tag = "admin",
    params(
        ("done" = Option<String>, Query, description = "confirm an upload: created, version, unchanged"),
        ("form" = Option<String>, Query, description = "the uploaded form's id")
    ),
    responses(
        (status = 200, content_type = "text/html", description = "forms, versions and the upload form"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin")
    )
)]
#[get("/admin/forms")]
pub async fn forms_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return Ok(response),
    };
    let done = DoneKind::parse(field(&query, "done")).and_then(|kind| {
        state.forms.get(field(&query, "form")).map(|f| Done {
            kind,
            id: f.form.id.clone(),
            title: f.form.title.clone(),
            version: f.version,
        })
    });
    let actor = Actor::staff(&admin.staff, client::address_hash(&req, &state));
    let versions = versions(&state, actor).await?;
    Ok(render(
        StatusCode::OK,
        &admin,
        &state,
        &versions,
        done.as_ref(),
        &[],
    ))
}

/// Uploads a form file (admin; `multipart/form-data` with `csrf` and `file`): the new version, or
/// the problems by line.
#[utoipa::path(
    tag = "admin",
    request_body(content_type = "multipart/form-data", description = "csrf, file (the form's TOML)"),
    responses(
        (status = 303, description = "after an upload, to /admin/forms?done=created|version|unchanged&form=ID (the confirmation); to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 422, content_type = "text/html", description = "the problems of the file by line, or changes that would break stored answers")
    )
)]
#[post("/admin/forms")]
pub async fn form_upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, parts) = match admin_multipart(
        &req,
        &state,
        payload,
        crate::forms::upload::AUDIT_ACTION,
        PAGE_BODY_LIMIT,
    )
    .await
    {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let file = parts
        .get("file")
        .map(|p| p.data.clone())
        .unwrap_or_default();
    let actor = Actor::staff(&admin.staff, client::address_hash(&req, &state));
    let problems = if file.is_empty() {
        vec![Problem::new(
            Some("file"),
            "Hãy chọn một tệp phiếu (.toml).",
        )]
    } else if file.len() > BODY_LIMIT {
        vec![Problem::new(Some("file"), "Tệp lớn hơn 64 KiB.")]
    } else {
        let (registry, dir) = (state.forms.clone(), state.config.forms_dir.clone());
        let upload = actor.clone();
        let uploaded = with_conn(&state, move |conn| {
            forms::upload(conn, &upload, &registry, &dir, &file)
        })
        .await;
        match uploaded {
            // After the upload, the page again by GET: F5 does not send the file again.
            Ok(uploaded) => {
                return Ok(see_other(&format!(
                    "/admin/forms?done={}&form={}",
                    DoneKind::of(&uploaded).as_str(),
                    uploaded.loaded.form.id
                )));
            }
            Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
                Problem::of(&e, |_| Some("file".to_string()))
            }
            Err(e) => return Err(e.into()),
        }
    };
    let versions = versions(&state, actor).await?;
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &admin,
        &state,
        &versions,
        None,
        &problems,
    ))
}
