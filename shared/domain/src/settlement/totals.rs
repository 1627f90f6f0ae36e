//! Document totals per VAT treatment. VAT is computed per line, rounded half-up to grosze, and a
//! rate's total is the sum of its lines (art. 106e ust. 11 allows either method): every line
//! then reads net + VAT = gross on its own, and the settlement, the accounting export and its
//! FA(3) draft (`P_13_x`/`P_14_x`) carry the same figures to the grosz. Exempt lines are
//! totalled per legal basis and carry no VAT.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::SettlementLine;
use crate::training::{round_grosze, VatTreatment};

/// The lines of one VAT treatment: a rate, or "zw" with one legal basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VatTotal {
    pub vat: VatTreatment,
    /// `"23"`, `"8"`, … or `"zw"`.
    pub code: String,
    #[schema(value_type = String, example = "900.00")]
    pub net: Decimal,
    #[schema(value_type = String, example = "207.00")]
    pub vat_amount: Decimal,
    #[schema(value_type = String, example = "1107.00")]
    pub gross: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Rates from the highest down, then exemptions by basis.
    pub by_vat: Vec<VatTotal>,
    #[schema(value_type = String, example = "900.00")]
    pub net: Decimal,
    #[schema(value_type = String, example = "207.00")]
    pub vat_amount: Decimal,
    #[schema(value_type = String, example = "1107.00")]
    pub gross: Decimal,
    /// Each amount's (a document's line's) VAT and gross, in the order given: what a line
    /// shows, so that no client computes money.
    #[serde(default)]
    pub lines: Vec<LineAmounts>,
}

/// The VAT and gross of one line (its VAT rounded half-up to grosze, as in the totals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LineAmounts {
    #[schema(value_type = String, example = "103.50")]
    pub vat_amount: Decimal,
    #[schema(value_type = String, example = "553.50")]
    pub gross: Decimal,
}

/// The VAT of one net amount (a line), rounded half-up to grosze; a document's VAT per rate is
/// the sum of its lines'.
pub fn vat_of(net: Decimal, vat: &VatTreatment) -> Decimal {
    match vat {
        VatTreatment::Rate { percent } => round_grosze(net * *percent / Decimal::ONE_HUNDRED),
        VatTreatment::Exempt { .. } => Decimal::ZERO,
    }
}

/// Rates first (highest first), then exemptions (by basis).
fn order(vat: &VatTreatment) -> (u8, Decimal, String) {
    match vat {
        VatTreatment::Rate { percent } => (0, -*percent, String::new()),
        VatTreatment::Exempt { basis } => (1, Decimal::ZERO, basis.clone()),
    }
}

impl Totals {
    pub fn of(lines: &[SettlementLine]) -> Totals {
        Totals::of_amounts(lines.iter().map(|line| (line.net, &line.vat)))
    }

    /// The totals of net amounts with their VAT treatments (lines, or charges not yet on a
    /// document): VAT per amount rounded to grosze, summed per rate, as on a settlement.
    pub fn of_amounts<'a>(amounts: impl IntoIterator<Item = (Decimal, &'a VatTreatment)>) -> Totals {
        let mut groups: Vec<(VatTreatment, Decimal, Decimal)> = Vec::new();
        let mut lines = Vec::new();
        for (amount, treatment) in amounts {
            let vat_of_amount = vat_of(amount, treatment);
            lines.push(LineAmounts { vat_amount: vat_of_amount, gross: amount + vat_of_amount });
            // Rates compare by value: "23" and "23.00" are one rate.
            let same = |vat: &VatTreatment| match (vat, treatment) {
                (VatTreatment::Rate { percent: a }, VatTreatment::Rate { percent: b }) => a == b,
                (a, b) => a == b,
            };
            match groups.iter_mut().find(|(vat, _, _)| same(vat)) {
                Some((_, net, vat_amount)) => {
                    *net += amount;
                    *vat_amount += vat_of_amount;
                }
                None => groups.push((treatment.clone(), amount, vat_of_amount)),
            }
        }
        groups.sort_by_key(|(vat, _, _)| order(vat));
        let by_vat: Vec<VatTotal> = groups
            .into_iter()
            .map(|(vat, net, vat_amount)| {
                let (net, vat_amount) = (round_grosze(net), round_grosze(vat_amount));
                VatTotal { code: vat.code(), vat, net, vat_amount, gross: net + vat_amount }
            })
            .collect();
        let net = by_vat.iter().map(|t| t.net).sum();
        let vat_amount = by_vat.iter().map(|t| t.vat_amount).sum();
        let gross = by_vat.iter().map(|t| t.gross).sum();
        Totals { by_vat, net, vat_amount, gross, lines }
    }

    /// The legal bases of the exempt lines (FA(3) `P_19A`); empty when nothing is exempt.
    pub fn exempt_bases(&self) -> Vec<&str> {
        self.by_vat
            .iter()
            .filter_map(|t| match &t.vat {
                VatTreatment::Exempt { basis } => Some(basis.as_str()),
                VatTreatment::Rate { .. } => None,
            })
            .collect()
    }
}
