#!/usr/bin/env python3
"""Output identity across builds: the reports of the current errlens on the
benchmark files, byte for byte against those of a reference build.

A speed change must not change a byte of output. This script runs `errlens
analyze` (SOURCE_DATE_EPOCH fixed, so generated_at is too) on the files
benches/compare.py times (the generator's 1M-line logs at 15% and 5% errors,
generated under bench-data/ when missing) in each --formats, and compares:

  - the reference build's report (from --baseline BIN, run once and saved under
    bench-data/identity/; later runs without --baseline reuse the saved ones)
    with the current build's (--bin), run with --threads 2;
  - the current build's reports for every --threads and --chunk-sizes pair
    with each other.

Any difference is printed as the first lines of a unified diff; the exit code
is 1 then, 0 when every report is identical.

    git stash; cargo build --release; cp target/release/errlens /tmp/errlens-old; git stash pop
    cargo build --release
    python3 benches/identity.py --baseline /tmp/errlens-old        # saves, then compares
    python3 benches/identity.py                                     # against the saved reports
    python3 benches/identity.py --lines 100000 --formats json,text,csv,markdown --baseline /tmp/errlens-old

Python 3.11 standard library only.
"""
import argparse
import difflib
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the benchmark files, generated the same way)

ROOT = compare.ROOT
EPOCH = "1795305600"
FORMATS = {
    "json": ["--format", "json"],
    "text": ["--format", "text"],
    "markdown": ["--format", "markdown"],
    "csv": ["--format", "csv", "--table", "causes"],
    "html": ["--format", "html"],
}


def report(binary, path, fmt, threads, chunk=None):
    """The bytes `binary` writes for `analyze` on `path`."""
    cmd = [binary, "analyze", *FORMATS[fmt], "--threads", str(threads), path]
    if chunk:
        cmd[2:2] = ["--chunk-size", str(chunk)]
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, NO_COLOR="1")
    out = subprocess.run(cmd, env=env, capture_output=True)
    if out.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {out.returncode}: {out.stderr.decode(errors='replace')[:300]}")
    return out.stdout


def differs(label, want, got):
    """Prints a short diff when the bytes differ; returns whether they do."""
    if want == got:
        print(f"same      {label} ({len(got):,} bytes)")
        return False
    print(f"DIFFERENT {label}")
    diff = difflib.unified_diff(want.decode(errors="replace").splitlines(),
                                got.decode(errors="replace").splitlines(), "reference", "current", lineterm="", n=1)
    for line in list(diff)[:40]:
        print("    " + line)
    return True


def saved(args, path, fmt):
    """The reference report, from --baseline (and saved) or as saved before."""
    name = f"{os.path.basename(path)}.{fmt}"
    keep = os.path.join(ROOT, "bench-data", "identity", name)
    if args.baseline:
        os.makedirs(os.path.dirname(keep), exist_ok=True)
        with open(keep, "wb") as f:
            f.write(report(args.baseline, path, fmt, 2))
    if not os.path.exists(keep):
        sys.exit(f"no saved reference report {os.path.relpath(keep, ROOT)}: run once with --baseline OLD_ERRLENS")
    with open(keep, "rb") as f:
        return f.read()


def check(args, path):
    """Compares every format on one file; returns the number of differences."""
    bad = 0
    base = os.path.basename(path)
    for fmt in args.formats:
        current = report(args.bin, path, fmt, 2)
        bad += differs(f"{base} {fmt}: reference vs current", saved(args, path, fmt), current)
        for threads in args.threads:
            for chunk in args.chunk_sizes:
                label = f"{base} {fmt}: current --threads {threads} --chunk-size {chunk}"
                bad += differs(label, current, report(args.bin, path, fmt, threads, chunk))
    return bad


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline", help="the reference errlens; its reports are saved for later runs")
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "errlens"), help="the current errlens")
    p.add_argument("--lines", type=int, default=1_000_000)
    p.add_argument("--error-rates", default="0.15,0.05")
    p.add_argument("--formats", default="json", help=f"comma-separated of {','.join(FORMATS)}")
    p.add_argument("--threads", default="1,2", help="thread counts checked against each other")
    p.add_argument("--chunk-sizes", default="65536,4000000", help="chunk sizes checked against each other")
    args = p.parse_args()
    args.formats = args.formats.split(",")
    args.threads = args.threads.split(",")
    args.chunk_sizes = args.chunk_sizes.split(",")
    return args


def main():
    args = parse_args()
    bad = 0
    for rate in args.error_rates.split(","):
        bad += check(args, compare.generate(args.lines, float(rate)))
    print("identical" if bad == 0 else f"{bad} report(s) differ")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
