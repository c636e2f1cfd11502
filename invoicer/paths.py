"""Where things live: the data folder (platformdirs, or --data-dir / INVOICER_DATA_DIR) and bundled files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_path

from invoicer import APP_ID, APP_NAME

DB_FILENAME = "invoicer.sqlite3"
LOGO_DIRNAME = "logo"
ENV_DATA_DIR = "INVOICER_DATA_DIR"


def _bundle_root() -> Path:
    """The source tree, or the PyInstaller bundle (sys._MEIPASS) in the frozen app."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """``resources/``: fonts, icons, locale catalogs, templates."""
    bundled = _bundle_root() / "resources"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent / "_resources"


def migrations_dir() -> Path:
    """``migrations/``: the Alembic environment and versions."""
    bundled = _bundle_root() / "migrations"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent / "_migrations"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: explicit override, then $INVOICER_DATA_DIR, then the platform default."""
    chosen = override or os.environ.get(ENV_DATA_DIR)
    path = Path(chosen).expanduser() if chosen else user_data_path(APP_NAME, appauthor=False)
    return path


def database_path(folder: Path) -> Path:
    return folder / DB_FILENAME


def backups_dir(folder: Path) -> Path:
    return folder / "backups"


def documents_dir(folder: Path) -> Path:
    """Frozen PDFs of finalized documents."""
    return folder / "documents"


def log_path(folder: Path) -> Path:
    return folder / "logs" / f"{APP_ID}.log"


def logo_dir(folder: Path) -> Path:
    """The company logo, copied in when it is set (backups carry it with the business)."""
    return folder / LOGO_DIRNAME


def logo_file(folder: Path, stored: str | None) -> Path | None:
    """The logo file the company profile names, or None when there is none or it cannot be found.

    The profile stores a path relative to the data folder; profiles saved before logos were copied in hold an
    absolute path, which is used while the file is there, else its copy under ``logo/`` (a restored backup).
    """
    if not stored:
        return None
    named = Path(stored)
    for candidate in (folder / named, logo_dir(folder) / named.name):
        if candidate.is_file():
            return candidate
    return None
