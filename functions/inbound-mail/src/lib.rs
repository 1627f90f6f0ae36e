//! Receives mail sent to the association's address. SES's receipt rule writes each message to
//! the inbound bucket under `inbound/raw/`; S3 invokes this function with the object's key. For
//! each record: read the message, parse it (MIME, encoded words, any common charset), find the
//! training or mailing it answers (a reply token in To/Cc), find the person by the sender's
//! address, store the attachments under `inbound/attachments/<id>/`, and store the message with
//! its contact-history event (person, unit, training/mailing) in one transaction.
//!
//! Safe to run twice: the message's id is derived from the object's location, so a repeated
//! event finds it stored and changes nothing; a second object with the same Message-ID is
//! recognised as a duplicate. A message that cannot be parsed is stored as unassigned with what
//! could be read — only storage failures are errors (retried by Lambda, then the dead-letter
//! queue), never the message's content.

use aws_lambda_events::event::s3::{S3Event, S3EventRecord};
use chrono::Utc;
use ewokiss_adapters::documents::{DocumentError, Documents};
use ewokiss_adapters::dynamo::inbound::{self as store, Stored};
use ewokiss_adapters::dynamo::{registry as people, StoreError, Table};
use ewokiss_adapters::inbound_app::{person_links, token_target};
use ewokiss_domain::ids::InboundMailId;
use ewokiss_domain::inbound::{InboundMail, ReceivedAttachment, ReceivedParts, ReplyToken};

mod parse;

pub use parse::{parse, Parsed};

/// Where the receipt rule writes messages; anything else in the bucket is not a message.
pub const RAW_PREFIX: &str = "inbound/raw/";

pub struct Receiver {
    pub table: Table,
    /// The inbound bucket.
    pub files: Documents,
    pub bucket: String,
    /// The association's address (`biuro@wokiss.pl`): reply tokens are read only from its
    /// plus-addresses.
    pub address: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("inbound bucket: {0}")]
    Files(#[from] DocumentError),
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored; `assigned` when the sender is a known person.
    Stored { id: InboundMailId, assigned: bool },
    /// This object was stored before.
    AlreadyStored(InboundMailId),
    /// The same message (Message-ID) is stored as `of`.
    Duplicate { id: InboundMailId, of: InboundMailId },
    /// Not a message of ours (another bucket or prefix, or no key).
    Ignored(String),
}

/// Handles every record; an error means a storage failure and the whole event is retried
/// (records already handled are then recognised as stored).
pub async fn handle(receiver: &Receiver, event: S3Event) -> Result<Vec<Outcome>, ReceiveError> {
    let mut outcomes = Vec::with_capacity(event.records.len());
    for record in &event.records {
        let outcome = receiver.receive(record).await?;
        tracing::info!(?outcome, "inbound record handled");
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// An S3 event's key is URL-encoded (`+` for a space, `%XX` for other bytes).
pub fn decode_key(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match raw.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                Some(byte) => {
                    out.push(byte);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Receiver {
    pub async fn receive(&self, record: &S3EventRecord) -> Result<Outcome, ReceiveError> {
        let bucket = record.s3.bucket.name.as_deref().unwrap_or_default();
        let Some(key) = record.s3.object.key.as_deref().map(decode_key) else {
            return Ok(Outcome::Ignored("a record without a key".into()));
        };
        if bucket != self.bucket || !key.starts_with(RAW_PREFIX) {
            return Ok(Outcome::Ignored(format!("{bucket}/{key} is not under {}/{RAW_PREFIX}", self.bucket)));
        }
        let id = InboundMailId::derived("inbound-raw", &format!("{bucket}/{key}"));
        if store::get(&self.table, id).await?.is_some() {
            return Ok(Outcome::AlreadyStored(id));
        }
        let raw = self.files.get(&key).await?;
        let Parsed { parts, attachment_bytes } = parse(&raw);
        let concerns = match self.reply_token(&parts) {
            Some(token) => token_target(&self.table, &token).await?,
            None => None,
        };
        let mut mail = InboundMail::receive(id, record.event_time, key, parts, concerns);
        let event = match &mail.sender {
            Some(sender) => match people::person_with_email(&self.table, sender.as_str()).await? {
                Some(person_id) => match people::get_person(&self.table, person_id).await? {
                    Some(person) => {
                        let (person_ref, unit_ref) = person_links(&self.table, &person).await?;
                        Some(mail.assign(person_ref, unit_ref, None, Utc::now()))
                    }
                    None => None,
                },
                None => None,
            },
            None => None,
        };
        // The attachments first: a message is never listed with files that are not there. Their
        // keys are fixed by the message id, so a retry overwrites the same objects.
        for (meta, bytes) in mail.attachments.iter().zip(attachment_bytes) {
            self.files.put(&meta.key, bytes, &meta.content_type).await?;
        }
        let assigned = event.is_some();
        Ok(match store::store_received(&self.table, &mail, event.as_ref()).await? {
            Stored::New => Outcome::Stored { id, assigned },
            Stored::AlreadyStored => Outcome::AlreadyStored(id),
            Stored::Duplicate(of) => Outcome::Duplicate { id, of },
        })
    }

    /// The first reply token among the recipients that is a plus-address of our mailbox.
    fn reply_token(&self, parts: &ReceivedParts) -> Option<ReplyToken> {
        parts.to.iter().chain(&parts.cc).find_map(|to| ReplyToken::from_address_of(&to.address, &self.address))
    }
}

/// Attachment metadata for a part of `size` bytes (used by the parser).
pub(crate) fn attachment(name: Option<&str>, content_type: Option<String>, size: usize) -> ReceivedAttachment {
    ReceivedAttachment { name: name.map(str::to_owned), content_type, size: size as u64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_url_decoded() {
        assert_eq!(decode_key("inbound/raw/abc+def%C5%82%2B"), "inbound/raw/abc defł+");
        assert_eq!(decode_key("100%"), "100%");
        assert_eq!(decode_key("%zz"), "%zz");
    }
}
