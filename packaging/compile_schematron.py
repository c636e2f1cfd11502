"""Compile the official Schematron rules kept in resources/validation/ into the XSLT the app runs.

The XRechnung (KoSIT), Peppol BIS and Factur-X rules are published as Schematron (.sch); the EN 16931 rules
come compiled from CEN/TC 434. Run this after replacing a .sch with a newer release:

    python packaging/compile_schematron.py

It uses SchXslt (packaging/schxslt/, MIT) on Saxon-HE (saxonche) and writes ``NAME.xsl`` beside each
``NAME.sch``. The compiled files are committed, so the app and the tests need no compiler.

The report is SchXslt's compact one (``schxslt.svrl.compact``): every rule runs, and the report lists what failed
(and the successful reports), not also each rule that fired on each node, which the app never reads and which took
15-20 % of a check (tests/documents/test_einvoice_rules.py holds both reports to the same failed rules).

The Factur-X rules look codes up in a code list file (``…_codedb.xml``, 180 KB) with ``document()``, which
Saxon reads anew at every check (about half of the check's time). The compiled rules read it once, when the
stylesheet is compiled, into a map held by a static variable: the same codes, the same test (one value equal
to one code of the list), looked up in constant time.
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
    "facturx/FACTUR-X_EN16931.sch",
]
#: a code list look-up of the Factur-X rules: document('X_codedb.xml')/codedb/cl[@id=N]/enumeration[@value=$V]
LOOKUP = re.compile(r"document\('([\w.-]+_codedb\.xml)'\)/codedb/cl\[@id=(\d+)\]/enumeration\[@value=(\$\w+)\]")
CODES = "Q{urn:invoicer:compile-schematron}codes"
IF_TEST = re.compile(r'<xsl:if test="[^"]*"')


def code_lists_inlined(compiled: str) -> str:
    """The compiled rules with each code list look-up answered from a map built at compile time."""
    files = set(LOOKUP.findall(compiled))
    if not files:
        return compiled
    (codedb,) = {name for name, _cl, _value in files}  # one code list file per rule set
    declaration = (
        f'<xsl:variable name="{CODES}" static="yes" select="Q{{http://www.w3.org/2005/xpath-functions/map}}merge('
        f"for $code in doc('{codedb}')/codedb/cl/enumeration return map{{concat($code/../@id, ':', $code/@value): "
        "true()}, map{'duplicates': 'use-first'})\"/>"
    )
    def answered(test: re.Match[str]) -> str:
        # $V holds one node (the rule's context or one of its attributes): its value equals a code of list N
        return LOOKUP.sub(
            lambda m: f"Q{{http://www.w3.org/2005/xpath-functions/map}}contains(${CODES}, concat('{m[2]}:', {m[3]}))",
            test[0])

    # only the tests that run; the failed rule still reports its test in the published words
    inlined = IF_TEST.sub(answered, compiled)
    head_end = inlined.index(">", inlined.index("<xsl:transform")) + 1
    return inlined[:head_end] + declaration + inlined[head_end:]


def compiler(processor: saxonche.PySaxonProcessor, *, compact: bool = True) -> saxonche.PyXsltExecutable:
    """SchXslt's pipeline; ``compact``: its compact report, failed assertions and successful reports only, without
    a fired-rule element for every node a rule's context matches (which the app never reads: 15-20 % of a rule
    set's check). The tests compile the full report too, to show both fail the same rules."""
    pipeline = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(PIPELINE))
    pipeline.set_parameter("schxslt.svrl.compact", processor.make_boolean_value(compact))
    return pipeline


def compiled_rules(pipeline: saxonche.PyXsltExecutable, source: Path) -> str:
    """The XSLT of the Schematron ``source``, as the app runs it."""
    compiled = pipeline.transform_to_string(source_file=str(source))
    # SchXslt stamps the compile time into the output: leave it out, so the same rules compile the same
    return code_lists_inlined(CREATED.sub("<dct:created/>", compiled))


def main() -> int:
    pipeline = compiler(saxonche.PySaxonProcessor(license=False))
    for name in SOURCES:
        source = ROOT / "resources" / "validation" / name
        target = source.with_suffix(".xsl")
        target.write_text(compiled_rules(pipeline, source), encoding="utf-8")
        print(f"{source.relative_to(ROOT)} -> {target.name} ({target.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
