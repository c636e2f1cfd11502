"""The demo's bulk path writes in chunks and issues credit notes with the chunk their date falls in: the data is
the same as in one chunk, and every invariant holds (issue "Fast at a million invoices")."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database, open_database
from invoicer.db.models import ChainLink, Invoice
from invoicer.services import demo, integrity

TODAY = date(2026, 11, 20)


def made_in_chunks(template_db: Path, folder: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
                   ) -> tuple[Database, dict[str, int]]:
    folder.mkdir()
    shutil.copy(template_db, folder / "invoicer.sqlite3")
    db = open_database(folder, daily_backup=False)
    monkeypatch.setattr(demo, "CHUNK", chunk)
    return db, demo.generate(db, invoices=300, seed=4, today=TODAY)


def documents(db: Database) -> list[tuple[object, ...]]:
    with transaction(db.readonly_sessions) as s:
        return [tuple(row) for row in s.execute(
            select(Invoice.doc_type, Invoice.number, Invoice.issue_date, Invoice.status, Invoice.total,
                   Invoice.paid, Invoice.credited).order_by(Invoice.doc_type, Invoice.number, Invoice.issue_date))]


def test_small_chunks_make_the_same_documents_and_verify(template_db: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    whole, made = made_in_chunks(template_db, tmp_path / "whole", 2000, monkeypatch)
    chunked, made_chunked = made_in_chunks(template_db, tmp_path / "chunked", 40, monkeypatch)
    try:
        assert made["credit_notes"] > 0
        assert made_chunked == made
        assert documents(chunked) == documents(whole)
        with transaction(chunked.readonly_sessions) as s:
            report = integrity.verify(s, chunked.folder)
            notes = s.execute(select(Invoice.issue_date, Invoice.number_seq, Invoice.counter_year)
                              .where(Invoice.doc_type == "credit_note").order_by(Invoice.id)).all()
            links = s.scalars(select(ChainLink.invoice_id).order_by(ChainLink.seq)).all()
        assert report.ok, report.summary()
        # credit notes numbered without gaps in the order of their dates, each year from 1
        assert [(year, seq) for _day, seq, year in notes] == sorted((year, seq) for _day, seq, year in notes)
        assert [day for day, _s, _y in notes] == sorted(day for day, _s, _y in notes)
        assert len(links) == len(set(links))
    finally:
        whole.close()
        chunked.close()
