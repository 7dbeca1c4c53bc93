"""The command line: ``gesprekscyclus <command> ...``.

Each command lives in a module of this package that exposes ``register(subparsers)``; the
module adds its parser and sets ``handler`` to a function ``(args, out) -> int`` that writes
its result to ``out``. Output is buffered and printed only when the command succeeds, so a
failing command leaves nothing partial on standard output; errors of the library go to
standard error with exit code 2.
"""

from __future__ import annotations

import argparse
import codecs
import io
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import TextIO

from gesprekscyclus import __version__
from gesprekscyclus.errors import DesignError, GesprekscyclusError

__all__ = ["main"]

#: The modules that contribute commands, in the order of the help text.
COMMAND_MODULES = (
    "gesprekscyclus.cli.demo",
    "gesprekscyclus.cli.planning",
    "gesprekscyclus.cli.design",
    "gesprekscyclus.cli.service",
    "gesprekscyclus.cli.privacy",
)

EXIT_OK = 0
EXIT_USAGE = 2
#: A reader closed standard output early: 128 + SIGPIPE, what a shell shows for a program
#: that the signal ended.
EXIT_BROKEN_PIPE = 141
#: Interrupted with Ctrl-C: 128 + SIGINT.
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available command."""
    parser = argparse.ArgumentParser(
        prog="gesprekscyclus",
        description="Plan, remind and follow up an organisation's conversation cycle.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue  # a command module that this version does not ship
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # A command's output is kept until it has finished, so that a failure writes nothing to
    # standard output; a command whose format is ``streamed`` writes as it goes instead, after
    # every check that can fail.
    streamed = getattr(args, "format", None) in getattr(args, "streamed", ())
    out: TextIO = sys.stdout if streamed else io.StringIO()
    writing = streamed  # whether standard output is being written (for an encoding error)
    try:
        code: int = args.handler(args, out)
        writing = True
        if isinstance(out, io.StringIO):
            # The stream encodes the whole text before writing any of it, so text it cannot
            # encode leaves standard output empty.
            sys.stdout.write(out.getvalue())
        sys.stdout.flush()
    except DesignError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except GesprekscyclusError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as a program ended by SIGPIPE does.
        _discard_standard_output()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        # Each command writes in one transaction (or not at all), so nothing half done stays.
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UnicodeEncodeError as error:
        if not (writing and isinstance(error.object, str) and _is_stdout_encoding(error)):
            raise
        print(f"error: {_unencodable(error, streamed=streamed)}", file=sys.stderr)
        return EXIT_USAGE
    return code


def _discard_standard_output() -> None:
    """Point standard output at the null device, so that flushing it at exit cannot fail
    again on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass  # not a real file (captured in tests): nothing is flushed at exit


def _is_stdout_encoding(error: UnicodeEncodeError) -> bool:
    """Whether ``error`` comes from encoding for standard output (not some other text)."""
    try:
        return codecs.lookup(error.encoding).name == codecs.lookup(sys.stdout.encoding).name
    except (LookupError, TypeError, AttributeError):
        return False


def _unencodable(error: UnicodeEncodeError, *, streamed: bool) -> str:
    """What to say when standard output cannot encode the command's output."""
    character = error.object[error.start : error.start + 1]
    return (
        f"standard output (encoding {error.encoding}) cannot hold the character {character!r} "
        f"(U+{ord(character):04X}) of the output; "
        + ("the output above is incomplete; " if streamed else "nothing was written; ")
        + "set PYTHONIOENCODING=utf-8 or write to a file"
    )
