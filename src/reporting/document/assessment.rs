//! III.4, III.6 and IV of a báo cáo: the units against the target, the delegates' survey and the
//! assessment — factual sentences from the numbers, the same in Word and in `index.html`.

use crate::forms::Form;
use crate::reporting::analytics::Verdict;
use crate::reporting::reports::labels::{self, percent};
use crate::reporting::reports::output::{ElementOut, GroupOut, ItemOut, ReportOut};

use super::narrative::{
    self, change_between, delta_words, in_sentence, previous_group, significance_words,
    target_text, value_with_interval, verdict_words,
};
use super::ReportSet;

/// The unit code of a group of the by-unit report.
pub fn unit_of(g: &GroupOut) -> &str {
    g.key.get("unit").and_then(|v| v.as_str()).unwrap_or("")
}

/// The units that serve citizens and had no response in the period.
pub fn silent_units(set: &ReportSet) -> Vec<String> {
    set.served
        .iter()
        .filter(|code| {
            !set.by_unit
                .groups
                .iter()
                .any(|g| unit_of(g) == code.as_str())
        })
        .map(|code| set.name_of(code))
        .collect()
}

/// "3/14 đơn vị được kết luận «Đạt» mục tiêu 90 %".
fn units_reaching(set: &ReportSet) -> String {
    let groups = &set.by_unit.groups;
    let dat = groups
        .iter()
        .filter(|g| g.index.verdict == Some(Verdict::Dat))
        .count();
    let total = groups.len() + silent_units(set).len();
    format!(
        "{dat}/{total} đơn vị được kết luận «Đạt» mục tiêu {}",
        target_text(set.report.target)
    )
}

/// III.4: the units against the target; those below it and those without responses named.
pub fn units(set: &ReportSet) -> Vec<String> {
    let groups = &set.by_unit.groups;
    let silent = silent_units(set);
    if groups.is_empty() && silent.is_empty() {
        return vec!["Không có đơn vị trực thuộc nào có phiếu trả lời trong kỳ.".to_string()];
    }
    let mut out = vec![format!("{}.", units_reaching(set))];
    let target = set.report.target;
    let below: Vec<String> = groups
        .iter()
        .filter(|g| g.index.value.is_some_and(|v| v < target))
        .map(|g| format!("{} ({})", set.name_of(unit_of(g)), percent(g.index.value)))
        .collect();
    if below.is_empty() {
        if !groups.is_empty() {
            out.push(format!(
                "Không có đơn vị nào có chỉ số thấp hơn mục tiêu {}.",
                target_text(target)
            ));
        }
    } else {
        out.push(format!(
            "Các đơn vị có chỉ số thấp hơn mục tiêu {}: {}.",
            target_text(target),
            below.join(", ")
        ));
    }
    if !silent.is_empty() {
        out.push(format!(
            "Chưa có phiếu trả lời trong kỳ: {}.",
            silent.join(", ")
        ));
    }
    out
}

/// The elements of the overall group, in form order.
pub fn elements(report: &ReportOut) -> Vec<&ElementOut> {
    report
        .groups
        .first()
        .map(|g| g.parts.iter().flat_map(|p| &p.elements).collect())
        .unwrap_or_default()
}

fn items(report: &ReportOut) -> Vec<&ItemOut> {
    elements(report)
        .into_iter()
        .flat_map(|e| &e.items)
        .collect()
}

/// The lowest and highest of `values` with a value.
fn extremes<T>(values: Vec<T>, value: impl Fn(&T) -> Option<f64>) -> Option<(T, T)>
where
    T: Copy,
{
    let with: Vec<T> = values.into_iter().filter(|v| value(v).is_some()).collect();
    let by = |a: &T, b: &T| value(a).unwrap_or(0.0).total_cmp(&value(b).unwrap_or(0.0));
    let low = *with.iter().min_by(|a, b| by(a, b))?;
    let high = *with.iter().max_by(|a, b| by(a, b))?;
    Some((low, high))
}

/// The sentence on the lowest and highest elements, the lowest against the previous period.
fn element_sentence(set: &ReportSet) -> Option<String> {
    let (low, high) = extremes(elements(&set.report), |e| e.index.value)?;
    let mut s = format!(
        "Yếu tố thấp nhất là «{}» ({})",
        low.label,
        percent(low.index.value)
    );
    let before = set
        .previous
        .as_ref()
        .filter(|_| previous_group(set).is_some())
        .and_then(|p| elements(p).into_iter().find(|e| e.code == low.code));
    if let Some(c) = before.and_then(|b| change_between(&low.index, &b.index)) {
        s.push_str(&format!(
            ", {} so với {}, {}",
            delta_words(c.delta),
            set.period.previous_words(),
            significance_words(c.significant)
        ));
    }
    if high.code != low.code {
        s.push_str(&format!(
            "; yếu tố cao nhất là «{}» ({})",
            high.label,
            percent(high.index.value)
        ));
    }
    Some(format!("{s}."))
}

/// The sentence on the lowest criterion.
fn item_sentence(form: &Form, report: &ReportOut) -> Option<String> {
    let (low, _) = extremes(items(report), |i| i.index.value)?;
    Some(format!(
        "Tiêu chí thấp nhất là «{}» ({}).",
        labels::item_text(form, &low.code),
        percent(low.index.value)
    ))
}

/// III.6: the delegates' and leaders' survey, where the selection has it.
pub fn delegates(set: &ReportSet) -> Vec<String> {
    let Some(d) = &set.delegates else {
        return Vec::new();
    };
    let Some(g) = d.report.groups.first() else {
        return Vec::new();
    };
    let mut out = vec![format!(
        "Khảo sát «{}» có {} phiếu; chỉ số chung đạt {}, {}.",
        d.form.title,
        labels::count(g.responses),
        value_with_interval(&g.index),
        verdict_words(&g.index, d.report.target)
    )];
    if let Some((low, _)) = extremes(elements(&d.report), |e| e.index.value) {
        out.push(format!(
            "Nội dung được đánh giá thấp nhất là «{}» ({}).",
            low.label,
            percent(low.index.value)
        ));
    }
    out
}

/// IV. Assessment: what the numbers say, in order of weight.
pub fn assessment(form: &Form, set: &ReportSet) -> Vec<String> {
    let Some(g) = set
        .report
        .groups
        .first()
        .filter(|g| g.index.value.is_some())
    else {
        return vec![format!(
            "Chưa có phiếu trả lời của {} trong {}; chưa có căn cứ để đánh giá.",
            in_sentence(&set.unit_name()),
            set.period.words()
        )];
    };
    let mut overall = format!(
        "{} {} là {}, {}",
        narrative::overall_name(form),
        set.period.words(),
        percent(g.index.value),
        verdict_words(&g.index, set.report.target)
    );
    let change = previous_group(set).and_then(|p| narrative::overall_change(g, p));
    if let Some(c) = change {
        overall.push_str(&format!(
            "; {} so với {}, {}",
            delta_words(c.delta),
            set.period.previous_words(),
            significance_words(c.significant)
        ));
    }
    let mut out = vec![format!("{overall}.")];
    if !set.by_unit.groups.is_empty() {
        out.push(format!("{}.", units_reaching(set)));
    }
    out.extend(element_sentence(set));
    out.extend(item_sentence(form, &set.report));
    if let Some(d) = set
        .delegates
        .as_ref()
        .and_then(|d| d.report.groups.first().map(|g| (g, d.report.target)))
    {
        out.push(format!(
            "Đánh giá của đại biểu HĐND và lãnh đạo: {}, {}.",
            percent(d.0.index.value),
            verdict_words(&d.0.index, d.1)
        ));
    }
    out
}
