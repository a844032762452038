//! The audit log: who did what, when, from where (address hashed), with what outcome.
//! Records are written in the same transaction as the change they describe where there is one.

use serde_json::Value;

use crate::store::models::NewAuditRow;
use crate::store::{audit, now_utc, DbConnection, StoreError};

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Refused: wrong password, role not allowed, throttled.
    Denied,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// Every action the service records, with how the audit page names it. A test reads every
/// action written anywhere in `src/` and checks it is here.
pub const ACTIONS: &[(&str, &str)] = &[
    ("login", "Đăng nhập"),
    ("logout", "Đăng xuất"),
    ("password.change", "Đổi mật khẩu của mình"),
    ("report", "Xem báo cáo"),
    ("chart", "Tải biểu đồ"),
    ("report_docx", "Tải báo cáo (Word)"),
    ("export", "Tải dữ liệu phiếu trả lời"),
    ("qr_sheet", "Tải tờ mã QR tại quầy"),
    ("audit.read", "Xem nhật ký"),
    ("audit.export", "Tải nhật ký (CSV)"),
    ("user.list", "Xem danh sách tài khoản"),
    ("user.create", "Tạo tài khoản"),
    ("user.update", "Đổi vai trò hoặc khoá/mở khoá tài khoản"),
    ("user.password_reset", "Đặt lại mật khẩu"),
    ("unit.create", "Tạo đơn vị"),
    ("unit.update", "Sửa, đổi tên hoặc đóng đơn vị"),
    ("units.import", "Nhập cây đơn vị"),
    ("unit_mapping.create", "Thêm ánh xạ đơn vị cũ → mới"),
    ("kiosk.create", "Đăng ký ki-ốt"),
    ("kiosk.revoke", "Thu hồi ki-ốt"),
    ("invitations.create", "Tạo thư mời"),
    ("form.upload", "Tải lên phiếu khảo sát"),
    ("comments.purge", "Xoá ý kiến quá hạn lưu giữ"),
    ("response.create", "Nhập phiếu trả lời"),
    ("paper.print", "In phiếu giấy đánh số"),
    ("paper.reprint", "Tải lại tệp phiếu giấy đã in"),
    ("paper.sample", "Chọn mẫu phúc tra phiếu giấy"),
    ("paper.check", "Ghi kết quả phúc tra phiếu giấy"),
    ("paper.entry", "Nhập phiếu giấy (một lần nhập)"),
    ("paper.reconcile", "Đối chiếu phiếu giấy nhập khác nhau"),
    ("response.import", "Nhập phiếu trả lời từ tệp CSV/XLSX"),
    ("import.template", "Tải mẫu nhập phiếu (XLSX)"),
];

/// The Vietnamese name of an action code, if it is one the service writes.
pub fn action_label(action: &str) -> Option<&'static str> {
    ACTIONS
        .iter()
        .find(|(code, _)| *code == action)
        .map(|(_, label)| *label)
}

/// One record to write. Build it with [`Entry::new`] and the `with_*` methods.
#[derive(Debug, Clone)]
pub struct Entry {
    pub actor: Option<String>,
    pub role: Option<String>,
    /// Dotted lower-case verb, e.g. `login`, `export`, `user.create`, `unit.close`.
    pub action: String,
    pub target: Option<String>,
    pub outcome: Outcome,
    pub detail: Option<Value>,
    pub address_hash: Option<String>,
}

impl Entry {
    pub fn new(action: &str) -> Entry {
        Entry {
            actor: None,
            role: None,
            action: action.to_string(),
            target: None,
            outcome: Outcome::Ok,
            detail: None,
            address_hash: None,
        }
    }

    /// The role the actor acted in (`None`: the command line, or a login not yet known).
    pub fn with_role(mut self, role: Option<&str>) -> Entry {
        self.role = role.map(str::to_string);
        self
    }

    /// The actor by name only (e.g. a failed login names the username tried).
    pub fn by_name(mut self, username: &str) -> Entry {
        self.actor = Some(username.to_string());
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Entry {
        self.target = Some(target.into());
        self
    }

    pub fn outcome(mut self, outcome: Outcome) -> Entry {
        self.outcome = outcome;
        self
    }

    pub fn detail(mut self, detail: Value) -> Entry {
        self.detail = Some(detail);
        self
    }

    pub fn from_address(mut self, address_hash: Option<String>) -> Entry {
        self.address_hash = address_hash;
        self
    }
}

/// Appends the record.
pub fn record(conn: &mut DbConnection, entry: &Entry) -> Result<(), StoreError> {
    audit::insert(
        conn,
        &NewAuditRow {
            at: now_utc(),
            actor: entry.actor.clone(),
            role: entry.role.clone(),
            action: entry.action.clone(),
            target: entry.target.clone(),
            outcome: entry.outcome.as_str().to_string(),
            detail: entry.detail.as_ref().map(Value::to_string),
            address_hash: entry.address_hash.clone(),
        },
    )
}
