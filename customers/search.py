"""The stored phonetic keys of a customer's name and aliases (Customer.search_key).

The column holds a version line and then one phonetic key per name, in the
order [name, *aliases], so a matched key's position tells which name matched.
A row whose version is not the current PHONETIC_KEY_VERSION (or which was
written without the services, e.g. by bulk_create) is recomputed at query time
until `customer_search_keys_refresh` rewrites it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max

from customers.models import Customer
from execora.fuzzy import KeyIndex
from execora.text import PHONETIC_KEY_VERSION, phonetic_key

logger = logging.getLogger(__name__)

_VERSION_LINE = f"v{PHONETIC_KEY_VERSION}"


def customer_names(name: str, aliases: object) -> list[str]:
    """The names a customer answers to: the name first, then each alias."""
    names = [name or ""]
    if isinstance(aliases, list | tuple):
        names.extend(alias for alias in aliases if isinstance(alias, str))
    return names


def customer_search_key(*, name: str, aliases: Sequence[str]) -> str:
    """The value to store in Customer.search_key for this name and these aliases."""
    keys = [phonetic_key(text) for text in customer_names(name, list(aliases))]
    return "\n".join([_VERSION_LINE, *keys])


def parse_search_key(stored: str) -> list[str] | None:
    """The keys in a stored search_key, or None when it is missing or from another version."""
    version, _, keys = (stored or "").partition("\n")
    if version != _VERSION_LINE:
        return None
    return keys.split("\n")


# --- The per-shop index, cached in each process ---------------------------------
#
# Building the index of 5,000 customers (read the keys, split them into words)
# takes ~25 ms; ranking against a built one takes a few. So each process keeps
# the built index per shop and reuses it while its stamp is unchanged:
#
# - a version number in the shared cache (Redis in production), bumped by the
#   customer services when a name or alias changes, both at once and again on
#   commit (the first for readers in the same transaction, the second so a
#   reader who rebuilt from not-yet-committed data rebuilds again);
# - the count, highest id and latest updated_at of the shop's customers (one
#   aggregate, ~1 ms), which also catches rows written around the services;
# - and an age limit, the backstop for anything else.

INDEX_MAX_AGE_SECONDS = 300.0
_INDEX_MAX_SHOPS = 32
_indexes: OrderedDict[int, tuple[tuple, float, KeyIndex]] = OrderedDict()
_indexes_lock = threading.Lock()


def _version_key(business_id: int) -> str:
    return f"customers:search-version:{business_id}"


def _bump(business_id: int) -> None:
    try:
        key = _version_key(business_id)
        cache.add(key, 0, timeout=None)
        cache.incr(key)
    except Exception:  # a cache outage must not fail the write; the stamp still moves
        logger.warning("customer search version not bumped", extra={"business_id": business_id})


def customer_search_changed(*, business_id: int) -> None:
    """Tell every process that this shop's names changed (call inside the writing transaction)."""
    _bump(business_id)
    transaction.on_commit(lambda: _bump(business_id))


def _stamp(business_id: int) -> tuple:
    try:
        version = cache.get(_version_key(business_id), 0)
    except Exception:
        version = None  # no shared cache: the database part of the stamp still holds
    rows = Customer.objects.filter(business_id=business_id).aggregate(
        count=Count("pk"), top=Max("pk"), changed=Max("updated_at")
    )
    return (version, rows["count"], rows["top"], rows["changed"])


def _build_index(business_id: int) -> KeyIndex:
    candidates: list[tuple[int, list[str]]] = []
    stale: list[int] = []
    rows = Customer.objects.filter(business_id=business_id).order_by("name", "pk")
    for pk, stored in rows.values_list("pk", "search_key"):
        keys = parse_search_key(stored)
        if keys is None:
            stale.append(pk)
        else:
            candidates.append((pk, keys))
    if stale:
        # Written around the services (bulk_create, an older key version): compute now.
        for pk, name, aliases in Customer.objects.filter(pk__in=stale).values_list(
            "pk", "name", "aliases"
        ):
            names = customer_names(name, aliases)
            candidates.append((pk, [phonetic_key(text) for text in names]))
    return KeyIndex(candidates)


def customer_index(*, business_id: int) -> KeyIndex:
    """The shop's customers' keys, ready to rank; rebuilt only when they may have changed."""
    stamp = _stamp(business_id)
    now = time.monotonic()
    with _indexes_lock:
        cached = _indexes.get(business_id)
        if cached is not None and cached[0] == stamp and now - cached[1] < INDEX_MAX_AGE_SECONDS:
            _indexes.move_to_end(business_id)
            return cached[2]
    # Built outside the lock: two threads may both build, and the later one wins.
    index = _build_index(business_id)
    with _indexes_lock:
        _indexes[business_id] = (stamp, now, index)
        _indexes.move_to_end(business_id)
        while len(_indexes) > _INDEX_MAX_SHOPS:
            _indexes.popitem(last=False)
    return index
