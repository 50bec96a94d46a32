"""Customers for ledger tests: made directly (balance 0), moved only through ledger services."""

from __future__ import annotations

import factory

from customers.models import Customer


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    phone = ""
    credit_limit = None
