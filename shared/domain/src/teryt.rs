//! The TERYT register of local-government units of województwo wielkopolskie.
//!
//! The association's members are gminy and powiaty of Wielkopolska, so the register of their
//! codes is small, changes rarely (at most on 1 January) and is compiled into the binary from
//! `data/teryt-wielkopolskie.tsv` (the project's own format; state on 2024-01-01, built from the
//! GUS TERC register). No lookup needs I/O.
//!
//! File format: UTF-8, `#` comment lines, one header line `code\tkind\tname`, then one unit a
//! line, sorted by code:
//! - `code`: 4 digits (WOJ+POW) for a powiat or miasto na prawach powiatu, 7 digits
//!   (WOJ+POW+GMI+RODZ) for a gmina;
//! - `kind`: see [`TerytKind`] (`powiat`, `miasto_na_prawach_powiatu`, `gmina_miejska`,
//!   `gmina_wiejska`, `gmina_miejsko_wiejska`);
//! - `name`: the official name (powiaty in their adjectival form, e.g. "poznański").
//!
//! Only units are listed: the town and rural parts of a miejsko-wiejska gmina (RODZ 4/5) and
//! delegatury (RODZ 8/9) are statistical areas, not local governments.
//!
//! A miasto na prawach powiatu (Kalisz 3061, Konin 3062, Leszno 3063, Poznań 3064) is one
//! local government acting as both gmina and powiat. It appears twice, as in TERC: as the
//! powiat-level code `30NN` (kind `miasto_na_prawach_powiatu`) and as its gmina `30NN011`
//! (kind `gmina_miejska`). Both codes name the same city; which one a record uses depends on
//! whether it speaks of the gmina or the powiat level, and [`gminy_of_powiat`] links them.

use std::sync::OnceLock;

const DATA: &str = include_str!("../data/teryt-wielkopolskie.tsv");

/// Kind of a local-government unit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TerytKind {
    /// Powiat ziemski (4-digit code).
    Powiat,
    /// Miasto na prawach powiatu, as a powiat (4-digit code).
    MiastoNaPrawachPowiatu,
    /// Gmina miejska (RODZ 1).
    GminaMiejska,
    /// Gmina wiejska (RODZ 2).
    GminaWiejska,
    /// Gmina miejsko-wiejska (RODZ 3).
    GminaMiejskoWiejska,
}

impl TerytKind {
    /// The identifier used in the data file and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TerytKind::Powiat => "powiat",
            TerytKind::MiastoNaPrawachPowiatu => "miasto_na_prawach_powiatu",
            TerytKind::GminaMiejska => "gmina_miejska",
            TerytKind::GminaWiejska => "gmina_wiejska",
            TerytKind::GminaMiejskoWiejska => "gmina_miejsko_wiejska",
        }
    }

    /// Parses the identifier used in the data file.
    pub fn parse(s: &str) -> Option<TerytKind> {
        [
            TerytKind::Powiat,
            TerytKind::MiastoNaPrawachPowiatu,
            TerytKind::GminaMiejska,
            TerytKind::GminaWiejska,
            TerytKind::GminaMiejskoWiejska,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// True for the powiat level (4-digit codes).
    pub fn is_powiat_level(self) -> bool {
        matches!(self, TerytKind::Powiat | TerytKind::MiastoNaPrawachPowiatu)
    }

    /// True for a gmina (7-digit codes).
    pub fn is_gmina(self) -> bool {
        !self.is_powiat_level()
    }

    /// Polish label, as GUS writes it.
    pub fn label_pl(self) -> &'static str {
        match self {
            TerytKind::Powiat => "powiat",
            TerytKind::MiastoNaPrawachPowiatu => "miasto na prawach powiatu",
            TerytKind::GminaMiejska => "gmina miejska",
            TerytKind::GminaWiejska => "gmina wiejska",
            TerytKind::GminaMiejskoWiejska => "gmina miejsko-wiejska",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            TerytKind::Powiat => "county",
            TerytKind::MiastoNaPrawachPowiatu => "city with county rights",
            TerytKind::GminaMiejska => "urban municipality",
            TerytKind::GminaWiejska => "rural municipality",
            TerytKind::GminaMiejskoWiejska => "urban-rural municipality",
        }
    }

    /// The RODZ digit a gmina code ends with, `None` for the powiat level.
    fn rodz(self) -> Option<u8> {
        match self {
            TerytKind::GminaMiejska => Some(b'1'),
            TerytKind::GminaWiejska => Some(b'2'),
            TerytKind::GminaMiejskoWiejska => Some(b'3'),
            _ => None,
        }
    }
}

/// One unit of the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
pub struct TerytEntry {
    /// 4 digits (powiat level) or 7 digits (gmina).
    #[schema(example = "3064011")]
    pub code: &'static str,
    pub kind: TerytKind,
    /// Official name, e.g. "Poznań", "poznański".
    #[schema(example = "Poznań")]
    pub name: &'static str,
}

impl TerytEntry {
    /// The 4-digit code of the powiat the unit belongs to (its own code for a powiat).
    pub fn powiat_code(&self) -> &'static str {
        &self.code[..4]
    }
}

/// Parses the register file. Any malformed line is an error naming the line, so a bad edit of
/// the data file fails the tests (and would fail at first use, not silently drop units).
fn parse_register(data: &'static str) -> Result<Vec<TerytEntry>, String> {
    let mut entries = Vec::new();
    let mut header_seen = false;
    for (i, line) in data.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            if line != "code\tkind\tname" {
                return Err(format!("line {n}: expected header `code\\tkind\\tname`"));
            }
            header_seen = true;
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(code), Some(kind), Some(name), None) = (cols.next(), cols.next(), cols.next(), cols.next()) else {
            return Err(format!("line {n}: expected 3 tab-separated columns"));
        };
        let kind = TerytKind::parse(kind).ok_or_else(|| format!("line {n}: unknown kind `{kind}`"))?;
        let expected_len = if kind.is_powiat_level() { 4 } else { 7 };
        if code.len() != expected_len || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("line {n}: code `{code}` must be {expected_len} digits for {}", kind.as_str()));
        }
        if kind.rodz().is_some_and(|r| code.as_bytes()[6] != r) {
            return Err(format!("line {n}: RODZ digit of `{code}` does not match {}", kind.as_str()));
        }
        if name.trim().is_empty() || name.trim() != name {
            return Err(format!("line {n}: bad name `{name}`"));
        }
        if let Some(prev) = entries.last().map(|e: &TerytEntry| e.code) {
            if prev >= code {
                return Err(format!("line {n}: codes must be sorted and unique (`{code}` after `{prev}`)"));
            }
        }
        entries.push(TerytEntry { code, kind, name });
    }
    // Every gmina must belong to a listed powiat.
    for e in &entries {
        if e.kind.is_gmina() && !entries.iter().any(|p| p.code == e.powiat_code()) {
            return Err(format!("gmina {} has no powiat {} in the register", e.code, e.powiat_code()));
        }
    }
    Ok(entries)
}

fn register() -> &'static [TerytEntry] {
    static REGISTER: OnceLock<Vec<TerytEntry>> = OnceLock::new();
    REGISTER.get_or_init(|| {
        parse_register(DATA).unwrap_or_else(|e| panic!("embedded data/teryt-wielkopolskie.tsv is invalid: {e}"))
    })
}

/// The unit with this exact code (4 or 7 digits), if it is in the register.
pub fn lookup(code: &str) -> Option<&'static TerytEntry> {
    let all = register();
    all.binary_search_by(|e| e.code.cmp(code)).ok().map(|i| &all[i])
}

/// All units, sorted by code (each powiat is followed by its gminy).
pub fn all() -> &'static [TerytEntry] {
    register()
}

/// The 35 powiat-level units: 31 powiaty and 4 miasta na prawach powiatu.
pub fn powiaty() -> impl Iterator<Item = &'static TerytEntry> {
    register().iter().filter(|e| e.kind.is_powiat_level())
}

/// The gminy of the powiat with the 4-digit code `code4`, in code order; empty for an unknown
/// code. For a miasto na prawach powiatu this is its single gmina miejska (e.g. 3064 → 3064011).
pub fn gminy_of_powiat(code4: &str) -> impl Iterator<Item = &'static TerytEntry> + '_ {
    register().iter().filter(move |e| e.kind.is_gmina() && code4.len() == 4 && e.code.starts_with(code4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn embedded_register_parses_with_expected_counts() {
        let all = all();
        let count = |k: TerytKind| all.iter().filter(|e| e.kind == k).count();
        assert_eq!(count(TerytKind::Powiat), 31);
        assert_eq!(count(TerytKind::MiastoNaPrawachPowiatu), 4);
        assert_eq!(all.iter().filter(|e| e.kind.is_gmina()).count(), 226);
        assert_eq!(count(TerytKind::GminaMiejska), 19);
        assert_eq!(count(TerytKind::GminaWiejska), 107);
        assert_eq!(count(TerytKind::GminaMiejskoWiejska), 100);
        assert_eq!(powiaty().count(), 35);
        assert!(all.iter().all(|e| e.code.starts_with("30")));
    }

    #[test]
    fn lookups() {
        let poznan = lookup("3064011").unwrap();
        assert_eq!((poznan.name, poznan.kind), ("Poznań", TerytKind::GminaMiejska));
        assert_eq!(lookup("3064").unwrap().kind, TerytKind::MiastoNaPrawachPowiatu);
        assert_eq!(lookup("3021").unwrap().name, "poznański");
        assert_eq!(lookup("3030023").unwrap().name, "Miłosław");
        assert!(lookup("3030024").is_none(), "town part of a gmina is not a unit");
        assert!(lookup("3064029").is_none(), "delegatura is not a unit");
        assert!(lookup("3099999").is_none());
        assert!(lookup("").is_none());
        let city: Vec<_> = gminy_of_powiat("3064").map(|e| e.code).collect();
        assert_eq!(city, ["3064011"]);
        let chodzieski: Vec<_> = gminy_of_powiat("3001").map(|e| e.name).collect();
        assert_eq!(chodzieski, ["Chodzież", "Budzyń", "Chodzież", "Margonin", "Szamocin"]);
        assert_eq!(gminy_of_powiat("3099").count(), 0);
        assert_eq!(gminy_of_powiat("30").count(), 0);
        let total: usize = powiaty().map(|p| gminy_of_powiat(p.code).count()).sum();
        assert_eq!(total, 226, "every gmina lies in exactly one powiat");
    }

    #[test]
    fn kinds_round_trip_and_serialize_as_in_file() {
        for e in all() {
            assert_eq!(TerytKind::parse(e.kind.as_str()), Some(e.kind));
            assert_eq!(serde_json::to_value(e.kind).unwrap(), e.kind.as_str());
        }
        let json = serde_json::to_value(lookup("3064").unwrap()).unwrap();
        assert_eq!(json, serde_json::json!({"code": "3064", "kind": "miasto_na_prawach_powiatu", "name": "Poznań"}));
    }

    #[test]
    fn parser_rejects_malformed_data() {
        let bad = [
            "code\tkind\tname\n3001\tpowiat\n",
            "code\tkind\tname\n3001\tgmina\tx\n",
            "code\tkind\tname\n30011\tpowiat\tx\n",
            "code\tkind\tname\n3001\tpowiat\tx\n3001012\tgmina_miejska\tx\n",
            "code\tkind\tname\n3002\tpowiat\tx\n3001\tpowiat\ty\n",
            "code\tkind\tname\n3001011\tgmina_miejska\tx\n",
            "3001\tpowiat\tx\n",
        ];
        for data in bad {
            assert!(parse_register(data).is_err(), "{data:?}");
        }
        let ok = parse_register("# c\ncode\tkind\tname\n3001\tpowiat\tx\n3001011\tgmina_miejska\tX\n").unwrap();
        assert_eq!(ok.len(), 2);
    }

    /// Compares our register with the official GUS TERC extract when it is present
    /// (`/work/shared/data`, outside the crate); skipped with a note otherwise.
    #[test]
    fn matches_official_terc_file_when_present() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/terc-wielkopolskie-2024-01-01.csv");
        let Ok(csv) = std::fs::read_to_string(path) else {
            eprintln!("NOTE: {path} not found; skipping comparison with the official TERC register");
            return;
        };
        let mut expected: BTreeMap<String, (TerytKind, String)> = BTreeMap::new();
        let mut lines = csv.lines();
        let header = lines.next().unwrap().trim_end_matches('\r').trim_start_matches('\u{feff}');
        assert_eq!(header, "WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA");
        for line in lines {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            let c: Vec<&str> = line.split(';').collect();
            assert_eq!(c.len(), 7, "{line}");
            let (woj, pow, gmi, rodz, name, dod) = (c[0], c[1], c[2], c[3], c[4], c[5]);
            let entry = match (pow, gmi, rodz) {
                ("", _, _) => None, // the województwo itself
                (_, "", _) if dod == "miasto na prawach powiatu" => {
                    Some((format!("{woj}{pow}"), TerytKind::MiastoNaPrawachPowiatu))
                }
                (_, "", _) => {
                    assert_eq!(dod, "powiat", "{line}");
                    Some((format!("{woj}{pow}"), TerytKind::Powiat))
                }
                (_, _, "1") => Some((format!("{woj}{pow}{gmi}{rodz}"), TerytKind::GminaMiejska)),
                (_, _, "2") => Some((format!("{woj}{pow}{gmi}{rodz}"), TerytKind::GminaWiejska)),
                (_, _, "3") => Some((format!("{woj}{pow}{gmi}{rodz}"), TerytKind::GminaMiejskoWiejska)),
                (_, _, "4" | "5" | "8" | "9") => None, // parts of gminy and delegatury
                _ => panic!("unexpected TERC row: {line}"),
            };
            if let Some((code, kind)) = entry {
                assert!(expected.insert(code, (kind, name.to_owned())).is_none(), "duplicate: {line}");
            }
        }
        let ours: BTreeMap<String, (TerytKind, String)> =
            all().iter().map(|e| (e.code.to_owned(), (e.kind, e.name.to_owned()))).collect();
        assert_eq!(ours, expected);
        let count = |k: TerytKind| expected.values().filter(|(kind, _)| *kind == k).count();
        assert_eq!(count(TerytKind::Powiat), 31);
        assert_eq!(count(TerytKind::MiastoNaPrawachPowiatu), 4);
        assert_eq!(expected.values().filter(|(k, _)| k.is_gmina()).count(), 226);
    }
}
