//! Where messages go: an SMTP relay (pooled connections; `smtp://host:25` plain for a local
//! relay, `smtp://host:587?tls=required` for STARTTLS, `smtps://host:465` for implicit TLS,
//! credentials as `user:password@` in the URL), or `.eml` files in a directory (the embedded
//! mode, and a way to read what would have been sent).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

use crate::MailError;
use crate::pool::SmtpPool;

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
    Smtp(Arc<SmtpPool>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(pool) => write!(f, "Mailer::Smtp({pool:?})"),
            Self::Files(_, dir) => write!(f, "Mailer::Files({})", dir.display()),
        }
    }
}

impl Mailer {
    /// An SMTP relay from its URL, with up to `pool` open connections.
    pub fn smtp(url: &str, pool: u32, connect_timeout: Duration) -> Result<Self, MailError> {
        Ok(Self::Smtp(Arc::new(SmtpPool::from_url(
            url,
            pool,
            connect_timeout,
        )?)))
    }

    /// `.eml` files in `dir` (created if missing).
    pub fn files(dir: PathBuf) -> Result<Self, MailError> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| MailError::Url(format!("{}: {e}", dir.display())))?;
        Ok(Self::Files(AsyncFileTransport::new(&dir), dir))
    }

    /// Sends `message`, giving up after `deadline` (lettre's own timeout covers connecting
    /// only).
    pub async fn send(&self, message: Message, deadline: Duration) -> Result<(), SendError> {
        let timed_out = |_| SendError::Temporary("timed out".to_owned());
        let sent = match self {
            Self::Smtp(pool) => tokio::time::timeout(deadline, pool.send(&message))
                .await
                .map_err(timed_out)?,
            Self::Files(files, _) => tokio::time::timeout(deadline, files.send(message))
                .await
                .map_err(timed_out)?
                .map(|_| ())
                .map_err(|e| SendError::Temporary(e.to_string())),
        };
        if let Err(error) = &sent {
            tracing::debug!(%error, "send failed");
        }
        sent
    }
}
