"""Calendar feeds: the conversations of one manager or one person as iCalendar data.

The feed itself is written by :func:`gesprekscyclus.adapters.notifiers.ics.feed` (the ``ics``
extra); this module only gathers what it shows, read in one unit of work. A feed shows only
conversations its owner may know about under the access policy
(:mod:`gesprekscyclus.domain.access`): a manager's feed never lists an exit interview, in
which the manager takes no part.
"""

from __future__ import annotations

from gesprekscyclus.domain.access import Content, allowed, reader_role
from gesprekscyclus.domain.conversation_types import Sensitivity
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.ports.notifier import ConversationInfo
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.reminders import conversation_info

__all__ = ["manager_feed_entries", "person_feed_entries"]

_SHOWN = frozenset(
    {
        ConversationStatus.PLANNED,
        ConversationStatus.SCHEDULED,
        ConversationStatus.HELD,
        ConversationStatus.REPORTED,
        ConversationStatus.CLOSED,
        ConversationStatus.CANCELLED,
    }
)


def _visible(
    service: ConversationService, talks: list[Conversation], reader: str
) -> list[Conversation]:
    catalog = service.catalog
    return [
        talk
        for talk in talks
        if allowed(
            reader_role(talk, reader, hr_office=service.hr_office),
            Content.CONVERSATION,
            catalog.type(talk.type_key).sensitivity
            if talk.type_key in catalog
            else Sensitivity.NORMAL,
            write=False,
        )
    ]


def _entries(
    service: ConversationService, talks: list[Conversation], reader: str
) -> list[ConversationInfo]:
    talks = _visible(service, talks, reader)
    with service.store.unit_of_work() as uow:
        ids = {p.person_id for talk in talks for p in talk.participants}
        people = {pid: person for pid in ids if (person := uow.people.find(pid)) is not None}
    return [
        conversation_info(
            talk,
            people,
            service.catalog,
            cancelled=talk.status is ConversationStatus.CANCELLED,
        )
        for talk in talks
        if talk.status in _SHOWN
    ]


def manager_feed_entries(service: ConversationService, manager_id: str) -> list[ConversationInfo]:
    """Every conversation ``manager_id`` holds (missed ones left out), for a calendar feed.

    Cancelled ones stay in, marked cancelled, so that subscribed calendars drop them.
    """
    service.person(manager_id)  # NotFoundError for an unknown id
    with service.store.unit_of_work() as uow:
        talks = uow.conversations.by_manager(manager_id)
    return _entries(service, talks, manager_id)


def person_feed_entries(service: ConversationService, person_id: str) -> list[ConversationInfo]:
    """Every conversation about ``person_id`` (missed ones left out), for a calendar feed."""
    service.person(person_id)
    with service.store.unit_of_work() as uow:
        talks = uow.conversations.by_employee(person_id)
    return _entries(service, talks, person_id)
