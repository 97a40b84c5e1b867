//! The pages behind the links in emails — set a new password, accept an invitation, sign in
//! with a login link — served at an office's address under `/konto/…`. They are static: the
//! link's secret stays in the URL fragment and the page's script posts it to the office's API.

use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};

const PAGE: &str = include_str!("account/konto.html");
const SCRIPT: &str = include_str!("account/konto.js");

/// The pages, by path under the office's address.
pub(crate) const PAGES: [&str; 3] = [
    "/konto/nowe-haslo",
    "/konto/zaproszenie",
    "/konto/logowanie",
];

/// The page or script at `path`, if it is one of them.
pub(crate) fn serve(path: &str) -> Option<Response> {
    let (body, content_type) = if PAGES.contains(&path.trim_end_matches('/')) {
        (PAGE, "text/html; charset=utf-8")
    } else if path == "/konto/konto.js" {
        (SCRIPT, "text/javascript; charset=utf-8")
    } else {
        return None;
    };
    let mut response = body.with_status(StatusCode::OK).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    Some(response)
}
