//! How report values read in Vietnamese, for every page, chart, report folder and labelled
//! export: one number format (thousands with ".", decimals with ","), channels, periods and
//! group keys in words. The JSON API keeps its codes (`kiosk`, `2025-Q1`); only what people read
//! goes through here.

use std::collections::HashMap;

use serde_json::Value;

use crate::forms::Form;

/// `12345` → `"12.345"`.
pub fn count(n: u64) -> String {
    group_thousands(&n.to_string())
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// `1234.567` with 2 places → `"1.234,57"`; negative numbers with a true minus sign ("−").
/// Rounded half away from zero, as the JSON rounds (`reports::output`: `(x · 100).round() / 100`),
/// so that a page, a file and the API agree to the last digit: 29 of 32 is 90.625 %, "90,63".
pub fn decimal(v: f64, places: usize) -> String {
    let scale = 10f64.powi(places as i32);
    let text = format!("{:.*}", places, (v.abs() * scale).round() / scale);
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "−"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{}", group_thousands(whole))
    } else {
        format!("{sign}{},{fraction}", group_thousands(whole))
    }
}

/// `92.5` → `"92,50 %"`; `None` → `"—"`.
pub fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{} %", decimal(v, 2)))
}

/// Percentage points with a sign: `"+2,50"`, `"−1,25"`; `None` → `"—"`.
pub fn points(v: Option<f64>) -> String {
    match v {
        Some(v) if v < 0.0 => decimal(v, 2),
        Some(v) => format!("+{}", decimal(v, 2)),
        None => "—".to_string(),
    }
}

/// A channel code in words: `kiosk` → "Ki-ốt".
pub fn channel(code: &str) -> &str {
    match code {
        "kiosk" => "Ki-ốt",
        "phone" => "Điện thoại",
        "web" => "Trang web",
        "paper" => "Phiếu giấy",
        other => other,
    }
}

/// A period key in words: `2025-Q1` → "Quý 1/2025", `2024-05` → "Tháng 5/2024", `2024` →
/// "Năm 2024"; anything else as it is.
pub fn period(key: &str) -> String {
    let Some((year, rest)) = key.split_once('-') else {
        return if key.len() == 4 && key.chars().all(|c| c.is_ascii_digit()) {
            format!("Năm {key}")
        } else {
            key.to_string()
        };
    };
    if let Some(q) = rest.strip_prefix('Q') {
        return format!("Quý {q}/{year}");
    }
    match rest.parse::<u32>() {
        Ok(month) => format!("Tháng {month}/{year}"),
        Err(_) => key.to_string(),
    }
}

/// The value of one group key (`{"channel": "kiosk"}`, `{"gioi_tinh": "nu"}`, …) in words:
/// unit names, channels, periods, the option labels of the form's choice questions.
pub fn group_value(
    form: &Form,
    name: &str,
    value: &Value,
    unit_names: &dyn Fn(&str) -> Option<String>,
) -> String {
    let Value::String(code) = value else {
        return match value {
            Value::Null => "(không trả lời)".to_string(),
            other => other.to_string(),
        };
    };
    match name {
        "unit" => unit_names(code).unwrap_or_else(|| code.clone()),
        "channel" => channel(code).to_string(),
        "period" => period(code),
        question => form
            .question(question)
            .and_then(|q| q.options.iter().find(|o| &o.code == code))
            .map_or_else(|| code.clone(), |o| o.label.clone()),
    }
}

/// A whole group key in words ("Toàn bộ lựa chọn" for the ungrouped report).
pub fn group_key(
    form: &Form,
    key: &serde_json::Map<String, Value>,
    unit_names: &HashMap<String, String>,
) -> String {
    if key.is_empty() {
        return "Toàn bộ lựa chọn".to_string();
    }
    key.iter()
        .map(|(k, v)| group_value(form, k, v, &|c| unit_names.get(c).cloned()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statement of an item code (TC1 → "Nơi tiếp nhận…"), empty when the form has none.
pub fn item_text<'a>(form: &'a Form, code: &str) -> &'a str {
    form.parts
        .iter()
        .flat_map(|p| &p.elements)
        .flat_map(|e| &e.items)
        .find(|i| i.code == code)
        .map_or("", |i| i.label.as_str())
}

/// The statement of an expectation code (KV1 → …), empty when the form has none.
pub fn expectation_text<'a>(form: &'a Form, code: &str) -> &'a str {
    form.expectations
        .iter()
        .find(|e| e.code == code)
        .map_or("", |e| e.label.as_str())
}

/// What "Đạt mục tiêu" and "Kết luận" mean, said next to every table that shows both.
pub const TARGET_LEGEND: &str = "«Đạt mục tiêu»: giá trị chỉ số (con số đo được) bằng hoặc cao \
     hơn mục tiêu. «Kết luận»: điều khoảng tin cậy 95 % cho phép khẳng định — «Đạt» khi cả \
     khoảng ≥ mục tiêu, «Không đạt» khi cả khoảng < mục tiêu, «Chưa đủ căn cứ» khi khoảng chứa \
     mục tiêu hoặc có dưới 30 phiếu. Vì vậy một chỉ số có thể «Đạt mục tiêu» mà vẫn «Chưa đủ \
     căn cứ».";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_ties_as_the_json_does() {
        // 29 of 32 satisfied is 90.625 %: the JSON says 90.63, and so does every page and file.
        assert_eq!(percent(Some(29.0 / 32.0 * 100.0)), "90,63 %");
        assert_eq!(percent(Some(3.125)), "3,13 %");
        assert_eq!(decimal(2.675, 2), "2,68");
        assert_eq!(decimal(1234.567, 2), "1.234,57");
        assert_eq!(points(Some(-1.125)), "−1,13");
        assert_eq!(points(Some(0.004)), "+0,00");
        assert_eq!(decimal(-0.004, 2), "0,00");
    }

    #[test]
    fn numbers_read_the_vietnamese_way() {
        assert_eq!(count(20005), "20.005");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_234_567), "1.234.567");
        assert_eq!(decimal(1234.567, 2), "1.234,57");
        assert_eq!(decimal(-0.001, 2), "0,00");
        assert_eq!(decimal(-3.5, 1), "−3,5");
        assert_eq!(percent(Some(92.5)), "92,50 %");
        assert_eq!(percent(None), "—");
        assert_eq!(points(Some(-1.25)), "−1,25");
        assert_eq!(points(Some(2.5)), "+2,50");
    }

    #[test]
    fn codes_read_as_words() {
        assert_eq!(channel("kiosk"), "Ki-ốt");
        assert_eq!(channel("paper"), "Phiếu giấy");
        assert_eq!(period("2025-Q1"), "Quý 1/2025");
        assert_eq!(period("2024-05"), "Tháng 5/2024");
        assert_eq!(period("2024"), "Năm 2024");
    }
}
