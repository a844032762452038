//! `sipas demo`: realistic synthetic responses, for demonstrations and benchmarks.
//!
//! `sipas demo --responses N [--seed S] [--form F]` adds N responses to form F (default
//! `sipas-dich-vu`) over the default unit tree's communes and towns and the district's one-stop
//! office (`tuy-phuoc-mc`), spread over the last three years. The same seed, the same form and
//! the same day give the same responses (ids included, on a database that had no responses).
//!
//! # How the data is made
//! The generator ([`Generator`]) is pure: a seeded ChaCha8 stream in, `NewResponse` +
//! `NewAnswer` values out; [`run`] hands them in batches to [`crate::store::bulk`]. It walks the
//! form's own definition, so every response is one that [`crate::forms::validate_answers`] accepts
//! for its channel: routing is respected (a question is answered only when its `show_if` holds,
//! e.g. `PA1`–`PA3` only with `da_pakn = co`), required answers are always given, optional ones are
//! sometimes left out.
//!
//! - **When.** Working days (Monday–Friday, without 1 January, 30 April, 1 May and 2 September)
//!   from three years before today up to yesterday, in the service's time zone (default
//!   Asia/Ho_Chi_Minh). Volume grows by half over the three years (the survey is used more), with
//!   day-to-day noise; 70 % of the responses in the morning session 7:00–11:30, 30 % in the
//!   afternoon 13:30–17:00. Responses are stored in time order; `received_at = submitted_at`.
//! - **Where.** Traffic differs per unit: the district one-stop office most, the two towns more
//!   than the rural communes (see `PROFILES`).
//! - **Channels.** Kiosk about half, paper 30 % falling to 16 %, web 6 % rising to 18 % (digital
//!   transformation), phone 14 % (only the channels the form accepts, shares renormalised).
//! - **Satisfaction.** Ordered-logit model: each response has a latent level
//!   `L = base + unit + trend · years + channel + linh_vuc + θ` with a respondent effect
//!   `θ ~ N(0, 0.9²)` (people who are pleased rate everything higher); each item is
//!   `L + element + item + ε` with logistic noise `ε`, cut at fixed thresholds into 1–5.
//!   - Units: every unit has its own base level, so some sit clearly above the 90 % target
//!     (e.g. `phuoc-son`, `tt-tuy-phuoc`), some below (`phuoc-nghia`, `phuoc-thang`), most
//!     close to it; `phuoc-quang` catches up fast, `phuoc-nghia` hardly improves.
//!   - Time: the district improves by some 1.5–2 points of satisfied share a year.
//!   - Elements: `tthc` and `ket_qua` highest, `cong_chuc` a little above `tiep_can`, `pakn` clearly
//!     lowest; within elements equipment (`TC4`), processing time (`TT4`, `KQ1`), one-time guidance
//!     (`CC3`) and timely PAKN replies (`PA3`) are weaker.
//!   - Channels: paper (filled in at the counter) is a little kinder, web (alone at home) a little
//!     harsher. Domains: land (`dat_dai`) and construction lower, certification and civil status
//!     higher.
//!   - Result: over three years the district's share of satisfied answers (4 or 5) comes out
//!     near 90 %, the units' between the low 80s and the mid 90s.
//! - **PAKN.** `da_pakn = co` for 15–25 % of respondents depending on the unit.
//! - **Respondents.** Gender, age band, ethnicity (almost all Kinh), education, occupation
//!   (depending on age: students young, retirees old) and procedure domain (land and construction at
//!   the district office, civil status and certification at the communes) with plausible shares,
//!   each skipped by 3–18 % of respondents depending on the channel.
//! - **Expectations** `KV*`: about a third of respondents answer them; faster processing and online
//!   services are wanted most, and more by the less satisfied.
//! - **Comments** `y_kien`: about 4 % (more among the dissatisfied), from a fixed list of short
//!   Vietnamese comments (NFC), praise or complaints according to the respondent's ratings.
//! - Envelope: UUID v7 `id` carrying the submitted time (its random bits from a second ChaCha
//!   stream chosen by the highest stored `seq`, so a second run never repeats ids), `client_id`
//!   NULL, weight 1, `content_hash = "demo"`, the current version of the form.
//!
//! Other forms (the household and delegates' surveys) get the same treatment with the effects
//! known for their codes and neutral defaults for the rest.

mod generator;
mod model;
mod plan;
mod targets;

use crate::administration::units::{parse_tree, Unit, DEFAULT_TREE};
use crate::forms::model::Form;
use crate::forms::registry::{content_hash, definition_json};
use crate::platform::config::Config;
use crate::store::bulk::{self, Loaded, ResponseWithAnswers};
use crate::store::models::UnitRow;
use crate::store::{self, units, DbConnection};
use chrono::NaiveDate;
pub use generator::{Generator, Settings};
use std::sync::mpsc;
use std::time::Instant;
pub use targets::{default_units, DemoUnit};
use targets::{demo_units, working_days};

/// The form `sipas demo` fills when `--form` is not given.
pub const DEFAULT_FORM: &str = "sipas-dich-vu";
/// The seed when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 1;
/// Responses per transaction.
pub const BATCH_SIZE: usize = 10_000;
/// A progress line every this many responses.
const PROGRESS_EVERY: u64 = 100_000;

/// `sipas demo`: prepares the database as `serve` does (migrations, default units, the form's
/// current version), then inserts `responses` synthetic responses, printing progress.
pub fn run(config: &Config, form_id: &str, responses: u64, seed: u64) -> Result<(), String> {
    if responses == 0 {
        return Err("--responses must be at least 1".into());
    }
    let form = find_form(config, form_id)?;
    let pool = store::open_pool(&config.database_url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let conn = &mut *conn;
    store::run_migrations(conn).map_err(|e| e.to_string())?;
    let tree = parse_tree(DEFAULT_TREE, store::now_utc()).map_err(|e| e.to_string())?;
    units::seed_if_empty(conn, &tree).map_err(|e| e.to_string())?;
    let definition = definition_json(&form);
    let version =
        store::forms::register_version(conn, &form.id, &content_hash(&definition), &definition)
            .map_err(|e| e.to_string())?;

    let today = chrono::Utc::now().with_timezone(&config.tz).date_naive();
    let targets = stored_targets(conn, &tree, today)?;
    let settings = Settings {
        responses,
        seed,
        today,
        tz: config.tz,
        id_stream: bulk::max_seq(conn).map_err(|e| e.to_string())? as u64,
    };
    let generator = Generator::new(&form, version, targets, &settings);
    let started = Instant::now();
    let total = insert(conn, generator, started)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "demo: inserted {} responses ({} answers) into {} v{version} in {secs:.1} s ({:.0} responses/s)",
        total.responses,
        total.answers,
        form.id,
        total.responses as f64 / secs.max(1e-9)
    );
    Ok(())
}

/// The form `form_id` of the forms folder.
fn find_form(config: &Config, form_id: &str) -> Result<Form, String> {
    let forms = crate::forms::load_dir(&config.forms_dir)
        .map_err(|e| format!("forms in {}:\n{e}", config.forms_dir.display()))?;
    let known: Vec<String> = forms.iter().map(|f| f.id.clone()).collect();
    forms.into_iter().find(|f| f.id == form_id).ok_or_else(|| {
        format!(
            "unknown form \"{form_id}\" (forms in {}: {})",
            config.forms_dir.display(),
            known.join(", ")
        )
    })
}

/// The default tree's communes and offices that are stored and exist over the whole period
/// (each other one is named on standard error).
fn stored_targets(
    conn: &mut DbConnection,
    tree: &[UnitRow],
    today: NaiveDate,
) -> Result<Vec<DemoUnit>, String> {
    let (start, _) = working_days(today);
    let mut targets = Vec::new();
    for unit in demo_units(tree) {
        let stored: Option<Unit> = units::get(conn, &unit.code)
            .map_err(|e| e.to_string())?
            .map(Unit::from);
        match stored {
            Some(s) if s.is_valid_on(start) && s.valid_to.is_none_or(|end| end >= today) => {
                targets.push(unit)
            }
            Some(_) => eprintln!(
                "demo: unit {} does not exist over the whole period; no responses for it",
                unit.code
            ),
            None => eprintln!(
                "demo: unit {} of the default tree is not in the database; no responses for it",
                unit.code
            ),
        }
    }
    if targets.is_empty() {
        return Err("none of the default tree's communes or offices is in the database".into());
    }
    Ok(targets)
}

/// Stores what `generator` makes, generated on a second thread while this one writes, with a
/// progress line every `PROGRESS_EVERY` responses.
fn insert(
    conn: &mut DbConnection,
    generator: Generator,
    started: Instant,
) -> Result<Loaded, String> {
    let (tx, rx) = mpsc::sync_channel::<Vec<ResponseWithAnswers>>(2);
    let producer = std::thread::spawn(move || {
        let mut generator = generator;
        loop {
            let batch: Vec<ResponseWithAnswers> = generator.by_ref().take(BATCH_SIZE).collect();
            if batch.is_empty() || tx.send(batch).is_err() {
                break;
            }
        }
    });
    let mut reported = 0;
    let result = bulk::load(conn, rx, |total: Loaded| {
        if total.responses / PROGRESS_EVERY > reported / PROGRESS_EVERY {
            reported = total.responses;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "demo: {} responses ({} answers), {secs:.1} s ({:.0} responses/s)",
                total.responses,
                total.answers,
                total.responses as f64 / secs.max(1e-9)
            );
        }
    });
    // On error the receiver is gone and the producer stops at its next send.
    let _ = producer.join();
    result.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::model::*;
    use super::*;
    use chrono::{Datelike, NaiveDate, Weekday};

    use crate::domain::Channel;
    use crate::forms::model::Form;
    use crate::forms::validate::normalize_text;
    use crate::store::models::NewAnswer;
    use serde_json::{Map, Value};
    use std::collections::BTreeMap;

    fn service_form() -> Form {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/survey-forms");
        crate::forms::load_dir(std::path::Path::new(path))
            .expect("shipped forms load")
            .into_iter()
            .find(|f| f.id == DEFAULT_FORM)
            .expect("service form")
    }

    fn settings(n: u64) -> Settings {
        Settings {
            responses: n,
            seed: 7,
            today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            tz: chrono_tz::Asia::Ho_Chi_Minh,
            id_stream: 0,
        }
    }

    fn as_json(answers: &[NewAnswer]) -> Map<String, Value> {
        answers
            .iter()
            .map(|a| {
                let v = match (&a.num_value, &a.text_value) {
                    (Some(n), _) => Value::from(*n),
                    (_, Some(t)) => Value::from(t.clone()),
                    _ => Value::Null,
                };
                (a.question.clone(), v)
            })
            .collect()
    }

    #[test]
    fn comments_are_nfc() {
        for s in PRAISE.iter().chain(SUGGESTIONS).chain(COMPLAINTS) {
            assert_eq!(normalize_text(s), *s);
        }
    }

    #[test]
    fn exactly_n_in_time_order_and_valid() {
        let form = service_form();
        let out: Vec<_> = Generator::new(&form, 1, default_units(), &settings(3000)).collect();
        assert_eq!(out.len(), 3000);
        assert!(out
            .windows(2)
            .all(|w| w[0].0.submitted_at <= w[1].0.submitted_at));
        for (r, answers) in &out {
            let channel: Channel = r.channel.parse().unwrap();
            if let Err(e) = crate::forms::validate_answers(&form, channel, &as_json(answers)) {
                panic!("invalid response {r:?} {answers:?}: {e:?}");
            }
        }
    }

    #[test]
    fn every_shipped_form_gives_valid_responses() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/survey-forms");
        for form in crate::forms::load_dir(std::path::Path::new(path)).unwrap() {
            for (r, answers) in Generator::new(&form, 1, default_units(), &settings(500)) {
                let channel: Channel = r.channel.parse().unwrap();
                assert!(form.accepts(channel));
                let result = crate::forms::validate_answers(&form, channel, &as_json(&answers));
                assert!(result.is_ok(), "{}: {result:?}", form.id);
            }
        }
    }

    /// What `realism` counts: (answered, satisfied) per unit, element and year; responses per
    /// channel; answers per question; respondents who made a PAKN.
    #[derive(Default)]
    struct Tally {
        by_unit: BTreeMap<String, (u64, u64)>,
        by_element: BTreeMap<String, (u64, u64)>,
        by_year: BTreeMap<i32, (u64, u64)>,
        channels: BTreeMap<String, u64>,
        questions: BTreeMap<String, u64>,
        pakn_yes: u64,
    }

    fn share((total, satisfied): (u64, u64)) -> f64 {
        100.0 * satisfied as f64 / total as f64
    }

    /// Counts `n` responses of `form`, checking that each is given in working hours.
    fn tally(form: &Form, n: u64) -> Tally {
        let element_of: BTreeMap<&str, &str> = form
            .parts
            .iter()
            .flat_map(|p| &p.elements)
            .flat_map(|e| e.items.iter().map(|i| (i.code.as_str(), e.code.as_str())))
            .collect();
        let mut t = Tally::default();
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        for (r, answers) in Generator::new(form, 1, default_units(), &settings(n)) {
            let local = r.submitted_at.and_utc().with_timezone(&tz);
            let hour = chrono::Timelike::hour(&local);
            assert!((7..17).contains(&hour), "working hours: {local}");
            assert!(!matches!(local.weekday(), Weekday::Sat | Weekday::Sun));
            *t.channels.entry(r.channel.clone()).or_default() += 1;
            for a in &answers {
                *t.questions.entry(a.question.clone()).or_default() += 1;
                t.pakn_yes +=
                    u64::from(a.question == "da_pakn" && a.text_value.as_deref() == Some("co"));
                if let Some(element) = element_of.get(a.question.as_str()) {
                    let sat = u64::from(a.num_value.unwrap() >= 4);
                    for (total, satisfied) in [
                        t.by_unit.entry(r.unit.clone()).or_default(),
                        t.by_element.entry(element.to_string()).or_default(),
                        t.by_year.entry(local.year()).or_default(),
                    ] {
                        *total += 1;
                        *satisfied += sat;
                    }
                }
            }
        }
        t
    }

    /// The properties the module documentation promises, on 40,000 responses: satisfaction.
    #[test]
    fn realism() {
        let n = 40_000u64;
        let t = tally(&service_form(), n);
        let (by_unit, by_element) = (&t.by_unit, &t.by_element);
        let units: Vec<f64> = by_unit.values().copied().map(share).collect();
        assert_eq!(units.len(), 14, "13 communes and the one-stop office");
        assert!(
            units.iter().filter(|&&v| v < 90.0).count() >= 2,
            "{by_unit:?}"
        );
        assert!(
            units.iter().filter(|&&v| v > 90.0).count() >= 2,
            "{by_unit:?}"
        );
        let element = |code: &str| share(by_element[code]);
        assert!(
            element("tthc") > element("tiep_can") + 2.0,
            "{by_element:?}"
        );
        assert!(
            element("ket_qua") > element("tiep_can") + 2.0,
            "{by_element:?}"
        );
        assert!(
            element("pakn") < element("tiep_can") - 4.0,
            "{by_element:?}"
        );
        let years: Vec<f64> = t.by_year.values().copied().map(share).collect();
        assert!(
            years.windows(2).all(|w| w[1] > w[0]),
            "improves every year: {years:?}"
        );
        let overall = share(by_unit.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)));
        assert!((86.0..94.0).contains(&overall), "overall {overall}");
        realism_of_answers(&t, n);
    }

    /// The rest of what the module documentation promises: PAKN, channels, respondent questions,
    /// expectations and comments.
    fn realism_of_answers(t: &Tally, n: u64) {
        let (channels, questions, pakn_yes) = (&t.channels, &t.questions, t.pakn_yes);
        let rate = |count: u64| count as f64 / n as f64;
        assert!(
            (0.15..0.25).contains(&rate(pakn_yes)),
            "da_pakn = co {pakn_yes}"
        );
        assert_eq!(questions["PA1"], questions["PA1"].min(pakn_yes));
        for c in Channel::ALL {
            assert!(rate(channels[c.as_str()]) > 0.05, "{channels:?}");
        }
        assert!(rate(channels["kiosk"]) > 0.4, "{channels:?}");
        for q in [
            "gioi_tinh",
            "nhom_tuoi",
            "dan_toc",
            "hoc_van",
            "nghe_nghiep",
            "linh_vuc",
        ] {
            assert!(
                (0.8..0.97).contains(&rate(questions[q])),
                "{q}: {}",
                questions[q]
            );
        }
        assert!(
            (0.2..0.4).contains(&rate(questions["KV7"])),
            "KV7 {}",
            questions["KV7"]
        );
        assert!(
            (0.02..0.08).contains(&rate(questions["y_kien"])),
            "y_kien {}",
            questions["y_kien"]
        );
    }
}
