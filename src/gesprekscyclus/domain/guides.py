"""A guide per conversation type for whoever leads it.

A :class:`ConversationGuide` is short, practical text for a manager (or HR, or whoever the
type says leads) who has never been trained in leading conversations: what the conversation
is for, what each side prepares, how to open so the employee feels safe to speak and what to
avoid, a handful of open questions with follow-up prompts, how to listen and summarise, and
how to close with concrete agreements. The catalog holds one per type (see
:meth:`~gesprekscyclus.domain.catalog.Catalog.guide_for`); a design replaces any of them.

A guide is meant for the person leading. Sent to the employee it would read as a script of
how they are to be handled, so the library gives it only to the leader (see
:meth:`~gesprekscyclus.service.app.ConversationService.guide_for`).

>>> from gesprekscyclus.domain.text import LocalizedText as T
>>> guide = ConversationGuide(
...     type_key="walk_and_talk",
...     purpose=T(en="An informal talk while walking."),
...     leader_prepares=T(en="Pick a quiet route."),
...     employee_prepares=T(en="Think of one thing you want to raise."),
...     opening=T(en="Start with how the week went."),
...     questions=(T(en="What has been on your mind lately?"),),
...     listening=T(en="Let silences be."),
...     closing=T(en="Agree on one next step, who takes it and by when."),
... )
>>> guide.missing("nl")[:2]
('purpose', 'leader_prepares')
>>> guide.reference.startswith("guide:walk_and_talk:")
True
>>> print(guide.sections("en")[0].heading)
Purpose
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import typed_fields
from gesprekscyclus.domain.questions import identifier
from gesprekscyclus.domain.text import Locale, LocalizedText
from gesprekscyclus.errors import InvalidValueError

__all__ = ["MAX_GUIDE_ITEMS", "ConversationGuide", "GuideSection", "guide_markdown"]

#: The most entries a list of a guide (avoid, questions, follow-ups) may hold: a guide is
#: a handful of prompts, not a questionnaire.
MAX_GUIDE_ITEMS = 12


def _items(most: int, *, least: int = 0) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        path = f"ConversationGuide.{attribute.name}"
        if not isinstance(value, tuple) or not all(isinstance(v, LocalizedText) for v in value):
            raise InvalidValueError(path, "must be a list of texts")
        if not least <= len(value) <= most:
            raise InvalidValueError(
                path, f"holds {len(value)} entries", allowed=(f"{least}..{most}",)
            )

    return check


def _tuple(value: Iterable[LocalizedText]) -> tuple[LocalizedText, ...]:
    return tuple(value)


@frozen(field_transformer=typed_fields)
class GuideSection:
    """One part of a guide in one language: a heading, a paragraph and/or a list."""

    heading: str
    text: str = ""
    items: tuple[str, ...] = ()


_HEADINGS: dict[str, tuple[str, str]] = {
    "purpose": ("Waar dit gesprek voor is", "Purpose"),
    "leader_prepares": ("Wat jij voorbereidt", "What you prepare"),
    "employee_prepares": ("Wat de medewerker voorbereidt", "What the employee prepares"),
    "opening": ("Zo open je het gesprek", "How to open"),
    "avoid": ("Vermijd", "Avoid"),
    "questions": ("Open vragen", "Open questions"),
    "follow_ups": ("Doorvragen", "Follow-up prompts"),
    "listening": ("Luisteren en samenvatten", "Listening and summarising"),
    "closing": ("Afsluiten met concrete afspraken", "Closing with concrete agreements"),
}
_LISTS = frozenset({"avoid", "questions", "follow_ups"})


@frozen(field_transformer=typed_fields)
class ConversationGuide:
    """How to lead a conversation of type ``type_key``; see the module docstring.

    ``employee_prepares`` speaks of the other side of the conversation (the employee, or for
    a type HR leads, the person leaving). ``avoid`` and ``follow_ups`` may be empty; a guide
    needs at least one open question.
    """

    type_key: str = field(validator=identifier)
    purpose: LocalizedText
    leader_prepares: LocalizedText
    employee_prepares: LocalizedText
    opening: LocalizedText
    questions: tuple[LocalizedText, ...] = field(
        converter=_tuple, validator=_items(MAX_GUIDE_ITEMS, least=1)
    )
    listening: LocalizedText
    closing: LocalizedText
    avoid: tuple[LocalizedText, ...] = field(
        default=(), converter=_tuple, validator=_items(MAX_GUIDE_ITEMS)
    )
    follow_ups: tuple[LocalizedText, ...] = field(
        default=(), converter=_tuple, validator=_items(MAX_GUIDE_ITEMS)
    )

    def _texts(self) -> Iterable[tuple[str, LocalizedText]]:
        for name in _HEADINGS:
            value = getattr(self, name)
            if isinstance(value, LocalizedText):
                yield name, value
            else:
                for index, text in enumerate(value):
                    yield f"{name}[{index}]", text

    def missing(self, locale: Locale | str) -> tuple[str, ...]:
        """The fields (``questions[2]`` for a list entry) not written in ``locale`` itself."""
        return tuple(name for name, text in self._texts() if not text.has(locale))

    @property
    def reference(self) -> str:
        """A stable reference to this guide's content: ``guide:<type>:<digest>``.

        It changes whenever a text changes, so a message that names it says which version
        of the guide the leader was sent; a webhook carries this instead of the text.
        """
        content = json.dumps(
            [[name, text.nl, text.en] for name, text in self._texts()], ensure_ascii=False
        )
        digest = hashlib.blake2b(content.encode(), digest_size=6).hexdigest()
        return f"guide:{self.type_key}:{digest}"

    def sections(self, locale: Locale | str) -> tuple[GuideSection, ...]:
        """The guide in ``locale`` (falling back as texts do), in reading order; empty lists
        are left out."""
        english = Locale(locale) is Locale.EN
        found = []
        for name, (dutch, heading) in _HEADINGS.items():
            title = heading if english else dutch
            value = getattr(self, name)
            if name in _LISTS:
                if value:
                    found.append(GuideSection(title, items=tuple(t.in_(locale) for t in value)))
            else:
                found.append(GuideSection(title, text=value.in_(locale)))
        return tuple(found)

    def text(self, locale: Locale | str) -> str:
        """The guide as plain text in ``locale``: headings, paragraphs and ``-`` lists."""
        blocks = []
        for section in self.sections(locale):
            body = section.text or "\n".join(f"- {item}" for item in section.items)
            blocks.append(f"{section.heading}\n{body}")
        return "\n\n".join(blocks)


def guide_markdown(guide: ConversationGuide, title: str, locale: Locale | str) -> str:
    """One guide as a Markdown section under ``#### title``, in ``locale``.

    >>> from gesprekscyclus.domain.built_in_guides import built_in_guides
    >>> print(guide_markdown(built_in_guides()[0], "Check-in", "en").splitlines()[2])
    **Purpose.** A check-in is a short, regular moment to catch up. It is not about judging \
but about knowing how someone is really doing, and spotting early where you can help. Because \
it happens often, it can be light and ordinary.
    """
    lines = [f"#### {title}", ""]
    for section in guide.sections(locale):
        if section.text:
            lines += [f"**{section.heading}.** {section.text}", ""]
        else:
            lines += [f"**{section.heading}:**", ""]
            lines += [f"- {item}" for item in section.items]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
