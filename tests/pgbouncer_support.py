"""A real pgbouncer in transaction mode, started by the tests in front of the test server.

:func:`start_pgbouncer` writes a configuration into a fresh folder (listen on a free port of
127.0.0.1; the database ``test`` and, as a fallback, every other database of the test
server; ``pool_mode = transaction``; trust authentication) and runs the ``pgbouncer``
binary in the foreground until :meth:`Pgbouncer.stop`. When the binary is missing the tests
skip with the reason, except under ``CI=true``, where they fail
(``scripts/ensure-pgbouncer.sh`` installs it).

pgbouncer refuses to run as root; started as root it is told to switch to ``nobody``.

Run ``python -m tests.pgbouncer_support`` to start one by hand (it prints its DSN).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gesprekscyclus.domain.people import Person
from gesprekscyclus.testing.contract import T0, make_notification

from .postgres_support import require_postgres

#: Where Debian puts the binary (``/usr/sbin`` is not on every user's PATH).
_CANDIDATES = ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
#: How many times, 50 ms apart, to try a first connection before giving up (a start guard,
#: not a timed assertion).
_START_TRIES = 200
#: How many ports to try when another process took the one chosen.
_PORT_TRIES = 5


def pgbouncer_binary() -> str | None:
    """The pgbouncer executable, or ``None``."""
    found = shutil.which("pgbouncer")
    if found:
        return found
    return next((path for path in _CANDIDATES if os.access(path, os.X_OK)), None)


def require_pgbouncer() -> str:
    """The binary; skips the test when it is missing (fails it under ``CI=true``)."""
    binary = pgbouncer_binary()
    if binary is None:
        reason = (
            "pgbouncer is not installed (Debian: apt-get install pgbouncer;"
            " scripts/ensure-pgbouncer.sh does it)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return binary


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Pgbouncer:
    """A running pgbouncer: its DSN for the ``test`` database, and how to stop it."""

    dsn: str
    process: subprocess.Popen[bytes]
    folder: Path

    def dsn_for(self, database: str) -> str:
        """The DSN of another database of the server, through this pgbouncer."""
        return self.dsn.rsplit("/", 1)[0] + "/" + database

    def log(self) -> str:
        """What pgbouncer wrote so far."""
        return (self.folder / "pgbouncer.log").read_text("utf-8", "replace")

    def stop(self) -> None:
        """Stop pgbouncer and remove its folder."""
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_pgbouncer(*, pool_size: int = 5, max_clients: int = 200) -> Pgbouncer:
    """Start pgbouncer in transaction mode in front of the test server; see the module
    docstring. ``pool_size`` is the number of server connections it shares out.

    A free port may be taken by another process (another test run) between choosing it and
    pgbouncer binding it, so the bouncer counts as started only once its own log says that
    this very process listens on that port; when it could not bind, it is started again on
    another port.
    """
    binary = require_pgbouncer()
    target = require_postgres()
    failures = []
    for _ in range(_PORT_TRIES):
        bouncer, failure = _start_once(binary, target, pool_size, max_clients)
        if bouncer is not None:
            return bouncer
        failures.append(failure)
    pytest.fail("pgbouncer did not start:\n" + "\n".join(failures))


def _start_once(
    binary: str, target: str, pool_size: int, max_clients: int
) -> tuple[Pgbouncer | None, str]:
    from psycopg.conninfo import conninfo_to_dict  # noqa: PLC0415 - the postgres extra

    server = conninfo_to_dict(target)
    folder = Path(tempfile.mkdtemp(prefix="gc-pgbouncer-"))
    folder.chmod(0o755)
    port = _free_port()
    user = str(server.get("user", "postgres"))
    (folder / "users.txt").write_text(f'"{user}" ""\n', "utf-8")
    config = f"""\
[databases]
test = host={server.get("host", "127.0.0.1")} port={server.get("port", 5432)} \
dbname={server.get("dbname", "test")} user={user}
* = host={server.get("host", "127.0.0.1")} port={server.get("port", 5432)} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = {max_clients}
server_reset_query =
admin_users = {user}
log_connections = 0
log_disconnections = 0
ignore_startup_parameters = extra_float_digits
logfile = {folder / "pgbouncer.log"}
"""
    if os.geteuid() == 0:
        config += "user = nobody\n"
    ini = folder / "pgbouncer.ini"
    ini.write_text(config, "utf-8")
    for path in folder.iterdir():
        path.chmod(0o644)
    (folder / "pgbouncer.log").touch(0o666)
    (folder / "pgbouncer.log").chmod(0o666)
    # pgbouncer also logs to standard error: into a file, never a pipe nobody reads (a full
    # pipe would stop it).
    with (folder / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(  # the file stays open in the child
            [binary, str(ini)], stdout=subprocess.DEVNULL, stderr=stderr
        )
    bouncer = Pgbouncer(
        dsn=f"postgresql://{user}@127.0.0.1:{port}/test", process=process, folder=folder
    )
    import psycopg  # noqa: PLC0415 - the postgres extra

    listening = f"[{process.pid}] LOG listening on 127.0.0.1:{port}"
    for _ in range(_START_TRIES):
        if process.poll() is not None:
            error = (folder / "stderr.log").read_text("utf-8", "replace")
            log = bouncer.log()
            bouncer.stop()
            return None, f"port {port}: exited with {process.returncode}: {error}{log}"
        if listening not in bouncer.log():
            time.sleep(0.05)
            continue
        try:
            with psycopg.connect(bouncer.dsn, connect_timeout=2, autocommit=True) as connection:
                connection.execute("SELECT 1", prepare=False)
        except psycopg.OperationalError:
            time.sleep(0.05)
        else:
            return bouncer, ""
    log = bouncer.log()
    bouncer.stop()
    return None, f"port {port}: did not accept connections: {log}"


if __name__ == "__main__":
    running = start_pgbouncer()
    print(running.dsn, flush=True)
    try:
        running.process.wait()
    except KeyboardInterrupt:
        running.stop()


#: The parts of a failure's message that differ between units: statement and schema names.
_VARYING = re.compile(r"_pg3_\d+|'gc_\w+'")


def concurrent_units_of_work(store: Any, *, units: int = 240, threads: int = 8) -> Counter[str]:
    """Run ``units`` small units of work on ``store`` from ``threads`` threads at once (a
    write, an outbox message, a read back, a claim) and count the failures by the first
    line of their message; an empty counter means every unit succeeded.

    The same few statements run again and again on each connection, as in any application,
    so a driver that prepares statements does so after a handful of runs.
    """

    def one(number: int) -> str | None:
        person_id = f"e-{number:05d}"
        try:
            with store.unit_of_work() as uow:
                uow.people.upsert(Person(id=person_id, name="Anna", hire_date=date(2020, 1, 1)))
                uow.outbox.enqueue([make_notification(f"k-{number:05d}")], due_at=T0)
            with store.unit_of_work() as uow:
                if uow.people.get(person_id).id != person_id:
                    return "read another person back"
            store.claim_due(f"w-{number}", now=T0, limit=1, lease_seconds=30)
        except Exception as error:
            message = _VARYING.sub("…", str(error).splitlines()[0])
            return f"{type(error).__name__}: {message[:160]}"
        return None

    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = list(pool.map(one, range(units)))
    return Counter(outcome for outcome in outcomes if outcome is not None)


_SHARED: list[Pgbouncer] = []


def shared_pgbouncer() -> Pgbouncer:
    """One pgbouncer for the whole test run, stopped when the run ends (by the process that
    started it, not by a forked child).

    Should it have ended meanwhile, what it logged and how it ended are written to standard
    error and a new one is started, so that one lost bouncer shows as a report rather than
    as every later test failing to connect.
    """
    if _SHARED and _SHARED[0].process.poll() is not None:
        gone = _SHARED.pop()
        sys.stderr.write(
            f"\nthe shared test pgbouncer ended with {gone.process.returncode}; its log:\n"
            f"{gone.log()}\nstarting another\n"
        )
        gone.stop()
    if not _SHARED:
        bouncer = start_pgbouncer()
        owner = os.getpid()
        atexit.register(lambda: bouncer.stop() if os.getpid() == owner else None)
        _SHARED.append(bouncer)
    return _SHARED[0]


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty database on the test server (dropped afterwards, even while pgbouncer
    still holds connections to it): for tests of the default schema, which must not touch
    the shared ``test`` database."""
    import psycopg  # noqa: PLC0415 - the postgres extra
    from psycopg import sql  # noqa: PLC0415

    name = f"gc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(require_postgres(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(require_postgres(), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
