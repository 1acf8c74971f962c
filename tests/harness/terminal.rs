//! Running the real `bank` binary on a pseudo-terminal, and a small model
//! of the screen it draws on.
//!
//! What `bank` does on a terminal (the live rates table, the session's
//! prompts, the batch progress bar, Ctrl-C) only happens when its standard
//! streams are terminals, so these tests run it under `script(1)` from
//! util-linux, which is on every Debian system: `script` gives the command
//! a pseudo-terminal, copies what the test writes to it as keyboard input
//! (so `\x03` is Ctrl-C and `\x04` Ctrl-D, as typed), and copies everything
//! drawn on it to its own standard output, which the test reads as it
//! comes. `stty` sets the terminal's size inside, before `bank` starts, and
//! from outside to resize it while `bank` runs.
//!
//! [`Screen`] replays that output on a grid of the same size, as a VT100
//! terminal would, counting the lines that scroll off the top and the lines
//! that wrap: a redraw in place must do neither.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::PATIENCE;

/// `bank` running on a terminal of a given size.
pub struct Terminal {
    child: Child,
    /// Holds the file the terminal's device name is written to.
    folder: tempfile::TempDir,
    keyboard: Option<ChildStdin>,
    /// Everything drawn so far, as raw bytes.
    drawn: Arc<Mutex<Vec<u8>>>,
    pub rows: u16,
    pub columns: u16,
}

/// A word quoted for `sh`.
fn quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// `bank args...`, quoted for `sh`.
fn command_line(args: &[&str]) -> String {
    let bank = crate::bank_exe().to_str().expect("the target path is UTF-8");
    let words: Vec<String> = std::iter::once(bank)
        .chain(args.iter().copied())
        .map(quoted)
        .collect();
    words.join(" ")
}

impl Terminal {
    /// Starts `bank args...` on a `rows` x `columns` terminal, in a clean
    /// environment (no locale, no `BANK_SERVER`, no `NO_COLOR` nor
    /// `CLICOLOR`, `TERM` an xterm) plus `env`. `shell_suffix` is appended to the command line as
    /// is (a redirection).
    pub fn start(rows: u16, columns: u16, env: &[(&str, &str)], args: &[&str], shell_suffix: &str) -> Self {
        let line = format!("exec {}{shell_suffix}", command_line(args));
        Self::launch(rows, columns, env, &line)
    }

    /// Like [`start`](Self::start), but the shell on the terminal outlives
    /// `bank`: it says `exit CODE` once `bank` has exited, then runs
    /// `after` (`stty -a`: what `bank` left the terminal like). The exit
    /// code [`finish`](Self::finish) returns is the shell's.
    pub fn start_then(rows: u16, columns: u16, args: &[&str], after: &str) -> Self {
        let line = format!("{}; echo \"exit $?\"; {after}", command_line(args));
        Self::launch(rows, columns, &[], &line)
    }

    /// Runs the shell command `line` on a new terminal, after setting its
    /// size and writing its device name down (see [`resize`](Self::resize)).
    fn launch(rows: u16, columns: u16, env: &[(&str, &str)], line: &str) -> Self {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let device_file = folder.path().join("tty");
        let command = format!(
            "stty cols {columns} rows {rows} -echo; tty > {}; {line}",
            quoted(device_file.to_str().expect("a UTF-8 path")),
        );
        let mut script = Command::new("script");
        // -q: no banner; -f: flush at once; -e: exit with the command's code.
        script
            .args(["-qfec", &command, "/dev/null"])
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANGUAGE")
            .env_remove("LANG")
            .env_remove("BANK_SERVER")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            script.env(name, value);
        }
        let mut child = script.spawn().expect("script(1) starts");
        let mut output = child.stdout.take().expect("piped stdout");
        let drawn = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&drawn);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(read) = output.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                sink.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend_from_slice(&buffer[..read]);
            }
        });
        let keyboard = child.stdin.take();
        Self {
            child,
            folder,
            keyboard,
            drawn,
            rows,
            columns,
        }
    }

    /// Everything drawn so far, as text.
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.drawn.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }

    /// Waits until `text` has been drawn; panics with the output after
    /// [`PATIENCE`].
    pub async fn wait_for(&self, text: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !self.output().contains(text) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {text:?} on the terminal:\n{}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// What the screen shows now (see [`Screen`]).
    pub fn screen(&self) -> Screen {
        Screen::replay(self.rows, self.columns, &self.output())
    }

    /// Waits until the screen's lines (without trailing spaces) satisfy
    /// `condition`, `what` naming it; panics with them after [`PATIENCE`].
    /// For what only the screen tells, such as a prompt drawn again on the
    /// line where the cursor is.
    pub async fn wait_for_screen(&self, what: &str, condition: impl Fn(&[String]) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !condition(&self.screen().lines()) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting until {what} on the terminal:\n{:#?}\n{:?}",
                self.screen().lines(),
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Types `keys`, as on a keyboard (`\x03` is Ctrl-C, `\x04` Ctrl-D).
    pub fn type_keys(&mut self, keys: &str) {
        let keyboard = self.keyboard.as_mut().expect("the keyboard is open");
        keyboard.write_all(keys.as_bytes()).expect("typed");
        keyboard.flush().expect("flushed");
    }

    /// Resizes the terminal, as a person dragging its window would: the
    /// program on it gets SIGWINCH and reads the new size when it asks.
    pub async fn resize(&mut self, rows: u16, columns: u16) {
        let device_file = self.folder.path().join("tty");
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let device = loop {
            let device = std::fs::read_to_string(&device_file).unwrap_or_default();
            if device.ends_with('\n') {
                break device.trim().to_owned();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the terminal's name in time"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        let status = Command::new("stty")
            .args([
                "-F",
                &device,
                "rows",
                &rows.to_string(),
                "cols",
                &columns.to_string(),
            ])
            .status()
            .expect("stty runs");
        assert!(status.success(), "the terminal was resized");
        (self.rows, self.columns) = (rows, columns);
    }

    /// Waits for `bank` to exit (killing it after [`PATIENCE`]) and returns
    /// its exit code and everything it drew.
    pub async fn finish(mut self) -> (i32, String) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("script can be waited for") {
                // Let the reader thread take the last bytes.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let code = status.code().unwrap_or(-1);
                return (code, self.output());
            }
            if tokio::time::Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("bank did not exit in time on the terminal:\n{}", self.output());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        // A test that failed half-way must not leave `bank` running.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A VT100 screen of fixed size, replaying what a program drew: enough of
/// the escape sequences `bank` and its line editor use (cursor up, down,
/// forward and back, home, erase line and screen; colours and modes, which
/// it skips) to know where every character landed.
pub struct Screen {
    rows: usize,
    columns: usize,
    grid: Vec<Vec<char>>,
    row: usize,
    column: usize,
    /// The cursor is past the last column: the next character wraps.
    pending_wrap: bool,
    /// Lines scrolled off the top (into the scrollback).
    pub scrolled: usize,
    /// Characters that wrapped to the next line.
    pub wrapped: usize,
}

impl Screen {
    pub fn new(rows: u16, columns: u16) -> Self {
        let (rows, columns) = (usize::from(rows), usize::from(columns));
        Self {
            rows,
            columns,
            grid: vec![vec![' '; columns]; rows],
            row: 0,
            column: 0,
            pending_wrap: false,
            scrolled: 0,
            wrapped: 0,
        }
    }

    /// Replays `output` on the screen.
    pub fn replay(rows: u16, columns: u16, output: &str) -> Self {
        let mut screen = Self::new(rows, columns);
        screen.feed(output);
        screen
    }

    fn line_feed(&mut self) {
        if self.row + 1 == self.rows {
            self.grid.remove(0);
            self.grid.push(vec![' '; self.columns]);
            self.scrolled += 1;
        } else {
            self.row += 1;
        }
    }

    pub fn feed(&mut self, output: &str) {
        let mut chars = output.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    self.column = 0;
                    self.pending_wrap = false;
                }
                '\n' => {
                    self.line_feed();
                    self.pending_wrap = false;
                }
                '\x1b' if chars.peek() == Some(&'[') => {
                    chars.next();
                    let mut parameters = String::new();
                    let mut command = None;
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() {
                            command = Some(c);
                            break;
                        }
                        parameters.push(c);
                    }
                    let number = parameters.parse::<usize>().ok();
                    self.pending_wrap = false;
                    match command {
                        Some('A') => self.row = self.row.saturating_sub(number.unwrap_or(1).max(1)),
                        Some('B') => self.row = (self.row + number.unwrap_or(1).max(1)).min(self.rows - 1),
                        Some('C') => {
                            self.column = (self.column + number.unwrap_or(1).max(1)).min(self.columns - 1);
                        }
                        Some('D') => self.column = self.column.saturating_sub(number.unwrap_or(1).max(1)),
                        Some('H') => (self.row, self.column) = (0, 0),
                        Some('K') => self.grid[self.row][self.column..].fill(' '),
                        Some('J') if number == Some(2) => {
                            self.grid.iter_mut().for_each(|line| line.fill(' '));
                        }
                        Some('J') => {
                            self.grid[self.row][self.column..].fill(' ');
                            self.grid[self.row + 1..]
                                .iter_mut()
                                .for_each(|line| line.fill(' '));
                        }
                        _ => {} // colours and anything else: no movement
                    }
                }
                c if c.is_control() => {}
                c => {
                    if self.pending_wrap {
                        self.wrapped += 1;
                        self.column = 0;
                        self.line_feed();
                        self.pending_wrap = false;
                    }
                    self.grid[self.row][self.column] = c;
                    if self.column + 1 == self.columns {
                        self.pending_wrap = true;
                    } else {
                        self.column += 1;
                    }
                }
            }
        }
    }

    /// The screen's lines, without trailing spaces.
    pub fn lines(&self) -> Vec<String> {
        self.grid
            .iter()
            .map(|line| line.iter().collect::<String>().trim_end().to_owned())
            .collect()
    }
}
