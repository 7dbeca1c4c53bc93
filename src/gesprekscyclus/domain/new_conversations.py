"""New planned conversations as plain values, for creating many at once.

Materialising a plan creates hundreds of thousands of conversations that differ only in
their id, people and window. :class:`PlannedKind` holds what the conversations of one type
share (type, roles, duration, time zone, report, HR contact, design version, lateness) and is
checked once, by the same validators as :class:`~gesprekscyclus.domain.conversations.
Conversation`. :class:`NewConversations` turns each plan row into a :class:`NewConversation`
(a named tuple) after the checks that differ per row (the id and the people's ids are
storable text, the manager is not the employee, the window is ordered), so that a store can
write it straight as a row. Whatever these quick checks doubt is built as a full
``Conversation`` instead, which raises the error :meth:`Conversation.plan` would raise.

:meth:`NewConversation.conversation` is the full object, equal to what
:meth:`Conversation.plan` gives for the same values: a store without rows (the memory store)
stores that, and the tests hold every store's row of a new conversation equal to the row of
its full object.

>>> from datetime import date
>>> kind = PlannedKind(type_key="check_in", roles=("employee", "manager"))
>>> new = NewConversations().add(kind, "c-1", "e-1", "m-1",
...     date(2026, 2, 1), date(2026, 2, 2), date(2026, 2, 16))
>>> [(person, role.value) for person, role in new.participants()]
[('e-1', 'employee'), ('m-1', 'manager')]
>>> talk = new.conversation()
>>> talk.status.value, [p.person_id for p in talk.participants]
('planned', ['e-1', 'm-1'])
>>> NewConversations().add(kind, " ", "e-1", None, date(2026, 2, 1), date(2026, 2, 2),
...     date(2026, 2, 16))
Traceback (most recent call last):
...
gesprekscyclus.errors.InvalidValueError: Conversation.id: must not be blank
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import (
    check_text,
    iana_zone,
    non_blank,
    positive,
    storable,
    typed_fields,
)
from gesprekscyclus.domain.conversations import Conversation, Participant, Window
from gesprekscyclus.domain.people import Role

__all__ = ["NewConversation", "NewConversations", "PlannedKind"]

_identity = id  # ``add`` takes an argument named ``id``
_made = tuple.__new__  # a named tuple from its values, without a call of its ``__new__``


def _roles(values: object) -> tuple[Role, ...]:
    return tuple(Role(value) for value in values)  # type: ignore[attr-defined]


@frozen(field_transformer=typed_fields)
class PlannedKind:
    """What new planned conversations of one type share (see the module docstring).

    ``roles`` are the type's participant roles; without ``manager`` among them the manager
    takes no part. ``hr_contact_id`` takes part as HR in types with an HR role, unless they
    are the employee or the manager already.
    """

    type_key: str = field(validator=non_blank)
    roles: tuple[Role, ...] = field(converter=_roles)
    duration_minutes: int = field(default=60, validator=positive)
    time_zone: str = field(default="Europe/Amsterdam", validator=iana_zone)
    requires_report: bool = field(default=False, validator=attrs.validators.instance_of(bool))
    hr_contact_id: str | None = field(default=None, validator=non_blank)
    design_version: int | None = field(default=None, validator=positive)
    known_late: bool = field(default=False, validator=attrs.validators.instance_of(bool))

    @property
    def has_manager(self) -> bool:
        """Whether the manager takes part."""
        return Role.MANAGER in self.roles

    def hr_for(self, employee_id: str, manager_id: str | None) -> str | None:
        """The HR participant of a conversation between these two, if any."""
        hr = self.hr_contact_id
        if hr is None or Role.HR not in self.roles or hr in (employee_id, manager_id):
            return None
        return hr


class NewConversation(NamedTuple):
    """One new planned conversation: its kind, id, people and window, checked.

    ``manager_id`` is ``None`` when the kind has no manager role.
    """

    kind: PlannedKind
    id: str
    employee_id: str
    manager_id: str | None
    earliest: date
    target: date
    latest: date

    def participants(self) -> tuple[tuple[str, Role], ...]:
        """Who takes part, in the order :meth:`Conversation.plan` lists them."""
        found = [(self.employee_id, Role.EMPLOYEE)]
        if self.manager_id is not None:
            found.append((self.manager_id, Role.MANAGER))
        hr = self.kind.hr_for(self.employee_id, self.manager_id)
        if hr is not None:
            found.append((hr, Role.HR))
        return tuple(found)

    def conversation(self) -> Conversation:
        """The full conversation, built and checked by :meth:`Conversation.plan`."""
        kind = self.kind
        hr = kind.hr_for(self.employee_id, self.manager_id)
        return Conversation.plan(
            id=self.id,
            type_key=kind.type_key,
            employee_id=self.employee_id,
            manager_id=self.manager_id,
            window=Window(self.earliest, self.target, self.latest),
            participants=() if hr is None else (Participant(hr, Role.HR),),
            roles=kind.roles,
            duration_minutes=kind.duration_minutes,
            time_zone=kind.time_zone,
            requires_report=kind.requires_report,
            design_version=kind.design_version,
            known_late=kind.known_late,
        )


class NewConversations:
    """Makes checked :class:`NewConversation` values; remembers the person ids it checked."""

    def __init__(self) -> None:
        self._people: set[str] = set()
        # Per kind (by identity, kept alive in ``_kinds``), employee and manager as given:
        # the manager stored (in a 1-tuple), once that pair of people passed the checks.
        self._pairs: dict[tuple[int, str, str | None], tuple[str | None]] = {}
        self._kinds: dict[int, PlannedKind] = {}

    def add(
        self,
        kind: PlannedKind,
        id: str,
        employee_id: str,
        manager_id: str | None,
        earliest: date,
        target: date,
        latest: date,
    ) -> NewConversation:
        """A new planned conversation of ``kind``; raises what :meth:`Conversation.plan`
        raises for values it refuses."""
        try:
            checked = self._pairs.get((_identity(kind), employee_id, manager_id))
        except TypeError:  # an id that is no text: the full check below says so
            checked = None
        if (
            checked is not None
            and type(earliest) is date
            and type(target) is date
            and type(latest) is date
            and earliest <= target <= latest
            and type(id) is str
            and id.strip()
            and storable(id)
        ):
            return _made(
                NewConversation, (kind, id, employee_id, checked[0], earliest, target, latest)
            )
        new = NewConversation(
            kind,
            id,
            employee_id,
            manager_id if kind.has_manager else None,
            earliest,
            target,
            latest,
        )
        if not self._plain(new):
            new.conversation()  # raises the precise error when a value is refused
            self._people.update(person for person, _role in new.participants())
        key = (_identity(kind), employee_id, manager_id)
        if key not in self._pairs:
            self._kinds[_identity(kind)] = kind
            self._pairs[key] = (new.manager_id,)
        return new

    def _person(self, person_id: object) -> bool:
        """Whether ``person_id`` passes the checks of a person's id in a conversation
        (remembered for the ones that do)."""
        if type(person_id) is not str:
            return False
        if person_id in self._people:
            return True
        if person_id.strip() and storable(person_id):  # what ``non_blank`` lets pass
            self._people.add(person_id)
            return True
        return False

    def _plain(self, new: NewConversation) -> bool:
        person = self._person
        if not person(new.employee_id):
            return False
        if new.manager_id is not None and (
            not person(new.manager_id) or new.manager_id == new.employee_id
        ):
            return False
        if not (
            type(new.earliest) is date
            and type(new.target) is date
            and type(new.latest) is date
            and new.earliest <= new.target <= new.latest
        ):
            return False
        hr = new.kind.hr_for(new.employee_id, new.manager_id)
        if hr is not None and not person(hr):
            return False
        if type(new.id) is not str or not new.id.strip():
            return False
        check_text("Conversation.id", new.id)
        return True
