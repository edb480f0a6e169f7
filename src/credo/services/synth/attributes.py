"""Synthetic `attributes`: one typed struct column holding every field of every record type,
null where a record's type lacks the field (or an optional field was left out)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa

from credo.domain.rules.fields import FIELDS, NUMERIC, FieldType
from credo.domain.rules.packs import FieldSpec
from credo.services.synth.plan import PackPlan

_DEFAULT_OPTIONS = ["a", "b", "c"]
_UNBOUNDED_AMOUNT = 2_000_000.0  # the largest amount drawn when a number field has no maximum
_UNBOUNDED_COUNT = 50  # integers without a maximum are drawn from [min, min + 50)


def attributes_type(plans: Iterable[PackPlan]) -> pa.StructType:
    """The union of every field, typed by its declaration. A name declared as an integer by one
    type and a number by another is a float64 column (ingest accepts 3.0 for an integer);
    any other clash cannot share one column and is refused."""
    kinds: dict[str, FieldType] = {}
    for plan in plans:
        for row in plan.fields:
            for fields in row:
                for name, spec in (fields or {}).items():
                    seen = kinds.setdefault(name, spec.type)
                    if seen == spec.type:
                        continue
                    if {seen, spec.type} <= NUMERIC:
                        kinds[name] = "number"
                    else:
                        raise ValueError(
                            f"attribute `{name}` is declared as both {seen} and {spec.type}; "
                            "a synthetic ledger keeps one typed column per attribute name"
                        )
    return pa.struct(
        [pa.field(name, getattr(pa, FIELDS[kinds[name]].arrow)()) for name in sorted(kinds)]
    )


def _options(plans: Iterable[PackPlan], name: str) -> list[str]:
    found = {
        option
        for plan in plans
        for row in plan.fields
        for fields in row
        if fields and name in fields
        for option in (fields[name].enum or _DEFAULT_OPTIONS)
    }
    return sorted(found)


class AttributeMaker:
    """Draws the attributes of a chunk's records from the schema each record is checked
    against (its pack, its type, the era it occurred in)."""

    def __init__(self, plans: list[PackPlan]) -> None:
        self.type = attributes_type(plans)
        self.options = {f.name: _options(plans, f.name) for f in self.type if f.type == pa.string()}

    def make(
        self, rng: np.random.Generator, plan: PackPlan, era: np.ndarray, types: np.ndarray
    ) -> pa.StructArray:
        n = len(types)
        values: dict[str, np.ndarray] = {f.name: np.zeros(n, _numpy(f.type)) for f in self.type}
        valid = {f.name: np.zeros(n, bool) for f in self.type}
        width = len(plan.types)
        cells = era * width + types
        for cell in np.flatnonzero(np.bincount(cells, minlength=1)):
            fields = plan.fields[cell // width][cell % width]
            if not fields:
                continue
            rows = np.flatnonzero(cells == cell)
            for name, spec in fields.items():
                values[name][rows] = self._draw(rng, name, spec, len(rows))
                valid[name][rows] = spec.required or rng.random(len(rows)) < 0.7
        children = [
            _column(values[f.name], valid[f.name], f.type, self.options.get(f.name))
            for f in self.type
        ]
        return pa.StructArray.from_arrays(children, fields=list(self.type))

    def _draw(self, rng: np.random.Generator, name: str, spec: FieldSpec, n: int) -> np.ndarray:
        if spec.type == "boolean":
            return rng.random(n) < 0.5
        if spec.type == "string":
            options = spec.enum or _DEFAULT_OPTIONS
            where = np.searchsorted(self.options[name], options)
            return where[rng.integers(0, len(options), n)]
        lo = spec.min if spec.min is not None else 0
        if spec.type == "integer":
            if spec.max is not None:
                return rng.integers(int(lo), int(spec.max) + 1, n)
            # Counts without a ceiling (hours, deaths, months): small values are the common ones.
            spread = np.exp(rng.uniform(0.0, np.log(_UNBOUNDED_COUNT), n))
            return int(lo) + np.floor(spread).astype(np.int64) - 1
        # Amounts: log-uniform, so small arrears are common and large ones rare.
        high = float(spec.max) if spec.max is not None else max(_UNBOUNDED_AMOUNT, float(lo))
        low = max(float(lo), 1.0)
        drawn = (
            np.exp(rng.uniform(np.log(low), np.log(high), n))
            if high > low
            else rng.uniform(float(lo), high, n)
        )
        # Cents, kept within the declared bounds however they round.
        clipped: np.ndarray = np.clip(np.round(drawn, 2), float(lo), high)
        return clipped


def _numpy(kind: pa.DataType) -> type:
    if kind == pa.string():
        return np.int32  # an index into the field's options
    return {pa.int64(): np.int64, pa.float64(): np.float64, pa.bool_(): np.bool_}[kind]


def _column(
    values: np.ndarray, valid: np.ndarray, kind: pa.DataType, options: list[str] | None
) -> pa.Array:
    if options is not None:
        return pa.array(options, pa.string()).take(pa.array(values, mask=~valid))
    return pa.array(values, kind, mask=~valid)
