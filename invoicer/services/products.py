"""The catalog: products and services with a unit, a unit price and a default tax rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from invoicer.core.errors import N_, NotFoundError, ValidationError
from invoicer.core.money import parse_decimal
from invoicer.core.text import fold
from invoicer.db.models import Product
from invoicer.services import audit, validation
from invoicer.services.customers import contains
from invoicer.services.taxes import get_tax_rate


@dataclass
class ProductData:
    name: str
    unit_price: str | Decimal
    unit: str = "C62"
    description: str | None = None
    tax_rate_id: int | None = None


@dataclass(frozen=True)
class ProductRow:
    id: int
    name: str
    description: str | None
    unit: str
    unit_price: Decimal
    tax_rate_id: int | None
    archived: bool


def _clean(session: Session, data: ProductData) -> dict[str, object]:
    name = validation.clean_text(data.name)
    if not name:
        raise ValidationError(N_("A product needs a name."), "name")
    price = parse_decimal(data.unit_price, N_("unit price"), 4)
    if price < 0:
        raise ValidationError(N_("A unit price cannot be negative."), "unit_price")
    unit = (data.unit or "C62").strip() or "C62"
    if data.tax_rate_id is not None:
        get_tax_rate(session, data.tax_rate_id)
    return {
        "name": name,
        "unit_price": price,
        "unit": unit,
        "description": validation.optional(data.description, multiline=True),
        "tax_rate_id": data.tax_rate_id,
    }


def _search_text(values: dict[str, Any]) -> str:
    return fold(f"{values['name']} {values['description'] or ''}")


def add_product(session: Session, data: ProductData) -> int:
    values = _clean(session, data)
    product = Product(**values, search_name=_search_text(values))
    session.add(product)
    session.flush()
    audit.record(session, "create", "product", product.id, payload=values)
    return product.id


def get_product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFoundError(N_("There is no product {id}."), id=product_id)
    return product


def update_product(session: Session, product_id: int, data: ProductData) -> None:
    product = get_product(session, product_id)
    values = _clean(session, data)
    for key, value in values.items():
        setattr(product, key, value)
    product.search_name = _search_text(values)
    audit.record(session, "update", "product", product_id, payload=values)


def archive_product(session: Session, product_id: int, archived: bool = True) -> None:
    get_product(session, product_id).archived = archived
    audit.record(session, "archive" if archived else "unarchive", "product", product_id)


def list_products(session: Session, search: str | None = None, include_archived: bool = False) -> list[ProductRow]:
    stmt = select(Product).order_by(func.lower(Product.name), Product.id)
    if not include_archived:
        stmt = stmt.where(Product.archived.is_(False))
    if search and search.strip():
        stmt = stmt.where(Product.search_name.like(contains(fold(search)), escape="\\"))
    return [
        ProductRow(p.id, p.name, p.description, p.unit, p.unit_price, p.tax_rate_id, p.archived)
        for p in session.scalars(stmt)
    ]
