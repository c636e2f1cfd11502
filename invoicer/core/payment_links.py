"""Payment links: the user's URL template (a payment provider's hosted page), checked once, and the link of one
invoice made from it with its random token, amount, currency and number, each put in the URL percent-encoded."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from invoicer.core.errors import N_, ValidationError
from invoicer.core.money import format_minor

#: what a template may name; {token} is required: it makes every invoice's link its own and unguessable
PLACEHOLDERS = ("token", "amount", "currency", "number")
MAX_TEMPLATE = 500
#: the figures a template is tried with when it is checked
_SAMPLE = {"token": "k3J9x_Q2mZ7rT1vWb8YcNd", "amount": "1234.50", "currency": "EUR", "number": "INV-2026-00001"}


def _fields(template: str) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise ValidationError(
            N_("The payment link has an unmatched brace; write the placeholders as {token}, {amount}, {currency} "
               "and {number}.")) from None
    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    fields = []
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            raise ValidationError(N_("The payment link names an unknown placeholder {{{field}}}; use {known}."),
                                  field=field, known=known)
        fields.append(field)
    return fields


def check_template(template: str) -> None:
    """Refuse a template that cannot give a working link: not an http(s) address with a host, an unknown
    placeholder, no {token}, or spaces."""
    text = template.strip()
    if len(text) > MAX_TEMPLATE:
        raise ValidationError(N_("The payment link is longer than {max} characters."), max=MAX_TEMPLATE)
    fields = _fields(text)
    if "token" not in fields:
        raise ValidationError(N_("The payment link needs the placeholder {token}: it makes each invoice's link its "
                                 "own (e.g. https://pay.example.com/{token})."))
    url = text.format_map(_SAMPLE)
    try:
        parts = urlsplit(url)
        host = parts.hostname if parts.port is None or parts.port > 0 else None
    except ValueError:  # "https://[::1/…" or a port that is no port: an address that cannot be opened
        host = None
    if host is None or parts.scheme not in ("http", "https") or any(c.isspace() for c in url):
        raise ValidationError(N_("The payment link '{link}' is not a web address starting with https:// (or "
                                 "http://) and a host name."), link=text)
    if "{" in re.split(r"[/?#]", text.split("://", 1)[-1], maxsplit=1)[0]:
        raise ValidationError(N_("The payment link '{link}' has a placeholder in its host name; put them in the "
                                 "path or the query."), link=text)


@dataclass(frozen=True)
class LinkFacts:
    """What one invoice's link says: the template it was made from, its token, and the amount it asks for."""

    template: str
    token: str
    amount_minor: int
    currency: str
    number: str


def link_url(facts: LinkFacts) -> str:
    """The link: the template with each placeholder's value percent-encoded (an invoice number may hold a
    slash or a space)."""
    values = {
        "token": facts.token,
        "amount": format_minor(facts.amount_minor, facts.currency),
        "currency": facts.currency,
        "number": facts.number,
    }
    return facts.template.strip().format_map({k: quote(v, safe="") for k, v in values.items()})
