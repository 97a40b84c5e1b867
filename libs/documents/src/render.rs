//! Drawing laid-out pages into a PDF with krilla, which embeds only the glyphs used (a subset of
//! each font) together with the ToUnicode map that makes the text searchable and copyable.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};

use crate::DocumentError;
use crate::font::Fonts;
use crate::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH, Page};

pub(crate) fn render(pages: &[Page], fonts: &Fonts, title: &str) -> Result<Vec<u8>, DocumentError> {
    let mut document = Document::new();
    // No creation date: the same data then always gives the same bytes.
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language("pl-PL".to_owned())
            .creator("Łącznik".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| DocumentError::Pdf("invalid page size".to_owned()))?;
    for page in pages {
        let mut pdf_page = document.start_page_with(settings.clone());
        let mut surface = pdf_page.surface();
        for op in &page.ops {
            match op {
                Op::Text {
                    x,
                    baseline,
                    style,
                    text,
                    extra_space,
                } => {
                    let face = fonts.face(style.weight);
                    surface.set_fill(Some(Fill {
                        paint: rgb::Color::new(style.gray, style.gray, style.gray).into(),
                        ..Fill::default()
                    }));
                    let glyphs = face.glyphs(text, style.size, *extra_space);
                    surface.draw_glyphs(
                        Point::from_xy(*x, *baseline),
                        &glyphs,
                        face.pdf_font(),
                        text,
                        style.size,
                        false,
                    );
                }
                Op::Rule { x1, x2, y, width } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y);
                    path.line_to(*x2, *y);
                    let Some(path) = path.finish() else { continue };
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        width: *width,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
        }
        surface.finish();
        pdf_page.finish();
    }
    document
        .finish()
        .map_err(|e| DocumentError::Pdf(e.to_string()))
}
