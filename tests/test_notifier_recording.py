"""The recording, file-recording, console and logging notifiers."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.notifiers.console import ConsoleNotifier, LoggingNotifier
from gesprekscyclus.adapters.notifiers.recording import FileRecordingNotifier, RecordingNotifier
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.notifier import (
    Notification,
    Notifier,
    PermanentNotificationError,
    Recipient,
    TransientNotificationError,
)

from . import strategies as gs

BOB = Recipient(id="m-1", name="Bob", role="manager", locale="en", email="bob@example.org")


def note(key: str) -> Notification:
    return Notification(key=key, kind="report_due", recipient=BOB)


def test_all_satisfy_the_port(tmp_path: Path) -> None:
    for notifier in (
        RecordingNotifier(),
        FileRecordingNotifier(tmp_path / "sent.jsonl"),
        ConsoleNotifier(io.StringIO()),
        LoggingNotifier(),
    ):
        assert isinstance(notifier, Notifier)


def test_records_in_order_and_fails_when_told() -> None:
    notifier = RecordingNotifier()
    notifier.send(note("a"))
    notifier.fail_with(TransientNotificationError("down"), times=2)
    for _ in range(2):
        with pytest.raises(TransientNotificationError, match="down"):
            notifier.send(note("b"))
    notifier.send(note("b"))
    notifier.send(note("a"))
    assert notifier.keys == ("a", "b", "a")
    assert notifier.count("a") == 2
    assert notifier.sent[1] == note("b")
    notifier.clear()
    assert notifier.sent == ()


def test_fail_with_needs_a_positive_count() -> None:
    with pytest.raises(InvalidValueError, match="times"):
        RecordingNotifier().fail_with(PermanentNotificationError("no"), times=0)


def test_is_thread_safe() -> None:
    notifier = RecordingNotifier()

    def send_many(prefix: str) -> None:
        for number in range(200):
            notifier.send(note(f"{prefix}-{number}"))

    threads = [threading.Thread(target=send_many, args=(str(n),)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(notifier.keys)) == 800


@given(st.lists(gs.notifications, max_size=5))
def test_file_recording_round_trips(notifications: list[Notification]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        recorder = FileRecordingNotifier(Path(folder) / "sent.jsonl")
        for notification in notifications:
            recorder.send(notification)
        assert recorder.sent == tuple(notifications)
        assert recorder.keys == tuple(n.key for n in notifications)


def test_file_recording_counts_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "sent.jsonl"
    script = (
        "import sys\n"
        "from gesprekscyclus.adapters.notifiers.recording import FileRecordingNotifier\n"
        "from gesprekscyclus.ports.notifier import Notification, Recipient\n"
        "to = Recipient(id='m-1', name='Bob', role='manager')\n"
        "recorder = FileRecordingNotifier(sys.argv[1])\n"
        "for n in range(50):\n"
        "    key = f'{sys.argv[2]}-{n}'\n"
        "    recorder.send(Notification(key=key, kind='report_due', recipient=to))\n"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(path), name]) for name in ("p", "q")
    ]
    assert [worker.wait(60) for worker in workers] == [0, 0]
    keys = FileRecordingNotifier(path).keys
    assert len(keys) == len(set(keys)) == 100
    assert FileRecordingNotifier(tmp_path / "none.jsonl").keys == ()


def test_file_recorder_fails_when_told(tmp_path: Path) -> None:
    recorder = FileRecordingNotifier(tmp_path / "sent.jsonl")
    recorder.fail_with(PermanentNotificationError("refused"))
    with pytest.raises(PermanentNotificationError):
        recorder.send(note("x"))
    recorder.send(note("x"))
    assert recorder.keys == ("x",)


def test_console_prints_one_line() -> None:
    out = io.StringIO()
    ConsoleNotifier(out).send(note("k-1"))
    assert out.getvalue() == (
        "report_due -> Bob <bob@example.org> [en]: Report due: with (key k-1)\n"
    )


def test_console_defaults_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleNotifier().send(note("k-2"))
    assert "(key k-2)" in capsys.readouterr().out


def test_logging_notifier(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.notifications")
    with caplog.at_level(logging.INFO, logger="test.notifications"):
        LoggingNotifier(logger).send(note("k-3"))
    (record,) = caplog.records
    assert record.notification_key == "k-3"  # type: ignore[attr-defined]
    assert "report_due -> Bob" in record.getMessage()
