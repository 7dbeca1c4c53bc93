"""Reminder kinds and the per-type reminder policy of a cycle design.

>>> policy = ReminderPolicy(preparation_days=10)
>>> policy.sends(ReminderKind.PREPARATION), policy.preparation_days
(True, 10)
>>> ReminderPolicy(enabled=frozenset({"day_before"})).sends("preparation")
False
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import ClosedSet, field_path, shown, typed_fields
from gesprekscyclus.errors import InvalidValueError

__all__ = ["REMINDER_KINDS", "ReminderKind", "ReminderPolicy", "reminder_key"]


class ReminderKind(ClosedSet):
    """Why a notification is sent."""

    PREPARATION = "preparation"
    DAY_BEFORE = "day_before"
    REPORT_DUE = "report_due"
    SIGN_OFF_PENDING = "sign_off_pending"
    ESCALATION = "escalation"
    ACTION_ITEM_DUE = "action_item_due"
    ACTION_ITEM_OVERDUE = "action_item_overdue"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    VOICE_CHECK = "voice_check"

    #: A state change for applications (webhooks, subscribers), never mailed to a person;
    #: see :mod:`gesprekscyclus.domain.state_changes`.
    STATE_CHANGE = "state_change"


#: The kinds that remind people: every kind but :attr:`ReminderKind.STATE_CHANGE`.
REMINDER_KINDS = frozenset(kind for kind in ReminderKind if kind is not ReminderKind.STATE_CHANGE)


def reminder_key(kind: ReminderKind | str, *parts: object) -> str:
    """The idempotency key of a reminder: its kind and a digest of what it is about.

    The digest keeps keys short and safe for mail headers whatever the ids contain.

    >>> reminder_key("preparation", "c-1", "e-1")
    'preparation-a8206417cd60b58938dee0e0'
    """
    text = "\x1f".join(str(part) for part in parts)
    digest = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
    return f"{ReminderKind(kind).value}-{digest}"


def _kinds(value: Iterable[str]) -> frozenset[ReminderKind]:
    kinds = frozenset(ReminderKind(kind) for kind in value)
    if ReminderKind.STATE_CHANGE in kinds:
        raise InvalidValueError(
            "ReminderPolicy.enabled",
            "state_change is not a reminder (state changes go to applications, always)",
            allowed=sorted(kind.value for kind in REMINDER_KINDS),
        )
    return kinds


def _days(instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 366:
        raise InvalidValueError(
            field_path(instance, attribute),
            f"must be a whole number of days 0–366, got {shown(value)}",
        )


@frozen(field_transformer=typed_fields)
class ReminderPolicy:
    """Which reminders a conversation type sends, and when (in days).

    - ``preparation_days`` before the target date: each participant gets the questions for
      their audience;
    - ``day_before``: the day before a conversation with a fixed time;
    - ``report_due_days`` after a conversation was held: the leader, while no report is filed;
    - ``sign_off_days`` after a report was shared: the employee, while unsigned;
    - ``escalate_after_days`` past the latest date: HR, while not held;
    - ``action_item_due_days`` before an action item is due: its owner (and once overdue);
    - ``voice_check``: once a conversation is held, the employee's short check on how it went,
      where the type (or the design's rule for it) asks for one.

    ``enabled`` lists the kinds that are sent at all (all of them by default).
    """

    enabled: frozenset[ReminderKind] = field(factory=lambda: REMINDER_KINDS, converter=_kinds)
    preparation_days: int = field(default=7, validator=_days)
    report_due_days: int = field(default=3, validator=_days)
    sign_off_days: int = field(default=5, validator=_days)
    escalate_after_days: int = field(default=7, validator=_days)
    action_item_due_days: int = field(default=2, validator=_days)

    def sends(self, kind: ReminderKind | str) -> bool:
        """Whether reminders of ``kind`` are enabled."""
        return ReminderKind(kind) in self.enabled
