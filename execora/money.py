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
