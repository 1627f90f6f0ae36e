//! Local stand-in for SES's configuration-set events: reads the messages the emulator recorded
//! (moto's `/moto-api/data.json`), makes the events SES's mailbox simulator would report for each
//! recipient (`ewokiss_domain::mailing::simulator`), and delivers them as SNS would to the
//! mail-events function through `cargo lambda watch`'s invoke API. Each message is handled once.
//!
//! Usage: ses-events --lambda http://127.0.0.1:9000 [--interval-ms 1000]
//! (environment: the stack's env file — AWS_ENDPOINT_URL).

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use ewokiss_domain::mailing::simulator::{simulated_events, sns_event};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let lambda = arg("--lambda").ok_or("--lambda URL is required")?;
    let interval = Duration::from_millis(arg("--interval-ms").and_then(|v| v.parse().ok()).unwrap_or(1000));
    let endpoint = std::env::var("AWS_ENDPOINT_URL")?;
    let http = reqwest::Client::new();
    let mut handled: HashSet<String> = HashSet::new();
    eprintln!("[ses-events] {endpoint} (recorded mail) → mail-events");
    loop {
        match relay(&http, &endpoint, &lambda, &mut handled).await {
            Ok(0) => {}
            Ok(count) => eprintln!("[ses-events] delivered events of {count} messages"),
            Err(error) => eprintln!("[ses-events] {error}"),
        }
        tokio::time::sleep(interval).await;
    }
}

async fn relay(
    http: &reqwest::Client,
    endpoint: &str,
    lambda: &str,
    handled: &mut HashSet<String>,
) -> Result<usize, Box<dyn std::error::Error>> {
    let data: Value = http.get(format!("{endpoint}/moto-api/data.json")).send().await?.json().await?;
    let messages = data["ses"]["Message"].as_array().cloned().unwrap_or_default();
    let mut count = 0;
    for message in messages {
        let Some(id) = message["id"].as_str() else { continue };
        if handled.contains(id) {
            continue;
        }
        let source = message["source"].as_str().unwrap_or_default();
        let destinations = message["destinations"]["ToAddresses"].as_array().cloned().unwrap_or_default();
        let now = Utc::now();
        let records: Vec<String> = destinations
            .iter()
            .filter_map(Value::as_str)
            .flat_map(|to| simulated_events(id, source, to, now, &[]))
            .collect();
        let event = sns_event(&records, "arn:aws:sns:local:000000000000:MailEventsTopic", now);
        let response =
            http.post(format!("{lambda}/2015-03-31/functions/mail-events/invocations")).json(&event).send().await?;
        if !response.status().is_success() {
            return Err(format!("mail-events answered {}", response.status()).into());
        }
        handled.insert(id.to_owned());
        count += 1;
    }
    Ok(count)
}
