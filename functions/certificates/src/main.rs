//! certificates: SQS messages (a completed training, or one attendee of it) → certificates. Wiring only.

use certificates::{handle, Generator};
use ewokiss_adapters::app::Registry;
use ewokiss_adapters::certificate_app::CertificateSettings;
use ewokiss_adapters::config::{aws_sdk_config, init_tracing, required_env};
use ewokiss_adapters::documents::Documents;
use ewokiss_adapters::dynamo::Table;
use ewokiss_adapters::queue::Queue;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let table_name = required_env("TABLE_NAME")?;
    let queue_url = required_env("CERTIFICATE_QUEUE_URL")?;
    let bucket = required_env("DOCUMENTS_BUCKET")?;
    let settings = CertificateSettings::from_env()?;
    let sdk = aws_sdk_config().await;
    let generator = &Generator {
        registry: Registry::new(Table::new(&sdk, &table_name)),
        documents: Documents::new(&sdk, &bucket),
        queue: Queue::new(&sdk, &queue_url),
        settings,
    };
    run(service_fn(move |event: LambdaEvent<aws_lambda_events::event::sqs::SqsEvent>| async move {
        Ok::<_, Error>(handle(generator, event.payload).await)
    }))
    .await
}
