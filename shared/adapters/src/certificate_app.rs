//! Certificates of attendance: generated per attended enrolment once a training is completed
//! (asynchronously, by the certificates function), stored as PDFs in the private bucket, mailed to
//! the holder with a link that works for years (a signed token the app exchanges for a fresh
//! 5-minute presigned URL), verified publicly by code, listed and downloaded by the holder, the
//! unit's administrators (also as one ZIP per training) and staff.

use std::time::Duration;

use chrono::Utc;
use ewokiss_domain::access::{Actor, Role};
use ewokiss_domain::documents::certificate::{Certificate, VerificationCode, VerificationView};
use ewokiss_domain::documents::link;
use ewokiss_domain::errors::FieldError;
use ewokiss_domain::ids::{CertificateId, PersonId, TrainingId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::Registry;
use crate::documents::Documents;
use crate::dynamo::certificates::{self as store, CertificateStatus, StoredCertificate};
use crate::http::ApiError;

const DOWNLOAD_TTL: Duration = Duration::from_secs(300);

pub use crate::links::CertificateSettings;

/// A certificate as lists show it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateView {
    #[serde(flatten)]
    pub stored: StoredCertificate,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateLink {
    /// A presigned URL valid for 5 minutes.
    pub url: String,
    pub file_name: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CorrectionInput {
    pub reason: Option<String>,
}

pub fn certificate_id(raw: &str) -> Result<CertificateId, ApiError> {
    CertificateId::parse(raw).map_err(|error| ApiError::BadRequest(vec![FieldError::from_value("id", &error)]))
}

impl Registry {
    /// Who may see a certificate: staff; the holder; an administrator of the holder's unit tree.
    pub(crate) fn may_see(actor: &Actor, certificate: &Certificate) -> bool {
        match actor.role {
            Role::Staff => true,
            Role::Participant => actor.person_id == Some(certificate.person_id),
            Role::UnitAdmin => actor.unit_id.is_some_and(|own| certificate.unit_path.contains(&own)),
        }
    }

    pub async fn certificate(&self, actor: &Actor, id: CertificateId) -> Result<StoredCertificate, ApiError> {
        let stored = store::get(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        // Outside the caller's scope the certificate does not exist.
        if !Self::may_see(actor, &stored.certificate) {
            return Err(ApiError::NotFound);
        }
        Ok(stored)
    }

    pub async fn certificate_versions(&self, actor: &Actor, id: CertificateId) -> Result<Vec<Certificate>, ApiError> {
        self.certificate(actor, id).await?;
        Ok(store::versions(&self.table, id).await?)
    }

    /// A fresh 5-minute link to the current version's PDF.
    pub async fn certificate_download(
        &self,
        actor: &Actor,
        id: CertificateId,
        documents: &Documents,
    ) -> Result<CertificateLink, ApiError> {
        let stored = self.certificate(actor, id).await?;
        link_to(&stored, documents).await
    }

    /// A fresh 5-minute link to one version's PDF (each version keeps its own file): what the
    /// holder was given before a correction.
    pub async fn certificate_version_download(
        &self,
        actor: &Actor,
        id: CertificateId,
        version: u32,
        documents: &Documents,
    ) -> Result<CertificateLink, ApiError> {
        let current = self.certificate(actor, id).await?;
        if current.status != CertificateStatus::Issued {
            return Err(ApiError::NotFound);
        }
        let versions = store::versions(&self.table, id).await?;
        let wanted = versions.into_iter().find(|c| c.version == version).ok_or(ApiError::NotFound)?;
        let file_name = match wanted.version == current.certificate.version {
            true => wanted.file_name(),
            false => wanted.file_name().replace(".pdf", &format!("-wersja-{}.pdf", wanted.version)),
        };
        let url = documents
            .download_link(&wanted.storage_key(), &file_name, DOWNLOAD_TTL)
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
        Ok(CertificateLink { url, file_name })
    }

    /// The e-mailed link: no login, the token is the authorisation.
    pub async fn certificate_by_token(
        &self,
        token: &str,
        documents: &Documents,
        settings: &CertificateSettings,
    ) -> Result<CertificateLink, ApiError> {
        let claims = link::verify(&settings.secret, token, Utc::now()).map_err(|error| {
            let (code, pl) = match error {
                link::LinkError::Expired(_) => {
                    ("link_expired", "Link wygasł. Zaloguj się do e-WOKiSS, aby pobrać zaświadczenie.")
                }
                _ => ("link_invalid", "Link jest nieprawidłowy."),
            };
            ApiError::BadRequest(vec![FieldError::new("token", code, pl, "The link is invalid or has expired.")])
        })?;
        let stored = store::get(&self.table, claims.certificate_id).await?.ok_or(ApiError::NotFound)?;
        link_to(&stored, documents).await
    }

    /// The certificates the caller may see: a participant's own, an administrator's unit tree's
    /// (by training when `training` is given), staff any person's or training's.
    pub async fn certificates(
        &self,
        actor: &Actor,
        person: Option<PersonId>,
        training: Option<TrainingId>,
    ) -> Result<Vec<StoredCertificate>, ApiError> {
        let found = match (training, person, actor.role, actor.person_id) {
            (Some(training), _, _, _) => store::of_training(&self.table, training).await?,
            (None, Some(person), _, _) => store::of_person(&self.table, person).await?,
            (None, None, Role::Participant, Some(own)) => store::of_person(&self.table, own).await?,
            _ => {
                return Err(ApiError::field(FieldError::required("trainingId")));
            }
        };
        Ok(found
            .into_iter()
            .filter(|c| c.status == CertificateStatus::Issued && Self::may_see(actor, &c.certificate))
            .collect())
    }

    /// One ZIP of a training's certificates the caller may see, stored and linked for 5 minutes.
    pub async fn certificates_zip(
        &self,
        actor: &Actor,
        training: TrainingId,
        documents: &Documents,
    ) -> Result<CertificateLink, ApiError> {
        if actor.role == Role::Participant {
            return Err(ApiError::Forbidden);
        }
        let certificates = self.certificates(actor, None, Some(training)).await?;
        if certificates.is_empty() {
            return Err(ApiError::NotFound);
        }
        // The PDFs are read a few at a time, then packed (stored, not deflated: PDFs are compressed).
        use futures_util::{StreamExt, TryStreamExt};
        // Owned (key, name) pairs: the futures then borrow nothing from this frame's locals.
        let wanted: Vec<(String, String)> = certificates
            .iter()
            .map(|c| {
                (c.certificate.storage_key(), format!("{} {}", c.certificate.holder_name, c.certificate.file_name()))
            })
            .collect();
        let files: Vec<(String, Vec<u8>)> = futures_util::stream::iter(wanted)
            .map(|(key, name)| async move {
                let bytes = documents.get(&key).await.map_err(|e| ApiError::Unavailable(e.to_string()))?;
                Ok::<_, ApiError>((name, bytes))
            })
            .buffered(8)
            .try_collect()
            .await?;
        let zip = crate::zip::stored_zip(&files);
        let scope = match actor.role {
            Role::UnitAdmin => actor.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            _ => "all".to_owned(),
        };
        let key = format!("zips/certificates/{training}/{scope}/{}.zip", uuid::Uuid::new_v4());
        documents.put(&key, zip, "application/zip").await.map_err(|e| ApiError::Unavailable(e.to_string()))?;
        let file_name = format!("zaswiadczenia-{}.zip", &training.to_string()[..8]);
        let url = documents
            .download_link(&key, &file_name, DOWNLOAD_TTL)
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
        Ok(CertificateLink { url, file_name })
    }

    /// The public verification page's answer: number, holder and training — nothing more.
    pub async fn verify_certificate(&self, code: &str) -> Result<VerificationView, ApiError> {
        let code = VerificationCode::parse(code).map_err(|_| ApiError::NotFound)?;
        let stored = store::by_code(&self.table, &code.to_string()).await?.ok_or(ApiError::NotFound)?;
        Ok(stored.certificate.verification())
    }
}

async fn link_to(stored: &StoredCertificate, documents: &Documents) -> Result<CertificateLink, ApiError> {
    if stored.status != CertificateStatus::Issued {
        return Err(ApiError::NotFound);
    }
    let file_name = stored.certificate.file_name();
    let url = documents
        .download_link(&stored.certificate.storage_key(), &file_name, DOWNLOAD_TTL)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(CertificateLink { url, file_name })
}

/// Whether an edit of a person changes the name their certificates carry.
pub fn renames(edit: &ewokiss_domain::person::PersonEdit) -> bool {
    edit.first_name.is_some() || edit.last_name.is_some()
}

/// Asks the generator to re-issue a renamed person's certificates (it skips those whose name is
/// unchanged, so asking twice is harmless). Called after the edit is stored, by whichever API
/// made it: a failure is logged, not returned — the edit stands, and staff can still press
/// "correct" on a certificate.
#[cfg(feature = "sqs")]
pub async fn queue_reissue(queue: &crate::queue::Queue, person_id: PersonId) {
    let body = serde_json::json!({ "renamedPersonId": person_id }).to_string();
    if let Err(error) = queue.send_all(&[body]).await {
        tracing::error!(person = %person_id, ?error, "certificate re-issue not queued");
    }
}
