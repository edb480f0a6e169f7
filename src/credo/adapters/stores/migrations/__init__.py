"""The ledger schema, as Alembic migrations run by `migrate()`.

Each migration is `versions/vNNNN_name.py` and holds revision `NNNN`, after the one before it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_FILE = re.compile(r"v(\d{4})_\w+\.py")


@cache
def head_revision() -> str:
    """The newest migration's revision, read off the file names: a store that is already there
    is known to be without importing Alembic, which takes longer than a command's start may."""
    found = [
        m[1] for f in (Path(__file__).parent / "versions").iterdir() if (m := _FILE.match(f.name))
    ]
    return max(found)
