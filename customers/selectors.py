"""Reads of a shop's customers: fetch by id, list, and the fuzzy name/phone search."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When

from customers.models import Customer
from customers.search import customer_index, customer_names
from execora import fuzzy
from execora.exceptions import NotFound
from execora.models import Business
from execora.text import phonetic_key, strip_honorifics

# customer_list(search=...) returns at most this many ranked customers.
SEARCH_LIST_LIMIT = 100
# A query of digits and phone punctuation only is a phone number (or its tail).
_PHONE_QUERY = re.compile(r"^[\d\s+\-().]+$")
_PHONE_MIN_DIGITS = 4
# The whole number is as good as an exact name; a tail ("the one ending 3210")
# is just enough to pick a customer when only one has it.
_PHONE_FULL_SCORE = fuzzy.EXACT_SCORE
_PHONE_TAIL_SCORE = fuzzy.CONFIDENT_SCORE


@dataclass(frozen=True)
class CustomerMatch:
    customer: Customer
    score: float
    # The name or alias that matched, or the phone number for a phone search.
    matched_on: str


@dataclass(frozen=True)
class CustomerSearchResult:
    matches: list[CustomerMatch]
    # Set only when one customer clearly wins; otherwise ask the user.
    best: Customer | None
    # Two or more customers are (nearly) equally good: say which, do not guess.
    ambiguous: bool


_EMPTY = CustomerSearchResult(matches=[], best=None, ambiguous=False)


def customer_get(*, business: Business, customer_id: int | str) -> Customer:
    """The shop's customer with this id; NotFound for another shop's id or no such id."""
    try:
        return Customer.objects.get(business=business, pk=int(customer_id))
    except (Customer.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound(
            "Customer not found.", message_hi="ग्राहक नहीं मिला।", field="customer"
        ) from exc


def customer_list(*, business: Business, search: str | None = None) -> QuerySet[Customer]:
    """The shop's customers by name; with `search`, only matches, best first."""
    customers = Customer.objects.filter(business=business)
    if search is None or not search.strip():
        return customers
    ranking = _rank(business=business, query=search, limit=SEARCH_LIST_LIMIT)
    ids = [match.id for match in ranking.matches]
    if not ids:
        return customers.none()
    position = Case(
        *(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)),
        output_field=IntegerField(),
    )
    return customers.filter(pk__in=ids).order_by(position, "pk")


def customer_search(*, business: Business, query: str, limit: int = 5) -> CustomerSearchResult:
    """Find the customer a shopkeeper means, by phone or by (fuzzy, spoken) name.

    Phone: any formatting, the last 10 digits; 4–9 digits match the number's
    tail. Name: name and aliases compared as phonetic keys, so typos, Hinglish
    spellings and Devanagari vs Latin all meet; "ji", "bhaiya", "Shri" and such
    around the query are ignored. `best` is set only when one customer clearly
    wins (execora.fuzzy explains the thresholds); `ambiguous` says two or more
    are too close to call.
    """
    query = (query or "").strip()
    if not query:
        return _EMPTY
    if _PHONE_QUERY.match(query):
        return _phone_search(business=business, query=query, limit=limit)
    ranking = _rank(business=business, query=query, limit=limit)
    customers = Customer.objects.filter(business=business).in_bulk(
        [match.id for match in ranking.matches]
    )
    matches = []
    for match in ranking.matches:
        customer = customers.get(match.id)
        if customer is None:  # deleted since the keys were read
            continue
        names = customer_names(customer.name, customer.aliases)
        matched_on = names[match.key_index] if match.key_index < len(names) else customer.name
        matches.append(CustomerMatch(customer=customer, score=match.score, matched_on=matched_on))
    best = customers.get(ranking.best.id) if ranking.best is not None else None
    return CustomerSearchResult(matches=matches, best=best, ambiguous=ranking.ambiguous)


def _query_keys(query: str) -> list[str]:
    """The query as said and without honorifics; both are tried, the better one counts.

    Keeping the raw form lets an alias saved as "Ramesh bhaiya" match exactly.
    """
    words = query.split()
    if any(not word.isdigit() for word in words):
        # Digits next to a name ("Ramesh 98765") are not part of any name.
        query = " ".join(word for word in words if not word.isdigit())
    return [phonetic_key(query), phonetic_key(strip_honorifics(query))]


def _rank(*, business: Business, query: str, limit: int | None) -> fuzzy.Ranking:
    if _PHONE_QUERY.match(query.strip()):
        return _phone_ranking(business=business, query=query, limit=limit)
    index = customer_index(business_id=business.pk)
    return index.rank(_query_keys(query), limit=limit)


def _phone_ranking(*, business: Business, query: str, limit: int | None) -> fuzzy.Ranking:
    digits = re.sub(r"\D", "", query)
    customers = Customer.objects.filter(business=business).exclude(phone="")
    if len(digits) >= 10:
        found, score = customers.filter(phone=digits[-10:]), _PHONE_FULL_SCORE
    elif len(digits) >= _PHONE_MIN_DIGITS:
        found, score = customers.filter(phone__endswith=digits), _PHONE_TAIL_SCORE
    else:
        return fuzzy.NO_MATCH
    matches = [
        fuzzy.Match(id=pk, score=score, key_index=0) for pk in found.values_list("pk", flat=True)
    ]
    return fuzzy.decide(matches, limit=limit)


def _phone_search(*, business: Business, query: str, limit: int) -> CustomerSearchResult:
    ranking = _phone_ranking(business=business, query=query, limit=limit)
    customers = Customer.objects.filter(business=business).in_bulk(
        [match.id for match in ranking.matches]
    )
    matches = [
        CustomerMatch(customer=customers[m.id], score=m.score, matched_on=customers[m.id].phone)
        for m in ranking.matches
        if m.id in customers
    ]
    best = customers.get(ranking.best.id) if ranking.best is not None else None
    return CustomerSearchResult(matches=matches, best=best, ambiguous=ranking.ambiguous)
