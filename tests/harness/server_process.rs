//! The real `bank-server` binary as a child process, for what an
//! in-process server cannot show: its log output, and dying for real
//! (SIGKILL closes every socket at once, with no drain).
//!
//! It runs with `--log-format json` so the test can read its addresses
//! from the log, on 127.0.0.1 with OS-chosen ports for both gRPC and
//! metrics.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{PATIENCE, SEED};

pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    pub metrics: SocketAddr,
    /// Standard error, line by line, read on a thread.
    lines: mpsc::Receiver<String>,
    /// Every line read so far.
    pub seen: Vec<String>,
}

impl ServerProcess {
    /// Starts `bank-server` and waits until both listeners are up.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// The same, with more flags.
    pub fn start_with(args: &[&str]) -> Self {
        Self::spawn(Self::command(args, &[]))
    }

    /// The same, with environment variables too (a preloaded library, say).
    pub fn start_with_env(args: &[&str], envs: &[(&str, &OsStr)]) -> Self {
        Self::spawn(Self::command(args, envs))
    }

    /// The same, started with the given soft and hard limits on open files
    /// (as `ulimit -n` or systemd's `LimitNOFILE` would set them).
    pub fn start_with_open_files(args: &[&str], soft: u64, hard: u64) -> Self {
        use std::os::unix::process::CommandExt;
        let mut command = Self::command(args, &[]);
        // SAFETY: between fork and exec the closure only makes one
        // system call (setrlimit), which is async-signal-safe.
        unsafe {
            command.pre_exec(move || rlimit::setrlimit(rlimit::Resource::NOFILE, soft, hard));
        }
        Self::spawn(command)
    }

    /// The same, held to the CPUs numbered in `cpus`, as `taskset -c` would.
    pub fn start_on_cpus(args: &[&str], cpus: &[usize]) -> Self {
        use std::os::unix::process::CommandExt;
        let mut set = nix::sched::CpuSet::new();
        for &cpu in cpus {
            set.set(cpu).expect("a CPU number the set can hold");
        }
        let mut command = Self::command(args, &[]);
        // SAFETY: between fork and exec the closure only makes one system
        // call (sched_setaffinity), which is async-signal-safe.
        unsafe {
            command.pre_exec(move || {
                nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set)
                    .map_err(std::io::Error::from)
            });
        }
        Self::spawn(command)
    }

    fn command(args: &[&str], envs: &[(&str, &OsStr)]) -> Command {
        // `BANK_TEST_SERVER` runs these tests against another build, such
        // as the release binary for the memory figures of BENCHMARKS.md.
        let binary = std::env::var_os("BANK_TEST_SERVER")
            .map_or_else(|| crate::server_exe().to_owned(), std::path::PathBuf::from);
        let mut command = Command::new(binary);
        // Loopback with OS-chosen ports, unless the test names its own.
        for flag in ["--addr", "--metrics-addr"] {
            if !args.contains(&flag) {
                command.args([flag, "127.0.0.1:0"]);
            }
        }
        command
            .args(["--log-format", "json", "--seed", &SEED.to_string()])
            .args(args)
            // The default level (info) is what the tests read.
            .env_remove("RUST_LOG")
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    }

    fn spawn(mut command: Command) -> Self {
        let mut child = command.spawn().expect("bank-server starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            metrics: SocketAddr::from(([127, 0, 0, 1], 0)),
            lines,
            seen: Vec::new(),
        };
        server.addr = server.logged_addr("bank-server listening");
        server.metrics = server.logged_addr("metrics listening");
        server
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Resident memory of the server process, in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("/proc status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("a VmRSS line")
    }

    /// CPU time the server process has used, user and system, in clock
    /// ticks (`/proc/PID/stat`, fields 14 and 15).
    pub fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).expect("/proc stat");
        // The command name, in parentheses, may hold spaces: count fields
        // after its closing parenthesis (field 3 is the first one there).
        let after_name = &stat[stat.rfind(')').expect("a command name") + 2..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let field = |n: usize| fields[n - 3].parse::<u64>().expect("a number");
        field(14) + field(15)
    }

    /// The soft limit on open files of the server process.
    pub fn open_file_limit(&self) -> u64 {
        let limits =
            std::fs::read_to_string(format!("/proc/{}/limits", self.child.id())).expect("/proc limits");
        limits
            .lines()
            .find(|line| line.starts_with("Max open files"))
            .and_then(|line| line.split_whitespace().nth(3))
            .and_then(|soft| soft.parse().ok())
            .expect("a Max open files line")
    }

    /// The next log line (parsed) for which `wanted` holds; panics if the
    /// process says nothing more, or not in time.
    pub fn wait_for_line(
        &mut self,
        what: &str,
        wanted: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|error| {
                panic!("no log line {what} ({error}); seen:\n{}", self.seen.join("\n"))
            });
            self.seen.push(line.clone());
            let value: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}"));
            if wanted(&value) {
                return value;
            }
        }
    }

    /// The start-up line ("bank-server listening"), read at start.
    pub fn listening_line(&self) -> serde_json::Value {
        self.seen
            .iter()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .find(|line| line["message"] == "bank-server listening")
            .expect("the listening line was read at start")
    }

    /// The `addr` field of the log line `message`, already seen or to come
    /// (the two listeners log in no guaranteed order).
    fn logged_addr(&mut self, message: &str) -> SocketAddr {
        let wanted = |line: &serde_json::Value| line["message"] == message;
        let earlier = self
            .seen
            .iter()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .find(|line| wanted(line));
        let line = match earlier {
            Some(line) => line,
            None => self.wait_for_line(message, wanted),
        };
        line["addr"]
            .as_str()
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("an addr field: {line}"))
    }

    /// Sends SIGTERM, as `kill`, systemd and Kubernetes do: the server
    /// drains.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill(1) runs");
        assert!(sent.success(), "SIGTERM sent");
    }

    /// Waits for the process to exit and returns how it did; panics if it
    /// is still running after [`PATIENCE`]. Blocks the calling thread.
    pub fn wait_for_exit(&mut self) -> ExitStatus {
        /// How often the exit is looked for.
        const POLL: Duration = Duration::from_millis(20);
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("the server's status") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "bank-server still running after {PATIENCE:?}; seen:\n{}",
                self.seen.join("\n")
            );
            std::thread::sleep(POLL);
        }
    }

    /// SIGKILL: the process dies mid-whatever, as on a crash or an OOM kill.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
