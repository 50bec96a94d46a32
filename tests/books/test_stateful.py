"""The books against an in-memory model of the shop (Hypothesis stateful testing).

Random sequences of invoices, payments, udhaar, cancels, reversals and stock
adjustments on a few customers and products. After every step each cached
balance and stock level equals the model's, and the ledger agrees with both
(`verify_ledger`'s checks come back empty). Refusals must change nothing.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from customers.models import Customer
from customers.services import customer_create
from execora.exceptions import ApplicationError
from execora.money import money
from invoices.pricing import LineInput, invoice_price
from invoices.services import InvoiceItemInput, invoice_cancel, invoice_create
from ledger.models import JournalEntry
from ledger.selectors import ledger_discrepancies
from ledger.services import credit_add, entry_reverse, payment_record
from products.models import Product
from products.selectors import stock_discrepancies
from products.services import product_create, stock_adjust
from tests.factories import BusinessFactory

amounts = st.decimals(min_value=D("0.01"), max_value=D("900"), places=2)
quantities = st.sampled_from([D("0.25"), D("0.5"), D("1"), D("2"), D("3"), D("5"), D("7.5")])
stock_changes = st.sampled_from([D("-6"), D("-2.5"), D("-1"), D("1"), D("4"), D("10")])


class ShopMachine(RuleBasedStateMachine):
    invoices = Bundle("invoices")
    entries = Bundle("entries")

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint rolled back in teardown: no rows leak between examples.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.shop = BusinessFactory(name="Stateful Kirana")
        self.customer_ids: list[int] = []
        self.product_ids: list[int] = []
        self.balance: dict[int, D] = {}
        self.limit: dict[int, D | None] = {}
        self.stock: dict[int, D] = {}
        self.price: dict[int, tuple[D, D]] = {}
        self.invoice_state: dict[int, dict] = {}
        self.entry_state: dict[int, dict] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @initialize()
    def open_the_shop(self) -> None:
        for name, limit in (("Ramesh", None), ("Sunita", D("1500")), ("Irfan", None)):
            customer = customer_create(business=self.shop, name=name, credit_limit=limit)
            self.customer_ids.append(customer.pk)
            self.balance[customer.pk] = D("0")
            self.limit[customer.pk] = limit
        for name, price, rate, opening in (
            ("Sugar", "46.00", "5", "12"),
            ("Maggi", "14.00", "18", "20"),
            ("Atta", "42.50", "0", "8"),
        ):
            product = product_create(
                business=self.shop,
                name=name,
                unit="kg",
                selling_price=price,
                gst_rate=rate,
                opening_stock=opening,
            )
            self.product_ids.append(product.pk)
            self.stock[product.pk] = D(opening)
            self.price[product.pk] = (D(price), D(rate))

    # --- helpers -------------------------------------------------------------

    def _over_limit(self, customer_id: int, additional: D) -> bool:
        limit = self.limit[customer_id]
        return (
            limit is not None and additional > 0 and self.balance[customer_id] + additional > limit
        )

    # --- rules ---------------------------------------------------------------

    @rule(
        target=invoices,
        who=st.integers(min_value=-1, max_value=2),
        lines=st.lists(
            st.tuples(st.integers(min_value=0, max_value=2), quantities), min_size=1, max_size=3
        ),
        paid_share=st.sampled_from([D("0"), D("0.5"), D("1")]),
    )
    def sell(self, who: int, lines: list, paid_share: D):
        customer_id = self.customer_ids[who] if who >= 0 else None
        wanted: dict[int, D] = {}
        for index, qty in lines:
            pid = self.product_ids[index]
            wanted[pid] = wanted.get(pid, D(0)) + qty
        # The model prices with the (separately tested) pricing rules; it checks the books.
        expected = invoice_price(
            [
                LineInput(
                    quantity=qty,
                    unit_price=self.price[self.product_ids[index]][0],
                    gst_rate=self.price[self.product_ids[index]][1],
                    price_includes_tax=True,
                )
                for index, qty in lines
            ],
            interstate=False,
        ).grand_total
        paid = expected if customer_id is None else money(expected * paid_share)
        items = [
            InvoiceItemInput(product_id=self.product_ids[index], quantity=qty)
            for index, qty in lines
        ]
        short = any(self.stock[pid] < qty for pid, qty in wanted.items())
        over = customer_id is not None and self._over_limit(customer_id, expected - paid)
        try:
            invoice = invoice_create(
                business=self.shop,
                customer_id=customer_id,
                items=items,
                amount_paid=paid,
                payment_mode="cash",
            )
        except ApplicationError as refusal:
            assert refusal.code == ("insufficient_stock" if short else "credit_limit_exceeded")
            assert short or over
            return None
        assert not short and not over
        assert (invoice.grand_total, invoice.amount_paid) == (expected, paid)
        for pid, qty in wanted.items():
            self.stock[pid] -= qty
        if customer_id is not None:
            self.balance[customer_id] += expected - paid
        self.invoice_state[invoice.pk] = {
            "customer": customer_id,
            "due": expected - paid,
            "wanted": wanted,
            "cancelled": False,
        }
        return invoice.pk

    @rule(target=entries, who=st.integers(min_value=0, max_value=2), amount=amounts)
    def receive_payment(self, who: int, amount: D):
        customer_id = self.customer_ids[who]
        payment = payment_record(
            business=self.shop, customer_id=customer_id, amount=amount, mode="upi"
        )
        self.balance[customer_id] -= amount
        self.entry_state[payment.journal_entry_id] = {
            "customer": customer_id,
            "delta": -amount,
            "reversed": False,
        }
        return payment.journal_entry_id

    @rule(target=entries, who=st.integers(min_value=0, max_value=2), amount=amounts)
    def give_udhaar(self, who: int, amount: D):
        customer_id = self.customer_ids[who]
        try:
            entry = credit_add(business=self.shop, customer_id=customer_id, amount=amount)
        except ApplicationError as refusal:
            assert refusal.code == "credit_limit_exceeded"
            assert self._over_limit(customer_id, amount)
            return None
        assert not self._over_limit(customer_id, amount)
        self.balance[customer_id] += amount
        self.entry_state[entry.pk] = {"customer": customer_id, "delta": amount, "reversed": False}
        return entry.pk

    @rule(invoice_id=invoices)
    def cancel(self, invoice_id: int | None) -> None:
        if invoice_id is None:
            return
        state = self.invoice_state[invoice_id]
        try:
            invoice_cancel(business=self.shop, invoice_id=invoice_id, reason="test")
        except ApplicationError as refusal:
            assert state["cancelled"] and refusal.code == "already_cancelled"
            return
        assert not state["cancelled"]
        state["cancelled"] = True
        for pid, qty in state["wanted"].items():
            self.stock[pid] += qty
        if state["customer"] is not None:
            self.balance[state["customer"]] -= state["due"]

    @rule(entry_id=entries)
    def reverse(self, entry_id: int | None) -> None:
        if entry_id is None:
            return
        state = self.entry_state[entry_id]
        try:
            entry_reverse(business=self.shop, entry_id=entry_id, reason="mistake")
        except ApplicationError as refusal:
            assert state["reversed"] and refusal.code == "already_reversed"
            return
        assert not state["reversed"]
        state["reversed"] = True
        self.balance[state["customer"]] -= state["delta"]

    @rule(which=st.integers(min_value=0, max_value=2), change=stock_changes)
    def adjust_stock(self, which: int, change: D) -> None:
        product_id = self.product_ids[which]
        try:
            stock_adjust(business=self.shop, product_id=product_id, change=change, note="count")
        except ApplicationError as refusal:
            assert refusal.code == "insufficient_stock"
            assert self.stock[product_id] + change < 0
            return
        assert self.stock[product_id] + change >= 0
        self.stock[product_id] += change

    # --- invariants ------------------------------------------------------------

    @invariant()
    def books_match_the_model(self) -> None:
        if not self.customer_ids:
            return
        balances = dict(
            Customer.objects.filter(pk__in=self.customer_ids).values_list("pk", "balance")
        )
        assert balances == self.balance
        stock = dict(
            Product.objects.filter(pk__in=self.product_ids).values_list("pk", "stock_quantity")
        )
        assert stock == self.stock
        assert ledger_discrepancies(business=self.shop) == []
        assert stock_discrepancies(business=self.shop) == []
        reversals = JournalEntry.objects.filter(business=self.shop, reverses__isnull=False).count()
        assert reversals == sum(s["reversed"] for s in self.entry_state.values()) + sum(
            s["cancelled"] for s in self.invoice_state.values()
        )


@pytest.mark.django_db
def test_books_always_match_an_in_memory_shop():
    run_state_machine_as_test(
        ShopMachine,
        settings=settings(
            max_examples=200,
            stateful_step_count=10,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
