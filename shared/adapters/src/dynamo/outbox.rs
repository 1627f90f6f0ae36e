//! The outbox's delivery states: pending → sending (claimed by one sender) → sent | failed.
//! Each step is a conditional update, so a message delivered twice to the sender, or two
//! senders at once, send one e-mail.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};
use ewokiss_domain::history::ContactEvent;
use ewokiss_domain::notification::{DeliveryStatus, Notification};
use uuid::Uuid;

use super::{decode, item, s, Expression, StoreError, Table, Transaction};
use crate::keys;

fn status_names() -> Vec<(String, String)> {
    vec![("#data".into(), "data".into()), ("#status".into(), "status".into())]
}

/// Claims a pending entry (or one whose sender's claim is older than `stale_before`).
/// `None`: already sent, failed, or being sent by another sender right now.
pub async fn claim(
    table: &Table,
    id: Uuid,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<Option<Notification>, StoreError> {
    let key = keys::outbox(id);
    let result = table
        .client
        .update_item()
        .table_name(&*table.name)
        .key(keys::PK, s(&key.pk))
        .key(keys::SK, s(&key.sk))
        .update_expression("SET #data.#status = :sending, #claimed = :now")
        .condition_expression("#data.#status = :pending OR (#data.#status = :sending AND #claimed < :stale)")
        .expression_attribute_names("#data", "data")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#claimed", "claimedAt")
        .expression_attribute_values(":sending", s(DeliveryStatus::Sending.code()))
        .expression_attribute_values(":pending", s(DeliveryStatus::Pending.code()))
        .expression_attribute_values(":now", s(&now.to_rfc3339()))
        .expression_attribute_values(":stale", s(&stale_before.to_rfc3339()))
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

/// Marks a claimed entry sent, with the contact-history entry of the e-mail, in one transaction.
pub async fn mark_sent(table: &Table, id: Uuid, message_id: &str, event: &ContactEvent) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    let mut names = status_names();
    names.push(("#message".into(), "messageId".into()));
    tx.update(
        table,
        "outbox",
        &keys::outbox(id),
        Expression {
            update: "SET #data.#status = :sent, #data.#message = :message REMOVE GSI1PK, GSI1SK".into(),
            condition: Some("#data.#status = :sending".into()),
            names,
            values: vec![
                (":sent".into(), s(DeliveryStatus::Sent.code())),
                (":sending".into(), s(DeliveryStatus::Sending.code())),
                (":message".into(), s(message_id)),
            ],
        },
    );
    let event_id = event.id.to_string();
    for link in &event.links {
        tx.create(
            table,
            "event",
            item(&keys::history_entry(link.kind, &link.id, &event_id), None, None, "event", event),
        );
    }
    table.transact(tx).await
}

/// Gives up on an entry that cannot be sent (no address); it leaves the pending list.
pub async fn mark_failed(table: &Table, id: Uuid, reason: &str) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    let mut names = status_names();
    names.push(("#error".into(), "error".into()));
    tx.update(
        table,
        "outbox",
        &keys::outbox(id),
        Expression {
            update: "SET #data.#status = :failed, #data.#error = :error REMOVE GSI1PK, GSI1SK".into(),
            condition: Some("#data.#status = :sending".into()),
            names,
            values: vec![
                (":failed".into(), s(DeliveryStatus::Failed.code())),
                (":sending".into(), s(DeliveryStatus::Sending.code())),
                (":error".into(), s(reason)),
            ],
        },
    );
    table.transact(tx).await
}

pub async fn get(table: &Table, id: Uuid) -> Result<Option<Notification>, StoreError> {
    table.get(&keys::outbox(id)).await
}
