//! The `From` conversions of every layer's error into an [`ApiError`]: its status, code and
//! messages (docs/api.md §2).

use actix_web::http::StatusCode;

use super::{invalid_units, ApiError};
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
            ServiceError::ImportRejected(problems) => ApiError::import_rejected(problems),
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
            ServiceError::Chart(e) => e.into(),
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
