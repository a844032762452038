//! What the paper entry pages and JSON routes share (`web::api::paper_entries`,
//! `web::html::entry`): the answer to an entry, and running the entry and reconciliation actions
//! on the blocking pool with the service's clock.

use actix_web::web;
use serde::Serialize;
use utoipa::ToSchema;

use crate::collecting::paper::entry::SheetState;
use crate::domain::Channel;
use crate::forms::LoadedForm;
use crate::service::paper::entry::{self as actions, Clock, Entered, SheetEntry};
use crate::service::paper::reconcile::{self, Decided};
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::state::AppState;

/// The forms that take paper answers, by id (the print, entry and reconcile pages offer them).
pub fn paper_forms(state: &AppState) -> Vec<std::sync::Arc<LoadedForm>> {
    let mut forms: Vec<_> = state
        .forms
        .all()
        .filter(|f| f.form.accepts(Channel::Paper))
        .collect();
    forms.sort_by(|a, b| a.form.id.cmp(&b.form.id));
    forms
}

/// What an entry or a decision led to.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnteredOut {
    pub sheet: String,
    /// `waiting`, `disputed`, `agreed` or `reconciled`.
    pub state: SheetState,
    /// The stored response once the sheet is agreed or reconciled, else `null`.
    pub response_id: Option<String>,
}

impl From<Entered> for EnteredOut {
    fn from(e: Entered) -> Self {
        EnteredOut {
            sheet: e.sheet,
            state: e.state,
            response_id: e.response_id,
        }
    }
}

/// Runs [`actions::enter_sheet`] on the blocking pool (the page and the JSON route).
pub async fn enter(
    state: &web::Data<AppState>,
    actor: crate::service::Actor,
    loaded: std::sync::Arc<crate::forms::LoadedForm>,
    entry: SheetEntry,
) -> Result<Entered, ApiError> {
    let (tz, keys) = (state.config.tz, state.keys.clone());
    with_conn(state, move |conn| {
        let clock = Clock {
            tz,
            now: chrono::Utc::now(),
            keys: &keys,
        };
        actions::enter_sheet(conn, &actor, &loaded, &entry, clock)
    })
    .await
}

/// Runs [`reconcile::reconcile_sheet`] on the blocking pool (the page and the JSON route).
pub async fn decide(
    state: &web::Data<AppState>,
    actor: crate::service::Actor,
    decided: Decided,
) -> Result<Entered, ApiError> {
    let (tz, keys, forms) = (state.config.tz, state.keys.clone(), state.forms.clone());
    with_conn(state, move |conn| {
        let clock = Clock {
            tz,
            now: chrono::Utc::now(),
            keys: &keys,
        };
        reconcile::reconcile_sheet(conn, &actor, &forms, &decided, clock)
    })
    .await
}
