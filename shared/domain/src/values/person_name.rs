//! First or last name of a person.

use super::{string_value, StringSchema, ValueError};
use unicode_normalization::UnicodeNormalization;

/// A first or last name: letters (any script, so Polish diacritics and foreign names work),
/// single spaces, hyphens ("Kowalska-Nowak") and apostrophes ("O'Neill"); 1–80 characters.
///
/// Normalisation, so that one name has one stored form: NFC (a decomposed "Z" + combining dot
/// becomes "Ż"), trimmed, inner whitespace collapsed to one space, the typographic apostrophe
/// ’ stored as '. A name must start and end with a letter. Case is left as typed: names like
/// "de Gaulle" or "McDonald" make automatic capitalisation wrong.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

string_value!(PersonName);

const MAX_LEN: usize = 80;

impl PersonName {
    /// Parses and normalises a name.
    pub fn parse(s: &str) -> Result<PersonName, ValueError> {
        let normalized: String = s.nfc().map(|c| if c == '\u{2019}' { '\'' } else { c }).collect();
        let collapsed = normalized.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(ValueError::Empty);
        }
        if let Some(found) = collapsed.chars().find(|&c| !(c.is_alphabetic() || c == ' ' || c == '-' || c == '\'')) {
            return Err(ValueError::InvalidCharacter { found });
        }
        let len = collapsed.chars().count();
        if len > MAX_LEN {
            return Err(ValueError::TooLong { max: MAX_LEN, actual: len });
        }
        let first = collapsed.chars().next().unwrap_or(' ');
        let last = collapsed.chars().next_back().unwrap_or(' ');
        for edge in [first, last] {
            if !edge.is_alphabetic() {
                return Err(ValueError::InvalidCharacter { found: edge });
            }
        }
        Ok(PersonName(collapsed))
    }
}

impl utoipa::PartialSchema for PersonName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        StringSchema {
            min_length: Some(1),
            max_length: Some(MAX_LEN),
            ..StringSchema::new(
                "First or last name: letters, spaces, hyphen, apostrophe; whitespace is collapsed.",
                "Żółkiewska-Nowak",
            )
        }
        .build()
    }
}
impl utoipa::ToSchema for PersonName {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_real_names() {
        for (input, stored) in [
            ("Grzegorz", "Grzegorz"),
            ("  Żółkiewski ", "Żółkiewski"),
            ("Kowalska-Nowak", "Kowalska-Nowak"),
            ("Anna  Maria", "Anna Maria"),
            ("Jan\tPaweł", "Jan Paweł"),
            ("O'Neill", "O'Neill"),
            ("D\u{2019}Artagnan", "D'Artagnan"),
            ("de la Cruz", "de la Cruz"),
            ("Łukasz", "Łukasz"),
            ("Z\u{307}aneta", "Żaneta"),
            ("Jürgen", "Jürgen"),
        ] {
            assert_eq!(PersonName::parse(input).unwrap().as_str(), stored, "{input}");
        }
        assert!(PersonName::parse(&"a".repeat(80)).is_ok());
    }

    #[test]
    fn rejects_non_names() {
        assert_eq!(PersonName::parse(""), Err(ValueError::Empty));
        assert_eq!(PersonName::parse(" \t "), Err(ValueError::Empty));
        assert_eq!(PersonName::parse("Jan2"), Err(ValueError::InvalidCharacter { found: '2' }));
        assert_eq!(PersonName::parse("Jan."), Err(ValueError::InvalidCharacter { found: '.' }));
        assert_eq!(PersonName::parse("<script>"), Err(ValueError::InvalidCharacter { found: '<' }));
        assert_eq!(PersonName::parse("-Anna"), Err(ValueError::InvalidCharacter { found: '-' }));
        assert_eq!(PersonName::parse("Anna'"), Err(ValueError::InvalidCharacter { found: '\'' }));
        assert_eq!(PersonName::parse("Jan\u{0}"), Err(ValueError::InvalidCharacter { found: '\u{0}' }));
        assert_eq!(PersonName::parse(&"a".repeat(81)), Err(ValueError::TooLong { max: 80, actual: 81 }));
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent_and_serde_round_trips(
            words in prop::collection::vec("[A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż]{1,12}", 1..4),
            sep in prop::sample::select(vec![" ", "  ", "\t", "-"]),
        ) {
            let input = format!("  {} ", words.join(sep));
            let name = PersonName::parse(&input).unwrap();
            prop_assert!(!name.as_str().contains("  "));
            prop_assert_eq!(PersonName::parse(name.as_str()).unwrap(), name.clone());
            let json = serde_json::to_string(&name).unwrap();
            prop_assert_eq!(serde_json::from_str::<PersonName>(&json).unwrap(), name);
        }
    }
}
