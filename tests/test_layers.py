"""ARCHITECTURE rule 1: only invoicer/gui imports Qt; the core imports no framework and no float money."""

from __future__ import annotations

import ast
from pathlib import Path

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
