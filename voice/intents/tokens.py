"""Tokens of a command: surface text, a spelling-folded key, and the kind of token.

One tokenizer for Devanagari, Latin and mixed sentences. Every later stage
(numbers, dates, the lexicon, the parser) compares folded keys, so "udhaar",
"udhar" and "उधार" are the same word to all of them, while the surface text
(the slice of the original sentence) is what names and products are built from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from execora.text import devanagari_to_latin, has_devanagari

WORD = "WORD"
NUM = "NUM"  # a number, after numbers.merge_numbers: digits and/or number words
TIME = "TIME"  # 10:30
DATE = "DATE"  # 15/4, 15-04-2026
PHONE = "PHONE"
CUR = "CUR"  # ₹
PUNCT = "PUNCT"
POSS = "POSS"  # the English possessive 's

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_LETTER = r"[\w\u0900-\u0963\u0971-\u097f]"
_TOKEN = re.compile(
    rf"""
    (?P<PHONE>(?<![\d.,])(?:\+?91[\s-]?)?(?:[6-9]\d{{4}}[\s-]?\d{{5}}|[6-9]\d{{2}}[\s-]\d{{3}}[\s-]\d{{4}})(?!\d))
   |(?P<TIME>(?<![\d.,])\d{{1,2}}:\d{{2}}(?!\d))
   |(?P<DATE>(?<![\d.,])\d{{1,2}}[/-]\d{{1,2}}(?:[/-]\d{{2,4}})?(?!\d))
   |(?P<NUM>\d+(?:,\d{{2,3}})*(?:\.\d+)?)
   |(?P<WORD>[^\W\d_]{_LETTER}*(?:['’\-]{_LETTER}+)*)
   |(?P<CUR>₹)
   |(?P<PUNCT>[,;:!?।|&@\#+()\[\]"/.=–—-])
    """,
    re.VERBOSE,
)
_AMPM_DOTS = re.compile(r"\b([ap])\.\s?m\.?(?=\W|$)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"^(.+?)['’]s$", re.IGNORECASE)
# A full stop after these is part of the abbreviation, not the end of a clause.
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "rs", "no", "smt", "shri", "sri", "st"})

_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"['’`´]", ""),
        (r"ph", "f"),  # phonepe = फ़ोनपे, phone = फोन
        (r"w", "v"),  # wapas = vapas = वापस
        (r"z", "j"),  # hazaar = hajaar = हज़ार
        (r"q", "k"),  # baqi = baki
        (r"ck", "k"),
        (r"x", "ksh"),
        (r"ee", "i"),  # teen = tin = तीन
        (r"oo", "u"),  # doodh = dudh = दूध
        (r"([a-z])\1+", r"\1"),  # aa, ss, tt: baaki = baki, assi = asi
        (r"([aeiou])ye$", r"\1e"),  # diye = die = दिए, aaye = आए
        (r"([aeiou])h$", r"\1"),  # subah = suba, barah = bara
    )
)


@lru_cache(maxsize=16384)
def fold(word: str) -> str:
    """The spelling-insensitive key of one word, shared by Devanagari and Latin spellings.

    Unlike execora.text.phonetic_key it keeps a final "th" (साठ "saath" = 60 is
    not सात "saat" = 7) and works on one word at a time.
    """
    if has_devanagari(word):
        word = devanagari_to_latin(word)
    word = unicodedata.normalize("NFKD", word)
    word = "".join(char for char in word if not unicodedata.combining(char)).casefold()
    for pattern, replacement in _FOLDS:
        word = pattern.sub(replacement, word)
    return word


def fold_words(text: str) -> frozenset[str]:
    """The folded keys of the white-space separated words of `text`."""
    return frozenset(fold(word) for word in text.split())


@dataclass(slots=True)
class Token:
    text: str  # the surface, a slice of the normalised sentence
    key: str  # fold(text) for words; the digits for numbers
    kind: str
    start: int
    end: int
    value: Decimal | None = None  # NUM: the number
    tags: frozenset[str] = field(default_factory=frozenset)
    # NUM flags: said with number words; with a fraction word (sava, saadhe, paune);
    # an article ("a kilo"); an ordinal suffix ("5th"); digits only.
    words: bool = False
    fraction: bool = False
    article: bool = False
    ordinal: bool = False
    paav: bool = False  # said in paav, a quarter kilo: "ek paav jeera" is 0.25 kg
    capital: bool = False  # a Latin word written with a capital letter
    initial: bool = False  # one letter with a full stop: the "R." of "R. K. Sharma"

    def has(self, *tags: str) -> bool:
        return not self.tags.isdisjoint(tags)


def normalise(text: str) -> str:
    """NFC, Devanagari digits as ASCII, "p.m." as "pm", one space between words."""
    text = unicodedata.normalize("NFC", text or "").translate(_DEVANAGARI_DIGITS)
    text = _AMPM_DOTS.sub(lambda m: m.group(1) + "m", text)
    return " ".join(text.split())


def tokenize(text: str) -> list[Token]:
    """Split a normalised sentence into tokens; "Gupta ji's" gives "Gupta", "ji", "'s"."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or PUNCT
        surface = match.group()
        start, end = match.span()
        if kind == PUNCT and surface == "." and tokens and tokens[-1].end == start:
            previous = tokens[-1]
            initial = len(previous.text) == 1 and previous.text.isascii()  # "R. K. Sharma"
            if initial and previous.kind == WORD:
                previous.initial = True
                continue
            if previous.key in _ABBREVIATIONS:
                continue
        if kind == WORD:
            possessive = _POSSESSIVE.match(surface)
            if possessive and len(possessive.group(1)) > 0:
                head = possessive.group(1)
                tokens.append(_word(head, start, start + len(head)))
                tokens.append(Token("'s", "'s", POSS, start + len(head), end))
                continue
            tokens.append(_word(surface, start, end))
        elif kind == NUM:
            tokens.append(Token(surface, surface.replace(",", ""), NUM, start, end))
        elif kind == PHONE:
            digits = re.sub(r"\D", "", surface)
            tokens.append(Token(surface, digits, PHONE, start, end))
        else:
            tokens.append(Token(surface, surface, kind, start, end))
    return tokens


def _word(surface: str, start: int, end: int) -> Token:
    first = surface[0]
    return Token(
        surface, fold(surface), WORD, start, end, capital=first.isupper() and first.isascii()
    )
