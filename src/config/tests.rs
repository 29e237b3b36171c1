use super::*;
use pledge::{Amount, SponsorshipOption};

/// A WHATWG URL parser, as the browser's `new URL()` is.
fn parse_url(text: &str) -> Option<ParsedUrl> {
    let url = url::Url::parse(text).ok()?;
    Some(ParsedUrl {
        href: url.as_str().to_owned(),
        protocol: format!("{}:", url.scheme()),
        hostname: url.host_str().unwrap_or_default().to_owned(),
        has_credentials: !url.username().is_empty() || url.password().is_some(),
    })
}

impl WidgetConfig {
    fn read(raw: &RawConfig) -> Result<WidgetConfig, Vec<ConfigError>> {
        WidgetConfig::parse(raw, &parse_url)
    }
}

fn raw(endpoint: &str) -> RawConfig {
    RawConfig { endpoint: Some(endpoint.to_owned()), ..RawConfig::default() }
}

fn problems(raw: &RawConfig) -> Vec<(&'static str, ConfigProblem)> {
    WidgetConfig::read(raw).unwrap_err().into_iter().map(|e| (e.attribute, e.problem)).collect()
}

#[test]
fn minimal_config_takes_documented_defaults() {
    let config = WidgetConfig::read(&raw("https://charity.example.org/v1/pledges")).unwrap();
    assert_eq!(config.endpoint, "https://charity.example.org/v1/pledges");
    assert_eq!(config.partner, DEFAULT_PARTNER);
    assert_eq!(config.currency, Currency::GBP);
    assert_eq!(config.locale, Locale::En);
    assert_eq!(config.presets, default_presets(Currency::GBP));
}

#[test]
fn full_config_is_read() {
    let config = WidgetConfig::read(&RawConfig {
        endpoint: Some("https://charity.example.org/v1/pledges".into()),
        partner: Some("acme-school".into()),
        lang: Some("fr".into()),
        currency: Some("eur".into()),
        presets: Some("child: 30, 40".into()),
        ..RawConfig::default()
    })
    .unwrap();
    assert_eq!(config.partner, "acme-school");
    assert_eq!(config.locale, Locale::Fr);
    assert_eq!(config.currency, Currency::EUR);
    assert_eq!(config.presets.child, vec![Amount::new(3000, Currency::EUR), Amount::new(4000, Currency::EUR)]);
    assert_eq!(config.presets.village, default_presets(Currency::EUR).village);
}

#[test]
fn endpoint_is_required() {
    assert_eq!(problems(&RawConfig::default()), vec![("endpoint", ConfigProblem::Missing)]);
    assert_eq!(problems(&raw("   ")), vec![("endpoint", ConfigProblem::Missing)]);
}

#[test]
fn endpoint_must_be_https_or_loopback_http() {
    for good in [
        "https://charity.example.org/v1/pledges",
        "HTTPS://charity.example.org",
        "http://localhost:8080/v1/pledges",
        "http://127.0.0.1:9/v1/pledges",
        "http://[::1]:8080/v1/pledges",
    ] {
        assert!(WidgetConfig::read(&raw(good)).is_ok(), "{good}");
    }
    let cases = [
        ("http://evil.example/v1/pledges", ConfigProblem::EndpointInsecure),
        ("http://localhost.evil.example/", ConfigProblem::EndpointInsecure),
        ("http://127.0.0.1.evil.example/", ConfigProblem::EndpointInsecure),
        ("javascript:alert(1)", ConfigProblem::EndpointNotAbsolute),
        ("data:text/html,<script>alert(1)</script>", ConfigProblem::EndpointNotAbsolute),
        ("/v1/pledges", ConfigProblem::EndpointNotAbsolute),
        ("//charity.example.org/v1/pledges", ConfigProblem::EndpointNotAbsolute),
        ("ftp://charity.example.org/", ConfigProblem::EndpointNotAbsolute),
        ("https://", ConfigProblem::EndpointNotAbsolute),
        ("https://charity.example.org/v1 pledges", ConfigProblem::EndpointNotAbsolute),
        ("https://user:pass@charity.example.org/v1/pledges", ConfigProblem::EndpointHasCredentials),
        ("https://user@charity.example.org/", ConfigProblem::EndpointHasCredentials),
        ("http://localhost@evil.example/", ConfigProblem::EndpointHasCredentials),
    ];
    for (endpoint, problem) in cases {
        assert_eq!(problems(&raw(endpoint)), vec![("endpoint", problem)], "{endpoint}");
    }
}

#[test]
fn the_endpoint_is_kept_as_the_url_parser_writes_it() {
    for (given, kept) in [
        ("HTTPS://Charity.Example.org:443/v1/pledges", "https://charity.example.org/v1/pledges"),
        ("https://charity.example.org", "https://charity.example.org/"),
        ("https://例え.jp/v1/pledges", "https://xn--r8jz45g.jp/v1/pledges"),
        ("http://LOCALHOST:8080/v1/pledges#top", "http://localhost:8080/v1/pledges#top"),
        ("http://[0:0::1]:8080/v1", "http://[::1]:8080/v1"),
    ] {
        assert_eq!(WidgetConfig::read(&raw(given)).unwrap().endpoint, kept, "{given}");
    }
    for hidden in [
        "https://charity.example.org/v1/\tpledges",
        "https://charity.example.org\\v1",
        "https://charity.example.org/v1\n/pledges",
    ] {
        assert_eq!(problems(&raw(hidden)), vec![("endpoint", ConfigProblem::EndpointNotAbsolute)], "{hidden:?}");
    }
}

#[test]
fn partner_must_be_a_slug() {
    for good in ["acme-school", "a", "0-9", &"x".repeat(64)] {
        let mut config = raw("https://e.example");
        config.partner = Some(good.to_owned());
        assert!(WidgetConfig::read(&config).is_ok(), "{good}");
    }
    for bad in ["Acme", "acme_school", "acme school", "école", &"x".repeat(65), "<b>"] {
        let mut config = raw("https://e.example");
        config.partner = Some(bad.to_owned());
        assert_eq!(problems(&config), vec![("partner", ConfigProblem::MalformedPartner)], "{bad}");
    }
}

#[test]
fn currency_must_be_supported() {
    for (code, currency) in
        [("GBP", Currency::GBP), ("eur", Currency::EUR), ("USD", Currency::USD), ("XOF", Currency::XOF)]
    {
        let mut config = raw("https://e.example");
        config.currency = Some(code.to_owned());
        assert_eq!(WidgetConfig::read(&config).unwrap().currency, currency);
    }
    let mut config = raw("https://e.example");
    config.currency = Some("JPY".to_owned());
    assert_eq!(problems(&config), vec![("currency", ConfigProblem::UnknownCurrency("JPY".into()))]);
}

#[test]
fn language_falls_back_from_attribute_to_page_to_browser_to_english() {
    let mut config = raw("https://e.example");
    config.browser_languages = vec!["de-DE".into(), "fr-FR".into()];
    assert_eq!(WidgetConfig::read(&config).unwrap().locale, Locale::Fr);
    config.document_lang = Some("en-GB".into());
    assert_eq!(WidgetConfig::read(&config).unwrap().locale, Locale::En);
    config.lang = Some("fr-ML".into());
    assert_eq!(WidgetConfig::read(&config).unwrap().locale, Locale::Fr);
    let mut unknown_everywhere = raw("https://e.example");
    unknown_everywhere.document_lang = Some("bm".into());
    unknown_everywhere.browser_languages = vec!["de".into()];
    assert_eq!(WidgetConfig::read(&unknown_everywhere).unwrap().locale, Locale::En);
}

#[test]
fn an_explicit_unsupported_language_is_an_error() {
    let mut config = raw("https://e.example");
    config.lang = Some("de".into());
    assert_eq!(problems(&config), vec![("lang", ConfigProblem::UnsupportedLanguage("de".into()))]);
}

#[test]
fn presets_are_read_in_major_units_of_the_currency() {
    let presets = Presets::parse("child:20,30; village:5; one-off:100", Currency::GBP).unwrap();
    assert_eq!(
        presets.for_option(SponsorshipOption::Child),
        [Amount::new(2000, Currency::GBP), Amount::new(3000, Currency::GBP)]
    );
    assert_eq!(presets.for_option(SponsorshipOption::Village), [Amount::new(500, Currency::GBP)]);
    assert_eq!(presets.for_option(SponsorshipOption::OneOff), [Amount::new(10000, Currency::GBP)]);
    let xof = Presets::parse("child:15000", Currency::XOF).unwrap();
    assert_eq!(xof.child, [Amount::new(15_000, Currency::XOF)]);
}

#[test]
fn malformed_presets_are_explained() {
    for bad in ["child", "pony:5", "child:abc", "child:2.50", "child:", "child:1", "child:1000000", "child:1,2,3,4,5"] {
        let result = Presets::parse(bad, Currency::GBP);
        assert!(result.is_err(), "{bad} was accepted");
    }
    let mut config = raw("https://e.example");
    config.presets = Some("pony:5".into());
    assert!(matches!(problems(&config)[..], [("presets", ConfigProblem::MalformedPresets(_))]));
}

#[test]
fn default_presets_are_within_bounds_for_every_currency() {
    for currency in Currency::ALL {
        let presets = default_presets(currency);
        for option in SponsorshipOption::ALL {
            let amounts = presets.for_option(option);
            assert!(!amounts.is_empty() && amounts.len() <= MAX_PRESETS_PER_OPTION);
            assert!(amounts.iter().all(|a| a.currency == currency && a.check_bounds().is_ok()));
        }
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let config = RawConfig {
        endpoint: None,
        partner: Some("Bad Id".into()),
        currency: Some("BTC".into()),
        lang: Some("xx".into()),
        ..RawConfig::default()
    };
    let attributes: Vec<_> = problems(&config).into_iter().map(|(attribute, _)| attribute).collect();
    assert_eq!(attributes, ["endpoint", "partner", "currency", "lang"]);
}

#[test]
fn absurdly_long_values_are_refused_before_parsing() {
    let mut config = raw(&format!("https://e.example/{}", "a".repeat(MAX_ATTRIBUTE_CHARS)));
    config.partner = Some("p".repeat(100_000));
    assert_eq!(problems(&config), vec![("endpoint", ConfigProblem::TooLong), ("partner", ConfigProblem::TooLong)]);
}

#[test]
fn messages_name_the_attribute_and_the_expectation() {
    let message = ConfigError::new("currency", ConfigProblem::UnknownCurrency("JPY".into())).message();
    assert!(message.contains("\"currency\"") && message.contains("GBP, EUR, USD or XOF") && message.contains("JPY"));
    let message = ConfigError::new("endpoint", ConfigProblem::EndpointInsecure).message();
    assert!(message.contains("\"endpoint\"") && message.contains("https:"));
}

#[test]
fn every_problem_reads_in_both_languages_and_names_its_attribute() {
    let every_problem = [
        ConfigProblem::Missing,
        ConfigProblem::TooLong,
        ConfigProblem::EndpointNotAbsolute,
        ConfigProblem::EndpointInsecure,
        ConfigProblem::EndpointHasCredentials,
        ConfigProblem::UnknownCurrency("JPY".into()),
        ConfigProblem::MalformedPartner,
        ConfigProblem::UnsupportedLanguage("de".into()),
        ConfigProblem::MalformedPresets(PresetsProblem::NotAClause("child 5".into())),
        ConfigProblem::MalformedPresets(PresetsProblem::UnknownOption("pony".into())),
        ConfigProblem::MalformedPresets(PresetsProblem::TooManyOrNone("child".into())),
        ConfigProblem::MalformedPresets(PresetsProblem::NotWhole("2.5".into())),
        ConfigProblem::MalformedPresets(PresetsProblem::OutOfRange("0".into())),
    ];
    for problem in every_problem {
        let error = ConfigError::new("some-attribute", problem.clone());
        let english = error.message_in(crate::i18n::messages(Locale::En));
        let french = error.message_in(crate::i18n::messages(Locale::Fr));
        assert_eq!(error.message(), english, "the console reads English");
        assert!(english.starts_with("The \"some-attribute\" attribute "), "{english}");
        assert!(french.starts_with("L'attribut «\u{a0}some-attribute\u{a0}» "), "{french}");
        assert_ne!(english, french);
        assert!(!english.contains('{') && !french.contains('{'), "every placeholder is filled: {english} / {french}");
    }
}

#[test]
fn a_configuration_error_is_shown_in_the_language_asked_for_or_the_page_s() {
    let mut config = raw("http://evil.example/");
    assert_eq!(locale_of(&config), Locale::En);
    config.document_lang = Some("fr-ML".into());
    assert_eq!(locale_of(&config), Locale::Fr, "the page's language");
    config.lang = Some("en".into());
    assert_eq!(locale_of(&config), Locale::En, "the lang attribute, when the widget speaks it");
    config.lang = Some("de".into());
    assert_eq!(locale_of(&config), Locale::Fr, "a language the widget does not speak falls back to the page's");
}

mod links {
    use super::*;

    const ENDPOINT: &str = "https://charity.example.org/v1/pledges";

    fn with(privacy: Option<&str>, continue_url: Option<&str>) -> RawConfig {
        RawConfig { privacy_url: privacy.map(Into::into), continue_url: continue_url.map(Into::into), ..raw(ENDPOINT) }
    }

    #[test]
    fn both_links_are_optional_and_blank_is_absent() {
        for raw in [with(None, None), with(Some("  "), Some(""))] {
            let config = WidgetConfig::read(&raw).unwrap();
            assert_eq!((config.privacy_url, config.continue_url), (None, None));
        }
    }

    #[test]
    fn the_privacy_notice_is_kept_as_the_url_parser_writes_it() {
        let config = WidgetConfig::read(&with(Some("HTTPS://Charity.Example.org/privacy"), None)).unwrap();
        assert_eq!(config.privacy_url.as_deref(), Some("https://charity.example.org/privacy"));
    }

    #[test]
    fn the_continue_url_keeps_its_placeholder_for_the_reference() {
        let template = "https://charity.example.org/give?ref={reference}&via=widget";
        let config = WidgetConfig::read(&with(None, Some(template))).unwrap();
        assert_eq!(config.continue_url.as_deref(), Some(template));
        assert_eq!(
            continue_href(template, "SK-7Q2M-K9XD", &parse_url).as_deref(),
            Some("https://charity.example.org/give?ref=SK-7Q2M-K9XD&via=widget")
        );
        let in_the_path = "https://charity.example.org/pledges/{reference}/set-up";
        assert_eq!(
            continue_href(in_the_path, "SK-1", &parse_url).as_deref(),
            Some("https://charity.example.org/pledges/SK-1/set-up")
        );
        assert_eq!(
            continue_href("https://charity.example.org/set-up", "SK-1", &parse_url).as_deref(),
            Some("https://charity.example.org/set-up"),
            "a page without the placeholder is linked as it is"
        );
    }

    #[test]
    fn a_reference_can_add_to_the_continue_url_but_never_change_its_shape() {
        let template = "https://charity.example.org/give?ref={reference}";
        for (reference, written) in [
            ("a&admin=1", "a%26admin%3D1"),
            ("x#frag", "x%23frag"),
            ("../../logout", "..%2F..%2Flogout"),
            ("@evil.example", "%40evil.example"),
        ] {
            assert_eq!(
                continue_href(template, reference, &parse_url),
                Some(format!("https://charity.example.org/give?ref={written}")),
                "{reference}"
            );
        }
        let in_the_host = "https://{reference}.charity.example.org/";
        assert_eq!(continue_href(in_the_host, "evil.example/x", &parse_url), None, "nothing the parser would rewrite");
    }

    #[test]
    fn both_links_follow_the_endpoint_s_rules_and_are_named_when_refused() {
        let cases = [
            ("http://charity.example.org/", ConfigProblem::EndpointInsecure),
            ("javascript:alert(1)", ConfigProblem::EndpointNotAbsolute),
            ("/privacy", ConfigProblem::EndpointNotAbsolute),
            ("https://user:pass@charity.example.org/", ConfigProblem::EndpointHasCredentials),
            ("https://charity.example.org/a b", ConfigProblem::EndpointNotAbsolute),
        ];
        for (url, problem) in cases {
            assert_eq!(problems(&with(Some(url), None)), vec![("privacy-url", problem.clone())], "{url}");
            assert_eq!(problems(&with(None, Some(url))), vec![("continue-url", problem)], "{url}");
        }
        assert_eq!(
            problems(&with(None, Some("http://charity.example.org/{reference}"))),
            vec![("continue-url", ConfigProblem::EndpointInsecure)]
        );
        let long = format!("https://charity.example.org/{}", "a".repeat(MAX_ATTRIBUTE_CHARS));
        assert_eq!(problems(&with(Some(&long), None)), vec![("privacy-url", ConfigProblem::TooLong)]);
    }
}

#[test]
fn a_url_that_is_not_absolute_is_explained_with_an_address_of_its_own_kind() {
    let message = |attribute: &'static str| ConfigError::new(attribute, ConfigProblem::EndpointNotAbsolute).message();
    assert_eq!(
        message("endpoint"),
        "The \"endpoint\" attribute must be an absolute URL, such as https://charity.example.org/v1/pledges."
    );
    assert_eq!(
        message("privacy-url"),
        "The \"privacy-url\" attribute must be an absolute URL, such as https://charity.example.org/privacy."
    );
    assert_eq!(
        message("continue-url"),
        "The \"continue-url\" attribute must be an absolute URL, such as https://charity.example.org/give."
    );
    let french = ConfigError::new("privacy-url", ConfigProblem::EndpointNotAbsolute)
        .message_in(crate::i18n::messages(Locale::Fr));
    assert!(french.ends_with("par exemple https://charity.example.org/privacy."), "{french}");
}
