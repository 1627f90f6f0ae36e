//! Registry storage: units, persons, employments, contact history, audit trail, tasks, search
//! index and the staff directory. Each public function is one access pattern from
//! docs/ACCESS-PATTERNS.md; multi-item invariants are kept by single transactions.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::NaiveDate;
use ewokiss_domain::history::{AuditEntry, ContactEvent, ObjectKind, UserRef};
use ewokiss_domain::ids::{PersonId, TaskId, UnitId};
use ewokiss_domain::person::{Employment, Person};
use ewokiss_domain::search;
use ewokiss_domain::task::{Task, TaskStatus};
use ewokiss_domain::unit::{Unit, UnitKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{item, Filter, Page, Query, StoreError, Table, Transaction};
use crate::keys::{self, SearchKind};

/// A row of the search index: enough to show a result without reading the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchEntry {
    pub id: String,
    pub label: String,
    /// Secondary line: position and e-mail of a person, kind and TERYT of a unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    #[serde(default)]
    pub inactive: bool,
    /// Folded label, matched against the other words of a query.
    pub folded: String,
}

/// The child edge: what a unit card lists as sub-units without reading each of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChildUnit {
    pub id: UnitId,
    pub name: String,
    pub kind: UnitKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailClaim {
    person_id: PersonId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TerytClaim {
    unit_id: UnitId,
}

fn unit_search_entry(unit: &Unit) -> SearchEntry {
    let detail = match &unit.teryt {
        Some(code) => format!("{} · TERYT {code}", unit.kind),
        None => unit.kind.to_string(),
    };
    SearchEntry {
        id: unit.id.to_string(),
        label: unit.name.clone(),
        detail: Some(detail),
        unit_id: None,
        inactive: false,
        folded: search::fold(&unit.name),
    }
}

fn person_search_entry(person: &Person) -> SearchEntry {
    let detail: Vec<&str> =
        [person.position.as_deref(), person.email.as_ref().map(|e| e.as_str())].into_iter().flatten().collect();
    SearchEntry {
        id: person.id.to_string(),
        label: person.full_name(),
        detail: (!detail.is_empty()).then(|| detail.join(" · ")),
        unit_id: Some(person.unit_id.to_string()),
        inactive: !person.is_active(),
        folded: search::fold(&person.full_name()),
    }
}

/// Writes the search entries of `after` and deletes those of `before` that no longer apply.
fn reindex(
    tx: &mut Transaction,
    table: &Table,
    kind: SearchKind,
    id: &str,
    before: Option<&SearchEntry>,
    after: &SearchEntry,
) {
    let old: BTreeSet<String> = before.map(|e| search::tokens(&e.label).into_iter().collect()).unwrap_or_default();
    let new: BTreeSet<String> = search::tokens(&after.label).into_iter().collect();
    let searchable = |token: &String| token.chars().count() >= 2;
    for token in old.difference(&new).filter(|t| searchable(t)) {
        tx.delete(table, &keys::search_entry(kind, token, id));
    }
    if before != Some(after) {
        for token in new.iter().filter(|t| searchable(t)) {
            tx.put(table, item(&keys::search_entry(kind, token, id), None, None, "search", after));
        }
    }
}

fn unit_item(unit: &Unit) -> super::Item {
    item(&keys::unit(unit.id), Some(&keys::unit_by_name(unit)), keys::unit_by_powiat(unit).as_ref(), "unit", unit)
}

fn person_item(person: &Person) -> super::Item {
    item(&keys::person(person.id), Some(&keys::person_in_tree(person)), None, "person", person)
}

fn audit_item(kind: ObjectKind, id: &str, entry: &AuditEntry) -> super::Item {
    item(&keys::audit_entry(kind, id, &entry.id.to_string()), None, None, "audit", entry)
}

// ---- units -------------------------------------------------------------------------------

pub async fn get_unit(table: &Table, id: UnitId) -> Result<Option<Unit>, StoreError> {
    table.get(&keys::unit(id)).await
}

/// Creates a unit with its child edge, TERYT claim, search entries and audit entry.
pub async fn create_unit(table: &Table, unit: &Unit, audit: &AuditEntry) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.create(table, "unit", unit_item(unit));
    if let Some(code) = &unit.teryt {
        tx.create(
            table,
            "teryt",
            item(&keys::teryt_claim(code.as_str()), None, None, "claim", &TerytClaim { unit_id: unit.id }),
        );
    }
    if let Some(parent) = unit.parent_id {
        let edge = ChildUnit { id: unit.id, name: unit.name.clone(), kind: unit.kind };
        tx.put(table, item(&keys::unit_child(parent, unit.id), None, None, "child", &edge));
    }
    reindex(&mut tx, table, SearchKind::Unit, &unit.id.to_string(), None, &unit_search_entry(unit));
    tx.put(table, audit_item(ObjectKind::Unit, &unit.id.to_string(), audit));
    table.transact(tx).await
}

/// Saves a changed unit if nobody changed it meanwhile.
pub async fn update_unit(table: &Table, before: &Unit, after: &Unit, audit: &AuditEntry) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.replace_versioned(table, unit_item(after), before.version);
    if before.teryt != after.teryt {
        if let Some(old) = &before.teryt {
            tx.delete_if(
                table,
                "teryt-release",
                &keys::teryt_claim(old.as_str()),
                Some(("unitId", &before.id.to_string())),
            );
        }
        if let Some(new) = &after.teryt {
            tx.create(
                table,
                "teryt",
                item(&keys::teryt_claim(new.as_str()), None, None, "claim", &TerytClaim { unit_id: after.id }),
            );
        }
    }
    if before.parent_id != after.parent_id || before.name != after.name || before.kind != after.kind {
        if let Some(old_parent) = before.parent_id {
            tx.delete(table, &keys::unit_child(old_parent, before.id));
        }
        if let Some(parent) = after.parent_id {
            let edge = ChildUnit { id: after.id, name: after.name.clone(), kind: after.kind };
            tx.put(table, item(&keys::unit_child(parent, after.id), None, None, "child", &edge));
        }
    }
    reindex(
        &mut tx,
        table,
        SearchKind::Unit,
        &after.id.to_string(),
        Some(&unit_search_entry(before)),
        &unit_search_entry(after),
    );
    tx.put(table, audit_item(ObjectKind::Unit, &after.id.to_string(), audit));
    table.transact(tx).await
}

pub async fn unit_children(table: &Table, id: UnitId) -> Result<Vec<ChildUnit>, StoreError> {
    let partition = keys::unit(id).pk;
    let mut children = table.query::<ChildUnit>(Query::table(&partition).prefix(keys::CHILD_PREFIX)).await?.items;
    children.sort_by_cached_key(|child| search::fold(&child.name));
    Ok(children)
}

/// Which unit holds a TERYT code (duplicate detection on create).
pub async fn unit_with_teryt(table: &Table, code: &str) -> Result<Option<UnitId>, StoreError> {
    Ok(table.get::<TerytClaim>(&keys::teryt_claim(code)).await?.map(|claim| claim.unit_id))
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub kind: Option<UnitKind>,
    pub powiat: Option<String>,
    /// Member (or not) on this Warsaw date.
    pub member_on: Option<(bool, NaiveDate)>,
}

/// Every unit (a few hundred members: one or two pages), for selections by criteria.
pub async fn all_units(table: &Table) -> Result<Vec<Unit>, StoreError> {
    table.query_all(Query::index(keys::GSI1, keys::ALL_UNITS), 100).await
}

pub async fn list_units(
    table: &Table,
    filter: &UnitFilter,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Unit>, StoreError> {
    let partition = match &filter.powiat {
        Some(code) => keys::powiat_partition(code),
        None => keys::ALL_UNITS.to_owned(),
    };
    let index = if filter.powiat.is_some() { keys::GSI2 } else { keys::GSI1 };
    let mut clauses = Vec::new();
    let mut names = vec![("#data".to_owned(), "data".to_owned())];
    let mut values = Vec::new();
    if let Some(kind) = filter.kind {
        clauses.push("#data.#kind = :kind".to_owned());
        names.push(("#kind".into(), "kind".into()));
        values.push((":kind".to_owned(), AttributeValue::S(kind.code().into())));
    }
    if let Some((member, day)) = filter.member_on {
        names.push(("#membership".into(), "membership".into()));
        names.push(("#since".into(), "memberSince".into()));
        names.push(("#until".into(), "memberUntil".into()));
        values.push((":day".to_owned(), AttributeValue::S(day.to_string())));
        let is_member = "(#data.#membership.#since <= :day AND (attribute_not_exists(#data.#membership.#until) OR #data.#membership.#until >= :day))";
        clauses.push(if member { is_member.to_owned() } else { format!("NOT {is_member}") });
    }
    let mut query = Query::index(index, &partition).page(limit, cursor);
    if !clauses.is_empty() {
        query = query.filter(Filter { expression: clauses.join(" AND "), names, values });
    }
    table.query(query).await
}

// ---- persons -----------------------------------------------------------------------------

pub async fn get_person(table: &Table, id: PersonId) -> Result<Option<Person>, StoreError> {
    table.get(&keys::person(id)).await
}

/// Who holds an e-mail address among active persons.
pub async fn person_with_email(table: &Table, normalized_email: &str) -> Result<Option<PersonId>, StoreError> {
    Ok(table.get::<EmailClaim>(&keys::email_claim(normalized_email)).await?.map(|claim| claim.person_id))
}

/// Active persons of exactly this unit whose folded "last first" equals `sort_name`.
pub async fn same_name_in_unit(
    table: &Table,
    unit_path: &[UnitId],
    sort_name: &str,
) -> Result<Vec<Person>, StoreError> {
    let partition = keys::tree_partition(unit_path[0]);
    let prefix = format!("{}#A#{sort_name}#", keys::path_prefix(unit_path));
    Ok(table.query(Query::index(keys::GSI1, &partition).prefix(&prefix)).await?.items)
}

/// Persons of a unit (`subtree` = also of its sub-units); active only unless `include_left`.
pub async fn persons_of_unit(
    table: &Table,
    unit_path: &[UnitId],
    subtree: bool,
    include_left: bool,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Person>, StoreError> {
    let partition = keys::tree_partition(unit_path[0]);
    let mut prefix = keys::path_prefix(unit_path);
    if !subtree {
        prefix.push('#');
        if !include_left {
            prefix.push_str("A#");
        }
    }
    let mut query = Query::index(keys::GSI1, &partition).prefix(&prefix).page(limit, cursor);
    if subtree && !include_left {
        query = query.filter(Filter {
            expression: "#data.#status = :active".into(),
            names: vec![("#data".into(), "data".into()), ("#status".into(), "status".into())],
            values: vec![(":active".into(), AttributeValue::S("active".into()))],
        });
    }
    table.query(query).await
}

/// A new person with the e-mail claim, first employment, search entries and audit entry.
pub async fn create_person(
    table: &Table,
    person: &Person,
    employment: &Employment,
    audit: &AuditEntry,
) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.create(table, "person", person_item(person));
    if let Some(email) = person.held_email() {
        tx.create(
            table,
            "email",
            item(&keys::email_claim(email.as_str()), None, None, "claim", &EmailClaim { person_id: person.id }),
        );
    }
    tx.put(table, item(&keys::employment(person.id, employment.id), None, None, "employment", employment));
    reindex(&mut tx, table, SearchKind::Person, &person.id.to_string(), None, &person_search_entry(person));
    tx.put(table, audit_item(ObjectKind::Person, &person.id.to_string(), audit));
    table.transact(tx).await
}

/// Employment records written together with a person change (a move or a leave).
#[derive(Debug, Default)]
pub struct EmploymentChange<'a> {
    pub close: Option<&'a Employment>,
    pub open: Option<&'a Employment>,
}

/// Saves a changed person: version check, e-mail claim moved, employments, search, audit.
pub async fn update_person(
    table: &Table,
    before: &Person,
    after: &Person,
    employments: EmploymentChange<'_>,
    audit: &AuditEntry,
) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.replace_versioned(table, person_item(after), before.version);
    if before.held_email() != after.held_email() {
        if let Some(old) = before.held_email() {
            tx.delete_if(
                table,
                "email-release",
                &keys::email_claim(old.as_str()),
                Some(("personId", &before.id.to_string())),
            );
        }
        if let Some(new) = after.held_email() {
            tx.create(
                table,
                "email",
                item(&keys::email_claim(new.as_str()), None, None, "claim", &EmailClaim { person_id: after.id }),
            );
        }
    }
    for employment in [employments.close, employments.open].into_iter().flatten() {
        tx.put(table, item(&keys::employment(after.id, employment.id), None, None, "employment", employment));
    }
    reindex(
        &mut tx,
        table,
        SearchKind::Person,
        &after.id.to_string(),
        Some(&person_search_entry(before)),
        &person_search_entry(after),
    );
    tx.put(table, audit_item(ObjectKind::Person, &after.id.to_string(), audit));
    table.transact(tx).await
}

pub async fn employments(table: &Table, person_id: PersonId) -> Result<Vec<Employment>, StoreError> {
    let partition = keys::person(person_id).pk;
    Ok(table.query(Query::table(&partition).prefix(keys::EMPLOYMENT_PREFIX).newest_first()).await?.items)
}

pub async fn get_employment(
    table: &Table,
    person_id: PersonId,
    employment_id: uuid::Uuid,
) -> Result<Option<Employment>, StoreError> {
    table.get(&keys::employment(person_id, employment_id)).await
}

// ---- history and audit -------------------------------------------------------------------

/// Writes an event into the timeline of every object it is linked to, all or nothing.
pub async fn record_event(table: &Table, event: &ContactEvent) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    let id = event.id.to_string();
    for link in &event.links {
        tx.create(table, "event", item(&keys::history_entry(link.kind, &link.id, &id), None, None, "event", event));
    }
    table.transact(tx).await
}

pub async fn history(
    table: &Table,
    kind: ObjectKind,
    id: &str,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<ContactEvent>, StoreError> {
    let partition = keys::object_pk(kind, id);
    table.query(Query::table(&partition).prefix(keys::HISTORY_PREFIX).newest_first().page(limit, cursor)).await
}

pub async fn audit_trail(
    table: &Table,
    kind: ObjectKind,
    id: &str,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<AuditEntry>, StoreError> {
    let partition = keys::object_pk(kind, id);
    table.query(Query::table(&partition).prefix(keys::AUDIT_PREFIX).newest_first().page(limit, cursor)).await
}

// ---- tasks -------------------------------------------------------------------------------

pub(crate) fn task_items(tx: &mut Transaction, table: &Table, task: &Task, expected_version: Option<u64>) {
    let main = item(
        &keys::task(task.id),
        Some(&keys::task_by_status(task)),
        keys::task_by_assignee(task).as_ref(),
        "task",
        task,
    );
    match expected_version {
        None => tx.create(table, "task", main),
        Some(version) => tx.replace_versioned(table, main, version),
    }
    for link in &task.links {
        tx.put(table, item(&keys::task_link(link.kind, &link.id, task.id), None, None, "task-link", task));
    }
}

pub async fn create_task(table: &Table, task: &Task) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    task_items(&mut tx, table, task, None);
    table.transact(tx).await
}

/// Saves the task and refreshes its copies in the linked objects' partitions.
pub async fn update_task(table: &Table, before: &Task, after: &Task) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    task_items(&mut tx, table, after, Some(before.version));
    table.transact(tx).await
}

pub async fn get_task(table: &Table, id: TaskId) -> Result<Option<Task>, StoreError> {
    table.get(&keys::task(id)).await
}

pub async fn tasks_of_object(table: &Table, kind: ObjectKind, id: &str) -> Result<Vec<Task>, StoreError> {
    let partition = keys::object_pk(kind, id);
    Ok(table.query(Query::table(&partition).prefix(keys::TASK_LINK_PREFIX)).await?.items)
}

pub async fn tasks_by_status(
    table: &Table,
    status: TaskStatus,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Task>, StoreError> {
    let partition = keys::tasks_partition(status.code());
    table.query(Query::index(keys::GSI1, &partition).page(limit, cursor)).await
}

pub async fn tasks_of_assignee(
    table: &Table,
    user_id: &str,
    status: TaskStatus,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Task>, StoreError> {
    let partition = keys::assignee_partition(user_id, status.code());
    table.query(Query::index(keys::GSI2, &partition).page(limit, cursor)).await
}

// ---- staff directory ---------------------------------------------------------------------

pub async fn remember_staff_user(table: &Table, user: &UserRef) -> Result<(), StoreError> {
    table.put(item(&keys::staff_user(&user.id), None, None, "staff-user", user)).await
}

pub async fn staff_users(table: &Table) -> Result<Vec<UserRef>, StoreError> {
    Ok(table.query(Query::table(keys::STAFF_DIRECTORY)).await?.items)
}

pub async fn staff_user(table: &Table, user_id: &str) -> Result<Option<UserRef>, StoreError> {
    table.get(&keys::staff_user(user_id)).await
}

// ---- search ------------------------------------------------------------------------------

/// Records whose name has a word starting with the first query token and, for the other
/// tokens, a word starting with each of them. One query per kind.
pub async fn search(
    table: &Table,
    kind: SearchKind,
    tokens: &[String],
    limit: usize,
) -> Result<Vec<SearchEntry>, StoreError> {
    let Some(first) = tokens.first() else { return Ok(Vec::new()) };
    let partition = keys::search_partition(kind, first);
    let page: Page<SearchEntry> = table.query(Query::table(&partition).prefix(first).page(200, None)).await?;
    let mut seen = BTreeSet::new();
    let mut hits: Vec<SearchEntry> = page
        .items
        .into_iter()
        .filter(|entry| {
            let words: Vec<&str> = entry.folded.split(' ').collect();
            tokens[1..].iter().all(|token| words.iter().any(|word| word.starts_with(token.as_str())))
        })
        .filter(|entry| seen.insert(entry.id.clone()))
        .collect();
    hits.sort_by(|a, b| a.inactive.cmp(&b.inactive).then_with(|| a.folded.cmp(&b.folded)));
    hits.truncate(limit);
    Ok(hits)
}
