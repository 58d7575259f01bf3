"""Unit tests of spark_runner.py's table DDL (ensure_table) with a fake session: python3 -m unittest.

The real thing runs in npm run test:spark (test/spark/evolution.ts, Iceberg and Delta); these pin the rules
the runner shares with ddl.ts, case by case, without a JVM.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spark_runner  # noqa: E402


class Field:
    def __init__(self, name, kind):
        self.name = name
        self.dataType = type("DataType", (), {"simpleString": lambda _self, k=kind: k})()


class Catalog:
    def __init__(self, tables):
        self.tables = tables

    def tableExists(self, name):
        return name in self.tables


class Session:
    """Tables as {name: [(column, simpleString type)]}; records every statement."""

    def __init__(self, tables):
        self.tables = tables
        self.catalog = Catalog(tables)
        self.statements = []

    def table(self, name):
        fields = [Field(n, k) for n, k in self.tables[name]]
        return type("Frame", (), {"schema": type("Schema", (), {"fields": fields})()})()

    def sql(self, statement):
        self.statements.append(statement)


def step(columns, migrations=None):
    return {
        "name": "brewery.create_silver",
        "kind": "create_table",
        "target": "silver.brewery",
        "sql": "CREATE TABLE IF NOT EXISTS silver.brewery (...) USING iceberg",
        "columns": [{"name": n, "type": t} for n, t in columns],
        "options": "USING iceberg PARTITIONED BY (country)",
        **({"migrations": migrations} if migrations else {}),
    }


EXISTING = [("brewery_id", "bigint"), ("country", "string"), ("abv", "decimal(4,2)")]


class EnsureTableTest(unittest.TestCase):
    def test_a_missing_table_is_created_by_the_steps_statement(self):
        session = Session({})
        self.assertEqual(spark_runner.ensure_table(session, step(EXISTING)), "created")
        self.assertEqual(session.statements, ["CREATE TABLE IF NOT EXISTS silver.brewery (...) USING iceberg"])

    def test_an_unchanged_table_gets_no_statement(self):
        session = Session({"silver.brewery": EXISTING})
        wanted = [("brewery_id", "BIGINT"), ("country", "STRING"), ("abv", "DECIMAL(4,2)")]
        self.assertEqual(spark_runner.ensure_table(session, step(wanted)), "exists, unchanged")
        self.assertEqual(session.statements, [])

    def test_an_added_column_is_added_in_place(self):
        session = Session({"silver.brewery": EXISTING})
        did = spark_runner.ensure_table(session, step([*EXISTING, ("founded", "INT")]))
        self.assertEqual(did, "added founded")
        self.assertEqual(session.statements, ["ALTER TABLE silver.brewery ADD COLUMNS (founded INT)"])

    def test_a_retyped_column_is_refused_naming_table_and_column(self):
        session = Session({"silver.brewery": EXISTING})
        wanted = [("brewery_id", "BIGINT"), ("country", "STRING"), ("abv", "DOUBLE")]
        with self.assertRaises(spark_runner.BreakingSchemaChange) as raised:
            spark_runner.ensure_table(session, step(wanted))
        self.assertIn("breaking schema change on silver.brewery, column abv", str(raised.exception))
        self.assertIn('change: "recast"', str(raised.exception))
        self.assertEqual(session.statements, [])

    def test_a_removed_column_is_refused_naming_table_and_column(self):
        session = Session({"silver.brewery": EXISTING})
        with self.assertRaises(spark_runner.BreakingSchemaChange) as raised:
            spark_runner.ensure_table(session, step(EXISTING[:2]))
        self.assertIn("breaking schema change on silver.brewery, column abv", str(raised.exception))
        self.assertIn('change: "drop"', str(raised.exception))
        self.assertEqual(session.statements, [])

    def test_migrations_rewrite_the_table_once_keeping_its_options(self):
        session = Session({"silver.brewery": EXISTING})
        wanted = [("brewery_id", "BIGINT"), ("country", "STRING"), ("founded", "INT")]
        migrations = [{"column": "abv", "change": "drop"}]
        did = spark_runner.ensure_table(session, step(wanted, migrations))
        self.assertEqual(did, "rebuilt: added founded, dropped abv")
        self.assertEqual(
            session.statements,
            [
                "CREATE OR REPLACE TABLE silver.brewery USING iceberg PARTITIONED BY (country) AS SELECT "
                "brewery_id, country, CAST(NULL AS INT) AS founded FROM silver.brewery"
            ],
        )

    def test_a_recast_converts_with_try_cast(self):
        session = Session({"silver.brewery": EXISTING})
        wanted = [("brewery_id", "BIGINT"), ("country", "STRING"), ("abv", "DOUBLE")]
        spark_runner.ensure_table(session, step(wanted, [{"column": "abv", "change": "recast"}]))
        self.assertIn("try_cast(abv AS DOUBLE) AS abv", session.statements[0])

    def test_an_applied_migration_left_in_the_spec_changes_nothing(self):
        session = Session({"silver.brewery": EXISTING[:2]})
        migrations = [{"column": "abv", "change": "drop"}]
        self.assertEqual(spark_runner.ensure_table(session, step(EXISTING[:2], migrations)), "exists, unchanged")
        self.assertEqual(session.statements, [])

    def test_type_names_compare_as_the_engines_spell_them(self):
        self.assertEqual(spark_runner.normalise_type("DECIMAL(12, 2)"), "decimal(12,2)")
        self.assertEqual(spark_runner.normalise_type("INTEGER"), "int")
        self.assertEqual(spark_runner.normalise_type("VARCHAR"), "string")

    def test_run_dispatches_create_table_steps(self):
        session = Session({})
        session.conf = type("Conf", (), {"set": lambda *_: None})()
        logged = []
        plan = {"name": "brewery", "stage": "silver", "steps": [step(EXISTING)]}
        spark_runner.run(session, [plan], log=logged.append)
        self.assertEqual(logged, ["silver brewery brewery.create_silver: created"])


if __name__ == "__main__":
    unittest.main()
