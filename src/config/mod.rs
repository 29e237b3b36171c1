//! The partner's configuration: the attributes of `<sanankoroba-widget>` or the object given to
//! `SanankorobaWidget.mount`, checked before anything is shown.
//!
//! A broken configuration never reaches the flow: the partner sees which attribute is wrong and
//! what was expected, and no pledge can be sent to an endpoint we could not trust.

mod endpoint;
mod link;
mod presets;

use pledge::{is_partner_id, Currency, Locale};

use crate::i18n::{fill, messages, Messages};

pub use endpoint::{check_endpoint, ParsedUrl, UrlParser};
pub use link::{check_continue_url, continue_href, REFERENCE_PLACEHOLDER};
pub use presets::{default_presets, Presets, PresetsProblem, MAX_PRESETS_PER_OPTION};

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
    pub privacy_url: Option<String>,
    pub continue_url: Option<String>,
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
    /// The charity's privacy notice, linked where the donor gives their details.
    pub privacy_url: Option<String>,
    /// The charity's page for setting up the gift, with [`REFERENCE_PLACEHOLDER`] where the
    /// pledge's reference goes; offered as a link once the pledge is received.
    pub continue_url: Option<String>,
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
    MalformedPresets(PresetsProblem),
}

impl ConfigError {
    fn new(attribute: &'static str, problem: ConfigProblem) -> Self {
        ConfigError { attribute, problem }
    }

    /// What the partner reads in the console, in English.
    pub fn message(&self) -> String {
        self.message_in(messages(Locale::En))
    }

    /// What the widget shows in place of the form, in the page's language: a donor may read it
    /// too, while the partner's developer reads the console.
    pub fn message_in(&self, text: &Messages) -> String {
        let max = MAX_ATTRIBUTE_CHARS.to_string();
        let problem = match &self.problem {
            ConfigProblem::Missing => text.config_missing.to_owned(),
            ConfigProblem::TooLong => fill(text.config_too_long, &[("max", &max)]),
            ConfigProblem::EndpointNotAbsolute => {
                fill(text.config_not_absolute, &[("example", example_url(self.attribute))])
            }
            ConfigProblem::EndpointInsecure => text.config_insecure.to_owned(),
            ConfigProblem::EndpointHasCredentials => text.config_credentials.to_owned(),
            ConfigProblem::UnknownCurrency(given) => fill(text.config_currency, &[("given", given)]),
            ConfigProblem::MalformedPartner => text.config_partner.to_owned(),
            ConfigProblem::UnsupportedLanguage(given) => fill(text.config_language, &[("given", given)]),
            ConfigProblem::MalformedPresets(reason) => {
                fill(text.config_presets, &[("reason", &presets_reason(reason, text))])
            }
        };
        fill(text.config_attribute, &[("attribute", self.attribute), ("problem", &problem)])
    }
}

/// An address of the kind `attribute` takes, for a message that asks for one.
fn example_url(attribute: &str) -> &'static str {
    match attribute {
        "privacy-url" => "https://charity.example.org/privacy",
        "continue-url" => "https://charity.example.org/give",
        _ => "https://charity.example.org/v1/pledges",
    }
}

fn presets_reason(reason: &PresetsProblem, text: &Messages) -> String {
    let max = MAX_PRESETS_PER_OPTION.to_string();
    match reason {
        PresetsProblem::NotAClause(clause) => fill(text.presets_not_a_clause, &[("given", clause)]),
        PresetsProblem::UnknownOption(given) => fill(text.presets_unknown_option, &[("given", given)]),
        PresetsProblem::TooManyOrNone(option) => fill(text.presets_count, &[("max", &max), ("given", option)]),
        PresetsProblem::NotWhole(given) => fill(text.presets_not_whole, &[("given", given)]),
        PresetsProblem::OutOfRange(given) => fill(text.presets_out_of_range, &[("given", given)]),
    }
}

/// The language the widget speaks for `raw`: its `lang` when that is one the widget has, else
/// the page's or the browser's. A configuration error is shown in it.
pub fn locale_of(raw: &RawConfig) -> Locale {
    non_blank(&raw.lang).and_then(Locale::from_tag).unwrap_or_else(|| fallback_locale(raw))
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
            ("privacy-url", &raw.privacy_url),
            ("continue-url", &raw.continue_url),
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

        let privacy_url = non_blank(&raw.privacy_url).and_then(|url| {
            check_endpoint(url, parse_url).map_err(|problem| errors.push(ConfigError::new("privacy-url", problem))).ok()
        });
        let continue_url = non_blank(&raw.continue_url).and_then(|template| {
            check_continue_url(template, parse_url)
                .map_err(|problem| errors.push(ConfigError::new("continue-url", problem)))
                .ok()
        });

        match (endpoint, partner, locale, currency, presets) {
            (Some(endpoint), Some(partner), Some(locale), Some(currency), Some(presets)) if errors.is_empty() => {
                Ok(WidgetConfig { endpoint, partner, locale, currency, presets, privacy_url, continue_url })
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
