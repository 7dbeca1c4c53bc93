"""The drop-near step: a type planned too close to another one leaves the plan, with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gesprekscyclus.planning.planner.context import _Run
from gesprekscyclus.planning.planner.rows import Skipped, _Row


def _drop_near(run: _Run, rows: list[_Row], first: int, dropped: list[Skipped]) -> None:
    """Apply the drop-near rules to ``rows[first:]``, the rows of one person.

    Dropped rows leave ``rows`` and are listed in ``dropped`` with the reason.
    """
    near_types = run.near_types
    mine = rows[first:]
    targets: dict[str, list[int]] = {}
    for row in mine:
        if row.type_key in near_types:
            targets.setdefault(row.type_key, []).append(row.target.toordinal())
    if not targets:
        return
    drops = run.drops
    kept: list[_Row] = []
    for row in mine:
        rules = drops.get(row.type_key)
        reason = None
        if rules is not None:
            target = row.target.toordinal()
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
            dropped.append(Skipped(row.id, row.type_key, row.employee_id, row.nominal, reason))
    if len(kept) < len(mine):
        del rows[first:]
        rows.extend(kept)


def _drop_near_templated(
    run: _Run,
    rows: list[_Row],
    sources: dict[str, tuple[int, Sequence[Any]]],
    dropped: list[Skipped],
) -> None:
    """:func:`_drop_near` for a person whose rows of every type the rules name came whole
    from rule templates: ``sources`` gives, per such type in rule order, where its rows
    start in ``rows`` and the template's tails. Which rows go depends only on the templates,
    so it is worked out once per combination of templates in the run.
    """
    drops, memo = run.drops, run.template_drops
    gone: list[int] = []
    for kind, (offset, tails) in sources.items():
        rules = drops.get(kind)
        if rules is None:
            continue
        near = tuple(sources.get(near_type, (0, ()))[1] for near_type, _, _ in rules)
        key = (id(tails), *map(id, near))
        found = memo.get(key)
        if found is None:
            found = memo[key] = _template_drops(tails, rules, near)
        for index, reason in found:
            row = rows[offset + index]
            gone.append(offset + index)
            dropped.append(Skipped(row.id, row.type_key, row.employee_id, row.nominal, reason))
    # The positions ascend and lie in this person's rows at the end of ``rows``: deleting
    # from the last one back moves only those few rows.
    for position in reversed(gone):
        del rows[position]


def _template_drops(
    tails: Sequence[Any],
    rules: Sequence[tuple[str, int, str]],
    near: Sequence[Sequence[Any]],
) -> list[tuple[int, str]]:
    """The tails of a drop type's template that its rules drop, with the reason, against the
    templates of the types it must not be near (the same test as :func:`_drop_near`)."""
    targets = [[tail[3].toordinal() for tail in near_tails] for near_tails in near]
    found = []
    for index, tail in enumerate(tails):
        target = tail[3].toordinal()
        reason = None
        for (_, within, text), days in zip(rules, targets, strict=True):
            for day in days:
                if -within <= day - target <= within:
                    reason = text
                    break
            if reason is not None:
                break
        if reason is not None:
            found.append((index, reason))
    return found
