//! The sheets as printed: every question of the form, the routing in words, the unit, the survey
//! date, one sheet number per sheet on every one of its pages, in text and in a QR code.

use super::*;
use unicode_normalization::UnicodeNormalization;

/// The form as the service loads it (labels NFC).
fn form(id: &str) -> sipas::forms::Form {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("survey-forms");
    let mut form = sipas::forms::load_dir(&dir)
        .unwrap()
        .into_iter()
        .find(|f| f.id == id)
        .expect("the form file");
    form.nfc_labels();
    form
}

/// Every label a respondent reads: the questions, their options, the scales, the parts.
fn labels(form: &sipas::forms::Form) -> Vec<String> {
    use sipas::forms::QuestionKind;
    let mut out = vec![form.title.clone()];
    out.extend(form.intro.clone());
    out.extend(form.scale.labels.iter().cloned());
    for q in form.all_questions() {
        let label = match q.kind {
            QuestionKind::Choice(c) => {
                out.extend(c.options.iter().map(|o| o.label.clone()));
                c.label.clone()
            }
            QuestionKind::Item(i) => i.label.clone(),
            QuestionKind::Expectation(e) => e.label.clone(),
            QuestionKind::Comment(c) => c.label.clone(),
        };
        out.push(label);
    }
    for part in &form.parts {
        out.push(part.label.clone());
        out.extend(part.elements.iter().map(|e| e.label.clone()));
    }
    out
}

/// `Trang 1/k` of the first page: how many pages a sheet has.
fn pages_per_sheet(first_page: &str, sheet: &str) -> usize {
    let marker = format!("Số phiếu {sheet} · Trang 1/");
    let at = first_page
        .find(&marker)
        .unwrap_or_else(|| panic!("{marker} in {first_page}"));
    let rest = &first_page[at + marker.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

async fn a_batch_prints_every_question_and_numbers_every_page(app: TestApp) {
    if !poppler() {
        return;
    }
    let clerk = app.token_for(Role::Clerk).await;
    let batch = print_ok(&app, &clerk, HOUSEHOLD, UNIT, 3).await;
    let pdf = Pdf::new(&download(&app, &clerk, &batch).await);
    let text = pdf.text(None);
    assert_eq!(
        text,
        text.nfc().collect::<String>(),
        "NFC text, diacritics whole"
    );
    let flat = squeezed(&text);
    for label in labels(&form(HOUSEHOLD)) {
        assert!(flat.contains(&squeezed(&label)), "“{label}” is printed");
    }
    for needle in [
        UNIT_NAME,
        "Ngày khảo sát",
        "Câu 1.",
        "thì bỏ qua câu",
        "Chỉ trả lời nếu ở câu",
    ] {
        assert!(text.contains(needle), "“{needle}” is printed");
    }
    // Each sheet starts a page and carries its number on every one of its pages.
    let k = pages_per_sheet(&pdf.text(Some((1, 1))), "phuoc-son-000001");
    assert!(k >= 2, "the household form takes more than one page");
    assert_eq!(pdf.pages(), 3 * k, "3 sheets of {k} pages");
    for (s, sheet) in ["phuoc-son-000001", "phuoc-son-000002", "phuoc-son-000003"]
        .iter()
        .enumerate()
    {
        for page in 1..=k {
            let n = s * k + page;
            let page_text = pdf.text(Some((n, n)));
            let footer = format!("Số phiếu {sheet} · Trang {page}/{k}");
            assert!(page_text.contains(&footer), "page {n}: {footer}");
            assert_eq!(
                page_text.matches("phuoc-son-0000").count(),
                2,
                "page {n}: header and footer only"
            );
        }
        // The code on the sheet's first page holds exactly its number.
        let png = pdf.page_png(s * k + 1);
        assert_eq!(decode_qr(&png), vec![sheet.to_string()], "QR of {sheet}");
    }
    assert!(
        !text.contains("phuoc-son-000004"),
        "no sheet beyond the batch"
    );
}
both_backends!(a_batch_prints_every_question_and_numbers_every_page);

async fn every_form_that_takes_paper_prints(app: TestApp) {
    if !poppler() {
        return;
    }
    let admin = app.token_for(Role::Admin).await;
    for id in [SERVICE, "khao-sat-dai-bieu"] {
        let batch = print_ok(&app, &admin, id, "tuy-phuoc", 1).await;
        let pdf = Pdf::new(&download(&app, &admin, &batch).await);
        let flat = squeezed(&pdf.text(None));
        for label in labels(&form(id)) {
            assert!(
                flat.contains(&squeezed(&label)),
                "{id}: “{label}” is printed"
            );
        }
        let sheet = format!("tuy-phuoc-{:06}", batch["first_serial"].as_i64().unwrap());
        assert_eq!(decode_qr(&pdf.page_png(1)), vec![sheet]);
        let k = pages_per_sheet(
            &pdf.text(Some((1, 1))),
            &format!("tuy-phuoc-{:06}", batch["first_serial"].as_i64().unwrap()),
        );
        assert_eq!(pdf.pages(), k, "{id}: one sheet");
    }
}
both_backends!(every_form_that_takes_paper_prints);
