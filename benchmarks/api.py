"""`credo serve` on PostgreSQL with two workers, under a bounded load from a small asyncio httpx
client on loopback: checks/s and records/s with their p50 and p99 latencies, beside the bare
HTTP ceiling (`GET /healthz`) measured by the same client against the same server.

    python -m benchmarks.api [--seconds S] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg

from benchmarks.ingest import PG_URL, TODAY, ledger_file
from benchmarks.report import Report
from credo.adapters.stores.postgres import PostgresLedgerStore
from credo.bootstrap import Context, build_engine
from credo.services.access.keys import Role, create_key
from credo.services.intake.ingest import ingest_file
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.recompute import recompute
from credo.settings import Settings
from credo.shipped import shipped_packs

SCHEMA = "credo_bench_api"
RECORDS = 20_000
WORKERS = 2
GOALS = {"checks": (3_000, 20.0), "records": (1_000, 50.0)}  # per second, p99 ms
OUT = Path(__file__).parent / "out"


@dataclass
class Load:
    """What one phase of load measured."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    failures: dict[int, int] = field(default_factory=dict)  # status (0: none, 1: not created)
    server_cpu: float = 0.0  # CPU seconds the server's processes spent during the phase
    client_cpu: float = 0.0  # CPU seconds this load generator spent

    def cpu_us(self, seconds: float) -> float:
        """CPU microseconds per answered request."""
        return seconds / len(self.latencies) * 1e6 if self.latencies else 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        if len(self.latencies) < 2:
            return 0.0
        cuts = statistics.quantiles(self.latencies, n=1000, method="inclusive")
        return cuts[min(int(q * 1000), 999) - 1] * 1000


Request = Callable[[int], tuple[str, str, Any]]  # n → (method, path, json body or None)


async def _load(
    base: str, headers: dict[str, str], request: Request, *, seconds: float, limit: int, width: int
) -> Load:
    """`width` connections sending one request after another until `seconds` pass or `limit`
    requests have been sent, whichever comes first."""
    load = Load()
    sent = 0
    # A client per connection: one pool shared by many connections costs the client more
    # than the server spends on a request.
    clients = [httpx.AsyncClient(base_url=base, headers=headers) for _ in range(width)]
    try:
        started = time.perf_counter()
        deadline = started + seconds

        async def worker(client: httpx.AsyncClient) -> None:
            nonlocal sent
            while sent < limit and time.perf_counter() < deadline:
                method, path, body = request(sent)
                sent += 1
                t0 = time.perf_counter()
                try:
                    response = await client.request(method, path, json=body)
                    status = response.status_code
                    if status == 200 and method == "POST" and path == "/v1/records":
                        # A record answered but not created (rejected, say) is no success.
                        status = 200 if response.json()["created"] == 1 else 1
                except httpx.TransportError:
                    status = 0  # the connection failed: counted, not fatal
                elapsed = time.perf_counter() - t0
                if status == 200:
                    load.latencies.append(elapsed)
                else:
                    load.failures[status] = load.failures.get(status, 0) + 1

        await asyncio.gather(*(worker(client) for client in clients))
        load.seconds = time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()
    return load


def _process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (uvicorn's workers), from /proc."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            tasks = Path(f"/proc/{p}/task").iterdir()
            for task in tasks:
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes so far (0 where /proc cannot tell)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _fresh_schema() -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def _prepare(secret: str) -> tuple[str, str, list[tuple[str, str, str]]]:
    """A ledger of RECORDS synthetic records in its own schema; a consumer and a provider key.
    Returns both tokens and the subjects (id, kind, region) to ask about."""
    _fresh_schema()
    store = PostgresLedgerStore(PG_URL, schema=SCHEMA)
    store.migrate()
    now = datetime.now(UTC)
    for pack in shipped_packs():
        adopt_pack_file(store, pack, now=now)
    path = ledger_file(OUT, RECORDS)
    report = ingest_file(store, current_rulebook(store), path, today=TODAY, now=now)
    assert report.ok, report.rejected[:3]
    rulebook = current_rulebook(store)
    # Every subject's score materialised for the server's today, as `credo recompute` leaves
    # a ledger: checks are answered from it, and records keep it current.
    recompute(store, build_engine("duckdb"), rulebook, as_of=now.date(), now=now)
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        # What autovacuum does a minute after a load: without it the planner guesses sizes
        # and reads a subject's entries by scanning them all.
        conn.execute(f"ANALYZE {SCHEMA}.records, {SCHEMA}.entries, {SCHEMA}.subjects")
    contexts = sorted({m.context for v in rulebook.all_versions() for m in v.pack.measures})
    types = sorted({t for v in rulebook.all_versions() for t in v.pack.record_types})
    ctx = Context(Settings(database_url=PG_URL), store)
    key = secret.encode()
    consumer = create_key(
        ctx.access, key, role=Role.CONSUMER, principal="bench", contexts=contexts, now=now
    )
    provider = create_key(
        ctx.access, key, role=Role.PROVIDER, principal="bench-provider", types=types, now=now
    )
    subjects: dict[str, tuple[str, str]] = {}
    with path.open() as f:
        for line in f:
            s = json.loads(line)["subject"]
            subjects.setdefault(s["id"], (s["kind"], s["region"]))
    store.close()
    listed = [(sid, kind, region) for sid, (kind, region) in sorted(subjects.items())]
    return consumer.token, provider.token, listed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(secret: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "CREDO_KEY_SECRET": secret,
        "CREDO_API_RATE": "1000000",
        "CREDO_API_ANONYMOUS_RATE": "1000000",
        "CREDO_API_KEY_CACHE_SECONDS": "5",
    }
    url = f"{PG_URL}?options=-csearch_path%3D{SCHEMA}"
    command = [sys.executable, "-c", "from credo.cli import main; main()", "--db", url, "serve"]
    command += ["--workers", str(WORKERS), "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise RuntimeError(f"credo serve exited with {server.returncode}")
        time.sleep(0.25)
    server.kill()
    raise RuntimeError("credo serve did not become ready within 60 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _phases(subjects: list[tuple[str, str, str]]) -> dict[str, Request]:
    """What each phase sends: a bare request, a check of a random subject in a context of
    its kind, and a new record about a random subject."""
    rng = random.Random(7)
    person = {"person": "rail.high-speed-ticket", "organisation": "procurement.tender"}
    run_id = secrets.token_hex(4)

    def check(n: int) -> tuple[str, str, Any]:
        sid, kind, _ = subjects[rng.randrange(len(subjects))]
        return "POST", "/v1/checks", {"subject": sid, "context": person[kind]}

    numbers = itertools.count()  # `n` starts again with each load: warm-up, then the phase

    def record(n: int) -> tuple[str, str, Any]:
        n = next(numbers)
        sid, kind, region = subjects[rng.randrange(len(subjects))]
        kinds = {"person": ("traffic.violation", {"severity": 1})}
        rtype, attrs = kinds.get(kind, ("report.annual_filed", {"year": 2025}))
        body = {
            "subject": {"id": sid, "kind": kind, "region": region},
            "type": rtype,
            "occurred_at": TODAY.isoformat(),
            "source_ref": f"bench-{run_id}-{n}",
            "attributes": attrs,
            "evidence": {"uri": f"https://records.example/{n}", "sha256": "0" * 64},
        }
        return "POST", "/v1/records", body

    return {"healthz": lambda n: ("GET", "/healthz", None), "checks": check, "records": record}


def run(report: Report, *, seconds: float = 10.0, concurrency: int = 16) -> None:
    secret = secrets.token_hex(16)
    consumer, provider, subjects = _prepare(secret)
    port = _free_port()
    server = _start_server(secret, port)
    base = f"http://127.0.0.1:{port}"
    tokens = {"healthz": consumer, "checks": consumer, "records": provider}
    try:
        phases = _phases(subjects)
        results: dict[str, Load] = {}
        for name, request in phases.items():
            headers = {"Authorization": f"Bearer {tokens[name]}"}
            # Warm up first: connections, caches, and the rulebook in each worker.
            for secs, limit in ((1.0, 2_000), (seconds, 200_000)):
                workers = _process_tree(server.pid)
                server_cpu, client_cpu = _cpu_seconds(workers), time.process_time()
                load = asyncio.run(
                    _load(base, headers, request, seconds=secs, limit=limit, width=concurrency)
                )
                load.server_cpu = _cpu_seconds(workers) - server_cpu
                load.client_cpu = time.process_time() - client_cpu
                results[name] = load
    finally:
        _stop(server)
        _fresh_schema()
    _report(report, results, concurrency)


def _report(report: Report, results: dict[str, Load], concurrency: int) -> None:
    ceiling = results["healthz"].rate
    report.figure(
        f"API bare HTTP ceiling (GET /healthz, {concurrency} connections)", ceiling, "requests/s"
    )
    # CPU per request holds still when other work shares the machine; rates do not.
    for name, load in results.items():
        report.figure(f"API {name} server CPU per request", load.cpu_us(load.server_cpu), "µs")
        report.figure(f"API {name} client CPU per request", load.cpu_us(load.client_cpu), "µs")
    labels = {"checks": "POST /v1/checks", "records": "single-record POST /v1/records"}
    for name, label in labels.items():
        load = results[name]
        goal_rate, goal_p99 = GOALS[name]
        p99 = load.percentile_ms(0.99)
        report.figure(f"API {label}", load.rate, f"{name}/s")
        report.figure(f"API {label} p50", load.percentile_ms(0.50), "ms")
        report.figure(f"API {label} p99", p99, "ms")
        if load.failures:
            report.figure(f"API {label} failures", sum(load.failures.values()), "requests")
            print(f"  by status (0: no answer, 1: not created): {load.failures}", flush=True)
        # The goal as a share of what this machine's HTTP stack serves at all.
        share = round(goal_rate / ceiling, 2) if ceiling else 1.0
        report.ratio(f"API {name}/s / bare HTTP ceiling", load.rate / ceiling, goal=share)
        met = load.rate >= goal_rate and p99 <= goal_p99
        print(
            f"goal {name}: ≥ {goal_rate:,}/s with p99 ≤ {goal_p99:g} ms: "
            f"{'meets' if met else 'misses'}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    report = Report()
    run(report, seconds=args.seconds, concurrency=args.concurrency)
    report.save(OUT / "api.json")


if __name__ == "__main__":
    main()
