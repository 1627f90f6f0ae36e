//! REGON — Polish statistical business register number.

use super::{digits_only, string_value, StringSchema, ValueError};

/// A REGON, stored as 9 digits (an entity) or 14 digits (a local unit of an entity).
///
/// Check digits (last digit), both mod 11 with 10 → 0:
/// - REGON-9: weights 8,9,2,3,4,5,6,7;
/// - REGON-14: weights 2,4,8,5,0,9,7,3,6,1,2,4,8, and its first nine digits are the parent
///   entity's REGON-9, which must itself be valid (the 14-digit weight of digit 5 is 0, so the
///   nine-digit check is what catches a typo there).
///
/// Spaces and dashes in the input are ignored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Regon(String);

string_value!(Regon);

const WEIGHTS_9: [u32; 8] = [8, 9, 2, 3, 4, 5, 6, 7];
const WEIGHTS_14: [u32; 13] = [2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8];

fn check_digit(digits: &[u8], weights: &[u32]) -> u8 {
    let sum: u32 = digits.iter().zip(weights).map(|(&d, w)| u32::from(d) * w).sum();
    match sum % 11 {
        10 => 0,
        c => c as u8,
    }
}

fn valid_9(d: &[u8]) -> bool {
    check_digit(&d[..8], &WEIGHTS_9) == d[8]
}

impl Regon {
    /// Parses a 9- or 14-digit REGON (spaces and dashes ignored).
    pub fn parse(s: &str) -> Result<Regon, ValueError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ValueError::Empty);
        }
        let digits = digits_only(s, &['-', ' ']).ok_or(ValueError::InvalidRegonFormat)?;
        let d: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
        let valid = match d.len() {
            9 => valid_9(&d),
            14 => valid_9(&d[..9]) && check_digit(&d[..13], &WEIGHTS_14) == d[13],
            _ => return Err(ValueError::InvalidRegonFormat),
        };
        if !valid {
            return Err(ValueError::InvalidRegonChecksum);
        }
        Ok(Regon(digits))
    }

    /// True for a 14-digit REGON of a local unit (jednostka lokalna).
    pub fn is_local_unit(&self) -> bool {
        self.0.len() == 14
    }

    /// The 9-digit REGON of the entity (the whole value for a 9-digit REGON).
    pub fn entity(&self) -> &str {
        &self.0[..9]
    }
}

impl utoipa::PartialSchema for Regon {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        StringSchema {
            pattern: Some("^([0-9]{9}|[0-9]{14})$"),
            ..StringSchema::new(
                "Polish REGON, 9 digits (entity) or 14 digits (local unit); spaces/dashes in input are ignored.",
                "630257843",
            )
        }
        .build()
    }
}
impl utoipa::ToSchema for Regon {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// The rules from the brief, restated independently of the implementation.
    fn spec_check(digits: &[u8]) -> u8 {
        let w: &[u32] =
            if digits.len() == 8 { &[8, 9, 2, 3, 4, 5, 6, 7] } else { &[2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8] };
        let c = digits.iter().zip(w).map(|(&d, w)| d as u32 * w).sum::<u32>() % 11;
        if c == 10 {
            0
        } else {
            c as u8
        }
    }

    fn s(d: &[u8]) -> String {
        d.iter().map(|d| char::from(b'0' + d)).collect()
    }

    fn complete(prefix: &[u8]) -> Vec<u8> {
        let mut v = prefix.to_vec();
        v.push(spec_check(prefix));
        v
    }

    #[test]
    fn accepts_valid_regons() {
        for input in [
            "123456785",
            "630257843",
            "63025784300014",
            "63025784300021",
            "12345678512347",
            "630-257-843",
            "630 257 843 00014",
        ] {
            assert!(Regon::parse(input).is_ok(), "{input}");
        }
        // Weighted sum ≡ 10 gives check digit 0.
        assert!(Regon::parse("000000030").is_ok());
        let r = Regon::parse("63025784300014").unwrap();
        assert!(r.is_local_unit());
        assert_eq!(r.entity(), "630257843");
        let r = Regon::parse("630-257-843").unwrap();
        assert_eq!(r.as_str(), "630257843");
        assert!(!r.is_local_unit());
        assert_eq!(r.entity(), "630257843");
    }

    #[test]
    fn rejects_invalid_regons() {
        assert_eq!(Regon::parse("123456784"), Err(ValueError::InvalidRegonChecksum));
        assert_eq!(Regon::parse("63025784300015"), Err(ValueError::InvalidRegonChecksum));
        // A 14-digit number whose own check digit is right but whose first nine digits are not
        // a valid REGON-9.
        let bad_base = complete(&[1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4]);
        assert_eq!(Regon::parse(&s(&bad_base)), Err(ValueError::InvalidRegonChecksum));
        for input in ["12345678", "1234567851", "1234567851234", "123456785123478", "12345678X", "12.345.678.5"] {
            assert_eq!(Regon::parse(input), Err(ValueError::InvalidRegonFormat), "{input}");
        }
        assert_eq!(Regon::parse(" "), Err(ValueError::Empty));
    }

    proptest! {
        #[test]
        fn regon9_accepts_iff_check_digit_matches(eight in vec(0u8..10, 8), last in 0u8..10) {
            let mut d = eight.clone();
            d.push(last);
            prop_assert_eq!(Regon::parse(&s(&d)).is_ok(), spec_check(&eight) == last);
        }

        #[test]
        fn regon14_accepts_iff_both_check_digits_match(
            eight in vec(0u8..10, 8),
            ninth in 0u8..10,
            unit in vec(0u8..10, 4),
            last in 0u8..10,
        ) {
            let mut d = eight.clone();
            d.push(ninth);
            d.extend(&unit);
            let thirteen = d.clone();
            d.push(last);
            let expected = spec_check(&eight) == ninth && spec_check(&thirteen) == last;
            prop_assert_eq!(Regon::parse(&s(&d)).is_ok(), expected);
        }

        #[test]
        fn valid_regons_round_trip(eight in vec(0u8..10, 8), unit in vec(0u8..10, 4), long in any::<bool>()) {
            let mut d = complete(&eight);
            if long {
                d.extend(&unit);
                d = complete(&d);
            }
            let r = Regon::parse(&s(&d)).unwrap();
            prop_assert_eq!(r.as_str(), s(&d));
            prop_assert_eq!(Regon::parse(r.as_str()).unwrap(), r.clone());
            let json = serde_json::to_string(&r).unwrap();
            prop_assert_eq!(serde_json::from_str::<Regon>(&json).unwrap(), r);
        }
    }
}
