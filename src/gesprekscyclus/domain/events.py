"""Life events the embedding system reports; they trigger conversations and obligations.

>>> from datetime import date
>>> LifeEvent(on=date(2026, 1, 5), person_id="e-1", kind=LifeEventKind.SICK_REPORT).kind.value
'sick_report'
"""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from gesprekscyclus.domain._checks import ClosedSet, non_blank, shown, typed_fields
from gesprekscyclus.errors import HealthDataError, InvalidValueError

__all__ = [
    "KINDS_WITH_DETAIL",
    "PROGNOSIS_DETAILS",
    "LifeEvent",
    "LifeEventKind",
    "refuse_detail",
]


class LifeEventKind(ClosedSet):
    """What happened. ``on`` means, per kind: the day it took effect.

    - ``hired``: first working day;
    - ``notice_given``: the day notice was given (either side);
    - ``last_day``: the last working day;
    - ``sick_report``: the first sick day;
    - ``recovery``: the first day fully back at work (``recovered`` from then on);
    - ``leave_started`` / ``leave_ended``: long leave (parental, sabbatical): start, first day back;
    - ``manager_change``: the day the new manager (``detail``) takes over from ``previous``
      (when recorded: the manager until the day before);
    - ``prognosis``: the day the occupational physician's prognosis was recorded, ``detail``
      ``long_term`` when long-term absence is expected, else ``short_term`` (never a
      diagnosis: only whether the absence is expected to last).

    Only those two kinds carry a ``detail``. What an employer may record about a sick report
    lives in typed fields of :class:`~gesprekscyclus.domain.absence_records.SickReportRecord`,
    never in free text.
    """

    HIRED = "hired"
    NOTICE_GIVEN = "notice_given"
    LAST_DAY = "last_day"
    SICK_REPORT = "sick_report"
    RECOVERY = "recovery"
    LEAVE_STARTED = "leave_started"
    LEAVE_ENDED = "leave_ended"
    MANAGER_CHANGE = "manager_change"
    PROGNOSIS = "prognosis"


#: The ``detail`` values a ``prognosis`` event may carry.
PROGNOSIS_DETAILS = ("long_term", "short_term")

#: The kinds whose events carry a ``detail``; every other kind refuses one.
KINDS_WITH_DETAIL = frozenset({LifeEventKind.MANAGER_CHANGE, LifeEventKind.PROGNOSIS})

_HEALTH_KINDS = frozenset({LifeEventKind.SICK_REPORT, LifeEventKind.RECOVERY})


def refuse_detail(kind: LifeEventKind, detail: str | None, path: str) -> None:
    """Raise when ``detail`` is given for a ``kind`` that carries none, saying why.

    >>> refuse_detail(LifeEventKind.SICK_REPORT, "F43.0", "LifeEvent.detail")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.HealthDataError: LifeEvent.detail: a sick_report carries no free \
text: an employer may not record the nature or cause of an illness (AP policy rules "De zieke \
werknemer"); record the permitted facts in a SickReportRecord
    """
    if detail is None or kind in KINDS_WITH_DETAIL:
        return
    if kind in _HEALTH_KINDS:
        raise HealthDataError(
            path,
            f"a {kind.value} carries no free text: an employer may not record the nature or"
            ' cause of an illness (AP policy rules "De zieke werknemer"); record the permitted'
            " facts in a SickReportRecord",
        )
    raise InvalidValueError(
        path,
        f"a {kind.value} event carries no detail (only manager_change and prognosis do),"
        f" got {shown(detail)}",
    )


@frozen(order=True, field_transformer=typed_fields)
class LifeEvent:
    """One dated event about one person; ``detail`` carries e.g. the new manager's id, and
    ``previous`` (manager changes only) the manager who handed over."""

    on: date
    person_id: str = field(validator=non_blank)
    kind: LifeEventKind = field(converter=LifeEventKind)
    detail: str | None = field(default=None, validator=non_blank)
    previous: str | None = field(default=None, validator=non_blank)

    def __attrs_post_init__(self) -> None:
        refuse_detail(self.kind, self.detail, "LifeEvent.detail")
        if self.kind is LifeEventKind.MANAGER_CHANGE and self.detail is None:
            raise InvalidValueError(
                "LifeEvent.detail", "a manager change needs the new manager's id"
            )
        if self.previous is not None and self.kind is not LifeEventKind.MANAGER_CHANGE:
            raise InvalidValueError(
                "LifeEvent.previous", "only a manager change names the previous manager"
            )
        if self.kind is LifeEventKind.PROGNOSIS and self.detail not in PROGNOSIS_DETAILS:
            raise InvalidValueError(
                "LifeEvent.detail", f"{self.detail!r} is not a prognosis", allowed=PROGNOSIS_DETAILS
            )
