//! Not written yet.

pub struct BeneficiariesApi;

#[poem_openapi::OpenApi]
impl BeneficiariesApi {}
