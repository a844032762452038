//! The generator of `sipas demo`: a pure iterator of synthetic responses.

use super::model::*;
use crate::administration::units::{parse_tree, DEFAULT_TREE};
use crate::domain::Channel;
use crate::forms::model::{Form, ShowIf};
use crate::forms::packed::Layout;
use crate::forms::validate::normalize_text;
use crate::store::bulk::ResponseWithAnswers;
use crate::store::models::{NewAnswer, NewResponse, UnitRow};
use crate::store::{self};
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Weekday};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A unit responses are generated for.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoUnit {
    pub code: String,
    /// The district's one-stop office (rather than a commune or town).
    pub office: bool,
    traffic: f64,
    base: f64,
    trend: f64,
    pakn_rate: f64,
}

/// The units of the default tree that take responses: communes and towns (`xa`) and one-stop
/// offices (`mot_cua`), with their profiles.
pub fn default_units() -> Vec<DemoUnit> {
    let rows = parse_tree(DEFAULT_TREE, store::now_utc()).unwrap_or_default();
    demo_units(&rows)
}

pub(super) fn demo_units(rows: &[UnitRow]) -> Vec<DemoUnit> {
    rows.iter()
        .filter(|r| r.level == "xa" || r.level == "mot_cua")
        .map(|r| {
            let (traffic, base, trend, pakn_rate) = PROFILES
                .iter()
                .find(|p| p.0 == r.code)
                .map_or((1.0, 0.0, 0.0, 0.2), |p| (p.1, p.2, p.3, p.4));
            DemoUnit {
                code: r.code.clone(),
                office: r.level == "mot_cua",
                traffic,
                base,
                trend,
                pakn_rate,
            }
        })
        .collect()
}

/// Days that take responses: working days from `YEARS` years before `today` up to yesterday.
pub(super) fn working_days(today: NaiveDate) -> (NaiveDate, Vec<NaiveDate>) {
    let start = today
        .checked_sub_months(Months::new(12 * YEARS))
        .unwrap_or(today);
    let days = start
        .iter_days()
        .take_while(|d| *d < today)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .filter(|d| !matches!((d.month(), d.day()), (1, 1) | (4, 30) | (5, 1) | (9, 2)))
        .collect();
    (start, days)
}

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

/// Cumulative weights, for drawing an index.
#[derive(Debug, Clone)]
pub(super) struct Cumulative(Vec<f64>);

impl Cumulative {
    fn new(weights: impl IntoIterator<Item = f64>) -> Cumulative {
        let mut total = 0.0;
        let mut cum: Vec<f64> = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        if total <= 0.0 {
            // Nothing weighted: uniform.
            let n = cum.len() as f64;
            cum.iter_mut()
                .enumerate()
                .for_each(|(i, c)| *c = (i + 1) as f64 / n);
        } else {
            cum.iter_mut().for_each(|c| *c /= total);
        }
        Cumulative(cum)
    }

    /// Weights for a form's options from a table by option code; unlisted options get `rest`.
    fn for_options(options: &[String], table: &[(&str, f64)], rest: f64) -> Cumulative {
        Cumulative::new(options.iter().map(|o| lookup(table, o).unwrap_or(rest)))
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> usize {
        let u: f64 = rng.random();
        self.0
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.0.len().saturating_sub(1))
    }
}

/// How a respondent question's answer is drawn.
#[derive(Debug, Clone)]
pub(super) enum ChoiceModel {
    Fixed(Cumulative),
    /// `linh_vuc`: by the kind of unit (office, commune).
    ByUnitKind {
        office: Cumulative,
        commune: Cumulative,
    },
    /// `nghe_nghiep`: by the answer to the age question (index of the age question; tables for
    /// 18–24, over 60, and everyone else).
    ByAge {
        age_question: usize,
        young: (usize, Cumulative),
        old: (usize, Cumulative),
        other: Cumulative,
    },
    /// `da_pakn`: `co` with the unit's rate.
    Pakn {
        yes: usize,
        no: usize,
    },
}

/// A routing condition resolved to indices: respondent question `question` has option `option`
/// (`None` when the form names an option that does not exist: never shown).
pub(super) type Condition = (usize, Option<usize>);

#[derive(Debug, Clone)]
pub(super) struct ChoiceStep {
    code: String,
    options: Vec<String>,
    required: bool,
    conditions: Vec<Condition>,
    model: ChoiceModel,
    /// Latent effect per option (procedure domain).
    effects: Vec<f64>,
}

#[derive(Debug, Clone)]
pub(super) struct ItemStep {
    code: String,
    effect: f64,
    required: [bool; 4],
    conditions: Vec<Condition>,
}

/// The form, compiled into what the generator needs per response.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    channels: Vec<Channel>,
    choices: Vec<ChoiceStep>,
    items: Vec<ItemStep>,
    expectations: Vec<(String, f64)>,
    comments: Vec<(String, usize)>,
    /// Extra share of skipped items when the scale offers "cannot assess".
    not_applicable_skip: f64,
}

pub(super) fn channel_index(c: Channel) -> usize {
    match c {
        Channel::Kiosk => 0,
        Channel::Phone => 1,
        Channel::Web => 2,
        Channel::Paper => 3,
    }
}

impl Plan {
    fn new(form: &Form) -> Plan {
        let choice_index = |code: &str| form.questions.iter().position(|q| q.code == code);
        let resolve = |conds: &[&ShowIf]| -> Vec<Condition> {
            conds
                .iter()
                .map(|c| match choice_index(&c.question) {
                    Some(qi) => (
                        qi,
                        form.questions[qi]
                            .options
                            .iter()
                            .position(|o| o.code == c.equals),
                    ),
                    // A condition on a question that is not a respondent question never holds.
                    None => (usize::MAX, None),
                })
                .collect()
        };
        let choices = form
            .questions
            .iter()
            .map(|q| {
                let options: Vec<String> = q.options.iter().map(|o| o.code.clone()).collect();
                let pos = |code: &str| options.iter().position(|o| o == code);
                let general = choice_shares(&q.code).map_or_else(
                    || Cumulative::new(options.iter().map(|_| 1.0)),
                    |t| Cumulative::for_options(&options, t, 0.01),
                );
                let model = match q.code.as_str() {
                    "linh_vuc" => ChoiceModel::ByUnitKind {
                        office: Cumulative::for_options(&options, DOMAINS_OFFICE, 0.02),
                        commune: Cumulative::for_options(&options, DOMAINS_COMMUNE, 0.02),
                    },
                    "da_pakn" => match (pos("co"), pos("khong")) {
                        (Some(yes), Some(no)) => ChoiceModel::Pakn { yes, no },
                        _ => ChoiceModel::Fixed(general),
                    },
                    "nghe_nghiep" => match (
                        choice_index("nhom_tuoi"),
                        form.question("nhom_tuoi").map(|a| {
                            let p = |c: &str| a.options.iter().position(|o| o.code == c);
                            (p("18_24"), p("tren_60"))
                        }),
                    ) {
                        (Some(age_question), Some((Some(young), Some(old)))) => {
                            ChoiceModel::ByAge {
                                age_question,
                                young: (
                                    young,
                                    Cumulative::for_options(&options, OCCUPATIONS_YOUNG, 0.0),
                                ),
                                old: (old, Cumulative::for_options(&options, OCCUPATIONS_OLD, 0.0)),
                                other: general,
                            }
                        }
                        _ => ChoiceModel::Fixed(general),
                    },
                    _ => ChoiceModel::Fixed(general),
                };
                let effects = options
                    .iter()
                    .map(|o| {
                        if q.code == "linh_vuc" {
                            lookup(DOMAIN_EFFECTS, o).unwrap_or(0.0)
                        } else {
                            0.0
                        }
                    })
                    .collect();
                ChoiceStep {
                    code: q.code.clone(),
                    options,
                    required: q.required,
                    conditions: resolve(&q.show_if.iter().collect::<Vec<_>>()),
                    model,
                    effects,
                }
            })
            .collect();
        let mut items = Vec::new();
        for part in &form.parts {
            for element in &part.elements {
                let element_effect = lookup(ELEMENT_EFFECTS, &element.code).unwrap_or(0.0);
                let conds: Vec<&ShowIf> =
                    part.show_if.iter().chain(element.show_if.iter()).collect();
                for item in &element.items {
                    items.push(ItemStep {
                        code: item.code.clone(),
                        effect: element_effect + lookup(ITEM_EFFECTS, &item.code).unwrap_or(0.0),
                        required: Channel::ALL.map(|c| item.required.applies_to(c)),
                        conditions: resolve(&conds),
                    });
                }
            }
        }
        Plan {
            channels: form.channels.clone(),
            choices,
            items,
            expectations: form
                .expectations
                .iter()
                .map(|e| {
                    (
                        e.code.clone(),
                        lookup(EXPECTATION_LEAN, &e.code).unwrap_or(0.0),
                    )
                })
                .collect(),
            comments: form
                .comments
                .iter()
                .map(|c| (c.code.clone(), c.max_length))
                .collect(),
            not_applicable_skip: if form.scale.not_applicable.is_some() {
                0.05
            } else {
                0.0
            },
        }
    }
}

/// What the generator needs besides the form.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How many responses.
    pub responses: u64,
    pub seed: u64,
    /// Today's date in `tz`: responses end the day before.
    pub today: NaiveDate,
    pub tz: Tz,
    /// Chooses the random stream of the ids (e.g. the highest `seq` already stored), so that
    /// ids never repeat those of an earlier run with the same seed.
    pub id_stream: u64,
}

/// Synthetic responses in time order (an iterator of exactly `settings.responses` items).
pub struct Generator {
    plan: Plan,
    layout: Layout,
    form_id: String,
    form_version: i32,
    units: Vec<DemoUnit>,
    unit_draw: Cumulative,
    tz: Tz,
    rng: ChaCha8Rng,
    id_rng: ChaCha8Rng,
    start: NaiveDate,
    span_days: f64,
    /// Working days with their number of responses, in order; `next_day` is the next to open.
    days: Vec<(NaiveDate, u64)>,
    next_day: usize,
    /// Submitted times (UTC) of the open day still to produce, latest first.
    pending: Vec<NaiveDateTime>,
    /// The open day's position in the window, 0–1.
    pending_t: f64,
    remaining: u64,
    comments: [Vec<String>; 3],
}

impl Generator {
    /// A generator for `form` (stored as `form_version`) over `units`.
    pub fn new(
        form: &Form,
        form_version: i32,
        units: Vec<DemoUnit>,
        settings: &Settings,
    ) -> Generator {
        let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
        let mut id_rng = ChaCha8Rng::seed_from_u64(settings.seed);
        id_rng.set_stream(settings.id_stream.wrapping_add(1));
        let (start, working) = working_days(settings.today);
        let span_days = ((settings.today - start).num_days().max(1)) as f64;
        // Day volumes: growing over the window, Mondays busier, Fridays quieter, and noise; then
        // rounded cumulatively, so the counts add up to exactly `responses`.
        let weights: Vec<f64> = working
            .iter()
            .map(|d| {
                let t = (*d - start).num_days() as f64 / span_days;
                let weekday = match d.weekday() {
                    Weekday::Mon => 1.15,
                    Weekday::Fri => 0.9,
                    _ => 1.0,
                };
                (1.0 + 0.5 * t) * weekday * (0.7 + 0.6 * rng.random::<f64>())
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let n = settings.responses;
        let mut cum = 0.0;
        let mut before = 0u64;
        let days = working
            .iter()
            .zip(&weights)
            .enumerate()
            .map(|(i, (d, w))| {
                cum += w;
                let upto = if i + 1 == working.len() {
                    n
                } else {
                    ((cum / total * n as f64).round() as u64).min(n)
                };
                let count = upto.saturating_sub(before);
                before = before.max(upto);
                (*d, count)
            })
            .collect();
        let unit_draw = Cumulative::new(units.iter().map(|u| u.traffic));
        let texts = |list: &[&str]| list.iter().map(|s| normalize_text(s)).collect();
        Generator {
            plan: Plan::new(form),
            layout: Layout::of(form),
            form_id: form.id.clone(),
            form_version,
            units,
            unit_draw,
            tz: settings.tz,
            rng,
            id_rng,
            start,
            span_days,
            days,
            next_day: 0,
            pending: Vec::new(),
            pending_t: 0.0,
            remaining: if working.is_empty() { 0 } else { n },
            comments: [texts(PRAISE), texts(SUGGESTIONS), texts(COMPLAINTS)],
        }
    }

    /// Opens the next day with responses: draws and sorts its times.
    fn open_day(&mut self) -> bool {
        while let Some(&(day, count)) = self.days.get(self.next_day) {
            self.next_day += 1;
            if count == 0 {
                continue;
            }
            self.pending_t = (day - self.start).num_days() as f64 / self.span_days;
            let mut times: Vec<NaiveDateTime> = (0..count)
                .map(|_| {
                    // Morning session 7:00–11:30 or afternoon 13:30–17:00, to the millisecond.
                    let (from, len) = if self.rng.random_bool(0.7) {
                        (7 * 3600, 4 * 3600 + 1800)
                    } else {
                        (13 * 3600 + 1800, 3 * 3600 + 1800)
                    };
                    let ms = from * 1000 + self.rng.random_range(0..len * 1000);
                    let local = day.and_time(chrono::NaiveTime::MIN)
                        + TimeDelta::milliseconds(i64::from(ms));
                    to_utc(self.tz, local)
                })
                .collect();
            // Latest first: `pop` gives them in time order.
            times.sort_unstable_by(|a, b| b.cmp(a));
            self.pending = times;
            return true;
        }
        false
    }

    fn normal(&mut self) -> f64 {
        let u1: f64 = self.rng.random::<f64>().max(f64::MIN_POSITIVE);
        let u2: f64 = self.rng.random();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn logistic(&mut self) -> f64 {
        let u: f64 = self.rng.random::<f64>().clamp(1e-12, 1.0 - 1e-12);
        (u / (1.0 - u)).ln()
    }

    fn channel(&mut self, t: f64) -> Channel {
        let shares = |c: Channel| match c {
            Channel::Kiosk => 0.50 + 0.02 * t,
            Channel::Phone => 0.14,
            Channel::Web => 0.06 + 0.12 * t,
            Channel::Paper => 0.30 - 0.14 * t,
        };
        let draw = Cumulative::new(self.plan.channels.iter().map(|&c| shares(c)));
        let i = draw.draw(&mut self.rng);
        self.plan.channels.get(i).copied().unwrap_or(Channel::Paper)
    }

    fn id(&mut self, submitted_at: NaiveDateTime) -> String {
        let millis = submitted_at.and_utc().timestamp_millis().max(0) as u64;
        let mut bytes = [0u8; 10];
        self.id_rng.fill(&mut bytes);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// One response at `submitted_at`, `t` (0–1) into the window.
    fn response(&mut self, submitted_at: NaiveDateTime, t: f64) -> ResponseWithAnswers {
        let unit = self.unit_draw.draw(&mut self.rng);
        let channel = self.channel(t);
        let ci = channel_index(channel);
        let plan = &self.plan;
        let mut answers: Vec<NewAnswer> = Vec::with_capacity(32);

        // Respondent questions, in form order (routing refers to earlier answers).
        let mut chosen: Vec<Option<usize>> = vec![None; plan.choices.len()];
        let mut domain_effect = 0.0;
        for (qi, step) in plan.choices.iter().enumerate() {
            if !holds(&step.conditions, &chosen)
                || (!step.required && !self.rng.random_bool(DEMOGRAPHIC_RATE[ci]))
            {
                continue;
            }
            let option = match &step.model {
                ChoiceModel::Fixed(draw) => draw.draw(&mut self.rng),
                ChoiceModel::ByUnitKind { office, commune } => {
                    let draw = if self.units[unit].office {
                        office
                    } else {
                        commune
                    };
                    draw.draw(&mut self.rng)
                }
                ChoiceModel::ByAge {
                    age_question,
                    young,
                    old,
                    other,
                } => {
                    let draw = match chosen[*age_question] {
                        Some(a) if a == young.0 => &young.1,
                        Some(a) if a == old.0 => &old.1,
                        _ => other,
                    };
                    draw.draw(&mut self.rng)
                }
                ChoiceModel::Pakn { yes, no } => {
                    if self.rng.random_bool(self.units[unit].pakn_rate) {
                        *yes
                    } else {
                        *no
                    }
                }
            };
            chosen[qi] = Some(option);
            domain_effect += step.effects[option];
            answers.push(NewAnswer {
                question: step.code.clone(),
                num_value: None,
                text_value: Some(step.options[option].clone()),
            });
        }

        // Satisfaction items.
        let theta = RESPONDENT_SD * self.normal();
        let u = &self.units[unit];
        let years = t * f64::from(YEARS);
        let level = BASE_LEVEL
            + u.base
            + (TREND_PER_YEAR + u.trend) * years
            + CHANNEL_EFFECTS[ci]
            + domain_effect
            + theta;
        let (mut sum, mut rated) = (0u32, 0u32);
        let plan = &self.plan;
        for item in &plan.items {
            if !holds(&item.conditions, &chosen) {
                continue;
            }
            if !item.required[ci] {
                let skip = ITEM_SKIP_RATE[ci] + plan.not_applicable_skip;
                if self.rng.random_bool(skip) {
                    continue;
                }
            }
            let u: f64 = self.rng.random::<f64>().clamp(1e-12, 1.0 - 1e-12);
            let y = level + item.effect + ITEM_NOISE * (u / (1.0 - u)).ln();
            let score = 1 + THRESHOLDS.iter().filter(|&&c| y >= c).count() as i32;
            sum += score as u32;
            rated += 1;
            answers.push(NewAnswer {
                question: item.code.clone(),
                num_value: Some(score),
                text_value: None,
            });
        }

        // Expectations: the less satisfied want more.
        if !plan.expectations.is_empty() && self.rng.random_bool(EXPECTATION_RATE) {
            for i in 0..self.plan.expectations.len() {
                if !self.rng.random_bool(EXPECTATION_ITEM_RATE) {
                    continue;
                }
                let lean = self.plan.expectations[i].1;
                let z = lean - 0.35 * theta + 0.8 * self.logistic();
                let value = if z < -0.9 {
                    1
                } else if z < 0.9 {
                    2
                } else {
                    3
                };
                answers.push(NewAnswer {
                    question: self.plan.expectations[i].0.clone(),
                    num_value: Some(value),
                    text_value: None,
                });
            }
        }

        // Comments: praise or suggestions from the satisfied, complaints from the others.
        let mean = if rated > 0 {
            f64::from(sum) / f64::from(rated)
        } else {
            4.0
        };
        let unhappy = mean < 3.6;
        for i in 0..self.plan.comments.len() {
            let rate = if unhappy {
                COMMENT_RATE_UNHAPPY
            } else {
                COMMENT_RATE
            };
            if !self.rng.random_bool(rate) {
                continue;
            }
            let list = if unhappy {
                2
            } else if self.rng.random_bool(0.6) {
                0
            } else {
                1
            };
            let pick = self.rng.random_range(0..self.comments[list].len());
            let text: String = self.comments[list][pick]
                .chars()
                .take(self.plan.comments[i].1)
                .collect();
            answers.push(NewAnswer {
                question: self.plan.comments[i].0.clone(),
                num_value: None,
                text_value: Some(text),
            });
        }

        let response = NewResponse {
            id: self.id(submitted_at),
            client_id: None,
            form_id: self.form_id.clone(),
            form_version: self.form_version,
            unit: self.units[unit].code.clone(),
            channel: channel.as_str().to_string(),
            submitted_at,
            received_at: submitted_at,
            weight: 1.0,
            content_hash: "demo".to_string(),
            packed: Some(
                self.layout.pack(
                    answers
                        .iter()
                        .map(|a| (a.question.as_str(), a.num_value, a.text_value.as_deref())),
                ),
            ),
        };
        // In key order, as the loader inserts fastest (appends to the answers' primary key).
        answers.sort_unstable_by(|a, b| a.question.cmp(&b.question));
        (response, answers)
    }
}

/// Whether every routing condition holds for the choices made so far.
pub(super) fn holds(conditions: &[Condition], chosen: &[Option<usize>]) -> bool {
    conditions
        .iter()
        .all(|&(q, option)| option.is_some() && chosen.get(q).copied().flatten() == option)
}

/// A local time in `tz` as naive UTC (in a gap of a daylight-saving change, an hour later).
pub(super) fn to_utc(tz: Tz, local: NaiveDateTime) -> NaiveDateTime {
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + TimeDelta::hours(1)))
                .earliest()
        })
        .map_or(local, |t| t.naive_utc())
}

impl Iterator for Generator {
    type Item = ResponseWithAnswers;

    fn next(&mut self) -> Option<ResponseWithAnswers> {
        if self.remaining == 0 {
            return None;
        }
        if self.pending.is_empty() && !self.open_day() {
            return None;
        }
        let at = self.pending.pop()?;
        self.remaining -= 1;
        let t = self.pending_t;
        Some(self.response(at, t))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        (n, Some(n))
    }
}

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------
