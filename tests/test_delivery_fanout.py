"""Fan-out to a real SMTP server, a real HTTP endpoint and a subscriber: each target gets
what it takes, and a retry goes only to the targets that failed."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest
from aiosmtpd.controller import Controller

from gesprekscyclus.adapters.notifiers.fanout import FanOutNotifier
from gesprekscyclus.adapters.notifiers.mail import EmailNotifier
from gesprekscyclus.adapters.notifiers.subscriber import SubscriberNotifier
from gesprekscyclus.adapters.notifiers.webhook import WebhookNotifier
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.state_changes import SCHEMA, StateChange, json_schema
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import OutboxStatus
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import Backoff, Dispatcher
from tests.test_delivery_mail import MailServer, free_port
from tests.test_delivery_webhook import DESIGN, SECRET, Hook, Receiver

T0 = datetime(2025, 12, 29, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def mail() -> Iterator[tuple[MailServer, int]]:
    handler = MailServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def hook(clock: FixedClock) -> Iterator[tuple[str, Receiver]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    httpd.daemon_threads = True
    receiver = Receiver(clock)
    httpd.receiver = receiver  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", receiver
    httpd.shutdown()
    httpd.server_close()


def test_each_target_gets_its_kinds_and_a_retry_skips_the_ones_that_succeeded(
    tmp_path: Path,
    clock: FixedClock,
    mail: tuple[MailServer, int],
    hook: tuple[str, Receiver],
) -> None:
    server, port = mail
    url, receiver = hook
    receiver.script = [(503, 0.0)]  # the first request of each key fails once
    store = open_sqlite_store(tmp_path / "fanout.db")
    service = ConversationService(store, clock, design=DESIGN, state_changes=True)
    service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1), email="mia@x.org"))
    service.hire(
        Person(id="e-1", name="Ed", hire_date=date(2020, 1, 1), manager_id="m-1", email="ed@x.org")
    )
    service.materialise(date(2026, 1, 1), date(2026, 1, 31))
    talk = service.administration.conversations_of("e-1")[0]
    service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    mirrored: list[StateChange] = []
    fan_out = FanOutNotifier(
        {
            "mail": EmailNotifier("127.0.0.1", port, sender="hr@x.org", timeout=5, clock=clock),
            "webhook": WebhookNotifier(url, secret=SECRET, clock=clock, state_changes=True),
            "app": SubscriberNotifier(mirrored.append),
        }
    )
    dispatcher = Dispatcher(
        store, fan_out, clock, owner="w", backoff=Backoff(base_seconds=0, jitter=0)
    )
    first = dispatcher.run_once()
    # two invitations (mail and webhook), four state changes (webhook and subscriber):
    # two hires, the planned and the scheduled conversation
    assert first.retried == 6
    assert first.target("mail").sent == 2
    assert first.target("app").sent == 4
    assert first.target("webhook").failed == 6
    clock.advance(seconds=1)
    second = dispatcher.run_once()
    assert second.sent == 6
    assert second.target("webhook").sent == 6
    assert second.target("mail").already == 2
    assert second.target("app").already == 4
    assert Counter(server.accepted_ids()).most_common(1)[0][1] == 1  # each mail once
    assert len(server.accepted) == 2
    assert len(mirrored) == 4  # the subscriber was not called again
    bodies = [json.loads(body) for _, _, body in receiver.requests]
    changes = [body for body in bodies if body["schema"] == SCHEMA]
    assert len(changes) == 8  # four, each tried twice
    for body in changes:
        jsonschema.validate(body, json_schema(body["kind"]))
        assert "Ed" not in json.dumps(body)
    assert store.outbox_stats().pending == 0
    with store.unit_of_work() as uow:
        invitation = next(
            m for m in uow.outbox.mentioning(["e-1"]) if m.notification and m.key.startswith("sch")
        )
    assert invitation.status is OutboxStatus.SENT
    store.close()


def test_a_permanent_failure_of_one_target_is_a_dead_letter_that_names_it(
    tmp_path: Path, clock: FixedClock, hook: tuple[str, Receiver]
) -> None:
    url, receiver = hook
    receiver.script = [(410, 0.0)]
    store = open_sqlite_store(tmp_path / "dead.db")
    service = ConversationService(store, clock, design=DESIGN, state_changes=True)
    service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
    seen: list[StateChange] = []
    fan_out = FanOutNotifier(
        {
            "webhook": WebhookNotifier(url, secret=SECRET, clock=clock, state_changes=True),
            "app": SubscriberNotifier(seen.append),
        }
    )
    report = Dispatcher(store, fan_out, clock, owner="w").run_once()
    assert (report.dead, report.target("app").sent) == (1, 1)
    (dead,) = store.dead_letters()
    assert dead.delivered == frozenset({"app"})
    assert (dead.last_error or "").startswith("webhook: permanent: webhook ")
    assert store.replay(dead.id, now=clock.now() + timedelta(seconds=1))
    clock.advance(seconds=1)
    again = Dispatcher(store, fan_out, clock, owner="w").run_once()
    assert (again.sent, again.target("app").already) == (1, 1)
    assert len(seen) == 1
    store.close()


def test_fan_out_refuses_bad_targets() -> None:
    with pytest.raises(InvalidValueError, match="at least one"):
        FanOutNotifier({})
    with pytest.raises(InvalidValueError, match="target"):
        FanOutNotifier({"a b": SubscriberNotifier(print)})
    with pytest.raises(InvalidValueError, match="notifier"):
        FanOutNotifier({"x": object()})  # type: ignore[dict-item]
