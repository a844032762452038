//! The properties over mutated shipped files.

use super::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: proptest_cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    /// Random mutations: never a panic, `file:line: message` refusals, sound acceptances.
    #[test]
    fn mutated_forms_never_panic_and_report_file_line_message(
        file in 0usize..3,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let (path, text) = &SHIPPED[file];
        let mut bytes = text.as_bytes().to_vec();
        for m in &mutations {
            bytes = apply(&bytes, m);
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = check_outcome(path, &text) {
            prop_assert!(false, "{}: {}\n--- mutated text (first 2000 chars) ---\n{}",
                path.display(), e, text.chars().take(2000).collect::<String>());
        }
    }

    /// Mutations that change nothing that matters: the form loads, with the same codes.
    #[test]
    fn harmless_mutations_still_load(
        file in 0usize..3,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, "\\PC{0,40}"), 1..6),
    ) {
        let (path, text) = &SHIPPED[file];
        let original = parse_form(path, text).expect("the shipped form loads");
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        for (i, kind, s) in &edits {
            match kind {
                // A comment or a blank line between any two lines.
                0 => lines.insert(i.index(lines.len() + 1), format!("# {s}")),
                1 => lines.insert(i.index(lines.len() + 1), String::new()),
                // Another text for a label (as a TOML basic string).
                2 => {
                    let labels: Vec<usize> = (0..lines.len())
                        .filter(|&n| lines[n].starts_with("label = ") || lines[n].starts_with("label_en = "))
                        .collect();
                    let n = labels[i.index(labels.len())];
                    let key = lines[n].split(" = ").next().unwrap().to_string();
                    lines[n] = format!("{key} = {}", toml::Value::String(s.clone()));
                }
                // Optional lines removed.
                _ => {
                    let optional: Vec<usize> = (0..lines.len())
                        .filter(|&n| ["label_en = ", "title_en = ", "intro = ", "intro_en = "]
                            .iter().any(|k| lines[n].starts_with(k)))
                        .collect();
                    if !optional.is_empty() {
                        lines.remove(optional[i.index(optional.len())]);
                    }
                }
            }
        }
        let mutated = lines.join("\n") + "\n";
        match parse_form(path, &mutated) {
            Ok(form) => {
                let codes = |f: &Form| f.all_questions().iter().map(|q| q.code.to_string()).collect::<Vec<_>>();
                prop_assert_eq!(codes(&form), codes(&original));
                prop_assert_eq!(form.channels, original.channels);
            }
            Err(e) => prop_assert!(false, "{}: harmless edits {:?} refused: {}", path.display(), edits, e),
        }
    }
}
