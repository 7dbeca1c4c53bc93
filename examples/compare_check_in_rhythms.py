"""What does a monthly check-in cost each manager, compared with a quarterly one?

An HR analyst's question, answered on the reference organisation that ships with the library.
Run it as a script, or paste the cells into a notebook (``pandas.DataFrame(rows)`` takes every
table as it is):

    python examples/compare_check_in_rhythms.py
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import attrs

from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.examples import load_reference
from gesprekscyclus.planning.simulation import compare

# %% The reference design (monthly check-ins) and a variant with quarterly check-ins.
design, people, events = load_reference()
monthly = design
quarterly = attrs.evolve(
    design,
    name="quarterly check-ins",
    types=tuple(
        attrs.evolve(rule, cadence=(Interval(every=3, unit="months", anchor="cycle_start"),))
        if rule.type == "check_in"
        else rule
        for rule in design.types
    ),
)

# %% Simulate both for the same people over the design's year.
start = design.cycle_start
end = date(start.year, 12, 31)
result = compare(monthly, quarterly, people, events, start=start, end=end)

print(f"{'measure':<32}{'monthly':>10}{'quarterly':>11}{'change':>9}")
for row in result.rows():
    print(f"{row['measure']:<32}{row['a']:>10}{row['b']:>11}{row['difference']:>9}")

# %% Hours per manager over the year: where does the load land?
names = {person.id: person.name for person in people}


def hours_per_manager(rows: list[dict[str, object]]) -> dict[str, float]:
    minutes: dict[str, int] = defaultdict(int)
    for row in rows:
        minutes[str(row["manager_id"])] += int(str(row["minutes"]))
    return {manager: total / 60 for manager, total in minutes.items()}


before, after = hours_per_manager(result.a.load), hours_per_manager(result.b.load)
print(f"\n{'manager':<24}{'monthly h':>10}{'quarterly h':>12}")
for manager in sorted(before, key=lambda m: -before[m]):
    print(
        f"{names.get(manager, manager):<24}{before[manager]:>10.1f}{after.get(manager, 0):>12.1f}"
    )

# %% Who has the longest stretch without a conversation under each rhythm?
gaps = {row["employee_id"]: row["longest_gap_days"] for row in result.b.coverage}
longest = max(gaps, key=lambda person_id: (gaps[person_id], person_id))
print(f"\nlongest gap with quarterly check-ins: {names[longest]}, {gaps[longest]} days")
