//! Who issues a báo cáo and where: the blocks of Nghị định 30/2020 around the text (the issuing
//! body top left, the document number, the place-and-date line, the signer's title, the
//! recipients). Each is configured (`platform::config::LetterheadSettings`) or derived from the
//! reported unit: a district's report comes from "UBND HUYỆN TUY PHƯỚC / PHÒNG NỘI VỤ".

use crate::administration::units::Unit;
use crate::platform::config::LetterheadSettings;

/// The resolved heading of one báo cáo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letterhead {
    /// The governing body ("UBND HUYỆN TUY PHƯỚC"), regular capitals; `None` when the issuer
    /// line stands alone.
    pub issuer: Option<String>,
    /// The issuing office ("PHÒNG NỘI VỤ"), bold capitals.
    pub office: String,
    /// "BC-PNV" in "Số: …/BC-PNV".
    pub symbol: String,
    /// "Tuy Phước" in "Tuy Phước, ngày … tháng … năm 2026".
    pub place: String,
    /// "TRƯỞNG PHÒNG".
    pub signer: String,
    /// The "Nơi nhận" lines.
    pub recipients: Vec<String>,
}

/// The unit's name without its level word: "Huyện Tuy Phước" → "Tuy Phước".
pub fn place_name(name: &str) -> String {
    const LEVELS: [&str; 7] = [
        "Thành phố ",
        "Thị trấn ",
        "Thị xã ",
        "Huyện ",
        "Tỉnh ",
        "Phường ",
        "Xã ",
    ];
    for level in LEVELS {
        if let Some(rest) = name.strip_prefix(level) {
            return rest.to_string();
        }
    }
    name.to_string()
}

/// The office of the unit's level: (office, symbol, signer, the recipient it reports to).
fn level_defaults(
    level: &str,
) -> (
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
) {
    match level {
        "tinh" => (Some("SỞ NỘI VỤ"), "BC-SNV", "GIÁM ĐỐC", "- Bộ Nội vụ;"),
        "huyen" => (
            Some("PHÒNG NỘI VỤ"),
            "BC-PNV",
            "TRƯỞNG PHÒNG",
            "- Sở Nội vụ;",
        ),
        _ => (None, "BC-UBND", "TM. ỦY BAN NHÂN DÂN", "- UBND cấp trên;"),
    }
}

impl Letterhead {
    /// The heading for a report of `unit` (the root or no unit: a generic one) with `settings`
    /// overriding the derived values.
    pub fn resolve(settings: &LetterheadSettings, unit: Option<&Unit>) -> Letterhead {
        let (name, level) = unit.map_or(("", ""), |u| (u.name.as_str(), u.level.as_str()));
        let (office, symbol, signer, upward) = level_defaults(level);
        let derived_issuer = (!name.is_empty()).then(|| format!("UBND {}", name.to_uppercase()));
        let given = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_string());
        let office = match given(&settings.office) {
            Some(o) if o == "-" => None,
            Some(o) => Some(o),
            None => office.map(str::to_string),
        };
        let issuer = given(&settings.issuer).or(derived_issuer);
        // Without an office the issuer is the office (a commune's UBND issues it itself).
        let (issuer, office) = match (issuer, office) {
            (issuer, Some(office)) => (issuer, office),
            (Some(issuer), None) => (None, issuer),
            (None, None) => (None, "CƠ QUAN BAN HÀNH".to_string()),
        };
        let place = given(&settings.place)
            .or_else(|| (!name.is_empty()).then(|| place_name(name)))
            .unwrap_or_else(|| "…".to_string());
        Letterhead {
            issuer,
            symbol: given(&settings.symbol).unwrap_or_else(|| symbol.to_string()),
            signer: given(&settings.signer).unwrap_or_else(|| signer.to_string()),
            recipients: vec![
                upward.to_string(),
                "- Thường trực HĐND, UBND;".to_string(),
                "- Lưu: VT.".to_string(),
            ],
            office,
            place,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn unit(name: &str, level: &str) -> Unit {
        Unit {
            code: "u".into(),
            name: name.into(),
            level: level.into(),
            parent: None,
            valid_from: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            valid_to: None,
            population: None,
        }
    }

    #[test]
    fn derives_a_district_heading_from_the_unit() {
        let h = Letterhead::resolve(
            &LetterheadSettings::default(),
            Some(&unit("Huyện Tuy Phước", "huyen")),
        );
        assert_eq!(h.issuer.as_deref(), Some("UBND HUYỆN TUY PHƯỚC"));
        assert_eq!(h.office, "PHÒNG NỘI VỤ");
        assert_eq!(h.symbol, "BC-PNV");
        assert_eq!(h.place, "Tuy Phước");
    }

    #[test]
    fn a_commune_issues_it_itself_and_settings_win() {
        let h = Letterhead::resolve(
            &LetterheadSettings::default(),
            Some(&unit("Xã Phước Sơn", "xa")),
        );
        assert_eq!(h.issuer, None);
        assert_eq!(h.office, "UBND XÃ PHƯỚC SƠN");
        let settings = LetterheadSettings {
            office: Some("VĂN PHÒNG HĐND VÀ UBND".into()),
            place: Some("Diêu Trì".into()),
            ..Default::default()
        };
        let h = Letterhead::resolve(&settings, Some(&unit("Huyện Tuy Phước", "huyen")));
        assert_eq!(h.office, "VĂN PHÒNG HĐND VÀ UBND");
        assert_eq!(h.place, "Diêu Trì");
    }
}
