use super::*;

#[test]
fn globs_and_widths() {
    assert!(glob_match("quota.*", "quota.exhausted"));
    assert!(glob_match("*.typo", "model.typo"));
    assert!(glob_match("rate_limit.?????", "rate_limit.daily"));
    assert!(!glob_match("auth.*", "quota.exhausted"));
    assert_eq!(parse_globs("quota.*, auth.*").unwrap(), ["quota.*", "auth.*"]);
    assert!(parse_globs("qouta.*").unwrap_err().to_string().contains("qouta.*"));
    assert!(parse_globs(" , ").is_err());
    assert_eq!(parse_every("1h").unwrap(), 60);
    assert_eq!(parse_time("--since", "24h", 100 * 3_600_000).unwrap(), 76 * 3_600_000);
    assert_eq!(parse_time("--since", "2026-11-21T00:00:00Z", 0).unwrap(), 1_795_219_200_000);
    assert!(parse_time("--until", "yesterday", 0).unwrap_err().to_string().contains("--until"));
    let w = Window { since: Some(10), until: Some(20) };
    assert!(w.contains(Some(10)) && !w.contains(Some(20)) && !w.contains(None));
    assert!(Window::default().contains(None));
    assert!(parse_every("2h").is_err());
}

#[test]
fn breakdown_flags_need_the_breakdown_feature() {
    use clap::Parser;
    for flags in [["--by", "model"], ["--every", "1h"]] {
        let cli = Cli::parse_from([&["errlens", "analyze"][..], &flags, &["-"]].concat());
        let result = Config::from_cli(cli).map(|_| ()).map_err(|e| e.to_string());
        let expected = match cfg!(feature = "breakdown") {
            true => Ok(()),
            false => Err(crate::aggregate::breakdown::UNSUPPORTED.to_string()),
        };
        assert_eq!(result, expected, "{flags:?}");
    }
}

#[test]
fn threads_are_capped() {
    assert_eq!(threads(None, 2).unwrap(), 2);
    assert_eq!(threads(Some(3), 2).unwrap(), 3);
    assert_eq!(threads(Some(3000), 2).unwrap(), 8);
    assert_eq!(threads(Some(10_000), 128).unwrap(), MAX_THREADS);
    assert_eq!(threads(None, 1024).unwrap(), MAX_THREADS);
    assert!(threads(Some(0), 2).unwrap_err().to_string().contains("at least 1"));
}

#[test]
fn taxonomy_sql_takes_a_dialect_and_rules_files() {
    use crate::report::sql::Dialect;
    use clap::Parser;
    let task = |args: &[&str]| {
        let cli = Cli::try_parse_from([&["errlens", "taxonomy"][..], args].concat());
        Config::from_cli(cli.map_err(|e| Error::Usage(e.to_string()))?).map(|c| c.task)
    };
    let dialect = |args: &[&str]| match task(args) {
        Ok(Task::RulesSql { dialect }) => Some(dialect),
        _ => None,
    };
    assert_eq!(dialect(&["--format", "sql"]), Some(Dialect::DuckDb));
    assert_eq!(dialect(&["--format", "sql", "--dialect", "spark"]), Some(Dialect::Spark));
    assert_eq!(dialect(&["--format", "sql", "--dialect", "trino"]), Some(Dialect::Trino));
    assert!(task(&["--format", "sql", "--dialect", "mysql"]).is_err());
    let refused = |args: &[&str]| task(args).unwrap_err().to_string();
    assert!(refused(&["--dialect", "spark"]).contains("--dialect applies to --format sql only"));
    assert!(refused(&["--format", "json", "--rules", "r.toml"]).contains("--format sql only"));
    assert!(refused(&["--format", "sql", "--rules", "/nonexistent/r.toml"]).contains("r.toml"));
    assert!(matches!(task(&[]), Ok(Task::Taxonomy { format: DocFormat::Text })));
    // `explain` has no SQL to write.
    assert!(Cli::try_parse_from(["errlens", "explain", "--format", "sql", "x"]).is_err());
}

#[test]
fn parquet_is_never_written_to_a_terminal() {
    let refused = check_binary(RecordFormat::Parquet, true).unwrap_err().to_string();
    assert!(refused.contains("-o FILE.parquet"), "{refused}");
    assert!(check_binary(RecordFormat::Parquet, false).is_ok(), "a pipe or a file");
    for text in [RecordFormat::Jsonl, RecordFormat::Csv] {
        assert!(check_binary(text, true).is_ok());
    }
}

#[test]
fn classify_format_comes_from_the_flag_then_the_name() {
    use clap::Parser;
    let format = |args: &[&str]| {
        let cli = Cli::parse_from([&["errlens", "classify", "-"][..], args].concat());
        match Config::from_cli(cli).map(|c| c.task) {
            Ok(Task::Classify { format, .. }) => Some(format),
            _ => None,
        }
    };
    let dir = std::env::temp_dir();
    let out = |name: &str| dir.join(name).to_str().unwrap().to_string();
    assert_eq!(format(&["-o", &out("f.parquet")]), Some(RecordFormat::Parquet));
    assert_eq!(format(&["-o", &out("f.csv")]), Some(RecordFormat::Csv));
    assert_eq!(format(&["-o", &out("f.jsonl")]), Some(RecordFormat::Jsonl));
    assert_eq!(format(&["--format", "csv", "-o", &out("f.parquet")]), Some(RecordFormat::Csv));
}
