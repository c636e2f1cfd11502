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
