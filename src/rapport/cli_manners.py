"""What every `rapport` command does the same way: help that shows defaults, argument types
(dates, counts), a closed pipe (`rapport watchlist | head`) that ends quietly, and paths
that must exist before use."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from datetime import date

from rapport.paths import Paths, PathsError


def iso_date(text: str) -> date:
    """An argument that is a date like 2026-11-01."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from exc


def positive_int(text: str) -> int:
    """An argument that is a whole number of 1 or more (a count, a limit)."""
    value = _whole(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a positive integer")
    return value


def non_negative_int(text: str) -> int:
    """An argument that is a whole number of 0 or more (days ahead, points)."""
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must be 0 or more")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc


class DefaultsFormatter(argparse.HelpFormatter):
    """Appends "(default: X)" to an option's help when it has a default worth showing
    (not None, not a flag's False) and the help does not already say it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or not action.option_strings
        ):
            return text
        return f"{text} (default: {default})"


class ReaderWentAway(Exception):
    """The reader of our stdout closed it (`| head`): stop writing, say nothing."""

    EXIT_CODE = 141  # 128 + SIGPIPE, what `yes | head` leaves as yes's status


@contextlib.contextmanager
def closed_pipe_ends_quietly() -> Iterator[None]:
    """Turn a BrokenPipeError while writing stdout into `ReaderWentAway`, and point stdout
    at /dev/null so the interpreter's final flush does not print a traceback either."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError as exc:
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        raise ReaderWentAway() from exc


def require_warehouse_folder(paths: Paths) -> None:
    """A warehouse in a folder that does not exist is a typo, not a new installation."""
    folder = paths.warehouse.parent
    if blocking := next((p for p in (folder, *folder.parents) if p.is_file()), None):
        raise PathsError(f"{blocking} (in --warehouse {paths.warehouse}) is a file, not a folder")
    if not folder.is_dir():
        raise PathsError(
            f"folder {paths.warehouse.parent} (of --warehouse {paths.warehouse.name}) does not "
            "exist; create it first to start a new installation there"
        )


def require_installation(paths: Paths) -> None:
    """Readers need something to read: the warehouse or at least the run state (a first
    night stopped by a gate has a lake and a quarantine, but nothing published)."""
    if not paths.warehouse.exists() and not paths.lake.is_dir():
        raise FileNotFoundError(
            f"warehouse {paths.warehouse} does not exist, nor its lake {paths.lake} "
            "(run `rapport run` first)"
        )
