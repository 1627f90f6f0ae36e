//! Notifications (e-mails that confirm each step of an enrolment), as written to the outbox in
//! the same transaction as the state change they announce. The sender (a separate function)
//! renders and sends them; an outbox entry's id is derived from the change it announces, so a
//! retried request writes the same entry once and the sender sends it once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::history::UserRef;
use crate::ids::{CertificateId, EnrolmentId, PersonId, TrainingId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Enrolled,
    Waitlisted,
    Promoted,
    Cancelled,
    Substituted,
    TrainingCancelled,
    Reminder,
    /// A certificate of attendance was issued (or corrected): the link to download it.
    CertificateIssued,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 8] = [
        Self::Enrolled,
        Self::Waitlisted,
        Self::Promoted,
        Self::Cancelled,
        Self::Substituted,
        Self::TrainingCancelled,
        Self::Reminder,
        Self::CertificateIssued,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Enrolled => "enrolled",
            Self::Waitlisted => "waitlisted",
            Self::Promoted => "promoted",
            Self::Cancelled => "cancelled",
            Self::Substituted => "substituted",
            Self::TrainingCancelled => "training_cancelled",
            Self::Reminder => "reminder",
            Self::CertificateIssued => "certificate_issued",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    /// Claimed by a sender; a claim older than a few minutes is taken over (the sender died).
    Sending,
    Sent,
    /// Cannot be sent (e.g. the person has no e-mail address); not retried.
    Failed,
}

impl DeliveryStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub training_id: TrainingId,
    pub enrolment_id: EnrolmentId,
    pub person_id: PersonId,
    /// Who caused it (the administrator, the participant, staff or the system).
    pub by: UserRef,
    pub created_at: DateTime<Utc>,
    pub status: DeliveryStatus,
    /// The SES message id once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The unit administrator who made the change for someone else, copied if the sender is
    /// configured to copy administrators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_to: Option<String>,
    /// For `certificate_issued`: which certificate the e-mail links to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<CertificateId>,
}

impl Notification {
    /// `revision` is the enrolment's version after the change: one entry per state change.
    pub fn new(
        kind: NotificationKind,
        training_id: TrainingId,
        enrolment_id: EnrolmentId,
        person_id: PersonId,
        revision: u64,
        by: UserRef,
        now: DateTime<Utc>,
    ) -> Self {
        let name = format!("{}:{enrolment_id}:{person_id}:{revision}", kind.code());
        Self {
            id: Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes()),
            kind,
            training_id,
            enrolment_id,
            person_id,
            by,
            created_at: now,
            status: DeliveryStatus::Pending,
            message_id: None,
            error: None,
            copy_to: None,
            certificate_id: None,
        }
    }

    pub fn with_copy_to(mut self, copy_to: Option<String>) -> Self {
        self.copy_to = copy_to;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_change_gives_the_same_entry_and_another_change_another() {
        let (training, enrolment, person) = (TrainingId::generate(), EnrolmentId::generate(), PersonId::generate());
        let by = UserRef { id: "u".into(), name: "Anna".into() };
        let now = Utc::now();
        let first = Notification::new(NotificationKind::Enrolled, training, enrolment, person, 1, by.clone(), now);
        let retry = Notification::new(NotificationKind::Enrolled, training, enrolment, person, 1, by.clone(), now);
        let cancel = Notification::new(NotificationKind::Cancelled, training, enrolment, person, 2, by, now);
        assert_eq!(first.id, retry.id);
        assert_ne!(first.id, cancel.id);
    }
}
