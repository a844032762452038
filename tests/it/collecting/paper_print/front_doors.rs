//! The other front doors of the same action: `sipas paper print` (the real binary) and the page
//! `/admin/paper` (session cookie, CSRF field, one-time key).

use super::*;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE};
use std::process::{Output, Stdio};

fn run(url: &str, args: &[&str]) -> Output {
    sipas_command()
        .args(["paper", "print"])
        .args(args)
        .env("DATABASE_URL", url)
        .stdin(Stdio::null())
        .output()
        .expect("the sipas binary runs")
}

fn batch_rows(url: &str) -> Vec<(String, i64, i64, bool, String)> {
    use diesel::prelude::*;
    use sipas::store::schema::paper_batches::dsl::*;
    paper_batches
        .order(first_serial)
        .select((form_id, first_serial, last_serial, double_entry, printed_by))
        .load(&mut sipas::store::connect(url).unwrap())
        .unwrap()
}

#[test]
fn the_command_line_prints_a_batch_into_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("sipas.db").display().to_string();
    let out = dir.path().join("phieu.pdf");
    let out_arg = out.display().to_string();
    let args = [
        "--form",
        SERVICE,
        "--unit",
        UNIT,
        "--count",
        "2",
        "--out",
        out_arg.as_str(),
    ];
    let output = run(&url, &args);
    assert!(output.status.success(), "{}", describe(&output));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("phuoc-son-000001") && said.contains("phuoc-son-000002"),
        "{said}"
    );
    let again = run(&url, &[&args[..], &["--single-entry"]].concat());
    assert!(again.status.success(), "{}", describe(&again));
    assert_eq!(
        batch_rows(&url),
        vec![
            (
                SERVICE.to_string(),
                1,
                2,
                true,
                "(command line)".to_string()
            ),
            (
                SERVICE.to_string(),
                3,
                4,
                false,
                "(command line)".to_string()
            ),
        ]
    );
    if poppler() {
        let pdf = Pdf::open(&out);
        assert_eq!(
            decode_qr(&pdf.page_png(1)),
            vec!["phuoc-son-000003".to_string()],
            "the file of the second print"
        );
        assert!(pdf.text(None).contains(UNIT_NAME));
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".part"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file left: {leftovers:?}"
    );

    // Refusals: a message, a non-zero exit, no file, nothing recorded.
    let missing_dir = dir
        .path()
        .join("no-such-folder")
        .join("x.pdf")
        .display()
        .to_string();
    let fresh = dir.path().join("fresh.pdf").display().to_string();
    for (bad, expected) in [
        (
            vec![
                "--form",
                SERVICE,
                "--unit",
                "no-such-unit",
                "--count",
                "1",
                "--out",
                &fresh,
            ],
            "no-such-unit",
        ),
        (
            vec![
                "--form",
                "no-such-form",
                "--unit",
                UNIT,
                "--count",
                "1",
                "--out",
                &fresh,
            ],
            "no-such-form",
        ),
        (
            vec![
                "--form", SERVICE, "--unit", UNIT, "--count", "0", "--out", &fresh,
            ],
            "count must be 1 to 2000",
        ),
        (
            vec![
                "--form", SERVICE, "--unit", UNIT, "--count", "2001", "--out", &fresh,
            ],
            "count must be 1 to 2000",
        ),
        (
            vec![
                "--form",
                SERVICE,
                "--unit",
                UNIT,
                "--count",
                "1",
                "--out",
                &missing_dir,
            ],
            "cannot write",
        ),
    ] {
        let output = run(&url, &bad);
        assert!(
            !output.status.success(),
            "{bad:?} must fail: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{bad:?}: {stderr}");
        assert!(!Path::new(&fresh).exists(), "{bad:?}: no file");
    }
    assert_eq!(
        batch_rows(&url).len(),
        2,
        "nothing recorded by the refusals"
    );
}

async fn get_page(app: &TestApp, path: &str, session: &Session) -> reqwest::Response {
    let request = app
        .client
        .get(app.url(path))
        .header(COOKIE, &session.cookie);
    request.send().await.expect("GET")
}

async fn post_page(app: &TestApp, session: &Session, fields: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url("/admin/paper"))
        .header(COOKIE, &session.cookie)
        .form(fields)
        .send()
        .await
        .expect("POST")
}

async fn the_page_prints_and_lists_batches(app: TestApp) {
    let clerk = page_login(&app, Role::Clerk).await;
    let page = Page::from(get_page(&app, "/admin/paper", &clerk).await).await;
    page.assert_html(200);
    for field in ["form", "unit", "count", "double_entry"] {
        assert!(
            page.has(&format!("label[for={field}]")),
            "a label for {field}"
        );
    }
    assert!(
        page.has("input#double_entry[checked]"),
        "double entry by default"
    );
    assert!(
        !page.body.contains(" style=\"") && !page.body.contains("<style"),
        "no inline style"
    );
    for form in page.all("form[method=post]") {
        let field = form
            .select(&sel("input[type=hidden][name=csrf]"))
            .next()
            .unwrap_or_else(|| panic!("a CSRF field in {}", form.html()));
        assert_eq!(attr(field, "value"), clerk.csrf);
    }
    let once = page.hidden("once");
    let csrf = clerk.csrf.clone();
    let fields = [
        ("csrf", csrf.as_str()),
        ("once", once.as_str()),
        ("form", HOUSEHOLD),
        ("unit", UNIT),
        ("count", "2"),
    ];
    let response = post_page(&app, &clerk, &fields).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/pdf");
    assert_eq!(
        response.headers()[CONTENT_DISPOSITION],
        "attachment; filename=\"phieu-sipas-ho-gia-dinh-phuoc-son-000001-000002.pdf\""
    );
    let bytes = response.bytes().await.unwrap();
    if poppler() {
        assert_eq!(
            decode_qr(&Pdf::new(&bytes).page_png(1)),
            vec!["phuoc-son-000001".to_string()]
        );
    }
    // Unticked: single entry. The same form sent again prints nothing again.
    assert_eq!(
        post_page(&app, &clerk, &fields).await.status(),
        409,
        "one-time key"
    );
    let list = Page::from(get_page(&app, "/admin/paper", &clerk).await).await;
    let rows = list.all("#batch-table tbody tr");
    assert_eq!(rows.len(), 1);
    let row = text(rows[0]);
    for needle in [
        "phuoc-son-000001 – phuoc-son-000002",
        UNIT_NAME,
        "Nhập một lần",
        &clerk.username,
    ] {
        assert!(row.contains(needle), "{needle} in {row}");
    }
    assert_eq!(stored_batches(&app), vec![(UNIT.to_string(), 1, 2)]);

    // A bad count: the form again, its problem beside the field, nothing printed.
    let once = list.hidden("once");
    let bad = [
        ("csrf", csrf.as_str()),
        ("once", once.as_str()),
        ("form", SERVICE),
        ("unit", UNIT),
        ("count", "nhiều"),
        ("double_entry", "1"),
    ];
    let page = Page::from(post_page(&app, &clerk, &bad).await).await;
    page.assert_html(422);
    assert!(
        page.has(".error-summary a[href='#count']"),
        "the problem links to its field"
    );
    // Without the CSRF field: refused.
    let no_csrf = [
        ("once", once.as_str()),
        ("form", SERVICE),
        ("unit", UNIT),
        ("count", "1"),
    ];
    assert_eq!(post_page(&app, &clerk, &no_csrf).await.status(), 403);
    assert_eq!(stored_batches(&app).len(), 1, "nothing more printed");

    let staff = Page::from(get_page(&app, "/staff", &clerk).await).await;
    assert!(
        staff.has("a[href='/admin/paper']"),
        "a clerk's page links to it"
    );
    // Analysts may not open it; the admin's home links to it.
    let analyst = page_login(&app, Role::Analyst).await;
    assert_eq!(get_page(&app, "/admin/paper", &analyst).await.status(), 403);
    let admin = page_login(&app, Role::Admin).await;
    let home = Page::from(get_page(&app, "/admin", &admin).await).await;
    assert!(
        home.has("a[href='/admin/paper']"),
        "linked from the admin home"
    );
    let as_admin = Page::from(get_page(&app, "/admin/paper", &admin).await).await;
    as_admin.assert_html(200);
    assert!(as_admin.has("nav.admin a[aria-current=page][href='/admin/paper']"));
}
both_backends!(the_page_prints_and_lists_batches);
