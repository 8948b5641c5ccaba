//! `classify --format jsonl|csv|parquet` on the bundled samples (issue 13):
//! one row per failure in each format, the format told by `-o`'s name, the
//! Parquet file read back and counted against the JSON report.

use std::collections::BTreeMap;
use std::path::Path;

use parquet::record::Field;

use super::util::*;

fn samples() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples").to_str().unwrap().to_string()
}

/// Failures per cause in the JSON report of `samples/`.
fn report_causes() -> BTreeMap<String, u64> {
    let report = analyze_json(&["--full", &samples()]);
    let causes = report["causes"].as_array().unwrap();
    causes
        .iter()
        .map(|c| (c["category"].as_str().unwrap().to_string(), c["count"].as_u64().unwrap()))
        .collect()
}

fn text(field: &Field) -> &str {
    match field {
        Field::Str(s) => s,
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn parquet_counts_match_the_json_report() {
    let dir = TempDir::new("records-parquet");
    let path = dir.path().join("failures.parquet");
    let out = errlens(&["classify", &samples(), "-o", path.to_str().unwrap()], None);
    assert_eq!(ok_stdout(&out, 0), "", "all output went to the file");
    let rows = parquet_rows(&path);
    let mut counts = BTreeMap::new();
    for row in &rows {
        let category = row.iter().find(|(k, _)| k == "category").map(|(_, v)| text(v)).unwrap();
        *counts.entry(category.to_string()).or_insert(0u64) += 1;
    }
    let want = report_causes();
    assert!(want.len() > 40, "the samples hold most causes: {want:?}");
    assert_eq!(counts, want);
    let names: Vec<&str> = rows[0].iter().map(|(k, _)| k.as_str()).collect();
    let schema: Vec<&str> =
        errlens::report::records::schema::COLUMNS.iter().map(|c| c.name).collect();
    assert_eq!(names, schema);
}

#[test]
fn every_format_has_one_row_per_failure() {
    let dir = TempDir::new("records-formats");
    let jsonl = ok_stdout(&errlens(&["classify", &samples()], None), 0);
    let failures: u64 = report_causes().values().sum();
    assert_eq!(jsonl.lines().count() as u64, failures);
    let csv_path = dir.path().join("failures.csv");
    ok_stdout(&errlens(&["classify", &samples(), "-o", csv_path.to_str().unwrap()], None), 0);
    let csv = csv_records(&std::fs::read_to_string(&csv_path).unwrap());
    let columns = &errlens::report::records::schema::COLUMNS;
    assert_eq!(csv[0], columns.iter().map(|c| c.name).collect::<Vec<_>>());
    assert_eq!(csv.len() as u64, failures + 1, "a header, then a record per failure");
    assert!(csv.iter().all(|r| r.len() == columns.len()), "every record has every column");
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(csv[1][0], first["file"].as_str().unwrap());
    assert_eq!(csv[1][1], first["line"].to_string());
    let category = columns.iter().position(|c| c.name == "category").unwrap();
    let mut counts = BTreeMap::new();
    for record in &csv[1..] {
        *counts.entry(record[category].clone()).or_insert(0u64) += 1;
    }
    assert_eq!(counts, report_causes());
    let all = ok_stdout(&errlens(&["classify", "--all", "--format", "csv", &samples()], None), 0);
    assert!(all.contains(",success,"));
}

#[test]
fn the_output_name_tells_the_format() {
    let dir = TempDir::new("records-names");
    let s = samples();
    for (name, flags, starts) in [
        ("a.parquet", vec![], &b"PAR1"[..]),
        ("b.PQ", vec![], b"PAR1"),
        ("c.csv", vec![], b"file,line,"),
        ("d.jsonl", vec![], b"{\"schema_version\":1,"),
        ("e.out", vec![], b"{\"schema_version\":1,"),
        ("f.parquet", vec!["--format", "csv"], b"file,line,"),
        ("g.csv", vec!["--format", "parquet"], b"PAR1"),
    ] {
        let path = dir.path().join(name);
        let mut args = vec!["classify", &s, "-o", path.to_str().unwrap()];
        args.extend(flags);
        ok_stdout(&errlens(&args, None), 0);
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(starts), "{name}: {:?}", &bytes[..8]);
        if starts == b"PAR1" {
            assert!(bytes.ends_with(b"PAR1"), "{name}: a whole Parquet file");
        }
    }
}

#[test]
fn parquet_streams_to_a_pipe() {
    let dir = TempDir::new("records-pipe");
    let log = dir.write(
        "app.jsonl",
        "{\"ts\":\"2026-11-21T10:00:01Z\",\"status\":429,\"error\":{\"message\":\"Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29937, Requested 385.\",\"code\":\"rate_limit_exceeded\"}}\n",
    );
    let out = errlens(&["classify", "--format", "parquet", log.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.starts_with(b"PAR1") && out.stdout.ends_with(b"PAR1"));
    let path = dir.write("piped.parquet", &out.stdout);
    let rows = parquet_rows(&path);
    assert_eq!(rows.len(), 1);
    let get = |k: &str| rows[0].iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_eq!(get("category"), Field::Str("rate_limit.tokens".into()));
    assert_eq!(get("limit"), Field::Long(30000));
    assert_eq!(get("dimension"), Field::Str("TPM".into()));
    assert_eq!(get("line"), Field::Long(1));
}
