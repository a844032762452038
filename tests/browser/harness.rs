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

/// axe-core's browser build, read once; `None` (after SKIPPED) when it is not installed.
pub fn axe_source() -> Option<&'static str> {
    static AXE: OnceLock<Result<String, String>> = OnceLock::new();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    match AXE.get_or_init(|| std::fs::read_to_string(&path).map_err(|e| e.to_string())) {
        Ok(source) => Some(source.as_str()),
        Err(e) => unavailable(format!(
            "axe-core not installed ({}: {e}); run `npm ci --prefix tests/browser`",
            path.display()
        )),
    }
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

/// A violation axe-core reported.
#[derive(Debug, Clone)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub help_url: String,
    pub targets: Vec<String>,
}

impl Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "  [{}] {}: {} ({})",
            self.impact, self.id, self.help, self.help_url
        )?;
        for t in &self.targets {
            writeln!(f, "      at {t}")?;
        }
        Ok(())
    }
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

    // -----------------------------------------------------------------------------------------
    // Navigation and scripts
    // -----------------------------------------------------------------------------------------

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    pub async fn current_url(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("current URL")
            .to_string()
    }

    pub async fn refresh(&self) {
        self.client.refresh().await.expect("reload the page");
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns what it returns.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The text content of the page's body.
    pub async fn body_text(&self) -> String {
        self.js(
            "return document.body ? document.body.innerText : ''",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Polls `script` until it returns something truthy, for at most `PATIENCE`; returns that
    /// value. A script error (e.g. while a page is loading) counts as "not yet".
    pub async fn wait_until(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        let deadline = Instant::now() + PATIENCE;
        let mut last: Result<Value, String>;
        loop {
            last = self
                .client
                .execute(script, args.clone())
                .await
                .map_err(|e| e.to_string());
            if let Ok(v) = &last {
                if truthy(v) {
                    return v.clone();
                }
            }
            if Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
        panic!(
            "waited {PATIENCE:?} for {what}; last answer: {last:?}\n{}",
            self.snapshot().await
        );
    }

    /// What the page looks like now, for failure messages.
    pub async fn snapshot(&self) -> String {
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("(no URL: {e})"));
        let state = self
            .client
            .execute(
                r#"const s = document.querySelector('#outbox-status');
                   return {status: s && {state: s.dataset.state, text: s.textContent.trim()},
                           outbox: localStorage.getItem('sipas-outbox'),
                           text: document.body ? document.body.innerText.slice(0, 1500) : null};"#,
                vec![],
            )
            .await
            .map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
            .unwrap_or_else(|e| format!("(no state: {e})"));
        format!("page {url}\n{state}")
    }

    // -----------------------------------------------------------------------------------------
    // The page's elements
    // -----------------------------------------------------------------------------------------

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css:?}: {e}"))
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.js(
            "return document.querySelector(arguments[0]) !== null",
            vec![json!(css)],
        )
        .await
            == true
    }

    /// Whether the element exists and is rendered (not `hidden`, `display:none`, invisible or
    /// transparent).
    pub async fn visible(&self, css: &str) -> bool {
        self.js(VISIBLE_JS, vec![json!(css)]).await == true
    }

    pub async fn wait_visible(&self, css: &str) {
        self.wait_until(
            &format!("{css} to be visible"),
            VISIBLE_JS,
            vec![json!(css)],
        )
        .await;
    }

    pub async fn wait_hidden(&self, css: &str) {
        self.wait_until(
            &format!("{css} to be hidden"),
            &format!("return !(function(){{ {VISIBLE_JS} }}).apply(null, arguments)"),
            vec![json!(css)],
        )
        .await;
    }

    /// Scrolls the element to the middle of the screen (clear of sticky bars) and clicks it as a
    /// user would: WebDriver refuses when something else covers it.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', inline: 'center'})",
                vec![serde_json::to_value(&element).expect("element reference")],
            )
            .await
            .expect("scroll into view");
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css:?}: {e}"));
    }

    /// Chooses an answer by clicking the label of the radio `name=value`.
    pub async fn choose(&self, name: &str, value: &str) {
        self.click(&format!(
            "label:has(input[type=radio][name=\"{name}\"][value=\"{value}\"])"
        ))
        .await;
        assert!(
            self.checked(name).await.as_deref() == Some(value),
            "clicking the label of {name}={value} checks it"
        );
    }

    /// The checked value of the radio group `name`.
    pub async fn checked(&self, name: &str) -> Option<String> {
        self.js(
            "const r = document.querySelector(`input[name=\"${arguments[0]}\"]:checked`); return r ? r.value : null",
            vec![json!(name)],
        )
        .await
        .as_str()
        .map(str::to_string)
    }

    /// How many radios of the page are checked.
    pub async fn checked_count(&self) -> u64 {
        self.js(
            "return document.querySelectorAll('input[type=radio]:checked').length",
            vec![],
        )
        .await
        .as_u64()
        .unwrap_or(0)
    }

    /// The value of the form's field `name` (e.g. the hidden `client_id`).
    pub async fn field(&self, name: &str) -> String {
        self.js(
            "const f = document.querySelector(`form [name=\"${arguments[0]}\"]`); return f ? f.value : null",
            vec![json!(name)],
        )
        .await
        .as_str()
        .unwrap_or_else(|| panic!("a form field named {name}"))
        .to_string()
    }

    pub async fn text(&self, css: &str) -> String {
        self.js(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null",
            vec![json!(css)],
        )
        .await
        .as_str()
        .unwrap_or_else(|| panic!("an element {css:?}"))
        .to_string()
    }

    pub async fn local_storage(&self, key: &str) -> Option<String> {
        self.js(
            "return localStorage.getItem(arguments[0])",
            vec![json!(key)],
        )
        .await
        .as_str()
        .map(str::to_string)
    }

    /// Presses keys one after the other on whatever has the focus.
    pub async fn press(&self, keys: &[Key]) {
        let mut actions = KeyActions::new("keyboard".to_string());
        for &key in keys {
            let value: char = key.into();
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("keyboard actions");
    }

    // -----------------------------------------------------------------------------------------
    // Chromium-specific: network and device emulation
    // -----------------------------------------------------------------------------------------

    async fn session_post(&self, path: &'static str, body: Value) -> Result<Value, CmdError> {
        self.client.issue_cmd(SessionPost { path, body }).await
    }

    /// A Chrome DevTools Protocol command on the current tab.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.session_post("goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
    }

    /// Cuts the network (every request fails, `navigator.onLine` is false) or restores it.
    pub async fn set_offline(&self, offline: bool) {
        self.session_post(
            "chromium/network_conditions",
            json!({ "network_conditions": {
                "offline": offline,
                "latency": 0,
                "download_throughput": -1,
                "upload_throughput": -1,
            }}),
        )
        .await
        .unwrap_or_else(|e| panic!("network conditions (offline: {offline}): {e}"));
    }

    /// A phone's viewport: `width`×`height` CSS pixels, mobile layout (the meta viewport applies).
    pub async fn phone_viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 2, "mobile": true }),
        )
        .await;
    }

    // -----------------------------------------------------------------------------------------
    // Accessibility
    // -----------------------------------------------------------------------------------------

    /// Runs axe-core on the current page; every violation, worst first.
    pub async fn axe_violations(&self, axe: &str) -> Vec<Violation> {
        if self.js("return typeof window.axe", vec![]).await != "object" {
            self.js(&format!("{axe}\n;return typeof window.axe"), vec![])
                .await;
        }
        let result = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, {resultTypes: ['violations']}).then(
                     r => done({violations: r.violations.map(v => ({
                       id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
                       targets: v.nodes.map(n => n.target.join(' ') +
                         (n.failureSummary ? ' — ' + n.failureSummary.replace(/\s+/g, ' ') : ''))}))}),
                     e => done({error: String(e)}));"#,
                vec![],
            )
            .await
            .expect("axe.run");
        if let Some(error) = result.get("error") {
            panic!("axe.run failed: {error}");
        }
        let mut violations: Vec<Violation> = result["violations"]
            .as_array()
            .expect("axe violations")
            .iter()
            .map(|v| Violation {
                id: v["id"].as_str().unwrap_or_default().into(),
                impact: v["impact"].as_str().unwrap_or_default().into(),
                help: v["help"].as_str().unwrap_or_default().into(),
                help_url: v["helpUrl"].as_str().unwrap_or_default().into(),
                targets: v["targets"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .map(|s| s.as_str().unwrap_or_default().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        violations.sort_by_key(|v| impact_rank(&v.impact));
        violations
    }

    /// Fails on any `serious` or `critical` axe-core violation of the current page (named
    /// `page` in the message); lesser ones are printed.
    pub async fn assert_accessible(&self, axe: &str, page: &str) {
        let violations = self.axe_violations(axe).await;
        let (bad, minor): (Vec<_>, Vec<_>) = violations
            .into_iter()
            .partition(|v| v.impact == "serious" || v.impact == "critical");
        if !minor.is_empty() {
            eprintln!(
                "axe-core on {page}: {} minor/moderate finding(s):\n{}",
                minor.len(),
                minor.iter().map(|v| v.to_string()).collect::<String>()
            );
        }
        assert!(
            bad.is_empty(),
            "axe-core on {page} ({}): {} serious/critical violation(s):\n{}",
            self.current_url().await,
            bad.len(),
            bad.iter().map(|v| v.to_string()).collect::<String>()
        );
    }
}

fn impact_rank(impact: &str) -> u8 {
    match impact {
        "critical" => 0,
        "serious" => 1,
        "moderate" => 2,
        "minor" => 3,
        _ => 4,
    }
}

const VISIBLE_JS: &str = r#"const e = document.querySelector(arguments[0]);
return !!e && !e.closest('[hidden]') && e.getClientRects().length > 0
  && e.checkVisibility({opacityProperty: true, visibilityProperty: true});"#;

/// JavaScript's truthiness of a returned value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
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
