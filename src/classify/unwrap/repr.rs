//! Python dict reprs and JS object literals to JSON text: single-quoted
//! strings, `None` / `True` / `False`, bare keys. SDKs and gateways flatten
//! provider bodies this way (`Error code: 429 - {'error': {...}}`).

/// Converts a Python dict repr or JS object literal to JSON text: single-quoted
/// strings, `None` / `True` / `False`, bare keys. `None` when it cannot.
pub fn repr_to_json(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' => out.push_str(&convert_string(&mut chars, c)?),
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut word = String::from(c);
                while let Some(&n) =
                    chars.peek().filter(|n| n.is_ascii_alphanumeric() || **n == '_')
                {
                    word.push(n);
                    chars.next();
                }
                match word.as_str() {
                    "None" | "null" | "undefined" => out.push_str("null"),
                    "True" | "true" => out.push_str("true"),
                    "False" | "false" => out.push_str("false"),
                    _ => {
                        out.push('"');
                        out.push_str(&word);
                        out.push('"');
                    }
                }
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    Some(out)
}

/// One quoted string (opening quote consumed) re-emitted as a JSON string.
fn convert_string(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    quote: char,
) -> Option<String> {
    let mut s = String::from('"');
    loop {
        match chars.next()? {
            c if c == quote => break,
            '\\' => match chars.next()? {
                '\'' => s.push('\''),
                '\n' => {}
                'x' => {
                    let hex: String = chars.by_ref().take(2).collect();
                    s.push_str(&format!("\\u00{hex}"));
                }
                e @ ('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u') => {
                    s.push('\\');
                    s.push(e);
                }
                other => s.push(other),
            },
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => s.push_str(&format!("\\u{:04x}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('"');
    Some(s)
}
