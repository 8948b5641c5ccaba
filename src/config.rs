//! The validated configuration: built once from the raw command line, with
//! defaults filled in (threads = available cores), rules files read, the output
//! format inferred from `-o`, colour decided. Nothing past this point reads a
//! raw flag.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::{
    AnalyzeArgs, ClassifyArgs, Cli, ColorChoice, Command, DocFormat, ExplainArgs, InputArgs,
    ProgressChoice, TaxonomyArgs, TaxonomyFormat,
};
use crate::error::{Error, Result};
use crate::input::{self, DEFAULT_MAX_LINE, Source};
use crate::parse::time::Millis;
use crate::pipeline::Plan;
use crate::report::records::RecordFormat;
use crate::report::sql::Dialect;
use crate::report::{Detail, Format, Style};

mod values;
pub use values::{MAX_THREADS, THREADS_PER_CORE, glob_match};
use values::{
    format_from_extension, now, output_width, parse_dims, parse_every, parse_globs, parse_time,
    threads,
};

/// A time window: `[since, until)`; records without a time are outside any
/// window that has a bound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// Inclusive start.
    pub since: Option<Millis>,
    /// Exclusive end.
    pub until: Option<Millis>,
}

impl Window {
    /// Whether a record at `ts` is inside.
    pub fn contains(&self, ts: Option<Millis>) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        ts.is_some_and(|t| self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u))
    }
}

/// How input formats are chosen.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum InputFormat {
    /// Detected per file.
    #[default]
    Auto,
    /// A known format, by name.
    Named(String),
    /// The `--map` mapping.
    Mapped(crate::parse::adapt::Mapping),
}

impl InputFormat {
    /// The format to force on every file, if any.
    pub fn forced(&self) -> Option<crate::detect::Format<'_>> {
        match self {
            InputFormat::Auto => None,
            InputFormat::Named(name) => crate::detect::by_name(name),
            InputFormat::Mapped(m) => Some(crate::detect::Format::Mapped(m)),
        }
    }

    fn from_flags(name: &str, map: &[String]) -> Result<InputFormat> {
        if !map.is_empty() {
            return crate::parse::adapt::Mapping::from_flags(map).map(InputFormat::Mapped);
        }
        match name {
            "auto" => Ok(InputFormat::Auto),
            n if crate::detect::by_name(n).is_some() => Ok(InputFormat::Named(n.to_string())),
            n => Err(Error::Usage(format!(
                "--input-format `{n}` is not a format; use auto, {}",
                crate::detect::names().join(", ")
            ))),
        }
    }
}

/// Default chunk size: about a megabyte of whole lines per task.
pub const DEFAULT_CHUNK_SIZE: usize = 1 << 20;

/// What to run.
#[derive(Debug)]
pub enum Task {
    /// `analyze`: the ranked report.
    Analyze {
        /// Output format.
        format: Format,
        /// Text styling.
        style: Style,
        /// Exit 1 on malformed lines.
        strict: bool,
        /// Timeline bucket width in minutes (`None`: fits the range).
        every_minutes: Option<i64>,
        /// The `--by` / `--every` breakdown, when asked for.
        breakdown: Option<crate::aggregate::breakdown::Spec>,
        /// Records outside `[since, until)` are left out (and counted).
        window: Window,
        /// The previous period's inputs (`--compare`).
        compare: Vec<Source>,
        /// Exit 1 when a cause is new since the `--compare` period.
        fail_on_new: bool,
        /// Exit 1 when a cause matching one of these globs appears.
        fail_on: Vec<String>,
        /// Exit 1 when the error rate exceeds this.
        max_error_rate: Option<f64>,
        /// List every row (`--full`).
        full: bool,
        /// Distinct values kept exactly per dimension (`--max-distinct`).
        max_distinct: usize,
    },
    /// `classify`: one record per failure.
    Classify {
        /// Output format.
        format: RecordFormat,
        /// Every record, not only failures.
        all: bool,
    },
    /// `explain`: one error, explained.
    Explain {
        /// The error text.
        text: String,
        /// Context the text may lack.
        model: Option<String>,
        /// Provider the text may lack.
        provider: Option<String>,
        /// Status the text may lack.
        status: Option<u16>,
        /// Output format.
        format: DocFormat,
    },
    /// `taxonomy`: every root cause.
    Taxonomy {
        /// Output format.
        format: DocFormat,
    },
    /// `taxonomy --format sql`: the rules in force as a SQL `CASE`.
    RulesSql {
        /// The engine's dialect.
        dialect: Dialect,
    },
}

/// Everything a run needs.
#[derive(Debug)]
pub struct Config {
    /// The task.
    pub task: Task,
    /// Inputs, expanded and sorted.
    pub sources: Vec<Source>,
    /// How work is split.
    pub plan: Plan,
    /// Extra rules files: `(path, text)`.
    pub rules: Vec<(String, String)>,
    /// The format forced on every input: a name (`--input-format`), or the
    /// `--map` mapping; `None` detects per file.
    pub input: InputFormat,
    /// Show progress on stderr.
    pub progress: bool,
    /// Where output goes (`None`: stdout).
    pub output: Option<PathBuf>,
    /// The time used where a record has none (retirement judgements):
    /// `SOURCE_DATE_EPOCH` when set, else now.
    pub now: Millis,
}

impl Config {
    /// Validates the command line.
    pub fn from_cli(cli: Cli) -> Result<Config> {
        match cli.command {
            Command::Analyze(args) => Self::analyze(args),
            Command::Classify(args) => Self::classify(args),
            Command::Explain(args) => Self::explain(args),
            Command::Taxonomy(args) => Self::taxonomy(args),
        }
    }

    /// `--format sql` writes the rules in force (so `--rules` counts) in
    /// `--dialect`, DuckDB by default; the other formats list the root
    /// causes, which no rules file changes, so both flags are refused there.
    fn taxonomy(args: TaxonomyArgs) -> Result<Config> {
        let format = match args.format {
            TaxonomyFormat::Sql => {
                let dialect = args.dialect.unwrap_or(Dialect::DuckDb);
                return Ok(Self::bare(Task::RulesSql { dialect }, read_rules(&args.rules)?));
            }
            TaxonomyFormat::Text => DocFormat::Text,
            TaxonomyFormat::Markdown => DocFormat::Markdown,
            TaxonomyFormat::Json => DocFormat::Json,
        };
        if args.dialect.is_some() {
            return Err(Error::Usage("--dialect applies to --format sql only".to_string()));
        }
        if !args.rules.is_empty() {
            return Err(Error::Usage(
                "--rules changes the rules, not the root causes: it applies to --format sql only"
                    .to_string(),
            ));
        }
        Ok(Self::bare(Task::Taxonomy { format }, Vec::new()))
    }

    fn explain(args: ExplainArgs) -> Result<Config> {
        let text = match args.text.as_deref() {
            Some(t) if t != "-" => t.to_string(),
            _ => {
                if std::io::stdin().is_terminal() {
                    return Err(Error::Usage(
                        "no error to explain: pass it as an argument or on stdin".to_string(),
                    ));
                }
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                    .map_err(|e| Error::Input { path: PathBuf::from("-"), source: e })?;
                text
            }
        };
        if text.trim().is_empty() {
            return Err(Error::Usage("the error to explain is empty".to_string()));
        }
        let task = Task::Explain {
            text,
            model: args.model,
            provider: args.provider,
            status: args.status,
            format: args.format,
        };
        Ok(Self::bare(task, read_rules(&args.rules)?))
    }

    /// A configuration that reads no logs.
    fn bare(task: Task, rules: Vec<(String, String)>) -> Config {
        Config {
            task,
            sources: Vec::new(),
            plan: Plan { threads: 1, chunk_size: DEFAULT_CHUNK_SIZE, max_line: DEFAULT_MAX_LINE },
            rules,
            input: InputFormat::Auto,
            progress: false,
            output: None,
            now: now(),
        }
    }

    fn analyze(args: AnalyzeArgs) -> Result<Config> {
        let format = match (args.format, &args.output) {
            (Some(f), _) => f,
            (None, Some(path)) => format_from_extension(path)?,
            (None, None) => Format::Text,
        };
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                args.output.is_none()
                    && std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none()
            }
        };
        let now = now();
        let window = Window {
            since: args.since.as_deref().map(|t| parse_time("--since", t, now)).transpose()?,
            until: args.until.as_deref().map(|t| parse_time("--until", t, now)).transpose()?,
        };
        let every_minutes = args.every.as_deref().map(parse_every).transpose()?;
        let dims = args.by.as_deref().map(parse_dims).transpose()?.unwrap_or_default();
        let breakdown = (!dims.is_empty() || every_minutes.is_some())
            .then_some(crate::aggregate::breakdown::Spec { dims, every_minutes });
        if breakdown.is_some() && !cfg!(feature = "breakdown") {
            return Err(Error::Usage(crate::aggregate::breakdown::UNSUPPORTED.to_string()));
        }
        let fail_on = args.fail_on.as_deref().map(parse_globs).transpose()?.unwrap_or_default();
        if let Some(r) = args.max_error_rate.filter(|r| !(0.0..=1.0).contains(r)) {
            return Err(Error::Usage(format!(
                "--max-error-rate takes a fraction from 0 to 1, not {r}"
            )));
        }
        if args.max_distinct == 0 {
            return Err(Error::Usage("--max-distinct must be at least 1".to_string()));
        }
        if format == Format::State {
            check_state_flags(&args)?;
        }
        let task = Task::Analyze {
            format,
            style: Style {
                color,
                table: args.table,
                width: output_width(args.output.is_none()),
                detail: match (args.brief, args.verbose || args.full) {
                    (true, _) => Detail::Brief,
                    (false, true) => Detail::All,
                    (false, false) => Detail::Top,
                },
            },
            strict: args.strict,
            every_minutes,
            breakdown,
            window,
            compare: if args.compare.is_empty() {
                Vec::new()
            } else {
                input::discover(&args.compare)?
            },
            fail_on_new: args.fail_on_new,
            fail_on,
            max_error_rate: args.max_error_rate,
            full: args.full,
            max_distinct: args.max_distinct,
        };
        Self::build(task, args.input, args.output)
    }

    fn classify(args: ClassifyArgs) -> Result<Config> {
        let format = args.format.unwrap_or_else(|| {
            args.output.as_deref().map_or(RecordFormat::Jsonl, RecordFormat::from_path)
        });
        let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
        check_binary(format, to_terminal)?;
        let task = Task::Classify { format, all: args.all };
        Self::build(task, args.input, args.output)
    }

    fn build(task: Task, input: InputArgs, output: Option<PathBuf>) -> Result<Config> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let threads = threads(input.threads, cores)?;
        let positive = |flag: &str, value: Option<usize>, default: usize| match value {
            Some(0) => Err(Error::Usage(format!("{flag} must be at least 1"))),
            Some(n) => Ok(n),
            None => Ok(default),
        };
        let chunk_size = positive("--chunk-size", input.chunk_size, DEFAULT_CHUNK_SIZE)?;
        let max_line = positive("--max-line", input.max_line, DEFAULT_MAX_LINE)?;
        let rules = read_rules(&input.rules)?;
        let sources = sources(&input.paths)?;
        let compare: &[Source] = match &task {
            Task::Analyze { compare, .. } => compare,
            _ => &[],
        };
        if let Some(out) = &output {
            check_output(out, sources.iter().chain(compare))?;
        }
        Ok(Config {
            task,
            sources,
            plan: Plan { threads, chunk_size, max_line },
            rules,
            input: InputFormat::from_flags(&input.input_format, &input.map)?,
            progress: match input.progress {
                ProgressChoice::Always => true,
                ProgressChoice::Never => false,
                ProgressChoice::Auto => std::io::stderr().is_terminal(),
            },
            output,
            now: now(),
        })
    }
}

/// Refuses an output file that is one of the inputs (the same file by device
/// and inode, however spelled or linked): creating it would truncate the log
/// before it is read. Checked before anything is opened for writing.
fn check_output<'s>(output: &Path, inputs: impl IntoIterator<Item = &'s Source>) -> Result<()> {
    let Some(out) = input::file_id(output) else { return Ok(()) };
    let clash = inputs.into_iter().find_map(|s| match s {
        Source::File(path) if input::file_id(path).as_ref() == Some(&out) => Some(path),
        _ => None,
    });
    match clash {
        Some(path) => Err(Error::Usage(format!(
            "-o {} is the input {}: writing there would destroy it; choose another output file",
            output.display(),
            path.display()
        ))),
        None => Ok(()),
    }
}

/// A state is a part of a report, not a report: the flags that judge or
/// compare a report belong to the run that merges the states.
fn check_state_flags(args: &AnalyzeArgs) -> Result<()> {
    let judged = [
        ("--compare", !args.compare.is_empty()),
        ("--fail-on", args.fail_on.is_some()),
        ("--max-error-rate", args.max_error_rate.is_some()),
        ("--strict", args.strict),
    ];
    if let Some((flag, _)) = judged.iter().find(|(_, given)| *given) {
        return Err(Error::Usage(format!(
            "{flag} judges a whole report: give it to the run that merges the states, \
             not with --format state"
        )));
    }
    if args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(Error::Usage(
            "--format state is binary: write it with -o FILE or into a pipe".to_string(),
        ));
    }
    Ok(())
}

/// Refuses binary output (Parquet) to a terminal: it would be noise on the
/// screen and could leave the terminal in a strange state.
fn check_binary(format: RecordFormat, to_terminal: bool) -> Result<()> {
    if format.is_binary() && to_terminal {
        return Err(Error::Usage(
            "Parquet is binary and stdout is a terminal: add -o FILE.parquet, or redirect stdout"
                .to_string(),
        ));
    }
    Ok(())
}

/// Reads `--rules` files: `(path, text)`.
fn read_rules(paths: &[PathBuf]) -> Result<Vec<(String, String)>> {
    paths
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .map(|text| (p.display().to_string(), text))
                .map_err(|e| Error::Input { path: p.clone(), source: e })
        })
        .collect()
}

/// The inputs: the paths given, or stdin when none are and it is not a terminal.
fn sources(paths: &[PathBuf]) -> Result<Vec<Source>> {
    if paths.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(Error::Usage(
                "no input: give log files or folders, or `-` for stdin".to_string(),
            ));
        }
        return Ok(vec![Source::Stdin]);
    }
    input::discover(paths)
}

#[cfg(test)]
mod tests;
