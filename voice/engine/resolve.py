"""Which customer or product a spoken mention means, through the shops' search services.

A mention resolves to one record only when the search is sure (`best`);
two close candidates are offered as a choice ("Ramesh Kumar ya Ramesh
Yadav?"), one weak candidate as "did you mean", and nothing as not found.
The engine never picks for the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from customers.models import Customer
from customers.selectors import customer_search
from execora import fuzzy
from execora.models import Business
from execora.text import strip_honorifics
from products.models import Product
from products.search import product_search

# At most this many candidates are read out in one question.
MAX_OPTIONS = 3


@dataclass(frozen=True)
class Option:
    id: int
    name: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Resolution:
    found: Any = None  # the Customer or Product when the search is sure
    options: list[Option] = field(default_factory=list)  # candidates to ask about

    @property
    def weak(self) -> bool:
        """One candidate that is close but not close enough to pick on its own."""
        return self.found is None and len(self.options) == 1


def _options(matches: list[Any], *, top_score: float, by_margin: bool) -> list[Option]:
    # Ambiguous: every candidate about as good as the top one; otherwise only the top one.
    if by_margin:
        close = [m for m in matches if top_score - m.score < fuzzy.AMBIGUITY_MARGIN]
    else:
        close = matches[:1]
    attr = "customer" if close and hasattr(close[0], "customer") else "product"
    return [Option(id=getattr(m, attr).pk, name=getattr(m, attr).name) for m in close[:MAX_OPTIONS]]


def customer_resolve(*, business: Business, mention: str) -> Resolution:
    """The customer `mention` means, or the candidates to ask about, or nothing."""
    result = customer_search(business=business, query=mention, limit=MAX_OPTIONS + 2)
    if result.best is not None:
        return Resolution(found=result.best)
    if not result.matches:
        return Resolution()
    top = result.matches[0].score
    return Resolution(options=_options(result.matches, top_score=top, by_margin=result.ambiguous))


def product_resolve(*, business: Business, mention: str) -> Resolution:
    """The active product `mention` means (name, alias, SKU), or candidates, or nothing."""
    result = product_search(business=business, query=mention, limit=MAX_OPTIONS + 2)
    if result.best is not None:
        return Resolution(found=result.best)
    if not result.matches:
        return Resolution()
    top = result.matches[0].score
    return Resolution(options=_options(result.matches, top_score=top, by_margin=result.ambiguous))


def customer_by_id(*, business: Business, customer_id: int) -> Customer | None:
    return Customer.objects.filter(business=business, pk=customer_id).first()


def product_by_id(*, business: Business, product_id: int) -> Product | None:
    return Product.objects.filter(business=business, pk=product_id, is_active=True).first()


_ORDINALS = {
    0: {"pehla", "pehle", "pahla", "pahle", "pehli", "first", "1", "1st", "ek", "पहला", "पहले",
        "पहली"},
    1: {"doosra", "dusra", "doosre", "dusre", "doosri", "dusri", "second", "2", "2nd", "दूसरा",
        "दूसरे", "दूसरी"},
    2: {"teesra", "tisra", "teesre", "tisre", "teesri", "third", "3", "3rd", "तीसरा", "तीसरे",
        "तीसरी"},
}  # fmt: skip
_FILLERS = {
    "wala", "wale", "wali", "vala", "vale", "waala", "waale", "वाला", "वाले", "वाली", "the",
    "one", "number", "no", "haan", "ha", "yes", "हाँ", "हां", "jo", "hai", "hain", "है", "हैं",
    "please", "plz", "bhai", "ji", "जी", "mera", "matlab", "i", "mean", "meant",
}  # fmt: skip


def choice_pick(text: str, options: list[Option]) -> Option | None:
    """The option an answer names: by position ("doosra", "2nd") or by name ("Yadav wale").

    None unless exactly one option is clearly meant.
    """
    words = [word.strip(".,!?;:।").casefold() for word in (text or "").split()]
    words = [word for word in words if word]
    positions = {i for i, names in _ORDINALS.items() for word in words if word in names}
    if len(positions) == 1:
        (position,) = positions
        return options[position] if position < len(options) else None
    rest = strip_honorifics(" ".join(word for word in words if word not in _FILLERS))
    if not rest:
        return None
    ranking = fuzzy.rank(rest, [(i, [option.name]) for i, option in enumerate(options)])
    if ranking.best is None:
        return None
    return options[int(ranking.best.id)]
