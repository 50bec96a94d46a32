"""Issuing and cancelling GST invoices (docs/books.md).

`invoice_create` is one transaction: lock the products (by primary key),
lock the customer, allocate the number, write the invoice and its lines,
take the stock out and post one journal entry. Any refusal on the way (stock,
credit limit, a walk-in not paying in full) rolls all of it back: no invoice
row, no stock movement, no entry, and no invoice number used.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer
from execora.db import rows_insert
from execora.exceptions import ApplicationError, NotFound
from execora.models import Business
from execora.money import MONEY_DIGITS, QUANTITY_DIGITS, ZERO
from invoices import pricing
from invoices.documents import invoice_pdf, statement_pdf
from invoices.models import CANCEL_FIELDS, Document, Invoice, InvoiceItem, InvoiceStatus
from invoices.numbering import invoice_number_allocate
from invoices.selectors import invoice_get
from ledger.models import AccountKey, JournalEntry, JournalLine, PaymentMode
from ledger.selectors import customer_statement
from ledger.services import (
    LineSpec,
    credit_limit_check,
    customers_lock,
    entry_date_clean,
    journal_post,
    journal_reverse,
    rupees,
    shop_today,
)
from products.models import HSN_PATTERN, Product, StockMovement, Unit
from products.services import StockMove, products_lock, stock_move_many
from reminders import whatsapp
from reminders.models import WhatsAppMessage

logger = logging.getLogger(__name__)

MAX_ITEMS = 500
MAX_DESCRIPTION_LENGTH = InvoiceItem._meta.get_field("description").max_length
MAX_NOTES_LENGTH = 1000
MAX_REASON_LENGTH = Invoice._meta.get_field("cancel_reason").max_length
MAX_MEMO_LENGTH = JournalEntry._meta.get_field("memo").max_length
# The largest values the columns hold (14 digits, 2 or 3 of them decimals).
MAX_MONEY = Decimal(10) ** (MONEY_DIGITS["max_digits"] - MONEY_DIGITS["decimal_places"]) - Decimal(
    "0.01"
)
MAX_QUANTITY = Decimal(10) ** (
    QUANTITY_DIGITS["max_digits"] - QUANTITY_DIGITS["decimal_places"]
) - Decimal("0.001")
DEFAULT_FREE_TEXT_UNIT = Unit.PCS
# Kirana prices are MRP, with the GST inside (as Product.price_includes_tax defaults).
DEFAULT_PRICE_INCLUDES_TAX = True


@dataclass(frozen=True, kw_only=True)
class InvoiceItemInput:
    """One line to bill: a catalogue product (`product_id`) or a free-text item.

    For a product line everything but `quantity` defaults to the product's
    catalogue values. A free-text line needs a `description` and a
    `unit_price`; its GST rate defaults to 0 and its unit to pieces.
    Numbers are Decimal, int or str; floats are refused.
    """

    quantity: Decimal | int | str
    product_id: int | None = None
    description: str = ""
    unit: str | None = None
    unit_price: Decimal | int | str | None = None
    discount: Decimal | int | str = ZERO
    gst_rate: Decimal | int | str | None = None
    hsn_code: str | None = None
    price_includes_tax: bool | None = None


@dataclass(frozen=True)
class _Line:
    """A validated line, before the product's defaults are filled in."""

    index: int
    product_id: int | None
    description: str
    quantity: Decimal
    unit: str | None
    unit_price: Decimal | None
    discount: Decimal
    gst_rate: Decimal | None
    hsn_code: str | None
    price_includes_tax: bool | None


# --- input validation ------------------------------------------------------------


def _invalid(
    message: str, *, field: str, message_hi: str, code: str = "invalid"
) -> ApplicationError:
    return ApplicationError(message, code=code, message_hi=message_hi, field=field)


def _decimal(value: Any, *, field: str, places: int, what: str, what_hi: str) -> Decimal:
    """An exact Decimal from Decimal/int/str; floats and extra decimal places are refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise _invalid(
            f'{what} must be a decimal number like "2.5" (got {type(value).__name__}).',
            field=field,
            message_hi=f"{what_hi} सही संख्या में बताइए।",
        )
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise _invalid(
            f"{what} {value!r} is not a number.",
            field=field,
            message_hi=f"{what_hi} सही संख्या में बताइए।",
        )
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step):
        raise _invalid(
            f"{what} may have at most {places} decimal places (got {value}).",
            field=field,
            message_hi=f"{what_hi} में दशमलव के बाद ज़्यादा से ज़्यादा {places} अंक हो सकते हैं।",
        )
    return number.quantize(step)


def _money_input(value: Any, *, field: str, what: str, what_hi: str) -> Decimal:
    amount = _decimal(value, field=field, places=2, what=what, what_hi=what_hi)
    if amount < 0:
        raise _invalid(
            f"{what} cannot be negative.",
            field=field,
            message_hi=f"{what_hi} शून्य से कम नहीं हो सकता।",
        )
    if amount > MAX_MONEY:
        raise _invalid(
            f"{what} {amount} is too large.", field=field, message_hi=f"{what_hi} बहुत बड़ा है।"
        )
    return amount


def _gst_rate_input(value: Any, *, field: str) -> Decimal:
    rate = _decimal(value, field=field, places=2, what="GST rate", what_hi="GST दर")
    if rate not in pricing.GST_RATES:
        raise _invalid(
            f"GST rate must be 0, 5, 12, 18 or 28% (got {value}).",
            field=field,
            message_hi="GST दर 0, 5, 12, 18 या 28% होनी चाहिए।",
        )
    return rate


def _item_input(raw: Any, index: int) -> _Line:
    prefix = f"items[{index}]"
    if isinstance(raw, Mapping):
        try:
            raw = InvoiceItemInput(**raw)
        except TypeError as exc:
            raise _invalid(
                f"Line {index + 1} has unknown or missing fields ({exc}).",
                field=prefix,
                message_hi=f"लाइन {index + 1} की जानकारी अधूरी है।",
            ) from exc
    if not isinstance(raw, InvoiceItemInput):
        raise _invalid(
            f"Line {index + 1} is not an invoice item.",
            field=prefix,
            message_hi=f"लाइन {index + 1} सही नहीं है।",
        )
    product_id = raw.product_id
    if product_id is not None and (isinstance(product_id, bool) or not isinstance(product_id, int)):
        raise _invalid(
            f"Line {index + 1}: product_id must be a whole number.",
            field=f"{prefix}.product_id",
            message_hi=f"लाइन {index + 1}: सामान सही नहीं है।",
        )
    quantity = _decimal(
        raw.quantity, field=f"{prefix}.quantity", places=3, what="Quantity", what_hi="मात्रा"
    )
    if quantity <= 0 or quantity > MAX_QUANTITY:
        raise _invalid(
            f"Line {index + 1}: quantity must be more than zero (got {raw.quantity}).",
            field=f"{prefix}.quantity",
            message_hi=f"लाइन {index + 1}: मात्रा शून्य से ज़्यादा होनी चाहिए।",
        )
    description = " ".join(str(raw.description or "").split())
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise _invalid(
            f"Line {index + 1}: the description is longer than {MAX_DESCRIPTION_LENGTH} "
            "characters.",
            field=f"{prefix}.description",
            message_hi=f"लाइन {index + 1}: विवरण बहुत लंबा है।",
        )
    unit = raw.unit
    if unit is not None and unit not in Unit.values:
        raise _invalid(
            f"Line {index + 1}: unknown unit {unit!r}; use one of {', '.join(Unit.values)}.",
            field=f"{prefix}.unit",
            message_hi=f"लाइन {index + 1}: इकाई सही नहीं है।",
        )
    unit_price = (
        None
        if raw.unit_price is None
        else _money_input(
            raw.unit_price, field=f"{prefix}.unit_price", what="Unit price", what_hi="दाम"
        )
    )
    discount = _money_input(raw.discount, field=f"{prefix}.discount", what="Discount", what_hi="छूट")
    gst_rate = (
        None if raw.gst_rate is None else _gst_rate_input(raw.gst_rate, field=f"{prefix}.gst_rate")
    )
    hsn_code = None if raw.hsn_code is None else str(raw.hsn_code).strip()
    if hsn_code and not re.fullmatch(HSN_PATTERN, hsn_code):
        raise _invalid(
            f"Line {index + 1}: HSN codes have 4, 6 or 8 digits (got {hsn_code!r}).",
            field=f"{prefix}.hsn_code",
            message_hi=f"लाइन {index + 1}: HSN कोड 4, 6 या 8 अंकों का होता है।",
        )
    if raw.price_includes_tax is not None and not isinstance(raw.price_includes_tax, bool):
        raise _invalid(
            f"Line {index + 1}: price_includes_tax must be true or false.",
            field=f"{prefix}.price_includes_tax",
            message_hi=f"लाइन {index + 1}: दाम में टैक्स शामिल है या नहीं, हाँ या ना बताइए।",
        )
    if product_id is None:
        if not description:
            raise _invalid(
                f"Line {index + 1}: a line without a product needs a description.",
                field=f"{prefix}.description",
                message_hi=f"लाइन {index + 1}: सामान का नाम बताइए।",
            )
        if unit_price is None:
            raise _invalid(
                f"Line {index + 1}: a line without a product needs a unit price.",
                field=f"{prefix}.unit_price",
                message_hi=f"लाइन {index + 1}: {description} का दाम बताइए।",
            )
    return _Line(
        index=index,
        product_id=product_id,
        description=description,
        quantity=quantity,
        unit=unit,
        unit_price=unit_price,
        discount=discount,
        gst_rate=gst_rate,
        hsn_code=hsn_code,
        price_includes_tax=raw.price_includes_tax,
    )


def _items_input(items: Any) -> list[_Line]:
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Sequence):
        raise _invalid(
            "Items must be a list of lines.", field="items", message_hi="बिल के सामान की सूची दीजिए।"
        )
    if not items:
        raise _invalid(
            "An invoice needs at least one line.",
            field="items",
            code="no_items",
            message_hi="बिल में कम से कम एक सामान होना चाहिए।",
        )
    if len(items) > MAX_ITEMS:
        raise _invalid(
            f"An invoice may have at most {MAX_ITEMS} lines (got {len(items)}).",
            field="items",
            code="too_many_items",
            message_hi=f"एक बिल में ज़्यादा से ज़्यादा {MAX_ITEMS} सामान हो सकते हैं।",
        )
    return [_item_input(raw, index) for index, raw in enumerate(items)]


def _id_input(value: Any, *, field: str, what_hi: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise NotFound(f"No such {field.removesuffix('_id')}.", message_hi=what_hi, field=field)
    try:
        return int(value)
    except ValueError:
        raise NotFound(
            f"No such {field.removesuffix('_id')}.", message_hi=what_hi, field=field
        ) from None


# --- pricing the locked lines ---------------------------------------------------------


@dataclass(frozen=True)
class _Resolved:
    """A line with the product's defaults filled in: what is priced and stored."""

    line: _Line
    product: Product | None
    description: str
    unit: str
    unit_price: Decimal
    gst_rate: Decimal
    hsn_code: str
    price_includes_tax: bool


def _resolve(line: _Line, product: Product | None) -> _Resolved:
    prefix = f"items[{line.index}]"
    if product is None:
        return _Resolved(
            line=line,
            product=None,
            description=line.description,
            unit=line.unit or DEFAULT_FREE_TEXT_UNIT,
            unit_price=line.unit_price if line.unit_price is not None else ZERO,
            gst_rate=line.gst_rate if line.gst_rate is not None else Decimal("0"),
            hsn_code=line.hsn_code or "",
            price_includes_tax=(
                DEFAULT_PRICE_INCLUDES_TAX
                if line.price_includes_tax is None
                else line.price_includes_tax
            ),
        )
    # Stock is kept in the product's unit; a line in another unit would move it wrongly.
    if line.unit is not None and line.unit != product.unit:
        raise _invalid(
            f"Line {line.index + 1}: {product.name} is sold by {product.unit}; "
            f"give the quantity in {product.unit} (got {line.unit}).",
            field=f"{prefix}.unit",
            code="unit_mismatch",
            message_hi=f"{product.name} {product.unit} में बिकता है; मात्रा {product.unit} में बताइए।",
        )
    return _Resolved(
        line=line,
        product=product,
        description=line.description or product.name,
        unit=product.unit,
        unit_price=line.unit_price if line.unit_price is not None else product.selling_price,
        gst_rate=line.gst_rate if line.gst_rate is not None else product.gst_rate,
        hsn_code=line.hsn_code if line.hsn_code is not None else product.hsn_code,
        price_includes_tax=(
            product.price_includes_tax
            if line.price_includes_tax is None
            else line.price_includes_tax
        ),
    )


def _price(resolved: list[_Resolved], *, interstate: bool) -> pricing.InvoicePrice:
    inputs = []
    for item in resolved:
        gross = pricing.line_price(
            pricing.LineInput(
                quantity=item.line.quantity,
                unit_price=item.unit_price,
                gst_rate=item.gst_rate,
                price_includes_tax=item.price_includes_tax,
            ),
            interstate=interstate,
        ).gross
        if gross > MAX_MONEY:
            raise _invalid(
                f"Line {item.line.index + 1}: the amount is too large.",
                field=f"items[{item.line.index}].quantity",
                message_hi=f"लाइन {item.line.index + 1}: रकम बहुत बड़ी है।",
            )
        if item.line.discount > gross:
            raise _invalid(
                f"Line {item.line.index + 1}: the discount {item.line.discount} is more than "
                f"the line's amount {gross}.",
                field=f"items[{item.line.index}].discount",
                code="discount_too_large",
                message_hi=f"लाइन {item.line.index + 1}: छूट {item.line.discount} सामान की रकम "
                f"{gross} से ज़्यादा है।",
            )
        inputs.append(
            pricing.LineInput(
                quantity=item.line.quantity,
                unit_price=item.unit_price,
                gst_rate=item.gst_rate,
                price_includes_tax=item.price_includes_tax,
                discount=item.line.discount,
            )
        )
    price = pricing.invoice_price(inputs, interstate=interstate)
    if price.grand_total > MAX_MONEY or price.subtotal > MAX_MONEY:
        raise _invalid(
            "The invoice total is too large.", field="items", message_hi="बिल की रकम बहुत बड़ी है।"
        )
    if price.subtotal == 0:
        raise _invalid(
            "Every line of this invoice is free; there is nothing to bill.",
            field="items",
            code="zero_total",
            message_hi="बिल की रकम शून्य है; बिल नहीं बन सकता।",
        )
    return price


# --- the books ---------------------------------------------------------------------


def _money_account(payment_mode: str) -> str:
    return AccountKey.CASH if payment_mode == PaymentMode.CASH else AccountKey.BANK


def _invoice_lines(invoice: Invoice) -> list[LineSpec]:
    """The entry of docs/books.md for an issued invoice. Zero amounts get no line."""
    customer_id = invoice.customer_id
    lines: list[LineSpec] = []
    if customer_id is not None:
        lines.append(
            LineSpec(AccountKey.RECEIVABLES, debit=invoice.grand_total, customer_id=customer_id)
        )
    else:
        lines.append(LineSpec(_money_account(invoice.payment_mode), debit=invoice.grand_total))
    lines += [
        LineSpec(AccountKey.DISCOUNTS, debit=invoice.discount_total),
        LineSpec(AccountKey.SALES, credit=invoice.subtotal),
        LineSpec(AccountKey.OUTPUT_CGST, credit=invoice.cgst_total),
        LineSpec(AccountKey.OUTPUT_SGST, credit=invoice.sgst_total),
        LineSpec(AccountKey.OUTPUT_IGST, credit=invoice.igst_total),
    ]
    # Rounded up: the customer pays the extra paise (income, credit); rounded down: an expense.
    if invoice.round_off > 0:
        lines.append(LineSpec(AccountKey.ROUND_OFF, credit=invoice.round_off))
    elif invoice.round_off < 0:
        lines.append(LineSpec(AccountKey.ROUND_OFF, debit=-invoice.round_off))
    if customer_id is not None and invoice.amount_paid > 0:
        lines += [
            LineSpec(_money_account(invoice.payment_mode), debit=invoice.amount_paid),
            LineSpec(
                AccountKey.RECEIVABLES,
                credit=invoice.amount_paid,
                customer_id=customer_id,
                memo="Paid at sale",
            ),
        ]
    return [line for line in lines if line.debit > 0 or line.credit > 0]


# --- services ------------------------------------------------------------------------


def invoice_create(
    *,
    business: Business,
    items: Sequence[InvoiceItemInput],
    customer_id: int | None = None,
    amount_paid: Decimal | int | str = ZERO,
    payment_mode: str | None = PaymentMode.CASH,
    invoice_date: datetime.date | None = None,
    notes: str = "",
    user: Any = None,
) -> Invoice:
    """Issue a GST invoice: number it, price it, take the stock out and post it.

    `items` are 1–500 InvoiceItemInput (or dicts of their fields). Pricing
    follows invoices.pricing: IGST when the customer's state differs from the
    shop's, else CGST + SGST; the grand total is rounded to the rupee.
    `amount_paid` (0 to the grand total) is what was paid at the counter, by
    `payment_mode` (cash, upi, card, bank, cheque); the rest goes on the
    customer's khata. `invoice_date` defaults to today in the shop's time zone.

    Refuses with ApplicationError, writing nothing and using no number:
    invalid input (code "invalid", with the field such as "items[2].quantity";
    floats refused), a discount above its line's amount ("discount_too_large"),
    a product line in another unit than the product's ("unit_mismatch"),
    a walk-in sale (no customer) not paid in full ("walk_in_must_pay"), paying
    more than the total ("overpaid"), too little stock ("insufficient_stock"),
    the customer's credit limit ("credit_limit_exceeded"). Another shop's
    product or customer is NotFound.
    """
    lines = _items_input(items)
    paid = _money_input(amount_paid, field="amount_paid", what="Amount paid", what_hi="जमा रकम")
    payment_mode = payment_mode or PaymentMode.CASH
    if payment_mode not in PaymentMode.values:
        raise _invalid(
            f"Unknown payment mode {payment_mode!r}: use cash, upi, card, bank or cheque.",
            field="payment_mode",
            message_hi="भुगतान का तरीका: cash, upi, card, bank या cheque।",
        )
    if customer_id is not None:
        customer_id = _id_input(customer_id, field="customer_id", what_hi="ग्राहक नहीं मिला।")
    invoice_date = entry_date_clean(invoice_date, field="invoice_date", business=business)
    notes = str(notes or "").strip()
    if len(notes) > MAX_NOTES_LENGTH:
        raise _invalid(
            f"Notes may be at most {MAX_NOTES_LENGTH} characters.",
            field="notes",
            message_hi="नोट बहुत लंबा है।",
        )

    with transaction.atomic():
        # Locks in the order of docs/books.md: products (by pk), customer, number.
        products = products_lock(
            business=business,
            product_ids=[line.product_id for line in lines if line.product_id is not None],
        )
        locked_customers = (
            {}
            if customer_id is None
            else customers_lock(business=business, customer_ids=[customer_id])
        )
        customer: Customer | None = locked_customers.get(customer_id)
        resolved = [
            _resolve(line, products[line.product_id] if line.product_id is not None else None)
            for line in lines
        ]
        if not business.gstin:
            # A shop without a GSTIN is not registered for GST: it may not charge tax,
            # so it issues a bill of supply at its prices, with no tax in them.
            resolved = [replace(item, gst_rate=Decimal("0")) for item in resolved]
        buyer_state = customer.state_code if customer is not None else ""
        interstate = pricing.is_interstate(
            shop_state_code=business.state_code, buyer_state_code=buyer_state
        )
        price = _price(resolved, interstate=interstate)
        if paid > price.grand_total:
            raise _invalid(
                f"Amount paid {paid} is more than the bill's total {price.grand_total}.",
                field="amount_paid",
                code="overpaid",
                message_hi=f"जमा रकम {paid} बिल की रकम {price.grand_total} से ज़्यादा है।",
            )
        due = price.grand_total - paid
        if customer is None and due != 0:
            raise _invalid(
                f"A sale without a customer must be paid in full ({price.grand_total}); "
                "name the customer to put it on their khata.",
                field="amount_paid",
                code="walk_in_must_pay",
                message_hi=(
                    f"बिना ग्राहक के बिल का पूरा भुगतान ({price.grand_total}) चाहिए; "
                    "उधार के लिए ग्राहक का नाम बताइए।"
                ),
            )
        if customer is not None:
            # Nothing has changed the balance since the lock above: no need to read it again.
            credit_limit_check(customer=customer, additional=due, current_balance=customer.balance)

        financial_year, serial, number = invoice_number_allocate(
            business=business, on_date=invoice_date
        )
        invoice = Invoice(
            business=business,
            number=number,
            financial_year=financial_year,
            sequence_number=serial,
            customer=customer,
            invoice_date=invoice_date,
            status=InvoiceStatus.ISSUED,
            place_of_supply=buyer_state or business.state_code,
            is_interstate=interstate,
            subtotal=price.subtotal,
            discount_total=price.discount_total,
            taxable_total=price.taxable_total,
            cgst_total=price.cgst_total,
            sgst_total=price.sgst_total,
            igst_total=price.igst_total,
            tax_total=price.tax_total,
            round_off=price.round_off,
            grand_total=price.grand_total,
            amount_paid=paid,
            payment_mode=payment_mode if paid > 0 else "",
            amount_due=due,
            notes=notes,
            created_by=user,
        )
        # The invoice row holds its entry (as a Payment does), so the entry is posted
        # first; it names the invoice by number in `reference`.
        invoice.journal_entry = journal_post(
            business=business,
            entry_date=invoice_date,
            lines=_invoice_lines(invoice),
            source_type=JournalEntry.SourceType.INVOICE,
            reference=number,
            memo=f"Invoice {number}",
            user=user,
            locked_customers=locked_customers,
        )
        # rows_insert (execora.db): the INSERTs of save()/bulk_create(), cheaper to build.
        rows_insert([invoice])
        rows_insert(
            [
                InvoiceItem(
                    business=business,
                    invoice=invoice,
                    line_no=position,
                    product=item.product,
                    description=item.description,
                    hsn_code=item.hsn_code,
                    quantity=item.line.quantity,
                    unit=item.unit,
                    unit_price=item.unit_price,
                    price_includes_tax=item.price_includes_tax,
                    discount=line_price.discount,
                    gst_rate=item.gst_rate,
                    taxable_discount=line_price.taxable_discount,
                    taxable_value=line_price.taxable_value,
                    cgst=line_price.cgst,
                    sgst=line_price.sgst,
                    igst=line_price.igst,
                    line_total=line_price.line_total,
                )
                for position, (item, line_price) in enumerate(
                    zip(resolved, price.lines, strict=True), start=1
                )
            ]
        )
        stock_move_many(
            moves=[
                StockMove(
                    product=item.product,
                    change=-item.line.quantity,
                    note=f"Invoice {number} line {item.line.index + 1}",
                )
                for item in resolved
                if item.product is not None
            ],
            kind=StockMovement.Kind.SALE,
            user=user,
            reference=number,
            source_type="invoice",
            source_id=invoice.pk,
        )
    logger.info(
        "invoice created",
        extra={
            "business_id": business.pk,
            "invoice_id": invoice.pk,
            "customer_id": customer_id,
            "user_id": getattr(user, "pk", None),
        },
    )
    return invoice


def invoice_cancel(
    *,
    business: Business,
    invoice_id: int,
    user: Any = None,
    reason: str = "",
    on_date: datetime.date | None = None,
) -> Invoice:
    """Cancel an issued invoice: put its stock back and post the mirror of its entry.

    The invoice keeps its number and amounts; only its status and cancel fields
    change. The reversing entry is dated `on_date` (default: today in the
    shop's time zone), never before the invoice date, so the customer's balance
    returns exactly to what it was without this invoice (money paid at the
    counter is shown as refunded). Refuses a second cancel ("already_cancelled");
    another shop's invoice is NotFound.
    """
    invoice_id = _id_input(invoice_id, field="invoice_id", what_hi="बिल नहीं मिला।")
    reason = " ".join(str(reason or "").split())
    if len(reason) > MAX_REASON_LENGTH:
        raise _invalid(
            f"The reason may be at most {MAX_REASON_LENGTH} characters.",
            field="reason",
            message_hi="कारण बहुत लंबा है।",
        )
    with transaction.atomic():
        # Lock #1: the document being cancelled, so two cancels queue here.
        try:
            invoice = (
                Invoice.objects.select_for_update(of=("self",))
                .select_related("journal_entry")
                .get(business=business, pk=invoice_id)
            )
        except Invoice.DoesNotExist:
            raise NotFound(
                f"No invoice #{invoice_id} in this shop.",
                message_hi="यह बिल इस दुकान में नहीं मिला।",
                field="invoice_id",
            ) from None
        if invoice.status == InvoiceStatus.CANCELLED:
            raise ApplicationError(
                f"Invoice {invoice.number} is already cancelled.",
                code="already_cancelled",
                message_hi=f"बिल {invoice.number} पहले ही कैंसिल हो चुका है।",
                field="invoice_id",
                extra={"invoice_id": invoice.pk, "number": invoice.number},
            )
        on_date = entry_date_clean(on_date, field="on_date", business=business)
        if on_date < invoice.invoice_date:
            raise _invalid(
                f"An invoice dated {invoice.invoice_date.isoformat()} cannot be cancelled "
                f"on {on_date.isoformat()}.",
                field="on_date",
                message_hi="बिल की तारीख़ से पहले की तारीख़ पर कैंसिल नहीं हो सकता।",
            )
        items = list(invoice.items.order_by("line_no"))
        products = products_lock(
            business=business,
            product_ids=[item.product_id for item in items if item.product_id is not None],
        )
        locked_customers = (
            {}
            if invoice.customer_id is None
            else customers_lock(business=business, customer_ids=[invoice.customer_id])
        )
        stock_move_many(
            moves=[
                StockMove(
                    product=products[item.product_id],
                    change=item.quantity,
                    note=f"Invoice {invoice.number} cancelled (line {item.line_no})",
                )
                for item in items
                if item.product_id is not None
            ],
            kind=StockMovement.Kind.CANCELLATION,
            user=user,
            reference=invoice.number,
            source_type="invoice",
            source_id=invoice.pk,
        )
        invoice.cancel_entry = journal_reverse(
            entry=invoice.journal_entry,
            user=user,
            on_date=on_date,
            source_type=JournalEntry.SourceType.INVOICE_CANCEL,
            memo=(f"Invoice {invoice.number} cancelled" + (f": {reason}" if reason else ""))[
                :MAX_MEMO_LENGTH
            ],
            locked_customers=locked_customers,
        )
        invoice.status = InvoiceStatus.CANCELLED
        invoice.cancelled_at = timezone.now()
        invoice.cancelled_by = user
        invoice.cancel_reason = reason
        invoice.save(update_fields=sorted(CANCEL_FIELDS))
    logger.info(
        "invoice cancelled",
        extra={
            "business_id": business.pk,
            "invoice_id": invoice.pk,
            "user_id": getattr(user, "pk", None),
        },
    )
    return invoice


# --- documents: the invoice and statement PDFs, stored once, sent on WhatsApp ------------------
#
# A PDF is rendered the first time it is asked for and kept in the default storage
# (local files, or S3/MinIO with pre-signed expiring links); the Document row names
# it. Cancelling an invoice changes its key, so the next request renders the
# cancelled copy. Sending writes a pending WhatsAppMessage in the caller's
# transaction and a worker sends it after the commit: no PDF rendering, upload or
# HTTP call ever runs under a row lock.


def _document_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") + ".pdf"


def _storage_is_local() -> bool:
    return isinstance(default_storage, FileSystemStorage)


def _document_store(
    *,
    business: Business,
    kind: str,
    key: str,
    render: Any,
    filename: str,
    invoice: Invoice | None = None,
    customer: Customer | None = None,
) -> Document:
    """The stored document for `key`, rendering and saving it only when there is none yet."""

    existing = Document.objects.filter(business=business, key=key).first()
    if existing is not None:
        return existing
    started = time.perf_counter()
    data = render()
    render_ms = round((time.perf_counter() - started) * 1000)
    # A fresh name per render: two racing renders never overwrite each other's file.
    name = default_storage.save(
        f"documents/{business.pk}/{kind}s/{filename[:-4]}-{uuid.uuid4().hex[:10]}.pdf",
        ContentFile(data),
    )
    try:
        with transaction.atomic():
            document = Document.objects.create(
                business=business,
                kind=kind,
                key=key,
                invoice=invoice,
                customer=customer,
                file=name,
                filename=filename,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                render_ms=render_ms,
            )
    except IntegrityError:
        # Someone else stored the same document first: keep theirs, drop our copy.
        default_storage.delete(name)
        return Document.objects.get(business=business, key=key)
    logger.info(
        "document rendered",
        extra={"business_id": business.pk, "document_id": document.pk, "render_ms": render_ms},
    )
    return document


def invoice_document(*, business: Business, invoice_id: int | str) -> Document:
    """The invoice's PDF as it stands (issued, or stamped CANCELLED), rendered at most once."""

    invoice = invoice_get(business=business, invoice_id=invoice_id)
    invoice.business = business
    return _document_store(
        business=business,
        kind=Document.Kind.INVOICE,
        key=f"invoice:{invoice.pk}:{invoice.status}",
        render=lambda: invoice_pdf(invoice, sorted(invoice.items.all(), key=lambda i: i.line_no)),
        filename=_document_filename(
            invoice.number + ("-cancelled" if invoice.is_cancelled else "")
        ),
        invoice=invoice,
    )


def statement_document(
    *,
    business: Business,
    customer_id: int | str,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Document:
    """The customer's statement PDF for the dates; the same dates and khata reuse the file."""

    statement = customer_statement(
        business=business, customer_id=customer_id, date_from=date_from, date_to=date_to
    )
    customer = statement.customer
    # The khata's last line: any new entry (even back-dated) makes a new statement.
    last_line = (
        JournalLine.objects.filter(business=business, customer=customer)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    today = shop_today(business)
    key = f"statement:{customer.pk}:{date_from or ''}:{date_to or today}:{last_line or 0}"
    return _document_store(
        business=business,
        kind=Document.Kind.STATEMENT,
        key=key,
        render=lambda: statement_pdf(statement, business=business, today=today),
        filename=_document_filename(f"Statement-{customer.name}-{date_to or today}"),
        customer=customer,
    )


def document_read(document: Document) -> bytes:
    """The stored PDF's bytes."""
    with document.file.open("rb") as handle:
        return handle.read()


def document_link(document: Document, *, expires_in: int | None = None) -> str:
    """A pre-signed link that stops working after `expires_in` seconds; '' for local files.

    Local files have no public link: the API serves them to the shop, and
    WhatsApp gets them by upload.
    """

    if _storage_is_local():
        return ""
    expires_in = expires_in or settings.DOCUMENT_LINK_EXPIRY_SECONDS
    return default_storage.url(document.file.name, expire=expires_in)


def _document_message(
    *,
    business: Business,
    customer: Customer,
    caption: str,
    spec: dict[str, Any],
    filename: str,
    user: Any,
) -> Any:
    """A pending document message, sent by a worker once the caller's transaction commits."""
    from invoices import tasks

    if not customer.phone:
        raise ApplicationError(
            f"{customer.name} has no phone number for WhatsApp.",
            code="no_phone",
            message_hi=f"{customer.name} का फ़ोन नंबर नहीं है।",
            field="customer_id",
        )
    with transaction.atomic():
        message = _document_message_create(
            business=business,
            customer=customer,
            caption=caption,
            spec=spec,
            filename=filename,
            user=user,
        )
        transaction.on_commit(lambda: tasks.document_send.delay(message.pk))
    logger.info(
        "document send requested", extra={"business_id": business.pk, "message_id": message.pk}
    )
    return message


def _document_message_create(
    *,
    business: Business,
    customer: Customer,
    caption: str,
    spec: dict[str, Any],
    filename: str,
    user: Any,
) -> WhatsAppMessage:
    return WhatsAppMessage.objects.create(
        business=business,
        customer=customer,
        direction=WhatsAppMessage.Direction.OUTGOING,
        kind="document",
        wa_id=whatsapp.wa_id_for(customer.phone),
        body=caption,
        status=WhatsAppMessage.Status.PENDING,
        payload={
            "document": spec,
            "filename": filename,
            "requested_by": getattr(user, "pk", None),
        },
    )


def invoice_send(*, business: Business, invoice_id: int | str, user: Any = None) -> Any:
    """Ask for the invoice PDF to go to its customer on WhatsApp; returns the pending message.

    A walk-in sale has nobody to send to, and a customer without a phone is refused.
    """

    invoice = invoice_get(business=business, invoice_id=invoice_id)
    if invoice.customer is None:
        raise ApplicationError(
            f"Invoice {invoice.number} is a cash sale with no customer to send it to.",
            code="no_customer",
            message_hi="यह नकद बिल है, भेजने के लिए ग्राहक नहीं है।",
            field="invoice_id",
        )
    caption = f"{business.name}: bill {invoice.number}, total {rupees(invoice.grand_total)}"
    if invoice.amount_due and not invoice.is_cancelled:
        caption += f", due {rupees(invoice.amount_due)}"
    if invoice.is_cancelled:
        caption += " (cancelled)"
    return _document_message(
        business=business,
        customer=invoice.customer,
        caption=caption,
        spec={"kind": "invoice", "invoice_id": invoice.pk},
        filename=_document_filename(invoice.number),
        user=user,
    )


def statement_send(
    *,
    business: Business,
    customer_id: int | str,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    user: Any = None,
) -> Any:
    """Ask for the customer's statement PDF to go to them on WhatsApp; the pending message."""
    customer_id = _id_input(customer_id, field="customer_id", what_hi="ग्राहक नहीं मिला।")
    try:
        customer = Customer.objects.get(business=business, pk=customer_id)
    except Customer.DoesNotExist:
        raise NotFound(
            f"No customer with id {customer_id} in this shop.",
            message_hi="यह ग्राहक इस दुकान में नहीं मिला।",
            field="customer_id",
        ) from None
    caption = f"{business.name}: statement for {customer.name}, due {rupees(customer.balance)}"
    return _document_message(
        business=business,
        customer=customer,
        caption=caption,
        spec={
            "kind": "statement",
            "customer_id": customer.pk,
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
        },
        filename=_document_filename(f"Statement-{customer.name}"),
        user=user,
    )


def document_message_deliver(*, message_id: int) -> str:
    """Send one pending document message; "sent", "retry", "failed", "unknown" or "skipped".

    The row moves pending → unknown by a conditional UPDATE before the request
    (only one worker wins it, and a crash mid-request leaves it "unknown", never
    sent twice), then to accepted with WhatsApp's id, or failed. A retryable
    refusal puts it back to pending for the task's next try.
    """

    status = WhatsAppMessage.Status
    claimed = WhatsAppMessage.objects.filter(pk=message_id, status=status.PENDING).update(
        status=status.UNKNOWN, attempt=Coalesce(F("attempt"), 0) + 1, updated_at=timezone.now()
    )
    if claimed != 1:
        return "skipped"
    message = WhatsAppMessage.objects.select_related("business").get(pk=message_id)
    business = message.business
    spec = message.payload.get("document", {})
    try:
        if spec.get("kind") == "invoice":
            document = invoice_document(business=business, invoice_id=spec["invoice_id"])
        else:
            document = statement_document(
                business=business,
                customer_id=spec["customer_id"],
                date_from=_iso_date(spec.get("date_from")),
                date_to=_iso_date(spec.get("date_to")),
            )
    except ApplicationError as error:
        _message_settle(message, status=status.FAILED, code=error.code, title=str(error))
        return "failed"
    except Exception:
        # Nothing reached WhatsApp: say so on the row rather than leave it "unknown".
        _message_settle(
            message, status=status.FAILED, code="render_error", title="The PDF could not be made"
        )
        raise
    delivery = settings.WHATSAPP_DOCUMENT_DELIVERY
    by_link = delivery == "link" or (delivery == "auto" and not _storage_is_local())
    link = document_link(document) if by_link else ""
    now = timezone.now()
    message.payload = {
        **message.payload,
        "document_id": document.pk,
        "by": "link" if link else "upload",
    }
    message.save(update_fields=["payload", "updated_at"])
    try:
        result = whatsapp.send_document(
            to=message.wa_id,
            filename=document.filename,
            link=link,
            data=None if link else document_read(document),
            caption=message.body,
            callback_data=f"doc:{message.pk}",
        )
    except whatsapp.WhatsAppError as error:
        if error.outcome == whatsapp.Outcome.RETRY:
            WhatsAppMessage.objects.filter(pk=message.pk, status=status.UNKNOWN).update(
                status=status.PENDING, error_code=error.code, error_title=error.title[:255]
            )
            return "retry"
        final = status.UNKNOWN if error.outcome == whatsapp.Outcome.UNKNOWN else status.FAILED
        _message_settle(message, status=final, code=error.code, title=error.title)
        return str(final)
    entry = {"status": status.ACCEPTED, "at": now.isoformat(), "received_at": now.isoformat()}
    WhatsAppMessage.objects.filter(pk=message.pk, status=status.UNKNOWN).update(
        status=status.ACCEPTED,
        wamid=result.wamid,
        error_code="",
        error_title="",
        status_history=[*message.status_history, entry],
        updated_at=timezone.now(),
    )
    logger.info("document sent", extra={"message_id": message.pk, "document_id": document.pk})
    return "sent"


def _iso_date(value: Any) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _message_settle(message: Any, *, status: str, code: str, title: str) -> None:
    now = timezone.now()
    entry = {"status": status, "at": now.isoformat(), "received_at": now.isoformat()}
    type(message).objects.filter(pk=message.pk).update(
        status=status,
        error_code=str(code)[:40],
        error_title=str(title)[:255],
        status_history=[*message.status_history, entry],
        updated_at=now,
    )
    logger.warning("document not sent", extra={"message_id": message.pk, "code": code})
