"""Finding and replacing a person's id inside any of the library's immutable values.

Erasure (AVG art. 17) removes a person's own records and, in the records of others they took
part in (a manager in the reviews of the people they manage, HR in an exit interview),
replaces their id by a placeholder (:func:`placeholder_for`) and drops the private notes
only they could read. Both steps work on any attrs value, so a field added later is covered
without touching this code.

>>> from datetime import date
>>> from gesprekscyclus.domain.people import Person
>>> eva = Person(id="e-1", name="Eva", hire_date=date(2024, 1, 1), manager_id="m-1")
>>> mentions(eva, "m-1"), mentions(eva, "m-2")
(True, False)
>>> replace_person(eva, "m-1", "erased-1").manager_id
'erased-1'
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

import attrs

from gesprekscyclus.domain.conversations import Note

__all__ = ["ERASED_PREFIX", "mentions", "placeholder_for", "replace_person"]

T = TypeVar("T")

#: Every placeholder starts with this.
ERASED_PREFIX = "erased-"


def placeholder_for(person_id: str) -> str:
    """The id that stands in for an erased person in other people's records.

    Derived from the id (the same on every machine, distinct per person, so two erased
    participants of one conversation stay two), but not the id itself.

    >>> placeholder_for("e-1") == placeholder_for("e-1") != placeholder_for("e-2")
    True
    >>> placeholder_for("e-1").startswith("erased-")
    True
    """
    digest = hashlib.blake2b(person_id.encode(), digest_size=8, person=b"erasure").hexdigest()
    return ERASED_PREFIX + digest


def mentions(value: object, person_id: str) -> bool:
    """Whether ``person_id`` occurs as a whole text anywhere inside ``value``."""
    if isinstance(value, str):
        return value == person_id
    if isinstance(value, tuple | list | frozenset | set):
        return any(mentions(item, person_id) for item in value)
    if isinstance(value, dict):
        return any(mentions(k, person_id) or mentions(v, person_id) for k, v in value.items())
    kind = type(value)
    if attrs.has(kind):
        return any(mentions(getattr(value, a.name), person_id) for a in attrs.fields(kind))
    return False


def _is_private_note_of(value: object, person_id: str) -> bool:
    return isinstance(value, Note) and value.private and value.author_id == person_id


def _replace(value: Any, person_id: str, placeholder: str) -> Any:
    if isinstance(value, str):
        return placeholder if value == person_id else value
    if isinstance(value, tuple):
        return tuple(
            _replace(item, person_id, placeholder)
            for item in value
            if not _is_private_note_of(item, person_id)
        )
    if isinstance(value, frozenset):
        return frozenset(_replace(item, person_id, placeholder) for item in value)
    kind = type(value)
    if attrs.has(kind) and mentions(value, person_id):
        changes = {
            a.alias: _replace(getattr(value, a.name), person_id, placeholder)
            for a in attrs.fields(kind)
            if a.init
        }
        return kind(**changes)
    return value


def replace_person(value: T, person_id: str, placeholder: str) -> T:
    """``value`` with every occurrence of ``person_id`` replaced by ``placeholder``, and
    without the private notes ``person_id`` wrote (no one else may read them).

    The result is built through the constructors, so it is checked like any other value.
    """
    replaced: T = _replace(value, person_id, placeholder)
    return replaced
