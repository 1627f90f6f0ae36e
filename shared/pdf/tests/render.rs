//! Renders documents to PDF and reads the text back with an independent extractor
//! (`pdf-extract`): what a viewer's search and copy would find.

use chrono::{TimeZone, Utc};
use ewokiss_domain::documents::{
    default_template, DocumentContext, DocumentKind, DocumentTemplate, RenderedDocument, StatementLine,
};
use ewokiss_pdf::{page_count, render_document};

const POLISH: &str = "ą ć ę ł ń ó ś ź ż Ą Ć Ę Ł Ń Ó Ś Ź Ż";

fn created() -> Option<chrono::DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(2026, 12, 18, 9, 30, 0).unwrap())
}

fn extract(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("the PDF parses and its text extracts")
}

/// Text without any whitespace: extractors differ in where they put spaces and line breaks.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The squeezed text without the page numbers the renderer adds (`strona 1 z 2`).
fn without_page_numbers(squeezed: &str) -> String {
    let mut text = squeezed.to_owned();
    for count in 2..50 {
        for page in 1..=count {
            text = text.replace(&format!("strona{page}z{count}"), "");
        }
    }
    text
}

fn certificate_with(name: &str, title: &str) -> RenderedDocument {
    let mut context = DocumentContext::sample(DocumentKind::Certificate);
    let DocumentContext::Certificate(certificate) = &mut context else { unreachable!() };
    certificate.person.name = name.into();
    certificate.training.title = title.into();
    default_template(DocumentKind::Certificate).render(&context).unwrap()
}

#[test]
fn every_polish_letter_is_in_the_text_layer() {
    let document = certificate_with(POLISH, "Zażółć gęślą jaźń – ZAŻÓŁĆ GĘŚLĄ JAŹŃ");
    let pdf = render_document(&document, created()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = extract(&pdf);
    let squeezed = squeeze(&text);
    assert!(squeezed.contains(&squeeze(POLISH)), "{text}");
    assert!(squeezed.contains("Zażółćgęśląjaźń–ZAŻÓŁĆGĘŚLĄJAŹŃ"), "{text}");
    for letter in POLISH.split(' ') {
        assert!(text.contains(letter), "{letter} missing from {text}");
    }
    // Everything the layout holds is in the PDF's text, in order.
    let expected = squeeze(&document.layout.plain_text());
    assert_eq!(without_page_numbers(&squeeze(&text)), expected);
    assert_eq!(page_count(&document.layout).unwrap(), 1, "a certificate fits on one page");
    assert!(pdf.windows(10).any(|w| w == b"/ToUnicode"), "text maps back to Unicode");
    assert!(pdf.windows(11).any(|w| w == b"+DejaVuSans"), "the font is embedded as a subset");
    assert!(pdf.windows(10).any(|w| w == b"/Lang(pl)>"), "document language");
    let title = format!("<rdf:li xml:lang=\"x-default\">{}</rdf:li>", document.title);
    assert!(pdf.windows(title.len()).any(|w| w == title.as_bytes()), "title in the XMP metadata: {title}");
}

#[test]
fn fonts_are_subset_so_a_certificate_stays_small() {
    let pdf = render_document(&certificate_with("Katarzyna Wiśniewska-Łęcka", "RODO w gminie"), created()).unwrap();
    assert!(pdf.len() < 60_000, "{} bytes", pdf.len());
}

#[test]
fn every_default_template_renders_to_pdf() {
    for kind in DocumentKind::ALL {
        let document = default_template(kind).validate().unwrap();
        let pdf = render_document(&document, created()).unwrap();
        let text = extract(&pdf);
        assert!(squeeze(&text).contains(&squeeze(ewokiss_domain::templates::ASSOCIATION)), "{kind}: {text}");
        assert_eq!(without_page_numbers(&squeeze(&text)), squeeze(&document.layout.plain_text()), "{kind}");
        assert_eq!(page_count(&document.layout).unwrap(), 1, "{kind} fits on one page");
    }
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let document = certificate_with("Ewa Żółkiewska", "Szkolenie");
    assert_eq!(render_document(&document, created()).unwrap(), render_document(&document, created()).unwrap());
}

#[test]
fn a_long_settlement_statement_breaks_across_pages_without_losing_rows() {
    let mut context = DocumentContext::sample(DocumentKind::SettlementStatement);
    let DocumentContext::SettlementStatement(statement) = &mut context else { unreachable!() };
    statement.settlement.lines = (1..=240)
        .map(|n| StatementLine {
            no: n.to_string(),
            description: format!(
                "Pozycja-{n:03} Zamówienia publiczne w praktyce – Żaneta Ślęzak{}",
                if n % 7 == 0 { " (nieobecność, zgodnie z regulaminem szkoleń otwartych WOKiSS)" } else { "" }
            ),
            dates: "15–16.12.2026".into(),
            net: "450,00".into(),
            vat: "zw".into(),
            vat_amount: "0,00".into(),
            gross: "450,00".into(),
        })
        .collect();
    let document = default_template(DocumentKind::SettlementStatement).render(&context).unwrap();
    let pages = page_count(&document.layout).unwrap();
    assert!(pages >= 5, "{pages} pages");
    let pdf = render_document(&document, created()).unwrap();
    let text = extract(&pdf);
    for n in 1..=240 {
        let marker = format!("Pozycja-{n:03}");
        assert_eq!(text.matches(&marker).count(), 1, "{marker}");
    }
    // Rows in order, and the header repeated on every page.
    let positions: Vec<usize> = (1..=240).map(|n| text.find(&format!("Pozycja-{n:03}")).unwrap()).collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(text.matches("Kwota VAT").count(), pages);
    assert!(text.contains(&format!("strona {pages} z {pages}")));
}

#[test]
fn a_broken_template_never_reaches_the_renderer() {
    let template =
        DocumentTemplate { body: "{{ person.nazwisko }}".into(), ..default_template(DocumentKind::Certificate) };
    let errors = template.validate().unwrap_err();
    assert_eq!(errors.0[0].code, "unknown_placeholder");
}
