"""Design commands: ``describe``, ``design apply`` and ``design show``.

- ``describe FILE [--lang nl|en] [--format md|html] [--people FILE [--events FILE]]``: the
  design document for the works council (see
  :func:`~gesprekscyclus.planning.design_document.design_document`), with what the design
  plans for the people in its first year when ``--people`` is given.

- ``design apply FILE --db URL [--dry-run] [--by ID] [--horizon-days N] [--list]``: validate
  the design file, store it as the store's next design version and replan the coming
  ``--horizon-days`` (365) with it, in one transaction; prints the plan difference. With
  ``--dry-run`` nothing is stored: the same difference is a preview. ``--list`` prints every
  changed conversation as well as the counts. ``--by`` names who applied it (default: the
  login name).
- ``design show --db URL [--history] [--source]``: the store's current design version (its
  number, fingerprint, who applied it and when); ``--history`` lists every version,
  ``--source`` prints the stored design file text.

Every process of an installation then reads the design from the store: ``tick`` and
``worker`` need no ``--design``.
"""

from __future__ import annotations

import argparse
import getpass
import io
from datetime import UTC, datetime
from typing import Literal

from gesprekscyclus.bootstrap import build_service
from gesprekscyclus.cli.store_options import add_store_options, store_placement
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.errors import InvalidValueError, NoDesignError
from gesprekscyclus.planning.design_document import DOCUMENT_FORMATS, design_document
from gesprekscyclus.planning.design_file import parse_design, read_design_text
from gesprekscyclus.ports.clock import SystemClock
from gesprekscyclus.ports.store import DesignVersion
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.design import DesignChange
from gesprekscyclus.service.materialise import horizon_end

__all__ = ["describe_change", "describe_version", "register", "run_describe"]


def _service(args: argparse.Namespace, *, create: bool) -> ConversationService:
    url, placement = store_placement(args)
    return build_service(url, clock=SystemClock(), create=create, **placement)


def describe_version(version: DesignVersion) -> str:
    """One line naming a stored design version."""
    applied = version.applied_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    return (
        f"{version.label} {version.name!r}, applied {applied} by {version.applied_by} "
        f"({version.fmt})"
    )


def describe_change(change: DesignChange, *, listed: bool = False) -> str:
    """What applying a design did (or would do), as text."""
    lines: list[str] = []
    if change.unchanged:
        assert change.previous is not None
        lines.append(f"unchanged: the store's current design is {change.previous.label}")
        return "\n".join(lines) + "\n"
    verb = "would become" if change.dry_run else "is now"
    lines.append(f"design {change.version.name!r} {verb} {change.version.label}")
    lines.append(
        "previous: " + ("none" if change.previous is None else describe_version(change.previous))
    )
    diff = change.diff
    lines.append(
        f"plan difference {change.start}..{change.end}: {len(diff.appeared)} appeared, "
        f"{len(diff.disappeared)} disappeared, {len(diff.moved)} moved, "
        f"{diff.unchanged_count} unchanged"
    )
    if listed:
        for row in diff.rows():
            old = "-" if row["old_target"] is None else row["old_target"].isoformat()
            new = "-" if row["new_target"] is None else row["new_target"].isoformat()
            lines.append(
                f"  {row['change']:<11} {row['id']}  {row['employee_id']}  {row['type_key']}  "
                f"{old} -> {new}"
            )
    report = change.materialised
    if report is not None:
        lines.append(
            f"materialised: {report.added} added ({report.late} late, {report.overdue} "
            f"overdue), {report.moved} moved, {report.cancelled} cancelled, "
            f"{report.reinstated} reinstated"
        )
    if change.dry_run:
        lines.append("dry run: nothing was stored")
    return "\n".join(lines) + "\n"


def _apply(args: argparse.Namespace, out: io.StringIO) -> int:
    # Bounded like validate's read; line ends as text mode reads them, as the source is kept.
    text = read_design_text(args.file).replace("\r\n", "\n").replace("\r", "\n")
    fmt: Literal["toml", "json"] = "json" if args.file.lower().endswith(".json") else "toml"
    design = parse_design(text, source=args.file, fmt=fmt)
    horizon_end(datetime.now(UTC).date(), args.horizon_days, name="--horizon-days")
    applied_by = args.by if args.by is not None else getpass.getuser()
    service = _service(args, create=not args.dry_run)  # a preview makes no file
    try:
        change = service.apply_design(
            design,
            applied_by=applied_by,
            dry_run=args.dry_run,
            source=text,
            fmt=fmt,
            horizon_days=args.horizon_days,
        )
    finally:
        service.store.close()
    out.write(describe_change(change, listed=args.list))
    return 0


def _show(args: argparse.Namespace, out: io.StringIO) -> int:
    service = _service(args, create=False)  # only reads: a missing file is an error
    try:
        versions = service.design_versions()
    finally:
        service.store.close()
    if not versions:
        raise NoDesignError("design show")
    current = versions[-1]
    if args.source:
        out.write(current.source if current.source.endswith("\n") else current.source + "\n")
        return 0
    out.write(f"current: {describe_version(current)}\n")
    out.write(f"fingerprint: {current.fingerprint}\n")
    if args.history:
        for version in reversed(versions):
            out.write(f"  {describe_version(version)}\n")
    return 0


def run_describe(args: argparse.Namespace, out: io.StringIO) -> int:
    """``describe``: print the design document of a design file."""
    from gesprekscyclus.cli.planning import read_inputs  # noqa: PLC0415 - shared reader

    if args.events is not None and args.people is None:
        raise InvalidValueError("--events", "needs --people: events belong to people")
    design, people, events = read_inputs(args.file, args.people, args.events)
    assert design is not None
    out.write(
        design_document(
            design,
            args.lang,
            None if args.people is None else people,
            events=events,
            fmt=args.format,
        )
    )
    return 0


def _horizon(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days (0 or more)")
    return int(text)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``describe``, ``design apply`` and ``design show``."""
    describe = subparsers.add_parser(
        "describe",
        help="the design document for the works council (Markdown or HTML)",
        description="Describe a cycle design in plain Dutch or English, for the works council.",
    )
    describe.add_argument("file", metavar="FILE", help="the cycle design file (TOML or JSON)")
    describe.add_argument("--lang", choices=[m.value for m in Locale], default="nl")
    describe.add_argument("--format", choices=DOCUMENT_FORMATS, default="md")
    describe.add_argument("--people", metavar="PEOPLE.csv", help="add a year's simulation")
    describe.add_argument("--events", metavar="EVENTS.csv", help="life events of those people")
    describe.set_defaults(handler=run_describe)

    parser = subparsers.add_parser("design", help="apply or show the design kept in a store")
    commands = parser.add_subparsers(dest="design_command", required=True, metavar="ACTION")

    apply = commands.add_parser("apply", help="store a design file as the next version")
    apply.add_argument("file", metavar="FILE", help="the cycle design file (TOML or JSON)")
    add_store_options(apply)
    apply.add_argument("--dry-run", action="store_true", help="preview; store nothing")
    apply.add_argument("--by", metavar="ID", help="who applies it (default: the login name)")
    apply.add_argument("--horizon-days", type=_horizon, default=365)
    apply.add_argument("--list", action="store_true", help="list every changed conversation")
    apply.set_defaults(handler=_apply)

    show = commands.add_parser("show", help="the store's current design version")
    add_store_options(show)
    what = show.add_mutually_exclusive_group()
    what.add_argument("--history", action="store_true", help="list every version too")
    what.add_argument("--source", action="store_true", help="print the stored design file")
    show.set_defaults(handler=_show)
