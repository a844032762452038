//! Printed paper batches (issue #14, part 1): the PDF of numbered sheets read back with poppler
//! (`pdftotext`, `pdfinfo`, `pdftoppm` + the QR decoder), the serials of a unit's batches, the
//! refusals that record nothing, the command line and the page `/admin/paper`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;
use serde_json::{json, Value};
use sipas::domain::Role;

mod batches;
mod front_doors;
mod sheets;

const UNIT: &str = "phuoc-son";
const UNIT_NAME: &str = "Xã Phước Sơn";
const HOUSEHOLD: &str = "sipas-ho-gia-dinh";
const SERVICE: &str = "sipas-dich-vu";
const BATCHES: &str = "/api/v1/paper/batches";

/// Whether poppler's tools are here; without them the PDF checks are skipped, unless
/// `SIPAS_REQUIRE_BROWSER` is set (CI), which makes their absence a failure.
fn poppler() -> bool {
    let found = Command::new("pdftotext").arg("-v").output().is_ok()
        && Command::new("pdftoppm").arg("-v").output().is_ok()
        && Command::new("pdfinfo").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("SIPAS_REQUIRE_BROWSER").is_none(),
            "poppler-utils (pdftotext, pdfinfo, pdftoppm) are required"
        );
        eprintln!("SKIPPED: poppler-utils are not installed; the PDF is not read back");
    }
    found
}

/// A PDF written to a temporary folder, read back with poppler.
struct Pdf {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Pdf {
    fn new(bytes: &[u8]) -> Pdf {
        assert!(bytes.starts_with(b"%PDF-"), "a PDF");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sheets.pdf");
        std::fs::write(&path, bytes).unwrap();
        Pdf { dir, path }
    }

    fn open(path: &Path) -> Pdf {
        Pdf::new(&std::fs::read(path).expect("the PDF file"))
    }

    fn tool(&self, program: &str, args: &[&str]) -> Vec<u8> {
        let output = Command::new(program)
            .args(args)
            .arg(&self.path)
            .args(if program == "pdfinfo" {
                &[][..]
            } else {
                &["-"][..]
            })
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(output.status.success(), "{program}: {}", describe(&output));
        output.stdout
    }

    /// The text of pages `first..=last` (all when `None`).
    fn text(&self, pages: Option<(usize, usize)>) -> String {
        let range = pages.map(|(f, l)| (f.to_string(), l.to_string()));
        let mut args = Vec::new();
        if let Some((f, l)) = &range {
            args.extend(["-f", f.as_str(), "-l", l.as_str()]);
        }
        String::from_utf8(self.tool("pdftotext", &args)).expect("UTF-8 text")
    }

    fn pages(&self) -> usize {
        let info = String::from_utf8(self.tool("pdfinfo", &[])).unwrap();
        let line = info
            .lines()
            .find(|l| l.starts_with("Pages:"))
            .expect("a Pages: line");
        line["Pages:".len()..].trim().parse().unwrap()
    }

    /// Page `n` as a grey PNG at 150 dpi.
    fn page_png(&self, n: usize) -> Vec<u8> {
        let prefix = self.dir.path().join(format!("page-{n}"));
        let output = Command::new("pdftoppm")
            .args(["-gray", "-r", "150", "-png", "-singlefile"])
            .args(["-f", &n.to_string(), "-l", &n.to_string()])
            .arg(&self.path)
            .arg(&prefix)
            .output()
            .expect("pdftoppm");
        assert!(output.status.success(), "pdftoppm: {}", describe(&output));
        std::fs::read(prefix.with_extension("png")).expect("the page as PNG")
    }
}

/// Text without any whitespace (lines wrap differently in the PDF and in the form file).
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Prints a batch through the API; returns the status and the body.
async fn print(app: &TestApp, token: &str, body: &Value) -> (u16, Value) {
    status_and_json(post_auth(app, BATCHES, Some(token), body).await).await
}

/// Prints a batch that must be accepted; returns its JSON.
async fn print_ok(app: &TestApp, token: &str, form: &str, unit: &str, count: i64) -> Value {
    let (status, body) = print(
        app,
        token,
        &json!({"form": form, "unit": unit, "count": count}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// The batch's PDF, checked as a download.
async fn download(app: &TestApp, token: &str, batch: &Value) -> Vec<u8> {
    let path = batch["pdf"].as_str().expect("pdf link");
    let response = app.get_auth(path, token).await;
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let filename = format!(
        "attachment; filename=\"phieu-{}-{}-{:06}-{:06}.pdf\"",
        batch["form"].as_str().unwrap(),
        batch["unit"].as_str().unwrap(),
        batch["first_serial"].as_i64().unwrap(),
        batch["last_serial"].as_i64().unwrap()
    );
    assert_eq!(response.headers()["content-disposition"], filename.as_str());
    response.bytes().await.unwrap().to_vec()
}

/// The stored batches, as (unit, first, last), ordered by unit and first serial.
fn stored_batches(app: &TestApp) -> Vec<(String, i64, i64)> {
    use diesel::prelude::*;
    use sipas::store::schema::paper_batches::dsl::*;
    paper_batches
        .order((unit, first_serial))
        .select((unit, first_serial, last_serial))
        .load(&mut app.db())
        .unwrap()
}
