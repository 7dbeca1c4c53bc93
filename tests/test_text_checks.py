"""Text and time-zone checks at the domain edge: what no store can hold is refused early."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.domain._checks import (
    MAX_ZONE_NAME,
    _admits_none,
    check_text,
    field_path,
    is_iana_zone,
    non_blank,
    one_line,
    shown,
)
from gesprekscyclus.domain.calendar import localize, zone_info
from gesprekscyclus.domain.conversations import Conversation, Window
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.notifier import Recipient

HIRED = date(2021, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\x00b", "contains a NUL character (U+0000) at position 1"),
        ("Zo\ud800", "lone surrogate (U+D800) at position 2, which is not valid Unicode"),
        ("\udcff", "lone surrogate (U+DCFF)"),
    ],
)
@pytest.mark.parametrize("field", ["id", "name", "team", "contract", "location", "manager_id"])
def test_person_text_fields_refuse_unstorable_text(field: str, text: str, expected: str) -> None:
    values = {"id": "e-1", "name": "Anna", "hire_date": HIRED, field: text}
    with pytest.raises(InvalidValueError) as caught:
        Person(**values)  # type: ignore[arg-type]
    assert caught.value.path == f"Person.{field}"
    assert expected in caught.value.problem


def test_life_event_and_conversation_ids_use_the_same_check() -> None:
    with pytest.raises(InvalidValueError, match=r"LifeEvent\.person_id: contains a NUL"):
        LifeEvent(on=HIRED, person_id="e\x00", kind="hired")
    with pytest.raises(InvalidValueError, match=r"Conversation\.id: contains a lone surrogate"):
        Conversation.plan(
            id="c\udc80",
            type_key="check_in",
            employee_id="e-1",
            manager_id="m-1",
            window=Window(HIRED, HIRED, HIRED),
        )


@pytest.mark.parametrize(
    "address",
    ["anna@example.org\r\nBcc: eve@example.org", "anna@example.org\n", "an na@example.org", "anna"],
)
def test_person_email_is_one_address_on_one_line(address: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        Person(id="e-1", name="Anna", hire_date=HIRED, email=address)
    assert caught.value.path == "Person.email"


def test_names_may_hold_any_valid_unicode() -> None:
    name = 'Zoë Ångström — 日本語 — עברית — 🙂 O\'Brien "Bob"'
    assert Person(id="e-1", name=name, hire_date=HIRED).name == name


@pytest.mark.parametrize(
    "zone",
    [
        "Europe",  # a directory of the zone database
        "America/Argentina",
        "x" * 300,  # longer than a file name may be
        "Europe/" + "A" * MAX_ZONE_NAME,
        "../../etc/passwd",
        "/etc/localtime",
        "Europe/Amsterdam\x00",
        "Europe/\ud800",
        "",
        " UTC",
        "Europe//Amsterdam",
    ],
)
def test_time_zones_that_are_not_iana_names_are_refused(zone: str) -> None:
    assert not is_iana_zone(zone)
    with pytest.raises(InvalidValueError) as caught:
        Person(id="e-1", name="Anna", hire_date=HIRED, time_zone=zone)
    assert caught.value.path == "Person.time_zone"
    assert len(str(caught.value)) < 200  # a 300-character name is not echoed in full
    with pytest.raises(InvalidValueError, match="unknown IANA time zone"):
        zone_info(zone)
    with pytest.raises(InvalidValueError, match="unknown IANA time zone"):
        localize(HIRED, time(9, 0), zone)


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "UTC", "America/Argentina/Buenos_Aires"])
def test_real_zones_pass(zone: str) -> None:
    assert is_iana_zone(zone)
    assert Person(id="e-1", name="Anna", hire_date=HIRED, time_zone=zone).time_zone == zone


@given(st.text(max_size=30))
def test_check_text_accepts_exactly_what_utf8_and_postgresql_store(text: str) -> None:
    try:
        check_text("field", text)
    except InvalidValueError:
        storable = False
    else:
        storable = True
    encodable = True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        encodable = False
    assert storable == (encodable and "\x00" not in text)


@given(st.text(max_size=30))
def test_one_line_text_has_no_control_characters(text: str) -> None:
    clean = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") == text and all(
        ord(character) >= 0x20 and not 0x7F <= ord(character) <= 0x9F for character in text
    )
    clean = clean and len(text.splitlines()) <= 1 and "\u2028" not in text
    if clean:
        check_text("field", text, one_line=True)
    else:
        with pytest.raises(InvalidValueError):
            check_text("field", text, one_line=True)


@given(st.text(max_size=80))
def test_is_iana_zone_never_raises(text: str) -> None:
    assert is_iana_zone(text) in (True, False)


def _non_blank_as_before(instance: object, attribute: Any, value: object) -> None:
    """``non_blank`` as it was: the field's path written out for every value."""
    if value is None:
        if not _admits_none(attribute):
            raise InvalidValueError(field_path(instance, attribute), "must be text, got None")
        return
    if not isinstance(value, str):
        raise InvalidValueError(
            field_path(instance, attribute), f"must be text, got {shown(value)}"
        )
    if not value.strip():
        raise InvalidValueError(field_path(instance, attribute), "must not be blank")
    check_text(field_path(instance, attribute), value)


def _one_line_as_before(instance: object, attribute: Any, value: object) -> None:
    _non_blank_as_before(instance, attribute, value)
    if value is not None:
        assert isinstance(value, str)
        check_text(field_path(instance, attribute), value, one_line=True)


def _outcome(check: Any, value: object) -> str | None:
    try:
        check(Recipient, attrs.fields(Recipient).name, value)
    except InvalidValueError as error:
        return str(error)
    return None


@given(
    st.none()
    | st.integers()
    | st.text()
    | st.text(alphabet=st.sampled_from(" \t\n\r\x00\x1f\x7f\x85\u2028a\ud800"), max_size=6)
)
def test_the_text_validators_refuse_exactly_as_before(value: object) -> None:
    assert _outcome(non_blank, value) == _outcome(_non_blank_as_before, value)
    assert _outcome(one_line, value) == _outcome(_one_line_as_before, value)
