#!/usr/bin/env python3
"""errlens and its SQL export (DuckDB dialect) on the same records, compared.

For each canonical log given, errlens classifies every record (`classify --all
--input-format canonical`); DuckDB reads the same lines, takes the columns the
CASE reads from the canonical layout (below), and runs the CASE of `errlens
taxonomy --format sql --dialect duckdb`. Each failure errlens found is then
compared, by file and line.

A failure's error is a *plain OpenAI body* when all of these hold, and then the
two must agree exactly:

  - the record has its own HTTP status (`status` or an alias), so errlens
    infers none from the text;
  - `error` is a JSON object: either `{"error": B}` with nothing beside it, or B
    itself (an object without an `error` member);
  - B's members are among `message`, `type`, `code` and `param`, each a string,
    a number or null (nothing nested: no `innererror`, no `metadata`);
  - `message` is a non-empty string of at most 4,096 bytes, without `{` or `<`
    (JSON, a repr or HTML inside), without a relay's `(request id: ...)`,
    without typographic quotes, and without white space other than single
    spaces between words: errlens would unwrap, strip, normalise or fold any of
    these first, which the SQL documents it does not.

"Exactly" counts one documented difference as agreement, shown on its own
line: the SQL's '@model' where errlens's model catalog said model.typo,
model.retired or model.no_access. Any other difference on a plain body is a
failure (exit 1), listed with its place. Failures whose error is not a plain
body are counted, not judged: there the SQL's limits apply.

The columns, from a canonical line `j` (JSON):

  status    j.status (or status_code, http_status, statusCode, response_status)
            as an integer; when absent, a numeric `code` of 400-599
  type, code, param, message
            of B as above (B = error.error when that is an object, else
            error); a string `error` is the message itself
  provider  j.provider (or llm_provider);  model  j.model (or model_id, model_name)

Lines are numbered here (DuckDB's JSON readers skip blank and malformed lines,
and the comparison needs errlens's file:line); DuckDB parses them.

    python3 tests/sql/agree.py --errlens target/debug/errlens samples/*.jsonl samples/*.jsonl.gz
"""
import argparse
import collections
import gzip
import json
import subprocess
import sys
import time

import duckdb

PLAIN_KEYS = {"message", "type", "code", "param"}
CATALOG = {"model.typo", "model.retired", "model.no_access"}
STATUS_KEYS = ["status", "status_code", "http_status", "statusCode", "response_status"]
MAX_MESSAGE = 4096


def read_lines(path):
    """`(line number, text)` of every line, as errlens numbers them."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [(i + 1, raw.decode("utf-8", errors="replace")) for i, raw in enumerate(lines)]


def plain_body(text):
    """Why the line's error is not a plain OpenAI body, or None when it is."""
    try:
        record = json.loads(text)
    except ValueError:
        return "not JSON"
    if not isinstance(record, dict):
        return "not an object"
    if all(record.get(k) is None for k in STATUS_KEYS):
        return "no status of its own"
    error = record.get("error")
    if not isinstance(error, dict):
        return "error is not an object"
    body = error.get("error", error)
    if body is not error and (not isinstance(body, dict) or len(error) != 1):
        return "an envelope with more than the body"
    if not set(body) <= PLAIN_KEYS:
        return "members beside message, type, code, param"
    if any(isinstance(v, (dict, list)) for v in body.values()):
        return "a nested member"
    return plain_message(body.get("message"))


def plain_message(message):
    if not isinstance(message, str) or not message:
        return "no message"
    if len(message.encode()) > MAX_MESSAGE:
        return "a message errlens cuts"
    if any(c in message for c in "{<\u2018\u2019\u201c\u201d\u201e") or "(request id:" in message:
        return "JSON, HTML, quotes or a relay suffix in the message"
    if " ".join(message.split()) != message:
        return "white space errlens folds"
    return None


def errlens_failures(errlens, paths):
    """`{(file, line): record}` of every failure errlens finds."""
    cmd = [errlens, "classify", "--all", "--input-format", "canonical", "--threads", "2", *paths]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = (json.loads(line) for line in out.splitlines())
    return {(r["file"], r["line"]): r for r in rows if r["category"] != "success"}


def sql_case(errlens):
    cmd = [errlens, "taxonomy", "--format", "sql", "--dialect", "duckdb"]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def columns_sql():
    """The CASE's columns from a canonical line `j`."""
    first = lambda keys: "COALESCE(" + ", ".join(f"j->>'$.{k}'" for k in keys) + ")"  # noqa: E731
    return f"""
    WITH f AS (
      SELECT file, line, j->'$.error' AS e,
             TRY_CAST({first(STATUS_KEYS)} AS INTEGER) AS record_status,
             {first(["provider", "llm_provider"])} AS provider,
             {first(["model", "model_id", "model_name"])} AS model
      FROM (SELECT file, line, text::JSON AS j FROM lines
            WHERE json_valid(text) AND json_type(text::JSON) = 'OBJECT')),
    b AS (
      SELECT *, CASE WHEN json_type(e, '$.error') = 'OBJECT' THEN e->'$.error' ELSE e END AS body
      FROM f),
    c AS (
      SELECT file, line, provider, model,
             body->>'$.type' AS type, body->>'$.code' AS code, body->>'$.param' AS param,
             CASE WHEN json_type(e) = 'VARCHAR' THEN e->>'$' ELSE body->>'$.message' END AS message,
             COALESCE(record_status,
                      CASE WHEN TRY_CAST(body->>'$.code' AS INTEGER) BETWEEN 400 AND 599
                           THEN TRY_CAST(body->>'$.code' AS INTEGER) END) AS status
      FROM b)
    """


def duckdb_categories(lines, case):
    """`{(file, line): category}` of every JSON object line, by the CASE."""
    con = duckdb.connect()
    files, numbers, texts = (list(x) for x in zip(*lines)) if lines else ([], [], [])
    con.execute(
        "CREATE TABLE lines AS SELECT unnest($1) AS file, unnest($2) AS line, unnest($3) AS text",
        [files, numbers, texts],
    )
    rows = con.execute(f"{columns_sql()} SELECT file, line, {case} AS category FROM c").fetchall()
    return {(file, line): category for file, line, category in rows}


def compare(failures, categories, plain):
    """Tallies, and the disagreements on plain bodies."""
    tally, wrong, by_cause = collections.Counter(), [], collections.Counter()
    for place, record in sorted(failures.items()):
        mine, sql = record["category"], categories.get(place)
        if plain.get(place) is not None:
            tally["other, agree" if mine == sql else "other, differ"] += 1
            continue
        by_cause[mine] += 1
        if mine == sql:
            tally["plain, agree"] += 1
        elif sql == "@model" and mine in CATALOG:
            tally["plain, catalog"] += 1
        else:
            wrong.append((place, mine, sql))
    return tally, wrong, by_cause


def report(failures, tally, wrong, by_cause, plain, seconds):
    reasons = collections.Counter(plain[p] for p in failures if plain.get(p) is not None)
    n_plain = sum(by_cause.values())
    print(f"{len(failures)} failures; {n_plain} with a plain OpenAI body, over {len(by_cause)} causes:")
    print("  " + ", ".join(f"{c} {n}" for c, n in sorted(by_cause.items())))
    print(f"plain bodies: {tally['plain, agree']} agree exactly, {tally['plain, catalog']} agree "
          f"but for the model catalog (SQL '@model'), {len(wrong)} disagree")
    print(f"other failures (not judged): {tally['other, agree']} agree, {tally['other, differ']} differ; "
          "why not plain: " + ", ".join(f"{r} {n}" for r, n in reasons.most_common()))
    for (file, line), mine, sql in wrong:
        print(f"DISAGREE {file}:{line}: errlens {mine}, SQL {sql}")
    print(f"{seconds:.1f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errlens", required=True, help="the errlens binary")
    ap.add_argument("paths", nargs="+", help="canonical logs (.jsonl, .jsonl.gz)")
    args = ap.parse_args()
    start = time.perf_counter()
    lines = [(path, n, text) for path in args.paths for n, text in read_lines(path)]
    plain = {(path, n): plain_body(text) for path, n, text in lines}
    failures = errlens_failures(args.errlens, args.paths)
    categories = duckdb_categories(lines, sql_case(args.errlens))
    tally, wrong, by_cause = compare(failures, categories, plain)
    report(failures, tally, wrong, by_cause, plain, time.perf_counter() - start)
    if not by_cause:
        sys.exit("no failure with a plain OpenAI body: nothing was compared")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
