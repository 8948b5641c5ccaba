#!/usr/bin/env bash
# Builds the harnesses with AFL++ instrumentation and fuzzes one of them
# headless for a given time, then prints what it did and found.
#
#   fuzz/run.sh HARNESS SECONDS [afl-fuzz options...]
#
# HARNESS is parse, classify or pipeline. A second run with the same harness
# resumes from fuzz/out/HARNESS. Needs cargo-afl (`cargo install cargo-afl`)
# and python3 for the seed corpus. Runs on one core; start one per core for
# parallel campaigns with distinct names: `-M main` / `-S second`.
set -euo pipefail
cd "$(dirname "$0")"

harness=${1:?usage: fuzz/run.sh parse|classify|pipeline SECONDS [afl-fuzz options...]}
seconds=${2:?usage: fuzz/run.sh parse|classify|pipeline SECONDS [afl-fuzz options...]}
shift 2
case "$harness" in
  parse | classify | pipeline) ;;
  *) echo "run.sh: no harness '$harness': use parse, classify or pipeline" >&2; exit 2 ;;
esac

[ -d "corpus/$harness" ] || python3 seeds.py
cargo afl build --release

# Headless; resume an earlier campaign; don't insist on a CPU-frequency
# governor or a free core (shared machines). A run of 1 s is a hang.
export AFL_NO_UI=1 AFL_AUTORESUME=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# The pipeline harness writes its log to a file per process: keep them here.
export TMPDIR="$PWD/out/$harness.tmp"
mkdir -p "$TMPDIR"
status=0
echo "fuzzing $harness for $seconds s (log: fuzz/out/$harness.log)"
cargo afl fuzz -i "corpus/$harness" -o "out/$harness" -V "$seconds" -t 1000 "$@" \
  -- "target/release/$harness" >"out/$harness.log" 2>&1 || status=$?
[ "$status" = 0 ] || tail -20 "out/$harness.log"
rm -rf "$TMPDIR"

for stats in out/"$harness"/*/fuzzer_stats; do
  [ -f "$stats" ] || continue
  echo "== $stats"
  grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|stability|bitmap_cvg|saved_crashes|saved_hangs) ' \
    "$stats"
done
crashes=$(find out/"$harness"/*/crashes out/"$harness"/*/hangs -type f ! -name README.txt 2>/dev/null)
if [ -n "$crashes" ]; then
  echo "== findings (replay one: fuzz/target/release/replay $harness FILE)"
  echo "$crashes"
fi
exit "$status"
