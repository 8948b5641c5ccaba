//! The record writers on hand-built rows: the Parquet file read back with the
//! parquet crate's reader (schema, types, nulls, values, row groups), CSV
//! quoting and formula guards, the JSONL fields, and the schema table the
//! README documents.

use std::collections::BTreeMap;

use ::parquet::basic::{ConvertedType, LogicalType, Repetition, Type as Physical};
use ::parquet::file::reader::{FileReader, SerializedFileReader};
use ::parquet::record::Field;

use super::schema::{COLUMNS, Cell, Kind, Row, SCHEMA_ID, SCHEMA_KEY};
use super::*;

const KEY: &str = "sk-proj-SECRETSECRETSECRETSECRET0123456789wxyz";

fn files() -> Vec<Redacted> {
    vec![Redacted::text("logs/app.jsonl"), Redacted::text("b,\"odd\".jsonl")]
}

/// A failure with every field and the common evidence set.
fn full() -> Classified {
    let evidence = [
        ("limit", "30000"),
        ("used", "29937"),
        ("requested", "385"),
        ("dimension", "TPM"),
        ("retry_after_s", "0.644"),
        ("max_context", "128000"),
        ("requested_tokens", "130001"),
        ("prompt_tokens", "129000"),
        ("completion_tokens", "1001"),
        ("max_tokens", "4096"),
        ("max_output", "16384"),
        ("suggestion", "gpt-4o"),
        ("replacement", "gpt-4.1"),
        ("shutdown_date", "2025-07-14"),
        ("param", "messages"),
        ("api_version", "2024-10-21"),
        ("failing_host", "gw.example"),
        ("key_hint", "a placeholder, not a real key"),
        ("status_only", "true"),
        ("model", "gtp-4o"),
        ("note", "caution"),
    ];
    Classified {
        file: 0,
        line: 7,
        request_id: Some(Redacted::text("req_1")),
        ts: Some(1_795_255_201_250),
        key: Some(Redacted::key(KEY)),
        org: Some(Redacted::text("org-1")),
        project: Some(Redacted::text("p1")),
        user: Some(Redacted::text("u1")),
        provider: Some(Redacted::text("openai")),
        endpoint: Some(Redacted::text("/v1/chat/completions")),
        model: Some(Redacted::text("gpt-4o")),
        status: Some(429),
        status_inferred: true,
        category: "rate_limit.tokens",
        group: Some("rate_limit"),
        owner: Some("you"),
        retry: Some("backoff"),
        message: Some(Redacted::text("Rate limit reached, \"quoted\",\nnext line")),
        signature: Some(Redacted::text("=SUM(A1)")),
        evidence: evidence.iter().map(|(k, v)| (k.to_string(), Redacted::text(v))).collect(),
    }
}

/// A success with nothing but what every row has, and a number that is not one.
fn sparse() -> Classified {
    let mut evidence = BTreeMap::new();
    evidence.insert("limit".to_string(), Redacted::text("about 30k"));
    Classified {
        file: 1,
        line: 1,
        request_id: None,
        ts: None,
        key: None,
        org: None,
        project: None,
        user: None,
        provider: None,
        endpoint: None,
        model: None,
        status: None,
        status_inferred: false,
        category: "success",
        group: None,
        owner: None,
        retry: None,
        message: None,
        signature: None,
        evidence,
    }
}

fn written(format: RecordFormat, rows: &[Classified]) -> Vec<u8> {
    let names = files();
    let mut out = Vec::new();
    let mut w = writer(format, &names, &mut out).unwrap();
    for row in rows {
        w.write(row.clone()).unwrap();
    }
    w.finish().unwrap();
    out
}

fn parquet_with(
    limits: parquet::Limits,
    rows: &[Classified],
) -> SerializedFileReader<std::fs::File> {
    let names = files();
    let mut out = Vec::new();
    let mut w: Box<dyn RecordWriter> =
        Box::new(parquet::ParquetWriter::new(&names, &mut out, limits).unwrap());
    for row in rows {
        w.write(row.clone()).unwrap();
    }
    w.finish().unwrap();
    let path = std::env::temp_dir().join(format!(
        "errlens-records-{}-{}.parquet",
        std::process::id(),
        rows.len()
    ));
    std::fs::write(&path, &out).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    SerializedFileReader::new(file).unwrap()
}

fn fields(reader: &SerializedFileReader<std::fs::File>) -> Vec<BTreeMap<String, Field>> {
    reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap().get_column_iter().map(|(name, f)| (name.clone(), f.clone())).collect()
        })
        .collect()
}

#[test]
fn parquet_schema_is_the_documented_one() {
    let reader = parquet_with(parquet::Limits::DEFAULT, &[full()]);
    let meta = reader.metadata().file_metadata();
    let kv = meta.key_value_metadata().unwrap();
    assert!(kv.iter().any(|k| k.key == SCHEMA_KEY && k.value.as_deref() == Some(SCHEMA_ID)));
    let schema = meta.schema_descr();
    assert_eq!(schema.num_columns(), COLUMNS.len());
    for (i, column) in COLUMNS.iter().enumerate() {
        let c = schema.column(i);
        assert_eq!(c.name(), column.name);
        let repetition = c.self_type().get_basic_info().repetition();
        let want = if column.nullable { Repetition::OPTIONAL } else { Repetition::REQUIRED };
        assert_eq!(repetition, want, "{}", column.name);
        let (physical, converted) = match column.kind {
            Kind::Text => (Physical::BYTE_ARRAY, ConvertedType::UTF8),
            Kind::Json => (Physical::BYTE_ARRAY, ConvertedType::JSON),
            Kind::Int64 => (Physical::INT64, ConvertedType::NONE),
            Kind::Int32 => (Physical::INT32, ConvertedType::NONE),
            Kind::Double => (Physical::DOUBLE, ConvertedType::NONE),
            Kind::Bool => (Physical::BOOLEAN, ConvertedType::NONE),
            Kind::Timestamp => (Physical::INT64, ConvertedType::TIMESTAMP_MICROS),
        };
        assert_eq!((c.physical_type(), c.converted_type()), (physical, converted), "{}", c.name());
        if column.kind == Kind::Timestamp {
            assert!(
                matches!(c.logical_type_ref(), Some(LogicalType::Timestamp(t)) if t.is_adjusted_to_u_t_c)
            );
        }
    }
}

#[test]
fn parquet_reads_back_values_and_nulls() {
    let reader = parquet_with(parquet::Limits::DEFAULT, &[full(), sparse()]);
    let rows = fields(&reader);
    assert_eq!(rows.len(), 2);
    let (a, b) = (&rows[0], &rows[1]);
    assert_eq!(a["file"], Field::Str("logs/app.jsonl".into()));
    assert_eq!(a["line"], Field::Long(7));
    assert_eq!(a["ts"], Field::TimestampMicros(1_795_255_201_250_000));
    assert_eq!(a["status"], Field::Int(429));
    assert_eq!(a["status_inferred"], Field::Bool(true));
    assert_eq!(a["group"], Field::Str("rate_limit".into()));
    assert_eq!(a["limit"], Field::Long(30000));
    assert_eq!(a["retry_after_s"], Field::Double(0.644));
    assert_eq!(a["suggestion"], Field::Str("gpt-4o".into()));
    assert_eq!(a["status_only"], Field::Bool(true));
    assert_eq!(a["evidence"], Field::Str(r#"{"model":"gtp-4o","note":"caution"}"#.into()));
    let Field::Str(key) = &a["key"] else { panic!("key is text: {:?}", a["key"]) };
    assert!(key.starts_with("sk-proj-...wxyz#") && !key.contains("SECRET"), "{key}");
    assert_eq!(b["file"], Field::Str("b,\"odd\".jsonl".into()));
    assert_eq!(b["category"], Field::Str("success".into()));
    assert_eq!(b["status_inferred"], Field::Bool(false));
    for null in ["ts", "key", "status", "group", "owner", "message", "limit", "status_only"] {
        assert_eq!(b[null], Field::Null, "{null}");
    }
    // A value that is not a number stays, as text, in the evidence object.
    assert_eq!(b["evidence"], Field::Str(r#"{"limit":"about 30k"}"#.into()));
}

#[test]
fn parquet_row_groups_are_bounded() {
    let rows: Vec<Classified> = (0..7)
        .map(|i| Classified { line: i, ..if i % 2 == 0 { full() } else { sparse() } })
        .collect();
    let by_rows = parquet_with(parquet::Limits { rows: 3, bytes: usize::MAX }, &rows);
    let sizes: Vec<i64> = by_rows.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
    assert_eq!(sizes, [3, 3, 1]);
    let lines: Vec<Field> = fields(&by_rows).iter().map(|r| r["line"].clone()).collect();
    assert_eq!(lines, (0..7).map(Field::Long).collect::<Vec<_>>(), "input order");
    let by_bytes = parquet_with(parquet::Limits { rows: 1000, bytes: 1 }, &rows);
    assert_eq!(by_bytes.metadata().num_row_groups(), 7);
    let empty = parquet_with(parquet::Limits::DEFAULT, &[]);
    assert_eq!(empty.metadata().file_metadata().num_rows(), 0);
}

#[test]
fn every_cell_has_its_column_kind() {
    let names = files();
    for record in [full(), sparse()] {
        let row = Row { file: &names[record.file as usize], record: &record };
        for column in COLUMNS {
            let cell = column.cell(&row);
            let fits = match (&cell, column.kind) {
                (Cell::Null, _) => column.nullable,
                (Cell::Text(_), Kind::Text | Kind::Json) => true,
                (Cell::Int(_), Kind::Int64) => true,
                (Cell::Int(n), Kind::Int32) => i32::try_from(*n).is_ok(),
                (Cell::Double(_), Kind::Double) => true,
                (Cell::Bool(_), Kind::Bool) => true,
                (Cell::Micros(_), Kind::Timestamp) => true,
                _ => false,
            };
            assert!(fits, "{}: {cell:?}", column.name);
        }
    }
    let record = full();
    let row = Row { file: &names[0], record: &record };
    let nulls: Vec<&str> =
        COLUMNS.iter().filter(|c| c.cell(&row) == Cell::Null).map(|c| c.name).collect();
    assert!(nulls.is_empty(), "a full row has every column: {nulls:?}");
}

#[test]
fn csv_has_the_schema_columns_quoted() {
    let out = String::from_utf8(written(RecordFormat::Csv, &[full(), sparse()])).unwrap();
    let header = out.lines().next().unwrap();
    assert_eq!(header, COLUMNS.iter().map(|c| c.name).collect::<Vec<_>>().join(","));
    assert!(out.contains("logs/app.jsonl,7,2026-11-21T10:00:01.250000Z,req_1,sk-proj-...wxyz#"));
    assert!(out.contains(",429,true,rate_limit.tokens,rate_limit,you,backoff,"));
    assert!(
        out.contains(",\"Rate limit reached, \"\"quoted\"\",\nnext line\",'=SUM(A1),"),
        "{out}"
    );
    assert!(out.contains(",30000,29937,385,TPM,0.644,128000,"), "{out}");
    assert!(out.ends_with(",\"{\"\"limit\"\":\"\"about 30k\"\"}\"\n"), "{out}");
    assert!(out.contains("\n\"b,\"\"odd\"\".jsonl\",1,,,,,,,,,,,false,success,,,,,,"), "{out}");
    assert!(!out.contains("SECRET"));
}

#[test]
fn jsonl_keeps_its_fields_and_adds_the_new_ones() {
    let out = String::from_utf8(written(RecordFormat::Jsonl, &[full()])).unwrap();
    let row: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
    for (name, value) in [
        ("schema_version", serde_json::json!(1)),
        ("file", "logs/app.jsonl".into()),
        ("line", 7.into()),
        ("ts", "2026-11-21T10:00:01.250Z".into()),
        ("org", "org-1".into()),
        ("user", "u1".into()),
        ("provider", "openai".into()),
        ("endpoint", "/v1/chat/completions".into()),
        ("status_inferred", true.into()),
        ("group", "rate_limit".into()),
    ] {
        assert_eq!(row[name], value, "{name}");
    }
    assert_eq!(row["evidence"]["limit"], "30000", "every evidence value, as before");
    assert_eq!(row["evidence"]["model"], "gtp-4o");
    for kept in ["request_id", "key", "project", "model", "status", "category", "owner", "retry"] {
        assert!(row.get(kept).is_some(), "{kept}");
    }
}

#[test]
fn formats_from_the_output_name() {
    use std::path::Path;
    for (name, format) in [
        ("failures.parquet", RecordFormat::Parquet),
        ("F.PQ", RecordFormat::Parquet),
        ("f.csv", RecordFormat::Csv),
        ("f.jsonl", RecordFormat::Jsonl),
        ("f.json", RecordFormat::Jsonl),
        ("rows", RecordFormat::Jsonl),
    ] {
        assert_eq!(RecordFormat::from_path(Path::new(name)), format, "{name}");
    }
}

#[test]
fn readme_documents_this_schema() {
    let readme = include_str!("../../../README.md");
    assert!(
        readme.contains(&schema::markdown_table()),
        "README.md's classify schema table differs from the schema; the table is:\n{}",
        schema::markdown_table()
    );
    assert!(readme.contains(SCHEMA_ID));
}
