"""Round-trips and errors for the basic value objects."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given

from gesprekscyclus import (
    GesprekscyclusError,
    InvalidValueError,
    LifeEvent,
    LocalizedText,
    Person,
    SerializationError,
    WorkingPattern,
)
from gesprekscyclus.serialization import dumps, from_data, loads, to_data

from . import strategies as gs


@given(gs.people())
def test_person_round_trips(person: Person) -> None:
    assert from_data(Person, to_data(person)) == person
    assert loads(Person, dumps(person)) == person


@given(gs.life_events())
def test_life_event_round_trips(event: LifeEvent) -> None:
    assert from_data(LifeEvent, to_data(event)) == event


@given(gs.localized_texts)
def test_localized_text_round_trips_and_falls_back(text: LocalizedText) -> None:
    assert from_data(LocalizedText, to_data(text)) == text
    for locale in ("nl", "en"):
        expected = getattr(text, locale) or text.nl or text.en
        assert text.in_(locale) == expected


def test_localized_text_needs_a_language() -> None:
    with pytest.raises(InvalidValueError, match="at least one language"):
        LocalizedText()


def test_unknown_locale_lists_allowed_values() -> None:
    with pytest.raises(InvalidValueError) as caught:
        Person(id="e-1", name="Anna", hire_date=date(2020, 1, 1), locale="fr")
    assert caught.value.allowed == ("nl", "en")
    assert "Locale" in str(caught.value)


def test_unknown_time_zone_is_named() -> None:
    with pytest.raises(InvalidValueError, match=r"Person\.time_zone: unknown IANA time zone"):
        Person(id="e-1", name="Anna", hire_date=date(2020, 1, 1), time_zone="Mars/Base")


def test_end_before_hire_is_rejected() -> None:
    with pytest.raises(InvalidValueError, match=r"Person\.end_date"):
        Person(id="e-1", name="Anna", hire_date=date(2020, 1, 1), end_date=date(2019, 1, 1))


def test_working_pattern_rejects_unknown_day_names() -> None:
    with pytest.raises(InvalidValueError, match="allowed: mon, tue"):
        WorkingPattern.of("mon", "funday")


def test_structure_reports_every_problem_with_its_path() -> None:
    with pytest.raises(SerializationError) as caught:
        from_data(
            Person,
            {"id": "e", "name": 3, "hire_date": "2021-13-01", "working_pattern": {"weekdays": [9]}},
        )
    message = str(caught.value)
    assert "$.name" in message
    assert "$.hire_date" in message
    assert "$.working_pattern" in message
    assert len(caught.value.problems) == 3


def test_strings_are_not_numbers() -> None:
    where = r"got str '1' @ \$\.working_pattern\.weekdays\[0\]"
    with pytest.raises(SerializationError, match=where):
        from_data(
            Person,
            {
                "id": "e",
                "name": "n",
                "hire_date": "2021-01-01",
                "working_pattern": {"weekdays": ["1"]},
            },
        )
    with pytest.raises(SerializationError, match=r"expected str, got int.*\$\.team"):
        from_data(Person, {"id": "e", "name": "n", "hire_date": "2021-01-01", "team": 7})


def test_envelope_is_checked() -> None:
    text = dumps(LocalizedText(nl="Hallo"))
    with pytest.raises(SerializationError, match="schema_version 99"):
        loads(LocalizedText, text.replace('"schema_version": 1', '"schema_version": 99'))
    with pytest.raises(SerializationError, match="expected 'Person'"):
        loads(Person, text)
    with pytest.raises(SerializationError, match="not JSON"):
        loads(Person, "{")


def test_every_error_shares_one_base() -> None:
    assert issubclass(SerializationError, GesprekscyclusError)
    assert issubclass(InvalidValueError, ValueError)
