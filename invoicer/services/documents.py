"""Invoice and credit-note documents: the plain data to render, the frozen PDF kept from finalize
(write-once file in the data folder, SHA-256 on the invoice), reprints, the Factur-X XML, the
parallel PDF export and the check of stored PDFs for ``invoicer verify``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from invoicer import paths
from invoicer.core.errors import Message, NotFoundError, StorageError, ValidationError
from invoicer.core.money import exponent
from invoicer.core.totals import Balance
from invoicer.core.workflow import amount_due
from invoicer.db.engine import make_engine, make_session_factory, transaction
from invoicer.db.models import FrozenPdf, Invoice
from invoicer.documents.model import Document, DocumentKind, DocumentMark, PaperSize, QrBill
from invoicer.documents.wording import paper_for_locale
from invoicer.i18n import N_, translator
from invoicer.services import audit, company, payment_links, qr_bills, settings
from invoicer.services.encryption import file_key
from invoicer.services.store import data_folder

if TYPE_CHECKING:
    from invoicer.services.views import InvoiceView

PAPER_AUTO = "auto"



def render_document(document: Document, facturx: bytes | None = None) -> bytes:
    """Render a document (``facturx``: its Factur-X XML when already built and checked). ReportLab and factur-x
    are imported on first use: they would add about 150 ms to every start of the app and the CLI."""
    from invoicer.documents.pdf import render_document as render

    return render(document, facturx)

PAPER_SIZE = settings.ChoiceSetting(
    "documents.paper_size", PAPER_AUTO,
    N_("Paper size of documents (auto: Letter for US and Canadian customers, else A4)"),
    (PAPER_AUTO, *[p.value for p in PaperSize]),
)


# ---------------------------------------------------------------- the data to render


def _invoice(session: Session, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFoundError(N_("There is no invoice or credit note {id}."), id=invoice_id)
    return invoice


def without_einvoice(currency: str) -> Message | None:
    """Why a document in ``currency`` is issued as a PDF without e-invoice XML, or None when it carries one:
    EN 16931 states amounts with at most two decimals (BR-DEC-*), so the official rules reject any XML in a
    currency with three (BHD, KWD, ...) or four, and Invoicer never embeds an XML they reject."""
    places = exponent(currency)
    if places <= 2:
        return None
    return Message(N_("No e-invoice (XML) is attached: the EN 16931 standard states amounts with at most two "
                      "decimals and {currency} has {places}, so this document is a PDF only."),
                   currency=currency, places=places)


def _shown_balance(view: InvoiceView, mark: DocumentMark) -> Balance:
    """What a document shows as paid and due: the balance now on a copy, nothing paid as issued."""
    if mark is DocumentMark.COPY:
        return view.balance
    status = "void" if mark is DocumentMark.VOID else "open"
    # the totals' payable (BT-115) is already less the prepaid amount, which the issued document shows apart
    return Balance(0, 0, amount_due(view.doc_type, status, view.totals.payable, 0, 0, prepaid=0))


def document_data(session: Session, invoice: Invoice, mark: DocumentMark | None = None) -> Document:
    """What a document shows, from the invoice's view. Finalized documents use their frozen snapshots
    and show the amounts as issued (nothing paid yet); a ``COPY`` shows the balance now; drafts use
    today's seller and buyer and carry no number."""
    # imported here: the view reads payments and credit notes, whose modules import this one
    from invoicer.services.early_payment import terms_of
    from invoicer.services.views import view_of

    view = view_of(session, invoice, date.today())
    mark = mark or (DocumentMark.DRAFT if view.is_draft else DocumentMark.ISSUED)
    terms = terms_of(session, [invoice.id]).get(invoice.id) if invoice.doc_type == "invoice" else None
    locale = view.customer.locale or view.seller.locale or "en_US"
    translate = translator(locale).gettext
    paper = PAPER_SIZE.get(session)
    corrected = view.corrects
    balance = _shown_balance(view, mark)
    link, bill = _payment_parts(session, invoice, mark, balance.amount_due, locale)
    return Document(
        kind=DocumentKind(view.doc_type),
        mark=mark,
        number=None if view.is_draft else view.number,
        issue_date=view.issue_date,
        due_date=view.due_date,
        currency=view.currency,
        locale=locale,
        seller=replace(view.seller, logo_path=logo_to_print(session, view.seller.logo_path)),
        buyer=view.customer,
        lines=view.lines,
        adjustments=view.adjustments,
        totals=replace(view.totals, taxes=tuple(
            replace(t, exemption_reason=translate(t.exemption_reason) if t.exemption_reason else None)
            for t in view.totals.taxes
        )),
        balance=balance,
        created=audit.now() if mark is DocumentMark.COPY else (
            view.finalized_at or datetime.combine(view.issue_date, time())
        ),
        paper=paper_for_locale(locale) if paper == PAPER_AUTO else PaperSize(paper),
        corrected_number=corrected.number if corrected else None,
        corrected_date=corrected.issue_date if corrected else None,
        reason=view.reason,
        tax_currency=invoice.company_currency,
        tax_total_in_tax_currency=invoice.company_tax_total,
        settlement=view.settlement,
        notes=view.notes,
        buyer_reference=view.buyer_reference,
        without_einvoice=None if (note := without_einvoice(view.currency)) is None else note.render(translate),
        type_code=invoice.type_code,
        discount_percent=terms.percent if terms else None,
        discount_until=terms.until(view.issue_date) if terms else None,
        discount_payable=view.totals.payable - terms.discount(view.totals.total) if terms else None,
        preceding_number=invoice.preceding_number,
        preceding_date=invoice.preceding_date,
        delivery_date=view.delivery_date,
        period_start=view.period_start,
        period_end=view.period_end,
        advances=view.advances,
        payment_link=link,
        qr_bill=bill,
    )


def _payment_parts(
    session: Session, invoice: Invoice, mark: DocumentMark, amount: int, locale: str
) -> tuple[str | None, QrBill | None]:
    """The payment link and the QR-bill a document prints: as issued on the issued PDF (for the amount as
    issued), the link that pays now and the amount due now on a copy; none on drafts, void or settled ones."""
    if invoice.doc_type != "invoice" or mark not in (DocumentMark.ISSUED, DocumentMark.COPY) or amount <= 0:
        return None, None
    if mark is DocumentMark.ISSUED:
        link = payment_links.printed_link(session, invoice, amount)
    else:
        link = payment_links.active_link(session, invoice, amount, date.today())
    return link, qr_bills.bill_for(session, invoice, amount, locale)


def logo_to_print(session: Session, stored: str | None) -> str | None:
    """The logo file to print (a shared server's from its database); a logo that cannot be found is left out (the
    document still renders)."""
    found = company.logo_file(session, stored)
    return str(found) if found else None


# ---------------------------------------------------------------- frozen PDFs


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-.") or "document"


def stored_pdf_path(folder: Path, invoice_id: int, number: str | None) -> Path:
    """``documents/000042-INV-2025-00001.pdf``: the id keeps names unique whatever the number format."""
    return paths.documents_dir(folder) / f"{invoice_id:06d}-{_safe_name(number or 'draft')}.pdf"


def write_atomically(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a temporary file in the same folder, then renamed over.

    No fsync (4 ms a file here): a frozen PDF lost or torn by a power cut is found by its SHA-256
    and rendered again byte for byte from the database (see ``frozen_pdf``).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # the data folder's own are made private when it is opened
        tmp = paths.partial_path(path)
        try:
            with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, paths.PRIVATE_FILE), "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StorageError(
            N_("{name} cannot be saved to {folder}: {reason}."), name=path.name, folder=path.parent, reason=exc.strerror
        ) from None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_frozen_pdf(session: Session, invoice: Invoice, data: Document | None = None,
                     facturx: bytes | None = None, checked: Callable[[], None] | None = None) -> str:
    """Render a just-finalized document, keep the file and set ``invoice.pdf_sha256`` (write-once).

    ``checked`` gives the official rules' verdict on the document's e-invoices (raising when they refuse it),
    which their checking process may be working out while this process renders: the file is kept only after it.
    Called inside the finalize transaction before the hash-chain link is appended, so the chain
    covers the PDF. A rollback leaves at most an unreferenced file, which the next finalize of the
    same draft overwrites.
    """
    checked = checked or (lambda: None)
    if invoice.pdf_sha256 is None:
        try:
            pdf = render_document(data or document_data(session, invoice), facturx if data is not None else None)
        except Exception:
            checked()  # a refusal by the rules comes first, as when they were checked before rendering
            raise
        checked()
        _keep(session, invoice, pdf)
        invoice.pdf_sha256 = sha256_hex(pdf)
    else:
        checked()
    return invoice.pdf_sha256


def _on_server(session: Session) -> bool:
    """A shared database keeps frozen PDFs in its ``frozen_pdfs`` table, where every desk reaches them; a local
    file keeps them in its data folder's ``documents/``."""
    return session.get_bind().dialect.name == "postgresql"


def _where(session: Session, invoice: Invoice) -> Path:
    if _on_server(session):
        return Path("frozen_pdfs") / str(invoice.id)
    return stored_pdf_path(data_folder(session), invoice.id, invoice.number)


def _keep(session: Session, invoice: Invoice, pdf: bytes) -> None:
    if not _on_server(session):
        write_atomically(_where(session, invoice), pdf)
    elif session.get(FrozenPdf, invoice.id) is None:  # append-only: a row once written stays as it is
        session.add(FrozenPdf(invoice_id=invoice.id, sha256=sha256_hex(pdf), pdf=pdf))
        session.flush()


def _kept(session: Session, invoice: Invoice) -> bytes | None:
    if _on_server(session):
        row = session.get(FrozenPdf, invoice.id)
        return None if row is None else row.pdf
    path = _where(session, invoice)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(N_("The PDF {path} cannot be read: {reason}."), path=path, reason=exc.strerror) from None


def _stored(session: Session, invoice: Invoice) -> tuple[bytes, str | None]:
    """The frozen PDF of a finalized document, and the SHA-256 to record if it was rendered just now.

    Reads only the database: a document never rendered (bulk-made demo data) is rendered and its
    file kept; a missing file is restored when rendering gives exactly the recorded bytes.
    """
    path = _where(session, invoice)
    if invoice.pdf_sha256 is None:
        pdf = render_document(document_data(session, invoice))
        _keep(session, invoice, pdf)
        return pdf, sha256_hex(pdf)
    stored = _kept(session, invoice)
    if stored is not None and sha256_hex(stored) == invoice.pdf_sha256:
        return stored, None
    rendered = render_document(document_data(session, invoice))
    if sha256_hex(rendered) != invoice.pdf_sha256:
        lost = (
            N_("The stored PDF of {number} is missing ({path}) and cannot be restored exactly; restore the data "
               "folder from a backup.")
            if stored is None
            else N_("The stored PDF of {number} was changed ({path}) and cannot be restored exactly; restore the "
                    "data folder from a backup.")
        )
        raise StorageError(lost, number=invoice.number, path=path)
    _keep(session, invoice, rendered)
    return rendered, None


def _record_pdf(session: Session, invoice: Invoice, sha256: str) -> None:
    """Write a late-rendered PDF's hash once (the database refuses to change it afterwards)."""
    if invoice.pdf_sha256 is None:
        invoice.pdf_sha256 = sha256
        session.flush()
    elif invoice.pdf_sha256 != sha256:
        raise StorageError(
            N_("The PDF of {number} was recorded with different content meanwhile."), number=invoice.number
        )


def frozen_pdf(session: Session, invoice_id: int) -> bytes:
    """The PDF as issued: the stored file of a finalized document (checked against its SHA-256),
    or, for a draft, a preview with the DRAFT watermark.

    A finalized document never rendered is rendered now and kept, once: that writes
    ``pdf_sha256``, so call this in a writable transaction.
    """
    invoice = _invoice(session, invoice_id)
    if invoice.status == "draft":
        return render_document(document_data(session, invoice))
    pdf, new_sha256 = _stored(session, invoice)
    if new_sha256 is not None:
        _record_pdf(session, invoice, new_sha256)
    return pdf


def _printed(session: Session, invoice: Invoice) -> tuple[bytes, str | None]:
    """What a reprint shows (a void document with its VOID mark), and any hash to record."""
    if invoice.status == "void":
        return render_document(document_data(session, invoice, DocumentMark.VOID)), None
    if invoice.status == "draft":
        return render_document(document_data(session, invoice)), None
    return _stored(session, invoice)


def document_pdf(session: Session, invoice_id: int, copy: bool = False) -> bytes:
    """What is printed: the frozen PDF; a void document re-rendered with its VOID mark; with
    ``copy`` a marked copy showing what was paid and credited since and the amount due now.
    May record the hash of a late-rendered PDF: call it in a writable transaction."""
    invoice = _invoice(session, invoice_id)
    if copy:
        if invoice.status in ("draft", "void") or invoice.doc_type != "invoice":
            raise ValidationError(N_("A copy with the current balance exists only for a finalized invoice."))
        return render_document(document_data(session, invoice, DocumentMark.COPY))
    pdf, new_sha256 = _printed(session, invoice)
    if new_sha256 is not None:
        _record_pdf(session, invoice, new_sha256)
    return pdf


def invoice_xml(session: Session, invoice_id: int) -> bytes:
    """The Factur-X (EN 16931) CII XML of a finalized document, byte for byte the one in its PDF."""
    invoice = _invoice(session, invoice_id)
    if invoice.status == "draft":
        raise ValidationError(N_("A draft has no e-invoice yet; finalize it first."))
    omitted = without_einvoice(invoice.currency)
    if omitted is not None:
        raise ValidationError(omitted)
    from invoicer.documents import facturx

    return facturx.cii_xml(document_data(session, invoice, DocumentMark.ISSUED))


def check_pdfs(session: Session, folder: Path, checked: Callable[[], None] = lambda: None) -> list[str]:
    """Problems with stored PDFs: for each document with a recorded SHA-256, the file must exist
    and match it; ``checked()`` after each document."""
    problems = []
    stmt = select(Invoice.id, Invoice.doc_type, Invoice.number, Invoice.pdf_sha256).where(
        Invoice.pdf_sha256.is_not(None)
    )
    if _on_server(session):
        # hashed by the server: the PDFs themselves do not cross the network
        kept = {invoice_id: digest for invoice_id, digest in session.execute(
            select(FrozenPdf.invoice_id, func.encode(func.sha256(FrozenPdf.pdf), "hex")))}
        for invoice_id, doc_type, number, expected in session.execute(stmt):
            checked()
            kind = "Credit note" if doc_type == "credit_note" else "Invoice"
            digest = kept.get(invoice_id)
            if digest is None:
                problems.append(f"{kind} {number}: the stored PDF is missing from frozen_pdfs.")
            elif digest != expected:
                problems.append(f"{kind} {number}: the stored PDF in frozen_pdfs was changed (SHA-256 differs).")
        return problems
    for invoice_id, doc_type, number, expected in session.execute(stmt):
        checked()
        kind = "Credit note" if doc_type == "credit_note" else "Invoice"
        path = stored_pdf_path(folder, invoice_id, number)
        try:
            digest = _file_sha256(path)
        except FileNotFoundError:
            problems.append(f"{kind} {number}: the stored PDF {path.name} is missing.")
            continue
        except OSError as exc:
            problems.append(f"{kind} {number}: the stored PDF {path.name} cannot be read ({exc.strerror}).")
            continue
        if digest != expected:
            problems.append(f"{kind} {number}: the stored PDF {path.name} was changed (SHA-256 differs).")
    return problems


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- export across CPU cores


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: tuple[Path, ...]


def documents_to_export(session: Session, date_from: date | None, date_to: date | None) -> list[int]:
    """Finalized invoices and credit notes issued in the period, oldest first."""
    stmt = select(Invoice.id).where(Invoice.status != "draft").order_by(Invoice.issue_date, Invoice.id)
    if date_from is not None:
        stmt = stmt.where(Invoice.issue_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Invoice.issue_date <= date_to)
    return list(session.scalars(stmt))


@dataclass
class _Worker:
    """One export process's connection: reads never block the other processes; the rare hash of a
    late-rendered PDF is written in its own short transaction."""

    reads: sessionmaker[Session]
    writes: sessionmaker[Session]


_worker: _Worker | None = None


def _start_worker(database: str, key: str | None) -> None:
    global _worker
    engine = make_engine(Path(database), key)
    _worker = _Worker(make_session_factory(engine, readonly=True), make_session_factory(engine))


def _export_chunk(ids: Sequence[int], out_dir: str) -> list[str]:
    """Write the PDFs of some documents (in a worker process): one read transaction with the
    documents loaded together, then one short write for the hashes of PDFs rendered late."""
    assert _worker is not None
    written = []
    late: dict[int, str] = {}
    with transaction(_worker.reads) as session:
        stmt = (
            select(Invoice)
            .where(Invoice.id.in_(ids))
            .options(selectinload(Invoice.lines), selectinload(Invoice.adjustments), selectinload(Invoice.taxes))
            .order_by(Invoice.id)
        )
        for invoice in session.scalars(stmt):
            pdf, new_sha256 = _printed(session, invoice)
            if new_sha256 is not None:
                late[invoice.id] = new_sha256
            target = Path(out_dir) / f"{_safe_name(invoice.number or f'draft-{invoice.id}')}.pdf"
            write_atomically(target, pdf)
            written.append(str(target))
    if late:
        with transaction(_worker.writes) as session:
            for invoice_id, sha256 in late.items():
                _record_pdf(session, _invoice(session, invoice_id), sha256)
    return written


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def export_pdfs(
    database: Path,
    ids: Sequence[int],
    out_dir: Path,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> ExportResult:
    """Write the PDFs of ``ids`` into ``out_dir`` (named by number) in parallel, one process per core.

    Frozen PDFs are copied from the data folder; documents never rendered are rendered (and kept)
    on the way; void ones carry their VOID mark. ``progress(done, total)`` follows the work.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            N_("The folder {folder} cannot be created: {reason}."), folder=out_dir, reason=exc.strerror
        ) from None
    total = len(ids)
    workers = max(1, min(workers or os.cpu_count() or 1, total or 1))
    # small chunks keep the cores evenly busy and the progress display moving
    size = max(1, min(50, total // (workers * 8)))
    files: list[str] = []
    if progress:
        progress(0, total)
    if not ids:
        return ExportResult(out_dir, ())
    # spawn, not fork: the GUI process has threads, and a forked SQLite connection is unsafe
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=_start_worker,
        initargs=(str(database), file_key(database.parent)),
    ) as pool:
        futures = [pool.submit(_export_chunk, chunk, str(out_dir)) for chunk in _chunks(list(ids), size)]
        try:
            for future in as_completed(futures):
                files += future.result()
                if progress:
                    progress(len(files), total)
        except BaseException:
            # stopped (the user cancelled from progress, or a chunk failed): the chunks not started are
            # dropped, those being written finish, so every file in the folder is a whole PDF
            for future in futures:
                future.cancel()
            raise
    return ExportResult(out_dir, tuple(Path(f) for f in sorted(files)))
