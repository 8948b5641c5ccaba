//! A rule's regex restated in an engine's regex dialect, meaning what it
//! means to errlens: rule patterns are compiled over bytes without Unicode
//! (ASCII `\d`, `\s`, `\w` and `\b`, `.` is any character but `\n`, `$` is
//! the end of the text), and the engines differ from that and from each
//! other. The pattern's syntax tree is printed again construct by construct;
//! a construct a dialect cannot express exactly is refused with what it is,
//! never printed approximately.
//!
//! - DuckDB (RE2): its Perl classes and word boundaries are ASCII as errlens's
//!   are, but its `\s` leaves out the vertical tab; no look-around.
//! - Spark (`java.util.regex`): ASCII classes, but a Unicode `\b` (before Java
//!   19), a `.` that stops at `\r` and other line ends, and a `$` that also
//!   matches before a final line end: `\b` becomes look-arounds over ASCII
//!   word characters, `.` becomes `[^\n]`, `$` becomes `\z`.
//! - Trino (Joni, Java syntax): as Spark, and its classes may be Unicode, so
//!   `\d`, `\s` and `\w` are spelled out as ASCII ranges.
//!
//! Capture groups keep their numbers (names are dropped: Java spells them
//! otherwise and allows fewer), so `regexp_extract` can take a group by index.

use regex_syntax::ast::{
    self, Assertion, AssertionKind, Ast, ClassAsciiKind, ClassBracketed, ClassPerl, ClassPerlKind,
    ClassSet, ClassSetItem, Flag, Flags, FlagsItemKind, GroupKind, LiteralKind, Repetition,
    RepetitionKind, RepetitionRange,
};

use super::Dialect;

/// A pattern in a dialect, and where its named groups are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The pattern, for the dialect's regex functions.
    pub pattern: String,
    /// Named groups of the original and their numbers (1-based).
    pub named: Vec<(String, u32)>,
}

/// The most repetitions RE2 allows in a counted repeat.
const RE2_MAX_REPEAT: u32 = 1000;

/// ASCII word characters, as errlens's `\w` and `\b` read them.
const WORD: &str = "[0-9A-Za-z_]";

/// `pattern` in `dialect`, or why it cannot be: the construct, in words.
pub fn translate(pattern: &str, dialect: Dialect) -> Result<Translated, String> {
    let ast = ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("the pattern does not parse: {}", e.kind()))?;
    let mut printer = Printer { dialect, out: String::new(), mode: Mode::default(), named: vec![] };
    printer.ast(&ast)?;
    Ok(Translated { pattern: printer.out, named: printer.named })
}

/// The flags in force that change how a construct is printed.
#[derive(Debug, Clone, Copy, Default)]
struct Mode {
    /// `s`: `.` matches `\n` too.
    dot_all: bool,
    /// `m`: `^` and `$` match at line ends.
    multi_line: bool,
}

struct Printer {
    dialect: Dialect,
    out: String,
    mode: Mode,
    named: Vec<(String, u32)>,
}

impl Printer {
    fn java(&self) -> bool {
        matches!(self.dialect, Dialect::Spark | Dialect::Trino)
    }

    fn ast(&mut self, ast: &Ast) -> Result<(), String> {
        match ast {
            Ast::Empty(_) => Ok(()),
            Ast::Flags(set) => self.set_flags(&set.flags),
            Ast::Literal(lit) => self.literal(lit, false),
            Ast::Dot(_) => self.dot(),
            Ast::Assertion(a) => self.assertion(a),
            Ast::ClassUnicode(_) => Err("a Unicode class (\\p)".to_string()),
            Ast::ClassPerl(c) => self.perl(c),
            Ast::ClassBracketed(c) => self.bracketed(c),
            Ast::Repetition(r) => self.repetition(r),
            Ast::Group(g) => self.group(g),
            Ast::Alternation(alt) => self.each(&alt.asts, "|"),
            Ast::Concat(cat) => self.each(&cat.asts, ""),
        }
    }

    fn each(&mut self, asts: &[Ast], between: &str) -> Result<(), String> {
        for (i, ast) in asts.iter().enumerate() {
            if i > 0 {
                self.out.push_str(between);
            }
            self.ast(ast)?;
        }
        Ok(())
    }

    fn group(&mut self, group: &ast::Group) -> Result<(), String> {
        let saved = self.mode;
        match &group.kind {
            GroupKind::CaptureIndex(_) => self.out.push('('),
            GroupKind::CaptureName { name, .. } => {
                self.named.push((name.name.clone(), name.index));
                self.out.push('(');
            }
            GroupKind::NonCapturing(flags) => {
                let flags = self.flags(flags)?;
                self.out.push_str(&format!("(?{flags}:"));
            }
        }
        self.ast(&group.ast)?;
        self.out.push(')');
        self.mode = saved;
        Ok(())
    }

    fn set_flags(&mut self, flags: &Flags) -> Result<(), String> {
        let flags = self.flags(flags)?;
        if !flags.is_empty() {
            self.out.push_str(&format!("(?{flags})"));
        }
        Ok(())
    }

    /// Applies `flags` to the mode and returns those to print: `i` always,
    /// `m` and `s` for RE2 only (Java dialects print `.`, `^` and `$` by the
    /// mode instead), `x` never (the parser has already read the pattern
    /// with it); a Unicode, greed-swapping or CRLF flag cannot be printed.
    fn flags(&mut self, flags: &Flags) -> Result<String, String> {
        let (mut on, mut off, mut negated) = (String::new(), String::new(), false);
        for item in &flags.items {
            let flag = match item.kind {
                FlagsItemKind::Negation => {
                    negated = true;
                    continue;
                }
                FlagsItemKind::Flag(flag) => flag,
            };
            if let Some(c) = self.flag(flag, !negated)? {
                if negated { off.push(c) } else { on.push(c) }
            }
        }
        Ok(if off.is_empty() { on } else { format!("{on}-{off}") })
    }

    fn flag(&mut self, flag: Flag, enabled: bool) -> Result<Option<char>, String> {
        let re2 = !self.java();
        Ok(match flag {
            Flag::CaseInsensitive => Some('i'),
            Flag::MultiLine => {
                self.mode.multi_line = enabled;
                re2.then_some('m')
            }
            Flag::DotMatchesNewLine => {
                self.mode.dot_all = enabled;
                re2.then_some('s')
            }
            Flag::IgnoreWhitespace => None,
            Flag::Unicode if !enabled => None,
            Flag::Unicode => return Err("Unicode mode (the u flag)".to_string()),
            Flag::SwapGreed => return Err("swapped greed (the U flag)".to_string()),
            Flag::CRLF => return Err("CRLF mode (the R flag)".to_string()),
        })
    }

    fn literal(&mut self, lit: &ast::Literal, in_class: bool) -> Result<(), String> {
        if lit.c as u32 >= 0x80 && matches!(lit.kind, LiteralKind::HexFixed(ast::HexLiteralKind::X))
        {
            return Err(format!("a raw byte (\\x{:X}), which matches no text", lit.c as u32));
        }
        push_literal(&mut self.out, lit.c, in_class);
        Ok(())
    }

    fn dot(&mut self) -> Result<(), String> {
        let dot = match (self.java(), self.mode.dot_all) {
            (false, _) => ".",
            (true, false) => "[^\\n]",
            (true, true) => "[\\s\\S]",
        };
        self.out.push_str(dot);
        Ok(())
    }

    fn assertion(&mut self, a: &Assertion) -> Result<(), String> {
        let text = match (self.java(), &a.kind) {
            (_, AssertionKind::StartText) => "\\A".to_string(),
            (_, AssertionKind::EndText) => "\\z".to_string(),
            (true, AssertionKind::StartLine | AssertionKind::EndLine) if self.mode.multi_line => {
                return Err("a line anchor in multi-line mode".to_string());
            }
            (_, AssertionKind::StartLine) => "^".to_string(),
            (false, AssertionKind::EndLine) => "$".to_string(),
            (true, AssertionKind::EndLine) => "\\z".to_string(),
            (false, AssertionKind::WordBoundary) => "\\b".to_string(),
            (false, AssertionKind::NotWordBoundary) => "\\B".to_string(),
            (false, kind) => return Err(format!("a word-boundary assertion ({})", syntax(kind))),
            (true, kind) => self.look_around(kind)?,
        };
        self.out.push_str(&text);
        Ok(())
    }

    /// A word-boundary assertion over ASCII word characters, as look-arounds.
    fn look_around(&self, kind: &AssertionKind) -> Result<String, String> {
        let w = if self.dialect == Dialect::Spark { "\\w" } else { WORD };
        let (after_word, before_word) = (format!("(?<={w})"), format!("(?={w})"));
        let (after_other, before_other) = (format!("(?<!{w})"), format!("(?!{w})"));
        Ok(match kind {
            AssertionKind::WordBoundary => {
                format!("(?:{after_word}{before_other}|{after_other}{before_word})")
            }
            AssertionKind::NotWordBoundary => {
                format!("(?:{after_word}{before_word}|{after_other}{before_other})")
            }
            AssertionKind::WordBoundaryStart | AssertionKind::WordBoundaryStartAngle => {
                format!("(?:{after_other}{before_word})")
            }
            AssertionKind::WordBoundaryEnd | AssertionKind::WordBoundaryEndAngle => {
                format!("(?:{after_word}{before_other})")
            }
            AssertionKind::WordBoundaryStartHalf => after_other,
            AssertionKind::WordBoundaryEndHalf => before_other,
            kind => {
                return Err(format!(
                    "an anchor ({}) where a word boundary was expected",
                    syntax(kind)
                ));
            }
        })
    }

    fn perl(&mut self, class: &ClassPerl) -> Result<(), String> {
        let text = match perl_items(&class.kind, self.dialect) {
            Some(items) if class.negated => format!("[^{items}]"),
            Some(items) => format!("[{items}]"),
            None => perl_escape(class).to_string(),
        };
        self.out.push_str(&text);
        Ok(())
    }

    fn bracketed(&mut self, class: &ClassBracketed) -> Result<(), String> {
        let ClassSet::Item(item) = &class.kind else {
            return Err("a class set operation (&&, -- or ~~)".to_string());
        };
        self.out.push('[');
        if class.negated {
            self.out.push('^');
        }
        self.class_item(item)?;
        self.out.push(']');
        Ok(())
    }

    fn class_item(&mut self, item: &ClassSetItem) -> Result<(), String> {
        match item {
            ClassSetItem::Empty(_) => Ok(()),
            ClassSetItem::Literal(lit) => self.literal(lit, true),
            ClassSetItem::Range(range) => {
                self.literal(&range.start, true)?;
                self.out.push('-');
                self.literal(&range.end, true)
            }
            ClassSetItem::Ascii(ascii) if !ascii.negated => {
                self.out.push_str(ascii_items(&ascii.kind));
                Ok(())
            }
            ClassSetItem::Ascii(_) => Err("a negated ASCII class ([:^name:])".to_string()),
            ClassSetItem::Unicode(_) => Err("a Unicode class (\\p)".to_string()),
            ClassSetItem::Perl(perl) => self.perl_in_class(perl),
            ClassSetItem::Bracketed(_) => Err("a class nested in a class".to_string()),
            ClassSetItem::Union(union) => union.items.iter().try_for_each(|i| self.class_item(i)),
        }
    }

    /// A Perl class inside brackets: spelled out, or as written where the
    /// dialect reads it as errlens does; a negated one spelled out cannot be.
    fn perl_in_class(&mut self, class: &ClassPerl) -> Result<(), String> {
        match perl_items(&class.kind, self.dialect) {
            None => self.out.push_str(perl_escape(class)),
            Some(_) if class.negated => {
                return Err(format!(
                    "a negated Perl class inside a class ({})",
                    perl_escape(class)
                ));
            }
            Some(items) => self.out.push_str(items),
        }
        Ok(())
    }

    fn repetition(&mut self, rep: &Repetition) -> Result<(), String> {
        self.ast(&rep.ast)?;
        let op = match &rep.op.kind {
            RepetitionKind::ZeroOrOne => "?".to_string(),
            RepetitionKind::ZeroOrMore => "*".to_string(),
            RepetitionKind::OneOrMore => "+".to_string(),
            RepetitionKind::Range(range) => self.range(range)?,
        };
        self.out.push_str(&op);
        if !rep.greedy {
            self.out.push('?');
        }
        Ok(())
    }

    fn range(&self, range: &RepetitionRange) -> Result<String, String> {
        let (text, most) = match *range {
            RepetitionRange::Exactly(n) => (format!("{{{n}}}"), n),
            RepetitionRange::AtLeast(n) => (format!("{{{n},}}"), n),
            RepetitionRange::Bounded(n, m) => (format!("{{{n},{m}}}"), m),
        };
        if self.dialect == Dialect::DuckDb && most > RE2_MAX_REPEAT {
            return Err(format!("a repeat count over {RE2_MAX_REPEAT} ({text}), RE2's limit"));
        }
        Ok(text)
    }
}

/// How an assertion is written.
fn syntax(kind: &AssertionKind) -> &'static str {
    match kind {
        AssertionKind::StartLine => "^",
        AssertionKind::EndLine => "$",
        AssertionKind::StartText => "\\A",
        AssertionKind::EndText => "\\z",
        AssertionKind::WordBoundary => "\\b",
        AssertionKind::NotWordBoundary => "\\B",
        AssertionKind::WordBoundaryStart => "\\b{start}",
        AssertionKind::WordBoundaryEnd => "\\b{end}",
        AssertionKind::WordBoundaryStartAngle => "\\<",
        AssertionKind::WordBoundaryEndAngle => "\\>",
        AssertionKind::WordBoundaryStartHalf => "\\b{start-half}",
        AssertionKind::WordBoundaryEndHalf => "\\b{end-half}",
    }
}

/// The ASCII ranges of a Perl class where the dialect's own escape would
/// mean something else (RE2's `\s` lacks `\v`; Joni's classes may be
/// Unicode); `None` where the escape means what errlens's does.
fn perl_items(kind: &ClassPerlKind, dialect: Dialect) -> Option<&'static str> {
    match (kind, dialect) {
        (_, Dialect::Spark) => None,
        (ClassPerlKind::Space, _) => Some("\\t-\\r "),
        (_, Dialect::DuckDb) => None,
        (ClassPerlKind::Digit, Dialect::Trino) => Some("0-9"),
        (ClassPerlKind::Word, Dialect::Trino) => Some("0-9A-Za-z_"),
    }
}

fn perl_escape(class: &ClassPerl) -> &'static str {
    match (&class.kind, class.negated) {
        (ClassPerlKind::Digit, false) => "\\d",
        (ClassPerlKind::Digit, true) => "\\D",
        (ClassPerlKind::Space, false) => "\\s",
        (ClassPerlKind::Space, true) => "\\S",
        (ClassPerlKind::Word, false) => "\\w",
        (ClassPerlKind::Word, true) => "\\W",
    }
}

/// The members of an ASCII class (`[:alpha:]`) as ranges.
fn ascii_items(kind: &ClassAsciiKind) -> &'static str {
    match kind {
        ClassAsciiKind::Alnum => "0-9A-Za-z",
        ClassAsciiKind::Alpha => "A-Za-z",
        ClassAsciiKind::Ascii => "\\x00-\\x7F",
        ClassAsciiKind::Blank => "\\t ",
        ClassAsciiKind::Cntrl => "\\x00-\\x1F\\x7F",
        ClassAsciiKind::Digit => "0-9",
        ClassAsciiKind::Graph => "!-~",
        ClassAsciiKind::Lower => "a-z",
        ClassAsciiKind::Print => " -~",
        ClassAsciiKind::Punct => "!-/:-@\\[-`{-~",
        ClassAsciiKind::Space => "\\t-\\r ",
        ClassAsciiKind::Upper => "A-Z",
        ClassAsciiKind::Word => "0-9A-Za-z_",
        ClassAsciiKind::Xdigit => "0-9A-Fa-f",
    }
}

/// One character, escaped where any of the dialects would read it as syntax:
/// control characters as `\xNN`, other non-ASCII characters as `\x{N}` (the
/// SQL text stays ASCII, and the output boundary has nothing to escape).
fn push_literal(out: &mut String, c: char, in_class: bool) {
    let special: &[char] = if in_class {
        &['\\', ']', '[', '^', '-', '&']
    } else {
        &['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']
    };
    match c {
        c if c.is_ascii_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
        c if !c.is_ascii() => out.push_str(&format!("\\x{{{:X}}}", c as u32)),
        c if special.contains(&c) => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}
