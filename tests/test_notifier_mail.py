"""The e-mail notifier against a real SMTP server (aiosmtpd) on the loopback interface."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Any

import icalendar
import pytest
from aiosmtpd.controller import Controller

from gesprekscyclus.adapters.notifiers.mail import EmailNotifier, build_message, message_id
from gesprekscyclus.adapters.notifiers.templates import Template, Templates
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import (
    ActionItemInfo,
    ConversationInfo,
    Notification,
    PermanentNotificationError,
    Recipient,
    TransientNotificationError,
)

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
ANNA = Recipient(id="e-1", name="Anna de Vries", role="employee", email="anna@example.org")
BOB = Recipient(id="m-1", name="Bob", role="manager", locale="en", email="bob@example.org")
TALK = ConversationInfo(
    id="c-9",
    type_key="growth_review",
    type_label=LocalizedText(nl="Groeigesprek", en="Growth review"),
    employee_id="e-1",
    employee_name="Anna de Vries",
    manager_id="m-1",
    manager_name="Bob",
    on=date(2026, 4, 2),
    starts_at=datetime(2026, 4, 2, 12, 30, tzinfo=UTC),
    sequence=1,
    participants=(ANNA, BOB),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Collect:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


class Answer:
    def __init__(self, reply: str, *, at: str = "DATA", delay: float = 0.0) -> None:
        self.reply, self.at, self.delay = reply, at, delay

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.at == "RCPT":
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(self.delay)
        return self.reply


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[Controller] = []

    def start(handler: object) -> int:
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return port

    yield start
    for controller in started:
        controller.stop()


def notifier(port: int, **options: Any) -> EmailNotifier:
    return EmailNotifier(
        "127.0.0.1",
        port,
        sender="HR <hr@example.org>",
        timeout=options.pop("timeout", 5.0),
        clock=FixedClock(NOW),
        **options,
    )


def parsed(envelope: Any) -> EmailMessage:
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_delivers_text_html_and_invitation(serve: Any) -> None:
    handler = Collect()
    port = serve(handler)
    note = Notification(
        key="scheduled:c-9:e-1:1",
        kind="scheduled",
        recipient=ANNA,
        conversation=TALK,
        questions=("Waar ben je trots op?",),
    )
    notifier(port).send(note)
    (envelope,) = handler.envelopes
    assert envelope.mail_from == "hr@example.org"
    assert envelope.rcpt_tos == ["anna@example.org"]
    message = parsed(envelope)
    assert message["Message-ID"] == message_id("scheduled:c-9:e-1:1", domain="example.org")
    assert message["Message-ID"].endswith("@example.org>"), "the sender's domain"
    assert message["Content-Language"] == "nl"
    assert message["X-Gesprekscyclus-Key"] == "scheduled:c-9:e-1:1"
    # Not folded after "Subject:", so mail readers show no leading space.
    assert message["Subject"] == (
        "Ingepland: Groeigesprek op donderdag 2 april 2026 om 14:30 (Europe/Amsterdam)"
    )
    assert message["To"].addresses[0].display_name == "Anna de Vries"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None
    assert html is not None
    assert "om 14:30 (Europe/Amsterdam)" in plain.get_content()
    assert "Waar ben je trots op?" in plain.get_content()
    assert "<li>Waar ben je trots op?</li>" in html.get_content()
    calendars = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(calendars) == 1
    assert calendars[0].get_param("method") == "REQUEST"
    attachments = list(message.iter_attachments())
    assert [part.get_filename() for part in attachments] == ["uitnodiging.ics"]
    calendar = icalendar.Calendar.from_ical(attachments[0].get_content())
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == "c-9@example.org"
    assert event["SEQUENCE"] == 1
    assert str(event["ORGANIZER"]) == "mailto:bob@example.org"
    assert event["ORGANIZER"].params["SENT-BY"] == "mailto:hr@example.org"


def test_resend_has_the_same_message_id(serve: Any) -> None:
    handler = Collect()
    port = serve(handler)
    note = Notification(key="k-twice", kind="report_due", recipient=BOB, conversation=TALK)
    sender = notifier(port)
    sender.send(note)
    sender.send(note)
    ids = [parsed(envelope)["Message-ID"] for envelope in handler.envelopes]
    assert ids[0] == ids[1] == message_id("k-twice", domain="example.org")
    english = parsed(handler.envelopes[0])
    assert english["Content-Language"] == "en"
    assert english["Subject"].strip() == "Report due: Growth review with Anna de Vries"
    assert not [p for p in english.walk() if p.get_content_type() == "text/calendar"]


def test_cancellation_carries_a_cancel_invitation(serve: Any) -> None:
    handler = Collect()
    port = serve(handler)
    gone = ConversationInfo(**{**_fields(TALK), "cancelled": True, "sequence": 2})
    notifier(port, message_id_domain="hr.example.org").send(
        Notification(key="k-cancel", kind="cancelled", recipient=BOB, conversation=gone)
    )
    message = parsed(handler.envelopes[0])
    assert message["Message-ID"].endswith("@hr.example.org>")
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    calendar = icalendar.Calendar.from_ical(part.get_content())
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert [a.get_filename() for a in message.iter_attachments()] == ["invitation.ics"]


def _fields(conversation: ConversationInfo) -> dict[str, Any]:
    return {a.name: getattr(conversation, a.name) for a in ConversationInfo.__attrs_attrs__}


def test_action_item_mail_with_custom_template(serve: Any) -> None:
    handler = Collect()
    port = serve(handler)
    templates = Templates().with_(
        "action_item_due",
        "nl",
        Template(
            subject="Te doen: $action_title", text="Voor $action_due", html="<p>$action_title</p>"
        ),
    )
    item = ActionItemInfo(id="a-1", title="<Cursus> boeken", owner_id="e-1", due=date(2026, 4, 1))
    notifier(port, templates=templates).send(
        Notification(key="k-a", kind="action_item_due", recipient=ANNA, action_item=item)
    )
    message = parsed(handler.envelopes[0])
    assert message["Subject"].strip() == "Te doen: <Cursus> boeken"
    assert message.get_body(("plain",)).get_content().strip() == "Voor woensdag 1 april 2026"  # type: ignore[union-attr]
    assert "&lt;Cursus&gt; boeken" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_temporary_rejection_is_transient(serve: Any) -> None:
    port = serve(Answer("451 4.3.0 try again later"))
    with pytest.raises(TransientNotificationError, match="SMTP 451") as caught:
        notifier(port).send(Notification(key="k", kind="report_due", recipient=ANNA))
    assert "try again later" in caught.value.reason


def test_permanent_rejection_is_permanent(serve: Any) -> None:
    port = serve(Answer("550 5.7.1 message refused"))
    with pytest.raises(PermanentNotificationError, match=r"SMTP 550.*message refused"):
        notifier(port).send(Notification(key="k", kind="report_due", recipient=ANNA))


def test_refused_recipient_is_permanent(serve: Any) -> None:
    port = serve(Answer("550 5.1.1 no such mailbox", at="RCPT"))
    with pytest.raises(PermanentNotificationError, match="no such mailbox"):
        notifier(port).send(Notification(key="k", kind="report_due", recipient=ANNA))


def test_closed_port_is_transient() -> None:
    with pytest.raises(TransientNotificationError, match=r"127\.0\.0\.1"):
        notifier(free_port()).send(Notification(key="k", kind="report_due", recipient=ANNA))


def test_slow_server_times_out_as_transient(serve: Any) -> None:
    port = serve(Answer("250 OK", delay=2.0))
    with pytest.raises(TransientNotificationError, match="timed out"):
        notifier(port, timeout=0.5).send(Notification(key="k", kind="report_due", recipient=ANNA))


def test_recipient_without_address_is_permanent_and_named() -> None:
    nobody = Recipient(id="e-7", name="Chris", role="employee")
    with pytest.raises(PermanentNotificationError, match=r"e-7 \(Chris\) has no e-mail address"):
        build_message(
            Notification(key="k", kind="report_due", recipient=nobody),
            sender="hr@example.org",
            clock=FixedClock(NOW),
        )


def test_configuration_is_checked() -> None:
    with pytest.raises(InvalidValueError, match="allowed: none, starttls, ssl"):
        EmailNotifier("localhost", sender="hr@example.org", security="tls")
    with pytest.raises(InvalidValueError, match=r"EmailNotifier\.sender"):
        EmailNotifier("localhost", sender="")
    with pytest.raises(InvalidValueError, match="username and password"):
        EmailNotifier("localhost", sender="hr@example.org", username="hr")
