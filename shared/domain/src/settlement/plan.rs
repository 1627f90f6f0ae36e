//! The preview of a settlement run and what the store then writes: the lines due, grouped per
//! unit, one settlement per unit gathering every line of that unit not yet settled.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{LineCandidate, Settlement, SettlementError, SettlementLine, Totals};
use crate::ids::{TrainingId, UnitId};
use crate::training::Training;

/// One unit's settlement as it will be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettlementDraft {
    pub unit_id: UnitId,
    /// Sorted by service date, training (or contract) and person.
    pub lines: Vec<SettlementLine>,
    pub totals: Totals,
}

impl SettlementDraft {
    pub fn line_keys(&self) -> Vec<String> {
        self.lines.iter().map(SettlementLine::line_key).collect()
    }

    pub fn into_settlement(self, now: DateTime<Utc>) -> Result<Settlement, SettlementError> {
        let unit_id = self.unit_id;
        Settlement::draft(unit_id, self.lines.into_iter().map(|line| LineCandidate { unit_id, line }).collect(), now)
    }
}

/// Groups the lines due per unit: one draft per unit (ordered by unit id), its lines sorted.
/// A key given twice is taken once (the first); zero lines are left out (a document carries
/// none). Candidates must already exclude lines settled before ([`exclude_settled`]); the store
/// refuses them anyway by the sentinel of each line key.
pub fn plan_settlements(candidates: Vec<LineCandidate>) -> Vec<SettlementDraft> {
    let mut seen = BTreeSet::new();
    let mut per_unit: BTreeMap<UnitId, Vec<SettlementLine>> = BTreeMap::new();
    for candidate in candidates {
        if candidate.line.net.is_zero() || !seen.insert(candidate.line.line_key()) {
            continue;
        }
        per_unit.entry(candidate.unit_id).or_default().push(SettlementLine { corrects: None, ..candidate.line });
    }
    per_unit
        .into_iter()
        .map(|(unit_id, mut lines)| {
            lines.sort_by_key(SettlementLine::sort_key);
            let totals = Totals::of(&lines);
            SettlementDraft { unit_id, lines, totals }
        })
        .collect()
}

/// Drops the candidates whose line key is already settled.
pub fn exclude_settled(candidates: Vec<LineCandidate>, settled_keys: &BTreeSet<String>) -> Vec<LineCandidate> {
    candidates.into_iter().filter(|c| !settled_keys.contains(&c.line.line_key())).collect()
}

/// What staff settle in one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Selection {
    /// The units with a line on this training.
    Training {
        #[serde(rename = "trainingId")]
        training_id: TrainingId,
    },
    /// This unit.
    Unit {
        #[serde(rename = "unitId")]
        unit_id: UnitId,
    },
    /// The units with a line whose service ended within these days (inclusive): trainings
    /// completed in the period, contract periods ending in it.
    CompletedIn { from: NaiveDate, to: NaiveDate },
}

impl Selection {
    /// Does this line start the settlement of its unit?
    pub fn triggers(&self, candidate: &LineCandidate) -> bool {
        match self {
            Self::Training { training_id } => candidate.line.training_id() == Some(*training_id),
            Self::Unit { unit_id } => candidate.unit_id == *unit_id,
            Self::CompletedIn { from, to } => (*from..=*to).contains(&candidate.line.service_to),
        }
    }

    /// Which trainings to load enrolments from, to find the triggering lines.
    pub fn concerns_training(&self, training: &Training) -> bool {
        if !training.phase.is_past_completion() {
            return false;
        }
        match self {
            Self::Training { training_id } => training.id == *training_id,
            Self::Unit { .. } => true,
            Self::CompletedIn { from, to } => training.ends_on().is_some_and(|end| (*from..=*to).contains(&end)),
        }
    }
}

/// The candidates to settle for `selection`: every pending line of each unit that has at
/// least one line matching the selection. Settling one training thus settles its units, each
/// with all its lines still pending (one clear document per unit, as the customer asked);
/// the preview shows exactly that.
pub fn select(candidates: Vec<LineCandidate>, selection: &Selection) -> Vec<LineCandidate> {
    let units: BTreeSet<UnitId> = candidates.iter().filter(|c| selection.triggers(c)).map(|c| c.unit_id).collect();
    candidates.into_iter().filter(|c| units.contains(&c.unit_id)).collect()
}
