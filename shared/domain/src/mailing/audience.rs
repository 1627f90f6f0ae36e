//! Who a mailing goes to: units selected by criteria (the same criteria as a training's invited
//! list, incl. distance from the linked training's venue) and persons within them, or the linked
//! training's invited list, or persons picked by hand. The adapter resolves it into recipients
//! when the mailing starts; [`PersonFilter`] decides per person.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{FieldError, ValidationErrors};
use crate::ids::PersonId;
use crate::person::Person;
use crate::training::{InvitedList, InvitedListInput};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "source")]
pub enum Audience {
    /// Units by criteria and by hand, persons within them by the filter; plus persons by hand.
    Units { units: InvitedList, persons: PersonFilter },
    /// The invited list of the mailing's training, persons filtered the same way.
    TrainingInvited { persons: PersonFilter },
    /// Exactly these persons.
    Persons {
        #[serde(rename = "personIds")]
        person_ids: Vec<PersonId>,
    },
}

/// Which persons of a selected unit receive it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonFilter {
    /// Any of these words in the person's position (case-insensitive); empty = every position.
    #[serde(default)]
    pub positions: Vec<String>,
    /// Also persons who have left the unit (normally only those working there now).
    #[serde(default)]
    pub include_inactive: bool,
}

impl PersonFilter {
    pub fn accepts(&self, person: &Person) -> bool {
        let active = self.include_inactive || person.is_active();
        let position = self.positions.is_empty()
            || person.position.as_deref().is_some_and(|held| {
                let held = held.to_lowercase();
                self.positions.iter().any(|wanted| held.contains(&wanted.to_lowercase()))
            });
        active && position
    }
}

/// The audience as posted.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AudienceInput {
    /// `units` (default), `training` (the linked training's invited list) or `persons`.
    pub source: Option<String>,
    /// Criteria, hand-picked units and persons (as for a training's invited list).
    pub units: Option<InvitedListInput>,
    pub positions: Option<Vec<String>>,
    pub include_inactive: Option<bool>,
    /// For `persons`.
    pub person_ids: Option<Vec<String>>,
}

impl AudienceInput {
    pub fn parse(self, has_training: bool, errors: &mut ValidationErrors) -> Audience {
        let positions: Vec<String> = self
            .positions
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        let persons = PersonFilter { positions, include_inactive: self.include_inactive.unwrap_or(false) };
        match self.source.as_deref().map(str::trim).unwrap_or("units") {
            "units" => {
                let mut list_errors = ValidationErrors::default();
                let units = self.units.unwrap_or_default().parse(&mut list_errors);
                for error in list_errors.0 {
                    let field = error.field.strip_prefix("invited.").unwrap_or(&error.field);
                    errors.push(FieldError { field: format!("audience.units.{field}"), ..error.clone() });
                }
                if units.criteria.max_distance_km.is_some() && !has_training {
                    errors.push(FieldError::new(
                        "audience.units.criteria.maxDistanceKm",
                        "needs_training",
                        "Odległość liczy się od miejsca szkolenia: wskaż szkolenie wysyłki.",
                        "Distance is measured from a training's venue: link the mailing to a training.",
                    ));
                }
                if units.criteria.is_empty() && units.unit_ids.is_empty() && units.person_ids.is_empty() {
                    errors.push(FieldError::new(
                        "audience.units",
                        "empty_audience",
                        "Wybierz odbiorców: kryteria, jednostki lub osoby.",
                        "Choose the audience: criteria, units or persons.",
                    ));
                }
                Audience::Units { units, persons }
            }
            "training" => {
                if !has_training {
                    errors.push(FieldError::new(
                        "audience.source",
                        "needs_training",
                        "Lista zaproszonych pochodzi ze szkolenia: wskaż szkolenie wysyłki.",
                        "The invited list is a training's: link the mailing to a training.",
                    ));
                }
                Audience::TrainingInvited { persons }
            }
            "persons" => {
                let mut person_ids = Vec::new();
                for (index, raw) in self.person_ids.unwrap_or_default().iter().enumerate() {
                    if let Some(id) = errors.check(&format!("audience.personIds[{index}]"), PersonId::parse(raw)) {
                        if !person_ids.contains(&id) {
                            person_ids.push(id);
                        }
                    }
                }
                if person_ids.is_empty() {
                    errors.push(FieldError::new(
                        "audience.personIds",
                        "empty_audience",
                        "Wybierz co najmniej jedną osobę.",
                        "Choose at least one person.",
                    ));
                }
                Audience::Persons { person_ids }
            }
            _ => {
                errors.push(FieldError::new(
                    "audience.source",
                    "unknown_source",
                    "Odbiorcy: jednostki według kryteriów, lista zaproszonych szkolenia albo wybrane osoby.",
                    "Source must be units, training or persons.",
                ));
                Audience::Persons { person_ids: Vec::new() }
            }
        }
    }
}
