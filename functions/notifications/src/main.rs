//! notifications: SQS (outbox entries) → one SES e-mail per entry. Wiring only.

use ewokiss_adapters::config::{aws_sdk_config, init_tracing, required_env};
use ewokiss_adapters::dynamo::Table;
use ewokiss_adapters::links::CertificateSettings;
use ewokiss_adapters::mail::Mailer;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use notifications::{handle, Notifier};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let table_name = required_env("TABLE_NAME")?;
    let from = required_env("MAIL_FROM")?;
    let configuration_set = std::env::var("SES_CONFIGURATION_SET").ok().filter(|v| !v.is_empty());
    // Copies to administrators are on unless switched off.
    let copy_unit_admin = std::env::var("NOTIFY_UNIT_ADMIN").map_or(true, |v| v != "false");
    let sdk = aws_sdk_config().await;
    let notifier = &Notifier {
        table: Table::new(&sdk, &table_name),
        mailer: Mailer::new(&sdk, from, configuration_set),
        copy_unit_admin,
        certificates: CertificateSettings::from_env()?,
    };
    run(service_fn(move |event: LambdaEvent<aws_lambda_events::event::sqs::SqsEvent>| async move {
        Ok::<_, Error>(handle(notifier, event.payload).await)
    }))
    .await
}
