"""What calendar clients rely on (RFC 5545, 5546, 7986) and mail headers that read back as
written (RFC 5322, 2047)."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import attrs
import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.notifiers.ics import AS_PLANNED, feed, invite
from gesprekscyclus.adapters.notifiers.mail import (
    EmailNotifier,
    build_message,
    message_id,
    sender_domain,
)
from gesprekscyclus.adapters.notifiers.templates import Template, Templates
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import Notification, Recipient

from .test_notifier_ics import ANNA, BOB, STAMP, WINTER

LATER = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
CHANGED = attrs.evolve(
    WINTER, id="c-2", sequence=1, modified_at=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
)


def events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


# --- ORGANIZER and ATTENDEE ------------------------------------------------------------------


def test_a_feed_carries_no_attendee_without_an_organizer() -> None:
    for event in events(feed([WINTER, CHANGED], name="Team", stamp=STAMP)):
        assert "ATTENDEE" not in event
        assert "ORGANIZER" not in event


def test_an_invitation_has_an_organizer_beside_its_attendees() -> None:
    (event,) = events(invite(WINTER, organizer=BOB, stamp=STAMP))
    assert str(event["ORGANIZER"]) == "mailto:bob@example.org"
    assert len(event["ATTENDEE"]) == 2


def test_sent_by_names_the_sender_only_when_it_is_not_the_organizer() -> None:
    (sent,) = events(invite(WINTER, organizer=BOB, stamp=STAMP, sent_by="hr@example.org"))
    assert sent["ORGANIZER"].params["SENT-BY"] == "mailto:hr@example.org"
    (own,) = events(invite(WINTER, organizer=BOB, stamp=STAMP, sent_by="Bob@Example.org"))
    assert "SENT-BY" not in own["ORGANIZER"].params
    (plain,) = events(invite(WINTER, organizer=BOB, stamp=STAMP))
    assert "SENT-BY" not in plain["ORGANIZER"].params


# --- stable DTSTAMP and LAST-MODIFIED in feeds -------------------------------------------------


def test_regenerating_a_feed_of_unchanged_conversations_gives_the_same_bytes() -> None:
    first = feed([WINTER, CHANGED], name="Team", stamp=STAMP)
    assert feed([WINTER, CHANGED], name="Team", stamp=LATER) == first


def test_feed_stamps_are_the_time_of_the_last_change() -> None:
    planned, changed = events(feed([WINTER, CHANGED], name="Team", stamp=STAMP))
    assert planned.decoded("DTSTAMP") == planned.decoded("LAST-MODIFIED") == AS_PLANNED
    assert changed.decoded("DTSTAMP") == changed.decoded("LAST-MODIFIED") == CHANGED.modified_at


def test_a_change_moves_only_that_events_stamps() -> None:
    before = events(feed([WINTER, CHANGED], name="Team", stamp=STAMP))
    moved = attrs.evolve(CHANGED, sequence=2, modified_at=LATER)
    after = events(feed([WINTER, moved], name="Team", stamp=STAMP))
    assert after[0].to_ical() == before[0].to_ical()
    assert after[1].decoded("LAST-MODIFIED") == LATER


# --- RFC 7986 calendar properties ------------------------------------------------------------


def test_feeds_carry_name_and_refresh_interval() -> None:
    data = feed([WINTER], name="Gesprekken Bob", stamp=STAMP)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["NAME"]) == "Gesprekken Bob"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in data
    daily = feed([WINTER], name="x", stamp=STAMP, refresh_interval=timedelta(days=1))
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:P1D\r\n" in daily


@pytest.mark.parametrize("interval", [timedelta(seconds=30), timedelta(seconds=90.5)])
def test_a_refresh_interval_below_a_minute_or_of_part_seconds_is_refused(
    interval: timedelta,
) -> None:
    with pytest.raises(InvalidValueError, match="refresh_interval: must be whole seconds"):
        feed([WINTER], name="x", stamp=STAMP, refresh_interval=interval)


# --- Message-ID and UID domains --------------------------------------------------------------


def scheduled(recipient: Recipient = ANNA) -> Notification:
    return Notification(
        key="scheduled:c-1:e-1:0", kind="scheduled", recipient=recipient, conversation=WINTER
    )


def invitation_uid(message: EmailMessage) -> str:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    (event,) = events(part.get_content().encode())
    return str(event["UID"])


def test_message_id_and_uid_follow_the_senders_domain() -> None:
    notifier = EmailNotifier("smtp.invalid", sender="HR <hr@Voorbeeld.example>")
    message = notifier.message_for(scheduled())
    assert message["Message-ID"] == message_id(scheduled().key, domain="voorbeeld.example")
    assert invitation_uid(message) == "c-1@voorbeeld.example"


def test_configured_domains_win_over_the_senders() -> None:
    notifier = EmailNotifier(
        "smtp.invalid",
        sender="hr@voorbeeld.example",
        message_id_domain="mail.voorbeeld.example",
        uid_domain="agenda.voorbeeld.example",
    )
    message = notifier.message_for(scheduled())
    assert message["Message-ID"].endswith("@mail.voorbeeld.example>")
    assert invitation_uid(message) == "c-1@agenda.voorbeeld.example"


def test_a_sender_without_a_domain_is_refused_with_the_field() -> None:
    with pytest.raises(InvalidValueError, match=r"EmailNotifier\.sender"):
        EmailNotifier("smtp.invalid", sender="hr")
    with pytest.raises(InvalidValueError, match="sender: not an e-mail address with a domain"):
        sender_domain("hr@")


# --- header folding --------------------------------------------------------------------------


def raw_headers(message: EmailMessage) -> list[bytes]:
    head = message.as_bytes().split(b"\n\n", 1)[0]
    return head.split(b"\n")


def test_a_long_subject_stays_on_the_subject_line() -> None:
    lines = raw_headers(
        build_message(scheduled(), sender="hr@example.org", clock=FixedClock(STAMP))
    )
    (subject,) = [line for line in lines if line.startswith(b"Subject:")]
    assert subject.startswith(b"Subject: Ingepland: Groeigesprek")
    assert not any(line.startswith((b" ", b"\t")) for line in lines), "no continuation lines"


# Header text as the templates render it: one line, single spaces (other whitespace and
# control characters are the renderer's business, tested with the templates).
_TEXT = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs"), include_characters=" "),
    min_size=1,
    max_size=300,
).filter(lambda text: text.strip() == text and "  " not in text)


@given(subject=_TEXT, name=_TEXT)
def test_headers_read_back_exactly_as_written(subject: str, name: str) -> None:
    literal = Template(subject=subject.replace("$", "$$"), text="x", html="<p>x</p>")
    templates = Templates().with_("scheduled", "nl", literal)
    recipient = attrs.evolve(ANNA, name=name)
    message = build_message(
        scheduled(recipient),
        sender="HR <hr@example.org>",
        clock=FixedClock(STAMP),
        templates=templates,
    )
    raw = message.as_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\n"))
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == subject
    assert parsed["To"].addresses[0].display_name == name
    assert parsed["To"].addresses[0].addr_spec == "anna@example.org"
