"""Paged lists of views and the agenda of anyone in any role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.conversations import Conversation, Participant, Window
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.queries import MAX_PAGE
from gesprekscyclus.ports.store import Store
from gesprekscyclus.service.app import ConversationService

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
START = date(2026, 3, 2)


def _window(day: date) -> Window:
    return Window(day - timedelta(days=3), day, day + timedelta(days=10))


def _talks() -> list[Conversation]:
    days = [date(2026, 3, 2) + timedelta(days=n) for n in range(6)]
    talks = [
        Conversation.plan(
            id=f"c-{n}",
            type_key="check_in",
            employee_id=f"e-{n % 3}",
            manager_id="m-1" if n % 2 else "m-2",
            window=_window(day),
        )
        for n, day in enumerate(days)
    ]
    talks += [
        Conversation.plan(
            id="x-1",
            type_key="exit_interview",
            employee_id="e-0",
            manager_id="m-2",
            participants=[Participant("ni-1", "neutral_interviewer")],
            roles=("employee", "neutral_interviewer"),
            window=_window(date(2026, 3, 4)),
        ),
        Conversation.plan(
            id="a-1",
            type_key="absence",
            employee_id="e-1",
            manager_id="m-1",
            participants=[Participant("cm-1", "case_manager"), Participant("hr", "hr")],
            roles=("employee", "manager", "case_manager", "hr"),
            window=_window(date(2026, 3, 5)),
        ),
    ]
    return talks


@pytest.fixture(params=["memory", "sqlite"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ConversationService]:
    store: Store = (
        MemoryStore() if request.param == "memory" else open_sqlite_store(tmp_path / "s.db")
    )
    made = ConversationService(
        store,
        FixedClock(T0),
        design=CycleDesign(name="d", cycle_start=date(2026, 1, 1)),
        hr_contact_id="hr",
    )
    for person_id in ("m-1", "m-2", "e-0", "e-1", "e-2", "hr", "cm-1", "ni-1"):
        made.upsert_person(Person(id=person_id, name=person_id, hire_date=date(2020, 1, 1)))
    with store.unit_of_work() as uow:
        uow.conversations.add_many(_talks())
    yield made
    store.close()


def _walk(service: ConversationService, limit: int, **filters: object) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        page = service.list_conversations(cursor=cursor, limit=limit, **filters)  # type: ignore[arg-type]
        assert len(page.items) <= limit
        seen.extend(view.id for view in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("the pages did not end")


def test_walking_the_pages_visits_every_visible_match_once_in_order(
    service: ConversationService,
) -> None:
    everything = _walk(service, MAX_PAGE, reader="hr")
    assert everything == ["c-0", "c-1", "c-2", "x-1", "a-1", "c-3", "c-4", "c-5"]
    for limit in (1, 2, 3):
        assert _walk(service, limit, reader="hr") == everything
    assert _walk(service, 2, reader="m-1", manager_id="m-1") == ["c-1", "a-1", "c-3", "c-5"]
    # The neutral interviewer's exit interview is hidden from the employee's manager even
    # though he is named as its manager.
    assert _walk(service, 2, reader="m-2", manager_id="m-2") == ["c-0", "c-2", "c-4"]
    assert _walk(service, 1, reader="ni-1", participant_id="ni-1") == ["x-1"]
    assert _walk(service, 2, reader="e-0", type_key="exit_interview") == ["x-1"]
    assert _walk(
        service, 2, reader="hr", status="planned", start=date(2026, 3, 3), end=date(2026, 3, 4)
    ) == ["c-1", "c-2", "x-1"]


def test_a_hidden_record_leaves_a_short_page_not_a_gap(service: ConversationService) -> None:
    page = service.list_conversations(reader="e-0", employee_id="e-0", limit=2)
    assert [view.id for view in page.items] == ["c-0", "x-1"]
    rest = service.list_conversations(reader="m-2", employee_id="e-0", limit=2)
    assert [view.id for view in rest.items] == ["c-0"]  # x-1 is read, and left out
    assert rest.next_cursor is not None
    last = service.list_conversations(
        reader="m-2", employee_id="e-0", limit=2, cursor=rest.next_cursor
    )
    assert (last.items, last.next_cursor) == ((), None)  # c-3 is led by someone else


def test_bad_limits_and_cursors_are_refused_naming_the_field(
    service: ConversationService,
) -> None:
    for bad in (0, -1, MAX_PAGE + 1, True, 2.5):
        with pytest.raises(InvalidValueError, match=r"^limit: must be a whole number"):
            service.list_conversations(reader="hr", limit=bad)  # type: ignore[arg-type]
    page = service.list_conversations(reader="hr", limit=1)
    assert page.next_cursor is not None
    for cursor in ("", "not a cursor", page.next_cursor[:-2], "W10", "a" * 5000):
        with pytest.raises(InvalidValueError, match=r"^cursor: "):
            service.list_conversations(reader="hr", limit=1, cursor=cursor)
    with pytest.raises(InvalidValueError, match=r"^cursor: is not a cursor of this query"):
        service.list_conversations(reader="hr", manager_id="m-1", cursor=page.next_cursor)
    with pytest.raises(InvalidValueError, match=r"^cursor: "):
        service.list_action_items(reader="hr", cursor=page.next_cursor)
    with pytest.raises(InvalidValueError, match=r"ConversationQuery\.statuses"):
        service.list_conversations(reader="hr", status="later")
    with pytest.raises(InvalidValueError, match="end"):
        service.list_conversations(reader="hr", start=date(2026, 3, 5), end=date(2026, 3, 1))


def test_action_items_and_reports_page_as_their_readers_see_them(
    service: ConversationService,
) -> None:
    service.schedule("c-1", datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    service.clock.set(datetime(2026, 3, 2, 11, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    service.record_held("c-1")
    for n in range(3):
        service.create_action_item("c-1", f"Stap {n}", owner_id="e-1", due=date(2026, 4, n + 1))
    service.create_report("c-1", "Goed gesprek", author_id="m-1")
    items: list[str] = []
    cursor = None
    while True:
        page = service.list_action_items(reader="e-1", employee_id="e-1", limit=2, cursor=cursor)
        items.extend(view.title for view in page.items)
        if (cursor := page.next_cursor) is None:
            break
    assert sorted(items) == ["Stap 0", "Stap 1", "Stap 2"]
    due = service.list_action_items(reader="e-1", start=date(2026, 4, 2), end=date(2026, 4, 9))
    assert sorted(view.title for view in due.items) == ["Stap 1", "Stap 2"]
    assert service.list_action_items(reader="e-2").items == ()
    drafts = service.list_reports(reader="m-1", manager_id="m-1", status="draft")
    assert [view.summary for view in drafts.items] == ["Goed gesprek"]
    assert service.list_reports(reader="e-1", employee_id="e-1").items == ()  # a draft


def test_the_agenda_of_every_role_keeps_the_privacy_rules(service: ConversationService) -> None:
    def ids(person: str, reader: str | None = None, **options: object) -> list[str]:
        agenda = service.agenda(person, reader=reader or person, start=START, **options)  # type: ignore[arg-type]
        return [entry.conversation.id for entry in agenda]

    assert ids("m-2") == ["c-0", "c-2", "c-4"]  # never the exit interview he does not attend
    assert ids("ni-1") == ["x-1"]
    assert ids("cm-1") == ["a-1"]
    assert ids("hr") == ["a-1"]
    assert ids("e-0") == ["c-0", "x-1", "c-3"]
    assert ids("e-1", role="employee") == ["c-1", "a-1", "c-4"]
    assert ids("m-1", role="manager", end=date(2026, 3, 5)) == ["c-1", "a-1", "c-3"]
    assert ids("e-0", reader="m-2") == ["c-0"]  # his view of her agenda: what he leads
    later = service.agenda("e-0", reader="e-0", start=date(2026, 3, 15))
    assert [entry.conversation.id for entry in later] == ["c-3"]  # the others' windows closed
    with pytest.raises(InvalidValueError, match="end"):
        service.agenda("e-0", reader="e-0", start=START, end=date(2026, 3, 1))
    with pytest.raises(InvalidValueError, match=r"^start: must be a date"):
        service.agenda("e-0", reader="e-0", start="2026-03-02")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="Role"):
        service.agenda("e-0", reader="e-0", start=START, role="boss")
