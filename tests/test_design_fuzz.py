"""Fuzz target for the design loader: any text in, a design or problems out, nothing else.

Short by default (the loaded hypothesis profile decides, as for every property); longer on
demand: ``GESPREKSCYCLUS_FUZZ=long`` runs 20,000 examples per target and
``GESPREKSCYCLUS_FUZZ=<number>`` that many. Whatever the text, :func:`validate_design_text`
returns problems (each naming the file) and :func:`parse_design` returns a design or raises
:class:`~gesprekscyclus.errors.DesignError`: no other exception, no message of the kind
"unknown error", and never more problems than the limit lists.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.errors import DesignError, Problem
from gesprekscyclus.planning.design_file import (
    DesignLimits,
    dump_design,
    parse_design,
    validate_design_text,
)

from . import strategies as gs
from .fuzzing import fuzz
from .test_design_file import VALID

LIMITS = DesignLimits(max_problems=20)

#: Pieces that have broken loaders before, mixed with any text.
_FRAGMENTS = st.sampled_from(
    [
        "[",
        "]",
        "{",
        "}",
        "[[",
        "]]",
        "=",
        ",",
        ".",
        '"',
        "'",
        '"""',
        "'''",
        "#",
        "\n",
        "\\",
        "\x00",
        "\ud800",
        "9" * 400,
        "1e400",
        "nan",
        "-inf",
        "true",
        "2026-02-30",
        "9999-12-31",
        "٢٠٢٦",
        "types.check_in",
        "[types.check_in]",
        "cadence = [",
        '{ kind = "rrule", rule = "',
        "FREQ=DAILY;COUNT=١٠",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "window_after = ",
        "version = ",
        "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a",
    ]
)
_TEXT = st.lists(st.text(max_size=20) | _FRAGMENTS, max_size=40).map("".join)


def _check(problems: list[Problem], source: str) -> None:
    assert isinstance(problems, list)
    assert len(problems) <= LIMITS.max_problems + 1
    for problem in problems:
        assert isinstance(problem, Problem)
        text = str(problem)
        assert text.startswith(source)
        assert "unknown error" not in text
        assert "has no attribute" not in text


def _both_ways(text: str, source: str) -> None:
    problems = validate_design_text(text, source=source, limits=LIMITS)
    _check(problems, source)
    if not problems:
        parse_design(text, source=source, limits=LIMITS)
        return
    with pytest.raises(DesignError) as caught:
        parse_design(text, source=source, limits=LIMITS)
    assert list(caught.value.problems) == problems


@fuzz
@given(_TEXT)
def test_any_text_gives_a_design_or_problems_as_toml(text: str) -> None:
    _both_ways(text, "fuzz.toml")


@fuzz
@given(_TEXT)
def test_any_text_gives_a_design_or_problems_as_json(text: str) -> None:
    _both_ways(text, "fuzz.json")


@fuzz
@given(st.integers(0, len(VALID)), st.integers(0, 40), _TEXT)
def test_an_edited_valid_design_gives_a_design_or_problems(
    at: int, cut: int, inserted: str
) -> None:
    _both_ways(VALID[:at] + inserted + VALID[at + cut :], "edited.toml")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_KEYS = st.sampled_from(
    [
        "name",
        "cycle_start",
        "version",
        "capacity",
        "calendar",
        "interactions",
        "after_notice",
        "default_time",
        "carry_over_limit",
        "absence_handled_elsewhere",
        "types",
    ]
)
_TYPE_KEYS = st.sampled_from(
    ["cadence", "population", "window_before", "window_after", "follow_ups", "reminders", "time"]
)


@fuzz
@given(gs.cycle_designs(), _KEYS | _TYPE_KEYS, _JSON)
def test_a_valid_design_with_one_value_replaced_gives_a_design_or_problems(
    design: Any, key: str, value: Any
) -> None:
    data = json.loads(dump_design(design, fmt="json"))
    if key in ("cadence", "population", "window_before", "window_after", "follow_ups",
               "reminders", "time"):  # fmt: skip
        first = next(iter(data["types"]))
        data["types"][first][key] = value
    else:
        data[key] = value
    _both_ways(json.dumps(data), "replaced.json")
