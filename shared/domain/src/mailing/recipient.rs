//! One recipient of a mailing: fixed when the mailing starts, then
//! queued → sending → sent / failed / suppressed / unsubscribed (each final), and after sending
//! the delivery facts SES reports. Facts are kept as "first seen at" per kind, so replayed or
//! out-of-order events cannot undo one another; the shown outcome is derived from them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{MailingId, PersonId, TrainingId, UnitId};
use crate::person::Person;

use super::events::SesEventKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecipientStatus {
    Queued,
    /// Claimed by a sender; a claim older than the claim timeout may be taken over.
    Sending,
    Sent,
    /// SES refused the message for good, or the address could not be used.
    Failed,
    /// The address is on the suppression list (earlier hard bounce or complaint).
    Suppressed,
    /// The person unsubscribed from newsletters.
    Unsubscribed,
}

impl RecipientStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Suppressed => "suppressed",
            Self::Unsubscribed => "unsubscribed",
        }
    }

    pub fn is_final(self) -> bool {
        !matches!(self, Self::Queued | Self::Sending)
    }
}

/// When each kind of delivery event was first reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryFacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delayed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounced_at: Option<DateTime<Utc>>,
    /// `Permanent`, `Transient` or `Undetermined` with SES's sub-type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complained_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clicked_at: Option<DateTime<Utc>>,
}

/// What the recipient's row shows, strongest fact first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOutcome {
    Pending,
    Delayed,
    Delivered,
    Opened,
    Clicked,
    Complained,
    Rejected,
    Bounced,
}

/// The attribute of [`DeliveryFacts`] an event sets, if any (Send sets none: sending is the
/// recipient's status).
pub fn fact_attribute(kind: &SesEventKind) -> Option<&'static str> {
    match kind {
        SesEventKind::Send | SesEventKind::RenderingFailure => None,
        SesEventKind::Delivery => Some("deliveredAt"),
        SesEventKind::DeliveryDelay { .. } => Some("delayedAt"),
        SesEventKind::Bounce { .. } => Some("bouncedAt"),
        SesEventKind::Complaint => Some("complainedAt"),
        SesEventKind::Reject { .. } => Some("rejectedAt"),
        SesEventKind::Open => Some("openedAt"),
        SesEventKind::Click { .. } => Some("clickedAt"),
    }
}

impl DeliveryFacts {
    /// Records `kind` at `at` unless that kind was already recorded; returns whether it was new.
    pub fn record(&mut self, kind: &SesEventKind, at: DateTime<Utc>) -> bool {
        let slot = match kind {
            SesEventKind::Send | SesEventKind::RenderingFailure => return false,
            SesEventKind::Delivery => &mut self.delivered_at,
            SesEventKind::DeliveryDelay { .. } => &mut self.delayed_at,
            SesEventKind::Bounce { .. } => &mut self.bounced_at,
            SesEventKind::Complaint => &mut self.complained_at,
            SesEventKind::Reject { .. } => &mut self.rejected_at,
            SesEventKind::Open => &mut self.opened_at,
            SesEventKind::Click { .. } => &mut self.clicked_at,
        };
        if slot.is_some() {
            return false;
        }
        *slot = Some(at);
        if let SesEventKind::Bounce { bounce_type, sub_type } = kind {
            self.bounce_type = Some(format!("{bounce_type}/{sub_type}"));
        }
        true
    }

    pub fn outcome(&self) -> DeliveryOutcome {
        if self.bounced_at.is_some() {
            DeliveryOutcome::Bounced
        } else if self.rejected_at.is_some() {
            DeliveryOutcome::Rejected
        } else if self.complained_at.is_some() {
            DeliveryOutcome::Complained
        } else if self.clicked_at.is_some() {
            DeliveryOutcome::Clicked
        } else if self.opened_at.is_some() {
            DeliveryOutcome::Opened
        } else if self.delivered_at.is_some() {
            DeliveryOutcome::Delivered
        } else if self.delayed_at.is_some() {
            DeliveryOutcome::Delayed
        } else {
            DeliveryOutcome::Pending
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    pub mailing_id: MailingId,
    pub person_id: PersonId,
    pub unit_id: UnitId,
    /// The person's and unit's data as they were when the mailing started (merged into the message).
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    pub unit_name: String,
    /// The address as it was when the mailing started.
    pub email: String,
    pub status: RecipientStatus,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[serde(default)]
    pub delivery: DeliveryFacts,
}

impl Recipient {
    /// A queued recipient: the person as now, in their unit, at the address they hold.
    pub fn queued(mailing_id: MailingId, person: &Person, unit_name: &str, email: &str) -> Self {
        Self {
            mailing_id,
            person_id: person.id,
            unit_id: person.unit_id,
            first_name: person.first_name.to_string(),
            last_name: person.last_name.to_string(),
            position: person.position.clone(),
            unit_name: unit_name.to_owned(),
            email: email.to_owned(),
            status: RecipientStatus::Queued,
            attempts: 0,
            claimed_at: None,
            message_id: None,
            sent_at: None,
            failure: None,
            delivery: DeliveryFacts::default(),
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// Where SES's events about one sent message belong (stored by its SES message id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentMessage {
    pub message_id: String,
    pub person_id: PersonId,
    pub unit_id: UnitId,
    pub person_name: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_id: Option<MailingId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_id: Option<TrainingId>,
    pub subject: String,
}
