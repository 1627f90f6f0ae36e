//! training-schedule: daily EventBridge schedule → reminders and go/no-go tasks. Wiring only.

use ewokiss_adapters::config::{aws_sdk_config, init_tracing, required_env};
use ewokiss_adapters::dynamo::Table;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use training_schedule::{RunInput, Schedule};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let table_name = required_env("TABLE_NAME")?;
    let reminder_days = std::env::var("REMINDER_DAYS_BEFORE").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let sdk = aws_sdk_config().await;
    let schedule = &Schedule { table: Table::new(&sdk, &table_name), reminder_days };
    run(service_fn(move |event: LambdaEvent<serde_json::Value>| async move {
        // The scheduler sends `{}` or `{"today": "YYYY-MM-DD"}` (a replay); a malformed date fails loudly.
        let input: RunInput = if event.payload.get("today").is_some() {
            serde_json::from_value(event.payload)?
        } else {
            RunInput::default()
        };
        let report = schedule.run(input).await?;
        tracing::info!(?report, "training run done");
        Ok::<_, Error>(report)
    }))
    .await
}
