"""The reference example organisation that ships with the library.

A Dutch SME of about sixty people across eight managers (part-timers, a leap-day hire, a
leaver, a samentelling sick-leave case) and a commented reference cycle design. The demo uses
them; copy them as a starting point for your own design.

>>> from gesprekscyclus.examples import load_reference
>>> design, people, events = load_reference()
>>> design.name, len(people) > 50
('Voorbeeld mkb: gesprekscyclus 2027', True)
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.planning.people_file import read_events, read_people

__all__ = ["DESIGN_FILE", "EVENTS_FILE", "PEOPLE_FILE", "directory", "load_reference"]

#: The reference cycle design, in :func:`directory`.
DESIGN_FILE = "reference-design.toml"
#: The example organisation's people file, in :func:`directory`.
PEOPLE_FILE = "people.csv"
#: The example organisation's life events file, in :func:`directory`.
EVENTS_FILE = "events.csv"


def directory() -> Path:
    """The folder holding the example files (inside the installed package)."""
    with as_file(files(__name__)) as folder:
        return Path(folder)


def load_reference() -> tuple[CycleDesign, tuple[Person, ...], tuple[LifeEvent, ...]]:
    """The reference design, its people and their life events, validated."""
    folder = directory()
    people = read_people(folder / PEOPLE_FILE)
    return (
        load_design(folder / DESIGN_FILE),
        people,
        read_events(folder / EVENTS_FILE, people=people),
    )
