"""The idempotency key holds under load: 50 identical submissions at once give one record and
49 answers of "already present", on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx2

from tests.api.conftest import MakeApi, record


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
