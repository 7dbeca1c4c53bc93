"""What-ifs in one call: the same organisation planned again with one thing changed.

Each what-if takes a :class:`~gesprekscyclus.planning.simulation.Simulation` and returns a new
one over the same horizon, people and events, with one change: no public holidays, everyone
full-time, a manager's team split in two, another capacity. Compare the two with
:mod:`gesprekscyclus.analysis.compare`.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from gesprekscyclus.domain.calendar import WorkingCalendar
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import FULL_TIME, Person
from gesprekscyclus.errors import InvalidValueError, NotFoundError
from gesprekscyclus.planning.design import Capacity, CycleDesign
from gesprekscyclus.planning.simulation import Simulation, simulate

__all__ = ["everyone_full_time", "resimulate", "split_team", "with_capacity", "without_holidays"]


def resimulate(
    simulation: Simulation,
    *,
    design: CycleDesign | None = None,
    people: Iterable[Person] | None = None,
    events: Iterable[LifeEvent] | None = None,
) -> Simulation:
    """``simulation`` planned again over its horizon, with whatever is given replaced."""
    return simulate(
        simulation.design if design is None else design,
        simulation.people if people is None else people,
        simulation.events if events is None else events,
        start=simulation.plan.start,
        end=simulation.plan.end,
        catalog=simulation.catalog,
    )


def without_holidays(simulation: Simulation, *, keep_closures: bool = True) -> Simulation:
    """The same plan with no public holidays (``WorkingCalendar(country=None)``).

    Company closures and extra days off stay unless ``keep_closures`` is false.
    """
    calendar = simulation.design.calendar
    bare = (
        WorkingCalendar(
            country=None, closures=calendar.closures, extra_days_off=calendar.extra_days_off
        )
        if keep_closures
        else WorkingCalendar(country=None)
    )
    return resimulate(simulation, design=attrs.evolve(simulation.design, calendar=bare))


def everyone_full_time(simulation: Simulation) -> Simulation:
    """The same plan with everyone working Monday to Friday."""
    people = [attrs.evolve(person, working_pattern=FULL_TIME) for person in simulation.people]
    return resimulate(simulation, people=people)


def with_capacity(
    simulation: Simulation, *, per_day: int | None = None, per_week: int | None = None
) -> Simulation:
    """The same plan with another manager capacity; both ``None`` means no limit at all.

    Given one of the two, the other keeps the design's value (or the
    :class:`~gesprekscyclus.planning.design.Capacity` default when it had none).
    """
    if per_day is None and per_week is None:
        capacity = None
    else:
        current = simulation.design.capacity or Capacity()
        capacity = Capacity(
            per_day=current.per_day if per_day is None else per_day,
            per_week=current.per_week if per_week is None else per_week,
        )
    return resimulate(simulation, design=attrs.evolve(simulation.design, capacity=capacity))


def split_team(
    simulation: Simulation,
    manager_id: str,
    *,
    new_manager: Person | None = None,
    members: Iterable[str] | None = None,
) -> Simulation:
    """The same plan with part of ``manager_id``'s team moved to a new manager.

    ``members`` are the ids that move (by default the second half of the team, by id);
    ``new_manager`` is who takes them over: someone in the organisation already, or a new
    person (by default ``<manager_id>-2``, a copy of the manager's working days, hire date
    and own manager, named after them with " (2)").
    """
    people = {person.id: person for person in simulation.people}
    manager = people.get(manager_id)
    if manager is None:
        raise NotFoundError("manager", manager_id)
    team = sorted(person.id for person in simulation.people if person.manager_id == manager_id)
    if not team:
        raise InvalidValueError("manager_id", f"{manager_id!r} has nobody reporting to them")
    moving = team[len(team) // 2 :] if members is None else list(members)
    for member in moving:
        if member not in team:
            raise InvalidValueError(
                "members", f"{member!r} does not report to {manager_id!r}", allowed=team
            )
    if new_manager is None:
        new_manager = attrs.evolve(
            manager, id=f"{manager_id}-2", name=f"{manager.name} (2)", email=None
        )
    if new_manager.id in moving:
        raise InvalidValueError("new_manager", f"{new_manager.id!r} cannot manage themselves")
    moved = set(moving)
    staff = [
        attrs.evolve(person, manager_id=new_manager.id) if person.id in moved else person
        for person in simulation.people
        if person.id != new_manager.id
    ]
    staff.append(new_manager)
    return resimulate(simulation, people=staff)
