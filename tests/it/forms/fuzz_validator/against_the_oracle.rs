//! (a) The validator against the oracle.

use super::*;

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
