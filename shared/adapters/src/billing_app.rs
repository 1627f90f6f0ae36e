//! Billing use cases: long-term contracts and their monthly run, settlements of completed
//! trainings per unit, and issuing settlements with gapless numbers.
//!
//! Every write is keyed by what it bills (a contract period's charge, a line's claim, a number
//! claim) and conditioned on what was read, so a use case run twice, or two runs at once,
//! leave the state of one run; a run stopped half way is finished by the next.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Utc};
use ewokiss_domain::access::Actor;
use ewokiss_domain::contract::{
    charges_due, next_due_date, BilledPeriod, ChargeKind, Contract, ContractChangeInput, ContractCharge, ContractInput,
};
use ewokiss_domain::errors::{FieldError, ValidationErrors};
use ewokiss_domain::ids::{ContractId, SettlementId, TrainingId, UnitId};
use ewokiss_domain::settlement::{
    exclude_settled, plan_settlements, select, BuyerSnapshot, ContractLineInput, CorrectionChange, LineCandidate,
    Receivables, Selection, Series, Settlement, SettlementDraft, SettlementKind, SettlementNumber, SettlementStatus,
};
use ewokiss_domain::time;
use ewokiss_domain::training::{Phase, Training};
use ewokiss_domain::unit::Unit;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{staff_only, Registry};
use crate::dynamo::contracts as contract_store;
use crate::dynamo::settlements as settlement_store;
use crate::dynamo::trainings as training_store;
use crate::dynamo::{numbering, Page, StoreError, Transaction};
use crate::http::{ApiError, Message};
use crate::keys;

/// Days from the issue date to the payment due date.
pub const PAYMENT_TERM_DAYS: u32 = 14;
/// Lines of one settlement at most: its lines' claims are written in one transaction with it
/// (DynamoDB: 100 items). A unit with more pending lines gets several settlements.
pub const LINES_PER_SETTLEMENT: usize = 98;
/// Drafts issued per transaction: counter + documents (a correction also links its original:
/// two actions, so half as many), within DynamoDB's 100 actions.
const ISSUE_BATCH: usize = 99;
/// How long an issuer that found no drafts left waits before it looks again (the drafts'
/// index is updated shortly after the write; DynamoDB's GSIs typically within a second).
const INDEX_SETTLING: std::time::Duration = std::time::Duration::from_millis(300);
/// Actions of one TransactWriteItems call at most (DynamoDB's limit).
const TRANSACTION_ACTIONS: usize = 100;

// ---- views and inputs ------------------------------------------------------------------------

/// A contract with what is billed of it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractView {
    pub contract: Contract,
    pub unit_name: Option<String>,
    pub billed: Vec<BilledPeriod>,
    pub charges: Vec<ChargeView>,
    /// When the next charge falls due (absent: nothing will unless the contract changes).
    pub next_due: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChargeView {
    #[serde(flatten)]
    pub charge: ContractCharge,
    pub settlement_id: SettlementId,
}

/// What a billing run up to `asOf` bills (nothing is written by the preview).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BillingPreview {
    pub as_of: NaiveDate,
    /// Contracts with something due.
    pub contracts: u32,
    pub charges: Vec<ChargePreview>,
    #[schema(value_type = String)]
    pub total_net: rust_decimal::Decimal,
    /// The charges' totals per VAT treatment, rounded as their settlements will be.
    pub totals: ewokiss_domain::settlement::Totals,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChargePreview {
    #[serde(flatten)]
    pub charge: ContractCharge,
    pub subject: String,
    pub unit_name: Option<String>,
}

/// Contracts per message of the billing run's fan-out: one BatchGetItem (100 keys at most)
/// reads them all, and a contract owing one regular period takes 3 actions, so 99 of them fill
/// three transactions of 99 actions exactly (100 would need a fourth for the last one).
pub const CHUNK_SIZE: usize = 99;
/// Contracts of a chunk billed concurrently.
const CONTRACTS_AT_ONCE: usize = 8;

/// One message of the billing run: contracts to bill up to `asOf`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingChunk {
    pub as_of: NaiveDate,
    pub contract_ids: Vec<ContractId>,
}

/// A run handed to the billing function.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunQueued {
    pub as_of: NaiveDate,
    pub contracts: u32,
    pub chunks: u32,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChunkReport {
    pub charges_created: u32,
    pub settlements_created: u32,
    pub settlements_issued: u32,
    /// Contracts that failed (to be retried with the chunk).
    pub failed: Vec<ContractId>,
}

/// What one contract's billing wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BillOutcome {
    pub charges_created: u32,
    pub settlements_created: u32,
}

/// What staff settle: one training, one unit, or trainings completed in a period (`from`–`to`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettleInput {
    pub training_id: Option<String>,
    pub unit_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DraftView {
    #[serde(flatten)]
    pub draft: SettlementDraft,
    pub unit_name: Option<String>,
}

/// The settlements a selection would produce, one per unit (nothing is written).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettlementPreview {
    pub drafts: Vec<DraftView>,
    /// All drafts together (the sum of their totals: VAT is rounded per line).
    pub totals: ewokiss_domain::settlement::Totals,
    /// Trainings whose lines this settles completely (they move to "settled").
    pub trainings_completed: Vec<TrainingId>,
}

/// A settlement as the APIs show it: the document with its totals per VAT and payment status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettlementView {
    #[serde(flatten)]
    pub settlement: Settlement,
    pub totals: ewokiss_domain::settlement::Totals,
    pub payment_status: ewokiss_domain::settlement::PaymentStatus,
}

impl From<Settlement> for SettlementView {
    fn from(settlement: Settlement) -> Self {
        Self { totals: settlement.totals(), payment_status: settlement.payment_status(), settlement }
    }
}

fn views(settlements: Vec<Settlement>) -> Vec<SettlementView> {
    settlements.into_iter().map(SettlementView::from).collect()
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettleReport {
    pub settlements: Vec<SettlementView>,
    pub trainings_settled: Vec<TrainingId>,
}

/// Staff waive (or charge again) a no-show's or a late cancellation's fee before it is settled.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WaiveInput {
    pub waived: Option<bool>,
}

/// A correction of an issued settlement: credit lines in full (`cancel`) or change their net
/// (`amend`), with the reason printed on the correction.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CorrectionInput {
    #[serde(default)]
    pub changes: Vec<CorrectionChange>,
    pub reason: Option<String>,
}

/// A unit's settlements and what it owes.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitSettlements {
    pub settlements: Vec<SettlementView>,
    pub receivables: Receivables,
}

// ---- errors ----------------------------------------------------------------------------------

fn settlement_rule(error: ewokiss_domain::settlement::SettlementError) -> ApiError {
    ApiError::field(error.field_error())
}

fn invalid_date(field: &str) -> FieldError {
    FieldError::new(field, "invalid_date", "Nieprawidłowa data (RRRR-MM-DD).", "Invalid date (YYYY-MM-DD).")
}

pub fn parse_day(field: &str, raw: Option<&str>) -> Result<NaiveDate, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Err(FieldError::required(field)),
        Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| invalid_date(field)),
    }
}

pub fn contract_id(raw: &str) -> Result<ContractId, ApiError> {
    ContractId::parse(raw).map_err(|_| ApiError::NotFound)
}

pub fn settlement_id(raw: &str) -> Result<SettlementId, ApiError> {
    SettlementId::parse(raw).map_err(|_| ApiError::NotFound)
}

fn not_found_unit() -> ApiError {
    ApiError::field(FieldError::new("unitId", "unknown_unit", "Nie ma takiej jednostki.", "No such unit."))
}

/// A transaction lost a race with another writer of the same items: read again and retry.
fn raced(error: &StoreError) -> bool {
    matches!(error, StoreError::ConditionFailed { .. })
}

const RETRIES: usize = 8;

// ---- reads shared by the use cases -----------------------------------------------------------

async fn units_by_id(
    table: &crate::dynamo::Table,
    ids: &BTreeSet<UnitId>,
) -> Result<HashMap<UnitId, Unit>, StoreError> {
    let ids: Vec<UnitId> = ids.iter().copied().collect();
    let mut units = HashMap::new();
    for chunk in ids.chunks(100) {
        let keys: Vec<keys::Key> = chunk.iter().map(|id| keys::unit(*id)).collect();
        for item in table.get_many(&keys).await? {
            let unit: Unit = crate::dynamo::decode(&item)?;
            units.insert(unit.id, unit);
        }
    }
    Ok(units)
}

/// What is due of a contract, grouped by period (oldest first): one billing write each.
fn due_by_period(contract: &Contract, billed: &[BilledPeriod], as_of: NaiveDate) -> Vec<Vec<ContractCharge>> {
    let mut by_period: BTreeMap<String, Vec<ContractCharge>> = BTreeMap::new();
    for charge in charges_due(contract, billed, as_of) {
        by_period.entry(charge.period.key()).or_default().push(charge);
    }
    by_period.into_values().collect()
}

fn contract_line(contract: &Contract, charge: &ContractCharge) -> Result<LineCandidate, StoreError> {
    LineCandidate::from_contract(ContractLineInput {
        contract_id: contract.id,
        unit_id: contract.unit_id,
        subject: contract.subject.clone(),
        period_key: charge.period.key(),
        period_start: charge.period.start,
        period_end: charge.period.end,
        sequence: charge.sequence,
        description: charge.description.clone(),
        net: charge.net,
        vat: charge.vat.clone(),
    })
    .map_err(|error| StoreError::Decode(format!("contract charge {}: {}", charge.charge_key(), error.en)))
}

impl Registry {
    // ---- contracts ---------------------------------------------------------------------------

    pub async fn create_contract(&self, actor: &Actor, input: ContractInput) -> Result<ContractView, ApiError> {
        staff_only(actor)?;
        let contract = input.parse(&actor.as_user_ref(), Utc::now())?;
        let unit =
            crate::dynamo::registry::get_unit(&self.table, contract.unit_id).await?.ok_or_else(not_found_unit)?;
        contract_store::create_contract(&self.table, &contract).await?;
        Ok(ContractView {
            next_due: next_due_date(&contract, &[]),
            contract,
            unit_name: Some(unit.name),
            billed: Vec::new(),
            charges: Vec::new(),
        })
    }

    pub async fn contract_view(&self, actor: &Actor, id: ContractId) -> Result<ContractView, ApiError> {
        staff_only(actor)?;
        let (contract, ledger) =
            contract_store::get_contract_with_ledger(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        let (charges, unit) = tokio::try_join!(
            contract_store::charges_of_contract(&self.table, id),
            crate::dynamo::registry::get_unit(&self.table, contract.unit_id),
        )?;
        let billed = ledger.periods;
        Ok(ContractView {
            next_due: next_due_date(&contract, &billed),
            unit_name: unit.map(|u| u.name),
            charges: charges
                .into_iter()
                .map(|stored| ChargeView { charge: stored.charge, settlement_id: stored.settlement_id })
                .collect(),
            billed,
            contract,
        })
    }

    pub async fn contracts(
        &self,
        actor: &Actor,
        unit: Option<UnitId>,
        cursor: Option<&str>,
    ) -> Result<Page<Contract>, ApiError> {
        staff_only(actor)?;
        Ok(match unit {
            Some(unit_id) => Page { items: contract_store::contracts_of_unit(&self.table, unit_id).await?, next: None },
            None => contract_store::list_contracts(&self.table, 100, cursor).await?,
        })
    }

    pub async fn change_contract(
        &self,
        actor: &Actor,
        id: ContractId,
        input: ContractChangeInput,
    ) -> Result<ContractView, ApiError> {
        staff_only(actor)?;
        let mut read_version = input.version;
        for _ in 0..RETRIES {
            let (current, ledger) =
                contract_store::get_contract_with_ledger(&self.table, id).await?.ok_or(ApiError::NotFound)?;
            // Changed by someone else since the form (or since our first read) was filled.
            if read_version.is_some_and(|version| version != current.version) {
                return Err(ApiError::stale_version());
            }
            read_version = Some(current.version);
            let next = input.clone().apply(&current, &actor.as_user_ref(), Utc::now())?;
            match contract_store::replace_contract(&self.table, &next, current.version, &ledger).await {
                Ok(()) => return self.contract_view(actor, id).await,
                // A billing (or another change) came in between: read again and see which.
                Err(error) if raced(&error) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(ApiError::Unavailable(format!("contract {id}: too many concurrent changes")))
    }

    // ---- the monthly run -----------------------------------------------------------------------

    /// The contracts with something due on or before `as_of`, from the due index (no scan).
    pub async fn due_contract_ids(&self, as_of: NaiveDate) -> Result<Vec<ContractId>, StoreError> {
        let shards = (0..keys::DUE_SHARDS).map(|shard| async move {
            let mut ids = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = contract_store::due_contracts(&self.table, shard, as_of, cursor.as_deref()).await?;
                ids.extend(page.items);
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => return Ok::<_, StoreError>(ids),
                }
            }
        });
        let mut all = Vec::new();
        for ids in futures_util::future::join_all(shards).await {
            all.extend(ids?);
        }
        Ok(all)
    }

    /// The run's fan-out: the contracts due on or before `as_of`, in chunks of [`CHUNK_SIZE`].
    pub async fn plan_billing(&self, as_of: NaiveDate) -> Result<Vec<BillingChunk>, StoreError> {
        let ids = self.due_contract_ids(as_of).await?;
        Ok(ids.chunks(CHUNK_SIZE).map(|ids| BillingChunk { as_of, contract_ids: ids.to_vec() }).collect())
    }

    /// Bills the contracts of one chunk, then issues the new settlements. The chunk's contracts
    /// are read with their ledgers in one call; those owing one regular period (the monthly
    /// case) are billed together, up to 100 writes per transaction; the rest (several periods,
    /// corrections) and any contract of a bundle that failed — a concurrent run, a change of the
    /// contract — one by one as [`Self::bill_contract`] does. Contracts that failed are named in
    /// the report; the chunk is safe to process again.
    pub async fn bill_chunk(&self, chunk: &BillingChunk) -> Result<ChunkReport, StoreError> {
        use futures_util::StreamExt;
        let mut report = ChunkReport::default();
        let loaded = contract_store::contracts_with_ledgers(&self.table, &chunk.contract_ids).await?;
        let mut one_by_one = Vec::new();
        let mut bundles: Vec<(Transaction, Vec<(ContractId, u32)>)> = Vec::new();
        let mut bundle = (Transaction::default(), Vec::new());
        for (contract, ledger) in &loaded {
            let mut periods = due_by_period(contract, &ledger.periods, chunk.as_of);
            let single_regular =
                periods.len() == 1 && periods[0].iter().all(|charge| charge.kind == ChargeKind::Regular);
            if !single_regular {
                if !periods.is_empty() {
                    one_by_one.push(contract.id);
                }
                continue;
            }
            let charges = periods.remove(0);
            match self.period_writes(contract, ledger, &charges).await {
                Ok((tx, _)) => {
                    if bundle.0.len() + tx.len() > TRANSACTION_ACTIONS {
                        bundles.push(std::mem::take(&mut bundle));
                    }
                    bundle.0.append(tx);
                    bundle.1.push((contract.id, charges.len() as u32));
                }
                Err(_) => one_by_one.push(contract.id),
            }
        }
        if !bundle.1.is_empty() {
            bundles.push(bundle);
        }
        for (tx, billed) in bundles {
            match self.table.transact(tx).await {
                Ok(()) => {
                    for (_, charges) in &billed {
                        report.charges_created += charges;
                        report.settlements_created += 1;
                    }
                }
                Err(error) => {
                    // Someone got to one of them first; each is read again and billed alone.
                    tracing::info!(%error, contracts = billed.len(), "bundle not written; billing one by one");
                    one_by_one.extend(billed.into_iter().map(|(id, _)| id));
                }
            }
        }
        let results: Vec<(ContractId, Result<BillOutcome, StoreError>)> = futures_util::stream::iter(&one_by_one)
            .map(|id| async move { (*id, Box::pin(self.bill_contract(*id, chunk.as_of)).await) })
            .buffer_unordered(CONTRACTS_AT_ONCE)
            .collect()
            .await;
        for (id, result) in results {
            match result {
                Ok(outcome) => {
                    report.charges_created += outcome.charges_created;
                    report.settlements_created += outcome.settlements_created;
                }
                Err(error) => {
                    tracing::error!(contract = %id, %error, "contract not billed; the chunk will be retried");
                    report.failed.push(id);
                }
            }
        }
        report.settlements_issued = Box::pin(self.issue_drafts(time::today())).await?;
        Ok(report)
    }

    /// Queues the run up to `as_of`: one message per chunk of due contracts (the billing
    /// function bills them). Repeatable: a chunk queued twice bills nothing twice.
    #[cfg(feature = "sqs")]
    pub async fn queue_billing_run(
        &self,
        queue: &crate::queue::Queue,
        as_of: NaiveDate,
    ) -> Result<RunQueued, ApiError> {
        let chunks = self.plan_billing(as_of).await?;
        let bodies: Vec<String> =
            chunks.iter().map(|chunk| serde_json::to_string(chunk).expect("a chunk serialises")).collect();
        queue.send_all(&bodies).await.map_err(|e| ApiError::Unavailable(e.to_string()))?;
        let contracts = chunks.iter().map(|chunk| chunk.contract_ids.len() as u32).sum();
        Ok(RunQueued { as_of, contracts, chunks: chunks.len() as u32 })
    }

    pub async fn billing_preview(&self, actor: &Actor, as_of: NaiveDate) -> Result<BillingPreview, ApiError> {
        staff_only(actor)?;
        let ids = self.due_contract_ids(as_of).await?;
        // The contracts with their ledgers, 100 a call.
        let loaded = contract_store::contracts_with_ledgers(&self.table, &ids).await?;
        let mut charges = Vec::new();
        let mut unit_ids = BTreeSet::new();
        let mut contracts = 0;
        for (contract, ledger) in loaded {
            let due = charges_due(&contract, &ledger.periods, as_of);
            if !due.is_empty() {
                contracts += 1;
                unit_ids.insert(contract.unit_id);
            }
            charges.extend(due.into_iter().map(|charge| (contract.subject.clone(), charge)));
        }
        charges.sort_by_key(|(_, c)| (c.due_on, c.contract_id, c.period.start, c.sequence));
        let units = units_by_id(&self.table, &unit_ids).await?;
        let total_net = charges.iter().map(|(_, charge)| charge.net).sum();
        let totals = ewokiss_domain::settlement::Totals::of_amounts(charges.iter().map(|(_, c)| (c.net, &c.vat)));
        Ok(BillingPreview {
            as_of,
            contracts,
            total_net,
            totals,
            charges: charges
                .into_iter()
                .map(|(subject, charge)| ChargePreview {
                    unit_name: units.get(&charge.unit_id).map(|u| u.name.clone()),
                    subject,
                    charge,
                })
                .collect(),
        })
    }

    /// Bills everything of one contract due on or before `as_of`: per period one transaction
    /// with the charges, their settlement (a new one for a period's first billing, a correction
    /// of the period's settlement afterwards) and the contract's ledger and due-index entry.
    /// Nothing due: nothing is written (the index is already right, as every billing and every
    /// change of the contract sets it). Safe to repeat and to run concurrently with itself:
    /// 1 read + 1 write per period.
    pub async fn bill_contract(&self, id: ContractId, as_of: NaiveDate) -> Result<BillOutcome, StoreError> {
        let mut outcome = BillOutcome::default();
        'attempt: for _ in 0..RETRIES {
            let Some((contract, mut ledger)) = contract_store::get_contract_with_ledger(&self.table, id).await? else {
                return Ok(outcome);
            };
            for charges in due_by_period(&contract, &ledger.periods, as_of) {
                let written = match Box::pin(self.period_writes(&contract, &ledger, &charges)).await {
                    Ok((tx, written)) => self.table.transact(tx).await.map(|()| written),
                    Err(error) => Err(error),
                };
                match written {
                    Ok(written) => {
                        ledger = written;
                        outcome.charges_created += charges.len() as u32;
                        outcome.settlements_created += 1;
                    }
                    // Another run (or a change of the contract) got there first: read again.
                    Err(error) if raced(&error) => continue 'attempt,
                    Err(error) => return Err(error),
                }
            }
            return Ok(outcome);
        }
        Err(StoreError::Backend(format!("contract {id}: too many concurrent changes")))
    }

    /// One period's writes: regular charges make a new settlement; corrections a correction of
    /// the settlement that first billed the period. Returns them with the ledger they leave.
    async fn period_writes(
        &self,
        contract: &Contract,
        ledger: &contract_store::Ledger,
        charges: &[ContractCharge],
    ) -> Result<(Transaction, contract_store::Ledger), StoreError> {
        let mut after = ledger.periods.clone();
        BilledPeriod::record_all(&mut after, charges);
        let now = Utc::now();
        let document = if charges.iter().all(|c| c.kind == ChargeKind::Regular) {
            let lines = charges.iter().map(|c| contract_line(contract, c)).collect::<Result<Vec<_>, _>>()?;
            Settlement::draft(contract.unit_id, lines, now)
                .map_err(|e| StoreError::Decode(format!("contract {}: {e}", contract.id)))?
        } else {
            Box::pin(self.contract_correction(contract, charges, now)).await?
        };
        let mut tx = Transaction::default();
        let written =
            contract_store::add_period_charges(&mut tx, &self.table, contract, ledger, after, charges, document.id);
        settlement_store::add_new_settlement(&mut tx, &self.table, &document);
        Ok((tx, written))
    }

    /// A correction document for a period's later charges, against the period's first
    /// settlement: each charge changes the line of the same VAT treatment (or, when the VAT
    /// changed, the period's first line to that treatment).
    async fn contract_correction(
        &self,
        contract: &Contract,
        charges: &[ContractCharge],
        now: chrono::DateTime<Utc>,
    ) -> Result<Settlement, StoreError> {
        let period_key = charges[0].period.key();
        let stored = contract_store::charges_of_contract(&self.table, contract.id).await?;
        let first = stored
            .iter()
            .find(|s| s.charge.period.key() == period_key && s.charge.kind == ChargeKind::Regular)
            .ok_or_else(|| StoreError::Decode(format!("contract {}: {period_key} has no first charge", contract.id)))?;
        let original = settlement_store::get_settlement(&self.table, first.settlement_id)
            .await?
            .ok_or_else(|| StoreError::Decode(format!("settlement {} is missing", first.settlement_id)))?;
        if original.status == SettlementStatus::Draft {
            // Issue it first (the next issuing pass does); until then the period waits.
            return Err(StoreError::ConditionFailed { label: "original_not_issued" });
        }
        let earlier = settlement_store::get_settlements(&self.table, &original.corrected_by).await?;
        let mut changes = Vec::new();
        for charge in charges {
            let same_vat = original.lines.iter().find(|line| line.vat == charge.vat);
            let line = same_vat.or_else(|| original.lines.first()).expect("a settlement has lines");
            let line_key = line.line_key();
            let current: rust_decimal::Decimal = std::iter::once(line.net)
                .chain(
                    earlier
                        .iter()
                        .flat_map(|s| s.lines.iter())
                        .filter(|l| l.corrects.as_deref() == Some(line_key.as_str()) && l.vat == charge.vat)
                        .map(|l| l.net),
                )
                .sum();
            let target = if same_vat.is_some() { current + charge.net } else { charge.net };
            changes.push(CorrectionChange::Amend {
                line_key,
                net: target.max(rust_decimal::Decimal::ZERO),
                vat: Some(charge.vat.clone()),
            });
        }
        let reason = format!("Zmiana umowy „{}” — {}", contract.subject, charges[0].period.label_pl());
        Settlement::correction(&original, &earlier, &changes, &reason, now)
            .map_err(|e| StoreError::Decode(format!("contract {} correction: {e}", contract.id)))
    }

    // ---- issuing -------------------------------------------------------------------------------

    /// Issues the drafts, for a caller that answers with these settlements numbered: when a
    /// concurrent issuer holds the counter, waits for it to issue them (or issues them itself
    /// once the counter is free). Left as drafts after that (an issuer that crashed meanwhile),
    /// the next billing run or settlement issues them.
    pub(crate) async fn issue_these(&self, ids: &[SettlementId]) -> Result<(), StoreError> {
        for attempt in 1..=RETRIES as u64 {
            Box::pin(self.issue_drafts(time::today())).await?;
            let now = settlement_store::get_settlements_consistent(&self.table, ids).await?;
            if now.iter().all(|settlement| settlement.status != SettlementStatus::Draft) {
                return Ok(());
            }
            let jitter = (uuid::Uuid::new_v4().as_u128() % 25) as u64;
            tokio::time::sleep(std::time::Duration::from_millis(50 * attempt + jitter)).await;
        }
        Ok(())
    }

    /// Issues every draft (oldest first) with the next numbers of its series, `today` being the
    /// issue date; corrections are linked to their originals in the same transaction. Returns
    /// how many this call issued. Concurrent issuers (every billing chunk ends by issuing): one
    /// that loses the race for the counter leaves at once — the winner committed after this
    /// caller's drafts were written and reads the drafts again after every batch until none is
    /// left, so it issues them. The index of drafts lags behind writes (a GSI), so an issuer
    /// that found none left looks once more after a moment before it stops.
    pub async fn issue_drafts(&self, today: NaiveDate) -> Result<u32, StoreError> {
        let mut issued = 0;
        let mut looked_again = false;
        loop {
            let page =
                settlement_store::settlements_in_status(&self.table, SettlementStatus::Draft, ISSUE_BATCH as i32, None)
                    .await?;
            let Some(first) = page.items.first() else {
                if issued == 0 || looked_again {
                    return Ok(issued);
                }
                looked_again = true;
                tokio::time::sleep(INDEX_SETTLING).await;
                continue;
            };
            let series = first.kind.series();
            let limit = if series == Series::Kor { ISSUE_BATCH / 2 } else { ISSUE_BATCH };
            // A transaction may write an item once: a second correction of the same original
            // (both linked to it) waits for the next batch.
            let mut originals = BTreeSet::new();
            let batch: Vec<Settlement> = page
                .items
                .into_iter()
                .filter(|s| s.kind.series() == series)
                .take_while(|s| match &s.kind {
                    SettlementKind::Correction { of, .. } => originals.insert(*of),
                    SettlementKind::Regular => true,
                })
                .take(limit)
                .collect();
            match self.issue_batch(&batch, series, today).await {
                Ok(count) => {
                    issued += count;
                    looked_again = false;
                }
                Err(error) if raced(&error) => return Ok(issued),
                Err(error) => return Err(error),
            }
        }
    }

    async fn issue_batch(&self, batch: &[Settlement], series: Series, today: NaiveDate) -> Result<u32, StoreError> {
        let year = today.year();
        let last = numbering::last_number(&self.table, series.code(), year).await?;
        let unit_ids: BTreeSet<UnitId> = batch.iter().map(|s| s.unit_id).collect();
        let units = units_by_id(&self.table, &unit_ids).await?;
        let originals: Vec<SettlementId> = batch
            .iter()
            .filter_map(|s| match &s.kind {
                SettlementKind::Correction { of, .. } => Some(*of),
                SettlementKind::Regular => None,
            })
            .collect();
        let mut originals: HashMap<SettlementId, Settlement> =
            settlement_store::get_settlements(&self.table, &originals).await?.into_iter().map(|s| (s.id, s)).collect();
        let mut tx = Transaction::default();
        let mut seq = last;
        for draft in batch {
            let unit = units.get(&draft.unit_id).ok_or_else(|| {
                StoreError::Decode(format!("settlement {}: unit {} is missing", draft.id, draft.unit_id))
            })?;
            seq += 1;
            let number = SettlementNumber::new(series, year, seq).map_err(|e| StoreError::Decode(e.en))?;
            let issued = draft
                .issue(number, BuyerSnapshot::of(unit), today, PAYMENT_TERM_DAYS)
                .map_err(|e| StoreError::Decode(format!("settlement {}: {e}", draft.id)))?;
            settlement_store::add_replace_settlement(&mut tx, &self.table, &issued, draft.version);
            if let SettlementKind::Correction { of, .. } = &draft.kind {
                if let Some(original) = originals.get(of) {
                    let linked = original
                        .link_correction(&issued)
                        .map_err(|e| StoreError::Decode(format!("settlement {}: {e}", original.id)))?;
                    settlement_store::add_replace_settlement(&mut tx, &self.table, &linked, original.version);
                    originals.insert(*of, linked);
                }
            }
        }
        numbering::take_numbers(&mut tx, &self.table, series.code(), year, last, batch.len() as u32);
        self.table.transact(tx).await?;
        Ok(batch.len() as u32)
    }

    // ---- training settlements --------------------------------------------------------------------

    fn parse_selection(input: SettleInput) -> Result<Selection, ApiError> {
        let mut errors = ValidationErrors::default();
        let selection = match (input.training_id.as_deref(), input.unit_id.as_deref(), input.from.as_deref()) {
            (Some(raw), None, None) => {
                TrainingId::parse(raw).map(|training_id| Selection::Training { training_id }).map_err(|_| {
                    FieldError::new("trainingId", "invalid_id", "Nieprawidłowy identyfikator.", "Invalid id.")
                })
            }
            (None, Some(raw), None) => UnitId::parse(raw)
                .map(|unit_id| Selection::Unit { unit_id })
                .map_err(|_| FieldError::new("unitId", "invalid_id", "Nieprawidłowy identyfikator.", "Invalid id.")),
            (None, None, Some(_)) => {
                let from = parse_day("from", input.from.as_deref());
                let to = parse_day("to", input.to.as_deref());
                match (from, to) {
                    (Ok(from), Ok(to)) if from <= to => Ok(Selection::CompletedIn { from, to }),
                    (Ok(_), Ok(_)) => Err(FieldError::new(
                        "to",
                        "before_from",
                        "Koniec okresu nie może być przed początkiem.",
                        "The period cannot end before it starts.",
                    )),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                }
            }
            _ => Err(FieldError::new(
                "trainingId",
                "one_selection",
                "Wybierz jedno: szkolenie, jednostkę albo okres (od–do).",
                "Choose one: a training, a unit or a period (from–to).",
            )),
        };
        selection.map_err(|e| {
            errors.push(e);
            ApiError::Validation(errors)
        })
    }

    /// The pending lines of every completed training (the candidates of any selection).
    async fn pending_training_lines(
        &self,
        selection: &Selection,
    ) -> Result<(Vec<LineCandidate>, Vec<Training>), ApiError> {
        let mut trainings = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page =
                training_store::trainings_in_phase(&self.table, Phase::Completed, 100, cursor.as_deref()).await?;
            trainings.extend(page.items);
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        if let Selection::Training { training_id } = selection {
            if !trainings.iter().any(|t| t.id == *training_id) {
                let training =
                    training_store::get_training(&self.table, *training_id).await?.ok_or(ApiError::NotFound)?;
                return Err(ApiError::Conflict {
                    code: "not_completed",
                    message: Message {
                        pl: format!(
                            "Szkolenie jest w fazie „{}”: rozlicza się szkolenia zakończone.",
                            training.phase.code()
                        ),
                        en: format!(
                            "The training is in phase \"{}\": only completed trainings are settled.",
                            training.phase.code()
                        ),
                    },
                });
            }
        }
        let mut candidates = Vec::new();
        for training in &trainings {
            let enrolments = training_store::enrolments_of_training(&self.table, training.id).await?;
            candidates.extend(enrolments.iter().filter_map(|e| LineCandidate::from_enrolment(training, e)));
        }
        let keys: Vec<String> = candidates.iter().map(|c| c.line.line_key()).collect();
        let settled = settlement_store::settled_keys(&self.table, &keys).await?;
        Ok((exclude_settled(candidates, &settled), trainings))
    }

    async fn plan(&self, selection: &Selection) -> Result<(Vec<SettlementDraft>, Vec<TrainingId>), ApiError> {
        let (pending, trainings) = Box::pin(self.pending_training_lines(selection)).await?;
        let chosen = select(pending.clone(), selection);
        let chosen_keys: BTreeSet<String> = chosen.iter().map(|c| c.line.line_key()).collect();
        // A training is settled once none of its lines stays pending after this run.
        let completed = trainings
            .iter()
            .filter(|t| {
                pending.iter().all(|c| c.line.training_id() != Some(t.id) || chosen_keys.contains(&c.line.line_key()))
            })
            .filter(|t| chosen.iter().any(|c| c.line.training_id() == Some(t.id)) || selection.concerns_training(t))
            .map(|t| t.id)
            .collect();
        Ok((plan_settlements(chosen), completed))
    }

    pub async fn settlement_preview(&self, actor: &Actor, input: SettleInput) -> Result<SettlementPreview, ApiError> {
        staff_only(actor)?;
        let selection = Self::parse_selection(input)?;
        let (drafts, trainings_completed) = Box::pin(self.plan(&selection)).await?;
        let unit_ids: BTreeSet<UnitId> = drafts.iter().map(|d| d.unit_id).collect();
        let units = units_by_id(&self.table, &unit_ids).await?;
        let all_lines: Vec<_> = drafts.iter().flat_map(|draft| draft.lines.iter().cloned()).collect();
        Ok(SettlementPreview {
            totals: ewokiss_domain::settlement::Totals::of(&all_lines),
            drafts: drafts
                .into_iter()
                .map(|draft| DraftView { unit_name: units.get(&draft.unit_id).map(|u| u.name.clone()), draft })
                .collect(),
            trainings_completed,
        })
    }

    /// Settles the selection: one settlement per unit (split past [`LINES_PER_SETTLEMENT`]
    /// lines), issued at once; trainings left with no pending line move to "settled".
    pub async fn settle(&self, actor: &Actor, input: SettleInput) -> Result<SettleReport, ApiError> {
        staff_only(actor)?;
        let selection = Self::parse_selection(input)?;
        let (written, completed) = Box::pin(self.settle_selection(&selection)).await?;
        let mut trainings_settled = Vec::new();
        for training_id in completed {
            if Box::pin(self.mark_training_settled(actor, training_id)).await? {
                trainings_settled.push(training_id);
            }
        }
        Ok(SettleReport {
            settlements: views(settlement_store::get_settlements_consistent(&self.table, &written).await?),
            trainings_settled,
        })
    }

    /// Writes and issues the settlements of a selection; returns them and the trainings it
    /// leaves with no pending line. A line settled meanwhile by someone else makes it plan again.
    pub(crate) async fn settle_selection(
        &self,
        selection: &Selection,
    ) -> Result<(Vec<SettlementId>, Vec<TrainingId>), ApiError> {
        let mut written = Vec::new();
        let mut completed = Vec::new();
        for attempt in 0..RETRIES {
            let (drafts, trainings_completed) = Box::pin(self.plan(selection)).await?;
            completed = trainings_completed;
            let mut lost = false;
            for draft in drafts {
                for lines in draft.lines.chunks(LINES_PER_SETTLEMENT) {
                    let part = SettlementDraft {
                        unit_id: draft.unit_id,
                        lines: lines.to_vec(),
                        totals: ewokiss_domain::settlement::Totals::of(lines),
                    };
                    let settlement = part.into_settlement(Utc::now()).map_err(settlement_rule)?;
                    let mut tx = Transaction::default();
                    settlement_store::add_new_settlement(&mut tx, &self.table, &settlement);
                    match self.table.transact(tx).await {
                        Ok(()) => written.push(settlement.id),
                        Err(error) if raced(&error) => lost = true,
                        Err(error) => return Err(error.into()),
                    }
                }
            }
            if !lost || attempt + 1 == RETRIES {
                break;
            }
        }
        Box::pin(self.issue_these(&written)).await?;
        Ok((written, completed))
    }

    /// Whether every chargeable line of a completed training is on a settlement.
    pub(crate) async fn training_settlement_complete(&self, training: &Training) -> Result<bool, StoreError> {
        let enrolments = training_store::enrolments_of_training(&self.table, training.id).await?;
        let keys: Vec<String> = enrolments
            .iter()
            .filter_map(|e| LineCandidate::from_enrolment(training, e))
            .map(|c| c.line.line_key())
            .collect();
        let settled = settlement_store::settled_keys(&self.table, &keys).await?;
        Ok(keys.iter().all(|key| settled.contains(key)))
    }

    /// Waives (or un-waives) the charge of an enrolment; refused once its line is settled.
    pub async fn waive_charge(
        &self,
        actor: &Actor,
        training_id: TrainingId,
        person_id: ewokiss_domain::ids::PersonId,
        input: WaiveInput,
    ) -> Result<ewokiss_domain::enrolment::Enrolment, ApiError> {
        staff_only(actor)?;
        let waived = input.waived.ok_or_else(|| ApiError::field(FieldError::required("waived")))?;
        let training = training_store::get_training(&self.table, training_id).await?.ok_or(ApiError::NotFound)?;
        let enrolment =
            training_store::get_enrolment(&self.table, training_id, person_id).await?.ok_or(ApiError::NotFound)?;
        let line_key = format!("ENR#{}", enrolment.id);
        if !settlement_store::settled_keys(&self.table, &[line_key]).await?.is_empty() {
            return Err(ApiError::Conflict {
                code: "already_settled",
                message: Message {
                    pl: "Ten udział jest już rozliczony: zmień go korektą rozliczenia.".into(),
                    en: "This participation is settled already: change it with a correction.".into(),
                },
            });
        }
        if enrolment.charge_waived == waived {
            return Ok(enrolment);
        }
        let mut after = enrolment.clone();
        after.charge_waived = waived;
        after.version += 1;
        training_store::change_enrolment(&self.table, &training, &enrolment, &after, 0, None, None).await?;
        Ok(after)
    }

    /// A correction of an issued settlement, issued at once in series KOR.
    pub async fn correct_settlement(
        &self,
        actor: &Actor,
        id: SettlementId,
        input: CorrectionInput,
    ) -> Result<SettlementView, ApiError> {
        staff_only(actor)?;
        let original = settlement_store::get_settlement(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        let earlier = settlement_store::get_settlements(&self.table, &original.corrected_by).await?;
        let reason = input.reason.unwrap_or_default();
        let correction = Settlement::correction(&original, &earlier, &input.changes, &reason, Utc::now())
            .map_err(settlement_rule)?;
        let mut tx = Transaction::default();
        settlement_store::add_new_settlement(&mut tx, &self.table, &correction);
        self.table.transact(tx).await?;
        Box::pin(self.issue_these(&[correction.id])).await?;
        let issued = settlement_store::get_settlements_consistent(&self.table, &[correction.id]).await?;
        Ok(issued.into_iter().next().ok_or(ApiError::NotFound)?.into())
    }

    // ---- reading settlements -------------------------------------------------------------------

    pub async fn settlement(&self, actor: &Actor, id: SettlementId) -> Result<SettlementView, ApiError> {
        let settlement = settlement_store::get_settlement(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        if !actor.is_staff() {
            let unit = crate::dynamo::registry::get_unit(&self.table, settlement.unit_id).await?;
            // The unit's own settlements and those of its sub-units; nothing else, and a
            // refusal that does not reveal whether the id exists.
            if !unit.is_some_and(|unit| actor.may_manage_unit(&unit.path()))
                || actor.role != ewokiss_domain::access::Role::UnitAdmin
            {
                return Err(ApiError::NotFound);
            }
        }
        Ok(settlement.into())
    }

    /// Copies the unit's current data onto an issued, not yet exported settlement (e.g. after
    /// its address was completed so the export stops holding it back).
    pub async fn refresh_buyer(&self, actor: &Actor, id: SettlementId) -> Result<SettlementView, ApiError> {
        staff_only(actor)?;
        let current = settlement_store::get_settlement(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        let unit = crate::dynamo::registry::get_unit(&self.table, current.unit_id).await?.ok_or(ApiError::NotFound)?;
        let refreshed = current.refresh_buyer(BuyerSnapshot::of(&unit)).map_err(settlement_rule)?;
        let mut tx = Transaction::default();
        settlement_store::add_replace_settlement(&mut tx, &self.table, &refreshed, current.version);
        self.table.transact(tx).await?;
        Ok(refreshed.into())
    }

    pub async fn unit_settlements(&self, actor: &Actor, unit_id: UnitId) -> Result<UnitSettlements, ApiError> {
        let unit = crate::dynamo::registry::get_unit(&self.table, unit_id).await?.ok_or(ApiError::NotFound)?;
        let own_unit_admin =
            actor.role == ewokiss_domain::access::Role::UnitAdmin && actor.may_manage_unit(&unit.path());
        if !actor.is_staff() && !own_unit_admin {
            return Err(ApiError::Forbidden);
        }
        let settlements = settlement_store::all_settlements_of_unit(&self.table, unit_id).await?;
        let receivables = ewokiss_domain::settlement::unit_receivables(&settlements, time::today());
        Ok(UnitSettlements { settlements: views(settlements), receivables })
    }

    pub async fn settlements_in_status(
        &self,
        actor: &Actor,
        status: SettlementStatus,
        cursor: Option<&str>,
    ) -> Result<Page<SettlementView>, ApiError> {
        staff_only(actor)?;
        Ok(settlement_store::settlements_in_status(&self.table, status, 100, cursor).await?.map(SettlementView::from))
    }
}
