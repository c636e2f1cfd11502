"""Email subjects and bodies per language with {placeholders}, formatted with Babel in the customer's locale.

Templates are data rather than gettext messages because users edit them in Settings: the
``mail.templates`` setting holds ``{name: {language: {"subject": ..., "body": ...}}}``. A missing
entry falls back to the built-in default of that language, then to English.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from invoicer.core.errors import N_, Message, ValidationError
from invoicer.i18n import format_date, format_money

FALLBACK_LANGUAGE = "en"

PLACEHOLDERS: dict[str, str] = {
    "number": "the invoice number",
    "amount_due": "what is still to pay, in the invoice currency",
    "total": "the invoice total",
    "issue_date": "the issue date",
    "due_date": "the due date",
    "days_overdue": "days since the due date (0 before it)",
    "company": "your company's name",
    "customer": "the customer's name",
    "contact": "the customer's contact person (the customer's name if there is none)",
    "payment_details": "amount due, bank account, payment reference and payment link, one per line",
    "payment_link": "the invoice's payment link for the amount due (empty when it has none)",
}

_INVOICE = {
    "en": (
        "Invoice {number} from {company}",
        "Hello,\n\nplease find attached our invoice {number} of {issue_date} for {amount_due}, "
        "payable by {due_date}.\n\n{payment_details}\n\nThank you for your business.\n\nKind regards\n{company}",
    ),
    "de": (
        "Rechnung {number} von {company}",
        "Guten Tag,\n\nanbei erhalten Sie unsere Rechnung {number} vom {issue_date} über {amount_due}, "
        "zahlbar bis zum {due_date}.\n\n{payment_details}\n\nVielen Dank für Ihren Auftrag.\n\n"
        "Mit freundlichen Grüßen\n{company}",
    ),
    "fr": (
        "Facture {number} de {company}",
        "Bonjour,\n\nveuillez trouver ci-joint notre facture {number} du {issue_date} d'un montant de "
        "{amount_due}, payable au plus tard le {due_date}.\n\n{payment_details}\n\n"
        "Nous vous remercions de votre confiance.\n\nCordialement,\n{company}",
    ),
    "es": (
        "Factura {number} de {company}",
        "Buenos días:\n\nle adjuntamos nuestra factura {number} del {issue_date} por un importe de "
        "{amount_due}, con vencimiento el {due_date}.\n\n{payment_details}\n\n"
        "Gracias por confiar en nosotros.\n\nAtentamente,\n{company}",
    ),
}
# a settled invoice is sent as a copy for the customer's records: it asks for nothing
_PAID = {
    "en": (
        "Invoice {number} from {company} (settled)",
        "Hello,\n\nplease find attached for your records a copy of our invoice {number} of {issue_date} "
        "for {total}. It is settled: nothing is left to pay.\n\nThank you for your business.\n\n"
        "Kind regards\n{company}",
    ),
    "de": (
        "Rechnung {number} von {company} (beglichen)",
        "Guten Tag,\n\nanbei erhalten Sie für Ihre Unterlagen eine Kopie unserer Rechnung {number} vom "
        "{issue_date} über {total}. Sie ist beglichen; es ist nichts mehr zu zahlen.\n\n"
        "Vielen Dank für Ihren Auftrag.\n\nMit freundlichen Grüßen\n{company}",
    ),
    "fr": (
        "Facture {number} de {company} (réglée)",
        "Bonjour,\n\nveuillez trouver ci-joint, pour vos archives, une copie de notre facture {number} du "
        "{issue_date} d'un montant de {total}. Elle est réglée : il ne reste rien à payer.\n\n"
        "Nous vous remercions de votre confiance.\n\nCordialement,\n{company}",
    ),
    "es": (
        "Factura {number} de {company} (liquidada)",
        "Buenos días:\n\nle adjuntamos, para sus archivos, una copia de nuestra factura {number} del "
        "{issue_date} por un importe de {total}. Está liquidada: no queda nada pendiente de pago.\n\n"
        "Gracias por confiar en nosotros.\n\nAtentamente,\n{company}",
    ),
}
_CREDIT_NOTE = {
    "en": (
        "Credit note {number} from {company}",
        "Hello,\n\nplease find attached our credit note {number} of {issue_date} for {total}.\n\n"
        "Kind regards\n{company}",
    ),
    "de": (
        "Gutschrift {number} von {company}",
        "Guten Tag,\n\nanbei erhalten Sie unsere Gutschrift {number} vom {issue_date} über {total}.\n\n"
        "Mit freundlichen Grüßen\n{company}",
    ),
    "fr": (
        "Avoir {number} de {company}",
        "Bonjour,\n\nveuillez trouver ci-joint notre avoir {number} du {issue_date} d'un montant de "
        "{total}.\n\nCordialement,\n{company}",
    ),
    "es": (
        "Factura rectificativa {number} de {company}",
        "Buenos días:\n\nle adjuntamos nuestra factura rectificativa {number} del {issue_date} por un "
        "importe de {total}.\n\nAtentamente,\n{company}",
    ),
}
_FRIENDLY = {
    "en": (
        "Reminder: invoice {number} is due on {due_date}",
        "Hello,\n\nthis is a friendly reminder that our invoice {number} of {issue_date} for {amount_due} "
        "is due on {due_date}. If you have already paid, please disregard this message.\n\n"
        "Kind regards\n{company}",
    ),
    "de": (
        "Erinnerung: Rechnung {number} ist am {due_date} fällig",
        "Guten Tag,\n\nwir möchten Sie freundlich daran erinnern, dass unsere Rechnung {number} vom "
        "{issue_date} über {amount_due} am {due_date} fällig wird. Falls Sie bereits bezahlt haben, "
        "betrachten Sie diese Nachricht bitte als gegenstandslos.\n\nMit freundlichen Grüßen\n{company}",
    ),
    "fr": (
        "Rappel : la facture {number} arrive à échéance le {due_date}",
        "Bonjour,\n\nnous vous rappelons que notre facture {number} du {issue_date} d'un montant de "
        "{amount_due} arrive à échéance le {due_date}. Si vous avez déjà effectué le paiement, merci de ne "
        "pas tenir compte de ce message.\n\nCordialement,\n{company}",
    ),
    "es": (
        "Recordatorio: la factura {number} vence el {due_date}",
        "Buenos días:\n\nle recordamos que nuestra factura {number} del {issue_date} por un importe de "
        "{amount_due} vence el {due_date}. Si ya ha realizado el pago, le rogamos que ignore este mensaje.\n\n"
        "Atentamente,\n{company}",
    ),
}
_DUE = {
    "en": (
        "Invoice {number} is due today",
        "Hello,\n\nour invoice {number} of {issue_date} for {amount_due} is due today, {due_date}. "
        "You will find it attached once more.\n\n{payment_details}\n\nKind regards\n{company}",
    ),
    "de": (
        "Rechnung {number} ist heute fällig",
        "Guten Tag,\n\nunsere Rechnung {number} vom {issue_date} über {amount_due} ist heute, am {due_date}, "
        "fällig. Sie finden sie noch einmal im Anhang.\n\n{payment_details}\n\nMit freundlichen Grüßen\n{company}",
    ),
    "fr": (
        "La facture {number} arrive à échéance aujourd'hui",
        "Bonjour,\n\nnotre facture {number} du {issue_date} d'un montant de {amount_due} arrive à échéance "
        "aujourd'hui, le {due_date}. Vous la trouverez de nouveau en pièce jointe.\n\n{payment_details}\n\n"
        "Cordialement,\n{company}",
    ),
    "es": (
        "La factura {number} vence hoy",
        "Buenos días:\n\nnuestra factura {number} del {issue_date} por un importe de {amount_due} vence hoy, "
        "{due_date}. Se la adjuntamos de nuevo.\n\n{payment_details}\n\nAtentamente,\n{company}",
    ),
}
_OVERDUE = {
    "en": (
        "Overdue: invoice {number}",
        "Hello,\n\naccording to our records, our invoice {number} of {issue_date} was due on {due_date} and "
        "{amount_due} is still open. Please transfer the amount with the details below or scan the QR code "
        "on the attached invoice. If you have already paid, please disregard this message.\n\n"
        "{payment_details}\n\nKind regards\n{company}",
    ),
    "de": (
        "Zahlungserinnerung: Rechnung {number} ist überfällig",
        "Guten Tag,\n\nnach unseren Unterlagen war unsere Rechnung {number} vom {issue_date} am {due_date} "
        "fällig; offen sind noch {amount_due}. Bitte überweisen Sie den Betrag mit den folgenden Angaben oder "
        "mit dem QR-Code auf der beigefügten Rechnung. Sollten Sie bereits bezahlt haben, betrachten Sie "
        "diese Nachricht bitte als gegenstandslos.\n\n{payment_details}\n\nMit freundlichen Grüßen\n{company}",
    ),
    "fr": (
        "Relance : facture {number} échue",
        "Bonjour,\n\nsauf erreur de notre part, notre facture {number} du {issue_date} était payable le "
        "{due_date} et {amount_due} restent dus. Merci d'effectuer le virement avec les coordonnées "
        "ci-dessous ou le code QR de la facture jointe. Si vous avez déjà réglé, merci de ne pas tenir "
        "compte de ce message.\n\n{payment_details}\n\nCordialement,\n{company}",
    ),
    "es": (
        "Factura {number} vencida",
        "Buenos días:\n\nsegún nuestros registros, nuestra factura {number} del {issue_date} venció el "
        "{due_date} y quedan pendientes {amount_due}. Le rogamos que realice la transferencia con los datos "
        "siguientes o con el código QR de la factura adjunta. Si ya ha realizado el pago, le rogamos que "
        "ignore este mensaje.\n\n{payment_details}\n\nAtentamente,\n{company}",
    ),
}

DEFAULT_TEMPLATES: dict[str, dict[str, dict[str, str]]] = {
    name: {lang: {"subject": subject, "body": body} for lang, (subject, body) in texts.items()}
    for name, texts in (
        ("invoice", _INVOICE),
        ("invoice_paid", _PAID),
        ("credit_note", _CREDIT_NOTE),
        ("reminder_friendly", _FRIENDLY),
        ("reminder_due", _DUE),
        ("reminder_overdue", _OVERDUE),
    )
}

# the labels of {payment_details}: amount due, account holder, payment reference
_PAYMENT_LABELS = {
    "en": ("Amount due", "Account holder", "Payment reference", "Pay online"),
    "de": ("Offener Betrag", "Kontoinhaber", "Verwendungszweck", "Online bezahlen"),
    "fr": ("Montant dû", "Titulaire du compte", "Référence du paiement", "Payer en ligne"),
    "es": ("Importe pendiente", "Titular de la cuenta", "Referencia del pago", "Pagar en línea"),
}

_NAME = re.compile(r"^[a-z0-9_]{1,40}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Facts:
    """What a message about one invoice can say; amounts in minor units of ``currency``."""

    number: str
    currency: str
    amount_due: int
    total: int
    issue_date: date
    due_date: date | None
    company: str
    customer: str
    contact: str | None
    iban: str | None
    bic: str | None
    today: date
    payment_link: str | None = None  # the link that pays the amount due now, when the invoice has one


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    language: str


def language_of(locale: str) -> str:
    """``de_DE`` -> ``de``."""
    return locale.replace("-", "_").split("_")[0].lower() or FALLBACK_LANGUAGE


def _where(name: str, language: str) -> Message:
    return Message(N_("Template '{name}' ({language})"), name=name, language=language)


def _fields(text: str, template: Message, part: str) -> list[str]:
    where = Message("{template} {part}", template=template, part=part)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(
            N_("{where}: {reason} (write {{{{ and }}}} for literal braces)."), where=where, reason=str(exc)
        ) from None
    fields = []
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            raise ValidationError(
                N_("{where}: unknown placeholder {{{field}}}; use {known}."), where=where, field=field, known=known
            )
        fields.append(field)
    return fields


def check_templates(value: Any) -> None:
    """Validate the ``mail.templates`` setting: shape, names, languages and placeholders."""
    if not isinstance(value, dict):
        raise ValidationError(
            N_("Mail templates are {shape}."), shape='{"name": {"en": {"subject": "...", "body": "..."}}}'
        )
    for name, languages in value.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValidationError(N_("'{name}' is not a template name (lower-case letters, digits and _)."), name=name)
        if not isinstance(languages, dict):
            raise ValidationError(
                N_("Template '{name}' must map languages (en, de...) to a subject and body."), name=name
            )
        for language, texts in languages.items():
            where = _where(name, language)
            if not isinstance(language, str) or not _LANGUAGE.match(language):
                raise ValidationError(N_("{where}: the language must be a code such as en, de, fr or es."), where=where)
            if not isinstance(texts, dict) or set(texts) != {"subject", "body"}:
                raise ValidationError(N_('{where}: give exactly a "subject" and a "body".'), where=where)
            for part in ("subject", "body"):
                if not isinstance(texts[part], str) or not texts[part].strip():
                    raise ValidationError(N_("{where}: the {part} must be a non-empty text."), where=where, part=part)
                _fields(texts[part], where, part)


def template_names(overrides: Mapping[str, Any]) -> set[str]:
    return set(DEFAULT_TEMPLATES) | set(overrides)


def pick(overrides: Mapping[str, Any], name: str, language: str) -> tuple[str, str, str]:
    """(subject, body, language) of template ``name``: the user's, else the built-in, in the
    customer's language, else in English."""
    for lang in (language, FALLBACK_LANGUAGE):
        for source in (overrides, DEFAULT_TEMPLATES):
            found = source.get(name, {}).get(lang)
            if found:
                return found["subject"], found["body"], lang
    raise ValidationError(N_("There is no mail template '{name}'; add it to the mail.templates setting."), name=name)


def _grouped_iban(iban: str) -> str:
    compact = "".join(iban.split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def payment_details(facts: Facts, locale: str) -> str:
    """The {payment_details} block: amount due, then bank account and reference when there is an IBAN, and the
    payment link when the invoice has one that pays."""
    amount, holder, reference, online = _PAYMENT_LABELS.get(language_of(locale), _PAYMENT_LABELS[FALLBACK_LANGUAGE])
    lines = [f"{amount}: {format_money(facts.amount_due, facts.currency, locale)}"]
    if facts.iban:
        lines += [f"{holder}: {facts.company}", f"IBAN: {_grouped_iban(facts.iban)}"]
        if facts.bic:
            lines.append(f"BIC: {facts.bic}")
    lines.append(f"{reference}: {facts.number}")
    if facts.payment_link:
        lines.append(f"{online}: {facts.payment_link}")
    return "\n".join(lines)


def values(facts: Facts, locale: str) -> dict[str, str]:
    """Every placeholder's text for ``facts``, formatted in ``locale``."""
    return {
        "number": facts.number,
        "amount_due": format_money(facts.amount_due, facts.currency, locale),
        "total": format_money(facts.total, facts.currency, locale),
        "issue_date": format_date(facts.issue_date, locale, "long"),
        "due_date": format_date(facts.due_date, locale, "long") if facts.due_date else "",
        "days_overdue": str(max((facts.today - facts.due_date).days, 0) if facts.due_date else 0),
        "company": facts.company,
        "customer": facts.customer,
        "contact": facts.contact or facts.customer,
        "payment_details": payment_details(facts, locale),
        "payment_link": facts.payment_link or "",
    }


def render(overrides: Mapping[str, Any], name: str, facts: Facts, locale: str) -> Rendered:
    """Template ``name`` filled in for ``facts`` in the customer's ``locale``."""
    subject, body, language = pick(overrides, name, language_of(locale))
    filled = values(facts, locale)
    for part, text in (("subject", subject), ("body", body)):
        _fields(text, _where(name, language), part)
    # a subject is one line; an empty placeholder must not leave a hole of blank lines in the body
    one_line = " ".join(subject.format_map(filled).split())
    text = re.sub(r"\n{3,}", "\n\n", body.format_map(filled)).strip() + "\n"
    return Rendered(subject=one_line, body=text, language=language)
