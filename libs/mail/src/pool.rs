//! Pooled SMTP connections, our own rather than lettre's, for two reasons measured on this
//! machine: lettre does not set `TCP_NODELAY`, and it writes a message's data and the closing
//! `.` separately, so the small last write waits for the acknowledgement of the data, which the
//! relay delays (about 40 ms on Linux) — a 40 ms stall per message; and its pool opens a new
//! connection whenever none is idle and closes the surplus after the send, so more sends in
//! flight than the pool holds connect, greet and quit for every message. Here every connection
//! has `TCP_NODELAY`, at most `size` are in use at once (others wait their turn), and idle ones
//! are reused after a `NOOP` shows they still work. The protocol itself — EHLO, STARTTLS, AUTH,
//! MAIL, RCPT, DATA — is lettre's.
//!
//! Implicit TLS (`smtps://`) connections are made by lettre and do not get `TCP_NODELAY`; use
//! STARTTLS on port 587, or a relay on the same host, where throughput matters.

use std::sync::Mutex;
use std::time::Duration;

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use crate::{MailError, SendError};

/// How a connection is protected.
enum Security {
    /// No TLS: a relay on the same host or network.
    Plain,
    /// STARTTLS after the greeting; refused when the relay does not offer it.
    StartTls(TlsParameters),
    /// TLS from the first byte (`smtps://`).
    Implicit(TlsParameters),
}

/// An SMTP relay and the connections kept open to it.
pub struct SmtpPool {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    connect_timeout: Duration,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    in_use: Semaphore,
}

impl std::fmt::Debug for SmtpPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmtpPool({}:{})", self.host, self.port)
    }
}

fn url_error(detail: impl std::fmt::Display) -> MailError {
    MailError::Url(detail.to_string())
}

impl SmtpPool {
    /// A pool for `smtp://[user:password@]host[:port][?tls=required|opportunistic]` or
    /// `smtps://[user:password@]host[:port]`, with up to `size` connections.
    pub(crate) fn from_url(
        url: &str,
        size: u32,
        connect_timeout: Duration,
    ) -> Result<Self, MailError> {
        let parsed = url::Url::parse(url).map_err(url_error)?;
        let host = parsed
            .host_str()
            .ok_or_else(|| url_error("the SMTP URL names no host"))?
            .trim_matches(['[', ']'])
            .to_owned();
        let tls = || TlsParameters::new(host.clone()).map_err(url_error);
        let mode = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let (security, default_port) = match (parsed.scheme(), mode.as_deref()) {
            ("smtps", _) => (Security::Implicit(tls()?), 465),
            ("smtp", Some("required")) => (Security::StartTls(tls()?), 587),
            ("smtp", Some("opportunistic") | None) if mode.is_some() => {
                return Err(url_error(
                    "tls=opportunistic could send in the clear: use tls=required, or no tls for a local relay",
                ));
            }
            ("smtp", None) => (Security::Plain, 25),
            ("smtp", Some(other)) => return Err(url_error(format!("unknown tls mode {other}"))),
            (other, _) => return Err(url_error(format!("unknown scheme {other}"))),
        };
        let credentials = (!parsed.username().is_empty()).then(|| {
            Credentials::new(
                percent_decode(parsed.username()),
                percent_decode(parsed.password().unwrap_or_default()),
            )
        });
        Ok(Self {
            port: parsed.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello: ClientId::default(),
            connect_timeout,
            idle: Mutex::new(Vec::new()),
            in_use: Semaphore::new(size.max(1) as usize),
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let mut conn = match &self.security {
            Security::Implicit(tls) => AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.connect_timeout),
                &self.hello,
                Some(tls.clone()),
                None,
            )
            .await
            .map_err(classify)?,
            Security::Plain | Security::StartTls(_) => {
                let tcp = tokio::time::timeout(
                    self.connect_timeout,
                    TcpStream::connect((self.host.as_str(), self.port)),
                )
                .await
                .map_err(|_| SendError::Temporary("connecting timed out".to_owned()))?
                .map_err(|e| SendError::Temporary(format!("connection: {e}")))?;
                tcp.set_nodelay(true)
                    .map_err(|e| SendError::Temporary(format!("connection: {e}")))?;
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                    .await
                    .map_err(classify)?
            }
        };
        if let Security::StartTls(tls) = &self.security {
            if !conn.can_starttls() {
                conn.abort().await;
                return Err(SendError::Temporary(
                    "the relay does not offer STARTTLS, which tls=required demands".to_owned(),
                ));
            }
            conn.starttls(tls.clone(), &self.hello)
                .await
                .map_err(classify)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(classify)?;
        }
        Ok(conn)
    }

    /// A connection that works: an idle one that answers `NOOP`, or a new one.
    async fn checkout(&self) -> Result<AsyncSmtpConnection, SendError> {
        loop {
            let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            match idle {
                Some(mut conn) => {
                    if conn.test_connected().await {
                        return Ok(conn);
                    }
                    conn.abort().await;
                }
                None => return self.connect().await,
            }
        }
    }

    /// Sends `message` over a pooled connection.
    pub(crate) async fn send(&self, message: &Message) -> Result<(), SendError> {
        let _turn = self
            .in_use
            .acquire()
            .await
            .map_err(|_| SendError::Temporary("the mail transport is closed".to_owned()))?;
        let mut conn = self.checkout().await?;
        match conn.send(message.envelope(), &message.formatted()).await {
            Ok(_) => {
                if let Ok(mut idle) = self.idle.lock() {
                    idle.push(conn);
                }
                Ok(())
            }
            Err(error) => {
                // After a refusal the session may be mid-transaction: start the next afresh.
                conn.abort().await;
                Err(classify(error))
            }
        }
    }
}

/// Permanent (5xx: do not try again) or temporary (4xx, timeouts, connections).
pub(crate) fn classify(error: lettre::transport::smtp::Error) -> SendError {
    if error.is_permanent() {
        SendError::Permanent(error.to_string())
    } else {
        SendError::Temporary(error.to_string())
    }
}

/// `%xx` escapes of a URL's user name or password, decoded.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = raw.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_say_how_to_connect() {
        let plain = SmtpPool::from_url("smtp://127.0.0.1:2525", 4, Duration::from_secs(1)).unwrap();
        assert!(matches!(plain.security, Security::Plain));
        assert_eq!((plain.host.as_str(), plain.port), ("127.0.0.1", 2525));
        let starttls = SmtpPool::from_url(
            "smtp://wolontariat%40mopr.pl:p%40ss@relay.example.pl?tls=required",
            4,
            Duration::from_secs(1),
        )
        .unwrap();
        assert!(matches!(starttls.security, Security::StartTls(_)));
        assert_eq!(starttls.port, 587);
        assert!(starttls.credentials.is_some());
        let smtps =
            SmtpPool::from_url("smtps://relay.example.pl", 4, Duration::from_secs(1)).unwrap();
        assert!(matches!(smtps.security, Security::Implicit(_)));
        assert_eq!(smtps.port, 465);
        for bad in [
            "http://x",
            "smtp://x?tls=sometimes",
            "smtp://x?tls=opportunistic",
            "nonsense",
        ] {
            assert!(
                SmtpPool::from_url(bad, 1, Duration::from_secs(1)).is_err(),
                "{bad}"
            );
        }
        assert_eq!(percent_decode("p%40ss%zz"), "p@ss%zz");
    }
}
