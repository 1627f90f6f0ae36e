//! Certificates of attendance. One per enrolment (a claim keyed by the enrolment), numbered
//! gaplessly per year (the counter moves in the transaction that reserves the certificate), its
//! PDF stored before it is marked issued — so a generator that dies anywhere is finished by the
//! next try with the same number. Every version is kept.

use chrono::{DateTime, Utc};
use ewokiss_domain::documents::certificate::Certificate;
use ewokiss_domain::history::ContactEvent;
use ewokiss_domain::ids::{CertificateId, EnrolmentId, PersonId, TrainingId};
use ewokiss_domain::notification::Notification;
use serde::{Deserialize, Serialize};

use super::numbering::take_numbers;
use super::trainings::outbox_item;
use super::{item, n, s, Expression, Query, StoreError, Table, Transaction};
use crate::keys;

pub const SERIES: &str = "ZAS";

/// A certificate version is `pending` from its reservation until its PDF is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Pending,
    Issued,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoredCertificate {
    #[serde(flatten)]
    pub certificate: Certificate,
    pub status: CertificateStatus,
    /// When the holder was sent the link (the issuing transaction writes the e-mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailed_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pointer {
    certificate_id: CertificateId,
}

fn current_item(stored: &StoredCertificate) -> super::Item {
    let certificate = &stored.certificate;
    item(
        &keys::certificate(certificate.id),
        Some(&keys::certificate_of_training(certificate)),
        Some(&keys::certificate_of_person(certificate)),
        "certificate",
        stored,
    )
}

/// Which certificate an enrolment has, if any.
pub async fn certificate_of_enrolment(
    table: &Table,
    enrolment_id: EnrolmentId,
) -> Result<Option<CertificateId>, StoreError> {
    Ok(table.get::<Pointer>(&keys::certificate_claim(enrolment_id)).await?.map(|p| p.certificate_id))
}

/// Reserves version 1: number (counter from `last` to `last + 1`), enrolment claim, code and
/// number lookups and the first version, all or nothing. Fails with `"number"` when another
/// issuer took the number first, `"claim"` when the enrolment already has its certificate.
pub async fn reserve(table: &Table, certificate: &Certificate, last: u32) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    take_numbers(&mut tx, table, SERIES, certificate.number.year, last, 1);
    let pointer = Pointer { certificate_id: certificate.id };
    tx.create(
        table,
        "claim",
        item(&keys::certificate_claim(certificate.enrolment_id), None, None, "certificate-claim", &pointer),
    );
    tx.create(
        table,
        "code",
        item(&keys::certificate_code(&certificate.code.to_string()), None, None, "certificate-code", &pointer),
    );
    tx.create(
        table,
        "number-claim",
        item(&keys::certificate_number(&certificate.number.to_string()), None, None, "certificate-number", &pointer),
    );
    let stored =
        StoredCertificate { certificate: certificate.clone(), status: CertificateStatus::Pending, mailed_at: None };
    tx.create(table, "certificate", current_item(&stored));
    tx.create(
        table,
        "version",
        item(
            &keys::certificate_version(certificate.id, certificate.version),
            None,
            None,
            "certificate-version",
            certificate,
        ),
    );
    table.transact(tx).await
}

pub async fn get(table: &Table, id: CertificateId) -> Result<Option<StoredCertificate>, StoreError> {
    table.get(&keys::certificate(id)).await
}

/// The PDF of this version is stored: the certificate is issued, in the holder's history, and
/// (when `notification` is given) the e-mail with the link is queued — once.
pub async fn mark_issued(
    table: &Table,
    certificate: &Certificate,
    event: &ContactEvent,
    notification: Option<&Notification>,
) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    let mut update = "SET #data.#status = :issued".to_owned();
    let mut values = vec![
        (":issued".to_owned(), s("issued")),
        (":pending".to_owned(), s("pending")),
        (":version".to_owned(), n(certificate.version)),
    ];
    let mut names = vec![
        ("#data".to_owned(), "data".to_owned()),
        ("#status".to_owned(), "status".to_owned()),
        ("#version".to_owned(), "version".to_owned()),
    ];
    if let Some(notification) = notification {
        update.push_str(", #data.#mailed = :mailed");
        names.push(("#mailed".to_owned(), "mailedAt".to_owned()));
        values.push((":mailed".to_owned(), s(&notification.created_at.to_rfc3339())));
    }
    tx.update(
        table,
        "certificate",
        &keys::certificate(certificate.id),
        Expression {
            update,
            condition: Some("#data.#status = :pending AND #data.#version = :version".into()),
            names,
            values,
        },
    );
    let event_id = event.id.to_string();
    for link in &event.links {
        tx.create(
            table,
            "event",
            item(&keys::history_entry(link.kind, &link.id, &event_id), None, None, "event", event),
        );
    }
    if let Some(notification) = notification {
        tx.create(table, "outbox", outbox_item(notification));
    }
    table.transact(tx).await
}

/// A corrected version replaces the current one (pending until its PDF is stored); the old
/// version stays in the partition.
pub async fn add_version(table: &Table, before: &Certificate, after: &Certificate) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    let stored = StoredCertificate { certificate: after.clone(), status: CertificateStatus::Pending, mailed_at: None };
    tx.put_if(
        table,
        "certificate",
        current_item(&stored),
        Expression {
            condition: Some("#data.#version = :version AND #data.#status = :issued".into()),
            names: vec![
                ("#data".into(), "data".into()),
                ("#version".into(), "version".into()),
                ("#status".into(), "status".into()),
            ],
            values: vec![(":version".into(), n(before.version)), (":issued".into(), s("issued"))],
            ..Default::default()
        },
    );
    tx.create(
        table,
        "version",
        item(&keys::certificate_version(after.id, after.version), None, None, "certificate-version", after),
    );
    table.transact(tx).await
}

pub async fn versions(table: &Table, id: CertificateId) -> Result<Vec<Certificate>, StoreError> {
    let partition = keys::certificate(id).pk;
    Ok(table.query(Query::table(&partition).prefix(keys::CERTIFICATE_VERSION_PREFIX)).await?.items)
}

pub async fn by_code(table: &Table, code: &str) -> Result<Option<StoredCertificate>, StoreError> {
    match table.get::<Pointer>(&keys::certificate_code(code)).await? {
        Some(pointer) => get(table, pointer.certificate_id).await,
        None => Ok(None),
    }
}

async fn all_pages(table: &Table, index: &'static str, partition: &str) -> Result<Vec<StoredCertificate>, StoreError> {
    table.query_all(Query::index(index, partition), 200).await
}

/// The certificates of a training, by holder.
pub async fn of_training(table: &Table, training_id: TrainingId) -> Result<Vec<StoredCertificate>, StoreError> {
    all_pages(table, keys::GSI1, &keys::training_certificates_partition(training_id)).await
}

/// A person's certificates, oldest first.
pub async fn of_person(table: &Table, person_id: PersonId) -> Result<Vec<StoredCertificate>, StoreError> {
    all_pages(table, keys::GSI2, &keys::person_certificates_partition(person_id)).await
}
