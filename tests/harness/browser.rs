//! A real browser for the page's tests and its screenshots: headless
//! chromium driven through chromedriver (WebDriver) with `fantoccini`.
//!
//! Lifecycle: [`Browser::open`] starts a chromedriver of its own on a free
//! loopback port, in a process group of its own, waits (bounded) until it
//! answers, and opens one chromium session in a fresh profile, in the
//! language asked for. The test drives the page, then [`Browser::close`]
//! ends the session politely; whatever happens, dropping the `Browser`
//! (also on a panic) kills the whole process group, chromedriver and every
//! chromium process it started, and removes the profile.
//!
//! Where chromium or chromedriver is missing, `open` returns `None` after
//! [`crate::skip_outside_ci`] said why (under CI, where `.ci/run` installs
//! Debian's `chromium` and `chromium-driver`, it fails instead).
//!
//! Every wait is bounded by [`PATIENCE`]: the page is polled with a small
//! script until it returns something, or the test fails saying what it
//! waited for and what the page showed.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde_json::{Value, json};
use std::os::unix::process::CommandExt;

use crate::PATIENCE;

/// The browser's window: a laptop's, so the page lays out as people see it.
pub const WINDOW: (u32, u32) = (1280, 900);

/// How often a wait looks at the page again: often enough that a test
/// spends little time asleep, rarely enough not to load the browser.
const POLL: Duration = Duration::from_millis(50);

/// How long [`Browser::close`] gives the WebDriver session to end before
/// the process group is killed anyway.
const POLITE_CLOSE: Duration = Duration::from_secs(5);

/// Chromium's switches: no window, no sandbox (CI runs as root, where the
/// sandbox refuses to start), `/tmp` instead of a small `/dev/shm`, no GPU.
const CHROMIUM_ARGS: [&str; 4] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
];

/// A headless chromium session and the chromedriver that runs it.
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    /// The fresh profile (`--user-data-dir`), removed when dropped.
    _profile: tempfile::TempDir,
}

/// Where `program` is on `PATH`, if it is.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// chromium and chromedriver, or why they cannot be used.
fn programs() -> Result<(PathBuf, PathBuf), String> {
    let chromium = on_path("chromium").ok_or("chromium is not installed (apt-get install chromium)")?;
    let driver =
        on_path("chromedriver").ok_or("chromedriver is not installed (apt-get install chromium-driver)")?;
    Ok((chromium, driver))
}

fn free_loopback_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// chromedriver on `port`, in a process group of its own so that the
/// browsers it starts can be killed with it. Its browsers live in UTC, so
/// that a `datetime-local` field means the same instant on every machine.
fn start_driver(driver: &Path, port: u16) -> Child {
    Command::new(driver)
        .arg(format!("--port={port}"))
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("chromedriver starts")
}

/// Waits until something listens on `port`, or panics after [`PATIENCE`].
async fn wait_for_port(port: u16) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while TcpStream::connect(addr).is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "chromedriver did not listen on {addr} in time"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// The WebDriver capabilities of a headless chromium in `language`, with a
/// window of `size` and its profile in `profile`.
fn capabilities(
    chromium: &Path,
    profile: &Path,
    language: &str,
    size: (u32, u32),
    phone: bool,
    dark: bool,
) -> serde_json::Map<String, Value> {
    let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|arg| (*arg).to_owned()).collect();
    if dark {
        // `prefers-color-scheme: dark`, as a system in dark mode gives.
        args.push("--blink-settings=preferredColorScheme=0".to_owned());
    }
    args.push(format!("--window-size={},{}", size.0, size.1));
    args.push(format!("--lang={language}"));
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": args,
            // What navigator.languages reports, which the page reads.
            "prefs": { "intl": { "accept_languages": language } },
        },
    });
    if phone {
        // Headless chromium keeps windows at least 500 pixels wide; a
        // phone's screen is emulated instead (its width, a phone's pixel
        // density and touch), as the developer tools' device mode does.
        capabilities["goog:chromeOptions"]["mobileEmulation"] = json!({
            "deviceMetrics": { "width": size.0, "height": size.1, "pixelRatio": 3.0, "touch": true },
        });
    }
    match capabilities {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

impl Browser {
    /// A browser whose language is `language` ("en", "fr"), with a window
    /// of [`WINDOW`]; `None` when the machine has no chromium (said why).
    pub async fn open(language: &str) -> Option<Self> {
        Self::open_sized(language, WINDOW).await
    }

    /// The same with a window of `size` (width, height).
    pub async fn open_sized(language: &str, size: (u32, u32)) -> Option<Self> {
        Self::open_screen(language, size, false, false).await
    }

    /// The same on an emulated phone whose screen is `size` CSS pixels.
    pub async fn open_phone(language: &str, size: (u32, u32)) -> Option<Self> {
        Self::open_screen(language, size, true, false).await
    }

    /// A browser whose system asks pages for their dark colours.
    pub async fn open_dark(language: &str) -> Option<Self> {
        Self::open_screen(language, WINDOW, false, true).await
    }

    async fn open_screen(language: &str, size: (u32, u32), phone: bool, dark: bool) -> Option<Self> {
        let (chromium, driver) = match programs() {
            Ok(found) => found,
            Err(why) => {
                crate::skip_outside_ci(&why);
                return None;
            }
        };
        let port = free_loopback_port();
        let profile = tempfile::tempdir().expect("a temporary profile folder");
        let mut browser = Self {
            client: None,
            driver: start_driver(&driver, port),
            _profile: profile,
        };
        wait_for_port(port).await;
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities(
            &chromium,
            browser._profile.path(),
            language,
            size,
            phone,
            dark,
        ));
        let client = tokio::time::timeout(PATIENCE, builder.connect(&format!("http://127.0.0.1:{port}")))
            .await
            .expect("chromium starts in time")
            .expect("chromedriver opens a session");
        browser.client = Some(client);
        Some(browser)
    }

    /// The WebDriver client, for what the helpers here do not cover.
    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("an open session")
    }

    /// Opens the page at `url` and waits until its script has put the
    /// translated texts in (the title's element is no longer empty).
    pub async fn open_page(&self, url: &str) {
        self.client().goto(url).await.expect("the page opens");
        self.wait_for(
            "the page's texts",
            "document.querySelector('[data-l10n]')?.textContent || null",
        )
        .await;
    }

    /// Runs `script` (a function body: `return …`) in the page.
    pub async fn run(&self, script: &str) -> Value {
        self.client()
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|error| panic!("the script failed ({error}): {script}"))
    }

    /// Polls `expression` (JavaScript) until it is neither null, undefined
    /// nor false, and returns it; panics after [`PATIENCE`] saying `what`
    /// it waited for and the page's text.
    pub async fn wait_for(&self, what: &str, expression: &str) -> Value {
        let script = format!("return ({expression}) ?? null;");
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let value = self.run(&script).await;
            if !matches!(value, Value::Null | Value::Bool(false)) {
                return value;
            }
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "timed out waiting for {what}; the page shows:\n{}",
                    self.page_text().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the first element matching `css` has `attribute`, and
    /// returns its value.
    pub async fn wait_for_attribute(&self, css: &str, attribute: &str) -> String {
        let expression = format!(
            "document.querySelector({})?.getAttribute({})",
            json!(css),
            json!(attribute)
        );
        match self.wait_for(&format!("{attribute} on {css}"), &expression).await {
            Value::String(value) => value,
            other => panic!("{attribute} on {css} is not text: {other}"),
        }
    }

    /// The element matching `css`, waited for (at most [`PATIENCE`]).
    pub async fn element(&self, css: &str) -> Element {
        self.client()
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("no {css} in time: {error}"))
    }

    /// The attribute of the first element matching `css`, if both exist.
    pub async fn attribute(&self, css: &str, attribute: &str) -> Option<String> {
        let script = format!(
            "return document.querySelector({})?.getAttribute({}) ?? null;",
            json!(css),
            json!(attribute)
        );
        self.run(&script).await.as_str().map(str::to_owned)
    }

    /// The text the element matching `css` shows.
    pub async fn text(&self, css: &str) -> String {
        self.element(css).await.text().await.expect("the element's text")
    }

    /// Everything the page shows as text (`innerText`: hidden elements left
    /// out), its title included.
    pub async fn page_text(&self) -> String {
        let text = self
            .run("return document.title + '\\n' + document.body.innerText;")
            .await;
        text.as_str().unwrap_or_default().to_owned()
    }

    /// Replaces the value of the input matching `css` with `text`, typed as
    /// a person would (each key fires `input`).
    pub async fn type_into(&self, css: &str, text: &str) {
        let input = self.element(css).await;
        input.clear().await.expect("the field clears");
        input.send_keys(text).await.expect("the keys are typed");
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        self.element(css).await.click().await.expect("the click lands");
    }

    /// Picks `value` in the `<select>` matching `css` (fires `change`).
    pub async fn choose(&self, css: &str, value: &str) {
        self.element(css)
            .await
            .select_by_value(value)
            .await
            .expect("the option is chosen");
    }

    /// A PNG of the whole page, from its top: the window is first made
    /// tall enough (at `width`) for the page's height plus the window's
    /// own frame, so nothing below the fold is cut.
    pub async fn full_page_png(&self, width: u32) -> Vec<u8> {
        let sizes = self
            .run(
                "return [document.documentElement.scrollHeight,
                         Math.max(0, window.outerHeight - window.innerHeight)];",
            )
            .await;
        let [page, frame]: [u32; 2] =
            serde_json::from_value(sizes).expect("the page's and the frame's heights");
        self.client()
            .set_window_size(width, (page + frame).max(WINDOW.1))
            .await
            .expect("the window resizes");
        self.wait_for(
            "the whole page in the window, from its top",
            "(window.scrollTo(0, 0), window.scrollY === 0
              && window.innerHeight >= document.documentElement.scrollHeight)",
        )
        .await;
        self.client().screenshot().await.expect("a screenshot")
    }

    /// Ends the WebDriver session (bounded), then the processes.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = tokio::time::timeout(POLITE_CLOSE, client.close()).await;
        }
    }
}

impl Drop for Browser {
    /// Kills chromedriver's process group: chromedriver and the chromium
    /// it started, even when the test panicked mid-way.
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.driver.id()) {
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        }
        let _ = self.driver.wait();
    }
}
