//! DynamoDB: the single table behind every repository. Items are `{PK, SK, [GSI keys], type,
//! data}` where `data` is the domain entity serialised by serde; keys come from `crate::keys`.

pub mod certificates;
pub mod contracts;
mod counter;
pub mod documents;
pub mod inbound;
pub mod mailings;
pub mod numbering;
pub mod outbox;
pub mod registry;
pub mod settlements;
pub mod trainings;

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, DeleteRequest, Put, PutRequest, TransactWriteItem, Update, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use counter::CallCounter;

use crate::keys::{IndexKey, Key, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, PK, SK};

pub type Item = HashMap<String, AttributeValue>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition of a write failed; `label` names which item (e.g. "email", "version").
    #[error("condition failed on {label}")]
    ConditionFailed { label: &'static str },
    #[error("the paging cursor is not valid for this list")]
    InvalidCursor,
    #[error("stored item could not be read: {0}")]
    Decode(String),
    #[error("DynamoDB: {0}")]
    Backend(String),
}

impl<E: std::error::Error + 'static, R: std::fmt::Debug> From<SdkError<E, R>> for StoreError {
    fn from(error: SdkError<E, R>) -> Self {
        StoreError::Backend(aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string())
    }
}

/// The table and a client built once per cold start.
#[derive(Clone, Debug)]
pub struct Table {
    pub client: Client,
    pub name: Arc<str>,
    pub calls: CallCounter,
    /// Bulk loading into an empty table (demo data): transactions are written as unconditional
    /// batch writes. Never set on a request path.
    bulk_load: bool,
}

impl Table {
    pub fn new(sdk_config: &aws_config::SdkConfig, name: &str) -> Self {
        let calls = CallCounter::default();
        let config = aws_sdk_dynamodb::config::Builder::from(sdk_config).interceptor(calls.clone()).build();
        Self { client: Client::from_conf(config), name: name.into(), calls, bulk_load: false }
    }

    /// The same table, for loading demo data into an empty table: see `bulk_load`.
    pub fn for_bulk_load(&self) -> Self {
        Self { bulk_load: true, ..self.clone() }
    }

    pub async fn get<T: DeserializeOwned>(&self, key: &Key) -> Result<Option<T>, StoreError> {
        let output = self.get_request(key, false).send().await?;
        output.item.map(|item| decode(&item)).transpose()
    }

    /// An item as the last committed write left it (a strongly consistent read), for a caller
    /// that decides on it right after a write (its own or a concurrent one).
    pub async fn get_consistent<T: DeserializeOwned>(&self, key: &Key) -> Result<Option<T>, StoreError> {
        let output = self.get_request(key, true).send().await?;
        output.item.map(|item| decode(&item)).transpose()
    }

    fn get_request(
        &self,
        key: &Key,
        consistent: bool,
    ) -> aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder {
        self.client
            .get_item()
            .table_name(&*self.name)
            .key(PK, s(&key.pk))
            .key(SK, s(&key.sk))
            .consistent_read(consistent)
    }

    /// Several items by key (BatchGetItem, 100 keys a call); missing ones are left out.
    pub async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        Box::pin(self.get_many_read(keys, false)).await
    }

    /// [`Table::get_many`] with strongly consistent reads.
    pub async fn get_many_consistent(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        Box::pin(self.get_many_read(keys, true)).await
    }

    async fn get_many_read(&self, keys: &[Key], consistent: bool) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let mut wanted = aws_sdk_dynamodb::types::KeysAndAttributes::builder().consistent_read(consistent);
            let mut seen = std::collections::HashSet::new();
            for key in chunk.iter().filter(|k| seen.insert((k.pk.clone(), k.sk.clone()))) {
                wanted = wanted.keys(HashMap::from([(PK.to_owned(), s(&key.pk)), (SK.to_owned(), s(&key.sk))]));
            }
            let mut pending = Some(HashMap::from([(self.name.to_string(), wanted.build().map_err(backend)?)]));
            while let Some(request) = pending.take().filter(|r| !r.is_empty()) {
                let output = self.client.batch_get_item().set_request_items(Some(request)).send().await?;
                if let Some(mut responses) = output.responses {
                    found.extend(responses.remove(&*self.name).unwrap_or_default());
                }
                pending = output.unprocessed_keys;
            }
        }
        Ok(found)
    }

    /// An unconditional single-item write (idempotent upserts only).
    pub async fn put(&self, item: Item) -> Result<(), StoreError> {
        self.client.put_item().table_name(&*self.name).set_item(Some(item)).send().await?;
        Ok(())
    }

    /// One page of a query on the table or an index.
    pub async fn query<T: DeserializeOwned>(&self, query: Query<'_>) -> Result<Page<T>, StoreError> {
        let (items, next) = self.query_items(query, false).await?;
        Ok(Page { items: items.iter().map(decode).collect::<Result<Vec<T>, _>>()?, next })
    }

    /// One page of a query, only the table keys of the items it selects (for a caller that
    /// needs ids, not entities: much less to read and send).
    pub async fn query_keys(&self, query: Query<'_>) -> Result<Page<Key>, StoreError> {
        let (items, next) = self.query_items(query, true).await?;
        let key = |item: &Item| -> Result<Key, StoreError> {
            let attribute = |name: &str| {
                item.get(name)
                    .and_then(|value| value.as_s().ok())
                    .cloned()
                    .ok_or_else(|| StoreError::Decode(format!("item without {name}")))
            };
            Ok(Key { pk: attribute(PK)?, sk: attribute(SK)? })
        };
        Ok(Page { items: items.iter().map(key).collect::<Result<Vec<Key>, _>>()?, next })
    }

    async fn query_items(&self, query: Query<'_>, keys_only: bool) -> Result<(Vec<Item>, Option<String>), StoreError> {
        let (pk_name, sk_name) = match query.index {
            None => (PK, SK),
            Some("GSI1") => (GSI1PK, GSI1SK),
            Some("GSI2") => (GSI2PK, GSI2SK),
            Some(_) => (GSI3PK, GSI3SK),
        };
        let start = match query.cursor {
            Some(cursor) => Some(decode_cursor(cursor, pk_name, query.partition)?),
            None => None,
        };
        let mut request = self
            .client
            .query()
            .table_name(&*self.name)
            .set_index_name(query.index.map(str::to_owned))
            .expression_attribute_names("#pk", pk_name)
            .expression_attribute_values(":pk", s(query.partition))
            .scan_index_forward(!query.newest_first)
            .set_limit(query.limit)
            .set_exclusive_start_key(start);
        if keys_only {
            request = request
                .projection_expression("#tablePk, #tableSk")
                .expression_attribute_names("#tablePk", PK)
                .expression_attribute_names("#tableSk", SK);
        }
        request = match (query.sort_prefix, query.sort_at_most) {
            (Some(prefix), _) => request
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", sk_name)
                .expression_attribute_values(":prefix", s(prefix)),
            (None, Some(max)) => request
                .key_condition_expression("#pk = :pk AND #sk <= :max")
                .expression_attribute_names("#sk", sk_name)
                .expression_attribute_values(":max", s(max)),
            (None, None) => request.key_condition_expression("#pk = :pk"),
        };
        if let Some(filter) = query.filter {
            request = request.filter_expression(filter.expression);
            for (name, value) in filter.names {
                request = request.expression_attribute_names(name, value);
            }
            for (name, value) in filter.values {
                request = request.expression_attribute_values(name, value);
            }
        }
        let output = request.send().await?;
        let next = output.last_evaluated_key.as_ref().map(encode_cursor);
        Ok((output.items.unwrap_or_default(), next))
    }

    /// Every item a query selects, `page_size` per call (for partitions known to stay small
    /// enough to hold in memory: one contract's periods, one person's mailings).
    pub async fn query_all<T: DeserializeOwned>(&self, query: Query<'_>, page_size: i32) -> Result<Vec<T>, StoreError> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page: Page<T> = self.query(query.clone().page(page_size, cursor.as_deref())).await?;
            all.extend(page.items);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// Writes all items or none; a failed condition is reported with its label.
    pub async fn transact(&self, tx: Transaction) -> Result<(), StoreError> {
        if tx.items.is_empty() {
            return Ok(());
        }
        if self.bulk_load {
            return self.batch_write(tx.items).await;
        }
        let result = self.client.transact_write_items().set_transact_items(Some(tx.items)).send().await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => {
                if let SdkError::ServiceError(service) = &error {
                    if let TransactWriteItemsError::TransactionCanceledException(cancelled) = service.err() {
                        let failed = cancelled
                            .cancellation_reasons()
                            .iter()
                            .position(|reason| reason.code() == Some("ConditionalCheckFailed"));
                        if let Some(index) = failed {
                            return Err(StoreError::ConditionFailed { label: tx.labels[index] });
                        }
                    }
                }
                Err(error.into())
            }
        }
    }
}

impl Table {
    pub(crate) async fn batch_write(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        let mut requests = Vec::with_capacity(items.len());
        for item in items {
            let request = if let Some(put) = item.put {
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(put.item)).build().map_err(backend)?)
            } else if let Some(delete) = item.delete {
                WriteRequest::builder()
                    .delete_request(DeleteRequest::builder().set_key(Some(delete.key)).build().map_err(backend)?)
            } else {
                // Updates and condition checks need the transaction's guarantees: never drop them.
                return Err(StoreError::Backend("bulk loading writes puts and deletes only".into()));
            };
            requests.push(request.build());
        }
        for chunk in requests.chunks(25) {
            let mut pending = HashMap::from([(self.name.to_string(), chunk.to_vec())]);
            while !pending.is_empty() {
                let output = self.client.batch_write_item().set_request_items(Some(pending)).send().await?;
                pending = output.unprocessed_items.unwrap_or_default();
                pending.retain(|_, requests| !requests.is_empty());
            }
        }
        Ok(())
    }
}

/// An update and/or condition expression with its placeholders.
#[derive(Debug, Default, Clone)]
pub struct Expression {
    pub update: String,
    pub condition: Option<String>,
    pub names: Vec<(String, String)>,
    pub values: Vec<(String, AttributeValue)>,
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A filter applied after the key condition (reads the same items, returns fewer).
#[derive(Clone)]
pub struct Filter {
    pub expression: String,
    pub names: Vec<(String, String)>,
    pub values: Vec<(String, AttributeValue)>,
}

/// A named access pattern resolved to a key condition.
#[derive(Clone)]
pub struct Query<'a> {
    pub index: Option<&'static str>,
    pub partition: &'a str,
    pub sort_prefix: Option<&'a str>,
    /// Sort keys up to and including this one (e.g. "due on or before").
    pub sort_at_most: Option<&'a str>,
    pub newest_first: bool,
    pub limit: Option<i32>,
    pub cursor: Option<&'a str>,
    pub filter: Option<Filter>,
}

impl<'a> Query<'a> {
    pub fn table(partition: &'a str) -> Self {
        Self {
            index: None,
            partition,
            sort_prefix: None,
            sort_at_most: None,
            newest_first: false,
            limit: None,
            cursor: None,
            filter: None,
        }
    }

    pub fn index(index: &'static str, partition: &'a str) -> Self {
        Self { index: Some(index), ..Self::table(partition) }
    }

    pub fn prefix(mut self, prefix: &'a str) -> Self {
        self.sort_prefix = Some(prefix);
        self
    }

    pub fn at_most(mut self, max: &'a str) -> Self {
        self.sort_at_most = Some(max);
        self
    }

    pub fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }

    pub fn page(mut self, limit: i32, cursor: Option<&'a str>) -> Self {
        self.limit = Some(limit);
        self.cursor = cursor;
        self
    }

    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to read the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

/// Builder of one all-or-nothing write.
#[derive(Default)]
pub struct Transaction {
    items: Vec<TransactWriteItem>,
    labels: Vec<&'static str>,
}

impl Transaction {
    fn push(&mut self, label: &'static str, item: TransactWriteItem) {
        self.items.push(item);
        self.labels.push(label);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The writes, for a caller that batches unconditional puts itself.
    pub(crate) fn into_items(self) -> Vec<TransactWriteItem> {
        self.items
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds another transaction's writes (several independent changes committed as one call).
    pub fn append(&mut self, other: Transaction) {
        self.items.extend(other.items);
        self.labels.extend(other.labels);
    }

    /// Puts an item that must not exist yet.
    pub fn create(&mut self, table: &Table, label: &'static str, item: Item) {
        self.put_with(table, label, item, Some(("attribute_not_exists(PK)", vec![], vec![])));
    }

    /// Puts an item under a condition (e.g. "absent, or cancelled").
    pub fn put_if(&mut self, table: &Table, label: &'static str, item: Item, condition: Expression) {
        let names: Vec<(&str, &str)> = condition.names.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let values: Vec<(&str, AttributeValue)> =
            condition.values.iter().map(|(a, b)| (a.as_str(), b.clone())).collect();
        self.put_with(table, label, item, condition.condition.as_deref().map(|c| (c, names, values)));
    }

    /// Overwrites an item.
    pub fn put(&mut self, table: &Table, item: Item) {
        self.put_with(table, "put", item, None);
    }

    /// Replaces an entity only if it still has the version the change was computed from.
    pub fn replace_versioned(&mut self, table: &Table, item: Item, expected_version: u64) {
        self.put_with(
            table,
            "version",
            item,
            Some((
                "#data.#version = :expected",
                vec![("#data", "data"), ("#version", "version")],
                vec![(":expected", AttributeValue::N(expected_version.to_string()))],
            )),
        );
    }

    #[allow(clippy::type_complexity)]
    fn put_with(
        &mut self,
        table: &Table,
        label: &'static str,
        item: Item,
        condition: Option<(&str, Vec<(&str, &str)>, Vec<(&str, AttributeValue)>)>,
    ) {
        let mut put = Put::builder().table_name(&*table.name).set_item(Some(item));
        if let Some((expression, names, values)) = condition {
            put = put.condition_expression(expression);
            for (name, value) in names {
                put = put.expression_attribute_names(name, value);
            }
            for (name, value) in values {
                put = put.expression_attribute_values(name, value);
            }
        }
        let put = put.build().expect("table name and item are set");
        self.push(label, TransactWriteItem::builder().put(put).build());
    }

    /// An update expression on plain (non-`data`) attributes, e.g. a counter, with an optional condition.
    pub fn update(&mut self, table: &Table, label: &'static str, key: &Key, expression: Expression) {
        let mut update = Update::builder()
            .table_name(&*table.name)
            .key(PK, s(&key.pk))
            .key(SK, s(&key.sk))
            .update_expression(expression.update)
            .set_condition_expression(expression.condition);
        for (name, value) in expression.names {
            update = update.expression_attribute_names(name, value);
        }
        for (name, value) in expression.values {
            update = update.expression_attribute_values(name, value);
        }
        let update = update.build().expect("table, key and expression are set");
        self.push(label, TransactWriteItem::builder().update(update).build());
    }

    /// Fails the transaction unless the condition holds on an item it does not change.
    pub fn check(&mut self, table: &Table, label: &'static str, key: &Key, expression: Expression) {
        let mut check = ConditionCheck::builder()
            .table_name(&*table.name)
            .key(PK, s(&key.pk))
            .key(SK, s(&key.sk))
            .set_condition_expression(expression.condition);
        for (name, value) in expression.names {
            check = check.expression_attribute_names(name, value);
        }
        for (name, value) in expression.values {
            check = check.expression_attribute_values(name, value);
        }
        let check = check.build().expect("table, key and condition are set");
        self.push(label, TransactWriteItem::builder().condition_check(check).build());
    }

    pub fn delete(&mut self, table: &Table, key: &Key) {
        self.delete_if(table, "delete", key, None);
    }

    /// Deletes an item only if `data.<attribute>` still equals `value` (e.g. a sentinel's owner).
    pub fn delete_if(&mut self, table: &Table, label: &'static str, key: &Key, owned_by: Option<(&str, &str)>) {
        let mut delete = Delete::builder().table_name(&*table.name).key(PK, s(&key.pk)).key(SK, s(&key.sk));
        if let Some((attribute, value)) = owned_by {
            delete = delete
                .condition_expression("#data.#owner = :owner")
                .expression_attribute_names("#data", "data")
                .expression_attribute_names("#owner", attribute)
                .expression_attribute_values(":owner", s(value));
        }
        let delete = delete.build().expect("table name and key are set");
        self.push(label, TransactWriteItem::builder().delete(delete).build());
    }
}

fn backend(error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(error.to_string())
}

pub fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// Builds an item: keys, optional index keys, the entity type and the entity under `data`.
pub fn item<T: Serialize>(key: &Key, gsi1: Option<&IndexKey>, gsi2: Option<&IndexKey>, kind: &str, data: &T) -> Item {
    let mut item = Item::new();
    item.insert(PK.into(), s(&key.pk));
    item.insert(SK.into(), s(&key.sk));
    if let Some(index) = gsi1 {
        item.insert(GSI1PK.into(), s(&index.pk));
        item.insert(GSI1SK.into(), s(&index.sk));
    }
    if let Some(index) = gsi2 {
        item.insert(GSI2PK.into(), s(&index.pk));
        item.insert(GSI2SK.into(), s(&index.sk));
    }
    item.insert("type".into(), s(kind));
    let data = serde_dynamo::to_attribute_value(data).expect("domain entities serialise to DynamoDB values");
    item.insert("data".into(), data);
    item
}

pub fn decode<T: DeserializeOwned>(item: &Item) -> Result<T, StoreError> {
    let data = item.get("data").ok_or_else(|| StoreError::Decode("item has no data".into()))?;
    serde_dynamo::from_attribute_value(data.clone()).map_err(|e| StoreError::Decode(e.to_string()))
}

fn encode_cursor(key: &Item) -> String {
    let plain: HashMap<&str, &str> =
        key.iter().filter_map(|(name, value)| value.as_s().ok().map(|v| (name.as_str(), v.as_str()))).collect();
    let json = serde_json::to_vec(&plain).expect("string map serialises");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// A cursor is only accepted for the partition it was issued for.
fn decode_cursor(cursor: &str, partition_attribute: &str, partition: &str) -> Result<Item, StoreError> {
    let json =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).map_err(|_| StoreError::InvalidCursor)?;
    let plain: HashMap<String, String> = serde_json::from_slice(&json).map_err(|_| StoreError::InvalidCursor)?;
    if plain.get(partition_attribute).map(String::as_str) != Some(partition)
        || !plain.contains_key(PK)
        || !plain.contains_key(SK)
    {
        return Err(StoreError::InvalidCursor);
    }
    Ok(plain.into_iter().map(|(name, value)| (name, AttributeValue::S(value))).collect())
}
