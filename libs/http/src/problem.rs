//! One error envelope for the whole platform: RFC 9457 `application/problem+json` with a stable
//! snake_case `code` that clients can branch on. The `title`/`detail` are for people (Polish);
//! what is logged is kept apart from what is shown.

use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The wire form of a problem (RFC 9457) with Łącznik's extension members.
#[derive(Debug, Clone, Object, serde::Deserialize)]
#[oai(rename = "Problem")]
pub struct ProblemDocument {
    /// A URI naming the kind of problem: `urn:lacznik:problem:<code>`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Short human-readable summary (Polish).
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation specific to this occurrence (Polish).
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
    /// Stable machine-readable code, snake_case.
    pub code: String,
    /// Invalid fields, when the request did not validate.
    #[oai(skip_serializing_if_is_empty, default)]
    #[serde(default)]
    pub errors: Vec<FieldProblem>,
    /// Identifier to quote when reporting the problem.
    #[oai(skip_serializing_if_is_none)]
    pub request_id: Option<String>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Object, serde::Deserialize)]
pub struct FieldProblem {
    /// The field's name as sent, e.g. `email`.
    pub field: String,
    /// What is wrong with it (Polish).
    pub message: String,
}

/// An error on its way to becoming a problem response.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: String,
    pub detail: Option<String>,
    pub errors: Vec<FieldProblem>,
    pub retry_after_secs: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, title: impl Into<String>) -> Self {
        Self {
            status,
            code,
            title: title.into(),
            detail: None,
            errors: Vec::new(),
            retry_after_secs: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// 422 listing every field that failed validation.
    pub fn validation(errors: Vec<FieldProblem>) -> Self {
        let mut problem = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Dane są niepoprawne",
        )
        .with_detail("Popraw zaznaczone pola i wyślij ponownie.");
        problem.errors = errors;
        problem
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Nie znaleziono").with_detail(format!(
            "{what} nie istnieje albo nie masz do niego dostępu."
        ))
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, "Konflikt").with_detail(detail)
    }

    /// An emailed link whose secret matches nothing.
    pub fn link_invalid() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "link_invalid",
            "Nieprawidłowy link",
        )
        .with_detail("Ten link jest niepoprawny. Skopiuj go z wiadomości e-mail w całości.")
    }

    /// An emailed link used once already.
    pub fn link_used() -> Self {
        Self::new(StatusCode::GONE, "link_used", "Link nie jest już ważny")
            .with_detail("Ten link został już użyty. Poproś o nowy.")
    }

    /// An emailed link past its time.
    pub fn link_expired() -> Self {
        Self::new(StatusCode::GONE, "link_expired", "Link nie jest już ważny")
            .with_detail("Ten link wygasł. Poproś o nowy.")
    }

    /// A dependency is down: the client may retry; nothing was written.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "Usługa chwilowo niedostępna",
        )
        .with_detail(detail)
        .with_retry_after(5)
    }

    /// An unexpected failure. The cause is logged here, once; the client sees no internals.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Wewnętrzny błąd serwera",
        )
        .with_detail("Coś poszło nie tak po naszej stronie. Spróbuj ponownie za chwilę.")
    }

    /// A problem for an error poem produced before our handler ran (routing, parsing).
    pub fn from_poem_error(error: &poem::Error) -> Self {
        if let Some(problem) = error.downcast_ref::<Problem>() {
            return problem.clone();
        }
        let status = error.status();
        let message = error.to_string();
        match status {
            StatusCode::NOT_FOUND => Self::new(status, "not_found", "Nie znaleziono")
                .with_detail("Nie ma takiego adresu."),
            StatusCode::UNAUTHORIZED => crate::auth::unauthenticated("authentication_required"),
            StatusCode::METHOD_NOT_ALLOWED => {
                Self::new(status, "method_not_allowed", "Niedozwolona metoda")
            }
            StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(status, "payload_too_large", "Za duże żądanie")
                    .with_detail("Treść żądania przekracza dozwolony rozmiar.")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::new(
                status,
                "unsupported_media_type",
                "Nieobsługiwany format danych",
            )
            .with_detail("Wyślij dane jako application/json."),
            s if s.is_client_error() => {
                Self::new(status, "malformed_request", "Niepoprawne żądanie")
                    .with_detail(format!("Nie udało się odczytać żądania: {message}"))
            }
            _ => Self::internal(&message),
        }
    }

    pub fn document(&self) -> ProblemDocument {
        ProblemDocument {
            kind: format!("urn:lacznik:problem:{}", self.code),
            title: self.title.clone(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_owned(),
            errors: self.errors.clone(),
            request_id: None,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

impl std::error::Error for Problem {}

impl From<lacznik_types::ValueError> for Problem {
    fn from(error: lacznik_types::ValueError) -> Self {
        Self::validation(vec![FieldProblem {
            field: error.field.to_owned(),
            message: error.message.to_owned(),
        }])
    }
}

impl From<sea_orm::DbErr> for Problem {
    fn from(error: sea_orm::DbErr) -> Self {
        use sea_orm::DbErr;
        match &error {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::warn!(error = %error, "database unavailable");
                Self::unavailable(
                    "Baza danych jest chwilowo niedostępna. Nic nie zostało zapisane.",
                )
            }
            _ if is_contention(&error) => {
                tracing::warn!(error = %error, "database busy");
                Self::unavailable(
                    "Baza danych jest chwilowo przeciążona. Nic nie zostało zapisane; spróbuj ponownie.",
                )
            }
            _ => Self::internal(&error),
        }
    }
}

/// Lock contention the client can simply retry: SQLite busy (5), PostgreSQL serialization
/// failure (40001), deadlock (40P01), lock not available (55P03). The transaction was rolled back.
fn is_contention(error: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    let (DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner))) =
        error
    else {
        return false;
    };
    inner
        .as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| matches!(code.as_ref(), "5" | "40001" | "40P01" | "55P03"))
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = self.document().to_json_string();
        let mut response = Response::builder()
            .status(self.status)
            .header(header::CONTENT_TYPE, PROBLEM_JSON)
            .body(body);
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl poem::error::ResponseError for Problem {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        self.clone().into_response()
    }
}

impl ApiResponse for Problem {
    const BAD_REQUEST_HANDLER: bool = true;

    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "Błąd opisany dokumentem RFC 9457 (`application/problem+json`) ze stałym polem `code`.",
                status: None,
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: PROBLEM_JSON,
                    schema: <ProblemDocument as poem_openapi::types::Type>::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        <ProblemDocument as poem_openapi::types::Type>::register(registry);
    }

    fn from_parse_request_error(error: poem::Error) -> Self {
        Self::from_poem_error(&error)
    }
}

/// Accumulates field errors so a form reports all of them at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldProblem>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the parsed value, or records why it failed.
    pub fn check<T>(&mut self, parsed: Result<T, lacznik_types::ValueError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(FieldProblem {
                    field: error.field.to_owned(),
                    message: error.message.to_owned(),
                });
                None
            }
        }
    }

    /// Records an error found by other means.
    pub fn reject(&mut self, field: &str, message: &str) {
        self.errors.push(FieldProblem {
            field: field.to_owned(),
            message: message.to_owned(),
        });
    }

    /// `Ok` if nothing failed, else the 422 problem listing every field.
    pub fn finish(self) -> Result<(), Problem> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Problem::validation(self.errors))
        }
    }

    /// Like [`Validator::finish`], joined with an `earlier` result checked elsewhere: its value
    /// when both passed, else one problem listing the earlier result's fields and then these.
    pub fn finish_with<T>(self, earlier: Result<T, Problem>) -> Result<T, Problem> {
        match (earlier, self.finish()) {
            (Ok(value), Ok(())) => Ok(value),
            (Err(mut first), Err(second)) => {
                first.errors.extend(second.errors);
                Err(first)
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }
}
