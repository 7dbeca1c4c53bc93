"""iCalendar invitations and feeds, parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.notifiers.ics import event_for, feed, invite, uid_of
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.notifier import ConversationInfo, Recipient

from . import strategies as gs

ANNA = Recipient(id="e-1", name="Anna de Vries", role="employee", email="anna@example.org")
BOB = Recipient(id="m-1", name="Bob", role="manager", locale="en", email="bob@example.org")
STAMP = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# The last Sunday of March 2026 (29th) moves Amsterdam from UTC+1 to UTC+2.
WINTER = ConversationInfo(
    id="c-1",
    type_key="growth_review",
    type_label=LocalizedText(nl="Groeigesprek", en="Growth review"),
    employee_id="e-1",
    employee_name="Anna de Vries",
    manager_id="m-1",
    manager_name="Bob",
    on=date(2026, 3, 27),
    starts_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
    duration_minutes=45,
    participants=(ANNA, BOB),
)


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def only_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_invite_has_method_uid_sequence_and_zone() -> None:
    calendar = parse(invite(WINTER, organizer=BOB, stamp=STAMP))
    assert calendar["METHOD"] == "REQUEST"
    event = only_event(calendar)
    assert str(event["UID"]) == "c-1@gesprekscyclus"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTAMP") == STAMP
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert (start.hour, start.minute) == (10, 0)  # UTC+1 before the switch
    assert event.decoded("DTEND") - start == timedelta(minutes=45)
    assert str(event["SUMMARY"]) == "Growth review: Anna de Vries"  # the organizer's language
    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/Amsterdam"]
    assert calendar.get_missing_tzids() == set()


def test_organizer_and_attendees() -> None:
    event = only_event(parse(invite(WINTER, organizer=BOB, stamp=STAMP)))
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:bob@example.org"
    assert organizer.params["CN"] == "Bob"
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:anna@example.org", "mailto:bob@example.org"]
    for attendee in attendees:
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendees[0].params["CN"] == "Anna de Vries"


def test_reschedule_keeps_uid_and_raises_sequence_across_dst() -> None:
    first = only_event(parse(invite(WINTER, organizer=BOB, stamp=STAMP)))
    moved = attrs.evolve(
        WINTER, on=date(2026, 3, 30), starts_at=datetime(2026, 3, 30, 8, 0, tzinfo=UTC), sequence=1
    )
    second = only_event(parse(invite(moved, organizer=BOB, stamp=STAMP)))
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] > first["SEQUENCE"]
    start = second.decoded("DTSTART")
    assert (start.hour, start.minute) == (10, 0)  # 08:00 UTC is 10:00 CEST
    assert start.utcoffset() == timedelta(hours=2)
    assert start.astimezone(UTC) == moved.starts_at


@pytest.mark.parametrize(
    ("zone", "first"),
    [
        # 25 October 2026: Amsterdam repeats 02:00-03:00 (00:30 and 01:30 UTC are both 02:30)
        ("Europe/Amsterdam", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("Europe/Amsterdam", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        # 2 November 2031: New York repeats 01:00-02:00
        ("America/New_York", datetime(2031, 11, 2, 5, 0, tzinfo=UTC)),
        ("America/New_York", datetime(2031, 11, 2, 6, 0, tzinfo=UTC)),
    ],
)
def test_a_start_in_the_repeated_hour_keeps_its_instant(zone: str, first: datetime) -> None:
    talk = attrs.evolve(WINTER, on=first.date(), starts_at=first, time_zone=zone)
    event = only_event(parse(invite(talk, organizer=BOB, stamp=STAMP)))
    assert event.decoded("DTSTART").astimezone(UTC) == first
    assert event.decoded("DTEND").astimezone(UTC) == first + timedelta(minutes=45)


def test_cancel_keeps_uid_and_sequence() -> None:
    cancelled = attrs.evolve(WINTER, cancelled=True, sequence=2)
    calendar = parse(invite(cancelled, organizer=BOB, method="CANCEL", stamp=STAMP))
    assert calendar["METHOD"] == "CANCEL"
    event = only_event(calendar)
    assert str(event["UID"]) == uid_of(WINTER)
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] >= 2


def test_date_only_conversation_is_an_all_day_event() -> None:
    planned = attrs.evolve(WINTER, starts_at=None)
    calendar = parse(invite(planned, organizer=BOB, stamp=STAMP))
    event = only_event(calendar)
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert event.decoded("DTSTART") == date(2026, 3, 27)
    assert event.decoded("DTEND") == date(2026, 3, 28)
    assert event["STATUS"] == "TENTATIVE"
    assert calendar.walk("VTIMEZONE") == []


def test_invite_needs_organizer_address_and_known_method() -> None:
    with pytest.raises(InvalidValueError, match=r"organizer\.email"):
        invite(WINTER, organizer=attrs.evolve(BOB, email=None), stamp=STAMP)
    with pytest.raises(InvalidValueError, match="allowed: REQUEST, CANCEL"):
        invite(WINTER, organizer=BOB, method="PUBLISH", stamp=STAMP)  # type: ignore[arg-type]


def test_feed_is_sorted_named_and_repeatable() -> None:
    later = attrs.evolve(WINTER, id="c-2", on=date(2026, 7, 1), starts_at=None)
    gone = attrs.evolve(
        WINTER,
        id="c-3",
        on=date(2026, 11, 2),
        starts_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        cancelled=True,
        sequence=3,
    )
    data = feed([gone, later, WINTER], name="Team Noord", stamp=STAMP)
    assert data == feed([WINTER, gone, later], name="Team Noord", stamp=STAMP)
    calendar = parse(data)
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Team Noord"
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        "c-1@gesprekscyclus",
        "c-2@gesprekscyclus",
        "c-3@gesprekscyclus",
    ]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "TENTATIVE", "CANCELLED"]
    november = events[2].decoded("DTSTART")
    assert (november.hour, november.utcoffset()) == (10, timedelta(hours=1))
    assert calendar.get_missing_tzids() == set()
    assert "ORGANIZER" not in events[0]


def test_empty_feed_is_valid() -> None:
    calendar = parse(feed([], name="Leeg", stamp=STAMP))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Leeg"


def test_event_for_rejects_naive_stamp() -> None:
    with pytest.raises(InvalidValueError, match="stamp"):
        event_for(WINTER, organizer=BOB, stamp=datetime(2026, 1, 1))


@given(st.lists(gs.conversation_infos(), max_size=4, unique_by=lambda c: c.id))
def test_any_feed_parses_back(conversations: list[ConversationInfo]) -> None:
    data = feed(conversations, name="Alle gesprekken", stamp=STAMP)
    calendar = parse(data)
    events = calendar.walk("VEVENT")
    assert {str(e["UID"]) for e in events} == {uid_of(c) for c in conversations}
    assert calendar.get_missing_tzids() == set()
    by_uid = {str(e["UID"]): e for e in events}
    for conversation in conversations:
        event = by_uid[uid_of(conversation)]
        assert event["SEQUENCE"] == conversation.sequence
        if conversation.starts_at is not None:
            expected = conversation.starts_at.replace(microsecond=0)
            assert event.decoded("DTSTART").astimezone(UTC) == expected
        if conversation.cancelled:
            assert event["STATUS"] == "CANCELLED"
