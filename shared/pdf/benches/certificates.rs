//! Certificates per second on one core: the whole path of one certificate (template filled in
//! and parsed by the domain, laid out, drawn, fonts subset and embedded), and its parts.
//!
//! `cargo bench -p ewokiss-pdf`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ewokiss_domain::documents::{default_template, DocumentContext, DocumentKind};
use std::hint::black_box;

fn certificate_context(n: usize) -> DocumentContext {
    let mut context = DocumentContext::sample(DocumentKind::Certificate);
    if let DocumentContext::Certificate(certificate) = &mut context {
        certificate.person.name = format!("Katarzyna Wiśniewska-Łęcka {n}");
        certificate.certificate.number = format!("ZAS/{n:06}/2026");
    }
    context
}

fn benches(c: &mut Criterion) {
    let template = default_template(DocumentKind::Certificate);
    let mut group = c.benchmark_group("certificate");
    group.throughput(Throughput::Elements(1));
    let mut n = 0;
    group.bench_function("template_and_pdf", |b| {
        b.iter(|| {
            n += 1;
            let document = template.render(&certificate_context(n)).unwrap();
            black_box(ewokiss_pdf::render_document(&document, None).unwrap())
        })
    });
    group.bench_function("template_only", |b| b.iter(|| black_box(template.render(&certificate_context(1)).unwrap())));
    let document = template.render(&certificate_context(1)).unwrap();
    group.bench_function("pdf_only", |b| b.iter(|| black_box(ewokiss_pdf::render_document(&document, None).unwrap())));
    group.finish();

    let mut context = DocumentContext::sample(DocumentKind::SettlementStatement);
    if let DocumentContext::SettlementStatement(statement) = &mut context {
        let sample = statement.settlement.lines.clone();
        statement.settlement.lines = (0..100).map(|i| sample[i % sample.len()].clone()).collect();
    }
    let statement = default_template(DocumentKind::SettlementStatement).render(&context).unwrap();
    let mut group = c.benchmark_group("statement");
    group.throughput(Throughput::Elements(1));
    group.bench_function("100_lines_pdf", |b| {
        b.iter(|| black_box(ewokiss_pdf::render_document(&statement, None).unwrap()))
    });
    group.finish();
}

criterion_group!(name = certificates; config = Criterion::default().sample_size(30); targets = benches);
criterion_main!(certificates);
