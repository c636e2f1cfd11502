"""Reading the translation catalogs in tests: what each language's .po files translate, file by file and merged
as the app merges them."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from invoicer import paths


def catalog_files(language: str) -> list[Path]:
    return sorted((paths.resources_dir() / "locale" / language / "LC_MESSAGES").glob("*.po"))


def catalog(po: Path, language: str) -> dict[str, tuple[str, ...]]:
    """msgid -> its translation(s) in one .po file (untranslated entries left out)."""
    found: dict[str, tuple[str, ...]] = {}
    with po.open("rb") as fh:
        for message in read_po(fh, locale=language):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.id and all(strings):
                found[message.id[0] if isinstance(message.id, tuple) else message.id] = strings
    return found


def translations(language: str) -> dict[str, tuple[str, ...]]:
    """msgid -> its translation(s), from all of the language's catalogs (the app merges them)."""
    found: dict[str, tuple[str, ...]] = {}
    for po in catalog_files(language):
        found.update(catalog(po, language))
    return found
