"""Money and quantity helpers: Decimal only, one rounding rule (ROUND_HALF_UP)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

D = Decimal
ZERO = D("0.00")
PAISA = D("0.01")
RUPEE = D("1")
QUANTITY_STEP = D("0.001")

MONEY_DIGITS = {"max_digits": 14, "decimal_places": 2}
QUANTITY_DIGITS = {"max_digits": 14, "decimal_places": 3}


def money(value: Decimal | int | str) -> Decimal:
    """Round to the paisa, half up (never banker's rounding, never float)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return D(value).quantize(PAISA, rounding=ROUND_HALF_UP)


def quantity(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("quantities must not be floats")
    return D(value).quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP)


def round_to_rupee(value: Decimal) -> Decimal:
    return D(value).quantize(RUPEE, rounding=ROUND_HALF_UP).quantize(PAISA)


def indian_grouping(value: Decimal | int | str) -> str:
    """12,34,567.89: paise always, commas the Indian way (the last three digits, then pairs)."""
    amount = money(value)
    sign = "-" if amount < 0 else ""
    whole, _, paise = f"{abs(amount):.2f}".partition(".")
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return sign + ",".join([*groups, tail]) + "." + paise


def rupees(value: Decimal | int | str) -> str:
    """₹1,23,456.78, and -₹500.00 for an advance."""
    text = indian_grouping(value)
    return f"-₹{text[1:]}" if text.startswith("-") else f"₹{text}"
