"""Confidential and health-related types show a neutral title wherever others may see it."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import attrs
import icalendar
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.notifiers.ics import feed, invite
from gesprekscyclus.adapters.notifiers.mail import build_message
from gesprekscyclus.adapters.notifiers.templates import Template, Templates, render
from gesprekscyclus.adapters.notifiers.webhook import (
    REFERENCE_SCHEMA,
    WebhookNotifier,
    read_payload,
    read_reference,
)
from gesprekscyclus.domain.catalog import built_in_catalog
from gesprekscyclus.domain.conversations import Conversation, Window
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import ConversationInfo, Notification, Recipient
from gesprekscyclus.service.reminders import conversation_info

from . import strategies as gs

STAMP = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ANNA = Recipient(id="e-1", name="Anna de Vries", role="employee", email="anna@example.org")
HR = Recipient(id="h-1", name="Henk HR", role="hr", locale="en", email="henk@example.org")
SICK = ConversationInfo(
    id="c-1",
    type_key="absence",
    type_label=LocalizedText(nl="Verzuimgesprek", en="Absence conversation"),
    employee_id="e-1",
    employee_name="Anna de Vries",
    manager_id="h-1",
    manager_name="Henk HR",
    on=date(2026, 3, 27),
    starts_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
    participants=(ANNA, HR),
    sensitivity="health_related",
)
REVIEW = attrs.evolve(
    SICK,
    id="c-2",
    type_key="growth_review",
    type_label=LocalizedText(nl="Groeigesprek", en="Growth review"),
    sensitivity="normal",
)


def _events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_a_feed_shows_a_neutral_confidential_event_without_addresses() -> None:
    data = feed([SICK, REVIEW], name="Henk", stamp=STAMP, locale="nl")
    sick, review = sorted(_events(data), key=lambda e: str(e["uid"]))
    assert str(sick["summary"]) == "Afspraak"
    assert str(sick["class"]) == "CONFIDENTIAL"
    assert str(review["summary"]) == "Groeigesprek: Anna de Vries"
    assert "class" not in review
    for text in (b"Verzuim", b"anna@example.org", b"henk@example.org", b"ATTENDEE"):
        assert text not in data
    assert b"Anna" not in data.replace(b"Groeigesprek: Anna de Vries", b"")


def test_a_feed_lists_attendees_only_when_asked() -> None:
    data = feed([SICK], name="Henk", stamp=STAMP, attendees=True)
    (event,) = _events(data)
    assert sorted(str(a) for a in event["attendee"]) == [
        "mailto:anna@example.org",
        "mailto:henk@example.org",
    ]
    assert str(event["summary"]) == "Afspraak"


def test_an_invitation_is_neutral_and_confidential_in_the_organizer_s_language() -> None:
    (event,) = _events(invite(SICK, organizer=HR, stamp=STAMP))
    assert (str(event["summary"]), str(event["class"])) == ("Appointment", "CONFIDENTIAL")


def test_mail_subjects_of_sensitive_types_are_neutral_and_name_no_one() -> None:
    note = Notification(key="k-1", kind="scheduled", recipient=HR, conversation=SICK)
    rendered = render(note)
    assert rendered.subject == "Invitation: Appointment on Friday 27 March 2026"
    message = build_message(note, sender="hr@example.org", clock=FixedClock(STAMP))
    assert message["Subject"] == rendered.subject
    dutch = render(attrs.evolve(note, recipient=ANNA))
    assert dutch.subject == "Uitnodiging: Afspraak op vrijdag 27 maart 2026"
    normal = render(attrs.evolve(note, conversation=REVIEW))
    assert "Growth review" in normal.subject


def test_a_template_for_exactly_that_type_keeps_its_subject() -> None:
    own = Template(subject="Gesprek $date", text="Hallo", html="<p>Hallo</p>")
    templates = Templates().with_("scheduled", "nl", own, type_key="absence")
    note = Notification(key="k-1", kind="scheduled", recipient=ANNA, conversation=SICK)
    assert render(note, templates).subject == "Gesprek vrijdag 27 maart 2026"
    general = Templates().with_("scheduled", "nl", own)
    assert render(note, general).subject.startswith("Uitnodiging: Afspraak")


_NEUTRAL = re.compile(r"[A-Za-z ]+: (Afspraak op|Appointment on) [a-zA-Z]+ \d{1,2} [a-zA-Z]+ \d{4}")


@given(gs.notifications, st.sampled_from(["confidential", "health_related"]))
def test_a_sensitive_subject_holds_only_the_kind_a_neutral_title_and_the_date(
    notification: Notification, sensitivity: str
) -> None:
    talk = notification.conversation
    if talk is None:
        return
    sensitive = attrs.evolve(notification, conversation=attrs.evolve(talk, sensitivity=sensitivity))
    assert _NEUTRAL.fullmatch(render(sensitive).subject)


def test_webhook_bodies_carry_ids_kinds_and_dates_unless_the_type_is_listed() -> None:
    note = Notification(
        key="k-1", kind="preparation", recipient=ANNA, conversation=SICK, questions=("Hoe?",)
    )
    sender = WebhookNotifier("https://example.org/hook", secret=b"s", clock=FixedClock(STAMP))
    body = sender.body_for(note)
    data = json.loads(body)
    assert data["schema"] == REFERENCE_SCHEMA
    assert data["conversation"] == {
        "id": "c-1",
        "type_key": "absence",
        "employee_id": "e-1",
        "manager_id": "h-1",
        "on": "2026-03-27",
        "starts_at": "2026-03-27T09:00:00+00:00",
        "sequence": 0,
        "cancelled": False,
    }
    for text in (b"Anna", b"anna@example.org", b"Verzuim", b"Hoe?"):
        assert text not in body
    assert read_reference(body).conversation_id == "c-1"
    full = WebhookNotifier(
        "https://example.org/hook",
        secret=b"s",
        clock=FixedClock(STAMP),
        full_payload_types=["absence"],
    ).body_for(note)
    assert read_payload(full) == note
    assert read_reference(full) == read_reference(body)


def test_conversation_info_takes_the_sensitivity_from_the_catalog() -> None:
    catalog = built_in_catalog()
    people = {
        "e-1": Person(id="e-1", name="Anna", hire_date=date(2020, 1, 1), manager_id="m-1"),
        "m-1": Person(id="m-1", name="Mo", hire_date=date(2019, 1, 1)),
    }
    window = Window(date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3))
    for type_key, expected in (
        ("exit_interview", "confidential"),
        ("absence", "health_related"),
        ("check_in", "normal"),
    ):
        talk = Conversation.plan(
            id=f"c-{type_key}",
            type_key=type_key,
            employee_id="e-1",
            manager_id="m-1",
            window=window,
        )
        assert conversation_info(talk, people, catalog).sensitivity.value == expected
