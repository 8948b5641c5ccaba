#!/usr/bin/env bash
# Issue 13's acceptance check, outside Rust: `errlens classify samples/ -o failures.parquet`
# opens in DuckDB with the schema README.md documents (names, types, nullability, the
# schema id in the footer), and its failures per category are the JSON report's causes.
#
# Makes a virtualenv with the duckdb package under the cargo target folder (reused when
# there), builds errlens (or tests the binary ERRLENS names), then runs check.py.
set -euo pipefail
cd "$(dirname "$0")/../.."

target="${CARGO_TARGET_DIR:-target}"
venv="$target/records-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check duckdb
fi

if [ -z "${ERRLENS:-}" ]; then
  cargo build --quiet
  ERRLENS="$target/debug/errlens"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$ERRLENS" classify samples/ -o "$work/failures.parquet"
"$ERRLENS" analyze samples/ --format json --full -o "$work/report.json"
"$venv/bin/python" tests/records/check.py "$work/failures.parquet" "$work/report.json" README.md
