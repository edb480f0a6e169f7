"""JSON canonicalisation per RFC 8785 (JCS): the bytes every ledger leaf and every signed tree
head are hashed over, so a third party recomputes them from the JSON alone.

The `rfc8785` library is the definition. Most of what the ledger holds (ASCII keys, strings,
integers within ±2⁵³, booleans) is written identically by orjson with sorted keys, which is
many times faster; a float or a huge integer is written by the library and spliced into
orjson's output; a key outside ASCII sends the whole value through the library. A property
test holds the two to the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
import rfc8785

_SAFE_INT = 2**53


def canonical_json(value: Any, *, plain: bool | None = None) -> bytes:
    """`plain`: the caller knows `value` is plain (ASCII keys, strings, integers within ±2⁵³,
    booleans, null), so it is not walked."""
    try:
        return orjson.dumps(value if plain else _written(value), option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, _NotOrdered):  # a lone surrogate, a key beyond ASCII
        pass
    return rfc8785.dumps(_as_doubles(value))


class _NotOrdered(Exception):
    """A key beyond ASCII: RFC 8785 sorts keys by UTF-16 code units, which orjson does not."""


def _written(value: Any) -> Any:
    """`value` as orjson is to write it: itself where orjson's sorted output is already its
    RFC 8785 form, else a copy with each float, and each integer beyond ±2⁵³, replaced by an
    `orjson.Fragment` of its RFC 8785 text, which orjson splices in as it is. Only containers
    on the way to a number are copied. Raises `_NotOrdered` for a key beyond ASCII. Exact types
    first, and loops rather than generators: this runs once per ledger entry, on the ingest
    path and in `audit verify`."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if -_SAFE_INT < value < _SAFE_INT:
            return value
        return orjson.Fragment(number_text(float(value)))
    if kind is float:
        return orjson.Fragment(number_text(value))
    if kind is dict or isinstance(value, Mapping):
        if kind is not dict:
            value = dict(value)
        for k in value:
            if type(k) is not str or not k.isascii():
                raise _NotOrdered
        return _members_written(value, value.items(), dict)
    if kind is list or kind is tuple or isinstance(value, list | tuple):
        return _members_written(value, enumerate(value), list)
    return value  # anything else: orjson writes it, or refuses it as the library would


def _members_written(
    value: Any, members: Iterable[tuple[Any, Any]], copied: Callable[[Any], Any]
) -> Any:
    """`value` itself when no member (a key's or an index's) is written otherwise, else
    `copied(value)` with those that are replaced."""
    copy = None
    for at, v in members:
        t = type(v)
        if t is str or t is bool or v is None or (t is int and -_SAFE_INT < v < _SAFE_INT):
            continue
        w = _written(v)
        if w is not v:
            if copy is None:
                copy = copied(value)
            copy[at] = w
    return value if copy is None else copy


def number_text(f: float) -> bytes:
    """A double as RFC 8785 writes it (ECMAScript's Number::toString). Python's `repr` gives
    the same shortest digits, and in its fixed range (1e-4 to 1e16) the same text but for a
    trailing `.0`; anything else (exponents, NaN) is the library's to write or refuse."""
    text = repr(f)
    if "e" in text or "n" in text:  # 1e+16, 5e-05, inf, nan
        return rfc8785.dumps(f)
    if text.endswith(".0"):
        text = text[:-2]
    return b"0" if text == "-0" else text.encode()


def numbers_written(values: Mapping[str, Any]) -> dict[str, Any] | None:
    """A flat mapping of scalars (a record's attributes) with its numbers written for orjson to
    splice in (see `_written`); None when a key is beyond ASCII."""
    try:
        written = _written(values)
    except _NotOrdered:
        return None
    return dict(written)


def _as_doubles(value: Any) -> Any:
    """JSON numbers are IEEE 754 doubles to RFC 8785: an integer beyond ±2⁵³ is the double
    nearest it, as any JCS implementation reading the JSON would take it."""
    kind = type(value)
    if kind is int and not -_SAFE_INT < value < _SAFE_INT:
        return float(value)
    if isinstance(value, Mapping):
        return {k: _as_doubles(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_doubles(v) for v in value]
    return value


def plain_scalars(values: Mapping[str, Any]) -> bool:
    """Whether a flat mapping of scalars (a record's attributes) is plain, cheaply."""
    for key, value in values.items():
        kind = type(value)
        if (
            not key.isascii()
            or kind is float
            or (kind is int and not -_SAFE_INT < value < _SAFE_INT)
        ):
            return False
        if kind is not str and kind is not bool and kind is not int and value is not None:
            return False
    return True


def rfc3339(at: datetime) -> str:
    """An instant as the ledger writes it: UTC, microseconds, `Z` (a naive value is UTC)."""
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def instant_text(at: datetime | str) -> str:
    """`rfc3339` of an instant as a store reads it back: a datetime, or ISO 8601 text. UTC text
    with microseconds (`2026-12-01T08:00:00.000000+00:00`, how SQLite keeps instants) is
    rewritten without being parsed: `credo audit verify` does it a million times."""
    if isinstance(at, str):
        if len(at) == 32 and at.endswith("+00:00") and at[10] == "T" and at[19] == ".":
            return at[:26] + "Z"
        at = datetime.fromisoformat(at)
    return rfc3339(at)
