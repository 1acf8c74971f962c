//! What the terminal in front of the user can do: the one place that
//! decides whether output may be coloured and whether a drawing may be
//! redrawn in place.
//!
//! Both follow the `console` crate, which `indicatif`'s progress bar and
//! the history chart's colours already obey, so every command agrees:
//! - colour needs a terminal, no `NO_COLOR` (https://no-color.org), no
//!   `CLICOLOR=0`, and a `TERM` other than `dumb` (`CLICOLOR_FORCE=1`
//!   forces it);
//! - moving the cursor (a table redrawn in place, a line editor, a
//!   progress line) needs a terminal whose `TERM` is not `dumb`: a dumb
//!   terminal, such as an editor's shell buffer, prints escape sequences
//!   as text, so it gets plain lines, as a pipe does.
//!
//! Nothing here has a lifecycle: each question is asked when a command
//! starts drawing, and the answer holds for the process.

use std::io::IsTerminal;

/// Whether what is written to standard output may be coloured.
pub fn stdout_colours() -> bool {
    console::colors_enabled()
}

/// Whether `stream` is a terminal that can move its cursor: a terminal,
/// and not a dumb one (`TERM=dumb`, or no `TERM` at all on Unix).
pub fn can_redraw(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && !console::is_dumb()
}
