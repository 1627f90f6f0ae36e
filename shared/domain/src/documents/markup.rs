//! The small markup of document templates, parsed into a [`Layout`]. A template is minijinja
//! text whose output is this markup; values inserted with `{{ … }}` are escaped (see
//! [`escape_value`]), so a name like `**Nowak**` or `# 1` prints as it is written.
//!
//! | markup (at the start of a line)   | meaning |
//! | --- | --- |
//! | text lines                        | a paragraph; each source line is a line of its own (long lines wrap); consecutive lines with the same prefixes (below) form one paragraph |
//! | blank line                        | ends a paragraph (or a table) |
//! | `# `, `## `, `### `               | heading, level 1 (document title) to 3, bold |
//! | `^^ ` / `>> ` / `<< `             | centred / right-aligned / left-aligned (before a paragraph, heading or directive) |
//! | `++ ` / `~~ `                     | larger / smaller text for the paragraph |
//! | `**bold**`                        | bold inside any text |
//! | `\x`                              | the character `x` itself (`\*`, `\|`, `\#`, `\\`) |
//! | `---`                             | a horizontal rule |
//! | `\| a \| b \|`                    | a table row; consecutive rows form a table, the first is the header; a header cell `>Kwota` makes its column right-aligned, `^Lp.` centred; a row of dashes (`\|---\|---\|`) is ignored |
//! | `[[qr]]`, `[[qr: line \| line]]` | the verification QR code (certificates), with caption lines beside it |
//! | `[[signature: caption \| line]]`  | a line to sign on with caption lines under it (right-aligned unless `^^`/`<<`) |
//! | `[[signatures: A \| B]]`          | lines to sign on side by side, one caption each (the parties of a contract) |
//! | `[[space: 10]]`                   | 10 mm of vertical space (1–200) |
//! | `[[pagebreak]]`                   | the next block starts on a new page |
//! | `[[footer: text]]`                | small text at the foot of every page |

use super::layout::{Align, Block, Column, Heading, Layout, Line, Paragraph, Span, Table, TextSize};

/// What is wrong with the markup, on which line (1-based) of the rendered template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {en}")]
pub struct MarkupError {
    pub line: usize,
    pub code: &'static str,
    pub pl: String,
    pub en: String,
}

impl MarkupError {
    fn new(line: usize, code: &'static str, pl: impl Into<String>, en: impl Into<String>) -> Self {
        Self { line, code, pl: pl.into(), en: en.into() }
    }
}

/// The characters that mean something in the markup, escaped in inserted values.
const SPECIAL: &[char] = &['\\', '*', '|', '[', ']', '#', '^', '>', '<', '~', '+', '-'];

/// Escapes a value inserted into a template so it prints literally: markup characters get a
/// backslash, and line breaks become spaces (a value never starts a new line, row or block).
pub fn escape_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 8);
    let mut last_space = false;
    for c in raw.chars() {
        if matches!(c, '\n' | '\r') {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = c == ' ';
        if SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Parses rendered markup. `qr_payload` is what `[[qr]]` encodes (the certificate's
/// verification URL); without one, `[[qr]]` is an error.
pub fn parse(source: &str, qr_payload: Option<&str>) -> Result<Layout, MarkupError> {
    let mut parser = Parser { layout: Layout::default(), paragraph: None, table: None };
    for (index, raw) in source.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() {
            parser.flush();
            continue;
        }
        if line.starts_with('|') {
            parser.flush_paragraph();
            parser.table_row(line, number)?;
            continue;
        }
        parser.flush_table();
        if line == "---" {
            parser.flush();
            parser.layout.blocks.push(Block::Rule);
            continue;
        }
        let (prefix, rest) = prefixes(line);
        if rest.starts_with("[[") {
            parser.flush();
            parser.directive(rest, prefix.align, number, qr_payload)?;
            continue;
        }
        if let Some((level, text)) = heading(rest) {
            parser.flush();
            let spans = inline(text, number)?;
            parser.layout.blocks.push(Block::Heading(Heading {
                level,
                spans,
                align: prefix.align.unwrap_or_default(),
            }));
            continue;
        }
        let spans = inline(rest, number)?;
        let (align, size) = (prefix.align.unwrap_or_default(), prefix.size.unwrap_or_default());
        match &mut parser.paragraph {
            Some(paragraph) if paragraph.align == align && paragraph.size == size => paragraph.lines.push(spans),
            _ => {
                parser.flush();
                parser.paragraph = Some(Paragraph { lines: vec![spans], align, size });
            }
        }
    }
    parser.flush();
    Ok(parser.layout)
}

struct Parser {
    layout: Layout,
    paragraph: Option<Paragraph>,
    table: Option<Table>,
}

impl Parser {
    fn flush_paragraph(&mut self) {
        if let Some(paragraph) = self.paragraph.take() {
            self.layout.blocks.push(Block::Paragraph(paragraph));
        }
    }

    fn flush_table(&mut self) {
        if let Some(table) = self.table.take() {
            self.layout.blocks.push(Block::Table(table));
        }
    }

    fn flush(&mut self) {
        self.flush_paragraph();
        self.flush_table();
    }

    fn table_row(&mut self, line: &str, number: usize) -> Result<(), MarkupError> {
        let cells = split_cells(line);
        if cells.iter().all(|cell| is_separator(cell)) {
            return Ok(());
        }
        match &mut self.table {
            None => {
                let mut columns = Vec::with_capacity(cells.len());
                for cell in cells {
                    let (align, text) = if let Some(rest) = cell.strip_prefix('>') {
                        (Align::Right, rest.trim_start())
                    } else if let Some(rest) = cell.strip_prefix('^') {
                        (Align::Centre, rest.trim_start())
                    } else {
                        (Align::Left, cell)
                    };
                    columns.push(Column { header: inline(text, number)?, align });
                }
                self.table = Some(Table { columns, rows: Vec::new() });
            }
            Some(table) => {
                if cells.len() != table.columns.len() {
                    return Err(MarkupError::new(
                        number,
                        "table_cells",
                        format!(
                            "Wiersz {number}: wiersz tabeli ma {} komórek, a nagłówek {}.",
                            cells.len(),
                            table.columns.len()
                        ),
                        format!(
                            "Line {number}: the table row has {} cells, the header {}.",
                            cells.len(),
                            table.columns.len()
                        ),
                    ));
                }
                let row = cells.into_iter().map(|cell| inline(cell, number)).collect::<Result<Vec<Line>, _>>()?;
                table.rows.push(row);
            }
        }
        Ok(())
    }

    fn directive(
        &mut self,
        text: &str,
        align: Option<Align>,
        number: usize,
        qr_payload: Option<&str>,
    ) -> Result<(), MarkupError> {
        let unknown = || {
            MarkupError::new(
                number,
                "unknown_directive",
                format!(
                    "Wiersz {number}: nieznane polecenie {text}. Dostępne: [[qr]], [[signature: …]], [[space: mm]], [[pagebreak]], [[footer: …]]."
                ),
                format!(
                    "Line {number}: unknown directive {text}. Available: [[qr]], [[signature: …]], [[space: mm]], [[pagebreak]], [[footer: …]]."
                ),
            )
        };
        let inner = text.strip_prefix("[[").and_then(|t| t.strip_suffix("]]")).ok_or_else(unknown)?;
        let (name, argument) = match inner.split_once(':') {
            Some((name, argument)) => (name.trim(), Some(argument.trim())),
            None => (inner.trim(), None),
        };
        let block = match name {
            "qr" => {
                let Some(payload) = qr_payload else {
                    return Err(MarkupError::new(
                        number,
                        "qr_unavailable",
                        format!("Wiersz {number}: kod QR jest dostępny tylko w zaświadczeniach."),
                        format!("Line {number}: the QR code is available in certificates only."),
                    ));
                };
                Block::Qr {
                    payload: payload.to_owned(),
                    caption: caption_lines(argument, number)?,
                    align: align.unwrap_or_default(),
                }
            }
            "signature" => {
                Block::Signature { caption: caption_lines(argument, number)?, align: align.unwrap_or(Align::Right) }
            }
            "signatures" => Block::Signatures { captions: caption_lines(argument, number)? },
            "space" => {
                let mm = argument.and_then(|a| a.parse::<u16>().ok()).filter(|mm| (1..=200).contains(mm));
                let Some(mm) = mm else {
                    return Err(MarkupError::new(
                        number,
                        "invalid_space",
                        format!("Wiersz {number}: odstęp podaje się w milimetrach, od 1 do 200, np. [[space: 10]]."),
                        format!("Line {number}: space is given in millimetres, 1 to 200, e.g. [[space: 10]]."),
                    ));
                };
                Block::Space { mm }
            }
            "pagebreak" if argument.is_none() => Block::PageBreak,
            "footer" => {
                self.layout.footer = Some(argument.map(unescape).unwrap_or_default());
                return Ok(());
            }
            _ => return Err(unknown()),
        };
        self.layout.blocks.push(block);
        Ok(())
    }
}

#[derive(Default)]
struct Prefix {
    align: Option<Align>,
    size: Option<TextSize>,
}

fn prefixes(mut line: &str) -> (Prefix, &str) {
    let mut prefix = Prefix::default();
    loop {
        let found = [
            ("^^", Some(Align::Centre), None),
            (">>", Some(Align::Right), None),
            ("<<", Some(Align::Left), None),
            ("++", None, Some(TextSize::Large)),
            ("~~", None, Some(TextSize::Small)),
        ]
        .into_iter()
        .find(|(marker, _, _)| line.starts_with(marker));
        let Some((marker, align, size)) = found else { break };
        prefix.align = align.or(prefix.align);
        prefix.size = size.or(prefix.size);
        line = line[marker.len()..].trim_start();
    }
    (prefix, line)
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    let rest = &line[hashes..];
    ((1..=3).contains(&hashes) && rest.starts_with(' ')).then(|| (hashes as u8, rest.trim()))
}

/// Text with `**bold**` and backslash escapes into spans.
fn inline(text: &str, number: usize) -> Result<Line, MarkupError> {
    let mut spans: Line = Vec::new();
    let mut current = String::new();
    let mut bold = false;
    let mut chars = text.chars().peekable();
    let push = |spans: &mut Line, current: &mut String, bold: bool| {
        if !current.is_empty() {
            spans.push(Span { text: std::mem::take(current), bold });
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.push(chars.next().unwrap_or('\\')),
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                push(&mut spans, &mut current, bold);
                bold = !bold;
            }
            _ => current.push(c),
        }
    }
    if bold {
        return Err(MarkupError::new(
            number,
            "unclosed_bold",
            format!("Wiersz {number}: pogrubienie ** nie jest zamknięte."),
            format!("Line {number}: bold ** is not closed."),
        ));
    }
    push(&mut spans, &mut current, bold);
    Ok(spans)
}

/// `a | **b**` into caption lines.
fn caption_lines(argument: Option<&str>, number: usize) -> Result<Vec<Line>, MarkupError> {
    let Some(argument) = argument else { return Ok(Vec::new()) };
    split_unescaped(argument, '|').into_iter().map(|line| inline(line.trim(), number)).collect()
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next().unwrap_or('\\') } else { c });
    }
    out
}

/// Splits on `separator` where it is not escaped; escapes stay in the parts.
fn split_unescaped(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == separator {
            parts.push(&text[start..at]);
            start = at + c.len_utf8();
        }
    }
    parts.push(&text[start..]);
    parts
}

fn split_cells(line: &str) -> Vec<&str> {
    let mut cells = split_unescaped(line, '|');
    cells.remove(0); // before the leading `|`
    if cells.len() > 1 && cells.last().is_some_and(|last| last.trim().is_empty()) {
        cells.pop(); // after the closing `|`
    }
    cells.into_iter().map(str::trim).collect()
}

fn is_separator(cell: &str) -> bool {
    let core = cell.trim_start_matches(':').trim_end_matches(':');
    !core.is_empty() && core.bytes().all(|b| b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn blocks_prefixes_and_bold() {
        let source = "^^ # ZAŚWIADCZENIE\n^^ nr ZAS/000001/2026\n^^ drugi wiersz\nPani **Ewa Kowalska**\nul. Długa 1\n\n>> ~~ Poznań, 1 grudnia 2026 r.\n---\n[[space: 12]]\n[[signature: Dyrektor]]\n[[pagebreak]]\n[[footer: WOKiSS · stopka]]\n[[signatures: Za Stowarzyszenie | Za Jednostkę]]";
        let layout = parse(source, None).unwrap();
        assert_eq!(layout.blocks.len(), 9, "{:#?}", layout.blocks);
        let Block::Heading(h) = &layout.blocks[0] else { panic!() };
        assert_eq!((h.level, h.align, text(&h.spans).as_str()), (1, Align::Centre, "ZAŚWIADCZENIE"));
        let Block::Paragraph(p) = &layout.blocks[1] else { panic!() };
        assert_eq!((p.align, p.lines.len()), (Align::Centre, 2));
        let Block::Paragraph(p) = &layout.blocks[2] else { panic!() };
        assert_eq!(p.lines.len(), 2);
        assert_eq!(p.lines[0], vec![Span::plain("Pani "), Span::bold("Ewa Kowalska")]);
        let Block::Paragraph(p) = &layout.blocks[3] else { panic!() };
        assert_eq!((p.align, p.size), (Align::Right, TextSize::Small));
        assert_eq!(layout.blocks[4], Block::Rule);
        assert_eq!(layout.blocks[5], Block::Space { mm: 12 });
        assert_eq!(
            layout.blocks[6],
            Block::Signature { caption: vec![vec![Span::plain("Dyrektor")]], align: Align::Right }
        );
        assert_eq!(layout.blocks[7], Block::PageBreak);
        assert_eq!(
            layout.blocks[8],
            Block::Signatures {
                captions: vec![vec![Span::plain("Za Stowarzyszenie")], vec![Span::plain("Za Jednostkę")]]
            }
        );
        assert_eq!(layout.footer.as_deref(), Some("WOKiSS · stopka"));
    }

    #[test]
    fn tables_with_alignment_and_separator() {
        let source = "| ^Lp. | Uczestnik | >Kwota |\n|---|:--|--:|\n| 1 | Ewa | 450,00 zł |\n| 2 | **Razem** | 900,00 zł |\nPo tabeli";
        let layout = parse(source, None).unwrap();
        let Block::Table(t) = &layout.blocks[0] else { panic!("{:?}", layout.blocks) };
        let aligns: Vec<Align> = t.columns.iter().map(|c| c.align).collect();
        assert_eq!(aligns, [Align::Centre, Align::Left, Align::Right]);
        assert_eq!(text(&t.columns[2].header), "Kwota");
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1][1], vec![Span::bold("Razem")]);
        assert!(matches!(layout.blocks[1], Block::Paragraph(_)));
        let error = parse("| a | b |\n| 1 |", None).unwrap_err();
        assert_eq!((error.line, error.code), (2, "table_cells"));
    }

    #[test]
    fn escaped_values_print_literally() {
        let nasty = "# **Nowak** | [[pagebreak]] \\ >> ^^ ---\nBcc";
        let escaped = escape_value(nasty);
        assert!(!escaped.contains('\n'));
        for source in [escaped.clone(), format!("| a |\n| {escaped} |"), format!("[[qr: {escaped} | x]]")] {
            let layout = parse(&source, Some("https://example.org/v/ABC")).unwrap();
            assert!(layout.plain_text().contains("# **Nowak** | [[pagebreak]] \\ >> ^^ --- Bcc"), "{layout:?}");
        }
        assert_eq!(escape_value("Wiśniewska-Łęcka"), "Wiśniewska\\-Łęcka");
    }

    #[test]
    fn mistakes_name_the_line() {
        let cases = [
            ("ok\n**open", 2, "unclosed_bold"),
            ("[[qr]]", 1, "qr_unavailable"),
            ("x\n\n[[space: 0]]", 3, "invalid_space"),
            ("[[stamp]]", 1, "unknown_directive"),
            ("[[pagebreak: 2]]", 1, "unknown_directive"),
        ];
        for (source, line, code) in cases {
            let error = parse(source, None).unwrap_err();
            assert_eq!((error.line, error.code), (line, code), "{source}");
            assert!(error.pl.contains(&format!("Wiersz {line}")));
        }
        let qr = parse("^^ [[qr: Sprawdź | kod **ABCD**]]", Some("https://x/v/1")).unwrap();
        assert_eq!(
            qr.blocks[0],
            Block::Qr {
                payload: "https://x/v/1".into(),
                caption: vec![vec![Span::plain("Sprawdź")], vec![Span::plain("kod "), Span::bold("ABCD")]],
                align: Align::Centre
            }
        );
    }

    #[test]
    fn a_heading_needs_a_space_and_at_most_three_hashes() {
        let layout = parse("#hashtag\n#### four", None).unwrap();
        let Block::Paragraph(p) = &layout.blocks[0] else { panic!() };
        assert_eq!(p.lines.len(), 2);
    }
}
