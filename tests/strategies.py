"""Hypothesis strategies for every domain type, shared by all tests.

Each section belongs to one area of the domain; keep a section's strategies together.
"""

from __future__ import annotations

import string
from datetime import date

from hypothesis import strategies as st

from gesprekscyclus.domain.calendar import (
    Closure,
    DutchDayOffPolicy,
    LiberationDayPolicy,
    WorkingCalendar,
)
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import LeapDayPolicy, Person, Role, WorkingPattern
from gesprekscyclus.domain.text import Locale, LocalizedText

# --- basics ---------------------------------------------------------------------------------

ids = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12)
#: Any non-blank text without NUL, including quotes, semicolons and non-Latin scripts.
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
).filter(lambda text: bool(text.strip()))
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
locales = st.sampled_from(Locale)
roles = st.sampled_from(Role)

localized_texts = st.one_of(
    st.builds(LocalizedText, nl=texts, en=texts),
    st.builds(LocalizedText, nl=texts),
    st.builds(LocalizedText, en=texts),
)

# --- people and events ----------------------------------------------------------------------

working_patterns = st.builds(
    WorkingPattern, st.frozensets(st.integers(1, 7), min_size=1, max_size=7)
)
time_zones = st.sampled_from(["Europe/Amsterdam", "Europe/Brussels", "UTC", "America/New_York"])


@st.composite
def people(draw: st.DrawFn, *, id: str | None = None, manager_id: str | None = None) -> Person:
    hire = draw(dates)
    end = draw(st.none() | st.dates(min_value=hire, max_value=date(2060, 12, 31)))
    person_id = id if id is not None else draw(ids)
    return Person(
        id=person_id,
        name=draw(texts),
        hire_date=hire,
        end_date=end,
        manager_id=manager_id
        if manager_id is not None
        else draw(st.none() | ids.filter(lambda i: i != person_id)),
        team=draw(st.none() | texts),
        locale=draw(locales),
        time_zone=draw(time_zones),
        working_pattern=draw(working_patterns),
        contract=draw(st.none() | texts),
        location=draw(st.none() | texts),
        leap_day_policy=draw(st.sampled_from(LeapDayPolicy)),
    )


life_events = st.builds(
    LifeEvent,
    on=dates,
    person_id=ids,
    kind=st.sampled_from(LifeEventKind),
    detail=st.none() | ids,
)


# --- calendar -------------------------------------------------------------------------------

#: Days within the range the Dutch holiday rules support, around the years planning uses.
calendar_days = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@st.composite
def closures(draw: st.DrawFn) -> Closure:
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    length = draw(st.integers(min_value=0, max_value=21))
    return Closure(start, date.fromordinal(start.toordinal() + length), draw(texts))


dutch_day_off_policies = st.builds(
    DutchDayOffPolicy,
    good_friday=st.booleans(),
    liberation_day=st.sampled_from(LiberationDayPolicy),
)

working_calendars = st.builds(
    WorkingCalendar,
    dutch_policy=dutch_day_off_policies,
    closures=st.lists(closures(), max_size=3).map(tuple),
    extra_days_off=st.frozensets(calendar_days, max_size=5),
)
