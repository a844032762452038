//! Fuzzing the answer validator (issue 7, item 4).
//!
//! (a) `sipas::forms::validate_answers` on arbitrary JSON answer maps, for every shipped form and
//!     every channel: it never panics, and it agrees exactly with an independent oracle written
//!     here from the rules (FORMS.md / API.md): what is accepted satisfies the form's ranges,
//!     options, routing and per-channel required answers, with the values stored as given (text
//!     NFC-normalised and trimmed); what is refused names exactly the offending fields — each one
//!     in the input, or a required question that is missing.
//! (b) `POST /api/v1/forms/sipas-dich-vu/responses` on arbitrary bodies (random JSON, submissions
//!     with random fields, invalid UTF-8, random bytes, huge numbers, oversized bodies): never a
//!     5xx, the API.md error shape on every 4xx, and nothing stored by a refused request.
//!
//! Bounded: 384 validator cases and 60 HTTP requests by default; `PROPTEST_CASES=N` for more.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use common::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use sipas::domain::Channel;
use sipas::forms::model::ShowIf;
use sipas::forms::{load_dir, validate_answers, AnswerValue, Form};
use unicode_normalization::UnicodeNormalization;

static FORMS: LazyLock<Vec<Form>> =
    LazyLock::new(|| load_dir(&forms_dir()).expect("the shipped forms load"));

// ---------------------------------------------------------------------------------------------
// The oracle: the rules, written again from the form's structure (not from `all_questions`).
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Kind {
    Choice(Vec<String>),
    Score,
    Expectation,
    Text(usize),
}

#[derive(Debug, Clone)]
struct Q {
    code: String,
    kind: Kind,
    /// Required on which channels.
    required: Vec<Channel>,
    /// Every routing condition of the question, its element and its part.
    conditions: Vec<ShowIf>,
}

fn oracle_questions(form: &Form) -> Vec<Q> {
    let mut out = Vec::new();
    for q in &form.questions {
        out.push(Q {
            code: q.code.clone(),
            kind: Kind::Choice(q.options.iter().map(|o| o.code.clone()).collect()),
            required: if q.required {
                Channel::ALL.to_vec()
            } else {
                Vec::new()
            },
            conditions: q.show_if.clone().into_iter().collect(),
        });
    }
    for part in &form.parts {
        for element in &part.elements {
            for item in &element.items {
                let required = Channel::ALL
                    .into_iter()
                    .filter(|&c| item.required.applies_to(c))
                    .collect();
                out.push(Q {
                    code: item.code.clone(),
                    kind: Kind::Score,
                    required,
                    conditions: part
                        .show_if
                        .iter()
                        .chain(element.show_if.iter())
                        .cloned()
                        .collect(),
                });
            }
        }
    }
    for e in &form.expectations {
        out.push(Q {
            code: e.code.clone(),
            kind: Kind::Expectation,
            required: Vec::new(),
            conditions: Vec::new(),
        });
    }
    for c in &form.comments {
        out.push(Q {
            code: c.code.clone(),
            kind: Kind::Text(c.max_length),
            required: Vec::new(),
            conditions: Vec::new(),
        });
    }
    out
}

/// What the oracle expects: the stored answers, or the set of fields refused.
#[derive(Debug, PartialEq)]
enum Expected {
    Accept(BTreeMap<String, AnswerValue>),
    Refuse(BTreeSet<String>),
}

/// `Err(())`: a refused value; `Ok(None)`: not answered; `Ok(Some)`: the stored value.
fn oracle_value(kind: &Kind, value: &Value) -> Result<Option<AnswerValue>, ()> {
    if value.is_null() {
        return Ok(None);
    }
    if let Value::String(s) = value {
        if s.chars().all(char::is_whitespace) {
            return Ok(None);
        }
    }
    let whole = |lo: i64, hi: i64| match value {
        Value::Number(n) => n.as_i64().filter(|v| (lo..=hi).contains(v)).ok_or(()),
        _ => Err(()),
    };
    match kind {
        Kind::Score => {
            let n = whole(1, 5)?;
            Ok(Some(AnswerValue::Score(
                sipas::domain::Score::new(n).expect("1–5"),
            )))
        }
        Kind::Expectation => {
            let n = whole(1, 3)?;
            Ok(Some(AnswerValue::Expectation(
                sipas::domain::ExpectationLevel::new(n).expect("1–3"),
            )))
        }
        Kind::Choice(options) => match value {
            Value::String(s) if options.contains(s) => Ok(Some(AnswerValue::Choice(s.clone()))),
            _ => Err(()),
        },
        Kind::Text(max) => match value {
            Value::String(s) => {
                if s.chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                {
                    return Err(());
                }
                let text = s.nfc().collect::<String>().trim().to_string();
                if text.chars().count() > *max {
                    return Err(());
                }
                Ok(Some(AnswerValue::Text(text)))
            }
            _ => Err(()),
        },
    }
}

fn oracle(form: &Form, channel: Channel, answers: &Map<String, Value>) -> Expected {
    let questions = oracle_questions(form);
    let mut refused = BTreeSet::new();
    let mut valid = BTreeMap::new();
    for (code, value) in answers {
        match questions.iter().find(|q| &q.code == code) {
            None => {
                refused.insert(code.clone());
            }
            Some(q) => match oracle_value(&q.kind, value) {
                Err(()) => {
                    refused.insert(code.clone());
                }
                Ok(Some(v)) => {
                    valid.insert(code.clone(), v);
                }
                Ok(None) => {}
            },
        }
    }
    for q in &questions {
        let shown = q.conditions.iter().all(
            |c| matches!(valid.get(&c.question), Some(AnswerValue::Choice(v)) if *v == c.equals),
        );
        let answered = valid.contains_key(&q.code);
        if answered && !shown {
            refused.insert(q.code.clone());
        }
        if shown && !answered && q.required.contains(&channel) {
            refused.insert(q.code.clone());
        }
    }
    if refused.is_empty() {
        Expected::Accept(valid)
    } else {
        Expected::Refuse(refused)
    }
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

fn number(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// Strings a fuzzer should try: control characters and NUL, combining marks (decomposed
/// Vietnamese, which NFC composes), bidi and zero-width characters, white space only, long texts
/// around the comment limit, numbers as text.
fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,30}",
        prop::sample::select(vec![
            "",
            " ",
            "\t\n",
            "\u{3000}",
            "\u{0}",
            "a\u{0}b",
            "\u{7f}",
            "\u{85}",
            "\u{1b}[31m",
            "\u{202e}abc",
            "\u{200b}",
            "\u{feff}",
            "5",
            " 5",
            "5 ",
            "4.0",
            "1e0",
            "-0",
            "co ",
            "CO",
            "Có",
            "khong\n",
            "\u{d7ff}",
            "\u{10ffff}",
            "🇻🇳",
            "Rất hài lòng",
        ])
        .prop_map(String::from),
        // "ệ" decomposed (e + circumflex + dot below): 3 chars each that NFC makes one.
        (0usize..2100).prop_map(|n| "e\u{302}\u{323}".repeat(n)),
        (1990usize..2010).prop_map(|n| "ệ".repeat(n)),
        (
            1990usize..2010,
            prop::sample::select(vec![' ', '\n', '\t', 'a'])
        )
            .prop_map(|(n, pad)| format!("{pad}{}{pad}", "x".repeat(n))),
        (0usize..70_000).prop_map(|n| "y".repeat(n)),
        prop::collection::vec(any::<char>(), 1990..2010).prop_map(|c| c.into_iter().collect()),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..9).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            3.0,
            4.0,
            5.0,
            4.5,
            5.000000001,
            1e300,
            -1e-300,
            f64::MAX,
            f64::MIN_POSITIVE,
        ])
        .prop_map(number),
        any::<f64>().prop_map(number),
        nasty_string().prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid answer for the question, most of the time.
fn answer_for(q: &Q) -> BoxedStrategy<Value> {
    match &q.kind {
        Kind::Choice(options) => prop::sample::select(options.clone())
            .prop_map(Value::from)
            .boxed(),
        Kind::Score => (1i64..=5).prop_map(Value::from).boxed(),
        Kind::Expectation => (1i64..=3).prop_map(Value::from).boxed(),
        Kind::Text(_) => nasty_string().prop_map(Value::from).boxed(),
    }
}

/// Every code of every shipped form: a code of another form is junk for this one.
fn all_codes() -> Vec<String> {
    let mut codes: Vec<String> = FORMS
        .iter()
        .flat_map(|f| oracle_questions(f).into_iter().map(|q| q.code))
        .collect();
    codes.extend(
        [
            "tc1",
            "TC1 ",
            " TC1",
            "",
            "TC",
            "TC10",
            "__proto__",
            "y_kien\u{0}",
        ]
        .map(String::from),
    );
    codes
}

/// An answer map for `form`: each question absent, answered validly, left empty or answered with
/// junk; plus junk codes with junk values.
fn answers_for(form: &Form) -> BoxedStrategy<Map<String, Value>> {
    let per_question: Vec<BoxedStrategy<(String, Option<Value>)>> = oracle_questions(form)
        .into_iter()
        .map(|q| {
            let code = q.code.clone();
            prop_oneof![
                8 => answer_for(&q).prop_map(Some),
                2 => Just(None),
                1 => prop::sample::select(vec![Value::Null, Value::from(""), Value::from("  ")]).prop_map(Some),
                1 => json_value().prop_map(Some),
            ]
            .prop_map(move |v| (code.clone(), v))
            .boxed()
        })
        .collect();
    let junk = prop::collection::vec(
        (
            prop_oneof![
                prop::sample::select(all_codes()),
                "\\PC{0,12}",
                any::<String>()
            ],
            json_value(),
        ),
        0..3,
    );
    (per_question, junk, any::<bool>())
        .prop_map(|(answers, junk, with_junk)| {
            let mut map: Map<String, Value> = answers
                .into_iter()
                .filter_map(|(code, v)| v.map(|v| (code, v)))
                .collect();
            if with_junk {
                for (code, v) in junk {
                    map.insert(code, v);
                }
            }
            map
        })
        .boxed()
}

fn form_channel_answers() -> impl Strategy<Value = (usize, Channel, Map<String, Value>)> {
    (0..FORMS.len(), prop::sample::select(Channel::ALL.to_vec())).prop_flat_map(|(i, channel)| {
        answers_for(&FORMS[i]).prop_map(move |answers| (i, channel, answers))
    })
}

// ---------------------------------------------------------------------------------------------
// (a) The validator against the oracle
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: proptest_cases(384), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn validate_answers_agrees_with_the_oracle((i, channel, answers) in form_channel_answers()) {
        let form = &FORMS[i];
        let outcome = validate_answers(form, channel, &answers);
        let expected = oracle(form, channel, &answers);
        let required: BTreeSet<String> = oracle_questions(form)
            .into_iter()
            .filter(|q| q.required.contains(&channel))
            .map(|q| q.code)
            .collect();
        match (&outcome, &expected) {
            (Ok(valid), Expected::Accept(want)) => {
                prop_assert_eq!(valid, want, "{} on {}: stored values", &form.id, channel);
            }
            (Err(errors), Expected::Refuse(want)) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                let named: BTreeSet<String> = fields.iter().map(|f| f.to_string()).collect();
                prop_assert_eq!(named.len(), fields.len(), "one error per field: {:?}", fields);
                for e in errors {
                    prop_assert!(
                        answers.contains_key(&e.field) || required.contains(&e.field),
                        "{} on {}: error on {:?}, neither in the input nor required", &form.id, channel, e.field
                    );
                    prop_assert!(!e.code.is_empty() && !e.message.is_empty() && !e.message_en.is_empty());
                }
                prop_assert_eq!(&named, want, "{} on {}: refused fields", &form.id, channel);
            }
            _ => prop_assert!(
                false,
                "{} on {}: validator says {:?}, oracle says {:?}",
                &form.id, channel, outcome, expected
            ),
        }
    }
}

/// The oracle itself accepts what the shipped tests call a valid answer set (so that agreement
/// above means something).
#[test]
fn the_oracle_accepts_a_complete_phone_answer() {
    let service = FORMS.iter().find(|f| f.id == "sipas-dich-vu").unwrap();
    let answers = full_answers();
    assert!(matches!(
        oracle(service, Channel::Phone, answers.as_object().unwrap()),
        Expected::Accept(_)
    ));
    let mut missing = answers.as_object().unwrap().clone();
    missing.remove("TC1");
    assert_eq!(
        oracle(service, Channel::Phone, &missing),
        Expected::Refuse(BTreeSet::from(["TC1".to_string()]))
    );
    assert!(matches!(
        oracle(service, Channel::Web, &missing),
        Expected::Accept(_)
    ));
}

// ---------------------------------------------------------------------------------------------
// (b) The JSON API on arbitrary bodies
// ---------------------------------------------------------------------------------------------

/// A request body and its content type.
#[derive(Debug, Clone)]
struct Body {
    content_type: &'static str,
    bytes: Vec<u8>,
}

fn json_body(v: &Value) -> Body {
    Body {
        content_type: "application/json",
        bytes: serde_json::to_vec(v).unwrap(),
    }
}

fn submission_like() -> impl Strategy<Value = Value> {
    let service = FORMS.iter().find(|f| f.id == "sipas-dich-vu").unwrap();
    let field = |s: BoxedStrategy<Value>| prop::option::weighted(0.8, s);
    (
        field(
            prop_oneof![
                Just(()).prop_map(|_| Value::from(uuid::Uuid::new_v4().to_string())),
                json_value()
            ]
            .boxed(),
        ),
        field(
            prop_oneof![
                prop::sample::select(vec![
                    "phuoc-son",
                    "tuy-phuoc",
                    "binh-dinh",
                    "",
                    "PHUOC-SON",
                    "x"
                ])
                .prop_map(Value::from),
                json_value()
            ]
            .boxed(),
        ),
        field(
            prop_oneof![
                prop::sample::select(vec!["phone", "web", "kiosk", "paper", "", "Phone", "sms"])
                    .prop_map(Value::from),
                json_value()
            ]
            .boxed(),
        ),
        field(
            prop_oneof![
                4 => answers_for(service).prop_map(Value::Object),
                1 => json_value()
            ]
            .boxed(),
        ),
        prop::option::weighted(
            0.2,
            prop_oneof![
                prop::sample::select(vec![
                    "2024-05-02T09:30:00+07:00",
                    "2999-01-01T00:00:00Z",
                    "0000-01-01T00:00:00Z",
                    "2024-13-45T99:99:99Z",
                    "yesterday",
                ])
                .prop_map(Value::from),
                json_value()
            ],
        ),
        prop::option::weighted(0.1, json_value()),
        prop::option::weighted(0.1, ("\\PC{1,8}", json_value())),
    )
        .prop_map(
            |(client_id, unit, channel, answers, at, invitation, extra)| {
                let mut m = Map::new();
                let mut put = |k: &str, v: Option<Value>| {
                    if let Some(v) = v {
                        m.insert(k.to_string(), v);
                    }
                };
                put("client_id", client_id);
                put("unit", unit);
                put("channel", channel);
                put("answers", answers);
                put("submitted_at", at);
                put("invitation", invitation);
                if let Some((k, v)) = extra {
                    m.insert(k, v);
                }
                Value::Object(m)
            },
        )
}

/// Raw JSON texts serde_json's `Value` cannot produce: huge and odd numbers, duplicate keys,
/// deep nesting, lone surrogates, trailing garbage.
fn raw_json() -> impl Strategy<Value = Body> {
    let valid = valid_submission();
    let head = format!(
        r#"{{"client_id":"{}","unit":"phuoc-son","channel":"web","answers":{{"da_pakn":"khong","TC1":"#,
        uuid::Uuid::new_v4()
    );
    let _ = valid;
    prop_oneof![
        prop::sample::select(vec![
            "123456789012345678901234567890",
            "1e400",
            "-1e400",
            "5.0000000000000000000000001",
            "4.99999999999999999999999",
            "18446744073709551616",
            "-9223372036854775809",
            "0x5",
            "NaN",
            "Infinity",
            "05",
            "+5",
            "5e0",
            "\"5\"",
            "[5]",
            "{\"v\":5}",
            "true",
        ])
        .prop_map(move |n| format!("{head}{n}}}}}")),
        (1usize..200_000).prop_map(|depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth))),
        (1usize..5_000).prop_map(|depth| format!(
            r#"{{"unit":"phuoc-son","channel":"web","answers":{}1{}}}"#,
            "{\"a\":".repeat(depth),
            "}".repeat(depth)
        )),
        Just(r#"{"unit":"phuoc-son","unit":"tuy-phuoc","channel":"web","answers":{"da_pakn":"khong","da_pakn":"co"}}"#.to_string()),
        Just(r#"{"unit":"phuoc-son","channel":"web","answers":{"y_kien":"\ud800"}}"#.to_string()),
        Just(r#"{"unit":"phuoc-son","channel":"web","answers":{"da_pakn":"khong"}} trailing"#.to_string()),
        Just(String::new()),
        Just("null".to_string()),
    ]
    .prop_map(|text| Body {
        content_type: "application/json",
        bytes: text.into_bytes(),
    })
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        4 => submission_like().prop_map(|v| json_body(&v)),
        2 => json_value().prop_map(|v| json_body(&v)),
        2 => raw_json(),
        // Invalid UTF-8 inside an otherwise fine submission, and random bytes.
        1 => (any::<Vec<u8>>(), prop::sample::select(vec![0xffu8, 0xc3, 0xed, 0x80])).prop_map(|(mut b, bad)| {
            let mut text = br#"{"unit":"phuoc-son","channel":"web","answers":{"da_pakn":"khong","y_kien":""#.to_vec();
            b.push(bad);
            text.extend(b);
            text.extend(br#""}}"#);
            Body { content_type: "application/json", bytes: text }
        }),
        1 => prop::collection::vec(any::<u8>(), 0..512).prop_map(|bytes| Body { content_type: "application/json", bytes }),
        // Over the 64 KiB limit.
        1 => (65_000usize..70_000).prop_map(|n| json_body(&json!({
            "unit": "phuoc-son", "channel": "web",
            "answers": {"da_pakn": "khong", "y_kien": "a".repeat(n)}
        }))),
        1 => (prop::sample::select(vec!["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonx", ""]), json_value())
            .prop_map(|(content_type, v)| Body { content_type, bytes: serde_json::to_vec(&v).unwrap() }),
    ]
}

/// Whether `body` has the API.md error shape.
fn error_shape(body: &Value) -> Result<(), String> {
    let e = &body["error"];
    let text = |k: &str| e[k].as_str().is_some_and(|s| !s.is_empty());
    if !(text("code") && text("message") && text("message_en")) {
        return Err(format!("no error code/message/message_en in {body}"));
    }
    let code = e["code"].as_str().unwrap();
    if !code
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(format!("error code {code:?} is not snake_case"));
    }
    if let Some(fields) = e.get("fields") {
        let ok = fields.as_array().is_some_and(|fs| {
            fs.iter().all(|f| {
                f["field"].is_string() && f["code"].as_str().is_some_and(|c| !c.is_empty())
            })
        });
        if !ok {
            return Err(format!("bad fields in {body}"));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_submission_api_survives_arbitrary_bodies() {
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.public_burst = 1_000_000;
        c.public_per_hour = 1_000_000;
    })
    .await
    else {
        return;
    };
    let path = "/api/v1/forms/sipas-dich-vu/responses";
    let mut runner = TestRunner::new_with_rng(
        RunnerConfig::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed()),
    );
    let strategy = body();
    let mut failures = Vec::new();
    for case in 0..proptest_cases(60) {
        let body = strategy.new_tree(&mut runner).unwrap().current();
        let before = app.counts();
        let mut request = app.client.post(app.url(path)).body(body.bytes.clone());
        if !body.content_type.is_empty() {
            request = request.header(reqwest::header::CONTENT_TYPE, body.content_type);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let after = app.counts();
        let shown = String::from_utf8_lossy(&body.bytes);
        let shown: String = shown.chars().take(300).collect();
        let problem = if status >= 500 {
            Some(format!("status {status}: {text}"))
        } else if (400..500).contains(&status) {
            match serde_json::from_str::<Value>(&text) {
                Err(e) => Some(format!(
                    "{status} with a body that is not JSON ({e}): {text}"
                )),
                Ok(v) => error_shape(&v)
                    .err()
                    .map(|e| format!("{status}: {e}"))
                    .or_else(|| {
                        (after != before)
                            .then(|| format!("{status} but stored: {before:?} → {after:?}"))
                    }),
            }
        } else if status == 201 {
            (after.0 != before.0 + 1).then(|| format!("201 but {before:?} → {after:?}"))
        } else if status == 200 {
            (after != before).then(|| format!("200 (a repeat) but {before:?} → {after:?}"))
        } else {
            Some(format!("unexpected status {status}: {text}"))
        };
        if let Some(problem) = problem {
            failures.push(format!(
                "case {case}: {} {} bytes {shown:?}…: {problem}",
                body.content_type,
                body.bytes.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A random seed per run (printed, so that a failure can be repeated with `FUZZ_SEED`).
fn seed() -> [u8; 32] {
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand_seed);
    eprintln!("FUZZ_SEED={seed}");
    let mut out = [0u8; 32];
    out[..8].copy_from_slice(&seed.to_le_bytes());
    out
}

fn rand_seed() -> u64 {
    let id = uuid::Uuid::new_v4();
    u64::from_le_bytes(id.as_bytes()[..8].try_into().unwrap())
}
