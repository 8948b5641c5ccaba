//! The values of flags, parsed: worker threads, the width text fits in,
//! report formats from file names, times (RFC 3339 or relative), breakdown
//! dimensions and widths, `--fail-on` globs, and the clock (`SOURCE_DATE_EPOCH`).

use std::io::IsTerminal;
use std::path::Path;

use crate::error::{Error, Result};
use crate::parse::time::Millis;
use crate::report::{DEFAULT_WIDTH, Format};

/// The most worker threads per core: more only add switching and memory (each
/// thread holds a window of chunks), and thousands take seconds to start.
pub const THREADS_PER_CORE: usize = 4;

/// The most worker threads whatever the machine.
pub const MAX_THREADS: usize = 256;

/// `--threads`: at least 1 (0 is an error), at most [`THREADS_PER_CORE`] per
/// core and [`MAX_THREADS`] (a larger value is capped, with a note);
/// default: one per core.
pub(super) fn threads(asked: Option<usize>, cores: usize) -> Result<usize> {
    let cap = (cores * THREADS_PER_CORE).clamp(1, MAX_THREADS);
    match asked {
        Some(0) => Err(Error::Usage("--threads must be at least 1".to_string())),
        Some(n) if n > cap => {
            crate::message::warn(format_args!(
                "--threads {n} capped to {cap} ({THREADS_PER_CORE} per core on {cores} cores, \
                 {MAX_THREADS} at most)"
            ));
            Ok(cap)
        }
        Some(n) => Ok(n),
        None => Ok(cores.min(cap)),
    }
}

/// The width text lines fit in: the terminal's when stdout is one (`COLUMNS`
/// when set, else asked of the terminal), else [`DEFAULT_WIDTH`]; never
/// narrower than 80 columns (the causes table's fixed columns need ~75).
pub(super) fn output_width(to_stdout: bool) -> usize {
    if !to_stdout || !std::io::stdout().is_terminal() {
        return DEFAULT_WIDTH;
    }
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok());
    columns.or_else(terminal_columns).unwrap_or(DEFAULT_WIDTH).max(80)
}

/// The terminal's width in columns, asked with `TIOCGWINSZ`.
#[cfg(unix)]
fn terminal_columns() -> Option<usize> {
    let mut size = libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCGWINSZ writes one `winsize` through the pointer, which is
    // valid and exclusive for the call.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
fn terminal_columns() -> Option<usize> {
    None
}

pub(super) fn format_from_extension(path: &Path) -> Result<Format> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => Ok(Format::Json),
        Some("txt" | "text" | "log") => Ok(Format::Text),
        Some("md" | "markdown") => Ok(Format::Markdown),
        Some("html" | "htm") => Ok(Format::Html),
        Some("csv") => Ok(Format::Csv),
        Some("state") => Ok(Format::State),
        _ => Err(Error::Usage(format!(
            "cannot tell the format from the name {}; add --format \
             text|markdown|html|csv|json|state",
            path.display()
        ))),
    }
}

/// RFC 3339, or `N` + `m`/`h`/`d`/`w` before `now`.
pub(super) fn parse_time(flag: &str, text: &str, now: Millis) -> Result<Millis> {
    let t = text.trim();
    if let Some(ms) = crate::parse::time::parse_rfc3339(t.as_bytes()) {
        return Ok(ms);
    }
    let unit = t.chars().last().and_then(|u| match u {
        'm' => Some(60_000),
        'h' => Some(3_600_000),
        'd' => Some(86_400_000),
        'w' => Some(7 * 86_400_000),
        _ => None,
    });
    let n = t.get(..t.len().saturating_sub(1)).and_then(|n| n.parse::<i64>().ok());
    match (n, unit) {
        (Some(n), Some(unit)) if n >= 0 => Ok(now - n * unit),
        _ => Err(Error::Usage(format!(
            "{flag} takes an RFC 3339 time or a span like 24h or 7d, not `{text}`"
        ))),
    }
}

/// `key,model` -> the dimensions, in order; unknown names are an error.
pub(super) fn parse_dims(text: &str) -> Result<Vec<crate::aggregate::breakdown::Dim>> {
    use crate::aggregate::breakdown::DIMS;
    let mut dims = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let dim = DIMS.iter().find(|d| d.1 == name).map(|d| d.0).ok_or_else(|| {
            let known: Vec<&str> = DIMS.iter().map(|d| d.1).collect();
            Error::Usage(format!("--by `{name}` is not a dimension; use {}", known.join(", ")))
        })?;
        if !dims.contains(&dim) {
            dims.push(dim);
        }
    }
    Ok(dims)
}

/// `1h` -> 60 (minutes): the widths the timeline offers.
pub(super) fn parse_every(text: &str) -> Result<i64> {
    crate::analyze::BUCKETS.iter().find(|b| b.1 == text.trim()).map(|b| b.0).ok_or_else(|| {
        let offered: Vec<&str> = crate::analyze::BUCKETS.iter().map(|b| b.1).collect();
        Error::Usage(format!("--every takes one of {}, not `{text}`", offered.join(", ")))
    })
}

/// `'quota.*,auth.*'` -> globs, each of which must match some root cause (a
/// typo in a cron line would otherwise never fire).
pub(super) fn parse_globs(text: &str) -> Result<Vec<String>> {
    let ids: Vec<&str> =
        crate::taxonomy::Taxonomy::get().causes.iter().map(|c| c.id.as_str()).collect();
    let globs: Vec<String> =
        text.split(',').map(|g| g.trim().to_string()).filter(|g| !g.is_empty()).collect();
    if globs.is_empty() {
        return Err(Error::Usage(
            "--fail-on needs at least one glob, e.g. 'quota.*,auth.*'".to_string(),
        ));
    }
    match globs.iter().find(|g| !ids.iter().any(|id| glob_match(g, id))) {
        Some(g) => Err(Error::Usage(format!(
            "--fail-on `{g}` matches no root cause (see `errlens taxonomy`)"
        ))),
        None => Ok(globs),
    }
}

/// Shell-style matching with `*` (any run of characters) and `?` (one).
pub fn glob_match(glob: &str, text: &str) -> bool {
    fn go(g: &[u8], t: &[u8]) -> bool {
        match (g.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&g[1..], t) || (!t.is_empty() && go(g, &t[1..])),
            (Some(b'?'), Some(_)) => go(&g[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => go(&g[1..], &t[1..]),
            _ => false,
        }
    }
    go(glob.as_bytes(), text.as_bytes())
}

/// `SOURCE_DATE_EPOCH` (seconds) when set, else the system clock.
pub(super) fn now() -> Millis {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|s| s * 1000)
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as Millis)
        })
}
