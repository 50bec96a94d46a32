"""Find the product a shopkeeper means: by name, alias ("cheeni", "चीनी") or SKU.

Same scoring and thresholds as customer search (execora.fuzzy). A shop has a
few hundred to a few thousand products, so keys are computed at query time;
phonetic_key is cached by text, so after the first search of a process only
new or renamed products are transliterated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from execora import fuzzy
from execora.models import Business
from execora.text import phonetic_key
from products.models import Product

_SKU_NOISE = re.compile(r"[\s\-_/.]")


@dataclass(frozen=True)
class ProductMatch:
    product: Product
    score: float
    # The name or alias that matched, or the SKU.
    matched_on: str


@dataclass(frozen=True)
class ProductSearchResult:
    matches: list[ProductMatch]
    # Set only when one product clearly wins; otherwise ask which one.
    best: Product | None
    ambiguous: bool


def _sku_key(sku: str) -> str:
    return _SKU_NOISE.sub("", sku or "").casefold()


def _names(name: str, aliases: object) -> list[str]:
    names = [name or ""]
    if isinstance(aliases, list | tuple):
        names.extend(alias for alias in aliases if isinstance(alias, str))
    return names


def product_search(*, business: Business, query: str, limit: int = 5) -> ProductSearchResult:
    """Rank the shop's active products for `query` (name, aliases, SKU).

    A SKU matches only exactly (ignoring case, spaces and dashes): codes that
    differ by one character are different products. `best` is set only when
    one product clearly wins; `ambiguous` says two or more are too close.
    """
    query = (query or "").strip()
    if not query:
        return ProductSearchResult(matches=[], best=None, ambiguous=False)
    rows = Product.objects.filter(business=business, is_active=True).values_list(
        "pk", "name", "aliases", "sku"
    )
    query_sku = _sku_key(query)
    sku_matches: list[fuzzy.Match] = []
    candidates: list[tuple[int, list[str]]] = []
    for pk, name, aliases, sku in rows:
        names = _names(name, aliases)
        if query_sku and sku and _sku_key(sku) == query_sku:
            sku_matches.append(fuzzy.Match(id=pk, score=fuzzy.EXACT_SCORE, key_index=len(names)))
        candidates.append((pk, [phonetic_key(text) for text in names]))
    ranking = fuzzy.KeyIndex(candidates).rank([phonetic_key(query)], limit=None)
    # An exact SKU outranks everything; the name ranking fills in behind it.
    seen = {match.id for match in sku_matches}
    ordered = [*sku_matches, *(m for m in ranking.matches if m.id not in seen)]
    ranking = fuzzy.decide(ordered, limit=limit)

    products = Product.objects.filter(business=business).in_bulk([m.id for m in ranking.matches])
    matches = []
    for match in ranking.matches:
        product = products.get(match.id)
        if product is None:
            continue
        names = _names(product.name, product.aliases)
        matched_on = names[match.key_index] if match.key_index < len(names) else product.sku
        matches.append(ProductMatch(product=product, score=match.score, matched_on=matched_on))
    best = products.get(ranking.best.id) if ranking.best is not None else None
    return ProductSearchResult(matches=matches, best=best, ambiguous=ranking.ambiguous)
