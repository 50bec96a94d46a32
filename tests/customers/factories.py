"""Customers built through the service, so their search keys are what production writes."""

from __future__ import annotations

from customers.models import Customer
from customers.services import customer_create
from execora.models import Business


def make_customer(business: Business, name: str = "Ramesh Kumar", **extra) -> Customer:
    return customer_create(business=business, name=name, **extra)
