//! `/admin/paper/checks`: phúc tra — draw a re-check sample (form, share or count per unit,
//! optional batch and seed), list the samples, open one (`/admin/paper/checks/{id}`) and record
//! each sheet's outcome, đúng or sai with the corrected values: the actions of
//! `service::paper::check`, as the JSON API calls them.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde_json::{Map, Value};

use super::{
    admin_form, admin_get, admin_page, csrf_field, error_summary, field, local_time, see_other,
    Admin, Problem,
};
use crate::service::paper::check::{self as actions, Sample, SampleInput};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::error::PageError;
use crate::web::state::AppState;

const PATH: &str = "/admin/paper/checks";

/// What the list page shows besides the samples: the form again after a refusal.
#[derive(Default)]
struct Draft<'a> {
    problems: Vec<Problem>,
    fields: Option<&'a HashMap<String, String>>,
}

impl Draft<'_> {
    fn value(&self, name: &str) -> &str {
        self.fields.map_or("", |f| field(f, name))
    }
}

fn state_text(state: &str) -> &'static str {
    match state {
        "agreed" => "Đã khớp",
        "reconciled" => "Đã đối chiếu",
        "waiting" => "Chờ nhập lần hai",
        _ => "Chênh lệch",
    }
}

fn outcome_text(outcome: Option<&str>) -> &'static str {
    match outcome {
        Some("correct") => "Đúng",
        Some("wrong") => "Sai (đã sửa)",
        _ => "Chưa phúc tra",
    }
}

fn render_list(
    status: StatusCode,
    admin: &Admin,
    state: &AppState,
    samples: &[Sample],
    draft: Draft<'_>,
) -> HttpResponse {
    let tz = state.config.tz;
    let mut forms: Vec<(String, String)> = state
        .forms
        .all()
        .map(|f| (f.form.id.clone(), f.form.title.clone()))
        .collect();
    forms.sort();
    let chosen = match draft.value("form") {
        "" => "sipas-dich-vu",
        f => f,
    };
    let body = html! {
        h1 { "Phúc tra phiếu giấy" }
        p { "Chọn ngẫu nhiên một mẫu phiếu giấy đã lưu (đã khớp hoặc đã đối chiếu) của mỗi đơn vị, rồi so từng phiếu trong mẫu với bản giấy. Cùng hạt giống và cùng các phiếu thì chọn ra đúng cùng một mẫu." }
        (error_summary("Chưa chọn được mẫu", &draft.problems))
        (draw_form(admin, &forms, chosen, &draft))
        h2 { "Các mẫu đã chọn" }
        @if samples.is_empty() {
            p { "Chưa có mẫu nào." }
        } @else {
            div.table-wrap {
                table #sample-table {
                    caption { "Mẫu phúc tra, mới nhất trước" }
                    thead { tr {
                        th scope="col" { "Mẫu" }
                        th scope="col" { "Phiếu khảo sát" }
                        th scope="col" { "Cỡ mẫu" }
                        th scope="col" { "Hạt giống" }
                        th scope="col" { "Người chọn" }
                        th scope="col" { "Đã phúc tra" }
                    } }
                    tbody {
                        @for s in samples {
                            @let (size, done) = s.done();
                            tr {
                                th scope="row" { a href={ (PATH) "/" (s.row.id) } { (local_time(s.row.drawn_at, tz)) } }
                                td { (s.row.form_id) }
                                td { (size_text(s)) }
                                td { (s.row.seed) }
                                td { (s.row.drawn_by) }
                                td { (done) " / " (size) }
                            }
                        }
                    }
                }
            }
        }
    };
    admin_page(status, "Phúc tra", admin, PATH, body)
}

/// The form that draws a sample, with what was typed after a refusal.
fn draw_form(admin: &Admin, forms: &[(String, String)], chosen: &str, draft: &Draft<'_>) -> Markup {
    html! {
    form.card method="post" action=(PATH) {
        fieldset {
            legend { "Chọn mẫu mới" }
            (csrf_field(admin))
            p {
                label for="form" { strong { "Phiếu khảo sát" } }
                select #form name="form" required {
                    @for (id, title) in forms {
                        option value=(id) selected[id == chosen] { (title) " (" (id) ")" }
                    }
                }
            }
            p {
                label for="share_percent" { strong { "Tỉ lệ mỗi đơn vị (%)" } }
                span.hint #share-hint { "Ví dụ 5 hoặc 2,5; làm tròn lên: đơn vị có phiếu thì có ít nhất một phiếu. Để trống nếu chọn theo số phiếu." }
                input #share_percent type="text" inputmode="decimal" name="share_percent" value=(draft.value("share_percent")) aria-describedby="share-hint";
            }
            p {
                label for="count_per_unit" { strong { "Hoặc số phiếu mỗi đơn vị" } }
                input #count_per_unit type="number" min="1" max="100000" name="count_per_unit" value=(draft.value("count_per_unit"));
            }
            p {
                label for="batch" { strong { "Chỉ đợt in (không bắt buộc)" } }
                span.hint #batch-hint { "Mã đợt in; để trống để chọn trong mọi đợt." }
                input #batch type="text" name="batch" value=(draft.value("batch")) aria-describedby="batch-hint";
            }
            p {
                label for="seed" { strong { "Hạt giống (không bắt buộc)" } }
                span.hint #seed-hint { "Số nguyên; để trống thì hệ thống tự chọn và ghi lại để có thể chọn lại đúng mẫu này." }
                input #seed type="text" inputmode="numeric" name="seed" value=(draft.value("seed")) aria-describedby="seed-hint";
            }
            p { button type="submit" { "Chọn mẫu" } }
        }
    }
    }
}

fn size_text(s: &Sample) -> String {
    let per_unit = match (s.size().and_then(|z| z.share_text()), s.row.count_per_unit) {
        (Some(share), _) => format!("{share} % mỗi đơn vị"),
        (None, Some(n)) => format!("{n} phiếu mỗi đơn vị"),
        _ => String::new(),
    };
    match &s.row.batch_id {
        Some(b) => format!("{per_unit}, đợt in {b}"),
        None => per_unit,
    }
}

async fn samples(
    state: &web::Data<AppState>,
    actor: crate::service::Actor,
) -> Result<Vec<Sample>, ApiError> {
    with_conn(state, move |conn| actions::list_samples(conn, &actor, None)).await
}

/// The samples and the form to draw one (admin; session cookie).
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, content_type = "text/html", description = "the samples and the form to draw one"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin")
    )
)]
#[get("/admin/paper/checks")]
pub async fn checks_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return Ok(response),
    };
    let list = samples(&state, client::actor(&req, &state, &admin.staff)).await?;
    Ok(render_list(
        StatusCode::OK,
        &admin,
        &state,
        &list,
        Draft::default(),
    ))
}

/// Draws a sample (admin; form with `csrf`, `form`, `share_percent` or `count_per_unit`,
/// `batch`, `seed`): to the sample's page.
#[utoipa::path(
    tag = "admin",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, form, share_percent or count_per_unit, batch, seed"),
    responses(
        (status = 303, description = "to the sample's page (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 404, content_type = "text/html", description = "unknown_form"),
        (status = 422, content_type = "text/html", description = "the form again with its errors")
    )
)]
#[post("/admin/paper/checks")]
pub async fn sample_draw(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) =
        match admin_form(&req, &state, payload, actions::SAMPLE_AUDIT_ACTION).await {
            Ok(found) => found,
            Err(response) => return Ok(response),
        };
    let form_id = field(&fields, "form").to_string();
    let loaded = state
        .forms
        .get(&form_id)
        .ok_or_else(|| ApiError::unknown_form(&form_id))?;
    let count = field(&fields, "count_per_unit");
    let mut problems = Vec::new();
    let count_per_unit = match count {
        "" => None,
        n => n.parse::<i64>().map(Some).unwrap_or_else(|_| {
            problems.push(Problem::new(
                Some("count_per_unit"),
                "Số phiếu mỗi đơn vị phải là một số nguyên.",
            ));
            None
        }),
    };
    let input = SampleInput {
        share_percent: Some(field(&fields, "share_percent").to_string()),
        count_per_unit,
        batch: Some(field(&fields, "batch").to_string()),
        seed: Some(field(&fields, "seed").to_string()),
    };
    let actor = client::actor(&req, &state, &admin.staff);
    let outcome = match problems.is_empty() {
        true => Some(
            with_conn(&state, move |conn| {
                actions::draw_sample(conn, &actor, &loaded.form, &input)
            })
            .await,
        ),
        false => None,
    };
    match outcome {
        Some(Ok(sample)) => Ok(see_other(&format!("{PATH}/{}", sample.row.id))),
        Some(Err(e)) if e.status.is_client_error() => {
            let list = samples(&state, client::actor(&req, &state, &admin.staff)).await?;
            let draft = Draft {
                problems: Problem::of(&e, |f| Some(f.field.clone())),
                fields: Some(&fields),
            };
            Ok(render_list(
                StatusCode::UNPROCESSABLE_ENTITY,
                &admin,
                &state,
                &list,
                draft,
            ))
        }
        Some(Err(e)) => Err(e.into()),
        None => {
            let list = samples(&state, client::actor(&req, &state, &admin.staff)).await?;
            let draft = Draft {
                problems,
                fields: Some(&fields),
            };
            Ok(render_list(
                StatusCode::UNPROCESSABLE_ENTITY,
                &admin,
                &state,
                &list,
                draft,
            ))
        }
    }
}

/// The stored answers as one line, `TC1=5 TC2=4 …`.
fn answers_line(answers: &Map<String, Value>) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    answers
        .iter()
        .map(|(k, v)| format!("{k}={}", text(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `TC1=2 TC2=1` (spaces, commas or semicolons between): numbers as numbers, `TC1=` clears.
fn parse_corrections(text: &str) -> Result<Option<Map<String, Value>>, String> {
    let mut out = Map::new();
    for pair in text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|p| !p.is_empty())
    {
        let Some((code, value)) = pair.split_once('=') else {
            return Err(format!("“{pair}” không có dạng MÃ=giá trị, ví dụ TC1=4."));
        };
        let value = match value.trim() {
            "" => Value::Null,
            v => v
                .parse::<i64>()
                .map_or_else(|_| Value::String(v.to_string()), Value::from),
        };
        out.insert(code.trim().to_string(), value);
    }
    Ok((!out.is_empty()).then_some(out))
}

mod sample;
pub use sample::{check_record, sample_page};
