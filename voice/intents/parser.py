"""The local intent parser: one sentence in, one SCHEMA.md intent out.

The pipeline, each step a plain function over tokens:

1. normalise and tokenize (tokens.py); a trailing "note: ..." is set aside;
2. merge number words into numbers (numbers.py);
3. tag words from the lexicon (lexicon.py) and fix the tags that depend on
   their neighbours ("ke liye" is "for", "dal do" is a verb, "credit card" is
   a card);
4. find the date and time words (dates.py) so their numbers are not amounts;
5. decide the intent from the verbs and the sentence's shape (who did what to
   whom: "Ramesh ne ... diye" is a payment, "Ramesh ko ... udhaar diya" is
   credit, "Ramesh ka kitna baaki hai" a question), never from one keyword;
6. pull the intent's entities: names are the words the lexicon does not know,
   anchored by a case marker or a preposition; items and prices are read
   around their numbers and units.

Nothing here touches the database or the network; a parse takes a fraction
of a millisecond (benchmarks/intent_parse.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from execora.text import has_devanagari, strip_honorifics
from voice.intents import lexicon as L
from voice.intents.dates import (
    DATE_WORDS,
    DateTimeMention,
    find_datetime,
    resolve_date,
    resolve_when,
)
from voice.intents.numbers import (
    MULTIPLIER_VALUES,
    NUMBER_WORDS,
    PREFIX_KINDS,
    article_number,
    merge_numbers,
    to_decimal_string,
)
from voice.intents.schema import REQUIRED, Intent
from voice.intents.tokens import (
    CUR,
    NUM,
    PHONE,
    POSS,
    PUNCT,
    WORD,
    Token,
    fold,
    fold_words,
    normalise,
    tokenize,
)

DEFAULT_TZ = ZoneInfo("Asia/Kolkata")

DATEWORD = "DATEWORD"
NUMWORD = "NUMWORD"
FOR_HI = "FOR_HI"  # "ke liye"

# "note: shaadi ka saman", or spoken without the colon ("... likh do note dawai"), but
# not "note karo" / "note down" (write the rest down) and not a currency note
# ("500 ka note diya").
_NOTE = re.compile(
    r"(?:[,;.]\s*|(?<!\bka)(?<!\bke)(?<!\bki)(?<!का)(?<!के)(?<!की)\s)"
    r"(?:note|remark|remarks|नोट)"
    r"(?:\s*[:\-–]\s*|\s+(?!(?:karo|kar|karke|kijiye|likho|likh|mein|me|down|it|diya|diye|de|"
    r"do|lo|le|liya|mila|करो|कर|करके|लिखो|में|दिया|दिए)\b))(?P<note>\S.*)$",
    re.I,
)
_SEPARATORS = frozenset(",;:.|!?()[]–—-।")
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_DO_FOLLOWERS = fold_words("do de dena diya diye dijiye di दो दे देना दिया दिए")
_EN_SUBJECT_VERBS = fold_words(
    """paid pays owes owe took has have had gave returned cleared bought deposited sent
    transferred repaid settled will wants"""
)
_HOW = fold("how")
# English questions open with an auxiliary: "do we have any Maggi left".
_EN_QUESTION_OPENERS = fold_words("do does did is are was were can could have has will")
_WHO, _ALL = fold("who"), fold("all")
_HOW_TO = fold_words("do does can could should to i we")
_TAB_OWNERS = fold_words("on the my his her their your")
_CHEQUE = fold("check")
# "check" is a cheque after these ("by check", "ka check", "a check") or before "se"/"diya".
_CHEQUE_BEFORE = frozenset({L.KA, L.EN_BY})
_CHEQUE_AFTER = frozenset({L.SE, L.GIVE_PAST, L.SENT_PAST})
_WHAT_ALL = fold_words("kya क्या")
_WHAT_ALL_EN = fold_words("what all")
_REPEATED_QUESTION = fold_words("kis kin kaun किस किन कौन")
_EN_ONLY_PAST = frozenset({"the"})  # Hinglish "the" (were) vs the English article
_PERSON_VERBS_BEFORE = frozenset({L.REMINDER, L.SEND, L.BILL, L.GIVE, L.CUSTOMER_N, L.NAMED})
_AFTER_ANCHORS = frozenset({L.KO, L.NE, L.KA, L.PE, L.SE, L.WALA, FOR_HI, L.NAAM})
_BEFORE_ANCHORS = frozenset({L.EN_TO, L.EN_FOR, L.EN_FROM, L.EN_WITH, L.EN_OF, L.NAMED})
_PRICE_MARKERS_BEFORE = frozenset({L.EN_AT, L.PRICE})
_ACTION_TAGS = (
    L.KAR,
    L.GIVE,
    L.GIVE_PAST,
    L.PAY,
    L.LIKH,
    L.PUT,
    L.TAKE_PAST,
    L.SEND,
    L.SENT_PAST,
    L.RECEIVE,
    L.ARRIVE,
    L.CREATE,
    L.CANCEL,
    L.SET,
    L.MODIFY,
)
# Tags that name what a sentence is about; "kya kya" with none of them asks for help.
_TOPIC_TAGS = (
    L.UDHAAR,
    L.BAAKI,
    L.KHATA,
    L.HISAAB,
    L.STATEMENT,
    L.PAY,
    L.SALE,
    L.STOCK,
    L.PRICE,
    L.BILL,
    L.REMINDER,
    L.PRODUCT,
    L.CUSTOMER_N,
    L.PRODUCT_N,
    L.MONEY_N,
    L.SUMMARY,
)
# Words that make a short answer a "no" even beside "kar do" ("mat karo", "rehne do").
_STRONG_NO = fold_words(
    """
    nahi nahin nai no nope nah mat ruko ruk rukiye rukjao wait stop rehne rahne dont never
    नहीं नही मत रुको रुकिए रहने रुक
    """
)


@dataclass
class _Span:
    start: int
    end: int  # exclusive
    score: float = 0.0


@dataclass
class _Item:
    product: str
    quantity: Decimal | None
    unit: str | None
    unit_price: Decimal | None
    price_unit: str | None
    tokens: set[int]


class _Sentence:
    """A tokenized, tagged sentence and the questions the rules ask about it."""

    def __init__(self, text: str, now: dt.datetime) -> None:
        self.now = now
        self.text = normalise(text)
        self.note: str | None = None
        body = self.text
        match = _NOTE.search(body)
        if match and match.start() > 0:
            self.note = match.group("note").strip(" .,;:-")
            body = body[: match.start()]
        self.body = body
        raw = _mark_ordinals(tokenize(body))
        tokens = merge_numbers(raw, is_do_number=_is_do_number)
        self.tokens = _articles(tokens)
        _tag(self.tokens)
        words = [t for t in self.tokens if t.kind == WORD]
        self.tagset: frozenset[str] = frozenset().union(*(t.tags for t in words))
        self.keys: frozenset[str] = frozenset(t.key for t in words)
        self._price_cache: dict[int, tuple[bool, str | None, set[int]]] = {}
        self._person_cache: dict[frozenset[int], _Span | None] = {}
        self._items_cache: dict[tuple[int, int, float] | None, list[_Item]] = {}
        self.lang = _language(self)
        self.used: set[int] = {i for i, t in enumerate(self.tokens) if t.kind == PHONE}
        self.expect_time = self.has(L.REMINDER) or (self.has(L.DILA) and self.has_key("yad"))
        self.when: DateTimeMention = find_datetime(self.tokens, expect_time=self.expect_time)
        self.used |= self.when.consumed
        self.question = (
            self.has(L.QWORD)
            or any(t.text == "?" for t in self.tokens)
            or (bool(self.tokens) and self.tokens[0].key in _EN_QUESTION_OPENERS)
        )

    # --- queries
    def has(self, *tags: str) -> bool:
        return not self.tagset.isdisjoint(tags)

    def has_key(self, *words: str) -> bool:
        return any(fold(word) in self.keys for word in words)

    def indexes(self, *tags: str) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if t.kind == WORD and t.has(*tags)]

    def word_count(self) -> int:
        return sum(1 for t in self.tokens if t.kind in (WORD, NUM, PHONE))

    def tag_at(self, i: int, *tags: str) -> bool:
        return (
            0 <= i < len(self.tokens) and self.tokens[i].kind == WORD and self.tokens[i].has(*tags)
        )

    def kind_at(self, i: int) -> str:
        return self.tokens[i].kind if 0 <= i < len(self.tokens) else ""

    @property
    def past(self) -> bool:
        for t in self.tokens:
            if t.kind == WORD and t.has(L.PAST):
                if t.key in _EN_ONLY_PAST and self.lang == "en":
                    continue
                return True
        return False


# --- Pre-processing ---------------------------------------------------------------------


def _mark_ordinals(tokens: list[Token]) -> list[Token]:
    """ "5th" and "1st" are one number: drop the glued suffix, remember it was an ordinal."""
    out: list[Token] = []
    for token in tokens:
        if (
            token.kind == WORD
            and token.key in _ORDINAL_SUFFIXES
            and out
            and out[-1].kind == NUM
            and out[-1].end == token.start
        ):
            out[-1].ordinal = True
            continue
        out.append(token)
    return out


def _is_do_number(tokens: list[Token], i: int) -> bool:
    """Is "do" at i the number two ("do kilo", "do sau") or the verb ("kar do")?"""
    previous = tokens[i - 1] if i > 0 else None
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if previous is not None and previous.kind == WORD and previous.key in PREFIX_KINDS:
        return True
    if following is None:
        return False
    if following.kind == WORD:
        key = following.key
        following_tags = L.tags_of(key)
        if key in MULTIPLIER_VALUES or following_tags & {L.UNIT, L.CURRENCY}:
            return True
        if key in DATE_WORDS and key not in ("kal", "aj", "parson"):
            return True  # "do ghante", "do baje", "do din"
    if (
        previous is not None
        and previous.kind == WORD
        and (previous.key in L.DO_VERB_STEMS or L.tags_of(previous.key) & {L.KAR, L.GIVE})
    ):
        return False
    if following.kind != WORD:
        return False
    following_tags = L.tags_of(following.key)
    after = tokens[i + 2] if i + 2 < len(tokens) else None
    if after is not None and after.kind == WORD and L.tags_of(after.key) & {L.KO, L.NE}:
        return False  # "cheeni do Ramesh ko": give it to Ramesh
    # "do Maggi", "do Parle-G": a count before a product.
    return (not following_tags or following_tags <= {L.PRODUCT}) and following.key not in DATE_WORDS


def _articles(tokens: list[Token]) -> list[Token]:
    """ "a kilo", "an hour": the article before a unit is the number one."""
    out = list(tokens)
    for i, token in enumerate(out):
        if token.kind == WORD and token.key in ("a", "an") and i + 1 < len(out):
            following = out[i + 1]
            if following.kind == WORD and L.tags_of(following.key) & {L.UNIT}:
                out[i] = article_number(token)
    return out


_ONLY_NUMWORD = frozenset({NUMWORD})
# The words whose tags _tag may change because of a neighbour.
_CONTEXT_KEYS = frozenset({"dal", "tab", "note", _HOW, _CHEQUE, _WHO}) | _REPEATED_QUESTION
_CONTEXT_TAGS = frozenset({L.TIMES, L.LIYE, L.UDHAAR, L.GIVE})


@lru_cache(maxsize=16384)
def _word_tags(lower: str, key: str) -> frozenset[str]:
    tags = set(L.word_tags(lower, key))
    if key in DATE_WORDS:
        tags.add(DATEWORD)
    if key in NUMBER_WORDS and key != "k":  # "k" only counts after a number
        tags.add(NUMWORD)
    return frozenset(tags)


def _tag(tokens: list[Token]) -> None:
    n = len(tokens)
    for i, token in enumerate(tokens):
        if token.kind == WORD:
            token.tags = _word_tags(token.text.casefold(), token.key)
            if token.tags == _ONLY_NUMWORD and token.capital and i and tokens[i - 1].capital:
                token.tags = frozenset()  # a number word the reader left alone: "Mohan Das"
    for i, token in enumerate(tokens):
        if token.kind != WORD or (
            token.key not in _CONTEXT_KEYS and token.tags.isdisjoint(_CONTEXT_TAGS)
        ):
            continue  # most words mean the same whatever stands beside them
        previous = tokens[i - 1] if i > 0 else None
        following = tokens[i + 1] if i + 1 < n else None
        key = token.key
        if token.has(L.TIMES) and (previous is None or previous.kind != NUM):
            token.tags = token.tags - {L.TIMES}  # "ek baar" counts; "Vim bar" is a product
        if token.has(L.LIYE) and previous is not None and previous.has(L.KA):
            token.tags = frozenset({FOR_HI})
            previous.tags = frozenset({FOR_HI})
        elif token.has(L.GIVE) and following is not None and following.has(L.KAR, L.GIVE_PAST):
            token.tags = token.tags | {L.GIVE_PAST}  # "de gaya", "de diya"
        elif key == "dal":
            after_quantity = previous is not None and (
                previous.kind == NUM or previous.has(L.UNIT, L.KA, L.PRODUCT)
            )
            verb = following is not None and following.key in _DO_FOLLOWERS and not after_quantity
            token.tags = frozenset({L.PUT}) if verb else frozenset({L.PRODUCT})
        elif token.has(L.UDHAAR) and following is not None and following.key == fold("card"):
            token.tags = frozenset({L.MODE})
        elif key == _HOW and not (following is not None and following.key in _HOW_TO):
            token.tags = frozenset({L.QWORD})  # "how much", "how were sales": not "how do I"
        elif key == "note" and previous is not None and previous.has(L.KA):
            token.tags = frozenset({L.PRODUCT_N})  # "500 ka note": a currency note, not "write"
        elif key == "tab":
            owner = previous is not None and (previous.kind == POSS or previous.key in _TAB_OWNERS)
            token.tags = frozenset({L.KHATA}) if owner else frozenset({L.FILLER})
        elif key in _REPEATED_QUESTION and following is not None and following.key == key:
            token.tags = token.tags | {L.COLLECTIVE}
            following.tags = following.tags | {L.COLLECTIVE}
        elif key == _CHEQUE:
            cheque = (
                previous is not None and (previous.has(*_CHEQUE_BEFORE) or previous.key == "a")
            ) or (following is not None and following.has(*_CHEQUE_AFTER))
            token.tags = frozenset({L.MODE}) if cheque else token.tags - {L.MODE}
        elif key == _WHO and following is not None and following.key == _ALL:
            token.tags = token.tags | {L.COLLECTIVE}


def _language(s: _Sentence) -> str:
    if has_devanagari(s.body):
        return "hi"
    hindi = sum(1 for t in s.tokens if t.kind == WORD and t.has(L.HI_GRAMMAR))
    english = sum(1 for t in s.tokens if t.kind == WORD and t.has(L.EN_GRAMMAR))
    if hindi == 0:
        return "en"
    if english > 2 * hindi:
        return "en"
    return "hinglish"


# --- Spans: names and products -----------------------------------------------------------


def _nameable(t: Token) -> bool:
    if t.kind != WORD or t.tags:
        return False
    return len(t.key) > 1 or t.initial or (t.text.isupper() and t.text.isascii())  # "R. K."


def _productable(t: Token) -> bool:
    if t.kind != WORD or (len(t.key) < 2 and not t.text.isupper()):
        return False
    return not t.tags or t.tags <= {L.PRODUCT}


def _person_spans(s: _Sentence, excluded: set[int]) -> list[_Span]:
    """Runs of words the lexicon does not know, honorifics trimmed, scored by anchors."""
    tokens = s.tokens
    n = len(tokens)
    spans: list[_Span] = []
    i = 0
    while i < n:
        if i in excluded or not (_nameable(tokens[i]) or tokens[i].has(L.HONORIFIC)):
            i += 1
            continue
        j = i
        while j < n and j not in excluded and (_nameable(tokens[j]) or tokens[j].has(L.HONORIFIC)):
            j += 1
        start, end = i, j
        while start < end and tokens[start].has(L.HONORIFIC):
            start += 1
        while end > start and tokens[end - 1].has(L.HONORIFIC):
            end -= 1
        if end > start:
            spans.append(_score_person(s, _Span(start, end), run_end=j))
        i = j
    return spans


def _score_person(s: _Sentence, span: _Span, *, run_end: int) -> _Span:
    tokens = s.tokens
    after = run_end  # honorifics after the name belong to it: "Sharma ji ka"
    before = span.start - 1
    while before >= 0 and tokens[before].has(L.HONORIFIC):
        before -= 1
    score = 0.0
    if s.kind_at(after) == POSS or s.tag_at(after, *_AFTER_ANCHORS):
        score += 3
    if s.tag_at(before, *_BEFORE_ANCHORS):
        score += 3
    elif s.tag_at(before, *_PERSON_VERBS_BEFORE):
        score += 2
    opens_clause = before < 0 or s.kind_at(before) == PUNCT or s.tag_at(before, L.FILLER)
    if opens_clause and s.kind_at(after) == WORD and tokens[after].key in _EN_SUBJECT_VERBS:
        score += 3
    names = tokens[span.start : span.end]
    if all(t.capital for t in names):
        score += 0.5
    if before < 0:
        score += 0.25
    span.score = score
    return span


def _best_person(s: _Sentence, excluded: set[int] | None = None) -> _Span | None:
    key = frozenset(excluded or ())
    if key not in s._person_cache:
        s._person_cache[key] = _find_best_person(s, set(key))
    return s._person_cache[key]


def _find_best_person(s: _Sentence, excluded: set[int]) -> _Span | None:
    spans = _person_spans(s, excluded)
    if not spans:
        return None
    best = max(spans, key=lambda sp: (sp.score, -sp.start))
    if best.score < 1 and len(spans) > 1:
        # No anchor and several candidates: take the first capitalised one, with doubt.
        best = next((sp for sp in spans if s.tokens[sp.start].capital), spans[0])
        best.score = 0.0
    return best


def _person_text(s: _Sentence, span: _Span) -> str:
    tokens = s.tokens
    text = s.body[tokens[span.start].start : tokens[span.end - 1].end]
    text = strip_honorifics(text).strip(" -'’")
    if text.isascii() and text == text.lower():
        text = " ".join(word[:1].upper() + word[1:] for word in text.split())
    return text


def _product_runs(s: _Sentence, excluded: set[int]) -> list[_Span]:
    """Runs of product words; "sarson ka tel" is one run, a brand number joins its name."""
    tokens = s.tokens
    n = len(tokens)
    runs: list[_Span] = []
    i = 0
    while i < n:
        if i in excluded or not _productable(tokens[i]):
            i += 1
            continue
        j = i + 1
        while j < n and j not in excluded:
            if _productable(tokens[j]) or _stray_date_word(s, j):
                j += 1
            elif (
                tokens[j].kind == WORD
                and tokens[j].has(L.KA)
                and j + 1 < n
                and j + 1 not in excluded
                and tokens[j + 1].kind == WORD
                and tokens[j + 1].key in L.PRODUCT_HEADS
            ):
                j += 2
            else:
                break
        runs.append(_Span(i, j))
        i = j
    return runs


def _stray_date_word(s: _Sentence, i: int) -> bool:
    """A date word that says no date ("Good Day biscuit") can continue a product name."""
    token = s.tokens[i]
    return token.kind == WORD and i not in s.used and token.tags <= {DATEWORD, L.PRODUCT}


def _span_text(s: _Sentence, start: int, end: int) -> str:
    tokens = s.tokens
    return s.body[tokens[start].start : tokens[end - 1].end].strip(" -,")


# --- Numbers: amounts, prices, quantities ---------------------------------------------


def _is_currency(s: _Sentence, i: int) -> bool:
    return s.kind_at(i) == CUR or s.tag_at(i, L.CURRENCY)


def _money_marked(s: _Sentence, i: int) -> bool:
    return _is_currency(s, i - 1) or _is_currency(s, i + 1)


def _unit_at(s: _Sentence, i: int) -> str | None:
    if s.tag_at(i, L.UNIT):
        return L.UNITS.get(s.tokens[i].key)
    return None


def _free_numbers(s: _Sentence) -> list[int]:
    return [
        i
        for i, t in enumerate(s.tokens)
        if t.kind == NUM and i not in s.used and not t.article and t.value is not None
    ]


def _amount(s: _Sentence, *, skip: set[int] | None = None) -> tuple[Decimal | None, float]:
    """The money amount and how sure we are it is one (1.0: said with rupees/₹)."""
    candidates = []
    for i in _free_numbers(s):
        if skip and i in skip:
            continue
        if _unit_at(s, i + 1) and not _money_marked(s, i):
            continue  # "2 kilo": a quantity
        if s.tag_at(i + 1, L.TIMES):
            continue  # "ek baar"
        if s.tokens[i].value <= 0:
            continue
        candidates.append(i)
    if not candidates:
        return None, 0.0
    marked = [i for i in candidates if _money_marked(s, i)]
    if marked:
        return s.tokens[marked[0]].value, 1.0
    doubt = 0.9 if len(candidates) == 1 else 0.6
    return s.tokens[candidates[0]].value, doubt


def _price_at(s: _Sentence, i: int) -> tuple[bool, str | None, set[int]]:
    """Is the number at i a price? Then also its unit ("380 rupaye bag", "60 per kg")."""
    cached = s._price_cache.get(i)
    if cached is None:
        cached = s._price_cache[i] = _read_price(s, i)
    return cached


def _read_price(s: _Sentence, i: int) -> tuple[bool, str | None, set[int]]:
    tokens = s.tokens
    is_price = False
    used = {i}
    j = i + 1
    if _is_currency(s, i - 1):
        is_price = True
        used.add(i - 1)
    if s.tag_at(i - 1, *_PRICE_MARKERS_BEFORE) or (
        s.kind_at(i - 1) == PUNCT and tokens[i - 1].text == "@"
    ):
        is_price = True
    if _is_currency(s, j):
        is_price = True
        used.add(j)
        j += 1
    if s.tag_at(j, L.KA) and s.tag_at(j + 1, L.PRICE):
        # "140 ke bhav se"
        used.update({j, j + 1})
        if s.tag_at(j + 2, L.SE):
            used.add(j + 2)
        return True, None, used
    if s.tag_at(j, L.WALA):
        used.add(j)
        return True, None, used
    unit = None
    if s.tag_at(j, L.PER) or (s.kind_at(j) == NUM and tokens[j].value == 1 and is_price):
        if _unit_at(s, j + 1):
            is_price = True
            unit = _unit_at(s, j + 1)
            used.update({j, j + 1})
    elif s.kind_at(j) == PUNCT and tokens[j].text == "/" and _unit_at(s, j + 1):
        is_price = True
        unit = _unit_at(s, j + 1)
        used.update({j, j + 1})
    elif is_price and _unit_at(s, j):
        unit = _unit_at(s, j)  # "180 rupaye litre"
        used.add(j)
    return is_price, unit, used


def _read_item(s: _Sentence, positions: list[int], *, brand_numbers: bool) -> _Item | None:
    """One product with its quantity, unit and price from the tokens of one clause."""
    tokens = s.tokens
    allowed = set(positions)
    excluded = set(range(len(tokens))) - allowed
    numbers = [i for i in positions if tokens[i].kind == NUM and i not in s.used]
    price: Decimal | None = None
    price_unit: str | None = None
    taken: set[int] = set()
    quantities: list[int] = []
    for i in numbers:
        is_price, unit, used = _price_at(s, i)
        if is_price and price is None:
            price, price_unit = tokens[i].value, unit
            taken |= used
        else:
            quantities.append(i)
    quantities = [i for i in quantities if i not in taken]
    runs = [r for r in _product_runs(s, excluded | taken) if r.start in allowed]
    if not runs:
        return None
    # A number right after a name is part of a brand ("Dolo 650") when another
    # number is the quantity, or when the intent has no quantity at all.
    for run in runs:
        end = run.end
        if end in quantities and not tokens[end].words and not _unit_at(s, end + 1):
            others = [q for q in quantities if q != end]
            if brand_numbers or others:
                quantities.remove(end)
                run.end = end + 1
    qty_index = next((i for i in quantities if _unit_at(s, i + 1)), None)
    if qty_index is None and quantities:
        qty_index = quantities[0]
    unit = None
    after_quantity = None
    if qty_index is not None:
        taken.add(qty_index)
        after_quantity = qty_index + 1
        unit = _unit_at(s, after_quantity)
        if unit:
            taken.add(after_quantity)
            after_quantity += 1
        elif tokens[qty_index].paav:
            unit = "kg"  # a paav is a quarter kilo
        while s.tag_at(after_quantity, L.EN_OF):
            after_quantity += 1
    chosen = None
    if after_quantity is not None:
        chosen = next((r for r in runs if r.start == after_quantity), None)
        if chosen is None:
            # "toor dal 2 kg", "cement ke 40 bag", "chawal ki 5 bori"
            before = qty_index
            while before - 1 >= 0 and (s.tag_at(before - 1, L.KA) or s.tag_at(before - 1, L.EN_OF)):
                before -= 1
            chosen = next((r for r in runs if r.end == before), None)
    if chosen is None:
        chosen = runs[0]
    product = _span_text(s, chosen.start, chosen.end)
    quantity = tokens[qty_index].value if qty_index is not None else None
    return _Item(
        product, quantity, unit, price, price_unit, set(range(chosen.start, chosen.end)) | taken
    )


def _clauses(s: _Sentence, excluded: set[int]) -> list[list[int]]:
    """Token positions split at commas, "aur"/"and" and other separators."""
    clauses: list[list[int]] = []
    current: list[int] = []
    for i, token in enumerate(s.tokens):
        separator = (token.kind == PUNCT and token.text in _SEPARATORS) or (
            token.kind == WORD and token.has(L.AUR) and not _aur_means_more(s, i)
        )
        if separator or i in excluded:
            if current:
                clauses.append(current)
            current = []
            continue
        current.append(i)
    if current:
        clauses.append(current)
    return clauses


def _aur_means_more(s: _Sentence, i: int) -> bool:
    """ "Parle-G 24 aur add karo": aur before a verb is "more", not "and"."""
    return s.tokens[i].key == fold("aur") and s.tag_at(i + 1, L.PUT, L.KAR, L.CREATE, L.GIVE)


# --- Entities --------------------------------------------------------------------------


def _payment_mode(s: _Sentence) -> str | None:
    tokens = s.tokens
    for i, token in enumerate(tokens):
        if token.kind != WORD:
            continue
        pair = (token.key, tokens[i + 1].key) if i + 1 < len(tokens) else None
        if pair in L.MODE_PHRASES:
            return L.MODE_PHRASES[pair]
    for token in tokens:
        if token.kind == WORD and token.has(L.MODE):
            return L.PAYMENT_MODES.get(token.key)
    return None


def _invoice_number(s: _Sentence) -> tuple[str | None, int | None]:
    tokens = s.tokens
    for i, token in enumerate(tokens):
        if token.kind == WORD and token.has(L.BILL):
            j = i + 1
            while j < len(tokens) and (
                (tokens[j].kind == WORD and tokens[j].has(L.NUMBER_N))
                or (tokens[j].kind == PUNCT and tokens[j].text in "#:.")
            ):
                j += 1
            if j < len(tokens) and tokens[j].kind == NUM and not tokens[j].words:
                value = tokens[j].value
                if value is not None and value == value.to_integral_value():
                    return to_decimal_string(value), j
    return None, None


def _when(s: _Sentence) -> str | None:
    resolved = resolve_when(s.when, s.now)
    return resolved.isoformat() if resolved else None


def _date(s: _Sentence, *, past: bool) -> str | None:
    resolved = resolve_date(s.when, s.now, past=past)
    return resolved.isoformat() if resolved else None


# --- The decision ------------------------------------------------------------------------


@dataclass
class _Decision:
    intent: str
    confidence: float


def _yes_no(s: _Sentence) -> _Decision | None:
    words = [t for t in s.tokens if t.kind != PUNCT]
    if not words or len(words) > 8:
        return None
    if not all(t.kind == WORD and t.has(L.YES, L.YES_WEAK, L.NO, L.FILLER) for t in words):
        return None
    if any(t.key in _STRONG_NO or (t.has(L.NO) and len(words) == 1) for t in words):
        return _Decision("deny", 0.9)
    if any(t.has(L.NO) and t.has(L.CANCEL) for t in words):
        return _Decision("deny", 0.8)
    if any(t.has(L.YES) for t in words):
        return _Decision("confirm", 0.92)
    if any(t.has(L.KAR) for t in words) and all(t.has(L.YES_WEAK, L.YES) for t in words):
        return _Decision("confirm", 0.8)  # "kar do"
    return None


def _decide(s: _Sentence) -> _Decision:
    if not any(t.kind == WORD for t in s.tokens):
        return _Decision("unknown", 0.9 if s.tokens else 0.5)
    answer = _yes_no(s)
    if answer:
        return answer
    if s.has(L.VETO):
        return _Decision("unknown", 0.85)
    amount, _ = _amount(s)
    person = _best_person(s)
    anchored = person is not None and person.score >= 1

    # help: "madad", "what can you do", "X kaise karte hain" (asking how, naming nobody)
    if s.has(L.HELP) and not anchored and amount is None:
        return _Decision("help", 0.9)
    if s.has(L.KAISE) and not anchored and amount is None and not s.when.found:
        return _Decision("help", 0.75)
    if s.has(L.CAN) and s.has(L.QWORD) and not anchored and amount is None:
        return _Decision("help", 0.8)
    if _repeated_question(s) and not s.has(*_TOPIC_TAGS) and person is None and amount is None:
        return _Decision("help", 0.7)  # "isme kya kya hota hai"

    # undo
    if amount is None and not s.has(L.BILL, L.REMINDER):
        if s.has(L.UNDO):
            return _Decision("undo", 0.92)
        fix = s.has(L.RETURN, L.CANCEL, L.UNDO, L.KAR)
        if s.has(L.WRONG) and fix:
            return _Decision("undo", 0.88)
        if s.has(L.WRONG) and person is None and s.word_count() <= 4:
            # "galat hai" answers a read-back: no. "galat tha" / "ho gaya": take it back.
            return _Decision("undo", 0.6) if s.past or s.has(L.KAR) else _Decision("deny", 0.6)
        if s.has(L.ENTRY) and s.has(L.RETURN, L.CANCEL):
            return _Decision("undo", 0.88)
        if s.has(L.RETURN) and s.has(L.LAST) and not anchored:
            return _Decision("undo", 0.7)
        if s.has(L.RETURN) and not anchored and s.word_count() <= 4:
            return _Decision("undo", 0.6)

    if s.has(L.VETO_SOFT) and not s.has(L.REMINDER):
        return _Decision("unknown", 0.7)

    if s.expect_time:
        return _decide_reminder(s, person)
    if s.has(L.BILL):
        return _decide_bill(s)
    opening = s.has(L.NEW, L.CREATE, L.PUT) and amount is None  # a new customer owes nothing
    if s.has(L.CUSTOMER_N) and opening and not s.has(L.BAAKI, L.QWORD):
        return _Decision("create_customer", 0.92)
    if s.has(L.KHATA) and s.has(L.NEW) and s.has(L.CREATE):
        return _Decision("create_customer", 0.9)
    adding = s.has(L.NEW, L.CREATE) or (s.has(L.PUT) and not s.has(L.STOCK))
    if s.has(L.PRODUCT_N) and adding and not s.has(L.UDHAAR):
        return _Decision("create_product", 0.9 if s.has(L.NEW) else 0.8)
    if s.has(L.PRICE) and not s.has(L.UDHAAR, L.BAAKI):
        if _free_numbers(s):
            return _Decision("set_price", 0.92)
        return _Decision("unknown", 0.6)  # asking the price: no intent answers it
    stock = _decide_stock(s, anchored)
    if stock:
        return stock
    if s.has(L.SALE) or (s.has(L.SUMMARY) and not anchored and not s.has(L.BAAKI, L.UDHAAR)):
        return _Decision("daily_summary", 0.9)
    if s.has(L.HISAAB, L.KHATA, L.STATEMENT) and not anchored and s.when.found:
        return _Decision("daily_summary", 0.7)  # "aaj ka hisaab"
    money = _decide_money(s, person, anchored, amount)
    if money:
        return money
    if _price_shaped(s) and not anchored:
        return _Decision("set_price", 0.75)  # "Make eggs 84 rupees a dozen"
    if _made_into_price(s) and not anchored:
        return _Decision("set_price", 0.7)  # "Lux ab 35 ka kar do"
    return _Decision("unknown", 0.3 if s.word_count() > 1 else 0.5)


def _repeated_question(s: _Sentence) -> bool:
    """ "kya kya", "what all": asking for the list of things."""
    keys = [t.key for t in s.tokens if t.kind == WORD]
    pairs = itertools.pairwise(keys)
    return any(a == b and a in _WHAT_ALL for a, b in pairs) or set(keys) >= _WHAT_ALL_EN


def _price_shaped(s: _Sentence) -> bool:
    return any(_price_at(s, i)[0] and _price_at(s, i)[1] for i in _free_numbers(s)) and s.has(
        L.KAR, L.SET, L.CREATE, L.MODIFY
    )


def _made_into_price(s: _Sentence) -> bool:
    """ "X 35 ka kar do", "X 35 rupaye karo": a product made to cost a number."""
    if s.has(L.UDHAAR, L.PAY, L.BAAKI, L.REMINDER, L.BILL, L.STOCK) or not s.has(L.KAR):
        return False
    numbers = _free_numbers(s)
    if len(numbers) != 1:
        return False
    i = numbers[0]
    follows = s.tag_at(i + 1, L.KA) or _is_currency(s, i + 1)
    return follows and any(_productable(t) for t in s.tokens[:i])


def _near(s: _Sentence, tags_a: tuple[str, ...], tags_b: tuple[str, ...], distance: int) -> bool:
    a = s.indexes(*tags_a)
    b = s.indexes(*tags_b)
    return any(abs(i - j) <= distance for i in a for j in b)


def _decide_reminder(s: _Sentence, person: _Span | None) -> _Decision:
    anchored = person is not None and person.score >= 1
    verbs = (L.SEND, L.REMINDER, L.DILA, L.SET)
    if s.has(L.CANCEL) or _near(s, (L.NEG,), verbs, 2):
        return _Decision("cancel_reminder", 0.9 if person else 0.6)
    if s.has(L.MODIFY):
        return _Decision("modify_reminder", 0.9 if person and s.when.found else 0.6)
    listing = s.has(L.SHOW, L.QWORD) or s.has_key("reminders")
    if person is None or not anchored:
        if listing:
            return _Decision("list_reminders", 0.88)
        if person is None:
            return _Decision("create_reminder", 0.45)
    if (s.question or s.has(L.VETO_SOFT)) and not s.when.found:
        return _Decision("list_reminders", 0.6)  # "Ramesh ka reminder kab hai"
    possessive = s.kind_at(person.end) == POSS or _after_person(s, person, L.KA, L.WALA)
    if possessive and s.has(L.KAR) and s.when.found and not s.has(L.SEND, L.SET, L.DILA):
        return _Decision("modify_reminder", 0.8)  # "Ramesh ka reminder kal kar do"
    return _Decision("create_reminder", 0.9 if s.when.found else 0.6)


def _subject_verb_after(s: _Sentence, person: _Span) -> bool:
    i = person.end
    while s.tag_at(i, L.HONORIFIC):
        i += 1
    return s.kind_at(i) == WORD and s.tokens[i].key in _EN_SUBJECT_VERBS


def _after_person(s: _Sentence, person: _Span, *tags: str) -> bool:
    i = person.end
    while s.tag_at(i, L.HONORIFIC):
        i += 1
    return s.tag_at(i, *tags)


def _decide_bill(s: _Sentence) -> _Decision:
    if s.has(L.CANCEL):
        return _Decision("cancel_invoice", 0.92)
    items = _invoice_items(s, _best_person(s))
    if items or s.has(L.CREATE, L.NEW):
        return _Decision("create_invoice", 0.92 if items else 0.5)
    if s.has(L.SEND):
        return _Decision("send_invoice", 0.9)
    return _Decision("unknown", 0.4)


def _decide_stock(s: _Sentence, anchored: bool) -> _Decision | None:
    if s.has(L.SALE):
        return None  # "aaj kitne ka maal bika" is about sales
    # "baaki" is what a customer owes, or what is left of a product: "cheeni kitni baaki hai"
    left_of_goods = s.has(L.STOCK) or (s.has(L.PRODUCT) and not anchored)
    money = s.has(L.UDHAAR, L.PAY, L.MODE, L.KHATA) or (s.has(L.BAAKI) and not left_of_goods)
    if s.has(L.BAAKI) and left_of_goods and s.question and not money:
        return _Decision("check_stock", 0.8)
    if s.has(L.STOCK) and s.has(L.PUT, L.ARRIVE, L.RECEIVE, L.MODIFY):
        return _Decision("add_stock", 0.92)
    quantity_with_unit = any(_unit_at(s, i + 1) for i in _free_numbers(s))
    if s.has(L.ARRIVE, L.RECEIVE) and quantity_with_unit and not money:
        return _Decision("add_stock", 0.8)
    if s.has(L.STOCK) and not money:
        return _Decision("check_stock", 0.9)
    if s.has(L.REMAIN) and s.question and not money:
        return _Decision("check_stock", 0.88)
    if s.has(L.QWORD) and s.has_key("have") and not money and not anchored:
        return _Decision("check_stock", 0.8)  # "how many litres of oil do we have"
    return None


def _decide_money(
    s: _Sentence, person: _Span | None, anchored: bool, amount: Decimal | None
) -> _Decision | None:
    debt_words = s.has(L.UDHAAR, L.BAAKI) or s.has_key("balance")
    # "Sanjay's balance please": a noun phrase with no verb asks for it.
    asking = s.question or s.has(L.SHOW) or not s.has(*_ACTION_TAGS)
    ledger_words = s.has(L.HISAAB, L.KHATA, L.STATEMENT)
    if ledger_words and s.has(L.SEND, L.SHOW) and not s.has(L.QWORD) and amount is None and person:
        return _Decision("customer_statement", 0.9 if anchored else 0.7)
    money_question = s.has(L.MONEY_N) and s.has(L.QWORD)  # "Neha pe kitne paise chadhe"
    if (
        asking
        and (amount is None or s.question)
        and (debt_words or money_question or (s.has(L.HISAAB) and s.has(L.QWORD)))
    ):
        if person is not None and not s.has(L.COLLECTIVE):
            return _Decision("check_balance", 0.92 if anchored else 0.7)
        collective = s.has(L.COLLECTIVE, L.TOTAL)
        if collective or s.has(L.UDHAAR) or (s.has(L.BAAKI) and not s.has_key("balance")):
            return _Decision("total_dues", 0.9 if collective else 0.7)
        return None
    if not anchored and s.has(L.COLLECTIVE, L.TOTAL) and (debt_words or s.has(L.MONEY_N)):
        return _Decision("total_dues", 0.8)
    if person is None:
        return None

    paid = received = 0.0
    credited = 0.0
    # The customer did it: "Ramesh ne ...", or an English subject "Ramesh gave/paid ...".
    ne = _after_person(s, person, L.NE) or _subject_verb_after(s, person)
    ko = _after_person(s, person, L.KO)
    if s.has(L.PAY):
        paid += 4
    if s.has(L.REDUCE):
        paid += 3  # "udhaar kaat do", "khate se 100 kam karo": off the balance
    if s.has(L.RETURN) and (ne or s.has(L.GIVE_PAST, L.KAR)):
        paid += 3
    if s.has(L.SENT_PAST):
        paid += 2
    if s.has(L.RECEIVE):
        received += 2
    if s.has(L.ARRIVE) and amount is not None:
        received += 2
    if s.has(L.MODE):
        paid += 2
    if ne and s.has(L.GIVE_PAST):
        paid += 3
    if s.has(L.UDHAAR) and not s.has(L.PAY, L.REDUCE):
        credited += 3  # "udhaar chukaya" / "udhaar kaat do" pay the credit off
    if s.has(L.KHATA) and s.has(L.PUT, L.LIKH):
        credited += 3
    if s.has(L.NAAM) and s.has(L.PUT, L.LIKH):
        credited += 3
    if s.has(L.LIKH):
        credited += 2
    if s.has(L.BAAKI) and amount is not None and not s.question:
        credited += 2  # "Suresh owes 1200 more", "add 1500 to Lakshmi's dues"
    if s.has(L.TAKE_PAST):
        credited += 2
    if ko and s.has(L.GIVE_PAST, L.GIVE):
        credited += 1
    if s.has(L.PUT) and not s.has(L.STOCK):
        credited += 1
    payment = paid + received
    if payment == 0 and credited == 0:
        if amount is not None and s.has(L.KHATA, L.NAAM) and not s.has(*_ACTION_TAGS):
            return _Decision("add_credit", 0.6)  # "500 Ramesh ke khate mein"
        return None
    if payment > credited:
        sure = 0.93 if payment - credited >= 2 else 0.7
        return _Decision("record_payment", sure)
    if credited > payment:
        sure = 0.93 if credited - payment >= 2 else 0.7
        return _Decision("add_credit", sure)
    return _Decision("add_credit" if s.has(L.UDHAAR) else "record_payment", 0.5)


# --- Entities per intent -------------------------------------------------------------------


def _invoice_items(s: _Sentence, person: _Span | None) -> list[_Item]:
    key = (person.start, person.end, person.score) if person is not None else None
    if key not in s._items_cache:
        s._items_cache[key] = _read_invoice_items(s, person)
    return s._items_cache[key]


def _read_invoice_items(s: _Sentence, person: _Span | None) -> list[_Item]:
    excluded = set(s.used)
    if person is not None and person.score >= 1:
        excluded |= set(range(person.start, person.end))
    items = []
    for clause in _clauses(s, excluded):
        for part in _split_at_quantities(s, clause):
            if not any(s.tokens[i].kind == NUM and i not in s.used for i in part):
                continue
            cue_free = [i for i in part if not s.tag_at(i, L.BILL, L.CREATE, L.NEW)]
            item = _read_item(s, cue_free, brand_numbers=False)
            if item is not None and item.quantity is not None:
                items.append(item)
    return items


def _split_at_quantities(s: _Sentence, clause: list[int]) -> list[list[int]]:
    """Items said without a pause: "2 kg aloo 1 kg pyaz", "toor dal 2 kg 140 ke bhav se
    chawal 5 kg". A new quantity after a finished item starts the next one; when items
    are said product first, the product words just before that quantity go with it."""
    parts: list[list[int]] = [[]]
    quantity_at: int | None = None  # position in the current part
    product_at: int | None = None
    run_start: int | None = None  # where the latest run of product words began
    for i in clause:
        token = s.tokens[i]
        part = parts[-1]
        if token.kind == NUM and i not in s.used and not _price_at(s, i)[0]:
            starts_item = _unit_at(s, i + 1) is not None or (
                i + 1 < len(s.tokens) and _productable(s.tokens[i + 1])
            )
            if quantity_at is not None and product_at is not None and starts_item:
                product_first = product_at < quantity_at
                cut = run_start if product_first and run_start is not None else len(part)
                if cut > max(quantity_at, product_at):
                    parts[-1], moved = part[:cut], part[cut:]
                    parts.append(moved)
                    product_at = 0 if moved else None
                    quantity_at = None
                    run_start = None
                    part = parts[-1]
            if quantity_at is None:
                quantity_at = len(part)
            run_start = None
        elif _productable(token):
            if run_start is None:
                run_start = len(part)
            if product_at is None:
                product_at = len(part)
        else:
            run_start = None
        part.append(i)
    return [part for part in parts if part]


def _item_dict(item: _Item) -> dict[str, str]:
    out = {"product": item.product}
    if item.quantity is not None:
        out["quantity"] = to_decimal_string(item.quantity)
    unit = item.unit or item.price_unit
    if unit:
        out["unit"] = unit
    if item.unit_price is not None:
        out["unit_price"] = to_decimal_string(item.unit_price)
    return out


def _whole_item(s: _Sentence, *, brand_numbers: bool) -> _Item | None:
    cue = (L.NEW, L.CREATE, L.PRODUCT_N, L.STOCK, L.PRICE, L.PUT)
    positions = [i for i in range(len(s.tokens)) if not s.tag_at(i, *cue)]
    return _read_item(s, positions, brand_numbers=brand_numbers)


def _entities(s: _Sentence, decision: _Decision) -> tuple[dict[str, object], float]:
    """The entities of the decided intent, and a factor for how completely they were found."""
    intent = decision.intent
    e: dict[str, object] = {}
    doubt = 1.0
    person = _best_person(s)

    def put_customer(span: _Span | None) -> None:
        nonlocal doubt
        if span is not None:
            e["customer"] = _person_text(s, span)
            if span.score < 1:
                doubt *= 0.8

    if intent in {"check_balance", "customer_statement", "cancel_reminder", "create_customer"}:
        put_customer(person)
        if intent == "create_customer":
            phone = next((t.key for t in s.tokens if t.kind == PHONE), None)
            if phone:
                e["phone"] = phone
    elif intent in {"add_credit", "record_payment"}:
        put_customer(person)
        amount, sure = _amount(s)
        if amount is not None:
            e["amount"] = to_decimal_string(amount)
            doubt *= 0.85 + 0.15 * sure
        if intent == "record_payment":
            mode = _payment_mode(s)
            if mode:
                e["payment_mode"] = mode
        elif s.note:
            e["note"] = s.note
    elif intent in {"create_reminder", "modify_reminder"}:
        put_customer(person)
        when = _when(s)
        if when:
            e["when"] = when
        if intent == "create_reminder":
            amount, _ = _amount(s)
            if amount is not None:
                e["amount"] = to_decimal_string(amount)
    elif intent == "list_reminders":
        date = _date(s, past=s.past)
        if date:
            e["date"] = date
    elif intent == "daily_summary":
        date = _date(s, past=True)
        if date:
            e["date"] = date
    elif intent in {"cancel_invoice", "send_invoice"}:
        number, index = _invoice_number(s)
        if number:
            e["invoice_number"] = number
            s.used.add(index)  # type: ignore[arg-type]
        person = _best_person(s)
        if person is not None and (person.score >= 1 or number is None):
            put_customer(person)
    elif intent == "create_invoice":
        items = _invoice_items(s, person)
        if person is not None and person.score >= 1:
            put_customer(person)
        if items:
            e["items"] = [_item_dict(item) for item in items]
    elif intent in {"check_stock", "add_stock", "set_price", "create_product"}:
        item = _whole_item(s, brand_numbers=intent == "check_stock")
        if item is not None:
            e["product"] = item.product
            if intent == "add_stock":
                if item.quantity is not None:
                    e["quantity"] = to_decimal_string(item.quantity)
                if item.unit or item.price_unit:
                    e["unit"] = item.unit or item.price_unit
            elif intent == "set_price":
                price = item.unit_price if item.unit_price is not None else item.quantity
                if price is not None:
                    e["unit_price"] = to_decimal_string(price)
                if item.price_unit or (item.unit_price is None and item.unit):
                    e["unit"] = item.price_unit or item.unit
            elif intent == "create_product":
                price, quantity = item.unit_price, item.quantity
                if price is None and quantity is not None and not item.unit:
                    price, quantity = quantity, None  # "naya product Maggi 14": a price
                if price is not None:
                    e["unit_price"] = to_decimal_string(price)
                if item.price_unit or item.unit:
                    e["unit"] = item.price_unit or item.unit
                if quantity is not None:
                    e["quantity"] = to_decimal_string(quantity)
    missing = REQUIRED.get(intent, frozenset()) - set(e)
    if missing:
        doubt *= 0.6 ** len(missing)
    return e, doubt


def parse(text: str, *, now: dt.datetime) -> Intent:
    """Parse one command. `now` resolves relative dates; naive means Asia/Kolkata."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=DEFAULT_TZ)
    sentence = _Sentence(text, now)
    decision = _decide(sentence)
    if decision.intent in {"unknown", "confirm", "deny", "help", "undo", "total_dues"}:
        entities: dict[str, object] = {}
        doubt = 1.0
    else:
        entities, doubt = _entities(sentence, decision)
    confidence = round(max(0.05, min(1.0, decision.confidence * doubt)), 2)
    return Intent(decision.intent, entities, confidence, sentence.lang)
