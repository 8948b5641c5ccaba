//! The errlens fuzz harnesses, as plain functions over the fuzz input: each
//! `src/bin/*.rs` feeds one of them to AFL++, and `replay` runs them on saved
//! inputs without AFL. Every function panics (a finding) when errlens panics
//! or when one of the invariants it checks does not hold.
//!
//! - [`parse`]: line parsing per format (skimmer, adapters, detection);
//! - [`classify`]: unwrapping, classification and `explain` of error text;
//! - [`pipeline`]: `analyze` in every output format and `classify` over a
//!   small log, through the command line's own configuration.

pub mod classify;
pub mod parse;
pub mod pipeline;

/// Runs the harness named `name` on `data`; false when there is no such harness.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "parse" => parse::check(data),
        "classify" => classify::check(data),
        "pipeline" => pipeline::check(data),
        _ => return false,
    }
    true
}
