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

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use crate::common::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use sipas::domain::Channel;
use sipas::forms::model::ShowIf;
use sipas::forms::{load_dir, validate_answers, AnswerValue, Form};
use unicode_normalization::UnicodeNormalization;

mod against_the_oracle;
mod json_api;

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
