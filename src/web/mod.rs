//! HTTP: routes, extractors, HTML pages and the mapping of errors to responses.

pub mod api;
pub mod client;
pub mod error;
pub mod extract;
pub mod html;
pub mod links;
pub mod openapi;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{web, App, HttpRequest, HttpResponse};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};

use crate::startup::AppState;
use error::ApiError;

/// Largest request body accepted anywhere (API.md: 413 over 64 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The whole application. Routes registered through `service` are collected into the OpenAPI
/// description, so the description cannot drift from the routes.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // The description's own route comes before the /api/v1 scope, which would otherwise take it.
    let (app, spec) = App::new()
        .route("/api/v1/openapi.json", web::get().to(openapi::serve))
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .app_data(web::Data::new(state))
        .app_data(web::QueryConfig::default().error_handler(|e, _| ApiError::bad_query(e).into()))
        .app_data(web::PathConfig::default().error_handler(|e, _| ApiError::bad_query(e).into()))
        .service(
            scope::scope("/api/v1")
                .service(api::forms::list_forms)
                .service(api::forms::get_form)
                .service(api::responses::submit_response)
                .service(api::responses::get_response)
                .service(api::reports::get_report)
                .service(api::charts::get_chart)
                .service(api::exports::get_export)
                .service(api::units::list_units)
                .service(api::units::patch_unit)
                .service(api::kiosks::create_kiosk)
                .service(api::kiosks::list_kiosks)
                .service(api::kiosks::revoke_kiosk)
                .service(api::invitations::create_invitations)
                .service(api::invitations::invitation_stats)
                .service(api::qr::get_qr_sheet)
                .service(api::auth::login)
                .service(api::auth::logout),
        )
        .service(api::health::healthz)
        .service(html::pages::index)
        .service(html::pages::choose)
        .service(html::pages::form_page)
        .service(html::pages::form_submit)
        .service(html::assets::stylesheet)
        .service(html::assets::script)
        .service(html::access::kiosk_page)
        .service(html::access::kiosk_submit)
        .service(html::access::invitation_page)
        .service(html::access::invitation_submit)
        .service(html::dashboard::login_form)
        .service(html::dashboard::login_submit)
        .service(html::dashboard::logout_submit)
        .service(html::dashboard::dashboard)
        .split_for_parts();
    let spec = web::Data::new(spec);
    app.app_data(spec)
        .default_service(web::to(not_found))
        .wrap(Compress::default())
        .wrap(
            DefaultHeaders::new()
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::REFERRER_POLICY, "same-origin"))
                .add((header::X_FRAME_OPTIONS, "DENY")),
        )
        .wrap(TracingLogger::default())
}

/// Unknown paths: JSON under `/api/`, a Vietnamese page elsewhere.
async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if req.path().starts_with("/api/") {
        Err(ApiError::not_found())
    } else {
        Ok(html::pages::not_found_page())
    }
}
