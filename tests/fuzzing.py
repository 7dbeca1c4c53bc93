"""The hypothesis settings of the fuzz targets: short in CI, longer on demand.

``GESPREKSCYCLUS_FUZZ=long`` runs 20,000 examples per target, a number runs that many; without
it the loaded hypothesis profile decides.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def _examples() -> int | None:
    wanted = os.environ.get("GESPREKSCYCLUS_FUZZ", "").strip()
    if wanted == "long":
        return 20_000
    if wanted.isascii() and wanted.isdigit():
        return int(wanted)
    return None  # the loaded profile's number


_WANTED = _examples()

#: The decorator every fuzz target uses.
fuzz = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    **({} if _WANTED is None else {"max_examples": _WANTED}),
)
