//! The receiver's configuration: command-line flags, each with an environment variable of the
//! same meaning (the flag wins when both are given).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
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
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://./data/pledges.db")]
    pub database_url: String,

    /// Partner page origins allowed to post pledges from the browser, comma-separated, such as
    /// `https://www.stmarys.example,https://friends.example:8443`. Exact origins only: no
    /// wildcard, no path.
    #[arg(long, env = "ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Bearer token for the charity's export endpoints. When unset, a random token is generated
    /// and printed at start.
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
    /// for bots: answered 201 like any pledge, but only counted, never stored. Three seconds is
    /// faster than anyone reads the options and types a name and an email address.
    #[arg(long, env = "MIN_FILL_MS", default_value_t = 3000)]
    pub min_fill_ms: u64,

    /// Pledge submissions allowed per client IP address (IPv6: per /64) and minute, as a burst
    /// that refills evenly over the minute. 0 turns the limit off.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 10)]
    pub rate_limit_per_minute: u32,

    /// Print the OpenAPI document and exit.
    #[arg(long)]
    pub print_openapi: bool,
}

/// Everything the running receiver needs, validated.
#[derive(Debug, Clone)]
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
    pub timeouts: Timeouts,
}

/// How long the receiver waits, so that slow or stuck clients cannot hold connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For a request body to arrive in full; longer than a pledge takes over a poor phone link.
    pub body: Duration,
    /// For any request from its headers to its answer.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { body: Duration::from_secs(10), request: Duration::from_secs(20) }
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
            timeouts: Timeouts::default(),
        }
    }
}

impl Args {
    /// The validated settings, and whether the admin token was generated here.
    pub fn into_settings(self) -> Result<(Settings, bool), String> {
        let allowed_origins = self
            .allowed_origins
            .iter()
            .map(|origin| origin.trim())
            .filter(|origin| !origin.is_empty())
            .map(parse_origin)
            .collect::<Result<Vec<_>, _>>()?;
        let public_url = self.public_url.map(|url| parse_origin(&url)).transpose()?;
        let (admin_token, generated) = match self.admin_token.filter(|token| !token.trim().is_empty()) {
            Some(token) => (token.trim().to_owned(), false),
            None => (generate_token(), true),
        };
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
            timeouts: Timeouts::default(),
        };
        Ok((settings, generated))
    }
}

/// An exact web origin, `scheme://host[:port]`, lower-cased, without a trailing slash.
/// A wildcard or `null` would let any page post pledges, so both are refused.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let origin = trimmed.strip_suffix('/').unwrap_or(trimmed).to_ascii_lowercase();
    let refuse = |why: &str| Err(format!("`{text}` is not an allowed origin: {why}"));
    let Some((scheme, authority)) = origin.split_once("://") else {
        return refuse("write it as scheme://host[:port]");
    };
    if scheme != "http" && scheme != "https" {
        return refuse("the scheme must be http or https");
    }
    if authority.is_empty()
        || authority.contains(['/', '?', '#', '@', '*', ' '])
        || !authority.bytes().all(|b| b.is_ascii_graphic())
    {
        return refuse("an origin has a host and an optional port only, without wildcards");
    }
    Ok(origin)
}

/// 256 random bits, hex-encoded.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised() {
        assert_eq!(parse_origin("https://School.Example/").unwrap(), "https://school.example");
        assert_eq!(parse_origin(" http://127.0.0.1:8081 ").unwrap(), "http://127.0.0.1:8081");
    }

    #[test]
    fn wildcards_paths_and_other_schemes_are_refused() {
        for text in ["*", "null", "https://*.example", "https://a.example/give", "ftp://a.example", "a.example", "https://"] {
            assert!(parse_origin(text).is_err(), "{text}");
        }
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
