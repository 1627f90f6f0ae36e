//! Inbound mail storage: the received message with its list entries, the Message-ID claim, the
//! contact-history copies of its event, and the replies staff send. Every write is one
//! transaction under a condition, so a repeated S3 event, a repeated assignment or a repeated
//! reply request changes nothing the second time.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use chrono::{DateTime, Utc};
use ewokiss_domain::history::{ContactEvent, UserRef};
use ewokiss_domain::ids::InboundMailId;
use ewokiss_domain::inbound::InboundMail;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{item, s, Expression, Item, Page, Query, StoreError, Table, Transaction};
use crate::keys::{self, GSI2PK, GSI2SK};

fn mail_item(mail: &InboundMail) -> Item {
    let mut item = item(&keys::inbound_mail(mail.id), Some(&keys::inbound_in_list(mail)), None, "inbound", mail);
    if let Some(index) = keys::inbound_unassigned(mail) {
        item.insert(GSI2PK.into(), s(&index.pk));
        item.insert(GSI2SK.into(), s(&index.sk));
    }
    item
}

fn event_copies(tx: &mut Transaction, table: &Table, event: &ContactEvent) {
    let id = event.id.to_string();
    for link in &event.links {
        tx.create(table, "event", item(&keys::history_entry(link.kind, &link.id, &id), None, None, "event", event));
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageIdClaim {
    inbound_id: InboundMailId,
}

/// What storing a received message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    New,
    /// This S3 object was stored before (a repeated event).
    AlreadyStored,
    /// Another stored message has the same Message-ID (the same mail delivered twice).
    Duplicate(InboundMailId),
}

/// Stores a received message, its Message-ID claim and (when its sender is known) the copies of
/// its history event, all or nothing.
pub async fn store_received(
    table: &Table,
    mail: &InboundMail,
    event: Option<&ContactEvent>,
) -> Result<Stored, StoreError> {
    let mut tx = Transaction::default();
    tx.create(table, "inbound", mail_item(mail));
    if let Some(message_id) = &mail.message_id {
        let claim = MessageIdClaim { inbound_id: mail.id };
        tx.create(table, "message-id", item(&keys::inbound_message_id(message_id), None, None, "claim", &claim));
    }
    if let Some(event) = event {
        event_copies(&mut tx, table, event);
    }
    match table.transact(tx).await {
        Ok(()) => Ok(Stored::New),
        Err(StoreError::ConditionFailed { label: "inbound" }) => Ok(Stored::AlreadyStored),
        Err(StoreError::ConditionFailed { label: "message-id" }) => {
            let key = keys::inbound_message_id(mail.message_id.as_deref().unwrap_or_default());
            let holder = table.get::<MessageIdClaim>(&key).await?;
            Ok(holder.map_or(Stored::AlreadyStored, |claim| Stored::Duplicate(claim.inbound_id)))
        }
        Err(other) => Err(other),
    }
}

pub async fn get(table: &Table, id: InboundMailId) -> Result<Option<InboundMail>, StoreError> {
    table.get(&keys::inbound_mail(id)).await
}

/// Received messages, newest first: all, or only those waiting for their sender to be named.
pub async fn list(
    table: &Table,
    unassigned_only: bool,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<InboundMail>, StoreError> {
    let query = if unassigned_only {
        Query::index(keys::GSI2, keys::UNASSIGNED_INBOUND)
    } else {
        Query::index(keys::GSI1, keys::ALL_INBOUND)
    };
    table.query(query.newest_first().page(limit, cursor)).await
}

/// Saves a message linked to its person (leaving the unassigned list) with its history event,
/// on condition that nobody linked it meanwhile (label `assigned`).
pub async fn assign(table: &Table, after: &InboundMail, event: &ContactEvent) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.put_if(
        table,
        "assigned",
        mail_item(after),
        Expression {
            condition: Some("#data.#status = :unassigned".into()),
            names: vec![("#data".into(), "data".into()), ("#status".into(), "status".into())],
            values: vec![(":unassigned".into(), s("unassigned"))],
            ..Default::default()
        },
    );
    event_copies(&mut tx, table, event);
    table.transact(tx).await
}

// ---- replies -----------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyStatus {
    /// Claimed by a request that is sending it now.
    Sending,
    Sent,
}

/// A reply staff sent to a received message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SentReply {
    /// Derived from the message, subject and text: the same reply posted twice is one reply.
    pub id: Uuid,
    pub inbound_id: InboundMailId,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub status: ReplyStatus,
    pub by: UserRef,
    pub claimed_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    /// SES's id of the sent message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ses_message_id: Option<String>,
}

fn reply_item(reply: &SentReply) -> Item {
    item(&keys::inbound_reply(reply.inbound_id, reply.id), None, None, "inbound-reply", reply)
}

fn reply_status_names() -> Vec<(String, String)> {
    vec![("#data".into(), "data".into()), ("#status".into(), "status".into())]
}

/// What claiming a reply found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyClaim {
    /// This request sends it.
    Claimed,
    /// Sent before: the earlier result.
    AlreadySent(Box<SentReply>),
    /// Another request is sending it right now.
    InProgress,
}

/// Claims a reply for sending: it must not exist, or its earlier claim must be older than
/// `stale_before` (a request that died between claiming and recording).
pub async fn claim_reply(
    table: &Table,
    reply: &SentReply,
    stale_before: DateTime<Utc>,
) -> Result<ReplyClaim, StoreError> {
    let mut tx = Transaction::default();
    let mut names = reply_status_names();
    names.push(("#claimed".into(), "claimedAt".into()));
    tx.put_if(
        table,
        "reply",
        reply_item(reply),
        Expression {
            condition: Some(
                "attribute_not_exists(PK) OR (#data.#status = :sending AND #data.#claimed < :stale)".into(),
            ),
            names,
            values: vec![
                (":sending".into(), s("sending")),
                (":stale".into(), s(&stale_before.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))),
            ],
            ..Default::default()
        },
    );
    match table.transact(tx).await {
        Ok(()) => Ok(ReplyClaim::Claimed),
        Err(StoreError::ConditionFailed { .. }) => {
            match table.get::<SentReply>(&keys::inbound_reply(reply.inbound_id, reply.id)).await? {
                Some(earlier) if earlier.status == ReplyStatus::Sent => Ok(ReplyClaim::AlreadySent(Box::new(earlier))),
                _ => Ok(ReplyClaim::InProgress),
            }
        }
        Err(other) => Err(other),
    }
}

/// Records a claimed reply as sent, with its e-mail event in every linked timeline.
pub async fn mark_reply_sent(table: &Table, sent: &SentReply, event: &ContactEvent) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.put_if(
        table,
        "reply",
        reply_item(sent),
        Expression {
            condition: Some("#data.#status = :sending".into()),
            names: reply_status_names(),
            values: vec![(":sending".into(), s("sending"))],
            ..Default::default()
        },
    );
    event_copies(&mut tx, table, event);
    table.transact(tx).await
}

/// Gives a claim back after SES refused or failed, so the same reply can be tried again (a
/// conditional delete: a reply already recorded as sent is never removed).
pub async fn release_reply(table: &Table, reply: &SentReply) -> Result<(), StoreError> {
    let key = keys::inbound_reply(reply.inbound_id, reply.id);
    let result = table
        .client
        .delete_item()
        .table_name(&*table.name)
        .key(keys::PK, s(&key.pk))
        .key(keys::SK, s(&key.sk))
        .condition_expression("#data.#status = :sending")
        .expression_attribute_names("#data", "data")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":sending", s("sending"))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(SdkError::ServiceError(error))
            if matches!(error.err(), DeleteItemError::ConditionalCheckFailedException(_)) =>
        {
            Ok(())
        }
        Err(other) => Err(other.into()),
    }
}

/// The replies to a message, oldest first.
pub async fn replies(table: &Table, id: InboundMailId) -> Result<Vec<SentReply>, StoreError> {
    let partition = keys::inbound_mail(id).pk;
    let mut replies: Vec<SentReply> = table.query(Query::table(&partition).prefix(keys::REPLY_PREFIX)).await?.items;
    replies.sort_by_key(|r| r.claimed_at);
    Ok(replies)
}
