//! The errlens binary: parse the command line, validate it into a `Config`,
//! run, and map the result to the documented exit code (0 done, 1 a flag's
//! condition held, 2 usage or I/O error). A closed output pipe is success.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use errlens::cli::Cli;
use errlens::{Config, Error};

/// mimalloc rather than the system allocator: each failure allocates the
/// strings of its verdict, and glibc's malloc took ~13% of the cycles of a
/// failure-heavy run, more when the workers free each other's blocks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match Config::from_cli(cli).and_then(|config| run(&config)) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(Error::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            errlens::message::warn(&e);
            ExitCode::from(2)
        }
    }
}

/// Runs with stdout (locked, buffered) or the `-o` file as the output.
fn run(config: &Config) -> errlens::Result<errlens::Outcome> {
    let mut out: Box<dyn Write> = match &config.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).map_err(|e| Error::Input { path: path.clone(), source: e })?,
        )),
        None => Box::new(BufWriter::with_capacity(1 << 16, io::stdout().lock())),
    };
    errlens::run(config, &mut out)
}
