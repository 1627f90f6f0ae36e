//! Units (jednostki): gminy, powiaty, miasta na prawach powiatu, their organisational units and
//! other clients. Units form a tree (a gmina's school hangs below the gmina); a gmina is *not*
//! below its powiat — both are independent self-governments — but carries the powiat's TERYT
//! code so staff can filter by powiat.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{bounded_text, FieldError, ValidationErrors};
use crate::history::{ChangeSet, FieldChange};
use crate::ids::UnitId;
use crate::teryt::{self, TerytKind};
use crate::training::Coordinates;
use crate::values::{Email, Nip, PhoneNumber, PostalCode, Regon, Teryt, ValueError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    GminaMiejska,
    GminaWiejska,
    GminaMiejskoWiejska,
    Powiat,
    MiastoNaPrawachPowiatu,
    JednostkaOrganizacyjna,
    Inna,
}

impl UnitKind {
    pub const ALL: [UnitKind; 7] = [
        Self::GminaMiejska,
        Self::GminaWiejska,
        Self::GminaMiejskoWiejska,
        Self::Powiat,
        Self::MiastoNaPrawachPowiatu,
        Self::JednostkaOrganizacyjna,
        Self::Inna,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::GminaMiejska => "gmina_miejska",
            Self::GminaWiejska => "gmina_wiejska",
            Self::GminaMiejskoWiejska => "gmina_miejsko_wiejska",
            Self::Powiat => "powiat",
            Self::MiastoNaPrawachPowiatu => "miasto_na_prawach_powiatu",
            Self::JednostkaOrganizacyjna => "jednostka_organizacyjna",
            Self::Inna => "inna",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == raw.trim())
    }

    /// Self-governments are roots of the tree; organisational units always hang below one.
    fn is_self_government(self) -> bool {
        !matches!(self, Self::JednostkaOrganizacyjna | Self::Inna)
    }

    /// The register kind a TERYT code of this unit must have, if the kind is a self-government.
    fn register_kind(self) -> Option<TerytKind> {
        match self {
            Self::GminaMiejska => Some(TerytKind::GminaMiejska),
            Self::GminaWiejska => Some(TerytKind::GminaWiejska),
            Self::GminaMiejskoWiejska => Some(TerytKind::GminaMiejskoWiejska),
            Self::Powiat => Some(TerytKind::Powiat),
            Self::MiastoNaPrawachPowiatu => Some(TerytKind::MiastoNaPrawachPowiatu),
            Self::JednostkaOrganizacyjna | Self::Inna => None,
        }
    }
}

impl std::fmt::Display for UnitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The association's business segments (obszary działalności).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum Segment {
    #[serde(rename = "EDU")]
    Edu,
    #[serde(rename = "LEX")]
    Lex,
    #[serde(rename = "PIAS+")]
    PiasPlus,
    #[serde(rename = "CWE")]
    Cwe,
    #[serde(rename = "ZZG/P")]
    Zzgp,
}

impl Segment {
    pub const ALL: [Segment; 5] = [Self::Edu, Self::Lex, Self::PiasPlus, Self::Cwe, Self::Zzgp];

    pub fn code(self) -> &'static str {
        match self {
            Self::Edu => "EDU",
            Self::Lex => "LEX",
            Self::PiasPlus => "PIAS+",
            Self::Cwe => "CWE",
            Self::Zzgp => "ZZG/P",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|segment| segment.code() == raw.trim())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<PostalCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

/// Membership of the association (członkostwo): since when, and until when if it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_since: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_until: Option<NaiveDate>,
}

impl Membership {
    pub fn is_member_on(&self, day: NaiveDate) -> bool {
        self.member_since.is_some_and(|since| since <= day) && self.member_until.is_none_or(|until| day <= until)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    pub id: UnitId,
    pub kind: UnitKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teryt: Option<Teryt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nip: Option<Nip>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regon: Option<Regon>,
    #[serde(default)]
    pub address: Address,
    /// Where the unit's office is, for "units within N km of the venue" when inviting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinates: Option<Coordinates>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<UnitId>,
    /// Ids from the root of the tree down to the parent (empty for a root).
    #[serde(default)]
    pub ancestors: Vec<UnitId>,
    /// The 4-digit TERYT code of the powiat the unit lies in (for filtering).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub powiat_teryt: Option<String>,
    #[serde(default)]
    pub membership: Membership,
    #[serde(default)]
    pub segments: BTreeSet<Segment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Unit {
    /// A unit with only kind and name, before the other fields are applied.
    fn blank(kind: UnitKind, name: String, now: DateTime<Utc>) -> Self {
        Unit {
            id: UnitId::generate(),
            kind,
            name,
            teryt: None,
            nip: None,
            regon: None,
            address: Address::default(),
            coordinates: None,
            email: None,
            phone: None,
            parent_id: None,
            ancestors: Vec::new(),
            powiat_teryt: None,
            membership: Membership::default(),
            segments: BTreeSet::new(),
            notes: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// The unit path: ancestors and the unit itself. Access checks look for the caller's unit here.
    pub fn path(&self) -> Vec<UnitId> {
        let mut path = self.ancestors.clone();
        path.push(self.id);
        path
    }

    pub fn root(&self) -> UnitId {
        self.ancestors.first().copied().unwrap_or(self.id)
    }
}

/// A unit as posted (create) or patched (absent field = unchanged, empty string = cleared).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnitInput {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub teryt: Option<String>,
    pub nip: Option<String>,
    pub regon: Option<String>,
    pub address: Option<AddressInput>,
    /// Decimal degrees of the office, e.g. `"52,2475"`; both blank = cleared, both absent = unchanged.
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub parent_id: Option<String>,
    pub member_since: Option<String>,
    pub member_until: Option<String>,
    pub segments: Option<Vec<String>>,
    pub notes: Option<String>,
    /// Required on PATCH: the version the client edited (optimistic locking).
    pub version: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInput {
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
}

pub const NAME_MAX: usize = 200;
pub const NOTES_MAX: usize = 5_000;

fn parse_date(raw: &str) -> Result<NaiveDate, ValueError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| ValueError::InvalidDate)
}

impl UnitInput {
    /// Builds a new unit. `parent` is the loaded parent when `parentId` was given.
    pub fn create(self, parent: Option<&Unit>, now: DateTime<Utc>) -> Result<Unit, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let kind = match self.kind.as_deref() {
            None => {
                errors.push(FieldError::required("kind"));
                None
            }
            Some(raw) => parse_kind(&mut errors, raw),
        };
        let name = errors.required("name", self.name.as_deref(), |s| bounded_text(s, NAME_MAX));
        let blank = Unit::blank(kind.unwrap_or(UnitKind::Inna), name.clone().unwrap_or_default(), now);
        let input = UnitInput { kind: None, name: None, ..self };
        match input.apply(blank, parent, &mut errors) {
            Some(unit) if errors.is_empty() && kind.is_some() && name.is_some() => Ok(unit),
            _ => Err(errors),
        }
    }

    /// Applies a PATCH; returns the new state and the changed fields for the audit trail.
    pub fn update(
        self,
        current: &Unit,
        parent: Option<&Unit>,
        now: DateTime<Utc>,
    ) -> Result<(Unit, Vec<FieldChange>), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.version.is_none() {
            errors.push(FieldError::required("version"));
        }
        let mut next = current.clone();
        if let Some(raw) = self.kind.as_deref() {
            if let Some(kind) = parse_kind(&mut errors, raw) {
                next.kind = kind;
            }
        }
        if let Some(raw) = self.name.as_deref() {
            if let Some(name) = errors.required("name", Some(raw), |s| bounded_text(s, NAME_MAX)) {
                next.name = name;
            }
        }
        let input = UnitInput { kind: None, name: None, ..self };
        let next = input.apply(next, parent, &mut errors);
        match next {
            Some(mut next) if errors.is_empty() => {
                let changes = unit_changes(current, &next);
                next.version = current.version + 1;
                next.updated_at = now;
                Ok((next, changes))
            }
            _ => Err(errors),
        }
    }

    /// The fields shared by create and update; kind and name are already in `unit`.
    fn apply(self, mut unit: Unit, parent: Option<&Unit>, errors: &mut ValidationErrors) -> Option<Unit> {
        unit.teryt = errors.patch("teryt", unit.teryt, self.teryt.as_deref(), Teryt::parse);
        unit.nip = errors.patch("nip", unit.nip, self.nip.as_deref(), Nip::parse);
        unit.regon = errors.patch("regon", unit.regon, self.regon.as_deref(), Regon::parse);
        unit.email = errors.patch("email", unit.email, self.email.as_deref(), Email::parse);
        unit.phone = errors.patch("phone", unit.phone, self.phone.as_deref(), PhoneNumber::parse);
        unit.notes = errors.patch("notes", unit.notes, self.notes.as_deref(), |s| bounded_text(s, NOTES_MAX));
        if let Some(address) = self.address {
            let text = |s: &str| bounded_text(s, NAME_MAX);
            unit.address.street = errors.patch("address.street", unit.address.street, address.street.as_deref(), text);
            unit.address.postal_code = errors.patch(
                "address.postalCode",
                unit.address.postal_code,
                address.postal_code.as_deref(),
                PostalCode::parse,
            );
            unit.address.city = errors.patch("address.city", unit.address.city, address.city.as_deref(), text);
        }
        match (self.latitude.as_deref().map(str::trim), self.longitude.as_deref().map(str::trim)) {
            (None, None) => {}
            (Some(""), Some("")) => unit.coordinates = None,
            (latitude, longitude) => {
                match Coordinates::parse(latitude.unwrap_or_default(), longitude.unwrap_or_default(), "") {
                    Ok(at) => unit.coordinates = Some(at),
                    Err(field_errors) => field_errors.into_iter().for_each(|e| errors.push(e)),
                }
            }
        }
        unit.membership.member_since =
            errors.patch("memberSince", unit.membership.member_since, self.member_since.as_deref(), parse_date);
        unit.membership.member_until =
            errors.patch("memberUntil", unit.membership.member_until, self.member_until.as_deref(), parse_date);
        if let (Some(since), Some(until)) = (unit.membership.member_since, unit.membership.member_until) {
            if until < since {
                errors.push(FieldError::new(
                    "memberUntil",
                    "before_member_since",
                    "Koniec członkostwa nie może być wcześniejszy niż jego początek.",
                    "Membership cannot end before it starts.",
                ));
            }
        }
        if let Some(segments) = self.segments {
            let mut parsed = BTreeSet::new();
            for (index, raw) in segments.iter().enumerate() {
                match Segment::parse(raw) {
                    Some(segment) => {
                        parsed.insert(segment);
                    }
                    None => errors.push(FieldError::new(
                        format!("segments[{index}]"),
                        "unknown_segment",
                        "Nieznany obszar; dozwolone: EDU, LEX, PIAS+, CWE, ZZG/P.",
                        "Unknown segment; allowed: EDU, LEX, PIAS+, CWE, ZZG/P.",
                    )),
                }
            }
            unit.segments = parsed;
        }
        unit.parent_id = parent.map(|p| p.id);
        unit.ancestors = parent.map(Unit::path).unwrap_or_default();
        check_tree_and_register(&unit, errors);
        unit.powiat_teryt = unit
            .teryt
            .as_ref()
            .map(|code| code.powiat_code().to_owned())
            .or_else(|| parent.and_then(|p| p.powiat_teryt.clone()));
        Some(unit)
    }
}

fn parse_kind(errors: &mut ValidationErrors, raw: &str) -> Option<UnitKind> {
    let kind = UnitKind::parse(raw);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "unknown_unit_kind", "Nieznany rodzaj jednostki.", "Unknown unit kind."));
    }
    kind
}

/// Self-governments are roots and their TERYT code must be of their kind; organisational units
/// hang below another unit; a unit is never its own ancestor.
fn check_tree_and_register(unit: &Unit, errors: &mut ValidationErrors) {
    if unit.kind.is_self_government() && unit.parent_id.is_some() {
        errors.push(FieldError::new(
            "parentId",
            "self_government_has_no_parent",
            "Gmina, powiat ani miasto na prawach powiatu nie podlega innej jednostce.",
            "A gmina, powiat or city with powiat rights has no parent unit.",
        ));
    }
    if unit.kind == UnitKind::JednostkaOrganizacyjna && unit.parent_id.is_none() {
        errors.push(FieldError::new(
            "parentId",
            "parent_required",
            "Jednostka organizacyjna musi mieć jednostkę nadrzędną.",
            "An organisational unit needs a parent unit.",
        ));
    }
    if unit.ancestors.contains(&unit.id) {
        errors.push(FieldError::new(
            "parentId",
            "cycle",
            "Jednostka nie może podlegać sama sobie ani swojej jednostce podległej.",
            "A unit cannot be below itself or one of its sub-units.",
        ));
    }
    if let (Some(expected), Some(code)) = (unit.kind.register_kind(), unit.teryt.as_ref()) {
        let actual = teryt::lookup(code.as_str()).map(|entry| entry.kind);
        if actual != Some(expected) {
            errors.push(FieldError::new(
                "teryt",
                "teryt_kind_mismatch",
                "Kod TERYT w rejestrze oznacza jednostkę innego rodzaju.",
                "In the register this TERYT code denotes a unit of another kind.",
            ));
        }
    }
}

fn unit_changes(before: &Unit, after: &Unit) -> Vec<FieldChange> {
    let mut changes = ChangeSet::default();
    changes.compare("kind", Some(&before.kind), Some(&after.kind));
    changes.compare("name", Some(&before.name), Some(&after.name));
    changes.compare("teryt", before.teryt.as_ref(), after.teryt.as_ref());
    changes.compare("nip", before.nip.as_ref(), after.nip.as_ref());
    changes.compare("regon", before.regon.as_ref(), after.regon.as_ref());
    changes.compare("address.street", before.address.street.as_ref(), after.address.street.as_ref());
    changes.compare("address.postalCode", before.address.postal_code.as_ref(), after.address.postal_code.as_ref());
    changes.compare("address.city", before.address.city.as_ref(), after.address.city.as_ref());
    let at = |c: &Option<Coordinates>| c.map(|c| format!("{}, {}", c.latitude, c.longitude));
    changes.compare("coordinates", at(&before.coordinates).as_ref(), at(&after.coordinates).as_ref());
    changes.compare("email", before.email.as_ref(), after.email.as_ref());
    changes.compare("phone", before.phone.as_ref(), after.phone.as_ref());
    changes.compare("parentId", before.parent_id.as_ref(), after.parent_id.as_ref());
    changes.compare("memberSince", before.membership.member_since.as_ref(), after.membership.member_since.as_ref());
    changes.compare("memberUntil", before.membership.member_until.as_ref(), after.membership.member_until.as_ref());
    let segments = |unit: &Unit| unit.segments.iter().map(|s| s.code()).collect::<Vec<_>>().join(", ");
    changes.compare("segments", Some(&segments(before)), Some(&segments(after)));
    changes.compare("notes", before.notes.as_ref(), after.notes.as_ref());
    changes.0
}

/// The audit record of a new unit: every field that has a value.
pub fn creation_changes(unit: &Unit) -> Vec<FieldChange> {
    let empty = Unit { id: unit.id, ..Unit::blank(unit.kind, String::new(), unit.created_at) };
    let mut changes = unit_changes(&empty, unit);
    changes.insert(0, FieldChange { field: "kind".into(), before: None, after: Some(unit.kind.to_string()) });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, name: &str) -> UnitInput {
        UnitInput { kind: Some(kind.into()), name: Some(name.into()), ..Default::default() }
    }

    #[test]
    fn gmina_with_register_code_and_valid_numbers() {
        let unit = UnitInput {
            teryt: Some("3064011".into()),
            nip: Some("209-000-14-40".into()),
            member_since: Some("1990-06-01".into()),
            segments: Some(vec!["EDU".into(), "PIAS+".into()]),
            ..input("gmina_miejska", "Miasto Poznań")
        }
        .create(None, Utc::now())
        .unwrap();
        assert_eq!(unit.powiat_teryt.as_deref(), Some("3064"));
        assert!(unit.membership.is_member_on(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()));
        assert_eq!(unit.segments.len(), 2);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = UnitInput {
            kind: Some("kontrahent".into()),
            name: Some("   ".into()),
            nip: Some("1234567890".into()),
            address: Some(AddressInput { postal_code: Some("6100".into()), ..Default::default() }),
            segments: Some(vec!["XYZ".into()]),
            ..Default::default()
        }
        .create(None, Utc::now())
        .unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        for field in ["kind", "name", "nip", "address.postalCode", "segments[0]"] {
            assert!(fields.contains(&field), "{field} missing in {fields:?}");
        }
    }

    #[test]
    fn teryt_must_match_the_kind() {
        // 3021 is powiat poznański, not a gmina.
        let errors = UnitInput { teryt: Some("3021".into()), ..input("gmina_wiejska", "X") }
            .create(None, Utc::now())
            .unwrap_err();
        assert_eq!(errors.0[0].code, "teryt_kind_mismatch");
    }

    #[test]
    fn organisational_unit_needs_parent_and_inherits_path_and_powiat() {
        let errors = input("jednostka_organizacyjna", "Szkoła").create(None, Utc::now()).unwrap_err();
        assert_eq!(errors.0[0].code, "parent_required");
        let gmina = UnitInput { teryt: Some("3021093".into()), ..input("gmina_miejsko_wiejska", "Kórnik") }
            .create(None, Utc::now())
            .unwrap();
        let school =
            input("jednostka_organizacyjna", "Szkoła Podstawowa w Kórniku").create(Some(&gmina), Utc::now()).unwrap();
        assert_eq!(school.ancestors, vec![gmina.id]);
        assert_eq!(school.path(), vec![gmina.id, school.id]);
        assert_eq!(school.powiat_teryt.as_deref(), Some("3021"));
        assert_eq!(school.root(), gmina.id);
    }

    #[test]
    fn patch_keeps_absent_clears_blank_and_reports_changes() {
        let unit =
            UnitInput { email: Some("gmina@kornik.pl".into()), notes: Some("n".into()), ..input("inna", "Fundacja") }
                .create(None, Utc::now())
                .unwrap();
        let patch = UnitInput {
            version: Some(1),
            notes: Some("".into()),
            phone: Some("61 817 04 11".into()),
            ..Default::default()
        };
        let (next, changes) = patch.update(&unit, None, Utc::now()).unwrap();
        assert_eq!(next.email, unit.email);
        assert_eq!(next.notes, None);
        assert_eq!(next.version, 2);
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["phone", "notes"]);
    }

    #[test]
    fn membership_window() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let membership = Membership { member_since: Some(day(10)), member_until: Some(day(20)) };
        assert!(!membership.is_member_on(day(9)));
        assert!(membership.is_member_on(day(10)));
        assert!(membership.is_member_on(day(20)));
        assert!(!membership.is_member_on(day(21)));
        assert!(!Membership::default().is_member_on(day(1)));
    }

    #[test]
    fn coordinates_parse_together_clear_together_and_show_in_the_audit() {
        let unit = UnitInput {
            kind: Some("gmina_miejsko_wiejska".into()),
            name: Some("Gmina Kórnik".into()),
            latitude: Some("52,2475".into()),
            longitude: Some("17.0969".into()),
            ..Default::default()
        }
        .create(None, Utc::now())
        .unwrap();
        let at = unit.coordinates.expect("coordinates parsed");
        assert_eq!((at.latitude.to_string(), at.longitude.to_string()), ("52.2475".into(), "17.0969".into()));
        let half = UnitInput { latitude: Some("52.1".into()), version: Some(unit.version), ..Default::default() };
        let errors = half.update(&unit, None, Utc::now()).unwrap_err();
        assert_eq!(errors.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["longitude"]);
        let cleared = UnitInput {
            latitude: Some(" ".into()),
            longitude: Some("".into()),
            version: Some(unit.version),
            ..Default::default()
        };
        let (next, changes) = cleared.update(&unit, None, Utc::now()).unwrap();
        assert_eq!(next.coordinates, None);
        assert_eq!(changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(), ["coordinates"]);
    }
}
