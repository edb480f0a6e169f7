"""Serving the API: one process for a given context, or several from the environment."""

from __future__ import annotations

import os
import shutil
import tempfile

from credo.api import logs
from credo.api.settings import ApiSettings
from credo.bootstrap import Context


def serve(
    context: Context,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    settings: ApiSettings | None = None,
) -> None:
    """Serve the API on `context`'s store until interrupted.

    With one worker the app runs on `context` itself. With more, uvicorn starts that many
    processes and each builds its own context (`credo.api.app:factory`) from the environment,
    which is set here to the same database; their metrics are pooled in PROMETHEUS_MULTIPROC_DIR
    (a scratch folder unless it is set). A ledger in memory is always served by one process.
    """
    import uvicorn

    logs.configure()
    common = {"host": host, "port": port, "access_log": False, "log_config": None}
    if workers == 1 or context.settings.database_url.startswith("memory:"):
        # A ledger in memory lives in this process only: other processes would not see it.
        from credo.api.app import create_app

        uvicorn.run(create_app(context, settings), **common)  # type: ignore[arg-type]
        return
    os.environ["CREDO_DATABASE_URL"] = context.settings.database_url
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    pooled = given or tempfile.mkdtemp(prefix="credo-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = pooled
    try:
        uvicorn.run(
            "credo.api.app:factory",
            factory=True,
            workers=workers,
            **common,  # type: ignore[arg-type]
        )
    finally:
        if not given:
            shutil.rmtree(pooled, ignore_errors=True)
