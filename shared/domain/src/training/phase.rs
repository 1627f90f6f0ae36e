//! Phases of a training order and the configurable kinds of training, each with its own phase
//! list. A training keeps a snapshot of its kind's list, so reconfiguring a kind never strands a
//! running training in a phase the new list lacks.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::FieldError;
use crate::unit::Segment;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Planned,
    Recruiting,
    Running,
    Completed,
    Settled,
    Closed,
    Cancelled,
}

impl Phase {
    pub const ALL: [Phase; 7] =
        [Self::Planned, Self::Recruiting, Self::Running, Self::Completed, Self::Settled, Self::Closed, Self::Cancelled];

    pub fn code(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Recruiting => "recruiting",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Settled => "settled",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn label_pl(self) -> &'static str {
        match self {
            Self::Planned => "planowane",
            Self::Recruiting => "rekrutacja",
            Self::Running => "w trakcie",
            Self::Completed => "zakończone",
            Self::Settled => "rozliczone",
            Self::Closed => "zamknięte",
            Self::Cancelled => "odwołane",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|phase| phase.code() == raw.trim())
    }

    /// No way out of these.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Closed | Self::Cancelled)
    }

    /// A training may be called off only before it is over.
    pub fn may_be_cancelled(self) -> bool {
        matches!(self, Self::Planned | Self::Recruiting | Self::Running)
    }

    /// Attendance has been taken: dates, price and the attendance rule feed certificates and
    /// settlements from here on and no longer change.
    pub fn is_past_completion(self) -> bool {
        matches!(self, Self::Completed | Self::Settled | Self::Closed)
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A kind of training within a business segment, with the phases its orders go through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrainingKind {
    pub code: String,
    pub segment: Segment,
    pub name_pl: String,
    /// In order; `cancelled` is never listed (it is reachable from planned/recruiting/running).
    pub phases: Vec<Phase>,
}

/// The phases every kind must go through: a kind may skip `settled` (free trainings) or
/// `recruiting` (e.g. a consultation for one unit, staff enrol its people), never these.
const MANDATORY: [Phase; 4] = [Phase::Planned, Phase::Running, Phase::Completed, Phase::Closed];

impl TrainingKind {
    fn new(code: &str, segment: Segment, name_pl: &str, phases: &[Phase]) -> Self {
        Self { code: code.to_owned(), segment, name_pl: name_pl.to_owned(), phases: phases.to_vec() }
    }

    /// The built-in kinds; staff may configure others, which must pass [`Self::check`].
    pub fn catalogue() -> Vec<TrainingKind> {
        use Phase::*;
        let full = [Planned, Recruiting, Running, Completed, Settled, Closed];
        let free = [Planned, Recruiting, Running, Completed, Closed];
        vec![
            Self::new("EDU-OPEN", Segment::Edu, "szkolenie otwarte", &full),
            Self::new("EDU-CLOSED", Segment::Edu, "szkolenie zamknięte", &full),
            Self::new("LEX-SEMINAR", Segment::Lex, "konsultacje/seminarium prawne", &free),
            Self::new("PIAS-IT", Segment::PiasPlus, "szkolenie informatyczne", &full),
            Self::new("CWE-WORKSHOP", Segment::Cwe, "warsztaty", &full),
            Self::new("ZZGP-TRAINING", Segment::Zzgp, "szkolenie ZZG/P", &full),
        ]
    }

    pub fn find<'a>(kinds: &'a [TrainingKind], code: &str) -> Option<&'a TrainingKind> {
        kinds.iter().find(|kind| kind.code == code.trim())
    }

    /// A phase list is valid when it is in canonical order without repeats, never lists
    /// `cancelled` and contains the mandatory phases.
    pub fn check(&self) -> Result<(), FieldError> {
        let ordered = self.phases.windows(2).all(|pair| pair[0] < pair[1]);
        let complete = MANDATORY.iter().all(|phase| self.phases.contains(phase));
        if ordered && complete && !self.phases.contains(&Phase::Cancelled) {
            Ok(())
        } else {
            Err(FieldError::new(
                "phases",
                "invalid_phase_list",
                "Lista faz musi zawierać fazy planowane, w trakcie, zakończone i zamknięte, w kolejności, bez fazy odwołane.",
                "The phase list must contain planned, running, completed and closed, in order, without cancelled.",
            ))
        }
    }
}

/// The phase after `from` in `phases`, if any.
pub fn next_phase(phases: &[Phase], from: Phase) -> Option<Phase> {
    let at = phases.iter().position(|phase| *phase == from)?;
    phases.get(at + 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_kinds_are_valid_and_cover_every_segment() {
        let kinds = TrainingKind::catalogue();
        for kind in &kinds {
            kind.check().unwrap_or_else(|e| panic!("{}: {e:?}", kind.code));
        }
        for segment in Segment::ALL {
            assert!(kinds.iter().any(|kind| kind.segment == segment), "{segment:?}");
        }
        let lex = TrainingKind::find(&kinds, "LEX-SEMINAR").unwrap();
        assert!(!lex.phases.contains(&Phase::Settled));
        assert_eq!(next_phase(&lex.phases, Phase::Completed), Some(Phase::Closed));
    }

    #[test]
    fn bad_phase_lists_are_refused() {
        let bad = |phases: &[Phase]| TrainingKind::new("X", Segment::Edu, "x", phases).check().is_err();
        use Phase::*;
        assert!(bad(&[Recruiting, Planned, Running, Completed, Closed]));
        assert!(bad(&[Planned, Running, Completed]));
        assert!(bad(&[Planned, Running, Completed, Closed, Cancelled]));
        assert!(bad(&[Planned, Running, Running, Completed, Closed]));
        assert!(!bad(&[Planned, Running, Completed, Closed]));
    }

    #[test]
    fn phase_codes_round_trip_through_serde() {
        for phase in Phase::ALL {
            assert_eq!(Phase::parse(phase.code()), Some(phase));
            assert_eq!(serde_json::to_value(phase).unwrap(), phase.code());
        }
    }
}
