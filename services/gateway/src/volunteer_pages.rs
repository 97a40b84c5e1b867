//! The public volunteer pages of an office, served at its address under `/wolontariat/…`: the
//! sign-up form, the page behind the confirmation link in the sign-up email, the page behind
//! the link a minor's parent or guardian gets to give consent, the page behind an offer's
//! link where the volunteer accepts or declines it, and the notification settings behind the
//! unsubscribe link of every email (whose one-click POST, RFC 8058, goes on to the
//! notifications service). They are static: the catalogue,
//! the office's card and every answer come from the office's API through the page's script, and
//! a link's secret stays in the URL fragment, which the browser never sends to a server.
//!
//! They are served in front of forwarding, for an office that resolves and may be served; any
//! other request (and every refusal) is left to the proxy, so an unknown or suspended office
//! gets the same problem here as anywhere else.

use std::sync::Arc;

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::Gateway;
use crate::admission::Verdict;
use crate::resolve::{TenantKey, key_from_request};

const HTML: &str = "text/html; charset=utf-8";
const SCRIPT: &str = "text/javascript; charset=utf-8";
const STYLE: &str = "text/css; charset=utf-8";

/// Everything served, by path under the office's address. Pages refer to the script and the
/// style sheet relatively, so they work both at `<office host>/wolontariat/…` and at
/// `/t/<office>/wolontariat/…`.
const FILES: [(&str, &str, &str); 8] = [
    (
        "/wolontariat/zgloszenie",
        include_str!("volunteer_pages/zgloszenie.html"),
        HTML,
    ),
    (
        "/wolontariat/potwierdz",
        include_str!("volunteer_pages/potwierdz.html"),
        HTML,
    ),
    (
        "/wolontariat/zgoda-opiekuna",
        include_str!("volunteer_pages/zgoda-opiekuna.html"),
        HTML,
    ),
    (
        "/wolontariat/oferta",
        include_str!("volunteer_pages/oferta.html"),
        HTML,
    ),
    (
        "/wolontariat/wypisz",
        include_str!("volunteer_pages/wypisz.html"),
        HTML,
    ),
    (
        "/wolontariat/wypisz.js",
        include_str!("volunteer_pages/wypisz.js"),
        SCRIPT,
    ),
    (
        "/wolontariat/wolontariat.js",
        include_str!("volunteer_pages/wolontariat.js"),
        SCRIPT,
    ),
    (
        "/wolontariat/wolontariat.css",
        include_str!("volunteer_pages/wolontariat.css"),
        STYLE,
    ),
];

/// Scripts and styles only from the gateway itself, nothing inline; requests only to the same
/// origin (the office's API); no framing, no `<base>`, forms post nowhere else.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                      connect-src 'self'; img-src 'self'; frame-ancestors 'none'; \
                      base-uri 'none'; form-action 'self'";

/// The file at `path` (the path under the office's address), with its headers.
pub(crate) fn serve(path: &str) -> Option<Response> {
    let (_, body, content_type) = FILES.iter().find(|(at, _, _)| *at == path)?;
    let mut response = body.with_status(StatusCode::OK).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, *content_type),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, POLICY),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    Some(response)
}

/// Where a mail provider's one-click unsubscribe (a POST to the link in `List-Unsubscribe`)
/// is answered.
const UNSUBSCRIBE_PAGE: &str = "/wolontariat/wypisz";
const UNSUBSCRIBE_API: &str = "/api/v1/notifications/unsubscribe";

/// Wraps the proxy: a `GET` of one of the files, at an office that may be served, is answered
/// here; a `POST` to the unsubscribe page goes on as a call of the notifications API;
/// everything else goes on to `next` unchanged.
pub(crate) async fn in_front_of<E>(next: Arc<E>, mut req: Request) -> poem::Result<Response>
where
    E: Endpoint<Output = Response>,
{
    if req.method() == Method::POST
        && let Some(office_prefix) = req.uri().path().strip_suffix(UNSUBSCRIBE_PAGE)
        && (office_prefix.is_empty() || office_prefix.starts_with("/t/"))
    {
        let query = req
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let target = format!("{office_prefix}{UNSUBSCRIBE_API}{query}");
        if let Ok(uri) = target.parse() {
            *req.uri_mut() = uri;
        }
        return next.call(req).await;
    }
    // Cheap checks first: this runs in front of every proxied request.
    if req.method() == Method::GET
        && req.uri().path().contains("/wolontariat/")
        && let Some(gateway) = req.data::<Arc<Gateway>>()
    {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| req.uri().authority().map(|a| a.to_string()));
        let (path_key, host_key, rest) = key_from_request(
            host.as_deref(),
            req.uri().path(),
            &gateway.settings.base_domain,
        );
        if FILES.iter().any(|(at, _, _)| *at == rest)
            && office_admits(gateway, path_key.as_ref(), host_key.as_ref()).await
            && let Some(file) = serve(&rest)
        {
            return Ok(file);
        }
    }
    next.call(req).await
}

/// Whether the request names an office that exists, is not suspended, is named the same way by
/// host and path prefix, and is within its request rate. When not, the proxy says why.
async fn office_admits(
    gateway: &Gateway,
    path_key: Option<&TenantKey>,
    host_key: Option<&TenantKey>,
) -> bool {
    let Some(key) = path_key.or(host_key) else {
        return false; // the platform address has no volunteer pages
    };
    let Ok(Some(tenant)) = gateway.resolver.resolve(key).await else {
        return false;
    };
    if tenant.is_suspended() {
        return false;
    }
    if let (Some(_), Some(host_key)) = (path_key, host_key) {
        match gateway.resolver.resolve(host_key).await {
            Ok(Some(by_host)) if by_host.id != tenant.id => return false,
            Err(_) => return false,
            Ok(_) => {}
        }
    }
    matches!(
        gateway
            .admission
            .admit(Some(&tenant.id.to_string()), None)
            .await,
        Verdict::Pass
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_served_with_a_strict_policy_and_nothing_else_is() {
        for path in [
            "/wolontariat/zgloszenie",
            "/wolontariat/potwierdz",
            "/wolontariat/zgoda-opiekuna",
        ] {
            let page = serve(path).unwrap();
            let headers = page.headers();
            assert_eq!(headers["content-type"], HTML);
            assert_eq!(headers["cache-control"], "no-store");
            assert_eq!(headers["referrer-policy"], "no-referrer");
            assert_eq!(headers["x-frame-options"], "DENY");
            let policy = headers["content-security-policy"].to_str().unwrap();
            assert!(policy.contains("script-src 'self';"), "{policy}");
            assert!(!policy.contains("unsafe"), "{policy}");
        }
        assert_eq!(
            serve("/wolontariat/wolontariat.js").unwrap().headers()["content-type"],
            SCRIPT
        );
        assert_eq!(
            serve("/wolontariat/wolontariat.css").unwrap().headers()["content-type"],
            STYLE
        );
        for path in [
            "/wolontariat",
            "/wolontariat/",
            "/wolontariat/zgloszenie/",
            "/wolontariat/inne",
            "/konto/logowanie",
        ] {
            assert!(serve(path).is_none(), "{path}");
        }
    }

    /// The policy forbids inline script and style: the pages must not need any.
    #[test]
    fn pages_have_no_inline_script_or_style() {
        for (path, body, content_type) in FILES {
            if content_type != HTML {
                continue;
            }
            assert!(body.contains("<html lang=\"pl\">"), "{path}");
            assert!(
                !body.contains("<style") && !body.contains(" style="),
                "{path}"
            );
            for (i, _) in body.match_indices("<script") {
                let tag = &body[i..i + body[i..].find('>').unwrap()];
                assert!(tag.contains(" src=\""), "{path}: inline script");
            }
            let lower = body.to_ascii_lowercase();
            for handler in [
                " onclick=",
                " onload=",
                " onsubmit=",
                " onchange=",
                "javascript:",
            ] {
                assert!(!lower.contains(handler), "{path}: {handler}");
            }
        }
    }

    /// Every field the API can name in a sign-up problem has a place for its message.
    #[test]
    fn every_field_error_has_a_place_on_the_form() {
        let (_, form, _) = FILES[0];
        for field in [
            "first_name",
            "last_name",
            "email",
            "phone",
            "birth_date",
            "guardian",
            "guardian_name",
            "guardian_email",
            "kinds",
            "districts",
            "languages",
            "availability",
            "max_hours_per_week",
            "motivation",
            "data_processing_consent",
        ] {
            assert!(
                form.contains(&format!("id=\"{field}-error\"")),
                "no error slot for {field}"
            );
        }
    }
}
