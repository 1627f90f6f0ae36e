//! TERYT code of a powiat or gmina.

use super::{string_value, StringSchema, ValueError};
use crate::teryt::{self, TerytEntry, TerytKind};

/// A TERYT code of a local-government unit in województwo wielkopolskie, known to the
/// register in [`crate::teryt`].
///
/// - 4 digits (WOJ+POW): a powiat, including a miasto na prawach powiatu (3061–3064);
/// - 7 digits (WOJ+POW+GMI+RODZ): a gmina, RODZ 1 (miejska), 2 (wiejska), 3 (miejsko-wiejska).
///
/// TERYT has no checksum, so the only validation that catches typos is membership in the
/// register; an unknown code is rejected rather than stored, since members are exactly the
/// association's gminy and powiaty.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Teryt(String);

string_value!(Teryt);

impl Teryt {
    /// Parses a code and checks it against the register.
    pub fn parse(s: &str) -> Result<Teryt, ValueError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ValueError::Empty);
        }
        if !matches!(s.len(), 4 | 7) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::InvalidTerytFormat);
        }
        if let Some(entry) = teryt::lookup(s) {
            return Ok(Teryt(entry.code.to_owned()));
        }
        // Give the more helpful message when the code is a real statistical sub-unit: the town
        // or rural part (RODZ 4/5) of a known miejsko-wiejska gmina, or a delegatura (RODZ 8/9)
        // of a miasto na prawach powiatu. The register does not list those, by design.
        let not_a_unit = s.len() == 7
            && match s.as_bytes()[6] {
                b'4' | b'5' => {
                    teryt::lookup(&format!("{}3", &s[..6])).is_some_and(|e| e.kind == TerytKind::GminaMiejskoWiejska)
                }
                b'8' | b'9' => teryt::lookup(&s[..4]).is_some_and(|e| e.kind == TerytKind::MiastoNaPrawachPowiatu),
                _ => false,
            };
        if not_a_unit {
            Err(ValueError::TerytNotAUnit { code: s.to_owned() })
        } else {
            Err(ValueError::UnknownTeryt { code: s.to_owned() })
        }
    }

    /// The 4-digit code of the powiat (or miasto na prawach powiatu) the unit lies in.
    pub fn powiat_code(&self) -> &str {
        &self.0[..4]
    }

    /// True for a 4-digit code (powiat or miasto na prawach powiatu).
    pub fn is_powiat(&self) -> bool {
        self.0.len() == 4
    }

    /// True for a 7-digit code (gmina of any kind).
    pub fn is_gmina(&self) -> bool {
        self.0.len() == 7
    }

    /// The register entry (name and kind).
    pub fn entry(&self) -> &'static TerytEntry {
        teryt::lookup(&self.0).expect("a parsed Teryt is always in the register")
    }

    /// The official name, e.g. "Poznań" or "poznański". (Not `name`, which would shadow
    /// `utoipa::ToSchema::name`.)
    pub fn unit_name(&self) -> &'static str {
        self.entry().name
    }

    /// The kind of unit.
    pub fn kind(&self) -> TerytKind {
        self.entry().kind
    }
}

impl utoipa::PartialSchema for Teryt {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        StringSchema {
            pattern: Some("^30[0-9]{2}([0-9]{2}[123])?$"),
            ..StringSchema::new(
                "TERYT code from the register of województwo wielkopolskie: 4 digits for a powiat (incl. miasto na prawach powiatu), 7 digits for a gmina.",
                "3064011",
            )
        }
        .build()
    }
}
impl utoipa::ToSchema for Teryt {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_known_codes() {
        let poznan = Teryt::parse("3064011").unwrap();
        assert!(poznan.is_gmina() && !poznan.is_powiat());
        assert_eq!(poznan.powiat_code(), "3064");
        assert_eq!(poznan.unit_name(), "Poznań");
        assert_eq!(poznan.kind(), TerytKind::GminaMiejska);

        let powiat = Teryt::parse(" 3021 ").unwrap();
        assert!(powiat.is_powiat() && !powiat.is_gmina());
        assert_eq!(powiat.as_str(), "3021");
        assert_eq!(powiat.powiat_code(), "3021");
        assert_eq!(powiat.unit_name(), "poznański");
        assert_eq!(powiat.kind(), TerytKind::Powiat);

        let city = Teryt::parse("3064").unwrap();
        assert_eq!(city.kind(), TerytKind::MiastoNaPrawachPowiatu);
    }

    #[test]
    fn rejects_unknown_and_malformed_codes() {
        assert_eq!(Teryt::parse("3099999"), Err(ValueError::UnknownTeryt { code: "3099999".into() }));
        assert_eq!(Teryt::parse("3099991"), Err(ValueError::UnknownTeryt { code: "3099991".into() }));
        assert_eq!(Teryt::parse("3099"), Err(ValueError::UnknownTeryt { code: "3099".into() }));
        // Mazowieckie is outside the register.
        assert_eq!(Teryt::parse("1465011"), Err(ValueError::UnknownTeryt { code: "1465011".into() }));
        // Town part (4) and rural part (5) of Miłosław, a delegatura of Poznań (9).
        for code in ["3030024", "3030025", "3064029"] {
            assert_eq!(Teryt::parse(code), Err(ValueError::TerytNotAUnit { code: code.into() }));
        }
        for input in ["30", "30640", "306401", "30640111", "30-64", "3064 011", "abcd"] {
            assert_eq!(Teryt::parse(input), Err(ValueError::InvalidTerytFormat), "{input}");
        }
        assert_eq!(Teryt::parse(""), Err(ValueError::Empty));
        // A RODZ 4 code of a gmina that is not miejsko-wiejska is simply unknown.
        assert_eq!(Teryt::parse("3064014"), Err(ValueError::UnknownTeryt { code: "3064014".into() }));
        assert_eq!(Teryt::parse("3099999").unwrap_err().code(), "unknown_teryt");
        assert_eq!(Teryt::parse("3064029").unwrap_err().code(), "teryt_not_a_unit");
    }

    #[test]
    fn every_register_code_parses_and_serde_round_trips() {
        for e in teryt::all() {
            let t = Teryt::parse(e.code).unwrap();
            assert_eq!(t.entry(), e);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", e.code));
            assert_eq!(serde_json::from_str::<Teryt>(&json).unwrap(), t);
        }
        assert!(serde_json::from_str::<Teryt>("\"3099991\"").is_err());
    }

    proptest! {
        #[test]
        fn accepted_iff_in_register(code in "30[0-9]{2}([0-9]{3})?") {
            prop_assert_eq!(Teryt::parse(&code).is_ok(), teryt::lookup(&code).is_some());
        }
    }
}
