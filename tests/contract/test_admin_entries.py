"""Administrators' acts are ledger entries on every store: a key made (a subject's too) or
revoked, a sign-in link issued, a signing key rotated, a pack adopted; each names its actor,
holds no secret, is a leaf of the log written with the act itself, and is read by the subject
it is about."""

from __future__ import annotations

import orjson
import pytest

from credo.adapters.stores.protocol import LedgerStore
from credo.bootstrap import build_companions
from credo.domain.audit.leaves import admin_json, hash_of, pack_json
from credo.domain.ledger.entries import AdminEntry
from credo.services.access.keys import Role, create_key, revoke_key
from credo.services.audit.ledger import verify_ledger
from credo.services.portal.sessions import login_code
from tests.contract.samples import NOW, pack

SECRET = b"server secret"


def _verifies(store: LedgerStore) -> None:
    keys = getattr(store.signer, "public_keys", None)
    assert keys is not None
    verdict = verify_ledger(store, keys())
    assert verdict.ok, verdict.problem


def test_each_act_on_a_key_is_an_entry_with_its_actor_and_no_secret(store: LedgerStore) -> None:
    companions = build_companions(store)
    access, sessions = companions.access, companions.sessions
    mine = create_key(access, SECRET, role=Role.SUBJECT, principal="p-1", now=NOW, actor="k-a")
    police = create_key(
        access, SECRET, role=Role.PROVIDER, principal="police", types=["traffic.violation"],
        rate=2.5, now=NOW, actor="cli:root",
    )  # fmt: skip
    code, _ = login_code(
        access, sessions, SECRET, principal="p-1", role=Role.SUBJECT, now=NOW, actor="cli:root"
    )
    revoke_key(access, mine.key.key_id, now=NOW, actor="k-a")
    revoke_key(access, mine.key.key_id, now=NOW, actor="k-b")  # changes nothing, logs nothing

    found = store.admin_entries()
    assert [(e.kind, e.actor, e.data["key_id"]) for e in found] == [
        ("key", "k-a", mine.key.key_id),
        ("key", "cli:root", police.key.key_id),
        ("login-link", "cli:root", mine.key.key_id),
        ("key-revocation", "k-a", mine.key.key_id),
    ]
    assert found[1].data == {
        "key_id": police.key.key_id,
        "role": "provider",
        "id": "police",
        "scopes": ["traffic.violation"],
        "rate": 2.5,
    }
    assert found[2].data["expires_at"] == "2026-11-22T09:45:00.000000Z"
    held = orjson.dumps([admin_json(e) for e in found]).decode()
    for secret in (mine.token, police.token, mine.key.digest, police.key.digest, code):
        assert secret not in held

    leaves = {leaf.ref: leaf for leaf in store.leaves() if leaf.kind == "admin"}
    assert [leaves[str(e.seq)].hash for e in found] == [hash_of(admin_json(e)) for e in found]
    head = store.signed_head()
    assert head is not None
    assert head.tree_size == len(store.leaves())
    _verifies(store)


def test_a_subject_reads_the_entries_about_its_own_keys(store: LedgerStore) -> None:
    access = build_companions(store).access
    create_key(access, SECRET, role=Role.SUBJECT, principal="p-1", now=NOW, actor="k-a")
    create_key(access, SECRET, role=Role.SUBJECT, principal="p-2", now=NOW, actor="k-a")
    create_key(access, SECRET, role=Role.REVIEWER, principal="p-1", now=NOW, actor="k-a")
    own = store.admin_entries(subject_id="p-1")
    assert [(e.kind, e.data["id"], e.data["role"]) for e in own] == [("key", "p-1", "subject")]
    assert [e.seq for e in store.admin_entries(after=1, limit=1)] == [2]


def test_an_act_that_fails_leaves_no_entry_and_no_leaf(store: LedgerStore) -> None:
    access = build_companions(store).access
    made = create_key(access, SECRET, role=Role.CONSUMER, principal="rail",
                      contexts=["rail.high-speed-ticket"], now=NOW, actor="k-a")  # fmt: skip
    size = len(store.leaves())
    with pytest.raises(Exception):  # noqa: B017,PT011 (each store's own duplicate-key error)
        access.add_key(made.key, audit=AdminEntry("key", "k-a", NOW, {"key_id": "again"}))
    assert len(store.admin_entries()) == 1
    assert len(store.leaves()) == size
    _verifies(store)


def test_an_act_outside_the_database_is_appended_with_its_entry(store: LedgerStore) -> None:
    done: list[str] = []

    def rotate() -> list[AdminEntry]:
        done.append("rotated")
        return [
            AdminEntry("signing-key-rotation", "cli:root", NOW, {"key_id": "new", "retired": "old"})
        ]

    [entry] = store.append_admin(rotate)
    assert done == ["rotated"]
    assert entry.seq == 1
    assert store.admin_entries() == [entry]
    _verifies(store)


def test_a_pack_adoption_names_its_actor(store: LedgerStore) -> None:
    from dataclasses import replace

    adopted = replace(pack(1), adopted_by="cli:root")
    assert store.adopt_pack(adopted)
    [held] = store.packs()
    assert held.adopted_by == "cli:root"
    assert pack_json(held)["actor"] == "cli:root"
    assert "actor" not in pack_json(pack(2))  # one adopted before actors were kept
    [leaf] = store.leaves()
    assert leaf.hash == hash_of(pack_json(adopted))
    _verifies(store)
