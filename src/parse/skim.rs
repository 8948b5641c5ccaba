//! A validating JSON skimmer: walks one line's top-level object, checks that the
//! whole line is valid JSON, and hands back the raw bytes of the values whose keys
//! the caller asks for, without decoding or allocating anything.
//!
//! This is the hot path: most lines are successes, and for them errlens only needs
//! a handful of fields. Skipping a value costs a memchr over strings and a byte
//! loop over the rest; full decoding (serde_json) is kept for failed requests.

/// Nesting deeper than this is reported as malformed rather than walked, so a
/// line of 100,000 `[` can never exhaust the stack. It is serde_json's bound,
/// so that every line the skimmer takes also decodes where serde_json reads it
/// (failed requests, adapted formats).
pub const MAX_DEPTH: u32 = 127;

/// Why a non-blank line is not a record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Malformed {
    /// Not valid JSON (truncated, trailing garbage, bad escape, ...).
    InvalidJson,
    /// Valid JSON, but not an object (an array, a string, a number...).
    NotAnObject,
    /// The line is not valid UTF-8.
    InvalidUtf8,
    /// Arrays or objects nested deeper than [`MAX_DEPTH`].
    NestedTooDeep,
    /// Longer than the line cap (`DEFAULT_MAX_LINE` in the input stage): not
    /// kept, reading resumed at the next line end.
    LineTooLong,
    /// The last line of an input, without its line end and not JSON: cut
    /// short (a file still being written, a stream that ended early).
    IncompleteLastLine,
}

impl Malformed {
    /// Stable id used in the JSON report.
    pub fn id(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::NotAnObject => "not_an_object",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::NestedTooDeep => "nested_too_deep",
            Self::LineTooLong => "line_too_long",
            Self::IncompleteLastLine => "incomplete_last_line",
        }
    }

    /// Human wording used in text reports.
    pub fn describe(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid JSON",
            Self::NotAnObject => "not a JSON object",
            Self::InvalidUtf8 => "invalid UTF-8",
            Self::NestedTooDeep => "nested too deep",
            Self::LineTooLong => "line too long",
            Self::IncompleteLastLine => "last line cut short",
        }
    }
}

/// A raw JSON value as it stands in the line: a string keeps its quotes off and
/// remembers whether it holds escapes, anything else is its exact text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raw<'a> {
    /// String contents between the quotes; `escaped` when it holds a backslash.
    Str {
        /// The contents, escapes undecoded.
        bytes: &'a [u8],
        /// Whether the contents hold a backslash escape.
        escaped: bool,
    },
    /// A number, `true`, `false`, `null`, an object or an array, verbatim.
    Other(&'a [u8]),
}

impl<'a> Raw<'a> {
    /// The verbatim JSON text of the value (strings without their quotes).
    pub fn bytes(&self) -> &'a [u8] {
        match *self {
            Raw::Str { bytes, .. } | Raw::Other(bytes) => bytes,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Raw::Other(b"null"))
    }
}

/// Walks `line` (already known to be UTF-8). For each top-level key, `want` maps
/// the key to a slot index, and the value's raw bytes are stored there (first
/// writer wins unless `want` marks the key as preferred). Returns the number of
/// top-level members.
pub fn skim_object<'a, const N: usize>(
    line: &'a [u8],
    want: impl Fn(&[u8]) -> Option<(usize, bool)>,
    slots: &mut [Option<Raw<'a>>; N],
) -> Result<usize, Malformed> {
    let mut s = Scanner { b: line, i: 0 };
    s.ws();
    if s.peek() != b'{' {
        return Err(s.classify_non_object());
    }
    s.i += 1;
    let members = s.members(1, |key, text, kind| {
        if let Some((slot, preferred)) = want(key) {
            if preferred || slots[slot].is_none() {
                slots[slot] = Some(kind.raw(text));
            }
        }
    })?;
    s.ws();
    if s.i == line.len() { Ok(members) } else { Err(Malformed::InvalidJson) }
}

/// What kind of value was scanned; the scanner's position says where it ended.
/// Kept small so that it travels in a register (returning a whole [`Raw`]
/// went through the stack and stalled every member): the bytes are sliced by
/// the caller, which knows where the value started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A string; `true` when it holds an escape.
    Str(bool),
    Other,
}

impl Kind {
    /// The value's [`Raw`] form, given its full text (quotes included).
    #[inline(always)]
    fn raw(self, text: &[u8]) -> Raw<'_> {
        match self {
            Kind::Str(escaped) => Raw::Str { bytes: &text[1..text.len() - 1], escaped },
            Kind::Other => Raw::Other(text),
        }
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    /// The current byte, or 0 past the end (0 is never valid where a byte is
    /// looked at, so it fails like any wrong byte).
    #[inline(always)]
    fn peek(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    #[inline(always)]
    fn ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    /// After a line turned out not to start with `{`: is it other valid JSON?
    fn classify_non_object(&mut self) -> Malformed {
        match self.value(0) {
            Ok(_) => {
                self.ws();
                if self.i == self.b.len() { Malformed::NotAnObject } else { Malformed::InvalidJson }
            }
            Err(e) => e,
        }
    }

    /// A member's key and its colon; leaves the scanner on the value's first byte.
    #[inline(always)]
    fn key(&mut self) -> Result<&'a [u8], Malformed> {
        self.ws();
        if self.peek() != b'"' {
            return Err(Malformed::InvalidJson);
        }
        let start = self.i + 1;
        self.string()?;
        let key = &self.b[start..self.i - 1];
        // Compact JSON (most logs) has no white space around the colon.
        if self.peek() != b':' {
            self.ws();
            if self.peek() != b':' {
                return Err(Malformed::InvalidJson);
            }
        }
        self.i += 1;
        self.ws();
        Ok(key)
    }

    /// The members of an object whose `{` was consumed, nested `depth` deep;
    /// calls `each(key, value text, kind)`. Returns how many there were.
    #[inline(always)]
    fn members(
        &mut self,
        depth: u32,
        mut each: impl FnMut(&'a [u8], &'a [u8], Kind),
    ) -> Result<usize, Malformed> {
        self.ws();
        if self.peek() == b'}' {
            self.i += 1;
            return Ok(0);
        }
        let mut n = 0;
        loop {
            let key = self.key()?;
            let start = self.i;
            // Strings and numbers, the most common values, without a call.
            let kind = match self.peek() {
                b'"' => Kind::Str(self.string()?),
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                    Kind::Other
                }
                _ => self.value(depth)?,
            };
            each(key, &self.b[start..self.i], kind);
            n += 1;
            if self.close_or_continue(b'}')? {
                return Ok(n);
            }
        }
    }

    /// After an element: true when `close` ended the container, false after `,`.
    #[inline(always)]
    fn close_or_continue(&mut self, close: u8) -> Result<bool, Malformed> {
        if !matches!(self.peek(), b',' | b'}' | b']') {
            self.ws();
        }
        match self.peek() {
            b',' => {
                self.i += 1;
                Ok(false)
            }
            c if c == close => {
                self.i += 1;
                Ok(true)
            }
            _ => Err(Malformed::InvalidJson),
        }
    }

    /// One value inside containers nested `depth` deep; the scanner stands on
    /// its first byte and ends just past it. Recursion is bounded by
    /// [`MAX_DEPTH`].
    fn value(&mut self, depth: u32) -> Result<Kind, Malformed> {
        match self.peek() {
            b'"' => {
                return Ok(Kind::Str(self.string()?));
            }
            open @ (b'{' | b'[') => {
                if depth >= MAX_DEPTH {
                    return Err(Malformed::NestedTooDeep);
                }
                self.i += 1;
                if open == b'{' {
                    self.members(depth + 1, |_, _, _| {})?;
                } else {
                    self.elements(depth + 1)?;
                }
            }
            b't' => self.literal(b"true")?,
            b'f' => self.literal(b"false")?,
            b'n' => self.literal(b"null")?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return Err(Malformed::InvalidJson),
        }
        Ok(Kind::Other)
    }

    /// The elements of an array whose `[` was consumed.
    fn elements(&mut self, depth: u32) -> Result<(), Malformed> {
        self.ws();
        if self.peek() == b']' {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            self.value(depth)?;
            if self.close_or_continue(b']')? {
                return Ok(());
            }
        }
    }

    /// A string; the scanner stands on its opening quote and ends past the
    /// closing one. Returns whether it holds an escape. Scans eight bytes at a
    /// time for the three bytes that matter (`"`, `\\`, control characters).
    #[inline(always)]
    fn string(&mut self) -> Result<bool, Malformed> {
        let b = self.b;
        let mut i = self.i + 1;
        let mut escaped = false;
        loop {
            i = next_special(b, i).ok_or(Malformed::InvalidJson)?;
            match b[i] {
                b'"' => {
                    self.i = i + 1;
                    return Ok(escaped);
                }
                b'\\' => {
                    escaped = true;
                    i += match b.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => 2,
                        Some(b'u')
                            if b.get(i + 2..i + 6)
                                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            6
                        }
                        _ => return Err(Malformed::InvalidJson),
                    };
                }
                _ => return Err(Malformed::InvalidJson),
            }
        }
    }

    #[inline(always)]
    fn literal(&mut self, word: &[u8]) -> Result<(), Malformed> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Malformed::InvalidJson)
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    #[inline(always)]
    fn number(&mut self) -> Result<(), Malformed> {
        if self.peek() == b'-' {
            self.i += 1;
        }
        match self.peek() {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return Err(Malformed::InvalidJson),
        }
        if self.peek() == b'.' {
            self.i += 1;
            self.required_digits()?;
        }
        if matches!(self.peek(), b'e' | b'E') {
            self.i += 1;
            if matches!(self.peek(), b'+' | b'-') {
                self.i += 1;
            }
            self.required_digits()?;
        }
        Ok(())
    }

    #[inline(always)]
    fn digits(&mut self) {
        while self.peek().is_ascii_digit() {
            self.i += 1;
        }
    }

    #[inline(always)]
    fn required_digits(&mut self) -> Result<(), Malformed> {
        let start = self.i;
        self.digits();
        if self.i == start { Err(Malformed::InvalidJson) } else { Ok(()) }
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bytes of `v` equal to zero: the lowest flagged byte is exact.
#[inline]
fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(LO) & !v & HI
}

/// The index of the first `"`, `\\` or control byte at or after `i`:
/// sixteen bytes at a time with SSE2 (every x86-64 has it), eight at a time
/// elsewhere, then byte by byte for the tail.
#[inline]
fn next_special(b: &[u8], mut i: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= b.len() {
        let hits = sse2::specials(&b[i..i + 16]);
        if hits != 0 {
            return Some(i + hits.trailing_zeros() as usize);
        }
        i += 16;
    }
    while let Some(word) = b.get(i..i + 8) {
        let v = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let hits = zero_bytes(v ^ (LO * u64::from(b'"')))
            | zero_bytes(v ^ (LO * u64::from(b'\\')))
            | (v.wrapping_sub(LO * 0x20) & !v & HI);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|p| i + p)
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    /// A bit per byte of `block` (sixteen bytes) that is `"`, `\\` or a
    /// control character (below 0x20).
    #[inline(always)]
    pub(super) fn specials(block: &[u8]) -> u32 {
        assert!(block.len() >= 16);
        // SAFETY: SSE2 is part of the x86-64 baseline, and the unaligned load
        // reads sixteen bytes that the assertion shows are in `block`.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let slash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // v < 0x20 exactly when min(v, 0x1f) == v.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, slash), control)) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_special_finds_the_first_special_byte() {
        let text = b"abcdefghijklmnop\"tail";
        for start in 0..16 {
            assert_eq!(next_special(text, start), Some(16));
        }
        assert_eq!(next_special(b"ab\\cd\"", 0), Some(2));
        assert_eq!(next_special(b"abcdefgh\x01ijk", 0), Some(8));
        assert_eq!(next_special(b"\x7f\x80\xff\xc3\xa9 plain text, no end", 0), None);
        // A borrow from a 0x00 byte must not hide a later quote or flag a wrong one.
        assert_eq!(next_special(b"a\x00\"bcdefgh", 0), Some(1));
        assert_eq!(next_special(b"a\x21\"bcdefgh", 0), Some(2));
    }

    #[test]
    fn next_special_agrees_with_a_byte_loop_at_every_offset() {
        // Bytes drawn (xorshift) from a set rich in the specials and their
        // neighbours, so every lane position and word tail is exercised.
        let alphabet = b"\"\\\x00\x1f\x20\x21\x7f\x80\xffa{}[]:,5";
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            alphabet[(state % alphabet.len() as u64) as usize]
        };
        for _ in 0..200 {
            let len = (next() as usize) % 70;
            let mut text: Vec<u8> = (0..len).map(|_| next()).collect();
            // Mostly plain text, with a special now and then.
            text.iter_mut().filter(|c| **c != b'a').take(len.saturating_sub(3)).for_each(|c| {
                if (*c as usize + len) % 3 != 0 {
                    *c = b'a';
                }
            });
            for start in 0..=len {
                let want = text[start..]
                    .iter()
                    .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                    .map(|p| start + p);
                assert_eq!(next_special(&text, start), want, "{text:?} from {start}");
            }
        }
    }
}
