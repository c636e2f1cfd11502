"""Matching bank credits to open invoices, pure: references found in messy transfer text, equal amounts that need
a choice, one transfer for several invoices, and what one transfer claims not claimed again by the next."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from invoicer.core.bank_match import Allocation, Credit, Matcher, OpenInvoice, name_words
from invoicer.core.payment_reference import qr_reference, qr_valid, references_in, rf_reference, rf_valid

DAY = date(2026, 11, 20)


def inv(id_: int, number: str, due: int, customer: int = 1, name: str = "ACME SARL", iban: str | None = None,
        issued: date = date(2026, 11, 2)) -> OpenInvoice:
    return OpenInvoice(id_, number, customer, name, iban, "EUR", due, issued)


def credit(amount: int, text: str | None = None, name: str | None = None, iban: str | None = None,
           id_: int = 1) -> Credit:
    return Credit(id_, amount, "EUR", DAY, name, iban, text)


@given(st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-/", min_size=1, max_size=30))
def test_rf_references_carry_the_number_and_check(number: str) -> None:
    ref = rf_reference(number)
    assert rf_valid(ref)
    spaced = " ".join(ref[i:i + 4] for i in range(0, len(ref), 4))
    assert ref[4:] in references_in(f"Zahlung {spaced} DANKE")[0]


@given(st.integers(min_value=1, max_value=10**12))
def test_qr_references_check_digit(invoice_id: int) -> None:
    ref = qr_reference(invoice_id)
    assert qr_valid(ref) and len(ref) == 27
    wrong = ref[:-1] + str((int(ref[-1]) + 1) % 10)
    assert not qr_valid(wrong)
    assert references_in(f"REF {ref[:2]} {ref[2:7]} {ref[7:12]} {ref[12:17]} {ref[17:22]} {ref[22:]}")[1] == {
        invoice_id}


def test_number_written_without_separators_or_split_by_text() -> None:
    m = Matcher([inv(1, "INV-2026-00017", 11900), inv(2, "INV-2026-00018", 5000)])
    p = m.propose(credit(11900, "Re inv202600017 vom 02.11."))
    assert p is not None and p.reason == "reference" and p.allocations == (Allocation(1, 11900),)


def test_one_transfer_naming_two_invoices_pays_both() -> None:
    m = Matcher([inv(1, "INV-1", 1000), inv(2, "INV-2", 2500), inv(3, "INV-3", 700)])
    p = m.propose(credit(3500, "INV-1, INV-2"))
    assert p is not None and p.reason == "reference" and p.sure
    assert {a.invoice_id: a.amount for a in p.allocations} == {1: 1000, 2: 2500}


def test_two_transfers_never_claim_the_same_money() -> None:
    m = Matcher([inv(1, "INV-1", 1000, iban="DE02120300000000202051")])
    first = m.propose(credit(1000, None, iban="DE02 1203 0000 0000 2020 51", id_=1))
    second = m.propose(credit(1000, None, iban="DE02120300000000202051", id_=2))
    assert first is not None and first.reason == "amount_iban" and first.sure
    assert second is None  # the only invoice of that amount is taken: the second waits in the queue


def test_equal_amounts_of_different_customers_need_a_choice_unless_the_payer_says_who() -> None:
    invoices = [inv(1, "A-1", 5950, customer=1, name="Müller GmbH"), inv(2, "B-1", 5950, customer=2, name="Beta AG")]
    anonymous = Matcher(invoices).propose(credit(5950, "Danke"))
    assert anonymous is not None and (anonymous.reason, anonymous.sure, anonymous.alternatives) == ("ambiguous",
                                                                                                     False, (2,))
    named = Matcher(invoices).propose(credit(5950, "Danke", name="MULLER GMBH"))
    assert named is not None and named.reason == "amount_name" and named.allocations[0].invoice_id == 1
    assert not named.sure


def test_legal_forms_and_accents_do_not_decide_a_name() -> None:
    assert name_words("Société Générale S.A.") == name_words("SOCIETE GENERALE")
    assert name_words("Beta Trading GmbH & Co. KG") == frozenset({"beta", "trading"})


def test_a_reference_with_too_little_money_is_a_sure_partial_payment_of_one_invoice_only() -> None:
    single = Matcher([inv(1, "INV-1", 10000)]).propose(credit(4000, "INV-1 Anzahlung"))
    assert single is not None and (single.reason, single.sure) == ("reference_partial", True)
    both = Matcher([inv(1, "INV-1", 10000), inv(2, "INV-2", 10000)]).propose(credit(4000, "INV-1 INV-2"))
    assert both is not None and both.reason == "reference_partial" and not both.sure  # which one? ask


def test_debits_are_never_proposed() -> None:
    assert Matcher([inv(1, "INV-1", 1000)]).propose(credit(-1000, "INV-1")) is None


def test_umlauts_as_banks_spell_them() -> None:
    assert name_words("Müller & Söhne GmbH") == name_words("MUELLER UND SOEHNE") == name_words("Muller Sohne")
    assert name_words("Weiß KG") == name_words("WEISS")
