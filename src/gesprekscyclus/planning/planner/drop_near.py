"""The drop-near step: a type planned too close to another one leaves the plan, with a reason."""

from __future__ import annotations

from gesprekscyclus.planning.planner.context import _Run
from gesprekscyclus.planning.planner.rows import (
    _EMPLOYEE,
    _ID,
    _NOMINAL,
    _TARGET,
    _TYPE,
    Skipped,
    _Row,
)


def _drop_near(run: _Run, rows: list[_Row], first: int, dropped: list[Skipped]) -> None:
    """Apply the drop-near rules to ``rows[first:]``, the rows of one person.

    Dropped rows leave ``rows`` and are listed in ``dropped`` with the reason.
    """
    near_types = run.near_types
    mine = rows[first:]
    targets: dict[str, list[int]] = {}
    for row in mine:
        if row[_TYPE] in near_types:
            targets.setdefault(row[_TYPE], []).append(row[_TARGET].toordinal())
    if not targets:
        return
    drops = run.drops
    kept: list[_Row] = []
    for row in mine:
        rules = drops.get(row[_TYPE])
        reason = None
        if rules is not None:
            target = row[_TARGET].toordinal()
            for near_type, within, text in rules:
                for day in targets.get(near_type, ()):
                    if -within <= day - target <= within:
                        reason = text
                        break
                if reason is not None:
                    break
        if reason is None:
            kept.append(row)
        else:
            dropped.append(Skipped(row[_ID], row[_TYPE], row[_EMPLOYEE], row[_NOMINAL], reason))
    if len(kept) < len(mine):
        del rows[first:]
        rows.extend(kept)
