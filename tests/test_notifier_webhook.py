"""The webhook notifier against a real HTTP server on the loopback interface."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import given

from gesprekscyclus.adapters.notifiers.webhook import (
    ID_HEADER,
    SCHEMA,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookNotifier,
    encode,
    read_payload,
    signed_headers,
    verify_signature,
)
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import InvalidValueError, SignatureError
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import (
    ConversationInfo,
    Notification,
    PermanentNotificationError,
    Recipient,
    TransientNotificationError,
)

from . import strategies as gs

SECRET = b"gedeeld geheim"
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
NOTE = Notification(
    key="preparation:c-1:e-1",
    kind="preparation",
    recipient=Recipient(id="e-1", name="Anna", role="employee", email="anna@example.org"),
    conversation=ConversationInfo(
        id="c-1",
        type_key="check_in",
        type_label=LocalizedText(nl="Check-in"),
        employee_id="e-1",
        employee_name="Anna",
        manager_id="m-1",
        manager_name="Bob",
        on=date(2026, 5, 6),
        starts_at=datetime(2026, 5, 6, 7, 0, tzinfo=UTC),
    ),
    questions=("Hoe gaat het écht?",),
)


class Receiver(BaseHTTPRequestHandler):
    """Verifies each request like a real receiver would, then answers as told."""

    server: Any

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        state = self.server.state
        try:
            verify_signature(SECRET, self.headers, body, now=state["now"])
        except SignatureError as error:
            state["rejected"].append(str(error))
            self._answer(401, b"bad signature")
            return
        state["received"].append(({k.lower(): v for k, v in self.headers.items()}, body))
        time.sleep(state.get("delay", 0.0))
        self._answer(state.get("status", 204), state.get("body", b""))

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, Any]]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    httpd.daemon_threads = True
    state: dict[str, Any] = {"now": NOW, "received": [], "rejected": []}
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield f"http://{host!s}:{port}/hooks/gesprekscyclus", state
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def notifier(url: str, **options: Any) -> WebhookNotifier:
    return WebhookNotifier(url, secret=SECRET, clock=FixedClock(NOW), **options)


def test_delivers_signed_versioned_payload(server: tuple[str, dict[str, Any]]) -> None:
    url, state = server
    assert NOTE.conversation is not None
    notifier(url, timeout=5, full_payload_types=[NOTE.conversation.type_key]).send(NOTE)
    ((headers, body),) = state["received"]
    assert headers[ID_HEADER] == NOTE.key
    assert headers[TIMESTAMP_HEADER] == str(int(NOW.timestamp()))
    assert headers[SIGNATURE_HEADER].startswith("v1,")
    assert headers["content-type"] == "application/json; charset=utf-8"
    data = json.loads(body)
    assert data["schema"] == SCHEMA == "gesprekscyclus.notification/1"
    assert set(data) == {
        "schema",
        "key",
        "kind",
        "recipient",
        "conversation",
        "action_item",
        "questions",
    }
    assert data["conversation"]["starts_at"] == "2026-05-06T07:00:00+00:00"
    assert data["questions"] == ["Hoe gaat het écht?"]
    assert read_payload(body) == NOTE


@pytest.mark.parametrize("status", [500, 503, 429])
def test_server_errors_and_throttling_are_transient(
    server: tuple[str, dict[str, Any]], status: int
) -> None:
    url, state = server
    state.update(status=status, body=b"busy")
    with pytest.raises(TransientNotificationError, match=f"HTTP {status}"):
        notifier(url).send(NOTE)


def test_client_error_is_permanent_with_body_excerpt(server: tuple[str, dict[str, Any]]) -> None:
    url, state = server
    state.update(status=400, body=b"unknown kind " + b"x" * 1000)
    with pytest.raises(PermanentNotificationError) as caught:
        notifier(url).send(NOTE)
    assert "HTTP 400" in caught.value.reason
    assert "unknown kind" in caught.value.reason
    assert len(caught.value.reason) < 400


def test_redirect_is_not_followed(server: tuple[str, dict[str, Any]]) -> None:
    url, state = server
    state.update(status=307)
    with pytest.raises(PermanentNotificationError, match="HTTP 307"):
        notifier(url).send(NOTE)


def test_slow_receiver_is_transient(server: tuple[str, dict[str, Any]]) -> None:
    url, state = server
    state.update(delay=1.5)
    with pytest.raises(TransientNotificationError, match="timed out"):
        notifier(url, timeout=0.3).send(NOTE)


def test_closed_port_is_transient() -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    port = closed.server_address[1]
    closed.server_close()
    with pytest.raises(TransientNotificationError):
        notifier(f"http://127.0.0.1:{port}/").send(NOTE)


def test_receiver_rejects_a_wrong_secret(server: tuple[str, dict[str, Any]]) -> None:
    url, state = server
    sender = WebhookNotifier(url, secret=b"other", clock=FixedClock(NOW))
    with pytest.raises(PermanentNotificationError, match="HTTP 401"):
        sender.send(NOTE)
    assert state["rejected"] == [f"{SIGNATURE_HEADER}: does not match the body"]


def test_receiver_rejects_an_old_request(server: tuple[str, dict[str, Any]]) -> None:
    url, state = server
    state["now"] = NOW + timedelta(seconds=301)
    with pytest.raises(PermanentNotificationError, match="HTTP 401"):
        notifier(url).send(NOTE)
    assert "tolerance 300 s" in state["rejected"][0]


def test_tolerance_edges_and_tampering() -> None:
    body = encode(NOTE)
    headers = signed_headers(SECRET, body, key=NOTE.key, at=NOW)
    verify_signature(SECRET, headers, body, now=NOW + timedelta(seconds=300))
    verify_signature(SECRET, headers, body, now=NOW - timedelta(seconds=300))
    with pytest.raises(SignatureError, match="replayed"):
        verify_signature(SECRET, headers, body, now=NOW - timedelta(seconds=301))
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(SECRET, headers, body.replace(b"Anna", b"Anne"), now=NOW)
    later = str(int(NOW.timestamp()) + 1)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(SECRET, {**headers, TIMESTAMP_HEADER: later}, body, now=NOW)
    triple = (headers[ID_HEADER], headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER])
    assert verify_signature(SECRET, triple, body, now=NOW) == NOTE.key
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(SECRET, {**headers, ID_HEADER: "another key"}, body, now=NOW)
    lower = {name.lower(): value for name, value in headers.items()}
    verify_signature(SECRET, lower, body, now=NOW)


def test_malformed_headers_are_signature_errors() -> None:
    body = encode(NOTE)
    headers = signed_headers(SECRET, body, key=NOTE.key, at=NOW)
    with pytest.raises(SignatureError, match="header missing"):
        verify_signature(SECRET, {TIMESTAMP_HEADER: headers[TIMESTAMP_HEADER]}, body, now=NOW)
    with pytest.raises(SignatureError, match="whole number"):
        verify_signature(SECRET, ("k", "soon", headers[SIGNATURE_HEADER]), body, now=NOW)
    with pytest.raises(SignatureError, match="allowed schemes: v1"):
        verify_signature(SECRET, ("k", headers[TIMESTAMP_HEADER], "v0,abc"), body, now=NOW)


def test_configuration_is_checked() -> None:
    with pytest.raises(InvalidValueError, match="allowed: http, https"):
        WebhookNotifier("file:///etc/passwd", secret=SECRET)
    with pytest.raises(InvalidValueError, match="secret"):
        WebhookNotifier("https://example.org/", secret=b"")
    with pytest.raises(InvalidValueError, match=r"payload_version.*allowed: 1"):
        WebhookNotifier("https://example.org/", secret=SECRET, payload_version=2)


def test_unknown_schema_is_rejected() -> None:
    with pytest.raises(InvalidValueError, match=r"body\.schema"):
        read_payload(b'{"schema": "gesprekscyclus.notification/9", "key": "k"}')


@given(gs.notifications)
def test_every_notification_survives_the_wire(notification: Notification) -> None:
    body = encode(notification)
    assert read_payload(body) == notification
    headers = signed_headers(SECRET, body, key=notification.key, at=NOW)
    verify_signature(SECRET, headers, body, now=NOW)
