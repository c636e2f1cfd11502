"""Engine messages in every language: each template the engine marks with N_ (everything outside invoicer/gui) is
translated with the same named values, errors.po holds nothing stale, and a message several catalogs share reads
the same in all of them (so the order the app merges them in never matters)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from invoicer.i18n import SUPPORTED_LANGUAGES
from tests.catalogs import catalog, catalog_files, translations

PACKAGE = Path(__file__).resolve().parents[1] / "invoicer"
LANGUAGES = [lang for lang in SUPPORTED_LANGUAGES if lang != "en"]


def engine_templates() -> dict[str, str]:
    """Every ``N_("...")`` literal outside the GUI -> the file it is in."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "gui":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_":
                argument = node.args[0] if len(node.args) == 1 else None
                assert isinstance(argument, ast.Constant) and isinstance(argument.value, str), (
                    f"{relative}:{node.lineno}: N_ takes one string literal, so the template can be found"
                )
                found.setdefault(argument.value, str(relative))
    return found


def fields(text: str) -> set[str]:
    """The named values a template is filled with ({{ and }} are literal braces, not values)."""
    try:
        return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:  # not a template at all (a title quoting JSON): compare its braces as they are
        return set(re.findall(r"\{[^{}]*\}", text))


def test_the_engine_marks_its_messages() -> None:
    templates = engine_templates()
    assert "There is no invoice {id}." in templates  # services
    assert "Only a draft can be finalized; this invoice is {status}." in templates  # core
    assert "{path} is damaged ({reason})." in templates  # db
    assert len(templates) > 250


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_engine_message_is_translated_with_the_same_values(language: str) -> None:
    known = translations(language)
    problems = []
    for template, where in engine_templates().items():
        translated = known.get(template)
        if translated is None:
            problems.append(f"{where}: not translated: {template!r}")
        elif fields(translated[0]) != fields(template):
            problems.append(f"{where}: values differ: {template!r} -> {translated[0]!r}")
    assert problems == []


def test_errors_catalogs_hold_the_same_current_templates() -> None:
    templates = engine_templates()
    per_language = {
        language: set(catalog(next(po for po in catalog_files(language) if po.name == "errors.po"), language))
        for language in LANGUAGES
    }
    first = per_language[LANGUAGES[0]]
    assert all(messages == first for messages in per_language.values())
    assert sorted(first - set(templates)) == []  # nothing left over from a message that changed


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_message_in_several_catalogs_reads_the_same_in_each(language: str) -> None:
    # the app merges a language's catalogs, so two translations of one message would silently pick one
    # (a German PDF once said "Gutschrift" where its own catalog said "Rechnungskorrektur")
    seen: dict[str, tuple[str, tuple[str, ...]]] = {}
    clashes = []
    for po in catalog_files(language):
        for message, translated in catalog(po, language).items():
            first = seen.setdefault(message, (po.name, translated))
            if first[1] != translated:
                clashes.append(f"{message!r}: {first[1]} in {first[0]}, {translated} in {po.name}")
    assert clashes == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_passes_the_gettext_checks(language: str) -> None:
    # what `msgfmt -c` refuses when a translator compiles the catalog: a msgid that reads as a %-format (Babel
    # and gettext take "{rate} % exists" for "% e") needs a translation with the same conversions
    from babel.messages.pofile import read_po

    problems = []
    for po in catalog_files(language):
        with po.open("rb") as fh:
            for message, errors in read_po(fh, locale=language).check():
                problems += [f"{po.name}: {message.id!r}: {error}" for error in errors]
    assert problems == []
