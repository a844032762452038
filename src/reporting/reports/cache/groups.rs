//! The grouping of a report's selected rows, from the cache's columns (`Columns::select`).

use std::collections::HashMap;

use super::Columns;
use crate::forms::packed::Slot;
use crate::reporting::analytics::Grouping;
use crate::reporting::reports::load::Scope;
use crate::reporting::reports::query::{GroupBy, ReportQuery};
use crate::reporting::reports::ReportError;

impl Columns {
    /// The grouping of the rows kept by `mask` that `query` asks for; `None` when ungrouped.
    pub(super) fn grouping(
        &self,
        query: &ReportQuery,
        scope: &Scope,
        mask: &[bool],
    ) -> Result<Option<Grouping>, ReportError> {
        let rows = || (0..mask.len()).filter(|&r| mask[r]);
        Ok(Some(match &query.group_by {
            None => return Ok(None),
            Some(GroupBy::Unit) => {
                let child_of = scope.tree.child_of(query.unit.as_deref());
                let place = scope.placement();
                let keys: Vec<Option<&str>> = self
                    .units
                    .names
                    .iter()
                    .map(|stored| {
                        let placed = place
                            .and_then(|p| p.get(stored))
                            .map_or(stored.as_str(), String::as_str);
                        child_of.get(placed).map(String::as_str)
                    })
                    .collect();
                grouping(rows(), |r| self.unit[r] as usize, &keys)
            }
            Some(GroupBy::Period(kind)) => {
                let first = rows().map(|r| self.month[r]).min().unwrap_or(0);
                let last = rows().map(|r| self.month[r]).max().unwrap_or(0);
                let names: Vec<String> = (first..=last)
                    .map(|m| kind.key(m.div_euclid(12), m.rem_euclid(12) + 1))
                    .collect();
                let keys: Vec<Option<&str>> = names.iter().map(|k| Some(k.as_str())).collect();
                grouping(rows(), |r| (self.month[r] - first) as usize, &keys)
            }
            Some(GroupBy::Channel) => {
                let keys: Vec<Option<&str>> = self
                    .channels
                    .names
                    .iter()
                    .map(|c| Some(c.as_str()))
                    .collect();
                grouping(rows(), |r| self.channel[r] as usize, &keys)
            }
            Some(GroupBy::Question(code)) => {
                let (column, keys) = self.choice_keys(code)?;
                grouping(
                    rows(),
                    |r| usize::from(column[r]).min(keys.len() - 1),
                    &keys,
                )
            }
        }))
    }

    /// The column of the choice question `code` and the key of each of its bytes; an error
    /// when `code` is not a choice question of the form.
    fn choice_keys(&self, code: &str) -> Result<(&[u8], Vec<Option<&str>>), ReportError> {
        let choice = self.layout.position(code).and_then(|p| {
            let i = self.choice_slots.iter().position(|&s| s == p)?;
            match self.layout.slot(p) {
                Some(Slot::Choice(options)) => Some((i, options)),
                _ => None,
            }
        });
        let Some((i, options)) = choice else {
            return Err(ReportError::bad_query(
                format!("không nhóm được theo {code}: đây không phải câu hỏi lựa chọn của phiếu"),
                format!("cannot group by {code}: not a choice question of the form"),
            ));
        };
        // Byte 0 is "not answered", byte k the k-th option.
        let keys: Vec<Option<&str>> = std::iter::once(None)
            .chain(options.iter().map(|o| Some(o.as_str())))
            .collect();
        Ok((&self.choices[i], keys))
    }
}

/// The grouping of `rows`: each row is in a class (`class_of`), each class has a key (`keys`,
/// by class); classes with the same key are one group.
fn grouping(
    rows: impl Iterator<Item = usize>,
    class_of: impl Fn(usize) -> usize,
    keys: &[Option<&str>],
) -> Grouping {
    let mut ids: HashMap<Option<&str>, u32> = HashMap::new();
    let mut names: Vec<Option<String>> = Vec::new();
    let group_of: Vec<u32> = keys
        .iter()
        .map(|&key| {
            *ids.entry(key).or_insert_with(|| {
                names.push(key.map(str::to_string));
                (names.len() - 1) as u32
            })
        })
        .collect();
    Grouping {
        ids: rows.map(|r| group_of[class_of(r)]).collect(),
        keys: names,
    }
}
