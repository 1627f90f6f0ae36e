//! Sends a running mailing. Each SQS message names up to 50 recipients; each is claimed
//! (queued → sending, conditional), checked against the suppression list and unsubscriptions,
//! rendered, sent as one SES message through the configuration set (tagged with the mailing and
//! the person), and marked sent together with its count, its message-id lookup and the history
//! entry. A message delivered twice finds its recipients already claimed or sent and sends
//! nothing more; a sender that died mid-batch leaves claims that are taken over after
//! [`CLAIM_TIMEOUT_SECONDS`] when SQS delivers the message again.

use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use chrono::Utc;
use ewokiss_adapters::documents::Documents;
use ewokiss_adapters::dynamo::mailings as store;
use ewokiss_adapters::dynamo::trainings as training_store;
use ewokiss_adapters::dynamo::{StoreError, Table};
use ewokiss_adapters::mail::{Envelope, FileAttachment, MailError, Mailer};
use ewokiss_adapters::mailing_app::{render_for, MailingBatch, MailingSettings};
use ewokiss_domain::history::{ContactEvent, EventKind, ObjectKind, ObjectRef};
use ewokiss_domain::ids::{EventId, PersonId};
use ewokiss_domain::mailing::pacing::{backoff, Pacer};
use ewokiss_domain::mailing::recipient::{Recipient, RecipientStatus, SentMessage};
use ewokiss_domain::mailing::{Mailing, MailingStatus};
use ewokiss_domain::training::Training;

/// A claim older than this belongs to a sender that died (the function's timeout is shorter).
pub const CLAIM_TIMEOUT_SECONDS: i64 = 360;
/// SES throttling is retried this many times per recipient before the batch is handed back.
const SEND_ATTEMPTS: u32 = 6;
/// How often a batch looks again whether staff paused or cancelled the mailing.
const STATUS_CHECK_EVERY: Duration = Duration::from_secs(2);

pub struct Sender {
    pub table: Table,
    pub mailer: Mailer,
    pub settings: MailingSettings,
    /// Where the mailings' attachments are.
    pub documents: Documents,
    /// Kept for the life of the (warm) function: the rate holds across batches, and time spent
    /// on other work may be caught up by at most [`BURST`].
    pacer: tokio::sync::Mutex<(Instant, Pacer)>,
}

/// Catching up after reads and skipped recipients: at most half a second's worth of sends.
pub const BURST: Duration = Duration::from_millis(500);

impl Sender {
    /// `rate_per_second`: the sends per second this sender may make (the account's rate divided
    /// by the concurrent senders).
    pub fn new(
        table: Table,
        mailer: Mailer,
        settings: MailingSettings,
        documents: Documents,
        rate_per_second: f64,
    ) -> Self {
        Self {
            table,
            mailer,
            settings,
            documents,
            pacer: tokio::sync::Mutex::new((Instant::now(), Pacer::with_burst(rate_per_second, BURST))),
        }
    }

    async fn wait_for_slot(&self) {
        let wait = {
            let mut pacer = self.pacer.lock().await;
            let elapsed = pacer.0.elapsed();
            pacer.1.wait_before_next(elapsed)
        };
        tokio::time::sleep(wait).await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("message body is not a mailing batch: {0}")]
    BadMessage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("SES kept throttling: {0}")]
    Throttled(String),
    #[error("attachment could not be read: {0}")]
    Attachment(String),
}

/// What one batch did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BatchReport {
    pub sent: u32,
    /// Already sent, or being sent by another invocation.
    pub skipped: u32,
    pub not_sent: u32,
    /// The mailing is paused or cancelled: the rest stays queued.
    pub stopped: bool,
}

pub async fn handle(sender: &Sender, event: SqsEvent) -> SqsBatchResponse {
    let mut failures = Vec::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let result = match serde_json::from_str::<MailingBatch>(record.body.as_deref().unwrap_or_default()) {
            Ok(batch) => sender.send_batch(&batch).await,
            Err(error) => Err(BatchError::BadMessage(error.to_string())),
        };
        match result {
            Ok(report) => tracing::info!(message = %id, ?report, "mailing batch handled"),
            Err(error) => {
                tracing::error!(message = %id, %error, "mailing batch failed; SQS will retry it");
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

/// Cheap jitter for backoff (no need for a random generator's quality here).
fn jitter() -> f64 {
    f64::from(Utc::now().timestamp_subsec_nanos() % 1000) / 1000.0
}

enum Outcome {
    Sent,
    Skipped,
    NotSent,
}

impl Sender {
    pub async fn send_batch(&self, batch: &MailingBatch) -> Result<BatchReport, BatchError> {
        let mut report = BatchReport::default();
        let Some(mut mailing) = store::get_mailing(&self.table, batch.mailing_id).await? else {
            tracing::warn!(mailing = %batch.mailing_id, "no such mailing; batch dropped");
            return Ok(report);
        };
        if !mailing.sends_now() {
            report.stopped = true;
            return Ok(report);
        }
        let training = match mailing.training_id {
            Some(id) => training_store::get_training(&self.table, id).await?,
            None => None,
        };
        // One read tells which recipients are still to send: a redelivered batch costs one call,
        // not one failed claim per recipient.
        let stale_before = Utc::now() - chrono::Duration::seconds(CLAIM_TIMEOUT_SECONDS);
        let pending = store::unsent_recipients(&self.table, mailing.id, &batch.person_ids, stale_before).await?;
        report.skipped = (batch.person_ids.len() - pending.len()) as u32;
        if pending.is_empty() {
            self.complete_if_done(&mailing).await?;
            return Ok(report);
        }
        // The mailing's files, read once per batch.
        let mut attachments = Vec::with_capacity(mailing.attachments.len());
        for attachment in &mailing.attachments {
            let bytes = self.documents.get(&attachment.key).await.map_err(|e| BatchError::Attachment(e.to_string()))?;
            attachments.push(FileAttachment {
                file_name: attachment.file_name.clone(),
                content_type: attachment.content_type.clone(),
                bytes,
            });
        }
        let mut checked = Instant::now();
        for person_id in &pending {
            if checked.elapsed() >= STATUS_CHECK_EVERY {
                checked = Instant::now();
                match store::get_mailing(&self.table, mailing.id).await? {
                    Some(current) if current.sends_now() => mailing = current,
                    _ => {
                        report.stopped = true;
                        return Ok(report);
                    }
                }
            }
            match self.send_one(&mailing, training.as_ref(), *person_id, &attachments).await? {
                Outcome::Sent => report.sent += 1,
                Outcome::Skipped => report.skipped += 1,
                Outcome::NotSent => report.not_sent += 1,
            }
        }
        self.complete_if_done(&mailing).await?;
        Ok(report)
    }

    async fn send_one(
        &self,
        mailing: &Mailing,
        training: Option<&Training>,
        person_id: PersonId,
        attachments: &[FileAttachment],
    ) -> Result<Outcome, BatchError> {
        let now = Utc::now();
        let stale_before = now - chrono::Duration::seconds(CLAIM_TIMEOUT_SECONDS);
        let Some(recipient) = store::claim_recipient(&self.table, mailing.id, person_id, now, stale_before).await?
        else {
            return Ok(Outcome::Skipped);
        };
        let (suppression, unsubscription) =
            store::blocked(&self.table, &recipient.email.to_lowercase(), recipient.person_id).await?;
        if let Some(suppression) = suppression {
            let reason = format!("Adres na liście blokad ({}: {}).", suppression.reason, suppression.detail);
            store::mark_not_sent(&self.table, &recipient, RecipientStatus::Suppressed, &reason).await?;
            return Ok(Outcome::NotSent);
        }
        if unsubscription.is_some() && mailing.kind.allows_unsubscribe() {
            let reason = "Osoba zrezygnowała z newslettera i zaproszeń.";
            store::mark_not_sent(&self.table, &recipient, RecipientStatus::Unsubscribed, reason).await?;
            return Ok(Outcome::NotSent);
        }
        let unsubscribe = self.settings.unsubscribe_links(mailing, recipient.person_id);
        let page = unsubscribe.as_ref().map(|links| links.page.clone()).unwrap_or_default();
        let message = match render_for(mailing, &recipient, training, page) {
            Ok(message) => message,
            Err(error) => {
                store::mark_not_sent(&self.table, &recipient, RecipientStatus::Failed, &error.to_string()).await?;
                return Ok(Outcome::NotSent);
            }
        };
        let from = mailing.sender.header();
        let mut headers = Vec::new();
        if let Some(links) = &unsubscribe {
            // RFC 8058 one-click: mail clients POST to the link without opening a page.
            headers.push(("List-Unsubscribe", format!("<{}>", links.one_click)));
            headers.push(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()));
        }
        let reply_to = self.settings.reply_to(mailing);
        let envelope =
            Envelope { to: &recipient.email, from: Some(&from), reply_to: reply_to.as_deref(), headers, attachments };
        let (mailing_tag, person_tag) = (mailing.id.to_string(), recipient.person_id.to_string());
        let tags = [("mailing", mailing_tag.as_str()), ("person", person_tag.as_str())];
        let mut attempt = 0;
        let message_id = loop {
            self.wait_for_slot().await;
            attempt += 1;
            match self.mailer.send_with(&envelope, &message, &tags).await {
                Ok(message_id) => break message_id,
                Err(MailError::Rejected(reason)) => {
                    store::mark_not_sent(&self.table, &recipient, RecipientStatus::Failed, &reason).await?;
                    return Ok(Outcome::NotSent);
                }
                Err(MailError::Retry(reason)) if attempt >= SEND_ATTEMPTS => {
                    store::release_claim(&self.table, &recipient).await?;
                    return Err(BatchError::Throttled(reason));
                }
                Err(MailError::Retry(reason)) => {
                    tracing::warn!(%reason, attempt, "SES asks to slow down; backing off");
                    tokio::time::sleep(backoff(attempt, jitter())).await;
                }
            }
        };
        let sent_at = Utc::now();
        let sent = SentMessage {
            message_id: message_id.clone(),
            person_id: recipient.person_id,
            unit_id: recipient.unit_id,
            person_name: recipient.full_name(),
            email: recipient.email.clone(),
            mailing_id: Some(mailing.id),
            training_id: mailing.training_id,
            subject: message.subject.clone(),
        };
        let event = send_event(mailing, &recipient, training, &message.subject, &message_id, sent_at);
        store::mark_sent(&self.table, &recipient, &sent, sent_at, &event).await?;
        Ok(Outcome::Sent)
    }

    /// The last batch to finish moves the mailing to completed.
    async fn complete_if_done(&self, mailing: &Mailing) -> Result<(), StoreError> {
        if let Some(current) = store::get_mailing(&self.table, mailing.id).await? {
            if current.status == MailingStatus::Sending && current.progress.is_done() {
                store::transition(
                    &self.table,
                    mailing.id,
                    &[MailingStatus::Sending],
                    MailingStatus::Completed,
                    Utc::now(),
                    None,
                )
                .await?;
            }
        }
        Ok(())
    }
}

fn send_event(
    mailing: &Mailing,
    recipient: &Recipient,
    training: Option<&Training>,
    subject: &str,
    message_id: &str,
    at: chrono::DateTime<Utc>,
) -> ContactEvent {
    let mut links = vec![
        ObjectRef { kind: ObjectKind::Person, id: recipient.person_id.to_string(), label: Some(recipient.full_name()) },
        ObjectRef {
            kind: ObjectKind::Unit,
            id: recipient.unit_id.to_string(),
            label: Some(recipient.unit_name.clone()),
        },
    ];
    if let Some(training) = training {
        links.push(ObjectRef {
            kind: ObjectKind::Training,
            id: training.id.to_string(),
            label: Some(training.title.clone()),
        });
    }
    ContactEvent {
        id: EventId::generate(),
        kind: EventKind::Email,
        at,
        author: mailing.created_by.clone(),
        subject: subject.to_owned(),
        body: Some(format!("Wysyłka „{}” na adres {} (SES message id: {message_id}).", mailing.name, recipient.email)),
        links,
    }
}
