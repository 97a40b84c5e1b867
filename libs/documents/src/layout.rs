//! Page geometry, word wrapping and the flow of blocks down A4 pages.
//!
//! Layout produces plain positioned drawing operations per page; `render` turns them into PDF.
//! Laying out first means the number of pages is known before anything is drawn, which the
//! "strona 1 z 3" footer needs.

use crate::font::{Fonts, Weight};

/// A4 in PostScript points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
pub(crate) const MM: f32 = 72.0 / 25.4;
const MARGIN_LEFT: f32 = 25.0 * MM;
const MARGIN_RIGHT: f32 = 20.0 * MM;
const MARGIN_TOP: f32 = 20.0 * MM;
/// The body stops here; the footer sits in the space below.
const BODY_BOTTOM: f32 = PAGE_HEIGHT - 25.0 * MM;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 13.0 * MM;
const LEADING: f32 = 1.4;
/// A justified line whose spaces would have to grow by more than this (in ems) is left ragged:
/// rivers of white look worse than an uneven edge.
const MAX_JUSTIFY_STRETCH: f32 = 1.2;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub weight: Weight,
    pub size: f32,
    /// 0 = black, 255 = white.
    pub gray: u8,
}

impl Style {
    pub(crate) const BODY: Style = Style {
        weight: Weight::Regular,
        size: 10.5,
        gray: 0,
    };
    pub(crate) const BODY_BOLD: Style = Style {
        weight: Weight::Bold,
        ..Style::BODY
    };
    pub(crate) const SMALL: Style = Style {
        weight: Weight::Regular,
        size: 8.5,
        gray: 70,
    };

    pub(crate) const fn bold(size: f32) -> Style {
        Style {
            weight: Weight::Bold,
            size,
            gray: 0,
        }
    }

    pub(crate) const fn regular(size: f32) -> Style {
        Style {
            weight: Weight::Regular,
            size,
            gray: 0,
        }
    }

    fn line_height(self) -> f32 {
        self.size * LEADING
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
    /// Both edges flush, except a paragraph's (or hard break's) last line.
    Justify,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        text: String,
        extra_space: f32,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
    },
}

#[derive(Debug, Default)]
pub(crate) struct Page {
    pub ops: Vec<Op>,
}

/// Breaks `text` into lines no wider than `width`, measuring with `measure`. Runs of whitespace
/// (newlines included) count as one space; callers split hard breaks off first. A word wider
/// than the whole line is cut between characters, so nothing ever runs off the page; only a
/// single character wider than `width` can exceed it.
pub(crate) fn wrap(text: &str, width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let word: String = word.chars().filter(|c| !c.is_control()).collect();
        if word.is_empty() {
            continue;
        }
        if !line.is_empty() {
            let candidate = format!("{line} {word}");
            if measure(&candidate) <= width {
                line = candidate;
                continue;
            }
            lines.push(std::mem::take(&mut line));
        }
        let mut rest = word.as_str();
        while measure(rest) > width {
            let cut = longest_fitting_prefix(rest, width, &measure);
            lines.push(rest[..cut].to_owned());
            rest = &rest[cut..];
        }
        line = rest.to_owned();
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Byte length of the longest prefix of `word` that fits, but at least one character so that
/// wrapping always makes progress.
fn longest_fitting_prefix(word: &str, width: f32, measure: &impl Fn(&str) -> f32) -> usize {
    let mut ends = word.char_indices().map(|(i, c)| i + c.len_utf8());
    let first = ends.next().unwrap_or(word.len());
    let mut best = first;
    for end in ends {
        if measure(&word[..end]) > width {
            break;
        }
        best = end;
    }
    best
}

/// Flows blocks of text down pages, starting a new page whenever the next line would not fit.
pub(crate) struct Composer<'f> {
    fonts: &'f Fonts,
    pages: Vec<Page>,
    /// Top of the next line on the current page.
    y: f32,
}

impl<'f> Composer<'f> {
    pub(crate) fn new(fonts: &'f Fonts) -> Self {
        Self {
            fonts,
            pages: vec![Page::default()],
            y: MARGIN_TOP,
        }
    }

    pub(crate) fn left(&self) -> f32 {
        MARGIN_LEFT
    }

    pub(crate) fn width(&self) -> f32 {
        PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    }

    pub(crate) fn measure(&self, text: &str, style: Style) -> f32 {
        self.fonts.face(style.weight).width(text, style.size)
    }

    pub(crate) fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        wrap(text, width, |s| self.measure(s, style))
    }

    /// Vertical space before the next block; swallowed by a page break.
    pub(crate) fn space(&mut self, height: f32) {
        if self.y > MARGIN_TOP {
            self.y += height;
        }
    }

    /// Starts a new page unless `height` more points still fit on this one; used to keep a
    /// heading with its first lines, or a signature block in one piece.
    pub(crate) fn keep(&mut self, height: f32) {
        if self.y + height > BODY_BOTTOM && self.y > MARGIN_TOP {
            self.new_page();
        }
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN_TOP;
    }

    pub(crate) fn lines_height(&self, lines: usize, style: Style) -> f32 {
        lines as f32 * style.line_height()
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.ops.push(op);
        }
    }

    /// One line of text at `x` (left edge of the column `width` wide), already known to fit.
    fn line(&mut self, text: &str, style: Style, x: f32, width: f32, align: Align, last: bool) {
        self.keep(style.line_height());
        let text_width = self.measure(text, style);
        let mut extra_space = 0.0;
        let x = match align {
            Align::Left => x,
            Align::Center => x + (width - text_width) / 2.0,
            Align::Right => x + width - text_width,
            Align::Justify => {
                let spaces = text.matches(' ').count();
                if !last && spaces > 0 {
                    let stretch = (width - text_width) / spaces as f32;
                    if stretch > 0.0 && stretch <= MAX_JUSTIFY_STRETCH * style.size {
                        extra_space = stretch;
                    }
                }
                x
            }
        };
        let baseline = self.y + self.fonts.face(style.weight).ascent() * style.size;
        self.push(Op::Text {
            x,
            baseline,
            style,
            text: text.to_owned(),
            extra_space,
        });
        self.y += style.line_height();
    }

    /// A paragraph in a column starting `indent` points from the left margin. Single newlines
    /// are kept as line breaks (clauses often list points "1) … 2) …" on separate lines).
    pub(crate) fn paragraph_at(&mut self, text: &str, style: Style, indent: f32, align: Align) {
        let width = self.width() - indent;
        let x = self.left() + indent;
        let mut first = true;
        for segment in text.lines() {
            let lines = self.wrap(segment, style, width);
            if first {
                // An orphaned first line at the foot of a page reads badly; move it over.
                self.keep(self.lines_height(lines.len().min(2), style));
                first = false;
            }
            let count = lines.len();
            for (i, line) in lines.iter().enumerate() {
                self.line(line, style, x, width, align, i + 1 == count);
            }
        }
    }

    pub(crate) fn paragraph(&mut self, text: &str, style: Style, align: Align) {
        self.paragraph_at(text, style, 0.0, align);
    }

    /// Paragraphs separated by blank lines in `text`, with a gap between them.
    pub(crate) fn paragraphs(&mut self, text: &str, style: Style, align: Align) {
        for (i, para) in split_paragraphs(text).iter().enumerate() {
            if i > 0 {
                self.space(style.size * 0.6);
            }
            self.paragraph(para, style, align);
        }
    }

    /// A list whose items hang to the right of their marker ("•", "1)").
    pub(crate) fn list(
        &mut self,
        items: &[String],
        style: Style,
        marker: impl Fn(usize) -> String,
    ) {
        let indent = 6.0 * MM;
        for (i, item) in items.iter().enumerate() {
            let mark = marker(i);
            let lines = self.wrap(item, style, self.width() - indent);
            self.keep(self.lines_height(lines.len().min(2), style));
            let baseline = self.y + self.fonts.face(style.weight).ascent() * style.size;
            let mark_x = self.left() + indent - self.measure(&mark, style) - 2.0 * MM;
            self.push(Op::Text {
                x: mark_x,
                baseline,
                style,
                text: mark,
                extra_space: 0.0,
            });
            self.paragraph_at(item, style, indent, Align::Left);
            self.space(style.size * 0.2);
        }
    }

    /// A label with its value beside it. The value is one or more lines, each in its own style
    /// (a name in bold, then the address), each wrapping within the value column; rows advance
    /// one at a time so a page break can fall inside a long value.
    pub(crate) fn field(&mut self, label: &str, value: &[(&str, Style)], label_width: f32) {
        let label_style = Style::BODY;
        let value_width = self.width() - label_width;
        let label_lines = self.wrap(label, label_style, label_width - 4.0 * MM);
        let value_lines: Vec<(String, Style)> = value
            .iter()
            .flat_map(|&(text, style)| {
                self.wrap(text, style, value_width)
                    .into_iter()
                    .map(move |line| (line, style))
            })
            .collect();
        let rows = label_lines.len().max(value_lines.len());
        self.keep(self.lines_height(rows.min(2), label_style));
        for row in 0..rows {
            self.keep(label_style.line_height());
            let baseline = self.y + self.fonts.face(label_style.weight).ascent() * label_style.size;
            if let Some(text) = label_lines.get(row) {
                let (x, text) = (self.left(), text.clone());
                self.push(Op::Text {
                    x,
                    baseline,
                    style: label_style,
                    text,
                    extra_space: 0.0,
                });
            }
            if let Some((text, style)) = value_lines.get(row) {
                let (x, text, style) = (self.left() + label_width, text.clone(), *style);
                self.push(Op::Text {
                    x,
                    baseline,
                    style,
                    text,
                    extra_space: 0.0,
                });
            }
            self.y += label_style.line_height();
        }
    }

    /// One line with `left` flush left and `right` flush right, e.g. a reference number and
    /// the place and date. Falls back to two lines when they would collide.
    pub(crate) fn left_right(&mut self, left: &str, right: &str, style: Style) {
        let fits =
            self.measure(left, style) + self.measure(right, style) + 10.0 * MM <= self.width();
        if !fits {
            self.paragraph(right, style, Align::Right);
            self.paragraph(left, style, Align::Left);
            return;
        }
        self.keep(style.line_height());
        let baseline = self.y + self.fonts.face(style.weight).ascent() * style.size;
        let right_x = self.left() + self.width() - self.measure(right, style);
        let left_x = self.left();
        self.push(Op::Text {
            x: left_x,
            baseline,
            style,
            text: left.to_owned(),
            extra_space: 0.0,
        });
        self.push(Op::Text {
            x: right_x,
            baseline,
            style,
            text: right.to_owned(),
            extra_space: 0.0,
        });
        self.y += style.line_height();
    }

    /// Text wrapped within a column `width` wide at `x`.
    pub(crate) fn text_in(&mut self, text: &str, style: Style, x: f32, width: f32, align: Align) {
        for line in self.wrap(text, style, width) {
            self.line(&line, style, x, width, align, true);
        }
    }

    pub(crate) fn y(&self) -> f32 {
        self.y
    }

    pub(crate) fn set_y(&mut self, y: f32) {
        self.y = y;
    }

    /// A horizontal line across `x1..x2` at the cursor.
    pub(crate) fn rule(&mut self, x1: f32, x2: f32, width: f32) {
        let y = self.y;
        self.push(Op::Rule { x1, x2, y, width });
    }

    /// Finishes layout, stamping every page's footer with `label` and "strona n z N".
    pub(crate) fn finish(mut self, label: &str) -> Vec<Page> {
        let total = self.pages.len();
        let style = Style::SMALL;
        let right = PAGE_WIDTH - MARGIN_RIGHT;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let counter = format!("strona {} z {total}", i + 1);
            let counter_x = right - self.fonts.face(style.weight).width(&counter, style.size);
            page.ops.push(Op::Rule {
                x1: MARGIN_LEFT,
                x2: right,
                y: FOOTER_BASELINE - style.size * 1.3,
                width: 0.4,
            });
            page.ops.push(Op::Text {
                x: MARGIN_LEFT,
                baseline: FOOTER_BASELINE,
                style,
                text: label.to_owned(),
                extra_space: 0.0,
            });
            page.ops.push(Op::Text {
                x: counter_x,
                baseline: FOOTER_BASELINE,
                style,
                text: counter,
                extra_space: 0.0,
            });
        }
        self.pages
    }
}

/// Splits on blank (or whitespace-only) lines, dropping empty paragraphs.
pub(crate) fn split_paragraphs(text: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n"));
    }
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one unit wide, so widths are character counts.
    fn chars(s: &str) -> f32 {
        s.chars().count() as f32
    }

    #[test]
    fn wraps_greedily_at_spaces() {
        let lines = wrap("ala ma kota a kot ma ale", 10.0, chars);
        assert_eq!(lines, ["ala ma", "kota a kot", "ma ale"]);
    }

    #[test]
    fn no_line_is_wider_than_the_width() {
        let text = "Wolontariusz zobowiązuje się do zachowania w tajemnicy informacji, \
                    które uzyskał w związku z wykonywaniem świadczeń na rzecz korzystającego.";
        for width in [8.0, 12.0, 20.0, 33.0, 80.0] {
            let lines = wrap(text, width, chars);
            assert!(!lines.is_empty());
            for line in &lines {
                assert!(chars(line) <= width, "{line:?} is wider than {width}");
            }
            // Nothing is lost or invented: the words come back in order.
            let rejoined: Vec<&str> = lines.iter().flat_map(|l| l.split(' ')).collect();
            if width >= 15.0 {
                assert_eq!(rejoined, text.split_whitespace().collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn a_word_longer_than_the_width_is_broken() {
        let lines = wrap("do Konstantynopolitańczykowianeczka idź", 10.0, chars);
        assert_eq!(
            lines,
            ["do", "Konstantyn", "opolitańcz", "ykowianecz", "ka idź"]
        );
        assert!(lines.iter().all(|l| chars(l) <= 10.0));
    }

    #[test]
    fn whitespace_and_control_characters_collapse() {
        let lines = wrap("  a\t\tb \r\n c\u{7}  ", 100.0, chars);
        assert_eq!(lines, ["a b c"]);
        assert!(wrap("   \n ", 10.0, chars).is_empty());
    }

    #[test]
    fn real_font_lines_fit_the_body_width() -> Result<(), crate::DocumentError> {
        let fonts = Fonts::load()?;
        let composer = Composer::new(&fonts);
        let text =
            "Zażółć gęślą jaźń. ".repeat(40) + "Bardzodługiesłowobezspacji".repeat(12).as_str();
        for style in [Style::BODY, Style::BODY_BOLD, Style::bold(18.0)] {
            let lines = composer.wrap(&text, style, composer.width());
            assert!(lines.len() > 5);
            for line in &lines {
                assert!(
                    composer.measure(line, style) <= composer.width(),
                    "{line:?} overflows"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        let paragraphs = split_paragraphs("Pierwszy\nciąg dalszy\n\n  \nDrugi  \n\n");
        assert_eq!(paragraphs, ["Pierwszy\nciąg dalszy", "Drugi"]);
    }

    #[test]
    fn long_text_breaks_onto_new_pages_within_the_body() -> Result<(), crate::DocumentError> {
        let fonts = Fonts::load()?;
        let mut composer = Composer::new(&fonts);
        composer.paragraphs(
            &"Słowo za słowem. ".repeat(800),
            Style::BODY,
            Align::Justify,
        );
        let pages = composer.finish("test");
        assert!(pages.len() > 1);
        for page in &pages {
            for op in &page.ops {
                if let Op::Text { x, baseline, .. } = op {
                    assert!(*x >= MARGIN_LEFT - 0.01 && *baseline <= PAGE_HEIGHT - 10.0 * MM);
                }
            }
        }
        Ok(())
    }
}
