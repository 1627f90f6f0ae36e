//! Renders the sample documents of every kind to PDF files (to look at them, and to measure
//! how much a release binary grows by linking the PDF engine: compare with `baseline`).
//!
//! `cargo run -p ewokiss-pdf --example certificate -- /tmp/docs`

use ewokiss_domain::documents::{default_template, DocumentContext, DocumentKind};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
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
}
