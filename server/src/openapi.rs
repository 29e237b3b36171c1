//! The OpenAPI 3.1 document, generated from the handlers (utoipa) and the pledge types
//! (schemars), and checked in as `contract/openapi.json`.
//!
//! The pledge crate describes its types with schemars, so that the widget's wasm carries no
//! OpenAPI code; its JSON Schema definitions are placed under `components/schemas`, where the
//! handlers' `$ref`s point.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use schemars::generate::SchemaSettings;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::admin::{PledgeList, PledgeRecord};
use crate::app::AppState;
use crate::health::Health;
use crate::problem::{Problem, ProblemFieldError};
use crate::submit::PledgeReceipt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sanankoroba pledge receiver",
        description = "Receives sponsorship pledges from the embeddable widget of the SOS Children's Village in Sanankoroba, Mali, and exports them for the charity. Every error is application/problem+json (RFC 9457)."
    ),
    paths(
        crate::submit::submit,
        crate::admin::list,
        crate::admin::csv,
        crate::health::healthz,
        openapi_json
    ),
    components(schemas(Problem, ProblemFieldError, PledgeReceipt, PledgeList, PledgeRecord, Health)),
    modifiers(&AdminToken),
    tags(
        (name = "pledges", description = "What partner pages call, through the widget."),
        (name = "admin", description = "The charity's exports; they need the admin bearer token."),
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
pub async fn openapi_json(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        state.openapi.to_string(),
    )
        .into_response()
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

    #[test]
    fn describes_every_route_and_the_pledge() {
        let document = document();
        for path in ["/v1/pledges", "/v1/pledges.csv", "/healthz", "/openapi.json"] {
            assert!(document["paths"][path].is_object(), "{path}");
        }
        assert!(document["paths"]["/v1/pledges"]["post"].is_object());
        assert!(document["paths"]["/v1/pledges"]["get"].is_object());
        let pledge = &document["components"]["schemas"]["Pledge"];
        assert!(pledge["properties"]["idempotency_key"].is_object());
        assert_eq!(document["components"]["securitySchemes"]["admin_token"]["scheme"], "bearer");
    }
}
