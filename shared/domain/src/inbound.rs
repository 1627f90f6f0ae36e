//! Inbound e-mail (poczta przychodząca): mail sent to the association's address, received by
//! SES into S3, parsed by the `inbound-mail` function and linked to the person who sent it and
//! to the training or mailing it answers.
//!
//! Two things live here, both pure:
//!
//! - [`ReplyToken`]: outgoing mail of a mailing or a training carries a Reply-To plus-address
//!   such as `biuro+t-<token>@wokiss.pl`; a reply to it names the training (`t-`) or mailing
//!   (`m-`) in its recipients. The token is the object's UUID in lowercase base32 (RFC 4648
//!   alphabet, no padding, 26 characters), so a reply is linked without any lookup table.
//! - [`InboundMail`]: what is kept of a received message, built from what a MIME parser could
//!   read ([`ReceivedParts`], untrusted and unbounded) under the limits below, so that a
//!   hostile or broken message is stored as far as it could be read and never breaks the
//!   store (DynamoDB items are at most 400 KB).
//!
//! The body is kept as plain text only: the text part of the message, or the text the parser
//! derived from its HTML part. No sender-controlled HTML ever reaches the staff app; the
//! original message stays in S3 for anyone who needs it byte for byte.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::errors::ValidationErrors;
use crate::history::{ContactEvent, EventKind, ObjectKind, ObjectRef, UserRef};
use crate::ids::{EventId, InboundMailId};
use crate::values::{Body, Email, Title};

// ---- reply token -------------------------------------------------------------------------

/// What a reply token points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyTarget {
    Mailing,
    Training,
}

impl ReplyTarget {
    fn tag(self) -> char {
        match self {
            Self::Mailing => 'm',
            Self::Training => 't',
        }
    }

    fn from_tag(tag: char) -> Option<Self> {
        match tag {
            'm' => Some(Self::Mailing),
            't' => Some(Self::Training),
            _ => None,
        }
    }

    pub fn object_kind(self) -> ObjectKind {
        match self {
            Self::Mailing => ObjectKind::Mailing,
            Self::Training => ObjectKind::Training,
        }
    }
}

/// A training or mailing, encoded in the detail part of a plus-address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplyToken {
    target: ReplyTarget,
    id: Uuid,
}

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// 128 bits in 5-bit digits.
const TOKEN_DIGITS: usize = 26;

fn base32(bytes: [u8; 16]) -> String {
    let value = u128::from_be_bytes(bytes);
    // 26 digits carry 130 bits: the value is shifted left by two, so the last digit's two low
    // bits are zero (as RFC 4648 pads the last group).
    let mut out = String::with_capacity(TOKEN_DIGITS);
    for digit in 0..TOKEN_DIGITS {
        let shift = 123 - 5 * digit as i32;
        let index = if shift >= 0 { (value >> shift) & 31 } else { (value << -shift) & 31 };
        out.push(BASE32[index as usize] as char);
    }
    out
}

fn unbase32(text: &str) -> Option<[u8; 16]> {
    if text.len() != TOKEN_DIGITS {
        return None;
    }
    let mut value: u128 = 0;
    for (digit, byte) in text.bytes().enumerate() {
        let index = BASE32.iter().position(|&b| b == byte)? as u128;
        if digit == TOKEN_DIGITS - 1 {
            // Only the two high bits of the last digit's five carry data; the rest must be
            // zero, or two spellings would decode to one id.
            if index & 0b11 != 0 {
                return None;
            }
            value = (value << 3) | (index >> 2);
        } else {
            value = (value << 5) | index;
        }
    }
    Some(value.to_be_bytes())
}

impl ReplyToken {
    pub fn for_mailing(id: Uuid) -> Self {
        Self { target: ReplyTarget::Mailing, id }
    }

    pub fn for_training(id: Uuid) -> Self {
        Self { target: ReplyTarget::Training, id }
    }

    pub fn target(&self) -> ReplyTarget {
        self.target
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The detail part of the plus-address: `t-<26 characters>` or `m-<26 characters>`.
    pub fn tag(&self) -> String {
        format!("{}-{}", self.target.tag(), base32(*self.id.as_bytes()))
    }

    /// Reads a tag as [`tag`](Self::tag) writes it, in any letter case; anything else is `None`.
    pub fn parse_tag(tag: &str) -> Option<Self> {
        let tag = tag.to_ascii_lowercase();
        let mut chars = tag.chars();
        let target = ReplyTarget::from_tag(chars.next()?)?;
        let rest = chars.as_str().strip_prefix('-')?;
        Some(Self { target, id: Uuid::from_bytes(unbase32(rest)?) })
    }

    /// The plus-address of `base_address` carrying this token (`biuro@wokiss.pl` →
    /// `biuro+t-…@wokiss.pl`); a detail already in the base address is replaced.
    pub fn address(&self, base_address: &str) -> String {
        let base = base_address.trim();
        match base.rsplit_once('@') {
            Some((local, domain)) => {
                let local = local.split_once('+').map_or(local, |(mailbox, _)| mailbox);
                format!("{local}+{}@{domain}", self.tag())
            }
            None => format!("{base}+{}", self.tag()),
        }
    }

    /// The token of a plus-address (`<…>` around it allowed, any letter case); `None` when the
    /// address has no detail part or the detail is not a token.
    pub fn from_address(address: &str) -> Option<Self> {
        let (local, domain) = bare_address(address)?.rsplit_once('@')?;
        if domain.is_empty() || domain.contains(char::is_whitespace) {
            return None;
        }
        let (_, detail) = local.split_once('+')?;
        Self::parse_tag(detail)
    }

    /// The token of `address` only when it is a plus-address of the mailbox `base_address`:
    /// tags in other people's addresses (copied recipients) are not ours to read.
    pub fn from_address_of(address: &str, base_address: &str) -> Option<Self> {
        let token = Self::from_address(address)?;
        let (local, domain) = bare_address(address)?.rsplit_once('@')?;
        let mailbox = local.split_once('+').map_or(local, |(mailbox, _)| mailbox);
        let (base_local, base_domain) = base_address.trim().rsplit_once('@')?;
        let base_local = base_local.split_once('+').map_or(base_local, |(mailbox, _)| mailbox);
        (mailbox.eq_ignore_ascii_case(base_local) && domain.eq_ignore_ascii_case(base_domain)).then_some(token)
    }

    /// The object the token names, as a history link.
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef { kind: self.target.object_kind(), id: self.id.to_string(), label: None }
    }
}

fn bare_address(address: &str) -> Option<&str> {
    let trimmed = address.trim();
    let bare = match trimmed.strip_prefix('<') {
        Some(inner) => inner.strip_suffix('>')?,
        None => trimmed,
    };
    (!bare.is_empty() && bare.is_ascii()).then_some(bare)
}

// ---- the message ----------------------------------------------------------------------------

/// Limits applied to what a sender controls.
pub mod limits {
    /// Subject, in characters.
    pub const SUBJECT_CHARS: usize = 500;
    /// Body text, in UTF-8 bytes (the rest stays in the original message in S3).
    pub const TEXT_BYTES: usize = 100_000;
    /// Recipients kept of each of To and Cc.
    pub const RECIPIENTS: usize = 50;
    /// Display name of an address, in characters.
    pub const NAME_CHARS: usize = 200;
    /// An address, in characters (RFC 5321 allows 254).
    pub const ADDRESS_CHARS: usize = 320;
    /// Message ids kept of In-Reply-To and of References, and the length of each.
    pub const MESSAGE_IDS: usize = 20;
    pub const MESSAGE_ID_CHARS: usize = 500;
    /// Attachments stored; the rest are listed as a problem.
    pub const ATTACHMENTS: usize = 50;
    /// Attachment file name as shown, in characters.
    pub const FILE_NAME_CHARS: usize = 200;
    /// Attachment name inside its S3 key, in characters.
    pub const KEY_NAME_CHARS: usize = 80;
    /// Content type, in characters.
    pub const CONTENT_TYPE_CHARS: usize = 100;
    /// Problems noted while reading a message.
    pub const PROBLEMS: usize = 20;
    /// The excerpt of the body in the contact-history event, in characters.
    pub const EVENT_EXCERPT_CHARS: usize = 2_000;
}

/// A mailbox as written in a header: optional display name and the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub address: String,
}

impl MailAddress {
    /// `Name <address>` or the bare address.
    pub fn display(&self) -> String {
        match &self.name {
            Some(name) => format!("{name} <{}>", self.address),
            None => self.address.clone(),
        }
    }
}

/// An attachment as the parser found it (the bytes stay with the caller, who stores them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceivedAttachment {
    pub name: Option<String>,
    pub content_type: Option<String>,
    pub size: u64,
}

/// Everything a MIME parser could read of a message: untrusted, unbounded, any part missing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceivedParts {
    pub from: Option<MailAddress>,
    pub to: Vec<MailAddress>,
    pub cc: Vec<MailAddress>,
    pub subject: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub text: Option<String>,
    pub attachments: Vec<ReceivedAttachment>,
    /// What went wrong while reading (e.g. "no From header"), in English, for staff and logs.
    pub problems: Vec<String>,
}

/// A stored attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentMeta {
    /// 1, 2, … in the order of the message.
    pub index: u32,
    /// The file name as the sender gave it (sanitised; `zalacznik-<n>` when absent).
    pub name: String,
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// Where it is in the inbound bucket.
    pub key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboundStatus {
    /// Linked to a person, in their history.
    Assigned,
    /// Sender unknown (or unreadable): waits in the "unassigned" list for staff.
    Unassigned,
}

/// A received message as kept in the CRM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboundMail {
    pub id: InboundMailId,
    /// When SES stored it (the S3 event's time).
    pub received_at: DateTime<Utc>,
    /// The original message in the inbound bucket.
    pub raw_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<MailAddress>,
    /// The sender's address in its stored form, when it is a valid address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Email>,
    #[serde(default)]
    pub to: Vec<MailAddress>,
    #[serde(default)]
    pub cc: Vec<MailAddress>,
    /// Empty when the message had none.
    pub subject: String,
    /// The Date header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default)]
    pub in_reply_to: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// Plain text only (from the text part, or derived from the HTML part).
    pub text: String,
    /// The text was cut at the limit; the whole message is in the original.
    #[serde(default)]
    pub text_truncated: bool,
    #[serde(default)]
    pub attachments: Vec<AttachmentMeta>,
    /// The training or mailing the message answers (from a reply token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concerns: Option<ObjectRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<ObjectRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<ObjectRef>,
    pub status: InboundStatus,
    /// The contact-history event, once the message is linked to a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
    /// Who linked an unassigned message to its person, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_by: Option<UserRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_at: Option<DateTime<Utc>>,
    /// What could not be read.
    #[serde(default)]
    pub problems: Vec<String>,
}

/// Cuts to at most `max` characters.
fn cut_chars(text: &str, max: usize) -> (String, bool) {
    match text.char_indices().nth(max) {
        Some((end, _)) => (text[..end].to_owned(), true),
        None => (text.to_owned(), false),
    }
}

/// Cuts to at most `max` UTF-8 bytes, on a character boundary.
fn cut_bytes(text: &str, max: usize) -> (String, bool) {
    if text.len() <= max {
        return (text.to_owned(), false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text[..end].to_owned(), true)
}

/// One line: NFC, whitespace runs (line breaks included) collapsed, control characters dropped.
fn one_line(raw: &str, max: usize) -> String {
    let normalized: String = raw.nfc().filter(|c| !c.is_control() || c.is_whitespace()).collect();
    let collapsed = normalized.split_whitespace().collect::<Vec<_>>().join(" ");
    cut_chars(&collapsed, max).0
}

/// Body text: NFC, LF line ends, control characters other than LF and TAB dropped, trimmed.
fn body_text(raw: &str) -> String {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let normalized: String = unified.nfc().filter(|&c| !c.is_control() || c == '\n' || c == '\t').collect();
    normalized.trim().to_owned()
}

fn address(raw: &MailAddress) -> Option<MailAddress> {
    let address = one_line(&raw.address, limits::ADDRESS_CHARS);
    if address.is_empty() {
        return None;
    }
    let name = raw.name.as_deref().map(|n| one_line(n, limits::NAME_CHARS)).filter(|n| !n.is_empty());
    Some(MailAddress { name, address })
}

fn addresses(raw: &[MailAddress], header: &str, problems: &mut Vec<String>) -> Vec<MailAddress> {
    if raw.len() > limits::RECIPIENTS {
        problems.push(format!("{header}: {} addresses, the first {} kept", raw.len(), limits::RECIPIENTS));
    }
    raw.iter().take(limits::RECIPIENTS).filter_map(address).collect()
}

fn message_id(raw: &str) -> Option<String> {
    let trimmed = raw.trim().trim_start_matches('<').trim_end_matches('>');
    let id = one_line(trimmed, limits::MESSAGE_ID_CHARS);
    (!id.is_empty() && !id.contains(' ')).then_some(id)
}

fn message_ids(raw: &[String]) -> Vec<String> {
    raw.iter().filter_map(|id| message_id(id)).take(limits::MESSAGE_IDS).collect()
}

/// A file name safe inside an S3 key: ASCII letters, digits, `.`, `-` and `_` (Polish letters
/// without their diacritics), at most [`limits::KEY_NAME_CHARS`], never empty or dot-only.
pub fn key_safe_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.nfd() {
        if out.chars().count() >= limits::KEY_NAME_CHARS {
            break;
        }
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => out.push(c),
            'ł' => out.push('l'),
            'Ł' => out.push('L'),
            // Combining marks of decomposed letters (ó → o + ◌́) are dropped.
            '\u{300}'..='\u{36f}' => {}
            _ => out.push('_'),
        }
    }
    let trimmed = out.trim_matches('.');
    if trimmed.is_empty() {
        "plik".into()
    } else {
        trimmed.to_owned()
    }
}

/// Where attachment `index` (1-based) of message `id` is stored.
pub fn attachment_key(id: InboundMailId, index: u32, name: &str) -> String {
    format!("inbound/attachments/{id}/{index}-{}", key_safe_name(name))
}

/// The name shown for attachment `index`: the sender's (one line, bounded) or `zalacznik-<n>`.
pub fn attachment_name(raw: Option<&str>, index: u32) -> String {
    // Path separators would make a downloaded name a path on some systems.
    let name = raw.map(|n| one_line(&n.replace(['/', '\\'], "_"), limits::FILE_NAME_CHARS)).unwrap_or_default();
    if name.is_empty() {
        format!("zalacznik-{index}")
    } else {
        name
    }
}

impl InboundMail {
    /// Keeps what was read of a message, within the limits; never fails. The sender is linked
    /// later ([`assign`](Self::assign)); `concerns` is the training or mailing named by a reply
    /// token, if any.
    pub fn receive(
        id: InboundMailId,
        received_at: DateTime<Utc>,
        raw_key: String,
        parts: ReceivedParts,
        concerns: Option<ObjectRef>,
    ) -> Self {
        let mut problems = parts.problems;
        let from = parts.from.as_ref().and_then(address);
        let sender = match &from {
            Some(from) => match Email::parse(&from.address) {
                Ok(email) => Some(email),
                Err(_) => {
                    problems.push(format!("the sender's address is not valid: {}", from.address));
                    None
                }
            },
            None => {
                problems.push("no sender (From) could be read".into());
                None
            }
        };
        let to = addresses(&parts.to, "To", &mut problems);
        let cc = addresses(&parts.cc, "Cc", &mut problems);
        let subject = parts.subject.as_deref().map(|s| one_line(s, limits::SUBJECT_CHARS)).unwrap_or_default();
        let (text, text_truncated) =
            cut_bytes(&body_text(parts.text.as_deref().unwrap_or_default()), limits::TEXT_BYTES);
        if text_truncated {
            problems.push(format!("the text was cut at {} bytes", limits::TEXT_BYTES));
        }
        if parts.attachments.len() > limits::ATTACHMENTS {
            problems.push(format!("{} attachments, the first {} stored", parts.attachments.len(), limits::ATTACHMENTS));
        }
        let attachments = parts
            .attachments
            .iter()
            .take(limits::ATTACHMENTS)
            .zip(1u32..)
            .map(|(attachment, index)| {
                let name = attachment_name(attachment.name.as_deref(), index);
                let content_type = attachment
                    .content_type
                    .as_deref()
                    .map(|t| one_line(t, limits::CONTENT_TYPE_CHARS).to_ascii_lowercase())
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| "application/octet-stream".into());
                AttachmentMeta {
                    index,
                    key: attachment_key(id, index, &name),
                    name,
                    content_type,
                    size: attachment.size,
                }
            })
            .collect();
        problems.truncate(limits::PROBLEMS);
        let problems = problems.iter().map(|p| one_line(p, 300)).collect();
        Self {
            id,
            received_at,
            raw_key,
            from,
            sender,
            to,
            cc,
            subject,
            date: parts.date,
            message_id: parts.message_id.as_deref().and_then(message_id),
            in_reply_to: message_ids(&parts.in_reply_to),
            references: message_ids(&parts.references),
            text,
            text_truncated,
            attachments,
            concerns,
            person: None,
            unit: None,
            status: InboundStatus::Unassigned,
            event_id: None,
            assigned_by: None,
            assigned_at: None,
            problems,
        }
    }

    pub fn is_assigned(&self) -> bool {
        self.status == InboundStatus::Assigned
    }

    /// Links the message to its person (and the person's unit) and returns the contact event
    /// to write in the timeline of each linked object: the person, the unit, the training or
    /// mailing, and the message itself. `by` is the staff member who assigned it (`None` when
    /// the sender's address was recognised on arrival).
    pub fn assign(
        &mut self,
        person: ObjectRef,
        unit: ObjectRef,
        by: Option<UserRef>,
        at: DateTime<Utc>,
    ) -> ContactEvent {
        let event = ContactEvent {
            id: EventId::generate(),
            kind: EventKind::EmailInbound,
            at: self.received_at,
            author: UserRef {
                id: self.sender.as_ref().map_or_else(|| "inbound-mail".into(), |s| format!("mailto:{s}")),
                name: self.from.as_ref().map_or_else(|| "(nieznany nadawca)".into(), MailAddress::display),
            },
            subject: self.event_subject(),
            body: self.event_body(),
            links: [Some(person.clone()), Some(unit.clone()), self.concerns.clone(), Some(self.object_ref())]
                .into_iter()
                .flatten()
                .collect(),
        };
        self.person = Some(person);
        self.unit = Some(unit);
        self.status = InboundStatus::Assigned;
        self.event_id = Some(event.id);
        if by.is_some() {
            self.assigned_by = by;
            self.assigned_at = Some(at);
        }
        event
    }

    /// The message as a history link (its own timeline: arrival, replies).
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef { kind: ObjectKind::InboundMail, id: self.id.to_string(), label: Some(self.event_subject()) }
    }

    fn event_subject(&self) -> String {
        let subject = if self.subject.is_empty() { "(bez tematu)" } else { &self.subject };
        cut_chars(subject, crate::history::SUBJECT_MAX).0
    }

    fn event_body(&self) -> Option<String> {
        let (mut excerpt, cut) = cut_chars(&self.text, limits::EVENT_EXCERPT_CHARS);
        if cut {
            excerpt.push('…');
        }
        if !self.attachments.is_empty() {
            let names: Vec<&str> = self.attachments.iter().map(|a| a.name.as_str()).collect();
            excerpt.push_str(&format!("\n\nZałączniki: {}", names.join(", ")));
        }
        let excerpt = excerpt.trim().to_owned();
        (!excerpt.is_empty()).then(|| cut_chars(&excerpt, crate::history::BODY_MAX).0)
    }

    /// The subject of a reply: `Re: <subject>`, without stacking `Re:`s.
    pub fn reply_subject(&self) -> String {
        let subject = self.subject.trim();
        let lower = subject.to_lowercase();
        let reply = if lower.starts_with("re:") || lower.starts_with("odp:") {
            subject.to_owned()
        } else if subject.is_empty() {
            "Re: (bez tematu)".to_owned()
        } else {
            format!("Re: {subject}")
        };
        cut_chars(&reply, Title::MAX_CHARS).0
    }

    /// `References` of a reply: the message's own references, then its id (RFC 5322 3.6.4).
    pub fn reply_references(&self) -> Vec<String> {
        let mut references: Vec<String> = self.references.clone();
        if references.is_empty() {
            references.extend(self.in_reply_to.iter().take(1).cloned());
        }
        references.extend(self.message_id.clone());
        let skip = references.len().saturating_sub(limits::MESSAGE_IDS);
        references.into_iter().skip(skip).collect()
    }
}

// ---- staff input ------------------------------------------------------------------------------

/// `POST …/inbound/{id}/assign`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignInput {
    /// The person who wrote the message.
    pub person_id: Option<String>,
}

/// `POST …/inbound/{id}/reply`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplyInput {
    /// Default: `Re: <the message's subject>`.
    pub subject: Option<String>,
    pub text: Option<String>,
}

/// A validated reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub subject: Title,
    pub text: Body,
}

impl ReplyInput {
    pub fn validate(self, message: &InboundMail) -> Result<Reply, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let default_subject = message.reply_subject();
        let raw_subject = self.subject.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(&default_subject);
        let subject = errors.check("subject", Title::parse(raw_subject));
        let text = errors.required("text", self.text.as_deref(), Body::parse);
        match (subject, text) {
            (Some(subject), Some(text)) => Ok(Reply { subject, text }),
            _ => Err(errors),
        }
    }
}

impl Reply {
    /// A stable id of this reply to this message: the same reply posted twice is sent once.
    pub fn id(&self, message: InboundMailId) -> Uuid {
        let key = format!("{message}\u{0}{}\u{0}{}", self.subject, self.text);
        Uuid::new_v5(&Uuid::NAMESPACE_OID, key.as_bytes())
    }
}

#[cfg(test)]
mod tests;
