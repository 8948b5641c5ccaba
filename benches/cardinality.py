#!/usr/bin/env python3
"""Cost against cardinality: each high-cardinality case of issue 12 next to the
generator's default mix of the same number of lines.

The cases are the inputs of benches/memory.py (generated once under
bench-data/memory/), N lines each:

  keys          every request with a distinct key (half of them fail)
  models        every request with a distinct model
  messages      N failures, N distinct classified messages (varying numbers)
  signatures    N failures no rule matches, N distinct message signatures
  by_key        the `keys` input with `--by key`
  projects      every request with a distinct project (not in the default list)

The default mix is examples/gen.rs's log of N lines (seed 1, --mix-error-rate,
shared with benches/compare.py under bench-data/); it runs with the same extra
arguments as the case (`--by key` for by_key), so the ratio isolates the cost
of the distinct values. Each run is `errlens analyze --format json --threads T`;
the table gives the median wall time of --runs runs, the largest peak RSS
(wait4's ru_maxrss), the ratio of the case's time to the mix's (issue 12's
target: <= 1.5x) and the memory per distinct value: the RSS above the mix's,
divided by the values a table keeps exactly (at most --max-distinct, 100,000 by
default; later ones are counted as "(other)").

    python3 benches/cardinality.py                    # 1M lines per case, 3 runs
    python3 benches/cardinality.py --n 100000 --runs 1 --cases keys,messages
    python3 benches/cardinality.py --extra "--max-distinct 1000000"

Timings on a shared machine move with the load average (printed); the RSS does
not. Python 3.11 standard library only.
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the generator's default mix, built and cached the same way)
import memory  # noqa: E402  (the high-cardinality inputs and the measured run)

ROOT = memory.ROOT
CASES = ["keys", "models", "messages", "signatures", "by_key"]
TARGET = 1.5
DEFAULT_MAX_DISTINCT = 100_000


def measure(args, path, extra):
    """Median wall seconds and largest peak RSS (MB) of --runs runs."""
    walls, peaks = [], []
    out = os.path.join(args.data, "report.json")
    for _ in range(args.runs):
        wall, rss, code, err = memory.run(args.bin, path, extra, args.threads, out, stdin=False)
        if code not in (0, 1):
            sys.exit(f"errlens exited {code} on {path}: {err[:300]}")
        walls.append(wall)
        peaks.append(rss)
    return statistics.median(walls), max(peaks)


def kept(args):
    """How many distinct values a table keeps exactly in these runs."""
    words = args.extra.split()
    cap = DEFAULT_MAX_DISTINCT
    if "--max-distinct" in words[:-1]:
        cap = int(words[words.index("--max-distinct") + 1])
    return min(args.n, cap)


def row(case, size, wall, rss, mix, per_value):
    ratio = wall / mix[0]
    mark = "pass" if ratio <= TARGET else "FAIL"
    return (
        f"| {case} | {size / 1e6:.0f} MB | {wall:.2f} s | {mix[0]:.2f} s | {ratio:.2f}x {mark} "
        f"| {rss:.0f} MB | {mix[1]:.0f} MB | {per_value} |"
    )


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000, help="lines (and distinct values) per case")
    p.add_argument("--cases", default=",".join(CASES), help="comma-separated; also projects")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--mix-error-rate", type=float, default=0.05, help="the default mix's error rate")
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "errlens"))
    p.add_argument("--data", default=os.path.join(ROOT, "bench-data", "memory"))
    p.add_argument("--extra", default="", help="extra arguments for every run, space-separated")
    p.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    args = p.parse_args()
    # What memory.input_for reads besides n.
    args.bomb_mb, args.long_line_mb = 0, 0
    return args


def main():
    args = parse_args()
    if not args.no_build:
        cmd = ["cargo", "build", "--release", "--quiet", "--bin", "errlens", "--example", "gen"]
        subprocess.run(cmd, cwd=ROOT, check=True)
    os.makedirs(args.data, exist_ok=True)
    mix_path = compare.generate(args.n, args.mix_error_rate)
    distinct = kept(args)
    print(f"{args.n:,} lines per input, {args.threads} threads, median of {args.runs} runs, "
          f"load average {os.getloadavg()[0]:.1f}; {distinct:,} distinct values kept per table\n")
    print("| case | input | wall | default mix wall | ratio (<= 1.5x) | peak RSS | default mix RSS | per distinct value |")
    print("|---|---|---|---|---|---|---|---|")
    mixes = {}
    for case in args.cases.split(","):
        path, extra = memory.input_for(case, args, data=args.data)
        extra += args.extra.split()
        if tuple(extra) not in mixes:
            mixes[tuple(extra)] = measure(args, mix_path, extra)
        mix = mixes[tuple(extra)]
        wall, rss = measure(args, path, extra)
        extra_mb = rss - mix[1]
        per_value = f"{extra_mb * (1 << 20) / distinct:,.0f} B" if extra_mb > 0 else "n/a (not above the mix)"
        print(row(case, os.path.getsize(path), wall, rss, mix, per_value))
        sys.stdout.flush()
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end; default mix: {os.path.basename(mix_path)}")


if __name__ == "__main__":
    main()
