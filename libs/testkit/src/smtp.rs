//! A real SMTP server for tests, in the test's process: it speaks the protocol lettre speaks
//! (EHLO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), keeps every message it
//! accepts, and can be told to answer 4xx (try later), 5xx (refused, for everyone or for some
//! addresses), to hang after the data without answering, or to stop listening and start again
//! on the same port, so tests see what a relay does to the sender. Each test gets its own
//! server on port 0.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// How the server answers a recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Accept,
    /// `451 4.3.0` — a temporary failure.
    TryLater,
    /// `550 5.1.1` — no such mailbox.
    Refuse,
    /// Take the message's data, then never answer (a relay that stalls): nothing is kept.
    Hang,
}

/// A message as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The whole message, headers and body, as sent (CRLF).
    pub data: String,
}

/// Called with every message just before it is acknowledged.
pub type OnReceive = Box<dyn Fn(&Received) + Send + Sync>;

#[derive(Default)]
struct State {
    received: Vec<Received>,
    answer: Option<Answer>,
    /// Recipients refused with 550 whatever `answer` says.
    refused: Vec<String>,
    on_receive: Option<Arc<OnReceive>>,
}

/// A running server.
pub struct SmtpServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: Mutex<tokio::task::JoinHandle<()>>,
}

fn listen(listener: TcpListener, state: Arc<Mutex<State>>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut sessions = tokio::task::JoinSet::new();
        while let Ok((stream, _)) = listener.accept().await {
            sessions.spawn(session(stream, state.clone()));
        }
    })
}

impl SmtpServer {
    /// Starts a server on a free port that accepts everything.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP");
        let addr = listener.local_addr().expect("SMTP address");
        let state = Arc::new(Mutex::new(State::default()));
        let task = Mutex::new(listen(listener, state.clone()));
        Self { addr, state, task }
    }

    /// Listens again on the same port after [`SmtpServer::stop`], keeping what it received.
    pub async fn restart(&self) {
        let listener = TcpListener::bind(self.addr).await.expect("bind SMTP again");
        *self.task.lock().expect("smtp task") = listen(listener, self.state.clone());
    }

    /// Refuses mail to `address` with `550 5.1.1` from now on.
    pub fn refuse(&self, address: &str) {
        self.state
            .lock()
            .expect("smtp state")
            .refused
            .push(address.to_ascii_lowercase());
    }

    /// Calls `hook` with every message just before acknowledging it.
    pub fn on_receive(&self, hook: impl Fn(&Received) + Send + Sync + 'static) {
        self.state.lock().expect("smtp state").on_receive = Some(Arc::new(Box::new(hook)));
    }

    /// `smtp://127.0.0.1:<port>` (plain, as for a local relay).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// From now on, answer recipients this way.
    pub fn answer(&self, answer: Answer) {
        self.state.lock().expect("smtp state").answer = Some(answer);
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("smtp state").received.clone()
    }

    /// Waits until `n` messages arrived (or panics after `within`).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {n} messages arrived in {within:?}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops listening and drops every open connection (connections are refused until
    /// [`SmtpServer::restart`]).
    pub fn stop(&self) {
        self.task.lock().expect("smtp task").abort();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Ok(task) = self.task.lock() {
            task.abort();
        }
    }
}

async fn session(stream: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let reply = |text: &str| format!("{text}\r\n");
    if write
        .write_all(reply("220 testkit ESMTP").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let (answer, refused) = state
            .lock()
            .map(|s| (s.answer.unwrap_or(Answer::Accept), s.refused.clone()))
            .unwrap_or((Answer::Accept, Vec::new()));
        let response = if upper.starts_with("EHLO") {
            "250-testkit\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING".to_owned()
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            "250 OK".to_owned()
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            "250 OK".to_owned()
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().to_owned();
            "250 OK".to_owned()
        } else if upper.starts_with("RCPT TO:") {
            let address = command[8..]
                .trim()
                .trim_matches(['<', '>'])
                .to_ascii_lowercase();
            match if refused.contains(&address) {
                Answer::Refuse
            } else {
                answer
            } {
                Answer::Accept | Answer::Hang => {
                    to.push(command[8..].trim().to_owned());
                    "250 OK".to_owned()
                }
                Answer::TryLater => "451 4.3.0 Try again later".to_owned(),
                Answer::Refuse => "550 5.1.1 No such mailbox".to_owned(),
            }
        } else if upper == "DATA" {
            if to.is_empty() {
                "554 No valid recipients".to_owned()
            } else {
                if write
                    .write_all(reply("354 End data with <CR><LF>.<CR><LF>").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Dot-stuffing (RFC 5321 §4.5.2).
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                if answer == Answer::Hang {
                    // Hold the connection without a word until the client gives up.
                    let _ = lines.read_line(&mut line).await;
                    std::future::pending::<()>().await;
                }
                let message = Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                };
                let hook = state.lock().ok().and_then(|s| s.on_receive.clone());
                if let Some(hook) = hook {
                    hook(&message);
                }
                if let Ok(mut s) = state.lock() {
                    s.received.push(message);
                }
                "250 OK queued".to_owned()
            }
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(reply("221 Bye").as_bytes()).await;
            return;
        } else {
            "502 Command not implemented".to_owned()
        };
        if write.write_all(reply(&response).as_bytes()).await.is_err() {
            return;
        }
    }
}
