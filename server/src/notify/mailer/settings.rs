//! How the receiver reaches its SMTP server, checked before anything starts.
//!
//! The rules here are the ones that cannot be left to the first send: a relay that would carry
//! donors' details in clear across a network is refused, and so are a host that is really a URL
//! or a `host:port`, and credentials given by halves. [`MailSettings`] is what passes; it never
//! shows the SMTP password, not even through `Debug`.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use lettre::message::Mailbox;

use crate::notify::email::Charity;

/// How long one message may take, from connecting to the server's answer to its data. A relay
/// slower than this is treated as unreachable and the message is tried again later.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SmtpTls {
    /// A plain connection upgraded with STARTTLS, which must succeed (port 587).
    #[default]
    #[value(name = "starttls")]
    StartTls,
    /// TLS from the first byte (port 465).
    #[value(name = "tls")]
    Implicit,
    /// No encryption, for a relay on this machine only (port 25).
    #[value(name = "none")]
    Plain,
}

impl SmtpTls {
    /// The port each mode is usually served on.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::StartTls => 587,
            SmtpTls::Implicit => 465,
            SmtpTls::Plain => 25,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SmtpTls::StartTls => "starttls",
            SmtpTls::Implicit => "tls",
            SmtpTls::Plain => "none",
        }
    }
}

/// A user name and password for the SMTP server's AUTH. The password is kept out of `Debug`.
#[derive(Clone)]
pub struct SmtpCredentials {
    pub username: String,
    password: String,
}

impl SmtpCredentials {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> SmtpCredentials {
        SmtpCredentials { username: username.into(), password: password.into() }
    }

    pub fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for SmtpCredentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SmtpCredentials")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// Everything the mailer needs, validated.
#[derive(Clone)]
pub struct MailSettings {
    /// The SMTP server's host name or IP address, without a port.
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub credentials: Option<SmtpCredentials>,
    /// The sender of every message (`From`), on the charity's own domain.
    pub from: Mailbox,
    /// Who donors deal with: the name in their confirmation, and the address that receives the
    /// staff notifications and the donors' replies.
    pub charity: Charity,
    /// Whether donors are sent a confirmation of their pledge.
    pub donor_confirmations: bool,
    pub send_timeout: Duration,
}

// Field by field, without `..`, so that a new field cannot be added without deciding how it is
// shown.
impl fmt::Debug for MailSettings {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let MailSettings { host, port, tls, credentials, from, charity, donor_confirmations, send_timeout } = self;
        formatter
            .debug_struct("MailSettings")
            .field("host", host)
            .field("port", port)
            .field("tls", tls)
            .field("credentials", credentials)
            .field("from", &from.to_string())
            .field("charity_name", &charity.name)
            .field("charity_email", &charity.address.to_string())
            .field("donor_confirmations", donor_confirmations)
            .field("send_timeout", send_timeout)
            .finish()
    }
}

/// A host name or an IP address, as the SMTP client connects to it: no scheme, no port, no
/// path, nothing blank. An IPv6 address may be written in brackets; they are taken off.
pub fn parse_host(text: &str) -> Result<String, String> {
    let host = text.trim();
    if host.is_empty() {
        return Err("the host is empty".to_owned());
    }
    if host.contains("://") || host.contains('/') {
        return Err(format!("`{host}` is not a host name: give the name alone, such as smtp.example.org"));
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control() || c == '@') {
        return Err(format!("`{host}` is not a host name"));
    }
    let unbracketed = host.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')).unwrap_or(host);
    if unbracketed.contains(':') && unbracketed.parse::<IpAddr>().is_err() {
        return Err(format!("`{host}` is not a host name: give the port with --smtp-port / SMTP_PORT"));
    }
    Ok(unbracketed.to_owned())
}

/// Whether `host` names this machine: `localhost` or a loopback address. Mail to such a relay
/// never crosses a network, so it may go unencrypted.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|address| address.is_loopback())
}

/// Why `tls` cannot be used with `host`, if it cannot.
pub fn refuse_plain_text(tls: SmtpTls, host: &str) -> Option<String> {
    (tls == SmtpTls::Plain && !is_loopback(host)).then(|| {
        format!(
            "`none` would send donors' names and addresses unencrypted to `{host}`; it is allowed only for a relay \
             on this machine (localhost, 127.0.0.1, ::1). Use starttls or tls"
        )
    })
}

/// A mailbox as lettre reads it, `Name <address>` or a bare address.
pub fn parse_mailbox(text: &str) -> Result<Mailbox, String> {
    let text = text.trim();
    text.parse::<Mailbox>().map_err(|error| format!("`{text}` is not an e-mail address ({error})"))
}

/// The charity's name as the confirmation says it and its `Reply-To` shows it: not blank, and
/// without line breaks or other control characters, which could write a header.
pub fn parse_charity_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("the name is empty".to_owned());
    }
    if name.chars().any(char::is_control) {
        return Err("the name holds a line break or another control character".to_owned());
    }
    Ok(name.to_owned())
}

/// The charity's mailbox named after the charity when the address was given bare, so that
/// donors see who a reply goes to.
pub fn charity_mailbox(address: Mailbox, name: &str) -> Mailbox {
    match address.name {
        Some(_) => address,
        None => Mailbox::new(Some(name.to_owned()), address.email),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_names_or_addresses_alone() {
        for (text, host) in [
            ("smtp.example.org", "smtp.example.org"),
            (" smtp.example.org ", "smtp.example.org"),
            ("127.0.0.1", "127.0.0.1"),
            ("::1", "::1"),
            ("[::1]", "::1"),
            ("localhost", "localhost"),
        ] {
            assert_eq!(parse_host(text).as_deref(), Ok(host), "{text}");
        }
        for text in ["", "  ", "smtp://smtp.example.org", "smtp.example.org:587", "smtp.example.org/x", "a b", "u@h"] {
            assert!(parse_host(text).is_err(), "{text:?}");
        }
        assert!(parse_host("smtp.example.org:587").unwrap_err().contains("--smtp-port"));
    }

    #[test]
    fn only_this_machine_is_loopback() {
        for host in ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.1.2.3", "::1"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in
            ["smtp.example.org", "10.0.0.1", "192.168.1.1", "0.0.0.0", "::", "localhost.example.org", "::ffff:8.8.8.8"]
        {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn plain_text_is_refused_beyond_this_machine() {
        assert!(refuse_plain_text(SmtpTls::Plain, "127.0.0.1").is_none());
        assert!(refuse_plain_text(SmtpTls::Plain, "localhost").is_none());
        let why = refuse_plain_text(SmtpTls::Plain, "smtp.example.org").unwrap();
        assert!(why.contains("unencrypted") && why.contains("smtp.example.org"), "{why}");
        assert!(refuse_plain_text(SmtpTls::StartTls, "smtp.example.org").is_none());
        assert!(refuse_plain_text(SmtpTls::Implicit, "smtp.example.org").is_none());
    }

    #[test]
    fn each_mode_has_its_usual_port() {
        assert_eq!(SmtpTls::StartTls.default_port(), 587);
        assert_eq!(SmtpTls::Implicit.default_port(), 465);
        assert_eq!(SmtpTls::Plain.default_port(), 25);
        assert_eq!(SmtpTls::default(), SmtpTls::StartTls);
    }

    #[test]
    fn mailboxes_and_names_are_checked() {
        assert_eq!(
            parse_mailbox("Pledges <pledges@charity.example>").unwrap().email.to_string(),
            "pledges@charity.example"
        );
        assert!(parse_mailbox("pledges@charity.example").unwrap().name.is_none());
        for text in ["pledges", "pledges@", "<pledges@charity.example", "a@b\r\nBcc: x@evil.example", ""] {
            assert!(parse_mailbox(text).is_err(), "{text:?}");
        }
        assert_eq!(parse_charity_name(" SOS Children's Villages UK "), Ok("SOS Children's Villages UK".to_owned()));
        assert!(parse_charity_name("SOS\r\nBcc: x@evil.example").is_err());
        assert!(parse_charity_name(" ").is_err());
    }

    #[test]
    fn a_bare_charity_address_takes_the_charitys_name() {
        let named = charity_mailbox(parse_mailbox("supporters@charity.example").unwrap(), "SOS Children's Villages UK");
        assert_eq!(named.name.as_deref(), Some("SOS Children's Villages UK"));
        let kept = charity_mailbox(parse_mailbox("Supporter care <care@charity.example>").unwrap(), "SOS");
        assert_eq!(kept.name.as_deref(), Some("Supporter care"));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let settings = MailSettings {
            host: "smtp.example.org".to_owned(),
            port: 587,
            tls: SmtpTls::StartTls,
            credentials: Some(SmtpCredentials::new("pledges", "hunter2-smtp")),
            from: parse_mailbox("pledges@charity.example").unwrap(),
            charity: Charity { name: "SOS".to_owned(), address: parse_mailbox("supporters@charity.example").unwrap() },
            donor_confirmations: true,
            send_timeout: SEND_TIMEOUT,
        };
        let text = format!("{settings:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("[redacted]") && text.contains("pledges") && text.contains("smtp.example.org"), "{text}");
    }
}
