//! Phone number.

use super::{digits_only, string_value, StringSchema, ValueError};

/// A phone number in one canonical form.
///
/// - Polish numbers (9 digits, optionally prefixed `+48` or `0048`) are stored as
///   `+48 XXX XXX XXX`: readable, and unique per number whatever way it was typed.
///   Polish subscriber numbers never start with 0 (0 is the international prefix).
/// - Other international numbers must start with `+` or `00` and a country code; they are
///   stored as `+` followed by 8–15 digits (the E.164 limit, country code included), since we
///   cannot know every country's grouping.
///
/// Input may contain spaces, dashes and parentheses as separators, e.g. `(61) 123-45-67` or
/// `+48 (61) 123 45 67`; anything else (dots, letters, "wew." extensions) is rejected rather
/// than guessed at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

string_value!(PhoneNumber);

impl PhoneNumber {
    /// Parses a Polish or international number.
    pub fn parse(s: &str) -> Result<PhoneNumber, ValueError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ValueError::Empty);
        }
        let (international, rest) = if let Some(rest) = s.strip_prefix('+') {
            (true, rest)
        } else if let Some(rest) = s.strip_prefix("00") {
            (true, rest)
        } else {
            (false, s)
        };
        let digits = digits_only(rest, &[' ', '-', '(', ')']).ok_or(ValueError::InvalidPhone)?;
        let national = if !international {
            digits.as_str()
        } else if let Some(pl) = digits.strip_prefix("48") {
            pl
        } else {
            if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
                return Err(ValueError::InvalidPhone);
            }
            return Ok(PhoneNumber(format!("+{digits}")));
        };
        if national.len() != 9 || national.starts_with('0') {
            return Err(ValueError::InvalidPhone);
        }
        Ok(PhoneNumber(format!("+48 {} {} {}", &national[..3], &national[3..6], &national[6..])))
    }

    /// True for a number with the Polish country code.
    pub fn is_polish(&self) -> bool {
        self.0.starts_with("+48 ")
    }

    /// The `tel:` URI form (`+` and digits only), for links and SMS gateways.
    pub fn e164(&self) -> String {
        self.0.chars().filter(|c| *c != ' ').collect()
    }
}

impl utoipa::PartialSchema for PhoneNumber {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        StringSchema::new(
            "Phone number. Polish numbers are stored as \"+48 XXX XXX XXX\", others as \"+\" and 8-15 digits. Input may contain spaces, dashes and parentheses.",
            "+48 612 345 678",
        )
        .build()
    }
}
impl utoipa::ToSchema for PhoneNumber {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn polish_numbers_in_any_written_form() {
        for input in [
            "612345678",
            "612 345 678",
            "61 234 56 78",
            "(61) 234-56-78",
            "+48 612 345 678",
            "+48612345678",
            "0048 612 345 678",
            "+48 (61) 234 56 78",
            "  +48-612-345-678 ",
        ] {
            let p = PhoneNumber::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(p.as_str(), "+48 612 345 678", "{input}");
            assert!(p.is_polish());
        }
        assert_eq!(PhoneNumber::parse("501 234 567").unwrap().e164(), "+48501234567");
    }

    #[test]
    fn foreign_numbers() {
        let p = PhoneNumber::parse("+49 30 1234567").unwrap();
        assert_eq!(p.as_str(), "+49301234567");
        assert!(!p.is_polish());
        assert_eq!(PhoneNumber::parse("0049 (30) 123-4567").unwrap().as_str(), "+49301234567");
        assert_eq!(PhoneNumber::parse("+420 123 456 789").unwrap().as_str(), "+420123456789");
    }

    #[test]
    fn rejects_malformed_numbers() {
        for input in [
            "61234567",          // 8 digits
            "6123456789",        // 10 digits
            "012345678",         // national number starting with 0
            "+48 61234567",      // Polish with 8 digits
            "+48 6123456789",    // Polish with 10 digits
            "+1234567",          // 7 digits
            "+1234567890123456", // 16 digits
            "+0 123 456 789",    // no country code starts with 0
            "612.345.678",
            "tel. 612345678",
            "612345678 wew. 12",
            "+48 +612345678",
            "++48612345678",
        ] {
            assert_eq!(PhoneNumber::parse(input), Err(ValueError::InvalidPhone), "{input}");
        }
        assert_eq!(PhoneNumber::parse("  "), Err(ValueError::Empty));
    }

    proptest! {
        #[test]
        fn polish_numbers_round_trip(first in 1u8..10, rest in "[0-9]{8}", prefix in prop::sample::select(vec!["", "+48", "+48 ", "0048", "0048 "])) {
            let national = format!("{first}{rest}");
            let p = PhoneNumber::parse(&format!("{prefix}{national}")).unwrap();
            prop_assert_eq!(p.e164(), format!("+48{national}"));
            prop_assert_eq!(PhoneNumber::parse(p.as_str()).unwrap(), p.clone());
            prop_assert_eq!(PhoneNumber::parse(&p.e164()).unwrap(), p.clone());
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), p);
        }

        #[test]
        fn foreign_numbers_round_trip(cc in 1u8..10, rest in "[0-9]{7,14}") {
            prop_assume!(!(cc == 4 && rest.starts_with('8')));
            let digits = format!("{cc}{rest}");
            let p = PhoneNumber::parse(&format!("+{digits}")).unwrap();
            prop_assert_eq!(p.as_str(), format!("+{digits}"));
            prop_assert_eq!(PhoneNumber::parse(p.as_str()).unwrap(), p.clone());
            prop_assert_eq!(PhoneNumber::parse(&format!("00{digits}")).unwrap(), p);
        }
    }
}
