//! Invitations to invitation-only forms: `POST /api/v1/forms/{form_id}/invitations` (admin) and
//! `GET /api/v1/forms/{form_id}/invitations/stats` (admin, analyst), calling their actions in
//! `service::invitations`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Role;
use crate::platform::qr::Qr;
use crate::reporting::reports;
use crate::service::invitations::{self, GroupUse, NewBatch};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_json, StaffUser};
use crate::web::links::{invitation_url, public_base};
use crate::web::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitations {
    /// How many single-use invitations (1–1000).
    pub count: u32,
    /// Respondent group for the response-rate statistics: one of the options of the form's `nhom`
    /// question (e.g. `dai_bieu_hdnd`), or `chung` for a form without one; another → 422
    /// `validation_failed` with field `group`, code `unknown_group`.
    pub group: String,
    /// Unit the responses count for; default the root of today's unit tree.
    pub unit: Option<String>,
    /// The last local day the invitations may be answered (`YYYY-MM-DD`, inclusive; not before
    /// today, else 422 field `deadline` code `in_past`). After it, `/i/{token}` shows an
    /// "expired" page and submissions get 410 `invitation_expired`. Default: no deadline.
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<chrono::NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    /// Single-use token (shown only here; the service keeps a hash).
    pub token: String,
    /// `{base}/i/{token}`.
    pub url: String,
    /// QR code of `url`, `data:image/png;base64,…`.
    pub qr_png: String,
    /// QR code of `url`, `data:image/svg+xml;base64,…`.
    pub qr_svg: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationsOut {
    pub invitations: Vec<InvitationOut>,
}

/// Issues single-use invitations to a form for one respondent group (admin).
#[utoipa::path(
    tag = "invitations",
    params(("form_id" = String, Path)),
    request_body(content = NewInvitations, content_type = "application/json"),
    responses(
        (status = 201, body = InvitationsOut),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form, unknown_unit"), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
#[post("/forms/{form_id}/invitations")]
pub async fn create_invitations(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    client::require_role(
        &req,
        &state,
        &staff.0,
        &[Role::Admin],
        invitations::CREATE_AUDIT_ACTION,
    )
    .await?;
    let loaded = state
        .forms
        .get(&path)
        .ok_or_else(|| ApiError::unknown_form(&path))?;
    let body: NewInvitations = read_json(&req, payload).await?;
    let today = reports::today(state.config.tz);
    let batch = NewBatch {
        count: body.count,
        group: body.group,
        unit: body.unit,
        deadline: body.deadline,
    };
    let actor = client::actor(&req, &state, &staff.0);
    let tokens = with_conn(&state, move |conn| {
        invitations::create_invitations(conn, &actor, &loaded, &batch, None, today)
    })
    .await?;
    let base = public_base(&req, &state.config);
    let invitations = web::block(move || {
        tokens
            .into_iter()
            .map(|token| {
                let url = invitation_url(&base, &token);
                let qr = Qr::encode(&url)?;
                Ok(InvitationOut {
                    qr_png: qr.png_data_uri(6)?,
                    qr_svg: qr.svg_data_uri(),
                    token,
                    url,
                })
            })
            .collect::<Result<Vec<_>, crate::platform::qr::QrError>>()
    })
    .await?
    .map_err(|e| {
        tracing::error!(error = %e, "QR rendering failed");
        ApiError::internal()
    })?;
    Ok(HttpResponse::Created().json(InvitationsOut { invitations }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupStats {
    pub group: String,
    pub issued: i64,
    pub used: i64,
    /// used / issued, in percent (2 decimals).
    pub rate: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationStats {
    pub form: String,
    pub groups: Vec<GroupStats>,
    pub total: GroupStats,
}

impl From<GroupUse> for GroupStats {
    fn from(g: GroupUse) -> Self {
        let rate = if g.issued > 0 {
            (g.used as f64 * 10_000.0 / g.issued as f64).round() / 100.0
        } else {
            0.0
        };
        GroupStats {
            group: g.group,
            issued: g.issued,
            used: g.used,
            rate,
        }
    }
}

/// Invitations issued and used per respondent group, and the response rate (admin, analyst).
#[utoipa::path(
    tag = "invitations",
    params(("form_id" = String, Path)),
    responses((status = 200, body = InvitationStats), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/forms/{form_id}/invitations/stats")]
pub async fn invitation_stats(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Admin, Role::Analyst])?;
    let loaded = state
        .forms
        .get(&path)
        .ok_or_else(|| ApiError::unknown_form(&path))?;
    let form_id = loaded.form.id.clone();
    let lookup = form_id.clone();
    let actor = client::actor(&req, &state, &staff.0);
    let found = with_conn(&state, move |conn| {
        invitations::invitation_stats(conn, &actor, &lookup)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InvitationStats {
        form: form_id,
        groups: found.groups.into_iter().map(GroupStats::from).collect(),
        total: GroupStats::from(found.total),
    }))
}
