//! Staff pages in the browser: login with either cookie name, and the dashboard's every grouping.

use super::*;

/// Logs in through the page in Chromium on plain `http://127.0.0.1`, registers a kiosk through
/// an admin form (its hidden CSRF field, Chromium's own `Origin`) and logs out; returns the names
/// of the cookies Chromium kept after the login.
async fn staff_round_trip(browser: &Browser, app: &TestApp, password: &str) -> Vec<String> {
    browser.goto(&app.url("/login")).await;
    browser
        .find("#username")
        .await
        .send_keys("quan-tri")
        .await
        .unwrap();
    browser
        .find("#password")
        .await
        .send_keys(password)
        .await
        .unwrap();
    browser.click("button[type=submit]").await;
    eventually("the dashboard after the login", || async {
        browser
            .current_url()
            .await
            .ends_with("/dashboard")
            .then_some(())
    })
    .await;
    let cookies = browser.cdp("Network.getAllCookies", json!({})).await;
    let names: Vec<String> = cookies["cookies"]
        .as_array()
        .expect("cookies")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .collect();
    browser.goto(&app.url("/admin/kiosks")).await;
    browser
        .find("#name")
        .await
        .send_keys("Quầy trình duyệt")
        .await
        .unwrap();
    browser
        .js(
            "document.querySelector('#unit').value = 'phuoc-son';",
            vec![],
        )
        .await;
    browser
        .click("form[action='/admin/kiosks'] button[type=submit]")
        .await;
    eventually("the registered kiosk's page", || async {
        browser
            .body_text()
            .await
            .contains("Quầy trình duyệt")
            .then_some(())
    })
    .await;
    let count: i64 = sipas::store::schema::kiosks::table
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(
        count, 1,
        "the admin form (session-bound CSRF, same origin) registered it"
    );
    browser.goto(&app.url("/dashboard")).await;
    browser.click("form[action='/logout'] button").await;
    eventually("the login page after the logout", || async {
        browser
            .current_url()
            .await
            .ends_with("/login")
            .then_some(())
    })
    .await;
    browser.goto(&app.url("/dashboard")).await;
    assert!(
        browser.current_url().await.ends_with("/login"),
        "logged out"
    );
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_login_with_bare_and_host_prefixed_cookies() {
    for secure in [false, true] {
        let Some(browser) = Browser::start().await else {
            return;
        };
        let app = TestApp::spawn_with(Backend::Sqlite, |c| c.secure_cookies = secure)
            .await
            .expect("a SQLite app always starts");
        let password = app.create_user("quan-tri", Role::Admin);
        let mut names = staff_round_trip(&browser, &app, &password).await;
        names.sort();
        // Plain http: bare names. Secure (SIPAS_SECURE_COOKIES): `__Host-` names, which
        // Chromium accepts on http://127.0.0.1 (a secure context).
        let prefix = if secure { "__Host-" } else { "" };
        let expected: Vec<String> = ["sipas_csrf", "sipas_device", "sipas_session"]
            .iter()
            .map(|n| format!("{prefix}{n}"))
            .collect();
        assert_eq!(names, expected, "secure = {secure}");
    }
}

/// Waits for the page a click on `css` leads to.
async fn click_and_wait_for_page(browser: &Browser, css: &str) {
    browser.js("window.__sipas_old_page = true;", vec![]).await;
    browser.click(css).await;
    browser
        .wait_until(
            "the next page",
            "return document.readyState === 'complete' && window.__sipas_old_page !== true",
            vec![],
        )
        .await;
}

/// The dashboard in a real browser: an analyst logs in, chooses each grouping of the real
/// "Nhóm theo" select (the "Kỳ" select is sent with it, as a browser does), submits, and sees
/// a table and drawn charts, never an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_every_grouping_in_the_browser() {
    let Some((browser, app)) = start().await else {
        return;
    };
    for channel in ["phone", "web"] {
        let mut body = valid_submission();
        body["channel"] = json!(channel);
        assert_eq!(app.submit(&body).await.status(), 201);
    }
    let password = app.create_user("lan", Role::Analyst);
    browser.goto(&app.url("/login")).await;
    browser
        .js(
            "document.getElementById('username').value = 'lan';
             document.getElementById('password').value = arguments[0];",
            vec![json!(password)],
        )
        .await;
    click_and_wait_for_page(&browser, "form.card button[type=submit]").await;
    assert!(browser.current_url().await.contains("/dashboard"));
    let values = browser
        .js(
            "return Array.from(document.querySelectorAll('select#group_by option')).map(o => o.value);",
            vec![],
        )
        .await;
    let values: Vec<String> = values
        .as_array()
        .expect("option values")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    assert!(values.len() >= 5, "{values:?}");
    for value in &values {
        browser
            .find("select#group_by")
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value:?}: {e}"));
        click_and_wait_for_page(&browser, "form.controls button[type=submit]").await;
        let url = browser.current_url().await;
        assert!(
            url.contains("period="),
            "the form sends its Kỳ select: {url}"
        );
        assert!(
            !browser.exists(".error-summary").await,
            "group_by={value}: {}",
            browser.body_text().await
        );
        assert!(browser.exists("#index-table tbody tr").await, "{value}");
        assert!(browser.exists("#element-table").await, "{value}");
        browser
            .js(
                "document.querySelectorAll('figure img').forEach(i => { i.loading = 'eager'; });",
                vec![],
            )
            .await;
        browser
            .wait_until(
                &format!("the charts of group_by={value} drawn"),
                "const imgs = Array.from(document.querySelectorAll('figure img'));
                 return imgs.length >= 6 && imgs.every(i => i.complete && i.naturalWidth > 0);",
                vec![],
            )
            .await;
    }
}
