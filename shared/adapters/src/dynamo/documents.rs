//! Document templates staff saved, generated documents, their links to the objects they
//! belong to, and contract document numbers. Keys in `crate::keys`; patterns in
//! docs/ACCESS-PATTERNS.md.

use chrono::{DateTime, Utc};
use ewokiss_domain::documents::generated::{ContractNumber, GeneratedDocument};
use ewokiss_domain::documents::{DocumentKind, DocumentTemplate};
use ewokiss_domain::history::{ContactEvent, ObjectKind, UserRef};
use ewokiss_domain::ids::{ContractId, DocumentId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{item, Page, Query, StoreError, Table, Transaction};
use crate::keys;

/// A document template as staff saved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoredDocumentTemplate {
    pub template: DocumentTemplate,
    /// 1 at the first save; each save adds one.
    pub version: u64,
    pub updated_by: UserRef,
    pub updated_at: DateTime<Utc>,
}

/// The saved templates of a kind (a certificate's: the default and each training kind's), or
/// of every kind: one query on a small partition.
pub async fn stored_templates(
    table: &Table,
    kind: Option<DocumentKind>,
) -> Result<Vec<StoredDocumentTemplate>, StoreError> {
    let mut query = Query::table(keys::DOCUMENT_TEMPLATES);
    if let Some(kind) = kind {
        query = query.prefix(kind.code());
    }
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = table.query::<StoredDocumentTemplate>(query_from(&query, cursor.as_deref())).await?;
        found.extend(page.items.into_iter().filter(|stored| kind.is_none_or(|kind| stored.template.kind == kind)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(found),
        }
    }
}

fn query_from<'a>(query: &Query<'a>, cursor: Option<&'a str>) -> Query<'a> {
    let mut next = Query::table(query.partition);
    next.sort_prefix = query.sort_prefix;
    next.cursor = cursor;
    next
}

/// Saves a template: created when `expected_version` is `None`, otherwise only over the
/// version the editor started from (label `version` when someone saved meanwhile).
pub async fn save_template(
    table: &Table,
    stored: &StoredDocumentTemplate,
    expected_version: Option<u64>,
) -> Result<(), StoreError> {
    let template = &stored.template;
    let key = keys::document_template(template.kind.code(), template.training_kind.as_deref());
    let record = item(&key, None, None, "document-template", stored);
    let mut tx = Transaction::default();
    match expected_version {
        None => tx.create(table, "version", record),
        Some(version) => tx.replace_versioned(table, record, version),
    }
    table.transact(tx).await
}

pub async fn delete_template(table: &Table, kind: DocumentKind, training_kind: Option<&str>) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.delete(table, &keys::document_template(kind.code(), training_kind));
    table.transact(tx).await
}

pub async fn get_document(table: &Table, id: DocumentId) -> Result<Option<GeneratedDocument>, StoreError> {
    table.get(&keys::document(id)).await
}

/// The documents of a unit, person or settlement, newest first.
pub async fn documents_of(
    table: &Table,
    kind: ObjectKind,
    id: &str,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<GeneratedDocument>, StoreError> {
    let partition = keys::object_pk(kind, id);
    table.query(Query::table(&partition).prefix(keys::DOCUMENT_LINK_PREFIX).newest_first().page(limit, cursor)).await
}

/// The number a contract's documents carry, once its first document was made.
pub async fn contract_number(table: &Table, id: ContractId) -> Result<Option<ContractNumber>, StoreError> {
    Ok(table.get::<ContractNumberClaim>(&keys::contract_document_number(id)).await?.map(|claim| claim.number))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContractNumberClaim {
    contract_id: ContractId,
    number: ContractNumber,
    first_document_id: DocumentId,
}

/// Adds to `tx` the document (label `document`: fails when a document with its id exists,
/// i.e. a retried request), its copy in each linked object's partition and its history entry
/// in the timeline of each object the event links.
pub fn add_document(tx: &mut Transaction, table: &Table, document: &GeneratedDocument, event: &ContactEvent) {
    tx.create(table, "document", item(&keys::document(document.id), None, None, "document", document));
    for link in &document.links {
        tx.put(table, item(&keys::document_link(link.kind, &link.id, document), None, None, "document-link", document));
    }
    let event_id = event.id.to_string();
    for link in &event.links {
        tx.create(
            table,
            "event",
            item(&keys::history_entry(link.kind, &link.id, &event_id), None, None, "event", event),
        );
    }
}

/// Adds to `tx` the claim of a contract's number (label `contract_number`: another document
/// of the contract claimed one first); the caller moves the counter in the same transaction.
pub fn add_contract_number(
    tx: &mut Transaction,
    table: &Table,
    contract_id: ContractId,
    number: ContractNumber,
    document_id: DocumentId,
) {
    let claim = ContractNumberClaim { contract_id, number, first_document_id: document_id };
    tx.create(
        table,
        "contract_number",
        item(&keys::contract_document_number(contract_id), None, None, "contract-number", &claim),
    );
}
