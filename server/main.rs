//! `bank-server`: serves the Bank Service until SIGINT (Ctrl-C) or SIGTERM.
//!
//! A thin binary over the `bank_server` library. Its flags are the fields
//! of [`Config`] (flattened below), plus what only a process has: the
//! address, the runtime's shape and threads, the log format, the metrics
//! address and the TLS and token files. Stops on SIGINT (Ctrl-C) or
//! SIGTERM, then drains gracefully (see `server/server.rs`). With
//! `--auth-tokens`, SIGHUP reloads the token file (see `server/auth.rs`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use bank_i18n::command_line::{self, Annotations};
use bank_i18n::{Lang, Messages};
use bank_server::{
    ApiTokens, BankServer, Config, LogFormat, RuntimeChoice, RuntimeShape, ServerTls, TlsError,
    TokenFileError, init_logging, raise_open_file_limit, usable_cpus,
};
use clap::{CommandFactory, FromArgMatches, Parser};

/// The Bank Service: currency conversion over gRPC, with a simulated,
/// seeded, fluctuating rate feed.
#[derive(Parser)]
#[command(name = "bank-server", version, about, long_about = None)]
struct Args {
    /// Address to listen on: IP:PORT or HOST:PORT (a name is resolved at
    /// start, an IPv4 address preferred: `localhost:50051` listens on
    /// 127.0.0.1).
    #[arg(long, env = "BANK_ADDR", default_value = "127.0.0.1:50051", value_parser = listen_addr)]
    addr: SocketAddr,

    /// Runtime threads. Default: one per CPU this process may use (its
    /// affinity mask and cgroup quota), and a single-threaded runtime when
    /// that is one. 1 runs a single-threaded runtime, the fastest shape
    /// when the server should keep to one core.
    #[arg(long, env = "BANK_WORKERS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: Option<u16>,

    /// The runtime's shape for those threads: auto (one thread:
    /// current-thread; more: multi-thread), current-thread, multi-thread
    /// (work-stealing workers), or per-core (one single-threaded runtime
    /// per thread, each with its own listener on the shared port,
    /// SO_REUSEPORT, Linux only).
    #[arg(long, env = "BANK_RUNTIME", value_enum, default_value_t = RuntimeChoice::Auto)]
    runtime: RuntimeChoice,

    /// Certificate chain (PEM) to serve TLS with; needs --tls-key.
    #[arg(long, env = "BANK_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// Private key (PEM) of --tls-cert.
    #[arg(long, env = "BANK_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,

    /// CA certificate(s) (PEM) for mutual TLS: every client must present a
    /// certificate signed by one of them. Needs --tls-cert and --tls-key.
    #[arg(long, env = "BANK_TLS_CLIENT_CA", requires = "tls_cert")]
    tls_client_ca: Option<PathBuf>,

    /// File of API tokens, one per line, ending with a newline (blank lines
    /// and # comments ignored); every BankService call then needs
    /// `authorization: Bearer <token>`. Reloaded on SIGHUP: replace it
    /// atomically (write a new file, then rename it over the old one).
    #[arg(long, env = "BANK_AUTH_TOKENS")]
    auth_tokens: Option<PathBuf>,

    /// Serve Prometheus metrics on this address (GET /metrics, plain
    /// HTTP/1.1). Off unless given.
    #[arg(long, env = "BANK_METRICS_ADDR", value_parser = listen_addr)]
    metrics_addr: Option<SocketAddr>,

    /// Serve the page and BankService over gRPC-Web on this address
    /// (plain HTTP/1.1, for browsers). Off unless given.
    #[arg(long, env = "BANK_WEB_ADDR", value_parser = listen_addr)]
    web_addr: Option<SocketAddr>,

    /// An origin (scheme://host:port) whose pages may call the service over
    /// gRPC-Web (CORS); repeat for several, or separate them with commas in
    /// the variable. The page served on --web-addr needs none.
    #[arg(long, env = "BANK_WEB_ORIGIN", value_delimiter = ',', requires = "web_addr")]
    web_origin: Vec<String>,

    /// Log format on standard error: text for people, json (one object
    /// per line) for log pipelines.
    #[arg(long, env = "BANK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    /// Print this program's manual page (roff) and exit: `bank-server --man
    /// | man -l -`. In the environment's language, like `--help`.
    /// (Not `exclusive`: clap counts a value from the environment as given,
    /// so a `BANK_ADDR` in the environment would refuse `--man`.)
    #[arg(long)]
    man: bool,

    #[command(flatten)]
    config: Config,
}

/// `--addr`, `--metrics-addr` and `--web-addr`: an IP address and port, or a host name
/// and port resolved once, now. A name may stand for several addresses
/// (`localhost` is 127.0.0.1 and ::1, in an order the system decides); the
/// server listens on one, an IPv4 one when there is one, so that
/// `localhost:50051` and the clients' default `http://127.0.0.1:50051`
/// agree on every machine.
fn listen_addr(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    let resolved: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|error| format!("{text:?} is not HOST:PORT that resolves ({error})"))?
        .collect();
    resolved
        .iter()
        .find(|addr| addr.is_ipv4())
        .or_else(|| resolved.first())
        .copied()
        .ok_or_else(|| format!("{text:?} resolves to no address"))
}

fn main() -> ExitCode {
    // Help, usage and the manual page in the environment's language (the
    // catalogs' `help-bank-server…` ids); logs stay English.
    let messages = Messages::of(Lang::from_env());
    let matches = command_line(messages).get_matches();
    let args = match Args::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(error) => error.exit(),
    };
    if args.man {
        return print_man_page(messages);
    }
    init_logging(args.log_format);
    // The shape asked for, or the fastest one for the CPUs this process
    // may use (see server/runtime.rs): one CPU, one current-thread runtime.
    let shape = match RuntimeShape::choose(args.runtime, args.workers) {
        Ok(shape) => shape,
        Err(error) => {
            tracing::error!(%error, "could not start");
            return ExitCode::FAILURE;
        }
    };
    match shape.build() {
        Ok(runtime) => runtime.block_on(serve(args, shape)),
        Err(error) => {
            tracing::error!(%error, "could not start the runtime");
            ExitCode::FAILURE
        }
    }
}

async fn serve(mut args: Args, shape: RuntimeShape) -> ExitCode {
    // Every connection takes a file descriptor; the soft limit is often
    // 1,024 where the hard limit allows far more.
    let open_files = match raise_open_file_limit() {
        Ok(limit) => limit,
        Err(error) => {
            tracing::warn!(%error, "could not raise the open-file limit");
            0
        }
    };
    if let Err(error) = security(&mut args) {
        tracing::error!(%error, "could not start");
        return ExitCode::FAILURE;
    }
    let mut config = args.config;
    let seed = config.seed();
    let bound = match shape {
        RuntimeShape::PerCore { runtimes } => {
            BankServer::bind_sharing_port(args.addr, runtimes, config.clone()).await
        }
        RuntimeShape::CurrentThread | RuntimeShape::MultiThread { .. } => {
            BankServer::bind(args.addr, config.clone()).await
        }
    };
    let mut server = match bound {
        Ok(server) => server,
        Err(error) => {
            tracing::error!(addr = %args.addr, %error, "could not start");
            return ExitCode::FAILURE;
        }
    };
    if let Some(metrics_addr) = args.metrics_addr
        && let Err(error) = server.bind_metrics(metrics_addr).await
    {
        tracing::error!(addr = %metrics_addr, %error, "could not serve metrics");
        return ExitCode::FAILURE;
    }
    // The page's address as bound ("off" without --web-addr).
    let mut web = "off".to_owned();
    if let Some(web_addr) = args.web_addr {
        match server.bind_web(web_addr, &args.web_origin).await {
            Ok(bound) => web = bound.to_string(),
            Err(error) => {
                tracing::error!(addr = %web_addr, %error, "could not serve the page");
                return ExitCode::FAILURE;
            }
        }
    }
    let addr = server.local_addr().unwrap_or(args.addr);
    let (runtime, workers) = shape.describe();
    tracing::info!(
        %addr,
        seed,
        runtime,
        workers,
        usable_cpus = usable_cpus(),
        tick_ms = config.tick_ms,
        spread_bps = config.spread_bps,
        tls = config.tls.is_some(),
        mutual_tls = config.tls.as_ref().is_some_and(ServerTls::is_mutual),
        api_tokens = config.auth_tokens.as_ref().map_or(0, |tokens| tokens.len()),
        max_feeds = config.limits.max_feeds,
        max_sessions = config.limits.max_sessions,
        max_batches = config.limits.max_batches,
        open_files,
        idle_timeout = %humantime::format_duration(config.limits.idle_timeout),
        web,
        "bank-server listening"
    );

    match server.run(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server stopped with an error");
            ExitCode::FAILURE
        }
    }
}

/// Why the TLS or token configuration stopped the start.
#[derive(Debug, thiserror::Error)]
enum SecurityError {
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Tokens(#[from] TokenFileError),
    #[error("cannot listen for SIGHUP to reload the API tokens: {0}")]
    Sighup(std::io::Error),
}

/// Reads and checks the TLS files and the token file into the
/// configuration, and starts reloading the tokens on SIGHUP. Only the count
/// of tokens is ever logged.
fn security(args: &mut Args) -> Result<(), SecurityError> {
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        // clap's `requires` makes the flags come in pairs.
        args.config.tls = Some(ServerTls::from_files(cert, key, args.tls_client_ca.as_deref())?);
    }
    if let Some(path) = &args.auth_tokens {
        let tokens = Arc::new(ApiTokens::load(path)?);
        #[cfg(unix)]
        bank_server::reload_on_sighup(Arc::clone(&tokens)).map_err(SecurityError::Sighup)?;
        args.config.auth_tokens = Some(tokens);
    }
    Ok(())
}

/// The command line of the flags above, its help in `messages`' language;
/// clap's own notes give the defaults and variables (operators copy them,
/// and the settings tests read them back).
fn command_line(messages: &Messages) -> clap::Command {
    command_line::localized(Args::command(), "bank-server", messages, Annotations::Clap)
}

/// `--man`: the page clap_mangen makes of the command line.
fn print_man_page(messages: &Messages) -> ExitCode {
    use std::io::Write;
    let source = format!("bank-server {}", env!("CARGO_PKG_VERSION"));
    let page = command_line::man_page(command_line(messages), "bank-server", &source, messages);
    match std::io::stdout().lock().write_all(page.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bank-server: cannot write the manual page: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Completes on the first SIGINT (Ctrl-C) or SIGTERM (what `kill`, systemd
/// and Kubernetes send).
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C will stop the server");
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_has_its_help_in_every_catalog() {
        for lang in Lang::ALL {
            let messages = Messages::of(lang);
            assert!(messages.has("help-bank-server"), "{lang:?}");
            for arg in Args::command().get_arguments() {
                let id = format!("help-bank-server--{}", arg.get_id());
                assert!(messages.has(&id), "{id} missing for {lang:?}");
            }
            command_line(messages).debug_assert();
        }
    }
}
