//! The mailing benchmark. Pure: rendering throughput (messages per second on one core). Against
//! the local stack (an empty table from `bootstrap.py infra`): a mailing to N recipients — the
//! time to fix the recipient list (the start), then the mailer run as in AWS (SENDERS concurrent
//! senders sharing RATE messages per second) with every SQS message delivered twice: achieved
//! send rate against the configured one, and duplicates read back from the emulator's mail store.
//! Prints Markdown rows for docs/BENCHMARKS.md.
//! Usage: bench-mailing [RECIPIENTS] [RATE] [SENDERS]   (defaults 10000, 10, 2)

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use ewokiss_adapters::app::Registry;
use ewokiss_adapters::config::{aws_sdk_config, required_env};
use ewokiss_adapters::dynamo::registry as people;
use ewokiss_adapters::dynamo::{mailings as store, Table};
use ewokiss_adapters::mail::Mailer;
use ewokiss_adapters::mailing_app::{MailingBatch, MailingSettings};
use ewokiss_adapters::queue::Queue;
use ewokiss_domain::access::Actor;
use ewokiss_domain::history::{AuditAction, AuditEntry};
use ewokiss_domain::ids::MailingId;
use ewokiss_domain::mailing::context::default_mailing_template;
use ewokiss_domain::mailing::{AudienceInput, Mailing, MailingInput, MailingStatus};
use ewokiss_domain::person::{self, NewPerson};
use ewokiss_domain::training::InvitedListInput;
use ewokiss_domain::unit::UnitInput;
use serde_json::Value;

type Error = Box<dyn std::error::Error>;

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// Rendering on one core: the default template for `count` recipients.
fn rendering(count: usize) -> f64 {
    let draft = MailingInput {
        name: Some("Newsletter — grudzień 2026".into()),
        subject: Some("{{ mailing.name }}: zaproszenie dla {{ person.first_name }}".into()),
        text: Some(default_mailing_template().text),
        html: Some(default_mailing_template().html),
        sender_address: Some("szkolenia@wokiss.pl".into()),
        audience: Some(AudienceInput {
            source: Some("persons".into()),
            person_ids: Some(vec![uuid::Uuid::new_v4().to_string()]),
            ..Default::default()
        }),
        ..Default::default()
    }
    .parse("wokiss.pl")
    .expect("the default template is valid");
    let by = ewokiss_domain::history::UserRef { id: "bench".into(), name: "Benchmark".into() };
    let mailing = Mailing::create(MailingId::generate(), draft, by, Utc::now());
    let started = Instant::now();
    let mut bytes = 0;
    for i in 0..count {
        let mut context = ewokiss_domain::mailing::MailingContext::sample();
        context.person.last_name = format!("Łęcka-{i}");
        context.mailing.unsubscribe_url = format!("https://e.wokiss.pl/#/unsubscribe?token=t{i}");
        bytes += mailing.template.render(&context).expect("renders").html.len();
    }
    assert!(bytes > 0);
    count as f64 / started.elapsed().as_secs_f64()
}

/// Units of 100 persons each, bulk-loaded; returns the unit ids.
async fn load(registry: &Registry, actor: &Actor, recipients: usize, domain: &str) -> Result<Vec<String>, Error> {
    let bulk = registry.table.for_bulk_load();
    let mut unit_ids = Vec::new();
    for chunk_start in (0..recipients).step_by(100) {
        let input = UnitInput {
            kind: Some("gmina_wiejska".into()),
            name: Some(format!("Gmina wysyłkowa {}", uuid::Uuid::new_v4().simple())),
            ..Default::default()
        };
        let unit = registry.create_unit(actor, input).await.map_err(|e| format!("unit: {e:?}"))?.unit;
        unit_ids.push(unit.id.to_string());
        let persons: Vec<_> = (chunk_start..(chunk_start + 100).min(recipients))
            .map(|i| {
                let letters: String = format!("{i:05}").chars().map(|c| char::from(b'a' + (c as u8 - b'0'))).collect();
                let draft = NewPerson {
                    first_name: Some("Żaneta".into()),
                    last_name: Some(format!("Łęcka-{letters}")),
                    email: Some(format!("osoba{i}@{domain}")),
                    unit_id: Some(unit.id.to_string()),
                    position: Some("Skarbnik".into()),
                    ..Default::default()
                }
                .parse()
                .expect("valid person");
                let now = Utc::now();
                let (person, employment) = draft.into_person(&unit, now, ewokiss_domain::time::today());
                let audit = AuditEntry::new(
                    actor.as_user_ref(),
                    now,
                    AuditAction::Create,
                    person::creation_changes(&person, &unit.name),
                );
                (person, employment, audit)
            })
            .collect();
        futures_util::future::try_join_all(persons.iter().map(|(p, e, a)| people::create_person(&bulk, p, e, a)))
            .await?;
    }
    Ok(unit_ids)
}

async fn recorded_per_address(domain: &str) -> Result<HashMap<String, usize>, Error> {
    let endpoint = required_env("AWS_ENDPOINT_URL")?;
    let data: Value = reqwest::get(format!("{endpoint}/moto-api/data.json")).await?.json().await?;
    let mut counts = HashMap::new();
    for message in data["ses"]["Message"].as_array().cloned().unwrap_or_default() {
        let to = message["destinations"]["ToAddresses"][0].as_str().unwrap_or_default().to_owned();
        if to.ends_with(domain) {
            *counts.entry(to).or_default() += 1;
        }
    }
    Ok(counts)
}

/// One sender as Lambda's SQS event source runs it: a message at a time, delivered twice.
async fn sender_loop(
    sender: &mailer::Sender,
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    mailing_id: MailingId,
) -> Result<u32, Error> {
    let mut batches = 0;
    loop {
        let received =
            sqs.receive_message().queue_url(url).max_number_of_messages(1).wait_time_seconds(1).send().await?;
        let Some(message) = received.messages.unwrap_or_default().into_iter().next() else {
            let mailing = store::get_mailing(&sender.table, mailing_id).await?.ok_or("mailing gone")?;
            if mailing.status != MailingStatus::Sending {
                return Ok(batches);
            }
            continue;
        };
        let batch: MailingBatch = serde_json::from_str(message.body().unwrap_or_default())?;
        if batch.mailing_id != mailing_id {
            continue; // another run's leftover (a reused stack); hidden for its visibility timeout
        }
        for _ in 0..2 {
            sender.send_batch(&batch).await?;
        }
        sqs.delete_message().queue_url(url).set_receipt_handle(message.receipt_handle).send().await?;
        batches += 1;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let recipients: usize = args.next().map(|v| v.parse()).transpose()?.unwrap_or(10_000);
    let rate: f64 = args.next().map(|v| v.parse()).transpose()?.unwrap_or(10.0);
    let senders: usize = args.next().map(|v| v.parse()).transpose()?.unwrap_or(2);

    println!("| mailing | figure |");
    println!("| --- | ---: |");
    println!("| rendering (default template, one core, {} build) | {:.0} messages/s |", profile(), rendering(20_000));

    let sdk = aws_sdk_config().await;
    let table = Table::new(&sdk, &required_env("TABLE_NAME")?);
    let registry = Registry::new(table.clone());
    let actor = Actor::from_claims("bench".into(), "Benchmark".into(), None, &["staff".into()], None, None)
        .map_err(|e| format!("actor: {e:?}"))?;
    let settings = MailingSettings::from_env()?;
    let queue_url = required_env("MAILING_QUEUE_URL")?;
    let queue = Queue::new(&sdk, &queue_url);
    let domain = format!("b{}.gmina-test.pl", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let unit_ids = load(&registry, &actor, recipients, &domain).await?;

    let template = default_mailing_template();
    let input = MailingInput {
        name: Some("Benchmark".into()),
        subject: Some("{{ mailing.name }} dla {{ person.first_name }} {{ person.last_name }}".into()),
        text: Some(template.text),
        html: Some(template.html),
        sender_address: Some(format!("szkolenia@{}", settings.sender_domain)),
        audience: Some(AudienceInput {
            source: Some("units".into()),
            units: Some(InvitedListInput { unit_ids: Some(unit_ids), ..Default::default() }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mailing = registry.create_mailing(&actor, input, &settings).await.map_err(|e| format!("create: {e:?}"))?;
    let id = mailing.mailing.id;
    let (calls, started) = (table.calls.total(), Instant::now());
    let start = registry.start_mailing(&actor, id, &queue).await.map_err(|e| format!("start: {e:?}"))?;
    println!(
        "| fix the recipient list of {} recipients and queue {} batches (start) | {:.1} s, {} DynamoDB calls |",
        start.view.mailing.progress.total,
        start.batches,
        started.elapsed().as_secs_f64(),
        table.calls.total() - calls
    );

    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let make_sender = || {
        mailer::Sender::new(
            table.clone(),
            Mailer::new(
                &sdk,
                format!("e-WOKiSS <szkolenia@{}>", settings.sender_domain),
                std::env::var("SES_CONFIGURATION_SET").ok(),
            ),
            settings.clone(),
            ewokiss_adapters::documents::Documents::new(
                &sdk,
                &required_env("DOCUMENTS_BUCKET").expect("DOCUMENTS_BUCKET"),
            ),
            rate / senders as f64,
        )
    };
    let pool: Vec<mailer::Sender> = (0..senders).map(|_| make_sender()).collect();
    let calls = table.calls.total();
    let results = futures_util::future::join_all(pool.iter().map(|s| sender_loop(s, &sqs, &queue_url, id))).await;
    for result in results {
        result?;
    }
    let calls = table.calls.total() - calls;
    let done = store::get_mailing(&table, id).await?.ok_or("mailing gone")?;
    // The rate between the first and the last send, from the recipients' own sent times.
    let (mut first, mut last) = (None, None);
    let mut cursor: Option<String> = None;
    loop {
        let page = store::recipients(&table, id, None, 500, cursor.as_deref()).await?;
        for at in page.items.iter().filter_map(|r| r.sent_at) {
            first = Some(first.map_or(at, |f: chrono::DateTime<Utc>| f.min(at)));
            last = Some(last.map_or(at, |l: chrono::DateTime<Utc>| l.max(at)));
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let (first, last) = (first.ok_or("nothing sent")?, last.ok_or("nothing sent")?);
    let elapsed = Duration::from_millis((last - first).num_milliseconds().max(1) as u64);
    let achieved = f64::from(done.progress.sent.saturating_sub(1)) / elapsed.as_secs_f64();
    println!(
        "| send {} messages, {senders} senders sharing {rate}/s, every SQS message delivered twice | {:.0} s, {:.2}/s = {:.1} % of the configured rate, {:.1} DynamoDB calls per recipient |",
        done.progress.sent,
        elapsed.as_secs_f64(),
        achieved,
        100.0 * achieved / rate,
        calls as f64 / f64::from(done.progress.sent.max(1))
    );
    let per_address = recorded_per_address(&domain).await?;
    let duplicates: usize = per_address.values().map(|n| n - 1).sum();
    println!(
        "| e-mails in the emulator's mail store / distinct recipients / duplicates | {} / {} / {duplicates} |",
        per_address.values().sum::<usize>(),
        per_address.len()
    );
    Ok(())
}
