//! The rules generalise: no message pattern of `data/rules.toml` matches a
//! whole sentence of a corpus row (a rule copied from one row's wording would
//! miss the next row of its family). Patterns match stable codes and
//! fragments; the rows test them.

use regex::Regex;
use serde_json::Value;

/// Sentences of at least this many words count; shorter ones ("Resource not
/// found") are fragments anyway.
const MIN_WORDS: usize = 5;

fn corpus_texts() -> Vec<(String, String)> {
    let files =
        [include_str!("../data/real-errors.jsonl"), include_str!("../data/real-errors-v2.jsonl")];
    let mut out = Vec::new();
    for line in files.iter().flat_map(|f| f.lines()) {
        let row: Value = serde_json::from_str(line).unwrap();
        let id = row["id"].as_str().unwrap_or_default().to_string();
        for text in [row["raw"].as_str().map(String::from), Some(row["body"].to_string())] {
            out.extend(text.map(|t| (id.clone(), t)));
        }
    }
    out
}

/// Sentence-like pieces of a text: split at sentence ends, quotes and braces.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['.', '!', '?', '\n', '"', '{', '}', '\\'])
        .map(|s| s.trim_matches(|c: char| c.is_whitespace() || c == '\'' || c == ','))
        .filter(|s| s.split_whitespace().count() >= MIN_WORDS)
}

#[test]
fn no_rule_is_a_sentence_copied_from_a_row() {
    let rules: toml::Table = toml::from_str(include_str!("../../data/rules.toml")).unwrap();
    let patterns: Vec<(String, Regex)> = rules["rule"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            let name = r.get("name")?.as_str()?.to_string();
            Some((name, Regex::new(r.get("message")?.as_str()?).unwrap()))
        })
        .collect();
    assert!(patterns.len() > 50, "the rules file has message patterns");
    let mut copied = Vec::new();
    for (id, text) in corpus_texts() {
        for sentence in sentences(&text) {
            for (name, re) in &patterns {
                if re.find(sentence).is_some_and(|m| m.as_str().len() == sentence.len()) {
                    copied.push(format!("{name} matches all of {id}: {sentence:?}"));
                }
            }
        }
    }
    copied.sort();
    copied.dedup();
    assert!(copied.is_empty(), "rules fitted to whole sentences:\n{}", copied.join("\n"));
}

#[test]
fn the_sentence_check_would_catch_a_copied_rule() {
    let copied =
        Regex::new("(?i)the model `gpt-4` does not exist or you do not have access to it").unwrap();
    let text = "The model `gpt-4` does not exist or you do not have access to it.";
    assert!(sentences(text).any(|s| copied.find(s).is_some_and(|m| m.len() == s.len())));
}
