//! 100,000 rows with one bad cell: refused with exactly that problem, nothing stored; the same
//! file fixed stores all of them in one go. (Timing is measured by `scripts/bench`, not here.)

use super::*;

const ROWS: usize = 100_000;

/// The file: `ROWS` valid rows (units, channels, ratings varied), the cell `TC3` of data row
/// `bad_index` (0-based) set to `bad_value`.
fn big_file(header: &str, bad: Option<(usize, &str)>) -> String {
    let units = ["phuoc-son", "phuoc-thang", "phuoc-hung"];
    let mut out = String::with_capacity(ROWS * 120);
    out.push('\u{feff}');
    out.push_str(header);
    out.push_str("\r\n");
    for i in 0..ROWS {
        let mut cells = valid_cells(&format!("ref-{i}"));
        cells["unit"] = json!(units[i % 3]);
        cells["channel"] = json!(if i % 2 == 0 { "paper" } else { "web" });
        cells["TC1"] = json!(1 + i % 5);
        cells["submitted_at"] = json!(format!(
            "2024-{:02}-{:02} 08:{:02}",
            1 + i % 12,
            1 + i % 28,
            i % 60
        ));
        if let Some((index, value)) = bad {
            if i == index {
                cells["TC3"] = json!(value);
            }
        }
        out.push_str(&csv_row(header, &cells));
        out.push_str("\r\n");
    }
    out
}

async fn one_bad_cell_in_a_hundred_thousand_rows(app: TestApp) {
    let (clerk, analyst) = tokens(&app).await;
    let header = export_header(&app, &analyst).await;
    let before = app.counts();
    let bad_index = 73_456;
    let file = big_file(&header, Some((bad_index, "6")));
    let response = import(&app, &clerk, "", CSV, file).await;
    let body = expect_error(response, 422, "import_rejected").await;
    // Header = row 1, so data row i is row i + 2.
    assert_eq!(
        problems(&body["error"]["problems"]),
        [cell(bad_index as u64 + 2, "TC3", "out_of_range")]
    );
    assert_eq!(app.counts(), before, "nothing stored");
    assert!(audit_rows_of(&app, "response.import").is_empty());

    let file = big_file(&header, None);
    let response = import(&app, &clerk, "", CSV, file).await;
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["stored"], ROWS);
    assert_eq!(app.counts().0, before.0 + ROWS as i64);
    let report = crate::common::report_of(&app, &analyst, "").await;
    assert_eq!(report["groups"][0]["responses"], ROWS);
}
both_backends!(one_bad_cell_in_a_hundred_thousand_rows);
