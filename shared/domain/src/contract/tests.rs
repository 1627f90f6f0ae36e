//! Worked examples and properties of contract billing.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, TimeZone};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::time::warsaw_date;

fn date(raw: &str) -> NaiveDate {
    raw.parse().unwrap()
}

fn dec(raw: &str) -> Decimal {
    raw.parse().unwrap()
}

fn staff() -> UserRef {
    UserRef { id: "staff-1".into(), name: "Ewa Nowak".into() }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap()
}

fn rate(percent: u32) -> VatTreatment {
    VatTreatment::Rate { percent: Decimal::from(percent) }
}

fn price(net: &str, vat: VatTreatment) -> Price {
    Price { net: dec(net), vat }
}

fn input(cycle: BillingCycle, timing: BillingTiming, pro_rata: ProRata, start: &str, net: &str) -> ContractInput {
    ContractInput {
        unit_id: Some(UnitId::derived("teryt", "3064011").to_string()),
        subject: Some("Obsługa prawna".into()),
        start: Some(start.into()),
        cycle: Some(cycle.code().into()),
        timing: Some(timing.code().into()),
        pro_rata: Some(pro_rata.code().into()),
        price_net: Some(net.into()),
        vat: Some("23".into()),
        ..Default::default()
    }
}

/// A contract at 23 % VAT, created through its input as staff would.
fn contract(cycle: BillingCycle, timing: BillingTiming, pro_rata: ProRata, start: &str, net: &str) -> Contract {
    input(cycle, timing, pro_rata, start, net).parse(&staff(), now()).unwrap()
}

fn ending(
    cycle: BillingCycle,
    timing: BillingTiming,
    pro_rata: ProRata,
    start: &str,
    end: &str,
    net: &str,
) -> Contract {
    ContractInput { end: Some(end.into()), ..input(cycle, timing, pro_rata, start, net) }
        .parse(&staff(), now())
        .unwrap()
}

fn suspended(contract: Contract, from: &str, resume_on: Option<&str>) -> Contract {
    let contract = contract.suspend(date(from), &staff(), now()).unwrap();
    match resume_on {
        Some(on) => contract.resume(date(on), &staff(), now()).unwrap(),
        None => contract,
    }
}

fn amended(contract: Contract, from: &str, net: &str, vat: VatTreatment) -> Contract {
    contract.amend(date(from), price(net, vat), &staff(), now()).unwrap()
}

fn terminated(contract: Contract, last_day: &str) -> Contract {
    contract.terminate(date(last_day), &staff(), now()).unwrap()
}

/// `(vat code, net)` per line of a period.
fn lines_of(contract: &Contract, key: &str) -> Vec<(String, Decimal)> {
    let period = Period::parse_key(key).unwrap();
    period_lines(contract, &period).into_iter().map(|line| (line.vat.code(), line.net)).collect()
}

/// Runs billing on `as_of` and stores what it returns, as the billing function would.
fn bill(contract: &Contract, billed: &mut Vec<BilledPeriod>, as_of: NaiveDate) -> Vec<ContractCharge> {
    let charges = charges_due(contract, billed, as_of);
    BilledPeriod::record_all(billed, &charges);
    charges
}

fn summary(charges: &[ContractCharge]) -> Vec<(String, ChargeKind, String, Decimal)> {
    charges.iter().map(|charge| (charge.charge_key(), charge.kind, charge.vat.code(), charge.net)).collect()
}

use BillingCycle::{HalfYearly, Monthly, Quarterly, Yearly};
use BillingTiming::{Advance, Arrears};
use ProRata::{CalendarDays as Days, Months};

/// Computed by hand; each row says how. `f(d)` is the position of the boundary before day `d`
/// in its period, `R` the amount per full period, `round` half-up to grosze.
#[test]
fn worked_examples() {
    struct Example {
        why: &'static str,
        contract: Contract,
        period: &'static str,
        lines: &'static [(&'static str, &'static str)],
        due: &'static str,
    }
    let examples = [
        Example {
            why: "quarterly 3 000 from 15.02, by days: f = 45/90 → 3 000 − round(1 500) = 1 500.00",
            contract: contract(Quarterly, Advance, Days, "2027-02-15", "3000.00"),
            period: "2027-Q1",
            lines: &[("23", "1500.00")],
            due: "2027-02-15",
        },
        Example {
            why: "the same by months: f = (1 month + 14/28) / 3 = 42/84 = 0.5 → 1 500.00",
            contract: contract(Quarterly, Advance, Months, "2027-02-15", "3000.00"),
            period: "2027-Q1",
            lines: &[("23", "1500.00")],
            due: "2027-02-15",
        },
        Example {
            why: "by months from 10.02: f = (28 + 9)/84 → round(1 321.4286) = 1 321.43 → 1 678.57 \
                  (exact (19/28 + 1)/3 × 3 000 = 1 678.571)",
            contract: contract(Quarterly, Advance, Months, "2027-02-10", "3000.00"),
            period: "2027-Q1",
            lines: &[("23", "1678.57")],
            due: "2027-02-10",
        },
        Example {
            why: "monthly 1 000 from 10.01, advance: 1 000 − round(1 000 × 9/31 = 290.3226) = 709.68 \
                  (22/31 × 1 000 = 709.677), due on the start day",
            contract: contract(Monthly, Advance, Days, "2027-01-10", "1000.00"),
            period: "2027-01",
            lines: &[("23", "709.68")],
            due: "2027-01-10",
        },
        Example {
            why: "the same in arrears: same amount, due the day after January",
            contract: contract(Monthly, Arrears, Days, "2027-01-10", "1000.00"),
            period: "2027-01",
            lines: &[("23", "709.68")],
            due: "2027-02-01",
        },
        Example {
            why: "the month after the first one is full",
            contract: contract(Monthly, Arrears, Days, "2027-01-10", "1000.00"),
            period: "2027-02",
            lines: &[("23", "1000.00")],
            due: "2027-03-01",
        },
        Example {
            why: "yearly 12 000 by months from 01.04: 9 of 12 months → 12 000 − 3 000 = 9 000.00",
            contract: contract(Yearly, Advance, Months, "2027-04-01", "12000.00"),
            period: "2027",
            lines: &[("23", "9000.00")],
            due: "2027-04-01",
        },
        Example {
            why: "the same by days: f = 90/365 → round(2 958.9041) = 2 958.90 → 9 041.10",
            contract: contract(Yearly, Advance, Days, "2027-04-01", "12000.00"),
            period: "2027",
            lines: &[("23", "9041.10")],
            due: "2027-04-01",
        },
        Example {
            why: "half-yearly 6 000 by days from 01.03, arrears: H1 = 181 days, f = 59/181 → round(1 955.8011) \
                  = 1 955.80 → 4 044.20, due 01.07",
            contract: contract(HalfYearly, Arrears, Days, "2027-03-01", "6000.00"),
            period: "2027-H1",
            lines: &[("23", "4044.20")],
            due: "2027-07-01",
        },
        Example {
            why: "the same by months: 4 of 6 months → 4 000.00",
            contract: contract(HalfYearly, Arrears, Months, "2027-03-01", "6000.00"),
            period: "2027-H1",
            lines: &[("23", "4000.00")],
            due: "2027-07-01",
        },
        Example {
            why: "half-yearly by months from 20.08: f = (31 + 19)/186 → round(1 612.9032) = 1 612.90 → 4 387.10 \
                  (exact (12/31 + 4)/6 × 6 000 = 4 387.097)",
            contract: contract(HalfYearly, Advance, Months, "2027-08-20", "6000.00"),
            period: "2027-H2",
            lines: &[("23", "4387.10")],
            due: "2027-08-20",
        },
        Example {
            why: "monthly ending 20.03, arrears: round(1 000 × 20/31 = 645.1613) − 0 = 645.16, due the day after the end",
            contract: ending(Monthly, Arrears, Days, "2027-01-01", "2027-03-20", "1000.00"),
            period: "2027-03",
            lines: &[("23", "645.16")],
            due: "2027-03-21",
        },
        Example {
            why: "quarterly ending 15.05, arrears: Q2 = 91 days, 45 used → round(3 000 × 45/91 = 1 483.5165) = 1 483.52",
            contract: ending(Quarterly, Arrears, Days, "2027-01-01", "2027-05-15", "3000.00"),
            period: "2027-Q2",
            lines: &[("23", "1483.52")],
            due: "2027-05-16",
        },
        Example {
            why: "start and end in one quarter, by months: round(3 000 × 72/93 = 2 322.5806) − round(3 000 × 42/84) \
                  = 2 322.58 − 1 500.00 = 822.58 (exact (14/28 + 10/31)/3 × 3 000 = 822.581)",
            contract: ending(Quarterly, Advance, Months, "2027-02-15", "2027-03-10", "3000.00"),
            period: "2027-Q1",
            lines: &[("23", "822.58")],
            due: "2027-02-15",
        },
        Example {
            why: "suspended in February (01.02–28.02), by days: January round(3 000 × 31/90) = 1 033.33, March \
                  3 000 − round(3 000 × 59/90 = 1 966.667) = 1 033.33 → 2 066.66; the suspended days carry the \
                  other grosz (exact 62/90 × 3 000 = 2 066.667)",
            contract: suspended(contract(Quarterly, Advance, Days, "2027-01-01", "3000.00"), "2027-02-01", Some("2027-03-01")),
            period: "2027-Q1",
            lines: &[("23", "2066.66")],
            due: "2027-01-01",
        },
        Example {
            why: "the same by months: January 1/3 and March 1/3 of 3 000 → 2 000.00",
            contract: suspended(contract(Quarterly, Advance, Months, "2027-01-01", "3000.00"), "2027-02-01", Some("2027-03-01")),
            period: "2027-Q1",
            lines: &[("23", "2000.00")],
            due: "2027-01-01",
        },
        Example {
            why: "suspended from 01.03 until further notice: Q1 bills January and February, round(3 000 × 59/90) = 1 966.67",
            contract: suspended(contract(Quarterly, Advance, Days, "2027-01-01", "3000.00"), "2027-03-01", None),
            period: "2027-Q1",
            lines: &[("23", "1966.67")],
            due: "2027-01-01",
        },
        Example {
            why: "… and Q2 owes nothing while suspended",
            contract: suspended(contract(Quarterly, Advance, Days, "2027-01-01", "3000.00"), "2027-03-01", None),
            period: "2027-Q2",
            lines: &[],
            due: "2027-04-01",
        },
        Example {
            why: "amended from 16.03 to 1 200: 01–15.03 round(1 000 × 15/31 = 483.871) = 483.87, 16–31.03 \
                  1 200 − round(1 200 × 15/31 = 580.645) = 619.35 → 1 103.22",
            contract: amended(contract(Monthly, Arrears, Days, "2027-01-01", "1000.00"), "2027-03-16", "1200.00", rate(23)),
            period: "2027-03",
            lines: &[("23", "1103.22")],
            due: "2027-04-01",
        },
        Example {
            why: "amended from 15.02 to the exemption: one line per VAT treatment, 1 500.00 at 23 % and 1 500.00 zw",
            contract: amended(contract(Quarterly, Advance, Days, "2027-01-01", "3000.00"), "2027-02-15", "3000.00", VatTreatment::exempt_default()),
            period: "2027-Q1",
            lines: &[("23", "1500.00"), ("zw", "1500.00")],
            due: "2027-01-01",
        },
        Example {
            why: "terminated with the last day 14.02, arrears: 45/90 of 3 000 = 1 500.00, due the day after",
            contract: terminated(contract(Quarterly, Arrears, Days, "2027-01-01", "3000.00"), "2027-02-14"),
            period: "2027-Q1",
            lines: &[("23", "1500.00")],
            due: "2027-02-15",
        },
        Example {
            why: "leap year by days from 01.03.2028: 2028 has 366 days, f = 60/366 → round(1 967.2131) = 1 967.21 \
                  → 10 032.79",
            contract: contract(Yearly, Advance, Days, "2028-03-01", "12000.00"),
            period: "2028",
            lines: &[("23", "10032.79")],
            due: "2028-03-01",
        },
        Example {
            why: "leap Q1 2028 (91 days) from 29.02, by days: f = 59/91 → round(1 945.0549) = 1 945.05 → 1 054.95",
            contract: contract(Quarterly, Advance, Days, "2028-02-29", "3000.00"),
            period: "2028-Q1",
            lines: &[("23", "1054.95")],
            due: "2028-02-29",
        },
        Example {
            why: "the same by months: f = (29 + 28)/87 → round(1 965.5172) = 1 965.52 → 1 034.48 \
                  (exact (1/29 + 1)/3 × 3 000 = 1 034.483)",
            contract: contract(Quarterly, Advance, Months, "2028-02-29", "3000.00"),
            period: "2028-Q1",
            lines: &[("23", "1034.48")],
            due: "2028-02-29",
        },
    ];
    assert!(examples.len() >= 15);
    for example in examples {
        let expected: Vec<(String, Decimal)> =
            example.lines.iter().map(|(vat, net)| (vat.to_string(), dec(net))).collect();
        assert_eq!(lines_of(&example.contract, example.period), expected, "{}", example.why);
        let period = Period::parse_key(example.period).unwrap();
        assert_eq!(example.contract.due_date(&period), date(example.due), "{}", example.why);
    }
}

#[test]
fn first_run_catches_up_every_missed_period() {
    let contract = contract(Monthly, Advance, Days, "2027-01-10", "1000.00");
    let charges = charges_due(&contract, &[], date("2027-04-01"));
    assert_eq!(
        summary(&charges),
        [
            ("2027-01#0".into(), ChargeKind::Regular, "23".into(), dec("709.68")),
            ("2027-02#0".into(), ChargeKind::Regular, "23".into(), dec("1000.00")),
            ("2027-03#0".into(), ChargeKind::Regular, "23".into(), dec("1000.00")),
            ("2027-04#0".into(), ChargeKind::Regular, "23".into(), dec("1000.00")),
        ]
    );
    assert_eq!(charges[0].description, "Umowa „Obsługa prawna” — styczeń 2027 (10.01–31.01.2027, 22/31 dni)");
    assert_eq!(charges[0].due_on, date("2027-01-10"));
    assert_eq!((charges[0].contract_id, charges[0].unit_id), (contract.id, contract.unit_id));
    assert!(charges_due(&contract, &[], date("2027-01-09")).is_empty(), "nothing before the start day");
}

#[test]
fn termination_after_advance_billing_credits_the_unused_days() {
    let signed = contract(Quarterly, Advance, Days, "2027-01-01", "3000.00");
    let mut billed = Vec::new();
    let first = charges_due(&signed, &billed, date("2027-04-01"));
    assert_eq!(first.iter().map(ContractCharge::charge_key).collect::<Vec<_>>(), ["2027-Q1#0", "2027-Q2#0"]);
    BilledPeriod::record_all(&mut billed, &first);

    let ended = terminated(signed, "2027-05-15");
    assert_eq!(next_due_date(&ended, &billed), Some(date("2027-04-01")), "the correction is due at once");
    let correction = charges_due(&ended, &billed, date("2027-05-20"));
    // Q2 has 91 days; 45 used: round(3 000 × 45/91) = 1 483.52 owed, 3 000.00 billed.
    assert_eq!(summary(&correction), [("2027-Q2#1".into(), ChargeKind::Correction, "23".into(), dec("-1516.48"))]);
    assert_eq!(
        correction[0].description,
        "Korekta: umowa „Obsługa prawna” — II kwartał 2027: było 3 000,00 zł, jest 1 483,52 zł (01.04–15.05.2027, 45/91 dni)"
    );
    BilledPeriod::record_all(&mut billed, &correction);
    assert!(charges_due(&ended, &billed, date("2028-01-01")).is_empty());
    assert_eq!(next_due_date(&ended, &billed), None, "finished and fully billed");
}

#[test]
fn termination_before_a_period_billed_in_advance_credits_it_in_full() {
    let signed = contract(Quarterly, Advance, Days, "2027-01-01", "3000.00");
    let mut billed = Vec::new();
    bill(&signed, &mut billed, date("2027-04-01"));
    let ended = terminated(signed, "2027-03-31");
    let correction = charges_due(&ended, &billed, date("2027-04-10"));
    assert_eq!(summary(&correction), [("2027-Q2#1".into(), ChargeKind::Correction, "23".into(), dec("-3000.00"))]);
    assert!(correction[0].description.ends_with("(brak dni do rozliczenia)"), "{}", correction[0].description);
}

#[test]
fn suspension_and_resumption_inside_a_billed_period_are_corrected_exactly() {
    let signed = contract(Quarterly, Advance, Days, "2027-01-01", "3000.00");
    let mut billed = Vec::new();
    bill(&signed, &mut billed, date("2027-01-01"));
    assert_eq!(billed[0].net_billed(), dec("3000.00"));

    // Suspended from 1 February until further notice: only January is owed, round(3 000 × 31/90).
    let paused = signed.suspend(date("2027-02-01"), &staff(), now()).unwrap();
    let credit = charges_due(&paused, &billed, date("2027-02-01"));
    assert_eq!(summary(&credit), [("2027-Q1#1".into(), ChargeKind::Correction, "23".into(), dec("-1966.67"))]);
    BilledPeriod::record_all(&mut billed, &credit);

    // Resumed on 1 March: March is owed again, 3 000 − round(3 000 × 59/90) = 1 033.33.
    let resumed = paused.resume(date("2027-03-01"), &staff(), now()).unwrap();
    let debit = charges_due(&resumed, &billed, date("2027-03-01"));
    assert_eq!(summary(&debit), [("2027-Q1#2".into(), ChargeKind::Correction, "23".into(), dec("1033.33"))]);
    BilledPeriod::record_all(&mut billed, &debit);
    assert_eq!(billed[0].net_billed(), dec("2066.66"));
    assert_eq!(billed[0].charges, 3);
}

#[test]
fn an_amendment_changing_vat_in_a_billed_period_is_corrected_per_treatment() {
    let signed = contract(Quarterly, Advance, Days, "2027-01-01", "3000.00");
    let mut billed = Vec::new();
    bill(&signed, &mut billed, date("2027-01-01"));
    let exempt = amended(signed, "2027-02-15", "3000.00", VatTreatment::exempt_default());
    let corrections = charges_due(&exempt, &billed, date("2027-02-15"));
    assert_eq!(
        summary(&corrections),
        [
            ("2027-Q1#1".into(), ChargeKind::Correction, "23".into(), dec("-1500.00")),
            ("2027-Q1#2".into(), ChargeKind::Correction, "zw".into(), dec("1500.00")),
        ]
    );
    BilledPeriod::record_all(&mut billed, &corrections);
    assert_eq!(billed[0].net_billed_for(&rate(23)), dec("1500.00"));
    // The next quarter is billed once, exempt.
    let q2 = charges_due(&exempt, &billed, date("2027-04-01"));
    assert_eq!(summary(&q2), [("2027-Q2#0".into(), ChargeKind::Regular, "zw".into(), dec("3000.00"))]);
}

#[test]
fn a_period_owing_nothing_gets_no_charge_and_the_next_due_date_skips_it() {
    let paused = suspended(contract(Quarterly, Advance, Days, "2027-01-01", "3000.00"), "2027-03-01", None);
    let mut billed = Vec::new();
    bill(&paused, &mut billed, date("2027-10-01"));
    assert_eq!(billed.iter().map(|period| period.period_key.as_str()).collect::<Vec<_>>(), ["2027-Q1"]);
    assert_eq!(next_due_date(&paused, &billed), None, "nothing falls due until the contract resumes");
    // Resumed on 15 August: Q3 (due 1 July, already past) is owed from 15 August.
    let resumed = paused.resume(date("2027-08-15"), &staff(), now()).unwrap();
    assert_eq!(next_due_date(&resumed, &billed), Some(date("2027-07-01")));
    let charges = charges_due(&resumed, &billed, date("2027-10-01"));
    // Q3 = 92 days; 15.08–30.09 = 47 days: 3 000 − round(3 000 × 45/92 = 1 467.391) = 1 532.61.
    assert_eq!(
        summary(&charges),
        [
            ("2027-Q3#0".into(), ChargeKind::Regular, "23".into(), dec("1532.61")),
            ("2027-Q4#0".into(), ChargeKind::Regular, "23".into(), dec("3000.00")),
        ]
    );
}

#[test]
fn next_due_date_follows_the_timing() {
    let arrears = contract(Monthly, Arrears, Days, "2027-01-10", "1000.00");
    assert_eq!(next_due_date(&arrears, &[]), Some(date("2027-02-01")));
    let mut billed = Vec::new();
    bill(&arrears, &mut billed, date("2027-02-01"));
    assert_eq!(next_due_date(&arrears, &billed), Some(date("2027-03-01")));
    let advance = contract(Yearly, Advance, Days, "2027-04-01", "12000.00");
    assert_eq!(next_due_date(&advance, &[]), Some(date("2027-04-01")));
    let fixed = ending(HalfYearly, Arrears, Days, "2027-01-01", "2027-09-30", "6000.00");
    let mut billed = Vec::new();
    bill(&fixed, &mut billed, date("2027-07-01"));
    assert_eq!(next_due_date(&fixed, &billed), Some(date("2027-10-01")), "the day after the last day");
    let free = amended(contract(Monthly, Advance, Days, "2027-01-01", "100.00"), "2027-03-01", "0.00", rate(23));
    let mut billed = Vec::new();
    bill(&free, &mut billed, date("2027-02-01"));
    assert_eq!(next_due_date(&free, &billed), None, "free from March on: nothing more to bill");
}

#[test]
fn billing_day_is_the_warsaw_date_around_dst_changes() {
    let contract = contract(Monthly, Advance, Days, "2027-01-01", "1000.00");
    let keys_due_at = |at: DateTime<Utc>| {
        charges_due(&contract, &[], warsaw_date(at)).last().map(ContractCharge::charge_key).unwrap_or_default()
    };
    // Summer time began on Sunday 28 March 2027; at the end of March Warsaw is UTC+2, so
    // 22:00 UTC on 31 March is already 1 April in Poland and April is due, while the UTC date
    // would still say March.
    assert_eq!(keys_due_at(Utc.with_ymd_and_hms(2027, 3, 31, 21, 59, 59).unwrap()), "2027-03#0");
    assert_eq!(keys_due_at(Utc.with_ymd_and_hms(2027, 3, 31, 22, 0, 0).unwrap()), "2027-04#0");
    // The night of the change itself (01:00 UTC: 02:00 CET jumps to 03:00 CEST) is 28 March
    // on both sides of the jump.
    assert_eq!(keys_due_at(Utc.with_ymd_and_hms(2027, 3, 28, 0, 30, 0).unwrap()), "2027-03#0");
    assert_eq!(keys_due_at(Utc.with_ymd_and_hms(2027, 3, 28, 1, 30, 0).unwrap()), "2027-03#0");
    // Winter time returns on Sunday 31 October 2027 (03:00 CEST → 02:00 CET): at midnight Warsaw
    // is UTC+1, so November begins at 23:00 UTC.
    assert_eq!(keys_due_at(Utc.with_ymd_and_hms(2027, 10, 31, 0, 30, 0).unwrap()), "2027-10#0");
    assert_eq!(keys_due_at(Utc.with_ymd_and_hms(2027, 10, 31, 1, 30, 0).unwrap()), "2027-10#0");
    assert_eq!(keys_due_at(Utc.with_ymd_and_hms(2027, 10, 31, 22, 59, 59).unwrap()), "2027-10#0");
    assert_eq!(keys_due_at(Utc.with_ymd_and_hms(2027, 10, 31, 23, 0, 0).unwrap()), "2027-11#0");
}

#[test]
fn nonsense_changes_are_refused_with_a_field_error() {
    let signed = contract(Quarterly, Advance, Days, "2027-02-15", "3000.00");
    let code = |result: Result<Contract, ContractRuleError>| result.unwrap_err().field_error();
    let by = staff();
    let error = code(signed.resume(date("2027-03-01"), &by, now()));
    assert_eq!((error.field.as_str(), error.code.as_str()), ("on", "not_suspended"));
    assert_eq!(error.pl, "Umowa nie jest zawieszona.");
    let error = code(signed.terminate(date("2027-02-14"), &by, now()));
    assert_eq!((error.field.as_str(), error.code.as_str()), ("lastDay", "before_contract_start"));
    let error = code(signed.amend(date("2027-01-01"), price("1.00", rate(23)), &by, now()));
    assert_eq!((error.field.as_str(), error.code.as_str()), ("effectiveFrom", "before_contract_start"));
    let error = code(signed.amend(date("2027-03-01"), price("-1.00", rate(23)), &by, now()));
    assert_eq!(error.code, "invalid_amount");
    let error = code(signed.suspend(date("1999-12-31"), &by, now()));
    assert_eq!(error.code, "date_out_of_range");

    let later = amended(signed.clone(), "2027-06-01", "3300.00", rate(23));
    assert_eq!(
        code(later.amend(date("2027-05-31"), price("1.00", rate(23)), &by, now())).code,
        "amendment_before_latest"
    );
    let retyped = later.amend(date("2027-06-01"), price("3200.00", rate(23)), &by, now()).unwrap();
    assert_eq!(retyped.terms.len(), 2, "an amendment on the same day replaces the latest");
    assert_eq!(retyped.terms_on(date("2027-07-01")).unwrap().price.net, dec("3200.00"));

    let paused = signed.suspend(date("2027-04-01"), &by, now()).unwrap();
    assert_eq!(code(paused.suspend(date("2027-05-01"), &by, now())).code, "already_suspended");
    assert_eq!(code(paused.resume(date("2027-04-01"), &by, now())).code, "resume_too_early");
    let resumed = paused.resume(date("2027-05-01"), &by, now()).unwrap();
    assert_eq!(resumed.suspensions, [Suspension { from: date("2027-04-01"), until: Some(date("2027-04-30")) }]);
    assert_eq!(code(resumed.suspend(date("2027-04-30"), &by, now())).code, "suspension_overlaps");
    assert!(resumed.is_suspended_on(date("2027-04-30")) && !resumed.is_suspended_on(date("2027-05-01")));

    let ended = terminated(resumed, "2027-09-30");
    assert_eq!(code(ended.terminate(date("2027-08-31"), &by, now())).code, "already_terminated");
    let error = code(ended.suspend(date("2027-10-01"), &by, now()));
    assert_eq!((error.field.as_str(), error.code.as_str()), ("from", "after_contract_end"));
    assert_eq!(code(ended.amend(date("2027-10-01"), price("1.00", rate(23)), &by, now())).code, "after_contract_end");

    let fixed = ending(Monthly, Arrears, Days, "2027-01-01", "2027-06-30", "100.00");
    assert_eq!(code(fixed.terminate(date("2027-07-31"), &by, now())).code, "after_contract_end");
}

#[test]
fn change_input_applies_each_kind_and_names_the_right_field() {
    let signed = contract(Quarterly, Advance, Days, "2027-01-01", "3000.00");
    let change = |json: serde_json::Value| serde_json::from_value::<ContractChangeInput>(json).unwrap();
    let paused = change(serde_json::json!({"kind": "suspend", "from": "2027-02-01", "version": 1}))
        .apply(&signed, &staff(), now())
        .unwrap();
    assert_eq!(paused.suspensions, [Suspension { from: date("2027-02-01"), until: None }]);
    let errors = change(serde_json::json!({"kind": "resume", "on": "2027-02-01", "version": 2}))
        .apply(&paused, &staff(), now())
        .unwrap_err();
    assert_eq!((errors.0[0].field.as_str(), errors.0[0].code.as_str()), ("on", "resume_too_early"));

    // Only the VAT changes: the net in force that day is kept.
    let exempt = change(serde_json::json!({"kind": "amend", "effectiveFrom": "2027-04-01", "vat": "zw", "version": 1}))
        .apply(&signed, &staff(), now())
        .unwrap();
    assert_eq!(
        exempt.terms[1],
        Terms { effective_from: date("2027-04-01"), price: price("3000.00", VatTreatment::exempt_default()) }
    );
    let raised = change(
        serde_json::json!({"kind": "amend", "effectiveFrom": "2027-04-01", "priceNet": "3 300,00", "version": 1}),
    )
    .apply(&signed, &staff(), now())
    .unwrap();
    assert_eq!(raised.terms[1].price, price("3300.00", rate(23)));

    let errors = change(serde_json::json!({"kind": "amend", "effectiveFrom": "2027-04-01"}))
        .apply(&signed, &staff(), now())
        .unwrap_err();
    let fields: Vec<_> = errors.0.iter().map(|error| (error.field.as_str(), error.code.as_str())).collect();
    assert_eq!(fields, [("version", "required"), ("priceNet", "required")]);
    let errors =
        change(serde_json::json!({"kind": "terminate", "from": "2027-05-01", "lastDay": "2026-12-31", "version": 1}))
            .apply(&signed, &staff(), now())
            .unwrap_err();
    assert_eq!((errors.0[0].field.as_str(), errors.0[0].code.as_str()), ("from", "not_applicable"));
    let errors = change(serde_json::json!({"kind": "terminate", "lastDay": "2026-12-31", "version": 1}))
        .apply(&signed, &staff(), now())
        .unwrap_err();
    assert_eq!((errors.0[0].field.as_str(), errors.0[0].code.as_str()), ("lastDay", "before_contract_start"));
    let errors =
        change(serde_json::json!({"kind": "pause", "version": 1})).apply(&signed, &staff(), now()).unwrap_err();
    assert_eq!(errors.0[0].code, "unknown_contract_change");
}

#[test]
fn history_records_every_change_with_author_and_version() {
    let signed = contract(Quarterly, Advance, Days, "2027-01-01", "3000.00");
    let later = now() + Duration::days(40);
    let changed = signed
        .suspend(date("2027-02-01"), &staff(), later)
        .and_then(|c| c.resume(date("2027-03-01"), &staff(), later))
        .and_then(|c| c.amend(date("2027-04-01"), price("3300.00", rate(23)), &staff(), later))
        .and_then(|c| c.terminate(date("2027-12-31"), &staff(), later))
        .unwrap();
    let kinds: Vec<_> = changed.history.iter().map(|entry| entry.change.clone()).collect();
    assert_eq!(
        kinds,
        [
            ContractChangeKind::Created,
            ContractChangeKind::Suspended { from: date("2027-02-01") },
            ContractChangeKind::Resumed { on: date("2027-03-01") },
            ContractChangeKind::Amended { effective_from: date("2027-04-01"), price: price("3300.00", rate(23)) },
            ContractChangeKind::Terminated { last_day: date("2027-12-31") },
        ]
    );
    assert!(changed.history.iter().all(|entry| entry.by == staff()));
    assert_eq!((changed.version, changed.updated_at, changed.created_at), (5, later, now()));
}

#[test]
fn input_parses_polish_amounts_and_collects_every_error() {
    let contract = ContractInput {
        price_net: Some("3 000,00".into()),
        vat: Some("zw".into()),
        pro_rata: None,
        end: Some("".into()),
        ..input(Quarterly, Arrears, Months, "2027-02-15", "0")
    }
    .parse(&staff(), now())
    .unwrap();
    assert_eq!(
        contract.terms,
        [Terms { effective_from: date("2027-02-15"), price: price("3000.00", VatTreatment::exempt_default()) }]
    );
    assert_eq!((contract.pro_rata, contract.end, contract.version), (ProRata::CalendarDays, None, 1));
    assert_eq!(contract.history[0].change, ContractChangeKind::Created);

    let errors = ContractInput {
        unit_id: Some("nope".into()),
        subject: Some("  ".into()),
        start: Some("2027-02-30".into()),
        cycle: Some("weekly".into()),
        timing: None,
        pro_rata: Some("weeks".into()),
        price_net: Some("3000.001".into()),
        vat: Some("22".into()),
        ..Default::default()
    }
    .parse(&staff(), now())
    .unwrap_err();
    let fields: Vec<_> = errors.0.iter().map(|error| (error.field.as_str(), error.code.as_str())).collect();
    assert_eq!(
        fields,
        [
            ("unitId", "invalid_id"),
            ("subject", "required"),
            ("start", "invalid_date"),
            ("cycle", "unknown_billing_cycle"),
            ("timing", "required"),
            ("proRata", "unknown_pro_rata"),
            ("priceNet", "invalid_amount"),
            ("vat", "invalid_vat"),
        ]
    );
    let errors = ContractInput { end: Some("2027-02-14".into()), ..input(Monthly, Advance, Days, "2027-02-15", "1") }
        .parse(&staff(), now())
        .unwrap_err();
    assert_eq!(errors.0[0].code, "end_before_start");
    let unknown = serde_json::from_value::<ContractInput>(serde_json::json!({"subject": "x", "amount": "1"}));
    assert!(unknown.is_err(), "unknown fields are refused");
}

#[test]
fn serde_shape_is_camel_case_with_amounts_as_strings() {
    let contract = terminated(contract(Quarterly, Advance, Months, "2027-02-15", "3000.00"), "2027-12-31");
    let json = serde_json::to_value(&contract).unwrap();
    assert_eq!(json["unitId"], serde_json::json!(contract.unit_id.to_string()));
    assert_eq!(json["cycle"], "quarterly");
    assert_eq!(json["proRata"], "months");
    assert_eq!(json["terminatedOn"], "2027-12-31");
    assert_eq!(
        json["terms"][0],
        serde_json::json!({"effectiveFrom": "2027-02-15", "price": {"net": "3000.00", "vat": {"kind": "rate", "percent": "23"}}})
    );
    assert_eq!(json["history"][1]["change"], serde_json::json!({"kind": "terminated", "lastDay": "2027-12-31"}));
    assert_eq!(serde_json::from_value::<Contract>(json).unwrap(), contract);
    let charge = &charges_due(&contract, &[], date("2027-02-15"))[0];
    let json = serde_json::to_value(charge).unwrap();
    assert_eq!(json["net"], "1500.00");
    assert_eq!(json["period"], serde_json::json!({"cycle": "quarterly", "start": "2027-01-01", "end": "2027-03-31"}));
    assert_eq!(json["kind"], "regular");
    assert_eq!(charge.description, "Umowa „Obsługa prawna” — I kwartał 2027 (15.02–31.03.2027, 45 dni = 1,5/3 mies.)");
}

#[test]
fn amounts_format_the_polish_way() {
    assert_eq!(billing::format_pln(dec("1234567.5")), "1 234 567,50");
    assert_eq!(billing::format_pln(dec("-1516.48")), "-1 516,48");
    assert_eq!(billing::format_pln(dec("0")), "0,00");
    assert_eq!(billing::format_pln(dec("999.99")), "999,99");
}

// --- properties ---------------------------------------------------------------------------

fn arb_cycle() -> impl Strategy<Value = BillingCycle> {
    prop::sample::select(BillingCycle::ALL.to_vec())
}

fn arb_pro_rata() -> impl Strategy<Value = ProRata> {
    prop::sample::select(vec![ProRata::CalendarDays, ProRata::Months])
}

fn arb_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..36_500).prop_map(|days| date("2000-01-01") + Duration::days(days))
}

fn arb_amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (0i64..100_000_000).prop_map(|grosze| Decimal::new(grosze, 2)),
        (0i64..200).prop_map(|g| Decimal::new(g, 2))
    ]
}

/// The exact (unrounded) pro-rata of `amount` for `from..=until`.
fn exact(amount: Decimal, period: &Period, pro_rata: ProRata, from: NaiveDate, until: NaiveDate) -> Decimal {
    let position = |day| {
        let position = pro_rata.position(period, day);
        Decimal::from(position.numerator) / Decimal::from(position.denominator)
    };
    amount * (position(until + Duration::days(1)) - position(from))
}

/// A change to try on a generated contract; refused ones are skipped.
#[derive(Debug, Clone)]
enum Change {
    Suspend,
    Resume,
    Amend { grosze: i64, exempt: bool },
    Terminate,
}

fn arb_changes() -> impl Strategy<Value = Vec<(Change, i64)>> {
    let change = prop_oneof![
        Just(Change::Suspend),
        Just(Change::Resume),
        (0i64..1_000_000, any::<bool>()).prop_map(|(grosze, exempt)| Change::Amend { grosze, exempt }),
        Just(Change::Terminate),
    ];
    prop::collection::vec((change, 0i64..200), 0..5)
}

#[derive(Debug, Clone)]
struct Scenario {
    original: Contract,
    changed: Contract,
}

fn arb_scenario() -> impl Strategy<Value = Scenario> {
    (
        arb_cycle(),
        any::<bool>(),
        arb_pro_rata(),
        0i64..1_500,
        prop::option::of(0i64..1_200),
        0i64..1_000_000,
        arb_changes(),
    )
        .prop_map(|(cycle, advance, pro_rata, start, length, grosze, changes)| {
            let start = date("2026-01-01") + Duration::days(start);
            let timing = if advance { Advance } else { Arrears };
            let mut original =
                contract(cycle, timing, pro_rata, &start.to_string(), &Decimal::new(grosze, 2).to_string());
            original.end = length.map(|days| start + Duration::days(days));
            let mut changed = original.clone();
            let mut day = start;
            for (change, offset) in changes {
                day += Duration::days(offset);
                let next = match change {
                    Change::Suspend => changed.suspend(day, &staff(), now()),
                    Change::Resume => changed.resume(day, &staff(), now()),
                    Change::Amend { grosze, exempt } => {
                        let vat = if exempt { VatTreatment::exempt_default() } else { rate(23) };
                        changed.amend(day, Price { net: Decimal::new(grosze, 2), vat }, &staff(), now())
                    }
                    Change::Terminate => changed.terminate(day, &staff(), now()),
                };
                if let Ok(next) = next {
                    changed = next;
                }
            }
            Scenario { original, changed }
        })
}

/// Net per (period, VAT), zeros left out.
fn totals(billed: &[BilledPeriod]) -> BTreeMap<(String, String), Decimal> {
    billed
        .iter()
        .flat_map(|period| period.lines.iter().map(|line| ((period.period_key.clone(), line.vat.code()), line.net)))
        .filter(|(_, net)| !net.is_zero())
        .collect()
}

/// What every period due by `as_of` owes, per (period, VAT), zeros left out.
fn owed(contract: &Contract, as_of: NaiveDate) -> BTreeMap<(String, String), Decimal> {
    let mut owed = BTreeMap::new();
    let mut period = Period::containing(contract.cycle, contract.start);
    while contract.due_date(&period) <= as_of && contract.last_day().is_none_or(|last| period.start <= last) {
        for line in period_lines(contract, &period).into_iter().filter(|line| !line.net.is_zero()) {
            owed.insert((period.key(), line.vat.code()), line.net);
        }
        period = period.next();
    }
    owed
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap()
}

proptest! {
    #[test]
    fn a_whole_period_is_the_full_amount(cycle in arb_cycle(), pro_rata in arb_pro_rata(), day in arb_date(), amount in arb_amount()) {
        let period = Period::containing(cycle, day);
        prop_assert_eq!(pro_rata_amount(amount, &period, pro_rata, period.start, period.end), amount);
    }

    #[test]
    fn a_split_period_sums_exactly_and_each_part_is_within_a_grosz(
        cycle in arb_cycle(), pro_rata in arb_pro_rata(), day in arb_date(), amount in arb_amount(), cut in 0u32..366,
    ) {
        let period = Period::containing(cycle, day);
        let boundary = period.start + Duration::days(i64::from(cut % (period.days() + 1)));
        let before = pro_rata_amount(amount, &period, pro_rata, period.start, boundary - Duration::days(1));
        let after = pro_rata_amount(amount, &period, pro_rata, boundary, period.end);
        prop_assert_eq!(before + after, amount);
        for (part, from, until) in [(before, period.start, boundary - Duration::days(1)), (after, boundary, period.end)] {
            prop_assert!(part >= Decimal::ZERO && part <= amount);
            if from <= until {
                prop_assert!((part - exact(amount, &period, pro_rata, from, until)).abs() <= dec("0.01"));
            }
        }
    }

    #[test]
    fn any_stretch_is_neither_negative_nor_over_full(
        cycle in arb_cycle(), pro_rata in arb_pro_rata(), day in arb_date(), amount in arb_amount(), a in 0u32..366, b in 0u32..366,
    ) {
        let period = Period::containing(cycle, day);
        let (a, b) = (a % period.days(), b % period.days());
        let from = period.start + Duration::days(i64::from(a.min(b)));
        let until = period.start + Duration::days(i64::from(a.max(b)));
        let part = pro_rata_amount(amount, &period, pro_rata, from, until);
        prop_assert!(part >= Decimal::ZERO && part <= amount);
        prop_assert!((part - exact(amount, &period, pro_rata, from, until)).abs() <= dec("0.01"));
        prop_assert_eq!(part.scale(), 2);
    }

    #[test]
    fn leap_years_lengthen_february_periods(year in 2000i32..2200) {
        let leap = i64::from(NaiveDate::from_ymd_opt(year, 2, 29).is_some());
        let jan = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        prop_assert_eq!(i64::from(Period::containing(Quarterly, jan).days()), 90 + leap);
        prop_assert_eq!(i64::from(Period::containing(HalfYearly, jan).days()), 181 + leap);
        prop_assert_eq!(i64::from(Period::containing(Yearly, jan).days()), 365 + leap);
    }

    #[test]
    fn termination_after_advance_billing_leaves_exactly_the_days_used(
        cycle in arb_cycle(), pro_rata in arb_pro_rata(), start in 0i64..1_500, used in 0i64..800, grosze in 0i64..100_000_000,
    ) {
        let start = date("2026-01-01") + Duration::days(start);
        let last_day = start + Duration::days(used);
        let amount = Decimal::new(grosze, 2);
        let signed = contract(cycle, Advance, pro_rata, &start.to_string(), &amount.to_string());
        let period = Period::containing(cycle, last_day);
        let mut billed = Vec::new();
        bill(&signed, &mut billed, signed.due_date(&period));
        let before = billed.iter().find(|billed| billed.period_key == period.key()).map_or(Decimal::ZERO, BilledPeriod::net_billed);
        prop_assert_eq!(before, pro_rata_amount(amount, &period, pro_rata, start.max(period.start), period.end));

        let ended = terminated(signed, &last_day.to_string());
        let corrections = charges_due(&ended, &billed, last_day + Duration::days(1));
        prop_assert!(corrections.iter().all(|charge| charge.kind == ChargeKind::Correction && charge.period == period));
        let corrected: Decimal = corrections.iter().map(|charge| charge.net).sum();
        prop_assert_eq!(before + corrected, pro_rata_amount(amount, &period, pro_rata, start.max(period.start), last_day));
    }

    #[test]
    fn a_rerun_after_storing_the_charges_bills_nothing(scenario in arb_scenario(), days in 0i64..2_500) {
        let contract = &scenario.changed;
        let as_of = contract.start + Duration::days(days);
        let mut billed = Vec::new();
        let charges = charges_due(contract, &billed, as_of);
        let keys: std::collections::HashSet<String> = charges.iter().map(ContractCharge::charge_key).collect();
        prop_assert_eq!(keys.len(), charges.len(), "idempotency keys are unique");
        prop_assert!(charges.iter().all(|charge| !charge.net.is_zero() && charge.due_on <= as_of));
        BilledPeriod::record_all(&mut billed, &charges);
        prop_assert!(charges_due(contract, &billed, as_of).is_empty());
        prop_assert_eq!(totals(&billed), owed(contract, as_of));
        // The next due date is exactly the first day anything new falls due.
        match next_due_date(contract, &billed) {
            Some(next) => {
                prop_assert!(next > as_of);
                prop_assert!(charges_due(contract, &billed, next - Duration::days(1)).is_empty());
                prop_assert!(!charges_due(contract, &billed, next).is_empty());
            }
            None => prop_assert!(charges_due(contract, &billed, date("2199-12-31")).is_empty()),
        }
    }

    #[test]
    fn monthly_runs_and_one_late_run_bill_the_same_per_period(scenario in arb_scenario(), recorded_after in 0u32..48) {
        let Scenario { original, changed } = scenario;
        let horizon = first_of_month(original.start) + chrono::Months::new(48);
        let recorded = first_of_month(original.start) + chrono::Months::new(recorded_after);
        let mut billed = Vec::new();
        let mut run = first_of_month(original.start);
        while run <= horizon {
            // Changes become known on `recorded`: earlier runs bill the contract as signed.
            let known = if run < recorded { &original } else { &changed };
            let charges = charges_due(known, &billed, run);
            BilledPeriod::record_all(&mut billed, &charges);
            run = run + chrono::Months::new(1);
        }
        let mut once = Vec::new();
        bill(&changed, &mut once, horizon);
        prop_assert_eq!(totals(&billed), totals(&once));
        prop_assert_eq!(totals(&once), owed(&changed, horizon));
    }
}
