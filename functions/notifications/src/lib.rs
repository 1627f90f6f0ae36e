//! Sends the enrolment e-mails written to the outbox: for each SQS record naming an outbox
//! entry, claim it, render its template for the person and training, send one SES message,
//! and record it as sent together with an e-mail event in the person's, unit's and training's
//! history. A record that fails is reported back (partial batch failure) and retried by SQS;
//! after the queue's maximum receives it goes to the dead-letter queue.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use chrono::{Duration, Utc};
use ewokiss_adapters::dynamo::registry as people;
use ewokiss_adapters::dynamo::{certificates, outbox, trainings, StoreError, Table};
use ewokiss_adapters::links::CertificateSettings;
use ewokiss_adapters::mail::{MailError, Mailer};
use ewokiss_adapters::template_app;
use ewokiss_domain::enrolment::EnrolmentStatus;
use ewokiss_domain::history::{ContactEvent, EventKind, ObjectKind, ObjectRef};
use ewokiss_domain::ids::EventId;
use ewokiss_domain::notification::{Notification, NotificationKind};
use ewokiss_domain::templates::{
    ByContext, CertificateLinkContext, EnrolmentContext, NotificationContext, PersonContext, RenderedMessage,
    TrainingContext,
};
use serde::Deserialize;
use uuid::Uuid;

/// A sender that died after claiming an entry is taken over after this long.
const CLAIM_TIMEOUT_MINUTES: i64 = 5;

pub struct Notifier {
    pub table: Table,
    pub mailer: Mailer,
    /// Also send the administrator who acted for someone else a copy (NOTIFY_UNIT_ADMIN).
    pub copy_unit_admin: bool,
    /// Signs the certificate links of `certificate_issued` e-mails (APP_URL, LINK_SIGNING_SECRET).
    pub certificates: CertificateSettings,
}

/// The SQS message body: which outbox entry to send.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    pub outbox_id: Uuid,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("message body is not an outbox reference: {0}")]
    BadMessage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// What happened to one outbox entry.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent(String),
    /// Already sent, failed for good, or being sent by another invocation.
    Skipped,
    /// Cannot be sent (no address, rejected by SES): recorded, not retried.
    GaveUp(String),
}

pub async fn handle(notifier: &Notifier, event: SqsEvent) -> SqsBatchResponse {
    let mut failures = Vec::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let result = match serde_json::from_str::<OutboxMessage>(record.body.as_deref().unwrap_or_default()) {
            Ok(message) => notifier.send(message.outbox_id).await,
            Err(error) => Err(SendError::BadMessage(error.to_string())),
        };
        match result {
            Ok(outcome) => tracing::info!(message = %id, ?outcome, "outbox entry handled"),
            Err(error) => {
                tracing::error!(message = %id, %error, "outbox entry failed; SQS will retry it");
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                failures.push(failure);
            }
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    response
}

impl Notifier {
    pub async fn send(&self, id: Uuid) -> Result<Outcome, SendError> {
        let now = Utc::now();
        let Some(notification) =
            outbox::claim(&self.table, id, now, now - Duration::minutes(CLAIM_TIMEOUT_MINUTES)).await?
        else {
            return Ok(Outcome::Skipped);
        };
        let person = people::get_person(&self.table, notification.person_id).await?;
        let training = trainings::get_training(&self.table, notification.training_id).await?;
        let (Some(person), Some(training)) = (person, training) else {
            let reason = "the person or the training no longer exists";
            outbox::mark_failed(&self.table, id, reason).await?;
            return Ok(Outcome::GaveUp(reason.into()));
        };
        let Some(address) = person.email.as_ref().map(|e| e.as_str().to_owned()) else {
            let reason = "the person has no e-mail address";
            outbox::mark_failed(&self.table, id, reason).await?;
            return Ok(Outcome::GaveUp(reason.into()));
        };
        let waitlist_position = self.waitlist_position(&notification).await?;
        let context = NotificationContext {
            person: PersonContext {
                first_name: person.first_name.to_string(),
                last_name: person.last_name.to_string(),
            },
            training: TrainingContext {
                title: training.title.clone(),
                dates: training.dates_text(),
                venue: training.venue_text(),
            },
            enrolment: EnrolmentContext { waitlist_position },
            by: ByContext { name: notification.by.name.clone() },
            certificate: self.certificate_values(&notification).await?,
            ..Default::default()
        };
        let (template, _) = template_app::template_in_force(&self.table, notification.kind).await?;
        let message = template.render(&context).map_err(|e| SendError::BadMessage(e.to_string()))?;
        let tags = [
            ("outbox", id.to_string()),
            ("kind", notification.kind.code().to_owned()),
            ("training", training.id.to_string()),
        ];
        let tags: Vec<(&str, &str)> = tags.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if let Some(copy_to) = notification.copy_to.as_deref().filter(|_| self.copy_unit_admin) {
            // The copy first: if it fails, the entry is retried before the participant's e-mail.
            let copy = RenderedMessage {
                subject: format!("[Kopia dla administratora] {}", message.subject),
                ..message.clone()
            };
            match self.mailer.send(copy_to, &copy, &tags).await {
                Ok(_) | Err(MailError::Rejected(_)) => {}
                Err(retry) => return Err(retry.into()),
            }
        }
        let message_id = match self.mailer.send(&address, &message, &tags).await {
            Ok(message_id) => message_id,
            Err(MailError::Rejected(reason)) => {
                outbox::mark_failed(&self.table, id, &reason).await?;
                return Ok(Outcome::GaveUp(reason));
            }
            Err(retry) => return Err(retry.into()),
        };
        let event = ContactEvent {
            id: EventId::generate(),
            kind: EventKind::Email,
            at: Utc::now(),
            author: notification.by.clone(),
            subject: message.subject.clone(),
            body: Some(format!("Wysłano na adres {address} (SES message id: {message_id}).")),
            links: vec![
                ObjectRef { kind: ObjectKind::Person, id: person.id.to_string(), label: Some(person.full_name()) },
                ObjectRef { kind: ObjectKind::Unit, id: person.unit_id.to_string(), label: None },
                ObjectRef {
                    kind: ObjectKind::Training,
                    id: training.id.to_string(),
                    label: Some(training.title.clone()),
                },
            ],
        };
        outbox::mark_sent(&self.table, id, &message_id, &event).await?;
        Ok(Outcome::Sent(message_id))
    }

    /// The number and the long-lived link of a certificate e-mail (empty for other kinds).
    async fn certificate_values(&self, notification: &Notification) -> Result<CertificateLinkContext, StoreError> {
        let Some(id) = notification.certificate_id else { return Ok(CertificateLinkContext::default()) };
        let number =
            certificates::get(&self.table, id).await?.map(|c| c.certificate.number.to_string()).unwrap_or_default();
        Ok(CertificateLinkContext { number, link: self.certificates.download_link(id) })
    }

    /// The place on the waiting list (1 = next in line) for a "waitlisted" message.
    async fn waitlist_position(&self, notification: &Notification) -> Result<String, StoreError> {
        if notification.kind != NotificationKind::Waitlisted {
            return Ok(String::new());
        }
        let enrolment = trainings::get_enrolment(&self.table, notification.training_id, notification.person_id).await?;
        let Some(seq) = enrolment.filter(|e| e.status == EnrolmentStatus::Waitlisted).and_then(|e| e.waitlist_seq)
        else {
            return Ok("—".into());
        };
        let ahead = trainings::waiting_before(&self.table, notification.training_id, seq).await?;
        Ok((ahead + 1).to_string())
    }
}
