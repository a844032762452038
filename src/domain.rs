//! Parsed domain values shared by every layer. Each newtype is valid by construction:
//! if you hold a `Score`, it is 1–5; if you hold a `Channel`, it is one of the four channels.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// NFC-normalises free text and removes surrounding white space (answers, labels, names).
pub fn normalize_text(s: &str) -> String {
    s.nfc().collect::<String>().trim().to_string()
}

/// A satisfaction rating on the SIPAS 5-level scale (docs/method.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Score(u8);

impl Score {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;

    pub fn new(value: i64) -> Option<Self> {
        (i64::from(Self::MIN)..=i64::from(Self::MAX))
            .contains(&value)
            .then_some(Score(value as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// docs/method.md §4: "satisfied" means 4 or 5.
    pub fn is_satisfied(self) -> bool {
        self.0 >= 4
    }
}

/// An answer on the 3-level expectation scale (1 Ít, 2 Nhiều, 3 Rất nhiều).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ExpectationLevel(u8);

impl ExpectationLevel {
    pub fn new(value: i64) -> Option<Self> {
        (1..=3)
            .contains(&value)
            .then_some(ExpectationLevel(value as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// How a response reached the service.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Kiosk,
    Phone,
    Web,
    Paper,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Kiosk, Channel::Phone, Channel::Web, Channel::Paper];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Kiosk => "kiosk",
            Channel::Phone => "phone",
            Channel::Web => "web",
            Channel::Paper => "paper",
        }
    }
}

impl FromStr for Channel {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s).ok_or(())
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `s` has the shape of a unit code: 1–64 lowercase ASCII letters, digits or `-`.
/// Text of any other shape cannot name a unit and is never sent to the database.
pub fn is_unit_code(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A staff role. Citizens have no account and no role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Analyst,
    Clerk,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Analyst, Role::Clerk];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Clerk => "clerk",
        }
    }
}

impl FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or(())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A response's identifier: a UUID (v7, so ids sort by creation time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResponseId(pub uuid::Uuid);

impl ResponseId {
    pub fn new() -> Self {
        ResponseId(uuid::Uuid::now_v7())
    }
}

impl Default for ResponseId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for ResponseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A user's identifier (UUID v4, stored as text).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct UserId(pub String);

/// A paper sheet's number: the unit's code and a serial (per unit, from 1), written
/// `<unit>-<serial as 6 digits or more>`, e.g. `phuoc-son-000123`. Printed on the sheet as text
/// and in its QR code (a USB scanner types it), typed or scanned at `/entry`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SheetNumber {
    pub unit: String,
    pub serial: u64,
}

impl SheetNumber {
    /// The response's `client_id` of a sheet: a sheet is stored once.
    pub fn client_id(&self) -> String {
        format!("paper:{self}")
    }
}

impl fmt::Display for SheetNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:06}", self.unit, self.serial)
    }
}

impl FromStr for SheetNumber {
    type Err = ();

    /// Accepts surrounding spaces and any case of the unit code (scanners, caps lock); the serial
    /// is the digits after the last `-`, at least one, not all zeros.
    fn from_str(text: &str) -> Result<Self, ()> {
        let text = text.trim();
        let (unit, serial) = text.rsplit_once('-').ok_or(())?;
        if unit.is_empty() || serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        let serial: u64 = serial.parse().map_err(|_| ())?;
        if serial == 0 {
            return Err(());
        }
        Ok(SheetNumber {
            unit: unit.to_lowercase(),
            serial,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_numbers_round_trip() {
        let n: SheetNumber = " Phuoc-Son-000123 ".parse().unwrap();
        assert_eq!(n.unit, "phuoc-son");
        assert_eq!(n.serial, 123);
        assert_eq!(n.to_string(), "phuoc-son-000123");
        assert_eq!(n.client_id(), "paper:phuoc-son-000123");
        assert_eq!(
            "x-1234567".parse::<SheetNumber>().unwrap().to_string(),
            "x-1234567"
        );
        for bad in [
            "",
            "123",
            "-12",
            "phuoc-son-",
            "phuoc-son-0",
            "phuoc-son-12a",
        ] {
            assert!(bad.parse::<SheetNumber>().is_err(), "{bad}");
        }
    }

    #[test]
    fn score_accepts_only_one_to_five() {
        assert_eq!(Score::new(0), None);
        assert_eq!(Score::new(6), None);
        assert_eq!(Score::new(-1), None);
        assert_eq!(Score::new(3).map(Score::get), Some(3));
        assert!(Score::new(4).is_some_and(Score::is_satisfied));
        assert!(!Score::new(3).is_some_and(Score::is_satisfied));
    }

    #[test]
    fn channel_round_trips_through_text() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(c));
        }
        assert!("email".parse::<Channel>().is_err());
    }
}

/// Why one field was refused. `code` is stable; messages are for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(
        field: &str,
        code: &'static str,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.to_string(),
            code,
            message: message.into(),
            message_en: message_en.into(),
        }
    }
}
