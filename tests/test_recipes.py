"""The recipes of docs/recipes.md, run with the real packages.

Each recipe file under ``examples/recipes/`` is shown whole in docs/recipes.md (checked here)
and run here against a real SQLite store holding the reference design and people, with the
reminders going to a real HTTP receiver that verifies them with the ``standardwebhooks``
package. A recipe has worked when the store holds the planned year. Celery beat's scheduler
sends the schedule entry through the local Redis to a real worker when Redis answers (the
task runs in eager mode otherwise); APScheduler 4 runs with its memory store; Django runs
the management command through ``call_command``; FastAPI runs its lifespan under a real
uvicorn server; the crontab line's command runs in a shell.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import shlex
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from gesprekscyclus.adapters.notifiers.webhook import generate_secret
from gesprekscyclus.bootstrap import build_service, open_store
from gesprekscyclus.examples import directory
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.planning.people_file import read_people

ROOT = Path(__file__).resolve().parent.parent
RECIPES = ROOT / "examples" / "recipes"
PAGE = ROOT / "docs" / "recipes.md"
SECRET = generate_secret()
#: How long to wait, polling, for a recipe's first tick (a guard against a hang, never a
#: timed assertion: a tick on this store takes well under a second).
PATIENCE_SECONDS = 120.0


class Receiver(BaseHTTPRequestHandler):
    server: Any

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Webhook(SECRET).verify(body, dict(self.headers.items()))
        self.server.received.append(body)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def hr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The environment every recipe reads: a store with the reference design and people,
    and a webhook receiver. Yields the store URL."""
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    service = build_service(url, design=load_design(directory() / "reference-design.toml"))
    service.apply_design(service.design, applied_by="hr-1")
    for person in read_people(directory() / "people.csv"):
        service.upsert_person(person)
    service.store.close()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    httpd.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    monkeypatch.setenv("GESPREKSCYCLUS_DB", url)
    monkeypatch.delenv("GESPREKSCYCLUS_DB_SCHEMA", raising=False)
    monkeypatch.setenv("HR_WEBHOOK_URL", f"http://{host!s}:{port}/hooks")
    monkeypatch.setenv("HR_WEBHOOK_SECRET", SECRET)
    monkeypatch.syspath_prepend(str(RECIPES))
    yield url
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def planned(url: str) -> int:
    """How many conversations the store at ``url`` holds."""
    store = open_store(url)
    try:
        with store.unit_of_work() as uow:
            return len(uow.conversations.by_status(["planned", "scheduled"]))
    finally:
        store.close()


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"nothing happened within {PATIENCE_SECONDS} s")
        time.sleep(0.05)


def test_every_recipe_file_is_shown_whole_in_the_docs() -> None:
    page = PAGE.read_text("utf-8")
    files = sorted(
        path
        for path in RECIPES.rglob("*")
        if path.is_file() and path.name != "__init__.py" and "__pycache__" not in path.parts
    )
    assert len(files) >= 7
    for path in files:
        name = path.relative_to(RECIPES).as_posix()
        assert f"`examples/recipes/{name}`" in page, f"{name} is not named in {PAGE.name}"
        assert path.read_text("utf-8") in page, f"{name} differs from its copy in {PAGE.name}"


def _redis_answers() -> bool:
    try:
        import redis  # noqa: PLC0415 - the celery[redis] test extra

        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping())
    except Exception:
        return False


# The redis client deprecates calls that Celery's Redis result backend still makes.
@pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning")
def test_celery_beat_schedules_the_tick_and_a_worker_runs_it(hr: str) -> None:
    celery_app = importlib.import_module("celery_app")
    app = celery_app.app
    entry = app.conf.beat_schedule["gesprekscyclus-tick"]
    assert entry["schedule"] == 300.0
    assert entry["task"] in app.tasks
    if _redis_answers():
        from celery.beat import Scheduler  # noqa: PLC0415
        from celery.contrib.testing.worker import start_worker  # noqa: PLC0415

        app.conf.task_default_queue = f"gesprekscyclus-recipes-{uuid.uuid4().hex[:8]}"
        beat = Scheduler(app, lazy=True)
        beat.setup_schedule()
        with start_worker(app, perform_ping_check=False, loglevel="WARNING"):
            # What beat does when the entry is due: send it through the broker.
            result = beat.apply_async(beat.schedule["gesprekscyclus-tick"], advance=False)
            summary = result.get(timeout=PATIENCE_SECONDS)
        assert result.status == "SUCCESS"
    else:
        app.conf.task_always_eager = True
        summary = app.tasks[entry["task"]].delay().get()
    assert summary["added"] == planned(hr) > 0


def test_apscheduler_runs_the_tick_from_its_memory_store(hr: str) -> None:
    from apscheduler import Scheduler  # noqa: PLC0415

    recipe = importlib.import_module("apscheduler_app")
    with Scheduler() as scheduler:
        recipe.start(scheduler, every=timedelta(hours=1))
        assert [s.id for s in scheduler.get_schedules()] == ["gesprekscyclus-tick"]
        wait_for(lambda: planned(hr) > 0)


def test_a_django_management_command_runs_the_tick(hr: str) -> None:
    import django  # noqa: PLC0415
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    sys.path.insert(0, str(RECIPES / "django_project"))
    try:
        if not settings.configured:
            os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
            django.setup()
        out = io.StringIO()
        call_command("gesprekscyclus_tick", stdout=out)
    finally:
        sys.path.remove(str(RECIPES / "django_project"))
    assert out.getvalue().startswith(f"planned {planned(hr)}, queued ")
    assert planned(hr) > 0


def test_a_fastapi_lifespan_runs_the_worker_and_stops_it(hr: str) -> None:
    import uvicorn  # noqa: PLC0415

    recipe = importlib.import_module("fastapi_app")
    server = uvicorn.Server(
        uvicorn.Config(recipe.app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    wait_for(lambda: server.started)
    port = server.servers[0].sockets[0].getsockname()[1]
    wait_for(lambda: planned(hr) > 0)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/worker", timeout=30) as answer:
        health = json.loads(answer.read())
    assert health["running"] is True
    assert health["dead"] == 0
    server.should_exit = True
    serving.join(PATIENCE_SECONDS)
    assert not serving.is_alive()
    assert recipe.app.state.worker_totals.rounds >= 1
    assert recipe.app.state.worker_task.done()


def test_the_crontab_line_runs_a_tick(hr: str, tmp_path: Path) -> None:
    lines = [
        line
        for line in (RECIPES / "crontab").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    settings = dict(line.split("=", 1) for line in lines if "=" in line.split()[0])
    (job,) = [line for line in lines if "=" not in line.split()[0]]
    fields = job.split(None, 5)
    assert fields[:5] == ["*/5", "*", "*", "*", "*"]
    assert set(settings) >= {"GESPREKSCYCLUS_DB", "GESPREKSCYCLUS_WEBHOOK_SECRET"}
    environment = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path),
        **settings,
        # This machine's store and receiver instead of the example's.
        "GESPREKSCYCLUS_DB": hr,
        "GESPREKSCYCLUS_DB_SCHEMA": "",
        "GESPREKSCYCLUS_WEBHOOK_URL": os.environ["HR_WEBHOOK_URL"],
        "GESPREKSCYCLUS_WEBHOOK_SECRET": SECRET,
    }
    done = subprocess.run(
        ["/bin/sh", "-c", fields[5]], env=environment, capture_output=True, text=True, check=False
    )
    log = (tmp_path / "gesprekscyclus-tick.log").read_text("utf-8")
    assert done.returncode == 0, log
    assert log.startswith("materialised: "), log
    assert planned(hr) > 0
    assert shlex.split(fields[5])[:2] == ["gesprekscyclus", "tick"]
