"""Arrow columns built straight from numpy buffers, for the synthetic ledger.

Every string the generator writes has a fixed width (a prefix, zero-padded digits, a suffix; or
64 hex digits), so its bytes are one numpy matrix and its offsets an arithmetic progression:
no Python object is made per record, which is what lets `credo synth` write a nation's ledger.
"""

from __future__ import annotations

from binascii import hexlify

import numpy as np
import pyarrow as pa


def fixed_strings(
    prefix: str, numbers: np.ndarray, digits: int, suffix: str = "", valid: np.ndarray | None = None
) -> pa.StringArray:
    """`prefix` + `numbers` zero-padded to `digits` + `suffix`, one string per number; null
    where `valid` is False. Numbers must fit in `digits` (the caller sizes it from the total)."""
    n = len(numbers)
    if n and numbers.max() >= 10**digits:
        raise ValueError(f"{numbers.max()} has more than {digits} digits")
    head, tail = np.frombuffer(prefix.encode(), np.uint8), np.frombuffer(suffix.encode(), np.uint8)
    width = len(head) + digits + len(tail)
    body = np.empty((n, width), np.uint8)
    body[:, : len(head)] = head
    body[:, len(head) + digits :] = tail
    # Division by a scalar is vectorised (libdivide), fastest on 32 bits; one pass per digit,
    # right to left, the remainder taken from the quotient rather than by a second division.
    kind = np.uint32 if len(numbers) == 0 or numbers.max() < 2**32 else np.uint64
    rest: np.ndarray = numbers.astype(kind)
    ten = rest.dtype.type(10)
    for col in range(len(head) + digits - 1, len(head) - 1, -1):
        quotient = rest // ten
        body[:, col] = (rest - quotient * ten).astype(np.uint8) + ord("0")
        rest = quotient
    return _from_matrix(body, valid)


def random_hex(rng: np.random.Generator, n: int, nbytes: int = 32) -> pa.StringArray:
    """`n` strings of `2 * nbytes` lowercase hex digits (a stand-in for a document's sha256):
    random words hexlified in one C call, cut into fixed-width strings by their offsets."""
    words = -(-n * nbytes // 8)
    raw = rng.bit_generator.random_raw(words).tobytes()[: n * nbytes]
    width = 2 * nbytes
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(hexlify(raw)))


def _from_matrix(body: np.ndarray, valid: np.ndarray | None) -> pa.StringArray:
    n, width = body.shape
    # 32-bit offsets (the plain string type of the ingest format): a chunk stays far below 2 GiB.
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if valid is not None else None
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(body)), bitmap
    )


def repeated(value: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def pick(options: list[str], index: np.ndarray) -> pa.Array:
    """`options[index[i]]` for every i, as a string column (a dictionary lookup in Arrow)."""
    return pa.array(options, pa.string()).take(pa.array(index.astype(np.int32)))


def dates(days: np.ndarray) -> pa.Array:
    """Days since 1970-01-01 as a date32 column."""
    return pa.array(days.astype(np.int32)).view(pa.date32())
