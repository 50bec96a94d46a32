"""Ranked fuzzy matching of a spoken or typed name against a shop's names and aliases.

Everything here works on phonetic keys (execora.text.phonetic_key), so "Gita",
"Geeta" and "गीता" are already equal before any fuzziness is applied. A
candidate is an id with one or more keys (its name and aliases); its score is
the best over its keys, 0–100:

=====  ==================================================================
 100   the query key equals a name key                  "ramesh kumar"
  98   same words in another order, or same letters split differently
       ("kumar ramesh", "rameshkumar")
  90   every query word is a word of the name            "ramesh" in "ramesh kumar",
       (the surname alone counts: "sharma")              "sharma" in "rakesh sharma"
  75   every word of the name is in a longer query       "ramesh yadav" vs "ramesh"
 <95   fuzzy: per query word, the best of Indel ratio and a prefix score against the
       name's words, averaged weighted by word length; or the ratio of the words
       run together; times 0.95 so a typo never outranks a real word match
=====  ==================================================================

Decision thresholds, chosen on Indian first names (see tests/execora/test_fuzzy.py):

- MIN_SCORE 70: below this a candidate is not returned at all. "Suresh" vs
  "Ramesh" scores 63 and "Mahesh" vs "Ramesh" 63, so neither is offered.
- CONFIDENT_SCORE 85: `best` needs at least this. A one-letter drop
  ("Rmesh" → 86) passes; a one-letter substitution ("Rakesh" vs "Ramesh" → 79)
  does not, because in a khata those are usually two different people: it is
  offered as a match but never picked on its own. Prefix matches ("Ram" →
  "Ramesh", 76) are likewise offered, never picked.
- AMBIGUITY_MARGIN 8: when the runner-up is less than 8 points behind the
  top, the result is ambiguous and `best` is None. Two "Ramesh ..." customers
  both score 90 for "Ramesh" (ambiguous); "Ramesh Yadav" scores 100 against
  "Ramesh Yadav" and ≈60 against "Ramesh Kumar" (clear). An exact name (100)
  beats a name that merely contains the query (90).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from execora.text import phonetic_key

MIN_SCORE = 70.0
CONFIDENT_SCORE = 85.0
AMBIGUITY_MARGIN = 8.0

EXACT_SCORE = 100.0
REORDERED_SCORE = 98.0
SUBSET_SCORE = 90.0
SUPERSET_SCORE = 75.0
FUZZY_FACTOR = 0.95
# A single non-identical word never counts as more than this.
WORD_FUZZY_CAP = 95.0
PREFIX_MIN_LENGTH = 3
# A candidate scores >= MIN_SCORE through the fuzzy rule only when some pair of
# words scores >= MIN_SCORE / FUZZY_FACTOR (a weighted mean never exceeds its
# largest term), so words below this cut can be skipped without losing a match.
_WORD_CUTOFF = MIN_SCORE / FUZZY_FACTOR


@dataclass(frozen=True)
class Match:
    id: Hashable
    score: float
    # Which of the candidate's keys matched best (0 = the first, usually the name).
    key_index: int


@dataclass(frozen=True)
class Ranking:
    matches: tuple[Match, ...]
    best: Match | None
    ambiguous: bool


NO_MATCH = Ranking(matches=(), best=None, ambiguous=False)


def _word_score(query_word: str, word: str) -> float:
    if query_word == word:
        return EXACT_SCORE
    score = fuzz.ratio(query_word, word)
    if len(query_word) >= PREFIX_MIN_LENGTH and word.startswith(query_word):
        # "ram" -> "ramesh" 80, "rames" -> "ramesh" 87: longer prefixes say more.
        score = max(score, 70.0 + 20.0 * len(query_word) / len(word))
    return min(score, WORD_FUZZY_CAP)


def score_keys(query_key: str, key: str) -> float:
    """How well one phonetic key matches another, 0–100 (see the module docstring)."""
    if not query_key or not key:
        return 0.0
    if query_key == key:
        return EXACT_SCORE
    query_words, words = query_key.split(), key.split()
    if sorted(query_words) == sorted(words):
        return REORDERED_SCORE
    query_joined, joined = "".join(query_words), "".join(words)
    if query_joined == joined:
        return REORDERED_SCORE
    word_set, query_set = set(words), set(query_words)
    if query_set <= word_set:
        return SUBSET_SCORE
    total_length = sum(len(w) for w in query_words)
    per_word = sum(len(q) * max(_word_score(q, w) for w in words) for q in query_words)
    fuzzy = max(per_word / total_length, fuzz.ratio(query_joined, joined)) * FUZZY_FACTOR
    if word_set <= query_set:
        fuzzy = max(fuzzy, SUPERSET_SCORE)
    return round(fuzzy, 1)


class KeyIndex:
    """Candidates' phonetic keys, indexed by word so a query scores only plausible ones.

    Build it once per candidate set (a shop's customers) and call `rank` per
    query. Each distinct key is scored once however many namesakes share it,
    and only keys sharing a word that is close to a query word are scored at
    all; rapidfuzz's C loops find those words.
    """

    def __init__(self, candidates: Iterable[tuple[Hashable, Sequence[str]]]) -> None:
        self._ids: list[Hashable] = []
        self._keys: list[str] = []
        # For each distinct key: the (candidate position, key position) pairs that have it.
        self._holders: list[list[tuple[int, int]]] = []
        key_numbers: dict[str, int] = {}
        keys_by_word: dict[str, list[int]] = {}
        for candidate_id, keys in candidates:
            position = len(self._ids)
            self._ids.append(candidate_id)
            for key_index, key in enumerate(keys):
                if not key:
                    continue
                number = key_numbers.get(key)
                if number is None:
                    number = key_numbers[key] = len(self._keys)
                    self._keys.append(key)
                    self._holders.append([])
                    for word in set(key.split()):
                        keys_by_word.setdefault(word, []).append(number)
                self._holders[number].append((position, key_index))
        self._words = list(keys_by_word)
        self._keys_by_word = [keys_by_word[word] for word in self._words]
        self._joined = [key.replace(" ", "") for key in self._keys]

    def __len__(self) -> int:
        return len(self._ids)

    def _plausible_keys(self, query_key: str) -> set[int]:
        found: set[int] = set()
        query_words = query_key.split()
        for query_word in query_words:
            near = process.extract(
                query_word,
                self._words,
                scorer=fuzz.ratio,
                score_cutoff=_WORD_CUTOFF,
                limit=None,
            )
            word_numbers = {i for _word, _score, i in near}
            if len(query_word) >= PREFIX_MIN_LENGTH:
                word_numbers.update(
                    i for i, word in enumerate(self._words) if word.startswith(query_word)
                )
            for i in word_numbers:
                found.update(self._keys_by_word[i])
        joined = process.extract(
            "".join(query_words),
            self._joined,
            scorer=fuzz.ratio,
            score_cutoff=_WORD_CUTOFF,
            limit=None,
        )
        found.update(i for _key, _score, i in joined)
        return found

    def rank(self, query_keys: Sequence[str], *, limit: int | None = 5) -> Ranking:
        """Rank candidates for a query given as one or more keys (e.g. with and without
        honorifics); a candidate's score is its best over query keys and its own keys."""
        score_by_key: dict[int, float] = {}
        for query_key in dict.fromkeys(k for k in query_keys if k):
            for number in self._plausible_keys(query_key):
                score = score_keys(query_key, self._keys[number])
                if score > score_by_key.get(number, -1.0):
                    score_by_key[number] = score
        best_by_candidate: dict[int, tuple[float, int]] = {}
        for number, score in score_by_key.items():
            if score < MIN_SCORE:
                continue
            for position, key_index in self._holders[number]:
                current = best_by_candidate.get(position)
                if current is None or (score, -key_index) > (current[0], -current[1]):
                    best_by_candidate[position] = (score, key_index)
        ordered = sorted(
            (
                (score, position, key_index)
                for position, (score, key_index) in best_by_candidate.items()
            ),
            key=lambda item: (-item[0], item[1]),
        )
        matches = tuple(
            Match(id=self._ids[position], score=score, key_index=key_index)
            for score, position, key_index in ordered
        )
        return decide(matches, limit=limit)


def decide(matches: Sequence[Match], *, limit: int | None = 5) -> Ranking:
    """Apply the thresholds to matches already sorted best first."""
    matches = tuple(m for m in matches if m.score >= MIN_SCORE)
    if not matches:
        return NO_MATCH
    top = matches[0]
    ambiguous = len(matches) > 1 and top.score - matches[1].score < AMBIGUITY_MARGIN
    best = top if top.score >= CONFIDENT_SCORE and not ambiguous else None
    if limit is not None:
        matches = matches[:limit]
    return Ranking(matches=matches, best=best, ambiguous=ambiguous)


def rank(
    query: str | Sequence[str],
    candidates: Iterable[tuple[Hashable, Sequence[str]]],
    *,
    limit: int | None = 5,
) -> Ranking:
    """Rank candidates `(id, [name, alias, ...])` given as plain text for `query`.

    The convenience form: it computes every phonetic key (cached by text). For a
    large set that is searched often, keep the keys and use `KeyIndex` directly.
    """
    queries = [query] if isinstance(query, str) else list(query)
    index = KeyIndex(
        (candidate_id, [phonetic_key(name) for name in names]) for candidate_id, names in candidates
    )
    return index.rank([phonetic_key(q) for q in queries], limit=limit)
