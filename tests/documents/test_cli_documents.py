"""``invoicer invoice pdf|xml`` and ``invoicer export pdfs`` through a real subprocess."""

from __future__ import annotations

import io
from pathlib import Path

import facturx
import pypdf

from tests.cli.invocations import ok, run, user_error


def _invoice(folder: Path, date: str = "2026-11-02", finalize: bool = True) -> int:
    customer = ok(folder, "customer", "add", "--name", "Ελλάδα Trading", "--country", "GR", "--vat-id", "EL094259216",
                  "--locale", "el_GR")["id"]
    invoice = ok(folder, "invoice", "create", "--customer", str(customer), "--date", date,
                 "--line", "Consulting|3|120.00|19")["id"]
    if finalize:
        ok(folder, "invoice", "finalize", str(invoice))
    return int(invoice)


def test_invoice_pdf_and_xml(data: Path, tmp_path: Path) -> None:
    invoice = _invoice(data)
    pdf_file, xml_file = tmp_path / "inv.pdf", tmp_path / "inv.xml"
    written = ok(data, "invoice", "pdf", str(invoice), "-o", str(pdf_file))
    assert written["path"] == str(pdf_file) and written["bytes"] == pdf_file.stat().st_size
    ok(data, "invoice", "xml", str(invoice), "-o", str(xml_file))
    text = pypdf.PdfReader(pdf_file).pages[0].extract_text()
    assert "INV-2026-00001" in text and "Ελλάδα Trading" in text
    assert facturx.get_xml_from_pdf(io.BytesIO(pdf_file.read_bytes()), check_xsd=True)[1] == xml_file.read_bytes()
    again = tmp_path / "again.pdf"
    ok(data, "invoice", "pdf", str(invoice), "-o", str(again))
    assert again.read_bytes() == pdf_file.read_bytes()
    assert ok(data, "verify")["ok"]


def test_draft_pdf_is_a_preview_and_has_no_xml(data: Path, tmp_path: Path) -> None:
    draft = _invoice(data, finalize=False)
    ok(data, "invoice", "pdf", str(draft), "-o", str(tmp_path / "draft.pdf"))
    assert "DRAFT" in pypdf.PdfReader(tmp_path / "draft.pdf").pages[0].extract_text()
    assert "finalize it first" in user_error(data, "invoice", "xml", str(draft), "-o", str(tmp_path / "d.xml"))
    assert "no invoice or credit note 999" in user_error(data, "invoice", "pdf", "999", "-o", str(tmp_path / "x.pdf"))


def test_export_pdfs_by_period(data: Path, tmp_path: Path) -> None:
    for day in ("2026-11-02", "2026-11-03", "2026-12-01"):
        _invoice(data, day)
    out = tmp_path / "out"
    result = ok(data, "export", "pdfs", "--from", "2026-11-01", "--to", "2026-11-30", "-o", str(out))
    assert result["count"] == 2
    assert sorted(p.name for p in out.iterdir()) == ["INV-2026-00001.pdf", "INV-2026-00002.pdf"]
    plain = run(data, "export", "pdfs", "-o", str(tmp_path / "all"))
    assert plain.returncode == 0 and "Wrote 3 PDF(s)" in plain.stdout
