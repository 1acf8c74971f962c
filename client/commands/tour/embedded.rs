//! The Bank Service the tour starts in its own process when it is given no
//! `--server`, and the server's own view of the calls the tour makes.
//!
//! A newcomer needs one command and nothing else: the server binds a free
//! loopback port, ticks every [`EMBEDDED_TICK_MS`] so the feed moves, and
//! stops when the tour ends (a drain of at most a second). Because it runs
//! in this process, the tour can also read its counters: how the server
//! itself saw a cancelled call or an expired deadline, which feeds are
//! open, how many ticks a slow reader missed. Against `--server`, those
//! lines say they are unknown instead.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bank_server::{BankServer, Config, Metrics, OpenStreams, ServerError};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::Code;

/// Tick of the embedded server: fast enough that four feed updates take
/// about a second, slow enough to read.
pub const EMBEDDED_TICK_MS: u64 = 250;

/// How long the tour waits for the server's counters to show a call's end:
/// the server learns of a reset a moment after the client sends it.
const SETTLE: Duration = Duration::from_secs(2);

/// Between two looks at the counters while waiting for them to settle.
const SETTLE_STEP: Duration = Duration::from_millis(10);

/// A Bank Service running inside this process for the tour.
pub struct Embedded {
    pub addr: SocketAddr,
    /// What the tour reads of the server while it runs.
    pub view: ServerView,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl Embedded {
    pub async fn start() -> Result<Self, ServerError> {
        let mut config = Config::with_seed(rand::random());
        config.tick_ms = EMBEDDED_TICK_MS;
        config.grace_period = Duration::from_secs(1);
        let server = BankServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)), config).await?;
        let addr = server.local_addr()?;
        let view = ServerView {
            metrics: server.metrics(),
            open: server.open_streams(),
        };
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async {
            let _ = stop.await;
        }));
        Ok(Self {
            addr,
            view,
            shutdown,
            task,
        })
    }

    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

/// The embedded server's counters, as the tour reads them.
#[derive(Clone)]
pub struct ServerView {
    metrics: Arc<Metrics>,
    open: Arc<OpenStreams>,
}

/// One reading of the counters a lesson compares before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Calls to the method that ended with the code in question.
    pub ended: u64,
    /// Rate feeds open.
    pub feeds: usize,
    /// Ticks slow readers never saw.
    pub skipped: u64,
}

impl ServerView {
    pub fn read(&self, path: &str, code: Code) -> Reading {
        Reading {
            ended: self.metrics.calls(path, code),
            feeds: self.open.feeds(),
            skipped: self.metrics.skipped_ticks(),
        }
    }

    /// The counters once the server has counted one more call to `path`
    /// ending with `code` after `before` and closed its feeds down to
    /// `feeds`, or as they are after [`SETTLE`].
    pub async fn settled(&self, path: &str, code: Code, before: Reading, feeds: usize) -> Reading {
        let deadline = tokio::time::Instant::now() + SETTLE;
        loop {
            let now = self.read(path, code);
            if (now.ended > before.ended && now.feeds <= feeds) || tokio::time::Instant::now() >= deadline {
                return now;
            }
            tokio::time::sleep(SETTLE_STEP).await;
        }
    }
}
