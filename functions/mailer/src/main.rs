//! mailer: SQS batches of a running mailing's recipients → one SES message each. Wiring only.

use ewokiss_adapters::config::{aws_sdk_config, init_tracing, required_env};
use ewokiss_adapters::documents::Documents;
use ewokiss_adapters::dynamo::Table;
use ewokiss_adapters::mail::Mailer;
use ewokiss_adapters::mailing_app::MailingSettings;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use mailer::{handle, Sender};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let table_name = required_env("TABLE_NAME")?;
    let from = required_env("MAIL_FROM")?;
    let configuration_set = std::env::var("SES_CONFIGURATION_SET").ok().filter(|v| !v.is_empty());
    let rate: f64 = required_env("MAX_SEND_RATE")?.parse().map_err(|_| "MAX_SEND_RATE is not a number")?;
    let concurrency: f64 = std::env::var("MAILER_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|c: &f64| *c >= 1.0)
        .unwrap_or(1.0);
    let settings = MailingSettings::from_env()?;
    let sdk = aws_sdk_config().await;
    // The account's rate is shared by the concurrent senders the event source allows.
    let sender = &Sender::new(
        Table::new(&sdk, &table_name),
        Mailer::new(&sdk, from, configuration_set),
        settings,
        Documents::new(&sdk, &required_env("DOCUMENTS_BUCKET")?),
        rate / concurrency,
    );
    run(service_fn(move |event: LambdaEvent<aws_lambda_events::event::sqs::SqsEvent>| async move {
        Ok::<_, Error>(handle(sender, event.payload).await)
    }))
    .await
}
