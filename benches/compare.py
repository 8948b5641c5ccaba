#!/usr/bin/env python3
"""Compare errlens with DuckDB and jq doing the same classification.

The same generated log (examples/gen.rs) is classified three ways:
  - errlens analyze --format json (the whole report: unwrapping, rules,
    model catalog, evidence, aggregation);
  - DuckDB (Python package): read_ndjson_objects, then a CASE over the rules
    of data/rules.toml in priority order (status, code/type and message
    regex conditions), and the aggregates errlens reports (per category:
    count, time range, counts by key, project and model; per key, project
    and model: requests and failures);
  - jq: the same rule chain as an if/elif program, counted per category;
and `wc -l` on the same file as the floor. Each command runs --runs times;
the table gives the median wall time. DuckDB and jq do less than errlens
(no repr/HTML unwrapping, no catalog, no evidence): a fair lower bound.

    python3 benches/compare.py --lines 1000000 --threads 2 --runs 3
"""
import argparse
import os
import re
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


def status_sql(pats):
    parts = []
    for p in pats:
        p = str(p).lower()
        if p == "none":
            parts.append("status IS NULL")
        elif p.endswith("xx"):
            parts.append(f"status // 100 = {p[0]}")
        else:
            parts.append(f"status = {int(p)}")
    return "(" + " OR ".join(parts) + ")"


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def duckdb_case():
    whens = []
    for r in rules():
        cond = []
        if r.get("status"):
            cond.append(status_sql(r["status"]))
        if r.get("code"):
            vals = ", ".join(sql_str(c.lower()) for c in r["code"])
            cond.append(f"(lower(code) IN ({vals}) OR lower(type) IN ({vals}))")
        if r.get("type"):
            cond.append(f"lower(type) IN ({', '.join(sql_str(t.lower()) for t in r['type'])})")
        if r.get("message"):
            cond.append(f"regexp_matches(msg, {sql_str(r['message'])})")
        if cond:
            cause = r["cause"] if r["cause"] != "@model" else "model.not_found"
            whens.append(f"WHEN {' AND '.join(cond)} THEN {sql_str(cause)}")
    return "CASE " + " ".join(whens) + " ELSE 'unclassified' END"


def duckdb_script(path, threads):
    """The rules as a CASE, and the aggregates errlens reports: per category the
    count and time range; per category the counts by key, project and model;
    per key, project and model the requests and failures."""
    query = f"""
    CREATE TEMP TABLE c AS
    WITH r AS (SELECT json AS j FROM read_ndjson_objects({sql_str(path)}, ignore_errors = true)),
    f AS (
      SELECT TRY_CAST(json_extract_string(j, '$.status') AS INTEGER) AS status,
             json_extract(j, '$.error') AS err,
             json_extract_string(j, '$.ts') AS ts,
             json_extract_string(j, '$.key') AS key,
             json_extract_string(j, '$.project') AS project,
             json_extract_string(j, '$.model') AS model
      FROM r),
    m AS (
      SELECT status, ts, key, project, model,
             COALESCE(json_extract_string(err, '$.error.message'), json_extract_string(err, '$.message'),
                      CASE WHEN json_type(err) = 'VARCHAR' THEN json_extract_string(err, '$') END, '') AS msg,
             COALESCE(json_extract_string(err, '$.error.code'), json_extract_string(err, '$.code')) AS code,
             COALESCE(json_extract_string(err, '$.error.type'), json_extract_string(err, '$.type')) AS type,
             status >= 400 OR (err IS NOT NULL AND json_type(err) <> 'NULL') AS failed
      FROM f)
    SELECT ts, key, project, model, failed,
           CASE WHEN failed THEN {duckdb_case()} ELSE 'success' END AS category
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
    return (
        "import duckdb\n"
        f"con = duckdb.connect(); con.execute('SET threads = {threads}')\n"
        f"con.execute({query!r})\n"
        f"print(sum(len(con.execute(q).fetchall()) for q in {aggregates!r}))\n"
    )


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


def timed(cmd, runs, **kw):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--error-rate", type=float, default=0.05)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated tools to skip: duckdb,jq")
    args = ap.parse_args()
    data = os.path.join(ROOT, "bench-data", f"gen-{args.lines}-{args.error_rate}.jsonl")
    os.makedirs(os.path.dirname(data), exist_ok=True)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "errlens", "--example", "gen"], cwd=ROOT, check=True)
    if not os.path.exists(data):
        gen = os.path.join(ROOT, "target", "release", "examples", "gen")
        subprocess.run([gen, "--lines", str(args.lines), "--error-rate", str(args.error_rate), "--seed", "1", "-o", data], check=True)
    size = os.path.getsize(data)
    errlens = os.path.join(ROOT, "target", "release", "errlens")
    skip = set(filter(None, args.skip.split(",")))
    rows = [("wc -l", timed(["wc", "-l", data], args.runs))]
    rows.append((f"errlens analyze --threads {args.threads}",
                 timed([errlens, "analyze", "--format", "json", "--threads", str(args.threads), data], args.runs)))
    rows.append(("errlens analyze --threads 1", timed([errlens, "analyze", "--format", "json", "--threads", "1", data], args.runs)))
    if "duckdb" not in skip:
        try:
            import duckdb  # noqa: F401
        except ImportError:
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "duckdb"], check=True)
        rows.append((f"DuckDB, same rules and aggregates, {args.threads} threads",
                     timed([sys.executable, "-c", duckdb_script(data, args.threads)], args.runs)))
    if "jq" not in skip:
        rows.append(("jq, same rules", timed(["jq", "-n", jq_program(), data], 1)))
    print(f"\n{args.lines:,} lines, {size / 1e6:.0f} MB, error rate {args.error_rate}, {os.cpu_count()} cores\n")
    print("| command | median wall time | throughput | vs errlens |")
    print("|---|---|---|---|")
    base = rows[1][1]
    for name, t in rows:
        print(f"| {name} | {t:.2f} s | {size / t / 1e6:,.0f} MB/s | {t / base:.1f}x |")


if __name__ == "__main__":
    main()
