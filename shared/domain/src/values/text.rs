//! Bounded free text for names of things, titles, subjects and bodies.

use super::{StringSchema, ValueError};
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// Single-line text of 1..=`MAX` characters (Unicode scalar values, after normalisation).
///
/// For "name" (of an organisation, a training), "position", "subject" and similar. Stored NFC,
/// trimmed, with every run of whitespace (newlines included) collapsed to one space, so a
/// pasted value cannot smuggle line breaks into an e-mail header or a CSV export. Other
/// control characters are rejected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text<const MAX: usize>(String);

/// Multi-line text of 1..=`MAX` characters, for "body", "notes", descriptions.
///
/// Stored NFC and trimmed at both ends; line breaks are kept (CRLF and CR become LF), tabs are
/// kept, other control characters are rejected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MultilineText<const MAX: usize>(String);

/// A title, subject, organisation name or position (≤ 200 characters, single line).
pub type Title = Text<200>;
/// A note (≤ 4 000 characters, multi-line).
pub type Note = MultilineText<4000>;
/// A message or document body (≤ 20 000 characters, multi-line).
pub type Body = MultilineText<20000>;

fn check_len(s: String, max: usize) -> Result<String, ValueError> {
    if s.is_empty() {
        return Err(ValueError::Empty);
    }
    let len = s.chars().count();
    if len > max {
        return Err(ValueError::TooLong { max, actual: len });
    }
    Ok(s)
}

impl<const MAX: usize> Text<MAX> {
    /// Parses single-line text.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let normalized: String = s.nfc().collect();
        let collapsed = normalized.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(found) = collapsed.chars().find(|c| c.is_control()) {
            return Err(ValueError::InvalidCharacter { found });
        }
        check_len(collapsed, MAX).map(Text)
    }
}

impl<const MAX: usize> MultilineText<MAX> {
    /// Parses multi-line text.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let unified = s.replace("\r\n", "\n").replace('\r', "\n");
        let normalized: String = unified.nfc().collect();
        let trimmed = normalized.trim();
        if let Some(found) = trimmed.chars().find(|&c| c.is_control() && c != '\n' && c != '\t') {
            return Err(ValueError::InvalidCharacter { found });
        }
        check_len(trimmed.to_owned(), MAX).map(MultilineText)
    }
}

macro_rules! text_boilerplate {
    ($ty:ident, $schema_prefix:literal, $description:literal, $example:literal) => {
        impl<const MAX: usize> $ty<MAX> {
            /// The stored text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Consumes the value, returning the stored text.
            pub fn into_string(self) -> String {
                self.0
            }

            /// The maximum length in characters.
            pub const MAX_CHARS: usize = MAX;
        }

        impl<const MAX: usize> ::std::fmt::Display for $ty<MAX> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<const MAX: usize> AsRef<str> for $ty<MAX> {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<const MAX: usize> ::std::str::FromStr for $ty<MAX> {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl<const MAX: usize> TryFrom<String> for $ty<MAX> {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl<const MAX: usize> TryFrom<&str> for $ty<MAX> {
            type Error = ValueError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }

        impl<const MAX: usize> From<$ty<MAX>> for String {
            fn from(v: $ty<MAX>) -> String {
                v.0
            }
        }

        impl<const MAX: usize> utoipa::PartialSchema for $ty<MAX> {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                StringSchema { min_length: Some(1), max_length: Some(MAX), ..StringSchema::new($description, $example) }
                    .build()
            }
        }

        /// Named per length (e.g. `Text200`) so two limits never collide in the OpenAPI
        /// components.
        impl<const MAX: usize> utoipa::ToSchema for $ty<MAX> {
            fn name() -> Cow<'static, str> {
                Cow::Owned(format!(concat!($schema_prefix, "{}"), MAX))
            }
        }
    };
}

text_boilerplate!(
    Text,
    "Text",
    "Single-line text, trimmed, whitespace collapsed, no control characters.",
    "Szkolenie: nowe prawo zamówień publicznych"
);
text_boilerplate!(
    MultilineText,
    "MultilineText",
    "Multi-line text, trimmed, line breaks normalised to \\n, no control characters other than \\n and \\t.",
    "Dzień dobry,\nw załączeniu program szkolenia."
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn single_line_text_is_collapsed_and_bounded() {
        assert_eq!(Title::parse("  Wójt   gminy\r\nKleszczewo ").unwrap().as_str(), "Wójt gminy Kleszczewo");
        assert_eq!(Title::parse("   "), Err(ValueError::Empty));
        assert_eq!(Title::parse("a\u{7}b"), Err(ValueError::InvalidCharacter { found: '\u{7}' }));
        assert!(Text::<5>::parse("Łódźą").is_ok(), "limit counts characters, not bytes");
        assert_eq!(Text::<5>::parse("Łódźąż"), Err(ValueError::TooLong { max: 5, actual: 6 }));
        assert_eq!(Text::<5>::parse("E\u{301}"), Text::<5>::parse("\u{c9}"), "NFC");
        assert_eq!(Title::MAX_CHARS, 200);
    }

    #[test]
    fn multiline_text_keeps_lines() {
        let b = Body::parse("\r\n Dzień dobry,\r\n\r\n\tprogram w załączeniu.\rPozdrawiam \n").unwrap();
        assert_eq!(b.as_str(), "Dzień dobry,\n\n\tprogram w załączeniu.\nPozdrawiam");
        assert_eq!(Note::parse("\n\n"), Err(ValueError::Empty));
        assert_eq!(Note::parse("x\u{1b}[31m"), Err(ValueError::InvalidCharacter { found: '\u{1b}' }));
        assert_eq!(MultilineText::<3>::parse("abcd"), Err(ValueError::TooLong { max: 3, actual: 4 }));
    }

    #[test]
    fn serde_validates() {
        #[derive(serde::Deserialize, Debug)]
        struct Req {
            #[allow(dead_code)]
            subject: Title,
        }
        assert!(serde_json::from_str::<Req>(r#"{"subject":"  "}"#).is_err());
        let long = format!(r#"{{"subject":"{}"}}"#, "x".repeat(201));
        let err = serde_json::from_str::<Req>(&long).unwrap_err();
        assert!(err.to_string().contains("at most 200"), "{err}");
        let t: Title = serde_json::from_str("\" Zebranie  członków \"").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"Zebranie członków\"");
    }

    proptest! {
        #[test]
        fn text_parse_is_idempotent(s in "\\PC{0,60}") {
            if let Ok(t) = Title::parse(&s) {
                prop_assert_eq!(Title::parse(t.as_str()).unwrap(), t.clone());
                let json = serde_json::to_string(&t).unwrap();
                prop_assert_eq!(serde_json::from_str::<Title>(&json).unwrap(), t);
            } else {
                prop_assert!(s.trim().is_empty() || s.chars().any(|c| c.is_control()));
            }
        }

        #[test]
        fn multiline_parse_is_idempotent(lines in prop::collection::vec("[a-zA-Ząęłóśżź ,.]{0,20}", 1..5)) {
            let s = lines.join("\r\n");
            if let Ok(t) = Note::parse(&s) {
                prop_assert_eq!(Note::parse(t.as_str()).unwrap(), t.clone());
                prop_assert!(!t.as_str().contains('\r'));
            } else {
                prop_assert!(s.trim().is_empty());
            }
        }
    }
}
