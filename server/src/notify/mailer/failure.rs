//! Why a message was not sent, and whether sending it again could help.
//!
//! SMTP says so itself: a 4xx reply is transient (a full mailbox, greylisting, a busy relay)
//! and a 5xx reply is permanent (no such recipient, a message refused as it is). A connection
//! that fails, breaks or times out tells nothing about the message, so it is tried again.
//! When lettre itself refuses (no STARTTLS where it is required, no AUTH mechanism in common),
//! the same attempt would fail the same way, so that is permanent too: a person must change
//! the settings and resend.
//!
//! The description kept for logs never repeats the server's text, which often quotes the
//! recipient's address: only the reply code, or the kind of network failure.

use std::fmt;
use std::time::Duration;

use lettre::transport::smtp;

/// Whether a failed send may succeed if tried again later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Try again later: a 4xx reply, or no answer.
    Transient,
    /// Do not try again: a 5xx reply, or a refusal that would repeat.
    Permanent,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::Transient => "transient",
            Failure::Permanent => "permanent",
        }
    }
}

/// A message the SMTP server did not accept, or that never reached it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub failure: Failure,
    /// What happened, without personal data: safe to log.
    pub detail: String,
}

impl SendError {
    pub fn from_smtp(error: &smtp::Error) -> SendError {
        SendError { failure: classify(error), detail: describe(error) }
    }

    /// No answer within `limit`.
    pub fn timed_out(limit: Duration) -> SendError {
        SendError { failure: Failure::Transient, detail: format!("no answer within {} s", limit.as_secs()) }
    }

    pub fn is_permanent(&self) -> bool {
        self.failure == Failure::Permanent
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} failure: {}", self.failure.as_str(), self.detail)
    }
}

impl std::error::Error for SendError {}

/// Whether the failure `error` reports may pass if the message is sent again.
pub fn classify(error: &smtp::Error) -> Failure {
    if error.is_permanent() || error.is_client() {
        Failure::Permanent
    } else {
        // 4xx replies, timeouts, network, connection and TLS failures, unreadable answers and
        // a transport shut down: none of them says anything about the message itself.
        Failure::Transient
    }
}

/// A description of `error` that leaves out everything the server said but its reply code.
fn describe(error: &smtp::Error) -> String {
    if let Some(code) = error.status() {
        let kind = if error.is_permanent() { "refused" } else { "deferred" };
        return format!("the SMTP server {kind} the message with a {code} reply");
    }
    if error.is_timeout() {
        return "the SMTP server did not answer in time".to_owned();
    }
    if error.is_tls() {
        return format!("the TLS connection to the SMTP server failed: {}", source_chain(error));
    }
    if error.is_client() {
        // lettre's own refusals are fixed sentences about the connection or the server's
        // extensions, never about an address.
        return format!("the SMTP client refused to go on: {}", source_chain(error));
    }
    if error.is_response() {
        return "the SMTP server's answer could not be read".to_owned();
    }
    if error.is_transport_shutdown() {
        return "the SMTP transport was shut down".to_owned();
    }
    // Connection and network failures: their sources are I/O errors about the socket.
    format!("the connection to the SMTP server failed: {}", source_chain(error))
}

/// The messages of `error`'s sources, innermost last.
fn source_chain(error: &smtp::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    if parts.is_empty() {
        "no further detail".to_owned()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // lettre makes its errors only inside its own client, so the replies are exercised against
    // a real SMTP server in tests/mail.rs; here, what can be made without one.

    #[test]
    fn a_timeout_is_transient_and_says_how_long() {
        let error = SendError::timed_out(Duration::from_secs(60));
        assert_eq!(error.failure, Failure::Transient);
        assert!(!error.is_permanent());
        assert_eq!(error.to_string(), "transient failure: no answer within 60 s");
    }

    /// lettre's error for one connection to a server that greets with `greeting` and closes.
    async fn error_from_greeting(greeting: Option<&'static str>) -> smtp::Error {
        use lettre::AsyncTransport;
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        match greeting {
            Some(greeting) => {
                tokio::spawn(async move {
                    if let Ok((mut stream, _)) = listener.accept().await {
                        let _ = stream.write_all(greeting.as_bytes()).await;
                    }
                });
            }
            // Nobody listens on the port any more.
            None => drop(listener),
        }
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(port)
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let envelope = lettre::address::Envelope::new(
            Some("pledges@charity.example".parse().unwrap()),
            vec!["care@charity.example".parse().unwrap()],
        )
        .unwrap();
        transport.send_raw(&envelope, b"Subject: x\r\n\r\nx\r\n").await.unwrap_err()
    }

    #[tokio::test]
    async fn replies_and_connections_are_classified() {
        let refused = error_from_greeting(None).await;
        assert_eq!(classify(&refused), Failure::Transient);
        assert!(SendError::from_smtp(&refused).detail.starts_with("the connection to the SMTP server failed"));

        let busy = error_from_greeting(Some("421 4.3.2 sink.test busy, try later\r\n")).await;
        assert_eq!(classify(&busy), Failure::Transient);
        assert_eq!(SendError::from_smtp(&busy).detail, "the SMTP server deferred the message with a 421 reply");

        let no_service = error_from_greeting(Some("554 5.7.1 <amelia@example.org> no service\r\n")).await;
        assert_eq!(classify(&no_service), Failure::Permanent);
        let described = SendError::from_smtp(&no_service);
        assert_eq!(described.detail, "the SMTP server refused the message with a 554 reply");
        assert!(!described.to_string().contains("amelia"), "the server's text is left out");
    }
}
