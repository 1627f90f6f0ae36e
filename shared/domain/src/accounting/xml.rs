//! A small XML writer: UTF-8, two-space indentation, elements with text or children. Text and
//! attribute values are escaped (`&`, `<`, `>`, `"`, `'`); characters XML 1.0 cannot carry at
//! all (control characters other than tab, LF and CR) are dropped, since no escape exists for
//! them. Nothing else is rewritten: Polish letters are written as they are.

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub(crate) struct XmlWriter {
    out: String,
    stack: Vec<&'static str>,
}

/// Escapes text for element content and for attribute values in double quotes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Tab, LF and CR would be normalised away in attributes; keep them as references.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// An amount with exactly two decimal places and a dot: `1234.50`, `-450.00`.
pub(crate) fn amount(value: Decimal) -> String {
    let mut value = crate::training::round_grosze(value);
    value.rescale(2);
    value.to_string()
}

/// A quantity without trailing zeros: `1`, `2.5`.
pub(crate) fn quantity(value: Decimal) -> String {
    value.normalize().to_string()
}

pub(crate) fn date(value: NaiveDate) -> String {
    value.format("%Y-%m-%d").to_string()
}

impl XmlWriter {
    pub(crate) fn new() -> Self {
        XmlWriter { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), stack: Vec::new() }
    }

    fn indent(&mut self) {
        for _ in 0..self.stack.len() {
            self.out.push_str("  ");
        }
    }

    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push_str(&format!(" {key}=\"{}\"", escape(value)));
        }
        self.out.push('>');
    }

    /// Opens an element that will have children.
    pub(crate) fn open(&mut self, name: &'static str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push('\n');
        self.stack.push(name);
    }

    pub(crate) fn close(&mut self) {
        let name = self.stack.pop().expect("close without open");
        self.indent();
        self.out.push_str(&format!("</{name}>\n"));
    }

    /// An element with text content (escaped).
    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, &[], text);
    }

    pub(crate) fn leaf_with(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start_tag(name, attributes);
        self.out.push_str(&escape(text));
        self.out.push_str(&format!("</{name}>\n"));
    }

    /// An element only when there is a value.
    pub(crate) fn optional(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.leaf(name, text);
        }
    }

    pub(crate) fn finish(self) -> String {
        assert!(self.stack.is_empty(), "unclosed elements: {:?}", self.stack);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_carry() {
        assert_eq!(escape("a<b & \"c\" 'd' >"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;");
        assert_eq!(escape("Zażółć gęślą jaźń"), "Zażółć gęślą jaźń");
        assert_eq!(escape("x\u{1}y\u{FFFE}z"), "xyz");
        assert_eq!(escape("a\tb\nc"), "a&#9;b&#10;c");
    }

    #[test]
    fn amounts_have_two_places_and_quantities_none_to_spare() {
        assert_eq!(amount(Decimal::new(45, 0)), "45.00");
        assert_eq!(amount(Decimal::new(-12345, 3)), "-12.35");
        assert_eq!(quantity(Decimal::new(100, 2)), "1");
        assert_eq!(quantity(Decimal::new(25, 1)), "2.5");
    }

    #[test]
    fn writer_nests_and_indents() {
        let mut w = XmlWriter::new();
        w.open("A", &[("x", "1&2")]);
        w.leaf("B", "<t>");
        w.close();
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A x=\"1&amp;2\">\n  <B>&lt;t&gt;</B>\n</A>\n"
        );
    }
}
