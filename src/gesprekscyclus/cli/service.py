"""Service commands: ``tick``, ``worker`` and ``export-ics``.

- ``tick --db URL [--design DESIGN] [--now DATETIME]``: one pass of the background work —
  materialise the coming year, enqueue the reminders due now, dispatch them once, purge
  what the design's retention periods no longer allow to keep;
- ``worker --db URL [--design DESIGN]``: the same in a loop until SIGTERM or SIGINT (the
  retention purge once a day, with the materialising); unsent claims are released on the
  way out and the exit code is 0. A failing step (a dropped connection, a database
  restart) is logged and retried after a growing pause, up to a minute
  (:mod:`gesprekscyclus.service.worker`); a store that cannot be reached at start is
  waited for the same way;
- ``export-ics --db URL [--design DESIGN] (--manager ID | --person ID) [--out FILE]``: a
  calendar feed (the ``ics`` extra) a calendar client can subscribe to.

The design (with its catalog and HR contact) comes from the store (``gesprekscyclus design
apply``). ``--design`` is optional: a file whose fingerprint differs from the stored design is
refused, naming both, and so is an ``--hr`` that differs from the stored design's HR contact;
on a store without a design, ``--design`` is used as given (nothing is stored).

``--db`` defaults to the environment variable ``GESPREKSCYCLUS_DB``. Notifications go to the
console by default (``--notify console``); ``--notify smtp`` and ``--notify webhook`` read their
settings from the environment so that no secret appears on a command line (see
``docs/cli.md``).

Every option is checked before a store is opened: a bad value raises a library error, so the
command exits with code 2, names the option and the allowed range, and writes nothing.

>>> parse_whole("3000000", "--horizon-days", low=0, high=MAX_HORIZON_DAYS)
Traceback (most recent call last):
...
gesprekscyclus.errors.InvalidValueError: --horizon-days: 3000000 is more than 3660
"""

from __future__ import annotations

import argparse
import io
import logging
import math
import os
import socket
import threading
from datetime import UTC, datetime, timedelta

from gesprekscyclus._files import write_output
from gesprekscyclus.adapters.notifiers.console import ConsoleNotifier, LoggingNotifier
from gesprekscyclus.bootstrap import build_service
from gesprekscyclus.cli.store_options import add_store_options, store_placement
from gesprekscyclus.domain._checks import check_text
from gesprekscyclus.errors import InvalidValueError, StoreError, StoreRefusedError
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.planning.planner import FIRST_PLAN_DAY, LAST_PLAN_DAY
from gesprekscyclus.ports.clock import Clock, FixedClock, SystemClock
from gesprekscyclus.ports.notifier import Notifier
from gesprekscyclus.service.app import ConversationService, TickReport, tick
from gesprekscyclus.service.design import check_design
from gesprekscyclus.service.dispatch import Dispatcher, Recovery, stop_on_signals, wait_or_stop
from gesprekscyclus.service.feeds import manager_feed_entries, person_feed_entries
from gesprekscyclus.service.materialise import PLAN_MARGIN_DAYS
from gesprekscyclus.service.worker import Worker

__all__ = [
    "MAX_HORIZON_DAYS",
    "MAX_INTERVAL_SECONDS",
    "describe_tick",
    "notifier_from_environment",
    "parse_instant",
    "parse_seconds",
    "parse_whole",
    "register",
]

NOTIFIERS = ("console", "log", "smtp", "webhook")
#: The longest ``--horizon-days`` (ten years); ``GESPREKSCYCLUS_MAX_HORIZON_DAYS`` overrides it.
MAX_HORIZON_DAYS = 3660
#: The longest ``--interval`` of a worker, in seconds (one day).
MAX_INTERVAL_SECONDS = 86_400.0
_MAX_OPTION_CHARS = 64  # an instant or number longer than this is not one
log: logging.Logger = logging.getLogger("gesprekscyclus.worker")


def _shown(text: str) -> str:
    return repr(text if len(text) <= _MAX_OPTION_CHARS else text[:_MAX_OPTION_CHARS] + "…")


def parse_instant(text: str, option: str = "--now") -> datetime:
    """An ISO 8601 date or date-time; without an offset it is taken as UTC.

    >>> parse_instant("2026-11-27T09:00+01:00").isoformat()
    '2026-11-27T08:00:00+00:00'
    >>> parse_instant("9999-12-31T23:00-05:00")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: --now: '9999-12-31T23:00-05:00' lies outside the \
dates this library can represent in UTC (years 1 to 9999)
    """
    example = "(e.g. 2026-11-27T09:00+01:00)"
    if len(text) > _MAX_OPTION_CHARS or not text.isascii():
        raise InvalidValueError(option, f"{_shown(text)} is not an ISO 8601 date-time {example}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValueError(
            option, f"{text!r} is not an ISO 8601 date-time {example}"
        ) from None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise InvalidValueError(
            option,
            f"{text!r} lies outside the dates this library can represent in UTC (years 1 to 9999)",
        ) from None


def parse_whole(text: str, option: str, *, low: int, high: int, override: str = "") -> int:
    """A whole number of ASCII digits between ``low`` and ``high``; ``override`` names the
    environment variable that raises ``high`` (mentioned in the message)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise InvalidValueError(
            option, f"{_shown(text)} is not a whole number from {low} to {high}"
        )
    value = int(text)
    if value < low:
        raise InvalidValueError(option, f"{value} is less than {low}")
    if value > high:
        hint = f" (set {override} for a longer horizon)" if override else ""
        raise InvalidValueError(option, f"{value} is more than {high}{hint}")
    return value


def parse_seconds(text: str, option: str, *, high: float) -> float:
    """A finite number of seconds above 0 and at most ``high``.

    >>> parse_seconds("2.5", "--interval", high=60)
    2.5
    >>> parse_seconds("nan", "--interval", high=60)
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: --interval: 'nan' is not a number of seconds \
above 0 and at most 60
    """
    problem = f"{_shown(text)} is not a number of seconds above 0 and at most {high:g}"
    if len(text) > _MAX_OPTION_CHARS or not text.isascii():
        raise InvalidValueError(option, problem)
    try:
        value = float(text)
    except ValueError:
        raise InvalidValueError(option, problem) from None
    if not (math.isfinite(value) and 0 < value <= high):
        raise InvalidValueError(option, problem)
    return value


def _max_horizon() -> int:
    text = os.environ.get("GESPREKSCYCLUS_MAX_HORIZON_DAYS")
    if text is None or not text.strip():
        return MAX_HORIZON_DAYS
    return parse_whole(text, "GESPREKSCYCLUS_MAX_HORIZON_DAYS", low=1, high=36_600)


def _check_options(args: argparse.Namespace) -> None:
    """Parse and check the options in place, before anything is opened."""
    for option in ("hr", "manager", "person"):
        value = getattr(args, option, None)
        if value is not None:
            if not value.strip():
                raise InvalidValueError(f"--{option}", "must not be blank")
            check_text(f"--{option}", value, one_line=True)
    if hasattr(args, "horizon_days"):
        args.horizon_days = parse_whole(
            str(args.horizon_days),
            "--horizon-days",
            low=0,
            high=_max_horizon(),
            override="GESPREKSCYCLUS_MAX_HORIZON_DAYS",
        )
    if hasattr(args, "interval"):
        args.interval = parse_seconds(str(args.interval), "--interval", high=MAX_INTERVAL_SECONDS)
    now = parse_instant(args.now) if getattr(args, "now", None) else datetime.now(UTC)
    horizon = getattr(args, "horizon_days", 0)
    # Materialising plans PLAN_MARGIN_DAYS around the horizon; all of it must be plannable.
    first = FIRST_PLAN_DAY + timedelta(days=PLAN_MARGIN_DAYS)
    last = LAST_PLAN_DAY - timedelta(days=PLAN_MARGIN_DAYS)
    if not first <= now.date() <= last:
        raise InvalidValueError("--now", f"{now.date()} lies outside {first}..{last}")
    if now.date() > last - timedelta(days=horizon):
        raise InvalidValueError(
            "--horizon-days", f"{horizon} days from {now.date()} reach past {last}"
        )


def _env(name: str, *, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or not value.strip():
        raise InvalidValueError(name, "this environment variable must be set")
    return value


def notifier_from_environment(kind: str, out: io.StringIO) -> Notifier:
    """The notifier named by ``--notify``; SMTP and webhook settings come from the environment.

    SMTP: ``GESPREKSCYCLUS_SMTP_HOST``, ``_PORT`` (25), ``_SECURITY`` (none, starttls, ssl),
    ``_SENDER``, ``_USERNAME``, ``_PASSWORD``. Webhook: ``GESPREKSCYCLUS_WEBHOOK_URL`` and
    ``GESPREKSCYCLUS_WEBHOOK_SECRET``: one ``whsec_…`` secret, or several separated by spaces
    while a secret is rotated (each signs every request).
    With ``GESPREKSCYCLUS_STATE_CHANGES=1`` it also posts state changes (see
    :func:`state_changes_from_environment`).
    """
    if kind == "console":
        return ConsoleNotifier(out)
    if kind == "log":
        return LoggingNotifier()
    if kind == "smtp":
        from gesprekscyclus.adapters.notifiers.mail import EmailNotifier  # noqa: PLC0415

        port_text = _env("GESPREKSCYCLUS_SMTP_PORT", default="25")
        # ASCII digits only: int() also reads other scripts' digits, and isdigit() passes "²".
        digits = port_text.isascii() and port_text.isdigit() and len(port_text) <= 5
        port = int(port_text) if digits else 0
        if not 1 <= port <= 65535:
            raise InvalidValueError(
                "GESPREKSCYCLUS_SMTP_PORT", f"{port_text!r} is not a port", allowed=("1 to 65535",)
            )
        return EmailNotifier(
            _env("GESPREKSCYCLUS_SMTP_HOST"),
            port,
            sender=_env("GESPREKSCYCLUS_SMTP_SENDER"),
            security=_env("GESPREKSCYCLUS_SMTP_SECURITY", default="none"),
            username=os.environ.get("GESPREKSCYCLUS_SMTP_USERNAME") or None,
            password=os.environ.get("GESPREKSCYCLUS_SMTP_PASSWORD") or None,
        )
    if kind == "webhook":
        from gesprekscyclus.adapters.notifiers.webhook import (  # noqa: PLC0415
            WebhookNotifier,
            parse_secrets,
        )

        return WebhookNotifier(
            _env("GESPREKSCYCLUS_WEBHOOK_URL"),
            secret=parse_secrets(
                _env("GESPREKSCYCLUS_WEBHOOK_SECRET").split(), "GESPREKSCYCLUS_WEBHOOK_SECRET"
            ),
            state_changes=state_changes_from_environment(),
        )
    raise InvalidValueError("--notify", f"unknown notifier {kind!r}", allowed=NOTIFIERS)


#: The values ``GESPREKSCYCLUS_STATE_CHANGES`` may take, and what they mean.
_SWITCH = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}


def state_changes_from_environment() -> bool:
    """Whether ``GESPREKSCYCLUS_STATE_CHANGES`` asks for state changes (``1``, ``true``,
    ``yes``; unset, ``0``, ``false`` or ``no`` do not): the commands write them and a
    webhook posts them. Every process that writes to one store should use the same setting,
    or an application mirroring the store misses what the others did.

    >>> import os
    >>> os.environ["GESPREKSCYCLUS_STATE_CHANGES"] = "maybe"
    >>> state_changes_from_environment()
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: GESPREKSCYCLUS_STATE_CHANGES: unknown value ...
    >>> del os.environ["GESPREKSCYCLUS_STATE_CHANGES"]
    >>> state_changes_from_environment()
    False
    """
    text = os.environ.get("GESPREKSCYCLUS_STATE_CHANGES", "").strip().lower()
    if text not in _SWITCH:
        raise InvalidValueError(
            "GESPREKSCYCLUS_STATE_CHANGES", f"unknown value {text!r}", allowed=sorted(_SWITCH)
        )
    return _SWITCH[text]


def _service(args: argparse.Namespace, clock: Clock, *, create: bool = True) -> ConversationService:
    """The service on the command's store; without ``create`` (a command that only reads)
    a SQLite file that does not exist is an error instead of a new store."""
    url, placement = store_placement(args)
    given = load_design(args.design) if args.design else None
    state_changes = state_changes_from_environment()
    service = build_service(
        url,
        clock=clock,
        hr_contact_id=args.hr,
        state_changes=state_changes,
        create=create,
        **placement,
    )
    try:
        stored = service.design_version
        if given is not None:
            check_design(given, stored)
            if stored is None:
                service = ConversationService(
                    service.store,
                    clock,
                    design=given,
                    hr_contact_id=args.hr,
                    state_changes=state_changes,
                )
        if stored is not None and args.hr is not None:
            named = service.design.hr_contact
            if named is not None and named != args.hr:
                raise InvalidValueError(
                    "--hr",
                    f"{args.hr!r} differs from the HR contact {named!r} of the stored design "
                    f"{stored.label}; leave --hr out",
                )
    except BaseException:
        service.store.close()
        raise
    return service


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def describe_tick(report: TickReport) -> str:
    """One paragraph on what a tick did."""
    m, r, d = report.materialised, report.reminders, report.dispatched
    return (
        f"materialised: {m.added} added, {m.moved} moved, {m.cancelled} cancelled"
        + (f", {m.reinstated} reinstated" if m.reinstated else "")
        + (f" ({m.late} created late, {m.overdue} of them overdue)" if m.late else "")
        + "; "
        f"reminders: {r.enqueued} enqueued of {r.due} due; "
        f"dispatched: {d.sent} sent, {d.retried} to retry, {d.dead} dead-lettered"
        + (f", {d.lost_leases} leases lost" if d.lost_leases else "")
        + (f"; purged: {report.purged.removed.total} rows" if report.purged else "")
    )


def _tick(args: argparse.Namespace, out: io.StringIO) -> int:
    _check_options(args)
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
    _check_options(args)
    clock = SystemClock()
    stop = threading.Event()
    stop_on_signals(stop)
    owner = _owner()
    recovery = Recovery(owner)
    service = None
    while service is None:  # the database may be down or restarting while the worker starts
        try:
            service = _service(args, clock)
        except StoreError as error:
            # A missing extra or a database the store refuses will not come right by waiting.
            if isinstance(error, StoreRefusedError) or isinstance(error.__cause__, ImportError):
                raise
            if wait_or_stop(stop, recovery.failed("open the store", error)):
                out.write("worker stopped; 0 notifications sent\n")
                return 0
    recovery.succeeded("open the store")
    dispatcher = Dispatcher(
        service.store, notifier_from_environment(args.notify, out), clock, owner=owner
    )
    worker = Worker(
        service,
        dispatcher,
        horizon_days=args.horizon_days,
        interval=args.interval,
        recovery=recovery,
    )
    try:
        totals = worker.run(stop)
    finally:
        service.store.close()
    out.write(
        f"worker stopped; {totals.dispatched.sent} notifications sent"
        + (f", {totals.failures} failed tasks retried" if totals.failures else "")
        + "\n"
    )
    return 0


def _export_ics(args: argparse.Namespace, out: io.StringIO) -> int:
    from gesprekscyclus.adapters.notifiers.ics import feed  # noqa: PLC0415

    _check_options(args)
    clock = SystemClock()
    service = _service(args, clock, create=False)
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
        write_output("--out", args.out, data)
        out.write(f"{args.out}: {len(entries)} conversations\n")
    else:
        out.write(data.decode("utf-8"))
    return 0


def _common(parser: argparse.ArgumentParser, *, notify: bool = True) -> None:
    add_store_options(parser)
    parser.add_argument(
        "--design",
        help="the cycle design file (TOML or JSON); optional: the store's design is used, and "
        "a different file is refused",
    )
    parser.add_argument("--hr", metavar="ID", help="person id of the HR contact for escalations")
    if notify:
        parser.add_argument("--notify", choices=NOTIFIERS, default="console")
        parser.add_argument(
            "--horizon-days",
            default="365",
            metavar="DAYS",
            help=f"days to plan ahead, 0 to {MAX_HORIZON_DAYS} (default 365)",
        )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``tick``, ``worker`` and ``export-ics``."""
    parser = subparsers.add_parser("tick", help="one pass: materialise, remind, dispatch")
    _common(parser)
    parser.add_argument("--now", help="the instant to act at (ISO 8601; UTC without offset)")
    parser.set_defaults(handler=_tick)

    parser = subparsers.add_parser("worker", help="dispatch until SIGTERM or SIGINT")
    _common(parser)
    parser.add_argument(
        "--interval",
        default="5",
        metavar="SECONDS",
        help=f"seconds between idle rounds, above 0 and at most {MAX_INTERVAL_SECONDS:g}",
    )
    parser.set_defaults(handler=_worker)

    parser = subparsers.add_parser("export-ics", help="write a calendar feed (.ics)")
    _common(parser, notify=False)
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--manager", metavar="ID")
    who.add_argument("--person", metavar="ID")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    parser.set_defaults(handler=_export_ics)
