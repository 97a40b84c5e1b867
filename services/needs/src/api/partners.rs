//! Not written yet.

pub struct PartnersApi;

#[poem_openapi::OpenApi]
impl PartnersApi {}
