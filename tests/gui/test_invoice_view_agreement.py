"""One invoice, four readers: the invoice window, `invoice show --json` and the Factur-X XML show the
figures of the invoice view."""

from __future__ import annotations

import json
from datetime import date

import pytest
from lxml import etree

from invoicer.cli import main
from invoicer.core.money import format_minor
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.gui.style import money
from invoicer.services import documents
from invoicer.services.views import invoice_view
from tests.services.helpers import settled_invoice

NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def test_window_cli_and_xml_show_the_views_figures(
    window, gui_db: Database, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    invoice_id = settled_invoice(gui_db)
    with transaction(gui_db.readonly_sessions) as s:
        shown = invoice_view(s, invoice_id, date.today())
    totals, balance = shown.totals, shown.balance
    assert balance.paid and balance.credited and totals.allowance_total and totals.charge_total  # all in play

    editor = window.open_invoice(invoice_id)
    labels = {key: label.text() for key, label in editor.totals.values.items()}
    assert labels == {
        "subtotal": money(totals.subtotal, "EUR"),
        "allowances": money(-totals.allowance_total, "EUR"),
        "charges": money(totals.charge_total, "EUR"),
        **{f"tax_{t.category}_{t.rate}": money(t.amount, "EUR") for t in totals.taxes},
        "total": money(totals.total, "EUR"),
        "paid": money(-balance.paid, "EUR"),
        "credited": money(-balance.credited, "EUR"),
        "amount_due": money(balance.amount_due, "EUR"),
    }

    with transaction(gui_db.sessions) as s:
        root = etree.fromstring(documents.invoice_xml(s, invoice_id))
    sums = root.xpath("//ram:SpecifiedTradeSettlementHeaderMonetarySummation", namespaces=NS)[0]
    assert {child.tag.rpartition("}")[2]: child.text for child in sums} == {
        "LineTotalAmount": format_minor(totals.subtotal, "EUR"),
        "ChargeTotalAmount": format_minor(totals.charge_total, "EUR"),
        "AllowanceTotalAmount": format_minor(totals.allowance_total, "EUR"),
        "TaxBasisTotalAmount": format_minor(totals.tax_basis, "EUR"),
        "TaxTotalAmount": format_minor(totals.tax_total, "EUR"),
        "GrandTotalAmount": format_minor(totals.total, "EUR"),
        # the e-invoice is the document as issued: nothing was paid then
        "TotalPrepaidAmount": "0.00",
        "DuePayableAmount": format_minor(totals.total, "EUR"),
    }
    breakdown = [
        (node.findtext("ram:CategoryCode", namespaces=NS), node.findtext("ram:BasisAmount", namespaces=NS),
         node.findtext("ram:CalculatedAmount", namespaces=NS))
        for node in root.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS)
    ]
    assert breakdown == [(t.category, format_minor(t.basis, "EUR"), format_minor(t.amount, "EUR"))
                         for t in totals.taxes]

    capsys.readouterr()
    assert main(["--data-dir", str(gui_db.folder), "invoice", "show", str(invoice_id), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert {key: cli[key] for key in ("subtotal", "allowance_total", "charge_total", "tax_total", "total", "paid",
                                      "credited", "amount_due")} == {
        key: format_minor(value, "EUR") for key, value in (
            ("subtotal", totals.subtotal), ("allowance_total", totals.allowance_total),
            ("charge_total", totals.charge_total), ("tax_total", totals.tax_total), ("total", totals.total),
            ("paid", balance.paid), ("credited", balance.credited), ("amount_due", balance.amount_due),
        )
    }
    assert [(t["category"], t["rate"], t["basis"], t["amount"]) for t in cli["tax"]] == [
        (t.category, str(t.rate), format_minor(t.basis, "EUR"), format_minor(t.amount, "EUR")) for t in totals.taxes
    ]
    assert (cli["display_status"], [ln["net"] for ln in cli["lines"]]) == (
        shown.display_status, [format_minor(line.net, "EUR") for line in shown.lines]
    )
