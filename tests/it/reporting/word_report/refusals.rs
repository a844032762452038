//! The refusals of `GET /api/v1/reports/{form_id}/report.docx`, on both backends: a period is
//! needed (400 `bad_query`), unknown units and forms are 404, staff other than analysts and
//! admins are refused; only the refused role is recorded.

use sipas::domain::Role;

use super::*;

async fn refusals_say_why_and_record_only_the_forbidden(app: TestApp) {
    let analyst = app.token_for(Role::Analyst).await;
    let clerk = app.token_for(Role::Clerk).await;
    let docx = |form: &str, query: &str| format!("/api/v1/reports/{form}/report.docx?{query}");
    for query in [
        "unit=tuy-phuoc&to=2025-01-01",
        "from=2024-01-01",
        "",
        "from=2024-13-01&to=2025-01-01",
        "from=2025-01-01&to=2025-01-01",
        "from=2025-01-01&to=2024-01-01",
    ] {
        expect_error(
            app.get_auth(&docx(FORM, query), &analyst).await,
            400,
            "bad_query",
        )
        .await;
    }
    let selection = "from=2024-01-01&to=2025-01-01";
    let unknown_unit = docx(FORM, &format!("unit=khong-co&{selection}"));
    expect_error(
        app.get_auth(&unknown_unit, &analyst).await,
        404,
        "unknown_unit",
    )
    .await;
    let unknown_form = docx("khong-co", selection);
    expect_error(
        app.get_auth(&unknown_form, &analyst).await,
        404,
        "unknown_form",
    )
    .await;
    expect_error(
        app.get(&docx(FORM, selection)).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        app.get_auth(&docx(FORM, selection), &clerk).await,
        403,
        "forbidden",
    )
    .await;

    // Only the clerk's attempt is recorded (as refused); the bad queries wrote nothing.
    let records = audit_rows_of(&app, "report_docx");
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].outcome, "denied");
    assert_eq!(records[0].role.as_deref(), Some("clerk"));
}
both_backends!(refusals_say_why_and_record_only_the_forbidden);
