//! Document numbers: gapless per series and calendar year, e.g. `ROZ/000123/2027`.
//!
//! The store assigns them atomically (a conditional counter per [`SettlementNumber::counter_key`]
//! bumped in the same transaction that issues the document), so no number is skipped or used
//! twice. The domain only formats, parses and checks them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::FieldError;

/// Width of the zero-padded sequence; larger sequences simply print more digits.
const SEQ_WIDTH: usize = 6;
const YEAR_MIN: i32 = 2000;
const YEAR_MAX: i32 = 9999;

/// A numbering series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum Series {
    /// Rozliczenie: a charge to a unit.
    #[serde(rename = "ROZ")]
    Roz,
    /// Korekta: a correction of an issued settlement.
    #[serde(rename = "KOR")]
    Kor,
}

impl Series {
    pub const ALL: [Series; 2] = [Self::Roz, Self::Kor];

    pub fn code(self) -> &'static str {
        match self {
            Self::Roz => "ROZ",
            Self::Kor => "KOR",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|series| series.code() == raw.trim())
    }
}

impl std::fmt::Display for Series {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// `SERIA/NNNNNN/RRRR`: series, sequence within the series and year (from 1, zero-padded to six
/// digits), year of the issue date. Stored and sent as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SettlementNumber {
    pub series: Series,
    pub year: i32,
    pub seq: u32,
}

impl SettlementNumber {
    /// The number is only valid with a sequence ≥ 1 and a four-digit year.
    pub fn new(series: Series, year: i32, seq: u32) -> Result<Self, FieldError> {
        if seq == 0 || !(YEAR_MIN..=YEAR_MAX).contains(&year) {
            return Err(invalid_number());
        }
        Ok(Self { series, year, seq })
    }

    /// The key of the store's counter for this series and year: the last sequence handed out.
    pub fn counter_key(series: Series, year: i32) -> String {
        format!("NUMSEQ#{}#{year}", series.code())
    }

    /// Parses the canonical form only (`ROZ/000123/2027`): a number printed on a document must
    /// read back as the same number, so `ROZ/123/2027` or lower case are refused.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let mut parts = raw.trim().split('/');
        let (Some(series), Some(seq), Some(year), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid_number());
        };
        let series = Series::ALL.into_iter().find(|s| s.code() == series).ok_or_else(invalid_number)?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(seq) || !digits(year) || year.len() != 4 {
            return Err(invalid_number());
        }
        let seq_value: u32 = seq.parse().map_err(|_| invalid_number())?;
        let number = Self::new(series, year.parse().map_err(|_| invalid_number())?, seq_value)?;
        if number.to_string().split('/').nth(1) != Some(seq) {
            return Err(invalid_number());
        }
        Ok(number)
    }
}

fn invalid_number() -> FieldError {
    FieldError::new(
        "number",
        "invalid_settlement_number",
        "Nieprawidłowy numer rozliczenia (oczekiwano np. ROZ/000123/2027 albo KOR/000007/2027).",
        "Invalid settlement number (expected e.g. ROZ/000123/2027 or KOR/000007/2027).",
    )
}

impl std::fmt::Display for SettlementNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{:0width$}/{}", self.series.code(), self.seq, self.year, width = SEQ_WIDTH)
    }
}

impl std::str::FromStr for SettlementNumber {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl TryFrom<String> for SettlementNumber {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw).map_err(|error| error.en)
    }
}

impl From<SettlementNumber> for String {
    fn from(number: SettlementNumber) -> Self {
        number.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_with_series_padded_sequence_and_year() {
        let number = SettlementNumber::new(Series::Roz, 2027, 123).unwrap();
        assert_eq!(number.to_string(), "ROZ/000123/2027");
        assert_eq!(SettlementNumber::new(Series::Kor, 2026, 1_234_567).unwrap().to_string(), "KOR/1234567/2026");
        assert_eq!(SettlementNumber::parse(" ROZ/000123/2027 ").unwrap(), number);
        assert_eq!(serde_json::to_value(number).unwrap(), serde_json::json!("ROZ/000123/2027"));
        assert_eq!(serde_json::from_value::<SettlementNumber>(serde_json::json!("ROZ/000123/2027")).unwrap(), number);
        assert_eq!(SettlementNumber::counter_key(Series::Kor, 2027), "NUMSEQ#KOR#2027");
    }

    #[test]
    fn refuses_anything_but_the_canonical_form() {
        for bad in [
            "",
            "ROZ/123/2027",
            "ROZ/0000123/2027",
            "roz/000123/2027",
            "FV/000123/2027",
            "ROZ/000000/2027",
            "ROZ/000123/27",
            "ROZ/000123/2027/1",
            "ROZ-000123-2027",
            "ROZ/+00123/2027",
            "ROZ/000123/1999",
        ] {
            let error = SettlementNumber::parse(bad).unwrap_err();
            assert_eq!(error.code, "invalid_settlement_number", "{bad}");
        }
        assert!(serde_json::from_value::<SettlementNumber>(serde_json::json!("ROZ/1/2027")).is_err());
        assert!(SettlementNumber::new(Series::Roz, 2027, 0).is_err());
    }

    proptest! {
        #[test]
        fn display_and_parse_round_trip(seq in 1u32..=u32::MAX, year in 2000i32..=9999, kor in any::<bool>()) {
            let series = if kor { Series::Kor } else { Series::Roz };
            let number = SettlementNumber::new(series, year, seq).unwrap();
            let printed = number.to_string();
            prop_assert_eq!(SettlementNumber::parse(&printed).unwrap(), number);
            prop_assert_eq!(printed.split('/').nth(1).unwrap().len(), seq.to_string().len().max(6));
        }

        #[test]
        fn parse_accepts_only_what_display_prints(raw in "(ROZ|KOR|FV)/[0-9]{1,8}/[0-9]{2,5}") {
            if let Ok(number) = SettlementNumber::parse(&raw) {
                prop_assert_eq!(number.to_string(), raw);
            }
        }
    }
}
