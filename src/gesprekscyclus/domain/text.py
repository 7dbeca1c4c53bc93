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

from attrs import frozen

from gesprekscyclus.domain._checks import ClosedSet
from gesprekscyclus.errors import InvalidValueError

__all__ = ["Locale", "LocalizedText"]


class Locale(ClosedSet):
    """The languages the library writes in."""

    NL = "nl"
    EN = "en"


@frozen
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
