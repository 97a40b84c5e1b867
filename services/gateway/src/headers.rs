//! Header hygiene. Nothing a client sends may claim a tenant, an origin or a client address:
//! those headers are removed on entry and set by the gateway alone when it forwards.

use poem::Request;
use poem::http::{HeaderMap, HeaderName, HeaderValue};

use lacznik_http::server::REQUEST_ID_HEADER;

/// Headers only the gateway may set.
const SPOOFABLE_PREFIXES: [&str; 2] = ["x-tenant-", "x-forwarded-"];
const SPOOFABLE: [&str; 2] = ["forwarded", "x-real-ip"];

/// Connection-level headers that must not be forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Removes spoofable headers and gives the request a well-formed id.
pub fn sanitize(mut req: Request) -> Request {
    let headers = req.headers_mut();
    let spoofed: Vec<HeaderName> = headers
        .keys()
        .filter(|name| {
            let name = name.as_str();
            SPOOFABLE.contains(&name) || SPOOFABLE_PREFIXES.iter().any(|p| name.starts_with(p))
        })
        .cloned()
        .collect();
    for name in spoofed {
        headers.remove(name);
    }
    let keep_id = headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_valid_request_id);
    if !keep_id {
        let id = uuid::Uuid::now_v7().to_string();
        if let Ok(value) = HeaderValue::from_str(&id) {
            headers.insert(REQUEST_ID_HEADER, value);
        }
    }
    req
}

/// A client may pass its own request id for correlation if it is short and plain.
fn is_valid_request_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Copies end-to-end headers, dropping hop-by-hop ones and those named in `Connection`.
pub fn copy_end_to_end(from: &HeaderMap, to: &mut HeaderMap, skip: &[&str]) {
    let named_by_connection: Vec<String> = from
        .get_all("connection")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect();
    for (name, value) in from {
        let n = name.as_str();
        if HOP_BY_HOP.contains(&n)
            || skip.contains(&n)
            || named_by_connection.iter().any(|c| c == n)
        {
            continue;
        }
        to.append(name.clone(), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spoofable_headers_are_removed() {
        let req = Request::builder()
            .header("X-Tenant-Id", "00000000-0000-0000-0000-000000000001")
            .header("X-Tenant-Slug", "plock")
            .header("X-Forwarded-For", "10.0.0.1")
            .header("Forwarded", "for=10.0.0.1")
            .header("X-Real-IP", "10.0.0.1")
            .header("X-Request-Id", "<script>")
            .header("Accept", "application/json")
            .finish();
        let req = sanitize(req);
        let names: Vec<&str> = req.headers().keys().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(req.headers().contains_key("accept"));
        let id = req.headers()[REQUEST_ID_HEADER].to_str().unwrap();
        assert!(is_valid_request_id(id));
    }

    #[test]
    fn hop_by_hop_headers_are_not_copied() {
        let mut from = HeaderMap::new();
        from.insert(
            "connection",
            HeaderValue::from_static("keep-alive, x-secret"),
        );
        from.insert("x-secret", HeaderValue::from_static("1"));
        from.insert("content-type", HeaderValue::from_static("application/json"));
        from.insert("host", HeaderValue::from_static("kielce.localhost"));
        let mut to = HeaderMap::new();
        copy_end_to_end(&from, &mut to, &["host"]);
        assert_eq!(to.len(), 1);
        assert!(to.contains_key("content-type"));
    }
}
