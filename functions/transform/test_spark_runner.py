"""Unit tests for spark_runner.py with a fake SparkSession (no pyspark needed): python3 -m unittest."""

import hashlib
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spark_runner  # noqa: E402


class FakeFrame:
    def __init__(self, rows, session=None, columns=()):
        self.rows = rows
        self.session = session
        self.columns = list(columns)

    def localCheckpoint(self, eager=True):
        self.session.calls.append(("localCheckpoint", eager))
        return self

    def createOrReplaceTempView(self, name):
        self.session.calls.append(("view", name, self.rows))

    def count(self):
        return len(self.rows)

    def collect(self):
        return self.rows


class FakeStream:
    """Records the Auto Loader call chain."""

    def __init__(self, session):
        self.session = session

    def format(self, value):
        self.session.calls.append(("format", value))
        return self

    def option(self, key, value):
        self.session.calls.append(("option", key, value))
        return self

    def load(self, path):
        self.session.calls.append(("load", path))
        return self

    def selectExpr(self, *exprs):
        self.session.calls.append(("selectExpr",) + exprs)
        return self

    @property
    def writeStream(self):
        return self

    def schema(self, value):
        self.session.calls.append(("schema", value))
        return self

    def trigger(self, **kwargs):
        self.session.calls.append(("trigger", kwargs))
        return self

    def foreachBatch(self, function):
        self.session.calls.append(("foreachBatch",))
        return self

    def start(self):
        self.session.calls.append(("start",))
        return self

    def awaitTermination(self):
        self.session.calls.append(("awaitTermination",))

    @property
    def recentProgress(self):
        return [{"numInputRows": 5}]


class FakeConf:
    def __init__(self):
        self.values = {}

    def set(self, key, value):
        self.values[key] = value


class FakeCatalog:
    def tableExists(self, name):
        return False


class FakeSession:
    """Answers MERGE/INSERT as Delta does (one row of metrics); has no Iceberg metadata tables."""

    def __init__(self, fail_on=None, counts=None):
        self.statements = []
        self.calls = []
        self.fail_on = fail_on
        self.counts = counts or {}
        self.conf = FakeConf()
        # No table exists yet: create_table steps run their CREATE TABLE (test_spark_ddl.py covers evolution).
        self.catalog = FakeCatalog()

    def sql(self, statement):
        if ".snapshots" in statement:
            raise RuntimeError("TABLE_OR_VIEW_NOT_FOUND")
        self.statements.append(statement)
        if self.fail_on and self.fail_on in statement:
            raise RuntimeError(f"boom: {statement}")
        if statement.startswith("MERGE INTO "):
            inserted = self.counts.get(statement.split(" ")[2], 0)
            return FakeFrame(
                [{"num_affected_rows": inserted + 1, "num_updated_rows": 1, "num_deleted_rows": 0, "num_inserted_rows": inserted}],
                self,
                ["num_affected_rows", "num_updated_rows", "num_deleted_rows", "num_inserted_rows"],
            )
        return FakeFrame([["row"], ["row"]], self)

    def createDataFrame(self, rows, schema):
        self.calls.append(("createDataFrame", schema))
        return FakeFrame(rows, self)

    @property
    def readStream(self):
        return FakeStream(self)


PLANS = {
    "plans": [
        {
            "name": "review",
            "stage": "silver",
            "steps": [
                {"name": "review.create", "kind": "sql", "sql": "CREATE TABLE s.review (id INT)"},
                {"name": "review.merge", "kind": "sql", "sql": "MERGE INTO s.review", "target": "s.review"},
            ],
        },
        {
            "name": "beer",
            "stage": "silver",
            "steps": [{"name": "beer.merge", "kind": "sql", "sql": "MERGE INTO s.beer", "target": "s.beer"}],
        },
    ]
}


def write_plan(document):
    handle = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(document, handle)
    handle.close()
    return handle.name


class RunnerTest(unittest.TestCase):
    def test_logs_what_each_step_did_not_the_targets_total(self):
        session = FakeSession(counts={"s.review": 7, "s.beer": 3})
        lines = []
        spark_runner.run(session, PLANS["plans"], log=lines.append)
        self.assertEqual(session.statements, ["CREATE TABLE s.review (id INT)", "MERGE INTO s.review", "MERGE INTO s.beer"])
        self.assertEqual(
            lines,
            [
                "silver review review.create: done",
                "silver review review.merge: 7 inserted, 1 updated, 0 deleted",
                "silver beer beer.merge: 3 inserted, 1 updated, 0 deleted",
            ],
        )

    def test_an_iceberg_step_logs_its_new_snapshots_records_added_and_removed(self):
        session = FakeSession()
        snapshots = iter([[(1, {})], [(2, {"added-records": "4", "deleted-records": "1"})]])
        original = session.sql

        def sql(statement):
            if ".snapshots" in statement:
                return FakeFrame(next(snapshots))
            return original(statement)

        session.sql = sql
        step = {"name": "t.merge", "kind": "sql", "sql": "UPDATE s.t SET x = 1", "target": "s.t"}
        self.assertEqual(spark_runner.run_sql(session, step), "4 records added, 1 removed")

    def test_pins_the_session_time_zone_to_utc_and_merges_bronze_schemas(self):
        session = FakeSession()
        spark_runner.run(session, PLANS["plans"], log=lambda _: None)
        self.assertEqual(session.conf.values["spark.sql.session.timeZone"], "UTC")
        self.assertEqual(session.conf.values["spark.sql.parquet.mergeSchema"], "true")
        self.assertEqual(session.conf.values["spark.sql.parquet.datetimeRebaseModeInRead"], "CORRECTED")

    def test_a_table_without_bronze_data_is_skipped_not_the_job_failed(self):
        session = FakeSession(fail_on="FROM parquet.`s3://b/beer/`")
        session.fail_on = None
        plans = [
            {"name": "beer", "stage": "silver", "steps": [
                {"name": "beer.create", "kind": "sql", "sql": "CREATE TABLE s.beer (id INT)"},
                {"name": "beer.stage", "kind": "sql", "sql": "SELECT * FROM parquet.`s3://b/beer/`", "temporary": "_stage_beer"},
                {"name": "beer.merge", "kind": "sql", "sql": "MERGE INTO s.beer", "target": "s.beer"},
            ]},
            PLANS["plans"][0],
        ]
        original = session.sql

        def sql(statement):
            if "parquet.`s3://b/beer/`" in statement:
                raise RuntimeError("[PATH_NOT_FOUND] Path does not exist: s3://b/beer/.")
            return original(statement)

        session.sql = sql
        lines = []
        spark_runner.run(session, plans, log=lines.append)
        self.assertIn("silver beer beer.stage: skipped, no bronze data yet ([PATH_NOT_FOUND] Path does not exist: s3://b/beer/.)", lines)
        self.assertNotIn("MERGE INTO s.beer", session.statements)
        self.assertIn("MERGE INTO s.review", session.statements)

    def test_runs_only_the_named_plan(self):
        session = FakeSession()
        spark_runner.run(session, PLANS["plans"], name="beer", log=lambda _: None)
        self.assertEqual(session.statements, ["MERGE INTO s.beer"])

    def test_fails_if_the_named_plan_is_missing(self):
        with self.assertRaisesRegex(ValueError, "no plan named 'brewery'"):
            spark_runner.run(FakeSession(), PLANS["plans"], name="brewery", log=lambda _: None)

    def test_main_reads_a_local_plan_file_and_exits_zero(self):
        path = write_plan(PLANS)
        session = FakeSession()
        code = spark_runner.main(["--plan", path, "--name", "review", "--JOB_ID", "j1"], lambda: session)
        self.assertEqual(code, 0)
        self.assertEqual(session.statements[0], "CREATE TABLE s.review (id INT)")
        os.unlink(path)

    def test_main_exits_non_zero_when_a_step_fails(self):
        path = write_plan(PLANS)
        session = FakeSession(fail_on="MERGE INTO s.review")
        stderr = io.StringIO()
        with redirect_stderr(stderr):
            code = spark_runner.main(["--plan", path], lambda: session)
        self.assertEqual(code, 1)
        self.assertIn("transform failed: boom", stderr.getvalue())
        self.assertIn("Traceback (most recent call last)", stderr.getvalue())
        self.assertNotIn("MERGE INTO s.beer", session.statements)
        os.unlink(path)

    def test_accepts_a_bare_list_of_plans(self):
        path = write_plan(PLANS["plans"])
        self.assertEqual(len(spark_runner.load_plans(FakeSession(), path)), 2)
        os.unlink(path)

    def test_autoloader_streams_available_now_with_the_spec_schema_into_the_target(self):
        session = FakeSession()
        step = {
            "name": "review.autoload",
            "kind": "autoloader",
            "source": "abfss://raw@acct/review/",
            "format": "csv",
            "schema": "`id` STRING",
            "target": "b.review",
            "checkpoint": "abfss://cp@acct/review",
        }
        self.assertEqual(spark_runner.run_autoloader(session, step), "5 rows appended")
        self.assertIn(("format", "cloudFiles"), session.calls)
        self.assertIn(("option", "cloudFiles.format", "csv"), session.calls)
        self.assertIn(("schema", "`id` STRING"), session.calls)
        self.assertIn(("option", "header", "true"), session.calls)
        self.assertIn(("option", "checkpointLocation", "abfss://cp@acct/review"), session.calls)
        self.assertIn(("trigger", {"availableNow": True}), session.calls)
        self.assertEqual(session.calls[-3:], [("foreachBatch",), ("start",), ("awaitTermination",)])
        select = next(call for call in session.calls if call[0] == "selectExpr")
        self.assertIn("_metadata.file_path AS _source_file", select)
        self.assertIn("_metadata.file_block_start AS _split_start", select)

    def test_a_failing_bronze_table_does_not_stop_the_others_and_fails_the_run_at_the_end(self):
        session = FakeSession()
        calls = []

        def autoload(spark, step):
            calls.append(step["name"])
            if step["name"] == "a.autoload":
                raise RuntimeError("boom")
            if step["name"] == "b.autoload":
                raise spark_runner.NoRawYet("no raw files under raw/b/")
            return "1 rows appended"

        plans = [
            {"name": n, "stage": "bronze", "steps": [{"name": f"{n}.autoload", "kind": "autoloader"}]}
            for n in ["a", "b", "c"]
        ]
        lines = []
        original = spark_runner.RUNNERS["autoloader"]
        spark_runner.RUNNERS["autoloader"] = autoload
        try:
            with redirect_stderr(io.StringIO()), self.assertRaisesRegex(spark_runner.PlansFailed, "bronze failed for a"):
                spark_runner.run(session, plans, log=lines.append)
        finally:
            spark_runner.RUNNERS["autoloader"] = original
        self.assertEqual(calls, ["a.autoload", "b.autoload", "c.autoload"])
        self.assertEqual(
            lines,
            [
                "bronze a a.autoload: failed: boom",
                "bronze b b.autoload: skipped, no raw files under raw/b/",
                "bronze c c.autoload: 1 rows appended",
            ],
        )

    def test_a_temporary_step_is_materialised_once_as_a_session_view(self):
        session = FakeSession()
        step = {"name": "t.stage", "kind": "sql", "sql": "SELECT 1", "temporary": "_stage_t"}
        self.assertEqual(spark_runner.run_sql(session, step), "2 rows staged")
        self.assertEqual(session.statements, ["SELECT 1"])
        self.assertEqual(session.calls[:2], [("localCheckpoint", True), ("view", "_stage_t", [["row"], ["row"]])])

    def test_the_hash_key_becomes_hmac_pads_once_and_never_sql_text(self):
        import hmac

        session = FakeSession()
        plans = [
            {
                "name": "p",
                "stage": "silver",
                "steps": [
                    {"name": "p.a", "kind": "sql", "sql": "SELECT 1", "inputs": ["hash_key"]},
                    {"name": "p.b", "kind": "sql", "sql": "SELECT 2", "inputs": ["hash_key"]},
                ],
            }
        ]
        fetched = []
        spark_runner.run(session, plans, log=lambda _: None, hash_key=lambda: fetched.append(1) or "s3cret")
        self.assertEqual(fetched, [1])
        views = [call for call in session.calls if call[0] == "view"]
        self.assertEqual(len(views), 1)
        (inner, outer) = views[0][2][0]
        self.assertEqual(views[0][1], "_medallion_hash_key")
        # H(outer || H(inner || m)) is the standard HMAC-SHA256.
        message = b"alice"
        ours = hashlib.sha256(bytes(outer) + hashlib.sha256(bytes(inner) + message).digest()).hexdigest()
        self.assertEqual(ours, hmac.new(b"s3cret", message, hashlib.sha256).hexdigest())
        self.assertFalse(any("s3cret" in statement for statement in session.statements))

    def test_a_hash_step_without_a_key_fails(self):
        plans = [{"name": "p", "stage": "silver", "steps": [{"name": "p.a", "kind": "sql", "sql": "SELECT 1", "inputs": ["hash_key"]}]}]
        with self.assertRaisesRegex(ValueError, "--hash-key-secret"):
            spark_runner.run(FakeSession(), plans, log=lambda _: None)

    def test_resolves_a_secret_reference(self):
        os.environ["MEDALLION_TEST_KEY"] = "k"
        self.assertEqual(spark_runner.resolve_secret(FakeSession(), "env:MEDALLION_TEST_KEY"), "k")
        with self.assertRaisesRegex(ValueError, "unknown secret reference"):
            spark_runner.resolve_secret(FakeSession(), "vault:x")


if __name__ == "__main__":
    unittest.main()
