//! Issuing certificates (rendering needs the PDF engine, so only the certificates function and
//! the staff API link this): one per attended enrolment, reserved with its gapless number, its
//! PDF stored, then marked issued with the history entry and the e-mail to the holder — a
//! generator that dies anywhere is finished by the next attempt with the same number.

use chrono::Utc;
use ewokiss_domain::access::Actor;
use ewokiss_domain::documents::certificate::{
    self as rules, number_year, Certificate, CertificateNumber, VerificationCode,
};
use ewokiss_domain::documents::{DocumentContext, DocumentKind, DocumentTemplate};
use ewokiss_domain::history::{ContactEvent, EventKind, ObjectKind, ObjectRef, UserRef};
use ewokiss_domain::ids::{CertificateId, EventId, PersonId, TrainingId};
use ewokiss_domain::notification::{Notification, NotificationKind};
use ewokiss_domain::training::TrainingKind;
use serde::Serialize;

use crate::app::Registry;
use crate::certificate_app::{CertificateSettings, CorrectionInput};
use crate::documents::Documents;
use crate::dynamo::certificates::{self as store, CertificateStatus, StoredCertificate, SERIES};
use crate::dynamo::numbering::{last_number, lost_the_counter};
use crate::dynamo::trainings as training_store;
use crate::dynamo::StoreError;
use crate::http::ApiError;

/// What one generation request did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Generated {
    Issued {
        number: String,
    },
    /// Issued before (a repeated event).
    Already {
        number: String,
    },
    /// The enrolment earns no certificate (absent, cancelled, training not completed).
    NotEligible {
        reason: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the certificate template does not render: {0}")]
    Template(String),
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("S3: {0}")]
    Storage(String),
    #[error("no such training or enrolment")]
    Missing,
}

fn system() -> UserRef {
    UserRef { id: "system".into(), name: "e-WOKiSS".into() }
}

fn pdf_failure(error: impl std::fmt::Display) -> GenerateError {
    GenerateError::Pdf(error.to_string())
}

impl Registry {
    /// Generates the certificate of one enrolment, or finishes one a previous attempt left
    /// pending; a repeated call changes nothing.
    pub async fn generate_certificate(
        &self,
        documents: &Documents,
        settings: &CertificateSettings,
        training_id: TrainingId,
        person_id: PersonId,
    ) -> Result<Generated, GenerateError> {
        let training = training_store::get_training(&self.table, training_id).await?.ok_or(GenerateError::Missing)?;
        let enrolment =
            training_store::get_enrolment(&self.table, training_id, person_id).await?.ok_or(GenerateError::Missing)?;
        if let Err(reason) = rules::is_eligible(&training, &enrolment) {
            return Ok(Generated::NotEligible { reason: reason.to_string() });
        }
        if let Some(id) = store::certificate_of_enrolment(&self.table, enrolment.id).await? {
            let stored = store::get(&self.table, id).await?.ok_or(GenerateError::Missing)?;
            if stored.status == CertificateStatus::Issued {
                return Ok(Generated::Already { number: stored.certificate.number.to_string() });
            }
            return self.finish(documents, settings, &stored.certificate).await;
        }
        let kinds = TrainingKind::catalogue();
        for _ in 0..8 {
            let now = Utc::now();
            let year = number_year(now);
            let last = last_number(&self.table, SERIES, year).await?;
            let number = CertificateNumber::new(year, last + 1).map_err(|e| GenerateError::Template(e.pl))?;
            let certificate =
                Certificate::issue(&training, &kinds, &enrolment, number, VerificationCode::generate(), now)
                    .map_err(|reason| GenerateError::Template(reason.to_string()))?;
            match store::reserve(&self.table, &certificate, last).await {
                Ok(()) => return self.finish(documents, settings, &certificate).await,
                // Another generator took the number (or the code collided): try again.
                Err(error) if lost_the_counter(&error) => continue,
                Err(StoreError::ConditionFailed { label: "code" }) => continue,
                // Another generator reserved this enrolment's certificate: finish it.
                Err(StoreError::ConditionFailed { label: "claim" }) => {
                    let id = store::certificate_of_enrolment(&self.table, enrolment.id)
                        .await?
                        .ok_or(GenerateError::Missing)?;
                    let stored = store::get(&self.table, id).await?.ok_or(GenerateError::Missing)?;
                    if stored.status == CertificateStatus::Issued {
                        return Ok(Generated::Already { number: stored.certificate.number.to_string() });
                    }
                    return self.finish(documents, settings, &stored.certificate).await;
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(GenerateError::Store(StoreError::Backend("the certificate counter stayed contended".into())))
    }

    /// Renders and stores the PDF of a reserved version, then marks it issued with its history
    /// entry and the e-mail to the holder.
    async fn finish(
        &self,
        documents: &Documents,
        settings: &CertificateSettings,
        certificate: &Certificate,
    ) -> Result<Generated, GenerateError> {
        let template = crate::document_app::document_template_in_force(
            &self.table,
            DocumentKind::Certificate,
            Some(&certificate.training_kind),
        )
        .await?;
        let pdf = render_certificate(certificate, &template, settings)?;
        documents
            .put(&certificate.storage_key(), pdf, "application/pdf")
            .await
            .map_err(|e| GenerateError::Storage(e.to_string()))?;
        let now = Utc::now();
        let version =
            if certificate.version > 1 { format!(" (wersja {})", certificate.version) } else { String::new() };
        let event = ContactEvent {
            id: EventId::derived("certificate", &format!("{}:{}", certificate.id, certificate.version)),
            kind: EventKind::Document,
            at: now,
            author: system(),
            subject: format!("Zaświadczenie nr {}{version}", certificate.number),
            body: Some(format!(
                "Szkolenie „{}”; wystawione dla: {}.",
                certificate.training_title, certificate.holder_name
            )),
            links: vec![
                ObjectRef {
                    kind: ObjectKind::Person,
                    id: certificate.person_id.to_string(),
                    label: Some(certificate.holder_name.clone()),
                },
                ObjectRef { kind: ObjectKind::Unit, id: certificate.unit_id.to_string(), label: None },
                ObjectRef {
                    kind: ObjectKind::Training,
                    id: certificate.training_id.to_string(),
                    label: Some(certificate.training_title.clone()),
                },
            ],
        };
        let mut notification = Notification::new(
            NotificationKind::CertificateIssued,
            certificate.training_id,
            certificate.enrolment_id,
            certificate.person_id,
            u64::from(certificate.version),
            system(),
            now,
        );
        notification.certificate_id = Some(certificate.id);
        match store::mark_issued(&self.table, certificate, &event, Some(&notification)).await {
            Ok(()) => Ok(Generated::Issued { number: certificate.number.to_string() }),
            // Finished by a concurrent attempt.
            Err(StoreError::ConditionFailed { .. }) => {
                Ok(Generated::Already { number: certificate.number.to_string() })
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Staff correct the holder's name: a new version with the same number and code, its PDF
    /// regenerated and mailed; the previous versions stay.
    pub async fn correct_certificate(
        &self,
        actor: &Actor,
        id: CertificateId,
        input: CorrectionInput,
        documents: &Documents,
        settings: &CertificateSettings,
    ) -> Result<StoredCertificate, ApiError> {
        crate::app::staff_check(actor)?;
        match self.reissue_with_current_name(id, input.reason.as_deref(), documents, settings).await {
            Ok(Reissue::Unchanged) => Err(ApiError::field(rules::CertificateError::NameUnchanged.field_error())),
            Ok(Reissue::Reissued) => store::get(&self.table, id).await?.ok_or(ApiError::NotFound),
            Err(GenerateError::Missing) => Err(ApiError::NotFound),
            Err(GenerateError::Store(StoreError::ConditionFailed { .. })) => Err(ApiError::stale_version()),
            Err(other) => Err(ApiError::Unavailable(other.to_string())),
        }
    }

    /// A new version when the holder's name in the registry differs from the certificate's (a
    /// version left pending by a failed attempt is finished first). Safe to repeat.
    pub async fn reissue_with_current_name(
        &self,
        id: CertificateId,
        reason: Option<&str>,
        documents: &Documents,
        settings: &CertificateSettings,
    ) -> Result<Reissue, GenerateError> {
        // A concurrent attempt may add the version first: then read again and finish or stop.
        for _ in 0..3 {
            let stored = store::get(&self.table, id).await?.ok_or(GenerateError::Missing)?;
            if stored.status == CertificateStatus::Pending {
                self.finish(documents, settings, &stored.certificate).await?;
                return Ok(Reissue::Reissued);
            }
            let person = crate::dynamo::registry::get_person(&self.table, stored.certificate.person_id)
                .await?
                .ok_or(GenerateError::Missing)?;
            let corrected = match stored.certificate.correct_name(&person.full_name(), reason, Utc::now()) {
                Ok(corrected) => corrected,
                Err(rules::CertificateError::NameUnchanged) => return Ok(Reissue::Unchanged),
                Err(other) => return Err(GenerateError::Template(other.to_string())),
            };
            match store::add_version(&self.table, &stored.certificate, &corrected).await {
                Ok(()) => {
                    self.finish(documents, settings, &corrected).await?;
                    return Ok(Reissue::Reissued);
                }
                Err(StoreError::ConditionFailed { .. }) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(GenerateError::Store(StoreError::Backend("the certificate kept changing".into())))
    }

    /// After a person's name was edited: every issued certificate of theirs gets its new version.
    pub async fn reissue_for_person(
        &self,
        person_id: PersonId,
        documents: &Documents,
        settings: &CertificateSettings,
    ) -> Result<u32, GenerateError> {
        let mut reissued = 0;
        for stored in store::of_person(&self.table, person_id).await? {
            let reason = Some("zmiana imienia lub nazwiska w rejestrze");
            if self.reissue_with_current_name(stored.certificate.id, reason, documents, settings).await?
                == Reissue::Reissued
            {
                reissued += 1;
            }
        }
        Ok(reissued)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reissue {
    Reissued,
    Unchanged,
}

/// The PDF of one certificate version from `template` (the one in force for its training kind:
/// [`crate::document_app::document_template_in_force`]).
pub fn render_certificate(
    certificate: &Certificate,
    template: &DocumentTemplate,
    settings: &CertificateSettings,
) -> Result<Vec<u8>, GenerateError> {
    let context = DocumentContext::Certificate(certificate.context(&settings.verify_url(&certificate.code)));
    let rendered = template.render(&context).map_err(|e| GenerateError::Template(e.to_string()))?;
    ewokiss_pdf::render_document(&rendered, Some(certificate.issued_at)).map_err(pdf_failure)
}
