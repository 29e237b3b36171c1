//! Sending the charity's and the donors' e-mails over SMTP.
//!
//! E-mail is optional and off unless an SMTP host is configured. When it is on, a delivery
//! worker asks the [`Mailer`] to [`deliver`](Mailer::deliver) one e-mail about one pledge:
//! the mailer decides whether that e-mail may be sent at all ([`job`]), composes it with
//! [`crate::notify::email`] from the pledge as it is now, and hands it to the SMTP server.
//! Whatever goes wrong comes back as a plain answer the worker can act on: refused (never
//! send it), permanent (do not retry) or transient (retry later), with a description that is
//! safe to log because it names the pledge by its reference only.
//!
//! A message's Message-ID is the same at every attempt, so that if an answer is lost after the
//! server took the message, the copy a retry delivers is recognisable as the same message.
//!
//! - [`settings`]: the SMTP server, the sender and the charity, checked at start.
//! - [`failure`]: whether a failed send is worth retrying.
//! - [`job`]: which e-mails a pledge may cause.

pub mod failure;
pub mod job;
pub mod settings;

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use url::Url;

use crate::notify::email::{self, Charity, EmailError};
use crate::notify::view::PledgeView;

pub use self::failure::{classify, Failure, SendError};
pub use self::job::{mails_for_new_pledge, MailJob, MailKind, Refusal, Standing};
pub use self::settings::{MailSettings, SmtpCredentials, SmtpTls, SEND_TIMEOUT};

/// Sends e-mail through one SMTP server. Cheap to share: each send opens its own connection.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// `host:port (tls mode)`, for `Debug`.
    server: String,
    from: Mailbox,
    charity: Charity,
    donor_confirmations: bool,
    public_url: Url,
    send_timeout: Duration,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the transport's own `Debug`, which spells out its whole TLS configuration.
        formatter
            .debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .field("charity", &self.charity.name)
            .field("donor_confirmations", &self.donor_confirmations)
            .field("public_url", &self.public_url.as_str())
            .field("send_timeout", &self.send_timeout)
            .finish()
    }
}

impl Mailer {
    /// A mailer for `settings`; the staff notifications link to the inbox under `public_url`,
    /// the address staff reach the receiver at. Nothing is sent or connected to yet.
    pub fn new(settings: &MailSettings, public_url: Url) -> Result<Mailer, crate::Error> {
        let tls = match settings.tls {
            SmtpTls::StartTls => Tls::Required(tls_parameters(&settings.host)?),
            SmtpTls::Implicit => Tls::Wrapper(tls_parameters(&settings.host)?),
            SmtpTls::Plain => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
            .port(settings.port)
            .tls(tls)
            // Each read and write of the conversation; the whole send has its own limit below.
            .timeout(Some(settings.send_timeout))
            // The sender's domain rather than a loopback literal: the closest name this
            // receiver has to the host name RFC 5321 asks a client to give.
            .hello_name(ClientId::Domain(settings.from.email.domain().to_owned()));
        if let Some(credentials) = &settings.credentials {
            builder =
                builder.credentials(Credentials::new(credentials.username.clone(), credentials.password().to_owned()));
        }
        Ok(Mailer {
            transport: builder.build(),
            server: format!("{}:{} ({})", settings.host, settings.port, settings.tls.as_str()),
            from: settings.from.clone(),
            charity: settings.charity.clone(),
            donor_confirmations: settings.donor_confirmations,
            public_url,
            send_timeout: settings.send_timeout,
        })
    }

    /// Whether donors are sent a confirmation at all.
    pub fn donor_confirmations(&self) -> bool {
        self.donor_confirmations
    }

    /// Composes the `kind` e-mail about `pledge` and sends it. Failures are logged by the
    /// pledge's reference, never by an address or a name.
    pub async fn deliver(&self, kind: MailKind, pledge: PledgeView<'_>) -> Result<(), DeliverError> {
        let reference = pledge.reference;
        let outcome = match self.compose(kind, pledge) {
            Ok(message) => self.send(&message).await.map_err(DeliverError::Send),
            Err(error) => Err(error),
        };
        match &outcome {
            Ok(()) => tracing::info!(reference, mail = kind.as_str(), "e-mail sent"),
            Err(error) => tracing::warn!(
                reference,
                mail = kind.as_str(),
                failure = error.failure().as_str(),
                "e-mail not sent: {error}"
            ),
        }
        outcome
    }

    /// The `kind` e-mail about `pledge`, unless it must not be sent or cannot be composed.
    pub fn compose(&self, kind: MailKind, pledge: PledgeView<'_>) -> Result<Message, DeliverError> {
        // Erasure empties the e-mail address, which every stored pledge otherwise has.
        let standing = Standing { status: pledge.status, erased: pledge.pledge.donor.email.is_empty() };
        if let Some(refusal) = job::refusal(kind, standing, self.donor_confirmations) {
            return Err(DeliverError::Refused(refusal));
        }
        let composed = match kind {
            MailKind::CharityNotification => {
                email::charity_notification(pledge, &self.charity.address, &self.from, &self.public_url)
            }
            MailKind::DonorConfirmation => email::donor_confirmation(pledge, &self.charity, &self.from),
        };
        composed.map_err(DeliverError::Compose)
    }

    /// Hands `message` to the SMTP server, within the send timeout.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        let raw = message.formatted();
        match tokio::time::timeout(self.send_timeout, self.transport.send_raw(message.envelope(), &raw)).await {
            Ok(Ok(_response)) => Ok(()),
            Ok(Err(error)) => Err(SendError::from_smtp(&error)),
            Err(_elapsed) => Err(SendError::timed_out(self.send_timeout)),
        }
    }
}

fn tls_parameters(host: &str) -> Result<TlsParameters, crate::Error> {
    TlsParameters::new(host.to_owned())
        .map_err(|error| format!("TLS for the SMTP server `{host}` could not be set up: {error}").into())
}

/// Why an e-mail about a pledge was not sent.
#[derive(Debug)]
pub enum DeliverError {
    /// It must not be sent: see [`Refusal`]. Sending it again would not change that.
    Refused(Refusal),
    /// It could not be composed from the pledge (a name that would write a header, an address
    /// lettre refuses, an unpublished Gift Aid wording). The same pledge fails the same way.
    Compose(EmailError),
    /// The SMTP server did not take it.
    Send(SendError),
}

impl DeliverError {
    /// Whether trying again later may help.
    pub fn failure(&self) -> Failure {
        match self {
            DeliverError::Refused(_) | DeliverError::Compose(_) => Failure::Permanent,
            DeliverError::Send(error) => error.failure,
        }
    }
}

/// Safe to log: no error here carries an address, a name or the server's own words.
impl fmt::Display for DeliverError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeliverError::Refused(refusal) => write!(formatter, "not to be sent: {refusal}"),
            DeliverError::Compose(error) => write!(formatter, "could not be composed: {error}"),
            DeliverError::Send(error) => write!(formatter, "{error}"),
        }
    }
}

impl std::error::Error for DeliverError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::test_support::{stored, GIFT_AID_EXAMPLE};
    use crate::storage::Status;

    fn settings(donor_confirmations: bool) -> MailSettings {
        MailSettings {
            host: "127.0.0.1".to_owned(),
            port: 25,
            tls: SmtpTls::Plain,
            credentials: Some(SmtpCredentials::new("pledges", "hunter2-smtp")),
            from: "Pledges <pledges@charity.example>".parse().unwrap(),
            charity: Charity {
                name: "SOS Children's Villages UK".to_owned(),
                address: "SOS Children's Villages UK <supporters@charity.example>".parse().unwrap(),
            },
            donor_confirmations,
            send_timeout: SEND_TIMEOUT,
        }
    }

    fn mailer(donor_confirmations: bool) -> Mailer {
        Mailer::new(&settings(donor_confirmations), Url::parse("https://pledges.charity.example").unwrap()).unwrap()
    }

    #[test]
    fn a_pledge_held_for_review_gets_no_confirmation_but_staff_hear_of_it() {
        let held = stored(GIFT_AID_EXAMPLE, |_| {});
        let held = crate::storage::StoredPledge { status: Status::Review, ..held };
        let mailer = mailer(true);
        let refused = mailer.compose(MailKind::DonorConfirmation, PledgeView::from(&held)).unwrap_err();
        assert!(matches!(refused, DeliverError::Refused(Refusal::HeldForReview)), "{refused}");
        assert_eq!(refused.failure(), Failure::Permanent);
        assert!(mailer.compose(MailKind::CharityNotification, PledgeView::from(&held)).is_ok());
    }

    #[test]
    fn each_kind_goes_to_its_reader() {
        let pledge = stored(GIFT_AID_EXAMPLE, |_| {});
        let mailer = mailer(true);
        let to = |kind| {
            let message = mailer.compose(kind, PledgeView::from(&pledge)).unwrap();
            message.envelope().to().iter().map(ToString::to_string).collect::<Vec<_>>()
        };
        assert_eq!(to(MailKind::CharityNotification), ["supporters@charity.example"]);
        assert_eq!(to(MailKind::DonorConfirmation), ["amelia.hughes@example.co.uk"]);
    }

    #[test]
    fn erased_and_turned_off_confirmations_are_refused() {
        let erased = stored(GIFT_AID_EXAMPLE, |pledge| pledge.donor.email.clear());
        let refused = mailer(true).compose(MailKind::DonorConfirmation, PledgeView::from(&erased)).unwrap_err();
        assert!(matches!(refused, DeliverError::Refused(Refusal::Erased)), "{refused}");
        let pledge = stored(GIFT_AID_EXAMPLE, |_| {});
        let refused = mailer(false).compose(MailKind::DonorConfirmation, PledgeView::from(&pledge)).unwrap_err();
        assert!(matches!(refused, DeliverError::Refused(Refusal::DonorConfirmationsOff)), "{refused}");
    }

    #[test]
    fn a_name_that_would_write_a_header_is_a_permanent_failure_that_names_no_one() {
        let pledge =
            stored(GIFT_AID_EXAMPLE, |pledge| pledge.donor.given_name = "Amelia\r\nBcc: x@evil.example".to_owned());
        let error = mailer(true).compose(MailKind::DonorConfirmation, PledgeView::from(&pledge)).unwrap_err();
        assert!(matches!(error, DeliverError::Compose(EmailError::UnsafeName)), "{error}");
        assert_eq!(error.failure(), Failure::Permanent);
        let text = error.to_string();
        assert!(!text.contains("Amelia") && !text.contains("evil"), "{text}");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let text = format!("{:?}", mailer(true));
        assert!(!text.contains("hunter2"), "{text}");
    }
}
