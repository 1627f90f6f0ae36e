//! Trainings (szkolenia): orders of a kind per business segment that move through phases, with
//! sessions, trainers, a venue snapshot, capacity, price, deadlines, visibility in the extranet
//! and the invited list. Calendar rules use Warsaw dates (`time::warsaw_date`): a deadline of
//! 25 October ends at midnight in Poland, not in UTC.
//!
//! The domain cannot count enrolments or see attendance; callers pass those as facts, and the
//! storage layer enforces the counted invariants (capacity) with conditional writes.

mod invite;
mod phase;
mod price;
mod venue;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{bounded_text, FieldError, ValidationErrors};
use crate::history::{ChangeSet, FieldChange, UserRef, BODY_MAX};
use crate::ids::{PersonId, TrainingId, UnitId, VenueId};
use crate::time::warsaw_date;
use crate::unit::Segment;
use crate::values::ValueError;

pub use invite::{InviteCriteria, InviteCriteriaInput, InvitedList, InvitedListInput};
pub use phase::{next_phase, Phase, TrainingKind};
pub use price::{parse_net, round_grosze, Price, VatTreatment, DEFAULT_EXEMPT_BASIS, VAT_RATES};
pub use venue::{distance_km, Coordinates, Venue, VenueInput};

pub const TITLE_MAX: usize = 200;
pub const DEFAULT_GO_NO_GO_DAYS: u32 = 7;
const GO_NO_GO_DAYS_MAX: u32 = 90;

/// One meeting of a training: a date, clock times (Warsaw) and the hours counted for the
/// certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub date: NaiveDate,
    #[schema(value_type = String, example = "09:00:00")]
    pub start: NaiveTime,
    #[schema(value_type = String, example = "15:00:00")]
    pub end: NaiveTime,
    /// Hours on the certificate: clock hours by default; academic hours (45 min) are allowed,
    /// so at most the length in minutes ÷ 45.
    #[schema(value_type = String, example = "6")]
    pub hours: Decimal,
}

impl Session {
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }

    /// Clock hours between start and end, to 2 places.
    pub fn clock_hours(&self) -> Decimal {
        (Decimal::from(self.minutes()) / Decimal::from(60))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    }

    fn max_hours(&self) -> Decimal {
        Decimal::from(self.minutes()) / Decimal::from(45)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionInput {
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// `HH:MM`.
    pub start: Option<String>,
    pub end: Option<String>,
    /// Certificate hours, e.g. `"6"` or `"7,5"`; absent = clock hours.
    pub hours: Option<String>,
}

fn parse_date(raw: &str) -> Result<NaiveDate, ValueError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| ValueError::InvalidDate)
}

fn parse_time(raw: &str, field: &str) -> Result<NaiveTime, FieldError> {
    let raw = raw.trim();
    NaiveTime::parse_from_str(raw, "%H:%M").or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S")).map_err(|_| {
        FieldError::new(
            field,
            "invalid_time",
            "Nieprawidłowa godzina (oczekiwano GG:MM, np. 09:30).",
            "Invalid time (expected HH:MM, e.g. 09:30).",
        )
    })
}

/// Parses sessions, reporting every bad field by index; returns them sorted by date and start.
/// Overlapping sessions are refused: the same people cannot be in two meetings at once.
fn parse_sessions(raw: Vec<SessionInput>, errors: &mut ValidationErrors) -> Vec<Session> {
    let mut sessions = Vec::new();
    for (index, input) in raw.into_iter().enumerate() {
        let field = |name: &str| format!("sessions[{index}].{name}");
        let date = errors.required(&field("date"), input.date.as_deref(), parse_date);
        let mut time = |name: &str, raw: Option<&str>| match raw.map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::required(field(name)));
                None
            }
            Some(raw) => parse_time(raw, &field(name)).map_err(|e| errors.push(e)).ok(),
        };
        let start = time("start", input.start.as_deref());
        let end = time("end", input.end.as_deref());
        let (Some(date), Some(start), Some(end)) = (date, start, end) else { continue };
        if end <= start {
            errors.push(FieldError::new(
                field("end"),
                "end_before_start",
                "Godzina zakończenia musi być późniejsza niż rozpoczęcia.",
                "The end time must be after the start time.",
            ));
            continue;
        }
        let mut session = Session { date, start, end, hours: Decimal::ZERO };
        session.hours = match input.hours.as_deref().map(str::trim) {
            None | Some("") => session.clock_hours(),
            Some(raw) => match raw.replace(',', ".").parse::<Decimal>() {
                Ok(hours)
                    if hours > Decimal::ZERO && hours <= session.max_hours() && hours.normalize().scale() <= 2 =>
                {
                    hours.normalize()
                }
                _ => {
                    errors.push(FieldError::new(
                        field("hours"),
                        "invalid_hours",
                        "Liczba godzin musi być większa od zera i nie większa niż czas trwania w godzinach lekcyjnych (45 min).",
                        "Hours must be greater than zero and at most the length in academic hours (45 min).",
                    ));
                    continue;
                }
            },
        };
        sessions.push(session);
    }
    sessions.sort_by_key(|s| (s.date, s.start));
    for pair in sessions.windows(2) {
        if pair[0].date == pair[1].date && pair[1].start < pair[0].end {
            errors.push(FieldError::new(
                "sessions",
                "sessions_overlap",
                format!("Zajęcia w dniu {} nakładają się na siebie.", pair[0].date),
                format!("Sessions on {} overlap.", pair[0].date),
            ));
        }
    }
    sessions
}

/// Where a training shows in the extranet. Staff see every training regardless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Visibility {
    Public,
    /// A closed training: shown to these units and their sub-units.
    Units {
        #[serde(rename = "unitIds")]
        unit_ids: Vec<UnitId>,
    },
    /// Never shown; staff enrol people themselves.
    Hidden,
}

impl Visibility {
    /// `unit_path` is the viewer's unit path (root … own unit): a training for a gmina is
    /// visible to the gmina's school, not the other way round.
    pub fn visible_to(&self, unit_path: &[UnitId]) -> bool {
        match self {
            Self::Public => true,
            Self::Units { unit_ids } => unit_path.iter().any(|id| unit_ids.contains(id)),
            Self::Hidden => false,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Units { .. } => "units",
            Self::Hidden => "hidden",
        }
    }
}

/// When an enrolled person counts as having attended (for certificates and settlement).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttendanceRule {
    #[default]
    AllSessions,
    /// Present for at least this percentage of the certificate hours.
    MinShareOfHours {
        #[schema(value_type = String, example = "80")]
        percent: Decimal,
    },
}

impl std::fmt::Display for AttendanceRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::AllSessions => f.write_str("all_sessions"),
            Self::MinShareOfHours { percent } => write!(f, "min_share_of_hours {percent}%"),
        }
    }
}

/// Which absences a training charges. Per training, both on by default; staff may still waive
/// one enrolment's charge (`Enrolment::charge_waived`). Fixed at completion like the price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct SettlementRules {
    /// A person absent (not meeting the attendance rule) is charged.
    pub charge_no_shows: bool,
    /// A cancellation after the cancellation deadline is charged.
    pub charge_late_cancellations: bool,
}

impl Default for SettlementRules {
    fn default() -> Self {
        Self { charge_no_shows: true, charge_late_cancellations: true }
    }
}

/// A trainer (prowadzący): a person record, internal or external, with the name at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrainerRef {
    pub person_id: PersonId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Training {
    pub id: TrainingId,
    pub kind_code: String,
    pub segment: Segment,
    /// The kind's phase list when the training was created (or its kind last changed).
    pub phases: Vec<Phase>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sorted by date and start.
    #[serde(default)]
    pub sessions: Vec<Session>,
    #[serde(default)]
    pub trainers: Vec<TrainerRef>,
    /// A snapshot: later edits of the venue list do not move a past training.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<Venue>,
    /// Held online: needs no venue.
    #[serde(default)]
    pub online: bool,
    pub capacity: u32,
    #[serde(default)]
    pub min_participants: u32,
    pub price: Price,
    /// Members attend within their membership fee.
    #[serde(default)]
    pub members_free: bool,
    /// Charging of no-shows and late cancellations (absent in older records = both charged).
    #[serde(default)]
    pub settlement_rules: SettlementRules,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolment_deadline: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_deadline: Option<NaiveDate>,
    pub go_no_go_days_before: u32,
    pub visibility: Visibility,
    #[serde(default)]
    pub attendance_rule: AttendanceRule,
    pub phase: Phase,
    #[serde(default)]
    pub invited: InvitedList,
    /// The staff member responsible (gets the go/no-go task).
    pub owner: UserRef,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A phase change, for the training's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PhaseChange {
    pub from: Phase,
    pub to: Phase,
    pub at: DateTime<Utc>,
    pub by: UserRef,
}

/// What the domain cannot see from the training record itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransitionFacts {
    /// Every seat-holding enrolment has attendance marked for every session.
    pub attendance_complete: bool,
    /// Persons holding a seat (status enrolled).
    pub enrolled_count: u32,
    /// Every chargeable enrolment is on a settlement.
    pub settlement_complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrainingRuleError {
    #[error("the training is {0} and cannot change any more")]
    Terminal(Phase),
    #[error("from {from} the next phase is {next:?}, not {to}")]
    NotNextPhase { from: Phase, to: Phase, next: Option<Phase> },
    #[error("a {0} training cannot be cancelled")]
    CannotCancel(Phase),
    #[error("the training has no session")]
    NoSessions,
    #[error("the training has no venue and is not online")]
    NoVenue,
    #[error("the training has no capacity")]
    NoCapacity,
    #[error("the training already started on {0}")]
    AlreadyStarted(NaiveDate),
    #[error("the training starts on {0}")]
    NotStartedYet(NaiveDate),
    #[error("nobody is enrolled")]
    NoParticipants,
    #[error("the last session is on {0}")]
    NotEnded(NaiveDate),
    #[error("attendance is not marked for every participant and session")]
    AttendanceIncomplete,
    #[error("not every chargeable participant is settled")]
    SettlementIncomplete,
    #[error("capacity {capacity} is below the {enrolled} persons enrolled")]
    CapacityBelowEnrolled { capacity: u32, enrolled: u32 },
}

impl TrainingRuleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Terminal(_) => "training_terminal",
            Self::NotNextPhase { .. } => "not_next_phase",
            Self::CannotCancel(_) => "cannot_cancel",
            Self::NoSessions => "no_sessions",
            Self::NoVenue => "no_venue",
            Self::NoCapacity => "no_capacity",
            Self::AlreadyStarted(_) => "already_started",
            Self::NotStartedYet(_) => "not_started_yet",
            Self::NoParticipants => "no_participants",
            Self::NotEnded(_) => "not_ended",
            Self::AttendanceIncomplete => "attendance_incomplete",
            Self::SettlementIncomplete => "settlement_incomplete",
            Self::CapacityBelowEnrolled { .. } => "capacity_below_enrolled",
        }
    }

    pub fn field_error(&self) -> FieldError {
        let (field, pl, en) = match self {
            Self::Terminal(phase) => (
                "phase",
                format!("Szkolenie jest {} i nie można go już zmieniać.", phase.label_pl()),
                format!("The training is {phase} and cannot change any more."),
            ),
            Self::NotNextPhase { from, to, next } => (
                "phase",
                match next {
                    Some(next) => format!(
                        "Z fazy „{}” można przejść tylko do „{}” (albo odwołać), nie do „{}”.",
                        from.label_pl(),
                        next.label_pl(),
                        to.label_pl()
                    ),
                    None => format!("Z fazy „{}” nie ma dalszej fazy.", from.label_pl()),
                },
                match next {
                    Some(next) => format!("From {from} the next phase is {next} (or cancelled), not {to}."),
                    None => format!("There is no phase after {from}."),
                },
            ),
            Self::CannotCancel(phase) => (
                "phase",
                format!("Szkolenia w fazie „{}” nie można odwołać.", phase.label_pl()),
                format!("A training that is {phase} cannot be cancelled."),
            ),
            Self::NoSessions => {
                ("sessions", "Dodaj co najmniej jeden termin zajęć.".into(), "Add at least one session.".into())
            }
            Self::NoVenue => (
                "venueId",
                "Wybierz miejsce szkolenia albo oznacz je jako zdalne.".into(),
                "Choose a venue or mark the training as online.".into(),
            ),
            Self::NoCapacity => {
                ("capacity", "Podaj liczbę miejsc większą od zera.".into(), "Set a capacity greater than zero.".into())
            }
            Self::AlreadyStarted(day) => (
                "phase",
                format!("Szkolenie rozpoczęło się {day}; nie można już otworzyć zapisów."),
                format!("The training started on {day}; enrolment can no longer open."),
            ),
            Self::NotStartedYet(day) => (
                "phase",
                format!("Szkolenie zaczyna się {day}; można je rozpocząć najwcześniej tego dnia."),
                format!("The training starts on {day}; it can be started on that day at the earliest."),
            ),
            Self::NoParticipants => (
                "phase",
                "Nikt nie jest zapisany; odwołaj szkolenie zamiast je rozpoczynać.".into(),
                "Nobody is enrolled; cancel the training instead of starting it.".into(),
            ),
            Self::NotEnded(day) => (
                "phase",
                format!("Ostatnie zajęcia odbywają się {day}; szkolenie nie może się wcześniej zakończyć."),
                format!("The last session is on {day}; the training cannot be completed before."),
            ),
            Self::AttendanceIncomplete => (
                "attendance",
                "Najpierw zaznacz obecność wszystkich uczestników na wszystkich zajęciach.".into(),
                "Mark the attendance of every participant at every session first.".into(),
            ),
            Self::SettlementIncomplete => (
                "phase",
                "Nie wszyscy płatni uczestnicy są rozliczeni.".into(),
                "Not every chargeable participant is settled.".into(),
            ),
            Self::CapacityBelowEnrolled { capacity, enrolled } => (
                "capacity",
                format!("Liczba miejsc ({capacity}) jest mniejsza niż liczba zapisanych ({enrolled})."),
                format!("Capacity ({capacity}) is below the number enrolled ({enrolled})."),
            ),
        };
        FieldError::new(field, self.code(), pl, en)
    }
}

/// Why self-service enrolment is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnrolmentClosed {
    #[error("the training is not recruiting (it is {0})")]
    NotRecruiting(Phase),
    #[error("the enrolment deadline {0} has passed")]
    DeadlinePassed(NaiveDate),
    #[error("the training started on {0}")]
    Started(NaiveDate),
}

impl EnrolmentClosed {
    pub fn field_error(&self) -> FieldError {
        match self {
            Self::NotRecruiting(phase) => FieldError::new(
                "trainingId",
                "not_recruiting",
                format!("Zapisy na to szkolenie nie są otwarte (faza: {}).", phase.label_pl()),
                format!("Enrolment for this training is not open (phase: {phase})."),
            ),
            Self::DeadlinePassed(day) => FieldError::new(
                "trainingId",
                "enrolment_deadline_passed",
                format!("Termin zapisów minął {day}."),
                format!("The enrolment deadline was {day}."),
            ),
            Self::Started(day) => FieldError::new(
                "trainingId",
                "training_started",
                format!("Szkolenie rozpoczęło się {day}."),
                format!("The training started on {day}."),
            ),
        }
    }
}

impl Training {
    /// The sessions as a message shows them: "15.12.2026, 09:00–15:00; …".
    pub fn dates_text(&self) -> String {
        let sessions: Vec<String> = self
            .sessions
            .iter()
            .map(|s| format!("{}, {}–{}", s.date.format("%d.%m.%Y"), s.start.format("%H:%M"), s.end.format("%H:%M")))
            .collect();
        if sessions.is_empty() {
            "termin zostanie podany".into()
        } else {
            sessions.join("; ")
        }
    }

    /// The venue as a message shows it: name, street, postal code and city (or "online").
    pub fn venue_text(&self) -> String {
        match &self.venue {
            Some(venue) => {
                let address: Vec<String> = [
                    venue.address.street.clone(),
                    match (&venue.address.postal_code, &venue.address.city) {
                        (Some(code), Some(city)) => Some(format!("{code} {city}")),
                        (None, Some(city)) => Some(city.clone()),
                        _ => None,
                    },
                ]
                .into_iter()
                .flatten()
                .collect();
                std::iter::once(venue.name.clone()).chain(address).collect::<Vec<_>>().join(", ")
            }
            None if self.online => "online".into(),
            None => "zostanie podane".into(),
        }
    }

    pub fn starts_on(&self) -> Option<NaiveDate> {
        self.sessions.first().map(|s| s.date)
    }

    pub fn ends_on(&self) -> Option<NaiveDate> {
        self.sessions.iter().map(|s| s.date).max()
    }

    /// Certificate hours of the whole training.
    pub fn total_hours(&self) -> Decimal {
        self.sessions.iter().map(|s| s.hours).sum()
    }

    /// Shown in the extranet to a viewer from `unit_path`: announced (past `planned`) and
    /// visible to the unit. Enrolled persons see their own trainings through their enrolments.
    pub fn shown_in_extranet(&self, unit_path: &[UnitId]) -> bool {
        !matches!(self.phase, Phase::Planned | Phase::Cancelled) && self.visibility.visible_to(unit_path)
    }

    /// Moves the training to `to`, checking the phase order of its kind and the preconditions
    /// of the target phase; `now` decides "today" in Warsaw.
    pub fn transition(
        &self,
        to: Phase,
        facts: &TransitionFacts,
        by: &UserRef,
        now: DateTime<Utc>,
    ) -> Result<(Training, PhaseChange), TrainingRuleError> {
        let today = warsaw_date(now);
        if self.phase.is_terminal() {
            return Err(TrainingRuleError::Terminal(self.phase));
        }
        if to == Phase::Cancelled {
            if !self.phase.may_be_cancelled() {
                return Err(TrainingRuleError::CannotCancel(self.phase));
            }
        } else {
            let next = next_phase(&self.phases, self.phase);
            if next != Some(to) {
                return Err(TrainingRuleError::NotNextPhase { from: self.phase, to, next });
            }
            match to {
                Phase::Recruiting => {
                    let start = self.check_ready()?;
                    if today >= start {
                        return Err(TrainingRuleError::AlreadyStarted(start));
                    }
                }
                Phase::Running => {
                    let start = self.check_ready()?;
                    if today < start {
                        return Err(TrainingRuleError::NotStartedYet(start));
                    }
                    if facts.enrolled_count == 0 {
                        return Err(TrainingRuleError::NoParticipants);
                    }
                }
                Phase::Completed => {
                    let end = self.ends_on().ok_or(TrainingRuleError::NoSessions)?;
                    if today < end {
                        return Err(TrainingRuleError::NotEnded(end));
                    }
                    if !facts.attendance_complete {
                        return Err(TrainingRuleError::AttendanceIncomplete);
                    }
                }
                Phase::Settled if !facts.settlement_complete => {
                    return Err(TrainingRuleError::SettlementIncomplete);
                }
                _ => {}
            }
        }
        let mut next = self.clone();
        next.phase = to;
        next.version = self.version + 1;
        next.updated_at = now;
        Ok((next, PhaseChange { from: self.phase, to, at: now, by: by.clone() }))
    }

    /// Sessions, a place and seats: what people need to know before they can enrol.
    fn check_ready(&self) -> Result<NaiveDate, TrainingRuleError> {
        let start = self.starts_on().ok_or(TrainingRuleError::NoSessions)?;
        if self.venue.is_none() && !self.online {
            return Err(TrainingRuleError::NoVenue);
        }
        if self.capacity == 0 {
            return Err(TrainingRuleError::NoCapacity);
        }
        Ok(start)
    }

    /// A capacity change must leave room for everyone already holding a seat (the storage
    /// layer repeats this as the condition of its write).
    pub fn check_capacity(&self, enrolled: u32) -> Result<(), TrainingRuleError> {
        if self.capacity < enrolled {
            Err(TrainingRuleError::CapacityBelowEnrolled { capacity: self.capacity, enrolled })
        } else {
            Ok(())
        }
    }

    /// Self-service enrolment (administrator or participant): recruiting, not past the
    /// enrolment deadline (inclusive) and before the first session's day.
    pub fn enrolment_open(&self, today: NaiveDate) -> Result<(), EnrolmentClosed> {
        if self.phase != Phase::Recruiting {
            return Err(EnrolmentClosed::NotRecruiting(self.phase));
        }
        if let Some(deadline) = self.enrolment_deadline.filter(|deadline| today > *deadline) {
            return Err(EnrolmentClosed::DeadlinePassed(deadline));
        }
        match self.starts_on() {
            Some(start) if today >= start => Err(EnrolmentClosed::Started(start)),
            _ => Ok(()),
        }
    }

    /// Administrators and participants may cancel on their own until the cancellation deadline
    /// (inclusive), or without one until the day before the first session.
    pub fn self_cancellation_allowed(&self, today: NaiveDate) -> bool {
        let before_start = self.starts_on().is_none_or(|start| today < start);
        before_start && self.cancellation_deadline.is_none_or(|deadline| today <= deadline)
    }

    /// The first day the go/no-go check applies.
    pub fn go_no_go_date(&self) -> Option<NaiveDate> {
        self.starts_on().map(|start| start - Duration::days(i64::from(self.go_no_go_days_before)))
    }

    /// Under its minimum within the go/no-go window before the start: the owner must decide.
    pub fn needs_go_no_go(&self, today: NaiveDate, enrolled: u32) -> bool {
        let open = matches!(self.phase, Phase::Planned | Phase::Recruiting);
        let window = match (self.go_no_go_date(), self.starts_on()) {
            (Some(from), Some(start)) => from <= today && today < start,
            _ => false,
        };
        open && window && enrolled < self.min_participants
    }
}

/// Trainers, venue and owner named by a [`TrainingInput`], loaded by the caller beforehand
/// (see [`TrainingInput::venue_id`] and [`TrainingInput::trainer_ids`]). An id the caller
/// could not resolve is simply absent here and reported as unknown.
#[derive(Debug, Clone, Default)]
pub struct References {
    pub venue: Option<Venue>,
    pub trainers: Vec<TrainerRef>,
    /// The staff user named by `ownerId`.
    pub owner: Option<UserRef>,
}

/// A training as posted (create) or patched (absent = unchanged, "" = cleared; lists replace).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrainingInput {
    /// A kind code from the catalogue, e.g. `EDU-OPEN`; changeable while planned.
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub sessions: Option<Vec<SessionInput>>,
    pub trainer_ids: Option<Vec<String>>,
    pub venue_id: Option<String>,
    pub online: Option<bool>,
    /// Absent on create: the venue's capacity (0 without a venue).
    pub capacity: Option<u32>,
    pub min_participants: Option<u32>,
    /// Net PLN per participant, e.g. `"450,00"`.
    pub price_net: Option<String>,
    /// `23`, `8`, `5`, `0` or `zw`.
    pub vat: Option<String>,
    /// Legal basis of the exemption; blank = art. 43 ust. 1 pkt 29 lit. c.
    pub vat_exempt_basis: Option<String>,
    pub members_free: Option<bool>,
    /// Charge persons absent from the training (default true).
    pub charge_no_shows: Option<bool>,
    /// Charge cancellations after the cancellation deadline (default true).
    pub charge_late_cancellations: Option<bool>,
    pub enrolment_deadline: Option<String>,
    pub cancellation_deadline: Option<String>,
    pub go_no_go_days_before: Option<u32>,
    /// `public`, `units` or `hidden`.
    pub visibility: Option<String>,
    /// The units of a closed training (with `visibility: units`).
    pub visible_unit_ids: Option<Vec<String>>,
    /// `all_sessions` or `min_share_of_hours`.
    pub attendance_rule: Option<String>,
    /// Percent of hours for `min_share_of_hours`, e.g. `"80"`.
    pub attendance_min_percent: Option<String>,
    pub invited: Option<InvitedListInput>,
    /// Cognito subject of the responsible staff member.
    pub owner_id: Option<String>,
    /// Required on PATCH (optimistic locking).
    pub version: Option<u64>,
}

impl TrainingInput {
    /// The venue to load before [`Self::create`] / [`Self::update`] (ignores a malformed id,
    /// which parsing reports).
    pub fn venue_id(&self) -> Option<VenueId> {
        self.venue_id.as_deref().and_then(|raw| VenueId::parse(raw).ok())
    }

    /// The trainers to load beforehand.
    pub fn trainer_ids(&self) -> Vec<PersonId> {
        self.trainer_ids.iter().flatten().filter_map(|raw| PersonId::parse(raw).ok()).collect()
    }

    pub fn create(
        self,
        kinds: &[TrainingKind],
        refs: &References,
        owner: UserRef,
        now: DateTime<Utc>,
    ) -> Result<Training, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (field, value) in
            [("kind", &self.kind), ("title", &self.title), ("priceNet", &self.price_net), ("vat", &self.vat)]
        {
            if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                errors.push(FieldError::required(field));
            }
        }
        let blank = Training {
            id: TrainingId::generate(),
            kind_code: String::new(),
            segment: Segment::Edu,
            phases: Vec::new(),
            title: String::new(),
            description: None,
            sessions: Vec::new(),
            trainers: Vec::new(),
            venue: None,
            online: false,
            capacity: 0,
            min_participants: 0,
            price: Price::free(),
            members_free: false,
            settlement_rules: SettlementRules::default(),
            enrolment_deadline: None,
            cancellation_deadline: None,
            go_no_go_days_before: DEFAULT_GO_NO_GO_DAYS,
            visibility: Visibility::Public,
            attendance_rule: AttendanceRule::AllSessions,
            phase: Phase::Planned,
            invited: InvitedList::default(),
            owner,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let capacity_given = self.capacity.is_some();
        let mut training = self.apply(blank.clone(), kinds, refs, &mut errors);
        if !capacity_given {
            training.capacity = training.venue.as_ref().map_or(0, |venue| venue.capacity);
        }
        check_training(&blank, &training, &mut errors);
        errors.into_result(|| training)
    }

    /// Applies a PATCH; returns the new state and the changed fields for the audit trail.
    pub fn update(
        self,
        current: &Training,
        kinds: &[TrainingKind],
        refs: &References,
        now: DateTime<Utc>,
    ) -> Result<(Training, Vec<FieldChange>), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.version.is_none() {
            errors.push(FieldError::required("version"));
        }
        if current.phase.is_terminal() {
            errors.push(TrainingRuleError::Terminal(current.phase).field_error());
            return Err(errors);
        }
        let mut next = self.apply(current.clone(), kinds, refs, &mut errors);
        check_training(current, &next, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let changes = training_changes(current, &next);
        next.version = current.version + 1;
        next.updated_at = now;
        Ok((next, changes))
    }

    fn apply(
        self,
        mut t: Training,
        kinds: &[TrainingKind],
        refs: &References,
        errors: &mut ValidationErrors,
    ) -> Training {
        if let Some(raw) = self.kind.as_deref().filter(|raw| !raw.trim().is_empty()) {
            match TrainingKind::find(kinds, raw) {
                Some(kind) => {
                    t.kind_code = kind.code.clone();
                    t.segment = kind.segment;
                    t.phases = kind.phases.clone();
                }
                None => errors.push(FieldError::new(
                    "kind",
                    "unknown_training_kind",
                    "Nieznany rodzaj szkolenia.",
                    "Unknown kind of training.",
                )),
            }
        }
        if let Some(raw) = self.title.as_deref() {
            if let Some(title) = errors.required("title", Some(raw), |s| bounded_text(s, TITLE_MAX)) {
                t.title = title;
            }
        }
        t.description =
            errors.patch("description", t.description, self.description.as_deref(), |s| bounded_text(s, BODY_MAX));
        if let Some(raw) = self.sessions {
            t.sessions = parse_sessions(raw, errors);
        }
        if let Some(raw) = self.trainer_ids {
            let ids = invite::parse_ids(errors, "trainerIds", raw.clone(), PersonId::parse);
            t.trainers = Vec::new();
            for id in ids {
                match refs.trainers.iter().find(|trainer| trainer.person_id == id) {
                    Some(trainer) => t.trainers.push(trainer.clone()),
                    None => {
                        let index = raw.iter().position(|r| PersonId::parse(r).ok() == Some(id)).unwrap_or_default();
                        errors.push(FieldError::new(
                            format!("trainerIds[{index}]"),
                            "unknown_person",
                            "Nie ma takiej osoby.",
                            "No such person.",
                        ));
                    }
                }
            }
        }
        if let Some(raw) = self.venue_id.as_deref() {
            t.venue = match errors.optional("venueId", Some(raw), VenueId::parse) {
                None => None,
                Some(id) => {
                    let venue = refs.venue.clone().filter(|venue| venue.id == id);
                    if venue.is_none() {
                        errors.push(FieldError::new(
                            "venueId",
                            "unknown_venue",
                            "Nie ma takiego miejsca szkolenia.",
                            "No such venue.",
                        ));
                    }
                    venue
                }
            };
        }
        if let Some(online) = self.online {
            t.online = online;
        }
        if let Some(capacity) = self.capacity {
            t.capacity = capacity;
        }
        if let Some(min) = self.min_participants {
            t.min_participants = min;
        }
        if let Some(raw) = self.price_net.as_deref().filter(|raw| !raw.trim().is_empty()) {
            match parse_net(raw) {
                Ok(net) => t.price.net = net,
                Err(error) => errors.push(error),
            }
        }
        let current_basis = match &t.price.vat {
            VatTreatment::Exempt { basis } => Some(basis.clone()),
            VatTreatment::Rate { .. } => None,
        };
        let vat = self.vat.clone().filter(|raw| !raw.trim().is_empty()).or_else(|| {
            // A new basis alone re-applies the exemption it belongs to.
            self.vat_exempt_basis.as_ref().and(current_basis.as_ref()).map(|_| "zw".to_owned())
        });
        if let Some(raw) = vat {
            let basis = self.vat_exempt_basis.or(current_basis);
            match VatTreatment::parse(&raw, basis.as_deref()) {
                Ok(vat) => t.price.vat = vat,
                Err(error) => errors.push(error),
            }
        }
        if let Some(free) = self.members_free {
            t.members_free = free;
        }
        if let Some(charge) = self.charge_no_shows {
            t.settlement_rules.charge_no_shows = charge;
        }
        if let Some(charge) = self.charge_late_cancellations {
            t.settlement_rules.charge_late_cancellations = charge;
        }
        t.enrolment_deadline =
            errors.patch("enrolmentDeadline", t.enrolment_deadline, self.enrolment_deadline.as_deref(), parse_date);
        t.cancellation_deadline = errors.patch(
            "cancellationDeadline",
            t.cancellation_deadline,
            self.cancellation_deadline.as_deref(),
            parse_date,
        );
        if let Some(days) = self.go_no_go_days_before {
            if days > GO_NO_GO_DAYS_MAX {
                errors.push(FieldError::new(
                    "goNoGoDaysBefore",
                    "too_many_days",
                    format!("Najwyżej {GO_NO_GO_DAYS_MAX} dni przed szkoleniem."),
                    format!("At most {GO_NO_GO_DAYS_MAX} days before the training."),
                ));
            }
            t.go_no_go_days_before = days;
        }
        t.visibility = parse_visibility(self.visibility.as_deref(), self.visible_unit_ids, t.visibility, errors);
        if self.attendance_rule.is_some() || self.attendance_min_percent.is_some() {
            t.attendance_rule = parse_attendance_rule(
                self.attendance_rule.as_deref(),
                self.attendance_min_percent.as_deref(),
                t.attendance_rule,
                errors,
            );
        }
        if let Some(invited) = self.invited {
            t.invited = invited.parse(errors);
        }
        if let Some(raw) = self.owner_id.as_deref() {
            match refs.owner.as_ref().filter(|owner| owner.id == raw.trim()) {
                Some(owner) => t.owner = owner.clone(),
                None => errors.push(FieldError::new(
                    "ownerId",
                    "unknown_user",
                    "Nie ma takiego pracownika.",
                    "No such staff member.",
                )),
            }
        }
        t
    }
}

fn parse_visibility(
    raw: Option<&str>,
    unit_ids: Option<Vec<String>>,
    current: Visibility,
    errors: &mut ValidationErrors,
) -> Visibility {
    let code = raw.map(str::trim).unwrap_or(current.code());
    match code {
        "public" => Visibility::Public,
        "hidden" => Visibility::Hidden,
        "units" => {
            let ids = match (unit_ids, &current) {
                (Some(raw), _) => invite::parse_ids(errors, "visibleUnitIds", raw, UnitId::parse),
                (None, Visibility::Units { unit_ids }) => unit_ids.clone(),
                (None, _) => Vec::new(),
            };
            if ids.is_empty() {
                errors.push(FieldError::new(
                    "visibleUnitIds",
                    "units_required",
                    "Szkolenie zamknięte musi wskazywać co najmniej jedną jednostkę.",
                    "A closed training must name at least one unit.",
                ));
            }
            Visibility::Units { unit_ids: ids }
        }
        _ => {
            errors.push(FieldError::new(
                "visibility",
                "unknown_visibility",
                "Widoczność musi być jedną z: public, units, hidden.",
                "Visibility must be one of: public, units, hidden.",
            ));
            current
        }
    }
}

fn parse_attendance_rule(
    raw: Option<&str>,
    percent: Option<&str>,
    current: AttendanceRule,
    errors: &mut ValidationErrors,
) -> AttendanceRule {
    let code = raw.map(str::trim).unwrap_or(match current {
        AttendanceRule::AllSessions => "all_sessions",
        AttendanceRule::MinShareOfHours { .. } => "min_share_of_hours",
    });
    match code {
        "all_sessions" => AttendanceRule::AllSessions,
        "min_share_of_hours" => {
            let parsed = percent
                .and_then(|raw| raw.trim().trim_end_matches('%').trim().replace(',', ".").parse::<Decimal>().ok())
                .or(match current {
                    AttendanceRule::MinShareOfHours { percent } => Some(percent),
                    AttendanceRule::AllSessions => None,
                })
                .filter(|p| *p > Decimal::ZERO && *p <= Decimal::ONE_HUNDRED);
            match parsed {
                Some(percent) => AttendanceRule::MinShareOfHours { percent: percent.normalize() },
                None => {
                    errors.push(FieldError::new(
                        "attendanceMinPercent",
                        "invalid_percent",
                        "Podaj procent godzin od 1 do 100.",
                        "Give a percentage of hours between 1 and 100.",
                    ));
                    current
                }
            }
        }
        _ => {
            errors.push(FieldError::new(
                "attendanceRule",
                "unknown_attendance_rule",
                "Zasada obecności musi być jedną z: all_sessions, min_share_of_hours.",
                "The attendance rule must be one of: all_sessions, min_share_of_hours.",
            ));
            current
        }
    }
}

/// Rules across fields, on the state after the change.
fn check_training(before: &Training, after: &Training, errors: &mut ValidationErrors) {
    if let Some(venue) = after.venue.as_ref().filter(|_| !after.online) {
        if after.capacity > venue.capacity {
            errors.push(FieldError::new(
                "capacity",
                "above_venue_capacity",
                format!("Sala „{}” mieści {} osób.", venue.name, venue.capacity),
                format!("Venue \"{}\" seats {}.", venue.name, venue.capacity),
            ));
        }
    }
    if after.capacity > 0 && after.min_participants > after.capacity {
        errors.push(FieldError::new(
            "minParticipants",
            "above_capacity",
            "Minimalna liczba uczestników nie może przekraczać liczby miejsc.",
            "The minimum number of participants cannot exceed the capacity.",
        ));
    }
    if let Some(start) = after.starts_on() {
        for (field, deadline) in
            [("enrolmentDeadline", after.enrolment_deadline), ("cancellationDeadline", after.cancellation_deadline)]
        {
            if deadline.is_some_and(|deadline| deadline >= start) {
                errors.push(FieldError::new(
                    field,
                    "deadline_not_before_start",
                    format!("Termin musi przypadać przed pierwszymi zajęciami ({start})."),
                    format!("The deadline must be before the first session ({start})."),
                ));
            }
        }
    }
    if before.phase != Phase::Planned && !before.kind_code.is_empty() && after.kind_code != before.kind_code {
        errors.push(FieldError::new(
            "kind",
            "kind_locked",
            "Rodzaj szkolenia można zmienić tylko w fazie planowania.",
            "The kind of training can change only while planned.",
        ));
    }
    if before.phase != Phase::Planned {
        // Enrolled people rely on a date, a place and their seat.
        if after.sessions.is_empty() {
            errors.push(TrainingRuleError::NoSessions.field_error());
        }
        if after.venue.is_none() && !after.online {
            errors.push(TrainingRuleError::NoVenue.field_error());
        }
        if after.capacity == 0 {
            errors.push(TrainingRuleError::NoCapacity.field_error());
        }
    }
    if before.phase.is_past_completion() {
        let locked = [
            ("sessions", before.sessions != after.sessions),
            ("priceNet", before.price != after.price),
            ("membersFree", before.members_free != after.members_free),
            ("chargeNoShows", before.settlement_rules.charge_no_shows != after.settlement_rules.charge_no_shows),
            (
                "chargeLateCancellations",
                before.settlement_rules.charge_late_cancellations != after.settlement_rules.charge_late_cancellations,
            ),
            ("attendanceRule", before.attendance_rule != after.attendance_rule),
        ];
        for (field, changed) in locked {
            if changed {
                errors.push(FieldError::new(
                    field,
                    "locked_after_completion",
                    "Po zakończeniu szkolenia tego pola nie można zmieniać (zaświadczenia i rozliczenia).",
                    "After completion this field cannot change (certificates and settlements use it).",
                ));
            }
        }
    }
}

fn training_changes(before: &Training, after: &Training) -> Vec<FieldChange> {
    let sessions = |t: &Training| {
        t.sessions
            .iter()
            .map(|s| format!("{} {}–{} ({} h)", s.date, s.start.format("%H:%M"), s.end.format("%H:%M"), s.hours))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let trainers = |t: &Training| t.trainers.iter().map(|tr| tr.name.clone()).collect::<Vec<_>>().join(", ");
    let price = |t: &Training| format!("{} netto, VAT {}", t.price.net, t.price.vat.code());
    let visibility = |t: &Training| match &t.visibility {
        Visibility::Units { unit_ids } => format!("units ({})", unit_ids.len()),
        other => other.code().to_owned(),
    };
    let mut changes = ChangeSet::default();
    changes.compare("kind", Some(&before.kind_code), Some(&after.kind_code));
    changes.compare("title", Some(&before.title), Some(&after.title));
    changes.compare("description", before.description.as_ref(), after.description.as_ref());
    changes.compare("sessions", Some(&sessions(before)), Some(&sessions(after)));
    changes.compare("trainers", Some(&trainers(before)), Some(&trainers(after)));
    changes.compare("venue", before.venue.as_ref().map(|v| &v.name), after.venue.as_ref().map(|v| &v.name));
    changes.compare("online", Some(&before.online), Some(&after.online));
    changes.compare("capacity", Some(&before.capacity), Some(&after.capacity));
    changes.compare("minParticipants", Some(&before.min_participants), Some(&after.min_participants));
    changes.compare("price", Some(&price(before)), Some(&price(after)));
    changes.compare("membersFree", Some(&before.members_free), Some(&after.members_free));
    changes.compare(
        "chargeNoShows",
        Some(&before.settlement_rules.charge_no_shows),
        Some(&after.settlement_rules.charge_no_shows),
    );
    changes.compare(
        "chargeLateCancellations",
        Some(&before.settlement_rules.charge_late_cancellations),
        Some(&after.settlement_rules.charge_late_cancellations),
    );
    changes.compare("enrolmentDeadline", before.enrolment_deadline.as_ref(), after.enrolment_deadline.as_ref());
    changes.compare(
        "cancellationDeadline",
        before.cancellation_deadline.as_ref(),
        after.cancellation_deadline.as_ref(),
    );
    changes.compare("goNoGoDaysBefore", Some(&before.go_no_go_days_before), Some(&after.go_no_go_days_before));
    changes.compare("visibility", Some(&visibility(before)), Some(&visibility(after)));
    changes.compare("attendanceRule", Some(&before.attendance_rule), Some(&after.attendance_rule));
    if before.invited != after.invited {
        changes.compare(
            "invited",
            Some(&format!("{} units, {} persons", before.invited.unit_ids.len(), before.invited.person_ids.len())),
            Some(&format!("{} units, {} persons", after.invited.unit_ids.len(), after.invited.person_ids.len())),
        );
    }
    changes.compare("owner", Some(&before.owner.name), Some(&after.owner.name));
    changes.0
}

#[cfg(test)]
pub(crate) mod tests;
