//! Documents staff generate: a contract for a unit, a letter to a unit or a person, a
//! settlement's statement; and the PDF preview of a template being edited.
//!
//! Each generation: the template in force is filled in with the object's data, rendered to PDF
//! (`ewokiss-pdf`), the PDF stored in the documents bucket, then one transaction writes the
//! document's record, its copy under each object it belongs to, its contact-history entry in
//! each of their timelines and, for a contract's first document, the move of the `UM` counter
//! with the contract's number claim. The record is written only after its PDF is stored, so a
//! record never points at a missing file (a lost race leaves an unreferenced PDF behind).
//!
//! Retries: with a client token the document's id is derived from the token; a request whose
//! document exists returns it (200) instead of making a second one (201 the first time).

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Datelike, Utc};
use ewokiss_domain::access::Actor;
use ewokiss_domain::documents::generated::{
    self, document_id_for, ClientToken, ContractDocumentInput, ContractNumber, GeneratedDocument, GenerationError,
    LetterInput, StatementInput, CONTRACT_SERIES,
};
use ewokiss_domain::documents::{DocumentContext, DocumentKind, DocumentTemplate, RenderedDocument};
use ewokiss_domain::errors::{FieldError, ValidationErrors};
use ewokiss_domain::history::{ObjectKind, ObjectRef};
use ewokiss_domain::ids::{DocumentId, PersonId, SettlementId, UnitId};
use ewokiss_domain::time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{staff_only, Registry};
use crate::document_app::{template_with_origin, training_kind_param};
use crate::documents::Documents;
use crate::dynamo::documents as store;
use crate::dynamo::numbering::{last_number, lost_the_counter, take_numbers};
use crate::dynamo::{contracts as contract_store, registry as registry_store, settlements as settlement_store};
use crate::dynamo::{Page, StoreError, Transaction};
use crate::http::{ApiError, Message};

/// How long a download link works.
pub const LINK_TTL: Duration = Duration::from_secs(300);
/// Attempts at a contract's number when other documents take numbers at the same moment.
const NUMBER_ATTEMPTS: usize = 5;

/// A template being edited, to preview with the samples.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DocumentPreviewInput {
    /// `certificate`, `letter`, `contract` or `settlement_statement`.
    pub kind: Option<String>,
    pub training_kind: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
}

/// The PDF of a template rendered with the samples, for an `<iframe>` (as a `data:` or blob URL).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PdfPreview {
    pub title: String,
    pub file_name: String,
    pub size_bytes: usize,
    /// `application/pdf`.
    pub content_type: String,
    /// The PDF, base64 (standard alphabet, padded).
    pub pdf_base64: String,
}

/// A generated document, and whether this request made it (false: a retry found it).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenerationOutcome {
    pub document: GeneratedDocument,
    /// False when the request's client token had already made this document.
    pub created: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentLink {
    /// A presigned GET of the PDF, valid for `expiresInSeconds`.
    pub url: String,
    pub file_name: String,
    pub expires_in_seconds: u64,
}

pub fn document_id(raw: &str) -> Result<DocumentId, ApiError> {
    DocumentId::parse(raw).map_err(|_| ApiError::NotFound)
}

fn pdf_error(error: ewokiss_pdf::PdfError) -> ApiError {
    ApiError::Internal(format!("PDF: {error}"))
}

fn s3_error(error: crate::documents::DocumentError) -> ApiError {
    ApiError::Unavailable(error.to_string())
}

fn token_reused() -> ApiError {
    ApiError::Conflict {
        code: "client_token_reused",
        message: Message {
            pl: "Ten token żądania utworzył już inny dokument.".into(),
            en: "This client token already made another document.".into(),
        },
    }
}

/// What is being generated, before rendering.
struct Request<'a> {
    id: DocumentId,
    kind: DocumentKind,
    /// The object it is made for first, then the others it belongs to.
    links: Vec<ObjectRef>,
    number: Option<String>,
    contract_id: Option<ewokiss_domain::ids::ContractId>,
    actor: &'a Actor,
    now: DateTime<Utc>,
}

impl Registry {
    /// Renders a draft template with the samples: the editor's live preview. A broken draft is
    /// a 422 naming `kind`, `trainingKind`, `title` or `body`.
    pub fn preview_document_template(
        &self,
        actor: &Actor,
        input: DocumentPreviewInput,
    ) -> Result<PdfPreview, ApiError> {
        staff_only(actor)?;
        let Some(raw_kind) = input.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) else {
            return Err(ApiError::field(FieldError::required("kind")));
        };
        let kind = DocumentKind::parse(raw_kind).ok_or_else(|| {
            ApiError::field(FieldError::new(
                "kind",
                "unknown_document_kind",
                "Nieznany rodzaj dokumentu (certificate, letter, contract, settlement_statement).",
                "Unknown document kind (certificate, letter, contract, settlement_statement).",
            ))
        })?;
        let training_kind = training_kind_param(kind, input.training_kind.filter(|t| !t.trim().is_empty()))?;
        let draft = DocumentTemplate {
            kind,
            training_kind,
            title: input.title.unwrap_or_default(),
            body: input.body.unwrap_or_default(),
        };
        let rendered = draft.validate()?;
        let pdf = ewokiss_pdf::render_document(&rendered, None).map_err(pdf_error)?;
        Ok(PdfPreview {
            file_name: generated::file_name(&rendered.title),
            title: rendered.title,
            size_bytes: pdf.len(),
            content_type: "application/pdf".into(),
            pdf_base64: base64::engine::general_purpose::STANDARD.encode(&pdf),
        })
    }

    /// A contract document for one of the unit's contracts: the unit's current data and the
    /// contract's terms merged; the contract's number (`UM/NNNN/RRRR`) assigned with its first
    /// document, kept by later ones.
    pub async fn generate_contract_document(
        &self,
        actor: &Actor,
        documents: &Documents,
        unit_id: UnitId,
        input: ContractDocumentInput,
    ) -> Result<GenerationOutcome, ApiError> {
        staff_only(actor)?;
        let request = input.check(time::today())?;
        let id = document_id_for(request.client_token.as_ref());
        let owner = ObjectRef { kind: ObjectKind::Unit, id: unit_id.to_string(), label: None };
        if let Some(existing) = self.replay(id, DocumentKind::Contract, &owner).await? {
            return Ok(existing);
        }
        let unit = registry_store::get_unit(&self.table, unit_id).await?.ok_or(ApiError::NotFound)?;
        let contract = contract_store::get_contract(&self.table, request.contract_id).await?.ok_or_else(|| {
            ApiError::field(FieldError::new(
                "contractId",
                "unknown_contract",
                "Nie ma takiej umowy.",
                "No such contract.",
            ))
        })?;
        for _ in 0..NUMBER_ATTEMPTS {
            let now = Utc::now();
            let claimed = store::contract_number(&self.table, contract.id).await?;
            let (number, counter) = match claimed {
                Some(number) => (number, None),
                None => {
                    let year = time::warsaw_date(now).year();
                    let last = last_number(&self.table, CONTRACT_SERIES, year).await?;
                    (ContractNumber { year, seq: last + 1 }, Some((year, last)))
                }
            };
            let context = generated::contract_context(&contract, &unit, number, &request).map_err(generation)?;
            let target = Request {
                id,
                kind: DocumentKind::Contract,
                links: vec![ObjectRef { label: Some(unit.name.clone()), ..owner.clone() }],
                number: Some(number.to_string()),
                contract_id: Some(contract.id),
                actor,
                now,
            };
            let document = self.render_and_store(documents, &target, &context).await?;
            let mut tx = Transaction::default();
            store::add_document(&mut tx, &self.table, &document, &document.event());
            if let Some((year, last)) = counter {
                take_numbers(&mut tx, &self.table, CONTRACT_SERIES, year, last, 1);
                store::add_contract_number(&mut tx, &self.table, contract.id, number, id);
            }
            match self.table.transact(tx).await {
                Ok(()) => return Ok(GenerationOutcome { document, created: true }),
                Err(StoreError::ConditionFailed { label: "document" }) => return self.replayed(id, &owner).await,
                Err(error) if lost_the_counter(&error) => continue,
                Err(StoreError::ConditionFailed { label: "contract_number" }) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(ApiError::Unavailable("contract numbers: too many concurrent issuers".into()))
    }

    /// A letter to a unit, addressed at its office.
    pub async fn generate_unit_letter(
        &self,
        actor: &Actor,
        documents: &Documents,
        unit_id: UnitId,
        input: LetterInput,
    ) -> Result<GenerationOutcome, ApiError> {
        staff_only(actor)?;
        let request = input.check(&actor.as_user_ref(), time::today())?;
        let id = document_id_for(request.client_token.as_ref());
        let owner = ObjectRef { kind: ObjectKind::Unit, id: unit_id.to_string(), label: None };
        if let Some(existing) = self.replay(id, DocumentKind::Letter, &owner).await? {
            return Ok(existing);
        }
        let unit = registry_store::get_unit(&self.table, unit_id).await?.ok_or(ApiError::NotFound)?;
        let number = Some(request.fields.number.clone()).filter(|n| !n.is_empty());
        let context = generated::letter_to_unit(&unit, request.fields);
        let links = vec![ObjectRef { label: Some(unit.name.clone()), ..owner.clone() }];
        self.generate_once(
            documents,
            Request { id, kind: DocumentKind::Letter, links, number, contract_id: None, actor, now: Utc::now() },
            &context,
            &owner,
        )
        .await
    }

    /// A letter to a person, addressed at the person's unit; it belongs to both.
    pub async fn generate_person_letter(
        &self,
        actor: &Actor,
        documents: &Documents,
        person_id: PersonId,
        input: LetterInput,
    ) -> Result<GenerationOutcome, ApiError> {
        staff_only(actor)?;
        let request = input.check(&actor.as_user_ref(), time::today())?;
        let id = document_id_for(request.client_token.as_ref());
        let owner = ObjectRef { kind: ObjectKind::Person, id: person_id.to_string(), label: None };
        if let Some(existing) = self.replay(id, DocumentKind::Letter, &owner).await? {
            return Ok(existing);
        }
        let person = registry_store::get_person(&self.table, person_id).await?.ok_or(ApiError::NotFound)?;
        let unit = registry_store::get_unit(&self.table, person.unit_id).await?.ok_or(ApiError::NotFound)?;
        let number = Some(request.fields.number.clone()).filter(|n| !n.is_empty());
        let context = generated::letter_to_person(&person, &unit, request.fields);
        let links = vec![
            ObjectRef { label: Some(person.full_name()), ..owner.clone() },
            ObjectRef { kind: ObjectKind::Unit, id: unit.id.to_string(), label: Some(unit.name.clone()) },
        ];
        self.generate_once(
            documents,
            Request { id, kind: DocumentKind::Letter, links, number, contract_id: None, actor, now: Utc::now() },
            &context,
            &owner,
        )
        .await
    }

    /// The statement of an issued settlement (its lines and totals); it belongs to the
    /// settlement and to the buyer unit.
    pub async fn generate_statement(
        &self,
        actor: &Actor,
        documents: &Documents,
        settlement_id: SettlementId,
        input: StatementInput,
    ) -> Result<GenerationOutcome, ApiError> {
        staff_only(actor)?;
        let token: Option<ClientToken> = input.check()?;
        let id = document_id_for(token.as_ref());
        let owner = ObjectRef { kind: ObjectKind::Settlement, id: settlement_id.to_string(), label: None };
        if let Some(existing) = self.replay(id, DocumentKind::SettlementStatement, &owner).await? {
            return Ok(existing);
        }
        let settlement =
            settlement_store::get_settlement(&self.table, settlement_id).await?.ok_or(ApiError::NotFound)?;
        let context = generated::statement_context(&settlement).map_err(generation)?;
        let number = settlement.number.map(|n| n.to_string());
        let unit_name = settlement.buyer.as_ref().map(|b| b.name.clone());
        let links = vec![
            ObjectRef { label: number.clone(), ..owner.clone() },
            ObjectRef { kind: ObjectKind::Unit, id: settlement.unit_id.to_string(), label: unit_name },
        ];
        let target = Request {
            id,
            kind: DocumentKind::SettlementStatement,
            links,
            number,
            contract_id: None,
            actor,
            now: Utc::now(),
        };
        self.generate_once(documents, target, &context, &owner).await
    }

    /// The documents of a unit, person or settlement, newest first.
    pub async fn documents_of(
        &self,
        actor: &Actor,
        kind: ObjectKind,
        id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<GeneratedDocument>, ApiError> {
        staff_only(actor)?;
        Ok(store::documents_of(&self.table, kind, id, limit, cursor).await?)
    }

    pub async fn generated_document(&self, actor: &Actor, id: DocumentId) -> Result<GeneratedDocument, ApiError> {
        staff_only(actor)?;
        store::get_document(&self.table, id).await?.ok_or(ApiError::NotFound)
    }

    /// A 5-minute link to the PDF (staff only: the record is checked, then the link signed).
    pub async fn document_download(
        &self,
        actor: &Actor,
        documents: &Documents,
        id: DocumentId,
    ) -> Result<DocumentLink, ApiError> {
        let document = self.generated_document(actor, id).await?;
        let url =
            documents.download_link(&document.storage_key, &document.file_name, LINK_TTL).await.map_err(s3_error)?;
        Ok(DocumentLink { url, file_name: document.file_name, expires_in_seconds: LINK_TTL.as_secs() })
    }

    // ---- the common steps ----------------------------------------------------------------

    /// A document made by an earlier request with the same token, if any; 409 when that token
    /// made a document of another kind or for another object.
    async fn replay(
        &self,
        id: DocumentId,
        kind: DocumentKind,
        owner: &ObjectRef,
    ) -> Result<Option<GenerationOutcome>, ApiError> {
        let Some(existing) = store::get_document(&self.table, id).await? else { return Ok(None) };
        let same_owner = existing.owner().is_some_and(|o| o.kind == owner.kind && o.id == owner.id);
        if existing.kind != kind || !same_owner {
            return Err(token_reused());
        }
        Ok(Some(GenerationOutcome { document: existing, created: false }))
    }

    async fn replayed(&self, id: DocumentId, owner: &ObjectRef) -> Result<GenerationOutcome, ApiError> {
        let existing = store::get_document(&self.table, id)
            .await?
            .ok_or_else(|| ApiError::Internal(format!("document {id} was reported as existing but cannot be read")))?;
        let same_owner = existing.owner().is_some_and(|o| o.kind == owner.kind && o.id == owner.id);
        if !same_owner {
            return Err(token_reused());
        }
        Ok(GenerationOutcome { document: existing, created: false })
    }

    /// Render, store, record: for documents without a number of their own to take.
    async fn generate_once(
        &self,
        documents: &Documents,
        target: Request<'_>,
        context: &DocumentContext,
        owner: &ObjectRef,
    ) -> Result<GenerationOutcome, ApiError> {
        let id = target.id;
        let document = self.render_and_store(documents, &target, context).await?;
        let mut tx = Transaction::default();
        store::add_document(&mut tx, &self.table, &document, &document.event());
        match self.table.transact(tx).await {
            Ok(()) => Ok(GenerationOutcome { document, created: true }),
            Err(StoreError::ConditionFailed { label: "document" }) => self.replayed(id, owner).await,
            Err(error) => Err(error.into()),
        }
    }

    /// Fills in the template in force, renders the PDF and stores it; returns the record to write.
    async fn render_and_store(
        &self,
        documents: &Documents,
        target: &Request<'_>,
        context: &DocumentContext,
    ) -> Result<GeneratedDocument, ApiError> {
        let (template, custom) = template_with_origin(&self.table, target.kind, None).await?;
        let rendered: RenderedDocument = template
            .render(context)
            .map_err(|error| ApiError::Validation(ValidationErrors::from(error.field_error())))?;
        let pdf = ewokiss_pdf::render_document(&rendered, Some(target.now)).map_err(pdf_error)?;
        let key = GeneratedDocument::storage_key(target.id, target.kind, target.now, uuid::Uuid::now_v7());
        let size_bytes = pdf.len() as u64;
        documents.put(&key, pdf, "application/pdf").await.map_err(s3_error)?;
        Ok(GeneratedDocument {
            id: target.id,
            kind: target.kind,
            file_name: generated::file_name(&rendered.title),
            title: rendered.title,
            number: target.number.clone(),
            storage_key: key,
            size_bytes,
            links: target.links.clone(),
            contract_id: target.contract_id,
            custom_template: custom,
            created_at: target.now,
            created_by: target.actor.as_user_ref(),
        })
    }
}

fn generation(error: GenerationError) -> ApiError {
    ApiError::field(error.field_error())
}
