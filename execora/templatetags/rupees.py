"""`{{ amount|rupees }}` → "₹1,23,456.50": paise always shown, grouped the Indian way.

The console's script formats money the same way (console.js `rupees`), so a figure
reads alike in the side panel and on the result card. SQLite hands sums back without
their decimal places; `money()` puts the paise back, half up, never through a float.
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from execora.money import rupees as money_rupees

register = template.Library()


@register.filter
def rupees(value: Decimal | int | str | None) -> str:
    if value is None or value == "":
        return ""
    return money_rupees(value)
