"""The idempotency key holds under load: 50 identical submissions at once give one record and
49 answers of "already present", on SQLite and on PostgreSQL; and requests that arrive while
an append waits share the next one."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx2

from credo.services.access.keys import authenticate
from credo.services.intake.records_api import GroupCommit, ItemResult
from tests.api.conftest import NOW, SECRET, TODAY, MakeApi, record


async def _post_all(api_app: object, token: str, body: object, n: int) -> list[str]:
    transport = httpx2.ASGITransport(app=api_app)  # type: ignore[arg-type]
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(transport=transport, base_url="http://credo") as client:
        responses = await asyncio.gather(
            *(client.post("/v1/records", json=body, headers=headers) for _ in range(n))
        )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses[:3]]
    return [r.json()["results"][0]["status"] for r in responses]


def test_fifty_identical_submissions_make_one_record(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    body = record("p-1", ref="TP-concurrent")
    outcomes = asyncio.run(_post_all(api.app, api.tokens["provider_a"], body, 50))
    assert Counter(outcomes) == {"created": 1, "already present": 49}
    assert api.ctx.store.count_records() == 1
    stored = api.ctx.store.stored_score("p-1")
    assert stored is not None
    assert stored.score < 1000


def test_concurrent_conflicting_submissions_keep_the_first(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    token = api.tokens["provider_a"]

    async def both() -> list[list[str]]:
        return await asyncio.gather(
            *(
                _post_all(api.app, token, record(ref="TP-x", attributes={"severity": s}), 10)
                for s in (1, 2)
            )
        )

    one, two = asyncio.run(both())
    assert Counter(one + two)["created"] == 1
    assert set(one + two) == {"created", "already present", "conflict"}
    assert api.ctx.store.count_records() == 1


def test_requests_that_wait_on_an_append_share_the_next_one(make_api: MakeApi) -> None:
    """While one request's append waits for the ledger, ten more gather; they are appended
    together, in one transaction (one signed head), and each gets its own answers."""
    api = make_api("sqlite")
    state = api.app.state.api
    group: GroupCommit = state.records
    provider = authenticate(api.ctx.access, SECRET.encode(), api.tokens["provider_a"])
    assert provider is not None
    rulebook = state.rulebook()
    heads = len(api.ctx.store.signed_heads())

    def submit(n: int) -> list[ItemResult]:
        items = [record(f"p-{n}", ref=f"TP-g{n}")]
        if n == 3:  # a request with a bad item keeps it out, and its good one in
            items.insert(0, record(f"p-{n}", ref=f"TP-bad{n}", occurred_at="2026-13-01"))
        return group.submit(rulebook, provider, items, today=TODAY, now=NOW)

    database = api.ctx.settings.database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the ledger's write lock, held from outside
    try:
        with ThreadPoolExecutor(11) as pool:
            first = pool.submit(submit, 0)
            _until(lambda: group._leading and not group._gathered)
            rest = [pool.submit(submit, n) for n in range(1, 11)]
            _until(lambda: len(group._gathered) == 10)
            holder.execute("ROLLBACK")
            answers = [first.result(), *(f.result() for f in rest)]
    finally:
        holder.close()
    assert [[r.status for r in a] for a in answers] == [
        ["rejected", "created"] if n == 3 else ["created"] for n in range(11)
    ]
    assert [a[-1].index for a in answers] == [1 if n == 3 else 0 for n in range(11)]
    for n, a in enumerate(answers):
        assert api.ctx.store.records_of(f"p-{n}")[0].record.record_id == a[-1].record_id
        assert api.ctx.store.stored_score(f"p-{n}") is not None  # settled before answering
    assert len(api.ctx.store.signed_heads()) == heads + 2
    assert not group._leading


def _until(condition: Callable[[], bool]) -> None:
    for _ in range(2_000):
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError("the group never got there")
