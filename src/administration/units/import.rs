//! A whole tree to import, from CSV or JSON, turned into a [`Change`] (checked and applied by
//! `admin`).
//!
//! CSV: UTF-8 (a BOM is allowed), a header row naming the columns `code,name,level,parent,
//! valid_from,valid_to` in any order, and optionally `replaces`: old unit codes separated by `;`
//! that this unit takes over from its `valid_from` (a mapping each). Empty `parent`/`valid_to`
//! mean none; dates are `YYYY-MM-DD`. Units are numbered from 0 in the order of the rows
//! (`units[3]` is the fourth data row, line 5 of the file); messages give the line.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::admin::{Change, MappingChange, Plan, UnitChange};
use super::{Mapping, UnitSpec};
use crate::domain::FieldError;

/// `POST /api/v1/units/import` as JSON.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// Units to create or update (matched by code). Units not listed stay as they are.
    #[serde(default)]
    pub units: Vec<UnitSpec>,
    /// Old → new mappings to add.
    #[serde(default)]
    pub mappings: Vec<Mapping>,
}

impl ImportRequest {
    pub fn into_change(self) -> Change {
        Change {
            units: self
                .units
                .into_iter()
                .enumerate()
                .map(|(i, spec)| UnitChange {
                    label: format!("units[{i}]"),
                    line: None,
                    spec,
                    population: None,
                })
                .collect(),
            mappings: self
                .mappings
                .into_iter()
                .enumerate()
                .map(|(i, mapping)| MappingChange {
                    label: format!("mappings[{i}]"),
                    line: None,
                    mapping,
                })
                .collect(),
        }
    }
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    /// Codes of the units created.
    pub created: Vec<String>,
    /// Codes of the units changed (name, level, parent or validity).
    pub updated: Vec<String>,
    /// How many listed units were already exactly so.
    pub unchanged: usize,
    pub mappings_created: Vec<Mapping>,
    /// How many listed mappings were stored already.
    pub mappings_unchanged: usize,
}

impl From<&Plan> for ImportOut {
    fn from(plan: &Plan) -> Self {
        ImportOut {
            created: plan.created.iter().map(|r| r.code.clone()).collect(),
            updated: plan.updated.iter().map(|(_, a)| a.code.clone()).collect(),
            unchanged: plan.unchanged.len(),
            mappings_created: plan.mappings_created.clone(),
            mappings_unchanged: plan.mappings_unchanged,
        }
    }
}

/// The columns a CSV file must have.
pub const CSV_COLUMNS: &[&str] = &["code", "name", "level", "parent", "valid_from", "valid_to"];
/// The optional column of old units taken over.
pub const CSV_REPLACES: &str = "replaces";

fn error(
    field: &str,
    line: Option<usize>,
    code: &'static str,
    vi: String,
    en: String,
) -> FieldError {
    match line {
        Some(n) => FieldError::new(
            field,
            code,
            format!("Dòng {n}: {vi}"),
            format!("Line {n}: {en}"),
        ),
        None => FieldError::new(field, code, vi, en),
    }
}

fn date(text: &str, field: &str, line: usize, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| {
            errors.push(error(
                field,
                Some(line),
                "invalid_date",
                format!("\"{text}\" không phải ngày dạng YYYY-MM-DD."),
                format!("\"{text}\" is not a date YYYY-MM-DD."),
            ))
        })
        .ok()
}

/// Parses a CSV tree; every problem of form (header, row length, dates) at once.
pub fn parse_csv(bytes: &[u8]) -> Result<Change, Vec<FieldError>> {
    let text = decode(bytes)?;
    let records = records(text).map_err(|line| {
        vec![error(
            "file",
            Some(line),
            "bad_csv",
            "dấu ngoặc kép mở ở dòng này không được đóng.".into(),
            "a quote opened on this line is never closed.".into(),
        )]
    })?;
    let mut rows = records.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(vec![error(
            "file",
            None,
            "required",
            "Tệp CSV trống.".into(),
            "The CSV file is empty.".into(),
        )]);
    };
    let header: Vec<String> = header.iter().map(|c| c.to_ascii_lowercase()).collect();
    let mut errors = check_header(&header);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut change = Change::default();
    let mut index = 0;
    for (line, record) in rows {
        if record.iter().all(String::is_empty) {
            continue;
        }
        let label = format!("units[{index}]");
        index += 1;
        parse_row(&header, label, line, &record, &mut change, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(change)
}

/// The text of a CSV file: UTF-8, without its BOM.
fn decode(bytes: &[u8]) -> Result<&str, Vec<FieldError>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![error(
            "file",
            None,
            "not_utf8",
            "Tệp CSV phải mã hoá UTF-8.".into(),
            "The CSV file must be UTF-8.".into(),
        )]);
    };
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The problems of a header row (lower-cased): missing, unknown and repeated columns.
fn check_header(header: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for name in CSV_COLUMNS {
        if !header.iter().any(|h| h == name) {
            errors.push(error(
                "header",
                Some(1),
                "missing_column",
                format!("thiếu cột \"{name}\" (cần {}).", CSV_COLUMNS.join(",")),
                format!(
                    "the column \"{name}\" is missing (needed: {}).",
                    CSV_COLUMNS.join(",")
                ),
            ));
        }
    }
    for (i, h) in header.iter().enumerate() {
        if !CSV_COLUMNS.contains(&h.as_str()) && h != CSV_REPLACES {
            errors.push(error(
                "header",
                Some(1),
                "unknown_column",
                format!(
                    "cột \"{h}\" không dùng được (chỉ {} và {CSV_REPLACES}).",
                    CSV_COLUMNS.join(",")
                ),
                format!(
                    "the column \"{h}\" is unknown (only {} and {CSV_REPLACES}).",
                    CSV_COLUMNS.join(",")
                ),
            ));
        } else if header[..i].contains(h) {
            errors.push(error(
                "header",
                Some(1),
                "duplicate_column",
                format!("cột \"{h}\" có hai lần."),
                format!("the column \"{h}\" appears twice."),
            ));
        }
    }
    errors
}

/// One data row (`units[i]`, on `line`) of a file whose header is checked: its unit and the
/// mappings of its `replaces` cell into `change`, or its problems into `errors`.
fn parse_row(
    header: &[String],
    label: String,
    line: usize,
    record: &[String],
    change: &mut Change,
    errors: &mut Vec<FieldError>,
) {
    if record.len() != header.len() {
        errors.push(error(
            &label,
            Some(line),
            "bad_row",
            format!("cần {} giá trị, có {}.", header.len(), record.len()),
            format!("{} values expected, {} found.", header.len(), record.len()),
        ));
        return;
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let get = |name: &str| {
        record
            .get(column(name).unwrap_or_default())
            .map_or("", String::as_str)
    };
    let code = get("code").to_string();
    let Some((valid_from, valid_to)) = validity(&get, &label, line, &code, errors) else {
        return;
    };
    if column(CSV_REPLACES).is_some() {
        for old in get(CSV_REPLACES)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            change.mappings.push(MappingChange {
                label: format!("{label}.replaces"),
                line: Some(line),
                mapping: Mapping {
                    old: old.to_string(),
                    new: code.clone(),
                    effective: valid_from,
                },
            });
        }
    }
    change.units.push(UnitChange {
        label,
        line: Some(line),
        spec: UnitSpec {
            code,
            name: get("name").to_string(),
            level: get("level").to_string(),
            parent: Some(get("parent").to_string()).filter(|p| !p.is_empty()),
            valid_from,
            valid_to,
        },
        population: None,
    });
}

/// A row's `valid_from` (required) and `valid_to` (empty: none), or `None` (errors added).
fn validity<'r>(
    get: &impl Fn(&str) -> &'r str,
    label: &str,
    line: usize,
    code: &str,
    errors: &mut Vec<FieldError>,
) -> Option<(NaiveDate, Option<NaiveDate>)> {
    let valid_from = if get("valid_from").is_empty() {
        errors.push(error(
            &format!("{label}.valid_from"),
            Some(line),
            "required",
            format!("{code}: cần ngày bắt đầu (valid_from)."),
            format!("{code}: valid_from is required."),
        ));
        None
    } else {
        date(
            get("valid_from"),
            &format!("{label}.valid_from"),
            line,
            errors,
        )
    };
    let valid_to = match get("valid_to") {
        "" => Some(None),
        text => date(text, &format!("{label}.valid_to"), line, errors).map(Some),
    };
    valid_from.zip(valid_to)
}

/// The records of a CSV text (RFC 4180: `,` between fields, `"` around fields that hold `,`,
/// `"` (doubled) or line breaks; LF or CRLF), each with the line it begins on and its fields
/// trimmed. `Err(line)`: a quote opened on that line is never closed.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, usize> {
    let mut out = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1, 1);
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            }
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            '\n' if quoted => {
                line += 1;
                field.push('\n');
            }
            ',' if !quoted => fields.push(std::mem::take(&mut field).trim().to_string()),
            '\r' if !quoted && chars.peek() == Some(&'\n') => {}
            '\n' if !quoted => {
                fields.push(std::mem::take(&mut field).trim().to_string());
                out.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            other => field.push(other),
        }
    }
    if quoted {
        return Err(start);
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field.trim().to_string());
        out.push((start, fields));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_tree_with_replaces() {
        let csv = "\u{feff}code,name,level,parent,valid_from,valid_to,replaces\n\
            binh-dinh,Tỉnh Bình Định,tinh,,2000-01-01,,\n\
            \n\
            moi,\"Xã Mới, Tuy Phước\",xa,binh-dinh,2025-07-01,,a; b\n";
        let change = parse_csv(csv.as_bytes()).expect("parses");
        assert_eq!(change.units.len(), 2);
        assert_eq!(change.units[1].label, "units[1]");
        assert_eq!(change.units[1].line, Some(4));
        assert_eq!(change.units[1].spec.name, "Xã Mới, Tuy Phước");
        assert_eq!(change.units[0].spec.parent, None);
        let olds: Vec<&str> = change
            .mappings
            .iter()
            .map(|m| m.mapping.old.as_str())
            .collect();
        assert_eq!(olds, ["a", "b"]);
        assert_eq!(change.mappings[0].label, "units[1].replaces");
    }

    #[test]
    fn every_row_problem_is_listed() {
        let csv = "code,name,level,parent,valid_from,valid_to\n\
            a,A,xa,,2025-13-01,\n\
            b,B,xa\n\
            c,C,xa,,,tomorrow\n";
        let errors = parse_csv(csv.as_bytes()).unwrap_err();
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("units[0].valid_from", "invalid_date"),
                ("units[1]", "bad_row"),
                ("units[2].valid_from", "required"),
                ("units[2].valid_to", "invalid_date"),
            ]
        );
        assert!(
            errors[1].message_en.starts_with("Line 3:"),
            "{:?}",
            errors[1]
        );
    }

    #[test]
    fn quoted_fields() {
        let r = records("a,\"b, \"\"c\"\"\",d\r\n\"x\ny\",z\n").unwrap();
        assert_eq!(
            r,
            [
                (1, vec!["a".into(), "b, \"c\"".into(), "d".into()]),
                (2, vec!["x\ny".into(), "z".into()]),
            ]
        );
        assert_eq!(records("a\n\"b,c\n"), Err(2));
    }

    #[test]
    fn a_header_without_the_columns_is_refused() {
        let errors = parse_csv(b"code,name,kind\n").unwrap_err();
        let got: Vec<&str> = errors.iter().map(|e| e.code).collect();
        assert!(
            got.contains(&"missing_column") && got.contains(&"unknown_column"),
            "{got:?}"
        );
    }
}
