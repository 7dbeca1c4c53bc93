"""Local wall time in an IANA time zone, with fixed rules around daylight saving time.

Rules keep a conversation's time as local wall time (``09:30``) plus the person's zone, and
turn it into an instant only for a concrete day. A recurring conversation therefore stays at
09:30 local time all year, and its UTC offset changes with daylight saving time.

>>> from datetime import date, time
>>> localize(date(2026, 1, 12), time(9, 30), "Europe/Amsterdam").isoformat()
'2026-01-12T09:30:00+01:00'
>>> localize(date(2026, 7, 13), time(9, 30), "Europe/Amsterdam").isoformat()
'2026-07-13T09:30:00+02:00'
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time

from gesprekscyclus.domain._checks import is_iana_zone, shown
from gesprekscyclus.errors import InvalidValueError

__all__ = ["is_ambiguous", "is_nonexistent", "localize", "zone_info"]


def zone_info(zone: str) -> zoneinfo.ZoneInfo:
    """The :class:`zoneinfo.ZoneInfo` for an IANA name, or an ``InvalidValueError``."""
    if not is_iana_zone(zone):
        raise InvalidValueError(
            "zone", f"unknown IANA time zone {zone!r:.80} (e.g. 'Europe/Amsterdam', 'UTC')"
        )
    return zoneinfo.ZoneInfo(zone)


def _naive(day: date, wall: time, zone: str) -> datetime:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise InvalidValueError("day", f"must be a date, got {shown(day)}")
    if not isinstance(wall, time) or wall.tzinfo is not None:
        raise InvalidValueError(
            "wall", f"must be a local wall time without a time zone, got {shown(wall)}"
        )
    return datetime.combine(day, wall.replace(fold=0), tzinfo=zone_info(zone))


def _round_trip(moment: datetime) -> datetime:
    return moment.astimezone(UTC).astimezone(moment.tzinfo)


def is_nonexistent(day: date, wall: time, zone: str) -> bool:
    """Whether the wall time never happens on ``day`` (skipped by a DST change).

    >>> is_nonexistent(date(2026, 3, 29), time(2, 30), "Europe/Amsterdam")
    True
    """
    moment = _naive(day, wall, zone)
    return _round_trip(moment).replace(tzinfo=None) != moment.replace(tzinfo=None)


def is_ambiguous(day: date, wall: time, zone: str) -> bool:
    """Whether the wall time happens twice on ``day`` (repeated by a DST change).

    >>> is_ambiguous(date(2026, 10, 25), time(2, 30), "Europe/Amsterdam")
    True
    """
    first = _naive(day, wall, zone)
    second = first.replace(fold=1)
    return first.utcoffset() != second.utcoffset() and not is_nonexistent(day, wall, zone)


def localize(day: date, wall: time, zone: str) -> datetime:
    """The aware datetime at local wall time ``wall`` on ``day`` in the IANA ``zone``.

    Two rules settle the hours that daylight saving time disturbs:

    - a wall time that does not exist (skipped when the clocks go forward) moves forward by
      the length of the gap: 02:30 on 29 March 2026 in Europe/Amsterdam becomes 03:30 CEST;
    - a wall time that happens twice (when the clocks go back) means the first of the two,
      still in summer time: 02:30 on 25 October 2026 is 02:30 CEST (+02:00), ``fold=0``.

    The result carries the zone as its ``tzinfo`` and always names a real instant.

    >>> localize(date(2026, 3, 29), time(2, 30), "Europe/Amsterdam").isoformat()
    '2026-03-29T03:30:00+02:00'
    >>> localize(date(2026, 10, 25), time(2, 30), "Europe/Amsterdam").isoformat()
    '2026-10-25T02:30:00+02:00'
    """
    moment = _naive(day, wall, zone)
    # For a skipped wall time fold=0 applies the offset from before the change; converting
    # to UTC and back then lands the same distance past the gap, i.e. shifted by its length.
    return _round_trip(moment)
