"""Text normalisation for names and words as Indian shopkeepers say and write them.

Shared by customer search, product search and the Hindi/Hinglish intent parser:

- `devanagari_to_latin` romanises Devanagari the way people type Hinglish
  ("रमेश" -> "ramesh", "शर्मा" -> "sharma", "चीनी" -> "chini");
- `phonetic_key` folds spelling variants so they collide
  ("Geeta"/"Gita"/"गीता" -> "gita", "Laxmi"/"Lakshmi" -> "lakshmi");
- `strip_honorifics` drops "ji", "bhaiya", "Shri", "श्री" ... around a name.

Why a table of our own instead of a transliteration package: the packages on
PyPI (indic-transliteration, aksharamukha) produce scholarly schemes (IAST,
ITRANS: "rameśa", "rameza") that keep every inherent vowel; the hard part of
Hinglish is deleting the schwa ("kamla", not "kamala") and spelling the rest
the way WhatsApp users do, which we would have to write on top anyway. The
whole Devanagari block fits in the tables below.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Bump when devanagari_to_latin or phonetic_key change what they return:
# keys stored in the database carry it, and stale ones are recomputed.
PHONETIC_KEY_VERSION = 1

# --- Devanagari -> Latin ---------------------------------------------------------

_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n",
    "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n",
    "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m",
    "य": "y", "र": "r", "ल": "l", "ळ": "l", "व": "v",
    "श": "sh", "ष": "sh", "स": "s", "ह": "h",
}  # fmt: skip
# Consonant + nukta (U+093C). NFD splits the precomposed forms (क़ U+0958 ...) into these.
# ड़/ढ़ are written "d"/"dh" in Hinglish: ladka, kapda, padhai.
_NUKTA = {"k": "q", "kh": "kh", "g": "g", "j": "z", "d": "d", "dh": "dh", "ph": "f", "y": "y"}
_INDEPENDENT_VOWELS = {
    "अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ॠ": "ri",
    "ऌ": "li", "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e", "ऎ": "e",
    "ऒ": "o",
}  # fmt: skip
# Long vowels are written short, as in names (Sunita, Lakshmi, Gupta); phonetic_key
# folds "ee"/"oo"/"aa" anyway, so "cheeni" and "chini" still meet.
_MATRAS = {
    "ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri", "ॄ": "ri", "ॢ": "li",
    "े": "e", "ै": "ai", "ो": "o", "ौ": "au", "ॉ": "o", "ॅ": "e", "ॆ": "e", "ॊ": "o",
}  # fmt: skip
_VIRAMA = "्"
_NUKTA_SIGN = "़"
_NASALS = {"ं", "ँ"}  # anusvara, chandrabindu
_VISARGA = "ः"
_SILENT = {"ऽ", "\u200c", "\u200d"}  # avagraha, ZWNJ, ZWJ
_OTHER = {"।": ".", "॥": ".", "ॐ": "om", "॰": "."}
_DIGITS = {chr(0x0966 + n): str(n) for n in range(10)}
_LABIALS = ("p", "b", "m")  # anusvara before these is "m": Champa, Ambani
_DEVANAGARI = re.compile("[\u0900-\u097f]")

_INHERENT = "a"


@dataclass
class _Letter:
    kind: str  # "C" consonant, "V" independent vowel, "N" nasal sign, "H" visarga
    latin: str
    # For consonants: the inherent "a", a matra's Latin, or "" after a virama / schwa deletion.
    vowel: str = ""
    inherent: bool = False

    def has_vowel(self) -> bool:
        return self.kind == "V" or (self.kind == "C" and self.vowel != "")


def has_devanagari(text: str) -> bool:
    return bool(_DEVANAGARI.search(text or ""))


def _parse(text: str) -> list[_Letter | str]:
    """Split into Devanagari letters and runs of anything else (kept as plain strings)."""
    out: list[_Letter | str] = []
    for char in unicodedata.normalize("NFD", text):
        last = out[-1] if out else None
        if char in _CONSONANTS:
            latin = _CONSONANTS[char]
            if char == "ञ" and isinstance(last, _Letter) and last.latin == "j" and not last.vowel:
                last.latin, latin = "g", "y"  # ज्ञ: gyan, vigyan
            out.append(_Letter("C", latin, _INHERENT, inherent=True))
        elif char == _NUKTA_SIGN:
            if isinstance(last, _Letter) and last.kind == "C":
                last.latin = _NUKTA.get(last.latin, last.latin)
        elif char in _MATRAS:
            if isinstance(last, _Letter) and last.kind == "C":
                last.vowel, last.inherent = _MATRAS[char], False
            else:  # a stray matra: say the vowel
                out.append(_Letter("V", _MATRAS[char]))
        elif char == _VIRAMA:
            if isinstance(last, _Letter) and last.kind == "C":
                last.vowel, last.inherent = "", False
        elif char in _INDEPENDENT_VOWELS:
            out.append(_Letter("V", _INDEPENDENT_VOWELS[char]))
        elif char in _NASALS:
            out.append(_Letter("N", "n"))
        elif char == _VISARGA:
            out.append(_Letter("H", "h"))
        elif char in _SILENT:
            continue
        else:
            plain = _DIGITS.get(char) or _OTHER.get(char) or char
            if isinstance(last, str):
                out[-1] = last + plain
            else:
                out.append(plain)
    return out


def _delete_schwas(word: list[_Letter]) -> None:
    """Hindi drops most inherent "a"s; Hinglish spelling drops them too.

    Word-final: "रमेश" -> ramesh, but kept after a cluster ("मिश्र" -> mishra,
    "कृष्ण" -> krishna), after "iy" ("प्रिय" -> priya) and in one-letter words.
    Medial, right to left (Ohala's rule a -> 0 / VC_CV): "कमला" -> kamla,
    "इरफ़ान" -> irfan, "अरहर" -> arhar, but "रमेश" keeps its first a.
    """
    letters = [i for i, letter in enumerate(word) if letter.kind in ("C", "V")]
    if len(letters) < 2:
        return
    last = word[letters[-1]]
    if last.kind == "C" and last.inherent and letters[-1] == len(word) - 1:
        before = word[letters[-2]]
        cluster = before.kind == "C" and not before.has_vowel()
        after_iy = last.latin == "y" and "i" in (
            before.vowel,
            before.latin if before.kind == "V" else "",
        )
        if not cluster and not after_iy:
            last.vowel = ""
    for pos in range(len(word) - 2, 0, -1):
        letter = word[pos]
        if letter.kind != "C" or not letter.inherent or letter.vowel == "":
            continue
        previous, following = word[pos - 1], word[pos + 1]
        # A nasal sign before the consonant makes a cluster ("संजय"); so does a virama.
        if not previous.has_vowel():
            continue
        if following.kind == "C" and following.has_vowel():
            letter.vowel = ""


def _emit(word: list[_Letter]) -> str:
    parts: list[str] = []
    for pos, letter in enumerate(word):
        if letter.kind == "C":
            parts.append(letter.latin + letter.vowel)
        elif letter.kind == "N":
            following = word[pos + 1] if pos + 1 < len(word) else None
            if following is not None and following.kind == "C":
                if following.latin.startswith(_LABIALS):
                    parts.append("m")
                elif following.latin == "h" and pos + 2 == len(word):
                    parts.append("ng")  # सिंह -> Singh, the spelling everyone uses
                else:
                    parts.append("n")
            else:
                parts.append("n")
        else:
            parts.append(letter.latin)
    return "".join(parts)


def devanagari_to_latin(text: str) -> str:
    """Romanise Devanagari as Hinglish is typed; other characters pass through unchanged.

    "रमेश" -> "ramesh", "सुनीता" -> "sunita", "मोहम्मद इरफ़ान" -> "mohammad irfan".
    """
    if not has_devanagari(text):
        return text or ""
    pieces: list[str] = []
    word: list[_Letter] = []
    for item in [*_parse(text), ""]:
        if isinstance(item, _Letter):
            word.append(item)
            continue
        if word:
            _delete_schwas(word)
            pieces.append(_emit(word))
            word = []
        pieces.append(item)
    return "".join(pieces)


# --- Phonetic key ----------------------------------------------------------------

# Order matters: each rule sees the output of the ones above it.
_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"x", "ksh"),  # Laxmi = Lakshmi
        (r"ph", "f"),  # Phool/Fool, फ़ = फ
        (r"chh", "ch"),  # Chhotu/Chotu
        (r"ck", "k"),
        (r"c(?!h)", "k"),  # Kamal/Camal; "ch" is a different sound and stays
        (r"q", "k"),  # क़ = क for most speakers
        (r"w", "v"),  # Pawan/Pavan, chawal/chaval
        (r"z", "j"),  # ज़ = ज for most speakers: Zubair/Jubair
        (r"ee", "i"),  # Geeta/Gita
        (r"oo", "u"),  # Doodh/Dudh
        (r"y(?![aeiou])", "i"),  # y as a vowel: Vijay/Vijai, chay/chai (but Yadav, Priya keep it)
        (r"([a-z])\1+", r"\1"),  # doubled letters: Mohammad/Mohamad, Aarti/Arti, Rameshh
        (r"th$", "t"),  # South Indian spellings: Ajith/Ajit, Sumith/Sumit
        (r"([aeiou])h$", r"\1"),  # a silent final h after a vowel: Snehah, Shaah/Shah
    )
)
_APOSTROPHES = re.compile("['’`´]")


def _fold_word(word: str) -> str:
    for pattern, replacement in _FOLDS:
        word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=65536)
def phonetic_key(text: str) -> str:
    """A spelling-insensitive key: words in their order, folded, separated by one space.

    Folds case, diacritics, Devanagari vs Latin, ee/i, oo/u, aa/a, y/i as a vowel,
    w/v, ph/f, z/j, q/k, c/k, x/ksh, doubled letters and a silent final h.

    Deliberately kept apart: s vs sh (Suresh is not Sureś-ambiguous, and श/ष/स are
    all "sh"/"s" consistently on the Devanagari side), aspiration (Bharat/Barat,
    dhan/dan are different words), and a final "a" (Amit/Amita, Sunit/Sunita are
    different people); the fuzzy matcher absorbs one-letter differences instead.
    Pure and cached: the same text always gives the same key.
    """
    text = devanagari_to_latin(text or "")
    text = _APOSTROPHES.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    words = "".join(char if char.isalnum() else " " for char in text).split()
    return " ".join(_fold_word(word) for word in words)


# --- Honorifics --------------------------------------------------------------

_HONORIFICS = frozenset(
    {
        # Latin, compared lower-cased without dots
        "ji", "jee", "bhai", "bhaiya", "bhaiyya", "bhaiyaa", "bhaiji", "bhaisahab", "bhaisaab",
        "bhaisaheb", "didi", "behen", "behenji", "bahen", "bahenji", "bhabhi", "bhabhiji",
        "aunty", "auntie", "anty", "uncle", "sahab", "saheb", "sahib", "saab", "sab", "seth",
        "sethji", "mr", "mrs", "ms", "miss", "shri", "shree", "sri", "smt", "shrimati", "dr",
        "madam", "maam", "sir", "chacha", "chachi", "kaka", "kaki", "mausi", "bua", "ustad",
        "hajji", "haji", "janab",
        # Devanagari
        "श्री", "श्रीमान", "श्रीमती", "सुश्री", "जी", "भैया", "भइया", "भैय्या", "भाई", "भाईसाहब",
        "भाई साहब", "दीदी", "बहन", "बहनजी", "भाभी", "भाभीजी", "आंटी", "आँटी", "अंकल",
        "साहब", "साब", "सेठ", "सेठजी", "चाचा", "चाची", "काका", "काकी", "मौसी", "बुआ",
        "डॉ", "डा", "जनाब",
    }
)  # fmt: skip


def _is_honorific(token: str) -> bool:
    return unicodedata.normalize("NFC", token).strip(".,;:-").casefold() in _HONORIFICS


def strip_honorifics(name: str) -> str:
    """Drop forms of address around a name: "Ramesh bhaiya" -> "Ramesh", "श्री रमेश जी" -> "रमेश".

    Only whole words at the start or the end go ("Balaji" keeps its "ji"); a
    hyphenated tail counts ("Ramesh-ji"). When nothing but honorifics is left
    ("Didi"), the input is returned as it was, since that may be how the shop
    knows the person.
    """
    original = " ".join((name or "").split())
    tokens = original.split(" ") if original else []
    if tokens and "-" in tokens[-1]:
        head, _, tail = tokens[-1].rpartition("-")
        if head and _is_honorific(tail):
            tokens[-1] = head
    while tokens and _is_honorific(tokens[0]):
        tokens.pop(0)
    while tokens and _is_honorific(tokens[-1]):
        tokens.pop()
    return " ".join(tokens) or original
