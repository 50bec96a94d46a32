"""Writes to the books (docs/books.md).

Every posting goes through `journal_post`, which refuses an unbalanced entry
and moves each named customer's cached `balance` by exactly their
receivables lines, in the posting transaction, under the customer's row lock.
Nothing here updates or deletes history: a correction is a reversing entry.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from customers.models import Customer
from execora.db import rows_insert, shop_rows_lock
from execora.exceptions import ApplicationError, NotFound
from execora.models import Business
from execora.money import ZERO, rupees
from ledger.models import (
    CHART_OF_ACCOUNTS,
    Account,
    AccountKey,
    JournalEntry,
    JournalLine,
    Payment,
    PaymentMode,
)

logger = logging.getLogger(__name__)

SourceType = JournalEntry.SourceType
PAISA = Decimal("0.01")


@dataclass(frozen=True)
class LineSpec:
    """One line of an entry to post: exactly one of debit/credit is positive.

    `customer_id` is required on receivables lines and refused on any other.
    """

    account_key: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    customer_id: int | None = None
    memo: str = ""


# --- validation ----------------------------------------------------------------


def amount_parse(value: Any, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """An exact money amount from Decimal/int/str: positive, at most 2 decimal places.

    Floats are refused (they cannot hold paise exactly) and extra places are
    refused rather than rounded: the books record what was said, or nothing.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ApplicationError(
            f'The {field} must be a decimal amount like "500.00" (got {type(value).__name__}).',
            code="invalid_amount",
            message_hi="रकम सही लिखिए, जैसे 500 या 500.50।",
            field=field,
        )
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ApplicationError(
            f"The {field} {value!r} is not an amount.",
            code="invalid_amount",
            message_hi="रकम सही लिखिए, जैसे 500 या 500.50।",
            field=field,
        )
    if number != number.quantize(PAISA):
        raise ApplicationError(
            f"The {field} {value} has more than 2 decimal places; amounts are in rupees and paise.",
            code="invalid_amount",
            message_hi="रकम में पैसे के बाद दो से ज़्यादा अंक नहीं हो सकते।",
            field=field,
        )
    if number == 0 or (number < 0 and not allow_negative):
        raise ApplicationError(
            f"The {field} must be more than zero (got {value}).",
            code="invalid_amount",
            message_hi="रकम शून्य से ज़्यादा होनी चाहिए।",
            field=field,
        )
    return number.quantize(PAISA)


def _line_amount(value: Any, *, index: int, side: str) -> Decimal:
    if isinstance(value, int | str | Decimal) and not isinstance(value, bool):
        try:
            if Decimal(value) == 0:
                return ZERO
        except InvalidOperation:
            pass
    return amount_parse(value, field=f"lines[{index}].{side}")


def shop_today(business: Business) -> datetime.date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(business.timezone))


def entry_date_clean(value: Any, *, business: Business, field: str = "entry_date") -> datetime.date:
    """The date an entry is booked on: today in the shop by default; never in the future.

    A back-dated entry is allowed (a forgotten udhaar of last week); a future one
    would show in today's khata as if it had already happened.
    """
    today = shop_today(business)
    if value is None:
        return today
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ApplicationError(
            f"The {field} must be a date.",
            code="invalid",
            message_hi="तारीख़ सही नहीं है।",
            field=field,
        )
    if value > today:
        raise ApplicationError(
            f"The {field} {value.isoformat()} is in the future.",
            code="future_date",
            message_hi="आगे की तारीख़ नहीं डाल सकते।",
            field=field,
        )
    return value


def _require_atomic(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(f"{name} must run inside transaction.atomic")


# --- chart of accounts -----------------------------------------------------------


def accounts_ensure(*, business: Business) -> dict[str, Account]:
    """The shop's chart of accounts by key, created on first use.

    Idempotent and safe under races: concurrent first posts both insert with
    ON CONFLICT DO NOTHING against the (business, key) unique constraint, then read.
    """
    accounts = {account.key: account for account in Account.objects.filter(business=business)}
    if len(accounts) < len(CHART_OF_ACCOUNTS):
        Account.objects.bulk_create(
            [
                Account(
                    business=business,
                    key=key,
                    name=AccountKey(key).label,
                    type=account_type,
                )
                for key, account_type in CHART_OF_ACCOUNTS.items()
                if key not in accounts
            ],
            ignore_conflicts=True,
        )
        accounts = {a.key: a for a in Account.objects.filter(business=business)}
    return accounts


# Account ids per shop (business pk → key → id), so posting needs no query for them.
# Accounts are never deleted or re-keyed, so an id stays right for the life of the
# process. An entry is stored only once the transaction that read (or created) the
# rows has committed: a rolled-back first posting would otherwise leave the ids of
# rows that never existed.
_account_ids: dict[int, dict[str, int]] = {}


def account_ids(*, business: Business) -> dict[str, int]:
    """The shop's account ids by key, from this process's cache or `accounts_ensure`."""
    ids = _account_ids.get(business.pk)
    if ids is None or len(ids) != len(CHART_OF_ACCOUNTS):  # a miss (or an older chart)
        ids = {key: account.pk for key, account in accounts_ensure(business=business).items()}
        transaction.on_commit(lambda: _account_ids.__setitem__(business.pk, ids))
    return ids


def account_ids_forget() -> None:
    """Empty the cache of account ids (tests; a shop whose accounts were rebuilt by hand)."""
    _account_ids.clear()


# --- posting -------------------------------------------------------------------


def customers_lock(*, business: Business, customer_ids: Sequence[int]) -> dict[int, Customer]:
    """Lock the shop's customers (primary-key order) for this transaction; NotFound otherwise."""
    _require_atomic("customers_lock")
    wanted = sorted(set(customer_ids))
    locked = {
        customer.pk: customer
        for customer in shop_rows_lock(Customer, business=business, ids=wanted)
    }
    missing = [pk for pk in wanted if pk not in locked]
    if missing:
        raise NotFound(
            f"No customer with id {missing[0]} in this shop.",
            message_hi="यह ग्राहक इस दुकान में नहीं मिला।",
            field="customer_id",
            extra={"missing": missing},
        )
    return locked


def _check_locked(
    *, business: Business, customer_ids: Iterable[int], locked: Mapping[int, Customer]
) -> None:
    for customer_id in customer_ids:
        customer = locked.get(customer_id)
        if customer is None or customer.pk != customer_id:
            raise transaction.TransactionManagementError(
                f"Customer {customer_id} is posted to but not among locked_customers: "
                "lock it with customers_lock first."
            )
        if customer.business_id != business.pk:
            raise NotFound(
                f"No customer with id {customer_id} in this shop.",
                message_hi="यह ग्राहक इस दुकान में नहीं मिला।",
                field="customer_id",
                extra={"missing": [customer_id]},
            )


def _refuse_lines(message: str, *, code: str = "invalid_entry", field: str = "lines") -> None:
    raise ApplicationError(
        message, code=code, message_hi="यह एंट्री सही नहीं है: " + message, field=field
    )


def journal_post(
    *,
    business: Business,
    entry_date: datetime.date,
    lines: Sequence[LineSpec],
    source_type: str,
    source_id: int | None = None,
    reference: str = "",
    memo: str = "",
    user: Any = None,
    reverses: JournalEntry | None = None,
    locked_customers: Mapping[int, Customer] | None = None,
) -> JournalEntry:
    """Post one balanced entry and move the named customers' balances with it.

    Runs inside the caller's `transaction.atomic` (checked). Refuses, writing
    nothing: fewer than two lines; a line with both or neither side positive,
    or with more than 2 decimal places; a receivables line without a
    customer or a customer on any other line; debits that differ from credits
    by even a paisa (code "unbalanced"). Locks the customers named, in
    primary-key order, and adds each one's debit − credit to `Customer.balance`
    in the database (balance = balance + delta).

    A caller that has already locked the customers (`customers_lock`, in this
    transaction, in the global lock order) passes them as `locked_customers`
    (id → customer) and they are not locked again. Then every customer the
    lines name must be in it (else TransactionManagementError: locking one
    here could break the lock order), and one of another shop is NotFound.
    """
    _require_atomic("journal_post")
    if source_type not in SourceType.values:
        _refuse_lines(f"Unknown source type {source_type!r}.", field="source_type")
    if not isinstance(entry_date, datetime.date) or isinstance(entry_date, datetime.datetime):
        _refuse_lines("The entry date must be a date.", field="entry_date")
    lines = list(lines)
    if len(lines) < 2:
        _refuse_lines("A journal entry needs at least two lines.")

    checked: list[tuple[LineSpec, Decimal, Decimal]] = []
    for index, spec in enumerate(lines):
        if not isinstance(spec, LineSpec):
            _refuse_lines(f"Line {index} is not a LineSpec.")
        if spec.account_key not in CHART_OF_ACCOUNTS:
            _refuse_lines(f"Line {index}: unknown account {spec.account_key!r}.")
        debit = _line_amount(spec.debit, index=index, side="debit")
        credit = _line_amount(spec.credit, index=index, side="credit")
        if (debit > 0) == (credit > 0):
            _refuse_lines(f"Line {index}: exactly one of debit and credit must be positive.")
        is_receivable = spec.account_key == AccountKey.RECEIVABLES
        if is_receivable and spec.customer_id is None:
            _refuse_lines(f"Line {index}: a receivables line must name its customer.")
        if not is_receivable and spec.customer_id is not None:
            _refuse_lines(f"Line {index}: only receivables lines name a customer.")
        checked.append((spec, debit, credit))

    total_debit = sum((debit for _, debit, _ in checked), ZERO)
    total_credit = sum((credit for _, _, credit in checked), ZERO)
    if total_debit != total_credit:
        raise ApplicationError(
            f"Debits {total_debit} and credits {total_credit} differ; the entry is not posted.",
            code="unbalanced",
            message_hi=f"डेबिट {total_debit} और क्रेडिट {total_credit} बराबर नहीं हैं।",
            field="lines",
            extra={"debit": str(total_debit), "credit": str(total_credit)},
        )
    if reverses is not None and reverses.business_id != business.pk:
        raise NotFound("No such journal entry in this shop.", field="reverses")

    deltas: dict[int, Decimal] = {}
    for spec, debit, credit in checked:
        if spec.customer_id is not None:
            deltas[spec.customer_id] = deltas.get(spec.customer_id, ZERO) + debit - credit
    if locked_customers is None:
        customers_lock(business=business, customer_ids=list(deltas))
    else:
        _check_locked(business=business, customer_ids=deltas, locked=locked_customers)
    accounts = account_ids(business=business)

    # rows_insert: the same INSERTs as create()/bulk_create(), built without the ORM's
    # compiler (execora.db), since posting sits on the hot path of billing.
    entry = JournalEntry(
        business=business,
        date=entry_date,
        source_type=source_type,
        source_id=source_id,
        reference=reference,
        memo=memo,
        reverses=reverses,
        created_by=user,
    )
    rows_insert([entry])
    rows_insert(
        [
            JournalLine(
                entry=entry,
                business=business,
                account_id=accounts[spec.account_key],
                customer_id=spec.customer_id,
                debit=debit,
                credit=credit,
                memo=spec.memo,
            )
            for spec, debit, credit in checked
        ]
    )
    moved = [(delta, customer_id) for customer_id, delta in sorted(deltas.items()) if delta]
    if moved:
        _balances_add(moved)
    logger.info(
        "journal entry posted",
        extra={
            "business_id": business.pk,
            "entry_id": entry.pk,
            "source_type": source_type,
            "source_id": source_id,
            "reverses_id": getattr(reverses, "pk", None),
            "customer_ids": sorted(deltas),
        },
    )
    return entry


def _balances_add(moved: list[tuple[Decimal, int]]) -> None:
    """balance = balance + delta for each (delta, customer id): the F() update, written
    out because the ORM takes several times longer to build it than to run it."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        for delta, customer_id in moved:
            cursor.execute(
                f"UPDATE {table} SET balance = balance + %s WHERE id = %s",  # noqa: S608
                [delta, customer_id],
            )


def credit_limit_check(
    *, customer: Customer, additional: Decimal, current_balance: Decimal | None = None
) -> None:
    """Refuse (code "credit_limit_exceeded") when `additional` would take the customer past
    their credit limit. The caller holds the customer's row lock. The balance is read
    again unless the caller passes `current_balance`, known current because nothing
    has changed it since the lock was taken (e.g. `customer.balance` straight from
    `customers_lock`).
    """
    if customer.credit_limit is None or additional <= 0:
        return
    current = current_balance
    if current is None:
        current = Customer.objects.filter(pk=customer.pk).values_list("balance", flat=True).get()
    would_be = current + additional
    if would_be > customer.credit_limit:
        limit = rupees(customer.credit_limit)
        raise ApplicationError(
            f"{customer.name}'s credit limit is {limit}; this would make the balance "
            f"{rupees(would_be)}.",
            code="credit_limit_exceeded",
            message_hi=(
                f"{customer.name} की उधार सीमा {limit} है; इससे बकाया {rupees(would_be)} हो जाएगा।"
            ),
            field="amount",
            extra={
                "credit_limit": str(customer.credit_limit),
                "balance": str(current),
                "would_be": str(would_be),
            },
        )


@transaction.atomic
def payment_record(
    *,
    business: Business,
    customer_id: int,
    amount: Decimal | int | str,
    mode: str = PaymentMode.CASH,
    reference: str = "",
    received_at: datetime.datetime | None = None,
    note: str = "",
    user: Any = None,
) -> Payment:
    """Record money a customer paid: Dr cash (or bank for UPI/card/bank/cheque), Cr receivables.

    Paying more than is owed is allowed: the balance goes negative (an advance).
    """
    amount = amount_parse(amount)
    if mode not in PaymentMode.values:
        raise ApplicationError(
            f"Unknown payment mode {mode!r}: use cash, upi, card, bank or cheque.",
            code="invalid",
            message_hi="भुगतान का तरीका: cash, upi, card, bank या cheque।",
            field="mode",
        )
    if received_at is None:
        received_at = timezone.now()
    elif not isinstance(received_at, datetime.datetime) or timezone.is_naive(received_at):
        raise ApplicationError(
            "received_at must be a date and time with a time zone.",
            code="invalid",
            message_hi="भुगतान का समय सही नहीं है।",
            field="received_at",
        )
    locked = customers_lock(business=business, customer_ids=[customer_id])
    customer = locked[customer_id]
    entry_date = timezone.localtime(received_at, zoneinfo.ZoneInfo(business.timezone)).date()
    money_account = AccountKey.CASH if mode == PaymentMode.CASH else AccountKey.BANK
    entry = journal_post(
        business=business,
        entry_date=entry_date,
        lines=[
            LineSpec(money_account, debit=amount),
            LineSpec(AccountKey.RECEIVABLES, credit=amount, customer_id=customer.pk),
        ],
        source_type=SourceType.PAYMENT,
        reference=reference,
        memo=note or f"Payment ({mode})",
        user=user,
        locked_customers=locked,
    )
    return Payment.objects.create(
        business=business,
        customer=customer,
        amount=amount,
        mode=mode,
        reference=reference,
        received_at=received_at,
        note=note,
        journal_entry=entry,
        created_by=user,
    )


@transaction.atomic
def credit_add(
    *,
    business: Business,
    customer_id: int,
    amount: Decimal | int | str,
    note: str = "",
    entry_date: datetime.date | None = None,
    user: Any = None,
) -> JournalEntry:
    """Udhaar without an invoice: Dr receivables(customer), Cr unbilled_sales.

    Refused with "credit_limit_exceeded" when it would take the customer past their limit.
    """
    amount = amount_parse(amount)
    entry_date = entry_date_clean(entry_date, business=business)
    locked = customers_lock(business=business, customer_ids=[customer_id])
    customer = locked[customer_id]
    credit_limit_check(customer=customer, additional=amount, current_balance=customer.balance)
    return journal_post(
        business=business,
        entry_date=entry_date,
        lines=[
            LineSpec(AccountKey.RECEIVABLES, debit=amount, customer_id=customer.pk),
            LineSpec(AccountKey.UNBILLED_SALES, credit=amount),
        ],
        source_type=SourceType.CREDIT,
        source_id=customer.pk,
        memo=note or "Udhaar",
        user=user,
        locked_customers=locked,
    )


@transaction.atomic
def opening_balance_set(
    *,
    business: Business,
    customer_id: int,
    amount: Decimal | int | str,
    entry_date: datetime.date | None = None,
    user: Any = None,
) -> JournalEntry:
    """What a customer owed (positive) or had paid in advance (negative) before Execora.

    Dr receivables / Cr opening_balances, or the mirror for an advance. Refused
    (code "opening_balance_exists") while an unreversed opening balance stands;
    reverse it first to correct it.
    """
    amount = amount_parse(amount, allow_negative=True)
    entry_date = entry_date_clean(entry_date, business=business)
    locked = customers_lock(business=business, customer_ids=[customer_id])
    customer = locked[customer_id]
    # Checked under the customer's lock, so two concurrent calls cannot both pass.
    if JournalEntry.objects.filter(
        business=business,
        source_type=SourceType.OPENING_BALANCE,
        source_id=customer.pk,
        reversed_by__isnull=True,
    ).exists():
        raise ApplicationError(
            f"{customer.name} already has an opening balance; reverse it before setting a new one.",
            code="opening_balance_exists",
            message_hi=f"{customer.name} का शुरुआती बकाया पहले से दर्ज है।",
            field="amount",
        )
    if amount > 0:
        lines = [
            LineSpec(AccountKey.RECEIVABLES, debit=amount, customer_id=customer.pk),
            LineSpec(AccountKey.OPENING_BALANCES, credit=amount),
        ]
    else:
        lines = [
            LineSpec(AccountKey.OPENING_BALANCES, debit=-amount),
            LineSpec(AccountKey.RECEIVABLES, credit=-amount, customer_id=customer.pk),
        ]
    return journal_post(
        business=business,
        entry_date=entry_date,
        lines=lines,
        source_type=SourceType.OPENING_BALANCE,
        source_id=customer.pk,
        memo="Opening balance" if amount > 0 else "Opening advance",
        user=user,
        locked_customers=locked,
    )


def journal_reverse(
    *,
    entry: JournalEntry,
    user: Any,
    on_date: datetime.date | None,
    source_type: str,
    memo: str,
    locked_customers: Mapping[int, Customer] | None = None,
) -> JournalEntry:
    """Post the mirror of `entry` (each debit becomes a credit), `reverses` → entry.

    For use inside the caller's transaction, with `entry` already locked
    (lock #1 of docs/books.md); e.g. invoice cancellation with source_type
    "invoice_cancel". Dated `on_date`, or today in the shop's time zone.
    `locked_customers` as for `journal_post`.
    """
    _require_atomic("journal_reverse")
    if entry.reverses_id is not None or entry.source_type in (
        SourceType.REVERSAL,
        SourceType.INVOICE_CANCEL,
    ):
        raise ApplicationError(
            "This entry is itself a reversal and cannot be reversed.",
            code="cannot_reverse_reversal",
            message_hi="यह एंट्री खुद एक सुधार है; इसे उलटा नहीं जा सकता।",
            field="entry_id",
        )
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise ApplicationError(
            f"Entry #{entry.pk} has already been reversed.",
            code="already_reversed",
            message_hi="यह एंट्री पहले ही उलटी जा चुकी है।",
            field="entry_id",
        )
    business = entry.business
    on_date = entry_date_clean(on_date, business=business, field="on_date")
    if on_date < entry.date:
        raise ApplicationError(
            f"A reversal cannot be dated before the entry it reverses ({entry.date.isoformat()}).",
            code="invalid",
            message_hi="सुधार की तारीख़ मूल एंट्री से पहले की नहीं हो सकती।",
            field="on_date",
        )
    mirrored = [
        LineSpec(
            line.account.key,
            debit=line.credit,
            credit=line.debit,
            customer_id=line.customer_id,
            memo=line.memo,
        )
        for line in entry.lines.select_related("account").order_by("pk")
    ]
    return journal_post(
        business=business,
        entry_date=on_date,
        lines=mirrored,
        source_type=source_type,
        source_id=entry.source_id,
        reference=entry.reference,
        memo=memo or f"Reversal of entry #{entry.pk}",
        user=user,
        reverses=entry,
        locked_customers=locked_customers,
    )


@transaction.atomic
def entry_reverse(
    *,
    business: Business,
    entry_id: int,
    user: Any = None,
    reason: str = "",
    on_date: datetime.date | None = None,
) -> JournalEntry:
    """Correct a posted entry (payment, udhaar, opening balance) with its mirror image.

    Invoice entries are refused ("use_invoice_cancel": cancel the invoice, which
    also restores stock); so are reversals and entries already reversed.
    """
    try:
        entry = (
            JournalEntry.objects.select_for_update()
            .select_related("business")
            .get(business=business, pk=entry_id)
        )
    except JournalEntry.DoesNotExist:
        raise NotFound(
            f"No journal entry #{entry_id} in this shop.",
            message_hi="यह एंट्री इस दुकान में नहीं मिली।",
            field="entry_id",
        ) from None
    if entry.source_type == SourceType.INVOICE:
        raise ApplicationError(
            "Invoice entries are corrected by cancelling the invoice, not by reversing the entry.",
            code="use_invoice_cancel",
            message_hi="बिल की एंट्री उलटने के लिए बिल कैंसिल कीजिए।",
            field="entry_id",
        )
    return journal_reverse(
        entry=entry,
        user=user,
        on_date=on_date,
        source_type=SourceType.REVERSAL,
        memo=reason,
    )
