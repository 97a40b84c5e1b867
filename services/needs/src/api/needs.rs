//! Not written yet.

pub struct NeedsApi;

#[poem_openapi::OpenApi]
impl NeedsApi {}
