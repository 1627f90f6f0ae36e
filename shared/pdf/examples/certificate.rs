//! Renders the sample documents of every kind to PDF files (to look at them, and to measure
//! how much a release binary grows by linking the PDF engine: compare with `baseline`).
//!
//! `cargo run -p ewokiss-pdf --example certificate -- /tmp/docs`

use ewokiss_domain::documents::{default_template, DocumentContext, DocumentKind};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    // The first certificate pays for parsing the fonts once per process (a cold start's share).
    let certificate = default_template(DocumentKind::Certificate).validate().expect("valid");
    for run in ["first", "second"] {
        let started = std::time::Instant::now();
        let pdf = ewokiss_pdf::render_document(&certificate, None).expect("renders");
        println!("{run} certificate: {:.2} ms, {} bytes", started.elapsed().as_secs_f64() * 1000.0, pdf.len());
    }
    for kind in DocumentKind::ALL {
        let document = default_template(kind).validate().expect("the default template is valid");
        let pdf = ewokiss_pdf::render_document(&document, None).expect("renders");
        let path = format!("{dir}/{}.pdf", kind.code());
        std::fs::write(&path, &pdf).expect("writes");
        println!("{path}: {} bytes", pdf.len());
    }
    // A statement of 60 lines: the table breaks across pages and repeats its header.
    let mut context = DocumentContext::sample(DocumentKind::SettlementStatement);
    if let DocumentContext::SettlementStatement(statement) = &mut context {
        let sample = statement.settlement.lines.clone();
        statement.settlement.lines = (0..60)
            .map(|n| {
                let mut line = sample[n % sample.len()].clone();
                line.no = (n + 1).to_string();
                line
            })
            .collect();
    }
    let document = default_template(DocumentKind::SettlementStatement).render(&context).expect("renders");
    let pdf = ewokiss_pdf::render_document(&document, None).expect("renders");
    let path = format!("{dir}/settlement_statement_60_lines.pdf");
    std::fs::write(&path, &pdf).expect("writes");
    println!("{path}: {} bytes", pdf.len());

    // Certificates per second on one core, by this thread's CPU time (robust on a shared
    // machine, where wall time also counts waiting for a core) and by wall time.
    let template = default_template(DocumentKind::Certificate);
    let count = 300;
    let (wall, cpu) = (std::time::Instant::now(), thread_cpu_ns());
    for n in 0..count {
        let mut context = DocumentContext::sample(DocumentKind::Certificate);
        if let DocumentContext::Certificate(certificate) = &mut context {
            certificate.person.name = format!("Katarzyna Wiśniewska-Łęcka {n}");
        }
        let document = template.render(&context).expect("renders");
        std::hint::black_box(ewokiss_pdf::render_document(&document, None).expect("renders"));
    }
    let wall = wall.elapsed().as_secs_f64();
    if let (Some(start), Some(end)) = (cpu, thread_cpu_ns()) {
        let cpu = (end - start) as f64 / 1e9;
        println!(
            "{count} certificates: {:.2} ms CPU each ({:.0}/s per core), wall {:.2} ms each",
            cpu * 1000.0 / count as f64,
            count as f64 / cpu,
            wall * 1000.0 / count as f64
        );
    }
}

/// CPU time of this thread in nanoseconds (Linux `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}
