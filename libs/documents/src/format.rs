//! Polish date formats used in official letters.

use chrono::{Datelike, NaiveDate};

// A day of a month is written with the month in the genitive ("22 listopada"), never the
// nominative ("listopad") that chrono's locale tables would give.
const MONTHS_GENITIVE: [&str; 12] = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];

/// A date in running text: "22 listopada 2026 r.".
pub fn long_date(date: NaiveDate) -> String {
    let month = MONTHS_GENITIVE[date.month0() as usize];
    format!("{} {month} {} r.", date.day(), date.year())
}

/// A date in a form field or table: "22.11.2026".
pub fn short_date(date: NaiveDate) -> String {
    format!("{:02}.{:02}.{:04}", date.day(), date.month(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn every_month_is_in_the_genitive() {
        let expected = [
            "1 stycznia 2026 r.",
            "1 lutego 2026 r.",
            "1 marca 2026 r.",
            "1 kwietnia 2026 r.",
            "1 maja 2026 r.",
            "1 czerwca 2026 r.",
            "1 lipca 2026 r.",
            "1 sierpnia 2026 r.",
            "1 września 2026 r.",
            "1 października 2026 r.",
            "1 listopada 2026 r.",
            "1 grudnia 2026 r.",
        ];
        for (month, want) in (1..=12).zip(expected) {
            assert_eq!(long_date(date(2026, month, 1)), want);
        }
    }

    #[test]
    fn long_date_has_no_leading_zero() {
        assert_eq!(long_date(date(2026, 11, 22)), "22 listopada 2026 r.");
        assert_eq!(long_date(date(2003, 4, 24)), "24 kwietnia 2003 r.");
        assert_eq!(long_date(date(2026, 2, 5)), "5 lutego 2026 r.");
    }

    #[test]
    fn short_date_is_zero_padded_day_month_year() {
        assert_eq!(short_date(date(2026, 11, 22)), "22.11.2026");
        assert_eq!(short_date(date(2010, 3, 7)), "07.03.2010");
    }
}
