"""errlens on Spark: analyse many log files on a cluster, merge one report.

    spark-submit errlens_job.py [JOB OPTIONS] INPUT... [-- REPORT FLAGS]

INPUT is a file, a folder (walked recursively) or a glob, as Spark sees it: a
plain path (resolved against Hadoop's default file system), `file:`, `hdfs://`,
`s3a://`, `abfss://`, `gs://`, ... The driver expands the inputs with Hadoop's
FileSystem API into the list `errlens analyze` itself would read (folders
walked in sorted order, only log-like names, hidden names skipped; globs in
sorted order), cuts the list into contiguous parts, and ships the errlens
binary (`SparkContext.addFile`) to the executors. Each part runs one errlens
there, `errlens analyze --format state` over its files; the driver collects
the states (tens of KB each), writes them as `part-N.state` (N: the position
of the part's first file in the list) and merges them in order with
`errlens analyze part-*.state REPORT FLAGS`. Merging states in input order is
exact: the report is byte-identical to one errlens run over the same list on
one machine. The job's exit code is that merging run's (0, 1 for a condition
asked with --fail-on and the like, 2 for an error).

Files the executors can open (`file:` paths: local mode, a shared mount) are
given to errlens as named, relative ones resolved in the driver's working
directory. Files of other schemes are read with Spark's own reader
(`binaryFiles`) and copied to the executor's local disk at the relative path
they are named by (`s3a://b/logs/x.jsonl.gz` becomes `s3a:/b/logs/x.jsonl.gz`
under a temporary folder, since `//` reads as `/`), so the report names them
as given too; a name that is absolute or climbs with `..` is replaced by the
file's full URI.

The flags that decide how records are folded (--by, --every, --since, --until,
--max-distinct, --rules) go identically to the executors and to the merging
run; --since and --until spans (`24h`) are turned into absolute times once, on
the driver. Flags after `--` go to the merging run only (--format, -o,
--compare, --fail-on, --max-error-rate, --strict, --table, --all, --color).

An input errlens cannot read (exit code 2 on an executor) fails the job with
errlens's own message: no report is written that lacks a part. With
--parquet-dir DIR each part also runs `errlens classify FILES -o
DIR/part-N.parquet`; DIR must be a folder every executor can write (local
mode, NFS, /dbfs/..., a mounted bucket).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass

from pyspark import SparkConf, SparkContext, SparkFiles

# Names `errlens analyze` reads inside a folder (src/input/discover.rs).
LOG_EXTENSIONS = ("jsonl", "ndjson", "json", "log", "txt")
COMPRESSIONS = ("gz", "zst", "zstd")
# Characters Hadoop's globs give a meaning to: they start a pattern in an input.
GLOB_CHARS = frozenset("*?[]{}\\")
# binaryFiles takes one comma-separated list of globs: a name holding one of
# these cannot be passed to it literally.
UNSAFE_FOR_SPARK_READER = GLOB_CHARS | {","}
# errlens exit codes that mean "the output was written".
WRITTEN = (0, 1)
# Ends an executor's error message, so the driver can cut it out of Spark's.
MESSAGE_END = "(end of errlens's message)"
SPAN_UNITS_MS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


class JobError(Exception):
    """A problem the user can fix: printed as one sentence, exit code 2."""


class ErrlensFailed(Exception):
    """errlens exited with an error on an executor; the message is its stderr."""


@dataclass(frozen=True)
class Input:
    """One file to analyse, at its position in the input list."""

    index: int
    uri: str  # fully qualified, as Hadoop names it
    name: str  # as errlens is given it, so as the report names it
    local: bool  # executors open `name` themselves (a file: path)


@dataclass(frozen=True)
class Plan:
    """What every errlens call of the job shares; shipped to the executors."""

    binary: str  # SparkFiles name of the errlens binary
    rules: tuple[str, ...]  # SparkFiles names of the --rules files
    read: tuple[str, ...]  # --threads, --input-format, --map, --progress
    fold: tuple[str, ...]  # --by, --every, --since, --until, --max-distinct
    cwd: str  # the driver's working directory: relative file: names resolve there
    parquet_dir: str | None  # where each part writes its classified failures
    width: int  # digits of the part numbers


# ---------------------------------------------------------------- arguments


# The job's options: flag, metavar, help; the rest of each is in `parser`.
OPTIONS = [
    ("--errlens", "PATH", "the errlens binary (default: errlens on PATH)"),
    ("--partitions", "N", "parts (default: spark.default.parallelism)"),
    ("--states-dir", "DIR", "keep the parts' states here (any Hadoop path)"),
    ("--parquet-dir", "DIR", "classified failures, one Parquet file per part"),
    ("--copy-inputs", None, "copy file: inputs through Spark too, as other schemes are"),
    ("--threads", "N", "errlens threads per part (default: spark.task.cpus)"),
    ("--by", "DIMS", "errlens analyze --by, for the parts and the merge"),
    ("--every", "WIDTH", "errlens analyze --every, for the parts and the merge"),
    ("--since", "TIME", "errlens analyze --since, for the parts and the merge"),
    ("--until", "TIME", "errlens analyze --until, for the parts and the merge"),
    ("--max-distinct", "N", "errlens analyze --max-distinct, for the parts and the merge"),
    ("--rules", "FILE", "errlens --rules (repeatable), for the parts and the merge"),
    ("--input-format", "NAME", "errlens --input-format, for the parts"),
    ("--map", "FIELD=/PTR", "errlens --map (repeatable), for the parts"),
]


def parser() -> argparse.ArgumentParser:
    """The job's own options; `--help` lists them."""
    p = argparse.ArgumentParser(
        prog="errlens_job.py",
        usage="spark-submit errlens_job.py [OPTIONS] INPUT... [-- REPORT FLAGS]",
        description=__doc__.split("\n")[0],
        epilog="Flags after -- go to the merging errlens analyze (--format, -o, --fail-on ...).",
        allow_abbrev=False,
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or globs")
    for flag, metavar, text in OPTIONS:
        if metavar is None:
            p.add_argument(flag, action="store_true", help=text)
        elif flag in ("--rules", "--map"):
            p.add_argument(flag, metavar=metavar, help=text, action="append", default=[])
        else:
            kind = int if metavar == "N" else str
            p.add_argument(flag, metavar=metavar, help=text, type=kind)
    p.set_defaults(errlens="errlens")
    return p


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The job's options and inputs, and the flags after `--` for the merge."""
    cut = argv.index("--") if "--" in argv else len(argv)
    p = parser()
    args = p.parse_args(argv[:cut])
    if args.partitions is not None and args.partitions < 1:
        p.error("--partitions must be at least 1")
    return args, argv[cut + 1 :]


def absolute_time(text: str | None) -> str | None:
    """A --since/--until span (`24h`) as the RFC 3339 time it means now, so
    that every errlens of the job keeps the same records; other text as is."""
    match = re.fullmatch(r"\s*(\d+)([mhdw])\s*", text or "")
    if not match:
        return text
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    now_ms = int(epoch) * 1000 if epoch.isdigit() else int(time.time() * 1000)
    then_ms = now_ms - int(match[1]) * SPAN_UNITS_MS[match[2]]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(then_ms // 1000))
    return f"{stamp}.{then_ms % 1000:03d}Z"


def fold_flags(args: argparse.Namespace) -> tuple[str, ...]:
    """The flags that decide how records are folded, save --rules."""
    pairs = [
        ("--by", args.by),
        ("--every", args.every),
        ("--since", absolute_time(args.since)),
        ("--until", absolute_time(args.until)),
        ("--max-distinct", args.max_distinct),
    ]
    return tuple(part for flag, value in pairs if value is not None for part in (flag, str(value)))


def read_flags(args: argparse.Namespace, threads: int) -> tuple[str, ...]:
    """The flags that decide how the executors' errlens reads its files."""
    flags = ["--threads", str(threads), "--progress", "never"]
    if args.input_format:
        flags += ["--input-format", args.input_format]
    for mapping in args.map:
        flags += ["--map", mapping]
    return tuple(flags)


# ---------------------------------------------------------------- inputs


def is_log_name(name: str) -> bool:
    """Whether errlens reads a file of this name inside a folder: a log
    extension, optionally a rotation suffix, optionally a compression one."""
    base = name.lower()
    for compression in COMPRESSIONS:
        if base.endswith("." + compression):
            base = base[: -len(compression) - 1]
            break
    suffix = re.search(r"[0-9._-]*$", base)[0]
    if suffix[:1] in (".", "-") and any(c.isdigit() for c in suffix):
        base = base[: len(base) - len(suffix)]
    return any(base.endswith("." + ext) for ext in LOG_EXTENSIONS)


def sort_key(relative: str) -> list[bytes]:
    """errlens's walk order: component by component, bytewise."""
    return [part.encode() for part in relative.split("/")]


def literal_prefix(given: str) -> str:
    """The leading components of an input that hold no glob character."""
    parts = given.split("/")
    for count, part in enumerate(parts):
        if GLOB_CHARS & set(part):
            return "/".join(parts[:count]) + ("/" if count == 1 and parts[0] == "" else "")
    return given


def join(prefix: str, relative: str) -> str:
    """`prefix` then `relative`, with one `/` between, as Rust's Path::join."""
    if not prefix or not relative:
        return prefix or relative
    return prefix + ("" if prefix.endswith("/") else "/") + relative


class Hadoop:
    """The driver's view of the inputs, through the JVM's FileSystem API."""

    def __init__(self, sc: SparkContext):
        """Hadoop's configuration and Path class, from the JVM gateway."""
        self.conf = sc._jsc.hadoopConfiguration()
        self.path = sc._jvm.org.apache.hadoop.fs.Path
        self.folders: set = set()  # walked already, by identity()

    def fs(self, path):
        """The FileSystem a Hadoop Path lives on."""
        return path.getFileSystem(self.conf)

    def qualified(self, text: str) -> str:
        """The full URI of a path as Hadoop resolves it."""
        path = self.path(text or ".")
        return self.fs(path).makeQualified(path).toString()

    def matches(self, given: str) -> list[tuple[str, str]]:
        """(URI, name) of each file one input stands for, in errlens's order."""
        path = self.path(given)
        statuses = self.fs(path).globStatus(path)
        if not statuses:
            missing = "matches nothing" if GLOB_CHARS & set(given) else "no such file or folder"
            raise JobError(f"{given}: {missing}")
        prefix = literal_prefix(given)
        base = self.qualified(prefix).rstrip("/")
        found = []
        for status in sorted(statuses, key=lambda s: sort_key(s.getPath().toString())):
            if status.isDirectory():
                found += self.walk(status.getPath())
            else:
                found.append(status.getPath().toString())
        return [(uri, name_of(uri, base, prefix)) for uri in found]

    def walk(self, folder) -> list[str]:
        """The log files under a folder as errlens walks it: entries sorted by
        name, folders walked where they sort, hidden names skipped, a folder
        reached twice (a symlink loop) walked once. listStatus, not the
        recursive listFiles: that one reads every local file's owner and
        permissions, a process per file where Hadoop has no native library."""
        if not add_new(self.folders, identity(folder.toString())):
            return []
        entries = [(s.getPath().toString(), s) for s in self.fs(folder).listStatus(folder)]
        kept = []
        for uri, status in sorted(entries, key=lambda entry: sort_key(entry[0])):
            name = uri.rsplit("/", 1)[-1]
            if name.startswith("."):
                continue
            if status.isDirectory():
                kept += self.walk(status.getPath())
            elif is_log_name(name):
                kept.append(uri)
        return kept


def identity(uri: str):
    """What makes two paths one file or folder: for a file: path, as errlens,
    its device and inode (through symlinks and hard links); else its URI."""
    if uri.startswith("file:"):
        try:
            meta = os.stat(re.sub(r"^file:(//)?", "", uri))
            return meta.st_dev, meta.st_ino
        except OSError:
            pass
    return uri


def add_new(seen: set, key) -> bool:
    """Adds `key` to `seen`; whether it was new."""
    new = key not in seen
    seen.add(key)
    return new


def name_of(uri: str, base: str, prefix: str) -> str:
    """How errlens would name a file found under the input `prefix` (whose
    URI is `base`): the prefix as given, then the path below it."""
    if uri != base and not uri.startswith(base + "/"):
        return uri
    return join(prefix, uri[len(base) :].lstrip("/"))


def expand(sc: SparkContext, given: list[str], copy_inputs: bool) -> list[Input]:
    """The files the inputs stand for, each once (by identity()), in order."""
    hadoop = Hadoop(sc)
    seen: set = set()
    files = []
    for text in given:
        if text == "-":
            raise JobError("-: a Spark job cannot read stdin; give files")
        files += [(uri, name) for uri, name in hadoop.matches(text) if add_new(seen, identity(uri))]
    if not files:
        raise JobError(f"no input: {', '.join(given)}: no log files found")
    inputs = [to_input(i, uri, name, copy_inputs) for i, (uri, name) in enumerate(files)]
    check_copied_names(inputs)
    return inputs


def check_copied_names(files: list[Input]) -> None:
    """Refuses two copied files that would land on one local path."""
    seen: dict[str, str] = {}
    for f in files:
        path = os.path.normpath(f.name)
        if not f.local and seen.setdefault(path, f.uri) != f.uri:
            raise JobError(f"{seen[path]} and {f.uri} would both be copied to {path}")


def to_input(index: int, uri: str, name: str, copy_inputs: bool) -> Input:
    """An input file: opened in place when it is a file: path, else copied
    through Spark to a local path named like it."""
    if uri.startswith("file:") and not copy_inputs:
        return Input(index, uri, name, True)
    if UNSAFE_FOR_SPARK_READER & set(uri):
        raise JobError(
            f"{uri}: Spark's reader takes globs, so a name holding any of , * ? [ ] {{ }} \\ "
            "cannot be read literally; rename it"
        )
    parts = name.split("/")
    safe = not name.startswith("/") and ".." not in parts
    return Input(index, uri, name if safe else uri, False)


# ---------------------------------------------------------------- executors


def executable(name: str) -> str:
    """The local path of a file shipped with addFile, made executable."""
    path = SparkFiles.get(name)
    if not os.access(path, os.X_OK):
        os.chmod(path, os.stat(path).st_mode | 0o111)
    return path


def call(binary: str, args: list[str], cwd: str, names: list[str]) -> str:
    """Runs errlens; its stderr when it wrote its output, else ErrlensFailed."""
    done = subprocess.run(
        [binary, *args], cwd=cwd, capture_output=True, text=True, errors="replace"
    )
    if done.returncode in WRITTEN:
        return done.stderr
    span = names[0] if len(names) == 1 else f"{names[0]} ... {names[-1]} ({len(names)} files)"
    raise ErrlensFailed(
        f"errlens {args[0]} exited {done.returncode} on {span}:\n"
        f"{done.stderr.rstrip()}\n{MESSAGE_END}"
    )


def run_part(first: int, names: list[str], cwd: str, plan: Plan) -> tuple[int, int, bytes, str]:
    """One errlens over consecutive files: (first, end, state bytes, stderr)."""
    binary = executable(plan.binary)
    rules = [arg for name in plan.rules for arg in ("--rules", SparkFiles.get(name))]
    with tempfile.TemporaryDirectory(prefix="errlens-part-") as out:
        state = os.path.join(out, "part.state")
        analyze = ["analyze", *plan.read, *rules, *plan.fold, "--format", "state", "-o", state]
        notes = call(binary, [*analyze, "--", *names], cwd, names)
        if plan.parquet_dir:
            parquet = os.path.join(plan.parquet_dir, part_name(first, plan.width, "parquet"))
            classify = ["classify", *plan.read, *rules, "-o", parquet, "--", *names]
            notes += call(binary, classify, cwd, names)
        with open(state, "rb") as f:
            return first, first + len(names), f.read(), notes


def consecutive(indexed: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """(index, name) pairs, sorted, cut into runs of consecutive indexes."""
    runs: list[tuple[int, list[str]]] = []
    for index, name in sorted(indexed):
        if runs and runs[-1][0] + len(runs[-1][1]) == index:
            runs[-1][1].append(name)
        else:
            runs.append((index, [name]))
    return runs


def run_copied(records, names: dict[str, tuple[int, str]], plan: Plan) -> list:
    """Writes the files Spark read for this partition under a temporary
    folder, at the paths they are named by, and runs errlens there."""
    with tempfile.TemporaryDirectory(prefix="errlens-inputs-") as root:
        staged = []
        for uri, data in records:
            if uri not in names:
                message = f"Spark read {uri}, which the driver did not list"
                raise ErrlensFailed(f"{message}\n{MESSAGE_END}")
            index, name = names[uri]
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            staged.append((index, name))
        return [run_part(first, run, root, plan) for first, run in consecutive(staged)]


# ---------------------------------------------------------------- driver


def part_name(first: int, width: int, extension: str) -> str:
    """`part-00042.state`: the part whose first file is the 43rd input."""
    return f"part-{first:0{width}d}.{extension}"


def contiguous(files: list[Input], count: int) -> list[tuple[int, list[str]]]:
    """The local files in `count` slices of about equal length, each cut
    into runs of consecutive positions (one run when all files are local)."""
    count = max(1, min(count, len(files)))
    slices = [files[len(files) * i // count : len(files) * (i + 1) // count] for i in range(count)]
    return [run for piece in slices for run in consecutive([(f.index, f.name) for f in piece])]


def analyse(sc: SparkContext, files: list[Input], plan: Plan, count: int) -> list:
    """Runs the parts on the executors; their results, in input order."""
    local = [f for f in files if f.local]
    copied = [f for f in files if not f.local]
    rdds = []
    if local:
        groups = contiguous(local, count)
        # One group per slice: parallelize keeps a list's order in its slices.
        rdd = sc.parallelize(groups, len(groups))
        rdds.append(rdd.map(lambda group: run_part(group[0], group[1], plan.cwd, plan)))
    if copied:
        names = sc.broadcast({f.uri: (f.index, f.name) for f in copied})
        rdd = sc.binaryFiles(",".join(f.uri for f in copied), count)
        rdds.append(rdd.mapPartitions(lambda records: run_copied(records, names.value, plan)))
    try:
        return sorted(sc.union(rdds).collect())
    except Exception as error:  # Spark wraps the executor's exception in its own
        raise JobError(executor_message(str(error))) from None


def executor_message(text: str) -> str:
    """errlens's message out of Spark's report of a failed task."""
    found = re.search(rf"ErrlensFailed: (.*?)\n{re.escape(MESSAGE_END)}", text, re.DOTALL)
    return found[1] if found else f"the Spark job failed:\n{text}"


def check_coverage(parts: list, files: list[Input]) -> None:
    """Every file in exactly one part, the parts in order, else JobError."""
    expected = 0
    for first, end, _, _ in parts:
        if first != expected:
            break
        expected = end
    if expected != len(files):
        raise JobError(
            f"no part covers {files[expected].name} (input {expected} of {len(files)}); "
            "refusing to report without it"
        )


@dataclass(frozen=True)
class Tools:
    """The errlens binary and the --rules files, on the driver's local disk."""

    binary: str
    rules: tuple[str, ...]


def stage(args: argparse.Namespace, folder: str) -> Tools:
    """Copies the binary and the --rules files into a local folder: addFile
    reads with the JVM, which cannot read every path Python can (Databricks
    volumes), and a mounted binary may not run in place."""
    paths = [errlens_binary(args.errlens), *args.rules]
    names = [os.path.basename(path) for path in paths]
    if len(set(names)) != len(names):
        raise JobError("the errlens binary and the --rules files need distinct file names")
    copies = []
    for path in paths:
        if not os.path.isfile(path):
            raise JobError(f"{path}: no such file")
        copies.append(shutil.copy(path, folder))
    os.chmod(copies[0], 0o755)
    return Tools(copies[0], tuple(copies[1:]))


def ship(sc: SparkContext, path: str) -> str:
    """addFile; the name the executors find the file by."""
    sc.addFile(path)
    return os.path.basename(path)


def errlens_binary(given: str) -> str:
    """The errlens the driver runs and ships."""
    found = shutil.which(given) if os.sep not in given else given
    if not found or not os.path.isfile(found):
        raise JobError(f"{given}: no errlens binary there; give --errlens PATH")
    return found


def parquet_dir(binary: str, given: str | None) -> str | None:
    """The local folder the parts write Parquet to, created, or None."""
    if given is None:
        return None
    path = given[len("file:") :] if given.startswith("file:") else given
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        raise JobError(
            f"--parquet-dir {given}: errlens writes local files; give a folder every "
            "executor can write (local mode, NFS, /dbfs/..., a mounted bucket)"
        )
    helptext = subprocess.run([binary, "classify", "--help"], capture_output=True, text=True)
    if "parquet" not in helptext.stdout.lower():
        raise JobError("--parquet-dir: this errlens cannot write Parquet (see classify --help)")
    path = os.path.abspath(path)
    os.makedirs(path, exist_ok=True)
    if any(n.startswith("part-") for n in os.listdir(path)):
        raise JobError(f"--parquet-dir {given} holds parts of an earlier run; empty it first")
    return path


def make_plan(sc: SparkContext, args, tools: Tools, parquet: str | None, count: int) -> Plan:
    """Ships the binary and rules files; the arguments every part shares."""
    threads = args.threads or int(sc.getConf().get("spark.task.cpus", "1"))
    return Plan(
        binary=ship(sc, tools.binary),
        rules=tuple(ship(sc, path) for path in tools.rules),
        read=read_flags(args, threads),
        fold=fold_flags(args),
        cwd=os.getcwd(),
        parquet_dir=parquet,
        width=max(5, len(str(count - 1))),
    )


class StatesDir:
    """Where the states are kept for a later merge: any Hadoop path."""

    def __init__(self, sc: SparkContext, given: str):
        """The folder `given`, on its file system; `local` its path if a file: one."""
        self.given = given
        self.hadoop_path = sc._jvm.org.apache.hadoop.fs.Path
        self.path = self.hadoop_path(given)
        self.fs = self.path.getFileSystem(sc._jsc.hadoopConfiguration())
        uri = self.fs.makeQualified(self.path).toUri()
        self.local = uri.getPath() if uri.getScheme() == "file" else None

    def check_empty(self) -> None:
        """Refuses a folder holding states of an earlier run: merging
        `part-*.state` there later would mix the two."""
        pattern = self.hadoop_path(self.path, "part-*.state")
        if self.fs.globStatus(pattern):
            raise JobError(
                f"--states-dir {self.given} holds states of an earlier run; empty it first"
            )

    def save(self, states: list[str]) -> None:
        """Copies the states there; a local folder with Python, so that no
        Hadoop checksum files (`.part-00000.state.crc`) land beside them."""
        if self.local is not None:
            os.makedirs(self.local, exist_ok=True)
            for state in states:
                shutil.copy(state, self.local)
            return
        self.fs.mkdirs(self.path)
        for state in states:
            self.fs.copyFromLocalFile(False, True, self.hadoop_path(state), self.path)


def write_states(parts: list, folder: str, width: int) -> list[str]:
    """The parts' states as files, in order; their notes to stderr."""
    paths = []
    for first, _, state, notes in parts:
        path = os.path.join(folder, part_name(first, width, "state"))
        with open(path, "wb") as f:
            f.write(state)
        paths.append(path)
        sys.stderr.write(notes)
    sizes = [len(state) for _, _, state, _ in parts]
    print(
        f"errlens-job: {len(parts)} parts, states {sum(sizes):,} bytes "
        f"(largest {max(sizes):,})",
        file=sys.stderr,
    )
    return paths


def merge(tools: Tools, states: list[str], plan: Plan, report: list[str]) -> int:
    """`errlens analyze STATES... REPORT FLAGS` on the driver; its exit code."""
    rules = [arg for path in tools.rules for arg in ("--rules", path)]
    command = [tools.binary, "analyze", *states, *rules, *plan.fold, *report]
    return subprocess.run(command).returncode


def run_on_spark(sc: SparkContext, args, tools: Tools, parquet: str | None, report) -> int:
    """The job once Spark runs: parts on the executors, the merge here."""
    keep = StatesDir(sc, args.states_dir) if args.states_dir else None
    if keep:
        keep.check_empty()
    started = time.monotonic()
    files = expand(sc, args.inputs, args.copy_inputs)
    print(f"errlens-job: {len(files):,} files, listed in {time.monotonic() - started:.1f}s",
          file=sys.stderr)
    plan = make_plan(sc, args, tools, parquet, len(files))
    parts = analyse(sc, files, plan, args.partitions or sc.defaultParallelism)
    check_coverage(parts, files)
    with tempfile.TemporaryDirectory(prefix="errlens-states-") as folder:
        states = write_states(parts, folder, plan.width)
        if keep:
            keep.save(states)
        return merge(tools, states, plan, report)


def run(args: argparse.Namespace, report: list[str]) -> int:
    """The whole job on the driver; the merging errlens's exit code."""
    with tempfile.TemporaryDirectory(prefix="errlens-job-") as folder:
        tools = stage(args, folder)
        parquet = parquet_dir(tools.binary, args.parquet_dir)  # before Spark takes seconds
        conf = SparkConf().setAppName("errlens").setIfMissing("spark.log.level", "WARN")
        # A context that was running already (Databricks, a notebook) is not ours to stop.
        ours = SparkContext._active_spark_context is None
        sc = SparkContext.getOrCreate(conf)
        try:
            return run_on_spark(sc, args, tools, parquet, report)
        finally:
            if ours:
                sc.stop()


def main(argv: list[str]) -> int:
    """Parses the arguments, runs the job, prints a failure as one message."""
    args, report = parse_args(argv)
    try:
        return run(args, report)
    except JobError as error:
        print(f"errlens-job: {error}", file=sys.stderr)
        return 2
    except Exception:  # exit code 1 means "a condition held": keep 2 for errors
        traceback.print_exc()
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
