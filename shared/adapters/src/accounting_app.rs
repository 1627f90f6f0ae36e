//! The hand-over to accounting (Comarch ERP XL): export batches of issued settlements with the
//! customers new or changed since their last export, written to the documents bucket as ERP XL
//! XML, CSV and one FA(3) draft per document; and the payment report coming back.
//!
//! A batch is built in steps that can each be repeated: open (one open batch at a time, so a
//! crashed export is continued, never started twice), take the issued settlements (each moves
//! to "exported" with the batch id on condition that it is still issued — a settlement is in
//! exactly one batch), write the files, close. A closed batch is only downloaded again.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Datelike, Utc};
use ewokiss_domain::access::Actor;
use ewokiss_domain::accounting::{
    batch_csv, contractor_code, contractor_fingerprint, contractors_to_export, erpxl_xml, fa3_draft,
    parse_payment_report, DocumentKind, ExportBatchContent, ExportContractor, ExportDocument, ExportDocumentInput,
    ExportLine, RowError, SaleDate, SellerInfo,
};
use ewokiss_domain::errors::{FieldError, ValidationErrors};
use ewokiss_domain::history::UserRef;
use ewokiss_domain::ids::{ExportBatchId, SettlementId, UnitId};
use ewokiss_domain::settlement::{
    BuyerSnapshot, PaymentOutcome, Settlement, SettlementKind, SettlementNumber, SettlementStatus,
};
use ewokiss_domain::time;
use ewokiss_domain::values::{Email, Nip, PostalCode, Regon};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{staff_only, Registry};
use crate::documents::Documents;
use crate::dynamo::settlements as settlement_store;
use crate::dynamo::{item, n, numbering, Expression, Page, Query, StoreError, Transaction};
use crate::http::{ApiError, Message};
use crate::keys;

/// Settlements per batch at most (a larger backlog goes into the next batch).
pub const BATCH_MAX: usize = 2_000;
/// How long a download link works.
const LINK_TTL: Duration = Duration::from_secs(300);
const SERIES: &str = "EXP";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// Settlements are being taken and files written (continued by the next export call).
    Building,
    Ready,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportFile {
    pub name: String,
    pub key: String,
    pub content_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportBatch {
    pub id: ExportBatchId,
    /// `EXP/0007/2027`.
    pub number: String,
    pub status: BatchStatus,
    pub created_at: DateTime<Utc>,
    pub created_by: UserRef,
    #[serde(default)]
    pub documents: u32,
    #[serde(default)]
    pub customers: u32,
    #[serde(default)]
    #[schema(value_type = String)]
    pub total_gross: Decimal,
    #[serde(default)]
    pub files: Vec<ExportFile>,
    /// Issued settlements left for a later batch because their buyer data is incomplete.
    #[serde(default)]
    pub held_back: Vec<HeldBack>,
    pub version: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HeldBack {
    pub settlement_id: SettlementId,
    pub number: Option<String>,
    pub unit_id: UnitId,
    pub pl: String,
    pub en: String,
}

/// What accounting last received of a unit as a customer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErpCustomer {
    unit_id: UnitId,
    code: String,
    fingerprint: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenExport {
    batch_id: ExportBatchId,
}

/// The settlements a batch holds, in the order taken. Appended to in the transactions that mark
/// them exported (each also checks that the batch is still being built), and closing the batch
/// is conditioned on its length: so the files of a closed batch hold exactly its settlements,
/// whatever several exporters at once did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchMembers {
    batch_id: ExportBatchId,
    settlement_ids: Vec<SettlementId>,
}

/// Attempts of one export against other exporters changing the same open batch.
const EXPORT_ATTEMPTS: usize = 5;

/// A payment report as posted: the CSV text from the accounting system.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentImportInput {
    pub csv: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnknownDocument {
    pub line_no: usize,
    pub document_number: String,
}

/// What a payment report changed. Importing the same file again reports everything unchanged.
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentImportReport {
    pub applied: u32,
    pub unchanged: u32,
    /// Older than what is already recorded: ignored.
    pub stale: u32,
    /// Rows naming no settlement of ours: reported, not dropped.
    pub unknown: Vec<UnknownDocument>,
    /// Rows that could not be read or applied, with the reason.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<RowError>,
}

/// The association as the seller on FA(3) drafts (environment `SELLER_*`, defaults: the demo).
pub fn seller_from_env() -> SellerInfo {
    let var =
        |name: &str, default: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty()).unwrap_or(default.into());
    SellerInfo {
        nip: Nip::parse(&var("SELLER_NIP", "7781423560")).unwrap_or_else(|_| Nip::parse("7781423560").expect("valid")),
        name: var("SELLER_NAME", "Wielkopolski Ośrodek Kształcenia i Studiów Samorządowych"),
        street: var("SELLER_STREET", "ul. Wielka 9"),
        postal_code: PostalCode::parse(&var("SELLER_POSTAL_CODE", "61-775"))
            .unwrap_or_else(|_| PostalCode::parse("61-775").expect("valid")),
        city: var("SELLER_CITY", "Poznań"),
        email: Email::parse(&var("SELLER_EMAIL", "biuro@wokiss.pl")).ok(),
        phone: None,
        bank_account: std::env::var("SELLER_BANK_ACCOUNT").ok().filter(|v| !v.trim().is_empty()),
    }
}

fn missing_buyer_data(settlement: &Settlement, field: &str) -> FieldError {
    let number = settlement.number.map(|n| n.to_string()).unwrap_or_default();
    let name = settlement.buyer.as_ref().map(|b| b.name.clone()).unwrap_or_default();
    FieldError::new(
        format!("settlements.{number}.buyer.{field}"),
        "buyer_incomplete",
        format!("Rozliczenie {number}: brak danych nabywcy „{name}” ({field}) — uzupełnij dane jednostki i wystaw korektę danych."),
        format!("Settlement {number}: the buyer \"{name}\" lacks {field} — complete the unit's data."),
    )
}

fn customer(settlement: &Settlement, buyer: &BuyerSnapshot, code: &str) -> Result<ExportContractor, FieldError> {
    let required = |value: &Option<String>, field: &str| {
        value.clone().filter(|v| !v.trim().is_empty()).ok_or_else(|| missing_buyer_data(settlement, field))
    };
    let postal = required(&buyer.postal_code, "postalCode")?;
    Ok(ExportContractor {
        unit_id: buyer.unit_id,
        code: code.to_owned(),
        name: buyer.name.clone(),
        nip: buyer.nip.as_deref().and_then(|nip| Nip::parse(nip).ok()),
        regon: buyer.regon.as_deref().and_then(|regon| Regon::parse(regon).ok()),
        street: required(&buyer.street, "street")?,
        postal_code: PostalCode::parse(&postal).map_err(|_| missing_buyer_data(settlement, "postalCode"))?,
        city: required(&buyer.city, "city")?,
        country: "PL".into(),
        email: None,
    })
}

/// Whether the buyer copied onto the settlement has what an invoice needs.
fn buyer_complete(settlement: &Settlement) -> Result<(), FieldError> {
    let buyer = settlement.buyer.as_ref().ok_or_else(|| missing_buyer_data(settlement, "name"))?;
    customer(settlement, buyer, "check").map(|_| ())
}

/// A settlement as the accounting system receives it.
fn export_document(
    settlement: &Settlement,
    original: Option<&Settlement>,
    code: &str,
) -> Result<ExportDocument, ValidationErrors> {
    let number = settlement.number.map(|n| n.to_string()).unwrap_or_default();
    let buyer =
        settlement.buyer.as_ref().ok_or_else(|| ValidationErrors::from(missing_buyer_data(settlement, "name")))?;
    let buyer = customer(settlement, buyer, code).map_err(ValidationErrors::from)?;
    let from = settlement.lines.iter().map(|l| l.service_from).min().unwrap_or_else(time::today);
    let to = settlement.lines.iter().map(|l| l.service_to).max().unwrap_or(from);
    let sale = if from == to { SaleDate::Day { date: from } } else { SaleDate::Period { from, to } };
    let kind = match &settlement.kind {
        SettlementKind::Regular => DocumentKind::Settlement,
        SettlementKind::Correction { of_number, reason, .. } => DocumentKind::Correction {
            of_number: of_number.to_string(),
            of_issue_date: original.and_then(|o| o.issue_date).unwrap_or(from),
            of_invoice_number: original.and_then(|o| o.invoice_number.clone()),
            of_ksef_number: None,
            reason: reason.clone(),
        },
    };
    let lines = settlement
        .lines
        .iter()
        .map(|line| {
            ExportLine::new(line.description.clone(), Decimal::ONE, line.net, line.vat.clone())
                .with_service_date(line.service_to)
        })
        .collect();
    let issue_date = settlement.issue_date.unwrap_or_else(time::today);
    ExportDocumentInput {
        number,
        kind,
        issue_date,
        sale,
        payment_due: settlement.due_date.unwrap_or(issue_date),
        buyer,
        recipient: None,
        lines,
    }
    .build()
}

fn file_name_part(number: &str) -> String {
    number.replace('/', "-")
}

impl Registry {
    pub async fn export_batches(&self, actor: &Actor, cursor: Option<&str>) -> Result<Page<ExportBatch>, ApiError> {
        staff_only(actor)?;
        Ok(self.table.query(Query::index(keys::GSI1, keys::ALL_EXPORTS).newest_first().page(50, cursor)).await?)
    }

    pub async fn export_batch(&self, actor: &Actor, id: ExportBatchId) -> Result<ExportBatch, ApiError> {
        staff_only(actor)?;
        self.table.get(&keys::export_batch(id)).await?.ok_or(ApiError::NotFound)
    }

    /// A short-lived link to one file of a batch (the batch stays downloadable for ever).
    pub async fn export_file_link(
        &self,
        actor: &Actor,
        documents: &Documents,
        id: ExportBatchId,
        name: &str,
    ) -> Result<String, ApiError> {
        let batch = self.export_batch(actor, id).await?;
        let file = batch.files.iter().find(|f| f.name == name).ok_or(ApiError::NotFound)?;
        documents.download_link(&file.key, &file.name, LINK_TTL).await.map_err(|e| ApiError::Unavailable(e.to_string()))
    }

    /// Exports the issued settlements not yet handed over (continuing an interrupted export
    /// first). Nothing to export and no open batch: 409 `nothing_to_export`. Two exporters at
    /// once build the same batch and both answer with it as closed.
    pub async fn export(
        &self,
        actor: &Actor,
        documents: &Documents,
        seller: &SellerInfo,
    ) -> Result<ExportBatch, ApiError> {
        staff_only(actor)?;
        for _ in 0..EXPORT_ATTEMPTS {
            let batch = match self.table.get_consistent::<OpenExport>(&keys::open_export()).await? {
                Some(open) => {
                    self.table.get_consistent(&keys::export_batch(open.batch_id)).await?.ok_or(ApiError::NotFound)?
                }
                None => {
                    let waiting =
                        settlement_store::settlements_in_status(&self.table, SettlementStatus::Issued, 1, None).await?;
                    if waiting.items.is_empty() {
                        return Err(ApiError::Conflict {
                            code: "nothing_to_export",
                            message: Message {
                                pl: "Nie ma wystawionych rozliczeń do przekazania.".into(),
                                en: "There are no issued settlements to hand over.".into(),
                            },
                        });
                    }
                    self.open_batch(actor).await?
                }
            };
            if batch.status == BatchStatus::Ready {
                return Ok(batch);
            }
            let batch_id = batch.id;
            if let Some(closed) = Box::pin(self.build_batch(batch, documents, seller)).await? {
                return Ok(closed);
            }
            // Another exporter changed or closed it: closed, it is the answer (not a new batch
            // for what is left, which may all be held back).
            let now: Option<ExportBatch> = self.table.get_consistent(&keys::export_batch(batch_id)).await?;
            if let Some(closed) = now.filter(|b| b.status == BatchStatus::Ready) {
                return Ok(closed);
            }
        }
        Err(ApiError::Unavailable("other exports kept changing the open batch".into()))
    }

    /// Takes the waiting settlements into the open batch, writes its files and closes it; None
    /// when another exporter changed or closed the batch meanwhile (the caller looks again).
    async fn build_batch(
        &self,
        mut batch: ExportBatch,
        documents: &Documents,
        seller: &SellerInfo,
    ) -> Result<Option<ExportBatch>, ApiError> {
        let held_back = Box::pin(self.take_settlements(&batch)).await?;
        let members = self.members(batch.id).await?;
        let mut settlements =
            settlement_store::get_settlements_consistent(&self.table, &members.settlement_ids).await?;
        settlements.sort_by_key(|settlement| settlement.number);
        if settlements.is_empty() {
            // Everything waiting is held back: say why; the open batch is used next time.
            let mut errors = ValidationErrors::default();
            for held in held_back {
                let number = held.number.unwrap_or_default();
                errors.push(FieldError::new(format!("settlements.{number}"), "buyer_incomplete", held.pl, held.en));
            }
            return Err(ApiError::Validation(errors));
        }
        let (content, fa3) = self.batch_content(&batch, &settlements, seller).await?;
        // Each attempt writes its own folder: a losing exporter's files never replace the
        // winner's; the closed batch names the files of the attempt that closed it.
        let attempt = uuid::Uuid::new_v4().simple().to_string();
        let folder =
            format!("exports/{}/{}/{}", batch.created_at.year(), file_name_part(&batch.number), &attempt[..12]);
        let mut files = vec![
            ExportFile {
                name: format!("{}.xml", file_name_part(&batch.number)),
                key: format!("{folder}/erpxl.xml"),
                content_type: "application/xml; charset=utf-8".into(),
            },
            ExportFile {
                name: format!("{}.csv", file_name_part(&batch.number)),
                key: format!("{folder}/lines.csv"),
                content_type: "text/csv; charset=utf-8".into(),
            },
        ];
        let write = |key: String, body: String, content_type: &'static str| async move {
            documents.put(&key, body.into_bytes(), content_type).await.map_err(|e| ApiError::Unavailable(e.to_string()))
        };
        write(files[0].key.clone(), erpxl_xml(&content), "application/xml; charset=utf-8").await?;
        write(files[1].key.clone(), batch_csv(&content), "text/csv; charset=utf-8").await?;
        for (number, xml) in fa3 {
            let name = format!("FA3-{}.xml", file_name_part(&number));
            let key = format!("{folder}/fa3/{name}");
            write(key.clone(), xml, "application/xml; charset=utf-8").await?;
            files.push(ExportFile { name, key, content_type: "application/xml; charset=utf-8".into() });
        }
        let before = batch.version;
        batch.status = BatchStatus::Ready;
        batch.documents = content.documents.len() as u32;
        batch.customers = content.contractors.len() as u32;
        batch.total_gross = content.total_gross();
        batch.files = files;
        batch.held_back = held_back;
        batch.version += 1;
        let mut tx = Transaction::default();
        tx.replace_versioned(&self.table, self.batch_item(&batch), before);
        tx.delete(&self.table, &keys::open_export());
        tx.check(
            &self.table,
            "members",
            &keys::export_members(batch.id),
            Expression {
                condition: Some("size(#data.#ids) = :taken".into()),
                names: vec![("#data".into(), "data".into()), ("#ids".into(), "settlementIds".into())],
                values: vec![(":taken".into(), n(members.settlement_ids.len()))],
                ..Expression::default()
            },
        );
        match self.table.transact(tx).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed { .. }) => return Ok(None),
            Err(error) => return Err(error.into()),
        }
        // The customers now known to accounting: only after the batch that carries them is
        // closed (a crash in between sends them again next time, which accounting takes as an
        // update; the other way round one would never be sent).
        for chunk in content.contractors.chunks(25) {
            let mut tx = Transaction::default();
            for contractor in chunk {
                let state = ErpCustomer {
                    unit_id: contractor.unit_id,
                    code: contractor.code.clone(),
                    fingerprint: Some(contractor_fingerprint(contractor)),
                };
                tx.put(&self.table, item(&keys::erp_customer(contractor.unit_id), None, None, "erp_customer", &state));
            }
            self.table.transact(tx).await?;
        }
        Ok(Some(batch))
    }

    async fn members(&self, batch_id: ExportBatchId) -> Result<BatchMembers, ApiError> {
        let members = self.table.get_consistent::<BatchMembers>(&keys::export_members(batch_id)).await?;
        members.ok_or_else(|| ApiError::Unavailable(format!("export batch {batch_id} has no list of settlements")))
    }

    fn batch_item(&self, batch: &ExportBatch) -> crate::dynamo::Item {
        item(
            &keys::export_batch(batch.id),
            Some(&keys::export_in_list(&batch.created_at, batch.id)),
            None,
            "export_batch",
            batch,
        )
    }

    async fn open_batch(&self, actor: &Actor) -> Result<ExportBatch, ApiError> {
        for _ in 0..10 {
            let year = time::today().year();
            let last = numbering::last_number(&self.table, SERIES, year).await?;
            let batch = ExportBatch {
                id: ExportBatchId::generate(),
                number: format!("{SERIES}/{:04}/{year}", last + 1),
                status: BatchStatus::Building,
                created_at: Utc::now(),
                created_by: actor.as_user_ref(),
                documents: 0,
                customers: 0,
                total_gross: Decimal::ZERO,
                files: Vec::new(),
                held_back: Vec::new(),
                version: 1,
            };
            let mut tx = Transaction::default();
            tx.create(
                &self.table,
                "open_export",
                item(&keys::open_export(), None, None, "open_export", &OpenExport { batch_id: batch.id }),
            );
            tx.create(&self.table, "batch", self.batch_item(&batch));
            tx.create(
                &self.table,
                "batch",
                item(
                    &keys::export_members(batch.id),
                    None,
                    None,
                    "export_members",
                    &BatchMembers { batch_id: batch.id, settlement_ids: Vec::new() },
                ),
            );
            numbering::take_numbers(&mut tx, &self.table, SERIES, year, last, 1);
            match self.table.transact(tx).await {
                Ok(()) => return Ok(batch),
                // Another export opened one meanwhile: continue that one.
                Err(StoreError::ConditionFailed { label: "open_export" }) => {
                    let open: OpenExport = self.table.get(&keys::open_export()).await?.ok_or(ApiError::NotFound)?;
                    return self.table.get(&keys::export_batch(open.batch_id)).await?.ok_or(ApiError::NotFound);
                }
                Err(error) if numbering::lost_the_counter(&error) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(ApiError::Unavailable("the export counter is busy".into()))
    }

    /// Moves issued settlements into the batch, up to 25 per transaction (each also appends
    /// them to the batch's list and checks that the batch is still being built), until none is
    /// left, the batch is full, or another exporter closed it. One whose buyer lacks address
    /// data stays issued and is reported (the unit's data must be completed first); one changed
    /// meanwhile is read again next time.
    async fn take_settlements(&self, batch: &ExportBatch) -> Result<Vec<HeldBack>, ApiError> {
        let mut taken = self.members(batch.id).await?.settlement_ids.len();
        let mut held_back = Vec::new();
        let mut cursor: Option<String> = None;
        while taken < BATCH_MAX {
            let page =
                settlement_store::settlements_in_status(&self.table, SettlementStatus::Issued, 25, cursor.as_deref())
                    .await?;
            let mut tx = Transaction::default();
            let mut ids = Vec::new();
            for settlement in page.items.iter().take(BATCH_MAX - taken) {
                if let Err(problem) = buyer_complete(settlement) {
                    held_back.push(HeldBack {
                        settlement_id: settlement.id,
                        number: settlement.number.map(|n| n.to_string()),
                        unit_id: settlement.unit_id,
                        pl: problem.pl,
                        en: problem.en,
                    });
                    continue;
                }
                let exported = settlement.mark_exported(batch.id).map_err(|e| ApiError::field(e.field_error()))?;
                settlement_store::add_replace_settlement(&mut tx, &self.table, &exported, settlement.version);
                ids.push(settlement.id);
            }
            if !ids.is_empty() {
                self.add_members(&mut tx, batch.id, &ids);
            }
            match self.table.transact(tx).await {
                Ok(()) => taken += ids.len(),
                // Closed by another exporter: what is left waits for the next batch.
                Err(StoreError::ConditionFailed { label: "batch_building" }) => break,
                Err(StoreError::ConditionFailed { .. }) => {}
                Err(error) => return Err(error.into()),
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok(held_back)
    }

    fn add_members(&self, tx: &mut Transaction, batch_id: ExportBatchId, ids: &[SettlementId]) {
        let listed = serde_dynamo::to_attribute_value(ids).expect("settlement ids serialise");
        tx.check(
            &self.table,
            "batch_building",
            &keys::export_batch(batch_id),
            Expression {
                condition: Some("#data.#status = :building".into()),
                names: vec![("#data".into(), "data".into()), ("#status".into(), "status".into())],
                values: vec![(
                    ":building".into(),
                    serde_dynamo::to_attribute_value(BatchStatus::Building).expect("a status serialises"),
                )],
                ..Expression::default()
            },
        );
        tx.update(
            &self.table,
            "members",
            &keys::export_members(batch_id),
            Expression {
                update: "SET #data.#ids = list_append(#data.#ids, :taken)".into(),
                names: vec![("#data".into(), "data".into()), ("#ids".into(), "settlementIds".into())],
                values: vec![(":taken".into(), listed)],
                ..Expression::default()
            },
        );
    }

    /// The batch's documents and its new or changed customers; and each document's FA(3) draft.
    async fn batch_content(
        &self,
        batch: &ExportBatch,
        settlements: &[Settlement],
        seller: &SellerInfo,
    ) -> Result<(ExportBatchContent, Vec<(String, String)>), ApiError> {
        let unit_ids: BTreeSet<UnitId> = settlements.iter().map(|s| s.unit_id).collect();
        let mut known: BTreeMap<UnitId, ErpCustomer> = BTreeMap::new();
        let customer_keys: Vec<keys::Key> = unit_ids.iter().map(|id| keys::erp_customer(*id)).collect();
        for chunk in customer_keys.chunks(100) {
            for found in self.table.get_many(chunk).await? {
                let state: ErpCustomer = crate::dynamo::decode(&found)?;
                known.insert(state.unit_id, state);
            }
        }
        let missing: Vec<UnitId> = unit_ids.iter().filter(|id| !known.contains_key(id)).copied().collect();
        for unit_id in missing {
            let unit = crate::dynamo::registry::get_unit(&self.table, unit_id).await?;
            let code = contractor_code(unit_id, unit.as_ref().and_then(|u| u.teryt.as_ref()));
            known.insert(unit_id, ErpCustomer { unit_id, code, fingerprint: None });
        }
        let originals: Vec<SettlementId> = settlements
            .iter()
            .filter_map(|s| match &s.kind {
                SettlementKind::Correction { of, .. } => Some(*of),
                SettlementKind::Regular => None,
            })
            .collect();
        let originals: BTreeMap<SettlementId, Settlement> =
            settlement_store::get_settlements(&self.table, &originals).await?.into_iter().map(|s| (s.id, s)).collect();
        let mut errors = ValidationErrors::default();
        let mut documents = Vec::new();
        for settlement in settlements {
            let original = match &settlement.kind {
                SettlementKind::Correction { of, .. } => originals.get(of),
                SettlementKind::Regular => None,
            };
            match export_document(settlement, original, &known[&settlement.unit_id].code) {
                Ok(document) => documents.push(document),
                Err(problems) => problems.0.into_iter().for_each(|e| errors.push(e)),
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let last_exported: BTreeMap<String, String> =
            known.values().filter_map(|c| c.fingerprint.as_ref().map(|f| (c.code.clone(), f.clone()))).collect();
        let contractors = contractors_to_export(&documents, &last_exported);
        let fa3 = documents.iter().map(|d| (d.number.clone(), fa3_draft(d, seller))).collect();
        let content = ExportBatchContent {
            batch_number: batch.number.clone(),
            created_at: batch.created_at,
            contractors,
            documents,
        };
        Ok((content, fa3))
    }

    /// Applies a payment report from accounting (cumulative amount paid per document as of a
    /// day, with the invoice number it gave). Idempotent: the same file again changes nothing.
    pub async fn import_payments(
        &self,
        actor: &Actor,
        input: PaymentImportInput,
    ) -> Result<PaymentImportReport, ApiError> {
        staff_only(actor)?;
        let csv =
            input.csv.filter(|c| !c.trim().is_empty()).ok_or_else(|| ApiError::field(FieldError::required("csv")))?;
        let (rows, errors) = parse_payment_report(csv.as_bytes());
        let mut report = PaymentImportReport { errors, ..Default::default() };
        for row in rows {
            let row_error = |message_pl: String, message_en: String| RowError {
                line_no: row.line_no,
                field: "row".into(),
                message_pl,
                message_en,
            };
            let id = match SettlementNumber::parse(&row.document_number) {
                Ok(number) => settlement_store::settlement_id_by_number(&self.table, &number).await?,
                Err(_) => None,
            };
            let Some(id) = id else {
                report
                    .unknown
                    .push(UnknownDocument { line_no: row.line_no, document_number: row.document_number.clone() });
                continue;
            };
            let mut outcome = None;
            for _ in 0..5 {
                let current = settlement_store::get_settlement(&self.table, id).await?.ok_or(ApiError::NotFound)?;
                let invoiced = match current.record_invoice(&row.invoice_number) {
                    Ok(invoiced) => invoiced,
                    Err(error) => {
                        let e = error.field_error();
                        report.errors.push(row_error(e.pl, e.en));
                        break;
                    }
                };
                let (paid, result) = match invoiced.apply_payment_status(row.amount_paid_total, row.paid_on) {
                    Ok(applied) => applied,
                    Err(error) => {
                        let e = error.field_error();
                        report.errors.push(row_error(e.pl, e.en));
                        break;
                    }
                };
                if paid == current {
                    outcome = Some(result);
                    break;
                }
                let mut tx = Transaction::default();
                settlement_store::add_replace_settlement(&mut tx, &self.table, &paid, current.version);
                match self.table.transact(tx).await {
                    Ok(()) => {
                        outcome = Some(
                            if paid.invoice_number != current.invoice_number && result != PaymentOutcome::Applied {
                                PaymentOutcome::Applied
                            } else {
                                result
                            },
                        );
                        break;
                    }
                    Err(StoreError::ConditionFailed { .. }) => continue,
                    Err(error) => return Err(error.into()),
                }
            }
            match outcome {
                Some(PaymentOutcome::Applied) => report.applied += 1,
                Some(PaymentOutcome::Unchanged) => report.unchanged += 1,
                Some(PaymentOutcome::Stale) => report.stale += 1,
                None => {}
            }
        }
        Ok(report)
    }
}
