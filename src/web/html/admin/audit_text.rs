//! How `/admin/audit` words a record: the action, the role and the details as "khoá: giá trị"
//! lines instead of codes and JSON (the JSON API and the CSV keep the codes).

use serde_json::Value;

use crate::platform::audit::action_label;

/// Detail keys the service writes, in Vietnamese.
const KEYS: &[(&str, &str)] = &[
    ("action", "hành động"),
    ("actor", "người thực hiện"),
    ("after", "sau"),
    ("already_present", "đã có từ trước"),
    ("already_revoked", "đã thu hồi trước đó"),
    ("batch", "đợt in"),
    ("before", "trước"),
    ("before_id", "trước bản ghi số"),
    ("chart", "biểu đồ"),
    ("code", "mã"),
    ("content_hash", "mã băm nội dung"),
    ("count", "số lượng"),
    ("count_per_unit", "số phiếu mỗi đơn vị"),
    ("created", "tạo mới"),
    ("cutoff", "mốc thời gian"),
    ("deadline", "hạn trả lời"),
    ("disabled", "bị khoá"),
    ("double_entry", "nhập hai lần"),
    ("first_serial", "số thứ tự đầu"),
    ("form", "phiếu"),
    ("format", "định dạng"),
    ("from", "từ ngày"),
    ("group", "nhóm"),
    ("group_by", "nhóm theo"),
    ("id", "mã số"),
    ("issuer", "cơ quan phát hành"),
    ("labels", "nhãn"),
    ("last_serial", "số thứ tự cuối"),
    ("level", "cấp"),
    ("method", "phương thức"),
    ("name", "tên"),
    ("outcome", "kết quả"),
    ("page", "trang"),
    ("pages_per_sheet", "số trang mỗi phiếu"),
    ("parent", "đơn vị cấp trên"),
    ("period", "kỳ"),
    ("previous_version", "phiên bản trước"),
    ("reason", "lý do"),
    ("removed", "đã xoá"),
    ("role", "vai trò"),
    ("route", "đường dẫn"),
    ("rows", "số dòng"),
    ("sample", "mẫu phúc tra"),
    ("seed", "hạt giống"),
    ("sessions_revoked", "số phiên đăng nhập bị kết thúc"),
    ("sha256", "mã băm SHA-256 của tệp"),
    ("share_percent", "tỉ lệ (%)"),
    ("sheet", "số phiếu"),
    ("state", "trạng thái phiếu"),
    ("status", "mã trạng thái"),
    ("stored", "đã lưu"),
    ("to", "đến ngày"),
    ("tree", "cả cây đơn vị"),
    ("unchanged", "giữ nguyên"),
    ("unit", "đơn vị"),
    ("valid_from", "hiệu lực từ"),
    ("valid_to", "hiệu lực đến"),
    ("version", "phiên bản"),
    ("via", "qua"),
];

/// The Vietnamese name of a detail key (the key itself when it is not known).
fn key_vi(key: &str) -> &str {
    KEYS.iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, v)| *v)
}

/// An action as an administrator reads it.
pub fn action_vi(action: &str) -> &str {
    action_label(action).unwrap_or(action)
}

/// A role as an administrator reads it.
pub fn role_vi(role: &str) -> &str {
    match role {
        "admin" => "Quản trị",
        "analyst" => "Phân tích",
        "clerk" => "Văn thư, nhập phiếu",
        other => other,
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "—".to_string(),
        Value::Bool(true) => "có".to_string(),
        Value::Bool(false) => "không".to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.is_empty() => "—".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "—".to_string(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{}: {}", key_vi(k), value_text(v)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The details of a record, one "khoá: giá trị" line per key (a value that is not a JSON
/// object is one line as it is).
pub fn detail_lines(detail: Option<&str>) -> Vec<String> {
    let Some(detail) = detail.filter(|d| !d.trim().is_empty()) else {
        return Vec::new();
    };
    match serde_json::from_str::<Value>(detail) {
        Ok(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| format!("{}: {}", key_vi(k), value_text(v)))
            .collect(),
        Ok(other) => vec![value_text(&other)],
        Err(_) => vec![detail.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::detail_lines;

    #[test]
    fn details_read_as_lines() {
        let lines = detail_lines(Some(r#"{"group":"dai_bieu_hdnd","count":3,"unit":null}"#));
        assert_eq!(lines, ["số lượng: 3", "nhóm: dai_bieu_hdnd", "đơn vị: —"]);
        assert!(detail_lines(None).is_empty());
    }
}
