//! The public sign-up of an office (no account needed) and the legal guardian's consent for a
//! minor. Sign-up: the form is checked and kept as an application, and a link goes to the
//! address given; opening it makes the person an applicant, records their consent, and — for
//! someone aged 13–17 — sends the guardian a link to confirm. Only hashes of link secrets are
//! kept; the secret travels in the link's fragment.

use chrono::{NaiveDate, Utc};
use lacznik_auth::secret::{hash_secret, new_secret};
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_queue::email::{self, EmailRequested, page_link};
use lacznik_tenancy::{TenantDb, TenantTxn};
use lacznik_types::{Email, PersonName, VolunteerId};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::volunteers::{
    ProfileInput, open_own, parse_id, require_volunteer, store_problem, today, with_profile,
};
use crate::domain::{MIN_AGE, NewVolunteer, ProfileChanges, RawVolunteer, VolunteerStatus};
use crate::settings::VolunteerSettings;
use crate::store::{self, applications, consents};

#[derive(Tags)]
enum Tag {
    /// Zgłoszenia i zgody (sign-up and consents)
    SignUp,
}

/// A legal guardian (parent) of a volunteer aged 13–17.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct GuardianInput {
    #[oai(validator(max_length = 200))]
    pub name: String,
    #[oai(validator(max_length = 254))]
    pub email: String,
}

/// The public sign-up form.
#[derive(Debug, Object)]
pub struct SignUpInput {
    #[oai(validator(max_length = 100))]
    pub first_name: String,
    #[oai(validator(max_length = 100))]
    pub last_name: String,
    #[oai(validator(max_length = 254))]
    pub email: String,
    #[oai(validator(max_length = 30))]
    pub phone: Option<String>,
    pub birth_date: NaiveDate,
    #[oai(flatten)]
    pub profile: ProfileInput,
    /// A few words on why and what the person would like to do.
    #[oai(validator(max_length = 2000))]
    pub motivation: Option<String>,
    /// Consent to the office processing these data to run its volunteer centre (required).
    pub data_processing_consent: bool,
    /// Required for a volunteer aged 13–17.
    pub guardian: Option<GuardianInput>,
}

/// What the person sees after sending the form.
#[derive(Debug, Object, Deserialize)]
#[oai(rename = "SignUpAccepted")]
pub struct Accepted {
    pub message: String,
}

/// The secret from an emailed link.
#[derive(Debug, Object)]
pub struct LinkSecret {
    #[oai(validator(max_length = 200))]
    pub token: String,
}

/// A confirmed sign-up.
#[derive(Debug, Object, Deserialize)]
pub struct Confirmed {
    pub volunteer_id: uuid::Uuid,
    pub status: VolunteerStatus,
    /// A guardian's consent was asked for and is still awaited.
    pub guardian_consent_pending: bool,
    pub message: String,
}

/// A recorded consent.
#[derive(Debug, Object, Deserialize)]
pub struct ConsentView {
    /// `data_processing` or `guardian`.
    pub kind: String,
    /// Version of the wording agreed to.
    pub wording: String,
    pub given_by: String,
    pub given_at: chrono::DateTime<Utc>,
    /// The address it was given from.
    pub client_ip: Option<String>,
    pub withdrawn_at: Option<chrono::DateTime<Utc>>,
}

#[derive(ApiResponse)]
enum SignedUp {
    /// The form was accepted; a confirmation link went to the address given.
    #[oai(status = 202)]
    Accepted(Json<Accepted>),
}

#[derive(ApiResponse)]
enum BecameApplicant {
    /// The person is now an applicant of the office.
    #[oai(status = 201)]
    Created(Json<Confirmed>),
}

/// What an application keeps until it is confirmed.
#[derive(Debug, Serialize, Deserialize)]
struct Details {
    first_name: String,
    last_name: String,
    phone: Option<String>,
    birth_date: NaiveDate,
    profile: ProfileChanges,
    motivation: Option<String>,
    guardian: Option<GuardianInput>,
    user_agent: Option<String>,
}

/// Sign-ups (and confirmation emails) one address gets per hour.
const SIGN_UPS_PER_ADDRESS_HOUR: u64 = 3;

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Writes an email request to the office's outbox, in the caller's transaction.
pub(crate) async fn request_email(
    txn: &TenantTxn,
    template: &'static str,
    to: (&str, &str),
    link: String,
    expires_at: chrono::DateTime<Utc>,
    data: serde_json::Value,
) -> Result<(), Problem> {
    email::request(
        txn,
        EmailRequested {
            link,
            expires_at: Some(expires_at),
            data,
            ..EmailRequested::new(template, to.0, to.1)
        },
    )
    .await?;
    Ok(())
}

/// Asks a guardian to confirm a minor's volunteering, by email.
async fn ask_guardian(
    txn: &TenantTxn,
    settings: &VolunteerSettings,
    office: &TenantContext,
    volunteer: VolunteerId,
    volunteer_name: &str,
    guardian: &GuardianInput,
) -> Result<(), Problem> {
    let secret = new_secret();
    let expires_at = Utc::now() + settings.guardian_ttl;
    consents::request_guardian(
        txn,
        volunteer,
        guardian.name.trim(),
        &guardian.email,
        hash_secret(&secret),
        expires_at,
    )
    .await
    .map_err(store_problem)?;
    request_email(
        txn,
        "guardian_consent",
        (&guardian.email, guardian.name.trim()),
        page_link(
            &settings.public_url,
            Some(&office.slug),
            "wolontariat/zgoda-opiekuna",
            &secret,
        ),
        expires_at,
        serde_json::json!({ "volunteer_name": volunteer_name }),
    )
    .await
}

fn parse_guardian(v: &mut Validator, guardian: Option<&GuardianInput>, volunteer_email: &str) {
    let Some(g) = guardian else {
        v.reject(
            "guardian",
            "Osoba niepełnoletnia potrzebuje zgody rodzica lub opiekuna prawnego: podaj jego imię, \
             nazwisko i adres e-mail.",
        );
        return;
    };
    v.check(PersonName::parse("guardian.name", &g.name));
    match Email::parse(&g.email) {
        Ok(e) if e.as_str().eq_ignore_ascii_case(volunteer_email.trim()) => v.reject(
            "guardian.email",
            "Adres opiekuna musi być inny niż adres wolontariusza.",
        ),
        Ok(_) => {}
        Err(_) => v.reject("guardian.email", "Niepoprawny adres e-mail."),
    }
}

pub struct SignUpApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::SignUp")]
impl SignUpApi {
    /// The office's public sign-up form (no account). Answers 202 and emails a confirmation
    /// link; the same answer whether or not the address is already registered.
    #[oai(path = "/applications", method = "post", operation_id = "sign_up")]
    async fn sign_up(
        &self,
        req: &Request,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        settings: Data<&VolunteerSettings>,
        body: Json<SignUpInput>,
    ) -> Result<SignedUp, Problem> {
        let input = body.0;
        let today = today();
        let personal = NewVolunteer::parse(
            RawVolunteer {
                first_name: Some(&input.first_name),
                last_name: Some(&input.last_name),
                email: Some(&input.email),
                phone: Some(input.phone.as_deref()),
                birth_date: Some(input.birth_date),
            },
            today,
        );
        let mut v = Validator::new();
        if !input.data_processing_consent {
            v.reject(
                "data_processing_consent",
                "Bez zgody na przetwarzanie danych ośrodek nie może przyjąć zgłoszenia.",
            );
        }
        let age = today.years_since(input.birth_date).unwrap_or(0);
        if (MIN_AGE..18).contains(&age) {
            parse_guardian(&mut v, input.guardian.as_ref(), &input.email);
        }
        let personal = v.finish_with(personal);
        let txn = db.begin(tenant.id).await?;
        let (new, profile) = with_profile(&txn, personal, input.profile).await?;
        let message = Accepted {
            message: format!(
                "Dziękujemy! Na adres {} wysłaliśmy link potwierdzający zgłoszenie. Otwórz go w \
                 ciągu {} godzin.",
                new.email.masked(),
                settings.signup_ttl.num_hours()
            ),
        };
        // The same answer either way, so the form tells nobody whether an address signed up.
        let recent = applications::recent(
            &txn,
            new.email.as_str(),
            Utc::now() - chrono::Duration::hours(1),
        )
        .await
        .map_err(store_problem)?;
        if recent >= SIGN_UPS_PER_ADDRESS_HOUR {
            tracing::info!(email = %new.email.masked(), "sign-up email withheld: too many this hour");
            return Ok(SignedUp::Accepted(Json(message)));
        }
        let secret = new_secret();
        let expires_at = Utc::now() + settings.signup_ttl;
        let details = Details {
            first_name: new.first_name.as_str().to_owned(),
            last_name: new.last_name.as_str().to_owned(),
            phone: new.phone.as_ref().map(|p| p.as_str().to_owned()),
            birth_date: new.birth_date.date(),
            profile,
            motivation: input
                .motivation
                .map(|m| m.trim().to_owned())
                .filter(|m| !m.is_empty()),
            guardian: input.guardian.filter(|_| age < 18),
            user_agent: header(req, "user-agent").map(|u| u.chars().take(300).collect()),
        };
        applications::insert(
            &txn,
            new.email.as_str(),
            serde_json::to_string(&details).map_err(|e| Problem::internal(&e))?,
            hash_secret(&secret),
            expires_at,
            header(req, "x-real-ip"),
        )
        .await
        .map_err(store_problem)?;
        request_email(
            &txn,
            "signup_confirmation",
            (new.email.as_str(), new.first_name.as_str()),
            page_link(
                &settings.public_url,
                Some(&tenant.slug),
                "wolontariat/potwierdz",
                &secret,
            ),
            expires_at,
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(SignedUp::Accepted(Json(message)))
    }

    /// Confirms a sign-up from the emailed link: the person becomes an applicant, their consent
    /// is recorded, and a minor's guardian is asked to confirm.
    #[oai(
        path = "/applications/confirmation",
        method = "post",
        operation_id = "confirm_sign_up"
    )]
    async fn confirm(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        settings: Data<&VolunteerSettings>,
        body: Json<LinkSecret>,
    ) -> Result<BecameApplicant, Problem> {
        let now = Utc::now();
        let txn = db.begin(tenant.id).await?;
        let application = applications::by_token(&txn, &hash_secret(&body.token))
            .await
            .map_err(store_problem)?
            .ok_or_else(Problem::link_invalid)?;
        if application.confirmed_at.is_some() {
            return Err(Problem::link_used());
        }
        if application.expires_at < now {
            return Err(Problem::link_expired());
        }
        let details: Details =
            serde_json::from_str(&application.details).map_err(|e| Problem::internal(&e))?;
        let new = NewVolunteer::parse(
            RawVolunteer {
                first_name: Some(&details.first_name),
                last_name: Some(&details.last_name),
                email: Some(&application.email),
                phone: Some(details.phone.as_deref()),
                birth_date: Some(details.birth_date),
            },
            today(),
        )?;
        let name = format!("{} {}", details.first_name, details.last_name);
        let profile = details.profile;
        let volunteer = store::insert(&txn, new, &profile, VolunteerStatus::Applicant, None)
            .await
            .map_err(store_problem)?;
        let id = VolunteerId::from_uuid(volunteer.id);
        if let Some(motivation) = &details.motivation {
            store::update(
                &txn,
                id,
                crate::domain::VolunteerChanges::default(),
                &ProfileChanges::default(),
                Some(Some(format!("Ze zgłoszenia: {motivation}"))),
            )
            .await
            .map_err(store_problem)?;
        }
        consents::record(
            &txn,
            id,
            consents::Given {
                kind: consents::DATA_PROCESSING,
                by: &name,
                by_email: Some(&application.email),
                client_ip: application.client_ip.as_deref(),
                user_agent: details.user_agent.as_deref(),
            },
            application.created_at,
        )
        .await
        .map_err(store_problem)?;
        applications::confirm(&txn, application.id, volunteer.id, now)
            .await
            .map_err(store_problem)?;
        let guardian_pending = details.guardian.is_some();
        if let Some(guardian) = &details.guardian {
            ask_guardian(&txn, &settings, &tenant, id, &name, guardian).await?;
        }
        txn.commit().await?;
        Ok(BecameApplicant::Created(Json(Confirmed {
            volunteer_id: volunteer.id,
            status: VolunteerStatus::Applicant,
            guardian_consent_pending: guardian_pending,
            message: if guardian_pending {
                "Zgłoszenie potwierdzone. Poprosiliśmy rodzica lub opiekuna o zgodę; koordynator \
                 skontaktuje się, by umówić rozmowę."
                    .into()
            } else {
                "Zgłoszenie potwierdzone. Koordynator skontaktuje się, by umówić rozmowę.".into()
            },
        })))
    }

    /// A legal guardian confirms consent from the emailed link; who, when and from where is
    /// recorded.
    #[oai(
        path = "/guardian-consents",
        method = "post",
        operation_id = "confirm_guardian_consent"
    )]
    async fn guardian_consent(
        &self,
        req: &Request,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        body: Json<LinkSecret>,
    ) -> Result<Json<Accepted>, Problem> {
        let now = Utc::now();
        let txn = db.begin(tenant.id).await?;
        let request = consents::guardian_request(&txn, &hash_secret(&body.token))
            .await
            .map_err(store_problem)?
            .ok_or_else(Problem::link_invalid)?;
        if request.confirmed_at.is_some() {
            return Err(Problem::link_used());
        }
        if request.expires_at < now {
            return Err(Problem::link_expired());
        }
        let id = VolunteerId::from_uuid(request.volunteer_id);
        let volunteer = require_volunteer(&txn, id).await?;
        consents::record(
            &txn,
            id,
            consents::Given {
                kind: consents::GUARDIAN,
                by: &request.guardian_name,
                by_email: Some(&request.guardian_email),
                client_ip: header(req, "x-real-ip"),
                user_agent: header(req, "user-agent"),
            },
            now,
        )
        .await
        .map_err(store_problem)?;
        consents::confirm_request(&txn, request.id, now)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(Accepted {
            message: format!(
                "Dziękujemy. Zapisaliśmy zgodę na wolontariat dla: {} {}.",
                volunteer.first_name, volunteer.last_name
            ),
        }))
    }

    /// Coordinators: asks the guardian of a minor registered at the office to confirm consent.
    #[oai(
        path = "/:id/guardian-consent-requests",
        method = "post",
        operation_id = "request_guardian_consent"
    )]
    async fn request_guardian(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        settings: Data<&VolunteerSettings>,
        auth: Bearer,
        id: Path<String>,
        body: Json<GuardianInput>,
    ) -> Result<Json<Accepted>, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let txn = db.begin(tenant.id).await?;
        let volunteer = require_volunteer(&txn, id).await?;
        let mut v = Validator::new();
        if today().years_since(volunteer.birth_date).unwrap_or(0) >= 18 {
            v.reject(
                "guardian",
                "Wolontariusz jest pełnoletni; zgoda opiekuna nie jest potrzebna.",
            );
        }
        parse_guardian(&mut v, Some(&body.0), &volunteer.email);
        v.finish()?;
        let name = format!("{} {}", volunteer.first_name, volunteer.last_name);
        ask_guardian(&txn, &settings, &tenant, id, &name, &body.0).await?;
        txn.commit().await?;
        Ok(Json(Accepted {
            message: format!("Wysłaliśmy prośbę o zgodę na adres {}.", body.email.trim()),
        }))
    }

    /// The consents on record for a volunteer (coordinators, or the volunteer).
    #[oai(path = "/:id/consents", method = "get", operation_id = "list_consents")]
    async fn consents(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<ConsentView>>, Problem> {
        let (txn, id, _) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        let list = consents::list(&txn, id).await.map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(
            list.into_iter()
                .map(|c| ConsentView {
                    kind: c.kind,
                    wording: c.wording,
                    given_by: c.given_by,
                    given_at: c.given_at,
                    client_ip: c.client_ip,
                    withdrawn_at: c.withdrawn_at,
                })
                .collect(),
        ))
    }
}
