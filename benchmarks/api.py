"""`credo serve --workers 2` on SQLite and on PostgreSQL under `wrk` (Debian's package) on
loopback, bounded in time: throughput, p50 and p99 latency and the CPU each request cost the
server's processes, for `POST /v1/checks` and single-record `POST /v1/records`, beside the bare
HTTP ceiling (`GET /healthz`) measured by the same client against the same server; then one
`POST /v1/records` of 1,000 records.

wrk sends POST bodies from a Lua script: a check of a random subject in a context of its kind;
a new record (a `source_ref` of its own) about a random subject. A record counts only when the
answer says it was created.

    python -m benchmarks.api [--seconds S] [--connections C] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import psycopg

from benchmarks.ingest import PG_URL, TODAY, ledger_file
from benchmarks.report import Report
from credo.adapters.stores.protocol import LedgerStore
from credo.adapters.stores.sql.postgres import PostgresLedgerStore
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
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
BULK = 1_000
WORKERS = 2
GOALS = {"checks": (3_000, 20.0), "records": (1_000, 50.0)}  # per second, p99 ms
BULK_GOAL_SECONDS = 1.0
OUT = Path(__file__).parent / "out"
_TYPE = {"person": "traffic.violation", "organisation": "environment.violation"}
"""What a new record is, by the subject's kind: a violation graded by severity either way."""

# wrk's Lua: each thread numbers its requests; `done` prints what the Python side reads.
_LUA = """
local bodies, threads, counter, prefix = {}, {}, 0, ""
bad = 0  -- a global: `done` reads it from each thread
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  for line in io.lines(args[1]) do table.insert(bodies, line) end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  prefix = args[3]  -- new for every run of wrk: no source_ref is sent twice
  math.randomseed(7 + id)
end
function request()
  counter = counter + 1
  local body = bodies[math.random(#bodies)]
  body = body:gsub("@REF@", prefix .. "-" .. id .. "-" .. counter)
  return wrk.format(nil, nil, nil, body)
end
function response(status, headers, body)
  if status ~= 200 or (string.find(body, '"created":', 1, true) and
      not string.find(body, '"created":1,', 1, true)) then
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local refused = 0
  for _, t in ipairs(threads) do refused = refused + t:get("bad") end
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), refused,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""
_GET_LUA = """
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""


@dataclass
class Load:
    """What one phase of load measured."""

    requests: int  # answered
    seconds: float
    p50_ms: float
    p99_ms: float
    refused: int  # answered, but not 200 (or a record not created)
    failed: int  # no answer: connect, read, write errors and timeouts
    server_cpu: float  # CPU seconds of the server's processes during the phase
    client_cpu: float  # CPU seconds of wrk
    busy: float  # of the machine's CPU time during the phase, the share not idle

    @property
    def answered(self) -> int:
        return self.requests - self.refused

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def cpu_us(self, seconds: float) -> float:
        return seconds / self.answered * 1e6 if self.answered else 0.0


def _process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (the server's workers), from /proc."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
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


def _machine() -> tuple[int, int]:
    """All CPU time and idle time of the machine so far, in ticks (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]  # idle, iowait


def _wrk(
    url: str, script: Path, args: list[str], *, seconds: float, connections: int, pids: list[int]
) -> Load:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    command += ["-s", str(script), url, "--", *args, secrets.token_hex(6)]
    server_before, machine_before = _cpu_seconds(pids), _machine()
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = _cpu_seconds(pids) - server_before
    machine_after = _machine()
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", done.stdout, re.M)
    if found is None:
        raise RuntimeError(f"wrk printed no result: {done.stdout}\n{done.stderr}")
    requests, micros, p50, p99, refused, failed = (int(x) for x in found.groups())
    total = machine_after[0] - machine_before[0]
    idle = machine_after[1] - machine_before[1]
    return Load(
        requests,
        micros / 1e6,
        p50 / 1000,
        p99 / 1000,
        refused,
        failed,
        server_cpu,
        client_after.ru_utime
        - client_before.ru_utime
        + client_after.ru_stime
        - client_before.ru_stime,
        1 - idle / total if total else 0.0,
    )


@contextmanager
def _ledger(backend: str, secret: str) -> Iterator[tuple[str, str, str, list[dict[str, str]]]]:
    """A ledger of RECORDS synthetic records with every score materialised, as `credo
    recompute` leaves one; a consumer and a provider key. Gives the server's database URL,
    both tokens and the subjects to ask about."""
    with tempfile.TemporaryDirectory() as d:
        store: LedgerStore
        if backend == "sqlite":
            url = f"sqlite:///{Path(d) / 'credo.db'}"
            store = SqliteLedgerStore(url)
            served = url
        else:
            _drop_schema()
            url = PG_URL
            store = PostgresLedgerStore(PG_URL, schema=SCHEMA)
            served = f"{PG_URL}?options=-csearch_path%3D{SCHEMA}"
        try:
            store.migrate()
            now = datetime.now(UTC)
            for pack in shipped_packs():
                adopt_pack_file(store, pack, now=now, actor="cli:bench")
            path = ledger_file(OUT, RECORDS)
            report = ingest_file(store, current_rulebook(store), path, today=TODAY, now=now)
            assert report.ok, report.rejected[:3]
            rulebook = current_rulebook(store)
            recompute(store, build_engine("duckdb"), rulebook, as_of=now.date(), now=now)
            if backend == "postgres":
                with psycopg.connect(PG_URL, autocommit=True) as conn:
                    # What autovacuum does a minute after a load.
                    conn.execute(f"ANALYZE {SCHEMA}.records, {SCHEMA}.entries, {SCHEMA}.subjects")
            contexts = sorted({m.context for v in rulebook.all_versions() for m in v.pack.measures})
            types = sorted({t for v in rulebook.all_versions() for t in v.pack.record_types})
            ctx = Context(Settings(database_url=url), store)
            key = secret.encode()
            consumer = create_key(
                ctx.access,
                key,
                role=Role.CONSUMER,
                principal="bench",
                contexts=contexts,
                now=now,
                actor="cli:bench",
            )
            provider = create_key(
                ctx.access,
                key,
                role=Role.PROVIDER,
                principal="bench-provider",
                types=types,
                now=now,
                actor="cli:bench",
            )
            subjects: dict[str, dict[str, str]] = {}
            with path.open() as f:
                for line in f:
                    s = json.loads(line)["subject"]
                    subjects.setdefault(s["id"], s)
            store.close()
            yield served, consumer.token, provider.token, [subjects[k] for k in sorted(subjects)]
        finally:
            if backend == "postgres":
                _drop_schema()


def _drop_schema() -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(url: str, secret: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "CREDO_KEY_SECRET": secret,
        "CREDO_API_RATE": "1000000",
        "CREDO_API_ANONYMOUS_RATE": "1000000",
        "CREDO_API_KEY_CACHE_SECONDS": "5",
    }
    command = [sys.executable, "-c", "from credo.cli import main; main()", "--db", url, "serve"]
    command += ["--workers", str(WORKERS), "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 90
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
    raise RuntimeError("credo serve did not become ready within 90 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _bodies(where: Path, subjects: list[dict[str, str]]) -> tuple[Path, Path]:
    """One check body a line, and one record body a line with `@REF@` where wrk puts a
    source_ref of its own."""
    context = {"person": "rail.high-speed-ticket", "organisation": "procurement.tender"}
    checks, records = where / "checks.jsonl", where / "records.jsonl"
    checks.write_text(
        "".join(
            json.dumps({"subject": s["id"], "context": context[s["kind"]]}) + "\n" for s in subjects
        )
    )
    lines = []
    for s in subjects:
        body = {
            "subject": s,
            "type": _TYPE[s["kind"]],
            "occurred_at": TODAY.isoformat(),
            "source_ref": "@REF@",
            "attributes": {"severity": 1},
            "evidence": {"uri": "https://records.example/@REF@", "sha256": "0" * 64},
        }
        lines.append(json.dumps(body, separators=(",", ":")) + "\n")
    records.write_text("".join(lines))
    return checks, records


def _bulk(base: str, token: str, subjects: list[dict[str, str]], run_id: str) -> float:
    """Seconds for one POST of BULK new records about random subjects."""
    rng = random.Random(11)
    body = []
    for n in range(BULK):
        s = subjects[rng.randrange(len(subjects))]
        body.append(
            {
                "subject": s,
                "type": _TYPE[s["kind"]],
                "occurred_at": TODAY.isoformat(),
                "source_ref": f"bulk-{run_id}-{n}",
                "attributes": {"severity": 1 + n % 5},
                "evidence": {"uri": f"https://records.example/bulk-{n}", "sha256": "0" * 64},
            }
        )
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    answer = httpx.post(f"{base}/v1/records", json=body, headers=headers, timeout=120)
    seconds = time.perf_counter() - started
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["created"] == BULK, answer.text[:300]
    return seconds


def measure(backend: str, *, seconds: float, connections: int) -> tuple[dict[str, Load], float]:
    secret = secrets.token_hex(16)
    with _ledger(backend, secret) as (url, consumer, provider, subjects):
        work = Path(tempfile.mkdtemp(prefix="credo-wrk-"))
        try:
            checks, records = _bodies(work, subjects)
            run_id = secrets.token_hex(4)
            lua, get_lua = work / "post.lua", work / "get.lua"
            lua.write_text(_LUA)
            get_lua.write_text(_GET_LUA)
            port = _free_port()
            server = _start_server(url, secret, port)
            base = f"http://127.0.0.1:{port}"
            phases = {
                "healthz": (f"{base}/healthz", get_lua, []),
                "checks": (f"{base}/v1/checks", lua, [str(checks), consumer]),
                "records": (f"{base}/v1/records", lua, [str(records), provider]),
            }
            results: dict[str, Load] = {}
            try:
                pids = _process_tree(server.pid)
                for name, (path, script, args) in phases.items():
                    # Warm up first: connections, caches, and the rulebook in each worker.
                    _wrk(path, script, args, seconds=1, connections=connections, pids=pids)
                    results[name] = _wrk(
                        path, script, args, seconds=seconds, connections=connections, pids=pids
                    )
                bulk = _bulk(base, provider, subjects, run_id)
            finally:
                _stop(server)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return results, bulk


def run(
    report: Report,
    *,
    seconds: float = 10.0,
    connections: int = 16,
    backends: tuple[str, ...] = ("sqlite", "postgres"),
) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (or make bench)")
    for backend in backends:
        results, bulk = measure(backend, seconds=seconds, connections=connections)
        _report(report, backend, results, bulk, connections)


def _report(
    report: Report, backend: str, results: dict[str, Load], bulk: float, connections: int
) -> None:
    load = os.getloadavg()
    print(
        f"API on {backend}: load average after the run {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)"
    )
    ceiling = results["healthz"].rate
    report.figure(
        f"API {backend} bare HTTP ceiling (GET /healthz, {connections} connections)",
        ceiling,
        "requests/s",
    )
    labels = {
        "healthz": "GET /healthz",
        "checks": "POST /v1/checks",
        "records": "single-record POST /v1/records",
    }
    for name, label in labels.items():
        r = results[name]
        report.figure(f"API {backend} {label}", r.rate, "requests/s")
        report.figure(f"API {backend} {label} p50", r.p50_ms, "ms")
        report.figure(f"API {backend} {label} p99", r.p99_ms, "ms")
        report.figure(f"API {backend} {label} server CPU per request", r.cpu_us(r.server_cpu), "µs")
        report.figure(f"API {backend} {label} wrk CPU per request", r.cpu_us(r.client_cpu), "µs")
        report.figure(f"API {backend} {label} machine busy", r.busy * 100, "%")
        if r.refused or r.failed:
            report.figure(f"API {backend} {label} refused or not created", r.refused, "requests")
            report.figure(f"API {backend} {label} without an answer", r.failed, "requests")
        if name in GOALS:
            goal_rate, goal_p99 = GOALS[name]
            # What two cores could serve at this CPU per request, with wrk's share beside it.
            cores = os.cpu_count() or 2
            bound = cores / ((r.server_cpu + r.client_cpu) / r.answered) if r.answered else 0.0
            report.figure(f"API {backend} {label} CPU bound on {cores} cores", bound, "requests/s")
            report.ratio(f"API {backend} {name}/s / bare HTTP ceiling", r.rate / ceiling, goal=0)
            met = r.rate >= goal_rate and r.p99_ms <= goal_p99
            print(
                f"goal {backend} {name}: ≥ {goal_rate:,}/s with p99 ≤ {goal_p99:g} ms: "
                f"{'meets' if met else 'misses'}",
                flush=True,
            )
    report.figure(f"API {backend} POST /v1/records of {BULK:,} records", bulk, "s")
    report.ratio(
        f"API {backend} {BULK:,}-record POST against its goal of {BULK_GOAL_SECONDS:g} s",
        BULK_GOAL_SECONDS / bulk,
        goal=1.0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], action="append")
    args = parser.parse_args()
    report = Report()
    backends = tuple(args.backend or ("sqlite", "postgres"))
    run(report, seconds=args.seconds, connections=args.connections, backends=backends)
    report.save(OUT / "api.json")


if __name__ == "__main__":
    main()
