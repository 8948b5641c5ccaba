//! errlens: turns request logs of applications calling the OpenAI API (and
//! Azure OpenAI, and the gateways in front of them) into a report of root
//! causes and fixes.
//!
//! The module tree is the pipeline: [`input`] → [`detect`] → [`parse`] →
//! [`classify`] → [`aggregate`] → [`analyze`] → [`report`], driven chunk by
//! chunk by [`pipeline`] and wired into commands by [`run`]; [`cli`] and
//! [`config`] are the command-line layers.
#![warn(missing_docs)]

pub mod aggregate;
pub mod analyze;
pub mod classify;
pub mod cli;
pub mod config;
pub mod detect;
pub mod error;
pub mod input;
pub mod message;
pub mod parse;
pub mod pipeline;
pub mod progress;
pub mod redact;
pub mod report;
pub mod run;
pub mod taxonomy;

pub use config::Config;
pub use error::{Error, Result};
pub use run::{Outcome, run};
