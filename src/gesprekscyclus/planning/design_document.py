"""The design document for the works council: a cycle design in plain Dutch or English.

:func:`design_document` writes, for every type of the design: its purpose, who takes part,
the rhythm in words, the questions, the reminders, what happens around sick leave and after
notice, the roles (who plans, leads, prepares, records and follows up), who may read what
(from the one access policy, :mod:`gesprekscyclus.domain.access`) and how long the records
are kept. With ``people`` it adds what the design means for them over its first year:
conversations per person and hours per manager. Output is Markdown or HTML; every text that
comes from a file (names, labels, questions) is escaped, so a hostile name stays text.

``gesprekscyclus describe FILE [--lang nl|en] [--format md|html]`` prints it.

>>> from gesprekscyclus.examples import load_reference
>>> design, people, events = load_reference()
>>> text = design_document(design, "nl")
>>> print(text.splitlines()[0])
# Gesprekscyclus: Voorbeeld mkb: gesprekscyclus 2027 (versie 1)
>>> "elk jaar in maart" in text, "zes maanden na indiensttreding" in text, "check_in" in text
(True, True, False)
"""

from __future__ import annotations

import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Literal

from gesprekscyclus.domain.access import ACCESS, Content, Grant, ReaderRole, type_allows
from gesprekscyclus.domain.catalog import Catalog, TypeRoles
from gesprekscyclus.domain.conversation_types import (
    ConversationType,
    Sensitivity,
    SignOffRequirement,
)
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.domain.questions import Audience, QuestionKind, QuestionSet, QuestionSetRef
from gesprekscyclus.domain.reminders import ReminderKind
from gesprekscyclus.domain.text import Locale, format_date
from gesprekscyclus.errors import InvalidValueError, NotFoundError
from gesprekscyclus.planning.design import (
    CycleDesign,
    Retention,
    RetentionStart,
    TypeRule,
    default_retention,
)
from gesprekscyclus.planning.design_words import (
    CONTENT_WORDS,
    count_words,
    follow_up_words,
    in_sentence,
    rhythms,
    role_words,
)
from gesprekscyclus.planning.document_blocks import (
    Block,
    bullets,
    heading,
    markdown,
    page,
    paragraph,
    table,
)

__all__ = ["DOCUMENT_FORMATS", "design_document", "design_summary"]

#: The output formats of :func:`design_document`.
DOCUMENT_FORMATS = ("md", "html")

Format = Literal["md", "html"]


# --- words that do not come from the design ------------------------------------------------

_W: dict[str, tuple[str, str]] = {
    "title": ("Gesprekscyclus", "Conversation cycle"),
    "version": ("versie", "version"),
    "intro": (
        "Dit document beschrijft welke gesprekken de organisatie voert, met wie, hoe vaak en "
        "wat er met de vastgelegde gegevens gebeurt. Het is gemaakt uit het ontwerpbestand "
        "van de gesprekscyclus en beschrijft dus precies wat de planning doet.",
        "This document describes which conversations the organisation holds, with whom, how "
        "often, and what happens to what is recorded. It is made from the cycle's design file, "
        "so it describes exactly what the planning does.",
    ),
    "overview": ("Overzicht", "Overview"),
    "types": ("De gesprekken", "The conversations"),
    "purpose": ("Doel", "Purpose"),
    "participants": ("Deelnemers", "Participants"),
    "rhythm": ("Ritme", "Rhythm"),
    "duration": ("Duur", "Duration"),
    "minutes": ("minuten", "minutes"),
    "window": ("Ruimte in de planning", "Room in the planning"),
    "for_whom": ("Voor wie", "For whom"),
    "everyone": ("iedereen", "everyone"),
    "questions": ("Vragen", "Questions"),
    "no_questions": (
        "Dit gesprek heeft geen vaste vragen.",
        "This conversation has no set questions.",
    ),
    "reminders": ("Herinneringen", "Reminders"),
    "no_reminders": ("Er worden geen herinneringen gestuurd.", "No reminders are sent."),
    "sick_notice": ("Bij ziekte en na opzegging", "Around sick leave and after notice"),
    "roles": ("Rollen", "Roles"),
    "reading": ("Wie mag wat lezen", "Who may read what"),
    "retention": ("Bewaartermijn", "Retention"),
    "follow_ups": ("Vervolggesprekken", "Follow-ups"),
    "calendar": ("Kalender", "Calendar"),
    "capacity": ("Belasting van leidinggevenden", "Managers' load"),
    "rules": ("Samenloop van gesprekken", "Conversations close together"),
    "agreements": ("Afspraken en actiepunten", "Agreements and action items"),
    "general_retention": ("Overige bewaartermijnen", "Other retention periods"),
    "simulation": ("Wat dit betekent voor de organisatie", "What this means for the organisation"),
    "manager": ("Leidinggevende", "Manager"),
    "hours": ("Uren per jaar", "Hours a year"),
    "conversations": ("Gesprekken per jaar", "Conversations a year"),
    "type": ("Gesprek", "Conversation"),
    "per_person": ("per persoon", "per person"),
    "after_held": (
        "zodra het gesprek is gehouden, of eerder als die ander het deelt",
        "once the conversation is held, or earlier when the other side shares it",
    ),
    "as_follow_up": ("als vervolg op een ander gesprek", "as a follow-up"),
}


def _w(key: str, locale: Locale) -> str:
    nl, en = _W[key]
    return nl if locale is Locale.NL else en


def _decimal(value: float, places: int, locale: Locale) -> str:
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if locale is Locale.NL else text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _days(number: int, locale: Locale) -> str:
    word = count_words(number, locale)
    if locale is Locale.NL:
        return f"{word} {'dag' if number == 1 else 'dagen'}"
    return f"{word} {'day' if number == 1 else 'days'}"


def _years(number: int, locale: Locale) -> str:
    word = count_words(number, locale)
    return f"{word} jaar" if locale is Locale.NL else f"{word} {'year' if number == 1 else 'years'}"


def _and(items: Sequence[str], locale: Locale) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" en " if locale is Locale.NL else " and ") + items[-1]


def _label(catalog: Catalog, key: str, locale: Locale) -> str:
    return catalog.type(key).label.in_(locale) if key in catalog else key


def _rhythms(rule: TypeRule, locale: Locale) -> str:
    return rhythms(rule.cadence, locale) or _w("as_follow_up", locale)


# --- one type ---------------------------------------------------------------------------------


def _population(rule: TypeRule, locale: Locale) -> str:
    population = rule.population
    if population.is_everyone:
        return _w("everyone", locale)
    nl = locale is Locale.NL
    parts: list[str] = []
    if population.teams:
        parts.append("teams " + _and(sorted(population.teams), locale))
    if population.contracts:
        contracts = sorted(population.contracts)
        parts.append(
            f"met contractsoort {' of '.join(contracts)}"
            if nl
            else f"on a contract of the kind {' or '.join(contracts)}"
        )
    if population.locations:
        parts.append(("op locatie " if nl else "at ") + _and(sorted(population.locations), locale))
    low, high = population.min_tenure_months, population.max_tenure_months
    if low is not None:
        parts.append(
            f"na ten minste {count_words(low, locale)} maanden in dienst"
            if nl
            else f"after at least {count_words(low, locale)} months of employment"
        )
    if high is not None:
        parts.append(
            f"tot {count_words(high, locale)} maanden in dienst"
            if nl
            else f"up to {count_words(high, locale)} months of employment"
        )
    return _and(parts, locale)


def _question_set(catalog: Catalog, rule: TypeRule) -> QuestionSet | None:
    kind = catalog.type(rule.type)
    if kind.question_set is None:
        return None
    try:
        if rule.question_set_version is not None:
            return catalog.question_sets.get(
                QuestionSetRef(kind.question_set, rule.question_set_version)
            )
        return catalog.question_set_for(rule.type)
    except NotFoundError:
        return None


_AUDIENCE = {
    Locale.NL: {
        Audience.EMPLOYEE_PREPARATION: "voorbereiding door de medewerker",
        Audience.MANAGER_PREPARATION: "voorbereiding door wie het gesprek leidt",
        Audience.JOINT: "samen in het gesprek",
    },
    Locale.EN: {
        Audience.EMPLOYEE_PREPARATION: "prepared by the employee",
        Audience.MANAGER_PREPARATION: "prepared by whoever leads the conversation",
        Audience.JOINT: "together in the conversation",
    },
}


def _question_lines(questions: QuestionSet, locale: Locale) -> list[str]:
    lines = []
    for question in questions.questions:
        detail = _AUDIENCE[locale][question.audience]
        if question.kind is QuestionKind.SCALE:
            points = ", ".join(
                f"{point.value} = {point.label.in_(locale)}" for point in question.scale
            )
            detail += f"; {'schaal' if locale is Locale.NL else 'scale'} {points}"
        elif question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            choices = ", ".join(choice.label.in_(locale) for choice in question.choices)
            detail += f"; {'keuze uit' if locale is Locale.NL else 'choose from'} {choices}"
        elif question.kind is QuestionKind.YES_NO:
            detail += "; ja of nee" if locale is Locale.NL else "; yes or no"
        lines.append(f"{question.text.in_(locale)} ({detail})")
    return lines


def _prepared(questions: QuestionSet | None) -> bool:
    """Whether the question set has questions one side answers while preparing."""
    return questions is not None and any(
        q.audience is not Audience.JOINT for q in questions.questions
    )


def _reminder_lines(
    rule: TypeRule, kind: ConversationType, questions: QuestionSet | None, locale: Locale
) -> list[str]:
    policy = rule.reminders
    nl = locale is Locale.NL
    leader = role_words(kind.led_by, locale)
    lines = []
    if policy.sends(ReminderKind.PREPARATION):
        ahead = _capital(_days(policy.preparation_days, locale))
        if _prepared(questions):
            lines.append(
                f"{ahead} vooraf krijgt iedere deelnemer een herinnering, met de vragen voor "
                "de eigen voorbereiding."
                if nl
                else f"{ahead} ahead, every participant receives a reminder with the questions "
                "for their own preparation."
            )
        else:
            lines.append(
                f"{ahead} vooraf krijgt iedere deelnemer een herinnering om zich voor te bereiden."
                if nl
                else f"{ahead} ahead, every participant receives a reminder to prepare."
            )
    if policy.sends(ReminderKind.DAY_BEFORE):
        lines.append(
            "De dag ervoor een herinnering, als er een tijd is afgesproken."
            if nl
            else "A reminder the day before, when a time has been set."
        )
    if kind.report and policy.sends(ReminderKind.REPORT_DUE):
        lines.append(
            f"{_capital(_days(policy.report_due_days, locale))} na het gesprek wordt {leader} "
            "herinnerd aan het verslag, zolang het er niet is."
            if nl
            else f"{_capital(_days(policy.report_due_days, locale))} after the conversation "
            f"{leader} is reminded of the report while there is none."
        )
    if kind.sign_off is SignOffRequirement.REQUIRED and policy.sends(ReminderKind.SIGN_OFF_PENDING):
        lines.append(
            f"{_capital(_days(policy.sign_off_days, locale))} nadat het verslag is gedeeld "
            "wordt de medewerker herinnerd aan het ondertekenen."
            if nl
            else f"{_capital(_days(policy.sign_off_days, locale))} after the report is shared "
            "the employee is reminded to sign it."
        )
    if policy.sends(ReminderKind.ESCALATION):
        lines.append(
            f"Is het gesprek {_days(policy.escalate_after_days, locale)} na de uiterste datum "
            "nog niet gehouden, dan hoort HR het."
            if nl
            else f"When the conversation has not been held "
            f"{_days(policy.escalate_after_days, locale)} after its latest date, HR is told."
        )
    if policy.sends(ReminderKind.ACTION_ITEM_DUE):
        lines.append(
            f"Wie een actiepunt heeft, hoort {_days(policy.action_item_due_days, locale)} "
            "voor de deadline dat die eraan komt, en nog eens als die verstreken is."
            if nl
            else f"Whoever owns an action item hears "
            f"{_days(policy.action_item_due_days, locale)} before it is due, and again once "
            "it is overdue."
        )
    return lines


def _sick_and_notice(design: CycleDesign, rule: TypeRule, locale: Locale) -> list[str]:
    nl = locale is Locale.NL
    lines = []
    if rule.type == "absence":
        lines.append(
            "Elke ziekmelding start de termijnen van de Wet verbetering poortwachter "
            "(probleemanalyse, plan van aanpak, voortgangsgesprekken, eerstejaarsevaluatie); "
            "de planning zet die gesprekken en verplichtingen zelf in, ook bij samentelling "
            "van ziekteperiodes die minder dan vier weken uit elkaar liggen. De diagnose "
            "wordt nooit besproken of vastgelegd."
            if nl
            else "Every sick report starts the deadlines of the Wet verbetering poortwachter "
            "(problem analysis, plan of action, progress conversations, first-year "
            "evaluation); the planning adds those conversations and obligations itself, also "
            "when sick periods less than four weeks apart count together. The diagnosis is "
            "never discussed or recorded."
        )
    elif rule.pause_during_absence:
        lines.append(
            "Tijdens ziekteverzuim wordt dit gesprek niet gepland; de verzuimgesprekken "
            "nemen zijn plaats in."
            if nl
            else "During sick leave this conversation is not planned; the absence "
            "conversations take its place."
        )
    else:
        lines.append(
            "Dit gesprek gaat ook tijdens ziekteverzuim door, op de dagen dat beide kanten werken."
            if nl
            else "This conversation continues during sick leave, on days both sides work."
        )
    if rule.type == "absence" or rule.type in design.after_notice:
        lines.append(
            "Na een opzegging wordt dit gesprek nog gepland."
            if nl
            else "After notice has been given, this conversation is still planned."
        )
    else:
        lines.append(
            "Na een opzegging wordt dit gesprek niet meer gepland."
            if nl
            else "After notice has been given, this conversation is no longer planned."
        )
    return lines


def _preparers(roles: TypeRoles, locale: Locale) -> str:
    if not roles.prepares:
        return (
            "geen vaste voorbereiding; iedere deelnemer mag eigen aantekeningen maken"
            if locale is Locale.NL
            else "no set preparation; every participant may make their own notes"
        )
    return _and([role_words(role, locale) for role in roles.prepares], locale) + (
        ", met de vragen die vooraf worden gestuurd"
        if locale is Locale.NL
        else ", with the questions sent ahead"
    )


def _role_lines(
    design: CycleDesign, kind: ConversationType, roles: TypeRoles, locale: Locale
) -> list[str]:
    """Who plans, leads, prepares, records and follows up, as the catalog says
    (:meth:`~gesprekscyclus.domain.catalog.Catalog.roles`)."""
    nl = locale is Locale.NL
    leader = role_words(roles.leads, locale)
    planner = role_words(roles.plans, locale)
    plans = (
        f"de planning zet het gesprek in volgens dit ontwerp; {planner} legt datum en tijd "
        "vast binnen de ruimte in de planning"
        if nl
        else f"the planning sets the conversation according to this design; {planner} fixes "
        "the date and time within the room in the planning"
    )
    if roles.records is not None:
        author = role_words(roles.records, locale)
        records = (
            f"{author} schrijft het verslag en deelt het met de deelnemers"
            if nl
            else f"{author} writes the report and shares it with the participants"
        )
        if roles.signs_off is not None and kind.sign_off is SignOffRequirement.REQUIRED:
            records += (
                "; de medewerker tekent voor akkoord of voor gezien (of weigert, met reden)"
                if nl
                else "; the employee signs it as agreed or as seen (or refuses, with a reason)"
            )
        elif roles.signs_off is not None:
            records += "; de medewerker mag ondertekenen" if nl else "; the employee may sign it"
        if kind.employee_written_view:
            records += (
                "; de medewerker mag een eigen schriftelijke zienswijze toevoegen"
                if nl
                else "; the employee may add a written view of their own"
            )
    else:
        records = (
            "er wordt geen verslag gemaakt; alleen gedeelde aantekeningen en afspraken"
            if nl
            else "no report is kept; only shared notes and agreements"
        )
    track_rule = (
        f"open afspraken schuiven door naar het volgende gesprek in dezelfde reeks, ten "
        f"hoogste {count_words(design.carry_over_limit, locale)} keer; daarna worden ze "
        "bijgesteld, afgesloten of aan HR voorgelegd"
        if nl
        else f"open agreements move to the next conversation on the same track, at most "
        f"{count_words(design.carry_over_limit, locale)} times; then they are re-scoped, "
        "closed or escalated to HR"
    )
    follower = role_words(roles.follows_up, locale)
    follows = (
        f"wie een afspraak op zich neemt, voert die uit; {follower} bewaakt de opvolging; "
        f"{track_rule}"
        if nl
        else f"whoever takes on an agreement carries it out; {follower} keeps track of the "
        f"follow-up; {track_rule}"
    )
    return [
        (("Wie plant: " if nl else "Who plans: ") + plans),
        (("Wie leidt: " if nl else "Who leads: ") + leader),
        (("Wie bereidt voor: " if nl else "Who prepares: ") + _preparers(roles, locale)),
        (("Wie legt vast: " if nl else "Who records: ") + records),
        (("Wie volgt op: " if nl else "Who follows up: ") + follows),
    ]


_READ_ORDER = (
    Content.CONVERSATION,
    Content.OWN_PREPARATION,
    Content.OTHER_PREPARATION,
    Content.JOINT_ANSWERS,
    Content.SHARED_NOTE,
    Content.PRIVATE_NOTE,
    Content.DRAFT_REPORT,
    Content.SHARED_REPORT,
    Content.COMMENT,
    Content.WRITTEN_VIEW,
    Content.ACTION_ITEM,
    Content.ABSENCE_EMPLOYER_FIELDS,
    Content.ABSENCE_CAPACITY_FIELDS,
)


def _applies(content: Content, kind: ConversationType, prepared: bool) -> bool:
    if content in (Content.OWN_PREPARATION, Content.OTHER_PREPARATION):
        return prepared
    if content in (Content.DRAFT_REPORT, Content.SHARED_REPORT, Content.COMMENT):
        return kind.report
    if content is Content.WRITTEN_VIEW:
        return kind.report and kind.employee_written_view
    if content is Content.PRIVATE_NOTE:
        return kind.private_notes
    if content in (Content.ABSENCE_EMPLOYER_FIELDS, Content.ABSENCE_CAPACITY_FIELDS):
        return kind.sensitivity is Sensitivity.HEALTH_RELATED
    return True


def readable(
    role: ReaderRole,
    kind: ConversationType,
    locale: Locale | str,
    questions: QuestionSet | None = None,
) -> list[str]:
    """What ``role`` may read of a conversation of ``kind``, in words, from :data:`ACCESS`
    (preparation answers only when ``questions`` has preparation questions).

    >>> from gesprekscyclus.domain.catalog import built_in_catalog
    >>> exit_interview = built_in_catalog().type("exit_interview")
    >>> readable(ReaderRole.HR_OFFICE, exit_interview, "en")
    ['that the conversation exists (type, date, participants, status)']
    """
    language = Locale(locale)
    nl = language is Locale.NL
    found = []
    for content in _READ_ORDER:
        if not _applies(content, kind, _prepared(questions)):
            continue
        grant = ACCESS[role][kind.sensitivity][content].read
        words = CONTENT_WORDS[language][content]
        if grant is Grant.YES or (grant is Grant.TYPE and type_allows(kind, content, write=False)):
            found.append(words)
        elif grant is Grant.OWN:
            found.append(f"{words} ({'alleen wat zij zelf schreven' if nl else 'only their own'})")
        elif grant is Grant.HELD:
            found.append(f"{words} ({_w('after_held', language)})")
    return found


def _reading_lines(
    kind: ConversationType, questions: QuestionSet | None, locale: Locale
) -> list[str]:
    nl = locale is Locale.NL
    roles = [ReaderRole(role.value) for role in kind.participants]
    if Role.HR not in kind.participants:
        roles.append(ReaderRole.HR_OFFICE)
    lines = []
    for role in roles:
        what = readable(role, kind, locale, questions)
        who = _capital(role_words(role, locale))
        if what:
            lines.append(f"{who}: {'; '.join(what)}.")
        else:
            lines.append(f"{who}: {'niets' if nl else 'nothing'}.")
    lines.append(
        "Iemand die geen deelnemer is en niet de HR-contactpersoon van de organisatie, ziet "
        "niets, ook niet dat het gesprek bestaat."
        if nl
        else "Someone who is neither a participant nor the organisation's HR contact sees "
        "nothing, not even that the conversation exists."
    )
    if kind.sensitivity is Sensitivity.CONFIDENTIAL:
        manager = Role.MANAGER in kind.participants
        lines.append(
            ("Dit gesprek is vertrouwelijk" if nl else "This conversation is confidential")
            + (
                (
                    ": de leidinggevende ziet alleen dat het er is"
                    if nl
                    else ": the manager only sees that it exists"
                )
                if manager
                else ""
            )
            + (". Elke inzage wordt vastgelegd." if nl else ". Every read is logged.")
        )
    elif kind.sensitivity is Sensitivity.HEALTH_RELATED:
        lines.append(
            "Dit gesprek gaat over verzuim: alleen wat een werkgever mag vastleggen, nooit "
            "medische gegevens. Elke inzage wordt vastgelegd."
            if nl
            else "This conversation is about sick leave: only what an employer may record, "
            "never medical details. Every read is logged."
        )
    return lines


_START = {
    Locale.NL: {
        RetentionStart.HELD: "na het gesprek",
        RetentionStart.EXIT: "na de laatste werkdag van de medewerker",
        RetentionStart.CASE_END: "na het einde van de verzuimzaak",
    },
    Locale.EN: {
        RetentionStart.HELD: "after the conversation",
        RetentionStart.EXIT: "after the employee's last working day",
        RetentionStart.CASE_END: "after the absence case ends",
    },
}

_BASIS_NL = {
    "held": "richtlijn van de Autoriteit Persoonsgegevens: aantekeningen van een exitgesprek "
    "ten hoogste twee jaar herleidbaar, daarna alleen geanonimiseerde trends",
    "exit": "richtlijn van de Autoriteit Persoonsgegevens: verslagen en het personeelsdossier "
    "twee jaar na uitdiensttreding",
    "case_end": "richtlijn van de Autoriteit Persoonsgegevens: het re-integratiedossier ten "
    "hoogste twee jaar na afloop",
}


def _retention_line(retention: Retention, default: Retention, locale: Locale) -> str:
    text = f"{_capital(_years(retention.years, locale))} {_START[locale][retention.after]}, " + (
        "daarna verwijderd" if locale is Locale.NL else "then deleted"
    )
    if retention.basis:
        basis = retention.basis
        if locale is Locale.NL and retention == default:
            basis = _BASIS_NL[retention.after.value] + "; AVG art. 5 lid 1 onder e"
        text += f" ({basis})"
    return text + "."


def _type_blocks(
    design: CycleDesign, rule: TypeRule, catalog: Catalog, locale: Locale
) -> list[Block]:
    nl = locale is Locale.NL
    kind = catalog.type(rule.type)
    questions = _question_set(catalog, rule)
    blocks = [heading(3, kind.label.in_(locale)), paragraph(kind.purpose.in_(locale))]
    described = [rhythms(rule.cadence, locale)] if rule.cadence else []
    if not described:
        described = [
            "geen eigen ritme: alleen als vervolg op een ander gesprek"
            if nl
            else "no rhythm of its own: only as a follow-up of another conversation"
        ]
    window = (
        f"vanaf de geplande dag tot {_days(rule.window_after, locale)} erna, alleen op dagen "
        "dat beide kanten werken"
        if nl and not rule.window_before
        else f"from the planned day to {_days(rule.window_after, locale)} after, only on days "
        "both sides work"
        if not rule.window_before
        else f"van {_days(rule.window_before, locale)} ervoor tot "
        f"{_days(rule.window_after, locale)} erna, alleen op dagen dat beide kanten werken"
        if nl
        else f"from {_days(rule.window_before, locale)} before to "
        f"{_days(rule.window_after, locale)} after, only on days both sides work"
    )
    facts = [
        f"{_w('participants', locale)}: "
        + _and([role_words(r, locale) for r in kind.participants], locale),
        f"{_w('rhythm', locale)}: {_and(described, locale)}",
        f"{_w('for_whom', locale)}: {_population(rule, locale)}",
        f"{_w('duration', locale)}: {kind.duration_minutes} {_w('minutes', locale)}",
        f"{_w('window', locale)}: {window}",
    ]
    blocks.append(bullets(facts))
    blocks.append(paragraph(f"{_w('questions', locale)}:"))
    if questions is None or not questions.questions:
        blocks.append(paragraph(_w("no_questions", locale)))
    else:
        blocks.append(bullets(_question_lines(questions, locale)))
    if rule.follow_ups:
        lines = []
        texts = {q.key: q.text.in_(locale) for q in questions.questions} if questions else {}
        for trigger in rule.follow_ups:
            lines.append(
                follow_up_words(
                    trigger,
                    texts.get(trigger.question_key, trigger.question_key),
                    _label(catalog, trigger.schedule_type, locale),
                    locale,
                )
            )
        blocks += [paragraph(f"{_w('follow_ups', locale)}:"), bullets(lines)]
    reminders = _reminder_lines(rule, kind, questions, locale)
    blocks.append(paragraph(f"{_w('reminders', locale)}:"))
    blocks.append(bullets(reminders) if reminders else paragraph(_w("no_reminders", locale)))
    blocks += [
        paragraph(f"{_w('sick_notice', locale)}:"),
        bullets(_sick_and_notice(design, rule, locale)),
    ]
    blocks += [
        paragraph(f"{_w('roles', locale)}:"),
        bullets(_role_lines(design, kind, catalog.roles(kind.key), locale)),
    ]
    blocks += [
        paragraph(f"{_w('reading', locale)}:"),
        bullets(_reading_lines(kind, questions, locale)),
    ]
    retention = design.retention_for(rule.type, catalog)
    default = default_retention(rule.type, kind.sensitivity)
    blocks += [
        paragraph(f"{_w('retention', locale)}: {_retention_line(retention, default, locale)}"),
    ]
    return blocks


# --- the whole design --------------------------------------------------------------------------


def _calendar_lines(design: CycleDesign, locale: Locale) -> list[str]:
    nl = locale is Locale.NL
    calendar = design.calendar
    lines = []
    if calendar.country is None:
        lines.append(
            "Er wordt geen rekening gehouden met feestdagen."
            if nl
            else "Public holidays are not taken into account."
        )
    elif calendar.country == "NL":
        policy = calendar.dutch_policy
        liberation = {
            "every_year": ("elk jaar", "every year"),
            "lustrum": ("alleen in lustrumjaren (2025, 2030, ...)", "only in lustrum years "
                        "(2025, 2030, ...)"),
            "never": ("nooit", "never"),
        }[policy.liberation_day.value]  # fmt: skip
        lines.append(
            "Op Nederlandse feestdagen worden geen gesprekken gepland. Goede Vrijdag is "
            f"{'een vrije dag' if policy.good_friday else 'een werkdag'}; 5 mei is vrij "
            f"{liberation[0]}."
            if nl
            else "No conversations are planned on Dutch public holidays. Good Friday is "
            f"{'a day off' if policy.good_friday else 'a working day'}; 5 May is a day off "
            f"{liberation[1]}."
        )
    else:
        lines.append(
            f"Op de feestdagen van {calendar.country} worden geen gesprekken gepland."
            if nl
            else f"No conversations are planned on the public holidays of {calendar.country}."
        )
    for closure in calendar.closures:
        span = f"{format_date(closure.start, locale)} – {format_date(closure.end, locale)}"
        label = f" ({closure.label})" if closure.label else ""
        lines.append(
            f"De organisatie is gesloten van {span}{label}."
            if nl
            else f"The organisation is closed {span}{label}."
        )
    if calendar.extra_days_off:
        days = _and([format_date(day, locale) for day in sorted(calendar.extra_days_off)], locale)
        lines.append(f"Extra vrije dagen: {days}." if nl else f"Extra days off: {days}.")
    lines.append(
        "Er wordt alleen gepland op dagen dat zowel de medewerker als de leidinggevende werkt "
        "(ook bij deeltijd)."
        if nl
        else "Conversations are only planned on days both the employee and the manager work "
        "(part-time patterns included)."
    )
    return lines


def _general_blocks(design: CycleDesign, catalog: Catalog, locale: Locale) -> list[Block]:
    nl = locale is Locale.NL
    blocks = [heading(2, _w("calendar", locale)), bullets(_calendar_lines(design, locale))]
    blocks.append(heading(2, _w("capacity", locale)))
    if design.capacity is None:
        blocks.append(
            paragraph(
                "Er is geen grens aan het aantal gesprekken per leidinggevende."
                if nl
                else "There is no limit to the number of conversations per manager."
            )
        )
    else:
        blocks.append(
            paragraph(
                f"Een leidinggevende voert ten hoogste {design.capacity.per_day} gesprekken per "
                f"dag en {design.capacity.per_week} per week; de planning spreidt gesprekken "
                "binnen hun ruimte om dat te halen."
                if nl
                else f"A manager holds at most {design.capacity.per_day} conversations a day "
                f"and {design.capacity.per_week} a week; the planning spreads conversations "
                "within their room to keep to it."
            )
        )
    if design.interactions:
        lines = []
        for rule in design.interactions:
            drop, near = _label(catalog, rule.drop, locale), _label(catalog, rule.near, locale)
            days = _days(rule.within_days, locale)
            lines.append(
                f"Geen {in_sentence(drop, locale)} binnen {days} van "
                f"{in_sentence(near, locale, article=True)}: dat gesprek dekt het al."
                if nl
                else f"No {in_sentence(drop, locale)} within {days} of "
                f"{in_sentence(near, locale, article=True)}: that conversation covers it."
            )
        blocks += [heading(2, _w("rules", locale)), bullets(lines)]
    hr = "de HR-contactpersoon van de organisatie" if nl else "the organisation's HR contact"
    blocks += [
        heading(2, _w("agreements", locale)),
        paragraph(
            f"Afspraken uit een gesprek worden actiepunten met een eigenaar en een datum. Wat "
            f"open blijft, komt terug op de agenda van het volgende gesprek, ten hoogste "
            f"{count_words(design.carry_over_limit, locale)} keer; daarna wordt het bijgesteld, "
            f"afgesloten of voorgelegd aan {hr}. Afspraken uit vertrouwelijke en "
            "verzuimgesprekken schuiven niet door naar andere gesprekken."
            if nl
            else f"Agreements made in a conversation become action items with an owner and a "
            f"date. What stays open returns on the agenda of the next conversation, at most "
            f"{count_words(design.carry_over_limit, locale)} times; then it is re-scoped, "
            f"closed or escalated to {hr}. Agreements from confidential and absence "
            "conversations do not move to other conversations."
        ),
    ]
    policy = design.retention
    blocks += [
        heading(2, _w("general_retention", locale)),
        bullets(
            [
                f"Gegevens van medewerkers, hun gebeurtenissen en verzuimregistratie: "
                f"{_years(policy.after_exit_years, locale)} na de laatste werkdag."
                if nl
                else f"Employees' details, their life events and absence records: "
                f"{_years(policy.after_exit_years, locale)} after the last working day.",
                f"Het advies van de bedrijfsarts: {_years(policy.reintegration_years, locale)} "
                "na het einde van de verzuimzaak."
                if nl
                else f"The occupational physician's advice: "
                f"{_years(policy.reintegration_years, locale)} after the absence case ends.",
                f"De inhoud van verstuurde berichten: {policy.outbox_days} dagen; het "
                f"inzagelogboek: {policy.access_log_days} dagen."
                if nl
                else f"The content of sent messages: {policy.outbox_days} days; the access "
                f"log: {policy.access_log_days} days.",
            ]
        ),
    ]
    return blocks


def _simulation_blocks(
    design: CycleDesign,
    people: Sequence[Person],
    events: Sequence[LifeEvent],
    catalog: Catalog,
    locale: Locale,
) -> list[Block]:
    from gesprekscyclus.planning.simulation import simulate  # noqa: PLC0415

    nl = locale is Locale.NL
    start = design.cycle_start
    try:
        next_start = start.replace(year=start.year + 1)
    except ValueError:  # from 29 February: the next year begins on 28 February
        next_start = date(start.year + 1, 2, 28)
    end = next_start - timedelta(days=1)
    year = simulate(design, people, events, start=start, end=end, catalog=catalog)
    count = len(people)
    total = len(year.plan.conversations)
    per_type = Counter(c.type_key for c in year.plan.conversations)
    minutes: defaultdict[str, int] = defaultdict(int)
    for row in year.load:
        minutes[row["manager_id"]] += row["minutes"]
    names = {person.id: person.name for person in people}
    span = f"{format_date(start, locale)} – {format_date(end, locale)}"
    per_person = _decimal(total / count if count else 0.0, 1, locale)
    blocks = [
        heading(2, _w("simulation", locale)),
        paragraph(
            f"Voor {count} medewerkers plant dit ontwerp in de periode {span} {total} "
            f"gesprekken: gemiddeld {per_person} per persoon per jaar."
            if nl
            else f"For {count} employees this design plans {total} conversations in {span}: "
            f"{per_person} per person per year on average."
        ),
        table(
            (_w("type", locale), _w("conversations", locale), _w("per_person", locale)),
            [
                (
                    _label(catalog, key, locale),
                    str(per_type[key]),
                    _decimal(per_type[key] / count if count else 0.0, 2, locale),
                )
                for key in design.type_keys
                if per_type[key]
            ],
        ),
    ]
    if minutes:
        hours = sorted(((m / 60, manager) for manager, m in minutes.items()), reverse=True)
        mean = sum(h for h, _ in hours) / len(hours)
        blocks.append(
            paragraph(
                f"{len(hours)} leidinggevenden besteden gemiddeld {_decimal(mean, 1, locale)} "
                f"uur per jaar aan deze gesprekken; wie het meest, "
                f"{_decimal(hours[0][0], 1, locale)} uur."
                if nl
                else f"{len(hours)} managers spend {_decimal(mean, 1, locale)} hours a year on "
                f"these conversations on average; the busiest "
                f"{_decimal(hours[0][0], 1, locale)} hours."
            )
        )
        blocks.append(
            table(
                (_w("manager", locale), _w("hours", locale)),
                [(names.get(manager, manager), _decimal(h, 1, locale)) for h, manager in hours],
            )
        )
    return blocks


def _blocks(
    design: CycleDesign,
    locale: Locale,
    people: Sequence[Person] | None,
    events: Sequence[LifeEvent],
    catalog: Catalog,
) -> list[Block]:
    nl = locale is Locale.NL
    blocks = [
        heading(
            1, f"{_w('title', locale)}: {design.name} ({_w('version', locale)} {design.version})"
        ),
        paragraph(_w("intro", locale)),
        heading(2, _w("overview", locale)),
    ]
    overview = [
        f"{_label(catalog, rule.type, locale)}: {_rhythms(rule, locale)}" for rule in design.types
    ]
    blocks.append(bullets(overview))
    blocks.append(
        paragraph(
            f"De cyclus begint op {format_date(design.cycle_start, locale)}."
            if nl
            else f"The cycle starts on {format_date(design.cycle_start, locale)}."
        )
    )
    blocks.append(heading(2, _w("types", locale)))
    for rule in design.types:
        blocks += _type_blocks(design, rule, catalog, locale)
    blocks += _general_blocks(design, catalog, locale)
    if people is not None:
        blocks += _simulation_blocks(design, people, events, catalog, locale)
    return blocks


def design_document(
    design: CycleDesign,
    locale: Locale | str = Locale.NL,
    people: Iterable[Person] | None = None,
    *,
    events: Iterable[LifeEvent] = (),
    fmt: Format = "md",
    catalog: Catalog | None = None,
) -> str:
    """The design as a document for the works council, in ``locale`` (``nl`` or ``en``).

    ``fmt`` is ``md`` (Markdown) or ``html`` (a whole page); every text is escaped for it.
    With ``people`` (and their ``events``) the document ends with what the design plans for
    them over its first year. ``catalog`` defaults to the design's own
    (:meth:`~gesprekscyclus.planning.design.CycleDesign.full_catalog`).

    >>> from gesprekscyclus.examples import load_reference
    >>> design, people, events = load_reference()
    >>> page = design_document(design, "en", people, events=events, fmt="html")
    >>> page.startswith("<!DOCTYPE html>"), "per person per year" in page
    (True, True)
    """
    language = Locale(locale)
    if fmt not in DOCUMENT_FORMATS:
        raise InvalidValueError("fmt", f"unknown format {fmt!r}", allowed=DOCUMENT_FORMATS)
    chosen = catalog if catalog is not None else design.full_catalog()
    staff = None if people is None else tuple(people)
    blocks = _blocks(design, language, staff, tuple(events), chosen)
    if fmt == "html":
        return page(blocks, language, f"{_w('title', language)}: {design.name}")
    return markdown(blocks)


def design_summary(design: CycleDesign, locale: Locale | str = Locale.EN) -> str:
    """One paragraph naming the design, its types with their rhythms in words, and its rules.

    >>> from gesprekscyclus.examples import load_reference
    >>> print(design_summary(load_reference()[0]).splitlines()[0][:72])
    Voorbeeld mkb: gesprekscyclus 2027 (version 1) starts on Friday 1 Januar
    """
    language = Locale(locale)
    nl = language is Locale.NL
    catalog = design.full_catalog()
    types = "; ".join(
        f"{_label(catalog, rule.type, language)} ({_rhythms(rule, language)})"
        for rule in design.types
    )
    parts = [
        f"{design.name} ({_w('version', language)} {design.version}) "
        + (
            f"begint op {format_date(design.cycle_start, language)} met {len(design.types)} "
            f"soorten gesprekken: {types}."
            if nl
            else f"starts on {format_date(design.cycle_start, language)} with "
            f"{len(design.types)} conversation types: {types}."
        )
    ]
    parts += _calendar_lines(design, language)[:1]
    if design.capacity is not None:
        parts.append(
            f"Ten hoogste {design.capacity.per_day} gesprekken per dag en "
            f"{design.capacity.per_week} per week per leidinggevende."
            if nl
            else f"At most {design.capacity.per_day} conversations a day and "
            f"{design.capacity.per_week} a week per manager."
        )
    for interaction in design.interactions:
        drop = _label(catalog, interaction.drop, language)
        near = _label(catalog, interaction.near, language)
        days = _days(interaction.within_days, language)
        parts.append(
            f"Geen {in_sentence(drop, language)} binnen {days} van "
            f"{in_sentence(near, language, article=True)}."
            if nl
            else f"No {in_sentence(drop, language)} within {days} of "
            f"{in_sentence(near, language, article=True)}."
        )
    paused = [_label(catalog, r.type, language) for r in design.types if r.pause_during_absence]
    if paused:
        parts.append(
            f"Niet tijdens ziekteverzuim: {_and(paused, language)}."
            if nl
            else f"Paused during sick leave: {_and(paused, language)}."
        )
    kept = [_label(catalog, key, language) for key in sorted(design.after_notice)]
    nothing = "niets" if nl else "nothing"
    parts.append(
        f"Na een opzegging alleen nog: {_and(kept, language) or nothing}."
        if nl
        else f"After notice only: {_and(kept, language) or nothing}."
    )
    follow_ups = []
    for rule in design.types:
        questions = _question_set(catalog, rule) if rule.type in catalog else None
        texts = {q.key: q.text.in_(language) for q in questions.questions} if questions else {}
        follow_ups += [
            f"{_label(catalog, rule.type, language)}: "
            + follow_up_words(
                trigger,
                texts.get(trigger.question_key, trigger.question_key),
                _label(catalog, trigger.schedule_type, language),
                language,
            )
            for trigger in rule.follow_ups
        ]
    parts += follow_ups
    return textwrap.fill(" ".join(parts), width=100)
