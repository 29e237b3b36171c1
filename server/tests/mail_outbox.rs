//! E-mail from the outbox, end to end: a receiver with e-mail on, sending to a small SMTP
//! server on a loopback port, is sent pledges over HTTP; the staff notification and the donor's
//! confirmation arrive through the delivery worker, are retried like webhooks, and are listed
//! with the other deliveries.

mod common;
#[path = "support/smtp_sink.rs"]
mod smtp_sink;

use std::time::{Duration, Instant};

use common::{new_key, pledge_json, TestServer, ADMIN_TOKEN};
use mail_parser::MessageParser;
use serde_json::Value;
use smtp_sink::{receiver_mail_settings, Received, SmtpSink};

const GENEROUS: Duration = Duration::from_secs(60);
const CHARITY: &str = "supporters@charity.example";
const DONOR: &str = "aissata@example.org";

async fn receiver_with_mail(sink: &SmtpSink, extra: &[&str]) -> TestServer {
    let mail = receiver_mail_settings(sink.port(), extra);
    TestServer::start_with(move |settings, _| {
        settings.mail = Some(mail);
        settings.webhooks.retry.base = Duration::from_millis(20);
    })
    .await
}

async fn posted(server: &TestServer, pledge: &Value) -> String {
    let response = server.post(pledge).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["reference"].as_str().unwrap().to_owned()
}

async fn deliveries(server: &TestServer) -> Vec<Value> {
    let response = server.client.get(server.url("/v1/deliveries")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["deliveries"].as_array().unwrap().clone()
}

/// The messages the sink kept, once there are `count` of them.
async fn wait_for_messages(sink: &SmtpSink, count: usize) -> Vec<Received> {
    let deadline = Instant::now() + GENEROUS;
    loop {
        let messages = sink.messages();
        if messages.len() >= count {
            return messages;
        }
        assert!(Instant::now() < deadline, "only {} of {count} e-mails arrived", messages.len());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The deliveries, once every one of the `count` listed is delivered.
async fn wait_until_delivered(server: &TestServer, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + GENEROUS;
    loop {
        let listed = deliveries(server).await;
        if listed.len() == count && listed.iter().all(|delivery| delivery["status"] == "delivered") {
            return listed;
        }
        assert!(Instant::now() < deadline, "the deliveries were not all delivered: {listed:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The one message sent to `to`.
fn to<'a>(messages: &'a [Received], to: &str) -> &'a Received {
    let mut sent = messages.iter().filter(|message| message.rcpt_to == [to]);
    let message = sent.next().unwrap_or_else(|| panic!("nothing was sent to {to}"));
    assert!(sent.next().is_none(), "more than one message was sent to {to}");
    message
}

fn subject_and_id(received: &Received) -> (String, String) {
    let message = MessageParser::default().parse(&received.data).expect("a MIME message");
    (message.subject().unwrap_or_default().to_owned(), message.message_id().unwrap_or_default().to_owned())
}

fn endpoints(listed: &[Value]) -> Vec<&str> {
    let mut names: Vec<&str> = listed.iter().map(|delivery| delivery["endpoint"].as_str().unwrap()).collect();
    names.sort_unstable();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_pledge_is_mailed_to_staff_and_confirmed_to_its_donor_in_their_language() {
    let sink = SmtpSink::start().await;
    let server = receiver_with_mail(&sink, &[]).await;
    let mut pledge = pledge_json(&new_key());
    pledge["locale"] = "fr".into();
    let reference = posted(&server, &pledge).await;

    let messages = wait_for_messages(&sink, 2).await;
    let (subject, id) = subject_and_id(to(&messages, CHARITY));
    assert!(subject.starts_with(&format!("New pledge {reference}")), "{subject}");
    assert_eq!(id, format!("{reference}.staff@charity.example"));
    let (subject, id) = subject_and_id(to(&messages, DONOR));
    assert!(subject.starts_with("Votre promesse de don"), "{subject}");
    assert!(subject.ends_with(&reference), "{subject}");
    assert_eq!(id, format!("{reference}.donor@charity.example"));

    let listed = wait_until_delivered(&server, 2).await;
    assert_eq!(endpoints(&listed), ["email:charity", "email:donor"]);
    for delivery in &listed {
        assert_eq!(
            (delivery["reference"].as_str(), delivery["event_type"].as_str()),
            (Some(&*reference), Some("pledge.created"))
        );
        assert_eq!(delivery["attempts"], 1);
    }

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pledge_held_for_review_is_mailed_only_once_released() {
    let sink = SmtpSink::start().await;
    let server = receiver_with_mail(&sink, &[]).await;
    let mut too_fast = pledge_json(&new_key());
    too_fast["anti_spam"]["fill_ms"] = 10.into();
    let reference = posted(&server, &too_fast).await;

    // Long enough for an e-mail to show, were one wrongly sent.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.connections(), 0, "nothing is sent for a pledge held for review");
    assert!(deliveries(&server).await.is_empty());

    let release = server.client.post(server.url(&format!("/v1/pledges/{reference}/release")));
    assert!(release.bearer_auth(ADMIN_TOKEN).send().await.unwrap().status().is_success());
    let messages = wait_for_messages(&sink, 2).await;
    assert_eq!(subject_and_id(to(&messages, DONOR)).1, format!("{reference}.donor@charity.example"));
    assert_eq!(subject_and_id(to(&messages, CHARITY)).1, format!("{reference}.staff@charity.example"));
    wait_until_delivered(&server, 2).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_e_mail_arrives_after_a_retry_with_the_same_message_id() {
    let sink = SmtpSink::start().await;
    let server = receiver_with_mail(&sink, &["--donor-confirmations", "false"]).await;
    sink.refuse_next_data(451, 1);
    let reference = posted(&server, &pledge_json(&new_key())).await;

    let messages = wait_for_messages(&sink, 1).await;
    assert_eq!(subject_and_id(to(&messages, CHARITY)).1, format!("{reference}.staff@charity.example"));
    let listed = wait_until_delivered(&server, 1).await;
    let delivery = &listed[0];
    assert_eq!(delivery["endpoint"], "email:charity", "no confirmation when they are turned off");
    assert_eq!(delivery["attempts"], 2);
    assert_eq!(delivery["last_error"], "transient failure: the SMTP server deferred the message with a 451 reply");
    assert!(sink.connections() >= 2, "the first attempt reached the server");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1, "no confirmation when they are turned off");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_e_mail_is_given_up_at_once_with_its_reply_code() {
    let sink = SmtpSink::start().await;
    let server = receiver_with_mail(&sink, &["--donor-confirmations", "false"]).await;
    sink.refuse_next_rcpt(550, 1);
    posted(&server, &pledge_json(&new_key())).await;

    let deadline = Instant::now() + GENEROUS;
    let dead = loop {
        let listed = deliveries(&server).await;
        if let Some(dead) = listed.into_iter().find(|delivery| delivery["status"] == "dead") {
            break dead;
        }
        assert!(Instant::now() < deadline, "the refused e-mail was not given up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(dead["attempts"], 1, "a permanent failure is not retried");
    assert_eq!(dead["last_error"], "permanent failure: the SMTP server refused the message with a 550 reply");
    assert!(!dead["last_error"].as_str().unwrap().contains('@'), "no address in the error");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_still_waiting_when_confirmations_are_turned_off_is_settled_as_not_sent() {
    let deferring = SmtpSink::start().await;
    deferring.refuse_next_data(451, 1_000);
    let server = receiver_with_mail(&deferring, &[]).await;
    posted(&server, &pledge_json(&new_key())).await;
    let deadline = Instant::now() + GENEROUS;
    while deliveries(&server).await.iter().filter(|delivery| delivery["attempts"].as_u64() >= Some(1)).count() < 2 {
        assert!(Instant::now() < deadline, "the two e-mails were not attempted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let folder = server.stop().await;

    // The operator turns confirmations off and restarts on the same database.
    let accepting = SmtpSink::start().await;
    let mail = receiver_mail_settings(accepting.port(), &["--donor-confirmations", "false"]);
    let server = TestServer::start_in_with(folder, move |settings, _| {
        settings.mail = Some(mail);
        settings.webhooks.retry.base = Duration::from_millis(20);
    })
    .await;
    let listed = wait_until_delivered(&server, 2).await;
    let confirmation = listed.iter().find(|delivery| delivery["endpoint"] == "email:donor").unwrap();
    assert_eq!(confirmation["last_error"], "not sent: donor confirmations are turned off");
    let staff = listed.iter().find(|delivery| delivery["endpoint"] == "email:charity").unwrap();
    assert_eq!(staff["last_error"], "transient failure: the SMTP server deferred the message with a 451 reply");
    let messages = wait_for_messages(&accepting, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(accepting.messages().len(), 1, "only the staff notification was sent");
    assert_eq!(messages[0].rcpt_to, [CHARITY]);
    server.stop().await;
}
