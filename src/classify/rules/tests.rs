use super::*;

fn compile(extra: &str) -> Result<RuleSet> {
    RuleSet::compile(Taxonomy::get(), &[("extra.toml".to_string(), extra.to_string())])
}

#[test]
fn embedded_rules_compile() {
    let rules = RuleSet::compile(Taxonomy::get(), &[]).unwrap();
    assert!(rules.len() > 40);
}

#[test]
fn bad_rules_files_name_the_rule() {
    let unknown =
        compile("[[rule]]\nname = \"mine\"\ncause = \"quota.nope\"\n").unwrap_err().to_string();
    assert!(unknown.contains("mine") && unknown.contains("quota.nope"), "{unknown}");
    let regex = compile(
        "[[rule]]\nname = \"broken\"\ncause = \"quota.exhausted\"\nmessage = \"(unclosed\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(regex.contains("broken") && regex.contains("regex"), "{regex}");
    let status =
        compile("[[rule]]\nname = \"s\"\ncause = \"quota.exhausted\"\nstatus = [\"teapot\"]\n")
            .unwrap_err()
            .to_string();
    assert!(status.contains("teapot"), "{status}");
    let field = compile("[[rule]]\nname = \"f\"\ncause = \"quota.exhausted\"\nmesage = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(field.contains("extra.toml") && field.contains("mesage"), "{field}");
}

#[test]
fn extra_rules_add_and_override() {
    let info = ErrorInfo {
        status: Some(418),
        message: "I'm a teapot".to_string(),
        ..ErrorInfo::default()
    };
    let base = RuleSet::compile(Taxonomy::get(), &[]).unwrap();
    assert!(base.find(&info, None, None).is_none());
    let rules = compile(
        "[[rule]]\nname = \"teapot\"\ncause = \"server.overloaded\"\nstatus = [418]\nmessage = '(?i)(?P<what>teapot)'\n",
    )
    .unwrap();
    let m = rules.find(&info, None, None).unwrap();
    assert_eq!(m.rule.name, "teapot");
    assert_eq!(m.evidence, vec![("what".to_string(), "teapot".to_string())]);
}

#[test]
fn status_patterns() {
    assert_eq!(parse_status(&StatusSpec::Text("5xx".into())), Ok(StatusPat::Class(5)));
    assert_eq!(parse_status(&StatusSpec::Text("none".into())), Ok(StatusPat::Missing));
    assert_eq!(parse_status(&StatusSpec::Number(429)), Ok(StatusPat::Exact(429)));
    assert!(glob_eq("tools*", "tools[0].function"));
    assert!(!glob_eq("tools", "tools[0]"));
    // A prefix that ends inside a character of the value: no match, no panic.
    assert!(!glob_eq("ab*", "a\u{e9}b"));
    assert!(glob_eq("a\u{e9}*", "A\u{e9}b"));
    assert_eq!(patterns::ascii_word_boundaries(r"\bx\\b\d\b"), r"(?-u:\b)x\\b\d(?-u:\b)");
    assert_eq!(patterns::ascii_word_boundaries(r"[\b\]]\b"), r"[\b\]](?-u:\b)");
}

#[test]
fn status_only_rules_need_a_bare_failure_and_mark_it() {
    let rules = RuleSet::compile(Taxonomy::get(), &[]).unwrap();
    let bare = ErrorInfo { status: Some(401), ..ErrorInfo::default() };
    let m = rules.find(&bare, Some("azure"), None).unwrap();
    assert_eq!(m.rule.name, "status_only.401");
    assert_eq!(m.evidence, vec![("status_only".to_string(), "true".to_string())]);
    for worded in [
        ErrorInfo { message: "went sideways".to_string(), ..bare.clone() },
        ErrorInfo { code: Some("teapot".to_string()), ..bare.clone() },
        ErrorInfo { context: "SomeException".to_string(), ..bare.clone() },
    ] {
        assert!(rules.find(&worded, None, None).is_none(), "{worded:?}");
    }
    // A provider-side fallback still applies to a worded failure, unmarked.
    let worded_500 = ErrorInfo { status: Some(500), message: "oops".to_string(), ..bare.clone() };
    let m = rules.find(&worded_500, None, None).unwrap();
    assert_eq!(m.rule.name, "fallback.500");
    assert!(m.evidence.iter().all(|(k, _)| k != "status_only"));
    let status =
        compile("[[rule]]\nname = \"s\"\ncause = \"quota.exhausted\"\nstatus_only = \"yes\"\n");
    assert!(status.is_err());
}

#[test]
fn regexes_too_big_are_rejected_fast_naming_file_and_rule() {
    let huge = compile(
        "[[rule]]\nname = \"huge\"\ncause = \"quota.exhausted\"\nmessage = '(a{1000}){1000}'\n",
    )
    .unwrap_err()
    .to_string();
    assert!(huge.contains("extra.toml") && huge.contains("rule `huge`"), "{huge}");
    assert!(huge.contains("size limit"), "{huge}");
    // Each fits alone; together they outgrow the limit: the second is named.
    let pair = compile(
        "[[rule]]\nname = \"big1\"\ncause = \"quota.exhausted\"\nmessage = '(a{1000}){250}'\n\
         [[rule]]\nname = \"big2\"\ncause = \"quota.exhausted\"\nmessage = '(b{1000}){250}'\n",
    )
    .unwrap_err()
    .to_string();
    assert!(pair.contains("extra.toml") && pair.contains("rule `big2`"), "{pair}");
}

#[test]
fn bad_extract_patterns_name_their_file() {
    let err =
        compile("[[extract]]\nname = \"x\"\npattern = '(unclosed'\n").unwrap_err().to_string();
    assert!(err.contains("extra.toml") && err.contains("extract `x`"), "{err}");
}

#[test]
fn status_only_azure_404_reads_the_endpoint() {
    let rules = RuleSet::compile(Taxonomy::get(), &[]).unwrap();
    let bare = ErrorInfo { status: Some(404), ..ErrorInfo::default() };
    let rule =
        |provider, endpoint| rules.find(&bare, provider, endpoint).map(|m| m.rule.name.clone());
    let deployment = Some("status_only.404.azure_deployment".to_string());
    let url = Some("status_only.404.azure_url".to_string());
    for endpoint in [
        "https://aoai.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
        "https://apim.azure-api.net/deployments/gpt-4o/embeddings",
        "/openai/deployments/gpt-4o/chat/completions",
        "ChatCompletions_Create",
        "Embeddings_Create",
        "https://aoai.openai.azure.com/openai/v1/chat/completions",
    ] {
        assert_eq!(rule(None, Some(endpoint)), deployment, "{endpoint}");
    }
    for endpoint in [
        "https://aoai.openai.azure.com/openai/chat/completions?api-version=2024-10-21",
        "https://apim.azure-api.net/aoai/v2/chat",
        "/openai/models",
    ] {
        assert_eq!(rule(None, Some(endpoint)), url, "{endpoint}");
    }
    assert_eq!(
        rule(Some("azure"), Some("/chat/completions")),
        Some("status_only.404.azure_path".to_string())
    );
    for (provider, endpoint) in [
        (None, Some("Create_Thread")),
        (Some("azure"), Some("ListDeployments")),
        (Some("openai"), Some("/v1/chat/completions")),
        (None, Some("https://api.openai.com/v1/chat/completions")),
        (Some("azure"), None),
    ] {
        assert_eq!(rule(provider, endpoint), None, "{provider:?} {endpoint:?}");
    }
    let m =
        rules.find(&bare, None, Some("/openai/deployments/gpt-4o-prod/chat/completions")).unwrap();
    assert!(m.evidence.contains(&("deployment".to_string(), "gpt-4o-prod".to_string())));
    assert!(m.evidence.contains(&("status_only".to_string(), "true".to_string())));
    let worded = ErrorInfo { message: "Resource not found".to_string(), ..bare.clone() };
    let m = rules.find(&worded, None, Some("ChatCompletions_Create")).unwrap();
    assert_ne!(m.rule.name, "status_only.404.azure_deployment", "a body is judged by its words");
}

#[test]
fn status_only_openai_429_carries_the_quota_note() {
    let rules = RuleSet::compile(Taxonomy::get(), &[]).unwrap();
    let bare = ErrorInfo { status: Some(429), ..ErrorInfo::default() };
    let note = |provider| {
        let m = rules.find(&bare, provider, None).unwrap();
        m.evidence.iter().find(|(k, _)| k == "note").map(|(_, v)| v.clone())
    };
    assert!(note(Some("openai")).unwrap().contains("quota is exhausted"));
    assert!(note(Some("OPENAI")).is_some(), "provider names compare case-insensitively");
    assert_eq!(note(Some("azure")), None, "Azure has no quota 429");
    assert_eq!(note(None), None);
    let noted = compile(
        "[[rule]]\nname = \"n\"\ncause = \"quota.exhausted\"\nstatus = [418]\nnote = \"look\"\n",
    )
    .unwrap();
    let teapot = ErrorInfo { status: Some(418), ..ErrorInfo::default() };
    let m = noted.find(&teapot, None, None).unwrap();
    assert!(m.evidence.contains(&("note".to_string(), "look".to_string())));
}

#[test]
fn a_rules_file_pattern_with_no_literal_still_matches() {
    let rules = compile(
        "[[rule]]\nname = \"digits\"\ncause = \"server.overloaded\"\nstatus = [418]\n\
         message = '^\\W*(?P<code>\\d{3,})\\W*$'\ncontext = '[A-Z]\\w+'\n\
         [[extract]]\nname = \"num\"\npattern = '(?P<first>\\d+)'\n",
    )
    .unwrap();
    let info = ErrorInfo {
        status: Some(418),
        message: "  31337!".to_string(),
        context: "TeapotError".to_string(),
        ..ErrorInfo::default()
    };
    let m = rules.find(&info, None, None).unwrap();
    assert_eq!(m.rule.name, "digits");
    let want = [("code", "31337"), ("first", "31337")].map(|(k, v)| (k.to_string(), v.to_string()));
    assert_eq!(m.evidence, want);
    let lower = ErrorInfo { context: "teapot".to_string(), ..info.clone() };
    assert_ne!(rules.find(&lower, None, None).map(|m| m.rule.name.clone()), Some("digits".into()));
    let (rule, evidence) = rules.judge(&ErrorInfo { status: Some(400), ..info }, None, None);
    assert!(rule.is_none());
    assert_eq!(evidence, vec![("first".to_string(), "31337".to_string())]);
}

/// Every text the test data holds: every string of every line, and the
/// message and context each string and object unwraps to, each also in upper case,
/// lower case and with every other letter's case flipped.
pub(crate) fn corpus() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = vec![format!("{root}/samples/app-2026-11-21.jsonl")];
    for dir in ["tests/data", "tests/cases"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                files.push(path.display().to_string());
            }
        }
    }
    let mut texts = std::collections::BTreeSet::new();
    for file in files {
        // Some files hold invalid UTF-8 on purpose.
        for line in String::from_utf8_lossy(&std::fs::read(&file).unwrap()).lines() {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(line) {
                strings_of(&value, &mut texts);
            }
        }
    }
    let variants = |t: &String| {
        let flipped: String = t
            .chars()
            .enumerate()
            .map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
            .collect();
        [t.clone(), t.to_ascii_uppercase(), t.to_ascii_lowercase(), flipped]
    };
    texts.iter().flat_map(variants).collect()
}

fn strings_of(value: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            let info = crate::classify::unwrap::unwrap_text(s, None);
            out.extend([s.clone(), info.message, info.context]);
        }
        Value::Array(items) => items.iter().for_each(|v| strings_of(v, out)),
        Value::Object(map) => {
            let info = crate::classify::unwrap::unwrap_raw(value.to_string().as_bytes(), None);
            out.extend([info.message, info.context]);
            map.values().for_each(|v| strings_of(v, out));
        }
        _ => {}
    }
}

/// The prefilter may let a pattern through that then does not match, never
/// the other way round: for every pattern of the embedded rules and every
/// text of the test data (in several cases), a match is a candidate.
#[test]
fn the_prefilter_never_rules_out_a_match() {
    let rules = RuleSet::compile(Taxonomy::get(), &[]).unwrap();
    let texts = corpus();
    let mut matched = std::collections::BTreeSet::new();
    for (name, group) in
        [("message", &rules.messages), ("context", &rules.contexts), ("endpoint", &rules.endpoints)]
    {
        // One pass per text finds the patterns that match (the regexes as a
        // set, with a lazy DFA cache large enough not to thrash).
        let set = regex::bytes::RegexSetBuilder::new(
            (0..group.count()).map(|i| group.regex(i).as_str().to_string()),
        )
        .unicode(false)
        .dfa_size_limit(64 << 20)
        .build()
        .unwrap();
        for text in &texts {
            let scan = group.scan(text);
            for i in set.matches(text.as_bytes()).iter() {
                assert!(group.regex(i).is_match(text.as_bytes()));
                assert!(scan.candidate(i), "{name} pattern {} ruled out {text:?}", group.regex(i));
                matched.insert((name, i));
            }
        }
    }
    // The corpus must reach most patterns, or this test proves little.
    let patterns = rules.messages.count() + rules.contexts.count() + rules.endpoints.count();
    assert!(matched.len() * 10 >= patterns * 8, "{} of {patterns} patterns matched", matched.len());
}

/// Starts skip checking the embedded patterns (see `Patterns::validate`):
/// this test is where they are compiled as one set.
#[test]
fn the_embedded_patterns_compile_as_one_set() {
    let parsed: RulesFile = toml::from_str(EMBEDDED).unwrap();
    let mut patterns = Patterns::default();
    for rule in &parsed.rule {
        for pattern in [&rule.message, &rule.context, &rule.endpoint] {
            patterns.add(pattern, EMBEDDED_NAME, &rule.name, true);
        }
    }
    for extract in &parsed.extract {
        patterns.add(&Some(extract.pattern.clone()), EMBEDDED_NAME, &extract.name, true);
    }
    assert!(patterns.texts().count() > 50);
    patterns.check().unwrap();
    // What a start checks: none of them.
    patterns.validate().unwrap();
    assert_eq!(patterns.files_only_count(), 0);
}

/// A rules file is checked whatever it is called, even by the name errors
/// give the embedded rules: a bad pattern is refused, never a panic later.
#[test]
fn a_rules_file_named_like_the_embedded_rules_is_still_checked() {
    let file = (
        EMBEDDED_NAME.to_string(),
        "[[rule]]\nname = \"bad\"\ncause = \"quota.exhausted\"\nmessage = '(unclosed'\n"
            .to_string(),
    );
    let err = RuleSet::compile(Taxonomy::get(), &[file]).unwrap_err().to_string();
    assert!(err.contains("rule `bad`") && err.contains("bad regex"), "{err}");
}

/// A type or code glob whose prefix ends inside a character of the logged
/// value (a rules file's `ab*` against `aéb`) does not match, and does not
/// panic (it sliced the value at a byte that is no character boundary).
#[test]
fn a_prefix_glob_never_cuts_a_character() {
    let rules =
        compile("[[rule]]\nname = \"glob\"\ncause = \"quota.exhausted\"\ntype = [\"ab*\"]\n")
            .unwrap();
    let info = ErrorInfo {
        etype: Some("a\u{e9}b".to_string()),
        message: "nothing a rule knows".to_string(),
        ..ErrorInfo::default()
    };
    assert!(rules.find(&info, None, None).is_none_or(|m| m.rule.name != "glob"));
}
