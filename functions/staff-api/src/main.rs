//! staff-api: HTTP API of the staff CRM (API Gateway → this function). Wiring only.

use lambda_http::{run, service_fn, Error, Request};
use staff_api::{handle, App};

#[tokio::main]
async fn main() -> Result<(), Error> {
    ewokiss_adapters::config::init_tracing();
    let app = &App::from_env().await?;
    run(service_fn(move |request: Request| async move { Ok::<_, Error>(handle(app, request).await) })).await
}
