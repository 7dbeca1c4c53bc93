"""The library's one exception hierarchy.

Every error raised on purpose by gesprekscyclus derives from :class:`GesprekscyclusError`,
so an embedding application can catch them all with one ``except``. Messages name the
offending field or key path and, where the valid values form a closed set, list them.

>>> try:
...     raise InvalidValueError("person.locale", "unknown locale 'fr'", allowed=("nl", "en"))
... except GesprekscyclusError as error:
...     print(error)
person.locale: unknown locale 'fr' (allowed: nl, en)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "AccessDeniedError",
    "AgreementNotConcreteError",
    "ConflictError",
    "DependencyError",
    "DesignError",
    "DesignMismatchError",
    "ErasureRefusedError",
    "ExpansionLimitError",
    "GesprekscyclusError",
    "HealthDataError",
    "InvalidTransitionError",
    "InvalidValueError",
    "MissingExtraError",
    "NoDesignError",
    "NoWorkingDayError",
    "NotFoundError",
    "Problem",
    "SerializationError",
    "SignatureError",
    "StoppedError",
    "StoreError",
    "StoreRefusedError",
]


class GesprekscyclusError(Exception):
    """Base class of every error this library raises on purpose."""


def _describe(path: str, problem: str, allowed: Iterable[object] | None) -> str:
    text = f"{path}: {problem}" if path else problem
    if allowed is not None:
        text += " (allowed: " + ", ".join(str(value) for value in allowed) + ")"
    return text


class InvalidValueError(GesprekscyclusError, ValueError):
    """A value does not satisfy the rules of the field it was given for.

    ``path`` names the field (``"question_set.questions[2].kind"``), ``allowed`` the valid
    values when they form a closed set.
    """

    def __init__(self, path: str, problem: str, *, allowed: Iterable[object] | None = None):
        self.path = path
        self.problem = problem
        self.allowed: tuple[str, ...] | None = (
            None if allowed is None else tuple(str(value) for value in allowed)
        )
        super().__init__(_describe(path, problem, self.allowed))


class SerializationError(InvalidValueError):
    """Stored or received data cannot be turned into domain objects.

    ``problems`` lists every offending value with its full path (``$.questions[1].kind``).
    """

    def __init__(self, type_name: str, problems: Sequence[str]):
        self.type_name = type_name
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(type_name, "; ".join(self.problems) or "invalid data")


class InvalidTransitionError(GesprekscyclusError):
    """A lifecycle step that is not allowed from the current state."""

    def __init__(self, entity: str, current: str, requested: str, allowed: Iterable[str]):
        self.entity = entity
        self.current = current
        self.requested = requested
        self.allowed: tuple[str, ...] = tuple(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none, this is a final state"
        super().__init__(
            f"{entity}: cannot go from {current!r} to {requested!r} (allowed from {current!r}: "
            f"{allowed_text})"
        )


class AccessDeniedError(GesprekscyclusError, PermissionError):
    """The reader's role or identity may not see or change this part of a record.

    ``rule`` names the rule that refused (an entry of the access matrix such as
    ``"manager may not read shared_note (confidential)"`` or a field such as
    ``"Conversation.participants"``), ``reader`` the person id that asked.

    >>> str(AccessDeniedError("shared_note (confidential)", "m-1", "may not read it"))
    "shared_note (confidential): 'm-1' may not read it"
    """

    def __init__(self, rule: str, reader: str | None = None, problem: str | None = None):
        self.rule = rule
        self.reader = reader
        self.problem = problem
        if reader is None and problem is None:
            super().__init__(rule)
        else:
            super().__init__(f"{rule}: {reader!r} {problem or 'is refused'}")


class NotFoundError(GesprekscyclusError, LookupError):
    """A referenced object does not exist."""

    def __init__(self, kind: str, key: object):
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} does not exist")


class ConflictError(GesprekscyclusError):
    """A change clashes with existing state (a duplicate id, a stale version)."""


class AgreementNotConcreteError(ConflictError):
    """A report cannot be filed: an agreement is not yet a concrete action item.

    ``conversation_id`` names the report, ``index`` and ``agreement`` the agreement (its
    position in ``Report.agreements`` and its text), ``missing`` what it lacks.
    """

    def __init__(self, conversation_id: str, index: int, agreement: str, missing: str):
        self.conversation_id = conversation_id
        self.index = index
        self.agreement = agreement
        self.missing = missing
        super().__init__(
            f"Report {conversation_id!r}: agreement [{index}] {agreement!r} is not concrete: "
            f"{missing}"
        )


class DesignMismatchError(ConflictError):
    """A design given to a process differs from the one the store holds.

    ``given`` and ``stored`` name both versions (a fingerprint, and the stored number);
    nothing is replanned: apply the new design first (``gesprekscyclus design apply``).
    """

    def __init__(self, given: str, stored: str):
        self.given = given
        self.stored = stored
        super().__init__(
            f"design: the given design ({given}) differs from the store's current design "
            f"({stored}); apply it with 'gesprekscyclus design apply' to change the design, "
            "or leave --design out to use the stored one"
        )


class NoDesignError(NotFoundError):
    """The store holds no cycle design yet, and the command needs one."""

    def __init__(self, what: str = "this command"):
        GesprekscyclusError.__init__(
            self,
            f"design: the store holds no cycle design yet and {what} needs one; apply one "
            "with 'gesprekscyclus design apply FILE --db URL' (or ConversationService."
            "apply_design)",
        )
        self.kind = "design"
        self.key: str | None = None


class ExpansionLimitError(GesprekscyclusError):
    """A recurrence expansion hit its bound on iterations or time before finishing."""


class MissingExtraError(GesprekscyclusError, ImportError):
    """An optional feature needs a package that is not installed; the message names the extra.

    >>> print(MissingExtraError("pandas", "notebook"))
    this needs pandas, which is not installed: pip install "gesprekscyclus[notebook]"
    """

    def __init__(self, package: str, extra: str):
        self.package = package
        self.extra = extra
        super().__init__(
            f'this needs {package}, which is not installed: pip install "gesprekscyclus[{extra}]"'
        )


class StoreError(GesprekscyclusError):
    """A storage adapter failed; the driver's error is chained as ``__cause__``."""


class StoreRefusedError(StoreError):
    """A store refused a database it must not use, and left it as it was: a file that is not
    a store, a schema written by a later release, or a store that must exist and does not.
    Unlike a dropped connection this does not pass: trying again does not help."""


class StoppedError(GesprekscyclusError):
    """A wait for a lock ended early because the process was told to stop; the operation
    that waited did nothing. Not a fault: a loop that meets it ends (see
    :meth:`~gesprekscyclus.service.worker.Worker.run`)."""


class Problem:
    """One finding of a validation pass: where it is and what is wrong.

    >>> str(Problem("design.toml", "types.check_in.cadence.every", "must be at least 1", line=12))
    'design.toml:12: types.check_in.cadence.every: must be at least 1'
    """

    __slots__ = ("allowed", "file", "line", "message", "path")

    def __init__(
        self,
        file: str,
        path: str,
        message: str,
        *,
        line: int | None = None,
        allowed: Iterable[object] | None = None,
    ):
        self.file: str = file
        self.path: str = path
        self.message: str = message
        self.line: int | None = line
        self.allowed: tuple[str, ...] | None = (
            None if allowed is None else tuple(str(value) for value in allowed)
        )

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {_describe(self.path, self.message, self.allowed)}"

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


class DesignError(GesprekscyclusError):
    """A cycle design file has one or more problems; all of them are in ``problems``."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class NoWorkingDayError(GesprekscyclusError):
    """No working day was found within the search bound when moving or counting days.

    Typical causes: the working patterns given share no weekday, or a closure covers the
    whole search range. ``day`` is where the search started, ``max_days`` its bound.
    """

    def __init__(self, day: object, reason: str, *, max_days: int | None = None):
        self.day = day
        self.reason = reason
        self.max_days = max_days
        bound = "" if max_days is None else f" within {max_days} days"
        super().__init__(f"no working day found from {day}{bound}: {reason}")


class SignatureError(AccessDeniedError):
    """A signed message (such as a webhook) failed verification: the signature does not
    match, is missing or malformed, or its timestamp lies outside the accepted window.
    """


class HealthDataError(InvalidValueError):
    """Input tries to record health data an employer may not keep: a diagnosis, the nature
    or cause of an illness, a treatment or a pregnancy (AP policy rules "De zieke werknemer").
    ``path`` names the field or key, the message why it is refused."""


class ErasureRefusedError(GesprekscyclusError):
    """A person cannot be erased (yet) because the law obliges the employer to keep some of
    their records; ``obligations`` names each one and until when it applies."""

    def __init__(self, person_id: str, obligations: Sequence[str]):
        self.person_id = person_id
        self.obligations: tuple[str, ...] = tuple(obligations)
        super().__init__(
            f"person {person_id!r} cannot be erased yet: " + "; ".join(self.obligations)
        )


class DependencyError(GesprekscyclusError, ImportError):
    """An installed package lacks what this library relies on (an unsupported version)."""
