"""The background work of an HR application, as every recipe runs it.

``run_tick()`` does one pass (plan the coming year, queue the reminders due now, send one
batch, purge what retention no longer allows); ``make_worker()`` gives a worker that does the
same in a loop until it is stopped. Both build the service from the environment:

- ``GESPREKSCYCLUS_DB``: the store URL (and ``GESPREKSCYCLUS_DB_SCHEMA`` for a schema);
- ``HR_WEBHOOK_URL`` and ``HR_WEBHOOK_SECRET`` (one ``whsec_…`` secret, or two during a
  rotation): where the reminders go, as Standard Webhooks.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime

from gesprekscyclus.adapters.notifiers.webhook import WebhookNotifier
from gesprekscyclus.bootstrap import build_service
from gesprekscyclus.ports.clock import SystemClock
from gesprekscyclus.service.app import ConversationService, TickReport, tick
from gesprekscyclus.service.dispatch import Dispatcher
from gesprekscyclus.service.worker import Worker


def open_service() -> ConversationService:
    """The service on the store the environment names (close ``service.store`` after use)."""
    return build_service(
        os.environ["GESPREKSCYCLUS_DB"],
        schema=os.environ.get("GESPREKSCYCLUS_DB_SCHEMA") or None,
    )


def dispatcher_for(service: ConversationService) -> Dispatcher:
    """Sends the service's outbox to the HR system's webhook."""
    notifier = WebhookNotifier(
        os.environ["HR_WEBHOOK_URL"], secret=os.environ["HR_WEBHOOK_SECRET"].split()
    )
    owner = f"{socket.gethostname()}:{os.getpid()}"
    return Dispatcher(service.store, notifier, SystemClock(), owner=owner)


def run_tick() -> TickReport:
    """One pass of the background work, now."""
    service = open_service()
    try:
        return tick(service, dispatcher_for(service), datetime.now(UTC))
    finally:
        service.store.close()


def make_worker(*, interval: float = 30.0) -> Worker:
    """A worker on its own service; close ``worker.service.store`` when it has stopped."""
    service = open_service()
    return Worker(service, dispatcher_for(service), interval=interval)
