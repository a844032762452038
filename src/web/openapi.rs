//! The OpenAPI description served at `/api/v1/openapi.json`. Paths are collected from the routes
//! themselves (see `web::app`); this adds the title, the shared error schema and the security scheme.

use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::{ErrorBody, ErrorDetail};
use crate::domain::FieldError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "SIPAS survey service",
        description = "Collect and analyse SIPAS surveys (Chỉ số hài lòng về sự phục vụ hành chính). \
            Every error is `{\"error\": {\"code\", \"message\", \"message_en\", \"fields\"}}`."
    ),
    components(schemas(ErrorBody, ErrorDetail, FieldError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every operation may answer 400 before its handler runs: a `%00` in the path or query
/// (`bad_query`) or a `Host` that is not allowed (`host_not_allowed`) — see `middleware::refuse_nul`
/// and `middleware::allowed_host`. Adds that 400 where an operation does not describe one.
pub fn with_refusals(mut spec: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::ResponseBuilder;
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .responses
                .responses
                .entry("400".to_string())
                .or_insert_with(|| {
                    ResponseBuilder::new()
                        .description(
                            "bad_query: a NUL (%00) in the path or query; host_not_allowed: a Host not in SIPAS_ALLOWED_HOSTS",
                        )
                        .into()
                });
        }
    }
    spec
}

pub async fn serve(spec: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(spec.get_ref())
}
