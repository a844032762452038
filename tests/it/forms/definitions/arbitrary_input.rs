//! `validate_answers` on arbitrary input.

use super::*;

// ---------------------------------------------------------------------------------------------
// validate_answers on arbitrary input
// ---------------------------------------------------------------------------------------------

static SERVICE: LazyLock<Form> = LazyLock::new(|| {
    parse_form(&service_path(), &shipped_toml("sipas-dich-vu")).expect("service form")
});

fn service_codes() -> Vec<String> {
    SERVICE
        .all_questions()
        .iter()
        .map(|q| q.code.to_string())
        .collect()
}

fn item_codes() -> Vec<String> {
    SERVICE_ELEMENTS
        .iter()
        .flat_map(|(_, items)| items.iter().map(|c| c.to_string()))
        .collect()
}

fn json_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..10).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (0.0f64..6.0)
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "co",
            "khong",
            "nu",
            "nam",
            "khac",
            "kinh",
            "dat_dai",
            "18_24",
            "",
            " ",
            "4",
            "5",
            " 5",
            "4.0",
            "Rất hài lòng",
        ])
        .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
        prop::collection::vec(any::<char>(), 1990..2010)
            .prop_map(|chars| Value::from(chars.into_iter().collect::<String>())),
    ]
}

fn channel() -> impl Strategy<Value = Channel> {
    prop::sample::select(Channel::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn validate_answers_never_panics_and_accepts_only_scores_1_to_5(
        answers in prop::collection::btree_map(prop::sample::select(service_codes()), json_scalar(), 0..30),
        channel in channel(),
    ) {
        let map: Map<String, Value> = answers.clone().into_iter().collect();
        let outcome = validate_answers(&SERVICE, channel, &map);
        match outcome {
            Ok(valid) => {
                for code in item_codes() {
                    if let Some(value) = valid.get(&code) {
                        let AnswerValue::Score(score) = value else {
                            panic!("{code} accepted as {value:?}, not a score");
                        };
                        prop_assert!((1..=5).contains(&score.get()), "{code} = {score:?}");
                        prop_assert_eq!(answers[&code].as_i64(), Some(i64::from(score.get())),
                            "{} accepted from {}", code, answers[&code]);
                    }
                }
                for (code, value) in &valid {
                    prop_assert!(answers.contains_key(code), "{} appeared from nowhere", code);
                    if code.starts_with("PA") {
                        prop_assert_eq!(valid.get("da_pakn"), Some(&AnswerValue::Choice("co".into())),
                            "{} accepted without da_pakn = co", code);
                    }
                    if code.starts_with("KV") {
                        prop_assert!(matches!(value, AnswerValue::Expectation(e) if (1..=3).contains(&e.get())));
                    }
                    if code == "y_kien" {
                        let AnswerValue::Text(text) = value else { panic!("y_kien as {value:?}") };
                        prop_assert!(text.chars().count() <= 2000);
                    }
                }
                // Accepted means every required question of the channel was answered.
                prop_assert!(valid.contains_key("da_pakn"));
                if matches!(channel, Channel::Kiosk | Channel::Phone) {
                    for code in SERVICE_ELEMENTS[..4].iter().flat_map(|(_, items)| items.iter()) {
                        prop_assert!(valid.contains_key(*code), "required {} missing", code);
                    }
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert!(service_codes().contains(&e.field), "error on unknown field {}", e.field);
                    prop_assert!(!e.message.is_empty() && !e.message_en.is_empty());
                }
            }
        }
    }

    #[test]
    fn validate_answers_accepts_every_complete_phone_answer(
        scores in prop::collection::vec(1i64..=5, 16),
        pakn in prop::option::of(prop::collection::vec(1i64..=5, 3)),
    ) {
        let mut map = Map::new();
        let codes = item_codes();
        for (code, score) in codes.iter().take(16).zip(&scores) {
            map.insert(code.clone(), Value::from(*score));
        }
        match &pakn {
            Some(pa) => {
                map.insert("da_pakn".into(), Value::from("co"));
                for (code, score) in codes[16..].iter().zip(pa) {
                    map.insert(code.clone(), Value::from(*score));
                }
            }
            None => {
                map.insert("da_pakn".into(), Value::from("khong"));
            }
        }
        let valid = validate_answers(&SERVICE, Channel::Phone, &map)
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(valid.len(), map.len());
        for (code, value) in &map {
            if let Some(n) = value.as_i64() {
                prop_assert_eq!(valid[code].number(), Some(n as i32));
            }
        }
    }
}
