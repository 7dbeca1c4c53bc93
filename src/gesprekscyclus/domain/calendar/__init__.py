"""Calendars: working days, Dutch public holidays, business-day conventions, local time.

>>> from datetime import date
>>> WorkingCalendar().adjust(date(2024, 8, 31), BusinessDayConvention.MODIFIED_FOLLOWING)
datetime.date(2024, 8, 30)
"""

from gesprekscyclus.domain.calendar.conventions import BusinessDayConvention, adjust
from gesprekscyclus.domain.calendar.dutch_holidays import (
    DutchDayOffPolicy,
    LiberationDayPolicy,
    dutch_statutory_holidays,
    is_statutory_working_day,
    statutory_deadline,
)
from gesprekscyclus.domain.calendar.local_time import (
    is_ambiguous,
    is_nonexistent,
    localize,
    zone_info,
)
from gesprekscyclus.domain.calendar.working_days import Closure, WorkingCalendar

__all__ = [
    "BusinessDayConvention",
    "Closure",
    "DutchDayOffPolicy",
    "LiberationDayPolicy",
    "WorkingCalendar",
    "adjust",
    "dutch_statutory_holidays",
    "is_ambiguous",
    "is_nonexistent",
    "is_statutory_working_day",
    "localize",
    "statutory_deadline",
    "zone_info",
]
