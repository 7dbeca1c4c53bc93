"""The one column vocabulary of every table this library produces.

The simulation tables (:mod:`gesprekscyclus.planning.simulation`) and the analyst's
DataFrames (:mod:`gesprekscyclus.analysis`) name the same thing the same way: an employee is
always ``employee_id`` (with ``employee_name``), a type always ``type_key`` (with
``type_label``), and so on. :data:`COLUMNS` lists every column with its meaning; a comparison
of two simulations suffixes a measure with ``_a``, ``_b`` and ``_difference`` (b minus a).

>>> COLUMNS["moved_by"]
'why the target differs from the nominal date (see MOVE_REASONS); empty when it does not'
>>> sorted({"employee_id", "type_key", "manager_id"} - set(COLUMNS))
[]
"""

from __future__ import annotations

__all__ = ["COLUMNS", "COMPARISON_SUFFIXES"]

#: Every column name used by a table, with its meaning.
COLUMNS: dict[str, str] = {
    # who
    "id": "the planned conversation's stable id (from employee, type and occurrence)",
    "employee_id": "the employee's id",
    "employee_name": "the employee's display name",
    "manager_id": "the manager's id on the conversation's day (empty for the top)",
    "manager_name": "the manager's display name",
    "team": "the employee's team label, if any",
    "has_manager": "whether the person has a manager (the top of the organisation has none)",
    # what
    "type_key": "the conversation type's stable key, e.g. check_in",
    "type_label": "the conversation type's label in the chosen language",
    "origin": "what caused the conversation: cadence, absence or follow_up",
    "occurrence": "the rhythm's stable key of this occurrence",
    "design": "the cycle design's name",
    "design_version": "the cycle design's version number",
    # when
    "nominal": "the date the rhythm or trigger gives, before moving to a working day",
    "earliest": "the first day of the conversation's window",
    "target": "the planned day, inside [earliest, latest]",
    "latest": "the last day of the window; after it the conversation is overdue",
    "starts_at": "the planned start as an aware date-time, when the design fixes a time",
    "reason": "why the rules left an occurrence out of the plan",
    "moved_by": "why the target differs from the nominal date (see MOVE_REASONS); "
    "empty when it does not",
    "iso_year": "the ISO year of the target's week",
    "iso_week": "the ISO week number of the target",
    "week_start": "the Monday of that ISO week",
    "year": "the calendar year of the target",
    "month": "the calendar month (1-12) of the target",
    "month_start": "the first day of that month",
    # how much
    "conversations": "how many conversations",
    "minutes": "the conversations' duration in minutes (from the catalog)",
    "hours": "minutes / 60",
    "rank": "1 for the busiest row, 2 for the next, ...",
    # coverage
    "types": "the conversation types someone had, sorted",
    "longest_gap_days": "the longest stretch in days without a conversation, counting the "
    "horizon's edges (within the employment)",
    "target_gap_days": "the longest gap that still counts as covered",
    "within_target": "whether longest_gap_days is at most target_gap_days (empty for "
    "people without a manager: they are not counted)",
    "people": "how many people the row counts (employed in the horizon, with a manager "
    "where the type needs one)",
    "people_with_conversation": "how many of them had at least one such conversation",
    "share_within_target": "the share (0-1) of those people within the target gap",
    "busiest_week_hours": "the hours of the manager's busiest ISO week",
    "median_gap_days": "the median of their longest gaps",
    # cycle health and early signals (from a store)
    "quarter": "the calendar quarter (1-4) of the period",
    "period_start": "the first day of the row's period (month, quarter or year)",
    "outcome": "where a stored conversation stands (held_on_time, held_outside_window, "
    "missed, cancelled, overdue, open)",
    "held_on_time": "conversations held on a day inside their window",
    "held_outside_window": "conversations held before their earliest or after their latest day",
    "missed": "conversations marked missed",
    "cancelled": "conversations cancelled (they do not count as due)",
    "overdue": "conversations still open after their latest day",
    "open": "conversations (or action items) still open and not yet past their date",
    "planned": "every stored conversation the row counts (the sum of the outcomes)",
    "held": "held_on_time + held_outside_window",
    "due": "held + missed + overdue: what should have happened by now",
    "on_time_rate": "held_on_time / due (0-1; empty when nothing is due)",
    "held_rate": "held / due (0-1; empty when nothing is due)",
    "reports": "shared reports that need the employee's sign-off",
    "signed": "of those, signed as agreed or as seen",
    "refused": "of those, sign-off refused (with a reason)",
    "awaiting": "of those, neither signed nor refused yet",
    "sign_off_rate": "signed / reports (0-1)",
    "median_days_to_sign_off": "the median days from sharing a report to its signing",
    "items": "action items agreed in the row's conversations",
    "done_on_time": "action items completed by their due date (or without one)",
    "done_late": "action items completed after their due date",
    "dropped": "action items dropped (with a reason)",
    "open_overdue": "open action items past their due date",
    "carried": "action items moved to a later conversation at least once",
    "escalated": "action items escalated (to HR)",
    "done_on_time_rate": "done_on_time / (done + open_overdue) (0-1)",
    "met_on_time": "Poortwachter conversations held on or before their legal deadline (latest)",
    "met_late": "Poortwachter conversations held after their legal deadline",
    "question_key": "the stable key of the question answered",
    "answers": "how many answers the row counts",
    "mean": "the mean answer (yes counts as 1, no as 0)",
    "share_yes": "for a yes/no question: the share (0-1) of yes answers",
    "kind": "the kind of signal: workload_rising, considering_leaving_repeated, "
    "low_wellbeing_no_follow_up",
    "group_people": "the distinct people whose answers a signal looked at (at least the "
    "minimum group size)",
    "evidence": "what a signal is based on, in counts and means (never a person)",
    "responses": "how many checks after a conversation the row counts (the employee's voice)",
    "heard": "the mean answer (1-5) to 'did you feel heard?' in the checks the row counts",
    "useful": "the mean answer (1-5) to 'was this conversation useful to you?'",
    "clear_agreements": "the mean answer (1-5) to 'is it clear what was agreed?'",
    "case_start": "the first sick day of the absence case (with samentelling)",
    "milestone": "the stable key of a Poortwachter milestone, e.g. plan_of_action",
    "title": "the milestone's title in the chosen language",
    "basis": "how binding the milestone is: law, guidance or practice",
    "deadline": "the milestone's legal or advised deadline",
    "conversation_id": "the id of the stored conversation that meets the milestone (empty "
    "when it is no conversation)",
    "held_on": "the local day the conversation was held",
    "status": "what became of the milestone: met_on_time, met_late, missed, overdue, open, "
    "not_planned, not_recorded",
    # comparisons
    "measure": "the name of a headline figure",
    "a": "the figure for the first design",
    "b": "the figure for the second design",
    "difference": "b minus a",
}

#: How a comparison names a measure of the first and second design and their difference.
COMPARISON_SUFFIXES = ("_a", "_b", "_difference")
