//! Price per participant: net in PLN plus either a VAT rate or the exemption ("zw") with its
//! legal basis, which an invoice line must carry. Amounts round to full grosze, half-up
//! (art. 106e ust. 11 ustawy o VAT).

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{bounded_text, FieldError};

/// Training financed wholly from public funds.
pub const DEFAULT_EXEMPT_BASIS: &str = "art. 43 ust. 1 pkt 29 lit. c ustawy o VAT";
/// Rates accepted from forms; anything else is most likely a typo (e.g. the pre-2011 22 %).
pub const VAT_RATES: [u32; 4] = [23, 8, 5, 0];
pub const EXEMPT_BASIS_MAX: usize = 300;
/// Upper bound on a price per participant, against misplaced separators.
const NET_MAX: i64 = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VatTreatment {
    /// A rate in percent, e.g. `"23"`.
    Rate {
        #[schema(value_type = String, example = "23")]
        percent: Decimal,
    },
    /// Exempt ("zw"); the basis is printed on the invoice (FA(3) `P_19A`).
    Exempt { basis: String },
}

impl VatTreatment {
    pub fn exempt_default() -> Self {
        Self::Exempt { basis: DEFAULT_EXEMPT_BASIS.to_owned() }
    }

    /// The marker on an invoice line: the rate (`"23"`) or `"zw"`.
    pub fn code(&self) -> String {
        match self {
            Self::Rate { percent } => percent.normalize().to_string(),
            Self::Exempt { .. } => "zw".to_owned(),
        }
    }

    /// Parses a form value: `"23"`, `"23%"` or `"zw"`; the basis applies to "zw" only
    /// (absent or blank = the default basis).
    pub fn parse(raw: &str, basis: Option<&str>) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if raw.eq_ignore_ascii_case("zw") {
            return match basis.map(str::trim) {
                None | Some("") => Ok(Self::exempt_default()),
                Some(basis) => bounded_text(basis, EXEMPT_BASIS_MAX)
                    .map(|basis| Self::Exempt { basis })
                    .map_err(|error| FieldError::from_value("vatExemptBasis", &error)),
            };
        }
        let rate = raw.trim_end_matches('%').trim().parse::<u32>().ok().filter(|rate| VAT_RATES.contains(rate));
        match rate {
            Some(rate) => Ok(Self::Rate { percent: Decimal::from(rate) }),
            None => Err(FieldError::new(
                "vat",
                "invalid_vat",
                "Stawka VAT musi być jedną z: 23, 8, 5, 0 albo „zw” (zwolnione).",
                "The VAT rate must be one of 23, 8, 5, 0 or \"zw\" (exempt).",
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    /// Net PLN per participant, ≥ 0, in grosze (2 decimal places).
    #[schema(value_type = String, example = "450.00")]
    pub net: Decimal,
    pub vat: VatTreatment,
}

impl Price {
    pub fn free() -> Self {
        Self { net: Decimal::ZERO, vat: VatTreatment::exempt_default() }
    }

    pub fn gross(&self) -> Decimal {
        match &self.vat {
            VatTreatment::Rate { percent } => round_grosze(self.net + self.net * *percent / Decimal::ONE_HUNDRED),
            VatTreatment::Exempt { .. } => self.net,
        }
    }

    pub fn vat_amount(&self) -> Decimal {
        self.gross() - self.net
    }

    pub fn is_free(&self) -> bool {
        self.net.is_zero()
    }
}

/// Half-up (away from zero) to full grosze.
pub fn round_grosze(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Parses a net amount as typed in Poland or sent by a client: `"1 200,50"`, `"1200.5"`.
/// More than two decimal places is refused rather than rounded: it is a typo, not a price.
pub fn parse_net(raw: &str) -> Result<Decimal, FieldError> {
    let invalid = || {
        FieldError::new(
            "priceNet",
            "invalid_amount",
            "Nieprawidłowa kwota netto (np. 450,00; najwyżej 2 miejsca po przecinku, nie ujemna).",
            "Invalid net amount (e.g. 450.00; at most 2 decimal places, not negative).",
        )
    };
    let cleaned: String = raw.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
    let cleaned = cleaned.replace(',', ".");
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(invalid());
    }
    let amount: Decimal = cleaned.parse().map_err(|_| invalid())?;
    if amount.normalize().scale() > 2 {
        return Err(invalid());
    }
    if amount > Decimal::from(NET_MAX) {
        return Err(invalid());
    }
    let mut amount = amount.normalize();
    amount.rescale(2);
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(raw: &str) -> Decimal {
        raw.parse().unwrap()
    }

    #[test]
    fn gross_rounds_half_up_to_grosze() {
        let rate = |net: &str, percent: u32| {
            Price { net: dec(net), vat: VatTreatment::Rate { percent: Decimal::from(percent) } }.gross()
        };
        assert_eq!(rate("100.00", 23), dec("123.00"));
        // 0.50 × 1.23 = 0.615 → 0.62 (half-up, not banker's 0.62/0.61).
        assert_eq!(rate("0.50", 23), dec("0.62"));
        // 10.50 × 1.05 = 11.025 → 11.03.
        assert_eq!(rate("10.50", 5), dec("11.03"));
        assert_eq!(rate("0.00", 23), dec("0.00"));
        let exempt = Price { net: dec("450.00"), vat: VatTreatment::exempt_default() };
        assert_eq!(exempt.gross(), dec("450.00"));
        assert_eq!(exempt.vat_amount(), Decimal::ZERO);
        assert_eq!(exempt.vat.code(), "zw");
    }

    #[test]
    fn net_amounts_parse_polish_and_plain_forms() {
        assert_eq!(parse_net("1 200,5").unwrap(), dec("1200.50"));
        assert_eq!(parse_net("450").unwrap().to_string(), "450.00");
        assert_eq!(parse_net("0.10").unwrap(), dec("0.10"));
        assert_eq!(parse_net("12.500").unwrap(), dec("12.50"));
        for bad in ["", "-5", "1.234", "12a", "1,2,3", "2000000"] {
            assert!(parse_net(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn vat_parses_known_rates_and_exemption_with_basis() {
        assert_eq!(VatTreatment::parse("23%", None).unwrap().code(), "23");
        assert_eq!(VatTreatment::parse("ZW", Some(" ")).unwrap(), VatTreatment::exempt_default());
        let custom = VatTreatment::parse("zw", Some("art. 43 ust. 1 pkt 26 lit. a")).unwrap();
        assert_eq!(custom, VatTreatment::Exempt { basis: "art. 43 ust. 1 pkt 26 lit. a".into() });
        assert_eq!(VatTreatment::parse("22", None).unwrap_err().code, "invalid_vat");
    }

    #[test]
    fn serde_shape_is_tagged_and_amounts_are_strings() {
        let price = Price { net: dec("450.00"), vat: VatTreatment::Rate { percent: Decimal::from(23) } };
        let json = serde_json::to_value(&price).unwrap();
        assert_eq!(json, serde_json::json!({"net": "450.00", "vat": {"kind": "rate", "percent": "23"}}));
        assert_eq!(serde_json::from_value::<Price>(json).unwrap(), price);
    }

    proptest! {
        #[test]
        fn gross_is_net_times_rate_rounded_half_up(grosze in 0i64..100_000_000, rate_index in 0usize..4) {
            let net = Decimal::new(grosze, 2);
            let percent = Decimal::from(VAT_RATES[rate_index]);
            let price = Price { net, vat: VatTreatment::Rate { percent } };
            let expected = (net * (Decimal::ONE + percent / Decimal::ONE_HUNDRED))
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            prop_assert_eq!(price.gross(), expected);
            prop_assert!(price.gross().scale() <= 2);
            prop_assert!(price.gross() >= net);
            let exempt = Price { net, vat: VatTreatment::exempt_default() };
            prop_assert_eq!(exempt.gross(), net);
        }

        #[test]
        fn parse_net_round_trips_grosze(grosze in 0i64..100_000_000) {
            let net = Decimal::new(grosze, 2);
            prop_assert_eq!(parse_net(&net.to_string()).unwrap(), net);
            prop_assert_eq!(parse_net(&net.to_string().replace('.', ",")).unwrap(), net);
        }
    }
}
