//! Onboarding input for an office, checked once for both the API and the command line.

use lacznik_http::Problem;
use lacznik_http::problem::Validator;
use lacznik_types::{Email, RegionCode, TenantSlug};
use poem_openapi::Object;

use crate::NewTenant;

/// An office to onboard.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct OfficeInput {
    /// Address name: a-z, 0-9 and hyphens, e.g. `kielce` (→ `kielce.<domena>`).
    #[oai(validator(max_length = 63))]
    pub slug: String,
    /// Full name, e.g. "Miejski Ośrodek Pomocy Rodzinie w Kielcach".
    #[oai(validator(max_length = 200))]
    pub name: String,
    /// Short name, e.g. "MOPR Kielce".
    #[oai(validator(max_length = 60))]
    pub short_name: String,
    /// Voivodeship, two-digit TERYT code, e.g. `26` (świętokrzyskie).
    pub region_code: String,
    /// Inhabitants served (statistics are per 10,000 inhabitants).
    pub population: i32,
    #[oai(validator(max_length = 200))]
    pub street_address: String,
    /// `00-000`
    pub postal_code: String,
    #[oai(validator(max_length = 100))]
    pub city: String,
    #[oai(validator(max_length = 40))]
    pub phone: String,
    #[oai(validator(max_length = 254))]
    pub email: String,
    #[oai(validator(max_length = 300))]
    pub website: Option<String>,
    /// E.g. "poniedziałek–piątek 7:30–15:30".
    #[oai(validator(max_length = 300))]
    pub office_hours: String,
    /// Extra host names, e.g. `wolontariat.mopr.kielce.pl`.
    #[oai(default)]
    #[serde(default)]
    pub hosts: Vec<String>,
    /// IANA time zone (default `Europe/Warsaw`).
    #[oai(validator(max_length = 64))]
    pub time_zone: Option<String>,
    /// Default language of emails: `pl-PL` (default) or `en-GB`.
    pub locale: Option<String>,
    /// Sender name of the office's emails (default: the short name).
    #[oai(validator(max_length = 254))]
    pub mail_from_name: Option<String>,
    /// Sender address (default: the office's email).
    #[oai(validator(max_length = 254))]
    pub mail_from_address: Option<String>,
    /// Reply-To address (default: the office's email).
    #[oai(validator(max_length = 254))]
    pub mail_reply_to: Option<String>,
}

impl OfficeInput {
    /// Checks every field and reports all problems at once (422 `validation_failed`).
    pub fn validate(self) -> Result<NewTenant, Problem> {
        let mut v = Validator::new();
        let slug = v.check(TenantSlug::parse(&self.slug));
        let region = RegionCode::parse(&self.region_code)
            .map_err(|e| v.reject("region_code", e.message))
            .ok();
        let email = v.check(Email::parse(&self.email));
        let optional_email = |v: &mut Validator, field: &str, value: Option<String>| {
            let value = value.filter(|s| !s.trim().is_empty())?;
            match Email::parse(&value) {
                Ok(email) => Some(email.into_inner()),
                Err(error) => {
                    v.reject(field, error.message);
                    None
                }
            }
        };
        let mail_from_address = optional_email(&mut v, "mail_from_address", self.mail_from_address);
        let mail_reply_to = optional_email(&mut v, "mail_reply_to", self.mail_reply_to);
        let postal_ok = self.postal_code.len() == 6
            && self
                .postal_code
                .chars()
                .enumerate()
                .all(|(i, c)| if i == 2 { c == '-' } else { c.is_ascii_digit() });
        if !postal_ok {
            v.reject("postal_code", "Kod pocztowy ma postać 00-000.");
        }
        if self.population <= 0 {
            v.reject("population", "Liczba mieszkańców musi być dodatnia.");
        }
        for (field, value) in [
            ("name", &self.name),
            ("short_name", &self.short_name),
            ("street_address", &self.street_address),
            ("city", &self.city),
            ("phone", &self.phone),
            ("office_hours", &self.office_hours),
        ] {
            if value.trim().is_empty() {
                v.reject(field, "Pole nie może być puste.");
            }
        }
        let hosts: Vec<String> = self
            .hosts
            .iter()
            .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
            .collect();
        for host in &hosts {
            let valid = host.contains('.')
                && host.len() <= 253
                && host.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if !valid {
                v.reject("hosts", "To nie jest poprawna nazwa hosta.");
            }
        }
        let time_zone = self
            .time_zone
            .filter(|z| !z.trim().is_empty())
            .unwrap_or_else(|| "Europe/Warsaw".into());
        let iana = time_zone.split('/').count() >= 2
            && time_zone.split('/').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b))
            });
        if !iana {
            v.reject(
                "time_zone",
                "Podaj strefę czasową w postaci IANA, np. Europe/Warsaw.",
            );
        }
        let locale = self.locale.unwrap_or_else(|| "pl-PL".into());
        if !matches!(locale.as_str(), "pl-PL" | "en-GB") {
            v.reject("locale", "Obsługiwane języki to pl-PL i en-GB.");
        }
        v.finish()?;
        match (slug, region, email) {
            (Some(slug), Some(region), Some(email)) => Ok(NewTenant {
                slug,
                name: self.name.trim().to_owned(),
                short_name: self.short_name.trim().to_owned(),
                region,
                population: self.population,
                street_address: self.street_address.trim().to_owned(),
                postal_code: self.postal_code,
                city: self.city.trim().to_owned(),
                phone: self.phone.trim().to_owned(),
                email: email.into_inner(),
                website: self.website.filter(|w| !w.trim().is_empty()),
                office_hours: self.office_hours.trim().to_owned(),
                hosts,
                time_zone,
                locale,
                mail_from_name: self.mail_from_name.filter(|n| !n.trim().is_empty()),
                mail_from_address,
                mail_reply_to,
            }),
            _ => Err(Problem::validation(Vec::new())),
        }
    }
}
