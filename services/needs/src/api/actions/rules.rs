//! Who may take part in an action, and how its numbers read in Polish. Age counts on the
//! Polish calendar day a shift starts: that is the day the insurer and the guardian's consent
//! are about.

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_http::problem::Validator;
use lacznik_types::local_time::warsaw;
use lacznik_types::{BirthDate, PersonName, ValueError};

/// The youngest who may take part (with a guardian's consent).
pub const MIN_AGE: u32 = 13;
const ADULT_AGE: u32 = 18;

/// Today in Poland.
pub fn today() -> NaiveDate {
    warsaw(Utc::now()).date()
}

/// The Polish calendar day of an instant.
pub fn day_of(at: DateTime<Utc>) -> NaiveDate {
    warsaw(at).date()
}

/// Under 18 on `day`.
pub fn is_minor(birth_date: NaiveDate, day: NaiveDate) -> bool {
    day.years_since(birth_date).unwrap_or(0) < ADULT_AGE
}

/// What was sent about one person to place on a shift.
pub struct PersonInput<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub birth_date: Option<NaiveDate>,
    pub guardian_name: Option<&'a str>,
    pub guardian_consent: bool,
}

/// A person who may take part, as checked.
pub struct Person {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub minor: bool,
    /// Only for a minor, whose guardian has consented.
    pub guardian_name: Option<String>,
}

impl Person {
    /// The same person, as far as a list of names can tell.
    pub fn same_as(&self, first_name: &str, last_name: &str, birth_date: NaiveDate) -> bool {
        self.birth_date == birth_date
            && self.first_name.to_lowercase() == first_name.to_lowercase()
            && self.last_name.to_lowercase() == last_name.to_lowercase()
    }
}

/// Checks one person for a shift on `day`; each problem is recorded under `prefix` (e.g.
/// `pupils[3].`) so a whole class is reported at once.
pub fn check_person(
    v: &mut Validator,
    prefix: &str,
    input: &PersonInput<'_>,
    day: NaiveDate,
) -> Option<Person> {
    let mut ok = true;
    let mut reject = |field: &str, message: &str| {
        ok = false;
        v.reject(&format!("{prefix}{field}"), message);
    };
    let first_name = parsed(
        PersonName::parse("first_name", input.first_name),
        &mut reject,
    );
    let last_name = parsed(PersonName::parse("last_name", input.last_name), &mut reject);
    let birth_date = match input.birth_date {
        Some(date) => parsed(BirthDate::parse(date, today()), &mut reject).map(|b| b.date()),
        None => {
            reject("birth_date", "Podaj datę urodzenia.");
            None
        }
    };
    let age = birth_date.map(|b| day.years_since(b).unwrap_or(0));
    let minor = age.is_some_and(|age| age < ADULT_AGE);
    let guardian_name = input
        .guardian_name
        .map(str::trim)
        .filter(|g| !g.is_empty() && minor);
    if age.is_some_and(|age| age < MIN_AGE) {
        reject(
            "birth_date",
            "W akcjach mogą brać udział osoby, które w dniu zmiany mają co najmniej 13 lat.",
        );
    } else if minor {
        match guardian_name {
            None => reject(
                "guardian_name",
                "Osoba niepełnoletnia: podaj imię i nazwisko rodzica lub opiekuna prawnego.",
            ),
            Some(g) if g.chars().count() > 200 => {
                reject("guardian_name", "Pole może mieć najwyżej 200 znaków.");
            }
            Some(_) => {}
        }
        if !input.guardian_consent {
            reject(
                "guardian_consent",
                "Osoba niepełnoletnia może wziąć udział tylko za zgodą rodzica lub opiekuna \
                 prawnego. Zaznacz, że ośrodek ją otrzymał.",
            );
        }
    }
    if !ok {
        return None;
    }
    Some(Person {
        first_name: first_name?.into_inner(),
        last_name: last_name?.into_inner(),
        birth_date: birth_date?,
        minor,
        guardian_name: guardian_name.map(str::to_owned),
    })
}

fn parsed<T>(value: Result<T, ValueError>, reject: &mut impl FnMut(&str, &str)) -> Option<T> {
    value.map_err(|e| reject(e.field, e.message)).ok()
}

/// A number as Polish text: thousands apart, a decimal comma, at most two decimals
/// (`1 234,5`).
pub fn polish_number(value: f64) -> String {
    let hundredths = (value.abs() * 100.0).round() as u64;
    let whole = (hundredths / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    match hundredths % 100 {
        0 => grouped,
        cents if cents.is_multiple_of(10) => format!("{grouped},{}", cents / 10),
        cents => format!("{grouped},{cents:02}"),
    }
}

/// The Polish plural form for a whole count: 1 paczka, 2 paczki, 5 paczek, 22 paczki.
pub fn plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match (n % 10, n % 100) {
        _ if n == 1 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    }
}

/// Shift time as people read it: `13.12.2026 10:00–14:00` (Polish time).
pub fn shift_time(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> String {
    let (start, end) = (warsaw(starts_at), warsaw(ends_at));
    if start.date() == end.date() {
        format!("{}–{}", start.format("%d.%m.%Y %H:%M"), end.format("%H:%M"))
    } else {
        format!(
            "{} – {}",
            start.format("%d.%m.%Y %H:%M"),
            end.format("%d.%m.%Y %H:%M")
        )
    }
}

/// A key that sorts names in Polish alphabetical order (Ł after L, not after Z).
pub fn polish_key(text: &str) -> Vec<u32> {
    const ALPHABET: &str = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż";
    text.to_lowercase()
        .chars()
        .map(|c| match ALPHABET.chars().position(|a| a == c) {
            Some(i) => u32::try_from(i).unwrap_or(u32::MAX),
            None => 1000 + u32::from(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_in_polish() {
        assert_eq!(polish_number(1234.5), "1 234,5");
        assert_eq!(polish_number(0.0), "0");
        assert_eq!(polish_number(0.05), "0,05");
        assert_eq!(polish_number(999.0), "999");
        assert_eq!(polish_number(1_000_000.25), "1 000 000,25");
        assert_eq!(polish_number(12.345), "12,35");
    }

    #[test]
    fn plurals() {
        let form = |n| plural(n, "paczka", "paczki", "paczek");
        assert_eq!(form(1), "paczka");
        assert_eq!(form(3), "paczki");
        assert_eq!(form(5), "paczek");
        assert_eq!(form(12), "paczek");
        assert_eq!(form(22), "paczki");
        assert_eq!(form(0), "paczek");
    }

    #[test]
    fn age_bands_count_on_the_day() {
        let birth = NaiveDate::from_ymd_opt(2010, 6, 15).unwrap();
        assert!(is_minor(
            birth,
            NaiveDate::from_ymd_opt(2028, 6, 14).unwrap()
        ));
        assert!(!is_minor(
            birth,
            NaiveDate::from_ymd_opt(2028, 6, 15).unwrap()
        ));
    }

    #[test]
    fn names_sort_in_polish() {
        let mut names = vec!["Zych", "Łukasik", "Lis", "Ćwik", "Cebula"];
        names.sort_by_key(|n| polish_key(n));
        assert_eq!(names, ["Cebula", "Ćwik", "Lis", "Łukasik", "Zych"]);
    }
}
