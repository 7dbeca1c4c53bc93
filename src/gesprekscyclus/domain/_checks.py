"""attrs validators that raise :class:`~gesprekscyclus.errors.InvalidValueError`.

Each names the offending field as ``<Class>.<field>`` so a message points at the source.
"""

from __future__ import annotations

import collections.abc
import enum
import functools
import inspect
import re
import reprlib
import sys
import types
import typing
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

import attrs

from gesprekscyclus.errors import GesprekscyclusError, InvalidValueError

T = TypeVar("T")

__all__ = [
    "ClosedSet",
    "aware",
    "check_argument",
    "check_text",
    "checked_arguments",
    "checked_methods",
    "checks_own",
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
    "typed_fields",
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

    _TYPED_BUT_NONE.add(check)
    return check


# --- the types of fields and parameters -------------------------------------------------
#
# A wrong type is refused where it enters, with the field or parameter it was given for,
# never by a TypeError deep inside or a silently wrong result. The checks follow the
# annotations, so a new field or parameter is covered without more code. A ``date`` is a
# day: a ``datetime`` (a subclass of ``date``) is refused for it, as the planner does; an
# ``int`` is no ``bool``; a ``float`` field takes whole numbers too.


class _Check:
    """What one annotation allows: ``exact`` holds the types accepted without looking
    further (the fast path), ``ok`` decides the rest, ``text`` says what is allowed."""

    __slots__ = ("allowed", "container", "elements", "exact", "explain", "ok", "text")

    def __init__(
        self,
        text: str,
        ok: Callable[[object], bool],
        exact: Iterable[type] = (),
        *,
        allowed: Iterable[object] | None = None,
        explain: Callable[[object, str], tuple[str, str] | None] | None = None,
    ):
        self.text = text
        self.ok = ok
        self.exact: frozenset[type] = frozenset(exact)
        self.allowed = None if allowed is None else tuple(allowed)
        self.explain = explain
        #: For a collection: its exact type and the element types accepted without looking
        #: further (the fast path of a tuple of values of the domain).
        self.container: type | None = None
        self.elements: frozenset[type] = frozenset()

    def error(self, value: object, path: str) -> InvalidValueError:
        """The refusal of ``value`` for ``path`` (an element's own path when one is wrong)."""
        if self.explain is not None:
            found = self.explain(value, path)
            if found is not None:
                return InvalidValueError(found[0], found[1])
        return InvalidValueError(
            path, f"must be {self.text}, got {shown(value)}", allowed=self.allowed
        )


def _anything(value: object) -> bool:
    return True


_ANYTHING = _Check("anything", _anything)


def _is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


_SIMPLE: dict[object, _Check] = {
    type(None): _Check("None", lambda value: value is None, (type(None),)),
    bool: _Check("True or False", _is_bool, (bool,)),
    int: _Check("a whole number", _is_whole, (int,)),
    float: _Check("a number", _is_number, (float, int)),
    str: _Check("text", lambda value: isinstance(value, str), (str,)),
    date: _Check("a date", _is_date, (date,)),
    datetime: _Check("a datetime", lambda value: isinstance(value, datetime), (datetime,)),
}


def _protocol_members(kind: type) -> frozenset[str]:
    """The public names a protocol class and its protocol bases declare."""
    names: set[str] = set()
    for base in kind.__mro__:
        if base is object or not getattr(base, "_is_protocol", False):
            continue
        declared = (*vars(base), *getattr(base, "__annotations__", {}))
        names.update(name for name in declared if not name.startswith("_"))
    return frozenset(names)


def _class_check(kind: type) -> _Check:
    if getattr(kind, "_is_protocol", False) and not getattr(kind, "_is_runtime_protocol", False):
        return _ANYTHING  # a static protocol cannot be checked at run time

    if getattr(kind, "_is_protocol", False):
        members = _protocol_members(kind)

        def has_members(value: object) -> bool:
            # Looked up as a call would (Python 3.12+ isinstance looks past __getattr__, so a
            # wrapper that delegates to a store would be refused).
            return isinstance(value, kind) or all(hasattr(value, name) for name in members)

        return _Check(f"a {kind.__name__}", has_members)

    def ok(value: object) -> bool:
        return isinstance(value, kind)

    if issubclass(kind, enum.Enum):
        return _Check(f"a {kind.__name__}", ok, (kind,), allowed=[m.value for m in kind])
    return _Check(f"a {kind.__name__}", ok, (kind,))


def _union_check(members: list[_Check]) -> _Check:
    if any(member is _ANYTHING for member in members):
        return _ANYTHING
    oks = tuple(member.ok for member in members)

    def ok(value: object) -> bool:
        return any(member_ok(value) for member_ok in oks)

    non_none = [member for member in members if member.text != "None"]

    def explain(value: object, path: str) -> tuple[str, str] | None:
        for member in non_none:  # a container of the right kind with a wrong element
            if member.explain is not None:
                found = member.explain(value, path)
                if found is not None:
                    return found
        return None

    allowed = [value for member in members for value in member.allowed or ()]
    texts = [member.text for member in non_none]
    text = " or ".join(texts) if texts else "None"
    if len(non_none) < len(members):
        text += " or None"
    return _Check(
        text,
        ok,
        (kind for member in members for kind in member.exact),
        allowed=allowed or None,
        explain=explain,
    )


def _elements_check(
    container: type | tuple[type, ...], name: str, element: _Check, *, keys: _Check | None = None
) -> _Check:
    """A collection (or, with ``keys``, a mapping) whose elements satisfy ``element``."""
    element_ok = element.ok
    element_exact = element.exact

    if keys is None:

        def ok(value: object) -> bool:
            if not isinstance(value, container):
                return False
            items = typing.cast(Iterable[Any], value)
            # The types of the elements at C speed first; most are exactly what is allowed.
            return (
                element is _ANYTHING
                or set(map(type, items)) <= element_exact
                or all(element_ok(item) for item in items)
            )

        def explain(value: object, path: str) -> tuple[str, str] | None:
            if not isinstance(value, container):
                return None
            for index, item in enumerate(typing.cast(Iterable[Any], value)):
                if not element_ok(item):
                    return _explained(element, item, f"{path}[{index}]")
            return None

        text = name if element is _ANYTHING else f"{name} of {_plural(element.text)}"
        made = _Check(text, ok, explain=explain)
        if container in (tuple, frozenset, list, set) and element is not _ANYTHING:
            made.container, made.elements = typing.cast(type, container), element_exact
        return made

    key_ok = keys.ok

    def mapping_ok(value: object) -> bool:
        return isinstance(value, container) and all(
            key_ok(key) and element_ok(item)
            for key, item in typing.cast(collections.abc.Mapping[Any, Any], value).items()
        )

    def mapping_explain(value: object, path: str) -> tuple[str, str] | None:
        if not isinstance(value, container):
            return None
        for key, item in typing.cast(collections.abc.Mapping[Any, Any], value).items():
            if not key_ok(key):
                return f"{path}[{shown(key)}]", f"the key must be {keys.text}, got {shown(key)}"
            if not element_ok(item):
                return _explained(element, item, f"{path}[{shown(key)}]")
        return None

    return _Check(f"{name} of {keys.text} to {element.text}", mapping_ok, explain=mapping_explain)


def _explained(check: _Check, value: object, path: str) -> tuple[str, str]:
    error = check.error(value, path)
    return error.path, error.problem


def _plural(text: str) -> str:
    return text[2:] + "s" if text.startswith("a ") else text


def _tuple_check(args: tuple[Any, ...]) -> _Check:
    if not args or (len(args) == 2 and args[1] is Ellipsis):
        return _elements_check(tuple, "a tuple", _compile(args[0]) if args else _ANYTHING)
    parts = tuple(_compile(arg) for arg in args)

    def ok(value: object) -> bool:
        return (
            isinstance(value, tuple)
            and len(value) == len(parts)
            and all(part.ok(item) for part, item in zip(parts, value, strict=True))
        )

    return _Check("a tuple of " + ", ".join(part.text for part in parts), ok)


def _iterable_check(element: _Check) -> _Check:
    """An iterable: the elements of a collection are checked, an iterator is left alone
    (looking would consume it)."""
    collection = _elements_check(collections.abc.Collection, "a collection", element)

    def ok(value: object) -> bool:
        if isinstance(value, collections.abc.Collection):
            return collection.ok(value)
        return isinstance(value, collections.abc.Iterable)

    return _Check(
        collection.text.replace("a collection", "an iterable"), ok, explain=collection.explain
    )


_COLLECTIONS: dict[object, tuple[type, str]] = {
    list: (list, "a list"),
    frozenset: (frozenset, "a frozenset"),
    set: (set, "a set"),
    collections.abc.Sequence: (collections.abc.Sequence, "a sequence"),
    collections.abc.Set: (collections.abc.Set, "a set"),
    collections.abc.Collection: (collections.abc.Collection, "a collection"),
}


@lru_cache(maxsize=1024)
def _compile_cached(hint: Any) -> _Check:
    return _compile_hint(hint)


def _compile(hint: Any) -> _Check:
    try:
        return _compile_cached(hint)
    except TypeError:  # an unhashable annotation
        return _compile_hint(hint)


def _compile_hint(hint: Any) -> _Check:
    if hint is None:
        hint = type(None)
    if hint in _SIMPLE:
        return _SIMPLE[hint]
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        return _compile(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return _union_check([_compile(arg) for arg in args])
    if origin is typing.Literal:

        def one_of(value: object) -> bool:  # True is no 1, and a list no hashable value
            return any(type(value) is type(arg) and value == arg for arg in args)

        return _Check("one of " + ", ".join(repr(value) for value in args), one_of, allowed=args)
    if origin is tuple or hint is tuple:
        return _tuple_check(args)
    if origin in _COLLECTIONS or hint in _COLLECTIONS:
        container, name = _COLLECTIONS[origin or hint]
        return _elements_check(container, name, _compile(args[0]) if args else _ANYTHING)
    if origin in (dict, collections.abc.Mapping) or hint in (dict, collections.abc.Mapping):
        container = dict if (origin or hint) is dict else collections.abc.Mapping
        key, value = (_compile(args[0]), _compile(args[1])) if args else (_ANYTHING, _ANYTHING)
        return _elements_check(container, "a mapping", value, keys=key)
    if origin in (collections.abc.Iterable, collections.abc.Iterator):
        return _iterable_check(_compile(args[0]) if args else _ANYTHING)
    if origin is collections.abc.Callable or hint is collections.abc.Callable:
        return _Check("callable", callable)
    if origin is type:
        return _Check("a class", lambda value: isinstance(value, type))
    if isinstance(hint, type) and hint is not object:
        return _class_check(hint)
    return _ANYTHING  # Any, object, type variables, what cannot be resolved


@functools.cache
def _hints_of(owner: Any) -> dict[str, Any]:
    """The resolved annotations of a class or function; the ones that cannot be resolved
    (names imported for type checkers only) are left out and so not checked."""
    try:
        return typing.get_type_hints(owner)
    except Exception:  # noqa: S110 - resolved one by one below
        pass
    found: dict[str, Any] = {}
    namespace = vars(sys.modules[owner.__module__]) if owner.__module__ in sys.modules else {}
    raw = getattr(owner, "__annotations__", {})
    for name, text in raw.items():
        try:
            found[name] = eval(text, dict(namespace)) if isinstance(text, str) else text  # noqa: S307
        except Exception:  # noqa: S112 - left unchecked
            continue
    return found


def _field_check(owner: type, name: str) -> _Check:
    for klass in owner.__mro__:
        if name in getattr(klass, "__annotations__", {}):
            return _compile(_hints_of(klass).get(name, Any))
    return _ANYTHING


#: Validators that check the type themselves (``None`` only where the annotation admits it).
_TYPED_VALIDATORS: set[object] = set()
#: Validators that check the type themselves but let ``None`` pass: enough for an optional
#: field.
_TYPED_BUT_NONE: set[object] = set()


def _type_validator(
    owner: type, name: str, inner: Callable[[Any, attrs.Attribute[Any], Any], None] | None
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """The validator checking a field's value against its annotation before ``inner``;
    the annotation is resolved on first use, when every name it refers to is defined."""
    exact: frozenset[type] = frozenset()
    container: type | None = None
    elements: frozenset[type] = frozenset()
    check: _Check | None = None

    def compiled() -> _Check:
        nonlocal check, exact, container, elements
        if check is None:
            check = _field_check(owner, name)
            exact, container, elements = check.exact, check.container, check.elements
        return check

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        kind = type(value)
        if kind in exact or (
            kind is container and (not value or set(map(type, value)) <= elements)
        ):
            return
        found = check or compiled()
        if not found.ok(value):
            raise found.error(value, field_path(instance, attribute))

    if inner is None:
        return validate

    def validate_then(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        # The field's own validator first: its message says more than the type does.
        try:
            inner(instance, attribute, value)
        except GesprekscyclusError:
            raise
        except (TypeError, ValueError, AttributeError, KeyError, OverflowError):
            validate(instance, attribute, value)  # a wrong type is named as such
            raise
        validate(instance, attribute, value)

    return validate_then


def _checked_converter(owner: type, name: str, converter: Callable[[Any], Any]) -> Any:
    """``converter`` whose refusals name the field (an enumeration names only itself) and
    whose TypeError or ValueError on a wrong type becomes an :class:`InvalidValueError`."""
    path = f"{owner.__name__}.{name}"

    def convert(value: Any) -> Any:
        try:
            return converter(value)
        except InvalidValueError as error:
            if error.path.startswith(path):
                raise
            problem = (
                error.problem.replace("unknown value", f"unknown {error.path} value", 1)
                if error.path.isidentifier() and error.problem.startswith("unknown value")
                else f"{error.path}: {error.problem}"
            )
            raise InvalidValueError(path, problem, allowed=error.allowed) from error
        except GesprekscyclusError:
            raise
        except (TypeError, ValueError, AttributeError, KeyError, OverflowError):
            check = _field_check(owner, name)
            raise InvalidValueError(
                path, f"must be {check.text}, got {shown(value)}", allowed=check.allowed
            ) from None

    return convert


#: attrs' ``Converter`` objects (attrs 24.1 and later), left as they are; with an older attrs
#: every converter is a plain callable.
_CONVERTER_OBJECTS: tuple[type, ...] = tuple(
    kind for kind in (getattr(attrs, "Converter", None),) if isinstance(kind, type)
)


def _as_tuple(value: Any) -> Any:
    """A list as the tuple a frozen field holds; anything else as it is (checked after)."""
    return tuple(value) if type(value) is list else value


def _as_frozenset(value: Any) -> Any:
    """A set as the frozenset a frozen field holds; anything else as it is."""
    return frozenset(value) if type(value) is set else value


def _frozen_container(hint: Any) -> Callable[[Any], Any] | None:
    """For a field annotated as a tuple or a frozenset (``| None`` allowed), the converter
    that takes a list or a set for it, as a caller would naturally write one."""
    text = hint if isinstance(hint, str) else getattr(hint, "__name__", repr(hint))
    text = text.replace("typing.", "").strip()
    if text == "tuple" or text.startswith("tuple["):
        return _as_tuple
    if text == "frozenset" or text.startswith("frozenset["):
        return _as_frozenset
    return None


def typed_fields(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """An attrs ``field_transformer`` checking every field's type on construction.

    A value of the wrong type raises :class:`InvalidValueError` naming ``Class.field`` and
    what the annotation allows; converters' refusals name the field too.

    >>> from datetime import date
    >>> @attrs.frozen(field_transformer=typed_fields)
    ... class Leave:
    ...     on: date
    ...     days: tuple[int, ...] = ()
    >>> Leave("2027-01-01")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: Leave.on: must be a date, got '2027-01-01'
    >>> Leave(date(2027, 1, 1), (1, "2"))
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: Leave.days[1]: must be a whole number, got '2'
    """
    changed = []
    for attribute in fields:
        if not attribute.init:
            changed.append(attribute)
            continue
        changes: dict[str, Any] = {}
        converter: Any = attribute.converter
        if converter is not None and not isinstance(converter, _CONVERTER_OBJECTS):
            changes["converter"] = _checked_converter(cls, attribute.name, converter)
        elif converter is None:
            frozen_as = _frozen_container(attribute.type)
            if frozen_as is not None:
                changes["converter"] = frozen_as
        own = attribute.validator
        if own not in _TYPED_VALIDATORS and not (
            own in _TYPED_BUT_NONE and _admits_none(attribute)
        ):
            changes["validator"] = _type_validator(cls, attribute.name, attribute.validator)
        changed.append(attribute.evolve(**changes) if changes else attribute)
    return changed


def check_argument(path: str, value: object, hint: Any) -> None:
    """Raise :class:`InvalidValueError` naming ``path`` unless ``value`` fits ``hint``."""
    check = _compile(hint)
    if type(value) not in check.exact and not check.ok(value):
        raise check.error(value, path)


_F = TypeVar("_F", bound=Callable[..., Any])


def checked_arguments(function: _F) -> _F:
    """Check the arguments of ``function`` against its annotations on every call, before
    it runs: a wrong type raises :class:`InvalidValueError` naming the parameter.

    >>> @checked_arguments
    ... def materialise(start: date, end: date | None = None) -> None: ...
    >>> materialise(date(2027, 1, 1), end="2027-02-01")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: end: must be a date or None, got '2027-02-01'
    """
    signature = inspect.signature(function)
    plan: list[tuple[str, _Check]] | None = None
    own: frozenset[str] = getattr(function, "_checks_own", frozenset())

    def compiled() -> list[tuple[str, _Check]]:
        nonlocal plan
        if plan is None:
            hints = _hints_of(function)
            plan = []
            for name, parameter in signature.parameters.items():
                if (
                    name in hints
                    and name not in own
                    and parameter.kind
                    not in (
                        inspect.Parameter.VAR_POSITIONAL,
                        inspect.Parameter.VAR_KEYWORD,
                    )
                ):
                    check = _compile(hints[name])
                    if check is not _ANYTHING:
                        plan.append((name, check))
        return plan

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise InvalidValueError(function.__name__, str(error)) from None
        given = bound.arguments
        for name, check in plan if plan is not None else compiled():
            if name in given:
                value = given[name]
                if type(value) not in check.exact and not check.ok(value):
                    raise check.error(value, name)
        return function(*args, **kwargs)

    return typing.cast(_F, wrapper)


def checks_own(*names: str) -> Callable[[_F], _F]:
    """Leave the parameters ``names`` of a function to the function itself, for
    :func:`checked_arguments`: it checks them more closely than their annotation says
    (such as records read like a people file, each problem with its line)."""

    def mark(function: _F) -> _F:
        function._checks_own = frozenset(names)  # type: ignore[attr-defined]
        return function

    return mark


def checked_methods(cls: type[T]) -> type[T]:
    """Apply :func:`checked_arguments` to every public method of ``cls`` and its
    ``__init__``."""
    for name, member in list(vars(cls).items()):
        if (name == "__init__" or not name.startswith("_")) and inspect.isfunction(member):
            setattr(cls, name, checked_arguments(member))
    return cls


_TYPED_VALIDATORS.update((non_blank, one_line, iana_zone))
_TYPED_BUT_NONE.update((aware, positive))
