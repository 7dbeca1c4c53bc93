"""What an employer may record about sick leave, as typed fields and nothing more.

Health data are special-category data (AVG art. 9). The Dutch Data Protection Authority's
policy rules "De zieke werknemer" (AP, BWBR0037896) list what an employer may record about a
sick employee; this module has a field for each of those facts and none for anything else:

- at the sick report (:class:`SickReportRecord`): contact phone and (care) address while
  sick, the expected duration, the running appointments and work to hand over, *whether* a
  Ziektewet safety-net case applies (yes/no, never which ground), and whether a workplace
  accident or an accident with a liable third party is involved;
- from the occupational physician (:class:`OccupationalHealthAdvice`): what work the employee
  can do, the expected duration, advice on adjustments, and, per area of the functional
  capacity list, the limitations and capacities.

There is no field for the diagnosis, the nature or cause of the illness, the treatment or a
pregnancy, and consent does not make recording them lawful. Input that tries to set one is
refused with a :class:`~gesprekscyclus.errors.HealthDataError` that says why: a key such as
``diagnosis`` or ``cause`` in data (:func:`absence_record_from_data`), and text that looks
medical (an ICD-10 code such as ``F43.0``, words such as "burn-out" or "zwanger") in the few
short text fields (:func:`screen_text`). The screening catches the common slips; it cannot
catch every way of writing a diagnosis, which is why text fields are few, short and marked.

Every field says who may read it (:class:`RecordAudience`, in the field's metadata; see
:func:`fields_for`): the facts an employer may record are for the manager, the case manager
and HR; the detailed functional capacities only for the occupational physician. Which
audiences a role reads is not decided here but by the access policy
(:func:`audiences_for`, from the ``absence_*`` cells of
:data:`~gesprekscyclus.domain.access.ACCESS`).

>>> from datetime import date
>>> report = SickReportRecord(person_id="e-1", first_sick_day=date(2026, 3, 2),
...                           contact_phone="+31 6 1234 5678", expected_duration="weeks")
>>> report.expected_duration.value, report.safety_net
('weeks', None)
>>> SickReportRecord(person_id="e-1", first_sick_day=date(2026, 3, 2),
...                  appointments=("F43.0, back in May",))
Traceback (most recent call last):
...
gesprekscyclus.errors.HealthDataError: SickReportRecord.appointments[0]: looks like a \
diagnosis code ('F43.0'); an employer may not record the nature or cause of an illness \
(AP policy rules "De zieke werknemer")
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, ClassVar, Final

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import (
    ClosedSet,
    field_path,
    non_blank,
    shown,
    typed_fields,
    unique_by,
)
from gesprekscyclus.domain.access import Content, ReaderRole, allowed
from gesprekscyclus.domain.conversation_types import Sensitivity
from gesprekscyclus.domain.people import Role
from gesprekscyclus.errors import HealthDataError, InvalidValueError

__all__ = [
    "CONTENT",
    "FORBIDDEN_KEYS",
    "MAX_TEXT_LENGTH",
    "MEDICAL_REFUSAL",
    "READERS",
    "AbsenceRecord",
    "AccidentInvolvement",
    "CapacityLevel",
    "ExpectedDuration",
    "FunctionalArea",
    "FunctionalCapacity",
    "OccupationalHealthAdvice",
    "RecordAudience",
    "SickReportRecord",
    "WorkAbility",
    "audience_of",
    "audiences_for",
    "fields_for",
    "record_class",
    "screen_text",
    "visible_data",
]

#: The source every refusal names.
SOURCE: Final = 'AP policy rules "De zieke werknemer"'

#: Why a key or column for medical content is refused.
MEDICAL_REFUSAL: Final = (
    "no field for the diagnosis, the nature or cause of an illness, its treatment or a"
    f" pregnancy, nor free text about it ({SOURCE})"
)

#: The longest text a free-text field of an absence record takes.
MAX_TEXT_LENGTH: Final = 200


class RecordAudience(ClosedSet):
    """Who may read a field of an absence record.

    - ``employer``: facts the employer may record; read by the manager, the case manager,
      HR and the occupational physician;
    - ``occupational_physician``: the functional-capacity detail; the occupational physician
      only (the employer gets the conclusions: work ability, duration, adjustments).
    """

    EMPLOYER = "employer"
    OCCUPATIONAL_PHYSICIAN = "occupational_physician"


#: The kind of content of the access policy (:mod:`gesprekscyclus.domain.access`) that the
#: fields of each audience are.
CONTENT: Final[Mapping[RecordAudience, Content]] = MappingProxyType(
    {
        RecordAudience.EMPLOYER: Content.ABSENCE_EMPLOYER_FIELDS,
        RecordAudience.OCCUPATIONAL_PHYSICIAN: Content.ABSENCE_CAPACITY_FIELDS,
    }
)


def audiences_for(role: ReaderRole | None) -> frozenset[RecordAudience]:
    """The audiences whose fields ``role`` reads, as the access policy's cells for
    health-related records say (``None``, no role: none).

    >>> sorted(audience.value for audience in audiences_for(ReaderRole.HR_OFFICE))
    ['employer']
    >>> audiences_for(None)
    frozenset()
    """
    return frozenset(
        audience
        for audience, content in CONTENT.items()
        if allowed(role, content, Sensitivity.HEALTH_RELATED, write=False)
    )


#: The audiences each participant role reads, derived from the access policy: the employee
#: reads their own records whole (they are theirs, AVG art. 15), the occupational physician
#: everything; the manager, the case manager and HR only what an employer may record; a
#: neutral exit interviewer none.
READERS: Final[Mapping[Role, frozenset[RecordAudience]]] = MappingProxyType(
    {role: audiences_for(ReaderRole(role.value)) for role in Role}
)

#: The metadata key holding a field's :class:`RecordAudience`.
AUDIENCE: Final = "gesprekscyclus.audience"


class ExpectedDuration(ClosedSet):
    """How long the absence is expected to last, without saying why."""

    UNKNOWN = "unknown"
    DAYS = "days"
    WEEKS = "weeks"
    LONG_TERM = "long_term"


class AccidentInvolvement(ClosedSet):
    """Whether an accident is involved: the employer's own liability or recourse."""

    NONE = "none"
    WORKPLACE = "workplace_accident"
    THIRD_PARTY = "third_party_liable"


class WorkAbility(ClosedSet):
    """The occupational physician's conclusion on what work is possible now."""

    NONE = "no_work"
    ADAPTED = "adapted_work"
    PARTLY_OWN = "own_work_partly"
    OWN = "own_work"


class FunctionalArea(ClosedSet):
    """The sections of the functional capacity list (Functionele Mogelijkhedenlijst)."""

    PERSONAL = "personal_functioning"
    SOCIAL = "social_functioning"
    PHYSICAL_ENVIRONMENT = "physical_environment"
    DYNAMIC_ACTIONS = "dynamic_actions"
    STATIC_POSTURES = "static_postures"
    WORKING_HOURS = "working_hours"


class CapacityLevel(ClosedSet):
    """How far the employee is limited in one area."""

    NORMAL = "normal"
    LIMITED = "limited"
    SEVERELY_LIMITED = "severely_limited"


# Words that name an illness, a treatment or a pregnancy (Dutch and English, lower case).
_MEDICAL_WORDS: Final = (
    "diagnose",
    "diagnosis",
    "burn-out",
    "burnout",
    "overspannen",
    "depressie",
    "depression",
    "depressed",
    "angststoornis",
    "anxiety",
    "kanker",
    "cancer",
    "tumor",
    "tumour",
    "chemo",
    "hernia",
    "griep",
    "influenza",
    "corona",
    "covid",
    "migraine",
    "fractuur",
    "fracture",
    "gebroken",
    "broken",
    "operatie",
    "surgery",
    "medicatie",
    "medication",
    "behandeling",
    "treatment",
    "therapie",
    "therapy",
    "psycholoog",
    "psychologist",
    "psychiater",
    "psychiatrist",
    "zwanger",
    "pregnant",
    "pregnancy",
    "miskraam",
    "miscarriage",
    "verslaving",
    "addiction",
)
_WORD = re.compile(r"\b(" + "|".join(re.escape(word) for word in _MEDICAL_WORDS) + r")", re.I)
# ICD-10 (A00–Z99, optional .x) and DSM-style codes: an upper-case letter and two digits.
_CODE = re.compile(r"\b[A-Z][0-9]{2}(?:\.[0-9A-Z]{1,4})?\b")


def screen_text(path: str, text: str) -> str:
    """``text`` if it is short and does not look medical; else :class:`HealthDataError`.

    >>> screen_text("note", "call on Thursdays")
    'call on Thursdays'
    >>> screen_text("note", "Is zwanger")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.HealthDataError: note: mentions 'zwanger'; an employer may not \
record the nature or cause of an illness, its treatment or a pregnancy \
(AP policy rules "De zieke werknemer")
    """
    if not isinstance(text, str):
        raise InvalidValueError(path, f"must be text, got {shown(text)}")
    if not text.strip():
        raise InvalidValueError(path, "must not be blank")
    if len(text) > MAX_TEXT_LENGTH:
        raise HealthDataError(
            path,
            f"is {len(text)} characters long, at most {MAX_TEXT_LENGTH}: absence records hold"
            f" short practical facts, never an account of the illness ({SOURCE})",
        )
    code = _CODE.search(text)
    if code is not None:
        raise HealthDataError(
            path,
            f"looks like a diagnosis code ({code.group(0)!r}); an employer may not record the"
            f" nature or cause of an illness ({SOURCE})",
        )
    word = _WORD.search(text)
    if word is not None:
        raise HealthDataError(
            path,
            f"mentions {word.group(1)!r}; an employer may not record the nature or cause of an"
            f" illness, its treatment or a pregnancy ({SOURCE})",
        )
    return text


def _screened(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        screen_text(field_path(instance, attribute), value)


def _screened_all(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, str) or not isinstance(value, tuple):
        raise InvalidValueError(
            field_path(instance, attribute), f"expected a list of texts, got {shown(value)}"
        )
    for index, text in enumerate(value):
        screen_text(f"{field_path(instance, attribute)}[{index}]", text)


def _optional_flag(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, bool):
        raise InvalidValueError(
            field_path(instance, attribute), f"must be true, false or unset, got {shown(value)}"
        )


def _optional_accident(value: Any) -> AccidentInvolvement | None:
    return None if value is None else AccidentInvolvement(value)


_EMPLOYER: Final = {AUDIENCE: RecordAudience.EMPLOYER}
_PHYSICIAN: Final = {AUDIENCE: RecordAudience.OCCUPATIONAL_PHYSICIAN}


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@frozen(field_transformer=typed_fields)
class SickReportRecord:
    """What the employer records when someone reports sick (all fields ``employer``).

    ``expected_return`` is the expected first day back, when known; ``appointments`` the
    running appointments and work someone else has to take over (short texts, screened);
    ``safety_net`` whether a Ziektewet safety-net case (vangnetregeling) applies, not which;
    ``accident`` whether a workplace accident or an accident with a liable third party is
    involved. ``None`` means "not known (yet)".
    """

    KIND: ClassVar[str] = "sick_report"

    person_id: str = field(metadata=_EMPLOYER, validator=non_blank)
    first_sick_day: date = field(metadata=_EMPLOYER)
    contact_phone: str | None = field(
        metadata=_EMPLOYER, default=None, validator=[non_blank, _screened]
    )
    care_address: str | None = field(
        metadata=_EMPLOYER, default=None, validator=[non_blank, _screened]
    )
    expected_duration: ExpectedDuration = field(
        metadata=_EMPLOYER, default=ExpectedDuration.UNKNOWN, converter=ExpectedDuration
    )
    expected_return: date | None = field(metadata=_EMPLOYER, default=None)
    appointments: tuple[str, ...] = field(
        metadata=_EMPLOYER, default=(), converter=_texts, validator=_screened_all
    )
    safety_net: bool | None = field(metadata=_EMPLOYER, default=None, validator=_optional_flag)
    accident: AccidentInvolvement | None = field(
        metadata=_EMPLOYER, default=None, converter=_optional_accident
    )

    def __attrs_post_init__(self) -> None:
        if self.expected_return is not None and self.expected_return < self.first_sick_day:
            raise InvalidValueError(
                "SickReportRecord.expected_return",
                f"{self.expected_return} lies before the first sick day {self.first_sick_day}",
            )

    @property
    def on(self) -> date:
        """The day the record is about: the first sick day."""
        return self.first_sick_day


@frozen(field_transformer=typed_fields)
class FunctionalCapacity:
    """One area of the functional capacity list: the level and, optionally, a short remark
    on what is and is not possible (screened like every text)."""

    area: FunctionalArea = field(converter=FunctionalArea)
    level: CapacityLevel = field(converter=CapacityLevel)
    remark: str | None = field(default=None, validator=[non_blank, _screened])


def _capacities(value: Iterable[FunctionalCapacity]) -> tuple[FunctionalCapacity, ...]:
    return tuple(value)


def _distinct_areas(
    instance: object, attribute: Any, value: tuple[FunctionalCapacity, ...]
) -> None:
    for index, item in enumerate(value):
        if not isinstance(item, FunctionalCapacity):
            raise InvalidValueError(
                f"{field_path(instance, attribute)}[{index}]",
                f"expected a FunctionalCapacity, got {shown(item)}",
            )
    unique_by(value, lambda item: item.area, field_path(instance, attribute))


@frozen(field_transformer=typed_fields)
class OccupationalHealthAdvice:
    """What the occupational physician passes on after a consultation.

    ``work_ability``, ``expected_duration``, ``expected_return`` and ``adjustments`` (advice
    on adapting the work, short screened texts) are for the employer; ``capacities`` (the
    functional limitations and capacities per area) are for the occupational physician.
    """

    KIND: ClassVar[str] = "occupational_health_advice"

    person_id: str = field(metadata=_EMPLOYER, validator=non_blank)
    on: date = field(metadata=_EMPLOYER)
    work_ability: WorkAbility = field(metadata=_EMPLOYER, converter=WorkAbility)
    expected_duration: ExpectedDuration = field(
        metadata=_EMPLOYER, default=ExpectedDuration.UNKNOWN, converter=ExpectedDuration
    )
    expected_return: date | None = field(metadata=_EMPLOYER, default=None)
    adjustments: tuple[str, ...] = field(
        metadata=_EMPLOYER, default=(), converter=_texts, validator=_screened_all
    )
    capacities: tuple[FunctionalCapacity, ...] = field(
        metadata=_PHYSICIAN, default=(), converter=_capacities, validator=_distinct_areas
    )

    def __attrs_post_init__(self) -> None:
        if self.expected_return is not None and self.expected_return < self.on:
            raise InvalidValueError(
                "OccupationalHealthAdvice.expected_return",
                f"{self.expected_return} lies before the consultation on {self.on}",
            )


#: Every kind of absence record.
AbsenceRecord = SickReportRecord | OccupationalHealthAdvice
#: The class of an absence record.
RecordClass = type[SickReportRecord] | type[OccupationalHealthAdvice]

_KINDS: Final[Mapping[str, RecordClass]] = {
    SickReportRecord.KIND: SickReportRecord,
    OccupationalHealthAdvice.KIND: OccupationalHealthAdvice,
}

#: Keys that would carry medical content; input holding one is refused with the reason.
FORBIDDEN_KEYS: Final = frozenset(
    {
        "diagnosis",
        "diagnose",
        "icd",
        "icd10",
        "illness",
        "ziekte",
        "condition",
        "nature",
        "aard",
        "cause",
        "oorzaak",
        "reason",
        "symptoms",
        "klachten",
        "treatment",
        "behandeling",
        "medication",
        "medicatie",
        "pregnancy",
        "zwangerschap",
        "medical",
        "detail",
        "details",
        "notes",
        "note",
        "remarks",
        "description",
        "omschrijving",
    }
)


def audience_of(kind: type[Any], name: str) -> RecordAudience:
    """The audience of field ``name`` of an absence record class.

    >>> audience_of(OccupationalHealthAdvice, "capacities").value
    'occupational_physician'
    """
    for attribute in attrs.fields(kind):
        if attribute.name == name:
            return RecordAudience(attribute.metadata[AUDIENCE])
    raise InvalidValueError(
        f"{kind.__name__}.{name}", "is not a field", allowed=[a.name for a in attrs.fields(kind)]
    )


def fields_for(kind: type[Any], audiences: Iterable[RecordAudience | str]) -> tuple[str, ...]:
    """The fields of ``kind`` that readers with ``audiences`` may see, in field order.

    >>> fields_for(OccupationalHealthAdvice, ["employer"])
    ('person_id', 'on', 'work_ability', 'expected_duration', 'expected_return', 'adjustments')
    """
    wanted = {RecordAudience(audience) for audience in audiences}
    return tuple(
        attribute.name
        for attribute in attrs.fields(kind)
        if RecordAudience(attribute.metadata[AUDIENCE]) in wanted
    )


def visible_data(
    record: AbsenceRecord, audiences: Iterable[RecordAudience | str]
) -> dict[str, Any]:
    """The fields of ``record`` that readers with ``audiences`` may see, by name.

    >>> from datetime import date
    >>> advice = OccupationalHealthAdvice(person_id="e-1", on=date(2026, 3, 9),
    ...     work_ability="adapted_work",
    ...     capacities=(FunctionalCapacity(area="static_postures", level="limited"),))
    >>> sorted(visible_data(advice, ["employer"]))
    ['adjustments', 'expected_duration', 'expected_return', 'on', 'person_id', 'work_ability']
    >>> visible_data(advice, ["occupational_physician"])["capacities"][0].level.value
    'limited'
    """
    return {name: getattr(record, name) for name in fields_for(type(record), audiences)}


def _refuse_keys(path: str, keys: Iterable[str], allowed: Iterable[str]) -> None:
    for key in keys:
        if key.strip().lower() in FORBIDDEN_KEYS:
            raise HealthDataError(f"{path}.{key}", f"an absence record has {MEDICAL_REFUSAL}")
    unknown = sorted(set(keys) - set(allowed))
    if unknown:
        raise HealthDataError(
            f"{path}.{unknown[0]}",
            f"is not a field an employer may record ({SOURCE})",
            allowed=sorted(allowed),
        )


def record_class(data: Mapping[str, Any]) -> RecordClass:
    """The record class ``data`` (JSON-like, with a ``kind`` key) is for, after refusing any
    key the record does not have, and keys that would carry medical content with the reason.

    >>> record_class({"kind": "sick_report", "person_id": "e-1", "first_sick_day": "2026-03-02",
    ...               "diagnosis": "F43.0"})
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.HealthDataError: sick_report.diagnosis: an absence record has no \
field for the diagnosis, the nature or cause of an illness, its treatment or a pregnancy, nor \
free text about it (AP policy rules "De zieke werknemer")
    """
    if not isinstance(data, Mapping):
        raise InvalidValueError("absence record", f"expected a table, got {shown(data)}")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise InvalidValueError("absence record.kind", f"unknown kind {kind!r}", allowed=_KINDS)
    cls = _KINDS[kind]
    body = [key for key in data if key != "kind"]
    _refuse_keys(str(kind), body, [a.name for a in attrs.fields(cls)])
    capacities = data.get("capacities")
    if isinstance(capacities, list):
        for index, item in enumerate(capacities):
            if isinstance(item, Mapping):
                _refuse_keys(
                    f"{kind}.capacities[{index}]",
                    list(item),
                    [a.name for a in attrs.fields(FunctionalCapacity)],
                )
    return cls
