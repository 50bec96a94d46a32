"""The local recogniser's grammar: the command shapes the intent parser understands, this
shop's customer and product names, numbers said in English and Hinglish, the wake phrase,
and a garbage loop that soaks up anything else.

pocketsphinx's bundled model is US English: with its general language model shop commands
come out 72–90% wrong; constrained to the sentences a shopkeeper actually says, to this
shop's names, and with pronunciations for Hinglish words and Indian names (g2p.py), they
come out right (docs/benchmarks.md, "Speech recognition"). Hindi in Devanagari is not in
the model; Hinglish said in Latin-script words is (the sentence shapes below).

Out-of-grammar speech: the top rule is `<command> | <garbage>`, where `<garbage>` is a
loop of single-phone words with a penalty (GARBAGE_WEIGHT). Speech that fits no command
scores better on the free phone loop and comes back as garbage, which the recogniser
returns as "" (unknown) rather than the nearest command.

Built once per shop and cached in the process while the shop's names are unchanged
(`shop_grammar`): the stamp is the customer search's version counter (bumped by the
customer services) plus a count/max-id/max-updated aggregate of customers and products.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tempfile
import threading
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.db.models import Count, Max

from voice.speech.g2p import english_phones_many, indian_phones, pronunciations

GRAMMAR_MAX_SHOPS = 32
GRAMMAR_MAX_AGE_SECONDS = 600.0
# The garbage loop's entry weight against a command (JSGF weights are relative).
GARBAGE_WEIGHT = 0.1
# The garbage loop's probability of going on to one more phone.
GARBAGE_LOOP = 1.0
# What the garbage loop is made of: "words", "phones" or "both".
GARBAGE_KIND = "phones"
# Prefix of the garbage loop's words; the recogniser drops them from transcripts.
GARBAGE_PREFIX = "gbg"

WAKE_PHRASES = ("suno execora", "hey execora", "hi execora", "okay execora")

# --- Phrases, in JSGF (lower case; `<customer>`, `<amount>`... are rules below) ---------

_RULES = r"""
<rs> = rupees | rupaye | rupee;
<mode> = cash | upi | g pay | google pay | phone pe | paytm | card | cheque | bank transfer | neft;
<mode_hi> = cash | nakad | upi | g pay | google pay | phone pe | paytm | card | cheque | neft;
<by> = by | in | through | via;
<money> = <amount> [<rs>];

<item> = <qty> [<unit>] <product>;
<item_en> = <qty_en> [<unit>] <product>;
<items_en> = <item_en> [[and] <item_en>] [and <item_en>];
<items_hi> = <item> [[aur] <item>] [aur <item>];

<ampm> = a m | p m;
<when_hi> = (aaj | kal | parson) [subah | dopahar | shaam | raat] [<n_small> baje];
<when_en> = (today | tomorrow | the day after tomorrow) [morning | afternoon | evening | night]
    [at <n_small> [<ampm> | o clock]] | in <n_small> (hours | hour);

<after_customer> = paid [me] [back] <money> [<by> <mode>]
    | gave [me] <money> [<by> <mode>]
    | took <money> on credit
    | owes <money> more
    | ne <money> ([<mode_hi>] (diye | de diye | jama kiye | bheje | lauta diye) [<mode_hi> se]
        | ka saman udhaar liya)
    | ko (<money> [ka] udhaar (likho | likh do | diya | de do | chadha do)
        | bill (whatsapp kar do | bhejo)
        | <when_hi> ([<money> ka] reminder bhejo | yaad dilao))
    | ka (kitna baaki hai | balance (batao | kitna hai) | <money> aa gaya [<mode_hi> par]
        | bill (banao <items_hi> | cancel karo) | reminder (cancel karo | <when_hi> kar do)
        | hisaab bhejo | statement bhejo)
    | ke (khate mein <money> [udhaar] likh do | naam <money> udhaar likho
        | kitne paise baaki hain | liye bill banao <items_hi>);

<english_first> = record [a] payment of <money> from <customer> [<by> <mode>]
    | (received | got) <money> from <customer> [<by> <mode>]
    | add (<money> (to <customer> [s] (account | dues | khata) | credit (to | for) <customer>)
        | <qty> [<unit>] <product> to stock | [a] new customer <new_name>)
    | give <money> credit to <customer>
    | what is (<customer> s balance | the balance of <customer>)
    | how much (does <customer> owe | <product> (is left | do we have))
    | check ([the] balance of <customer> | <customer> s balance | [the] stock of <product>)
    | (make | create) [a] bill (for <customer> [with] <items_en>
        | /0.005/ [of] <items_en> [for <customer>])
    | create [a] new customer <new_name>
    | cancel (the last bill | [the] last invoice | invoice [number] <amount>
        | <customer> s (bill | reminder) | [the] reminder for <customer> | it)
    | send ([the] bill to <customer> | [the] invoice to <customer> | [the] statement to <customer>
        | <customer> s statement | [a] reminder to <customer> <when_en> [for <money>])
    | remind <customer> <when_en> [for <money>]
    | set ([a] reminder for <customer> <when_en> | [the] price of <product> to <money> [per <unit>])
    | (move | change) <customer> s reminder to <when_en>
    | show ([all] reminders | today s (reminders | sales) | total dues)
    | today s (reminders | sales | summary)
    | what are today s sales | what can you do | who owes [me] money | total dues
    | undo [the last entry] | help;

<after_product> = kitni bachi hai | kitna bacha hai
    | ka (stock (batao | <qty> [<unit>] badhao) | rate <money> [<unit>] kar do
        | daam <money> kar do);

<hinglish_other> = <qty> [<unit>] <product> stock mein daalo
    | (last | pichla) bill cancel karo | /0.005/ bill banao <items_hi>
    | aaj (ke reminders dikhao | ki bikri kitni hui | ka hisaab batao)
    | kal ki bikri kitni thi | reminders dikhao
    | kis kis ka paisa baaki hai | sabka baaki batao
    | naya customer <new_name>
    | haan [ji] | yes | theek hai | kar do | okay | ok | nahi | no | mat karo | ruko
    | galat ho gaya wapas lo | wapas lo | tum kya kya kar sakte ho;

<command> = <customer> <after_customer> | <english_first> | <product> <after_product>
    | <hinglish_other>;
"""

# Numbers as the parser reads them: English words ("two thousand five hundred") and Hindi
# counting words ("dhai sau", "do hazaar paanch sau"). No "and" inside English numbers
# ("two thousand and fifty" is read as 2000 by the parser).
_NUMBERS = r"""
<u_en> = one | two | three | four | five | six | seven | eight | nine;
<teen_en> = ten | eleven | twelve | thirteen | fourteen | fifteen | sixteen | seventeen
    | eighteen | nineteen;
<ten_en> = twenty | thirty | forty | fifty | sixty | seventy | eighty | ninety;
<n99_en> = <u_en> | <teen_en> | <ten_en> [<u_en>];
<n999_en> = <n99_en> | <u_en> hundred [<n99_en>] | <teen_en> hundred [<n99_en>];
<num_en> = <n999_en> | <n99_en> thousand [<u_en> hundred] [<n99_en>]
    | <n99_en> lakh [<n99_en> thousand];
<u_hi> = ek | do | teen | chaar | paanch | chhe | saat | aath | nau;
<n99_hi> = <u_hi> | das | gyaarah | baarah | pandrah | bees | pachchees | tees | chaalees
    | pachaas | saath | sattar | assi | nabbe;
<frac_hi> = dedh | dhai | sava | saadhe <u_hi>;
<num_hi> = <n99_hi> | [<u_hi> | <frac_hi>] sau [<n99_hi>]
    | [<n99_hi> | <frac_hi>] hazaar [<u_hi> sau] [<n99_hi>] | [<n99_hi> | <frac_hi>] lakh;
<amount> = <num_en> | <num_hi>;
<n_small> = <u_en> | ten | eleven | twelve | <u_hi> | das | gyaarah | baarah;
<qty_en> = <n99_en> | half | a | an;
<qty> = <qty_en> | <n99_hi> | aadha | dedh | dhai;
<unit> = kilo | kilogram | gram | grams | litre | litres | packet | packets | piece | pieces | dozen
    | box | bag | bottle | bottles;
"""

# Products every shop sells by their common names, beside the shop's own list.
_COMMON_PRODUCTS = [
    "cheeni",
    "sugar",
    "tel",
    "oil",
    "atta",
    "chawal",
    "rice",
    "dal",
    "doodh",
    "milk",
    "paneer",
    "dahi",
    "ghee",
    "namak",
    "salt",
    "besan",
    "maida",
    "chai",
    "tea",
    "coffee",
    "ande",
    "eggs",
    "aloo",
    "potato",
    "pyaaz",
    "onion",
    "tamatar",
    "sabun",
    "soap",
    "biscuit",
    "bread",
    "haldi",
    "mirchi",
    "masala",
    "maggi",
]

# A few common names so "naya customer ..." can be said for a name the shop lacks.
_NEW_NAMES = [
    "ramesh",
    "suresh",
    "mahesh",
    "rajesh",
    "mukesh",
    "dinesh",
    "ganesh",
    "sunil",
    "anil",
    "raju",
    "ravi",
    "amit",
    "sanjay",
    "vijay",
    "ajay",
    "manoj",
    "rakesh",
    "deepak",
    "pooja",
    "priya",
    "neha",
    "sunita",
    "anita",
    "geeta",
    "seema",
    "kavita",
    "rekha",
    "lakshmi",
    "meena",
    "asha",
    "usha",
    "rani",
    "kumar",
    "sharma",
    "gupta",
    "verma",
    "singh",
    "yadav",
    "patel",
    "khan",
    "shah",
    "joshi",
    "mishra",
    "pandey",
    "agarwal",
    "jain",
    "reddy",
    "nair",
    "das",
]

# Hand-made pronunciations where neither the dictionary nor g2p gets it right.
_FIXED_PRONUNCIATIONS: dict[str, list[list[str]]] = {
    "execora": [
        ["EH", "K", "S", "EH", "K", "AO", "R", "AH"],
        ["EH", "G", "Z", "EH", "K", "AO", "R", "AH"],
        ["EH", "K", "S", "IH", "K", "AO", "R", "AH"],
    ],
    "upi": [["Y", "UW", "P", "IY", "AY"], ["UW", "P", "IY"]],
    "neft": [["N", "EH", "F", "T"], ["EH", "N", "IY", "EH", "F", "T", "IY"]],
    "paytm": [["P", "EY", "T", "IY", "EH", "M"]],
    "pe": [["P", "EY"]],
    "kilo": [["K", "IH", "L", "OW"], ["K", "IY", "L", "OW"]],
    "litre": [["L", "IY", "T", "ER"], ["L", "IY", "T", "R", "AH"]],
    "g": [["JH", "IY"]],
    "m": [["EH", "M"]],
    "s": [["Z"], ["S"], ["IH", "Z"]],
    "do": [["D", "OW"], ["D", "UW"]],
    "ko": [["K", "OW"]],
    "ne": [["N", "EY"]],
    "ka": [["K", "AA"]],
    "ke": [["K", "EY"]],
    "ki": [["K", "IY"]],
    "se": [["S", "EY"]],
    "hai": [["HH", "EH"], ["HH", "AY"]],
    "hain": [["HH", "EH", "N"], ["HH", "AY", "N"]],
    "chhe": [["CH", "EY"], ["CH", "EH"]],
    "saath": [["S", "AA", "T"], ["S", "AA", "TH"]],
    "mein": [["M", "EY", "N"], ["M", "EH", "N"]],
    "kal": [["K", "AH", "L"], ["K", "AE", "L"]],
    "tel": [["T", "EY", "L"], ["T", "EH", "L"]],
    "haan": [["HH", "AA", "N"]],
    "nahi": [["N", "AH", "HH", "IY"], ["N", "AA", "HH", "IY"], ["N", "AA", "HH", "AY"]],
}

# Everyday English words (and a few Hindi ones) for the garbage loop: speech that is no
# command matches a loop of words better than the grammar, while noise, unlike speech,
# does not fit multi-phone words well (a loop of single phones swallowed noisy commands).
_GARBAGE_WORDS = """the a an and or but if of to in on at by for with from up about into over
    after before is are was were be been being have has had do does did will would can could
    should may might must i you he she it we they me him her us them my your his its our their
    this that these those what which who when where why how all any both each few more most
    other some such no nor not only own same so than too very just now then there here out
    again once go going went come came get got make made take took see saw know knew think
    thought say said tell told give gave find look want like need feel try call work play
    run walk talk eat drink sleep read write sit stand live day night time year week month
    morning evening today tomorrow yesterday home house school office road car bus train
    water food rain weather phone music movie game match friend brother sister mother father
    son daughter children people man woman doctor teacher city village market new old good
    bad big small long little red green blue white black nice late early hot cold happy
    okay yeah well really thing things way world life hand eye head one two three four five
    ten hundred thousand first last next never always sometimes often please thanks sorry
    hello yes haan nahi kya hai hain main tum aap woh yeh kaise kahan kab kyun accha theek
    bahut chalo ghar kaam paani khana""".split()  # noqa: SIM905 - a word list reads better so

# One single-phone word per CMU phone: the garbage loop's alphabet.
_PHONES = [
    "AA",
    "AE",
    "AH",
    "AO",
    "AW",
    "AY",
    "B",
    "CH",
    "D",
    "DH",
    "EH",
    "ER",
    "EY",
    "F",
    "G",
    "HH",
    "IH",
    "IY",
    "JH",
    "K",
    "L",
    "M",
    "N",
    "NG",
    "OW",
    "OY",
    "P",
    "R",
    "S",
    "SH",
    "T",
    "TH",
    "UH",
    "UW",
    "V",
    "W",
    "Y",
    "Z",
    "ZH",
]


@dataclass(frozen=True)
class ShopGrammar:
    """A shop's grammar, compiled to a compact finite-state graph, and its pronunciations."""

    jsgf: str
    # (from, to, probability, word or None for an epsilon) — pocketsphinx's create_fsg input.
    transitions: list[tuple]
    start: int
    final: int
    dictionary: dict[str, list[list[str]]]
    # Spoken word → how to write it in a transcript ("ramesh" → "Ramesh").
    display: dict[str, str] = field(default_factory=dict)
    key: str = ""
    built_in_ms: float = 0.0

    def accepts(self, words: list[str]) -> bool:
        """Whether the graph can say exactly `words` (pocketsphinx returns a partial path,
        with only an error in its log, when no path reached the end)."""
        index = self._index()
        states = {self.start}
        for word in words:
            states = {t for s in states for t in index.get((s, word), ())}
            if not states:
                return False
        return any(self.final in index.get((s, None), ()) for s in states)

    def _index(self) -> dict[tuple[int, str | None], set[int]]:
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = defaultdict(set)
            for t in self.transitions:
                cached[(t[0], t[3] if len(t) > 3 else None)].add(t[1])
            object.__setattr__(self, "_index_cache", dict(cached))
        return self.__dict__["_index_cache"]

    def dictionary_text(self) -> str:
        lines = []
        for word in sorted(self.dictionary):
            for n, phones in enumerate(self.dictionary[word]):
                name = word if n == 0 else f"{word}({n + 1})"
                lines.append(f"{name} {' '.join(phones)}")
        return "\n".join(lines) + "\n"


def spoken_words(name: str) -> list[str]:
    """A name as the grammar's words: lower case, letters only ("Gupta-ji's" → gupta ji s)."""
    text = name.casefold().replace("'", " ")
    return [w for w in re.split(r"[^a-z]+", text) if w]


def _alternatives(phrases: list[str]) -> str:
    unique = sorted({p for p in phrases if p})
    return " | ".join(unique) if unique else "<VOID>"


@functools.lru_cache(maxsize=1)
def _cmudict() -> dict[str, list[list[str]]]:
    from pocketsphinx import get_model_path

    result: dict[str, list[list[str]]] = {}
    path = Path(get_model_path()) / "en-us" / "cmudict-en-us.dict"
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if not parts:
                continue
            word = re.sub(r"\(\d+\)$", "", parts[0])
            result.setdefault(word, []).append(parts[1:])
    return result


def grammar_build(
    *, customers: list[str], products: list[str], garbage: bool = True
) -> ShopGrammar:
    """The grammar for a shop with these customer and product names (and aliases)."""
    started = time.perf_counter()
    display: dict[str, str] = {}
    customer_phrases: list[str] = []
    for name in customers:
        words = spoken_words(name)
        if words:
            customer_phrases.append(" ".join(words))
            for surface in re.findall(r"[A-Za-z]+", name):
                display.setdefault(surface.casefold(), surface)
    product_phrases = [" ".join(spoken_words(p)) for p in [*products, *_COMMON_PRODUCTS]]
    # A customer is said by full name, first name or surname ("Ramesh", "Kumar ji").
    said: list[str] = []
    for phrase in customer_phrases:
        parts = phrase.split()
        said.append(phrase)
        said.extend(parts if len(parts) > 1 else [])
    customer_rule = f"<customer> = ({_alternatives(said)}) [ji | bhai];"
    product_rule = f"<product> = {_alternatives(product_phrases)};"
    new_name_rule = f"<new_name> = ({_alternatives(_NEW_NAMES)}) [{_alternatives(_NEW_NAMES)}];"
    wake_rule = f"<wake> = {_alternatives(list(WAKE_PHRASES))};"
    jsgf = "\n".join(
        [
            "#JSGF V1.0;",
            "grammar execora;",
            "public <utterance> = <wake> | [<wake>] <command>;",
            wake_rule,
            customer_rule,
            product_rule,
            new_name_rule,
            _NUMBERS,
            _RULES,
        ]
    )
    words = set(re.findall(r"(?<![<\w])([a-z]+)(?![\w>])", _strip_rule_names(jsgf)))
    names = {w for phrase in [*customer_phrases, *product_phrases] for w in phrase.split()}
    dictionary = _pronounce(words, names=names)
    transitions, start, final = _compile(jsgf)
    if garbage:
        transitions = _add_garbage(transitions, start, final)
        dictionary.update(_garbage_dictionary())
    key = hashlib.sha256(
        repr((sorted(dictionary.items()), transitions, start, final)).encode()
    ).hexdigest()[:16]
    ms = (time.perf_counter() - started) * 1000
    return ShopGrammar(
        jsgf=jsgf,
        transitions=transitions,
        start=start,
        final=final,
        dictionary=dictionary,
        display=display,
        key=key,
        built_in_ms=ms,
    )


def _compile(jsgf: str) -> tuple[list[tuple], int, int]:
    """JSGF → pocketsphinx's FSG → a compact epsilon-free graph.

    pocketsphinx's own JSGF compiler expands every rule reference with chains of epsilon
    transitions (8 000 states and 63 000 epsilons for this grammar), and the decoder follows
    those on every word exit: 0.3× real time. Without them, and with states of equal
    futures merged, it is ~450 states and ~9 000 word transitions, 0.05–0.1× real time.
    """
    from pocketsphinx import Jsgf, LogMath

    with tempfile.TemporaryDirectory(prefix="execora-jsgf-") as tmp:
        path = Path(tmp) / "g.jsgf"
        path.write_text(jsgf, encoding="utf-8")
        grammar = Jsgf(str(path))
        fsg = grammar.build_fsg(grammar.get_rule("execora.utterance"), LogMath(), 1.0)
        fsg.writefile(str(Path(tmp) / "g.fsg"))
        text = (Path(tmp) / "g.fsg").read_text(encoding="utf-8")
    return compact_fsg(text)


def compact_fsg(text: str) -> tuple[list[tuple], int, int]:
    """An FSG file's graph without epsilon transitions, equal-future states merged.

    Returns (transitions, start, final); the one epsilon kind left is "this state may end
    the sentence" (an epsilon to the final state)."""
    words: dict[int, list[tuple[int, float, str]]] = defaultdict(list)
    eps: dict[int, list[tuple[int, float]]] = defaultdict(list)
    start = final = 0
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "START_STATE":
            start = int(parts[1])
        elif parts[0] == "FINAL_STATE":
            final = int(parts[1])
        elif parts[0] == "TRANSITION":
            a, b, prob = int(parts[1]), int(parts[2]), float(parts[3])
            if len(parts) > 4:
                words[a].append((b, prob, parts[4]))
            else:
                eps[a].append((b, prob))

    def closure(state: int) -> dict[int, float]:
        best = {state: 1.0}
        stack = [state]
        while stack:
            r = stack.pop()
            for t, q in eps[r]:
                value = best[r] * q
                if value > best.get(t, 0.0):
                    best[t] = value
                    stack.append(t)
        return best

    arcs: dict[int, dict[tuple[int, str], float]] = {}
    ends: dict[int, float] = {}
    todo, seen = [start], {start}
    while todo:
        s = todo.pop()
        out: dict[tuple[int, str], float] = {}
        for r, p in closure(s).items():
            if r == final:
                ends[s] = max(ends.get(s, 0.0), p)
            for t, q, w in words[r]:
                out[(t, w)] = max(out.get((t, w), 0.0), p * q)
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        arcs[s] = out
    # Merge states whose futures are identical: one pass from the final states backwards
    # (the command graph is acyclic), so a state's successors are settled before it.
    rep = {s: s for s in arcs}
    signatures: dict[tuple, int] = {}
    for s in _reverse_topological(arcs):
        sig = (
            round(ends.get(s, 0.0), 6),
            s == start,
            frozenset([(rep[t], w, round(q, 6)) for (t, w), q in arcs[s].items()]),
        )
        rep[s] = signatures.setdefault(sig, s)
    keep = sorted(s for s in arcs if rep[s] == s)
    index = {s: i for i, s in enumerate(keep)}
    new_final = len(keep)
    transitions: list[tuple] = []
    for s in keep:
        merged: dict[tuple[int, str], float] = {}
        for (t, w), q in arcs[s].items():
            key = (index[rep[t]], w)
            merged[key] = max(merged.get(key, 0.0), q)
        transitions.extend((index[s], t, q, w) for (t, w), q in sorted(merged.items()))
        if s in ends:
            transitions.append((index[s], new_final, ends[s]))
    return transitions, index[start], new_final


def _reverse_topological(arcs: dict[int, dict[tuple[int, str], float]]) -> list[int]:
    """States with every successor before the state itself (ValueError on a cycle)."""
    order: list[int] = []
    state_of: dict[int, int] = {}  # 1 = on the stack, 2 = done
    for root in arcs:
        if root in state_of:
            continue
        stack = [(root, iter({t for t, _ in arcs[root]}))]
        state_of[root] = 1
        while stack:
            node, successors = stack[-1]
            for t in successors:
                if state_of.get(t) == 1:
                    raise ValueError("the command grammar has a cycle")
                if t not in state_of:
                    state_of[t] = 1
                    stack.append((t, iter({u for u, _ in arcs.get(t, {})})))
                    break
            else:
                stack.pop()
                state_of[node] = 2
                order.append(node)
    return order


def _garbage_vocabulary() -> list[tuple[str, list[str]]]:
    """(word, phones) of the garbage loop: everyday words, and single phones if asked."""
    cmu = _cmudict()
    entries: list[tuple[str, list[str]]] = []
    if GARBAGE_KIND in ("words", "both"):
        for word in _GARBAGE_WORDS:
            phones = cmu.get(word, [None])[0] or indian_phones(word)
            entries.append((f"{GARBAGE_PREFIX}{word}", phones))
    if GARBAGE_KIND in ("phones", "both"):
        entries.extend((f"{GARBAGE_PREFIX}{p.lower()}", [p]) for p in _PHONES)
    return entries


def _garbage_dictionary() -> dict[str, list[list[str]]]:
    return {word: [phones] for word, phones in _garbage_vocabulary()}


def _add_garbage(transitions: list[tuple], start: int, final: int) -> list[tuple]:
    """A loop of garbage words beside the commands: what fits no command ends here."""
    loop = max(max(t[0], t[1]) for t in transitions) + 1
    vocabulary = _garbage_vocabulary()
    n = len(vocabulary)
    added = []
    for word, _ in vocabulary:
        added.append((start, loop, GARBAGE_WEIGHT / n, word))
        added.append((loop, loop, min(1.0, GARBAGE_LOOP / n), word))
    added.append((loop, final, 1.0))
    return [*transitions, *added]


def _strip_rule_names(jsgf: str) -> str:
    body = "\n".join(line for line in jsgf.splitlines() if not line.startswith(("#", "grammar")))
    body = re.sub(r"<[^>]*>", " ", body)
    body = re.sub(r"/[^/]*/", " ", body)
    return body.replace("public", " ")


def _pronounce(words: set[str], *, names: set[str]) -> dict[str, list[list[str]]]:
    cmu = _cmudict()
    dictionary: dict[str, list[list[str]]] = {}
    missing: list[str] = []
    for word in sorted(words):
        if word.startswith(GARBAGE_PREFIX):
            continue
        if word in _FIXED_PRONUNCIATIONS:
            dictionary[word] = [list(p) for p in _FIXED_PRONUNCIATIONS[word]]
        elif word in cmu:
            dictionary[word] = [list(p) for p in cmu[word]]
        else:
            missing.append(word)
    guessed = pronunciations(missing)
    for word in missing:
        if word in guessed:
            dictionary[word] = guessed[word]
    # Indian names the US dictionary has with an American reading ("suresh" S ER EH SH)
    # get the Hindi reading beside it.
    # Names the US dictionary has get the Hindi reading and espeak-ng's English reading
    # beside its own ("ramesh": R AA M EH SH, R AH M EY SH, R EY M AH SH).
    known = sorted(w for w in names & set(dictionary) if w not in guessed and len(w) >= 3)
    known = [w for w in known if w not in _FIXED_PRONUNCIATIONS]
    english = english_phones_many(known)
    for word in known:
        for variant in (indian_phones(word), english.get(word, [])):
            if variant and variant not in dictionary[word]:
                dictionary[word].append(variant)
    return dictionary


# --- Per-shop cache ---------------------------------------------------------------------------

_grammars: OrderedDict[int, tuple[tuple, float, ShopGrammar]] = OrderedDict()
_grammars_lock = threading.Lock()


def _names(business_id: int) -> tuple[list[str], list[str]]:
    from customers.models import Customer
    from products.models import Product

    customers: list[str] = []
    for name, aliases in Customer.objects.filter(business_id=business_id).values_list(
        "name", "aliases"
    ):
        customers.append(name)
        customers.extend(a for a in (aliases or []) if isinstance(a, str))
    products: list[str] = []
    for name, aliases in Product.objects.filter(
        business_id=business_id, is_active=True
    ).values_list("name", "aliases"):
        products.append(name)
        products.extend(a for a in (aliases or []) if isinstance(a, str))
    return customers, products


@functools.lru_cache(maxsize=GRAMMAR_MAX_SHOPS)
def _grammar_for_names(customers: tuple[str, ...], products: tuple[str, ...]) -> ShopGrammar:
    # Shops with the same names (a chain's branches, tests) share one build.
    return grammar_build(customers=list(customers), products=list(products))


def grammar_stamp(business_id: int) -> tuple:
    """What changes when the shop's names may have changed (~2 ms: two aggregates)."""
    from customers.models import Customer
    from customers.search import _version_key
    from products.models import Product

    try:
        version = cache.get(_version_key(business_id), 0)
    except Exception:
        version = None  # no shared cache: the aggregates still move
    aggregate = {"count": Count("pk"), "top": Max("pk"), "changed": Max("updated_at")}
    c = Customer.objects.filter(business_id=business_id).aggregate(**aggregate)
    p = Product.objects.filter(business_id=business_id).aggregate(**aggregate)
    return (version, *c.values(), *p.values())


def shop_grammar(*, business_id: int) -> ShopGrammar:
    """The shop's grammar, rebuilt only when its names may have changed (or it is old)."""
    stamp = grammar_stamp(business_id)
    now = time.monotonic()
    with _grammars_lock:
        cached = _grammars.get(business_id)
        if cached and cached[0] == stamp and now - cached[1] < GRAMMAR_MAX_AGE_SECONDS:
            _grammars.move_to_end(business_id)
            return cached[2]
    customers, products = _names(business_id)
    grammar = _grammar_for_names(tuple(sorted(customers)), tuple(sorted(products)))
    with _grammars_lock:
        previous = _grammars.get(business_id)
        if previous and previous[2].key == grammar.key:
            grammar = previous[2]  # same text: keep the object, so decoders stay cached
        _grammars[business_id] = (stamp, now, grammar)
        _grammars.move_to_end(business_id)
        while len(_grammars) > GRAMMAR_MAX_SHOPS:
            _grammars.popitem(last=False)
    return grammar
