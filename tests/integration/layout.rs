//! What a reader meets first: the actions, then the causes table, in every
//! format; text that fits its width, Markdown lines a chat client keeps,
//! grouped findings with per-subject figures.

use crate::util::{analyze_json, errlens, ok_stdout};

fn run(args: &[&str]) -> String {
    let mut all = vec!["analyze"];
    all.extend_from_slice(args);
    ok_stdout(&errlens(&all, None), 0)
}

fn samples() -> String {
    format!("{}/samples", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_first_screen_says_what_to_do() {
    let text = run(&[&samples()]);
    let screen: Vec<&str> = text.lines().take(40).collect();
    let at = |title: &str| screen.iter().position(|l| l.starts_with(title));
    let (actions, causes) = (at("WHAT TO DO NOW").unwrap(), at("    ROOT CAUSES").unwrap());
    assert!(actions < causes && actions < 10, "{screen:#?}");
    for n in 1..=5 {
        assert!(screen[actions + n].starts_with(&format!("  {n}. ")), "{}", screen[actions + n]);
    }
    assert!(screen[actions + 1].contains("Add credits for project proj_batch: 53 failures"));
    assert!(screen.iter().any(|l| l.starts_with("10  network.connection")), "{screen:#?}");
}

#[test]
fn text_lines_fit_100_columns_off_a_terminal() {
    let by = "key,model,provider";
    for args in
        [vec![], vec!["--full"], vec!["--by", by], vec!["--compare", "samples/aliases.jsonl"]]
    {
        let mut all = vec![samples()];
        all.extend(args.iter().map(|s| s.to_string()));
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let cwd = std::env::set_current_dir(env!("CARGO_MANIFEST_DIR"));
        assert!(cwd.is_ok());
        for line in run(&all).lines() {
            assert!(
                line.chars().count() <= 100,
                "{args:?}: {} chars: {line}",
                line.chars().count()
            );
        }
    }
}

#[test]
fn brief_and_verbose_choose_how_much_follows() {
    let brief = run(&[&samples(), "--brief"]);
    assert!(brief.contains("WHAT TO DO NOW") && brief.contains("ROOT CAUSES"));
    assert!(!brief.contains("FINDINGS") && !brief.contains("EVIDENCE AND FIX"), "{brief}");
    assert!(brief.lines().count() < 40, "{brief}");
    let normal = run(&[&samples()]);
    let verbose = run(&[&samples(), "--verbose"]);
    let fixes = |t: &str| t.lines().filter(|l| l.trim_start().starts_with("fix: 1.")).count();
    assert_eq!(fixes(&normal), 3);
    let causes = analyze_json(&[&samples()])["causes"].as_array().unwrap().len();
    assert_eq!(fixes(&verbose), causes);
    let markdown = run(&[&samples(), "--format", "markdown", "--brief"]);
    assert!(markdown.contains("## What to do now") && !markdown.contains("## Findings"));
    let out = errlens(&["analyze", &samples(), "--brief", "--verbose"], None);
    assert_eq!(out.status.code(), Some(2), "--brief and --verbose conflict");
}

#[test]
fn markdown_puts_actions_first_collapses_details_and_keeps_lines_short() {
    for extra in [&[][..], &["--verbose"][..], &["--by", "key,model"][..]] {
        let mut args = vec![samples(), "--format".into(), "markdown".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let md = run(&args);
        let pos = |s: &str| md.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(pos("## What to do now") < pos("## Root causes"));
        assert!(pos("## Root causes") < pos("## Findings"));
        assert!(md.contains("<details><summary>"));
        for line in md.lines() {
            assert!(
                line.chars().count() <= 300,
                "{extra:?}: {} chars: {line}",
                line.chars().count()
            );
        }
    }
}

#[test]
fn every_format_carries_the_actions() {
    let report = analyze_json(&[&samples()]);
    let actions = report["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 5);
    let first = &actions[0];
    assert_eq!(first["subject"], "project proj_batch");
    assert_eq!(first["retry_helps"], false);
    assert_eq!(first["failures"], 53);
    for a in actions {
        for field in ["owner", "failures", "retry_helps", "text"] {
            assert!(!a[field].is_null(), "{a}");
        }
    }
    let text = actions.iter().map(|a| a["text"].as_str().unwrap());
    let csv = run(&[&samples(), "--format", "csv", "--table", "actions"]);
    let html = run(&[&samples(), "--format", "html"]);
    for t in text {
        assert!(csv.contains(t), "csv lacks {t}");
        let escaped = t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(html.contains(&escaped), "html lacks {t}");
    }
}

#[test]
fn findings_are_grouped_with_figures_per_subject() {
    let report = analyze_json(&[&samples()]);
    let findings = report["findings"].as_array().unwrap();
    let mut kinds: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f["kind"].as_str().unwrap(), f["category"].as_str().unwrap_or("")))
        .collect();
    let n = kinds.len();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds.len(), n, "one finding per kind and cause");
    let quota = findings.iter().find(|f| f["category"] == "quota.exhausted").unwrap();
    let rows = quota["rows"].as_array().unwrap();
    assert_eq!(rows[0]["subject"], "proj_batch");
    assert_eq!(rows.len(), quota["subjects"].as_array().unwrap().len());
    let headroom = findings.iter().find(|f| f["category"] == "rate_limit.tokens").unwrap();
    let p50 = |model: &str| {
        let rows = headroom["rows"].as_array().unwrap();
        let row = rows.iter().find(|r| r["subject"].as_str().unwrap().starts_with(model)).unwrap();
        row["numbers"]["retry_after_p50_s"].as_f64().unwrap()
    };
    // Each model's retry-after is its own, not the cause's.
    assert_ne!(p50("gpt-4o TPM"), p50("gpt-5-mini TPM"));
}
