"""The notifier port: how reminders leave the library.

The service writes each :class:`Notification` to the outbox in the same transaction as the
change that caused it; a dispatcher later hands it to a :class:`Notifier`. The contract:

- ``send`` either delivers the notification or raises. It returns only after delivery.
- It raises :class:`TransientNotificationError` when trying again later may succeed (a
  connection refused, SMTP 4xx, HTTP 429/5xx, a time-out) and
  :class:`PermanentNotificationError` when it never will (SMTP 5xx, HTTP 4xx); the outbox then
  retries with backoff or moves the row to the dead letters with the reason.
- ``notification.key`` is unique and stable: a notifier passes it on (``Message-ID``, an HTTP
  header, a UID) so that the receiving side can recognise a repeat after a crash.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol, runtime_checkable

from attrs import field, frozen

from gesprekscyclus.domain._checks import ClosedSet, aware, non_blank
from gesprekscyclus.domain.conversation_types import Sensitivity
from gesprekscyclus.domain.guides import GuideSection
from gesprekscyclus.domain.people import Role
from gesprekscyclus.domain.reminders import ReminderKind
from gesprekscyclus.domain.state_changes import StateChange
from gesprekscyclus.domain.text import Locale, LocalizedText
from gesprekscyclus.errors import GesprekscyclusError, InvalidValueError

__all__ = [
    "APPLICATION",
    "NEUTRAL_TITLE",
    "ActionItemInfo",
    "ConversationInfo",
    "Notification",
    "NotificationError",
    "Notifier",
    "PermanentNotificationError",
    "Recipient",
    "ReminderKind",
    "TargetOutcome",
    "TargetStatus",
    "TargetedNotifier",
    "TransientNotificationError",
    "accepts",
    "state_change_notification",
]


@frozen
class Recipient:
    """Who receives a notification, in which language."""

    id: str = field(validator=non_blank)
    name: str = field(validator=non_blank)
    role: Role = field(converter=Role)
    locale: Locale = field(default=Locale.NL, converter=Locale)
    email: str | None = None


#: What third parties see instead of the type of a confidential or health-related
#: conversation (calendar titles, mail subjects).
NEUTRAL_TITLE = LocalizedText(nl="Afspraak", en="Appointment")


@frozen
class ConversationInfo:
    """What a notification says about a conversation.

    ``starts_at`` is an aware datetime once a time is fixed, else ``None`` and only ``on``
    (the target date) is known. ``sequence`` rises with every reschedule (iCalendar SEQUENCE).
    ``sensitivity`` is the type's: where a third party may see it, a confidential or
    health-related conversation shows only :attr:`public_title`.
    ``modified_at`` is when the conversation last changed (its latest transition), ``None``
    while it is as planned.
    """

    id: str = field(validator=non_blank)
    type_key: str = field(validator=non_blank)
    type_label: LocalizedText
    employee_id: str
    employee_name: str
    manager_id: str | None
    manager_name: str | None
    on: date
    time_zone: str = "Europe/Amsterdam"
    starts_at: datetime | None = None
    duration_minutes: int = 60
    sequence: int = 0
    cancelled: bool = False
    participants: tuple[Recipient, ...] = ()
    sensitivity: Sensitivity = field(default=Sensitivity.NORMAL, converter=Sensitivity)
    modified_at: datetime | None = None

    @property
    def is_sensitive(self) -> bool:
        """Whether the type is confidential or health-related."""
        return self.sensitivity is not Sensitivity.NORMAL

    def public_title(self, locale: Locale | str) -> str:
        """The title others may see: the type label, or :data:`NEUTRAL_TITLE` for a
        sensitive type.

        >>> from datetime import date
        >>> info = ConversationInfo(id="c-1", type_key="absence",
        ...     type_label=LocalizedText(nl="Verzuimgesprek", en="Absence conversation"),
        ...     employee_id="e-1", employee_name="Anna", manager_id=None, manager_name=None,
        ...     on=date(2026, 3, 2), sensitivity="health_related")
        >>> info.public_title("nl"), info.public_title("en")
        ('Afspraak', 'Appointment')
        """
        label = NEUTRAL_TITLE if self.is_sensitive else self.type_label
        return label.in_(locale)


@frozen
class ActionItemInfo:
    """What a notification says about an action item."""

    id: str
    title: str
    owner_id: str
    due: date | None


@frozen
class Notification:
    """One message to one recipient, identified by its idempotency ``key``.

    ``expires_at`` is the instant from which it no longer serves (a preparation reminder once
    the conversation has begun); a dispatcher then expires it instead of sending it. ``None``
    means it serves until withdrawn.

    ``guide`` holds, for the person leading the conversation only, the type's guide in their
    language (see :mod:`gesprekscyclus.domain.guides`); ``guide_ref`` names that guide's
    version (``guide:<type>:<digest>``), which is what a webhook carries instead of the text.
    """

    key: str = field(validator=non_blank)
    kind: ReminderKind = field(converter=ReminderKind)
    recipient: Recipient
    conversation: ConversationInfo | None = None
    action_item: ActionItemInfo | None = None
    questions: tuple[str, ...] = ()
    expires_at: datetime | None = field(default=None, validator=aware)
    guide: tuple[GuideSection, ...] = ()
    guide_ref: str | None = None

    event: StateChange | None = None

    def __attrs_post_init__(self) -> None:
        if self.event is not None and self.kind is not ReminderKind.STATE_CHANGE:
            raise InvalidValueError(
                "Notification.event", "only a state_change notification carries an event"
            )
        bare = self.recipient.id == APPLICATION.id and not (self.conversation or self.action_item)
        if self.event is None and self.kind is ReminderKind.STATE_CHANGE and not bare:
            # only a redacted one (its retention period over) goes without its event
            raise InvalidValueError(
                "Notification.event", "a state_change notification carries its event"
            )
        if self.event is not None and self.key != self.event.id:
            raise InvalidValueError(
                "Notification.key", f"{self.key!r} differs from the event id {self.event.id!r}"
            )

    @property
    def is_state_change(self) -> bool:
        """Whether this is a state change for applications rather than a reminder."""
        return self.kind is ReminderKind.STATE_CHANGE

    def has_expired(self, now: datetime) -> bool:
        """Whether its moment has passed at ``now``."""
        return self.expires_at is not None and now >= self.expires_at


class NotificationError(GesprekscyclusError):
    """Delivery failed; ``reason`` is what the other side said."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class TransientNotificationError(NotificationError):
    """Delivery failed but may succeed later: retry with backoff."""


class PermanentNotificationError(NotificationError):
    """Delivery will never succeed as is: dead-letter it with the reason."""


@runtime_checkable
class Notifier(Protocol):
    """Delivers notifications; see the module docstring for the contract.

    A notifier takes reminders only, unless it says otherwise with an ``accepts`` method
    (see :func:`accepts`): state changes are for applications, so a notifier that reaches
    people (e-mail, calendars) never sees them.
    """

    def send(self, notification: Notification) -> None: ...


#: The recipient of every state change: the embedding application, which reads with HR's
#: rights (what it looks up through views is what HR may see).
APPLICATION = Recipient(id="application", name="application", role=Role.HR)


def state_change_notification(event: StateChange) -> Notification:
    """The outbox message that carries ``event`` (its key is the event id).

    >>> from datetime import UTC, datetime
    >>> event = StateChange.of("person.hired", "e-1", sequence=1,
    ...     occurred_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    >>> note = state_change_notification(event)
    >>> note.kind.value, note.key == event.id, note.recipient is APPLICATION
    ('state_change', True, True)
    """
    return Notification(
        key=event.id, kind=ReminderKind.STATE_CHANGE, recipient=APPLICATION, event=event
    )


def accepts(notifier: object, notification: Notification) -> bool:
    """Whether ``notifier`` takes ``notification``: its own ``accepts(notification)`` when it
    has one, else reminders only (never state changes).

    >>> from datetime import UTC, datetime
    >>> event = StateChange.of("person.hired", "e-1", sequence=1,
    ...     occurred_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    >>> class Mail:
    ...     def send(self, notification): ...
    >>> accepts(Mail(), state_change_notification(event))
    False
    """
    own = getattr(notifier, "accepts", None)
    if callable(own):
        return bool(own(notification))
    return not notification.is_state_change


class TargetStatus(ClosedSet):
    """What one target of a fan-out notifier did with a notification."""

    SENT = "sent"
    FAILED = "failed"
    #: It had the notification from an earlier attempt: not sent again.
    ALREADY = "already"
    #: It does not take this kind (a mail notifier and a state change).
    NOT_FOR_IT = "not_for_it"


@frozen
class TargetOutcome:
    """One target's outcome; ``error`` is set when it failed."""

    target: str = field(validator=non_blank)
    status: TargetStatus = field(converter=TargetStatus)
    error: NotificationError | None = field(default=None, eq=False)


@runtime_checkable
class TargetedNotifier(Protocol):
    """A notifier with several named targets that reports per target (see
    :class:`~gesprekscyclus.adapters.notifiers.fanout.FanOutNotifier`): the dispatcher
    records which targets have a message, so that a retry goes only to the others."""

    def send(self, notification: Notification) -> None: ...

    def send_to_targets(
        self, notification: Notification, *, skip: frozenset[str]
    ) -> tuple[TargetOutcome, ...]:
        """Send to every target that takes ``notification``, except those in ``skip``;
        never raises for a target's failure (it is in the outcome)."""
        ...
