"""Every message of the desktop app is translated into every supported language, with the same placeholders
and one keyboard accelerator where the English has one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from invoicer.i18n import SUPPORTED_LANGUAGES
from tests.catalogs import translations

GUI = Path(__file__).resolve().parents[2] / "invoicer" / "gui"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def gui_messages() -> list[str | tuple[str, ...]]:
    found = extract_from_dir(str(GUI), method_map=[("**.py", "python")], keywords=KEYWORDS)
    return list(dict.fromkeys(message for _file, _line, message, _comments, _context in found))


def accelerators(text: str) -> int:
    return len(re.findall(r"&[^&\s]", text.replace("&&", "")))


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED_LANGUAGES if lang != "en"])
def test_every_gui_message_is_translated(language: str) -> None:
    known = translations(language)
    problems = []
    for message in gui_messages():
        english = message if isinstance(message, tuple) else (message,)
        translated = known.get(english[0])
        if translated is None:
            problems.append(f"not translated: {english[0]!r}")
            continue
        for text in translated:
            if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(english[-1])):
                problems.append(f"placeholders differ: {english[0]!r} -> {text!r}")
            if accelerators(text) != accelerators(english[0]):
                problems.append(f"accelerator: {english[0]!r} -> {text!r}")
    assert problems == []


def test_no_message_hides_inside_an_f_string() -> None:
    """``f"… {_('text')}"`` is invisible to the extractor, so it would never be translated (it was: a German
    invoice window titled "— no customer yet")."""
    import ast

    hidden = []
    for path in GUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                hidden += [f"{path.name}:{call.lineno}" for call in ast.walk(node) if isinstance(call, ast.Call)
                           and isinstance(call.func, ast.Name) and call.func.id in KEYWORDS and call.args
                           and isinstance(call.args[0], ast.Constant)]  # _(variable) translates a marked text
    assert not hidden
