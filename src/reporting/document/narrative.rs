//! The words of a báo cáo, written from its numbers: the same sentences in the Word file and in
//! the folder's `index.html`. Every number comes from the [`ReportSet`]; a selection without
//! responses, a unit without responses or a period without a previous one is said plainly.

use crate::forms::{Form, IndexMethod};
use crate::reporting::analytics::stats::{z_difference, Z95};
use crate::reporting::analytics::Verdict;
use crate::reporting::reports::labels::{self, count, decimal, percent};
use crate::reporting::reports::output::{
    self, GroupOut, IndexOut, ReportOut, MIN_RESPONSES_FOR_COMPOSITE_VERDICT,
};

use super::period::date_vi;
use super::ReportSet;

/// "90 %", "92,5 %".
pub fn target_text(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{} %", s.replace('.', ","))
}

/// A unit's name inside a sentence: its level word in lower case ("huyện Tuy Phước").
pub fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if name.contains(' ') => first.to_lowercase().chain(chars).collect(),
        _ => name.to_string(),
    }
}

/// The title under "BÁO CÁO".
pub fn title(form: &Form, set: &ReportSet) -> String {
    let what = if form.invitation_only {
        "Kết quả khảo sát ý kiến đại biểu Hội đồng nhân dân và lãnh đạo về công tác cải cách hành chính"
    } else {
        "Kết quả khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước"
    };
    format!(
        "{what} {} trên địa bàn {}",
        set.period.words(),
        in_sentence(&set.unit_name())
    )
}

/// I. Purpose and scope.
pub fn purpose(form: &Form, set: &ReportSet) -> Vec<String> {
    let aim = if form.invitation_only {
        "Khảo sát ghi nhận đánh giá của đại biểu Hội đồng nhân dân và lãnh đạo về công tác cải cách hành chính, làm căn cứ để chỉ đạo khắc phục hạn chế và nâng cao hiệu quả cải cách hành chính."
    } else {
        "Khảo sát nhằm đo lường khách quan sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước, làm căn cứ để các cơ quan, đơn vị khắc phục hạn chế và nâng cao chất lượng phục vụ."
    };
    let p = set.period;
    let served = match set.served.len() {
        0 => String::new(),
        n => format!(" ({n} đơn vị trực thuộc)"),
    };
    vec![
        aim.to_string(),
        format!(
            "Phạm vi: {}{served}; thời gian: {} (từ ngày {} đến ngày {}); phiếu «{}»; mục tiêu: chỉ số hài lòng từ {} trở lên.",
            in_sentence(&set.unit_name()),
            p.words(),
            date_vi(p.from),
            date_vi(p.last_day()),
            form.title,
            target_text(form.target)
        ),
    ]
}

/// How responses came in: "ki-ốt 120 phiếu, điện thoại 300 phiếu".
fn channels(by_channel: &ReportOut) -> String {
    let parts: Vec<String> = by_channel
        .groups
        .iter()
        .map(|g| {
            let code = g.key.get("channel").and_then(|v| v.as_str()).unwrap_or("");
            format!(
                "{} {} phiếu",
                labels::channel(code).to_lowercase(),
                count(g.responses)
            )
        })
        .collect();
    parts.join(", ")
}

/// The sentence on sample sizes: how many units have the required sample.
fn sample_sentence(set: &ReportSet) -> String {
    let with_population: Vec<&GroupOut> = set
        .by_unit
        .groups
        .iter()
        .filter(|g| g.sample.is_some())
        .collect();
    let adequate = with_population
        .iter()
        .filter(|g| g.sample.as_ref().is_some_and(|s| s.adequate))
        .count();
    let formula = "Cỡ mẫu tối thiểu của mỗi đơn vị tính theo công thức n = N/(1 + N·e²), với N là số người dân, tổ chức được phục vụ và sai số e = 5 %";
    if with_population.is_empty() {
        return format!("{formula}; chưa đơn vị nào có số liệu N nên chưa so sánh được số phiếu với cỡ mẫu tối thiểu.");
    }
    format!(
        "{formula}: {adequate}/{} đơn vị có số liệu N đã thu đủ số phiếu tối thiểu.",
        with_population.len()
    )
}

/// How the indices are computed, then how their intervals and verdicts are: two paragraphs.
pub fn method_paragraphs(form: &Form) -> [String; 2] {
    let share = match form.index_method {
        IndexMethod::Top2Share => "Chỉ số của một tiêu chí là tỷ lệ câu trả lời ở mức 4 hoặc 5 (hài lòng, rất hài lòng) trên thang 1–5",
        IndexMethod::ScoreShare => "Chỉ số của một tiêu chí là tỷ lệ điểm đạt được trên điểm tối đa (Σ(mức − 1) / Σ 4 trên thang 1–5)",
    };
    [
        format!("{share}; chỉ số yếu tố, phần và chỉ số chung tổng hợp các tiêu chí theo phương pháp của biểu mẫu. Kỳ báo cáo tính theo ngày địa phương."),
        format!(
            "Khoảng tin cậy 95 % của tiêu chí tính theo phương pháp Wilson; của yếu tố, phần và chỉ số chung theo phương pháp tuyến tính hoá (xấp xỉ chuẩn). Kết luận so với mục tiêu {}: «Đạt» khi cận dưới của khoảng tin cậy đạt mục tiêu, «Không đạt» khi cận trên thấp hơn mục tiêu, còn lại «Chưa đủ căn cứ»; chỉ số tổng hợp dựa trên dưới {MIN_RESPONSES_FOR_COMPOSITE_VERDICT} phiếu luôn «Chưa đủ căn cứ». Thay đổi so với kỳ trước được kiểm định z ở mức 95 %.",
            target_text(form.target)
        ),
    ]
}

/// II. Method: forms, channels, period, sample, how the numbers are computed.
pub fn method(form: &Form, set: &ReportSet) -> Vec<String> {
    let n = set.report.responses;
    let collected = if n == 0 {
        "Trong kỳ báo cáo chưa có phiếu trả lời nào.".to_string()
    } else {
        format!(
            "Phiếu được thu qua các kênh: {}; tổng cộng {} phiếu.",
            channels(&set.by_channel),
            count(n)
        )
    };
    let [index, interval] = method_paragraphs(form);
    vec![
        format!("{collected} {}", sample_sentence(set)),
        index,
        interval,
    ]
}

/// "đạt mục tiêu 90 %", "chưa đạt mục tiêu 90 %", "chưa đủ căn cứ để kết luận so với …".
pub fn verdict_words(index: &IndexOut, target: f64) -> String {
    let t = target_text(target);
    match index.verdict {
        Some(Verdict::Dat) => format!("đạt mục tiêu {t}"),
        Some(Verdict::KhongDat) => format!("chưa đạt mục tiêu {t}"),
        Some(Verdict::ChuaDuCanCu) if index.reason == Some("few_responses") => format!(
            "chưa đủ căn cứ để kết luận so với mục tiêu {t} (dưới {MIN_RESPONSES_FOR_COMPOSITE_VERDICT} phiếu)"
        ),
        Some(Verdict::ChuaDuCanCu) => {
            format!("chưa đủ căn cứ để kết luận so với mục tiêu {t} (khoảng tin cậy chứa mục tiêu)")
        }
        None => format!("chưa có số liệu để so sánh với mục tiêu {t}"),
    }
}

/// "87,50 % (khoảng tin cậy 95 %: 85,10 – 89,90 %)".
pub fn value_with_interval(index: &IndexOut) -> String {
    match index.ci95 {
        Some((lo, hi)) => format!(
            "{} (khoảng tin cậy 95 %: {} – {} %)",
            percent(index.value),
            decimal(lo, 2),
            decimal(hi, 2)
        ),
        None => percent(index.value),
    }
}

/// The form index by its name: "Chỉ số hài lòng chung", or "Chỉ số chung" for the delegates'
/// survey (an assessment, not satisfaction).
pub fn overall_name(form: &Form) -> &'static str {
    if form.invitation_only {
        "Chỉ số chung"
    } else {
        "Chỉ số hài lòng chung"
    }
}

/// III.1: the overall index against the target.
pub fn overall(form: &Form, report: &ReportOut) -> String {
    match report.groups.first() {
        Some(g) if g.index.value.is_some() => format!(
            "{} đạt {}, {} (dựa trên {} phiếu).",
            overall_name(form),
            value_with_interval(&g.index),
            verdict_words(&g.index, report.target),
            count(g.responses)
        ),
        _ => "Không có phiếu trả lời nào trong kỳ và đơn vị đã chọn, nên chưa tính được chỉ số."
            .to_string(),
    }
}

/// A change between two indices: the difference in points and whether it is significant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub current: f64,
    pub previous: f64,
    /// Percentage points.
    pub delta: f64,
    pub significant: Option<bool>,
}

/// The standard error of an index from its 95 % interval (the wider side: an interval clipped at
/// 0 or 100 keeps the other side whole).
fn se_from_interval(index: &IndexOut) -> Option<f64> {
    let (v, (lo, hi)) = (index.value?, index.ci95?);
    Some((v - lo).max(hi - v) / Z95)
}

/// The change of `current` against `previous`; `None` when either has no value.
pub fn change_between(current: &IndexOut, previous: &IndexOut) -> Option<Change> {
    let (c, p) = (current.value?, previous.value?);
    let z = match (se_from_interval(current), se_from_interval(previous)) {
        (Some(a), Some(b)) => z_difference(c, a * a, p, b * b),
        _ => None,
    };
    Some(Change {
        current: c,
        previous: p,
        delta: c - p,
        significant: z.map(|z| z.abs() >= Z95),
    })
}

/// The change of the form index of `current` against `previous`, with the report's own variances
/// (`reports::output::change`, as the API's `change` between periods): exact where an interval
/// clipped at 0 or 100 would not be.
pub fn overall_change(current: &GroupOut, previous: &GroupOut) -> Option<Change> {
    let change = output::change("", &previous.estimate, &current.estimate);
    Some(Change {
        current: current.estimate.value?,
        previous: previous.estimate.value?,
        delta: change.delta?,
        significant: change.significant,
    })
}

/// "tăng 2,50 điểm %", "giảm 1,25 điểm %", "không đổi".
pub fn delta_words(delta: f64) -> String {
    let rounded = (delta * 100.0).round() / 100.0;
    if rounded > 0.0 {
        format!("tăng {} điểm %", decimal(rounded, 2))
    } else if rounded < 0.0 {
        format!("giảm {} điểm %", decimal(-rounded, 2))
    } else {
        "không đổi".to_string()
    }
}

/// "khác biệt có ý nghĩa thống kê" / "chưa có ý nghĩa thống kê".
pub fn significance_words(significant: Option<bool>) -> &'static str {
    match significant {
        Some(true) => "khác biệt có ý nghĩa thống kê",
        Some(false) => "khác biệt chưa có ý nghĩa thống kê",
        None => "chưa kiểm định được ý nghĩa thống kê",
    }
}

/// The previous period's overall group, when it had responses.
pub fn previous_group(set: &ReportSet) -> Option<&GroupOut> {
    set.previous
        .as_ref()
        .and_then(|r| r.groups.first())
        .filter(|g| g.responses > 0)
}

/// "cùng kỳ năm trước (năm 2023; 42 phiếu)": the period's words with its number of responses.
fn with_count(words: &str, responses: u64) -> String {
    match words.strip_suffix(')') {
        Some(open) => format!("{open}; {} phiếu)", count(responses)),
        None => format!("{words} ({} phiếu)", count(responses)),
    }
}

/// III.5: the overall index against the previous period.
pub fn change_sentence(form: &Form, set: &ReportSet) -> String {
    let words = set.period.previous_words();
    let Some(previous) = previous_group(set) else {
        return format!("Không có số liệu của {words} để so sánh.");
    };
    let Some(current) = set.report.groups.first() else {
        return format!("Kỳ này chưa có chỉ số để so sánh với {words}.");
    };
    match overall_change(current, previous) {
        Some(c) => format!(
            "So với {}, {} {} ({} → {}); {}.",
            with_count(&words, previous.responses),
            overall_name(form).to_lowercase(),
            delta_words(c.delta),
            percent(Some(c.previous)),
            percent(Some(c.current)),
            significance_words(c.significant)
        ),
        None => format!("Kỳ này chưa có chỉ số để so sánh với {words}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(v: f64, se: f64) -> IndexOut {
        IndexOut {
            value: Some(v),
            ci95: Some((v - Z95 * se, v + Z95 * se)),
            meets_target: None,
            verdict: None,
            gap: None,
            reason: None,
        }
    }

    #[test]
    fn words_for_changes_names_and_targets() {
        assert_eq!(delta_words(2.504), "tăng 2,50 điểm %");
        assert_eq!(delta_words(-1.25), "giảm 1,25 điểm %");
        assert_eq!(delta_words(0.004), "không đổi");
        assert_eq!(in_sentence("Huyện Tuy Phước"), "huyện Tuy Phước");
        assert_eq!(
            with_count("cùng kỳ năm trước (năm 2023)", 1234),
            "cùng kỳ năm trước (năm 2023; 1.234 phiếu)"
        );
        assert_eq!(target_text(92.5), "92,5 %");
        assert_eq!(target_text(80.0), "80 %");
    }

    #[test]
    fn a_change_is_tested_with_the_variances_behind_the_intervals() {
        // 90 vs 85, each with se 1: z = 5/√2 ≈ 3.54, significant; 90 vs 88: z ≈ 1.41, not.
        let c = change_between(&index(90.0, 1.0), &index(85.0, 1.0)).unwrap();
        assert!((c.delta - 5.0).abs() < 1e-9);
        assert_eq!(c.significant, Some(true));
        let c = change_between(&index(90.0, 1.0), &index(88.0, 1.0)).unwrap();
        assert_eq!(c.significant, Some(false));
        // An interval clipped at 100 keeps its lower half: se is still 1.
        let clipped = IndexOut {
            ci95: Some((99.0 - Z95, 100.0)),
            ..index(99.0, 1.0)
        };
        assert!((se_from_interval(&clipped).unwrap() - 1.0).abs() < 1e-9);
        // No value, no change.
        let empty = IndexOut {
            value: None,
            ci95: None,
            ..index(0.0, 0.0)
        };
        assert_eq!(change_between(&empty, &index(90.0, 1.0)), None);
    }
}
