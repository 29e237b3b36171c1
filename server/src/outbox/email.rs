//! The e-mail channels: the charity's notification and the donor's confirmation of a new
//! pledge, each delivered from the outbox under its own endpoint name, beside the webhooks.
//!
//! Only `pledge.created` events lead to e-mail: storage writes these endpoints' deliveries for
//! that event type alone (see [`crate::storage::Endpoints::with_created_only`]), so a status
//! change or an erasure never queues a message, and no event is kept for e-mail that nobody
//! would send. A delivery carries no message: the e-mail is composed at each attempt from the
//! pledge as it is then, read by the event's reference, so that nothing personal waits in the
//! outbox beyond the event itself, and an erased pledge is never mailed from an old copy. The
//! [`Mailer`] decides whether the e-mail may be sent at all and gives it the same Message-ID at
//! every attempt.
//!
//! Endpoint names hold a `:`, which a webhook's name never does, so the two never clash.

use std::sync::Arc;

use super::decision::Attempt;
use super::worker::Channel;
use crate::notify::mailer::{mails_for_new_pledge, DeliverError, Failure, MailKind, Mailer};
use crate::notify::PledgeView;
use crate::storage::{BoxFuture, ClaimedDelivery, Status, Store};

/// The endpoint name the charity's notification of a new pledge is delivered under.
pub const CHARITY_ENDPOINT: &str = "email:charity";
/// The endpoint name the donor's confirmation of a new pledge is delivered under.
pub const DONOR_ENDPOINT: &str = "email:donor";

/// The endpoint name of each kind of e-mail.
pub fn endpoint(kind: MailKind) -> &'static str {
    match kind {
        MailKind::CharityNotification => CHARITY_ENDPOINT,
        MailKind::DonorConfirmation => DONOR_ENDPOINT,
    }
}

/// The e-mails a `pledge.created` event leads to, and so the endpoints that take part in the
/// outbox. The event is written only for a pledge out of review (see
/// [`crate::storage::outbox::announcement`]), so the kinds are those a new pledge of that
/// standing causes: the charity's notification always, the donor's confirmation only when the
/// operator has not turned confirmations off.
pub fn kinds_for_new_pledges(donor_confirmations: bool) -> Vec<MailKind> {
    mails_for_new_pledge(Status::New.as_str(), donor_confirmations)
}

/// Delivers one kind of e-mail about the pledge a delivery's event names.
pub struct EmailChannel {
    kind: MailKind,
    mailer: Arc<Mailer>,
    store: Store,
}

impl EmailChannel {
    pub fn new(kind: MailKind, mailer: Arc<Mailer>, store: Store) -> EmailChannel {
        EmailChannel { kind, mailer, store }
    }

    async fn deliver(&self, delivery: &ClaimedDelivery) -> Attempt {
        let reference = delivery.reference.as_str();
        let event_id = delivery.event.id().as_str();
        let mail = self.kind.as_str();
        let stored = match self.store.pledge(reference).await {
            Ok(Some(stored)) if stored.erased_at.is_none() => stored,
            Ok(_) => {
                tracing::info!(event_id, reference, mail, "e-mail not sent: the pledge was erased or is gone");
                return Attempt::NothingToSend("the pledge was erased or is gone".to_owned());
            }
            Err(error) => {
                tracing::warn!(%error, event_id, reference, mail, "the pledge for an e-mail could not be read");
                return Attempt::Deferred("the pledge could not be read from the database".to_owned());
            }
        };
        let outcome = self.mailer.deliver(self.kind, PledgeView::from(&stored)).await;
        let attempt = attempt(outcome);
        if let Attempt::NothingToSend(reason) = &attempt {
            tracing::info!(event_id, reference, mail, "e-mail not sent: {reason}");
        }
        attempt
    }
}

impl Channel for EmailChannel {
    fn attempt<'a>(&'a self, delivery: &'a ClaimedDelivery) -> BoxFuture<'a, Attempt> {
        Box::pin(self.deliver(delivery))
    }
}

/// How a delivery stands after the mailer's answer: sent; refused, which no attempt would
/// change, so settled with nothing sent; a transient failure, tried again; or a permanent one,
/// given up at once with its description, which names no address.
pub fn attempt(outcome: Result<(), DeliverError>) -> Attempt {
    match outcome {
        Ok(()) => Attempt::Accepted,
        Err(DeliverError::Refused(refusal)) => Attempt::NothingToSend(refusal.to_string()),
        Err(error) => match error.failure() {
            Failure::Transient => Attempt::Deferred(error.to_string()),
            Failure::Permanent => Attempt::Undeliverable(error.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::email::EmailError;
    use crate::notify::mailer::{Refusal, SendError};
    use crate::outbox::WebhookEndpoint;

    #[test]
    fn e_mail_endpoints_can_never_be_a_webhooks_name() {
        for kind in MailKind::ALL {
            assert!(WebhookEndpoint::check_name(endpoint(kind)).is_err(), "{}", endpoint(kind));
        }
        assert_ne!(CHARITY_ENDPOINT, DONOR_ENDPOINT);
    }

    #[test]
    fn the_donor_is_confirmed_only_when_confirmations_are_on() {
        use MailKind::*;
        assert_eq!(kinds_for_new_pledges(true), [CharityNotification, DonorConfirmation]);
        assert_eq!(kinds_for_new_pledges(false), [CharityNotification]);
    }

    #[test]
    fn sent_refused_transient_and_permanent_settle_as_they_should() {
        assert_eq!(attempt(Ok(())), Attempt::Accepted);
        assert_eq!(
            attempt(Err(DeliverError::Refused(Refusal::HeldForReview))),
            Attempt::NothingToSend("the pledge is held for review, so its donor is not written to".to_owned())
        );
        let deferred = SendError { failure: Failure::Transient, detail: "deferred with a 451 reply".to_owned() };
        assert_eq!(
            attempt(Err(DeliverError::Send(deferred))),
            Attempt::Deferred("transient failure: deferred with a 451 reply".to_owned())
        );
        let refused = SendError { failure: Failure::Permanent, detail: "refused with a 550 reply".to_owned() };
        assert_eq!(
            attempt(Err(DeliverError::Send(refused))),
            Attempt::Undeliverable("permanent failure: refused with a 550 reply".to_owned())
        );
        assert_eq!(
            attempt(Err(DeliverError::Compose(EmailError::UnsafeName))),
            Attempt::Undeliverable("could not be composed: the donor's name holds a control character".to_owned())
        );
    }
}
