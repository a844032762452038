use crate::common::*;

async fn health_is_ok(app: TestApp) {
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let response = app.submit(&valid_submission()).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    assert_eq!(app.counts().0, 1);
}
both_backends!(health_is_ok);
