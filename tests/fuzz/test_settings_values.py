"""Settings values fuzzed through the service (``settings.put``), as the GUI and the CLI hand them over: a
refusal is a ValidationError with the database unchanged; what is accepted reads back as the setting's type."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from invoicer.core.errors import InvoicerError
from invoicer.db.migrate import Database
from invoicer.services import settings, store
from tests.fuzz.harness import fingerprint, fuzz, hostile_text, json_texts, json_values, number_texts

KEYS = sorted(settings.all_settings())


@fuzz
@given(key=st.sampled_from(KEYS), value=st.one_of(json_values(), json_texts(), hostile_text, number_texts,
                                                   st.sampled_from([10**40, -1, True, 2**63, "x" * 1_000_000])))
def test_put_refuses_clearly_or_stores_a_readable_value(seller: Database, key: str, value: object) -> None:
    folder = Path(seller.path).parent
    before = fingerprint(folder)
    try:
        store.write(seller, lambda s: settings.put(s, key, value))
    except InvoicerError as exc:
        assert str(exc) and "\n" not in str(exc)
        assert fingerprint(folder) == before, "a refused setting changed the database"
        return
    stored = store.read(seller, lambda s: settings.get_json(s, key))
    json.dumps(stored)  # what the CLI prints and the settings page shows
    # putting back what was read leaves it as it is
    assert store.write(seller, lambda s: settings.put(s, key, stored)) is False
