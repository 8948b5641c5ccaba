//! Evidence normalization: the raw captures of the rules become values a
//! report can add up. Retry-after in seconds from every wording ("1.84s",
//! "6ms", "7m12s", "86400 seconds", a `retry-after` header); the rate-limit
//! dimension (TPM, RPM, RPD, TPD, IPM); numbers without thousands separators;
//! what a masked key reveals; the host that served an HTML error page; the
//! offending parameter.

use serde_json::Value;

use super::ErrorInfo;

/// Normalizes `evidence` (sorted `(name, value)` pairs) in place, adding what
/// the unwrapped error and the record's headers tell.
pub fn normalize(
    evidence: &mut Vec<(String, String)>,
    info: &ErrorInfo,
    headers: Option<&[u8]>,
    retry_after: Option<f64>,
) {
    let mut out: Vec<(String, String)> = Vec::with_capacity(evidence.len() + 4);
    let mut per = (None, None);
    for (name, value) in evidence.drain(..) {
        match name.as_str() {
            "retry_after" => push_opt(&mut out, "retry_after_s", seconds(&value).map(fmt_seconds)),
            "limit" | "used" | "requested" => out.push((name, plain_number(&value))),
            "per_unit" => per.0 = Some(value),
            "per_window" => per.1 = Some(value),
            "key_mask" => {
                push_opt(&mut out, "key_hint", key_hint(&value).map(str::to_string));
                out.push((name, value));
            }
            _ => out.push((name, value)),
        }
    }
    if let (Some(unit), Some(window)) = per {
        push_opt(&mut out, "dimension", dimension(&unit, &window).map(str::to_string));
    }
    let from_headers = headers.and_then(header_retry_after).or(retry_after.filter(|s| *s >= 0.0));
    if !out.iter().any(|(k, _)| k == "retry_after_s") {
        push_opt(&mut out, "retry_after_s", from_headers.map(fmt_seconds));
    }
    if let Some(host) = &info.host {
        out.push(("failing_host".to_string(), host.clone()));
    }
    if let Some(param) = &info.param {
        out.push(("param".to_string(), param.clone()));
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    *evidence = out;
}

/// A stated limit without a stated dimension takes the one its cause implies.
pub fn implied_dimension(evidence: &mut Vec<(String, String)>, cause: &str) {
    let has = |k: &str| evidence.iter().any(|(n, _)| n == k);
    let implied = match cause {
        "rate_limit.tokens" | "rate_limit.request_too_large" => "TPM",
        "rate_limit.requests" => "RPM",
        _ => return,
    };
    if has("limit") && !has("dimension") {
        evidence.push(("dimension".to_string(), implied.to_string()));
        evidence.sort();
    }
}

fn push_opt(out: &mut Vec<(String, String)>, name: &str, value: Option<String>) {
    if let Some(v) = value {
        out.push((name.to_string(), v));
    }
}

/// Seconds in any wording: `1.84s`, `644ms`, `7m12s`, `1h2m`, `20 seconds`,
/// `2 minutes`, `86400`, `1.5 hours`.
pub fn seconds(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.trim_end_matches('.');
    if let Ok(plain) = t.parse::<f64>() {
        return Some(plain);
    }
    let (mut total, mut number, mut seen) = (0.0, String::new(), false);
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        let mut unit = String::from(c);
        while let Some(&n) = chars.peek().filter(|n| n.is_ascii_alphabetic()) {
            unit.push(n);
            chars.next();
        }
        let scale = match unit.as_str() {
            "ms" | "msec" | "milliseconds" | "millisecond" => 0.001,
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
            _ => return None,
        };
        total += number.parse::<f64>().ok()? * scale;
        number.clear();
        seen = true;
    }
    (seen && number.is_empty()).then_some(total)
}

/// Seconds as a short decimal: `1.84`, `0.006`, `432`.
pub fn fmt_seconds(s: f64) -> String {
    let rounded = (s * 1000.0).round() / 1000.0;
    let text = format!("{rounded:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `30,000` -> `30000`; `150000.000000` -> `150000`.
fn plain_number(value: &str) -> String {
    let digits: String = value.chars().filter(|c| *c != ',').collect();
    match digits.split_once('.') {
        Some((whole, frac)) if frac.chars().all(|c| c == '0') => whole.to_string(),
        _ => digits,
    }
}

/// `tokens` per `min` -> `TPM`.
fn dimension(unit: &str, window: &str) -> Option<&'static str> {
    let day = window.eq_ignore_ascii_case("day");
    Some(match (unit.to_ascii_lowercase().as_str(), day) {
        ("tokens", false) => "TPM",
        ("tokens", true) => "TPD",
        ("requests", false) => "RPM",
        ("requests", true) => "RPD",
        ("images", false) => "IPM",
        ("images", true) => "IPD",
        _ => return None,
    })
}

/// What the masked key in "Incorrect API key provided: <mask>" reveals.
pub fn key_hint(mask: &str) -> Option<&'static str> {
    let m = mask.trim().trim_end_matches('.');
    let lower = m.to_ascii_lowercase();
    Some(match () {
        _ if lower.starts_with("sk-or-") => "an OpenRouter key sent to OpenAI",
        _ if lower.starts_with("sk-ant-") => "an Anthropic key sent to OpenAI",
        _ if lower.starts_with("http") => "a URL was pasted as the key",
        _ if lower.starts_with("your")
            || lower.contains("placeholder")
            || lower.starts_with('<')
            || lower.contains("xxxx") =>
        {
            "a placeholder, not a real key"
        }
        _ if lower.starts_with("sk-proj-") => {
            "a project key: revoked, deleted, or from another organization"
        }
        _ if lower.starts_with("sk-svcacct-") || lower.starts_with("sk-admin-") => {
            "a service-account or admin key: revoked or wrong project"
        }
        _ if lower.starts_with("sk-") => "a user key: revoked, deleted, or mistyped",
        _ if m.contains(' ') => "text, not a key (a variable holding a sentence?)",
        _ => return None,
    })
}

/// `retry-after-ms` / `retry-after` from a logged header object (seconds).
fn header_retry_after(headers: &[u8]) -> Option<f64> {
    let map: serde_json::Map<String, Value> = serde_json::from_slice(headers).ok()?;
    let get = |name: &str| {
        map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    };
    get("retry-after-ms").map(|ms| ms / 1000.0).or_else(|| get("retry-after"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_every_wording() {
        for (text, want) in [
            ("1.84s", 1.84),
            ("644ms", 0.644),
            ("6ms", 0.006),
            ("7m12s", 432.0),
            ("86400 seconds", 86400.0),
            ("20s", 20.0),
            ("40 seconds", 40.0),
            ("2 minutes", 120.0),
            ("1h2m", 3720.0),
            ("55", 55.0),
        ] {
            assert_eq!(seconds(text), Some(want), "{text}");
        }
        assert_eq!(seconds("soon"), None);
        assert_eq!(fmt_seconds(0.644), "0.644");
        assert_eq!(fmt_seconds(432.0), "432");
    }

    #[test]
    fn normalizes_captures() {
        let mut ev = vec![
            ("limit".to_string(), "2,000,000".to_string()),
            ("per_unit".to_string(), "tokens".to_string()),
            ("per_window".to_string(), "min".to_string()),
            ("retry_after".to_string(), "7m12s".to_string()),
            ("used".to_string(), "150000.000000".to_string()),
        ];
        normalize(&mut ev, &ErrorInfo::default(), None, None);
        let get = |k: &str| ev.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("limit"), Some("2000000"));
        assert_eq!(get("used"), Some("150000"));
        assert_eq!(get("dimension"), Some("TPM"));
        assert_eq!(get("retry_after_s"), Some("432"));
        assert_eq!(get("per_unit"), None);
    }

    #[test]
    fn headers_and_record_fields_give_retry_after() {
        let mut ev = Vec::new();
        normalize(
            &mut ev,
            &ErrorInfo::default(),
            Some(br#"{"Retry-After-Ms":"1500","x":1}"#),
            None,
        );
        assert_eq!(ev, vec![("retry_after_s".to_string(), "1.5".to_string())]);
        let mut ev = Vec::new();
        normalize(&mut ev, &ErrorInfo::default(), None, Some(54749.0));
        assert_eq!(ev, vec![("retry_after_s".to_string(), "54749".to_string())]);
    }

    #[test]
    fn masked_keys_tell_what_was_sent() {
        assert_eq!(
            key_hint("sk-or-v1-0a2***************f3"),
            Some("an OpenRouter key sent to OpenAI")
        );
        assert_eq!(key_hint("https://****lETQ"), Some("a URL was pasted as the key"));
        assert_eq!(key_hint("YOUR_OPE***_KEY"), Some("a placeholder, not a real key"));
        assert_eq!(
            key_hint("You are *****tep."),
            Some("text, not a key (a variable holding a sentence?)")
        );
    }
}
