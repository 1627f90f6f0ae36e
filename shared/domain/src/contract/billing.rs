//! What a contract owes per period, what is due by a day, and when the next thing falls due.
//!
//! The store keeps, per contract and period, the sum of all charges written so far per VAT
//! treatment and their count ([`BilledPeriod`]); the domain compares that with the amount the
//! contract, as known now, yields for the period and emits regular charges or corrections.
//! Amounts depend only on the contract, never on the billing date, so a rerun is idempotent and
//! a late run catches up every missed period.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::period::{days_between, Period};
use super::pro_rata::{pro_rata_amount, ProRata};
use super::Contract;
use crate::errors::FieldError;
use crate::ids::{ContractId, UnitId};
use crate::training::{Price, VatTreatment};

/// When a period's charge falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingTiming {
    /// On the period's first day (or the contract's first day, if later).
    Advance,
    /// The day after the period's last day (or after the contract's last day, if earlier).
    Arrears,
}

impl BillingTiming {
    pub fn code(self) -> &'static str {
        match self {
            Self::Advance => "advance",
            Self::Arrears => "arrears",
        }
    }

    /// Parses a form value (`advance`, `arrears`).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        [Self::Advance, Self::Arrears].into_iter().find(|timing| timing.code() == raw.trim()).ok_or_else(|| {
            FieldError::new(
                "timing",
                "unknown_billing_timing",
                "Sposób rozliczenia musi być jednym z: advance (z góry), arrears (z dołu).",
                "The billing timing must be one of: advance, arrears.",
            )
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChargeKind {
    /// The first billing of a period.
    Regular,
    /// The difference after a change touching a period already billed (negative = a credit).
    Correction,
}

/// What is already billed for a period under one VAT treatment (sum of its charges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BilledVat {
    pub vat: VatTreatment,
    #[schema(value_type = String, example = "3000.00")]
    pub net: Decimal,
}

/// What the store holds for one period of a contract: the charges written so far, summed per
/// VAT treatment, and how many there are (the next charge's sequence number). Kept per VAT,
/// not as one net, because an amendment that changes the VAT inside a billed period must be
/// corrected under each treatment separately.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BilledPeriod {
    pub period_key: String,
    pub charges: u32,
    #[serde(default)]
    pub lines: Vec<BilledVat>,
}

impl BilledPeriod {
    /// Net of all charges of the period, corrections included.
    pub fn net_billed(&self) -> Decimal {
        self.lines.iter().map(|line| line.net).sum()
    }

    pub fn net_billed_for(&self, vat: &VatTreatment) -> Decimal {
        self.lines.iter().filter(|line| &line.vat == vat).map(|line| line.net).sum()
    }

    /// Adds a written charge to its period's totals.
    pub fn record(&mut self, charge: &ContractCharge) {
        self.charges += 1;
        match self.lines.iter_mut().find(|line| line.vat == charge.vat) {
            Some(line) => line.net += charge.net,
            None => self.lines.push(BilledVat { vat: charge.vat.clone(), net: charge.net }),
        }
    }

    /// Folds written charges into the per-period totals (what the store does as it writes them).
    pub fn record_all(billed: &mut Vec<BilledPeriod>, charges: &[ContractCharge]) {
        for charge in charges {
            let key = charge.period.key();
            let index = match billed.iter().position(|period| period.period_key == key) {
                Some(index) => index,
                None => {
                    billed.push(BilledPeriod { period_key: key, ..Default::default() });
                    billed.len() - 1
                }
            };
            billed[index].record(charge);
        }
    }
}

/// One charge to hand to settlement: a period's amount under one VAT treatment, or a correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractCharge {
    pub contract_id: ContractId,
    pub unit_id: UnitId,
    pub period: Period,
    /// 0, 1, … per period in the order written; with the period key, the idempotency key.
    pub sequence: u32,
    pub kind: ChargeKind,
    /// Net PLN; negative for a credit correction.
    #[schema(value_type = String, example = "1500.00")]
    pub net: Decimal,
    pub vat: VatTreatment,
    pub due_on: NaiveDate,
    /// The invoice line text (Polish).
    pub description: String,
}

impl ContractCharge {
    /// `{period_key}#{sequence}`, e.g. `2027-Q1#0`: unique per contract, the same on every rerun.
    pub fn charge_key(&self) -> String {
        format!("{}#{}", self.period.key(), self.sequence)
    }
}

/// The amount a period owes under one VAT treatment, as the contract stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodLine {
    pub vat: VatTreatment,
    pub net: Decimal,
    /// Active days under this treatment, as inclusive ranges (adjacent ones merged).
    pub ranges: Vec<(NaiveDate, NaiveDate)>,
    pub days: u32,
    /// The share of the period billed (0–1) by the contract's pro-rata convention, for display.
    pub share: Decimal,
}

/// Active days of a period under one set of terms.
struct Stretch<'a> {
    from: NaiveDate,
    until: NaiveDate,
    price: &'a Price,
}

impl Contract {
    /// The day a period's charge falls due: in advance on the period's first day, but not before
    /// the contract's first day; in arrears the day after the period ends, or after the
    /// contract's last day if that comes first.
    pub fn due_date(&self, period: &Period) -> NaiveDate {
        match self.timing {
            BillingTiming::Advance => period.start.max(self.start),
            BillingTiming::Arrears => {
                let last = self.last_day().map_or(period.end, |last| last.min(period.end));
                last.succ_opt().expect("contract dates are far from the end of the calendar")
            }
        }
    }

    /// Active days of `period` (within the contract, outside suspensions), cut where the terms
    /// change; in date order.
    fn active_stretches(&self, period: &Period) -> Vec<Stretch<'_>> {
        let from = period.start.max(self.start);
        let until = self.last_day().map_or(period.end, |last| last.min(period.end));
        if from > until {
            return Vec::new();
        }
        let mut runs = vec![(from, until)];
        for suspension in &self.suspensions {
            runs = runs
                .into_iter()
                .flat_map(|(from, until)| {
                    let before = suspension.from.pred_opt().map(|day| (from, until.min(day)));
                    let after = suspension.until.and_then(|day| day.succ_opt()).map(|day| (from.max(day), until));
                    [before, after].into_iter().flatten().filter(|(from, until)| from <= until)
                })
                .collect();
        }
        let mut stretches = Vec::new();
        for (index, terms) in self.terms.iter().enumerate() {
            // The first terms also cover any day before their date: they are the contract's.
            let terms_from = if index == 0 { NaiveDate::MIN } else { terms.effective_from };
            let terms_until =
                self.terms.get(index + 1).and_then(|next| next.effective_from.pred_opt()).unwrap_or(NaiveDate::MAX);
            for &(from, until) in &runs {
                let (from, until) = (from.max(terms_from), until.min(terms_until));
                if from <= until {
                    stretches.push(Stretch { from, until, price: &terms.price });
                }
            }
        }
        stretches.sort_by_key(|stretch| stretch.from);
        stretches
    }

    /// The latest date any rule of the contract turns on; periods after it all look alike.
    fn latest_rule_date(&self) -> NaiveDate {
        let dates = [Some(self.start), self.end, self.terminated_on]
            .into_iter()
            .chain(self.terms.iter().map(|terms| Some(terms.effective_from)))
            .chain(self.suspensions.iter().flat_map(|suspension| [Some(suspension.from), suspension.until]));
        dates.flatten().max().unwrap_or(self.start)
    }
}

/// What `period` owes, one line per VAT treatment in order of first use; a period without
/// active days has no lines.
pub fn period_lines(contract: &Contract, period: &Period) -> Vec<PeriodLine> {
    let mut lines: Vec<PeriodLine> = Vec::new();
    for stretch in contract.active_stretches(period) {
        let net = pro_rata_amount(stretch.price.net, period, contract.pro_rata, stretch.from, stretch.until);
        let after_last = stretch.until.succ_opt().unwrap_or(stretch.until);
        let share = share_between(contract.pro_rata, period, stretch.from, after_last);
        let index = match lines.iter().position(|line| line.vat == stretch.price.vat) {
            Some(index) => index,
            None => {
                lines.push(PeriodLine {
                    vat: stretch.price.vat.clone(),
                    net: Decimal::ZERO,
                    ranges: Vec::new(),
                    days: 0,
                    share: Decimal::ZERO,
                });
                lines.len() - 1
            }
        };
        let line = &mut lines[index];
        line.net += net;
        line.days += days_between(stretch.from, stretch.until);
        line.share += share;
        match line.ranges.last_mut() {
            Some((_, until)) if until.succ_opt() == Some(stretch.from) => *until = stretch.until,
            _ => line.ranges.push((stretch.from, stretch.until)),
        }
    }
    lines
}

fn share_between(pro_rata: ProRata, period: &Period, from: NaiveDate, after_last: NaiveDate) -> Decimal {
    let as_decimal = |day| {
        let position = pro_rata.position(period, day);
        Decimal::from(position.numerator) / Decimal::from(position.denominator)
    };
    as_decimal(after_last) - as_decimal(from)
}

/// Every charge due by `as_of` (inclusive) that is not billed yet: for each period of the
/// contract due by then, a regular charge per VAT treatment if nothing is billed for it, or a
/// correction per VAT treatment whose billed sum differs from the amount as known now. A period
/// whose amount is 0.00 (e.g. suspended throughout) gets no charge. Periods billed earlier that
/// no longer overlap the contract (terminated before them) are credited in full.
pub fn charges_due(contract: &Contract, billed: &[BilledPeriod], as_of: NaiveDate) -> Vec<ContractCharge> {
    let billed_by_key = index_billed(billed);
    let mut periods = Vec::new();
    let mut period = Period::containing(contract.cycle, contract.start);
    while contract.last_day().is_none_or(|last| period.start <= last) && contract.due_date(&period) <= as_of {
        periods.push(period);
        period = period.next();
    }
    let listed: HashSet<String> = periods.iter().map(Period::key).collect();
    let stale = billed
        .iter()
        .filter(|billed| !listed.contains(&billed.period_key))
        .filter_map(|billed| Period::parse_key(&billed.period_key))
        .filter(|period| contract.due_date(period) <= as_of);
    periods.extend(stale);
    periods.sort_by_key(|period| period.start);
    periods
        .iter()
        .flat_map(|period| settle(contract, period, billed_by_key.get(period.key().as_str()).copied()))
        .collect()
}

/// The earliest day on which [`charges_due`] would return something: a pending correction
/// (its period's due date, possibly already past — it is due now) or the first period not yet
/// billed that owes an amount. `None` when nothing will fall due unless the contract changes:
/// finished and fully billed, or suspended until further notice. The store indexes contracts by
/// this date, so the monthly run queries "due ≤ today" instead of scanning; recompute it after
/// every change of the contract and every billing run.
pub fn next_due_date(contract: &Contract, billed: &[BilledPeriod]) -> Option<NaiveDate> {
    let billed_by_key = index_billed(billed);
    let pending_correction = billed
        .iter()
        .filter(|billed| billed.charges > 0)
        .filter_map(|billed| Period::parse_key(&billed.period_key))
        .filter(|period| !settle(contract, period, billed_by_key.get(period.key().as_str()).copied()).is_empty())
        .map(|period| contract.due_date(&period))
        .min();
    let latest_rule_date = contract.latest_rule_date();
    let mut first_unbilled = None;
    let mut period = Period::containing(contract.cycle, contract.start);
    while contract.last_day().is_none_or(|last| period.start <= last) {
        let is_billed = billed_by_key.get(period.key().as_str()).is_some_and(|billed| billed.charges > 0);
        if !is_billed {
            if period_lines(contract, &period).iter().any(|line| !line.net.is_zero()) {
                first_unbilled = Some(contract.due_date(&period));
                break;
            }
            // Past every rule date each period owes the same, so this 0.00 repeats for ever.
            if period.start > latest_rule_date {
                break;
            }
        }
        period = period.next();
    }
    [pending_correction, first_unbilled].into_iter().flatten().min()
}

fn index_billed(billed: &[BilledPeriod]) -> HashMap<&str, &BilledPeriod> {
    billed.iter().map(|billed| (billed.period_key.as_str(), billed)).collect()
}

/// The charges that bring what is billed for `period` to what it owes now.
fn settle(contract: &Contract, period: &Period, billed: Option<&BilledPeriod>) -> Vec<ContractCharge> {
    let lines = period_lines(contract, period);
    let charge =
        |sequence: u32, kind: ChargeKind, net: Decimal, vat: &VatTreatment, description: String| ContractCharge {
            contract_id: contract.id,
            unit_id: contract.unit_id,
            period: *period,
            sequence,
            kind,
            net,
            vat: vat.clone(),
            due_on: contract.due_date(period),
            description,
        };
    let Some(billed) = billed.filter(|billed| billed.charges > 0) else {
        return lines
            .iter()
            .filter(|line| !line.net.is_zero())
            .zip(0..)
            .map(|(line, sequence)| {
                let description = format!(
                    "Umowa „{}” — {} ({})",
                    contract.subject,
                    period.label_pl(),
                    extent(contract.pro_rata, period, Some(line))
                );
                charge(sequence, ChargeKind::Regular, line.net, &line.vat, description)
            })
            .collect();
    };
    let orphaned = billed.lines.iter().filter(|billed| !lines.iter().any(|line| line.vat == billed.vat));
    let differences = lines
        .iter()
        .map(|line| (&line.vat, Some(line), billed.net_billed_for(&line.vat)))
        .chain(orphaned.map(|billed| (&billed.vat, None, billed.net)))
        .filter(|(_, line, billed)| line.map_or(Decimal::ZERO, |line| line.net) != *billed);
    differences
        .zip(billed.charges..)
        .map(|((vat, line, net_billed), sequence)| {
            let owed = line.map_or(Decimal::ZERO, |line| line.net);
            let description = format!(
                "Korekta: umowa „{}” — {}: było {} zł, jest {} zł ({})",
                contract.subject,
                period.label_pl(),
                format_pln(net_billed),
                format_pln(owed),
                extent(contract.pro_rata, period, line)
            );
            charge(sequence, ChargeKind::Correction, owed - net_billed, vat, description)
        })
        .collect()
}

/// `15.02–31.03.2027, 45/90 dni` (by days) or `10.02–31.03.2027, 47 dni = 1,6786/3 mies.`.
fn extent(pro_rata: ProRata, period: &Period, line: Option<&PeriodLine>) -> String {
    let Some(line) = line.filter(|line| line.days > 0) else {
        return "brak dni do rozliczenia".to_owned();
    };
    let ranges: Vec<String> = line.ranges.iter().map(|&(from, until)| format_range(from, until)).collect();
    let ranges = ranges.join(", ");
    match pro_rata {
        ProRata::CalendarDays => format!("{ranges}, {}/{} dni", line.days, period.days()),
        ProRata::Months => {
            let months = (line.share * Decimal::from(period.cycle.months())).round_dp(4).normalize();
            format!(
                "{ranges}, {} dni = {}/{} mies.",
                line.days,
                months.to_string().replace('.', ","),
                period.cycle.months()
            )
        }
    }
}

fn format_range(from: NaiveDate, until: NaiveDate) -> String {
    if from == until {
        from.format("%d.%m.%Y").to_string()
    } else {
        format!("{}–{}", from.format("%d.%m"), until.format("%d.%m.%Y"))
    }
}

/// `1234567.5` → `1 234 567,50` (the form on Polish documents).
pub(crate) fn format_pln(amount: Decimal) -> String {
    let mut amount = amount.round_dp(2);
    amount.rescale(2);
    let text = amount.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    let sign = if amount.is_sign_negative() && !amount.is_zero() { "-" } else { "" };
    format!("{sign}{grouped},{fraction}")
}
