//! The single error type of value parsing.

/// Why a value was rejected.
///
/// Variants carry just enough data to build a message for the user; the field name is added by
/// the HTTP layer. `Display` gives the English message (for logs); the API body should use
/// [`code`](Self::code), [`message_pl`](Self::message_pl) and [`message_en`](Self::message_en).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// Empty or whitespace-only input where a value is required.
    #[error("{}", self.message_en())]
    Empty,
    /// Longer than allowed (in characters, after normalisation).
    #[error("{}", self.message_en())]
    TooLong { max: usize, actual: usize },
    /// Contains a character the type does not allow (e.g. a digit in a name).
    #[error("{}", self.message_en())]
    InvalidCharacter { found: char },
    #[error("{}", self.message_en())]
    InvalidEmail,
    /// Not 10 digits (after removing dashes, spaces and a `PL` prefix).
    #[error("{}", self.message_en())]
    InvalidNipFormat,
    #[error("{}", self.message_en())]
    InvalidNipChecksum,
    /// Neither 9 nor 14 digits.
    #[error("{}", self.message_en())]
    InvalidRegonFormat,
    #[error("{}", self.message_en())]
    InvalidRegonChecksum,
    #[error("{}", self.message_en())]
    InvalidPostalCode,
    #[error("{}", self.message_en())]
    InvalidPhone,
    /// Not 4 or 7 digits.
    #[error("{}", self.message_en())]
    InvalidTerytFormat,
    /// A well-formed 7-digit code whose type digit (RODZ) denotes a town or rural part of a
    /// gmina (4, 5) or a delegatura (8, 9) — these are not local-government units.
    #[error("{}", self.message_en())]
    TerytNotAUnit { code: String },
    /// Well-formed but absent from the register of województwo wielkopolskie.
    #[error("{}", self.message_en())]
    UnknownTeryt { code: String },
    /// Not a valid identifier (a UUID in its hyphenated form).
    #[error("{}", self.message_en())]
    InvalidId,
    /// Not a calendar date in the form YYYY-MM-DD.
    #[error("{}", self.message_en())]
    InvalidDate,
    /// A search query with no searchable word.
    #[error("{}", self.message_en())]
    EmptyQuery,
    /// A search query whose longest word is shorter than `min` characters.
    #[error("{}", self.message_en())]
    SearchTermTooShort { min: usize },
    /// A search query with more than `max` distinct words.
    #[error("{}", self.message_en())]
    TooManySearchTerms { max: usize },
}

impl ValueError {
    /// Stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            ValueError::Empty => "required",
            ValueError::TooLong { .. } => "too_long",
            ValueError::InvalidCharacter { .. } => "invalid_character",
            ValueError::InvalidEmail => "invalid_email",
            ValueError::InvalidNipFormat => "invalid_nip",
            ValueError::InvalidNipChecksum => "invalid_nip_checksum",
            ValueError::InvalidRegonFormat => "invalid_regon",
            ValueError::InvalidRegonChecksum => "invalid_regon_checksum",
            ValueError::InvalidPostalCode => "invalid_postal_code",
            ValueError::InvalidPhone => "invalid_phone",
            ValueError::InvalidTerytFormat => "invalid_teryt",
            ValueError::TerytNotAUnit { .. } => "teryt_not_a_unit",
            ValueError::UnknownTeryt { .. } => "unknown_teryt",
            ValueError::InvalidId => "invalid_id",
            ValueError::InvalidDate => "invalid_date",
            ValueError::EmptyQuery => "empty_query",
            ValueError::SearchTermTooShort { .. } => "search_term_too_short",
            ValueError::TooManySearchTerms { .. } => "too_many_search_terms",
        }
    }

    /// Message for the user, in Polish.
    pub fn message_pl(&self) -> String {
        match self {
            ValueError::Empty => "Pole jest wymagane.".into(),
            ValueError::TooLong { max, actual } => {
                format!("Tekst jest za długi: {actual} znaków, dopuszczalne najwyżej {max}.")
            }
            ValueError::InvalidCharacter { found } => {
                format!("Niedozwolony znak: „{}”.", found.escape_default())
            }
            ValueError::InvalidEmail => {
                "Nieprawidłowy adres e-mail (oczekiwano np. jan.kowalski@gmina.pl; bez polskich znaków i spacji).".into()
            }
            ValueError::InvalidNipFormat => {
                "NIP musi mieć 10 cyfr (dozwolone myślniki, spacje i przedrostek PL).".into()
            }
            ValueError::InvalidNipChecksum => {
                "Nieprawidłowy NIP: cyfra kontrolna się nie zgadza. Sprawdź, czy nie ma literówki.".into()
            }
            ValueError::InvalidRegonFormat => "REGON musi mieć 9 lub 14 cyfr.".into(),
            ValueError::InvalidRegonChecksum => {
                "Nieprawidłowy REGON: cyfra kontrolna się nie zgadza. Sprawdź, czy nie ma literówki.".into()
            }
            ValueError::InvalidPostalCode => {
                "Nieprawidłowy kod pocztowy (oczekiwano formatu NN-NNN, np. 61-001).".into()
            }
            ValueError::InvalidPhone => {
                "Nieprawidłowy numer telefonu (oczekiwano 9 cyfr, opcjonalnie z +48, lub numeru zagranicznego z +kodem kraju).".into()
            }
            ValueError::InvalidTerytFormat => {
                "Kod TERYT musi mieć 4 cyfry (powiat) lub 7 cyfr (gmina).".into()
            }
            ValueError::TerytNotAUnit { code } => format!(
                "Kod TERYT {code} oznacza miasto lub obszar wiejski w gminie albo delegaturę, a nie samą gminę. Podaj kod gminy (ostatnia cyfra 1, 2 lub 3)."
            ),
            ValueError::UnknownTeryt { code } => format!(
                "Nieznany kod TERYT {code}: nie ma takiego powiatu ani gminy w województwie wielkopolskim."
            ),
            ValueError::InvalidId => "Nieprawidłowy identyfikator.".into(),
            ValueError::InvalidDate => {
                "Nieprawidłowa data (oczekiwano formatu RRRR-MM-DD, np. 2024-03-15).".into()
            }
            ValueError::EmptyQuery => "Wpisz szukaną frazę.".into(),
            ValueError::SearchTermTooShort { min } => {
                format!("Wyszukiwane słowo musi mieć co najmniej {min} znaki.")
            }
            ValueError::TooManySearchTerms { max } => {
                format!("Za dużo słów w wyszukiwaniu (najwyżej {max}).")
            }
        }
    }

    /// Message for the user, in English.
    pub fn message_en(&self) -> String {
        match self {
            ValueError::Empty => "This field is required.".into(),
            ValueError::TooLong { max, actual } => {
                format!("Text is too long: {actual} characters, at most {max} allowed.")
            }
            ValueError::InvalidCharacter { found } => {
                format!("Character not allowed: '{}'.", found.escape_default())
            }
            ValueError::InvalidEmail => {
                "Invalid e-mail address (expected e.g. jan.kowalski@gmina.pl; no Polish letters or spaces).".into()
            }
            ValueError::InvalidNipFormat => {
                "A NIP must have 10 digits (dashes, spaces and a PL prefix are allowed).".into()
            }
            ValueError::InvalidNipChecksum => {
                "Invalid NIP: the check digit does not match. Please check for a typo.".into()
            }
            ValueError::InvalidRegonFormat => "A REGON must have 9 or 14 digits.".into(),
            ValueError::InvalidRegonChecksum => {
                "Invalid REGON: the check digit does not match. Please check for a typo.".into()
            }
            ValueError::InvalidPostalCode => {
                "Invalid postal code (expected NN-NNN, e.g. 61-001).".into()
            }
            ValueError::InvalidPhone => {
                "Invalid phone number (expected 9 digits, optionally with +48, or a foreign number with +country code).".into()
            }
            ValueError::InvalidTerytFormat => {
                "A TERYT code must have 4 digits (powiat) or 7 digits (gmina).".into()
            }
            ValueError::TerytNotAUnit { code } => format!(
                "TERYT code {code} denotes a town or rural part of a gmina or a delegatura, not a gmina itself. Use the gmina's code (last digit 1, 2 or 3)."
            ),
            ValueError::UnknownTeryt { code } => format!(
                "Unknown TERYT code {code}: no such powiat or gmina in województwo wielkopolskie."
            ),
            ValueError::InvalidId => "Invalid identifier.".into(),
            ValueError::InvalidDate => {
                "Invalid date (expected YYYY-MM-DD, e.g. 2024-03-15).".into()
            }
            ValueError::EmptyQuery => "Please enter a search phrase.".into(),
            ValueError::SearchTermTooShort { min } => {
                format!("A search word must have at least {min} characters.")
            }
            ValueError::TooManySearchTerms { max } => {
                format!("Too many words in the search (at most {max}).")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_variants() -> Vec<ValueError> {
        vec![
            ValueError::Empty,
            ValueError::TooLong { max: 80, actual: 81 },
            ValueError::InvalidCharacter { found: '7' },
            ValueError::InvalidEmail,
            ValueError::InvalidNipFormat,
            ValueError::InvalidNipChecksum,
            ValueError::InvalidRegonFormat,
            ValueError::InvalidRegonChecksum,
            ValueError::InvalidPostalCode,
            ValueError::InvalidPhone,
            ValueError::InvalidTerytFormat,
            ValueError::TerytNotAUnit { code: "3064029".into() },
            ValueError::UnknownTeryt { code: "3099999".into() },
            ValueError::InvalidId,
            ValueError::InvalidDate,
            ValueError::EmptyQuery,
            ValueError::SearchTermTooShort { min: 2 },
            ValueError::TooManySearchTerms { max: 5 },
        ]
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let variants = all_variants();
        let mut codes: Vec<_> = variants.iter().map(|e| e.code()).collect();
        assert!(codes.iter().all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), variants.len());
    }

    #[test]
    fn messages_are_present_and_differ_by_language() {
        for e in all_variants() {
            let (pl, en) = (e.message_pl(), e.message_en());
            assert!(!pl.is_empty() && !en.is_empty(), "{e:?}");
            assert_ne!(pl, en, "{e:?}");
            assert_eq!(e.to_string(), en);
        }
    }

    #[test]
    fn messages_carry_details() {
        let e = ValueError::UnknownTeryt { code: "3099999".into() };
        assert!(e.message_pl().contains("3099999"));
        assert!(e.message_en().contains("3099999"));
        let e = ValueError::TooLong { max: 80, actual: 81 };
        assert!(e.message_pl().contains("80") && e.message_pl().contains("81"));
    }
}
