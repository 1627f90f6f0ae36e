//! An SQS queue the functions fan work out through (e.g. the billing run's chunks).

#[derive(Debug, thiserror::Error)]
#[error("SQS: {0}")]
pub struct QueueError(String);

#[derive(Clone, Debug)]
pub struct Queue {
    client: aws_sdk_sqs::Client,
    url: std::sync::Arc<str>,
}

impl Queue {
    pub fn new(sdk_config: &aws_config::SdkConfig, url: &str) -> Self {
        Self { client: aws_sdk_sqs::Client::new(sdk_config), url: url.into() }
    }

    /// Sends every body, ten per request; a body SQS did not take is an error (the caller's
    /// run is repeatable, so it is simply run again).
    pub async fn send_all(&self, bodies: &[String]) -> Result<(), QueueError> {
        use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
        for (chunk_index, chunk) in bodies.chunks(10).enumerate() {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, body)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(format!("m{chunk_index}-{i}"))
                        .message_body(body)
                        .build()
                        .map_err(|e| QueueError(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let output = self
                .client
                .send_message_batch()
                .queue_url(&*self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| QueueError(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?;
            if let Some(failed) = output.failed().first() {
                return Err(QueueError(format!("message {} refused: {}", failed.id(), failed.message().unwrap_or(""))));
            }
        }
        Ok(())
    }
}
