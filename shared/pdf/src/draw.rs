//! Draws laid-out pages with krilla: text as embedded, subset CID fonts with a ToUnicode map
//! (selectable and searchable), lines and rectangles as vector paths.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::Document;

use crate::flow::{Colour, Item, Page, PAGE_HEIGHT, PAGE_WIDTH};
use crate::fonts::FONTS;
use crate::{DocumentInfo, PdfError};

fn paint(colour: Colour) -> krilla::paint::Paint {
    rgb::Color::new(colour.0, colour.1, colour.2).into()
}

fn metadata(info: &DocumentInfo<'_>) -> Metadata {
    let mut metadata = Metadata::new()
        .title(info.title.to_owned())
        .creator(info.creator.to_owned())
        .language(info.language.to_owned());
    if let Some(author) = info.author {
        metadata = metadata.authors(vec![author.to_owned()]);
    }
    if let Some(created) = info.created {
        use chrono::{Datelike, Timelike};
        let date = DateTime::new(created.year() as u16)
            .month(created.month() as u8)
            .day(created.day() as u8)
            .hour(created.hour() as u8)
            .minute(created.minute() as u8)
            .second(created.second() as u8)
            .utc_offset_hour(0)
            .utc_offset_minute(0);
        metadata = metadata.creation_date(date);
    }
    metadata
}

pub(crate) fn pdf(pages: &[Page], info: &DocumentInfo<'_>) -> Result<Vec<u8>, PdfError> {
    let mut document = Document::new();
    document.set_metadata(metadata(info));
    let size = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or(PdfError::Engine("page size".into()))?;
    for page in pages {
        let mut pdf_page = document.start_page_with(size.clone());
        let mut surface = pdf_page.surface();
        for item in &page.items {
            match item {
                Item::Text { x, baseline, size, bold, colour, text } => {
                    let face = FONTS.face(*bold);
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill { paint: paint(*colour), ..Fill::default() }));
                    let glyphs = face.glyphs(text);
                    surface.draw_glyphs(Point::from_xy(*x, *baseline), &glyphs, face.font.clone(), text, *size, false);
                }
                Item::Line { from, to, width, colour } => {
                    let mut builder = PathBuilder::new();
                    builder.move_to(from.0, from.1);
                    builder.line_to(to.0, to.1);
                    let Some(path) = builder.finish() else { continue };
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke { paint: paint(*colour), width: *width, ..Stroke::default() }));
                    surface.draw_path(&path);
                }
                Item::Rects { rects, colour } => {
                    let mut builder = PathBuilder::new();
                    for (x, y, w, h) in rects {
                        if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                            builder.push_rect(rect);
                        }
                    }
                    let Some(path) = builder.finish() else { continue };
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill { paint: paint(*colour), ..Fill::default() }));
                    surface.draw_path(&path);
                }
            }
        }
        surface.finish();
        pdf_page.finish();
    }
    document.finish().map_err(|error| PdfError::Engine(format!("{error:?}")))
}
