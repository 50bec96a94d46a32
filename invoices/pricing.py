"""GST arithmetic of an invoice: pure functions, no database.

The rules, and why:

- **Gross** of a line is quantity × unit price, rounded to the paisa
  (`execora.money.money`, ROUND_HALF_UP, never banker's rounding): 0.25 kg at
  ₹48.50 is ₹12.125, billed as ₹12.13.
- **Discount** is a rupee amount off the line, in the same terms as the price
  (off the MRP for a tax-inclusive price), at most the gross.
- **Taxable value**: for a price that excludes tax it is gross − discount. Kirana
  prices are usually MRP with the GST inside, so for a tax-inclusive price the
  taxable value is backed out of the net: net × 100 / (100 + rate), to the
  paisa. The discount's own taxable value (taxable before discount − taxable
  after) is kept so that the invoice's subtotal − discounts = taxable total
  exactly, and the books can post sales at the gross taxable value with the
  discount allowed as its own line (docs/books.md).
- **Tax** is always rate × taxable value, computed per line and rounded to the
  paisa, so anyone re-computing a line from its taxable value and rate (a tax
  return, an auditor) gets the same figure. Intra-state: CGST and SGST at half
  the rate each, computed once and used for both so they are equal and sum
  exactly. Inter-state (a buyer whose state differs from the shop's): IGST at
  the full rate.
- **Line total** = taxable value + taxes, exactly. For a tax-inclusive price
  this can differ from quantity × MRP − discount by a paisa (the tax was
  rounded on the backed-out value); the invoice's round-off absorbs it.
- **Invoice totals** are plain sums of the lines, so every total is the sum of
  what the lines show. The grand total is rounded to the whole rupee (half
  up), as shops bill and take cash; the difference is the round-off
  (between −0.49 and +0.50), posted to its own account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from execora.money import ZERO, money, quantity, round_to_rupee

HUNDRED = Decimal("100")
TWO = Decimal("2")
GST_RATES = (Decimal("0"), Decimal("5"), Decimal("12"), Decimal("18"), Decimal("28"))


@dataclass(frozen=True)
class LineInput:
    """What pricing needs of one line (already validated: decimals, quantity > 0)."""

    quantity: Decimal
    unit_price: Decimal
    gst_rate: Decimal
    price_includes_tax: bool
    discount: Decimal = ZERO


@dataclass(frozen=True)
class LinePrice:
    gross: Decimal  # quantity × unit price, in the price's own terms
    discount: Decimal  # as given, in the price's own terms
    taxable_gross: Decimal  # taxable value before the discount
    taxable_discount: Decimal  # the discount's taxable value
    taxable_value: Decimal  # taxable_gross − taxable_discount
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    line_total: Decimal  # taxable_value + cgst + sgst + igst

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


@dataclass(frozen=True)
class InvoicePrice:
    lines: tuple[LinePrice, ...]
    subtotal: Decimal  # gross taxable value before discounts
    discount_total: Decimal  # discounts at their taxable value
    taxable_total: Decimal  # subtotal − discount_total
    cgst_total: Decimal
    sgst_total: Decimal
    igst_total: Decimal
    tax_total: Decimal
    round_off: Decimal  # grand_total − (taxable_total + tax_total)
    grand_total: Decimal  # whole rupees


def is_interstate(*, shop_state_code: str, buyer_state_code: str | None) -> bool:
    """IGST applies when the buyer's state is known and is not the shop's (place of supply)."""
    return bool(buyer_state_code) and buyer_state_code != shop_state_code


def _taxable_of(amount: Decimal, *, rate: Decimal, includes_tax: bool) -> Decimal:
    if not includes_tax or rate == 0:
        return amount
    return money(amount * HUNDRED / (HUNDRED + rate))


def line_price(line: LineInput, *, interstate: bool) -> LinePrice:
    """Price one line. Raises ValueError for input the caller should have refused."""
    if line.quantity <= 0:
        raise ValueError("quantity must be positive")
    if line.unit_price < 0 or line.discount < 0:
        raise ValueError("prices and discounts cannot be negative")
    if line.gst_rate not in GST_RATES:
        raise ValueError(f"GST rate {line.gst_rate} is not a GST slab")
    gross = money(quantity(line.quantity) * line.unit_price)
    discount = money(line.discount)
    if discount > gross:
        raise ValueError("discount is more than the line's gross amount")
    rate = line.gst_rate
    taxable_gross = _taxable_of(gross, rate=rate, includes_tax=line.price_includes_tax)
    taxable_value = _taxable_of(gross - discount, rate=rate, includes_tax=line.price_includes_tax)
    if interstate:
        cgst = sgst = ZERO
        igst = money(taxable_value * rate / HUNDRED)
    else:
        # One half-rate figure for both, so CGST == SGST and they sum exactly.
        cgst = sgst = money(taxable_value * rate / TWO / HUNDRED)
        igst = ZERO
    return LinePrice(
        gross=gross,
        discount=discount,
        taxable_gross=taxable_gross,
        taxable_discount=taxable_gross - taxable_value,
        taxable_value=taxable_value,
        cgst=cgst,
        sgst=sgst,
        igst=igst,
        line_total=taxable_value + cgst + sgst + igst,
    )


def invoice_price(lines: Sequence[LineInput], *, interstate: bool) -> InvoicePrice:
    """Price every line and total them; the grand total is rounded to the rupee."""
    priced = tuple(line_price(line, interstate=interstate) for line in lines)
    subtotal = sum((p.taxable_gross for p in priced), ZERO)
    discount_total = sum((p.taxable_discount for p in priced), ZERO)
    taxable_total = sum((p.taxable_value for p in priced), ZERO)
    cgst_total = sum((p.cgst for p in priced), ZERO)
    sgst_total = sum((p.sgst for p in priced), ZERO)
    igst_total = sum((p.igst for p in priced), ZERO)
    tax_total = cgst_total + sgst_total + igst_total
    exact_total = taxable_total + tax_total
    grand_total = round_to_rupee(exact_total)
    return InvoicePrice(
        lines=priced,
        subtotal=subtotal,
        discount_total=discount_total,
        taxable_total=taxable_total,
        cgst_total=cgst_total,
        sgst_total=sgst_total,
        igst_total=igst_total,
        tax_total=tax_total,
        round_off=grand_total - exact_total,
        grand_total=grand_total,
    )
