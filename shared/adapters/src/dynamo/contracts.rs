//! Long-term contracts and what is billed for each of their periods.
//!
//! A contract item carries, in GSI2, the day its next charge falls due (see
//! `contract::next_due_date`), spread over `keys::DUE_SHARDS` partitions: the monthly run reads
//! "due on or before the day" from each partition instead of scanning every contract. Each
//! period's charges are summed in a `PERIOD#` item whose charge count is the condition of every
//! write, and each charge is an item of its own created once: a rerun, a replayed event or two
//! runs at once cannot bill a period twice.

use chrono::NaiveDate;
use ewokiss_domain::contract::{BilledPeriod, Contract, ContractCharge};
use ewokiss_domain::ids::{ContractId, SettlementId, UnitId};
use serde::{Deserialize, Serialize};

use super::{item, n, s, Expression, Item, Page, Query, StoreError, Table, Transaction};
use crate::keys;

/// A charge as stored: the charge and the settlement document it went into.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredCharge {
    pub charge: ContractCharge,
    pub settlement_id: SettlementId,
}

fn contract_item(contract: &Contract, next_due: Option<NaiveDate>) -> Item {
    let due = next_due.map(|day| keys::contract_due(contract, day));
    let mut item =
        item(&keys::contract(contract.id), Some(&keys::contract_of_unit(contract)), due.as_ref(), "contract", contract);
    let listed = keys::contract_in_list(contract);
    item.insert(keys::GSI3PK.into(), s(&listed.pk));
    item.insert(keys::GSI3SK.into(), s(&listed.sk));
    item
}

pub async fn get_contract(table: &Table, id: ContractId) -> Result<Option<Contract>, StoreError> {
    table.get(&keys::contract(id)).await
}

/// Every period of the contract billed so far (one query: the periods sit in its partition).
pub async fn billed_periods(table: &Table, id: ContractId) -> Result<Vec<BilledPeriod>, StoreError> {
    let partition = keys::contract(id).pk;
    table.query_all(Query::table(&partition).prefix(keys::PERIOD_PREFIX), 500).await
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
    let page: Page<Contract> =
        table.query(Query::index(keys::GSI2, &partition).at_most(&until).page(200, cursor)).await?;
    Ok(page.map(|contract| contract.id))
}

/// A new contract, indexed under its first due day.
pub async fn create_contract(table: &Table, contract: &Contract) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.create(table, "contract", contract_item(contract, ewokiss_domain::contract::next_due_date(contract, &[])));
    table.transact(tx).await
}

/// Replaces a changed contract (optimistic version check) and re-indexes its next due day.
pub async fn replace_contract(
    table: &Table,
    after: &Contract,
    expected_version: u64,
    billed: &[BilledPeriod],
) -> Result<(), StoreError> {
    let next_due = ewokiss_domain::contract::next_due_date(after, billed);
    let mut tx = Transaction::default();
    tx.replace_versioned(table, contract_item(after, next_due), expected_version);
    table.transact(tx).await
}

/// Adds to `tx` the charges of one period: the period's totals move from `before` (as read) to
/// `after` on condition that no other charge was written meanwhile, and each charge is created
/// once under its key.
pub fn add_period_charges(
    tx: &mut Transaction,
    table: &Table,
    contract: &Contract,
    before: Option<&BilledPeriod>,
    after: &BilledPeriod,
    charges: &[ContractCharge],
    settlement_id: SettlementId,
) {
    let period = keys::billed_period(contract.id, &after.period_key);
    let mut period_item = item(&period, None, None, "billed_period", after);
    period_item.insert("charges".into(), n(after.charges));
    let condition = match before {
        None => Expression { condition: Some("attribute_not_exists(PK)".into()), ..Default::default() },
        Some(before) => Expression {
            condition: Some("#charges = :charges".into()),
            names: vec![("#charges".into(), "charges".into())],
            values: vec![(":charges".into(), n(before.charges))],
            ..Default::default()
        },
    };
    tx.put_if(table, "billed_period", period_item, condition);
    for charge in charges {
        let stored = StoredCharge { charge: charge.clone(), settlement_id };
        tx.create(
            table,
            "charge",
            item(&keys::contract_charge(contract.id, &charge.charge_key()), None, None, "contract_charge", &stored),
        );
    }
}

/// Adds to `tx` the move of the contract's due-index entry to `next_due` (or its removal), on
/// condition that the contract was not changed since it was read.
pub fn add_due_update(tx: &mut Transaction, table: &Table, contract: &Contract, next_due: Option<NaiveDate>) {
    let version_names = vec![("#data".to_owned(), "data".to_owned()), ("#version".to_owned(), "version".to_owned())];
    let version_values = vec![(":version".to_owned(), n(contract.version))];
    let expression = match next_due {
        Some(day) => {
            let due = keys::contract_due(contract, day);
            Expression {
                update: "SET #gpk = :gpk, #gsk = :gsk".into(),
                condition: Some("#data.#version = :version".into()),
                names: [
                    version_names,
                    vec![("#gpk".into(), keys::GSI2PK.into()), ("#gsk".into(), keys::GSI2SK.into())],
                ]
                .concat(),
                values: [version_values, vec![(":gpk".into(), s(&due.pk)), (":gsk".into(), s(&due.sk))]].concat(),
            }
        }
        None => Expression {
            update: "REMOVE #gpk, #gsk".into(),
            condition: Some("#data.#version = :version".into()),
            names: [version_names, vec![("#gpk".into(), keys::GSI2PK.into()), ("#gsk".into(), keys::GSI2SK.into())]]
                .concat(),
            values: version_values,
        },
    };
    tx.update(table, "version", &keys::contract(contract.id), expression);
}
