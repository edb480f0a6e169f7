"""Notices to webhooks are signed per Standard Webhooks: a receiver holding the secret accepts
them and rejects a tampered body; failures are retried with exponential backoff and jitter."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from credo.adapters.notifiers import DeliveryFailed, WebhookNotifier, webhook_secret
from credo.shipped import shipped_packs
from tests.integration.conftest import Credo
from tests.integration.test_cli import record, write_jsonl

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Receiver:
    """A receiver as its documentation says to write one: verify, then accept."""

    def __init__(self, secret: str, failures: int = 0) -> None:
        self.hook = Webhook(secret)
        self.failures = failures
        self.accepted: list[object] = []
        self.ids: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.ids.append(self.headers["webhook-id"])
                if receiver.failures:
                    receiver.failures -= 1
                    self.send_response(503)
                else:
                    try:
                        receiver.accepted.append(receiver.hook.verify(body, dict(self.headers)))
                        self.send_response(204)
                    except WebhookVerificationError:
                        self.send_response(400)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """Quiet."""

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    secret, failures = getattr(request, "param", (SECRET, 0))
    r = Receiver(secret, failures)
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


NOTICE = {"notice": 7, "subject": "p-1", "about": "intake"}


def test_a_signed_notice_is_accepted(receiver: Receiver) -> None:
    WebhookNotifier(receiver.url, secret=SECRET).deliver([NOTICE])
    assert receiver.accepted == [NOTICE]
    assert receiver.ids == ["notice-7"]


def test_a_tampered_body_is_rejected(receiver: Receiver) -> None:
    body = '{"about": "intake", "notice": 7, "subject": "p-1"}'
    now = datetime.now(UTC)
    headers = {
        "webhook-id": "notice-7",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign("notice-7", now, body),
    }
    tampered = body.replace("p-1", "p-2").encode()
    request = urllib.request.Request(receiver.url, tampered, headers, method="POST")
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)
    answer.value.close()
    assert answer.value.code == 400
    assert receiver.accepted == []


@pytest.mark.parametrize("receiver", [("whsec_" + "A" * 32, 0)], indirect=True)
def test_a_receiver_with_another_secret_refuses_and_nothing_is_retried(
    receiver: Receiver,
) -> None:
    waits: list[float] = []
    notifier = WebhookNotifier(receiver.url, secret=SECRET, sleep=waits.append)
    with pytest.raises(DeliveryFailed, match="answered 400"):
        notifier.deliver([NOTICE])
    assert waits == []


@pytest.mark.parametrize("receiver", [(SECRET, 2)], indirect=True)
def test_failures_are_retried_with_backoff_and_jitter(receiver: Receiver) -> None:
    waits: list[float] = []
    notifier = WebhookNotifier(receiver.url, secret=SECRET, backoff=0.5, sleep=waits.append)
    notifier.deliver([NOTICE])
    assert receiver.accepted == [NOTICE]
    assert receiver.ids == ["notice-7"] * 3  # one id for every attempt: the receiver dedupes
    assert 0.25 <= waits[0] <= 0.5
    assert 0.5 <= waits[1] <= 1.0
    draws = {notifier.wait(3) for _ in range(20)}
    assert len(draws) > 1  # jitter
    assert all(2.0 <= w <= 4.0 for w in draws)


def test_the_cli_signs_with_the_secret_beside_the_ledger(credo: Credo, tmp_path: Path) -> None:
    secret = webhook_secret(tmp_path / "credo.webhook-secret")
    assert secret.startswith("whsec_")
    r = Receiver(secret)
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    try:
        credo("pack", "adopt", *map(str, shipped_packs()))
        credo("ingest", str(write_jsonl(tmp_path / "a.jsonl", [record("TP-1")])))
        sent = credo("notices", "deliver", "--webhook", r.url)
        assert "1 notice(s) delivered" in sent.out, sent.err
        assert "credo.webhook-secret" in sent.err
    finally:
        r.server.shutdown()
        r.server.server_close()
    assert len(r.accepted) == 1
