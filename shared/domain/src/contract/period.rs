//! Billing periods aligned to the calendar: a month, a quarter (Q1 = January–March), a half-year
//! (H1 = January–June) or a calendar year. A contract signed mid-period is billed for a partial
//! first period; its periods never shift to the signing date.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingCycle {
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
}

impl BillingCycle {
    pub const ALL: [BillingCycle; 4] = [Self::Monthly, Self::Quarterly, Self::HalfYearly, Self::Yearly];

    /// Calendar months in one period.
    pub fn months(self) -> u32 {
        match self {
            Self::Monthly => 1,
            Self::Quarterly => 3,
            Self::HalfYearly => 6,
            Self::Yearly => 12,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Quarterly => "quarterly",
            Self::HalfYearly => "half_yearly",
            Self::Yearly => "yearly",
        }
    }

    /// Parses a form value (`monthly`, `quarterly`, `half_yearly`, `yearly`).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|cycle| cycle.code() == raw.trim()).ok_or_else(|| {
            FieldError::new(
                "cycle",
                "unknown_billing_cycle",
                "Okres rozliczeniowy musi być jednym z: monthly (miesiąc), quarterly (kwartał), half_yearly (półrocze), yearly (rok).",
                "The billing cycle must be one of: monthly, quarterly, half_yearly, yearly.",
            )
        })
    }
}

/// One billing period; `end` is its last day (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    pub cycle: BillingCycle,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

const MONTHS_PL: [&str; 12] = [
    "styczeń",
    "luty",
    "marzec",
    "kwiecień",
    "maj",
    "czerwiec",
    "lipiec",
    "sierpień",
    "wrzesień",
    "październik",
    "listopad",
    "grudzień",
];
const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

impl Period {
    /// The period of `cycle` that contains `date`.
    pub fn containing(cycle: BillingCycle, date: NaiveDate) -> Self {
        let months = cycle.months();
        let first_month = date.month0() / months * months + 1;
        let start = NaiveDate::from_ymd_opt(date.year(), first_month, 1).expect("the first day of a month exists");
        Self::starting(cycle, start)
    }

    fn starting(cycle: BillingCycle, start: NaiveDate) -> Self {
        let end = start
            .checked_add_months(Months::new(cycle.months()))
            .and_then(|next| next.pred_opt())
            .expect("contract dates are far from the end of the calendar");
        Self { cycle, start, end }
    }

    /// The period right after this one.
    pub fn next(&self) -> Self {
        Self::starting(self.cycle, self.end.succ_opt().expect("contract dates are far from the end of the calendar"))
    }

    /// Length in days (leap days included: Q1 2028 has 91).
    pub fn days(&self) -> u32 {
        days_between(self.start, self.end)
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// A stable key: `2027-03`, `2027-Q1`, `2027-H1` or `2027`. Part of the idempotency key of
    /// a charge, so its format never changes.
    pub fn key(&self) -> String {
        let year = self.start.year();
        let index = self.start.month0() / self.cycle.months() + 1;
        match self.cycle {
            BillingCycle::Monthly => format!("{year:04}-{index:02}"),
            BillingCycle::Quarterly => format!("{year:04}-Q{index}"),
            BillingCycle::HalfYearly => format!("{year:04}-H{index}"),
            BillingCycle::Yearly => format!("{year:04}"),
        }
    }

    /// The inverse of [`Self::key`]; `None` for anything else.
    pub fn parse_key(raw: &str) -> Option<Self> {
        let (year, rest) = match raw.split_once('-') {
            Some((year, rest)) => (year, Some(rest)),
            None => (raw, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let (cycle, index) = match rest {
            None => (BillingCycle::Yearly, 1),
            Some(rest) if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()) => {
                (BillingCycle::Monthly, rest.parse().ok()?)
            }
            Some(rest) => {
                let (cycle, index) = match rest.split_at_checked(1)? {
                    ("Q", index) => (BillingCycle::Quarterly, index),
                    ("H", index) => (BillingCycle::HalfYearly, index),
                    _ => return None,
                };
                if index.len() != 1 {
                    return None;
                }
                (cycle, index.parse().ok()?)
            }
        };
        let per_year = 12 / cycle.months();
        if !(1..=per_year).contains(&index) {
            return None;
        }
        let start = NaiveDate::from_ymd_opt(year, (index - 1) * cycle.months() + 1, 1)?;
        Some(Self::starting(cycle, start))
    }

    /// The name on an invoice line: `marzec 2027`, `I kwartał 2027`, `II półrocze 2027`, `rok 2027`.
    pub fn label_pl(&self) -> String {
        let year = self.start.year();
        let index = (self.start.month0() / self.cycle.months()) as usize;
        match self.cycle {
            BillingCycle::Monthly => format!("{} {year}", MONTHS_PL[index]),
            BillingCycle::Quarterly => format!("{} kwartał {year}", ROMAN[index]),
            BillingCycle::HalfYearly => format!("{} półrocze {year}", ROMAN[index]),
            BillingCycle::Yearly => format!("rok {year}"),
        }
    }
}

/// Days from `from` to `until`, both inclusive (0 when `until` is before `from`).
pub(crate) fn days_between(from: NaiveDate, until: NaiveDate) -> u32 {
    u32::try_from((until - from).num_days() + 1).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(raw: &str) -> NaiveDate {
        raw.parse().unwrap()
    }

    #[test]
    fn periods_are_aligned_to_the_calendar() {
        let q1 = Period::containing(BillingCycle::Quarterly, date("2027-02-15"));
        assert_eq!((q1.start, q1.end, q1.days()), (date("2027-01-01"), date("2027-03-31"), 90));
        let h2 = Period::containing(BillingCycle::HalfYearly, date("2027-07-01"));
        assert_eq!((h2.start, h2.end, h2.days()), (date("2027-07-01"), date("2027-12-31"), 184));
        let month = Period::containing(BillingCycle::Monthly, date("2027-02-28"));
        assert_eq!((month.start, month.end, month.days()), (date("2027-02-01"), date("2027-02-28"), 28));
        assert_eq!(Period::containing(BillingCycle::Quarterly, date("2027-12-31")).next().key(), "2028-Q1");
    }

    #[test]
    fn leap_years_count_the_29th_of_february() {
        let leap = date("2028-02-29");
        assert_eq!(Period::containing(BillingCycle::Monthly, leap).days(), 29);
        assert_eq!(Period::containing(BillingCycle::Quarterly, leap).days(), 91);
        assert_eq!(Period::containing(BillingCycle::HalfYearly, leap).days(), 182);
        assert_eq!(Period::containing(BillingCycle::Yearly, leap).days(), 366);
        assert_eq!(Period::containing(BillingCycle::Yearly, date("2027-06-01")).days(), 365);
        assert_eq!(Period::containing(BillingCycle::Quarterly, date("2100-02-01")).days(), 90, "2100 is not leap");
    }

    #[test]
    fn keys_and_labels() {
        let cases = [
            (BillingCycle::Monthly, "2027-03", "marzec 2027"),
            (BillingCycle::Quarterly, "2027-Q1", "I kwartał 2027"),
            (BillingCycle::HalfYearly, "2027-H1", "I półrocze 2027"),
            (BillingCycle::Yearly, "2027", "rok 2027"),
        ];
        for (cycle, key, label) in cases {
            let period = Period::containing(cycle, date("2027-03-10"));
            assert_eq!(period.key(), key);
            assert_eq!(period.label_pl(), label);
            assert_eq!(Period::parse_key(key), Some(period));
        }
        assert_eq!(Period::containing(BillingCycle::Quarterly, date("2027-11-10")).label_pl(), "IV kwartał 2027");
        for bad in
            ["", "27", "2027-", "2027-13", "2027-00", "2027-3", "2027-Q5", "2027-Q0", "2027-H3", "2027-Q12", "x027"]
        {
            assert_eq!(Period::parse_key(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn consecutive_periods_tile_the_calendar(days in 0i64..60_000, cycle_index in 0usize..4) {
            let cycle = BillingCycle::ALL[cycle_index];
            let date = date("2000-01-01") + chrono::Duration::days(days);
            let period = Period::containing(cycle, date);
            prop_assert!(period.contains(date));
            prop_assert_eq!(period.start.day(), 1);
            prop_assert_eq!(period.next().start, period.end.succ_opt().unwrap());
            prop_assert_eq!(Period::parse_key(&period.key()), Some(period));
            let year = Period::containing(BillingCycle::Yearly, date);
            let mut part = Period::containing(cycle, year.start);
            let mut total = 0;
            while part.start <= year.end {
                total += part.days();
                part = part.next();
            }
            prop_assert_eq!(total, year.days());
        }
    }
}
