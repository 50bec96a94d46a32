"""Intent → the books: check the entities, resolve names, plan the write, run it, say what happened.

Two steps, so a write can wait in between for the user's yes:

1. `prepare(intent, ctx, fixed)` validates and resolves; reads are answered
   here and then. It returns one of
   - `Done`: answered, or refused (nothing written);
   - `Choose`: a question between candidates ("Ramesh Kumar ya Ramesh Yadav?");
   - `Confirm`: a plan that must wait for a yes (voice.engine.policy says why);
   - `Ready`: a plan that may run at once.
   `fixed` carries answers already given to earlier questions ({"customer": 7}).
2. `execute(plan, ctx)` runs a plan through the services in one transaction
   and returns the `Done` reply, with the balance as it now stands.

A plan is plain JSON (ids, decimal strings, ISO times), so it can wait in the
conversation row. Domain refusals are ApplicationError and leave nothing
written; the caller turns them into a spoken refusal.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from customers.models import Customer
from customers.services import customer_create
from execora.exceptions import ApplicationError
from execora.models import Business
from execora.money import ZERO, money, quantity
from execora.text import strip_honorifics
from invoices import pricing
from invoices.models import Invoice, InvoiceStatus
from invoices.selectors import daily_summary, invoice_last
from invoices.services import (
    InvoiceItemInput,
    invoice_cancel,
    invoice_create,
    invoice_send,
    statement_send,
)
from ledger.models import JournalEntry, PaymentMode
from ledger.services import amount_parse, credit_add, entry_reverse, payment_record
from products.models import Product, StockMovement
from products.services import (
    product_create,
    product_update,
    products_lock,
    stock_adjust,
    stock_move,
)
from reminders.models import Reminder
from reminders.services import reminder_cancel, reminder_reschedule, reminder_schedule
from voice import selectors
from voice.engine import policy
from voice.engine import replies as R
from voice.engine.resolve import (
    Option,
    choice_pick,
    customer_by_id,
    customer_resolve,
    product_by_id,
    product_resolve,
)
from voice.intents import REQUIRED, Intent

logger = logging.getLogger(__name__)

# A spoken amount above this (one crore) is a mishearing, not an entry.
MAX_SPOKEN_AMOUNT = Decimal("10000000")
UNDO_WINDOW = dt.timedelta(minutes=10)
# Units that convert exactly into each other: (said, product's) → factor.
_UNIT_FACTORS = {
    ("g", "kg"): Decimal("0.001"),
    ("kg", "g"): Decimal("1000"),
    ("ml", "l"): Decimal("0.001"),
    ("l", "ml"): Decimal("1000"),
    ("dozen", "pcs"): Decimal("12"),
}


# --- what the steps return ---------------------------------------------------------------


@dataclass
class Context:
    business: Business
    user: Any
    is_owner: bool
    lang: str
    now: dt.datetime  # aware, in the shop's time zone
    confidence: float = 1.0

    @property
    def today(self) -> dt.date:
        return self.now.date()


@dataclass(frozen=True)
class Done:
    status: str  # "done" (written), "answered" (read), "refused", "unknown"
    reply: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Choose:
    field: str
    options: list[Option]
    prompt: str
    intent: dict[str, Any]
    fixed: dict[str, Any]

    def pending(self) -> dict[str, Any]:
        return {
            "kind": "choose",
            "field": self.field,
            "options": [option.to_dict() for option in self.options],
            "intent": self.intent,
            "fixed": self.fixed,
            "prompt": self.prompt,
        }


@dataclass(frozen=True)
class Confirm:
    plan: dict[str, Any]
    prompt: str
    reason: str

    def pending(self) -> dict[str, Any]:
        return {"kind": "confirm", "plan": self.plan, "prompt": self.prompt, "reason": self.reason}


@dataclass(frozen=True)
class Ready:
    plan: dict[str, Any]


Step = Done | Choose | Confirm | Ready


class _Stop(Exception):
    """A handler's early answer (a question or a refusal)."""

    def __init__(self, step: Step) -> None:
        super().__init__(type(step).__name__)
        self.step = step


def _refuse(ctx: Context, key: str, **params: Any) -> _Stop:
    return _Stop(Done("refused", R.say(key, ctx.lang, **params)))


@dataclass(frozen=True)
class NewCustomer:
    """A customer the user named who is not in the khata: offered, never made silently."""

    name: str
    phone: str = ""


# --- small helpers ------------------------------------------------------------------------


def _name_as_said(mention: str) -> str:
    """The name to save for a new customer or product: honorifics off, "ramesh" → "Ramesh"."""
    name = " ".join(strip_honorifics(mention).split())
    if name.islower():
        name = " ".join(word[:1].upper() + word[1:] for word in name.split())
    return name


def _amount(ctx: Context, value: Any, *, field: str = "amount") -> Decimal:
    amount = amount_parse(value, field=field)
    if amount > MAX_SPOKEN_AMOUNT:
        raise _refuse(ctx, "amount_too_large")
    return amount


def _in_unit(ctx: Context, value: Any, said: str | None, product: Product) -> Decimal:
    """A spoken quantity in the product's own unit ("500 gram" of a kg product is 0.5)."""
    amount = Decimal(str(value))
    if said is None or said == product.unit:
        converted = amount
    else:
        factor = _UNIT_FACTORS.get((said, product.unit))
        if factor is None:
            raise _refuse(
                ctx, "unit_mismatch", name=product.name, unit=R.unit_word(product.unit, ctx.lang)
            )
        converted = amount * factor
    if converted <= 0 or quantity(converted) != converted:
        raise _refuse(
            ctx, "unit_mismatch", name=product.name, unit=R.unit_word(product.unit, ctx.lang)
        )
    return quantity(converted)


def _customer_data(customer: Customer) -> dict[str, Any]:
    return {"id": customer.pk, "name": customer.name, "balance": str(money(customer.balance))}


def _fresh_balance(customer_id: int) -> Decimal:
    return Customer.objects.filter(pk=customer_id).values_list("balance", flat=True).get()


def _choose(ctx: Context, intent: Intent, fixed: dict, field: str, mention: str, options) -> _Stop:
    if len(options) == 1:
        prompt = R.say("did_you_mean", ctx.lang, name=mention, option=options[0].name)
    else:
        prompt = R.say(
            "choose", ctx.lang, options=R.options_text([o.name for o in options], ctx.lang)
        )
    return _Stop(Choose(field, list(options), prompt, intent.to_dict(), dict(fixed)))


def _customer(
    ctx: Context, intent: Intent, fixed: dict, *, offer_create: bool = False
) -> Customer | NewCustomer:
    """The customer the intent names: sure, asked about (a Choose), offered, or refused."""
    if "customer" in fixed:
        customer = customer_by_id(business=ctx.business, customer_id=int(fixed["customer"]))
        if customer is None:
            raise _refuse(ctx, "no_customer", name=intent.entities.get("customer", ""))
        return customer
    mention = intent.entities["customer"]
    resolution = customer_resolve(business=ctx.business, mention=mention)
    if resolution.found is not None:
        return resolution.found
    if resolution.options:
        raise _choose(ctx, intent, fixed, "customer", mention, resolution.options)
    if offer_create:
        return NewCustomer(name=_name_as_said(mention))
    raise _refuse(ctx, "no_customer", name=_name_as_said(mention))


def _product(ctx: Context, intent: Intent, fixed: dict, *, key: str, mention: str) -> Product:
    if key in fixed:
        product = product_by_id(business=ctx.business, product_id=int(fixed[key]))
        if product is None:
            raise _refuse(ctx, "no_product", name=mention)
        return product
    resolution = product_resolve(business=ctx.business, mention=mention)
    if resolution.found is not None:
        return resolution.found
    if resolution.options:
        raise _choose(ctx, intent, fixed, key, mention, resolution.options)
    raise _refuse(ctx, "no_product", name=_name_as_said(mention))


def _plan(
    ctx: Context,
    op: str,
    args: dict[str, Any],
    say: dict[str, Any],
    *,
    money_moved: Decimal | None = None,
    new_customer: NewCustomer | None = None,
    force: str | None = None,
) -> Confirm | Ready:
    """A plan, and whether it must wait for a yes (a new customer always does)."""
    plan: dict[str, Any] = {"op": op, "args": args, "say": say, "lang": ctx.lang}
    if new_customer is not None:
        plan["new_customer"] = {"name": new_customer.name, "phone": new_customer.phone}
    reason = force or policy.confirmation_reason(
        op=op, money=money_moved, confidence=ctx.confidence, business=ctx.business
    )
    if new_customer is not None:
        reason = reason or "new_customer"
    if reason is None:
        return Ready(plan)
    prompt = _prompt(plan)
    if new_customer is not None:
        prompt = f"{R.say('offer_new_customer', ctx.lang, name=new_customer.name)} {prompt}"
    return Confirm(plan, prompt, reason)


_ASK_KEYS = {
    "credit_add": "ask_credit",
    "payment_record": "ask_payment",
    "invoice_cancel": "ask_cancel_invoice",
    "reminder_schedule": "ask_create_reminder",
    "reminder_reschedule": "ask_modify_reminder",
    "stock_add": "ask_add_stock",
    "price_set": "ask_set_price",
    "product_create": "ask_create_product",
    "customer_create": "ask_create_customer",
    "statement_send": "ask_statement",
    "invoice_send": "ask_send_invoice",
    "undo": "ask_undo",
}


def _prompt(plan: dict[str, Any]) -> str:
    op, say, lang = plan["op"], plan["say"], plan["lang"]
    if op == "invoice_create":
        key = (
            "ask_invoice"
            if plan["args"]["customer_id"] or plan.get("new_customer")
            else ("ask_invoice_cash")
        )
        return R.say(key, lang, **say)
    if op == "reminders_cancel":
        key = "ask_cancel_reminders" if say["count"] > 1 else "ask_cancel_reminder"
        return R.say(key, lang, **say)
    if op == "customer_create" and say.get("existing"):
        return R.say("ask_create_customer_similar", lang, **say)
    return R.say(_ASK_KEYS[op], lang, **say)


# --- prepare: one handler per intent -----------------------------------------------------


def prepare(intent: Intent, ctx: Context, fixed: dict[str, Any] | None = None) -> Step:
    """Check and resolve `intent`; answer reads, plan writes (see the module docstring)."""
    fixed = dict(fixed or {})
    handler = _PREPARE.get(intent.intent)
    if handler is None:
        return Done("unknown", R.say("unknown", ctx.lang))
    missing = sorted(REQUIRED.get(intent.intent, frozenset()) - set(intent.entities))
    if missing:
        what = R.MISSING_WHAT.get(missing[0], R.MISSING_WHAT["amount"])[R.lang_of(ctx.lang)]
        return Done("refused", R.say("missing", ctx.lang, what=what), {"missing": missing})
    try:
        return handler(intent, ctx, fixed)
    except _Stop as stop:
        return stop.step


def _prep_check_balance(intent: Intent, ctx: Context, fixed: dict) -> Step:
    customer = _customer(ctx, intent, fixed)
    return Done(
        "answered",
        R.balance_sentence(customer.name, customer.balance, ctx.lang),
        {"customer": _customer_data(customer)},
    )


def _prep_add_credit(intent: Intent, ctx: Context, fixed: dict) -> Step:
    amount = _amount(ctx, intent.entities["amount"])
    customer = _customer(ctx, intent, fixed, offer_create=True)
    new = customer if isinstance(customer, NewCustomer) else None
    return _plan(
        ctx,
        "credit_add",
        {
            "customer_id": None if new else customer.pk,
            "amount": str(amount),
            "note": intent.entities.get("note", ""),
        },
        {"name": customer.name, "amount": R.spoken_amount(amount)},
        money_moved=amount,
        new_customer=new,
    )


def _prep_record_payment(intent: Intent, ctx: Context, fixed: dict) -> Step:
    amount = _amount(ctx, intent.entities["amount"])
    mode = intent.entities.get("payment_mode") or PaymentMode.CASH
    customer = _customer(ctx, intent, fixed, offer_create=True)
    new = customer if isinstance(customer, NewCustomer) else None
    return _plan(
        ctx,
        "payment_record",
        {"customer_id": None if new else customer.pk, "amount": str(amount), "mode": mode},
        {
            "name": customer.name,
            "amount": R.spoken_amount(amount),
            "mode": R.mode_words(mode, ctx.lang),
        },
        money_moved=amount,
        new_customer=new,
    )


def _prep_create_invoice(intent: Intent, ctx: Context, fixed: dict) -> Step:
    customer: Customer | NewCustomer | None = None
    if "customer" in intent.entities or "customer" in fixed:
        customer = _customer(ctx, intent, fixed, offer_create=True)
    lines: list[dict[str, Any]] = []
    priced: list[pricing.LineInput] = []
    said: list[str] = []
    for index, item in enumerate(intent.entities["items"]):
        mention = item["product"]
        price = (
            _amount(ctx, item["unit_price"], field="unit_price") if item.get("unit_price") else None
        )
        product: Product | None = None
        try:
            product = _product(ctx, intent, fixed, key=f"items.{index}", mention=mention)
        except _Stop as stop:
            # An item not in the catalogue may still be billed when its price was said.
            if not (isinstance(stop.step, Done) and price is not None):
                raise
        if product is not None:
            qty = _in_unit(ctx, item["quantity"], item.get("unit"), product)
            unit_price = price if price is not None else product.selling_price
            lines.append(
                {
                    "product_id": product.pk,
                    "quantity": str(qty),
                    "unit_price": None if price is None else str(price),
                }
            )
            priced.append(
                pricing.LineInput(
                    quantity=qty,
                    unit_price=unit_price,
                    gst_rate=product.gst_rate,
                    price_includes_tax=product.price_includes_tax,
                )
            )
            name, unit = product.name, product.unit
        else:
            qty = quantity(item["quantity"])
            name, unit = _name_as_said(mention), item.get("unit") or "pcs"
            lines.append(
                {
                    "product_id": None,
                    "description": name,
                    "quantity": str(qty),
                    "unit": unit,
                    "unit_price": str(price),
                }
            )
            priced.append(
                pricing.LineInput(
                    quantity=qty, unit_price=price, gst_rate=ZERO, price_includes_tax=True
                )
            )
        said.append(f"{R.spoken_quantity(qty)} {R.unit_word(unit, ctx.lang)} {name}")
    buyer_state = customer.state_code if isinstance(customer, Customer) else ""
    interstate = pricing.is_interstate(
        shop_state_code=ctx.business.state_code, buyer_state_code=buyer_state or None
    )
    total = pricing.invoice_price(priced, interstate=interstate).grand_total
    if total <= 0:
        raise _refuse(ctx, "missing", what=R.MISSING_WHAT["unit_price"][R.lang_of(ctx.lang)])
    new = customer if isinstance(customer, NewCustomer) else None
    walk_in = customer is None
    return _plan(
        ctx,
        "invoice_create",
        {
            "customer_id": customer.pk if isinstance(customer, Customer) else None,
            "items": lines,
            # A walk-in sale is paid in full at the counter; a customer's goes on the khata.
            "amount_paid": str(total) if walk_in else "0",
        },
        {
            "name": customer.name if customer is not None else "",
            "total": R.spoken_amount(total),
            "items": ", ".join(said),
        },
        money_moved=total,
        new_customer=new,
    )


def _find_invoice(ctx: Context, intent: Intent, fixed: dict) -> Invoice:
    number = intent.entities.get("invoice_number")
    if number:
        invoice = selectors.invoice_by_spoken_number(business=ctx.business, spoken=number)
    elif "customer" in intent.entities or "customer" in fixed:
        customer = _customer(ctx, intent, fixed)
        invoice = invoice_last(
            business=ctx.business, customer_id=customer.pk, status=InvoiceStatus.ISSUED
        )
    else:
        invoice = invoice_last(business=ctx.business, status=InvoiceStatus.ISSUED)
    if invoice is None:
        raise _refuse(ctx, "no_invoice")
    return invoice


def _of_name(invoice: Invoice, lang: str) -> str:
    """ " (Ramesh Kumar)" after a bill number; a phrase, so its leading space stays."""
    if invoice.customer_id is None:
        return ""
    return R.T["of_name"][R.lang_of(lang)].format(name=invoice.customer.name)


def _prep_cancel_invoice(intent: Intent, ctx: Context, fixed: dict) -> Step:
    if not ctx.is_owner:
        raise _refuse(ctx, "owner_only")
    invoice = _find_invoice(ctx, intent, fixed)
    if invoice.status == InvoiceStatus.CANCELLED:
        raise _refuse(ctx, "already_cancelled", serial=invoice.sequence_number)
    return _plan(
        ctx,
        "invoice_cancel",
        {"invoice_id": invoice.pk},
        {
            "serial": invoice.sequence_number,
            "of_name": _of_name(invoice, ctx.lang),
            "total": R.spoken_amount(invoice.grand_total),
        },
    )


def _with_phone(ctx: Context, customer: Customer) -> Customer:
    if not customer.phone:
        raise _refuse(ctx, "no_phone", name=customer.name)
    return customer


def _prep_send_invoice(intent: Intent, ctx: Context, fixed: dict) -> Step:
    invoice = _find_invoice(ctx, intent, fixed)
    if invoice.customer_id is None:
        raise _refuse(ctx, "no_invoice")
    customer = _with_phone(ctx, invoice.customer)
    return _plan(
        ctx,
        "invoice_send",
        {"invoice_id": invoice.pk},
        {"name": customer.name, "serial": invoice.sequence_number},
    )


def _prep_customer_statement(intent: Intent, ctx: Context, fixed: dict) -> Step:
    customer = _with_phone(ctx, _customer(ctx, intent, fixed))
    if customer.balance <= 0:
        raise _refuse(ctx, "nothing_due", name=customer.name)
    return _plan(
        ctx,
        "statement_send",
        {"customer_id": customer.pk},
        {"name": customer.name},
    )


def _when(ctx: Context, value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _prep_create_reminder(intent: Intent, ctx: Context, fixed: dict) -> Step:
    customer = _with_phone(ctx, _customer(ctx, intent, fixed))
    when = _when(ctx, intent.entities["when"])
    amount = _amount(ctx, intent.entities["amount"]) if intent.entities.get("amount") else None
    return _plan(
        ctx,
        "reminder_schedule",
        {
            "customer_id": customer.pk,
            "when": when.isoformat(),
            "amount": None if amount is None else str(amount),
        },
        {
            "name": customer.name,
            "when": R.spoken_when(when, ctx.now, ctx.lang),
            "amount_part": _amount_part(amount, ctx.lang),
        },
    )


def _amount_part(amount: Decimal | None, lang: str) -> str:
    if amount is None:
        return ""
    words = {"en": " for {a} rupees", "hinglish": " {a} rupaye ka", "hi": " {a} रुपये का"}
    return words[R.lang_of(lang)].format(a=R.spoken_amount(amount))


def _prep_cancel_reminder(intent: Intent, ctx: Context, fixed: dict) -> Step:
    customer = _customer(ctx, intent, fixed)
    waiting = selectors.reminders_waiting(business=ctx.business, customer_id=customer.pk)
    if not waiting:
        raise _refuse(ctx, "no_reminder", name=customer.name)
    return _plan(
        ctx,
        "reminders_cancel",
        {"reminder_ids": [reminder.pk for reminder in waiting], "customer_id": customer.pk},
        {
            "name": customer.name,
            "count": len(waiting),
            "when": R.spoken_when(waiting[0].scheduled_at, ctx.now, ctx.lang),
        },
    )


def _prep_modify_reminder(intent: Intent, ctx: Context, fixed: dict) -> Step:
    customer = _customer(ctx, intent, fixed)
    waiting = selectors.reminders_waiting(business=ctx.business, customer_id=customer.pk)
    if not waiting:
        raise _refuse(ctx, "no_reminder", name=customer.name)
    when = _when(ctx, intent.entities["when"])
    reminder = waiting[0]
    return _plan(
        ctx,
        "reminder_reschedule",
        {"reminder_id": reminder.pk, "when": when.isoformat()},
        {
            "name": customer.name,
            "old": R.spoken_when(reminder.scheduled_at, ctx.now, ctx.lang),
            "when": R.spoken_when(when, ctx.now, ctx.lang),
        },
        # With several waiting, the soonest is moved: read it back first.
        force="several_reminders" if len(waiting) > 1 else None,
    )


def _prep_list_reminders(intent: Intent, ctx: Context, fixed: dict) -> Step:
    day = dt.date.fromisoformat(intent.entities["date"]) if intent.entities.get("date") else None
    waiting = selectors.reminders_waiting(business=ctx.business, day=day)
    if not waiting:
        return Done("answered", R.say("reminders_none", ctx.lang), {"reminders": []})
    items = ", ".join(
        f"{reminder.customer.name} {R.spoken_when(reminder.scheduled_at, ctx.now, ctx.lang)}"
        for reminder in waiting[:5]
    )
    return Done(
        "answered",
        R.say(
            "reminders_list" if len(waiting) > 1 else "reminders_one",
            ctx.lang,
            count=len(waiting),
            items=items,
        ),
        {
            "reminders": [
                {
                    "id": reminder.pk,
                    "customer": reminder.customer.name,
                    "scheduled_at": reminder.scheduled_at.astimezone(ctx.now.tzinfo).isoformat(),
                }
                for reminder in waiting
            ]
        },
    )


def _prep_check_stock(intent: Intent, ctx: Context, fixed: dict) -> Step:
    mention = intent.entities["product"]
    product = _product(ctx, intent, fixed, key="product", mention=mention)
    reply = R.say(
        "stock_level",
        ctx.lang,
        name=product.name,
        stock=R.spoken_quantity(product.stock_quantity),
        unit=R.unit_word(product.unit, ctx.lang),
    )
    low = product.low_stock_level is not None and product.stock_quantity <= product.low_stock_level
    if low:
        reply = f"{reply} {R.say('stock_low', ctx.lang)}"
    return Done(
        "answered",
        reply,
        {
            "product": {
                "id": product.pk,
                "name": product.name,
                "stock": str(product.stock_quantity),
                "unit": product.unit,
                "low": low,
            }
        },
    )


def _prep_add_stock(intent: Intent, ctx: Context, fixed: dict) -> Step:
    mention = intent.entities["product"]
    product = _product(ctx, intent, fixed, key="product", mention=mention)
    qty = _in_unit(ctx, intent.entities["quantity"], intent.entities.get("unit"), product)
    return _plan(
        ctx,
        "stock_add",
        {"product_id": product.pk, "quantity": str(qty)},
        {
            "name": product.name,
            "quantity": R.spoken_quantity(qty),
            "unit": R.unit_word(product.unit, ctx.lang),
        },
    )


def _prep_set_price(intent: Intent, ctx: Context, fixed: dict) -> Step:
    mention = intent.entities["product"]
    product = _product(ctx, intent, fixed, key="product", mention=mention)
    price = _amount(ctx, intent.entities["unit_price"], field="unit_price")
    unit = intent.entities.get("unit")
    if unit is not None and unit != product.unit:
        raise _refuse(
            ctx, "unit_mismatch", name=product.name, unit=R.unit_word(product.unit, ctx.lang)
        )
    return _plan(
        ctx,
        "price_set",
        {"product_id": product.pk, "price": str(price)},
        {
            "name": product.name,
            "price": R.spoken_amount(price),
            "unit": R.unit_word(product.unit, ctx.lang),
        },
    )


def _prep_create_product(intent: Intent, ctx: Context, fixed: dict) -> Step:
    mention = intent.entities["product"]
    if not intent.entities.get("unit_price"):
        raise _refuse(ctx, "need_price")
    price = _amount(ctx, intent.entities["unit_price"], field="unit_price")
    existing = product_resolve(business=ctx.business, mention=mention).found
    if existing is not None:
        raise _refuse(ctx, "product_exists", name=existing.name)
    unit = intent.entities.get("unit") or "pcs"
    opening = quantity(intent.entities["quantity"]) if intent.entities.get("quantity") else None
    name = mention.strip()
    name = name[:1].upper() + name[1:]
    return _plan(
        ctx,
        "product_create",
        {
            "name": name,
            "unit": unit,
            "price": str(price),
            "opening_stock": None if opening is None else str(opening),
        },
        {"name": name, "price": R.spoken_amount(price), "unit": R.unit_word(unit, ctx.lang)},
    )


def _prep_create_customer(intent: Intent, ctx: Context, fixed: dict) -> Step:
    name = _name_as_said(intent.entities["customer"])
    phone = intent.entities.get("phone", "")
    resolution = customer_resolve(business=ctx.business, mention=name)
    similar = resolution.found or (
        customer_by_id(business=ctx.business, customer_id=resolution.options[0].id)
        if len(resolution.options) >= 1
        else None
    )
    return _plan(
        ctx,
        "customer_create",
        {"name": name, "phone": phone},
        {"name": name, "existing": similar.name if similar is not None else ""},
        # Someone by (nearly) this name is already in the khata: a namesake, or a mishearing?
        force="similar_customer" if similar is not None else None,
    )


def _prep_daily_summary(intent: Intent, ctx: Context, fixed: dict) -> Step:
    day = dt.date.fromisoformat(intent.entities["date"]) if intent.entities.get("date") else None
    day = day or ctx.today
    figures = selectors.day_figures(business=ctx.business, day=day)
    reply = R.say(
        "daily_summary",
        ctx.lang,
        day=R.day_title(day, ctx.today, ctx.lang),
        count=figures.bills,
        s="" if figures.bills == 1 else "s",
        sales=R.spoken_amount(figures.sales),
        received=R.spoken_amount(figures.received),
        credit=R.spoken_amount(figures.credit),
    )
    # The spoken figures stay short; the data carries the whole day (as the API's
    # reports/daily-summary/): GST collected, money in by mode, new dues.
    summary = daily_summary(business=ctx.business, day=day)
    return Done(
        "answered",
        reply,
        {
            "date": day.isoformat(),
            "bills": figures.bills,
            "sales": str(figures.sales),
            "received": str(figures.received),
            "credit": str(figures.credit),
            "gst": {
                "cgst": str(summary.cgst),
                "sgst": str(summary.sgst),
                "igst": str(summary.igst),
                "total": str(summary.gst),
            },
            "collections": {mode: str(amount) for mode, amount in summary.collections.items()},
            "new_dues": str(summary.new_dues),
        },
    )


def _prep_total_dues(intent: Intent, ctx: Context, fixed: dict) -> Step:
    figures = selectors.dues(business=ctx.business)
    data = {
        "count": figures.count,
        "total": str(figures.total),
        "top": [_customer_data(customer) for customer in figures.top],
    }
    if not figures.count:
        return Done("answered", R.say("total_dues_none", ctx.lang), data)
    top = ", ".join(f"{c.name} {R.spoken_amount(c.balance)}" for c in figures.top)
    reply = R.say(
        "total_dues" if figures.count > 1 else "total_dues_one",
        ctx.lang,
        count=figures.count,
        total=R.spoken_amount(figures.total),
        top=top,
    )
    return Done("answered", reply, data)


def _prep_help(intent: Intent, ctx: Context, fixed: dict) -> Step:
    return Done("answered", R.say("help", ctx.lang))


def _what(ctx: Context, action: selectors.LastAction) -> tuple[str, Customer | None]:
    """A read-back of the action undo would take back, and whose khata it touches."""
    lang = ctx.lang
    if action.kind == "entry":
        customer, amount = selectors.entry_customer_amount(action.obj)
        key = (
            "what_credit"
            if action.obj.source_type == JournalEntry.SourceType.CREDIT
            else "what_payment"
        )
        name = customer.name if customer else ""
        return R.say(key, lang, name=name, amount=R.spoken_amount(amount)), customer
    if action.kind == "invoice":
        invoice = action.obj
        return R.say(
            "what_invoice",
            lang,
            serial=invoice.sequence_number,
            of_name=_of_name(invoice, lang),
            total=R.spoken_amount(invoice.grand_total),
        ), invoice.customer
    if action.kind == "reminder":
        reminder = action.obj
        when = R.spoken_when(reminder.scheduled_at, ctx.now, lang)
        return R.say("what_reminder", lang, name=reminder.customer.name, when=when), None
    movement = action.obj
    return R.say(
        "what_stock",
        lang,
        name=movement.product.name,
        quantity=R.spoken_quantity(movement.quantity),
        unit=R.unit_word(movement.product.unit, lang),
    ), None


def _prep_undo(intent: Intent, ctx: Context, fixed: dict) -> Step:
    action = selectors.last_undoable_action(
        business=ctx.business, user=ctx.user, since=ctx.now - UNDO_WINDOW
    )
    if action is None:
        raise _refuse(ctx, "nothing_to_undo")
    what, customer = _what(ctx, action)
    return _plan(
        ctx,
        "undo",
        {
            "kind": action.kind,
            "id": action.id,
            "customer_id": customer.pk if customer is not None else None,
        },
        {"what": what},
    )


_PREPARE: dict[str, Callable[[Intent, Context, dict], Step]] = {
    "check_balance": _prep_check_balance,
    "add_credit": _prep_add_credit,
    "record_payment": _prep_record_payment,
    "create_invoice": _prep_create_invoice,
    "cancel_invoice": _prep_cancel_invoice,
    "send_invoice": _prep_send_invoice,
    "customer_statement": _prep_customer_statement,
    "create_reminder": _prep_create_reminder,
    "cancel_reminder": _prep_cancel_reminder,
    "modify_reminder": _prep_modify_reminder,
    "list_reminders": _prep_list_reminders,
    "check_stock": _prep_check_stock,
    "add_stock": _prep_add_stock,
    "set_price": _prep_set_price,
    "create_product": _prep_create_product,
    "create_customer": _prep_create_customer,
    "daily_summary": _prep_daily_summary,
    "total_dues": _prep_total_dues,
    "help": _prep_help,
    "undo": _prep_undo,
}


def choose_answer(pending: dict[str, Any], text: str) -> int | None:
    """The id an answer to a pending Choose picks, or None."""
    options = [Option(id=o["id"], name=o["name"]) for o in pending["options"]]
    picked = choice_pick(text, options)
    return picked.id if picked is not None else None


# --- execute -------------------------------------------------------------------------


def execute(plan: dict[str, Any], ctx: Context) -> Done:
    """Run a plan through the services in one transaction; ApplicationError writes nothing."""
    ctx.lang = plan.get("lang") or ctx.lang
    # No savepoint of its own: the services' blocks are savepoints already, and a caller
    # inside a transaction wraps this in one (voice.services does).
    with transaction.atomic(savepoint=False):
        args = dict(plan["args"])
        say = dict(plan["say"])
        data: dict[str, Any] = {}
        if plan.get("new_customer"):
            created = customer_create(
                business=ctx.business,
                name=plan["new_customer"]["name"],
                phone=plan["new_customer"].get("phone", ""),
                user=ctx.user,
            )
            args["customer_id"] = created.pk
            say["name"] = created.name
            data["created_customer"] = _customer_data(created)
        done = _EXECUTE[plan["op"]](args, say, ctx)
    if data:
        done = Done(done.status, done.reply, {**data, **done.data})
    return done


Runner = Callable[[dict, dict, Context], Done]


def _run_credit_add(args: dict, say: dict, ctx: Context) -> Done:
    entry = credit_add(
        business=ctx.business,
        customer_id=args["customer_id"],
        amount=args["amount"],
        note=args.get("note", ""),
        user=ctx.user,
    )
    balance = _fresh_balance(args["customer_id"])
    reply = R.say(
        "credit_added",
        ctx.lang,
        name=say["name"],
        amount=say["amount"],
        balance=R.balance_after(balance, ctx.lang),
    )
    return Done(
        "done",
        reply,
        {
            "entry_id": entry.pk,
            "amount": args["amount"],
            "customer": {"id": args["customer_id"], "name": say["name"], "balance": str(balance)},
        },
    )


def _run_payment_record(args: dict, say: dict, ctx: Context) -> Done:
    payment = payment_record(
        business=ctx.business,
        customer_id=args["customer_id"],
        amount=args["amount"],
        mode=args["mode"],
        received_at=ctx.now,
        user=ctx.user,
    )
    balance = _fresh_balance(args["customer_id"])
    reply = R.say(
        "payment_recorded",
        ctx.lang,
        name=say["name"],
        amount=say["amount"],
        mode=R.mode_words(args["mode"], ctx.lang),
        balance=R.balance_after(balance, ctx.lang),
    )
    return Done(
        "done",
        reply,
        {
            "payment_id": payment.pk,
            "entry_id": payment.journal_entry_id,
            "amount": args["amount"],
            "mode": args["mode"],
            "customer": {"id": args["customer_id"], "name": say["name"], "balance": str(balance)},
        },
    )


def _invoice_data(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "grand_total": str(invoice.grand_total),
        "amount_due": str(invoice.amount_due),
        "status": str(invoice.status),
    }


def _run_invoice_create(args: dict, say: dict, ctx: Context) -> Done:
    items = [
        InvoiceItemInput(
            product_id=line["product_id"],
            description=line.get("description", ""),
            quantity=line["quantity"],
            unit=line.get("unit") if line["product_id"] is None else None,
            unit_price=line["unit_price"],
        )
        for line in args["items"]
    ]
    customer_id = args["customer_id"]
    invoice = invoice_create(
        business=ctx.business,
        items=items,
        customer_id=customer_id,
        amount_paid=args["amount_paid"],
        payment_mode=PaymentMode.CASH,
        user=ctx.user,
    )
    total = R.spoken_amount(invoice.grand_total)
    data: dict[str, Any] = {"invoice": _invoice_data(invoice)}
    if customer_id is None:
        reply = R.say("invoice_created_cash", ctx.lang, serial=invoice.sequence_number, total=total)
    else:
        balance = _fresh_balance(customer_id)
        reply = R.say(
            "invoice_created",
            ctx.lang,
            name=say["name"],
            serial=invoice.sequence_number,
            total=total,
            balance=R.balance_after(balance, ctx.lang),
        )
        data["customer"] = {"id": customer_id, "name": say["name"], "balance": str(balance)}
    return Done("done", reply, data)


def _run_invoice_cancel(args: dict, say: dict, ctx: Context) -> Done:
    invoice = invoice_cancel(
        business=ctx.business, invoice_id=args["invoice_id"], user=ctx.user, reason="By voice"
    )
    data: dict[str, Any] = {"invoice": _invoice_data(invoice)}
    balance_text = ""
    if invoice.customer_id is not None:
        balance = _fresh_balance(invoice.customer_id)
        balance_text = " " + R.balance_after(balance, ctx.lang)
        data["customer"] = {
            "id": invoice.customer_id,
            "name": invoice.customer.name,
            "balance": str(balance),
        }
    reply = R.say(
        "invoice_cancelled",
        ctx.lang,
        serial=invoice.sequence_number,
        of_name=_of_name(invoice, ctx.lang),
        balance=balance_text,
    )
    return Done("done", reply, data)


def _run_invoice_send(args: dict, say: dict, ctx: Context) -> Done:
    # The bill's PDF goes as a WhatsApp document, recorded as a message that a worker
    # sends once this transaction commits (no rendering or network under its locks).
    message = invoice_send(business=ctx.business, invoice_id=args["invoice_id"], user=ctx.user)
    invoice = Invoice.objects.select_related("customer").get(
        business=ctx.business, pk=args["invoice_id"]
    )
    reply = R.say("invoice_sent", ctx.lang, name=say["name"], serial=say["serial"])
    return Done(
        "done",
        reply,
        {"invoice": _invoice_data(invoice), "message_id": message.pk, "document": "invoice"},
    )


def _run_statement_send(args: dict, say: dict, ctx: Context) -> Done:
    customer = Customer.objects.get(business=ctx.business, pk=args["customer_id"])
    # The statement PDF (opening, entries, running balance, closing due) as a document.
    message = statement_send(business=ctx.business, customer_id=customer.pk, user=ctx.user)
    reply = R.say(
        "statement_sent", ctx.lang, name=customer.name, due=R.spoken_amount(customer.balance)
    )
    return Done(
        "done",
        reply,
        {
            "message_id": message.pk,
            "document": "statement",
            "customer": _customer_data(customer),
        },
    )


def _local_iso(moment: dt.datetime, ctx: Context) -> str:
    return moment.astimezone(ctx.now.tzinfo).isoformat()


def _run_reminder_schedule(args: dict, say: dict, ctx: Context) -> Done:
    reminder = reminder_schedule(
        business=ctx.business,
        customer_id=args["customer_id"],
        when=dt.datetime.fromisoformat(args["when"]),
        amount=args["amount"],
        source=Reminder.Source.VOICE,
        user=ctx.user,
        now=ctx.now,
    )
    reply = R.say("reminder_created", ctx.lang, **say)
    return Done(
        "done",
        reply,
        {"reminder": {"id": reminder.pk, "scheduled_at": _local_iso(reminder.scheduled_at, ctx)}},
    )


def _run_reminders_cancel(args: dict, say: dict, ctx: Context) -> Done:
    cancelled = [
        reminder_cancel(business=ctx.business, reminder_id=pk, user=ctx.user, now=ctx.now).pk
        for pk in args["reminder_ids"]
    ]
    key = "reminders_cancelled" if len(cancelled) > 1 else "reminder_cancelled"
    reply = R.say(key, ctx.lang, name=say["name"], count=len(cancelled))
    return Done("done", reply, {"cancelled": cancelled})


def _run_reminder_reschedule(args: dict, say: dict, ctx: Context) -> Done:
    reminder = reminder_reschedule(
        business=ctx.business,
        reminder_id=args["reminder_id"],
        when=dt.datetime.fromisoformat(args["when"]),
        user=ctx.user,
        now=ctx.now,
    )
    reply = R.say("reminder_moved", ctx.lang, name=say["name"], when=say["when"])
    return Done(
        "done",
        reply,
        {"reminder": {"id": reminder.pk, "scheduled_at": _local_iso(reminder.scheduled_at, ctx)}},
    )


def _run_stock_add(args: dict, say: dict, ctx: Context) -> Done:
    movement = stock_adjust(
        business=ctx.business,
        product_id=args["product_id"],
        change=args["quantity"],
        kind=StockMovement.Kind.PURCHASE,
        note="By voice",
        user=ctx.user,
    )
    stock = movement.stock_after
    reply = R.say(
        "stock_added",
        ctx.lang,
        name=say["name"],
        quantity=say["quantity"],
        unit=say["unit"],
        stock=R.spoken_quantity(stock),
    )
    return Done(
        "done",
        reply,
        {"movement_id": movement.pk, "product": {"id": args["product_id"], "stock": str(stock)}},
    )


def _run_price_set(args: dict, say: dict, ctx: Context) -> Done:
    product = product_update(
        business=ctx.business, product_id=args["product_id"], selling_price=args["price"]
    )
    reply = R.say("price_set", ctx.lang, **say)
    return Done(
        "done",
        reply,
        {"product": {"id": product.pk, "selling_price": str(product.selling_price)}},
    )


def _run_product_create(args: dict, say: dict, ctx: Context) -> Done:
    product = product_create(
        business=ctx.business,
        name=args["name"],
        unit=args["unit"],
        selling_price=args["price"],
        gst_rate="0",
        opening_stock=args["opening_stock"] or "0",
        user=ctx.user,
    )
    reply = R.say("product_created", ctx.lang, **say)
    return Done(
        "done",
        reply,
        {
            "product": {
                "id": product.pk,
                "name": product.name,
                "unit": product.unit,
                "selling_price": str(product.selling_price),
                "stock": str(product.stock_quantity),
            }
        },
    )


def _run_customer_create(args: dict, say: dict, ctx: Context) -> Done:
    customer = customer_create(
        business=ctx.business, name=args["name"], phone=args.get("phone", ""), user=ctx.user
    )
    reply = R.say("customer_created", ctx.lang, name=customer.name)
    return Done("done", reply, {"customer": _customer_data(customer)})


def _run_undo(args: dict, say: dict, ctx: Context) -> Done:
    kind, pk = args["kind"], args["id"]
    if kind == "entry":
        reversal = entry_reverse(business=ctx.business, entry_id=pk, user=ctx.user, reason="Undo")
        data: dict[str, Any] = {"reversal_entry_id": reversal.pk, "undone": {"entry_id": pk}}
    elif kind == "invoice":
        invoice = invoice_cancel(business=ctx.business, invoice_id=pk, user=ctx.user, reason="Undo")
        data = {"undone": {"invoice_id": pk}, "invoice": _invoice_data(invoice)}
    elif kind == "reminder":
        reminder_cancel(business=ctx.business, reminder_id=pk, user=ctx.user, now=ctx.now)
        data = {"undone": {"reminder_id": pk}}
    else:
        data = {"undone": {"movement_id": pk}, **_stock_undo(ctx, pk)}
    balance_text = ""
    if args.get("customer_id"):
        balance = _fresh_balance(args["customer_id"])
        balance_text = " " + R.balance_after(balance, ctx.lang)
        data["customer"] = {"id": args["customer_id"], "balance": str(balance)}
    reply = R.say("undone", ctx.lang, what=say["what"], balance=balance_text)
    return Done("done", reply, data)


def _stock_undo(ctx: Context, movement_id: int) -> dict[str, Any]:
    """Take back a stock receipt with an adjustment that names it (so it is undone once)."""
    movement = StockMovement.objects.get(business=ctx.business, pk=movement_id)
    product = products_lock(business=ctx.business, product_ids=[movement.product_id])[
        movement.product_id
    ]
    # Checked under the product's lock: two undos of one receipt queue here.
    if StockMovement.objects.filter(
        business=ctx.business, source_type=selectors.STOCK_UNDO_SOURCE, source_id=movement.pk
    ).exists():
        raise ApplicationError(
            "This stock entry was already taken back.",
            code="already_undone",
            message_hi="यह स्टॉक एंट्री पहले ही वापस हो चुकी है।",
        )
    correction = stock_move(
        product=product,
        change=-movement.quantity,
        kind=StockMovement.Kind.ADJUSTMENT,
        user=ctx.user,
        source_type=selectors.STOCK_UNDO_SOURCE,
        source_id=movement.pk,
        note=f"Undo of stock entry #{movement.pk}",
    )
    stock = str(product.stock_quantity)
    return {"movement_id": correction.pk, "product": {"id": product.pk, "stock": stock}}


_EXECUTE: dict[str, Runner] = {
    "credit_add": _run_credit_add,
    "payment_record": _run_payment_record,
    "invoice_create": _run_invoice_create,
    "invoice_cancel": _run_invoice_cancel,
    "invoice_send": _run_invoice_send,
    "statement_send": _run_statement_send,
    "reminder_schedule": _run_reminder_schedule,
    "reminders_cancel": _run_reminders_cancel,
    "reminder_reschedule": _run_reminder_reschedule,
    "stock_add": _run_stock_add,
    "price_set": _run_price_set,
    "product_create": _run_product_create,
    "customer_create": _run_customer_create,
    "undo": _run_undo,
}

__all__ = [
    "MAX_SPOKEN_AMOUNT",
    "Choose",
    "Confirm",
    "Context",
    "Done",
    "Ready",
    "Step",
    "choose_answer",
    "execute",
    "prepare",
]
