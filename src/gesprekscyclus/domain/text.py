"""Text in Dutch and English, with one fallback rule.

A :class:`LocalizedText` holds a Dutch and/or an English version. Reading it in a language
that is missing falls back to Dutch (the source language of the built-in catalog), then to
English; at least one of the two must be present.

>>> greeting = LocalizedText(nl="Hoe gaat het?", en="How are you?")
>>> greeting.in_(Locale.EN)
'How are you?'
>>> LocalizedText(nl="Alleen Nederlands").in_(Locale.EN)
'Alleen Nederlands'
"""

from __future__ import annotations

from datetime import date

from attrs import frozen

from gesprekscyclus.domain._checks import ClosedSet, typed_fields
from gesprekscyclus.errors import InvalidValueError

__all__ = ["Locale", "LocalizedText", "format_date", "month_name"]


class Locale(ClosedSet):
    """The languages the library writes in."""

    NL = "nl"
    EN = "en"


@frozen(field_transformer=typed_fields)
class LocalizedText:
    """A text in Dutch and/or English; see the module docstring for the fallback rule."""

    nl: str | None = None
    en: str | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("nl", "en"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                raise InvalidValueError(name, "must not be blank; leave it out instead")
        if self.nl is None and self.en is None:
            raise InvalidValueError("nl/en", "at least one language is required", allowed=Locale)

    def in_(self, locale: Locale | str) -> str:
        """The text in ``locale``, else Dutch, else English."""
        wanted = self.en if Locale(locale) is Locale.EN else self.nl
        if wanted is not None:
            return wanted
        return self.nl if self.nl is not None else self.en  # type: ignore[return-value]

    def has(self, locale: Locale | str) -> bool:
        """Whether this text was written in ``locale`` itself (no fallback)."""
        return (self.en if Locale(locale) is Locale.EN else self.nl) is not None


_MONTHS = {
    Locale.NL: (
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ),
    Locale.EN: (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
_WEEKDAYS = {
    Locale.NL: ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    Locale.EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def month_name(month: int, locale: Locale | str) -> str:
    """The name of ``month`` (1–12) in ``locale``.

    >>> month_name(3, "nl"), month_name(3, "en")
    ('maart', 'March')
    """
    return _MONTHS[Locale(locale)][month - 1]


def format_date(day: date, locale: Locale | str) -> str:
    """``day`` written out in ``locale``.

    >>> format_date(date(2026, 10, 25), "nl"), format_date(date(2026, 10, 25), "en")
    ('zondag 25 oktober 2026', 'Sunday 25 October 2026')
    """
    loc = Locale(locale)
    return f"{_WEEKDAYS[loc][day.weekday()]} {day.day} {_MONTHS[loc][day.month - 1]} {day.year}"
