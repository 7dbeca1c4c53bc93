"""The cycle design: which conversations an organisation holds, for whom, how often.

A :class:`CycleDesign` is one immutable value that the planner turns into conversations. It is
kept as one readable file (see :mod:`gesprekscyclus.planning.design_file`) so that it can be
reviewed, versioned, diffed and shown to the works council.

>>> from datetime import date
>>> from gesprekscyclus.domain.cadence import Interval
>>> design = CycleDesign(
...     name="Monthly check-ins",
...     cycle_start=date(2026, 1, 1),
...     types=(TypeRule(type="check_in", cadence=(Interval(every=1, unit="months",
...                                                          anchor="cycle_start"),)),),
... )
>>> design.rule("check_in").convention.value
'modified_following'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import (
    ClosedSet,
    non_blank,
    positive,
    shown,
    typed_fields,
    unique_by,
    whole_in_range,
)
from gesprekscyclus.domain.cadence import AnswerTrigger, Cadence
from gesprekscyclus.domain.calendar import BusinessDayConvention, WorkingCalendar
from gesprekscyclus.domain.catalog import Catalog, built_in_catalog
from gesprekscyclus.domain.conversation_types import ConversationType, Sensitivity
from gesprekscyclus.domain.guides import ConversationGuide
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.questions import QuestionSet
from gesprekscyclus.domain.reminders import ReminderPolicy
from gesprekscyclus.errors import InvalidValueError, NotFoundError

__all__ = [
    "DEFAULT_TRACK",
    "MAX_RHYTHMS",
    "MAX_VERSION",
    "MAX_WINDOW_DAYS",
    "Capacity",
    "CatalogChanges",
    "CycleDesign",
    "DropNear",
    "Population",
    "Retention",
    "RetentionPolicy",
    "RetentionStart",
    "TypeRule",
    "default_retention",
]


#: The action-item track of every type of normal sensitivity that names none of its own.
DEFAULT_TRACK = "regular"
#: The widest window on either side of a target date, in days.
MAX_WINDOW_DAYS = 366
#: The most rhythms one type may have.
MAX_RHYTHMS = 8
#: The largest design or question set version: what a 32-bit signed store column holds.
MAX_VERSION = 2**31 - 1
_WINDOW = whole_in_range(0, MAX_WINDOW_DAYS)
_VERSION = whole_in_range(1, MAX_VERSION)
_TENURE = whole_in_range(0, 1200)


#: The days a cycle may start on: the years whose statutory holidays are known.
FIRST_CYCLE_START = date(1982, 1, 1)
LAST_CYCLE_START = date(4097, 12, 31)


def _cycle_start(instance: object, attribute: Any, value: date) -> None:
    if type(value) is not date or not FIRST_CYCLE_START <= value <= LAST_CYCLE_START:
        raise InvalidValueError(
            "CycleDesign.cycle_start",
            "must be a date in range, got "
            + shown(value.isoformat() if type(value) is date else value),
            allowed=(f"{FIRST_CYCLE_START}..{LAST_CYCLE_START}",),
        )


def _labels(value: Iterable[str]) -> frozenset[str]:
    labels = frozenset(value)
    for label in labels:
        if not isinstance(label, str) or not label.strip():
            raise InvalidValueError(
                "Population", f"labels must be non-blank text, got {shown(label)}"
            )
    return labels


def _months_between(earlier: date, later: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


@frozen(field_transformer=typed_fields)
class Population:
    """Who a type applies to. Empty sets mean "everyone"; tenure is in whole months.

    >>> from datetime import date
    >>> sales = Population(teams=frozenset({"sales"}), min_tenure_months=6)
    >>> anna = Person(id="e-1", name="Anna", hire_date=date(2026, 1, 1), team="sales")
    >>> sales.includes(anna, on=date(2026, 5, 1)), sales.includes(anna, on=date(2026, 7, 1))
    (False, True)
    """

    teams: frozenset[str] = field(default=frozenset(), converter=_labels)
    contracts: frozenset[str] = field(default=frozenset(), converter=_labels)
    locations: frozenset[str] = field(default=frozenset(), converter=_labels)
    min_tenure_months: int | None = None
    max_tenure_months: int | None = None

    def __attrs_post_init__(self) -> None:
        for attribute in attrs.fields(Population)[3:]:
            _TENURE(self, attribute, getattr(self, attribute.name))
        low, high = self.min_tenure_months, self.max_tenure_months
        if low is not None and high is not None and low > high:
            raise InvalidValueError(
                "Population.max_tenure_months", f"{high} is below min_tenure_months {low}"
            )

    @property
    def is_everyone(self) -> bool:
        """Whether no filter is set."""
        return self == _EVERYONE

    def includes_statically(self, person: Person) -> bool:
        """The filters that do not depend on the date (team, contract, location)."""
        return (
            (not self.teams or person.team in self.teams)
            and (not self.contracts or person.contract in self.contracts)
            and (not self.locations or person.location in self.locations)
        )

    def includes(self, person: Person, *, on: date) -> bool:
        """Whether ``person`` belongs to this population on ``on``."""
        if not self.includes_statically(person):
            return False
        if self.min_tenure_months is None and self.max_tenure_months is None:
            return True
        tenure = _months_between(person.hire_date, on)
        if self.min_tenure_months is not None and tenure < self.min_tenure_months:
            return False
        return self.max_tenure_months is None or tenure <= self.max_tenure_months


_EVERYONE = Population()


def _non_negative(instance: object, attribute: Any, value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        name = getattr(attribute, "name", "?")
        raise InvalidValueError(
            f"{type(instance).__name__}.{name}", f"must be a whole number >= 0, got {shown(value)}"
        )


class RetentionStart(ClosedSet):
    """From when a retention period runs.

    - ``exit``: the person's last working day (``Person.end_date``);
    - ``held``: the conversation's date (its target date; for cancelled and missed ones too);
    - ``case_end``: the end of the absence case the conversation belongs to (the recovery).
    """

    EXIT = "exit"
    HELD = "held"
    CASE_END = "case_end"


@frozen(field_transformer=typed_fields)
class Retention:
    """How long the conversations of one type are kept, with their answers, notes, report
    and action items: ``years`` after ``after``. ``basis`` says why (shown by ``validate``).

    >>> Retention(years=2, after="held").after.value
    'held'
    """

    years: int = field(validator=positive)
    after: RetentionStart = field(converter=RetentionStart)
    basis: str | None = field(default=None, validator=non_blank)


# The default periods come from the AP's guidance under AVG art. 5(1)(e) (storage
# limitation); no statutory period applies to these records.
_AP = "AVG art. 5(1)(e)"

_REINTEGRATION = Retention(
    years=2,
    after=RetentionStart.CASE_END,
    basis=f"AP guidance: the re-integration file at most 2 years after it ends; {_AP}",
)
_EXIT_INTERVIEW = Retention(
    years=2,
    after=RetentionStart.HELD,
    basis=f"AP guidance: exit-interview notes identifiable at most 2 years, then only"
    f" anonymised trends; {_AP}",
)
_AFTER_EXIT = Retention(
    years=2,
    after=RetentionStart.EXIT,
    basis=f"AP guidance: review reports and the personnel file 2 years after exit; {_AP}",
)


def default_retention(type_key: str, sensitivity: Sensitivity | str) -> Retention:
    """The retention a type gets when its rule sets none.

    >>> default_retention("exit_interview", "confidential").after.value
    'held'
    >>> default_retention("absence", "health_related").after.value
    'case_end'
    >>> default_retention("growth_review", "normal").years
    2
    """
    if Sensitivity(sensitivity) is Sensitivity.HEALTH_RELATED:
        return _REINTEGRATION
    if Sensitivity(sensitivity) is Sensitivity.CONFIDENTIAL:
        return _EXIT_INTERVIEW
    return _AFTER_EXIT


def _whole_days(instance: object, attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(
            f"RetentionPolicy.{attribute.name}",
            f"must be a whole number of days >= 1, got {shown(value)}",
        )


@frozen(field_transformer=typed_fields)
class RetentionPolicy:
    """How long what is not tied to one conversation type is kept.

    - ``after_exit_years``: the person, their life events and absence records (the absence
      administration) after their last working day (AP guidance: 2 years);
    - ``reintegration_years``: the occupational physician's advice after the absence case
      ends (AP guidance: at most 2 years);
    - ``outbox_days``: the payloads of sent messages after sending (their keys stay, so a
      reminder is never sent twice), and dead letters;
    - ``access_log_days``: entries of the access log.

    >>> RetentionPolicy().outbox_days
    90
    """

    after_exit_years: int = field(default=2, validator=positive)
    reintegration_years: int = field(default=2, validator=positive)
    outbox_days: int = field(default=90, validator=_whole_days)
    access_log_days: int = field(default=90, validator=_whole_days)


@frozen(field_transformer=typed_fields)
class TypeRule:
    """How one conversation type is used in a design.

    ``window_before`` / ``window_after`` (days) put the earliest and latest dates around the
    target date. ``time`` is a local wall time in the employee's zone; without it only the
    date is planned. ``question_set_version`` pins a version (``None``: the latest).
    ``pause_during_absence`` skips the type while an absence case is open.
    ``track`` names the action-item track the type is on (see :meth:`CycleDesign.track_of`).
    ``retention`` overrides the type's default (see :func:`default_retention` and
    :meth:`CycleDesign.retention_for`). ``voice_check`` switches the employee's short check
    after a held conversation on or off for this type (``None``: as the type says; see
    :mod:`gesprekscyclus.domain.voice`).
    """

    type: str = field(validator=non_blank)
    cadence: tuple[Cadence, ...] = ()
    population: Population = _EVERYONE
    convention: BusinessDayConvention = field(
        default=BusinessDayConvention.MODIFIED_FOLLOWING, converter=BusinessDayConvention
    )
    window_before: int = field(default=7, validator=_WINDOW)
    window_after: int = field(default=14, validator=_WINDOW)
    time: time | None = None
    question_set_version: int | None = field(default=None, validator=_VERSION)
    pause_during_absence: bool = False
    follow_ups: tuple[AnswerTrigger, ...] = ()
    reminders: ReminderPolicy = field(factory=ReminderPolicy)
    track: str | None = field(default=None, validator=non_blank)
    retention: Retention | None = None
    voice_check: bool | None = field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(bool))
    )

    def __attrs_post_init__(self) -> None:
        if len(self.cadence) > MAX_RHYTHMS:
            raise InvalidValueError(
                "TypeRule.cadence",
                f"holds {len(self.cadence)} rhythms, more than a type needs",
                allowed=(f"at most {MAX_RHYTHMS}",),
            )
        for index, cadence in enumerate(self.cadence):
            if cadence in self.cadence[:index]:
                raise InvalidValueError(
                    f"TypeRule.cadence[{index}]", "repeats an earlier rhythm of this type"
                )


@frozen(field_transformer=typed_fields)
class DropNear:
    """Drop a ``drop`` conversation whose target lies within ``within_days`` of a ``near`` one.

    The typical case: no separate check-in in the weeks around a growth review.
    """

    drop: str = field(validator=non_blank)
    near: str = field(validator=non_blank)
    within_days: int = field(validator=_WINDOW)

    def __attrs_post_init__(self) -> None:
        if self.drop == self.near:
            raise InvalidValueError("DropNear.near", "must name another type than drop")


@frozen(field_transformer=typed_fields)
class Capacity:
    """How many conversations one manager holds at most per day and per week."""

    per_day: int = field(default=3, validator=whole_in_range(1, 100))
    per_week: int = field(default=10, validator=whole_in_range(1, 700))

    def __attrs_post_init__(self) -> None:
        if self.per_week < self.per_day:
            raise InvalidValueError(
                "Capacity.per_week", f"{self.per_week} is below per_day {self.per_day}"
            )


@frozen(field_transformer=typed_fields)
class CatalogChanges:
    """How a design adapts the catalog it starts from (the built-in one by default).

    ``without`` drops types, ``question_sets`` adds question sets (or new versions of them) to
    the library, ``types`` adds types or replaces the type with the same key, and ``guides``
    adds or replaces the guide of a type (a replaced type keeps its guide). Keeping
    these in the design means every process that reads the design uses the same catalog.

    >>> changes = CatalogChanges(without=frozenset({"appraisal"}))
    >>> "appraisal" in changes.apply(built_in_catalog())
    False
    """

    types: tuple[ConversationType, ...] = ()
    question_sets: tuple[QuestionSet, ...] = ()
    without: frozenset[str] = frozenset()
    guides: tuple[ConversationGuide, ...] = ()

    def __attrs_post_init__(self) -> None:
        unique_by(self.types, lambda t: t.key, "CatalogChanges.types")
        unique_by(self.guides, lambda g: g.type_key, "CatalogChanges.guides")

    def apply(self, base: Catalog) -> Catalog:
        """``base`` with these changes; an unknown key in ``without`` raises
        :class:`~gesprekscyclus.errors.NotFoundError` naming the known keys."""
        catalog = base
        for key in sorted(self.without):
            catalog = catalog.without(key)
        for question_set in self.question_sets:
            catalog = catalog.with_question_set(question_set)
        for conversation_type in self.types:
            catalog = catalog.with_type(conversation_type)
        for guide in self.guides:
            catalog = catalog.with_guide(guide)
        return catalog


@frozen(field_transformer=typed_fields)
class CycleDesign:
    """An organisation's conversation cycle: types, rhythms, calendar, capacity, rules.

    ``after_notice`` lists the types still planned once someone has given notice (absence
    obligations always remain). ``carry_over_limit`` is how often an open action item may move
    to the next conversation before it must be re-scoped, closed or escalated; it moves only
    onto a conversation on the same track (:meth:`track_of`). ``catalog`` adapts the built-in
    catalog (see :class:`CatalogChanges`) and ``hr_contact`` names the person who receives
    escalations and joins types with an HR participant; both live in the design so that every
    process of an installation uses the same ones. ``retention`` holds the periods not tied
    to one type; each type's own is :meth:`retention_for`. ``absence_handled_elsewhere``
    says that sick leave is followed outside this design (an occupational health service's
    own system): without it, a design without an ``absence`` type is refused for people
    with sick reports, as their Poortwachter obligations would be lost.
    """

    name: str = field(validator=non_blank)
    cycle_start: date = field(validator=_cycle_start)
    types: tuple[TypeRule, ...] = ()
    version: int = field(default=1, validator=_VERSION)
    calendar: WorkingCalendar = field(factory=WorkingCalendar)
    capacity: Capacity | None = None
    interactions: tuple[DropNear, ...] = ()
    after_notice: frozenset[str] = frozenset({"exit_interview"})
    default_time: time | None = None
    carry_over_limit: int = field(default=3, validator=whole_in_range(1, 100))
    catalog: CatalogChanges = field(factory=CatalogChanges)
    hr_contact: str | None = field(default=None, validator=non_blank)
    retention: RetentionPolicy = field(factory=RetentionPolicy)
    absence_handled_elsewhere: bool = field(
        default=False, validator=attrs.validators.instance_of(bool)
    )

    def __attrs_post_init__(self) -> None:
        unique_by(self.types, lambda rule: rule.type, "CycleDesign.types")

    def full_catalog(self, base: Catalog | None = None) -> Catalog:
        """The catalog this design plans with: its :class:`CatalogChanges` applied to
        ``base`` (the built-in catalog by default)."""
        return self.catalog.apply(base if base is not None else built_in_catalog())

    def rule(self, type_key: str) -> TypeRule:
        """The rule for ``type_key``; :class:`NotFoundError` when the design does not use it."""
        for rule in self.types:
            if rule.type == type_key:
                return rule
        raise NotFoundError("type in design", type_key)

    def track_of(self, type_key: str, catalog: Catalog | None = None) -> str:
        """The action-item track of ``type_key``: open items move only between conversations
        whose types share a track.

        A type's ``track`` says it; without one, a type of normal sensitivity is on
        :data:`DEFAULT_TRACK`, and a confidential or health-related one (the exit interview,
        absence conversations) on a track of its own, named by its key. So by default nothing
        agreed in a check-in lands on a sick-leave or exit conversation, and nothing from those
        lands elsewhere. ``catalog`` (the built-in one by default) gives the sensitivity.

        >>> design = CycleDesign(name="d", cycle_start=date(2026, 1, 1), types=(
        ...     TypeRule(type="check_in"), TypeRule(type="wellbeing", track="care"),
        ...     TypeRule(type="absence", track="care")))
        >>> design.track_of("check_in"), design.track_of("growth_review")
        ('regular', 'regular')
        >>> design.track_of("absence"), design.track_of("exit_interview")
        ('care', 'exit_interview')
        """
        for rule in self.types:
            if rule.type == type_key and rule.track is not None:
                return rule.track
        catalog = catalog if catalog is not None else built_in_catalog()
        if type_key in catalog and catalog.type(type_key).sensitivity is not Sensitivity.NORMAL:
            return type_key
        return DEFAULT_TRACK

    def retention_for(self, type_key: str, catalog: Catalog) -> Retention:
        """The retention of ``type_key``: the rule's own, else the default for the type's
        sensitivity in ``catalog`` (a type the catalog lacks counts as ``normal``)."""
        for rule in self.types:
            if rule.type == type_key and rule.retention is not None:
                return rule.retention
        known = catalog.type(type_key).sensitivity if type_key in catalog else Sensitivity.NORMAL
        return default_retention(type_key, known)

    @property
    def type_keys(self) -> tuple[str, ...]:
        """The types this design uses, in file order."""
        return tuple(rule.type for rule in self.types)
