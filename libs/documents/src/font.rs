//! The embedded typefaces, and turning text into positioned glyphs.
//!
//! Glyphs are mapped and measured here, with the same numbers for both, rather than handed to a
//! shaper: the wrapper then knows exactly how wide a line will be drawn. Polish needs no shaping
//! (every letter has a precomposed glyph in DejaVu), so the only thing given up is kerning.

use krilla::text::{GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;

use crate::DocumentError;

// DejaVu covers Latin Extended-A (ą ć ę ł ń ó ś ź ż), typographic quotes, dashes and "§".
static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One typeface: krilla's handle (which embeds and subsets it) and skrifa's tables for measuring.
pub(crate) struct Face {
    pdf: krilla::text::Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Distance from the top of a line box to the baseline, per unit of font size.
    ascent: f32,
}

impl Face {
    fn load(bytes: &'static [u8], name: &'static str) -> Result<Self, DocumentError> {
        let font = skrifa::FontRef::new(bytes).map_err(|_| DocumentError::Font(name))?;
        let pdf = krilla::text::Font::new(bytes.into(), 0).ok_or(DocumentError::Font(name))?;
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(metrics.units_per_em);
        if units_per_em <= 0.0 {
            return Err(DocumentError::Font(name));
        }
        Ok(Self {
            pdf,
            charmap: font.charmap(),
            metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
            ascent: metrics.ascent / units_per_em,
        })
    }

    pub(crate) fn pdf_font(&self) -> krilla::text::Font {
        self.pdf.clone()
    }

    pub(crate) fn ascent(&self) -> f32 {
        self.ascent
    }

    /// Advance of one character in ems. A character the font lacks is drawn (and measured) as
    /// the font's "missing glyph" box rather than failing the whole document.
    fn glyph(&self, c: char) -> (GlyphId, f32) {
        let id = self.charmap.map(c).unwrap_or_default();
        let advance = self.metrics.advance_width(id).unwrap_or(0.0) / self.units_per_em;
        (GlyphId::new(id.to_u32()), advance)
    }

    /// Width of `text` in points at `size`.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    /// Glyphs for `text`, each tied to its byte range so the PDF's ToUnicode map lets readers
    /// copy and search the text. `extra_space` (points) widens every space, for justified lines.
    pub(crate) fn glyphs(&self, text: &str, size: f32, extra_space: f32) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(start, c)| {
                let (id, mut advance) = self.glyph(c);
                if c == ' ' && size > 0.0 {
                    advance += extra_space / size;
                }
                KrillaGlyph::new(
                    id,
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    start..start + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }
}

pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, DocumentError> {
        Ok(Self {
            regular: Face::load(REGULAR, "DejaVu Sans")?,
            bold: Face::load(BOLD, "DejaVu Sans Bold")?,
        })
    }

    pub(crate) fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_polish_letter_has_a_glyph() -> Result<(), DocumentError> {
        let fonts = Fonts::load()?;
        for face in [&fonts.regular, &fonts.bold] {
            for c in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ§„”–•".chars() {
                assert!(face.charmap.map(c).is_some(), "no glyph for {c:?}");
            }
        }
        Ok(())
    }

    #[test]
    fn width_grows_with_size_and_text() -> Result<(), DocumentError> {
        let fonts = Fonts::load()?;
        let face = fonts.face(Weight::Regular);
        let w = face.width("Łódź", 10.0);
        assert!(w > 0.0);
        assert!((face.width("Łódź", 20.0) - 2.0 * w).abs() < 1e-3);
        assert!(face.width("Łódź Łódź", 10.0) > 2.0 * w);
        Ok(())
    }
}
