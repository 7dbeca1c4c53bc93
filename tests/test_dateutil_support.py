"""The RRULE expander runs only on python-dateutil releases whose private helpers it knows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import dateutil
import pytest

from gesprekscyclus.domain.cadence import RRuleCadence
from gesprekscyclus.domain.cadence import rrule as expander
from gesprekscyclus.errors import DependencyError


def test_the_installed_dateutil_is_a_release_the_expander_was_checked_against() -> None:
    version = dateutil.__version__
    assert version.startswith(expander.KNOWN_DATEUTIL), (
        f"python-dateutil {version} is not among the releases whose private rrule helpers "
        f"were checked ({', '.join(expander.KNOWN_DATEUTIL)}): check "
        "domain/cadence/rrule.py against it, then add it to KNOWN_DATEUTIL"
    )


def test_the_installed_dateutil_has_every_private_name_the_expander_reads() -> None:
    assert expander.dateutil_internals_missing() == ()


@pytest.fixture
def dateutil_without_iterinfo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(expander, "_IterInfo", None)
    expander.dateutil_internals_missing.cache_clear()
    yield
    expander.dateutil_internals_missing.cache_clear()


@pytest.mark.usefixtures("dateutil_without_iterinfo")
def test_a_dateutil_without_the_helpers_gives_a_dependency_error_not_wrong_dates() -> None:
    cadence = RRuleCadence("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")
    missing = r"python-dateutil .* lacks dateutil\.rrule\._iterinfo"
    with pytest.raises(DependencyError, match=missing):
        cadence.occurrences(date(2026, 1, 1), date(2026, 3, 1), date(2026, 12, 31))
    assert isinstance(DependencyError("x"), ImportError)


def test_a_helper_that_no_longer_works_the_same_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def changed(rule: object) -> object:
        raise TypeError("takes 2 positional arguments")

    monkeypatch.setattr(expander, "_IterInfo", changed)
    expander.dateutil_internals_missing.cache_clear()
    try:
        (missing,) = expander.dateutil_internals_missing()
        assert missing.startswith("a working dateutil.rrule._iterinfo (TypeError: takes 2")
    finally:
        monkeypatch.undo()
        expander.dateutil_internals_missing.cache_clear()
    assert expander.dateutil_internals_missing() == ()
