//! A small SMTP server on a loopback port that keeps what it is sent, for tests.
//!
//! It speaks enough of RFC 5321 for a real client: the 220 greeting, EHLO and HELO, MAIL FROM,
//! RCPT TO, DATA with dot-unstuffing, RSET, NOOP and QUIT. It records each accepted message's
//! envelope and its data exactly as received, and can be told to refuse the next few RCPT or
//! DATA commands with a reply of the test's choosing, such as 451 (try later) or 550 (refused).
//! It counts connections too, so that a test can tell that nothing was even attempted.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use clap::Parser;
use sanankoroba_receiver::notify::MailSettings;
use sanankoroba_receiver::Args;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Longer lines than RFC 5321 allows (1000 octets) are cut off rather than buffered for ever.
const MAX_LINE: usize = 4096;
/// A message larger than this is refused, so that a runaway client cannot fill the memory.
const MAX_MESSAGE: usize = 4 * 1024 * 1024;

/// The mail settings the receiver makes of its e-mail flags when it sends to `port` on loopback
/// in plain text, as to a sink, with `extra` flags after them.
pub fn receiver_mail_settings(port: u16, extra: &[&str]) -> MailSettings {
    let port = port.to_string();
    let mut args = vec![
        "sanankoroba-receiver",
        "--database-url",
        "sqlite://./data/pledges.db",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--mail-from",
        "Pledges <pledges@charity.example>",
        "--charity-email",
        "supporters@charity.example",
    ];
    args.extend_from_slice(extra);
    let (settings, _) = Args::try_parse_from(args).unwrap().into_settings().unwrap();
    settings.mail.expect("e-mail is on with --smtp-host")
}

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    /// The reverse path from MAIL FROM, without its angle brackets.
    pub mail_from: String,
    /// The forward paths from RCPT TO, without their angle brackets.
    pub rcpt_to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, every line ending in CRLF.
    pub data: Vec<u8>,
}

#[derive(Default)]
struct State {
    messages: Vec<Received>,
    connections: usize,
    /// Replies for the next RCPT TO commands, used up one per command.
    rcpt_replies: VecDeque<u16>,
    /// Replies for the end of the next messages' data, used up one per message.
    data_replies: VecDeque<u16>,
}

pub struct SmtpSink {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let address = listener.local_addr().expect("the bound address");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                lock(&shared).connections += 1;
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    // A client that goes away mid-conversation ends only its own connection.
                    let _ = converse(stream, state).await;
                });
            }
        });
        SmtpSink { address, state, task }
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Answers the next `times` RCPT TO commands with `code` instead of 250.
    pub fn refuse_next_rcpt(&self, code: u16, times: usize) {
        lock(&self.state).rcpt_replies.extend(std::iter::repeat_n(code, times));
    }

    /// Answers the end of the next `times` messages' data with `code` instead of 250; those
    /// messages are not kept.
    pub fn refuse_next_data(&self, code: u16, times: usize) {
        lock(&self.state).data_replies.extend(std::iter::repeat_n(code, times));
    }

    pub fn messages(&self) -> Vec<Received> {
        lock(&self.state).messages.clone()
    }

    pub fn connections(&self) -> usize {
        lock(&self.state).connections
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A test that panicked while holding the lock has failed already; its data is still good.
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The text that goes with a reply code.
fn reply_text(code: u16) -> &'static str {
    match code {
        421 => "4.3.2 service not available, closing channel",
        450 | 451 => "4.3.0 local error, try again later",
        452 => "4.3.1 insufficient storage",
        550 => "5.1.1 mailbox unavailable",
        552 => "5.3.4 message too big",
        554 => "5.6.0 transaction failed",
        _ => "refused",
    }
}

/// One line without its CRLF, cut at `MAX_LINE`; `None` when the client has gone.
async fn read_line(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let read = reader.read_until(b'\n', &mut line).await?;
    if read == 0 {
        return Ok(None);
    }
    while line.last().is_some_and(|byte| *byte == b'\n' || *byte == b'\r') {
        line.pop();
    }
    line.truncate(MAX_LINE);
    Ok(Some(line))
}

/// The path inside `<…>` after `prefix` (such as `MAIL FROM:`), parameters left out.
fn path(line: &str, prefix: &str) -> Option<String> {
    let rest = line.get(prefix.len()..)?.trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

async fn converse(stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    reader.get_mut().write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    while let Some(line) = read_line(&mut reader).await? {
        let line = String::from_utf8_lossy(&line).into_owned();
        let upper = line.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or("");
        let reply: String = match verb {
            "EHLO" => "250-sink.test greets you\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".to_owned(),
            "HELO" => "250 sink.test\r\n".to_owned(),
            "NOOP" => "250 2.0.0 OK\r\n".to_owned(),
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                "250 2.0.0 OK\r\n".to_owned()
            }
            "QUIT" => {
                reader.get_mut().write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(());
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => match path(&line, "MAIL FROM:") {
                Some(from) => {
                    mail_from = Some(from);
                    rcpt_to.clear();
                    "250 2.1.0 OK\r\n".to_owned()
                }
                None => "501 5.5.4 syntax: MAIL FROM:<address>\r\n".to_owned(),
            },
            "RCPT" if upper.starts_with("RCPT TO:") => {
                if mail_from.is_none() {
                    "503 5.5.1 MAIL first\r\n".to_owned()
                } else if let Some(code) = lock(&state).rcpt_replies.pop_front() {
                    // Quoting the recipient, as real servers do, so that tests can check that
                    // the server's words stay out of what the receiver logs.
                    let to = path(&line, "RCPT TO:").unwrap_or_default();
                    format!("{code} <{to}>: {}\r\n", reply_text(code))
                } else {
                    match path(&line, "RCPT TO:") {
                        Some(to) => {
                            rcpt_to.push(to);
                            "250 2.1.5 OK\r\n".to_owned()
                        }
                        None => "501 5.5.4 syntax: RCPT TO:<address>\r\n".to_owned(),
                    }
                }
            }
            "DATA" => {
                let Some(from) = mail_from.take().filter(|_| !rcpt_to.is_empty()) else {
                    reader.get_mut().write_all(b"503 5.5.1 MAIL and RCPT first\r\n").await?;
                    continue;
                };
                reader.get_mut().write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n").await?;
                let data = read_data(&mut reader).await?;
                let recipients = std::mem::take(&mut rcpt_to);
                let mut state = lock(&state);
                match (data, state.data_replies.pop_front()) {
                    (None, _) => format!("552 {}\r\n", reply_text(552)),
                    (Some(_), Some(code)) => format!("{code} {}\r\n", reply_text(code)),
                    (Some(data), None) => {
                        state.messages.push(Received { mail_from: from, rcpt_to: recipients, data });
                        format!("250 2.0.0 queued as {}\r\n", state.messages.len())
                    }
                }
            }
            _ => "502 5.5.2 command not implemented\r\n".to_owned(),
        };
        reader.get_mut().write_all(reply.as_bytes()).await?;
    }
    Ok(())
}

/// The data up to the line holding a single dot, dot-unstuffed; `None` when it was too large
/// (the rest is read and dropped, so that the conversation can go on).
async fn read_data(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut too_large = false;
    loop {
        let Some(line) = read_line(reader).await? else {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        };
        if line == b"." {
            return Ok((!too_large).then_some(data));
        }
        // RFC 5321 4.5.2: a line the client began with a dot has had another one put before it.
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() + line.len() + 2 > MAX_MESSAGE {
            too_large = true;
            continue;
        }
        data.extend_from_slice(line);
        data.extend_from_slice(b"\r\n");
    }
}
