//! extranet-api: HTTP API of the e-WOKiSS extranet (API Gateway → this function). Wiring only.

use extranet_api::{handle, App};
use lambda_http::{run, service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    ewokiss_adapters::config::init_tracing();
    let app = &App::from_env().await?;
    run(service_fn(move |request: Request| async move { Ok::<_, Error>(handle(app, request).await) })).await
}
