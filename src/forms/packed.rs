//! The compact copy of a response's answers that reports read (`responses.packed`).
//!
//! One byte per rated item, expectation and choice question of the form, in the order of the
//! form's [`Layout`]: the rating (1–5, expectations 1–3), or the chosen option's position + 1, and
//! 0 for "not answered". Comments are not in it (reports never read them). The blob starts with a
//! header, `b'P'`, a format version and the layout's 32-bit fingerprint, so a blob written under
//! another version of the form (other questions, other order, other options) is recognised and not
//! misread: its answers are then taken from the `answers` rows, which stay the record.
//!
//! A million responses of the service form take ~32 MB this way, against ~25 million rows of
//! `answers`.

use std::collections::HashMap;

use super::{Form, QuestionKind};

const MAGIC: u8 = b'P';
const FORMAT: u8 = 1;
const HEADER: usize = 6;

/// What one byte of the blob holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A rating or expectation: the value itself, 1..=`top`.
    Rating { top: u8 },
    /// A choice: the option's position + 1 in this list of option codes.
    Choice(Vec<String>),
}

/// The questions of a form that the compact copy holds, in blob order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    codes: Vec<String>,
    slots: Vec<Slot>,
    index: HashMap<String, usize>,
    fingerprint: u32,
}

impl Layout {
    /// The layout of `form`: choice questions, items (part by part), expectations.
    pub fn of(form: &Form) -> Layout {
        let mut codes = Vec::new();
        let mut slots = Vec::new();
        for q in form.all_questions() {
            let slot = match q.kind {
                QuestionKind::Item(_) => Slot::Rating { top: 5 },
                QuestionKind::Expectation(_) => Slot::Rating { top: 3 },
                QuestionKind::Choice(c) if c.options.len() < usize::from(u8::MAX) => {
                    Slot::Choice(c.options.iter().map(|o| o.code.clone()).collect())
                }
                QuestionKind::Choice(_) | QuestionKind::Comment(_) => continue,
            };
            codes.push(q.code.to_string());
            slots.push(slot);
        }
        let fingerprint = fingerprint(&codes, &slots);
        let index = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        Layout {
            codes,
            slots,
            index,
            fingerprint,
        }
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub fn fingerprint(&self) -> u32 {
        self.fingerprint
    }

    /// `(code, slot)` in blob order.
    pub fn slots(&self) -> impl Iterator<Item = (&str, &Slot)> {
        self.codes.iter().map(String::as_str).zip(&self.slots)
    }

    /// The code of the question at `position`.
    pub fn code(&self, position: usize) -> Option<&str> {
        self.codes.get(position).map(String::as_str)
    }

    /// What the byte at `position` holds.
    pub fn slot(&self, position: usize) -> Option<&Slot> {
        self.slots.get(position)
    }

    /// The byte of one answer at `position` (0 for a value the slot cannot hold).
    pub fn encode(&self, position: usize, number: Option<i32>, text: Option<&str>) -> u8 {
        self.slots
            .get(position)
            .map_or(0, |slot| encode(slot, number, text))
    }

    /// The position of a question in the blob.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    /// The blob of one response's answers (`(code, number, text)`, as stored in `answers`).
    /// Answers the layout does not hold (comments, unknown codes, values out of range) are left
    /// out, exactly as the answers frame leaves them out.
    pub fn pack<'a>(
        &self,
        answers: impl IntoIterator<Item = (&'a str, Option<i32>, Option<&'a str>)>,
    ) -> Vec<u8> {
        let mut blob = Vec::with_capacity(HEADER + self.len());
        blob.push(MAGIC);
        blob.push(FORMAT);
        blob.extend_from_slice(&self.fingerprint.to_le_bytes());
        blob.resize(HEADER + self.len(), 0);
        for (code, number, text) in answers {
            let Some(i) = self.position(code) else {
                continue;
            };
            blob[HEADER + i] = encode(&self.slots[i], number, text);
        }
        blob
    }

    /// The answer bytes of a blob written under this layout; `None` for any other blob.
    pub fn unpack<'a>(&self, blob: &'a [u8]) -> Option<&'a [u8]> {
        let (header, body) = blob.split_at_checked(HEADER)?;
        let matches = header[0] == MAGIC
            && header[1] == FORMAT
            && header[2..] == self.fingerprint.to_le_bytes()
            && body.len() == self.len();
        matches.then_some(body)
    }
}

fn encode(slot: &Slot, number: Option<i32>, text: Option<&str>) -> u8 {
    match slot {
        Slot::Rating { top } => number
            .and_then(|n| u8::try_from(n).ok())
            .filter(|n| (1..=*top).contains(n))
            .unwrap_or(0),
        Slot::Choice(options) => text
            .and_then(|t| options.iter().position(|o| o == t))
            .and_then(|i| u8::try_from(i + 1).ok())
            .unwrap_or(0),
    }
}

/// FNV-1a over the codes, kinds and option codes: any change to them changes the fingerprint
/// (barring a 1-in-4-billion collision).
fn fingerprint(codes: &[String], slots: &[Slot]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes.iter().chain(std::iter::once(&0xff)) {
            hash ^= u32::from(b);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    };
    for (code, slot) in codes.iter().zip(slots) {
        eat(code.as_bytes());
        match slot {
            Slot::Rating { top } => eat(&[b'r', *top]),
            Slot::Choice(options) => {
                eat(b"c");
                options.iter().for_each(|o| eat(o.as_bytes()));
            }
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("survey-forms/sipas-dich-vu.toml");
        let source = std::fs::read_to_string(&path).unwrap();
        crate::forms::parse_form(&path, &source).unwrap()
    }

    #[test]
    fn packs_ratings_and_choices_and_leaves_out_the_rest() {
        let form = form();
        let layout = Layout::of(&form);
        let item = &form.parts[0].elements[0].items[0].code;
        let choice = &form.questions[0];
        let option = &choice.options[1].code;
        let comment = &form.comments[0].code;
        let blob = layout.pack([
            (item.as_str(), Some(4), None),
            (choice.code.as_str(), None, Some(option.as_str())),
            (comment.as_str(), None, Some("góp ý")),
            ("no_such_code", Some(3), None),
        ]);
        let body = layout.unpack(&blob).unwrap();
        assert_eq!(body.len(), layout.len());
        assert_eq!(body[layout.position(item).unwrap()], 4);
        assert_eq!(body[layout.position(&choice.code).unwrap()], 2);
        assert_eq!(layout.position(comment), None);
        assert_eq!(body.iter().filter(|&&b| b != 0).count(), 2);
    }

    #[test]
    fn out_of_range_values_are_not_answers() {
        let form = form();
        let layout = Layout::of(&form);
        let item = &form.parts[0].elements[0].items[0].code;
        let expectation = &form.expectations[0].code;
        let blob = layout.pack([
            (item.as_str(), Some(6), None),
            (expectation.as_str(), Some(4), None),
        ]);
        assert!(layout.unpack(&blob).unwrap().iter().all(|&b| b == 0));
    }

    #[test]
    fn a_blob_of_another_layout_is_not_read() {
        let form = form();
        let layout = Layout::of(&form);
        let blob = layout.pack([]);
        let mut changed = form.clone();
        changed.questions[0].options.reverse();
        let other = Layout::of(&changed);
        assert_ne!(other.fingerprint(), layout.fingerprint());
        assert!(other.unpack(&blob).is_none());
        assert!(layout.unpack(&blob[..blob.len() - 1]).is_none());
        assert!(layout.unpack(b"P").is_none());
    }
}
