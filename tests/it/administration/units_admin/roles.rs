//! Who may change units (roles).

use super::*;

// ---------------------------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------------------------

async fn only_admins_change_units(app: TestApp) {
    let analyst = app.token_for(Role::Analyst).await;
    let clerk = app.token_for(Role::Clerk).await;
    let new_unit =
        json!({"code": "xa-moi", "name": "Xã Mới", "level": "xa", "parent": "tuy-phuoc"});
    let mapping = json!([{"old": "phuoc-son", "new": "phuoc-hiep", "effective": "2025-07-01"}]);
    let import = json!({"units": [{"code": "xa-moi", "name": "Xã Mới", "level": "xa",
        "parent": "tuy-phuoc", "valid_from": "2025-01-01"}]});
    for token in [None, Some(analyst.as_str()), Some(clerk.as_str())] {
        let (status, code) = match token {
            None => (401, "unauthenticated"),
            Some(_) => (403, "forbidden"),
        };
        expect_error(post_auth(&app, UNITS, token, &new_unit).await, status, code).await;
        expect_error(
            patch(&app, token, "phuoc-son", &json!({"name": "X"})).await,
            status,
            code,
        )
        .await;
        expect_error(post_auth(&app, IMPORT, token, &import).await, status, code).await;
        expect_error(
            post_auth(&app, MAPPINGS, token, &mapping).await,
            status,
            code,
        )
        .await;
    }
    // Nothing changed; the refusals of a role are recorded.
    assert!(tree(&app).await.iter().all(|u| u["code"] != "xa-moi"));
    assert_eq!(unit(&app, "phuoc-son").await["name"], "Xã Phước Sơn");
    assert!(mappings(&app).await.is_empty());
    for action in [
        "unit.create",
        "unit.update",
        "units.import",
        "unit_mapping.create",
    ] {
        assert!(ok_audit_rows(&app, action).is_empty(), "{action}");
        let denied = audit_rows_of(&app, action);
        assert_eq!(denied.len(), 2, "analyst and clerk refused: {action}");
        assert!(denied.iter().all(|r| r.outcome == "denied"));
    }
    // The tree and the mappings are public.
    assert_eq!(app.get(MAPPINGS).await.status(), 200);
}
both_backends!(only_admins_change_units);
