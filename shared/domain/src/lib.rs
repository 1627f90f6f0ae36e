//! The pure domain of e-WOKiSS: value types that parse, entities and their rules, access rules.
//! No AWS types and no I/O here; adapters in `ewokiss-adapters` store and load these types.

pub mod access;
pub mod accounting;
pub mod contract;
pub mod documents;
pub mod enrolment;
pub mod errors;
pub mod history;
pub mod ids;
pub mod inbound;
pub mod mailing;
pub mod notification;
pub mod person;
pub mod search;
pub mod settlement;
pub mod task;
pub mod templates;
pub mod teryt;
pub mod time;
pub mod training;
pub mod unit;
pub mod values;
