"""Reading, validating and writing a cycle design as one file (TOML, or JSON).

The file is the design's source of truth: readable for the works council, versioned in git,
diffable. Types are tables keyed by their catalog key::

    name = "Voorbeeld mkb"
    cycle_start = 2026-01-01

    [types.check_in]
    convention = "nearest"
    cadence = [{ kind = "interval", every = 1, unit = "months", anchor = "cycle_start" }]

:func:`validate_design_text` reports *every* problem at once, each with the file, the key
path, the line where it can be found and, for closed sets, the allowed values;
:func:`load_design` raises :class:`~gesprekscyclus.errors.DesignError` holding them.

>>> text = '''
... name = "Voorbeeld"
... cycle_start = 2026-01-01
... [types.check_in]
... cadence = [{ kind = "interval", every = 0, unit = "fortnights" }]
... '''
>>> for problem in validate_design_text(text, source="design.toml"):
...     print(problem)  # doctest: +NORMALIZE_WHITESPACE
design.toml:5: types.check_in.cadence[0].unit: unknown value 'fortnights'
    (allowed: weeks, months, quarters, years)
>>> design = parse_design(text.replace("0, unit = \\"fortnights\\"", "1, unit = \\"months\\""))
>>> design.rule("check_in").cadence[0].every
1
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args

import attrs

from gesprekscyclus._files import read_at_most
from gesprekscyclus.domain.cadence import AnchorKind, Cadence, RRuleCadence
from gesprekscyclus.domain.catalog import Catalog, built_in_catalog
from gesprekscyclus.domain.conversation_types import ConversationType
from gesprekscyclus.domain.questions import Question
from gesprekscyclus.errors import (
    DesignError,
    InvalidValueError,
    MissingExtraError,
    Problem,
    SerializationError,
)
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.planning.design_text import DesignLimits, _plain, read_design_data
from gesprekscyclus.serialization import from_data, to_data

__all__ = [
    "DesignLimits",
    "design_problems",
    "dump_design",
    "load_design",
    "parse_design",
    "read_design_text",
    "validate_design",
    "validate_design_text",
]

Format = Literal["toml", "json"]


def _format_of(source: str, fmt: Format | None) -> Format:
    if fmt is not None:
        return fmt
    return "json" if source.lower().endswith(".json") else "toml"


def _to_model_data(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[Problem]]:
    """The file keys types by their key; the model holds a list of rules with a ``type``."""
    data = dict(raw)
    types = data.get("types", {})
    problems: list[Problem] = []
    if not isinstance(types, dict):
        return data, [], [Problem("", "types", "must be a table of [types.<key>] sections")]
    keys = list(types)
    rules = []
    for key, value in types.items():
        body = value if isinstance(value, dict) else {}
        if not isinstance(value, dict):
            problems.append(Problem("", f"types.{key}", "must be a table"))
        if "type" in body and body["type"] != key:
            problems.append(
                Problem("", f"types.{key}.type", "must be left out (the table name is the key)")
            )
        follow_ups = body.get("follow_ups")
        if isinstance(follow_ups, list):
            # Inside [types.<key>] the follow-up's own type is implied by the table.
            body = {
                **body,
                "follow_ups": [
                    {"type_key": key, **item} if isinstance(item, dict) else item
                    for item in follow_ups
                ],
            }
        rules.append({**body, "type": key})
    data["types"] = rules
    return data, keys, problems


_PATH = re.compile(r"^(?P<message>.*) @ \$(?P<path>.*)$", re.DOTALL)
_CLASS_FIELD = re.compile(r"^[A-Z][A-Za-z]*\.(?P<field>[a-z_]+): ")


def _file_path(model_path: str, keys: Sequence[str]) -> str:
    path = model_path.lstrip(".")

    def name(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return f"types.{keys[index]}" if index < len(keys) else match.group(0)

    return re.sub(r"^types\[(\d+)\]", name, path)


def _problem_from(text: str, keys: Sequence[str]) -> tuple[str, str, tuple[str, ...] | None]:
    match = _PATH.match(text)
    message, path = (match.group("message"), match.group("path")) if match else (text, "")
    # "Interval.every: ..." raised by a class's own checks names the key inside the value.
    named = _CLASS_FIELD.match(message)
    if named is not None:
        path = f"{path}.{named.group('field')}"
        message = message[named.end() :]
    allowed: tuple[str, ...] | None = None
    found = re.search(r"^(?:[\w.]+: )?(?P<rest>.*?)(?: \(allowed: (?P<allowed>[^)]*)\))?$", message)
    if found and found.group("allowed") is not None:
        allowed = tuple(part.strip() for part in found.group("allowed").split(","))
        message = found.group("rest")
    return _file_path(path, keys), message, allowed


def _line_of(text: str, path: str, fmt: Format) -> int | None:
    """Best effort: the line where the last named key of ``path`` is set."""
    if fmt != "toml" or not path:
        return None
    parts = [part for part in re.split(r"\.|\[\d+\]", path) if part]
    lines = text.splitlines()
    start = 0
    # Find the deepest table header that is a prefix of the path.
    for depth in range(len(parts), 0, -1):
        header = re.compile(
            r"^\s*\[\[?\s*" + r"\s*\.\s*".join(map(re.escape, parts[:depth])) + r"\s*\]\]?"
        )
        for number, line in enumerate(lines):
            if header.match(line):
                start = number
                parts = parts[depth:]
                break
        else:
            continue
        break
    for key in reversed(parts or [""]):
        if not key:
            return start + 1
        pattern = re.compile(r"(^|[\s{,])" + re.escape(key) + r"\s*=")
        for number in range(start, len(lines)):
            if (
                number > start
                and lines[number].lstrip().startswith("[")
                and "=" not in lines[number]
            ):
                break
            if pattern.search(lines[number]):
                return number + 1
    return start + 1 if start else None


def design_problems(
    design: CycleDesign, *, catalog: Catalog | None = None, source: str = "design"
) -> list[Problem]:
    """The problems of a well-formed design against a catalog (built-in by default), with
    the design's own catalog changes applied to it."""
    base = catalog if catalog is not None else built_in_catalog()
    problems: list[Problem] = []
    for key in sorted(design.catalog.without):
        if key not in base:
            problems.append(
                Problem(source, "catalog.without", f"unknown type {key!r}", allowed=base.keys())
            )
    if problems:
        return problems
    catalog = design.full_catalog(base)
    problems.extend(
        Problem(source, f"catalog.{p.path}", p.message, allowed=p.allowed)
        for p in catalog.problems(source)
    )
    if problems:
        return problems
    known = catalog.keys()
    used = set(design.type_keys)
    for rule in design.types:
        where = f"types.{rule.type}"
        if rule.type not in catalog:
            problems.append(Problem(source, where, "unknown conversation type", allowed=known))
            continue
        problems.extend(_rule_problems(rule, catalog, used, where, source))
        problems.extend(_rhythm_problems(rule, design.cycle_start, where, source))
    for index, interaction in enumerate(design.interactions):
        for name in ("drop", "near"):
            if getattr(interaction, name) not in used:
                problems.append(
                    Problem(
                        source,
                        f"interactions[{index}].{name}",
                        "names a type this design does not use",
                        allowed=design.type_keys,
                    )
                )
    for key in sorted(design.after_notice):
        if key not in known:
            problems.append(Problem(source, "after_notice", f"unknown type {key!r}", allowed=known))
    return problems


def _rhythm_problems(
    rule: TypeRule, cycle_start: date, where: str, source: str
) -> Iterable[Problem]:
    """RRULEs that would plan nothing: no date from the cycle start on, or none for people
    hired on the 31st (a rule that takes its day of the month from the hire date)."""
    for index, cadence in enumerate(rule.cadence):
        if not isinstance(cadence, RRuleCadence):
            continue
        anchors = [(cycle_start, f"from the cycle start ({cycle_start}) on")]
        if cadence.anchor is AnchorKind.HIRE_DATE:
            late = date(cycle_start.year, 1, 31)
            anchors.append(
                (late, f"for someone hired on the 31st ({late}); give BYMONTHDAY or BYDAY")
            )
        for anchor, whom in anchors:
            if not cadence.produces_from(anchor):
                yield Problem(
                    source,
                    f"{where}.cadence[{index}].rule",
                    f"{cadence.rule} never produces a date {whom}",
                )
                break


def _rule_problems(
    rule: TypeRule, catalog: Catalog, used: set[str], where: str, source: str
) -> Iterable[Problem]:
    conversation_type = catalog.type(rule.type)
    question_set = None
    if conversation_type.question_set is not None:
        versions = catalog.question_sets.versions(conversation_type.question_set)
        if rule.question_set_version is not None and rule.question_set_version not in versions:
            yield Problem(
                source,
                f"{where}.question_set_version",
                f"version {rule.question_set_version} does not exist",
                allowed=versions,
            )
        else:
            question_set = catalog.question_set_for(rule.type)
    for index, follow_up in enumerate(rule.follow_ups):
        path = f"{where}.follow_ups[{index}]"
        if follow_up.schedule_type not in used:
            yield Problem(
                source,
                f"{path}.schedule_type",
                "names a type this design does not use",
                allowed=sorted(used),
            )
        if question_set is not None and follow_up.question_key not in {
            question.key for question in question_set.questions
        }:
            yield Problem(
                source,
                f"{path}.question_key",
                f"no such question in {question_set.ref}",
                allowed=[question.key for question in question_set.questions],
            )


def validate_design_text(
    text: str,
    *,
    source: str = "design.toml",
    fmt: Format | None = None,
    catalog: Catalog | None = None,
    limits: DesignLimits | None = None,
) -> list[Problem]:
    """Every problem of a design file's text; an empty list means it is valid.

    ``limits`` bound what is read (size, nesting, dotted keys, problems reported); see
    :class:`~gesprekscyclus.planning.design_text.DesignLimits`.
    """
    return _parse(text, source, _format_of(source, fmt), catalog, limits)[1]


def _parse(
    text: str,
    source: str,
    fmt: Format,
    catalog: Catalog | None,
    limits: DesignLimits | None = None,
) -> tuple[CycleDesign | None, list[Problem]]:
    limits = limits if limits is not None else DesignLimits()
    design, problems = _parse_within(text, source, fmt, catalog, limits)
    if len(problems) > limits.max_problems:
        more = len(problems) - limits.max_problems
        problems = [
            *problems[: limits.max_problems],
            Problem(
                source,
                "",
                f"and {more} more problems",
                allowed=(f"at most max_problems={limits.max_problems} listed",),
            ),
        ]
    return design, problems


def _parse_within(
    text: str, source: str, fmt: Format, catalog: Catalog | None, limits: DesignLimits
) -> tuple[CycleDesign | None, list[Problem]]:
    raw, problems = read_design_data(text, source, fmt, limits)
    if raw is None:
        return None, [
            p if p.line is not None or not p.path else
            Problem(source, p.path, p.message, line=_line_of(text, p.path, fmt),
                    allowed=p.allowed)
            for p in problems
        ]  # fmt: skip

    def located(found: Iterable[tuple[str, str, tuple[str, ...] | None]]) -> list[Problem]:
        # Lines are looked up for the problems that will be listed only.
        return [
            Problem(
                source,
                path,
                message,
                line=_line_of(text, path, fmt) if index <= limits.max_problems else None,
                allowed=allowed,
            )
            for index, (path, message, allowed) in enumerate(found)
        ]

    data, keys, shape_problems = _to_model_data(raw)
    if shape_problems:
        return None, located((p.path, p.message, p.allowed) for p in shape_problems)
    try:
        design = from_data(CycleDesign, data)
    except SerializationError as error:
        return None, located(_problem_from(item, keys) for item in error.problems)
    found = design_problems(design, catalog=catalog, source=source)
    return design, located((p.path, p.message, p.allowed) for p in found)


def parse_design(
    text: str,
    *,
    source: str = "design.toml",
    fmt: Format | None = None,
    catalog: Catalog | None = None,
    limits: DesignLimits | None = None,
) -> CycleDesign:
    """The design in ``text``; :class:`DesignError` with every problem otherwise."""
    design, problems = _parse(text, source, _format_of(source, fmt), catalog, limits)
    if problems or design is None:
        raise DesignError(problems)
    return design


def load_design(
    path: str | Path, *, catalog: Catalog | None = None, limits: DesignLimits | None = None
) -> CycleDesign:
    """Read and validate a design file (``.toml`` or ``.json``).

    At most ``limits.max_bytes`` are read (1 MiB by default), so a device or a huge file is
    refused without reading it whole.
    """
    limits = limits if limits is not None else DesignLimits()
    return parse_design(
        read_design_text(path, limits=limits),
        source=str(path),
        catalog=catalog,
        limits=limits,
    )


def read_design_text(path: str | Path, *, limits: DesignLimits | None = None) -> str:
    """The text of a design file, read as :func:`load_design` reads it: at most
    ``limits.max_bytes``, as UTF-8 (after a byte order mark, if the file starts with one); a
    file that cannot be read raises :class:`DesignError`."""
    max_bytes = (limits if limits is not None else DesignLimits()).max_bytes

    def refuse(message: str, allowed: Iterable[str] | None = None) -> DesignError:
        return DesignError([Problem(str(path), "", message, allowed=allowed)])

    try:
        data = read_at_most(path, max_bytes)
    except OSError as error:
        raise refuse(f"cannot be read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise refuse(
            f"is larger than {max_bytes} bytes", allowed=(f"at most max_bytes={max_bytes}",)
        )
    # A byte order mark, as some editors write before UTF-8, is no part of the text.
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        start = bom + error.start
        line = data.count(b"\n", 0, start) + 1
        raise DesignError(
            [Problem(str(path), "", f"is not UTF-8 text (byte {start + 1})", line=line)]
        ) from None


def validate_design(
    path: str | Path, *, catalog: Catalog | None = None, limits: DesignLimits | None = None
) -> list[Problem]:
    """Every problem of a design file; an empty list means it is valid."""
    try:
        load_design(path, catalog=catalog, limits=limits)
    except DesignError as error:
        return list(error.problems)
    return []


def _without_defaults(data: Any, default: Any) -> Any:
    if isinstance(data, dict) and isinstance(default, dict):
        return {
            key: _without_defaults(value, default.get(key))
            for key, value in data.items()
            if key not in default or value != default[key]
        }
    return data


def _field_defaults(cls: type) -> dict[str, Any]:
    """The unstructured default of each field of the attrs class ``cls`` that has one."""
    defaults = {}
    for attribute in attrs.fields(cls):
        if attribute.default is attrs.NOTHING:
            continue
        default = attribute.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        defaults[attribute.name] = to_data(default)
    return defaults


def _kind_defaults() -> dict[str, dict[str, Any]]:
    """Per cadence ``kind``: the unstructured default of each field that has one."""
    return {cls.KIND: _field_defaults(cls) for cls in get_args(Cadence)}


def _catalog_data(data: dict[str, Any]) -> dict[str, Any]:
    """The ``[catalog]`` table without the default values of its types and questions."""
    type_defaults = _field_defaults(ConversationType)
    question_defaults = _field_defaults(Question)
    result = dict(data)
    if "types" in result:
        result["types"] = [_without_defaults(item, type_defaults) for item in result["types"]]
    if "question_sets" in result:
        result["question_sets"] = [
            {
                **item,
                "questions": [
                    _without_defaults(question, question_defaults) for question in item["questions"]
                ],
            }
            for item in result["question_sets"]
        ]
    return result


def _without_kind_defaults(data: Any, defaults: dict[str, dict[str, Any]]) -> Any:
    """Leave out the default values of tagged cadences too, wherever they are nested.

    Only defaults go: a ``None`` that is not a default (``Threshold.after = None``) is kept.
    """
    if isinstance(data, dict):
        own = defaults.get(data["kind"], {}) if isinstance(data.get("kind"), str) else {}
        return {
            key: _without_kind_defaults(value, defaults)
            for key, value in data.items()
            if key not in own or value != own[key]
        }
    if isinstance(data, list):
        return [_without_kind_defaults(item, defaults) for item in data]
    return data


def _first_none(data: Any, path: str = "") -> str | None:
    if data is None:
        return path
    items: Iterable[tuple[str, Any]] = ()
    if isinstance(data, dict):
        items = ((f"{path}.{key}" if path else str(key), value) for key, value in data.items())
    elif isinstance(data, list):
        items = ((f"{path}[{index}]", value) for index, value in enumerate(data))
    for where, value in items:
        found = _first_none(value, where)
        if found is not None:
            return found
    return None


def _file_data(design: CycleDesign) -> dict[str, Any]:
    data: dict[str, Any] = to_data(design)
    baseline = to_data(CycleDesign(name=design.name, cycle_start=design.cycle_start))
    types = {}
    for rule, rule_data in zip(design.types, data.pop("types"), strict=True):
        rule_default = to_data(TypeRule(type=rule.type))
        body = _without_defaults(rule_data, rule_default)
        body.pop("type", None)
        for item in body.get("follow_ups", ()):
            if item.get("type_key") == rule.type:
                del item["type_key"]
        types[rule.type] = body
    result = _without_defaults(data, baseline)
    if "catalog" in result:
        result["catalog"] = _catalog_data(result["catalog"])
    result["name"], result["cycle_start"] = data["name"], data["cycle_start"]
    result["types"] = types
    ordered = {key: result.pop(key) for key in ("name", "version", "cycle_start") if key in result}
    return {**ordered, **result}


def _toml_values(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _toml_values(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_toml_values(item, key) for item in value]
    if isinstance(value, str) and key in {"cycle_start", "start", "end"}:
        return date.fromisoformat(value)
    return value


def dump_design(design: CycleDesign, *, fmt: Format = "toml") -> str:
    """The design as file text; values equal to their defaults are left out.

    Writing TOML needs the ``toml`` extra (``pip install "gesprekscyclus[toml]"``); without
    it :class:`~gesprekscyclus.errors.MissingExtraError` says so (JSON needs nothing more).
    """
    data = _plain(_without_kind_defaults(_file_data(design), _kind_defaults()))
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    empty = _first_none(data)
    if empty is not None:
        raise InvalidValueError(
            empty, "is empty (null), which TOML cannot write; write the design as JSON instead"
        )
    try:
        import tomli_w  # noqa: PLC0415 - optional extra, imported when used
    except ImportError:
        raise MissingExtraError("tomli-w", "toml") from None
    # A TOML reader turns a carriage return + line feed inside a multi-line string into a
    # line feed; such text stays exact only as an escaped one-line string.
    multiline = not _has_carriage_return(data)
    return str(tomli_w.dumps(_toml_values(data), multiline_strings=multiline))


def _has_carriage_return(data: Any) -> bool:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\r" in value:
                return True
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False
