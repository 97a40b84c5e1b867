//! Blocks that both documents share: the letterhead, the place and date line, signatures.

use crate::Office;
use crate::layout::{Align, Composer, MM, Style};

/// The name of the Act, as cited in running text.
pub(crate) const ACT: &str = "ustawy z dnia 24 kwietnia 2003 r. o działalności pożytku \
                              publicznego i o wolontariacie";

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub(crate) fn letterhead(c: &mut Composer<'_>, office: &Office) {
    c.paragraph(&office.name, Style::bold(12.5), Align::Left);
    c.paragraph(&office.address, Style::regular(9.0), Align::Left);
    let contacts: Vec<String> = [
        present(&office.phone).map(|p| format!("tel. {p}")),
        present(&office.email).map(|e| format!("e-mail: {e}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !contacts.is_empty() {
        c.paragraph(&contacts.join("   ·   "), Style::regular(9.0), Align::Left);
    }
    c.space(2.0 * MM);
    let (x1, x2) = (c.left(), c.left() + c.width());
    c.rule(x1, x2, 0.8);
    c.space(6.0 * MM);
}

/// The reference number on the left and "Kielce, 22 listopada 2026 r." on the right, as
/// Polish official letters begin.
pub(crate) fn number_place_and_date(c: &mut Composer<'_>, number: &str, place: &str, date: &str) {
    c.left_right(number, &format!("{}, {date}", place.trim()), Style::BODY);
}

/// "Kielce, 20 lutego 2026 r." flush right.
pub(crate) fn place_and_date(c: &mut Composer<'_>, place: &str, date: &str) {
    c.paragraph(
        &format!("{}, {date}", place.trim()),
        Style::BODY,
        Align::Right,
    );
}

/// A signature: the caption under the line says whose it is, and the printed name (if known)
/// says who signed.
pub(crate) struct Signature<'a> {
    pub caption: &'a str,
    pub name: Option<&'a str>,
}

/// Signature slots two to a row, left then right. The whole block stays on one page: a page
/// with nothing but signatures is accepted practice, a block split over two is not.
pub(crate) fn signatures(c: &mut Composer<'_>, slots: &[Signature<'_>]) {
    let gap = 12.0 * MM;
    let column = (c.width() - gap) / 2.0;
    let room = 16.0 * MM; // space left blank to sign in
    let row_height = room + c.lines_height(2, Style::SMALL) + c.lines_height(2, Style::BODY);
    let rows = slots.len().div_ceil(2);
    c.keep(rows as f32 * row_height + (rows.saturating_sub(1)) as f32 * 4.0 * MM);
    for (r, row) in slots.chunks(2).enumerate() {
        if r > 0 {
            c.space(4.0 * MM);
        }
        // Set, not `space`: the room to sign in must survive a page break just before it.
        let top = c.y() + room;
        let mut bottom = top;
        for (i, slot) in row.iter().enumerate() {
            // A lone slot in the last row lands on the left, under the volunteer's: that is
            // where a guardian countersigns.
            let x = c.left() + i as f32 * (column + gap);
            c.set_y(top);
            c.rule(x + column * 0.05, x + column * 0.95, 0.5);
            c.space(1.5);
            c.text_in(slot.caption, Style::SMALL, x, column, Align::Center);
            if let Some(name) = slot.name.map(str::trim).filter(|n| !n.is_empty()) {
                c.text_in(name, Style::BODY, x, column, Align::Center);
            }
            bottom = bottom.max(c.y());
        }
        c.set_y(bottom);
    }
}
