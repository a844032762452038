//! The generator of `sipas demo`: a pure iterator of synthetic responses.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Weekday};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::model::*;
use super::plan::{channel_index, holds, ChoiceModel, Cumulative, Plan};
use super::targets::{working_days, DemoUnit};
use crate::domain::Channel;
use crate::forms::model::Form;
use crate::forms::packed::Layout;
use crate::forms::validate::normalize_text;
use crate::store::bulk::ResponseWithAnswers;
use crate::store::models::{NewAnswer, NewResponse};

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
        let mut answers: Vec<NewAnswer> = Vec::with_capacity(32);
        let (chosen, domain_effect) = self.respondent(unit, ci, &mut answers);

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
        let (sum, rated) = self.items(level, ci, &chosen, &mut answers);
        self.expectations(theta, &mut answers);
        // Comments: praise or suggestions from the satisfied, complaints from the others.
        let mean = if rated > 0 {
            f64::from(sum) / f64::from(rated)
        } else {
            4.0
        };
        self.comments(mean < 3.6, &mut answers);

        let response = self.envelope(submitted_at, unit, channel, &answers);
        // In key order, as the loader inserts fastest (appends to the answers' primary key).
        answers.sort_unstable_by(|a, b| a.question.cmp(&b.question));
        (response, answers)
    }

    /// The respondent questions, in form order (routing refers to earlier answers): the option
    /// chosen for each, and the latent effect of the choices.
    fn respondent(
        &mut self,
        unit: usize,
        ci: usize,
        answers: &mut Vec<NewAnswer>,
    ) -> (Vec<Option<usize>>, f64) {
        let plan = &self.plan;
        let mut chosen: Vec<Option<usize>> = vec![None; plan.choices.len()];
        let mut domain_effect = 0.0;
        for (qi, step) in plan.choices.iter().enumerate() {
            if !holds(&step.conditions, &chosen)
                || (!step.required && !self.rng.random_bool(DEMOGRAPHIC_RATE[ci]))
            {
                continue;
            }
            let option = choose(&step.model, &mut self.rng, &self.units[unit], &chosen);
            chosen[qi] = Some(option);
            domain_effect += step.effects[option];
            answers.push(NewAnswer {
                question: step.code.clone(),
                num_value: None,
                text_value: Some(step.options[option].clone()),
            });
        }
        (chosen, domain_effect)
    }

    /// The rated items at latent `level`: the sum of the scores and how many were rated.
    fn items(
        &mut self,
        level: f64,
        ci: usize,
        chosen: &[Option<usize>],
        answers: &mut Vec<NewAnswer>,
    ) -> (u32, u32) {
        let (mut sum, mut rated) = (0u32, 0u32);
        let plan = &self.plan;
        for item in &plan.items {
            if !holds(&item.conditions, chosen) {
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
        (sum, rated)
    }

    /// Expectations: the less satisfied (lower `theta`) want more.
    fn expectations(&mut self, theta: f64, answers: &mut Vec<NewAnswer>) {
        if self.plan.expectations.is_empty() || !self.rng.random_bool(EXPECTATION_RATE) {
            return;
        }
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

    /// Comments: complaints from the `unhappy`, praise or suggestions from the others.
    fn comments(&mut self, unhappy: bool, answers: &mut Vec<NewAnswer>) {
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
    }

    /// The stored response of `answers` (before they are sorted).
    fn envelope(
        &mut self,
        submitted_at: NaiveDateTime,
        unit: usize,
        channel: Channel,
        answers: &[NewAnswer],
    ) -> NewResponse {
        NewResponse {
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
        }
    }
}

/// The option drawn for a respondent question with `model`, at `unit`, after `chosen`.
fn choose(
    model: &ChoiceModel,
    rng: &mut ChaCha8Rng,
    unit: &DemoUnit,
    chosen: &[Option<usize>],
) -> usize {
    match model {
        ChoiceModel::Fixed(draw) => draw.draw(rng),
        ChoiceModel::ByUnitKind { office, commune } => {
            let draw = if unit.office { office } else { commune };
            draw.draw(rng)
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
            draw.draw(rng)
        }
        ChoiceModel::Pakn { yes, no } => {
            if rng.random_bool(unit.pakn_rate) {
                *yes
            } else {
                *no
            }
        }
    }
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
