#!/usr/bin/env bash
# The SQL export run in DuckDB: errlens classifies the canonical samples, the
# CASE of `errlens taxonomy --format sql --dialect duckdb` classifies the same
# records, and every failure whose error is a plain OpenAI body must get the
# same cause from both (tests/sql/agree.py says what "plain" means and prints
# the agreement). Needs python3 (3.9+) with venv; installs duckdb into a
# virtualenv under target/ on the first run and reuses it.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/sql-venv
if ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check duckdb
fi

cargo build --quiet --bin errlens
# A hard link to this build (a copy across file systems): a build of another
# checkout sharing CARGO_TARGET_DIR can replace the binary while this runs.
bin="$venv/errlens"
ln -f "${CARGO_TARGET_DIR:-target}/debug/errlens" "$bin" 2>/dev/null \
  || cp -f "${CARGO_TARGET_DIR:-target}/debug/errlens" "$bin"

"$venv/bin/python" tests/sql/agree.py --errlens "$bin" samples/*.jsonl samples/*.jsonl.gz
