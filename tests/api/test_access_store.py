"""The access store on every backend: keys stored by digest and revoked once, the check log
appended and paged, and concurrent checks all logged."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from credo.adapters.stores.access import AccessStore, LoggedCheck, StoredKey
from credo.adapters.stores.memory import MemoryLedgerStore
from credo.adapters.stores.protocol import LedgerStore
from credo.adapters.stores.sql.postgres import PostgresLedgerStore
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.bootstrap import build_companions
from credo.domain.ledger.entries import AdminEntry
from tests.api.conftest import NOW, TODAY

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def access(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AccessStore]:
    store: LedgerStore
    if request.param == "memory":
        store = MemoryLedgerStore()
    elif request.param == "sqlite":
        store = SqliteLedgerStore(f"sqlite:///{tmp_path / 'credo.db'}")
    else:
        url = request.getfixturevalue("postgres_url")
        store = PostgresLedgerStore(url, schema=request.getfixturevalue("postgres_schema"))
    store.migrate()
    yield build_companions(store).access
    store.close()


MADE = AdminEntry("key", "cli:test", NOW, {"key_id": "k-1"})
REVOKED = AdminEntry("key-revocation", "cli:test", NOW, {"key_id": "k-1"})


def key(key_id: str, digest: str) -> StoredKey:
    return StoredKey(key_id, digest, "consumer", "rail", ("rail.high-speed-ticket",), None, NOW)


def logged(subject: str, n: int = 0) -> LoggedCheck:
    return LoggedCheck(NOW, "rail", "k-1", subject, "rail.high-speed-ticket", TODAY, "allow",
                       {"n": n}, ("m",))  # fmt: skip


def test_keys_are_found_by_digest_and_revoked_once(access: AccessStore) -> None:
    access.add_key(key("k-1", "d1"), audit=MADE)
    access.add_key(key("k-2", "d2"), audit=MADE)
    assert access.key_by_digest("d2") == key("k-2", "d2")
    assert access.key_by_digest("nope") is None
    first = access.revoke_key("k-1", at=NOW, audit=REVOKED)
    again = access.revoke_key("k-1", at=NOW + timedelta(days=1), audit=REVOKED)
    assert first is not None
    assert again is not None
    assert first.revoked_at == again.revoked_at == NOW
    assert access.revoke_key("k-9", at=NOW, audit=REVOKED) is None
    assert [k.key_id for k in access.all_keys()] == ["k-1", "k-2"]


def test_the_log_is_read_newest_first_a_page_at_a_time(access: AccessStore) -> None:
    seqs = [access.log_check(logged("p-1", n)) for n in range(5)]
    access.log_check(logged("p-2"))
    page = access.checks_about("p-1", limit=3)
    assert [c.seq for c in page] == seqs[::-1][:3]
    assert page[0].terms == {"n": 4}
    assert page[0].measures == ("m",)
    rest = access.checks_about("p-1", before=page[-1].seq, limit=3)
    assert [c.seq for c in rest] == seqs[1::-1]


def test_concurrent_checks_are_all_logged(access: AccessStore) -> None:
    start = threading.Barrier(40)
    seqs: list[int] = []

    def log(n: int) -> None:
        start.wait()
        seqs.append(access.log_check(logged("p-1", n)))

    threads = [threading.Thread(target=log, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seqs)) == 40
    stored = access.checks_about("p-1", limit=100)
    assert sorted(c.seq for c in stored if c.seq is not None) == sorted(seqs)
    assert sorted(c.terms["n"] for c in stored) == list(range(40))
