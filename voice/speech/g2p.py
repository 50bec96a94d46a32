"""Pronunciations (CMU phones, as the bundled pocketsphinx model's dictionary has them) for
words its dictionary lacks: Hinglish words ("udhaar", "paanch") and Indian names ("Lakshmi").

Two guesses per word, both kept as alternative pronunciations:
- `indian_phones`: Hindi romanisation read the Indian way ("aa" is AA, "bh" is B with a
  breath the English model has no phone for, "u" is UH, a final "a" is a schwa);
- `english_phones`: the word read as English by espeak-ng (its phoneme mnemonics mapped to
  CMU), which is how many speakers say brand names and how English voices read Hinglish.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess

# --- Hindi romanisation → CMU ----------------------------------------------------------

# Longest spelling first; each maps to a list of CMU phones.
_CONSONANTS: list[tuple[str, list[str]]] = [
    ("chh", ["CH"]),
    ("ksh", ["K", "SH"]),
    ("shr", ["SH", "R"]),
    ("kh", ["K"]),
    ("gh", ["G"]),
    ("ch", ["CH"]),
    ("jh", ["JH"]),
    ("th", ["T"]),
    ("dh", ["D"]),
    ("ph", ["F"]),
    ("bh", ["B"]),
    ("sh", ["SH"]),
    ("ng", ["NG"]),
    ("gn", ["G", "N"]),
    ("ck", ["K"]),
    ("qu", ["K", "W"]),
    ("b", ["B"]),
    ("c", ["K"]),
    ("d", ["D"]),
    ("f", ["F"]),
    ("g", ["G"]),
    ("h", ["HH"]),
    ("j", ["JH"]),
    ("k", ["K"]),
    ("l", ["L"]),
    ("m", ["M"]),
    ("n", ["N"]),
    ("p", ["P"]),
    ("q", ["K"]),
    ("r", ["R"]),
    ("s", ["S"]),
    ("t", ["T"]),
    ("v", ["V"]),
    ("w", ["W"]),
    ("x", ["K", "S"]),
    ("y", ["Y"]),
    ("z", ["Z"]),
]
_VOWELS: list[tuple[str, list[str]]] = [
    ("aa", ["AA"]),
    ("ai", ["AY"]),
    ("au", ["AW"]),
    ("ee", ["IY"]),
    ("ei", ["EY"]),
    ("ey", ["EY"]),
    ("ii", ["IY"]),
    ("oo", ["UW"]),
    ("ou", ["OW"]),
    ("uu", ["UW"]),
    ("a", ["AH"]),
    ("e", ["EY"]),
    ("i", ["IH"]),
    ("o", ["OW"]),
    ("u", ["UH"]),
    ("y", ["IY"]),
]
_UNITS = sorted(_CONSONANTS + _VOWELS, key=lambda unit: -len(unit[0]))
_VOWEL_SPELLINGS = {spelling for spelling, _ in _VOWELS if spelling != "y"}


def indian_phones(word: str) -> list[str]:
    """A Latin-script Hindi word or Indian name, read as Hindi romanisation, in CMU phones."""
    text = re.sub(r"[^a-z]", "", word.casefold())
    phones: list[str] = []
    units: list[str] = []
    i = 0
    while i < len(text):
        for spelling, unit_phones in _UNITS:
            if not text.startswith(spelling, i):
                continue
            # "y" is a consonant before a vowel ("diye"), a vowel elsewhere ("pinky").
            if spelling == "y":
                nxt = text[i + 1 : i + 2]
                unit_phones = ["Y"] if nxt and nxt in "aeiou" else ["IY"]
            # A doubled consonant ("bablu", "atta", "lakkad") is said once, held.
            if phones and unit_phones == phones[-1:] and spelling not in _VOWEL_SPELLINGS:
                i += len(spelling)
                break
            phones.extend(unit_phones)
            units.append(spelling)
            i += len(spelling)
            break
        else:
            i += 1
    # A final short "a" after a consonant is a schwa in Hindi names ("Sharma", "kitna").
    if units and units[-1] == "a" and len(units) > 1:
        phones[-1] = "AH"
    # A final "e" in Hinglish ("diye", "khate", "mere") is EY; "i" at the end is long.
    if units and units[-1] == "i":
        phones[-1] = "IY"
    return phones


ESPEAK = shutil.which("espeak-ng")

# --- espeak-ng's English reading → CMU -----------------------------------------------------

# espeak-ng's English phoneme mnemonics (`espeak-ng -x`), longest first.
_ESPEAK: list[tuple[str, list[str]]] = sorted(
    [
        ("aI@", ["AY", "ER"]),
        ("aU@", ["AW", "ER"]),
        ("A@", ["AA", "R"]),
        ("e@", ["EH", "R"]),
        ("I@", ["IH", "R"]),
        ("O@", ["AO", "R"]),
        ("U@", ["UH", "R"]),
        ("i@", ["IY", "ER"]),
        ("3:", ["ER"]),
        ("@L", ["AH", "L"]),
        ("@r", ["ER"]),
        ("A:", ["AA"]),
        ("O:", ["AO"]),
        ("i:", ["IY"]),
        ("u:", ["UW"]),
        ("aI", ["AY"]),
        ("aU", ["AW"]),
        ("eI", ["EY"]),
        ("oU", ["OW"]),
        ("OI", ["OY"]),
        ("tS", ["CH"]),
        ("dZ", ["JH"]),
        ("a#", ["AH"]),
        ("I#", ["IH"]),
        ("I2", ["IH"]),
        ("@2", ["AH"]),
        ("@5", ["AH"]),
        ("a", ["AE"]),
        ("A", ["AA"]),
        ("e", ["EH"]),
        ("E", ["EH"]),
        ("I", ["IH"]),
        ("i", ["IY"]),
        ("0", ["AA"]),
        ("O", ["AO"]),
        ("V", ["AH"]),
        ("U", ["UH"]),
        ("u", ["UW"]),
        ("@", ["AH"]),
        ("3", ["ER"]),
        ("T", ["TH"]),
        ("D", ["DH"]),
        ("S", ["SH"]),
        ("Z", ["ZH"]),
        ("N", ["NG"]),
        ("j", ["Y"]),
        ("x", ["HH"]),
        ("C", ["HH"]),
        ("t#", ["T"]),
        ("d#", ["D"]),
        ("r-", ["R"]),
        ("n-", ["N"]),
        ("l-", ["L"]),
        ("m-", ["M"]),
        ("b", ["B"]),
        ("d", ["D"]),
        ("f", ["F"]),
        ("g", ["G"]),
        ("h", ["HH"]),
        ("k", ["K"]),
        ("l", ["L"]),
        ("m", ["M"]),
        ("n", ["N"]),
        ("p", ["P"]),
        ("r", ["R"]),
        ("s", ["S"]),
        ("t", ["T"]),
        ("v", ["V"]),
        ("w", ["W"]),
        ("z", ["Z"]),
    ],
    key=lambda unit: -len(unit[0]),
)


def _espeak_to_cmu(mnemonic: str) -> list[str]:
    text = re.sub(r"[',%=]", "", mnemonic)  # stress marks
    phones: list[str] = []
    i = 0
    while i < len(text):
        for spelling, unit_phones in _ESPEAK:
            if text.startswith(spelling, i):
                phones.extend(unit_phones)
                i += len(spelling)
                break
        else:
            i += 1  # stress, length and pause marks
    return phones


@functools.lru_cache(maxsize=4096)
def _espeak_one(word: str) -> tuple[str, ...]:
    return tuple(_espeak_batch([word]).get(word, []))


_english_cache: dict[str, list[str]] = {}


def english_phones_many(words: list[str]) -> dict[str, list[str]]:
    """Each word as espeak-ng's English voice reads it, in CMU phones (one process for all
    the words not asked for before)."""
    wanted = [w for w in words if re.fullmatch(r"[a-z']+", w)]
    new = [w for w in dict.fromkeys(wanted) if w not in _english_cache]
    if new:
        _english_cache.update(_espeak_batch(new))
    return {w: _english_cache[w] for w in wanted if w in _english_cache}


def _espeak_batch(words: list[str]) -> dict[str, list[str]]:
    if not words or ESPEAK is None:
        return {}
    # One word a line, each ended by a full stop, gives one line of phonemes per word.
    out = subprocess.run(  # noqa: S603 - fixed argv, words are [a-z']+ only
        [ESPEAK, "-q", "-x", "-v", "en-us"],
        input="".join(f"{w}.\n" for w in words),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    if len(lines) != len(words):
        # Out of step (a word read as two sentences): one process per word instead.
        return {w: list(_espeak_one(w)) for w in words} if len(words) > 1 else {}
    return {w: _espeak_to_cmu(line) for w, line in zip(words, lines, strict=True)}


def pronunciations(words: list[str]) -> dict[str, list[list[str]]]:
    """Alternative pronunciations for each word: the Hindi reading, then espeak-ng's English
    reading when it differs. For words the model's dictionary lacks."""
    english = english_phones_many(sorted(set(words)))
    result: dict[str, list[list[str]]] = {}
    for word in words:
        variants: list[list[str]] = []
        for phones in (indian_phones(word), english.get(word, [])):
            if phones and phones not in variants:
                variants.append(phones)
        if variants:
            result[word] = variants
    return result
