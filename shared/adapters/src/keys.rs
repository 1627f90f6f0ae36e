//! Every item's keys come from here, and only from here. The table is a single table with
//! overloaded keys `PK`/`SK` and two overloaded indexes `GSI1` and `GSI2`; docs/ACCESS-PATTERNS.md
//! lists which access pattern reads which key.

use ewokiss_domain::contract::Contract;
use ewokiss_domain::documents::certificate::Certificate;
use ewokiss_domain::documents::generated::GeneratedDocument;
use ewokiss_domain::enrolment::{Enrolment, EnrolmentStatus};
use ewokiss_domain::history::ObjectKind;
use ewokiss_domain::ids::{
    CertificateId, ContractId, DocumentId, EnrolmentId, ExportBatchId, InboundMailId, MailingId, PersonId,
    SettlementId, TaskId, TrainingId, UnitId, VenueId,
};
use ewokiss_domain::inbound::InboundMail;
use ewokiss_domain::mailing::recipient::Recipient;
use ewokiss_domain::mailing::Mailing;
use ewokiss_domain::notification::Notification;
use ewokiss_domain::person::{Person, PersonStatus};
use ewokiss_domain::search;
use ewokiss_domain::settlement::{Settlement, SettlementNumber, SettlementStatus};
use ewokiss_domain::task::Task;
use ewokiss_domain::training::{Training, Venue};
use ewokiss_domain::unit::Unit;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
pub const GSI2: &str = "GSI2";
pub const GSI2PK: &str = "GSI2PK";
pub const GSI2SK: &str = "GSI2SK";
pub const GSI3: &str = "GSI3";
pub const GSI3PK: &str = "GSI3PK";
pub const GSI3SK: &str = "GSI3SK";

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self { pk: pk.into(), sk: sk.into() }
    }
}

/// An index entry (partition and sort key of one GSI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    pub pk: String,
    pub sk: String,
}

pub fn object_pk(kind: ObjectKind, id: &str) -> String {
    format!("{}#{id}", kind.key_prefix())
}

// ---- units -------------------------------------------------------------------------------

pub fn unit(id: UnitId) -> Key {
    Key::new(object_pk(ObjectKind::Unit, &id.to_string()), "UNIT")
}

fn unit_sort(unit: &Unit) -> String {
    format!("{}#{}", search::fold(&unit.name), unit.id)
}

/// GSI1: every unit by name (the staff unit list).
pub const ALL_UNITS: &str = "UNITS";

pub fn unit_by_name(unit: &Unit) -> IndexKey {
    IndexKey { pk: ALL_UNITS.into(), sk: unit_sort(unit) }
}

/// GSI2: units of one powiat by name.
pub fn unit_by_powiat(unit: &Unit) -> Option<IndexKey> {
    unit.powiat_teryt.as_ref().map(|code| IndexKey { pk: powiat_partition(code), sk: unit_sort(unit) })
}

pub fn powiat_partition(code: &str) -> String {
    format!("POWIAT#{code}")
}

/// The edge parent → child, stored in the parent's partition.
pub fn unit_child(parent: UnitId, child: UnitId) -> Key {
    Key::new(unit(parent).pk, format!("{CHILD_PREFIX}{child}"))
}

pub const CHILD_PREFIX: &str = "CHILD#";

/// Sentinel that makes a TERYT code unique among units.
pub fn teryt_claim(code: &str) -> Key {
    Key::new(format!("TERYT#{code}"), "TERYT")
}

// ---- persons -----------------------------------------------------------------------------

pub fn person(id: PersonId) -> Key {
    Key::new(object_pk(ObjectKind::Person, &id.to_string()), "PERSON")
}

/// The unit path as a key prefix: `root/child/…/unit/`.
pub fn path_prefix(path: &[UnitId]) -> String {
    let mut prefix = String::new();
    for id in path {
        prefix.push_str(&id.to_string());
        prefix.push('/');
    }
    prefix
}

/// GSI1: persons of one unit tree, sorted by unit path, then active before left, then name.
/// A `begins_with` on a unit's path prefix reads that unit's whole subtree in one query; on
/// `prefix#` only the unit's own persons.
pub fn person_in_tree(person: &Person) -> IndexKey {
    let root = person.unit_path.first().copied().unwrap_or(person.unit_id);
    IndexKey {
        pk: tree_partition(root),
        sk: format!(
            "{}#{}#{}#{}",
            path_prefix(&person.unit_path),
            status_marker(person.status),
            person.sort_name(),
            person.id
        ),
    }
}

pub fn tree_partition(root: UnitId) -> String {
    format!("TREE#{root}")
}

pub fn status_marker(status: PersonStatus) -> &'static str {
    match status {
        PersonStatus::Active => "A",
        PersonStatus::Left => "L",
    }
}

/// Sentinel that makes an e-mail address unique among active persons.
pub fn email_claim(normalized_email: &str) -> Key {
    Key::new(format!("EMAIL#{normalized_email}"), "EMAIL")
}

pub const EMPLOYMENT_PREFIX: &str = "EMPLOYMENT#";

pub fn employment(person_id: PersonId, employment_id: uuid::Uuid) -> Key {
    Key::new(person(person_id).pk, format!("{EMPLOYMENT_PREFIX}{employment_id}"))
}

// ---- history, audit, tasks ---------------------------------------------------------------

pub const HISTORY_PREFIX: &str = "HIST#";
pub const AUDIT_PREFIX: &str = "AUDIT#";
pub const TASK_LINK_PREFIX: &str = "TASK#";

/// A timeline entry of an event in the partition of one linked object.
pub fn history_entry(kind: ObjectKind, object_id: &str, event_id: &str) -> Key {
    Key::new(object_pk(kind, object_id), format!("{HISTORY_PREFIX}{event_id}"))
}

pub fn audit_entry(kind: ObjectKind, object_id: &str, audit_id: &str) -> Key {
    Key::new(object_pk(kind, object_id), format!("{AUDIT_PREFIX}{audit_id}"))
}

pub fn task(id: TaskId) -> Key {
    Key::new(object_pk(ObjectKind::Task, &id.to_string()), "TASK")
}

/// A copy of the task in the partition of an object it is linked to.
pub fn task_link(kind: ObjectKind, object_id: &str, task_id: TaskId) -> Key {
    Key::new(object_pk(kind, object_id), format!("{TASK_LINK_PREFIX}{task_id}"))
}

/// Open tasks sort by due date; tasks without one come last.
fn task_sort(task: &Task) -> String {
    let due = task.due_on.map(|d| d.to_string()).unwrap_or_else(|| "9999-12-31".into());
    format!("{due}#{}", task.id)
}

/// GSI1: tasks by status.
pub fn task_by_status(task: &Task) -> IndexKey {
    IndexKey { pk: tasks_partition(task.status.code()), sk: task_sort(task) }
}

pub fn tasks_partition(status: &str) -> String {
    format!("TASKS#{status}")
}

/// GSI2: tasks of one assignee by status.
pub fn task_by_assignee(task: &Task) -> Option<IndexKey> {
    task.assignee
        .as_ref()
        .map(|user| IndexKey { pk: assignee_partition(&user.id, task.status.code()), sk: task_sort(task) })
}

pub fn assignee_partition(user_id: &str, status: &str) -> String {
    format!("ASSIGNEE#{user_id}#{status}")
}

// ---- trainings, venues, enrolments, outbox -----------------------------------------------

pub fn training(id: TrainingId) -> Key {
    Key::new(object_pk(ObjectKind::Training, &id.to_string()), "TRAINING")
}

/// The training's seat counters (`taken`, `capacity`, `arrivals`): kept apart from the record so
/// an edit of the training never overwrites a concurrent enrolment's increment.
pub fn seats(id: TrainingId) -> Key {
    Key::new(training(id).pk, "SEATS")
}

fn training_sort(training: &Training) -> String {
    let start = training.starts_on().map(|d| d.to_string()).unwrap_or_else(|| "9999-12-31".into());
    format!("{start}#{}", training.id)
}

/// GSI1: trainings by the month of their first session (`none` while they have no date).
pub fn training_by_month(training: &Training) -> IndexKey {
    let month = training.starts_on().map(|d| d.format("%Y-%m").to_string()).unwrap_or_else(|| "none".into());
    IndexKey { pk: trainings_month_partition(&month), sk: training_sort(training) }
}

pub fn trainings_month_partition(month: &str) -> String {
    format!("TRAININGS#{month}")
}

/// GSI2: trainings by phase, by start date.
pub fn training_by_phase(training: &Training) -> IndexKey {
    IndexKey { pk: trainings_phase_partition(training.phase.code()), sk: training_sort(training) }
}

pub fn trainings_phase_partition(phase: &str) -> String {
    format!("PHASE#{phase}")
}

pub fn venue(id: VenueId) -> Key {
    Key::new(format!("VENUE#{id}"), "VENUE")
}

pub const ALL_VENUES: &str = "VENUES";

pub fn venue_by_name(venue: &Venue) -> IndexKey {
    IndexKey { pk: ALL_VENUES.into(), sk: format!("{}#{}", search::fold(&venue.name), venue.id) }
}

pub const ENROLMENT_PREFIX: &str = "ENROL#";

/// One enrolment per (training, person): the natural key makes a repeated request a no-op.
pub fn enrolment(training_id: TrainingId, person_id: PersonId) -> Key {
    Key::new(training(training_id).pk, format!("{ENROLMENT_PREFIX}{person_id}"))
}

/// GSI1 (waitlisted only): the waiting list of a training in arrival order.
pub fn waitlist_entry(enrolment: &Enrolment) -> Option<IndexKey> {
    enrolment
        .waitlist_seq
        .filter(|_| enrolment.status == EnrolmentStatus::Waitlisted)
        .map(|seq| IndexKey { pk: waitlist_partition(enrolment.training_id), sk: format!("{seq:012}") })
}

pub fn waitlist_partition(training_id: TrainingId) -> String {
    format!("WAITLIST#{training_id}")
}

/// GSI2: a person's enrolments, by the training's start.
pub fn enrolment_of_person(enrolment: &Enrolment, starts_on: &str) -> IndexKey {
    IndexKey {
        pk: person_enrolments_partition(enrolment.person_id),
        sk: format!("{starts_on}#{}", enrolment.training_id),
    }
}

pub fn person_enrolments_partition(person_id: PersonId) -> String {
    format!("ENROLMENTS#{person_id}")
}

/// GSI3: enrolments of a unit tree, by unit path then start: `begins_with` on a unit's path
/// reads the enrolments of its persons and of its sub-units' persons.
pub fn enrolment_in_tree(enrolment: &Enrolment, starts_on: &str) -> IndexKey {
    let root = enrolment.unit_path.first().copied().unwrap_or(enrolment.unit_id);
    IndexKey {
        pk: tree_partition(root),
        sk: format!(
            "{}#{starts_on}#{}#{}",
            path_prefix(&enrolment.unit_path),
            enrolment.training_id,
            enrolment.person_id
        ),
    }
}

/// An outbox entry, pending until the sender has sent it.
pub fn outbox(id: uuid::Uuid) -> Key {
    Key::new(format!("OUTBOX#{id}"), "OUTBOX")
}

/// GSI1: pending outbox entries, oldest first.
pub fn outbox_pending(notification: &Notification) -> IndexKey {
    IndexKey { pk: OUTBOX_PENDING.into(), sk: format!("{}#{}", notification.created_at.to_rfc3339(), notification.id) }
}

pub const OUTBOX_PENDING: &str = "OUTBOX#pending";

/// A notification template staff saved (absent: the built-in default is used).
pub fn notification_template(kind: &str) -> Key {
    Key::new(format!("TEMPLATE#notification#{kind}"), "TEMPLATE")
}

// ---- document templates and generated documents -------------------------------------------

/// Every document template staff saved, in one partition of a handful of items, sorted by
/// `{kind}` (the kind's template) or `{kind}#{trainingKind}` (a certificate template of one
/// training kind): `begins_with(kind)` reads all of a kind in one query.
pub const DOCUMENT_TEMPLATES: &str = "TEMPLATES#document";

pub fn document_template(kind: &str, training_kind: Option<&str>) -> Key {
    let sort = match training_kind {
        Some(code) => format!("{kind}#{code}"),
        None => kind.to_owned(),
    };
    Key::new(DOCUMENT_TEMPLATES, sort)
}

/// A generated document's record; its partition also holds its timeline (`HIST#`).
pub fn document(id: DocumentId) -> Key {
    Key::new(object_pk(ObjectKind::Document, &id.to_string()), "DOCUMENT")
}

pub const DOCUMENT_LINK_PREFIX: &str = "DOC#";

/// A copy of a document's record in the partition of an object it belongs to (unit, person,
/// settlement), sorted by creation: the object's documents are one query.
pub fn document_link(kind: ObjectKind, object_id: &str, document: &GeneratedDocument) -> Key {
    Key::new(
        object_pk(kind, object_id),
        format!("{DOCUMENT_LINK_PREFIX}{}#{}", document.created_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"), document.id),
    )
}

/// The number a contract's documents carry (`UM/NNNN/RRRR`), claimed with its first document.
pub fn contract_document_number(id: ContractId) -> Key {
    Key::new(contract(id).pk, "DOCUMENT_NUMBER")
}

// ---- staff directory ---------------------------------------------------------------------

pub const STAFF_DIRECTORY: &str = "STAFF";

pub fn staff_user(user_id: &str) -> Key {
    Key::new(STAFF_DIRECTORY, format!("USER#{user_id}"))
}

// ---- inbound mail ------------------------------------------------------------------------

/// A received message. Its partition also holds its replies (`REPLY#`) and its own timeline
/// (`HIST#`: arrival, replies).
pub fn inbound_mail(id: InboundMailId) -> Key {
    Key::new(object_pk(ObjectKind::InboundMail, &id.to_string()), "INBOUND")
}

fn inbound_sort(mail: &InboundMail) -> String {
    format!("{}#{}", mail.received_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"), mail.id)
}

/// GSI1: every received message, by arrival (read newest first).
pub const ALL_INBOUND: &str = "INBOX";

pub fn inbound_in_list(mail: &InboundMail) -> IndexKey {
    IndexKey { pk: ALL_INBOUND.into(), sk: inbound_sort(mail) }
}

/// GSI2 (only while nobody is linked): messages waiting for staff to name their sender.
pub const UNASSIGNED_INBOUND: &str = "INBOX#unassigned";

pub fn inbound_unassigned(mail: &InboundMail) -> Option<IndexKey> {
    (!mail.is_assigned()).then(|| IndexKey { pk: UNASSIGNED_INBOUND.into(), sk: inbound_sort(mail) })
}

/// Which stored message has a Message-ID (the same message delivered twice is kept once). The
/// id is the sender's free text of up to 500 characters: the key holds its UUIDv5.
pub fn inbound_message_id(message_id: &str) -> Key {
    let digest = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, message_id.as_bytes());
    Key::new(format!("INBOUND_MSGID#{digest}"), "INBOUND_MSGID")
}

pub const REPLY_PREFIX: &str = "REPLY#";

/// A reply staff sent to a message (claimed before sending, so it is sent once).
pub fn inbound_reply(id: InboundMailId, reply_id: uuid::Uuid) -> Key {
    Key::new(inbound_mail(id).pk, format!("{REPLY_PREFIX}{reply_id}"))
}

// ---- search ------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    Unit,
    Person,
}

impl SearchKind {
    fn code(self) -> &'static str {
        match self {
            Self::Unit => "U",
            Self::Person => "P",
        }
    }
}

/// One search-index item per (word of the name, record): partition by the word's first two
/// folded letters, sort by the word, so a prefix query is one `begins_with`.
pub fn search_entry(kind: SearchKind, token: &str, id: &str) -> Key {
    Key::new(search_partition(kind, token), format!("{token}#{id}"))
}

pub fn search_partition(kind: SearchKind, token: &str) -> String {
    format!("SEARCH#{}#{}", kind.code(), search::prefix_bucket(token))
}

// ---- billing ------------------------------------------------------------------------------

/// The last number given in a document series and year (plain attribute `last`).
pub fn number_counter(series: &str, year: i32) -> Key {
    Key::new(format!("COUNTER#{series}#{year}"), "COUNTER")
}

pub fn contract(id: ContractId) -> Key {
    Key::new(format!("CONTRACT#{id}"), "CONTRACT")
}

/// GSI1: the contracts of a unit, by start date.
pub fn contract_of_unit(contract: &Contract) -> IndexKey {
    IndexKey { pk: unit_contracts_partition(contract.unit_id), sk: format!("{}#{}", contract.start, contract.id) }
}

pub fn unit_contracts_partition(unit_id: UnitId) -> String {
    format!("CONTRACTS#{unit_id}")
}

/// Contracts are spread over this many due-index partitions, so a large run reads them in
/// parallel and no single partition takes every contract's writes.
pub const DUE_SHARDS: u32 = 8;

/// GSI2: a contract under the day its next charge falls due (absent when nothing will).
pub fn contract_due(contract: &Contract, due_on: chrono::NaiveDate) -> IndexKey {
    let shard = contract.id.as_uuid().as_u128() % u128::from(DUE_SHARDS);
    IndexKey { pk: contracts_due_partition(shard as u32), sk: format!("{due_on}#{}", contract.id) }
}

pub fn contracts_due_partition(shard: u32) -> String {
    format!("CONTRACTS_DUE#{shard}")
}

/// The upper bound of "due on or before `day`" in a due partition.
pub fn due_until(day: chrono::NaiveDate) -> String {
    format!("{day}#~")
}

/// GSI3: every contract, by start date (the staff list).
pub const ALL_CONTRACTS: &str = "CONTRACTS";

pub fn contract_in_list(contract: &Contract) -> IndexKey {
    IndexKey { pk: ALL_CONTRACTS.into(), sk: format!("{}#{}", contract.start, contract.id) }
}

/// One charge of a contract: `{period}#{sequence}`, written once.
pub fn contract_charge(id: ContractId, charge_key: &str) -> Key {
    Key::new(contract(id).pk, format!("CHARGE#{charge_key}"))
}

pub fn settlement(id: SettlementId) -> Key {
    Key::new(format!("SETTLEMENT#{id}"), "SETTLEMENT")
}

/// A settled line's claim: a line (an enrolment, a contract charge) is settled at most once, ever.
pub fn settled_line(line_key: &str) -> Key {
    Key::new(format!("SETTLED#{line_key}"), "SETTLED")
}

fn settlement_sort(settlement: &Settlement) -> String {
    format!("{}#{}", settlement.created_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"), settlement.id)
}

/// GSI1: the settlements of a unit, by creation.
pub fn settlement_of_unit(settlement: &Settlement) -> IndexKey {
    IndexKey { pk: unit_settlements_partition(settlement.unit_id), sk: settlement_sort(settlement) }
}

pub fn unit_settlements_partition(unit_id: UnitId) -> String {
    format!("SETTLEMENTS_OF#{unit_id}")
}

/// GSI2: settlements by status, oldest first (drafts to issue, issued ones to export).
pub fn settlement_by_status(settlement: &Settlement) -> IndexKey {
    IndexKey { pk: settlements_status_partition(settlement.status), sk: settlement_sort(settlement) }
}

pub fn settlements_status_partition(status: SettlementStatus) -> String {
    format!("SETTLEMENTS#{}", status.code())
}

/// GSI3: an issued settlement under its number (payment files name numbers). The number is
/// unique by the counter it is taken from; the index only finds it.
pub fn settlement_by_number(number: &SettlementNumber) -> IndexKey {
    IndexKey { pk: settlement_number_partition(number), sk: "SETTLEMENT".into() }
}

pub fn settlement_number_partition(number: &SettlementNumber) -> String {
    format!("SETTLEMENT_NO#{number}")
}

pub fn export_batch(id: ExportBatchId) -> Key {
    Key::new(format!("EXPORT#{id}"), "EXPORT")
}

/// The settlements a batch holds, in the order taken: an exact list, written in the same
/// transactions that mark them exported (an index would lag behind).
pub fn export_members(id: ExportBatchId) -> Key {
    Key::new(format!("EXPORT#{id}"), "MEMBERS")
}

/// GSI1: export batches, by creation.
pub const ALL_EXPORTS: &str = "EXPORTS";

pub fn export_in_list(created: &chrono::DateTime<chrono::Utc>, id: ExportBatchId) -> IndexKey {
    IndexKey { pk: ALL_EXPORTS.into(), sk: format!("{}#{id}", created.format("%Y-%m-%dT%H:%M:%S%.6fZ")) }
}

/// The batch being built (at most one at a time; a crashed export is continued, not restarted).
pub fn open_export() -> Key {
    Key::new("EXPORT_OPEN", "EXPORT_OPEN")
}

/// What accounting last received of a unit as a customer (its code and fingerprint).
pub fn erp_customer(unit_id: UnitId) -> Key {
    Key::new(unit(unit_id).pk, "ERP_CUSTOMER")
}

// ---- mailings ----------------------------------------------------------------------------

pub fn mailing(id: MailingId) -> Key {
    Key::new(object_pk(ObjectKind::Mailing, &id.to_string()), "MAILING")
}

/// GSI1: every mailing, newest first.
pub const ALL_MAILINGS: &str = "MAILINGS";

pub fn mailing_in_list(mailing: &Mailing) -> IndexKey {
    IndexKey { pk: ALL_MAILINGS.into(), sk: format!("{}#{}", mailing.created_at.to_rfc3339(), mailing.id) }
}

/// GSI2: the mailings linked to one training (its invitations).
pub fn mailing_of_training(mailing: &Mailing) -> Option<IndexKey> {
    mailing
        .training_id
        .map(|training| IndexKey { pk: training_mailings_partition(training), sk: mailing.id.to_string() })
}

pub fn training_mailings_partition(training_id: TrainingId) -> String {
    format!("TRAINING_MAILINGS#{training_id}")
}

pub const RECIPIENT_PREFIX: &str = "RCPT#";

/// A recipient lives in its mailing's partition (the mailing's recipient list).
pub fn recipient(mailing_id: MailingId, person_id: PersonId) -> Key {
    Key::new(mailing(mailing_id).pk, format!("{RECIPIENT_PREFIX}{person_id}"))
}

/// GSI2: what one person was sent, by mailing.
pub fn recipient_of_person(recipient: &Recipient) -> IndexKey {
    IndexKey { pk: person_mailings_partition(recipient.person_id), sk: recipient.mailing_id.to_string() }
}

pub fn person_mailings_partition(person_id: PersonId) -> String {
    format!("PERSON_MAILINGS#{person_id}")
}

/// A sent message by its SES message id: where SES's delivery events belong.
pub fn sent_message(message_id: &str) -> Key {
    Key::new(format!("SESMSG#{message_id}"), "SESMSG")
}

/// An address that bounced permanently or complained: later mailings skip it.
pub fn suppressed_address(normalized_email: &str) -> Key {
    Key::new(format!("SUPPRESSED#{normalized_email}"), "SUPPRESSED")
}

/// GSI1: the suppression list by address.
pub const ALL_SUPPRESSED: &str = "SUPPRESSED";

pub fn suppressed_in_list(normalized_email: &str) -> IndexKey {
    IndexKey { pk: ALL_SUPPRESSED.into(), sk: normalized_email.to_owned() }
}

/// A person's unsubscription from newsletters and invitations.
pub fn unsubscribed(person_id: PersonId) -> Key {
    Key::new(person(person_id).pk, "UNSUBSCRIBED")
}

// ---- certificates --------------------------------------------------------------------------

/// The current version of a certificate (its PDF versions are in its partition too).
pub fn certificate(id: CertificateId) -> Key {
    Key::new(format!("CERTIFICATE#{id}"), "CERTIFICATE")
}

/// Every version, kept: `VERSION#0001`, `VERSION#0002`, …
pub fn certificate_version(id: CertificateId, version: u32) -> Key {
    Key::new(certificate(id).pk, format!("VERSION#{version:04}"))
}

pub const CERTIFICATE_VERSION_PREFIX: &str = "VERSION#";

/// GSI1: the certificates of a training, by holder.
pub fn certificate_of_training(certificate: &Certificate) -> IndexKey {
    IndexKey {
        pk: training_certificates_partition(certificate.training_id),
        sk: format!("{}#{}", search::fold(&certificate.holder_name), certificate.id),
    }
}

pub fn training_certificates_partition(training_id: TrainingId) -> String {
    format!("CERTS_OF_TRAINING#{training_id}")
}

/// GSI2: a person's certificates, oldest first.
pub fn certificate_of_person(certificate: &Certificate) -> IndexKey {
    IndexKey {
        pk: person_certificates_partition(certificate.person_id),
        sk: format!("{}#{}", certificate.first_issued_at.to_rfc3339(), certificate.id),
    }
}

pub fn person_certificates_partition(person_id: PersonId) -> String {
    format!("CERTS_OF_PERSON#{person_id}")
}

/// One certificate per enrolment: the claim created with it.
pub fn certificate_claim(enrolment_id: EnrolmentId) -> Key {
    Key::new(format!("CERT_OF#{enrolment_id}"), "CERT_OF")
}

/// The public verification code's lookup.
pub fn certificate_code(code: &str) -> Key {
    Key::new(format!("CERT_CODE#{code}"), "CERT_CODE")
}

/// Which certificate holds a number (numbers are unique).
pub fn certificate_number(number: &str) -> Key {
    Key::new(format!("CERT_NO#{number}"), "CERT_NO")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_prefix_nests() {
        let (a, b) = (UnitId::generate(), UnitId::generate());
        let outer = path_prefix(&[a]);
        let inner = path_prefix(&[a, b]);
        assert!(inner.starts_with(&outer));
        assert!(!outer.starts_with(&inner));
        assert!(!format!("{inner}#").starts_with(&format!("{outer}#")));
    }
}
