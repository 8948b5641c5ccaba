#!/usr/bin/env python3
"""Writes the seed corpus of each harness to fuzz/corpus/HARNESS/ (not committed:
run again whenever the samples change).

Sources: the lines of samples/ (one to a few lines per seed) and the error rows
of tests/data/real-errors.jsonl plus, when present, the second reference set
(real-errors-v2.jsonl, passed with --reference or found beside the project).
Each seed starts with the selector bytes its harness reads (see fuzz/src/*.rs).

Usage: python3 fuzz/seeds.py [--reference FILE]...
"""

import argparse
import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
# Kept in step with fuzz/src/classify.rs.
STATUSES = [400, 401, 403, 404, 408, 409, 413, 415, 422, 424, 429, 500, 502, 503, 504, 520, 524, 529]
PROVIDERS = [None, "openai", "azure", "Azure"]
MODELS = [None, "gpt-4o", "gpt-4-0314", "gpt-4o-mnii",
          "ft:gpt-4o-mini-2024-07-18:org::abc123", "text-davinci-003"]
# Seeds longer than this are cut out: AFL works best on small inputs.
MAX_SEED = 4096


def mapping_names():
    """Mapping names in the order of data/formats.toml (the parse selector)."""
    text = (ROOT / "data" / "formats.toml").read_text()
    return re.findall(r'^name = "([^"]+)"', text, re.M)


def sample_files():
    files = sorted((ROOT / "samples").glob("*.jsonl"))
    return files + sorted((ROOT / "samples" / "formats").glob("*.jsonl"))


def sample_lines(path):
    """The lines worth seeding: all of a small file; of a big one, every
    failure and a few successes."""
    lines = path.read_bytes().split(b"\n")
    if len(lines) <= 200:
        return [l for l in lines if l.strip()]
    failures = [l for l in lines if b'"error": {' in l or b'"status": 4' in l or b'"status": 5' in l]
    return failures[:150] + lines[:: max(1, len(lines) // 30)][:30]


def parse_selector(path, names):
    stem = path.stem.replace("-", "_")
    if stem.startswith("otlp"):
        return 2
    return 4 + names.index(stem) if stem in names else 0


def classify_header(row):
    status = row.get("status")
    s = STATUSES.index(status) + 1 if status in STATUSES else 0
    provider = row.get("provider")
    model = row.get("model")
    p = PROVIDERS.index(provider) if provider in PROVIDERS else 0
    m = MODELS.index(model) if model in MODELS else 0
    return bytes([s, p + len(PROVIDERS) * m])


def reference_rows(extra):
    paths = [ROOT / "tests" / "data" / "real-errors.jsonl"] + [Path(p) for p in extra]
    sibling = ROOT.parent / "shared" / "reference" / "real-errors-v2.jsonl"
    if not extra and sibling.exists():
        paths.append(sibling)
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip():
                yield json.loads(line)


class Corpus:
    def __init__(self, name):
        self.dir = FUZZ / "corpus" / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.seen = set()

    def add(self, data):
        digest = hashlib.sha1(data).hexdigest()[:16]
        if len(data) <= MAX_SEED and digest not in self.seen:
            self.seen.add(digest)
            (self.dir / f"seed-{digest}").write_bytes(data)

    def __len__(self):
        return len(self.seen)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", action="append", default=[], help="more error-row JSONL files")
    args = ap.parse_args()
    names = mapping_names()

    parse, pipeline = Corpus("parse"), Corpus("pipeline")
    for i, path in enumerate(sample_files()):
        lines = sample_lines(path)
        forced = parse_selector(path, names)
        for j, line in enumerate(lines):
            parse.add(bytes([0]) + line)
            if forced:
                parse.add(bytes([forced]) + line)
            if j % 4 == 0:
                mode = (i + j // 4) % 7
                pipeline.add(bytes([mode, j % 256]) + b"\n".join(lines[j:j + 4]) + b"\n")
    with_bom = b"\xef\xbb\xbf" + b"\n".join(sample_lines(sample_files()[0])[:3])
    pipeline.add(bytes([4, 5]) + with_bom)
    pipeline.add(bytes([4, 7]) + gzip.compress(b"\n".join(sample_lines(sample_files()[0])[:5]), mtime=0))

    classify = Corpus("classify")
    for row in reference_rows(args.reference):
        header = classify_header(row)
        if row.get("body") is not None:
            classify.add(header + json.dumps(row["body"]).encode())
        if row.get("raw"):
            classify.add(header + row["raw"].encode())

    for corpus in (parse, classify, pipeline):
        print(f"{corpus.dir.relative_to(ROOT)}: {len(corpus)} seeds")


if __name__ == "__main__":
    main()
