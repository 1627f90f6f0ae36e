//! Trainings, venues, enrolments and the outbox. Seats are a counter item per training,
//! changed only by conditional updates inside the same transaction as the enrolment they
//! admit, so no number of concurrent requests overbooks a training.

use aws_sdk_dynamodb::types::ReturnValue;
use ewokiss_domain::enrolment::{Enrolment, EnrolmentStatus};
use ewokiss_domain::history::ContactEvent;
use ewokiss_domain::ids::{PersonId, TrainingId, VenueId};
use ewokiss_domain::notification::Notification;
use ewokiss_domain::training::{Phase, Training, Venue};
use serde::Serialize;
use utoipa::ToSchema;

use super::{item, n, s, Expression, Page, Query, StoreError, Table, Transaction};
use crate::keys;

/// Seats of a training as the counter item holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Seats {
    pub capacity: u32,
    pub taken: u32,
}

fn training_item(training: &Training) -> super::Item {
    item(
        &keys::training(training.id),
        Some(&keys::training_by_month(training)),
        Some(&keys::training_by_phase(training)),
        "training",
        training,
    )
}

fn start_key(training: &Training) -> String {
    training.starts_on().map(|d| d.to_string()).unwrap_or_else(|| "9999-12-31".into())
}

fn enrolment_item(enrolment: &Enrolment, training: &Training) -> super::Item {
    let start = start_key(training);
    let mut item = item(
        &keys::enrolment(enrolment.training_id, enrolment.person_id),
        keys::waitlist_entry(enrolment).as_ref(),
        Some(&keys::enrolment_of_person(enrolment, &start)),
        "enrolment",
        enrolment,
    );
    let tree = keys::enrolment_in_tree(enrolment, &start);
    item.insert(keys::GSI3PK.into(), s(&tree.pk));
    item.insert(keys::GSI3SK.into(), s(&tree.sk));
    item
}

pub(crate) fn outbox_item(notification: &Notification) -> super::Item {
    item(&keys::outbox(notification.id), Some(&keys::outbox_pending(notification)), None, "outbox", notification)
}

fn history_items(tx: &mut Transaction, table: &Table, event: &ContactEvent) {
    let id = event.id.to_string();
    for link in &event.links {
        tx.create(table, "event", item(&keys::history_entry(link.kind, &link.id, &id), None, None, "event", event));
    }
}

// ---- venues ------------------------------------------------------------------------------

pub async fn create_venue(table: &Table, venue: &Venue) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.create(table, "venue", item(&keys::venue(venue.id), Some(&keys::venue_by_name(venue)), None, "venue", venue));
    table.transact(tx).await
}

pub async fn update_venue(table: &Table, before: &Venue, after: &Venue) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.replace_versioned(
        table,
        item(&keys::venue(after.id), Some(&keys::venue_by_name(after)), None, "venue", after),
        before.version,
    );
    table.transact(tx).await
}

pub async fn get_venue(table: &Table, id: VenueId) -> Result<Option<Venue>, StoreError> {
    table.get(&keys::venue(id)).await
}

pub async fn venues(table: &Table) -> Result<Vec<Venue>, StoreError> {
    Ok(table.query(Query::index(keys::GSI1, keys::ALL_VENUES)).await?.items)
}

// ---- trainings ---------------------------------------------------------------------------

/// A new training with its seat counter and its first history entry.
pub async fn create_training(table: &Table, training: &Training, event: &ContactEvent) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.create(table, "training", training_item(training));
    tx.update(
        table,
        "seats",
        &keys::seats(training.id),
        Expression {
            update: "SET #capacity = :capacity, #taken = :zero, #arrivals = :zero".into(),
            condition: Some("attribute_not_exists(PK)".into()),
            names: seat_names(),
            values: vec![(":capacity".into(), n(training.capacity)), (":zero".into(), n(0))],
        },
    );
    history_items(&mut tx, table, event);
    table.transact(tx).await
}

fn seat_names() -> Vec<(String, String)> {
    vec![
        ("#capacity".into(), "capacity".into()),
        ("#taken".into(), "taken".into()),
        ("#arrivals".into(), "arrivals".into()),
    ]
}

/// Saves a changed training (version-checked); a new capacity goes to the counter in the same
/// transaction and may not fall below the seats already taken.
pub async fn update_training(
    table: &Table,
    before: &Training,
    after: &Training,
    event: Option<&ContactEvent>,
) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.replace_versioned(table, training_item(after), before.version);
    if before.capacity != after.capacity {
        tx.update(
            table,
            "capacity",
            &keys::seats(after.id),
            Expression {
                update: "SET #capacity = :capacity".into(),
                condition: Some("#taken <= :capacity".into()),
                names: vec![("#capacity".into(), "capacity".into()), ("#taken".into(), "taken".into())],
                values: vec![(":capacity".into(), n(after.capacity))],
            },
        );
    }
    if let Some(event) = event {
        history_items(&mut tx, table, event);
    }
    table.transact(tx).await
}

pub async fn get_training(table: &Table, id: TrainingId) -> Result<Option<Training>, StoreError> {
    table.get(&keys::training(id)).await
}

pub async fn seats(table: &Table, id: TrainingId) -> Result<Seats, StoreError> {
    let output = table
        .client
        .get_item()
        .table_name(&*table.name)
        .key(keys::PK, s(&keys::seats(id).pk))
        .key(keys::SK, s(&keys::seats(id).sk))
        .consistent_read(true)
        .send()
        .await?;
    let item = output.item.ok_or_else(|| StoreError::Decode(format!("training {id} has no seat counter")))?;
    let number =
        |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    Ok(Seats { capacity: number("capacity"), taken: number("taken") })
}

fn seats_from(item: &super::Item) -> Seats {
    let number =
        |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    Seats { capacity: number("capacity"), taken: number("taken") }
}

/// The seats of several trainings in one call (eventually consistent: for lists).
pub async fn seats_of(
    table: &Table,
    ids: &[TrainingId],
) -> Result<std::collections::HashMap<TrainingId, Seats>, StoreError> {
    let keys: Vec<keys::Key> = ids.iter().map(|id| keys::seats(*id)).collect();
    let items = table.get_many(&keys).await?;
    Ok(items
        .iter()
        .filter_map(|item| {
            let pk = item.get(keys::PK)?.as_s().ok()?;
            let id = TrainingId::parse(pk.strip_prefix("TRAINING#")?).ok()?;
            Some((id, seats_from(item)))
        })
        .collect())
}

/// Several trainings by id in one call.
pub async fn trainings_by_id(table: &Table, ids: &[TrainingId]) -> Result<Vec<Training>, StoreError> {
    let keys: Vec<keys::Key> = ids.iter().map(|id| keys::training(*id)).collect();
    table.get_many(&keys).await?.iter().map(super::decode).collect()
}

pub async fn trainings_in_phase(
    table: &Table,
    phase: Phase,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Training>, StoreError> {
    let partition = keys::trainings_phase_partition(phase.code());
    table.query(Query::index(keys::GSI2, &partition).page(limit, cursor)).await
}

pub async fn trainings_in_month(
    table: &Table,
    month: &str,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Training>, StoreError> {
    let partition = keys::trainings_month_partition(month);
    table.query(Query::index(keys::GSI1, &partition).page(limit, cursor)).await
}

// ---- enrolments --------------------------------------------------------------------------

/// How an enrolment request ended.
#[derive(Debug)]
pub enum EnrolOutcome {
    /// Stored as given (a seat or the waiting list).
    Stored(Enrolment),
    /// The person already has a live enrolment on the training: nothing written.
    AlreadyEnrolled(Enrolment),
}

/// Takes a seat: `taken + 1`, only while `taken < capacity`.
fn take_seat() -> Expression {
    Expression {
        update: "SET #taken = #taken + :one".into(),
        condition: Some("#taken < #capacity".into()),
        names: vec![("#taken".into(), "taken".into()), ("#capacity".into(), "capacity".into())],
        values: vec![(":one".into(), n(1))],
    }
}

/// The condition under which an enrolment may be (re)written: none yet, or a cancelled one.
fn new_enrolment_condition() -> Expression {
    Expression {
        condition: Some("attribute_not_exists(PK) OR #data.#status = :cancelled".into()),
        names: vec![("#data".into(), "data".into()), ("#status".into(), "status".into())],
        values: vec![(":cancelled".into(), s(EnrolmentStatus::Cancelled.code()))],
        ..Default::default()
    }
}

/// Enrols atomically: a seat when `taken < capacity` (counter incremented in the same
/// transaction), otherwise a place on the waiting list numbered by the `arrivals` counter.
/// `make` builds the enrolment for the admission and arrival number; `notify` its outbox entry.
pub async fn enrol(
    table: &Table,
    training: &Training,
    make: impl Fn(ewokiss_domain::enrolment::Admission, u64) -> Enrolment,
    notify: impl Fn(&Enrolment) -> Notification,
    events: impl Fn(&Enrolment) -> ContactEvent,
) -> Result<EnrolOutcome, StoreError> {
    use ewokiss_domain::enrolment::Admission;
    let seated = make(Admission::Seat, 0);
    let mut tx = Transaction::default();
    tx.put_if(table, "enrolment", enrolment_item(&seated, training), new_enrolment_condition());
    tx.update(table, "seats", &keys::seats(training.id), take_seat());
    tx.create(table, "outbox", outbox_item(&notify(&seated)));
    history_items(&mut tx, table, &events(&seated));
    match table.transact(tx).await {
        Ok(()) => return Ok(EnrolOutcome::Stored(seated)),
        Err(StoreError::ConditionFailed { label: "enrolment" }) => return existing(table, &seated).await,
        Err(StoreError::ConditionFailed { label: "seats" }) => {}
        Err(other) => return Err(other),
    }
    // Full: take an arrival number, then join the waiting list — unless a seat freed meanwhile,
    // in which case the seat path is tried again by the caller's retry.
    let arrival = next_arrival(table, training.id).await?;
    let waiting = make(Admission::Waitlist, arrival);
    let mut tx = Transaction::default();
    tx.put_if(table, "enrolment", enrolment_item(&waiting, training), new_enrolment_condition());
    tx.check(
        table,
        "seat-freed",
        &keys::seats(training.id),
        Expression {
            condition: Some("#taken >= #capacity".into()),
            names: vec![("#taken".into(), "taken".into()), ("#capacity".into(), "capacity".into())],
            ..Default::default()
        },
    );
    tx.create(table, "outbox", outbox_item(&notify(&waiting)));
    history_items(&mut tx, table, &events(&waiting));
    match table.transact(tx).await {
        Ok(()) => Ok(EnrolOutcome::Stored(waiting)),
        Err(StoreError::ConditionFailed { label: "enrolment" }) => existing(table, &waiting).await,
        Err(other) => Err(other),
    }
}

async fn existing(table: &Table, attempted: &Enrolment) -> Result<EnrolOutcome, StoreError> {
    let current = get_enrolment(table, attempted.training_id, attempted.person_id)
        .await?
        .ok_or_else(|| StoreError::Backend("enrolment vanished during a retry".into()))?;
    Ok(EnrolOutcome::AlreadyEnrolled(current))
}

async fn next_arrival(table: &Table, training_id: TrainingId) -> Result<u64, StoreError> {
    let key = keys::seats(training_id);
    let output = table
        .client
        .update_item()
        .table_name(&*table.name)
        .key(keys::PK, s(&key.pk))
        .key(keys::SK, s(&key.sk))
        .update_expression("SET #arrivals = #arrivals + :one")
        .expression_attribute_names("#arrivals", "arrivals")
        .expression_attribute_values(":one", n(1))
        .return_values(ReturnValue::UpdatedNew)
        .send()
        .await?;
    output
        .attributes
        .and_then(|attributes| attributes.get("arrivals").and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()))
        .ok_or_else(|| StoreError::Decode("arrival counter missing".into()))
}

pub async fn get_enrolment(
    table: &Table,
    training_id: TrainingId,
    person_id: PersonId,
) -> Result<Option<Enrolment>, StoreError> {
    table.get(&keys::enrolment(training_id, person_id)).await
}

/// Saves a changed enrolment (version-checked) with its outbox entry and history; `seat_delta`
/// moves the seat counter in the same transaction (+1 guarded by capacity, −1 freed).
pub async fn change_enrolment(
    table: &Table,
    training: &Training,
    before: &Enrolment,
    after: &Enrolment,
    seat_delta: i32,
    notification: Option<&Notification>,
    event: Option<&ContactEvent>,
) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    if before.person_id != after.person_id {
        // A substitution: the seat moves to the colleague's key.
        tx.delete(table, &keys::enrolment(before.training_id, before.person_id));
        tx.put_if(table, "enrolment", enrolment_item(after, training), new_enrolment_condition());
    } else {
        tx.replace_versioned(table, enrolment_item(after, training), before.version);
    }
    match seat_delta {
        0 => {}
        1 => tx.update(table, "seats", &keys::seats(training.id), take_seat()),
        _ => tx.update(
            table,
            "seats",
            &keys::seats(training.id),
            Expression {
                update: "SET #taken = #taken - :one".into(),
                condition: Some("#taken > :zero".into()),
                names: vec![("#taken".into(), "taken".into())],
                values: vec![(":one".into(), n(1)), (":zero".into(), n(0))],
            },
        ),
    }
    if let Some(notification) = notification {
        tx.create(table, "outbox", outbox_item(notification));
    }
    if let Some(event) = event {
        history_items(&mut tx, table, event);
    }
    table.transact(tx).await
}

/// The first on the waiting list (lowest arrival number).
pub async fn first_waiting(table: &Table, training_id: TrainingId) -> Result<Option<Enrolment>, StoreError> {
    let partition = keys::waitlist_partition(training_id);
    Ok(table.query::<Enrolment>(Query::index(keys::GSI1, &partition).page(1, None)).await?.items.into_iter().next())
}

/// How many wait ahead of the arrival number `seq`.
pub async fn waiting_before(table: &Table, training_id: TrainingId, seq: u64) -> Result<u64, StoreError> {
    let partition = keys::waitlist_partition(training_id);
    let output = table
        .client
        .query()
        .table_name(&*table.name)
        .index_name(keys::GSI1)
        .key_condition_expression("#pk = :pk AND #sk < :seq")
        .expression_attribute_names("#pk", keys::GSI1PK)
        .expression_attribute_names("#sk", keys::GSI1SK)
        .expression_attribute_values(":pk", s(&partition))
        .expression_attribute_values(":seq", s(&format!("{seq:012}")))
        .select(aws_sdk_dynamodb::types::Select::Count)
        .send()
        .await?;
    Ok(output.count.max(0) as u64)
}

pub async fn enrolments_of_training(table: &Table, training_id: TrainingId) -> Result<Vec<Enrolment>, StoreError> {
    let partition = keys::training(training_id).pk;
    table.query_all(Query::table(&partition).prefix(keys::ENROLMENT_PREFIX), 500).await
}

pub async fn enrolments_of_person(
    table: &Table,
    person_id: PersonId,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Enrolment>, StoreError> {
    let partition = keys::person_enrolments_partition(person_id);
    table.query(Query::index(keys::GSI2, &partition).newest_first().page(limit, cursor)).await
}

/// Enrolments of the persons of a unit and its sub-units.
pub async fn enrolments_of_unit_tree(
    table: &Table,
    unit_path: &[ewokiss_domain::ids::UnitId],
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<Enrolment>, StoreError> {
    let partition = keys::tree_partition(unit_path[0]);
    let prefix = keys::path_prefix(unit_path);
    table.query(Query::index(keys::GSI3, &partition).prefix(&prefix).page(limit, cursor)).await
}

/// An outbox entry on its own (e.g. a reminder); fails with `outbox` if it exists already.
pub async fn add_notification(table: &Table, notification: &Notification) -> Result<(), StoreError> {
    let mut tx = Transaction::default();
    tx.create(table, "outbox", outbox_item(notification));
    table.transact(tx).await
}

pub async fn pending_notifications(table: &Table, limit: i32) -> Result<Vec<Notification>, StoreError> {
    Ok(table.query(Query::index(keys::GSI1, keys::OUTBOX_PENDING).page(limit, None)).await?.items)
}
