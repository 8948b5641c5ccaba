use super::*;

const DIALECTS: [Dialect; 3] = [Dialect::DuckDb, Dialect::Spark, Dialect::Trino];

/// Rules defined out of priority order, with what needs escaping, a model
/// rule, a status-only rule, and rules SQL cannot hold: a class set operation
/// (no dialect has it), a `\<` (RE2 has no look-around), a context and an
/// endpoint condition (no column).
const FIXTURE: &str = r#"
[[rule]]
name = "low"
cause = "server.internal_error"
priority = 10
status = [500, "4xx", "none"]

[[rule]]
name = "quoted"
cause = "quota.exhausted"
priority = 90
code = ["Insufficient_Quota", "quota_*"]
message = '''(?i)it's \d+ \\ "q"\b'''

[[rule]]
name = "model"
cause = "@model"
priority = 70
type = ["invalid_request_error"]
message = '(?i)model (?P<model>\S+) does not exist'

[[rule]]
name = "bare"
cause = "auth.invalid_api_key"
priority = 20
status = [401]
provider = ["OpenAI"]
param = ["x"]
status_only = true

[[rule]]
name = "set-operation"
cause = "rate_limit.tokens"
priority = 80
message = '[a-z&&[^aeiou]]+ per min'

[[rule]]
name = "starts-a-word"
cause = "rate_limit.requests"
priority = 60
message = '\<rpm\b'

[[rule]]
name = "context"
cause = "network.timeout"
context = 'Timeout'

[[rule]]
name = "endpoint"
cause = "request.invalid_url"
status = [404]
endpoint = '^/v1/'
"#;

fn render_rules(rules: &RuleSet, dialect: Dialect) -> String {
    let mut out = Vec::new();
    render(rules, Taxonomy::get(), dialect, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn render_file(text: &str, dialect: Dialect) -> String {
    let files = [("fixture.toml".to_string(), text.to_string())];
    render_rules(&RuleSet::compile_alone(Taxonomy::get(), &files).unwrap(), dialect)
}

/// The rule names of the comment lines, in order, each with whether it was
/// left out.
fn branches(sql: &str) -> Vec<(String, bool)> {
    let body = &sql[sql.find("\nCASE\n").unwrap()..];
    body.lines()
        .filter_map(|l| l.strip_prefix("  -- "))
        .map(|c| {
            let (left_out, c) = c.strip_prefix("left out: ").map_or((false, c), |c| (true, c));
            (c[..c.find(" (priority").unwrap()].to_string(), left_out)
        })
        .collect()
}

fn name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::DuckDb => "duckdb",
        Dialect::Spark => "spark",
        Dialect::Trino => "trino",
    }
}

/// The whole output for the fixture, per dialect, against the committed
/// snapshots (`UPDATE_SNAPSHOTS=1` rewrites them; review the diff).
#[test]
fn the_fixture_matches_its_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for dialect in DIALECTS {
        let got = render_file(FIXTURE, dialect);
        let path = dir.join(format!("rules-{}.sql", name(dialect)));
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &got).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(got, want, "{} (UPDATE_SNAPSHOTS=1 to rewrite)", path.display());
    }
}

#[test]
fn rules_come_in_the_order_errlens_tries_them() {
    for dialect in DIALECTS {
        let sql = render_file(FIXTURE, dialect);
        let names: Vec<String> = branches(&sql).into_iter().map(|(n, _)| n).collect();
        let want = ["quoted", "set-operation", "model", "starts-a-word", "context", "endpoint"];
        assert_eq!(names, [&want[..], &["bare", "low"]].concat(), "{dialect:?}");
        assert!(sql.ends_with("  ELSE 'unclassified'\nEND\n"));
        assert!(sql.contains("\n  WHEN (status = 500 OR status BETWEEN 400 AND 499 OR status IS NULL) THEN 'server.internal_error'\n"));
    }
}

#[test]
fn what_sql_cannot_hold_is_left_out_with_a_comment() {
    let left_out = |dialect| -> Vec<String> {
        let sql = render_file(FIXTURE, dialect);
        branches(&sql).into_iter().filter(|b| b.1).map(|b| b.0).collect()
    };
    assert_eq!(
        left_out(Dialect::DuckDb),
        ["set-operation", "starts-a-word", "context", "endpoint"]
    );
    assert_eq!(left_out(Dialect::Spark), ["set-operation", "context", "endpoint"]);
    assert_eq!(left_out(Dialect::Trino), ["set-operation", "context", "endpoint"]);
    let sql = render_file(FIXTURE, Dialect::DuckDb);
    assert!(sql.contains(
        "  -- left out: starts-a-word (priority 60): its message pattern holds a word-boundary \
         assertion (\\<), which DuckDB cannot express\n"
    ));
    assert!(sql.contains("rules, 4 of them left out"));
    assert!(!sql.contains("THEN 'rate_limit.requests'") && !sql.contains("rpm"));
}

#[test]
fn literals_and_patterns_are_escaped_per_dialect() {
    assert_eq!(literal(r"it's \d", Dialect::DuckDb), r"'it''s \d'");
    assert_eq!(literal(r"it's \d", Dialect::Trino), r"'it''s \d'");
    assert_eq!(literal(r"it's \d", Dialect::Spark), r"'it\'s \\d'");
    let quoted = [
        (Dialect::DuckDb, r#"regexp_matches(COALESCE(message, ''), '(?i)it''s \d+ \\ "q"\b')"#),
        (
            Dialect::Spark,
            r#"COALESCE(message, '') RLIKE '(?i)it\'s \\d+ \\\\ "q"(?:(?<=\\w)(?!\\w)|(?<!\\w)(?=\\w))'"#,
        ),
        (
            Dialect::Trino,
            r#"regexp_like(COALESCE(message, ''), '(?i)it''s [0-9]+ \\ "q"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))')"#,
        ),
    ];
    for (dialect, want) in quoted {
        assert!(render_file(FIXTURE, dialect).contains(want), "{dialect:?}: {want}");
    }
}

#[test]
fn a_model_rule_decides_what_needs_no_catalog() {
    let sql = render_file(FIXTURE, Dialect::DuckDb);
    let line = sql.lines().find(|l| l.contains("THEN CASE (")).unwrap();
    assert!(line.contains(
        "regexp_extract(COALESCE(message, ''), '(?i)model ([^\\t-\\r ]+) does not exist', 1)"
    ));
    assert!(line.ends_with(
        "WHEN TRUE THEN 'model.fine_tune_unavailable' WHEN FALSE THEN '@model' ELSE 'model.no_access' END"
    ));
}

/// A rule name is the rules file's text: a line break in it must not end
/// the comment and run the rest as SQL.
#[test]
fn a_rule_name_cannot_leave_its_comment() {
    let file =
        "[[rule]]\nname = \"x\\nDROP TABLE t; --\"\ncause = \"quota.exhausted\"\ncode = [\"q\"]\n";
    for dialect in DIALECTS {
        let sql = render_file(file, dialect);
        assert!(sql.lines().all(|l| !l.starts_with("DROP")), "{sql}");
        assert!(sql.contains("  -- x DROP TABLE t; -- (priority 50)\n"));
    }
}

/// The output boundary redacts secrets: a rule holding one cannot be written
/// as it is, so it is left out rather than written redacted (wrong).
#[test]
fn a_rule_the_output_would_rewrite_is_left_out() {
    let key = "sk-proj-SECRETSECRETSECRETSECRET0123456789wxyz";
    let file =
        format!("[[rule]]\nname = \"k\"\ncause = \"auth.invalid_api_key\"\nmessage = '{key}'\n");
    for dialect in DIALECTS {
        let sql = render_file(&file, dialect);
        assert_eq!(branches(&sql), [("k".to_string(), true)]);
        assert!(sql.contains("output rewrites") && !sql.contains(key));
    }
}

/// The embedded rules: every one is a branch or left out, in the order
/// errlens tries them; only the endpoint rules are left out; the output
/// passes errlens's output boundary unchanged.
#[test]
fn the_embedded_rules_are_all_there_in_order() {
    let rules = RuleSet::compile(Taxonomy::get(), &[]).unwrap();
    let order: Vec<String> = rules.rules().iter().map(|r| r.name.clone()).collect();
    for dialect in DIALECTS {
        let sql = render_rules(&rules, dialect);
        let got = branches(&sql);
        assert_eq!(got.iter().map(|b| b.0.clone()).collect::<Vec<_>>(), order, "{dialect:?}");
        let left_out: Vec<&str> = got.iter().filter(|b| b.1).map(|b| b.0.as_str()).collect();
        let endpoint =
            ["azure_deployment", "azure_url", "azure_path"].map(|n| format!("status_only.404.{n}"));
        assert_eq!(left_out, endpoint, "{dialect:?}");
        assert_eq!(boundary::clean(&sql, false), sql, "{dialect:?}");
        assert!(sql.is_ascii());
    }
}

#[test]
fn the_header_says_what_it_reads_and_cannot_do() {
    let sql = render_file(FIXTURE, Dialect::Spark);
    let header = &sql[..sql.find("\nCASE\n").unwrap()];
    assert!(header.lines().all(|l| l.starts_with("--") && l.chars().count() <= WIDTH));
    assert!(header.starts_with(&format!("-- errlens {}: ", env!("CARGO_PKG_VERSION"))));
    assert!(header.contains("Spark SQL dialect"));
    for (column, _) in COLUMNS {
        assert!(header.contains(&format!("\n--   {column:<10}")), "{column}");
    }
    let words = header.split_whitespace().filter(|w| *w != "--").collect::<Vec<_>>().join(" ");
    for limit in LIMITS {
        assert!(words.contains(&limit.split_whitespace().collect::<Vec<_>>().join(" ")), "{limit}");
    }
}

/// Each pattern restated: RE2 keeps `\b` and `\d` and spells out `\s`;
/// the Java dialects read `\b`, `.` and `$` otherwise; Trino spells every
/// Perl class out. Named groups become numbered ones.
#[test]
fn patterns_are_restated_per_dialect() {
    let cases: [(&str, [&str; 3]); 9] = [
        (
            r"\bx\B",
            [
                r"\bx\B",
                concat!(r"(?:(?<=\w)(?!\w)|(?<!\w)(?=\w))x", r"(?:(?<=\w)(?=\w)|(?<!\w)(?!\w))"),
                concat!(
                    r"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))x",
                    r"(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))"
                ),
            ],
        ),
        (r"^a.b$", [r"^a.b$", r"^a[^\n]b\z", r"^a[^\n]b\z"]),
        (r"(?s:a.)\A\z", [r"(?s:a.)\A\z", r"(?:a[\s\S])\A\z", r"(?:a[\s\S])\A\z"]),
        (
            r"\d\s\S\w",
            [r"\d[\t-\r ][^\t-\r ]\w", r"\d\s\S\w", r"[0-9][\t-\r ][^\t-\r ][0-9A-Za-z_]"],
        ),
        (
            r"[\w\s-][^\d.]",
            [r"[\w\t-\r \-][^\d.]", r"[\w\s\-][^\d.]", r"[0-9A-Za-z_\t-\r \-][^0-9.]"],
        ),
        (r"[[:alpha:]&\]^]", [r"[A-Za-z\&\]\^]"; 3]),
        ("\u{e9}\t{1,2}x*?\\{\\.", [r"\x{E9}\x09{1,2}x*?\{\."; 3]),
        (
            r"(?i)a(?-u:b)(?i-s:c)",
            [r"(?i)a(?:b)(?i-s:c)", r"(?i)a(?:b)(?i:c)", r"(?i)a(?:b)(?i:c)"],
        ),
        (r"(?P<first>a)(b)(?<model>c)", [r"(a)(b)(c)"; 3]),
    ];
    for (input, wants) in cases {
        for (dialect, want) in DIALECTS.into_iter().zip(wants) {
            let got = pattern::translate(input, dialect).unwrap();
            assert_eq!(got.pattern, want, "{input} in {dialect:?}");
        }
    }
    let named = pattern::translate(r"(?P<first>a)(b)(?<model>c)", Dialect::Trino).unwrap().named;
    assert_eq!(named, [("first".to_string(), 1), ("model".to_string(), 3)]);
}

/// Constructs with no exact equivalent are refused, saying which.
#[test]
fn untranslatable_patterns_are_refused() {
    let refused = |pattern: &str, dialect| pattern::translate(pattern, dialect).unwrap_err();
    for dialect in DIALECTS {
        assert!(refused(r"a\xFF", dialect).contains("raw byte"));
        assert!(refused(r"\pL", dialect).contains("Unicode class"));
        assert!(refused(r"(?U)a*", dialect).contains("swapped greed"));
        assert!(refused(r"(?u)\w", dialect).contains("Unicode mode"));
        assert!(refused(r"[[:^alpha:]]", dialect).contains("negated ASCII class"));
        assert!(refused(r"[a[bc]]", dialect).contains("nested"));
        assert!(refused(r"[a-z--[aeiou]]", dialect).contains("set operation"));
        assert!(refused(r"(?R)a$", dialect).contains("CRLF"));
        assert!(refused(r"(", dialect).contains("does not parse"));
    }
    assert!(refused(r"a{1001}", Dialect::DuckDb).contains("1000"));
    assert!(refused(r"\b{start}a", Dialect::DuckDb).contains(r"\b{start}"));
    assert!(refused(r"[\S]", Dialect::DuckDb).contains("negated Perl class"));
    assert!(refused(r"[\S]", Dialect::Trino).contains("negated Perl class"));
    for dialect in [Dialect::Spark, Dialect::Trino] {
        assert!(refused(r"(?m)^a", dialect).contains("multi-line"));
        assert!(pattern::translate(r"a{1001}\b{start}", dialect).is_ok());
    }
    assert_eq!(pattern::translate(r"[\S]", Dialect::Spark).unwrap().pattern, r"[\S]");
    assert_eq!(pattern::translate(r"(?m)^a$", Dialect::DuckDb).unwrap().pattern, r"(?m)^a$");
}

/// The DuckDB patterns are RE2 syntax, which the regex crate reads too:
/// compiled as errlens compiles its own (bytes, no Unicode), each must match
/// exactly the texts of the test data its original matches and capture the
/// same `model`: the restating changed no meaning. (What RE2 itself does
/// with them is `tests/sql/run.sh`'s to check.)
#[test]
fn the_duckdb_patterns_match_what_errlens_matches() {
    let rules = RuleSet::compile(Taxonomy::get(), &[]).unwrap();
    let originals: Vec<&str> =
        rules.rules().iter().filter_map(|r| r.conditions().message.as_deref()).collect();
    let restated: Vec<Translated> =
        originals.iter().map(|p| pattern::translate(p, Dialect::DuckDb).unwrap()).collect();
    let set = |patterns: Vec<&str>| {
        regex::bytes::RegexSetBuilder::new(patterns)
            .unicode(false)
            .dfa_size_limit(64 << 20)
            .build()
            .unwrap()
    };
    let (before, after) =
        (set(originals.clone()), set(restated.iter().map(|t| t.pattern.as_str()).collect()));
    let texts = crate::classify::rules::tests::corpus();
    let mut matched = std::collections::BTreeSet::new();
    for text in &texts {
        let want: Vec<usize> = before.matches(text.as_bytes()).into_iter().collect();
        assert_eq!(
            after.matches(text.as_bytes()).into_iter().collect::<Vec<_>>(),
            want,
            "{text:?}"
        );
        for &i in &want {
            assert_same_model(originals[i], &restated[i], text);
        }
        matched.extend(want);
    }
    assert!(
        matched.len() * 10 >= originals.len() * 8,
        "{} of {} patterns reached",
        matched.len(),
        originals.len()
    );
}

fn assert_same_model(original: &str, restated: &Translated, text: &str) {
    let Some(&(_, group)) = restated.named.iter().find(|(n, _)| n == "model") else { return };
    let compile = |p: &str| regex::bytes::RegexBuilder::new(p).unicode(false).build().unwrap();
    let want = compile(original).captures(text.as_bytes()).and_then(|c| c.name("model"));
    let got =
        compile(&restated.pattern).captures(text.as_bytes()).and_then(|c| c.get(group as usize));
    assert_eq!(got.map(|m| m.as_bytes()), want.map(|m| m.as_bytes()), "{original} on {text:?}");
}
