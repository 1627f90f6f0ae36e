//! Generated documents: certificates of attendance (zaświadczenia), letters, contracts and
//! settlement statements, from templates staff can edit.
//!
//! A [`DocumentTemplate`] is minijinja text whose output is a small markup ([`markup`]) that
//! maps to a [`layout::Layout`]; `ewokiss-pdf` renders the layout to PDF. Every placeholder a
//! kind may use is declared with a Polish description and a sample ([`placeholders`]), and a
//! template is checked when it is saved ([`DocumentTemplate::validate`]): unknown placeholder,
//! template syntax and markup mistakes are reported as field errors, never first when a
//! certificate is due. Values are escaped as they are inserted, so a person's name cannot
//! change the layout.
//!
//! Certificates ([`certificate`]) carry a gapless per-year number, a version (a name correction
//! after issue makes version 2 under the same number) and a verification code; their download
//! links are signed tokens ([`link`]) that keep working for years.

pub mod certificate;
mod context;
mod defaults;
pub mod generated;
pub mod layout;
pub mod link;
pub mod markup;

#[cfg(test)]
mod tests;

use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{FieldError, ValidationErrors};
use crate::templates::Placeholder;

pub use context::{
    format_amount, AssociationContext, CertificateContext, CertificateFields, ContractContext, ContractFields,
    DocumentContext, LetterContext, LetterFields, PartyContext, PersonFields, StatementContext, StatementFields,
    StatementLine, TrainingFields, ASSOCIATION_ADDRESS, ASSOCIATION_CITY,
};
pub use defaults::default_template;

/// Longest template source accepted (characters), title and body each.
pub const SOURCE_MAX: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Zaświadczenie o ukończeniu szkolenia (one template per training kind, or the default).
    Certificate,
    /// Pismo to a person or a unit.
    Letter,
    /// Umowa with a unit.
    Contract,
    /// Zestawienie rozliczenia: the lines of a settlement.
    SettlementStatement,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] = [Self::Certificate, Self::Letter, Self::Contract, Self::SettlementStatement];

    pub fn code(self) -> &'static str {
        match self {
            Self::Certificate => "certificate",
            Self::Letter => "letter",
            Self::Contract => "contract",
            Self::SettlementStatement => "settlement_statement",
        }
    }

    pub fn label_pl(self) -> &'static str {
        match self {
            Self::Certificate => "zaświadczenie",
            Self::Letter => "pismo",
            Self::Contract => "umowa",
            Self::SettlementStatement => "zestawienie rozliczenia",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == raw.trim())
    }
}

impl std::fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The placeholders a kind's templates may use, with the samples the preview shows.
pub fn placeholders(kind: DocumentKind) -> &'static [Placeholder] {
    context::placeholders(kind)
}

/// A template staff can edit. `title` (one line: the PDF's title and the file name) and `body`
/// (the markup) are minijinja sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTemplate {
    pub kind: DocumentKind,
    /// Certificates only: the training kind this template is for (e.g. `LEX-SEMINAR`); `None`
    /// is the default for every kind without its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_kind: Option<String>,
    pub title: String,
    pub body: String,
}

/// A template filled in and parsed: ready for `ewokiss-pdf`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedDocument {
    pub kind: DocumentKind,
    pub title: String,
    pub layout: layout::Layout,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("template {part}: {detail}")]
    Template { part: &'static str, detail: String },
    #[error("markup: {0}")]
    Markup(#[from] markup::MarkupError),
    #[error("a {template} template cannot render {context} data")]
    WrongKind { template: DocumentKind, context: DocumentKind },
}

impl DocumentError {
    pub fn field_error(&self) -> FieldError {
        match self {
            Self::Template { part, detail } => FieldError::new(
                *part,
                "template_error",
                format!("Błąd w szablonie: {detail}"),
                format!("Template error: {detail}"),
            ),
            Self::Markup(error) => FieldError::new("body", error.code, error.pl.clone(), error.en.clone()),
            Self::WrongKind { template, context } => FieldError::new(
                "kind",
                "wrong_document_kind",
                format!("Szablon „{}” nie pasuje do danych „{}”.", template.label_pl(), context.label_pl()),
                format!("A {template} template cannot render {context} data."),
            ),
        }
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Indentation before a `{% … %}` line is not output (see `prepare` for its line break).
    env.set_lstrip_blocks(true);
    env.set_formatter(|out, _state, value| {
        if value.is_undefined() {
            return Err(minijinja::Error::from(minijinja::ErrorKind::UndefinedError));
        }
        if value.is_none() {
            return Ok(());
        }
        // `|safe` inserts markup as it is; everything else prints literally.
        let text = match value.as_str() {
            Some(text) if value.is_safe() => return Ok(out.write_str(text)?),
            Some(text) => markup::escape_value(text),
            None => markup::escape_value(&value.to_string()),
        };
        Ok(out.write_str(&text)?)
    });
    env
}

impl DocumentTemplate {
    /// Fills in the template and parses the markup.
    pub fn render(&self, context: &DocumentContext) -> Result<RenderedDocument, DocumentError> {
        if context.kind() != self.kind {
            return Err(DocumentError::WrongKind { template: self.kind, context: context.kind() });
        }
        let env = environment();
        let values = context.values();
        let render = |part: &'static str, name: &str, source: &str| {
            env.render_named_str(name, &prepare(source), &values)
                .map_err(|e| DocumentError::Template { part, detail: describe(&e) })
        };
        let title = render("title", "title", &self.title)?;
        let title = markup::parse(&title, None).map(|layout| layout.plain_text().replace('\n', " "))?;
        let body = render("body", "body", &self.body)?;
        let layout = markup::parse(&body, context.qr_payload())?;
        Ok(RenderedDocument { kind: self.kind, title: title.trim().to_owned(), layout })
    }

    /// Checks a template at save time by rendering it with the declared samples: the preview.
    pub fn validate(&self) -> Result<RenderedDocument, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (field, source) in [("title", &self.title), ("body", &self.body)] {
            if source.trim().is_empty() {
                errors.push(FieldError::required(field));
            } else if source.chars().count() > SOURCE_MAX {
                errors.push(FieldError::new(
                    field,
                    "too_long",
                    format!("Szablon jest za długi (najwyżej {SOURCE_MAX} znaków)."),
                    format!("The template is too long (at most {SOURCE_MAX} characters)."),
                ));
            }
        }
        match (&self.training_kind, self.kind) {
            (Some(code), DocumentKind::Certificate) if code.trim().is_empty() => {
                errors.push(FieldError::required("trainingKind"))
            }
            (Some(_), kind) if kind != DocumentKind::Certificate => errors.push(FieldError::new(
                "trainingKind",
                "training_kind_not_allowed",
                "Rodzaj szkolenia wskazuje się tylko w szablonach zaświadczeń.",
                "A training kind is set on certificate templates only.",
            )),
            _ => {}
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let declared = placeholders(self.kind);
        let env = environment();
        for (field, source) in [("title", &self.title), ("body", &self.body)] {
            let prepared = prepare(source);
            let template = match env.template_from_named_str(field, &prepared) {
                Ok(template) => template,
                Err(error) => {
                    errors.push(DocumentError::Template { part: field, detail: describe(&error) }.field_error());
                    continue;
                }
            };
            let mut unknown: Vec<String> = template
                .undeclared_variables(true)
                .into_iter()
                .filter(|used| !declared.iter().any(|p| p.name == used || p.name.starts_with(&format!("{used}."))))
                .collect();
            unknown.sort();
            if let Some(first) = unknown.first() {
                let known = declared.iter().map(|p| p.name).collect::<Vec<_>>().join(", ");
                errors.push(FieldError::new(
                    field,
                    "unknown_placeholder",
                    format!("Nieznane pole: {first}. Dostępne: {known}."),
                    format!("Unknown placeholder: {first}. Available: {known}."),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        self.render(&DocumentContext::sample(self.kind)).map_err(|error| error.field_error().into())
    }
}

/// A line holding only block tags (`{% for … %}`, `{% endif %}`) leaves nothing in the output,
/// not even its line break, so it neither ends a paragraph nor splits a table; its line break is
/// hidden in a comment, so error line numbers still match the source. Unlike minijinja's
/// `trim_blocks`, a tag inside a line of text keeps the line break that follows it.
fn prepare(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 64);
    let mut lines = source.split('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        if lines.peek().is_none() {
            break;
        }
        let trimmed = line.trim();
        let only_tags = trimmed.starts_with("{%")
            && trimmed.ends_with("%}")
            && trimmed.split("%}").all(|part| part.trim().is_empty() || part.trim_start().starts_with("{%"));
        out.push_str(if only_tags { "{#\n#}" } else { "\n" });
    }
    out
}

/// The error with its line, without minijinja's source excerpt.
fn describe(error: &minijinja::Error) -> String {
    let detail = error.detail().map(|d| format!(": {d}")).unwrap_or_default();
    match error.line() {
        Some(line) => format!("{}{detail} (wiersz {line})", error.kind()),
        None => format!("{}{detail}", error.kind()),
    }
}

/// The template for a document: a certificate's own training kind's template first, then the
/// kind's stored default (no training kind), then the built-in one.
pub fn resolve_template(
    kind: DocumentKind,
    training_kind: Option<&str>,
    stored: &[DocumentTemplate],
) -> DocumentTemplate {
    let of_kind = |code: Option<&str>| {
        stored.iter().find(|t| t.kind == kind && t.training_kind.as_deref().map(str::trim) == code.map(str::trim))
    };
    let own = match (kind, training_kind) {
        (DocumentKind::Certificate, Some(code)) => of_kind(Some(code)),
        _ => None,
    };
    own.or_else(|| of_kind(None)).cloned().unwrap_or_else(|| default_template(kind))
}
