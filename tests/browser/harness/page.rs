//! The browser's page as the tests use it: navigation and scripts, its elements and forms, the
//! keyboard, and Chromium's network and device emulation.

use super::*;

impl Browser {
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
