//! Mailing use cases for staff: compose (template checked at save time), see the audience and a
//! preview for any recipient, start (the recipients are fixed, then fanned out on SQS in
//! batches), pause, resume, cancel, watch progress; and the answers built on what was sent:
//! what a person received, the suppression list.

use std::collections::HashSet;

#[cfg(feature = "sqs")]
use chrono::Duration;
use chrono::Utc;
use ewokiss_domain::access::Actor;
use ewokiss_domain::errors::FieldError;
use ewokiss_domain::history::{ContactEvent, EventKind, ObjectKind, ObjectRef, UserRef};
use ewokiss_domain::ids::{EventId, MailingId, PersonId, TrainingId};
use ewokiss_domain::mailing::context::{
    default_mailing_template, MailingValues, PersonValues, TrainingValues, UnitValues,
};
use ewokiss_domain::mailing::recipient::{DeliveryOutcome, Recipient, RecipientStatus};
use ewokiss_domain::mailing::{
    Audience, Mailing, MailingContext, MailingInput, MailingKind, MailingRuleError, MessageDraft, PersonFilter,
    MAILING_PLACEHOLDERS,
};
#[cfg(feature = "sqs")]
use ewokiss_domain::mailing::{MailingAction, MailingStatus};
use ewokiss_domain::person::Person;
use ewokiss_domain::templates::{MessageTemplate, Placeholder, RenderedMessage, TemplateError};
use ewokiss_domain::time;
use ewokiss_domain::training::{InvitedList, Training};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{staff_only, Registry};
use crate::dynamo::mailings as store;
use crate::dynamo::registry as people;
use crate::dynamo::trainings as training_store;
use crate::dynamo::{Page, StoreError};
use crate::http::{ApiError, Message};
use crate::links::{LinkSigner, UnsubscribeLink};

/// Recipients per SQS message: one sender invocation sends them at the paced rate.
pub const RECIPIENTS_PER_BATCH: usize = 50;
/// A preparation that died is taken over after this long.
#[cfg(feature = "sqs")]
const PREPARATION_TIMEOUT_MINUTES: i64 = 2;

/// What the mailing functions need besides the table.
#[derive(Debug, Clone)]
pub struct MailingSettings {
    /// The verified SES domain senders must belong to (SENDER_DOMAIN).
    pub sender_domain: String,
    /// The web app's public address, for links in messages (APP_URL).
    pub app_url: String,
    pub links: LinkSigner,
    /// The association's receiving address (INBOUND_ADDRESS): replies go to its plus-address
    /// naming the training or mailing, so they land in the right history.
    pub reply_address: Option<String>,
}

impl MailingSettings {
    pub fn from_env() -> Result<Self, crate::config::MissingVariable> {
        Ok(Self {
            sender_domain: crate::config::required_env("SENDER_DOMAIN")?,
            app_url: crate::config::required_env("APP_URL")?.trim_end_matches('/').to_owned(),
            links: LinkSigner::from_env()?,
            reply_address: std::env::var("INBOUND_ADDRESS").ok().filter(|v| !v.trim().is_empty()),
        })
    }

    /// Reply-To of a mailing's messages: the training's token for an invitation, else the mailing's.
    pub fn reply_to(&self, mailing: &Mailing) -> Option<String> {
        use ewokiss_domain::inbound::ReplyToken;
        let base = self.reply_address.as_deref()?;
        let token = match mailing.training_id {
            Some(training) => ReplyToken::for_training(training.as_uuid()),
            None => ReplyToken::for_mailing(mailing.id.as_uuid()),
        };
        Some(token.address(base))
    }

    /// The unsubscribe links of a newsletter or invitation: the page the footer links to (a
    /// button, so mail scanners that follow links unsubscribe nobody) and the RFC 8058 one-click
    /// address for the List-Unsubscribe header. `None` for service messages.
    pub fn unsubscribe_links(&self, mailing: &Mailing, person_id: PersonId) -> Option<UnsubscribeUrls> {
        self.unsubscribe_links_for(mailing.kind, mailing.id, person_id)
    }

    fn unsubscribe_links_for(&self, kind: MailingKind, id: MailingId, person_id: PersonId) -> Option<UnsubscribeUrls> {
        if !kind.allows_unsubscribe() {
            return None;
        }
        let token = self.links.unsubscribe_token(UnsubscribeLink { person_id, mailing_id: Some(id) }, Utc::now());
        Some(UnsubscribeUrls {
            page: format!("{}/#/unsubscribe?token={token}", self.app_url),
            one_click: format!("{}/api/extranet/public/unsubscribe?token={token}", self.app_url),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeUrls {
    pub page: String,
    pub one_click: String,
}

/// One SQS message of a running mailing: whom to send to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailingBatch {
    pub mailing_id: MailingId,
    pub person_ids: Vec<PersonId>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailingView {
    #[serde(flatten)]
    pub mailing: Mailing,
    pub percent: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training_title: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailingEditor {
    pub template: MessageTemplate,
    pub placeholders: Vec<Placeholder>,
    pub sender_domain: String,
    pub default_sender: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AudiencePreview {
    /// Recipients the mailing would have now (one per person, one per address).
    pub total: u32,
    /// Selected persons without an e-mail address (not mailed).
    pub without_email: u32,
    pub units: u32,
    /// The first recipients, for a look and for previewing their message.
    pub sample: Vec<AudienceMember>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AudienceMember {
    pub person_id: PersonId,
    pub name: String,
    pub email: String,
    pub unit_name: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessagePreviewInput {
    /// A person of the audience; absent: the placeholders' samples.
    pub person_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecipientView {
    #[serde(flatten)]
    pub recipient: Recipient,
    pub outcome: DeliveryOutcome,
}

impl From<Recipient> for RecipientView {
    fn from(recipient: Recipient) -> Self {
        Self { outcome: recipient.delivery.outcome(), recipient }
    }
}

/// What one person was sent by one mailing: the one-click answer to "did they get it".
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonMailing {
    pub mailing_id: MailingId,
    pub mailing_name: String,
    pub kind: MailingKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training_id: Option<TrainingId>,
    #[serde(flatten)]
    pub recipient: RecipientView,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailingStarted {
    #[serde(flatten)]
    pub view: MailingView,
    /// SQS messages queued.
    pub batches: u32,
}

pub fn mailing_id(raw: &str) -> Result<MailingId, ApiError> {
    MailingId::parse(raw).map_err(|error| ApiError::BadRequest(vec![FieldError::from_value("id", &error)]))
}

fn rule(error: MailingRuleError) -> ApiError {
    let field = error.field_error();
    ApiError::Conflict { code: error.code(), message: Message { pl: field.pl, en: field.en } }
}

fn view(mailing: Mailing, training: Option<&Training>) -> MailingView {
    MailingView { percent: mailing.progress.percent(), training_title: training.map(|t| t.title.clone()), mailing }
}

/// The values one recipient's message is rendered with.
pub fn recipient_context(
    mailing_name: &str,
    recipient: &Recipient,
    training: Option<&Training>,
    unsubscribe_url: String,
) -> MailingContext {
    MailingContext {
        person: PersonValues {
            first_name: recipient.first_name.clone(),
            last_name: recipient.last_name.clone(),
            position: recipient.position.clone().unwrap_or_default(),
        },
        unit: UnitValues { name: recipient.unit_name.clone() },
        training: training.map(training_values).unwrap_or_default(),
        mailing: MailingValues { name: mailing_name.to_owned(), unsubscribe_url },
        ..Default::default()
    }
}

fn training_values(training: &Training) -> TrainingValues {
    TrainingValues { title: training.title.clone(), dates: training.dates_text(), venue: training.venue_text() }
}

pub fn render_for(
    mailing: &Mailing,
    recipient: &Recipient,
    training: Option<&Training>,
    unsubscribe_url: String,
) -> Result<RenderedMessage, TemplateError> {
    mailing.template.render(&recipient_context(&mailing.name, recipient, training, unsubscribe_url))
}

/// The audience resolved into recipients (not yet stored).
pub struct Resolved {
    pub recipients: Vec<Recipient>,
    pub without_email: u32,
    pub units: u32,
}

impl Registry {
    pub fn mailing_editor(&self, actor: &Actor, settings: &MailingSettings) -> Result<MailingEditor, ApiError> {
        staff_only(actor)?;
        Ok(MailingEditor {
            template: default_mailing_template(),
            placeholders: MAILING_PLACEHOLDERS.to_vec(),
            default_sender: format!("szkolenia@{}", settings.sender_domain),
            sender_domain: settings.sender_domain.clone(),
        })
    }

    async fn linked_training(&self, id: Option<TrainingId>) -> Result<Option<Training>, ApiError> {
        match id {
            None => Ok(None),
            Some(id) => match training_store::get_training(&self.table, id).await? {
                Some(training) => Ok(Some(training)),
                None => Err(ApiError::Validation(
                    FieldError::new("trainingId", "not_found", "Nie ma takiego szkolenia.", "No such training.").into(),
                )),
            },
        }
    }

    pub async fn create_mailing(
        &self,
        actor: &Actor,
        input: MailingInput,
        settings: &MailingSettings,
    ) -> Result<MailingView, ApiError> {
        staff_only(actor)?;
        let draft = input.parse(&settings.sender_domain).map_err(ApiError::Validation)?;
        let training = self.linked_training(draft.training_id).await?;
        let mailing = Mailing::create(MailingId::generate(), draft, actor.as_user_ref(), Utc::now());
        store::create_mailing(&self.table, &mailing).await?;
        Ok(view(mailing, training.as_ref()))
    }

    pub async fn edit_mailing(
        &self,
        actor: &Actor,
        id: MailingId,
        input: MailingInput,
        settings: &MailingSettings,
    ) -> Result<MailingView, ApiError> {
        staff_only(actor)?;
        let current = self.get_mailing(id).await?;
        let draft = input.parse(&settings.sender_domain).map_err(ApiError::Validation)?;
        let training = self.linked_training(draft.training_id).await?;
        let edited = current.edit(draft, Utc::now()).map_err(rule)?;
        match store::save_draft(&self.table, &current, &edited).await {
            Ok(()) => Ok(view(edited, training.as_ref())),
            Err(StoreError::ConditionFailed { .. }) => Err(ApiError::stale_version()),
            Err(other) => Err(other.into()),
        }
    }

    async fn get_mailing(&self, id: MailingId) -> Result<Mailing, ApiError> {
        store::get_mailing(&self.table, id).await?.ok_or(ApiError::NotFound)
    }

    pub async fn mailing(&self, actor: &Actor, id: MailingId) -> Result<MailingView, ApiError> {
        staff_only(actor)?;
        let mailing = self.get_mailing(id).await?;
        let training = match mailing.training_id {
            Some(id) => training_store::get_training(&self.table, id).await?,
            None => None,
        };
        Ok(view(mailing, training.as_ref()))
    }

    pub async fn list_mailings(&self, actor: &Actor, cursor: Option<&str>) -> Result<Page<MailingView>, ApiError> {
        staff_only(actor)?;
        Ok(store::list_mailings(&self.table, 50, cursor).await?.map(|mailing| view(mailing, None)))
    }

    pub async fn training_mailings(&self, actor: &Actor, id: TrainingId) -> Result<Vec<MailingView>, ApiError> {
        staff_only(actor)?;
        Ok(store::training_mailings(&self.table, id).await?.into_iter().map(|m| view(m, None)).collect())
    }

    /// Who an audience selects now: units by the list's criteria and by hand, their persons by
    /// the filter, plus persons by hand; one recipient per person and per address.
    pub async fn resolve_audience(
        &self,
        mailing_id: MailingId,
        audience: &Audience,
        training: Option<&Training>,
    ) -> Result<Resolved, ApiError> {
        let (units_list, filter, extra_persons): (Option<&InvitedList>, PersonFilter, Vec<PersonId>) = match audience {
            Audience::Units { units, persons } => (Some(units), persons.clone(), units.person_ids.clone()),
            Audience::TrainingInvited { persons } => {
                let invited = training.map(|t| &t.invited);
                (invited, persons.clone(), invited.map(|i| i.person_ids.clone()).unwrap_or_default())
            }
            Audience::Persons { person_ids } => (None, PersonFilter::default(), person_ids.clone()),
        };
        let mut resolved = Resolved { recipients: Vec::new(), without_email: 0, units: 0 };
        let mut seen_persons = HashSet::new();
        let mut seen_addresses = HashSet::new();
        let mut add = |person: &Person, unit_name: &str, resolved: &mut Resolved| {
            if !seen_persons.insert(person.id) {
                return;
            }
            match person.email.as_ref() {
                None => resolved.without_email += 1,
                Some(email) => {
                    if seen_addresses.insert(email.normalized_key()) {
                        resolved.recipients.push(Recipient::queued(mailing_id, person, unit_name, email.as_str()));
                    }
                }
            }
        };
        if let Some(list) = units_list.filter(|l| !l.criteria.is_empty() || !l.unit_ids.is_empty()) {
            let venue = training.and_then(|t| t.venue.as_ref());
            let today = time::today();
            let selected: Vec<_> = people::all_units(&self.table)
                .await?
                .into_iter()
                .filter(|unit| list.includes_unit(unit, venue, today))
                .collect();
            resolved.units = selected.len() as u32;
            // The units' persons, several units at a time.
            use futures_util::{StreamExt, TryStreamExt};
            let include_left = filter.include_inactive;
            let per_unit: Vec<(String, Vec<Person>)> = futures_util::stream::iter(selected)
                .map(|unit| async move {
                    let path: Vec<_> = unit.path();
                    let mut persons = Vec::new();
                    let mut cursor: Option<String> = None;
                    loop {
                        let page =
                            people::persons_of_unit(&self.table, &path, false, include_left, 200, cursor.as_deref())
                                .await?;
                        persons.extend(page.items);
                        match page.next {
                            Some(next) => cursor = Some(next),
                            None => break,
                        }
                    }
                    Ok::<_, StoreError>((unit.name.clone(), persons))
                })
                .buffered(8)
                .try_collect()
                .await?;
            for (unit_name, persons) in per_unit {
                for person in persons.iter().filter(|p| filter.accepts(p)) {
                    add(person, &unit_name, &mut resolved);
                }
            }
        }
        if !extra_persons.is_empty() {
            let persons = self.persons_by_id(&extra_persons).await?;
            let unit_ids: Vec<_> = persons.iter().map(|p| p.unit_id).collect::<HashSet<_>>().into_iter().collect();
            let mut unit_names = std::collections::HashMap::new();
            for unit_id in unit_ids {
                if let Some(unit) = people::get_unit(&self.table, unit_id).await? {
                    unit_names.insert(unit_id, unit.name);
                }
            }
            for person in &persons {
                let unit_name = unit_names.get(&person.unit_id).cloned().unwrap_or_default();
                add(person, &unit_name, &mut resolved);
            }
        }
        Ok(resolved)
    }

    async fn persons_by_id(&self, ids: &[PersonId]) -> Result<Vec<Person>, StoreError> {
        let keys: Vec<_> = ids.iter().map(|id| crate::keys::person(*id)).collect();
        let items = self.table.get_many(&keys).await?;
        let mut persons: Vec<Person> = items.iter().map(crate::dynamo::decode).collect::<Result<_, _>>()?;
        persons.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
        Ok(persons)
    }

    fn preview_of(resolved: Resolved) -> AudiencePreview {
        AudiencePreview {
            total: resolved.recipients.len() as u32,
            without_email: resolved.without_email,
            units: resolved.units,
            sample: resolved
                .recipients
                .into_iter()
                .take(50)
                .map(|r| AudienceMember {
                    person_id: r.person_id,
                    name: r.full_name(),
                    email: r.email,
                    unit_name: r.unit_name,
                })
                .collect(),
        }
    }

    /// The audience of a mailing being composed (nothing is saved).
    pub async fn preview_audience(
        &self,
        actor: &Actor,
        input: MailingInput,
        settings: &MailingSettings,
    ) -> Result<AudiencePreview, ApiError> {
        staff_only(actor)?;
        // Only the audience and the training matter here; the rest of the form may be unfinished.
        let probe = MailingInput {
            name: Some("podgląd".into()),
            subject: Some("podgląd".into()),
            text: Some("podgląd".into()),
            html: Some("podgląd".into()),
            sender_address: Some(format!("podglad@{}", settings.sender_domain)),
            sender_name: None,
            kind: None,
            ..input
        };
        let draft = probe.parse(&settings.sender_domain).map_err(ApiError::Validation)?;
        let training = self.linked_training(draft.training_id).await?;
        let resolved = self.resolve_audience(MailingId::generate(), &draft.audience, training.as_ref()).await?;
        Ok(Self::preview_of(resolved))
    }

    /// A saved mailing's audience: as it is now before the start, the fixed list after.
    pub async fn mailing_audience(&self, actor: &Actor, id: MailingId) -> Result<AudiencePreview, ApiError> {
        staff_only(actor)?;
        let mailing = self.get_mailing(id).await?;
        let training = self.linked_training(mailing.training_id).await?;
        let resolved = self.resolve_audience(mailing.id, &mailing.audience, training.as_ref()).await?;
        Ok(Self::preview_of(resolved))
    }

    /// The message as one recipient will get it (or with the samples).
    pub async fn preview_message(
        &self,
        actor: &Actor,
        id: MailingId,
        input: MessagePreviewInput,
        settings: &MailingSettings,
    ) -> Result<RenderedMessage, ApiError> {
        staff_only(actor)?;
        let mailing = self.get_mailing(id).await?;
        let message = MessageDraft {
            name: mailing.name,
            kind: mailing.kind,
            template: mailing.template,
            training_id: mailing.training_id,
        };
        self.render_preview(Some(id), &message, input.person_id.as_deref(), settings).await
    }

    /// The message of a form not yet saved, as staff type it: template errors come back as field
    /// errors, the rest of the form may be unfinished.
    pub async fn preview_form(
        &self,
        actor: &Actor,
        form: MailingInput,
        person_id: Option<&str>,
        settings: &MailingSettings,
    ) -> Result<RenderedMessage, ApiError> {
        staff_only(actor)?;
        let message = form.parse_message().map_err(ApiError::Validation)?;
        self.render_preview(None, &message, person_id, settings).await
    }

    /// Renders with the samples, or for one person: as recorded when the saved mailing fixed
    /// its recipients, else from the person's current data.
    async fn render_preview(
        &self,
        saved: Option<MailingId>,
        message: &MessageDraft,
        person_id: Option<&str>,
        settings: &MailingSettings,
    ) -> Result<RenderedMessage, ApiError> {
        let training = self.linked_training(message.training_id).await?;
        let Some(raw) = person_id.filter(|raw| !raw.trim().is_empty()) else {
            let mut context = MailingContext::sample();
            if let Some(training) = &training {
                context.training = training_values(training);
            }
            if !message.name.is_empty() {
                context.mailing.name = message.name.clone();
            }
            if !message.kind.allows_unsubscribe() {
                context.mailing.unsubscribe_url.clear();
            }
            return message.template.render(&context).map_err(template_failure);
        };
        let person_id = crate::app::parse_id("personId", raw, PersonId::parse)?;
        let id = saved.unwrap_or_else(MailingId::generate);
        let stored = match saved {
            Some(id) => store::get_recipient(&self.table, id, person_id).await?,
            None => None,
        };
        let recipient = match stored {
            Some(recipient) => recipient,
            None => {
                let person = people::get_person(&self.table, person_id).await?.ok_or(ApiError::NotFound)?;
                let unit = people::get_unit(&self.table, person.unit_id).await?;
                let email = person.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default();
                Recipient::queued(id, &person, unit.map(|u| u.name).as_deref().unwrap_or(""), &email)
            }
        };
        let unsubscribe =
            settings.unsubscribe_links_for(message.kind, id, person_id).map(|links| links.page).unwrap_or_default();
        let context = recipient_context(&message.name, &recipient, training.as_ref(), unsubscribe);
        message.template.render(&context).map_err(template_failure)
    }

    #[cfg(feature = "sqs")]
    /// Starts a draft: fixes its recipients, then queues them in batches. A preparation that
    /// died half way is taken over by starting again after a short while.
    pub async fn start_mailing(
        &self,
        actor: &Actor,
        id: MailingId,
        queue: &crate::queue::Queue,
    ) -> Result<MailingStarted, ApiError> {
        staff_only(actor)?;
        let now = Utc::now();
        let mailing = self.get_mailing(id).await?;
        let stale = mailing.status == MailingStatus::Preparing
            && mailing.started_at.is_some_and(|at| at < now - Duration::minutes(PREPARATION_TIMEOUT_MINUTES));
        if !stale {
            mailing.apply(MailingAction::Start, now).map_err(rule)?;
        }
        let training = self.linked_training(mailing.training_id).await?;
        let resolved = self.resolve_audience(mailing.id, &mailing.audience, training.as_ref()).await?;
        if resolved.recipients.is_empty() {
            return Err(rule(MailingRuleError::NoRecipients));
        }
        let from: &[MailingStatus] = if stale { &[MailingStatus::Preparing] } else { &[MailingStatus::Draft] };
        if store::transition(&self.table, id, from, MailingStatus::Preparing, now, None).await?.is_none() {
            return Err(ApiError::stale_version());
        }
        store::put_recipients(&self.table, &resolved.recipients).await?;
        let total = resolved.recipients.len() as u32;
        let Some(sending) = store::transition(
            &self.table,
            id,
            &[MailingStatus::Preparing],
            MailingStatus::Sending,
            Utc::now(),
            Some(total),
        )
        .await?
        else {
            return Err(ApiError::stale_version());
        };
        let ids: Vec<PersonId> = resolved.recipients.iter().map(|r| r.person_id).collect();
        let batches = enqueue(queue, id, &ids).await?;
        Ok(MailingStarted { view: view(sending, training.as_ref()), batches })
    }

    #[cfg(feature = "sqs")]
    pub async fn control_mailing(
        &self,
        actor: &Actor,
        id: MailingId,
        action: MailingAction,
        queue: &crate::queue::Queue,
    ) -> Result<MailingView, ApiError> {
        staff_only(actor)?;
        let now = Utc::now();
        let mailing = self.get_mailing(id).await?;
        let next = mailing.apply(action, now).map_err(rule)?;
        let Some(moved) = store::transition(&self.table, id, &[mailing.status], next.status, now, None).await? else {
            return Err(ApiError::stale_version());
        };
        if action == MailingAction::Resume {
            // Recipients left queued by the pause go out again; the claims keep it to one e-mail each.
            let queued = store::queued_recipient_ids(&self.table, id).await?;
            enqueue(queue, id, &queued).await?;
        }
        Ok(view(moved, None))
    }

    pub async fn mailing_recipients(
        &self,
        actor: &Actor,
        id: MailingId,
        status: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<Page<RecipientView>, ApiError> {
        staff_only(actor)?;
        let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Some(
                [
                    RecipientStatus::Queued,
                    RecipientStatus::Sending,
                    RecipientStatus::Sent,
                    RecipientStatus::Failed,
                    RecipientStatus::Suppressed,
                    RecipientStatus::Unsubscribed,
                ]
                .into_iter()
                .find(|s| s.code() == raw)
                .ok_or_else(|| {
                    ApiError::BadRequest(vec![FieldError::new(
                        "status",
                        "unknown_status",
                        "Nieznany status odbiorcy.",
                        "Unknown recipient status.",
                    )])
                })?,
            ),
        };
        self.get_mailing(id).await?;
        Ok(store::recipients(&self.table, id, status, 100, cursor).await?.map(RecipientView::from))
    }

    /// Everything mailings sent one person (optionally only those of one training): sent when,
    /// delivered, bounced, opened when.
    pub async fn person_mailings(
        &self,
        actor: &Actor,
        person_id: PersonId,
        training_id: Option<TrainingId>,
    ) -> Result<Vec<PersonMailing>, ApiError> {
        staff_only(actor)?;
        let recipients = store::person_recipients(&self.table, person_id).await?;
        let mut answers = Vec::new();
        for recipient in recipients {
            let Some(mailing) = store::get_mailing(&self.table, recipient.mailing_id).await? else { continue };
            if training_id.is_some() && mailing.training_id != training_id {
                continue;
            }
            answers.push(PersonMailing {
                mailing_id: mailing.id,
                mailing_name: mailing.name,
                kind: mailing.kind,
                training_id: mailing.training_id,
                recipient: recipient.into(),
            });
        }
        answers.sort_by_key(|answer| std::cmp::Reverse(answer.recipient.recipient.sent_at));
        Ok(answers)
    }

    pub async fn suppressions(
        &self,
        actor: &Actor,
        cursor: Option<&str>,
    ) -> Result<Page<store::Suppression>, ApiError> {
        staff_only(actor)?;
        Ok(store::suppressions(&self.table, 100, cursor).await?)
    }

    /// Staff take an address off the suppression list (e.g. the mailbox was fixed).
    pub async fn remove_suppression(&self, actor: &Actor, email: &str) -> Result<(), ApiError> {
        staff_only(actor)?;
        let normalized = email.trim().to_lowercase();
        let suppression = store::get_suppression(&self.table, &normalized).await?.ok_or(ApiError::NotFound)?;
        let mut links = Vec::new();
        if let Some(person_id) = suppression.person_id {
            links.push(ObjectRef { kind: ObjectKind::Person, id: person_id.to_string(), label: None });
        }
        let event = ContactEvent {
            id: EventId::generate(),
            kind: EventKind::Note,
            at: Utc::now(),
            author: actor.as_user_ref(),
            subject: format!("Adres {} usunięty z listy blokad wysyłki", suppression.email),
            body: Some(format!("Wcześniej zablokowany: {} ({}).", suppression.reason, suppression.detail)),
            links,
        };
        store::remove_suppression(&self.table, &normalized, &event).await?;
        Ok(())
    }

    /// A person's newsletter subscription as staff see it on the card.
    pub async fn unsubscription(
        &self,
        actor: &Actor,
        person_id: PersonId,
    ) -> Result<Option<store::Unsubscription>, ApiError> {
        staff_only(actor)?;
        Ok(store::get_unsubscription(&self.table, person_id).await?)
    }

    /// The public unsubscribe link: records it once and says so (no login).
    pub async fn unsubscribe(&self, links: &LinkSigner, token: &str) -> Result<UnsubscribeResult, ApiError> {
        let link = links.verify_unsubscribe(token).map_err(|error| {
            ApiError::BadRequest(vec![FieldError::new(
                "token",
                match error {
                    crate::links::LinkError::Expired => "link_expired",
                    crate::links::LinkError::Invalid => "link_invalid",
                },
                "Ten link jest nieprawidłowy lub wygasł.",
                "This link is invalid or has expired.",
            )])
        })?;
        let person = people::get_person(&self.table, link.person_id).await?.ok_or(ApiError::NotFound)?;
        let now = Utc::now();
        let unsubscription = store::Unsubscription { person_id: person.id, at: now, mailing_id: link.mailing_id };
        let mut links = vec![
            ObjectRef { kind: ObjectKind::Person, id: person.id.to_string(), label: Some(person.full_name()) },
            ObjectRef { kind: ObjectKind::Unit, id: person.unit_id.to_string(), label: None },
        ];
        if let Some(mailing_id) = link.mailing_id {
            links.push(ObjectRef { kind: ObjectKind::Mailing, id: mailing_id.to_string(), label: None });
        }
        let event = ContactEvent {
            id: EventId::generate(),
            kind: EventKind::Email,
            at: now,
            author: UserRef { id: person.id.to_string(), name: person.full_name() },
            subject: "Rezygnacja z newslettera i zaproszeń".into(),
            body: Some("Osoba kliknęła link rezygnacji w wiadomości.".into()),
            links,
        };
        let first_time = store::unsubscribe(&self.table, &unsubscription, &event).await?;
        Ok(UnsubscribeResult { unsubscribed: true, already: !first_time })
    }
}

/// A file the web app is about to upload for a draft mailing.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UploadInput {
    pub file_name: Option<String>,
}

/// Where to PUT the file (with this Content-Type), then confirm it with `attachmentId`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadTicket {
    pub attachment_id: uuid::Uuid,
    pub file_name: String,
    pub content_type: String,
    pub upload_url: String,
}

/// An uploaded file to attach.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttachmentInput {
    pub attachment_id: Option<String>,
    pub file_name: Option<String>,
}

#[cfg(feature = "s3")]
fn attachment_key(mailing: MailingId, attachment: uuid::Uuid, name: &str) -> String {
    format!("mailings/{mailing}/attachments/{attachment}/{name}")
}

#[cfg(feature = "s3")]
impl Registry {
    /// Step 1 of attaching: a checked name and a 10-minute link the browser uploads to.
    pub async fn attachment_upload(
        &self,
        actor: &Actor,
        id: MailingId,
        input: UploadInput,
        documents: &crate::documents::Documents,
    ) -> Result<UploadTicket, ApiError> {
        staff_only(actor)?;
        let mailing = self.get_mailing(id).await?;
        let (file_name, content_type) = mailing
            .check_attachment_name(input.file_name.as_deref().unwrap_or_default())
            .map_err(ApiError::Validation)?;
        let attachment_id = uuid::Uuid::new_v4();
        let upload_url = documents
            .upload_link(
                &attachment_key(id, attachment_id, &file_name),
                content_type,
                std::time::Duration::from_secs(600),
            )
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
        Ok(UploadTicket { attachment_id, file_name, content_type: content_type.to_owned(), upload_url })
    }

    /// Step 2: the uploaded file becomes an attachment (its size read from the bucket).
    pub async fn attach_to_mailing(
        &self,
        actor: &Actor,
        id: MailingId,
        input: AttachmentInput,
        documents: &crate::documents::Documents,
    ) -> Result<MailingView, ApiError> {
        staff_only(actor)?;
        let attachment_id = input
            .attachment_id
            .as_deref()
            .and_then(|raw| uuid::Uuid::parse_str(raw.trim()).ok())
            .ok_or_else(|| ApiError::field(FieldError::required("attachmentId")))?;
        let file_name = input.file_name.unwrap_or_default();
        let mailing = self.get_mailing(id).await?;
        let (safe_name, _) = mailing.check_attachment_name(&file_name).map_err(ApiError::Validation)?;
        let size = documents
            .size(&attachment_key(id, attachment_id, &safe_name))
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))?
            .ok_or_else(|| {
                ApiError::field(FieldError::new(
                    "attachmentId",
                    "not_uploaded",
                    "Plik nie został przesłany.",
                    "The file was not uploaded.",
                ))
            })?;
        let (next, _) = mailing
            .attach(
                attachment_id,
                &file_name,
                size,
                |attachment, name| attachment_key(id, attachment, name),
                Utc::now(),
            )
            .map_err(ApiError::Validation)?;
        self.save_mailing(&mailing, next).await
    }

    pub async fn detach_from_mailing(
        &self,
        actor: &Actor,
        id: MailingId,
        attachment: &str,
    ) -> Result<MailingView, ApiError> {
        staff_only(actor)?;
        let attachment = uuid::Uuid::parse_str(attachment.trim()).map_err(|_| ApiError::NotFound)?;
        let mailing = self.get_mailing(id).await?;
        let next = mailing.detach(attachment, Utc::now()).map_err(rule)?;
        self.save_mailing(&mailing, next).await
    }

    async fn save_mailing(&self, before: &Mailing, after: Mailing) -> Result<MailingView, ApiError> {
        match store::save_draft(&self.table, before, &after).await {
            Ok(()) => Ok(view(after, None)),
            Err(StoreError::ConditionFailed { .. }) => Err(ApiError::stale_version()),
            Err(other) => Err(other.into()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnsubscribeResult {
    pub unsubscribed: bool,
    /// The person had unsubscribed before.
    pub already: bool,
}

fn template_failure(error: TemplateError) -> ApiError {
    ApiError::Validation(
        FieldError::new(
            error.part,
            "template_error",
            format!("Błąd w szablonie: {}", error.detail),
            format!("Template error: {}", error.detail),
        )
        .into(),
    )
}

/// Queues the recipients in batches; returns how many SQS messages.
#[cfg(feature = "sqs")]
pub async fn enqueue(
    queue: &crate::queue::Queue,
    mailing_id: MailingId,
    person_ids: &[PersonId],
) -> Result<u32, ApiError> {
    let bodies: Vec<String> = person_ids
        .chunks(RECIPIENTS_PER_BATCH)
        .map(|chunk| {
            serde_json::to_string(&MailingBatch { mailing_id, person_ids: chunk.to_vec() }).expect("a batch serialises")
        })
        .collect();
    queue.send_all(&bodies).await.map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(bodies.len() as u32)
}
