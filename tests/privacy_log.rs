//! Privacy (Nghị định 13/2023/NĐ-CP): the request log holds no client address and no secret
//! token. (The retention of comments is in `tests/it/platform/privacy.rs`.)
//!
//! The log test needs a subscriber that sees the actix workers' threads, so this binary installs
//! one global subscriber (the service's format: one line per finished request) writing into a
//! buffer; it stays a binary of its own so that no other test's logging is affected, and no
//! other test's log lines are read here.

#[macro_use]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::json;
use sipas::domain::Role;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::MakeWriter;

use common::*;

// ---------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// Everything logged in this test binary so far (the subscriber is installed on first use).
fn log() -> &'static Buffer {
    static LOG: OnceLock<Buffer> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Buffer::default();
        // As src/main.rs: `info`, one line per closed request span.
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_span_events(FmtSpan::CLOSE)
            .with_ansi(false)
            .with_writer(buffer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        buffer
    })
}

fn logged() -> String {
    String::from_utf8_lossy(&log().0.lock().unwrap()).into_owned()
}

/// Waits until the log has a line with every one of `needles` (a request's line is written when
/// its span closes, just after the client has the answer).
async fn wait_for_line(needles: &[&str]) -> String {
    for _ in 0..100 {
        let text = logged();
        if text
            .lines()
            .any(|line| needles.iter().all(|n| line.contains(n)))
        {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no log line with {needles:?} in:\n{}", logged());
}

async fn request_logs_hold_no_address_and_no_token(app: TestApp) {
    log();
    let admin = app.token_for(Role::Admin).await;
    let kiosk = register_kiosk(&app, &admin, "Quầy 1", "phuoc-son").await;
    let kiosk_token = kiosk["token"].as_str().unwrap().to_string();
    let (status, issued) = status_and_json(
        post_auth(
            &app,
            "/api/v1/forms/khao-sat-dai-bieu/invitations",
            Some(&admin),
            &json!({"count": 1, "group": "dai_bieu_hdnd"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    let invitation_token = issued["invitations"][0]["token"]
        .as_str()
        .unwrap()
        .to_string();

    // The kiosk page and a kiosk submission, through a proxy that names the client.
    let forwarded = "203.0.113.77";
    let page = app
        .client
        .get(app.url(&format!("/k/{kiosk_token}")))
        .header("X-Forwarded-For", forwarded)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let mut fields = answer_fields(&full_answers());
    fields.push(("client_id".into(), new_client_id()));
    let sent = post_urlencoded(
        &app,
        &format!("/k/{kiosk_token}?form=sipas-dich-vu"),
        &fields,
        true,
    )
    .await;
    assert!(sent.status().is_success(), "{}", sent.status());
    // The invitation page; a query string with something personal; a path nobody routes.
    assert_eq!(
        app.get(&format!("/i/{invitation_token}")).await.status(),
        200
    );
    app.get("/f/sipas-dich-vu?unit=phuoc-son&channel=phone&ten=NguyenVanSecretName")
        .await;
    app.get(&format!("/no-such-page-{kiosk_token}")).await;
    let revoke = format!("/api/v1/kiosks/{}", kiosk["id"].as_str().unwrap());
    assert_eq!(delete_auth(&app, &revoke, Some(&admin)).await.status(), 204);

    wait_for_line(&["route=/k/{token}", "method=GET", "status=200"]).await;
    wait_for_line(&["route=/k/{token}", "method=POST"]).await;
    wait_for_line(&["route=/i/{token}", "status=200"]).await;
    wait_for_line(&["route=/f/{form_id}", "status=200"]).await;
    wait_for_line(&["route=<unmatched>", "status=404"]).await;
    let text = wait_for_line(&["route=/api/v1/kiosks/{id}", "method=DELETE", "status=204"]).await;
    let line = text
        .lines()
        .find(|l| l.contains("route=/k/{token}") && l.contains("method=GET"))
        .unwrap();
    assert!(line.contains("request_id="), "a request id: {line}");
    assert!(line.contains("latency_ms="), "the latency: {line}");

    // The server says where it listens (its own address, not a client's): every other line.
    let text: String = text
        .lines()
        .filter(|l| !l.contains("actix_server::server: starting service"))
        .map(|l| format!("{l}\n"))
        .collect();
    for secret in [
        kiosk_token.as_str(),
        invitation_token.as_str(),
        admin.as_str(),
        "127.0.0.1",
        forwarded,
        "NguyenVanSecretName",
        "client_ip",
        "http.target",
        "user_agent",
    ] {
        assert!(
            !text.contains(secret),
            "the log holds {secret}:\n{}",
            text.lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    if std::env::var_os("SIPAS_SHOW_LOG").is_some() {
        eprintln!("{text}");
    }
}
both_backends!(request_logs_hold_no_address_and_no_token);
