"""ARCHITECTURE rule 1: only invoicer/gui imports Qt; the core imports no framework and no float money; the
front-ends (gui, cli) reach the database and the mail only through the services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "invoicer"
FRAMEWORKS = ("sqlalchemy", "alembic", "PySide6", "reportlab", "openpyxl", "keyring", "smtplib")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_gui_imports_qt() -> None:
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "gui" not in p.relative_to(PACKAGE).parts and "PySide6" in imports(p)
    ]
    assert offenders == []


def test_the_core_is_pure() -> None:
    for path in (PACKAGE / "core").rglob("*.py"):
        assert not imports(path) & set(FRAMEWORKS), path
        assert "float(" not in path.read_text(encoding="utf-8"), path


def modules_imported(path: Path, location: Path | None = None) -> set[str]:
    """Every module ``path`` (a module of the package at ``location``) imports, by full name, wherever the
    import is (also inside a function); ``from invoicer import db`` counts as ``invoicer.db``."""
    package = ".".join((location or path).relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


FRONT_ENDS = ("gui", "cli")
BEHIND_THE_SERVICES = ("invoicer.db", "invoicer.mail")


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_use_services_not_the_database_or_the_mail(front_end: str) -> None:
    offenders = sorted(
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in (PACKAGE / front_end).rglob("*.py")
        for module in modules_imported(path)
        if any(module == name or module.startswith(name + ".") for name in BEHIND_THE_SERVICES)
    )
    assert offenders == []


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("from invoicer.db.engine import transaction", True),
        ("import invoicer.mail.secrets", True),
        ("from invoicer import db", True),
        ("def f():\n    from invoicer.mail import secrets", True),
        ("from ...db import models", True),
        ("from .. import operations", False),
        ("from invoicer.services import store", False),
        ("from invoicer.dbx import y", False),
    ],
)
def test_the_layering_check_sees_every_kind_of_import(tmp_path: Path, source: str, caught: bool) -> None:
    module = PACKAGE / "gui" / "pages" / "probe.py"  # where the relative import starts (never written)
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    found = modules_imported(probe, module)
    assert any(m == n or m.startswith(n + ".") for m in found for n in BEHIND_THE_SERVICES) is caught
