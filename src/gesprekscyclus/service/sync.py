"""Keeping the stored people in step with the employer's own staff table.

:func:`sync_people` compares the complete list of current staff (``Person`` values, or
mappings of text checked like a people file, see
:func:`~gesprekscyclus.planning.people_file.people_from_records`) with the stored people and
applies every difference as the life event it is, through the service's own commands, so a
sync does exactly what calling them by hand would:

- someone not stored yet is **hired** (:meth:`ConversationService.hire`, the ``hired``
  event on their hire date);
- a new manager is a **manager change** from the sync day ``on``
  (:meth:`ConversationService.change_manager`: open conversations from that day move, the
  new manager is told about the scheduled ones, open action items follow); a record without
  a manager stores the person as the top of the organisation (an upsert: nothing moves);
- an earlier end date is **notice** (:meth:`ConversationService.give_notice`, notice given
  on ``on``, or on the last day when that lies before ``on``);
- any other difference (name, team, contract, location, working pattern, locale, time
  zone, e-mail, leap-day policy, hire date) is stored as it is
  (:meth:`ConversationService.upsert_person`); planning follows it from then on;
- a stored person missing from the records is a **leaver**: notice is recorded with
  ``last_day`` as their last working day (by default the day before ``on``: the records
  say who works on ``on``; never before their hire date), given on ``on`` or on that last
  day when it lies before ``on``. Someone whose stored end
  date is that day or earlier has left already and counts as unchanged.

Two differences are refused with :class:`~gesprekscyclus.errors.ConflictError`, because a
recorded last day cannot be undone by a sync: an end date that moves later, and one that is
taken away (a rehire). Record those through :attr:`ConversationService.administration`.

A sync is **all or nothing**: every change is made in one unit of work (which takes the
planner lock, so two syncs, or a sync and a planner, never interleave); a problem anywhere
(a bad record, a refused change) leaves the store as it was. It is **idempotent**: the same
records again change nothing and report everyone unchanged. Records are checked as a whole
before anything is stored: ids are unique, every manager is among the records, chains are
not circular; an empty list is refused rather than read as "everyone left".

>>> from datetime import date, datetime, timezone
>>> from gesprekscyclus.adapters.memory import MemoryStore
>>> from gesprekscyclus.ports.clock import FixedClock
>>> from gesprekscyclus.service.app import ConversationService
>>> service = ConversationService(
...     MemoryStore(), FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)))
>>> staff = [
...     {"id": "m-1", "name": "Mia", "hire_date": "2019-04-01"},
...     {"id": "m-2", "name": "Noor", "hire_date": "2020-01-06"},
...     {"id": "e-1", "name": "Eva", "hire_date": "2024-05-01", "manager_id": "m-1"},
... ]
>>> service.sync_people(staff, on=date(2026, 3, 2)).hired
('e-1', 'm-1', 'm-2')
>>> staff[2] = {**staff[2], "manager_id": "m-2", "team": "Sales"}
>>> change, = service.sync_people(staff, on=date(2026, 4, 1)).changed
>>> change.person_id, change.fields, change.manager.old_manager_id
('e-1', ('manager_id', 'team'), 'm-1')
>>> report = service.sync_people(staff[1:], on=date(2026, 5, 1))
>>> report.left, service.find_person("m-1").end_date
(('m-1',), datetime.date(2026, 4, 30))
>>> service.sync_people(staff[1:], on=date(2026, 5, 1)).changes_anything
False
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta

import attrs
from attrs import frozen

from gesprekscyclus.domain._checks import checked_arguments, checks_own, shown
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import ConflictError, InvalidValueError
from gesprekscyclus.planning.people_file import people_from_records
from gesprekscyclus.ports.store import PLANNER_LOCK, UnitOfWork
from gesprekscyclus.service.app import ConversationService, ManagerChange

__all__ = ["PersonChange", "SyncReport", "sync_people"]

#: The fields of a person a sync compares, in declaration order (the id identifies them).
_COMPARED = tuple(a.name for a in attrs.fields(Person) if a.name != "id")


@frozen
class PersonChange:
    """What a sync changed about one stored person: the names of the ``Person`` fields that
    differed (in field order), and the manager change when the manager moved."""

    person_id: str
    fields: tuple[str, ...]
    manager: ManagerChange | None = None


@frozen
class SyncReport:
    """The outcome of one :func:`sync_people`: the ids hired, left and unchanged (each
    ordered by id), the changes of the others, and the sync day ``on`` and the leavers'
    ``last_day``."""

    on: date
    last_day: date
    hired: tuple[str, ...] = ()
    changed: tuple[PersonChange, ...] = ()
    left: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()

    @property
    def changes_anything(self) -> bool:
        """Whether the sync stored anything."""
        return bool(self.hired or self.changed or self.left)


class _Joined:
    """A store whose units of work are one open unit of work: the service's commands run
    inside the sync's transaction, which commits or rolls back as a whole."""

    def __init__(self, uow: UnitOfWork):
        self._uow = uow

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        yield self._uow

    def __getattr__(self, name: str) -> object:
        raise AttributeError(f"{name} is not available inside a sync")


def _differences(stored: Person, wanted: Person) -> tuple[str, ...]:
    return tuple(name for name in _COMPARED if getattr(stored, name) != getattr(wanted, name))


def _check_end_date(stored: Person, wanted: Person) -> None:
    if stored.end_date is None:
        return
    if wanted.end_date is None:
        raise ConflictError(
            f"Person.end_date: {stored.id!r} has {stored.end_date} recorded as their last day;"
            " a sync cannot take it away (record a rehire through administration)"
        )
    if wanted.end_date > stored.end_date:
        raise ConflictError(
            f"Person.end_date: {stored.id!r} has {stored.end_date} recorded as their last day;"
            f" a sync cannot move it later to {wanted.end_date}"
        )


@checked_arguments
@checks_own("records")
def sync_people(
    service: ConversationService,
    records: Iterable[Person | Mapping[str, str | None]],
    *,
    on: date,
    last_day: date | None = None,
) -> SyncReport:
    """Make the stored people the ``records`` as of ``on``; see the module docstring.

    ``last_day`` is the leavers' last working day (by default the day before ``on``).
    Raises :class:`~gesprekscyclus.errors.DesignError` listing every problem of the records,
    :class:`~gesprekscyclus.errors.ConflictError` for a change a sync may not make; either
    way nothing is stored.
    """
    if not isinstance(on, date):
        raise InvalidValueError("on", f"must be a date, got {shown(on)}")
    leaving = on - timedelta(days=1) if last_day is None else last_day
    if not isinstance(leaving, date):
        raise InvalidValueError("last_day", f"must be a date, got {shown(last_day)}")
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise InvalidValueError(
            "records", f"must be a list of Person values or mappings, got {type(records).__name__}"
        )
    people = people_from_records(records)
    wanted = {person.id: person for person in people}
    hired: list[str] = []
    changed: list[PersonChange] = []
    left: list[str] = []
    unchanged: list[str] = []
    with service.store.unit_of_work() as uow:
        uow.lock(PLANNER_LOCK)
        joined = copy.copy(service)
        joined.store = _Joined(uow)  # type: ignore[assignment]  # units of work only
        stored = {person.id: person for person in uow.people.all()}
        for person_id in sorted(wanted.keys() - stored.keys()):
            joined.hire(wanted[person_id])
            hired.append(person_id)
        for person_id in sorted(wanted.keys() & stored.keys()):
            before, after = stored[person_id], wanted[person_id]
            differ = _differences(before, after)
            if not differ:
                unchanged.append(person_id)
                continue
            if "end_date" in differ:
                _check_end_date(before, after)
            moves = "manager_id" in differ and after.manager_id is not None
            plain = attrs.evolve(
                after,
                manager_id=before.manager_id if moves else after.manager_id,
                end_date=before.end_date,
            )
            if plain != before:
                joined.upsert_person(plain)
            manager = None
            if moves:
                assert after.manager_id is not None  # checked for ``moves``
                manager = joined.change_manager(person_id, after.manager_id, on=on)
            if "end_date" in differ:
                assert after.end_date is not None  # refused above otherwise
                joined.give_notice(person_id, on=min(on, after.end_date), last_day=after.end_date)
            changed.append(PersonChange(person_id, differ, manager))
        for person_id in sorted(stored.keys() - wanted.keys()):
            person = stored[person_id]
            last = max(leaving, person.hire_date)
            if person.end_date is not None and person.end_date <= last:
                unchanged.append(person_id)
                continue
            joined.give_notice(person_id, on=min(on, last), last_day=last)
            left.append(person_id)
    return SyncReport(
        on=on,
        last_day=leaving,
        hired=tuple(hired),
        changed=tuple(changed),
        left=tuple(left),
        unchanged=tuple(sorted(unchanged)),
    )
