//! Demo needs for each office: partner institutions like the ones the offices name (a primary
//! school, a parish, Caritas), a few made-up people the centre helps, and open needs of the kinds
//! the offices publish — shopping for a senior, a long-term pairing of visits, tutoring for a
//! pupil, computer lessons. No real person's name, phone or address.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use lacznik_needs::domain::{NeedStatus, Weekday, WeeklySlot};
use lacznik_needs::store::entity::{need, partner};
use lacznik_needs::store::{beneficiaries, needs, partners, to_json};
use lacznik_tenancy::TenantTxn;
use lacznik_types::local_time::from_warsaw;
use sea_orm::ActiveValue::{NotSet, Set};

/// Who "created" the demo rows: nobody in particular (the seed).
const SEED: uuid::Uuid = uuid::Uuid::nil();

struct Person {
    first_name: &'static str,
    last_name: &'static str,
    street: &'static str,
    note: &'static str,
}

fn partners_of(slug: &str) -> [(&'static str, &'static str); 3] {
    match slug {
        "kielce" => [
            ("Szkoła Podstawowa nr 5 w Kielcach", "school"),
            ("Parafia pw. św. Józefa Robotnika", "parish"),
            ("Caritas Diecezji Kieleckiej", "caritas"),
        ],
        "plock" => [
            ("Szkoła Podstawowa nr 12 w Płocku", "school"),
            ("Parafia pw. św. Bartłomieja", "parish"),
            ("Caritas Diecezji Płockiej", "caritas"),
        ],
        _ => [
            (
                "Szkoła Podstawowa nr 2 w Czechowicach-Dziedzicach",
                "school",
            ),
            ("Parafia pw. św. Katarzyny", "parish"),
            ("Środowiskowy Dom Samopomocy", "day_care"),
        ],
    }
}

const PEOPLE: [Person; 4] = [
    Person {
        first_name: "Janina",
        last_name: "Przykładowa",
        street: "ul. Lipowa 7/12",
        note: "3. piętro bez windy; dzwonić dłużej, słabo słyszy",
    },
    Person {
        first_name: "Tadeusz",
        last_name: "Testowy",
        street: "ul. Ogrodowa 3/1",
        note: "Mieszka sam, chętnie rozmawia o historii miasta",
    },
    Person {
        first_name: "Halina",
        last_name: "Demonstracyjna",
        street: "ul. Słoneczna 15",
        note: "W mieszkaniu mały pies, przyjazny",
    },
    Person {
        first_name: "Mateusz",
        last_name: "Przykładowy",
        street: "ul. Szkolna 2/5",
        note: "Uczeń klasy 6, matematyka; spotkania w świetlicy szkoły",
    },
];

fn next(weekday: chrono::Weekday, after: NaiveDate) -> NaiveDate {
    let mut day = after + Duration::days(1);
    while day.weekday() != weekday {
        day += Duration::days(1);
    }
    day
}

/// Seeds the office's partners, beneficiaries and open needs (in the office's transaction).
pub async fn seed_office(
    txn: &TenantTxn,
    slug: &str,
    districts: &[String],
) -> anyhow::Result<usize> {
    let mut partner_ids = Vec::new();
    for (name, kind) in partners_of(slug) {
        let created = partners::insert(
            txn,
            partner::ActiveModel {
                tenant_id: NotSet,
                id: NotSet,
                name: Set(name.to_owned()),
                kind: Set(kind.to_owned()),
                contact_name: Set(None),
                phone: Set(None),
                email: Set(None),
                street_address: Set(None),
                district: Set(districts.first().cloned()),
                created_at: NotSet,
            },
        )
        .await?;
        partner_ids.push(created.id);
    }
    let district = |i: usize| districts.get(i % districts.len().max(1)).cloned();
    let mut people = Vec::new();
    for (i, p) in PEOPLE.iter().enumerate() {
        let created = beneficiaries::insert(
            txn,
            beneficiaries::NewBeneficiary {
                first_name: p.first_name.to_owned(),
                last_name: p.last_name.to_owned(),
                phone: None,
                street_address: Some(p.street.to_owned()),
                district: district(i * 2 + 1),
                note: Some(p.note.to_owned()),
                partner_id: (i == 3).then(|| partner_ids[0]),
                created_by: SEED,
            },
        )
        .await?;
        people.push(created);
    }
    let today = lacznik_types::local_time::warsaw(Utc::now()).date();
    // Demo volunteers are free on weekday afternoons and, many of them, Saturday mornings.
    let saturday = next(chrono::Weekday::Sat, today);
    let at = |day: NaiveDate, h: u32| from_warsaw(day.and_hms_opt(h, 0, 0).unwrap_or_default());
    let slot = |weekday, start: &str, end: &str| WeeklySlot {
        weekday,
        start: start.to_owned(),
        end: end.to_owned(),
    };
    let demo: [(usize, &str, &str, &str, bool); 4] = [
        (
            0,
            "shopping_household",
            "Zakupy dla pani Janiny",
            "Cotygodniowe zakupy spożywcze z listy; apteka po drodze.",
            false,
        ),
        (
            1,
            "senior_company",
            "Stała para: wizyty u pana Tadeusza",
            "Rozmowa, spacer, pomoc w drobnych sprawach — raz w tygodniu przez trzy miesiące.",
            true,
        ),
        (
            3,
            "tutoring",
            "Korepetycje z matematyki — uczeń kl. 6",
            "Pomoc w odrabianiu lekcji i przygotowaniu do sprawdzianów.",
            true,
        ),
        (
            2,
            "computer_lessons",
            "Nauka obsługi smartfona",
            "Pani Halina chce nauczyć się wideorozmów z wnukami.",
            false,
        ),
    ];
    let mut seeded = 0;
    for (who, kind, title, description, weekly) in demo {
        let person = &people[who];
        let tutoring = kind == "tutoring";
        let (starts_at, ends_at, slots, from, until) = if weekly {
            let weekday = if tutoring { Weekday::Wed } else { Weekday::Tue };
            (
                None,
                None,
                Some(to_json(&[slot(weekday, "16:00", "17:30")])),
                Some(today),
                Some(today + Duration::days(90)),
            )
        } else {
            (
                Some(at(saturday, 10)),
                Some(at(saturday, 12)),
                None,
                None,
                None,
            )
        };
        let created = needs::insert(
            txn,
            need::ActiveModel {
                tenant_id: NotSet,
                id: NotSet,
                kind: Set(kind.to_owned()),
                title: Set(title.to_owned()),
                description: Set(description.to_owned()),
                beneficiary_id: Set(Some(person.id)),
                partner_id: Set(tutoring.then(|| partner_ids[0])),
                district: Set(person.district.clone()),
                street_address: Set(None),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                weekly: Set(slots),
                period_from: Set(from),
                period_until: Set(until),
                wanted: Set(1),
                skills: Set("[]".to_owned()),
                languages: Set("[]".to_owned()),
                adults_only: Set(false),
                child_check_required: Set(tutoring),
                urgency: Set(if who == 0 { "high" } else { "normal" }.to_owned()),
                safety_info: Set(
                    (who == 2).then(|| "W mieszkaniu jest pies (przyjazny).".to_owned())
                ),
                auto_offer: Set(false),
                status: Set(NeedStatus::Draft.as_str().to_owned()),
                created_by: Set(SEED),
                created_at: NotSet,
                updated_at: NotSet,
            },
        )
        .await?;
        needs::set_status(txn, created, NeedStatus::Open, None, None).await?;
        seeded += 1;
    }
    Ok(seeded)
}
