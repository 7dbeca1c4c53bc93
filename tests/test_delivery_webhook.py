"""Webhook delivery end to end: service → outbox in a SQLite file → dispatcher → HTTP server.

The receiver is a real ``http.server`` on 127.0.0.1 that does what a careful receiver does:
it checks the signature with :func:`verify_signature` before anything else, recognises a
repeat by its ``webhook-id`` and acts on each key once. It answers from a script,
per attempt of a key, so retries, time-outs and refusals can be staged.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gesprekscyclus.adapters.notifiers.webhook import (
    ID_HEADER,
    TIMESTAMP_HEADER,
    WebhookNotifier,
    read_reference,
    verify_signature,
)
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import SignatureError
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import OutboxMessage, OutboxStats, OutboxStatus, Store
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import Dispatcher, DispatchReport
from gesprekscyclus.service.reminders import reminder_key

SECRET = b"a secret only sender and receiver know"
T0 = datetime(2025, 12, 29, 8, 0, tzinfo=UTC)
START = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
DESIGN = CycleDesign(
    name="delivery",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="growth_review",
            cadence=(Interval(every=1, unit="years", anchor="cycle_start"),),
        ),
    ),
)


class Receiver:
    """What the HTTP server saw and did; ``script`` gives (status, seconds to stall) for the
    first, second, … request of each key, and 200 without a stall after that."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.script: list[tuple[int, float]] = []
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.rejected: list[str] = []
        self.acted_on: list[str] = []
        self.lock = threading.Lock()

    def seen(self, key: str) -> int:
        return sum(1 for seen, _, _ in self.requests if seen == key)


class Hook(BaseHTTPRequestHandler):
    server: Any

    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            verify_signature(SECRET, self.headers, body, now=receiver.clock.now())
        except SignatureError as error:
            with receiver.lock:
                receiver.rejected.append(str(error))
            self._answer(401, b"signature rejected")
            return
        key = self.headers[ID_HEADER]
        with receiver.lock:
            attempt = receiver.seen(key)
            receiver.requests.append((key, {k.lower(): v for k, v in self.headers.items()}, body))
            status, stall = (
                receiver.script[attempt] if attempt < len(receiver.script) else (200, 0.0)
            )
            if 200 <= status < 300 and key not in receiver.acted_on:
                receiver.acted_on.append(key)  # a repeat is recognised by its key
        if stall:
            time.sleep(stall)
        self._answer(status, b"" if status < 300 else f"status {status} as scripted".encode())

    def _answer(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the sender gave up waiting; its retry will come back

    def log_message(self, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def hook(clock: FixedClock) -> Iterator[tuple[str, Receiver]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    httpd.daemon_threads = True
    receiver = Receiver(clock)
    httpd.receiver = receiver  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield f"http://{host!s}:{port}/hooks/hr", receiver
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def service(tmp_path: Path, clock: FixedClock) -> Iterator[ConversationService]:
    built = ConversationService(open_sqlite_store(tmp_path / "hooks.db"), clock, design=DESIGN)
    built.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
    built.hire(Person(id="e-1", name="Ed", hire_date=date(2020, 1, 1), manager_id="m-1"))
    built.materialise(date(2026, 1, 1), date(2026, 1, 31))
    yield built
    built.store.close()


def scheduled_keys(service: ConversationService) -> list[str]:
    talk = service.schedule(service.administration.conversations_of("e-1")[0].id, START)
    return [reminder_key("scheduled", talk.id, who, 0) for who in ("e-1", "m-1")]


def row(store: Store, key: str) -> OutboxMessage:
    with store.unit_of_work() as uow:
        found = uow.outbox.by_key(key)
    assert found is not None, key
    return found


def drain(work: Dispatcher, store: Store, clock: FixedClock, keys: list[str]) -> DispatchReport:
    """Dispatch until no key is pending, moving the clock to the next retry each round."""
    total = work.run_once()
    for _ in range(10):
        waiting = [row(store, key) for key in keys]
        waiting = [m for m in waiting if m.status is OutboxStatus.PENDING]
        if not waiting:
            return total
        earliest = min(message.due_at for message in waiting)
        clock.set(earliest - timedelta(seconds=1))
        assert work.run_once() == DispatchReport(), "retried before its backoff had passed"
        clock.set(earliest)
        total += work.run_once()
    raise AssertionError("the outbox never drained")


def test_500_then_429_then_200_delivers_once_with_one_key_and_valid_signatures(
    hook: tuple[str, Receiver], service: ConversationService, clock: FixedClock
) -> None:
    url, receiver = hook
    receiver.script = [(500, 0.0), (429, 0.0)]
    keys = scheduled_keys(service)
    store = service.store
    work = Dispatcher(store, WebhookNotifier(url, secret=SECRET, clock=clock), clock, owner="w1")

    assert work.run_once() == DispatchReport(retried=2)
    assert all("HTTP 500" in (row(store, key).last_error or "") for key in keys)
    clock.set(max(row(store, key).due_at for key in keys))
    assert work.run_once() == DispatchReport(retried=2)
    assert all("HTTP 429" in (row(store, key).last_error or "") for key in keys)
    assert drain(work, store, clock, keys) == DispatchReport(sent=2)

    assert receiver.rejected == [], "every attempt carried a valid signature"
    assert Counter(key for key, _, _ in receiver.requests) == Counter(dict.fromkeys(keys, 3))
    assert sorted(receiver.acted_on) == sorted(keys)
    for key in keys:
        attempts = [(headers, body) for seen, headers, body in receiver.requests if seen == key]
        assert {body for _, body in attempts} == {attempts[0][1]}, "the same body each time"
        assert [int(headers[TIMESTAMP_HEADER]) for headers, _ in attempts] == sorted(
            int(headers[TIMESTAMP_HEADER]) for headers, _ in attempts
        )
        assert read_reference(attempts[0][1]).key == key
        assert row(store, key).status is OutboxStatus.SENT
    assert store.outbox_stats() == OutboxStats(sent=2)


def test_a_receiver_that_stalls_past_the_timeout_gets_the_same_key_again(
    hook: tuple[str, Receiver], service: ConversationService, clock: FixedClock
) -> None:
    url, receiver = hook
    receiver.script = [(200, 1.5)]  # acts on the first request, but answers too late
    keys = scheduled_keys(service)
    store = service.store
    sender = WebhookNotifier(url, secret=SECRET, clock=clock, timeout=0.4)
    work = Dispatcher(store, sender, clock, owner="w1")

    assert work.run_once() == DispatchReport(retried=2)
    for key in keys:
        message = row(store, key)
        assert message.status is OutboxStatus.PENDING, "a time-out is retried, not lost"
        assert "timed out" in (message.last_error or "")
    assert drain(work, store, clock, keys) == DispatchReport(sent=2)

    assert Counter(key for key, _, _ in receiver.requests) == Counter(dict.fromkeys(keys, 2))
    assert sorted(receiver.acted_on) == sorted(keys), "each key was acted on once"
    assert store.outbox_stats() == OutboxStats(sent=2)


def test_400_is_a_dead_letter_with_the_status_and_replays_once_fixed(
    hook: tuple[str, Receiver], service: ConversationService, clock: FixedClock
) -> None:
    url, receiver = hook
    receiver.script = [(400, 0.0)]
    keys = scheduled_keys(service)
    store = service.store
    work = Dispatcher(store, WebhookNotifier(url, secret=SECRET, clock=clock), clock, owner="w1")

    assert work.run_once() == DispatchReport(dead=2)
    dead = store.dead_letters()
    assert sorted(message.key for message in dead) == sorted(keys)
    for message in dead:
        assert message.last_error is not None
        assert "HTTP 400" in message.last_error
        assert "status 400 as scripted" in message.last_error
    clock.advance(hours=1)
    assert work.run_once() == DispatchReport()

    for message in dead:  # the receiver was fixed: its script has run out
        assert store.replay(message.id, now=clock.now())
    assert work.run_once() == DispatchReport(sent=2)
    assert work.run_once() == DispatchReport()
    assert Counter(key for key, _, _ in receiver.requests) == Counter(dict.fromkeys(keys, 2))
    assert sorted(receiver.acted_on) == sorted(keys)
    assert store.outbox_stats() == OutboxStats(sent=2)


def test_a_wrong_secret_is_refused_by_the_receiver_and_dead_lettered(
    hook: tuple[str, Receiver], service: ConversationService, clock: FixedClock
) -> None:
    url, receiver = hook
    keys = scheduled_keys(service)
    store = service.store
    sender = WebhookNotifier(url, secret=b"not the shared secret", clock=clock)
    assert Dispatcher(store, sender, clock, owner="w1").run_once() == DispatchReport(dead=2)
    assert len(receiver.rejected) == 2
    assert all("does not match" in reason for reason in receiver.rejected)
    assert receiver.requests == []
    assert all("HTTP 401" in (m.last_error or "") for m in store.dead_letters())
    assert sorted(m.key for m in store.dead_letters()) == sorted(keys)
