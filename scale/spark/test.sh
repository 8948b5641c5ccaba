#!/usr/bin/env bash
# The Spark job (scale/spark/errlens_job.py) on Spark in local mode: its report, merged
# from the parts' states, must be byte-identical to one errlens run over the same inputs.
# Needs Java 17 and Python 3.10+; installs pyspark into a virtual environment under
# target/spark-venv (reused). Skipped, exit 0, only when java is absent.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
SECONDS=0
PYSPARK_VERSION=4.0.1 # Spark 4.0: Java 17 and 21

if ! command -v java >/dev/null 2>&1; then
  echo "scale/spark/test.sh: SKIPPED: java is not on PATH (the Spark job test needs Java 17)"
  exit 0
fi

venv="$root/target/spark-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION"
export PATH="$venv/bin:$PATH" PYSPARK_PYTHON="$venv/bin/python"
export PYSPARK_DRIVER_PYTHON="$venv/bin/python"
# Fixes the reports' "generated at" and what --since 36h means, on every side.
export SOURCE_DATE_EPOCH=1795305600 # 2026-11-22T00:00:00Z
export LC_ALL=C                     # the shell sorts globs bytewise, as the job does

work="$root/target/spark-test"
rm -rf "$work"
mkdir -p "$work"

echo "== unit tests of the job's pure parts"
python -m unittest scale/spark/test_errlens_job.py 2>&1 | tail -1

echo "== cargo build (debug)"
built=$SECONDS
cargo build --quiet
built=$((SECONDS - built))
echo "   ${built}s"
target_dir="$(cargo metadata --format-version 1 --no-deps |
  python -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
# A copy of our own: a target folder shared with other builds may change under the test.
cp "$target_dir/debug/errlens" "$work/errlens"
errlens="$work/errlens"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# job NAME ARGS...: the job on local[2]; Spark's log in $work/NAME.log; sets $rc.
job() {
  local name=$1
  shift
  local started=$SECONDS
  rc=0
  spark-submit --master 'local[2]' ${SPARK_CONF:-} scale/spark/errlens_job.py \
    --errlens "$errlens" "$@" >"$work/$name.log" 2>&1 || rc=$?
  echo "   $name: job exit $rc in $((SECONDS - started))s; $(grep '^errlens-job: .* parts' \
    "$work/$name.log" || echo 'no parts')"
}

# same A B WHAT: A and B byte-identical, else the difference and exit 1.
same() {
  if ! cmp -s "$1" "$2"; then
    diff "$1" "$2" | head -20 >&2 || true
    fail "$3: the Spark job's report differs from the single-machine one"
  fi
  echo "   $3: identical ($(wc -c <"$1") bytes)"
}

# expect_rc WANT NAME: the job's exit code, with its log when it is not WANT.
expect_rc() {
  if [ "$rc" != "$1" ]; then
    tail -40 "$work/$2.log" >&2
    fail "$2: the job exited $rc, not $1"
  fi
}

# A folder whose walk order and names differ from a plain sort: `a/` is walked before
# `a-b.jsonl`; hidden names and non-log names are skipped; rotated and .gz logs are read;
# a symlink to a file read already and a symlink loop are skipped, as errlens does.
tree="target/spark-test/tree"
mkdir -p "$tree/a" "$tree/.hidden"
cp samples/aliases.jsonl "$tree/a/x.jsonl"
cp samples/broken.jsonl "$tree/a-b.jsonl"
cp samples/formats/helicone.jsonl "$tree/a.jsonl"
cp samples/formats/portkey.jsonl "$tree/app.log.1"
cp samples/aliases.jsonl "$tree/.hidden/y.jsonl"
cp samples/aliases.jsonl "$tree/notes.md"
gzip -9nc samples/formats/otlp.jsonl >"$tree/b.jsonl.gz"
ln -s a.jsonl "$tree/link.jsonl"
ln -s . "$tree/loop"

parquet_args=()
if "$errlens" classify --help | grep -qi parquet; then
  parquet_args=(--parquet-dir "$work/a-parquet")
fi

echo "== samples/ and a tricky folder, 4 parts: JSON, then text from the kept states"
job a --partitions 4 --states-dir "$work/a-states" "${parquet_args[@]}" samples/ "$tree" \
  -- --format json -o "$work/a-job.json"
expect_rc 0 a
"$errlens" analyze samples/ "$tree" --format json -o "$work/a-one.json"
same "$work/a-job.json" "$work/a-one.json" "json"
states=("$work"/a-states/part-*.state)
[ "${#states[@]}" = 4 ] || fail "a: ${#states[@]} states kept, not 4"
"$errlens" analyze "${states[@]}" --format text -o "$work/a-merged.txt"
"$errlens" analyze samples/ "$tree" --format text -o "$work/a-one.txt"
same "$work/a-merged.txt" "$work/a-one.txt" "text"

echo "== 7 parts, --by key,model --every 1h --since 36h --rules --fail-on 'quota.*' (exit 1)"
# A rule shipped to the executors: a state folded without it would not merge.
cat >"$work/extra-rules.toml" <<'EOF'
[[rule]]
name = "test.quota_wording"
cause = "quota.exhausted"
priority = 95
message = '(?i)exceeded your current quota'
EOF
fold=(--by key,model --every 1h --since 36h --rules "$work/extra-rules.toml")
job b --partitions 7 --states-dir "$work/b-states" "${fold[@]}" samples/ \
  -- --format json -o "$work/b-job.json" --fail-on 'quota.*'
expect_rc 1 b
one_rc=0
"$errlens" analyze samples/ "${fold[@]}" --format json -o "$work/b-one.json" \
  --fail-on 'quota.*' || one_rc=$?
[ "$one_rc" = 1 ] || fail "b: the single-machine run exited $one_rc, not 1"
same "$work/b-job.json" "$work/b-one.json" "json --by --every --since --rules"
"$errlens" analyze "$work"/b-states/part-*.state "${fold[@]}" --format text -o "$work/b-merged.txt"
"$errlens" analyze samples/ "${fold[@]}" --format text -o "$work/b-one.txt"
same "$work/b-merged.txt" "$work/b-one.txt" "text --by --every --since --rules"

echo "== globs, every file read by Spark's binaryFiles and copied (as s3a:// etc. are)"
SPARK_CONF="--conf spark.files.openCostInBytes=1" \
  job c --partitions 4 --copy-inputs 'samples/formats/*.jsonl' 'samples/*.jsonl*' \
  -- --format json -o "$work/c-job.json"
expect_rc 0 c
"$errlens" analyze samples/formats/*.jsonl samples/*.jsonl* --format json -o "$work/c-one.json"
same "$work/c-job.json" "$work/c-one.json" "json, copied inputs"

echo "== an unreadable input (a .gz cut in half) fails the job with errlens's message"
mkdir -p "$work/bad"
cp samples/aliases.jsonl "$work/bad/"
gz=samples/gateway-2026-11-21.jsonl.gz
head -c $(($(wc -c <"$gz") / 2)) "$gz" >"$work/bad/cut.jsonl.gz"
for copy in "" --copy-inputs; do
  job "d$copy" $copy --partitions 2 "$work/bad" -- --format json -o "$work/d-job.json"
  expect_rc 2 "d$copy"
  grep -q "^errlens-job: errlens analyze exited 2 on .*cut.jsonl.gz" "$work/d$copy.log" ||
    fail "d$copy: the job's message does not name the unreadable file"
  grep -q "^errlens: .*cut.jsonl.gz: incomplete gzip stream" "$work/d$copy.log" ||
    fail "d$copy: errlens's own message is not shown"
  [ ! -e "$work/d-job.json" ] || fail "d$copy: a report was written despite the error"
  echo "   failed as it must: $(grep '^errlens: ' "$work/d$copy.log" | tail -1)"
done

echo "== classified Parquet"
failures="$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"]["failures"])' \
  "$work/a-job.json")"
if [ ${#parquet_args[@]} -gt 0 ]; then
  rows="$(python - "$work/a-parquet" <<'EOF'
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[1]").config("spark.log.level", "ERROR").getOrCreate()
print(spark.read.parquet(sys.argv[1]).count())
spark.stop()
EOF
  )"
  rows="$(echo "$rows" | tail -1)"
  [ "$rows" = "$failures" ] || fail "Parquet has $rows rows, the report $failures failures"
  echo "   $rows rows, as many as the report's failures"
else
  echo "   SKIPPED: this errlens's classify cannot write Parquet (classify --help);"
  rc=0
  python scale/spark/errlens_job.py --errlens "$errlens" --parquet-dir "$work/e-parquet" \
    samples/ >"$work/e.log" 2>&1 || rc=$?
  expect_rc 2 e
  grep -q "cannot write Parquet" "$work/e.log" || fail "e: --parquet-dir was not refused"
  echo "   checked instead that the job refuses --parquet-dir with it"
fi

echo "scale/spark/test.sh: all passed in ${SECONDS}s (${built}s of it building errlens)"
