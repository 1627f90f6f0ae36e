//! mail-events: SES configuration-set events delivered through SNS. Wiring only.

use ewokiss_adapters::config::{aws_sdk_config, init_tracing, required_env};
use ewokiss_adapters::dynamo::Table;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use mail_events::{handle, Events};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let table_name = required_env("TABLE_NAME")?;
    let sdk = aws_sdk_config().await;
    let events = &Events { table: Table::new(&sdk, &table_name) };
    run(service_fn(move |event: LambdaEvent<aws_lambda_events::event::sns::SnsEvent>| async move {
        handle(events, event.payload).await.map_err(Error::from)
    }))
    .await
}
