//! The volunteers service, as the needs service sees it: matching, contact details for offers,
//! and bookings (one-off, or every visit of a pairing at once). Calls go to its internal API
//! with the office in the tenant headers; a refusal comes back as the same 409 problem, and an
//! unreachable service as 503 with nothing written here.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_http::{Problem, TENANT_ID_HEADER, TENANT_SLUG_HEADER, TenantContext};
use poem::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The rules of a booking the volunteers service may refuse, by their stable codes.
const REFUSALS: [&str; 10] = [
    "volunteer_not_active",
    "adults_only",
    "guardian_consent_missing",
    "child_check_missing",
    "volunteer_absent",
    "double_booked",
    "agreement_required",
    "assignment_exists",
    "assignment_not_booked",
    "validation_failed",
];

/// The most ids the volunteers service takes in one `/contacts` call.
const CONTACTS_PER_CALL: usize = 200;

/// How to reach a volunteer.
#[derive(Clone, Debug, Deserialize)]
pub struct Contact {
    pub id: uuid::Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub birth_date: NaiveDate,
    pub status: String,
    /// For a minor: the parent or guardian whose consent the volunteers service holds.
    #[serde(default)]
    pub guardian_name: Option<String>,
}

/// One booking: the time a volunteer is given to a need.
#[derive(Clone, Debug, Serialize)]
pub struct Booking {
    pub id: uuid::Uuid,
    pub need_id: uuid::Uuid,
    pub beneficiary_id: Option<uuid::Uuid>,
    pub title: String,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub child_related: bool,
    pub adults_only: bool,
}

/// The client of the volunteers service's internal API.
pub struct VolunteersClient {
    client: reqwest::Client,
    base: String,
}

impl VolunteersClient {
    pub fn new(base_url: &str) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Ranked candidates for `criteria` (the volunteers service's matching input).
    pub async fn matching(
        &self,
        office: &TenantContext,
        criteria: &serde_json::Value,
    ) -> Result<serde_json::Value, Problem> {
        self.post(office, "/matching", criteria).await
    }

    /// Contact details of `ids` in the office (unknown ids are left out), asked for in
    /// batches the volunteers service accepts.
    pub async fn contacts(
        &self,
        office: &TenantContext,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<Contact>, Problem> {
        let mut found = Vec::with_capacity(ids.len());
        for batch in ids.chunks(CONTACTS_PER_CALL) {
            let part: Vec<Contact> = self
                .post(office, "/contacts", &serde_json::json!({ "ids": batch }))
                .await?;
            found.extend(part);
        }
        Ok(found)
    }

    /// Books every occurrence for the volunteer, or none (409 naming the rule).
    pub async fn book(
        &self,
        office: &TenantContext,
        volunteer: uuid::Uuid,
        by: Option<uuid::Uuid>,
        occurrences: &[Booking],
    ) -> Result<(), Problem> {
        let _: serde_json::Value = self
            .post(
                office,
                &format!("/{volunteer}/assignments"),
                &serde_json::json!({ "by": by, "occurrences": occurrences }),
            )
            .await?;
        Ok(())
    }

    /// Frees a booked time.
    pub async fn cancel(
        &self,
        office: &TenantContext,
        volunteer: uuid::Uuid,
        booking: uuid::Uuid,
    ) -> Result<(), Problem> {
        let _: serde_json::Value = self
            .post(
                office,
                &format!("/{volunteer}/assignments/{booking}/cancellation"),
                &serde_json::json!({}),
            )
            .await?;
        Ok(())
    }

    /// Marks a booking done and logs its hours (approved when a coordinator confirmed them).
    pub async fn complete(
        &self,
        office: &TenantContext,
        volunteer: uuid::Uuid,
        booking: uuid::Uuid,
        minutes: Option<i32>,
        confirmed_by: Option<uuid::Uuid>,
    ) -> Result<(), Problem> {
        let _: serde_json::Value = self
            .post(
                office,
                &format!("/{volunteer}/assignments/{booking}/completion"),
                &serde_json::json!({ "minutes": minutes, "confirmed_by": confirmed_by }),
            )
            .await?;
        Ok(())
    }

    async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        office: &TenantContext,
        path: &str,
        body: &B,
    ) -> Result<T, Problem> {
        let response = self
            .client
            .post(format!("{}/internal/v1/volunteers{path}", self.base))
            .header(TENANT_ID_HEADER, office.id.to_string())
            .header(TENANT_SLUG_HEADER, office.slug.as_str())
            .timeout(Duration::from_secs(10))
            .json(body)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(|e| unavailable(&e));
        }
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        if status.is_client_error() {
            return Err(refusal(status.as_u16(), &body));
        }
        Err(unavailable(&format!(
            "volunteers service answered {status}"
        )))
    }
}

/// The volunteers service's 4xx problem, told again here with the same code.
fn refusal(status: u16, body: &serde_json::Value) -> Problem {
    let code = body["code"].as_str().unwrap_or_default();
    let known = REFUSALS.iter().find(|c| **c == code).copied();
    let (status, code) = match (status, known) {
        (404, _) => (StatusCode::NOT_FOUND, "volunteer_not_found"),
        (_, Some(code)) => (StatusCode::CONFLICT, code),
        _ => (StatusCode::CONFLICT, "booking_refused"),
    };
    let title = body["title"].as_str().unwrap_or("Nie można przydzielić");
    let mut problem = Problem::new(status, code, title);
    if let Some(detail) = body["detail"].as_str() {
        problem = problem.with_detail(detail);
    }
    if code == "validation_failed" {
        problem.status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    problem
}

fn unavailable(error: &dyn std::fmt::Display) -> Problem {
    tracing::warn!(%error, "volunteers service unavailable");
    Problem::unavailable(
        "Serwis wolontariuszy jest chwilowo niedostępny. Nic nie zostało zapisane.",
    )
    .with_retry_after(5)
}
