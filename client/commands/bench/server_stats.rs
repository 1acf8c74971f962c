//! The server's CPU time and memory, read from `/proc` when it runs on
//! this machine. Everything here is best effort: on another OS, or for a
//! remote server, the figures are simply absent from the report.

use std::time::Duration;

/// Linux reports CPU time in clock ticks of 1/100 s (USER_HZ is 100 on
/// every architecture Linux exposes to user space).
const CLOCK_TICKS_PER_SECOND: u64 = 100;

/// A process whose figures we can read.
#[derive(Debug, Clone, Copy)]
pub struct ServerProcess {
    pid: u32,
}

impl ServerProcess {
    /// `pid` if given, else the one process named `bank-server`.
    pub fn find(pid: Option<u32>) -> Option<Self> {
        if let Some(pid) = pid {
            return Some(Self { pid });
        }
        let mut found = std::fs::read_dir("/proc")
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|name| name.trim() == "bank-server")
            });
        let pid = found.next()?;
        // Two servers: we cannot tell which one is being measured.
        found.next().is_none().then_some(Self { pid })
    }

    /// User plus system CPU time used so far.
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
        // The command name (field 2) may contain spaces; fields are counted
        // after its closing parenthesis: utime and stime are 14 and 15.
        let after_name = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_millis(ticks * 1_000 / CLOCK_TICKS_PER_SECOND))
    }

    /// Resident memory, in bytes.
    pub fn rss_bytes(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1_024)
    }
}
