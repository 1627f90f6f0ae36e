//! Document routes: the editable document templates (list, save, restore the default, PDF
//! preview) and the documents staff generate (contract, letters, settlement statement), listed
//! per object and downloaded through a 5-minute link.

use ewokiss_adapters::app::{self, Registry};
use ewokiss_adapters::document_app::{self, DocumentTemplateInput, DocumentTemplateView};
use ewokiss_adapters::dynamo::Page;
use ewokiss_adapters::generated_documents::{
    self as generated, DocumentLink, DocumentPreviewInput, GenerationOutcome, PdfPreview,
};
use ewokiss_adapters::http::{created, ok, page_limit, parse_body, query_param, ApiError, BearerAuth, ErrorBody};
use ewokiss_domain::access::Actor;
use ewokiss_domain::documents::generated::{ContractDocumentInput, GeneratedDocument, LetterInput, StatementInput};
use ewokiss_domain::history::ObjectKind;
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use utoipa::OpenApi;

use crate::App;

type Reply = Result<Response<Body>, ApiError>;

pub async fn routes(app: &App, r: &Registry, a: &Actor, method: Method, segments: &[&str], request: &Request) -> Reply {
    let docs = &app.documents;
    match (method, segments) {
        (Method::GET, ["document-templates"]) => ok(&r.document_templates(a).await?),
        (Method::POST, ["document-templates", "preview"]) => ok(&r.preview_document_template(a, parse_body(request)?)?),
        (Method::PUT, ["document-templates", kind]) => {
            let kind = document_app::document_kind(kind)?;
            let training_kind = document_app::training_kind_param(kind, query_param(request, "trainingKind"))?;
            ok(&r.save_document_template(a, kind, training_kind, parse_body(request)?).await?)
        }
        (Method::DELETE, ["document-templates", kind]) => {
            let kind = document_app::document_kind(kind)?;
            let training_kind = document_app::training_kind_param(kind, query_param(request, "trainingKind"))?;
            ok(&r.reset_document_template(a, kind, training_kind).await?)
        }
        (Method::POST, ["units", id, "documents", "contract"]) => {
            outcome(Box::pin(r.generate_contract_document(a, docs, app::unit_id(id)?, parse_body(request)?)).await?)
        }
        (Method::POST, ["units", id, "documents", "letter"]) => {
            outcome(Box::pin(r.generate_unit_letter(a, docs, app::unit_id(id)?, parse_body(request)?)).await?)
        }
        (Method::POST, ["persons", id, "documents", "letter"]) => {
            outcome(Box::pin(r.generate_person_letter(a, docs, app::person_id(id)?, parse_body(request)?)).await?)
        }
        (Method::POST, ["settlements", id, "documents", "statement"]) => {
            let input: StatementInput = crate::optional_body(request)?;
            let settlement = ewokiss_adapters::billing_app::settlement_id(id)?;
            outcome(Box::pin(r.generate_statement(a, docs, settlement, input)).await?)
        }
        (Method::GET, ["units", id, "documents"]) => {
            list(r, a, ObjectKind::Unit, &app::unit_id(id)?.to_string(), request).await
        }
        (Method::GET, ["persons", id, "documents"]) => {
            list(r, a, ObjectKind::Person, &app::person_id(id)?.to_string(), request).await
        }
        (Method::GET, ["settlements", id, "documents"]) => {
            let settlement = ewokiss_adapters::billing_app::settlement_id(id)?;
            list(r, a, ObjectKind::Settlement, &settlement.to_string(), request).await
        }
        (Method::GET, ["documents", id]) => ok(&r.generated_document(a, generated::document_id(id)?).await?),
        (Method::GET, ["documents", id, "download"]) => {
            ok(&r.document_download(a, docs, generated::document_id(id)?).await?)
        }
        _ => Err(ApiError::MethodNotAllowed),
    }
}

/// 201 when the request made the document, 200 when its client token had made it before.
fn outcome(outcome: GenerationOutcome) -> Reply {
    if outcome.created {
        created(&outcome)
    } else {
        ok(&outcome)
    }
}

async fn list(r: &Registry, a: &Actor, kind: ObjectKind, id: &str, request: &Request) -> Reply {
    let cursor = query_param(request, "cursor");
    ok(&r.documents_of(a, kind, id, page_limit(request)?, cursor.as_deref()).await?)
}

#[allow(dead_code)] // only their utoipa attributes are used
mod documented {
    use super::*;

    #[utoipa::path(get, path = "/api/staff/document-templates",
        responses((status = 200, body = Vec<DocumentTemplateView>, description = "letter, contract, settlement statement, the certificate default and one certificate slot per training kind: the template in force, whether it was saved, its version, the placeholders with samples")))]
    pub fn templates() {}
    #[utoipa::path(put, path = "/api/staff/document-templates/{kind}", params(("kind" = String, Path, description = "certificate, letter, contract, settlement_statement"), ("trainingKind" = Option<String>, Query, description = "certificates only: the training kind's own template")),
        request_body = DocumentTemplateInput,
        responses((status = 200, body = DocumentTemplateView), (status = 404, body = ErrorBody, description = "unknown kind"), (status = 409, body = ErrorBody, description = "saved by someone else since `version`"), (status = 422, body = ErrorBody, description = "names title, body or trainingKind: unknown placeholder, template syntax, markup")))]
    pub fn save_template() {}
    #[utoipa::path(delete, path = "/api/staff/document-templates/{kind}", params(("kind" = String, Path), ("trainingKind" = Option<String>, Query)),
        responses((status = 200, body = DocumentTemplateView, description = "back to the default")))]
    pub fn reset_template() {}
    #[utoipa::path(post, path = "/api/staff/document-templates/preview", request_body = DocumentPreviewInput,
        responses((status = 200, body = PdfPreview, description = "the draft rendered with the samples, as a base64 PDF"), (status = 422, body = ErrorBody)))]
    pub fn preview_template() {}
    #[utoipa::path(post, path = "/api/staff/units/{id}/documents/contract", params(("id" = String, Path)), request_body = ContractDocumentInput,
        responses((status = 201, body = GenerationOutcome, description = "the contract document: PDF stored, linked to the unit, in its history; the contract's number UM/NNNN/RRRR given with its first document"), (status = 200, body = GenerationOutcome, description = "the client token had made it already"), (status = 409, body = ErrorBody, description = "the client token made another document"), (status = 422, body = ErrorBody)))]
    pub fn contract() {}
    #[utoipa::path(post, path = "/api/staff/units/{id}/documents/letter", params(("id" = String, Path)), request_body = LetterInput,
        responses((status = 201, body = GenerationOutcome), (status = 200, body = GenerationOutcome), (status = 422, body = ErrorBody)))]
    pub fn unit_letter() {}
    #[utoipa::path(post, path = "/api/staff/persons/{id}/documents/letter", params(("id" = String, Path)), request_body = LetterInput,
        responses((status = 201, body = GenerationOutcome, description = "linked to the person and the person's unit"), (status = 200, body = GenerationOutcome), (status = 422, body = ErrorBody)))]
    pub fn person_letter() {}
    #[utoipa::path(post, path = "/api/staff/settlements/{id}/documents/statement", params(("id" = String, Path)), request_body = StatementInput,
        responses((status = 201, body = GenerationOutcome, description = "linked to the settlement and its unit"), (status = 200, body = GenerationOutcome), (status = 422, body = ErrorBody, description = "a draft settlement (no number yet)")))]
    pub fn statement() {}
    #[utoipa::path(get, path = "/api/staff/{kind}/{id}/documents", params(("kind" = String, Path, description = "units, persons or settlements"), ("id" = String, Path), ("limit" = Option<i32>, Query), ("cursor" = Option<String>, Query)),
        responses((status = 200, body = Page<GeneratedDocument>, description = "newest first")))]
    pub fn documents_of() {}
    #[utoipa::path(get, path = "/api/staff/documents/{id}", params(("id" = String, Path)),
        responses((status = 200, body = GeneratedDocument), (status = 404, body = ErrorBody)))]
    pub fn document() {}
    #[utoipa::path(get, path = "/api/staff/documents/{id}/download", params(("id" = String, Path)),
        responses((status = 200, body = DocumentLink, description = "a presigned link to the PDF, valid for 5 minutes"), (status = 404, body = ErrorBody)))]
    pub fn download() {}
}

#[derive(OpenApi)]
#[openapi(
    paths(documented::templates, documented::save_template, documented::reset_template, documented::preview_template,
        documented::contract, documented::unit_letter, documented::person_letter, documented::statement,
        documented::documents_of, documented::document, documented::download),
    modifiers(&BearerAuth)
)]
pub struct DocumentDoc;
