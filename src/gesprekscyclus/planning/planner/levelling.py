"""The last step: spread each manager's conversations over the days their capacity allows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from operator import itemgetter
from zoneinfo import ZoneInfo

from gesprekscyclus.domain.calendar import WorkingCalendar
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.planner.context import _manager_types
from gesprekscyclus.planning.planner.rows import (
    _EARLIEST,
    _EMPLOYEE,
    _ID,
    _LATEST,
    _MANAGER,
    _MOVED_BY,
    _STARTS_AT,
    _TARGET,
    _TYPE,
    CapacityConflict,
    _moved,
    _Row,
)


def _level(  # noqa: PLR0915 - one pass per manager, kept together for speed
    design: CycleDesign,
    catalog: Catalog,
    rows: list[_Row],
    people: Mapping[str, Person],
    starts_at: Callable[[time, str, date], datetime | None],
) -> list[tuple[CapacityConflict, date]]:
    """Spread each manager's conversations so no day or week holds more than capacity.

    Per manager, in order of (latest, target, id), each conversation keeps its target when
    that day and week have room, and otherwise takes the nearest working day of employee and
    manager in its window with room (the earlier one on a tie). Rows move in place. Days are
    counted on ordinals, weeks on ``(ordinal - 1) // 7`` (ordinal 1 is a Monday, so that
    number stands for the ISO week). Each conflict comes with the target its row keeps.
    ``starts_at`` gives the start time of a wall time in a zone on a day (memoised by the
    run: many moved rows land on the same day).
    """
    capacity = design.capacity
    if capacity is None:
        return []
    with_manager = _manager_types(catalog)
    groups: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        manager_id = row[_MANAGER]
        if manager_id is not None and row[_TYPE] in with_manager:
            groups[manager_id].append(row)
    conflicts: list[tuple[CapacityConflict, date]] = []
    calendar = design.calendar
    memos: dict[frozenset[int], dict[int, bool]] = {}
    day_limit, week_limit = capacity.per_day, capacity.per_week
    order = itemgetter(_LATEST, _TARGET, _ID)
    # The planned wall time of each type: a row keeps it on the day it moves to (its
    # starts_at may show another one, shifted past a daylight-saving gap on the old day).
    walls = {rule.type: rule.time or design.default_time for rule in design.types}
    full = (
        f"no working day in the window has room (at most {capacity.per_day} a day, "
        f"{capacity.per_week} a week)"
    )
    capacity_moves: dict[tuple[str, ...], tuple[str, ...]] = {}  # _moved(..., "capacity")
    for manager_id in sorted(groups):
        manager = people.get(manager_id)
        per_day: dict[int, int] = {}
        per_week: dict[int, int] = {}
        works_of: dict[str, tuple[frozenset[int], dict[int, bool]]] = {}
        resume: dict[tuple[int, int, int, frozenset[int]], tuple[int, int]] = {}
        group = groups[manager_id]
        group.sort(key=order)
        for row in group:
            target = row[_TARGET].toordinal()
            week = (target - 1) // 7
            on_day = per_day.get(target, 0)
            in_week = per_week.get(week, 0)
            if on_day < day_limit and in_week < week_limit:
                # The common case: the target itself has room.
                per_day[target] = on_day + 1
                per_week[week] = in_week + 1
                continue
            # The nearest working day with room, earlier first; the target itself is full.
            employee_id = row[_EMPLOYEE]
            found_works = works_of.get(employee_id)
            if found_works is None:
                weekdays = people[employee_id].working_pattern.weekdays
                if manager is not None:
                    weekdays = weekdays & manager.working_pattern.weekdays
                memo = memos.get(weekdays)
                if memo is None:
                    memo = memos[weekdays] = {}
                found_works = works_of[employee_id] = (weekdays, memo)
            weekdays, works = found_works
            earliest = row[_EARLIEST].toordinal()
            latest = row[_LATEST].toordinal()
            # Candidates in order: target - 1, target + 1, target - 2, ... Counts only grow,
            # so a day or week once found full stays full: the next conversation with the same
            # window and working days resumes the scan where the previous one stopped.
            scan = (target, earliest, latest, weekdays)
            left, right = resume.get(scan) or (target - 1, target + 1)
            found = None
            while True:
                # The nearer side next, the earlier day on a tie, inside the window.
                if left >= earliest and (right > latest or target - left <= right - target):
                    day = left
                    if per_week.get((day - 1) // 7, 0) >= week_limit:
                        left = day - (day - 1) % 7 - 1  # the whole week is full: skip it
                        continue
                    left -= 1
                elif right <= latest:
                    day = right
                    if per_week.get((day - 1) // 7, 0) >= week_limit:
                        right = day - (day - 1) % 7 + 7
                        continue
                    right += 1
                else:
                    break
                working = works.get(day)
                if working is None:
                    working = works[day] = _works(calendar, weekdays, day)
                if working and per_day.get(day, 0) < day_limit:
                    found = day
                    # Resume at this day next time: it may still have room then.
                    if day < target:
                        left = day
                    else:
                        right = day
                    break
            resume[scan] = (left, right)
            if found is None:
                conflicts.append(
                    (
                        CapacityConflict(row[_ID], manager_id, row[_EARLIEST], row[_LATEST], full),
                        row[_TARGET],
                    )
                )
                per_day[target] = on_day + 1
                per_week[week] = in_week + 1
                continue
            per_day[found] = per_day.get(found, 0) + 1
            week = (found - 1) // 7
            per_week[week] = per_week.get(week, 0) + 1
            day_moved = date.fromordinal(found)
            moment = row[_STARTS_AT]
            if moment is not None:
                zone = people[employee_id].time_zone
                wall = walls.get(row[_TYPE]) or moment.astimezone(ZoneInfo(zone)).time()
                moment = starts_at(wall, zone, day_moved)
            row[_TARGET] = day_moved
            row[_STARTS_AT] = moment
            moved_by = row[_MOVED_BY]
            now_moved = capacity_moves.get(moved_by)
            if now_moved is None:
                now_moved = capacity_moves[moved_by] = _moved(moved_by, "capacity")
            row[_MOVED_BY] = now_moved
    return conflicts


def _works(calendar: WorkingCalendar, weekdays: frozenset[int], ordinal: int) -> bool:
    day = date.fromordinal(ordinal)
    return not calendar.is_day_off(day) and day.isoweekday() in weekdays
