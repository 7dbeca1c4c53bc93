"""APScheduler 4 runs the tick every five minutes in the application's own process.

The memory data store is enough: the schedule is declared at start-up, and the library's
store (not the scheduler's) keeps the work. Run it with ``python apscheduler_app.py``, or
call ``start(scheduler)`` from your application's start-up.
"""

from __future__ import annotations

from datetime import timedelta

from apscheduler import ConflictPolicy, Scheduler
from apscheduler.triggers.interval import IntervalTrigger
from hr_jobs import run_tick


def start(scheduler: Scheduler, every: timedelta = timedelta(minutes=5)) -> None:
    """Add the tick to ``scheduler`` (first run at once, then every ``every``) and start it."""
    scheduler.add_schedule(
        run_tick,
        IntervalTrigger(seconds=every.total_seconds()),
        id="gesprekscyclus-tick",
        conflict_policy=ConflictPolicy.replace,
    )
    scheduler.start_in_background()


if __name__ == "__main__":
    with Scheduler() as main_scheduler:
        start(main_scheduler)
        main_scheduler.wait_until_stopped()
