"""One convention for the service: commands take an optional ``at`` (else the clock) and
return the resulting view or a small result; queries take an optional ``on`` (else the
clock's date) and return tuples."""

from __future__ import annotations

import inspect
from datetime import UTC, date, datetime, timedelta

import pytest

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.service.app import ConversationService, PersonUpdate

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
DESIGN = CycleDesign(
    name="conventions",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
        ),
    ),
)


@pytest.fixture
def service() -> ConversationService:
    built = ConversationService(MemoryStore(), FixedClock(T0), design=DESIGN)
    built.hire(Person(id="m", name="Mia", hire_date=date(2020, 1, 1)))
    built.hire(Person(id="e", name="Eva", hire_date=date(2024, 5, 1), manager_id="m"))
    return built


def test_people_commands_return_the_stored_person_and_whether_anything_was_new(
    service: ConversationService,
) -> None:
    eva = service.person("e")
    assert service.hire(eva) == PersonUpdate(eva, recorded=False)
    assert service.upsert_person(eva).recorded is False
    moved = service.upsert_person(Person(id="e", name="Eva", hire_date=date(2024, 5, 1)))
    assert moved.recorded is True
    assert moved.person.manager_id is None
    leaving = service.give_notice("e", on=date(2026, 2, 1), last_day=date(2026, 4, 30))
    assert leaving.person.end_date == date(2026, 4, 30)
    assert (
        service.give_notice("e", on=date(2026, 2, 1), last_day=date(2026, 4, 30)).recorded is False
    )
    first = service.record_sick_report("e", on=date(2026, 3, 2))
    assert (first.recorded, service.record_sick_report("e", on=date(2026, 3, 2)).recorded) == (
        True,
        False,
    )
    assert service.record_leave("e", start=date(2026, 3, 10), end=date(2026, 3, 20)).recorded


def test_commands_take_their_instant_and_queries_their_day(service: ConversationService) -> None:
    service.materialise(date(2026, 1, 1), date(2026, 1, 31))
    (talk,) = service.administration.conversations_of("e")
    earlier = T0 - timedelta(hours=2)
    view = service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC), at=earlier)
    (step,) = service.administration.conversations_of("e")[0].history
    assert step.at == earlier
    assert view.status.value == "scheduled"
    # queries: the clock's date by default, any day when given
    assert service.due_conversations(reader="m") == service.due_conversations(T0.date(), reader="m")
    assert isinstance(service.due_conversations(reader="m"), tuple)
    assert service.overdue_conversations(reader="m") == ()
    (late,) = service.overdue_conversations(on=date(2026, 3, 1), reader="m")
    assert late.id == talk.id
    assert service.agenda("m", reader="m")[0].conversation.id == talk.id
    assert service.agenda("m", reader="m", start=date(2026, 2, 1)) == ()
    with pytest.raises(InvalidValueError, match="at: needs a time zone"):
        service.cancel(talk.id, reason="x", at=datetime(2026, 1, 5, 9, 0))
    with pytest.raises(InvalidValueError, match="on: must be a date"):
        service.due_conversations(T0, reader="m")  # type: ignore[arg-type]


def test_every_sequence_a_query_returns_is_a_tuple_and_no_query_takes_today() -> None:
    for name, method in inspect.getmembers(ConversationService, inspect.isfunction):
        if name.startswith("_"):
            continue
        signature = inspect.signature(method)
        assert "today" not in signature.parameters, name
        assert "now" not in signature.parameters, name
        returned = str(signature.return_annotation)
        assert not returned.startswith("list["), f"{name} returns {returned}"
