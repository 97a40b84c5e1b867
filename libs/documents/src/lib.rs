//! Printable documents of a volunteer centre, rendered to PDF in Polish from plain data: the
//! volunteer agreement (porozumienie, art. 44 ust. 1 of the Act on public benefit activity and
//! volunteering of 24 April 2003) and the certificate of the volunteer's work (zaświadczenie,
//! art. 44 ust. 2, with the optional opinion of art. 44 ust. 3).
//!
//! The crate owns the wording that the Act requires, the page layout and the embedded fonts;
//! it knows nothing of tenants, storage or HTTP. Callers pass already-checked data and get bytes.

mod agreement;
mod certificate;
mod font;
pub mod format;
mod layout;
mod parts;
mod render;

use chrono::NaiveDate;

pub use agreement::agreement_pdf;
pub use certificate::certificate_pdf;

/// The office (the "korzystający" of the Act) that issues the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    /// Full name, e.g. "Miejski Ośrodek Pomocy Rodzinie w Kielcach".
    pub name: String,
    /// One line, e.g. "ul. Studzienna 2, 25-544 Kielce".
    pub address: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Place of issue in the nominative, e.g. "Kielce".
    pub city: String,
}

/// The certificate of a volunteer's work (art. 44 ust. 2–3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateData {
    /// The office's reference number, e.g. "ZW/2026/17".
    pub number: String,
    pub office: Office,
    pub volunteer_name: String,
    pub birth_date: Option<NaiveDate>,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// Kinds of work done, as Polish phrases; printed as a list.
    pub scope: Vec<String>,
    /// Total hours, already formatted the Polish way, e.g. "42,5".
    pub hours: String,
    /// The coordinator's opinion; paragraphs are separated by blank lines.
    pub opinion: Option<String>,
    pub issued_on: NaiveDate,
    /// The coordinator who signs.
    pub signatory: String,
}

/// The written agreement between the office and a volunteer (art. 44 ust. 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementData {
    pub number: String,
    pub office: Office,
    /// Who signs for the office.
    pub office_representative: String,
    pub volunteer_name: String,
    pub volunteer_address: Option<String>,
    pub birth_date: NaiveDate,
    /// For a minor: the legal guardian, who consents and signs too.
    pub guardian_name: Option<String>,
    /// The template's title, e.g. "Porozumienie o wykonywaniu świadczeń wolontariackich".
    pub title: String,
    /// The template's paragraphs in order, printed as "§ 1", "§ 2", …; the Act requires one of
    /// them to say how the agreement can be terminated. Blank lines split a clause into
    /// paragraphs, single newlines break lines.
    pub clauses: Vec<String>,
    pub scope: Vec<String>,
    pub starts_on: NaiveDate,
    /// `None`: for an indefinite period ("na czas nieokreślony").
    pub ends_on: Option<NaiveDate>,
    pub signed_on: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// A field the document cannot do without is empty.
    #[error("document field `{0}` is empty")]
    MissingField(&'static str),
    #[error("period ends ({to}) before it starts ({from})")]
    InvalidPeriod { from: NaiveDate, to: NaiveDate },
    /// The font compiled into the binary could not be read: a build problem, not bad input.
    #[error("embedded font {0} could not be loaded")]
    Font(&'static str),
    #[error("PDF could not be written: {0}")]
    Pdf(String),
}

/// Rejects empty text where a document would otherwise print a blank.
fn require(field: &'static str, value: &str) -> Result<(), DocumentError> {
    if value.trim().is_empty() {
        return Err(DocumentError::MissingField(field));
    }
    Ok(())
}

fn require_list(field: &'static str, items: &[String]) -> Result<(), DocumentError> {
    if items.iter().all(|item| item.trim().is_empty()) {
        return Err(DocumentError::MissingField(field));
    }
    Ok(())
}

fn require_period(from: NaiveDate, to: NaiveDate) -> Result<(), DocumentError> {
    if to < from {
        return Err(DocumentError::InvalidPeriod { from, to });
    }
    Ok(())
}

fn require_office(office: &Office) -> Result<(), DocumentError> {
    require("office.name", &office.name)?;
    require("office.address", &office.address)?;
    require("office.city", &office.city)
}

/// List items with blank entries dropped, so a stray empty line in a form prints no bare bullet.
fn non_blank(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
