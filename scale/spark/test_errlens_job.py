"""Unit tests of errlens_job.py's pure parts: names, order, parts, messages.

The Spark run itself is tested by test.sh; these cover what one run over the
samples cannot reach (runs of non-consecutive files that binaryFiles may hand a
partition, names of remote files, time spans). Run with the Python that has
pyspark: `python -m unittest scale/spark/test_errlens_job.py`.
"""

import os
import sys
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import errlens_job as job  # noqa: E402


class Names(unittest.TestCase):
    def test_log_names_as_errlens_reads_them(self):
        # The lists of src/input/discover.rs's test `log_names`.
        for yes in [
            "a.jsonl", "b.JSONL.gz", "c.log.zst", "d.ndjson", "e.json", "f.txt.zstd",
            "app.log.1", "app.jsonl.2.gz", "app.log-20261121.gz", "app.log-20261121",
            "app.jsonl.1.zst", "app.log-2026-11-21", "0123abcd-json.log.3",
        ]:
            self.assertTrue(job.is_log_name(yes), yes)
        for no in ["README.md", "x.gz", "data.parquet", "jsonl", "app.1", "notes.md.1", "a.log.."]:
            self.assertFalse(job.is_log_name(no), no)

    def test_walk_order_is_by_component(self):
        # errlens walks `a/` before `a-b.jsonl` ('-' < '.' but a folder's
        # files stay together); plain string order would put `a-b` first.
        names = ["a.jsonl", "a/x.jsonl", "a-b.jsonl", "a/b/y.jsonl", "B.jsonl"]
        expected = ["B.jsonl", "a/b/y.jsonl", "a/x.jsonl", "a-b.jsonl", "a.jsonl"]
        self.assertEqual(sorted(names, key=job.sort_key), expected)

    def test_literal_prefix(self):
        cases = {
            "samples/*.jsonl": "samples",
            "*.jsonl": "",
            "/*.jsonl": "/",
            "/data/logs/2026-*/x.gz": "/data/logs",
            "s3a://bucket/logs/*.gz": "s3a://bucket/logs",
            "samples/": "samples/",
        }
        for given, prefix in cases.items():
            self.assertEqual(job.literal_prefix(given), prefix, given)

    def test_names_keep_the_input_as_given(self):
        base = "file:/home/u/repo/samples"
        self.assertEqual(job.name_of(base + "/x.jsonl", base, "samples/"), "samples/x.jsonl")
        self.assertEqual(job.name_of(base + "/x.jsonl", base, "./samples"), "./samples/x.jsonl")
        self.assertEqual(job.name_of(base, base, "samples/x.jsonl"), "samples/x.jsonl")
        self.assertEqual(job.name_of("file:/other/y.jsonl", base, "samples"), "file:/other/y.jsonl")
        self.assertEqual(job.name_of("file:/y.jsonl", "file:", "/"), "/y.jsonl")

    def test_copied_inputs_are_named_by_a_relative_path(self):
        remote = job.to_input(3, "s3a://b/logs/x.jsonl.gz", "s3a://b/logs/x.jsonl.gz", False)
        self.assertEqual((remote.name, remote.local), ("s3a://b/logs/x.jsonl.gz", False))
        absolute = job.to_input(0, "hdfs://nn:8020/data/x.log", "/data/x.log", False)
        self.assertEqual(absolute.name, "hdfs://nn:8020/data/x.log")
        climbing = job.to_input(0, "hdfs://nn:8020/x.log", "../x.log", False)
        self.assertEqual(climbing.name, "hdfs://nn:8020/x.log")
        local = job.to_input(1, "file:/r/samples/a.jsonl", "samples/a.jsonl", False)
        self.assertEqual((local.name, local.local), ("samples/a.jsonl", True))
        with self.assertRaisesRegex(job.JobError, "rename it"):
            job.to_input(0, "s3a://b/a,b.jsonl", "s3a://b/a,b.jsonl", False)

    def test_two_copied_files_on_one_path_are_refused(self):
        one = job.Input(0, "hdfs://nn/a/x.jsonl", "a/x.jsonl", False)
        other = job.Input(1, "hdfs://nn/b/x.jsonl", "a//x.jsonl", False)
        local = job.Input(2, "file:/r/a/x.jsonl", "a/x.jsonl", True)
        job.check_copied_names([one, local])
        with self.assertRaisesRegex(job.JobError, "would both be copied to a/x.jsonl"):
            job.check_copied_names([one, other])


class Parts(unittest.TestCase):
    def test_consecutive_runs_in_order(self):
        shuffled = [(7, "h"), (2, "c"), (3, "d"), (9, "j"), (8, "i"), (0, "a")]
        runs = job.consecutive(shuffled)
        self.assertEqual(runs, [(0, ["a"]), (2, ["c", "d"]), (7, ["h", "i", "j"])])

    def test_contiguous_slices_cover_every_file_once(self):
        files = [job.Input(i, f"u{i}", f"n{i}", True) for i in range(21)]
        groups = job.contiguous(files, 4)
        self.assertEqual([first for first, _ in groups], [0, 5, 10, 15])
        self.assertEqual([n for _, names in groups for n in names], [f.name for f in files])
        self.assertEqual(len(job.contiguous(files[:3], 7)), 3)

    def test_local_files_between_copied_ones_split_a_slice(self):
        local = [job.Input(i, f"u{i}", f"n{i}", True) for i in (0, 1, 4, 5)]
        self.assertEqual(job.contiguous(local, 1), [(0, ["n0", "n1"]), (4, ["n4", "n5"])])

    def test_a_missing_part_is_refused(self):
        files = [job.Input(i, f"u{i}", f"n{i}", True) for i in range(4)]
        job.check_coverage([(0, 2, b"", ""), (2, 4, b"", "")], files)
        with self.assertRaisesRegex(job.JobError, "no part covers n2"):
            job.check_coverage([(0, 2, b"", ""), (3, 4, b"", "")], files)
        with self.assertRaisesRegex(job.JobError, "no part covers n3"):
            job.check_coverage([(0, 3, b"", "")], files)

    def test_part_names_sort_in_input_order(self):
        self.assertEqual(job.part_name(42, 5, "state"), "part-00042.state")
        names = [job.part_name(i, 6, "state") for i in (0, 9, 10, 100000)]
        self.assertEqual(sorted(names), names)


class Flags(unittest.TestCase):
    def test_spans_become_absolute_times(self):
        # 1795305600 is 2026-11-22T00:00:00Z.
        with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": "1795305600"}):
            self.assertEqual(job.absolute_time("24h"), "2026-11-21T00:00:00.000Z")
            self.assertEqual(job.absolute_time("2w"), "2026-11-08T00:00:00.000Z")
            self.assertEqual(job.absolute_time("90m"), "2026-11-21T22:30:00.000Z")
        self.assertEqual(job.absolute_time("2026-11-21T00:00:00Z"), "2026-11-21T00:00:00Z")
        self.assertIsNone(job.absolute_time(None))

    def test_report_flags_follow_the_double_dash(self):
        args, report = job.parse_args(["--by", "key", "logs/", "--", "--format", "json"])
        self.assertEqual((args.inputs, args.by, report), (["logs/"], "key", ["--format", "json"]))
        self.assertEqual(job.fold_flags(args), ("--by", "key"))

    def test_errlens_message_is_cut_out_of_sparks(self):
        text = (
            "py4j...\nTraceback ...\n__main__.ErrlensFailed: errlens analyze exited 2 on x:\n"
            f"errlens: x: incomplete gzip stream\n{job.MESSAGE_END}\n\tat org.apache..."
        )
        self.assertEqual(
            job.executor_message(text),
            "errlens analyze exited 2 on x:\nerrlens: x: incomplete gzip stream",
        )
        self.assertIn("the Spark job failed", job.executor_message("OutOfMemoryError"))


if __name__ == "__main__":
    unittest.main()
