#!/usr/bin/env python3
"""errlens side by side with `wc -l`, DuckDB and jq on the same generated logs.

For each error rate (--error-rates, default the issue's 0.15 and 0.05) the
project's generator (examples/gen.rs, seed 1) writes --lines lines to
bench-data/gen-LINES-RATE.jsonl (kept for the next run), and these commands
read it, each --runs times (median wall time):

  - `wc -l`: the floor, reads the bytes and nothing else;
  - errlens analyze --format json with --threads N and with --threads 1 (the
    whole report: unwrapping, rules, model catalog, evidence, aggregation);
  - DuckDB (Python package), plain: `GROUP BY model, status, error.code` over
    read_json with only those three columns, no classification;
  - DuckDB, same rules and aggregates: read_ndjson_objects, then the rules as
    the CASE `errlens taxonomy --format sql --dialect duckdb` writes (from the
    errlens timed), and the aggregates errlens reports (per category: count,
    time range, counts by key, project and model; per key, project and model:
    requests and failures);
  - jq: the same rule chain as an if/elif program, counted per category
    (one run: it takes minutes at 1M lines);
  - with --gz (and --zst): errlens analyze on a gzip (zstd) copy of the file
    against decoding it alone with the same library and buffering
    (examples/decompress.rs: flate2 with zlib-rs, the zstd crate).

DuckDB is timed inside its process, from connect to the last row fetched, so
starting Python and importing duckdb (~0.2-0.5 s) do not count against it;
errlens's time includes its process start and compiling its rules. DuckDB and
jq do less than errlens (no repr/HTML unwrapping, no catalog, no evidence): a
lower bound. After each table the targets of issue 12 are printed next to the
measured ratios with a pass/FAIL mark. On a shared machine the load average
(printed) moves every figure: take them on an idle one.

    python3 benches/compare.py                                  # 1M lines, 15% and 5%, 2 threads, 3 runs
    python3 benches/compare.py --lines 100000 --runs 1 --skip jq,duckdb-rules
    python3 benches/compare.py --gz --zst --skip jq             # compressed input too
    python3 benches/compare.py --bin path/to/other/errlens --no-build

Python 3.11 standard library, plus `pip install duckdb` (installed when missing
unless DuckDB is skipped).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rules():
    with open(os.path.join(ROOT, "data", "rules.toml"), "rb") as f:
        data = tomllib.load(f)
    ordered = [r for r in data["rule"] if not r.get("disable") and not r.get("context")]
    # Highest priority first, definition order on ties (as errlens does).
    return sorted(ordered, key=lambda r: -r.get("priority", 50))


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def duckdb_case(errlens):
    """The rules as the SQL CASE errlens writes for DuckDB."""
    cmd = [errlens, "taxonomy", "--format", "sql", "--dialect", "duckdb"]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def duckdb_child(threads, body):
    """A Python program that runs `body` (which leaves a row count in `rows`)
    on a fresh DuckDB connection and prints its own elapsed seconds and the
    count: the interpreter's start and the import stay out of the time."""
    return (
        "import time, duckdb\n"
        "start = time.perf_counter()\n"
        f"con = duckdb.connect(); con.execute('SET threads = {threads}')\n"
        # Long queries draw a progress bar on stdout, where the figures go.
        "con.execute('SET enable_progress_bar = false')\n"
        f"{body}\n"
        "print(time.perf_counter() - start, rows)\n"
    )


def duckdb_plain(path, threads):
    """DuckDB's plain GROUP BY model, status, error.code: only the three columns
    read (status as text, as logs hold it either way), nothing classified. The
    count is the records grouped, to check that no line was skipped."""
    query = f"""
    SELECT model, status, error->>'$.error.code' AS code, count(*) AS n
    FROM read_json({sql_str(path)}, format = 'newline_delimited', ignore_errors = true,
                   columns = {{model: 'VARCHAR', status: 'VARCHAR', error: 'JSON'}})
    GROUP BY ALL
    """
    return duckdb_child(threads, f"rows = sum(r[-1] for r in con.execute({query!r}).fetchall())")


def duckdb_rules(path, threads, case):
    """The rules as a CASE (`case`, over the columns it names), and the
    aggregates errlens reports: per category the count and time range; per
    category the counts by key, project and model; per key, project and model
    the requests and failures. The count is the rows of all aggregates."""
    query = f"""
    CREATE TEMP TABLE c AS
    WITH r AS (SELECT json AS j FROM read_ndjson_objects({sql_str(path)}, ignore_errors = true)),
    f AS (
      SELECT TRY_CAST(json_extract_string(j, '$.status') AS INTEGER) AS status,
             json_extract(j, '$.error') AS err,
             json_extract_string(j, '$.ts') AS ts,
             json_extract_string(j, '$.key') AS key,
             json_extract_string(j, '$.project') AS project,
             json_extract_string(j, '$.provider') AS provider,
             json_extract_string(j, '$.model') AS model
      FROM r),
    m AS (
      SELECT status, ts, key, project, provider, model,
             COALESCE(json_extract_string(err, '$.error.message'), json_extract_string(err, '$.message'),
                      CASE WHEN json_type(err) = 'VARCHAR' THEN json_extract_string(err, '$') END, '') AS message,
             COALESCE(json_extract_string(err, '$.error.code'), json_extract_string(err, '$.code')) AS code,
             COALESCE(json_extract_string(err, '$.error.type'), json_extract_string(err, '$.type')) AS type,
             COALESCE(json_extract_string(err, '$.error.param'), json_extract_string(err, '$.param')) AS param,
             status >= 400 OR (err IS NOT NULL AND json_type(err) <> 'NULL') AS failed
      FROM f)
    SELECT ts, key, project, model, failed,
           CASE WHEN failed THEN {case} ELSE 'success' END AS category
    FROM m;
    """
    aggregates = [
        "SELECT category, count(*), min(ts), max(ts) FROM c WHERE failed GROUP BY 1",
        "SELECT category, key, count(*) FROM c WHERE failed GROUP BY 1, 2",
        "SELECT category, project, count(*) FROM c WHERE failed GROUP BY 1, 2",
        "SELECT category, model, count(*) FROM c WHERE failed GROUP BY 1, 2",
        "SELECT key, count(*), count(*) FILTER (WHERE failed) FROM c GROUP BY 1",
        "SELECT project, count(*), count(*) FILTER (WHERE failed) FROM c GROUP BY 1",
        "SELECT model, count(*), count(*) FILTER (WHERE failed) FROM c GROUP BY 1",
    ]
    body = (
        f"con.execute({query!r})\n"
        f"rows = sum(len(con.execute(q).fetchall()) for q in {aggregates!r})"
    )
    return duckdb_child(threads, body)


def jq_regex(p):
    return p.replace("(?P<", "(?<")


def jq_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jq_program():
    branches = []
    for r in rules():
        cond = []
        if r.get("status"):
            alts = []
            for p in r["status"]:
                p = str(p).lower()
                if p == "none":
                    alts.append("$s == null")
                elif p.endswith("xx"):
                    alts.append(f"($s != null and ($s / 100 | floor) == {p[0]})")
                else:
                    alts.append(f"$s == {int(p)}")
            cond.append("(" + " or ".join(alts) + ")")
        if r.get("code"):
            vals = "[" + ", ".join(jq_str(c.lower()) for c in r["code"]) + "]"
            cond.append(f"(({vals} | index([$c])) != null or ({vals} | index([$t])) != null)")
        if r.get("type"):
            vals = "[" + ", ".join(jq_str(t.lower()) for t in r["type"]) + "]"
            cond.append(f"(({vals} | index([$t])) != null)")
        if r.get("message"):
            cond.append(f"($m | test({jq_str(jq_regex(r['message']))}))")
        if cond:
            cause = r["cause"] if r["cause"] != "@model" else "model.not_found"
            branches.append(f"({' and '.join(cond)}) then {jq_str(cause)}")
    chain = "if " + " elif ".join(branches) + ' else "unclassified" end'
    return f"""
def lc: if type == "string" then ascii_downcase elif . == null then null else tostring end;
def fields: (.error) as $e
  | {{s: (.status | if . == null then null else (tonumber? // null) end),
      m: ($e | if type == "object" then (.error.message? // .message? // "") elif type == "string" then . else "" end),
      c: ($e | if type == "object" then ((.error.code? // .code?) | lc) else null end),
      t: ($e | if type == "object" then ((.error.type? // .type?) | lc) else null end),
      failed: (((.status | tonumber? // 0) >= 400) or ($e != null))}};
def category: fields as $f | $f.s as $s | $f.m as $m | $f.c as $c | $f.t as $t
  | if $f.failed then ({chain}) else "success" end;
reduce (inputs | category) as $k ({{}}; .[$k] += 1)
"""


def wall_times(cmd, runs):
    """Wall seconds of `runs` runs of `cmd` (output discarded)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def timed(cmd, runs):
    """Median wall seconds of `cmd` over `runs` runs."""
    return statistics.median(wall_times(cmd, runs))


def self_timed(script, runs):
    """Median of the seconds a Python `script` reports for itself (first field
    of its output), and the count it reports (second field) of the last run."""
    times, count = [], None
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
        seconds, count = out.stdout.split()[-2:]
        times.append(float(seconds))
    return statistics.median(times), int(count)


def build(args):
    examples = ["--example", "gen"]
    if args.gz or args.zst:
        examples += ["--example", "decompress"]
    cmd = ["cargo", "build", "--release", "--quiet", "--bin", "errlens", *examples]
    subprocess.run(cmd, cwd=ROOT, check=True)


def generate(lines, rate):
    """The generator's log of `lines` lines at error rate `rate` (seed 1),
    written once under bench-data/."""
    path = os.path.join(ROOT, "bench-data", f"gen-{lines}-{rate}.jsonl")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        gen = os.path.join(ROOT, "target", "release", "examples", "gen")
        opts = ["--lines", str(lines), "--error-rate", str(rate), "--seed", "1"]
        subprocess.run([gen, *opts, "-o", path + ".tmp"], check=True)
        os.replace(path + ".tmp", path)
    return path


def compressed(path, kind):
    """A gzip (level 6, gzip's default) or zstd (level 3, zstd's default) copy of
    `path`, made once beside it."""
    out = path + (".gz" if kind == "gz" else ".zst")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(path):
        cmd = ["gzip", "-6", "-n", "-c", path] if kind == "gz" else ["zstd", "-3", "-q", "-c", path]
        with open(out + ".tmp", "wb") as f:
            subprocess.run(cmd, check=True, stdout=f)
        os.replace(out + ".tmp", out)
    return out


def ensure_duckdb():
    try:
        import duckdb  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "duckdb"], check=True)


def measure(path, lines, args):
    """`(key, label, seconds)` for every command on one file; the keys are what
    the targets refer to."""
    errlens, n, runs = args.bin, args.threads, args.runs
    analyze = [errlens, "analyze", "--format", "json"]
    skip = args.skip
    rows = [("wc", "`wc -l` (reads the bytes, nothing else)", timed(["wc", "-l", path], runs))]
    rows.append(("n", f"**errlens analyze --threads {n}**", timed([*analyze, "--threads", str(n), path], runs)))
    rows.append(("1", "errlens analyze --threads 1", timed([*analyze, "--threads", "1", path], runs)))
    if "duckdb" not in skip:
        ensure_duckdb()
        seconds, grouped = self_timed(duckdb_plain(path, n), runs)
        if grouped != lines:
            print(f"warning: DuckDB's plain GROUP BY counted {grouped:,} records of {lines:,}", file=sys.stderr)
        rows.append(("plain", f"DuckDB, plain GROUP BY model, status, error.code, {n} threads", seconds))
    if "duckdb-rules" not in skip:
        ensure_duckdb()
        seconds, _ = self_timed(duckdb_rules(path, n, duckdb_case(errlens)), runs)
        rows.append(("rules", f"DuckDB, same rules and aggregates, {n} threads", seconds))
    if "jq" not in skip:
        rows.append(("jq", "jq, same rules, counts only (1 run)", timed(["jq", "-n", jq_program(), path], 1)))
    for kind in [k for k in ("gz", "zst") if getattr(args, k)]:
        packed = compressed(path, kind)
        floor = os.path.join(ROOT, "target", "release", "examples", "decompress")
        mb = os.path.getsize(packed) / 1e6
        rows.append((f"{kind}-floor", f"decompress only, .{kind} ({mb:.0f} MB), same library", timed([floor, packed], runs)))
        rows.append((kind, f"errlens analyze --threads {n} on the .{kind}", timed([*analyze, "--threads", str(n), packed], runs)))
    return rows


def print_table(rows, size):
    base = dict((k, t) for k, _, t in rows)["n"]
    print("| command | median wall time | throughput | vs errlens |")
    print("|---|---|---|---|")
    for _, name, t in rows:
        print(f"| {name} | {t:.3f} s | {size / t / 1e6:,.0f} MB/s | {t / base:.2f}x |")


def targets(rows, size, threads):
    """Issue 12's targets as `(target, wanted, shown, passed)`; a target whose
    commands were skipped is left out."""
    t = {key: seconds for key, _, seconds in rows}
    out = []

    def check(name, want, keys, value, passed, shown):
        if all(k in t for k in keys):
            out.append((name, want, shown(value()), passed(value())))

    mbps = lambda v: f"{v:,.0f} MB/s"  # noqa: E731
    times = lambda v: f"{v:.2f}x"  # noqa: E731
    check(f"analyze --threads {threads} throughput", ">= 1,600 MB/s", ["n"],
          lambda: size / t["n"] / 1e6, lambda v: v >= 1600, mbps)
    check("analyze --threads 1 throughput", ">= 900 MB/s", ["1"],
          lambda: size / t["1"] / 1e6, lambda v: v >= 900, mbps)
    check(f"speedup, 1 -> {threads} threads", ">= 1.80x", ["1", "n"],
          lambda: t["1"] / t["n"], lambda v: v >= 1.8, times)
    check("DuckDB plain GROUP BY time / errlens time", "> 1.00x", ["plain", "n"],
          lambda: t["plain"] / t["n"], lambda v: v > 1.0, times)
    check("DuckDB with the rules time / errlens time", ">= 4.00x", ["rules", "n"],
          lambda: t["rules"] / t["n"], lambda v: v >= 4.0, times)
    for kind in ("gz", "zst"):
        check(f"analyze .{kind} time / decompress only", "<= 1.10x", [kind, f"{kind}-floor"],
              lambda: t[kind] / t[f"{kind}-floor"], lambda v: v <= 1.1, times)
    return out


def print_targets(checks):
    print("\n| issue 12 target | wanted | measured | |")
    print("|---|---|---|---|")
    for name, want, shown, passed in checks:
        print(f"| {name} | {want} | {shown} | {'pass' if passed else 'FAIL'} |")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--error-rates", "--error-rate", default="0.15,0.05", help="comma-separated, e.g. 0.15,0.05")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated: duckdb (plain), duckdb-rules, jq")
    ap.add_argument("--gz", action="store_true", help="also time analyze on a .gz against decompressing it")
    ap.add_argument("--zst", action="store_true", help="the same with zstd (needs the zstd command)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "errlens"), help="the errlens to time")
    ap.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    args = ap.parse_args()
    args.skip = set(filter(None, args.skip.split(",")))
    args.rates = [float(r) for r in args.error_rates.split(",") if r]
    return args


def main():
    args = parse_args()
    if not args.no_build:
        build(args)
    for rate in args.rates:
        path = generate(args.lines, rate)
        size = os.path.getsize(path)
        load = os.getloadavg()[0]
        rows = measure(path, args.lines, args)
        print(f"\n{args.lines:,} lines, {size / 1e6:.0f} MB, error rate {rate}, {os.cpu_count()} cores, "
              f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after; median of {args.runs} runs\n")
        print_table(rows, size)
        print_targets(targets(rows, size, args.threads))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
