"""Service commands: ``tick``, ``worker`` and ``export-ics``.

- ``tick --db URL --design DESIGN [--now DATETIME]``: one pass of the background work —
  materialise the coming year, enqueue the reminders due now, dispatch them once;
- ``worker --db URL --design DESIGN``: the same in a loop until SIGTERM or SIGINT; unsent
  claims are released on the way out and the exit code is 0;
- ``export-ics --db URL --design DESIGN (--manager ID | --person ID) [--out FILE]``: a
  calendar feed (the ``ics`` extra) a calendar client can subscribe to.

``--db`` defaults to the environment variable ``GESPREKSCYCLUS_DB``. Notifications go to the
console by default (``--notify console``); ``--notify smtp`` and ``--notify webhook`` read their
settings from the environment so that no secret appears on a command line (see
``docs/cli.md``).
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import socket
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from gesprekscyclus.adapters.notifiers.console import ConsoleNotifier, LoggingNotifier
from gesprekscyclus.bootstrap import build_service
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.ports.clock import Clock, FixedClock, SystemClock
from gesprekscyclus.ports.notifier import Notifier
from gesprekscyclus.service.app import ConversationService, TickReport, tick
from gesprekscyclus.service.dispatch import Dispatcher, stop_on_signals
from gesprekscyclus.service.feeds import manager_feed_entries, person_feed_entries

__all__ = ["describe_tick", "notifier_from_environment", "parse_instant", "register"]

NOTIFIERS = ("console", "log", "smtp", "webhook")
log: logging.Logger = logging.getLogger("gesprekscyclus.worker")


def parse_instant(text: str, option: str = "--now") -> datetime:
    """An ISO 8601 date or date-time; without an offset it is taken as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValueError(
            option, f"{text!r} is not an ISO 8601 date-time (e.g. 2026-11-27T09:00+01:00)"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _env(name: str, *, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or not value.strip():
        raise InvalidValueError(name, "this environment variable must be set")
    return value


def notifier_from_environment(kind: str, out: io.StringIO) -> Notifier:
    """The notifier named by ``--notify``; SMTP and webhook settings come from the environment.

    SMTP: ``GESPREKSCYCLUS_SMTP_HOST``, ``_PORT`` (25), ``_SECURITY`` (none, starttls, ssl),
    ``_SENDER``, ``_USERNAME``, ``_PASSWORD``. Webhook: ``GESPREKSCYCLUS_WEBHOOK_URL`` and
    ``GESPREKSCYCLUS_WEBHOOK_SECRET``.
    """
    if kind == "console":
        return ConsoleNotifier(out)
    if kind == "log":
        return LoggingNotifier()
    if kind == "smtp":
        from gesprekscyclus.adapters.notifiers.mail import EmailNotifier  # noqa: PLC0415

        port_text = _env("GESPREKSCYCLUS_SMTP_PORT", default="25")
        if not port_text.isdigit():
            raise InvalidValueError("GESPREKSCYCLUS_SMTP_PORT", f"{port_text!r} is not a port")
        return EmailNotifier(
            _env("GESPREKSCYCLUS_SMTP_HOST"),
            int(port_text),
            sender=_env("GESPREKSCYCLUS_SMTP_SENDER"),
            security=_env("GESPREKSCYCLUS_SMTP_SECURITY", default="none"),
            username=os.environ.get("GESPREKSCYCLUS_SMTP_USERNAME") or None,
            password=os.environ.get("GESPREKSCYCLUS_SMTP_PASSWORD") or None,
        )
    if kind == "webhook":
        from gesprekscyclus.adapters.notifiers.webhook import WebhookNotifier  # noqa: PLC0415

        return WebhookNotifier(
            _env("GESPREKSCYCLUS_WEBHOOK_URL"),
            secret=_env("GESPREKSCYCLUS_WEBHOOK_SECRET").encode(),
        )
    raise InvalidValueError("--notify", f"unknown notifier {kind!r}", allowed=NOTIFIERS)


def _service(args: argparse.Namespace, clock: Clock) -> ConversationService:
    url = args.db or os.environ.get("GESPREKSCYCLUS_DB")
    if not url:
        raise InvalidValueError("--db", "give a store URL or set GESPREKSCYCLUS_DB")
    return build_service(url, design=load_design(args.design), clock=clock, hr_contact_id=args.hr)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def describe_tick(report: TickReport) -> str:
    """One paragraph on what a tick did."""
    m, r, d = report.materialised, report.reminders, report.dispatched
    return (
        f"materialised: {m.added} added, {m.moved} moved, {m.cancelled} cancelled; "
        f"reminders: {r.enqueued} enqueued of {r.due} due; "
        f"dispatched: {d.sent} sent, {d.retried} to retry, {d.dead} dead-lettered"
        + (f", {d.lost_leases} leases lost" if d.lost_leases else "")
    )


def _tick(args: argparse.Namespace, out: io.StringIO) -> int:
    now = parse_instant(args.now) if args.now else datetime.now(UTC)
    clock = FixedClock(now) if args.now else SystemClock()
    service = _service(args, clock)
    try:
        dispatcher = Dispatcher(
            service.store, notifier_from_environment(args.notify, out), clock, owner=_owner()
        )
        report = tick(service, dispatcher, now, horizon_days=args.horizon_days)
    finally:
        service.store.close()
    out.write(describe_tick(report) + "\n")
    return 0


def _worker(args: argparse.Namespace, out: io.StringIO) -> int:
    clock = SystemClock()
    service = _service(args, clock)
    stop = threading.Event()
    stop_on_signals(stop)
    materialised_on: date | None = None
    dispatcher = Dispatcher(
        service.store, notifier_from_environment(args.notify, out), clock, owner=_owner()
    )
    sent = 0
    try:
        while not stop.is_set():
            now = clock.now()
            if materialised_on != now.date():
                start = now.date()
                service.materialise(start, start + timedelta(days=args.horizon_days))
                materialised_on = start
            service.enqueue_due_reminders(now)
            report = dispatcher.run_once(stop)
            sent += report.sent
            if report.handled == 0:
                stop.wait(args.interval)
    finally:
        service.store.close()
    out.write(f"worker stopped; {sent} notifications sent\n")
    return 0


def _export_ics(args: argparse.Namespace, out: io.StringIO) -> int:
    from gesprekscyclus.adapters.notifiers.ics import feed  # noqa: PLC0415

    clock = SystemClock()
    service = _service(args, clock)
    try:
        if args.manager is not None:
            entries = manager_feed_entries(service, args.manager)
            owner = service.person(args.manager)
        else:
            entries = person_feed_entries(service, args.person)
            owner = service.person(args.person)
    finally:
        service.store.close()
    data = feed(
        entries, name=f"gesprekscyclus: {owner.name}", stamp=clock.now(), locale=owner.locale
    )
    if args.out:
        Path(args.out).write_bytes(data)
        out.write(f"{args.out}: {len(entries)} conversations\n")
    else:
        out.write(data.decode("utf-8"))
    return 0


def _common(parser: argparse.ArgumentParser, *, notify: bool = True) -> None:
    parser.add_argument("--db", help="store URL: memory:, sqlite:///FILE or postgresql://…")
    parser.add_argument("--design", required=True, help="the cycle design file (TOML or JSON)")
    parser.add_argument("--hr", metavar="ID", help="person id of the HR contact for escalations")
    if notify:
        parser.add_argument("--notify", choices=NOTIFIERS, default="console")
        parser.add_argument("--horizon-days", type=int, default=365)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``tick``, ``worker`` and ``export-ics``."""
    parser = subparsers.add_parser("tick", help="one pass: materialise, remind, dispatch")
    _common(parser)
    parser.add_argument("--now", help="the instant to act at (ISO 8601; UTC without offset)")
    parser.set_defaults(handler=_tick)

    parser = subparsers.add_parser("worker", help="dispatch until SIGTERM or SIGINT")
    _common(parser)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")
    parser.set_defaults(handler=_worker)

    parser = subparsers.add_parser("export-ics", help="write a calendar feed (.ics)")
    _common(parser, notify=False)
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--manager", metavar="ID")
    who.add_argument("--person", metavar="ID")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    parser.set_defaults(handler=_export_ics)
