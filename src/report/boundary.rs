//! The output boundary: every byte errlens writes, whatever the command and
//! format, passes through [`Boundary`] on its way out. It redacts secrets
//! ([`crate::redact`]) and escapes control characters that could act on a
//! terminal (`ESC [2J`, carriage returns that overwrite a line, C1 controls,
//! bidirectional overrides), so no renderer can forget either.
//!
//! It works a line at a time (secrets never span a line break); a line longer
//! than [`MAX_PENDING`] is cut where no token can be split. The one escape kept
//! is errlens' own colour (`ESC [ ... m`), and only when colour was asked for.
//! In JSON output a control character is written as a JSON escape (`\u007f`),
//! so the document stays JSON; elsewhere as visible `\xNN` text.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::redact;

/// Bytes held back waiting for a line end before they are let out anyway.
pub const MAX_PENDING: usize = 1 << 20;

/// How the output writes what must not reach a terminal as such.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escapes {
    /// Visible `\xNN` text; with `colour`, errlens' own SGR colour is kept.
    Visible {
        /// Keep SGR colour sequences.
        colour: bool,
    },
    /// JSON string escapes (`\u001b`): the output is JSON and stays JSON
    /// (serde_json leaves DEL, C1 and bidirectional controls raw).
    Json,
}

/// A writer that redacts and escapes what it passes on to `inner`.
pub struct Boundary<'a> {
    inner: &'a mut dyn Write,
    pending: Vec<u8>,
    escapes: Escapes,
}

impl<'a> Boundary<'a> {
    /// Wraps `inner`, escaping controls as `escapes` says.
    pub fn new(inner: &'a mut dyn Write, escapes: Escapes) -> Self {
        Boundary { inner, pending: Vec::new(), escapes }
    }

    /// Lets out the first `upto` pending bytes.
    fn emit(&mut self, upto: usize) -> io::Result<()> {
        let text = String::from_utf8_lossy(&self.pending[..upto]);
        let clean = match self.escapes {
            Escapes::Visible { colour } => clean(&text, colour),
            Escapes::Json => match redact::redact_text(&text) {
                Cow::Borrowed(t) => json_escape_controls(t),
                Cow::Owned(t) => Cow::Owned(json_escape_controls(&t).into_owned()),
            },
        };
        self.inner.write_all(clean.as_bytes())?;
        self.pending.drain(..upto);
        Ok(())
    }
}

impl Write for Boundary<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(end) = memchr::memrchr(b'\n', &self.pending) {
            self.emit(end + 1)?;
        } else if self.pending.len() > MAX_PENDING {
            let cut = self.pending.iter().rposition(|&b| !is_token_byte(b)).map_or(0, |i| i + 1);
            if cut > 0 {
                self.emit(cut)?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit(self.pending.len())?;
        self.inner.flush()
    }
}

impl Drop for Boundary<'_> {
    fn drop(&mut self) {
        // Output not flushed by its writer is still let out, still redacted.
        if !self.pending.is_empty() {
            let _ = self.flush();
        }
    }
}

/// Bytes a secret may be made of (and the escapes inside one): never cut there.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b"-_.~+/=%\\".contains(&b)
}

/// One piece of output, redacted and with control characters escaped.
pub fn clean(text: &str, colour: bool) -> Cow<'_, str> {
    match redact::redact_text(text) {
        Cow::Borrowed(t) => escape_controls(t, colour),
        Cow::Owned(t) => Cow::Owned(escape_controls(&t, colour).into_owned()),
    }
}

/// Escapes control characters as visible `\xNN` / `\u{NNNN}` text, keeping
/// line breaks, tabs, CR LF and (with `colour`) SGR colour sequences.
pub fn escape_controls(text: &str, colour: bool) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let kept = match c {
            '\r' if rest.starts_with("\r\n") => Some(2),
            '\u{1b}' if colour => sgr_len(rest),
            c if !is_control(c) => Some(c.len_utf8()),
            _ => None,
        };
        match kept {
            Some(n) => out.push_str(&rest[..n]),
            None if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            None => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
        }
        rest = &rest[kept.unwrap_or(c.len_utf8())..];
    }
    Cow::Owned(out)
}

/// Control characters as JSON escapes; only valid inside JSON strings, which
/// is the only place serde_json leaves them raw.
fn json_escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Characters that act on a terminal or reorder text: C0 (but line feed and
/// tab), DEL, C1, and the bidirectional embeddings, overrides and isolates.
fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The length of an SGR sequence (`ESC [ digits ; ... m`) at the start of `s`.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let digits = body.bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count();
    (body.as_bytes().get(digits) == Some(&b'm')).then_some(digits + 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(colour: bool, pieces: &[&str]) -> String {
        let mut out = Vec::new();
        {
            let mut b = Boundary::new(&mut out, Escapes::Visible { colour });
            for p in pieces {
                b.write_all(p.as_bytes()).unwrap();
            }
            b.flush().unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn secrets_split_across_writes_are_still_redacted() {
        let key = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd";
        let out = through(false, &["key ", &key[..10], &key[10..], " end\nnext"]);
        assert!(!out.contains("AbCdEfGhIjKl"), "{out}");
        assert!(out.ends_with(" end\nnext"), "{out}");
    }

    #[test]
    fn terminal_controls_are_escaped_but_own_colour_kept() {
        let out = through(true, &["\u{1b}[1mtitle\u{1b}[0m \u{1b}[2J\r\u{9b}x\u{202e}y\r\n"]);
        assert_eq!(out, "\u{1b}[1mtitle\u{1b}[0m \\x1b[2J\\x0d\\x9bx\\u{202e}y\r\n");
        let plain = through(false, &["\u{1b}[31mred\u{1b}[0m\n"]);
        assert_eq!(plain, "\\x1b[31mred\\x1b[0m\n");
        assert_eq!(through(false, &["a\tb\nc"]), "a\tb\nc");
    }

    #[test]
    fn json_output_stays_json() {
        let value = serde_json::json!({"name": "a\u{7f}b\u{9b}c\u{202e}d\u{1b}"});
        let text = serde_json::to_string(&value).unwrap();
        let mut out = Vec::new();
        let mut b = Boundary::new(&mut out, Escapes::Json);
        b.write_all(text.as_bytes()).unwrap();
        b.flush().unwrap();
        drop(b);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out, r#"{"name":"a\u007fb\u009bc\u202ed\u001b"}"#);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), value);
    }

    #[test]
    fn a_long_line_is_let_out_at_a_safe_cut() {
        let long = "word ".repeat(MAX_PENDING / 4);
        let out = through(false, &[&long]);
        assert_eq!(out, long);
    }
}
