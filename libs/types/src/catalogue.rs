//! Catalogues every office shares: the kinds of help a volunteer centre connects, the skills a
//! volunteer may bring, and the languages. They change with a release, not per office; an office
//! adds its own skills (and its own districts) in its tables.

/// An entry of a catalogue: a stable code and its Polish name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub code: &'static str,
    pub name: &'static str,
}

const fn entry(code: &'static str, name: &'static str) -> Entry {
    Entry { code, name }
}

/// Kinds of help, as the offices describe their volunteers' work. The order is fixed: a kind's
/// position is its number in compact sets (at most 32).
pub const KINDS_OF_HELP: [Entry; 14] = [
    entry("tutoring", "korepetycje i pomoc w nauce dzieci"),
    entry("senior_company", "towarzyszenie osobom starszym"),
    entry("shopping_household", "zakupy i drobna pomoc w domu"),
    entry("events", "pomoc przy wydarzeniach i akcjach"),
    entry("food_collection", "zbiórki żywności i wydawanie paczek"),
    entry("computer_lessons", "nauka obsługi komputera"),
    entry("job_search", "pomoc w szukaniu pracy"),
    entry("reading", "czytanie osobom z niepełnosprawnościami"),
    entry("repairs_moving", "drobne naprawy i przeprowadzki"),
    entry("web_writing", "strony internetowe i redagowanie tekstów"),
    entry("animal_shelter", "zbiórki dla schroniska dla zwierząt"),
    entry("emotional_support", "wsparcie emocjonalne"),
    entry("mediation", "mediacje w konfliktach"),
    entry("office_work", "prace biurowe"),
];

/// Skills every office knows.
pub const SHARED_SKILLS: [Entry; 16] = [
    entry("driving_licence_b", "prawo jazdy kat. B"),
    entry("own_car", "własny samochód"),
    entry("first_aid", "pierwsza pomoc"),
    entry("teaching_maths", "nauczanie matematyki"),
    entry("teaching_polish", "nauczanie języka polskiego"),
    entry("teaching_english", "nauczanie języka angielskiego"),
    entry("computer_basics", "obsługa komputera i smartfona"),
    entry("web_design", "tworzenie stron internetowych"),
    entry("graphic_design", "grafika"),
    entry("photography", "fotografia"),
    entry("music", "gra na instrumencie, śpiew"),
    entry("sign_language", "polski język migowy"),
    entry("diy_repairs", "drobne naprawy domowe"),
    entry(
        "care_experience",
        "doświadczenie w opiece nad osobą starszą",
    ),
    entry("animation", "animacja czasu wolnego dzieci"),
    entry(
        "psychology",
        "wykształcenie psychologiczne lub pedagogiczne",
    ),
];

/// Languages a volunteer may speak with the people they help (ISO 639 codes).
pub const LANGUAGES: [Entry; 10] = [
    entry("pl", "polski"),
    entry("uk", "ukraiński"),
    entry("en", "angielski"),
    entry("de", "niemiecki"),
    entry("ru", "rosyjski"),
    entry("be", "białoruski"),
    entry("fr", "francuski"),
    entry("es", "hiszpański"),
    entry("it", "włoski"),
    entry("pjm", "polski język migowy"),
];

/// The voivodeships by TERYT code, named as the Central Statistical Office writes them (the
/// `regions` table holds the same list).
pub const VOIVODESHIPS: [Entry; 16] = [
    entry("02", "dolnośląskie"),
    entry("04", "kujawsko-pomorskie"),
    entry("06", "lubelskie"),
    entry("08", "lubuskie"),
    entry("10", "łódzkie"),
    entry("12", "małopolskie"),
    entry("14", "mazowieckie"),
    entry("16", "opolskie"),
    entry("18", "podkarpackie"),
    entry("20", "podlaskie"),
    entry("22", "pomorskie"),
    entry("24", "śląskie"),
    entry("26", "świętokrzyskie"),
    entry("28", "warmińsko-mazurskie"),
    entry("30", "wielkopolskie"),
    entry("32", "zachodniopomorskie"),
];

/// The Polish name of a kind of help, if `code` is one.
pub fn kind_name(code: &str) -> Option<&'static str> {
    KINDS_OF_HELP
        .iter()
        .find(|k| k.code == code)
        .map(|k| k.name)
}

/// The name of the voivodeship with TERYT code `code`, if there is one.
pub fn voivodeship_name(code: &str) -> Option<&'static str> {
    VOIVODESHIPS.iter().find(|v| v.code == code).map(|v| v.name)
}

/// Position of a kind of help in [`KINDS_OF_HELP`].
pub fn kind_index(code: &str) -> Option<u8> {
    KINDS_OF_HELP
        .iter()
        .position(|k| k.code == code)
        .and_then(|i| u8::try_from(i).ok())
}

/// Whether `code` is one of the shared skills.
pub fn is_shared_skill(code: &str) -> bool {
    SHARED_SKILLS.iter().any(|s| s.code == code)
}

/// Whether `code` is a known language.
pub fn is_language(code: &str) -> bool {
    LANGUAGES.iter().any(|l| l.code == code)
}

/// A code an office may give its own skill or district: lowercase ASCII letters, digits and
/// `_`, 2–40 characters, starting with a letter.
pub fn is_code(raw: &str) -> bool {
    (2..=40).contains(&raw.len())
        && raw.starts_with(|c: char| c.is_ascii_lowercase())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        for list in [&KINDS_OF_HELP[..], &SHARED_SKILLS[..], &LANGUAGES[..]] {
            let mut codes: Vec<_> = list.iter().map(|e| e.code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), list.len());
            assert!(list.iter().all(|e| is_code(e.code) || e.code.len() == 2));
        }
        assert_eq!(kind_index("senior_company"), Some(1));
        assert_eq!(kind_index("nope"), None);
    }
}
