//! One SMTP relay, spoken to under a hard deadline per mail that covers everything from taking
//! a connection to the relay's last reply, with a small pool of idle connections.
//!
//! lettre's own pool is not used: its timeout bounds only the TCP connect, and a send cancelled
//! in the middle of a conversation hands its connection back to the pool as if it were clean,
//! so the next mail would read the replies meant for the one before. Here a connection goes
//! back to the pool only after its conversation ended with the relay's acceptance; one cut off
//! by the deadline is dropped with the send, which closes it.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::failure::SendFailure;

/// Idle connections kept for the next mails.
const IDLE_CONNECTIONS: usize = 10;
/// An idle connection older than this is closed rather than tried: relays drop idle clients.
const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// How the connection is secured.
pub(super) enum Security {
    /// Plain text (`smtp://`).
    Plain,
    /// Plain text, then `STARTTLS`, which the relay must offer (`?tls=starttls`).
    StartTls(TlsParameters),
    /// TLS from the first byte (`smtps://`).
    Tls(TlsParameters),
}

/// Where a conversation was when it failed or ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Connecting,
    Greeting,
    StartTls,
    Auth,
    CheckingIdle,
    MailFrom,
    RcptTo,
    Data,
    Message,
}

/// The step a conversation is at, and whether anything was written on a new connection:
/// lettre reads the greeting and sends EHLO in one call, and only after a good greeting is
/// EHLO written, so this flag tells a relay that greets and then falls silent (or refuses
/// EHLO) from one that never greets (or greets with a refusal).
struct Progress {
    step: Step,
    ehlo_sent: Arc<AtomicBool>,
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.step {
            Step::Connecting => "connecting",
            Step::Greeting if self.ehlo_sent.load(Ordering::Relaxed) => "at EHLO",
            Step::Greeting => "at the greeting",
            Step::StartTls => "at STARTTLS",
            Step::Auth => "at AUTH",
            Step::CheckingIdle => "checking an idle connection (NOOP)",
            Step::MailFrom => "at MAIL FROM",
            Step::RcptTo => "at RCPT TO",
            Step::Data => "at DATA",
            Step::Message => "sending the message",
        })
    }
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// An SMTP relay and its idle connections.
pub struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    deadline: Duration,
    idle: Mutex<Vec<Idle>>,
}

impl Relay {
    /// A relay at `host:port`; each mail gets `deadline` for its whole conversation.
    pub(super) fn new(
        host: String,
        port: u16,
        security: Security,
        credentials: Option<Credentials>,
        deadline: Duration,
    ) -> Self {
        Self {
            host,
            port,
            security,
            credentials,
            hello: ClientId::default(),
            deadline,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends one mail. Running out of time is a transient failure; either way the message
    /// names the step the conversation was at.
    pub(super) async fn send(&self, message: &Message) -> Result<(), SendFailure> {
        let mut progress = Progress {
            step: Step::Connecting,
            ehlo_sent: Arc::new(AtomicBool::new(false)),
        };
        let outcome =
            tokio::time::timeout(self.deadline, self.converse(message, &mut progress)).await;
        match outcome {
            Ok(Ok(conn)) => {
                self.park(conn);
                Ok(())
            }
            Ok(Err(failure)) => Err(SendFailure {
                message: format!("{progress}: {}", failure.message),
                ..failure
            }),
            Err(_) => Err(SendFailure {
                permanent: false,
                message: format!(
                    "timed out after {} s {progress}",
                    self.deadline.as_secs_f64()
                ),
            }),
        }
    }

    /// The conversation of one mail; the connection is handed back only when the relay has
    /// taken the mail.
    async fn converse(
        &self,
        message: &Message,
        progress: &mut Progress,
    ) -> Result<AsyncSmtpConnection, SendFailure> {
        let mut conn = self.connection(progress).await?;
        let envelope = message.envelope();
        let body = message.formatted();
        let mut options = Vec::new();
        let ascii_addresses = envelope
            .from()
            .into_iter()
            .chain(envelope.to())
            .all(|address| AsRef::<str>::as_ref(address).is_ascii());
        if !ascii_addresses {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(SendFailure::permanent(
                    "the relay takes no non-ASCII addresses (no SMTPUTF8)",
                ));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !body.is_ascii() {
            if !conn.server_info().supports_feature(Extension::EightBitMime) {
                return Err(SendFailure::permanent(
                    "the relay takes no 8-bit mail (no 8BITMIME)",
                ));
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        progress.step = Step::MailFrom;
        conn.command(Mail::new(envelope.from().cloned(), options))
            .await?;
        progress.step = Step::RcptTo;
        for address in envelope.to() {
            conn.command(Rcpt::new(address.clone(), Vec::new())).await?;
        }
        progress.step = Step::Data;
        conn.command(Data).await?;
        progress.step = Step::Message;
        conn.message(&body).await?;
        Ok(conn)
    }

    /// An idle connection that still answers, or a new one.
    async fn connection(
        &self,
        progress: &mut Progress,
    ) -> Result<AsyncSmtpConnection, SendFailure> {
        while let Some(mut conn) = self.take_idle() {
            progress.step = Step::CheckingIdle;
            if conn.test_connected().await {
                return Ok(conn);
            }
        }
        progress.step = Step::Connecting;
        let mut conn = match &self.security {
            // TCP, handshake, greeting and EHLO in one call: implicit TLS needs lettre's stream.
            Security::Tls(tls) => {
                AsyncSmtpConnection::connect_tokio1(
                    (self.host.as_str(), self.port),
                    None,
                    &self.hello,
                    Some(tls.clone()),
                    None,
                )
                .await?
            }
            Security::Plain | Security::StartTls(_) => {
                let tcp = TcpStream::connect((self.host.as_str(), self.port))
                    .await
                    .map_err(|e| SendFailure {
                        permanent: false,
                        message: e.to_string(),
                    })?;
                progress.step = Step::Greeting;
                let stream = Watched {
                    inner: tcp,
                    written: progress.ehlo_sent.clone(),
                };
                let mut conn =
                    AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                        .await?;
                if let Security::StartTls(tls) = &self.security {
                    progress.step = Step::StartTls;
                    conn.starttls(tls.clone(), &self.hello).await?;
                }
                conn
            }
        };
        if let Some(credentials) = &self.credentials {
            progress.step = Step::Auth;
            conn.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(conn)
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        idle.retain(|parked| parked.since.elapsed() < IDLE_LIMIT);
        idle.pop().map(|parked| parked.conn)
    }

    fn park(&self, conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < IDLE_CONNECTIONS {
            idle.push(Idle {
                conn,
                since: Instant::now(),
            });
        }
    }
}

impl From<lettre::transport::smtp::Error> for SendFailure {
    fn from(error: lettre::transport::smtp::Error) -> Self {
        Self {
            permanent: error.is_permanent(),
            message: error.to_string(),
        }
    }
}

/// A TCP stream that notes when something was first written to it.
#[derive(Debug)]
struct Watched {
    inner: TcpStream,
    written: Arc<AtomicBool>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.written.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for Watched {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.peer_addr()
    }
}
