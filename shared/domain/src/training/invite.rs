//! The invited list (lista zaproszonych) kept with a training: criteria that select units, plus
//! units and persons added by hand. The mailing module sends to it; here it is stored and matched.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{FieldError, ValidationErrors};
use crate::ids::{PersonId, UnitId};
use crate::teryt;
use crate::unit::{Segment, Unit, UnitKind};

use super::venue::{distance_km, Venue};

/// Every non-empty criterion must hold (within one list, any value matches). Empty criteria
/// match every unit; [`InvitedList::includes_unit`] treats them as "no criteria" instead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteCriteria {
    /// 4-digit TERYT codes of powiaty.
    #[serde(default)]
    pub powiaty: Vec<String>,
    #[serde(default)]
    pub unit_kinds: Vec<UnitKind>,
    /// `true`: members only; `false`: non-members only; absent: both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_only: Option<bool>,
    /// Units interested in any of these segments.
    #[serde(default)]
    pub segments: Vec<Segment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "30")]
    pub max_distance_km: Option<Decimal>,
}

impl InviteCriteria {
    pub fn is_empty(&self) -> bool {
        self.powiaty.is_empty()
            && self.unit_kinds.is_empty()
            && self.members_only.is_none()
            && self.segments.is_empty()
            && self.max_distance_km.is_none()
    }

    /// Whether `unit` falls in the segment. A distance limit needs both the venue and the unit's
    /// coordinates: a unit whose distance is unknown is not selected (better a manual addition
    /// than an invitation to the far end of the region).
    pub fn matches(&self, unit: &Unit, venue: Option<&Venue>, today: NaiveDate) -> bool {
        let powiat = self.powiaty.is_empty() || unit.powiat_teryt.as_ref().is_some_and(|p| self.powiaty.contains(p));
        let kind = self.unit_kinds.is_empty() || self.unit_kinds.contains(&unit.kind);
        let membership = self.members_only.is_none_or(|members| unit.membership.is_member_on(today) == members);
        let segment = self.segments.is_empty() || self.segments.iter().any(|s| unit.segments.contains(s));
        let distance = self.max_distance_km.is_none_or(|max| match (venue, unit.coordinates) {
            (Some(venue), Some(at)) => distance_km(venue.coordinates, at) <= max,
            _ => false,
        });
        powiat && kind && membership && segment && distance
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitedList {
    #[serde(default)]
    pub criteria: InviteCriteria,
    /// Units added by hand (in addition to those the criteria select).
    #[serde(default)]
    pub unit_ids: Vec<UnitId>,
    /// Persons invited individually.
    #[serde(default)]
    pub person_ids: Vec<PersonId>,
}

impl InvitedList {
    /// Listed by hand, or selected by non-empty criteria.
    pub fn includes_unit(&self, unit: &Unit, venue: Option<&Venue>, today: NaiveDate) -> bool {
        self.unit_ids.contains(&unit.id) || (!self.criteria.is_empty() && self.criteria.matches(unit, venue, today))
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InviteCriteriaInput {
    pub powiaty: Option<Vec<String>>,
    pub unit_kinds: Option<Vec<String>>,
    pub members_only: Option<bool>,
    pub segments: Option<Vec<String>>,
    /// Kilometres, e.g. `"30"`; blank = no limit.
    pub max_distance_km: Option<String>,
}

/// The invited list as posted; it replaces the stored list as a whole.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvitedListInput {
    pub criteria: Option<InviteCriteriaInput>,
    pub unit_ids: Option<Vec<String>>,
    pub person_ids: Option<Vec<String>>,
}

impl InvitedListInput {
    pub fn parse(self, errors: &mut ValidationErrors) -> InvitedList {
        let criteria = self.criteria.unwrap_or_default();
        let mut list = InvitedList::default();
        for (index, raw) in criteria.powiaty.unwrap_or_default().iter().enumerate() {
            let code = raw.trim();
            match teryt::lookup(code) {
                Some(entry) if entry.kind.is_powiat_level() => {
                    if !list.criteria.powiaty.iter().any(|p| p == code) {
                        list.criteria.powiaty.push(code.to_owned());
                    }
                }
                _ => errors.push(FieldError::new(
                    format!("invited.criteria.powiaty[{index}]"),
                    "unknown_powiat",
                    "Nieznany powiat: podaj 4-cyfrowy kod TERYT powiatu z województwa wielkopolskiego.",
                    "Unknown powiat: give the 4-digit TERYT code of a powiat in Wielkopolska.",
                )),
            }
        }
        for (index, raw) in criteria.unit_kinds.unwrap_or_default().iter().enumerate() {
            match UnitKind::parse(raw) {
                Some(kind) if !list.criteria.unit_kinds.contains(&kind) => list.criteria.unit_kinds.push(kind),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    format!("invited.criteria.unitKinds[{index}]"),
                    "unknown_unit_kind",
                    "Nieznany rodzaj jednostki.",
                    "Unknown unit kind.",
                )),
            }
        }
        list.criteria.members_only = criteria.members_only;
        for (index, raw) in criteria.segments.unwrap_or_default().iter().enumerate() {
            match Segment::parse(raw) {
                Some(segment) if !list.criteria.segments.contains(&segment) => list.criteria.segments.push(segment),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    format!("invited.criteria.segments[{index}]"),
                    "unknown_segment",
                    "Nieznany obszar; dozwolone: EDU, LEX, PIAS+, CWE, ZZG/P.",
                    "Unknown segment; allowed: EDU, LEX, PIAS+, CWE, ZZG/P.",
                )),
            }
        }
        list.criteria.max_distance_km = match criteria.max_distance_km.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let km = raw.replace(',', ".").parse::<Decimal>().ok().filter(|km| *km > Decimal::ZERO);
                if km.is_none() {
                    errors.push(FieldError::new(
                        "invited.criteria.maxDistanceKm",
                        "invalid_distance",
                        "Odległość w km musi być liczbą większą od zera.",
                        "The distance in km must be a number greater than zero.",
                    ));
                }
                km
            }
        };
        list.unit_ids = parse_ids(errors, "invited.unitIds", self.unit_ids.unwrap_or_default(), UnitId::parse);
        list.person_ids = parse_ids(errors, "invited.personIds", self.person_ids.unwrap_or_default(), PersonId::parse);
        list
    }
}

/// Parses a list of ids, reporting each bad one by index and dropping repeats.
pub(crate) fn parse_ids<T: PartialEq>(
    errors: &mut ValidationErrors,
    field: &str,
    raw: Vec<String>,
    parse: impl Fn(&str) -> Result<T, crate::values::ValueError>,
) -> Vec<T> {
    let mut ids = Vec::new();
    for (index, raw) in raw.iter().enumerate() {
        if let Some(id) = errors.check(&format!("{field}[{index}]"), parse(raw)) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::Coordinates;
    use crate::unit::UnitInput;
    use chrono::Utc;

    fn kornik() -> Unit {
        UnitInput {
            kind: Some("gmina_miejsko_wiejska".into()),
            name: Some("Gmina Kórnik".into()),
            teryt: Some("3021093".into()),
            member_since: Some("1995-01-01".into()),
            segments: Some(vec!["EDU".into()]),
            ..Default::default()
        }
        .create(None, Utc::now())
        .unwrap()
    }

    fn venue_in_poznan() -> Venue {
        super::super::venue::VenueInput {
            name: Some("Sala".into()),
            address: Some(crate::unit::AddressInput { city: Some("Poznań".into()), ..Default::default() }),
            capacity: Some(30),
            latitude: Some("52.406374".into()),
            longitude: Some("16.925168".into()),
            ..Default::default()
        }
        .create(Utc::now())
        .unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
    }

    fn at_kornik() -> Option<Coordinates> {
        Some(Coordinates::parse("52.2475", "17.0969", "").unwrap())
    }

    #[test]
    fn each_criterion_narrows_the_selection() {
        let mut unit = kornik();
        unit.coordinates = at_kornik();
        let venue = venue_in_poznan();
        let matches = |criteria: InviteCriteria| criteria.matches(&unit, Some(&venue), today());
        assert!(matches(InviteCriteria { powiaty: vec!["3021".into()], ..Default::default() }));
        assert!(!matches(InviteCriteria { powiaty: vec!["3064".into()], ..Default::default() }));
        assert!(matches(InviteCriteria { unit_kinds: vec![UnitKind::GminaMiejskoWiejska], ..Default::default() }));
        assert!(!matches(InviteCriteria { unit_kinds: vec![UnitKind::Powiat], ..Default::default() }));
        assert!(matches(InviteCriteria { members_only: Some(true), ..Default::default() }));
        assert!(!matches(InviteCriteria { members_only: Some(false), ..Default::default() }));
        assert!(matches(InviteCriteria { segments: vec![Segment::Edu, Segment::Lex], ..Default::default() }));
        assert!(!matches(InviteCriteria { segments: vec![Segment::Cwe], ..Default::default() }));
        assert!(matches(InviteCriteria { max_distance_km: Some(Decimal::from(30)), ..Default::default() }));
        assert!(!matches(InviteCriteria { max_distance_km: Some(Decimal::from(10)), ..Default::default() }));
        // All together: AND across criteria.
        assert!(!matches(InviteCriteria {
            powiaty: vec!["3021".into()],
            segments: vec![Segment::Cwe],
            ..Default::default()
        }));
    }

    #[test]
    fn unknown_distance_does_not_match_a_distance_limit() {
        let criteria = InviteCriteria { max_distance_km: Some(Decimal::from(500)), ..Default::default() };
        let mut located = kornik();
        located.coordinates = at_kornik();
        assert!(!criteria.matches(&located, None, today()));
        assert!(!criteria.matches(&kornik(), Some(&venue_in_poznan()), today()));
        assert!(criteria.matches(&located, Some(&venue_in_poznan()), today()));
    }

    #[test]
    fn list_includes_hand_picked_units_and_empty_criteria_select_nobody() {
        let unit = kornik();
        let mut list = InvitedList::default();
        assert!(!list.includes_unit(&unit, None, today()));
        list.unit_ids.push(unit.id);
        assert!(list.includes_unit(&unit, None, today()));
    }

    #[test]
    fn input_reports_every_bad_entry_and_drops_repeats() {
        let mut errors = ValidationErrors::default();
        let list = InvitedListInput {
            criteria: Some(InviteCriteriaInput {
                powiaty: Some(vec!["3021".into(), "3021".into(), "9999".into(), "3021093".into()]),
                unit_kinds: Some(vec!["powiat".into(), "kontrahent".into()]),
                segments: Some(vec!["EDU".into(), "XYZ".into()]),
                max_distance_km: Some("-3".into()),
                members_only: Some(true),
            }),
            unit_ids: Some(vec!["x".into()]),
            person_ids: None,
        }
        .parse(&mut errors);
        assert_eq!(list.criteria.powiaty, vec!["3021".to_string()]);
        assert_eq!(list.criteria.unit_kinds, vec![UnitKind::Powiat]);
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "invited.criteria.powiaty[2]",
                "invited.criteria.powiaty[3]",
                "invited.criteria.unitKinds[1]",
                "invited.criteria.segments[1]",
                "invited.criteria.maxDistanceKm",
                "invited.unitIds[0]"
            ]
        );
    }
}
