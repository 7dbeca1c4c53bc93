"""Stable conversation ids: the same person, type and occurrence always give the same id."""

from __future__ import annotations

import hashlib

__all__ = ["conversation_id", "person_digest"]


def conversation_id(person_id: str, type_key: str, occurrence: str) -> str:
    """The stable id of an occurrence: the same inputs give the same id on every run.

    The id reads ``<type>-<digest of the person>-<occurrence key>``: the person id is hashed
    (ids travel in calendar invitations and links), the occurrence key is already unique per
    person and type and stays readable.

    >>> conversation_id("e-1", "check_in", "n3")
    'check_in-317386494bf10d9f-n3'
    """
    return f"{type_key}-{person_digest(person_id)}-{occurrence}"


def person_digest(person_id: str) -> str:
    """The 16 hex digits that stand for ``person_id`` in conversation ids.

    >>> person_digest("e-1")
    '317386494bf10d9f'
    """
    return hashlib.blake2b(person_id.encode(), digest_size=8).hexdigest()
