//! The certificates benchmark against the local stack (an empty table from `bootstrap.py
//! infra`): N certificates of one training rendered to PDF (one core), then each stored as the
//! generator does (PDF to S3, reservation with its number, issue), and the ZIP of the training
//! as an administrator downloads it. Prints Markdown rows for docs/BENCHMARKS.md.
//! Usage: bench-certificates [N]   (default 100)

use std::time::Instant;

use chrono::Utc;
use ewokiss_adapters::app::Registry;
use ewokiss_adapters::certificate_app::CertificateSettings;
use ewokiss_adapters::certificate_issue::render_certificate;
use ewokiss_adapters::config::{aws_sdk_config, required_env};
use ewokiss_adapters::documents::Documents;
use ewokiss_adapters::dynamo::certificates as store;
use ewokiss_adapters::dynamo::numbering::last_number;
use ewokiss_adapters::dynamo::Table;
use ewokiss_domain::access::Actor;
use ewokiss_domain::documents::certificate::{number_year, Certificate, CertificateNumber, VerificationCode};
use ewokiss_domain::history::{ContactEvent, EventKind, ObjectKind, ObjectRef, UserRef};
use ewokiss_domain::ids::{CertificateId, EnrolmentId, EventId, PersonId, TrainingId, UnitId};
use rust_decimal::Decimal;

type Error = Box<dyn std::error::Error>;

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

fn certificate(training: TrainingId, unit: UnitId, i: usize, number: CertificateNumber) -> Certificate {
    let now = Utc::now();
    let day = ewokiss_domain::time::today();
    Certificate {
        id: CertificateId::generate(),
        number,
        version: 1,
        training_id: training,
        enrolment_id: EnrolmentId::generate(),
        person_id: PersonId::generate(),
        unit_id: unit,
        unit_path: vec![unit],
        holder_name: format!("Żaneta Łęcka-Ćwiklińska {i}"),
        training_title: "Zamówienia publiczne w praktyce — zmiany 2027".into(),
        training_kind: "EDU-OPEN".into(),
        training_kind_name: "szkolenie otwarte".into(),
        starts_on: day,
        ends_on: day,
        session_dates: vec![day],
        hours: Decimal::from(6),
        trainers: vec!["dr Grzegorz Brzęczyszczykiewicz".into()],
        venue: "Sala WOKiSS, ul. Wielka 1, 61-775 Poznań".into(),
        code: VerificationCode::generate(),
        issued_at: now,
        first_issued_at: now,
        correction_reason: None,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    let count: usize = std::env::args().nth(1).map(|v| v.parse()).transpose()?.unwrap_or(100);
    let sdk = aws_sdk_config().await;
    let table = Table::new(&sdk, &required_env("TABLE_NAME")?);
    let registry = Registry::new(table.clone());
    let documents = Documents::new(&sdk, &required_env("DOCUMENTS_BUCKET")?);
    let settings = CertificateSettings::from_env()?;
    let (training, unit) = (TrainingId::generate(), UnitId::generate());
    let year = number_year(Utc::now());
    let first = last_number(&table, store::SERIES, year).await?;
    let certificates: Vec<Certificate> = (0..count)
        .map(|i| certificate(training, unit, i, CertificateNumber::new(year, first + 1 + i as u32).expect("in range")))
        .collect();

    println!("| certificates ({count} of one training; local stack: moto) | figure |");
    println!("| --- | ---: |");
    let started = Instant::now();
    let template = ewokiss_domain::documents::default_template(ewokiss_domain::documents::DocumentKind::Certificate);
    let pdfs: Vec<Vec<u8>> =
        certificates.iter().map(|c| render_certificate(c, &template, &settings)).collect::<Result<_, _>>()?;
    let rendering = started.elapsed().as_secs_f64();
    println!("| render to PDF, one core ({} build) | {:.0} certificates/s |", profile(), count as f64 / rendering);
    let size: usize = pdfs.iter().map(Vec::len).sum::<usize>() / count;
    println!("| PDF size | {:.1} KB each |", size as f64 / 1024.0);

    let (calls, started) = (table.calls.total(), Instant::now());
    for (i, (certificate, pdf)) in certificates.iter().zip(pdfs).enumerate() {
        store::reserve(&table, certificate, first + i as u32).await?;
        documents.put(&certificate.storage_key(), pdf, "application/pdf").await?;
        let event = ContactEvent {
            id: EventId::generate(),
            kind: EventKind::Document,
            at: Utc::now(),
            author: UserRef { id: "bench".into(), name: "Benchmark".into() },
            subject: format!("Zaświadczenie nr {}", certificate.number),
            body: None,
            links: vec![ObjectRef { kind: ObjectKind::Training, id: training.to_string(), label: None }],
        };
        store::mark_issued(&table, certificate, &event, None).await?;
    }
    let storing = started.elapsed().as_secs_f64();
    println!(
        "| store as the generator does (reserve with the number, PDF to S3, issue), one after another | {:.1} certificates/s, {} DynamoDB calls each |",
        count as f64 / storing,
        (table.calls.total() - calls) / count as u64
    );

    let staff = Actor::from_claims("bench".into(), "Benchmark".into(), None, &["staff".into()], None, None)
        .map_err(|e| format!("actor: {e:?}"))?;
    let started = Instant::now();
    let link = registry.certificates_zip(&staff, training, &documents).await.map_err(|e| format!("zip: {e:?}"))?;
    let zipping = started.elapsed().as_secs_f64();
    let zip = reqwest::get(&link.url).await?.bytes().await?;
    println!(
        "| ZIP of the training's {count} certificates (read from S3 8 at a time, packed, stored, linked) | {:.2} s, {:.1} MB |",
        zipping,
        zip.len() as f64 / 1_048_576.0
    );
    Ok(())
}
