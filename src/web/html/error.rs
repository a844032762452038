//! Errors of page handlers. The status, code and message come from the one mapping of errors to
//! HTTP (`web::error`: every layer's error becomes an [`ApiError`]); here they are answered as a
//! page instead of JSON — in the staff layout ([`PageError`]) or the citizens' ([`CitizenError`]).
//!
//! A page handler returns `Result<HttpResponse, PageError>` and uses `?` on service calls; a
//! handler that shows field problems beside the form (422) handles those itself.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::web::error::ApiError;

/// An error answered as a staff page (dashboard, administration).
#[derive(Debug)]
pub struct PageError(pub ApiError);

/// An error answered as a citizens' page (the form, kiosk, invitation).
#[derive(Debug)]
pub struct CitizenError(pub ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl<E: Into<ApiError>> From<E> for CitizenError {
    fn from(e: E) -> Self {
        CitizenError(e.into())
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for CitizenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        super::admin::error_page(&self.0)
    }
}

impl ResponseError for CitizenError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        super::submit::error_page(&self.0)
    }
}
