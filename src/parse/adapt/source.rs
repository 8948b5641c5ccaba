//! Where a mapped field's value comes from: a JSON pointer, or a pointer and a
//! regex whose first group picks the value out of the text found there (an
//! Azure deployment inside a URL: `.../openai/deployments/{deployment}/...`).

use regex::Regex;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::resolve;

/// One place a field is looked for.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Source {
    /// An RFC 6901 pointer (a step into a string holding JSON parses it).
    Pointer(String),
    /// A pointer to text, and a pattern whose first group is the value.
    Capture {
        /// Where the text is.
        pointer: String,
        /// What to take from it.
        capture: Pattern,
    },
}

impl Source {
    /// The value this source finds in a parsed line.
    pub fn find(&self, value: &Value) -> Option<Value> {
        match self {
            Source::Pointer(pointer) => resolve(value, pointer),
            Source::Capture { pointer, capture } => {
                let found = resolve(value, pointer)?;
                let group = capture.0.captures(found.as_str()?)?.get(1)?;
                Some(Value::from(group.as_str()))
            }
        }
    }
}

impl From<&str> for Source {
    fn from(pointer: &str) -> Source {
        Source::Pointer(pointer.to_string())
    }
}

/// A regex read from the formats file (compiled once, compared by its text).
#[derive(Debug, Clone)]
pub struct Pattern(Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pattern, D::Error> {
        let text = String::deserialize(d)?;
        let regex = Regex::new(&text).map_err(serde::de::Error::custom)?;
        if regex.captures_len() < 2 {
            return Err(serde::de::Error::custom(format!("`{text}` has no group to capture")));
        }
        Ok(Pattern(regex))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct One {
        s: Vec<Source>,
    }

    fn sources(toml: &str) -> Vec<Source> {
        toml::from_str::<One>(toml).unwrap().s
    }

    #[test]
    fn pointers_and_captures_read_from_toml() {
        let s =
            sources(r#"s = ["/model", { pointer = "/url", capture = '/deployments/([^/?#]+)' }]"#);
        let line = json!({"url": "https://x.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=1"});
        assert_eq!(s[0].find(&line), None);
        assert_eq!(s[1].find(&line), Some(json!("gpt-4o")));
        assert_eq!(s[1].find(&json!({"url": "https://x/openai/models"})), None);
        assert_eq!(s[1].find(&json!({"url": 42})), None, "not text");
        assert_eq!(s[0], Source::from("/model"));
    }

    #[test]
    fn a_capture_needs_a_group_and_a_valid_regex() {
        let bad = |t: &str| toml::from_str::<One>(t).is_err();
        assert!(bad(r#"s = [{ pointer = "/u", capture = 'deployments' }]"#));
        assert!(bad(r#"s = [{ pointer = "/u", capture = '(' }]"#));
    }
}
