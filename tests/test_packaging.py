"""The wheel carries every package, the resources and the migrations; the PyInstaller spec bundles them too."""

from __future__ import annotations

import ast
import configparser
import sys
import tomllib
from pathlib import Path

import pytest

from invoicer import paths

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "invoicer.spec"
ENTRY = ROOT / "packaging" / "entry.py"


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "invoicer").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert {"invoicer._resources", "invoicer._migrations"} <= listed


# ---------------------------------------------------------------- the PyInstaller spec, read without building


def _spec_constant(name: str) -> tuple[str, ...]:
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError(f"{SPEC.name} no longer defines {name}")


def _spec_calls(function: str) -> list[ast.Call]:
    return [
        node for node in ast.walk(ast.parse(SPEC.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function
    ]


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name != "__pycache__"}


def test_spec_bundles_every_resource_folder_or_says_why_not() -> None:
    bundled, unbundled = set(_spec_constant("BUNDLED_RESOURCES")), set(_spec_constant("UNBUNDLED_RESOURCES"))
    assert bundled & unbundled == set()
    assert _entries(ROOT / "resources") - bundled - unbundled == set(), (
        "new in resources/: add it to BUNDLED_RESOURCES in packaging/invoicer.spec (or UNBUNDLED_RESOURCES)"
    )
    assert bundled | unbundled <= _entries(ROOT / "resources"), "the spec names folders resources/ no longer has"


def test_spec_bundles_the_whole_alembic_environment() -> None:
    assert set(_spec_constant("BUNDLED_MIGRATIONS")) == _entries(ROOT / "migrations")


def test_spec_puts_bundled_files_where_paths_finds_them_in_the_frozen_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets = {call.args[1].value for call in _spec_calls("tree") if isinstance(call.args[1], ast.Constant)}
    for target in targets:
        (tmp_path / target).mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert {paths.resources_dir(), paths.migrations_dir()} == {tmp_path / t for t in targets}


def test_frozen_entry_point_lets_pdf_workers_start_before_the_command_line() -> None:
    calls = [
        node for node in ast.walk(ast.parse(ENTRY.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
    ]
    lines = {ast.unparse(call.func): call.lineno for call in calls}
    assert "multiprocessing.freeze_support" in lines, "spawn workers re-run the frozen executable"
    assert lines["multiprocessing.freeze_support"] < lines["main"]
    analysed = [ast.unparse(arg) for call in _spec_calls("Analysis") for arg in call.args]
    assert any("entry.py" in text for text in analysed)


def test_desktop_entry_starts_the_windowed_executable_the_spec_builds() -> None:
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    desktop.read(ROOT / "packaging" / "invoicer.desktop", encoding="utf-8")
    entry = desktop["Desktop Entry"]
    console = {
        call.args[0].value: ast.literal_eval(keyword.value)
        for call in _spec_calls("executable") for keyword in call.keywords if keyword.arg == "console"
    }
    assert console.get(entry["Exec"].split()[0]) is False, "the menu entry starts the windowed executable"
    assert entry["Icon"] == "invoicer" and (ROOT / "resources" / "icons" / "invoicer.svg").is_file()
    assert entry["Categories"] == "Office;Finance;"
    assert entry["Terminal"] == "false"
