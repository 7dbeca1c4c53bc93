"""Checks of a design against the life events it will be planned with.

A design and an events file can each be valid and still lose obligations together: sick
reports with no ``absence`` type in the design plan no Poortwachter milestone at all.
:func:`design_event_problems` finds such combinations, so that ``validate --events`` and
``plan`` refuse them instead of saying "valid".

>>> from datetime import date
>>> from gesprekscyclus.domain.events import LifeEvent
>>> from gesprekscyclus.planning.design import CycleDesign
>>> design = CycleDesign(name="No sick leave", cycle_start=date(2026, 1, 1))
>>> sick = [LifeEvent(on=date(2026, 3, 2), person_id="e-1", kind="sick_report")]
>>> for problem in design_event_problems(design, sick, source="events.csv", line_of=[4]):
...     print(problem)  # doctest: +NORMALIZE_WHITESPACE
events.csv:4: kind: 1 sick report (the first for e-1 on 2026-03-02) but the design has
    no absence type, so no Poortwachter obligation would be planned (allowed: add
    [types.absence] to the design, absence_handled_elsewhere = true)
>>> handled = CycleDesign(name="Elsewhere", cycle_start=date(2026, 1, 1),
...                       absence_handled_elsewhere=True)
>>> design_event_problems(handled, sick)
[]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gesprekscyclus.domain.absence import ABSENCE_CONVERSATION
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.errors import Problem
from gesprekscyclus.planning.design import CycleDesign

__all__ = ["design_event_problems"]

_FIXES = ("add [types.absence] to the design", "absence_handled_elsewhere = true")


def design_event_problems(
    design: CycleDesign,
    events: Iterable[LifeEvent],
    *,
    source: str = "events",
    line_of: Sequence[int | None] | None = None,
) -> list[Problem]:
    """What in ``events`` the design would silently leave unplanned.

    ``line_of`` gives each event's line in ``source`` (in the same order), so a problem can
    point at the first offending row.
    """
    if design.absence_handled_elsewhere or ABSENCE_CONVERSATION in design.type_keys:
        return []
    sick = [
        (index, event)
        for index, event in enumerate(events)
        if event.kind is LifeEventKind.SICK_REPORT
    ]
    if not sick:
        return []
    index, first = sick[0]
    line = line_of[index] if line_of is not None and index < len(line_of) else None
    count = f"{len(sick)} sick report" + ("s" if len(sick) > 1 else "")
    return [
        Problem(
            source,
            "kind",
            f"{count} (the first for {first.person_id} on {first.on}) but the design has no "
            "absence type, so no Poortwachter obligation would be planned",
            line=line,
            allowed=_FIXES,
        )
    ]
