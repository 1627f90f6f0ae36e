//! Mailings, their recipients and what SES reported. The mailing's progress counts live inside
//! the mailing item and are only ever moved by one (`SET p = p + :one`) in the same transaction
//! as the recipient change they count, so a count can neither be lost nor counted twice; status
//! changes are targeted updates conditioned on the status they leave, never a rewrite of the item.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};
use ewokiss_domain::history::ContactEvent;
use ewokiss_domain::ids::{MailingId, PersonId, TrainingId};
use ewokiss_domain::mailing::events::SesEventKind;
use ewokiss_domain::mailing::recipient::{fact_attribute, Recipient, RecipientStatus, SentMessage};
use ewokiss_domain::mailing::{Mailing, MailingStatus};
use ewokiss_domain::task::Task;
use futures_util::{stream, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use super::registry::task_items;
use super::{decode, item, n, s, Expression, Filter, Item, Page, Query, StoreError, Table, Transaction};
use crate::keys;

const MAILING: &str = "mailing";
const RECIPIENT: &str = "recipient";

fn data_names(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut names = vec![("#data".to_owned(), "data".to_owned())];
    names.extend(extra.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())));
    names
}

fn mailing_item(mailing: &Mailing) -> Item {
    item(
        &keys::mailing(mailing.id),
        Some(&keys::mailing_in_list(mailing)),
        keys::mailing_of_training(mailing).as_ref(),
        MAILING,
        mailing,
    )
}

pub async fn create_mailing(table: &Table, mailing: &Mailing) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.create(table, MAILING, mailing_item(mailing));
    table.transact(tx).await
}

/// Saves an edited draft: only while it is still the draft it was read as.
pub async fn save_draft(table: &Table, before: &Mailing, after: &Mailing) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.put_if(
        table,
        "version",
        mailing_item(after),
        Expression {
            condition: Some("#data.#version = :expected AND #data.#status = :draft".into()),
            names: data_names(&[("#version", "version"), ("#status", "status")]),
            values: vec![(":expected".into(), n(before.version)), (":draft".into(), s(MailingStatus::Draft.code()))],
            ..Default::default()
        },
    );
    table.transact(tx).await
}

pub async fn get_mailing(table: &Table, id: MailingId) -> Result<Option<Mailing>, StoreError> {
    table.get(&keys::mailing(id)).await
}

pub async fn list_mailings(table: &Table, limit: i32, cursor: Option<&str>) -> Result<Page<Mailing>, StoreError> {
    table.query(Query::index(keys::GSI1, keys::ALL_MAILINGS).newest_first().page(limit, cursor)).await
}

pub async fn training_mailings(table: &Table, training_id: TrainingId) -> Result<Vec<Mailing>, StoreError> {
    let partition = keys::training_mailings_partition(training_id);
    table.query_all::<Mailing>(Query::index(keys::GSI2, &partition), 100).await
}

/// Moves the mailing from one of `from` to `to` (one targeted update; the progress counts are
/// untouched). `None` when the mailing is not in any of `from` (someone else moved it first).
pub async fn transition(
    table: &Table,
    id: MailingId,
    from: &[MailingStatus],
    to: MailingStatus,
    now: DateTime<Utc>,
    total: Option<u32>,
) -> Result<Option<Mailing>, StoreError> {
    let key = keys::mailing(id);
    let mut update =
        "SET #data.#status = :to, #data.#updated = :now, #data.#version = #data.#version + :one".to_owned();
    match to {
        MailingStatus::Preparing => update.push_str(", #data.#started = :now"),
        MailingStatus::Cancelled | MailingStatus::Completed => update.push_str(", #data.#finished = :now"),
        _ => {}
    }
    if total.is_some() {
        update.push_str(", #data.#progress.#total = :total");
    }
    let allowed: Vec<String> = (0..from.len()).map(|i| format!(":from{i}")).collect();
    let mut request = table
        .client
        .update_item()
        .table_name(&*table.name)
        .key(keys::PK, s(&key.pk))
        .key(keys::SK, s(&key.sk))
        .update_expression(update)
        .condition_expression(format!("#data.#status IN ({})", allowed.join(", ")))
        .expression_attribute_names("#data", "data")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#updated", "updatedAt")
        .expression_attribute_names("#version", "version")
        .expression_attribute_values(":to", s(to.code()))
        .expression_attribute_values(":now", s(&now.to_rfc3339()))
        .expression_attribute_values(":one", n(1))
        .return_values(ReturnValue::AllNew);
    match to {
        MailingStatus::Preparing => request = request.expression_attribute_names("#started", "startedAt"),
        MailingStatus::Cancelled | MailingStatus::Completed => {
            request = request.expression_attribute_names("#finished", "finishedAt")
        }
        _ => {}
    }
    if let Some(total) = total {
        request = request
            .expression_attribute_names("#progress", "progress")
            .expression_attribute_names("#total", "total")
            .expression_attribute_values(":total", n(total));
    }
    for (name, status) in allowed.iter().zip(from) {
        request = request.expression_attribute_values(name, s(status.code()));
    }
    match request.send().await {
        Ok(output) => output.attributes.map(|item| decode(&item)).transpose(),
        Err(SdkError::ServiceError(error))
            if matches!(error.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
        {
            Ok(None)
        }
        Err(other) => Err(other.into()),
    }
}

fn recipient_item(recipient: &Recipient) -> Item {
    item(
        &keys::recipient(recipient.mailing_id, recipient.person_id),
        None,
        Some(&keys::recipient_of_person(recipient)),
        RECIPIENT,
        recipient,
    )
}

/// Writes the fixed recipient list, 25 items per batch, a few batches at a time. Only called
/// while the mailing is `preparing`, when nothing can be sent yet, so rewriting is harmless.
pub async fn put_recipients(table: &Table, recipients: &[Recipient]) -> Result<(), StoreError> {
    // Items built up front: the futures then own their batch (no borrowed slices across awaits).
    let batches: Vec<Transaction> = recipients
        .chunks(25)
        .map(|chunk| {
            let mut tx = Transaction::default();
            for recipient in chunk {
                tx.put(table, recipient_item(recipient));
            }
            tx
        })
        .collect();
    stream::iter(batches)
        .map(|tx| async move { table.batch_write(tx.into_items()).await })
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

pub async fn recipients(
    table: &Table,
    mailing_id: MailingId,
    status: Option<RecipientStatus>,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Recipient>, StoreError> {
    let partition = keys::mailing(mailing_id).pk;
    let mut query = Query::table(&partition).prefix(keys::RECIPIENT_PREFIX).page(limit, cursor);
    if let Some(status) = status {
        query = query.filter(Filter {
            expression: "#data.#status = :status".into(),
            names: data_names(&[("#status", "status")]),
            values: vec![(":status".into(), s(status.code()))],
        });
    }
    table.query(query).await
}

pub async fn get_recipient(
    table: &Table,
    mailing_id: MailingId,
    person_id: PersonId,
) -> Result<Option<Recipient>, StoreError> {
    table.get(&keys::recipient(mailing_id, person_id)).await
}

/// Every mailing recipient record of one person, newest mailing last.
pub async fn person_recipients(table: &Table, person_id: PersonId) -> Result<Vec<Recipient>, StoreError> {
    let partition = keys::person_mailings_partition(person_id);
    table.query_all::<Recipient>(Query::index(keys::GSI2, &partition), 100).await
}

/// Of these persons, the recipients still to send: queued, or claimed by a sender that died.
pub async fn unsent_recipients(
    table: &Table,
    mailing_id: MailingId,
    person_ids: &[PersonId],
    stale_before: DateTime<Utc>,
) -> Result<Vec<PersonId>, StoreError> {
    let keys: Vec<_> = person_ids.iter().map(|id| keys::recipient(mailing_id, *id)).collect();
    let mut unsent: Vec<PersonId> = Vec::new();
    for found in table.get_many(&keys).await? {
        let recipient: Recipient = decode(&found)?;
        let stale =
            recipient.status == RecipientStatus::Sending && recipient.claimed_at.is_some_and(|at| at < stale_before);
        if recipient.status == RecipientStatus::Queued || stale {
            unsent.push(recipient.person_id);
        }
    }
    // In the batch's order (the read returns them in any order).
    unsent.sort_by_key(|id| person_ids.iter().position(|p| p == id));
    Ok(unsent)
}

/// Claims a queued recipient for sending (or one whose sender's claim is older than
/// `stale_before`). `None`: already final, or being sent by another sender right now.
pub async fn claim_recipient(
    table: &Table,
    mailing_id: MailingId,
    person_id: PersonId,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<Option<Recipient>, StoreError> {
    let key = keys::recipient(mailing_id, person_id);
    let result = table
        .client
        .update_item()
        .table_name(&*table.name)
        .key(keys::PK, s(&key.pk))
        .key(keys::SK, s(&key.sk))
        .update_expression(
            "SET #data.#status = :sending, #data.#claimed = :now, #data.#attempts = #data.#attempts + :one",
        )
        .condition_expression("#data.#status = :queued OR (#data.#status = :sending AND #data.#claimed < :stale)")
        .expression_attribute_names("#data", "data")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#claimed", "claimedAt")
        .expression_attribute_names("#attempts", "attempts")
        .expression_attribute_values(":sending", s(RecipientStatus::Sending.code()))
        .expression_attribute_values(":queued", s(RecipientStatus::Queued.code()))
        .expression_attribute_values(":now", s(&now.to_rfc3339()))
        .expression_attribute_values(":stale", s(&stale_before.to_rfc3339()))
        .expression_attribute_values(":one", n(1))
        .return_values(ReturnValue::AllNew)
        .send()
        .await;
    match result {
        Ok(output) => output.attributes.map(|item| decode(&item)).transpose(),
        Err(SdkError::ServiceError(error))
            if matches!(error.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
        {
            Ok(None)
        }
        Err(other) => Err(other.into()),
    }
}

fn count_one(tx: &mut Transaction, table: &Table, mailing_id: MailingId, counter: &'static str) {
    tx.update(
        table,
        "progress",
        &keys::mailing(mailing_id),
        Expression {
            update: "SET #data.#progress.#counter = #data.#progress.#counter + :one".into(),
            condition: None,
            names: data_names(&[("#progress", "progress"), ("#counter", counter)]),
            values: vec![(":one".into(), n(1))],
        },
    );
}

fn history_items(tx: &mut Transaction, table: &Table, event: &ContactEvent) {
    let event_id = event.id.to_string();
    for link in &event.links {
        tx.create(
            table,
            "event",
            item(&keys::history_entry(link.kind, &link.id, &event_id), None, None, "event", event),
        );
    }
}

/// The claimed recipient was accepted by SES: sent, counted, findable by its message id, and
/// in the contact history — all at once.
pub async fn mark_sent(
    table: &Table,
    recipient: &Recipient,
    sent: &SentMessage,
    at: DateTime<Utc>,
    event: &ContactEvent,
) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.update(
        table,
        RECIPIENT,
        &keys::recipient(recipient.mailing_id, recipient.person_id),
        Expression {
            update: "SET #data.#status = :sent, #data.#message = :message, #data.#sentAt = :at".into(),
            condition: Some("#data.#status = :sending".into()),
            names: data_names(&[("#status", "status"), ("#message", "messageId"), ("#sentAt", "sentAt")]),
            values: vec![
                (":sent".into(), s(RecipientStatus::Sent.code())),
                (":sending".into(), s(RecipientStatus::Sending.code())),
                (":message".into(), s(&sent.message_id)),
                (":at".into(), s(&at.to_rfc3339())),
            ],
        },
    );
    count_one(&mut tx, table, recipient.mailing_id, "sent");
    tx.put(table, item(&keys::sent_message(&sent.message_id), None, None, "sent-message", sent));
    history_items(&mut tx, table, event);
    table.transact(tx).await
}

/// The claimed recipient ends without a message: failed, suppressed or unsubscribed.
pub async fn mark_not_sent(
    table: &Table,
    recipient: &Recipient,
    status: RecipientStatus,
    reason: &str,
) -> Result<(), StoreError> {
    let counter = match status {
        RecipientStatus::Failed => "failed",
        RecipientStatus::Suppressed => "suppressed",
        RecipientStatus::Unsubscribed => "unsubscribed",
        other => return Err(StoreError::Backend(format!("{other:?} is not a final status without a message"))),
    };
    let mut tx = Transaction::default();
    tx.update(
        table,
        RECIPIENT,
        &keys::recipient(recipient.mailing_id, recipient.person_id),
        Expression {
            update: "SET #data.#status = :to, #data.#failure = :reason".into(),
            condition: Some("#data.#status = :sending".into()),
            names: data_names(&[("#status", "status"), ("#failure", "failure")]),
            values: vec![
                (":to".into(), s(status.code())),
                (":sending".into(), s(RecipientStatus::Sending.code())),
                (":reason".into(), s(reason)),
            ],
        },
    );
    count_one(&mut tx, table, recipient.mailing_id, counter);
    table.transact(tx).await
}

/// Hands a claimed recipient back to the queue (SES kept throttling; SQS will retry).
pub async fn release_claim(table: &Table, recipient: &Recipient) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.update(
        table,
        RECIPIENT,
        &keys::recipient(recipient.mailing_id, recipient.person_id),
        Expression {
            update: "SET #data.#status = :queued".into(),
            condition: Some("#data.#status = :sending".into()),
            names: data_names(&[("#status", "status")]),
            values: vec![
                (":queued".into(), s(RecipientStatus::Queued.code())),
                (":sending".into(), s(RecipientStatus::Sending.code())),
            ],
        },
    );
    table.transact(tx).await
}

/// An address on the suppression list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suppression {
    pub email: String,
    /// `bounce` or `complaint`.
    pub reason: String,
    pub detail: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<PersonId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_id: Option<MailingId>,
}

/// A person's unsubscription from newsletters and invitations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Unsubscription {
    pub person_id: PersonId,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_id: Option<MailingId>,
}

/// Why a recipient must not be mailed, read in one call: the address suppressed, or (for
/// newsletters) the person unsubscribed.
pub async fn blocked(
    table: &Table,
    normalized_email: &str,
    person_id: PersonId,
) -> Result<(Option<Suppression>, Option<Unsubscription>), StoreError> {
    let items = table.get_many(&[keys::suppressed_address(normalized_email), keys::unsubscribed(person_id)]).await?;
    let mut suppression = None;
    let mut unsubscription = None;
    for found in &items {
        match found.get("type").and_then(|t| t.as_s().ok()).map(String::as_str) {
            Some("suppression") => suppression = Some(decode(found)?),
            Some("unsubscription") => unsubscription = Some(decode(found)?),
            _ => {}
        }
    }
    Ok((suppression, unsubscription))
}

pub async fn suppressions(table: &Table, limit: i32, cursor: Option<&str>) -> Result<Page<Suppression>, StoreError> {
    table.query(Query::index(keys::GSI1, keys::ALL_SUPPRESSED).page(limit, cursor)).await
}

pub async fn get_suppression(table: &Table, normalized_email: &str) -> Result<Option<Suppression>, StoreError> {
    table.get(&keys::suppressed_address(normalized_email)).await
}

pub async fn remove_suppression(table: &Table, normalized_email: &str, event: &ContactEvent) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.delete(table, &keys::suppressed_address(normalized_email));
    history_items(&mut tx, table, event);
    table.transact(tx).await
}

pub async fn get_unsubscription(table: &Table, person_id: PersonId) -> Result<Option<Unsubscription>, StoreError> {
    table.get(&keys::unsubscribed(person_id)).await
}

/// Records an unsubscription once (a second click changes nothing).
pub async fn unsubscribe(
    table: &Table,
    unsubscription: &Unsubscription,
    event: &ContactEvent,
) -> Result<bool, StoreError> {
    let mut tx = Transaction::default();
    tx.create(
        table,
        "unsubscription",
        item(&keys::unsubscribed(unsubscription.person_id), None, None, "unsubscription", unsubscription),
    );
    history_items(&mut tx, table, event);
    match table.transact(tx).await {
        Ok(()) => Ok(true),
        Err(StoreError::ConditionFailed { label: "unsubscription" }) => Ok(false),
        Err(other) => Err(other),
    }
}

pub async fn resubscribe(table: &Table, person_id: PersonId, event: &ContactEvent) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.delete(table, &keys::unsubscribed(person_id));
    history_items(&mut tx, table, event);
    table.transact(tx).await
}

pub async fn sent_message(table: &Table, message_id: &str) -> Result<Option<SentMessage>, StoreError> {
    table.get(&keys::sent_message(message_id)).await
}

/// What a delivery event changes, decided by the caller.
pub struct DeliveryChange<'a> {
    pub sent: &'a SentMessage,
    pub kind: &'a SesEventKind,
    pub at: DateTime<Utc>,
    pub event: Option<&'a ContactEvent>,
    pub suppression: Option<&'a Suppression>,
    pub task: Option<&'a Task>,
}

/// Records one delivery event once: the recipient's fact (set only if not set yet — the
/// transaction's guard against replays), the mailing's count, the history entry, and for a hard
/// bounce or complaint the suppression and the task. `false`: already recorded.
pub async fn record_delivery(table: &Table, change: DeliveryChange<'_>) -> Result<bool, StoreError> {
    let mut tx = Transaction::default();
    let fact = fact_attribute(change.kind);
    // A message outside mailings (an enrolment e-mail) has no recipient: the history entry
    // itself is then the guard, keyed by message id and event kind.
    if let (Some(mailing_id), Some(fact)) = (change.sent.mailing_id, fact) {
        let mut update = "SET #data.#delivery.#fact = :at".to_owned();
        let mut names = data_names(&[("#delivery", "delivery"), ("#fact", fact)]);
        let mut values = vec![(":at".to_owned(), s(&change.at.to_rfc3339()))];
        if let SesEventKind::Bounce { bounce_type, sub_type } = change.kind {
            update.push_str(", #data.#delivery.#bounceType = :bounceType");
            names.push(("#bounceType".into(), "bounceType".into()));
            values.push((":bounceType".into(), s(&format!("{bounce_type}/{sub_type}"))));
        }
        tx.update(
            table,
            "fact",
            &keys::recipient(mailing_id, change.sent.person_id),
            Expression {
                update,
                condition: Some("attribute_exists(PK) AND attribute_not_exists(#data.#delivery.#fact)".into()),
                names,
                values,
            },
        );
        let counter = match fact {
            "deliveredAt" => Some("delivered"),
            "bouncedAt" | "rejectedAt" => Some("bounced"),
            "complainedAt" => Some("complained"),
            "openedAt" => Some("opened"),
            "clickedAt" => Some("clicked"),
            _ => None,
        };
        if let Some(counter) = counter {
            count_one(&mut tx, table, mailing_id, counter);
        }
    }
    if let Some(event) = change.event {
        history_items(&mut tx, table, event);
    }
    if let Some(suppression) = change.suppression {
        let normalized = suppression.email.to_lowercase();
        tx.put(
            table,
            item(
                &keys::suppressed_address(&normalized),
                Some(&keys::suppressed_in_list(&normalized)),
                None,
                "suppression",
                suppression,
            ),
        );
    }
    if let Some(task) = change.task {
        task_items(&mut tx, table, task, None);
    }
    match table.transact(tx).await {
        Ok(()) => Ok(true),
        Err(StoreError::ConditionFailed { label: "fact" | "event" | "task" }) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Reads the whole partition page by page: the queued recipients of a mailing (to resume it).
pub async fn queued_recipient_ids(table: &Table, mailing_id: MailingId) -> Result<Vec<PersonId>, StoreError> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = recipients(table, mailing_id, Some(RecipientStatus::Queued), 500, cursor.as_deref()).await?;
        ids.extend(page.items.into_iter().map(|r| r.person_id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(ids),
        }
    }
}
