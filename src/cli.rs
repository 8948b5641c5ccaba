//! The raw command line (clap derive), and nothing else: validation, defaults
//! and everything derived live in [`crate::config`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;
use crate::report::records::RecordFormat;
use crate::report::sql::Dialect;

/// errlens: root causes and fixes for failed OpenAI / Azure OpenAI requests.
#[derive(Debug, Parser)]
#[command(name = "errlens", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report the root causes of the failures in request logs, ranked, with fixes.
    Analyze(AnalyzeArgs),
    /// Write one classified record per failed request (or per request with --all).
    Classify(ClassifyArgs),
    /// Explain one pasted error: root cause, fix, diagnostic command and code.
    Explain(ExplainArgs),
    /// List every root cause with its owner, retry advice and signals, or
    /// write the rules as a SQL CASE expression (--format sql).
    Taxonomy(TaxonomyArgs),
}

/// `errlens explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The error: a JSON body, an SDK exception string, an HTML page or a whole
    /// log line. `-` or nothing reads stdin.
    pub text: Option<String>,
    /// The model the request asked for, when the text does not say.
    #[arg(long)]
    pub model: Option<String>,
    /// The provider (openai, azure, ...), when the text does not say.
    #[arg(long)]
    pub provider: Option<String>,
    /// The HTTP status, when the text does not say.
    #[arg(long)]
    pub status: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
    /// Extra rules file (TOML), as for `analyze`. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

/// `errlens taxonomy`.
#[derive(Debug, Args)]
pub struct TaxonomyArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = TaxonomyFormat::Text)]
    pub format: TaxonomyFormat,
    /// The SQL dialect of --format sql (default: duckdb).
    ///
    /// The CASE reads the columns status, type, code, param, message,
    /// provider and model of a failed request; its header says what each
    /// must hold and what the SQL cannot do (no unwrapping, no model catalog,
    /// no evidence).
    #[arg(long, value_enum, value_name = "DIALECT")]
    pub dialect: Option<Dialect>,
    /// Extra rules file (TOML), as for `analyze`: with --format sql, its
    /// rules are in the SQL too. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

/// Formats of `taxonomy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaxonomyFormat {
    /// For the terminal.
    Text,
    /// Markdown.
    Markdown,
    /// JSON, with the whole playbooks.
    Json,
    /// The rules as one SQL CASE expression (see --dialect).
    Sql,
}

/// Formats of `explain` (and of `taxonomy`, but SQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// For the terminal.
    Text,
    /// Markdown.
    Markdown,
    /// JSON.
    Json,
}

/// Options shared by the commands that read logs.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Log files or folders (read recursively); `-` is stdin. .gz and .zst are
    /// decompressed. Default: stdin when it is not a terminal.
    pub paths: Vec<PathBuf>,
    /// Worker threads (default: the available cores; at most 4 per core and
    /// 256).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Extra rules file (TOML); its rules add to or override the embedded ones.
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Log format: auto (each record read by the layout it fits, the format
    /// most of a file's first records fit tried first), or one forced on
    /// every record: canonical, otlp, or one of the formats in the README.
    #[arg(long, value_name = "NAME", default_value = "auto")]
    pub input_format: String,
    /// Map a canonical field to a JSON pointer for any other layout, e.g.
    /// `--map status=/response/status_code --map error_body=/response/body`
    /// (`error_body`: a whole response body, read only when the record
    /// failed). Repeatable; a field given twice tries its pointers in order.
    #[arg(long, value_name = "FIELD=/POINTER")]
    pub map: Vec<String>,
    /// Progress on stderr: auto (when stderr is a terminal), always or never.
    #[arg(long, value_enum, default_value_t = ProgressChoice::Auto, value_name = "WHEN")]
    pub progress: ProgressChoice,
    /// Chunk size in bytes handed to each worker (tuning and tests).
    #[arg(long, value_name = "BYTES", hide = true)]
    pub chunk_size: Option<usize>,
    /// The longest line read, in bytes (tests; default 64 MiB).
    #[arg(long, value_name = "BYTES", hide = true)]
    pub max_line: Option<usize>,
}

/// `errlens analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format (default: from -o's extension, else text).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Exit 1 when any input line is malformed, or a file could not be read
    /// as requests (unknown format, mostly unrecognized, no LLM request,
    /// mostly not JSON).
    #[arg(long)]
    pub strict: bool,
    /// Only records at or after this time: RFC 3339, or relative to now
    /// (`30m`, `24h`, `7d`, `2w`).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only records before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Break down by these comma-separated dimensions: key, project, org, user,
    /// model, endpoint, provider, status, category.
    #[arg(long, value_name = "DIMS")]
    pub by: Option<String>,
    /// Time bucket width for the timeline and the breakdown: 1m, 5m, 15m, 1h,
    /// 6h, 1d or 1w (default timeline: fits the range).
    #[arg(long, value_name = "WIDTH")]
    pub every: Option<String>,
    /// CSV table: causes, actions, timeline, breakdown, findings, changes, keys, projects,
    /// models, signatures or files.
    #[arg(long, value_enum, default_value_t = CsvTable::Causes)]
    pub table: CsvTable,
    /// Exit 1 when a cause matching one of these comma-separated globs
    /// appears (e.g. 'quota.*,auth.*').
    #[arg(long, value_name = "GLOBS")]
    pub fail_on: Option<String>,
    /// The previous period's logs (files or folders): the report adds what is
    /// new, gone, grown or shrunk since then. Give the inputs first.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub compare: Vec<PathBuf>,
    /// Exit 1 when a cause appears that the --compare period lacked.
    #[arg(long, requires = "compare")]
    pub fail_on_new: bool,
    /// Exit 1 when failures / records exceeds R (0 to 1).
    #[arg(long, value_name = "R")]
    pub max_error_rate: Option<f64>,
    /// List every row of every table (default: the top 20 in text, Markdown
    /// and HTML, the top 1,000 in JSON; CSV tables are always complete).
    #[arg(long)]
    pub full: bool,
    /// Text and Markdown: only the summary, the actions and the causes table
    /// (for cron mail).
    #[arg(long, conflicts_with_all = ["verbose", "full"])]
    pub brief: bool,
    /// Text and Markdown: evidence and fix under every cause, not only the
    /// top three (also with --full).
    #[arg(long)]
    pub verbose: bool,
    /// Distinct values kept exactly per dimension (keys, projects, models,
    /// signatures, evidence values, breakdown groups, minutes); records of
    /// values past it are counted as "(other)" and the report says so.
    #[arg(long, value_name = "N", default_value_t = crate::aggregate::DEFAULT_MAX_DISTINCT)]
    pub max_distinct: usize,
}

/// The tables `--format csv` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CsvTable {
    /// One row per root cause.
    Causes,
    /// One row per time bucket and cause.
    Timeline,
    /// One row per --by / --every group.
    Breakdown,
    /// One row per subject of each finding.
    Findings,
    /// The ranked actions.
    Actions,
    /// One row per cause compared with the --compare period.
    Changes,
    /// One row per key.
    Keys,
    /// One row per project.
    Projects,
    /// One row per model.
    Models,
    /// One row per unclassified message signature.
    Signatures,
    /// One row per input file: format, compression, lines, read error.
    Files,
}

/// `errlens classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format (default: from -o's extension, `.csv` or `.parquet`,
    /// else jsonl). Parquet is never written to a terminal.
    #[arg(long, value_enum)]
    pub format: Option<RecordFormat>,
    /// Write every record, not only failures (successes get category `success`).
    #[arg(long)]
    pub all: bool,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// When to show progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressChoice {
    /// When stderr is a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}
