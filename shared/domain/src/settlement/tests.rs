use super::*;
use crate::enrolment::{Cancellation, Enrolment, EnrolmentStatus};
use crate::history::UserRef;
use crate::ids::{ContractId, EnrolmentId, PersonId, TrainingId};
use crate::training::tests::{day, noon, staff, training_in};
use crate::training::{Phase, Price, Session, Training};
use crate::unit::{AddressInput, UnitInput};
use chrono::NaiveTime;
use proptest::prelude::*;
use std::collections::BTreeSet;

fn dec(raw: &str) -> Decimal {
    raw.parse().unwrap()
}

fn rate(percent: u32) -> VatTreatment {
    VatTreatment::Rate { percent: Decimal::from(percent) }
}

fn session(date: NaiveDate) -> Session {
    Session {
        date,
        start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
        hours: Decimal::from(6),
    }
}

/// A completed training on `from`..=`to` at `net` per participant.
fn training(title: &str, from: NaiveDate, to: NaiveDate, net: &str, vat: VatTreatment) -> Training {
    let mut sessions = vec![session(from)];
    if to != from {
        sessions.push(session(to));
    }
    Training {
        id: TrainingId::generate(),
        title: title.into(),
        sessions,
        price: Price { net: dec(net), vat },
        ..training_in(Phase::Completed)
    }
}

/// An enrolment as the training completed: status final, chargeability fixed.
fn enrolment(training: &Training, unit: UnitId, name: &str, status: EnrolmentStatus, member: bool) -> Enrolment {
    let cancelled = (status == EnrolmentStatus::Cancelled).then(|| Cancellation {
        by: staff(),
        at: noon(day(11, 13)),
        late: true,
        reason: None,
    });
    let mut enrolment = Enrolment {
        id: EnrolmentId::generate(),
        training_id: training.id,
        person_id: PersonId::generate(),
        person_name: name.into(),
        unit_id: unit,
        unit_path: vec![unit],
        status,
        waitlist_seq: None,
        enrolled_by: UserRef { id: "admin-1".into(), name: "Anna Admin".into() },
        enrolled_at: noon(day(10, 20)),
        cancelled,
        attendance: Vec::new(),
        substituted_from: None,
        charge_waived: false,
        chargeable: false,
        version: 3,
    };
    enrolment.chargeable = enrolment.is_chargeable(training, member);
    enrolment
}

fn attended(training: &Training, unit: UnitId, name: &str) -> LineCandidate {
    LineCandidate::from_enrolment(training, &enrolment(training, unit, name, EnrolmentStatus::Attended, false)).unwrap()
}

fn unit_record(name: &str) -> Unit {
    UnitInput {
        kind: Some("inna".into()),
        name: Some(name.into()),
        nip: Some("123-456-32-18".into()),
        regon: Some("000000030".into()),
        address: Some(AddressInput {
            street: Some("ul. Rynek 1".into()),
            postal_code: Some("61-001".into()),
            city: Some("Poznań".into()),
        }),
        ..Default::default()
    }
    .create(None, Utc::now())
    .unwrap()
}

fn number(series: Series, seq: u32) -> SettlementNumber {
    SettlementNumber::new(series, 2026, seq).unwrap()
}

fn contract_input(unit: UnitId, net: &str, sequence: u32) -> ContractLineInput {
    ContractLineInput {
        contract_id: ContractId::derived("test", "lex"),
        unit_id: unit,
        subject: "Obsługa prawna LEX".into(),
        period_key: "2026-Q4".into(),
        period_start: day(10, 1),
        period_end: day(12, 31),
        sequence,
        description: "Umowa LEX, IV kwartał 2026".into(),
        net: dec(net),
        vat: rate(23),
    }
}

/// Unit "Gmina Kórnik" with two lines at 450 zw, issued and exported.
struct Issued {
    unit: Unit,
    settlement: Settlement,
}

fn issued_and_exported() -> Issued {
    let unit = unit_record("Gmina Kórnik");
    let t1 = training("Zamówienia publiczne", day(11, 16), day(11, 17), "450.00", VatTreatment::exempt_default());
    let t2 = training("RODO w urzędzie", day(11, 20), day(11, 20), "300.00", rate(23));
    let lines = vec![attended(&t1, unit.id, "Ewa Kowalska"), attended(&t2, unit.id, "Jan Nowak")];
    let settlement = Settlement::draft(unit.id, lines, noon(day(11, 21)))
        .unwrap()
        .issue(number(Series::Roz, 7), BuyerSnapshot::of(&unit), day(11, 23), 14)
        .unwrap()
        .mark_exported(crate::ids::ExportBatchId::derived("batch", "1"))
        .unwrap();
    Issued { unit, settlement }
}

#[test]
fn several_persons_in_several_trainings_of_one_unit_make_one_settlement_two_units_two() {
    let (gmina, powiat) = (UnitId::generate(), UnitId::generate());
    let t1 = training("Zamówienia publiczne", day(11, 16), day(11, 17), "450.00", VatTreatment::exempt_default());
    let t2 = training("RODO w urzędzie", day(11, 20), day(11, 20), "300.00", rate(23));
    let candidates = vec![
        attended(&t2, gmina, "Jan Nowak"),
        attended(&t2, gmina, "Ewa Kowalska"),
        attended(&t1, powiat, "Ola Wiśniewska"),
        attended(&t1, gmina, "Ewa Kowalska"),
    ];
    let drafts = plan_settlements(candidates.clone());
    assert_eq!(drafts.len(), 2);
    let of = |unit: UnitId| drafts.iter().find(|d| d.unit_id == unit).unwrap();
    let g = of(gmina);
    let described: Vec<&str> = g.lines.iter().map(|l| l.description.as_str()).collect();
    assert_eq!(
        described,
        [
            "Szkolenie „Zamówienia publiczne”, 16–17.11.2026 — Ewa Kowalska",
            "Szkolenie „RODO w urzędzie”, 20.11.2026 — Ewa Kowalska",
            "Szkolenie „RODO w urzędzie”, 20.11.2026 — Jan Nowak",
        ]
    );
    let first = &g.lines[0];
    assert_eq!((first.net, first.vat.code(), first.gross()), (dec("450.00"), "zw".to_owned(), dec("450.00")));
    assert_eq!((first.service_from, first.service_to), (day(11, 16), day(11, 17)));
    assert_eq!((g.lines[1].vat_amount(), g.lines[1].gross()), (dec("69.00"), dec("369.00")));
    assert_eq!(g.totals.gross, dec("1188.00"));
    assert_eq!(of(powiat).lines.len(), 1);
    // Planning is a pure function of the candidates: any order gives the same drafts.
    let mut reversed = candidates.clone();
    reversed.reverse();
    assert_eq!(plan_settlements(reversed), drafts);
    // A line offered twice is planned once.
    let mut doubled = candidates.clone();
    doubled.push(candidates[0].clone());
    assert_eq!(plan_settlements(doubled), drafts);
    // The draft becomes the document the store writes, with the same lines.
    let settlement = g.clone().into_settlement(noon(day(11, 21))).unwrap();
    assert_eq!(settlement.lines, g.lines);
    assert_eq!(settlement.status, SettlementStatus::Draft);
    assert_eq!(settlement.sentinel_keys(), g.line_keys());
    assert!(settlement.sentinel_keys().iter().all(|key| key.starts_with("ENR#")));
}

#[test]
fn selection_picks_units_and_gathers_all_their_pending_lines() {
    let (gmina, powiat, miasto) = (UnitId::generate(), UnitId::generate(), UnitId::generate());
    let october = training("Kodeks postępowania", day(10, 5), day(10, 5), "200.00", rate(23));
    let november = training("RODO w urzędzie", day(11, 20), day(11, 20), "300.00", rate(23));
    let candidates = vec![
        attended(&october, gmina, "Ewa Kowalska"),
        attended(&november, gmina, "Jan Nowak"),
        attended(&october, powiat, "Ola Wiśniewska"),
        LineCandidate::from_contract(contract_input(miasto, "1200.00", 1)).unwrap(),
    ];
    let units = |selected: Vec<LineCandidate>| {
        let mut units: Vec<UnitId> = selected.iter().map(|c| c.unit_id).collect();
        units.dedup();
        (units, selected.len())
    };
    // One training: its units, each with every pending line (the October one too).
    let (u, n) = units(select(candidates.clone(), &Selection::Training { training_id: november.id }));
    assert_eq!((u, n), (vec![gmina], 2));
    assert_eq!(units(select(candidates.clone(), &Selection::Unit { unit_id: powiat })), (vec![powiat], 1));
    let in_october = Selection::CompletedIn { from: day(10, 1), to: day(10, 31) };
    let selected = select(candidates.clone(), &in_october);
    assert_eq!(selected.len(), 3);
    assert!(selected.iter().all(|c| c.unit_id != miasto));
    let in_december = Selection::CompletedIn { from: day(12, 1), to: day(12, 31) };
    assert_eq!(units(select(candidates.clone(), &in_december)), (vec![miasto], 1));
    assert!(in_october.concerns_training(&october) && !in_october.concerns_training(&november));
    let running = Training { phase: Phase::Running, ..october.clone() };
    assert!(!Selection::Unit { unit_id: gmina }.concerns_training(&running));
    // Lines settled before are left out.
    let settled: BTreeSet<String> = [candidates[0].line.line_key()].into();
    let pending = exclude_settled(candidates.clone(), &settled);
    assert_eq!(pending.len(), 3);
    assert!(pending.iter().all(|c| c.line.line_key() != candidates[0].line.line_key()));
}

#[test]
fn members_within_the_fee_get_no_line_others_pay() {
    let unit = UnitId::generate();
    let members_free =
        Training { members_free: true, ..training("Dla członków", day(11, 16), day(11, 16), "450.00", rate(23)) };
    let member = enrolment(&members_free, unit, "Ewa Kowalska", EnrolmentStatus::Attended, true);
    assert_eq!(LineCandidate::classify(&members_free, &member), Err(Omission::WithinMembershipFee));
    assert!(LineCandidate::from_enrolment(&members_free, &member).is_none());
    let absent_member = enrolment(&members_free, unit, "Jan Nowak", EnrolmentStatus::Absent, true);
    assert_eq!(LineCandidate::classify(&members_free, &absent_member), Err(Omission::WithinMembershipFee));
    let client = enrolment(&members_free, unit, "Ola Wiśniewska", EnrolmentStatus::Attended, false);
    assert_eq!(LineCandidate::from_enrolment(&members_free, &client).unwrap().line.net, dec("450.00"));
    // A plan of a member unit's only attendance writes nothing.
    assert!(plan_settlements(LineCandidate::from_enrolment(&members_free, &member).into_iter().collect()).is_empty());
    let free = training("Bezpłatne", day(11, 16), day(11, 16), "0.00", rate(23));
    let at_free = enrolment(&free, unit, "Ewa Kowalska", EnrolmentStatus::Attended, false);
    assert_eq!(LineCandidate::classify(&free, &at_free), Err(Omission::FreeTraining));
    assert!(Omission::WithinMembershipFee.label_pl().contains("składki"));
}

#[test]
fn no_shows_and_late_cancellations_are_charged_unless_waived_or_switched_off() {
    let unit = UnitId::generate();
    let t = training("RODO w urzędzie", day(11, 20), day(11, 20), "300.00", rate(23));
    let absent = enrolment(&t, unit, "Jan Nowak", EnrolmentStatus::Absent, false);
    let late = enrolment(&t, unit, "Ewa Kowalska", EnrolmentStatus::Cancelled, false);
    let line = |t: &Training, e: &Enrolment| LineCandidate::classify(t, e).map(|c| c.line.description);
    assert_eq!(line(&t, &absent).unwrap(), "Szkolenie „RODO w urzędzie”, 20.11.2026 — Jan Nowak (nieobecność)");
    assert_eq!(
        line(&t, &late).unwrap(),
        "Szkolenie „RODO w urzędzie”, 20.11.2026 — Ewa Kowalska (rezygnacja po terminie)"
    );
    let reason = |c: LineCandidate| match c.line.source {
        LineSource::Enrolment { reason, .. } => reason,
        LineSource::Contract { .. } => unreachable!(),
    };
    assert_eq!(reason(LineCandidate::from_enrolment(&t, &late).unwrap()), ChargeReason::LateCancellation);
    // Waived by staff, even after completion fixed `chargeable`.
    let waived = Enrolment { charge_waived: true, ..absent.clone() };
    assert!(waived.chargeable);
    assert_eq!(LineCandidate::classify(&t, &waived), Err(Omission::Waived));
    assert_eq!(LineCandidate::classify(&t, &Enrolment { charge_waived: true, ..late.clone() }), Err(Omission::Waived));
    // Switched off for the training.
    let lenient = Training {
        settlement_rules: SettlementRules { charge_no_shows: false, charge_late_cancellations: false },
        ..t.clone()
    };
    assert_eq!(LineCandidate::classify(&lenient, &absent), Err(Omission::NoShowNotCharged));
    assert_eq!(LineCandidate::classify(&lenient, &late), Err(Omission::LateCancellationNotCharged));
    // Cancelled in time, waiting list, unfinished training, another training.
    let in_time = Enrolment {
        cancelled: Some(Cancellation { by: staff(), at: noon(day(11, 1)), late: false, reason: None }),
        ..late.clone()
    };
    assert_eq!(LineCandidate::classify(&t, &in_time), Err(Omission::NothingDue));
    let waiting = Enrolment { status: EnrolmentStatus::Waitlisted, cancelled: None, ..late.clone() };
    assert_eq!(LineCandidate::classify(&t, &waiting), Err(Omission::NothingDue));
    let running = Training { phase: Phase::Running, ..t.clone() };
    assert_eq!(LineCandidate::classify(&running, &absent), Err(Omission::NotCompleted));
    let other = training("Inne", day(11, 20), day(11, 20), "300.00", rate(23));
    assert_eq!(LineCandidate::classify(&other, &absent), Err(Omission::OtherTraining));
}

#[test]
fn vat_is_computed_per_line_half_up_summed_per_rate_and_exempt_lines_keep_their_basis() {
    let unit = UnitId::generate();
    let small = training("Warsztat", day(11, 2), day(11, 2), "0.50", rate(23));
    let eight = training("Konsultacje", day(11, 3), day(11, 3), "10.50", rate(8));
    let exempt = training("Oświata", day(11, 4), day(11, 4), "450.00", VatTreatment::exempt_default());
    let other_basis = VatTreatment::Exempt { basis: "art. 43 ust. 1 pkt 26 lit. a ustawy o VAT".into() };
    let school = training("Szkoła", day(11, 5), day(11, 5), "200.00", other_basis.clone());
    let mut candidates: Vec<LineCandidate> =
        ["Ewa", "Jan", "Ola"].iter().map(|name| attended(&small, unit, name)).collect();
    candidates.push(attended(&eight, unit, "Ewa"));
    candidates.push(attended(&exempt, unit, "Ewa"));
    candidates.push(attended(&exempt, unit, "Jan"));
    candidates.push(attended(&school, unit, "Ola"));
    let draft = plan_settlements(candidates).remove(0);
    // Per line 0.50 × 23 % = 0.115 → 0.12, three lines 0.36 (on the sum it would be 0.35).
    assert_eq!(draft.lines[0].vat_amount(), dec("0.12"));
    let totals = &draft.totals;
    let codes: Vec<&str> = totals.by_vat.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, ["23", "8", "zw", "zw"]);
    let t23 = &totals.by_vat[0];
    assert_eq!((t23.net, t23.vat_amount, t23.gross), (dec("1.50"), dec("0.36"), dec("1.86")));
    // 10.50 × 8 % = 0.84.
    assert_eq!((totals.by_vat[1].vat_amount, totals.by_vat[1].gross), (dec("0.84"), dec("11.34")));
    let zw: Vec<(&VatTreatment, Decimal, Decimal)> =
        totals.by_vat[2..].iter().map(|t| (&t.vat, t.net, t.vat_amount)).collect();
    assert_eq!(
        zw,
        [(&other_basis, dec("200.00"), Decimal::ZERO), (&VatTreatment::exempt_default(), dec("900.00"), Decimal::ZERO)]
    );
    assert_eq!(totals.exempt_bases().len(), 2);
    assert_eq!(totals.net, dec("1112.00"));
    assert_eq!(totals.vat_amount, dec("1.20"));
    assert_eq!(totals.gross, dec("1113.20"));
    assert_eq!(totals.gross, totals.by_vat.iter().map(|t| t.gross).sum::<Decimal>());
    // Each line's own VAT and gross, in the document's order: they add up to the totals.
    assert_eq!(totals.lines.len(), draft.lines.len());
    for (line, amounts) in draft.lines.iter().zip(&totals.lines) {
        assert_eq!((amounts.vat_amount, amounts.gross), (line.vat_amount(), line.gross()));
    }
    assert_eq!(totals.lines[0].vat_amount, dec("0.12"));
    assert_eq!(totals.lines.iter().map(|l| l.gross).sum::<Decimal>(), totals.gross);
    // "23" and "23.00" are one rate.
    let mut lines = draft.lines.clone();
    lines[0].vat = VatTreatment::Rate { percent: dec("23.00") };
    assert_eq!(Totals::of(&lines).by_vat.len(), 4);
}

#[test]
fn contract_charges_become_lines_with_their_own_keys() {
    let unit = UnitId::generate();
    let charge = LineCandidate::from_contract(contract_input(unit, "1200", 1)).unwrap();
    let contract_id = ContractId::derived("test", "lex");
    assert_eq!(charge.line.line_key(), format!("CTR#{contract_id}#2026-Q4#1"));
    assert_eq!(charge.line.net.to_string(), "1200.00");
    let credit = LineCandidate::from_contract(contract_input(unit, "-150.00", 2)).unwrap();
    let empty = LineCandidate::from_contract(contract_input(unit, "0", 3)).unwrap();
    let t = training("RODO w urzędzie", day(11, 20), day(11, 20), "300.00", rate(23));
    let person = attended(&t, unit, "Jan Nowak");
    assert_eq!(person.line.line_key(), format!("ENR#{}", person.line.source_enrolment_id()));
    let drafts = plan_settlements(vec![credit, charge, empty, person]);
    assert_eq!(drafts.len(), 1);
    let keys: Vec<String> = drafts[0].lines.iter().map(SettlementLine::line_key).collect();
    // Sorted by service date: the contract period starts 1 Oct, the training is 20 Nov; the
    // zero line is dropped.
    assert_eq!(keys.len(), 3);
    assert!(keys[0].ends_with("#1") && keys[1].ends_with("#2") && keys[2].starts_with("ENR#"));
    assert_eq!(drafts[0].totals.net, dec("1350.00"));
    // Only the enrolment line gets a "settled" sentinel: a contract charge is created once, in
    // the transaction that writes its settlement.
    let mixed = drafts[0].clone().into_settlement(noon(day(11, 21))).unwrap();
    assert_eq!(mixed.sentinel_keys(), vec![keys[2].clone()]);
    for (input, field) in [
        (ContractLineInput { description: " ".into(), ..contract_input(unit, "1", 1) }, "description"),
        (ContractLineInput { period_key: "Q#4".into(), ..contract_input(unit, "1", 1) }, "periodKey"),
        (ContractLineInput { period_key: "2027#Q1".into(), ..contract_input(unit, "1", 1) }, "periodKey"),
        (ContractLineInput { period_end: day(9, 30), ..contract_input(unit, "1", 1) }, "periodEnd"),
        (contract_input(unit, "1.005", 1), "net"),
    ] {
        assert_eq!(LineCandidate::from_contract(input).unwrap_err().field, field);
    }
}

impl SettlementLine {
    fn source_enrolment_id(&self) -> EnrolmentId {
        match &self.source {
            LineSource::Enrolment { enrolment_id, .. } => *enrolment_id,
            LineSource::Contract { .. } => panic!("not an enrolment line"),
        }
    }
}

#[test]
fn drafts_refuse_bad_lines() {
    let unit = UnitId::generate();
    let t = training("RODO", day(11, 20), day(11, 20), "300.00", rate(23));
    let line = attended(&t, unit, "Jan Nowak");
    let now = noon(day(11, 21));
    assert_eq!(Settlement::draft(unit, vec![], now).unwrap_err(), SettlementError::NoLines);
    assert_eq!(
        Settlement::draft(UnitId::generate(), vec![line.clone()], now).unwrap_err().code(),
        "line_of_other_unit"
    );
    assert_eq!(Settlement::draft(unit, vec![line.clone(), line.clone()], now).unwrap_err().code(), "duplicate_line");
    let zero = LineCandidate::from_contract(contract_input(unit, "0", 1)).unwrap();
    assert_eq!(Settlement::draft(unit, vec![zero], now).unwrap_err().code(), "zero_line");
    let draft = Settlement::draft(unit, vec![line.clone()], now).unwrap();
    let other = attended(&t, unit, "Ewa Kowalska");
    let replaced = draft.replace_lines(vec![line, other]).unwrap();
    assert_eq!((replaced.lines.len(), replaced.version), (2, 2));
}

#[test]
fn issuing_numbers_dates_and_copies_the_buyer() {
    let unit = unit_record("Gmina Kórnik");
    let t = training("RODO", day(11, 20), day(11, 20), "300.00", rate(23));
    let draft = Settlement::draft(unit.id, vec![attended(&t, unit.id, "Jan Nowak")], noon(day(11, 21))).unwrap();
    let buyer = BuyerSnapshot::of(&unit);
    assert_eq!(
        (buyer.nip.as_deref(), buyer.regon.as_deref(), buyer.postal_code.as_deref(), buyer.city.as_deref()),
        (Some("1234563218"), Some("000000030"), Some("61-001"), Some("Poznań"))
    );
    let refuse = |number: SettlementNumber, buyer: BuyerSnapshot, date: NaiveDate, term: u32| {
        draft.issue(number, buyer, date, term).unwrap_err().code()
    };
    assert_eq!(refuse(number(Series::Kor, 1), buyer.clone(), day(11, 23), 14), "wrong_series");
    assert_eq!(
        refuse(number(Series::Roz, 1), buyer.clone(), NaiveDate::from_ymd_opt(2027, 1, 2).unwrap(), 14),
        "wrong_year"
    );
    assert_eq!(refuse(number(Series::Roz, 1), BuyerSnapshot::of(&unit_record("Inna")), day(11, 23), 14), "other_buyer");
    assert_eq!(refuse(number(Series::Roz, 1), buyer.clone(), day(11, 23), 400), "payment_term_too_long");
    let issued = draft.issue(number(Series::Roz, 1), buyer.clone(), day(11, 23), 14).unwrap();
    assert_eq!(issued.status, SettlementStatus::Issued);
    assert_eq!(issued.number.unwrap().to_string(), "ROZ/000001/2026");
    assert_eq!((issued.issue_date, issued.due_date), (Some(day(11, 23)), Some(day(12, 7))));
    // The copy does not follow later edits of the unit.
    let renamed = Unit { name: "Miasto i Gmina Kórnik".into(), ..unit.clone() };
    assert_eq!(issued.buyer.as_ref().unwrap().name, "Gmina Kórnik");
    // Before the hand-over the buyer may be copied again; lines and number are fixed.
    let refreshed = issued.refresh_buyer(BuyerSnapshot::of(&renamed)).unwrap();
    assert_eq!(refreshed.buyer.unwrap().name, "Miasto i Gmina Kórnik");
    assert_eq!(issued.replace_lines(vec![]).unwrap_err().code(), "settlement_not_draft");
    assert_eq!(
        issued.issue(number(Series::Roz, 2), buyer, day(11, 23), 14).unwrap_err().code(),
        "settlement_not_draft"
    );
    // Accounting data only after the hand-over.
    assert_eq!(issued.record_invoice("FV/1/2026").unwrap_err().code(), "settlement_not_exported");
    assert_eq!(issued.apply_payment_status(dec("1"), day(12, 1)).unwrap_err().code(), "settlement_not_exported");
    assert_eq!(draft.mark_exported(crate::ids::ExportBatchId::generate()).unwrap_err().code(), "settlement_not_issued");
}

#[test]
fn after_the_hand_over_only_invoice_number_payments_and_corrections_are_recorded() {
    let Issued { unit, settlement: exported } = issued_and_exported();
    assert_eq!(exported.status, SettlementStatus::Exported);
    let batch = exported.export_batch_id.unwrap();
    let t = training("RODO", day(11, 20), day(11, 20), "300.00", rate(23));
    let refusals = |doc: &Settlement| {
        vec![
            doc.replace_lines(vec![attended(&t, unit.id, "Ola")]).unwrap_err(),
            doc.refresh_buyer(BuyerSnapshot::of(&unit)).unwrap_err(),
            doc.issue(number(Series::Roz, 8), BuyerSnapshot::of(&unit), day(11, 24), 14).unwrap_err(),
        ]
    };
    for error in refusals(&exported) {
        assert_eq!(error, SettlementError::HandedOver(SettlementStatus::Exported));
        let message = error.field_error();
        assert!(message.pl.contains("korektę") && message.en.contains("correction"), "{message:?}");
    }
    // A retried export in the same batch changes nothing; another batch is refused.
    assert_eq!(exported.mark_exported(batch).unwrap(), exported);
    assert_eq!(
        exported.mark_exported(crate::ids::ExportBatchId::generate()).unwrap_err(),
        SettlementError::ExportedElsewhere(batch)
    );
    let invoiced = exported.record_invoice(" FV/123/11/2026 ").unwrap();
    assert_eq!(
        (invoiced.status, invoiced.invoice_number.as_deref()),
        (SettlementStatus::Invoiced, Some("FV/123/11/2026"))
    );
    assert_eq!(invoiced.record_invoice("FV/123/11/2026").unwrap(), invoiced);
    assert_eq!(invoiced.record_invoice("FV/999/11/2026").unwrap_err().code(), "invoice_number_conflict");
    assert_eq!(invoiced.record_invoice(" ").unwrap_err().code(), "invalid_invoice_number");
    for error in refusals(&invoiced) {
        assert_eq!(error, SettlementError::HandedOver(SettlementStatus::Invoiced));
    }
    // What changed is exactly status, invoice number and version.
    let unchanged =
        Settlement { status: exported.status, invoice_number: None, version: exported.version, ..invoiced.clone() };
    assert_eq!(unchanged, exported);
    let (paid, outcome) = invoiced.apply_payment_status(dec("250"), day(12, 1)).unwrap();
    assert_eq!(
        (outcome, paid.lines.clone(), paid.totals()),
        (PaymentOutcome::Applied, invoiced.lines.clone(), invoiced.totals())
    );
}

#[test]
fn a_credit_for_one_line_is_a_new_document_referring_to_the_original() {
    let Issued { unit, settlement: original } = issued_and_exported();
    let now = noon(day(12, 2));
    let rodo = original.lines.iter().find(|l| l.vat.code() == "23").unwrap().clone();
    let key = rodo.line_key();
    let credit = Settlement::correction(
        &original,
        &[],
        &[CorrectionChange::Cancel { line_key: key.clone() }],
        "Osoba nie była zgłoszona przez jednostkę.",
        now,
    )
    .unwrap();
    assert_ne!(credit.id, original.id);
    assert_eq!(
        credit.kind,
        SettlementKind::Correction {
            of: original.id,
            of_number: original.number.unwrap(),
            reason: "Osoba nie była zgłoszona przez jednostkę.".into()
        }
    );
    assert_eq!((credit.status, credit.unit_id), (SettlementStatus::Draft, original.unit_id));
    assert_eq!(credit.lines.len(), 1);
    let line = &credit.lines[0];
    assert_eq!((line.net, line.vat.clone(), line.corrects.as_deref()), (dec("-300.00"), rate(23), Some(key.as_str())));
    assert!(
        line.description.starts_with("Korekta poz. 2 rozliczenia ROZ/000007/2026: Szkolenie „RODO w urzędzie”"),
        "{}",
        line.description
    );
    let totals = credit.totals();
    assert_eq!((totals.net, totals.vat_amount, totals.gross), (dec("-300.00"), dec("-69.00"), dec("-369.00")));
    // A correction marks no line as settled: the line stays settled by the original.
    assert!(credit.sentinel_keys().is_empty());
    // Issued in series KOR only.
    assert_eq!(
        credit.issue(number(Series::Roz, 9), BuyerSnapshot::of(&unit), day(12, 2), 14).unwrap_err().code(),
        "wrong_series"
    );
    let credit = credit.issue(number(Series::Kor, 1), BuyerSnapshot::of(&unit), day(12, 2), 14).unwrap();
    assert_eq!(credit.number.unwrap().to_string(), "KOR/000001/2026");
    // The handed-over original learns it was corrected, once.
    let marked = original.link_correction(&credit).unwrap();
    assert_eq!(marked.corrected_by, vec![credit.id]);
    assert_eq!(marked.link_correction(&credit).unwrap(), marked);
    assert_eq!((marked.lines.clone(), marked.status), (original.lines.clone(), original.status));
    assert_eq!(original.link_correction(&original).unwrap_err().code(), "not_a_correction_of");
    // The same line cannot be credited twice.
    let again = Settlement::correction(
        &original,
        std::slice::from_ref(&credit),
        &[CorrectionChange::Cancel { line_key: key.clone() }],
        "Jeszcze raz",
        now,
    );
    assert_eq!(again.unwrap_err(), SettlementError::NothingToCorrect);
    // A later additional charge on the credited line starts from zero.
    let recharge = Settlement::correction(
        &original,
        std::slice::from_ref(&credit),
        &[CorrectionChange::Amend { line_key: key.clone(), net: dec("150.00"), vat: None }],
        "Udział w połowie zajęć",
        now,
    )
    .unwrap();
    assert_eq!(recharge.lines.iter().map(|l| l.net).collect::<Vec<_>>(), [dec("150.00")]);
    // Corrections of drafts, of corrections and of unknown lines are refused.
    assert_eq!(
        Settlement::correction(&credit, &[], &[CorrectionChange::Cancel { line_key: key.clone() }], "x", now)
            .unwrap_err(),
        SettlementError::NotCorrectable
    );
    let draft = Settlement { status: SettlementStatus::Draft, number: None, ..original.clone() };
    assert_eq!(
        Settlement::correction(&draft, &[], &[CorrectionChange::Cancel { line_key: key.clone() }], "x", now)
            .unwrap_err(),
        SettlementError::NotCorrectable
    );
    assert_eq!(
        Settlement::correction(&original, &[], &[CorrectionChange::Cancel { line_key: "ENR#x".into() }], "x", now)
            .unwrap_err()
            .code(),
        "unknown_line"
    );
    assert_eq!(
        Settlement::correction(&original, &[], &[CorrectionChange::Cancel { line_key: key.clone() }], " ", now)
            .unwrap_err()
            .code(),
        "invalid_reason"
    );
    assert_eq!(Settlement::correction(&original, &[], &[], "x", now).unwrap_err(), SettlementError::NothingToCorrect);
}

#[test]
fn amending_a_line_charges_or_credits_the_difference_and_a_vat_change_reverses_and_recharges() {
    let Issued { settlement: original, .. } = issued_and_exported();
    let now = noon(day(12, 2));
    let exempt_key = original.lines[0].line_key();
    let rodo_key = original.lines[1].line_key();
    let more = Settlement::correction(
        &original,
        &[],
        &[CorrectionChange::Amend { line_key: exempt_key.clone(), net: dec("500"), vat: None }],
        "Cena wg cennika",
        now,
    )
    .unwrap();
    assert_eq!((more.lines[0].net, more.lines[0].vat.code()), (dec("50.00"), "zw".to_owned()));
    let exempt_now = VatTreatment::exempt_default();
    let vat_change = Settlement::correction(
        &original,
        &[],
        &[CorrectionChange::Amend { line_key: rodo_key.clone(), net: dec("300.00"), vat: Some(exempt_now.clone()) }],
        "Szkolenie finansowane ze środków publicznych",
        now,
    )
    .unwrap();
    let diffs: Vec<(Decimal, String)> = vat_change.lines.iter().map(|l| (l.net, l.vat.code())).collect();
    assert_eq!(diffs, [(dec("-300.00"), "23".to_owned()), (dec("300.00"), "zw".to_owned())]);
    assert_eq!(vat_change.totals().gross, dec("-69.00"));
    // Measured against the line as earlier corrections left it.
    let after_vat_change = Settlement::correction(
        &original,
        &[vat_change],
        &[CorrectionChange::Amend { line_key: rodo_key.clone(), net: dec("250.00"), vat: None }],
        "Rabat",
        now,
    )
    .unwrap();
    let diffs: Vec<(Decimal, String)> = after_vat_change.lines.iter().map(|l| (l.net, l.vat.code())).collect();
    assert_eq!(diffs, [(dec("-50.00"), "zw".to_owned())]);
    let negative = CorrectionChange::Amend { line_key: rodo_key.clone(), net: dec("-1"), vat: None };
    assert_eq!(
        Settlement::correction(&original, &[], &[negative], "x", now).unwrap_err(),
        SettlementError::InvalidAmount
    );
    let twice =
        [CorrectionChange::Cancel { line_key: rodo_key.clone() }, CorrectionChange::Cancel { line_key: rodo_key }];
    assert_eq!(Settlement::correction(&original, &[], &twice, "x", now).unwrap_err().code(), "duplicate_line");
}

#[test]
fn credits_round_half_up_away_from_zero_like_charges() {
    let Issued { unit, .. } = issued_and_exported();
    let t = training("Warsztat", day(11, 2), day(11, 2), "0.50", rate(23));
    let original = Settlement::draft(unit.id, vec![attended(&t, unit.id, "Ewa")], noon(day(11, 3)))
        .unwrap()
        .issue(number(Series::Roz, 3), BuyerSnapshot::of(&unit), day(11, 3), 7)
        .unwrap();
    assert_eq!(original.totals().vat_amount, dec("0.12"));
    let key = original.lines[0].line_key();
    let credit =
        Settlement::correction(&original, &[], &[CorrectionChange::Cancel { line_key: key }], "Błąd", noon(day(11, 4)))
            .unwrap();
    assert_eq!(credit.totals().vat_amount, dec("-0.12"));
    assert_eq!(credit.totals().gross + original.totals().gross, Decimal::ZERO);
}

#[test]
fn payment_status_follows_the_cumulative_amount_reported() {
    let Issued { settlement, .. } = issued_and_exported();
    assert_eq!(settlement.totals().gross, dec("819.00"));
    assert_eq!(settlement.payment_status(), PaymentStatus::Unpaid);
    let apply = |doc: &Settlement, amount: &str, on: NaiveDate| doc.apply_payment_status(dec(amount), on).unwrap();
    let (partly, outcome) = apply(&settlement, "400", day(12, 1));
    assert_eq!(
        (outcome, partly.payment_status(), partly.paid()),
        (PaymentOutcome::Applied, PaymentStatus::PartlyPaid, dec("400.00"))
    );
    // The same report again changes nothing, not even the version.
    assert_eq!(apply(&partly, "400.00", day(12, 1)), (partly.clone(), PaymentOutcome::Unchanged));
    let (paid, _) = apply(&partly, "819", day(12, 5));
    assert_eq!(paid.payment_status(), PaymentStatus::Paid);
    // An older report arriving late does not override the newer one.
    assert_eq!(apply(&paid, "400", day(12, 1)), (paid.clone(), PaymentOutcome::Stale));
    assert_eq!(apply(&paid, "900", day(12, 6)).0.payment_status(), PaymentStatus::Overpaid);
    // A reversed payment on a later day is a newer report like any other.
    assert_eq!(apply(&paid, "0", day(12, 9)).0.payment_status(), PaymentStatus::Unpaid);
    assert_eq!(settlement.apply_payment_status(dec("1.001"), day(12, 1)).unwrap_err(), SettlementError::InvalidAmount);
}

proptest! {
    /// Reports arrive in any order, some of them several times: the document ends in the state
    /// of the newest report (by day, then by amount), whatever the order.
    #[test]
    fn payment_reports_in_any_order_end_in_the_newest(
        reports in proptest::collection::vec((0i64..20, 0i64..100_000), 1..12),
        repeats in proptest::collection::vec(any::<proptest::sample::Index>(), 0..12),
        seed in any::<u64>(),
    ) {
        let Issued { settlement, .. } = issued_and_exported();
        let to_report = |(days, grosze): (i64, i64)| (day(12, 1) + chrono::Duration::days(days), Decimal::new(grosze, 2));
        let mut sequence: Vec<(NaiveDate, Decimal)> = reports.iter().copied().map(to_report).collect();
        for index in &repeats {
            sequence.push(sequence[index.index(sequence.len())]);
        }
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..sequence.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            sequence.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let newest = *sequence.iter().max().unwrap();
        let mut doc = settlement.clone();
        let mut applied = 0;
        for (on, amount) in &sequence {
            let (next, outcome) = doc.apply_payment_status(*amount, *on).unwrap();
            if outcome == PaymentOutcome::Applied {
                applied += 1;
            } else {
                prop_assert_eq!(&next, &doc);
            }
            doc = next;
        }
        prop_assert_eq!(doc.payment, Some(PaymentReport { paid_total: newest.1, as_of: newest.0 }));
        prop_assert_eq!(doc.version, settlement.version + applied);
        // Applying everything again changes nothing.
        for (on, amount) in &sequence {
            prop_assert_ne!(doc.apply_payment_status(*amount, *on).unwrap().1, PaymentOutcome::Applied);
        }
    }
}

#[test]
fn receivables_count_corrections_payments_and_due_dates() {
    let Issued { unit, settlement: original } = issued_and_exported();
    // 819.00 gross, issued 23 Nov, due 7 Dec.
    let key = original.lines[1].line_key();
    let credit = Settlement::correction(
        &original,
        &[],
        &[CorrectionChange::Cancel { line_key: key.clone() }],
        "Błąd",
        noon(day(12, 1)),
    )
    .unwrap()
    .issue(number(Series::Kor, 1), BuyerSnapshot::of(&unit), day(12, 1), 14)
    .unwrap();
    let original = original.link_correction(&credit).unwrap();
    let (original, _) = original.apply_payment_status(dec("200"), day(12, 3)).unwrap();
    let draft = Settlement::draft(
        unit.id,
        vec![LineCandidate::from_contract(contract_input(unit.id, "1000", 1)).unwrap()],
        noon(day(12, 1)),
    )
    .unwrap();
    let all = [original.clone(), credit.clone(), draft];
    let before_due = unit_receivables(&all, day(12, 7));
    assert_eq!(
        before_due,
        Receivables {
            issued_gross: dec("450.00"),
            paid: dec("200.00"),
            outstanding: dec("250.00"),
            overdue: Decimal::ZERO
        }
    );
    let after_due = unit_receivables(&all, day(12, 8));
    assert_eq!(after_due.overdue, dec("250.00"));
    // An additional charge is overdue from its own due date only.
    let extra = Settlement::correction(
        &original,
        std::slice::from_ref(&credit),
        &[CorrectionChange::Amend { line_key: original.lines[0].line_key(), net: dec("500"), vat: None }],
        "Cena wg cennika",
        noon(day(12, 5)),
    )
    .unwrap()
    .issue(number(Series::Kor, 2), BuyerSnapshot::of(&unit), day(12, 5), 14)
    .unwrap();
    let with_extra = unit_receivables(&[original.clone(), credit.clone(), extra.clone()], day(12, 8));
    assert_eq!((with_extra.outstanding, with_extra.overdue), (dec("300.00"), dec("250.00")));
    let later = unit_receivables(&[original.clone(), credit.clone(), extra], day(12, 20));
    assert_eq!(later.overdue, dec("300.00"));
    // Paid in full or over: nothing overdue, the overpayment shows as negative outstanding.
    let (overpaid, _) = original.apply_payment_status(dec("500"), day(12, 10)).unwrap();
    let settled = unit_receivables(&[overpaid, credit], day(12, 20));
    assert_eq!((settled.outstanding, settled.overdue), (dec("-50.00"), Decimal::ZERO));
    assert_eq!(unit_receivables(&[], day(12, 20)), Receivables::default());
}

#[test]
fn settlement_round_trips_as_json_with_the_number_as_text() {
    let Issued { settlement, .. } = issued_and_exported();
    let json = serde_json::to_value(&settlement).unwrap();
    assert_eq!(json["number"], "ROZ/000007/2026");
    assert_eq!(json["status"], "exported");
    assert_eq!(json["kind"], serde_json::json!({"type": "regular"}));
    assert_eq!(json["lines"][0]["source"]["kind"], "enrolment");
    assert_eq!(json["lines"][0]["net"], "450.00");
    assert_eq!(
        json["lines"][0]["vat"],
        serde_json::json!({"kind": "exempt", "basis": crate::training::DEFAULT_EXEMPT_BASIS})
    );
    assert!(json.get("buyer").is_some() && json.get("dueDate").is_some() && json.get("exportBatchId").is_some());
    assert_eq!(serde_json::from_value::<Settlement>(json).unwrap(), settlement);
}

#[test]
fn every_error_has_both_languages_and_its_own_code() {
    let number = number(Series::Roz, 1);
    let field = FieldError::new("x", "x", "pl", "en");
    let errors = [
        SettlementError::NoLines,
        SettlementError::ZeroLine("k".into()),
        SettlementError::DuplicateLine("k".into()),
        SettlementError::OtherUnit("k".into()),
        SettlementError::HandedOver(SettlementStatus::Exported),
        SettlementError::NotDraft(SettlementStatus::Issued),
        SettlementError::NotIssued(SettlementStatus::Draft),
        SettlementError::NotExported(SettlementStatus::Issued),
        SettlementError::WrongSeries { expected: Series::Kor, got: number },
        SettlementError::WrongYear { number, issue_date: day(1, 1) },
        SettlementError::OtherBuyer,
        SettlementError::PaymentTermTooLong(400),
        SettlementError::ExportedElsewhere(crate::ids::ExportBatchId::generate()),
        SettlementError::InvalidInvoiceNumber(field.clone()),
        SettlementError::InvoiceNumberConflict("FV/1".into()),
        SettlementError::InvalidAmount,
        SettlementError::InvalidReason(field),
        SettlementError::NotCorrectable,
        SettlementError::UnknownLine("k".into()),
        SettlementError::NothingToCorrect,
        SettlementError::NotACorrectionOf,
    ];
    let mut codes: Vec<String> = errors.iter().map(|e| e.field_error().code).collect();
    for error in &errors {
        let message = error.field_error();
        assert!(!message.pl.is_empty() && message.pl != message.en, "{error:?}");
        assert_eq!(message.code, error.code());
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), errors.len());
}

#[test]
fn polish_date_spans() {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(format_dates_pl(d(2026, 11, 16), d(2026, 11, 16)), "16.11.2026");
    assert_eq!(format_dates_pl(d(2026, 11, 16), d(2026, 11, 17)), "16–17.11.2026");
    assert_eq!(format_dates_pl(d(2026, 11, 30), d(2026, 12, 1)), "30.11–01.12.2026");
    assert_eq!(format_dates_pl(d(2026, 12, 30), d(2027, 1, 2)), "30.12.2026–02.01.2027");
}

proptest! {
    /// Totals: nets add up exactly, each rate's VAT is the sum of its lines' net × rate rounded
    /// half-up, gross = net + VAT, and a credit of every line is the exact mirror of the charge.
    #[test]
    fn totals_per_rate_are_exact_and_credits_mirror_charges(
        lines in proptest::collection::vec((1i64..10_000_000, 0usize..5), 1..15),
    ) {
        let unit = UnitId::generate();
        let treatments = [rate(23), rate(8), rate(5), rate(0), VatTreatment::exempt_default()];
        let make = |sign: i64| -> Vec<SettlementLine> {
            lines
                .iter()
                .enumerate()
                .map(|(index, (grosze, vat))| {
                    let input = ContractLineInput {
                        net: Decimal::new(sign * grosze, 2),
                        vat: treatments[*vat].clone(),
                        sequence: index as u32 + 1,
                        ..contract_input(unit, "1", 1)
                    };
                    LineCandidate::from_contract(input).unwrap().line
                })
                .collect()
        };
        let charge = Totals::of(&make(1));
        let credit = Totals::of(&make(-1));
        let net: Decimal = lines.iter().map(|(grosze, _)| Decimal::new(*grosze, 2)).sum();
        prop_assert_eq!(charge.net, net);
        prop_assert_eq!(charge.gross, charge.net + charge.vat_amount);
        let charged = make(1);
        for group in &charge.by_vat {
            let expected: Decimal = charged
                .iter()
                .filter(|line| line.vat == group.vat)
                .map(|line| match &line.vat {
                    VatTreatment::Rate { percent } => (line.net * *percent / Decimal::ONE_HUNDRED)
                        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
                    VatTreatment::Exempt { .. } => Decimal::ZERO,
                })
                .sum();
            prop_assert_eq!(group.vat_amount, expected);
        }
        prop_assert_eq!((credit.net, credit.vat_amount, credit.gross), (-charge.net, -charge.vat_amount, -charge.gross));
    }
}
