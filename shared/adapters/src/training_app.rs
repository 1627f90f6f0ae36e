//! Training use cases: trainings and venues for staff, enrolment for staff, administrators and
//! participants (each within their scope), cancellation with automatic promotion from the
//! waiting list, substitution and attendance. Every change that a person should hear about
//! writes its outbox entry in the same transaction.

use chrono::Utc;
use ewokiss_domain::access::{Actor, Role};
use ewokiss_domain::enrolment::{self, Admission, Enrolment, EnrolmentRuleError, EnrolmentStatus};
use ewokiss_domain::errors::FieldError;
use ewokiss_domain::history::{ContactEvent, EventKind, ObjectKind, ObjectRef, UserRef};
use ewokiss_domain::ids::{EventId, PersonId, TrainingId, VenueId};
use ewokiss_domain::notification::{Notification, NotificationKind};
use ewokiss_domain::person::Person;
use ewokiss_domain::time;
use ewokiss_domain::training::{
    Phase, References, TrainerRef, Training, TrainingInput, TrainingKind, TransitionFacts, Venue, VenueInput,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{staff_only, Registry};

/// The training's history entry of a phase change.
fn phase_event(training: &Training, change: &ewokiss_domain::training::PhaseChange, by: &UserRef) -> ContactEvent {
    ContactEvent {
        id: EventId::generate(),
        kind: EventKind::Training,
        at: change.at,
        author: by.clone(),
        subject: format!("Zmiana fazy: {} → {}", change.from.code(), change.to.code()),
        body: None,
        links: vec![training_ref(training)],
    }
}
use crate::dynamo::registry as people;
use crate::dynamo::trainings::{self as store, EnrolOutcome, Seats};
use crate::dynamo::{Page, StoreError};
use crate::http::{ApiError, Message};

/// The training card: the record, its seats and every enrolment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrainingCard {
    pub training: Training,
    pub seats: Seats,
    pub enrolments: Vec<Enrolment>,
}

/// A training as the extranet shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrainingOffer {
    pub training: Training,
    pub seats: Seats,
}

/// A training in a list, with its seats.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrainingWithSeats {
    #[serde(flatten)]
    pub training: Training,
    pub seats: Option<Seats>,
}

/// What an enrolment list shows of its training.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrainingSummary {
    pub id: TrainingId,
    pub title: String,
    pub phase: Phase,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
}

impl From<&Training> for TrainingSummary {
    fn from(training: &Training) -> Self {
        Self {
            id: training.id,
            title: training.title.clone(),
            phase: training.phase,
            starts_on: training.starts_on(),
            ends_on: training.ends_on(),
            venue: training.venue.as_ref().map(|v| v.name.clone()).or_else(|| training.online.then(|| "online".into())),
        }
    }
}

/// An enrolment with its training's title, dates and phase (also of trainings since cancelled).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnrolmentView {
    #[serde(flatten)]
    pub enrolment: Enrolment,
    pub training: Option<TrainingSummary>,
}

/// How a unit uses the trainings: its persons' enrolments, latest first, and a count per year.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitTrainingStats {
    pub enrolments: Vec<EnrolmentView>,
    /// Year of the training's start → persons sent (not counting cancellations).
    pub per_year: std::collections::BTreeMap<i32, u32>,
}

/// The invited list resolved into the units it names today (criteria and hand-picked).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitedUnits {
    pub invited: ewokiss_domain::training::InvitedList,
    pub units: Vec<crate::dynamo::registry::ChildUnit>,
    /// Persons invited individually.
    pub person_ids: Vec<PersonId>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrolInput {
    /// Persons to enrol (an administrator: of the own unit and its sub-units; a participant:
    /// only the own id, or none for self).
    #[serde(default)]
    pub person_ids: Vec<String>,
}

/// The result for one person of an enrolment request.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnrolResult {
    pub person_id: String,
    /// `enrolled`, `waitlisted`, `already` (nothing changed) or `refused`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrolment: Option<Enrolment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<FieldError>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelInput {
    pub reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubstituteInput {
    /// The colleague (same unit) who takes the seat.
    pub person_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhaseInput {
    /// The phase to move to: the next one of the kind, or `cancelled`.
    pub to: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttendanceInput {
    pub person_id: Option<String>,
    /// 0-based index of the session.
    pub session: Option<usize>,
    pub present: Option<bool>,
}

fn rule(error: EnrolmentRuleError) -> ApiError {
    ApiError::field(error.field_error())
}

pub fn training_id(raw: &str) -> Result<TrainingId, ApiError> {
    TrainingId::parse(raw).map_err(|e| ApiError::BadRequest(vec![FieldError::from_value("id", &e)]))
}

pub fn venue_id(raw: &str) -> Result<VenueId, ApiError> {
    VenueId::parse(raw).map_err(|e| ApiError::BadRequest(vec![FieldError::from_value("id", &e)]))
}

fn training_ref(training: &Training) -> ObjectRef {
    ObjectRef { kind: ObjectKind::Training, id: training.id.to_string(), label: Some(training.title.clone()) }
}

/// The history entry of an enrolment change, in the person's, the unit's and the training's timeline.
fn enrolment_event(training: &Training, enrolment: &Enrolment, subject: &str, author: &UserRef) -> ContactEvent {
    ContactEvent {
        id: EventId::generate(),
        kind: EventKind::Enrolment,
        at: Utc::now(),
        author: author.clone(),
        subject: format!("{subject}: {}", training.title),
        body: None,
        links: vec![
            ObjectRef {
                kind: ObjectKind::Person,
                id: enrolment.person_id.to_string(),
                label: Some(enrolment.person_name.clone()),
            },
            ObjectRef { kind: ObjectKind::Unit, id: enrolment.unit_id.to_string(), label: None },
            training_ref(training),
        ],
    }
}

/// An administrator acting for someone else gets a copy of the e-mail (if the sender copies).
fn admin_copy(actor: &Actor, person: PersonId) -> Option<String> {
    (actor.role == Role::UnitAdmin && actor.person_id != Some(person)).then(|| actor.email.clone()).flatten()
}

fn subject_of(status: EnrolmentStatus) -> &'static str {
    match status {
        EnrolmentStatus::Waitlisted => "Zapis na listę rezerwową",
        _ => "Zapis na szkolenie",
    }
}

impl Registry {
    // ---- catalogue and venues ------------------------------------------------------------

    pub fn training_kinds(&self) -> Vec<TrainingKind> {
        TrainingKind::catalogue()
    }

    pub async fn venues(&self, actor: &Actor) -> Result<Vec<Venue>, ApiError> {
        staff_only(actor)?;
        Ok(store::venues(&self.table).await?)
    }

    pub async fn create_venue(&self, actor: &Actor, input: VenueInput) -> Result<Venue, ApiError> {
        staff_only(actor)?;
        let venue = input.create(Utc::now())?;
        store::create_venue(&self.table, &venue).await?;
        Ok(venue)
    }

    pub async fn update_venue(&self, actor: &Actor, id: VenueId, input: VenueInput) -> Result<Venue, ApiError> {
        staff_only(actor)?;
        let current = store::get_venue(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        if input.version.is_some_and(|v| v != current.version) {
            return Err(ApiError::stale_version());
        }
        let next = input.update(&current, Utc::now())?;
        store::update_venue(&self.table, &current, &next).await?;
        Ok(next)
    }

    // ---- trainings (staff) ---------------------------------------------------------------

    async fn references(&self, actor: &Actor, input: &TrainingInput) -> Result<References, ApiError> {
        let venue = match input.venue_id() {
            Some(id) => store::get_venue(&self.table, id).await?,
            None => None,
        };
        let mut trainers = Vec::new();
        for id in input.trainer_ids() {
            if let Some(person) = people::get_person(&self.table, id).await? {
                trainers.push(TrainerRef { person_id: person.id, name: person.full_name() });
            }
        }
        let owner = match input.owner_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() && id != actor.user_id => people::staff_user(&self.table, id).await?,
            _ => Some(actor.as_user_ref()),
        };
        Ok(References { venue, trainers, owner })
    }

    pub async fn create_training(&self, actor: &Actor, input: TrainingInput) -> Result<Training, ApiError> {
        staff_only(actor)?;
        let refs = self.references(actor, &input).await?;
        let owner = refs.owner.clone().unwrap_or_else(|| actor.as_user_ref());
        let training = input.create(&TrainingKind::catalogue(), &refs, owner, Utc::now())?;
        let event = ContactEvent {
            id: EventId::generate(),
            kind: EventKind::Training,
            at: training.created_at,
            author: actor.as_user_ref(),
            subject: "Utworzono szkolenie (faza: planowane)".into(),
            body: None,
            links: vec![training_ref(&training)],
        };
        store::create_training(&self.table, &training, &event).await?;
        Ok(training)
    }

    pub async fn update_training(
        &self,
        actor: &Actor,
        id: TrainingId,
        input: TrainingInput,
    ) -> Result<Training, ApiError> {
        staff_only(actor)?;
        let current = store::get_training(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        if input.version.is_some_and(|v| v != current.version) {
            return Err(ApiError::stale_version());
        }
        let refs = self.references(actor, &input).await?;
        let (next, _changes) = input.update(&current, &TrainingKind::catalogue(), &refs, Utc::now())?;
        match store::update_training(&self.table, &current, &next, None).await {
            Err(StoreError::ConditionFailed { label: "capacity" }) => Err(ApiError::field(FieldError::new(
                "capacity",
                "below_taken_seats",
                "Pojemność nie może być mniejsza niż liczba zajętych miejsc.",
                "Capacity cannot be lower than the seats already taken.",
            ))),
            other => other.map_err(ApiError::from),
        }?;
        // A larger capacity frees seats for the waiting list.
        if next.capacity > current.capacity {
            self.promote_waiting(&next, &actor.as_user_ref()).await?;
        }
        Ok(next)
    }

    pub async fn trainings(
        &self,
        actor: &Actor,
        phase: Option<Phase>,
        month: Option<&str>,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<TrainingWithSeats>, ApiError> {
        staff_only(actor)?;
        let page = match (phase, month) {
            (phase, Some(month)) => {
                let mut page = store::trainings_in_month(&self.table, month, limit, cursor).await?;
                if let Some(phase) = phase {
                    page.items.retain(|t| t.phase == phase);
                }
                page
            }
            (Some(phase), None) => store::trainings_in_phase(&self.table, phase, limit, cursor).await?,
            (None, None) => store::trainings_in_phase(&self.table, Phase::Recruiting, limit, cursor).await?,
        };
        Ok(Page { items: self.with_seats(page.items).await?, next: page.next })
    }

    pub async fn training_card(&self, actor: &Actor, id: TrainingId) -> Result<TrainingCard, ApiError> {
        staff_only(actor)?;
        let training = store::get_training(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        let (seats, enrolments) =
            tokio::try_join!(store::seats(&self.table, id), store::enrolments_of_training(&self.table, id))?;
        Ok(TrainingCard { training, seats, enrolments })
    }

    pub async fn change_phase(&self, actor: &Actor, id: TrainingId, input: PhaseInput) -> Result<Training, ApiError> {
        staff_only(actor)?;
        let to = input.to.as_deref().and_then(Phase::parse).ok_or_else(|| {
            ApiError::field(FieldError::new("to", "unknown_phase", "Nieznana faza.", "Unknown phase."))
        })?;
        let current = store::get_training(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        // "Wystaw transakcję": moving to settled settles the training's units first (and with
        // them other trainings whose last pending lines were theirs).
        if to == Phase::Settled && current.phase == Phase::Completed {
            let selection = ewokiss_domain::settlement::Selection::Training { training_id: id };
            let (_, completed) = Box::pin(self.settle_selection(&selection)).await?;
            for other in completed.into_iter().filter(|other| *other != id) {
                Box::pin(self.mark_training_settled(actor, other)).await?;
            }
        }
        let enrolments = store::enrolments_of_training(&self.table, id).await?;
        let facts = TransitionFacts {
            attendance_complete: enrolment::attendance_complete(&enrolments, &current.sessions),
            enrolled_count: enrolments.iter().filter(|e| e.status == EnrolmentStatus::Enrolled).count() as u32,
            settlement_complete: to == Phase::Settled && Box::pin(self.training_settlement_complete(&current)).await?,
        };
        let by = actor.as_user_ref();
        let (next, change) =
            current.transition(to, &facts, &by, Utc::now()).map_err(|e| ApiError::field(e.field_error()))?;
        let event = phase_event(&next, &change, &by);
        // Enrolments first: if anything fails, the training is not yet completed and the
        // transition can simply be retried (finalising an enrolment twice changes nothing).
        if to == Phase::Completed {
            self.complete_enrolments(&next, &enrolments).await?;
        }
        store::update_training(&self.table, &current, &next, Some(&event)).await?;
        if to == Phase::Cancelled {
            // Everyone on the training hears about it; their enrolments stay as they were.
            for enrolment in enrolments
                .iter()
                .filter(|e| matches!(e.status, EnrolmentStatus::Enrolled | EnrolmentStatus::Waitlisted))
            {
                let notification = Notification::new(
                    NotificationKind::TrainingCancelled,
                    next.id,
                    enrolment.id,
                    enrolment.person_id,
                    enrolment.version,
                    by.clone(),
                    change.at,
                );
                let touched = Enrolment { version: enrolment.version + 1, ..enrolment.clone() };
                store::change_enrolment(&self.table, &next, enrolment, &touched, 0, Some(&notification), None).await?;
            }
        }
        Ok(next)
    }

    /// Moves a completed training whose chargeable lines are all settled to "settled" (false:
    /// not completed, lines still pending, or changed meanwhile).
    pub(crate) async fn mark_training_settled(&self, actor: &Actor, id: TrainingId) -> Result<bool, ApiError> {
        let Some(current) = store::get_training(&self.table, id).await? else { return Ok(false) };
        if current.phase != Phase::Completed || !self.training_settlement_complete(&current).await? {
            return Ok(false);
        }
        let facts = TransitionFacts { attendance_complete: true, enrolled_count: 0, settlement_complete: true };
        let by = actor.as_user_ref();
        let Ok((next, change)) = current.transition(Phase::Settled, &facts, &by, Utc::now()) else { return Ok(false) };
        match store::update_training(&self.table, &current, &next, Some(&phase_event(&next, &change, &by))).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed { .. }) => Ok(false),
            Err(other) => Err(other.into()),
        }
    }

    /// At completion every enrolment gets its final status (attended / absent per the
    /// training's attendance rule) and whether it is charged (membership on the first day,
    /// no-shows and late cancellations) — what settlements will read.
    async fn complete_enrolments(&self, training: &Training, enrolments: &[Enrolment]) -> Result<(), ApiError> {
        let first_day = training.starts_on().unwrap_or_else(time::today);
        let mut membership = std::collections::HashMap::new();
        for enrolment in enrolments.iter().filter(|e| e.status != EnrolmentStatus::Waitlisted) {
            let is_member = match membership.get(&enrolment.unit_id) {
                Some(known) => *known,
                None => {
                    let unit = people::get_unit(&self.table, enrolment.unit_id).await?;
                    let known = unit.is_some_and(|u| u.membership.is_member_on(first_day));
                    membership.insert(enrolment.unit_id, known);
                    known
                }
            };
            let finished = enrolment.complete(training, is_member).map_err(rule)?;
            match store::change_enrolment(&self.table, training, enrolment, &finished, 0, None, None).await {
                // Completed already by an earlier, interrupted attempt: nothing to redo.
                Ok(()) | Err(StoreError::ConditionFailed { label: "version" }) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(())
    }

    /// The units a training's invited list selects now. A distance criterion skips units without
    /// coordinates (add them by hand).
    pub async fn invited_units(&self, actor: &Actor, id: TrainingId) -> Result<InvitedUnits, ApiError> {
        staff_only(actor)?;
        let training = store::get_training(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        self.resolve_invited(training.invited, training.venue.as_ref()).await
    }

    /// What a draft invited list would select, before it is saved on the training.
    pub async fn preview_invited(
        &self,
        actor: &Actor,
        input: ewokiss_domain::training::InvitedListInput,
        venue: Option<VenueId>,
    ) -> Result<InvitedUnits, ApiError> {
        staff_only(actor)?;
        let mut errors = ewokiss_domain::errors::ValidationErrors::default();
        let invited = input.parse(&mut errors);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let venue = match venue {
            Some(id) => store::get_venue(&self.table, id).await?,
            None => None,
        };
        self.resolve_invited(invited, venue.as_ref()).await
    }

    async fn resolve_invited(
        &self,
        invited: ewokiss_domain::training::InvitedList,
        venue: Option<&Venue>,
    ) -> Result<InvitedUnits, ApiError> {
        let today = time::today();
        let mut units = Vec::new();
        if !invited.criteria.is_empty() || !invited.unit_ids.is_empty() {
            units.extend(
                people::all_units(&self.table)
                    .await?
                    .into_iter()
                    .filter(|unit| invited.includes_unit(unit, venue, today))
                    .map(|unit| crate::dynamo::registry::ChildUnit { id: unit.id, name: unit.name, kind: unit.kind }),
            );
        }
        Ok(InvitedUnits { person_ids: invited.person_ids.clone(), invited, units })
    }

    // ---- enrolment -----------------------------------------------------------------------

    /// A training the caller may see: staff any; others only where its visibility allows.
    async fn visible_training(&self, actor: &Actor, id: TrainingId) -> Result<Training, ApiError> {
        let training = store::get_training(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        if actor.is_staff() {
            return Ok(training);
        }
        let unit_id = actor.unit_id.ok_or(ApiError::Forbidden)?;
        let unit = people::get_unit(&self.table, unit_id).await?.ok_or(ApiError::Forbidden)?;
        if training.shown_in_extranet(&unit.path()) {
            Ok(training)
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// Trainings open in the extranet for the caller's unit, with their seats.
    pub async fn offers(&self, actor: &Actor) -> Result<Vec<TrainingWithSeats>, ApiError> {
        let unit_id = actor.unit_id.ok_or(ApiError::Forbidden)?;
        let unit = people::get_unit(&self.table, unit_id).await?.ok_or(ApiError::Forbidden)?;
        let path = unit.path();
        // Offers are what one can enrol in: recruiting trainings (running ones show in "Zapisy").
        let page = store::trainings_in_phase(&self.table, Phase::Recruiting, 100, None).await?;
        let offers = page.items.into_iter().filter(|t| t.shown_in_extranet(&path)).collect();
        self.with_seats(offers).await
    }

    async fn with_seats(&self, trainings: Vec<Training>) -> Result<Vec<TrainingWithSeats>, ApiError> {
        let ids: Vec<TrainingId> = trainings.iter().map(|t| t.id).collect();
        let mut seats = store::seats_of(&self.table, &ids).await?;
        Ok(trainings
            .into_iter()
            .map(|training| TrainingWithSeats { seats: seats.remove(&training.id), training })
            .collect())
    }

    /// Enrolments with their trainings' summaries (one batch read for the page).
    async fn views(&self, enrolments: Vec<Enrolment>) -> Result<Vec<EnrolmentView>, ApiError> {
        let ids: Vec<TrainingId> = enrolments.iter().map(|e| e.training_id).collect();
        let trainings = store::trainings_by_id(&self.table, &ids).await?;
        Ok(enrolments
            .into_iter()
            .map(|enrolment| {
                let training = trainings.iter().find(|t| t.id == enrolment.training_id).map(TrainingSummary::from);
                EnrolmentView { enrolment, training }
            })
            .collect())
    }

    /// The persons of a unit (and its sub-units) on trainings, latest first, with a count per year.
    pub async fn unit_training_stats(
        &self,
        actor: &Actor,
        unit_id: ewokiss_domain::ids::UnitId,
    ) -> Result<UnitTrainingStats, ApiError> {
        let unit = self.unit(actor, unit_id).await?;
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = store::enrolments_of_unit_tree(&self.table, &unit.path(), 500, cursor.as_deref()).await?;
            all.extend(page.items);
            match page.next {
                Some(next) if all.len() < 5_000 => cursor = Some(next),
                _ => break,
            }
        }
        let mut views = self.views(all).await?;
        views.sort_by(|a, b| {
            let start = |v: &EnrolmentView| v.training.as_ref().and_then(|t| t.starts_on);
            start(b).cmp(&start(a))
        });
        let mut per_year = std::collections::BTreeMap::new();
        // Persons sent: not cancelled enrolments, on trainings that were not called off.
        let sent = |v: &&EnrolmentView| {
            v.enrolment.status != EnrolmentStatus::Cancelled
                && v.training.as_ref().is_some_and(|t| t.phase != Phase::Cancelled)
        };
        for view in views.iter().filter(sent) {
            if let Some(start) = view.training.as_ref().and_then(|t| t.starts_on) {
                *per_year.entry(chrono::Datelike::year(&start)).or_insert(0) += 1;
            }
        }
        views.truncate(200);
        Ok(UnitTrainingStats { enrolments: views, per_year })
    }

    pub async fn offer(&self, actor: &Actor, id: TrainingId) -> Result<TrainingOffer, ApiError> {
        let training = self.visible_training(actor, id).await?;
        let seats = store::seats(&self.table, id).await?;
        Ok(TrainingOffer { training, seats })
    }

    /// Who the caller may enrol: staff anyone; an administrator persons of the own subtree; a
    /// participant only themself.
    fn may_enrol(actor: &Actor, person: &Person) -> bool {
        match actor.role {
            Role::Staff => true,
            Role::UnitAdmin => actor.may_manage_unit(&person.unit_path),
            Role::Participant => actor.person_id == Some(person.id),
        }
    }

    pub async fn enrol(&self, actor: &Actor, id: TrainingId, input: EnrolInput) -> Result<Vec<EnrolResult>, ApiError> {
        let training = self.visible_training(actor, id).await?;
        let mut ids = input.person_ids;
        if ids.is_empty() {
            match actor.person_id {
                Some(own) if actor.role == Role::Participant => ids.push(own.to_string()),
                _ => return Err(ApiError::field(FieldError::required("personIds"))),
            }
        }
        if ids.len() > 50 {
            return Err(ApiError::field(FieldError::new(
                "personIds",
                "too_many",
                "Najwyżej 50 osób naraz.",
                "At most 50 persons at once.",
            )));
        }
        let now = Utc::now();
        let today = time::warsaw_date(now);
        let by = actor.as_user_ref();
        let mut results = Vec::new();
        for (index, raw) in ids.iter().enumerate() {
            let field = format!("personIds[{index}]");
            let refused = |error: FieldError| EnrolResult {
                person_id: raw.clone(),
                outcome: "refused".into(),
                enrolment: None,
                error: Some(error),
            };
            let person = match PersonId::parse(raw) {
                Ok(person_id) => people::get_person(&self.table, person_id).await?,
                Err(e) => {
                    results.push(refused(FieldError::from_value(field, &e)));
                    continue;
                }
            };
            let Some(person) = person.filter(|p| Self::may_enrol(actor, p)) else {
                if actor.role == Role::Participant {
                    return Err(ApiError::Forbidden);
                }
                results.push(refused(FieldError::new(
                    field,
                    "unknown_person",
                    "Nie ma takiej osoby w Twojej jednostce.",
                    "No such person in your unit.",
                )));
                continue;
            };
            if let Err(error) = Enrolment::check_enrol(&training, &person, today, actor.is_staff()) {
                results.push(refused(error.field_error()));
                continue;
            }
            let copy_to = admin_copy(actor, person.id);
            let make =
                |admission: Admission, arrival| Enrolment::new(&training, &person, admission, arrival, by.clone(), now);
            let notify = |enrolment: &Enrolment| {
                let kind = if enrolment.status == EnrolmentStatus::Waitlisted {
                    NotificationKind::Waitlisted
                } else {
                    NotificationKind::Enrolled
                };
                Notification::new(
                    kind,
                    training.id,
                    enrolment.id,
                    enrolment.person_id,
                    enrolment.version,
                    by.clone(),
                    now,
                )
                .with_copy_to(copy_to.clone())
            };
            let event =
                |enrolment: &Enrolment| enrolment_event(&training, enrolment, subject_of(enrolment.status), &by);
            let outcome = match store::enrol(&self.table, &training, make, notify, event).await {
                // A seat freed between the two attempts: the seat path again.
                Err(StoreError::ConditionFailed { label: "seat-freed" }) => {
                    store::enrol(&self.table, &training, make, notify, event).await?
                }
                other => other?,
            };
            results.push(match outcome {
                EnrolOutcome::Stored(enrolment) => EnrolResult {
                    person_id: raw.clone(),
                    outcome: enrolment.status.code().into(),
                    enrolment: Some(enrolment),
                    error: None,
                },
                EnrolOutcome::AlreadyEnrolled(enrolment) => EnrolResult {
                    person_id: raw.clone(),
                    outcome: "already".into(),
                    enrolment: Some(enrolment),
                    error: None,
                },
            });
        }
        Ok(results)
    }

    /// An enrolment the caller may act on (same scope rules as enrolling).
    async fn scoped_enrolment(
        &self,
        actor: &Actor,
        training: &Training,
        raw_person: &str,
    ) -> Result<Enrolment, ApiError> {
        let person_id = PersonId::parse(raw_person)
            .map_err(|e| ApiError::BadRequest(vec![FieldError::from_value("personId", &e)]))?;
        let enrolment = store::get_enrolment(&self.table, training.id, person_id).await?.ok_or(ApiError::NotFound)?;
        let allowed = match actor.role {
            Role::Staff => true,
            Role::UnitAdmin => actor.may_manage_unit(&enrolment.unit_path),
            Role::Participant => actor.person_id == Some(enrolment.person_id),
        };
        if allowed {
            Ok(enrolment)
        } else {
            Err(ApiError::NotFound)
        }
    }

    pub async fn cancel_enrolment(
        &self,
        actor: &Actor,
        id: TrainingId,
        person: &str,
        input: CancelInput,
    ) -> Result<Enrolment, ApiError> {
        let training = self.visible_training(actor, id).await?;
        let current = self.scoped_enrolment(actor, &training, person).await?;
        let by = actor.as_user_ref();
        let now = Utc::now();
        let (next, freed) =
            current.cancel(by.clone(), now, &training, actor.is_staff(), input.reason.as_deref()).map_err(rule)?;
        let notification = Notification::new(
            NotificationKind::Cancelled,
            training.id,
            next.id,
            next.person_id,
            next.version,
            by.clone(),
            now,
        )
        .with_copy_to(admin_copy(actor, next.person_id));
        let event = enrolment_event(&training, &next, &format!("Rezygnacja (zgłosił: {})", by.name), &by);
        store::change_enrolment(
            &self.table,
            &training,
            &current,
            &next,
            if freed { -1 } else { 0 },
            Some(&notification),
            Some(&event),
        )
        .await?;
        if freed {
            self.promote_waiting(&training, &by).await?;
        }
        Ok(next)
    }

    /// Fills free seats from the waiting list, first come first served, telling each promoted
    /// person. Stops when the seats are full or nobody waits; safe to run concurrently (each
    /// promotion takes its seat by a conditional update).
    pub async fn promote_waiting(&self, training: &Training, by: &UserRef) -> Result<u32, ApiError> {
        let mut promoted = 0;
        loop {
            let Some(first) = store::first_waiting(&self.table, training.id).await? else { return Ok(promoted) };
            let next = first.promote().map_err(rule)?;
            let now = Utc::now();
            let notification = Notification::new(
                NotificationKind::Promoted,
                training.id,
                next.id,
                next.person_id,
                next.version,
                by.clone(),
                now,
            );
            let event = enrolment_event(training, &next, "Przeniesienie z listy rezerwowej na listę uczestników", by);
            match store::change_enrolment(&self.table, training, &first, &next, 1, Some(&notification), Some(&event))
                .await
            {
                Ok(()) => promoted += 1,
                Err(StoreError::ConditionFailed { label: "seats" }) => return Ok(promoted),
                // Someone else promoted or cancelled them meanwhile: look again.
                Err(StoreError::ConditionFailed { label: "version" }) => continue,
                Err(other) => return Err(other.into()),
            }
        }
    }

    pub async fn substitute(
        &self,
        actor: &Actor,
        id: TrainingId,
        person: &str,
        input: SubstituteInput,
    ) -> Result<Enrolment, ApiError> {
        if actor.role == Role::Participant {
            return Err(ApiError::Forbidden);
        }
        let training = self.visible_training(actor, id).await?;
        let current = self.scoped_enrolment(actor, &training, person).await?;
        let raw = input
            .person_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::field(FieldError::required("personId")))?;
        let colleague_id = PersonId::parse(raw).map_err(|e| ApiError::field(FieldError::from_value("personId", &e)))?;
        let colleague = people::get_person(&self.table, colleague_id)
            .await?
            .filter(|p| Self::may_enrol(actor, p))
            .ok_or_else(|| {
                ApiError::field(FieldError::new(
                    "personId",
                    "unknown_person",
                    "Nie ma takiej osoby w Twojej jednostce.",
                    "No such person in your unit.",
                ))
            })?;
        let now = Utc::now();
        let next = current.substitute(&colleague, time::warsaw_date(now), &training).map_err(rule)?;
        let by = actor.as_user_ref();
        let notification = Notification::new(
            NotificationKind::Substituted,
            training.id,
            next.id,
            next.person_id,
            next.version,
            by.clone(),
            now,
        )
        .with_copy_to(admin_copy(actor, next.person_id));
        let mut event = enrolment_event(&training, &next, &format!("Zastępstwo za: {}", current.person_name), &by);
        event.links.push(ObjectRef {
            kind: ObjectKind::Person,
            id: current.person_id.to_string(),
            label: Some(current.person_name.clone()),
        });
        match store::change_enrolment(&self.table, &training, &current, &next, 0, Some(&notification), Some(&event))
            .await
        {
            Err(StoreError::ConditionFailed { label: "enrolment" }) => Err(ApiError::Conflict {
                code: "already_enrolled",
                message: Message {
                    pl: "Ta osoba jest już zapisana na to szkolenie.".into(),
                    en: "This person is already enrolled on this training.".into(),
                },
            }),
            other => other.map_err(ApiError::from),
        }?;
        Ok(next)
    }

    pub async fn mark_attendance(
        &self,
        actor: &Actor,
        id: TrainingId,
        input: AttendanceInput,
    ) -> Result<Enrolment, ApiError> {
        staff_only(actor)?;
        let training = store::get_training(&self.table, id).await?.ok_or(ApiError::NotFound)?;
        let raw = input.person_id.clone().ok_or_else(|| ApiError::field(FieldError::required("personId")))?;
        let current = self.scoped_enrolment(actor, &training, &raw).await?;
        let session = input.session.ok_or_else(|| ApiError::field(FieldError::required("session")))?;
        let present = input.present.ok_or_else(|| ApiError::field(FieldError::required("present")))?;
        let mut next = current.clone();
        next.mark_attendance(&training.sessions, session, present).map_err(rule)?;
        next.version = current.version + 1;
        store::change_enrolment(&self.table, &training, &current, &next, 0, None, None).await?;
        Ok(next)
    }

    /// The caller's enrolments: a participant's own; an administrator's unit tree.
    pub async fn my_enrolments(
        &self,
        actor: &Actor,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<EnrolmentView>, ApiError> {
        let page = match actor.role {
            Role::Participant => {
                let person = actor.person_id.ok_or(ApiError::Forbidden)?;
                store::enrolments_of_person(&self.table, person, limit, cursor).await?
            }
            Role::UnitAdmin => {
                let unit_id = actor.unit_id.ok_or(ApiError::Forbidden)?;
                let unit = people::get_unit(&self.table, unit_id).await?.ok_or(ApiError::Forbidden)?;
                store::enrolments_of_unit_tree(&self.table, &unit.path(), limit, cursor).await?
            }
            Role::Staff => return Err(ApiError::Forbidden),
        };
        Ok(Page { items: self.views(page.items).await?, next: page.next })
    }

    pub async fn person_enrolments(
        &self,
        actor: &Actor,
        person: PersonId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<EnrolmentView>, ApiError> {
        staff_only(actor)?;
        let page = store::enrolments_of_person(&self.table, person, limit, cursor).await?;
        Ok(Page { items: self.views(page.items).await?, next: page.next })
    }
}
