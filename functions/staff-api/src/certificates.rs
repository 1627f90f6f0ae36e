//! Certificate routes for staff: a training's and a person's certificates, one certificate with
//! its versions, downloads (5-minute links, one ZIP per training), generation on demand (queued,
//! idempotent) and name corrections (a new version with the same number).

use ewokiss_adapters::app::{self, Registry};
use ewokiss_adapters::certificate_app::{self, CertificateLink, CorrectionInput};
use ewokiss_adapters::dynamo::certificates::StoredCertificate;
use ewokiss_adapters::http::{ok, ApiError, BearerAuth, ErrorBody};
use ewokiss_adapters::training_app;
use ewokiss_domain::access::Actor;
use ewokiss_domain::documents::certificate::Certificate;
use ewokiss_domain::ids::TrainingId;
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::App;

type Reply = Result<Response<Body>, ApiError>;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenerationQueued {
    pub training_id: TrainingId,
}

/// Queues the certificates of a completed training (the function skips who has one already).
pub async fn queue_generation(app: &App, training_id: TrainingId) -> Result<GenerationQueued, ApiError> {
    let body = serde_json::json!({ "trainingId": training_id }).to_string();
    app.certificate_queue.send_all(&[body]).await.map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(GenerationQueued { training_id })
}

pub async fn routes(app: &App, r: &Registry, a: &Actor, method: Method, segments: &[&str], request: &Request) -> Reply {
    match (method, segments) {
        (Method::GET, ["trainings", id, "certificates"]) => {
            ok(&Box::pin(r.certificates(a, None, Some(training_app::training_id(id)?))).await?)
        }
        (Method::POST, ["trainings", id, "certificates"]) => {
            let training = r.training_card(a, training_app::training_id(id)?).await?.training;
            if !training.phase.is_past_completion() {
                return Err(ApiError::Conflict {
                    code: "training_not_completed",
                    message: ewokiss_adapters::http::Message {
                        pl: "Zaświadczenia wystawia się po zakończeniu szkolenia (obecność ostateczna).".into(),
                        en: "Certificates are issued once the training is completed.".into(),
                    },
                });
            }
            ok(&queue_generation(app, training.id).await?)
        }
        (Method::GET, ["trainings", id, "certificates.zip"]) => {
            ok(&Box::pin(r.certificates_zip(a, training_app::training_id(id)?, &app.documents)).await?)
        }
        (Method::GET, ["persons", id, "certificates"]) => {
            ok(&Box::pin(r.certificates(a, Some(app::person_id(id)?), None)).await?)
        }
        (Method::GET, ["certificates", id]) => {
            ok(&Box::pin(r.certificate(a, certificate_app::certificate_id(id)?)).await?)
        }
        (Method::GET, ["certificates", id, "versions"]) => {
            ok(&Box::pin(r.certificate_versions(a, certificate_app::certificate_id(id)?)).await?)
        }
        (Method::GET, ["certificates", id, "versions", version, "download"]) => {
            let version = version.parse::<u32>().map_err(|_| {
                ApiError::BadRequest(vec![ewokiss_domain::errors::FieldError::new(
                    "version",
                    "invalid",
                    "Numer wersji: liczba całkowita.",
                    "The version is a whole number.",
                )])
            })?;
            let id = certificate_app::certificate_id(id)?;
            ok(&Box::pin(r.certificate_version_download(a, id, version, &app.documents)).await?)
        }
        (Method::GET, ["certificates", id, "download"]) => {
            ok(&Box::pin(r.certificate_download(a, certificate_app::certificate_id(id)?, &app.documents)).await?)
        }
        (Method::POST, ["certificates", id, "corrections"]) => ok(&Box::pin(r.correct_certificate(
            a,
            certificate_app::certificate_id(id)?,
            crate::optional_body::<CorrectionInput>(request)?,
            &app.documents,
            &app.certificates,
        ))
        .await?),
        _ => Err(ApiError::MethodNotAllowed),
    }
}

#[allow(dead_code)] // only their utoipa attributes are used
mod documented {
    use super::*;

    #[utoipa::path(get, path = "/api/staff/trainings/{id}/certificates", params(("id" = String, Path)),
        responses((status = 200, body = Vec<StoredCertificate>)))]
    pub fn training_certificates() {}
    #[utoipa::path(post, path = "/api/staff/trainings/{id}/certificates", params(("id" = String, Path)),
        responses((status = 200, body = GenerationQueued, description = "generation queued; who has a certificate already is skipped"), (status = 409, body = ErrorBody)))]
    pub fn generate() {}
    #[utoipa::path(get, path = "/api/staff/trainings/{id}/certificates.zip", params(("id" = String, Path)),
        responses((status = 200, body = CertificateLink, description = "a 5-minute link to one ZIP")))]
    pub fn zip() {}
    #[utoipa::path(get, path = "/api/staff/persons/{id}/certificates", params(("id" = String, Path)),
        responses((status = 200, body = Vec<StoredCertificate>)))]
    pub fn person_certificates() {}
    #[utoipa::path(get, path = "/api/staff/certificates/{id}", params(("id" = String, Path)),
        responses((status = 200, body = StoredCertificate), (status = 404, body = ErrorBody)))]
    pub fn certificate() {}
    #[utoipa::path(get, path = "/api/staff/certificates/{id}/versions", params(("id" = String, Path)),
        responses((status = 200, body = Vec<Certificate>, description = "every version, oldest first")))]
    pub fn versions() {}
    #[utoipa::path(get, path = "/api/staff/certificates/{id}/download", params(("id" = String, Path)),
        responses((status = 200, body = CertificateLink)))]
    pub fn download() {}
    #[utoipa::path(get, path = "/api/staff/certificates/{id}/versions/{version}/download", params(("id" = String, Path), ("version" = u32, Path)),
        responses((status = 200, body = CertificateLink, description = "a 5-minute link to that version's own PDF"), (status = 404, body = ErrorBody)))]
    pub fn version_download() {}
    #[utoipa::path(post, path = "/api/staff/certificates/{id}/corrections", params(("id" = String, Path)), request_body = CorrectionInput,
        responses((status = 200, body = StoredCertificate, description = "a new version with the person's current name, same number and code"), (status = 422, body = ErrorBody, description = "the name did not change")))]
    pub fn correct() {}
}

#[derive(OpenApi)]
#[openapi(
    paths(documented::training_certificates, documented::generate, documented::zip, documented::person_certificates,
        documented::certificate, documented::versions, documented::download, documented::version_download, documented::correct),
    modifiers(&BearerAuth)
)]
pub struct CertificateDoc;
