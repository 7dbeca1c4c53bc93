"""State changes: written with every command that changes state, numbered per aggregate,
valid against their JSON Schema, gone with an erasure, delivered to subscribers in order."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier
from gesprekscyclus.adapters.notifiers.subscriber import SubscriberNotifier, in_order
from gesprekscyclus.adapters.notifiers.webhook import WebhookNotifier
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.pseudonyms import placeholder_for
from gesprekscyclus.domain.state_changes import (
    ChangeKind,
    StateChange,
    json_schema,
    read_json,
    to_json,
)
from gesprekscyclus.errors import GesprekscyclusError, InvalidValueError
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import Notification, Recipient
from gesprekscyclus.ports.store import OutboxStatus, Store
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import Backoff, Dispatcher
from gesprekscyclus.service.events import changes
from tests.postgres_support import disposable_store

T0 = datetime(2025, 12, 29, 8, 0, tzinfo=UTC)
DESIGN = CycleDesign(
    name="events",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="growth_review", cadence=(Interval(every=1, unit="years", anchor="cycle_start"),)
        ),
        TypeRule(
            type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
        ),
    ),
)


def _stores() -> list[str]:
    kinds = ["memory", "sqlite"]
    if os.environ.get("GESPREKSCYCLUS_TEST_POSTGRES"):
        kinds.append("postgres")
    return kinds


@pytest.fixture(params=_stores())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "sqlite":
        opened = open_sqlite_store(tmp_path / "events.db")
    else:
        opened = disposable_store()
    yield opened
    opened.close()


def _service(store: Store, clock: FixedClock, *, state_changes: bool = True) -> ConversationService:
    service = ConversationService(store, clock, design=DESIGN, state_changes=state_changes)
    service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
    service.hire(Person(id="e-1", name="Ed", hire_date=date(2020, 1, 1), manager_id="m-1"))
    return service


def _changes(store: Store) -> list[StateChange]:
    with store.unit_of_work() as uow:
        return changes(uow)


def _validate(change: StateChange) -> None:
    jsonschema.validate(to_json(change), json_schema(change.kind))


def test_a_lifecycle_writes_one_valid_change_per_step(store: Store) -> None:
    clock = FixedClock(T0)
    service = _service(store, clock)
    service.materialise(date(2026, 1, 1), date(2026, 1, 31))
    talk = next(
        c for c in service.administration.conversations_of("e-1") if c.type_key == "growth_review"
    )
    start = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
    service.schedule(talk.id, start)
    service.reschedule(talk.id, start + timedelta(days=1), reason="ill")
    clock.set(start + timedelta(days=1, hours=2))
    service.record_held(talk.id)
    service.create_report(talk.id, "Went well.", author_id="m-1")
    service.share_report(talk.id, comment_until=date(2026, 1, 20))
    service.comment_on_report(talk.id, "e-1", "Agreed.")
    service.sign_report(talk.id, "e-1", kind="agreed")
    service.file_report(talk.id)
    item = service.create_action_item(talk.id, "Course", owner_id="e-1", due=date(2026, 3, 1))
    service.complete_action_item(item.id)
    service.give_notice("e-1", on=date(2026, 2, 1), last_day=date(2026, 4, 30))

    found = _changes(store)
    for change in found:
        _validate(change)
        assert read_json(json.loads(json.dumps(to_json(change)))) == change
    about_talk = [c.kind.value for c in found if c.aggregate_id == talk.id]
    assert about_talk == [
        "conversation.planned",
        "conversation.scheduled",
        "conversation.rescheduled",
        "conversation.held",
        "report.drafted",
        "report.shared",
        "conversation.reported",
        "report.commented",
        "report.signed",
        "report.filed",
        "conversation.closed",
    ]
    assert [c.kind.value for c in found if c.aggregate_id == item.id] == [
        "action_item.created",
        "action_item.done",
    ]
    assert [c.kind.value for c in found if c.aggregate_id == "e-1"] == [
        "person.hired",
        "person.left",
    ]
    by_stream: dict[str, list[int]] = {}
    for change in found:
        by_stream.setdefault(change.stream, []).append(change.sequence)
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in by_stream.values())
    assert len({change.id for change in found}) == len(found)


def test_nothing_changed_writes_nothing(store: Store) -> None:
    service = _service(store, FixedClock(T0))
    service.materialise(date(2026, 1, 1), date(2026, 3, 31))
    before = _changes(store)
    assert service.materialise(date(2026, 1, 1), date(2026, 3, 31)).changed is False
    service.upsert_person(service.person("e-1"))
    assert _changes(store) == before


def test_without_state_changes_the_outbox_holds_none() -> None:
    store = MemoryStore()
    service = _service(store, FixedClock(T0), state_changes=False)
    service.materialise(date(2026, 1, 1), date(2026, 3, 31))
    assert _changes(store) == []


def test_an_erasure_leaves_only_a_pseudonymous_erased_change(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "erase.db")
    service = _service(store, FixedClock(T0))
    service.hire(Person(id="e-2", name="Zoë", hire_date=date(2021, 1, 1), manager_id="m-1"))
    service.materialise(date(2026, 1, 1), date(2026, 3, 31))
    service.erase_person("e-2", reason="request")
    found = _changes(store)
    assert not any("e-2" in (c.aggregate_id, c.employee_id) for c in found)
    (erased,) = [c for c in found if c.kind is ChangeKind.PERSON_ERASED]
    assert erased.aggregate_id == erased.employee_id == placeholder_for("e-2")
    _validate(erased)
    with store.unit_of_work() as uow:
        assert uow.outbox.mentioning(["e-2"]) == []
        assert uow.outbox.next_sequence("person/e-2") == 1  # its counter went too
    assert [c.kind for c in found if c.aggregate_id == "e-1"] == [ChangeKind.PERSON_HIRED]
    store.close()


def test_a_mail_notifier_never_gets_a_state_change_webhook_only_when_asked() -> None:
    clock = FixedClock(T0)
    store = MemoryStore()
    service = _service(store, clock)
    mail = RecordingNotifier()
    report = Dispatcher(store, mail, clock, owner="w").run_once()
    assert mail.keys == ()
    assert report.expired == 2
    expired = store.outbox_message(1)
    assert expired.status is OutboxStatus.EXPIRED
    assert "state changes go to webhooks and subscribers" in (expired.last_error or "")
    hook = WebhookNotifier("http://127.0.0.1:9/", secret=b"s")
    note = next(iter(service.administration.conversations_of("e-1")), None)
    assert note is None  # nothing planned yet: only the hires
    reminder = Notification(
        key="k", kind="report_due", recipient=Recipient(id="m-1", name="Mia", role="manager")
    )
    (hired, *_) = _changes(store)
    event_note = Notification(
        key=hired.id, kind="state_change", recipient=reminder.recipient, event=hired
    )
    assert hook.accepts(reminder)
    assert not hook.accepts(event_note)
    with_events = WebhookNotifier("http://127.0.0.1:9/", secret=b"s", state_changes=True)
    assert with_events.accepts(event_note)
    body = json.loads(with_events.body_for(event_note))
    jsonschema.validate(body, json_schema(hired.kind))
    assert "Ed" not in json.dumps(body)
    assert "Mia" not in json.dumps(body)


def test_a_subscriber_gets_each_aggregate_in_order_even_after_a_failure() -> None:
    clock = FixedClock(T0)
    store = MemoryStore()
    service = _service(store, clock)
    service.materialise(date(2026, 1, 1), date(2026, 1, 31))
    talk = service.administration.conversations_of("e-1")[0]
    service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    service.cancel(talk.id, reason="moved")
    applied: dict[str, int] = {}
    seen: list[tuple[str, int]] = []
    fail_once = {talk.id}

    def apply(change: StateChange) -> None:
        if change.aggregate_id in fail_once and change.sequence == 2:
            fail_once.clear()
            raise RuntimeError("database busy")
        applied[change.stream] = change.sequence
        seen.append((change.stream, change.sequence))

    subscriber = SubscriberNotifier(in_order(apply, lambda s: applied.get(s, 0)))
    dispatcher = Dispatcher(
        store, subscriber, clock, owner="w", backoff=Backoff(base_seconds=0, jitter=0)
    )
    for _ in range(5):
        dispatcher.run_once()
    streams = {stream for stream, _ in seen}
    for stream in streams:
        numbers = [n for s, n in seen if s == stream]
        assert numbers == list(range(1, len(numbers) + 1)), stream
    assert applied[f"conversation/{talk.id}"] == 3
    assert store.outbox_stats().pending == 0


def test_bad_state_changes_are_refused() -> None:
    with pytest.raises(InvalidValueError, match=r"StateChange\.sequence"):
        StateChange.of("person.hired", "e-1", sequence=0, occurred_at=T0)
    good = StateChange.of("person.hired", "e-1", sequence=1, occurred_at=T0)
    with pytest.raises(InvalidValueError, match=r"StateChange\.id"):
        StateChange("sc-000000000000000000000000", "person.hired", "e-1", 1, T0)
    with pytest.raises(InvalidValueError, match="schema"):
        read_json({**to_json(good), "schema": "other/1"})
    with pytest.raises(InvalidValueError, match=r"Notification\.event"):
        Notification(key="k", kind="state_change", recipient=Recipient("a", "a", "hr"))


# --- property: sequences without gaps, replay gives the statuses ---------------------------

_STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "schedule",
                "reschedule",
                "hold",
                "cancel",
                "miss",
                "close",
                "plan",
                "report",
                "share",
                "sign",
                "file",
                "item",
                "done",
                "drop",
                "manager",
            ]
        ),
        st.integers(min_value=0, max_value=3),
    ),
    max_size=18,
)


def _step(service: ConversationService, clock: FixedClock, action: str, pick: int) -> None:
    talks = service.administration.conversations_of("e-1")
    talk = talks[pick % len(talks)]
    start = datetime.combine(talk.window.target, datetime.min.time(), UTC) + timedelta(hours=9)
    clock.advance(hours=1)
    with service.store.unit_of_work() as uow:
        items = uow.action_items.mentioning("e-1")
    if action == "schedule":
        service.schedule(talk.id, max(start, clock.now() + timedelta(hours=1)))
    elif action == "reschedule":
        service.reschedule(talk.id, clock.now() + timedelta(days=1), reason="moved")
    elif action == "hold":
        if talk.starts_at is not None:
            clock.set(max(clock.now(), talk.starts_at + timedelta(hours=1)))
        service.record_held(talk.id)
    elif action == "cancel":
        service.cancel(talk.id, reason="not needed")
    elif action == "miss":
        service.mark_missed(talk.id, reason="no show")
    elif action == "close":
        service.close(talk.id)
    elif action == "report":
        service.create_report(talk.id, "Summary.", author_id=talk.manager_id or "m-1")
    elif action == "share":
        service.share_report(talk.id, comment_until=clock.now().date() + timedelta(days=7))
    elif action == "sign":
        service.sign_report(talk.id, "e-1", kind="seen")
    elif action == "file":
        service.file_report(talk.id)
    elif action == "item":
        service.create_action_item(talk.id, f"Item {pick}", owner_id="e-1")
    elif action in ("done", "drop") and items:
        item = items[pick % len(items)]
        if action == "done":
            service.complete_action_item(item.id)
        else:
            service.drop_action_item(item.id, reason="not needed")
    elif action == "manager":
        service.change_manager("e-1", "m-2" if pick % 2 else "m-1", on=clock.now().date())
    else:
        service.materialise(date(2026, 1, 1), date(2026, 4, 30))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=_STEPS)
def test_replayed_changes_give_every_status_and_number_without_gaps(
    steps: list[tuple[str, int]],
) -> None:
    clock = FixedClock(T0)
    store = MemoryStore()
    service = _service(store, clock)
    service.hire(Person(id="m-2", name="Max", hire_date=date(2015, 1, 1)))
    service.materialise(date(2026, 1, 1), date(2026, 4, 30))
    for action, pick in steps:
        with contextlib.suppress(GesprekscyclusError):  # an illegal step writes nothing
            _step(service, clock, action, pick)
    found = _changes(store)
    numbers: dict[str, list[int]] = {}
    statuses: dict[str, str | None] = {}
    managers: dict[str, str | None] = {}
    for change in found:
        numbers.setdefault(change.stream, []).append(change.sequence)
        statuses[change.stream] = change.status
        managers[change.stream] = change.manager_id
    assert all(seq == list(range(1, len(seq) + 1)) for seq in numbers.values())
    with store.unit_of_work() as uow:
        talks = uow.conversations.by_employee("e-1")
        reports = uow.reports.for_employee("e-1")
        items = uow.action_items.mentioning("e-1")
    for talk in talks:
        assert statuses[f"conversation/{talk.id}"] == talk.status.value
        assert managers[f"conversation/{talk.id}"] == talk.manager_id
    for report in reports:
        assert statuses[f"report/{report.conversation_id}"] == report.status.value
    for item in items:
        assert statuses[f"action_item/{item.id}"] == item.status.value
    assert managers["person/e-1"] == service.person("e-1").manager_id


def test_the_command_line_writes_state_changes_when_the_environment_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gesprekscyclus.cli import main  # noqa: PLC0415

    path = tmp_path / "cli.db"
    store = open_sqlite_store(path)
    service = ConversationService(store, FixedClock(T0), state_changes=True)
    service.apply_design(DESIGN, applied_by="hr")
    service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
    service.hire(Person(id="e-1", name="Ed", hire_date=date(2020, 1, 1), manager_id="m-1"))
    store.close()
    args = ["tick", "--db", f"sqlite:///{path}", "--now", "2026-01-05T07:00:00+00:00"]
    monkeypatch.setenv("GESPREKSCYCLUS_STATE_CHANGES", "0")
    assert main(args) == 0, capsys.readouterr().err
    store = open_sqlite_store(path)
    assert [c.kind.value for c in _changes(store)] == [
        "design.applied",
        "person.hired",
        "person.hired",
    ]
    store.close()
    path.unlink()
    store = open_sqlite_store(path)
    service = ConversationService(store, FixedClock(T0))
    service.apply_design(DESIGN, applied_by="hr")
    service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
    service.hire(Person(id="e-1", name="Ed", hire_date=date(2020, 1, 1), manager_id="m-1"))
    store.close()
    monkeypatch.setenv("GESPREKSCYCLUS_STATE_CHANGES", "1")
    assert main(args) == 0, capsys.readouterr().err
    store = open_sqlite_store(path)
    planned = [c for c in _changes(store) if c.kind is ChangeKind.CONVERSATION_PLANNED]
    assert planned
    assert all(c.employee_id == "e-1" for c in planned)
    store.close()
    monkeypatch.setenv("GESPREKSCYCLUS_STATE_CHANGES", "perhaps")
    assert main(args) == 2
    assert "GESPREKSCYCLUS_STATE_CHANGES" in capsys.readouterr().err


def test_sent_state_changes_lose_their_content_after_the_outbox_retention(
    tmp_path: Path,
) -> None:
    clock = FixedClock(T0)
    store = open_sqlite_store(tmp_path / "retention.db")
    service = _service(store, clock)
    mirrored: list[StateChange] = []
    assert Dispatcher(store, SubscriberNotifier(mirrored.append), clock, owner="w").run_once().sent
    assert len(mirrored) == 2
    later = T0 + timedelta(days=DESIGN.retention.outbox_days + 1)
    report = service.purge(later)
    assert report.removed["outbox_payloads"] == 2
    assert _changes(store) == []  # nothing left but the keys
    with store.unit_of_work() as uow:
        kept = uow.outbox.by_key(mirrored[0].id)
        assert uow.outbox.mentioning(["e-1"]) == []
    assert kept is not None
    assert kept.notification is not None
    assert kept.notification.is_state_change
    assert kept.notification.event is None
    store.close()
