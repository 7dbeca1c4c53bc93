"""Turning domain objects into JSON-compatible data and back.

One private cattrs converter does all the work. It is strict on input: unknown keys, wrong
types (``"3"`` where a number belongs) and invalid values are rejected with the full path of
every offending value. Fields that hold one of several kinds are tagged unions with a
``"kind"`` key. Stored payloads are wrapped in an envelope that carries
:data:`SCHEMA_VERSION`, so later versions can migrate what earlier ones wrote.

**Private text never leaves through here.** :func:`to_data` and :func:`dumps` leave every
private note out, of a conversation and of a view alike (the author's own included: their
UI reads them from ``view.notes``), and refuse a private note given on its own. Serialise
views (:mod:`gesprekscyclus.service.views`) for readers; a raw conversation serialised here
keeps what its participants share. Storage adapters, and only they, keep full records with
:func:`storage_data`.

>>> from datetime import date
>>> from gesprekscyclus.domain.people import Person
>>> anna = Person(id="e-1", name="Anna", hire_date=date(2021, 3, 1))
>>> data = to_data(anna)
>>> data["hire_date"], data["working_pattern"]
('2021-03-01', {'weekdays': [1, 2, 3, 4, 5]})
>>> from_data(Person, data) == anna
True
>>> from_data(Person, {**data, "nickname": "An"})
Traceback (most recent call last):
...
gesprekscyclus.errors.SerializationError: Person: extra fields found (nickname) @ $
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, TypeAlias, TypeVar, Union, get_args, overload

import attrs
import cattrs
from cattrs.cols import is_any_set, is_sequence
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.preconf.json import make_converter

from gesprekscyclus.domain._checks import ClosedSet, shown
from gesprekscyclus.domain.cadence import Cadence
from gesprekscyclus.domain.conversations import Conversation, Note
from gesprekscyclus.domain.questions import AnswerValue, answer_value
from gesprekscyclus.errors import InvalidValueError, SerializationError

__all__ = [
    "SCHEMA_VERSION",
    "JsonObject",
    "JsonValue",
    "dumps",
    "from_data",
    "leave_out_private_notes",
    "loads",
    "loads_compiled",
    "register_union",
    "storage_data",
    "to_data",
]

T = TypeVar("T")

#: What :func:`to_data` gives: the values JSON holds.
JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
#: A JSON object: what :func:`to_data` gives for an attrs value (a domain object, a view).
JsonObject: TypeAlias = "dict[str, JsonValue]"

#: Version of the stored payload layout; bumped whenever a stored shape changes.
SCHEMA_VERSION = 1

_converter = make_converter(forbid_extra_keys=True)
#: The storage codec: the same rules, but private notes are kept (see :func:`storage_data`).
#: It is made a copy of the public one once every shared hook is registered, below.
_storage = _converter


def _strict(kind: type[T], *accepted: type) -> Callable[[Any, Any], T]:
    def structure(value: Any, _type: Any) -> T:
        if isinstance(value, bool) and kind is not bool:
            raise ValueError(f"expected {kind.__name__}, got a boolean")
        if not isinstance(value, accepted or (kind,)):
            raise ValueError(f"expected {kind.__name__}, got {type(value).__name__} {shown(value)}")
        return kind(value)  # type: ignore[call-arg]

    return structure


_converter.register_structure_hook(str, _strict(str))
_converter.register_structure_hook(int, _strict(int))
_converter.register_structure_hook(bool, _strict(bool))
_converter.register_structure_hook(float, _strict(float, int, float))


def _closed_set(value: Any, type_: type[ClosedSet]) -> ClosedSet:
    return type_(value)


# A hook of our own (not cattrs' plain constructor call) so that each enumerated field is
# structured, and reported, with its own path even when it also has an attrs converter.
_converter.register_structure_hook(ClosedSet, _closed_set)
_converter.register_unstructure_hook(ClosedSet, lambda member: member.value)


def _iso(kind: type[T], parse: Callable[[str], T]) -> Callable[[Any, Any], T]:
    def structure(value: Any, _type: Any) -> T:
        if not isinstance(value, str):
            raise ValueError(f"expected an ISO 8601 {kind.__name__} string, got {shown(value)}")
        try:
            return parse(value)
        except ValueError:
            raise ValueError(f"{shown(value)} is not an ISO 8601 {kind.__name__}") from None

    return structure


def _parse_date(text: str) -> date:
    if len(text) != 10:
        raise ValueError(text)
    return date.fromisoformat(text)


_converter.register_structure_hook(date, _iso(date, _parse_date))
_converter.register_structure_hook(datetime, _iso(datetime, datetime.fromisoformat))
_converter.register_structure_hook(time, _iso(time, time.fromisoformat))


def _sorted(values: frozenset[Any]) -> list[Any]:
    """Sets are written in sorted order so that stored files diff cleanly."""
    items = [_converter.unstructure(value) for value in values]
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=repr)


_converter.register_unstructure_hook_func(
    lambda type_: type_ is frozenset or getattr(type_, "__origin__", None) is frozenset, _sorted
)

# Shapes are checked before cattrs sees a value: text is no list of its characters, and a
# table that is not a table gets a message saying so (not "'str' has no attribute 'keys'").
_shaping: set[Any] = set()


def _needs_shape(type_: Any) -> bool:
    if type_ in _shaping:
        return False
    return is_sequence(type_) or is_any_set(type_) or attrs.has(type_)


def _shaped(type_: Any) -> Callable[[Any, Any], Any]:
    _shaping.add(type_)
    try:
        inner = _converter.get_structure_hook(type_)
    finally:
        _shaping.discard(type_)
    table = attrs.has(type_)

    def structure(value: Any, actual: Any) -> Any:
        if table and not isinstance(value, dict):
            raise ValueError(f"expected a table of keys and values, got {_kind(value)}")
        if not table and isinstance(value, str | bytes | dict):
            raise ValueError(f"expected a list, got {_kind(value)}")
        return inner(value, actual)

    return structure


def _kind(value: Any) -> str:
    names = {dict: "a table", list: "a list", str: "text", bool: "a boolean"}
    return names.get(type(value), type(value).__name__) + (
        f" {shown(value)}" if isinstance(value, str | int | float) else ""
    )


_converter.register_structure_hook_factory(_needs_shape, _shaped)


def register_union(union: Any, *, tag: str = "kind") -> None:
    """Serialise ``union`` (``A | B | C`` of attrs classes) as a tagged union.

    Each member class names its tag with a ``KIND`` class attribute, stored under ``tag``. An
    unknown or missing tag is reported with the allowed tags.
    """
    members: dict[str, type] = {
        str(getattr(member, "KIND", member.__name__)): member for member in get_args(union)
    }

    def unstructure(value: Any) -> dict[str, Any]:
        kind = str(getattr(type(value), "KIND", type(value).__name__))
        return {tag: kind, **_converter.unstructure(value, unstructure_as=type(value))}

    def structure(value: Any, _type: Any) -> Any:
        if not isinstance(value, dict):
            raise ValueError(f"expected a table with a {tag!r} key, got {shown(value)}")
        kind = value.get(tag)
        if kind not in members:
            problem = f"missing {tag!r}" if kind is None else f"unknown {tag} {kind!r}"
            raise InvalidValueError(tag, problem, allowed=members)
        body = {key: item for key, item in value.items() if key != tag}
        return _converter.structure(body, members[kind])

    for converter in (_converter, _storage):
        converter.register_unstructure_hook(union, unstructure)
        converter.register_structure_hook(union, structure)


def _format(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, InvalidValueError):
        return str(exc)
    if isinstance(exc, ForbiddenExtraKeysError):
        names = sorted(exc.extra_fields)
        more = f", and {len(names) - 10} more" if len(names) > 10 else ""
        return "extra fields found (" + ", ".join(names[:10]) + more + ")"
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ValueError | TypeError) and str(exc):
        return str(exc)
    return cattrs.v.format_exception(exc, type_)


@overload
def to_data(obj: attrs.AttrsInstance) -> JsonObject: ...


@overload
def to_data(obj: object) -> JsonValue: ...


def to_data(obj: object) -> JsonValue:
    """``obj`` as JSON-compatible data (dicts, lists, strings, numbers, booleans, None),
    private notes left out (see the module docstring); an attrs value (a domain object, a
    view) gives a :data:`JsonObject`.

    >>> from datetime import date, datetime, timezone
    >>> from gesprekscyclus.domain.conversations import Conversation, Window
    >>> talk = Conversation.plan(id="c-1", type_key="check_in", employee_id="e-1",
    ...     manager_id="m-1", window=Window(date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 9)))
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> talk = talk.add_note("m-1", "Alleen voor mij", private=True, at=at)
    >>> to_data(talk.add_note("m-1", "Gedeeld", private=False, at=at))["_notes"][0]["text"]
    'Gedeeld'
    >>> "Alleen voor mij" in str(to_data(talk))
    False
    """
    data: JsonValue = _converter.unstructure(obj)
    return data


def storage_data(obj: object) -> JsonValue:
    """``obj`` as JSON-compatible data *with* private notes: for storage adapters only,
    which keep the full record (the storage codec). Never hand this to a reader."""
    data: JsonValue = _storage.unstructure(obj)
    return data


def from_data(cls: type[T], data: object) -> T:
    """Build a ``cls`` from JSON-compatible data, strictly; see the module docstring."""
    try:
        return _converter.structure(data, cls)
    except InvalidValueError as error:
        raise SerializationError(_name(cls), [f"{error} @ $"]) from error
    except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as error:
        problems = cattrs.transform_error(error, format_exception=_format)
        raise SerializationError(_name(cls), problems) from error
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise SerializationError(_name(cls), [f"{_format(error, cls)} @ $"]) from error


def _name(cls: Any) -> str:
    return str(getattr(cls, "__name__", cls))


def dumps(obj: object) -> str:
    """A JSON document of ``obj`` inside a versioned envelope.

    >>> from gesprekscyclus.domain.text import LocalizedText
    >>> dumps(LocalizedText(nl="Hallo"))
    '{"schema_version": 1, "type": "LocalizedText", "data": {"nl": "Hallo", "en": null}}'
    """
    envelope = {"schema_version": SCHEMA_VERSION, "type": type(obj).__name__, "data": to_data(obj)}
    return json.dumps(envelope, ensure_ascii=False)


class DuplicateKeyError(ValueError):
    """A JSON object of a document has one key twice; ``path`` is where (``$.data.name``)."""

    def __init__(self, key: str, path: str):
        self.key = key
        self.path = path
        super().__init__(f"the key {shown(key)} appears twice in one object @ {path}")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict; raises ``_DuplicateError`` when a key repeats (the C scanner
    calls this for every object: it is kept to one dict and one comparison)."""
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    raise _DuplicateError


class _DuplicateError(Exception):
    pass


class _Marked(dict[str, Any]):
    """An object that had a key twice, found again to say where."""

    key: str


def _marking(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    marked = _Marked(found)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    return marked


_UNIQUE = json.JSONDecoder(object_pairs_hook=_unique_pairs)
_MARKING = json.JSONDecoder(object_pairs_hook=_marking)


def parse_json(text: str | bytes | bytearray) -> Any:
    """``json.loads(text)``, but an object with a key twice raises
    :class:`DuplicateKeyError` naming the key and its path, instead of keeping the last.

    The errors are ``json.loads``'s otherwise (``JSONDecodeError``, ``RecursionError``, a
    ``ValueError`` for a number with too many digits, ``TypeError`` for what is not text).

    >>> parse_json('{"a": [1, {"b": 2}]}')
    {'a': [1, {'b': 2}]}
    >>> parse_json('{"a": [1, {"b": 2, "b": 3}]}')
    Traceback (most recent call last):
    ...
    gesprekscyclus.serialization.DuplicateKeyError: the key 'b' appears twice in one object @ $.a[1]
    """
    if isinstance(text, str):
        if text.startswith("\ufeff"):  # what json.loads says of it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    elif isinstance(text, bytes | bytearray):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    else:
        raise TypeError(f"the JSON object must be str or bytes, not {type(text).__name__}")
    try:
        return _UNIQUE.decode(text)
    except _DuplicateError:
        pass
    marked = _MARKING.decode(text)
    raise DuplicateKeyError(*_first_marked(marked, "$"))


def _first_marked(value: Any, path: str) -> tuple[str, str]:
    """The repeated key of the first marked object in ``value`` and that object's path."""
    pending = [(value, path)]
    while pending:  # depth first, in document order, without recursing
        value, path = pending.pop()
        if isinstance(value, _Marked):
            return value.key, path
        if isinstance(value, dict):
            items = [(item, f"{path}{_step(key)}") for key, item in value.items()]
        elif isinstance(value, list):
            items = [(item, f"{path}[{index}]") for index, item in enumerate(value)]
        else:
            continue
        pending.extend(reversed(items))
    raise AssertionError("a duplicate key was found by one reading and not by the next")


def _step(key: str) -> str:
    return f".{key}" if key.isidentifier() and len(key) <= 60 else f"[{shown(key)}]"


def loads(cls: type[T], text: str | bytes) -> T:
    """Read a document written by :func:`dumps` back into a ``cls``."""
    return from_data(cls, _envelope_data(cls, text))


def _envelope_data(cls: type, text: str | bytes) -> Any:
    """The ``data`` of the envelope in ``text``, checked to hold a ``cls``."""
    if not isinstance(text, str | bytes | bytearray):
        raise SerializationError(
            _name(cls), [f"expected JSON text (str or bytes), got {type(text).__name__} @ $"]
        )
    try:
        envelope = parse_json(text)
    except json.JSONDecodeError as error:
        raise SerializationError(
            _name(cls), [f"not JSON: {error.msg} at line {error.lineno} column {error.colno}"]
        ) from error
    except DuplicateKeyError as error:
        raise SerializationError(_name(cls), [str(error)]) from None
    except RecursionError:
        raise SerializationError(
            _name(cls), ["not JSON this library reads: arrays or objects nest too deeply @ $"]
        ) from None
    except ValueError:  # the interpreter's limit on the digits of a whole number
        digits = sys.get_int_max_str_digits()
        raise SerializationError(
            _name(cls), [f"not JSON this library reads: a number has more than {digits} digits @ $"]
        ) from None
    if not isinstance(envelope, dict) or set(envelope) != {"schema_version", "type", "data"}:
        raise SerializationError(
            _name(cls), ["expected an envelope with keys schema_version, type, data @ $"]
        )
    version = envelope["schema_version"]
    if type(version) is not int:  # true and 1.0 equal 1, and are not a version
        raise SerializationError(
            _name(cls),
            [
                f"schema_version must be a whole number, got {_kind_of(version)} "
                f"{json.dumps(version) if isinstance(version, bool | float) else shown(version)}"
                f" (allowed: {SCHEMA_VERSION}) @ $.schema_version"
            ],
        )
    if version != SCHEMA_VERSION:
        raise SerializationError(
            _name(cls),
            [f"schema_version {version!r} is not supported (allowed: {SCHEMA_VERSION}) @ $"],
        )
    if envelope["type"] != _name(cls):
        raise SerializationError(
            _name(cls), [f"holds a {envelope['type']!r}, expected {_name(cls)!r} @ $.type"]
        )
    return envelope["data"]


def _kind_of(value: Any) -> str:
    """The JSON kind of a parsed value, for a message."""
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    return kinds.get(type(value), "an array" if isinstance(value, list) else "an object")


register_union(Cadence)


def _answer_value(value: Any, _type: Any) -> AnswerValue:
    return answer_value(value)


def _scalar(value: Any, _type: Any) -> str | int | bool:
    if isinstance(value, str | int):  # bool is an int
        return value
    raise ValueError(f"expected text, a whole number or a boolean, got {shown(value)}")


_converter.register_structure_hook(AnswerValue, _answer_value)
# The JSON converter strips the scalars off a union before dispatching what is left.
_converter.register_structure_hook(tuple[str, ...] | list[str], _answer_value)
_converter.register_structure_hook(str | int | bool, _scalar)
_converter.register_unstructure_hook(time, time.isoformat)


# --- the public converter leaves private notes out --------------------------------------------

_storage = _converter.copy()


def leave_out_private_notes(cls: type, field: str) -> None:
    """Make :func:`to_data` drop the private notes from ``cls``'s tuple of notes ``field``
    (the storage codec keeps them). Every class that carries notes registers itself."""

    def unstructure(value: Any) -> dict[str, Any]:
        data: dict[str, Any] = _storage.unstructure(value, unstructure_as=cls)
        notes = getattr(value, field)
        data[field] = [
            item for item, note in zip(data[field], notes, strict=True) if not note.private
        ]
        return data

    _converter.register_unstructure_hook(cls, unstructure)


def _refuse_private(note: Note) -> dict[str, Any]:
    if note.private:
        raise InvalidValueError(
            "Note.private", "a private note is not serialised; it stays with its author"
        )
    data: dict[str, Any] = _storage.unstructure(note, unstructure_as=Note)
    return data


leave_out_private_notes(Conversation, "_notes")
_converter.register_unstructure_hook(Note, _refuse_private)


# --- a compiled reader for hot paths ----------------------------------------------------------
#
# ``from_data`` walks cattrs' generic hooks: per field a hook call, a shape wrapper, a union
# dispatch and an error-collecting frame. For a payload read many times a second (an outbox
# row on every claim) that is most of the cost. ``_compiled`` writes one plain function per
# attrs class instead, with the strict checks inline (``type(v) is str``, the enumeration's
# own value table, the same ISO parsers) and the class's own ``__init__``, so attrs
# converters, validators and ``__attrs_post_init__`` run exactly as on the strict path.
#
# The compiled function only ever *accepts* what the strict path accepts (it checks at least
# as much, for the values JSON gives) and otherwise gives up with ``_RefusedError``; then the
# strict path reads the same data and raises its own, field-naming error. So a result is
# always the strict path's result, and a refusal costs the strict path once more.
#
# Every structure hook is registered in this module, for scalars, enumerations, ISO values
# and unions (the reader calls those hooks as they are); none is registered for an attrs
# class, whose fields the reader reads itself. A hook for an attrs class added later must be
# honoured here too (read that class with ``_converter.get_structure_hook``).


class _RefusedError(Exception):
    """The compiled reader gives up; the strict path decides (and explains)."""


_NONE_TYPE = type(None)
_compiled_readers: dict[type, Callable[[Any], Any]] = {}


class _Writer:
    """Source of the compiled readers of one class and the classes it holds."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {
            "_RefusedError": _RefusedError,
            "_tuple": tuple,
            "_list": list,
        }
        self.functions: dict[type, str] = {}
        self.sources: list[str] = []

    def constant(self, value: Any) -> str:
        name = f"_c{len(self.names)}"
        self.names[name] = value
        return name

    def value(self, type_: Any, source: str, target: str, lines: list[str], pad: str) -> None:
        """Lines that check ``source`` as a ``type_`` and put what it reads as in ``target``."""
        args = get_args(type_)
        if type_ is str or type_ is int or type_ is bool:
            lines.append(f"{pad}if type({source}) is not {type_.__name__}: raise _RefusedError")
            if target != source:
                lines.append(f"{pad}{target} = {source}")
        elif type_ is float:
            lines += [
                f"{pad}if type({source}) is float: {target} = {source}",
                f"{pad}elif type({source}) is int: {target} = float({source})",
                f"{pad}else: raise _RefusedError",
            ]
        elif isinstance(type_, type) and issubclass(type_, ClosedSet):
            members = self.constant(dict(type_._value2member_map_))
            lines += [
                f"{pad}if type({source}) is not str: raise _RefusedError",
                f"{pad}{target} = {members}.get({source})",
                f"{pad}if {target} is None: raise _RefusedError",
            ]
        elif len(args) == 2 and _NONE_TYPE in args and _is_union(type_):
            inner = args[0] if args[1] is _NONE_TYPE else args[1]
            lines.append(f"{pad}if {source} is None: {target} = None")
            lines.append(f"{pad}else:")
            self.value(inner, source, target, lines, pad + "    ")
        elif getattr(type_, "__origin__", None) is tuple and len(args) == 2 and args[1] is ...:
            lines.append(f"{pad}if type({source}) is not list: raise _RefusedError")
            if args[0] is str:
                lines += [
                    f"{pad}for _e in {source}:",
                    f"{pad}    if type(_e) is not str: raise _RefusedError",
                    f"{pad}{target} = _tuple({source})",
                ]
            else:
                element = self.reader(args[0])
                lines.append(f"{pad}{target} = _tuple([{element}(_e) for _e in {source}])")
        elif attrs.has(type_):
            lines.append(f"{pad}{target} = {self.function(type_)}({source})")
        else:  # dates, instants and anything rarer: the strict path's own hook
            hook = self.constant(_converter.get_structure_hook(type_))
            lines.append(f"{pad}{target} = {hook}({source}, {self.constant(type_)})")

    def reader(self, type_: Any) -> str:
        """The name of a one-argument function reading a ``type_``."""
        if attrs.has(type_):
            return self.function(type_)
        lines = ["def _read(v):"]
        self.value(type_, "v", "r", lines, "    ")
        lines.append("    return r")
        namespace: dict[str, Any] = dict(self.names)
        exec("\n".join(lines), namespace)  # noqa: S102 - our own generated source
        return self.constant(namespace["_read"])

    def function(self, cls: type) -> str:
        if cls in self.functions:
            return self.functions[cls]
        name = f"_read_{cls.__name__}_{len(self.functions)}"
        self.functions[cls] = name
        attrs.resolve_types(cls)
        fields = [field for field in attrs.fields(cls) if field.init]
        if any(field.type is None for field in fields):
            raise TypeError(f"{cls.__name__}: a field without a type")
        keys = self.constant(frozenset(field.name for field in fields))
        lines = [
            f"def {name}(d):",
            "    if type(d) is not dict: raise _RefusedError",
            f"    if not d.keys() <= {keys}: raise _RefusedError",
        ]
        missing = self.constant(attrs.NOTHING)
        for index, field in enumerate(fields):
            value = f"_v{index}"
            if field.default is attrs.NOTHING:
                lines.append(f"    {value} = d[{field.name!r}]")
                self.value(field.type, value, value, lines, "    ")
            elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                raise TypeError(f"{cls.__name__}.{field.name}: a factory default")
            else:
                lines.append(f"    {value} = d.get({field.name!r}, {missing})")
                lines.append(
                    f"    if {value} is {missing}: {value} = {self.constant(field.default)}"
                )
                lines.append("    else:")
                self.value(field.type, value, value, lines, "        ")
        call = ", ".join(f"{field.alias}=_v{index}" for index, field in enumerate(fields))
        lines.append(f"    return {self.constant(cls)}({call})")
        self.sources.append("\n".join(lines))
        return name

    def build(self, cls: type) -> Callable[[Any], Any]:
        top = self.function(cls)
        namespace: dict[str, Any] = dict(self.names)
        exec("\n\n".join(self.sources), namespace)  # noqa: S102 - our own generated source
        reader: Callable[[Any], Any] = namespace[top]
        return reader


def _is_union(type_: Any) -> bool:
    return isinstance(type_, types.UnionType) or getattr(type_, "__origin__", None) is Union


def _compiled(cls: type[T]) -> Callable[[Any], T]:
    """The compiled reader of ``cls`` (see above); raises ``_RefusedError`` or any error when it
    does not read a value, and the caller asks the strict path."""
    reader = _compiled_readers.get(cls)
    if reader is None:
        try:
            reader = _Writer().build(cls)
        except TypeError:  # a shape the writer does not know: the strict path reads it
            reader = _strict_only
        _compiled_readers[cls] = reader
    return reader


def _strict_only(data: Any) -> Any:
    raise _RefusedError


def loads_compiled(cls: type[T], text: str | bytes) -> T:
    """:func:`loads`, with the same result and the same errors, faster for a payload read
    often (an outbox row): the data is read by a function compiled for ``cls``, and by the
    strict converter only when that function does not accept it, to report why.

    >>> from gesprekscyclus.domain.text import LocalizedText
    >>> loads_compiled(LocalizedText, dumps(LocalizedText(nl="Hallo")))
    LocalizedText(nl='Hallo', en=None)
    >>> loads_compiled(LocalizedText, '{"schema_version": 1, "type": "LocalizedText",'
    ...     ' "data": {"nl": 3}}')
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.SerializationError: LocalizedText: expected str, got int 3 @ $.nl
    """
    data = _envelope_data(cls, text)
    try:
        return _compiled(cls)(data)
    except Exception:  # whatever it is, the strict path says it properly
        return from_data(cls, data)
