//! inbound-mail: S3 (a message the SES receipt rule stored) → parsed, linked, stored. Wiring only.

use ewokiss_adapters::config::{aws_sdk_config, init_tracing, required_env};
use ewokiss_adapters::documents::Documents;
use ewokiss_adapters::dynamo::Table;
use inbound_mail::{handle, Receiver};
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let table_name = required_env("TABLE_NAME")?;
    let bucket = required_env("INBOUND_BUCKET")?;
    let address = required_env("INBOUND_ADDRESS")?;
    let sdk = aws_sdk_config().await;
    let receiver =
        &Receiver { table: Table::new(&sdk, &table_name), files: Documents::new(&sdk, &bucket), bucket, address };
    run(service_fn(move |event: LambdaEvent<aws_lambda_events::event::s3::S3Event>| async move {
        let outcomes = handle(receiver, event.payload).await?;
        // The dev tooling prints what happened to each record.
        Ok::<_, Error>(serde_json::json!({ "outcomes": outcomes.iter().map(|o| format!("{o:?}")).collect::<Vec<_>>() }))
    }))
    .await
}
