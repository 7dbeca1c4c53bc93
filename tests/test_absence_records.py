"""Health data: only what an employer may record, in typed fields marked with their readers."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.domain.absence_records import (
    FORBIDDEN_KEYS,
    READERS,
    FunctionalCapacity,
    OccupationalHealthAdvice,
    RecordAudience,
    SickReportRecord,
    fields_for,
    screen_text,
    visible_data,
)
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Role
from gesprekscyclus.errors import DesignError, HealthDataError, InvalidValueError
from gesprekscyclus.planning.people_file import parse_events
from gesprekscyclus.serialization import from_data, to_data
from gesprekscyclus.service.privacy import absence_record_from_data

DAY = date(2026, 3, 2)


def test_a_sick_report_event_refuses_a_diagnosis_in_its_detail() -> None:
    with pytest.raises(HealthDataError, match="De zieke werknemer") as caught:
        LifeEvent(on=DAY, person_id="e-1", kind="sick_report", detail="F43.0")
    assert caught.value.path == "LifeEvent.detail"
    with pytest.raises(HealthDataError, match="SickReportRecord"):
        LifeEvent(on=DAY, person_id="e-1", kind="recovery", detail="better now")


def test_other_kinds_without_a_detail_refuse_one_naming_the_kinds_that_have_it() -> None:
    with pytest.raises(InvalidValueError, match="only manager_change and prognosis"):
        LifeEvent(on=DAY, person_id="e-1", kind="leave_started", detail="maternity")
    assert LifeEvent(on=DAY, person_id="e-1", kind="prognosis", detail="long_term").detail


def test_the_events_file_refuses_a_sick_report_detail_with_its_line() -> None:
    text = "person_id;kind;on;detail\ne-1;hired;2024-01-01;\ne-1;sick_report;2026-03-02;F43.0\n"
    with pytest.raises(DesignError) as caught:
        parse_events(text, source="events.csv")
    (problem,) = caught.value.problems
    assert str(problem).startswith("events.csv:3: detail: a sick_report carries no free text")


def test_stored_events_with_a_detail_on_a_sick_report_are_refused_when_read() -> None:
    data = {"on": "2026-03-02", "person_id": "e-1", "kind": "sick_report", "detail": "burn-out"}
    with pytest.raises(InvalidValueError, match="carries no free text"):
        from_data(LifeEvent, data)


@pytest.mark.parametrize(
    "text",
    [
        "F43.0",
        "code J11 noted",
        "heeft een burn-out",
        "Depressie",
        "is zwanger",
        "pregnant since May",
        "knee surgery on Friday",
        "gebroken been",
        "in therapie",
        "x" * 201,
    ],
)
def test_medical_looking_text_is_refused_in_every_text_field(text: str) -> None:
    with pytest.raises(HealthDataError, match="De zieke werknemer"):
        SickReportRecord(person_id="e-1", first_sick_day=DAY, appointments=(text,))
    with pytest.raises(HealthDataError):
        SickReportRecord(person_id="e-1", first_sick_day=DAY, care_address=text)
    with pytest.raises(HealthDataError):
        OccupationalHealthAdvice(
            person_id="e-1", on=DAY, work_ability="adapted_work", adjustments=(text,)
        )
    with pytest.raises(HealthDataError):
        FunctionalCapacity(area="working_hours", level="limited", remark=text)


def test_practical_text_is_accepted() -> None:
    record = SickReportRecord(
        person_id="e-1",
        first_sick_day=DAY,
        contact_phone="+31 6 1234 5678",
        care_address="Dorpsstraat 1, 1234 AB Ergens",
        expected_duration="weeks",
        expected_return=date(2026, 3, 23),
        appointments=("Client visit Acme on 5 March: Bram takes over",),
        safety_net=False,
        accident="none",
    )
    assert record.appointments == ("Client visit Acme on 5 March: Bram takes over",)
    assert from_data(SickReportRecord, to_data(record)) == record


def test_a_return_before_the_first_sick_day_is_refused() -> None:
    with pytest.raises(InvalidValueError, match=r"SickReportRecord\.expected_return"):
        SickReportRecord(person_id="e-1", first_sick_day=DAY, expected_return=date(2026, 3, 1))


def test_the_safety_net_is_only_yes_no_or_unknown() -> None:
    with pytest.raises(InvalidValueError, match="true, false or unset"):
        SickReportRecord(person_id="e-1", first_sick_day=DAY, safety_net="pregnancy")  # type: ignore[arg-type]


@pytest.mark.parametrize("key", sorted(FORBIDDEN_KEYS))
def test_input_with_a_medical_key_is_refused_saying_why(key: str) -> None:
    data = {"kind": "sick_report", "person_id": "e-1", "first_sick_day": "2026-03-02", key: "x"}
    with pytest.raises(HealthDataError, match="no field for the diagnosis") as caught:
        absence_record_from_data(data)
    assert caught.value.path == f"sick_report.{key}"


def test_input_with_an_unknown_key_is_refused_with_the_fields() -> None:
    data = {"kind": "sick_report", "person_id": "e-1", "first_sick_day": "2026-03-02", "x": 1}
    with pytest.raises(HealthDataError, match="not a field an employer may record") as caught:
        absence_record_from_data(data)
    assert "contact_phone" in (caught.value.allowed or ())


def test_input_with_medical_text_or_nested_keys_is_refused_as_health_data() -> None:
    base = {"kind": "occupational_health_advice", "person_id": "e-1", "on": "2026-03-09"}
    with pytest.raises(HealthDataError, match="diagnosis code"):
        absence_record_from_data({**base, "work_ability": "no_work", "adjustments": ["F32.1"]})
    nested = [{"area": "working_hours", "level": "limited", "diagnosis": "x"}]
    with pytest.raises(HealthDataError, match=r"capacities\[0\]\.diagnosis"):
        absence_record_from_data({**base, "work_ability": "no_work", "capacities": nested})
    with pytest.raises(InvalidValueError, match="allowed: sick_report"):
        absence_record_from_data({"kind": "diagnosis"})


def test_every_field_is_marked_with_its_readers() -> None:
    for cls in (SickReportRecord, OccupationalHealthAdvice):
        for attribute in attrs.fields(cls):
            assert RecordAudience(attribute.metadata["gesprekscyclus.audience"])
    assert fields_for(SickReportRecord, ["occupational_physician"]) == ()
    assert fields_for(OccupationalHealthAdvice, ["occupational_physician"]) == ("capacities",)


def test_the_employer_view_leaves_out_the_functional_capacities() -> None:
    advice = OccupationalHealthAdvice(
        person_id="e-1",
        on=DAY,
        work_ability="own_work_partly",
        adjustments=("Four hours a day for two weeks",),
        capacities=(FunctionalCapacity(area="static_postures", level="severely_limited"),),
    )
    assert "capacities" not in visible_data(advice, [RecordAudience.EMPLOYER])
    both = visible_data(advice, list(RecordAudience))
    assert both["capacities"] == advice.capacities
    with pytest.raises(InvalidValueError, match="capacities"):
        OccupationalHealthAdvice(
            person_id="e-1",
            on=DAY,
            work_ability="no_work",
            capacities=(
                FunctionalCapacity(area="working_hours", level="limited"),
                FunctionalCapacity(area="working_hours", level="normal"),
            ),
        )


_CODES = st.from_regex(r"[A-Z][0-9]{2}(\.[0-9]{1,2})?", fullmatch=True)
_PLAIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=30)


@given(before=_PLAIN, code=_CODES, after=_PLAIN)
def test_an_icd_code_anywhere_in_a_text_is_refused(before: str, code: str, after: str) -> None:
    text = f"{before} {code} {after}"
    with pytest.raises(HealthDataError, match="diagnosis code"):
        screen_text("t", text)


def test_every_role_has_its_default_readers() -> None:
    assert set(READERS) == set(Role)
    assert READERS[Role.OCCUPATIONAL_PHYSICIAN] == frozenset(RecordAudience)
    for role in (Role.MANAGER, Role.CASE_MANAGER, Role.HR):
        assert READERS[role] == {RecordAudience.EMPLOYER}
    assert READERS[Role.NEUTRAL_INTERVIEWER] == frozenset()


def test_an_events_file_with_a_medical_column_is_refused_saying_why() -> None:
    text = "person_id;kind;on;diagnosis\ne-1;sick_report;2026-03-02;F43.0\n"
    with pytest.raises(DesignError) as caught:
        parse_events(text, source="events.csv")
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        "events.csv:1: diagnosis: unknown column: the file has no field for the diagnosis"
    )
    assert 'AP policy rules "De zieke werknemer"' in str(problem)
