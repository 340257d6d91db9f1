//! Carries rendered mail out: one pooled async SMTP transport (`smtp://`, `?tls=starttls`,
//! `smtps://`, optional `user:password@`), or `.eml` files under `<data dir>/outbox/`.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;
use lettre::transport::smtp::{SMTP_PORT, SUBMISSION_PORT, SUBMISSIONS_PORT};
use lettre::{Address, Message};

use super::failure::SendFailure;
use super::smtp::{Relay, Security};

/// A mail ready to go.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The outbox row's id (the `.eml` file's name).
    pub id: String,
    /// Sender.
    pub from: String,
    /// To.
    pub to: Vec<String>,
    /// Cc.
    pub cc: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML.
    pub html: String,
    /// `Message-ID`, without angle brackets.
    pub message_id: String,
    /// `Message-ID` of the thread's first mail.
    pub thread_id: Option<String>,
}

/// Where mail goes.
pub enum Mailer {
    /// An SMTP server.
    Smtp(Relay),
    /// `.eml` files in this directory.
    Files(PathBuf),
}

impl Mailer {
    /// From `SERVICEDESK_SMTP_URL`, or files under `outbox_dir` without it; each SMTP
    /// conversation gets `deadline`, from taking a connection to the relay's last reply.
    pub fn new(
        smtp_url: Option<&str>,
        outbox_dir: PathBuf,
        deadline: Duration,
    ) -> Result<Self, String> {
        let Some(text) = smtp_url else {
            std::fs::create_dir_all(&outbox_dir)
                .map_err(|e| format!("cannot create {}: {e}", outbox_dir.display()))?;
            return Ok(Mailer::Files(outbox_dir));
        };
        let url = url::Url::parse(text).map_err(|e| format!("not a URL: {e}"))?;
        let host = url.host_str().ok_or("names no host")?.to_owned();
        // A misspelt option would otherwise send mail in plain text without a word.
        let mut starttls = false;
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "starttls") if url.scheme() == "smtp" => starttls = true,
                _ => {
                    return Err(format!(
                        "unknown option {key}={value} (only smtp://…?tls=starttls)"
                    ));
                }
            }
        }
        let tls = || TlsParameters::new(host.clone()).map_err(|e| e.to_string());
        let (security, default_port) = match (url.scheme(), starttls) {
            ("smtp", false) => (Security::Plain, SMTP_PORT),
            ("smtp", true) => (Security::StartTls(tls()?), SUBMISSION_PORT),
            ("smtps", _) => (Security::Tls(tls()?), SUBMISSIONS_PORT),
            (scheme, _) => return Err(format!("scheme {scheme} is not smtp or smtps")),
        };
        let credentials = (!url.username().is_empty()).then(|| {
            let decode = |text: &str| {
                url::form_urlencoded::parse(text.as_bytes())
                    .map(|(k, v)| format!("{k}{v}"))
                    .collect::<String>()
            };
            Credentials::new(
                decode(url.username()),
                decode(url.password().unwrap_or_default()),
            )
        });
        Ok(Mailer::Smtp(Relay::new(
            host,
            url.port().unwrap_or(default_port),
            security,
            credentials,
            deadline,
        )))
    }

    /// Sends one mail.
    pub async fn send(&self, mail: &Outgoing) -> Result<(), SendFailure> {
        let message = build(mail)?;
        match self {
            Mailer::Smtp(relay) => relay.send(&message).await,
            Mailer::Files(dir) => {
                // Written aside and renamed, so that a reader never sees half a mail. Plain
                // blocking calls: the dispatcher's thread has nothing else to do meanwhile, while
                // tokio::fs would hand every write of a batch to its own pool thread, and fifty
                // threads at once spin on the directory's lock (most of the server's CPU under
                // load in the benchmark).
                let path = dir.join(format!("{}.eml", mail.id));
                let partial = dir.join(format!(".{}.eml.part", mail.id));
                let transient = |e: std::io::Error| SendFailure {
                    permanent: false,
                    message: e.to_string(),
                };
                std::fs::write(&partial, message.formatted()).map_err(transient)?;
                std::fs::rename(&partial, &path).map_err(transient)
            }
        }
    }
}

/// A bare address, read by the same parser `EmailAddress` requires to accept it: a mailbox
/// parsed as `Name <address>` would read `a(b)@x` as a comment and send to another address.
fn mailbox(address: &str) -> Result<Mailbox, SendFailure> {
    address
        .parse::<Address>()
        .map(|address| Mailbox::new(None, address))
        .map_err(|e| SendFailure::permanent(format!("address {address}: {e}")))
}

fn build(mail: &Outgoing) -> Result<Message, SendFailure> {
    let mut builder = Message::builder()
        .from(mailbox(&mail.from)?)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}>", mail.message_id)));
    for address in &mail.to {
        builder = builder.to(mailbox(address)?);
    }
    for address in &mail.cc {
        builder = builder.cc(mailbox(address)?);
    }
    if let Some(thread) = &mail.thread_id {
        builder = builder
            .in_reply_to(format!("<{thread}>"))
            .references(format!("<{thread}>"));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(SendFailure::permanent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn smtp_urls_name_their_security_and_files_are_the_default() {
        let dir = tempfile::tempdir().expect("dir");
        let outbox = dir.path().join("outbox");
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://relay%40kab.go.id:kata%20sandi@mail.kab.go.id:587?tls=starttls",
            "smtps://mail.kab.go.id",
        ] {
            assert!(
                matches!(
                    Mailer::new(Some(url), outbox.clone(), Duration::from_secs(1)),
                    Ok(Mailer::Smtp(_))
                ),
                "{url}"
            );
        }
        for (url, complaint) in [
            ("http://mail.kab.go.id", "scheme http"),
            ("smtp://", "no host"),
            ("mail.kab.go.id", "not a URL"),
            (
                "smtps://mail.kab.go.id:465?tls=bogus",
                "unknown option tls=bogus",
            ),
            (
                "smtp://mail.kab.go.id?tls=startls",
                "unknown option tls=startls",
            ),
        ] {
            let error = Mailer::new(Some(url), outbox.clone(), Duration::from_secs(1))
                .err()
                .unwrap_or_default();
            assert!(error.contains(complaint), "{url}: {error}");
        }
        assert!(matches!(
            Mailer::new(None, outbox.clone(), Duration::from_secs(1)),
            Ok(Mailer::Files(_))
        ));
        assert!(outbox.is_dir());
    }
}
