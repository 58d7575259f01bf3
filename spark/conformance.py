"""Runs generated plan files through the real spark_runner.py on a local Spark, then dumps tables as JSON.

Used by test/spark/conformance.ts (npm run test:spark). One process per table format, like production:
  iceberg: a local Hadoop catalog named like Glue's (glue_catalog), the Iceberg runtime of Glue 5.0;
  delta:   spark_catalog as Delta's catalog, delta-spark of Databricks Runtime 15.4.
Usage: conformance.py --format iceberg|delta --warehouse DIR --ivy DIR, then JSON commands on stdin (handle).
The hash key comes from the environment (env:MEDALLION_HASH_KEY), as the runner's --hash-key-secret reads it.
"""

import argparse
import base64
import datetime
import decimal
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "functions", "transform"))

import spark_runner  # noqa: E402  (the real runner, imported from its shipped location)

# The versions Glue 5.0 (Iceberg 1.7) and Databricks Runtime 15.4 LTS (Delta 3.2) run; Spark 3.5, Scala 2.12.
ICEBERG_PACKAGE = "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.7.1"
DELTA_PACKAGE = "io.delta:delta-spark_2.12:3.2.1"


def session(table_format, warehouse, ivy):
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName(f"medallion-conformance-{table_format}")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.jars.ivy", ivy)
        .config("spark.driver.memory", "1g")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.sql.warehouse.dir", os.path.join(warehouse, "spark-warehouse"))
    )
    if table_format == "iceberg":
        builder = (
            builder.config("spark.jars.packages", ICEBERG_PACKAGE)
            .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
            .config("spark.sql.catalog.glue_catalog", "org.apache.iceberg.spark.SparkCatalog")
            .config("spark.sql.catalog.glue_catalog.type", "hadoop")
            .config("spark.sql.catalog.glue_catalog.warehouse", os.path.join(warehouse, "iceberg"))
        )
    else:
        builder = (
            builder.config("spark.jars.packages", DELTA_PACKAGE)
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        )
    return builder.getOrCreate()


def value(item):
    """A cell as JSON: exact decimals and timestamps as text, binaries as base64."""
    if isinstance(item, float) and not math.isfinite(item):
        return "NaN" if math.isnan(item) else ("Infinity" if item > 0 else "-Infinity")  # JavaScript's String()
    if isinstance(item, decimal.Decimal):
        return str(item)
    if isinstance(item, datetime.datetime):
        # Spark hands back naive local-time datetimes; the JVM and session run in UTC (see main).
        return item.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(item, datetime.date):
        return item.isoformat()
    if isinstance(item, (bytes, bytearray)):
        return base64.b64encode(bytes(item)).decode()
    return item


def dump(spark, tables):
    out = {}
    for table in tables:
        if not spark.catalog.tableExists(table):
            out[table] = None
            continue
        frame = spark.table(table)
        out[table] = {
            "columns": [[field.name, field.dataType.simpleString()] for field in frame.schema.fields],
            "rows": [[value(item) for item in row] for row in frame.collect()],
        }
    return out


# Sessions of the model histories' bronze -> silver runs (test/spark/model.ts), by run id: each run has its
# own SparkSession (spark.newSession(): its own temporary views and SQL conf, the JVM shared), as each Glue
# or Databricks job run has; a run that dies or finishes ends its session and whatever it staged.
RUN_SESSIONS = {}


def step(spark, command):
    """One step of one run, through the real runner (spark_runner.run) in the run's own session."""
    session = RUN_SESSIONS.get(command["session"])
    if session is None:
        session = RUN_SESSIONS[command["session"]] = spark.newSession()
    secret = command.get("hash_key_secret")
    logged = []
    spark_runner.run(
        session,
        [command["plan"]],
        log=logged.append,
        hash_key=(lambda: spark_runner.resolve_secret(session, secret)) if secret else None,
    )
    return logged


def bronze_stream(spark, command):
    """The Databricks bronze plans through the real runner, with Spark's file stream standing in for Auto Loader."""
    previous = {key: spark.conf.get(key, None) for key in command.get("conf", {})}
    for key, setting in command.get("conf", {}).items():
        spark.conf.set(key, setting)
    spark_runner.STREAM_READER = spark_runner.file_stream_reader
    logged = []
    try:
        spark_runner.run(spark, spark_runner.load_plans(spark, command["plan"]), log=logged.append)
        failure = None
    except Exception as error:  # noqa: BLE001 - the driver checks which failure it was
        failure = f"{type(error).__name__}: {error}"
    finally:
        spark_runner.STREAM_READER = spark_runner.cloud_files_reader
        for key, setting in previous.items():
            if setting is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, setting)
    return {"ok": True, "log": logged, "error": failure}


# What a table format raises when a commit loses to another run's commit on the same table: Iceberg's MERGE
# validates serializable isolation by default (write.merge.isolation-level, Iceberg Spark configuration), Delta
# checks concurrent transactions (Delta Lake "Concurrency control"). Glue and Databricks fail that run, and
# the workflow's retry runs it again, which the model allows like any run failing between two steps.
COMMIT_CONFLICTS = (
    "ValidationException: Found conflicting files",
    "CommitFailedException",
    "ConcurrentAppendException",
    "ConcurrentDeleteReadException",
    "ConcurrentDeleteDeleteException",
    "ConcurrentTransactionException",
    "DELTA_CONCURRENT_",
)


def handle(spark, command):
    """One command of the driver: create namespaces, run plan files or one step, dump tables, or evaluate queries."""
    if "step" in command:
        try:
            return {"ok": True, "log": step(spark, command["step"])}
        except Exception as error:  # noqa: BLE001 - only a lost commit is answered as such
            text = f"{type(error).__name__}: {error}"
            if any(marker in text for marker in COMMIT_CONFLICTS):
                return {"ok": True, "conflict": text.splitlines()[0], "log": []}
            raise
    if "bronze_stream" in command:
        return bronze_stream(spark, command["bronze_stream"])
    if "end_session" in command:
        RUN_SESSIONS.pop(command["end_session"], None)
        return {"ok": True}
    if "exists" in command:
        return {"ok": True, "exists": [spark.catalog.tableExists(table) for table in command["exists"]]}
    for namespace in command.get("namespaces", []):
        spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {namespace}")
    for plan in command.get("run", []):
        code = spark_runner.main(["--plan", plan, "--hash-key-secret", "env:MEDALLION_HASH_KEY"], lambda: spark)
        if code != 0:
            return {"ok": False, "error": f"spark_runner exited {code} on {plan}"}
    reply = {"ok": True}
    if "dump" in command:
        reply["tables"] = dump(spark, command["dump"])
    if "sql" in command:
        results = []
        for query in command["sql"]:
            frame = spark.sql(query)
            results.append(
                {
                    "columns": [[f.name, f.dataType.simpleString()] for f in frame.schema.fields],
                    "rows": [[value(item) for item in row] for row in frame.collect()],
                }
            )
        reply["results"] = results
    return reply


def main():
    """Reads one JSON command a line on stdin, answers each with one line starting with REPLY."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--format", choices=["iceberg", "delta"], required=True)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--ivy", required=True)
    args = parser.parse_args()
    spark = session(args.format, args.warehouse, args.ivy)
    spark.sparkContext.setLogLevel("ERROR")
    print(REPLY + json.dumps({"ok": True, "ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = handle(spark, json.loads(line))
        except Exception as error:  # noqa: BLE001 - reported to the driver, which fails the check
            reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        print(REPLY + json.dumps(reply), flush=True)
    spark.stop()
    return 0


REPLY = "@@conformance "

if __name__ == "__main__":
    sys.exit(main())
