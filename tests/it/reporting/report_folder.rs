//! `sipas report`: the real binary writes the folder it promises (reports/README.md).

use std::process::Output;

use crate::common::*;

const KINDS: [&str; 6] = [
    "elements",
    "items",
    "trend",
    "units",
    "distribution",
    "expectations",
];

/// `2024-Q2`-like codes in a text.
fn regex_free_quarter_codes(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(7))
        .filter(|&i| {
            bytes[i..i + 4].iter().all(u8::is_ascii_digit)
                && &bytes[i + 4..i + 6] == b"-Q"
                && bytes[i + 6].is_ascii_digit()
        })
        .map(|i| text[i..i + 7].to_string())
        .collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn report_writes_the_promised_folder_and_refuses_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("sipas.db");
    let demo = run_sipas(&db, &["demo", "--responses", "300", "--seed", "3"]);
    assert!(demo.status.success(), "demo failed: {}", stderr(&demo));

    let out = tmp.path().join("r");
    let out_str = out.to_str().unwrap();
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Days::new(4 * 366)).to_string();
    let to = (today + chrono::Days::new(1)).to_string();
    let report = run_sipas(
        &db,
        &[
            "report",
            "--form",
            "sipas-dich-vu",
            "--from",
            &from,
            "--to",
            &to,
            "--out",
            out_str,
        ],
    );
    assert!(
        report.status.success(),
        "report failed: {}",
        stderr(&report)
    );

    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("lang=\"vi\""));
    assert!(html.contains("<svg"));
    assert_eq!(html.matches("<svg").count(), KINDS.len());
    assert!(html.contains("Mục tiêu 90 %"));
    assert!(
        html.contains("Đạt") || html.contains("Không đạt") || html.contains("Chưa đủ căn cứ"),
        "no verdict in index.html"
    );
    assert!(html.contains("@page{size:A4"), "no print stylesheet");
    assert!(html.contains("Lập ngày "), "no date of generation");
    assert!(html.contains("Wilson"), "no method note");
    // Periods, expectations and the legend read in Vietnamese; no period code is shown.
    assert!(html.contains("Quý "), "quarters in words");
    let codes = regex_free_quarter_codes(&html);
    assert!(codes.is_empty(), "period codes shown: {codes:?}");
    assert!(
        html.contains("id=\"expectation-table\""),
        "no expectations table"
    );
    assert!(html.contains("«Đạt mục tiêu»"), "no legend");
    let expectations = std::fs::read(out.join("tables/mong-muon-cai-thien.csv")).unwrap();
    let expectations = String::from_utf8(expectations[3..].to_vec()).unwrap();
    assert!(
        expectations.starts_with("Mã,Nội dung,Số trả lời (n),1 Ít"),
        "{expectations}"
    );
    assert!(expectations.contains("\r\nKV1,"), "{expectations}");
    // Self-contained: no URL at all (inline SVG needs no namespace in HTML).
    assert!(!html.contains("http://") && !html.contains("https://"));
    let title = html
        .split("<title>")
        .nth(1)
        .unwrap()
        .split("</title>")
        .next();
    assert!(
        title.unwrap().contains("n = "),
        "title without n: {title:?}"
    );

    for kind in KINDS {
        let png = std::fs::read(out.join(format!("charts/{kind}.png"))).unwrap();
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{kind}.png is no PNG"
        );
        let svg = std::fs::read_to_string(out.join(format!("charts/{kind}.svg"))).unwrap();
        assert!(svg.trim_start().starts_with("<svg"), "{kind}.svg");
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{kind}.svg: {e}"));
    }

    let csv = std::fs::read(out.join("tables/chi-so.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "chi-so.csv has no BOM");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "Cấp");
    assert_eq!(header.len(), 8);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][0], "Chỉ số chung");
    assert!(rows.iter().any(|r| &r[2] == "Tiếp cận dịch vụ"));
    assert!(rows.iter().any(|r| &r[1] == "TC1"));

    let xlsx = std::fs::read(out.join("tables/chi-so.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK"), "chi-so.xlsx is no zip");
    let responses = std::fs::read(out.join("tables/phieu-tra-loi.csv")).unwrap();
    assert!(responses.starts_with(b"\xEF\xBB\xBF"));
    // header + labels row + one line per response (no comment spans lines in demo data).
    let lines = responses.split(|&b| b == b'\n').filter(|l| !l.is_empty());
    assert_eq!(lines.count(), 300 + 2);

    // Running again over the same folder overwrites it.
    let again = run_sipas(
        &db,
        &[
            "report",
            "--form",
            "sipas-dich-vu",
            "--from",
            &from,
            "--to",
            &to,
            "--out",
            out_str,
        ],
    );
    assert!(again.status.success(), "{}", stderr(&again));

    let bad_date = run_sipas(
        &db,
        &[
            "report",
            "--form",
            "sipas-dich-vu",
            "--from",
            "2024-13-01",
            "--to",
            "2025-01-01",
            "--out",
            tmp.path().join("x").to_str().unwrap(),
        ],
    );
    assert!(!bad_date.status.success());
    assert!(stderr(&bad_date).contains("--from must be a date YYYY-MM-DD"));
    assert!(!tmp.path().join("x").exists());

    let reversed = run_sipas(
        &db,
        &[
            "report",
            "--form",
            "sipas-dich-vu",
            "--from",
            "2025-01-01",
            "--to",
            "2024-01-01",
            "--out",
            tmp.path().join("x").to_str().unwrap(),
        ],
    );
    assert!(!reversed.status.success());
    assert!(stderr(&reversed).contains("before"));

    let unknown = run_sipas(
        &db,
        &[
            "report",
            "--form",
            "khong-co",
            "--from",
            "2024-01-01",
            "--to",
            "2025-01-01",
            "--out",
            tmp.path().join("y").to_str().unwrap(),
        ],
    );
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("unknown form \"khong-co\""));

    let unknown_unit = run_sipas(
        &db,
        &[
            "report",
            "--form",
            "sipas-dich-vu",
            "--from",
            "2024-01-01",
            "--to",
            "2025-01-01",
            "--unit",
            "khong-co",
            "--out",
            tmp.path().join("z").to_str().unwrap(),
        ],
    );
    assert!(!unknown_unit.status.success());
    assert!(stderr(&unknown_unit).contains("khong-co"));
}
