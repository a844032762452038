//! `GET /api/v1/forms`, `GET /api/v1/forms/{form_id}`.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Channel;
use crate::forms::{Form, IndexMethod};
use crate::web::error::{ApiError, ErrorBody};
use crate::web::state::AppState;

/// A form in the list of forms.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormSummary {
    pub id: String,
    pub version: i32,
    pub title: String,
    pub target: f64,
    pub index_method: IndexMethod,
    pub channels: Vec<Channel>,
    pub invitation_only: bool,
}

/// A form's full definition with its current version.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormDefinition {
    pub version: i32,
    #[serde(flatten)]
    pub form: Form,
}

/// The forms offered now.
#[utoipa::path(tag = "forms", responses((status = 200, body = [FormSummary])))]
#[get("/forms")]
pub async fn list_forms(state: web::Data<AppState>) -> HttpResponse {
    let list: Vec<FormSummary> = state
        .forms
        .all()
        .map(|f| FormSummary {
            id: f.form.id.clone(),
            version: f.version,
            title: f.form.title.clone(),
            target: f.form.target,
            index_method: f.form.index_method,
            channels: f.form.channels.clone(),
            invitation_only: f.form.invitation_only,
        })
        .collect();
    HttpResponse::Ok().json(list)
}

/// One form: codes, labels, options, elements, parts, target, index method and routing.
#[utoipa::path(
    tag = "forms",
    params(("form_id" = String, Path, description = "Form id, e.g. sipas-dich-vu")),
    responses((status = 200, body = FormDefinition), (status = 404, body = ErrorBody, description = "unknown_form"))
)]
#[get("/forms/{form_id}")]
pub async fn get_form(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let loaded = state
        .forms
        .get(&path)
        .ok_or_else(|| ApiError::unknown_form(&path))?;
    Ok(HttpResponse::Ok().json(FormDefinition {
        version: loaded.version,
        form: loaded.form.clone(),
    }))
}
