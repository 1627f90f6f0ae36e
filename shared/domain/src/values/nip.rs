//! NIP — Polish tax identification number.

use super::{digits_only, string_value, StringSchema, ValueError};

/// A NIP (numer identyfikacji podatkowej), stored as 10 digits.
///
/// Input may carry the separators people and documents use ("123-456-32-18", "123 456 32 18")
/// and the EU VAT prefix "PL"; they are removed so one stored form serves uniqueness checks and
/// the KSeF/ERP exports. The last digit is a checksum: the first nine digits weighted
/// 6,5,7,2,3,4,5,6,7, summed, mod 11; a result of 10 means no valid NIP has those nine digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nip(String);

string_value!(Nip);

const WEIGHTS: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];

/// The check digit for the first nine digits, or `None` when the weighted sum is 10 mod 11.
fn check_digit(digits: &[u8]) -> Option<u8> {
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(&d, w)| u32::from(d) * w).sum();
    match sum % 11 {
        10 => None,
        c => Some(c as u8),
    }
}

impl Nip {
    /// Parses a NIP, accepting dashes, spaces and an optional `PL` prefix.
    pub fn parse(s: &str) -> Result<Nip, ValueError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ValueError::Empty);
        }
        let s = match s.get(..2) {
            Some(p) if p.eq_ignore_ascii_case("PL") => &s[2..],
            _ => s,
        };
        let digits = digits_only(s, &['-', ' ']).ok_or(ValueError::InvalidNipFormat)?;
        if digits.len() != 10 {
            return Err(ValueError::InvalidNipFormat);
        }
        let d: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
        if check_digit(&d[..9]) != Some(d[9]) {
            return Err(ValueError::InvalidNipChecksum);
        }
        Ok(Nip(digits))
    }

    /// The NIP as written on Polish documents: `XXX-XXX-XX-XX`.
    pub fn formatted(&self) -> String {
        let d = &self.0;
        format!("{}-{}-{}-{}", &d[0..3], &d[3..6], &d[6..8], &d[8..10])
    }

    /// The EU VAT number form (`PL` + 10 digits), as used in VIES and on invoices to EU buyers.
    pub fn eu_vat(&self) -> String {
        format!("PL{}", self.0)
    }
}

impl utoipa::PartialSchema for Nip {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        StringSchema::new(
            "Polish NIP. Input may contain dashes/spaces and a PL prefix; stored and returned as 10 digits.",
            "7791011327",
        )
        .build()
    }
}
impl utoipa::ToSchema for Nip {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Independent re-statement of the rule from the brief, so the properties do not merely
    /// repeat the implementation.
    fn spec_check(nine: &[u8]) -> u32 {
        let w = [6, 5, 7, 2, 3, 4, 5, 6, 7];
        nine.iter().zip(w).map(|(&d, w)| d as u32 * w).sum::<u32>() % 11
    }

    fn to_string(d: &[u8]) -> String {
        d.iter().map(|d| char::from(b'0' + d)).collect()
    }

    #[test]
    fn accepts_valid_nips_in_all_written_forms() {
        for input in [
            "7791011327",
            "779-101-13-27",
            "779 101 13 27",
            "PL7791011327",
            "pl 779-101-13-27",
            "  1234563218 ",
            "123-456-32-18",
            "5260250274",
        ] {
            let nip = Nip::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(nip.as_str().len(), 10, "{input}");
        }
        assert_eq!(Nip::parse("PL 123-456-32-18").unwrap().as_str(), "1234563218");
        assert_eq!(Nip::parse("1234563218").unwrap().formatted(), "123-456-32-18");
        assert_eq!(Nip::parse("1234563218").unwrap().eu_vat(), "PL1234563218");
    }

    #[test]
    fn rejects_bad_checksum_and_format() {
        assert_eq!(Nip::parse("7791011328"), Err(ValueError::InvalidNipChecksum));
        assert_eq!(Nip::parse("123-456-32-19"), Err(ValueError::InvalidNipChecksum));
        // Prefix 000000003 weighs 3·7 = 21 ≡ 10 (mod 11): no last digit makes it a NIP.
        for last in 0..=9 {
            assert_eq!(Nip::parse(&format!("000000003{last}")), Err(ValueError::InvalidNipChecksum));
        }
        for input in ["779101132", "77910113271", "779101132X", "DE7791011327", "779.101.13.27", "PL"] {
            assert_eq!(Nip::parse(input), Err(ValueError::InvalidNipFormat), "{input}");
        }
        assert_eq!(Nip::parse(""), Err(ValueError::Empty));
    }

    #[test]
    fn serde_uses_canonical_digits() {
        let nip: Nip = serde_json::from_str("\"PL 779-101-13-27\"").unwrap();
        assert_eq!(serde_json::to_string(&nip).unwrap(), "\"7791011327\"");
        let err = serde_json::from_str::<Nip>("\"7791011328\"").unwrap_err();
        assert!(err.to_string().contains("check digit"), "{err}");
    }

    proptest! {
        #[test]
        fn accepts_iff_check_digit_rule_holds(nine in proptest::collection::vec(0u8..10, 9), last in 0u8..10) {
            let c = spec_check(&nine);
            let mut all = nine.clone();
            all.push(last);
            let parsed = Nip::parse(&to_string(&all));
            prop_assert_eq!(parsed.is_ok(), c != 10 && c == last as u32);
        }

        #[test]
        fn any_single_digit_change_is_rejected(
            nine in proptest::collection::vec(0u8..10, 9),
            pos in 0usize..10,
            delta in 1u8..10,
        ) {
            let c = spec_check(&nine);
            prop_assume!(c != 10);
            let mut d = nine.clone();
            d.push(c as u8);
            prop_assert!(Nip::parse(&to_string(&d)).is_ok());
            d[pos] = (d[pos] + delta) % 10;
            prop_assert!(Nip::parse(&to_string(&d)).is_err());
        }

        #[test]
        fn forms_round_trip(nine in proptest::collection::vec(0u8..10, 9)) {
            let c = spec_check(&nine);
            prop_assume!(c != 10);
            let mut d = nine.clone();
            d.push(c as u8);
            let nip = Nip::parse(&to_string(&d)).unwrap();
            prop_assert_eq!(Nip::parse(&nip.formatted()).unwrap(), nip.clone());
            prop_assert_eq!(Nip::parse(&nip.eu_vat()).unwrap(), nip.clone());
            prop_assert_eq!(Nip::parse(nip.as_str()).unwrap(), nip.clone());
            let json = serde_json::to_string(&nip).unwrap();
            prop_assert_eq!(serde_json::from_str::<Nip>(&json).unwrap(), nip);
        }
    }
}
