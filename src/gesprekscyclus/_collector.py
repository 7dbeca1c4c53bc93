"""Pausing the cyclic garbage collector around bulk work.

Planning and materialising build millions of small objects without reference cycles; the
collector's repeated passes over them cost about a third of the time and free nothing.
:func:`paused` switches it off for a block and restores the state it found (so nested use
and a caller that had switched it off keep theirs). Reference counting still frees
everything as usual.

On leaving the block the objects made inside join the oldest generation at once (as if they
had survived the young collections that were skipped), instead of being traversed all in
the first collection after it: ``gc.freeze()`` then ``gc.unfreeze()``, which only moves
lists. Nothing stays frozen, so cyclic garbage among them is still found by the next full
collection. When the process has frozen objects of its own (``gc.get_freeze_count()``), they
are left as they are and the collector is only switched back on.

>>> import gc
>>> frozen = gc.get_freeze_count()  # what the process froze itself stays as it was
>>> with paused():
...     gc.isenabled()
False
>>> gc.isenabled(), gc.get_freeze_count() == frozen
(True, True)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]


@contextmanager
def paused() -> Iterator[None]:
    """Keep the cyclic garbage collector off inside the block; restore it afterwards."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
