use super::*;
use crate::unit::AddressInput;
use chrono::TimeZone;
use proptest::prelude::*;

pub(crate) fn staff() -> UserRef {
    UserRef { id: "staff-1".into(), name: "Ewa Nowak".into() }
}

pub(crate) fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap()
}

/// Noon in Warsaw on that day, as UTC.
pub(crate) fn noon(date: NaiveDate) -> DateTime<Utc> {
    chrono_tz::Europe::Warsaw.from_local_datetime(&date.and_hms_opt(12, 0, 0).unwrap()).unwrap().with_timezone(&Utc)
}

pub(crate) fn venue() -> Venue {
    VenueInput {
        name: Some("Sala konferencyjna WOKiSS".into()),
        address: Some(AddressInput { city: Some("Poznań".into()), ..Default::default() }),
        capacity: Some(40),
        latitude: Some("52.406374".into()),
        longitude: Some("16.925168".into()),
        ..Default::default()
    }
    .create(Utc::now())
    .unwrap()
}

pub(crate) fn session(date: &str, start: &str, end: &str) -> SessionInput {
    SessionInput { date: Some(date.into()), start: Some(start.into()), end: Some(end.into()), hours: None }
}

fn refs() -> References {
    References { venue: Some(venue()), ..Default::default() }
}

fn base_input(refs: &References) -> TrainingInput {
    TrainingInput {
        kind: Some("EDU-OPEN".into()),
        title: Some("Zamówienia publiczne po nowelizacji".into()),
        sessions: Some(vec![session("2026-11-17", "09:00", "15:00"), session("2026-11-16", "09:00", "15:00")]),
        venue_id: refs.venue.as_ref().map(|v| v.id.to_string()),
        capacity: Some(20),
        min_participants: Some(8),
        price_net: Some("450,00".into()),
        vat: Some("zw".into()),
        enrolment_deadline: Some("2026-11-09".into()),
        cancellation_deadline: Some("2026-11-12".into()),
        ..Default::default()
    }
}

/// A ready EDU-OPEN training on 16–17 Nov 2026, 20 seats, in phase `phase`.
pub(crate) fn training_in(phase: Phase) -> Training {
    let refs = refs();
    let mut training = base_input(&refs).create(&TrainingKind::catalogue(), &refs, staff(), noon(day(10, 1))).unwrap();
    training.phase = phase;
    training
}

fn all_facts() -> TransitionFacts {
    TransitionFacts { attendance_complete: true, enrolled_count: 10, settlement_complete: true }
}

#[test]
fn create_sorts_sessions_counts_clock_hours_and_snapshots_the_venue() {
    let training = training_in(Phase::Planned);
    assert_eq!(training.starts_on(), Some(day(11, 16)));
    assert_eq!(training.ends_on(), Some(day(11, 17)));
    assert_eq!(training.sessions[0].hours, Decimal::from(6));
    assert_eq!(training.total_hours(), Decimal::from(12));
    assert_eq!(training.segment, Segment::Edu);
    assert_eq!(training.phases.len(), 6);
    assert_eq!(training.venue.as_ref().unwrap().name, "Sala konferencyjna WOKiSS");
    assert_eq!(training.price.vat, VatTreatment::exempt_default());
    assert_eq!(training.go_no_go_days_before, DEFAULT_GO_NO_GO_DAYS);
    assert_eq!(training.visibility, Visibility::Public);
}

#[test]
fn capacity_defaults_to_the_venue_and_cannot_exceed_it() {
    let refs = refs();
    let kinds = TrainingKind::catalogue();
    let training =
        TrainingInput { capacity: None, ..base_input(&refs) }.create(&kinds, &refs, staff(), Utc::now()).unwrap();
    assert_eq!(training.capacity, 40);
    let errors = TrainingInput { capacity: Some(41), ..base_input(&refs) }
        .create(&kinds, &refs, staff(), Utc::now())
        .unwrap_err();
    assert_eq!(errors.0[0].code, "above_venue_capacity");
    let online = TrainingInput { capacity: Some(100), online: Some(true), ..base_input(&refs) }
        .create(&kinds, &refs, staff(), Utc::now())
        .unwrap();
    assert_eq!(online.capacity, 100);
}

#[test]
fn create_reports_every_bad_field_at_once() {
    let refs = References::default();
    let errors = TrainingInput {
        kind: Some("EDU-XYZ".into()),
        sessions: Some(vec![
            session("2026-13-01", "9", "15:00"),
            session("2026-11-16", "15:00", "09:00"),
            SessionInput { hours: Some("9".into()), ..session("2026-11-17", "09:00", "15:00") },
        ]),
        venue_id: Some(VenueId::generate().to_string()),
        trainer_ids: Some(vec![PersonId::generate().to_string(), "x".into()]),
        price_net: Some("-1".into()),
        vat: Some("22".into()),
        visibility: Some("units".into()),
        attendance_rule: Some("min_share_of_hours".into()),
        attendance_min_percent: Some("120".into()),
        go_no_go_days_before: Some(400),
        ..Default::default()
    }
    .create(&TrainingKind::catalogue(), &refs, staff(), Utc::now())
    .unwrap_err();
    let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
    for field in [
        "title",
        "kind",
        "sessions[0].date",
        "sessions[0].start",
        "sessions[1].end",
        "sessions[2].hours",
        "trainerIds[1]",
        "trainerIds[0]",
        "venueId",
        "priceNet",
        "vat",
        "goNoGoDaysBefore",
        "visibleUnitIds",
        "attendanceMinPercent",
    ] {
        assert!(fields.contains(&field), "{field} missing in {fields:?}");
    }
}

#[test]
fn sessions_may_count_academic_hours_but_not_overlap() {
    let refs = refs();
    let kinds = TrainingKind::catalogue();
    let academic = TrainingInput {
        sessions: Some(vec![SessionInput { hours: Some("8".into()), ..session("2026-11-16", "09:00", "15:00") }]),
        ..base_input(&refs)
    }
    .create(&kinds, &refs, staff(), Utc::now())
    .unwrap();
    assert_eq!(academic.sessions[0].hours, Decimal::from(8));
    let errors = TrainingInput {
        sessions: Some(vec![session("2026-11-16", "09:00", "12:00"), session("2026-11-16", "11:30", "14:00")]),
        ..base_input(&refs)
    }
    .create(&kinds, &refs, staff(), Utc::now())
    .unwrap_err();
    assert_eq!(errors.0[0].code, "sessions_overlap");
}

#[test]
fn deadlines_must_fall_before_the_first_session() {
    let refs = refs();
    let errors = TrainingInput {
        enrolment_deadline: Some("2026-11-16".into()),
        cancellation_deadline: Some("2026-11-20".into()),
        ..base_input(&refs)
    }
    .create(&TrainingKind::catalogue(), &refs, staff(), Utc::now())
    .unwrap_err();
    let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["enrolmentDeadline", "cancellationDeadline"]);
}

#[test]
fn patch_keeps_absent_clears_blank_and_records_changes() {
    let training = training_in(Phase::Planned);
    let unit = UnitId::generate();
    let patch = TrainingInput {
        version: Some(1),
        enrolment_deadline: Some("".into()),
        vat: Some("23".into()),
        visibility: Some("units".into()),
        visible_unit_ids: Some(vec![unit.to_string()]),
        ..Default::default()
    };
    let (next, changes) =
        patch.update(&training, &TrainingKind::catalogue(), &References::default(), Utc::now()).unwrap();
    assert_eq!(next.enrolment_deadline, None);
    assert_eq!(next.cancellation_deadline, training.cancellation_deadline);
    assert_eq!(next.venue, training.venue);
    assert_eq!(next.price.gross(), "553.50".parse::<Decimal>().unwrap());
    assert_eq!(next.visibility, Visibility::Units { unit_ids: vec![unit] });
    assert_eq!(next.version, 2);
    let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["price", "enrolmentDeadline", "visibility"]);
    let errors = TrainingInput::default()
        .update(&training, &TrainingKind::catalogue(), &References::default(), Utc::now())
        .unwrap_err();
    assert_eq!(errors.0[0].field, "version");
}

#[test]
fn patch_respects_the_phase() {
    let kinds = TrainingKind::catalogue();
    let refs = References::default();
    let patch = |training: &Training, input: TrainingInput| {
        TrainingInput { version: Some(training.version), ..input }.update(training, &kinds, &refs, Utc::now())
    };
    let recruiting = training_in(Phase::Recruiting);
    let codes = |result: Result<(Training, Vec<FieldChange>), ValidationErrors>| {
        result.unwrap_err().0.into_iter().map(|e| e.code).collect::<Vec<_>>()
    };
    assert_eq!(
        codes(patch(&recruiting, TrainingInput { kind: Some("CWE-WORKSHOP".into()), ..Default::default() })),
        ["kind_locked"]
    );
    assert_eq!(
        codes(patch(&recruiting, TrainingInput { venue_id: Some("".into()), ..Default::default() })),
        ["no_venue"]
    );
    assert!(patch(&recruiting, TrainingInput { title: Some("Nowy tytuł".into()), ..Default::default() }).is_ok());
    let completed = training_in(Phase::Completed);
    assert_eq!(
        codes(patch(&completed, TrainingInput { price_net: Some("500".into()), ..Default::default() })),
        ["locked_after_completion"]
    );
    assert_eq!(
        codes(patch(&completed, TrainingInput { charge_no_shows: Some(false), ..Default::default() })),
        ["locked_after_completion"]
    );
    let cancelled = training_in(Phase::Cancelled);
    assert_eq!(
        codes(patch(&cancelled, TrainingInput { title: Some("X".into()), ..Default::default() })),
        ["training_terminal"]
    );
}

#[test]
fn trainers_and_owner_resolve_from_loaded_references() {
    let trainer = TrainerRef { person_id: PersonId::generate(), name: "dr Jan Kowalski".into() };
    let owner = UserRef { id: "staff-2".into(), name: "Adam Nowicki".into() };
    let refs = References { trainers: vec![trainer.clone()], owner: Some(owner.clone()), ..Default::default() };
    let input = TrainingInput {
        trainer_ids: Some(vec![trainer.person_id.to_string(), trainer.person_id.to_string()]),
        owner_id: Some("staff-2".into()),
        version: Some(1),
        ..Default::default()
    };
    assert_eq!(input.trainer_ids(), vec![trainer.person_id, trainer.person_id]);
    let (next, _) = input.update(&training_in(Phase::Planned), &TrainingKind::catalogue(), &refs, Utc::now()).unwrap();
    assert_eq!(next.trainers, vec![trainer]);
    assert_eq!(next.owner, owner);
}

#[test]
fn the_whole_way_from_planned_to_closed() {
    let facts = all_facts();
    let mut training = training_in(Phase::Planned);
    let steps = [
        (Phase::Recruiting, day(10, 20)),
        (Phase::Running, day(11, 16)),
        (Phase::Completed, day(11, 17)),
        (Phase::Settled, day(12, 1)),
        (Phase::Closed, day(12, 2)),
    ];
    for (to, on) in steps {
        let (next, change) = training.transition(to, &facts, &staff(), noon(on)).unwrap();
        assert_eq!((change.from, change.to, change.by.clone()), (training.phase, to, staff()));
        assert_eq!(next.version, training.version + 1);
        training = next;
    }
    let error = training.transition(Phase::Cancelled, &facts, &staff(), noon(day(12, 3))).unwrap_err();
    assert_eq!(error, TrainingRuleError::Terminal(Phase::Closed));
}

#[test]
fn recruiting_needs_sessions_venue_capacity_and_a_future_start() {
    let facts = all_facts();
    let at = noon(day(10, 20));
    let planned = training_in(Phase::Planned);
    let refuse = |training: &Training| training.transition(Phase::Recruiting, &facts, &staff(), at).unwrap_err();
    assert_eq!(refuse(&Training { sessions: vec![], ..planned.clone() }), TrainingRuleError::NoSessions);
    assert_eq!(refuse(&Training { venue: None, ..planned.clone() }), TrainingRuleError::NoVenue);
    assert_eq!(refuse(&Training { capacity: 0, ..planned.clone() }), TrainingRuleError::NoCapacity);
    let online = Training { venue: None, online: true, ..planned.clone() };
    assert!(online.transition(Phase::Recruiting, &facts, &staff(), at).is_ok());
    let error = planned.transition(Phase::Recruiting, &facts, &staff(), noon(day(11, 16))).unwrap_err();
    assert_eq!(error, TrainingRuleError::AlreadyStarted(day(11, 16)));
    assert_eq!(error.field_error().code, "already_started");
}

#[test]
fn running_from_the_first_day_with_participants() {
    let recruiting = training_in(Phase::Recruiting);
    let facts = all_facts();
    let error = recruiting.transition(Phase::Running, &facts, &staff(), noon(day(11, 15))).unwrap_err();
    assert_eq!(error, TrainingRuleError::NotStartedYet(day(11, 16)));
    // 23:30 UTC on 15 Nov is 00:30 on 16 Nov in Warsaw: already the first day.
    let just_after_midnight = Utc.with_ymd_and_hms(2026, 11, 15, 23, 30, 0).unwrap();
    assert!(recruiting.transition(Phase::Running, &facts, &staff(), just_after_midnight).is_ok());
    let nobody = TransitionFacts { enrolled_count: 0, ..facts };
    let error = recruiting.transition(Phase::Running, &nobody, &staff(), noon(day(11, 16))).unwrap_err();
    assert_eq!(error, TrainingRuleError::NoParticipants);
}

#[test]
fn completing_needs_the_last_day_and_full_attendance() {
    let running = training_in(Phase::Running);
    let facts = all_facts();
    assert_eq!(
        running.transition(Phase::Completed, &facts, &staff(), noon(day(11, 16))).unwrap_err(),
        TrainingRuleError::NotEnded(day(11, 17))
    );
    let incomplete = TransitionFacts { attendance_complete: false, ..facts };
    assert_eq!(
        running.transition(Phase::Completed, &incomplete, &staff(), noon(day(11, 17))).unwrap_err(),
        TrainingRuleError::AttendanceIncomplete
    );
    let completed = training_in(Phase::Completed);
    let unsettled = TransitionFacts { settlement_complete: false, ..facts };
    assert_eq!(
        completed.transition(Phase::Settled, &unsettled, &staff(), noon(day(12, 1))).unwrap_err(),
        TrainingRuleError::SettlementIncomplete
    );
}

#[test]
fn phases_cannot_be_skipped_and_free_kinds_skip_settlement() {
    let facts = all_facts();
    let planned = training_in(Phase::Planned);
    let error = planned.transition(Phase::Running, &facts, &staff(), noon(day(11, 16))).unwrap_err();
    assert_eq!(
        error,
        TrainingRuleError::NotNextPhase { from: Phase::Planned, to: Phase::Running, next: Some(Phase::Recruiting) }
    );
    assert!(error.field_error().pl.contains("rekrutacja"));
    let completed = training_in(Phase::Completed);
    assert!(completed.transition(Phase::Closed, &facts, &staff(), noon(day(12, 1))).is_err());
    let lex = TrainingKind::find(&TrainingKind::catalogue(), "LEX-SEMINAR").unwrap().clone();
    let free = Training { phases: lex.phases, kind_code: lex.code, ..completed };
    assert!(free.transition(Phase::Settled, &facts, &staff(), noon(day(12, 1))).is_err());
    assert_eq!(free.transition(Phase::Closed, &facts, &staff(), noon(day(12, 1))).unwrap().0.phase, Phase::Closed);
}

#[test]
fn cancelling_is_possible_until_completion_and_is_terminal() {
    let facts = all_facts();
    for phase in [Phase::Planned, Phase::Recruiting, Phase::Running] {
        let (cancelled, change) =
            training_in(phase).transition(Phase::Cancelled, &facts, &staff(), noon(day(11, 16))).unwrap();
        assert_eq!(change.from, phase);
        assert_eq!(
            cancelled.transition(Phase::Planned, &facts, &staff(), noon(day(11, 16))).unwrap_err(),
            TrainingRuleError::Terminal(Phase::Cancelled)
        );
    }
    for phase in [Phase::Completed, Phase::Settled] {
        assert_eq!(
            training_in(phase).transition(Phase::Cancelled, &facts, &staff(), noon(day(12, 1))).unwrap_err(),
            TrainingRuleError::CannotCancel(phase)
        );
    }
}

#[test]
fn visibility_covers_listed_units_and_their_sub_units_only() {
    let (gmina, school, other) = (UnitId::generate(), UnitId::generate(), UnitId::generate());
    let closed = Visibility::Units { unit_ids: vec![gmina] };
    assert!(closed.visible_to(&[gmina]));
    assert!(closed.visible_to(&[gmina, school]));
    assert!(!closed.visible_to(&[other]));
    // Closed for the school: the gmina above it does not see it.
    let for_school = Visibility::Units { unit_ids: vec![school] };
    assert!(!for_school.visible_to(&[gmina]));
    assert!(for_school.visible_to(&[gmina, school]));
    assert!(Visibility::Public.visible_to(&[other]));
    assert!(Visibility::Public.visible_to(&[]));
    assert!(!Visibility::Hidden.visible_to(&[gmina]));
    assert!(!training_in(Phase::Planned).shown_in_extranet(&[gmina]));
    assert!(training_in(Phase::Recruiting).shown_in_extranet(&[gmina]));
    assert_eq!(
        serde_json::to_value(&closed).unwrap(),
        serde_json::json!({"kind": "units", "unitIds": [gmina.to_string()]})
    );
}

#[test]
fn enrolment_window_uses_deadline_and_first_day() {
    let training = training_in(Phase::Recruiting);
    assert_eq!(training.enrolment_open(day(11, 9)), Ok(()));
    assert_eq!(training.enrolment_open(day(11, 10)), Err(EnrolmentClosed::DeadlinePassed(day(11, 9))));
    let no_deadline = Training { enrolment_deadline: None, ..training.clone() };
    assert_eq!(no_deadline.enrolment_open(day(11, 15)), Ok(()));
    assert_eq!(no_deadline.enrolment_open(day(11, 16)), Err(EnrolmentClosed::Started(day(11, 16))));
    assert_eq!(
        training_in(Phase::Planned).enrolment_open(day(11, 1)),
        Err(EnrolmentClosed::NotRecruiting(Phase::Planned))
    );
    assert_eq!(EnrolmentClosed::DeadlinePassed(day(11, 9)).field_error().code, "enrolment_deadline_passed");
}

#[test]
fn deadlines_are_warsaw_dates_across_the_end_of_summer_time() {
    // Summer time ends at 03:00 CEST on Sunday 25 Oct 2026; from then Warsaw is UTC+1.
    let training = Training {
        sessions: vec![Session {
            date: day(11, 16),
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
            hours: Decimal::from(6),
        }],
        enrolment_deadline: Some(day(10, 25)),
        cancellation_deadline: Some(day(10, 25)),
        ..training_in(Phase::Recruiting)
    };
    let at = |h: u32, m: u32| warsaw_date(Utc.with_ymd_and_hms(2026, 10, 25, h, m, 0).unwrap());
    // 22:30 UTC = 23:30 CET on the 25th: the deadline day still.
    assert_eq!(at(22, 30), day(10, 25));
    assert_eq!(training.enrolment_open(at(22, 30)), Ok(()));
    assert!(training.self_cancellation_allowed(at(22, 30)));
    // 23:30 UTC = 00:30 CET on the 26th: past it.
    assert_eq!(at(23, 30), day(10, 26));
    assert_eq!(training.enrolment_open(at(23, 30)), Err(EnrolmentClosed::DeadlinePassed(day(10, 25))));
    assert!(!training.self_cancellation_allowed(at(23, 30)));
    // A day earlier, still in summer time (UTC+2), 22:30 UTC is already past midnight.
    let summer = Training { enrolment_deadline: Some(day(10, 24)), ..training };
    let late_evening = warsaw_date(Utc.with_ymd_and_hms(2026, 10, 24, 22, 30, 0).unwrap());
    assert_eq!(late_evening, day(10, 25));
    assert!(summer.enrolment_open(late_evening).is_err());
}

#[test]
fn self_cancellation_without_deadline_ends_before_the_first_day() {
    let training = Training { cancellation_deadline: None, ..training_in(Phase::Recruiting) };
    assert!(training.self_cancellation_allowed(day(11, 15)));
    assert!(!training.self_cancellation_allowed(day(11, 16)));
    let with_deadline = training_in(Phase::Recruiting);
    assert!(with_deadline.self_cancellation_allowed(day(11, 12)));
    assert!(!with_deadline.self_cancellation_allowed(day(11, 13)));
}

#[test]
fn go_no_go_inside_the_window_and_under_the_minimum() {
    let training = training_in(Phase::Recruiting); // starts 16 Nov, minimum 8, 7 days before
    assert_eq!(training.go_no_go_date(), Some(day(11, 9)));
    assert!(!training.needs_go_no_go(day(11, 8), 3));
    assert!(training.needs_go_no_go(day(11, 9), 3));
    assert!(training.needs_go_no_go(day(11, 15), 7));
    assert!(!training.needs_go_no_go(day(11, 15), 8));
    assert!(!training.needs_go_no_go(day(11, 16), 3));
    assert!(!training_in(Phase::Cancelled).needs_go_no_go(day(11, 10), 0));
    assert!(!Training { min_participants: 0, ..training }.needs_go_no_go(day(11, 10), 0));
}

#[test]
fn capacity_check_protects_existing_seats() {
    let training = training_in(Phase::Recruiting);
    assert!(training.check_capacity(20).is_ok());
    assert_eq!(
        training.check_capacity(21).unwrap_err(),
        TrainingRuleError::CapacityBelowEnrolled { capacity: 20, enrolled: 21 }
    );
}

#[test]
fn training_serializes_camel_case_and_round_trips() {
    let training = training_in(Phase::Recruiting);
    let json = serde_json::to_value(&training).unwrap();
    for key in ["kindCode", "minParticipants", "membersFree", "enrolmentDeadline", "goNoGoDaysBefore", "attendanceRule"]
    {
        assert!(json.get(key).is_some(), "{key} missing");
    }
    assert_eq!(json["phase"], "recruiting");
    assert_eq!(json["segment"], "EDU");
    assert_eq!(json["sessions"][0]["start"], "09:00:00");
    assert_eq!(json["price"]["net"], "450.00");
    assert_eq!(serde_json::from_value::<Training>(json).unwrap(), training);
}

#[test]
fn every_rule_error_has_both_languages() {
    let errors = [
        TrainingRuleError::Terminal(Phase::Closed),
        TrainingRuleError::NotNextPhase { from: Phase::Closed, to: Phase::Planned, next: None },
        TrainingRuleError::CannotCancel(Phase::Settled),
        TrainingRuleError::NoSessions,
        TrainingRuleError::NoVenue,
        TrainingRuleError::NoCapacity,
        TrainingRuleError::AlreadyStarted(day(1, 1)),
        TrainingRuleError::NotStartedYet(day(1, 1)),
        TrainingRuleError::NoParticipants,
        TrainingRuleError::NotEnded(day(1, 1)),
        TrainingRuleError::AttendanceIncomplete,
        TrainingRuleError::SettlementIncomplete,
        TrainingRuleError::CapacityBelowEnrolled { capacity: 1, enrolled: 2 },
    ];
    for error in errors {
        let field = error.field_error();
        assert!(!field.pl.is_empty() && !field.en.is_empty() && field.pl != field.en, "{error:?}");
    }
}

fn phase_strategy() -> impl Strategy<Value = Phase> {
    proptest::sample::select(Phase::ALL.to_vec())
}

proptest! {
    /// With every precondition met, a transition succeeds exactly when it goes to the next phase
    /// of the kind's list, or to cancelled from planned/recruiting/running.
    #[test]
    fn only_next_phase_or_cancel_is_allowed(kind_index in 0usize..6, from in phase_strategy(), to in phase_strategy()) {
        let kind = TrainingKind::catalogue()[kind_index].clone();
        prop_assume!(from == Phase::Cancelled || kind.phases.contains(&from));
        let training = Training { phases: kind.phases.clone(), kind_code: kind.code.clone(), phase: from, ..training_in(from) };
        // Recruiting must open before the first day; everything else happens after the last.
        let at = if to == Phase::Recruiting { noon(day(10, 20)) } else { noon(day(12, 1)) };
        let allowed = if from.is_terminal() {
            false
        } else if to == Phase::Cancelled {
            from.may_be_cancelled()
        } else {
            next_phase(&kind.phases, from) == Some(to)
        };
        let result = training.transition(to, &all_facts(), &staff(), at);
        prop_assert_eq!(result.is_ok(), allowed, "{:?} -> {:?} in {}: {:?}", from, to, kind.code, result.err());
        if let Ok((next, change)) = result {
            prop_assert_eq!(next.phase, to);
            prop_assert_eq!(change.from, from);
        }
    }
}

#[test]
fn settlement_rules_default_to_charging_and_older_records_still_load() {
    let training = training_in(Phase::Planned);
    assert_eq!(training.settlement_rules, SettlementRules { charge_no_shows: true, charge_late_cancellations: true });
    let mut json = serde_json::to_value(&training).unwrap();
    assert_eq!(json["settlementRules"], serde_json::json!({"chargeNoShows": true, "chargeLateCancellations": true}));
    // A record stored before the rules existed: both charged.
    json.as_object_mut().unwrap().remove("settlementRules");
    assert_eq!(serde_json::from_value::<Training>(json.clone()).unwrap().settlement_rules, SettlementRules::default());
    // A partial object keeps the default for the missing switch.
    json["settlementRules"] = serde_json::json!({"chargeNoShows": false});
    let partial = serde_json::from_value::<Training>(json).unwrap().settlement_rules;
    assert_eq!(partial, SettlementRules { charge_no_shows: false, charge_late_cancellations: true });
    let input = TrainingInput { charge_late_cancellations: Some(false), version: Some(1), ..Default::default() };
    let (patched, changes) =
        input.update(&training, &TrainingKind::catalogue(), &References::default(), Utc::now()).unwrap();
    assert!(!patched.settlement_rules.charge_late_cancellations && patched.settlement_rules.charge_no_shows);
    assert!(changes.iter().any(|c| c.field == "chargeLateCancellations"), "{changes:?}");
}
