//! The receiver's configuration: command-line flags, each with an environment variable of the
//! same meaning (the flag wins when both are given).
//!
//! A setting that cannot work is refused here, before anything starts, with a message naming
//! the flag, its variable and the value (secrets left out). Neither [`Args`] nor [`Settings`]
//! ever prints the admin token, a database password or the SMTP password, not even through
//! `Debug`.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use url::Url;

use crate::http::middleware::client_address::TrustedProxies;
use crate::notify::email::Charity;
use crate::notify::mailer::settings::{self as mail, MailSettings, SmtpCredentials, SmtpTls};
use crate::notify::{RetryPolicy, WebhookSecret};
use crate::outbox::WebhookEndpoint;
use crate::staff::account_command::UserAction;
use crate::storage::Database;

/// Shorter tokens can be guessed by someone who can try them at the receiver's own speed.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 32;

#[derive(Clone, Parser)]
#[command(
    name = "sanankoroba-receiver",
    version,
    about = "Receives sponsorship pledges from the Sanankoroba widget, stores them and exports them for the charity.",
    after_help = "Logs go to standard error; set RUST_LOG (for example RUST_LOG=debug or RUST_LOG=info,sqlx=warn) to change their detail.\nSee server/README.md for the API, storage, backups and security notes."
)]
pub struct Args {
    /// Address and port to listen on. Port 0 picks a free port; the chosen one is printed as
    /// `listening on http://ADDRESS:PORT`.
    #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Where pledges are kept: `sqlite://PATH` (created if missing, with its folder) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE`. In-memory SQLite is refused: its pledges
    /// would vanish at the next restart.
    // Global, so that `user add NAME --database-url …` names the database after the command too;
    // the variable's value is kept out of `--help`, since it may hold the database password.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://./data/pledges.db",
        global = true,
        hide_env_values = true
    )]
    pub database_url: String,

    /// Partner page origins allowed to post pledges from the browser, comma-separated, such as
    /// `https://www.stmarys.example,https://friends.example:8443`. Exact origins only: no
    /// wildcard, no path.
    #[arg(long, env = "ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Bearer token for the charity's admin endpoints, at least 32 printable ASCII characters.
    /// When unset, a random token is generated and printed at start.
    #[arg(long, env = "ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// The built widget folder served under /widget/ (made by `cargo xtask dist`).
    #[arg(long = "dist", env = "WIDGET_DIST", default_value = "dist/widget")]
    pub widget_dist: PathBuf,

    /// The origin browsers use to reach this receiver, written into the demo page.
    /// Defaults to http:// followed by the address actually bound.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The demo partner page served at /. Its `{{receiver_origin}}` placeholder is replaced by
    /// the public URL; assets next to it in a `demo/` folder are served under /demo/.
    #[arg(long, env = "DEMO_PAGE", default_value = "index.html")]
    pub demo_page: PathBuf,

    /// Pledges completed faster than this many milliseconds after the form was shown are taken
    /// for bots: answered 201 like any pledge and stored for review, out of the default
    /// exports. Three seconds is faster than anyone reads the options and types a name and an
    /// email address.
    #[arg(long, env = "MIN_FILL_MS", default_value_t = 3000)]
    pub min_fill_ms: u64,

    /// Pledge submissions allowed per client IP address (IPv6: per /64) and minute, as a burst
    /// that refills evenly over the minute. 0 turns the limit off.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 10)]
    pub rate_limit_per_minute: u32,

    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers are believed, as
    /// comma-separated CIDR blocks or addresses, such as `127.0.0.1,10.0.0.0/8`. The client
    /// address (rate limit, logs) is read from those headers only when the connection comes
    /// from one of them; otherwise it is the connection's own address.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,

    /// Days after which a pledge that never reached `converted` has its donor's details
    /// erased automatically (amounts and dates are kept). Unset, nothing is erased
    /// automatically. A year (365) keeps time to follow up a pledge and nothing longer.
    #[arg(long, env = "RETENTION_DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub retention_days: Option<u32>,

    /// Where to send signed events about pledges, as `NAME=URL`, such as
    /// `crm=https://crm.example.org/hooks/sanankoroba`; repeat the flag for several endpoints
    /// (comma-separated in the variable). NAME (lower-case letters, digits, - and _) names the
    /// endpoint in the delivery list. The URL must be https (http only to a loopback address).
    /// Each endpoint needs a secret from --webhook-secret.
    #[arg(long = "webhook", env = "WEBHOOKS", value_delimiter = ',', value_name = "NAME=URL")]
    pub webhooks: Vec<String>,

    /// The secret that signs an endpoint's events, as `NAME=SECRET`, 24 to 512 characters
    /// without commas; repeat for each endpoint (comma-separated in the variable). Give an
    /// endpoint two secrets while replacing one: each event then carries both signatures. Prefer
    /// the variable, since a process's arguments are visible to other users of the machine.
    #[arg(
        long = "webhook-secret",
        env = "WEBHOOK_SECRETS",
        value_delimiter = ',',
        value_name = "NAME=SECRET",
        hide_env_values = true
    )]
    pub webhook_secrets: Vec<String>,

    /// The longest wait, in milliseconds, after a webhook delivery's first failure; it doubles
    /// with each failure. For tests; the default is a minute.
    #[arg(long, env = "WEBHOOK_RETRY_BASE_MS", hide = true)]
    pub webhook_retry_base_ms: Option<u64>,

    /// How long one webhook attempt may take, in milliseconds. For tests; the default is ten
    /// seconds.
    #[arg(long, env = "WEBHOOK_TIMEOUT_MS", hide = true)]
    pub webhook_timeout_ms: Option<u64>,

    /// Print the OpenAPI document and exit.
    #[arg(long)]
    pub print_openapi: bool,

    /// Without a command, the receiver starts.
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub mail: MailArgs,
}

/// Something to do instead of starting the receiver.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Add, remove or list the staff accounts that may sign in to the inbox.
    #[command(subcommand)]
    User(UserAction),
}

/// Everything the running receiver needs, validated.
#[derive(Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub database_url: String,
    pub allowed_origins: Vec<String>,
    pub admin_token: String,
    pub widget_dist: PathBuf,
    pub public_url: Option<String>,
    pub demo_page: PathBuf,
    pub min_fill: Duration,
    pub rate_limit_per_minute: u32,
    pub trusted_proxies: TrustedProxies,
    pub timeouts: Timeouts,
    /// Days before the donor's details on a pledge that never converted are erased.
    pub retention_days: Option<u32>,
    pub webhooks: Webhooks,
    /// How e-mail is sent; `None` when no SMTP host is set and no e-mail is sent.
    pub mail: Option<MailSettings>,
}

/// The endpoints events are delivered to, and how deliveries are paced.
#[derive(Debug, Clone)]
pub struct Webhooks {
    pub endpoints: Vec<WebhookEndpoint>,
    pub retry: RetryPolicy,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for Webhooks {
    fn default() -> Self {
        Webhooks { endpoints: Vec::new(), retry: RetryPolicy::default(), timeout: Duration::from_secs(10) }
    }
}

/// At most this many secrets per endpoint: the one in use and the one replacing it.
const MAX_SECRETS_PER_ENDPOINT: usize = 2;

/// The endpoints from `--webhook` and their secrets from `--webhook-secret`, checked together.
fn parse_webhooks(webhooks: &[String], secrets: &[String]) -> Result<Vec<WebhookEndpoint>, String> {
    let flag = setting("webhook", "WEBHOOKS");
    let secret_flag = setting("webhook-secret", "WEBHOOK_SECRETS");
    let mut endpoints: Vec<WebhookEndpoint> = Vec::new();
    for item in webhooks.iter().map(|item| item.trim()).filter(|item| !item.is_empty()) {
        let Some((name, url)) = item.split_once('=') else {
            return Err(format!("{flag}: `{item}` is not NAME=URL"));
        };
        let (name, url) = (name.trim(), url.trim());
        WebhookEndpoint::check_name(name).map_err(|why| format!("{flag}: {why}"))?;
        if endpoints.iter().any(|endpoint| endpoint.name == name) {
            return Err(format!("{flag}: the endpoint name `{name}` is given twice"));
        }
        let url = WebhookEndpoint::parse_url(url).map_err(|why| format!("{flag}: {why}"))?;
        endpoints.push(WebhookEndpoint { name: name.to_owned(), url, secrets: Vec::new() });
    }
    for item in secrets.iter().filter(|item| !item.trim().is_empty()) {
        // The value is never repeated in a message: it is, or contains, a secret.
        let Some((name, secret)) = item.split_once('=') else {
            return Err(format!("{secret_flag}: a value is not NAME=SECRET"));
        };
        let name = name.trim();
        let Some(endpoint) = endpoints.iter_mut().find(|endpoint| endpoint.name == name) else {
            return Err(format!("{secret_flag}: a secret is given for `{name}`, which no --webhook names"));
        };
        let secret = WebhookSecret::from_operator(secret)
            .map_err(|why| format!("{secret_flag}: the secret for `{name}`: {why}"))?;
        if endpoint.secrets.len() == MAX_SECRETS_PER_ENDPOINT {
            return Err(format!("{secret_flag}: `{name}` has more than {MAX_SECRETS_PER_ENDPOINT} secrets; give the one in use and at most one replacing it"));
        }
        endpoint.secrets.push(secret);
    }
    if let Some(unsigned) = endpoints.iter().find(|endpoint| endpoint.secrets.is_empty()) {
        return Err(format!(
            "{secret_flag}: the webhook `{}` has no secret; give it one as {}=SECRET",
            unsigned.name, unsigned.name
        ));
    }
    Ok(endpoints)
}

/// How long the receiver waits, so that slow or stuck clients cannot hold connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For a request body to arrive in full; longer than a pledge takes over a poor phone link.
    pub body: Duration,
    /// For any request from its headers to its answer.
    pub request: Duration,
    /// For the health check's write through the writer; a writer slower than this is reported
    /// as stuck, well before a load balancer's own timeout.
    pub health: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { body: Duration::from_secs(10), request: Duration::from_secs(20), health: Duration::from_secs(3) }
    }
}

impl Settings {
    /// Settings for a receiver on a free loopback port with the given database and token, and
    /// every other value at its default.
    pub fn new(database_url: impl Into<String>, admin_token: impl Into<String>) -> Settings {
        Settings {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.into(),
            allowed_origins: Vec::new(),
            admin_token: admin_token.into(),
            widget_dist: PathBuf::from("dist/widget"),
            public_url: None,
            demo_page: PathBuf::from("index.html"),
            min_fill: Duration::from_millis(3000),
            rate_limit_per_minute: 10,
            trusted_proxies: TrustedProxies::default(),
            timeouts: Timeouts::default(),
            retention_days: None,
            webhooks: Webhooks::default(),
            mail: None,
        }
    }
}

/// Names a setting by its flag and its variable, as every refusal does.
fn setting(flag: &str, variable: &str) -> String {
    format!("--{flag} / {variable}")
}

impl Args {
    /// The validated settings, and whether the admin token was generated here.
    pub fn into_settings(self) -> Result<(Settings, bool), String> {
        let allowed_origins = self
            .allowed_origins
            .iter()
            .map(|origin| origin.trim())
            .filter(|origin| !origin.is_empty())
            .map(|origin| {
                parse_origin(origin).map_err(|why| format!("{}: {why}", setting("allowed-origins", "ALLOWED_ORIGINS")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let public_url = self
            .public_url
            .map(|url| parse_origin(&url).map_err(|why| format!("{}: {why}", setting("public-url", "PUBLIC_URL"))))
            .transpose()?;
        let (admin_token, generated) = match self.admin_token.filter(|token| !token.trim().is_empty()) {
            Some(token) => {
                let token = token.trim().to_owned();
                check_admin_token(&token).map_err(|why| format!("{}: {why}", setting("admin-token", "ADMIN_TOKEN")))?;
                (token, false)
            }
            None => (generate_token(), true),
        };
        check_database_url(&self.database_url)
            .map_err(|why| format!("{}: {why}", setting("database-url", "DATABASE_URL")))?;
        let trusted_proxies = TrustedProxies::parse_list(self.trusted_proxies.iter().map(String::as_str))
            .map_err(|why| format!("{}: {why}", setting("trusted-proxies", "TRUSTED_PROXIES")))?;
        let mut webhooks =
            Webhooks { endpoints: parse_webhooks(&self.webhooks, &self.webhook_secrets)?, ..Webhooks::default() };
        if let Some(base) = self.webhook_retry_base_ms {
            webhooks.retry.base = Duration::from_millis(base.max(1));
        }
        if let Some(timeout) = self.webhook_timeout_ms {
            webhooks.timeout = Duration::from_millis(timeout.max(1));
        }
        let mail = self.mail.into_mail_settings()?;
        let settings = Settings {
            bind: self.bind,
            database_url: self.database_url,
            allowed_origins,
            admin_token,
            widget_dist: self.widget_dist,
            public_url,
            demo_page: self.demo_page,
            min_fill: Duration::from_millis(self.min_fill_ms),
            rate_limit_per_minute: self.rate_limit_per_minute,
            trusted_proxies,
            timeouts: Timeouts::default(),
            retention_days: self.retention_days,
            webhooks,
            mail,
        };
        Ok((settings, generated))
    }
}

/// An exact web origin as browsers send it in `Origin`: `scheme://host[:port]`, the host
/// lower-cased and in punycode, the scheme's default port left out. A wildcard or `null`
/// would let any page post pledges, and a path, query or fragment can never match an
/// `Origin` header, so all of those are refused.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let refuse = |why: &str| Err(format!("`{trimmed}` is not an origin: {why}; write it as scheme://host[:port]"));
    if trimmed.contains('*') {
        return refuse("wildcards are not allowed");
    }
    if trimmed.eq_ignore_ascii_case("null") {
        return refuse("`null` would admit sandboxed pages and local files");
    }
    let url = match Url::parse(trimmed) {
        Ok(url) => url,
        Err(error) => return refuse(&error.to_string()),
    };
    if url.scheme() != "http" && url.scheme() != "https" {
        return refuse("the scheme must be http or https");
    }
    if url.host().is_none() {
        return refuse("it has no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("it has a user name or password");
    }
    if url.path() != "/" {
        return refuse("it has a path");
    }
    if url.query().is_some() {
        return refuse("it has a query");
    }
    if url.fragment().is_some() {
        return refuse("it has a fragment");
    }
    Ok(url.origin().ascii_serialization())
}

/// A token a client can present: long enough, and printable ASCII, since an HTTP header
/// carries nothing else.
fn check_admin_token(token: &str) -> Result<(), String> {
    if !token.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err("the token must be printable ASCII without spaces, since it travels in an HTTP header".to_owned());
    }
    let length = token.chars().count();
    if length < MIN_ADMIN_TOKEN_CHARS {
        return Err(format!(
            "the token has {length} characters; use at least {MIN_ADMIN_TOKEN_CHARS}, or leave it unset to have 256 random bits generated"
        ));
    }
    Ok(())
}

/// A database URL the receiver can keep pledges in across restarts.
pub fn check_database_url(url: &str) -> Result<(), String> {
    if is_in_memory_sqlite(url) {
        return Err(format!(
            "`{url}` is an in-memory database, whose pledges would vanish at the next restart; use sqlite://PATH or postgres://…"
        ));
    }
    Database::from_url(url).map(drop).map_err(|error| format!("`{}`: {error}", redact_database_url(url)))
}

/// Whether a `sqlite:` URL names a database that lives only in memory: `:memory:`, an empty
/// file name (a temporary database), `mode=memory`, or the same through a `file:` URI.
pub fn is_in_memory_sqlite(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("sqlite:") else { return false };
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = path.strip_prefix("file:").map(|uri| uri.strip_prefix("//").unwrap_or(uri)).unwrap_or(path);
    let memory_mode = url::form_urlencoded::parse(query.as_bytes())
        .any(|(key, value)| key == "mode" && value.eq_ignore_ascii_case("memory"));
    memory_mode || path.is_empty() || path == ":memory:" || path.starts_with(":memory:")
}

/// The URL with its password, if any, replaced by `***`, for messages and `Debug`.
pub fn redact_database_url(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        // Not a URL the parser understands: show only its scheme, since the rest may hold a
        // password in some unforeseen shape.
        return match url.split_once(':') {
            Some((scheme, _)) if scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+') => {
                format!("{scheme}:***")
            }
            _ => "***".to_owned(),
        };
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    let pairs: Vec<(String, String)> = parsed.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    if pairs.iter().any(|(key, _)| key.eq_ignore_ascii_case("password")) {
        let mut query = parsed.query_pairs_mut();
        query.clear();
        for (key, value) in &pairs {
            query.append_pair(key, if key.eq_ignore_ascii_case("password") { "***" } else { value });
        }
    }
    parsed.to_string()
}

/// 256 random bits, hex-encoded.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The environment variable behind a flag that clap refused, so that a message about a value
/// read from the environment names where it came from.
pub fn variable_of_refused_flag(error: &clap::Error) -> Option<(String, String)> {
    use clap::error::ContextKind;
    use clap::CommandFactory;
    let refused = error.get(ContextKind::InvalidArg)?.to_string();
    let flag = refused.split_whitespace().next()?.trim_start_matches('-').to_owned();
    let command = Args::command();
    let argument = command.get_arguments().find(|argument| argument.get_long() == Some(flag.as_str()))?;
    Some((format!("--{flag}"), argument.get_env()?.to_string_lossy().into_owned()))
}

const REDACTED: &str = "[redacted]";

// Written out field by field, without `..`, so that a new field cannot be added without
// deciding how it is shown.
impl fmt::Debug for Args {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Args {
            bind,
            database_url,
            allowed_origins,
            admin_token,
            widget_dist,
            public_url,
            demo_page,
            min_fill_ms,
            rate_limit_per_minute,
            trusted_proxies,
            retention_days,
            webhooks,
            webhook_secrets,
            webhook_retry_base_ms,
            webhook_timeout_ms,
            print_openapi,
            command,
            mail,
        } = self;
        formatter
            .debug_struct("Args")
            .field("bind", bind)
            .field("database_url", &redact_database_url(database_url))
            .field("allowed_origins", allowed_origins)
            .field("admin_token", &admin_token.as_ref().map(|_| REDACTED))
            .field("widget_dist", widget_dist)
            .field("public_url", public_url)
            .field("demo_page", demo_page)
            .field("min_fill_ms", min_fill_ms)
            .field("rate_limit_per_minute", rate_limit_per_minute)
            .field("trusted_proxies", trusted_proxies)
            .field("retention_days", retention_days)
            .field("webhooks", webhooks)
            .field("webhook_secrets", &webhook_secrets.iter().map(|_| REDACTED).collect::<Vec<_>>())
            .field("webhook_retry_base_ms", webhook_retry_base_ms)
            .field("webhook_timeout_ms", webhook_timeout_ms)
            .field("print_openapi", print_openapi)
            .field("command", command)
            .field("mail", mail)
            .finish()
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Settings {
            bind,
            database_url,
            allowed_origins,
            admin_token: _,
            widget_dist,
            public_url,
            demo_page,
            min_fill,
            rate_limit_per_minute,
            trusted_proxies,
            timeouts,
            retention_days,
            webhooks,
            mail,
        } = self;
        formatter
            .debug_struct("Settings")
            .field("bind", bind)
            .field("database_url", &redact_database_url(database_url))
            .field("allowed_origins", allowed_origins)
            .field("admin_token", &REDACTED)
            .field("widget_dist", widget_dist)
            .field("public_url", public_url)
            .field("demo_page", demo_page)
            .field("min_fill", min_fill)
            .field("rate_limit_per_minute", rate_limit_per_minute)
            .field("trusted_proxies", trusted_proxies)
            .field("timeouts", timeouts)
            .field("retention_days", retention_days)
            .field("webhooks", webhooks)
            .field("mail", mail)
            .finish()
    }
}

/// The e-mail flags. E-mail is off unless `--smtp-host` is set; see "E-mail" in server/README.md.
#[derive(Clone, clap::Args)]
#[command(next_help_heading = "E-mail (off unless --smtp-host is set)")]
pub struct MailArgs {
    /// The SMTP server that sends the staff notifications and the donors' confirmations, such
    /// as `smtp.example.org`. Unset, no e-mail is sent.
    #[arg(long, env = "SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// The SMTP server's port. Defaults by --smtp-tls: 587 for starttls, 465 for tls, 25 for none.
    #[arg(long, env = "SMTP_PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub smtp_port: Option<u16>,

    /// How the connection to the SMTP server is encrypted. `none` is allowed only for a relay on
    /// this machine (localhost, 127.0.0.1, ::1), since it would send donors' details in clear.
    #[arg(long, env = "SMTP_TLS", value_enum, default_value_t = SmtpTls::StartTls)]
    pub smtp_tls: SmtpTls,

    /// User name for the SMTP server's AUTH; give --smtp-password with it.
    #[arg(long, env = "SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// Password for the SMTP server's AUTH; never printed or logged. Prefer the variable: other
    /// users of the machine can see a flag in the process list.
    #[arg(long, env = "SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,

    /// The sender of every e-mail, such as `Pledges <pledges@charity.example>`, on a domain the
    /// SMTP server may send for. Required with --smtp-host.
    #[arg(long, env = "MAIL_FROM")]
    pub mail_from: Option<String>,

    /// The charity's address: new-pledge notifications go to it, and donors' replies (such as a
    /// Gift Aid cancellation) reach it. Required with --smtp-host.
    #[arg(long, env = "CHARITY_EMAIL")]
    pub charity_email: Option<String>,

    /// The charity's name, as donors' confirmations and the Reply-To name it.
    #[arg(long, env = "CHARITY_NAME", default_value = "SOS Children's Villages UK")]
    pub charity_name: String,

    /// Whether donors are sent a confirmation of their pledge: true or false. Never for a pledge
    /// held for review, whose address may have been typed by a bot.
    #[arg(
        long,
        env = "DONOR_CONFIRMATIONS",
        default_value_t = true,
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub donor_confirmations: bool,
}

impl MailArgs {
    /// The validated e-mail settings, or `None` when no SMTP host is set.
    pub fn into_mail_settings(self) -> Result<Option<MailSettings>, String> {
        let given = |value: Option<String>| value.filter(|value| !value.trim().is_empty());
        let username = given(self.smtp_username).map(|username| username.trim().to_owned());
        // Not trimmed: a password may begin or end with a space.
        let password = self.smtp_password.filter(|password| !password.is_empty());
        let mail_from = given(self.mail_from);
        let charity_email = given(self.charity_email);
        let Some(host) = given(self.smtp_host) else {
            let stray = [
                (self.smtp_port.is_some(), "smtp-port", "SMTP_PORT"),
                (username.is_some(), "smtp-username", "SMTP_USERNAME"),
                (password.is_some(), "smtp-password", "SMTP_PASSWORD"),
                (mail_from.is_some(), "mail-from", "MAIL_FROM"),
                (charity_email.is_some(), "charity-email", "CHARITY_EMAIL"),
            ];
            return match stray.into_iter().find(|(set, _, _)| *set) {
                Some((_, flag, variable)) => Err(format!(
                    "{} is set, but no e-mail is sent without {}; set the SMTP host, or unset the e-mail settings",
                    setting(flag, variable),
                    setting("smtp-host", "SMTP_HOST")
                )),
                None => Ok(None),
            };
        };
        let host = mail::parse_host(&host).map_err(|why| format!("{}: {why}", setting("smtp-host", "SMTP_HOST")))?;
        let tls = self.smtp_tls;
        if let Some(why) = mail::refuse_plain_text(tls, &host) {
            return Err(format!("{}: {why}", setting("smtp-tls", "SMTP_TLS")));
        }
        let credentials = match (username, password) {
            (Some(username), Some(password)) => Some(SmtpCredentials::new(username, password)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(format!(
                    "{}: a user name is set, but no password",
                    setting("smtp-password", "SMTP_PASSWORD")
                ))
            }
            (None, Some(_)) => {
                return Err(format!(
                    "{}: a password is set, but no user name",
                    setting("smtp-username", "SMTP_USERNAME")
                ))
            }
        };
        let required = |value: Option<String>, flag: &str, variable: &str, what: &str| {
            let value = value.ok_or_else(|| {
                format!(
                    "{}: required when {} is set: {what}",
                    setting(flag, variable),
                    setting("smtp-host", "SMTP_HOST")
                )
            })?;
            mail::parse_mailbox(&value).map_err(|why| format!("{}: {why}", setting(flag, variable)))
        };
        let from = required(mail_from, "mail-from", "MAIL_FROM", "the sender of every e-mail")?;
        let charity_address = required(
            charity_email,
            "charity-email",
            "CHARITY_EMAIL",
            "the address that receives the new-pledge notifications and the donors' replies",
        )?;
        let charity_name = mail::parse_charity_name(&self.charity_name)
            .map_err(|why| format!("{}: {why}", setting("charity-name", "CHARITY_NAME")))?;
        Ok(Some(MailSettings {
            port: self.smtp_port.unwrap_or(tls.default_port()),
            host,
            tls,
            credentials,
            from,
            charity: Charity { address: mail::charity_mailbox(charity_address, &charity_name), name: charity_name },
            donor_confirmations: self.donor_confirmations,
            send_timeout: mail::SEND_TIMEOUT,
        }))
    }
}

impl fmt::Debug for MailArgs {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let MailArgs {
            smtp_host,
            smtp_port,
            smtp_tls,
            smtp_username,
            smtp_password,
            mail_from,
            charity_email,
            charity_name,
            donor_confirmations,
        } = self;
        formatter
            .debug_struct("MailArgs")
            .field("smtp_host", smtp_host)
            .field("smtp_port", smtp_port)
            .field("smtp_tls", smtp_tls)
            .field("smtp_username", smtp_username)
            .field("smtp_password", &smtp_password.as_ref().map(|_| REDACTED))
            .field("mail_from", mail_from)
            .field("charity_email", charity_email)
            .field("charity_name", charity_name)
            .field("donor_confirmations", donor_confirmations)
            .finish()
    }
}

#[cfg(test)]
mod mail_tests {
    use super::*;

    const SMTP: &[&str] = &[
        "--smtp-host",
        "smtp.example.org",
        "--mail-from",
        "pledges@charity.example",
        "--charity-email",
        "care@charity.example",
    ];

    fn parse(extra: &[&str]) -> Result<Option<MailSettings>, String> {
        let args = ["sanankoroba-receiver"].iter().chain(extra).copied();
        Args::try_parse_from(args).map_err(|error| error.to_string())?.mail.into_mail_settings()
    }

    /// The flags of a working SMTP set-up, with `extra`'s flag-value pairs replacing or added
    /// to them.
    fn with(extra: &[&str]) -> Result<Option<MailSettings>, String> {
        let mut args = SMTP.to_vec();
        for pair in extra.chunks(2) {
            match args.iter().position(|arg| *arg == pair[0]) {
                Some(at) => args[at + 1] = pair[1],
                None => args.extend_from_slice(pair),
            }
        }
        parse(&args)
    }

    #[test]
    fn e_mail_is_off_without_a_host() {
        assert!(parse(&[]).unwrap().is_none());
        assert!(parse(&["--smtp-host", " ", "--charity-name", "SOS"]).unwrap().is_none());
    }

    #[test]
    fn defaults_follow_the_tls_mode() {
        let settings = parse(SMTP).unwrap().unwrap();
        assert_eq!((settings.tls, settings.port), (SmtpTls::StartTls, 587));
        assert!(settings.donor_confirmations && settings.credentials.is_none());
        assert_eq!(settings.charity.name, "SOS Children's Villages UK");
        assert_eq!(settings.charity.address.to_string(), "SOS Children's Villages UK <care@charity.example>");
        assert_eq!(with(&["--smtp-tls", "tls"]).unwrap().unwrap().port, 465);
        assert_eq!(with(&["--smtp-tls", "tls", "--smtp-port", "2465"]).unwrap().unwrap().port, 2465);
        let local = [
            "--smtp-host",
            "127.0.0.1",
            "--smtp-tls",
            "none",
            "--mail-from",
            "a@b.example",
            "--charity-email",
            "c@b.example",
        ];
        let settings = parse(&local).unwrap().unwrap();
        assert_eq!((settings.tls, settings.port), (SmtpTls::Plain, 25));
        let off = with(&["--donor-confirmations", "false"]).unwrap().unwrap();
        assert!(!off.donor_confirmations);
    }

    #[test]
    fn refused_mail_settings_name_the_flag_and_the_variable() {
        let cases: &[(&[&str], &str, &str)] = &[
            (&["--smtp-tls", "none"], "--smtp-tls / SMTP_TLS", "unencrypted"),
            (&["--mail-from", "pledges at charity"], "--mail-from / MAIL_FROM", "pledges at charity"),
            (&["--charity-email", "care@"], "--charity-email / CHARITY_EMAIL", "care@"),
            (&["--smtp-host", "smtp.example.org:587"], "--smtp-host / SMTP_HOST", "--smtp-port"),
            (&["--smtp-host", "smtps://smtp.example.org"], "--smtp-host / SMTP_HOST", "host name"),
            (&["--smtp-username", "pledges"], "--smtp-password / SMTP_PASSWORD", "no password"),
            (&["--smtp-password", "hunter2-smtp"], "--smtp-username / SMTP_USERNAME", "no user name"),
            (&["--charity-name", "SOS\nBcc: x@evil.example"], "--charity-name / CHARITY_NAME", "control character"),
        ];
        for (extra, setting, detail) in cases {
            let error = with(extra).unwrap_err();
            assert!(error.starts_with(setting), "{extra:?}: {error}");
            assert!(error.contains(detail), "{extra:?}: {error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn the_sender_and_the_charitys_address_are_required_with_a_host() {
        let error = parse(&["--smtp-host", "smtp.example.org", "--charity-email", "c@b.example"]).unwrap_err();
        assert!(error.starts_with("--mail-from / MAIL_FROM: required when --smtp-host / SMTP_HOST is set"), "{error}");
        let error = parse(&["--smtp-host", "smtp.example.org", "--mail-from", "a@b.example"]).unwrap_err();
        assert!(error.starts_with("--charity-email / CHARITY_EMAIL: required when --smtp-host"), "{error}");
    }

    #[test]
    fn mail_settings_without_a_host_are_refused() {
        let error = parse(&["--mail-from", "a@b.example"]).unwrap_err();
        assert!(
            error.starts_with("--mail-from / MAIL_FROM is set, but no e-mail is sent without --smtp-host"),
            "{error}"
        );
        let error = parse(&["--smtp-password", "hunter2-smtp"]).unwrap_err();
        assert!(error.starts_with("--smtp-password / SMTP_PASSWORD") && !error.contains("hunter2"), "{error}");
    }

    #[test]
    fn a_bad_tls_mode_or_port_is_refused_by_clap() {
        assert!(with(&["--smtp-tls", "ssl"]).is_err());
        assert!(with(&["--smtp-port", "0"]).is_err());
        assert!(with(&["--donor-confirmations", "maybe"]).is_err());
    }

    #[test]
    fn the_smtp_password_is_never_shown() {
        let args = Args::try_parse_from(
            ["sanankoroba-receiver"]
                .iter()
                .chain(SMTP)
                .chain(&["--smtp-username", "pledges", "--smtp-password", "hunter2-smtp", "--admin-token"])
                .chain(&["0123456789abcdef0123456789abcdef", "--database-url", "sqlite://./data/pledges.db"])
                .copied(),
        )
        .unwrap();
        let text = format!("{args:?}");
        assert!(!text.contains("hunter2") && text.contains("smtp.example.org"), "{text}");
        let (settings, _) = args.into_settings().unwrap();
        let text = format!("{settings:?}");
        assert!(!text.contains("hunter2") && text.contains("[redacted]") && text.contains("pledges"), "{text}");
        assert_eq!(settings.mail.unwrap().credentials.unwrap().password(), "hunter2-smtp");
    }

    #[test]
    fn every_mail_flag_has_its_variable_and_help() {
        use clap::CommandFactory;
        let command = Args::command();
        for (id, variable) in [
            ("smtp_host", "SMTP_HOST"),
            ("smtp_port", "SMTP_PORT"),
            ("smtp_tls", "SMTP_TLS"),
            ("smtp_username", "SMTP_USERNAME"),
            ("smtp_password", "SMTP_PASSWORD"),
            ("mail_from", "MAIL_FROM"),
            ("charity_email", "CHARITY_EMAIL"),
            ("charity_name", "CHARITY_NAME"),
            ("donor_confirmations", "DONOR_CONFIRMATIONS"),
        ] {
            let argument = command.get_arguments().find(|argument| argument.get_id() == id).unwrap();
            assert_eq!(argument.get_env().and_then(|env| env.to_str()), Some(variable), "{id}");
            assert!(argument.get_help().is_some(), "{id} has no help");
        }
        let password = command.get_arguments().find(|argument| argument.get_id() == "smtp_password").unwrap();
        assert!(password.is_hide_env_values_set());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn parse(extra: &[&str]) -> Result<(Settings, bool), String> {
        let mut args = vec!["sanankoroba-receiver"];
        if !extra.contains(&"--database-url") {
            // Not from the environment, which may name a test database.
            args.extend(["--database-url", "sqlite://./data/pledges.db"]);
        }
        args.extend_from_slice(extra);
        Args::try_parse_from(args).unwrap().into_settings()
    }

    #[test]
    fn origins_are_normalised() {
        for (text, origin) in [
            ("https://School.Example/", "https://school.example"),
            (" http://127.0.0.1:8081 ", "http://127.0.0.1:8081"),
            ("https://a.example:443", "https://a.example"),
            ("http://a.example:80/", "http://a.example"),
            ("https://a.example:8443", "https://a.example:8443"),
            ("https://bücher.example", "https://xn--bcher-kva.example"),
            ("https://ÉCOLE.example", "https://xn--cole-9oa.example"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("http://[0:0::1]", "http://[::1]"),
        ] {
            assert_eq!(parse_origin(text).as_deref(), Ok(origin), "{text}");
        }
    }

    #[test]
    fn paths_queries_fragments_wildcards_null_and_garbage_are_refused() {
        for text in [
            "*",
            "null",
            "NULL",
            "https://*.example",
            "https://a.example/give",
            "https://a.example//",
            "https://a.example?x=1",
            "https://a.example/?",
            "https://a.example#top",
            "https://user:pw@a.example",
            "ftp://a.example",
            "file:///etc/passwd",
            "a.example",
            "https://",
            "https://a b.example",
            "https://a.example:99999",
            "",
            "\u{0}",
        ] {
            let error = parse_origin(text).unwrap_err();
            assert!(error.contains("is not an origin"), "{text}: {error}");
        }
    }

    #[test]
    fn refused_settings_name_the_flag_the_variable_and_the_value() {
        let cases: &[(&[&str], &str, &str)] = &[
            (
                &["--allowed-origins", "https://a.example,https://b.example/give"],
                "--allowed-origins / ALLOWED_ORIGINS",
                "https://b.example/give",
            ),
            (
                &["--public-url", "https://a.example/receiver"],
                "--public-url / PUBLIC_URL",
                "https://a.example/receiver",
            ),
            (&["--admin-token", "short-token"], "--admin-token / ADMIN_TOKEN", "11 characters"),
            (&["--admin-token", "0123456789abcdef0123456789abcdéf"], "--admin-token / ADMIN_TOKEN", "printable ASCII"),
            (&["--database-url", "sqlite::memory:"], "--database-url / DATABASE_URL", "sqlite::memory:"),
            (&["--database-url", "sqlite://:memory:"], "--database-url / DATABASE_URL", "in-memory"),
            (&["--database-url", "sqlite://pledges.db?mode=memory"], "--database-url / DATABASE_URL", "in-memory"),
            (&["--database-url", "mysql://u:hunter2@db/pledges"], "--database-url / DATABASE_URL", "mysql"),
            (
                &["--trusted-proxies", "10.0.0.0/8,proxy.internal"],
                "--trusted-proxies / TRUSTED_PROXIES",
                "proxy.internal",
            ),
        ];
        for (args, setting, value) in cases {
            let error = parse(args).unwrap_err();
            assert!(error.starts_with(setting), "{args:?}: {error}");
            assert!(error.contains(value), "{args:?}: {error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn a_token_of_32_characters_is_enough() {
        let (settings, generated) = parse(&["--admin-token", TOKEN]).unwrap();
        assert!(!generated);
        assert_eq!(settings.admin_token, TOKEN);
        assert!(parse(&["--admin-token", &TOKEN[1..]]).is_err());
        // A UUID, as the end-to-end tests use.
        assert!(parse(&["--admin-token", "6f1c2b7e-3d4a-4f8b-9c2d-1e5f7a9b0c3d"]).is_ok());
    }

    #[test]
    fn every_in_memory_form_is_recognised() {
        for url in [
            "sqlite::memory:",
            "sqlite://:memory:",
            "sqlite::memory:?cache=shared",
            "sqlite://?mode=memory",
            "sqlite:pledges.db?mode=memory",
            "sqlite://pledges.db?cache=shared&mode=memory",
            "sqlite:file::memory:",
            "sqlite:file:pledges?mode=memory",
            "sqlite:",
            "sqlite://",
        ] {
            assert!(is_in_memory_sqlite(url), "{url}");
        }
        for url in [
            "sqlite://./data/pledges.db",
            "sqlite:pledges.db",
            "sqlite:///var/lib/sk/pledges.db?mode=rwc",
            "postgres://h/db",
        ] {
            assert!(!is_in_memory_sqlite(url), "{url}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_database_url("postgres://sk:hunter2@db:5432/pledges"), "postgres://sk:***@db:5432/pledges");
        assert_eq!(
            redact_database_url("postgres://sk@db/pledges?password=hunter2&sslmode=require"),
            "postgres://sk@db/pledges?password=***&sslmode=require"
        );
        assert_eq!(redact_database_url("sqlite://./data/pledges.db"), "sqlite://./data/pledges.db");
        assert!(!redact_database_url("postgres://sk:hun ter2@[db").contains("hun"));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let args = Args::try_parse_from([
            "sanankoroba-receiver",
            "--admin-token",
            TOKEN,
            "--database-url",
            "postgres://sk:hunter2@127.0.0.1:5432/pledges?password=hunter3",
        ])
        .unwrap();
        let text = format!("{args:?}");
        assert!(!text.contains(TOKEN) && !text.contains("hunter2") && !text.contains("hunter3"), "{text}");
        assert!(text.contains("[redacted]") && text.contains("127.0.0.1"), "{text}");
        let (settings, _) = args.into_settings().unwrap();
        let text = format!("{settings:?}");
        assert!(!text.contains(TOKEN) && !text.contains("hunter2") && !text.contains("hunter3"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    const SECRET: &str = "whsec-correct-horse-battery-staple";
    const OTHER_SECRET: &str = "whsec-another-horse-battery-staple";

    #[test]
    fn webhooks_pair_each_endpoint_with_its_secrets() {
        let crm = format!("crm={SECRET}");
        let rotated = format!("sheet={OTHER_SECRET}");
        let (settings, _) = parse(&[
            "--webhook",
            "crm=https://crm.example.org/hooks,sheet=http://127.0.0.1:9000/hook",
            "--webhook-secret",
            &crm,
            "--webhook-secret",
            &format!("sheet={SECRET}"),
            "--webhook-secret",
            &rotated,
            "--webhook-retry-base-ms",
            "50",
        ])
        .unwrap();
        let endpoints = &settings.webhooks.endpoints;
        assert_eq!(endpoints.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["crm", "sheet"]);
        assert_eq!(endpoints[0].url.as_str(), "https://crm.example.org/hooks");
        assert_eq!((endpoints[0].secrets.len(), endpoints[1].secrets.len()), (1, 2));
        assert_eq!(settings.webhooks.retry.base, Duration::from_millis(50));
        assert_eq!(settings.webhooks.timeout, Duration::from_secs(10));
        assert!(parse(&[]).unwrap().0.webhooks.endpoints.is_empty());
    }

    #[test]
    fn refused_webhooks_name_the_flag_and_never_the_secret() {
        let secret = format!("crm={SECRET}");
        let cases: Vec<(Vec<&str>, &str, &str)> = vec![
            (
                vec!["--webhook", "crm=http://crm.example.org/hook", "--webhook-secret", &secret],
                "--webhook / WEBHOOKS",
                "http://crm.example.org/hook",
            ),
            (vec!["--webhook", "https://crm.example.org/hook"], "--webhook / WEBHOOKS", "NAME=URL"),
            (vec!["--webhook", "CRM=https://crm.example.org/hook"], "--webhook / WEBHOOKS", "CRM"),
            (vec!["--webhook", "crm=https://a.example/h,crm=https://b.example/h"], "--webhook / WEBHOOKS", "twice"),
            (vec!["--webhook", "crm=https://crm.example.org/hook"], "--webhook-secret / WEBHOOK_SECRETS", "no secret"),
            (vec!["--webhook-secret", &secret], "--webhook-secret / WEBHOOK_SECRETS", "no --webhook"),
            (
                vec!["--webhook", "crm=https://crm.example.org/hook", "--webhook-secret", "crm=short-but-secret"],
                "--webhook-secret / WEBHOOK_SECRETS",
                "24 characters",
            ),
        ];
        for (args, setting, expected) in cases {
            let error = parse(&args).unwrap_err();
            assert!(error.starts_with(setting), "{args:?}: {error}");
            assert!(error.contains(expected), "{args:?}: {error}");
            assert!(!error.contains(SECRET) && !error.contains("short-but-secret"), "{error}");
        }
    }

    #[test]
    fn debug_never_shows_webhook_secrets() {
        let args = Args::try_parse_from([
            "sanankoroba-receiver",
            "--database-url",
            "sqlite://./data/pledges.db",
            "--webhook",
            "crm=https://crm.example.org/hooks",
            "--webhook-secret",
            &format!("crm={SECRET}"),
        ])
        .unwrap();
        assert!(!format!("{args:?}").contains(SECRET), "{args:?}");
        let (settings, _) = args.into_settings().unwrap();
        let text = format!("{settings:?}");
        assert!(!text.contains(SECRET) && text.contains("crm.example.org"), "{text}");
    }

    #[test]
    fn the_user_command_parses_beside_the_flags() {
        let parse =
            |args: &[&str]| Args::try_parse_from(std::iter::once("sanankoroba-receiver").chain(args.iter().copied()));
        assert_eq!(parse(&["--bind", "127.0.0.1:0"]).unwrap().command, None, "no command starts the receiver");
        let args = parse(&["--database-url", "sqlite://a.db", "user", "add", "amina", "--password-stdin"]).unwrap();
        assert_eq!(
            args.command,
            Some(Command::User(UserAction::Add { username: "amina".to_owned(), password_stdin: true }))
        );
        assert_eq!(args.database_url, "sqlite://a.db");
        let args = parse(&["user", "remove", "amina", "--database-url", "sqlite://b.db"]).unwrap();
        assert_eq!(args.command, Some(Command::User(UserAction::Remove { username: "amina".to_owned() })));
        assert_eq!(args.database_url, "sqlite://b.db");
        assert_eq!(parse(&["user", "list"]).unwrap().command, Some(Command::User(UserAction::List)));
        assert!(parse(&["user"]).is_err(), "user needs an action");
        use clap::CommandFactory;
        let command = Args::command();
        let database_url = command.get_arguments().find(|argument| argument.get_id() == "database_url").unwrap();
        assert!(database_url.is_global_set() && database_url.is_hide_env_values_set());
        assert!(parse(&["user", "add"]).is_err(), "add needs a username");
    }

    #[test]
    fn trusted_proxies_parse_from_the_flag() {
        let (settings, _) =
            parse(&["--trusted-proxies", "127.0.0.1, 10.0.0.0/8", "--trusted-proxies", "fd00::/8"]).unwrap();
        assert_eq!(settings.trusted_proxies.networks().len(), 3);
        assert!(parse(&[]).unwrap().0.trusted_proxies.is_empty());
    }

    #[test]
    fn every_flag_has_its_environment_variable() {
        use clap::CommandFactory;
        let command = Args::command();
        let expected = [
            ("bind", "BIND_ADDR"),
            ("database_url", "DATABASE_URL"),
            ("allowed_origins", "ALLOWED_ORIGINS"),
            ("admin_token", "ADMIN_TOKEN"),
            ("widget_dist", "WIDGET_DIST"),
            ("public_url", "PUBLIC_URL"),
            ("demo_page", "DEMO_PAGE"),
            ("min_fill_ms", "MIN_FILL_MS"),
            ("rate_limit_per_minute", "RATE_LIMIT_PER_MINUTE"),
            ("trusted_proxies", "TRUSTED_PROXIES"),
            ("webhooks", "WEBHOOKS"),
            ("webhook_secrets", "WEBHOOK_SECRETS"),
            ("webhook_retry_base_ms", "WEBHOOK_RETRY_BASE_MS"),
            ("webhook_timeout_ms", "WEBHOOK_TIMEOUT_MS"),
        ];
        for (id, variable) in expected {
            let argument = command.get_arguments().find(|argument| argument.get_id() == id).unwrap();
            assert_eq!(argument.get_env().and_then(|env| env.to_str()), Some(variable), "{id}");
        }
        command.debug_assert();
    }

    #[test]
    fn flags_parse_and_a_missing_token_is_generated() {
        let args = Args::try_parse_from([
            "sanankoroba-receiver",
            "--bind",
            "127.0.0.1:0",
            "--allowed-origins",
            "https://a.example,https://b.example/",
            "--admin-token",
            "",
            "--min-fill-ms",
            "50",
        ])
        .unwrap();
        let (settings, generated) = args.into_settings().unwrap();
        assert!(generated);
        assert_eq!(settings.admin_token.len(), 64);
        assert_eq!(settings.allowed_origins, ["https://a.example", "https://b.example"]);
        assert_eq!(settings.min_fill, Duration::from_millis(50));
    }
}
