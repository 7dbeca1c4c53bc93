"""The cycle design as an aggregate of the store: versions, fingerprints, applying a change.

Every process of an installation (the web application, each worker) reads the design from
the store, so they all plan, remind and escalate alike. Applying a design stores a new,
numbered :class:`~gesprekscyclus.ports.store.DesignVersion` (its source text, a fingerprint,
who applied it and when) and replans with it in the same unit of work; the
:class:`DesignChange` it returns holds the plan difference the change causes, so a dry run
previews exactly what applying would do.

The fingerprint identifies the design's content, not its layout: comments, key order and
defaults written out or left out do not change it (nor does a later release that adds a
setting with a default).

>>> from datetime import date
>>> from gesprekscyclus.planning.design import CycleDesign
>>> from gesprekscyclus.planning.design_file import parse_design
>>> text = 'name = "Voorbeeld"\\ncycle_start = 2026-01-01\\n'
>>> same = '# reviewed by the works council\\ncycle_start = 2026-01-01\\nname = "Voorbeeld"\\n'
>>> design_fingerprint(parse_design(text)) == design_fingerprint(parse_design(same))
True
>>> design_fingerprint(CycleDesign(name="Voorbeeld", cycle_start=date(2026, 1, 1)))[:12]
'1bed9227b918'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime

from attrs import frozen

from gesprekscyclus.domain._checks import checked_arguments
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import DesignMismatchError, InvalidValueError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.design_file import dump_design, parse_design
from gesprekscyclus.planning.diff import PlanDiff, diff_plans
from gesprekscyclus.planning.planner import Plan, PlannedConversation
from gesprekscyclus.ports.store import DESIGN_FORMATS, DesignVersion
from gesprekscyclus.service.materialise import MaterialiseReport, plan_horizon

__all__ = [
    "DesignChange",
    "Preview",
    "check_design",
    "design_fingerprint",
    "design_from_version",
    "design_source",
    "next_version",
    "preview",
]


def design_fingerprint(design: CycleDesign) -> str:
    """The SHA-256 (hex) of the design's canonical form (its file data without defaults, as
    JSON with sorted keys); see the module docstring."""
    data = json.loads(dump_design(design, fmt="json"))
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def design_source(design: CycleDesign, source: str | None, fmt: str) -> str:
    """The text to store for ``design``: ``source`` (the file it was read from) when given,
    else the design written as ``fmt``. ``source`` must hold the same design."""
    if fmt not in DESIGN_FORMATS:
        raise InvalidValueError("fmt", f"unknown format {fmt!r}", allowed=DESIGN_FORMATS)
    if source is None:
        return dump_design(design, fmt="json" if fmt == "json" else "toml")
    parsed = parse_design(source, fmt="json" if fmt == "json" else "toml", source="source")
    if design_fingerprint(parsed) != design_fingerprint(design):
        raise InvalidValueError(
            "source", "holds another design than the one given (their fingerprints differ)"
        )
    return source


def design_from_version(version: DesignVersion) -> CycleDesign:
    """The design a stored version holds, read from its source text."""
    return parse_design(
        version.source,
        source=f"stored design {version.label}",
        fmt="json" if version.fmt == "json" else "toml",
    )


def check_design(given: CycleDesign, stored: DesignVersion | None) -> None:
    """Refuse ``given`` when the store holds another design (:class:`DesignMismatchError`
    naming both); a store without a design accepts any."""
    if stored is None:
        return
    fingerprint = design_fingerprint(given)
    if fingerprint != stored.fingerprint:
        raise DesignMismatchError(f"fingerprint {fingerprint[:12]}", stored.label)


def next_version(
    previous: DesignVersion | None,
    design: CycleDesign,
    *,
    source: str,
    fmt: str,
    applied_by: str,
    at: datetime,
) -> DesignVersion:
    """The version that follows ``previous`` (number 1 for a store without a design)."""
    return DesignVersion(
        number=1 if previous is None else previous.number + 1,
        name=design.name,
        fingerprint=design_fingerprint(design),
        source=source,
        fmt=fmt,
        applied_by=applied_by,
        applied_at=at,
    )


@frozen
class DesignChange:
    """What applying a design does (or, for a dry run, would do).

    ``previous`` is the version that was current (``None`` for a store without a design),
    ``version`` the new one — stored unless ``dry_run`` or ``unchanged`` (the same
    fingerprint as ``previous``: nothing to apply). ``diff`` compares the plans of both
    designs over ``[start, end]`` with the materialise horizon rule; ``materialised`` is what
    the replan stored (``None`` for a dry run or an unchanged design).
    """

    previous: DesignVersion | None
    version: DesignVersion
    diff: PlanDiff
    start: date
    end: date
    dry_run: bool
    materialised: MaterialiseReport | None = None

    @property
    def unchanged(self) -> bool:
        """Whether the design is the one the store holds already."""
        return self.previous is not None and self.previous.fingerprint == self.version.fingerprint

    @property
    def stored(self) -> bool:
        """Whether a new version was written."""
        return not self.dry_run and not self.unchanged


def _kept(result: Plan, rows: Sequence[PlannedConversation]) -> Plan:
    return Plan(start=result.start, end=result.end, conversations=tuple(rows))


@frozen
class Preview:
    """The plan difference of a design change, and the new design's plan (see
    :func:`~gesprekscyclus.service.materialise.plan_horizon`) to apply it with."""

    diff: PlanDiff
    plan: Plan
    rows: tuple[PlannedConversation, ...]


@checked_arguments
def preview(
    before: CycleDesign | None,
    after: CycleDesign,
    people: Sequence[Person],
    events: Sequence[LifeEvent],
    *,
    start: date,
    end: date,
    existing: Sequence[Conversation],
    catalog: Catalog | None = None,
) -> Preview:
    """The difference between the stored rows of ``before`` (nothing when ``None``) and of
    ``after`` over ``[start, end]``, planned for ``people`` and ``events``."""
    result, rows = plan_horizon(
        after, people, events, start=start, end=end, existing=existing, catalog=catalog
    )
    if before is None:
        old = Plan(start=result.start, end=result.end, conversations=())
    else:
        earlier, old_rows = plan_horizon(
            before, people, events, start=start, end=end, existing=existing, catalog=catalog
        )
        old = _kept(earlier, old_rows)
    return Preview(diff_plans(old, _kept(result, rows)), result, rows)
