//! Progress on stderr for long runs: bytes read, MB/s and lines/s, and a bar
//! when the total size is known (plain files). Redrawn at most five times a
//! second, cleared at the end; off unless stderr is a terminal or the user
//! asks for it (`--progress always`).

use std::cell::Cell;
use std::io::Write;
use std::time::{Duration, Instant};

/// Redraws at most this often.
const EVERY: Duration = Duration::from_millis(200);
/// Width of the bar in characters.
const BAR: usize = 30;

/// A progress line on stderr (or nothing, when off).
#[derive(Debug)]
pub struct Progress {
    on: bool,
    total: Option<u64>,
    start: Instant,
    last: Cell<Option<Instant>>,
    bytes: Cell<u64>,
    lines: Cell<u64>,
}

impl Progress {
    /// A progress line; `total` is the input size when it is known.
    pub fn new(on: bool, total: Option<u64>) -> Progress {
        Progress {
            on,
            total,
            start: Instant::now(),
            last: Cell::new(None),
            bytes: Cell::new(0),
            lines: Cell::new(0),
        }
    }

    /// Nothing shown.
    pub fn off() -> Progress {
        Progress::new(false, None)
    }

    /// Counts work done and redraws when it is time.
    pub fn advance(&self, bytes: u64, lines: u64) {
        self.bytes.set(self.bytes.get() + bytes);
        self.lines.set(self.lines.get() + lines);
        let now = Instant::now();
        if self.on && self.last.get().is_none_or(|t| now - t >= EVERY) {
            self.last.set(Some(now));
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}\x1b[K", self.line(now - self.start));
            let _ = err.flush();
        }
    }

    /// Clears the line.
    pub fn finish(&self) {
        if self.on && self.last.get().is_some() {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        }
    }

    /// The text of the progress line after `elapsed`.
    pub fn line(&self, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64().max(1e-3);
        let (bytes, lines) = (self.bytes.get(), self.lines.get());
        let rates = format!(
            "{:.0} MB/s · {:.0}k lines/s",
            bytes as f64 / 1e6 / secs,
            lines as f64 / 1e3 / secs
        );
        match self.total.filter(|t| *t > 0) {
            Some(total) => {
                let done = (bytes as f64 / total as f64).min(1.0);
                let filled = (done * BAR as f64).round() as usize;
                format!(
                    "[{}{}] {:>3.0}% {:.0}/{:.0} MB · {rates}",
                    "#".repeat(filled),
                    ".".repeat(BAR - filled),
                    done * 100.0,
                    bytes as f64 / 1e6,
                    total as f64 / 1e6
                )
            }
            None => format!("{:.0} MB · {rates}", bytes as f64 / 1e6),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_show_bytes_rates_and_a_bar_when_the_total_is_known() {
        let p = Progress::new(false, Some(100_000_000));
        p.advance(50_000_000, 200_000);
        let line = p.line(Duration::from_secs(1));
        assert!(line.starts_with("[###############...............]  50% 50/100 MB"), "{line}");
        assert!(line.contains("50 MB/s") && line.contains("200k lines/s"), "{line}");
        let open = Progress::new(false, None);
        open.advance(3_000_000, 1000);
        assert_eq!(open.line(Duration::from_secs(2)), "3 MB · 2 MB/s · 0k lines/s");
    }
}
