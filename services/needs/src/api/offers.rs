//! Not written yet.

pub struct OffersApi;

#[poem_openapi::OpenApi]
impl OffersApi {}
