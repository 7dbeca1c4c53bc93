"""Every public value object refuses a value of the wrong type in each of its fields.

The classes and their fields are found with ``attrs.fields``, so a new class or field is
covered without changing this file: a field of type ``date`` must refuse text and a
``datetime``, a text field a number, an enumeration a stray value, a field that is not
optional ``None``, and every field an arbitrary object; each refusal is an
:class:`~gesprekscyclus.errors.InvalidValueError` whose message starts with ``Class.field``.

A valid instance of each class, which the test changes one field of, comes from the
library's own doctests and a recorded year of the reference organisation; the few classes
neither builds are made in :data:`_MADE_HERE`.
"""

from __future__ import annotations

import contextlib
import doctest
import enum
import importlib
import io
import pkgutil
import types
import typing
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import attrs
import pytest

import gesprekscyclus as gc
import gesprekscyclus.domain
from gesprekscyclus.domain.absence import Prognosis
from gesprekscyclus.domain.agreements import AgreementState, AgreementStatus
from gesprekscyclus.domain.conversations import Note
from gesprekscyclus.domain.guides import GuideSection
from gesprekscyclus.domain.question_lint import QuestionFlaw, QuestionWarning
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.domain.voice import VoiceGroup
from gesprekscyclus.errors import InvalidValueError

_MODULES = (
    *(
        module.name
        for module in pkgutil.walk_packages(
            gesprekscyclus.domain.__path__, "gesprekscyclus.domain."
        )
    ),
    "gesprekscyclus.planning.design",
)


def _public_classes() -> list[type]:
    found = []
    for name in _MODULES:
        module = importlib.import_module(name)
        for key, value in vars(module).items():
            if (
                isinstance(value, type)
                and attrs.has(value)
                and value.__module__ == name
                and not key.startswith("_")
            ):
                found.append(value)
    return found


CLASSES = _public_classes()

_MADE_HERE: dict[type, Callable[[], object]] = {
    Note: lambda: Note(
        author_id="m-1", text="Goed gesprek", private=True, at=datetime(2027, 1, 4, 9, tzinfo=UTC)
    ),
    Prognosis: lambda: Prognosis(recorded_on=date(2027, 1, 4), long_term_expected=False),
    AgreementStatus: lambda: AgreementStatus(index=0, text="Cursus", state=AgreementState.OPEN),
    GuideSection: lambda: GuideSection(heading="Doel", text="Waarom we praten", items=("a",)),
    QuestionWarning: lambda: QuestionWarning(
        where="check_in",
        question_key="q",
        locale=Locale.NL,
        text="Ben je tevreden?",
        flaw=QuestionFlaw.CLOSED,
        suggestion="Wat maakt je tevreden?",
    ),
    VoiceGroup: lambda: VoiceGroup(
        by="team",
        group="t",
        employees=5,
        responses=5,
        heard=4.0,
        useful=None,
        clear_agreements=3.5,
    ),
}


def _key(kind: type) -> str:
    """A class by its name: a module the doctest collection imports a second time holds
    classes equal in all but identity."""
    return f"{kind.__module__}.{kind.__qualname__}"


def _walk(value: object, found: dict[str, object], seen: dict[int, object]) -> None:
    if id(value) in seen:
        return
    seen[id(value)] = value  # kept alive, so that no later object reuses its id
    if attrs.has(type(value)):
        found.setdefault(_key(type(value)), value)
        for attribute in attrs.fields(type(value)):
            _walk(getattr(value, attribute.name), found, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _walk(item, found, seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(key, found, seen)
            _walk(item, found, seen)
    elif type(value).__module__.startswith("gesprekscyclus") and hasattr(value, "__dict__"):
        _walk(vars(value), found, seen)


@cache
def _examples() -> dict[str, object]:
    from gesprekscyclus.examples.recorded import recorded_year  # noqa: PLC0415 - slow

    found: dict[str, object] = {}
    seen: dict[int, object] = {}
    service = recorded_year(until=date(2027, 3, 31))
    for start in (service.store, service.design, service.catalog):
        _walk(start, found, seen)
    for name in _MODULES:
        for test in doctest.DocTestFinder().find(importlib.import_module(name)):
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
            with contextlib.redirect_stdout(io.StringIO()):
                runner.run(test, clear_globs=False)
            for key, value in test.globs.items():
                if not key.startswith("__"):
                    _walk(value, found, seen)
    for kind, make in _MADE_HERE.items():
        found.setdefault(_key(kind), make())
    return found


def _arguments(example: object) -> dict[str, Any]:
    return {
        attribute.alias: getattr(example, attribute.name)
        for attribute in attrs.fields(type(example))
        if attribute.init
    }


def _wrong_values(hint: Any) -> Iterator[object]:
    """Values that do not fit ``hint``, whatever converter the field has."""
    yield object()
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    members = typing.get_args(hint) if union else (hint,)
    if type(None) not in members:
        yield None
    others = [member for member in members if member is not type(None)]
    if len(others) != 1:
        return
    (kind,) = others
    if kind is date:
        yield from ("2020-01-01", datetime(2020, 1, 1))
    elif kind is datetime:
        yield from ("2020-01-01T00:00:00+00:00", date(2020, 1, 1))
    elif kind is str:
        yield 5
    elif kind is bool:
        yield "yes"
    elif kind is int:
        yield from ("5", 1.5)
    elif kind is float:
        yield "0.5"
    elif isinstance(kind, type) and issubclass(kind, enum.Enum):
        yield "no-such-value"


def _cases() -> Iterator[Any]:
    for kind in CLASSES:
        hints = typing.get_type_hints(kind)
        for attribute in attrs.fields(kind):
            hint = hints.get(attribute.name, Any)
            if not attribute.init or hint in (Any, object):
                continue
            for value in _wrong_values(hint):
                yield pytest.param(
                    kind, attribute.name, value, id=f"{kind.__name__}.{attribute.name}={value!r}"
                )


def test_every_public_class_has_an_example() -> None:
    missing = [kind.__name__ for kind in CLASSES if _key(kind) not in _examples()]
    assert missing == [], "add an example to _MADE_HERE"
    for kind in CLASSES:
        example = _examples()[_key(kind)]
        assert type(example)(**_arguments(example)) == example


@pytest.mark.parametrize(("kind", "name", "value"), list(_cases()))
def test_a_wrong_type_is_refused_naming_the_field(kind: type, name: str, value: object) -> None:
    example = _examples()[_key(kind)]
    kind = type(example)
    arguments = _arguments(example)
    arguments[attrs.fields_dict(kind)[name].alias] = value
    with pytest.raises(InvalidValueError) as refused:
        kind(**arguments)
    assert str(refused.value).startswith(f"{kind.__name__}.{name}"), str(refused.value)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: __import__("gesprekscyclus.domain.people").domain.people.Person(
                id="e", name="E", hire_date="2020-01-01"
            ),
            "Person.hire_date: must be a date, got '2020-01-01'",
        ),
    ],
)
def test_the_message_says_what_is_allowed(make: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        make()
    assert str(refused.value) == message


def test_a_list_or_a_set_is_taken_for_a_tuple_or_a_frozenset_field() -> None:
    rhythm = gc.Interval(every=1, unit="months", anchor="cycle_start")
    rule = gc.TypeRule(type="check_in", cadence=[rhythm])
    design = gc.CycleDesign(name="V", cycle_start=date(2026, 1, 1), types=[rule])
    assert design.types == (gc.TypeRule(type="check_in", cadence=(rhythm,)),)
    assert type(design.types) is tuple
    assert type(rule.cadence) is tuple
    hash(design)  # frozen and hashable, as with tuples given
    pattern = gc.WorkingPattern(weekdays={1, 2})
    assert pattern == gc.WorkingPattern.of("mon", "tue")
    assert type(pattern.weekdays) is frozenset
    with pytest.raises(InvalidValueError, match=r"^CycleDesign\.types\[0\]"):
        gc.CycleDesign(name="V", cycle_start=date(2026, 1, 1), types=["check_in"])
