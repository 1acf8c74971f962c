//! `--runtime per-core`: one current-thread runtime per core, each with a
//! listening socket of its own on the same port.
//!
//! Linux lets several sockets listen on one port when each sets
//! `SO_REUSEPORT`, and spreads the incoming connections between them (a
//! hash of each connection's addresses and ports). Give every runtime its
//! own socket and each connection lives on one thread from accept to
//! close: no work stealing, no task handed to another thread, no lock on
//! the accept queue. What the runtimes share is what the server shares
//! anyway, one object behind an `Arc`: the rate board (its ticker runs
//! once, on the first runtime), the caps and the places they count (so
//! `--max-feeds` holds for the whole server), the drain, the counters, the
//! health reporter, the API tokens. The metrics endpoint runs once, on the
//! first runtime, and counts the tasks of every runtime.
//!
//! Lifecycle:
//!
//! 1. [`bind`] (from `BankServer::bind_sharing_port`) binds every socket at
//!    start, so that a port already taken is an error before the server
//!    says it listens: the first to the address asked for, listening at
//!    once; the others to the port it got (port 0 lets the system pick
//!    one), bound but not yet listening, so they receive nothing yet.
//! 2. `BankServer::run` serves the first socket on the runtime that runs
//!    it, and hands each other one to [`start`]: a thread of its own, a
//!    current-thread runtime built there, the socket listening inside it,
//!    and the transport's accept loop (`transport::serve`) on it.
//! 3. The drain is one for the whole server: when it starts, every accept
//!    loop stops and every runtime drains its own connections within the
//!    grace period. A thread ends with its loop; [`Sibling::finished`]
//!    tells `run`, which returns once every runtime has finished.
//!
//! A caution that comes with the option: any socket of the same user that
//! sets `SO_REUSEPORT` may join the port, so a second `bank-server
//! --runtime per-core` started on the same port by mistake does not fail,
//! it takes a share of the connections. The other shapes bind without it,
//! and a second server on their port fails to start.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body::Body;
use tokio::net::{TcpListener, TcpSocket};
use tokio::runtime::{Builder, Handle};
use tokio::sync::oneshot;

use crate::transport::{self, CallService, Shared};

/// The listen backlog of every socket: what tokio's `TcpListener::bind`
/// asks for (through mio, the standard library's value), so that the
/// shapes differ in their runtimes only.
const LISTEN_BACKLOG: u32 = 128;

/// The sockets of one port shared by `count` runtimes.
pub(crate) struct SharedPort {
    /// Listening already, served by the runtime that runs the server.
    pub first: TcpListener,
    /// Bound to the same port, each to listen on a runtime of its own.
    pub others: Vec<TcpSocket>,
}

/// Binds `count` sockets to `addr`, all with `SO_REUSEPORT`: the first
/// listens on `addr`, the others are bound to the port it got (see the
/// module's documentation). Must be called inside a Tokio runtime, which
/// the first listener belongs to.
pub(crate) fn bind(addr: SocketAddr, count: usize) -> io::Result<SharedPort> {
    refuse_a_taken_port(addr)?;
    let first = port_sharing_socket(addr)?.listen(LISTEN_BACKLOG)?;
    let bound = first.local_addr()?;
    let others = (1..count)
        .map(|_| port_sharing_socket(bound))
        .collect::<io::Result<_>>()?;
    Ok(SharedPort { first, others })
}

/// Fails, as a plain bind would, when something already listens on
/// `addr`. Sockets bound with `SO_REUSEPORT` accept company: without this
/// check, a second server started on the same port by mistake (by the same
/// user) would not fail with "address in use" but silently take a share of
/// the connections. The probe binds without `SO_REUSEPORT` and is closed at
/// once; a server that starts in the instant between the probe and the
/// bind is not caught, the mistake of starting one twice is.
fn refuse_a_taken_port(addr: SocketAddr) -> io::Result<()> {
    if addr.port() == 0 {
        return Ok(());
    }
    let probe = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    probe.set_reuseaddr(true)?;
    probe.bind(addr)
}

/// A socket bound to `addr` with `SO_REUSEPORT`, and `SO_REUSEADDR` as
/// tokio's `TcpListener::bind` sets it (a restarted server rebinds at once).
#[cfg(target_os = "linux")]
fn port_sharing_socket(addr: SocketAddr) -> io::Result<TcpSocket> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    Ok(socket)
}

/// Elsewhere `SO_REUSEPORT` either does not exist or does not spread the
/// connections (on macOS the last socket bound gets them all).
#[cfg(not(target_os = "linux"))]
fn port_sharing_socket(_addr: SocketAddr) -> io::Result<TcpSocket> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "one runtime per core needs Linux's SO_REUSEPORT",
    ))
}

/// A listener served by a runtime of its own, on a thread of its own.
pub(crate) struct Sibling {
    /// Its runtime, whose live tasks the metrics count.
    pub handle: Handle,
    /// Closed when the thread ends: its sender is the thread's last value
    /// dropped, after the runtime, on a panic too.
    done: oneshot::Receiver<()>,
}

impl Sibling {
    /// Completes when the runtime has drained its connections and is gone.
    pub(crate) async fn finished(self) {
        let _ = self.done.await;
    }
}

/// Starts runtime number `index` on a new thread: a current-thread runtime,
/// `socket` listening inside it, served until the drain is over. Returns
/// once the socket listens.
pub(crate) async fn start<S, B>(
    index: usize,
    socket: TcpSocket,
    shared: Shared<S>,
    grace: Duration,
) -> io::Result<Sibling>
where
    S: CallService<B> + Sync,
    B: Body<Data = Bytes> + Send + 'static,
{
    let (ready_sender, ready) = oneshot::channel();
    let (done_sender, done) = oneshot::channel::<()>();
    std::thread::Builder::new()
        .name(format!("bank-runtime-{index}"))
        .spawn(move || {
            // Declared first, dropped last.
            let _done = done_sender;
            let listening = Builder::new_current_thread()
                .enable_all()
                .build()
                .and_then(|runtime| {
                    // The listener registers with the runtime it is made in.
                    let listener = {
                        let _inside = runtime.enter();
                        socket.listen(LISTEN_BACKLOG)?
                    };
                    Ok((runtime, listener))
                });
            match listening {
                Ok((runtime, listener)) => {
                    let _ = ready_sender.send(Ok(runtime.handle().clone()));
                    runtime.block_on(transport::serve(listener, shared, grace));
                }
                Err(error) => {
                    let _ = ready_sender.send(Err(error));
                }
            }
        })?;
    let handle = ready
        .await
        .map_err(|_| io::Error::other("a runtime's thread ended before it listened"))??;
    Ok(Sibling { handle, done })
}
