//! E-mail address.

use super::{string_value, StringSchema, ValueError};
use utoipa::openapi::schema::{KnownFormat, SchemaFormat};

/// A syntactically plausible e-mail address, stored trimmed and lowercased.
///
/// Why lowercased as a whole: the local part is case-sensitive in theory but no real mail
/// provider treats it so, and the association's users log in with their address; storing one
/// form makes uniqueness checks and look-ups trivial.
///
/// The rules are deliberately a practical subset of RFC 5321/5322 (no quoted local parts, no
/// IP-literal domains, ASCII only): a local part of 1–64 characters from the RFC's `atext` set
/// with single inner dots, a domain of at least two dot-separated labels of `[a-z0-9-]`
/// (1–63 characters, not starting or ending with `-`, last label not all digits), whole
/// address at most 254 characters. Polish letters are rejected: Polish office mail systems
/// do not support internationalised addresses, so "łukasz@…" is almost always a typo for
/// "lukasz@…". Internationalised domains must be given in punycode (`xn--…`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

string_value!(Email);

const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;

impl Email {
    /// Parses and normalises (trim, lowercase) an address.
    pub fn parse(s: &str) -> Result<Email, ValueError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ValueError::Empty);
        }
        if s.chars().count() > MAX_LEN {
            return Err(ValueError::TooLong { max: MAX_LEN, actual: s.chars().count() });
        }
        if !s.is_ascii() {
            return Err(ValueError::InvalidEmail);
        }
        let s = s.to_ascii_lowercase();
        let (local, domain) = s.split_once('@').ok_or(ValueError::InvalidEmail)?;
        if domain.contains('@') || !valid_local(local) || !valid_domain(domain) {
            return Err(ValueError::InvalidEmail);
        }
        Ok(Email(s))
    }

    /// The key to enforce uniqueness of addresses (the lowercased address).
    pub fn normalized_key(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    /// The part before `@`.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map(|(l, _)| l).unwrap_or_default()
    }
}

fn valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= MAX_LABEL_LEN
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        && !labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
}

impl utoipa::PartialSchema for Email {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        StringSchema {
            max_length: Some(MAX_LEN),
            format: Some(SchemaFormat::KnownFormat(KnownFormat::Email)),
            ..StringSchema::new(
                "E-mail address, stored lowercased; ASCII only (no Polish letters).",
                "sekretariat@gmina-przykladowa.pl",
            )
        }
        .build()
    }
}
impl utoipa::ToSchema for Email {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_and_normalises_valid_addresses() {
        for (input, stored) in [
            ("jan.kowalski@gmina.pl", "jan.kowalski@gmina.pl"),
            ("  Sekretariat@Poznan.PL ", "sekretariat@poznan.pl"),
            ("biuro+crm@wokiss.pl", "biuro+crm@wokiss.pl"),
            ("a@b.co", "a@b.co"),
            ("ug@ostrow-wielkopolski.bip.gov.pl", "ug@ostrow-wielkopolski.bip.gov.pl"),
            ("o'neil@example.com", "o'neil@example.com"),
            ("x@xn--kd-0ja.pl", "x@xn--kd-0ja.pl"),
        ] {
            let e = Email::parse(input).unwrap_or_else(|err| panic!("{input}: {err}"));
            assert_eq!(e.as_str(), stored);
            assert_eq!(e.normalized_key(), stored);
        }
    }

    #[test]
    fn rejects_invalid_addresses() {
        for input in [
            "jan.kowalski",
            "jan@",
            "@gmina.pl",
            "jan@@gmina.pl",
            "jan@kow@gmina.pl",
            "jan kowalski@gmina.pl",
            "jan@gmina",
            "jan@gmina..pl",
            "jan@-gmina.pl",
            "jan@gmina-.pl",
            "jan@.gmina.pl",
            "jan@gmina.pl.",
            ".jan@gmina.pl",
            "jan.@gmina.pl",
            "ja..n@gmina.pl",
            "łukasz@gmina.pl",
            "jan@łódź.pl",
            "jan@gmina_x.pl",
            "jan@10.0.0.1",
            "jan(at)gmina.pl",
            "\"jan\"@gmina.pl",
        ] {
            assert_eq!(Email::parse(input), Err(ValueError::InvalidEmail), "{input}");
        }
        assert_eq!(Email::parse("   "), Err(ValueError::Empty));
    }

    #[test]
    fn enforces_lengths() {
        let local64 = "a".repeat(64);
        assert!(Email::parse(&format!("{local64}@gmina.pl")).is_ok());
        assert_eq!(Email::parse(&format!("a{local64}@gmina.pl")), Err(ValueError::InvalidEmail));
        let label63 = "b".repeat(63);
        assert!(Email::parse(&format!("a@{label63}.pl")).is_ok());
        assert!(Email::parse(&format!("a@{label63}b.pl")).is_err());
        // 254 characters total is the maximum: 64 + "@" + 189-character domain.
        let domain = format!("{}.{}.{}.pl", "c".repeat(63), "d".repeat(63), "e".repeat(58));
        let max = format!("{local64}@{domain}");
        assert_eq!(max.len(), 254);
        assert!(Email::parse(&max).is_ok());
        let too_long = format!("{local64}@f{domain}");
        assert!(matches!(Email::parse(&too_long), Err(ValueError::TooLong { max: 254, actual: 255 })));
    }

    #[test]
    fn parts_and_display() {
        let e = Email::parse("Wojt@Gmina.PL").unwrap();
        assert_eq!(e.local_part(), "wojt");
        assert_eq!(e.domain(), "gmina.pl");
        assert_eq!(e.to_string(), "wojt@gmina.pl");
    }

    #[test]
    fn serde_goes_through_parse() {
        let e: Email = serde_json::from_str("\" Jan@Gmina.PL \"").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"jan@gmina.pl\"");
        assert!(serde_json::from_str::<Email>("\"nie-email\"").is_err());
    }

    proptest! {
        #[test]
        fn generated_addresses_round_trip(
            local in "[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]",
            host in "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?",
            tld in "[a-z]{2,6}",
            upper in any::<bool>(),
        ) {
            prop_assume!(!local.contains(".."));
            let raw = format!("{local}@{host}.{tld}");
            let input = if upper { raw.to_ascii_uppercase() } else { raw.clone() };
            let e = Email::parse(&input).unwrap();
            prop_assert_eq!(e.as_str(), raw.as_str());
            prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e.clone());
            let json = serde_json::to_string(&e).unwrap();
            prop_assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), e);
        }
    }
}
