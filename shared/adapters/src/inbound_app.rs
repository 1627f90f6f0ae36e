//! Received mail in the staff CRM: the inbox (all messages, or those waiting for their sender
//! to be named), one message with short-lived links to its attachments, linking a message to
//! its person, and replies sent through SES and recorded like any other e-mail. Also the
//! linking both the `inbound-mail` function and staff use: a person and their unit as history
//! links, a reply token's training.

use std::time::Duration;

use chrono::Utc;
use ewokiss_domain::access::Actor;
use ewokiss_domain::errors::FieldError;
use ewokiss_domain::history::{ContactEvent, EventKind, ObjectKind, ObjectRef, BODY_MAX};
use ewokiss_domain::ids::{EventId, InboundMailId, PersonId, TrainingId};
use ewokiss_domain::inbound::{
    AssignInput, InboundMail, InboundStatus, MailAddress, ReplyInput, ReplyTarget, ReplyToken,
};
use ewokiss_domain::person::Person;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::{staff_only, Registry};
use crate::documents::Documents;
use crate::dynamo::inbound::{self as store, ReplyClaim, ReplyStatus, SentReply};
use crate::dynamo::registry as people;
use crate::dynamo::{trainings, Page, StoreError, Table};
use crate::http::{ApiError, Message};
use crate::mail::{MailError, Mailer, Threading};

/// How long an attachment link works.
const LINK_TTL: Duration = Duration::from_secs(300);
/// A reply request that died after claiming is taken over after this long.
const REPLY_CLAIM_MINUTES: i64 = 5;
/// Characters of the body shown in the inbox list.
const EXCERPT_CHARS: usize = 200;

/// What replying and downloading need: the inbound bucket, a mailer sending as the
/// association's address, and that address (the base of reply tokens).
pub struct Inbox {
    pub files: Documents,
    pub mailer: Mailer,
    pub address: String,
}

impl Inbox {
    /// `address` is the association's mailbox (`biuro@wokiss.pl`): replies are sent from it,
    /// so answers to them come back into the inbox.
    pub fn new(sdk: &aws_config::SdkConfig, bucket: &str, address: &str, configuration_set: Option<String>) -> Self {
        Self {
            files: Documents::new(sdk, bucket),
            mailer: Mailer::new(sdk, format!("WOKiSS <{address}>"), configuration_set),
            address: address.to_owned(),
        }
    }
}

/// A row of the inbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboundSummary {
    pub id: InboundMailId,
    pub received_at: chrono::DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<MailAddress>,
    pub subject: String,
    pub status: InboundStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<ObjectRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<ObjectRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concerns: Option<ObjectRef>,
    pub attachments: u32,
    /// The start of the text.
    pub excerpt: String,
    /// Something could not be read (see the message's `problems`).
    pub has_problems: bool,
}

impl From<InboundMail> for InboundSummary {
    fn from(mail: InboundMail) -> Self {
        let excerpt = mail.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let excerpt = match excerpt.char_indices().nth(EXCERPT_CHARS) {
            Some((end, _)) => format!("{}…", &excerpt[..end]),
            None => excerpt,
        };
        Self {
            id: mail.id,
            received_at: mail.received_at,
            from: mail.from,
            subject: mail.subject,
            status: mail.status,
            person: mail.person,
            unit: mail.unit,
            concerns: mail.concerns,
            attachments: mail.attachments.len() as u32,
            excerpt,
            has_problems: !mail.problems.is_empty(),
        }
    }
}

/// A link to download one attachment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentLink {
    pub index: u32,
    pub name: String,
    /// Valid for 5 minutes.
    pub url: String,
}

/// A message with what staff need to read and answer it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboundView {
    pub message: InboundMail,
    /// One per attachment, in the order of `message.attachments`.
    pub attachment_links: Vec<AttachmentLink>,
    /// The original message (.eml) as received, valid for 5 minutes.
    pub original_url: String,
    /// Replies sent from the CRM, oldest first.
    pub replies: Vec<SentReply>,
}

/// A person and their unit as history links (labels: the person's name, the unit's name).
pub async fn person_links(table: &Table, person: &Person) -> Result<(ObjectRef, ObjectRef), StoreError> {
    let unit_name = people::get_unit(table, person.unit_id).await?.map(|unit| unit.name);
    Ok((
        ObjectRef { kind: ObjectKind::Person, id: person.id.to_string(), label: Some(person.full_name()) },
        ObjectRef { kind: ObjectKind::Unit, id: person.unit_id.to_string(), label: unit_name },
    ))
}

/// The object a reply token names, with its label, when it exists. Trainings are looked up;
/// mailings are linked as named (their store is not part of this module).
pub async fn token_target(table: &Table, token: &ReplyToken) -> Result<Option<ObjectRef>, StoreError> {
    match token.target() {
        ReplyTarget::Training => {
            let id = TrainingId::parse(&token.id().to_string()).expect("a uuid is a training id");
            Ok(trainings::get_training(table, id)
                .await?
                .map(|training| ObjectRef { label: Some(training.title), ..token.object_ref() }))
        }
        ReplyTarget::Mailing => Ok(Some(token.object_ref())),
    }
}

fn unavailable(error: impl std::fmt::Display) -> ApiError {
    ApiError::Unavailable(error.to_string())
}

pub fn inbound_id(raw: &str) -> Result<InboundMailId, ApiError> {
    InboundMailId::parse(raw).map_err(|error| ApiError::BadRequest(vec![FieldError::from_value("id", &error)]))
}

fn conflict(code: &'static str, pl: &str, en: &str) -> ApiError {
    ApiError::Conflict { code, message: Message { pl: pl.into(), en: en.into() } }
}

fn cut(text: &str, max: usize) -> &str {
    text.char_indices().nth(max).map_or(text, |(end, _)| &text[..end])
}

impl Registry {
    /// The inbox, newest first; `unassigned_only` lists the messages whose sender is not known.
    pub async fn inbound_list(
        &self,
        actor: &Actor,
        unassigned_only: bool,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<InboundSummary>, ApiError> {
        staff_only(actor)?;
        Ok(store::list(&self.table, unassigned_only, limit, cursor).await?.map(InboundSummary::from))
    }

    async fn inbound_mail(&self, id: InboundMailId) -> Result<InboundMail, ApiError> {
        store::get(&self.table, id).await?.ok_or(ApiError::NotFound)
    }

    /// One message with links to its attachments and original, and the replies sent.
    pub async fn inbound_message(
        &self,
        actor: &Actor,
        inbox: &Inbox,
        id: InboundMailId,
    ) -> Result<InboundView, ApiError> {
        staff_only(actor)?;
        let (message, replies) = tokio::try_join!(store::get(&self.table, id), store::replies(&self.table, id))?;
        let message = message.ok_or(ApiError::NotFound)?;
        let mut attachment_links = Vec::with_capacity(message.attachments.len());
        for attachment in &message.attachments {
            let url =
                inbox.files.download_link(&attachment.key, &attachment.name, LINK_TTL).await.map_err(unavailable)?;
            attachment_links.push(AttachmentLink { index: attachment.index, name: attachment.name.clone(), url });
        }
        let original_name = format!("wiadomosc-{}.eml", message.id);
        let original_url =
            inbox.files.download_link(&message.raw_key, &original_name, LINK_TTL).await.map_err(unavailable)?;
        Ok(InboundView { message, attachment_links, original_url, replies })
    }

    /// Links a message to the person who wrote it: the message leaves the unassigned list and
    /// its event is written into the person's, the unit's (and the training's) history. The
    /// same assignment again changes nothing; another person for an assigned message is 409.
    pub async fn assign_inbound(
        &self,
        actor: &Actor,
        id: InboundMailId,
        input: AssignInput,
    ) -> Result<InboundMail, ApiError> {
        staff_only(actor)?;
        let raw = input.person_id.as_deref().map(str::trim).filter(|raw| !raw.is_empty());
        let person_id = match raw {
            None => return Err(ApiError::field(FieldError::required("personId"))),
            Some(raw) => PersonId::parse(raw).map_err(|e| ApiError::field(FieldError::from_value("personId", &e)))?,
        };
        let mail = self.inbound_mail(id).await?;
        let person = people::get_person(&self.table, person_id).await?.ok_or_else(|| {
            ApiError::field(FieldError::new("personId", "unknown_person", "Nie ma takiej osoby.", "No such person."))
        })?;
        let already = |mail: InboundMail| -> Result<InboundMail, ApiError> {
            if mail.person.as_ref().is_some_and(|p| p.id == person_id.to_string()) {
                Ok(mail)
            } else {
                Err(conflict(
                    "already_assigned",
                    "Ta wiadomość jest już przypisana do innej osoby.",
                    "This message is already linked to another person.",
                ))
            }
        };
        if mail.is_assigned() {
            return already(mail);
        }
        let (person_ref, unit_ref) = person_links(&self.table, &person).await?;
        let mut after = mail;
        let event = after.assign(person_ref, unit_ref, Some(actor.as_user_ref()), Utc::now());
        match store::assign(&self.table, &after, &event).await {
            Ok(()) => Ok(after),
            // Someone assigned it meanwhile: the same person is the same outcome.
            Err(StoreError::ConditionFailed { label: "assigned" }) => already(self.inbound_mail(id).await?),
            Err(other) => Err(other.into()),
        }
    }

    /// Sends staff's answer to a message's sender (from the association's address, threaded
    /// under the message) and records it as an e-mail in the person's, the unit's, the
    /// training's and the message's history. The same reply posted twice is sent once.
    pub async fn reply_inbound(
        &self,
        actor: &Actor,
        inbox: &Inbox,
        id: InboundMailId,
        input: ReplyInput,
    ) -> Result<SentReply, ApiError> {
        staff_only(actor)?;
        let mail = self.inbound_mail(id).await?;
        let reply = input.validate(&mail)?;
        let Some(person_ref) = mail.person.clone() else {
            return Err(conflict(
                "inbound_unassigned",
                "Najpierw przypisz wiadomość do osoby — odpowiedź trafi do jej historii.",
                "Link the message to a person first: the reply is recorded in their history.",
            ));
        };
        let person = people::get_person(&self.table, PersonId::parse(&person_ref.id).map_err(|_| ApiError::NotFound)?)
            .await?
            .ok_or(ApiError::NotFound)?;
        let Some(to) = mail.sender.clone().or_else(|| person.email.clone()) else {
            return Err(conflict(
                "no_address",
                "Brak adresu e-mail nadawcy i osoby.",
                "Neither the sender nor the person has an e-mail address.",
            ));
        };
        let now = Utc::now();
        let claim = SentReply {
            id: reply.id(mail.id),
            inbound_id: mail.id,
            to: to.to_string(),
            subject: reply.subject.to_string(),
            text: reply.text.to_string(),
            status: ReplyStatus::Sending,
            by: actor.as_user_ref(),
            claimed_at: now,
            sent_at: None,
            ses_message_id: None,
        };
        match store::claim_reply(&self.table, &claim, now - chrono::Duration::minutes(REPLY_CLAIM_MINUTES)).await? {
            ReplyClaim::Claimed => {}
            ReplyClaim::AlreadySent(earlier) => return Ok(*earlier),
            ReplyClaim::InProgress => {
                return Err(conflict(
                    "reply_in_progress",
                    "Ta odpowiedź jest właśnie wysyłana.",
                    "This reply is being sent right now.",
                ))
            }
        }
        let threading = Threading {
            in_reply_to: mail.message_id.clone(),
            references: mail.reply_references(),
            reply_to: mail.concerns.as_ref().and_then(|target| {
                let uuid = uuid::Uuid::parse_str(&target.id).ok()?;
                match target.kind {
                    ObjectKind::Training => Some(ReplyToken::for_training(uuid).address(&inbox.address)),
                    ObjectKind::Mailing => Some(ReplyToken::for_mailing(uuid).address(&inbox.address)),
                    _ => None,
                }
            }),
        };
        let (mail_tag, reply_tag) = (mail.id.to_string(), claim.id.to_string());
        let tags = [("inbound", mail_tag.as_str()), ("reply", reply_tag.as_str())];
        let sent = inbox.mailer.send_text_reply(&claim.to, &claim.subject, &claim.text, &threading, &tags).await;
        let ses_message_id = match sent {
            Ok(message_id) => message_id,
            Err(error) => {
                store::release_reply(&self.table, &claim).await?;
                return Err(match error {
                    MailError::Rejected(detail) => {
                        tracing::warn!(%detail, "SES rejected a reply");
                        conflict(
                            "mail_rejected",
                            "Serwer poczty odrzucił wiadomość.",
                            "The mail server rejected the message.",
                        )
                    }
                    MailError::Retry(detail) => ApiError::Unavailable(detail),
                });
            }
        };
        let (person_ref, unit_ref) = person_links(&self.table, &person).await?;
        let footer = format!("\n\nWysłano na adres {} (SES message id: {ses_message_id}).", claim.to);
        let body = format!("{}{footer}", cut(&claim.text, BODY_MAX - footer.chars().count()));
        let event = ContactEvent {
            id: EventId::generate(),
            kind: EventKind::Email,
            at: Utc::now(),
            author: actor.as_user_ref(),
            subject: cut(&claim.subject, ewokiss_domain::history::SUBJECT_MAX).to_owned(),
            body: Some(body),
            links: [Some(person_ref), Some(unit_ref), mail.concerns.clone(), Some(mail.object_ref())]
                .into_iter()
                .flatten()
                .collect(),
        };
        let sent = SentReply {
            status: ReplyStatus::Sent,
            sent_at: Some(event.at),
            ses_message_id: Some(ses_message_id),
            ..claim
        };
        store::mark_reply_sent(&self.table, &sent, &event).await?;
        Ok(sent)
    }
}
