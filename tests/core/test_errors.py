"""Errors carry an English template and its values: ``str(err)`` is English, the interface language is applied
where the message is shown, labels inside a message follow it, and the template survives a process boundary."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pytest

from invoicer import i18n
from invoicer.core.errors import N_, InvoicerError, Message, ValidationError, listing, reason
from invoicer.core.money import parse_decimal
from invoicer.core.workflow import Transition, target_status


@pytest.fixture
def german() -> Iterator[None]:
    i18n.set_language("de_DE")
    yield
    i18n.set_language("en_US")


def test_str_is_english_and_the_shown_text_follows_the_interface(german: None) -> None:
    with pytest.raises(InvoicerError) as caught:
        target_status(Transition.VOID, "paid")
    assert str(caught.value) == "Only an open invoice can be voided; this invoice is paid."
    assert i18n.error_text(caught.value) == (
        "Nur eine offene Rechnung kann storniert werden; diese Rechnung hat den Status „bezahlt“."
    )


def test_labels_and_lists_inside_a_message_are_translated_with_it(german: None) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_decimal("x", Message(N_("line {line} quantity"), line=3), 4)
    assert str(caught.value) == "line 3 quantity: 'x' is not a number."
    assert caught.value.field == "line 3 quantity"
    assert i18n.error_text(caught.value) == "Position 3, Menge: „x“ ist keine Zahl."
    missing = ValidationError(N_("No column is chosen for: {fields}."), fields=listing([N_("Name"), N_("Country")]))
    assert str(missing) == "No column is chosen for: Name, Country."
    assert i18n.error_text(missing) == "Keine Spalte gewählt für: Name, Land."


def test_a_plain_text_stays_as_given(german: None) -> None:
    error = InvoicerError("smtplib said {weird} things")  # no values: braces are text, nothing is looked up
    assert str(error) == i18n.error_text(error) == "smtplib said {weird} things"


def test_a_wrapped_error_is_shown_in_the_same_language(german: None) -> None:
    inner = InvoicerError(N_("There is no invoice {id}."), id=7)
    outer = InvoicerError(N_("{problem} Add --again to send it once more."), problem=reason(inner))
    assert str(outer) == "There is no invoice 7. Add --again to send it once more."
    assert i18n.error_text(outer) == "Es gibt keine Rechnung 7. Mit --again wird sie noch einmal gesendet."
    assert reason(OSError("disk full")) == "disk full"


def test_the_template_survives_pickling(german: None) -> None:
    error = ValidationError(N_("There is no invoice {id}."), "id", id=7)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ValidationError and copy.field == "id" and str(copy) == "There is no invoice 7."
    assert i18n.error_text(copy) == "Es gibt keine Rechnung 7."


def test_an_empty_number_asks_for_one_in_plain_words(german: None) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_decimal("  ", Message(N_("line {line} unit price"), line=1))
    assert str(caught.value) == "line 1 unit price: enter a number."
    assert i18n.error_text(caught.value) == "Position 1, Einzelpreis: Geben Sie eine Zahl ein."
