//! The one place where errors of every layer become HTTP responses (docs/api.md §2).
//!
//! Here: the error's shape ([`ApiError`], [`ErrorBody`]), its constructors and its response;
//! `mapping`: the `From` conversions of every layer's error into an [`ApiError`].

mod mapping;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::collecting::import::Problem;
use crate::domain::FieldError;

/// `{"error": {...}}`: the shape of every error the service returns.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `validation_failed`.
    pub code: String,
    /// Vietnamese message for people.
    pub message: String,
    /// English message.
    pub message_en: String,
    /// Problems with single fields (422 `validation_failed`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// Problems of an imported file by row and column (422 `import_rejected`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub message_en: String,
    pub fields: Vec<FieldError>,
    /// Problems of an imported file (422 `import_rejected`); boxed, to keep every other error
    /// small.
    pub problems: Option<Box<Vec<Problem>>>,
    /// Seconds for a `Retry-After` header (429, 503).
    pub retry_after: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message_en
        )
    }
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            message_en: message_en.into(),
            fields: Vec::new(),
            problems: None,
            retry_after: None,
        }
    }

    /// 429 `too_many_requests`: a rate limit; try again after `seconds`.
    pub fn too_many_requests(seconds: u64) -> Self {
        ApiError {
            retry_after: Some(seconds.max(1)),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!(
                    "Gửi quá nhiều lần. Xin thử lại sau {} giây.",
                    seconds.max(1)
                ),
                format!("Too many requests. Try again in {} s.", seconds.max(1)),
            )
        }
    }

    pub fn malformed_json(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("Nội dung gửi lên không phải JSON hợp lệ: {detail}"),
            format!("The body is not valid JSON for this request: {detail}"),
        )
    }

    pub fn bad_query(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            format!("Tham số truy vấn không hợp lệ: {detail}"),
            format!("Invalid query: {detail}"),
        )
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Cần đăng nhập.",
            "Authentication required.",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Tài khoản không có quyền này.",
            "Your role does not allow this.",
        )
    }

    pub fn csrf_failed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token).",
            "Missing or wrong CSRF token (X-CSRF-Token header).",
        )
    }

    pub fn unknown_form(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "unknown_form",
            format!("Không có phiếu khảo sát \"{id}\"."),
            format!("There is no form \"{id}\"."),
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Không tìm thấy.",
            "Not found.",
        )
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("Nội dung gửi lên vượt quá {} KiB.", limit / 1024),
            format!("The body is larger than {} KiB.", limit / 1024),
        )
    }

    pub fn unsupported_media_type(expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Kiểu nội dung phải là {expected}."),
            format!("Content-Type must be {expected}."),
        )
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        ApiError {
            fields,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Câu trả lời chưa hợp lệ, xin xem các trường bên dưới.",
                "Some answers are not valid; see the fields.",
            )
        }
    }

    /// 422 `import_rejected`: the imported file has problems, every one listed; nothing stored.
    pub fn import_rejected(problems: Vec<Problem>) -> Self {
        ApiError {
            problems: Some(Box::new(problems)),
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_rejected",
                "Tệp có lỗi, xin xem danh sách bên dưới (dòng, cột). Chưa phiếu nào được lưu.",
                "The file has problems (see problems: row, column). Nothing was stored.",
            )
        }
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "Hệ thống tạm thời không lưu được, xin thử lại sau ít phút.",
            "The database is not available; please retry shortly.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Đã có lỗi của hệ thống, xin thử lại.",
            "Internal error; please retry.",
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                message_en: self.message_en.clone(),
                fields: self.fields.clone(),
                problems: self.problems.as_deref().cloned().unwrap_or_default(),
            },
        };
        let mut response = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        } else if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((header::RETRY_AFTER, "5"));
        }
        response.json(body)
    }
}

/// 422 `validation_failed` for a unit change, every problem in `fields`.
pub fn invalid_units(fields: Vec<FieldError>) -> ApiError {
    ApiError {
        fields,
        ..ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Dữ liệu đơn vị chưa hợp lệ, xin xem các trường bên dưới. Chưa có gì được lưu.",
            "The unit data is not valid; see the fields. Nothing was saved.",
        )
    }
}
