//! Persons (osoby): employees of units. A person belongs to one unit at a time; moving to
//! another unit closes the current employment and opens a new one, so the history of where a
//! person worked is kept. A person who left stays in the registry (with their training history)
//! but no longer holds their e-mail address: it may be reused by a successor.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::errors::{bounded_text, FieldError, ValidationErrors};
use crate::history::{ChangeSet, FieldChange};
use crate::ids::{PersonId, UnitId};
use crate::search;
use crate::unit::Unit;
use crate::values::{Email, PersonName, PhoneNumber};

pub const POSITION_MAX: usize = 150;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    Active,
    Left,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: PersonId,
    pub first_name: PersonName,
    pub last_name: PersonName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    pub unit_id: UnitId,
    /// The unit's path (root … unit): access checks read it from the person record itself.
    pub unit_path: Vec<UnitId>,
    pub status: PersonStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_on: Option<NaiveDate>,
    /// Id of the current employment record (the one to close on a move or leave).
    pub employment_id: Uuid,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One period of work in one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Employment {
    pub id: Uuid,
    pub person_id: PersonId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn is_active(&self) -> bool {
        self.status == PersonStatus::Active
    }

    /// The e-mail address this person holds in the uniqueness index (only while active).
    pub fn held_email(&self) -> Option<&Email> {
        self.email.as_ref().filter(|_| self.is_active())
    }

    /// Folded "last first" used for sorting and for duplicate detection within a unit.
    pub fn sort_name(&self) -> String {
        sort_name(&self.first_name, &self.last_name)
    }
}

pub fn sort_name(first: &PersonName, last: &PersonName) -> String {
    format!("{} {}", search::fold(last.as_str()), search::fold(first.as_str()))
}

/// A new person as posted by staff or a unit administrator.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPerson {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub position: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The unit; an administrator may omit it (own unit).
    pub unit_id: Option<String>,
    /// Save although a person of the same name already works in the unit.
    #[serde(default)]
    pub confirm_duplicate: bool,
}

/// The validated fields of a new person, before the unit is resolved.
#[derive(Debug, Clone)]
pub struct PersonDraft {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub position: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub unit_id: Option<UnitId>,
    pub confirm_duplicate: bool,
}

impl NewPerson {
    pub fn parse(self) -> Result<PersonDraft, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let first_name = errors.required("firstName", self.first_name.as_deref(), PersonName::parse);
        let last_name = errors.required("lastName", self.last_name.as_deref(), PersonName::parse);
        let position = errors.optional("position", self.position.as_deref(), |s| bounded_text(s, POSITION_MAX));
        let email = errors.optional("email", self.email.as_deref(), Email::parse);
        let phone = errors.optional("phone", self.phone.as_deref(), PhoneNumber::parse);
        let unit_id = errors.optional("unitId", self.unit_id.as_deref(), UnitId::parse);
        match (first_name, last_name) {
            (Some(first_name), Some(last_name)) if errors.is_empty() => Ok(PersonDraft {
                first_name,
                last_name,
                position,
                email,
                phone,
                unit_id,
                confirm_duplicate: self.confirm_duplicate,
            }),
            _ => Err(errors),
        }
    }
}

impl PersonDraft {
    pub fn sort_name(&self) -> String {
        sort_name(&self.first_name, &self.last_name)
    }

    /// The person and their first employment in `unit`, starting `today` (Warsaw date).
    pub fn into_person(self, unit: &Unit, now: DateTime<Utc>, today: NaiveDate) -> (Person, Employment) {
        let id = PersonId::generate();
        let employment = Employment {
            id: Uuid::now_v7(),
            person_id: id,
            unit_id: unit.id,
            unit_name: unit.name.clone(),
            from: today,
            until: None,
            position: self.position.clone(),
        };
        let person = Person {
            id,
            first_name: self.first_name,
            last_name: self.last_name,
            position: self.position,
            email: self.email,
            phone: self.phone,
            unit_id: unit.id,
            unit_path: unit.path(),
            status: PersonStatus::Active,
            left_on: None,
            employment_id: employment.id,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        (person, employment)
    }
}

/// A change of contact data (absent = unchanged, empty string = cleared).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonEdit {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub position: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The version the client edited (optimistic locking).
    pub version: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonRuleError {
    #[error("the person has already left")]
    AlreadyLeft,
    #[error("the person already works in that unit")]
    SameUnit,
    #[error("leaving date before the start of the current employment")]
    LeaveBeforeStart,
}

impl PersonRuleError {
    pub fn field_error(&self) -> FieldError {
        match self {
            Self::AlreadyLeft => FieldError::new(
                "status",
                "already_left",
                "Ta osoba już odeszła z jednostki.",
                "This person has already left the unit.",
            ),
            Self::SameUnit => FieldError::new(
                "unitId",
                "same_unit",
                "Ta osoba już pracuje w tej jednostce.",
                "This person already works in that unit.",
            ),
            Self::LeaveBeforeStart => FieldError::new(
                "on",
                "before_employment_start",
                "Data odejścia jest wcześniejsza niż początek zatrudnienia.",
                "The leaving date is before the current employment started.",
            ),
        }
    }
}

/// Which fields a participant may change in the own record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditScope {
    /// Staff and unit administrators: every contact field.
    Full,
    /// A participant: phone and position only (names and e-mail are the login identity).
    SelfService,
}

impl PersonEdit {
    pub fn apply(
        self,
        current: &Person,
        scope: EditScope,
        now: DateTime<Utc>,
    ) -> Result<(Person, Vec<FieldChange>), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.version.is_none() {
            errors.push(FieldError::required("version"));
        }
        if !current.is_active() {
            errors.push(PersonRuleError::AlreadyLeft.field_error());
        }
        if scope == EditScope::SelfService {
            for (field, value) in
                [("firstName", &self.first_name), ("lastName", &self.last_name), ("email", &self.email)]
            {
                if value.is_some() {
                    errors.push(FieldError::new(
                        field,
                        "not_editable",
                        "Tego pola nie możesz zmienić sam; poproś administratora jednostki.",
                        "You cannot change this field yourself; ask your unit administrator.",
                    ));
                }
            }
        }
        let mut next = current.clone();
        if let Some(raw) = self.first_name.as_deref() {
            if let Some(name) = errors.required("firstName", Some(raw), PersonName::parse) {
                next.first_name = name;
            }
        }
        if let Some(raw) = self.last_name.as_deref() {
            if let Some(name) = errors.required("lastName", Some(raw), PersonName::parse) {
                next.last_name = name;
            }
        }
        next.position =
            errors.patch("position", next.position, self.position.as_deref(), |s| bounded_text(s, POSITION_MAX));
        next.email = errors.patch("email", next.email, self.email.as_deref(), Email::parse);
        next.phone = errors.patch("phone", next.phone, self.phone.as_deref(), PhoneNumber::parse);
        if !errors.is_empty() {
            return Err(errors);
        }
        let changes = person_changes(current, &next);
        next.version = current.version + 1;
        next.updated_at = now;
        Ok((next, changes))
    }
}

impl Person {
    /// Marks the person as having left on `on`; closes the current employment.
    pub fn leave(
        &self,
        on: NaiveDate,
        employment_from: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(Person, Vec<FieldChange>), PersonRuleError> {
        if !self.is_active() {
            return Err(PersonRuleError::AlreadyLeft);
        }
        if on < employment_from {
            return Err(PersonRuleError::LeaveBeforeStart);
        }
        let mut next = self.clone();
        next.status = PersonStatus::Left;
        next.left_on = Some(on);
        next.version += 1;
        next.updated_at = now;
        let changes = vec![
            FieldChange { field: "status".into(), before: Some("active".into()), after: Some("left".into()) },
            FieldChange { field: "leftOn".into(), before: None, after: Some(on.to_string()) },
        ];
        Ok((next, changes))
    }

    /// Moves the person to `unit` from `today`: the current employment ends the day before
    /// (or today, when it also started today), a new one begins.
    pub fn move_to(
        &self,
        unit: &Unit,
        current_unit_name: &str,
        position: Option<String>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(Person, Employment, Vec<FieldChange>), PersonRuleError> {
        if !self.is_active() {
            return Err(PersonRuleError::AlreadyLeft);
        }
        if self.unit_id == unit.id {
            return Err(PersonRuleError::SameUnit);
        }
        let employment = Employment {
            id: Uuid::now_v7(),
            person_id: self.id,
            unit_id: unit.id,
            unit_name: unit.name.clone(),
            from: today,
            until: None,
            position: position.clone().or_else(|| self.position.clone()),
        };
        let mut next = self.clone();
        next.unit_id = unit.id;
        next.unit_path = unit.path();
        next.position = employment.position.clone();
        next.employment_id = employment.id;
        next.version += 1;
        next.updated_at = now;
        let mut changes = ChangeSet::default();
        changes.compare("unit", Some(&current_unit_name.to_owned()), Some(&unit.name));
        changes.compare("position", self.position.as_ref(), next.position.as_ref());
        Ok((next, employment, changes.0))
    }
}

/// The last day of an employment that ends because of a move on `today`.
pub fn employment_end_for_move(from: NaiveDate, today: NaiveDate) -> NaiveDate {
    today.pred_opt().filter(|day| *day >= from).unwrap_or(today)
}

fn person_changes(before: &Person, after: &Person) -> Vec<FieldChange> {
    let mut changes = ChangeSet::default();
    changes.compare("firstName", Some(&before.first_name), Some(&after.first_name));
    changes.compare("lastName", Some(&before.last_name), Some(&after.last_name));
    changes.compare("position", before.position.as_ref(), after.position.as_ref());
    changes.compare("email", before.email.as_ref(), after.email.as_ref());
    changes.compare("phone", before.phone.as_ref(), after.phone.as_ref());
    changes.0
}

/// The audit record of a new person.
pub fn creation_changes(person: &Person, unit_name: &str) -> Vec<FieldChange> {
    let mut changes = ChangeSet::default();
    changes.compare("firstName", None, Some(&person.first_name));
    changes.compare("lastName", None, Some(&person.last_name));
    changes.compare("position", None, person.position.as_ref());
    changes.compare("email", None, person.email.as_ref());
    changes.compare("phone", None, person.phone.as_ref());
    changes.compare("unit", None, Some(&unit_name.to_owned()));
    changes.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::UnitInput;

    fn unit(name: &str) -> Unit {
        UnitInput { kind: Some("inna".into()), name: Some(name.into()), ..Default::default() }
            .create(None, Utc::now())
            .unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn draft() -> PersonDraft {
        NewPerson {
            first_name: Some("Stanisław".into()),
            last_name: Some("Żółkiewski".into()),
            email: Some("S.Zolkiewski@Kornik.PL".into()),
            phone: Some("600 100 200".into()),
            ..Default::default()
        }
        .parse()
        .unwrap()
    }

    #[test]
    fn new_person_requires_names_and_reports_each_bad_field() {
        let errors = NewPerson { email: Some("nie-email".into()), unit_id: Some("x".into()), ..Default::default() }
            .parse()
            .unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["firstName", "lastName", "email", "unitId"]);
    }

    #[test]
    fn created_person_is_active_in_the_unit_with_an_open_employment() {
        let gmina = unit("Gmina Kórnik");
        let (person, employment) = draft().into_person(&gmina, Utc::now(), day(2));
        assert!(person.is_active());
        assert_eq!(person.unit_path, vec![gmina.id]);
        assert_eq!(person.employment_id, employment.id);
        assert_eq!(employment.until, None);
        assert_eq!(person.sort_name(), "zolkiewski stanislaw");
        assert_eq!(person.held_email().map(Email::as_str), Some("s.zolkiewski@kornik.pl"));
    }

    #[test]
    fn leaving_releases_the_email_and_cannot_happen_twice() {
        let (person, _) = draft().into_person(&unit("A"), Utc::now(), day(2));
        let (left, changes) = person.leave(day(20), day(2), Utc::now()).unwrap();
        assert_eq!(left.held_email(), None);
        assert_eq!(changes[0].after.as_deref(), Some("left"));
        assert_eq!(left.leave(day(21), day(2), Utc::now()).unwrap_err(), PersonRuleError::AlreadyLeft);
        assert_eq!(person.leave(day(1), day(2), Utc::now()).unwrap_err(), PersonRuleError::LeaveBeforeStart);
    }

    #[test]
    fn move_opens_a_new_employment_and_keeps_history_rules() {
        let (gmina, school) = (unit("Gmina"), unit("Szkoła"));
        let (person, _) = draft().into_person(&gmina, Utc::now(), day(2));
        let (moved, employment, changes) =
            person.move_to(&school, &gmina.name, Some("Dyrektor".into()), day(10), Utc::now()).unwrap();
        assert_eq!(moved.unit_id, school.id);
        assert_eq!(moved.employment_id, employment.id);
        assert_eq!(employment.position.as_deref(), Some("Dyrektor"));
        assert_eq!(changes[0].field, "unit");
        assert_eq!(moved.move_to(&school, "Szkoła", None, day(11), Utc::now()).unwrap_err(), PersonRuleError::SameUnit);
        assert_eq!(employment_end_for_move(day(2), day(10)), day(9));
        assert_eq!(employment_end_for_move(day(10), day(10)), day(10));
    }

    #[test]
    fn participant_cannot_change_identity_fields() {
        let (person, _) = draft().into_person(&unit("A"), Utc::now(), day(2));
        let edit = PersonEdit {
            email: Some("inny@kornik.pl".into()),
            phone: Some("600100300".into()),
            version: Some(1),
            ..Default::default()
        };
        let errors = edit.apply(&person, EditScope::SelfService, Utc::now()).unwrap_err();
        assert_eq!(errors.0[0].code, "not_editable");
        let edit = PersonEdit { phone: Some("600100300".into()), version: Some(1), ..Default::default() };
        let (next, changes) = edit.apply(&person, EditScope::SelfService, Utc::now()).unwrap();
        assert_eq!(next.version, 2);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "phone");
    }
}
