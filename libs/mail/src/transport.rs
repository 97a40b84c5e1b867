//! Where messages go: an SMTP relay (pooled connections; `smtp://host:25` plain for a local
//! relay, `smtp://host:587?tls=required` for STARTTLS, `smtps://host:465` for implicit TLS,
//! credentials as `user:password@` in the URL), or `.eml` files in a directory (the embedded
//! mode, and a way to read what would have been sent).

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::MailError;

/// A failed send, by what to do about it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SendError {
    /// Try again later: a 4xx answer, a timeout, a lost or refused connection.
    #[error("temporary: {0}")]
    Temporary(String),
    /// Do not try again: a 5xx answer (no such mailbox, refused).
    #[error("permanent: {0}")]
    Permanent(String),
}

/// A configured transport.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Mailer::Smtp"),
            Self::Files(_, dir) => write!(f, "Mailer::Files({})", dir.display()),
        }
    }
}

impl Mailer {
    /// An SMTP relay from its URL, with up to `pool` open connections.
    pub fn smtp(url: &str, pool: u32, connect_timeout: Duration) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .pool_config(PoolConfig::new().max_size(pool.max(1)))
            .timeout(Some(connect_timeout))
            .build();
        Ok(Self::Smtp(transport))
    }

    /// `.eml` files in `dir` (created if missing).
    pub fn files(dir: PathBuf) -> Result<Self, MailError> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| MailError::Url(format!("{}: {e}", dir.display())))?;
        Ok(Self::Files(AsyncFileTransport::new(&dir), dir))
    }

    /// Sends `message`, giving up after `deadline`.
    pub async fn send(&self, message: Message, deadline: Duration) -> Result<(), SendError> {
        let sent = match self {
            Self::Smtp(smtp) => tokio::time::timeout(deadline, smtp.send(message))
                .await
                .map_err(|_| SendError::Temporary("timed out".to_owned()))?
                .map(|_| ())
                .map_err(|e| {
                    if e.is_permanent() {
                        SendError::Permanent(e.to_string())
                    } else {
                        SendError::Temporary(e.to_string())
                    }
                }),
            Self::Files(files, _) => tokio::time::timeout(deadline, files.send(message))
                .await
                .map_err(|_| SendError::Temporary("timed out".to_owned()))?
                .map(|_| ())
                .map_err(|e| SendError::Temporary(e.to_string())),
        };
        if let Err(error) = &sent {
            tracing::debug!(%error, "send failed");
        }
        sent
    }
}
