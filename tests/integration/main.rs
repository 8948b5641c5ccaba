//! Integration tests: one test binary (see `[[test]]` in Cargo.toml). The
//! corpus and data-driven cases run in-process through the library; the CLI
//! cases run the built binary on files.

mod adapters;
mod cases;
mod cli;
mod consistency;
mod corpus;
mod detection;
mod edges;
mod explain;
mod formats;
mod injection;
mod layout;
mod memory;
mod otlp;
mod records;
mod rules;
mod secrets;
mod sql;
mod states;
mod status_only;
mod util;
mod values;
