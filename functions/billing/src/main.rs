//! billing: monthly schedule → chunks of due contracts on SQS; SQS chunk → bill and issue. Wiring only.

use billing::{handle, Billing};
use ewokiss_adapters::app::Registry;
use ewokiss_adapters::config::{aws_sdk_config, init_tracing, required_env};
use ewokiss_adapters::dynamo::Table;
use ewokiss_adapters::queue::Queue;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let table_name = required_env("TABLE_NAME")?;
    let queue_url = required_env("BILLING_QUEUE_URL")?;
    let sdk = aws_sdk_config().await;
    let billing =
        &Billing { registry: Registry { table: Table::new(&sdk, &table_name) }, queue: Queue::new(&sdk, &queue_url) };
    run(service_fn(move |event: LambdaEvent<serde_json::Value>| async move {
        Ok::<_, Error>(handle(billing, event.payload).await?)
    }))
    .await
}
