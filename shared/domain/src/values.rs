//! Domain value types that *parse* rather than validate.
//!
//! Every type here can only be constructed through `parse` (or serde, which goes through
//! `parse` via `#[serde(try_from = "String")]`), so a value in hand is always valid and in its
//! canonical stored form. Handlers turn a [`ValueError`] into a 400/422 body by attaching the
//! field name and the Polish and English messages from [`ValueError::message_pl`] /
//! [`ValueError::message_en`] plus the machine code from [`ValueError::code`].
//!
//! All types serialize as a plain JSON string (their canonical form) and describe themselves to
//! OpenAPI as a `string` schema with an example.

mod email;
mod error;
mod nip;
mod person_name;
mod phone;
mod postal_code;
mod regon;
mod teryt_code;
mod text;

pub use email::Email;
pub use error::ValueError;
pub use nip::Nip;
pub use person_name::PersonName;
pub use phone::PhoneNumber;
pub use postal_code::PostalCode;
pub use regon::Regon;
pub use teryt_code::Teryt;
pub use text::{Body, MultilineText, Note, Text, Title};

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

/// Implements the string-newtype boilerplate shared by every value type: `as_str`, `Display`,
/// `AsRef<str>`, `FromStr`, `TryFrom<String>` (used by serde) and `From<T> for String`.
macro_rules! string_value {
    ($ty:ident) => {
        impl $ty {
            /// The canonical stored form.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Consumes the value, returning the canonical stored form.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::values::ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::values::ValueError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $crate::values::ValueError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}
pub(crate) use string_value;

/// Description of a string schema for OpenAPI; shared by the `PartialSchema` impls.
pub(crate) struct StringSchema {
    pub description: &'static str,
    pub example: &'static str,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<&'static str>,
    pub format: Option<SchemaFormat>,
}

impl StringSchema {
    pub(crate) const fn new(description: &'static str, example: &'static str) -> Self {
        StringSchema { description, example, min_length: None, max_length: None, pattern: None, format: None }
    }

    pub(crate) fn build(self) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(self.description))
            .examples([serde_json::Value::String(self.example.to_owned())])
            .min_length(self.min_length)
            .max_length(self.max_length)
            .pattern(self.pattern)
            .format(self.format)
            .into()
    }
}

/// Keeps only ASCII digits, provided every other character is one of `allowed_separators`.
/// Returns `None` when any other character is present, so that "12a3" is not silently read as
/// "123".
pub(crate) fn digits_only(s: &str, allowed_separators: &[char]) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if !allowed_separators.contains(&c) {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::{PartialSchema, ToSchema};

    fn schema_json<T: ToSchema>() -> serde_json::Value {
        serde_json::to_value(T::schema()).unwrap()
    }

    #[test]
    fn every_value_type_is_a_string_schema_with_an_example() {
        let schemas = [
            (Email::name(), schema_json::<Email>()),
            (Nip::name(), schema_json::<Nip>()),
            (Regon::name(), schema_json::<Regon>()),
            (PostalCode::name(), schema_json::<PostalCode>()),
            (PhoneNumber::name(), schema_json::<PhoneNumber>()),
            (Teryt::name(), schema_json::<Teryt>()),
            (PersonName::name(), schema_json::<PersonName>()),
            (Title::name(), schema_json::<Title>()),
            (Body::name(), schema_json::<Body>()),
        ];
        for (name, s) in schemas {
            assert_eq!(s["type"], "string", "{name}: {s}");
            let example = s["examples"][0].as_str().unwrap_or_else(|| panic!("{name}: {s}"));
            assert!(!example.is_empty(), "{name}");
        }
    }

    #[test]
    fn schema_examples_parse() {
        fn example<T: PartialSchema>() -> String {
            serde_json::to_value(T::schema()).unwrap()["examples"][0].as_str().unwrap().to_owned()
        }
        assert!(Email::parse(&example::<Email>()).is_ok());
        assert!(Nip::parse(&example::<Nip>()).is_ok());
        assert!(Regon::parse(&example::<Regon>()).is_ok());
        assert!(PostalCode::parse(&example::<PostalCode>()).is_ok());
        assert!(PhoneNumber::parse(&example::<PhoneNumber>()).is_ok());
        assert!(Teryt::parse(&example::<Teryt>()).is_ok());
        assert!(PersonName::parse(&example::<PersonName>()).is_ok());
        assert!(Title::parse(&example::<Title>()).is_ok());
        assert!(Body::parse(&example::<Body>()).is_ok());
    }

    #[test]
    fn generic_text_schemas_have_distinct_names() {
        assert_ne!(Text::<200>::name(), Text::<120>::name());
        assert_ne!(Text::<200>::name(), MultilineText::<200>::name());
    }

    #[test]
    fn digits_only_rejects_unexpected_characters() {
        assert_eq!(digits_only("123-45 6", &['-', ' ']).as_deref(), Some("123456"));
        assert_eq!(digits_only("12a3", &['-', ' ']), None);
        assert_eq!(digits_only("", &[]).as_deref(), Some(""));
    }
}
