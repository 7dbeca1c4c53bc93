"""Reminders: due once, keyed deterministically, addressed per the type's policy; and tick."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier
from gesprekscyclus.adapters.notifiers.templates import render
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.catalog import built_in_catalog
from gesprekscyclus.domain.conversations import Conversation, Window
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.reminders import ReminderPolicy
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.store import Store, UnitOfWork
from gesprekscyclus.serialization import from_data, to_data
from gesprekscyclus.service.app import ConversationService, _reminder_state, tick
from gesprekscyclus.service.dispatch import Dispatcher
from gesprekscyclus.service.reminders import (
    ReminderReport,
    ReminderScan,
    due_reminders,
    reminder_key,
)

from . import strategies as gs

T0 = datetime(2025, 12, 29, 8, 0, tzinfo=UTC)  # a Monday, four days before the first target
YEARLY = Interval(every=1, unit="years", anchor="cycle_start")
DESIGN = CycleDesign(
    name="reminders",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="growth_review",
            cadence=(YEARLY,),
            reminders=ReminderPolicy(preparation_days=7, escalate_after_days=3),
        ),
    ),
)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = (
        MemoryStore() if request.param == "memory" else open_sqlite_store(tmp_path / "r.db")
    )
    yield made
    made.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def _service(store: Store, clock: FixedClock, *, hr: str | None = "h-1") -> ConversationService:
    service = ConversationService(store, clock, design=DESIGN, hr_contact_id=hr)
    service.hire(Person(id="h-1", name="Hanna", hire_date=date(2015, 1, 1)))
    service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
    service.hire(
        Person(id="e-1", name="Ed", hire_date=date(2020, 1, 1), manager_id="m-1", locale="en")
    )
    service.materialise(date(2026, 1, 1), date(2026, 1, 31))
    return service


def _sent(store: Store, clock: FixedClock) -> list[Notification]:
    notifier = RecordingNotifier()
    Dispatcher(store, notifier, clock, owner="t").run_once()
    return list(notifier.sent)


def test_preparation_reminders_carry_each_audiences_questions_once(
    store: Store, clock: FixedClock
) -> None:
    service = _service(store, clock)
    first = service.enqueue_due_reminders(clock.now())
    assert (first.due, first.enqueued) == (2, 2)
    again = service.enqueue_due_reminders(clock.now())
    assert (again.due, again.enqueued) == (2, 0)
    sent = {n.recipient.id: n for n in _sent(store, clock)}
    assert set(sent) == {"e-1", "m-1"}
    employee, manager = sent["e-1"], sent["m-1"]
    assert employee.kind.value == "preparation"
    assert employee.recipient.locale.value == "en"
    assert employee.questions != manager.questions
    questions = built_in_catalog().question_set_for("growth_review")
    assert employee.questions == tuple(
        q.text.in_("en") for q in questions.for_audience("employee_preparation")
    )
    assert manager.questions == tuple(
        q.text.in_("nl") for q in questions.for_audience("manager_preparation")
    )
    assert manager.recipient.locale.value == "nl"
    assert render(employee).subject.startswith("Prepare")
    assert employee.key == reminder_key("preparation", employee.conversation.id, "e-1")  # type: ignore[union-attr]
    clock.advance(days=1)
    assert service.enqueue_due_reminders(clock.now()).enqueued == 0


def test_day_before_follows_the_schedule_sequence(store: Store, clock: FixedClock) -> None:
    service = _service(store, clock)
    talk = service.administration.conversations_of("e-1")[0]
    service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    clock.set(datetime(2026, 1, 5, 7, 0, tzinfo=UTC))
    kinds = lambda: sorted(n.kind.value for n in _sent(store, clock))  # noqa: E731
    service.enqueue_due_reminders(clock.now())
    assert kinds() == [
        "day_before",
        "day_before",
        "preparation",
        "preparation",
        "scheduled",
        "scheduled",
    ]
    service.reschedule(talk.id, datetime(2026, 1, 6, 14, 0, tzinfo=UTC), reason="Overleg")
    service.enqueue_due_reminders(clock.now())
    assert kinds() == ["day_before", "day_before", "scheduled", "scheduled"]
    clock.set(datetime(2026, 1, 6, 15, 0, tzinfo=UTC))
    assert service.enqueue_due_reminders(clock.now()).enqueued == 0


def test_report_due_and_sign_off_pending(store: Store, clock: FixedClock) -> None:
    service = _service(store, clock)
    talk = service.administration.conversations_of("e-1")[0]
    service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    clock.set(datetime(2026, 1, 6, 10, 0, tzinfo=UTC))
    service.record_held(talk.id)
    _sent(store, clock)
    clock.set(datetime(2026, 1, 9, 10, 0, tzinfo=UTC))  # three days later
    service.enqueue_due_reminders(clock.now())
    due = _sent(store, clock)
    assert [(n.kind.value, n.recipient.id) for n in due] == [("report_due", "m-1")]
    service.create_report(talk.id, "Samenvatting", author_id="m-1")
    service.share_report(talk.id, comment_until=date(2026, 1, 16))
    clock.set(datetime(2026, 1, 14, 10, 0, tzinfo=UTC))  # five days after sharing
    service.enqueue_due_reminders(clock.now())
    assert [(n.kind.value, n.recipient.id) for n in _sent(store, clock)] == [
        ("sign_off_pending", "e-1")
    ]
    service.sign_report(talk.id, "e-1", kind="seen")
    clock.advance(days=1)
    assert service.enqueue_due_reminders(clock.now()).due == 0


def test_escalation_goes_to_hr_or_is_listed_as_skipped(store: Store, clock: FixedClock) -> None:
    service = _service(store, clock)
    _sent(store, clock)
    talk = service.administration.conversations_of("e-1")[0]
    clock.set(datetime(2026, 2, 1, 8, 0, tzinfo=UTC))  # latest + more than 3 days
    assert talk.window.latest < date(2026, 1, 29)
    service.enqueue_due_reminders(clock.now())
    assert [(n.kind.value, n.recipient.id) for n in _sent(store, clock)] == [("escalation", "h-1")]
    # without an HR contact the manager's manager is asked, and without one it is listed
    without_hr = ConversationService(store, clock, design=DESIGN)
    report = without_hr.enqueue_due_reminders(clock.now())
    assert report.enqueued == 0
    assert any("escalation" in reason for reason in report.skipped)
    service.upsert_person(
        Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1), manager_id="b-1")
    )
    service.upsert_person(Person(id="b-1", name="Bea", hire_date=date(2010, 1, 1)))
    assert without_hr.enqueue_due_reminders(clock.now()).enqueued == 1
    assert [(n.kind.value, n.recipient.id) for n in _sent(store, clock)] == [("escalation", "b-1")]


def test_action_item_due_and_overdue_once_per_due_date(store: Store, clock: FixedClock) -> None:
    service = _service(store, clock)
    talk = service.administration.conversations_of("e-1")[0]
    item = service.create_action_item(talk.id, "Cursus", owner_id="e-1", due=date(2026, 1, 2))
    _sent(store, clock)
    clock.set(datetime(2025, 12, 31, 8, 0, tzinfo=UTC))
    service.enqueue_due_reminders(clock.now())
    assert "action_item_due" in {n.kind.value for n in _sent(store, clock)}
    clock.set(datetime(2026, 1, 3, 8, 0, tzinfo=UTC))
    service.enqueue_due_reminders(clock.now())
    overdue = [n for n in _sent(store, clock) if n.action_item is not None]
    assert [(n.kind.value, n.action_item.id) for n in overdue] == [  # type: ignore[union-attr]
        ("action_item_overdue", item.id)
    ]
    service.rescope_action_item(item.id, due=date(2026, 1, 4))
    service.enqueue_due_reminders(clock.now())
    assert [n.kind.value for n in _sent(store, clock) if n.action_item] == ["action_item_due"]
    service.complete_action_item(item.id)
    clock.set(datetime(2026, 1, 10, 8, 0, tzinfo=UTC))
    service.enqueue_due_reminders(clock.now())
    assert [n for n in _sent(store, clock) if n.action_item] == []


def test_disabled_kinds_are_not_sent(store: Store, clock: FixedClock) -> None:
    quiet = CycleDesign(
        name="quiet",
        cycle_start=date(2026, 1, 1),
        types=(
            TypeRule(
                type="growth_review",
                cadence=(YEARLY,),
                reminders=ReminderPolicy(enabled=frozenset({"day_before"})),
            ),
        ),
    )
    service = ConversationService(store, clock, design=quiet)
    service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
    service.hire(Person(id="e-1", name="Ed", hire_date=date(2020, 1, 1), manager_id="m-1"))
    service.materialise(date(2026, 1, 1), date(2026, 1, 31))
    talk = service.administration.conversations_of("e-1")[0]
    service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    assert service.enqueue_due_reminders(clock.now()).due == 0
    assert store.outbox_stats().pending == 0


def test_a_naive_instant_is_refused(store: Store, clock: FixedClock) -> None:
    with pytest.raises(InvalidValueError, match="at: needs a time zone"):
        _service(store, clock).enqueue_due_reminders(datetime(2026, 1, 1, 8, 0))


# --- end to end -------------------------------------------------------------------------------


def test_tick_sends_the_expected_reminders_once(store: Store, clock: FixedClock) -> None:
    service = ConversationService(store, clock, design=DESIGN, hr_contact_id="h-1")
    service.hire(Person(id="h-1", name="Hanna", hire_date=date(2015, 1, 1)))
    service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
    service.hire(Person(id="e-1", name="Ed", hire_date=date(2020, 1, 1), manager_id="m-1"))
    service.hire(Person(id="e-2", name="Eva", hire_date=date(2021, 1, 1), manager_id="m-1"))
    notifier = RecordingNotifier()
    dispatcher = Dispatcher(store, notifier, clock, owner="worker")

    first = tick(service, dispatcher, clock.now())
    assert first.materialised.added > 0
    assert first.reminders.enqueued == 4  # employee and manager, for two growth reviews
    assert first.dispatched.sent == 4
    expected = {
        (n.kind.value, n.recipient.id, n.conversation.employee_id)  # type: ignore[union-attr]
        for n in notifier.sent
    }
    assert expected == {
        ("preparation", "e-1", "e-1"),
        ("preparation", "m-1", "e-1"),
        ("preparation", "e-2", "e-2"),
        ("preparation", "m-1", "e-2"),
    }

    second = tick(service, dispatcher, clock.now())
    assert not second.materialised.changed
    assert second.reminders.enqueued == 0
    assert second.dispatched.sent == 0
    clock.advance(hours=6)
    assert tick(service, dispatcher, clock.now()).dispatched.sent == 0
    assert all(notifier.count(key) == 1 for key in notifier.keys)
    assert len(notifier.sent) == 4


def test_tick_refuses_a_negative_horizon(store: Store, clock: FixedClock) -> None:
    service = ConversationService(store, clock, design=DESIGN)
    dispatcher = Dispatcher(store, RecordingNotifier(), clock, owner="w")
    with pytest.raises(InvalidValueError, match="horizon_days"):
        tick(service, dispatcher, clock.now(), horizon_days=-1)


@given(gs.reminder_reports)
def test_reminder_report_round_trips(report: ReminderReport) -> None:
    assert from_data(ReminderReport, to_data(report)) == report


def _full_scan(uow: UnitOfWork, now: datetime, hr_contact_id: str | None) -> ReminderScan:
    """The sweep as it was before the narrow queries: everything of every stored person."""
    people = uow.people.all()
    conversations = [c for p in people for c in uow.conversations.by_employee(p.id)]
    reports = [r for p in people for r in uow.reports.for_employee(p.id)]
    items = {i.id: i for p in people for i in uow.action_items.for_owner(p.id)}
    return due_reminders(
        now=now,
        design=WIDE,
        catalog=built_in_catalog(),
        people={p.id: p for p in people},
        conversations=conversations,
        reports=reports,
        action_items=items.values(),
        hr_contact_id=hr_contact_id,
    )


WIDE = CycleDesign(
    name="wide",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="growth_review",
            cadence=(YEARLY,),
            reminders=ReminderPolicy(preparation_days=10, action_item_due_days=4),
        ),
        TypeRule(type="check_in", cadence=(YEARLY,)),
    ),
)


def _varied_state(store: Store) -> None:
    """People in far-apart zones with conversations, reports and items in every kind of
    state, including a conversation scheduled far outside its window and a stranger's."""
    zones = ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Amsterdam")
    at = datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
    talks: list[Conversation] = []
    items: list[ActionItem] = []
    reports: list[Report] = []
    with store.unit_of_work() as uow:
        uow.people.upsert(Person(id="d-1", name="Dirk", hire_date=date(2010, 1, 1)))
        for m in range(2):
            uow.people.upsert(
                Person(id=f"m-{m}", name="Mia", hire_date=date(2015, 1, 1), manager_id="d-1")
            )
        for n in range(12):
            employee = f"e-{n:02d}"
            uow.people.upsert(
                Person(
                    id=employee,
                    name="Eva",
                    hire_date=date(2020, 1, 1),
                    manager_id=f"m-{n % 2}",
                    time_zone=zones[n % 3],
                )
            )
            for k in range(4):
                target = date(2026, 1, 1) + timedelta(days=9 * n + 5 * k - 20)
                talk = Conversation.plan(
                    id=f"c-{n:02d}-{k}",
                    type_key="growth_review" if k % 2 else "check_in",
                    employee_id=employee,
                    manager_id=f"m-{n % 2}",
                    window=Window(target - timedelta(days=3), target, target + timedelta(days=6)),
                    time_zone=zones[(n + k) % 3],
                    requires_report=bool(k % 2),
                )
                state = (n + k) % 5
                start = datetime.combine(target, datetime.min.time(), UTC) + timedelta(
                    days=-30 if n % 4 == 0 else 0, hours=9
                )
                if state >= 1:
                    talk = talk.schedule(start, at=at)
                if state >= 2:
                    talk = talk.hold(at=start + timedelta(hours=1))
                if state == 4 and talk.requires_report:
                    talk = talk.mark_reported(at=start + timedelta(days=1))
                    report = Report(
                        conversation_id=talk.id,
                        employee_id=employee,
                        summary="Goed gesprek",
                        requires_sign_off=bool(n % 2),
                    )
                    reports.append(
                        report.share(comment_until=target + timedelta(days=30), at=start)
                    )
                talks.append(talk)
                owner = employee if k % 2 else f"m-{n % 2}"
                items.append(
                    ActionItem(
                        id=f"a-{n:02d}-{k}",
                        title="Cursus",
                        owner_id=owner,
                        due=None if k == 3 else target + timedelta(days=7 * k),
                        origin_conversation_id=talk.id,
                        employee_id=employee,
                        manager_id=f"m-{n % 2}",
                    )
                )
        stranger = Conversation.plan(
            id="c-stranger",
            type_key="check_in",
            employee_id="x-1",
            manager_id="m-0",
            window=Window(date(2026, 1, 1), date(2026, 1, 5), date(2026, 1, 9)),
        )
        uow.conversations.add_many([*talks, stranger])
        uow.action_items.add_many(items)
        for report in reports:
            uow.reports.add(report)


@pytest.mark.parametrize("hr_contact_id", [None, "d-1"])
def test_the_narrow_sweep_finds_what_a_full_scan_finds(
    store: Store, hr_contact_id: str | None
) -> None:
    _varied_state(store)
    service = ConversationService(store, FixedClock(T0), design=WIDE, hr_contact_id=hr_contact_id)
    compared = 0
    now = datetime(2025, 12, 1, 3, 0, tzinfo=UTC)
    while now < datetime(2026, 6, 1, tzinfo=UTC):
        with store.unit_of_work() as uow:
            full = _full_scan(uow, now, hr_contact_id)
            state = _reminder_state(uow, WIDE, now, hr_contact_id)
        narrow = due_reminders(
            now=now,
            design=WIDE,
            catalog=service.catalog,
            people=state.people,
            conversations=state.conversations,
            reports=state.reports,
            action_items=state.action_items,
            hr_contact_id=hr_contact_id,
        )
        assert [n.key for n in narrow.notifications] == [n.key for n in full.notifications]
        assert narrow.notifications == full.notifications
        assert sorted(narrow.skipped) == sorted(full.skipped)
        compared += len(full.notifications)
        now += timedelta(hours=17)
    assert compared > 100  # the scenario does produce reminders of many kinds
