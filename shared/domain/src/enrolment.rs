//! Enrolments (zgłoszenia / zapisy): a person on a training, with a seat or on the waiting
//! list, later cancelled, substituted, and marked present or absent per session.
//!
//! These functions decide *what* should happen. The storage layer makes it happen atomically:
//! a seat is taken by a conditional write on the training's counter, waiting-list numbers come
//! from an atomic counter, and a freed seat promotes [`promote_next`] in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{bounded_text, FieldError};
use crate::history::UserRef;
use crate::ids::{EnrolmentId, PersonId, TrainingId, UnitId};
use crate::person::Person;
use crate::time::warsaw_date;
use crate::training::{EnrolmentClosed, Phase, Session, Training};

pub use crate::training::AttendanceRule;

pub const REASON_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    Enrolled,
    Waitlisted,
    Cancelled,
    Attended,
    Absent,
}

impl EnrolmentStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Enrolled => "enrolled",
            Self::Waitlisted => "waitlisted",
            Self::Cancelled => "cancelled",
            Self::Attended => "attended",
            Self::Absent => "absent",
        }
    }

    /// Holds a seat (or held one at a completed training).
    pub fn holds_seat(self) -> bool {
        matches!(self, Self::Enrolled | Self::Attended | Self::Absent)
    }
}

impl std::fmt::Display for EnrolmentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cancellation {
    pub by: UserRef,
    pub at: DateTime<Utc>,
    /// After the cancellation deadline: the seat may still be charged.
    pub late: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enrolment {
    pub id: EnrolmentId,
    pub training_id: TrainingId,
    pub person_id: PersonId,
    pub person_name: String,
    pub unit_id: UnitId,
    /// The unit's path (root … unit), for access checks from the record itself.
    pub unit_path: Vec<UnitId>,
    pub status: EnrolmentStatus,
    /// Arrival order on the waiting list (lower = earlier); set while waitlisted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waitlist_seq: Option<u64>,
    pub enrolled_by: UserRef,
    pub enrolled_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<Cancellation>,
    /// One entry per session: `None` = not marked yet.
    #[serde(default)]
    pub attendance: Vec<Option<bool>>,
    /// The person whose seat this was before a substitution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substituted_from: Option<PersonId>,
    /// Staff waived the charge for a no-show or a late cancellation.
    #[serde(default)]
    pub charge_waived: bool,
    /// Set at completion: whether a settlement line is due.
    #[serde(default)]
    pub chargeable: bool,
    pub version: u64,
}

/// Where a new enrolment lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Admission {
    Seat,
    Waitlist,
}

/// A seat while fewer than `capacity` hold one; the waiting list otherwise.
pub fn admit(capacity: u32, enrolled_count: u32) -> Admission {
    if enrolled_count < capacity {
        Admission::Seat
    } else {
        Admission::Waitlist
    }
}

/// The first in line: the lowest waiting-list number among those still waitlisted.
pub fn promote_next(waitlist: &[Enrolment]) -> Option<&Enrolment> {
    waitlist
        .iter()
        .filter(|e| e.status == EnrolmentStatus::Waitlisted)
        .min_by_key(|e| (e.waitlist_seq.unwrap_or(u64::MAX), e.enrolled_at))
}

/// Every seat-holder has attendance marked for every session (the precondition of completing).
pub fn attendance_complete(enrolments: &[Enrolment], sessions: &[Session]) -> bool {
    enrolments
        .iter()
        .filter(|e| e.status.holds_seat())
        .all(|e| (0..sessions.len()).all(|index| e.attendance.get(index).copied().flatten().is_some()))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolmentRuleError {
    #[error(transparent)]
    Closed(#[from] EnrolmentClosed),
    #[error("staff cannot enrol into a {0} training")]
    TrainingNotOpen(Phase),
    #[error("the person has left the unit")]
    PersonInactive,
    #[error("the enrolment is already cancelled")]
    AlreadyCancelled,
    #[error("the enrolment is final ({0})")]
    AlreadyFinal(EnrolmentStatus),
    #[error("the cancellation deadline has passed")]
    CancellationDeadlinePassed,
    #[error("a substitute can be named only before the training starts")]
    SubstitutionClosed,
    #[error("the colleague works in another unit")]
    DifferentUnit,
    #[error("the colleague is the same person")]
    SamePerson,
    #[error("the enrolment is not on the waiting list")]
    NotWaitlisted,
    #[error("only persons holding a seat have attendance")]
    NoSeat,
    #[error("there is no session number {0}")]
    UnknownSession(usize),
    #[error("attendance is not marked for every session")]
    AttendanceIncomplete,
    #[error("invalid reason")]
    InvalidReason(FieldError),
}

impl EnrolmentRuleError {
    pub fn field_error(&self) -> FieldError {
        let (field, code, pl, en): (&str, &str, String, String) = match self {
            Self::Closed(closed) => return closed.field_error(),
            Self::InvalidReason(error) => return error.clone(),
            Self::TrainingNotOpen(phase) => (
                "trainingId",
                "training_not_open",
                format!("Na szkolenie w fazie „{}” nie można zapisywać.", phase.label_pl()),
                format!("Nobody can be enrolled into a training that is {phase}."),
            ),
            Self::PersonInactive => (
                "personId",
                "person_inactive",
                "Ta osoba nie pracuje już w jednostce.".into(),
                "This person no longer works in the unit.".into(),
            ),
            Self::AlreadyCancelled => (
                "status",
                "already_cancelled",
                "To zgłoszenie jest już anulowane.".into(),
                "This enrolment is already cancelled.".into(),
            ),
            Self::AlreadyFinal(status) => (
                "status",
                "enrolment_final",
                "Obecność jest już rozliczona; zgłoszenia nie można zmienić.".into(),
                format!("The enrolment is final ({status}) and cannot change."),
            ),
            Self::CancellationDeadlinePassed => (
                "status",
                "cancellation_deadline_passed",
                "Termin rezygnacji minął; skontaktuj się z biurem WOKiSS.".into(),
                "The cancellation deadline has passed; please contact the WOKiSS office.".into(),
            ),
            Self::SubstitutionClosed => (
                "personId",
                "substitution_closed",
                "Zastępcę można wskazać tylko przed rozpoczęciem szkolenia.".into(),
                "A substitute can be named only before the training starts.".into(),
            ),
            Self::DifferentUnit => (
                "personId",
                "different_unit",
                "Zastępca musi pracować w tej samej jednostce.".into(),
                "The substitute must work in the same unit.".into(),
            ),
            Self::SamePerson => (
                "personId",
                "same_person",
                "Wskaż inną osobę niż obecnie zapisana.".into(),
                "Choose a person other than the one enrolled.".into(),
            ),
            Self::NotWaitlisted => (
                "status",
                "not_waitlisted",
                "To zgłoszenie nie jest na liście rezerwowej.".into(),
                "This enrolment is not on the waiting list.".into(),
            ),
            Self::NoSeat => (
                "status",
                "no_seat",
                "Obecność zaznacza się tylko osobom zapisanym na miejsce.".into(),
                "Attendance is marked only for persons holding a seat.".into(),
            ),
            Self::UnknownSession(index) => (
                "sessionIndex",
                "unknown_session",
                format!("Nie ma zajęć o numerze {}.", index + 1),
                format!("There is no session number {}.", index + 1),
            ),
            Self::AttendanceIncomplete => (
                "attendance",
                "attendance_incomplete",
                "Obecność nie jest zaznaczona na wszystkich zajęciach.".into(),
                "Attendance is not marked for every session.".into(),
            ),
        };
        FieldError::new(field, code, pl, en)
    }
}

impl Enrolment {
    /// May `person` be enrolled now? Staff enrol into any training not yet over (hidden ones,
    /// late additions); administrators and participants only while enrolment is open.
    pub fn check_enrol(
        training: &Training,
        person: &Person,
        today: NaiveDate,
        is_staff: bool,
    ) -> Result<(), EnrolmentRuleError> {
        if !person.is_active() {
            return Err(EnrolmentRuleError::PersonInactive);
        }
        if is_staff {
            match training.phase {
                Phase::Planned | Phase::Recruiting | Phase::Running => Ok(()),
                other => Err(EnrolmentRuleError::TrainingNotOpen(other)),
            }
        } else {
            Ok(training.enrolment_open(today)?)
        }
    }

    /// A new enrolment; `arrival_seq` comes from the training's atomic counter and becomes the
    /// waiting-list number when there is no seat.
    pub fn new(
        training: &Training,
        person: &Person,
        admission: Admission,
        arrival_seq: u64,
        by: UserRef,
        now: DateTime<Utc>,
    ) -> Self {
        let (status, waitlist_seq) = match admission {
            Admission::Seat => (EnrolmentStatus::Enrolled, None),
            Admission::Waitlist => (EnrolmentStatus::Waitlisted, Some(arrival_seq)),
        };
        Self {
            id: EnrolmentId::generate(),
            training_id: training.id,
            person_id: person.id,
            person_name: person.full_name(),
            unit_id: person.unit_id,
            unit_path: person.unit_path.clone(),
            status,
            waitlist_seq,
            enrolled_by: by,
            enrolled_at: now,
            cancelled: None,
            attendance: vec![None; training.sessions.len()],
            substituted_from: None,
            charge_waived: false,
            chargeable: false,
            version: 1,
        }
    }

    /// From the waiting list to a freed seat.
    pub fn promote(&self) -> Result<Enrolment, EnrolmentRuleError> {
        if self.status != EnrolmentStatus::Waitlisted {
            return Err(EnrolmentRuleError::NotWaitlisted);
        }
        let mut next = self.clone();
        next.status = EnrolmentStatus::Enrolled;
        next.waitlist_seq = None;
        next.version += 1;
        Ok(next)
    }

    /// Cancels; returns the new state and whether a seat was freed (then promote the next in
    /// line). Administrators and participants only until the deadline; staff always, but
    /// after the deadline the cancellation is `late` (possibly charged). Leaving the waiting
    /// list is never late: no seat was blocked.
    pub fn cancel(
        &self,
        by: UserRef,
        now: DateTime<Utc>,
        training: &Training,
        is_staff: bool,
        reason: Option<&str>,
    ) -> Result<(Enrolment, bool), EnrolmentRuleError> {
        match self.status {
            EnrolmentStatus::Cancelled => return Err(EnrolmentRuleError::AlreadyCancelled),
            EnrolmentStatus::Attended | EnrolmentStatus::Absent => {
                return Err(EnrolmentRuleError::AlreadyFinal(self.status))
            }
            EnrolmentStatus::Enrolled | EnrolmentStatus::Waitlisted => {}
        }
        let reason = match reason.map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                bounded_text(raw, REASON_MAX)
                    .map_err(|e| EnrolmentRuleError::InvalidReason(FieldError::from_value("reason", &e)))?,
            ),
        };
        let today = warsaw_date(now);
        let in_time = training.self_cancellation_allowed(today);
        if !in_time && !is_staff {
            return Err(EnrolmentRuleError::CancellationDeadlinePassed);
        }
        let freed = self.status == EnrolmentStatus::Enrolled;
        let late = freed && !in_time && training.phase != Phase::Cancelled;
        let mut next = self.clone();
        next.status = EnrolmentStatus::Cancelled;
        next.waitlist_seq = None;
        next.cancelled = Some(Cancellation { by, at: now, late, reason });
        next.version += 1;
        Ok((next, freed))
    }

    /// Hands the seat (or the place on the waiting list) to a colleague of the same unit,
    /// before the training's first day. The storage layer checks the colleague is not already
    /// on the training.
    pub fn substitute(
        &self,
        colleague: &Person,
        today: NaiveDate,
        training: &Training,
    ) -> Result<Enrolment, EnrolmentRuleError> {
        match self.status {
            EnrolmentStatus::Enrolled | EnrolmentStatus::Waitlisted => {}
            EnrolmentStatus::Cancelled => return Err(EnrolmentRuleError::AlreadyCancelled),
            other => return Err(EnrolmentRuleError::AlreadyFinal(other)),
        }
        if training.starts_on().is_some_and(|start| today >= start) || training.phase.is_past_completion() {
            return Err(EnrolmentRuleError::SubstitutionClosed);
        }
        if colleague.id == self.person_id {
            return Err(EnrolmentRuleError::SamePerson);
        }
        if colleague.unit_id != self.unit_id {
            return Err(EnrolmentRuleError::DifferentUnit);
        }
        if !colleague.is_active() {
            return Err(EnrolmentRuleError::PersonInactive);
        }
        let mut next = self.clone();
        next.substituted_from = Some(self.person_id);
        next.person_id = colleague.id;
        next.person_name = colleague.full_name();
        next.unit_path = colleague.unit_path.clone();
        next.version += 1;
        Ok(next)
    }

    /// Marks presence at one session (0-based); `sessions` are the training's current ones.
    pub fn mark_attendance(
        &mut self,
        sessions: &[Session],
        session_index: usize,
        present: bool,
    ) -> Result<(), EnrolmentRuleError> {
        if !self.status.holds_seat() {
            return Err(EnrolmentRuleError::NoSeat);
        }
        if session_index >= sessions.len() {
            return Err(EnrolmentRuleError::UnknownSession(session_index));
        }
        // Sessions may have been added after enrolling.
        self.attendance.resize(sessions.len(), None);
        self.attendance[session_index] = Some(present);
        self.version += 1;
        Ok(())
    }

    pub fn attended_all(&self, session_count: usize) -> bool {
        (0..session_count).all(|index| self.attendance.get(index).copied().flatten() == Some(true))
    }

    /// Percentage (0–100, 2 places) of the certificate hours the person was present for.
    pub fn attended_share(&self, sessions: &[Session]) -> Decimal {
        let total: Decimal = sessions.iter().map(|s| s.hours).sum();
        if total.is_zero() {
            return Decimal::ZERO;
        }
        let present: Decimal = sessions
            .iter()
            .enumerate()
            .filter(|(index, _)| self.attendance.get(*index).copied().flatten() == Some(true))
            .map(|(_, s)| s.hours)
            .sum();
        (present * Decimal::ONE_HUNDRED / total).round_dp(2)
    }

    /// The status at completion: attended or absent per the training's rule; cancelled and
    /// waitlisted enrolments keep theirs.
    pub fn final_status(&self, sessions: &[Session], rule: &AttendanceRule) -> EnrolmentStatus {
        if !self.status.holds_seat() {
            return self.status;
        }
        let attended = match rule {
            AttendanceRule::AllSessions => self.attended_all(sessions.len()),
            AttendanceRule::MinShareOfHours { percent } => self.attended_share(sessions) >= *percent,
        };
        if attended {
            EnrolmentStatus::Attended
        } else {
            EnrolmentStatus::Absent
        }
    }

    /// Whether the unit pays for this enrolment. `unit_is_member` is the unit's membership on
    /// the training's first day. No-shows and late cancellations are charged unless waived or
    /// switched off by the training's [`crate::training::SettlementRules`].
    pub fn is_chargeable(&self, training: &Training, unit_is_member: bool) -> bool {
        if training.price.is_free() || (training.members_free && unit_is_member) {
            return false;
        }
        match self.status {
            EnrolmentStatus::Attended => true,
            EnrolmentStatus::Absent => training.settlement_rules.charge_no_shows && !self.charge_waived,
            EnrolmentStatus::Cancelled => {
                training.settlement_rules.charge_late_cancellations
                    && self.cancelled.as_ref().is_some_and(|c| c.late)
                    && !self.charge_waived
            }
            EnrolmentStatus::Enrolled | EnrolmentStatus::Waitlisted => false,
        }
    }

    /// The enrolment as the training completes: final status and chargeability fixed.
    pub fn complete(&self, training: &Training, unit_is_member: bool) -> Result<Enrolment, EnrolmentRuleError> {
        if self.status.holds_seat() && !attendance_complete(std::slice::from_ref(self), &training.sessions) {
            return Err(EnrolmentRuleError::AttendanceIncomplete);
        }
        let mut next = self.clone();
        next.status = self.final_status(&training.sessions, &training.attendance_rule);
        next.chargeable = next.is_chargeable(training, unit_is_member);
        next.version += 1;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::NewPerson;
    use crate::training::tests::{day, noon, staff, training_in};
    use crate::unit::{Unit, UnitInput};
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn unit(name: &str) -> Unit {
        UnitInput { kind: Some("inna".into()), name: Some(name.into()), ..Default::default() }
            .create(None, Utc::now())
            .unwrap()
    }

    fn person(unit: &Unit, first: &str) -> Person {
        NewPerson { first_name: Some(first.into()), last_name: Some("Kowalska".into()), ..Default::default() }
            .parse()
            .unwrap()
            .into_person(unit, Utc::now(), day(1, 2))
            .0
    }

    fn admin() -> UserRef {
        UserRef { id: "admin-1".into(), name: "Anna Admin".into() }
    }

    fn enrolled(training: &Training, person: &Person) -> Enrolment {
        Enrolment::new(training, person, Admission::Seat, 1, admin(), noon(day(10, 20)))
    }

    #[test]
    fn admission_takes_seats_then_the_waiting_list() {
        assert_eq!(admit(2, 0), Admission::Seat);
        assert_eq!(admit(2, 1), Admission::Seat);
        assert_eq!(admit(2, 2), Admission::Waitlist);
        assert_eq!(admit(0, 0), Admission::Waitlist);
        let training = training_in(Phase::Recruiting);
        let someone = person(&unit("Gmina"), "Ewa");
        let waiting = Enrolment::new(&training, &someone, Admission::Waitlist, 42, admin(), Utc::now());
        assert_eq!((waiting.status, waiting.waitlist_seq), (EnrolmentStatus::Waitlisted, Some(42)));
        assert_eq!(waiting.attendance, vec![None, None]);
        assert_eq!(waiting.unit_path, someone.unit_path);
        let promoted = waiting.promote().unwrap();
        assert_eq!((promoted.status, promoted.waitlist_seq), (EnrolmentStatus::Enrolled, None));
        assert_eq!(promoted.promote().unwrap_err(), EnrolmentRuleError::NotWaitlisted);
    }

    #[test]
    fn who_may_enrol_when() {
        let active = person(&unit("Gmina"), "Ewa");
        let (left, _) = active.leave(day(3, 1), day(1, 2), Utc::now()).unwrap();
        let recruiting = training_in(Phase::Recruiting);
        assert!(Enrolment::check_enrol(&recruiting, &active, day(11, 1), false).is_ok());
        assert_eq!(
            Enrolment::check_enrol(&recruiting, &active, day(11, 10), false).unwrap_err(),
            EnrolmentRuleError::Closed(EnrolmentClosed::DeadlinePassed(day(11, 9)))
        );
        // Staff may add people after the deadline, and into planned (e.g. hidden) trainings.
        assert!(Enrolment::check_enrol(&recruiting, &active, day(11, 10), true).is_ok());
        assert!(Enrolment::check_enrol(&training_in(Phase::Planned), &active, day(11, 1), true).is_ok());
        assert!(Enrolment::check_enrol(&training_in(Phase::Planned), &active, day(11, 1), false).is_err());
        assert_eq!(
            Enrolment::check_enrol(&training_in(Phase::Completed), &active, day(11, 1), true).unwrap_err(),
            EnrolmentRuleError::TrainingNotOpen(Phase::Completed)
        );
        assert_eq!(
            Enrolment::check_enrol(&recruiting, &left, day(11, 1), true).unwrap_err(),
            EnrolmentRuleError::PersonInactive
        );
    }

    #[test]
    fn promote_next_takes_the_lowest_number_still_waiting() {
        let training = training_in(Phase::Recruiting);
        let gmina = unit("Gmina");
        let at = |seq: u64, status: EnrolmentStatus| Enrolment {
            status,
            ..Enrolment::new(&training, &person(&gmina, "Ewa"), Admission::Waitlist, seq, admin(), Utc::now())
        };
        let list = vec![
            at(7, EnrolmentStatus::Waitlisted),
            at(3, EnrolmentStatus::Cancelled),
            at(5, EnrolmentStatus::Waitlisted),
            at(9, EnrolmentStatus::Waitlisted),
        ];
        assert_eq!(promote_next(&list).unwrap().waitlist_seq, Some(5));
        assert!(promote_next(&list[1..2]).is_none());
        assert!(promote_next(&[]).is_none());
    }

    #[test]
    fn participant_cancels_until_the_deadline_staff_after_it_late() {
        let training = training_in(Phase::Recruiting); // cancellation deadline 12 Nov
        let enrolment = enrolled(&training, &person(&unit("Gmina"), "Ewa"));
        let (cancelled, freed) =
            enrolment.cancel(admin(), noon(day(11, 12)), &training, false, Some(" choroba ")).unwrap();
        assert!(freed);
        let cancellation = cancelled.cancelled.as_ref().unwrap();
        assert!(!cancellation.late);
        assert_eq!(cancellation.reason.as_deref(), Some("choroba"));
        assert_eq!(cancelled.status, EnrolmentStatus::Cancelled);
        assert_eq!(cancelled.version, enrolment.version + 1);
        assert_eq!(
            enrolment.cancel(admin(), noon(day(11, 13)), &training, false, None).unwrap_err(),
            EnrolmentRuleError::CancellationDeadlinePassed
        );
        let (late, freed) = enrolment.cancel(staff(), noon(day(11, 13)), &training, true, None).unwrap();
        assert!(freed && late.cancelled.unwrap().late);
        assert_eq!(
            cancelled.cancel(staff(), noon(day(11, 13)), &training, true, None).unwrap_err(),
            EnrolmentRuleError::AlreadyCancelled
        );
    }

    #[test]
    fn cancellation_deadline_day_ends_at_midnight_in_warsaw() {
        let training = Training { cancellation_deadline: Some(day(10, 25)), ..training_in(Phase::Recruiting) };
        let enrolment = enrolled(&training, &person(&unit("Gmina"), "Ewa"));
        let before = Utc.with_ymd_and_hms(2026, 10, 25, 22, 30, 0).unwrap(); // 23:30 CET, the 25th
        let after = Utc.with_ymd_and_hms(2026, 10, 25, 23, 30, 0).unwrap(); // 00:30 CET, the 26th
        assert!(enrolment.cancel(admin(), before, &training, false, None).is_ok());
        assert_eq!(
            enrolment.cancel(admin(), after, &training, false, None).unwrap_err(),
            EnrolmentRuleError::CancellationDeadlinePassed
        );
    }

    #[test]
    fn leaving_the_waiting_list_frees_no_seat_and_is_never_late() {
        let training = training_in(Phase::Recruiting);
        let waiting =
            Enrolment::new(&training, &person(&unit("G"), "Ewa"), Admission::Waitlist, 3, admin(), Utc::now());
        let (cancelled, freed) = waiting.cancel(staff(), noon(day(11, 16)), &training, true, None).unwrap();
        assert!(!freed);
        assert_eq!(cancelled.waitlist_seq, None);
        assert!(!cancelled.cancelled.unwrap().late);
    }

    #[test]
    fn attended_or_absent_enrolments_cannot_be_cancelled() {
        let training = training_in(Phase::Completed);
        let done = Enrolment { status: EnrolmentStatus::Attended, ..enrolled(&training, &person(&unit("G"), "Ewa")) };
        assert_eq!(
            done.cancel(staff(), noon(day(11, 18)), &training, true, None).unwrap_err(),
            EnrolmentRuleError::AlreadyFinal(EnrolmentStatus::Attended)
        );
    }

    #[test]
    fn substitution_within_the_unit_before_the_first_day() {
        let training = training_in(Phase::Recruiting); // starts 16 Nov
        let gmina = unit("Gmina");
        let (ewa, jan) = (person(&gmina, "Ewa"), person(&gmina, "Jan"));
        let enrolment = enrolled(&training, &ewa);
        let swapped = enrolment.substitute(&jan, day(11, 15), &training).unwrap();
        assert_eq!(swapped.person_id, jan.id);
        assert_eq!(swapped.person_name, "Jan Kowalska");
        assert_eq!(swapped.substituted_from, Some(ewa.id));
        assert_eq!(swapped.status, EnrolmentStatus::Enrolled);
        assert_eq!(swapped.id, enrolment.id);
        let refuse = |colleague: &Person, today: NaiveDate, enrolment: &Enrolment| {
            enrolment.substitute(colleague, today, &training).unwrap_err()
        };
        assert_eq!(refuse(&jan, day(11, 16), &enrolment), EnrolmentRuleError::SubstitutionClosed);
        assert_eq!(refuse(&ewa, day(11, 15), &enrolment), EnrolmentRuleError::SamePerson);
        assert_eq!(refuse(&person(&unit("Inna"), "Ola"), day(11, 15), &enrolment), EnrolmentRuleError::DifferentUnit);
        let (gone, _) = jan.leave(day(11, 1), day(1, 2), Utc::now()).unwrap();
        assert_eq!(refuse(&gone, day(11, 15), &enrolment), EnrolmentRuleError::PersonInactive);
        let (cancelled, _) = enrolment.cancel(admin(), noon(day(11, 1)), &training, false, None).unwrap();
        assert_eq!(refuse(&jan, day(11, 15), &cancelled), EnrolmentRuleError::AlreadyCancelled);
        // A place on the waiting list can be handed over too, keeping its number.
        let waiting = Enrolment::new(&training, &ewa, Admission::Waitlist, 8, admin(), Utc::now());
        assert_eq!(waiting.substitute(&jan, day(11, 15), &training).unwrap().waitlist_seq, Some(8));
    }

    #[test]
    fn attendance_per_session_and_completeness() {
        let training = training_in(Phase::Running);
        let gmina = unit("G");
        let mut ewa = enrolled(&training, &person(&gmina, "Ewa"));
        let mut jan = enrolled(&training, &person(&gmina, "Jan"));
        let mut waiting =
            Enrolment::new(&training, &person(&gmina, "Ola"), Admission::Waitlist, 2, admin(), Utc::now());
        assert_eq!(waiting.mark_attendance(&training.sessions, 0, true).unwrap_err(), EnrolmentRuleError::NoSeat);
        assert_eq!(
            ewa.mark_attendance(&training.sessions, 2, true).unwrap_err(),
            EnrolmentRuleError::UnknownSession(2)
        );
        ewa.mark_attendance(&training.sessions, 0, true).unwrap();
        ewa.mark_attendance(&training.sessions, 1, true).unwrap();
        jan.mark_attendance(&training.sessions, 0, true).unwrap();
        let all = [ewa.clone(), jan.clone(), waiting.clone()];
        assert!(!attendance_complete(&all, &training.sessions));
        jan.mark_attendance(&training.sessions, 1, false).unwrap();
        assert!(attendance_complete(&[ewa.clone(), jan.clone(), waiting], &training.sessions));
        assert!(ewa.attended_all(2) && !jan.attended_all(2));
        assert_eq!(jan.attended_share(&training.sessions), Decimal::from(50));
        assert_eq!(jan.final_status(&training.sessions, &AttendanceRule::AllSessions), EnrolmentStatus::Absent);
        let half = AttendanceRule::MinShareOfHours { percent: Decimal::from(50) };
        assert_eq!(jan.final_status(&training.sessions, &half), EnrolmentStatus::Attended);
        let most = AttendanceRule::MinShareOfHours { percent: Decimal::from(80) };
        assert_eq!(jan.final_status(&training.sessions, &most), EnrolmentStatus::Absent);
        assert_eq!(ewa.final_status(&training.sessions, &AttendanceRule::AllSessions), EnrolmentStatus::Attended);
    }

    #[test]
    fn completion_fixes_status_and_charge() {
        let training = training_in(Phase::Completed);
        let gmina = unit("G");
        let mut ewa = enrolled(&training, &person(&gmina, "Ewa"));
        assert_eq!(ewa.complete(&training, false).unwrap_err(), EnrolmentRuleError::AttendanceIncomplete);
        ewa.mark_attendance(&training.sessions, 0, true).unwrap();
        ewa.mark_attendance(&training.sessions, 1, true).unwrap();
        let done = ewa.complete(&training, false).unwrap();
        assert_eq!(done.status, EnrolmentStatus::Attended);
        assert!(done.chargeable);
        let members_free = Training { members_free: true, ..training.clone() };
        assert!(!ewa.complete(&members_free, true).unwrap().chargeable);
        assert!(ewa.complete(&members_free, false).unwrap().chargeable);
    }

    #[test]
    fn chargeability_rules() {
        let training = training_in(Phase::Completed);
        let base = enrolled(&training, &person(&unit("G"), "Ewa"));
        let with = |status: EnrolmentStatus, late: Option<bool>, waived: bool| Enrolment {
            status,
            cancelled: late.map(|late| Cancellation { by: staff(), at: Utc::now(), late, reason: None }),
            charge_waived: waived,
            ..base.clone()
        };
        use EnrolmentStatus::*;
        assert!(with(Attended, None, false).is_chargeable(&training, false));
        assert!(with(Absent, None, false).is_chargeable(&training, false));
        assert!(!with(Absent, None, true).is_chargeable(&training, false));
        assert!(with(Cancelled, Some(true), false).is_chargeable(&training, false));
        assert!(!with(Cancelled, Some(true), true).is_chargeable(&training, false));
        assert!(!with(Cancelled, Some(false), false).is_chargeable(&training, false));
        assert!(!with(Waitlisted, None, false).is_chargeable(&training, false));
        let members_free = Training { members_free: true, ..training.clone() };
        assert!(!with(Absent, None, false).is_chargeable(&members_free, true));
        assert!(!with(Cancelled, Some(true), false).is_chargeable(&members_free, true));
        let free = Training { price: crate::training::Price::free(), ..training.clone() };
        assert!(!with(Attended, None, false).is_chargeable(&free, false));
        // Per-training switches: a rule turned off spares that kind of absence only.
        let rules = |charge_no_shows, charge_late_cancellations| Training {
            settlement_rules: crate::training::SettlementRules { charge_no_shows, charge_late_cancellations },
            ..training.clone()
        };
        let no_shows_free = rules(false, true);
        assert!(!with(Absent, None, false).is_chargeable(&no_shows_free, false));
        assert!(with(Cancelled, Some(true), false).is_chargeable(&no_shows_free, false));
        assert!(with(Attended, None, false).is_chargeable(&no_shows_free, false));
        let late_free = rules(true, false);
        assert!(with(Absent, None, false).is_chargeable(&late_free, false));
        assert!(!with(Cancelled, Some(true), false).is_chargeable(&late_free, false));
        assert!(with(Attended, None, false).is_chargeable(&rules(false, false), false));
    }

    #[test]
    fn every_rule_error_has_both_languages() {
        let errors = [
            EnrolmentRuleError::Closed(EnrolmentClosed::Started(day(1, 1))),
            EnrolmentRuleError::TrainingNotOpen(Phase::Closed),
            EnrolmentRuleError::PersonInactive,
            EnrolmentRuleError::AlreadyCancelled,
            EnrolmentRuleError::AlreadyFinal(EnrolmentStatus::Absent),
            EnrolmentRuleError::CancellationDeadlinePassed,
            EnrolmentRuleError::SubstitutionClosed,
            EnrolmentRuleError::DifferentUnit,
            EnrolmentRuleError::SamePerson,
            EnrolmentRuleError::NotWaitlisted,
            EnrolmentRuleError::NoSeat,
            EnrolmentRuleError::UnknownSession(3),
            EnrolmentRuleError::AttendanceIncomplete,
        ];
        let mut codes: Vec<_> = errors.iter().map(|e| e.field_error().code).collect();
        for error in &errors {
            let field = error.field_error();
            assert!(!field.pl.is_empty() && field.pl != field.en, "{error:?}");
        }
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
    }

    #[test]
    fn enrolment_serializes_camel_case() {
        let training = training_in(Phase::Recruiting);
        let enrolment =
            Enrolment::new(&training, &person(&unit("G"), "Ewa"), Admission::Waitlist, 4, admin(), Utc::now());
        let json = serde_json::to_value(&enrolment).unwrap();
        assert_eq!(json["status"], "waitlisted");
        assert_eq!(json["waitlistSeq"], 4);
        assert!(json.get("trainingId").is_some() && json.get("unitPath").is_some());
        assert_eq!(serde_json::from_value::<Enrolment>(json).unwrap(), enrolment);
    }

    proptest! {
        /// Arrivals in any order on any capacity: the first `capacity` get seats, the rest wait
        /// in arrival order, and every freed seat goes to the earliest still waiting.
        #[test]
        fn waiting_list_keeps_arrival_order(
            arrivals in proptest::collection::vec(0u32..1000, 0..60),
            capacity in 0u32..25,
            cancellations in proptest::collection::vec(any::<proptest::sample::Index>(), 0..20),
        ) {
            let training = Training { capacity, ..training_in(Phase::Recruiting) };
            let gmina = unit("G");
            let mut enrolments = Vec::new();
            let mut seats = 0u32;
            for (seq, _tag) in arrivals.iter().enumerate() {
                let admission = admit(training.capacity, seats);
                if admission == Admission::Seat {
                    seats += 1;
                }
                let enrolment = Enrolment::new(&training, &person(&gmina, "Ewa"), admission, seq as u64, admin(), Utc::now());
                enrolments.push(enrolment);
            }
            let n = arrivals.len() as u32;
            prop_assert_eq!(seats, n.min(capacity));
            let waiting: Vec<u64> = enrolments.iter().filter_map(|e| e.waitlist_seq).collect();
            let expected: Vec<u64> = (u64::from(capacity)..u64::from(n.max(capacity))).collect();
            prop_assert_eq!(&waiting, &expected);
            // Cancel random seat-holders; each freed seat promotes the lowest number.
            let mut next_expected = u64::from(capacity);
            for index in cancellations {
                let holders: Vec<usize> = (0..enrolments.len()).filter(|i| enrolments[*i].status == EnrolmentStatus::Enrolled).collect();
                if holders.is_empty() {
                    break;
                }
                let victim = holders[index.index(holders.len())];
                let (cancelled, freed) = enrolments[victim].cancel(staff(), noon(day(11, 1)), &training, true, None).unwrap();
                prop_assert!(freed);
                enrolments[victim] = cancelled;
                if let Some(first) = promote_next(&enrolments).map(|e| e.id) {
                    prop_assert_eq!(promote_next(&enrolments).unwrap().waitlist_seq, Some(next_expected));
                    let at = enrolments.iter().position(|e| e.id == first).unwrap();
                    enrolments[at] = enrolments[at].promote().unwrap();
                    next_expected += 1;
                } else {
                    prop_assert!(next_expected >= u64::from(n));
                }
                let seats_now = enrolments.iter().filter(|e| e.status == EnrolmentStatus::Enrolled).count() as u32;
                prop_assert!(seats_now <= capacity);
            }
        }
    }
}
