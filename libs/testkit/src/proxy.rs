//! A TCP proxy a test can cut: put it between the platform and a real server (Redis) to see
//! what happens while that server is unreachable — every open connection is dropped and new
//! ones are refused until the proxy is restored — without stopping a server other tests share.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// A running proxy.
pub struct TcpProxy {
    pub addr: SocketAddr,
    target: SocketAddr,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

fn forward(listener: TcpListener, target: SocketAddr) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut connections = JoinSet::new();
        while let Ok((mut inbound, _)) = listener.accept().await {
            connections.spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    })
}

impl TcpProxy {
    /// Forwards a free local port to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        Self {
            addr,
            target,
            task: Arc::new(Mutex::new(Some(forward(listener, target)))),
        }
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        if let Some(task) = self.task.lock().expect("proxy").take() {
            task.abort();
        }
    }

    /// Forwards again, on the same port.
    pub async fn restore(&self) {
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("bind proxy again");
        *self.task.lock().expect("proxy") = Some(forward(listener, self.target));
    }

    /// A handle that can cut the proxy from a synchronous callback (e.g. an SMTP hook).
    pub fn cutter(&self) -> impl Fn() + Send + Sync + 'static {
        let task = self.task.clone();
        move || {
            if let Some(task) = task.lock().expect("proxy").take() {
                task.abort();
            }
        }
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
    }
}
