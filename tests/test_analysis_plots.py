"""Every plot draws in one call, returns its Axes and renders to a non-empty PNG."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable, Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.axes import Axes

from gesprekscyclus import analysis
from gesprekscyclus.planning.simulation import simulate

from .test_analysis_frames import PEOPLE, reference_year, small_design

PLOTS: list[Callable[..., Axes]] = [
    analysis.plot_load_heatmap,
    analysis.plot_types_per_month,
    analysis.plot_coverage_gaps,
    analysis.plot_busiest_weeks,
]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def png(ax: Axes) -> bytes:
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png")
    return buffer.getvalue()


@pytest.mark.parametrize("draw", PLOTS, ids=lambda draw: draw.__name__)
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_each_plot_renders_with_a_title_in_the_language(draw, locale: str) -> None:  # type: ignore[no-untyped-def]
    ax = draw(reference_year(), locale=locale)
    assert isinstance(ax, Axes)
    image = png(ax)
    assert image.startswith(PNG)
    assert len(image) > 5_000
    title = ax.get_title()
    assert title
    dutch = any(word in title for word in ("Uren", "Gesprekken", "Langste", "Drukste"))
    assert dutch is (locale == "nl"), title


def test_a_plot_draws_into_a_given_axes() -> None:
    _figure, (left, right) = plt.subplots(1, 2)
    assert analysis.plot_busiest_weeks(reference_year(), top=3, ax=left) is left
    assert analysis.plot_coverage_gaps(reference_year(), ax=right) is right
    assert len(left.patches) == 3


def test_the_heatmap_has_a_row_per_manager_and_a_column_per_month() -> None:
    ax = analysis.plot_load_heatmap(reference_year(), locale="en")
    managers = {p.manager_id for p in reference_year().people if p.manager_id}
    assert len(ax.get_yticklabels()) == len(managers)
    assert [label.get_text() for label in ax.get_xticklabels()][:2] == ["Jan 2027", "Feb 2027"]


@pytest.mark.parametrize("draw", PLOTS, ids=lambda draw: draw.__name__)
def test_an_empty_plan_says_so_instead_of_failing(draw) -> None:  # type: ignore[no-untyped-def]
    nobody_managed = [person for person in PEOPLE if person.manager_id is None]
    empty = simulate(small_design(), nobody_managed, start="2026-01-01", end="2026-01-31")
    ax = draw(empty, locale="en")
    assert png(ax).startswith(PNG)


def test_without_the_extra_the_error_names_it() -> None:
    code = (
        "import sys, importlib.util\n"
        "real = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a: None if name == 'pandas' else real(name, *a)\n"
        "import gesprekscyclus\n"
        "try:\n"
        "    gesprekscyclus.plan_frame\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, error)\n"
        "print('pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.splitlines() == [
        "MissingExtraError this needs pandas, which is not installed: pip install "
        '"gesprekscyclus[notebook]"',
        "False",
    ]
