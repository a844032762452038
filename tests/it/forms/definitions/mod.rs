//! The shipped questionnaires (`survey-forms/*.toml`): they load, carry exactly the codes that
//! QUESTIONNAIRE.md fixes, and broken variants are refused with the line of the problem.
//! Pure: no server, no database.

use crate::common::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::{Map, Value};
use sipas::domain::Channel;
use sipas::forms::model::{Part, ShowIf};
use sipas::forms::{
    load_dir, parse_form, validate_answers, AnswerValue, Form, FormLoadError, IndexMethod, Problem,
};

mod arbitrary_input;
mod broken_variants;
mod shipped;

fn codes<'a>(it: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    it.into_iter().collect()
}

fn show_if(question: &str, equals: &str) -> Option<ShowIf> {
    Some(ShowIf {
        question: question.into(),
        equals: equals.into(),
    })
}

/// (element code, item codes) of a part, in order.
fn element_items(part: &Part) -> Vec<(&str, Vec<&str>)> {
    part.elements
        .iter()
        .map(|e| {
            (
                e.code.as_str(),
                e.items.iter().map(|i| i.code.as_str()).collect(),
            )
        })
        .collect()
}

fn options_of<'a>(form: &'a Form, question: &str) -> Vec<&'a str> {
    form.question(question)
        .unwrap_or_else(|| panic!("{} has question {question}", form.id))
        .options
        .iter()
        .map(|o| o.code.as_str())
        .collect()
}

const SERVICE_ELEMENTS: [(&str, &[&str]); 5] = [
    ("tiep_can", &["TC1", "TC2", "TC3", "TC4"]),
    ("tthc", &["TT1", "TT2", "TT3", "TT4"]),
    ("cong_chuc", &["CC1", "CC2", "CC3", "CC4", "CC5"]),
    ("ket_qua", &["KQ1", "KQ2", "KQ3"]),
    ("pakn", &["PA1", "PA2", "PA3"]),
];

/// The statements of QUESTIONNAIRE.md, word for word.
const SERVICE_STATEMENTS: [(&str, &str); 19] = [
    ("TC1", "Cơ quan cung cấp thông tin về giải quyết thủ tục hành chính theo nhiều hình thức, dễ tiếp cận, dễ hiểu"),
    ("TC2", "Trụ sở tiếp nhận hồ sơ, trả kết quả có biển hiệu, hướng dẫn rõ ràng, dễ thấy"),
    ("TC3", "Trụ sở tiếp nhận hồ sơ, trả kết quả sạch sẽ, văn minh"),
    ("TC4", "Trang thiết bị phục vụ người dân đầy đủ, chất lượng tốt, dễ sử dụng"),
    ("TT1", "Thủ tục hành chính được niêm yết công khai tại trụ sở, dễ thấy, dễ hiểu"),
    ("TT2", "Thành phần hồ sơ phải nộp đúng quy định"),
    ("TT3", "Phí, lệ phí phải nộp đúng quy định"),
    ("TT4", "Thời hạn giải quyết đúng quy định"),
    ("CC1", "Công chức giao tiếp lịch sự, tôn trọng người dân"),
    ("CC2", "Công chức trả lời kịp thời, đầy đủ câu hỏi, ý kiến của người dân"),
    ("CC3", "Công chức hướng dẫn dễ hiểu, hoàn thiện hồ sơ sau một lần hướng dẫn"),
    ("CC4", "Công chức tuân thủ đúng quy định khi giải quyết công việc"),
    ("CC5", "Công chức tận tình trong suốt quá trình giải quyết công việc"),
    ("KQ1", "Kết quả được trả đúng hẹn"),
    ("KQ2", "Kết quả có thông tin đầy đủ, chính xác"),
    ("KQ3", "Kết quả bảo đảm công bằng"),
    ("PA1", "Cơ quan bố trí hình thức tiếp nhận phản ánh, kiến nghị, dễ thực hiện"),
    ("PA2", "Cơ quan tiếp nhận, xử lý phản ánh, kiến nghị đúng quy định"),
    ("PA3", "Cơ quan thông báo kết quả xử lý phản ánh, kiến nghị kịp thời"),
];

/// The shipped service form's file.
fn service_path() -> PathBuf {
    forms_dir().join("sipas-dich-vu.toml")
}
