"""The audit log on every store: each call that appends packs, records or entries appends their
leaves in ledger order and signs a head in the same transaction; replays add nothing."""

from __future__ import annotations

import threading
from typing import cast

import pytest

from credo.adapters.signing import SigningKeys
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.audit.leaves import hash_of, record_json
from credo.domain.audit.merkle import consistency_proof, inclusion_proof, root_of
from credo.domain.audit.tree_heads import head_fault
from credo.domain.errors import ProofError
from credo.domain.ledger.entries import Entry
from tests.contract.conftest import StoreFactory
from tests.contract.samples import NOW, entry, pack, record


def _fill(store: LedgerStore) -> None:
    a, b = record("TP-2", who="p-1"), record("TP-1", who="p-2")
    store.adopt_pack(pack(1))
    notices = [Entry("notice", r.record_id, "credo", NOW, {"about": "intake"}) for r in (a, b)]
    store.append_records([a, b], recorded_at=NOW, notices=notices)
    store.append_entries([entry("objection", a, 1, objection_id="o-1", reason="not me")])
    store.append_entry(entry("decision", a, 2, objection_id="o-1", outcome="upheld"))


def _keys(store: LedgerStore) -> dict[str, bytes]:
    return cast(SigningKeys, store.signer).public_keys()


def test_every_entry_is_a_leaf_in_ledger_order(store: LedgerStore) -> None:
    _fill(store)
    leaves = store.leaves()
    kinds = [leaf.kind for leaf in leaves]
    # The pack; the batch's records in id order, then their notices; then the later entries.
    assert kinds == ["pack", "record", "record", "entry", "entry", "entry", "entry"]
    a, b = record("TP-2", who="p-1"), record("TP-1", who="p-2")
    first, second = sorted([a, b], key=lambda r: r.record_id)
    assert [leaf.ref for leaf in leaves[1:3]] == [first.record_id, second.record_id]
    assert leaves[1].hash == hash_of(record_json(first, NOW))
    assert [leaf.index for leaf in leaves] == list(range(7))
    contents = {(kind, ref): h for kind, ref, h, _ in store.audit_contents()}
    assert {(leaf.kind, leaf.ref): leaf.hash for leaf in leaves} == contents
    assert store.leaf_indexes("record", [first.record_id, "r-none"]) == {first.record_id: 1}
    assert store.leaves(after=5) == leaves[5:]
    assert store.leaves(after=1, limit=2) == leaves[1:3]


def test_each_batch_signs_a_head_of_the_grown_tree(store: LedgerStore) -> None:
    _fill(store)
    heads = store.signed_heads()
    assert [h.tree_size for h in heads] == [1, 5, 6, 7]
    hashes = [leaf.hash for leaf in store.leaves()]
    for head in heads:
        assert head.root_hash == root_of(hashes[: head.tree_size])
        assert head_fault(head, _keys(store)) is None
    assert store.signed_head() == heads[-1]
    assert store.signed_head(5) == heads[1]
    assert store.signed_head(4) is None


def test_proofs_read_stored_subtrees_and_agree_with_the_leaves(store: LedgerStore) -> None:
    """Batches of every shape over 600 leaves: the subtrees a store keeps (every fourth level)
    give the same proofs as the leaves themselves, for every signed size."""
    from credo.services.audit.ledger import consistency, inclusion

    store.adopt_pack(pack(1))
    made = 1
    for width in (1, 14, 1, 16, 33, 2, 190, 1, 255, 87):
        batch = [record(f"TP-{made + i}", who=f"p-{made + i}") for i in range(width)]
        store.append_records(batch, recorded_at=NOW)
        made += width
    hashes = [leaf.hash for leaf in store.leaves()]
    assert len(hashes) == made == 601
    sizes = [h.tree_size for h in store.signed_heads()]
    for size in sizes:
        for index in sorted({0, size // 2, size - 1, min(1, size - 1), min(256, size - 1)}):
            assert inclusion(store, index, size) == inclusion_proof(hashes[:size], index), size
        for first in sizes:
            if first <= size:
                assert consistency(store, first, size) == consistency_proof(hashes[:size], first)
    nodes = store.subtrees([(8, 1), (9, 0), (4, 36), (5, 17), (0, 600)])
    assert nodes[(8, 1)] == root_of(hashes[256:512])
    assert nodes[(9, 0)] == root_of(hashes[:512])
    assert nodes[(4, 36)] == root_of(hashes[576:592])
    assert nodes[(5, 17)] == root_of(hashes[544:576])
    assert nodes[(0, 600)] == hashes[600]
    with pytest.raises(ProofError):
        store.subtrees([(4, 37)])  # leaves 592 to 607: the log ends at 600


def test_replays_add_neither_leaves_nor_heads(store: LedgerStore) -> None:
    _fill(store)
    before = store.signed_heads()
    store.adopt_pack(pack(1))
    store.append_records([record("TP-2", who="p-1")], recorded_at=NOW)
    store.append_entries([])
    assert store.signed_heads() == before
    assert len(store.leaves()) == 7


def test_a_refused_batch_leaves_no_leaf(store: LedgerStore) -> None:
    _fill(store)
    with pytest.raises(Exception, match="no record"):
        store.append_entries([Entry("notice", "r" + "0" * 24, "credo", NOW, {})])
    assert len(store.leaves()) == 7
    assert store.signed_head() is not None
    assert store.signed_head().tree_size == 7  # type: ignore[union-attr]


def test_concurrent_writers_grow_one_tree(new_store: StoreFactory) -> None:
    stores = [new_store() for _ in range(3)]
    stores[0].append_records([record("TP-0")], recorded_at=NOW)

    def write(i: int) -> None:
        for n in range(5):
            stores[i].append_records([record(f"TP-{i}-{n}", who=f"p-{i}")], recorded_at=NOW)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reader = stores[0]
    heads = reader.signed_heads()
    assert [h.tree_size for h in heads] == list(range(1, 17))
    hashes = [leaf.hash for leaf in reader.leaves()]
    assert all(h.root_hash == root_of(hashes[: h.tree_size]) for h in heads)


def test_stored_content_hashes_as_appended_whatever_its_fields(store: LedgerStore) -> None:
    odd = [
        record("TP-9", evidence=None, case_ref="C-1", speed=1.5, note="über"),
        record("TP-8", big=2**60, flag=True),
    ]
    store.append_records(odd, recorded_at=NOW)
    logged = {leaf.ref: leaf.hash for leaf in store.leaves()}
    held = {ref: h for kind, ref, h, _ in store.audit_contents() if kind == "record"}
    assert held == logged
    assert logged[odd[0].record_id] == hash_of(record_json(odd[0], NOW))


def test_a_log_kept_before_stored_subtrees_gets_them_on_migrating(
    sql_url: tuple[str, str | None],
) -> None:
    from alembic import command
    from sqlalchemy import select

    from credo.adapters.stores.sql.ledger import SqlLedgerStore, alembic_config
    from credo.adapters.stores.sql.postgres import PostgresLedgerStore
    from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
    from credo.adapters.stores.sql.tables import audit_nodes
    from credo.services.audit.ledger import inclusion

    url, schema = sql_url
    store: SqlLedgerStore = (
        SqliteLedgerStore(url) if schema is None else PostgresLedgerStore(url, schema=schema)
    )
    store.migrate()
    store.append_records([record(f"TP-{i}", who=f"p-{i}") for i in range(40)], recorded_at=NOW)
    store.append_records([record(f"TP-{i}", who=f"p-{i}") for i in range(40, 300)], recorded_at=NOW)

    def kept() -> list[tuple[int, int, bytes]]:
        with store.engine.connect() as conn:
            rows = conn.execute(select(audit_nodes).order_by(audit_nodes.c.level, "position"))
            return [(r.level, r.position, bytes(r.hash)) for r in rows]

    before = kept()
    assert [(level, pos) for level, pos, _ in before] == [
        *((4, p) for p in range(18)),
        (8, 0),
    ]
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0010")
    store.migrate()
    assert kept() == before
    hashes = [leaf.hash for leaf in store.leaves()]
    assert inclusion(store, 299, 300) == inclusion_proof(hashes, 299)
    store.close()
