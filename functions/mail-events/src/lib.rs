//! What SES reports about sent messages (Send, Delivery, Bounce, Complaint, Reject,
//! DeliveryDelay, Open, Click), delivered through SNS. Each event is recorded once: the
//! recipient's fact for its kind is set only if not yet set, in the same transaction as the
//! mailing's count and the person's history entry — so replays change nothing, and order does
//! not matter (the shown outcome is derived from the facts). A hard bounce or a complaint also
//! puts the address on the suppression list and opens a task for staff and the unit's
//! administrator.

use aws_lambda_events::event::sns::SnsEvent;
use chrono::Utc;
use ewokiss_adapters::dynamo::mailings::{self as store, DeliveryChange, Suppression};
use ewokiss_adapters::dynamo::{StoreError, Table};
use ewokiss_domain::history::{ContactEvent, ObjectKind, ObjectRef, UserRef};
use ewokiss_domain::ids::{EventId, TaskId};
use ewokiss_domain::mailing::events::{parse_ses_event, SesEvent, SesEventError, SesEventKind};
use ewokiss_domain::mailing::recipient::SentMessage;
use ewokiss_domain::task::{Task, TaskStatus};

pub struct Events {
    pub table: Table,
}

/// What happened to one event.
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Recorded,
    /// Seen before (a replay), or of a kind nothing is recorded for (Send).
    AlreadyRecorded,
    /// Not a message this system sent (or its record is gone): logged and dropped.
    Unknown,
    Ignored(String),
}

/// SNS retries the whole invocation on an error, so a store failure is returned as one; events
/// already recorded are skipped on the retry.
pub async fn handle(events: &Events, event: SnsEvent) -> Result<Vec<Outcome>, StoreError> {
    let mut outcomes = Vec::with_capacity(event.records.len());
    for record in event.records {
        let outcome = events.record(&record.sns.message).await?;
        tracing::info!(?outcome, "SES event handled");
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

fn ses() -> UserRef {
    UserRef { id: "ses".into(), name: "Amazon SES".into() }
}

impl Events {
    pub async fn record(&self, json: &str) -> Result<Outcome, StoreError> {
        let event = match parse_ses_event(json) {
            Ok(event) => event,
            Err(SesEventError::Unhandled(kind)) => return Ok(Outcome::Ignored(kind)),
            Err(error) => {
                tracing::warn!(%error, "not an SES event");
                return Ok(Outcome::Ignored(error.to_string()));
            }
        };
        let Some(sent) = store::sent_message(&self.table, &event.message_id).await? else {
            return Ok(Outcome::Unknown);
        };
        if matches!(event.kind, SesEventKind::Send | SesEventKind::RenderingFailure) {
            return Ok(Outcome::AlreadyRecorded);
        }
        let history = history_event(&sent, &event);
        let suppression = event.kind.suppresses_address().then(|| Suppression {
            email: sent.email.to_lowercase(),
            reason: if event.kind == SesEventKind::Complaint { "complaint".into() } else { "bounce".into() },
            detail: event.kind.label_pl(),
            at: event.at,
            person_id: Some(sent.person_id),
            mailing_id: sent.mailing_id,
        });
        let task = event.kind.suppresses_address().then(|| bounce_task(&sent, &event));
        let recorded = store::record_delivery(
            &self.table,
            DeliveryChange {
                sent: &sent,
                kind: &event.kind,
                at: event.at,
                event: history.as_ref(),
                suppression: suppression.as_ref(),
                task: task.as_ref(),
            },
        )
        .await?;
        Ok(if recorded { Outcome::Recorded } else { Outcome::AlreadyRecorded })
    }
}

fn history_event(sent: &SentMessage, event: &SesEvent) -> Option<ContactEvent> {
    let kind = event.kind.history_kind()?;
    let mut links = vec![
        ObjectRef { kind: ObjectKind::Person, id: sent.person_id.to_string(), label: Some(sent.person_name.clone()) },
        ObjectRef { kind: ObjectKind::Unit, id: sent.unit_id.to_string(), label: None },
    ];
    if let Some(training_id) = sent.training_id {
        links.push(ObjectRef { kind: ObjectKind::Training, id: training_id.to_string(), label: None });
    }
    // One entry per message and kind: a replay finds it and adds nothing.
    let id = EventId::derived("ses-event", &format!("{}:{:?}", event.message_id, kind));
    Some(ContactEvent {
        id,
        kind,
        at: event.at,
        author: ses(),
        subject: format!("{}: {}", event.kind.label_pl(), sent.subject),
        body: Some(format!("Adres {} (SES message id: {}).", sent.email, event.message_id)),
        links,
    })
}

fn bounce_task(sent: &SentMessage, event: &SesEvent) -> Task {
    let now = Utc::now();
    Task {
        id: TaskId::derived("bounce", &event.message_id),
        title: format!("Adres e-mail osoby {} ({}) jest odrzucany — popraw go", sent.person_name, sent.email),
        description: Some(format!(
            "{} przy wiadomości „{}”. Adres trafił na listę blokad i kolejne wysyłki go pomijają. \
             Popraw adres w karcie osoby (pracownik WOKiSS zdejmie blokadę, jeśli adres był dobry).",
            event.kind.label_pl(),
            sent.subject
        )),
        due_on: None,
        assignee: None,
        status: TaskStatus::Open,
        links: vec![
            ObjectRef {
                kind: ObjectKind::Person,
                id: sent.person_id.to_string(),
                label: Some(sent.person_name.clone()),
            },
            ObjectRef { kind: ObjectKind::Unit, id: sent.unit_id.to_string(), label: None },
        ],
        shared_with_unit: true,
        created_at: now,
        created_by: ses(),
        updated_at: now,
        version: 1,
    }
}
