#!/usr/bin/env python3
"""A log larger than memory: errlens analyze on a file several times larger than
a memory limit set for the run.

The generator (examples/gen.rs, seed 1) writes a log of about --size bytes
(default 4G) to bench-data/big-SIZE-RATE.jsonl once; then, --runs times, the
file's pages are dropped from the page cache and `errlens analyze --format json
--threads T` runs on it under a memory limit of --limit (default 1G), and the
table gives:

  - wall time and MB/s (file bytes / wall time);
  - peak RSS: wait4's ru_maxrss of errlens (its heap, stacks and buffers: the
    file is read with read(2), not mapped);
  - cgroup peak, where the limit is a cgroup: the most the cgroup was charged,
    page cache included (cache is reclaimed only when the limit is near, so
    this sits close to the limit on any long read: the RSS is the bound that
    matters);
  - bytes read from disk: wait4's ru_inblock * 512 (the read_bytes of
    /proc/PID/io: what errlens made the block layer read, read-ahead included),
    and its ratio to the file size (1.0 = each byte read once).

The limit is set, by --limit-with auto, with the first of these that works:
a cgroup v2 directory created at the cgroup2 mount (as root, when the memory
controller is there); a cgroup v1 memory cgroup created under this process's
own (as root); `systemd-run --scope -p MemoryMax=` (--user when not root, when
systemd runs); else RLIMIT_AS (`ulimit -v`), which bounds address space, not
resident memory (allocator arenas and thread stacks count; file pages do not),
so it only shows that errlens does not need the file's size in memory.

Dropping the page cache: the file's own pages are always evicted
(posix_fadvise DONTNEED after fsync, no privilege needed, other processes'
cache untouched; `fincore` shows what was left); --drop-caches also writes 1 to
/proc/sys/vm/drop_caches (root only; the whole machine's cache, so the bytes
read then include errlens's own binary).

    python3 benches/bigfile.py                          # 4G file, 1G limit
    python3 benches/bigfile.py --size 30G               # issue 12's 30 GB case
    python3 benches/bigfile.py --size 512M --limit 128M --runs 1

Timings on a shared machine move with the load average and with other jobs'
I/O; the RSS and the bytes read do not. Python 3.11 standard library only.
"""
import argparse
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def size_arg(text):
    """`4G`, `512M`, `1073741824`: bytes (binary units)."""
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = text[-1] if text and text[-1] in UNITS else ""
    return int(float(text[: len(text) - len(unit)]) * UNITS[unit])


def human(n):
    for unit in ("T", "G", "M", "K"):
        if n >= UNITS[unit]:
            return f"{n / UNITS[unit]:.1f} {unit}iB"
    return f"{n} B"


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


# ------------------------------------------------------------ memory limits


class Cgroup2:
    """A cgroup v2 directory at the cgroup2 mount with memory.max set."""

    name = "cgroup v2 memory.max"

    def __init__(self, limit):
        mount = cgroup2_mount()
        if os.geteuid() != 0 or not mount or "memory" not in read(f"{mount}/cgroup.controllers").split():
            raise OSError("no cgroup v2 memory controller to use")
        if "memory" not in read(f"{mount}/cgroup.subtree_control").split():
            write(f"{mount}/cgroup.subtree_control", "+memory")
        self.dir = f"{mount}/errlens-bigfile-{os.getpid()}"
        os.mkdir(self.dir)
        write(f"{self.dir}/memory.max", str(limit))
        if os.path.exists(f"{self.dir}/memory.swap.max"):
            write(f"{self.dir}/memory.swap.max", "0")

    def wrap(self, cmd):
        return cmd

    def enter(self):
        write(f"{self.dir}/cgroup.procs", str(os.getpid()))

    def peak(self):
        path = f"{self.dir}/memory.peak"
        return int(read(path)) if os.path.exists(path) else None

    def close(self):
        remove_cgroup(self.dir)


class Cgroup1:
    """A cgroup v1 memory cgroup under this process's own, with
    memory.limit_in_bytes set."""

    name = "cgroup v1 memory.limit_in_bytes"

    def __init__(self, limit):
        own = next((line.split(":", 2)[2] for line in read("/proc/self/cgroup").splitlines()
                    if line.split(":")[1] == "memory"), None)
        base = "/sys/fs/cgroup/memory"
        if os.geteuid() != 0 or own is None or not os.path.exists(f"{base}/memory.limit_in_bytes"):
            raise OSError("no cgroup v1 memory controller to use")
        self.dir = f"{base}{own.rstrip('/')}/errlens-bigfile-{os.getpid()}"
        os.mkdir(self.dir)
        write(f"{self.dir}/memory.limit_in_bytes", str(limit))

    def wrap(self, cmd):
        return cmd

    def enter(self):
        write(f"{self.dir}/cgroup.procs", str(os.getpid()))

    def peak(self):
        return int(read(f"{self.dir}/memory.max_usage_in_bytes"))

    def close(self):
        remove_cgroup(self.dir)


class SystemdRun:
    """A transient scope with MemoryMax (systemd-run; --user when not root)."""

    name = "systemd-run --scope -p MemoryMax"

    def __init__(self, limit):
        if not os.path.isdir("/run/systemd/system"):
            raise OSError("systemd is not running")
        user = ["--user"] if os.geteuid() != 0 else []
        self.prefix = ["systemd-run", *user, "--scope", "--quiet", "-p", f"MemoryMax={limit}",
                       "-p", "MemorySwapMax=0", "--"]

    def wrap(self, cmd):
        return self.prefix + cmd

    def enter(self):
        pass

    def peak(self):
        return None

    def close(self):
        pass


class AddressSpace:
    """RLIMIT_AS (ulimit -v): address space, not resident memory."""

    name = "RLIMIT_AS (ulimit -v: address space, not RSS)"

    def __init__(self, limit):
        self.limit = limit

    def wrap(self, cmd):
        return cmd

    def enter(self):
        resource.setrlimit(resource.RLIMIT_AS, (self.limit, self.limit))

    def peak(self):
        return None

    def close(self):
        pass


class NoLimit(AddressSpace):
    name = "none"

    def enter(self):
        pass


LIMITS = {"cgroup2": Cgroup2, "cgroup1": Cgroup1, "systemd": SystemdRun, "rlimit": AddressSpace, "none": NoLimit}


def cgroup2_mount():
    for line in read("/proc/self/mounts").splitlines():
        fields = line.split()
        if fields[2] == "cgroup2":
            return fields[1]
    return None


def remove_cgroup(path):
    """rmdir, retried while the kernel finishes with the exited process."""
    for _ in range(50):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.1)
    print(f"warning: could not remove {path}", file=sys.stderr)


def limiter(kind, limit):
    """The first limit of `kind` (or of all, for auto) that can be set here,
    with the reasons the others could not."""
    order = ["cgroup2", "cgroup1", "systemd", "rlimit"] if kind == "auto" else [kind]
    why = []
    for name in order:
        try:
            return LIMITS[name](limit), why
        except OSError as e:
            why.append(f"{name}: {e}")
    sys.exit("no memory limit could be set: " + "; ".join(why))


# ------------------------------------------------------------ the file and its cache


def generate(size, rate):
    """A generated log of about `size` bytes (lines from a 20,000-line probe's
    bytes per line), written once under bench-data/."""
    path = os.path.join(ROOT, "bench-data", f"big-{human(size).replace(' ', '')}-{rate}.jsonl")
    if os.path.exists(path):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    gen = os.path.join(ROOT, "target", "release", "examples", "gen")
    common = ["--error-rate", str(rate), "--seed", "1"]
    probe = subprocess.run([gen, "--lines", "20000", *common], check=True, capture_output=True).stdout
    lines = size * 20000 // len(probe)
    print(f"generating {lines:,} lines (~{human(size)}) into {os.path.relpath(path, ROOT)}", file=sys.stderr)
    subprocess.run([gen, "--lines", str(lines), *common, "-o", path + ".tmp"], check=True)
    os.replace(path + ".tmp", path)
    return path


def evict(path, drop_all):
    """Drops the file's pages from the page cache; with `drop_all`, the whole
    cache as well. Returns what was done, in words."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    if not drop_all:
        return "file's pages evicted (fadvise)"
    try:
        os.sync()
        write("/proc/sys/vm/drop_caches", "1")
        return "file's pages evicted, and the page cache dropped"
    except OSError as e:
        return f"file's pages evicted; drop_caches not possible ({e.strerror})"


def cached(path):
    """Bytes of the file in the page cache (fincore), or None without it."""
    try:
        out = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", path],
                             check=True, capture_output=True, text=True).stdout
        return int(out.split()[0])
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
        return None


# ------------------------------------------------------------ one run


def run(args, path, limit):
    """One measured run: wall seconds, wait4's rusage, the cgroup peak, the
    exit code and stderr's tail."""
    out = os.path.join(ROOT, "bench-data", "bigfile-report.json")
    cmd = [args.bin, "analyze", "--format", "json", "--threads", str(args.threads), "-o", out, path]
    start = time.perf_counter()
    child = subprocess.Popen(limit.wrap(cmd), preexec_fn=limit.enter,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = child.stderr.read().decode(errors="replace").strip()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    return wall, usage, limit.peak(), child.returncode, err[-300:]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=size_arg, default=size_arg("4G"), help="file size (default 4G; 30G for issue 12)")
    p.add_argument("--limit", type=size_arg, default=size_arg("1G"), help="memory limit (default 1G)")
    p.add_argument("--limit-with", choices=["auto", *LIMITS], default="auto")
    p.add_argument("--error-rate", type=float, default=0.05)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--drop-caches", action="store_true", help="also drop the whole page cache (root)")
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "errlens"))
    p.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    return p.parse_args()


def main():
    args = parse_args()
    if not args.no_build:
        cmd = ["cargo", "build", "--release", "--quiet", "--bin", "errlens", "--example", "gen"]
        subprocess.run(cmd, cwd=ROOT, check=True)
    path = generate(args.size, args.error_rate)
    size = os.path.getsize(path)
    limit, why = limiter(args.limit_with, args.limit)
    print(f"{os.path.relpath(path, ROOT)}: {human(size)}; limit {human(args.limit)} by {limit.name}"
          + (f" (not: {'; '.join(why)})" if why else "") + f"; {args.threads} threads; root: {os.geteuid() == 0}\n")
    print("| run | cache before | wall | MB/s | peak RSS | cgroup peak (with cache) | read from disk | read / size | exit |")
    print("|---|---|---|---|---|---|---|---|---|")
    try:
        for i in range(args.runs):
            note = evict(path, args.drop_caches)
            left = cached(path)
            wall, usage, peak, code, err = run(args, path, limit)
            disk = usage.ru_inblock * 512
            print(f"| {i + 1} | {'?' if left is None else human(left)} | {wall:.1f} s | {size / wall / 1e6:,.0f} "
                  f"| {human(usage.ru_maxrss * 1024)} | {'-' if peak is None else human(peak)} "
                  f"| {human(disk)} | {disk / size:.2f} | {code} |")
            if code < 0:
                print(f"  errlens was killed by signal {-code} (SIGKILL: the limit's OOM killer) {err}", file=sys.stderr)
            elif code not in (0, 1):
                print(f"  errlens failed: {err}", file=sys.stderr)
            sys.stdout.flush()
        print(f"\ncache: {note}; load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        limit.close()


if __name__ == "__main__":
    main()
