"""The last step: spread each manager's conversations over the days their capacity allows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from itertools import islice
from operator import attrgetter
from zoneinfo import ZoneInfo

from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.planner.context import _manager_types
from gesprekscyclus.planning.planner.rows import CapacityConflict, _moved, _Row


def _level(  # noqa: PLR0915 - one pass per manager, kept together for speed
    design: CycleDesign,
    catalog: Catalog,
    rows: list[_Row],
    people: Mapping[str, Person],
    starts_at: Callable[[time, str, date], datetime | None],
    horizon_end: date = date.max,
) -> list[tuple[CapacityConflict, date]]:
    """Spread each manager's conversations so no day or week holds more than capacity.

    Per manager, in order of (latest, target, id), each conversation keeps its target when
    that day and week have room, and otherwise takes the nearest working day of employee and
    manager in its window with room (the earlier one on a tie). Rows move in place. Days are
    counted by their distance from a Monday on or before every window, so that distance
    ``// 7`` numbers the ISO weeks. Each conflict comes with the target its row keeps.
    ``starts_at`` gives the start time of a wall time in a zone on a day (memoised by the
    run: many moved rows land on the same day).

    Only rows that can end on or before ``horizon_end`` (the horizon's last day) are placed, with
    every row levelled before them: a manager's rows after the last one whose window starts
    on or before ``horizon_end`` have windows after it, and come after every row that can take room
    from or give room to those, so they keep their targets (the plan leaves them out).
    """
    capacity = design.capacity
    if capacity is None:
        return []
    with_manager = _manager_types(catalog)
    groups: dict[str, list[_Row]] = defaultdict(list)
    first_day = date.max  # the first day of a levelled window, found in the same pass
    for row in rows:
        manager_id = row.manager_id
        if manager_id is not None and row.type_key in with_manager:
            groups[manager_id].append(row)
            if row.earliest < first_day:  # noqa: PLR1730 - cheaper than calling min()
                first_day = row.earliest
    conflicts: list[tuple[CapacityConflict, date]] = []
    calendar = design.calendar
    day_limit, week_limit = capacity.per_day, capacity.per_week
    # The planned wall time of each type: a row keeps it on the day it moves to (its
    # starts_at may show another one, shifted past a daylight-saving gap on the old day).
    walls = {rule.type: rule.time or design.default_time for rule in design.types}
    full = (
        f"no working day in the window has room (at most {capacity.per_day} a day, "
        f"{capacity.per_week} a week)"
    )
    capacity_moves: dict[tuple[str, ...], tuple[str, ...]] = {}  # _moved(..., "capacity")
    if not groups:
        return []
    for group in groups.values():
        _sort(group)
    # Every row's window holds its target; the sorted groups end with their latest day.
    first = first_day.toordinal()
    last = max(group[-1].latest for group in groups.values()).toordinal()
    # Days and weeks are counted in lists indexed from ``base``, the Monday on or before the
    # first day of any window: indexing a list beats looking up a dictionary in this loop,
    # which runs for every conversation with a manager, and ``days`` shares the dates.
    base = first - (first - 1) % 7  # a Monday: offset // 7 numbers the weeks
    span = last - base + 1
    weeks = span // 7 + 1
    days = [date.fromordinal(base + offset) for offset in range(span)]
    working_on: dict[frozenset[int], list[bool]] = {}  # per working days: works on base + i
    for manager_id in sorted(groups):
        manager = people.get(manager_id)
        per_day = [0] * span
        per_week = [0] * weeks
        works_of: dict[str, list[bool]] = {}
        resume: dict[tuple[int, int, int, int], tuple[int, int]] = {}
        group = groups[manager_id]
        stop = len(group)
        while stop and group[stop - 1].earliest > horizon_end:
            stop -= 1
        for row in islice(group, stop):
            target = row.target.toordinal() - base
            week = target // 7
            on_day = per_day[target]
            in_week = per_week[week]
            if on_day < day_limit and in_week < week_limit:
                # The common case: the target itself has room.
                per_day[target] = on_day + 1
                per_week[week] = in_week + 1
                continue
            # The nearest working day with room, earlier first; the target itself is full.
            employee_id = row.employee_id
            works = works_of.get(employee_id)
            if works is None:
                weekdays = people[employee_id].working_pattern.weekdays
                if manager is not None:
                    weekdays = weekdays & manager.working_pattern.weekdays
                works = working_on.get(weekdays)
                if works is None:
                    works = working_on[weekdays] = [
                        not calendar.is_day_off(day) and day.isoweekday() in weekdays
                        for day in days
                    ]
                works_of[employee_id] = works
            earliest = row.earliest.toordinal() - base
            latest = row.latest.toordinal() - base
            # Candidates in order: target - 1, target + 1, target - 2, ... Counts only grow,
            # so a day or week once found full stays full: the next conversation with the same
            # window and working days resumes the scan where the previous one stopped.
            scan = (target, earliest, latest, id(works))
            left, right = resume.get(scan) or (target - 1, target + 1)
            found = -1
            while True:
                # The nearer side next, the earlier day on a tie, inside the window.
                if left >= earliest and (right > latest or target - left <= right - target):
                    day = left
                    if per_week[day // 7] >= week_limit:
                        left = day - day % 7 - 1  # the whole week is full: skip it
                        continue
                    left -= 1
                elif right <= latest:
                    day = right
                    if per_week[day // 7] >= week_limit:
                        right = day - day % 7 + 7
                        continue
                    right += 1
                else:
                    break
                if works[day] and per_day[day] < day_limit:
                    found = day
                    # Resume at this day next time: it may still have room then.
                    if day < target:
                        left = day
                    else:
                        right = day
                    break
            resume[scan] = (left, right)
            if found < 0:
                conflicts.append(
                    (
                        CapacityConflict(row.id, manager_id, row.earliest, row.latest, full),
                        row.target,
                    )
                )
                per_day[target] = on_day + 1
                per_week[week] = in_week + 1
                continue
            per_day[found] += 1
            per_week[found // 7] += 1
            day_moved = days[found]
            moment = row.starts_at
            if moment is not None:
                zone = people[employee_id].time_zone
                wall = walls.get(row.type_key) or moment.astimezone(ZoneInfo(zone)).time()
                moment = starts_at(wall, zone, day_moved)
            row.target = day_moved
            row.starts_at = moment
            moved_by = row.moved_by
            now_moved = capacity_moves.get(moved_by)
            if now_moved is None:
                now_moved = capacity_moves[moved_by] = _moved(moved_by, "capacity")
            row.moved_by = now_moved
    return conflicts


_by_id, _by_target, _by_latest = attrgetter("id"), attrgetter("target"), attrgetter("latest")


def _sort(group: list[_Row]) -> None:
    """Order ``group`` by (latest, target, id): three stable sorts on one field each, which
    build no key tuples."""
    group.sort(key=_by_id)
    group.sort(key=_by_target)
    group.sort(key=_by_latest)
