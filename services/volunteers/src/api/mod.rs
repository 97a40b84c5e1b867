//! HTTP API of the volunteers service.

mod absences;
pub(crate) mod agreements;
mod assignments;
mod catalogue;
mod certificates;
mod checks;
mod hours;
mod insurance;
mod internal;
mod matching;
mod privacy;
mod signup;
pub(crate) mod volunteers;

pub use absences::{Absence, AbsencesApi};
pub use agreements::{AgreementDue, AgreementView, AgreementsApi, DueLine, TemplateView};
pub use assignments::{Assignment, AssignmentInput, AssignmentsApi};
pub use catalogue::{Catalogue, CatalogueApi, CatalogueEntry, DistrictView, SkillInput};
pub use certificates::{CertificateInput, CertificateView, CertificatesApi};
pub use checks::{CheckInput, CheckView, ChecksApi, Clearance};
pub use hours::{HoursApi, HoursEntry, HoursReport};
pub use insurance::{InsuranceApi, Policy, RosterLine};
pub use internal::{BookingInput, CompletionInput, Contact, ContactsInput, InternalApi};
pub use matching::{Match, MatchingApi, MatchingInput, MatchingResult};
pub use privacy::PrivacyApi;
pub(crate) use privacy::erase;
pub use signup::{Accepted, ConsentView, GuardianInput, SignUpApi, SignUpInput};
pub use volunteers::{
    ProfileInput, Volunteer, VolunteerInput, VolunteerPage, VolunteerPatch, VolunteersApi,
};

/// Every API of the service, as one OpenAPI document.
pub type Apis = (
    VolunteersApi,
    CatalogueApi,
    AbsencesApi,
    ChecksApi,
    AssignmentsApi,
    AgreementsApi,
    SignUpApi,
    HoursApi,
    CertificatesApi,
    InsuranceApi,
    MatchingApi,
    PrivacyApi,
);
/// The value of [`Apis`].
pub const APIS: Apis = (
    VolunteersApi,
    CatalogueApi,
    AbsencesApi,
    ChecksApi,
    AssignmentsApi,
    AgreementsApi,
    SignUpApi,
    HoursApi,
    CertificatesApi,
    InsuranceApi,
    MatchingApi,
    PrivacyApi,
);
