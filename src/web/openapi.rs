//! The OpenAPI description served at `/api/v1/openapi.json`. Paths are collected from the routes
//! themselves (see `web::app`); this adds the title, the shared error schema and the security scheme.

use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::{ErrorBody, ErrorDetail};
use crate::forms::FieldError;

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

pub async fn serve(spec: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(spec.get_ref())
}
