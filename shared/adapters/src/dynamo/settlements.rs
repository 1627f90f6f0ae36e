//! Settlement documents. A regular settlement is written together with a "settled" claim per
//! line (created only if absent), so a line is settled at most once, ever; an issued one with
//! the move of its series' counter (see `numbering`), so numbers are gapless and unique, and
//! under its number in GSI3. The status index lists drafts to issue and issued documents to
//! export.

use std::collections::BTreeSet;

use ewokiss_domain::ids::{SettlementId, UnitId};
use ewokiss_domain::settlement::{Settlement, SettlementNumber, SettlementStatus};
use serde::{Deserialize, Serialize};

use super::{item, s, Item, Page, Query, StoreError, Table, Transaction};
use crate::keys;

fn settlement_item(settlement: &Settlement) -> Item {
    let mut item = item(
        &keys::settlement(settlement.id),
        Some(&keys::settlement_of_unit(settlement)),
        Some(&keys::settlement_by_status(settlement)),
        "settlement",
        settlement,
    );
    if let Some(number) = &settlement.number {
        let by_number = keys::settlement_by_number(number);
        item.insert(keys::GSI3PK.into(), s(&by_number.pk));
        item.insert(keys::GSI3SK.into(), s(&by_number.sk));
    }
    item
}

/// The claim of a settled line: which settlement holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettledLine {
    pub line_key: String,
    pub settlement_id: SettlementId,
}

pub async fn get_settlement(table: &Table, id: SettlementId) -> Result<Option<Settlement>, StoreError> {
    table.get(&keys::settlement(id)).await
}

/// Several settlements in one call (absent ids are left out).
pub async fn get_settlements(table: &Table, ids: &[SettlementId]) -> Result<Vec<Settlement>, StoreError> {
    let keys: Vec<keys::Key> = ids.iter().map(|id| keys::settlement(*id)).collect();
    table.get_many(&keys).await?.iter().map(super::decode).collect()
}

/// [`get_settlements`] as last written (strongly consistent reads).
pub async fn get_settlements_consistent(table: &Table, ids: &[SettlementId]) -> Result<Vec<Settlement>, StoreError> {
    let keys: Vec<keys::Key> = ids.iter().map(|id| keys::settlement(*id)).collect();
    table.get_many_consistent(&keys).await?.iter().map(super::decode).collect()
}

pub async fn settlements_of_unit(
    table: &Table,
    unit_id: UnitId,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Settlement>, StoreError> {
    let partition = keys::unit_settlements_partition(unit_id);
    table.query(Query::index(keys::GSI1, &partition).newest_first().page(limit, cursor)).await
}

/// Every settlement of a unit (for its receivables).
pub async fn all_settlements_of_unit(table: &Table, unit_id: UnitId) -> Result<Vec<Settlement>, StoreError> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = settlements_of_unit(table, unit_id, 500, cursor.as_deref()).await?;
        all.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(all),
        }
    }
}

/// Settlements in a status, oldest first.
pub async fn settlements_in_status(
    table: &Table,
    status: SettlementStatus,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Settlement>, StoreError> {
    let partition = keys::settlements_status_partition(status);
    table.query(Query::index(keys::GSI2, &partition).page(limit, cursor)).await
}

/// The settlement issued under `number` (GSI3; an index lags its writes by a moment, which
/// a payment report, written days after the invoice, never meets).
pub async fn settlement_id_by_number(
    table: &Table,
    number: &SettlementNumber,
) -> Result<Option<SettlementId>, StoreError> {
    let partition = keys::settlement_number_partition(number);
    let page: Page<Settlement> = table.query(Query::index(keys::GSI3, &partition).page(1, None)).await?;
    Ok(page.items.first().map(|settlement| settlement.id))
}

/// Which of `line_keys` are settled already.
pub async fn settled_keys(table: &Table, line_keys: &[String]) -> Result<BTreeSet<String>, StoreError> {
    let mut settled = BTreeSet::new();
    for chunk in line_keys.chunks(100) {
        let keys: Vec<keys::Key> = chunk.iter().map(|key| keys::settled_line(key)).collect();
        for item in table.get_many(&keys).await? {
            settled.insert(super::decode::<SettledLine>(&item)?.line_key);
        }
    }
    Ok(settled)
}

/// Adds a new settlement and, for a regular one, the claim of each of its lines (the
/// transaction fails with label `"settled"` when a line is settled already).
pub fn add_new_settlement(tx: &mut Transaction, table: &Table, settlement: &Settlement) {
    tx.create(table, "settlement", settlement_item(settlement));
    for line_key in settlement.sentinel_keys() {
        let claim = SettledLine { line_key: line_key.clone(), settlement_id: settlement.id };
        tx.create(table, "settled", item(&keys::settled_line(&line_key), None, None, "settled_line", &claim));
    }
}

/// Adds the replacement of a settlement that must still be at `expected_version`.
pub fn add_replace_settlement(tx: &mut Transaction, table: &Table, after: &Settlement, expected_version: u64) {
    tx.replace_versioned(table, settlement_item(after), expected_version);
}
