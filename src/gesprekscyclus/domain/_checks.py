"""attrs validators that raise :class:`~gesprekscyclus.errors.InvalidValueError`.

Each names the offending field as ``<Class>.<field>`` so a message points at the source.
"""

from __future__ import annotations

import enum
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

import attrs

from gesprekscyclus.errors import InvalidValueError

T = TypeVar("T")

__all__ = [
    "ClosedSet",
    "aware",
    "field_path",
    "iana_zone",
    "non_blank",
    "positive",
    "require_aware",
    "require_reason",
    "shown",
    "unique_by",
    "whole_in_range",
]


def field_path(instance: object, attribute: attrs.Attribute[Any]) -> str:
    """``Class.field`` for messages."""
    return f"{type(instance).__name__}.{attribute.name}"


def non_blank(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Reject empty or whitespace-only strings (``None`` passes for optional fields)."""
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidValueError(field_path(instance, attribute), f"must be text, got {value!r}")
    if not value.strip():
        raise InvalidValueError(field_path(instance, attribute), "must not be blank")


def positive(instance: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    """Reject integers below 1 (``None`` passes for optional fields)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(
            field_path(instance, attribute), f"must be a whole number of at least 1, got {value!r}"
        )


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def iana_zone(instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Accept only IANA zone names such as ``Europe/Amsterdam``."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidValueError(
            field_path(instance, attribute),
            f"unknown IANA time zone {value!r} (e.g. 'Europe/Amsterdam', 'UTC')",
        ) from None


class ClosedSet(enum.StrEnum):
    """Base of the library's enumerations: an unknown value raises
    :class:`~gesprekscyclus.errors.InvalidValueError` listing the allowed values, so the
    enumeration itself can serve as an attrs converter (``converter=Locale``).
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        raise InvalidValueError(
            cls.__name__, f"unknown value {value!r}", allowed=[member.value for member in cls]
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
            field_path(instance, attribute), f"needs an aware datetime, got {value!r}"
        )


def require_aware(at: datetime, path: str = "at") -> None:
    """Raise unless ``at`` is a datetime with a UTC offset (the instant of a command)."""
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise InvalidValueError(path, f"needs an aware datetime, got {at!r}")


def require_reason(reason: str) -> None:
    """Raise unless ``reason`` is non-blank text (cancelling, dropping, refusing…)."""
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidValueError("reason", "a non-blank reason is required")


def shown(value: object) -> str:
    """``value`` for a message, kept short: a huge number by its size, long text cut off."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**12:
        digits = int(abs(value).bit_length() * 0.30103) + 1
        return f"a number of about {digits} digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
