//! The OpenAPI 3.1 document, generated from the handlers (utoipa) and the pledge types
//! (schemars), and checked in as `contract/openapi.json`.
//!
//! The pledge crate describes its types with schemars, so that the widget's wasm carries no
//! OpenAPI code; its JSON Schema definitions are placed under `components/schemas`, where the
//! handlers' `$ref`s point.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use schemars::generate::SchemaSettings;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::admin_api::{PledgeList, PledgeRecord, ReleasedPledge};
use crate::http::deliveries::{Delivery, DeliveryList};
use crate::http::health::Health;
use crate::http::pledges::PledgeReceipt;
use crate::http::problem::{Problem, ProblemFieldError};
use crate::http::state::{AppState, OpenApiText};
use crate::intake::spam::SpamReason;
use crate::storage::{DeliveryStatus, Status};

pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sanankoroba pledge receiver",
        description = "Receives sponsorship pledges from the embeddable widget of the SOS Children's Village in Sanankoroba, Mali, and exports them for the charity. Every error is application/problem+json (RFC 9457)."
    ),
    paths(
        crate::http::pledges::submit,
        crate::http::admin_api::list,
        crate::http::admin_api::csv,
        crate::http::admin_api::release,
        crate::http::deliveries::list,
        crate::http::deliveries::retry,
        crate::http::health::healthz,
        openapi_json
    ),
    components(schemas(Problem, ProblemFieldError, PledgeReceipt, PledgeList, PledgeRecord, ReleasedPledge, Status, SpamReason, Health, Delivery, DeliveryList, DeliveryStatus)),
    modifiers(&AdminToken, &PledgeBody),
    tags(
        (name = "pledges", description = "What partner pages call, through the widget."),
        (name = "admin", description = "The charity's exports, review and webhook deliveries; they need the admin bearer token."),
        (name = "operations", description = "Health and self-description.")
    )
)]
struct ApiDoc;

struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "admin_token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The pledge POST's body. It is required: a POST without one is refused (415, or 400 with a
/// JSON type), and utoipa only infers that from a Rust type, while this body is a reference to
/// the pledge crate's schema. It carries the contract's own example pledges, which the pledge
/// crate's tests check against that schema and its rules, for whoever implements an endpoint.
struct PledgeBody;

/// The examples shown with the pledge POST: each way of giving, with and without Gift Aid.
const PLEDGE_EXAMPLES: [(&str, &str, &str); 4] = [
    (
        "child-gbp-gift-aid",
        "A monthly child sponsorship in pounds, with a Gift Aid declaration",
        include_str!("../../../contract/examples/child-gbp-gift-aid.json"),
    ),
    (
        "village-usd",
        "A monthly sponsorship of the village in US dollars",
        include_str!("../../../contract/examples/village-usd.json"),
    ),
    ("one-off-xof", "A one-off gift in CFA francs", include_str!("../../../contract/examples/one-off-xof.json")),
    (
        "child-eur",
        "A monthly child sponsorship in euros, in French, with a postal address",
        include_str!("../../../contract/examples/child-eur.json"),
    ),
];

impl Modify for PledgeBody {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let body = openapi
            .paths
            .paths
            .get_mut("/v1/pledges")
            .and_then(|item| item.post.as_mut())
            .and_then(|post| post.request_body.as_mut());
        let Some(body) = body else { return };
        body.required = Some(utoipa::openapi::Required::True);
        if let Some(json) = body.content.get_mut("application/json") {
            for (name, summary, text) in PLEDGE_EXAMPLES {
                let value = serde_json::from_str(text).expect("the contract's examples are JSON");
                let example = ExampleBuilder::new().summary(summary).value(Some(value)).build();
                json.examples.insert(name.to_owned(), example.into());
            }
        }
    }
}

/// The whole document as JSON.
pub fn document() -> serde_json::Value {
    let mut document = serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serialises");
    let mut generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.definitions_path = "/components/schemas".into())
        .into_generator();
    generator.subschema_for::<pledge::Pledge>();
    let definitions = generator.take_definitions(true);
    if let Some(schemas) = document.pointer_mut("/components/schemas").and_then(|value| value.as_object_mut()) {
        for (name, schema) in definitions {
            schemas.insert(name, schema);
        }
    }
    document
}

/// The document as checked in: pretty-printed with sorted keys, and a final newline.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&sorted(document())).expect("the OpenAPI document serialises");
    text.push('\n');
    text
}

/// Rebuilds every object with its keys in order. Another crate in the same build may switch on
/// serde_json's `preserve_order`, which would otherwise make the text depend on the build.
fn sorted(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(members) => {
            let mut entries: Vec<(String, Value)> = members.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(key, member)| (key, sorted(member))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// This receiver's OpenAPI document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document.", content_type = "application/json", body = Object))
)]
pub async fn openapi_json(State(OpenApiText(text)): State<OpenApiText>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], text.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_resolves() {
        let document = document();
        let text = document.to_string();
        let mut rest = text.as_str();
        let mut count = 0;
        while let Some(at) = rest.find("\"$ref\":\"") {
            rest = &rest[at + 8..];
            let target = &rest[..rest.find('"').unwrap()];
            let pointer = target.strip_prefix('#').expect("references stay inside the document");
            assert!(document.pointer(pointer).is_some(), "{target} does not resolve");
            count += 1;
        }
        assert!(count > 5);
    }

    fn parameter<'a>(document: &'a serde_json::Value, path: &str, method: &str, name: &str) -> &'a serde_json::Value {
        document["paths"][path][method]["parameters"]
            .as_array()
            .and_then(|parameters| parameters.iter().find(|parameter| parameter["name"] == name))
            .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
    }

    fn regex(document: &serde_json::Value, path: &str, method: &str, name: &str) -> regex::Regex {
        let pattern = parameter(document, path, method, name)["schema"]["pattern"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no pattern"));
        regex::Regex::new(pattern).unwrap()
    }

    /// The published Idempotency-Key pattern accepts exactly what the receiver accepts.
    #[test]
    fn the_idempotency_key_pattern_is_the_receivers_rule() {
        let document = document();
        let pattern = regex(&document, "/v1/pledges", "post", "Idempotency-Key");
        assert_eq!(pattern.as_str(), crate::intake::idempotency::HEADER_PATTERN);
        let key = "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f";
        for text in [
            key.to_owned(),
            format!("\"{key}\""),
            format!("\"{key}"),
            format!("{key}\""),
            key.to_uppercase(),
            key.replace("-4c3b-", "-1c3b-"),
            key.replace("-8e2f-", "-7e2f-"),
            key[1..].to_owned(),
            format!("{{{key}}}"),
            String::new(),
        ] {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(crate::intake::idempotency::HEADER, text.parse().unwrap());
            let accepted = crate::intake::idempotency::key_from_headers(&headers).is_ok();
            assert_eq!(pattern.is_match(&text), accepted, "{text:?}");
        }
    }

    /// The published `since`/`until`, `cursor`, `limit`, `status` and reference rules are the
    /// ones the receiver applies.
    #[test]
    fn the_query_rules_are_the_receivers_rules() {
        let document = document();
        let since = parameter(&document, "/v1/pledges", "get", "since");
        let forms = since["schema"]["oneOf"].as_array().unwrap();
        let formats: Vec<&str> = forms.iter().map(|form| form["format"].as_str().unwrap()).collect();
        assert_eq!(formats, ["date-time", "date"]);
        assert_eq!(parameter(&document, "/v1/pledges.csv", "get", "until")["schema"], since["schema"]);
        let patterns: Vec<regex::Regex> =
            forms.iter().map(|form| regex::Regex::new(form["pattern"].as_str().unwrap()).unwrap()).collect();
        for (text, parses) in [
            ("2026-11-01", true),
            ("2026-11-27T10:00:00Z", true),
            ("2026-11-27t10:00:00.123456789+01:30", true),
            ("2026-11-27T10:00:00-02:00", true),
            ("2026-11-27T10:00:00", false),
            ("2026-11-27 10:00:00Z", false),
            ("2026-11-27T10:00:00+0100", false),
            ("2026-11-27T10:00:00.Z", false),
            ("yesterday", false),
        ] {
            assert_eq!(crate::timestamp::Timestamp::parse(text).is_some(), parses, "{text}");
            assert_eq!(patterns.iter().any(|pattern| pattern.is_match(text)), parses, "{text}");
        }

        let cursor = regex(&document, "/v1/pledges", "get", "cursor");
        for (text, accepted) in [
            ("0", true),
            ("42", true),
            ("9223372036854775807", true),
            ("-5", false),
            ("+5", false),
            ("", false),
            ("a", false),
        ] {
            assert_eq!(cursor.is_match(text), accepted, "{text}");
        }

        let limit = &parameter(&document, "/v1/pledges", "get", "limit")["schema"];
        assert_eq!(
            (limit["minimum"].as_u64(), limit["maximum"].as_u64(), limit["default"].as_u64()),
            (Some(1), Some(1000), Some(100))
        );
        assert_eq!(crate::http::admin_api::MAX_PAGE, 1000);
        assert_eq!(crate::http::admin_api::DEFAULT_PAGE, 100);

        let status = &parameter(&document, "/v1/pledges.csv", "get", "status")["schema"];
        let reference = status
            .pointer("/$ref")
            .or_else(|| status.pointer("/oneOf/0/$ref"))
            .and_then(|r| r.as_str())
            .unwrap_or_default();
        let resolved = document.pointer(reference.trim_start_matches('#')).unwrap_or(status);
        assert_eq!(
            resolved["enum"],
            serde_json::json!(["new", "contacted", "converted", "declined", "review"]),
            "{status}"
        );

        let reference = regex(&document, "/v1/pledges/{reference}/release", "post", "reference");
        for _ in 0..100 {
            let generated = crate::intake::reference::generate();
            assert!(reference.is_match(&generated) && reference.is_match(&generated.to_lowercase()), "{generated}");
        }
        for text in ["SK-0000-000O", "SK-00000000", "XX-0000-0000", "SK-0000-0000 "] {
            assert!(!reference.is_match(text), "{text}");
        }
    }

    #[test]
    fn the_pledge_body_is_required() {
        assert_eq!(document()["paths"]["/v1/pledges"]["post"]["requestBody"]["required"], true);
    }

    #[test]
    fn unavailable_and_limited_answers_document_retry_after() {
        let document = document();
        for (path, method, status) in [
            ("/v1/pledges", "post", "503"),
            ("/v1/pledges", "post", "429"),
            ("/v1/pledges", "get", "503"),
            ("/v1/pledges.csv", "get", "503"),
            ("/v1/pledges/{reference}/release", "post", "503"),
            ("/healthz", "get", "503"),
        ] {
            let headers = &document["paths"][path][method]["responses"][status]["headers"];
            assert!(headers["Retry-After"].is_object(), "{method} {path} {status}");
        }
        assert!(document["paths"]["/v1/pledges/{reference}/release"]["post"]["responses"]["404"].is_object());
    }

    #[test]
    fn describes_every_route_and_the_pledge() {
        let document = document();
        for path in ["/v1/pledges", "/v1/pledges.csv", "/v1/pledges/{reference}/release", "/healthz", "/openapi.json"] {
            assert!(document["paths"][path].is_object(), "{path}");
        }
        assert!(document["paths"]["/v1/pledges"]["post"].is_object());
        assert!(document["paths"]["/v1/pledges"]["get"].is_object());
        let pledge = &document["components"]["schemas"]["Pledge"];
        assert!(pledge["properties"]["idempotency_key"].is_object());
        assert_eq!(document["components"]["securitySchemes"]["admin_token"]["scheme"], "bearer");
    }
}
