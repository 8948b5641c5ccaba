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
