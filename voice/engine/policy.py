"""When the engine asks "haan ya nahi?" before it writes.

Speech gets names and amounts wrong, so a write waits for a yes when:

- it moves more money than the shop's `confirm_above_amount` (udhaar,
  payments, bills);
- it takes something back (cancelling a bill or a reminder, undo);
- it creates a customer the user did not ask for by name ("naya customer");
- the parse itself is unsure (confidence under INTENT_CONFIDENCE_THRESHOLD).

Reads never ask: answering is as cheap as asking.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from execora.models import Business

MONEY_OPS = frozenset({"credit_add", "payment_record", "invoice_create"})
ALWAYS_ASK_OPS = frozenset({"invoice_cancel", "reminders_cancel", "undo"})


def confirmation_reason(
    *, op: str, money: Decimal | None, confidence: float, business: Business
) -> str | None:
    """Why this plan must be confirmed first ("amount", "cancellation", "low_confidence"),
    or None when it may run at once."""
    if op in ALWAYS_ASK_OPS:
        return "cancellation"
    if op in MONEY_OPS and money is not None and money > business.confirm_above_amount:
        return "amount"
    if confidence < float(settings.INTENT_CONFIDENCE_THRESHOLD):
        return "low_confidence"
    return None
