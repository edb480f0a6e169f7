"""How long batch work treats Python's cycle collector: work that holds many small objects and
makes no reference cycles of its own pauses it, since each automatic collection walks a heap that
holds the whole batch (and every module's objects) to find nothing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """No automatic collection inside; as it was after. A caller that runs long collects the
    young generations itself between its steps (`collect_young`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def collect_young() -> None:
    """Collect what the last step left in cycles (a driver's, a library's): the young
    generations only, which hold that step's objects, not the whole heap."""
    gc.collect(1)
