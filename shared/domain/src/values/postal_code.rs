//! Polish postal code.

use super::{string_value, StringSchema, ValueError};

/// A Polish postal code, stored as `NN-NNN`; input `NN-NNN` or `NNNNN` (people and
/// spreadsheets often drop the dash).
///
/// Only the shape is checked: Poczta Polska's list of codes changes and is not part of the
/// project's data, and an unassigned but well-formed code is a harmless mistake.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostalCode(String);

string_value!(PostalCode);

impl PostalCode {
    /// Parses `NN-NNN` or `NNNNN`.
    pub fn parse(s: &str) -> Result<PostalCode, ValueError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ValueError::Empty);
        }
        let b = s.as_bytes();
        let digits: String = match b.len() {
            6 if b[2] == b'-' => format!("{}{}", &s[..2], &s[3..]),
            5 => s.to_owned(),
            _ => return Err(ValueError::InvalidPostalCode),
        };
        if digits.len() != 5 || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(ValueError::InvalidPostalCode);
        }
        Ok(PostalCode(format!("{}-{}", &digits[..2], &digits[2..])))
    }
}

impl utoipa::PartialSchema for PostalCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        StringSchema {
            pattern: Some("^[0-9]{2}-[0-9]{3}$"),
            ..StringSchema::new("Polish postal code NN-NNN (input without the dash is accepted).", "61-001")
        }
        .build()
    }
}
impl utoipa::ToSchema for PostalCode {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_both_forms() {
        assert_eq!(PostalCode::parse("61-001").unwrap().as_str(), "61-001");
        assert_eq!(PostalCode::parse("61001").unwrap().as_str(), "61-001");
        assert_eq!(PostalCode::parse(" 62-800 ").unwrap().to_string(), "62-800");
        assert_eq!(PostalCode::parse("00-950").unwrap().as_str(), "00-950");
    }

    #[test]
    fn rejects_other_shapes() {
        for input in ["6100", "610011", "61-0011", "610-01", "61 001", "6a-001", "61–001", "６１-００１", "+1-001"]
        {
            assert_eq!(PostalCode::parse(input), Err(ValueError::InvalidPostalCode), "{input}");
        }
        assert_eq!(PostalCode::parse(""), Err(ValueError::Empty));
    }

    proptest! {
        #[test]
        fn round_trips(code in "[0-9]{5}", dashed in any::<bool>()) {
            let input = if dashed { format!("{}-{}", &code[..2], &code[2..]) } else { code.clone() };
            let p = PostalCode::parse(&input).unwrap();
            prop_assert_eq!(p.as_str(), format!("{}-{}", &code[..2], &code[2..]));
            prop_assert_eq!(PostalCode::parse(p.as_str()).unwrap(), p.clone());
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<PostalCode>(&json).unwrap(), p);
        }
    }
}
