"""The Spark engine as the suite runs it: one session for every test (the engine keeps one per
master), each stage checkpointed and one shuffle partition, since the suite's ledgers are tiny
and Spark's cost on them is planning and scheduling, not data."""

from __future__ import annotations

from credo.adapters.engines.spark_engine import SparkEngine

SPARK = SparkEngine(cache=False, checkpoint=True, **{"spark.sql.shuffle.partitions": "1"})
