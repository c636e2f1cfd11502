"""The company logo on either engine (``--engine postgresql`` for the server): set through the service, printed on
the documents; on a server it is kept in the database, so a desk that never saw the file prints it too, and the
database refuses to change a stored logo."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from sqlalchemy import text

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database, open_server
from invoicer.services import company, documents
from invoicer.services.invoices import DraftData, LineData, create_draft
from tests.services.helpers import add_customer


def picture(path: Path, colour: tuple[int, int, int] = (20, 80, 160)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (300, 100), colour).save(path)
    return path


def draft_images(db: Database) -> int:
    """How many images page 1 of a new draft's PDF carries."""
    customer_id = add_customer(db)
    with transaction(db.sessions) as s:
        invoice_id = create_draft(s, DraftData(customer_id=customer_id, lines=[LineData("Work", "1", "10", "S", "19")]))
        pdf = documents.document_pdf(s, invoice_id)
    return len(list(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images))


def pdf_images(url: str, folder: Path) -> int:
    """``draft_images`` on the server business at ``url``, opened by a desk whose data folder is ``folder``."""
    db = open_server(url, folder)
    try:
        return draft_images(db)
    finally:
        db.close()


def test_a_logo_set_once_is_printed_without_its_file(seller: Database, tmp_path: Path) -> None:
    chosen = picture(tmp_path / "desktop" / "Logo.PNG")
    with transaction(seller.sessions) as s:
        company.update_company(s, logo_path=str(chosen))
        stored = company.get_company(s).logo_path
    assert stored is not None and stored.startswith("logo/") and stored.endswith(".png")
    chosen.unlink()
    assert draft_images(seller) == 1
    with transaction(seller.sessions) as s:  # saving the rest of the profile keeps it
        company.update_company(s, phone="+49 30 1234")
        assert company.get_company(s).logo_path == stored


def test_on_a_server_every_desk_prints_the_logo_from_the_database(
    seller: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if seller.url is None:
        pytest.skip("a server business (--engine postgresql)")
    chosen = picture(tmp_path / "desktop" / "logo.png")
    with transaction(seller.sessions) as s:
        company.update_company(s, logo_path=str(chosen))
        stored = company.get_company(s).logo_path
    assert stored is not None
    chosen.unlink()
    for copy in (seller.folder / "logo").glob("*"):
        copy.unlink()  # this desk's copy gone too: the database has it
    assert pdf_images(seller.url, tmp_path / "another desk") == 1
    assert (tmp_path / "another desk" / stored).is_file()
    with seller.engine.begin() as conn, pytest.raises(Exception, match="company_logos is append-only"):
        conn.execute(text("UPDATE company_logos SET content = ''"))
