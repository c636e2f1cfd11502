"""`invoicer reminders run --letters DIR`: customers without an email address get their reminder as a PDF letter
(address in the window of a DIN 5008 envelope), recorded like a sent reminder so it is never printed twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdf

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import customers
from tests.cli.invocations import ok
from tests.services.helpers import make_open


def test_letters_for_customers_without_email(seller: Database, tmp_path: Path) -> None:
    with transaction(seller.sessions) as s:
        customer = customers.add_customer(s, customers.CustomerData(
            name="Bäckerei Huber", country="DE", address="Dorfstraße 5", postcode="83022", city="Rosenheim",
            locale="de_DE"))
    first = make_open(seller, customer, date(2026, 10, 1), due_date=date(2026, 10, 15))
    make_open(seller, customer, date(2026, 10, 2), due_date=date(2026, 10, 16))
    letters = tmp_path / "letters"
    done = ok(seller.folder, "reminders", "run", "--today", "2026-10-20", "--letters", str(letters))
    first_result = done["reminders"][0]
    assert (first_result["invoice_id"], first_result["outcome"]) == (first, "printed")
    path = Path(done["reminders"][0]["detail"])
    assert path.parent == letters and path.name == "reminder-INV-2026-00001-overdue.pdf"
    page = pypdf.PdfReader(path).pages[0]
    text = page.extract_text()
    for expected in ("Bäckerei Huber", "Dorfstraße 5", "83022 Rosenheim", "INV-2026-00001", "INV-2026-00002",
                     "Offener Betrag", "IBAN", "Summe offen"):
        assert expected in text, expected
    # the address sits in the window: 20 mm from the left, within 45–90 mm from the top (DIN 5008 form B)
    found: list[tuple[float, float]] = []
    page.extract_text(visitor_text=lambda t, _cm, tm, _font, _size: found.append((tm[4], tm[5]))
                      if t.strip() == "Bäckerei Huber" else None)
    height = float(page.mediabox.height)
    mm = 72 / 25.4
    assert any(abs(x - 20 * mm) < 1 and 45 * mm < height - y < 90 * mm for x, y in found), found
    again = ok(seller.folder, "reminders", "run", "--today", "2026-10-20", "--letters", str(letters))
    assert again["reminders"] == []  # printed once, like an email
