//! Long-term contracts (umowy długoterminowe) of a unit and their billing.
//!
//! A contract runs from `start` to its last day (`end` or the termination day, inclusive) and is
//! billed per calendar-aligned period of its cycle (month, quarter, half-year, year), in advance
//! or in arrears, at an amount per full period. Partial periods are pro-rated by calendar days
//! (default) or by months. Suspended days are not billed; an amendment changes the amount (and
//! VAT) from a day on; a change touching a period already billed yields a correction charge.
//! The contract keeps a dated history of every change with who made it.
//!
//! # Rounding: cumulative boundary rounding
//!
//! Within one period and for one amount per full period `R`, every day boundary (the midnight
//! before a day) has a position `f` in [0, 1]: by calendar days, the days before it ÷ the days
//! of the period; by months, (whole months before it + the days before it in its month ÷ that
//! month's days) ÷ the months of the period. The net for the active days between boundaries `a`
//! and `b` is
//!
//! ```text
//! round_half_up(R × f(b)) − round_half_up(R × f(a))      (to grosze)
//! ```
//!
//! rather than `round(R × (f(b) − f(a)))`. So a full period is exactly `R`; parts of a period
//! split at any day sum exactly to the whole; every part is within one grosz of the exact
//! pro-rata; and a correction (billed − recomputed) is an exact difference of such amounts.
//! Where the grosz goes: the rounding happens at the boundary, not in the part, so a fraction
//! of a grosz always falls to the same side of a given day however the period is cut. Active
//! days before a boundary get `round(R × f)`; the days after it get the rest. An amendment
//! splits a period into stretches, each with its own `R`; suspensions cut stretches out.
//!
//! The domain decides amounts and dates; the store keeps charges and per-period totals
//! ([`BilledPeriod`]) and writes each charge once under its [`ContractCharge::charge_key`].

mod billing;
mod period;
mod pro_rata;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{bounded_text, FieldError, ValidationErrors};
use crate::history::UserRef;
use crate::ids::{ContractId, UnitId};
use crate::training::{parse_net, Price, VatTreatment};
use crate::values::ValueError;

pub use billing::{
    charges_due, next_due_date, period_lines, BilledPeriod, BilledVat, BillingTiming, ChargeKind, ContractCharge,
    PeriodLine,
};
pub use period::{BillingCycle, Period};
pub use pro_rata::{pro_rata_amount, Fraction, ProRata};

pub const SUBJECT_MAX: usize = 300;
/// Dates outside this range are typos (and keep period arithmetic far from the calendar's end).
const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2199, 12, 31).expect("valid date");

/// The amount per full period and its VAT, in force from a day on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Terms {
    pub effective_from: NaiveDate,
    pub price: Price,
}

/// Days not billed: from `from` to `until` inclusive, or open while `until` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suspension {
    pub from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl Suspension {
    fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.until.is_none_or(|until| day <= until)
    }
}

/// What changed, with the dates the change takes effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContractChangeKind {
    Created,
    Suspended {
        from: NaiveDate,
    },
    /// Billing restarts on `on`.
    Resumed {
        on: NaiveDate,
    },
    Amended {
        #[serde(rename = "effectiveFrom")]
        effective_from: NaiveDate,
        price: Price,
    },
    Terminated {
        #[serde(rename = "lastDay")]
        last_day: NaiveDate,
    },
}

/// One entry of a contract's history: what, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractChange {
    pub at: DateTime<Utc>,
    pub by: UserRef,
    pub change: ContractChangeKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub id: ContractId,
    pub unit_id: UnitId,
    pub subject: String,
    pub start: NaiveDate,
    /// The agreed last day (inclusive); `None` for an open-ended contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    pub cycle: BillingCycle,
    pub timing: BillingTiming,
    #[serde(default)]
    pub pro_rata: ProRata,
    /// Sorted by `effective_from`; the first takes effect on `start`.
    pub terms: Vec<Terms>,
    /// Sorted and disjoint; only the last may be open.
    #[serde(default)]
    pub suspensions: Vec<Suspension>,
    /// The last billed day after an early termination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated_on: Option<NaiveDate>,
    #[serde(default)]
    pub history: Vec<ContractChange>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why a change of a contract is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractRuleError {
    #[error("{field} is before the contract starts on {start}")]
    BeforeStart { field: &'static str, start: NaiveDate },
    #[error("{field} is after the contract's last day {last_day}")]
    AfterLastDay { field: &'static str, last_day: NaiveDate },
    #[error("{field} is outside the supported years 2000–2199")]
    DateOutOfRange { field: &'static str },
    #[error("the contract is already suspended since {since}")]
    AlreadySuspended { since: NaiveDate },
    #[error("the previous suspension lasts until {until}")]
    SuspensionOverlaps { until: NaiveDate },
    #[error("the contract is not suspended")]
    NotSuspended,
    #[error("the suspension starts on {from}; billing can restart only after that day")]
    ResumeTooEarly { from: NaiveDate },
    #[error("an amendment already takes effect on {latest}")]
    AmendmentBeforeLatest { latest: NaiveDate },
    #[error("the amount must be at least 0 and in full grosze")]
    InvalidAmount,
    #[error("the contract is already terminated with the last day {last_day}")]
    AlreadyTerminated { last_day: NaiveDate },
}

impl ContractRuleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::BeforeStart { .. } => "before_contract_start",
            Self::AfterLastDay { .. } => "after_contract_end",
            Self::DateOutOfRange { .. } => "date_out_of_range",
            Self::AlreadySuspended { .. } => "already_suspended",
            Self::SuspensionOverlaps { .. } => "suspension_overlaps",
            Self::NotSuspended => "not_suspended",
            Self::ResumeTooEarly { .. } => "resume_too_early",
            Self::AmendmentBeforeLatest { .. } => "amendment_before_latest",
            Self::InvalidAmount => "invalid_amount",
            Self::AlreadyTerminated { .. } => "already_terminated",
        }
    }

    pub fn field_error(&self) -> FieldError {
        let (field, pl, en) = match self {
            Self::BeforeStart { field, start } => (
                *field,
                format!("Data jest wcześniejsza niż początek umowy ({start})."),
                format!("The date is before the contract starts ({start})."),
            ),
            Self::AfterLastDay { field, last_day } => (
                *field,
                format!("Data jest późniejsza niż ostatni dzień umowy ({last_day})."),
                format!("The date is after the contract's last day ({last_day})."),
            ),
            Self::DateOutOfRange { field } => (
                *field,
                "Data musi przypadać w latach 2000–2199.".into(),
                "The date must fall within the years 2000–2199.".into(),
            ),
            Self::AlreadySuspended { since } => (
                "from",
                format!("Umowa jest już zawieszona od {since}; najpierw ją wznów."),
                format!("The contract is already suspended since {since}; resume it first."),
            ),
            Self::SuspensionOverlaps { until } => (
                "from",
                format!("Poprzednie zawieszenie trwa do {until}; nowe może zacząć się dopiero później."),
                format!("The previous suspension lasts until {until}; a new one must start after it."),
            ),
            Self::NotSuspended => ("on", "Umowa nie jest zawieszona.".into(), "The contract is not suspended.".into()),
            Self::ResumeTooEarly { from } => (
                "on",
                format!("Zawieszenie zaczyna się {from}; wznowić można najwcześniej następnego dnia."),
                format!("The suspension starts on {from}; the contract can resume the day after at the earliest."),
            ),
            Self::AmendmentBeforeLatest { latest } => (
                "effectiveFrom",
                format!("Aneks obowiązuje już od {latest}; nowy może obowiązywać od tego dnia lub później."),
                format!("An amendment already takes effect on {latest}; a new one must take effect then or later."),
            ),
            Self::InvalidAmount => (
                "priceNet",
                "Kwota musi być nieujemna i w pełnych groszach.".into(),
                "The amount must not be negative and must be in full grosze.".into(),
            ),
            Self::AlreadyTerminated { last_day } => (
                "lastDay",
                format!("Umowa jest już rozwiązana z ostatnim dniem {last_day}."),
                format!("The contract is already terminated with the last day {last_day}."),
            ),
        };
        FieldError::new(field, self.code(), pl, en)
    }
}

impl From<ContractRuleError> for FieldError {
    fn from(error: ContractRuleError) -> Self {
        error.field_error()
    }
}

impl From<ContractRuleError> for ValidationErrors {
    fn from(error: ContractRuleError) -> Self {
        error.field_error().into()
    }
}

impl Contract {
    /// The last billed day: the termination day, else the agreed end, else none (open-ended).
    pub fn last_day(&self) -> Option<NaiveDate> {
        match (self.terminated_on, self.end) {
            (Some(terminated), Some(end)) => Some(terminated.min(end)),
            (terminated, end) => terminated.or(end),
        }
    }

    /// The terms in force on `day` (the first terms before the start; `None` only for a record
    /// without terms, which [`ContractInput::parse`] never creates).
    pub fn terms_on(&self, day: NaiveDate) -> Option<&Terms> {
        self.terms.iter().rev().find(|terms| terms.effective_from <= day).or(self.terms.first())
    }

    /// The open suspension, if the contract is suspended until further notice.
    pub fn open_suspension(&self) -> Option<&Suspension> {
        self.suspensions.last().filter(|suspension| suspension.until.is_none())
    }

    pub fn is_suspended_on(&self, day: NaiveDate) -> bool {
        self.suspensions.iter().any(|suspension| suspension.covers(day))
    }

    /// Stops billing from `from` on (inclusive) until [`Self::resume`].
    pub fn suspend(&self, from: NaiveDate, by: &UserRef, now: DateTime<Utc>) -> Result<Contract, ContractRuleError> {
        self.check_within("from", from)?;
        if let Some(open) = self.open_suspension() {
            return Err(ContractRuleError::AlreadySuspended { since: open.from });
        }
        if let Some(until) = self.suspensions.last().and_then(|last| last.until).filter(|until| from <= *until) {
            return Err(ContractRuleError::SuspensionOverlaps { until });
        }
        let mut next = self.clone();
        next.suspensions.push(Suspension { from, until: None });
        Ok(next.record(ContractChangeKind::Suspended { from }, by, now))
    }

    /// Restarts billing on `on` (the first billed day again).
    pub fn resume(&self, on: NaiveDate, by: &UserRef, now: DateTime<Utc>) -> Result<Contract, ContractRuleError> {
        let open = self.open_suspension().ok_or(ContractRuleError::NotSuspended)?;
        self.check_within("on", on)?;
        if on <= open.from {
            return Err(ContractRuleError::ResumeTooEarly { from: open.from });
        }
        let mut next = self.clone();
        let last = next.suspensions.last_mut().expect("an open suspension exists");
        last.until = on.pred_opt();
        Ok(next.record(ContractChangeKind::Resumed { on }, by, now))
    }

    /// New amount and VAT for the days from `effective_from` on. An amendment on the same day as
    /// the latest one replaces it (a corrected typo); an earlier one is refused, since later
    /// terms were agreed on top of it.
    pub fn amend(
        &self,
        effective_from: NaiveDate,
        price: Price,
        by: &UserRef,
        now: DateTime<Utc>,
    ) -> Result<Contract, ContractRuleError> {
        self.check_within("effectiveFrom", effective_from)?;
        if price.net.is_sign_negative() || price.net.normalize().scale() > 2 {
            return Err(ContractRuleError::InvalidAmount);
        }
        let latest = self.terms.last().map_or(self.start, |terms| terms.effective_from);
        if effective_from < latest {
            return Err(ContractRuleError::AmendmentBeforeLatest { latest });
        }
        let mut next = self.clone();
        if effective_from == latest {
            next.terms.pop();
        }
        next.terms.push(Terms { effective_from, price: price.clone() });
        Ok(next.record(ContractChangeKind::Amended { effective_from, price }, by, now))
    }

    /// Ends the contract early; `last_day` is the last billed day.
    pub fn terminate(
        &self,
        last_day: NaiveDate,
        by: &UserRef,
        now: DateTime<Utc>,
    ) -> Result<Contract, ContractRuleError> {
        if let Some(terminated) = self.terminated_on {
            return Err(ContractRuleError::AlreadyTerminated { last_day: terminated });
        }
        self.check_within("lastDay", last_day)?;
        let mut next = self.clone();
        next.terminated_on = Some(last_day);
        Ok(next.record(ContractChangeKind::Terminated { last_day }, by, now))
    }

    /// A change must take effect while the contract runs.
    fn check_within(&self, field: &'static str, day: NaiveDate) -> Result<(), ContractRuleError> {
        if !(EARLIEST_DATE..=LATEST_DATE).contains(&day) {
            return Err(ContractRuleError::DateOutOfRange { field });
        }
        if day < self.start {
            return Err(ContractRuleError::BeforeStart { field, start: self.start });
        }
        match self.last_day() {
            Some(last_day) if day > last_day => Err(ContractRuleError::AfterLastDay { field, last_day }),
            _ => Ok(()),
        }
    }

    fn record(mut self, change: ContractChangeKind, by: &UserRef, now: DateTime<Utc>) -> Contract {
        self.history.push(ContractChange { at: now, by: by.clone(), change });
        self.version += 1;
        self.updated_at = now;
        self
    }
}

/// A new contract as posted by staff.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractInput {
    pub unit_id: Option<String>,
    pub subject: Option<String>,
    /// `YYYY-MM-DD`, the first billed day.
    pub start: Option<String>,
    /// `YYYY-MM-DD`, the last day (inclusive); absent or blank = open-ended.
    pub end: Option<String>,
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub cycle: Option<String>,
    /// `advance` (due on the period's first day) or `arrears` (due the day after it ends).
    pub timing: Option<String>,
    /// `calendar_days` (default) or `months`.
    pub pro_rata: Option<String>,
    /// Net PLN per full period, e.g. `"3 000,00"`.
    pub price_net: Option<String>,
    /// `23`, `8`, `5`, `0` or `zw`.
    pub vat: Option<String>,
    /// Legal basis of the exemption; blank = art. 43 ust. 1 pkt 29 lit. c.
    pub vat_exempt_basis: Option<String>,
}

impl ContractInput {
    /// Validates every field (reporting all errors at once) and creates the contract.
    pub fn parse(self, by: &UserRef, now: DateTime<Utc>) -> Result<Contract, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let unit_id = errors.required("unitId", self.unit_id.as_deref(), UnitId::parse);
        let subject = errors.required("subject", self.subject.as_deref(), |raw| bounded_text(raw, SUBJECT_MAX));
        let start = errors.required("start", self.start.as_deref(), parse_date);
        let end = errors.optional("end", self.end.as_deref(), parse_date);
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                errors.push(FieldError::new(
                    "end",
                    "end_before_start",
                    "Ostatni dzień umowy nie może być wcześniejszy niż pierwszy.",
                    "The contract's last day cannot be before its first.",
                ));
            }
        }
        let cycle = required_choice(&mut errors, "cycle", self.cycle.as_deref(), BillingCycle::parse);
        let timing = required_choice(&mut errors, "timing", self.timing.as_deref(), BillingTiming::parse);
        let pro_rata = match self.pro_rata.as_deref().map(str::trim) {
            None | Some("") => Some(ProRata::default()),
            Some(raw) => ProRata::parse(raw).map_err(|error| errors.push(error)).ok(),
        };
        let net = required_choice(&mut errors, "priceNet", self.price_net.as_deref(), parse_net);
        let vat = required_choice(&mut errors, "vat", self.vat.as_deref(), |raw| {
            VatTreatment::parse(raw, self.vat_exempt_basis.as_deref())
        });
        match (unit_id, subject, start, cycle, timing, pro_rata, net, vat) {
            (
                Some(unit_id),
                Some(subject),
                Some(start),
                Some(cycle),
                Some(timing),
                Some(pro_rata),
                Some(net),
                Some(vat),
            ) if errors.is_empty() => Ok(Contract {
                id: ContractId::generate(),
                unit_id,
                subject,
                start,
                end,
                cycle,
                timing,
                pro_rata,
                terms: vec![Terms { effective_from: start, price: Price { net, vat } }],
                suspensions: Vec::new(),
                terminated_on: None,
                history: vec![ContractChange { at: now, by: by.clone(), change: ContractChangeKind::Created }],
                version: 1,
                created_at: now,
                updated_at: now,
            }),
            _ => Err(errors),
        }
    }
}

/// One change of a contract as posted by staff; which date field applies depends on `kind`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractChangeInput {
    /// `suspend`, `resume`, `amend` or `terminate`.
    pub kind: Option<String>,
    /// suspend: the first suspended day.
    pub from: Option<String>,
    /// resume: the first billed day again.
    pub on: Option<String>,
    /// amend: the first day of the new terms.
    pub effective_from: Option<String>,
    /// terminate: the last billed day.
    pub last_day: Option<String>,
    /// amend: the new net per full period; absent = unchanged.
    pub price_net: Option<String>,
    /// amend: the new VAT (`23`, `8`, `5`, `0`, `zw`); absent = unchanged.
    pub vat: Option<String>,
    pub vat_exempt_basis: Option<String>,
    /// The version the change was made on (optimistic locking; compared by the store).
    pub version: Option<u64>,
}

impl ContractChangeInput {
    /// Validates the input and applies the change to `contract`.
    pub fn apply(self, contract: &Contract, by: &UserRef, now: DateTime<Utc>) -> Result<Contract, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.version.is_none() {
            errors.push(FieldError::required("version"));
        }
        let kind = self.kind.as_deref().map(str::trim).unwrap_or_default();
        let date_field = match kind {
            "suspend" => "from",
            "resume" => "on",
            "amend" => "effectiveFrom",
            "terminate" => "lastDay",
            "" => {
                errors.push(FieldError::required("kind"));
                return Err(errors);
            }
            _ => {
                errors.push(FieldError::new(
                    "kind",
                    "unknown_contract_change",
                    "Rodzaj zmiany musi być jednym z: suspend (zawieszenie), resume (wznowienie), amend (aneks), terminate (rozwiązanie).",
                    "The kind of change must be one of: suspend, resume, amend, terminate.",
                ));
                return Err(errors);
            }
        };
        let amend = kind == "amend";
        let fields = [
            ("from", self.from.as_deref()),
            ("on", self.on.as_deref()),
            ("effectiveFrom", self.effective_from.as_deref()),
            ("lastDay", self.last_day.as_deref()),
            ("priceNet", self.price_net.as_deref().filter(|_| !amend)),
            ("vat", self.vat.as_deref().filter(|_| !amend)),
            ("vatExemptBasis", self.vat_exempt_basis.as_deref().filter(|_| !amend)),
        ];
        let mut date = None;
        for (field, raw) in fields {
            if field == date_field {
                date = errors.required(field, raw, parse_date);
            } else if raw.is_some() {
                errors.push(FieldError::new(
                    field,
                    "not_applicable",
                    "To pole nie dotyczy tego rodzaju zmiany.",
                    "This field does not apply to this kind of change.",
                ));
            }
        }
        let price = if amend { self.amended_price(contract, date, &mut errors) } else { None };
        let Some(date) = date.filter(|_| errors.is_empty()) else { return Err(errors) };
        let changed = match (kind, price) {
            ("suspend", _) => contract.suspend(date, by, now),
            ("resume", _) => contract.resume(date, by, now),
            ("amend", Some(price)) => contract.amend(date, price, by, now),
            ("terminate", _) => contract.terminate(date, by, now),
            // An amendment without a price has already reported why.
            _ => return Err(errors),
        };
        changed.map_err(ValidationErrors::from)
    }

    /// The new price: the given net and VAT, each defaulting to the terms in force that day.
    fn amended_price(
        &self,
        contract: &Contract,
        date: Option<NaiveDate>,
        errors: &mut ValidationErrors,
    ) -> Option<Price> {
        let blank = |raw: &Option<String>| raw.as_deref().is_none_or(|raw| raw.trim().is_empty());
        if blank(&self.price_net) && blank(&self.vat) && self.vat_exempt_basis.is_none() {
            errors.push(FieldError::required("priceNet"));
            return None;
        }
        let current =
            contract.terms_on(date.unwrap_or(contract.start)).map_or_else(Price::free, |terms| terms.price.clone());
        let net = match self.price_net.as_deref().filter(|raw| !raw.trim().is_empty()) {
            Some(raw) => parse_net(raw).map_err(|error| errors.push(error)).ok()?,
            None => current.net,
        };
        let vat = match (self.vat.as_deref().filter(|raw| !raw.trim().is_empty()), &self.vat_exempt_basis) {
            (Some(raw), basis) => {
                VatTreatment::parse(raw, basis.as_deref()).map_err(|error| errors.push(error)).ok()?
            }
            // A new basis alone re-applies the exemption it belongs to.
            (None, Some(basis)) => VatTreatment::parse("zw", Some(basis)).map_err(|error| errors.push(error)).ok()?,
            (None, None) => current.vat,
        };
        Some(Price { net, vat })
    }
}

fn parse_date(raw: &str) -> Result<NaiveDate, ValueError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .filter(|date| (EARLIEST_DATE..=LATEST_DATE).contains(date))
        .ok_or(ValueError::InvalidDate)
}

fn required_choice<T>(
    errors: &mut ValidationErrors,
    field: &str,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<T> {
    match raw.map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::required(field));
            None
        }
        Some(raw) => parse(raw).map_err(|error| errors.push(error)).ok(),
    }
}
