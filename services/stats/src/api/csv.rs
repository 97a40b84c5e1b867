//! Exports as Polish Excel opens them: UTF-8 with a byte-order mark (without it Excel reads
//! ANSI and garbles "ą", "ś", "ż"), `;` between fields, a decimal comma, CRLF line ends.
//! A suppressed value is `#` (the sign of the Central Statistical Office for data withheld
//! under statistical confidentiality); nothing to measure is an empty field.

use crate::domain::figures::Figure;
use crate::domain::grid::Shown;
use crate::report::Rate;

use super::wire::round;

/// Shown in place of a suppressed value.
pub const SUPPRESSED: &str = "#";

/// A CSV document being written.
pub struct Csv {
    text: String,
}

impl Csv {
    pub fn new() -> Self {
        Self {
            text: String::from("\u{feff}"),
        }
    }

    /// Appends one record.
    pub fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for (i, field) in fields.into_iter().enumerate() {
            if i > 0 {
                self.text.push(';');
            }
            self.text.push_str(&escape(field.as_ref()));
        }
        self.text.push_str("\r\n");
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.text.into_bytes()
    }
}

impl Default for Csv {
    fn default() -> Self {
        Self::new()
    }
}

/// Quotes a field when it needs it; a text starting like a formula gets a leading apostrophe,
/// so a spreadsheet shows it instead of evaluating it.
fn escape(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

/// A number with a decimal comma and `places` decimals.
pub fn number(value: f64, places: i32) -> String {
    let rounded = round(value, places);
    let text = format!("{rounded:.*}", usize::try_from(places).unwrap_or(0));
    text.replace('.', ",")
}

/// A figure's cell.
pub fn cell(figure: Figure, shown: Shown) -> String {
    match shown {
        Shown::Value(v) if figure.whole() => v.to_string(),
        Shown::Value(v) => number(figure.shown(v), 1),
        Shown::Suppressed => SUPPRESSED.to_owned(),
        Shown::Absent => String::new(),
    }
}

/// A rate's cell.
pub fn rate(rate: Option<Rate>) -> String {
    match rate {
        Some(Rate::Value(r)) => number(r, 2),
        Some(Rate::Suppressed) => SUPPRESSED.to_owned(),
        None => String::new(),
    }
}

/// An optional decimal.
pub fn decimal(value: Option<f64>, places: i32) -> String {
    value.map(|v| number(v, places)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_numbers_use_a_decimal_comma() {
        let mut csv = Csv::new();
        csv.row(["Ośrodek", "Godziny; razem", "=1+1", "powiedział \"tak\""]);
        csv.row([number(12.25, 1), number(3.0, 2), number(1234.5, 0)]);
        let text = String::from_utf8(csv.into_bytes()).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "Ośrodek;\"Godziny; razem\";'=1+1;\"powiedział \"\"tak\"\"\"\r\n12,3;3,00;1235\r\n"
        );
    }
}
