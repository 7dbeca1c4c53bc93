"""Privacy commands: ``purge``, ``erase-person`` and ``export-person``.

- ``purge --db URL [--design DESIGN] [--now DATETIME] [--dry-run] [--compact]``: remove what
  the retention periods no longer allow to keep and print the counts per kind (``--dry-run``
  only counts; ``--compact`` compacts the store even when nothing was removed). The periods
  come from ``--design``; without it the built-in defaults apply (see ``docs/privacy.md``),
  which the output says;
- ``erase-person --db URL --person ID --reason TEXT``: erase everything about one person
  (AVG art. 17), compacting the store afterwards, and print what went;
- ``export-person --db URL --person ID [--out FILE]``: everything stored about one person as
  JSON (AVG art. 15), on standard output or into ``FILE``.

``--db`` defaults to the environment variable ``GESPREKSCYCLUS_DB``. Bad input exits with
code 2, a message on standard error and nothing on standard output.
"""

from __future__ import annotations

import argparse
import io
import json
import os
from datetime import UTC, date, datetime

from gesprekscyclus._files import write_output
from gesprekscyclus.bootstrap import build_service
from gesprekscyclus.cli.service import parse_instant
from gesprekscyclus.cli.store_options import add_store_options, store_placement
from gesprekscyclus.domain.catalog import Catalog, built_in_catalog
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.ports.clock import FixedClock, SystemClock
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.privacy import Removed

__all__ = ["describe_removed", "describe_retention", "register"]

#: Stands in when a command needs no cycle design (erasure and export use none).
_NO_DESIGN = CycleDesign(name="privacy command", cycle_start=date(2000, 1, 1))


def describe_removed(removed: Removed) -> str:
    """The counts per kind on one line.

    >>> describe_removed(Removed.of({"people": 1, "conversations": 12}, pseudonymised=3))
    'people 1, life_events 0, absence_records 0, conversations 12, reports 0, action_items 0, \
outbox_messages 0, outbox_payloads 0, voice_answers 0; 3 records of others pseudonymised'
    """
    counts = ", ".join(f"{kind} {count}" for kind, count in removed.counts)
    if removed.pseudonymised:
        counts += f"; {removed.pseudonymised} records of others pseudonymised"
    return counts


def describe_retention(design: CycleDesign, catalog: Catalog | None = None) -> str:
    """The retention periods of ``design``, one line each (``validate`` prints them).

    >>> from gesprekscyclus.planning.design import TypeRule
    >>> design = CycleDesign(name="d", cycle_start=date(2026, 1, 1),
    ...                      types=(TypeRule(type="exit_interview"),))
    >>> print(describe_retention(design))
    Retention:
      exit_interview: 2 years after held — AP guidance: exit-interview notes identifiable at \
most 2 years, then only anonymised trends; AVG art. 5(1)(e)
      people, life events and absence records: 2 years after their last working day
      occupational physician's advice: 2 years after the absence case ends
      sent messages' payloads and dead letters: 90 days; access log: 90 days
    """
    chosen = catalog if catalog is not None else built_in_catalog()
    lines = ["Retention:"]
    for key in design.type_keys:
        rule = design.retention_for(key, chosen)
        basis = f" — {rule.basis}" if rule.basis else ""
        lines.append(
            f"  {key}: {rule.years} years after {rule.after.value.replace('_', ' ')}{basis}"
        )
    policy = design.retention
    lines += [
        f"  people, life events and absence records: {policy.after_exit_years} years after"
        " their last working day",
        f"  occupational physician's advice: {policy.reintegration_years} years after the"
        " absence case ends",
        f"  sent messages' payloads and dead letters: {policy.outbox_days} days;"
        f" access log: {policy.access_log_days} days",
    ]
    return "\n".join(lines)


def _url(args: argparse.Namespace) -> str:
    url: str | None = args.db or os.environ.get("GESPREKSCYCLUS_DB")
    if not url:
        raise InvalidValueError("--db", "give a store URL or set GESPREKSCYCLUS_DB")
    return url


def _text(value: str, option: str) -> str:
    if not value.strip():
        raise InvalidValueError(option, "must not be blank")
    return value


def _service(
    args: argparse.Namespace, design: CycleDesign, now: datetime | None, *, create: bool
) -> ConversationService:
    clock = FixedClock(now) if now is not None else SystemClock()
    url, placement = store_placement(args)
    return build_service(url, design=design, clock=clock, create=create, **placement)


def _purge(args: argparse.Namespace, out: io.StringIO) -> int:
    now = parse_instant(args.now) if args.now else datetime.now(UTC)
    design = load_design(args.design) if args.design else _NO_DESIGN
    service = _service(args, design, now, create=not args.dry_run)  # a count makes no file
    try:
        report = service.purge(now, dry_run=args.dry_run)
        if args.compact and not args.dry_run:
            service.compact()
    finally:
        service.store.close()
    source = args.design if args.design else "built-in defaults (no --design given)"
    verb = "would remove" if report.dry_run else "removed"
    out.write(f"retention: {source}\n{verb}: {describe_removed(report.removed)}\n")
    for reason in report.kept:
        out.write(f"kept: {reason}\n")
    if report.compact_problem is not None:
        out.write(f"not compacted: {report.compact_problem}; run again with --compact\n")
    return 0


def _erase(args: argparse.Namespace, out: io.StringIO) -> int:
    person = _text(args.person, "--person")
    reason = _text(args.reason, "--reason")
    service = _service(args, _NO_DESIGN, None, create=True)
    try:
        report = service.erase_person(person, reason=reason)
    finally:
        service.store.close()
    out.write(
        f"erased {report.person_id} at {report.at.isoformat()} ({report.reason})\n"
        f"removed: {describe_removed(report.removed)}\n"
    )
    if not report.compacted:
        out.write(
            f"not compacted: {report.compact_problem}; run `gesprekscyclus purge --compact`"
            " when the store is idle\n"
        )
    return 0


def _export(args: argparse.Namespace, out: io.StringIO) -> int:
    person = _text(args.person, "--person")
    service = _service(args, _NO_DESIGN, None, create=False)  # only reads
    try:
        document = service.export_person(person)
    finally:
        service.store.close()
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.out:
        write_output("--out", args.out, text.encode("utf-8"))
        out.write(f"{args.out}: export of {person}\n")
    else:
        out.write(text)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``purge``, ``erase-person`` and ``export-person``."""
    parser = subparsers.add_parser("purge", help="remove what retention no longer allows")
    add_store_options(parser)
    parser.add_argument("--design", help="the cycle design whose retention periods apply")
    parser.add_argument("--now", help="the instant to purge at (ISO 8601; UTC without offset)")
    parser.add_argument("--dry-run", action="store_true", help="only count, remove nothing")
    parser.add_argument(
        "--compact", action="store_true", help="compact the store even if nothing was removed"
    )
    parser.set_defaults(handler=_purge)

    parser = subparsers.add_parser("erase-person", help="erase one person (AVG art. 17)")
    add_store_options(parser)
    parser.add_argument("--person", required=True, metavar="ID")
    parser.add_argument("--reason", required=True, help="why, e.g. the request and its date")
    parser.set_defaults(handler=_erase)

    parser = subparsers.add_parser("export-person", help="export one person's data (art. 15)")
    add_store_options(parser)
    parser.add_argument("--person", required=True, metavar="ID")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    parser.set_defaults(handler=_export)
