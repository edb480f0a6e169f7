"""How the population engines see a ledger: typed attribute columns and the record id in SQL."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlglot import exp

from credo.domain.rules.fields import FIELDS, FieldType
from credo.domain.rules.rulebook import PackHistory


def _sql_type(type_: FieldType) -> exp.DataType:
    return exp.DataType.build(exp.DataType.Type[FIELDS[type_].sql])


def attribute_column(field: str, type_: FieldType) -> str:
    """One column per (field, type): two record types may use one name for different types."""
    safe = "".join(c if c.isalnum() else "_" for c in field)
    return f"a_{safe}__{type_}"


def attribute_fields(histories: Iterable[PackHistory]) -> set[tuple[str, FieldType]]:
    return {
        (name, spec.type)
        for h in histories
        for v in h.versions
        for rt in v.pack.record_types.values()
        for name, spec in rt.fields.items()
    }


def json_attribute(source: exp.Expr, field: str, type_: FieldType) -> exp.Expr:
    """A field of the JSON `attributes` text, cast to its declared type (NULL when absent)."""
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this=field)])
    text = exp.JSONExtractScalar(this=source, expression=path)
    return exp.TryCast(this=text, to=_sql_type(type_))


def struct_attribute(
    source: exp.Expr, field: str, type_: FieldType, present: Collection[str]
) -> exp.Expr:
    """A field of a struct `attributes` column (typed Parquet, as `credo synth` writes), cast to
    its declared type like `json_attribute`; NULL when the struct has no such field at all."""
    to = _sql_type(type_)
    if field not in present:
        return exp.Cast(this=exp.Null(), to=to)
    value = exp.Dot(this=source, expression=exp.to_identifier(field, quoted=True))
    return exp.TryCast(this=value, to=to)


def record_id(source: exp.Expr, source_ref: exp.Expr) -> exp.Expr:
    """`credo.domain.ledger.records.record_id_for` in SQL: "r" + 24 hex digits of md5(source ␟
    ref)."""
    key = exp.DPipe(
        this=exp.DPipe(this=source, expression=exp.Chr(expressions=[exp.Literal.number(31)])),
        expression=source_ref,
    )
    digest = exp.Substring(
        this=exp.MD5(this=key), start=exp.Literal.number(1), length=exp.Literal.number(24)
    )
    return exp.DPipe(this=exp.Literal.string("r"), expression=digest)
