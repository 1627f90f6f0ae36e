//! Emulator-backed integration tests of the staff and extranet APIs (one test binary).

mod access;
mod auth;
mod billing;
mod certificates;
mod documents;
mod helpers;
mod inbound;
mod mailings;
mod notifications;
mod openapi;
mod persons;
mod registry;
mod schedule;
mod templates;
mod trainings;
mod validation;
