"""The local recogniser's grammar, pronunciations and wake phrase, without audio."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest

from voice.intents import parse
from voice.speech.g2p import indian_phones, pronunciations
from voice.speech.grammar import GARBAGE_PREFIX, grammar_build
from voice.speech.wake import split_wake

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))


@pytest.fixture(scope="module")
def grammar():
    return grammar_build(
        customers=["Ramesh Kumar", "Zubair Khan", "Lakshmi"], products=["Parle G", "Sugar"]
    )


def _sentences(grammar, n: int, seed: int = 7) -> list[str]:
    """Random walks through the compiled graph, garbage loop left out."""
    out = defaultdict(list)
    for t in grammar.transitions:
        if len(t) < 4 or not t[3].startswith(GARBAGE_PREFIX):
            out[t[0]].append(t)
    rng = random.Random(seed)
    sentences = []
    while len(sentences) < n:
        state, words = grammar.start, []
        while state != grammar.final:
            t = rng.choice(out[state])
            if len(t) > 3:
                words.append(t[3])
            state = t[1]
        sentences.append(" ".join(words))
    return sentences


def test_every_word_of_the_grammar_has_a_pronunciation(grammar):
    words = {t[3] for t in grammar.transitions if len(t) > 3}
    assert words <= set(grammar.dictionary)
    assert {"zubair", "lakshmi", "udhaar", "paanch", "execora"} <= words
    assert all(grammar.dictionary[w] and all(p for p in grammar.dictionary[w]) for w in words)


def test_compiled_graph_has_no_epsilon_chains(grammar):
    # the only epsilons left are "may end here" (to the final state)
    epsilons = [t for t in grammar.transitions if len(t) == 3]
    assert epsilons and all(t[1] == grammar.final for t in epsilons)
    assert grammar.final < 3000  # pocketsphinx's own JSGF compile made ~8 000 states


def test_what_the_grammar_can_say_the_parser_understands(grammar):
    # every sentence the recogniser can output parses to a command (numbers said in words
    # included: "five hundred", "dedh hazaar"), except the bare wake phrase
    misread = []
    for sentence in _sentences(grammar, 400):
        text = split_wake(sentence).command
        if text and parse(text, now=NOW).intent == "unknown":
            misread.append(sentence)
    assert misread == []


@pytest.mark.parametrize(
    ("said", "intent", "entities"),
    [
        ("record payment of five hundred from ramesh kumar", "record_payment",
         {"customer": "Ramesh Kumar", "amount": "500"}),
        ("zubair ne dedh hazaar diye", "record_payment", {"customer": "Zubair", "amount": "1500"}),
        ("ramesh ko two thousand five hundred rupees udhaar likho", "add_credit",
         {"customer": "Ramesh", "amount": "2500"}),
        ("lakshmi ne saadhe teen sau cash diye", "record_payment",
         {"customer": "Lakshmi", "amount": "350", "payment_mode": "cash"}),
    ],
)  # fmt: skip
def test_spoken_numbers_reach_the_parser_as_amounts(said, intent, entities):
    result = parse(said, now=NOW)
    assert result.intent == intent
    assert result.entities == entities


def test_indian_names_get_hindi_readings():
    assert indian_phones("lakshmi") == ["L", "AH", "K", "SH", "M", "IY"]
    assert indian_phones("bablu") == ["B", "AH", "B", "L", "UH"]
    assert indian_phones("paanch") == ["P", "AA", "N", "CH"]
    both = pronunciations(["zubair"])["zubair"]
    assert len(both) >= 1 and all(both)


@pytest.mark.parametrize(
    ("text", "woke", "command"),
    [
        ("hey execora Ramesh ka kitna baaki hai", True, "Ramesh ka kitna baaki hai"),
        ("Suno Execora, Ramesh ko 500 udhaar likho", True, "Ramesh ko 500 udhaar likho"),
        ("hey execora", True, ""),
        ("Ramesh ka kitna baaki hai", False, "Ramesh ka kitna baaki hai"),
        ("hey Ramesh, execora is nice", False, "hey Ramesh, execora is nice"),
        ("", False, ""),
    ],
)
def test_split_wake(text, woke, command):
    assert split_wake(text).woke is woke
    assert split_wake(text).command == command


def test_a_truncated_command_is_not_a_sentence_of_the_grammar(grammar):
    # pocketsphinx hands back a partial path when none reached the end; the recogniser
    # checks the words against the graph so "Ramesh ko paanch sau" is never run
    assert grammar.accepts(["ramesh", "kumar", "ko", "paanch", "sau", "udhaar", "likho"])
    assert not grammar.accepts(["ramesh", "kumar", "ko", "paanch", "sau"])
    assert not grammar.accepts(["likho"])
