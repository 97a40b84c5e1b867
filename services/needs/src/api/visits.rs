//! Not written yet.

pub struct VisitsApi;

#[poem_openapi::OpenApi]
impl VisitsApi {}
