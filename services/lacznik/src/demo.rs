//! Demo data: the first three offices with their published contact details, and volunteers
//! with made-up Polish names (no real person's name, phone or address). Seeding is idempotent:
//! an office that already exists is left as it is.

use chrono::{Datelike, NaiveDate, Utc};
use lacznik_auth::Role;
use lacznik_config::Config;

use crate::accounts::{DEMO_PASSWORD, DemoAccount, DemoUser, ensure_demo_user};
use lacznik_identity::{NewTenant, store};
use lacznik_tenancy::AppDb;
use lacznik_types::catalogue::{KINDS_OF_HELP, SHARED_SKILLS};
use lacznik_types::{RegionCode, TenantId, TenantSlug};
use lacznik_volunteers::domain::{
    NewVolunteer, ProfileChanges, RawVolunteer, Slot, VolunteerStatus, Weekday,
};
use lacznik_volunteers::store::catalogue::{District, replace_districts};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Office {
    slug: &'static str,
    name: &'static str,
    short_name: &'static str,
    region: &'static str,
    population: i32,
    street_address: &'static str,
    postal_code: &'static str,
    city: &'static str,
    phone: &'static str,
    email: &'static str,
    website: &'static str,
    office_hours: &'static str,
    volunteers: usize,
}

const OFFICES: [Office; 3] = [
    Office {
        slug: "kielce",
        name: "Miejski Ośrodek Pomocy Rodzinie w Kielcach",
        short_name: "MOPR Kielce",
        region: "26",
        population: 183_000,
        street_address: "ul. Studzienna 2",
        postal_code: "25-544",
        city: "Kielce",
        phone: "41 331 25 24",
        email: "wolontariat@mopr.kielce.example",
        website: "https://mopr.kielce.pl",
        office_hours: "poniedziałek–piątek 7:30–15:30",
        volunteers: 40,
    },
    Office {
        slug: "plock",
        name: "Miejski Ośrodek Pomocy Społecznej w Płocku",
        short_name: "MOPS Płock",
        region: "14",
        population: 113_000,
        street_address: "ul. Zielona 10",
        postal_code: "09-402",
        city: "Płock",
        phone: "24 364 03 00",
        email: "wolontariat@mops.plock.example",
        website: "https://mops.plock.eu",
        office_hours: "poniedziałek–piątek 7:30–15:30",
        volunteers: 30,
    },
    Office {
        slug: "czechowice-dziedzice",
        name: "Ośrodek Pomocy Społecznej w Czechowicach-Dziedzicach",
        short_name: "OPS Czechowice-Dziedzice",
        region: "24",
        population: 45_000,
        street_address: "ul. Nad Białką 1B",
        postal_code: "43-502",
        city: "Czechowice-Dziedzice",
        phone: "32 214 51 37",
        email: "wolontariat@ops.czechowice-dziedzice.example",
        website: "https://ops.czechowice-dziedzice.pl",
        office_hours: "Centrum Wolontariatu: wtorki 10:00–11:00, czwartki 15:00–17:00",
        volunteers: 20,
    },
];

const FIRST_NAMES_F: [&str; 16] = [
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Krystyna",
    "Zofia",
    "Julia",
    "Zuzanna",
    "Aleksandra",
    "Natalia",
    "Wiktoria",
    "Halina",
    "Jadwiga",
];
const FIRST_NAMES_M: [&str; 16] = [
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Michał",
    "Marcin",
    "Jakub",
    "Kacper",
    "Szymon",
    "Filip",
    "Mateusz",
    "Stanisław",
    "Jerzy",
    "Łukasz",
    "Wojciech",
];
/// Surnames as (masculine, feminine) forms.
const LAST_NAMES: [(&str, &str); 16] = [
    ("Nowak", "Nowak"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"),
    ("Krawczyk", "Krawczyk"),
    ("Piotrowski", "Piotrowska"),
    ("Grabowski", "Grabowska"),
];

/// What was seeded for one office.
pub struct SeededOffice {
    pub slug: String,
    pub short_name: String,
    pub id: TenantId,
    pub volunteers: usize,
    pub created: bool,
    /// Demo volunteers given an account: (email, volunteer id, name).
    pub volunteer_accounts: Vec<(String, uuid::Uuid, String)>,
}

/// Everything seeded.
pub struct Seeded {
    pub offices: Vec<SeededOffice>,
    /// Who can sign in, all with [`DEMO_PASSWORD`].
    pub accounts: Vec<DemoAccount>,
}

/// The voivodeships of the demo offices, for their regional admins.
const DEMO_REGIONS: [(&str, &str); 3] = [
    ("26", "świętokrzyskie"),
    ("14", "mazowieckie"),
    ("24", "śląskie"),
];

/// Creates the demo offices, their volunteers and the demo accounts where missing.
pub async fn seed(config: &Config) -> anyhow::Result<Seeded> {
    let url = config.database.app_url(&config.data_dir.0)?;
    let db = AppDb::connect(&url, &config.database).await?;
    let offices = seed_offices(&db).await?;
    let hash = lacznik_auth::password::hash(&secrecy::SecretString::from(DEMO_PASSWORD))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut accounts = Vec::new();
    let mut add = async |user: DemoUser<'_>, who: String, office: Option<&str>| {
        let email = user.email.to_owned();
        ensure_demo_user(&db, &hash, user).await?;
        accounts.push(DemoAccount {
            who,
            email,
            office: office.map(str::to_owned),
        });
        anyhow::Ok(())
    };
    add(
        DemoUser {
            email: "admin@lacznik.example",
            name: "Administrator Platformy",
            platform_role: Some(Role::PlatformAdmin),
            region: None,
            office: None,
        },
        "administrator platformy".into(),
        None,
    )
    .await?;
    for (code, name) in DEMO_REGIONS {
        add(
            DemoUser {
                email: &format!("region.{code}@lacznik.example"),
                name: &format!("Administrator regionalny ({name})"),
                platform_role: Some(Role::RegionalAdmin),
                region: Some(code),
                office: None,
            },
            format!("administrator regionalny, woj. {name}"),
            None,
        )
        .await?;
    }
    for office in &offices {
        add(
            DemoUser {
                email: &format!("koordynator@{}.example", office.slug),
                name: &format!("Koordynator {}", office.short_name),
                platform_role: None,
                region: None,
                office: Some((office.id, Role::Coordinator, None)),
            },
            format!("koordynator, {}", office.short_name),
            Some(&office.slug),
        )
        .await?;
        for (email, volunteer, name) in &office.volunteer_accounts {
            add(
                DemoUser {
                    email,
                    name,
                    platform_role: None,
                    region: None,
                    office: Some((office.id, Role::Volunteer, Some(*volunteer))),
                },
                format!("wolontariusz, {}", office.short_name),
                Some(&office.slug),
            )
            .await?;
        }
    }
    Ok(Seeded { offices, accounts })
}

/// Demo volunteers that also get an account, per office.
const VOLUNTEER_ACCOUNTS: usize = 2;

async fn seed_offices(db: &AppDb) -> anyhow::Result<Vec<SeededOffice>> {
    let platform = db.platform_db();
    let tenants = db.tenant_db();
    let mut rng = StdRng::seed_from_u64(2026);
    let mut seeded = Vec::new();
    for office in &OFFICES {
        if let Some(existing) = store::find_by_slug(&platform, office.slug).await? {
            seeded.push(SeededOffice {
                slug: existing.slug,
                short_name: existing.short_name,
                id: TenantId::from_uuid(existing.id),
                volunteers: 0,
                created: false,
                volunteer_accounts: Vec::new(),
            });
            continue;
        }
        let record = store::create_tenant(
            &platform,
            NewTenant {
                slug: TenantSlug::parse(office.slug)?,
                name: office.name.into(),
                short_name: office.short_name.into(),
                region: RegionCode::parse(office.region)?,
                population: office.population,
                street_address: office.street_address.into(),
                postal_code: office.postal_code.into(),
                city: office.city.into(),
                phone: office.phone.into(),
                email: office.email.into(),
                website: Some(office.website.into()),
                office_hours: office.office_hours.into(),
                hosts: Vec::new(),
                time_zone: "Europe/Warsaw".into(),
                locale: "pl-PL".into(),
                mail_from_name: None,
                mail_from_address: None,
                mail_reply_to: None,
            },
        )
        .await?;
        let tenant = TenantId::from_uuid(record.id);
        let txn = tenants.begin(tenant).await?;
        let today = Utc::now().date_naive();
        let mut volunteer_accounts = Vec::new();
        let districts = demo_districts(office.slug);
        replace_districts(&txn, &districts).await?;
        let codes: Vec<String> = districts.iter().map(|d| d.code.clone()).collect();
        crate::demo_needs::seed_office(&txn, office.slug, &codes).await?;
        for n in 0..office.volunteers {
            let volunteer = demo_volunteer(&mut rng, office, n, today)?;
            let profile = demo_profile(&mut rng, &districts);
            let email = volunteer.email.as_str().to_owned();
            // Most are active; a few have just applied, a few take a break.
            let status = match n % 10 {
                7 => VolunteerStatus::Applicant,
                9 => VolunteerStatus::Paused,
                _ => VolunteerStatus::Active,
            };
            let model =
                lacznik_volunteers::store::insert(&txn, volunteer, &profile, status, None).await?;
            // Active adults only: a minor's account waits for a guardian's consent.
            if volunteer_accounts.len() < VOLUNTEER_ACCOUNTS
                && status == VolunteerStatus::Active
                && today.years_since(model.birth_date).unwrap_or(0) >= 18
            {
                let name = format!("{} {}", model.first_name, model.last_name);
                volunteer_accounts.push((email, model.id, name));
            }
        }
        txn.commit().await?;
        seeded.push(SeededOffice {
            slug: record.slug,
            short_name: record.short_name,
            id: tenant,
            volunteers: office.volunteers,
            created: true,
            volunteer_accounts,
        });
    }
    Ok(seeded)
}

fn demo_volunteer(
    rng: &mut StdRng,
    office: &Office,
    n: usize,
    today: NaiveDate,
) -> anyhow::Result<NewVolunteer> {
    let female = rng.random_bool(0.6);
    let first = if female {
        FIRST_NAMES_F[rng.random_range(0..FIRST_NAMES_F.len())]
    } else {
        FIRST_NAMES_M[rng.random_range(0..FIRST_NAMES_M.len())]
    };
    let (m, f) = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
    let last = if female { f } else { m };
    // Volunteers of these offices are 15–66: pupils, students, workers, pensioners.
    let age = match rng.random_range(0..10) {
        0..=2 => rng.random_range(15..20),
        3..=5 => rng.random_range(20..35),
        6..=7 => rng.random_range(35..60),
        _ => rng.random_range(60..67),
    };
    let birth = NaiveDate::from_ymd_opt(
        today.year() - age - 1,
        rng.random_range(1..=12),
        rng.random_range(1..=28),
    )
    .ok_or_else(|| anyhow::anyhow!("bad demo date"))?;
    let email = format!("{}.{}.{n}@example.pl", ascii(first), ascii(last));
    let phone = format!("500 {:03} {:03}", rng.random_range(0..1000), n % 1000);
    NewVolunteer::parse(
        RawVolunteer {
            first_name: Some(first),
            last_name: Some(last),
            email: Some(&email),
            phone: Some((!n.is_multiple_of(4)).then_some(phone.as_str())),
            birth_date: Some(birth),
        },
        today,
    )
    .map_err(|p| anyhow::anyhow!("demo volunteer for {}: {p}", office.slug))
}

/// Districts of each town, as a chain of neighbours along the main roads (near enough for a
/// demo's distances).
fn demo_districts(slug: &str) -> Vec<District> {
    let names: &[(&str, &str)] = match slug {
        "kielce" => &[
            ("slichowice", "Ślichowice"),
            ("czarnow", "Czarnów"),
            ("centrum", "Centrum"),
            ("bocianek", "Bocianek"),
            ("ksm", "KSM"),
            ("swietokrzyskie", "Świętokrzyskie"),
            ("herby", "Herby"),
            ("barwinek", "Barwinek"),
            ("baranowek", "Baranówek"),
            ("uroczysko", "Uroczysko"),
        ],
        "plock" => &[
            ("radziwie", "Radziwie"),
            ("stare_miasto", "Stare Miasto"),
            ("kochanowskiego", "Kochanowskiego"),
            ("skarpa", "Skarpa"),
            ("wyszogrodzka", "Wyszogrodzka"),
            ("podolszyce_polnoc", "Podolszyce Północ"),
            ("podolszyce_poludnie", "Podolszyce Południe"),
            ("borowiczki", "Borowiczki"),
        ],
        _ => &[
            ("zabrzeg", "Zabrzeg"),
            ("czechowice_poludnie", "Czechowice Południe"),
            ("czechowice_polnoc", "Czechowice Północ"),
            ("dziedzice", "Dziedzice"),
            ("ligota", "Ligota"),
            ("bronow", "Bronów"),
        ],
    };
    names
        .iter()
        .enumerate()
        .map(|(i, (code, name))| District {
            code: (*code).to_owned(),
            name: (*name).to_owned(),
            neighbours: [i.checked_sub(1), Some(i + 1)]
                .into_iter()
                .flatten()
                .filter_map(|j| names.get(j).map(|(c, _)| (*c).to_owned()))
                .collect(),
        })
        .collect()
}

/// A plausible profile: two or three kinds of help, a skill or two, a district or two and one
/// or two weekly windows.
fn demo_profile(rng: &mut StdRng, districts: &[District]) -> ProfileChanges {
    let pick = |rng: &mut StdRng, codes: &[&str], n: usize| {
        let mut chosen: Vec<String> = Vec::new();
        while chosen.len() < n.min(codes.len()) {
            let code = codes[rng.random_range(0..codes.len())].to_owned();
            if !chosen.contains(&code) {
                chosen.push(code);
            }
        }
        chosen
    };
    let kinds: Vec<&str> = KINDS_OF_HELP.iter().map(|k| k.code).collect();
    let skills: Vec<&str> = SHARED_SKILLS.iter().map(|k| k.code).collect();
    let district_codes: Vec<&str> = districts.iter().map(|d| d.code.as_str()).collect();
    let mut languages = vec!["pl".to_owned()];
    if rng.random_bool(0.3) {
        languages.push(["en", "uk", "de"][rng.random_range(0..3)].to_owned());
    }
    let days = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let mut availability = vec![Slot {
        weekday: days[rng.random_range(0..days.len())],
        start: "16:00".into(),
        end: "19:00".into(),
    }];
    if rng.random_bool(0.5) {
        availability.push(Slot {
            weekday: Weekday::Sat,
            start: "09:00".into(),
            end: "13:00".into(),
        });
    }
    let (n_kinds, n_skills, n_districts) = (
        rng.random_range(2..=3),
        rng.random_range(1..=2),
        rng.random_range(1..=2),
    );
    ProfileChanges {
        kinds: Some(pick(rng, &kinds, n_kinds)),
        skills: Some(pick(rng, &skills, n_skills)),
        languages: Some(languages),
        districts: Some(pick(rng, &district_codes, n_districts)),
        availability: Some(availability),
        max_hours_per_week: Some(Some(rng.random_range(2..=10))),
    }
}

/// Polish letters folded to ASCII, lower case, for demo email addresses.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ą' => 'a',
            'ć' => 'c',
            'ę' => 'e',
            'ł' | 'Ł' => 'l',
            'ń' => 'n',
            'ó' => 'o',
            'ś' | 'Ś' => 's',
            'ź' | 'ż' | 'Ż' | 'Ź' => 'z',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}
