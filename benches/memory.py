#!/usr/bin/env python3
"""Bounded memory: peak RSS and wall time of errlens on adversarial inputs.

Each case generates one input (cached under bench-data/memory/) and runs
`errlens analyze --format json` on it once, measuring the child's peak RSS
(os.wait4's ru_maxrss) and wall time, and the size of the JSON report:

  keys          N requests, every one with a distinct key (half of them fail)
  projects      N requests, distinct projects
  models        N requests, distinct models
  messages      N failures, N distinct classified messages (and evidence values)
  signatures    N failures no rule matches, N distinct message signatures
  by_key        the `keys` input with `--by key`
  files         N/10 one-line files in 100 folders
  gzip_bomb     --bomb-mb MB of repeated lines, gzip-compressed (streamed)
  long_line     one line of --long-line-mb MB (not run by default)

    python3 benches/memory.py --n 1000000                         # target/release/errlens
    python3 benches/memory.py --n 100000 --bin path/to/errlens --cases keys,by_key
    python3 benches/memory.py --stdin        # plain files on stdin: the RSS is the heap

A plain file is memory-mapped and pre-faulted, so its pages count in the peak
RSS of a run on it; `--stdin` streams it instead.

Python 3.11 standard library only.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE_MS = 1795305600000  # 2026-11-21T00:00:00Z
RATE_LIMIT = (
    '{"error":{"message":"Rate limit reached for gpt-4o in organization org-abc on tokens '
    'per min (TPM): Limit 30000, Used %d, Requested %d. Please try again in %d.%03ds.",'
    '"type":"tokens","code":"rate_limit_exceeded"}}'
)
QUOTA = (
    '{"error":{"message":"You exceeded your current quota, please check your plan and '
    'billing details.","type":"insufficient_quota","code":"insufficient_quota"}}'
)
CASES = ["keys", "projects", "models", "messages", "signatures", "by_key", "files", "gzip_bomb"]


def letters(i):
    """A distinct lowercase word per number (signatures mask digits and hex)."""
    out = ""
    while True:
        out += "ghijklmnopqrstuvwxyz"[i % 20]
        i //= 20
        if i == 0:
            return out


def ts(i, n):
    """Spread over one day."""
    ms = BASE_MS + i * (86_400_000 // max(n, 1))
    secs, milli = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + ".%03dZ" % milli


def record(i, n, **fields):
    rec = {"ts": ts(i, n), "key": "key_shared", "project": "proj_a", "model": "gpt-4o"}
    rec.update(fields)
    failed = i % 2 == 1
    rec["status"] = 429 if failed else 200
    line = json.dumps(rec)
    return line[:-1] + ',"error":' + QUOTA + "}" if failed else line


def gen_lines(kind, i, n):
    if kind == "keys":
        return record(i, n, key="sk-proj-%012dAbCdEfGhIjKlMnOpQrStUvWx" % i)
    if kind == "projects":
        return record(i, n, project="proj_%d" % i)
    if kind == "models":
        return record(i, n, model="gpt-4o-custom-%d" % i)
    if kind == "messages":
        body = RATE_LIMIT % (29000 + i % 1000, i, i % 60, i % 1000)
        return '{"ts":"%s","key":"key_a","model":"gpt-4o","status":429,"error":%s}' % (ts(i, n), body)
    if kind == "signatures":
        msg = "frobnicator %s refused the widget" % letters(i)
        return '{"ts":"%s","key":"key_a","status":418,"error":"%s"}' % (ts(i, n), msg)
    raise ValueError(kind)


def write_lines(path, kind, n):
    with open(path + ".tmp", "w") as f:
        for i in range(n):
            f.write(gen_lines(kind, i, n))
            f.write("\n")
    os.replace(path + ".tmp", path)


def make_files(path, n):
    files = n // 10
    for d in range(100):
        os.makedirs(os.path.join(path + ".tmp", "d%02d" % d), exist_ok=True)
    for i in range(files):
        name = os.path.join(path + ".tmp", "d%02d" % (i % 100), "app-%06d.jsonl" % i)
        with open(name, "w") as f:
            f.write(record(i, files, key="key_%d" % (i % 50)) + "\n")
    os.replace(path + ".tmp", path)


def make_bomb(path, mb):
    line = (record(0, 1) + "\n").encode()
    block = line * ((1 << 20) // len(line))
    with gzip.open(path + ".tmp", "wb", compresslevel=9) as f:
        written = 0
        while written < mb << 20:
            f.write(block)
            written += len(block)
    os.replace(path + ".tmp", path)


def make_long_line(path, mb):
    with open(path + ".tmp", "w") as f:
        f.write('{"ts":"2026-11-21T00:00:00Z","status":500,"error":"')
        chunk = "x" * (1 << 20)
        for _ in range(mb):
            f.write(chunk)
        f.write('"}\n')
    os.replace(path + ".tmp", path)


def input_for(case, args, data):
    """The input path (generated once) and extra arguments."""
    n = args.n
    if case in ("keys", "projects", "models", "messages", "signatures", "by_key"):
        kind = "keys" if case == "by_key" else case
        path = os.path.join(data, "%s-%d.jsonl" % (kind, n))
        if not os.path.exists(path):
            write_lines(path, kind, n)
        return path, (["--by", "key"] if case == "by_key" else [])
    if case == "files":
        path = os.path.join(data, "files-%d" % (n // 10))
        if not os.path.exists(path):
            make_files(path, n)
        return path, []
    if case == "gzip_bomb":
        path = os.path.join(data, "bomb-%dmb.jsonl.gz" % args.bomb_mb)
        if not os.path.exists(path):
            make_bomb(path, args.bomb_mb)
        return path, []
    if case == "long_line":
        path = os.path.join(data, "long-line-%dmb.jsonl" % args.long_line_mb)
        if not os.path.exists(path):
            make_long_line(path, args.long_line_mb)
        return path, []
    raise ValueError(case)


def run(binary, path, extra, threads, out, stdin):
    """Wall seconds, peak RSS in MB and exit code of one run. A plain file is
    memory-mapped (and its pages count in the RSS) unless read from stdin."""
    source = "-" if stdin and os.path.isfile(path) else path
    cmd = [binary, "analyze", "--format", "json", "--threads", str(threads), "-o", out, source]
    start = time.perf_counter()
    with open(path if source == "-" else os.devnull, "rb") as feed:
        child = subprocess.Popen(
            cmd + extra, stdin=feed, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read().decode(errors="replace").strip()
    child.stderr.close()
    return wall, usage.ru_maxrss / 1024, child.returncode, err


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000, help="distinct values per case")
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "errlens"))
    p.add_argument("--cases", default=",".join(CASES), help="comma-separated; also long_line")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--bomb-mb", type=int, default=1024, help="decompressed size of the gzip bomb")
    p.add_argument("--long-line-mb", type=int, default=1024)
    p.add_argument("--data", default=os.path.join(ROOT, "bench-data", "memory"))
    p.add_argument("--extra", default="", help="extra arguments for every run, space-separated")
    p.add_argument("--stdin", action="store_true", help="feed plain files on stdin (not mapped)")
    args = p.parse_args()
    os.makedirs(args.data, exist_ok=True)
    out = os.path.join(args.data, "report.json")
    print("| case | input | wall s | peak RSS MB | JSON report | exit |")
    print("|---|---|---|---|---|---|")
    for case in args.cases.split(","):
        path, extra = input_for(case, args, data=args.data)
        size = os.path.getsize(path) if os.path.isfile(path) else 0
        wall, rss, code, err = run(
            args.bin, path, extra + args.extra.split(), args.threads, out, args.stdin
        )
        report = os.path.getsize(out) if os.path.exists(out) else 0
        shown = "%.0f MB" % (size / 1e6) if size else os.path.basename(path)
        print("| %s | %s | %.2f | %.0f | %s | %d |" % (case, shown, wall, rss, human(report), code))
        if code not in (0, 1):
            print("  stderr: " + err[:300], file=sys.stderr)
        sys.stdout.flush()


def human(n):
    return "%.1f MB" % (n / 1e6) if n >= 1e6 else "%.0f kB" % (n / 1e3)


if __name__ == "__main__":
    main()
