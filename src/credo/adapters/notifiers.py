"""Notifiers: how notices leave credo. Each delivers notices in ledger order and raises when
it cannot, so the outbox stops there and tries again later (at least once, in order: a notice
carries its sequence number for the receiver to drop a repeat).

Webhooks are signed per Standard Webhooks (the `standardwebhooks` library): `webhook-id` (the
same on every retry of one notice), `webhook-timestamp` and `webhook-signature`, an HMAC-SHA256
with the secret shared with the receiver. A failed POST is retried with exponential backoff and
jitter before the run stops."""

from __future__ import annotations

import base64
import json
import os
import random
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from standardwebhooks import Webhook


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


def webhook_secret(path: Path) -> str:
    """The secret webhooks are signed with, shared with their receivers: read from `path`, or
    made there on first use (`whsec_` and 32 random bytes in base64), readable by its owner."""
    if not path.exists():
        made = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # made meanwhile by another process: that one is the secret
        else:
            with os.fdopen(fd, "w") as out:
                out.write(made + "\n")
    return path.read_text().strip()


class WebhookNotifier:
    """POSTs each notice as JSON to a URL, signed; an answer other than 2xx is a failure. A
    network error, a 5xx, a 408 or a 429 is retried `retries` times, waiting `backoff` seconds
    doubled at each attempt (at most `max_wait`), each wait drawn between half and all of it
    so that many senders do not retry in step."""

    def __init__(
        self,
        url: str,
        *,
        secret: str,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a webhook URL starts with http:// or https://, not {url!r}")
        self.url = url
        self.timeout = timeout
        self.signer = Webhook(secret)
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep

    @property
    def channel(self) -> str:
        return f"webhook:{self.url}"

    def deliver(self, notices: Sequence[dict[str, Any]]) -> None:
        for notice in notices:
            body = json.dumps(notice, ensure_ascii=False, sort_keys=True)
            message_id = f"notice-{notice.get('notice', '')}"
            for attempt in range(self.retries + 1):
                error = self._post(message_id, body)
                if error is None:
                    break
                retry, reason = error
                if not retry or attempt == self.retries:
                    raise DeliveryFailed(f"webhook {self.url}: {reason}")
                self.sleep(self.wait(attempt))

    def wait(self, attempt: int) -> float:
        ceiling = min(self.max_wait, self.backoff * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)

    def _post(self, message_id: str, body: str) -> tuple[bool, str] | None:
        """None when delivered; else whether to retry, and why not delivered."""
        stamp = datetime.now(UTC)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": self.signer.sign(message_id, stamp, body),
        }
        request = urllib.request.Request(self.url, body.encode(), headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status = answer.status
        except urllib.error.HTTPError as e:
            status = e.code
            e.close()
        except (urllib.error.URLError, OSError) as e:
            return True, str(e)
        if 200 <= status < 300:
            return None
        return status >= 500 or status in (408, 429), f"answered {status}"
