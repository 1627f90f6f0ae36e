//! Contact history (historia kontaktu) and the audit trail (historia zmian).
//!
//! A contact event is immutable once written; it is linked to any number of objects (unit,
//! person, training, mailing, settlement, task) and appears in the timeline of each of them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{bounded_text, FieldError, ValidationErrors};
use crate::ids::{AuditId, EventId};

/// A user as shown in history: the Cognito subject and the display name at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Unit,
    Person,
    Training,
    Mailing,
    Settlement,
    Task,
    /// A received e-mail: its own timeline holds its arrival and the replies to it.
    InboundMail,
    /// A generated document (letter, contract, settlement statement): its record and timeline.
    Document,
}

impl ObjectKind {
    pub fn key_prefix(self) -> &'static str {
        match self {
            Self::Unit => "UNIT",
            Self::Person => "PERSON",
            Self::Training => "TRAINING",
            Self::Mailing => "MAILING",
            Self::Settlement => "SETTLEMENT",
            Self::Task => "TASK",
            Self::InboundMail => "INBOUND",
            Self::Document => "DOCUMENT",
        }
    }
}

/// A link from an event or task to any object, with the object's label at the time of linking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub kind: ObjectKind,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// What happened. Staff record notes, calls and meetings by hand; the other kinds are written
/// by the system (mailing, enrolment, …) as later modules add them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Note,
    Call,
    Meeting,
    Email,
    /// Enrolled, waitlisted, promoted, cancelled or substituted on a training.
    Enrolment,
    /// A training's phase changed.
    Training,
    /// What SES reported about a sent e-mail.
    EmailDelivered,
    EmailBounced,
    EmailComplaint,
    EmailOpened,
    EmailClicked,
    /// An e-mail received at the association's address.
    EmailInbound,
    /// A document generated for the object: certificate, letter, contract, statement.
    Document,
}

impl EventKind {
    pub fn is_manual(self) -> bool {
        matches!(self, Self::Note | Self::Call | Self::Meeting)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactEvent {
    pub id: EventId,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub author: UserRef,
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub links: Vec<ObjectRef>,
}

/// A staff member's hand-written entry, as posted.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewContactEvent {
    /// `note`, `call` or `meeting`.
    pub kind: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    /// Persons the event also concerns (they must belong to the unit).
    #[serde(default)]
    pub person_ids: Vec<String>,
}

pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 10_000;

impl NewContactEvent {
    /// Validates the entry; `links` are the objects it belongs to, resolved by the caller.
    pub fn into_event(
        self,
        author: UserRef,
        at: DateTime<Utc>,
        links: Vec<ObjectRef>,
    ) -> Result<ContactEvent, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let kind = match self.kind.as_deref().map(str::trim) {
            Some("note") => Some(EventKind::Note),
            Some("call") => Some(EventKind::Call),
            Some("meeting") => Some(EventKind::Meeting),
            None | Some("") => {
                errors.push(FieldError::required("kind"));
                None
            }
            Some(_) => {
                errors.push(FieldError::new(
                    "kind",
                    "invalid_event_kind",
                    "Rodzaj musi być jednym z: notatka (note), rozmowa (call), spotkanie (meeting).",
                    "Kind must be one of: note, call, meeting.",
                ));
                None
            }
        };
        let subject = errors.required("subject", self.subject.as_deref(), |s| bounded_text(s, SUBJECT_MAX));
        let body = errors.optional("body", self.body.as_deref(), |s| bounded_text(s, BODY_MAX));
        match (kind, subject, errors.is_empty()) {
            (Some(kind), Some(subject), true) => {
                Ok(ContactEvent { id: EventId::generate(), kind, at, author, subject, body, links })
            }
            _ => Err(errors),
        }
    }
}

/// One field's value before and after a change, as displayed text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Collects the changed fields of an entity; unchanged ones are skipped.
#[derive(Debug, Default)]
pub struct ChangeSet(pub Vec<FieldChange>);

impl ChangeSet {
    pub fn compare<T: PartialEq + ToString>(&mut self, field: &str, before: Option<&T>, after: Option<&T>) {
        if before != after {
            self.0.push(FieldChange {
                field: field.to_owned(),
                before: before.map(ToString::to_string),
                after: after.map(ToString::to_string),
            });
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    Leave,
    Move,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: DateTime<Utc>,
    pub actor: UserRef,
    pub action: AuditAction,
    pub changes: Vec<FieldChange>,
}

impl AuditEntry {
    pub fn new(actor: UserRef, at: DateTime<Utc>, action: AuditAction, changes: Vec<FieldChange>) -> Self {
        Self { id: AuditId::generate(), at, actor, action, changes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author() -> UserRef {
        UserRef { id: "u1".into(), name: "Ewa Staff".into() }
    }

    #[test]
    fn manual_event_needs_kind_and_subject() {
        let errors = NewContactEvent::default().into_event(author(), Utc::now(), vec![]).unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "subject"]);
    }

    #[test]
    fn system_kinds_cannot_be_posted_by_hand() {
        let input = NewContactEvent { kind: Some("email".into()), subject: Some("x".into()), ..Default::default() };
        let errors = input.into_event(author(), Utc::now(), vec![]).unwrap_err();
        assert_eq!(errors.0[0].code, "invalid_event_kind");
    }

    #[test]
    fn valid_event_keeps_links_and_trims() {
        let links = vec![ObjectRef { kind: ObjectKind::Unit, id: "u".into(), label: None }];
        let input = NewContactEvent {
            kind: Some("call".into()),
            subject: Some("  Rozmowa o szkoleniu  ".into()),
            body: Some("".into()),
            person_ids: vec![],
        };
        let event = input.into_event(author(), Utc::now(), links.clone()).unwrap();
        assert_eq!(event.subject, "Rozmowa o szkoleniu");
        assert_eq!(event.body, None);
        assert_eq!(event.links, links);
        assert_eq!(event.kind, EventKind::Call);
    }

    #[test]
    fn change_set_records_only_differences() {
        let mut changes = ChangeSet::default();
        changes.compare("phone", Some(&"1".to_string()), Some(&"1".to_string()));
        changes.compare("email", None, Some(&"a@b.pl".to_string()));
        assert_eq!(changes.0.len(), 1);
        assert_eq!(changes.0[0].field, "email");
        assert_eq!(changes.0[0].before, None);
    }
}
