"""The logo is copied into the data folder when it is set and stored relative to it; one set by an earlier
version (an absolute path) keeps printing and is copied in at the next save; a missing one is left out quietly."""

from __future__ import annotations

import io
import logging
import sqlite3
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from invoicer import paths
from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import company, documents
from invoicer.services.invoices import DraftData, LineData, create_draft
from tests.cli.invocations import ok, user_error

# about the local file and the files beside it (a server's backups: tests/postgres/test_backup.py)
pytestmark = pytest.mark.sqlite_only


def picture(path: Path, colour: tuple[int, int, int] = (20, 80, 160)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (300, 100), colour).save(path)
    return path


def stored_logo(db: Database) -> str | None:
    with transaction(db.readonly_sessions) as s:
        return company.get_company(s).logo_path


def draft_pdf_images(db: Database, customer_id: int) -> int:
    with transaction(db.sessions) as s:
        invoice_id = create_draft(s, DraftData(customer_id=customer_id, lines=[LineData("Work", "1", "10", "S", "19")]))
        pdf = documents.document_pdf(s, invoice_id)
    return len(list(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images))


def test_a_logo_is_copied_in_and_stored_relative_to_the_data_folder(
    seller: Database, customer_id: int, tmp_path: Path
) -> None:
    original = picture(tmp_path / "desktop" / "Logo.PNG")
    with transaction(seller.sessions) as s:
        company.update_company(s, logo_path=str(original))
    stored = stored_logo(seller)
    assert stored is not None and not Path(stored).is_absolute() and stored.startswith("logo/")
    copied = seller.folder / stored
    assert copied.read_bytes() == original.read_bytes()
    original.unlink()  # the user tidies their desktop: the documents keep their logo
    assert draft_pdf_images(seller, customer_id) == 1


def test_a_new_logo_gets_its_own_file(seller: Database, tmp_path: Path) -> None:
    first, second = picture(tmp_path / "a.png"), picture(tmp_path / "b.png", (200, 0, 0))
    with transaction(seller.sessions) as s:
        company.update_company(s, logo_path=str(first))
    with transaction(seller.sessions) as s:
        company.update_company(s, logo_path=str(second))
    assert (seller.folder / str(stored_logo(seller))).read_bytes() == second.read_bytes()


def test_an_absolute_logo_of_an_earlier_version_prints_and_is_copied_in_at_the_next_save(
    seller: Database, customer_id: int, tmp_path: Path
) -> None:
    original = picture(tmp_path / "old" / "logo.png")
    raw = sqlite3.connect(seller.path)
    raw.execute("UPDATE company SET logo_path = ?", (str(original),))
    raw.commit()
    raw.close()
    assert draft_pdf_images(seller, customer_id) == 1
    with transaction(seller.sessions) as s:
        company.update_company(s, phone="+49 30 1234")  # any save of the profile
    stored = stored_logo(seller)
    assert stored is not None and stored.startswith("logo/")
    assert (seller.folder / stored).read_bytes() == original.read_bytes()


def test_a_missing_logo_is_left_out_quietly(
    seller: Database, customer_id: int, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with transaction(seller.sessions) as s:
        company.update_company(s, logo_path=str(picture(tmp_path / "logo.png")))
    stored = stored_logo(seller)
    assert stored is not None
    (seller.folder / stored).unlink()
    with caplog.at_level(logging.WARNING):
        assert draft_pdf_images(seller, customer_id) == 0
    assert caplog.records == []  # nothing internal said about it
    assert paths.logo_file(seller.folder, stored) is None
    with transaction(seller.sessions) as s:
        company.update_company(s, phone="+49 30 1234")  # saving the rest of the profile still works
    assert stored_logo(seller) == stored


def test_a_new_logo_that_does_not_exist_is_refused(seller: Database, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"), transaction(seller.sessions) as s:
        company.update_company(s, logo_path=str(tmp_path / "nowhere.png"))


def test_cli_company_set_logo_copies_it_in(data: Path, tmp_path: Path) -> None:
    original = picture(tmp_path / "logo.png")
    shown = ok(data, "company", "set", "--logo", str(original))
    assert shown["logo_path"].startswith("logo/")
    assert (data / shown["logo_path"]).read_bytes() == original.read_bytes()
    assert "does not exist" in user_error(data, "company", "set", "--logo", str(tmp_path / "missing.png"))
