"""Several worker processes dispatching one PostgreSQL outbox: exactly once, and crash-safe.

The workers record their deliveries as :mod:`tests.dispatch_support` describes.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gesprekscyclus.testing.contract import make_notification

from .dispatch_support import (
    BATCH_SIZE,
    MESSAGES,
    delivered,
    dispatch_until_empty,
    message_keys,
    start_workers,
)
from .postgres_support import drop_schema, new_schema_name, open_store, require_postgres

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

WORKERS = 4


def run_worker(schema: str, out: str, owner: str, delay: float, lease_seconds: float) -> None:
    """Dispatch until the outbox is empty (the body of one worker process)."""
    dispatch_until_empty(open_store(schema, pool_size=1), out, owner, delay, lease_seconds)


@pytest.fixture
def schema() -> Iterator[str]:
    """A new schema holding an outbox of :data:`MESSAGES` due notifications."""
    require_postgres()
    name = new_schema_name()
    store = open_store(name)
    try:
        with store.unit_of_work() as uow:
            uow.outbox.enqueue(
                [make_notification(key) for key in message_keys()],
                due_at=datetime(2020, 1, 1, tzinfo=UTC),
            )
        store.close()
        yield name
    finally:
        store.close()
        drop_schema(name)


def _stats(schema: str) -> tuple[int, int, int, int]:
    store = open_store(schema, pool_size=1)
    stats = store.outbox_stats()
    store.close()
    return stats.sent, stats.pending, stats.leased, stats.dead


def test_four_workers_deliver_every_key_exactly_once(schema: str, tmp_path: Path) -> None:
    outs = [tmp_path / f"worker-{n}.jsonl" for n in range(WORKERS)]
    workers = start_workers(run_worker, schema, outs, [0.0] * WORKERS, 10.0)
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    per_worker = [delivered(out) for out in outs]
    assert Counter(key for keys in per_worker for key in keys) == Counter(message_keys())
    assert all(keys for keys in per_worker), "every worker got a share"
    assert _stats(schema) == (MESSAGES, 0, 0, 0)


def test_a_killed_worker_loses_nothing_and_repeats_at_most_its_batch_in_flight(
    schema: str, tmp_path: Path
) -> None:
    outs = [tmp_path / f"worker-{n}.jsonl" for n in range(WORKERS)]
    # The first worker is slow, so it is certainly mid-batch when it is killed; the short
    # lease lets the others take over its claims soon after.
    workers = start_workers(run_worker, schema, outs, [0.003, 0.0, 0.0, 0.0], 2.0)
    victim = workers[0]
    assert victim.pid is not None
    deadline = time.monotonic() + 60
    while len(delivered(outs[0])) < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(10)
    assert victim.exitcode == -signal.SIGKILL
    for worker in workers[1:]:
        worker.join(120)
        assert worker.exitcode == 0

    killed = delivered(outs[0])
    counts = Counter(key for out in outs for key in delivered(out))
    assert set(counts) == set(message_keys()), "every key was delivered"
    repeated = [key for key, seen in counts.items() if seen > 1]
    assert len(repeated) <= BATCH_SIZE, repeated
    assert all(counts[key] == 2 and key in killed[-BATCH_SIZE:] for key in repeated)
    assert _stats(schema) == (MESSAGES, 0, 0, 0)
