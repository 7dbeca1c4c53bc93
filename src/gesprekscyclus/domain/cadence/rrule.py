"""RFC 5545 recurrence rules: validated strictly, expanded within bounds, never replayed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import MAXYEAR, date, timedelta
from functools import lru_cache
from importlib import import_module
from math import gcd
from typing import Any, ClassVar, Literal, NamedTuple, TypeAlias

import dateutil.rrule as _du
from attrs import field, frozen

from gesprekscyclus.domain._checks import typed_fields
from gesprekscyclus.domain.cadence._common import (
    DEFAULT_MAX_ITERATIONS,
    AnchorKind,
    Occurrence,
    person_anchor,
)
from gesprekscyclus.errors import DependencyError, ExpansionLimitError, InvalidValueError

# --- RRULE --------------------------------------------------------------------------------------

_RULE_PATH = "RRuleCadence.rule"
_FREQS: dict[str, _Freq] = {
    "YEARLY": _du.YEARLY,
    "MONTHLY": _du.MONTHLY,
    "WEEKLY": _du.WEEKLY,
    "DAILY": _du.DAILY,
}
_TIME_FREQS = ("HOURLY", "MINUTELY", "SECONDLY")
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PARTS = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "WKST",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
)
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
# RFC 5545 digits and names are ASCII: ``re.ASCII`` keeps ``\d`` from matching "١٠".
_INT = re.compile(r"[+-]?\d{1,4}", re.ASCII)
_BYDAY = re.compile(r"([+-]?\d{1,2})?([A-Z]{2})", re.ASCII)
_UNTIL = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?", re.ASCII)
#: The longest rule text accepted; real rules are well under 200 characters.
MAX_RULE_LENGTH = 1000


_Freq: TypeAlias = Literal[0, 1, 2, 3, 4, 5, 6]


class _Rule(NamedTuple):
    """A validated rule, ready to hand to dateutil."""

    freq: _Freq
    interval: int
    total: int | None
    until: date | None
    wkst: int
    byday: tuple[tuple[int, int | None], ...] | None
    bymonthday: tuple[int, ...] | None
    byyearday: tuple[int, ...] | None
    byweekno: tuple[int, ...] | None
    bymonth: tuple[int, ...] | None
    bysetpos: tuple[int, ...] | None


def _bad(part: str, problem: str, allowed: Sequence[object] | None = None) -> InvalidValueError:
    return InvalidValueError(_RULE_PATH, f"{part}: {problem}", allowed=allowed)


def _int(part: str, text: str, low: int, high: int, *, signed: bool) -> int:
    if not _INT.fullmatch(text):
        raise _bad(part, f"{text!r} is not a whole number")
    value = int(text)
    if value == 0 or abs(value) < low or abs(value) > high or (value < 0 and not signed):
        span = f"{low}..{high}" + (f" or -{high}..-{low}" if signed else "")
        raise _bad(part, f"{text!r} is out of range {span}")
    return value


def _ints(part: str, text: str, high: int, *, signed: bool = True) -> tuple[int, ...]:
    return tuple(sorted({_int(part, item, 1, high, signed=signed) for item in text.split(",")}))


@lru_cache(maxsize=4096)
def _parse(text: str) -> _Rule:
    values: dict[str, str] = {}
    for raw in text.split(";"):
        name, equals, value = raw.partition("=")
        name = name.strip()
        if not equals or not name or not value.strip():
            raise _bad(raw or "(empty)", "expected NAME=VALUE", allowed=_PARTS)
        if name in _TIME_PARTS:
            raise _bad(
                name,
                "time-of-day parts are not allowed; a conversation's time is set elsewhere",
                allowed=_PARTS,
            )
        if name not in _PARTS:
            raise _bad(
                name,
                "unknown rule part (DTSTART, TZID and zones never go in the rule)",
                allowed=_PARTS,
            )
        if name in values:
            raise _bad(name, "may occur only once")
        values[name] = value.strip()

    if "FREQ" not in values:
        raise _bad("FREQ", "is required", allowed=tuple(_FREQS))
    freq_name = values["FREQ"]
    if freq_name not in _FREQS:
        problem = (
            "time-based frequencies are not allowed"
            if freq_name in _TIME_FREQS
            else (f"unknown frequency {freq_name!r}")
        )
        raise _bad("FREQ", problem, allowed=tuple(_FREQS))
    freq = _FREQS[freq_name]
    interval = (
        _int("INTERVAL", values["INTERVAL"], 1, 9999, signed=False) if ("INTERVAL" in values) else 1
    )
    if "COUNT" in values and "UNTIL" in values:
        raise _bad("COUNT", "UNTIL and COUNT must not be used together")
    count = _int("COUNT", values["COUNT"], 1, 9999, signed=False) if "COUNT" in values else None
    until = _parse_until(values["UNTIL"]) if "UNTIL" in values else None

    wkst_name = values.get("WKST", "MO")
    if wkst_name not in _DAYS:
        raise _bad("WKST", f"unknown weekday {wkst_name!r}", allowed=_DAYS)
    wkst = _DAYS.index(wkst_name)

    return _Rule(freq, interval, count, until, wkst, *_parse_by(values, freq_name))


def _parse_by(values: Mapping[str, str], freq_name: str) -> tuple[Any, ...]:
    """The BYxxx parts, checked against the frequency as RFC 5545 section 3.3.10 demands."""
    byday = None
    if "BYDAY" in values:
        byday = tuple(_parse_byday(item, freq_name, values) for item in values["BYDAY"].split(","))
    bymonthday = None
    if "BYMONTHDAY" in values:
        if freq_name == "WEEKLY":
            raise _bad("BYMONTHDAY", "not allowed with FREQ=WEEKLY")
        bymonthday = _ints("BYMONTHDAY", values["BYMONTHDAY"], 31)
    byyearday = None
    if "BYYEARDAY" in values:
        if freq_name != "YEARLY":
            raise _bad("BYYEARDAY", f"only allowed with FREQ=YEARLY, not {freq_name}")
        byyearday = _ints("BYYEARDAY", values["BYYEARDAY"], 366)
    byweekno = None
    if "BYWEEKNO" in values:
        if freq_name != "YEARLY":
            raise _bad("BYWEEKNO", f"only allowed with FREQ=YEARLY, not {freq_name}")
        byweekno = _ints("BYWEEKNO", values["BYWEEKNO"], 53)
    bymonth = (
        _ints("BYMONTH", values["BYMONTH"], 12, signed=False) if ("BYMONTH" in values) else None
    )
    bysetpos = None
    if "BYSETPOS" in values:
        if not any(name.startswith("BY") and name != "BYSETPOS" for name in values):
            raise _bad("BYSETPOS", "needs another BYxxx part to select from")
        bysetpos = _ints("BYSETPOS", values["BYSETPOS"], 366)
    return byday, bymonthday, byyearday, byweekno, bymonth, bysetpos


def _parse_until(text: str) -> date:
    match = _UNTIL.fullmatch(text)
    if match is None:
        raise _bad("UNTIL", f"{text!r} is not a date (YYYYMMDD) or local date-time")
    if match.group(7):
        raise _bad("UNTIL", "must be a local date or date-time; zones never go in the rule")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise _bad("UNTIL", f"{text!r} is not a valid date") from None


def _parse_byday(item: str, freq: str, values: Mapping[str, str]) -> tuple[int, int | None]:
    match = _BYDAY.fullmatch(item)
    if match is None or match.group(2) not in _DAYS:
        raise _bad("BYDAY", f"{item!r} is not a weekday such as MO, FR or -1FR", allowed=_DAYS)
    day = _DAYS.index(match.group(2))
    if match.group(1) is None:
        return day, None
    if freq not in ("MONTHLY", "YEARLY"):
        raise _bad("BYDAY", f"ordinal {item!r} only allowed with FREQ=MONTHLY or YEARLY")
    if freq == "YEARLY" and "BYWEEKNO" in values:
        raise _bad("BYDAY", f"ordinal {item!r} not allowed together with BYWEEKNO")
    within_month = freq == "MONTHLY" or "BYMONTH" in values
    return day, _int("BYDAY", match.group(1), 1, 5 if within_month else 53, signed=True)


def _rrule(rule: _Rule, anchor: date) -> _du.rrule:
    """The dateutil rule from ``anchor``: it fills the parts the rule leaves to DTSTART."""
    byday = None if rule.byday is None else [_du.weekday(d, n) for d, n in rule.byday]
    return _du.rrule(
        rule.freq,
        dtstart=anchor,
        interval=rule.interval,
        wkst=rule.wkst,
        count=rule.total,
        until=rule.until,
        bysetpos=rule.bysetpos,
        bymonth=rule.bymonth,
        bymonthday=rule.bymonthday,
        byyearday=rule.byyearday,
        byweekno=rule.byweekno,
        byweekday=byday,
    )


# dateutil builds its per-year masks (week numbers, n-th weekdays) in a helper class; reusing
# it keeps those rules identical to dateutil's while this module drives a bounded loop. That
# class and the normalised rule parts below are private to dateutil, so they are checked
# before use: the releases in KNOWN_DATEUTIL have them (a test fails on any other release),
# and a release without them gets a DependencyError instead of wrong dates.
#: The python-dateutil releases (version prefixes) whose private rrule helpers were checked.
KNOWN_DATEUTIL = ("2.9", "3.0", "4.0")
_RULE_STATE = (
    "_bymonth",
    "_byweekno",
    "_byweekday",
    "_bymonthday",
    "_bynmonthday",
    "_byyearday",
    "_bysetpos",
    "_count",
)
_ITERINFO_STATE = (
    "rebuild",
    "yearordinal",
    "mrange",
    "yearlen",
    "nextyearlen",
    "mmask",
    "wdaymask",
    "wnomask",
    "nwdaymask",
    "mdaymask",
    "nmdaymask",
)
_IterInfo: Any = vars(_du).get("_iterinfo")


@lru_cache(maxsize=1)
def dateutil_internals_missing() -> tuple[str, ...]:
    """The private dateutil names the expander needs that the installed release lacks."""
    if _IterInfo is None:
        return ("dateutil.rrule._iterinfo",)
    rule = _du.rrule(_du.MONTHLY, dtstart=date(2024, 1, 1), count=1)
    try:
        info = _IterInfo(rule)
        if callable(getattr(info, "rebuild", None)):
            info.rebuild(2024, 1)
    except Exception as error:  # another signature or behaviour: not the helper we know
        return (f"a working dateutil.rrule._iterinfo ({type(error).__name__}: {error})",)
    return tuple(
        [f"rrule.{name}" for name in _RULE_STATE if name not in vars(rule)]
        + [f"_iterinfo.{name}" for name in _ITERINFO_STATE if not hasattr(info, name)]
    )


def _require_known_dateutil() -> None:
    missing = dateutil_internals_missing()
    if missing:
        version = getattr(import_module("dateutil"), "__version__", "unknown")
        raise DependencyError(
            f"python-dateutil {version} lacks {', '.join(missing)}, which RRULE expansion "
            f"relies on; install a tested release ({', '.join(KNOWN_DATEUTIL)}): "
            "pip install 'python-dateutil>=2.9.0.post0,<5'"
        )


def _expand(  # noqa: PLR0915 - one loop, kept together for speed
    rule: _Rule,
    anchor: date,
    lo: date,
    hi: date | None,
    *,
    first_only: bool,
    max_iterations: int,
) -> list[date]:
    """Dates of ``rule`` from ``anchor`` within ``[lo, hi]`` (``hi=None``: the first one)."""
    _require_known_dateutil()
    rr = _rrule(rule, anchor)
    state = vars(rr)
    bymonth: tuple[int, ...] | None = state["_bymonth"]
    byweekno = state["_byweekno"]
    byweekday = state["_byweekday"]
    bymonthday: tuple[int, ...] = state["_bymonthday"]
    bynmonthday: tuple[int, ...] = state["_bynmonthday"]
    byyearday = state["_byyearday"]
    bysetpos = state["_bysetpos"]
    count: int | None = state["_count"]
    freq, interval, wkst = rule.freq, rule.interval, rule.wkst
    until_ord = rule.until.toordinal() if rule.until is not None else None
    anchor_ord = anchor.toordinal()
    lo_ord = lo.toordinal()
    hi_ord = hi.toordinal() if hi is not None else None
    info = _IterInfo(rr)
    month_set = frozenset(bymonth) if bymonth else None

    # The first period to look at: the anchor's, or for rules without COUNT the last period
    # of the anchor's grid that starts on or before ``lo`` (whole multiples of the interval).
    year, month = anchor.year, anchor.month
    first_period = True
    if freq == _du.YEARLY:
        jump = max(0, (lo.year - year) // interval) * interval if count is None else 0
        if jump:
            year, month, first_period = year + jump, 1, False
    elif freq == _du.MONTHLY:
        months = (lo.year - year) * 12 + lo.month - month
        jump = max(0, months // interval) * interval if count is None else 0
        if jump:
            year, m0 = divmod(year * 12 + month - 1 + jump, 12)
            month, first_period = m0 + 1, False
    week_start = anchor_ord - (anchor.weekday() - wkst) % 7
    day_ord = anchor_ord
    if freq == _du.WEEKLY and count is None:
        lo_week = lo_ord - (lo.weekday() - wkst) % 7
        jump = max(0, (lo_week - week_start) // (7 * interval))
        if jump:
            week_start += jump * 7 * interval
            first_period = False
    elif freq == _du.DAILY and count is None:
        day_ord += max(0, (lo_ord - anchor_ord) // interval) * interval
    if freq in (_du.WEEKLY, _du.DAILY):
        first = date.fromordinal(day_ord if freq == _du.DAILY or first_period else week_start)
        year, month = first.year, first.month

    found: list[date] = []
    iterations = 0
    while True:
        iterations += 1
        if iterations > max_iterations:
            raise ExpansionLimitError(
                f"{_RULE_PATH}: expansion examined {max_iterations} periods without finishing"
            )
        # The period's first day (ordinal) and the candidate day indexes within the year.
        if freq == _du.YEARLY:
            period_ord = date(year, 1, 1).toordinal()
        elif freq == _du.MONTHLY:
            period_ord = date(year, month, 1).toordinal()
        elif freq == _du.WEEKLY:
            period_ord = anchor_ord if first_period else week_start
        else:
            period_ord = day_ord
        if (hi_ord is not None and period_ord > hi_ord) or (
            until_ord is not None and period_ord > until_ord
        ):
            return found
        info.rebuild(year, month)
        base = info.yearordinal
        if freq == _du.YEARLY:
            if month_set is not None:
                ranges = [(info.mrange[m - 1], info.mrange[m]) for m in sorted(month_set)]
            else:
                ranges = [(0, info.yearlen)]
        elif freq == _du.MONTHLY:
            if month_set is not None and month not in month_set:
                ranges = []
            else:
                ranges = [(info.mrange[month - 1], info.mrange[month])]
        elif freq == _du.WEEKLY:
            begin = period_ord - base
            stop = week_start + 7 - base
            ranges = [(begin, stop)]
        else:
            ranges = [(day_ord - base, day_ord - base + 1)]

        mmask, wdaymask, wnomask = info.mmask, info.wdaymask, info.wnomask
        nwdaymask, mdaymask, nmdaymask = info.nwdaymask, info.mdaymask, info.nmdaymask
        yearlen, nextyearlen = info.yearlen, info.nextyearlen
        chosen: list[int] = []
        for begin, stop in ranges:
            for i in range(begin, stop):
                if month_set is not None and mmask[i] not in month_set:
                    continue
                if byweekno and not wnomask[i]:
                    continue
                if byweekday and wdaymask[i] not in byweekday:
                    continue
                if nwdaymask and not nwdaymask[i]:
                    continue
                if (bymonthday or bynmonthday) and (
                    mdaymask[i] not in bymonthday and nmdaymask[i] not in bynmonthday
                ):
                    continue
                if byyearday:
                    if i < yearlen:
                        if i + 1 not in byyearday and i - yearlen not in byyearday:
                            continue
                    elif (
                        i + 1 - yearlen not in byyearday
                        and i - yearlen - nextyearlen not in byyearday
                    ):
                        continue
                chosen.append(i)
        if bysetpos and chosen:
            picked: set[int] = set()
            for pos in bysetpos:
                index = pos - 1 if pos > 0 else pos
                if -len(chosen) <= index < len(chosen):
                    picked.add(chosen[index])
            chosen = sorted(picked)
        for i in chosen:
            o = base + i
            if until_ord is not None and o > until_ord:
                return found
            if o < anchor_ord:
                continue
            if count is not None:
                count -= 1
                if count < 0:
                    return found
            if hi_ord is not None and o > hi_ord:
                return found
            if o >= lo_ord:
                found.append(date.fromordinal(o))
                if first_only:
                    return found

        # Next period.
        if freq == _du.YEARLY:
            year += interval
        elif freq == _du.MONTHLY:
            year, m0 = divmod(year * 12 + month - 1 + interval, 12)
            month = m0 + 1
        else:
            if freq == _du.WEEKLY:
                week_start += 7 * interval
                first_period = False
                next_ord = week_start
            else:
                day_ord += interval
                next_ord = day_ord
            if next_ord > _LAST_ORDINAL:
                year = MAXYEAR + 1
            else:
                following = date.fromordinal(next_ord)
                year, month = following.year, following.month
        first_period = False
        if year > MAXYEAR:
            return found


_LAST_ORDINAL = date(MAXYEAR, 12, 31).toordinal()

#: Periods of each frequency in 400 Gregorian years, after which the calendar (weekdays
#: included: 146097 days are 20871 weeks) repeats itself exactly.
_CYCLE_PERIODS: dict[int, int] = {
    _du.YEARLY: 400,
    _du.MONTHLY: 4800,
    _du.WEEKLY: 20871,
    _du.DAILY: 146097,
}


@lru_cache(maxsize=1024)
def _produces(rule: _Rule, anchor: date) -> bool:
    """Whether ``rule`` from ``anchor`` gives a date up to the year 9999, in bounded work."""
    try:  # most rules that produce at all do so within a few hundred periods
        return bool(_expand(rule, anchor, anchor, None, first_only=True, max_iterations=400))
    except ExpansionLimitError:
        pass
    if rule.freq == _du.DAILY and rule.bysetpos is not None:
        if not {1, -1} & set(rule.bysetpos):
            return False  # a daily period holds one day: only position 1 or -1 can pick it
        rule = rule._replace(bysetpos=None)
    if rule.freq in (_du.DAILY, _du.WEEKLY):
        return _filtered_days_produce(rule, anchor)
    periods = _CYCLE_PERIODS[rule.freq]
    bound = periods // gcd(rule.interval, periods) + 2
    try:
        return bool(_expand(rule, anchor, anchor, None, first_only=True, max_iterations=bound))
    except ExpansionLimitError:
        return False  # a whole cycle of the calendar without a match: none ever comes


def _filtered_days_produce(rule: _Rule, anchor: date) -> bool:
    """A daily or weekly rule picks the days its filters pick in a yearly rule, in the days
    or weeks a multiple of INTERVAL from the anchor (with BYSETPOS: in weeks that hold as
    many of those days as the smallest position asks for). Which offsets a cycle of the
    calendar ever reaches follows from the interval's common divisor with the cycle, so
    401 yearly periods settle it instead of 146097 days."""
    byday = rule.byday
    if rule.freq == _du.WEEKLY and byday is None:
        byday = ((anchor.weekday(), None),)  # DTSTART's weekday, as RFC 5545 fills it in
    if not (byday or rule.bymonthday or rule.bymonth):
        return True
    yearly = rule._replace(freq=_du.YEARLY, interval=1, total=None, byday=byday, bysetpos=None)
    if rule.until is None or rule.until >= anchor:
        limit = min(_LAST_ORDINAL, anchor.toordinal() + _CYCLE_DAYS - 1)
        if rule.until is not None:
            limit = min(limit, rule.until.toordinal())
        days = _expand(
            yearly, anchor, anchor, date.fromordinal(limit), first_only=False, max_iterations=403
        )
    else:
        days = []
    unit = 1 if rule.freq == _du.DAILY else 7
    first = anchor.toordinal()
    if unit == 7:
        first -= (anchor.weekday() - rule.wkst) % 7  # the anchor's week starts here
    # An offset that is a multiple of INTERVAL is reached in this cycle; one that is a
    # multiple of its common divisor with the cycle only in a later one (no UNTIL then).
    later = None if rule.until is not None else gcd(rule.interval, _CYCLE_DAYS // unit)
    held = Counter((day.toordinal() - first) // unit for day in days)
    need = 1 if rule.bysetpos is None else min(abs(position) for position in rule.bysetpos)
    return any(
        count >= need
        and (offset % rule.interval == 0 or (later is not None and offset % later == 0))
        for offset, count in held.items()
    )


_CYCLE_DAYS = 146097


def _normal_rule(value: str) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(_RULE_PATH, f"must be text, got {type(value).__name__}")
    if len(value) > MAX_RULE_LENGTH:
        raise InvalidValueError(
            _RULE_PATH, f"is {len(value)} characters long (at most {MAX_RULE_LENGTH})"
        )
    if not value.isascii():
        # Upper-casing would turn "ı" into "I" and "ſ" into "S"; digits such as "١٠" are not
        # RFC 5545 digits either.
        position, char = next((i, c) for i, c in enumerate(value) if not c.isascii())
        raise InvalidValueError(
            _RULE_PATH,
            f"character {char!r} at position {position + 1} is not ASCII; RFC 5545 rule "
            "names, weekdays and digits are ASCII",
        )
    text = value.strip().upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    return text


def _valid_rule(instance: Any, attribute: Any, value: str) -> None:
    _parse(value)


@frozen(field_transformer=typed_fields)
class RRuleCadence:
    """An RFC 5545 recurrence rule producing dates (the text after ``RRULE:``).

    The rule is checked when the cadence is built; every problem raises
    :class:`~gesprekscyclus.errors.InvalidValueError` naming ``RRuleCadence.rule`` and the
    part. Only FREQ=YEARLY/MONTHLY/WEEKLY/DAILY are accepted; no time-of-day parts, no zone
    and no DTSTART in the text. Names are case-insensitive and stored upper-case.

    The anchor passed to :meth:`occurrences` plays the role of DTSTART: it fills in the parts
    the rule leaves out (``FREQ=MONTHLY`` falls on the anchor's day of the month) and nothing
    happens before it. An anchor that does not itself match the rule is *normalised*, not
    rejected: the first occurrence is the first match on or after it, exactly as
    ``dateutil.rrule`` computes it. COUNT counts matches from the anchor on. ``anchor``
    says which date :func:`expand` passes: the hire date (default) or the cycle start.

    >>> last_workday = RRuleCadence("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")
    >>> [o.key for o in last_workday.occurrences(date(1996, 4, 1), date(2026, 1, 1),
    ...                                          date(2026, 3, 31))]
    ['2026-01-30', '2026-02-27', '2026-03-31']
    >>> RRuleCadence("FREQ=WEEKLY;BYDAY=-1FR")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: RRuleCadence.rule: BYDAY: ordinal '-1FR' only
    allowed with FREQ=MONTHLY or YEARLY
    """

    KIND: ClassVar[str] = "rrule"

    rule: str = field(converter=_normal_rule, validator=_valid_rule)
    anchor: AnchorKind = field(
        default=AnchorKind.HIRE_DATE, converter=AnchorKind, validator=person_anchor
    )

    def dates(
        self,
        anchor: date,
        start: date,
        end: date,
        *,
        max_iterations: int = DEFAULT_MAX_ITERATIONS,
    ) -> list[date]:
        """The rule's dates in ``[start, end]`` from ``anchor``; see :meth:`occurrences`."""
        if end < start:
            return []
        return _expand(
            _parse(self.rule),
            anchor,
            max(start, anchor),
            end,
            first_only=False,
            max_iterations=max_iterations,
        )

    def occurrences(
        self,
        anchor: date,
        start: date,
        end: date,
        *,
        max_iterations: int = DEFAULT_MAX_ITERATIONS,
    ) -> list[Occurrence]:
        """The occurrences in ``[start, end]`` (both inclusive), keyed by their ISO date.

        Equal to ``dateutil.rrule`` from ``anchor``, but a rule without COUNT starts at the
        period of its grid nearest ``start``, so an anchor thirty years back costs the same as
        last month's. A COUNT rule has to count from the anchor; COUNT itself bounds it.
        ``max_iterations`` bounds the periods (years, months, weeks or days) examined; past
        it, :class:`~gesprekscyclus.errors.ExpansionLimitError` is raised. The bound is a
        count, never a time, so the same input gives the same result (or the same error) on
        any machine under any load, and it never changes a result that is returned.
        """
        dates = self.dates(anchor, start, end, max_iterations=max_iterations)
        return [Occurrence(d.isoformat(), d) for d in dates]

    def produces_from(self, anchor: date) -> bool:
        """Whether the rule gives any date at all from ``anchor`` (its DTSTART).

        ``False`` means no occurrence ever, e.g. 30 February or a COUNT/UNTIL rule whose
        end lies before the anchor. Decided in bounded work: the Gregorian calendar repeats
        every 400 years, so one such cycle of periods settles it.

        >>> RRuleCadence("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").produces_from(date(2026, 1, 1))
        False
        >>> RRuleCadence("FREQ=DAILY;INTERVAL=7;BYDAY=MO").produces_from(date(2026, 1, 6))
        False
        >>> RRuleCadence("FREQ=DAILY;INTERVAL=7;BYDAY=MO").produces_from(date(2026, 1, 5))
        True
        """
        return _produces(_parse(self.rule), anchor)

    def next_after(
        self,
        anchor: date,
        after: date,
        *,
        max_iterations: int = DEFAULT_MAX_ITERATIONS,
    ) -> date | None:
        """The first date strictly after ``after``, or ``None`` once the rule has ended.

        A rule that never matches again (``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30``) raises
        :class:`~gesprekscyclus.errors.ExpansionLimitError` when a bound is reached, or when
        the search runs past the last representable year.

        >>> RRuleCadence("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").next_after(
        ...     date(2020, 1, 1), date(2020, 1, 1))
        Traceback (most recent call last):
        ...
        gesprekscyclus.errors.ExpansionLimitError: RRuleCadence.rule: no occurrence ...
        """
        rule = _parse(self.rule)
        lo = max(after + timedelta(days=1), anchor)
        found = _expand(
            rule,
            anchor,
            lo,
            None,
            first_only=True,
            max_iterations=max_iterations,
        )
        if found:
            return found[0]
        if rule.total is not None or rule.until is not None:
            return None
        raise ExpansionLimitError(
            f"{_RULE_PATH}: no occurrence after {after.isoformat()} up to year {MAXYEAR}"
        )
