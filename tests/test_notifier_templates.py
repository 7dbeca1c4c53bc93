"""Rendering notifications into localised subject, text and HTML, and template overrides."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.notifiers.templates import (
    PLACEHOLDERS,
    Template,
    Templates,
    format_date,
    render,
    values_for,
)
from gesprekscyclus.domain.reminders import REMINDER_KINDS
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.notifier import (
    ActionItemInfo,
    ConversationInfo,
    Notification,
    Recipient,
)
from gesprekscyclus.serialization import from_data, to_data

from . import strategies as gs

ANNA = Recipient(id="e-1", name="Anna", role="employee", locale="nl", email="anna@example.org")
BOB = Recipient(id="m-1", name="Bob", role="manager", locale="en", email="bob@example.org")


def talk(**changes: object) -> ConversationInfo:
    values: dict[str, object] = {
        "id": "c-1",
        "type_key": "growth_review",
        "type_label": LocalizedText(nl="Groeigesprek", en="Growth review"),
        "employee_id": "e-1",
        "employee_name": "Anna",
        "manager_id": "m-1",
        "manager_name": "Bob",
        "on": date(2026, 10, 26),
        # 08:00 UTC is 09:00 in Amsterdam on the Monday after the clocks went back.
        "starts_at": datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
        "participants": (ANNA, BOB),
    }
    values.update(changes)
    return ConversationInfo(**values)  # type: ignore[arg-type]


@given(gs.template_sets)
def test_templates_round_trip(templates: Templates) -> None:
    assert from_data(Templates, to_data(templates)) == templates


@given(gs.notifications)
def test_notifications_round_trip(notification: Notification) -> None:
    assert from_data(Notification, to_data(notification)) == notification


hostile = gs.wild_texts.filter(lambda text: bool(text.strip()))


@given(
    gs.notifications,
    st.lists(gs.wild_texts, max_size=3),
    hostile,
    hostile,
    gs.template_sets,
)
def test_rendering_never_raises_and_escapes_html(
    notification: Notification,
    questions: list[str],
    name: str,
    label: str,
    templates: Templates,
) -> None:
    conversation = notification.conversation
    if conversation is not None:
        conversation = attrs.evolve(conversation, type_label=LocalizedText(nl=label, en=label))
    recipient = Recipient(
        id=notification.recipient.id,
        name=name + "<script>",
        role=notification.recipient.role,
        locale=notification.recipient.locale,
    )
    hostile_note = Notification(
        key=notification.key,
        kind=notification.kind,
        recipient=recipient,
        conversation=conversation,
        action_item=notification.action_item,
        questions=(*questions, "<b>bold</b> ${date} $$ {0}"),
    )
    for chosen in (None, templates):
        message = render(hostile_note, chosen)
        assert "\n" not in message.subject
        assert "\r" not in message.subject
        assert "<script>" not in message.html
        assert "<b>bold</b>" not in message.html
        assert message.text.endswith("\n")
    default = render(hostile_note)
    assert html.escape("<b>bold</b> ${date} $$ {0}") in default.html
    assert "<b>bold</b> ${date} $$ {0}" in default.text


def test_dutch_and_english_texts_with_local_time() -> None:
    questions = ("Wat ging goed?",)
    dutch = render(
        Notification(
            key="k", kind="preparation", recipient=ANNA, conversation=talk(), questions=questions
        )
    )
    assert dutch.subject == "Voorbereiding: Groeigesprek op maandag 26 oktober 2026"
    assert "maandag 26 oktober 2026 om 09:00 (Europe/Amsterdam)" in dutch.text
    assert "met Bob" in dutch.text
    assert "Vragen ter voorbereiding:\n- Wat ging goed?" in dutch.text
    assert '<html lang="nl">' in dutch.html
    assert "<li>Wat ging goed?</li>" in dutch.html
    english = render(Notification(key="k", kind="day_before", recipient=BOB, conversation=talk()))
    assert english.subject == "Tomorrow: Growth review with Anna"
    assert "Monday 26 October 2026 at 09:00 (Europe/Amsterdam)" in english.text
    assert "Questions" not in english.text
    assert "\n\n\n" not in english.text


def test_summer_time_is_shown_in_the_conversation_zone() -> None:
    summer = talk(on=date(2026, 10, 23), starts_at=datetime(2026, 10, 23, 8, 0, tzinfo=UTC))
    values = values_for(Notification(key="k", kind="scheduled", recipient=BOB, conversation=summer))
    assert values["time"] == "10:00"
    assert values["date"] == "Friday 23 October 2026"


def test_date_only_conversation_has_no_time() -> None:
    planned = talk(starts_at=None)
    values = values_for(
        Notification(key="k", kind="preparation", recipient=BOB, conversation=planned)
    )
    assert values["time"] == ""
    assert values["when"] == "Monday 26 October 2026"


def test_action_item_texts() -> None:
    item = ActionItemInfo(id="a-1", title="Cursus boeken", owner_id="e-1", due=date(2026, 11, 2))
    message = render(
        Notification(key="k", kind="action_item_overdue", recipient=ANNA, action_item=item)
    )
    assert message.subject == "Actiepunt verlopen: Cursus boeken"
    assert "maandag 2 november 2026" in message.text
    undated = ActionItemInfo(id="a-1", title="Read", owner_id="m-1", due=None)
    english = render(
        Notification(key="k", kind="action_item_due", recipient=BOB, action_item=undated)
    )
    assert english.subject == "Action item: Read (due no due date)"


def test_every_kind_has_both_languages() -> None:
    for kind in sorted(REMINDER_KINDS):
        for recipient in (ANNA, BOB):
            message = render(
                Notification(key="k", kind=kind, recipient=recipient, conversation=talk())
            )
            assert message.subject.strip()
            assert message.locale is recipient.locale


def test_override_order_type_then_kind_then_built_in() -> None:
    general = Template(subject="General $date", text="t", html="h")
    special = Template(subject="Special $type_key", text="t", html="h")
    templates = (
        Templates()
        .with_("preparation", "nl", general)
        .with_("preparation", "nl", special, type_key="growth_review")
    )
    note = Notification(key="k", kind="preparation", recipient=ANNA, conversation=talk())
    assert render(note, templates).subject == "Special growth_review"
    other = Notification(
        key="k", kind="preparation", recipient=ANNA, conversation=talk(type_key="check_in")
    )
    assert render(other, templates).subject == "General maandag 26 oktober 2026"
    english = Notification(key="k", kind="preparation", recipient=BOB, conversation=talk())
    assert render(english, templates).subject.startswith("Prepare:")
    replaced = templates.with_("preparation", "nl", Template(subject="New", text="", html=""))
    assert render(other, replaced).subject == "New"
    assert len(replaced.overrides) == 2


def test_unknown_placeholder_lists_allowed_names() -> None:
    with pytest.raises(InvalidValueError) as caught:
        Template(subject="Hi $firstname", text="", html="")
    assert caught.value.path == "Template.subject"
    assert caught.value.allowed == tuple(sorted(PLACEHOLDERS))


def test_lone_dollar_is_rejected() -> None:
    with pytest.raises(InvalidValueError, match=r"Template\.html.*\$\$"):
        Template(subject="", text="", html="costs 5$")


def test_duplicate_override_slots_are_rejected() -> None:
    one = Templates().with_("report_due", "en", Template(subject="a", text="", html=""))
    with pytest.raises(InvalidValueError, match=r"Templates\.overrides\[1\]"):
        Templates((*one.overrides, *one.overrides))


def test_unknown_kind_lists_allowed_values() -> None:
    with pytest.raises(InvalidValueError) as caught:
        Templates().template_for("birthday", "nl")
    assert "preparation" in (caught.value.allowed or ())


def test_format_date_in_both_languages() -> None:
    assert format_date(date(2028, 2, 29), "nl") == "dinsdag 29 februari 2028"
    assert format_date(date(2028, 2, 29), "en") == "Tuesday 29 February 2028"
