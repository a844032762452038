//! `/admin/users`: staff accounts — list, create, change role, disable / enable, reset a password.
//! Every change goes through `service::users`, as the JSON API's does, which writes it with its
//! audit record and ends the user's sessions.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::{
    admin_form, admin_get, admin_page, csrf_field, error_summary, field, local_time, notice,
    see_other, Admin, Problem,
};
use crate::domain::{FieldError, Role};
use crate::service::users::{self, AccountChange, NewAccount};
use crate::service::Actor;
use crate::store::models::UserRow;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::error::PageError;
use crate::web::session::{clear_session_cookies, cookies_secure};
use crate::web::state::AppState;

const ROLES: &[(Role, &str)] = &[
    (Role::Admin, "Quản trị (admin)"),
    (Role::Analyst, "Phân tích (analyst)"),
    (Role::Clerk, "Nhập phiếu (clerk)"),
];

fn role_label(role: &str) -> &str {
    ROLES
        .iter()
        .find(|(r, _)| r.as_str() == role)
        .map_or(role, |(_, l)| *l)
}

const PASSWORD_HINT: &str =
    "Ít nhất 12 ký tự, có nhiều loại ký tự (chữ, số, ký hiệu), không trùng tên đăng nhập.";

/// What the page shows besides the list.
#[derive(Default)]
struct View<'a> {
    problems: Vec<Problem>,
    username: &'a str,
    role: &'a str,
    done: Option<&'a str>,
}

fn role_select(id: &str, name: &str, selected: &str) -> Markup {
    html! {
        select #(id) name=(name) required {
            @for (role, label) in ROLES {
                option value=(role.as_str()) selected[role.as_str() == selected] { (label) }
            }
        }
    }
}

fn render(
    status: StatusCode,
    admin: &Admin,
    state: &AppState,
    rows: &[UserRow],
    view: View<'_>,
) -> HttpResponse {
    let tz = state.config.tz;
    let body = html! {
        h1 { "Tài khoản cán bộ" }
        (error_summary("Chưa thực hiện được", &view.problems))
        (notice(view.done))
        (create_form(admin, &view))
        h2 { "Các tài khoản" }
        div.table-wrap {
            table #user-table {
                caption { "Tài khoản theo tên đăng nhập" }
                thead { tr {
                    th scope="col" { "Tên đăng nhập" }
                    th scope="col" { "Vai trò" }
                    th scope="col" { "Trạng thái" }
                    th scope="col" { "Ngày tạo" }
                    th scope="col" { "Đổi vai trò" }
                    th scope="col" { "Khoá / mở khoá" }
                    th scope="col" { "Đặt lại mật khẩu" }
                } }
                tbody {
                    @for u in rows {
                        (user_row(admin, u, tz))
                    }
                }
            }
        }
        p.hint { "Mọi thay đổi vai trò, trạng thái hay mật khẩu đều kết thúc các phiên đăng nhập của tài khoản đó. " (PASSWORD_HINT) }
    };
    admin_page(status, "Tài khoản", admin, "/admin/users", body)
}

/// The form that creates an account, with what was sent last time (the password aside).
fn create_form(admin: &Admin, view: &View<'_>) -> Markup {
    html! {
        form.card method="post" action="/admin/users" {
            fieldset {
                legend { "Tạo tài khoản" }
                (csrf_field(admin))
                p {
                    label for="username" { strong { "Tên đăng nhập" } }
                    span.hint #username-hint { "3–64 ký tự: chữ thường không dấu, chữ số, '.', '_' hoặc '-'." }
                    input #username type="text" name="username" value=(view.username) autocomplete="off" required aria-describedby="username-hint";
                }
                p {
                    label for="role" { strong { "Vai trò" } }
                    (role_select("role", "role", if view.role.is_empty() { "analyst" } else { view.role }))
                }
                p {
                    label for="password" { strong { "Mật khẩu ban đầu" } }
                    span.hint #password-hint { (PASSWORD_HINT) }
                    input #password type="password" name="password" autocomplete="new-password" required aria-describedby="password-hint";
                }
                p { button type="submit" { "Tạo tài khoản" } }
            }
        }
    }
}

/// One account and the forms that change it (not its role nor its lock for one's own).
fn user_row(admin: &Admin, u: &UserRow, tz: chrono_tz::Tz) -> Markup {
    let own = u.username == admin.staff.username;
    html! {
        tr {
            th scope="row" { (u.username) @if own { " (bạn)" } }
            td { (role_label(&u.role)) }
            td { @if u.disabled { "Đã khoá" } @else { "Đang hoạt động" } }
            td { (local_time(u.created_at, tz)) }
            @if own {
                td.own colspan="2" { "Không đổi vai trò hay khoá được chính tài khoản của bạn; hãy nhờ một quản trị viên khác." }
            } @else {
            td {
                form.inline method="post" action={ "/admin/users/" (u.id) "/role" } {
                    (csrf_field(admin))
                    label.visually-hidden for={ "role-" (u.id) } { "Vai trò mới của " (u.username) }
                    (role_select(&format!("role-{}", u.id), "role", &u.role))
                    button.secondary type="submit" { "Đổi" }
                }
            }
            td {
                form.inline method="post" action={ "/admin/users/" (u.id) "/disabled" } {
                    (csrf_field(admin))
                    @if u.disabled {
                        input type="hidden" name="disabled" value="false";
                        button.secondary type="submit" aria-label={ "Mở khoá " (u.username) } { "Mở khoá" }
                    } @else {
                        input type="hidden" name="disabled" value="true";
                        button.secondary type="submit" aria-label={ "Khoá " (u.username) } { "Khoá" }
                    }
                }
            }
            }
            td {
                form.inline method="post" action={ "/admin/users/" (u.id) "/password" } {
                    (csrf_field(admin))
                    label.visually-hidden for={ "pw-" (u.id) } { "Mật khẩu mới của " (u.username) }
                    input id={ "pw-" (u.id) } type="password" name="new_password" autocomplete="new-password" required;
                    button.secondary type="submit" { "Đặt lại" }
                }
            }
        }
    }
}

/// The acting administrator of a request.
async fn list(state: &web::Data<AppState>, actor: Actor) -> Result<Vec<UserRow>, ApiError> {
    with_conn(state, move |conn| users::list(conn, &actor)).await
}

/// 422 for a role that is not one of the options.
fn not_a_role() -> ApiError {
    ApiError::validation(vec![FieldError::new(
        "role",
        "not_an_option",
        "Hãy chọn một vai trò.",
        "Choose a role.",
    )])
}

/// The page again with the problems of a refused change (a server error is its error page).
async fn refused(
    state: &web::Data<AppState>,
    admin: &Admin,
    actor: Actor,
    e: ApiError,
    anchor: impl Fn(&str) -> String,
    view: View<'_>,
) -> Result<HttpResponse, PageError> {
    if e.status.is_server_error() {
        return Err(e.into());
    }
    let rows = list(state, actor).await?;
    let problems = Problem::of(&e, |f| Some(anchor(&f.field)));
    Ok(render(
        e.status,
        admin,
        state,
        &rows,
        View { problems, ..view },
    ))
}

/// A refused change of one account: the error page for an account that does not exist, else the
/// page again with the problem beside that account's field `anchor`.
async fn refused_change(
    state: &web::Data<AppState>,
    admin: &Admin,
    actor: Actor,
    e: ApiError,
    anchor: String,
) -> Result<HttpResponse, PageError> {
    if e.status == StatusCode::NOT_FOUND {
        return Err(e.into());
    }
    refused(state, admin, actor, e, |_| anchor.clone(), View::default()).await
}

/// The accounts (admin; session cookie).
#[utoipa::path(
    tag = "admin",
    params(("done" = Option<String>, Query, description = "confirm a change: created, role, disabled, enabled, password")),
    responses(
        (status = 200, content_type = "text/html", description = "the accounts and the forms to change them"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin")
    )
)]
#[get("/admin/users")]
pub async fn users_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return Ok(response),
    };
    let rows = list(&state, client::actor(&req, &state, &admin.staff)).await?;
    let done = match field(&query, "done") {
        "created" => Some("Đã tạo tài khoản."),
        "role" => Some("Đã đổi vai trò; các phiên đăng nhập của tài khoản đó đã kết thúc."),
        "disabled" => Some("Đã khoá tài khoản; các phiên đăng nhập của tài khoản đó đã kết thúc."),
        "enabled" => Some("Đã mở khoá tài khoản."),
        "password" => {
            Some("Đã đặt lại mật khẩu; các phiên đăng nhập của tài khoản đó đã kết thúc.")
        }
        _ => None,
    };
    let view = View {
        done,
        ..View::default()
    };
    Ok(render(StatusCode::OK, &admin, &state, &rows, view))
}

/// Creates an account (admin; form with `csrf`, `username`, `role`, `password`).
#[utoipa::path(
    tag = "admin",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, username, role, password"),
    responses(
        (status = 303, description = "to /admin/users (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 409, content_type = "text/html", description = "the username exists"),
        (status = 422, content_type = "text/html", description = "the form again with its errors")
    )
)]
#[post("/admin/users")]
pub async fn user_create(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) = match admin_form(&req, &state, payload, "user.create").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let actor = client::actor(&req, &state, &admin.staff);
    let username = field(&fields, "username").to_string();
    let role_text = field(&fields, "role").to_string();
    let Ok(role) = role_text.parse::<Role>() else {
        let view = View {
            username: &username,
            ..View::default()
        };
        return refused(&state, &admin, actor, not_a_role(), str::to_string, view).await;
    };
    let new = NewAccount {
        username: username.clone(),
        role,
        password: fields.get("password").cloned().unwrap_or_default(),
        via: None,
    };
    let creator = actor.clone();
    match with_conn(&state, move |conn| users::create(conn, &creator, new)).await {
        Ok(_) => Ok(see_other("/admin/users?done=created")),
        Err(e) => {
            let view = View {
                username: &username,
                role: &role_text,
                ..View::default()
            };
            let anchor = |f: &str| {
                if f == "username" {
                    "username".into()
                } else {
                    "password".into()
                }
            };
            refused(&state, &admin, actor, e, anchor, view).await
        }
    }
}

/// Changes a user's role (admin; form with `csrf`, `role`).
#[utoipa::path(
    tag = "admin",
    params(("id" = String, Path, description = "the user's id")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, role"),
    responses(
        (status = 303, description = "to /admin/users (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 404, content_type = "text/html", description = "no such user"),
        (status = 409, content_type = "text/html", description = "one's own account, or the last admin")
    )
)]
#[post("/admin/users/{id}/role")]
pub async fn user_role(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    update(req, state, path.into_inner(), payload, Change::Role).await
}

/// Disables or re-enables an account (admin; form with `csrf`, `disabled` = `true` | `false`).
#[utoipa::path(
    tag = "admin",
    params(("id" = String, Path, description = "the user's id")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, disabled (true or false)"),
    responses(
        (status = 303, description = "to /admin/users (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 404, content_type = "text/html", description = "no such user"),
        (status = 409, content_type = "text/html", description = "one's own account, or the last admin")
    )
)]
#[post("/admin/users/{id}/disabled")]
pub async fn user_disabled(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    update(req, state, path.into_inner(), payload, Change::Disabled).await
}

enum Change {
    Role,
    Disabled,
}

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: String,
    payload: web::Payload,
    change: Change,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) = match admin_form(&req, &state, payload, "user.update").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let id = users::user_id(&path)?;
    let actor = client::actor(&req, &state, &admin.staff);
    let anchor = format!("role-{id}");
    let (asked, done) = match change {
        Change::Role => match field(&fields, "role").parse::<Role>() {
            Ok(role) => (AccountChange::role(role), "role"),
            Err(()) => return refused_change(&state, &admin, actor, not_a_role(), anchor).await,
        },
        Change::Disabled => match field(&fields, "disabled") {
            "true" => (AccountChange::disabled(true), "disabled"),
            "false" => (AccountChange::disabled(false), "enabled"),
            _ => return Err(ApiError::validation(Vec::new()).into()),
        },
    };
    let changer = actor.clone();
    match with_conn(&state, move |conn| {
        users::update(conn, &changer, &id, asked)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/admin/users?done={done}"))),
        Err(e) => refused_change(&state, &admin, actor, e, anchor).await,
    }
}

/// Sets a new password for a user (admin; form with `csrf`, `new_password`). Resetting one's own
/// ends one's own session: to `/login`.
#[utoipa::path(
    tag = "admin",
    params(("id" = String, Path, description = "the user's id")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, new_password"),
    responses(
        (status = 303, description = "to /admin/users (or to /login: without a session, or after resetting one's own)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 404, content_type = "text/html", description = "no such user"),
        (status = 422, content_type = "text/html", description = "the password breaks the policy")
    )
)]
#[post("/admin/users/{id}/password")]
pub async fn user_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) = match admin_form(&req, &state, payload, "user.password_reset").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let id = users::user_id(&path)?;
    let actor = client::actor(&req, &state, &admin.staff);
    let password = fields.get("new_password").cloned().unwrap_or_default();
    let (resetter, target) = (actor.clone(), id.clone());
    let outcome = with_conn(&state, move |conn| {
        users::reset_password(conn, &resetter, &target, &password)
    })
    .await;
    match outcome {
        Ok(_) if id == admin.staff.id.0 => {
            // One's own sessions ended with the reset: log in again with the new password.
            let mut response = HttpResponse::SeeOther();
            response
                .insert_header((actix_web::http::header::LOCATION, "/login"))
                .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
            clear_session_cookies(&mut response, cookies_secure(&req, &state.config));
            Ok(response.finish())
        }
        Ok(_) => Ok(see_other("/admin/users?done=password")),
        Err(e) => refused_change(&state, &admin, actor, e, format!("pw-{id}")).await,
    }
}
