//! Document totals per VAT treatment. VAT is computed once per rate on the sum of that rate's
//! nets, rounded half-up to grosze (art. 106e ust. 11; FA(3) carries totals per rate in
//! `P_13_x`/`P_14_x`); the per-line VAT is shown for information only and may differ from the
//! rate's total by a grosz. Exempt lines are totalled per legal basis and carry no VAT.

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
        let mut groups: Vec<(VatTreatment, Decimal)> = Vec::new();
        for line in lines {
            // Rates compare by value: "23" and "23.00" are one rate.
            let same = |vat: &VatTreatment| match (vat, &line.vat) {
                (VatTreatment::Rate { percent: a }, VatTreatment::Rate { percent: b }) => a == b,
                (a, b) => a == b,
            };
            match groups.iter_mut().find(|(vat, _)| same(vat)) {
                Some((_, net)) => *net += line.net,
                None => groups.push((line.vat.clone(), line.net)),
            }
        }
        groups.sort_by_key(|(vat, _)| order(vat));
        let by_vat: Vec<VatTotal> = groups
            .into_iter()
            .map(|(vat, net)| {
                let net = round_grosze(net);
                let vat_amount = match &vat {
                    VatTreatment::Rate { percent } => round_grosze(net * *percent / Decimal::ONE_HUNDRED),
                    VatTreatment::Exempt { .. } => Decimal::ZERO,
                };
                VatTotal { code: vat.code(), vat, net, vat_amount, gross: net + vat_amount }
            })
            .collect();
        let net = by_vat.iter().map(|t| t.net).sum();
        let vat_amount = by_vat.iter().map(|t| t.vat_amount).sum();
        let gross = by_vat.iter().map(|t| t.gross).sum();
        Totals { by_vat, net, vat_amount, gross }
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
