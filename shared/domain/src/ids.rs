//! Identifiers: UUIDs behind one newtype per entity, so a person id is never passed as a unit id.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::values::ValueError;

macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7): sorts by creation, which keeps history keys ordered.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// A stable id derived from a natural key (e.g. a TERYT code), for reproducible demo data.
            pub fn derived(namespace: &str, natural_key: &str) -> Self {
                Self(Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("ewokiss:{namespace}:{natural_key}").as_bytes()))
            }

            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                Uuid::parse_str(raw.trim()).map(Self).map_err(|_| ValueError::InvalidId)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = ValueError;
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }
    };
}

entity_id!(/// A unit (jednostka).
    UnitId);
entity_id!(/// A person (osoba).
    PersonId);
entity_id!(/// A contact-history event.
    EventId);
entity_id!(/// A staff task (zadanie).
    TaskId);
entity_id!(/// An audit-trail entry.
    AuditId);
entity_id!(/// A training (szkolenie / zlecenie szkoleniowe).
    TrainingId);
entity_id!(/// An enrolment of a person in a training (zgłoszenie).
    EnrolmentId);
entity_id!(/// A venue from the maintained list (miejsce szkolenia).
    VenueId);
entity_id!(/// A long-term contract of a unit (umowa długoterminowa).
    ContractId);
entity_id!(/// A settlement document (rozliczenie): an issued charge to a unit, or a correction of one.
    SettlementId);
entity_id!(/// A batch handed over to the accounting system (paczka eksportu do Comarch ERP XL).
    ExportBatchId);
entity_id!(/// A received e-mail (wiadomość przychodząca); derived from where SES stored it.
    InboundMailId);
entity_id!(/// A certificate of attendance (zaświadczenie); its versions share the id and the number.
    CertificateId);
entity_id!(/// A generated document (letter, contract, settlement statement) stored as a PDF.
    DocumentId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct_per_key() {
        assert_eq!(UnitId::derived("teryt", "3064011"), UnitId::derived("teryt", "3064011"));
        assert_ne!(UnitId::derived("teryt", "3064011"), UnitId::derived("teryt", "3021"));
    }

    #[test]
    fn parse_rejects_garbage_and_round_trips() {
        assert!(PersonId::parse("not-an-id").is_err());
        let id = PersonId::generate();
        assert_eq!(PersonId::parse(&id.to_string()).unwrap(), id);
    }

    #[test]
    fn generated_ids_sort_by_creation() {
        let first = EventId::generate();
        let second = EventId::generate();
        assert!(first.to_string() <= second.to_string());
    }
}
entity_id!(/// A mailing (wysyłka).
    MailingId);
