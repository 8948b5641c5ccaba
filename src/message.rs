//! errlens' own messages on stderr: warnings and notes during a run (an input
//! that could not be read to its end, a folder without logs, a capped flag) and
//! the final error. One place writes them, prefixed with the program name, and
//! passes them through the output boundary's cleaning (secrets redacted,
//! control characters escaped), as every other output.
//!
//! A failed write is ignored: `eprintln!` panics when stderr is closed, full or
//! a broken pipe, which would turn a warning into a crash and the documented
//! exit code (2) into 101. The message is lost; the exit code still says what
//! happened.

use std::fmt::Display;
use std::io::Write;

/// Writes `errlens: {text}` and a newline to stderr, ignoring write errors.
pub fn warn(text: impl Display) {
    let text = text.to_string();
    let clean = crate::report::boundary::clean(&text, false);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "errlens: {clean}");
    let _ = err.flush();
}
