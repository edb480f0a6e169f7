"""The population engine on Apache Spark: the same stages as DuckDB, rendered in Spark SQL.

Locally it runs in `local[2]`; on a cluster, point `master` at it (see docs/operating-spark.md).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from credo.adapters.engines import staged
from credo.adapters.engines.protocol import LedgerSource, Progress, Recomputed
from credo.domain.rules.rulebook import Rulebook

_SESSIONS: dict[str, Any] = {}


class SparkSqlSession:
    dialect = "spark"

    def __init__(self, spark: Any, *, cache: bool, checkpoint: bool = False) -> None:
        self.spark = spark
        self.cache = cache
        self.checkpoint = checkpoint
        self._cached: list[Any] = []

    def register(self, name: str, data: str | Path | pa.Table) -> None:
        if isinstance(data, pa.Table):
            frame = self.spark.createDataFrame(data)
        else:
            frame = self.spark.read.parquet(str(data))
        frame.createOrReplaceTempView(name)

    def create(self, name: str, sql: str) -> None:
        frame = self.spark.sql(sql)
        if self.checkpoint:
            # Computed now, once, and its plan cut off here: later stages plan over its rows,
            # not over every view beneath it. On small ledgers planning the stacked views
            # costs far more than running them.
            frame = frame.localCheckpoint(eager=True)
        elif self.cache:  # each stage is read more than once; small ledgers need not pay for it
            frame = frame.cache()
            self._cached.append(frame)
        frame.createOrReplaceTempView(name)

    def view(self, name: str, sql: str) -> None:
        if self.checkpoint:
            # A view is there to be read in part (its columns, its rows of one pack); on a ledger
            # small enough to checkpoint, planning it again under every stage that reads it costs
            # more than computing it once (the golden batch: 29 s instead of 41 s).
            self.create(name, sql)
            return
        self.spark.sql(sql).createOrReplaceTempView(name)

    def fetch(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def columns(self, name: str) -> set[str]:
        return set(self.spark.table(name).columns)

    def struct_fields(self, name: str, column: str) -> list[str] | None:
        from pyspark.sql.types import StructType

        kind = self.spark.table(name).schema[column].dataType
        return list(kind.fieldNames()) if isinstance(kind, StructType) else None

    def close(self) -> None:
        for frame in self._cached:
            frame.unpersist()
        self._cached.clear()


class SparkEngine:
    name = "spark"

    def __init__(
        self, master: str = "local[2]", *, cache: bool = True, checkpoint: bool = False, **conf: str
    ) -> None:
        self.master = master
        self.cache = cache
        self.checkpoint = checkpoint
        self.conf = {
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "8",
            "spark.sql.session.timeZone": "UTC",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.driver.host": "127.0.0.1",
            "spark.sql.execution.arrow.maxRecordsPerBatch": "1000000",
            **conf,
        }

    def _spark(self) -> Any:
        if self.master not in _SESSIONS:
            from pyspark.sql import SparkSession

            # Python workers (the fold's) run this interpreter, which has credo installed,
            # unless told otherwise: Spark reads the variable when the session starts.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            builder = SparkSession.builder.master(self.master).appName("credo-recompute")
            for key, value in self.conf.items():
                builder = builder.config(key, value)
            spark = builder.getOrCreate()
            spark.sparkContext.setLogLevel("ERROR")
            _SESSIONS[self.master] = spark
        return _SESSIONS[self.master]

    def spark(self) -> Any:
        """The engine's Spark session (one per master, for the process)."""
        return self._spark()

    def session(self) -> SparkSqlSession:
        return SparkSqlSession(self._spark(), cache=self.cache, checkpoint=self.checkpoint)

    def recompute(
        self,
        source: LedgerSource,
        rulebook: Rulebook,
        as_of: date,
        *,
        detail: bool = False,
        progress: Progress | None = None,
    ) -> Recomputed:
        return staged.run(self.session(), source, rulebook, as_of, detail=detail, progress=progress)
