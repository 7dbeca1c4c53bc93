"""Celery beat runs the tick every five minutes; any Celery worker executes it.

Start a worker and beat beside your application::

    celery -A celery_app worker --loglevel=info
    celery -A celery_app beat

Ticks may overlap or run on several workers at once: the library's store takes care of that
(planners take turns, claims are exactly-once).
"""

from __future__ import annotations

import os

from celery import Celery
from hr_jobs import run_tick

app = Celery(
    "hr",
    broker=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
    backend=os.environ.get("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/1"),
)
app.conf.beat_schedule = {
    "gesprekscyclus-tick": {"task": "hr.gesprekscyclus_tick", "schedule": 300.0},
}


@app.task(name="hr.gesprekscyclus_tick")
def gesprekscyclus_tick() -> dict[str, int]:
    """One tick; returns what it did (a JSON-friendly summary for the result backend)."""
    report = run_tick()
    return {
        "added": report.materialised.added,
        "reminders": report.reminders.enqueued,
        "sent": report.dispatched.sent,
    }
