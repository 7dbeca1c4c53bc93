"""Stable conversation ids: the same person, type and occurrence always give the same id.

Ids fit in one URL path segment (letters, digits, ``-``, ``_`` and ``:``, never ``/``) and
stay short: a follow-up's occurrence is a digest of the conversation it follows and the
question that caused it (:func:`follow_up_occurrence`), so a chain of follow-ups of
follow-ups keeps ids of one length. Before, the follow-up's occurrence held the whole id of
the conversation it followed; :func:`short_follow_up_id` turns such an id into the
current one (the stores' migration 9 does so for every stored id and reference).
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["conversation_id", "follow_up_occurrence", "person_digest", "short_follow_up_id"]

#: A follow-up id as it was written before migration 9:
#: ``<type>-<digest>-follow-up:<id it follows>:<question key>``.
_LONG_FOLLOW_UP = re.compile(
    r"(?P<type>[a-z][a-z0-9_]*)-(?P<digest>[0-9a-f]{16})-follow-up:(?P<parent>.+)"
    r":(?P<question>[a-z][a-z0-9_]*)"
)


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


def follow_up_occurrence(parent_id: str, question_key: str) -> str:
    """The occurrence key of the follow-up that an answer to ``question_key`` in the
    conversation ``parent_id`` causes: ``fu-`` and 16 hex digits, however long the chain.

    >>> follow_up_occurrence("check_in-317386494bf10d9f-n3", "considering_leaving")
    'fu-4ff5752124b5410f'
    """
    text = f"{parent_id}\x1f{question_key}"
    return "fu-" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def short_follow_up_id(old_id: str) -> str:
    """The current id of a conversation whose id was written before migration 9; other
    ids come back unchanged. A follow-up of a follow-up is shortened from the inside out,
    so its occurrence is the digest of the current id of the one it follows.

    >>> parent = "check_in-317386494bf10d9f-n3"
    >>> old = f"stay_interview-317386494bf10d9f-follow-up:{parent}:considering_leaving"
    >>> short_follow_up_id(old) == conversation_id(
    ...     "e-1", "stay_interview", follow_up_occurrence(parent, "considering_leaving"))
    True
    >>> short_follow_up_id(parent) == parent
    True
    """
    found = _LONG_FOLLOW_UP.fullmatch(old_id)
    if found is None:
        return old_id
    parent = short_follow_up_id(found["parent"])
    occurrence = follow_up_occurrence(parent, found["question"])
    return f"{found['type']}-{found['digest']}-{occurrence}"
