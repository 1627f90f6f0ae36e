//! Editable notification templates: staff change the wording of each enrolment e-mail; a
//! template is checked when it is saved (rendered with the declared samples), and the sender
//! uses the saved one, or the built-in default.

use chrono::{DateTime, Utc};
use ewokiss_domain::access::Actor;
use ewokiss_domain::errors::FieldError;
use ewokiss_domain::history::UserRef;
use ewokiss_domain::notification::NotificationKind;
use ewokiss_domain::templates::{self, MessageTemplate, Placeholder, RenderedMessage, PLACEHOLDERS};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{staff_only, Registry};
use crate::dynamo::{item, StoreError, Table, Transaction};
use crate::http::ApiError;
use crate::keys;

/// A template as staff saved it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoredTemplate {
    pub kind: NotificationKind,
    pub template: MessageTemplate,
    pub version: u64,
    pub updated_by: UserRef,
    pub updated_at: DateTime<Utc>,
}

/// What the template editor shows: the template in force, whether it was customised, and the
/// placeholders it may use with their samples.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateView {
    pub kind: NotificationKind,
    pub template: MessageTemplate,
    pub custom: bool,
    /// The version to send back when saving (0 = never saved).
    pub version: u64,
    pub placeholders: Vec<Placeholder>,
    /// The template rendered with the samples.
    pub preview: RenderedMessage,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateInput {
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    /// The version edited (0 when it was the default).
    pub version: Option<u64>,
}

pub fn notification_kind(raw: &str) -> Result<NotificationKind, ApiError> {
    NotificationKind::ALL.into_iter().find(|kind| kind.code() == raw).ok_or(ApiError::NotFound)
}

/// The template in force for a kind: the saved one, or the default.
pub async fn template_in_force(
    table: &Table,
    kind: NotificationKind,
) -> Result<(MessageTemplate, Option<StoredTemplate>), StoreError> {
    let stored: Option<StoredTemplate> = table.get(&keys::notification_template(kind.code())).await?;
    Ok(match stored {
        Some(stored) => (stored.template.clone(), Some(stored)),
        None => (templates::default_template(kind), None),
    })
}

fn view(kind: NotificationKind, template: MessageTemplate, stored: Option<&StoredTemplate>) -> TemplateView {
    let preview = template.validate().unwrap_or_else(|_| RenderedMessage {
        subject: String::new(),
        text: String::new(),
        html: String::new(),
    });
    TemplateView {
        kind,
        custom: stored.is_some(),
        version: stored.map_or(0, |s| s.version),
        template,
        placeholders: PLACEHOLDERS.to_vec(),
        preview,
    }
}

impl Registry {
    pub async fn notification_templates(&self, actor: &Actor) -> Result<Vec<TemplateView>, ApiError> {
        staff_only(actor)?;
        let mut views = Vec::new();
        for kind in NotificationKind::ALL {
            let (template, stored) = template_in_force(&self.table, kind).await?;
            views.push(view(kind, template, stored.as_ref()));
        }
        Ok(views)
    }

    /// Renders a draft with the samples; a broken draft is a 422 naming the part.
    pub fn preview_template(&self, actor: &Actor, input: TemplateInput) -> Result<RenderedMessage, ApiError> {
        staff_only(actor)?;
        let draft = MessageTemplate {
            subject: input.subject.unwrap_or_default(),
            text: input.text.unwrap_or_default(),
            html: input.html.unwrap_or_default(),
        };
        Ok(draft.validate()?)
    }

    pub async fn save_template(
        &self,
        actor: &Actor,
        kind: NotificationKind,
        input: TemplateInput,
    ) -> Result<TemplateView, ApiError> {
        staff_only(actor)?;
        let Some(version) = input.version else { return Err(ApiError::field(FieldError::required("version"))) };
        let draft = MessageTemplate {
            subject: input.subject.unwrap_or_default(),
            text: input.text.unwrap_or_default(),
            html: input.html.unwrap_or_default(),
        };
        draft.validate()?;
        let (_, current) = template_in_force(&self.table, kind).await?;
        if current.as_ref().map_or(0, |s| s.version) != version {
            return Err(ApiError::stale_version());
        }
        let stored = StoredTemplate {
            kind,
            template: draft.clone(),
            version: version + 1,
            updated_by: actor.as_user_ref(),
            updated_at: Utc::now(),
        };
        let mut tx = Transaction::default();
        let record = item(&keys::notification_template(kind.code()), None, None, "template", &stored);
        match current {
            None => tx.create(&self.table, "version", record),
            Some(current) => tx.replace_versioned(&self.table, record, current.version),
        }
        self.table.transact(tx).await?;
        Ok(view(kind, draft, Some(&stored)))
    }

    /// Back to the built-in wording.
    pub async fn reset_template(&self, actor: &Actor, kind: NotificationKind) -> Result<TemplateView, ApiError> {
        staff_only(actor)?;
        let mut tx = Transaction::default();
        tx.delete(&self.table, &keys::notification_template(kind.code()));
        self.table.transact(tx).await?;
        Ok(view(kind, templates::default_template(kind), None))
    }
}
