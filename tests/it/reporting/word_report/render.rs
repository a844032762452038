//! The báo cáo as an office suite lays it out: the command line's `.docx` converted to PDF by
//! LibreOffice (headless, a private profile) and read back with poppler — a few pages, the
//! national title, the headings, the overall index of the file's own table, the page number
//! from page two. `SIPAS_KEEP_RENDER=DIR` keeps the PDF and page 1 as PNG in DIR to look at.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::docx::Docx;
use super::*;

/// Whether LibreOffice and poppler are here; without them the test is skipped, unless
/// `SIPAS_REQUIRE_BROWSER` is set (CI), which makes their absence a failure (as for the printed
/// sheets, `collecting::paper_print`).
fn tools() -> bool {
    let runs = |program: &str, arg: &str| {
        Command::new(program)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    let found = runs("soffice", "--version")
        && runs("pdftotext", "-v")
        && runs("pdfinfo", "-v")
        && runs("pdftoppm", "-v");
    if !found {
        assert!(
            std::env::var_os("SIPAS_REQUIRE_BROWSER").is_none(),
            "LibreOffice (soffice) and poppler-utils (pdftotext, pdfinfo, pdftoppm) are required"
        );
        eprintln!(
            "SKIPPED: LibreOffice or poppler-utils are not installed; the báo cáo is not rendered"
        );
    }
    found
}

/// `soffice --headless --convert-to pdf` of `docx` into `out`, with its own profile under
/// `profile`; at most three minutes. Returns the PDF's path.
fn to_pdf(docx: &Path, out: &Path, profile: &Path) -> PathBuf {
    let mut child = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf",
        ])
        .arg("--outdir")
        .arg(out)
        .arg(docx)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("soffice starts");
    let started = Instant::now();
    while child.try_wait().expect("soffice runs").is_none() {
        if started.elapsed() > Duration::from_secs(180) {
            child.kill().ok();
            panic!("soffice took more than three minutes");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "soffice: {}", describe(&output));
    let pdf = out.join(docx.with_extension("pdf").file_name().unwrap());
    assert!(pdf.exists(), "soffice wrote no PDF: {}", describe(&output));
    pdf
}

fn poppler(program: &str, args: &[&str], pdf: &Path) -> String {
    let mut command = Command::new(program);
    command.args(args).arg(pdf);
    if program == "pdftotext" {
        command.arg("-");
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(output.status.success(), "{program}: {}", describe(&output));
    String::from_utf8(output.stdout).expect("UTF-8")
}

fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The first non-empty line of page `n`.
fn first_line(pdf: &Path, n: usize) -> String {
    let n = n.to_string();
    let text = poppler("pdftotext", &["-f", &n, "-l", &n], pdf);
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

#[test]
fn libreoffice_lays_the_bao_cao_out_on_a_few_numbered_pages() {
    if !tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("sipas.db");
    demo(db.to_str().unwrap(), 600, 60, 3);
    let (from, to) = last_year();
    let (from, to) = (from.to_string(), to.to_string());
    let file = tmp.path().join("bao-cao.docx");
    let written = run_sipas(
        &db,
        &[
            "report",
            "--format",
            "docx",
            "--form",
            FORM,
            "--unit",
            DISTRICT,
            "--from",
            &from,
            "--to",
            &to,
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(written.status.success(), "{}", describe(&written));
    let docx = Docx::read(&std::fs::read(&file).unwrap());
    let elements = body_of(
        docx.table_under("Chỉ số hài lòng chung và theo yếu tố"),
        &heading(&["Nội dung"]),
    );
    let overall = &elements[0];
    assert_eq!(overall[0], OVERALL);

    let pdf = to_pdf(
        &file,
        &tmp.path().join("pdf"),
        &tmp.path().join("lo-profile"),
    );
    let info = poppler("pdfinfo", &[], &pdf);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("a Pages: line")
        .trim()
        .parse()
        .unwrap();
    assert!((3..=15).contains(&pages), "{pages} pages");
    let text = squeezed(&poppler("pdftotext", &[], &pdf));
    let mut expected = vec![
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".to_string(),
        "Độc lập - Tự do - Hạnh phúc".to_string(),
        "UBND HUYỆN TUY PHƯỚC".to_string(),
        "BÁO CÁO".to_string(),
        overall[2].clone(),
        overall[3].clone(),
        "Nơi nhận:".to_string(),
    ];
    expected.extend(docx.styled("Heading1"));
    for wanted in expected {
        assert!(
            text.contains(&squeezed(&wanted)),
            "the PDF lacks {wanted:?}"
        );
    }
    // The page number stands at the top from page two; page one has none.
    assert_eq!(first_line(&pdf, 2), "2");
    assert_eq!(first_line(&pdf, pages), pages.to_string());
    assert_eq!(first_line(&pdf, 1), "UBND HUYỆN TUY PHƯỚC");

    if let Some(keep) = std::env::var_os("SIPAS_KEEP_RENDER") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&pdf, keep.join("bao-cao.pdf")).unwrap();
        std::fs::copy(&file, keep.join("bao-cao.docx")).unwrap();
        let prefix = keep.join("bao-cao-trang-1");
        let output = Command::new("pdftoppm")
            .args(["-r", "100", "-png", "-singlefile", "-f", "1", "-l", "1"])
            .arg(&pdf)
            .arg(&prefix)
            .output()
            .expect("pdftoppm");
        assert!(output.status.success(), "pdftoppm: {}", describe(&output));
        eprintln!("kept the render in {}", keep.display());
    }
}
