//! Query parameters, parsed once at the edge into domain types. Anything malformed is a 422
//! `validation_failed` naming the field, in Polish — never a 5xx.

use chrono::{NaiveDate, Utc};
use lacznik_http::problem::Validator;

use crate::domain::events::NO_KIND;
use crate::domain::figures::Figure;
use crate::domain::grid::ALL_KINDS;
use crate::domain::period::{Period, PeriodKind, local_day};

/// The longest trend.
pub const MAX_MONTHS: u32 = 120;

/// How an answer is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// `format=json|csv`, or else CSV when the client accepts `text/csv` and not JSON.
pub fn format(v: &mut Validator, raw: Option<&str>, accept: Option<&str>) -> Format {
    match raw {
        Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some(_) => {
            v.reject("format", "Dozwolone formaty: json, csv.");
            Format::Json
        }
        None => match accept {
            Some(a) if a.contains("text/csv") && !a.contains("json") => Format::Csv,
            _ => Format::Json,
        },
    }
}

/// `period` and `start`: the current period of that kind by default.
pub fn period(v: &mut Validator, kind: Option<&str>, start: Option<&str>) -> Option<Period> {
    let kind = match kind {
        None => PeriodKind::Month,
        Some(raw) => match PeriodKind::parse(raw) {
            Some(kind) => kind,
            None => {
                v.reject("period", "Okres to month, quarter albo year.");
                return None;
            }
        },
    };
    let Some(raw) = start else {
        return Some(Period::containing(kind, local_day(Utc::now())));
    };
    let day = date(v, "start", raw)?;
    match Period::starting(kind, day) {
        Ok(period) => Some(period),
        Err(_) => {
            v.reject(
                "start",
                match kind {
                    PeriodKind::Month => "Miesiąc zaczyna się pierwszego dnia (RRRR-MM-01).",
                    PeriodKind::Quarter => {
                        "Kwartał zaczyna się 1 stycznia, 1 kwietnia, 1 lipca albo 1 października."
                    }
                    PeriodKind::Year => "Rok zaczyna się 1 stycznia (RRRR-01-01).",
                },
            );
            None
        }
    }
}

/// A calendar date `YYYY-MM-DD` between 2000 and 2200.
pub fn date(v: &mut Validator, field: &'static str, raw: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(day) if (2000..=2200).contains(&chrono::Datelike::year(&day)) => Some(day),
        _ => {
            v.reject(field, "Podaj datę w formacie RRRR-MM-DD (lata 2000–2200).");
            None
        }
    }
}

/// A kind of help from the catalogue, `-` (no kind) or `*` (all, the default).
pub fn kind(v: &mut Validator, raw: Option<&str>) -> String {
    match raw {
        None | Some("") => ALL_KINDS.to_owned(),
        Some(k)
            if k == ALL_KINDS
                || k == NO_KIND
                || lacznik_types::catalogue::kind_name(k).is_some() =>
        {
            k.to_owned()
        }
        Some(_) => {
            v.reject("kind", "Nieznany rodzaj pomocy.");
            ALL_KINDS.to_owned()
        }
    }
}

/// A figure's code.
pub fn figure(v: &mut Validator, raw: Option<&str>) -> Option<Figure> {
    match raw.and_then(Figure::parse) {
        Some(figure) => Some(figure),
        None => {
            v.reject(
                "figure",
                "Nieznany wskaźnik (kody: README, sekcja Statystyki).",
            );
            None
        }
    }
}

/// The months of a trend: `months` of them (12 by default) ending with the month of `end`.
pub fn months(v: &mut Validator, count: Option<u32>, end: Option<&str>) -> Vec<Period> {
    let count = count.unwrap_or(12);
    if !(1..=MAX_MONTHS).contains(&count) {
        v.reject("months", "Od 1 do 120 miesięcy.");
        return Vec::new();
    }
    let last = match end {
        None => Period::containing(PeriodKind::Month, local_day(Utc::now())),
        Some(raw) => match date(v, "end", raw) {
            Some(day) => Period::containing(PeriodKind::Month, day),
            None => return Vec::new(),
        },
    };
    let mut months = vec![last];
    for _ in 1..count {
        if let Some(first) = months.last() {
            months.push(first.previous());
        }
    }
    months.reverse();
    months
}
