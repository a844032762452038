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

use std::sync::mpsc;
use std::time::Instant;

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Weekday};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::Config;
use crate::domain::Channel;
use crate::forms::model::{Form, ShowIf};
use crate::forms::registry::{content_hash, definition_json};
use crate::forms::validate::normalize_text;
use crate::store::bulk::{self, Loaded, ResponseWithAnswers};
use crate::store::models::{NewAnswer, NewResponse, UnitRow};
use crate::store::{self, units};
use crate::units::{parse_tree, Unit, DEFAULT_TREE};

/// The form `sipas demo` fills when `--form` is not given.
pub const DEFAULT_FORM: &str = "sipas-dich-vu";
/// The seed when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 1;
/// Responses per transaction.
pub const BATCH_SIZE: usize = 10_000;
/// A progress line every this many responses.
const PROGRESS_EVERY: u64 = 100_000;
/// How far back the responses go.
const YEARS: u32 = 3;

// ---------------------------------------------------------------------------------------------
// The model's parameters
// ---------------------------------------------------------------------------------------------

/// Per unit: traffic (relative number of responses), base level (latent scale), extra yearly
/// trend, share of respondents who made a phản ánh, kiến nghị. Units of the default tree that are
/// not listed get neutral values.
const PROFILES: &[(&str, f64, f64, f64, f64)] = &[
    ("tuy-phuoc-mc", 3.0, 0.10, 0.00, 0.24),
    ("tt-tuy-phuoc", 1.6, 0.35, 0.00, 0.20),
    ("tt-dieu-tri", 1.4, 0.05, 0.00, 0.19),
    ("phuoc-thang", 1.0, -0.40, 0.05, 0.22),
    ("phuoc-hung", 0.9, 0.00, 0.00, 0.17),
    ("phuoc-quang", 0.8, -0.40, 0.20, 0.16),
    ("phuoc-hoa", 0.9, 0.20, 0.00, 0.18),
    ("phuoc-son", 1.2, 0.50, 0.00, 0.21),
    ("phuoc-hiep", 0.8, -0.15, 0.00, 0.15),
    ("phuoc-loc", 1.0, 0.25, 0.00, 0.18),
    ("phuoc-nghia", 0.7, -0.45, -0.12, 0.23),
    ("phuoc-thuan", 1.1, 0.10, 0.00, 0.20),
    ("phuoc-an", 1.0, 0.20, 0.00, 0.17),
    ("phuoc-thanh", 0.9, -0.10, 0.00, 0.19),
];

/// Latent level of an average respondent at an average unit three years ago.
const BASE_LEVEL: f64 = 1.7;
/// Improvement of the latent level per year, for every unit.
const TREND_PER_YEAR: f64 = 0.16;
/// Standard deviation of the respondent effect θ.
const RESPONDENT_SD: f64 = 0.9;
/// Scale of the item-level logistic noise.
const ITEM_NOISE: f64 = 0.75;
/// Cut points of the latent item value: below the first is 1, above the last is 5. "Satisfied"
/// (4 or 5) means at least 0.
const THRESHOLDS: [f64; 4] = [-3.2, -1.9, 0.0, 2.3];

/// Latent effect of each element (by code, across forms).
const ELEMENT_EFFECTS: &[(&str, f64)] = &[
    // Service form (and the household form's service part).
    ("tiep_can", 0.0),
    ("tthc", 0.45),
    ("cong_chuc", 0.15),
    ("ket_qua", 0.40),
    ("pakn", -0.6),
    // Household form, policy part.
    ("giai_trinh", -0.10),
    ("tham_gia", -0.50),
    ("chat_luong", 0.10),
    ("tac_dong", 0.20),
    // Delegates' survey.
    ("chi_dao", 0.20),
    ("the_che", -0.10),
    ("bo_may", 0.0),
    ("cong_vu", 0.10),
    ("tai_chinh", 0.10),
    ("chinh_quyen_so", -0.40),
];

/// Latent effect of single items, on top of their element's.
const ITEM_EFFECTS: &[(&str, f64)] = &[
    ("TC1", -0.10),
    ("TC3", 0.10),
    ("TC4", -0.30),
    ("TT4", -0.20),
    ("CC1", 0.10),
    ("CC3", -0.20),
    ("KQ1", -0.15),
    ("KQ3", 0.10),
    ("PA3", -0.25),
];

/// Latent effect of the channel: kiosk, phone, web, paper.
const CHANNEL_EFFECTS: [f64; 4] = [0.0, -0.05, -0.30, 0.20];

/// Latent effect of the procedure domain (`linh_vuc`).
const DOMAIN_EFFECTS: &[(&str, f64)] = &[
    ("dat_dai", -0.35),
    ("xay_dung", -0.20),
    ("ho_tich", 0.15),
    ("chung_thuc", 0.25),
];

/// Share of respondents answering an optional respondent question, per channel (kiosk, phone,
/// web, paper).
const DEMOGRAPHIC_RATE: [f64; 4] = [0.92, 0.97, 0.88, 0.82];
/// Share of optional items left blank, per channel.
const ITEM_SKIP_RATE: [f64; 4] = [0.01, 0.005, 0.015, 0.03];
/// Share of respondents who answer the expectation block, and of its items they answer.
const EXPECTATION_RATE: f64 = 0.33;
const EXPECTATION_ITEM_RATE: f64 = 0.9;
/// How much each expectation area is wanted (latent shift towards "Rất nhiều").
const EXPECTATION_LEAN: &[(&str, f64)] = &[
    ("KV1", -0.20),
    ("KV2", 0.0),
    ("KV3", 0.10),
    ("KV4", -0.10),
    ("KV5", 0.50),
    ("KV6", 0.10),
    ("KV7", 0.60),
];
/// Share of respondents leaving a comment: satisfied and dissatisfied ones.
const COMMENT_RATE: f64 = 0.035;
const COMMENT_RATE_UNHAPPY: f64 = 0.12;

const PRAISE: &[&str] = &[
    "Cán bộ nhiệt tình, hướng dẫn chu đáo.",
    "Thủ tục nhanh gọn, trả kết quả đúng hẹn.",
    "Cảm ơn bộ phận một cửa đã hỗ trợ tận tình.",
    "Nơi làm việc sạch sẽ, thoáng mát.",
    "Rất hài lòng với thái độ phục vụ.",
];
const SUGGESTIONS: &[&str] = &[
    "Nên bố trí thêm ghế ngồi chờ.",
    "Đề nghị có thêm máy lấy số thứ tự.",
    "Mong được hướng dẫn nộp hồ sơ trực tuyến.",
    "Nên niêm yết phí, lệ phí rõ ràng hơn.",
    "Cần mở rộng chỗ để xe.",
];
const COMPLAINTS: &[&str] = &[
    "Thời gian chờ đợi còn lâu.",
    "Hồ sơ đất đai giải quyết chậm, phải đi lại nhiều lần.",
    "Cán bộ có lúc chưa niềm nở.",
    "Trả kết quả trễ hẹn mà không được báo trước.",
    "Hướng dẫn chưa rõ, phải bổ sung hồ sơ nhiều lần.",
];

/// Option shares of respondent questions, by question code. Options of a form that are not
/// listed get a small share; questions not listed are uniform.
fn choice_shares(code: &str) -> Option<&'static [(&'static str, f64)]> {
    Some(match code {
        "gioi_tinh" => &[("nam", 0.52), ("nu", 0.47), ("khac", 0.01)],
        "nhom_tuoi" => &[
            ("18_24", 0.08),
            ("25_34", 0.22),
            ("35_49", 0.34),
            ("50_60", 0.22),
            ("tren_60", 0.14),
        ],
        "dan_toc" => &[("kinh", 0.97), ("khac", 0.03)],
        "hoc_van" => &[
            ("tieu_hoc", 0.12),
            ("thcs", 0.25),
            ("thpt", 0.30),
            ("nghe_cd", 0.13),
            ("dai_hoc", 0.17),
            ("khac", 0.03),
        ],
        "nghe_nghiep" => &[
            ("nghi_huu", 0.08),
            ("khong_di_lam", 0.07),
            ("tu_do", 0.42),
            ("sinh_vien", 0.04),
            ("tu_nhan", 0.23),
            ("cong", 0.11),
            ("khac", 0.05),
        ],
        "da_giai_quyet_tthc" => &[("co", 0.55), ("khong", 0.45)],
        "nhom" => &[
            ("dai_bieu_hdnd", 0.45),
            ("lanh_dao_huyen", 0.25),
            ("lanh_dao_xa", 0.30),
        ],
        _ => return None,
    })
}

/// Procedure domains at the district office and at the communes.
const DOMAINS_OFFICE: &[(&str, f64)] = &[
    ("dat_dai", 0.36),
    ("ho_tich", 0.06),
    ("chung_thuc", 0.08),
    ("xay_dung", 0.13),
    ("kinh_doanh", 0.16),
    ("lao_dong_xa_hoi", 0.13),
    ("khac", 0.08),
];
const DOMAINS_COMMUNE: &[(&str, f64)] = &[
    ("dat_dai", 0.15),
    ("ho_tich", 0.31),
    ("chung_thuc", 0.30),
    ("xay_dung", 0.03),
    ("kinh_doanh", 0.02),
    ("lao_dong_xa_hoi", 0.12),
    ("khac", 0.07),
];

/// Occupation shares for the young (18–24) and the old (over 60); other ages use the general
/// shares of [`choice_shares`].
const OCCUPATIONS_YOUNG: &[(&str, f64)] = &[
    ("khong_di_lam", 0.08),
    ("tu_do", 0.25),
    ("sinh_vien", 0.40),
    ("tu_nhan", 0.20),
    ("cong", 0.04),
    ("khac", 0.03),
];
const OCCUPATIONS_OLD: &[(&str, f64)] = &[
    ("nghi_huu", 0.50),
    ("khong_di_lam", 0.15),
    ("tu_do", 0.30),
    ("khac", 0.05),
];

fn lookup(table: &[(&str, f64)], code: &str) -> Option<f64> {
    table.iter().find(|(c, _)| *c == code).map(|(_, v)| *v)
}

// ---------------------------------------------------------------------------------------------
// Units and time
// ---------------------------------------------------------------------------------------------

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

fn demo_units(rows: &[UnitRow]) -> Vec<DemoUnit> {
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
fn working_days(today: NaiveDate) -> (NaiveDate, Vec<NaiveDate>) {
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
struct Cumulative(Vec<f64>);

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
enum ChoiceModel {
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
type Condition = (usize, Option<usize>);

#[derive(Debug, Clone)]
struct ChoiceStep {
    code: String,
    options: Vec<String>,
    required: bool,
    conditions: Vec<Condition>,
    model: ChoiceModel,
    /// Latent effect per option (procedure domain).
    effects: Vec<f64>,
}

#[derive(Debug, Clone)]
struct ItemStep {
    code: String,
    effect: f64,
    required: [bool; 4],
    conditions: Vec<Condition>,
}

/// The form, compiled into what the generator needs per response.
#[derive(Debug, Clone)]
struct Plan {
    channels: Vec<Channel>,
    choices: Vec<ChoiceStep>,
    items: Vec<ItemStep>,
    expectations: Vec<(String, f64)>,
    comments: Vec<(String, usize)>,
    /// Extra share of skipped items when the scale offers "cannot assess".
    not_applicable_skip: f64,
}

fn channel_index(c: Channel) -> usize {
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
        };
        // In key order, as the loader inserts fastest (appends to the answers' primary key).
        answers.sort_unstable_by(|a, b| a.question.cmp(&b.question));
        (response, answers)
    }
}

/// Whether every routing condition holds for the choices made so far.
fn holds(conditions: &[Condition], chosen: &[Option<usize>]) -> bool {
    conditions
        .iter()
        .all(|&(q, option)| option.is_some() && chosen.get(q).copied().flatten() == option)
}

/// A local time in `tz` as naive UTC (in a gap of a daylight-saving change, an hour later).
fn to_utc(tz: Tz, local: NaiveDateTime) -> NaiveDateTime {
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

/// `sipas demo`: prepares the database as `serve` does (migrations, default units, the form's
/// current version), then inserts `responses` synthetic responses, printing progress.
pub fn run(config: &Config, form_id: &str, responses: u64, seed: u64) -> Result<(), String> {
    if responses == 0 {
        return Err("--responses must be at least 1".into());
    }
    let forms = crate::forms::load_dir(&config.forms_dir)
        .map_err(|e| format!("forms in {}:\n{e}", config.forms_dir.display()))?;
    let known: Vec<String> = forms.iter().map(|f| f.id.clone()).collect();
    let Some(form) = forms.into_iter().find(|f| f.id == form_id) else {
        return Err(format!(
            "unknown form \"{form_id}\" (forms in {}: {})",
            config.forms_dir.display(),
            known.join(", ")
        ));
    };

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
    let (start, _) = working_days(today);
    let mut targets = Vec::new();
    for unit in demo_units(&tree) {
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

    let settings = Settings {
        responses,
        seed,
        today,
        tz: config.tz,
        id_stream: bulk::max_seq(conn).map_err(|e| e.to_string())? as u64,
    };
    let generator = Generator::new(&form, version, targets, &settings);

    // Generate on a second thread while this one writes.
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
    let started = Instant::now();
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
    let total = result.map_err(|e| e.to_string())?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

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

    /// The properties the module documentation promises, on 40,000 responses.
    #[test]
    fn realism() {
        use std::collections::BTreeMap;
        let form = service_form();
        let n = 40_000u64;
        let element_of: BTreeMap<&str, &str> = form
            .parts
            .iter()
            .flat_map(|p| &p.elements)
            .flat_map(|e| e.items.iter().map(|i| (i.code.as_str(), e.code.as_str())))
            .collect();
        // (answered, satisfied) per unit, element, year; counts per channel and question.
        let mut by_unit: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let mut by_element: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        let mut by_year: BTreeMap<i32, (u64, u64)> = BTreeMap::new();
        let mut channels: BTreeMap<String, u64> = BTreeMap::new();
        let mut questions: BTreeMap<String, u64> = BTreeMap::new();
        let mut pakn_yes = 0u64;
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        for (r, answers) in Generator::new(&form, 1, default_units(), &settings(n)) {
            let local = r.submitted_at.and_utc().with_timezone(&tz);
            let hour = chrono::Timelike::hour(&local);
            assert!((7..17).contains(&hour), "working hours: {local}");
            assert!(!matches!(local.weekday(), Weekday::Sat | Weekday::Sun));
            *channels.entry(r.channel.clone()).or_default() += 1;
            for a in &answers {
                *questions.entry(a.question.clone()).or_default() += 1;
                pakn_yes +=
                    u64::from(a.question == "da_pakn" && a.text_value.as_deref() == Some("co"));
                if let Some(element) = element_of.get(a.question.as_str()) {
                    let sat = u64::from(a.num_value.unwrap() >= 4);
                    for (total, satisfied) in [
                        by_unit.entry(r.unit.clone()).or_default(),
                        by_element.entry(element).or_default(),
                        by_year.entry(local.year()).or_default(),
                    ] {
                        *total += 1;
                        *satisfied += sat;
                    }
                }
            }
        }
        let share = |(total, satisfied): (u64, u64)| 100.0 * satisfied as f64 / total as f64;
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
        let years: Vec<f64> = by_year.values().copied().map(share).collect();
        assert!(
            years.windows(2).all(|w| w[1] > w[0]),
            "improves every year: {years:?}"
        );
        let overall = share(by_unit.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)));
        assert!((86.0..94.0).contains(&overall), "overall {overall}");
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
