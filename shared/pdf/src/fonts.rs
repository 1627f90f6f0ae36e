//! The embedded fonts and their metrics. DejaVu Sans covers every Polish letter; krilla embeds
//! only the glyphs a document uses (a subset) with a ToUnicode map, so text stays selectable.
//! Widths come from the fonts' own advances (skrifa, the parser krilla uses), so a line is
//! measured exactly as it is drawn: we place the glyphs ourselves, no shaping engine needed.

use std::collections::HashMap;
use std::sync::LazyLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Characters measured ahead (Latin-1 and Latin Extended-A: every Polish letter).
const TABLE_END: u32 = 0x180;

pub(crate) struct Face {
    data: &'static [u8],
    pub(crate) font: Font,
    /// (glyph id, advance in em) for U+0000..U+017F.
    table: Vec<(u16, f32)>,
    /// Other characters that occur (dashes, quotes, `·`, `„”`…), measured once.
    others: HashMap<char, (u16, f32)>,
}

impl Face {
    fn load(data: &'static [u8]) -> Face {
        let font_ref = FontRef::new(data).expect("embedded font parses");
        let upem = font_ref.head().map(|head| head.units_per_em()).unwrap_or(2048) as f32;
        let charmap = font_ref.charmap();
        let metrics = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default());
        let measure = |c: char| {
            let glyph = charmap.map(c).unwrap_or_default();
            let advance = metrics.advance_width(glyph).unwrap_or(0.0) / upem;
            (glyph.to_u32() as u16, advance)
        };
        let table = (0..TABLE_END).map(|code| char::from_u32(code).map(measure).unwrap_or((0, 0.0))).collect();
        // Typographic punctuation and symbols the templates use.
        let others = "–—‘’‚“”„…•·×€§°±№™←→✓ĄĆĘŁŃÓŚŹŻąćęłńóśźż"
            .chars()
            .filter(|c| (*c as u32) >= TABLE_END)
            .map(|c| (c, measure(c)))
            .collect();
        let font = Font::new(data.into(), 0).expect("embedded font loads");
        Face { data, font, table, others }
    }

    /// Glyph and advance (em) of a character; characters outside the prepared set are looked
    /// up in the font (slower, still exact).
    pub(crate) fn glyph(&self, c: char) -> (u16, f32) {
        let code = c as u32;
        if code < TABLE_END {
            return self.table[code as usize];
        }
        if let Some(found) = self.others.get(&c) {
            return *found;
        }
        let Ok(font_ref) = FontRef::new(self.data) else { return (0, 0.0) };
        let upem = font_ref.head().map(|head| head.units_per_em()).unwrap_or(2048) as f32;
        let glyph = font_ref.charmap().map(c).unwrap_or_default();
        let advance = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()).advance_width(glyph);
        (glyph.to_u32() as u16, advance.unwrap_or(0.0) / upem)
    }

    /// Width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    /// The glyphs of `text` for krilla, each tied to its characters (for the ToUnicode map).
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(at, c)| {
                let (glyph, advance) = self.glyph(c);
                KrillaGlyph::new(GlyphId::new(u32::from(glyph)), advance, 0.0, 0.0, 0.0, at..at + c.len_utf8(), None)
            })
            .collect()
    }
}

pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

impl Fonts {
    pub(crate) fn face(&self, bold: bool) -> &Face {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }
}

/// Parsed once per process (a Lambda's cold start pays it once).
pub(crate) static FONTS: LazyLock<Fonts> =
    LazyLock::new(|| Fonts { regular: Face::load(REGULAR_TTF), bold: Face::load(BOLD_TTF) });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_polish_letter_has_a_glyph_in_both_weights() {
        for c in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ„”–·".chars() {
            for face in [&FONTS.regular, &FONTS.bold] {
                let (glyph, advance) = face.glyph(c);
                assert!(glyph != 0 && advance > 0.0, "{c}");
            }
        }
        assert!(FONTS.bold.width("Wiśniewska", 10.0) > FONTS.regular.width("Wiśniewska", 10.0));
        let rare = FONTS.regular.glyph('Ω');
        assert!(rare.0 != 0 && rare.1 > 0.0);
    }
}
