//! Headless Chromium for the browser tests, driven over WebDriver: a chromedriver of our own on a
//! free port, one Chromium session with a throwaway profile, helpers that poll for conditions
//! (never fixed sleeps) and axe-core for accessibility.
//!
//! Chromium and chromedriver are found at `SIPAS_CHROMIUM` / `SIPAS_CHROMEDRIVER`, else as
//! `chromium` / `chromedriver` on `PATH` (Debian: `apt-get install chromium chromium-driver`);
//! axe-core in `tests/browser/node_modules` (`npm ci --prefix tests/browser`). When one is
//! missing a test prints `SKIPPED (…)` and passes — unless `SIPAS_REQUIRE_BROWSER=1` (CI), where
//! that is a failure.
#![allow(dead_code)]

use std::fmt::Display;
use std::future::Future;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::common::{free_port, log_tail};

mod axe;
mod page;

pub use axe::axe_source;

/// The longest any awaited condition may take.
pub const PATIENCE: Duration = Duration::from_secs(15);
const POLL_EVERY: Duration = Duration::from_millis(100);

/// At most two browsers at once (CI has two cores); the other tests wait for a slot.
static SLOTS: Semaphore = Semaphore::const_new(2);

/// The Chromium flags of every session: headless, no sandbox (containers, root), nothing that
/// talks to the network behind the test's back.
const CHROMIUM_FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
];

/// Whether a missing browser or axe-core is a failure (`SIPAS_REQUIRE_BROWSER=1`, CI).
pub fn required() -> bool {
    std::env::var("SIPAS_REQUIRE_BROWSER").is_ok_and(|v| v == "1" || v == "true")
}

/// `None` after saying why the test is skipped; a panic instead when the browser is required.
fn unavailable<T>(reason: impl Display) -> Option<T> {
    if required() {
        panic!("SIPAS_REQUIRE_BROWSER=1 but {reason}");
    }
    eprintln!("SKIPPED ({reason}); set SIPAS_REQUIRE_BROWSER=1 to fail instead");
    None
}

/// An executable from `var`, else the first of `names` on `PATH`.
fn find_program(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|p| p.is_file())
}

/// chromedriver in its own process group, so that killing the group also ends the Chromium it
/// started.
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Driver {
    fn log_tail(&self) -> String {
        log_tail(&self.log, 3000)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals the process group we created for this
        // chromedriver (process_group(0) makes its pid the group id); no memory is involved.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A chromedriver-specific command: `POST /session/{id}/{path}` with a JSON body.
#[derive(Debug)]
struct SessionPost {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// One headless Chromium session. Dropping it ends the session, chromedriver and Chromium, and
/// removes the profile.
pub struct Browser {
    pub client: Client,
    driver: Driver,
    _profile: tempfile::TempDir,
    _slot: SemaphorePermit<'static>,
}

impl Browser {
    /// A fresh browser; `None` (after SKIPPED) when Chromium or chromedriver is missing.
    pub async fn start() -> Option<Browser> {
        let Some(chromium) = find_program("SIPAS_CHROMIUM", &["chromium", "chromium-browser"])
        else {
            return unavailable("Chromium not found (apt-get install chromium, or SIPAS_CHROMIUM)");
        };
        let Some(chromedriver) = find_program("SIPAS_CHROMEDRIVER", &["chromedriver"]) else {
            return unavailable(
                "chromedriver not found (apt-get install chromium-driver, or SIPAS_CHROMEDRIVER)",
            );
        };
        let slot = SLOTS
            .acquire()
            .await
            .expect("the browser semaphore is never closed");
        let profile = tempfile::tempdir().expect("temporary profile directory");
        let driver = Self::start_driver(&chromedriver, profile.path()).await;

        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            profile.path().join("chromium").display()
        ));
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chromium, "args": args }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "a Chromium session through chromedriver: {e}\nchromedriver log:\n{}",
                    driver.log_tail()
                )
            });
        Some(Browser {
            client,
            driver,
            _profile: profile,
            _slot: slot,
        })
    }

    /// chromedriver on a free port, answering `/status` as ready. A port taken between choosing
    /// and binding makes chromedriver exit: then another port is tried.
    async fn start_driver(program: &Path, dir: &Path) -> Driver {
        let http = reqwest::Client::new();
        let mut failures = Vec::new();
        for attempt in 0..3 {
            let port = free_port();
            let log = dir.join(format!("chromedriver-{attempt}.log"));
            let tmp = dir.join("tmp");
            std::fs::create_dir_all(&tmp).expect("a temporary directory for Chromium");
            let child = Command::new(program)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                // Chromium keeps crash reports, caches and its singleton socket under these:
                // in the throwaway directory, not in the user's home or /tmp.
                .env("XDG_CONFIG_HOME", dir.join("config"))
                .env("XDG_CACHE_HOME", dir.join("cache"))
                .env("TMPDIR", &tmp)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
            let mut driver = Driver { child, port, log };
            let deadline = Instant::now() + PATIENCE;
            loop {
                if let Ok(Some(status)) = driver.child.try_wait() {
                    failures.push(format!(
                        "port {port}: chromedriver exited ({status}):\n{}",
                        driver.log_tail()
                    ));
                    break;
                }
                let ready = match http
                    .get(format!("http://127.0.0.1:{port}/status"))
                    .send()
                    .await
                {
                    Ok(r) => r
                        .json::<Value>()
                        .await
                        .is_ok_and(|v| v["value"]["ready"] == true),
                    Err(_) => false,
                };
                if ready {
                    return driver;
                }
                if Instant::now() > deadline {
                    failures.push(format!(
                        "port {port}: not ready after {PATIENCE:?}:\n{}",
                        driver.log_tail()
                    ));
                    break;
                }
                tokio::time::sleep(POLL_EVERY).await;
            }
        }
        panic!("chromedriver did not start: {}", failures.join("\n"));
    }
}

/// Polls `probe` until it gives `Some`, for at most `PATIENCE` (for conditions outside the
/// browser, e.g. rows in the database).
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "waited {PATIENCE:?} for {what}");
        tokio::time::sleep(POLL_EVERY).await;
    }
}
