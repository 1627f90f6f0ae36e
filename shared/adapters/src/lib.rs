//! Adapters of e-WOKiSS: DynamoDB storage, token verification, configuration and the HTTP
//! glue shared by the functions, plus the registry use cases both APIs call.

#[cfg(feature = "s3")]
pub mod accounting_app;
pub mod app;
pub mod auth;
pub mod billing_app;
#[cfg(feature = "certificates")]
pub mod certificate_app;
#[cfg(feature = "pdf")]
pub mod certificate_issue;
pub mod config;
pub mod document_app;
#[cfg(feature = "s3")]
pub mod documents;
pub mod dynamo;
pub mod export;
#[cfg(feature = "pdf")]
pub mod generated_documents;
pub mod http;
#[cfg(feature = "s3")]
pub mod inbound_app;
pub mod keys;
pub mod links;
pub mod mail;
pub mod mailing_app;
#[cfg(feature = "sqs")]
pub mod queue;
pub mod template_app;
pub mod training_app;
#[cfg(feature = "certificates")]
pub mod zip;
