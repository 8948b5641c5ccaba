"""Checks a `classify` Parquet file in DuckDB against README.md's schema table and
against the JSON report of the same input: python3 check.py FILE.parquet REPORT.json README.md

Exits 1, saying what differs, when a column's name, order, DuckDB type or nullability
is not the documented one, when the footer lacks the schema id, or when the failures
per category differ from the report's per-cause counts.
"""

import json
import re
import sys

import duckdb

START, END = "<!-- records-schema:start -->", "<!-- records-schema:end -->"


def documented(readme):
    """(name, DuckDB type, nullable) per row of the README's schema table, and the schema id."""
    text = open(readme, encoding="utf-8").read()
    table = text[text.index(START) + len(START) : text.index(END)]
    rows = []
    for line in table.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append((cells[0].strip("`"), cells[2], cells[3] == "yes"))
    schema_id = re.search(r"`(errlens\.records/\d+)`", text).group(1)
    return rows, schema_id


def actual(con, parquet):
    """(name, DuckDB type, nullable) per column of the file, and its key-value metadata."""
    types = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [parquet]).fetchall()
    repetition = dict(
        con.execute(
            "SELECT name, repetition_type FROM parquet_schema(?) WHERE num_children IS NULL",
            [parquet],
        ).fetchall()
    )
    columns = [(name, kind, repetition[name] == "OPTIONAL") for name, kind, *_ in types]
    kv = con.execute("SELECT key, value FROM parquet_kv_metadata(?)", [parquet]).fetchall()
    metadata = {bytes(k).decode(): bytes(v).decode() for k, v in kv}
    return columns, metadata


def main(parquet, report_path, readme):
    con = duckdb.connect()
    problems = []
    want_columns, schema_id = documented(readme)
    columns, metadata = actual(con, parquet)
    if columns != want_columns:
        for i, (want, got) in enumerate(zip(want_columns, columns)):
            if want != got:
                problems.append(f"column {i + 1}: documented {want}, file has {got}")
        if len(columns) != len(want_columns):
            problems.append(f"{len(want_columns)} columns documented, {len(columns)} in the file")
    if metadata.get("errlens.schema") != schema_id:
        problems.append(f"footer errlens.schema is {metadata.get('errlens.schema')!r}, not {schema_id!r}")
    report = json.load(open(report_path, encoding="utf-8"))
    want = {c["category"]: c["count"] for c in report["causes"]}
    got = dict(
        con.execute("SELECT category, count(*) FROM read_parquet(?) GROUP BY category", [parquet]).fetchall()
    )
    for category in sorted(set(want) | set(got)):
        if want.get(category) != got.get(category):
            problems.append(f"{category}: report {want.get(category)}, Parquet {got.get(category)}")
    rows = sum(got.values())
    print(f"duckdb {duckdb.__version__}: {len(columns)} columns, footer {metadata.get('errlens.schema')}")
    print(f"{rows} rows in {len(got)} categories; report: {report['summary']['failures']} failures in {len(want)} causes")
    for p in problems:
        print("MISMATCH", p)
    checks = len(want_columns) + 1 + len(set(want) | set(got))
    print(f"records: {checks - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
