//! Editable document templates: staff change the wording and layout of letters, contracts,
//! settlement statements and certificates (one certificate template per training kind, or the
//! default for all). A template is checked when it is saved (rendered with the declared
//! samples); generators use the saved one, else the built-in default
//! ([`document_template_in_force`]). No PDF engine here: the preview lives in
//! `generated_documents`, so a function that only reads templates does not link the fonts.

use chrono::Utc;
use ewokiss_domain::access::Actor;
use ewokiss_domain::documents::{self, resolve_template, DocumentKind, DocumentTemplate};
use ewokiss_domain::errors::FieldError;
use ewokiss_domain::history::UserRef;
use ewokiss_domain::templates::Placeholder;
use ewokiss_domain::training::TrainingKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{staff_only, Registry};
use crate::dynamo::documents::{self as store, StoredDocumentTemplate};
use crate::dynamo::{StoreError, Table};
use crate::http::ApiError;

/// The template a document of `kind` is made from: for a certificate, its training kind's
/// saved template first, then the saved certificate default, then the built-in one; for the
/// other kinds the saved one, else the built-in one. One query.
pub async fn document_template_in_force(
    table: &Table,
    kind: DocumentKind,
    training_kind: Option<&str>,
) -> Result<DocumentTemplate, StoreError> {
    Ok(template_with_origin(table, kind, training_kind).await?.0)
}

/// The template in force and whether staff saved it (false: the built-in default).
pub async fn template_with_origin(
    table: &Table,
    kind: DocumentKind,
    training_kind: Option<&str>,
) -> Result<(DocumentTemplate, bool), StoreError> {
    let stored: Vec<DocumentTemplate> =
        store::stored_templates(table, Some(kind)).await?.into_iter().map(|s| s.template).collect();
    let template = resolve_template(kind, training_kind, &stored);
    let custom = stored.contains(&template);
    Ok((template, custom))
}

/// One slot of the template editor: a kind (and, for certificates, a training kind).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTemplateView {
    pub kind: DocumentKind,
    /// Certificates only: the training kind this slot is for (absent: the default of all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training_kind: Option<String>,
    /// The training kind's Polish name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training_kind_name: Option<String>,
    /// The template in force for this slot: its own if saved, else what it falls back to.
    pub template: DocumentTemplate,
    /// This slot has a template staff saved.
    pub custom: bool,
    /// The version to send back when saving (0 = never saved).
    pub version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<UserRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<chrono::DateTime<Utc>>,
    /// The placeholders the kind may use, with the samples the preview shows.
    pub placeholders: Vec<Placeholder>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DocumentTemplateInput {
    /// One line: the PDF's title and the file name.
    pub title: Option<String>,
    /// The markup (see docs/PDF-ENGINE.md).
    pub body: Option<String>,
    /// The version edited (0 when it was not saved yet).
    pub version: Option<u64>,
}

/// 404 for a kind that does not exist (it is a path segment).
pub fn document_kind(raw: &str) -> Result<DocumentKind, ApiError> {
    DocumentKind::parse(raw).ok_or(ApiError::NotFound)
}

/// The training kind of a certificate slot: one of the catalogue's, on certificates only.
pub fn training_kind_param(kind: DocumentKind, raw: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(code) = raw else { return Ok(None) };
    if kind != DocumentKind::Certificate {
        return Err(ApiError::field(FieldError::new(
            "trainingKind",
            "training_kind_not_allowed",
            "Rodzaj szkolenia wskazuje się tylko w szablonach zaświadczeń.",
            "A training kind is set on certificate templates only.",
        )));
    }
    match TrainingKind::find(&TrainingKind::catalogue(), &code) {
        Some(found) => Ok(Some(found.code.clone())),
        None => Err(ApiError::field(FieldError::new(
            "trainingKind",
            "unknown_training_kind",
            "Nieznany rodzaj szkolenia.",
            "Unknown training kind.",
        ))),
    }
}

fn slot_view(
    kind: DocumentKind,
    training_kind: Option<&TrainingKind>,
    stored: &[StoredDocumentTemplate],
) -> DocumentTemplateView {
    let code = training_kind.map(|k| k.code.as_str());
    let own = stored.iter().find(|s| s.template.kind == kind && s.template.training_kind.as_deref() == code);
    let templates: Vec<DocumentTemplate> = stored.iter().map(|s| s.template.clone()).collect();
    DocumentTemplateView {
        kind,
        training_kind: code.map(str::to_owned),
        training_kind_name: training_kind.map(|k| k.name_pl.clone()),
        template: own.map(|s| s.template.clone()).unwrap_or_else(|| resolve_template(kind, code, &templates)),
        custom: own.is_some(),
        version: own.map_or(0, |s| s.version),
        updated_by: own.map(|s| s.updated_by.clone()),
        updated_at: own.map(|s| s.updated_at),
        placeholders: documents::placeholders(kind).to_vec(),
    }
}

fn catalogue_kind(code: Option<&str>) -> Option<TrainingKind> {
    code.and_then(|code| TrainingKind::find(&TrainingKind::catalogue(), code).cloned())
}

impl Registry {
    /// Every slot: letter, contract, settlement statement, the certificate default and one
    /// certificate slot per training kind of the catalogue.
    pub async fn document_templates(&self, actor: &Actor) -> Result<Vec<DocumentTemplateView>, ApiError> {
        staff_only(actor)?;
        let stored = store::stored_templates(&self.table, None).await?;
        let mut views = Vec::new();
        for kind in [DocumentKind::Letter, DocumentKind::Contract, DocumentKind::SettlementStatement] {
            views.push(slot_view(kind, None, &stored));
        }
        views.push(slot_view(DocumentKind::Certificate, None, &stored));
        for training_kind in TrainingKind::catalogue() {
            views.push(slot_view(DocumentKind::Certificate, Some(&training_kind), &stored));
        }
        Ok(views)
    }

    /// Saves a slot's template after checking it with the samples (422 naming `title`, `body`
    /// or `trainingKind`: unknown placeholder, template syntax, markup); 409 when someone saved
    /// the slot since `version`.
    pub async fn save_document_template(
        &self,
        actor: &Actor,
        kind: DocumentKind,
        training_kind: Option<String>,
        input: DocumentTemplateInput,
    ) -> Result<DocumentTemplateView, ApiError> {
        staff_only(actor)?;
        let Some(version) = input.version else { return Err(ApiError::field(FieldError::required("version"))) };
        let draft = DocumentTemplate {
            kind,
            training_kind: training_kind.clone(),
            title: input.title.unwrap_or_default(),
            body: input.body.unwrap_or_default(),
        };
        draft.validate()?;
        let stored = store::stored_templates(&self.table, Some(kind)).await?;
        let current = stored.iter().find(|s| s.template.training_kind == training_kind);
        if current.map_or(0, |s| s.version) != version {
            return Err(ApiError::stale_version());
        }
        let saved = StoredDocumentTemplate {
            template: draft,
            version: version + 1,
            updated_by: actor.as_user_ref(),
            updated_at: Utc::now(),
        };
        store::save_template(&self.table, &saved, current.map(|s| s.version)).await?;
        let mut after: Vec<StoredDocumentTemplate> =
            stored.into_iter().filter(|s| s.template.training_kind != training_kind).collect();
        after.push(saved);
        Ok(slot_view(kind, catalogue_kind(training_kind.as_deref()).as_ref(), &after))
    }

    /// Back to what the slot falls back to (the built-in template, or for a training kind's
    /// certificate the certificate default).
    pub async fn reset_document_template(
        &self,
        actor: &Actor,
        kind: DocumentKind,
        training_kind: Option<String>,
    ) -> Result<DocumentTemplateView, ApiError> {
        staff_only(actor)?;
        store::delete_template(&self.table, kind, training_kind.as_deref()).await?;
        let stored = store::stored_templates(&self.table, Some(kind)).await?;
        Ok(slot_view(kind, catalogue_kind(training_kind.as_deref()).as_ref(), &stored))
    }
}
