"""Serving the API: one process for a given context, or several from the environment."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
from multiprocessing.process import BaseProcess

from credo.api import logs
from credo.api.settings import ApiSettings
from credo.bootstrap import Context

log = logging.getLogger("credo.api.server")
_STARTUP_FAILURE = 3  # uvicorn's exit code for a worker that could not start
_BACKLOG = 2048


def serve(
    context: Context,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    settings: ApiSettings | None = None,
) -> None:
    """Serve the API on `context`'s store until interrupted.

    With one worker the app runs on `context` itself. With more, that many processes each
    build their own context (`credo.api.app:factory`) from the environment, which is set here
    to the same database; their metrics are pooled in PROMETHEUS_MULTIPROC_DIR (a scratch
    folder unless it is set). A ledger in memory is always served by one process.
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
        if hasattr(socket, "SO_REUSEPORT"):
            _supervise(workers, host, port)
        else:  # one socket shared by the workers
            uvicorn.run(
                "credo.api.app:factory",
                factory=True,
                workers=workers,
                **common,  # type: ignore[arg-type]
            )
    finally:
        if not given:
            shutil.rmtree(pooled, ignore_errors=True)


def _supervise(workers: int, host: str, port: int) -> None:
    """Run `workers` processes, each listening on a socket of its own on the same port, until
    SIGINT or SIGTERM; a worker that dies is replaced. With one socket shared by all, whichever
    worker is waiting first accepts each connection, and a burst of connections can all land
    on one worker while the other idles; with a socket each, the kernel spreads them."""
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def start() -> BaseProcess:
        process = spawn.Process(target=_worker, args=(host, port), daemon=False)
        process.start()
        return process

    processes = [start() for _ in range(workers)]
    failed = False
    while not stop.wait(0.5):
        for i, process in enumerate(processes):
            if process.is_alive():
                continue
            if process.exitcode == _STARTUP_FAILURE:
                log.error("a worker could not start; stopping", extra={"pid": process.pid})
                failed = True
                stop.set()
                break
            log.warning("a worker died; starting another", extra={"pid": process.pid})
            processes[i] = start()
    for process in processes:
        if process.is_alive() and process.pid is not None:
            os.kill(process.pid, signal.SIGTERM)
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()
    if failed:
        raise SystemExit(_STARTUP_FAILURE)


def _worker(host: str, port: int) -> None:
    """One worker: the app from the environment, then a listening socket of its own."""
    import uvicorn

    config = uvicorn.Config(
        "credo.api.app:factory",
        factory=True,
        host=host,
        port=port,
        access_log=False,
        log_config=None,
    )
    try:
        config.load()  # before listening, so no connection waits on a worker still starting
        sock = _listener(host, port)
    except (Exception, SystemExit) as e:
        log.error("the worker could not start: %s", e)
        raise SystemExit(_STARTUP_FAILURE) from e
    uvicorn.Server(config).run(sockets=[sock])


def _listener(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(_BACKLOG)
    return sock
