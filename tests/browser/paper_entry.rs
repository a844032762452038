//! `/entry` in the browser with the keyboard only: after the login, three sheets are typed (sheet
//! number + Enter as a scanner sends it, the date as 8 digits, one digit per answer, Enter saves)
//! without a single click; then the database holds them. axe-core on `/entry` and
//! `/entry/reconcile`.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};

use super::*;

const ENTER: char = '\u{E007}';

/// Types `text` on whatever has the focus, key by key, as a person or a USB scanner does.
async fn type_keys(browser: &Browser, text: &str) {
    let mut actions = KeyActions::new("keyboard".to_string());
    for value in text.chars() {
        actions = actions
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
    }
    browser
        .client
        .perform_actions(actions)
        .await
        .expect("keyboard actions");
}

/// Logs in through the login page with the keyboard (the username field has the focus).
async fn keyboard_login(browser: &Browser, app: &TestApp, role: Role, username: &str) {
    let password = app.create_user(username, role);
    browser.goto(&app.url("/login")).await;
    browser
        .find("#username")
        .await
        .send_keys(username)
        .await
        .unwrap();
    browser
        .find("#password")
        .await
        .send_keys(&format!("{password}{ENTER}"))
        .await
        .unwrap();
    eventually("the landing page after the login", || async {
        (!browser.current_url().await.ends_with("/login")).then_some(())
    })
    .await;
}

fn printed_batch(app: &TestApp, first: i64, double_entry: bool) {
    let row = sipas::store::paper::batches::BatchRow {
        id: format!("batch-browser-{first}"),
        form_id: SERVICE.to_string(),
        unit: "phuoc-son".to_string(),
        first_serial: first,
        last_serial: first + 99,
        double_entry,
        printed_at: chrono::Utc::now().naive_utc(),
        printed_by: "test".to_string(),
    };
    diesel::insert_into(sipas::store::schema::paper_batches::table)
        .values(&row)
        .execute(&mut app.db())
        .expect("a printed batch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entry_with_the_keyboard_only() {
    let Some((browser, app)) = start().await else {
        return;
    };
    printed_batch(&app, 1, false);
    keyboard_login(&browser, &app, Role::Clerk, "nhap-phieu").await;
    browser
        .goto(&app.url(&format!("/entry?form={SERVICE}")))
        .await;
    browser
        .wait_until(
            "the entry script",
            "return document.activeElement && document.activeElement.id === 'sheet'",
            vec![],
        )
        .await;
    for n in 1..=3 {
        // Scanner: the number and Enter. Date: 8 digits, moves on by itself. Then the six
        // respondent questions skipped with 0, da_pakn 2 (Chưa: the PAKN part is skipped), the 16
        // service items, and Enter to save.
        type_keys(&browser, &format!("PHUOC-SON-{n:06}{ENTER}")).await;
        type_keys(&browser, "02112026").await;
        type_keys(&browser, &format!("0000002{}{ENTER}", "5443554255445445")).await;
        eventually("the sheet saved and the count up", || async {
            (browser.text("#entry-count-n").await == n.to_string()).then_some(())
        })
        .await;
        let focused = browser.js("return document.activeElement.id", vec![]).await;
        assert_eq!(focused, json!("sheet"), "focus back on the sheet number");
        assert_eq!(
            browser.field("sheet").await,
            "",
            "cleared for the next sheet"
        );
    }
    shot(&browser, "entry").await;
    let rows = stored(&app);
    assert_eq!(rows.len(), 3, "{rows:?}");
    for (n, row) in (1..=3).zip(rows.iter()) {
        assert_eq!(row.3, "paper");
        assert_eq!(
            row.4.as_deref(),
            Some(format!("paper:phuoc-son-{n:06}").as_str())
        );
    }
    let tc1: Vec<Option<i32>> = answers::table
        .filter(answers::question.eq("TC1"))
        .select(answers::num_value)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(tc1, [Some(5); 3]);
    // A digit out of range is refused at once, and said.
    type_keys(&browser, &format!("phuoc-son-000004{ENTER}02112026000000")).await;
    type_keys(&browser, "9").await;
    browser
        .wait_until(
            "the refusal said",
            "return document.getElementById('entry-live').textContent.indexOf('chỉ nhận') >= 0",
            vec![],
        )
        .await;
    assert_eq!(browser.field("da_pakn").await, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accessibility_entry_pages() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some((browser, app)) = start().await else {
        return;
    };
    printed_batch(&app, 1, true);
    // One disputed sheet: TC1 typed 5 by one clerk, 2 by another.
    for tc1 in [5, 2] {
        let clerk = app.token_for(Role::Clerk).await;
        let body = json!({"form": SERVICE, "sheet": "phuoc-son-000001", "survey_date": "2026-11-02",
                          "answers": answers_with(json!({"TC1": tc1}))});
        let response = post_auth(&app, "/api/v1/paper/entries", Some(&clerk), &body).await;
        assert_eq!(response.status(), 201);
    }
    keyboard_login(&browser, &app, Role::Admin, "giam-sat").await;
    browser
        .goto(&app.url(&format!("/entry?form={SERVICE}")))
        .await;
    browser.assert_accessible(axe, "/entry").await;
    // The page with a refused sheet: the problem beside the sheet number, said aloud.
    type_keys(&browser, &format!("phuoc-son-000999{ENTER}02112026{ENTER}")).await;
    browser
        .wait_until(
            "the refusal beside the sheet number",
            "return !!document.getElementById('sheet-err')",
            vec![],
        )
        .await;
    shot(&browser, "entry-refused").await;
    browser
        .assert_accessible(axe, "/entry with a refusal")
        .await;
    browser
        .goto(&app.url(&format!("/entry/reconcile?form={SERVICE}")))
        .await;
    assert!(browser.exists("#sheet-phuoc-son-000001 tr.differs").await);
    shot(&browser, "reconcile").await;
    browser.assert_accessible(axe, "/entry/reconcile").await;
}
