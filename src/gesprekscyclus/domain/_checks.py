"""attrs validators that raise :class:`~gesprekscyclus.errors.InvalidValueError`.

Each names the offending field as ``<Class>.<field>`` so a message points at the source.
"""

from __future__ import annotations

import enum
import re
import reprlib
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

import attrs

from gesprekscyclus.errors import InvalidValueError

T = TypeVar("T")

__all__ = [
    "ClosedSet",
    "aware",
    "check_text",
    "field_path",
    "iana_zone",
    "is_iana_zone",
    "non_blank",
    "one_line",
    "positive",
    "require_aware",
    "require_reason",
    "shown",
    "storable",
    "unique_by",
    "whole_in_range",
]


def field_path(instance: object, attribute: attrs.Attribute[Any]) -> str:
    """``Class.field`` for messages."""
    return f"{type(instance).__name__}.{attribute.name}"


#: Characters no store can hold: NUL (PostgreSQL text) and lone surrogates (not UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: Characters that break a one-line value: C0 and C1 controls, DEL, Unicode line separators.
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _describe_character(character: str) -> str:
    if character == "\x00":
        return "a NUL character (U+0000)"
    if "\ud800" <= character <= "\udfff":
        return f"a lone surrogate (U+{ord(character):04X})"
    if character in "\r\n\u2028\u2029\x85":
        return f"a line break (U+{ord(character):04X})"
    return f"a control character (U+{ord(character):04X})"


def storable(value: str) -> bool:
    """Whether every store can hold ``value`` (what :func:`check_text` lets pass).

    >>> storable("Zoë"), storable("Zo\\x00ë")
    (True, False)
    """
    return _UNSTORABLE.search(value) is None


def check_text(path: str, value: str, *, one_line: bool = False) -> None:
    """Raise :class:`InvalidValueError` naming ``path`` unless every store can hold ``value``.

    Text must be valid Unicode without NUL characters: SQLite and PostgreSQL then store and
    return it unchanged. With ``one_line`` line breaks and other control characters are
    refused too, as in names, ids and addresses that end up in mail headers and CSV cells.

    >>> check_text("Person.name", "Zoë")
    >>> check_text("Person.name", "Zo\\x00ë")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: Person.name: contains a NUL character (U+0000) \
at position 2
    >>> check_text("Person.email", "anna@example.org\\r\\nBcc: x", one_line=True)
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: Person.email: contains a line break (U+000D) at \
position 16; the value must be one line
    """
    found = (_NOT_ONE_LINE if one_line else _UNSTORABLE).search(value)
    if found is None:
        return
    character = found.group()
    problem = f"contains {_describe_character(character)} at position {found.start()}"
    if "\ud800" <= character <= "\udfff":
        problem += ", which is not valid Unicode text"
    elif one_line and character != "\x00":
        problem += "; the value must be one line"
    raise InvalidValueError(path, problem)


def non_blank(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Reject empty or whitespace-only strings and text no store can hold (see
    :func:`check_text`); ``None`` passes for optional fields (those whose type admits it),
    and is refused for a field of type ``str``.
    """
    if value is None:
        if not _admits_none(attribute):
            raise InvalidValueError(field_path(instance, attribute), "must be text, got None")
        return
    if not isinstance(value, str):
        raise InvalidValueError(
            field_path(instance, attribute), f"must be text, got {shown(value)}"
        )
    if not value.strip():
        raise InvalidValueError(field_path(instance, attribute), "must not be blank")
    if _UNSTORABLE.search(value) is not None:  # the path is only written out for a refusal
        check_text(field_path(instance, attribute), value)


def _admits_none(attribute: attrs.Attribute[Any]) -> bool:
    """Whether the field's annotation admits ``None`` (so an unannotated one does)."""
    kind = attribute.type
    if kind is None:
        return True
    if isinstance(kind, str):  # postponed annotations: the source text, such as "str | None"
        return "None" in kind or "Optional" in kind
    return kind is Any or type(None) in getattr(kind, "__args__", ())


def one_line(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """:func:`non_blank`, and no line breaks or control characters (ids, names, addresses)."""
    non_blank(instance, attribute, value)
    if value is not None:
        assert isinstance(value, str)
        if _NOT_ONE_LINE.search(value) is not None:
            check_text(field_path(instance, attribute), value, one_line=True)


def positive(instance: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    """Reject integers below 1 (``None`` passes for optional fields)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(
            field_path(instance, attribute),
            f"must be a whole number of at least 1, got {shown(value)}",
        )


#: The longest IANA zone name accepted; the longest real one has 32 characters.
MAX_ZONE_NAME = 64
# IANA names: parts of letters, digits, '_', '-', '+' joined by '/' (tz-link "Theory").
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")


@lru_cache(maxsize=4096)
def _loadable_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def is_iana_zone(value: object) -> bool:
    """Whether ``value`` names a time zone of the IANA database, such as ``Europe/Amsterdam``.

    Only well-formed names are looked up, so a directory of the database (``Europe``), an
    overlong or path-like name gives ``False`` rather than an operating-system error.

    >>> is_iana_zone("Europe/Amsterdam"), is_iana_zone("Europe"), is_iana_zone("x" * 300)
    (True, False, False)
    """
    if not isinstance(value, str) or len(value) > MAX_ZONE_NAME:
        return False
    return _ZONE_NAME.fullmatch(value) is not None and _loadable_zone(value)


def iana_zone(instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Accept only IANA zone names such as ``Europe/Amsterdam``."""
    if not is_iana_zone(value):
        shown = value
        if isinstance(value, str) and len(value) > MAX_ZONE_NAME:
            shown = value[:MAX_ZONE_NAME] + "…"
        raise InvalidValueError(
            field_path(instance, attribute),
            f"unknown IANA time zone {shown!r} (e.g. 'Europe/Amsterdam', 'UTC')",
        )


class ClosedSet(enum.StrEnum):
    """Base of the library's enumerations: an unknown value raises
    :class:`~gesprekscyclus.errors.InvalidValueError` listing the allowed values, so the
    enumeration itself can serve as an attrs converter (``converter=Locale``).
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        raise InvalidValueError(
            cls.__name__, f"unknown value {shown(value)}", allowed=[member.value for member in cls]
        )


def unique_by(items: Iterable[T], key: Callable[[T], object], path: str) -> None:
    """Raise when two items share a key."""
    seen: set[object] = set()
    for index, item in enumerate(items):
        k = key(item)
        if k in seen:
            raise InvalidValueError(f"{path}[{index}]", f"duplicate key {k!r}")
        seen.add(k)


def aware(instance: object, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
    """Accept only datetimes with a UTC offset (``None`` passes for optional fields)."""
    if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
        raise InvalidValueError(
            field_path(instance, attribute), f"needs an aware datetime, got {shown(value)}"
        )


def require_aware(at: datetime, path: str = "at") -> None:
    """Raise unless ``at`` is a datetime with a UTC offset (the instant of a command)."""
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise InvalidValueError(path, f"needs an aware datetime, got {shown(at)}")


def require_reason(reason: str) -> None:
    """Raise unless ``reason`` is non-blank text (cancelling, dropping, refusing…)."""
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidValueError("reason", "a non-blank reason is required")


def shown(value: object) -> str:
    """``value`` for a message, kept short: a huge number by its size, long text cut off.

    Safe and cheap for any value: a long list or deep nesting is elided before it is
    written out, and a value whose ``repr`` fails (such as a number too long to print
    inside a list) is named by its type.

    >>> shown(10**5000), shown([[[[[[1]]]]]]), shown(list(range(10**6)))[:30]
    ('a number of about 5001 digits', '[[[[[...]]]]]', '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9,')
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**12:
        digits = int(abs(value).bit_length() * 0.30103) + 1
        return f"a number of about {digits} digits"
    try:
        text = _SHORT.repr(value)
    except Exception:
        return f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."


_SHORT = reprlib.Repr()
_SHORT.maxlevel = 4
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 120
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = _SHORT.maxfrozenset = 20


def whole_in_range(low: int, high: int) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    """A validator for whole numbers from ``low`` to ``high`` (``None`` passes).

    Sane bounds keep date arithmetic away from overflow and planning cost bounded; the
    message names the allowed range.
    """

    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidValueError(
                field_path(instance, attribute),
                f"must be a whole number in range, got {shown(value)}",
                allowed=(f"{low}..{high}",),
            )

    return check
