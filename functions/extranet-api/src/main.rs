//! extranet-api: HTTP API of the e-WOKiSS extranet (API Gateway → this function). Wiring only.

use ewokiss_adapters::app::Registry;
use ewokiss_adapters::auth::Verifier;
use ewokiss_adapters::config::{aws_sdk_config, init_tracing, HttpConfig};
use ewokiss_adapters::dynamo::Table;
use extranet_api::{handle, App};
use lambda_http::{run, service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let config = HttpConfig::from_env()?;
    let sdk = aws_sdk_config().await;
    let app =
        App { registry: Registry::new(Table::new(&sdk, &config.table_name)), verifier: Verifier::new(config.auth) };
    let app = &app;
    run(service_fn(move |request: Request| async move { Ok::<_, Error>(handle(app, request).await) })).await
}
