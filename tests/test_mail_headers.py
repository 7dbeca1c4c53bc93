"""Header values that would break an e-mail are refused at the edge, as permanent failures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.notifiers.mail import EmailNotifier, build_message, mailbox
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import (
    ConversationInfo,
    Notification,
    PermanentNotificationError,
    Recipient,
)
from gesprekscyclus.service.dispatch import Dispatcher

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)
SENDER = "HR <hr@example.org>"


def note(*, name: str = "Anna", email: str = "anna@example.org") -> Notification:
    recipient = Recipient(id="e-1", name=name, role="employee", email=email)
    return Notification(
        key="preparation:c-1:e-1",
        kind="preparation",
        recipient=recipient,
        conversation=ConversationInfo(
            id="c-1",
            type_key="check_in",
            type_label=LocalizedText(nl="Check-in"),
            employee_id="e-1",
            employee_name=name,
            manager_id="m-1",
            manager_name="Bob",
            on=date(2026, 5, 6),
            starts_at=datetime(2026, 5, 6, 7, 0, tzinfo=UTC),
            participants=(recipient,),
        ),
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "Anna\r\nBcc: eve@example.org"}, "recipient name: contains a line break"),
        ({"name": "Anna\nde Vries"}, r"recipient name: contains a line break \(U\+000A\)"),
        ({"name": "Anna\x1b[31m"}, r"recipient name: contains a control character \(U\+001B\)"),
        ({"email": "anna@example.org\r\nBcc: eve@example.org"}, "recipient address: contains"),
        ({"email": "anna@example.org, eve@example.org"}, "is not an e-mail address"),
        ({"email": "a@b@example.org"}, "is not an e-mail address"),
        ({"email": "not an address"}, "is not an e-mail address"),
        ({"email": "zoë@example.org"}, "non-ASCII local part, which needs SMTPUTF8"),
    ],
)
def test_broken_names_and_addresses_are_permanent_failures(
    changes: dict[str, str], expected: str
) -> None:
    with pytest.raises(PermanentNotificationError, match=expected):
        build_message(note(**changes), sender=SENDER, clock=CLOCK)


def test_an_international_domain_is_sent_in_its_ascii_form() -> None:
    message = build_message(note(email="anna@bücher.example"), sender=SENDER, clock=CLOCK)
    assert message["To"] == "Anna <anna@xn--bcher-kva.example>"


def test_a_sender_with_a_line_break_is_refused_when_configured() -> None:
    with pytest.raises(InvalidValueError, match=r"EmailNotifier\.sender: sender: contains a line"):
        EmailNotifier("localhost", sender="HR\r\nBcc: eve@example.org <hr@example.org>")
    with pytest.raises(PermanentNotificationError, match="sender: contains a line break"):
        build_message(note(), sender="hr@example.org\n", clock=CLOCK)


def test_the_dispatcher_dead_letters_a_broken_header_at_once() -> None:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([note(name="Anna\r\nBcc: eve@example.org")], due_at=NOW)
    # Port 9 (discard) is never contacted: the message fails before any connection.
    notifier = EmailNotifier("127.0.0.1", 9, sender=SENDER, clock=CLOCK, timeout=0.5)
    report = Dispatcher(store, notifier, CLOCK, owner="test").run_once()
    assert (report.sent, report.retried, report.dead) == (0, 0, 1)
    (dead,) = store.dead_letters()
    assert dead.attempts == 1
    assert dead.last_error is not None
    assert "recipient name: contains a line break" in dead.last_error


one_line_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1
).filter(lambda text: bool(text.strip()))


@given(one_line_names)
def test_any_one_line_name_gives_a_header_that_parses_back(name: str) -> None:
    value = mailbox(name, "anna@example.org")
    message = build_message(note(name=name), sender=SENDER, clock=CLOCK)
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    assert parsed["To"].addresses[0].addr_spec == "anna@example.org"
    assert "\n" not in value
    assert parsed["Bcc"] is None


@given(st.text(max_size=40))
def test_any_text_as_a_name_is_sent_or_refused_permanently(name: str) -> None:
    try:
        mailbox(name, "anna@example.org")
    except PermanentNotificationError as error:
        assert "recipient name" in str(error)  # noqa: PT017 - the message names the part
