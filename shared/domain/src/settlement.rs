//! Settlements (rozliczenia): what a unit owes for completed trainings and contract periods,
//! handed to the accounting system, which issues the invoice.
//!
//! A settlement is a document. It is drafted from the lines due (see [`plan_settlements`], the
//! preview the store then writes), issued with a gapless number and a copy of the buyer's data,
//! exported to accounting, and from then on immutable: only the invoice number and the payment
//! status coming back from accounting are recorded. A mistake is put right by a correction, a
//! new document (series `KOR`) that refers to the original and carries the differences.
//! Every line is settled at most once, ever: the store writes a sentinel per
//! [`SettlementLine::line_key`] in the transaction that writes the settlement.
//!
//! The rules are written down in `docs/SETTLEMENTS.md`.

mod line;
mod number;
mod plan;
mod receivables;
mod totals;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{bounded_text, FieldError};
use crate::ids::{ExportBatchId, SettlementId, UnitId};
use crate::training::VatTreatment;
use crate::unit::Unit;

pub use crate::training::SettlementRules;
pub use line::{
    format_dates_pl, ChargeReason, ContractLineInput, LineCandidate, LineSource, Omission, SettlementLine,
    DESCRIPTION_MAX,
};
pub use number::{Series, SettlementNumber};
pub use plan::{exclude_settled, plan_settlements, select, Selection, SettlementDraft};
pub use receivables::{unit_receivables, Receivables};
pub use totals::{LineAmounts, Totals, VatTotal};

pub const REASON_MAX: usize = 500;
pub const INVOICE_NUMBER_MAX: usize = 100;
/// Longest payment term accepted (days from the issue date).
pub const PAYMENT_TERM_MAX_DAYS: u32 = 365;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettlementStatus {
    /// Being prepared; lines may still change; no number.
    Draft,
    /// Numbered and dated, buyer data copied; not yet handed over.
    Issued,
    /// Handed to accounting in an export batch: immutable from here on.
    Exported,
    /// Accounting issued the invoice and told us its number.
    Invoiced,
}

impl SettlementStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Issued => "issued",
            Self::Exported => "exported",
            Self::Invoiced => "invoiced",
        }
    }

    pub fn label_pl(self) -> &'static str {
        match self {
            Self::Draft => "szkic",
            Self::Issued => "wystawione",
            Self::Exported => "przekazane do księgowości",
            Self::Invoiced => "zafakturowane",
        }
    }

    /// Handed over to accounting: the document no longer changes.
    pub fn is_handed_over(self) -> bool {
        matches!(self, Self::Exported | Self::Invoiced)
    }
}

impl std::fmt::Display for SettlementStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SettlementKind {
    /// A charge (series ROZ).
    Regular,
    /// A correction (series KOR) of an issued settlement: its lines are the differences,
    /// negative for a credit.
    Correction {
        of: SettlementId,
        #[serde(rename = "ofNumber")]
        #[schema(value_type = String, example = "ROZ/000123/2027")]
        of_number: SettlementNumber,
        reason: String,
    },
}

impl SettlementKind {
    pub fn series(&self) -> Series {
        match self {
            Self::Regular => Series::Roz,
            Self::Correction { .. } => Series::Kor,
        }
    }
}

/// The buyer's data as of the issue date, copied from the unit: later edits of the unit do not
/// change an issued document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BuyerSnapshot {
    pub unit_id: UnitId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regon: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

impl BuyerSnapshot {
    pub fn of(unit: &Unit) -> Self {
        Self {
            unit_id: unit.id,
            name: unit.name.clone(),
            nip: unit.nip.as_ref().map(|nip| nip.as_str().to_owned()),
            regon: unit.regon.as_ref().map(|regon| regon.as_str().to_owned()),
            street: unit.address.street.clone(),
            postal_code: unit.address.postal_code.as_ref().map(|code| code.as_str().to_owned()),
            city: unit.address.city.clone(),
        }
    }
}

/// The latest payment report from accounting: the cumulative amount paid as of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentReport {
    #[schema(value_type = String, example = "450.00")]
    pub paid_total: Decimal,
    pub as_of: NaiveDate,
}

impl PaymentReport {
    /// Reports are ordered by day, then by amount: of two reports of the same day the larger
    /// cumulative amount wins, so the outcome never depends on the order reports arrive in.
    fn rank(&self) -> (NaiveDate, Decimal) {
        (self.as_of, self.paid_total)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Unpaid,
    PartlyPaid,
    Paid,
    Overpaid,
}

impl PaymentStatus {
    pub fn label_pl(self) -> &'static str {
        match self {
            Self::Unpaid => "nieopłacone",
            Self::PartlyPaid => "opłacone częściowo",
            Self::Paid => "opłacone",
            Self::Overpaid => "nadpłata",
        }
    }
}

/// What applying a payment report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentOutcome {
    /// The report is newer than the one recorded and now is the state.
    Applied,
    /// The same report was already recorded.
    Unchanged,
    /// An older report than the one recorded: ignored.
    Stale,
}

/// One requested change of an issued settlement, by the original line's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CorrectionChange {
    /// Credit the line in full (e.g. charged in error).
    Cancel {
        #[serde(rename = "lineKey")]
        line_key: String,
    },
    /// The line's net becomes `net` (a credit when lower, an additional charge when higher),
    /// and its VAT treatment `vat` when given.
    Amend {
        #[serde(rename = "lineKey")]
        line_key: String,
        #[schema(value_type = String, example = "400.00")]
        net: Decimal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vat: Option<VatTreatment>,
    },
}

impl CorrectionChange {
    pub fn line_key(&self) -> &str {
        match self {
            Self::Cancel { line_key } | Self::Amend { line_key, .. } => line_key,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settlement {
    pub id: SettlementId,
    pub kind: SettlementKind,
    pub unit_id: UnitId,
    pub status: SettlementStatus,
    /// Sorted by service date, training (or contract) and person.
    pub lines: Vec<SettlementLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "ROZ/000123/2027")]
    pub number: Option<SettlementNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<BuyerSnapshot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_batch_id: Option<ExportBatchId>,
    /// The invoice number given by the accounting system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentReport>,
    /// Issued corrections of this document.
    #[serde(default)]
    pub corrected_by: Vec<SettlementId>,
    pub created_at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettlementError {
    #[error("a settlement needs at least one line")]
    NoLines,
    #[error("line {0} has a zero amount")]
    ZeroLine(String),
    #[error("line {0} appears twice")]
    DuplicateLine(String),
    #[error("line {0} belongs to another unit")]
    OtherUnit(String),
    #[error("the settlement is {0} and handed over to accounting; only a correction can change it")]
    HandedOver(SettlementStatus),
    #[error("the settlement is {0}, not a draft")]
    NotDraft(SettlementStatus),
    #[error("the settlement is {0}, not issued")]
    NotIssued(SettlementStatus),
    #[error("the settlement is {0}, not exported")]
    NotExported(SettlementStatus),
    #[error("the number {got} is not of series {expected}")]
    WrongSeries { expected: Series, got: SettlementNumber },
    #[error("the number {number} is of another year than the issue date {issue_date}")]
    WrongYear { number: SettlementNumber, issue_date: NaiveDate },
    #[error("the buyer is another unit")]
    OtherBuyer,
    #[error("a payment term of {0} days is too long")]
    PaymentTermTooLong(u32),
    #[error("already exported in another batch")]
    ExportedElsewhere(ExportBatchId),
    #[error("invalid invoice number")]
    InvalidInvoiceNumber(FieldError),
    #[error("the invoice number is already {0}")]
    InvoiceNumberConflict(String),
    #[error("invalid amount")]
    InvalidAmount,
    #[error("invalid reason")]
    InvalidReason(FieldError),
    #[error("only an issued regular settlement can be corrected")]
    NotCorrectable,
    #[error("the original has no line {0}")]
    UnknownLine(String),
    #[error("the correction changes nothing")]
    NothingToCorrect,
    #[error("this is not a correction of the settlement")]
    NotACorrectionOf,
}

impl SettlementError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoLines => "no_lines",
            Self::ZeroLine(_) => "zero_line",
            Self::DuplicateLine(_) => "duplicate_line",
            Self::OtherUnit(_) => "line_of_other_unit",
            Self::HandedOver(_) => "settlement_handed_over",
            Self::NotDraft(_) => "settlement_not_draft",
            Self::NotIssued(_) => "settlement_not_issued",
            Self::NotExported(_) => "settlement_not_exported",
            Self::WrongSeries { .. } => "wrong_series",
            Self::WrongYear { .. } => "wrong_year",
            Self::OtherBuyer => "other_buyer",
            Self::PaymentTermTooLong(_) => "payment_term_too_long",
            Self::ExportedElsewhere(_) => "exported_elsewhere",
            Self::InvalidInvoiceNumber(_) => "invalid_invoice_number",
            Self::InvoiceNumberConflict(_) => "invoice_number_conflict",
            Self::InvalidAmount => "invalid_amount",
            Self::InvalidReason(_) => "invalid_reason",
            Self::NotCorrectable => "not_correctable",
            Self::UnknownLine(_) => "unknown_line",
            Self::NothingToCorrect => "nothing_to_correct",
            Self::NotACorrectionOf => "not_a_correction_of",
        }
    }

    pub fn field_error(&self) -> FieldError {
        let (field, pl, en): (&str, String, String) = match self {
            Self::InvalidInvoiceNumber(error) | Self::InvalidReason(error) => {
                return FieldError::new(error.field.clone(), self.code(), error.pl.clone(), error.en.clone())
            }
            Self::NoLines => (
                "lines",
                "Rozliczenie musi mieć co najmniej jedną pozycję.".into(),
                "A settlement needs at least one line.".into(),
            ),
            Self::ZeroLine(key) => (
                "lines",
                format!("Pozycja {key} ma kwotę zero; rozliczenie nie zawiera pozycji zerowych."),
                format!("Line {key} has a zero amount; a settlement carries no zero lines."),
            ),
            Self::DuplicateLine(key) => {
                ("lines", format!("Pozycja {key} występuje dwukrotnie."), format!("Line {key} appears twice."))
            }
            Self::OtherUnit(key) => (
                "lines",
                format!("Pozycja {key} dotyczy innej jednostki."),
                format!("Line {key} belongs to another unit."),
            ),
            Self::HandedOver(status) => (
                "status",
                format!("Rozliczenie jest już {} i nie może się zmienić; wystaw korektę.", status.label_pl()),
                format!(
                    "The settlement is {status} (handed over to accounting) and cannot change; issue a correction."
                ),
            ),
            Self::NotDraft(status) => (
                "status",
                format!("Rozliczenie jest już {}; zmieniać można tylko szkic.", status.label_pl()),
                format!("The settlement is {status}; only a draft can change."),
            ),
            Self::NotIssued(status) => (
                "status",
                format!("Rozliczenie jest {}; najpierw je wystaw.", status.label_pl()),
                format!("The settlement is {status}; issue it first."),
            ),
            Self::NotExported(status) => (
                "status",
                format!("Rozliczenie jest {}; nie zostało przekazane do księgowości.", status.label_pl()),
                format!("The settlement is {status}; it was not handed over to accounting."),
            ),
            Self::WrongSeries { expected, got } => (
                "number",
                format!("Numer {got} nie należy do serii {expected}."),
                format!("Number {got} is not of series {expected}."),
            ),
            Self::WrongYear { number, issue_date } => (
                "number",
                format!("Numer {number} jest z innego roku niż data wystawienia {issue_date}."),
                format!("Number {number} is of another year than the issue date {issue_date}."),
            ),
            Self::OtherBuyer => (
                "buyer",
                "Nabywca to inna jednostka niż ta, której dotyczy rozliczenie.".into(),
                "The buyer is not the unit the settlement is for.".into(),
            ),
            Self::PaymentTermTooLong(days) => (
                "paymentTermDays",
                format!("Termin płatności {days} dni jest za długi (najwyżej {PAYMENT_TERM_MAX_DAYS})."),
                format!("A payment term of {days} days is too long (at most {PAYMENT_TERM_MAX_DAYS})."),
            ),
            Self::ExportedElsewhere(batch) => (
                "exportBatchId",
                format!("Rozliczenie zostało już przekazane w innej paczce ({batch})."),
                format!("The settlement was already handed over in another batch ({batch})."),
            ),
            Self::InvoiceNumberConflict(existing) => (
                "invoiceNumber",
                format!("Rozliczenie ma już fakturę nr {existing}."),
                format!("The settlement already has invoice number {existing}."),
            ),
            Self::InvalidAmount => (
                "amount",
                "Nieprawidłowa kwota: najwyżej 2 miejsca po przecinku; nowa kwota pozycji nie może być ujemna.".into(),
                "Invalid amount: at most 2 decimal places; a line's new amount cannot be negative.".into(),
            ),
            Self::NotCorrectable => (
                "of",
                "Korygować można tylko wystawione rozliczenie (nie szkic i nie korektę).".into(),
                "Only an issued settlement can be corrected (not a draft, not a correction).".into(),
            ),
            Self::UnknownLine(key) => (
                "lines",
                format!("Korygowane rozliczenie nie ma pozycji {key}."),
                format!("The corrected settlement has no line {key}."),
            ),
            Self::NothingToCorrect => {
                ("lines", "Korekta niczego nie zmienia.".into(), "The correction changes nothing.".into())
            }
            Self::NotACorrectionOf => (
                "correctionId",
                "To nie jest korekta tego rozliczenia.".into(),
                "This is not a correction of this settlement.".into(),
            ),
        };
        FieldError::new(field, self.code(), pl, en)
    }
}

/// Checks lines for a document: at least one, none zero, no key twice; sorts them.
fn checked_lines(mut lines: Vec<SettlementLine>) -> Result<Vec<SettlementLine>, SettlementError> {
    if lines.is_empty() {
        return Err(SettlementError::NoLines);
    }
    let mut keys = std::collections::BTreeSet::new();
    for line in &lines {
        if line.net.is_zero() {
            return Err(SettlementError::ZeroLine(line.line_key()));
        }
        if line.net.normalize().scale() > 2 {
            return Err(SettlementError::InvalidAmount);
        }
        // On a correction a key may appear once per VAT treatment (a change of VAT).
        if !keys.insert((line.line_key(), line.vat.code(), format!("{:?}", line.vat))) {
            return Err(SettlementError::DuplicateLine(line.line_key()));
        }
    }
    lines.sort_by_key(SettlementLine::sort_key);
    Ok(lines)
}

impl Settlement {
    /// A regular settlement of `unit_id` in draft. `lines` must belong to that unit: pass the
    /// candidates (see [`plan_settlements`] and [`SettlementDraft::into_settlement`]).
    pub fn draft(
        unit_id: UnitId,
        candidates: Vec<LineCandidate>,
        now: DateTime<Utc>,
    ) -> Result<Settlement, SettlementError> {
        if let Some(other) = candidates.iter().find(|c| c.unit_id != unit_id) {
            return Err(SettlementError::OtherUnit(other.line.line_key()));
        }
        // A regular settlement's lines correct nothing.
        let lines =
            checked_lines(candidates.into_iter().map(|c| SettlementLine { corrects: None, ..c.line }).collect())?;
        Ok(Settlement {
            id: SettlementId::generate(),
            kind: SettlementKind::Regular,
            unit_id,
            status: SettlementStatus::Draft,
            lines,
            number: None,
            buyer: None,
            issue_date: None,
            due_date: None,
            export_batch_id: None,
            invoice_number: None,
            payment: None,
            corrected_by: Vec::new(),
            created_at: now,
            version: 1,
        })
    }

    pub fn totals(&self) -> Totals {
        Totals::of(&self.lines)
    }

    pub fn is_correction(&self) -> bool {
        matches!(self.kind, SettlementKind::Correction { .. })
    }

    /// The keys the store marks as settled when it writes this document: every enrolment line
    /// of a regular settlement. None for a contract charge's line: the charge itself is created
    /// only if absent in the transaction that writes its settlement, which already makes it
    /// settled once. None for a correction (it changes lines already settled).
    pub fn sentinel_keys(&self) -> Vec<String> {
        match self.kind {
            SettlementKind::Regular => self
                .lines
                .iter()
                .filter(|line| matches!(line.source, LineSource::Enrolment { .. }))
                .map(SettlementLine::line_key)
                .collect(),
            SettlementKind::Correction { .. } => Vec::new(),
        }
    }

    fn refuse_if_handed_over(&self) -> Result<(), SettlementError> {
        if self.status.is_handed_over() {
            Err(SettlementError::HandedOver(self.status))
        } else {
            Ok(())
        }
    }

    fn bumped(&self) -> Settlement {
        let mut next = self.clone();
        next.version += 1;
        next
    }

    /// Replaces the lines of a draft (e.g. after staff removed one from the preview).
    pub fn replace_lines(&self, candidates: Vec<LineCandidate>) -> Result<Settlement, SettlementError> {
        self.refuse_if_handed_over()?;
        if self.status != SettlementStatus::Draft {
            return Err(SettlementError::NotDraft(self.status));
        }
        if self.is_correction() {
            return Err(SettlementError::NotCorrectable);
        }
        let fresh = Settlement::draft(self.unit_id, candidates, self.created_at)?;
        let mut next = self.bumped();
        next.lines = fresh.lines;
        Ok(next)
    }

    /// Issues the draft: `number` comes from the store's counter for the series of this kind and
    /// the year of `issue_date`; the buyer's data is copied now; the due date is the issue
    /// date plus `payment_term_days`.
    pub fn issue(
        &self,
        number: SettlementNumber,
        buyer: BuyerSnapshot,
        issue_date: NaiveDate,
        payment_term_days: u32,
    ) -> Result<Settlement, SettlementError> {
        self.refuse_if_handed_over()?;
        if self.status != SettlementStatus::Draft {
            return Err(SettlementError::NotDraft(self.status));
        }
        let expected = self.kind.series();
        if number.series != expected {
            return Err(SettlementError::WrongSeries { expected, got: number });
        }
        if number.year != issue_date.year() {
            return Err(SettlementError::WrongYear { number, issue_date });
        }
        if buyer.unit_id != self.unit_id {
            return Err(SettlementError::OtherBuyer);
        }
        if payment_term_days > PAYMENT_TERM_MAX_DAYS {
            return Err(SettlementError::PaymentTermTooLong(payment_term_days));
        }
        let mut next = self.bumped();
        next.status = SettlementStatus::Issued;
        next.number = Some(number);
        next.buyer = Some(buyer);
        next.issue_date = Some(issue_date);
        next.due_date = Some(issue_date + Duration::days(i64::from(payment_term_days)));
        Ok(next)
    }

    /// Copies the unit's data again (the unit was corrected after issuing); only until the
    /// document is handed over.
    pub fn refresh_buyer(&self, buyer: BuyerSnapshot) -> Result<Settlement, SettlementError> {
        self.refuse_if_handed_over()?;
        if self.status != SettlementStatus::Issued {
            return Err(SettlementError::NotIssued(self.status));
        }
        if buyer.unit_id != self.unit_id {
            return Err(SettlementError::OtherBuyer);
        }
        let mut next = self.bumped();
        next.buyer = Some(buyer);
        Ok(next)
    }

    /// Handed over in export batch `batch_id`. Marking again with the same batch (a retried
    /// export) changes nothing; another batch is refused.
    pub fn mark_exported(&self, batch_id: ExportBatchId) -> Result<Settlement, SettlementError> {
        match self.status {
            SettlementStatus::Draft => Err(SettlementError::NotIssued(self.status)),
            SettlementStatus::Issued => {
                let mut next = self.bumped();
                next.status = SettlementStatus::Exported;
                next.export_batch_id = Some(batch_id);
                Ok(next)
            }
            SettlementStatus::Exported | SettlementStatus::Invoiced => match self.export_batch_id {
                Some(batch) if batch == batch_id => Ok(self.clone()),
                Some(batch) => Err(SettlementError::ExportedElsewhere(batch)),
                None => Err(SettlementError::HandedOver(self.status)),
            },
        }
    }

    /// The invoice number reported back by accounting. The same number again changes nothing;
    /// another number is refused (a mismatch to look into, not to overwrite).
    pub fn record_invoice(&self, invoice_number: &str) -> Result<Settlement, SettlementError> {
        if !self.status.is_handed_over() {
            return Err(SettlementError::NotExported(self.status));
        }
        let invoice_number = bounded_text(invoice_number, INVOICE_NUMBER_MAX)
            .map_err(|error| SettlementError::InvalidInvoiceNumber(FieldError::from_value("invoiceNumber", &error)))?;
        match &self.invoice_number {
            Some(existing) if *existing == invoice_number => Ok(self.clone()),
            Some(existing) => Err(SettlementError::InvoiceNumberConflict(existing.clone())),
            None => {
                let mut next = self.bumped();
                next.status = SettlementStatus::Invoiced;
                next.invoice_number = Some(invoice_number);
                Ok(next)
            }
        }
    }

    /// Applies a payment report from accounting: `amount_paid_total` is the CUMULATIVE amount
    /// paid for this document as of `paid_on` (for a correction with a negative total: the
    /// amount refunded, as a negative number). The newest report is the state: the same
    /// report twice changes nothing, an older one is ignored, and of two reports of the same
    /// day the larger amount wins. So any order of any repetition of reports ends in the same
    /// state.
    pub fn apply_payment_status(
        &self,
        amount_paid_total: Decimal,
        paid_on: NaiveDate,
    ) -> Result<(Settlement, PaymentOutcome), SettlementError> {
        if !self.status.is_handed_over() {
            return Err(SettlementError::NotExported(self.status));
        }
        if amount_paid_total.normalize().scale() > 2 {
            return Err(SettlementError::InvalidAmount);
        }
        let mut paid_total = amount_paid_total.normalize();
        paid_total.rescale(2);
        let report = PaymentReport { paid_total, as_of: paid_on };
        match self.payment {
            Some(current) if current.rank() == report.rank() => Ok((self.clone(), PaymentOutcome::Unchanged)),
            Some(current) if current.rank() > report.rank() => Ok((self.clone(), PaymentOutcome::Stale)),
            _ => {
                let mut next = self.bumped();
                next.payment = Some(report);
                Ok((next, PaymentOutcome::Applied))
            }
        }
    }

    pub fn paid(&self) -> Decimal {
        self.payment.map_or(Decimal::ZERO, |p| p.paid_total)
    }

    /// From the total and the latest payment report. For a correction with a negative total
    /// the same applies to the amount refunded.
    pub fn payment_status(&self) -> PaymentStatus {
        let gross = self.totals().gross;
        let (due, paid) = if gross < Decimal::ZERO { (-gross, -self.paid()) } else { (gross, self.paid()) };
        if paid > due {
            PaymentStatus::Overpaid
        } else if paid == due {
            PaymentStatus::Paid
        } else if paid > Decimal::ZERO {
            PaymentStatus::PartlyPaid
        } else {
            PaymentStatus::Unpaid
        }
    }

    /// Records an issued correction of this document (allowed after the hand-over: it is how
    /// a handed-over document learns it was corrected). Idempotent.
    pub fn link_correction(&self, correction: &Settlement) -> Result<Settlement, SettlementError> {
        match &correction.kind {
            SettlementKind::Correction { of, .. } if *of == self.id => {}
            _ => return Err(SettlementError::NotACorrectionOf),
        }
        if self.status == SettlementStatus::Draft {
            return Err(SettlementError::NotIssued(self.status));
        }
        if correction.status == SettlementStatus::Draft {
            return Err(SettlementError::NotIssued(correction.status));
        }
        if self.corrected_by.contains(&correction.id) {
            return Ok(self.clone());
        }
        let mut next = self.bumped();
        next.corrected_by.push(correction.id);
        Ok(next)
    }

    /// A correction of the issued regular settlement `original`, as a draft to be issued in
    /// series KOR. `earlier` are the corrections of `original` already made (others are
    /// ignored): a change is measured against the line as they left it, so a line is never
    /// credited twice. Each change gives difference lines: the net difference in the line's
    /// VAT treatment, or, when the VAT treatment changes, the old amount reversed and the new
    /// one charged.
    pub fn correction(
        original: &Settlement,
        earlier: &[Settlement],
        changes: &[CorrectionChange],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Settlement, SettlementError> {
        let of_number = match (&original.kind, original.number) {
            (SettlementKind::Regular, Some(number)) if original.status != SettlementStatus::Draft => number,
            _ => return Err(SettlementError::NotCorrectable),
        };
        let reason = bounded_text(reason, REASON_MAX)
            .map_err(|error| SettlementError::InvalidReason(FieldError::from_value("reason", &error)))?;
        let earlier: Vec<&SettlementLine> = earlier
            .iter()
            .filter(|s| matches!(&s.kind, SettlementKind::Correction { of, .. } if *of == original.id))
            .flat_map(|s| s.lines.iter())
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        let mut lines = Vec::new();
        for change in changes {
            let key = change.line_key();
            if !seen.insert(key.to_owned()) {
                return Err(SettlementError::DuplicateLine(key.to_owned()));
            }
            let (position, line) = original
                .lines
                .iter()
                .enumerate()
                .find(|(_, line)| line.line_key() == key)
                .ok_or_else(|| SettlementError::UnknownLine(key.to_owned()))?;
            // The line as it stands now: net per VAT treatment after earlier corrections.
            let mut current: Vec<(VatTreatment, Decimal)> = vec![(line.vat.clone(), line.net)];
            for diff in earlier.iter().filter(|l| l.corrects.as_deref() == Some(key)) {
                match current.iter_mut().find(|(vat, _)| *vat == diff.vat) {
                    Some((_, net)) => *net += diff.net,
                    None => current.push((diff.vat.clone(), diff.net)),
                }
            }
            current.retain(|(_, net)| !net.is_zero());
            let current_vat = current.last().map_or_else(|| line.vat.clone(), |(vat, _)| vat.clone());
            let (target_net, target_vat) = match change {
                CorrectionChange::Cancel { .. } => (Decimal::ZERO, current_vat),
                CorrectionChange::Amend { net, vat, .. } => {
                    if *net < Decimal::ZERO || net.normalize().scale() > 2 {
                        return Err(SettlementError::InvalidAmount);
                    }
                    (*net, vat.clone().unwrap_or(current_vat))
                }
            };
            let mut diffs: Vec<(VatTreatment, Decimal)> = Vec::new();
            for (vat, net) in &current {
                if *vat == target_vat {
                    diffs.push((vat.clone(), target_net - net));
                } else {
                    diffs.push((vat.clone(), -*net));
                }
            }
            if !current.iter().any(|(vat, _)| *vat == target_vat) {
                diffs.push((target_vat, target_net));
            }
            for (vat, mut net) in diffs.into_iter().filter(|(_, net)| !net.is_zero()) {
                net = net.normalize();
                net.rescale(2);
                lines.push(SettlementLine {
                    source: line.source.clone(),
                    description: format!("Korekta poz. {} rozliczenia {of_number}: {}", position + 1, line.description),
                    service_from: line.service_from,
                    service_to: line.service_to,
                    net,
                    vat,
                    corrects: Some(key.to_owned()),
                });
            }
        }
        if lines.is_empty() {
            return Err(SettlementError::NothingToCorrect);
        }
        let lines = checked_lines(lines)?;
        Ok(Settlement {
            id: SettlementId::generate(),
            kind: SettlementKind::Correction { of: original.id, of_number, reason },
            unit_id: original.unit_id,
            status: SettlementStatus::Draft,
            lines,
            number: None,
            buyer: None,
            issue_date: None,
            due_date: None,
            export_batch_id: None,
            invoice_number: None,
            payment: None,
            corrected_by: Vec::new(),
            created_at: now,
            version: 1,
        })
    }
}
