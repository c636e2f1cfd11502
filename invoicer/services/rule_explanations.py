"""Plain explanations of the official e-invoice rules people meet, in the reader's language.

The rule sets state their rules in the words of the standard (the XRechnung ones in German); a failed rule with
an explanation here is told in these words instead, so that a business owner or an accountant can see what is
missing or wrong in a document, their own or one received. The rule identifier is always shown next to it.
"""

from __future__ import annotations

from invoicer.core.errors import N_, Message
from invoicer.documents.einvoice_rules import Failure

_SELLER_CONTACT = N_("The seller's contact person (BT-41) is missing: XRechnung needs a name, a telephone number "
                     "and an email address to contact the seller.")

EXPLANATIONS: dict[str, str] = {
    # XRechnung (KoSIT), whose rules are written in German
    "BR-DE-1": N_("Payment instructions (BG-16) are missing: XRechnung needs to say how the buyer is to pay, e.g. "
                  "by transfer to the seller's IBAN."),
    "BR-DE-2": _SELLER_CONTACT,
    "BR-DE-5": _SELLER_CONTACT,
    "BR-DE-6": N_("The seller contact's telephone number (BT-42) is missing: XRechnung needs it."),
    "BR-DE-7": N_("The seller contact's email address (BT-43) is missing: XRechnung needs it."),
    "BR-DE-3": N_("The seller's city (BT-37) is missing: XRechnung needs it."),
    "BR-DE-4": N_("The seller's postcode (BT-38) is missing: XRechnung needs it."),
    "BR-DE-8": N_("The buyer's city (BT-52) is missing: XRechnung needs it."),
    "BR-DE-9": N_("The buyer's postcode (BT-53) is missing: XRechnung needs it."),
    "BR-DE-10": N_("The delivery address has no city (BT-77): XRechnung needs it."),
    "BR-DE-11": N_("The delivery address has no postcode (BT-78): XRechnung needs it."),
    "BR-DE-14": N_("A VAT breakdown has no VAT rate (BT-119): XRechnung needs the rate of each one, 0 where no VAT "
                   "is charged."),
    "BR-DE-15": N_("The buyer reference (BT-10) is missing: XRechnung needs it on every invoice; for a German "
                   "public body it is the Leitweg-ID it gave you."),
    "BR-DE-16": N_("The seller's VAT ID or tax number (BT-31, BT-32) is missing: XRechnung needs one of them "
                   "whenever the invoice is within the scope of VAT."),
    "BR-DE-17": N_("XRechnung expects the invoice type to be 326, 380, 384, 389, 381, 875, 876 or 877."),
    "BR-DE-18": N_("Cash discount terms (Skonto) must be written in XRechnung's fixed form in the payment terms, "
                   "e.g. #SKONTO#TAGE=14#PROZENT=2.00#."),
    "BR-DE-19": N_("The account for the SEPA transfer (BT-84) is not a valid IBAN."),
    "BR-DE-21": N_("The document does not name XRechnung as the specification it follows (BT-24)."),
    "BR-DE-23-a": N_("Payment by transfer is named, but the account to pay to (BG-17) is missing."),
    "BR-DE-26": N_("A corrected invoice (type 384) should name the invoice it corrects (BG-3)."),
    "BR-DE-27": N_("The seller contact's telephone number (BT-42) should have at least three digits."),
    "BR-DE-28": N_("The seller contact's email address (BT-43) does not look like an email address."),
    "BR-DE-TMP-32": N_("The date of delivery or service (BT-72) or the period invoiced (BG-14) should be given."),
    # Peppol BIS Billing 3.0
    "PEPPOL-EN16931-R001": N_("The document does not declare the Peppol business process (BT-23): it is not a "
                              "Peppol BIS Billing invoice."),
    "PEPPOL-EN16931-R004": N_("The document does not name Peppol BIS Billing 3.0 as the specification it follows "
                              "(BT-24): it is not a Peppol BIS Billing invoice."),
    "PEPPOL-EN16931-R003": N_("Peppol needs the buyer reference (BT-10) or the buyer's purchase order number "
                              "(BT-13): enter the reference the buyer gave you on the invoice."),
    "PEPPOL-EN16931-R010": N_("The buyer's electronic address (BT-49) is missing: Peppol needs it, e.g. the "
                              "buyer's Peppol ID."),
    "PEPPOL-EN16931-R020": N_("The seller's electronic address (BT-34) is missing: Peppol needs it, e.g. your "
                              "Peppol ID."),
    "PEPPOL-EN16931-R040": N_("An allowance or charge is not its base amount times its percentage."),
    "PEPPOL-EN16931-R046": N_("A line's net price is not its gross price minus the price discount."),
    "PEPPOL-EN16931-R120": N_("A line's net amount is not quantity times net price (per price base quantity), "
                              "plus its charges, minus its allowances."),
    "PEPPOL-EN16931-R121": N_("A price base quantity is not above zero."),
    "PEPPOL-EN16931-R130": N_("A price base quantity is in another unit than the line's quantity."),
    "PEPPOL-EN16931-P0112": N_("Peppol takes corrected (384) and partial (326) invoices only when the seller and "
                               "the buyer are both in Germany."),
    "PEPPOL-EN16931-P0100": N_("Peppol does not take this invoice type (BT-3), e.g. self-billed invoices (389)."),
    # EN 16931 (CEN/TC 434), the rules of every format
    "BR-CO-09": N_("A VAT ID must begin with its country's prefix (DE, FR, …; EL for Greece)."),
    "BR-CO-26": N_("The seller is not identified: a VAT ID, a tax number or a company registration number "
                   "(BT-29 to BT-31) is needed."),
    "BR-S-02": N_("Standard-rated VAT is charged, but the seller's VAT ID (BT-31) is missing."),
    "BR-AE-02": N_("Reverse charge needs both VAT IDs, the seller's and the buyer's."),
    "BR-AE-03": N_("Reverse charge needs both VAT IDs, the seller's and the buyer's."),
    "BR-AE-04": N_("Reverse charge needs both VAT IDs, the seller's and the buyer's."),
    "BR-E-10": N_("An exempt VAT breakdown needs the reason for the exemption (text or VATEX code)."),
    "BR-IC-02": N_("An intra-community supply needs the seller's and the buyer's VAT IDs."),
    "BR-IC-11": N_("An intra-community supply needs the date of delivery (BT-72) or the period invoiced."),
    "BR-IC-12": N_("An intra-community supply needs the country it was delivered to (BT-80)."),
    "BR-61": N_("Payment by transfer is named, but the account to pay to (IBAN, BT-84) is missing."),
    "BR-CO-15": N_("The total with VAT is not the total without VAT plus the VAT."),
    "BR-CO-16": N_("The amount due is not the total with VAT minus what was paid in advance plus the rounding "
                   "amount."),
    "BR-CO-10": N_("The sum of the line amounts is not what the lines add up to."),
    "BR-CO-13": N_("The total without VAT is not the lines minus the allowances plus the charges."),
    "BR-CO-14": N_("The total VAT is not the sum of the VAT of each rate."),
    "BR-CO-17": N_("The VAT of a rate is not its basis times its rate, rounded to the cent."),
}


def explanation(failure: Failure) -> Message:
    """A failed rule in plain words (translated where it is shown), else in the rule's own words."""
    plain = EXPLANATIONS.get(failure.rule)
    return Message(plain) if plain is not None else Message(failure.words)
