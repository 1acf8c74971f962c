//! `bank` on a terminal, driven through a pseudo-terminal (see
//! `harness::terminal`): the live rates table redrawn in place (arrows in
//! colour unless `NO_COLOR` or `CLICOLOR=0`, sparklines, the gap in the
//! header, every line within an 80x24 screen whatever the number of pairs,
//! one table across a reconnection), the session's line editor (its intro
//! on standard error, so a redirected output stays clean; editing, history,
//! `quit`, Ctrl-C, the terminal's modes given back), the batch's note on
//! how to end typed rows and its progress bar in French, plain lines and
//! prompts on a dumb terminal, and Ctrl-C.

use std::sync::Arc;

use bank_domain::clock::ManualClock;
use bank_i18n::tr;
use bank_i18n::{Lang, Messages};
use harness::cli::localized;
use harness::terminal::{Screen, Terminal};
use harness::{PINNED_UNIX_MS, TestServer, pinned_config};
use regex::Regex;

/// The pinned server's first tick.
const FIRST_TICK: u64 = PINNED_UNIX_MS / 1_000;

/// Runs `bank rates` with `args` on a `rows` x `columns` terminal, for the
/// first tick and then for each tick `later` (counted from the first),
/// each published once the one before is on the screen; returns the exit
/// code and everything drawn.
async fn watch_rates(
    rows: u16,
    columns: u16,
    env: &[(&str, &str)],
    args: &[&str],
    later: &[u64],
) -> (i32, String) {
    let (server, clock) = TestServer::start_pinned().await;
    let url = server.url();
    let count = (later.len() + 1).to_string();
    let mut words = vec!["--server", &url];
    words.extend_from_slice(args);
    words.extend(["--count", &count]);
    let terminal = Terminal::start(rows, columns, env, &words, "");
    terminal.wait_for(&format!("{FIRST_TICK} ")).await;
    for ticks in later {
        server.publish_tick(&clock, PINNED_UNIX_MS + ticks * 1_000).await;
        terminal.wait_for(&format!("{} ", FIRST_TICK + ticks)).await;
    }
    terminal.finish().await
}

/// A pair's row on the screen: `EUR/USD  bid  mid  ask  ▲ ▁█`.
fn pair_rows(lines: &[String]) -> Vec<&String> {
    let row = Regex::new(r"^[A-Z]{3}/[A-Z]{3}  ").expect("regex");
    lines.iter().filter(|line| row.is_match(line)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pair_on_an_80x24_terminal_redraws_in_place_without_scrolling_or_wrapping() {
    let (server, _clock) = TestServer::start_pinned().await;
    let pairs = server.minor_units().await.len() - 1; // every currency but USD
    drop(server);
    // Three updates; the third five ticks after the second, four skipped.
    let (code, output) = watch_rates(24, 80, &[], &["rates"], &[1, 6]).await;
    assert_eq!(code, 0, "{output}");

    let screen = Screen::replay(24, 80, &output);
    assert_eq!(screen.scrolled, 0, "nothing went into the scrollback:\n{output}");
    assert_eq!(screen.wrapped, 0, "no line wrapped:\n{output}");
    assert_eq!(output.matches("\x1b[23A").count(), 2, "two redraws over 23 lines");

    let lines = screen.lines();
    assert!(
        lines[0].starts_with(&format!("Tick #{} at ", FIRST_TICK + 6)),
        "the last tick, drawn over the first: {lines:#?}"
    );
    assert!(
        lines[0].contains("ticks skipped: 4"),
        "the gap is shown: {}",
        lines[0]
    );
    assert!(lines[1].starts_with("Pair"), "{lines:#?}");
    // 24 rows: the header, the titles, 20 pairs, what is hidden, the cursor.
    let shown = pair_rows(&lines);
    assert_eq!(shown.len(), 20, "{lines:#?}");
    assert_eq!(
        lines[22],
        format!(
            "… {} more pairs, not shown: the terminal is too small …",
            pairs - 20
        )
    );
    let sparkline = Regex::new(r"[▲▼ ] [▁▂▃▄▅▆▇█]{3}$").expect("regex");
    for row in &shown {
        assert!(sparkline.is_match(row), "an arrow and three mids: {row}");
    }
    assert!(
        output.contains("\x1b[32m▲\x1b[0m") || output.contains("\x1b[31m▼\x1b[0m"),
        "arrows in colour: {output}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_few_pairs_fit_the_width_in_both_languages_with_the_sparkline_in_the_space_left() {
    let pairs = ["EUR/USD", "GBP/USD", "USD/JPY"];
    // Four updates, and the ticks before them from history: at least the
    // four, as many as the width leaves room for.
    let four_mids = Regex::new(r"[▲▼ ] [▁▂▃▄▅▆▇█]{4,}$").expect("regex");
    for (lang, header, hint) in [
        ("en", "Tick #", "Ctrl-C to stop"),
        ("fr", "Période n°\u{a0}", "Ctrl-C\u{a0}: arrêter"),
    ] {
        for columns in [80, 50] {
            let mut args = vec!["--lang", lang, "rates"];
            args.extend(pairs);
            let (code, output) = watch_rates(24, columns, &[], &args, &[1, 2, 3]).await;
            assert_eq!(code, 0, "{output}");
            let screen = Screen::replay(24, columns, &output);
            assert_eq!(screen.wrapped, 0, "{lang}, {columns} columns:\n{output}");
            assert_eq!(screen.scrolled, 0, "{lang}, {columns} columns:\n{output}");
            let lines = screen.lines();
            assert!(lines[0].starts_with(header), "{lines:#?}");
            let rows = pair_rows(&lines);
            assert_eq!(rows.len(), 3, "{lang}, {columns} columns: {lines:#?}");
            for line in lines.iter().filter(|line| !line.is_empty()) {
                assert!(line.chars().count() < usize::from(columns), "{line}");
            }
            if columns == 80 {
                assert!(lines[0].ends_with(hint), "room for the hint: {}", lines[0]);
                for row in rows {
                    assert!(four_mids.is_match(row), "at least four mids: {row}");
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resized_terminal_gets_a_table_of_its_new_size() {
    let (server, clock) = TestServer::start_pinned().await;
    let url = server.url();
    let args = [
        "--server", &url, "rates", "EUR/USD", "GBP/USD", "USD/JPY", "--count", "2",
    ];
    let mut terminal = Terminal::start(24, 80, &[], &args, "");
    terminal.wait_for(&format!("{FIRST_TICK} ")).await;
    terminal.wait_for("USD/JPY  ").await;
    terminal.resize(10, 40).await;
    server.publish_tick(&clock, PINNED_UNIX_MS + 1_000).await;
    let (code, output) = terminal.finish().await;
    assert_eq!(code, 0, "{output}");

    // The drawing after the resize starts on a cleared screen, and fits.
    let redraw = output
        .rfind("\x1b[H\x1b[2J")
        .expect("the screen is cleared after a resize");
    let after = &output[redraw..];
    let screen = Screen::replay(10, 40, after);
    assert_eq!(screen.wrapped, 0, "{after:?}");
    assert_eq!(screen.scrolled, 0, "{after:?}");
    let lines = screen.lines();
    assert!(
        lines[0].starts_with(&format!("Tick #{}", FIRST_TICK + 1)),
        "{lines:#?}"
    );
    assert_eq!(pair_rows(&lines).len(), 3, "{lines:#?}");
    for line in &lines {
        assert!(line.chars().count() < 40, "{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_color_keeps_the_arrows_and_drops_the_colours() {
    let (code, output) = watch_rates(
        24,
        80,
        &[("NO_COLOR", "1")],
        &["rates", "EUR/USD", "GBP/USD"],
        &[1],
    )
    .await;
    assert_eq!(code, 0, "{output}");
    assert!(output.contains('▲') || output.contains('▼'), "{output}");
    assert!(!output.contains("\x1b[3"), "no colour: {output:?}");

    let (_, coloured) = watch_rates(24, 80, &[], &["rates", "EUR/USD", "GBP/USD"], &[1]).await;
    assert!(coloured.contains("\x1b[3"), "colour by default: {coloured:?}");

    let (code, output) = watch_rates(
        24,
        80,
        &[("CLICOLOR", "0")],
        &["rates", "EUR/USD", "GBP/USD"],
        &[1],
    )
    .await;
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains("\x1b[3"), "CLICOLOR=0: no colour: {output:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnection_redraws_the_one_table_in_place_and_says_it_is_connected_again() {
    const COLUMNS: u16 = 120;
    let clock = Arc::new(ManualClock::new(PINNED_UNIX_MS));
    let first = TestServer::start_with(pinned_config(&clock)).await;
    let (addr, url) = (first.addr, first.url());
    // One update, then the two ticks that pass while the server is down,
    // replayed once it is back.
    let args = ["--server", &url, "rates", "EUR/USD", "GBP/USD", "--count", "3"];
    let terminal = Terminal::start(24, COLUMNS, &[], &args, "");
    terminal.wait_for("GBP/USD  ").await;
    first.stop().await.expect("the first server stops cleanly");
    let english = Messages::of(Lang::En);
    let lost = tr!(english, "rates-reconnecting", url = url);
    terminal
        .wait_for_screen("the table says the server is lost", |lines| lines.contains(&lost))
        .await;
    clock.set(PINNED_UNIX_MS + 2_000);
    let second = TestServer::start_on(addr, pinned_config(&clock)).await;
    let (code, output) = terminal.finish().await;
    assert_eq!(code, 0, "{output}");
    drop(second);

    let screen = Screen::replay(24, COLUMNS, &output);
    assert_eq!(screen.scrolled, 0, "{output:?}");
    assert_eq!(screen.wrapped, 0, "{output:?}");
    let lines = screen.lines();
    let headers = lines.iter().filter(|line| line.starts_with("Tick #")).count();
    assert_eq!(headers, 1, "one table: {lines:#?}");
    assert!(
        lines[0].starts_with(&format!("Tick #{} ", FIRST_TICK + 2)),
        "the last tick replayed, in place: {lines:#?}"
    );
    assert!(lines[0].contains("ticks skipped: 0"), "{lines:#?}");
    assert_eq!(pair_rows(&lines).len(), 2, "{lines:#?}");
    let back = tr!(english, "rates-reconnected", url = url);
    assert_eq!(lines[4], back, "under the table: {lines:#?}");
    assert!(lines[5].contains("replaying 2 ticks"), "{lines:#?}");
    assert!(!lines.contains(&lost), "replaced: {lines:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_ends_the_live_table_cleanly_with_exit_zero() {
    let (server, _clock) = TestServer::start_pinned().await;
    let url = server.url();
    let mut terminal = Terminal::start(24, 80, &[], &["--server", &url, "rates", "EUR/USD"], "");
    terminal.wait_for("EUR/USD  ").await;
    terminal.type_keys("\x03");
    let (code, output) = terminal.finish().await;
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains("panicked"), "{output}");
    assert!(
        output.ends_with("\x1b[J\r\n"),
        "the shell gets a line of its own: {output:?}"
    );
}

/// Wide enough for the session's intro on one line, in both languages.
const SESSION_COLUMNS: u16 = 160;

/// Waits until the line editor's prompt, and nothing after it, is on the
/// last line written, below `above` lines: the editor then reads keys.
async fn wait_for_prompt(terminal: &Terminal, above: usize) {
    terminal
        .wait_for_screen(&format!("a prompt on line {}", above + 1), |lines| {
            lines[above] == ">" && lines[above + 1..].iter().all(String::is_empty)
        })
        .await;
}

/// `bank [lang] --server URL session [suffix]` on a terminal, once the
/// editor's first prompt is drawn under the intro.
async fn open_session(url: &str, lang: &[&str], shell_suffix: &str) -> Terminal {
    let mut args = lang.to_vec();
    args.extend(["--server", url, "session"]);
    let terminal = Terminal::start(24, SESSION_COLUMNS, &[], &args, shell_suffix);
    wait_for_prompt(&terminal, 1).await;
    terminal
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_on_a_terminal_prompts_on_standard_error() {
    let (server, _clock) = TestServer::start_pinned().await;
    let url = server.url();
    let mut terminal = open_session(&url, &[], "").await;
    terminal.type_keys("100 USD EUR\r");
    wait_for_prompt(&terminal, 3).await;
    terminal.type_keys("\x04");
    let (code, output) = terminal.finish().await;
    assert_eq!(code, 0, "{output}");
    let lines = Screen::replay(24, SESSION_COLUMNS, &output).lines();
    assert!(
        lines[0].starts_with("Type conversions such as \"100 USD EUR\""),
        "{lines:#?}"
    );
    assert_eq!(lines[1], "> 100 USD EUR", "{lines:#?}");
    assert!(lines[2].starts_with("[1] 100.00 USD = "), "{lines:#?}");
    assert_eq!(lines[3], ">", "Ctrl-D on the next prompt: {lines:#?}");

    // Replies redirected to a file: the prompts stay on the terminal and
    // the file holds the replies alone.
    let directory = tempfile::tempdir().expect("a temporary folder");
    let file = directory.path().join("replies.txt");
    let redirect = format!(" > '{}'", file.display());
    let mut terminal = open_session(&url, &[], &redirect).await;
    terminal.type_keys("2 USD EUR\r");
    // The next prompt, once the reply is written.
    wait_for_prompt(&terminal, 2).await;
    terminal.type_keys("\x04");
    let (code, output) = terminal.finish().await;
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("Ctrl-D to finish."), "{output:?}");
    assert!(!output.contains("[1]"), "the reply went to the file: {output:?}");
    let replies = std::fs::read_to_string(&file).expect("the replies file");
    let lines: Vec<&str> = replies.lines().collect();
    assert_eq!(lines.len(), 1, "{replies:?}");
    assert!(lines[0].starts_with("[1] 2.00 USD = "), "{replies:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_edits_lines_recalls_them_with_the_up_arrow_and_ends_with_quit() {
    let (server, _clock) = TestServer::start_pinned().await;
    let url = server.url();
    let mut terminal = open_session(&url, &[], "").await;
    // Typed without its first digit, which Ctrl-A (start of line) adds.
    terminal.type_keys("00 USD EUR\x011\r");
    wait_for_prompt(&terminal, 3).await;
    // Up: the line before, sent again as it is.
    terminal.type_keys("\x1b[A\r");
    wait_for_prompt(&terminal, 5).await;
    terminal.type_keys("quit\r");
    let (code, output) = terminal.finish().await;
    assert_eq!(code, 0, "{output}");

    let expected = server.direct_convert("100", "USD", "EUR").await;
    let reply = |request: u32| {
        format!(
            "[{request}] 100.00 USD = {} EUR (rate {})",
            localized("en", &expected.converted_amount),
            localized("en", &expected.rate)
        )
    };
    let lines = Screen::replay(24, SESSION_COLUMNS, &output).lines();
    assert_eq!(
        lines[1..7],
        [
            "> 100 USD EUR".to_owned(),
            reply(1),
            "> 100 USD EUR".to_owned(),
            reply(2),
            "> quit".to_owned(),
            String::new(),
        ],
        "{lines:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_in_a_session_says_interrupted_on_a_line_of_its_own() {
    let (server, _clock) = TestServer::start_pinned().await;
    let url = server.url();
    let mut terminal = open_session(&url, &["--lang", "fr"], "").await;
    terminal.type_keys("\x03");
    let (code, output) = terminal.finish().await;
    assert_eq!(code, 130, "{output}");
    assert!(!output.contains("panicked"), "{output}");
    let lines = Screen::replay(24, SESSION_COLUMNS, &output).lines();
    assert_eq!(lines[1..4], [">", "Interrompu.", ""], "{lines:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ended_by_the_server_mid_line_gives_the_terminal_back_as_it_was() {
    let (mut server, _clock) = TestServer::start_pinned().await;
    let url = server.url();
    // The shell runs `stty -a` once bank has exited.
    let mut terminal = Terminal::start_then(24, SESSION_COLUMNS, &["--server", &url, "session"], "stty -a");
    wait_for_prompt(&terminal, 1).await;
    // A line half typed, in the editor's raw mode, when the server drains.
    terminal.type_keys("12 US");
    terminal
        .wait_for_screen("the half line", |lines| lines[1] == "> 12 US")
        .await;
    server.begin_shutdown();
    let (code, output) = terminal.finish().await;
    assert_eq!(code, 0, "stty ran: {output}");
    assert!(output.contains("exit 3"), "the server went away: {output}");
    let modes = output.rsplit("exit 3").next().unwrap_or_default();
    let modes: Vec<&str> = modes.split_whitespace().collect();
    for mode in ["icanon", "isig", "icrnl", "-echo"] {
        assert!(
            modes.contains(&mode),
            "{mode} as before the session (-echo: the harness's): {modes:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dumb_terminal_gets_plain_lines_and_plain_prompts() {
    let dumb = [("TERM", "dumb")];
    let (code, output) = watch_rates(24, 80, &dumb, &["rates", "EUR/USD", "GBP/USD"], &[1]).await;
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains('\x1b'), "no escape sequence: {output:?}");
    let updates: Vec<&str> = output.lines().filter(|line| line.starts_with('#')).collect();
    assert_eq!(updates.len(), 2, "one plain line per update: {output:?}");
    assert!(
        updates[1].starts_with(&format!("#{} ", FIRST_TICK + 1)),
        "{output:?}"
    );

    let (server, _clock) = TestServer::start_pinned().await;
    let url = server.url();
    let mut terminal = Terminal::start(24, SESSION_COLUMNS, &dumb, &["--server", &url, "session"], "");
    terminal.wait_for("Ctrl-D to finish.\r\n> ").await;
    terminal.type_keys("100 USD EUR\r");
    terminal.wait_for(")\r\n> ").await;
    terminal.type_keys("\x04");
    let (code, output) = terminal.finish().await;
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains('\x1b'), "no escape sequence: {output:?}");
    // The harness's terminal does not echo: the reply follows the prompt.
    assert!(output.contains("\r\n> [1] 100.00 USD = "), "{output:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_typed_for_a_batch_are_told_how_to_end_in_both_languages() {
    let (server, _clock) = TestServer::start_pinned().await;
    let url = server.url();
    for (lang, to) in [(Lang::En, None), (Lang::Fr, Some("EUR"))] {
        // With --to, the rows have no target column, and the note says so.
        let target = if to.is_some() { "given" } else { "each" };
        let note = tr!(
            Messages::of(lang),
            "batch-reading-terminal",
            target = target,
            sep = ";",
            platform = "other"
        );
        let mut args = vec![
            "--lang",
            lang.tag(),
            "--server",
            &url,
            "batch",
            "--delimiter",
            ";",
        ];
        args.extend(to.iter().flat_map(|to| ["--to", *to]));
        let mut terminal = Terminal::start(24, SESSION_COLUMNS, &[], &args, "");
        terminal.wait_for(&format!("{note}\r\n")).await;
        assert!(note.contains("Ctrl-D"), "{note}");
        let shape = if to.is_some() { "de[;id]" } else { "from;to[;id]" };
        assert!(note.contains(shape), "{note}");
        terminal.type_keys(if to.is_some() { "1;USD\r" } else { "1;USD;EUR\r" });
        terminal.type_keys("\x04");
        let (code, output) = terminal.finish().await;
        assert_eq!(code, 0, "{output}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_french_progress_bar_groups_rows_and_shows_a_whole_rate() {
    const ROWS: usize = 1_500;
    let (server, _clock) = TestServer::start_pinned().await;
    let url = server.url();
    // Rows typed at the terminal: the batch reads them from standard
    // input, and its progress bar is drawn on standard error, a terminal.
    let mut terminal = Terminal::start(24, 80, &[], &["--lang", "fr", "--server", &url, "batch"], "");
    terminal.type_keys(&"1,USD,EUR\n".repeat(ROWS));
    terminal.wait_for("1\u{202F}500 lignes envoyées (").await;
    terminal.type_keys("\x04");
    let (code, output) = terminal.finish().await;
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains("Acceptées\u{a0}: 1\u{202F}500, refusées\u{a0}: 0"),
        "{output}"
    );
    let bar = Regex::new(r"(\d[\d\u{202F}]*) lignes envoyées \(([^)]*)/s\)").expect("regex");
    let rates: Vec<String> = bar.captures_iter(&output).map(|c| c[2].to_owned()).collect();
    assert!(!rates.is_empty(), "{output}");
    for rate in &rates {
        assert!(
            rate.chars().all(|c| c.is_ascii_digit() || c == '\u{202F}'),
            "a whole number, grouped the French way: {rate:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sparklines_start_filled_from_the_servers_history() {
    // One update only: without history the sparkline would hold one mid.
    let (code, output) = watch_rates(24, 120, &[], &["rates", "EUR/USD", "GBP/USD"], &[]).await;
    assert_eq!(code, 0, "{output}");
    let screen = Screen::replay(24, 120, &output);
    let lines = screen.lines();
    let sparkline = Regex::new(r"[▲▼ ] ([▁▂▃▄▅▆▇█]+)$").expect("regex");
    for row in pair_rows(&lines) {
        let points = sparkline
            .captures(row)
            .map_or(0, |capture| capture[1].chars().count());
        assert!(points >= 30, "the recent ticks are drawn at once: {row}");
    }
}
