"""``python manage.py gesprekscyclus_tick``: one tick, from cron or any scheduler.

``--loop`` keeps running (the library's worker) until SIGTERM or SIGINT, for a process
manager such as systemd or supervisord.
"""

from __future__ import annotations

import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from hr_jobs import make_worker, run_tick

from gesprekscyclus.service.dispatch import stop_on_signals


class Command(BaseCommand):
    help = "Plan, remind and send: one pass of the gesprekscyclus background work."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", action="store_true", help="run until stopped")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["loop"]:
            stop = threading.Event()
            stop_on_signals(stop)
            worker = make_worker()
            try:
                totals = worker.run(stop)
            finally:
                worker.service.store.close()
            self.stdout.write(f"worker stopped; {totals.dispatched.sent} sent")
            return
        report = run_tick()
        self.stdout.write(
            f"planned {report.materialised.added}, queued {report.reminders.enqueued},"
            f" sent {report.dispatched.sent}"
        )
