"""`credo audit verify`'s hashing of a large ledger, shared among worker processes.

Recomputing a leaf is Python's work (canonical JSON, then SHA-256), so threads would take turns
on one core. Each worker opens the store again from its recipe (`SqlBase.recipe`) and hashes
spans of records or entries; the runs come back in the order asked, so the caller sees one run
per kind as if it had read the tables itself.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from credo.domain.audit.leaves import LeafKind, Run

if TYPE_CHECKING:
    from credo.adapters.stores.sql.audit import Span
    from credo.adapters.stores.sql.ledger import SqlLedgerStore

SHARE = 50_000
"""Sequence numbers a share covers: small enough that the workers finish together, large
enough that passing a share's run back costs little beside hashing it."""
SHARED_FROM = 100_000
"""Rows below which one process hashes them all: the workers would save less than they cost
to start and to send their runs back."""

Task = tuple[LeafKind, "Span"]

_store: SqlLedgerStore | None = None
"""A worker's own store, opened once for all the shares it is given."""


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def hashed(
    store: SqlLedgerStore,
    tasks: Sequence[Task],
    rows: int,
    processes: int | None = None,
    meanwhile: Callable[[], None] = lambda: None,
) -> list[Run]:
    """The run of each task, in order: in this process for a small ledger or a single core,
    else in `processes` workers (default: one per core), while `meanwhile` runs here."""
    processes = processes or cores()
    if processes < 2 or rows < SHARED_FROM:
        meanwhile()
        return [store.held_run(kind, span) for kind, span in tasks]
    # Forked where the system can: a worker starts at once with credo imported, and touches
    # none of the connections it inherits (it opens its own from the recipe and leaves by
    # `os._exit`). Every worker is forked when the tasks are handed out, before `meanwhile`
    # starts and before the pool starts its own thread, so no other thread of credo's can hold
    # a lock the children would wait on.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=_open, initargs=(store.recipe(),)
    ) as pool:
        runs = pool.map(_hash, tasks)  # hands out every task now
        meanwhile()
        return list(runs)


def _open(recipe: Callable[[], SqlLedgerStore]) -> None:
    global _store
    _store = recipe()


def _hash(task: Task) -> Run:
    assert _store is not None, "a worker hashes only after it has opened its store"
    kind, span = task
    return _store.held_run(kind, span)
