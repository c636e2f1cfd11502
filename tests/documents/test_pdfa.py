"""PDF/A-3 structure of a Factur-X invoice, checked clause by clause with pypdf.

veraPDF (the reference validator) cannot be installed here, so these tests check the PDF/A-3b
and Factur-X 1.0 requirements a validator looks at first: identification in XMP, an output
intent with an ICC profile, every font embedded, a file ID, no encryption, and the embedded
XML declared as an associated file.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from invoicer.documents import pdf
from invoicer.documents.model import DocumentMark
from tests.documents.samples import credit_note, make_document


def resolve(obj: object) -> object:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


@pytest.fixture(scope="module", params=["invoice", "credit note"])
def reader(request: pytest.FixtureRequest) -> PdfReader:
    doc = make_document() if request.param == "invoice" else credit_note()
    return PdfReader(io.BytesIO(pdf.render_document(doc)))


def test_xmp_identifies_pdfa3_and_factur_x(reader: PdfReader) -> None:
    xmp = resolve(reader.trailer["/Root"]["/Metadata"]).get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")3", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in xmp
    assert re.search(r"fx:DocumentFileName(>|=\")factur-x.xml", xmp)
    assert re.search(r"fx:ConformanceLevel(>|=\")EN 16931", xmp)


def test_output_intent_carries_an_icc_profile(reader: PdfReader) -> None:
    intents = resolve(reader.trailer["/Root"]["/OutputIntents"])
    intent = resolve(intents[0])
    assert intent["/S"] == "/GTS_PDFA1"
    profile = resolve(intent["/DestOutputProfile"])
    assert profile.get_data()[36:40] == b"acsp"  # the ICC signature


def test_every_font_is_embedded(reader: PdfReader) -> None:
    for page in reader.pages:
        fonts = resolve(resolve(page["/Resources"]).get("/Font", {}))
        assert fonts, "a page without fonts"
        for ref in fonts.values():
            font = resolve(ref)
            descendants = font.get("/DescendantFonts")
            target = resolve(resolve(descendants)[0]) if descendants else font
            descriptor = resolve(target["/FontDescriptor"])
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


def test_file_id_and_no_encryption(reader: PdfReader) -> None:
    assert "/ID" in reader.trailer and len(reader.trailer["/ID"]) == 2
    assert not reader.is_encrypted


def test_the_xml_is_an_associated_file(reader: PdfReader) -> None:
    root = reader.trailer["/Root"]
    names = resolve(resolve(root["/Names"])["/EmbeddedFiles"])["/Names"]
    assert names[0] == "factur-x.xml"
    spec = resolve(names[1])
    assert spec["/AFRelationship"] in ("/Data", "/Alternative")
    stream = resolve(spec["/EF"]["/F"])
    assert stream["/Subtype"] == "/text/xml"
    assert "/ModDate" in stream["/Params"]
    assert any(resolve(a) == spec for a in resolve(root["/AF"]))


def test_drafts_are_plain_pdfs_without_e_invoice() -> None:
    reader = PdfReader(io.BytesIO(pdf.render_document(make_document(mark=DocumentMark.DRAFT, number=None))))
    assert "/EmbeddedFiles" not in resolve(reader.trailer["/Root"].get("/Names", {}))
