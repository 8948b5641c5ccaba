//! Sample-data generator for errlens: writes a deterministic JSONL request log, one
//! canonical errlens record per line, of apps calling the OpenAI API and Azure OpenAI
//! over a day. Successes carry token usage; failures carry error bodies taken from the
//! real responses in `../shared/reference/real-errors.jsonl`, in the shapes real logs
//! hold them (the full `{"error":{...}}` object, the inner object, SDK exception text),
//! with the numbers in them varied. Every root-cause id of the taxonomy occurs, and the
//! day tells a story a report should find: a raw key revoked mid-morning, a provider
//! incident around noon, a project running out of quota in the afternoon, TPM 429s on
//! gpt-4o at peak hours. It exists so tests, demos and benchmarks have realistic input
//! without anyone's real logs; the same arguments always give the same bytes.
//!
//! `cargo run --release --example gen -- --lines 100000 --error-rate 0.05 --seed 1`
//! (also `--start RFC3339`, `--hours H`, `-o FILE`, and `--stats`, which prints the
//! story's times and a count per intended root-cause id to stderr).

use errlens::parse::time;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: gen [--lines N] [--error-rate R] [--seed S] [--start RFC3339] \
                     [--hours H] [-o FILE] [--stats]";

// ------------------------------------------------------------------ command line

struct Opts {
    lines: u64,
    error_rate: f64,
    seed: u64,
    start_ms: i64,
    hours: f64,
    out: Option<String>,
    stats: bool,
}

/// `Ok(None)` means `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Opts>, String> {
    let mut o = Opts {
        lines: 100_000,
        error_rate: 0.05,
        seed: 1,
        start_ms: parse_rfc3339("2026-11-21T00:00:00Z").unwrap_or(0),
        hours: 24.0,
        out: None,
        stats: false,
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--stats" => o.stats = true,
            "--lines" | "--error-rate" | "--seed" | "--start" | "--hours" | "-o" | "--output" => {
                let v = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a value"))?;
                set_opt(&mut o, &flag, &v)?;
            }
            _ => return Err(format!("unknown argument: {arg}")),
        }
    }
    Ok(Some(o))
}

fn set_opt(o: &mut Opts, flag: &str, v: &str) -> Result<(), String> {
    let bad = || format!("invalid value for {flag}: {v}");
    match flag {
        "--lines" => o.lines = v.parse().map_err(|_| bad())?,
        "--seed" => o.seed = v.parse().map_err(|_| bad())?,
        "--start" => o.start_ms = parse_rfc3339(v).ok_or_else(bad)?,
        "--error-rate" => {
            o.error_rate = v.parse().map_err(|_| bad())?;
            if !(0.0..=1.0).contains(&o.error_rate) {
                return Err(bad());
            }
        }
        "--hours" => {
            o.hours = v.parse().map_err(|_| bad())?;
            if o.hours.is_nan() || o.hours <= 0.0 || o.hours > 24.0 * 3660.0 {
                return Err(bad());
            }
        }
        _ => o.out = Some(v.to_string()),
    }
    Ok(())
}

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("gen: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(opts: &Opts) -> io::Result<()> {
    let sink: Box<dyn Write> = match &opts.out {
        Some(path) => Box::new(File::create(path)?),
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, sink);
    let mut day = Day::new(opts);
    day.write_all(&mut out)?;
    out.flush()?;
    if opts.stats {
        day.print_stats();
    }
    Ok(())
}

// ------------------------------------------------------------------ random numbers

/// splitmix64: tiny, fast, and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in [lo, hi].
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// Index into `xs` drawn with probability proportional to `weight`.
    fn pick_by<T>(&mut self, xs: &[T], weight: impl Fn(&T) -> f64) -> usize {
        let total: f64 = xs.iter().map(&weight).sum();
        let mut x = self.unit() * total;
        for (i, item) in xs.iter().enumerate() {
            x -= weight(item);
            if x < 0.0 {
                return i;
            }
        }
        xs.len() - 1
    }

    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    fn chars(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n).map(|_| char::from(alphabet[self.below(alphabet.len())])).collect()
    }

    fn alnum(&mut self, n: usize) -> String {
        self.chars(n, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    }

    fn hex(&mut self, n: usize) -> String {
        self.chars(n, b"0123456789abcdef")
    }
}

// ------------------------------------------------------------------ time
// Date arithmetic comes from the library: `errlens::parse::time`.

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-21T13:05:09.042Z`.
fn fmt_ts(ms: i64) -> String {
    let (y, m, d) = time::civil_from_days(ms.div_euclid(86_400_000));
    let t = ms.rem_euclid(86_400_000);
    let (h, mi, s, milli) = (t / 3_600_000, t / 60_000 % 60, t / 1000 % 60, t % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

/// RFC 3339 to epoch milliseconds (the library's parser).
fn parse_rfc3339(s: &str) -> Option<i64> {
    time::parse_rfc3339(s.as_bytes())
}

/// OpenAI's retry hint format: `644ms`, `1.84s`, `7m12s`.
fn fmt_wait(ms: f64) -> String {
    let trim = |x: f64| {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if ms < 1000.0 {
        format!("{}ms", ms.round().max(1.0))
    } else if ms < 60_000.0 {
        format!("{}s", trim(ms / 1000.0))
    } else {
        let mins = (ms / 60_000.0).floor();
        format!("{mins}m{}s", trim((ms - mins * 60_000.0) / 1000.0))
    }
}

/// `2000000` as `2,000,000`.
fn thousands(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ------------------------------------------------------------------ traffic over the day

const BIN_MS: i64 = 60_000;

/// Requests per minute by time of day (UTC): a quiet night, a European morning bump,
/// and the main peak in the US/EU overlap of the afternoon.
fn density(ms: i64) -> f64 {
    let h = ms.rem_euclid(86_400_000) as f64 / 3_600_000.0;
    let bump = |centre: f64, width: f64| {
        let d = (h - centre).abs().min(24.0 - (h - centre).abs());
        (-(d * d) / (2.0 * width * width)).exp()
    };
    0.22 + bump(15.5, 3.0) + 0.5 * bump(9.5, 1.8)
}

/// The cumulative traffic curve of the window, for placing timestamps and for sizing the
/// story so that the error rate lands near the one asked for.
struct Traffic {
    start: i64,
    end: i64,
    cdf: Vec<f64>,
    peak: f64,
}

impl Traffic {
    fn new(start: i64, span: i64) -> Self {
        let bins = (span.max(1) as u64).div_ceil(BIN_MS as u64) as usize;
        let mut cdf = vec![0.0; bins + 1];
        let mut peak: f64 = 0.0;
        for i in 0..bins {
            let lo = start + i as i64 * BIN_MS;
            let len = (start + span).min(lo + BIN_MS) - lo;
            let d = density(lo + len / 2);
            peak = peak.max(d);
            cdf[i + 1] = cdf[i] + d * len as f64 / BIN_MS as f64;
        }
        let total = cdf[bins];
        cdf.iter_mut().for_each(|c| *c /= total);
        Traffic { start, end: start + span, cdf, peak }
    }

    /// Share of the window's traffic before `ms`.
    fn frac_before(&self, ms: i64) -> f64 {
        let pos =
            ((ms - self.start) as f64 / BIN_MS as f64).clamp(0.0, (self.cdf.len() - 1) as f64);
        let i = (pos.floor() as usize).min(self.cdf.len() - 2);
        let w = (pos - i as f64).min(1.0);
        self.cdf[i] + (self.cdf[i + 1] - self.cdf[i]) * w
    }

    /// The time before which a share `u` of the traffic falls (inverse of `frac_before`).
    fn time_at(&self, u: f64) -> i64 {
        let i = self.cdf.partition_point(|&c| c <= u).clamp(1, self.cdf.len() - 1) - 1;
        let width = (self.cdf[i + 1] - self.cdf[i]).max(f64::MIN_POSITIVE);
        let within = ((u - self.cdf[i]) / width).clamp(0.0, 1.0);
        let t = self.start + ((i as f64 + within) * BIN_MS as f64) as i64;
        t.min(self.end - 1)
    }

    /// 0..1, how busy `ms` is compared with the busiest minute.
    fn load(&self, ms: i64) -> f64 {
        density(ms) / self.peak
    }
}

// ------------------------------------------------------------------ JSON values

/// A JSON value with ordered keys, enough for error bodies.
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(&'static str, J)>),
}

fn opt(s: Option<&str>) -> J {
    s.map_or(J::Null, |s| J::Str(s.to_string()))
}

fn st(s: &str) -> J {
    J::Str(s.to_string())
}

impl J {
    fn get_str(&self, key: &str) -> Option<&str> {
        match self {
            J::Obj(fields) => fields.iter().find(|(k, _)| *k == key).and_then(|(_, v)| match v {
                J::Str(s) => Some(s.as_str()),
                _ => None,
            }),
            _ => None,
        }
    }

    fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&JSON, &mut out);
        out
    }

    /// Python `repr`, as SDK exceptions print bodies: `{'error': {'code': None}}`.
    fn to_py(&self) -> String {
        let mut out = String::new();
        self.write(&PYTHON, &mut out);
        out
    }

    fn write(&self, d: &Dialect, out: &mut String) {
        match self {
            J::Null => out.push_str(d.null),
            J::Bool(b) => out.push_str(d.bools[usize::from(*b)]),
            J::Int(n) => {
                let _ = write!(out, "{n}");
            }
            J::Str(s) => (d.string)(out, s),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(d.comma);
                    }
                    item.write(d, out);
                }
                out.push(']');
            }
            J::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(d.comma);
                    }
                    (d.string)(out, k);
                    out.push_str(d.colon);
                    v.write(d, out);
                }
                out.push('}');
            }
        }
    }
}

/// How a value is spelled: compact JSON, or a Python `repr`.
struct Dialect {
    null: &'static str,
    /// `false`, `true`.
    bools: [&'static str; 2],
    comma: &'static str,
    colon: &'static str,
    string: fn(&mut String, &str),
}

const JSON: Dialect =
    Dialect { null: "null", bools: ["false", "true"], comma: ",", colon: ":", string: json_str };
const PYTHON: Dialect =
    Dialect { null: "None", bools: ["False", "True"], comma: ", ", colon: ": ", string: py_str };

fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn py_str(out: &mut String, s: &str) {
    let q = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(q);
}

/// Writes one flat JSON object field by field, in the order called.
struct ObjWriter<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> ObjWriter<'a> {
    fn new(out: &'a mut String) -> Self {
        out.push('{');
        ObjWriter { out, empty: true }
    }

    fn key(&mut self, k: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        json_str(self.out, k);
        self.out.push(':');
        self.out
    }

    fn str(&mut self, k: &str, v: &str) {
        json_str(self.key(k), v);
    }

    fn raw(&mut self, k: &str, v: impl std::fmt::Display) {
        let _ = write!(self.key(k), "{v}");
    }

    fn json(&mut self, k: &str, v: &J) {
        v.write(&JSON, self.key(k));
    }

    fn end(self) {
        self.out.push_str("}\n");
    }
}

// ------------------------------------------------------------------ who calls what

#[derive(Clone, Copy, PartialEq, Eq)]
enum Provider {
    OpenAi,
    Azure,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Chat,
    Responses,
    Embeddings,
    Images,
    Audio,
    Other,
}

impl Kind {
    fn endpoint(self) -> &'static str {
        match self {
            Kind::Chat => "/v1/chat/completions",
            Kind::Responses => "/v1/responses",
            Kind::Embeddings => "/v1/embeddings",
            Kind::Images => "/v1/images/generations",
            Kind::Audio => "/v1/audio/transcriptions",
            Kind::Other => "/v1/completions",
        }
    }

    fn textual(self) -> bool {
        matches!(self, Kind::Chat | Kind::Responses)
    }
}

/// One kind of call an app makes: `model` is what the record names (an Azure
/// deployment for Azure), `base` the model behind it.
#[derive(Clone, Copy)]
struct Route {
    kind: Kind,
    model: &'static str,
    base: &'static str,
    weight: f64,
}

const fn rt(kind: Kind, model: &'static str, weight: f64) -> Route {
    Route { kind, model, base: model, weight }
}

const fn az(kind: Kind, deployment: &'static str, base: &'static str, weight: f64) -> Route {
    Route { kind, model: deployment, base, weight }
}

use Kind::{Audio, Chat, Embeddings, Images, Responses};

const CHAT_APP: &[Route] = &[
    rt(Chat, "gpt-4o", 26.0),
    rt(Chat, "gpt-4o-mini", 16.0),
    rt(Chat, "gpt-4.1", 10.0),
    rt(Chat, "gpt-4.1-mini", 6.0),
    rt(Chat, "gpt-5", 3.0),
    rt(Responses, "gpt-4o", 8.0),
    rt(Responses, "gpt-4.1", 5.0),
    rt(Responses, "gpt-5", 9.0),
    rt(Responses, "gpt-5-mini", 6.0),
    rt(Responses, "o3", 3.0),
    rt(Images, "gpt-image-1-mini", 2.0),
];
const SEARCH_APP: &[Route] = &[
    rt(Embeddings, "text-embedding-3-small", 60.0),
    rt(Chat, "gpt-4.1-mini", 22.0),
    rt(Chat, "gpt-4o-mini", 14.0),
    rt(Responses, "gpt-5-mini", 4.0),
];
const BATCH_APP: &[Route] = &[
    rt(Chat, "gpt-4.1-mini", 35.0),
    rt(Chat, "gpt-4o-mini", 25.0),
    rt(Responses, "gpt-5-mini", 20.0),
    rt(Chat, "gpt-4o", 10.0),
    rt(Responses, "o3", 5.0),
    rt(Embeddings, "text-embedding-3-small", 5.0),
];
const SUPPORT_APP: &[Route] = &[
    rt(Chat, "gpt-4o", 30.0),
    rt(Responses, "gpt-5-mini", 22.0),
    rt(Chat, "gpt-4o-mini", 18.0),
    rt(Responses, "gpt-5", 8.0),
    rt(Chat, "gpt-4.1", 5.0),
    rt(Responses, "o3", 4.0),
    rt(Audio, "whisper-1", 5.0),
    rt(Audio, "gpt-4o-mini-transcribe", 5.0),
    rt(Images, "gpt-image-1-mini", 3.0),
];
const AZURE_EAST: &[Route] = &[
    az(Chat, "prod-gpt4o", "gpt-4o", 40.0),
    az(Chat, "prod-gpt4o-mini", "gpt-4o-mini", 30.0),
    az(Chat, "eastus-gpt41", "gpt-4.1", 10.0),
    az(Embeddings, "emb-3-small", "text-embedding-3-small", 20.0),
];
const AZURE_SWC: &[Route] = &[
    az(Chat, "swc-gpt5-mini", "gpt-5-mini", 50.0),
    az(Chat, "prod-gpt4o-mini", "gpt-4o-mini", 30.0),
    az(Responses, "swc-gpt5-mini", "gpt-5-mini", 20.0),
];

const REASONING: &[&str] = &["gpt-5", "gpt-5-mini", "o3"];
const INCIDENT_MODELS: &[&str] = &["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-5"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    /// Its requests start failing with 401 at `Story::revoke_at`.
    Revoked,
    /// Its project's quota runs out at `Story::quota_at`.
    QuotaProject,
}

struct Client {
    key: String,
    project: &'static str,
    provider: Provider,
    routes: &'static [Route],
    stream_p: f64,
    users: bool,
    share: f64,
    role: Role,
}

fn client(key: &str, project: &'static str, routes: &'static [Route], share: f64) -> Client {
    let azure = std::ptr::eq(routes, AZURE_EAST) || std::ptr::eq(routes, AZURE_SWC);
    Client {
        key: key.to_string(),
        project,
        provider: if azure { Provider::Azure } else { Provider::OpenAi },
        routes,
        stream_p: if project == "proj_batch" { 0.0 } else { 0.55 },
        users: matches!(project, "proj_chat" | "proj_support"),
        share,
        role: Role::Plain,
    }
}

/// The keys in use; `s_key` and `s_quota` are the traffic shares of the key that gets
/// revoked and of the project that runs out of quota.
fn clients(rng: &mut Rng, s_key: f64, s_quota: f64) -> Vec<Client> {
    let revoked = format!("sk-proj-{}", rng.alnum(40));
    let healthy_raw = format!("sk-proj-{}", rng.alnum(40));
    let mut cs = vec![
        client("key_backend_prod", "proj_chat", CHAT_APP, 0.28),
        client("key_staging", "proj_chat", CHAT_APP, 0.05),
        client("key_search_api", "proj_search", SEARCH_APP, 0.14),
        client(&healthy_raw, "proj_search", SEARCH_APP, 0.05),
        client("key_support_bot", "proj_support", SUPPORT_APP, 0.13),
        client("key_azure_eastus", "proj_chat", AZURE_EAST, 0.08),
        client("key_azure_swc", "proj_support", AZURE_SWC, 0.05),
    ];
    let fixed: f64 = cs.iter().map(|c| c.share).sum();
    let scale = (1.0 - s_key - s_quota) / fixed;
    cs.iter_mut().for_each(|c| c.share *= scale);
    let mut story = [
        client(&revoked, "proj_support", SUPPORT_APP, s_key),
        client("key_batch_worker", "proj_batch", BATCH_APP, s_quota * 0.6),
        client("key_eval_runner", "proj_batch", BATCH_APP, s_quota * 0.4),
    ];
    story[0].role = Role::Revoked;
    story[1].role = Role::QuotaProject;
    story[2].role = Role::QuotaProject;
    cs.extend(story);
    cs
}

/// One logical request; retries reuse it with the same `id`.
#[derive(Clone)]
struct Req {
    client: usize,
    kind: Kind,
    endpoint: String,
    /// What the record names; empty for endpoints without a model (files, threads).
    model: String,
    base: &'static str,
    stream: Option<bool>,
    user: Option<String>,
    id: String,
}

// ------------------------------------------------------------------ the failure catalogue

#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Any,
    OpenAi,
    Azure,
}

impl Need {
    fn allows(self, p: Provider) -> bool {
        match self {
            Need::Any => true,
            Need::OpenAi => p == Provider::OpenAi,
            Need::Azure => p == Provider::Azure,
        }
    }
}

/// Retry outcome: clients retry retryable statuses; the retry then succeeds with this
/// probability. `NO` marks errors SDKs do not retry (4xx other than 408/409/429).
const NO: f64 = -1.0;

struct Cause {
    id: &'static str,
    /// Relative frequency among background failures (per 10 000); 0 for a cause only
    /// the story produces (one project's quota running out, not random ones).
    weight: f64,
    need: Need,
    retry_ok: f64,
    build: fn(&mut Cx) -> Failure,
}

const fn cause(
    id: &'static str,
    weight: f64,
    need: Need,
    retry_ok: f64,
    build: fn(&mut Cx) -> Failure,
) -> Cause {
    Cause { id, weight, need, retry_ok, build }
}

const CAUSES: &[Cause] = &[
    cause("auth.invalid_api_key", 60.0, Need::Any, NO, invalid_api_key),
    cause("auth.missing_credentials", 50.0, Need::OpenAi, NO, missing_credentials),
    cause("auth.insufficient_scopes", 45.0, Need::Any, NO, insufficient_scopes),
    cause("auth.organization", 45.0, Need::OpenAi, NO, organization),
    cause("auth.account_disabled", 12.0, Need::Any, 0.0, account_disabled),
    cause("permission.region_unsupported", 20.0, Need::OpenAi, NO, region_unsupported),
    cause("permission.project_model_access", 50.0, Need::OpenAi, NO, project_model_access),
    cause("permission.verification_required", 35.0, Need::OpenAi, NO, verification_required),
    cause("permission.network_blocked", 12.0, Need::Azure, NO, network_blocked),
    cause("quota.exhausted", 0.0, Need::OpenAi, 0.0, quota_exhausted),
    cause("quota.billing_inactive", 12.0, Need::OpenAi, 0.0, billing_inactive),
    cause("quota.hard_limit", 12.0, Need::OpenAi, NO, hard_limit),
    cause("quota.tier_not_enabled", 18.0, Need::OpenAi, 0.0, tier_not_enabled),
    cause("rate_limit.tokens", 2600.0, Need::Any, 0.75, rl_tokens),
    cause("rate_limit.requests", 1400.0, Need::Any, 0.8, rl_requests),
    cause("rate_limit.daily", 60.0, Need::Any, 0.0, rl_daily),
    cause("rate_limit.request_too_large", 70.0, Need::OpenAi, 0.0, rl_too_large),
    cause("rate_limit.edge", 18.0, Need::OpenAi, 0.1, rl_edge),
    cause("rate_limit.batch_queue", 25.0, Need::OpenAi, NO, rl_batch_queue),
    cause("rate_limit.unspecified", 40.0, Need::Azure, 0.7, rl_unspecified),
    cause("model.typo", 110.0, Need::OpenAi, NO, model_typo),
    cause("model.retired", 90.0, Need::OpenAi, NO, model_retired),
    cause("model.no_access", 60.0, Need::OpenAi, NO, model_no_access),
    cause("model.fine_tune_unavailable", 25.0, Need::OpenAi, NO, fine_tune_unavailable),
    cause("model.deployment_not_found", 60.0, Need::Azure, NO, deployment_not_found),
    cause("model.operation_unsupported", 35.0, Need::Any, NO, operation_unsupported),
    cause("request.context_length_exceeded", 700.0, Need::Any, NO, context_length),
    cause("request.max_tokens_too_large", 45.0, Need::Any, NO, max_tokens_too_large),
    cause("request.input_too_long", 25.0, Need::OpenAi, NO, input_too_long),
    cause("request.reasoning_model_parameter", 140.0, Need::Any, NO, reasoning_parameter),
    cause("request.unrecognized_argument", 35.0, Need::Azure, NO, unrecognized_argument),
    cause("request.malformed_body", 70.0, Need::OpenAi, NO, malformed_body),
    cause("request.invalid_url", 45.0, Need::Any, NO, invalid_url),
    cause("request.tool_schema", 55.0, Need::OpenAi, NO, tool_schema),
    cause("request.structured_output_schema", 60.0, Need::OpenAi, NO, output_schema),
    cause("request.tool_call_sequence", 60.0, Need::OpenAi, NO, tool_call_sequence),
    cause("request.json_mode", 35.0, Need::Any, NO, json_mode),
    cause("request.invalid_image", 45.0, Need::OpenAi, NO, invalid_image),
    cause("request.invalid_audio", 20.0, Need::OpenAi, NO, invalid_audio),
    cause("request.file_error", 20.0, Need::OpenAi, NO, file_error),
    cause("request.conflict", 12.0, Need::OpenAi, NO, conflict),
    cause("request.response_state", 35.0, Need::OpenAi, NO, response_state),
    cause("safety.content_policy", 50.0, Need::OpenAi, NO, content_policy),
    cause("safety.content_filter", 80.0, Need::Azure, NO, content_filter),
    cause("server.internal_error", 650.0, Need::Any, 0.75, internal_error),
    cause("server.model_error", 25.0, Need::OpenAi, 0.5, model_error),
    cause("server.overloaded", 420.0, Need::Any, 0.65, overloaded),
    cause("server.bad_gateway", 300.0, Need::OpenAi, 0.75, bad_gateway),
    cause("server.gateway_timeout", 160.0, Need::OpenAi, 0.7, gateway_timeout),
    cause("network.timeout", 380.0, Need::Any, 0.8, net_timeout),
    cause("network.connection", 220.0, Need::Any, 0.8, net_connection),
    cause("network.stream_interrupted", 160.0, Need::Any, 0.85, stream_interrupted),
    cause("gateway.no_healthy_deployment", 30.0, Need::Any, 0.5, no_healthy_deployment),
    cause("gateway.budget_exceeded", 18.0, Need::Any, NO, budget_exceeded),
    cause("unclassified", 35.0, Need::Any, NO, unclassified),
];

fn cause_index(id: &str) -> usize {
    CAUSES.iter().position(|c| c.id == id).unwrap_or(CAUSES.len() - 1)
}

/// What a builder returns: the record's status and `error`, plus what the caller needs
/// for latency and retries.
struct Failure {
    status: Option<u16>,
    error: J,
    retry_after_ms: Option<f64>,
    latency_ms: Option<i64>,
    drop_key: bool,
}

impl Failure {
    fn new(status: Option<u16>, error: J) -> Self {
        Failure { status, error, retry_after_ms: None, latency_ms: None, drop_key: false }
    }

    fn retry_after(mut self, ms: f64) -> Self {
        self.retry_after_ms = Some(ms);
        self
    }

    fn latency(mut self, ms: i64) -> Self {
        self.latency_ms = Some(ms);
        self
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Background,
    Incident,
    Story,
}

/// What a failure builder may look at and change.
struct Cx<'a> {
    rng: &'a mut Rng,
    req: &'a mut Req,
    client: &'a Client,
    org: &'a str,
    load: f64,
    origin: Origin,
}

const IRE: Option<&str> = Some("invalid_request_error");

/// The inner OpenAI error object `{message, type, param, code}`.
fn inner(msg: String, typ: Option<&str>, param: Option<&str>, code: Option<&str>) -> J {
    J::Obj(vec![
        ("message", J::Str(msg)),
        ("type", opt(typ)),
        ("param", opt(param)),
        ("code", opt(code)),
    ])
}

/// The inner Azure error object `{code, message}`.
fn az_inner(code: &str, msg: &str) -> J {
    J::Obj(vec![("code", st(code)), ("message", st(msg))])
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// Exception class names of the openai Python SDK (v1) and of LiteLLM.
fn py_class(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("BadRequestError", "BadRequestError"),
        401 => ("AuthenticationError", "AuthenticationError"),
        403 => ("PermissionDeniedError", "PermissionDeniedError"),
        404 => ("NotFoundError", "NotFoundError"),
        409 => ("ConflictError", "BadRequestError"),
        429 => ("RateLimitError", "RateLimitError"),
        503 => ("InternalServerError", "ServiceUnavailableError"),
        s if s >= 500 => ("InternalServerError", "InternalServerError"),
        _ => ("APIStatusError", "APIError"),
    }
}

/// Exception class names of the pre-v1 openai Python SDK (2023 logs).
fn py_class_v0(status: u16) -> &'static str {
    match status {
        401 => "AuthenticationError",
        403 => "PermissionError",
        429 => "RateLimitError",
        503 => "ServiceUnavailableError",
        s if s >= 500 => "APIError",
        _ => "InvalidRequestError",
    }
}

impl Cx<'_> {
    fn azure(&self) -> bool {
        self.client.provider == Provider::Azure
    }

    fn host(&self) -> &'static str {
        if self.azure() { "contoso-prod-eastus.openai.azure.com" } else { "api.openai.com" }
    }

    /// Points the request at another route (kind and model).
    fn route(&mut self, kind: Kind, model: &'static str, base: &'static str) {
        self.req.kind = kind;
        self.req.endpoint = kind.endpoint().to_string();
        self.req.model = model.to_string();
        self.req.base = base;
        if !kind.textual() {
            self.req.stream = None;
        } else if self.req.stream.is_none() {
            self.req.stream = Some(false);
        }
    }

    /// Moves the request to one of the client's routes matching `pred`, if it is not
    /// on one already; `fallback` (kind, OpenAI model) when the client has none.
    fn ensure(&mut self, pred: impl Fn(&Route) -> bool, fallback: (Kind, &'static str)) {
        let here = Route { kind: self.req.kind, model: "", base: self.req.base, weight: 1.0 };
        if pred(&here) {
            return;
        }
        let mut fits: Vec<Route> = self.client.routes.iter().copied().filter(|r| pred(r)).collect();
        if fits.is_empty() && self.azure() {
            fits = AZURE_EAST.iter().chain(AZURE_SWC).copied().filter(|r| pred(r)).collect();
        }
        if fits.is_empty() {
            self.route(fallback.0, fallback.1, fallback.1);
        } else {
            let r = fits[self.rng.pick_by(&fits, |r| r.weight)];
            self.route(r.kind, r.model, r.base);
        }
    }

    fn ensure_text(&mut self) {
        self.ensure(|r| r.kind.textual(), (Chat, "gpt-4o"));
    }

    fn ensure_chat(&mut self) {
        self.ensure(|r| r.kind == Chat, (Chat, "gpt-4o-mini"));
    }

    fn ensure_reasoning(&mut self) {
        self.ensure(|r| r.kind.textual() && REASONING.contains(&r.base), (Responses, "gpt-5-mini"));
    }

    fn ensure_stream(&mut self) {
        self.ensure_text();
        self.req.stream = Some(true);
    }

    /// Model id as a message names it: the record's model for OpenAI, the model behind
    /// the deployment for Azure.
    fn model(&self) -> String {
        if self.azure() { self.req.base.to_string() } else { self.req.model.clone() }
    }

    /// A failure with an HTTP status whose body is `inner`, in one of the shapes logs
    /// hold: full object, inner object, or text (SDK exception, or one of `raws`).
    fn fail(&mut self, status: u16, inner: J, mut raws: Vec<String>) -> Failure {
        let r = self.rng.unit();
        let error = if r < 0.45 {
            J::Obj(vec![("error", inner)])
        } else if r < 0.65 {
            inner
        } else if !raws.is_empty() && self.rng.chance(0.5) {
            let i = self.rng.below(raws.len());
            J::Str(raws.swap_remove(i))
        } else {
            J::Str(self.sdk_text(status, inner))
        };
        Failure::new(Some(status), error)
    }

    fn sdk_text(&mut self, status: u16, inner: J) -> String {
        let msg = inner.get_str("message").unwrap_or_default().to_string();
        let code = inner.get_str("code").unwrap_or("").to_string();
        let full = J::Obj(vec![("error", inner)]);
        let (class, lite) = py_class(status);
        let py = full.to_py();
        match (self.azure(), self.rng.below(5)) {
            (true, 0 | 1) => format!(
                "Azure.RequestFailedException: {msg}\nStatus: {status} ({})\nErrorCode: {code}\n\nContent:\n{}",
                reason(status),
                full.to_json()
            ),
            (true, 2) => format!("litellm.{lite}: AzureException {lite} - {msg}"),
            (true, 3) | (false, 0) => format!("openai.{class}: Error code: {status} - {py}"),
            (false, 1) => format!("{status} {msg}"),
            (false, 2) => format!("openai.error.{}: {msg}", py_class_v0(status)),
            (false, 3) => {
                format!("litellm.{lite}: {lite}: OpenAIException - Error code: {status} - {py}")
            }
            _ => full.to_json(),
        }
    }

    fn project_factor(&self) -> f64 {
        match self.client.project {
            "proj_chat" => 1.0,
            "proj_search" => 0.5,
            "proj_batch" => 0.25,
            _ => 0.05,
        }
    }
}

fn tpm_limit(base: &str) -> i64 {
    match base {
        "gpt-4o" | "gpt-4.1" | "gpt-5" | "o3" => 800_000,
        "text-embedding-3-small" => 5_000_000,
        "gpt-4o-mini" | "gpt-4.1-mini" | "gpt-5-mini" => 4_000_000,
        _ => 200_000,
    }
}

fn context_window(base: &str) -> i64 {
    match base {
        "gpt-4.1" | "gpt-4.1-mini" => 1_047_576,
        "gpt-5" | "gpt-5-mini" => 272_000,
        "o3" => 200_000,
        "text-embedding-3-small" => 8192,
        _ => 128_000,
    }
}

const DOCS_RL: &str = "Visit https://platform.openai.com/account/rate-limits to learn more.";
const AZ_QUOTA: &str = "Please go here: https://aka.ms/oai/quotaincrease if you would like to \
                        further increase the default rate limit.";

fn azure_api_version(rng: &mut Rng) -> &'static str {
    rng.pick(&["2024-10-21", "2025-01-01-preview", "2024-08-01-preview", "2025-03-01-preview"])
}

fn azure_operation(kind: Kind) -> &'static str {
    if kind == Embeddings { "Embeddings_Create" } else { "ChatCompletions_Create" }
}

// ------------------------------------------------------------------ builders: auth, permission

const AZ_BAD_KEY: &str = "Access denied due to invalid subscription key or wrong API endpoint. Make \
                          sure to provide a valid key for an active subscription and use a correct \
                          regional API endpoint for your resource.";

/// How OpenAI masks a key in "Incorrect API key provided": prefix, stars, last four.
fn mask_key(key: &str) -> String {
    let tail = &key[key.len().saturating_sub(4)..];
    let prefix = if key.starts_with("sk-proj-") { "sk-proj-" } else { &key[..key.len().min(8)] };
    format!("{prefix}{}{tail}", "*".repeat(key.len().saturating_sub(prefix.len() + 4)))
}

fn invalid_api_key(cx: &mut Cx) -> Failure {
    if cx.azure() {
        let code = cx.rng.pick(&["401", "Unauthorized"]);
        return cx.fail(401, az_inner(code, AZ_BAD_KEY), vec![]);
    }
    let mask = if cx.origin == Origin::Story {
        mask_key(&cx.client.key)
    } else {
        match cx.rng.below(4) {
            0 => "YOUR_OPE***_KEY".to_string(),
            1 => format!("sk-or-v1{}{}", "*".repeat(60), cx.rng.hex(4)),
            2 => format!("https://{}{}", "*".repeat(80), cx.rng.alnum(4)),
            _ => format!("sk-PMafP{}{}", "*".repeat(39), cx.rng.alnum(4)),
        }
    };
    let msg = format!(
        "Incorrect API key provided: {mask}. You can find your API key at \
         https://platform.openai.com/account/api-keys."
    );
    cx.fail(401, inner(msg, IRE, None, Some("invalid_api_key")), vec![])
}

fn missing_credentials(cx: &mut Cx) -> Failure {
    let mut f = match cx.rng.below(3) {
        0 => {
            let msg = "You didn't provide an API key. You need to provide your API key in an \
                       Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or \
                       as the password field (with blank username) if you're accessing the API from \
                       your browser and are prompted for a username and password. You can obtain an \
                       API key from https://platform.openai.com/account/api-keys.";
            cx.fail(401, inner(msg.to_string(), IRE, None, None), vec![])
        }
        1 => {
            let msg = "Missing bearer or basic authentication in header".to_string();
            cx.fail(401, inner(msg, IRE, None, None), vec![])
        }
        _ => Failure::new(
            None,
            st("openai.OpenAIError: The api_key client option must be set either by passing api_key \
                to the client or by setting the OPENAI_API_KEY environment variable"),
        )
        .latency(cx.rng.int(1, 4)),
    };
    f.drop_key = true;
    f
}

fn insufficient_scopes(cx: &mut Cx) -> Failure {
    if cx.azure() {
        let msg = "Principal does not have access to API/Operation.";
        let raw = format!(
            "Azure.RequestFailedException: {msg}Status: 401 (PermissionDenied)ErrorCode: \
             PermissionDenied\nContent:{}",
            az_inner("PermissionDenied", msg).to_json()
        );
        return cx.fail(401, az_inner("PermissionDenied", msg), vec![raw]);
    }
    let scope = if cx.req.kind == Responses { "api.responses.write" } else { "model.request" };
    let msg = format!(
        "You have insufficient permissions for this operation. Missing scopes: {scope}. Check that \
         you have the correct role in your organization (Reader, Writer, Owner) and project \
         (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes."
    );
    let raw = format!(
        "HTTP 401: You have insufficient permissions for this operation. Missing scopes: {scope}"
    );
    cx.fail(401, inner(msg, IRE, None, None), vec![raw])
}

fn organization(cx: &mut Cx) -> Failure {
    match cx.rng.below(3) {
        0 => {
            let msg =
                "OpenAI-Organization header should match organization for API key".to_string();
            cx.fail(401, inner(msg, IRE, None, Some("mismatched_organization")), vec![])
        }
        1 => {
            let msg = "You must be a member of an organization to use the API. Please contact us \
                       through our help center at help.openai.com."
                .to_string();
            cx.fail(401, inner(msg, IRE, None, Some("no_organization")), vec![])
        }
        _ => {
            let org = format!("org-{}", cx.rng.alnum(24));
            let text = format!("openai.error.AuthenticationError: No such organization: {org}.");
            Failure::new(Some(401), J::Str(text))
        }
    }
}

fn account_disabled(cx: &mut Cx) -> Failure {
    if cx.azure() {
        let msg = "Your resource has been temporarily blocked because we detected behavior that may \
                   violate our content policy. For more details on Azure OpenAI service content \
                   policy, please visit https://aka.ms/aoaicodeofconduct";
        return cx.fail(403, az_inner("Forbidden", msg), vec![]);
    }
    if cx.rng.chance(0.6) {
        let msg = "The OpenAI account associated with this API key has been deactivated. If you are \
                   the developer for this OpenAI app, please check your email for more information. \
                   If you are seeing this error while using another app or site, please reach out to \
                   them for more help.";
        return cx.fail(
            401,
            inner(msg.to_string(), IRE, None, Some("account_deactivated")),
            vec![],
        );
    }
    let msg = "Your access was terminated due to violation of our policies, please check your email \
               for more information. If you believe this is in error and would like to appeal, \
               please contact us through our help center at help.openai.com.";
    let code = cx.rng.pick(&[None, Some("access_terminated")]);
    cx.fail(429, inner(msg.to_string(), Some("access_terminated"), None, code), vec![])
}

fn region_unsupported(cx: &mut Cx) -> Failure {
    let msg = "Country, region, or territory not supported";
    let body = J::Obj(vec![
        ("code", st("unsupported_country_region_territory")),
        ("message", st(msg)),
        ("param", J::Null),
        ("type", st("request_forbidden")),
    ]);
    cx.fail(403, body, vec![format!("http status 403: {msg}")])
}

fn project_model_access(cx: &mut Cx) -> Failure {
    let model = cx.rng.pick(&["gpt-5", "gpt-4.1", "o3", "gpt-4o"]);
    let kind = if model == "gpt-4o" { Chat } else { Responses };
    cx.route(kind, model, model);
    let msg = format!("Project `{}` does not have access to model `{model}`", cx.client.project);
    let raw = format!("403 {msg}");
    cx.fail(403, inner(msg, IRE, None, Some("model_not_found")), vec![raw])
}

fn verification_required(cx: &mut Cx) -> Failure {
    let model = cx.rng.pick(&["o3", "gpt-5"]);
    cx.route(Responses, model, model);
    let tail = "Please go to: https://platform.openai.com/settings/organization/general and click on \
                Verify Organization. If you just verified, it can take up to 15 minutes for access to \
                propagate.";
    if cx.rng.chance(0.3) {
        cx.req.stream = Some(true);
        let msg = format!("Your organization must be verified to stream this model. {tail}");
        let raw = format!("400 {msg}");
        return cx.fail(400, inner(msg, IRE, Some("stream"), None), vec![raw]);
    }
    let status = cx.rng.pick(&[403, 404]);
    let msg = format!("Your organization must be verified to use the model `{model}`. {tail}");
    let raw = format!("{status} {msg}");
    cx.fail(status, inner(msg, IRE, None, None), vec![raw])
}

fn network_blocked(cx: &mut Cx) -> Failure {
    let msg = "Public access is disabled. Please configure private endpoint.";
    cx.fail(403, az_inner("403", msg), vec![msg.trim_end_matches('.').to_string()])
}

// ------------------------------------------------------------------ builders: quota

fn quota_exhausted(cx: &mut Cx) -> Failure {
    let base = "You exceeded your current quota, please check your plan and billing details.";
    let msg = if cx.rng.chance(0.7) {
        format!(
            "{base} For more information on this error, read the docs: \
             https://platform.openai.com/docs/guides/error-codes/api-errors."
        )
    } else {
        base.to_string()
    };
    let raws = vec![
        format!("Error: insufficient_quota: {base}"),
        format!("openai.error.RateLimitError: {base}"),
        format!(
            "There was a problem with request to openai API:\nAPI responded with status code: 429. \
             Response text: {}",
            J::Obj(vec![(
                "error",
                inner(
                    base.to_string(),
                    Some("insufficient_quota"),
                    None,
                    Some("insufficient_quota")
                )
            )])
            .to_json()
        ),
    ];
    let code = Some("insufficient_quota");
    cx.fail(429, inner(msg, code, None, code), raws)
}

fn billing_inactive(cx: &mut Cx) -> Failure {
    let msg = "Your account is not active, please check your billing details on our website.";
    let code = Some("billing_not_active");
    cx.fail(429, inner(msg.to_string(), code, None, code), vec![format!("429 {msg}")])
}

fn hard_limit(cx: &mut Cx) -> Failure {
    cx.route(Images, "gpt-image-1-mini", "gpt-image-1-mini");
    let body = J::Obj(vec![
        ("code", st("billing_hard_limit_reached")),
        ("message", st("Billing hard limit has been reached")),
        ("param", J::Null),
        ("type", st("invalid_request_error")),
    ]);
    cx.fail(400, body, vec![])
}

fn tier_not_enabled(cx: &mut Cx) -> Failure {
    cx.route(Images, "gpt-image-2", "gpt-image-2");
    let msg = format!(
        "Rate limit exceeded for images per minute in organization {}. Limit: 0/1min. Current: \
         {}/1min. Please visit https://platform.openai.com/docs/guides/rate-limits to learn how to \
         increase your rate limit.",
        cx.org,
        cx.rng.int(1, 3)
    );
    let raw = format!("- {msg}");
    cx.fail(429, inner(msg, Some("requests"), None, Some("rate_limit_exceeded")), vec![raw])
}

// ------------------------------------------------------------------ builders: rate limits

fn azure_limit_msg(cx: &mut Cx, what: &str, secs: i64) -> String {
    let op = azure_operation(cx.req.kind);
    let version = azure_api_version(cx.rng);
    if what == "token" && cx.rng.chance(0.3) {
        let (base, dep) = (cx.req.base, cx.req.model.clone());
        return format!(
            "Your requests to {base} for {dep} in East US have exceeded the token rate limit for your \
             current AIServices S0 pricing tier. This request was for {op} under Azure OpenAI API \
             version {version}. Please retry after {secs} seconds. To increase your default rate \
             limit, visit: https://aka.ms/oai/quotaincrease."
        );
    }
    format!(
        "Requests to the {op} Operation under Azure OpenAI API version {version} have exceeded {what} \
         rate limit of your current OpenAI S0 pricing tier. Please retry after {secs} seconds. {AZ_QUOTA}"
    )
}

fn rl_tokens(cx: &mut Cx) -> Failure {
    // TPM limits bite on the busiest model at the busiest hours.
    if cx.rng.chance(0.3 + 0.6 * cx.load) {
        cx.ensure(|r| r.base == "gpt-4o", (Chat, "gpt-4o"));
    }
    if cx.azure() {
        let secs = cx.rng.int(1, 59);
        let msg = azure_limit_msg(cx, "token", secs);
        return cx.fail(429, az_inner("429", &msg), vec![]).retry_after(secs as f64 * 1000.0);
    }
    let (m, org) = (cx.model(), cx.org.to_string());
    let limit = (tpm_limit(cx.req.base) as f64 * cx.project_factor()) as i64;
    let used = limit - cx.rng.int(0, limit / 40);
    let requested = limit - used + cx.rng.int(1, (limit / 20).clamp(50, 30_000));
    let wait = (used + requested - limit) as f64 / limit as f64 * 60_000.0;
    let w = fmt_wait(wait);
    let msg = if cx.rng.chance(0.12) {
        format!(
            "Rate limit reached for {m} in organization {org} on tokens per min. Limit: {limit} / min. Please try again in {w}. {DOCS_RL}"
        )
    } else {
        format!(
            "Rate limit reached for {m} in organization {org} on tokens per min (TPM): Limit {limit}, \
             Used {used}, Requested {requested}. Please try again in {w}. {DOCS_RL}"
        )
    };
    let raw = format!(
        "OpenAI error: Rate limit reached for tokens. Limit: {limit}.000000 / min. Current: {}.000000 / \
         min. Contact support@openai.com if you continue to have issues.",
        used + requested
    );
    let body = inner(msg, Some("tokens"), None, Some("rate_limit_exceeded"));
    cx.fail(429, body, vec![raw]).retry_after(wait)
}

fn rl_requests(cx: &mut Cx) -> Failure {
    if cx.azure() {
        let secs = cx.rng.int(1, 59);
        let msg = azure_limit_msg(cx, "call", secs);
        let raw = format!(
            "Error: Failed to call {} api\n\nCaused by:\n    {msg} (code: 429)",
            cx.req.endpoint
        );
        return cx.fail(429, az_inner("429", &msg), vec![raw]).retry_after(secs as f64 * 1000.0);
    }
    let (m, org) = (cx.model(), cx.org.to_string());
    let limit = ((10_000.0 * cx.project_factor()) as i64).max(50);
    let wait = 60_000.0 / limit as f64 * cx.rng.int(1, 6) as f64;
    let w = fmt_wait(wait);
    let msg = format!(
        "Rate limit reached for {m} in organization {org} on requests per min (RPM): Limit {limit}, \
         Used {limit}, Requested 1. Please try again in {w}. {DOCS_RL}"
    );
    let raw = format!(
        "error_code=rate_limit_exceeded error_message='Rate limit reached for default-{m} in \
         organization {org} on requests per min. Limit: {limit} / min. Please try again in {w}. \
         Contact us through our help center at help.openai.com if you continue to have issues.' \
         error_param=None error_type=requests message='OpenAI API error received' stream_error=False"
    );
    let body = inner(msg, Some("requests"), None, Some("rate_limit_exceeded"));
    cx.fail(429, body, vec![raw]).retry_after(wait)
}

fn rl_daily(cx: &mut Cx) -> Failure {
    if cx.azure() {
        let secs = cx.pick_daily_secs();
        let msg = azure_limit_msg(cx, "token", secs);
        let raw = format!("HTTP 429 (429) {msg}");
        return cx.fail(429, az_inner("429", &msg), vec![raw]).retry_after(secs as f64 * 1000.0);
    }
    let (m, org) = (cx.model(), cx.org.to_string());
    let wait = cx.rng.int(60_000, 3_600_000) as f64;
    let w = fmt_wait(wait);
    let msg = if cx.rng.chance(0.5) {
        let limit = cx.rng.pick(&[200, 1000, 10_000]);
        format!(
            "Rate limit reached for {m} in organization {org} on requests per day (RPD): Limit {limit}, \
             Used {limit}, Requested 1. Please try again in {w}. {DOCS_RL}"
        )
    } else {
        let limit = cx.rng.pick(&[2_000_000, 20_000_000, 90_000_000]);
        let used = limit - cx.rng.int(0, limit / 100);
        let requested = limit - used + cx.rng.int(100, 20_000);
        format!(
            "Rate limit reached for {m} in organization {org} on tokens per day (TPD): Limit {limit}, \
             Used {used}, Requested {requested}. Please try again in {w}. {DOCS_RL}"
        )
    };
    let typ = if msg.contains("(RPD)") { "requests" } else { "tokens" };
    let body = inner(msg, Some(typ), None, Some("rate_limit_exceeded"));
    cx.fail(429, body, vec![]).retry_after(wait)
}

impl Cx<'_> {
    fn pick_daily_secs(&mut self) -> i64 {
        if self.rng.chance(0.6) { 86_400 } else { 3600 * self.rng.int(2, 23) }
    }
}

fn rl_too_large(cx: &mut Cx) -> Failure {
    cx.ensure_text();
    let mut limit = (tpm_limit(cx.req.base) as f64 * cx.project_factor()) as i64;
    if limit >= context_window(cx.req.base) {
        cx.route(Chat, "gpt-4.1", "gpt-4.1");
        limit = (tpm_limit("gpt-4.1") as f64 * cx.project_factor()) as i64;
    }
    let room = (context_window(cx.req.base) - limit).min(limit / 2).max(2);
    let requested = limit + cx.rng.int(1, room);
    let (m, org) = (cx.model(), cx.org.to_string());
    let msg = format!(
        "Request too large for {m} in organization {org} on tokens per min (TPM): Limit {limit}, \
         Requested {requested}. The input or output tokens must be reduced in order to run \
         successfully. {DOCS_RL}"
    );
    cx.fail(429, inner(msg, Some("tokens"), None, Some("rate_limit_exceeded")), vec![])
}

fn rl_edge(cx: &mut Cx) -> Failure {
    let text = if cx.rng.chance(0.6) { "error code: 1015" } else { "Error: 429 error code: 1015" };
    Failure::new(Some(429), st(text))
}

fn rl_batch_queue(cx: &mut Cx) -> Failure {
    let (model, limit) = cx.rng.pick(&[
        ("gpt-4o-mini", 2_000_000),
        ("gpt-4.1-mini", 3_000_000),
        ("gpt-4o", 1_350_000),
    ]);
    cx.route(Kind::Other, model, model);
    cx.req.endpoint = "/v1/batches".to_string();
    let msg = format!(
        "Enqueued token limit reached for {model} in organization {}. Limit: {} enqueued tokens. Please \
         try again once some in_progress batches have been completed.",
        cx.org,
        thousands(limit)
    );
    let error = if cx.rng.chance(0.6) {
        J::Obj(vec![
            ("code", st("token_limit_exceeded")),
            ("line", J::Null),
            ("message", J::Str(msg)),
            ("param", J::Null),
        ])
    } else {
        J::Str(format!(
            "BatchError(code='token_limit_exceeded', line=None, message='{msg}', param=None)"
        ))
    };
    Failure::new(None, error)
}

fn rl_unspecified(cx: &mut Cx) -> Failure {
    let secs = cx.rng.int(1, 60);
    let msg = format!("Rate limit is exceeded. Try again in {secs} seconds.");
    let error = if cx.rng.chance(0.5) {
        J::Obj(vec![("statusCode", J::Int(429)), ("message", J::Str(msg))])
    } else {
        J::Str(format!("HTTP 429 (429)\n\n{msg}"))
    };
    Failure::new(Some(429), error).retry_after(secs as f64 * 1000.0)
}

// ------------------------------------------------------------------ builders: model

fn not_found(model: &str) -> String {
    format!("The model `{model}` does not exist or you do not have access to it.")
}

fn model_typo(cx: &mut Cx) -> Failure {
    let typos: &[&str] = match cx.req.base {
        "gpt-4o" => &["gtp-4o", "GPT-4o", "gpt4o", "gpt-40"],
        "gpt-4o-mini" => &["gpt-4o-mnii", "gpt-4omini", "gpt-4o-min"],
        "gpt-4.1" => &["gpt-4,1", "gpt4.1", "GPT-4.1"],
        "gpt-4.1-mini" => &["gpt-4.1-mni", "gpt-41-mini"],
        "gpt-5" => &["gtp-5", "gpt5", "GPT-5"],
        "gpt-5-mini" => &["gpt-5-mnii", "gpt5-mini"],
        "text-embedding-3-small" => &["text-embeding-3-small", "text-embedding-3-smal"],
        _ => {
            cx.route(Chat, "gpt-4o", "gpt-4o");
            &["gtp-4o", "gpt-4o-mnii", "GPT-4o"]
        }
    };
    let typo = cx.rng.pick(typos);
    cx.req.model = typo.to_string();
    let raw = format!("openai.error.InvalidRequestError: {}", not_found(typo));
    cx.fail(404, inner(not_found(typo), IRE, None, Some("model_not_found")), vec![raw])
}

fn model_retired(cx: &mut Cx) -> Failure {
    let (model, kind) = cx.rng.pick(&[
        ("text-davinci-003", Kind::Other),
        ("gpt-4-vision-preview", Chat),
        ("gpt-3.5-turbo-0613", Chat),
        ("o3-mini", Chat),
        ("gpt-4-32k", Chat),
    ]);
    cx.route(kind, model, model);
    let msg = if cx.rng.chance(0.55) {
        format!(
            "The model `{model}` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations"
        )
    } else {
        not_found(model)
    };
    cx.fail(404, inner(msg, IRE, None, Some("model_not_found")), vec![])
}

fn model_no_access(cx: &mut Cx) -> Failure {
    let model = cx.rng.pick(&["gpt-5.5-pro", "gpt-5.4-pro", "gpt-5.6-sol", "o3-pro"]);
    cx.route(Responses, model, model);
    let old = format!(
        "Failed to answer. Reason: openai.error.InvalidRequestError: The model: `{model}` does not exist"
    );
    cx.fail(404, inner(not_found(model), IRE, None, Some("model_not_found")), vec![old])
}

fn fine_tune_unavailable(cx: &mut Cx) -> Failure {
    let base =
        cx.rng.pick(&["gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14"]);
    let name = cx.rng.pick(&["support-v3", "router", "tone-v2", "extract"]);
    let slug = cx.rng.pick(&["acme-corp", "personal", "acme-support"]);
    let ft = format!("ft:{base}:{slug}:{name}:{}", cx.rng.alnum(8));
    cx.ensure_chat();
    cx.req.model.clone_from(&ft);
    cx.fail(404, inner(not_found(&ft), IRE, None, Some("model_not_found")), vec![])
}

fn deployment_not_found(cx: &mut Cx) -> Failure {
    let wrong =
        cx.rng.pick(&["prod-gpt-4o", "gpt-4o", "prod-gpt4o-2024", "eastus-gpt-41", "gpt-35-turbo"]);
    cx.ensure_chat();
    cx.req.model = wrong.to_string();
    let msg = "The API deployment for this resource does not exist. If you created the deployment \
               within the last 5 minutes, please wait a moment and try again.";
    let body = az_inner("DeploymentNotFound", msg);
    let raw = format!(
        "Microsoft.SemanticKernel.HttpOperationException: '{msg}  \nStatus: 404 (DeploymentNotFound)  \
         \nErrorCode: DeploymentNotFound  \n\nContent:  \n{}",
        body.to_json()
    );
    cx.fail(404, body, vec![raw])
}

fn operation_unsupported(cx: &mut Cx) -> Failure {
    if cx.azure() {
        let (kind, dep, base, op) = cx.rng.pick(&[
            (Chat, "emb-3-small", "text-embedding-3-small", "chatCompletion"),
            (Embeddings, "prod-gpt4o-mini", "gpt-4o-mini", "embeddings"),
            (Kind::Other, "prod-gpt4o-mini", "gpt-4o-mini", "completion"),
        ]);
        cx.route(kind, dep, base);
        let msg = format!(
            "The {op} operation does not work with the specified model, {base}. Please choose different \
             model and try again. You can learn more about which models can be used with each operation \
             here: https://go.microsoft.com/fwlink/?linkid=2197993."
        );
        return cx.fail(400, az_inner("OperationNotSupported", &msg), vec![]);
    }
    let msg = if cx.rng.chance(0.5) {
        cx.route(Kind::Other, "gpt-4o-mini", "gpt-4o-mini");
        "This is a chat model and not supported in the v1/completions endpoint. Did you mean to use \
         v1/chat/completions?"
    } else {
        cx.route(Chat, "text-embedding-3-small", "text-embedding-3-small");
        "This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you \
         mean to use v1/completions?"
    };
    cx.fail(404, inner(msg.to_string(), IRE, Some("model"), None), vec![])
}

// ------------------------------------------------------------------ builders: request shape

fn relay_id(rng: &mut Rng) -> String {
    format!("2026112{}{}", rng.int(100_000_000_000, 199_999_999_999), rng.alnum(9))
}

fn context_length(cx: &mut Cx) -> Failure {
    if cx.req.kind == Embeddings {
        let m = cx.rng.int(8193, 60_000);
        let msg = format!(
            "This model's maximum context length is 8192 tokens, however you requested {m} tokens ({m} in \
             your prompt; 0 for the completion). Please reduce your prompt; or completion length."
        );
        return cx.fail(400, inner(msg, IRE, None, None), vec![]);
    }
    cx.ensure_text();
    if cx.req.kind == Responses && cx.rng.chance(0.5) {
        let msg = "Your input exceeds the context window of this model. Please adjust your input and try again.";
        return cx.fail(
            400,
            inner(msg.to_string(), IRE, Some("input"), Some("context_length_exceeded")),
            vec![],
        );
    }
    if cx.req.base.starts_with("gpt-4.1") && cx.rng.chance(0.8) {
        cx.ensure(|r| r.base.starts_with("gpt-4o"), (Chat, "gpt-4o"));
    }
    let c = context_window(cx.req.base);
    let msg = if cx.req.base.starts_with("gpt-5") {
        let m = c + cx.rng.int(1, c);
        format!(
            "Input tokens exceed the configured limit of {c} tokens. Your messages resulted in {m} tokens. Please reduce the length of the messages."
        )
    } else if cx.rng.chance(0.6) {
        let m = c + cx.rng.int(1, c / 2);
        format!(
            "This model's maximum context length is {c} tokens. However, your messages resulted in {m} tokens. Please reduce the length of the messages."
        )
    } else {
        let x = cx.rng.pick(&[1000, 2048, 4096, 16_384]);
        let m = c - x + cx.rng.int(1, c / 10);
        format!(
            "This model's maximum context length is {c} tokens. However, you requested {} tokens ({m} in \
             the messages, {x} in the completion). Please reduce the length of the messages or completion.",
            m + x
        )
    };
    let raw = format!(
        "Error code: 400 - {{'error': {{'message': \"{msg} (request id: {})\", 'type': 'invalid_request_error'}}}}",
        relay_id(cx.rng)
    );
    cx.fail(400, inner(msg, IRE, Some("messages"), Some("context_length_exceeded")), vec![raw])
}

fn max_tokens_too_large(cx: &mut Cx) -> Failure {
    cx.ensure(|r| r.kind.textual() && r.base.starts_with("gpt-4"), (Chat, "gpt-4o"));
    let cap = if cx.req.base.starts_with("gpt-4.1") { 32_768 } else { 16_384 };
    let n = cx.rng.pick(&[cap * 2, 65_536, 100_000, cap + 1, 128_000]);
    let msg = format!(
        "max_tokens is too large: {n}. This model supports at most {cap} completion tokens, whereas you provided {n}."
    );
    cx.fail(400, inner(msg, IRE, Some("max_tokens"), None), vec![])
}

fn input_too_long(cx: &mut Cx) -> Failure {
    cx.ensure_text();
    let (field, max) = match (cx.req.kind, cx.rng.below(2)) {
        (_, 0) => (format!("tools[{}].function.description", cx.rng.int(0, 8)), 1024),
        (Responses, _) => (format!("input[{}].content", cx.rng.int(0, 40)), 10_485_760),
        _ => (format!("messages[{}].content", cx.rng.int(1, 40)), 10_485_760),
    };
    let got = max + cx.rng.int(1, max * 5);
    let msg = format!(
        "Invalid '{field}': string too long. Expected a string with maximum length {max}, but got a string with length {got} instead."
    );
    let raw =
        format!("{msg} (request id: {}) (request id: {})", relay_id(cx.rng), relay_id(cx.rng));
    cx.fail(400, inner(msg, IRE, Some(&field), Some("string_above_max_length")), vec![raw])
}

fn reasoning_parameter(cx: &mut Cx) -> Failure {
    cx.ensure_reasoning();
    if cx.req.kind == Responses && !cx.azure() && cx.rng.chance(0.3) {
        let msg = "Unsupported parameter: 'reasoning_effort'. In the Responses API, this parameter has \
                   moved to 'reasoning.effort'. Try again with the new parameter. See the API \
                   documentation for more information: https://platform.openai.com/docs/api-reference/responses/create.";
        let body = inner(msg.to_string(), IRE, None, Some("unsupported_parameter"));
        return cx.fail(400, body, vec![]);
    }
    let (msg, param, code) = match cx.rng.below(3) {
        0 => (
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.".to_string(),
            "max_tokens",
            "unsupported_parameter",
        ),
        1 => {
            let t = cx.rng.pick(&["0", "0.2", "0.7", "0.3", "0.1"]);
            let msg = format!("Unsupported value: 'temperature' does not support {t} with this model. Only the default (1) value is supported.");
            (msg, "temperature", "unsupported_value")
        }
        _ => ("Unsupported parameter: 'temperature' is not supported with this model.".to_string(), "temperature", "unsupported_parameter"),
    };
    cx.fail(400, inner(msg, IRE, Some(param), Some(code)), vec![])
}

fn unrecognized_argument(cx: &mut Cx) -> Failure {
    cx.ensure_chat();
    let arg = cx.rng.pick(&[
        "tools",
        "functions",
        "reasoning_effort",
        "max_completion_tokens",
        "parallel_tool_calls",
    ]);
    let msg = format!("Unrecognized request argument supplied: {arg}");
    let status = if arg == "tools" && cx.rng.chance(0.5) { 404 } else { 400 };
    let raw = format!("openai.error.InvalidRequestError: {msg}");
    cx.fail(status, inner(msg, IRE, None, None), vec![raw])
}

fn malformed_body(cx: &mut Cx) -> Failure {
    cx.ensure_chat();
    let k = cx.rng.int(1, 30);
    match cx.rng.below(4) {
        0 => {
            let msg = "We could not parse the JSON body of your request. (HINT: This likely means you \
                       aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but \
                       what was sent was not valid JSON. If you have trouble figuring out how to fix this, \
                       please contact us through our help center at help.openai.com.)";
            cx.fail(400, inner(msg.to_string(), IRE, None, None), vec![])
        }
        1 => {
            let raw = format!(
                "openai.error.InvalidRequestError: 'content' is a required property - 'messages.{k}'"
            );
            Failure::new(Some(400), J::Str(raw))
        }
        2 => {
            let msg = "Invalid value for 'content': expected a string, got null.".to_string();
            let param = format!("messages.[{k}].content");
            let raw = format!(
                "time=2026-11-21T10:20:00.605Z level=ERROR msg=\"Failed to create chat completion stream\" \
                 error=\"error, status code: 400, status: 400 Bad Request, message: {msg}\""
            );
            cx.fail(400, inner(msg, IRE, Some(&param), Some("invalid_type")), vec![raw])
        }
        _ => {
            cx.req.model.clear();
            cx.fail(
                400,
                inner("you must provide a model parameter".to_string(), IRE, None, None),
                vec![],
            )
        }
    }
}

fn invalid_url(cx: &mut Cx) -> Failure {
    cx.ensure_text();
    if cx.azure() {
        cx.req.endpoint = "/chat/completions".to_string();
        return cx.fail(404, az_inner("404", "Resource not found"), vec![]);
    }
    let path = cx.rng.pick(&[
        "/v1/chat/completions/chat/completions",
        "/chat/completions",
        "/v1/v1/responses",
    ]);
    cx.req.endpoint = path.to_string();
    if path == "/chat/completions" {
        let msg = format!(
            "Unknown request URL: POST {path}. Please check the URL for typos, or see the docs at \
             https://platform.openai.com/docs/api-reference/."
        );
        return cx.fail(404, inner(msg, IRE, None, Some("unknown_url")), vec![]);
    }
    let msg = format!("Invalid URL (POST {path})");
    let raw = format!("WARNING:root:OpenAIError: {msg}.");
    cx.fail(404, inner(msg, IRE, None, None), vec![raw])
}

fn tool_schema(cx: &mut Cx) -> Failure {
    cx.ensure_text();
    let i = cx.rng.int(0, 5);
    if cx.rng.chance(0.5) {
        let name = cx.rng.pick(&["lookup order", "search.docs!", "get weather"]);
        let msg = format!(
            "Invalid 'tools[{i}].function.name': string does not match pattern. Expected a string that \
             matches the pattern '^[a-zA-Z0-9_\\.-]+$'. Got '{name}'."
        );
        let param = format!("tools[{i}].function.name");
        return cx.fail(400, inner(msg, IRE, Some(&param), Some("invalid_value")), vec![]);
    }
    let (f, p) = cx.rng.pick(&[
        ("mysql_execute", "params"),
        ("search_docs", "query"),
        ("create_ticket", "priority"),
    ]);
    let msg = format!(
        "Invalid schema for function '{f}': In context=(), 'required' is required to be supplied and to \
         be an array including every key in properties. Missing '{p}'."
    );
    let param = format!("tools[{i}].parameters");
    let raw = format!("Error [AI_APICallError]: {msg}");
    cx.fail(400, inner(msg, IRE, Some(&param), Some("invalid_function_parameters")), vec![raw])
}

fn output_schema(cx: &mut Cx) -> Failure {
    cx.ensure_text();
    let name = cx.rng.pick(&["default", "router", "extraction", "ticket_summary"]);
    let msg = if cx.rng.chance(0.6) {
        format!(
            "Invalid schema for response_format '{name}': In context=(), 'additionalProperties' is required to be supplied and to be false."
        )
    } else {
        let key = cx.rng.pick(&["complexity", "confidence", "labels"]);
        format!(
            "Invalid schema for response_format '{name}': In context=(), 'required' is required to be \
             supplied and to be an array including every key in properties. Missing '{key}'."
        )
    };
    let body = if cx.req.kind == Responses {
        inner(msg, IRE, Some("text.format.schema"), Some("invalid_json_schema"))
    } else {
        inner(msg, IRE, Some("response_format"), None)
    };
    cx.fail(400, body, vec![])
}

fn tool_call_sequence(cx: &mut Cx) -> Failure {
    cx.ensure_chat();
    let k = cx.rng.int(3, 60);
    let param = format!("messages.[{k}].role");
    if cx.rng.chance(0.6) {
        let msg = format!(
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each \
             'tool_call_id'. The following tool_call_ids did not have response messages: call_{}",
            cx.rng.alnum(24)
        );
        let raw = format!("Error: litellm.BadRequestError: OpenAIException - {msg}");
        return cx.fail(400, inner(msg, IRE, Some(&param), None), vec![raw]);
    }
    let msg = "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
    cx.fail(400, inner(msg.to_string(), IRE, Some(&param), None), vec![])
}

fn json_mode(cx: &mut Cx) -> Failure {
    cx.ensure_chat();
    let msg = "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";
    cx.fail(400, inner(msg.to_string(), IRE, Some("messages"), None), vec![])
}

fn invalid_image(cx: &mut Cx) -> Failure {
    cx.ensure_text();
    match cx.rng.below(4) {
        0 => {
            let msg = "You uploaded an unsupported image. Please make sure your image has of one the \
                       following formats: ['png', 'jpeg', 'gif', 'webp'].";
            cx.fail(400, inner(msg.to_string(), IRE, None, Some("invalid_image_format")), vec![])
        }
        1 => {
            let msg = format!(
                "Timeout while downloading 2026112{}_{}.jpg.",
                cx.rng.int(0, 1),
                cx.rng.int(100_000, 235_959)
            );
            cx.fail(400, inner(msg, IRE, None, Some("invalid_image_url")), vec![])
        }
        2 => {
            cx.ensure(|r| r.kind == Responses, (Responses, "gpt-4.1"));
            let k = cx.rng.int(1, 120);
            let msg = format!(
                "Invalid 'input[{k}].content[1].image_url'. Expected a base64-encoded data URL with an image \
                 MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got empty base64-encoded bytes."
            );
            let param = format!("input[{k}].content[1].image_url");
            cx.fail(400, inner(msg, IRE, Some(&param), Some("invalid_value")), vec![])
        }
        _ => {
            cx.route(Images, "gpt-image-1-mini", "gpt-image-1-mini");
            cx.req.endpoint = "/v1/images/edits".to_string();
            let text = "RequestFailedException(message: Invalid file 'image': unsupported mimetype \
                        ('application/octet-stream'). Supported file formats are 'image/jpeg', \
                        'image/png', and 'image/webp'., statusCode: 400)";
            Failure::new(Some(400), st(text))
        }
    }
}

fn invalid_audio(cx: &mut Cx) -> Failure {
    cx.ensure(|r| r.kind == Audio, (Audio, "whisper-1"));
    let msg = "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']";
    cx.fail(400, inner(msg.to_string(), IRE, None, None), vec![])
}

fn file_error(cx: &mut Cx) -> Failure {
    cx.route(Kind::Other, "", "");
    match cx.rng.below(3) {
        0 => {
            let id = format!("file-{}", cx.rng.alnum(24));
            cx.req.endpoint = format!("/v1/files/{id}/content");
            let msg = format!("No such File object: {id}");
            let raw = format!("Error downloading file from OpenAI: 404 {msg}");
            cx.fail(404, inner(msg, IRE, Some("id"), None), vec![raw])
        }
        1 => {
            cx.req.endpoint = "/v1/files".to_string();
            Failure::new(
                Some(400),
                st(
                    "openai.error.InvalidRequestError: 'search' is not one of ['fine-tune'] - 'purpose'",
                ),
            )
        }
        _ => {
            cx.req.endpoint = "/v1/batches".to_string();
            let msg = format!(
                "Expected file to have JSONL format, where every line is a valid JSON dictionary. Line {} is not a dictionary.",
                cx.rng.int(1, 5000)
            );
            cx.fail(400, inner(msg, IRE, Some("input_file_id"), None), vec![])
        }
    }
}

fn conflict(cx: &mut Cx) -> Failure {
    let (thread, run) =
        (format!("thread_{}", cx.rng.alnum(24)), format!("run_{}", cx.rng.alnum(24)));
    cx.route(Kind::Other, "", "");
    cx.req.endpoint = format!("/v1/threads/{thread}/messages");
    let msg = format!("Can't add messages to {thread} while a run {run} is active.");
    cx.fail(400, inner(msg, IRE, None, None), vec![])
}

fn response_state(cx: &mut Cx) -> Failure {
    cx.ensure(|r| r.kind == Responses, (Responses, "gpt-5"));
    match cx.rng.below(3) {
        0 => {
            let msg = format!("Previous response with id 'resp_{}' not found.", cx.rng.hex(48));
            if cx.rng.chance(0.4) {
                let error = J::Obj(vec![
                    ("code", st("previous_response_not_found")),
                    ("message", J::Str(msg)),
                ]);
                let ev =
                    J::Obj(vec![("type", st("error")), ("status", J::Int(400)), ("error", error)]);
                return Failure::new(Some(400), ev);
            }
            cx.fail(
                400,
                inner(msg, IRE, Some("previous_response_id"), Some("previous_response_not_found")),
                vec![],
            )
        }
        1 => {
            let msg = format!(
                "Item with id 'rs_{}' not found. Items are not persisted when `store` is set to false. Try \
                 again with `store` set to true, or remove this item from your input.",
                cx.rng.hex(48)
            );
            cx.fail(400, inner(msg, IRE, Some("input"), None), vec![])
        }
        _ => {
            let k = cx.rng.int(2, 80);
            let msg = format!(
                "Invalid 'input[{k}].id': 'msg_{}'. Expected an ID that begins with 'fc'.",
                cx.rng.hex(50)
            );
            let param = format!("input[{k}].id");
            cx.fail(400, inner(msg, IRE, Some(&param), Some("invalid_value")), vec![])
        }
    }
}

// ------------------------------------------------------------------ builders: safety

fn content_policy(cx: &mut Cx) -> Failure {
    if cx.rng.chance(0.6) {
        cx.route(Images, "gpt-image-1-mini", "gpt-image-1-mini");
        let msg = "Your request was rejected as a result of our safety system. Your prompt may contain \
                   text that is not allowed by our safety system.";
        let body = J::Obj(vec![
            ("code", st("content_policy_violation")),
            ("message", st(msg)),
            ("param", J::Null),
            ("type", st("invalid_request_error")),
        ]);
        return cx.fail(400, body, vec![]);
    }
    cx.ensure_reasoning();
    let msg = "Invalid prompt: your prompt was flagged as potentially violating our usage policy. Please \
               try again with a different prompt: https://platform.openai.com/docs/guides/reasoning#advice-on-prompting";
    cx.fail(400, inner(msg.to_string(), IRE, None, Some("invalid_prompt")), vec![])
}

fn filter_results(rng: &mut Rng) -> J {
    let hit = rng.below(4);
    let cats = ["hate", "self_harm", "sexual", "violence"];
    J::Obj(
        cats.iter()
            .enumerate()
            .map(|(i, &c)| {
                let severity = if i == hit { rng.pick(&["medium", "high"]) } else { "safe" };
                (c, J::Obj(vec![("filtered", J::Bool(i == hit)), ("severity", st(severity))]))
            })
            .collect(),
    )
}

const AZ_FILTER: &str = "The response was filtered due to the prompt triggering Azure OpenAI's content \
                         management policy. Please modify your prompt and retry. To learn more about our \
                         content filtering policies please read our documentation: \
                         https://go.microsoft.com/fwlink/?linkid=2198766";

fn content_filter(cx: &mut Cx) -> Failure {
    cx.ensure_chat();
    if cx.rng.chance(0.15) {
        return Failure::new(Some(200), filtered_completion(cx));
    }
    let results = filter_results(cx.rng);
    let innererror = J::Obj(vec![
        ("code", st("ResponsibleAIPolicyViolation")),
        ("content_filter_result", results),
    ]);
    let raw = format!(
        "Error: (content_filter) {AZ_FILTER}\nCode: content_filter\nMessage: {AZ_FILTER}\nInner error: {}",
        innererror.to_json()
    );
    let body = J::Obj(vec![
        ("message", st(AZ_FILTER)),
        ("type", J::Null),
        ("param", st("prompt")),
        ("code", st("content_filter")),
        ("status", J::Int(400)),
        ("innererror", innererror),
    ]);
    cx.fail(400, body, vec![raw])
}

/// Azure's output filter: HTTP 200, but the choice ends with `finish_reason: content_filter`.
fn filtered_completion(cx: &mut Cx) -> J {
    let prompt = J::Obj(vec![
        ("prompt_index", J::Int(0)),
        ("content_filter_results", filter_results(cx.rng)),
    ]);
    let choice = J::Obj(vec![
        ("finish_reason", st("content_filter")),
        ("index", J::Int(0)),
        ("message", J::Obj(vec![("role", st("assistant"))])),
    ]);
    J::Obj(vec![
        ("id", J::Str(format!("chatcmpl-{}", cx.rng.alnum(29)))),
        ("object", st("chat.completion")),
        ("created", J::Int(1_795_000_000 + cx.rng.int(0, 9_999_999))),
        ("model", J::Str(cx.req.base.to_string())),
        ("prompt_filter_results", J::Arr(vec![prompt])),
        ("choices", J::Arr(vec![choice])),
    ])
}

// ------------------------------------------------------------------ builders: server

fn internal_error(cx: &mut Cx) -> Failure {
    if cx.azure() {
        let guid = format!(
            "{}-{}-{}-{}-{}",
            cx.rng.hex(8),
            cx.rng.hex(4),
            cx.rng.hex(4),
            cx.rng.hex(4),
            cx.rng.hex(12)
        );
        let msg = format!(
            "The server had an error processing your request. Sorry about that! You can retry your \
             request, or contact us through an Azure support request at: \
             https://go.microsoft.com/fwlink/?linkid=2213926 if you keep seeing this error. (Please \
             include the request ID {guid} in your email.)"
        );
        return cx.fail(500, inner(msg, Some("server_error"), None, None), vec![]);
    }
    if cx.origin == Origin::Background && cx.req.kind == Responses && cx.rng.chance(0.2) {
        return stream_server_error(cx);
    }
    let msg = if cx.rng.chance(0.7) {
        format!(
            "The server had an error processing your request. Sorry about that! You can retry your \
             request, or contact us through our help center at help.openai.com if you keep seeing this \
             error. (Please include the request ID {} in your email.)",
            cx.rng.hex(32)
        )
    } else {
        "The server had an error while processing your request. Sorry about that!".to_string()
    };
    let raw = "error_code=None error_message='The server had an error while processing your request. \
               Sorry about that!' error_param=None error_type=server_error message='OpenAI API error \
               received' stream_error=False";
    cx.fail(500, inner(msg, Some("server_error"), None, None), vec![raw.to_string()])
}

/// A Responses stream that ends in an `error` event: no HTTP error status at all.
fn stream_server_error(cx: &mut Cx) -> Failure {
    cx.req.stream = Some(true);
    let msg = format!(
        "An error occurred while processing your request. You can retry your request, or contact us \
         through our help center at help.openai.com if the error persists. Please include the request \
         ID req_{} in your message.",
        cx.rng.hex(32)
    );
    let body = J::Obj(vec![
        ("type", st("server_error")),
        ("code", st("server_error")),
        ("message", J::Str(msg)),
        ("param", J::Null),
    ]);
    Failure::new(None, J::Obj(vec![("error", body)])).latency(cx.rng.int(3000, 40_000))
}

fn model_error(cx: &mut Cx) -> Failure {
    cx.ensure_reasoning();
    let msg = "The model produced invalid content. Consider modifying your prompt if you are seeing this error persistently.";
    let raw = format!(
        "ERROR:root:LiteLLM call failed: litellm.APIError: APIError: OpenAIException - Error code: 500 - {}",
        J::Obj(vec![("error", inner(msg.to_string(), Some("model_error"), None, None))]).to_py()
    );
    cx.fail(500, inner(msg.to_string(), Some("model_error"), None, None), vec![raw])
}

fn overloaded(cx: &mut Cx) -> Failure {
    if cx.azure() {
        let secs = cx.rng.int(5, 30);
        let msg = format!(
            "The system is currently experiencing high demand and cannot process your request. Your \
             request exceeds the maximum usage size allowed during peak load. Please retry after {secs} \
             seconds. For improved latency reliability, consider switching to Provisioned Throughput."
        );
        return cx.fail(429, az_inner("429", &msg), vec![]).retry_after(secs as f64 * 1000.0);
    }
    let msg = if cx.rng.chance(0.8) {
        format!(
            "That model is currently overloaded with other requests. You can retry your request, or \
             contact us through our help center at help.openai.com if the error persists. (Please \
             include the request ID {} in your message.)",
            cx.rng.hex(32)
        )
    } else {
        "The engine is currently overloaded, please try again later.".to_string()
    };
    let raw = format!(
        "Error: Failed to send message. HTTP 503 - {}",
        J::Obj(vec![("error", inner(msg.clone(), Some("server_error"), None, None))]).to_json()
    );
    cx.fail(503, inner(msg, Some("server_error"), None, None), vec![raw])
}

fn cf_page(host: &str, code: u16, title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<!--[if lt IE 7]> <html class=\"no-js ie6 oldie\" lang=\"en-US\"> <![endif]-->\n\
         <head>\n<title>{host} | {code}: {title}</title>\n</head>\n<body>\n<span class=\"inline-block\">{title}</span>\n\
         <span class=\"code-label\">Error code {code}</span>\n</body>\n</html>"
    )
}

fn bad_gateway(cx: &mut Cx) -> Failure {
    let host = cx.host();
    match cx.rng.below(5) {
        0 | 1 => {
            let body = J::Obj(vec![
                ("code", J::Int(502)),
                ("message", st("Bad gateway.")),
                ("param", J::Null),
                ("type", st("cf_bad_gateway")),
            ]);
            cx.fail(502, body, vec![])
        }
        2 | 3 => {
            let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad \
                        Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";
            let text = if cx.rng.chance(0.5) {
                format!("openai.InternalServerError: {page}")
            } else {
                page.to_string()
            };
            Failure::new(Some(502), J::Str(text))
        }
        _ => {
            let (code, title) = cx.rng.pick(&[
                (522, "Connection timed out"),
                (520, "Web server is returning an unknown error"),
            ]);
            let text = format!(
                "openai.error.APIError: HTTP code {code} from API ({})",
                cf_page(host, code, title)
            );
            Failure::new(Some(code), J::Str(text))
        }
    }
}

fn gateway_timeout(cx: &mut Cx) -> Failure {
    if cx.rng.chance(0.5) {
        cx.ensure_reasoning();
    }
    let host = cx.host();
    match cx.rng.below(3) {
        0 => {
            let body = J::Obj(vec![
                ("code", J::Int(524)),
                ("message", st("Gateway timeout.")),
                ("param", J::Null),
                ("type", st("cf_gateway_timeout")),
            ]);
            let f = cx.fail(524, body, vec![]);
            f.latency(100_000 + cx.rng.int(0, 900))
        }
        1 => {
            let text = cf_page(host, 524, "A timeout occurred");
            Failure::new(Some(524), J::Str(text)).latency(100_000 + cx.rng.int(0, 900))
        }
        _ => {
            let page = "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway \
                        Time-out</h1></center></body></html>";
            Failure::new(Some(504), st(page)).latency(60_000 + cx.rng.int(0, 2000))
        }
    }
}

// ------------------------------------------------------------------ builders: network, gateway, other

fn net_timeout(cx: &mut Cx) -> Failure {
    let host = cx.host();
    let (text, ms) = match cx.rng.below(6) {
        0 | 1 => {
            let ms = cx.rng.pick(&[600_000, 60_000, 120_000, 30_000]);
            (st("openai.APITimeoutError: Request timed out."), ms)
        }
        2 => {
            let secs = cx.rng.pick(&[60, 30, 120]);
            let t = format!(
                "openai.error.Timeout: Request timed out: HTTPSConnectionPool(host='{host}', port=443): Read \
                 timed out. (read timeout={secs})"
            );
            (J::Str(t), secs * 1000)
        }
        3 => {
            let ip = format!("162.159.140.{}", cx.rng.int(1, 254));
            let msg = format!(
                "request to https://{host}{} failed, reason: connect ETIMEDOUT {ip}:443",
                cx.req.endpoint
            );
            let body = J::Obj(vec![
                ("message", J::Str(msg)),
                ("type", st("system")),
                ("errno", st("ETIMEDOUT")),
                ("code", st("ETIMEDOUT")),
            ]);
            (body, cx.rng.int(21_000, 75_000))
        }
        4 => {
            let t = "litellm.exceptions.Timeout: Connection timed out. Timeout passed=100.0, time taken=100.311 \
                     seconds LiteLLM Retried: 2 times";
            (st(t), 100_311)
        }
        _ => {
            let t = "TimeoutError: [WinError 10060] 由于连接方在一段时间后没有正确答复或连接的主机没有反应，连接尝试失败。\n\n\
                     The above exception was the direct cause of the following exception:\n\nopenai.APITimeoutError: Request timed out.";
            (st(t), 21_000 + cx.rng.int(0, 500))
        }
    };
    Failure::new(None, text).latency(ms + cx.rng.int(0, 40))
}

fn net_connection(cx: &mut Cx) -> Failure {
    let (host, ep) = (cx.host(), cx.req.endpoint.clone());
    let pool = format!(
        "HTTPSConnectionPool(host='{host}', port=443): Max retries exceeded with url: {ep}"
    );
    let text = match cx.rng.below(5) {
        0 => {
            let (errno, what) =
                cx.rng.pick(&[(111, "Connection refused"), (113, "No route to host")]);
            st(&format!(
                "Error communicating with OpenAI: {pool} (Caused by NewConnectionError('<urllib3.connection.\
                 HTTPSConnection object at 0x7f{}>: Failed to establish a new connection: [Errno {errno}] {what}'))",
                cx.rng.hex(10)
            ))
        }
        1 => st("openai.APIConnectionError: Connection error."),
        2 => {
            let msg = format!("request to https://{host}{ep} failed, reason: read ECONNRESET");
            J::Obj(vec![
                ("message", J::Str(msg)),
                ("type", st("system")),
                ("errno", st("ECONNRESET")),
                ("code", st("ECONNRESET")),
            ])
        }
        3 => st(&format!(
            "{pool} (Caused by SSLError(SSLEOFError(8, '[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in \
             violation of protocol (_ssl.c:1006)')))"
        )),
        _ => st("httpx.ConnectError: [Errno -3] Temporary failure in name resolution"),
    };
    let ms = cx.rng.lognormal(900.0, 1.3).clamp(3.0, 120_000.0) as i64;
    Failure::new(None, text).latency(ms)
}

fn stream_interrupted(cx: &mut Cx) -> Failure {
    cx.ensure_stream();
    let text = match cx.rng.below(3) {
        0 => {
            "httpx.RemoteProtocolError: peer closed connection without sending complete message body (incomplete chunked read)"
        }
        1 => {
            "openai.APIError: peer closed connection without sending complete message body (incomplete chunked read)"
        }
        _ => {
            "Error: Premature close\n    at IncomingMessage.<anonymous> (node_modules/node-fetch/lib/index.js:1748:18)\n    \
              at Object.onceWrapper (node:events:631:28)\n    at IncomingMessage.emit (node:events:517:28) {\n  \
              code: 'ERR_STREAM_PREMATURE_CLOSE'\n}"
        }
    };
    let ms = cx.rng.lognormal(20_000.0, 0.7) as i64;
    Failure::new(None, st(text)).latency(ms)
}

fn no_healthy_deployment(cx: &mut Cx) -> Failure {
    let m = cx.model();
    let secs = cx.rng.pick(&[5, 30, 60]);
    let msg = if cx.rng.chance(0.7) {
        format!(
            "litellm.RateLimitError: No deployments available for selected model, Try again in {secs} \
             seconds. Passed model={m}. pre-call-checks=False, allowed_model_region=n/a."
        )
    } else {
        format!("No healthy deployment available, passed model={m}")
    };
    let raw = format!("{msg} LiteLLM Retried: 2 times, LiteLLM Max Retries: 2");
    let body = inner(msg, Some("None"), Some("None"), Some("429"));
    cx.fail(429, body, vec![raw]).retry_after(secs as f64 * 1000.0)
}

fn budget_exceeded(cx: &mut Cx) -> Failure {
    let max = cx.rng.pick(&[50.0, 100.0, 250.0]);
    let cost = max + cx.rng.unit() * 3.0;
    let msg = format!("Budget has been exceeded! Current cost: {cost:.4}, Max budget: {max:.1}");
    let raw = format!("litellm.BudgetExceededError: {msg}");
    cx.fail(400, inner(msg, Some("budget_exceeded"), None, Some("400")), vec![raw])
}

fn unclassified(cx: &mut Cx) -> Failure {
    if cx.rng.chance(0.6) {
        let why = cx.rng.pick(&["connection termination", "overflow", "remote reset"]);
        let text = format!(
            "upstream connect error or disconnect/reset before headers. reset reason: {why}"
        );
        return Failure::new(Some(503), J::Str(text));
    }
    let text = format!("Something unexpected happened (ref {})", cx.rng.hex(6));
    Failure::new(Some(400), J::Str(text))
}

// ------------------------------------------------------------------ the day

/// When the story's events happen.
struct Story {
    revoke_at: i64,
    incident: (i64, i64),
    quota_at: i64,
}

/// A retry waiting for its slot.
struct Pending {
    req: Req,
    attempt: u8,
    cause: usize,
    origin: Origin,
}

#[derive(Default)]
struct Stats {
    lines: u64,
    failed: u64,
    retries: u64,
    /// Intended root-cause id -> (failed lines, of which first attempts).
    by_id: BTreeMap<&'static str, (u64, u64)>,
}

/// Share of intended failures (of the error rate) that the story makes up.
const BUDGET_KEY: f64 = 0.1;
const BUDGET_QUOTA: f64 = 0.035;
const BUDGET_INCIDENT: f64 = 0.08;
/// First-attempt failures as a share of the error rate: retries that fail again make up
/// the rest of the failed lines.
const FIRST_ATTEMPT_SHARE: f64 = 0.84;

struct Day {
    rng: Rng,
    lines: u64,
    traffic: Traffic,
    org: String,
    clients: Vec<Client>,
    story: Story,
    p_incident: f64,
    p_background: f64,
    /// The error rate asked for; on a worse day retries help less.
    error_rate: f64,
    /// (slot, cause) pairs that guarantee every id shows up, latest first.
    forced: Vec<(u64, usize)>,
    pending: BTreeMap<(i64, u64), Pending>,
    seq: u64,
    stats: Stats,
}

impl Day {
    fn new(o: &Opts) -> Self {
        let mut rng = Rng(o.seed ^ 0xE221_0E45_5EED_0F00);
        let span = ((o.hours * 3_600_000.0).round() as i64).max(1);
        let traffic = Traffic::new(o.start_ms, span);
        let at = |f: f64| o.start_ms + (span as f64 * f) as i64 / 1000 * 1000;
        let incident_start = at(0.50 + 0.04 * rng.unit());
        let incident_len = (rng.int(20, 40) * 60_000) as f64 * (o.hours / 24.0).min(1.0);
        let story = Story {
            revoke_at: at(0.40 + 0.06 * rng.unit()),
            incident: (incident_start, incident_start + incident_len as i64 / 1000 * 1000),
            quota_at: at(0.62 + 0.08 * rng.unit()),
        };
        let org = format!("org-{}", rng.alnum(24));
        let r = o.error_rate;
        let after = |t: i64| (1.0 - traffic.frac_before(t)).max(1e-6);
        let (s_key, s_quota) = if r > 0.0 {
            let key = (BUDGET_KEY * r / after(story.revoke_at)).clamp(0.004, 0.25);
            (key, (BUDGET_QUOTA * r / after(story.quota_at)).clamp(0.006, 0.25))
        } else {
            (0.0, 0.0)
        };
        let clients = clients(&mut rng, s_key, s_quota);
        let mut day = Day {
            rng,
            lines: o.lines,
            traffic,
            org,
            clients,
            story,
            p_incident: 0.0,
            p_background: 0.0,
            error_rate: r,
            forced: Vec::new(),
            pending: BTreeMap::new(),
            seq: 0,
            stats: Stats::default(),
        };
        day.plan(r);
        day
    }

    /// Sizes the incident and the background failure rate so the error rate comes out
    /// near `r`, and schedules one failure of every id when there is room for them.
    fn plan(&mut self, r: f64) {
        if r <= 0.0 {
            return;
        }
        let (s, e) = self.story.incident;
        let in_window = self.traffic.frac_before(e) - self.traffic.frac_before(s);
        let affected = self.share_where(|c, rt| {
            c.provider == Provider::OpenAi && INCIDENT_MODELS.contains(&rt.base)
        });
        self.p_incident = (BUDGET_INCIDENT * r / (in_window * affected).max(1e-9)).min(0.85);
        let after = |t: i64| 1.0 - self.traffic.frac_before(t);
        let story: f64 = self.p_incident * in_window * affected
            + self
                .clients
                .iter()
                .map(|c| match c.role {
                    Role::Revoked => c.share * after(self.story.revoke_at),
                    Role::QuotaProject => c.share * after(self.story.quota_at),
                    Role::Plain => 0.0,
                })
                .sum::<f64>();
        let n = self.lines as f64;
        if n * r >= 4.0 * CAUSES.len() as f64 {
            let causes = (0..CAUSES.len()).filter(|&c| CAUSES[c].weight > 0.0);
            let slots = causes.map(|c| ((n * (0.02 + 0.96 * self.rng.unit())) as u64, c));
            self.forced = slots.collect();
            self.forced.sort_unstable_by(|a, b| b.cmp(a));
        }
        let forced = self.forced.len() as f64 / n;
        let target = r * FIRST_ATTEMPT_SHARE - story - forced;
        self.p_background = (target / (1.0 - story - forced).max(1e-9)).clamp(0.0, 1.0);
    }

    /// Share of requests whose client and route satisfy `pred`.
    fn share_where(&self, pred: impl Fn(&Client, &Route) -> bool) -> f64 {
        self.clients
            .iter()
            .map(|c| {
                let total: f64 = c.routes.iter().map(|r| r.weight).sum();
                let hit: f64 = c.routes.iter().filter(|r| pred(c, r)).map(|r| r.weight).sum();
                c.share * hit / total
            })
            .sum()
    }

    /// Each output line is a slot; slot times follow the day's traffic curve, so they
    /// never go backwards. A slot goes to a due retry if there is one, else to a new request.
    fn write_all(&mut self, out: &mut impl Write) -> io::Result<()> {
        let mut line = String::with_capacity(2048);
        for i in 0..self.lines {
            let u = (i as f64 + self.rng.unit()) / self.lines as f64;
            let t = self.traffic.time_at(u);
            line.clear();
            match self.take_due(t) {
                Some(p) => self.retry(p, t, &mut line),
                None => self.fresh(i, t, &mut line),
            }
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    fn take_due(&mut self, t: i64) -> Option<Pending> {
        let (&(due, _), _) = self.pending.first_key_value()?;
        if due > t {
            return None;
        }
        self.pending.pop_first().map(|(_, p)| p)
    }

    /// A client by traffic share; for a forced failure (`need` given), one the story
    /// leaves alone at `t`, so the forced cause is what the record shows.
    fn pick_client(&mut self, need: Option<Need>, t: i64) -> usize {
        let story = &self.story;
        let ok = |c: &Client| match need {
            None => true,
            Some(need) => {
                need.allows(c.provider)
                    && !(c.role == Role::Revoked && t >= story.revoke_at)
                    && !(c.role == Role::QuotaProject && t >= story.quota_at)
            }
        };
        let weights: Vec<f64> =
            self.clients.iter().map(|c| if ok(c) { c.share } else { 0.0 }).collect();
        self.rng.pick_by(&weights, |w| *w)
    }

    fn new_request(&mut self, client: usize) -> Req {
        let c = &self.clients[client];
        let r = c.routes[self.rng.pick_by(c.routes, |r| r.weight)];
        let stream = r.kind.textual().then(|| self.rng.chance(c.stream_p));
        let user = (c.users && self.rng.chance(0.45)).then(|| {
            let u = self.rng.unit();
            format!("user_{:04}", (u * u * 400.0) as u32 + 1)
        });
        Req {
            client,
            kind: r.kind,
            endpoint: r.kind.endpoint().to_string(),
            model: r.model.to_string(),
            base: r.base,
            stream,
            user,
            id: format!("req_{}", self.rng.hex(24)),
        }
    }

    fn fresh(&mut self, slot: u64, t: i64, line: &mut String) {
        let forced = match self.forced.last() {
            Some(&(at, c)) if at <= slot => {
                self.forced.pop();
                Some(c)
            }
            _ => None,
        };
        let client = self.pick_client(forced.map(|c| CAUSES[c].need), t);
        let mut req = self.new_request(client);
        let outcome = match forced {
            Some(c) => Some((c, Origin::Background)),
            None => self.decide(&req, t),
        };
        self.emit(&mut req, t, 0, outcome, line);
    }

    /// The story first (revoked key, exhausted project), then the incident, then the
    /// background failure rate.
    fn decide(&mut self, req: &Req, t: i64) -> Option<(usize, Origin)> {
        let c = &self.clients[req.client];
        let provider = c.provider;
        match c.role {
            Role::Revoked if t >= self.story.revoke_at => {
                return Some((cause_index("auth.invalid_api_key"), Origin::Story));
            }
            Role::QuotaProject if t >= self.story.quota_at => {
                return Some((cause_index("quota.exhausted"), Origin::Story));
            }
            _ => {}
        }
        if self.in_incident(req, t) && self.rng.chance(self.p_incident) {
            return Some((self.incident_cause(req), Origin::Incident));
        }
        if self.rng.chance(self.p_background) {
            return Some((self.background_cause(provider, t), Origin::Background));
        }
        None
    }

    fn in_incident(&self, req: &Req, t: i64) -> bool {
        let (s, e) = self.story.incident;
        let c = &self.clients[req.client];
        (s..e).contains(&t) && c.provider == Provider::OpenAi && INCIDENT_MODELS.contains(&req.base)
    }

    fn incident_cause(&mut self, req: &Req) -> usize {
        let weights: &[(&str, f64)] = &[
            ("server.internal_error", 0.35),
            ("server.overloaded", 0.3),
            ("server.bad_gateway", 0.25),
            ("server.gateway_timeout", 0.05),
            ("network.stream_interrupted", if req.stream == Some(true) { 0.08 } else { 0.0 }),
        ];
        cause_index(weights[self.rng.pick_by(weights, |w| w.1)].0)
    }

    fn background_cause(&mut self, provider: Provider, t: i64) -> usize {
        let load = self.traffic.load(t);
        let weight = |c: &Cause| {
            let w = match c.id {
                "rate_limit.tokens" => c.weight * (0.2 + 2.0 * load.powi(3)),
                "rate_limit.requests" => c.weight * (0.5 + load),
                _ => c.weight,
            };
            if c.need.allows(provider) { w } else { 0.0 }
        };
        self.rng.pick_by(CAUSES, weight)
    }

    fn retry(&mut self, p: Pending, t: i64, line: &mut String) {
        let mut req = p.req;
        let outcome = match p.origin {
            Origin::Story => Some((p.cause, p.origin)),
            Origin::Incident if self.in_incident(&req, t) && self.rng.chance(self.p_incident) => {
                Some((self.incident_cause(&req), Origin::Incident))
            }
            Origin::Incident => None,
            Origin::Background => {
                let ok = CAUSES[p.cause].retry_ok * (1.0 - self.error_rate);
                (!self.rng.chance(ok)).then_some((p.cause, p.origin))
            }
        };
        self.stats.retries += 1;
        self.emit(&mut req, t, p.attempt, outcome, line);
    }

    /// Writes one record and, for a retryable failure, schedules the next attempt.
    fn emit(
        &mut self,
        req: &mut Req,
        t: i64,
        attempt: u8,
        outcome: Option<(usize, Origin)>,
        line: &mut String,
    ) {
        self.stats.lines += 1;
        let Some((cause, origin)) = outcome else {
            self.write_success(req, t, attempt, line);
            return;
        };
        let client = &self.clients[req.client];
        let load = self.traffic.load(t);
        let mut cx =
            Cx { rng: &mut self.rng, req: &mut *req, client, org: &self.org, load, origin };
        let f = (CAUSES[cause].build)(&mut cx);
        let latency = f.latency_ms.unwrap_or_else(|| failure_latency(&mut self.rng, f.status));
        self.write_failure(req, t, attempt, &f, latency, line);
        let tally = self.stats.by_id.entry(CAUSES[cause].id).or_default();
        tally.0 += 1;
        tally.1 += u64::from(attempt == 0);
        self.stats.failed += 1;
        self.schedule(req, t + latency, attempt, (cause, origin), &f);
    }

    /// SDKs retry 408, 409, 429, 5xx and failures without a response, up to twice by
    /// default, honouring a short retry-after; some apps turn retries off.
    fn schedule(
        &mut self,
        req: &Req,
        done: i64,
        attempt: u8,
        (cause, origin): (usize, Origin),
        f: &Failure,
    ) {
        let c = &CAUSES[cause];
        let status_ok = f.status.is_none_or(|s| matches!(s, 408 | 409 | 429) || s >= 500);
        let app_ok = c.id != "network.stream_interrupted" || self.rng.chance(0.5);
        if c.retry_ok < 0.0 || !status_ok || !app_ok || attempt >= 2 || !self.rng.chance(0.85) {
            return;
        }
        let hint = f.retry_after_ms;
        let backoff = 500.0 * f64::from(1u32 << attempt) * (0.75 + 0.25 * self.rng.unit());
        let delay = hint.filter(|&h| h <= 60_000.0).map_or(backoff, |h| h + 50.0);
        self.seq += 1;
        let p = Pending { req: req.clone(), attempt: attempt + 1, cause, origin };
        self.pending.insert((done + delay as i64, self.seq), p);
    }

    fn record_head(&self, w: &mut ObjWriter<'_>, req: &Req, t: i64, drop_key: bool) {
        let c = &self.clients[req.client];
        w.str("ts", &fmt_ts(t));
        w.str("request_id", &req.id);
        if !drop_key {
            w.str("key", &c.key);
        }
        if c.provider == Provider::OpenAi {
            w.str("org", &self.org);
        }
        w.str("project", c.project);
        if let Some(u) = &req.user {
            w.str("user", u);
        }
        w.str("provider", if c.provider == Provider::OpenAi { "openai" } else { "azure" });
        w.str("endpoint", &req.endpoint);
        if !req.model.is_empty() {
            w.str("model", &req.model);
        }
    }

    fn write_status(&mut self, w: &mut ObjWriter<'_>, status: Option<u16>) {
        match status {
            Some(s) if self.rng.chance(0.03) => w.str("status", &s.to_string()),
            Some(s) => w.raw("status", s),
            None if self.rng.chance(0.5) => w.raw("status", "null"),
            None => {}
        }
    }

    fn write_success(&mut self, req: &Req, t: i64, attempt: u8, line: &mut String) {
        let (usage, latency) = success_usage(&mut self.rng, req, self.clients[req.client].project);
        let mut w = ObjWriter::new(line);
        self.record_head(&mut w, req, t, false);
        self.write_status(&mut w, Some(200));
        w.raw("latency_ms", latency);
        if let Some(s) = req.stream {
            w.raw("stream", s);
        }
        w.raw("attempt", attempt);
        if let Some(u) = usage {
            w.json("usage", &u);
        }
        w.end();
    }

    fn write_failure(
        &mut self,
        req: &Req,
        t: i64,
        attempt: u8,
        f: &Failure,
        latency: i64,
        line: &mut String,
    ) {
        let mut w = ObjWriter::new(line);
        self.record_head(&mut w, req, t, f.drop_key);
        self.write_status(&mut w, f.status);
        w.raw("latency_ms", latency);
        if let Some(s) = req.stream {
            w.raw("stream", s);
        }
        w.raw("attempt", attempt);
        w.json("error", &f.error);
        w.end();
    }

    fn print_stats(&self) {
        let s = &self.stats;
        let pct = 100.0 * s.failed as f64 / s.lines.max(1) as f64;
        eprintln!("lines {}  failed {} ({pct:.2}%)  retry lines {}", s.lines, s.failed, s.retries);
        let revoked = self
            .clients
            .iter()
            .find(|c| c.role == Role::Revoked)
            .map_or(String::new(), |c| mask_key(&c.key));
        let (a, b) = self.story.incident;
        eprintln!(
            "story: key {revoked} (proj_support) revoked, 401 invalid_api_key from {}",
            fmt_ts(self.story.revoke_at)
        );
        eprintln!(
            "story: provider incident (openai; {}) {} .. {}",
            INCIDENT_MODELS.join(", "),
            fmt_ts(a),
            fmt_ts(b)
        );
        eprintln!(
            "story: proj_batch quota exhausted, 429 insufficient_quota from {}",
            fmt_ts(self.story.quota_at)
        );
        eprintln!("story: TPM 429s weighted toward gpt-4o at peak load (around 15:30 UTC)");
        eprintln!("{:<36} {:>7} {:>7}", "intended id", "lines", "first");
        for c in CAUSES {
            let (n, first) = s.by_id.get(c.id).copied().unwrap_or_default();
            eprintln!("{:<36} {n:>7} {first:>7}", c.id);
        }
    }
}

fn failure_latency(rng: &mut Rng, status: Option<u16>) -> i64 {
    let (median, sigma) = match status {
        Some(401 | 403) => (90.0, 0.4),
        Some(429) => (120.0, 0.5),
        Some(500) => (2500.0, 1.0),
        Some(502 | 520 | 522) => (1500.0, 1.2),
        Some(503) => (800.0, 1.0),
        Some(200) => (3000.0, 0.6),
        _ => (180.0, 0.5),
    };
    (rng.lognormal(median, sigma) as i64).clamp(5, 600_000)
}

/// Token usage and latency of a successful call.
fn success_usage(rng: &mut Rng, req: &Req, project: &str) -> (Option<J>, i64) {
    let usage = |p: i64, c: i64| {
        J::Obj(vec![
            ("prompt_tokens", J::Int(p)),
            ("completion_tokens", J::Int(c)),
            ("total_tokens", J::Int(p + c)),
        ])
    };
    match req.kind {
        Embeddings => {
            let p = rng.lognormal(300.0, 1.0).clamp(3.0, 8000.0) as i64;
            let ms = rng.lognormal(180.0, 0.5) as i64 + p / 50;
            (Some(J::Obj(vec![("prompt_tokens", J::Int(p)), ("total_tokens", J::Int(p))])), ms)
        }
        Images => (None, rng.lognormal(14_000.0, 0.35) as i64),
        Audio => (None, rng.lognormal(2500.0, 0.6) as i64),
        _ => {
            let median = match project {
                "proj_batch" => 3000.0,
                "proj_support" => 2500.0,
                "proj_search" => 1200.0,
                _ => 1800.0,
            };
            let p = rng.lognormal(median, 0.9).clamp(20.0, 120_000.0) as i64;
            let reasoning = REASONING.contains(&req.base);
            let c_median = if reasoning { 1400.0 } else { 280.0 };
            let c = rng.lognormal(c_median, 0.8).clamp(1.0, 16_000.0) as i64;
            (Some(usage(p, c)), text_latency(rng, req.base, c))
        }
    }
}

fn text_latency(rng: &mut Rng, base: &str, completion: i64) -> i64 {
    let (first_ms, per_token) = match base {
        "gpt-5" => (6000.0, 14.0),
        "o3" => (8000.0, 12.0),
        "gpt-5-mini" => (3000.0, 8.0),
        "gpt-4o-mini" | "gpt-4.1-mini" => (350.0, 7.0),
        _ => (550.0, 12.0),
    };
    (rng.lognormal(first_ms, 0.45) + completion as f64 * per_token * rng.lognormal(1.0, 0.2)) as i64
}
