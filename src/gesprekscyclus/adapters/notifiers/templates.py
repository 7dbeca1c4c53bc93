"""Localised message texts for notifications: a subject, a plain text and an HTML body.

Every :class:`~gesprekscyclus.ports.notifier.ReminderKind` has a built-in Dutch and English
template. An embedding application replaces any of them with a :class:`Template` of its own,
for one kind and language and optionally for one conversation type only. Templates use
:class:`string.Template` placeholders (``$name`` or ``${name}``; ``$$`` is a literal dollar);
the names are listed in :data:`PLACEHOLDERS`. In the HTML body every value is escaped, so
names and questions can never inject markup.

>>> from datetime import date, datetime, timezone
>>> from gesprekscyclus.domain.text import LocalizedText
>>> from gesprekscyclus.ports.notifier import ConversationInfo, Notification, Recipient
>>> anna = Recipient(id="e-1", name="Anna", role="employee", locale="en")
>>> talk = ConversationInfo(
...     id="c-1", type_key="growth_review",
...     type_label=LocalizedText(nl="Groeigesprek", en="Growth review"),
...     employee_id="e-1", employee_name="Anna", manager_id="m-1", manager_name="Bram <HR>",
...     on=date(2026, 3, 30), starts_at=datetime(2026, 3, 30, 8, 0, tzinfo=timezone.utc))
>>> note = Notification(key="k-1", kind="preparation", recipient=anna, conversation=talk,
...                     questions=("What went well?",))
>>> message = render(note)
>>> message.subject
'Prepare: Growth review on Monday 30 March 2026'
>>> print(message.text)
Dear Anna,
<BLANKLINE>
Your Growth review with Bram <HR> is on Monday 30 March 2026 at 10:00 (Europe/Amsterdam). ...
<BLANKLINE>
Questions to prepare:
- What went well?
<BLANKLINE>
This message was sent automatically.
>>> "Bram &lt;HR&gt;" in message.html
True
>>> mine = Templates().with_("preparation", "en", Template(
...     subject="$type_label: $date", text="Hi $recipient_name", html="<p>Hi $recipient_name</p>"))
>>> render(note, mine).subject
'Growth review: Monday 30 March 2026'
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from attrs import evolve, field, frozen

from gesprekscyclus.domain._checks import field_path, non_blank, shown, unique_by
from gesprekscyclus.domain.text import Locale, format_date
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.notifier import ConversationInfo, Notification, ReminderKind

__all__ = [
    "PLACEHOLDERS",
    "RenderedMessage",
    "Template",
    "TemplateOverride",
    "Templates",
    "format_date",
    "neutral_subject",
    "render",
    "values_for",
]

#: Every placeholder a template may use, with what it holds. Values that do not apply to a
#: notification (no conversation, no action item, no fixed time) are empty strings.
PLACEHOLDERS: Mapping[str, str] = {
    "key": "the notification's idempotency key",
    "kind": "the reminder kind, e.g. 'preparation'",
    "locale": "the recipient's language code, 'nl' or 'en'",
    "recipient_name": "the name of the person receiving the message",
    "type_key": "the conversation type's key, e.g. 'growth_review'",
    "type_label": "the conversation type's label in the recipient's language",
    "employee_name": "the employee the conversation is about",
    "manager_name": "the employee's manager, if any",
    "with_name": "the other people in the conversation, seen from the recipient",
    "date": "the conversation's date, written out, e.g. 'maandag 30 maart 2026'",
    "time": "the start time as HH:MM in the conversation's zone, if a time is fixed",
    "time_zone": "the conversation's IANA time zone, e.g. 'Europe/Amsterdam'",
    "when": "date, time and zone together (just the date when no time is fixed)",
    "duration_minutes": "the planned length in minutes",
    "questions": "the questions for the recipient's audience with a heading (or empty)",
    "question_list": "the same questions as a bare list (or empty)",
    "guide": "for the person leading it: the type's guide with a heading (or empty)",
    "action_title": "the action item's title",
    "action_due": "the action item's due date, written out",
}

_WORDS = {
    Locale.NL: {
        "at": "om",
        "questions": "Vragen ter voorbereiding:",
        "guide": "Zo leid je dit gesprek",
        "voice": "De vragen:",
        "no_due": "geen datum",
        "greeting": "Beste $recipient_name,",
        "closing": "Dit bericht is automatisch verstuurd.",
    },
    Locale.EN: {
        "at": "at",
        "questions": "Questions to prepare:",
        "guide": "How to lead this conversation",
        "voice": "The questions:",
        "no_due": "no due date",
        "greeting": "Dear $recipient_name,",
        "closing": "This message was sent automatically.",
    },
}


def _check_template(instance: object, name: str, text: str) -> None:
    path = f"{type(instance).__name__}.{name}"
    if not isinstance(text, str):
        raise InvalidValueError(path, f"must be text, got {shown(text)}")
    parsed = string.Template(text)
    if not parsed.is_valid():
        raise InvalidValueError(path, "has a '$' that starts no placeholder; write '$$' for '$'")
    for identifier in parsed.get_identifiers():
        if identifier not in PLACEHOLDERS:
            raise InvalidValueError(
                path, f"unknown placeholder ${identifier}", allowed=sorted(PLACEHOLDERS)
            )


@frozen
class Template:
    """One message layout: subject, plain text and HTML, each with ``$placeholders``."""

    subject: str
    text: str
    html: str

    def __attrs_post_init__(self) -> None:
        for name in ("subject", "text", "html"):
            _check_template(self, name, getattr(self, name))


@frozen
class TemplateOverride:
    """Use ``template`` for ``kind`` in ``locale`` (only for ``type_key`` when given)."""

    kind: ReminderKind = field(converter=ReminderKind)
    locale: Locale = field(converter=Locale)
    template: Template
    type_key: str | None = field(default=None, validator=non_blank)

    @property
    def slot(self) -> tuple[ReminderKind, Locale, str | None]:
        """What this override replaces."""
        return (self.kind, self.locale, self.type_key)


def _distinct_slots(instance: object, attribute: Any, value: tuple[TemplateOverride, ...]) -> None:
    unique_by(value, lambda item: item.slot, field_path(instance, attribute))


@frozen
class Templates:
    """The built-in templates plus the application's overrides.

    Lookup order: an override for (kind, locale, conversation type), then one for
    (kind, locale), then the built-in template.
    """

    overrides: tuple[TemplateOverride, ...] = field(default=(), validator=_distinct_slots)

    def with_(
        self,
        kind: ReminderKind | str,
        locale: Locale | str,
        template: Template,
        *,
        type_key: str | None = None,
    ) -> Templates:
        """A copy that uses ``template`` for this slot, replacing an earlier override."""
        new = TemplateOverride(kind, locale, template, type_key)
        kept = tuple(item for item in self.overrides if item.slot != new.slot)
        return evolve(self, overrides=(*kept, new))

    def template_for(
        self, kind: ReminderKind | str, locale: Locale | str, type_key: str | None = None
    ) -> Template:
        """The template that applies to this kind, language and conversation type."""
        wanted_kind, wanted_locale = ReminderKind(kind), Locale(locale)
        by_slot = {item.slot: item.template for item in self.overrides}
        for scope in (type_key, None) if type_key is not None else (None,):
            slot = (wanted_kind, wanted_locale, scope)
            if slot in by_slot:
                return by_slot[slot]
        return _BUILT_IN[(wanted_kind, wanted_locale)]

    def has_type_template(
        self, kind: ReminderKind | str, locale: Locale | str, type_key: str
    ) -> bool:
        """Whether the application gave a template for exactly this type, kind and language
        (its subject is then used as written, even for a sensitive type)."""
        slot = (ReminderKind(kind), Locale(locale), type_key)
        return any(item.slot == slot for item in self.overrides)

    def render(self, notification: Notification) -> RenderedMessage:
        """The message for ``notification`` in its recipient's language."""
        return render(notification, self)


@frozen
class RenderedMessage:
    """A notification turned into words: one-line subject, plain text and HTML."""

    locale: Locale = field(converter=Locale)
    subject: str
    text: str
    html: str


def _with_name(notification: Notification, conversation: ConversationInfo) -> str:
    me = notification.recipient.id
    others = [person.name for person in conversation.participants if person.id != me]
    if others:
        return ", ".join(others)
    if me == conversation.employee_id:
        return conversation.manager_name or ""
    return conversation.employee_name


def values_for(notification: Notification) -> dict[str, str]:
    """The plain-text value of every placeholder for ``notification``."""
    locale = notification.recipient.locale
    words = _WORDS[locale]
    values = dict.fromkeys(PLACEHOLDERS, "")
    values.update(
        key=notification.key,
        kind=notification.kind.value,
        locale=locale.value,
        recipient_name=notification.recipient.name,
    )
    conversation = notification.conversation
    if conversation is not None:
        day, clock_time = conversation.on, ""
        if conversation.starts_at is not None:
            local: datetime = conversation.starts_at.astimezone(ZoneInfo(conversation.time_zone))
            day, clock_time = local.date(), local.strftime("%H:%M")
        written = format_date(day, locale)
        when = (
            f"{written} {words['at']} {clock_time} ({conversation.time_zone})"
            if clock_time
            else written
        )
        values.update(
            type_key=conversation.type_key,
            type_label=conversation.type_label.in_(locale),
            employee_name=conversation.employee_name,
            manager_name=conversation.manager_name or "",
            with_name=_with_name(notification, conversation),
            date=written,
            time=clock_time,
            time_zone=conversation.time_zone,
            when=when,
            duration_minutes=str(conversation.duration_minutes),
        )
    item = notification.action_item
    if item is not None:
        values.update(
            action_title=item.title,
            action_due=format_date(item.due, locale) if item.due else words["no_due"],
        )
    return values


_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _one_line(text: str) -> str:
    cleaned = "".join(
        " " if unicodedata.category(char) in {"Cc", "Zl", "Zp"} else char for char in text
    )
    return " ".join(cleaned.split())


#: The start of a neutral subject, per kind and language.
_NEUTRAL_PREFIX: dict[ReminderKind, tuple[str, str]] = {
    ReminderKind.PREPARATION: ("Voorbereiding", "Prepare"),
    ReminderKind.DAY_BEFORE: ("Morgen", "Tomorrow"),
    ReminderKind.REPORT_DUE: ("Verslag gevraagd", "Report due"),
    ReminderKind.SIGN_OFF_PENDING: ("Graag je akkoord", "Please sign off"),
    ReminderKind.ESCALATION: ("Aandacht nodig", "Needs attention"),
    ReminderKind.ACTION_ITEM_DUE: ("Actiepunt", "Action item"),
    ReminderKind.ACTION_ITEM_OVERDUE: ("Actiepunt verlopen", "Action item overdue"),
    ReminderKind.SCHEDULED: ("Uitnodiging", "Invitation"),
    ReminderKind.CANCELLED: ("Geannuleerd", "Cancelled"),
    ReminderKind.VOICE_CHECK: ("Hoe was het gesprek", "How did it go"),
}


def _guide(notification: Notification) -> tuple[str, str]:
    """The guide of ``notification`` as plain text and as escaped HTML (both empty without)."""
    if not notification.guide:
        return "", ""
    heading = _WORDS[notification.recipient.locale]["guide"]
    text_blocks = [heading + "\n" + "=" * len(heading)]
    html_blocks = [f"<h2>{html.escape(heading)}</h2>"]
    for section in notification.guide:
        if section.text:
            text_blocks.append(f"{section.heading}\n{section.text}")
            html_blocks.append(
                f"<h3>{html.escape(section.heading)}</h3><p>{html.escape(section.text)}</p>"
            )
        else:
            listed = "\n".join(f"- {item}" for item in section.items)
            text_blocks.append(f"{section.heading}\n{listed}")
            items = "".join(f"<li>{html.escape(item)}</li>" for item in section.items)
            html_blocks.append(f"<h3>{html.escape(section.heading)}</h3><ul>{items}</ul>")
    return "\n\n".join(text_blocks), "\n".join(html_blocks)


def neutral_subject(notification: Notification) -> str:
    """The subject of a notification about a confidential or health-related conversation:
    the kind, a neutral title and the date, never the type or a name (subjects show on
    lock screens and in shared mailboxes).

    >>> from datetime import date
    >>> from gesprekscyclus.domain.text import LocalizedText
    >>> from gesprekscyclus.ports.notifier import ConversationInfo, Recipient
    >>> talk = ConversationInfo(id="c-1", type_key="absence",
    ...     type_label=LocalizedText(nl="Verzuimgesprek", en="Absence conversation"),
    ...     employee_id="e-1", employee_name="Anna", manager_id="m-1", manager_name="Bo",
    ...     on=date(2026, 3, 30), sensitivity="health_related")
    >>> anna = Recipient(id="e-1", name="Anna", role="employee", locale="en")
    >>> render(Notification(key="k", kind="day_before", recipient=anna,
    ...                     conversation=talk)).subject
    'Tomorrow: Appointment on Monday 30 March 2026'
    """
    locale = notification.recipient.locale
    dutch, english = _NEUTRAL_PREFIX[notification.kind]
    values = values_for(notification)
    title = notification.conversation.public_title(locale) if notification.conversation else ""
    on = "op" if locale is Locale.NL else "on"
    return f"{dutch if locale is Locale.NL else english}: {title} {on} {values['date']}"


def render(notification: Notification, templates: Templates | None = None) -> RenderedMessage:
    """Render ``notification`` with ``templates`` (the built-in ones when ``None``).

    The subject is folded to one line; runs of blank lines in the text are collapsed, so a
    placeholder that is empty leaves no gap. For a confidential or health-related type the
    subject is :func:`neutral_subject`, unless the application gave a template for exactly
    that type.
    """
    chosen = (templates or _DEFAULT).template_for(
        notification.kind,
        notification.recipient.locale,
        notification.conversation.type_key if notification.conversation else None,
    )
    plain = values_for(notification)
    words = _WORDS[notification.recipient.locale]
    heading = words["voice" if notification.kind is ReminderKind.VOICE_CHECK else "questions"]
    questions = notification.questions
    text_list = "\n".join(f"- {question}" for question in questions)
    plain.update(
        question_list=text_list,
        questions=f"{heading}\n{text_list}" if questions else "",
    )
    escaped = {name: html.escape(value) for name, value in plain.items()}
    html_list = (
        "<ul>" + "".join(f"<li>{html.escape(q)}</li>" for q in questions) + "</ul>"
        if questions
        else ""
    )
    escaped.update(
        question_list=html_list,
        questions=f"<p>{html.escape(heading)}</p>{html_list}" if questions else "",
    )
    plain["guide"], escaped["guide"] = _guide(notification)
    text = string.Template(chosen.text).substitute(plain)
    subject = string.Template(chosen.subject).substitute(plain)
    talk = notification.conversation
    if (
        talk is not None
        and talk.is_sensitive
        and not (templates or _DEFAULT).has_type_template(
            notification.kind, notification.recipient.locale, talk.type_key
        )
    ):
        subject = neutral_subject(notification)
    return RenderedMessage(
        locale=notification.recipient.locale,
        subject=_one_line(subject),
        text=_BLANK_RUNS.sub("\n\n", text).strip() + "\n",
        html=string.Template(chosen.html).substitute(escaped),
    )


# --- built-in texts ---------------------------------------------------------------------------

_K = ReminderKind
#: (subject, opening paragraph) per kind and language.
_TEXTS: dict[ReminderKind, dict[Locale, tuple[str, str]]] = {
    _K.PREPARATION: {
        Locale.NL: (
            "Voorbereiding: $type_label op $date",
            "Je $type_label met $with_name is op $when. Neem even de tijd om je voor te bereiden.",
        ),
        Locale.EN: (
            "Prepare: $type_label on $date",
            "Your $type_label with $with_name is on $when. Please take a moment to prepare.",
        ),
    },
    _K.DAY_BEFORE: {
        Locale.NL: (
            "Morgen: $type_label met $with_name",
            "Ter herinnering: morgen, $when, heb je je $type_label met $with_name.",
        ),
        Locale.EN: (
            "Tomorrow: $type_label with $with_name",
            "A reminder: tomorrow, $when, you have your $type_label with $with_name.",
        ),
    },
    _K.REPORT_DUE: {
        Locale.NL: (
            "Verslag gevraagd: $type_label met $employee_name",
            "Het verslag van $type_label met $employee_name ($date) moet nog worden vastgelegd.",
        ),
        Locale.EN: (
            "Report due: $type_label with $employee_name",
            "The report of $type_label with $employee_name ($date) still needs to be written.",
        ),
    },
    _K.SIGN_OFF_PENDING: {
        Locale.NL: (
            "Graag je akkoord: verslag $type_label",
            "Het verslag van $type_label op $date staat klaar. Wil je het lezen en ondertekenen?",
        ),
        Locale.EN: (
            "Your sign-off is requested: $type_label report",
            "The report of $type_label on $date is ready. Please read and sign it.",
        ),
    },
    _K.ESCALATION: {
        Locale.NL: (
            "Aandacht nodig: $type_label met $employee_name",
            "$type_label met $employee_name ($date) heeft nog geen vervolg gekregen "
            "en vraagt je aandacht.",
        ),
        Locale.EN: (
            "Attention needed: $type_label with $employee_name",
            "$type_label with $employee_name ($date) has not been followed up "
            "and needs your attention.",
        ),
    },
    _K.ACTION_ITEM_DUE: {
        Locale.NL: (
            "Actiepunt: $action_title (uiterlijk $action_due)",
            'Het actiepunt "$action_title" moet klaar zijn op $action_due.',
        ),
        Locale.EN: (
            "Action item: $action_title (due $action_due)",
            'The action item "$action_title" is due on $action_due.',
        ),
    },
    _K.ACTION_ITEM_OVERDUE: {
        Locale.NL: (
            "Actiepunt verlopen: $action_title",
            'Het actiepunt "$action_title" had klaar moeten zijn op $action_due. '
            "Werk het bij, rond het af of laat het vallen.",
        ),
        Locale.EN: (
            "Action item overdue: $action_title",
            'The action item "$action_title" was due on $action_due. '
            "Please update, close or drop it.",
        ),
    },
    _K.SCHEDULED: {
        Locale.NL: (
            "Ingepland: $type_label op $when",
            "Je $type_label met $with_name is ingepland op $when ($duration_minutes minuten).",
        ),
        Locale.EN: (
            "Scheduled: $type_label on $when",
            "Your $type_label with $with_name is scheduled for $when ($duration_minutes minutes).",
        ),
    },
    _K.CANCELLED: {
        Locale.NL: (
            "Geannuleerd: $type_label op $date",
            "Je $type_label met $with_name op $when gaat niet door.",
        ),
        Locale.EN: (
            "Cancelled: $type_label on $date",
            "Your $type_label with $with_name on $when has been cancelled.",
        ),
    },
    _K.VOICE_CHECK: {
        Locale.NL: (
            "Hoe was je $type_label van $date?",
            "Je had op $date je $type_label met $with_name. Hoe was dat voor jou? Drie korte "
            "vragen, helemaal vrijwillig. Je leidinggevende ziet je antwoorden nooit los: ze "
            "tellen alleen mee in een overzicht van minstens vijf collega's samen.",
        ),
        Locale.EN: (
            "How was your $type_label of $date?",
            "On $date you had your $type_label with $with_name. How was it for you? Three "
            "short questions, entirely voluntary. Your manager never sees your answers on "
            "their own: they only count in an overview of at least five colleagues together.",
        ),
    },
}


def _built_in(locale: Locale, subject: str, opening: str) -> Template:
    words = _WORDS[locale]
    text = f"{words['greeting']}\n\n{opening}\n\n$questions\n\n$guide\n\n{words['closing']}\n"
    page = (
        '<!DOCTYPE html>\n<html lang="$locale"><body>\n'
        f"<p>{words['greeting']}</p>\n<p>{opening}</p>\n$questions\n$guide\n"
        f"<p><small>{words['closing']}</small></p>\n</body></html>\n"
    )
    return Template(subject=subject, text=text, html=page)


_BUILT_IN: dict[tuple[ReminderKind, Locale], Template] = {
    (kind, locale): _built_in(locale, *pair)
    for kind, per_locale in _TEXTS.items()
    for locale, pair in per_locale.items()
}
_DEFAULT = Templates()
