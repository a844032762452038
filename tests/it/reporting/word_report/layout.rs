//! The báo cáo's form over HTTP, on both backends over demo data: the page, styles and header
//! of Nghị định 30/2020, the letterhead and title, the sections in order, the closing blocks,
//! the charts as PNG at print size, the dashboard's link to the same file, the audit record.

use chrono::Datelike;
use sipas::domain::Role;

use super::docx::Block;
use super::*;

/// "Tuy Phước, ngày 05 tháng 02 năm 2026": day with two digits, months 1 and 2 too (NĐ 30).
fn date_line(place: &str, d: NaiveDate) -> String {
    let month = if d.month() <= 2 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        d.day(),
        d.year()
    )
}

async fn laid_out_as_the_decree_says(app: TestApp) {
    let analyst = seed_demo(&app).await;
    let (from, to) = last_year();
    let year = from.year();
    let query = format!("unit={DISTRICT}&from={from}&to={to}");

    let path = format!("/api/v1/reports/{FORM}/report.docx?{query}");
    let day_before = today();
    let response = app.get_auth(&path, &analyst).await;
    let day_after = today();
    assert_eq!(response.status(), 200, "GET {path}");
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], DOCX_TYPE);
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"bao-cao-{FORM}-{DISTRICT}-{from}-{to}.docx\"").as_str()
    );
    assert_eq!(headers["cache-control"], "no-store");
    let docx = Docx::read(&response.bytes().await.unwrap());

    // The page: A4 portrait, margins 20/20/30/15 mm; page numbers from the second page.
    let section = docx.section();
    assert_eq!(section.page, ("11906".into(), "16838".into()));
    assert_eq!(
        section.margins,
        ["1134", "850", "1134", "1701"].map(String::from)
    );
    assert!(section.title_page, "a first page of its own (w:titlePg)");
    let (_, numbered) = docx.header(&section.headers["default"]);
    assert!(numbered, "the default header holds a PAGE field");
    let (first_text, first_numbered) = docx.header(&section.headers["first"]);
    assert!(
        !first_numbered && first_text.trim().is_empty(),
        "the first page's header is empty: {first_text:?}"
    );
    let tnr = Some("Times New Roman".to_string());
    assert_eq!(docx.default_run(), (tnr.clone(), tnr, Some("28".into())));
    let styles = docx.paragraph_styles();
    for id in [
        "BodyText",
        "Heading1",
        "Heading2",
        "Caption",
        "TableText",
        "TableHeading",
    ] {
        assert!(styles.iter().any(|s| s == id), "style {id} in {styles:?}");
    }

    // The letterhead: the issuing body beside the national title, then the title.
    let blocks = docx.blocks();
    let Block::Table(head) = &blocks[0] else {
        panic!("the letterhead table first, got {:?}", blocks[0])
    };
    assert_eq!(head.len(), 1, "one row: {head:?}");
    let left: Vec<&str> = head[0][0].lines().collect();
    let right: Vec<&str> = head[0][1].lines().collect();
    assert_eq!(
        left[..2],
        ["UBND HUYỆN TUY PHƯỚC", "PHÒNG NỘI VỤ"],
        "{left:?}"
    );
    assert!(
        left.iter()
            .any(|l| l.starts_with("Số:") && l.ends_with("/BC-PNV")),
        "{left:?}"
    );
    assert_eq!(
        right[..2],
        [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc"
        ]
    );
    let dated = right.last().unwrap().to_string();
    assert!(
        [day_before, day_after]
            .map(|d| date_line("Tuy Phước", d))
            .contains(&dated),
        "the date line, got {dated:?}"
    );
    let paragraphs = docx.paragraphs();
    let title_at = paragraphs
        .iter()
        .position(|p| p.text == "BÁO CÁO")
        .expect("BÁO CÁO");
    let title = &paragraphs[title_at + 1].text;
    assert!(
        title.contains(&format!("năm {year}")) && title.ends_with("trên địa bàn huyện Tuy Phước"),
        "{title}"
    );

    // The sections, in order.
    let previous_words = format!("cùng kỳ năm trước (năm {})", year - 1);
    let comparison = format!("So sánh với {previous_words}");
    let headings: Vec<(String, String)> = paragraphs
        .iter()
        .filter(|p| matches!(p.style.as_deref(), Some("Heading1" | "Heading2")))
        .map(|p| (p.style.clone().unwrap(), p.text.clone()))
        .collect();
    let h = |level: u8, text: &str| (format!("Heading{level}"), text.to_string());
    assert_eq!(
        headings,
        vec![
            h(1, "I. MỤC ĐÍCH, PHẠM VI"),
            h(1, "II. PHƯƠNG PHÁP"),
            h(1, "III. KẾT QUẢ KHẢO SÁT"),
            h(2, "1. Chỉ số hài lòng chung"),
            h(2, "2. Chỉ số hài lòng theo yếu tố"),
            h(2, "3. Chỉ số hài lòng theo tiêu chí"),
            h(2, "4. Chỉ số hài lòng theo đơn vị"),
            h(2, &format!("5. {comparison}")),
            h(2, "6. Khảo sát đại biểu HĐND và lãnh đạo"),
            h(1, "IV. ĐÁNH GIÁ, KIẾN NGHỊ"),
            h(2, "1. Đánh giá"),
            h(2, "2. Kiến nghị"),
        ]
    );

    // The closing: "Nơi nhận" (the district reports to the province) beside the signer.
    let Some(Block::Table(closing)) = blocks.last() else {
        panic!("the closing table last")
    };
    assert!(closing[0][0].starts_with("Nơi nhận:") && closing[0][0].contains("- Sở Nội vụ;"));
    assert!(closing[0][1].starts_with("TRƯỞNG PHÒNG"), "{closing:?}");

    // The charts: elements, units, and the trend over the year's quarters, each a PNG drawn
    // 1600 × 933 px; every image part is one of them.
    let quarters = json_report(
        &app,
        &analyst,
        FORM,
        &format!("{query}&group_by=period&period=quarter"),
    )
    .await;
    assert!(quarters["groups"].as_array().unwrap().len() > 1);
    let pictures = docx.pictures();
    assert_eq!(pictures.len(), 3, "elements, units, trend");
    for png_bytes in &pictures {
        let mut reader = png::Decoder::new(*png_bytes).read_info().expect("a PNG");
        let mut pixels = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut pixels).expect("the PNG decodes");
        assert_eq!((frame.width, frame.height), (1600, 933));
    }
    let media = docx
        .names()
        .into_iter()
        .filter(|n| n.starts_with("word/media/"))
        .count();
    assert_eq!(media, pictures.len(), "{:?}", docx.names());
    let figures = docx
        .styled("Caption")
        .into_iter()
        .filter(|c| c.starts_with("Hình "))
        .count();
    assert_eq!(figures, pictures.len(), "one caption per chart");
    assert_no_float_garbage(&docx.text());

    // The dashboard links the same file for its selection, and only with a period.
    let session = page_login(&app, Role::Analyst).await;
    let page = |path: String| {
        let cookie = session.cookie.clone();
        let client = app.client.clone();
        let url = app.url(&path);
        async move {
            let response = client
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            Page::from(response).await
        }
    };
    let dashboard = page(format!("/dashboard?form={FORM}&{query}")).await;
    let link = attr(dashboard.one("a#word-report"), "href").to_string();
    assert!(
        link.starts_with(&format!("/api/v1/reports/{FORM}/report.docx?"))
            && link.contains(&format!("from={from}"))
            && link.contains(&format!("to={to}")),
        "{link}"
    );
    assert!(!dashboard.has("#word-report-hint"));
    let linked = app
        .client
        .get(app.url(&link.replace("&amp;", "&")))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), 200, "{link}");
    assert_eq!(linked.headers()["content-type"], DOCX_TYPE);
    let again = Docx::read(&linked.bytes().await.unwrap());
    assert_eq!(
        again.blocks(),
        blocks,
        "the linked file is the same báo cáo"
    );
    let without = page(format!("/dashboard?form={FORM}&unit={DISTRICT}")).await;
    assert!(without.has("p#word-report-hint") && !without.has("a#word-report"));

    // Each download is recorded with its selection.
    let records = audit_rows_of(&app, "report_docx");
    assert_eq!(records.len(), 2, "{records:?}");
    for record in &records {
        assert_eq!(record.outcome, "ok");
        assert_eq!(record.role.as_deref(), Some("analyst"));
        assert_eq!(record.target.as_deref(), Some(FORM));
        let detail = audit_detail(record);
        assert_eq!(
            (
                &detail["unit"],
                &detail["from"],
                &detail["to"],
                &detail["tree"]
            ),
            (
                &json!(DISTRICT),
                &json!(from.to_string()),
                &json!(to.to_string()),
                &json!("as_given")
            ),
            "{detail}"
        );
    }
}
both_backends!(laid_out_as_the_decree_says);
