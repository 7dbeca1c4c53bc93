"""Who leads someone on a given day: the manager changes, each taking effect on its date.

A person's ``manager_change`` events are the manager history. On a day before the first change
the manager is the one that change took over from (its ``previous``), or, when that was not
recorded, ``Person.manager_id``; from a change's date on, its new manager (``detail``) leads.
So the answer is the same whenever it is asked, for past and future dates alike.

>>> from datetime import date
>>> from gesprekscyclus.domain.events import LifeEvent
>>> from gesprekscyclus.domain.people import Person
>>> eva = Person(id="e", name="Eva", hire_date=date(2020, 1, 1), manager_id="m-2")
>>> change = LifeEvent(on=date(2026, 3, 1), person_id="e", kind="manager_change",
...                    detail="m-2", previous="m-1")
>>> manager_on(eva, [change], date(2026, 2, 28)), manager_on(eva, [change], date(2026, 3, 1))
('m-1', 'm-2')
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import Person

__all__ = ["manager_changes", "manager_on"]


def manager_changes(events: Iterable[LifeEvent]) -> list[LifeEvent]:
    """The manager changes among ``events``, by date."""
    return sorted(
        (event for event in events if event.kind is LifeEventKind.MANAGER_CHANGE),
        key=lambda event: event.on,
    )


def manager_on(person: Person, events: Iterable[LifeEvent], day: date) -> str | None:
    """The manager of ``person`` on ``day``, given their life ``events`` (others are ignored)."""
    changes = [e for e in manager_changes(events) if e.person_id == person.id]
    manager = person.manager_id
    if changes and changes[0].previous is not None:
        manager = changes[0].previous
    for change in changes:
        if change.on > day:
            break
        manager = change.detail
    return manager
