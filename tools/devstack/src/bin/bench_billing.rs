//! The billing benchmark against the local stack (an empty table from `bootstrap.py infra`):
//! the monthly run over N contracts (wall time, DynamoDB calls per contract, a second run that
//! must bill nothing), and the export of M settlements to the accounting system. Prints
//! Markdown rows for docs/BENCHMARKS.md. Usage: bench-billing [CONTRACTS] [EXPORTED]
//! (defaults 10000 and 1000).

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use ewokiss_adapters::app::Registry;
use ewokiss_adapters::config::{aws_sdk_config, required_env};
use ewokiss_adapters::documents::Documents;
use ewokiss_adapters::dynamo::{contracts as contract_store, Table};
use ewokiss_domain::access::Actor;
use ewokiss_domain::contract::{BillingCycle, BillingTiming, Contract, ProRata, Terms};
use ewokiss_domain::ids::{ContractId, UnitId};
use ewokiss_domain::training::{Price, VatTreatment};
use ewokiss_domain::unit::UnitInput;
use futures_util::StreamExt;
use rust_decimal::Decimal;

/// Chunks billed at once: the billing queue's MaximumConcurrency in infra/template.yaml.
const CHUNKS_AT_ONCE: usize = 4;

fn contract(unit_id: UnitId, start: NaiveDate) -> Contract {
    let now = Utc::now();
    Contract {
        id: ContractId::generate(),
        unit_id,
        subject: "Obsługa prawna LEX".into(),
        start,
        end: None,
        cycle: BillingCycle::Monthly,
        timing: BillingTiming::Advance,
        pro_rata: ProRata::CalendarDays,
        terms: vec![Terms {
            effective_from: start,
            price: Price { net: Decimal::new(100_000, 2), vat: VatTreatment::Rate { percent: Decimal::from(23) } },
        }],
        suspensions: Vec::new(),
        terminated_on: None,
        history: Vec::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

async fn load(
    registry: &Registry,
    actor: &Actor,
    count: usize,
    start: NaiveDate,
) -> Result<(), Box<dyn std::error::Error>> {
    let input = UnitInput {
        kind: Some("gmina_wiejska".into()),
        name: Some(format!("Gmina testowa {}", uuid::Uuid::new_v4().simple())),
        address: Some(ewokiss_domain::unit::AddressInput {
            street: Some("ul. Rynek 1".into()),
            postal_code: Some("62-035".into()),
            city: Some("Kórnik".into()),
        }),
        ..Default::default()
    };
    let unit = registry.create_unit(actor, input).await.map_err(|e| format!("unit: {e:?}"))?;
    let bulk = registry.table.for_bulk_load();
    let contracts: Vec<Contract> = (0..count).map(|_| contract(unit.unit.id, start)).collect();
    for batch in contracts.chunks(200) {
        futures_util::future::try_join_all(batch.iter().map(|c| contract_store::create_contract(&bulk, c))).await?;
    }
    Ok(())
}

/// One run as the billing function does it: plan, then the chunks four at a time.
async fn run(registry: &Registry, as_of: NaiveDate) -> Result<(usize, u32), Box<dyn std::error::Error>> {
    let chunks = registry.plan_billing(as_of).await?;
    let contracts = chunks.iter().map(|c| c.contract_ids.len()).sum();
    let reports: Vec<_> = futures_util::stream::iter(&chunks)
        .map(|chunk| registry.bill_chunk(chunk))
        .buffer_unordered(CHUNKS_AT_ONCE)
        .collect()
        .await;
    let mut charges = 0;
    for report in reports {
        let report = report?;
        if !report.failed.is_empty() {
            return Err(format!("{} contracts failed", report.failed.len()).into());
        }
        charges += report.charges_created;
    }
    registry.issue_drafts(ewokiss_domain::time::today()).await?;
    Ok((contracts, charges))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let contracts: usize = args.next().map(|v| v.parse()).transpose()?.unwrap_or(10_000);
    let exported: usize = args.next().map(|v| v.parse()).transpose()?.unwrap_or(1_000);
    let sdk = aws_sdk_config().await;
    let table = Table::new(&sdk, &required_env("TABLE_NAME")?);
    let registry = Registry::new(table.clone());
    let actor = Actor::from_claims("bench".into(), "Benchmark".into(), None, &["staff".into()], None, None)
        .map_err(|e| format!("actor: {e:?}"))?;
    let documents = Documents::new(&sdk, &required_env("DOCUMENTS_BUCKET")?);
    let seller = ewokiss_adapters::accounting_app::seller_from_env();

    println!("| billing (local stack: moto, every DynamoDB call serialised) | time | DynamoDB calls | per contract / settlement |");
    println!("| --- | ---: | ---: | ---: |");

    // The export: M contracts billed once, then their M settlements handed over in one batch.
    let as_of: NaiveDate = "2027-02-01".parse()?;
    load(&registry, &actor, exported, as_of).await?;
    run(&registry, as_of).await?;
    let (calls, started) = (table.calls.total(), Instant::now());
    let batch = registry.export(&actor, &documents, &seller).await.map_err(|e| format!("export: {e:?}"))?;
    let (elapsed, used) = (started.elapsed(), table.calls.total() - calls);
    println!(
        "| export of {} settlements (ERP XL XML, CSV, {} FA(3) drafts to S3) | {:.1} s | {used} | {:.2} |",
        batch.documents,
        batch.files.len() - 2,
        elapsed.as_secs_f64(),
        used as f64 / f64::from(batch.documents.max(1))
    );

    // The monthly run over N contracts due in March, then the same run again.
    let as_of: NaiveDate = "2027-03-01".parse()?;
    load(&registry, &actor, contracts, as_of).await?;
    let (calls, started) = (table.calls.total(), Instant::now());
    let (due, charges) = run(&registry, as_of).await?;
    let (elapsed, used) = (started.elapsed(), table.calls.total() - calls);
    println!(
        "| monthly run: {due} contracts due ({exported} of them billed for February already), {charges} charges and settlements issued | {:.1} s | {used} | {:.2} |",
        elapsed.as_secs_f64(),
        used as f64 / due.max(1) as f64
    );
    let (calls, started) = (table.calls.total(), Instant::now());
    let (due, charges) = run(&registry, as_of).await?;
    println!(
        "| the same run again: {due} contracts due, {charges} charges | {:.1} s | {} | – |",
        started.elapsed().as_secs_f64(),
        table.calls.total() - calls
    );
    Ok(())
}
