"""Payment link templates: what is refused (with the reason) and how one invoice's link is put together."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from invoicer.core.errors import ValidationError
from invoicer.core.payment_links import LinkFacts, check_template, link_url

GOOD = "https://pay.example.com/{token}?amount={amount}&cur={currency}&ref={number}"


@pytest.mark.parametrize("template", [GOOD, "http://127.0.0.1:8080/pay/{token}", " https://psp.example/i/{token} "])
def test_good_templates_pass(template: str) -> None:
    check_template(template)


@pytest.mark.parametrize(("template", "reason"), [
    ("https://pay.example.com/{token}?x={amout}", "unknown placeholder {amout}"),
    ("https://pay.example.com/{token:>5}", "unknown placeholder {token}"),
    ("https://pay.example.com/{token", "unmatched brace"),
    ("https://pay.example.com/?amount={amount}", "needs the placeholder {token}"),
    ("ftp://pay.example.com/{token}", "not a web address"),
    ("pay.example.com/{token}", "not a web address"),
    ("https:///{token}", "not a web address"),
    ("https://[::1/{token}", "not a web address"),
    ("https://pay.example.com:99999/{token}", "not a web address"),
    ("https://pay.example.com/{token} now", "not a web address"),
    ("https://{token}.example.com/", "placeholder in its host name"),
    ("https://pay.example.com/{token}/" + "x" * 500, "longer than 500"),
])
def test_bad_templates_are_refused_with_the_reason(template: str, reason: str) -> None:
    with pytest.raises(ValidationError, match="payment link") as refused:
        check_template(template)
    assert reason in str(refused.value)


def test_values_are_percent_encoded_into_the_link() -> None:
    url = link_url(LinkFacts(GOOD, "abc-_DEF", 123450, "EUR", "INV 2026/7&x"))
    parts = urlsplit(url)
    assert parts.path == "/abc-_DEF"
    assert parse_qs(parts.query) == {"amount": ["1234.50"], "cur": ["EUR"], "ref": ["INV 2026/7&x"]}


def test_amounts_follow_the_currency_decimals() -> None:
    assert link_url(LinkFacts("https://p.example/{token}/{amount}", "t", 1500, "JPY", "1")).endswith("/t/1500")
    assert link_url(LinkFacts("https://p.example/{token}/{amount}", "t", 1500, "BHD", "1")).endswith("/t/1.500")
