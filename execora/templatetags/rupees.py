"""`{{ amount|rupees }}` → "₹1,23,456.50": paise always shown, grouped the Indian way.

The console's script formats money the same way (console.js `rupees`), so a figure
reads alike in the side panel and on the result card. SQLite hands sums back without
their decimal places; `money()` puts the paise back, half up, never through a float.
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from execora.money import money

register = template.Library()


def indian_grouping(digits: str) -> str:
    """ "1234567" → "12,34,567": the last three digits, then pairs."""
    head, last3 = digits[:-3], digits[-3:]
    pairs = []
    while len(head) > 2:
        head, pair = head[:-2], head[-2:]
        pairs.insert(0, pair)
    return ",".join([part for part in [head, *pairs] if part] + [last3])


@register.filter
def rupees(value: Decimal | int | str | None) -> str:
    if value is None or value == "":
        return ""
    amount = money(value)
    sign = "-" if amount < 0 else ""
    whole, _, paise = f"{abs(amount):.2f}".partition(".")
    return f"{sign}₹{indian_grouping(whole)}.{paise}"
