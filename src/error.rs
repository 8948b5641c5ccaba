//! Errors a user can fix: bad flags, unreadable inputs, broken rules files.
//!
//! Everything else (a malformed log line, an unknown error body) is data, not an
//! error: it is counted and reported, never raised. These variants are raised
//! once, printed once by `main` with the program name, and map to exit code 2.

use std::path::PathBuf;

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A problem the user can fix, with a sentence that says how.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input path could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Input {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A rules file (embedded or given with `--rules`) is invalid.
    #[error("rules file {file}: {message}")]
    Rules {
        /// The file (or "embedded rules").
        file: String,
        /// What is wrong, naming the rule.
        message: String,
    },
    /// A state file (`--format state`) cannot be merged: corrupt, from
    /// another version, or made with other options.
    #[error("{path}: {message}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A flag value or a combination of flags is invalid.
    #[error("{0}")]
    Usage(String),
    /// Computing a breakdown table failed.
    #[error("cannot compute the breakdown: {0}")]
    Table(String),
    /// Writing the report failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}
