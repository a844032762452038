//! axe-core in the page: its violations, worst first, and the check that none is serious.

use super::*;

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
