//! A small SMTP server on loopback: it speaks enough SMTP for a real client, keeps what it
//! accepts, and can be told at any time to misbehave the way real relays do: be down (421 at
//! once), refuse mail for good (550), fall silent after accepting the connection or after its
//! greeting, drop the connection in the middle of DATA, put off the next mails (451), or hang
//! on one recipient until released.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// How the sink answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Takes every mail.
    Accept,
    /// Out of service: `421` on connect (a transient failure).
    Down,
    /// Refuses every mail with `550` (a permanent failure).
    Refuse,
    /// Accepts the connection and never says a word.
    Silent,
    /// Greets (`220`) and then never says another word.
    SilentAfterGreeting,
    /// Closes the connection after the first line of a message.
    DropInData,
}

/// A mail the sink took.
#[derive(Debug, Clone)]
pub struct Received {
    /// `MAIL FROM`.
    pub from: String,
    /// Every `RCPT TO`.
    pub to: Vec<String>,
    /// The message as sent, headers and body.
    pub data: String,
}

impl Received {
    /// A header's value (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push_str(line.trim_start());
                    continue;
                }
                break;
            }
            if let Some((key, rest)) = line.split_once(':')
                && key.eq_ignore_ascii_case(name)
            {
                value = Some(rest.trim().to_owned());
            }
        }
        value
    }
}

#[derive(Debug)]
struct State {
    mode: Mode,
    received: Vec<Received>,
    /// Mails still to be put off with `451` at the end of DATA.
    deferrals: usize,
    /// A recipient at whose `RCPT TO` the conversation hangs.
    stall_on: Option<String>,
}

/// The running sink.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    state: Arc<Mutex<State>>,
    /// Bumped to end the conversations the sink holds silent.
    release: Arc<watch::Sender<u64>>,
}

impl SmtpSink {
    /// Listens on a free loopback port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let state = Arc::new(Mutex::new(State {
            mode: Mode::Accept,
            received: Vec::new(),
            deferrals: 0,
            stall_on: None,
        }));
        let release = Arc::new(watch::channel(0).0);
        let (shared, released) = (state.clone(), release.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone(), released.subscribe()));
            }
        });
        Self {
            port,
            state,
            release,
        }
    }

    /// Puts off the next `count` mails with `451` at the end of DATA, then takes mail again.
    pub fn defer_next(&self, count: usize) {
        self.state.lock().expect("sink").deferrals = count;
    }

    /// Hangs every conversation at `RCPT TO:<address>` until `release`.
    pub fn stall_on(&self, address: &str) {
        self.state.lock().expect("sink").stall_on = Some(address.to_lowercase());
    }

    /// Stops stalling, and closes the conversations it holds silent.
    pub fn release(&self) {
        self.state.lock().expect("sink").stall_on = None;
        self.release.send_modify(|generation| *generation += 1);
    }

    /// `SERVICEDESK_SMTP_URL` for this sink.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().expect("sink").mode = mode;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("sink").received.clone()
    }

    /// What the sink holds once `app` has sent every mail due (its jobs driven by the test).
    pub async fn after_dispatch(&self, app: &super::TestApp) -> Vec<Received> {
        app.dispatch_mail().await;
        self.received()
    }

    /// Waits until at least `count` mails have come (or five seconds have passed), then a
    /// moment more for any that should not come: for a dispatcher that runs on its own.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..250 {
            if self.received().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.received()
    }
}

/// Says nothing more: reads until the client hangs up or the test releases the conversation.
async fn hold(lines: &mut BufReader<OwnedReadHalf>, mut released: watch::Receiver<u64>) {
    let mut line = String::new();
    tokio::select! {
        _ = async {
            while lines.read_line(&mut line).await.unwrap_or(0) > 0 {
                line.clear();
            }
        } => {}
        _ = released.changed() => {}
    }
}

/// The message after DATA, up to its lone dot, unstuffed; `None` if the client went away or
/// the sink drops connections in the middle of a message.
async fn read_data(lines: &mut BufReader<OwnedReadHalf>, mode: Mode) -> Option<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return None;
        }
        if mode == Mode::DropInData {
            return None;
        }
        if line == ".\r\n" {
            return Some(data);
        }
        data.push_str(line.strip_prefix('.').unwrap_or(&line));
    }
}

/// Takes the message, or defers it while the sink has deferrals left; the reply to send.
fn deliver(state: &Mutex<State>, from: &str, to: &mut Vec<String>, data: String) -> &'static [u8] {
    let mut sink = state.lock().expect("sink");
    if sink.deferrals > 0 {
        sink.deferrals -= 1;
        to.clear();
        b"451 try again later\r\n"
    } else {
        sink.received.push(Received {
            from: from.to_owned(),
            to: std::mem::take(to),
            data,
        });
        b"250 queued\r\n"
    }
}

async fn serve(stream: TcpStream, state: Arc<Mutex<State>>, released: watch::Receiver<u64>) {
    let mode = state.lock().expect("sink").mode;
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    match mode {
        Mode::Down => {
            let _ = write.write_all(b"421 sink is down\r\n").await;
            return;
        }
        Mode::Silent => return hold(&mut lines, released).await,
        _ => {}
    }
    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let mode = state.lock().expect("sink").mode;
        if matches!(mode, Mode::Silent | Mode::SilentAfterGreeting) {
            return hold(&mut lines, released).await;
        }
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 ok\r\n"
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            b"250 ok\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&command);
            b"250 ok\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let stall = state.lock().expect("sink").stall_on.clone();
            if stall.is_some_and(|stalled| stalled == address(&command)) {
                return hold(&mut lines, released).await;
            }
            if mode == Mode::Refuse {
                b"550 no such mailbox here\r\n"
            } else {
                to.push(address(&command));
                b"250 ok\r\n"
            }
        } else if upper == "DATA" {
            let _ = write.write_all(b"354 go on\r\n").await;
            let Some(data) = read_data(&mut lines, mode).await else {
                return;
            };
            deliver(&state, &from, &mut to, data)
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

fn address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_lowercase())
        .unwrap_or_default()
}
