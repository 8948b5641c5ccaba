//! `errlens taxonomy --format sql`: the binary writes the rules in force
//! (with `--rules` files) in each dialect; wrong flag combinations are
//! usage errors. The SQL itself is checked by the renderer's tests and, in
//! DuckDB, by `tests/sql/run.sh`.

use super::util::*;

#[test]
fn rules_files_flow_into_the_sql_of_every_dialect() {
    let dir = TempDir::new("sql-rules");
    let rules = dir.write(
        "extra.toml",
        "[[rule]]\nname = \"teapot\"\ncause = \"server.overloaded\"\npriority = 99\nstatus = [418]\n",
    );
    for dialect in ["duckdb", "spark", "trino"] {
        let args = ["taxonomy", "--format", "sql", "--dialect", dialect, "--rules"];
        let sql = ok_stdout(&errlens(&[&args[..], &[rules.to_str().unwrap()]].concat(), None), 0);
        let teapot =
            sql.find("  -- teapot (priority 99)\n  WHEN status = 418 THEN 'server.overloaded'\n");
        let tier = sql.find("  -- quota.tier_not_enabled (priority 98)\n");
        assert!(teapot.is_some() && teapot < tier, "{dialect}: the extra rule, in priority order");
        assert!(sql.ends_with("  ELSE 'unclassified'\nEND\n"));
    }
    let default = ok_stdout(&errlens(&["taxonomy", "--format", "sql"], None), 0);
    assert!(default.contains("DuckDB dialect") && !default.contains("teapot"));
}

#[test]
fn sql_flags_are_checked() {
    let usage = |args: &[&str]| {
        let out = errlens(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(usage(&["taxonomy", "--dialect", "trino"]).contains("--format sql"));
    assert!(usage(&["taxonomy", "--format", "sql", "--dialect", "mysql"]).contains("mysql"));
    assert!(
        usage(&["taxonomy", "--format", "sql", "--rules", "no-such-file.toml"])
            .contains("no-such-file.toml")
    );
    assert!(usage(&["explain", "--format", "sql", "Rate limit reached"]).contains("sql"));
    let bad = TempDir::new("sql-bad-rules");
    let rules = bad.write("bad.toml", "[[rule]]\nname = \"b\"\ncause = \"nope\"\n");
    assert!(
        usage(&["taxonomy", "--format", "sql", "--rules", rules.to_str().unwrap()])
            .contains("nope")
    );
}
