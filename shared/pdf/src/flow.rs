//! Lays the blocks out on A4 pages: wraps text to the width measured from the fonts' glyph
//! advances, aligns it, sizes table columns, breaks pages (a table row never splits, the
//! header row repeats on every page the table spans) and adds the footer. The result is a
//! list of positioned items per page, drawn by `draw`.

use ewokiss_domain::documents::layout::{Align, Block, Column, Heading, Layout, Line, Paragraph, Table, TextSize};

use crate::fonts::{Face, FONTS};

pub(crate) const PAGE_WIDTH: f32 = 595.276;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// Points per millimetre.
pub(crate) const MM: f32 = 72.0 / 25.4;
const MARGIN_X: f32 = 20.0 * MM;
const TOP: f32 = 20.0 * MM;
/// The text area ends here; the footer sits below.
const BOTTOM: f32 = PAGE_HEIGHT - 25.0 * MM;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

const SMALL: f32 = 8.5;
const NORMAL: f32 = 10.5;
const LARGE: f32 = 14.0;
const TABLE_SIZE: f32 = 8.5;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;
const QR_SIZE: f32 = 25.0 * MM;
const SIGNATURE_WIDTH: f32 = 60.0 * MM;
/// DejaVu Sans' ascender and descender (em).
const ASCENT: f32 = 0.928;
const DESCENT: f32 = 0.236;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Colour(pub u8, pub u8, pub u8);

const INK: Colour = Colour(0x1f, 0x29, 0x33);
const BRAND: Colour = Colour(0x1d, 0x4e, 0x89);
const MUTED: Colour = Colour(0x63, 0x73, 0x81);
const RULE: Colour = Colour(0xb8, 0xc2, 0xcc);
const HEADER_FILL: Colour = Colour(0xe9, 0xee, 0xf4);

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        bold: bool,
        colour: Colour,
        text: String,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        colour: Colour,
    },
    /// Filled rectangles `(x, y, w, h)`, y down from the top.
    Rects {
        rects: Vec<(f32, f32, f32, f32)>,
        colour: Colour,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Page {
    pub(crate) items: Vec<Item>,
}

/// Text of one weight within a line, with its measured width.
#[derive(Debug, Clone, PartialEq)]
struct Fragment {
    text: String,
    bold: bool,
    width: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct VisualLine {
    fragments: Vec<Fragment>,
    width: f32,
}

impl VisualLine {
    fn push(&mut self, text: &str, bold: bool, size: f32) {
        let width = FONTS.face(bold).width(text, size);
        self.width += width;
        match self.fragments.last_mut() {
            Some(last) if last.bold == bold => {
                last.text.push_str(text);
                last.width += width;
            }
            _ => self.fragments.push(Fragment { text: text.to_owned(), bold, width }),
        }
    }
}

/// A word: consecutive non-space characters, possibly in both weights (`**Nowak**,`).
type Word = Vec<(String, bool)>;

fn words(line: &Line, force_bold: bool) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current: Word = Vec::new();
    for span in line {
        let bold = span.bold || force_bold;
        for c in span.text.chars() {
            // Only plain spaces break lines: a no-break space (in amounts) does not.
            if c == ' ' || c == '\t' {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
                continue;
            }
            match current.last_mut() {
                Some((text, b)) if *b == bold => text.push(c),
                _ => current.push((c.to_string(), bold)),
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn word_width(word: &Word, size: f32) -> f32 {
    word.iter().map(|(text, bold)| FONTS.face(*bold).width(text, size)).sum()
}

/// Greedy wrapping to `max` points; a word longer than a line is broken between characters.
fn wrap(line: &Line, size: f32, max: f32, force_bold: bool) -> Vec<VisualLine> {
    let space = FONTS.regular.width(" ", size);
    let mut lines = Vec::new();
    let mut current = VisualLine::default();
    for word in words(line, force_bold) {
        let width = word_width(&word, size);
        if !current.fragments.is_empty() && current.width + space + width > max {
            lines.push(std::mem::take(&mut current));
        }
        if !current.fragments.is_empty() {
            let bold = current.fragments.last().is_some_and(|f| f.bold) && word[0].1;
            current.push(" ", bold, size);
        }
        if width <= max || !current.fragments.is_empty() {
            for (text, bold) in &word {
                current.push(text, *bold, size);
            }
            continue;
        }
        // Longer than a whole line: break it.
        for (text, bold) in &word {
            let face: &Face = FONTS.face(*bold);
            for c in text.chars() {
                let w = face.glyph(c).1 * size;
                if !current.fragments.is_empty() && current.width + w > max {
                    lines.push(std::mem::take(&mut current));
                }
                current.push(c.encode_utf8(&mut [0; 4]), *bold, size);
            }
        }
    }
    lines.push(current);
    lines
}

/// Natural (unwrapped) width of a line and its longest word.
fn natural_widths(line: &Line, size: f32, force_bold: bool) -> (f32, f32) {
    let words = words(line, force_bold);
    let space = FONTS.regular.width(" ", size);
    let widths: Vec<f32> = words.iter().map(|w| word_width(w, size)).collect();
    let total = widths.iter().sum::<f32>() + space * widths.len().saturating_sub(1) as f32;
    (total, widths.iter().copied().fold(0.0, f32::max))
}

fn line_height(size: f32) -> f32 {
    size * 1.4
}

fn baseline(top: f32, line_height: f32, size: f32) -> f32 {
    top + (line_height - (ASCENT + DESCENT) * size) / 2.0 + ASCENT * size
}

fn x_for(align: Align, left: f32, available: f32, width: f32) -> f32 {
    match align {
        Align::Left => left,
        Align::Centre => left + (available - width) / 2.0,
        Align::Right => left + available - width,
    }
}

struct Flow {
    pages: Vec<Page>,
    y: f32,
}

impl Flow {
    fn new() -> Self {
        Self { pages: vec![Page::default()], y: TOP }
    }

    fn items(&mut self) -> &mut Vec<Item> {
        &mut self.pages.last_mut().expect("a page").items
    }

    fn at_top(&self) -> bool {
        self.y <= TOP
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    /// Starts a new page unless `height` still fits (or the page is empty anyway).
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && !self.at_top() {
            self.new_page();
        }
    }

    fn text_line(&mut self, line: &VisualLine, left: f32, available: f32, align: Align, size: f32, colour: Colour) {
        let height = line_height(size);
        self.ensure(height);
        let base = baseline(self.y, height, size);
        let mut x = x_for(align, left, available, line.width);
        for fragment in &line.fragments {
            let text = fragment.text.clone();
            self.items().push(Item::Text { x, baseline: base, size, bold: fragment.bold, colour, text });
            x += fragment.width;
        }
        self.y += height;
    }

    fn paragraph(&mut self, paragraph: &Paragraph) {
        let size = match paragraph.size {
            TextSize::Small => SMALL,
            TextSize::Normal => NORMAL,
            TextSize::Large => LARGE,
        };
        let colour = if paragraph.size == TextSize::Small { MUTED } else { INK };
        for line in &paragraph.lines {
            for visual in wrap(line, size, CONTENT_WIDTH, false) {
                self.text_line(&visual, MARGIN_X, CONTENT_WIDTH, paragraph.align, size, colour);
            }
        }
        self.y += size * 0.6;
    }

    fn heading(&mut self, heading: &Heading) {
        let (size, colour) = match heading.level {
            1 => (20.0, BRAND),
            2 => (14.0, BRAND),
            _ => (12.0, INK),
        };
        let lines = wrap(&heading.spans, size, CONTENT_WIDTH, true);
        if !self.at_top() {
            self.y += size * 0.4;
        }
        // Keep a heading with at least two lines of what follows.
        self.ensure(lines.len() as f32 * line_height(size) + 2.0 * line_height(NORMAL));
        for line in &lines {
            self.text_line(line, MARGIN_X, CONTENT_WIDTH, heading.align, size, colour);
        }
        self.y += size * 0.35;
    }

    fn rule(&mut self) {
        self.ensure(10.0);
        self.y += 4.0;
        let y = self.y;
        self.items().push(Item::Line {
            from: (MARGIN_X, y),
            to: (MARGIN_X + CONTENT_WIDTH, y),
            width: 0.6,
            colour: RULE,
        });
        self.y += 8.0;
    }

    /// Caption lines centred under a signature line centred on `centre`.
    fn signature_at(&mut self, centre: f32, width: f32, caption: &[Line], top: f32) -> f32 {
        self.items().push(Item::Line {
            from: (centre - width / 2.0, top),
            to: (centre + width / 2.0, top),
            width: 0.6,
            colour: INK,
        });
        let mut y = top + 3.0;
        for line in caption {
            for visual in wrap(line, SMALL, width, false) {
                let base = baseline(y, line_height(SMALL), SMALL);
                let mut x = centre - visual.width / 2.0;
                for fragment in visual.fragments {
                    self.items().push(Item::Text {
                        x,
                        baseline: base,
                        size: SMALL,
                        bold: fragment.bold,
                        colour: MUTED,
                        text: fragment.text,
                    });
                    x += fragment.width;
                }
                y += line_height(SMALL);
            }
        }
        y
    }

    fn signature(&mut self, caption: &[Line], align: Align) {
        self.ensure(6.0 + (caption.len() as f32 + 1.0) * line_height(SMALL));
        let centre = x_for(align, MARGIN_X, CONTENT_WIDTH, SIGNATURE_WIDTH) + SIGNATURE_WIDTH / 2.0;
        let top = self.y + 2.0;
        self.y = self.signature_at(centre, SIGNATURE_WIDTH, caption, top) + 6.0;
    }

    fn signatures(&mut self, captions: &[Line]) {
        let count = captions.len().max(1);
        self.ensure(6.0 + 3.0 * line_height(SMALL));
        let column = CONTENT_WIDTH / count as f32;
        let width = SIGNATURE_WIDTH.min(column - 24.0);
        let top = self.y + 2.0;
        let mut bottom = top;
        for (index, caption) in captions.iter().enumerate() {
            let centre = MARGIN_X + column * (index as f32 + 0.5);
            bottom = bottom.max(self.signature_at(centre, width, std::slice::from_ref(caption), top));
        }
        self.y = bottom + 6.0;
    }

    fn qr(&mut self, payload: &str, caption: &[Line], align: Align) -> Result<(), crate::PdfError> {
        let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M)
            .map_err(|e| crate::PdfError::Qr(e.to_string()))?;
        let modules = code.width();
        let colours = code.to_colors();
        let gap = 12.0;
        let caption_max = CONTENT_WIDTH - QR_SIZE - gap;
        let caption_lines: Vec<VisualLine> =
            caption.iter().flat_map(|line| wrap(line, SMALL, caption_max, false)).collect();
        let caption_width = caption_lines.iter().map(|l| l.width).fold(0.0, f32::max);
        let caption_height = caption_lines.len() as f32 * line_height(SMALL);
        let height = QR_SIZE.max(caption_height);
        self.ensure(height + 4.0);
        let block_width = QR_SIZE + if caption_lines.is_empty() { 0.0 } else { gap + caption_width };
        let left = x_for(align, MARGIN_X, CONTENT_WIDTH, block_width);
        let top = self.y + 2.0;
        let module = QR_SIZE / modules as f32;
        let mut rects = Vec::new();
        for row in 0..modules {
            let mut column = 0;
            while column < modules {
                if colours[row * modules + column] == qrcode::Color::Dark {
                    let start = column;
                    while column < modules && colours[row * modules + column] == qrcode::Color::Dark {
                        column += 1;
                    }
                    // A hair wider, so neighbouring runs leave no seams in viewers.
                    rects.push((
                        left + start as f32 * module,
                        top + row as f32 * module,
                        (column - start) as f32 * module + 0.05,
                        module + 0.05,
                    ));
                } else {
                    column += 1;
                }
            }
        }
        self.items().push(Item::Rects { rects, colour: Colour(0, 0, 0) });
        let mut y = top + (QR_SIZE - caption_height).max(0.0) / 2.0;
        for line in &caption_lines {
            let base = baseline(y, line_height(SMALL), SMALL);
            let mut x = left + QR_SIZE + gap;
            for fragment in &line.fragments {
                self.items().push(Item::Text {
                    x,
                    baseline: base,
                    size: SMALL,
                    bold: fragment.bold,
                    colour: MUTED,
                    text: fragment.text.clone(),
                });
                x += fragment.width;
            }
            y += line_height(SMALL);
        }
        self.y = top + height + 6.0;
        Ok(())
    }

    fn table(&mut self, table: &Table) {
        let widths = column_widths(&table.columns, &table.rows);
        let lh = TABLE_SIZE * 1.35;
        let header: Vec<Vec<VisualLine>> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(column, width)| wrap(&column.header, TABLE_SIZE, width - 2.0 * CELL_PAD_X, true))
            .collect();
        let header_height = row_height(&header, lh);
        let mut first = true;
        for row in &table.rows {
            let cells: Vec<Vec<VisualLine>> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| wrap(cell, TABLE_SIZE, width - 2.0 * CELL_PAD_X, false))
                .collect();
            let height = row_height(&cells, lh);
            let starts_page = self.y + height > BOTTOM && !self.at_top();
            if first || starts_page {
                if first {
                    self.ensure(header_height + height);
                } else {
                    self.new_page();
                }
                self.table_row(&table.columns, &widths, &header, header_height, true);
                first = false;
            }
            self.table_row(&table.columns, &widths, &cells, height, false);
        }
        if first {
            // No rows: the header alone.
            self.ensure(header_height);
            self.table_row(&table.columns, &widths, &header, header_height, true);
        }
        self.y += NORMAL * 0.8;
    }

    fn table_row(&mut self, columns: &[Column], widths: &[f32], cells: &[Vec<VisualLine>], height: f32, header: bool) {
        let top = self.y;
        let lh = TABLE_SIZE * 1.35;
        if header {
            self.items()
                .push(Item::Rects { rects: vec![(MARGIN_X, top, widths.iter().sum(), height)], colour: HEADER_FILL });
        }
        let mut left = MARGIN_X;
        for ((column, width), lines) in columns.iter().zip(widths).zip(cells) {
            let mut y = top + CELL_PAD_Y;
            for line in lines {
                let base = baseline(y, lh, TABLE_SIZE);
                let mut x = x_for(column.align, left + CELL_PAD_X, width - 2.0 * CELL_PAD_X, line.width);
                for fragment in &line.fragments {
                    self.items().push(Item::Text {
                        x,
                        baseline: base,
                        size: TABLE_SIZE,
                        bold: fragment.bold,
                        colour: INK,
                        text: fragment.text.clone(),
                    });
                    x += fragment.width;
                }
                y += lh;
            }
            left += width;
        }
        let bottom = top + height;
        self.items().push(Item::Line {
            from: (MARGIN_X, bottom),
            to: (MARGIN_X + widths.iter().sum::<f32>(), bottom),
            width: if header { 0.8 } else { 0.4 },
            colour: if header { MUTED } else { RULE },
        });
        self.y = bottom;
    }

    fn footer(&mut self, text: Option<&str>) {
        let count = self.pages.len();
        let size = SMALL - 1.0;
        let last_base = PAGE_HEIGHT - 12.0 * MM;
        let number_width = FONTS.regular.width(&format!("strona {count} z {count}"), size);
        let reserved = if count > 1 { number_width + 12.0 } else { 0.0 };
        let lines = match text.filter(|t| !t.trim().is_empty()) {
            Some(text) => {
                let spans = vec![ewokiss_domain::documents::layout::Span::plain(text)];
                wrap(&spans, size, CONTENT_WIDTH - 2.0 * reserved, false)
            }
            None => Vec::new(),
        };
        let first_base = last_base - lines.len().saturating_sub(1) as f32 * line_height(size);
        for (index, page) in self.pages.iter_mut().enumerate() {
            if !lines.is_empty() {
                let rule = first_base - size - 4.0;
                page.items.push(Item::Line {
                    from: (MARGIN_X, rule),
                    to: (MARGIN_X + CONTENT_WIDTH, rule),
                    width: 0.4,
                    colour: RULE,
                });
            }
            for (row, line) in lines.iter().enumerate() {
                let mut x = MARGIN_X + (CONTENT_WIDTH - line.width) / 2.0;
                for fragment in &line.fragments {
                    page.items.push(Item::Text {
                        x,
                        baseline: first_base + row as f32 * line_height(size),
                        size,
                        bold: fragment.bold,
                        colour: MUTED,
                        text: fragment.text.clone(),
                    });
                    x += fragment.width;
                }
            }
            if count > 1 {
                let number = format!("strona {} z {count}", index + 1);
                let width = FONTS.regular.width(&number, size);
                page.items.push(Item::Text {
                    x: MARGIN_X + CONTENT_WIDTH - width,
                    baseline: last_base,
                    size,
                    bold: false,
                    colour: MUTED,
                    text: number,
                });
            }
        }
    }
}

fn row_height(cells: &[Vec<VisualLine>], lh: f32) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * lh + 2.0 * CELL_PAD_Y
}

/// Column widths: natural widths when they fit (the widest column takes the rest of the line);
/// otherwise every column gets at least its longest word and the rest is shared in proportion
/// to how much each would still need.
fn column_widths(columns: &[Column], rows: &[Vec<Line>]) -> Vec<f32> {
    let pad = 2.0 * CELL_PAD_X;
    let mut natural = vec![0.0f32; columns.len()];
    let mut minimum = vec![0.0f32; columns.len()];
    for (index, column) in columns.iter().enumerate() {
        let (total, word) = natural_widths(&column.header, TABLE_SIZE, true);
        natural[index] = total + pad;
        minimum[index] = word + pad;
    }
    for row in rows {
        for (index, cell) in row.iter().enumerate().take(columns.len()) {
            let (total, word) = natural_widths(cell, TABLE_SIZE, false);
            natural[index] = natural[index].max(total + pad);
            minimum[index] = minimum[index].max(word + pad);
        }
    }
    let total_natural: f32 = natural.iter().sum();
    if total_natural <= CONTENT_WIDTH {
        let widest = (0..natural.len()).max_by(|a, b| natural[*a].total_cmp(&natural[*b])).unwrap_or(0);
        let mut widths = natural;
        if let Some(width) = widths.get_mut(widest) {
            *width += CONTENT_WIDTH - total_natural;
        }
        return widths;
    }
    let total_minimum: f32 = minimum.iter().sum();
    if total_minimum >= CONTENT_WIDTH {
        return minimum.iter().map(|m| m * CONTENT_WIDTH / total_minimum).collect();
    }
    let wanted: f32 = natural.iter().zip(&minimum).map(|(n, m)| n - m).sum();
    let spare = CONTENT_WIDTH - total_minimum;
    natural.iter().zip(&minimum).map(|(n, m)| m + (n - m) * spare / wanted).collect()
}

/// The pages of a layout, every item positioned.
pub(crate) fn pages(layout: &Layout) -> Result<Vec<Page>, crate::PdfError> {
    let mut flow = Flow::new();
    for block in &layout.blocks {
        match block {
            Block::Heading(heading) => flow.heading(heading),
            Block::Paragraph(paragraph) => flow.paragraph(paragraph),
            Block::Table(table) => flow.table(table),
            Block::Rule => flow.rule(),
            Block::Signature { caption, align } => flow.signature(caption, *align),
            Block::Signatures { captions } => flow.signatures(captions),
            Block::Qr { payload, caption, align } => flow.qr(payload, caption, *align)?,
            Block::Space { mm } => {
                flow.y += f32::from(*mm) * MM;
                if flow.y > BOTTOM {
                    flow.new_page();
                }
            }
            Block::PageBreak => {
                if !flow.at_top() {
                    flow.new_page();
                }
            }
        }
    }
    flow.footer(layout.footer.as_deref());
    Ok(flow.pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ewokiss_domain::documents::layout::Span;

    fn texts(page: &Page) -> Vec<&str> {
        page.items
            .iter()
            .filter_map(|item| match item {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn wrapping_fills_lines_to_the_measured_width() {
        let line = vec![Span::plain("Zażółć gęślą jaźń ".repeat(30)), Span::bold("Łęcka")];
        let lines = wrap(&line, NORMAL, CONTENT_WIDTH, false);
        assert!(lines.len() > 3);
        for visual in &lines {
            assert!(visual.width <= CONTENT_WIDTH + 0.01, "{}", visual.width);
            let measured: f32 = visual.fragments.iter().map(|f| FONTS.face(f.bold).width(&f.text, NORMAL)).sum();
            assert!((measured - visual.width).abs() < 0.01);
        }
        // All but the last line are nearly full: the next word would not have fitted.
        assert!(lines[0].width > CONTENT_WIDTH - FONTS.regular.width(" jaźń Zażółć", NORMAL));
        assert!(lines.last().unwrap().fragments.last().unwrap().bold);
        let joined: String = lines
            .iter()
            .map(|l| l.fragments.iter().map(|f| f.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(joined, format!("{}Łęcka", "Zażółć gęślą jaźń ".repeat(30)));
        let long = wrap(&vec![Span::plain("x".repeat(400))], NORMAL, 100.0, false);
        assert!(long.len() > 5 && long.iter().all(|l| l.width <= 100.01));
    }

    #[test]
    fn alignment_positions_lines() {
        let line = wrap(&vec![Span::plain("Poznań")], NORMAL, CONTENT_WIDTH, false).remove(0);
        assert_eq!(x_for(Align::Left, MARGIN_X, CONTENT_WIDTH, line.width), MARGIN_X);
        let right = x_for(Align::Right, MARGIN_X, CONTENT_WIDTH, line.width);
        assert!((right + line.width - (MARGIN_X + CONTENT_WIDTH)).abs() < 0.01);
        let centre = x_for(Align::Centre, MARGIN_X, CONTENT_WIDTH, line.width);
        assert!((centre - MARGIN_X - (CONTENT_WIDTH - line.width) / 2.0).abs() < 0.01);
    }

    #[test]
    fn a_long_table_keeps_every_row_and_repeats_its_header() {
        let columns = vec![
            Column { header: vec![Span::plain("Lp.")], align: Align::Left },
            Column { header: vec![Span::plain("Pozycja")], align: Align::Left },
            Column { header: vec![Span::plain("Kwota")], align: Align::Right },
        ];
        let rows: Vec<Vec<Line>> = (1..=250)
            .map(|n| {
                vec![
                    vec![Span::plain(format!("{n}."))],
                    vec![Span::plain(format!("wiersz-{n:03} Zamówienia publiczne w praktyce – Żaneta Ślęzak"))],
                    vec![Span::plain("450,00")],
                ]
            })
            .collect();
        let layout = Layout { blocks: vec![Block::Table(Table { columns, rows })], footer: Some("stopka".into()) };
        let pages = pages(&layout).unwrap();
        assert!(pages.len() >= 4, "{}", pages.len());
        let mut seen = Vec::new();
        for page in &pages {
            let texts = texts(page);
            assert_eq!(texts.iter().filter(|t| **t == "Pozycja").count(), 1, "header once per page");
            assert!(texts.contains(&"stopka"));
            seen.extend(texts.iter().filter_map(|t| t.strip_prefix("wiersz-")).map(|t| t[..3].to_owned()));
            for item in &page.items {
                if let Item::Text { baseline, .. } = item {
                    assert!(*baseline < PAGE_HEIGHT - 10.0 * MM, "nothing below the footer");
                }
            }
        }
        let expected: Vec<String> = (1..=250).map(|n| format!("{n:03}")).collect();
        assert_eq!(seen, expected, "every row once, in order");
    }

    #[test]
    fn the_qr_code_decodes_to_its_payload() {
        let url = "https://e-wokiss.pl/weryfikacja/K7QF-9XMD-2PWA";
        let layout = Layout {
            blocks: vec![Block::Qr {
                payload: url.into(),
                caption: vec![vec![Span::plain("kod")]],
                align: Align::Right,
            }],
            footer: None,
        };
        let pages = pages(&layout).unwrap();
        let rects = pages[0]
            .items
            .iter()
            .find_map(|item| match item {
                Item::Rects { rects, colour: Colour(0, 0, 0) } => Some(rects.clone()),
                _ => None,
            })
            .expect("the QR squares");
        let left = rects.iter().map(|r| r.0).fold(f32::MAX, f32::min);
        let top = rects.iter().map(|r| r.1).fold(f32::MAX, f32::min);
        assert!(left > MARGIN_X + CONTENT_WIDTH / 2.0, "right-aligned");
        // Rasterise at 4 px per point with a white quiet zone, then decode.
        let (scale, quiet) = (4.0, 12.0);
        let side = ((QR_SIZE + 2.0 * quiet) * scale) as usize;
        let mut pixels = vec![255u8; side * side];
        for (x, y, w, h) in rects {
            let x0 = ((x - left + quiet) * scale) as usize;
            let y0 = ((y - top + quiet) * scale) as usize;
            let x1 = (((x - left + quiet + w) * scale) as usize).min(side);
            let y1 = (((y - top + quiet + h) * scale) as usize).min(side);
            for row in y0..y1 {
                pixels[row * side + x0..row * side + x1].fill(0);
            }
        }
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| pixels[y * side + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_meta, content) = grids[0].decode().unwrap();
        assert_eq!(content, url);
    }

    #[test]
    fn column_widths_fill_the_line_and_respect_words() {
        let columns = vec![
            Column { header: vec![Span::plain("Lp.")], align: Align::Left },
            Column { header: vec![Span::plain("Opis")], align: Align::Left },
        ];
        let short = column_widths(&columns, &[vec![vec![Span::plain("1")], vec![Span::plain("krótki")]]]);
        assert!((short.iter().sum::<f32>() - CONTENT_WIDTH).abs() < 0.01);
        assert!(short[1] > short[0]);
        let long_text = "bardzo długi opis pozycji rozliczenia ".repeat(10);
        let long = column_widths(&columns, &[vec![vec![Span::plain("1")], vec![Span::plain(long_text)]]]);
        assert!((long.iter().sum::<f32>() - CONTENT_WIDTH).abs() < 0.1);
        assert!(long[0] >= FONTS.bold.width("Lp.", TABLE_SIZE) + 2.0 * CELL_PAD_X - 0.01);
    }
}
