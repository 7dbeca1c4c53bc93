"""gesprekscyclus: an embeddable engine for employee conversation cycles.

The public names are re-exported here; submodules are organised by layer (``domain``,
``planning``, ``service``, ``ports``, ``adapters``).
"""

from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import LeapDayPolicy, Person, Role, WorkingPattern
from gesprekscyclus.domain.text import Locale, LocalizedText
from gesprekscyclus.errors import (
    AccessDeniedError,
    ConflictError,
    DesignError,
    ExpansionLimitError,
    GesprekscyclusError,
    InvalidTransitionError,
    InvalidValueError,
    NotFoundError,
    Problem,
    SerializationError,
    StoreError,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "AccessDeniedError",
    "ConflictError",
    "DesignError",
    "ExpansionLimitError",
    "GesprekscyclusError",
    "InvalidTransitionError",
    "InvalidValueError",
    "LeapDayPolicy",
    "LifeEvent",
    "LifeEventKind",
    "Locale",
    "LocalizedText",
    "NotFoundError",
    "Person",
    "Problem",
    "Role",
    "SerializationError",
    "StoreError",
    "WorkingPattern",
]
