//! How a server setting is defined once.
//!
//! Each setting is a field of the configuration type that uses it
//! ([`Config`](crate::Config), [`ServiceLimits`](crate::ServiceLimits),
//! [`TransportSettings`](crate::TransportSettings)). The field's `#[arg]`
//! gives its flag, its environment variable and its default (a named
//! constant of [`limits`](crate::limits) or of the domain), and its doc
//! comment is the `--help` text. The binary flattens these types into its
//! arguments, so parsing the command line builds the configuration itself;
//! and `Default` is the same parse of an empty command line with the
//! environment left out, so a test's defaults are the binary's.

use std::time::Duration;

use clap::{Args, Command, FromArgMatches};

/// The value of every setting of `T` when no flag is given, whatever the
/// environment says.
///
/// Panics only if a setting of `T` has no default, which the unit test of
/// each configuration type rules out.
pub(crate) fn defaults<T: Args + FromArgMatches>() -> T {
    let command = T::augment_args(Command::new("defaults")).mut_args(|arg| arg.env(None));
    let matches = command
        .try_get_matches_from(["defaults"])
        .expect("every setting has a default");
    T::from_arg_matches(&matches).expect("the defaults parse")
}

/// A humane duration (`90s`, `5m`, `1h`) longer than zero: every limit
/// given this way would end every call or connection at once if it were 0.
pub(crate) fn positive_duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(duration) if duration.is_zero() => Err("must be longer than zero".to_owned()),
        Ok(duration) => Ok(duration),
        Err(error) => Err(error.to_string()),
    }
}

/// A duration as the `--help` text and [`positive_duration`] write it.
pub(crate) fn duration_text(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

/// A whole number of milliseconds (`--grace-ms 5000`).
pub(crate) fn milliseconds(text: &str) -> Result<Duration, String> {
    text.parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|error| error.to_string())
}

/// A duration as a whole number of milliseconds.
pub(crate) fn milliseconds_text(duration: Duration) -> String {
    duration.as_millis().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_reads_back_as_it_is_written() {
        for duration in [
            Duration::from_secs(30),
            Duration::from_secs(300),
            Duration::from_millis(1_500),
        ] {
            assert_eq!(positive_duration(&duration_text(duration)), Ok(duration));
            assert_eq!(milliseconds(&milliseconds_text(duration)), Ok(duration));
        }
        assert!(positive_duration("0s").is_err());
    }
}
