//! Every item's keys come from here, and only from here. The table is a single table with
//! overloaded keys `PK`/`SK` and two overloaded indexes `GSI1` and `GSI2`; docs/ACCESS-PATTERNS.md
//! lists which access pattern reads which key.

use ewokiss_domain::history::ObjectKind;
use ewokiss_domain::ids::{PersonId, TaskId, UnitId};
use ewokiss_domain::person::{Person, PersonStatus};
use ewokiss_domain::search;
use ewokiss_domain::task::Task;
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

// ---- staff directory ---------------------------------------------------------------------

pub const STAFF_DIRECTORY: &str = "STAFF";

pub fn staff_user(user_id: &str) -> Key {
    Key::new(STAFF_DIRECTORY, format!("USER#{user_id}"))
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
