"""Writes to a shop's customers. The balance is not here: only the ledger's posting changes it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import capfirst

from customers.models import Customer
from customers.search import customer_names, customer_search_changed, customer_search_key
from execora.exceptions import ApplicationError, NotFound
from execora.models import Business
from execora.money import money
from execora.validators import (
    normalize_indian_mobile,
    validate_gstin,
    validate_indian_mobile,
    validate_state_code,
)

logger = logging.getLogger(__name__)

# What customer_update may change; everything else is derived or owned elsewhere.
EDITABLE_FIELDS = (
    "name",
    "phone",
    "aliases",
    "address",
    "gstin",
    "state_code",
    "credit_limit",
    "preferred_language",
)

_MESSAGES_HI = {
    "name": "ग्राहक का नाम सही नहीं है।",
    "phone": "मोबाइल नंबर सही नहीं है: 10 अंक का, 6 से 9 से शुरू होने वाला नंबर दीजिए।",
    "aliases": "दूसरे नाम सही नहीं हैं।",
    "address": "पता सही नहीं है।",
    "gstin": "GSTIN सही नहीं है, एक बार जाँच लीजिए।",
    "state_code": "राज्य का GST कोड सही नहीं है।",
    "credit_limit": "उधार की सीमा सही नहीं है।",
    "preferred_language": "भाषा सही नहीं है।",
}


def _field_error(field: str | None, message: str, *, code: str | None = None) -> ApplicationError:
    return ApplicationError(
        message,
        code=code or (f"invalid_{field}" if field else "invalid"),
        message_hi=_MESSAGES_HI.get(field or "", "जानकारी सही नहीं है।"),
        field=field,
        extra={"errors": {field or NON_FIELD_ERRORS: [message]}},
    )


def _from_validation_error(exc: ValidationError) -> ApplicationError:
    """full_clean's errors as one ApplicationError naming the first field at fault."""
    errors: dict[str, list[str]] = (
        exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    )
    order = {name: i for i, name in enumerate(EDITABLE_FIELDS)}
    field = min(errors, key=lambda name: order.get(name, len(order)))
    message = errors[field][0]
    if field != NON_FIELD_ERRORS:
        label = capfirst(Customer._meta.get_field(field).verbose_name)
        message = f"{label}: {message}"
    error = _field_error(None if field == NON_FIELD_ERRORS else field, message)
    error.extra = {"errors": errors}
    return error


def _clean_phone(value: object) -> str:
    raw = str(value or "").strip()
    if not raw:
        return ""
    try:
        validate_indian_mobile(raw)
    except ValidationError as exc:
        raise _field_error("phone", exc.messages[0]) from exc
    return normalize_indian_mobile(raw)


def _clean_aliases(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise _field_error("aliases", "Aliases must be a list of names.")
    aliases: list[str] = []
    seen: set[str] = set()
    for alias in value:
        if not isinstance(alias, str):
            raise _field_error("aliases", "Aliases must be a list of names.")
        alias = " ".join(alias.split())
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            aliases.append(alias)
    return aliases


def _clean_gstin(value: object) -> str:
    gstin = "".join(str(value or "").split()).upper()
    if gstin:
        try:
            validate_gstin(gstin)
        except ValidationError as exc:
            raise _field_error("gstin", exc.messages[0]) from exc
    return gstin


def _clean_state_code(value: object) -> str:
    state_code = str(value or "").strip()
    if state_code.isdigit() and len(state_code) == 1:
        state_code = f"0{state_code}"
    if state_code:
        try:
            validate_state_code(state_code)
        except ValidationError as exc:
            raise _field_error("state_code", exc.messages[0]) from exc
    return state_code


def _clean_credit_limit(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        limit = money(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise _field_error(
            "credit_limit", f"Credit limit {value!r} is not an amount like 5000.00."
        ) from exc
    if limit < 0:
        raise _field_error("credit_limit", "Credit limit cannot be negative.")
    return limit


_CLEANERS = {
    "name": lambda value: " ".join(str(value or "").split()),
    "phone": _clean_phone,
    "aliases": _clean_aliases,
    "address": lambda value: str(value or "").strip(),
    "gstin": _clean_gstin,
    "state_code": _clean_state_code,
    "credit_limit": _clean_credit_limit,
    "preferred_language": lambda value: str(value or "").strip(),
}


def _refuse_duplicate_phone(*, business_id: int, phone: str, exclude_pk: int | None) -> None:
    if not phone:
        return
    other = (
        Customer.objects.filter(business_id=business_id, phone=phone)
        .exclude(pk=exclude_pk)
        .only("pk", "name")
        .first()
    )
    if other is not None:
        raise ApplicationError(
            f"{other.name} already has this phone number.",
            code="duplicate_phone",
            message_hi=f"यह मोबाइल नंबर पहले से {other.name} के नाम पर है।",
            field="phone",
            extra={"customer_id": other.pk},
        )


def _validate_and_save(customer: Customer, *, update_fields: Sequence[str] | None = None) -> None:
    _refuse_duplicate_phone(
        business_id=customer.business_id, phone=customer.phone, exclude_pk=customer.pk
    )
    names = customer_names(customer.name, customer.aliases)
    customer.search_key = customer_search_key(name=names[0], aliases=names[1:])
    customer_search_changed(business_id=customer.business_id)
    try:
        customer.full_clean()
    except ValidationError as exc:
        raise _from_validation_error(exc) from exc
    try:
        # A savepoint: a concurrent insert of the same phone loses here, not in the caller.
        with transaction.atomic():
            customer.save(update_fields=update_fields)
    except IntegrityError:
        _refuse_duplicate_phone(
            business_id=customer.business_id, phone=customer.phone, exclude_pk=customer.pk
        )
        raise


@transaction.atomic
def customer_create(
    *,
    business: Business,
    name: str,
    phone: str = "",
    aliases: Sequence[str] = (),
    address: str = "",
    gstin: str = "",
    state_code: str = "",
    credit_limit: Decimal | int | str | None = None,
    preferred_language: str = "",
    user: Any = None,
) -> Customer:
    """Add a customer to the shop's khata.

    Text is stripped, the phone normalised to 10 digits ("+91 98765-43210" ->
    "9876543210"), the GSTIN upper-cased, and a registered buyer's state code
    taken from the GSTIN when not given. Refuses with ApplicationError (naming
    the field): an invalid phone, GSTIN, state code or credit limit, a blank
    name, and a phone another customer of this shop already has
    (code "duplicate_phone"). The balance starts at zero; an opening balance
    is a ledger posting.
    """
    values = {
        field: _CLEANERS[field](value)
        for field, value in {
            "name": name,
            "phone": phone,
            "aliases": aliases,
            "address": address,
            "gstin": gstin,
            "state_code": state_code,
            "credit_limit": credit_limit,
            "preferred_language": preferred_language,
        }.items()
    }
    if values["gstin"] and not values["state_code"]:
        values["state_code"] = values["gstin"][:2]
    customer = Customer(business=business, **values)
    _validate_and_save(customer)
    logger.info(
        "customer created",
        extra={
            "business_id": business.pk,
            "customer_id": customer.pk,
            "user_id": getattr(user, "pk", None),
        },
    )
    return customer


@transaction.atomic
def customer_update(
    *, business: Business, customer_id: int, user: Any = None, **changes: Any
) -> Customer:
    """Change a customer's details (any of EDITABLE_FIELDS), validated as in customer_create.

    Refuses `balance` (only ledger postings move it) and any other field with
    ApplicationError; another shop's customer is NotFound. Only the changed
    columns are written, so a concurrent ledger posting's balance is never
    overwritten.
    """
    if "balance" in changes:
        raise ApplicationError(
            "A customer's balance changes only through khata entries (payments, invoices, udhaar).",
            code="balance_read_only",
            message_hi="बकाया सिर्फ़ खाते की एंट्री (भुगतान, बिल, उधार) से बदलता है।",
            field="balance",
        )
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ApplicationError(
            f"These customer fields cannot be changed: {', '.join(unknown)}.",
            code="read_only_field",
            message_hi="ये जानकारी बदली नहीं जा सकती।",
            field=unknown[0],
        )
    try:
        customer = Customer.objects.select_for_update().get(business=business, pk=int(customer_id))
    except (Customer.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound(
            "Customer not found.", message_hi="ग्राहक नहीं मिला।", field="customer"
        ) from exc
    values = {field: _CLEANERS[field](value) for field, value in changes.items()}
    if values.get("gstin") and "state_code" not in values:
        old_prefix = customer.gstin[:2]
        if not customer.state_code or customer.state_code == old_prefix:
            values["state_code"] = values["gstin"][:2]
    changed = [field for field, value in values.items() if getattr(customer, field) != value]
    if not changed:
        return customer
    for field in changed:
        setattr(customer, field, values[field])
    update_fields = [*changed, "updated_at"]
    if {"name", "aliases"} & set(changed):
        update_fields.append("search_key")
    _validate_and_save(customer, update_fields=update_fields)
    logger.info(
        "customer updated",
        extra={
            "business_id": business.pk,
            "customer_id": customer.pk,
            "user_id": getattr(user, "pk", None),
            "fields": changed,
        },
    )
    return customer


@transaction.atomic
def customer_search_keys_refresh(*, business: Business) -> int:
    """Rewrite stale or missing search keys of the shop's customers (after bulk imports
    or a change of PHONETIC_KEY_VERSION); returns how many rows changed."""
    stale = []
    for customer in Customer.objects.filter(business=business).only(
        "pk", "name", "aliases", "search_key"
    ):
        names = customer_names(customer.name, customer.aliases)
        key = customer_search_key(name=names[0], aliases=names[1:])
        if customer.search_key != key:
            customer.search_key = key
            stale.append(customer)
    Customer.objects.bulk_update(stale, ["search_key"], batch_size=500)
    if stale:
        customer_search_changed(business_id=business.pk)
    return len(stale)
