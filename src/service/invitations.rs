//! Single-use invitations to a form (the delegates' survey): issue a batch for one respondent
//! group (admin; the tokens are returned once, only hashes are kept), and the response rate per
//! group (admin, analyst). The JSON API (`web::api::invitations`) and the admin page
//! (`web::html::admin::invitations`) call these.

use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::{in_transaction, Actor, ServiceError};
use crate::collecting::access;
use crate::domain::Role;
use crate::forms::LoadedForm;
use crate::store::{invitations, now_utc, DbConnection};

pub use crate::collecting::access::{NewBatch, MAX_INVITATIONS_PER_REQUEST};

/// The audit action of a batch of invitations.
pub const CREATE_AUDIT_ACTION: &str = "invitations.create";

/// Issues a batch of single-use invitations to `form` (`invitations.create`) and returns their
/// tokens, the only time they are known. The invitations and their record are stored together;
/// the record names the form and holds the group, count, unit and deadline — and the issuing
/// office printed on the cards when the page gives one (`issuer`) — never a token.
pub fn create_invitations(
    conn: &mut DbConnection,
    actor: &Actor,
    form: &LoadedForm,
    batch: &NewBatch,
    issuer: Option<&str>,
    today: NaiveDate,
) -> Result<Vec<String>, ServiceError> {
    actor.require(&[Role::Admin])?;
    let entry = actor
        .entry(CREATE_AUDIT_ACTION)
        .target(form.form.id.clone())
        .detail(batch_detail(batch, issuer));
    let tokens = in_transaction(conn, |c| {
        let tokens = access::create_invitations(c, form, batch, today, now_utc())?;
        Ok::<_, ServiceError>((tokens, entry))
    })?;
    tracing::info!(form = %form.form.id, count = tokens.len(), group = %batch.group, by = %actor.name, "invitations issued");
    Ok(tokens)
}

/// The detail of an `invitations.create` record.
fn batch_detail(batch: &NewBatch, issuer: Option<&str>) -> Value {
    let mut detail = Map::new();
    detail.insert("group".into(), json!(batch.group));
    detail.insert("count".into(), json!(batch.count));
    detail.insert("unit".into(), json!(batch.unit));
    if let Some(issuer) = issuer {
        detail.insert("issuer".into(), json!(issuer));
    }
    detail.insert("deadline".into(), json!(batch.deadline));
    Value::Object(detail)
}

/// Invitations of one respondent group: how many were issued, how many used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupUse {
    pub group: String,
    pub issued: i64,
    pub used: i64,
}

/// A form's invitations per respondent group (by group code), and their total (group `total`).
#[derive(Debug, Clone)]
pub struct InvitationUse {
    pub groups: Vec<GroupUse>,
    pub total: GroupUse,
}

impl InvitationUse {
    /// Whether the form has any invitations.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// The invitations of the form `form_id`, issued and used per respondent group (admin, analyst).
pub fn invitation_stats(
    conn: &mut DbConnection,
    actor: &Actor,
    form_id: &str,
) -> Result<InvitationUse, ServiceError> {
    actor.require(&[Role::Admin, Role::Analyst])?;
    use_of(conn, form_id)
}

/// [`invitation_stats`] of each of `forms` that has invitations, in the order given.
pub fn invitation_stats_of_forms(
    conn: &mut DbConnection,
    actor: &Actor,
    forms: Vec<Arc<LoadedForm>>,
) -> Result<Vec<(Arc<LoadedForm>, InvitationUse)>, ServiceError> {
    actor.require(&[Role::Admin, Role::Analyst])?;
    let mut out = Vec::new();
    for form in forms {
        let found = use_of(conn, &form.form.id)?;
        if !found.is_empty() {
            out.push((form, found));
        }
    }
    Ok(out)
}

fn use_of(conn: &mut DbConnection, form_id: &str) -> Result<InvitationUse, ServiceError> {
    let groups: Vec<GroupUse> = invitations::stats(conn, form_id)?
        .into_iter()
        .map(|(group, issued, used)| GroupUse {
            group,
            issued,
            used,
        })
        .collect();
    let (issued, used) = groups
        .iter()
        .fold((0, 0), |(i, u), g| (i + g.issued, u + g.used));
    Ok(InvitationUse {
        groups,
        total: GroupUse {
            group: "total".into(),
            issued,
            used,
        },
    })
}
