"""The company profile: who the seller is on every document."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from invoicer import paths
from invoicer.core.errors import N_, StorageError, ValidationError, listing
from invoicer.db.models import Company, CompanyLogo
from invoicer.services import audit, validation
from invoicer.services.store import data_folder, desk_folder

COMPANY_ID = 1


@dataclass
class CompanyData:
    name: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    vat_id: str | None = None
    tax_number: str | None = None
    email: str | None = None
    phone: str | None = None
    iban: str | None = None
    bic: str | None = None
    currency: str = "EUR"
    locale: str = "en_US"
    logo_path: str | None = None
    legal_details: str | None = None
    contact: str | None = None  # the seller's contact person (XRechnung asks for one, BT-41)
    endpoint_scheme: str | None = None  # the company's electronic address (BT-34) and its scheme
    endpoint_id: str | None = None


#: profile fields added after documents were first frozen: left out of a snapshot while empty, so the
#: snapshot (and the document rendered from it) of a company that has none is what it always was
_LATER_FIELDS = ("contact", "endpoint_scheme", "endpoint_id")


def get_company(session: Session) -> Company:
    """The company row, created empty on first use."""
    company = session.get(Company, COMPANY_ID)
    if company is None:
        company = Company(id=COMPANY_ID)
        session.add(company)
        session.flush()
    return company


def company_data(company: Company) -> CompanyData:
    return CompanyData(**{k: getattr(company, k) for k in CompanyData.__dataclass_fields__})


def update_company(session: Session, **changes: Any) -> Company:
    """Change some fields of the profile; everything is validated before anything is written, and a save that
    changes nothing writes nothing (no audit event)."""
    company = get_company(session)
    data = company_data(company)
    unknown = set(changes) - set(CompanyData.__dataclass_fields__)
    if unknown:
        raise ValidationError(N_("Unknown company field(s): {fields}."), fields=", ".join(sorted(unknown)))
    for key, value in changes.items():
        setattr(data, key, value)
    clean = clean_company(data)
    if clean.logo_path:
        clean.logo_path = (_keep_logo_on_server(session, clean.logo_path, company.logo_path) if _on_server(session)
                           else _copy_logo_in(data_folder(session), clean.logo_path, company.logo_path))
    before = asdict(company_data(company))
    if asdict(clean) == before:
        return company
    for key, value in asdict(clean).items():
        setattr(company, key, value)
    audit.record(session, "update", "company", COMPANY_ID, payload={"before": before, "after": asdict(clean)})
    return company


def _copy_logo_in(folder: Path, chosen: str | None, stored: str | None) -> str | None:
    """The logo as the profile stores it: a copy under the data folder's ``logo/``, named by its content (a new
    logo is never mistaken for the old one), as a path relative to the data folder. A logo stored by an earlier
    version as an absolute path is copied in at this save."""
    if not chosen:
        return None
    source = paths.logo_file(folder, chosen)
    if source is None:
        if chosen == stored:  # the stored logo went missing: saving the rest of the profile goes on without it
            return stored
        raise ValidationError(N_("The logo file {path} does not exist."), path=chosen)
    logos = paths.logo_dir(folder)
    if source.parent == logos:
        return f"{paths.LOGO_DIRNAME}/{source.name}"
    content = _read_logo(source, chosen)
    name = logo_name(source, content)
    _write_logo(folder, name, content, chosen)
    return name


def _read_logo(source: Path, chosen: str) -> bytes:
    try:
        return source.read_bytes()
    except OSError as exc:
        raise ValidationError(N_("The logo file {path} cannot be read: {reason}."), path=chosen,
                              reason=exc.strerror) from None


def logo_name(source: Path, content: bytes) -> str:
    """``logo/logo-<first 16 hex digits of its SHA-256>.png``: named by its content, so a new logo is never
    mistaken for the old one."""
    return f"{paths.LOGO_DIRNAME}/logo-{hashlib.sha256(content).hexdigest()[:16]}{source.suffix.lower()}"


def _write_logo(folder: Path, name: str, content: bytes, chosen: str) -> Path:
    target = paths.private_dir(paths.logo_dir(folder)) / Path(name).name
    try:
        partial = paths.private_file(paths.partial_path(target))
        partial.write_bytes(content)
        os.replace(partial, target)
    except OSError as exc:
        raise StorageError(N_("The logo cannot be written to {path}: {reason}."), path=target,
                           reason=exc.strerror) from None
    return target


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _keep_logo_on_server(session: Session, chosen: str, stored: str | None) -> str:
    """On a shared server the logo's bytes go into the database (``company_logos``), where every desk reads them;
    the file chosen is one on this desk (an absolute path, or one under this desk's data folder)."""
    if chosen == stored and session.get(CompanyLogo, stored) is not None:
        return stored
    source = paths.logo_file(desk_folder(session), chosen)
    if source is None:
        if chosen == stored:  # the stored logo went missing: saving the rest of the profile goes on without it
            return stored
        raise ValidationError(N_("The logo file {path} does not exist."), path=chosen)
    content = _read_logo(source, chosen)
    name = logo_name(source, content)
    if session.get(CompanyLogo, name) is None:  # append-only: a name, once stored, keeps its bytes
        session.add(CompanyLogo(name=name, sha256=hashlib.sha256(content).hexdigest(), content=content))
        session.flush()
    return name


def logo_file(session: Session, stored: str | None) -> Path | None:
    """The logo file to print or show, or None when there is none or it cannot be found. A shared server's logo
    is copied from the database into this desk's data folder (``logo/``, named by its content) when missing
    there, so every desk prints the same one."""
    if not stored:
        return None
    folder = desk_folder(session)
    if _on_server(session):
        found = paths.logo_file(folder, stored)
        if found is not None and found.parent == paths.logo_dir(folder):
            return found  # named by its content: the copy is the logo the database holds
        row = session.get(CompanyLogo, stored)
        if row is None:
            return None
        return _write_logo(folder, stored, row.content, stored)
    return paths.logo_file(folder, stored)


def clean_company(data: CompanyData) -> CompanyData:
    country = validation.country(data.country) if (data.country or "").strip() else ""
    endpoint_scheme, endpoint_id = validation.electronic_address(data.endpoint_scheme, data.endpoint_id)
    return CompanyData(
        name=validation.clean_text(data.name),
        address=validation.clean_text(data.address, multiline=True),
        postcode=validation.clean_text(data.postcode),
        city=validation.clean_text(data.city),
        country=country,
        vat_id=validation.vat_id(data.vat_id, country),
        tax_number=validation.optional(data.tax_number),
        email=validation.email(data.email),
        phone=validation.optional(data.phone),
        iban=validation.iban(data.iban),
        bic=validation.bic(data.bic),
        currency=validation.currency(data.currency),
        locale=validation.locale(data.locale),
        logo_path=validation.optional(data.logo_path),
        legal_details=validation.optional(data.legal_details, multiline=True),
        contact=validation.optional(data.contact),
        endpoint_scheme=endpoint_scheme,
        endpoint_id=endpoint_id,
    )


def require_complete(company: Company) -> None:
    """Finalizing needs a seller: name, address and country."""
    missing = [
        label
        for label, value in (
            (N_("name"), company.name),
            (N_("address"), company.address),
            (N_("postcode"), company.postcode),
            (N_("city"), company.city),
            (N_("country"), company.country),
        )
        if not (value or "").strip()
    ]
    if missing:
        raise ValidationError(
            N_("Set up your company profile first (missing: {fields}): invoices need the seller's name, address "
               "and country."),
            fields=listing(missing),
        )


def snapshot(company: Company) -> str:
    """The seller as printed on a document, frozen at finalize."""
    data = asdict(company_data(company))
    for name in _LATER_FIELDS:
        if data[name] is None:
            del data[name]
    return json.dumps(data, sort_keys=True, ensure_ascii=False)
