//! The monthly contract billing. Two triggers, one purpose:
//! - the schedule (1st of the month, Europe/Warsaw; `{}` or a replay `{"asOf": "YYYY-MM-DD"}`)
//!   finds the contracts with something due from the due index and queues them in chunks;
//! - each chunk (SQS, partial batch failures) bills its contracts' due periods and issues the
//!   new settlements with gapless numbers.
//!
//! Both are repeatable: billing is keyed per (contract, period, charge), so a replayed schedule,
//! a chunk delivered twice or a run stopped half way never bills anything twice.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use chrono::NaiveDate;
use ewokiss_adapters::app::Registry;
use ewokiss_adapters::billing_app::{BillingChunk, ChunkReport};
use ewokiss_adapters::dynamo::StoreError;
use ewokiss_adapters::queue::Queue;
use ewokiss_domain::time;
use serde::Deserialize;

pub struct Billing {
    pub registry: Registry,
    pub queue: Queue,
}

/// The schedule's input; `asOf` replays a given day (default: today in Warsaw).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunInput {
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error("the event is neither a schedule input nor an SQS batch: {0}")]
    BadEvent(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("queueing the run failed: {0}")]
    Queue(String),
}

/// Bills the chunks of an SQS batch; a chunk with a failed contract is reported for a retry.
pub async fn bill_batch(billing: &Billing, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let result = match serde_json::from_str::<BillingChunk>(record.body.as_deref().unwrap_or_default()) {
            Ok(chunk) => billing.registry.bill_chunk(&chunk).await.map_err(BillingError::from),
            Err(error) => Err(BillingError::BadEvent(error.to_string())),
        };
        match result {
            Ok(ChunkReport { failed, .. }) if !failed.is_empty() => {
                tracing::warn!(message = %id, ?failed, "some contracts failed; the chunk will be retried");
                response.batch_item_failures.push(failure(id));
            }
            Ok(report) => tracing::info!(message = %id, ?report, "chunk billed"),
            Err(error) => {
                tracing::error!(message = %id, %error, "chunk failed; SQS will retry it");
                response.batch_item_failures.push(failure(id));
            }
        }
    }
    response
}

fn failure(id: String) -> BatchItemFailure {
    let mut failure = BatchItemFailure::default();
    failure.item_identifier = id;
    failure
}

/// Dispatches on the event's shape: an SQS batch has `Records`.
pub async fn handle(billing: &Billing, event: serde_json::Value) -> Result<serde_json::Value, BillingError> {
    if event.get("Records").is_some() {
        let event: SqsEvent = serde_json::from_value(event).map_err(|e| BillingError::BadEvent(e.to_string()))?;
        let response = bill_batch(billing, event).await;
        return Ok(serde_json::to_value(response).expect("a batch response serialises"));
    }
    let input: RunInput = serde_json::from_value(event).map_err(|e| BillingError::BadEvent(e.to_string()))?;
    let as_of = input.as_of.unwrap_or_else(time::today);
    let queued = billing
        .registry
        .queue_billing_run(&billing.queue, as_of)
        .await
        .map_err(|e| BillingError::Queue(format!("{e:?}")))?;
    tracing::info!(?queued, "billing run queued");
    Ok(serde_json::to_value(queued).expect("a run report serialises"))
}
