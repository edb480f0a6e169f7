"""The audit log in SQL: leaves appended and a head signed inside the transaction that appends
the entries they stand for, so no committed entry is ever outside a signed head; and the reads
that proofs and `credo audit verify` need. Shared by the SQLite and PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from credo.adapters.stores.tables import (
    RECORD_READ,
    AnyRow,
    audit_leaves,
    entries,
    entry_from_row,
    packs,
    records,
    tree_heads,
)
from credo.domain.leaves import (
    Held,
    Leaf,
    LeafKind,
    entry_json,
    hash_of,
    pack_json,
    pack_ref,
    record_row_json,
)
from credo.domain.merkle import Frontier, Hash
from credo.domain.tree_heads import HeadSigner, TreeHead, sign_head

Grown = tuple[LeafKind, str, Hash]
"""A leaf to append: its kind, the row it stands for, its hash."""

_HASH = 32
_SCAN = 10_000


def grow(
    conn: Connection, items: Sequence[Grown], signer: HeadSigner, now: datetime
) -> TreeHead | None:
    """Append `items` as the next leaves and sign the head of the grown tree. The caller holds
    the log's lock (SQLite's write lock; PostgreSQL's advisory lock) for the transaction."""
    if not items:
        return None
    last = conn.execute(
        select(tree_heads.c.tree_size, tree_heads.c.frontier)
        .order_by(tree_heads.c.tree_size.desc())
        .limit(1)
    ).first()
    frontier = _frontier(last.tree_size, last.frontier) if last else Frontier()
    start = frontier.size
    rows = []
    for offset, (kind, ref, leaf) in enumerate(items):
        rows.append({"leaf_index": start + offset, "kind": kind, "ref": ref, "leaf_hash": leaf})
        frontier.append(leaf)
    conn.execute(audit_leaves.insert(), rows)
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


def _frontier(size: int, packed: bytes) -> Frontier:
    return Frontier(size, [packed[i : i + _HASH] for i in range(0, len(packed), _HASH)])


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


def leaf_hashes(conn: Connection, tree_size: int) -> list[Hash]:
    query = (
        select(audit_leaves.c.leaf_hash)
        .where(audit_leaves.c.leaf_index < tree_size)
        .order_by(audit_leaves.c.leaf_index)
    )
    return [bytes(h) for h in conn.execute(query).scalars()]


def leaf_rows(conn: Connection, after: int, limit: int | None) -> list[Leaf]:
    query = (
        select(audit_leaves)
        .where(audit_leaves.c.leaf_index >= after)
        .order_by(audit_leaves.c.leaf_index)
        .limit(limit)
    )
    return [Leaf(int(r.leaf_index), r.kind, r.ref, bytes(r.leaf_hash)) for r in conn.execute(query)]


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
    for row in conn.execute(select(packs).order_by(packs.c.adopted_at, packs.c.pack_id)):
        yield "pack", pack_ref(row.pack_id, row.version), hash_of(pack_json(row)), 0
    query = RECORD_READ.add_columns(records.c.recorded_at).order_by(records.c.seq)
    for chunk in conn.execution_options(yield_per=_SCAN).execute(query).partitions():
        for row in chunk:
            leaf = hash_of(record_row_json(row[1:13], row[13]))
            yield "record", row[1], leaf, int(row[0])
    query_entries = select(entries).order_by(entries.c.seq)
    for chunk in conn.execution_options(yield_per=_SCAN).execute(query_entries).partitions():
        for row in chunk:
            yield "entry", str(row.seq), hash_of(entry_json(entry_from_row(row))), int(row.seq)
