"""Compile the official Schematron rules kept in resources/validation/ into the XSLT the app runs.

The XRechnung (KoSIT) and Peppol BIS rules are published as Schematron (.sch); the EN 16931 rules come
compiled from CEN/TC 434. Run this after replacing a .sch with a newer release:

    python packaging/compile_schematron.py

It uses SchXslt (packaging/schxslt/, MIT) on Saxon-HE (saxonche) and writes ``NAME.xsl`` beside each
``NAME.sch``. The compiled files are committed, so the app and the tests need no compiler.
"""

from __future__ import annotations

import re
from pathlib import Path

import saxonche

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = ROOT / "packaging" / "schxslt" / "xslt-2.0" / "pipeline-for-svrl.xsl"
CREATED = re.compile(r"<dct:created>[^<]*</dct:created>")
SOURCES = [
    "xrechnung/cii/XRechnung-CII-validation.sch",
    "xrechnung/ubl/XRechnung-UBL-validation.sch",
    "peppol/PEPPOL-EN16931-UBL.sch",
    "peppol/PEPPOL-EN16931-CII.sch",
]


def main() -> int:
    processor = saxonche.PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(PIPELINE))
    for name in SOURCES:
        source = ROOT / "resources" / "validation" / name
        target = source.with_suffix(".xsl")
        compiled = compiler.transform_to_string(source_file=str(source))
        # SchXslt stamps the compile time into the output: leave it out, so the same rules compile the same
        compiled = CREATED.sub("<dct:created/>", compiled)
        target.write_text(compiled, encoding="utf-8")
        print(f"{source.relative_to(ROOT)} -> {target.name} ({target.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
