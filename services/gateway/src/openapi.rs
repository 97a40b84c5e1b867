//! The platform's API description, merged from each service's own `/openapi.json`, and an
//! interactive page (Swagger UI, bundled, no CDN) to try it. Served at `/api/openapi.json` and
//! `/api/docs`, on the bare domain and under each office's address.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::handler;
use poem::web::{Data, Html, Json};
use poem_openapi::OpenApiService;
use serde_json::{Map, Value, json};

use crate::Gateway;

const SPEC_TTL: Duration = Duration::from_secs(60);

/// The last complete merge, kept for a minute.
#[derive(Default)]
pub struct SpecCache(Mutex<Option<(Instant, Value)>>);

#[handler]
pub async fn merged_spec(gateway: Data<&Arc<Gateway>>) -> Json<Value> {
    merged(&gateway, None).await
}

#[handler]
pub async fn docs_page(gateway: Data<&Arc<Gateway>>) -> Html<String> {
    docs_html(&gateway, None).await
}

/// The merged document; under `/t/<slug>` its server URL carries that prefix.
pub async fn merged(gateway: &Gateway, prefix: Option<&str>) -> Json<Value> {
    let mut spec = spec(gateway).await;
    spec["servers"] = json!([{ "url": prefix.unwrap_or("/"), "description": "ten ośrodek" }]);
    Json(spec)
}

/// Swagger UI with the merged document embedded.
pub async fn docs_html(gateway: &Gateway, prefix: Option<&str>) -> Html<String> {
    let Json(spec) = merged(gateway, prefix).await;
    let template = OpenApiService::new((), "Łącznik", "1");
    // Inside <script>, "</" would end the element early.
    let embedded = spec.to_string().replace("</", "<\\/");
    let html = template
        .swagger_ui_html()
        .replacen(&template.spec(), &embedded, 1)
        .replacen(
            "<title>Swagger UI</title>",
            "<title>Łącznik — API</title>",
            1,
        );
    Html(html)
}

async fn spec(gateway: &Gateway) -> Value {
    if let Ok(cache) = gateway.specs.0.lock()
        && let Some((at, spec)) = cache.as_ref()
        && at.elapsed() < SPEC_TTL
    {
        return spec.clone();
    }
    let mut parts = Vec::new();
    let mut missing = Vec::new();
    for (name, url) in &gateway.settings.upstreams {
        let fetched = gateway
            .client
            .get(format!("{}/openapi.json", url.trim_end_matches('/')))
            .timeout(Duration::from_secs(3))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status);
        match fetched {
            Ok(response) => match response.json::<Value>().await {
                Ok(spec) => parts.push(spec),
                Err(_) => missing.push(name.clone()),
            },
            Err(error) => {
                tracing::warn!(service = %name, %error, "no OpenAPI document");
                missing.push(name.clone());
            }
        }
    }
    let merged = merge(parts, &missing);
    if missing.is_empty()
        && let Ok(mut cache) = gateway.specs.0.lock()
    {
        *cache = Some((Instant::now(), merged.clone()));
    }
    merged
}

/// Unions paths, tags, component schemas and security schemes of the services' documents.
fn merge(parts: Vec<Value>, missing: &[String]) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    let mut security = Map::new();
    let mut tags: Vec<Value> = Vec::new();
    for part in parts {
        if let Some(p) = part.get("paths").and_then(Value::as_object) {
            paths.extend(p.clone());
        }
        if let Some(s) = part
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            schemas.extend(s.clone());
        }
        if let Some(s) = part
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
        {
            security.extend(s.clone());
        }
        for tag in part
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !tags.iter().any(|t| t.get("name") == tag.get("name")) {
                tags.push(tag.clone());
            }
        }
    }
    let mut description = String::from(
        "Interfejs API platformy Łącznik. Każdy ośrodek ma własny adres \
         (`<ośrodek>.<domena>` albo prefiks `/t/<ośrodek>/`); wszystkie dane dotyczą ośrodka z adresu. \
         Błędy są zwracane jako `application/problem+json` (RFC 9457) ze stałym polem `code`.\n\n\
         **Logowanie:** `POST /api/v1/identity/auth/login` pod adresem ośrodka zwraca token dostępu \
         (nagłówek `Authorization: Bearer …`, ważny 15 minut) i jednorazowy token odświeżania. \
         Token działa tylko pod adresem ośrodka, dla którego został wydany (inny ośrodek: 403 \
         `token_tenant_mismatch`); administratorzy platformy i regionów logują się pod adresem \
         głównym, bez ośrodka. Uprawnienia zależą od roli: koordynator — dane ośrodka; \
         wolontariusz — własny profil; administrator regionalny — tylko zbiorcze statystyki.",
    );
    if !missing.is_empty() {
        description.push_str(&format!(
            "\n\n**Uwaga:** niedostępne teraz usługi pominięto: {}.",
            missing.join(", ")
        ));
    }
    json!({
        "openapi": "3.0.0",
        "info": {
            "title": "Łącznik API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": description,
        },
        "tags": tags,
        "paths": paths,
        "components": { "schemas": schemas, "securitySchemes": security },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_paths_and_schemas() {
        let a = json!({"paths": {"/api/v1/a": {}}, "components": {"schemas": {"Problem": {}, "A": {}}}, "tags": [{"name": "A"}]});
        let b = json!({"paths": {"/api/v1/b": {}}, "components": {"schemas": {"Problem": {}, "B": {}}}, "tags": [{"name": "B"}, {"name": "A"}]});
        let merged = merge(vec![a, b], &[]);
        assert_eq!(merged["paths"].as_object().unwrap().len(), 2);
        assert_eq!(
            merged["components"]["schemas"].as_object().unwrap().len(),
            3
        );
        assert_eq!(merged["tags"].as_array().unwrap().len(), 2);
    }
}
