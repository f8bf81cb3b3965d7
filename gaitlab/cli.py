"""The ``gaitlab`` command.

Each subcommand lives in its own module under :mod:`gaitlab.commands` with two functions:
``register(subparsers)`` (argparse only: cheap) and ``run(args) -> int`` (imports the heavy parts
it needs). So ``gaitlab --help`` never imports numpy, pandas, numba or bleak.

Exit codes: 0 ok, 1 analysis found problems that ``--fail-on`` asked to fail
on, 2 bad input or usage. Errors go to stderr as one line, without a traceback unless ``--debug``;
warnings as ``gaitlab: warning: ...`` from every command. A reader that closes the output early
(``| head``) ends the command quietly with 0.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import warnings
from collections.abc import Sequence

from ._version import __version__

#: Subcommands in the order ``--help`` lists them (module names under gaitlab.commands).
COMMANDS = ("analyze", "info", "simulate", "batch", "stream", "scan", "history", "compare")

EXIT_OK, EXIT_FLAGGED, EXIT_BAD_INPUT = 0, 1, 2
#: Commands that have closed everything they opened when they return (files are written inside
#: ``with`` blocks; no worker pools, event loops or temporary folders), so that the console script
#: may end the process at once (:func:`entry`): the interpreter's teardown of numpy, pandas and
#: numba's compiled code takes 0.2-0.4 s, a fifth of a whole ``gaitlab analyze`` of a 1-hour file.
QUICK_EXIT_COMMANDS = frozenset({"analyze", "info", "simulate", "history", "compare"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gaitlab",
        description="Running-gait analysis from a waist- or shoe-worn IMU.",
    )
    parser.add_argument("--version", action="version", version=f"gaitlab {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"gaitlab.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"gaitlab.commands.{name}":
                raise
            continue  # subcommand not built yet
        module.register(sub)
    return parser


class _Formatter(logging.Formatter):
    """``gaitlab: warning: ...``: the level in lower case, like ``gaitlab: error: ...``."""

    def format(self, record: logging.LogRecord) -> str:
        record.level = record.levelname.lower()
        return super().format(record)


def _configure_logging(debug: bool, quiet: bool) -> None:
    level = logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler()  # the current sys.stderr (force=True: each main() call anew)
    handler.setFormatter(_Formatter("gaitlab: %(level)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    if not debug:
        # library warnings (e.g. "truncated last line ignored") as one readable line each
        def show(message, category, filename, lineno, file=None, line=None):
            logging.getLogger("gaitlab").warning("%s", message)

        warnings.showwarning = show
    if not debug:
        # third-party chatter (numba, bumble, matplotlib) stays at warning level
        for name in ("numba", "bumble", "matplotlib", "asyncio", "bleak", "distributed"):
            logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    return _run(parser, parser.parse_args(argv))


def entry() -> None:
    """The ``gaitlab`` console script (and ``python -m gaitlab``): :func:`main`, then exit.

    After a command in :data:`QUICK_EXIT_COMMANDS`, logging is shut down and the standard streams
    are flushed, then the process ends without the interpreter's teardown (``os._exit``): its
    output is complete, and the operating system frees the memory at once.
    """
    parser = build_parser()
    args = parser.parse_args()
    code = _run(parser, args)
    if args.command not in QUICK_EXIT_COMMANDS:
        sys.exit(code)
    import os

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone away (| head): nothing more to say
            pass
    os._exit(code)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The command ``args`` names, with gaitlab's logging and error messages; its exit code."""
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    _configure_logging(args.debug, args.quiet)
    from .errors import phrasing

    try:
        with phrasing("cli"):  # error hints name --acc-unit, not acc_unit=
            code = int(args.run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        # the reader of our output went away (``gaitlab analyze ... | head -1``): not an error
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        print("gaitlab: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one readable line; the traceback only with --debug
        from .errors import GaitlabError

        if args.debug:
            raise
        if isinstance(exc, GaitlabError):
            print(f"gaitlab: error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if isinstance(exc, OSError):
            print(f"gaitlab: error: {_os_error_text(exc)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"gaitlab: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        return 3


def _os_error_text(exc: OSError) -> str:
    """``FILE: no such file`` rather than ``[Errno 2] No such file or directory: 'FILE'``."""
    if exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror[:1].lower()}{exc.strerror[1:]}"
    return str(exc)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. captured in tests)
        pass


if __name__ == "__main__":  # pragma: no cover
    entry()
