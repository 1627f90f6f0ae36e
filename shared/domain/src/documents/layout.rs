//! The layout of a generated document: a list of blocks, free of geometry. `ewokiss-pdf` turns
//! it into A4 pages (fonts, sizes in points, wrapping, page breaks); the domain only says what
//! goes on the page and in which order, so templates can be checked and previewed without the
//! PDF engine (see `docs/PDF-ENGINE.md` for why the model lives here).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Centre,
    Right,
}

/// Relative text size; the renderer maps it to points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    Small,
    #[default]
    Normal,
    Large,
}

/// A run of text in one weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub text: String,
    pub bold: bool,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Self {
        Self { text: text.into(), bold: false }
    }

    pub fn bold(text: impl Into<String>) -> Self {
        Self { text: text.into(), bold: true }
    }
}

/// One line of the source: the renderer wraps it to the page width and never joins two.
pub type Line = Vec<Span>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    pub lines: Vec<Line>,
    pub align: Align,
    pub size: TextSize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1 (document title) to 3.
    pub level: u8,
    pub spans: Line,
    pub align: Align,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub header: Line,
    /// Amounts are right-aligned.
    pub align: Align,
}

/// A table with a header row; the renderer repeats the header on every page it spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Every row has one cell per column.
    pub rows: Vec<Vec<Line>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "block", rename_all = "snake_case")]
pub enum Block {
    Heading(Heading),
    Paragraph(Paragraph),
    Table(Table),
    /// A thin line across the text width.
    Rule,
    /// A line to sign on, with caption lines under it.
    Signature {
        caption: Vec<Line>,
        align: Align,
    },
    /// Lines to sign on side by side (the parties of a contract), one caption each.
    Signatures {
        captions: Vec<Line>,
    },
    /// A QR code of `payload` drawn as vector squares, with caption lines beside it.
    Qr {
        payload: String,
        caption: Vec<Line>,
        align: Align,
    },
    /// Vertical space in millimetres.
    Space {
        mm: u16,
    },
    PageBreak,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Layout {
    pub blocks: Vec<Block>,
    /// Printed small at the foot of every page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
}

impl Layout {
    /// Every character of the document's text in reading order (headings, paragraphs, table
    /// cells, captions), one block or row per line: what a PDF text extractor should find.
    pub fn plain_text(&self) -> String {
        fn line(spans: &[Span]) -> String {
            spans.iter().map(|s| s.text.as_str()).collect()
        }
        let mut out = Vec::new();
        for block in &self.blocks {
            match block {
                Block::Heading(h) => out.push(line(&h.spans)),
                Block::Paragraph(p) => out.extend(p.lines.iter().map(|l| line(l))),
                Block::Table(t) => {
                    out.push(t.columns.iter().map(|c| line(&c.header)).collect::<Vec<_>>().join(" "));
                    out.extend(t.rows.iter().map(|r| r.iter().map(|c| line(c)).collect::<Vec<_>>().join(" ")));
                }
                Block::Signature { caption, .. } | Block::Qr { caption, .. } => {
                    out.extend(caption.iter().map(|l| line(l)))
                }
                Block::Signatures { captions } => {
                    out.push(captions.iter().map(|l| line(l)).collect::<Vec<_>>().join(" "))
                }
                Block::Rule | Block::Space { .. } | Block::PageBreak => {}
            }
        }
        if let Some(footer) = &self.footer {
            out.push(footer.clone());
        }
        out.join("\n")
    }
}
