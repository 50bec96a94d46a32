"""Reads from the books: a customer's khata statement, the trial balance, consistency checks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round

from customers.models import Customer
from execora.exceptions import NotFound
from execora.models import Business
from execora.money import MONEY_DIGITS, ZERO, money
from ledger.models import CHART_OF_ACCOUNTS, AccountKey, JournalEntry, JournalLine

_MONEY = DecimalField(**MONEY_DIGITS)


@dataclass(frozen=True)
class StatementRow:
    date: datetime.date
    entry_id: int
    source_type: str
    reference: str
    memo: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # running: what the customer owes after this row


@dataclass(frozen=True)
class Statement:
    customer: Customer
    date_from: datetime.date | None
    date_to: datetime.date | None
    opening_balance: Decimal
    rows: list[StatementRow] = field(default_factory=list)
    closing_balance: Decimal = ZERO


def _net(lines) -> Decimal:
    totals = lines.aggregate(
        debit=Coalesce(Sum("debit"), Value(ZERO), output_field=_MONEY),
        credit=Coalesce(Sum("credit"), Value(ZERO), output_field=_MONEY),
    )
    return money(totals["debit"] - totals["credit"])


def customer_statement(
    *,
    business: Business,
    customer_id: int,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Statement:
    """The customer's khata between two dates (inclusive): opening, rows, closing.

    Each receivables line is a row (an invoice paid at the counter shows its
    debit and its credit), ordered by entry date then posting order.
    """
    try:
        customer = Customer.objects.get(business=business, pk=customer_id)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            f"No customer with id {customer_id} in this shop.",
            message_hi="यह ग्राहक इस दुकान में नहीं मिला।",
            field="customer_id",
        ) from None
    lines = JournalLine.objects.filter(
        business=business, customer=customer, account__key=AccountKey.RECEIVABLES
    )
    opening = _net(lines.filter(entry__date__lt=date_from)) if date_from else ZERO
    in_range = lines
    if date_from:
        in_range = in_range.filter(entry__date__gte=date_from)
    if date_to:
        in_range = in_range.filter(entry__date__lte=date_to)
    running = opening
    rows = []
    for line in in_range.select_related("entry").order_by("entry__date", "entry_id", "pk"):
        running += line.debit - line.credit
        rows.append(
            StatementRow(
                date=line.entry.date,
                entry_id=line.entry_id,
                source_type=line.entry.source_type,
                reference=line.entry.reference,
                memo=line.memo or line.entry.memo,
                debit=line.debit,
                credit=line.credit,
                balance=running,
            )
        )
    return Statement(
        customer=customer,
        date_from=date_from,
        date_to=date_to,
        opening_balance=opening,
        rows=rows,
        closing_balance=running,
    )


def trial_balance(*, business: Business) -> dict[str, Decimal]:
    """Each account's debit − credit, every key of the chart present. Sums to zero."""
    balances = {str(key): ZERO for key in CHART_OF_ACCOUNTS}
    totals = (
        JournalLine.objects.filter(business=business)
        .values("account__key")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    for row in totals:
        balances[row["account__key"]] = money(row["debit"] - row["credit"])
    return balances


def _receivables_sum() -> Coalesce:
    net = (
        JournalLine.objects.filter(customer=OuterRef("pk"), account__key=AccountKey.RECEIVABLES)
        .order_by()
        .values("customer")
        .annotate(net=Sum(F("debit") - F("credit")))
        .values("net")
    )
    return Coalesce(Subquery(net, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def ledger_discrepancies(*, business: Business | None = None) -> list[str]:
    """One line for everything in the books that does not add up (all shops when None).

    Checks: each customer's cached balance against their receivables lines;
    each entry's debits against its credits; each line's shop against its
    entry's; customers on receivables lines only; each shop's trial balance
    summing to zero.
    """
    problems: list[str] = []
    shop = Q(business=business) if business is not None else Q()

    # Compared rounded to the paisa: exact on PostgreSQL, and on SQLite (the
    # embedded dev database) decimals are binary floats whose sums drift.
    customers = (
        Customer.objects.filter(shop)
        .select_related("business")
        .annotate(ledger=_receivables_sum(), cached=Round("balance", 2))
        .exclude(cached=Round("ledger", 2))
        .order_by("business", "pk")
    )
    problems += [
        f"{c.business.name} (shop #{c.business_id}): customer {c.name!r} (#{c.pk}) balance "
        f"{c.balance} but the ledger says {c.ledger}"
        for c in customers
    ]

    unbalanced = (
        JournalLine.objects.filter(shop)
        .values("business_id", "entry_id")
        .annotate(debit=Round(Sum("debit"), 2), credit=Round(Sum("credit"), 2))
        .exclude(debit=F("credit"))
        .order_by("business_id", "entry_id")
    )
    problems += [
        f"shop #{row['business_id']}: journal entry #{row['entry_id']} debits {row['debit']} "
        f"but credits {row['credit']}"
        for row in unbalanced
    ]
    entries = JournalEntry.objects.filter(shop)
    problems += [
        f"shop #{e.business_id}: journal entry #{e.pk} has fewer than two lines"
        for e in entries.annotate(count=Count("lines"))
        .filter(count__lt=2)
        .order_by("business_id", "pk")
    ]

    misplaced = JournalLine.objects.filter(shop).filter(
        ~Q(business_id=F("entry__business_id"))
        | (Q(account__key=AccountKey.RECEIVABLES) & Q(customer__isnull=True))
        | (~Q(account__key=AccountKey.RECEIVABLES) & Q(customer__isnull=False))
        | ~Q(account__business_id=F("business_id"))
        | (Q(customer__isnull=False) & ~Q(customer__business_id=F("business_id")))
    )
    problems += [
        f"shop #{line.business_id}: journal line #{line.pk} (entry #{line.entry_id}) names the "
        "wrong shop, account or customer"
        for line in misplaced.order_by("business_id", "pk")
    ]

    totals = (
        JournalLine.objects.filter(shop)
        .values("business_id")
        .annotate(debit=Round(Sum("debit"), 2), credit=Round(Sum("credit"), 2))
        .exclude(debit=F("credit"))
        .order_by("business_id")
    )
    problems += [
        f"shop #{row['business_id']}: trial balance is off by {row['debit'] - row['credit']}"
        for row in totals
    ]
    return problems
