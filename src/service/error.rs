//! The service layer's error: every refusal an action can answer, with a stable snake_case code.
//! `web::error` turns it into an HTTP status once; the command line prints its message.

use crate::administration::units::admin::AdminError;
use crate::auth::accounts::AccountError;
use crate::auth::AuthError;
use crate::collecting::access::AccessError;
use crate::collecting::import::Problem;
use crate::collecting::submission::SubmitError;
use crate::domain::FieldError;
use crate::forms::upload::UploadError;
use crate::reporting::charts::qr_sheet::QrSheetError;
use crate::reporting::charts::ChartError;
use crate::reporting::reports::ReportError;
use crate::store::StoreError;

/// What kind of refusal, which decides the HTTP status (`web::error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The request itself is malformed (400).
    BadRequest,
    /// The thing named does not exist (404).
    NotFound,
    /// It conflicts with what is stored (409).
    Conflict,
    /// It existed but is gone for good (410).
    Gone,
    /// Well-formed but not acceptable (422).
    Unprocessable,
    /// The actor may not do this (403).
    Forbidden,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The actor's role does not allow the action (`forbidden`).
    #[error("forbidden")]
    Forbidden,
    /// Nothing with that id (`not_found`).
    #[error("not found")]
    NotFound,
    /// Fields that are not valid (`validation_failed`).
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// An imported file with problems, every one by row and column (`import_rejected`);
    /// nothing of it was stored.
    #[error("the imported file has {} problems", .0.len())]
    ImportRejected(Vec<Problem>),
    /// A refusal with its own code and messages (Vietnamese for people, English for logs).
    #[error("{code}: {message_en}")]
    Refused {
        kind: Refusal,
        code: &'static str,
        message: String,
        message_en: String,
    },
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error(transparent)]
    Submit(#[from] SubmitError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Units(#[from] AdminError),
    #[error(transparent)]
    QrSheet(#[from] QrSheetError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of the service, not of the request (logged; `internal_error`).
    #[error("internal: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn refused(
        kind: Refusal,
        code: &'static str,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) -> ServiceError {
        ServiceError::Refused {
            kind,
            code,
            message: message.into(),
            message_en: message_en.into(),
        }
    }
}
