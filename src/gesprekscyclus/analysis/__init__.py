"""The analyst's toolkit: a simulation as pandas DataFrames, comparisons, what-ifs and plots.

Needs the optional ``notebook`` extra (``pip install "gesprekscyclus[notebook]"``: pandas and
matplotlib); without it, importing this package raises
:class:`~gesprekscyclus.errors.MissingExtraError` naming the extra. The rest of the library
never imports it.

Every table uses the column names of :data:`gesprekscyclus.planning.columns.COLUMNS`;
``docs/analysis.md`` documents them all in one place.

>>> from gesprekscyclus import analysis, simulate
>>> from gesprekscyclus.examples import load_reference
>>> design, people, events = load_reference()
>>> year = simulate(design, people, events, start="2027-01-01", end="2027-12-31")
>>> frame = analysis.plan_frame(year, locale="en")
>>> first = frame.loc[0]  # New Year's Day is a holiday: the check-in moves to Monday
>>> first.employee_name, first.type_label, first.nominal.date(), first.target.date(), first.moved_by
('Niels van Rijn', 'Check-in', datetime.date(2027, 1, 1), datetime.date(2027, 1, 4), 'holiday')
>>> analysis.load_per_manager(year, period="month").columns.tolist()
['manager_id', 'manager_name', 'year', 'month', 'month_start', 'conversations', 'minutes', \
'hours']
"""

from __future__ import annotations

import importlib.util

from gesprekscyclus.errors import MissingExtraError

for _package in ("pandas", "matplotlib"):
    if importlib.util.find_spec(_package) is None:
        raise MissingExtraError(_package, "notebook")

from gesprekscyclus.analysis.compare import (  # noqa: E402 - only once the extra is known present
    compare_per_employee,
    compare_per_manager,
    compare_summary,
)
from gesprekscyclus.analysis.coverage import coverage_per_person, coverage_per_type  # noqa: E402
from gesprekscyclus.analysis.frames import plan_frame, skipped_frame  # noqa: E402
from gesprekscyclus.analysis.from_pandas import events_from_frame, people_from_frame  # noqa: E402
from gesprekscyclus.analysis.health import (  # noqa: E402
    answer_trends,
    conversation_quality,
    cycle_health,
    early_signals,
    follow_through,
    missed_conversations,
    poortwachter_health,
    poortwachter_milestones,
    sign_off_health,
)
from gesprekscyclus.analysis.load import (  # noqa: E402
    busiest_weeks,
    load_per_manager,
    load_per_type,
)
from gesprekscyclus.analysis.plots import (  # noqa: E402
    plot_busiest_weeks,
    plot_coverage_gaps,
    plot_health_over_time,
    plot_load_heatmap,
    plot_signal_trends,
    plot_types_per_month,
)
from gesprekscyclus.analysis.whatif import (  # noqa: E402
    everyone_full_time,
    resimulate,
    split_team,
    with_capacity,
    without_holidays,
)

__all__ = [
    "answer_trends",
    "busiest_weeks",
    "compare_per_employee",
    "compare_per_manager",
    "compare_summary",
    "conversation_quality",
    "coverage_per_person",
    "coverage_per_type",
    "cycle_health",
    "early_signals",
    "events_from_frame",
    "everyone_full_time",
    "follow_through",
    "load_per_manager",
    "load_per_type",
    "missed_conversations",
    "people_from_frame",
    "plan_frame",
    "plot_busiest_weeks",
    "plot_coverage_gaps",
    "plot_health_over_time",
    "plot_load_heatmap",
    "plot_signal_trends",
    "plot_types_per_month",
    "poortwachter_health",
    "poortwachter_milestones",
    "resimulate",
    "sign_off_health",
    "skipped_frame",
    "split_team",
    "with_capacity",
    "without_holidays",
]
