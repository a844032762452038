//! Submitting one response, whichever way it comes: the public link (`/f/{form_id}`), a kiosk's
//! device link (`/k/{token}`), an invitation (`/i/{token}`), or the JSON API
//! (`POST /api/v1/forms/{form_id}/responses`: a citizen's phone or the web, a staff member's
//! entry of a paper form). The JSON handler and the HTML form call [`submit_response`].
//!
//! Unlike the other actions it is `async` and takes the [`Writer`] rather than a connection: the
//! submission is checked on the blocking pool and stored by the group-commit writer, which writes
//! a staff member's audit record (`response.create`) in the response's own transaction
//! (`collecting::submission::writer`).

use std::sync::Arc;

use chrono_tz::Tz;

use super::{Actor, ServiceError};
use crate::collecting::submission::writer::{SubmissionJob, Writer};
use crate::collecting::submission::{Sender, SubmissionRequest, Submitted};
use crate::domain::Role;
use crate::forms::LoadedForm;

/// The audit action of a staff member's entry.
pub const AUDIT_ACTION: &str = "response.create";

/// Who submits.
#[derive(Debug, Clone)]
pub enum Submitter {
    /// Anyone without an account: the public link, an invitation, the JSON API without
    /// credentials. Not audited (the response keeps no trace of who sent it).
    Citizen,
    /// A registered kiosk, through its device link: the only way to the `kiosk` channel.
    Kiosk,
    /// A signed-in staff member: every stored entry is audited (`response.create`: who, form,
    /// unit and channel, never which response); a clerk or admin may enter paper forms and set
    /// `submitted_at`.
    Staff(Actor),
}

impl Submitter {
    /// What the submission rules see of the submitter.
    fn sender(&self) -> Sender {
        match self {
            Submitter::Citizen => Sender::default(),
            Submitter::Kiosk => Sender {
                recorder: false,
                via_kiosk: true,
            },
            Submitter::Staff(actor) => Sender {
                recorder: actor.require(&[Role::Clerk, Role::Admin]).is_ok(),
                via_kiosk: false,
            },
        }
    }
}

/// Checks and stores one response to `form` (idempotent by `client_id`: a resend of the same
/// content answers [`Submitted::Replayed`] with the first id), with a staff member's audit record
/// in the same transaction. Answers once it is committed.
pub async fn submit_response(
    writer: &Writer,
    submitter: Submitter,
    form: Arc<LoadedForm>,
    request: SubmissionRequest,
    tz: Tz,
) -> Result<Submitted, ServiceError> {
    let sender = submitter.sender();
    let audit = match &submitter {
        Submitter::Staff(actor) => Some(actor.entry(AUDIT_ACTION)),
        Submitter::Citizen | Submitter::Kiosk => None,
    };
    let job = SubmissionJob {
        form,
        request,
        sender,
        tz,
        now: chrono::Utc::now(),
        audit,
    };
    Ok(writer.submit(job).await?)
}
