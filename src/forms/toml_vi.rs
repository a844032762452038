//! The TOML parser's own messages (`toml`, `serde`), as an administrator reads them: in
//! Vietnamese. The line comes with the problem; the English original stays in `message_en`.

/// The Vietnamese text of a message of the `toml` crate (parser or deserializer).
pub fn translate(en: &str) -> String {
    let first = en.lines().next().unwrap_or("").trim();
    if let Some(rest) = first.strip_prefix("missing field ") {
        return format!("Thiếu khoá bắt buộc {}.", ticked(rest));
    }
    if let Some(rest) = first.strip_prefix("unknown field ") {
        let (field, expected) = split_expected(rest);
        return match expected {
            Some(list) => format!(
                "Khoá {} không có trong mẫu phiếu; các khoá dùng được ở đây: {list}.",
                ticked(field)
            ),
            None => format!("Khoá {} không có trong mẫu phiếu.", ticked(field)),
        };
    }
    if let Some(rest) = first.strip_prefix("unknown variant ") {
        let (value, expected) = split_expected(rest);
        return match expected {
            Some(list) => format!(
                "Giá trị {} không được chấp nhận; chọn một trong: {list}.",
                ticked(value)
            ),
            None => format!("Giá trị {} không được chấp nhận.", ticked(value)),
        };
    }
    if let Some(rest) = first.strip_prefix("duplicate field ") {
        return format!("Khoá {} được khai báo hai lần.", ticked(rest));
    }
    if first.starts_with("invalid type:") {
        let expected = first
            .split_once(", expected ")
            .map(|(_, e)| expected_vi(e))
            .unwrap_or_else(|| "giá trị khác".to_string());
        return format!("Giá trị sai kiểu: cần {expected}.");
    }
    if first.starts_with("invalid length") {
        return "Số phần tử trong danh sách không đúng.".to_string();
    }
    if first.starts_with("invalid value") {
        return "Giá trị không hợp lệ.".to_string();
    }
    syntax(first)
}

/// The parser's syntax messages (English, as a part of the message) and their Vietnamese.
const SYNTAX: &[(&str, &str)] = &[
    (
        "string values must be quoted",
        "Giá trị chữ phải đặt trong dấu ngoặc kép, ví dụ title = \"Phiếu khảo sát\".",
    ),
    (
        "missing opening quote",
        "Thiếu dấu ngoặc kép mở đầu chuỗi: giá trị chữ phải đặt trong dấu ngoặc kép.",
    ),
    ("missing closing quote", "Thiếu dấu ngoặc kép đóng chuỗi."),
    (
        "duplicate key",
        "Khoá này đã được khai báo trước đó trong cùng bảng.",
    ),
    (
        "unclosed array table",
        "Thiếu dấu \"]]\" đóng tên bảng [[…]].",
    ),
    ("unclosed table", "Thiếu dấu \"]\" đóng tên bảng […]."),
    (
        "unclosed array",
        "Danh sách […] chưa được đóng bằng dấu \"]\".",
    ),
    (
        "unclosed inline table",
        "Bảng { … } chưa được đóng bằng dấu \"}\".",
    ),
    ("missing comma", "Thiếu dấu phẩy giữa các phần tử."),
    ("extra comma", "Thừa dấu phẩy."),
    ("missing value", "Thiếu giá trị sau dấu \"=\"."),
    (
        "key with no value",
        "Khoá chưa có giá trị (thiếu \"= giá trị\").",
    ),
    (
        "missing assignment",
        "Thiếu dấu \"=\" giữa khoá và giá trị.",
    ),
    ("extra assignment", "Thừa dấu \"=\"."),
    ("extra `=`", "Thừa dấu \"=\"."),
    ("unexpected `=`", "Dấu \"=\" không được đứng ở đây."),
    ("invalid key", "Tên khoá không hợp lệ."),
    (
        "keys cannot be multi-line",
        "Tên khoá không được viết trên nhiều dòng.",
    ),
    (
        "invalid basic string",
        "Chuỗi trong dấu ngoặc kép không hợp lệ (kiểm tra dấu \\ và dấu ngoặc kép).",
    ),
    (
        "invalid literal string",
        "Chuỗi trong dấu nháy đơn không hợp lệ.",
    ),
    (
        "invalid string",
        "Chuỗi không hợp lệ (kiểm tra dấu ngoặc kép).",
    ),
    ("invalid integer", "Số nguyên không hợp lệ."),
    (
        "invalid float",
        "Số thập phân không hợp lệ (dùng dấu chấm, ví dụ 90.0).",
    ),
    ("invalid datetime", "Ngày giờ không hợp lệ."),
    (
        "invalid inline table",
        "Bảng { … } có phần tử không hợp lệ.",
    ),
    ("invalid table", "Tên bảng […] không hợp lệ."),
    (
        "invalid key-value pair",
        "Dòng không đúng dạng khoá = giá trị.",
    ),
    ("unexpected content", "Có nội dung thừa trên dòng này."),
    (
        "unexpected key or value",
        "Có khoá hoặc giá trị không đúng chỗ.",
    ),
    ("cannot recurse further", "Tệp lồng nhau quá sâu."),
];

/// The Vietnamese of one of the parser's syntax messages.
fn syntax(first: &str) -> String {
    SYNTAX
        .iter()
        .find(|(en, _)| first.contains(en))
        .map_or_else(
            || "Dòng này chưa đúng cú pháp TOML của tệp phiếu.".to_string(),
            |(_, vi)| (*vi).to_string(),
        )
}

/// "`x`, expected one of `a`, `b`" → ("`x`", Some("`a`, `b`")).
fn split_expected(rest: &str) -> (&str, Option<&str>) {
    match rest.split_once(", expected ") {
        Some((value, expected)) => {
            let list = expected
                .trim_start_matches("one of ")
                .trim_start_matches("a ")
                .trim();
            (value, (!list.is_empty()).then_some(list))
        }
        None => (rest, None),
    }
}

/// A key or value quoted as in the file, "`x`" → "\"x\"".
fn ticked(s: &str) -> String {
    format!("\"{}\"", s.trim().trim_matches('`'))
}

/// What serde expected, in words.
fn expected_vi(expected: &str) -> String {
    let e = expected.trim();
    let words = [
        ("a string", "một chuỗi chữ trong dấu ngoặc kép"),
        ("a boolean", "true hoặc false"),
        ("f64", "một số"),
        ("a number", "một số"),
        ("usize", "một số nguyên không âm"),
        ("u32", "một số nguyên không âm"),
        ("i64", "một số nguyên"),
        ("a sequence", "một danh sách […]"),
        ("struct", "một bảng khoá = giá trị"),
        ("a map", "một bảng khoá = giá trị"),
    ];
    words.iter().find(|(en, _)| e.contains(en)).map_or_else(
        || "giá trị đúng kiểu".to_string(),
        |(_, vi)| (*vi).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn known_messages_are_vietnamese() {
        assert!(translate("missing field `title`").contains("\"title\""));
        assert!(
            translate("unknown field `foo`, expected one of `id`, `title`").contains("\"foo\"")
        );
        assert!(
            translate("string values must be quoted, expected literal string")
                .contains("ngoặc kép")
        );
        assert!(translate("invalid type: string \"x\", expected f64").contains("một số"));
        assert!(translate("something new").contains("cú pháp"));
    }
}
