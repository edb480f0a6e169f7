"""Notifiers: how notices leave credo. Each delivers notices in ledger order and raises when
it cannot, so the outbox stops there and tries again later (at least once, in order: a notice
carries its sequence number for the receiver to drop a repeat)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol


class DeliveryFailed(Exception):
    pass


class Notifier(Protocol):
    @property
    def channel(self) -> str:
        """A stable name for where notices go: the outbox keeps a position per channel."""

    def deliver(self, notices: Sequence[dict[str, Any]]) -> None:
        """Deliver these notices, in order, or raise `DeliveryFailed`."""


class LogNotifier:
    """Appends each notice as a JSON line to a file, for a mail merge or a letter printer."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def channel(self) -> str:
        return f"log:{self.path.resolve()}"

    def deliver(self, notices: Sequence[dict[str, Any]]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                for notice in notices:
                    out.write(json.dumps(notice, ensure_ascii=False, sort_keys=True) + "\n")
        except OSError as e:
            raise DeliveryFailed(f"cannot write notices to {self.path}: {e}") from e


class WebhookNotifier:
    """POSTs each notice as JSON to a URL; any answer other than 2xx is a failure."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a webhook URL starts with http:// or https://, not {url!r}")
        self.url = url
        self.timeout = timeout

    @property
    def channel(self) -> str:
        return f"webhook:{self.url}"

    def deliver(self, notices: Sequence[dict[str, Any]]) -> None:
        for notice in notices:
            body = json.dumps(notice, ensure_ascii=False, sort_keys=True).encode()
            request = urllib.request.Request(
                self.url, body, {"Content-Type": "application/json"}, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    status = answer.status
            except (urllib.error.URLError, OSError) as e:
                raise DeliveryFailed(f"webhook {self.url}: {e}") from e
            if not 200 <= status < 300:
                raise DeliveryFailed(f"webhook {self.url} answered {status}")
