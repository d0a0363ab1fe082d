//! `-d/--debug`: debug logs and an HTTP trace on stderr (Go
//! `internal/trace`).
//!
//! oras-remote traces one span per request (method, URL without its
//! query string, status, timing) and never logs a header, so
//! `Authorization`, tokens, cookies and pre-signed query strings never
//! reach the log (GHSA-5jhf-2qmf-m8c5). This installs a tracing subscriber
//! writing to stderr at debug level for the oras crates (`RUST_LOG`
//! overrides the filter); without `--debug` nothing is installed and
//! nothing is logged.

use tracing_subscriber::EnvFilter;

/// The filter of `--debug`: every oras crate at debug level, other crates
/// (hyper, rustls …) at warn.
pub const DEBUG_FILTER: &str = "warn,oras_remote=debug,oras_auth=debug,oras_credentials=debug,oras_copy=debug,oras_cli=debug,oras_store_oci=debug,oras_store_file=debug";

/// Installs the stderr logger when `debug` is set. Calling it again, or
/// when another subscriber is installed, does nothing.
pub fn init_debug(debug: bool) {
    if !debug {
        return;
    }
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEBUG_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(true)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_parses_and_init_is_idempotent() {
        assert!(EnvFilter::try_new(DEBUG_FILTER).is_ok());
        init_debug(false);
        init_debug(true);
        init_debug(true);
    }
}
