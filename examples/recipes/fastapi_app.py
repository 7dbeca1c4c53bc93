"""A FastAPI application whose lifespan runs the library's worker beside the requests.

The worker runs in a thread of its own (its store calls block) and stops when the
application shuts down: the lifespan sets its stop event and waits for the round in
progress. Run it with ``uvicorn fastapi_app:app``; with several uvicorn workers each runs a
library worker, which is safe (claims are exactly-once).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from hr_jobs import make_worker


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    worker = make_worker(interval=30.0)
    stop = threading.Event()
    running = asyncio.create_task(asyncio.to_thread(worker.run, stop))
    app.state.worker, app.state.worker_task = worker, running
    try:
        yield
    finally:
        stop.set()
        totals = await running
        worker.service.store.close()
        app.state.worker_totals = totals


app = FastAPI(lifespan=lifespan)


@app.get("/health/worker")
def worker_health() -> dict[str, object]:
    """Whether the worker runs, and what waits in its outbox."""
    stats = app.state.worker.service.store.outbox_stats()
    return {
        "running": not app.state.worker_task.done(),
        "pending": stats.pending,
        "dead": stats.dead,
    }
