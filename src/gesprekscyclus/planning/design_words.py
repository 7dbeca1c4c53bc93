"""A cycle design's rules in plain words, in Dutch or English: rhythms, roles, reminders.

The design document for the works council (:mod:`gesprekscyclus.planning.design_document`)
and ``gesprekscyclus validate`` both describe a design with these functions, so there is one
way of putting a rule into words.

>>> from gesprekscyclus.domain.cadence import Interval, LifecycleOffset
>>> rhythm(Interval(every=1, unit="years", anchor="fixed_month", month=3), "nl")
'elk jaar in maart'
>>> rhythm(LifecycleOffset("hired", offset_months=6), "nl")
'zes maanden na indiensttreding'
>>> rhythm(Interval(every=6, unit="weeks", anchor="cycle_start"), "en")
'every six weeks'
"""

from __future__ import annotations

from collections.abc import Sequence

from gesprekscyclus.domain.access import Content, ReaderRole
from gesprekscyclus.domain.cadence import (
    AnchorKind,
    Anniversary,
    AnswerTrigger,
    Cadence,
    Interval,
    LifecycleOffset,
    RRuleCadence,
    Threshold,
)
from gesprekscyclus.domain.cadence.interval import AnchorTo, IntervalUnit
from gesprekscyclus.domain.people import Role
from gesprekscyclus.domain.text import Locale, month_name

__all__ = [
    "CONTENT_WORDS",
    "ROLE_WORDS",
    "count_words",
    "follow_up_words",
    "in_sentence",
    "rhythm",
    "rhythms",
]

_NUMBERS = {
    Locale.NL: ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen",
                "tien", "elf", "twaalf"),
    Locale.EN: ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve"),
}  # fmt: skip

_ORDINALS = {
    Locale.NL: ("", "eerste", "tweede", "derde", "vierde", "vijfde", "zesde", "zevende",
                "achtste", "negende", "tiende"),
    Locale.EN: ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                "ninth", "tenth"),
}  # fmt: skip

#: How each participant role (and HR not taking part) is named.
ROLE_WORDS: dict[Locale, dict[str, str]] = {
    Locale.NL: {
        "employee": "de medewerker",
        "manager": "de leidinggevende",
        "hr": "de HR-adviseur",
        "occupational_physician": "de bedrijfsarts",
        "case_manager": "de casemanager",
        "neutral_interviewer": "een onafhankelijke gespreksleider",
        "hr_office": "HR (zonder aan het gesprek deel te nemen)",
    },
    Locale.EN: {
        "employee": "the employee",
        "manager": "the manager",
        "hr": "the HR adviser",
        "occupational_physician": "the occupational physician",
        "case_manager": "the case manager",
        "neutral_interviewer": "a neutral interviewer",
        "hr_office": "HR (not taking part in the conversation)",
    },
}

#: How each kind of content of the access policy is named.
CONTENT_WORDS: dict[Locale, dict[Content, str]] = {
    Locale.NL: {
        Content.CONVERSATION: "dat het gesprek er is (soort, datum, deelnemers, status)",
        Content.PRIVATE_NOTE: "privé-aantekeningen",
        Content.SHARED_NOTE: "gedeelde aantekeningen",
        Content.OWN_PREPARATION: "de eigen voorbereiding",
        Content.OTHER_PREPARATION: "de voorbereiding van de ander",
        Content.JOINT_ANSWERS: "de samen gegeven antwoorden",
        Content.DRAFT_REPORT: "het concept-verslag",
        Content.SHARED_REPORT: "het gedeelde verslag",
        Content.COMMENT: "reacties op het verslag",
        Content.WRITTEN_VIEW: "de schriftelijke zienswijze van de medewerker",
        Content.ACTION_ITEM: "de afspraken (actiepunten)",
        Content.ABSENCE_EMPLOYER_FIELDS: "wat de werkgever over verzuim mag vastleggen",
        Content.ABSENCE_CAPACITY_FIELDS: "de mogelijkheden en beperkingen volgens de bedrijfsarts",
    },
    Locale.EN: {
        Content.CONVERSATION: "that the conversation exists (type, date, participants, status)",
        Content.PRIVATE_NOTE: "private notes",
        Content.SHARED_NOTE: "shared notes",
        Content.OWN_PREPARATION: "their own preparation",
        Content.OTHER_PREPARATION: "the other side's preparation",
        Content.JOINT_ANSWERS: "the answers given together",
        Content.DRAFT_REPORT: "the draft report",
        Content.SHARED_REPORT: "the shared report",
        Content.COMMENT: "comments on the report",
        Content.WRITTEN_VIEW: "the employee's written view",
        Content.ACTION_ITEM: "the agreements (action items)",
        Content.ABSENCE_EMPLOYER_FIELDS: "what the employer may record about sick leave",
        Content.ABSENCE_CAPACITY_FIELDS: "the capacities and limitations the occupational "
        "physician gives",
    },
}

_EVENTS = {
    Locale.NL: {
        "hired": "indiensttreding",
        "notice_given": "de opzegging",
        "last_day": "de laatste werkdag",
        "sick_report": "de ziekmelding",
        "recovery": "het herstel",
        "leave_started": "het begin van een verlof",
        "leave_ended": "het einde van een verlof",
        "manager_change": "een wisseling van leidinggevende",
        "prognosis": "de prognose van de bedrijfsarts",
    },
    Locale.EN: {
        "hired": "starting work",
        "notice_given": "notice being given",
        "last_day": "the last working day",
        "sick_report": "the sick report",
        "recovery": "the recovery",
        "leave_started": "the start of a leave",
        "leave_ended": "the end of a leave",
        "manager_change": "a change of manager",
        "prognosis": "the occupational physician's prognosis",
    },
}

#: Events that can be counted as a noun ("the third sick report").
_COUNTED = {
    Locale.NL: {"sick_report": "ziekmelding", "manager_change": "wisseling van leidinggevende"},
    Locale.EN: {"sick_report": "sick report", "manager_change": "change of manager"},
}

_UNITS = {
    Locale.NL: {
        IntervalUnit.WEEKS: ("week", "weken"),
        IntervalUnit.MONTHS: ("maand", "maanden"),
        IntervalUnit.QUARTERS: ("kwartaal", "kwartalen"),
        IntervalUnit.YEARS: ("jaar", "jaar"),
    },
    Locale.EN: {
        IntervalUnit.WEEKS: ("week", "weeks"),
        IntervalUnit.MONTHS: ("month", "months"),
        IntervalUnit.QUARTERS: ("quarter", "quarters"),
        IntervalUnit.YEARS: ("year", "years"),
    },
}
_MONTHS_PER_UNIT = {IntervalUnit.MONTHS: 1, IntervalUnit.QUARTERS: 3, IntervalUnit.YEARS: 12}


def count_words(number: int, locale: Locale | str) -> str:
    """A small whole number in words (twelve and below), else in digits.

    >>> count_words(6, "nl"), count_words(14, "en")
    ('zes', '14')
    """
    words = _NUMBERS[Locale(locale)]
    return words[number] if 0 <= number < len(words) else str(number)


def _ordinal(number: int, locale: Locale) -> str:
    words = _ORDINALS[locale]
    if 0 < number < len(words):
        return words[number]
    return f"{number}e" if locale is Locale.NL else f"{number}th"


def in_sentence(label: str, locale: Locale | str, *, article: bool = False) -> str:
    """A type's label inside a sentence: a capital first letter lowered (unless the next
    one is a capital too, as in an abbreviation), with ``een``/``a``/``an`` before it.

    >>> in_sentence("Blijfgesprek", "nl", article=True), in_sentence("Exit interview", "en",
    ...                                                               article=True)
    ('een blijfgesprek', 'an exit interview')
    >>> in_sentence("OR-overleg", "nl")
    'OR-overleg'
    """
    word = label[:1].lower() + label[1:] if label[1:2].islower() else label
    if not article:
        return word
    if Locale(locale) is Locale.NL:
        return f"een {word}"
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def role_words(role: Role | ReaderRole | str, locale: Locale | str) -> str:
    """The name of a participant role (or ``hr_office``) in ``locale``.

    >>> role_words("occupational_physician", "nl")
    'de bedrijfsarts'
    """
    return ROLE_WORDS[Locale(locale)][str(getattr(role, "value", role))]


def _amount(number: int, unit: IntervalUnit, locale: Locale) -> str:
    one, many = _UNITS[locale][unit]
    return f"{count_words(number, locale)} {one if number == 1 else many}"


def _every(number: int, unit: IntervalUnit, locale: Locale) -> str:
    one, many = _UNITS[locale][unit]
    if locale is Locale.NL:
        if number == 1:
            return (
                f"{'elk' if unit in (IntervalUnit.YEARS, IntervalUnit.QUARTERS) else 'elke'} {one}"
            )
        return f"elke {count_words(number, locale)} {many}"
    return f"every {one}" if number == 1 else f"every {count_words(number, locale)} {many}"


def _day_month(day: int, month: int, locale: Locale) -> str:
    return f"{day} {month_name(month, locale)}"


def _interval(cadence: Interval, locale: Locale) -> str:
    every = _every(cadence.every, cadence.unit, locale)
    nl = locale is Locale.NL
    if cadence.anchor is AnchorKind.FIXED_MONTH:
        first = cadence.month or 1
        step = _MONTHS_PER_UNIT.get(cadence.unit)
        months = [first]
        if step is not None and (step * cadence.every) < 12 and 12 % (step * cadence.every) == 0:
            months = sorted(
                (first - 1 + k * step * cadence.every) % 12 + 1
                for k in range(12 // (step * cadence.every))
            )
        if cadence.day == 1:
            names = [month_name(m, locale) for m in months]
            where = f"in {_and(names, locale)}"
        else:
            names = [_day_month(cadence.day, m, locale) for m in months]
            where = f"{'rond' if nl else 'around'} {_and(names, locale)}"
        text = f"{every} {where}" if len(months) == 1 else f"{every}, {where}"
    elif cadence.anchor is AnchorKind.HIRE_DATE:
        text = (
            f"{every}, {'gerekend vanaf indiensttreding' if nl else 'counted from starting work'}"
        )
    else:
        text = every
    if cadence.anchor_to is AnchorTo.HELD:
        text += (
            ", gerekend vanaf het vorige gehouden gesprek"
            if nl
            else ", counted from the last one held"
        )
    return text


def _and(items: list[str], locale: Locale) -> str:
    if len(items) <= 1:
        return "".join(items)
    word = " en " if locale is Locale.NL else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def _offset(cadence: LifecycleOffset, locale: Locale) -> str:
    nl = locale is Locale.NL
    event = _EVENTS[locale][cadence.event.value]
    months, days = cadence.offset_months, cadence.offset_days
    if not months and not days:
        return f"op de dag van {event}" if nl else f"on the day of {event}"
    parts = []
    if months:
        parts.append(_amount(abs(months), IntervalUnit.MONTHS, locale))
    if days:
        unit = (
            ("werkdag", "werkdagen")
            if cadence.working_days and nl
            else ("working day", "working days")
            if cadence.working_days
            else ("dag", "dagen")
            if nl
            else ("day", "days")
        )
        parts.append(f"{count_words(abs(days), locale)} {unit[0] if abs(days) == 1 else unit[1]}")
    before = (months or days) < 0
    direction = ("voor" if before else "na") if nl else ("before" if before else "after")
    return f"{_and(parts, locale)} {direction} {event}"


def _threshold(cadence: Threshold, locale: Locale) -> str:
    nl = locale is Locale.NL
    event = _EVENTS[locale][cadence.event.value]
    nth = _ordinal(cadence.count, locale)
    noun = _COUNTED[locale].get(cadence.event.value)
    if noun is not None:
        what = f"{'bij de' if nl else 'at the'} {nth} {noun}"
    else:
        what = f"bij de {nth} keer {event}" if nl else f"at the {nth} time of {event}"
    text = (
        f"{what} {'binnen' if nl else 'within'} {cadence.window_days} {'dagen' if nl else 'days'}"
    )
    if cadence.after is not None:
        after = _EVENTS[locale][cadence.after.value]
        days = count_words(cadence.offset_days, locale)
        text += (
            f", {days} dagen na {after}"
            if nl and cadence.offset_days
            else f", na {after}"
            if nl
            else f", {days} days after {after}"
            if cadence.offset_days
            else f", after {after}"
        )
    return text


def rhythm(cadence: Cadence, locale: Locale | str) -> str:
    """One rhythm of a type in words.

    >>> from gesprekscyclus.domain.cadence import Anniversary, Interval, LifecycleOffset
    >>> rhythm(Interval(every=6, unit="months", anchor="fixed_month", month=5, day=15), "nl")
    'elke zes maanden, rond 15 mei en 15 november'
    >>> rhythm(LifecycleOffset("last_day", -5, working_days=True), "nl")
    'vijf werkdagen voor de laatste werkdag'
    >>> rhythm(Anniversary(), "en")
    'every year around the anniversary of starting work'
    >>> rhythm(Interval(every=1, unit="months", anchor="cycle_start"), "nl")
    'elke maand'
    """
    language = Locale(locale)
    nl = language is Locale.NL
    if isinstance(cadence, Interval):
        return _interval(cadence, language)
    if isinstance(cadence, LifecycleOffset):
        return _offset(cadence, language)
    if isinstance(cadence, Anniversary):
        if cadence.of is AnchorKind.HIRE_DATE:
            return (
                "elk jaar rond de datum van indiensttreding"
                if nl
                else "every year around the anniversary of starting work"
            )
        return "elk jaar op de startdatum van de cyclus" if nl else "every year on the cycle start"
    if isinstance(cadence, Threshold):
        return _threshold(cadence, language)
    assert isinstance(cadence, RRuleCadence)
    return (
        f"volgens de agendaregel {cadence.rule}"
        if nl
        else f"following the calendar rule {cadence.rule}"
    )


def rhythms(cadences: Sequence[Cadence], locale: Locale | str) -> str:
    """A type's rhythms in one phrase; day offsets from the same event are counted once.

    >>> from gesprekscyclus.domain.cadence import LifecycleOffset
    >>> rhythms([LifecycleOffset("hired", offset_days=d) for d in (30, 60, 90)], "nl")
    '30, 60 en 90 dagen na indiensttreding'
    """
    language = Locale(locale)
    phrases: list[str] = []
    done: set[int] = set()
    for index, cadence in enumerate(cadences):
        if index in done:
            continue
        if isinstance(cadence, LifecycleOffset) and not cadence.offset_months:
            same = [
                (i, other)
                for i, other in enumerate(cadences)
                if isinstance(other, LifecycleOffset)
                and not other.offset_months
                and other.event is cadence.event
                and other.working_days == cadence.working_days
                and (other.offset_days > 0) == (cadence.offset_days > 0)
                and other.offset_days
            ]
            if len(same) > 1 and cadence.offset_days:
                done.update(i for i, _ in same)
                counts = [count_words(abs(o.offset_days), language) for _, o in same]
                # "90 dagen na indiensttreding" -> "30, 60 en" + "90 dagen na ..."
                last = _offset(same[-1][1], language)
                phrases.append(_and(counts, language) + last[len(counts[-1]) :])
                continue
        phrases.append(rhythm(cadence, language))
    return _and(phrases, language)


_OPERATORS = {
    Locale.NL: {"equals": "", "at_most": "ten hoogste ", "at_least": "ten minste "},
    Locale.EN: {"equals": "", "at_most": "at most ", "at_least": "at least "},
}


def _answer(value: str | int | bool, locale: Locale) -> str:
    if isinstance(value, bool):
        return ("ja" if value else "nee") if locale is Locale.NL else ("yes" if value else "no")
    return str(value)


def follow_up_words(
    trigger: AnswerTrigger, question: str, schedule_label: str, locale: Locale | str
) -> str:
    """A follow-up rule in words, given the question's text and the follow-up type's label.

    >>> from gesprekscyclus.domain.cadence import AnswerTrigger
    >>> trigger = AnswerTrigger(type_key="wellbeing", question_key="wellbeing_score",
    ...     operator="at_most", value=2, schedule_type="check_in", within_days=7)
    >>> print(follow_up_words(trigger, "Hoe gaat het?", "Check-in", "nl"))
    Wie op de vraag "Hoe gaat het?" ten hoogste 2 antwoordt, krijgt binnen zeven dagen een check-in.
    """
    language = Locale(locale)
    op = _OPERATORS[language][trigger.operator.value]
    answer = _answer(trigger.value, language)
    days = count_words(trigger.within_days, language)
    if language is Locale.NL:
        return (
            f'Wie op de vraag "{question}" {op}{answer} antwoordt, krijgt binnen {days} dagen '
            f"{in_sentence(schedule_label, language, article=True)}."
        )
    return (
        f'Whoever answers {op}{answer} to the question "{question}" gets '
        f"{in_sentence(schedule_label, language, article=True)} within {days} days."
    )
