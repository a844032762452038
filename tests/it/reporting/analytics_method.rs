//! METHOD.md §8, computed through the analytics module on a real frame.

use crate::common::*;
use sipas::forms::Form;
use sipas::reporting::analytics::{compute, FrameBuilder, ResponseFields};

fn frame(form: &Form, rows: &[&[(&str, i32)]]) -> polars::prelude::DataFrame {
    let mut b = FrameBuilder::new(form, rows.len());
    for (k, answers) in rows.iter().enumerate() {
        let id = format!("r{k}");
        let row = b.push_response(ResponseFields {
            id: &id,
            unit: "phuoc-son",
            channel: "kiosk",
            submitted_at_micros: 0,
            local_year: 2024,
            local_month: 1,
            weight: 1.0,
        });
        for (code, v) in answers.iter() {
            b.set_answer(row, code, Some(*v), None);
        }
    }
    b.finish().unwrap()
}

#[test]
fn worked_example_of_method_section_8() {
    let form = service_form();
    let df = frame(
        &form,
        &[
            &[("TC1", 5), ("TC2", 4)],
            &[("TC1", 3)],
            &[("TC1", 4), ("TC2", 2)],
        ],
    );
    let groups = compute(&df, &form).unwrap();
    assert_eq!(groups.len(), 1);
    let g = &groups[0];
    assert_eq!(g.responses, 3);
    let element = &g.parts[0].elements[0];
    assert_eq!(element.code, "tiep_can");
    let a = &element.items[0];
    let b = &element.items[1];
    assert!((a.estimate.value.unwrap() - 200.0 / 3.0).abs() < 1e-9);
    assert!((b.estimate.value.unwrap() - 50.0).abs() < 1e-9);
    assert!((element.estimate.value.unwrap() - 58.333333333).abs() < 1e-6);
    assert!((a.mean_score.unwrap() - 4.0).abs() < 1e-12);
    assert_eq!(a.stats.distribution, [0, 0, 1, 1, 1]);
    // Only tiep_can has answers: the part and the form index equal it.
    assert!((g.index.value.unwrap() - 58.333333333).abs() < 1e-6);
    let (low, high) = g.index.ci95.unwrap();
    assert!(low <= 58.34 && high >= 58.33, "{low}..{high}");
    // Elements nobody answered have no index.
    assert_eq!(g.parts[0].elements[1].estimate.value, None);
    eprintln!("{:#?}", g.index);
}
