//! Certificates are generated asynchronously. A completed training's message (`{trainingId}`)
//! fans out one message per attendee (`{trainingId, personId}`); each attendee's message
//! generates that one certificate. A failure of one attendee is reported for that message only
//! (partial batch failure) and retried by SQS, the others go on; every step is idempotent (one
//! certificate per enrolment, whatever the redeliveries).

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use ewokiss_adapters::app::Registry;
use ewokiss_adapters::certificate_app::CertificateSettings;
use ewokiss_adapters::documents::Documents;
use ewokiss_adapters::dynamo::trainings as training_store;
use ewokiss_adapters::queue::Queue;
use ewokiss_domain::documents::certificate::eligible;
use ewokiss_domain::ids::{PersonId, TrainingId};
use serde::{Deserialize, Serialize};

pub struct Generator {
    pub registry: Registry,
    pub documents: Documents,
    pub queue: Queue,
    pub settings: CertificateSettings,
}

/// A queue message: a whole training, or one attendee of it; or a person whose name changed
/// (their certificates get new versions).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_id: Option<TrainingId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<PersonId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_person_id: Option<PersonId>,
}

pub async fn handle(generator: &Generator, event: SqsEvent) -> SqsBatchResponse {
    let mut failures = Vec::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let result = match serde_json::from_str::<CertificateRequest>(record.body.as_deref().unwrap_or_default()) {
            Ok(request) => Box::pin(generator.process(&request)).await,
            // A malformed message never becomes valid: logged and dropped, not retried forever.
            Err(error) => {
                tracing::error!(message = %id, %error, "not a certificate request; dropped");
                Ok(())
            }
        };
        if let Err(error) = result {
            tracing::error!(message = %id, %error, "certificate request failed; SQS will retry it");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failures.push(failure);
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    response
}

impl Generator {
    pub async fn process(&self, request: &CertificateRequest) -> Result<(), String> {
        if let Some(person_id) = request.renamed_person_id {
            // Boxed: these futures nest deeply (a release build otherwise overflows the layout query).
            let reissued = Box::pin(self.registry.reissue_for_person(person_id, &self.documents, &self.settings))
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(person = %person_id, reissued, "certificates after a name change");
            return Ok(());
        }
        let Some(training_id) = request.training_id else { return Ok(()) };
        match request.person_id {
            Some(person_id) => {
                let outcome = Box::pin(self.registry.generate_certificate(
                    &self.documents,
                    &self.settings,
                    training_id,
                    person_id,
                ))
                .await
                .map_err(|e| e.to_string())?;
                tracing::info!(training = %training_id, person = %person_id, ?outcome, "certificate");
                Ok(())
            }
            None => {
                let table = &self.registry.table;
                let Some(training) =
                    training_store::get_training(table, training_id).await.map_err(|e| e.to_string())?
                else {
                    return Ok(());
                };
                let enrolments =
                    training_store::enrolments_of_training(table, training.id).await.map_err(|e| e.to_string())?;
                let bodies: Vec<String> = eligible(&training, &enrolments)
                    .into_iter()
                    .map(|enrolment| {
                        let one = CertificateRequest {
                            training_id: Some(training.id),
                            person_id: Some(enrolment.person_id),
                            renamed_person_id: None,
                        };
                        serde_json::to_string(&one).expect("a request serialises")
                    })
                    .collect();
                tracing::info!(training = %training.id, attendees = bodies.len(), "certificates fanned out");
                self.queue.send_all(&bodies).await.map_err(|e| e.to_string())
            }
        }
    }
}
