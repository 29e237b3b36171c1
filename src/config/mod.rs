//! The partner's configuration: the attributes of `<sanankoroba-widget>` or the object given to
//! `SanankorobaWidget.mount`, checked before anything is shown.
//!
//! A broken configuration never reaches the flow: the partner sees which attribute is wrong and
//! what was expected, and no pledge can be sent to an endpoint we could not trust.

mod endpoint;
mod presets;

use pledge::{is_partner_id, Currency, Locale};

pub use endpoint::{check_endpoint, ParsedUrl, UrlParser};
pub use presets::{default_presets, Presets, MAX_PRESETS_PER_OPTION};

/// The longest attribute value read at all; anything longer is refused before parsing.
pub const MAX_ATTRIBUTE_CHARS: usize = 2048;
/// The partner id used when a page does not name one.
pub const DEFAULT_PARTNER: &str = "direct";

/// The configuration exactly as the page gave it, before any checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawConfig {
    pub endpoint: Option<String>,
    pub partner: Option<String>,
    pub lang: Option<String>,
    pub currency: Option<String>,
    pub presets: Option<String>,
    /// The host page's `<html lang>`, used when `lang` is not given.
    pub document_lang: Option<String>,
    /// `navigator.languages`, used when neither `lang` nor the page says.
    pub browser_languages: Vec<String>,
}

/// A configuration the widget can run with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetConfig {
    pub endpoint: String,
    pub partner: String,
    pub locale: Locale,
    pub currency: Currency,
    pub presets: Presets,
}

/// One refused attribute, with what was expected. Partners read this, so it is specific.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub attribute: &'static str,
    pub problem: ConfigProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigProblem {
    Missing,
    TooLong,
    EndpointNotAbsolute,
    EndpointInsecure,
    EndpointHasCredentials,
    UnknownCurrency(String),
    MalformedPartner,
    UnsupportedLanguage(String),
    MalformedPresets(String),
}

impl ConfigError {
    fn new(attribute: &'static str, problem: ConfigProblem) -> Self {
        ConfigError { attribute, problem }
    }

    /// What the partner reads, in the widget and in the console.
    pub fn message(&self) -> String {
        let expected = match &self.problem {
            ConfigProblem::Missing => "is required: the URL that receives pledges, such as https://charity.example.org/v1/pledges".to_owned(),
            ConfigProblem::TooLong => format!("is longer than {MAX_ATTRIBUTE_CHARS} characters"),
            ConfigProblem::EndpointNotAbsolute => "must be an absolute URL, such as https://charity.example.org/v1/pledges".to_owned(),
            ConfigProblem::EndpointInsecure => "must use https: (plain http: is accepted only for localhost and 127.0.0.1)".to_owned(),
            ConfigProblem::EndpointHasCredentials => "must not contain a user name or password".to_owned(),
            ConfigProblem::UnknownCurrency(given) => format!("must be one of GBP, EUR, USD or XOF, not \"{given}\""),
            ConfigProblem::MalformedPartner => "must be 1 to 64 characters of lower-case letters, digits and hyphens".to_owned(),
            ConfigProblem::UnsupportedLanguage(given) => format!("must be \"en\" or \"fr\", not \"{given}\""),
            ConfigProblem::MalformedPresets(reason) => format!("is malformed: {reason}"),
        };
        format!("The \"{}\" attribute {expected}.", self.attribute)
    }
}

impl WidgetConfig {
    /// Checks every attribute and reports every problem at once, so a partner fixes them in one
    /// go. `parse_url` is the browser's URL parser (see [`check_endpoint`]).
    pub fn parse(raw: &RawConfig, parse_url: UrlParser) -> Result<WidgetConfig, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let fields = [
            ("endpoint", &raw.endpoint),
            ("partner", &raw.partner),
            ("lang", &raw.lang),
            ("currency", &raw.currency),
            ("presets", &raw.presets),
        ];
        for (attribute, value) in fields {
            if value.as_ref().is_some_and(|v| v.chars().count() > MAX_ATTRIBUTE_CHARS) {
                errors.push(ConfigError::new(attribute, ConfigProblem::TooLong));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let endpoint = match non_blank(&raw.endpoint) {
            None => Err(ConfigProblem::Missing),
            Some(endpoint) => check_endpoint(endpoint, parse_url),
        }
        .map_err(|problem| errors.push(ConfigError::new("endpoint", problem)))
        .ok();

        let partner = match non_blank(&raw.partner) {
            None => Some(DEFAULT_PARTNER.to_owned()),
            Some(partner) if is_partner_id(partner) => Some(partner.to_owned()),
            Some(_) => {
                errors.push(ConfigError::new("partner", ConfigProblem::MalformedPartner));
                None
            }
        };

        let currency = match non_blank(&raw.currency) {
            None => Some(Currency::default()),
            Some(code) => Currency::from_code(&code.to_ascii_uppercase()).or_else(|| {
                errors.push(ConfigError::new("currency", ConfigProblem::UnknownCurrency(code.to_owned())));
                None
            }),
        };

        let locale = match non_blank(&raw.lang) {
            Some(tag) => Locale::from_tag(tag).or_else(|| {
                errors.push(ConfigError::new("lang", ConfigProblem::UnsupportedLanguage(tag.to_owned())));
                None
            }),
            None => Some(fallback_locale(raw)),
        };

        let presets = match (currency, non_blank(&raw.presets)) {
            (Some(currency), Some(text)) => Presets::parse(text, currency)
                .map_err(|reason| errors.push(ConfigError::new("presets", ConfigProblem::MalformedPresets(reason))))
                .ok(),
            (Some(currency), None) => Some(default_presets(currency)),
            (None, _) => None,
        };

        match (endpoint, partner, locale, currency, presets) {
            (Some(endpoint), Some(partner), Some(locale), Some(currency), Some(presets)) if errors.is_empty() => {
                Ok(WidgetConfig { endpoint, partner, locale, currency, presets })
            }
            _ => Err(errors),
        }
    }
}

/// The page's own language, then the browser's, then English.
fn fallback_locale(raw: &RawConfig) -> Locale {
    raw.document_lang
        .iter()
        .chain(raw.browser_languages.iter())
        .find_map(|tag| Locale::from_tag(tag))
        .unwrap_or_default()
}

fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

// Native only: the tests stand in for the browser's URL parser with the `url` crate.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
