//! Not written yet.

pub struct ActionsApi;

#[poem_openapi::OpenApi]
impl ActionsApi {}
