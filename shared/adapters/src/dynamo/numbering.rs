//! Gapless document numbers per series and year (e.g. settlements `ROZ` 2027: 1, 2, 3 …).
//!
//! One counter item per series and year holds the last number given. Numbers are handed out
//! only inside the transaction that writes the numbered documents: the counter moves from the
//! value read to that value plus the count, on condition that it still holds the value read.
//! So either the documents and the counter change together, or nothing does (a concurrent
//! issuer got there first: read again and retry) — no number is skipped or given twice.

use aws_sdk_dynamodb::types::AttributeValue;

use super::{n, s, Expression, StoreError, Table, Transaction};
use crate::keys;

/// The last number given in a series and year (0 before the first), read consistently.
pub async fn last_number(table: &Table, series: &str, year: i32) -> Result<u32, StoreError> {
    let key = keys::number_counter(series, year);
    let output = table
        .client
        .get_item()
        .table_name(&*table.name)
        .key(keys::PK, s(&key.pk))
        .key(keys::SK, s(&key.sk))
        .consistent_read(true)
        .send()
        .await?;
    Ok(output
        .item
        .and_then(|item| item.get("last").and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()))
        .unwrap_or(0))
}

/// Adds to `tx` the move of the counter from `last` (as read) to `last + count`; the transaction
/// fails with label `"number"` if another issuer moved it meanwhile.
pub fn take_numbers(tx: &mut Transaction, table: &Table, series: &str, year: i32, last: u32, count: u32) {
    let condition = if last == 0 { "attribute_not_exists(#last) OR #last = :expected" } else { "#last = :expected" };
    tx.update(
        table,
        "number",
        &keys::number_counter(series, year),
        Expression {
            update: "SET #last = :next, #type = :type".into(),
            condition: Some(condition.into()),
            names: vec![("#last".into(), "last".into()), ("#type".into(), "type".into())],
            values: vec![
                (":expected".into(), n(last)),
                (":next".into(), n(last + count)),
                (":type".into(), AttributeValue::S("counter".into())),
            ],
        },
    );
}

/// Whether a failed transaction lost the race for the counter (read again and retry).
pub fn lost_the_counter(error: &StoreError) -> bool {
    matches!(error, StoreError::ConditionFailed { label: "number" })
}
