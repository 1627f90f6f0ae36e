//! SES event publishing records (configuration-set events, delivered through SNS), parsed into
//! what the system acts on. Both the event-publishing shape (`eventType`) and the older
//! notification shape (`notificationType`) are read.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::history::EventKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SesEventKind {
    Send,
    Delivery,
    DeliveryDelay {
        delay_type: String,
    },
    /// `bounce_type`: Permanent, Transient or Undetermined.
    Bounce {
        bounce_type: String,
        sub_type: String,
    },
    Complaint,
    Reject {
        reason: String,
    },
    Open,
    Click {
        link: String,
    },
    RenderingFailure,
}

impl SesEventKind {
    /// A permanent bounce or a complaint: never mail this address again until staff clear it.
    pub fn suppresses_address(&self) -> bool {
        match self {
            Self::Bounce { bounce_type, .. } => bounce_type == "Permanent",
            Self::Complaint => true,
            _ => false,
        }
    }

    /// The contact-history kind this event is shown as (Send is the recipient's own "sent" entry).
    pub fn history_kind(&self) -> Option<EventKind> {
        match self {
            Self::Delivery => Some(EventKind::EmailDelivered),
            Self::Bounce { .. } | Self::Reject { .. } => Some(EventKind::EmailBounced),
            Self::Complaint => Some(EventKind::EmailComplaint),
            Self::Open => Some(EventKind::EmailOpened),
            Self::Click { .. } => Some(EventKind::EmailClicked),
            Self::Send | Self::DeliveryDelay { .. } | Self::RenderingFailure => None,
        }
    }

    pub fn label_pl(&self) -> String {
        match self {
            Self::Send => "Przyjęto do wysłania".into(),
            Self::Delivery => "Doręczono".into(),
            Self::DeliveryDelay { delay_type } => format!("Opóźnienie doręczenia ({delay_type})"),
            Self::Bounce { bounce_type, sub_type } if bounce_type == "Permanent" => {
                format!("Odrzucono trwale ({sub_type})")
            }
            Self::Bounce { bounce_type, sub_type } => format!("Odrzucono ({bounce_type}/{sub_type})"),
            Self::Complaint => "Odbiorca zgłosił spam".into(),
            Self::Reject { reason } => format!("SES odmówił wysłania: {reason}"),
            Self::Open => "Otwarto".into(),
            Self::Click { link } => format!("Kliknięto link: {link}"),
            Self::RenderingFailure => "Błąd szablonu SES".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesEvent {
    pub kind: SesEventKind,
    pub message_id: String,
    pub at: DateTime<Utc>,
    /// The addresses the event concerns (bounced/complained recipients; otherwise all).
    pub recipients: Vec<String>,
    pub tags: BTreeMap<String, Vec<String>>,
}

impl SesEvent {
    pub fn tag(&self, name: &str) -> Option<&str> {
        self.tags.get(name).and_then(|values| values.first()).map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SesEventError {
    #[error("not an SES event: {0}")]
    Malformed(String),
    #[error("SES event type {0} is not handled")]
    Unhandled(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    event_type: Option<String>,
    notification_type: Option<String>,
    mail: RawMail,
    bounce: Option<RawBounce>,
    complaint: Option<RawComplaint>,
    delivery: Option<RawTimed>,
    delivery_delay: Option<RawDelay>,
    open: Option<RawTimed>,
    click: Option<RawClick>,
    reject: Option<RawReject>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMail {
    message_id: String,
    timestamp: DateTime<Utc>,
    #[serde(default)]
    destination: Vec<String>,
    #[serde(default)]
    tags: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBounce {
    bounce_type: String,
    #[serde(default)]
    bounce_sub_type: String,
    #[serde(default)]
    bounced_recipients: Vec<RawAddress>,
    timestamp: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawComplaint {
    #[serde(default)]
    complained_recipients: Vec<RawAddress>,
    timestamp: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAddress {
    email_address: String,
}

#[derive(Deserialize)]
struct RawTimed {
    timestamp: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDelay {
    timestamp: Option<DateTime<Utc>>,
    #[serde(default)]
    delay_type: String,
}

#[derive(Deserialize)]
struct RawClick {
    timestamp: Option<DateTime<Utc>>,
    #[serde(default)]
    link: String,
}

#[derive(Deserialize)]
struct RawReject {
    #[serde(default)]
    reason: String,
}

/// Parses one SES event (the SNS message's body).
pub fn parse_ses_event(json: &str) -> Result<SesEvent, SesEventError> {
    let raw: Raw = serde_json::from_str(json).map_err(|e| SesEventError::Malformed(e.to_string()))?;
    let event_type =
        raw.event_type.or(raw.notification_type).ok_or_else(|| SesEventError::Malformed("no eventType".into()))?;
    let sent = raw.mail.timestamp;
    let mut recipients = raw.mail.destination;
    let (kind, at) = match event_type.as_str() {
        "Send" => (SesEventKind::Send, sent),
        "Delivery" => (SesEventKind::Delivery, raw.delivery.and_then(|d| d.timestamp).unwrap_or(sent)),
        "DeliveryDelay" => {
            let delay = raw.delivery_delay.ok_or_else(|| SesEventError::Malformed("no deliveryDelay".into()))?;
            (SesEventKind::DeliveryDelay { delay_type: delay.delay_type }, delay.timestamp.unwrap_or(sent))
        }
        "Bounce" => {
            let bounce = raw.bounce.ok_or_else(|| SesEventError::Malformed("no bounce".into()))?;
            if !bounce.bounced_recipients.is_empty() {
                recipients = bounce.bounced_recipients.into_iter().map(|r| r.email_address).collect();
            }
            (
                SesEventKind::Bounce { bounce_type: bounce.bounce_type, sub_type: bounce.bounce_sub_type },
                bounce.timestamp.unwrap_or(sent),
            )
        }
        "Complaint" => {
            let complaint = raw.complaint.ok_or_else(|| SesEventError::Malformed("no complaint".into()))?;
            if !complaint.complained_recipients.is_empty() {
                recipients = complaint.complained_recipients.into_iter().map(|r| r.email_address).collect();
            }
            (SesEventKind::Complaint, complaint.timestamp.unwrap_or(sent))
        }
        "Reject" => (SesEventKind::Reject { reason: raw.reject.map(|r| r.reason).unwrap_or_default() }, sent),
        "Open" => (SesEventKind::Open, raw.open.and_then(|o| o.timestamp).unwrap_or(sent)),
        "Click" => {
            let click = raw.click.ok_or_else(|| SesEventError::Malformed("no click".into()))?;
            (SesEventKind::Click { link: click.link }, click.timestamp.unwrap_or(sent))
        }
        "Rendering Failure" | "RenderingFailure" => (SesEventKind::RenderingFailure, sent),
        other => return Err(SesEventError::Unhandled(other.to_owned())),
    };
    Ok(SesEvent { kind, message_id: raw.mail.message_id, at, recipients, tags: raw.mail.tags })
}
