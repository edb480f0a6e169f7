"""The audit log in SQL: leaves appended and a head signed inside the transaction that appends
the entries they stand for, so no committed entry is ever outside a signed head; and the reads
that proofs and `credo audit verify` need. Shared by the SQLite and PostgreSQL stores."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import String, Table, Text, cast, func, select, type_coerce
from sqlalchemy.engine import Connection

from credo.adapters.stores.sql.rows import RECORD_READ, AnyRow, admin_from_row, driver_rows
from credo.adapters.stores.sql.tables import (
    admin_entries,
    audit_leaves,
    audit_nodes,
    entries,
    packs,
    records,
    tree_heads,
)
from credo.domain.audit.leaves import (
    Held,
    Leaf,
    LeafKind,
    Logged,
    Run,
    admin_json,
    entry_row_json,
    hash_of,
    logged,
    pack_json,
    pack_ref,
    record_row_json,
    runs_of,
)
from credo.domain.audit.merkle import HASH_SIZE, Frontier, Hash, Node, root_of, stored_rows
from credo.domain.audit.tree_heads import HeadSigner, TreeHead, sign_head
from credo.domain.errors import ProofError
from credo.domain.ledger.entries import AdminEntry

Grown = tuple[LeafKind, str, Hash]
"""A leaf to append: its kind, the row it stands for, its hash."""

_SCAN = 10_000


def grow(
    conn: Connection, items: Sequence[Grown], signer: HeadSigner, now: datetime
) -> TreeHead | None:
    """Append `items` as the next leaves, keep the subtrees they complete on the stored levels
    (`merkle.STRIDE`), and sign the head of the grown tree: from the frontier the last head
    kept, never reading a leaf. The caller holds the log's lock (SQLite's write lock;
    PostgreSQL's advisory lock) for the transaction."""
    if not items:
        return None
    last = conn.execute(
        select(tree_heads.c.tree_size, tree_heads.c.frontier)
        .order_by(tree_heads.c.tree_size.desc())
        .limit(1)
    ).first()
    frontier = _frontier(last.tree_size, last.frontier) if last else Frontier()
    start = frontier.size
    kept = frontier.extend([leaf for _, _, leaf in items])
    rows = [(start + offset, kind, ref, leaf) for offset, (kind, ref, leaf) in enumerate(items)]
    _insert_plain(conn, audit_leaves, rows)
    if kept:
        _insert_plain(conn, audit_nodes, kept)
    head = sign_head(signer, frontier.size, frontier.root(), now)
    conn.execute(
        tree_heads.insert(),
        {
            "tree_size": head.tree_size,
            "root_hash": head.root_hash,
            "timestamp": head.timestamp,
            "key_id": head.key_id,
            "signature": head.signature,
            "frontier": b"".join(frontier.hashes),
        },
    )
    return head


def _insert_plain(conn: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of plain values (integers, text, bytes), in the table's column order,
    straight through the driver: the log adds a row per entry to every batch, and binding
    each through SQLAlchemy's type machinery costs more than the database's insert."""
    columns = [c.name for c in table.columns]
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=columns)
    if compiled.positional:
        params: list[Any] = rows
    else:
        params = [dict(zip(columns, row, strict=True)) for row in rows]
    conn.exec_driver_sql(str(compiled), params)


def _frontier(size: int, packed: bytes) -> Frontier:
    return Frontier(size, [packed[i : i + HASH_SIZE] for i in range(0, len(packed), HASH_SIZE)])


def _head(row: AnyRow) -> TreeHead:
    return TreeHead(
        int(row.tree_size), bytes(row.root_hash), row.timestamp, row.key_id, bytes(row.signature)
    )


_HEAD_COLUMNS = (
    tree_heads.c.tree_size,
    tree_heads.c.root_hash,
    tree_heads.c.timestamp,
    tree_heads.c.key_id,
    tree_heads.c.signature,
)


def head_at(conn: Connection, tree_size: int | None) -> TreeHead | None:
    query = select(*_HEAD_COLUMNS)
    if tree_size is None:
        query = query.order_by(tree_heads.c.tree_size.desc()).limit(1)
    else:
        query = query.where(tree_heads.c.tree_size == tree_size)
    row = conn.execute(query).first()
    return _head(row) if row else None


def all_heads(conn: Connection) -> list[TreeHead]:
    query = select(*_HEAD_COLUMNS).order_by(tree_heads.c.tree_size)
    return [_head(row) for row in conn.execute(query)]


def subtrees(conn: Connection, wanted: Collection[Node]) -> dict[Node, Hash]:
    """The roots of the perfect subtrees `wanted`, each folded from at most 8 stored leaves or
    nodes (`merkle.stored_rows`): what a proof reads, O(log n) rows however large the tree."""
    found: dict[Node, Hash] = {}
    for node in wanted:
        base, first, count = stored_rows(node)
        if base == 0:
            query = (
                select(audit_leaves.c.leaf_hash)
                .where(audit_leaves.c.leaf_index.between(first, first + count - 1))
                .order_by(audit_leaves.c.leaf_index)
            )
        else:
            query = (
                select(audit_nodes.c.hash)
                .where(
                    audit_nodes.c.level == base,
                    audit_nodes.c.position.between(first, first + count - 1),
                )
                .order_by(audit_nodes.c.position)
            )
        hashes = [bytes(h) for h in conn.execute(query).scalars()]
        if len(hashes) != count:
            level, position = node
            raise ProofError(
                f"the log holds {len(hashes)} of the {count} hashes under the subtree at level "
                f"{level}, position {position}"
            )
        found[node] = root_of(hashes)
    return found


def leaf_rows(conn: Connection, after: int, limit: int | None) -> list[Leaf]:
    c = audit_leaves.c
    query = (
        select(c.leaf_index, c.kind, c.ref, c.leaf_hash)
        .where(c.leaf_index >= after)
        .order_by(c.leaf_index)
        .limit(limit)
    )
    return [Leaf(int(i), kind, ref, bytes(h)) for i, kind, ref, h in driver_rows(conn, query)]


def leaf_columns(conn: Connection) -> Logged:
    """Every leaf, as `audit verify` compares them when nothing was changed: as `Held` rows
    (kind, ref, hash, and the index for a sequence number), kept as columns rather than as a
    `Leaf` apiece."""
    c = audit_leaves.c
    query = select(c.kind, c.ref, c.leaf_hash, c.leaf_index).order_by(c.leaf_index)
    rows = driver_rows(conn, query)
    if rows and type(rows[0][2]) is not bytes:  # a driver that gives a view of the bytes
        rows = [(kind, ref, bytes(h), i) for kind, ref, h, i in rows]
    return logged(rows)


def leaf_indexes(conn: Connection, kind: LeafKind, refs: Collection[str]) -> dict[str, int]:
    if not refs:
        return {}
    query = select(audit_leaves.c.ref, audit_leaves.c.leaf_index).where(
        audit_leaves.c.kind == kind, audit_leaves.c.ref.in_(sorted(refs))
    )
    return {ref: int(index) for ref, index in conn.execute(query)}


def log_is_empty(conn: Connection) -> bool:
    return conn.execute(select(audit_leaves.c.leaf_index).limit(1)).first() is None


def contents(conn: Connection) -> Iterator[Held]:
    """Every pack, record and entry the ledger holds, with the leaf hash its stored content
    has now: what `credo audit verify` compares with the log. Packs, then records, then
    entries, each in its table's order (the order a ledger older than the log is logged in)."""
    yield from held_packs(conn)
    yield from held_records(conn)
    yield from held_entries(conn)
    yield from held_admin(conn)


def held_packs(conn: Connection) -> Iterator[Held]:
    for row in conn.execute(select(packs).order_by(packs.c.adopted_at, packs.c.pack_id)):
        yield "pack", pack_ref(row.pack_id, row.version), hash_of(pack_json(row)), 0


def held_admin(conn: Connection) -> Iterator[Held]:
    for row in conn.execute(select(admin_entries).order_by(admin_entries.c.seq)):
        yield "admin", str(row.seq), hash_of(admin_json(admin_from_row(row))), int(row.seq)


Span = tuple[int, int]
"""Sequence numbers from the first to before the second."""


def held_records(conn: Connection, span: Span | None = None) -> Iterator[Held]:
    """The records (those numbered in `span`), in order, each with its leaf hash as stored."""
    # Instants as the database keeps them: SQLite's text is rewritten, not parsed and written
    # again (`instant_text`); PostgreSQL's driver gives datetimes whatever the column's type.
    as_kept = [
        type_coerce(c, String).label(c.name) if c.name == "occurred_at" else c
        for c in RECORD_READ.selected_columns
    ]
    query = RECORD_READ.with_only_columns(
        *as_kept, type_coerce(records.c.recorded_at, String)
    ).order_by(records.c.seq)
    if span is not None:
        query = query.where(records.c.seq >= span[0], records.c.seq < span[1])
    for chunk in conn.execution_options(yield_per=_SCAN).execute(query).partitions():
        for row in chunk:
            leaf = hash_of(record_row_json(row[1:13], row[13]))
            yield "record", row[1], leaf, int(row[0])


def held_entries(conn: Connection, span: Span | None = None) -> Iterator[Held]:
    """The entries (those numbered in `span`), in order, each with its leaf hash as stored."""
    # The data as the database's text, read by orjson: the JSON type's reading through the
    # standard library costs `audit verify` more than hashing the entry does.
    e = entries.c
    query = select(
        e.seq, e.kind, e.record_id, e.actor, type_coerce(e.at, String), cast(e.data, Text)
    ).order_by(e.seq)
    if span is not None:
        query = query.where(e.seq >= span[0], e.seq < span[1])
    for part in conn.execution_options(yield_per=_SCAN).execute(query).partitions():
        for seq, kind, rid, actor, at, data in part:
            leaf = hash_of(entry_row_json(kind, rid, actor, at, _json(data)))
            yield "entry", str(seq), leaf, int(seq)


def held_run(conn: Connection, kind: LeafKind, span: Span) -> Run:
    """The records or entries numbered in `span` as a run: a share of `audit verify`'s work."""
    return runs_of(held_records(conn, span) if kind == "record" else held_entries(conn, span))[kind]


def seq_spans(conn: Connection, kind: LeafKind, width: int) -> list[Span]:
    """The sequence numbers of the records or entries held, in spans of `width` numbers (about
    as many rows: numbers are dense but for inserts rolled back)."""
    seq = (records if kind == "record" else entries).c.seq
    low, high = conn.execute(select(func.min(seq), func.max(seq))).one()
    if low is None:
        return []
    return [(lo, min(lo + width, high + 1)) for lo in range(low, high + 1, width)]


def _json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # what orjson does not read (a whole number beyond 64 bits)
        pass
    try:
        return json.loads(text, parse_constant=_no_constant)
    except ValueError:
        # Not JSON (NaN, or not text a store would write): the text itself, which hashes as a
        # string, never as the object that was logged, so the entry is named as changed.
        return text


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def insert_admin(conn: Connection, made: Sequence[AdminEntry]) -> list[Grown]:
    """Insert admin entries in order; the leaves they owe the log, in the same order."""
    if not made:
        return []
    values = [
        {"kind": e.kind, "actor": e.actor, "at": e.at, "subject_id": e.subject_id, "data": e.data}
        for e in made
    ]
    insert = admin_entries.insert().returning(admin_entries.c.seq, sort_by_parameter_order=True)
    seqs = [int(seq) for seq in conn.execute(insert, values).scalars()]
    return [("admin", str(seq), hash_of(admin_json(e))) for e, seq in zip(made, seqs, strict=True)]


def admin_rows(
    conn: Connection, subject_id: str | None, after: int, limit: int | None
) -> list[AdminEntry]:
    query = select(admin_entries).where(admin_entries.c.seq > after)
    if subject_id is not None:
        query = query.where(admin_entries.c.subject_id == subject_id)
    query = query.order_by(admin_entries.c.seq).limit(limit)
    return [admin_from_row(row) for row in conn.execute(query)]
