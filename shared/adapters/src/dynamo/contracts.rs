//! Long-term contracts and what is billed for each of their periods.
//!
//! A contract item carries, in GSI2, the day its next charge falls due (see
//! `contract::next_due_date`), spread over `keys::DUE_SHARDS` partitions: the monthly run reads
//! "due on or before the day" from each partition instead of scanning every contract. The item
//! also carries its billing ledger: what is billed per period (`billed`, sums per VAT and charge
//! count) and `billingSeq`, the number of billing writes so far. Every billing write and every
//! change of the contract is conditioned on the sequence (and on the contract's version) it
//! read, and each charge is an item of its own created once: a rerun, a replayed event or two
//! runs at once cannot bill a period twice. Keeping the ledger on the contract makes one read
//! (or one BatchGetItem per 100 contracts) all the monthly run needs to know what is due.

use chrono::NaiveDate;
use ewokiss_domain::contract::{BilledPeriod, Contract, ContractCharge};
use ewokiss_domain::ids::{ContractId, SettlementId, UnitId};
use serde::{Deserialize, Serialize};

use aws_sdk_dynamodb::types::AttributeValue;

use super::{decode, item, n, s, Expression, Item, Page, Query, StoreError, Table, Transaction};
use crate::keys;

/// A charge as stored: the charge and the settlement document it went into.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredCharge {
    pub charge: ContractCharge,
    pub settlement_id: SettlementId,
}

/// What is billed of a contract, as read with it: the periods' totals and the sequence number
/// that the next billing write (or change of the contract) must still find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    pub periods: Vec<BilledPeriod>,
    pub seq: u64,
}

const BILLED: &str = "billed";
const BILLING_SEQ: &str = "billingSeq";

fn contract_item(contract: &Contract, ledger: &Ledger) -> Item {
    let next_due = ewokiss_domain::contract::next_due_date(contract, &ledger.periods);
    let due = next_due.map(|day| keys::contract_due(contract, day));
    let mut item =
        item(&keys::contract(contract.id), Some(&keys::contract_of_unit(contract)), due.as_ref(), "contract", contract);
    let listed = keys::contract_in_list(contract);
    item.insert(keys::GSI3PK.into(), s(&listed.pk));
    item.insert(keys::GSI3SK.into(), s(&listed.sk));
    item.insert(BILLED.into(), periods_value(&ledger.periods));
    item.insert(BILLING_SEQ.into(), n(ledger.seq));
    item
}

fn periods_value(periods: &[BilledPeriod]) -> AttributeValue {
    serde_dynamo::to_attribute_value(periods).expect("billed periods serialise to DynamoDB values")
}

/// A contract item's contract and ledger (an item written before ledgers existed has none).
fn decode_with_ledger(item: &Item) -> Result<(Contract, Ledger), StoreError> {
    let contract: Contract = decode(item)?;
    let periods = match item.get(BILLED) {
        Some(value) => serde_dynamo::from_attribute_value(value.clone())
            .map_err(|e| StoreError::Decode(format!("contract {}: billed periods: {e}", contract.id)))?,
        None => Vec::new(),
    };
    let seq = match item.get(BILLING_SEQ).map(|value| value.as_n()) {
        Some(Ok(raw)) => {
            raw.parse().map_err(|_| StoreError::Decode(format!("contract {}: billingSeq", contract.id)))?
        }
        _ => 0,
    };
    Ok((contract, Ledger { periods, seq }))
}

pub async fn get_contract(table: &Table, id: ContractId) -> Result<Option<Contract>, StoreError> {
    table.get(&keys::contract(id)).await
}

/// A contract with what is billed of it (one GetItem).
pub async fn get_contract_with_ledger(table: &Table, id: ContractId) -> Result<Option<(Contract, Ledger)>, StoreError> {
    let items = table.get_many(&[keys::contract(id)]).await?;
    items.first().map(decode_with_ledger).transpose()
}

/// Many contracts with their ledgers (BatchGetItem, 100 a call); missing ones are left out.
pub async fn contracts_with_ledgers(table: &Table, ids: &[ContractId]) -> Result<Vec<(Contract, Ledger)>, StoreError> {
    let keys: Vec<keys::Key> = ids.iter().map(|id| keys::contract(*id)).collect();
    table.get_many(&keys).await?.iter().map(decode_with_ledger).collect()
}

/// The charges written for a contract, oldest period first.
pub async fn charges_of_contract(table: &Table, id: ContractId) -> Result<Vec<StoredCharge>, StoreError> {
    let partition = keys::contract(id).pk;
    let page: Page<StoredCharge> = table.query(Query::table(&partition).prefix("CHARGE#").page(1000, None)).await?;
    Ok(page.items)
}

pub async fn contracts_of_unit(table: &Table, unit_id: UnitId) -> Result<Vec<Contract>, StoreError> {
    let partition = keys::unit_contracts_partition(unit_id);
    Ok(table.query::<Contract>(Query::index(keys::GSI1, &partition).page(500, None)).await?.items)
}

pub async fn list_contracts(table: &Table, limit: i32, cursor: Option<&str>) -> Result<Page<Contract>, StoreError> {
    table.query(Query::index(keys::GSI3, keys::ALL_CONTRACTS).page(limit, cursor)).await
}

/// One page of the contracts of one due partition with something due on or before `day`.
pub async fn due_contracts(
    table: &Table,
    shard: u32,
    day: NaiveDate,
    cursor: Option<&str>,
) -> Result<Page<ContractId>, StoreError> {
    let partition = keys::contracts_due_partition(shard);
    let until = keys::due_until(day);
    // Only the keys: the run needs ids (and reads the contracts by the hundred afterwards).
    let page = table.query_keys(Query::index(keys::GSI2, &partition).at_most(&until).page(1000, cursor)).await?;
    let ids = page.items.iter().map(contract_id_of).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items: ids, next: page.next })
}

fn contract_id_of(key: &keys::Key) -> Result<ContractId, StoreError> {
    key.pk
        .strip_prefix("CONTRACT#")
        .and_then(|raw| ContractId::parse(raw).ok())
        .ok_or_else(|| StoreError::Decode(format!("not a contract key: {}", key.pk)))
}

/// A new contract with an empty ledger, indexed under its first due day.
pub async fn create_contract(table: &Table, contract: &Contract) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.create(table, "contract", contract_item(contract, &Ledger::default()));
    table.transact(tx).await
}

/// Replaces a changed contract and re-indexes its next due day, on condition that neither the
/// contract (its version) nor its ledger (its sequence) changed since `ledger` was read with it.
/// On `ConditionFailed` the caller reads both again: a billing in between leaves the version as
/// it was (retry the change), a change of the contract does not (a stale edit).
pub async fn replace_contract(
    table: &Table,
    after: &Contract,
    expected_version: u64,
    ledger: &Ledger,
) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    add_contract_put(&mut tx, table, "contract", after, expected_version, ledger.seq, ledger);
    table.transact(tx).await
}

/// Adds the write of the whole contract item (contract, ledger `written`, index keys) on
/// condition that the stored contract is at `expected_version` and its ledger at `read_seq`.
/// A whole-item put rather than an update of the changed attributes: the condition guarantees
/// the rest is as read, and a put is the cheaper write (no update expression to evaluate).
fn add_contract_put(
    tx: &mut Transaction,
    table: &Table,
    label: &'static str,
    contract: &Contract,
    expected_version: u64,
    read_seq: u64,
    written: &Ledger,
) {
    let (condition, mut names, mut values) = ledger_condition(read_seq);
    names.push(("#version".into(), "version".into()));
    values.push((":version".into(), n(expected_version)));
    tx.put_if(
        table,
        label,
        contract_item(contract, written),
        Expression {
            condition: Some(format!("#data.#version = :version AND ({condition})")),
            names,
            values,
            ..Default::default()
        },
    );
}

/// "The ledger is still at `seq`" (an item from before ledgers existed counts as 0), with the
/// names `#data`, `#seq` and the value `:seq`.
#[allow(clippy::type_complexity)]
fn ledger_condition(seq: u64) -> (String, Vec<(String, String)>, Vec<(String, AttributeValue)>) {
    let condition = if seq == 0 { "attribute_not_exists(#seq) OR #seq = :seq" } else { "#seq = :seq" };
    (
        condition.to_owned(),
        vec![("#data".into(), "data".into()), ("#seq".into(), BILLING_SEQ.into())],
        vec![(":seq".into(), n(seq))],
    )
}

/// Adds to `tx` one period's billing: each charge is created once under its key, and the
/// contract's ledger moves from `ledger` (as read, now at `after`) with its due-index entry, on
/// condition that neither the contract nor its ledger changed since they were read. Returns the
/// ledger as written (the next write of the same contract must find it).
pub fn add_period_charges(
    tx: &mut Transaction,
    table: &Table,
    contract: &Contract,
    ledger: &Ledger,
    after: Vec<BilledPeriod>,
    charges: &[ContractCharge],
    settlement_id: SettlementId,
) -> Ledger {
    for charge in charges {
        let stored = StoredCharge { charge: charge.clone(), settlement_id };
        tx.create(
            table,
            "charge",
            item(&keys::contract_charge(contract.id, &charge.charge_key()), None, None, "contract_charge", &stored),
        );
    }
    let written = Ledger { seq: ledger.seq + 1, periods: after };
    add_contract_put(tx, table, "billing", contract, contract.version, ledger.seq, &written);
    written
}
