"""What every command module shares: the parser class, the sub-command registrar, the Context a handler
gets (data folder, database opened on first use, output mode) and the argument and output helpers."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from invoicer.core.errors import N_, InvoicerError
from invoicer.core.money import format_minor
from invoicer.logs import setup_logging
from invoicer.services import encryption, server, store

EXIT_USER_ERROR = 2

T = TypeVar("T")
Handler = Callable[["Context", argparse.Namespace], int]


class UsageError(InvoicerError):
    """The command line itself is wrong (unknown option, missing argument)."""


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (one line, exit 2) and takes ``--opt -- VALUE`` for a value starting
    with a dash (``--notes -- --json``), as ``--opt=VALUE`` does."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(N_("{problem} (see '{prog} --help')"), problem=message, prog=self.prog)

    def parse_known_args(  # type: ignore[override]  # one signature for argparse's overloads: no custom namespaces
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        return super().parse_known_args(None if args is None else self._dashed_values(list(args)), namespace)

    def _dashed_values(self, args: list[str]) -> list[str]:
        joined: list[str] = []
        i = 0
        while i < len(args):
            action = self._option_string_actions.get(args[i])
            if action is not None and action.nargs is None and args[i + 1:i + 2] == ["--"] and i + 2 < len(args):
                joined.append(f"{args[i]}={args[i + 2]}")
                i += 3
                continue
            joined.append(args[i])
            i += 1
        return joined


def json_option(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--json", action="store_true", default=default,
                        help="print JSON on stdout (amounts as decimal strings in major units)")


# every sub-command and group accepts --json too; SUPPRESS keeps a sub-parser's default from
# overwriting a --json given earlier on the line
_JSON_ANYWHERE = Parser(add_help=False)
json_option(_JSON_ANYWHERE, argparse.SUPPRESS)


class Commands:
    """A level of the command tree: ``command`` adds a sub-command with its handler, ``group`` a
    named group of sub-commands that several modules may add to (``invoice pay`` lives with payments)."""

    def __init__(self, actions: argparse._SubParsersAction[Parser]) -> None:
        self._actions = actions
        self._groups: dict[str, Commands] = {}

    def command(self, name: str, handler: Handler, help: str) -> Parser:
        cmd = self._actions.add_parser(name, help=help, description=help, parents=[_JSON_ANYWHERE])
        cmd.set_defaults(handler=handler)
        return cmd

    def group(self, name: str, help: str | None = None) -> Commands:
        if name not in self._groups:
            parser = self._actions.add_parser(name, help=help, description=help, parents=[_JSON_ANYWHERE])
            self._groups[name] = Commands(
                parser.add_subparsers(dest="action", parser_class=Parser, metavar="ACTION", required=True)
            )
        return self._groups[name]


@dataclass
class Context:
    """What a command gets: the data folder, the database (opened on first use), and the output mode."""

    folder: Path
    as_json: bool
    _db: store.Database | None = None
    # the shared PostgreSQL database (--db or the connection saved in settings); None: the local file
    url: str | None = None

    @property
    def db(self) -> store.Database:
        if self._db is None:
            self._db = (server.open_shared(self.url, self.folder) if self.url
                        else store.open_database(self.folder, progress=self._migration_progress()))
        return self._db

    def _migration_progress(self) -> store.MigrationProgress | None:
        """A migration's phases on stderr when they are shown (None otherwise: the backup is then copied at once)."""
        if not self.shows_progress:
            return None
        phases = self.phases("Updating the database for this version")
        units = {store.BACKUP: "bytes", store.MIGRATION: "revisions"}
        return lambda phase, done, total: phases(phase, units[phase], done, total)

    @property
    def shows_progress(self) -> bool:
        """Progress goes to stderr when it is a terminal, never in --json mode."""
        return not self.as_json and sys.stderr.isatty()

    def write(self, action: Callable[[store.Session], T]) -> T:
        """One user action in one transaction."""
        return store.write(self.db, action)

    def read(self, query: Callable[[store.Session], T]) -> T:
        return store.read(self.db, query)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()  # waits for the day's first backup, which ran while the command did its work
            _warn_if_backup_failed(self._db)
            self._db = None

    def out(self, value: Any, text: str | Callable[[], str] | None = None) -> None:
        """Print JSON in --json mode, else the human text (or the value itself)."""
        if self.as_json:
            print(json.dumps(value, ensure_ascii=False, indent=2, default=str))
        else:
            shown = text() if callable(text) else text
            print(shown if shown is not None else value)

    def progress(self, what: str, unit: str = "rows") -> Callable[[int, int], None]:
        """Progress as a percentage on stderr (a terminal only, never in --json mode), with the count of ``unit``."""
        show = self.shows_progress

        def progress(done: int, total: int) -> None:
            if show:
                end = "\n" if done >= total else ""
                print(f"\r{what}: {100 * done // max(total, 1)} % ({done:,} {unit})", end=end, file=sys.stderr,
                      flush=True)

        return progress

    def phases(self, what: str) -> Callable[[str, str, int, int], None]:
        """Progress of a command that runs in named phases, ``progress(phase, unit, done, total)``: a line each, as
        ``progress`` shows it."""
        shown: dict[str, Callable[[int, int], None]] = {}
        open_line: list[bool] = [False]

        def progress(phase: str, unit: str, done: int, total: int) -> None:
            if phase not in shown:
                if open_line[0] and self.shows_progress:
                    print(file=sys.stderr)  # the phase before ended short of its estimate
                shown[phase] = self.progress(f"{what}, {phase}", unit)
            shown[phase](done, total)
            open_line[0] = done < total

        return progress


def ask_for_key(folder: Path, from_stdin: bool) -> None:
    """The database key for this run: read from stdin when asked (scripts), else typed at the terminal when the file
    is encrypted and the keyring has no key; never stored. Without either, opening refuses with one clear line."""
    if from_stdin:
        encryption.give_key(folder, sys.stdin.readline())
    elif sys.stdin.isatty() and encryption.needs_key(folder):
        encryption.give_key(folder, getpass.getpass("Database key: "))


# ---------------------------------------------------------------- argument and output helpers


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from None


def period_arg(text: str) -> tuple[date, date]:
    """``FIRST..LAST``: a period's first and last day."""
    first, dots, last = text.partition("..")
    if not dots:
        raise argparse.ArgumentTypeError(f"'{text}' is not a period; use FIRST..LAST, e.g. 2026-10-01..2026-10-31")
    return date_arg(first.strip()), date_arg(last.strip())


# the database stores whole numbers (ids, counts) in 64 bits: a larger one names nothing and cannot be queried
LARGEST_WHOLE_NUMBER = 2**63 - 1


def positive_int(text: str) -> int:
    """A whole number of 0 or more that the database can hold: ids, counts, days."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be 0 or more")
    if value > LARGEST_WHOLE_NUMBER:
        raise argparse.ArgumentTypeError(f"'{text}' is too large")
    return value


def money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else format_minor(minor, currency)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)


def _warn_if_backup_failed(db: store.Database) -> None:
    """A failed daily backup does not fail the command that was asked for; it is said on stderr."""
    error = db.daily_backup.exception() if db.daily_backup is not None else None
    if error is None:
        return
    if isinstance(error, InvoicerError):
        why = str(error)
    else:
        why = f"details are in {setup_logging(db.folder)}"
        logging.getLogger("invoicer.cli").error("daily backup failed", exc_info=error)
    print(f"invoicer: warning: the daily backup could not be made: {why}", file=sys.stderr)
