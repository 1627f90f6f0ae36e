//! Pro-rata for partial periods and the cumulative boundary rounding that keeps every split of
//! a period summing to the grosz (see the module documentation of [`crate::contract`]).

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::period::{days_between, Period};
use crate::errors::FieldError;
use crate::training::round_grosze;

/// How a partial period is measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProRata {
    /// Active days ÷ days of the period (Q1 2027: 90 days, so each day is 1/90).
    #[default]
    CalendarDays,
    /// Each whole calendar month is 1/n of a period of n months; a partial month counts its
    /// active days ÷ the days of that month, × 1/n.
    Months,
}

impl ProRata {
    pub fn code(self) -> &'static str {
        match self {
            Self::CalendarDays => "calendar_days",
            Self::Months => "months",
        }
    }

    /// Parses a form value (`calendar_days`, `months`).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        [Self::CalendarDays, Self::Months].into_iter().find(|rule| rule.code() == raw.trim()).ok_or_else(|| {
            FieldError::new(
                "proRata",
                "unknown_pro_rata",
                "Sposób liczenia niepełnego okresu musi być jednym z: calendar_days (dni kalendarzowe), months (miesiące).",
                "The pro-rata convention must be one of: calendar_days, months.",
            )
        })
    }

    /// Where the boundary at the start of `day` (midnight before it) lies within `period`, as
    /// an exact fraction: 0 at the period's first day, 1 after its last. Days outside the
    /// period are clamped.
    pub fn position(self, period: &Period, day: NaiveDate) -> Fraction {
        if day <= period.start {
            return Fraction::ZERO;
        }
        if day > period.end {
            return Fraction::ONE;
        }
        match self {
            Self::CalendarDays => Fraction {
                numerator: i64::from(days_between(period.start, day) - 1),
                denominator: i64::from(period.days()),
            },
            Self::Months => {
                let whole_months =
                    (day.year() - period.start.year()) * 12 + day.month0() as i32 - period.start.month0() as i32;
                let month_days = i64::from(days_in_month(day));
                Fraction {
                    numerator: i64::from(whole_months) * month_days + i64::from(day.day0()),
                    denominator: i64::from(period.cycle.months()) * month_days,
                }
            }
        }
    }
}

/// An exact share of a period, `numerator / denominator` in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    pub numerator: i64,
    pub denominator: i64,
}

impl Fraction {
    pub const ZERO: Fraction = Fraction { numerator: 0, denominator: 1 };
    pub const ONE: Fraction = Fraction { numerator: 1, denominator: 1 };

    /// `amount × self`, rounded half-up to grosze and always written with 2 decimal places.
    /// Multiplying before dividing keeps the product exact, so a true midpoint (…,xx5) is
    /// recognised and rounded up.
    pub fn of(self, amount: Decimal) -> Decimal {
        let mut share = round_grosze(amount * Decimal::from(self.numerator) / Decimal::from(self.denominator));
        share.rescale(2);
        share
    }
}

/// The net for the days `from..=until` of `period` at `full_amount` per full period:
/// `round(R × f(until + 1)) − round(R × f(from))`. Days outside the period count as nothing.
pub fn pro_rata_amount(
    full_amount: Decimal,
    period: &Period,
    pro_rata: ProRata,
    from: NaiveDate,
    until: NaiveDate,
) -> Decimal {
    if until < from {
        return Decimal::new(0, 2);
    }
    let after_last = until.succ_opt().unwrap_or(until);
    pro_rata.position(period, after_last).of(full_amount) - pro_rata.position(period, from).of(full_amount)
}

fn days_in_month(day: NaiveDate) -> u32 {
    let first = day.with_day(1).expect("every month has a first day");
    let next = first.checked_add_months(Months::new(1)).expect("contract dates are far from the end of the calendar");
    days_between(first, next) - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::period::BillingCycle;

    fn date(raw: &str) -> NaiveDate {
        raw.parse().unwrap()
    }

    #[test]
    fn positions_by_days_and_by_months() {
        let q1 = Period::containing(BillingCycle::Quarterly, date("2027-01-01"));
        let by_days = ProRata::CalendarDays.position(&q1, date("2027-02-15"));
        assert_eq!((by_days.numerator, by_days.denominator), (45, 90));
        // One whole month (January) plus 14 of February's 28 days, of 3 months.
        let by_months = ProRata::Months.position(&q1, date("2027-02-15"));
        assert_eq!((by_months.numerator, by_months.denominator), (28 + 14, 3 * 28));
        assert_eq!(ProRata::Months.position(&q1, date("2027-04-01")), Fraction::ONE);
        assert_eq!(ProRata::CalendarDays.position(&q1, date("2026-12-01")), Fraction::ZERO);
    }

    #[test]
    fn midpoints_round_half_up() {
        // 0.05 × 1/2 = 0.025 → 0.03 before the boundary, 0.02 after it.
        let month = Period::containing(BillingCycle::Monthly, date("2027-04-01"));
        let half = ProRata::CalendarDays.position(&month, date("2027-04-16"));
        assert_eq!(half.of("0.05".parse().unwrap()), "0.03".parse::<Decimal>().unwrap());
        let second_half =
            pro_rata_amount("0.05".parse().unwrap(), &month, ProRata::CalendarDays, date("2027-04-16"), month.end);
        assert_eq!(second_half, "0.02".parse::<Decimal>().unwrap());
    }
}
