//! PDF rendering of e-WOKiSS documents: certificates, letters, contracts and settlement
//! statements. Takes the pure layout of `ewokiss_domain::documents` (templates filled in and
//! parsed there) and returns PDF bytes: A4, DejaVu Sans (every Polish letter) embedded as a
//! subset with a ToUnicode map so the text is selectable and searchable, word wrapping measured
//! from the font's glyph advances, tables that break across pages without losing rows, and the
//! verification QR code drawn as vector squares. The engine is krilla (see `docs/PDF-ENGINE.md`).
//!
//! No I/O: the caller stores the bytes (S3) and records the document.

mod draw;
mod flow;
mod fonts;

use chrono::{DateTime, Utc};
use ewokiss_domain::documents::layout::Layout;
use ewokiss_domain::documents::RenderedDocument;

/// The document's metadata.
#[derive(Debug, Clone, Copy)]
pub struct DocumentInfo<'a> {
    pub title: &'a str,
    pub author: Option<&'a str>,
    pub creator: &'a str,
    /// BCP 47, `pl` for every document here.
    pub language: &'a str,
    /// Pass the issue time: the same input then gives the same bytes.
    pub created: Option<DateTime<Utc>>,
}

impl<'a> DocumentInfo<'a> {
    pub fn new(title: &'a str) -> Self {
        Self {
            title,
            author: Some(ewokiss_domain::templates::ASSOCIATION),
            creator: "e-WOKiSS",
            language: "pl",
            created: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("the QR code cannot hold the payload: {0}")]
    Qr(String),
    #[error("the PDF engine failed: {0}")]
    Engine(String),
}

/// Renders a layout to PDF bytes.
pub fn render(layout: &Layout, info: &DocumentInfo<'_>) -> Result<Vec<u8>, PdfError> {
    let pages = flow::pages(layout)?;
    draw::pdf(&pages, info)
}

/// Renders a filled-in template; its title becomes the PDF's title.
pub fn render_document(document: &RenderedDocument, created: Option<DateTime<Utc>>) -> Result<Vec<u8>, PdfError> {
    render(&document.layout, &DocumentInfo { created, ..DocumentInfo::new(&document.title) })
}

/// How many pages a layout takes (for previews and tests).
pub fn page_count(layout: &Layout) -> Result<usize, PdfError> {
    Ok(flow::pages(layout)?.len())
}
