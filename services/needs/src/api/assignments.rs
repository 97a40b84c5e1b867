//! Not written yet.

pub struct AssignmentsApi;

#[poem_openapi::OpenApi]
impl AssignmentsApi {}
