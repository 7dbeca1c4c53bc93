"""Reading the files a user names, without surprises.

:func:`read_at_most` reads a bounded number of bytes in pieces, so that a large limit does not
reserve its whole size up front and a device such as ``/dev/zero`` is never read to the end.
A name the operating system cannot take (one with a NUL character, or a lone surrogate that
has no bytes in the file system's encoding) is reported as an :class:`OSError` like every
other file that cannot be opened, so callers need one ``except OSError`` only.

>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "out.txt")
...     with open(path, "wb") as file:
...         _ = file.write(b"hello")
...     read_at_most(path, 3), read_at_most(path, 10)
(b'hell', b'hello')
>>> try:
...     read_at_most("a\\0b", 10)
... except OSError as error:
...     print(error.strerror)
the name contains a NUL character
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["read_at_most"]

#: The most bytes read in one piece.
_PIECE = 1 << 20


def _unusable_name(error: ValueError) -> OSError:
    """The :class:`OSError` for a name that the operating system cannot take."""
    if isinstance(error, UnicodeError):
        return OSError(
            0, "the name has characters that the file system's encoding cannot represent"
        )
    return OSError(0, "the name contains a NUL character")


def read_at_most(path: str | os.PathLike[str], limit: int) -> bytes:
    """The first ``limit + 1`` bytes of ``path`` at most (one more than ``limit``, so that the
    caller can tell a file that is too large); raises :class:`OSError` when it cannot be read."""
    pieces: list[bytes] = []
    wanted = limit + 1
    try:
        with Path(path).open("rb") as file:
            while wanted > 0:
                piece = file.read(min(wanted, _PIECE))
                if not piece:
                    break
                pieces.append(piece)
                wanted -= len(piece)
    except ValueError as error:  # a NUL in the name, or an unencodable one
        raise _unusable_name(error) from None
    return b"".join(pieces)
