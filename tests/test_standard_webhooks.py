"""The webhook notifier against a receiver that verifies with the ``standardwebhooks`` package.

The receiver is a real HTTP server on the loopback interface; it knows nothing of this library
and checks each request as any Standard Webhooks consumer would. The other direction holds as
well: what the package signs, :func:`verify_signature` accepts.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from gesprekscyclus.adapters.notifiers.webhook import (
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookNotifier,
    generate_secret,
    is_valid_signature,
    message_id,
    verify_signature,
)
from gesprekscyclus.cli.service import notifier_from_environment
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.notifier import (
    Notification,
    PermanentNotificationError,
    Recipient,
)

NEW = generate_secret()
OLD = generate_secret()


def note(key: str = "report_due:c-17:m-1") -> Notification:
    return Notification(
        key=key, kind="report_due", recipient=Recipient(id="m-1", name="Bob", role="manager")
    )


class Receiver(BaseHTTPRequestHandler):
    """Verifies with ``standardwebhooks`` against the secret the test gave the server."""

    server: Any

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        state = self.server.state
        headers = dict(self.headers.items())
        try:
            data = Webhook(state["secret"]).verify(body, headers)
        except WebhookVerificationError as error:
            state["rejected"].append(str(error))
            self._answer(401)
            return
        state["received"].append((headers, data))
        self._answer(204)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def receiver() -> Iterator[tuple[str, dict[str, Any]]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    httpd.daemon_threads = True
    state: dict[str, Any] = {"secret": NEW, "received": [], "rejected": []}
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield f"http://{host!s}:{port}/hooks", state
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_the_standardwebhooks_package_verifies_a_delivery(
    receiver: tuple[str, dict[str, Any]],
) -> None:
    url, state = receiver
    WebhookNotifier(url, secret=NEW).send(note())
    ((headers, data),) = state["received"]
    lowered = {name.lower(): value for name, value in headers.items()}
    # The idempotency key is the signed message id, and the body's key says the same.
    assert lowered[ID_HEADER] == data["key"] == "report_due:c-17:m-1"
    assert lowered[SIGNATURE_HEADER].startswith("v1,")
    assert lowered[TIMESTAMP_HEADER].isdigit()
    assert data["schema"] == "gesprekscyclus.notification-ids/1"


def test_during_a_rotation_a_receiver_with_either_secret_accepts(
    receiver: tuple[str, dict[str, Any]],
) -> None:
    url, state = receiver
    sender = WebhookNotifier(url, secret=[NEW, OLD])
    for known in (NEW, OLD):
        state["secret"] = known
        sender.send(note())
    assert len(state["received"]) == 2
    signatures = next(iter(state["received"]))[0]
    header = {k.lower(): v for k, v in signatures.items()}[SIGNATURE_HEADER]
    assert len(header.split(" ")) == 2
    state["secret"] = generate_secret()
    with pytest.raises(PermanentNotificationError, match="HTTP 401"):
        sender.send(note())
    assert state["rejected"] == ["No matching signature found"]


def test_a_key_that_is_no_header_text_travels_percent_encoded_and_verifies(
    receiver: tuple[str, dict[str, Any]],
) -> None:
    url, state = receiver
    key = "préparation:c 1:100%"
    WebhookNotifier(url, secret=NEW).send(note(key))
    ((headers, data),) = state["received"]
    assert data["key"] == key
    assert {k.lower(): v for k, v in headers.items()}[ID_HEADER] == message_id(key)
    assert message_id(key) == "pr%C3%A9paration:c%201:100%25"


def test_what_the_package_signs_verifies_here() -> None:
    body = json.dumps({"key": "k-1"}).encode()
    at = datetime.now(UTC).replace(microsecond=0)
    signature = Webhook(OLD).sign("msg_2mXGq1", at, body.decode())
    headers = {
        "webhook-id": "msg_2mXGq1",
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
    assert verify_signature([NEW, OLD], headers, body, now=at) == "msg_2mXGq1"
    assert not is_valid_signature(NEW, headers, body, now=at)


def test_secrets_are_checked_when_the_notifier_is_made() -> None:
    with pytest.raises(InvalidValueError, match=r"WebhookNotifier\.secret: text must be 'whsec_'"):
        WebhookNotifier("https://example.org/", secret="plain text")
    with pytest.raises(InvalidValueError, match=r"secret\[1\]: the part after 'whsec_'"):
        WebhookNotifier("https://example.org/", secret=[NEW, "whsec_not base64!"])
    with pytest.raises(InvalidValueError, match="give 1 to 8 secrets, got 0"):
        WebhookNotifier("https://example.org/", secret=[])
    with pytest.raises(InvalidValueError, match="from 24 to 64"):
        generate_secret(8)


def test_the_command_line_reads_one_or_more_secrets_from_the_environment(
    receiver: tuple[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, state = receiver
    monkeypatch.setenv("GESPREKSCYCLUS_WEBHOOK_URL", url)
    monkeypatch.setenv("GESPREKSCYCLUS_WEBHOOK_SECRET", f"{NEW}  {OLD}")
    sender = notifier_from_environment("webhook", io.StringIO())
    state["secret"] = OLD
    sender.send(note())
    assert len(state["received"]) == 1
    monkeypatch.setenv("GESPREKSCYCLUS_WEBHOOK_SECRET", "a raw secret")
    with pytest.raises(InvalidValueError, match=r"GESPREKSCYCLUS_WEBHOOK_SECRET\[0\]: text must"):
        notifier_from_environment("webhook", io.StringIO())
