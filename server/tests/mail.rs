//! E-mail sent through a real SMTP conversation: the receiver's mailer, configured from its
//! flags, talks to a small SMTP server on a loopback port, and the messages that server keeps
//! are read back with a MIME parser, as a mail program would read them.

#[path = "support/smtp_sink.rs"]
mod smtp_sink;

use std::time::Duration;

use mail_parser::MessageParser;
use pledge::{wording, Locale, Pledge};
use sanankoroba_receiver::notify::email::EmailError;
use sanankoroba_receiver::notify::mailer::{DeliverError, Failure, MailSettings, Mailer, Refusal};
use sanankoroba_receiver::notify::{MailKind, PledgeView};
use sanankoroba_receiver::storage::{Status, StoredPledge};
use sanankoroba_receiver::timestamp::Timestamp;
use smtp_sink::{receiver_mail_settings, Received, SmtpSink};
use url::Url;

const GIFT_AID_EXAMPLE: &str = include_str!("../../contract/examples/child-gbp-gift-aid.json");
const REFERENCE: &str = "SK-7Q2M-X9D4";
const PUBLIC_URL: &str = "https://pledges.charity.example/";

/// The example pledge, changed by `edit`, as stored under `REFERENCE` at 2026-11-27T14:03:13Z.
fn stored(status: Status, edit: impl FnOnce(&mut Pledge)) -> StoredPledge {
    let mut pledge: Pledge = serde_json::from_str(GIFT_AID_EXAMPLE).expect("the example parses");
    edit(&mut pledge);
    StoredPledge {
        id: 1,
        reference: REFERENCE.to_owned(),
        received_at: Timestamp::from_micros(1_795_788_193_000_000),
        status,
        review_reason: None,
        released_at: None,
        erased_at: None,
        pledge,
    }
}

fn mailer_for(settings: &MailSettings) -> Mailer {
    Mailer::new(settings, Url::parse(PUBLIC_URL).unwrap()).unwrap()
}

fn mailer(sink: &SmtpSink) -> Mailer {
    mailer_for(&receiver_mail_settings(sink.port(), &[]))
}

/// The only message the sink kept.
fn only(sink: &SmtpSink) -> Received {
    let mut messages = sink.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    messages.remove(0)
}

/// What maud escapes, put back, to compare the HTML part's text with the text part's.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

struct Read {
    subject: String,
    text: String,
    html: String,
}

fn read(received: &Received) -> Read {
    let message = MessageParser::default().parse(&received.data).expect("a MIME message");
    Read {
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).expect("a text part").into_owned(),
        html: message.body_html(0).expect("an HTML part").into_owned(),
    }
}

#[tokio::test]
async fn the_charity_is_told_of_a_pledge_without_the_donors_details() {
    let sink = SmtpSink::start().await;
    let pledge = stored(Status::New, |_| {});
    mailer(&sink).deliver(MailKind::CharityNotification, PledgeView::from(&pledge)).await.unwrap();

    let received = only(&sink);
    assert_eq!(received.mail_from, "pledges@charity.example");
    assert_eq!(received.rcpt_to, ["supporters@charity.example"]);
    let mail = read(&received);
    assert_eq!(mail.subject, "New pledge SK-7Q2M-X9D4: Sponsor a child, GBP 25.00 a month");
    let link = "https://pledges.charity.example/admin/pledges/SK-7Q2M-X9D4";
    assert!(mail.text.contains(link), "{}", mail.text);
    assert!(mail.html.contains(&format!("href=\"{link}\"")), "{}", mail.html);
    let everything =
        format!("{}\n{}\n{}\n{}", String::from_utf8_lossy(&received.data), mail.subject, mail.text, mail.html);
    for personal in ["Amelia", "Hughes", "amelia.hughes", "Orchard", "LS6"] {
        assert!(!everything.contains(personal), "{personal} is in the staff notification");
    }
}

#[tokio::test]
async fn the_donor_is_confirmed_in_english_with_the_gift_aid_words_and_how_to_cancel() {
    let sink = SmtpSink::start().await;
    let pledge = stored(Status::New, |_| {});
    mailer(&sink).deliver(MailKind::DonorConfirmation, PledgeView::from(&pledge)).await.unwrap();

    let received = only(&sink);
    assert_eq!(received.rcpt_to, ["amelia.hughes@example.co.uk"]);
    let message = MessageParser::default().parse(&received.data).unwrap();
    let to = message.to().and_then(|to| to.first()).unwrap();
    assert_eq!((to.name(), to.address()), (Some("Amelia Hughes"), Some("amelia.hughes@example.co.uk")));
    let reply_to = message.reply_to().and_then(|reply_to| reply_to.first()).unwrap();
    assert_eq!(reply_to.address(), Some("supporters@charity.example"));
    assert_eq!(reply_to.name(), Some("SOS Children's Villages UK"));
    assert_eq!(message.message_id(), Some("SK-7Q2M-X9D4.donor@charity.example"));

    let mail = read(&received);
    assert_eq!(mail.subject, "Your pledge to SOS Children's Villages UK: reference SK-7Q2M-X9D4");
    for expected in [
        "Dear Amelia,",
        "Reference: SK-7Q2M-X9D4",
        "How you help: Sponsor a child",
        "Amount: GBP 25.00 a month",
        "What happens next",
        "We will contact you to set up your gift.",
        "On 27 November 2026 you made this Gift Aid declaration:",
        &format!("> {}", wording::en::GIFT_AID_CHECKBOX),
        &format!("> {}", wording::en::GIFT_AID_DECLARATION),
        "Home address: 14 Orchard Lane, Leeds",
        "You can cancel this declaration at any time by replying to this e-mail or by writing to supporters@charity.example.",
    ] {
        assert!(mail.text.contains(expected), "{expected:?} is missing from\n{}", mail.text);
    }
    let html = unescape(&mail.html);
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains(wording::en::GIFT_AID_DECLARATION), "{html}");
    assert!(html.contains("You can cancel this declaration at any time"), "{html}");
}

#[tokio::test]
async fn the_donor_is_confirmed_in_french() {
    let sink = SmtpSink::start().await;
    let pledge = stored(Status::New, |pledge| pledge.locale = Locale::Fr);
    mailer(&sink).deliver(MailKind::DonorConfirmation, PledgeView::from(&pledge)).await.unwrap();

    let mail = read(&only(&sink));
    assert_eq!(mail.subject, "Votre promesse de don à SOS Children's Villages UK\u{a0}: référence SK-7Q2M-X9D4");
    for expected in [
        "Bonjour Amelia,",
        "Référence: SK-7Q2M-X9D4",
        "Votre soutien: Parrainer un enfant",
        "Montant: 25,00\u{a0}GBP par mois",
        "Et ensuite\u{202f}?",
        "Nous vous contacterons pour mettre en place votre don.",
        "Le 27 novembre 2026, vous avez fait cette déclaration Gift Aid\u{a0}:",
        &format!("> {}", wording::fr::GIFT_AID_CHECKBOX),
        &format!("> {}", wording::fr::GIFT_AID_DECLARATION),
        "Vous pouvez annuler cette déclaration à tout moment en répondant à cet e-mail",
    ] {
        assert!(mail.text.contains(expected), "{expected:?} is missing from\n{}", mail.text);
    }
    assert!(!mail.text.contains("Dear") && !mail.text.contains("What happens next"), "{}", mail.text);
    let html = unescape(&mail.html);
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains(wording::fr::GIFT_AID_DECLARATION), "{html}");
}

#[tokio::test]
async fn markup_in_a_name_is_escaped_in_html_and_plain_in_text() {
    let sink = SmtpSink::start().await;
    let pledge = stored(Status::New, |pledge| pledge.donor.given_name = "<script>alert(1)</script>".to_owned());
    mailer(&sink).deliver(MailKind::DonorConfirmation, PledgeView::from(&pledge)).await.unwrap();

    let received = only(&sink);
    assert_eq!(received.rcpt_to, ["amelia.hughes@example.co.uk"]);
    let mail = read(&received);
    assert!(mail.text.contains("Dear <script>alert(1)</script>,"), "{}", mail.text);
    assert!(mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", mail.html);
    assert!(!mail.html.contains("<script"), "{}", mail.html);
    assert!(!mail.subject.contains("script"), "{}", mail.subject);
}

#[tokio::test]
async fn a_name_or_an_address_that_would_write_a_header_is_refused_before_anything_is_sent() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(&sink);
    let names = ["Amelia\r\nBcc: evil@example.org", "Amelia\nBcc: evil@example.org", "Amelia\rBcc: evil@example.org"];
    for name in names {
        let pledge = stored(Status::New, |pledge| pledge.donor.given_name = name.to_owned());
        let error = mailer.deliver(MailKind::DonorConfirmation, PledgeView::from(&pledge)).await.unwrap_err();
        assert!(matches!(error, DeliverError::Compose(EmailError::UnsafeName)), "{name:?}: {error}");
        assert_eq!(error.failure(), Failure::Permanent);
    }
    for email in [
        "amelia.hughes@example.co.uk\r\nBcc: evil@example.org",
        "amelia.hughes@example.co.uk\nBcc: evil@example.org",
        "amelia.hughes@example.co.uk, evil@example.org",
    ] {
        let pledge = stored(Status::New, |pledge| pledge.donor.email = email.to_owned());
        let error = mailer.deliver(MailKind::DonorConfirmation, PledgeView::from(&pledge)).await.unwrap_err();
        assert!(matches!(error, DeliverError::Compose(EmailError::Address(_))), "{email:?}: {error}");
        assert!(!error.to_string().contains("evil"), "{error}");
    }
    assert_eq!(sink.connections(), 0, "nothing was even attempted");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_pledge_held_for_review_never_makes_the_charity_write_to_its_address() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(&sink);
    let pledge = stored(Status::Review, |pledge| pledge.donor.email = "victim@example.org".to_owned());
    let error = mailer.deliver(MailKind::DonorConfirmation, PledgeView::from(&pledge)).await.unwrap_err();
    assert!(matches!(error, DeliverError::Refused(Refusal::HeldForReview)), "{error}");
    assert_eq!(sink.connections(), 0);

    // Staff still hear of it, from an e-mail that carries no address.
    mailer.deliver(MailKind::CharityNotification, PledgeView::from(&pledge)).await.unwrap();
    let received = only(&sink);
    assert_eq!(received.rcpt_to, ["supporters@charity.example"]);
    assert!(!String::from_utf8_lossy(&received.data).contains("victim"));
}

#[tokio::test]
async fn confirmations_turned_off_are_not_sent() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for(&receiver_mail_settings(sink.port(), &["--donor-confirmations", "false"]));
    assert!(!mailer.donor_confirmations());
    let pledge = stored(Status::New, |_| {});
    let error = mailer.deliver(MailKind::DonorConfirmation, PledgeView::from(&pledge)).await.unwrap_err();
    assert!(matches!(error, DeliverError::Refused(Refusal::DonorConfirmationsOff)), "{error}");
    assert_eq!(sink.connections(), 0);
}

#[tokio::test]
async fn a_451_is_transient_and_the_retry_sends_the_same_message() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(&sink);
    let pledge = stored(Status::New, |_| {});
    sink.refuse_next_data(451, 1);

    let error = mailer.deliver(MailKind::DonorConfirmation, PledgeView::from(&pledge)).await.unwrap_err();
    assert_eq!(error.failure(), Failure::Transient, "{error}");
    let DeliverError::Send(send) = &error else { panic!("{error}") };
    assert_eq!(send.detail, "the SMTP server deferred the message with a 451 reply");
    assert!(sink.messages().is_empty());

    mailer.deliver(MailKind::DonorConfirmation, PledgeView::from(&pledge)).await.unwrap();
    let message = MessageParser::default().parse(&only(&sink).data).unwrap().into_owned();
    assert_eq!(message.message_id(), Some("SK-7Q2M-X9D4.donor@charity.example"));
}

#[tokio::test]
async fn a_550_is_permanent_and_its_text_is_not_repeated() {
    let sink = SmtpSink::start().await;
    let pledge = stored(Status::New, |_| {});
    sink.refuse_next_rcpt(550, 1);

    let error = mailer(&sink).deliver(MailKind::DonorConfirmation, PledgeView::from(&pledge)).await.unwrap_err();
    assert_eq!(error.failure(), Failure::Permanent, "{error}");
    let text = error.to_string();
    assert_eq!(text, "permanent failure: the SMTP server refused the message with a 550 reply");
    assert!(!text.contains("amelia"), "the server quoted the address; the error must not: {text}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_relay_that_is_down_or_silent_is_transient() {
    // Nobody listens on a port that was just given up.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let pledge = stored(Status::New, |_| {});
    let error = mailer_for(&receiver_mail_settings(port, &[]))
        .deliver(MailKind::CharityNotification, PledgeView::from(&pledge))
        .await
        .unwrap_err();
    assert_eq!(error.failure(), Failure::Transient, "{error}");

    // A server that accepts the connection and never greets.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut settings = receiver_mail_settings(silent.local_addr().unwrap().port(), &[]);
    settings.send_timeout = Duration::from_millis(300);
    let holder = tokio::spawn(async move {
        let held = silent.accept().await;
        std::future::pending::<()>().await;
        drop(held);
    });
    let error =
        mailer_for(&settings).deliver(MailKind::CharityNotification, PledgeView::from(&pledge)).await.unwrap_err();
    assert_eq!(error.failure(), Failure::Transient, "{error}");
    holder.abort();
}

#[tokio::test]
async fn lines_that_begin_with_a_dot_arrive_unchanged() {
    let sink = SmtpSink::start().await;
    let body = "first\r\n.\r\n..two dots\r\n.end\r\n";
    let message = lettre::Message::builder()
        .from("pledges@charity.example".parse().unwrap())
        .to("supporters@charity.example".parse().unwrap())
        .subject("dots")
        .body(body.to_owned())
        .unwrap();
    mailer(&sink).send(&message).await.unwrap();
    let received = only(&sink);
    // lettre ends the data with CRLF . CRLF even after a final CRLF, which adds an empty line.
    let sent = message.formatted();
    assert_eq!(received.data.strip_suffix(b"\r\n").unwrap_or(&received.data), &sent[..], "dots unstuffed");
    assert!(String::from_utf8_lossy(&received.data).contains("first\r\n.\r\n..two dots\r\n.end\r\n"));
}
