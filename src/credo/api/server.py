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
    which is set here to the same database; their metrics are pooled in a scratch folder.
    """
    import uvicorn

    logs.configure()
    common = {"host": host, "port": port, "access_log": False, "log_config": None}
    if workers == 1:
        from credo.api.app import create_app

        uvicorn.run(create_app(context, settings), **common)  # type: ignore[arg-type]
        return
    os.environ["CREDO_DATABASE_URL"] = context.settings.database_url
    pooled = tempfile.mkdtemp(prefix="credo-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = pooled
    try:
        uvicorn.run(
            "credo.api.app:factory",
            factory=True,
            workers=workers,
            **common,  # type: ignore[arg-type]
        )
    finally:
        shutil.rmtree(pooled, ignore_errors=True)
