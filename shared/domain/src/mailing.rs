//! Mailings (wysyłki): one message rendered per recipient from a template, sent to an audience
//! fixed when the mailing starts. The mailing moves through an explicit status machine; each
//! recipient has its own ([`recipient`]); SES reports what happened next ([`events`]).

pub mod audience;
pub mod context;
pub mod events;
pub mod pacing;
pub mod recipient;
pub mod simulator;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{bounded_text, FieldError, ValidationErrors};
use crate::history::UserRef;
use crate::ids::{MailingId, TrainingId};
use crate::templates::MessageTemplate;
use crate::values::Email;

pub use audience::{Audience, AudienceInput, PersonFilter};
pub use context::{MailingContext, MAILING_PLACEHOLDERS};

/// What a mailing is for. Newsletters and invitations are the kind a person may unsubscribe
/// from (List-Unsubscribe and a link in the footer); service messages reach everyone selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailingKind {
    Newsletter,
    Invitation,
    Service,
}

impl MailingKind {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "newsletter" => Some(Self::Newsletter),
            "invitation" => Some(Self::Invitation),
            "service" => Some(Self::Service),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Newsletter => "newsletter",
            Self::Invitation => "invitation",
            Self::Service => "service",
        }
    }

    pub fn allows_unsubscribe(self) -> bool {
        matches!(self, Self::Newsletter | Self::Invitation)
    }
}

/// draft → preparing (recipients being fixed) → sending ⇄ paused → completed; cancelled from
/// any state before completion. Nothing is sent unless the mailing is `sending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailingStatus {
    Draft,
    Preparing,
    Sending,
    Paused,
    Cancelled,
    Completed,
}

impl MailingStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Preparing => "preparing",
            Self::Sending => "sending",
            Self::Paused => "paused",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Self::Cancelled | Self::Completed)
    }
}

/// What staff ask of a mailing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailingAction {
    Start,
    Pause,
    Resume,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailingRuleError {
    #[error("only a draft can be edited")]
    NotADraft,
    #[error("a mailing that is {0:?} cannot be {1:?}")]
    Transition(MailingStatus, &'static str),
    #[error("the audience selects nobody with an e-mail address")]
    NoRecipients,
}

impl MailingRuleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotADraft => "mailing_not_draft",
            Self::Transition(..) => "mailing_status",
            Self::NoRecipients => "no_recipients",
        }
    }

    pub fn field_error(&self) -> FieldError {
        let (pl, en) = match self {
            Self::NotADraft => (
                "Wysyłkę można zmieniać tylko przed jej rozpoczęciem.".to_owned(),
                "Only a draft mailing can be edited.".to_owned(),
            ),
            Self::Transition(status, action) => (
                format!("Tej operacji nie można wykonać na wysyłce w stanie „{}”.", status_label_pl(*status)),
                format!("A mailing that is {} cannot be {action}.", status.code()),
            ),
            Self::NoRecipients => (
                "Wybrani odbiorcy nie mają adresów e-mail — nie ma do kogo wysłać.".to_owned(),
                "The audience selects nobody with an e-mail address.".to_owned(),
            ),
        };
        FieldError::new("status", self.code(), pl, en)
    }
}

pub fn status_label_pl(status: MailingStatus) -> &'static str {
    match status {
        MailingStatus::Draft => "szkic",
        MailingStatus::Preparing => "przygotowanie listy",
        MailingStatus::Sending => "wysyłanie",
        MailingStatus::Paused => "wstrzymana",
        MailingStatus::Cancelled => "anulowana",
        MailingStatus::Completed => "zakończona",
    }
}

/// The From of a mailing: a display name and an address in the association's verified domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sender {
    pub name: String,
    #[schema(value_type = String)]
    pub address: Email,
}

impl Sender {
    /// `"Name" <address>` with the name quoted (SES encodes non-ASCII names itself).
    pub fn header(&self) -> String {
        let name = self.name.replace(['"', '\\', '\r', '\n'], "");
        format!("\"{name}\" <{}>", self.address.as_str())
    }
}

/// Counts kept on the mailing as recipients move; each moves a count exactly once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub total: u32,
    pub sent: u32,
    pub failed: u32,
    pub suppressed: u32,
    pub unsubscribed: u32,
    pub delivered: u32,
    pub bounced: u32,
    pub complained: u32,
    pub opened: u32,
    pub clicked: u32,
}

impl Progress {
    /// Recipients that reached a final sending status (sent, failed, suppressed, unsubscribed).
    pub fn processed(&self) -> u32 {
        self.sent + self.failed + self.suppressed + self.unsubscribed
    }

    pub fn is_done(&self) -> bool {
        self.total > 0 && self.processed() >= self.total
    }

    /// Whole per cent of recipients processed (0 with no recipients yet).
    pub fn percent(&self) -> u32 {
        if self.total == 0 {
            0
        } else {
            (u64::from(self.processed().min(self.total)) * 100 / u64::from(self.total)) as u32
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Mailing {
    pub id: MailingId,
    pub name: String,
    pub kind: MailingKind,
    pub template: MessageTemplate,
    pub audience: Audience,
    pub sender: Sender,
    /// The training this mailing invites to (its invitation mailing), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_id: Option<TrainingId>,
    pub status: MailingStatus,
    pub created_at: DateTime<Utc>,
    pub created_by: UserRef,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Files sent with every message (stored in the documents bucket).
    #[serde(default)]
    pub attachments: Vec<MailingAttachment>,
    /// Moved by the senders and the delivery events one count at a time, never rewritten.
    #[serde(default)]
    pub progress: Progress,
    pub version: u64,
}

/// A file sent with every message of a mailing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailingAttachment {
    pub id: uuid::Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    /// Where the bytes are (documents bucket).
    pub key: String,
}

/// Attachments per mailing and their total: every recipient's message carries them, and SES
/// accepts messages up to 40 MB — mail servers of the units often refuse more than 10 MB.
pub const ATTACHMENTS_MAX: usize = 5;
pub const ATTACHMENTS_TOTAL_BYTES: u64 = 7 * 1024 * 1024;
const ATTACHMENT_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("doc", "application/msword"),
    ("xls", "application/vnd.ms-excel"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
];

impl Mailing {
    /// Checks a file about to be uploaded for a draft: its safe name and its content type (a
    /// known document or image type, by extension).
    pub fn check_attachment_name(&self, file_name: &str) -> Result<(String, &'static str), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.status != MailingStatus::Draft {
            errors.push(MailingRuleError::NotADraft.field_error());
            return Err(errors);
        }
        let name: String = file_name
            .trim()
            .chars()
            .map(|c| if c.is_control() || matches!(c, '/' | '\\' | '"') { '_' } else { c })
            .collect();
        let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
        let content_type = ATTACHMENT_TYPES.iter().find(|(ext, _)| *ext == extension).map(|(_, t)| *t);
        if name.is_empty() || name.chars().count() > 150 {
            errors.push(FieldError::new(
                "fileName",
                "invalid",
                "Podaj nazwę pliku (do 150 znaków).",
                "Give a file name (up to 150 characters).",
            ));
        } else if content_type.is_none() {
            errors.push(FieldError::new(
                "fileName",
                "file_type",
                "Dozwolone pliki: PDF, dokumenty i arkusze (DOCX, XLSX, ODT, ODS, DOC, XLS), obrazy PNG/JPG, TXT, CSV.",
                "Allowed: PDF, documents and spreadsheets, PNG/JPG images, TXT, CSV.",
            ));
        }
        match content_type {
            Some(content_type) if errors.is_empty() => Ok((name, content_type)),
            _ => Err(errors),
        }
    }

    /// Adds an uploaded file to a draft, within the count and total size.
    pub fn attach(
        &self,
        id: uuid::Uuid,
        file_name: &str,
        size: u64,
        key_for: impl FnOnce(uuid::Uuid, &str) -> String,
        now: DateTime<Utc>,
    ) -> Result<(Self, MailingAttachment), ValidationErrors> {
        let (name, content_type) = self.check_attachment_name(file_name)?;
        let mut errors = ValidationErrors::default();
        if self.attachments.iter().any(|a| a.id == id) {
            errors.push(FieldError::new(
                "attachmentId",
                "duplicate",
                "Ten plik jest już załączony.",
                "Already attached.",
            ));
        }
        let total: u64 = self.attachments.iter().map(|a| a.size).sum::<u64>() + size;
        if size == 0 {
            errors.push(FieldError::new("content", "empty", "Plik jest pusty.", "The file is empty."));
        } else if self.attachments.len() >= ATTACHMENTS_MAX || total > ATTACHMENTS_TOTAL_BYTES {
            errors.push(FieldError::new(
                "content",
                "too_large",
                format!("Najwyżej {ATTACHMENTS_MAX} załączników, razem do 7 MB."),
                format!("At most {ATTACHMENTS_MAX} attachments, 7 MB in total."),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let attachment = MailingAttachment {
            id,
            key: key_for(id, &name),
            file_name: name,
            content_type: content_type.to_owned(),
            size,
        };
        let mut next = self.clone();
        next.attachments.push(attachment.clone());
        next.updated_at = now;
        next.version += 1;
        Ok((next, attachment))
    }

    pub fn detach(&self, id: uuid::Uuid, now: DateTime<Utc>) -> Result<Self, MailingRuleError> {
        if self.status != MailingStatus::Draft {
            return Err(MailingRuleError::NotADraft);
        }
        let mut next = self.clone();
        next.attachments.retain(|a| a.id != id);
        next.updated_at = now;
        next.version += 1;
        Ok(next)
    }
}

/// A mailing as staff post it (create or edit a draft).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MailingInput {
    pub name: Option<String>,
    /// `newsletter`, `invitation` or `service`.
    pub kind: Option<String>,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub audience: Option<AudienceInput>,
    pub sender_name: Option<String>,
    pub sender_address: Option<String>,
    pub training_id: Option<String>,
}

/// A validated mailing input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailingDraft {
    pub name: String,
    pub kind: MailingKind,
    pub template: MessageTemplate,
    pub audience: Audience,
    pub sender: Sender,
    pub training_id: Option<TrainingId>,
}

pub const NAME_MAX: usize = 200;
pub const TEMPLATE_MAX: usize = 100_000;

/// The part of a mailing its messages are rendered from: enough for a live preview of a form
/// that is neither complete nor saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDraft {
    /// Empty while the form has no name yet.
    pub name: String,
    pub kind: MailingKind,
    pub template: MessageTemplate,
    pub training_id: Option<TrainingId>,
}

impl MailingInput {
    /// Parses every field; the template is checked against the mailing placeholders with their
    /// samples, so an unknown placeholder is reported now, not when 500 messages are rendered.
    /// `sender_domain` is the verified domain mail may be sent from.
    pub fn parse(self, sender_domain: &str) -> Result<MailingDraft, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = match self.name.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::required("name"));
                None
            }
            Some(raw) => errors.check("name", bounded_text(raw, NAME_MAX)),
        };
        let kind = self.parse_kind(&mut errors);
        let training_id = self.parse_training(&mut errors);
        let template = self.parse_template(&mut errors);
        let audience = self.audience.unwrap_or_default().parse(training_id.is_some(), &mut errors);
        let sender_name = match self.sender_name.as_deref().map(str::trim) {
            None | Some("") => Some("WOKiSS".to_owned()),
            Some(raw) => errors.check("senderName", bounded_text(raw, 100)),
        };
        let sender_address = errors.required("senderAddress", self.sender_address.as_deref(), Email::parse);
        if let Some(address) = &sender_address {
            if !address.domain().eq_ignore_ascii_case(sender_domain) {
                errors.push(FieldError::new(
                    "senderAddress",
                    "sender_domain",
                    format!("Nadawca musi mieć adres w domenie {sender_domain}."),
                    format!("The sender must be an address in {sender_domain}."),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(MailingDraft {
            name: name.expect("checked"),
            kind: kind.expect("checked"),
            template,
            audience,
            sender: Sender { name: sender_name.expect("checked"), address: sender_address.expect("checked") },
            training_id,
        })
    }

    /// Only what the message is rendered from (kind, linked training, template, name if any):
    /// the rest of the form may be unfinished while staff watch the preview as they type.
    pub fn parse_message(&self) -> Result<MessageDraft, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = match self.name.as_deref().map(str::trim) {
            None | Some("") => Some(String::new()),
            Some(raw) => errors.check("name", bounded_text(raw, NAME_MAX)),
        };
        let kind = self.parse_kind(&mut errors);
        let training_id = self.parse_training(&mut errors);
        let template = self.parse_template(&mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(MessageDraft { name: name.expect("checked"), kind: kind.expect("checked"), template, training_id })
    }

    fn parse_kind(&self, errors: &mut ValidationErrors) -> Option<MailingKind> {
        match self.kind.as_deref() {
            None => Some(MailingKind::Newsletter),
            Some(raw) => MailingKind::parse(raw).or_else(|| {
                errors.push(FieldError::new(
                    "kind",
                    "unknown_kind",
                    "Rodzaj wysyłki: newsletter, zaproszenie albo komunikat.",
                    "Kind must be newsletter, invitation or service.",
                ));
                None
            }),
        }
    }

    fn parse_training(&self, errors: &mut ValidationErrors) -> Option<TrainingId> {
        match self.training_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => errors.check("trainingId", TrainingId::parse(raw)),
        }
    }

    fn parse_template(&self, errors: &mut ValidationErrors) -> MessageTemplate {
        let template = MessageTemplate {
            subject: self.subject.clone().unwrap_or_default(),
            text: self.text.clone().unwrap_or_default(),
            html: self.html.clone().unwrap_or_default(),
        };
        for (field, source) in [("subject", &template.subject), ("text", &template.text), ("html", &template.html)] {
            if source.chars().count() > TEMPLATE_MAX {
                errors.push(FieldError::new(
                    field,
                    "too_long",
                    format!("Najwyżej {TEMPLATE_MAX} znaków."),
                    format!("At most {TEMPLATE_MAX} characters."),
                ));
            }
        }
        if let Err(template_errors) = template.validate_against(MAILING_PLACEHOLDERS, &MailingContext::sample()) {
            for error in template_errors.0 {
                errors.push(error);
            }
        }
        template
    }
}

impl Mailing {
    pub fn create(id: MailingId, draft: MailingDraft, by: UserRef, now: DateTime<Utc>) -> Self {
        Self {
            id,
            name: draft.name,
            kind: draft.kind,
            template: draft.template,
            audience: draft.audience,
            sender: draft.sender,
            training_id: draft.training_id,
            status: MailingStatus::Draft,
            created_at: now,
            created_by: by,
            updated_at: now,
            started_at: None,
            finished_at: None,
            attachments: Vec::new(),
            progress: Progress::default(),
            version: 1,
        }
    }

    pub fn edit(&self, draft: MailingDraft, now: DateTime<Utc>) -> Result<Self, MailingRuleError> {
        if self.status != MailingStatus::Draft {
            return Err(MailingRuleError::NotADraft);
        }
        Ok(Self {
            name: draft.name,
            kind: draft.kind,
            template: draft.template,
            audience: draft.audience,
            sender: draft.sender,
            training_id: draft.training_id,
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// The status after `action`, or why it is refused. Starting moves a draft to `preparing`
    /// (the recipients are then fixed and the mailing becomes `sending`, see [`Self::recipients_fixed`]).
    pub fn apply(&self, action: MailingAction, now: DateTime<Utc>) -> Result<Self, MailingRuleError> {
        use MailingStatus::*;
        let to = match (action, self.status) {
            (MailingAction::Start, Draft) => Preparing,
            (MailingAction::Pause, Sending) => Paused,
            (MailingAction::Resume, Paused) => Sending,
            (MailingAction::Cancel, Draft | Preparing | Sending | Paused) => Cancelled,
            (action, status) => {
                let verb = match action {
                    MailingAction::Start => "started",
                    MailingAction::Pause => "paused",
                    MailingAction::Resume => "resumed",
                    MailingAction::Cancel => "cancelled",
                };
                return Err(MailingRuleError::Transition(status, verb));
            }
        };
        Ok(Self {
            status: to,
            started_at: if to == Preparing { Some(now) } else { self.started_at },
            finished_at: if to == Cancelled { Some(now) } else { self.finished_at },
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// The recipients are stored: the mailing starts sending.
    pub fn recipients_fixed(&self, now: DateTime<Utc>) -> Result<Self, MailingRuleError> {
        if self.status != MailingStatus::Preparing {
            return Err(MailingRuleError::Transition(self.status, "started"));
        }
        Ok(Self { status: MailingStatus::Sending, updated_at: now, version: self.version + 1, ..self.clone() })
    }

    /// Whether the sender may hand a queued recipient to SES now.
    pub fn sends_now(&self) -> bool {
        self.status == MailingStatus::Sending
    }
}
