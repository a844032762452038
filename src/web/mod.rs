//! HTTP: routes, extractors, HTML pages and the mapping of errors to responses.

pub mod api;
pub mod client;
pub mod db;
pub mod error;
pub mod extract;
pub mod html;
pub mod links;
pub mod logging;
pub mod login;
pub mod middleware;
pub mod openapi;
pub mod paper;
pub mod session;
pub mod state;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{web, App, HttpRequest, HttpResponse};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::web::state::AppState;
use error::ApiError;

/// Every page's Content-Security-Policy: scripts and styles only from the service's own files
/// (no inline script or style anywhere), images also as `data:` (QR codes), no framing, forms post
/// only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Largest request body accepted anywhere (docs/api.md §1: 413 over 64 KiB).
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
        .configure(api_routes)
        .configure(citizen_routes)
        .configure(staff_routes)
        .split_for_parts();
    let spec = web::Data::new(openapi::with_refusals(spec));
    app.app_data(spec)
        .default_service(web::to(not_found))
        // No NUL in any path or query (400 `bad_query`), whatever the route.
        .wrap(actix_web::middleware::from_fn(middleware::refuse_nul))
        // A forged Host never reaches a handler (links are made from it).
        .wrap(actix_web::middleware::from_fn(middleware::allowed_host))
        .wrap(Compress::default())
        .wrap(
            DefaultHeaders::new()
                .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                // Kiosk and invitation links carry their token: never send them elsewhere.
                .add((header::REFERRER_POLICY, "no-referrer"))
                .add((header::X_FRAME_OPTIONS, "DENY"))
                .add((header::CROSS_ORIGIN_OPENER_POLICY, "same-origin"))
                .add((
                    header::HeaderName::from_static("permissions-policy"),
                    "camera=(), microphone=(), geolocation=(), payment=()",
                )),
        )
        // Method, route pattern, status, request id, latency: no address, no path, no token.
        .wrap(TracingLogger::<logging::PrivateRootSpan>::new())
}

/// The JSON API: the `/api/v1` scope, its routes in the order they are matched.
fn api_routes(cfg: &mut ServiceConfig) {
    cfg.service(
        scope::scope("/api/v1")
            .service(api::forms::list_forms)
            .service(api::forms::get_form)
            .service(api::forms_admin::upload_form)
            .service(api::responses::submit_response)
            .service(api::responses::get_response)
            .service(api::paper_checks::get_response_versions)
            .service(api::reports::get_report)
            .service(api::charts::get_chart)
            .service(api::report_docx::get_report_docx)
            .service(api::exports::get_export)
            .service(api::imports::import_template)
            .service(api::imports::import_responses)
            .service(api::units::list_units)
            .service(api::units::patch_unit)
            .service(api::units::create_unit)
            .service(api::units::import_units)
            .service(api::units::list_mappings)
            .service(api::units::create_mappings)
            .service(api::kiosks::create_kiosk)
            .service(api::kiosks::list_kiosks)
            .service(api::kiosks::revoke_kiosk)
            .service(api::invitations::create_invitations)
            .service(api::invitations::invitation_stats)
            .service(api::qr::get_qr_sheet)
            .service(api::paper::create_batch)
            .service(api::paper::list_batches)
            .service(api::paper::batch_pdf)
            .service(api::audit::list_audit)
            .service(api::audit::export_audit)
            .service(api::auth::login)
            .service(api::auth::logout)
            .service(api::auth::change_password)
            .service(api::users::list_users)
            .service(api::users::create_user)
            .service(api::users::update_user)
            .service(api::users::reset_user_password)
            .service(api::paper_checks::create_sample)
            .service(api::paper_checks::list_samples)
            .service(api::paper_checks::get_sample)
            .service(api::paper_checks::create_check)
            .service(api::paper_checks::get_progress)
            .service(api::paper_checks::get_error_rates)
            .service(api::paper_entries::create_entry)
            .service(api::paper_entries::list_sheets)
            .service(api::paper_entries::reconcile_sheet)
            .service(api::paper_entries::operator_rates),
    );
}

/// The health check, the citizens' pages (forms, kiosk and invitation links) and the static files.
fn citizen_routes(cfg: &mut ServiceConfig) {
    cfg.service(api::health::healthz)
        .service(html::pages::index)
        .service(html::pages::choose)
        .service(html::pages::form_page)
        .service(html::pages::form_submit)
        .service(html::static_files::stylesheet)
        .service(html::static_files::script)
        .service(html::static_files::entry_script)
        .service(html::static_files::favicon)
        .service(html::static_files::favicon_ico)
        .service(html::static_files::dashboard_stylesheet)
        .service(html::static_files::form_stylesheet)
        .service(html::access::kiosk_page)
        .service(html::access::kiosk_submit)
        .service(html::access::invitation_page)
        .service(html::access::invitation_submit);
}

/// The staff's pages: login, the dashboard and the administration.
fn staff_routes(cfg: &mut ServiceConfig) {
    cfg.service(html::dashboard::login_form)
        .service(html::dashboard::login_submit)
        .service(html::dashboard::logout_submit)
        .service(html::dashboard_report::dashboard)
        .service(html::admin::home::admin_home)
        .service(html::admin::staff::staff_page)
        .service(html::admin::kiosks::kiosks_page)
        .service(html::admin::kiosks::kiosk_register)
        .service(html::admin::kiosks::kiosk_revoke)
        .service(html::admin::invitations::invitations_page)
        .service(html::admin::invitations::invitations_create)
        .service(html::admin::forms::forms_page)
        .service(html::admin::forms::form_upload)
        .service(html::admin::audit::audit_page)
        .service(html::admin::paper::paper_page)
        .service(html::admin::paper::paper_print)
        .service(html::admin::users::users_page)
        .service(html::admin::users::user_create)
        .service(html::admin::users::user_role)
        .service(html::admin::users::user_disabled)
        .service(html::admin::users::user_password)
        .service(html::admin::units::units_page)
        .service(html::admin::units::unit_create)
        .service(html::admin::units::units_import)
        .service(html::admin::units::mapping_create)
        .service(html::admin::units::unit_rename)
        .service(html::admin::units::unit_close)
        .service(html::admin::paper_checks::checks_page)
        .service(html::admin::paper_checks::sample_draw)
        .service(html::admin::paper_checks::sample_page)
        .service(html::admin::paper_checks::check_record)
        .service(html::admin::paper_progress::progress_page)
        .service(html::entry::entry_page_get)
        .service(html::entry::entry_submit)
        .service(html::entry::reconcile::reconcile_page)
        .service(html::entry::reconcile::reconcile_submit);
}

/// Unknown paths: JSON under `/api/`, a Vietnamese page elsewhere.
async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if req.path().starts_with("/api/") {
        Err(ApiError::not_found())
    } else {
        Ok(html::error::not_found_page())
    }
}
