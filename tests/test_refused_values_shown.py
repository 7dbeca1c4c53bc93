"""A refused value of a Python-only parameter is shown short and safely in its error: a
number too long to print or a huge text is an :class:`InvalidValueError` like any other,
never a ``ValueError`` from printing it, nor a message of megabytes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.store import check_stream
from gesprekscyclus.service.dispatch import Backoff

HUGE = -(10**5000)  # more digits than int() may print (sys.get_int_max_str_digits)
LONG = "x" * 100_000


@pytest.mark.parametrize(
    ("refuse", "field"),
    [
        (lambda: Backoff(base_seconds=HUGE), "Backoff.base_seconds"),
        (lambda: Backoff(jitter=HUGE), "Backoff.jitter"),
        (lambda: check_stream(LONG), "stream"),
    ],
    ids=["Backoff huge number", "Backoff.jitter huge number", "stream long text"],
)
def test_a_refused_value_is_shown_short(refuse: Callable[[], Any], field: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        refuse()
    assert caught.value.path == field
    assert len(str(caught.value)) < 200


def test_a_huge_lease_is_refused_with_its_size(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "store.db")
    try:
        with pytest.raises(InvalidValueError) as caught:
            store.claim_due("w-1", now=datetime.now(UTC), limit=1, lease_seconds=HUGE)
    finally:
        store.close()
    assert str(caught.value) == "lease_seconds: must be above 0, got a number of about 5001 digits"
