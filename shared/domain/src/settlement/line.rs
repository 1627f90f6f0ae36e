//! Settlement lines: one per chargeable enrolment or contract charge, each with a stable key
//! under which the store records that it was settled (at most once, ever).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::enrolment::{Enrolment, EnrolmentStatus};
use crate::errors::{bounded_text, FieldError};
use crate::ids::{ContractId, EnrolmentId, PersonId, TrainingId, UnitId};
use crate::training::{Training, VatTreatment};

pub const DESCRIPTION_MAX: usize = 500;

/// Why an enrolment is charged; printed as a marker on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChargeReason {
    Attended,
    /// Absent (nieobecność) and not waived.
    NoShow,
    /// Cancelled after the deadline (rezygnacja po terminie) and not waived.
    LateCancellation,
}

impl ChargeReason {
    /// The marker appended to the line's description.
    pub fn marker_pl(self) -> &'static str {
        match self {
            Self::Attended => "",
            Self::NoShow => " (nieobecność)",
            Self::LateCancellation => " (rezygnacja po terminie)",
        }
    }
}

/// Where a line comes from; decides its [`SettlementLine::line_key`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LineSource {
    /// A person's place on a completed training.
    Enrolment {
        #[serde(rename = "enrolmentId")]
        enrolment_id: EnrolmentId,
        #[serde(rename = "trainingId")]
        training_id: TrainingId,
        #[serde(rename = "trainingTitle")]
        training_title: String,
        #[serde(rename = "personId")]
        person_id: PersonId,
        #[serde(rename = "personName")]
        person_name: String,
        reason: ChargeReason,
    },
    /// One charge of a long-term contract for one billing period.
    Contract {
        #[serde(rename = "contractId")]
        contract_id: ContractId,
        subject: String,
        #[serde(rename = "periodKey")]
        period_key: String,
        sequence: u32,
    },
}

/// One line of a settlement. Amounts are PLN in grosze; `net` is negative on a credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettlementLine {
    pub source: LineSource,
    /// As printed, in Polish.
    pub description: String,
    /// First and last day of the service (training days, contract period).
    pub service_from: NaiveDate,
    pub service_to: NaiveDate,
    #[schema(value_type = String, example = "450.00")]
    pub net: Decimal,
    pub vat: VatTreatment,
    /// On a correction: the key of the original line this difference belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<String>,
}

impl SettlementLine {
    /// The stable key of what is settled: `ENR#{enrolment_id}` or
    /// `CTR#{contract_id}#{period_key}#{sequence}`. On a correction the key is the original
    /// line's (the store writes "settled" sentinels for regular settlements only).
    pub fn line_key(&self) -> String {
        match &self.source {
            LineSource::Enrolment { enrolment_id, .. } => format!("ENR#{enrolment_id}"),
            LineSource::Contract { contract_id, period_key, sequence, .. } => {
                format!("CTR#{contract_id}#{period_key}#{sequence}")
            }
        }
    }

    /// VAT of this line, rounded half-up to grosze; a document's VAT per rate is the sum of its
    /// lines' (see [`super::Totals`]).
    pub fn vat_amount(&self) -> Decimal {
        super::totals::vat_of(self.net, &self.vat)
    }

    pub fn gross(&self) -> Decimal {
        self.net + self.vat_amount()
    }

    pub fn training_id(&self) -> Option<TrainingId> {
        match &self.source {
            LineSource::Enrolment { training_id, .. } => Some(*training_id),
            LineSource::Contract { .. } => None,
        }
    }

    /// Order on a document: by service date, then training (title, id) or contract, then person.
    pub(crate) fn sort_key(&self) -> (NaiveDate, u8, String, String, String, String) {
        match &self.source {
            LineSource::Enrolment { training_title, training_id, person_name, .. } => (
                self.service_from,
                0,
                training_title.clone(),
                training_id.to_string(),
                person_name.clone(),
                self.line_key(),
            ),
            LineSource::Contract { subject, contract_id, .. } => {
                (self.service_from, 1, subject.clone(), contract_id.to_string(), String::new(), self.line_key())
            }
        }
    }
}

/// A line due to a unit, before it is on a settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LineCandidate {
    pub unit_id: UnitId,
    pub line: SettlementLine,
}

/// Why an enrolment of a completed training gives no line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Omission {
    /// The training is not completed yet (or was cancelled).
    NotCompleted,
    /// The enrolment belongs to another training.
    OtherTraining,
    /// The training is free of charge.
    FreeTraining,
    /// A member unit attends within its membership fee: no zero line on the document; the
    /// attendance stays visible in the unit's views.
    WithinMembershipFee,
    /// Staff waived the charge of a no-show or late cancellation.
    Waived,
    /// The training does not charge no-shows.
    NoShowNotCharged,
    /// The training does not charge late cancellations.
    LateCancellationNotCharged,
    /// Nothing is due: cancelled in time, still on the waiting list, never completed.
    NothingDue,
}

impl Omission {
    pub fn label_pl(self) -> &'static str {
        match self {
            Self::NotCompleted => "szkolenie niezakończone",
            Self::OtherTraining => "zgłoszenie na inne szkolenie",
            Self::FreeTraining => "szkolenie bezpłatne",
            Self::WithinMembershipFee => "w ramach składki członkowskiej",
            Self::Waived => "opłata umorzona przez biuro",
            Self::NoShowNotCharged => "nieobecności nie są płatne na tym szkoleniu",
            Self::LateCancellationNotCharged => "rezygnacje po terminie nie są płatne na tym szkoleniu",
            Self::NothingDue => "nic do zapłaty",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::NotCompleted => "training not completed",
            Self::OtherTraining => "enrolment of another training",
            Self::FreeTraining => "free training",
            Self::WithinMembershipFee => "within the membership fee",
            Self::Waived => "charge waived by staff",
            Self::NoShowNotCharged => "this training does not charge no-shows",
            Self::LateCancellationNotCharged => "this training does not charge late cancellations",
            Self::NothingDue => "nothing due",
        }
    }
}

/// A long-term contract's charge for a period, as computed by the contract module; a neutral
/// shape so settlements do not depend on that module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractLineInput {
    pub contract_id: ContractId,
    /// The unit billed (the contract's party).
    pub unit_id: UnitId,
    /// What the contract is about (przedmiot umowy), e.g. „Obsługa prawna LEX”.
    pub subject: String,
    /// The billing period, e.g. `2027-Q1` or `2027-02`.
    pub period_key: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// Several charges in one period (e.g. a charge and a later credit) are numbered from 0.
    pub sequence: u32,
    pub description: String,
    /// Net PLN, may be negative for a credit; at most 2 decimal places.
    #[schema(value_type = String, example = "1200.00")]
    pub net: Decimal,
    pub vat: VatTreatment,
}

/// Polish date span: `16.11.2026`, `16–17.11.2026`, `30.11–01.12.2026`, `30.12.2026–02.01.2027`.
pub fn format_dates_pl(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        from.format("%d.%m.%Y").to_string()
    } else if from.year() != to.year() {
        format!("{}–{}", from.format("%d.%m.%Y"), to.format("%d.%m.%Y"))
    } else if from.month() != to.month() {
        format!("{}–{}", from.format("%d.%m"), to.format("%d.%m.%Y"))
    } else {
        format!("{}–{}", from.format("%d"), to.format("%d.%m.%Y"))
    }
}

impl LineCandidate {
    /// The line an enrolment of a completed training gives, or `None` (see [`Self::classify`]).
    pub fn from_enrolment(training: &Training, enrolment: &Enrolment) -> Option<LineCandidate> {
        Self::classify(training, enrolment).ok()
    }

    /// The line an enrolment gives, or why it gives none. The membership decision is the one
    /// fixed at completion (`Enrolment::chargeable`); waivers and the training's rules are
    /// checked again, so a waiver granted after completion still takes effect.
    pub fn classify(training: &Training, enrolment: &Enrolment) -> Result<LineCandidate, Omission> {
        if enrolment.training_id != training.id {
            return Err(Omission::OtherTraining);
        }
        if !training.phase.is_past_completion() {
            return Err(Omission::NotCompleted);
        }
        let (Some(start), Some(end)) = (training.starts_on(), training.ends_on()) else {
            return Err(Omission::NotCompleted);
        };
        if training.price.is_free() {
            return Err(Omission::FreeTraining);
        }
        let rules = training.settlement_rules;
        let reason = match enrolment.status {
            EnrolmentStatus::Attended => ChargeReason::Attended,
            EnrolmentStatus::Absent if !rules.charge_no_shows => return Err(Omission::NoShowNotCharged),
            EnrolmentStatus::Absent => ChargeReason::NoShow,
            EnrolmentStatus::Cancelled if enrolment.cancelled.as_ref().is_some_and(|c| c.late) => {
                if !rules.charge_late_cancellations {
                    return Err(Omission::LateCancellationNotCharged);
                }
                ChargeReason::LateCancellation
            }
            EnrolmentStatus::Cancelled | EnrolmentStatus::Enrolled | EnrolmentStatus::Waitlisted => {
                return Err(Omission::NothingDue)
            }
        };
        if reason != ChargeReason::Attended && enrolment.charge_waived {
            return Err(Omission::Waived);
        }
        if !enrolment.chargeable {
            return Err(if training.members_free { Omission::WithinMembershipFee } else { Omission::NothingDue });
        }
        let description = format!(
            "Szkolenie „{}”, {} — {}{}",
            training.title,
            format_dates_pl(start, end),
            enrolment.person_name,
            reason.marker_pl()
        );
        Ok(LineCandidate {
            unit_id: enrolment.unit_id,
            line: SettlementLine {
                source: LineSource::Enrolment {
                    enrolment_id: enrolment.id,
                    training_id: training.id,
                    training_title: training.title.clone(),
                    person_id: enrolment.person_id,
                    person_name: enrolment.person_name.clone(),
                    reason,
                },
                description,
                service_from: start,
                service_to: end,
                net: training.price.net,
                vat: training.price.vat.clone(),
                corrects: None,
            },
        })
    }

    /// A contract charge as a line. Refuses a blank description, an empty period key, a period
    /// ending before it starts and amounts finer than a grosz. Sequences count from 0, as the
    /// contract module writes them (`2027-Q1#0` is the period's first charge).
    pub fn from_contract(input: ContractLineInput) -> Result<LineCandidate, FieldError> {
        let description = bounded_text(&input.description, DESCRIPTION_MAX)
            .map_err(|error| FieldError::from_value("description", &error))?;
        let subject =
            bounded_text(&input.subject, DESCRIPTION_MAX).map_err(|error| FieldError::from_value("subject", &error))?;
        let period_key = input.period_key.trim();
        if period_key.is_empty() || period_key.contains('#') {
            return Err(FieldError::new(
                "periodKey",
                "invalid_period_key",
                "Okres rozliczeniowy umowy musi mieć klucz (bez znaku #).",
                "A contract period needs a key (without #).",
            ));
        }
        if input.period_end < input.period_start {
            return Err(FieldError::new(
                "periodEnd",
                "period_end_before_start",
                "Koniec okresu rozliczeniowego jest przed jego początkiem.",
                "The billing period ends before it starts.",
            ));
        }
        if input.net.normalize().scale() > 2 {
            return Err(FieldError::new(
                "net",
                "invalid_amount",
                "Kwota netto może mieć najwyżej 2 miejsca po przecinku.",
                "The net amount may have at most 2 decimal places.",
            ));
        }
        let mut net = input.net.normalize();
        net.rescale(2);
        Ok(LineCandidate {
            unit_id: input.unit_id,
            line: SettlementLine {
                source: LineSource::Contract {
                    contract_id: input.contract_id,
                    subject,
                    period_key: period_key.to_owned(),
                    sequence: input.sequence,
                },
                description,
                service_from: input.period_start,
                service_to: input.period_end,
                net,
                vat: input.vat,
                corrects: None,
            },
        })
    }
}
