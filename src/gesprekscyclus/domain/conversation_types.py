"""Conversation types: what a kind of conversation is for, who takes part and how it is recorded.

>>> from gesprekscyclus.domain.people import Role
>>> from gesprekscyclus.domain.text import LocalizedText as T
>>> walk = ConversationType(
...     key="walk_and_talk", label=T(nl="Wandelgesprek", en="Walk and talk"),
...     purpose=T(en="An informal talk outside the office."),
...     participants=("employee", "manager"), led_by="manager", duration_minutes=30,
... )
>>> walk.led_by is Role.MANAGER, walk.sensitivity.value, walk.sign_off.value
(True, 'normal', 'none')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import ClosedSet, positive, shown, typed_fields
from gesprekscyclus.domain.people import Role
from gesprekscyclus.domain.questions import identifier
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import InvalidValueError

__all__ = ["ConversationType", "Sensitivity", "SignOffRequirement"]


class Sensitivity(ClosedSet):
    """How carefully a type's records must be handled.

    - ``normal``: readable by the participants (and by HR where the type says so);
    - ``confidential``: kept from the manager (exit interviews);
    - ``health_related``: only what an employer may record about sick leave, nothing medical.
    """

    NORMAL = "normal"
    CONFIDENTIAL = "confidential"
    HEALTH_RELATED = "health_related"


class SignOffRequirement(ClosedSet):
    """Whether a report has to be signed off (as agreed or as seen) before it is filed."""

    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


def _roles(value: Iterable[Role | str]) -> tuple[Role, ...]:
    if isinstance(value, str):
        raise InvalidValueError(
            "ConversationType.participants", f"expected a list of roles, got {shown(value)}"
        )
    roles = tuple(Role(role) for role in value)
    if not roles:
        raise InvalidValueError(
            "ConversationType.participants", "a conversation needs participants", allowed=Role
        )
    if len(set(roles)) != len(roles):
        raise InvalidValueError(
            "ConversationType.participants", f"a role is listed twice in {[str(r) for r in roles]}"
        )
    return roles


def _optional_identifier(
    instance: object, attribute: attrs.Attribute[Any], value: str | None
) -> None:
    if value is not None:
        identifier(instance, attribute, value)


@frozen(field_transformer=typed_fields)
class ConversationType:
    """A kind of conversation and its defaults; the catalog holds one per stable ``key``.

    ``question_set`` names the key of the question set used by default (its latest version
    is taken when a conversation is prepared). ``report`` says whether a shared record is
    kept; ``sign_off`` and ``employee_written_view`` only make sense with a report.
    ``private_notes`` allows notes that only their author can read. ``hr_reads_reports``
    lets the organisation's HR contact read the shared report, its comments, the written view
    and the action items even when HR does not take part (off by default: where organisations
    differ, the strict choice holds until a type says otherwise; see
    :mod:`gesprekscyclus.domain.access`). ``planned_by`` and ``followed_up_by`` name who sets
    the moment and who keeps the agreements moving when that is not the leader (HR, say);
    the catalog's :meth:`~gesprekscyclus.domain.catalog.Catalog.roles` gives every role.
    ``agreements_required_concrete`` refuses to file a report whose agreements are not each
    an action item with an owner who took part and a due date (or a reason for having none);
    ``voice_check`` asks the employee afterwards, in a short optional check, how the
    conversation went (see :mod:`gesprekscyclus.domain.voice`).
    """

    key: str = field(validator=identifier)
    label: LocalizedText
    purpose: LocalizedText
    participants: tuple[Role, ...] = field(converter=_roles)
    led_by: Role = field(converter=Role)
    duration_minutes: int = field(validator=positive)
    sensitivity: Sensitivity = field(default=Sensitivity.NORMAL, converter=Sensitivity)
    sign_off: SignOffRequirement = field(
        default=SignOffRequirement.NONE, converter=SignOffRequirement
    )
    question_set: str | None = field(default=None, validator=_optional_identifier)
    report: bool = True
    private_notes: bool = True
    employee_written_view: bool = False
    hr_reads_reports: bool = False
    planned_by: Role | None = field(default=None, converter=attrs.converters.optional(Role))
    followed_up_by: Role | None = field(default=None, converter=attrs.converters.optional(Role))
    agreements_required_concrete: bool = False
    voice_check: bool = False

    def __attrs_post_init__(self) -> None:
        if self.led_by not in self.participants:
            raise InvalidValueError(
                "ConversationType.led_by",
                f"type {self.key!r} is led by {self.led_by}, who is not a participant",
                allowed=self.participants,
            )
        if not self.report and self.sign_off is not SignOffRequirement.NONE:
            raise InvalidValueError(
                "ConversationType.sign_off",
                f"type {self.key!r} keeps no report, so there is nothing to sign off",
                allowed=(SignOffRequirement.NONE,),
            )
        for name in ("planned_by", "followed_up_by"):
            role = getattr(self, name)
            if role is not None and role not in self.participants and role is not Role.HR:
                raise InvalidValueError(
                    f"ConversationType.{name}",
                    f"type {self.key!r}: {role} neither takes part nor is HR",
                    allowed=(*self.participants, Role.HR),
                )
        if not self.report and self.agreements_required_concrete:
            raise InvalidValueError(
                "ConversationType.agreements_required_concrete",
                f"type {self.key!r} keeps no report whose agreements could be checked",
            )
        if self.voice_check and Role.EMPLOYEE not in self.participants:
            raise InvalidValueError(
                "ConversationType.voice_check",
                f"type {self.key!r} has no employee to ask",
            )
        if not self.report and self.employee_written_view:
            raise InvalidValueError(
                "ConversationType.employee_written_view",
                f"type {self.key!r} keeps no report to attach a written view to",
            )
