"""Pieces the resource viewsets (customers, products, invoices, ledger) share.

- `DecimalStringField`: money and quantities in as plain decimal strings only.
- `TextField`: a CharField that also refuses text PostgreSQL cannot store.
- `fields_renamed`: a service's field names ("items[2].quantity") as the API's.
- `StableOrderingFilter`: `?ordering=` with the primary key as the tie-break.
- `StrictFilterForm`: a FilterSet form that refuses `?status=` (empty) instead of ignoring it.
- `FlagFilter`, `IdFilter`, `IsoDateFilter`: query filters that refuse what they cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.filters import OrderingFilter

from execora.exceptions import ApplicationError

# Digits, an optional point and digits, an optional leading minus: what a person writes.
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# Lone UTF-16 surrogates survive JSON decoding but cannot be encoded for the database.
_SURROGATE = re.compile("[\ud800-\udfff]")


class DecimalStringField(serializers.DecimalField):
    """A decimal sent as a plain string: "500", "500.50", "-20.00" (when negatives are allowed).

    Refused, never rounded or guessed: JSON numbers (a float cannot hold paise
    exactly, and CONTRACTS.md says amounts travel as strings), exponents
    ("1e3"), "NaN", "Infinity", and more decimal places than the column holds.
    """

    default_error_messages = {
        "not_a_string": 'Send this as a decimal string, e.g. "{example}", not a JSON number.',
        "not_plain": 'Write a plain decimal number such as "{example}" '
        "(no spaces, exponent, NaN or Infinity).",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # DRF reads "" as null when null is allowed; an amount is a number or null, never "".
        if isinstance(data, str) and not data.strip():
            self.fail("not_plain", example=self.example)
        return super().validate_empty_values(data)

    @property
    def example(self) -> str:
        return "500.00" if self.decimal_places == 2 else "2.500"

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str):
            self.fail("not_a_string", example=self.example)
        if len(data) > self.MAX_STRING_LENGTH:
            self.fail("max_string_length")
        if not _PLAIN_DECIMAL.fullmatch(data):
            self.fail("not_plain", example=self.example)
        return super().to_internal_value(data)

    @property
    def allows_negative(self) -> bool:
        return self.min_value is None or self.min_value < 0


class DecimalStringFieldSchema(OpenApiSerializerFieldExtension):
    """Documents exactly what DecimalStringField accepts, so generated clients send it."""

    target_class = DecimalStringField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field: DecimalStringField = self.target
        whole = field.max_digits - field.decimal_places
        sign = "-?" if field.allows_negative else ""
        schema: dict[str, Any] = {
            "type": "string",
            "format": "decimal",
            "pattern": rf"^{sign}[0-9]{{1,{whole}}}(\.[0-9]{{1,{field.decimal_places}}})?$",
            "example": field.example,
        }
        return schema


class TextField(serializers.CharField):
    """A CharField that takes only JSON strings (DRF also turns 12 into "12") and refuses
    lone surrogates (valid JSON, not storable text)."""

    default_error_messages = {
        "not_a_string": "Send text as a JSON string.",
        "surrogate": "This text contains characters that are not valid.",
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        value = super().to_internal_value(data)
        if _SURROGATE.search(value):
            self.fail("surrogate")
        return value


_INDEXED = re.compile(r"^(\w+)\[(\d+)\]\.?")


@contextmanager
def fields_renamed(names: Mapping[str, str | None]) -> Iterator[None]:
    """Re-raise a service's ApplicationError with the field named as in the API body.

    Services name their arguments ("customer_id", "items[2].product_id"); API
    errors use the body's names, dotted like the serializer errors ("customer",
    "items.2.product"). `names` maps a service name (or the last part of a
    dotted one) to the API name; None drops the field (it was in the URL).
    """
    try:
        yield
    except ApplicationError as exc:
        if exc.field:
            exc.field = _renamed(exc.field, names)
        raise


def _renamed(field: str, names: Mapping[str, str | None]) -> str | None:
    if field in names:
        return names[field]
    dotted = _INDEXED.sub(r"\1.\2.", field).rstrip(".")
    head, _, last = dotted.rpartition(".")
    if head and last in names:
        renamed = names[last]
        return head if renamed is None else f"{head}.{renamed}"
    return dotted


class StableOrderingFilter(OrderingFilter):
    """`?ordering=` as DRF does it, plus the primary key last so pages never overlap."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> list[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        ordering = list(ordering)
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("-pk" if ordering[0].startswith("-") else "pk")
        return ordering


class StrictFilterForm(forms.Form):
    """Refuses an empty filter value ("?status=") rather than reading it as "no filter"."""

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in self.fields:
            if name in self.data and "" in self.data.getlist(name):
                self.add_error(name, "May not be empty.")
        return cleaned


_FLAGS = {"1": True, "true": True, "0": False, "false": False}


@extend_schema_field({"type": "string", "enum": list(_FLAGS)})
class FlagFilter(django_filters.TypedChoiceFilter):
    """A yes/no query filter that refuses anything but 1/0/true/false (a typo is a 400).

    django-filter's BooleanFilter reads an unknown value as "no filter", silently.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [(value, value) for value in _FLAGS])
        kwargs.setdefault("coerce", _FLAGS.__getitem__)
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object id in the query string: a whole number ("1.5" is a 400, not id 1)."""

    field_class = forms.IntegerField


class IsoDateFilter(django_filters.DateFilter):
    """A date in the query string as YYYY-MM-DD only: Django would also read 10/05/2025,
    as 5 October, where an Indian shopkeeper means 10 May."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)
