"""Results do not depend on the machine's locale (which also differs between Python versions:
3.11 reads ``C.UTF-8`` as American English, 3.12 and later as no language at all)."""

from __future__ import annotations

from datetime import date

import pytest

from gesprekscyclus.domain.calendar import WorkingCalendar

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.mark.parametrize("locale_name", ["C.UTF-8", "en_US.UTF-8", "fr_BE.UTF-8", "de_DE", ""])
@pytest.mark.parametrize(("country", "subdivision"), [("BE", None), ("DE", "BY"), ("GB", "ENG")])
def test_foreign_holiday_names_are_the_countrys_own_whatever_the_locale(
    monkeypatch: pytest.MonkeyPatch, locale_name: str, country: str, subdivision: str | None
) -> None:
    for variable in LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    plain = WorkingCalendar(country=country, subdivision=subdivision).holidays(2026)
    for variable in LOCALE_VARIABLES:
        monkeypatch.setenv(variable, locale_name)
    assert WorkingCalendar(country=country, subdivision=subdivision).holidays(2026) == plain


def test_belgian_names_are_dutch_the_packages_default_for_belgium() -> None:
    names = WorkingCalendar(country="BE").holidays(2026)
    assert names[date(2026, 1, 1)] == "Nieuwjaar"
