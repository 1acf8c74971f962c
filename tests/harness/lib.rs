//! The integration tests' harness, compiled once for both test binaries:
//! a real Bank Service on 127.0.0.1:0 and a real tonic client connected to
//! it ([`spawn_app`]), the real binaries ([`binaries`]), and helpers for
//! the CLI, raw HTTP/2, metrics, certificates, terminals, Fluent catalogs
//! and a real browser.

pub mod binaries;
pub mod browser;
pub mod catalogs;
pub mod cli;
pub mod metrics;
pub mod page;
pub mod pki;
pub mod raw_h2;
pub mod server_process;
pub mod session;
pub mod terminal;

pub use binaries::{bank_exe, server_exe};

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bank_domain::clock::{Clock, ManualClock};
use bank_proto::v1::bank_service_client::BankServiceClient;
use bank_proto::v1::{ConvertRequest, ConvertResponse, ListCurrenciesRequest, SessionReply};
use bank_server::OpenStreams;
use bank_server::{BankServer, Config, ServerError};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Channel, Endpoint};
use tonic::{Status, Streaming};

/// The seed most tests use, so failures reproduce.
pub const SEED: u64 = 20_261_122;

/// A tick pinned in 2026, for tests that use a manual clock.
pub const PINNED_UNIX_MS: u64 = 1_790_000_000_000;

/// Upper bound for anything a test waits on: generous, because a loaded CI
/// machine is slow, and only ever reached when something is broken.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A server running in the background of a test.
pub struct TestServer {
    pub addr: SocketAddr,
    pub open: Arc<OpenStreams>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), ServerError>>>,
}

impl TestServer {
    /// A server with the system clock and the given tick.
    pub async fn start(tick_ms: u64) -> Self {
        let mut config = Config::with_seed(SEED);
        config.tick_ms = tick_ms;
        Self::start_with(config).await
    }

    /// A server whose clock stands still at [`PINNED_UNIX_MS`] unless the
    /// test moves it: every quote is exactly reproducible.
    pub async fn start_pinned() -> (Self, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(PINNED_UNIX_MS));
        (Self::start_with(pinned_config(&clock)).await, clock)
    }

    pub async fn start_with(config: Config) -> Self {
        Self::start_on(loopback_any_port(), config).await
    }

    /// A server on a given address: a restart on the port of a stopped one.
    pub async fn start_on(addr: SocketAddr, config: Config) -> Self {
        Self::spawn(BankServer::bind(addr, config).await.expect("server binds"))
    }

    /// A server that also serves `/metrics`, and the metrics address.
    pub async fn start_with_metrics(config: Config) -> (Self, SocketAddr) {
        let mut server = BankServer::bind(loopback_any_port(), config)
            .await
            .expect("server binds");
        let metrics = server
            .bind_metrics(loopback_any_port())
            .await
            .expect("metrics bind");
        (Self::spawn(server), metrics)
    }

    /// A server that also serves the page and gRPC-Web, with CORS for
    /// `origins`, and the page's address.
    pub async fn start_with_web(config: Config, origins: &[&str]) -> (Self, SocketAddr) {
        let mut server = BankServer::bind(loopback_any_port(), config)
            .await
            .expect("server binds");
        let origins: Vec<String> = origins.iter().map(|origin| (*origin).to_owned()).collect();
        let web = server
            .bind_web(loopback_any_port(), &origins)
            .await
            .expect("the page's listener binds");
        (Self::spawn(server), web)
    }

    /// A server on a pinned clock (as [`Self::start_pinned`]), configured
    /// further by `tune` (the classroom, tokens), that also serves the
    /// page: the server, its clock and the page's URL.
    pub async fn start_pinned_with_web(tune: impl FnOnce(&mut Config)) -> (Self, Arc<ManualClock>, String) {
        let clock = Arc::new(ManualClock::new(PINNED_UNIX_MS));
        let mut config = pinned_config(&clock);
        tune(&mut config);
        let (server, web) = Self::start_with_web(config, &[]).await;
        (server, clock, format!("http://{web}/"))
    }

    fn spawn(server: BankServer) -> Self {
        let addr = server.local_addr().expect("bound address");
        let open = server.open_streams();
        let (shutdown, shutdown_requested) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async {
            let _ = shutdown_requested.await;
        }));
        Self {
            addr,
            open,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn channel(&self) -> Channel {
        Endpoint::from_shared(self.url())
            .expect("valid url")
            .connect()
            .await
            .expect("client connects")
    }

    pub async fn client(&self) -> BankServiceClient<Channel> {
        BankServiceClient::new(self.channel().await)
    }

    /// What a direct tonic `Convert` answers: the reference the CLI's
    /// numbers are checked against.
    pub async fn direct_convert(&self, amount: &str, from: &str, to: &str) -> ConvertResponse {
        self.client()
            .await
            .convert(ConvertRequest {
                amount: amount.into(),
                from_currency: from.into(),
                to_currency: to.into(),
                request_id: String::new(),
                at: None,
            })
            .await
            .expect("the direct call converts")
            .into_inner()
    }

    /// Moves the pinned `clock` to `unix_ms` and has the server publish
    /// that tick at once: any call makes it notice the time.
    pub async fn publish_tick(&self, clock: &ManualClock, unix_ms: u64) {
        clock.set(unix_ms);
        self.direct_convert("1", "USD", "EUR").await;
    }

    /// Moves the pinned `clock` `count` ticks forward (of the default tick
    /// length, which pinned servers keep), publishing each.
    pub async fn publish_ticks(&self, clock: &ManualClock, count: u64) {
        let tick_ms = Config::with_seed(SEED).tick_ms;
        for _ in 0..count {
            self.publish_tick(clock, clock.now_unix_ms() + tick_ms).await;
        }
    }

    /// Minor units of every supported currency, by code, as the server
    /// publishes them.
    pub async fn minor_units(&self) -> BTreeMap<String, u32> {
        currencies(self.url())
            .await
            .into_iter()
            .map(|currency| (currency.code, currency.minor_units))
            .collect()
    }

    /// Asks the server to shut down (as SIGTERM would).
    pub fn begin_shutdown(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }

    /// Shuts down and waits for `run` to return.
    pub async fn stop(mut self) -> Result<(), ServerError> {
        self.begin_shutdown();
        let task = self.task.take().expect("server task");
        tokio::time::timeout(PATIENCE, task)
            .await
            .expect("server stops in time")
            .expect("server task did not panic")
    }

    /// Waits until `condition` holds, polling; panics after [`PATIENCE`].
    pub async fn wait_until(&self, what: &str, condition: impl Fn(&Self) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !condition(self) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting until {what}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// The configuration of a server with [`SEED`] and the test's `clock`: a
/// server restarted with it goes on from the same time.
pub fn pinned_config(clock: &Arc<ManualClock>) -> Config {
    let mut config = Config::with_seed(SEED);
    config.clock = Arc::clone(clock) as Arc<dyn Clock>;
    config
}

/// A manual clock standing at the machine's time, to the second, that
/// moves only when a tick is published: for pictures that show today's
/// date (the screenshots program).
pub fn manual_clock_at_machine_time() -> Arc<ManualClock> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the machine's clock is after 1970");
    Arc::new(ManualClock::new(now.as_secs() * 1_000))
}

/// The currencies the server at `url` lists.
pub async fn currencies(url: String) -> Vec<bank_proto::v1::Currency> {
    BankServiceClient::connect(url)
        .await
        .expect("client connects")
        .list_currencies(ListCurrenciesRequest {})
        .await
        .expect("listed")
        .into_inner()
        .currencies
}

/// For a test that needs a program the machine lacks (`why` says which and
/// how to install it): under CI (`CI=true`), where `.ci/run` installs it,
/// fails; elsewhere says the test is skipped, and the test returns.
pub fn skip_outside_ci(why: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why}, and CI needs it"
    );
    eprintln!("skipped: {why}");
}

/// 127.0.0.1, any free port.
pub fn loopback_any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.begin_shutdown();
    }
}

/// A conversion request.
pub fn conversion(amount: &str, from: &str, to: &str, request_id: &str) -> ConvertRequest {
    ConvertRequest {
        amount: amount.into(),
        from_currency: from.into(),
        to_currency: to.into(),
        request_id: request_id.into(),
        at: None,
    }
}

/// A request that always converts: 100 EUR to USD.
pub fn hundred_eur_to_usd() -> ConvertRequest {
    conversion("100", "EUR", "USD", "")
}

/// Opens a session whose requests the test sends one at a time; the
/// session's own refusal (e.g. a cap reached) is returned as is.
pub async fn open_session(
    client: &mut BankServiceClient<Channel>,
) -> Result<(mpsc::Sender<ConvertRequest>, Streaming<SessionReply>), Status> {
    let (requests, outgoing) = mpsc::channel(1);
    let replies = client.convert_session(ReceiverStream::new(outgoing)).await?;
    Ok((requests, replies.into_inner()))
}

/// The next message of a response stream, or how it ended; panics after
/// [`PATIENCE`].
pub async fn next_message<T>(stream: &mut Streaming<T>) -> Result<Option<T>, Status> {
    tokio::time::timeout(PATIENCE, stream.message())
        .await
        .expect("the server answers in time")
}
