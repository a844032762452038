//! The request log, without personal data (Nghị định 13/2023/NĐ-CP).
//!
//! tracing-actix-web's default root span records the client address (`http.client_ip`), the user
//! agent and the raw path with its query string (`http.target`) — and the raw path of a kiosk or
//! invitation link *is* its secret token (`/k/{token}`, `/i/{token}`). This span records only the
//! method, the matched route pattern (`/k/{token}`, never the path itself), the status, the
//! request id and the latency; the error, when there is one, by its stable code only (messages
//! may quote what the client sent).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::field::Empty;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

use super::error::ApiError;

/// When the request arrived (kept in the request's extensions for the latency).
#[derive(Clone, Copy)]
struct Started(Instant);

/// The root span of every request: see the module documentation.
pub struct PrivateRootSpan;

/// What the log shows for a path that matched no route: not the path, which may be anything a
/// client typed (or a mistyped secret link).
pub const UNMATCHED: &str = "<unmatched>";

impl RootSpanBuilder for PrivateRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        request.extensions_mut().insert(Started(Instant::now()));
        // The pattern of the resource the path matches (`/k/{token}`), computed from the routing
        // table; never the path itself.
        let route = request.match_pattern();
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route.as_deref().unwrap_or(UNMATCHED),
            request_id = %request_id,
            status = Empty,
            latency_ms = Empty,
            error = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        match outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(Started(at)) = response.request().extensions().get::<Started>() {
                    span.record("latency_ms", at.elapsed().as_millis() as u64);
                }
                if let Some(error) = response.response().error() {
                    span.record("error", error_code(error));
                }
            }
            Err(error) => {
                span.record("status", error.as_response_error().status_code().as_u16());
                span.record("error", error_code(error));
            }
        }
    }
}

/// The stable code of our own errors; other errors by kind only.
fn error_code(error: &Error) -> &'static str {
    error.as_error::<ApiError>().map_or("other", |e| e.code)
}
