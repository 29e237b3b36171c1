//! What handlers can reach, split into the parts each route group needs.
//!
//! A handler names the part it uses (`State<Store>`, `State<Intake>`, `State<DemoPage>`, …)
//! rather than the whole application, so that its signature says what it touches and a part
//! can change without reaching through every handler.

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::FromRef;

use crate::config::{Settings, Timeouts};
use crate::http::inbox::gate::StaffAuth;
use crate::http::openapi;
use crate::inbox::data_protection;
use crate::intake::Intake;
use crate::staff::session::SessionPolicy;
use crate::storage::Store;

/// The whole state, from which axum hands each handler its part. Cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub store: Store,
    pub intake: Intake,
    pub admin_token: AdminToken,
    pub timeouts: Timeouts,
    pub demo_page: DemoPage,
    pub openapi: OpenApiText,
    pub staff_auth: StaffAuth,
    pub retention: Retention,
    pub flag_webhooks: FlagWebhooks,
}

impl AppState {
    pub fn new(settings: &Settings, store: Store, public_url: String) -> AppState {
        let staff_auth = StaffAuth::new(&public_url, SessionPolicy::default());
        AppState {
            intake: Intake::new(store.clone(), settings.min_fill, settings.timeouts.body),
            store,
            admin_token: AdminToken::new(&settings.admin_token),
            timeouts: settings.timeouts,
            demo_page: DemoPage { template: Arc::new(settings.demo_page.clone()), public_url: Arc::from(public_url) },
            openapi: OpenApiText(Arc::from(openapi::document_text())),
            staff_auth,
            retention: Retention { days: settings.retention_days },
            flag_webhooks: FlagWebhooks(
                settings
                    .webhooks
                    .endpoints
                    .iter()
                    .map(|endpoint| (endpoint.name.clone(), endpoint.url.clone()))
                    .collect(),
            ),
        }
    }
}

/// The token the charity's admin requests must carry. It has no `Debug`, so that it cannot
/// end up in a log line by accident.
#[derive(Clone)]
pub struct AdminToken(Arc<str>);

impl AdminToken {
    pub fn new(token: &str) -> AdminToken {
        AdminToken(Arc::from(token))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The demo partner page: where its template is and the origin written into it.
#[derive(Clone)]
pub struct DemoPage {
    pub template: Arc<PathBuf>,
    pub public_url: Arc<str>,
}

/// The OpenAPI document as served, generated once at start.
#[derive(Clone)]
pub struct OpenApiText(pub Arc<str>);

/// How long pledges that never converted keep their donor's details, when the operator set it.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub days: Option<u32>,
}

impl Retention {
    pub fn view(self) -> data_protection::Retention {
        data_protection::Retention { days: self.days }
    }
}

/// The operator's webhook endpoints (`--webhook`), by name and URL, for the webhooks page:
/// never their secrets. No `Debug`: a URL's query may carry a token.
#[derive(Clone, Default)]
pub struct FlagWebhooks(pub Arc<[(String, url::Url)]>);

impl FlagWebhooks {
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(name, _)| name.as_str())
    }
}
