//! What a unit owes: issued documents and their corrections against the payments reported.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Settlement, SettlementKind, SettlementStatus};
use crate::ids::SettlementId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Receivables {
    /// Gross of every issued document, corrections included (credits are negative).
    #[schema(value_type = String, example = "1350.00")]
    pub issued_gross: Decimal,
    /// Payments reported (refunds on credits negative).
    #[schema(value_type = String, example = "450.00")]
    pub paid: Decimal,
    /// `issued_gross − paid`; negative when the unit paid more than it owes.
    #[schema(value_type = String, example = "900.00")]
    pub outstanding: Decimal,
    /// The part of `outstanding` past its due date on `as_of`; never negative.
    #[schema(value_type = String, example = "450.00")]
    pub overdue: Decimal,
}

/// The receivables of one unit's settlements (drafts are not counted) as of a day.
///
/// A settlement and its corrections are taken together: a credit lowers what is owed (and
/// what is overdue) at once; an additional charge is overdue from its own due date; payments
/// on any of them pay the whole. A document is overdue the day after its due date.
pub fn unit_receivables(settlements: &[Settlement], as_of: NaiveDate) -> Receivables {
    let issued: Vec<&Settlement> = settlements.iter().filter(|s| s.status != SettlementStatus::Draft).collect();
    let root = |s: &Settlement| -> SettlementId {
        match &s.kind {
            SettlementKind::Regular => s.id,
            SettlementKind::Correction { of, .. } => *of,
        }
    };
    let mut roots: Vec<SettlementId> = issued.iter().map(|s| root(s)).collect();
    roots.sort();
    roots.dedup();
    let mut total = Receivables::default();
    for group_root in roots {
        let group: Vec<&&Settlement> = issued.iter().filter(|s| root(s) == group_root).collect();
        let gross: Decimal = group.iter().map(|s| s.totals().gross).sum();
        let paid: Decimal = group.iter().map(|s| s.paid()).sum();
        let due_part: Decimal = group
            .iter()
            .map(|s| {
                let gross = s.totals().gross;
                let past_due = s.due_date.is_some_and(|due| due < as_of);
                if gross < Decimal::ZERO || past_due {
                    gross
                } else {
                    Decimal::ZERO
                }
            })
            .sum();
        let outstanding = gross - paid;
        let overdue = (due_part - paid).min(outstanding).max(Decimal::ZERO);
        total.issued_gross += gross;
        total.paid += paid;
        total.outstanding += outstanding;
        total.overdue += overdue;
    }
    // Amounts always carry grosze ("0.00", not "0"), as on every document.
    for amount in [&mut total.issued_gross, &mut total.paid, &mut total.outstanding, &mut total.overdue] {
        amount.rescale(2);
    }
    total
}
