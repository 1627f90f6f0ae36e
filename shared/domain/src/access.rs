//! Who may touch what. The rules live here, pure, so every endpoint asks the same questions.
//!
//! Units form a tree; every unit and person carries its *unit path* (the ids from the root unit
//! down to its own unit), so the question "is this inside the administrator's unit?" is answered
//! from the record itself, without reading the tree.

use serde::Serialize;

use crate::history::UserRef;
use crate::ids::{PersonId, UnitId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Staff,
    UnitAdmin,
    Participant,
}

/// The authenticated caller, built from verified token claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    /// The unit an administrator manages, or a participant's own unit.
    pub unit_id: Option<UnitId>,
    /// A participant's own person record.
    pub person_id: Option<PersonId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActorError {
    #[error("the token names no group this application knows")]
    NoRole,
    #[error("a unit administrator's token must carry the unit claim")]
    MissingUnit,
    #[error("a participant's token must carry the person claim")]
    MissingPerson,
}

impl Actor {
    /// The strongest role among the token's groups wins: a staff member who is also a
    /// participant is treated as staff.
    pub fn from_claims(
        user_id: String,
        name: String,
        email: Option<String>,
        groups: &[String],
        unit_id: Option<UnitId>,
        person_id: Option<PersonId>,
    ) -> Result<Self, ActorError> {
        let has = |group: &str| groups.iter().any(|g| g == group);
        let role = if has("staff") {
            Role::Staff
        } else if has("unit-admin") {
            Role::UnitAdmin
        } else if has("participant") {
            Role::Participant
        } else {
            return Err(ActorError::NoRole);
        };
        match role {
            Role::UnitAdmin if unit_id.is_none() => return Err(ActorError::MissingUnit),
            Role::Participant if person_id.is_none() => return Err(ActorError::MissingPerson),
            _ => {}
        }
        Ok(Self { user_id, name, email, role, unit_id, person_id })
    }

    pub fn as_user_ref(&self) -> UserRef {
        UserRef { id: self.user_id.clone(), name: self.name.clone() }
    }

    pub fn is_staff(&self) -> bool {
        self.role == Role::Staff
    }

    /// May create, edit, move or mark as left persons of the unit with this path.
    pub fn may_manage_unit(&self, unit_path: &[UnitId]) -> bool {
        match self.role {
            Role::Staff => true,
            Role::UnitAdmin => self.unit_id.is_some_and(|own| unit_path.contains(&own)),
            Role::Participant => false,
        }
    }

    /// May read a person record.
    pub fn may_read_person(&self, person_id: PersonId, unit_path: &[UnitId]) -> bool {
        match self.role {
            Role::Participant => self.person_id == Some(person_id),
            _ => self.may_manage_unit(unit_path),
        }
    }

    /// May change a person's contact data (a participant: only the own phone and position).
    pub fn may_edit_person(&self, person_id: PersonId, unit_path: &[UnitId]) -> bool {
        self.may_read_person(person_id, unit_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role_groups: &[&str], unit: Option<UnitId>, person: Option<PersonId>) -> Actor {
        let groups: Vec<String> = role_groups.iter().map(|g| g.to_string()).collect();
        Actor::from_claims("sub".into(), "Anna".into(), None, &groups, unit, person).unwrap()
    }

    #[test]
    fn admin_reaches_own_unit_and_its_subtree_only() {
        let gmina = UnitId::generate();
        let school = UnitId::generate();
        let other = UnitId::generate();
        let admin = actor(&["unit-admin"], Some(gmina), None);
        assert!(admin.may_manage_unit(&[gmina]));
        assert!(admin.may_manage_unit(&[gmina, school]));
        assert!(!admin.may_manage_unit(&[other]));
        assert!(!admin.may_manage_unit(&[other, school]));
        // An administrator of the school does not reach the gmina above it.
        let school_admin = actor(&["unit-admin"], Some(school), None);
        assert!(!school_admin.may_manage_unit(&[gmina]));
    }

    #[test]
    fn participant_reads_only_self() {
        let unit = UnitId::generate();
        let me = PersonId::generate();
        let colleague = PersonId::generate();
        let participant = actor(&["participant"], Some(unit), Some(me));
        assert!(participant.may_read_person(me, &[unit]));
        assert!(!participant.may_read_person(colleague, &[unit]));
        assert!(!participant.may_manage_unit(&[unit]));
    }

    #[test]
    fn strongest_group_wins_and_claims_are_required() {
        assert_eq!(actor(&["participant", "staff"], None, None).role, Role::Staff);
        let groups = vec!["unit-admin".to_string()];
        assert_eq!(Actor::from_claims("s".into(), "n".into(), None, &groups, None, None), Err(ActorError::MissingUnit));
        assert_eq!(
            Actor::from_claims("s".into(), "n".into(), None, &["guest".to_string()], None, None),
            Err(ActorError::NoRole)
        );
    }
}
