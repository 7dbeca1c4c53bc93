"""Absence records through the service: each reader sees exactly the fields the policy allows.

The expected fields come from the access policy's two ``absence_*`` rows
(``gesprekscyclus.domain.access.ACCESS``, health-related column), the observed ones from
``ConversationService.absence_records(..., reader=...)`` on the memory store, a real SQLite
file and PostgreSQL. The roles themselves are checked against the design rules as well, so a
change to the matrix that lets a manager read the functional capacities fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.absence_records import (
    READERS,
    AbsenceRecord,
    FunctionalCapacity,
    OccupationalHealthAdvice,
    RecordAudience,
    SickReportRecord,
    audience_of,
    audiences_for,
)
from gesprekscyclus.domain.access import ACCESS, Content, Grant, ReaderRole
from gesprekscyclus.domain.conversation_types import Sensitivity
from gesprekscyclus.domain.conversations import Conversation, Participant, Window
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.errors import AccessDeniedError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.serialization import to_data
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.views import absence_record_view

from . import strategies as gs
from .postgres_support import postgres_factory

T0 = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
WINDOW = Window(date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16))
DESIGN = CycleDesign(name="absence-views", cycle_start=date(2026, 1, 1))

SICK = SickReportRecord(
    person_id="e",
    first_sick_day=date(2026, 3, 2),
    contact_phone="+31 6 1234 5678",
    care_address="Keizersgracht 12, Amsterdam",
    expected_duration="weeks",
    expected_return=date(2026, 4, 6),
    appointments=("Hand the Leiden project to Sam",),
    safety_net=False,
    accident="none",
)
ADVICE = OccupationalHealthAdvice(
    person_id="e",
    on=date(2026, 3, 9),
    work_ability="adapted_work",
    expected_duration="weeks",
    adjustments=("Four hours a day",),
    capacities=(
        FunctionalCapacity(area="static_postures", level="limited", remark="Stand at most 1h"),
        FunctionalCapacity(area="working_hours", level="severely_limited"),
    ),
)
RECORDS = (SICK, ADVICE)

#: Who reads, and the role the data gives them towards e's absence records.
ROLES = {
    "e": ReaderRole.EMPLOYEE,
    "m": ReaderRole.MANAGER,
    "o": ReaderRole.OCCUPATIONAL_PHYSICIAN,
    "c": ReaderRole.CASE_MANAGER,
    "h": ReaderRole.HR,
    "hq": ReaderRole.HR_OFFICE,
}
#: Who is refused: a stranger, a colleague (same manager), e's former manager, a case
#: manager of e's check-in (not a health-related conversation), and a neutral interviewer
#: listed on e's absence conversation (a role that reads no absence field).
REFUSED = {"x": None, "col": None, "m0": None, "p": None, "n": ReaderRole.NEUTRAL_INTERVIEWER}


def _memory(_tmp_path: Path) -> Callable[[], Store]:
    return MemoryStore


def _sqlite(tmp_path: Path) -> Callable[[], Store]:
    return lambda: open_sqlite_store(tmp_path / "absence-views.db")


STORES = [
    pytest.param(_memory, id="memory"),
    pytest.param(_sqlite, id="sqlite"),
    pytest.param(postgres_factory, id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made = request.param(tmp_path)()
    yield made
    made.close()


def _service(store: Store) -> ConversationService:
    """e (manager m, before that m0) with a sick report and an advice; an absence
    conversation with o, c, h and n taking part; a check-in with p as case manager."""
    service = ConversationService(store, FixedClock(T0), design=DESIGN, hr_contact_id="hq")
    for person_id in ("m0", "m", "o", "c", "h", "hq", "x", "p", "n"):
        service.upsert_person(Person(id=person_id, name=person_id, hire_date=date(2020, 1, 1)))
    service.upsert_person(Person(id="e", name="Eva", hire_date=date(2022, 1, 1), manager_id="m0"))
    service.upsert_person(Person(id="col", name="Cas", hire_date=date(2022, 1, 1), manager_id="m"))
    service.change_manager("e", "m", on=date(2026, 2, 1))
    for record in RECORDS:
        assert service.record_absence(record).recorded is True
    absence = Conversation.plan(
        id="absence-1",
        type_key="absence",
        employee_id="e",
        manager_id="m",
        window=WINDOW,
        participants=[
            Participant("o", "occupational_physician"),
            Participant("c", "case_manager"),
            Participant("h", "hr"),
            Participant("n", "neutral_interviewer"),
        ],
    )
    check_in = Conversation.plan(
        id="check-in-1",
        type_key="check_in",
        employee_id="e",
        manager_id="m",
        window=WINDOW,
        participants=[Participant("p", "case_manager")],
    )
    with store.unit_of_work() as uow:
        uow.conversations.add_many([absence, check_in])
    return service


def _policy_fields(record: AbsenceRecord, role: ReaderRole) -> dict[str, object]:
    """The fields of ``record`` the matrix lets ``role`` read, read straight off the table."""
    cells = ACCESS[role][Sensitivity.HEALTH_RELATED]
    readable = {
        RecordAudience.EMPLOYER: cells[Content.ABSENCE_EMPLOYER_FIELDS].read is Grant.YES,
        RecordAudience.OCCUPATIONAL_PHYSICIAN: (
            cells[Content.ABSENCE_CAPACITY_FIELDS].read is Grant.YES
        ),
    }
    return {
        a.name: getattr(record, a.name)
        for a in attrs.fields(type(record))
        if readable[audience_of(type(record), a.name)]
    }


def _capacity_fields(record: AbsenceRecord) -> set[str]:
    return {
        a.name
        for a in attrs.fields(type(record))
        if audience_of(type(record), a.name) is RecordAudience.OCCUPATIONAL_PHYSICIAN
    }


@pytest.mark.parametrize("reader", sorted(ROLES))
def test_each_role_sees_exactly_the_fields_the_policy_allows(store: Store, reader: str) -> None:
    service = _service(store)
    views = service.absence_records("e", reader=reader)
    role = ROLES[reader]
    assert [(v.kind, v.on) for v in views] == [(r.KIND, r.on) for r in RECORDS]
    for view, record in zip(views, RECORDS, strict=True):
        assert (view.reader_id, view.reader_role, view.person_id) == (reader, role, "e")
        assert dict(view.data) == _policy_fields(record, role)
        assert list(view.data) == [  # in field order
            a.name for a in attrs.fields(type(record)) if a.name in view.data
        ]


def test_the_matrix_gives_the_roles_what_the_design_rules_say() -> None:
    capacities = {"capacities"}
    for role in (ReaderRole.EMPLOYEE, ReaderRole.OCCUPATIONAL_PHYSICIAN):
        assert set(_policy_fields(ADVICE, role)) >= capacities, role
        assert audiences_for(role) == frozenset(RecordAudience)
    for role in (ReaderRole.MANAGER, ReaderRole.CASE_MANAGER, ReaderRole.HR, ReaderRole.HR_OFFICE):
        assert not set(_policy_fields(ADVICE, role)) & capacities, role
        assert audiences_for(role) == {RecordAudience.EMPLOYER}
    assert audiences_for(ReaderRole.NEUTRAL_INTERVIEWER) == frozenset()
    # one source of truth: the defaults per participant role are the policy's cells
    assert dict(READERS) == {role: audiences_for(ReaderRole(role.value)) for role in Role}


@pytest.mark.parametrize("reader", sorted(REFUSED))
def test_anyone_without_a_standing_is_refused_naming_the_rule(store: Store, reader: str) -> None:
    service = _service(store)
    with pytest.raises(AccessDeniedError) as caught:
        service.absence_records("e", reader=reader)
    role = REFUSED[reader]
    who = "no role" if role is None else role.value
    assert caught.value.rule == f"access matrix: {who}, absence_employer_fields, health_related"
    assert caught.value.reader == reader
    assert str(caught.value).endswith(f"{reader!r} may not read the absence records of 'e'")
    # refused even where there is nothing to see, so a refusal tells nothing
    with pytest.raises(AccessDeniedError):
        service.absence_records("col", reader=reader if reader != "col" else "x")
    assert service.administration.access_log_by_reader(reader) == []  # nothing was shown


def test_a_manager_never_sees_capacity_fields_not_even_serialised(store: Store) -> None:
    service = _service(store)
    views = service.absence_records("e", reader="m")
    assert all(not set(view.data) & _capacity_fields(ADVICE) for view in views)
    text = repr([to_data(view) for view in views])
    assert "capacities" not in text
    assert "static_postures" not in text
    assert "Stand at most" not in text
    assert "Four hours a day" in text  # the advice on adjustments is for the employer


def test_every_read_is_in_the_access_log(store: Store) -> None:
    service = _service(store)
    for reader in sorted(ROLES):
        service.absence_records("e", reader=reader)
    service.absence_records("e", reader="m")  # a second read is a second entry
    ids = ["sick_report/2026-03-02", "occupational_health_advice/2026-03-09"]
    for reader in sorted(ROLES):
        entries = service.administration.access_log_by_reader(reader)
        times = 2 if reader == "m" else 1
        assert [e.record_id for e in entries] == ids * times, reader
        assert {(e.subject_id, e.record_kind, e.sensitivity, e.via, e.at) for e in entries} == {
            ("e", "absence_record", "health_related", "view", T0)
        }
    assert service.absence_records("col", reader="col") == ()  # nothing read, nothing logged
    assert service.administration.access_log_by_reader("col") == []


def test_the_administrative_path_returns_the_records_whole_and_logs(store: Store) -> None:
    service = _service(store)
    assert service.administration.absence_records("e") == list(RECORDS)
    entries = service.administration.access_log_about("e")
    assert [(e.reader_id, e.via, e.record_id) for e in entries] == [
        ("administration", "administration", "sick_report/2026-03-02"),
        ("administration", "administration", "occupational_health_advice/2026-03-09"),
    ]
    assert service.administration.absence_records("col") == []


def test_the_manager_role_goes_with_the_manager(store: Store) -> None:
    service = _service(store)
    service.change_manager("e", "m0", on=date(2026, 3, 1))  # m0 leads again from March
    assert {v.reader_role for v in service.absence_records("e", reader="m0")} == {
        ReaderRole.MANAGER
    }
    with pytest.raises(AccessDeniedError):
        service.absence_records("e", reader="m")


def test_a_blank_reader_is_refused_as_invalid() -> None:
    service = _service(MemoryStore())
    with pytest.raises(ValueError, match="reader"):
        service.absence_records("e", reader=" ")


@given(record=gs.absence_records(person_id="e"))
def test_no_view_for_a_manager_or_case_manager_holds_a_capacity_field(
    record: AbsenceRecord,
) -> None:
    for role in (ReaderRole.MANAGER, ReaderRole.CASE_MANAGER):
        view = absence_record_view(record, "r", role)
        assert not set(view.data) & _capacity_fields(record)
        assert set(view.data) == set(_policy_fields(record, role))


@given(records=st.lists(gs.absence_records(person_id="e"), max_size=4))
def test_no_manager_or_case_manager_reads_a_capacity_through_the_service(
    records: list[AbsenceRecord],
) -> None:
    service = _service(MemoryStore())
    for record in records:
        service.record_absence(record)
    for reader in ("m", "c"):
        for view in service.absence_records("e", reader=reader):
            assert "capacities" not in view.data
            assert "capacities" not in to_data(view)["data"]
