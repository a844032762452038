//! `/admin/paper/checks/{id}`: one sample's sheets, each with its stored answers to compare with
//! the paper and, until checked, a form for the outcome: đúng, or sai with the corrected values
//! (`TC1=2 TC3=4`) and/or survey date.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::html;

use super::super::{
    admin_form, admin_get, admin_page, csrf_field, error_summary, field, local_time, notice,
    see_other, Admin, Problem,
};
use super::{answers_line, outcome_text, parse_corrections, size_text, state_text, PATH};
use crate::service::paper::check::{
    self as actions, CheckContext, CheckInput, Sample, StoredSheetAnswers,
};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::error::PageError;
use crate::web::state::AppState;

/// A sheet's form sent again after a refusal: its number, the problems, the fields.
struct Refused<'a> {
    sheet: String,
    problems: Vec<Problem>,
    fields: &'a HashMap<String, String>,
}

fn render(
    status: StatusCode,
    admin: &Admin,
    state: &AppState,
    sample: &Sample,
    answers: &HashMap<String, StoredSheetAnswers>,
    done: Option<&str>,
    refused: Option<Refused<'_>>,
) -> HttpResponse {
    let tz = state.config.tz;
    let (size, checked) = sample.done();
    let id = &sample.row.id;
    let body = html! {
        p { a href=(PATH) { "← Các mẫu phúc tra" } }
        h1 { "Mẫu phúc tra " (local_time(sample.row.drawn_at, tz)) }
        dl.facts {
            dt { "Phiếu khảo sát" } dd { (sample.row.form_id) }
            dt { "Cỡ mẫu" } dd { (size_text(sample)) }
            dt { "Hạt giống" } dd { (sample.row.seed) }
            dt { "Người chọn" } dd { (sample.row.drawn_by) }
            dt { "Đã phúc tra" } dd { (checked) " / " (size) }
        }
        p.hint { "So từng phiếu với bản giấy. Đúng: chọn “Đúng” rồi Ghi. Sai: chọn “Sai”, gõ các giá trị đúng dạng MÃ=giá trị cách nhau bằng dấu cách (ví dụ TC1=4 TT2=5; MÃ= để xoá), và/hoặc ngày khảo sát đúng. Người đã nhập phiếu không được phúc tra phiếu đó." }
        (notice(done))
        @if let Some(r) = &refused {
            (error_summary(&format!("Chưa ghi được kết quả phiếu {}", r.sheet), &r.problems))
        }
        @for s in &sample.sheets {
            @let slug = s.sheet.replace(|c: char| !c.is_ascii_alphanumeric(), "-");
            @let again = refused.as_ref().filter(|r| r.sheet == s.sheet);
            @let value = |name: &str| again.map_or(String::new(), |r| field(r.fields, name).to_string());
            section.card aria-labelledby={ "h-" (slug) } {
                h2 #{ "h-" (slug) } { "Phiếu " (s.sheet) }
                p { (state_text(&s.state)) " · " strong { (outcome_text(s.outcome.as_deref())) }
                    @if let Some(by) = &s.checked_by { " · phúc tra bởi " (by) } }
                @if let Some((stored, at)) = answers.get(&s.sheet) {
                    p { "Ngày khảo sát đã lưu: " (local_time(*at, tz)) }
                    p { "Câu trả lời đã lưu: " code { (answers_line(stored)) } }
                }
                @if s.outcome.is_none() {
                    form.inline method="post" action={ (PATH) "/" (id) } {
                        (csrf_field(admin))
                        input type="hidden" name="sheet" value=(s.sheet);
                        fieldset {
                            legend { "Kết quả phiếu " (s.sheet) }
                            label { input type="radio" name="outcome" value="correct" required checked[value("outcome") != "wrong"]; " Đúng" }
                            label { input type="radio" name="outcome" value="wrong" checked[value("outcome") == "wrong"]; " Sai" }
                        }
                        label for={ "c-" (slug) } { "Giá trị đúng" }
                        input #{ "c-" (slug) } type="text" name="corrections" value=(value("corrections")) placeholder="TC1=4 TT2=5";
                        label for={ "d-" (slug) } { "Ngày khảo sát đúng" }
                        input #{ "d-" (slug) } type="date" name="survey_date" value=(value("survey_date"));
                        button type="submit" { "Ghi" }
                    }
                }
            }
        }
    };
    admin_page(status, "Mẫu phúc tra", admin, PATH, body)
}

async fn load(
    state: &web::Data<AppState>,
    actor: crate::service::Actor,
    id: String,
) -> Result<(Sample, HashMap<String, StoredSheetAnswers>), ApiError> {
    with_conn(state, move |conn| {
        let sample = actions::get_sample(conn, &actor, &id)?;
        let answers = actions::sample_answers(conn, &actor, &sample)?;
        Ok::<_, crate::service::ServiceError>((sample, answers))
    })
    .await
}

/// One sample: its sheets, their stored answers and outcomes, the forms to record them (admin).
#[utoipa::path(
    tag = "admin",
    params(("id" = String, Path, description = "sample id"), ("done" = Option<String>, Query, description = "the sheet just recorded")),
    responses(
        (status = 200, content_type = "text/html", description = "the sample"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin"),
        (status = 404, content_type = "text/html", description = "no such sample")
    )
)]
#[get("/admin/paper/checks/{id}")]
pub async fn sample_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return Ok(response),
    };
    let actor = client::actor(&req, &state, &admin.staff);
    let (sample, answers) = load(&state, actor, path.into_inner()).await?;
    let done = field(&query, "done");
    let text = (!done.is_empty()).then(|| format!("Đã ghi kết quả phúc tra phiếu {done}."));
    Ok(render(
        StatusCode::OK,
        &admin,
        &state,
        &sample,
        &answers,
        text.as_deref(),
        None,
    ))
}

/// Records one sheet's outcome (admin; form with `csrf`, `sheet`, `outcome`, `corrections`,
/// `survey_date`): back to the sample.
#[utoipa::path(
    tag = "admin",
    params(("id" = String, Path, description = "sample id")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, sheet, outcome (correct or wrong), corrections (CODE=value …), survey_date"),
    responses(
        (status = 303, description = "back to the sample (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, the CSRF field is missing or wrong, or own_sheet"),
        (status = 404, content_type = "text/html", description = "no such sample, or sheet_not_in_sample"),
        (status = 409, content_type = "text/html", description = "already_checked"),
        (status = 422, content_type = "text/html", description = "the sample again with the errors")
    )
)]
#[post("/admin/paper/checks/{id}")]
pub async fn check_record(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) = match admin_form(&req, &state, payload, actions::CHECK_AUDIT_ACTION).await
    {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let id = path.into_inner();
    let sheet = field(&fields, "sheet").to_string();
    let outcome = match parse_corrections(field(&fields, "corrections")) {
        Ok(answers) => {
            let input = CheckInput {
                sheet: sheet.clone(),
                outcome: field(&fields, "outcome").to_string(),
                answers,
                survey_date: Some(field(&fields, "survey_date").to_string()),
            };
            let (actor, st, sample) = (
                client::actor(&req, &state, &admin.staff),
                state.clone(),
                id.clone(),
            );
            with_conn(&state, move |conn| {
                let cx = CheckContext {
                    forms: &st.forms,
                    tz: st.config.tz,
                    keys: &st.keys,
                    cache: st.report_cache.as_deref(),
                };
                actions::record_check(conn, &actor, &cx, &sample, &input)
            })
            .await
            .map(|checked| checked.sheet)
        }
        Err(message) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message.clone(),
            message,
        )),
    };
    match outcome {
        Ok(recorded) => Ok(see_other(&format!("{PATH}/{id}?done={recorded}"))),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let actor = client::actor(&req, &state, &admin.staff);
            let (sample, answers) = load(&state, actor, id).await?;
            let problems = Problem::of(&e, |_| None);
            let refused = Refused {
                sheet,
                problems,
                fields: &fields,
            };
            Ok(render(
                e.status,
                &admin,
                &state,
                &sample,
                &answers,
                None,
                Some(refused),
            ))
        }
        Err(e) => Err(e.into()),
    }
}
