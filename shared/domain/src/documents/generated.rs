//! Documents staff generate from the templates: a contract (umowa) for a unit, a letter
//! (pismo) to a person or a unit, and the statement (zestawienie) of a settlement.
//!
//! Each is rendered once to PDF, stored in the private documents bucket and recorded as a
//! [`GeneratedDocument`] linked to the objects it concerns; its contact-history entry
//! ([`GeneratedDocument::event`]) appears in the timeline of each of them.
//!
//! Numbers: a contract gets a number of the gapless series `UM/NNNN/RRRR` ([`ContractNumber`])
//! the first time a document is generated for it; later documents of the same contract (after
//! its data or the template changed) keep that number. A statement carries its settlement's
//! number. A letter carries the reference (znak pisma) staff type, if any.
//!
//! A request may carry a client token ([`ClientToken`]): the document's id is derived from it,
//! so a retried request finds the document the first attempt made instead of making a second.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::{format_date, AssociationContext, ContractFields, LetterFields, PartyContext};
use super::{ContractContext, DocumentContext, DocumentKind, LetterContext, StatementContext};
use crate::contract::Contract;
use crate::errors::{bounded_text, FieldError, ValidationErrors};
use crate::history::{ContactEvent, EventKind, ObjectKind, ObjectRef, UserRef};
use crate::ids::{ContractId, DocumentId, EventId};
use crate::person::Person;
use crate::settlement::Settlement;
use crate::unit::Unit;

/// The series of contract numbers.
pub const CONTRACT_SERIES: &str = "UM";
const CONTRACT_SEQ_WIDTH: usize = 4;
pub const SUBJECT_MAX: usize = 200;
/// A letter's text (all paragraphs).
pub const LETTER_BODY_MAX: usize = 20_000;
pub const SHORT_TEXT_MAX: usize = 200;
const TOKEN_MIN: usize = 8;
const TOKEN_MAX: usize = 64;

/// `UM/NNNN/RRRR`: the sequence within the year of the contract's first document (zero-padded
/// to four digits; larger sequences print more) and that year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct ContractNumber {
    pub year: i32,
    pub seq: u32,
}

impl std::fmt::Display for ContractNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{CONTRACT_SERIES}/{:0width$}/{}", self.seq, self.year, width = CONTRACT_SEQ_WIDTH)
    }
}

/// A caller's idempotency key: 8–64 letters, digits, `-` or `_` (a UUID fits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientToken(String);

impl ClientToken {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let token = raw.trim();
        let valid = (TOKEN_MIN..=TOKEN_MAX).contains(&token.len())
            && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(token.to_owned()))
        } else {
            Err(FieldError::new(
                "clientToken",
                "invalid_client_token",
                "Nieprawidłowy token żądania (8–64 znaki: litery, cyfry, - lub _).",
                "Invalid client token (8–64 characters: letters, digits, - or _).",
            ))
        }
    }

    /// The id of the document a request with this token makes: the same token, the same id.
    pub fn document_id(&self) -> DocumentId {
        DocumentId::derived("document-request", &self.0)
    }
}

/// The document id for a request: derived from its token, or new.
pub fn document_id_for(token: Option<&ClientToken>) -> DocumentId {
    token.map_or_else(DocumentId::generate, ClientToken::document_id)
}

fn parse_token(errors: &mut ValidationErrors, raw: Option<&str>) -> Option<ClientToken> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        None => None,
        Some(raw) => match ClientToken::parse(raw) {
            Ok(token) => Some(token),
            Err(error) => {
                errors.push(error);
                None
            }
        },
    }
}

fn parse_day(errors: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<NaiveDate> {
    errors.optional(field, raw, |raw| {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| crate::values::ValueError::InvalidDate)
    })
}

fn optional_text(errors: &mut ValidationErrors, field: &str, raw: Option<&str>, max: usize) -> String {
    errors.optional(field, raw, |raw| bounded_text(raw, max)).unwrap_or_default()
}

/// A letter as staff type it: subject and text, merged into the letter template.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LetterInput {
    pub subject: Option<String>,
    /// The text; a blank line starts a new paragraph.
    pub body: Option<String>,
    /// Znak pisma, printed under the date (optional).
    pub reference: Option<String>,
    /// The letter's date (`YYYY-MM-DD`); today (Warsaw) when absent.
    pub date: Option<String>,
    /// Who signs; the staff member generating the letter when absent.
    pub signatory: Option<String>,
    pub signatory_role: Option<String>,
    /// Idempotency key: a repeated request with the same token returns the first document.
    pub client_token: Option<String>,
}

/// A letter's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRequest {
    pub fields: LetterFields,
    pub client_token: Option<ClientToken>,
}

/// Paragraphs of a typed text: split at blank lines, lines inside a paragraph joined by a space.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

impl LetterInput {
    pub fn check(self, author: &UserRef, today: NaiveDate) -> Result<LetterRequest, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let subject = errors.required("subject", self.subject.as_deref(), |s| bounded_text(s, SUBJECT_MAX));
        let body = errors.required("body", self.body.as_deref(), |s| bounded_text(s, LETTER_BODY_MAX));
        let reference = optional_text(&mut errors, "reference", self.reference.as_deref(), SHORT_TEXT_MAX);
        let date = parse_day(&mut errors, "date", self.date.as_deref()).unwrap_or(today);
        let signatory = optional_text(&mut errors, "signatory", self.signatory.as_deref(), SHORT_TEXT_MAX);
        let role = optional_text(&mut errors, "signatoryRole", self.signatory_role.as_deref(), SHORT_TEXT_MAX);
        let client_token = parse_token(&mut errors, self.client_token.as_deref());
        let (Some(subject), Some(body), true) = (subject, body, errors.is_empty()) else { return Err(errors) };
        Ok(LetterRequest {
            fields: LetterFields {
                number: reference,
                date: format_date(date),
                subject,
                paragraphs: paragraphs(&body),
                signatory: if signatory.is_empty() { author.name.clone() } else { signatory },
                signatory_role: role,
            },
            client_token,
        })
    }
}

/// A contract document for one of the unit's contracts.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractDocumentInput {
    /// The unit's long-term contract whose terms the document states.
    pub contract_id: Option<String>,
    /// Who signs for the unit, e.g. `Jan Nowak – Wójt Gminy`.
    pub represented_by: Option<String>,
    /// The day of signing printed on the contract (`YYYY-MM-DD`); today (Warsaw) when absent.
    pub signed_on: Option<String>,
    /// Idempotency key: a repeated request with the same token returns the first document.
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractRequest {
    pub contract_id: ContractId,
    pub represented_by: String,
    pub signed_on: NaiveDate,
    pub client_token: Option<ClientToken>,
}

impl ContractDocumentInput {
    pub fn check(self, today: NaiveDate) -> Result<ContractRequest, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let contract_id = errors.required("contractId", self.contract_id.as_deref(), ContractId::parse);
        let represented_by =
            optional_text(&mut errors, "representedBy", self.represented_by.as_deref(), SHORT_TEXT_MAX);
        let signed_on = parse_day(&mut errors, "signedOn", self.signed_on.as_deref()).unwrap_or(today);
        let client_token = parse_token(&mut errors, self.client_token.as_deref());
        let (Some(contract_id), true) = (contract_id, errors.is_empty()) else { return Err(errors) };
        Ok(ContractRequest { contract_id, represented_by, signed_on, client_token })
    }
}

/// A statement needs nothing but (optionally) the token.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatementInput {
    /// Idempotency key: a repeated request with the same token returns the first document.
    pub client_token: Option<String>,
}

impl StatementInput {
    pub fn check(self) -> Result<Option<ClientToken>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let token = parse_token(&mut errors, self.client_token.as_deref());
        errors.into_result(|| token)
    }
}

/// Why a document cannot be made from the data at hand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerationError {
    #[error("the contract belongs to another unit")]
    ContractOfOtherUnit,
    #[error("the settlement has no number yet (a draft)")]
    SettlementNotIssued,
}

impl GenerationError {
    pub fn field_error(&self) -> FieldError {
        match self {
            Self::ContractOfOtherUnit => FieldError::new(
                "contractId",
                "contract_of_other_unit",
                "Ta umowa należy do innej jednostki.",
                "This contract belongs to another unit.",
            ),
            Self::SettlementNotIssued => FieldError::new(
                "settlementId",
                "settlement_not_issued",
                "Zestawienie powstaje dla wystawionego rozliczenia (projekt nie ma jeszcze numeru).",
                "A statement is made for an issued settlement (a draft has no number yet).",
            ),
        }
    }
}

/// The merge data of a contract document.
pub fn contract_context(
    contract: &Contract,
    unit: &Unit,
    number: ContractNumber,
    request: &ContractRequest,
) -> Result<DocumentContext, GenerationError> {
    if contract.unit_id != unit.id {
        return Err(GenerationError::ContractOfOtherUnit);
    }
    let mut party = PartyContext::of_unit(unit);
    party.represented_by = request.represented_by.clone();
    Ok(DocumentContext::Contract(ContractContext {
        association: AssociationContext::default(),
        contract: ContractFields::of(contract, &number.to_string(), request.signed_on),
        unit: party,
    }))
}

/// The merge data of a letter to a unit.
pub fn letter_to_unit(unit: &Unit, fields: LetterFields) -> DocumentContext {
    DocumentContext::Letter(LetterContext {
        association: AssociationContext::default(),
        letter: fields,
        recipient: PartyContext::of_unit(unit),
    })
}

/// The merge data of a letter to a person, addressed at the person's unit.
pub fn letter_to_person(person: &Person, unit: &Unit, fields: LetterFields) -> DocumentContext {
    let unit_party = PartyContext::of_unit(unit);
    DocumentContext::Letter(LetterContext {
        association: AssociationContext::default(),
        letter: fields,
        recipient: PartyContext { name: person.full_name(), unit: unit.name.clone(), ..unit_party },
    })
}

/// The merge data of a settlement's statement.
pub fn statement_context(settlement: &Settlement) -> Result<DocumentContext, GenerationError> {
    if settlement.number.is_none() {
        return Err(GenerationError::SettlementNotIssued);
    }
    Ok(DocumentContext::SettlementStatement(StatementContext::of(settlement)))
}

/// A generated document: its PDF in the documents bucket and the objects it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedDocument {
    pub id: DocumentId,
    pub kind: DocumentKind,
    /// The rendered title (the PDF's title), e.g. `Umowa UM/0007/2026 – Gmina Suchy Las`.
    pub title: String,
    /// The contract's or settlement's number, or the letter's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The file name offered on download.
    pub file_name: String,
    /// Where the PDF is in the documents bucket.
    pub storage_key: String,
    pub size_bytes: u64,
    /// The objects the document belongs to (unit, person, settlement); the first is the one it
    /// was made for.
    pub links: Vec<ObjectRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<ContractId>,
    /// Whether a template staff saved was used (false: the built-in one).
    pub custom_template: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: UserRef,
}

/// A file name from a title: letters (Polish ones too), digits, `-`, `_` and `.`; the rest
/// become `-`; at most 80 characters before `.pdf`.
pub fn file_name(title: &str) -> String {
    let mut name = String::new();
    for c in title.chars() {
        let keep = c.is_alphanumeric() || c == '_' || c == '.';
        if keep {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
        if name.chars().count() >= 80 {
            break;
        }
    }
    let name = name.trim_matches(|c| c == '-' || c == '.');
    format!("{}.pdf", if name.is_empty() { "dokument" } else { name })
}

impl GeneratedDocument {
    /// Where the PDF of one rendering is stored: under the document's id and a nonce of the
    /// attempt, so a retry that lost a race never overwrites the winner's file.
    pub fn storage_key(id: DocumentId, kind: DocumentKind, created_at: DateTime<Utc>, attempt: uuid::Uuid) -> String {
        format!("documents/{}/{}/{id}/{}.pdf", kind.code(), crate::time::warsaw_date(created_at).format("%Y"), attempt)
    }

    /// The object the document was made for (a unit, a person or a settlement).
    pub fn owner(&self) -> Option<&ObjectRef> {
        self.links.first()
    }

    /// A reference to the document itself, for the history entry's links.
    pub fn as_object(&self) -> ObjectRef {
        ObjectRef { kind: ObjectKind::Document, id: self.id.to_string(), label: Some(self.title.clone()) }
    }

    /// The contact-history entry: "dokument" with the title, in the timeline of every linked
    /// object, linking the document too.
    pub fn event(&self) -> ContactEvent {
        let mut links = self.links.clone();
        links.push(self.as_object());
        ContactEvent {
            id: EventId::generate(),
            kind: EventKind::Document,
            at: self.created_at,
            author: self.created_by.clone(),
            subject: format!("{}: {}", capitalised(self.kind.label_pl()), self.title),
            body: Some(self.file_name.clone()),
            links,
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author() -> UserRef {
        UserRef { id: "s1".into(), name: "Ewa Kórnicka".into() }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 18).unwrap()
    }

    #[test]
    fn contract_numbers_are_padded_per_year() {
        assert_eq!(ContractNumber { year: 2026, seq: 7 }.to_string(), "UM/0007/2026");
        assert_eq!(ContractNumber { year: 2027, seq: 12345 }.to_string(), "UM/12345/2027");
    }

    #[test]
    fn tokens_are_checked_and_give_stable_ids() {
        let token = ClientToken::parse(" 0b6f3c1e-7d2a-4b8e-9f00-123456789abc ").unwrap();
        assert_eq!(
            token.document_id(),
            ClientToken::parse("0b6f3c1e-7d2a-4b8e-9f00-123456789abc").unwrap().document_id()
        );
        assert_ne!(token.document_id(), ClientToken::parse("another-token-1").unwrap().document_id());
        assert_eq!(ClientToken::parse("short").unwrap_err().field, "clientToken");
        assert!(ClientToken::parse("spaces are bad!").is_err());
    }

    #[test]
    fn letter_needs_subject_and_body_and_splits_paragraphs() {
        let errors = LetterInput::default().check(&author(), today()).unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["subject", "body"]);
        let input = LetterInput {
            subject: Some(" Plan szkoleń ".into()),
            body: Some("Pierwszy akapit,\n  ciąg dalszy.\n\n\nDrugi akapit.\n".into()),
            date: Some("2026-12-01".into()),
            ..Default::default()
        };
        let request = input.check(&author(), today()).unwrap();
        assert_eq!(request.fields.subject, "Plan szkoleń");
        assert_eq!(request.fields.paragraphs, ["Pierwszy akapit, ciąg dalszy.", "Drugi akapit."]);
        assert_eq!(request.fields.date, "01.12.2026");
        assert_eq!(request.fields.signatory, "Ewa Kórnicka");
        let bad_date = LetterInput { date: Some("1.12.2026".into()), ..input_ok() };
        assert_eq!(bad_date.check(&author(), today()).unwrap_err().0[0].field, "date");
    }

    fn input_ok() -> LetterInput {
        LetterInput { subject: Some("a".into()), body: Some("b".into()), ..Default::default() }
    }

    #[test]
    fn contract_input_names_its_fields() {
        let errors = ContractDocumentInput { contract_id: Some("nope".into()), ..Default::default() }
            .check(today())
            .unwrap_err();
        assert_eq!(errors.0[0].field, "contractId");
        let errors =
            ContractDocumentInput { client_token: Some("x".into()), ..Default::default() }.check(today()).unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["contractId", "clientToken"]);
    }

    #[test]
    fn file_names_keep_polish_letters() {
        assert_eq!(file_name("Umowa UM/0007/2026 – Gmina Łódź"), "Umowa-UM-0007-2026-Gmina-Łódź.pdf");
        assert_eq!(file_name("***"), "dokument.pdf");
    }

    #[test]
    fn letters_to_a_unit_and_to_a_person_render_with_the_default_template() {
        let unit = crate::unit::UnitInput {
            kind: Some("inna".into()),
            name: Some("Gmina Żerków".into()),
            ..Default::default()
        }
        .create(None, Utc::now())
        .unwrap();
        let person = crate::person::NewPerson {
            first_name: Some("Łucja".into()),
            last_name: Some("Źrebiec".into()),
            ..Default::default()
        }
        .parse()
        .unwrap()
        .into_person(&unit, Utc::now(), today())
        .0;
        let template = super::super::default_template(DocumentKind::Letter);
        let to_unit = letter_to_unit(&unit, input_ok().check(&author(), today()).unwrap().fields);
        assert!(template.render(&to_unit).unwrap().layout.plain_text().contains("Gmina Żerków"));
        let to_person = letter_to_person(&person, &unit, input_ok().check(&author(), today()).unwrap().fields);
        let text = template.render(&to_person).unwrap().layout.plain_text();
        assert!(text.contains("Łucja Źrebiec") && text.contains("Gmina Żerków"), "{text}");
        // An empty signatory role still renders (one caption line less).
        assert!(text.contains("Ewa Kórnicka"));
    }
}
