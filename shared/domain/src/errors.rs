//! Validation errors that name the offending field, in Polish and English.
//!
//! Every parse of user input collects *all* field errors (not just the first), so a form can
//! mark every bad field at once.

use serde::Serialize;
use utoipa::ToSchema;

use crate::values::ValueError;

/// One rejected field: machine code plus a message in both UI languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// JSON path of the field, e.g. `email` or `address.postalCode`.
    pub field: String,
    pub code: String,
    pub pl: String,
    pub en: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, pl: impl Into<String>, en: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.to_owned(), pl: pl.into(), en: en.into() }
    }

    pub fn from_value(field: impl Into<String>, error: &ValueError) -> Self {
        Self::new(field, error.code(), error.message_pl(), error.message_en())
    }

    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, "required", "To pole jest wymagane.", "This field is required.")
    }
}

/// All field errors of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// Records an error; a field keeps its first error only (one message per field).
    pub fn push(&mut self, error: FieldError) {
        if !self.0.iter().any(|existing| existing.field == error.field) {
            self.0.push(error);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records the error of a parse (if any) and returns the parsed value.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, ValueError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(FieldError::from_value(field, &error));
                None
            }
        }
    }

    /// Parses an optional raw value: absent or blank means `None`, anything else must parse.
    pub fn optional<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        match raw.map(str::trim) {
            None | Some("") => None,
            Some(raw) => self.check(field, parse(raw)),
        }
    }

    /// Parses a required raw value: absent or blank is a `required` error.
    pub fn required<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        match raw.map(str::trim) {
            None | Some("") => {
                self.push(FieldError::required(field));
                None
            }
            Some(raw) => self.check(field, parse(raw)),
        }
    }

    /// Applies a PATCH value to an optional field: absent keeps `current`, blank clears,
    /// anything else must parse.
    pub fn patch<T>(
        &mut self,
        field: &str,
        current: Option<T>,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        match raw {
            None => current,
            Some(raw) => self.optional(field, Some(raw), parse),
        }
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

/// Free text of bounded length (names of units, positions, subjects, notes): trimmed, non-empty.
pub fn bounded_text(raw: &str, max_chars: usize) -> Result<String, ValueError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ValueError::Empty);
    }
    let length = trimmed.chars().count();
    if length > max_chars {
        return Err(ValueError::TooLong { max: max_chars, actual: length });
    }
    if let Some(found) = trimmed.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ValueError::InvalidCharacter { found });
    }
    Ok(trimmed.to_owned())
}
