"""The catalog of conversation types and their question sets, and the built-in one.

A :class:`Catalog` is an immutable value: adding, overriding or dropping a type returns a new
catalog. :func:`built_in_catalog` ships nine common types with Dutch and English texts; an
organisation starts from it and adapts it.

>>> catalog = built_in_catalog()
>>> catalog.keys()[:3]
('check_in', 'growth_review', 'appraisal')
>>> catalog.type("growth_review").label.in_("en")
'Growth review'
>>> str(catalog.question_set_for("growth_review").ref)
'growth_review@1'
>>> smaller = catalog.without("appraisal")
>>> "appraisal" in smaller, "appraisal" in catalog
(False, True)
"""

from __future__ import annotations

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import typed_fields, unique_by
from gesprekscyclus.domain.built_in_guides import built_in_guides
from gesprekscyclus.domain.conversation_types import (
    ConversationType,
    Sensitivity,
    SignOffRequirement,
)
from gesprekscyclus.domain.guides import ConversationGuide, guide_markdown
from gesprekscyclus.domain.people import Role
from gesprekscyclus.domain.questions import (
    Audience,
    Choice,
    Question,
    QuestionKind,
    QuestionSet,
    QuestionSetLibrary,
    ScalePoint,
    not_found,
)
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import DesignError, NotFoundError, Problem

__all__ = ["BUILT_IN_TYPE_KEYS", "Catalog", "TypeRoles", "built_in_catalog"]

#: The stable keys of the built-in conversation types, in catalog order.
BUILT_IN_TYPE_KEYS = (
    "check_in",
    "growth_review",
    "appraisal",
    "development",
    "stay_interview",
    "exit_interview",
    "wellbeing",
    "onboarding",
    "absence",
)


@frozen(field_transformer=typed_fields)
class TypeRoles:
    """Who does what around a conversation of one type, as the catalog implies it.

    ``plans`` sets the moment (the type's ``planned_by``, else its leader); ``leads`` leads
    it; ``prepares`` are the roles with preparation questions in the type's question set (an
    ``employee_preparation`` question is for the employee, a ``manager_preparation`` one for
    whoever leads); ``records`` writes the report (the leader; ``None`` when the type keeps
    none); ``signs_off`` signs the report (the employee, where the type asks for it);
    ``follows_up`` keeps the action items moving (the type's ``followed_up_by``, else the
    leader).

    >>> roles = built_in_catalog().roles("growth_review")
    >>> roles.leads.value, [r.value for r in roles.prepares], roles.signs_off.value
    ('manager', ['employee', 'manager'], 'employee')
    >>> built_in_catalog().roles("exit_interview").records.value
    'hr'
    """

    type_key: str
    plans: Role
    leads: Role
    prepares: tuple[Role, ...]
    records: Role | None
    signs_off: Role | None
    follows_up: Role


@frozen(field_transformer=typed_fields)
class Catalog:
    """Conversation types (kept in order, unique keys), the library of question sets and a
    guide per type (:class:`~gesprekscyclus.domain.guides.ConversationGuide`).

    A type names its question set by key; :meth:`validate` checks that every named set
    exists and that every guide belongs to a type, so a type, its set and its guide may be
    added in any order.
    """

    types: tuple[ConversationType, ...] = ()
    question_sets: QuestionSetLibrary = field(factory=QuestionSetLibrary)
    guides: tuple[ConversationGuide, ...] = ()

    def __attrs_post_init__(self) -> None:
        unique_by(self.types, lambda t: t.key, "Catalog.types")
        unique_by(self.guides, lambda g: g.type_key, "Catalog.guides")

    def __contains__(self, key: object) -> bool:
        return any(t.key == key for t in self.types)

    def keys(self) -> tuple[str, ...]:
        """The type keys in catalog order."""
        return tuple(t.key for t in self.types)

    def type(self, key: str) -> ConversationType:
        """The type with ``key``; :class:`NotFoundError` lists the known keys."""
        for conversation_type in self.types:
            if conversation_type.key == key:
                return conversation_type
        raise not_found("conversation type", key, self.keys())

    def with_type(self, conversation_type: ConversationType) -> Catalog:
        """A catalog with ``conversation_type`` added, or replacing the type with its key."""
        if conversation_type.key in self:
            types = tuple(
                conversation_type if t.key == conversation_type.key else t for t in self.types
            )
        else:
            types = (*self.types, conversation_type)
        return attrs.evolve(self, types=types)

    def without(self, key: str) -> Catalog:
        """A catalog without the type ``key`` and its guide (its question sets stay in the
        library)."""
        self.type(key)
        return attrs.evolve(
            self,
            types=tuple(t for t in self.types if t.key != key),
            guides=tuple(g for g in self.guides if g.type_key != key),
        )

    def with_guide(self, guide: ConversationGuide) -> Catalog:
        """A catalog with ``guide`` added, or replacing the guide of its type."""
        others = tuple(g for g in self.guides if g.type_key != guide.type_key)
        return attrs.evolve(self, guides=(*others, guide))

    def guide_for(self, type_key: str) -> ConversationGuide | None:
        """The guide of type ``type_key``, or ``None`` when it has none.

        >>> built_in_catalog().guide_for("absence").avoid[0].in_("en")[:38]
        'Never ask about the diagnosis, symptom'
        """
        return next((g for g in self.guides if g.type_key == type_key), None)

    def guides_markdown(self) -> str:
        """Every type's guide as Markdown, Dutch then English per type, in catalog order;
        ``docs/good-conversations.md`` shows it for the built-in catalog."""
        parts = []
        for kind in self.types:
            guide = self.guide_for(kind.key)
            if guide is None:
                continue
            parts.append(f"### {kind.label.in_('en')} (`{kind.key}`)\n")
            for locale in ("nl", "en"):
                parts.append(guide_markdown(guide, f"{kind.label.in_(locale)} ({locale})", locale))
        return "\n".join(parts)

    def roles(self, type_key: str) -> TypeRoles:
        """Who plans, leads, prepares, records, signs off and follows up type ``type_key``;
        see :class:`TypeRoles`."""
        kind = self.type(type_key)
        prepares: tuple[Role, ...] = ()
        if kind.question_set is not None and kind.question_set in set(self.question_sets.keys()):
            audiences = {q.audience for q in self.question_sets.latest(kind.question_set).questions}
            # the leading side's preparation is for whoever leads (HR in an exit interview)
            sides = {Audience.EMPLOYEE_PREPARATION: Role.EMPLOYEE}
            sides[Audience.MANAGER_PREPARATION] = kind.led_by
            prepares = tuple(
                dict.fromkeys(
                    role
                    for audience, role in sides.items()
                    if audience in audiences and role in kind.participants
                )
            )
        return TypeRoles(
            type_key=kind.key,
            plans=kind.planned_by or kind.led_by,
            leads=kind.led_by,
            prepares=prepares,
            records=kind.led_by if kind.report else None,
            signs_off=(
                Role.EMPLOYEE
                if kind.sign_off is not SignOffRequirement.NONE
                and Role.EMPLOYEE in kind.participants
                else None
            ),
            follows_up=kind.followed_up_by or kind.led_by,
        )

    def with_question_set(self, question_set: QuestionSet) -> Catalog:
        """A catalog whose library holds ``question_set``; see :meth:`QuestionSetLibrary.add`."""
        library = self.question_sets.add(question_set)
        return self if library is self.question_sets else attrs.evolve(self, question_sets=library)

    def question_set_for(self, type_key: str) -> QuestionSet:
        """The latest version of the question set that type ``type_key`` uses."""
        set_key = self.type(type_key).question_set
        if set_key is None:
            raise NotFoundError("question set of conversation type", type_key)
        return self.question_sets.latest(set_key)

    def problems(self, source: str = "catalog") -> tuple[Problem, ...]:
        """Every type whose question set is missing from the library, and every guide for a
        type the catalog lacks, as problems."""
        known = self.question_sets.keys()
        missing_sets = tuple(
            Problem(
                source,
                f"types.{t.key}.question_set",
                f"question set {t.question_set!r} is not in the catalog",
                allowed=known,
            )
            for t in self.types
            if t.question_set is not None and t.question_set not in known
        )
        stray_guides = tuple(
            Problem(
                source,
                "guides",
                f"guide for unknown conversation type {g.type_key!r}",
                allowed=self.keys(),
            )
            for g in self.guides
            if g.type_key not in self
        )
        return missing_sets + stray_guides

    def validate(self, source: str = "catalog") -> None:
        """Raise :class:`DesignError` listing every problem found by :meth:`problems`."""
        found = self.problems(source)
        if found:
            raise DesignError(found)


# --- the built-in catalog -------------------------------------------------------------------

_EMPLOYEE = Audience.EMPLOYEE_PREPARATION
_MANAGER = Audience.MANAGER_PREPARATION


def _t(nl: str, en: str) -> LocalizedText:
    return LocalizedText(nl=nl, en=en)


def _scale(*points: tuple[int, str, str]) -> tuple[ScalePoint, ...]:
    return tuple(ScalePoint(value, _t(nl, en)) for value, nl, en in points)


def _choices(*options: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(key, _t(nl, en)) for key, nl, en in options)


def _open(
    key: str,
    nl: str,
    en: str,
    *,
    audience: Audience = Audience.JOINT,
    required: bool = False,
    help: LocalizedText | None = None,
) -> Question:
    return Question(
        key=key,
        kind=QuestionKind.OPEN_TEXT,
        text=_t(nl, en),
        audience=audience,
        required=required,
        help=help,
    )


def _yes_no(
    key: str, nl: str, en: str, *, audience: Audience = Audience.JOINT, required: bool = False
) -> Question:
    return Question(
        key=key, kind=QuestionKind.YES_NO, text=_t(nl, en), audience=audience, required=required
    )


def _rated(
    key: str,
    nl: str,
    en: str,
    scale: tuple[ScalePoint, ...],
    *,
    audience: Audience = Audience.JOINT,
    required: bool = False,
) -> Question:
    return Question(
        key=key,
        kind=QuestionKind.SCALE,
        text=_t(nl, en),
        audience=audience,
        required=required,
        scale=scale,
    )


def _pick(
    key: str,
    nl: str,
    en: str,
    choices: tuple[Choice, ...],
    *,
    many: bool = False,
    audience: Audience = Audience.JOINT,
    required: bool = False,
) -> Question:
    return Question(
        key=key,
        kind=QuestionKind.MULTIPLE_CHOICE if many else QuestionKind.SINGLE_CHOICE,
        text=_t(nl, en),
        audience=audience,
        required=required,
        choices=choices,
    )


_FEELING = _scale(
    (1, "Heel slecht", "Very poor"),
    (2, "Niet zo goed", "Not so good"),
    (3, "Gaat wel", "Okay"),
    (4, "Goed", "Good"),
    (5, "Heel goed", "Very good"),
)
_AGREEMENT = _scale(
    (1, "Helemaal niet", "Not at all"),
    (2, "Een beetje", "A little"),
    (3, "Redelijk", "Fairly"),
    (4, "Grotendeels", "Mostly"),
    (5, "Helemaal", "Completely"),
)
_WORKLOAD = _scale(
    (1, "Veel te laag", "Far too low"),
    (2, "Wat aan de lage kant", "On the low side"),
    (3, "Precies goed", "About right"),
    (4, "Wat aan de hoge kant", "On the high side"),
    (5, "Veel te hoog", "Far too high"),
)
_RATING = _scale(
    (1, "Onvoldoende", "Unsatisfactory"),
    (2, "Matig", "Needs improvement"),
    (3, "Voldoende", "Meets expectations"),
    (4, "Goed", "Exceeds expectations"),
    (5, "Uitstekend", "Outstanding"),
)


def _wellbeing_score(*, required: bool) -> Question:
    return _rated(
        "wellbeing_score",
        "Hoe gaat het op dit moment met je, alles bij elkaar genomen?",
        "All things considered, how are you doing at the moment?",
        _FEELING,
        required=required,
    )


def _considering_leaving() -> Question:
    return _yes_no(
        "considering_leaving",
        "Denk je er weleens over om ergens anders te gaan werken?",
        "Do you sometimes think about going to work somewhere else?",
    )


def _agreements(nl: str, en: str) -> Question:
    return _open("agreements", nl, en, required=True)


def _check_in() -> tuple[ConversationType, QuestionSet]:
    kind = ConversationType(
        key="check_in",
        label=_t("Check-in", "Check-in"),
        purpose=_t(
            "Kort en vaak even bijpraten: hoe gaat het echt, wat speelt er en waar kan de "
            "leidinggevende helpen.",
            "A short, frequent catch-up: how someone is really doing, what is going on and "
            "where the manager can help.",
        ),
        participants=(Role.EMPLOYEE, Role.MANAGER),
        led_by=Role.MANAGER,
        duration_minutes=30,
        question_set="check_in",
        voice_check=True,
    )
    questions = (
        _wellbeing_score(required=True),
        _open(
            "on_your_mind",
            "Wat houdt je op dit moment het meest bezig?",
            "What is on your mind most at the moment?",
        ),
        _open(
            "priorities",
            "Waar ga je de komende weken vooral mee aan de slag?",
            "What will you mainly be working on in the coming weeks?",
        ),
        _open(
            "support",
            "Waar loop je tegenaan, en hoe kan ik je daarbij helpen?",
            "What is getting in your way, and how can I help with it?",
        ),
        _considering_leaving(),
    )
    return kind, QuestionSet("check_in", 1, _t("Check-in", "Check-in"), questions)


def _growth_review() -> tuple[ConversationType, QuestionSet]:
    kind = ConversationType(
        key="growth_review",
        label=_t("Groeigesprek", "Growth review"),
        purpose=_t(
            "Samen terugkijken en vooruitkijken: werk, werkplezier, samenwerking en "
            "ontwikkeling. Beide kanten bereiden zich voor.",
            "Looking back and ahead together at the work, job satisfaction, collaboration "
            "and development. Both sides prepare.",
        ),
        participants=(Role.EMPLOYEE, Role.MANAGER),
        led_by=Role.MANAGER,
        duration_minutes=60,
        sign_off=SignOffRequirement.REQUIRED,
        question_set="growth_review",
        voice_check=True,
        agreements_required_concrete=True,
        employee_written_view=True,
    )
    questions = (
        _rated(
            "workload",
            "Hoe ervaar je je werkdruk?",
            "How do you experience your workload?",
            _WORKLOAD,
            audience=_EMPLOYEE,
            required=True,
        ),
        _open(
            "successes",
            "Op welke resultaten van het afgelopen jaar ben je het meest trots?",
            "Which results from the past year are you proudest of?",
            audience=_EMPLOYEE,
            required=True,
        ),
        _open(
            "development_goals",
            "Wat wil je het komende jaar leren of bereiken?",
            "What would you like to learn or achieve in the coming year?",
            audience=_EMPLOYEE,
            required=True,
        ),
        _rated(
            "teamwork",
            "Hoe ervaar je de samenwerking met je collega's?",
            "How do you experience working together with your colleagues?",
            _FEELING,
            audience=_EMPLOYEE,
            required=True,
        ),
        _open(
            "job_satisfaction",
            "Wat geeft je plezier in je werk, en wat juist niet?",
            "What do you enjoy in your work, and what not?",
            audience=_EMPLOYEE,
        ),
        _open(
            "needs_from_manager",
            "Wat heb je van je leidinggevende nodig om goed te kunnen werken?",
            "What do you need from your manager to do your work well?",
            audience=_EMPLOYEE,
        ),
        _open(
            "observed_contributions",
            "Welke bijdragen van je medewerker wil je benoemen en waarderen?",
            "Which of your employee's contributions do you want to name and appreciate?",
            audience=_MANAGER,
            required=True,
        ),
        _open(
            "growth_opportunities",
            "Waar zie je groeikansen voor je medewerker?",
            "Where do you see room for your employee to grow?",
            audience=_MANAGER,
            required=True,
        ),
        _open(
            "feedback_points",
            "Welke feedback wil je in het gesprek bespreken?",
            "What feedback do you want to discuss in the conversation?",
            audience=_MANAGER,
        ),
        _considering_leaving(),
        _agreements(
            "Welke afspraken maken we voor het komende jaar, met wie en wanneer?",
            "Which agreements do we make for the coming year, who does what and by when?",
        ),
    )
    return kind, QuestionSet("growth_review", 1, _t("Groeigesprek", "Growth review"), questions)


def _appraisal() -> tuple[ConversationType, QuestionSet]:
    kind = ConversationType(
        key="appraisal",
        label=_t("Beoordelingsgesprek", "Appraisal"),
        purpose=_t(
            "De leidinggevende geeft een onderbouwd oordeel over het afgelopen jaar; dat "
            "oordeel kan gevolgen hebben voor de beloning.",
            "The manager gives a reasoned judgement of the past year, which may affect pay.",
        ),
        participants=(Role.EMPLOYEE, Role.MANAGER, Role.HR),
        led_by=Role.MANAGER,
        duration_minutes=60,
        sign_off=SignOffRequirement.REQUIRED,
        question_set="appraisal",
        voice_check=True,
        employee_written_view=True,
    )
    goal_result = _choices(
        ("not_met", "Niet gehaald", "Not met"),
        ("partly_met", "Deels gehaald", "Partly met"),
        ("met", "Gehaald", "Met"),
        ("exceeded", "Overtroffen", "Exceeded"),
    )
    questions = (
        _open(
            "self_assessment",
            "Hoe kijk je zelf terug op je resultaten van het afgelopen jaar?",
            "How do you look back on your own results of the past year?",
            audience=_EMPLOYEE,
        ),
        _pick(
            "goals_result",
            "In welke mate zijn de afgesproken doelen gehaald?",
            "To what extent were the agreed goals met?",
            goal_result,
            audience=_MANAGER,
            required=True,
        ),
        _rated(
            "overall_rating",
            "Wat is je totaaloordeel over het afgelopen jaar?",
            "What is your overall rating of the past year?",
            _RATING,
            audience=_MANAGER,
            required=True,
        ),
        _open(
            "rating_explanation",
            "Op welke voorbeelden en feiten baseer je dit oordeel?",
            "Which examples and facts is this rating based on?",
            audience=_MANAGER,
            required=True,
        ),
        _agreements(
            "Welke afspraken volgen uit deze beoordeling?",
            "Which agreements follow from this appraisal?",
        ),
    )
    return kind, QuestionSet("appraisal", 1, _t("Beoordelingsgesprek", "Appraisal"), questions)


def _development() -> tuple[ConversationType, QuestionSet]:
    kind = ConversationType(
        key="development",
        label=_t("Ontwikkelgesprek", "Development conversation"),
        purpose=_t(
            "Ambities, vaardigheden en leerstappen bespreken en vastleggen in een persoonlijk "
            "ontwikkelplan.",
            "Discussing ambitions, skills and learning steps, and capturing them in a personal "
            "development plan.",
        ),
        participants=(Role.EMPLOYEE, Role.MANAGER),
        led_by=Role.MANAGER,
        duration_minutes=60,
        sign_off=SignOffRequirement.OPTIONAL,
        question_set="development",
        voice_check=True,
        agreements_required_concrete=True,
    )
    ways_to_learn = _choices(
        ("course", "Cursus of opleiding", "Course or training"),
        ("coaching", "Coaching", "Coaching"),
        ("mentoring", "Meelopen met of begeleid worden door een collega", "Mentoring"),
        ("on_the_job", "Nieuwe taken in het eigen werk", "New tasks in the job itself"),
        ("self_study", "Zelfstudie", "Self-study"),
    )
    questions = (
        _open(
            "ambitions",
            "Waar wil je over een paar jaar staan?",
            "Where would you like to be in a few years?",
            audience=_EMPLOYEE,
            required=True,
        ),
        _open(
            "skills_to_develop",
            "Welke kennis of vaardigheden wil je verder ontwikkelen?",
            "Which knowledge or skills do you want to develop further?",
            audience=_EMPLOYEE,
            required=True,
        ),
        _pick(
            "ways_to_learn",
            "Op welke manieren leer je het liefst?",
            "How do you prefer to learn?",
            ways_to_learn,
            many=True,
            audience=_EMPLOYEE,
        ),
        _open(
            "observed_strengths",
            "Welke sterke punten zie je bij je medewerker?",
            "Which strengths do you see in your employee?",
            audience=_MANAGER,
        ),
        _open(
            "development_opportunities",
            "Welke ontwikkelmogelijkheden passen bij je medewerker en het team?",
            "Which development opportunities fit your employee and the team?",
            audience=_MANAGER,
        ),
        _open(
            "development_plan",
            "Welke leerstappen spreken we af, wie regelt wat en wanneer kijken we terug?",
            "Which learning steps do we agree on, who arranges what and when do we look back?",
            required=True,
        ),
    )
    title = _t("Ontwikkelgesprek", "Development conversation")
    return kind, QuestionSet("development", 1, title, questions)


def _stay_interview() -> tuple[ConversationType, QuestionSet]:
    kind = ConversationType(
        key="stay_interview",
        label=_t("Blijfgesprek", "Stay interview"),
        purpose=_t(
            "Ontdekken waarom iemand blijft en wat daarvoor nodig is, voordat er een reden is "
            "om te vertrekken. De vragen worden vooraf gedeeld.",
            "Finding out why someone stays and what it takes to keep it that way, before there "
            "is a reason to leave. The questions are shared in advance.",
        ),
        participants=(Role.EMPLOYEE, Role.MANAGER),
        led_by=Role.MANAGER,
        duration_minutes=45,
        question_set="stay_interview",
        voice_check=True,
    )
    questions = (
        _open(
            "reasons_to_stay",
            "Wat maakt dat je hier graag werkt?",
            "What makes you like working here?",
            audience=_EMPLOYEE,
            required=True,
        ),
        _open(
            "energy",
            "Van welk deel van je werk krijg je de meeste energie?",
            "Which part of your work gives you the most energy?",
            audience=_EMPLOYEE,
        ),
        _open(
            "reasons_to_leave",
            "Wat zou voor jou een reden kunnen zijn om te vertrekken?",
            "What could become a reason for you to leave?",
            audience=_EMPLOYEE,
        ),
        _open(
            "one_change",
            "Als je één ding aan je werk mocht veranderen, wat zou dat zijn?",
            "If you could change one thing about your work, what would it be?",
            audience=_EMPLOYEE,
        ),
        _considering_leaving(),
        _agreements(
            "Wat spreken we af om je werk zo aantrekkelijk mogelijk te houden?",
            "What do we agree on to keep your work as attractive as possible?",
        ),
    )
    return kind, QuestionSet("stay_interview", 1, _t("Blijfgesprek", "Stay interview"), questions)


def _exit_interview() -> tuple[ConversationType, QuestionSet]:
    kind = ConversationType(
        key="exit_interview",
        label=_t("Exitgesprek", "Exit interview"),
        purpose=_t(
            "Vrijwillig gesprek met wie vertrekt: wat neemt diegene mee, wat mist diegene en wat "
            "kan de organisatie leren. Vertrouwelijk; uitkomsten alleen geanonimiseerd gedeeld.",
            "A voluntary talk with someone who is leaving: what they take with them, what they "
            "missed and what the organisation can learn. Confidential; results are only shared "
            "anonymised.",
        ),
        participants=(Role.EMPLOYEE, Role.HR),
        led_by=Role.HR,
        duration_minutes=45,
        sensitivity=Sensitivity.CONFIDENTIAL,
        question_set="exit_interview",
    )
    reasons = _choices(
        ("career", "Volgende stap in mijn loopbaan", "Next step in my career"),
        ("pay", "Salaris of arbeidsvoorwaarden", "Pay or terms of employment"),
        ("management", "Leidinggevende", "Manager"),
        ("workload", "Werkdruk", "Workload"),
        ("work_content", "Inhoud van het werk", "Content of the work"),
        ("culture", "Sfeer en cultuur", "Atmosphere and culture"),
        ("personal", "Persoonlijke omstandigheden", "Personal circumstances"),
        ("other", "Iets anders", "Something else"),
    )
    questions = (
        _pick(
            "reasons_for_leaving",
            "Wat waren de belangrijkste redenen om te vertrekken?",
            "What were the main reasons for leaving?",
            reasons,
            many=True,
        ),
        _open(
            "decisive_moment",
            "Hoe kwam je tot het besluit om te gaan, en wat gebeurde er toen?",
            "How did you come to the decision to go, and what happened then?",
        ),
        _open(
            "what_you_take",
            "Wat neem je mee van je tijd hier?",
            "What do you take with you from your time here?",
        ),
        _open(
            "what_was_missing",
            "Wat heb je hier gemist?",
            "What did you miss here?",
        ),
        _open(
            "advice",
            "Welk advies geef je de organisatie mee?",
            "What advice would you give the organisation?",
        ),
        _yes_no(
            "would_recommend",
            "Zou je deze organisatie aanraden als werkgever?",
            "Would you recommend this organisation as an employer?",
        ),
        _yes_no(
            "would_return",
            "Zou je hier in de toekomst terug willen komen?",
            "Would you consider coming back in the future?",
        ),
    )
    return kind, QuestionSet("exit_interview", 1, _t("Exitgesprek", "Exit interview"), questions)


def _wellbeing() -> tuple[ConversationType, QuestionSet]:
    kind = ConversationType(
        key="wellbeing",
        label=_t("Welzijnsgesprek", "Wellbeing conversation"),
        purpose=_t(
            "Aandacht voor balans, energie en duurzame inzetbaarheid: kun je dit werk op deze "
            "manier blijven doen? Medische zaken horen hier niet thuis.",
            "Attention for balance, energy and sustainable employability: can you keep doing "
            "this work in this way? Medical matters do not belong here.",
        ),
        participants=(Role.EMPLOYEE, Role.MANAGER),
        led_by=Role.MANAGER,
        duration_minutes=45,
        question_set="wellbeing",
        voice_check=True,
    )
    questions = (
        _wellbeing_score(required=True),
        _rated(
            "balance",
            "Ben je tevreden over de balans tussen werk en privé?",
            "Are you satisfied with the balance between work and private life?",
            _AGREEMENT,
        ),
        _open(
            "energy_givers",
            "Wat geeft je energie in je werk?",
            "What gives you energy in your work?",
        ),
        _open(
            "energy_takers",
            "Wat kost je in je werk veel energie?",
            "What in your work drains your energy?",
        ),
        _open(
            "future_fit",
            "Wat heb je nodig om je werk over vijf jaar nog met plezier te doen?",
            "What do you need to still enjoy your work five years from now?",
        ),
        _agreements(
            "Welke afspraken maken we om je energie en balans te ondersteunen?",
            "Which agreements do we make to support your energy and balance?",
        ),
    )
    title = _t("Welzijnsgesprek", "Wellbeing conversation")
    return kind, QuestionSet("wellbeing", 1, title, questions)


def _onboarding() -> tuple[ConversationType, QuestionSet]:
    kind = ConversationType(
        key="onboarding",
        label=_t("Inwerkgesprek", "Onboarding check-in"),
        purpose=_t(
            "Kijken hoe een nieuwe collega landt, na 30, 60 en 90 dagen en aan het eind van de "
            "proeftijd.",
            "Seeing how a new colleague is settling in, after 30, 60 and 90 days and at the end "
            "of probation.",
        ),
        participants=(Role.EMPLOYEE, Role.MANAGER),
        led_by=Role.MANAGER,
        duration_minutes=30,
        question_set="onboarding",
        voice_check=True,
    )
    expectations = _choices(
        ("better", "Beter dan verwacht", "Better than expected"),
        ("as_expected", "Zoals verwacht", "As expected"),
        ("worse", "Minder dan verwacht", "Worse than expected"),
    )
    questions = (
        _rated(
            "settling_in",
            "Hoe goed voel je je al thuis in het team en in je werk?",
            "How much at home do you feel in the team and in your work so far?",
            _AGREEMENT,
            required=True,
        ),
        _pick(
            "expectations",
            "Hoe verhoudt het werk zich tot wat je had verwacht?",
            "How does the job compare with what you expected?",
            expectations,
        ),
        _open(
            "what_helped",
            "Wat heeft je tot nu toe het meest geholpen?",
            "What has helped you most so far?",
        ),
        _open(
            "what_is_missing",
            "Wat mis je nog om je werk goed te kunnen doen?",
            "What are you still missing to do your work well?",
        ),
        _agreements(
            "Wat spreken we af voor de komende periode?",
            "What do we agree on for the coming period?",
        ),
    )
    title = _t("Inwerkgesprek", "Onboarding check-in")
    return kind, QuestionSet("onboarding", 1, title, questions)


def _absence() -> tuple[ConversationType, QuestionSet]:
    # Only what an employer may record at a sick report: contact details, expected duration,
    # appointments and work to hand over, whether a workplace accident or a liable third party
    # is involved, whether a safety-net case applies (not which), and the next contact.
    kind = ConversationType(
        key="absence",
        label=_t("Verzuimgesprek", "Absence conversation"),
        purpose=_t(
            "Contact houden tijdens ziekteverzuim en het werk regelen. Alleen vragen die een "
            "werkgever mag stellen; al het andere hoort bij de bedrijfsarts.",
            "Staying in touch during sick leave and arranging the work. Only questions an "
            "employer may ask; everything else belongs with the occupational physician.",
        ),
        participants=(Role.EMPLOYEE, Role.MANAGER),
        led_by=Role.MANAGER,
        duration_minutes=30,
        sensitivity=Sensitivity.HEALTH_RELATED,
        sign_off=SignOffRequirement.OPTIONAL,
        question_set="absence",
        private_notes=False,
    )
    duration = _choices(
        ("few_days", "Een paar dagen", "A few days"),
        ("up_to_two_weeks", "Tot twee weken", "Up to two weeks"),
        ("longer", "Langer dan twee weken", "Longer than two weeks"),
        ("unknown", "Nog niet bekend", "Not known yet"),
    )
    only_listed = _t(
        "Stel alleen de vragen uit deze lijst; overige informatie is voor de bedrijfsarts.",
        "Ask only the questions on this list; anything else is for the occupational physician.",
    )
    questions = (
        _open(
            "contact_phone",
            "Op welk telefoonnummer ben je bereikbaar?",
            "On which phone number can we reach you?",
            required=True,
            help=only_listed,
        ),
        _open(
            "stay_address",
            "Op welk adres verblijf je, als dat een ander adres is dan je huisadres?",
            "At which address are you staying, if it is not your home address?",
        ),
        _pick(
            "expected_duration",
            "Hoe lang denk je naar verwachting afwezig te zijn?",
            "How long do you expect to be away?",
            duration,
            required=True,
        ),
        _open(
            "appointments_and_work",
            "Welke afspraken en werkzaamheden lopen er die iemand moet overnemen of verzetten?",
            "Which appointments and tasks are in progress that someone needs to take over or move?",
        ),
        _yes_no(
            "workplace_accident",
            "Is er sprake van een bedrijfsongeval?",
            "Is a workplace accident involved?",
            required=True,
        ),
        _yes_no(
            "liable_third_party",
            "Is er een ander aansprakelijk, bijvoorbeeld na een verkeersongeval?",
            "Is another party liable, for example after a traffic accident?",
            required=True,
        ),
        _yes_no(
            "safety_net_case",
            "Valt je situatie onder een vangnetregeling van de Ziektewet? Alleen ja of nee.",
            "Does a safety-net provision of the Dutch Sickness Benefits Act apply? Yes or no only.",
        ),
        _open(
            "next_contact",
            "Wanneer en hoe nemen we weer contact op?",
            "When and how will we be in touch next?",
            required=True,
        ),
    )
    title = _t("Verzuimgesprek", "Absence conversation")
    return kind, QuestionSet("absence", 1, title, questions)


_BUILDERS = (
    _check_in,
    _growth_review,
    _appraisal,
    _development,
    _stay_interview,
    _exit_interview,
    _wellbeing,
    _onboarding,
    _absence,
)


def built_in_catalog() -> Catalog:
    """The nine built-in conversation types, each with version 1 of its question set.

    Every text exists in Dutch and English, and every type has a guide for whoever leads it.
    The result is an ordinary catalog: extend it with :meth:`Catalog.with_type`, drop types
    with :meth:`Catalog.without`, replace guides with :meth:`Catalog.with_guide`, and publish
    changed questions as new versions through the library.
    """
    pairs = [build() for build in _BUILDERS]
    library = QuestionSetLibrary(sets=tuple(question_set for _, question_set in pairs))
    return Catalog(
        types=tuple(kind for kind, _ in pairs), question_sets=library, guides=built_in_guides()
    )
