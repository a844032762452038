//! The one place where errors of every layer become HTTP responses (docs/api.md §2).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::administration::units::admin::AdminError;
use crate::auth::accounts::AccountError;
use crate::auth::AuthError;
use crate::collecting::submission::SubmitError;
use crate::domain::FieldError;
use crate::forms::upload::UploadError;
use crate::reporting::charts::{self, qr_sheet::QrSheetError, ChartError};
use crate::reporting::exports::ExportError;
use crate::reporting::reports::ReportError;
use crate::service::{Refusal, ServiceError};
use crate::store::StoreError;

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
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub message_en: String,
    pub fields: Vec<FieldError>,
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

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => {
                tracing::warn!(error = %e, "database unavailable");
                ApiError::unavailable()
            }
            StoreError::Constraint(_) => {
                // Input is validated before writing; a constraint that still fires is a conflict
                // with concurrent changes, never a server fault.
                tracing::warn!(error = %e, "constraint refused a write");
                ApiError::new(
                    StatusCode::CONFLICT,
                    "constraint_violation",
                    "Dữ liệu mâu thuẫn với dữ liệu đã lưu, xin thử lại.",
                    "The change conflicts with stored data; please retry.",
                )
            }
            StoreError::Query(_) | StoreError::Migration(_) | StoreError::Corrupt(_) => {
                tracing::error!(error = %e, "storage failure");
                ApiError::internal()
            }
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Tên đăng nhập hoặc mật khẩu không đúng.",
                "Invalid username or password.",
            ),
            AuthError::Unauthenticated => ApiError::unauthenticated(),
            AuthError::Forbidden(_) => ApiError::forbidden(),
            AuthError::BadInput(msg) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                msg.clone(),
                msg,
            ),
            AuthError::UserExists(name) => ApiError::new(
                StatusCode::CONFLICT,
                "user_exists",
                format!("Tài khoản {name} đã có."),
                format!("User {name} exists already."),
            ),
            AuthError::Store(e) => e.into(),
            AuthError::Hashing(_) => {
                tracing::error!(error = %e, "hashing failure");
                ApiError::internal()
            }
        }
    }
}

impl From<SubmitError> for ApiError {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::UnknownUnit(code) => ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_unit",
                format!("Không có đơn vị \"{code}\"."),
                format!("There is no unit \"{code}\"."),
            ),
            SubmitError::Invalid(fields) => ApiError::validation(fields),
            SubmitError::DuplicateConflict => ApiError::new(
                StatusCode::CONFLICT,
                "duplicate_conflict",
                "Mã client_id này đã được dùng cho một phiếu trả lời khác.",
                "This client_id was already used for a different response.",
            ),
            SubmitError::InvitationUsed => ApiError::new(
                StatusCode::CONFLICT,
                "invitation_used",
                "Thư mời này đã được dùng để trả lời. Mỗi thư mời chỉ dùng được một lần.",
                "This invitation was already used. Each invitation can be used once.",
            ),
            SubmitError::InvitationExpired => ApiError::new(
                StatusCode::GONE,
                "invitation_expired",
                "Thư mời này đã hết hạn trả lời.",
                "This invitation's deadline has passed.",
            ),
            SubmitError::ChannelNotAllowed(channel) => {
                let (message, message_en) = crate::collecting::submission::channel_refusal(channel);
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "channel_not_allowed",
                    message,
                    message_en,
                )
            }
            SubmitError::Store(e) => e.into(),
        }
    }
}

impl From<crate::collecting::access::AccessError> for ApiError {
    fn from(e: crate::collecting::access::AccessError) -> Self {
        use crate::collecting::access::AccessError;
        match e {
            AccessError::Invalid(fields) => ApiError::validation(fields),
            AccessError::UnknownUnit(code) => SubmitError::UnknownUnit(code).into(),
            AccessError::UnknownKiosk => ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_kiosk",
                "Máy này chưa được đăng ký hoặc đã bị thu hồi. Xin báo cán bộ Bộ phận Một cửa.",
                "This kiosk is not registered or was revoked.",
            ),
            AccessError::UnknownInvitation => ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_invitation",
                "Đường dẫn thư mời không đúng. Xin kiểm tra lại đường dẫn hoặc mã QR trong thư mời.",
                "This invitation link is not valid.",
            ),
            AccessError::Token => ApiError::internal(),
            AccessError::Store(e) => e.into(),
        }
    }
}

/// `web::block` failed: the blocking pool is gone or the closure panicked.
impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        tracing::error!(error = %e, "blocking task failed");
        ApiError::internal()
    }
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::BadQuery { vi, en } => Self::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                format!("Tham số truy vấn không hợp lệ: {vi}"),
                format!("Invalid query: {en}"),
            ),
            ReportError::UnknownUnit(code) => SubmitError::UnknownUnit(code).into(),
            ReportError::Store(e) => e.into(),
            ReportError::Analytics(e) => {
                tracing::error!(error = %e, "report computation failed");
                ApiError::internal()
            }
        }
    }
}

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::TooManyRows { rows, max } => ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "bad_query",
                format!(
                    "Lựa chọn có {rows} phiếu, vượt quá {max} dòng của một trang XLSX: hãy thu hẹp đơn vị hoặc thời gian, hoặc tải CSV hay Parquet."
                ),
                format!(
                    "The selection has {rows} responses, more than the {max} rows an XLSX sheet holds: narrow unit or dates, or download CSV or Parquet."
                ),
            ),
            other => {
                tracing::error!(error = %other, "export failed");
                ApiError::internal()
            }
        }
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

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Invalid(fields) => invalid_units(fields),
            AdminError::UnknownUnit(code) => {
                crate::collecting::submission::SubmitError::UnknownUnit(code).into()
            }
            AdminError::UnitExists(code) => ApiError::new(
                StatusCode::CONFLICT,
                "unit_exists",
                format!("Đã có đơn vị mã \"{code}\"; mã đơn vị không dùng lại được."),
                format!("A unit with code \"{code}\" exists already; unit codes are never reused."),
            ),
            AdminError::Store(e) => e.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(fields) => ApiError::validation(fields),
            AccountError::NotFound => ApiError::not_found(),
            AccountError::OwnAccount => ApiError::new(
                StatusCode::CONFLICT,
                "own_account",
                "Không thể tự khoá hoặc hạ quyền tài khoản quản trị của chính mình; \
                 nhờ một quản trị viên khác làm việc này.",
                "An admin cannot disable or demote their own account; ask another admin.",
            ),
            AccountError::LastAdmin => ApiError::new(
                StatusCode::CONFLICT,
                "last_admin",
                "Đây là tài khoản quản trị cuối cùng đang hoạt động: không thể khoá hay hạ quyền.",
                "This is the last enabled admin account: it cannot be disabled or demoted.",
            ),
            AccountError::WrongPassword => ApiError::validation(vec![FieldError::new(
                "current_password",
                "wrong_password",
                "Mật khẩu hiện tại không đúng.",
                "The current password is wrong.",
            )]),
            AccountError::UserExists(name) => AuthError::UserExists(name).into(),
            AccountError::Auth(e) => e.into(),
            AccountError::Store(e) => e.into(),
        }
    }
}

/// The 422 of a refused form upload: one field per problem, `"line 12"` for a problem of the
/// file, the question code for a change that would break stored answers.
impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        let (fields, message, message_en) = match e {
            UploadError::Invalid(problems) => (
                problems
                    .iter()
                    .map(|p| {
                        FieldError::new(
                            &format!("line {}", p.line),
                            "form_invalid",
                            format!("Dòng {}: {}", p.line, p.message),
                            format!("line {}: {}", p.line, p.message_en),
                        )
                    })
                    .collect::<Vec<_>>(),
                "Tệp phiếu chưa hợp lệ, xin sửa các lỗi theo số dòng bên dưới.",
                "The form file is not valid; see the problems by line.",
            ),
            UploadError::Breaking(changes) => (
                changes
                    .iter()
                    .map(|b| FieldError::new(b.code(), b.reason(), b.message(), b.message_en()))
                    .collect(),
                "Phiên bản mới làm hỏng dữ liệu đã lưu: mã câu hỏi đã có câu trả lời không được xoá hay đổi loại.",
                "The new version would break stored answers: codes with stored answers cannot be removed or retyped.",
            ),
            UploadError::Io { path, source } => {
                tracing::error!(path = %path.display(), error = %source, "cannot write a form file");
                return ApiError::internal();
            }
            UploadError::Store(e) => return e.into(),
        };
        ApiError {
            fields,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                message,
                message_en,
            )
        }
    }
}

impl From<QrSheetError> for ApiError {
    fn from(e: QrSheetError) -> Self {
        match e {
            // Only a very long public address or Host header gets here.
            QrSheetError::TooLong => ApiError::validation(vec![FieldError::new(
                "url",
                "too_long",
                "Đường dẫn quá dài để in thành mã QR.",
                "The link is too long to print as a QR code.",
            )]),
            QrSheetError::Render(e) => e.into(),
        }
    }
}

impl From<ChartError> for ApiError {
    fn from(e: ChartError) -> Self {
        match e {
            ChartError::BadSize { width, height } => ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "bad_query",
                format!(
                    "Tham số truy vấn không hợp lệ: kích thước biểu đồ {width}×{height} nằm ngoài giới hạn (rộng {}–{}, cao {}–{} điểm ảnh)",
                    charts::WIDTH.0, charts::WIDTH.1, charts::HEIGHT.0, charts::HEIGHT.1
                ),
                format!("Invalid query: {e}"),
            ),
            ChartError::UnknownKind(ref kind) => ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "bad_query",
                format!("Tham số truy vấn không hợp lệ: không có loại biểu đồ \"{kind}\" (elements, items, trend, units, distribution, expectations)"),
                format!("Invalid query: {e}"),
            ),
            ChartError::UnknownFormat(ref format) => ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "bad_query",
                format!("Tham số truy vấn không hợp lệ: không có định dạng \"{format}\" (png, svg)"),
                format!("Invalid query: {e}"),
            ),
            other => {
                tracing::error!(error = %other, "chart rendering failed");
                ApiError::internal()
            }
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Forbidden => ApiError::forbidden(),
            ServiceError::NotFound => ApiError::not_found(),
            ServiceError::Invalid(fields) => ApiError::validation(fields),
            ServiceError::Refused {
                kind,
                code,
                message,
                message_en,
            } => {
                let status = match kind {
                    Refusal::BadRequest => StatusCode::BAD_REQUEST,
                    Refusal::NotFound => StatusCode::NOT_FOUND,
                    Refusal::Conflict => StatusCode::CONFLICT,
                    Refusal::Gone => StatusCode::GONE,
                    Refusal::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
                    Refusal::Forbidden => StatusCode::FORBIDDEN,
                };
                ApiError::new(status, code, message, message_en)
            }
            ServiceError::Auth(e) => e.into(),
            ServiceError::Account(e) => e.into(),
            ServiceError::Upload(e) => e.into(),
            ServiceError::Submit(e) => e.into(),
            ServiceError::Access(e) => e.into(),
            ServiceError::Report(e) => e.into(),
            ServiceError::Units(e) => e.into(),
            ServiceError::QrSheet(e) => e.into(),
            ServiceError::Store(e) => e.into(),
            ServiceError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                ApiError::internal()
            }
        }
    }
}
