"""JSON canonicalisation per RFC 8785 (JCS): the bytes every ledger leaf and every signed tree
head are hashed over, so a third party recomputes them from the JSON alone.

The `rfc8785` library is the definition. Most of what the ledger holds (ASCII keys, strings,
integers within ±2⁵³, booleans) is written identically by orjson with sorted keys, which is
many times faster; anything else (a float, a key outside ASCII, a huge integer) goes through
the library. A property test holds the two to the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
import rfc8785

_SAFE_INT = 2**53


def canonical_json(value: Any, *, plain: bool | None = None) -> bytes:
    """`plain`: the caller knows whether `value` is plain (see `_plain`), so it is not walked."""
    if plain if plain is not None else _plain(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # a lone surrogate: the library says what to do
            pass
    return rfc8785.dumps(_as_doubles(value))


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


def _plain(value: Any) -> bool:
    """Whether orjson's sorted output is already the RFC 8785 form of `value`. Exact types
    first: this runs once per ledger entry, on the ingest path."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_SAFE_INT < value < _SAFE_INT)
    if kind is dict or (kind is not str and isinstance(value, Mapping)):
        return all(type(k) is str and k.isascii() and _plain(v) for k, v in value.items())
    if kind is list or kind is tuple or isinstance(value, Sequence):
        return all(_plain(v) for v in value)
    return False  # floats, and anything JSON has no form for: the library decides


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
