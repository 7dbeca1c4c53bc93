"""iCalendar (RFC 5545) invitations and subscribable feeds for conversations.

Needs the optional ``icalendar`` package: ``pip install 'gesprekscyclus[ics]'``. It is
imported only when one of these functions runs.

Every conversation keeps one UID (``<conversation id>@<domain>``, the e-mail notifier uses
the sender's domain) for its whole life; a reschedule raises ``SEQUENCE`` so calendars
replace the old version, and a cancellation is the same UID with ``METHOD:CANCEL``. Times
carry their ``TZID`` and the matching ``VTIMEZONE`` is included; a conversation with only a
target date becomes an all-day event.

An invitation names its ``ORGANIZER`` (with ``SENT-BY`` when another address sends it) and
the participants as ``ATTENDEE``. A feed is a published calendar, not a scheduling message:
its events carry neither, and each event's ``DTSTAMP`` and ``LAST-MODIFIED`` are the time the
conversation last changed, so regenerating the feed gives the same bytes until something
changes. Feeds carry the RFC 7986 ``NAME`` and ``REFRESH-INTERVAL`` (and the older
``X-WR-CALNAME`` and ``X-PUBLISHED-TTL`` that some clients still read).

>>> from datetime import date, datetime, timezone
>>> from gesprekscyclus.domain.text import LocalizedText
>>> from gesprekscyclus.ports.notifier import ConversationInfo, Recipient
>>> bob = Recipient(id="m-1", name="Bob", role="manager", email="bob@example.org")
>>> talk = ConversationInfo(
...     id="c-1", type_key="check_in", type_label=LocalizedText(nl="Check-in", en="Check-in"),
...     employee_id="e-1", employee_name="Anna", manager_id="m-1", manager_name="Bob",
...     on=date(2026, 7, 1), starts_at=datetime(2026, 7, 1, 7, 30, tzinfo=timezone.utc))
>>> text = invite(talk, organizer=bob, stamp=datetime(2026, 6, 1, tzinfo=timezone.utc))
>>> lines = text.decode().splitlines()
>>> for line in lines:
...     if line.startswith(("METHOD", "UID", "DTSTART;", "SEQUENCE", "BEGIN:VTIMEZONE")):
...         print(line)
METHOD:REQUEST
BEGIN:VTIMEZONE
DTSTART;TZID=Europe/Amsterdam:20260701T093000
UID:c-1@gesprekscyclus
SEQUENCE:0
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from gesprekscyclus.domain.text import Locale
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.clock import SystemClock
from gesprekscyclus.ports.notifier import ConversationInfo, Recipient

if TYPE_CHECKING:
    import icalendar

__all__ = [
    "AS_PLANNED",
    "PRODID",
    "REFRESH_INTERVAL",
    "Method",
    "event_for",
    "feed",
    "invite",
    "summary_of",
    "uid_of",
]

#: The product identifier written into every calendar.
PRODID = "-//gesprekscyclus//conversation calendar//EN"

#: How often subscribers should fetch a feed again, unless ``feed`` is told otherwise.
REFRESH_INTERVAL = timedelta(hours=1)

#: The ``DTSTAMP`` of a feed event whose conversation has not changed since it was planned
#: (the store keeps no time for that): fixed, so that the feed's bytes stay the same.
AS_PLANNED = datetime(1970, 1, 1, tzinfo=UTC)

#: The iTIP methods of an invitation: a request (new or changed) or a cancellation.
Method = Literal["REQUEST", "CANCEL"]
_METHODS = ("REQUEST", "CANCEL")


def _icalendar() -> ModuleType:
    try:
        return importlib.import_module("icalendar")
    except ImportError as error:
        raise ImportError(
            "calendar invitations need the optional 'icalendar' package: "
            "pip install 'gesprekscyclus[ics]'"
        ) from error


def uid_of(conversation: ConversationInfo, *, domain: str = "gesprekscyclus") -> str:
    """The UID a conversation keeps across reschedules and cancellation."""
    return f"{conversation.id}@{domain}"


def summary_of(conversation: ConversationInfo, locale: Locale | str = Locale.NL) -> str:
    """The event title: the type label in ``locale`` and who it is with; for a confidential
    or health-related type only a neutral title, since others may see the calendar.

    >>> from gesprekscyclus.domain.text import LocalizedText
    >>> talk = ConversationInfo(
    ...     id="c-1", type_key="exit",
    ...     type_label=LocalizedText(nl="Exitgesprek", en="Exit interview"),
    ...     employee_id="e-1", employee_name="Anna", manager_id=None, manager_name=None,
    ...     on=date(2026, 7, 1))
    >>> summary_of(talk, "en")
    'Exit interview: Anna'
    >>> import attrs
    >>> summary_of(attrs.evolve(talk, sensitivity="confidential"), "nl")
    'Afspraak'
    """
    if conversation.is_sensitive:
        return _clean(conversation.public_title(locale))
    return _clean(f"{conversation.type_label.in_(locale)}: {conversation.employee_name}")


def _clean(text: str) -> str:
    """Text safe for a property or a parameter: one line, no quotes or control characters."""
    kept = "".join(
        " " if unicodedata.category(char) in {"Cc", "Zl", "Zp"} else char for char in text
    )
    return " ".join(kept.replace('"', "'").split())


def _address(ical: ModuleType, person: Recipient, path: str) -> Any:
    if not person.email:
        raise InvalidValueError(
            path, f"{person.name} ({person.id}) has no e-mail address; a calendar needs one"
        )
    address = ical.vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = _clean(person.name) or person.id
    return address


def _times(conversation: ConversationInfo) -> tuple[date | datetime, date | datetime]:
    if conversation.starts_at is None:
        return conversation.on, conversation.on + timedelta(days=1)
    zone = ZoneInfo(conversation.time_zone)
    start = conversation.starts_at.replace(microsecond=0)  # iCalendar has whole seconds
    if start.tzinfo is None:
        raise InvalidValueError(
            "ConversationInfo.starts_at", "needs a time zone (an aware datetime)"
        )
    end = start + timedelta(minutes=conversation.duration_minutes)
    return _wall_time(start, zone), _wall_time(end, zone)


def _wall_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` in ``zone``, unless it is the second of two instants with the same wall
    time (the hour repeated when summer time ends): RFC 5545 reads such a local time as the
    first, so that one is written in UTC instead."""
    local = moment.astimezone(zone)
    if local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


def _utc(stamp: datetime, path: str) -> datetime:
    if stamp.tzinfo is None:
        raise InvalidValueError(path, "needs a time zone (an aware datetime)")
    return stamp.astimezone(UTC)


def event_for(
    conversation: ConversationInfo,
    *,
    organizer: Recipient | None,
    method: Method | None = "REQUEST",
    stamp: datetime,
    locale: Locale | str | None = None,
    uid_domain: str = "gesprekscyclus",
    attendees: bool = True,
    sent_by: str | None = None,
) -> icalendar.Event:
    """A ``VEVENT`` for ``conversation``.

    ``method`` is the iTIP method the event travels with (``None`` in a feed); ``CANCEL``
    or a cancelled conversation gives ``STATUS:CANCELLED``, a fixed time ``CONFIRMED`` and a
    date only ``TENTATIVE``. With an ``organizer`` (who must have an e-mail address) and
    ``attendees``, participants with an address become attendees; without an organizer the
    event has neither, as RFC 5546 has no attendees without an organizer. ``sent_by`` is the
    address that sends the event on the organizer's behalf (``SENT-BY``, left out when it is
    the organizer's). ``stamp`` is the ``DTSTAMP``; ``locale`` picks the language of the
    summary (the organizer's by default). A confidential or health-related type gets a
    neutral summary (:func:`summary_of`) and ``CLASS:CONFIDENTIAL``.
    """
    if method is not None and method not in _METHODS:
        raise InvalidValueError("method", f"unknown method {method!r}", allowed=_METHODS)
    ical = _icalendar()
    event = ical.Event()
    event.add("uid", uid_of(conversation, domain=uid_domain))
    event.add("dtstamp", _utc(stamp, "stamp"))
    event.add("sequence", conversation.sequence)
    start, end = _times(conversation)
    event.add("dtstart", start)
    event.add("dtend", end)
    if method == "CANCEL" or conversation.cancelled:
        status = "CANCELLED"
    else:
        status = "CONFIRMED" if conversation.starts_at is not None else "TENTATIVE"
    event.add("status", status)
    language = locale if locale is not None else (organizer.locale if organizer else Locale.NL)
    event.add("summary", summary_of(conversation, language))
    if conversation.is_sensitive:
        event.add("class", "CONFIDENTIAL")
    event.add("transp", "OPAQUE" if conversation.starts_at is not None else "TRANSPARENT")
    if organizer is None:
        return event  # type: ignore[no-any-return]
    address = _address(ical, organizer, "organizer.email")
    if sent_by and sent_by.strip().lower() != (organizer.email or "").strip().lower():
        address.params["SENT-BY"] = f"mailto:{_clean(sent_by)}"
    event.add("organizer", address)
    if attendees:
        _add_attendees(ical, event, conversation, reply=True)
    return event  # type: ignore[no-any-return]


def _add_attendees(
    ical: ModuleType, event: icalendar.Event, conversation: ConversationInfo, *, reply: bool
) -> None:
    """The participants with an address as ``ATTENDEE`` lines; ``reply`` asks them to answer
    (an invitation has an organizer to answer to, a feed has not)."""
    for person in conversation.participants:
        if not person.email:
            continue
        attendee = _address(ical, person, "participants.email")
        attendee.params["CUTYPE"] = "INDIVIDUAL"
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        if reply:
            attendee.params["PARTSTAT"] = "NEEDS-ACTION"
            attendee.params["RSVP"] = "TRUE"
        event.add("attendee", attendee)


def _calendar(ical: ModuleType, events: list[Any], zones: set[str], years: set[int]) -> Any:
    calendar = ical.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for zone in sorted(zones):
        if zone == "UTC":
            continue
        calendar.add_component(
            ical.Timezone.from_tzid(
                zone, first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1)
            )
        )
    for event in events:
        calendar.add_component(event)
    return calendar


def _years(conversations: Iterable[ConversationInfo]) -> set[int]:
    years: set[int] = set()
    for conversation in conversations:
        years.add(conversation.on.year)
        if conversation.starts_at is not None:
            years.add(conversation.starts_at.year)
    return years


def invite(
    conversation: ConversationInfo,
    *,
    organizer: Recipient,
    method: Method = "REQUEST",
    stamp: datetime | None = None,
    locale: Locale | str | None = None,
    uid_domain: str = "gesprekscyclus",
    sent_by: str | None = None,
) -> bytes:
    """An iTIP invitation (``METHOD:REQUEST``) or cancellation (``METHOD:CANCEL``).

    ``stamp`` (the ``DTSTAMP``) defaults to the current time; pass it for repeatable output.
    ``sent_by`` is the sending address when it is not the organizer's (``SENT-BY``).
    """
    if method not in _METHODS:
        raise InvalidValueError("method", f"unknown method {method!r}", allowed=_METHODS)
    ical = _icalendar()
    when = stamp if stamp is not None else SystemClock().now()
    event = event_for(
        conversation,
        organizer=organizer,
        method=method,
        stamp=when,
        locale=locale,
        uid_domain=uid_domain,
        sent_by=sent_by,
    )
    zones = {conversation.time_zone} if conversation.starts_at is not None else set()
    calendar = _calendar(ical, [event], zones, _years([conversation]))
    calendar.add("method", method)
    return bytes(calendar.to_ical())


def feed(
    conversations: Iterable[ConversationInfo],
    *,
    name: str,
    stamp: datetime,
    locale: Locale | str = Locale.NL,
    uid_domain: str = "gesprekscyclus",
    refresh_interval: timedelta = REFRESH_INTERVAL,
    attendees: bool = False,
) -> bytes:
    """A subscribable calendar (no ``METHOD``) named ``name`` with one event per conversation.

    Cancelled conversations stay in with ``STATUS:CANCELLED`` so subscribers drop them.
    Events are sorted by date, start and id. Each event's ``DTSTAMP`` and ``LAST-MODIFIED``
    are the conversation's ``modified_at`` (:data:`AS_PLANNED` while it has none), so the
    same conversations always give the same bytes; ``stamp`` only needs to be aware (it
    picks the time-zone years of an empty feed). ``refresh_interval`` (whole seconds, at
    least one minute) tells subscribers how often to fetch the feed again. A feed is often
    shared further than its owner, so it leaves the participants' e-mail addresses out
    unless ``attendees`` is set.
    """
    seconds = refresh_interval.total_seconds()
    if seconds < 60 or seconds != int(seconds):
        raise InvalidValueError(
            "refresh_interval", f"must be whole seconds and at least one minute, got {seconds}"
        )
    ical = _icalendar()
    items = sorted(
        conversations,
        key=lambda c: (c.on, c.starts_at.astimezone(UTC).isoformat() if c.starts_at else "", c.id),
    )
    events = []
    for item in items:
        changed = _utc(item.modified_at, "modified_at") if item.modified_at else AS_PLANNED
        event = event_for(
            item,
            organizer=None,
            method=None,
            stamp=changed,
            locale=locale,
            uid_domain=uid_domain,
        )
        if attendees:  # asked for explicitly, although a published calendar has no organizer
            _add_attendees(ical, event, item, reply=False)
        event.add("last-modified", changed)
        events.append(event)
    zones = {c.time_zone for c in items if c.starts_at is not None}
    years = _years(items) or {_utc(stamp, "stamp").year}
    calendar = _calendar(ical, events, zones, years)
    title = _clean(name) or "gesprekscyclus"
    calendar.add("name", title)
    calendar.add("x-wr-calname", title)
    # Explicit durations: icalendar before 7 knows no type for these properties.
    refresh = ical.vDuration(refresh_interval)
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", ical.vDuration(refresh_interval))
    return bytes(calendar.to_ical())
