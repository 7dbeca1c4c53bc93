"""Reading and writing the files a user names, without surprises.

:func:`read_at_most` reads a bounded number of bytes in pieces, so that a large limit does not
reserve its whole size up front and a device such as ``/dev/zero`` is never read to the end.
A name the operating system cannot take (one with a NUL character, or a lone surrogate that
has no bytes in the file system's encoding) is reported as an :class:`OSError` like every
other file that cannot be opened, so callers need one ``except OSError`` only.

:func:`write_whole` writes a file through a temporary file beside it that replaces it only
when everything has been written: a failure (a full disk, a folder that is not there) leaves
no partial file and any old file as it was. :func:`write_output` does so for a file named
by an option, and reports a failure as an :class:`~gesprekscyclus.errors.InvalidValueError`
of that option.

>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "out.txt")
...     write_whole(path, b"hello")
...     read_at_most(path, 3), read_at_most(path, 10)
(b'hell', b'hello')
>>> try:
...     read_at_most("a\\0b", 10)
... except OSError as error:
...     print(error.strerror)
the name contains a NUL character
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from gesprekscyclus.errors import InvalidValueError

__all__ = ["read_at_most", "write_output", "write_whole"]

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


def write_whole(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: through a temporary file in the same folder,
    renamed over ``path`` only when complete; raises :class:`OSError` when it cannot be
    written, and then leaves ``path`` as it was.

    A replaced file keeps its permissions. A symbolic link is followed (the file it points
    to is replaced, the link stays); a path
    that is neither a regular file nor missing, such as ``/dev/stdout``, is written to
    directly, as there is nothing to replace."""
    try:
        target = Path(path)
        if target.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(path))
        if target.exists() and not target.is_file():
            with target.open("wb") as file:
                file.write(data)
            return
        target = target.resolve() if target.is_symlink() else target
        try:
            kept: int | None = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            kept = None
        # Private while it is written when it replaces a file; else as open() would make it
        # (0o666 less the umask, which the operating system applies).
        descriptor, temporary = _temporary_beside(target, 0o600 if kept is not None else 0o666)
    except ValueError as error:  # a NUL in the name, or an unencodable one
        raise _unusable_name(error) from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if kept is not None:  # a replaced file keeps its permissions
            os.chmod(temporary, kept)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _temporary_beside(target: Path, mode: int) -> tuple[int, Path]:
    """A new file with ``mode`` in ``target``'s folder, open for writing: its descriptor and
    path."""
    for _ in range(100):
        temporary = target.parent / f".{target.name[:100]}.{secrets.token_hex(8)}.part"
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), temporary
        except FileExistsError:
            continue
    raise FileExistsError(17, "no free temporary name", str(target.parent))


def write_output(option: str, path: str | os.PathLike[str], data: bytes) -> None:
    """:func:`write_whole`, raising :class:`InvalidValueError` of ``option`` (such as
    ``--out``) with the reason when the file cannot be written."""
    try:
        write_whole(path, data)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InvalidValueError(option, f"cannot write {str(path)!r}: {reason}") from error
