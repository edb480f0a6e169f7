"""The tamper corpus: each way of rewriting the ledger behind the service's back, on SQLite and
PostgreSQL, is caught by `verify_ledger`, which names the entry or head and how; the untouched
ledger verifies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from credo.adapters.signing import SigningKeys, generated
from credo.adapters.stores.sql import shares
from credo.adapters.stores.sql.ledger import SqlLedgerStore
from credo.adapters.stores.sql.postgres import PostgresLedgerStore
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.adapters.stores.sql.tables import (
    admin_entries,
    audit_leaves,
    entries,
    records,
    tree_heads,
)
from credo.bootstrap import build_companions
from credo.domain.audit.tree_heads import sign_head
from credo.domain.ledger.entries import Entry
from credo.services.access.keys import Role, create_key, revoke_key
from credo.services.audit.ledger import verify_ledger
from tests.contract.samples import NOW, entry, pack, record

Tamper = Callable[[Connection, dict[str, str]], None]


def _ledger(
    url: str, schema: str | None, keys: SigningKeys
) -> tuple[SqlLedgerStore, dict[str, str]]:
    store: SqlLedgerStore = (
        SqliteLedgerStore(url, signer=keys)
        if schema is None
        else PostgresLedgerStore(url, schema=schema, signer=keys)
    )
    store.migrate()
    store.adopt_pack(pack(1))
    a, b, c = record("TP-1", who="p-1"), record("TP-2", who="p-2"), record("TP-3", who="p-3")
    notices = [Entry("notice", r.record_id, "credo", NOW, {"about": "intake"}) for r in (a, b, c)]
    store.append_records([a, b, c], recorded_at=NOW, notices=notices)
    [objection] = store.append_entries([entry("objection", a, 5, objection_id="o-1", reason="no")])
    store.append_entry(entry("decision", a, 6, objection_id="o-1", outcome="upheld"))
    store.append_records([record("TP-4", who="p-1")], recorded_at=NOW)
    notice = store.entries_of_kind(["notice"])[1].seq
    # An administrator's acts: a subject's key made, then revoked (leaves 10 and 11).
    access = build_companions(store).access
    made = create_key(access, b"s", role=Role.SUBJECT, principal="p-1", now=NOW, actor="k-admin")
    revoke_key(access, made.key.key_id, now=NOW, actor="cli:root")
    [key_entry, _] = store.admin_entries()
    return store, {
        "record": b.record_id,
        "objection": str(objection),
        "notice": str(notice),
        "admin": str(key_entry.seq),
    }


def _record_byte(conn: Connection, ids: dict[str, str]) -> None:
    where = records.c.record_id == ids["record"]
    attrs = conn.execute(select(records.c.attributes).where(where)).scalar_one()
    conn.execute(update(records).where(where).values(attributes=attrs.replace("2", "3")))


def _entry_byte(which: str) -> Tamper:
    def tamper(conn: Connection, ids: dict[str, str]) -> None:
        where = entries.c.seq == int(ids[which])
        data = dict(conn.execute(select(entries.c.data).where(where)).scalar_one())
        key = "reason" if which == "objection" else "about"
        data[key] = data[key][:-1] + chr(ord(data[key][-1]) ^ 1)
        conn.execute(update(entries).where(where).values(data=data))

    return tamper


def _admin_actor(conn: Connection, ids: dict[str, str]) -> None:
    """Someone covering their tracks: the key's maker changed to another administrator."""
    where = admin_entries.c.seq == int(ids["admin"])
    conn.execute(update(admin_entries).where(where).values(actor="k-someone-else"))


def _delete_revocation(conn: Connection, ids: dict[str, str]) -> None:
    conn.execute(delete(admin_entries).where(admin_entries.c.seq == int(ids["admin"]) + 1))


def _delete(conn: Connection, ids: dict[str, str]) -> None:
    conn.execute(delete(entries).where(entries.c.seq == int(ids["notice"])))


def _insert(conn: Connection, ids: dict[str, str]) -> None:
    values = {"kind": "withdrawal", "record_id": ids["record"], "actor": "x", "at": NOW}
    conn.execute(entries.insert().values(**values, data={}))


def _swap(conn: Connection, ids: dict[str, str]) -> None:
    one, two = int(ids["objection"]) - 1, int(ids["objection"])
    rows = {r.seq: r for r in conn.execute(select(entries).where(entries.c.seq.in_([one, two])))}
    for seq, other in ((one, two), (two, one)):
        held = rows[other]
        values = {"kind": held.kind, "record_id": held.record_id, "actor": held.actor}
        conn.execute(
            update(entries).where(entries.c.seq == seq).values(**values, at=held.at, data=held.data)
        )


def _truncate(conn: Connection, ids: dict[str, str]) -> None:
    last = (
        conn.execute(select(audit_leaves.c.leaf_index).order_by(audit_leaves.c.leaf_index.desc()))
        .scalars()
        .first()
    )
    conn.execute(delete(audit_leaves).where(audit_leaves.c.leaf_index >= last - 2))


def _replace_head(conn: Connection, ids: dict[str, str]) -> None:
    first = conn.execute(
        select(tree_heads.c.root_hash).where(tree_heads.c.tree_size == 1)
    ).scalar_one()
    conn.execute(update(tree_heads).where(tree_heads.c.tree_size == 7).values(root_hash=first))


def _other_key(conn: Connection, ids: dict[str, str]) -> None:
    row = conn.execute(select(tree_heads).where(tree_heads.c.tree_size == 7)).one()
    forged = sign_head(generated(), 7, bytes(row.root_hash), datetime.now(UTC))
    conn.execute(
        update(tree_heads)
        .where(tree_heads.c.tree_size == 7)
        .values(key_id=forged.key_id, signature=forged.signature, timestamp=forged.timestamp)
    )


def _rewrite_with_leaf(conn: Connection, ids: dict[str, str]) -> None:
    """A careful attacker: the record changed and its leaf recomputed to match."""
    from credo.domain.audit.leaves import hash_of, record_json
    from tests.contract.samples import record as make

    _record_byte(conn, ids)
    changed = make("TP-2", who="p-2", severity=3)
    conn.execute(
        update(audit_leaves)
        .where(audit_leaves.c.ref == ids["record"])
        .values(leaf_hash=hash_of(record_json(changed, NOW)))
    )


CORPUS: dict[str, tuple[Tamper, str, str]] = {
    "record byte": (_record_byte, "changed: entry 2 (record {record})", ""),
    "objection byte": (_entry_byte("objection"), "changed: entry 7 (entry seq {objection})", ""),
    "notice byte": (_entry_byte("notice"), "changed: entry 5 (entry seq {notice})", ""),
    "admin entry byte": (_admin_actor, "changed: entry 10 (admin seq {admin})", ""),
    "deleted revocation": (_delete_revocation, "missing: entry 11 (admin seq", "no longer"),
    "deleted entry": (_delete, "missing: entry 5 (entry seq {notice})", ""),
    "inserted entry": (_insert, "inserted: entry", ""),
    "swapped entries": (_swap, "reordered: entry 6", "held"),
    "truncated log": (_truncate, "missing: the log ends after 9 entries", ""),
    "replaced head": (_replace_head, "head of size 7 does not verify", "signature"),
    "head by another key": (
        _other_key,
        "head of size 7 does not verify",
        "not among the published",
    ),
    "leaf rewritten too": (_rewrite_with_leaf, "head of size 7 does not verify", "from 1 to 6"),
}


@pytest.fixture(params=[1, 2], ids=["one process", "shared"])
def processes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many processes hash the rows: one, or workers given spans of two rows each, as a
    ledger of millions is hashed."""
    if request.param > 1:
        monkeypatch.setattr(shares, "SHARED_FROM", 0)
        monkeypatch.setattr(shares, "SHARE", 2)
    return int(request.param)


def test_the_untouched_ledger_verifies(sql_url: tuple[str, str | None], processes: int) -> None:
    keys = generated()
    store, _ = _ledger(*sql_url, keys)
    verdict = verify_ledger(store, keys.public_keys(), processes)
    assert verdict.ok, verdict.problem
    assert verdict.tree_size == 12
    assert verdict.root == store.signed_head().root_hash  # type: ignore[union-attr]
    store.close()


SHARED_CASES = ["record byte", "notice byte", "deleted entry", "inserted entry", "swapped entries"]
"""The cases that reach the rows, run again with the rows hashed by workers (which take about
half a second to start each time)."""


@pytest.mark.parametrize(
    ("case", "processes"),
    [(case, 1) for case in CORPUS] + [(case, 2) for case in SHARED_CASES],
    indirect=["processes"],
)
def test_every_tampering_is_caught_and_named(
    sql_url: tuple[str, str | None], case: str, processes: int
) -> None:
    keys = generated()
    store, ids = _ledger(*sql_url, keys)
    tamper, expected, detail = CORPUS[case]
    with store.engine.begin() as conn:
        tamper(conn, ids)
    verdict = verify_ledger(store, keys.public_keys(), processes)
    assert not verdict.ok
    assert verdict.problem is not None
    assert verdict.problem.startswith(expected.format(**ids)), verdict.problem
    assert detail in verdict.problem
    store.close()


def test_shared_hashing_gives_the_runs_of_one_process(
    sql_url: tuple[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = generated()
    store, _ = _ledger(*sql_url, keys)
    alone = store.audit_runs(processes=1)
    monkeypatch.setattr(shares, "SHARED_FROM", 0)
    monkeypatch.setattr(shares, "SHARE", 1)
    assert store.audit_runs(processes=2) == alone
    held = [(kind, ref, h) for kind, ref, h, _ in store.audit_contents()]
    assert [(k, r) for k, r, _ in held] == [
        (kind, ref) for kind, run in alone.items() for ref in run.refs
    ]
    assert b"".join(h for _, _, h in held) == b"".join(bytes(r.hashes) for r in alone.values())
    store.close()
