"""Writes for products and their stock.

Stock changes only through `stock_move` / `stock_move_many`, which append
StockMovements and move the cached `Product.stock_quantity` with them in the
same transaction, under the product's row lock (products are lock #2 in
docs/books.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from execora.db import rows_insert, shop_rows_lock
from execora.exceptions import ApplicationError, NotFound
from execora.models import Business
from products.models import Product, StockMovement

ZERO_QTY = Decimal("0.000")

# Which direction each kind of movement may move stock.
_KIND_SIGN = {
    StockMovement.Kind.OPENING: 1,
    StockMovement.Kind.PURCHASE: 1,
    StockMovement.Kind.RETURN: 1,
    StockMovement.Kind.CANCELLATION: 1,
    StockMovement.Kind.SALE: -1,
    StockMovement.Kind.ADJUSTMENT: 0,  # either way
}
ADJUST_KINDS = (
    StockMovement.Kind.PURCHASE,
    StockMovement.Kind.ADJUSTMENT,
    StockMovement.Kind.RETURN,
)
_UPDATABLE_FIELDS = {
    "name",
    "aliases",
    "sku",
    "hsn_code",
    "unit",
    "selling_price",
    "price_includes_tax",
    "gst_rate",
    "low_stock_level",
    "allow_negative_stock",
    "is_active",
}


def _decimal(value: Any, *, field: str, places: int, what: str) -> Decimal:
    """Parse Decimal/int/str exactly; floats and extra decimal places are refused, never rounded."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ApplicationError(
            f"{what} must be a decimal number (got {type(value).__name__}).",
            code="invalid",
            message_hi=f"{what} सही संख्या में बताइए।",
            field=field,
        )
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ApplicationError(
            f"{what} {value!r} is not a number.",
            code="invalid",
            message_hi=f"{what} सही संख्या में बताइए।",
            field=field,
        )
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ApplicationError(
            f"{what} may have at most {places} decimal places (got {value}).",
            code="invalid",
            message_hi=f"{what} में दशमलव के बाद ज़्यादा से ज़्यादा {places} अंक हो सकते हैं।",
            field=field,
        )
    return number.quantize(Decimal(1).scaleb(-places))


def _quantity(value: Any, *, field: str = "quantity") -> Decimal:
    return _decimal(value, field=field, places=3, what="Quantity")


def _clean_aliases(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ApplicationError(
            "Aliases must be a list of names.",
            code="invalid",
            message_hi="दूसरे नाम सूची में दीजिए।",
            field="aliases",
        )
    return [str(alias).strip() for alias in value if str(alias).strip()]


def _as_application_error(exc: ValidationError) -> ApplicationError:
    """A model ValidationError as the one domain error type, keeping the field at fault."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    field, messages = next(iter(errors.items()))
    return ApplicationError(
        " ".join(messages),
        code="invalid",
        field=None if field == "__all__" else field,
        extra={"errors": errors},
    )


def _save_validated(product: Product, *, update_fields: list[str] | None = None) -> None:
    try:
        product.full_clean()
    except ValidationError as exc:
        raise _as_application_error(exc) from exc
    try:
        # A savepoint, so a lost race on the unique name leaves the caller's transaction usable.
        with transaction.atomic():
            product.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ApplicationError(
            f"This shop already has a product named {product.name!r} or with this SKU.",
            code="duplicate",
            message_hi=f"'{product.name}' नाम (या SKU) का सामान पहले से है।",
            field="name",
        ) from exc


@transaction.atomic
def product_create(
    *,
    business: Business,
    name: str,
    unit: str,
    selling_price: Decimal | int | str,
    gst_rate: Decimal | int | str,
    aliases: Iterable[str] = (),
    sku: str = "",
    hsn_code: str = "",
    price_includes_tax: bool = True,
    low_stock_level: Decimal | int | str | None = None,
    allow_negative_stock: bool = False,
    opening_stock: Decimal | int | str = ZERO_QTY,
    user: Any = None,
) -> Product:
    """Add a product to the shop's catalogue.

    A positive `opening_stock` posts an `opening` stock movement.
    """
    opening = _quantity(opening_stock, field="opening_stock")
    if opening < 0:
        raise ApplicationError(
            "Opening stock cannot be negative.",
            code="invalid",
            message_hi="शुरुआती स्टॉक शून्य से कम नहीं हो सकता।",
            field="opening_stock",
        )
    product = Product(
        business=business,
        name=(name or "").strip(),
        aliases=_clean_aliases(aliases),
        sku=(sku or "").strip(),
        hsn_code=(hsn_code or "").strip(),
        unit=unit,
        selling_price=_decimal(selling_price, field="selling_price", places=2, what="Price"),
        price_includes_tax=price_includes_tax,
        gst_rate=_decimal(gst_rate, field="gst_rate", places=2, what="GST rate"),
        low_stock_level=(
            None if low_stock_level is None else _quantity(low_stock_level, field="low_stock_level")
        ),
        allow_negative_stock=allow_negative_stock,
    )
    _save_validated(product)
    if opening > 0:
        stock_move(
            product=product,
            change=opening,
            kind=StockMovement.Kind.OPENING,
            user=user,
            note="Opening stock",
        )
    return product


@transaction.atomic
def product_update(*, business: Business, product_id: int, **changes: Any) -> Product:
    """Change a product's catalogue fields. Stock changes only through stock movements."""
    if "stock_quantity" in changes:
        raise ApplicationError(
            "Stock is changed by stock movements (purchase, adjustment), not by editing.",
            code="stock_not_editable",
            message_hi="स्टॉक सीधे नहीं बदलता: खरीद या एडजस्टमेंट दर्ज कीजिए।",
            field="stock_quantity",
        )
    unknown = set(changes) - _UPDATABLE_FIELDS
    if unknown:
        raise ApplicationError(
            f"These product fields cannot be changed: {', '.join(sorted(unknown))}.",
            code="invalid",
            field=sorted(unknown)[0],
        )
    product = products_lock(business=business, product_ids=[product_id])[product_id]
    for field, value in changes.items():
        if field == "selling_price":
            value = _decimal(value, field=field, places=2, what="Price")
        elif field == "gst_rate":
            value = _decimal(value, field=field, places=2, what="GST rate")
        elif field == "low_stock_level" and value is not None:
            value = _quantity(value, field=field)
        elif field in ("name", "sku", "hsn_code"):
            value = (value or "").strip()
        elif field == "aliases":
            value = _clean_aliases(value)
        setattr(product, field, value)
    _save_validated(product, update_fields=[*changes, "updated_at"] if changes else None)
    return product


def products_lock(*, business: Business, product_ids: Iterable[int]) -> dict[int, Product]:
    """Lock the shop's products (select_for_update, primary-key order) for this transaction.

    Call inside `transaction.atomic`. Ids of another shop's (or no) product raise NotFound.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("products_lock needs an atomic block")
    wanted = sorted(set(product_ids))
    locked = {
        product.pk: product for product in shop_rows_lock(Product, business=business, ids=wanted)
    }
    missing = [pk for pk in wanted if pk not in locked]
    if missing:
        raise NotFound(
            f"No product with id {missing[0]} in this shop.",
            message_hi="यह सामान इस दुकान में नहीं मिला।",
            field="product_id",
            extra={"missing": missing},
        )
    return locked


@dataclass(frozen=True)
class StockMove:
    """One movement for `stock_move_many`: `change` (signed) of `product`, with its note."""

    product: Product
    change: Decimal | int | str
    note: str = ""


def _require_atomic(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(f"{name} needs an atomic block")


def _checked_change(change: Any, kind: str) -> Decimal:
    if kind not in _KIND_SIGN:
        raise ApplicationError(
            f"Unknown stock movement kind {kind!r}.", code="invalid", field="kind"
        )
    change = _quantity(change, field="quantity")
    sign = _KIND_SIGN[kind]
    if change == 0 or (sign > 0 and change < 0) or (sign < 0 and change > 0):
        direction = {1: "positive", -1: "negative", 0: "non-zero"}[sign]
        raise ApplicationError(
            f"A {kind} movement must be {direction} (got {change}).",
            code="invalid",
            message_hi="स्टॉक की मात्रा सही नहीं है।",
            field="quantity",
        )
    return change


def _insufficient(product: Product, *, available: Decimal, change: Decimal, kind: str) -> None:
    wanted, unit = -change, product.unit
    verb, verb_hi = ("sell", "बेच") if kind == StockMovement.Kind.SALE else ("remove", "घटा")
    raise ApplicationError(
        f"Only {available} {unit} of {product.name} in stock; cannot {verb} {wanted} {unit}.",
        code="insufficient_stock",
        message_hi=(
            f"{product.name} का स्टॉक सिर्फ़ {available} {unit} है; {wanted} {unit} नहीं {verb_hi} सकते।"
        ),
        field="quantity",
        extra={
            "product_id": product.pk,
            "available": str(available),
            "requested": str(wanted),
            "unit": unit,
        },
    )


def _stock_write(*, before: dict[int, Decimal], after: dict[int, Decimal]) -> None:
    """One UPDATE writing each product's new stock, computed in Python under the row lock.

    Raw SQL because the ORM cannot say it in one statement as cheaply. The WHERE
    repeats the stock each value was computed from: an instance that was not
    current (not from `products_lock` in this transaction) matches fewer rows and
    is refused instead of silently losing another writer's change. ROUND on both
    sides keeps the comparison exact on SQLite, which stores decimals as binary
    floats and binds Decimal parameters as text.
    """
    table = connection.ops.quote_name(Product._meta.db_table)
    cases = " ".join(["WHEN %s THEN %s"] * len(after))
    guards = " OR ".join(["(id = %s AND ROUND(stock_quantity, 3) = ROUND(%s, 3))"] * len(before))
    params: list[Any] = [value for item in after.items() for value in item]
    params += [value for item in before.items() for value in item]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET stock_quantity = CASE id {cases} END WHERE {guards}",  # noqa: S608
            params,
        )
        updated = cursor.rowcount
    if updated != len(after):
        raise transaction.TransactionManagementError(
            "A product's stock changed since it was read: move stock only of products "
            "locked with products_lock in this transaction."
        )


def stock_move_many(
    *,
    moves: Sequence[StockMove],
    kind: str,
    user: Any = None,
    reference: str = "",
    source_type: str = "",
    source_id: int | None = None,
) -> list[StockMovement]:
    """Append one movement per `moves` item and move the cached stock with them.

    The products must come from `products_lock` in the caller's transaction:
    their `stock_quantity` is then current, so the new stock is computed here
    (several moves of one product follow each other) and written with one
    UPDATE, and the movements with one INSERT. A product whose instance turns out
    stale is refused (TransactionManagementError), never written from a stale
    value. Going below zero is refused with code "insufficient_stock" unless the
    product allows negative stock; nothing is written then. Updates
    `stock_quantity` on the instances passed in.
    """
    _require_atomic("stock_move_many")
    changes = [_checked_change(move.change, kind) for move in moves]
    before: dict[int, Decimal] = {}
    after: dict[int, Decimal] = {}
    products: dict[int, Product] = {}
    movements = []
    for move, change in zip(moves, changes, strict=True):
        product = move.product
        current = after.get(product.pk)
        if current is None:
            current = before[product.pk] = product.stock_quantity
            products[product.pk] = product
        stock_after = current + change
        if stock_after < 0 and not product.allow_negative_stock:
            _insufficient(product, available=current, change=change, kind=kind)
        after[product.pk] = stock_after
        movements.append(
            StockMovement(
                business_id=product.business_id,
                product=product,
                kind=kind,
                quantity=change,
                stock_after=stock_after,
                reference=reference,
                source_type=source_type,
                source_id=source_id,
                note=move.note,
                created_by=user,
            )
        )
    if not movements:
        return []
    _stock_write(before=before, after=after)
    for pk, product in products.items():
        product.stock_quantity = after[pk]
    return rows_insert(movements)


def stock_move(
    *,
    product: Product,
    change: Decimal | int | str,
    kind: str,
    user: Any = None,
    reference: str = "",
    source_type: str = "",
    source_id: int | None = None,
    note: str = "",
) -> StockMovement:
    """Append a movement of `change` (signed) and move the cached stock with it.

    The caller holds the product's row lock (`products_lock`) inside its
    transaction; the stock is read again here (under that lock), so a stale
    instance is fine. Going below zero is refused with code "insufficient_stock"
    unless the product allows negative stock. Updates `product.stock_quantity`
    on the instance passed in. Several moves at once: `stock_move_many`.
    """
    _require_atomic("stock_move")
    _checked_change(change, kind)
    # Re-locking a row this transaction holds is free; it also makes the read below
    # current even if the caller's instance is stale.
    product.stock_quantity = (
        Product.objects.select_for_update()
        .filter(pk=product.pk, business_id=product.business_id)
        .values_list("stock_quantity", flat=True)
        .get()
    )
    (movement,) = stock_move_many(
        moves=[StockMove(product=product, change=change, note=note)],
        kind=kind,
        user=user,
        reference=reference,
        source_type=source_type,
        source_id=source_id,
    )
    return movement


@transaction.atomic
def stock_adjust(
    *,
    business: Business,
    product_id: int,
    change: Decimal | int | str,
    kind: str = StockMovement.Kind.ADJUSTMENT,
    note: str = "",
    user: Any = None,
) -> StockMovement:
    """Record stock bought (purchase), counted (adjustment, either sign) or returned."""
    if kind not in ADJUST_KINDS:
        raise ApplicationError(
            f"Stock adjustments are purchase, adjustment or return (got {kind!r}).",
            code="invalid",
            field="kind",
        )
    product = products_lock(business=business, product_ids=[product_id])[product_id]
    return stock_move(product=product, change=change, kind=kind, user=user, note=note)
