"""How long `credo` takes to start and answer: `credo --help`, and `credo score ID` on an SQLite
ledger, each in a fresh process, beside `python -c pass` and the `--help` of a bare Typer app
with two commands (the floor of any Typer command line) measured in the same run.

An installed credo reads compiled bytecode; where the environment says not to write any
(PYTHONDONTWRITEBYTECODE), every process would compile credo's sources again. The timed
processes run without it, after one untimed run of each, as an installed credo starts.

    python -m benchmarks.cli [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.ingest import TODAY, ledger_file
from benchmarks.report import Report
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.services.intake.ingest import ingest_file
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.shipped import shipped_packs

GOALS = {"credo --help": 0.3, "credo score ID": 0.5}  # seconds, median
ROUNDS = 9
RECORDS = 10_000
OUT = Path(__file__).parent / "out"
CREDO = [sys.executable, "-c", "from credo.cli import main; main()"]
_BARE_TYPER = """
import typer
app = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
@app.command()
def one(x: int = 1) -> None:
    "One command."
@app.command()
def two() -> None:
    "Another."
app()
"""


def _timed(command: list[str], env: dict[str, str], cwd: Path, rounds: int) -> tuple[float, float]:
    """Median wall and CPU seconds (the process's user and system time) over `rounds` runs,
    after one untimed run."""
    walls, cpus = [], []
    for i in range(rounds + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i:
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def _ledger(directory: Path) -> tuple[str, str]:
    """An SQLite ledger of RECORDS synthetic records; its URL and a subject it holds."""
    url = f"sqlite:///{directory / 'credo.db'}"
    store = SqliteLedgerStore(url)
    store.migrate()
    now = datetime.now(UTC)
    for pack in shipped_packs():
        adopt_pack_file(store, pack, now=now, actor="cli:bench")
    path = ledger_file(OUT, RECORDS)
    report = ingest_file(store, current_rulebook(store), path, today=TODAY, now=now)
    assert report.ok, report.rejected[:3]
    with path.open() as f:
        subject = f.readline().split('"id":"', 1)[1].split('"', 1)[0]
    store.close()
    return url, subject


def run(report: Report, rounds: int = ROUNDS) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as d:
        where = Path(d)
        url, subject = _ledger(where)
        # The signing keys sit beside the ledger; `credo score` reads them, as it would there.
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "a bare Typer app's --help": [sys.executable, "-c", _BARE_TYPER, "--help"],
            "credo --help": [*CREDO, "--help"],
            "credo score ID": [*CREDO, "--db", url, "score", subject],
        }
        timed = {name: _timed(c, env, where, rounds) for name, c in commands.items()}
    load = os.getloadavg()
    print(f"load average during the run: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)")
    floor = timed["python -c pass"][0]
    for name, (wall, cpu) in timed.items():
        report.figure(f"CLI {name}: median of {rounds}", wall * 1000, "ms")
        report.figure(f"CLI {name}: CPU", cpu * 1000, "ms")
    typer_floor = timed["a bare Typer app's --help"][0]
    for name, goal in GOALS.items():
        wall = timed[name][0]
        report.figure(f"CLI {name} over python -c pass", wall / floor, "x")
        report.figure(f"CLI {name} over a bare Typer app's --help", wall / typer_floor, "x")
        report.ratio(f"CLI {name} against its goal of {goal:g} s", goal / wall, goal=1.0)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cli")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    report = Report()
    run(report, args.rounds)
    report.save(OUT / "cli.json")


if __name__ == "__main__":
    main()
