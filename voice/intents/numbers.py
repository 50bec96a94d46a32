"""Numbers as shopkeepers say them, in English, Hinglish and Devanagari.

"paanch sau" 500, "ek hazaar do sau" 1200, "dedh hazaar" 1500, "dhai sau" 250,
"sava do sau" 225, "paune do sau" 175, "saadhe teen sau" 350, "aadha" 0.5,
"paav" 0.25, "2.5 lakh" 250000, "1,25,000", "fifteen hundred", "twenty-five",
"one thousand two hundred", "seven fifty" 750, "5k" 5000, "half a kilo" 0.5.

`merge_numbers` turns each run of number tokens into one NUM token whose
`value` is a Decimal (never a float) and whose flags say how it was said.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from voice.intents.lexicon import CURRENCY, KA, tags_of
from voice.intents.tokens import NUM, WORD, Token, fold

D = Decimal

_HINDI = {
    1: "ek ik एक",
    2: "do दो",
    3: "teen tin तीन",
    4: "chaar char chaar चार",
    5: "paanch panch paach panc पांच पाँच",
    6: "chhah chhe chah che chha cheh chhe छह छः छे",  # not "chhai": it folds to chai (tea)
    7: "saat sat सात",
    8: "aath ath आठ",
    9: "nau नौ",
    10: "das dus dass दस",
    11: "gyarah gyara gyaarah igyarah ग्यारह",
    12: "barah bara baarah बारह",
    13: "terah tera तेरह",
    14: "chaudah chauda chodah चौदह",
    15: "pandrah pandra pandhrah pundrah पंद्रह पन्द्रह",
    16: "solah sola सोलह",
    17: "satrah satra सत्रह",
    18: "atharah athara athaarah attharah अठारह",
    19: "unnees unnis unees उन्नीस",
    20: "bees bis बीस",
    21: "ikkees ikkis इक्कीस",
    22: "baees bais baaees baais बाईस",
    23: "teis teyees teyis तेईस",
    24: "chaubees chaubis chobis चौबीस",
    25: "pachees pachchees pachis pachchis pacchis pacchees पच्चीस",
    26: "chhabbees chhabbis chabbis छब्बीस",
    27: "sattaees sattais satais सत्ताईस",
    28: "atthaees atthais athais अट्ठाईस",
    29: "untees untis उनतीस",
    30: "tees tis तीस",
    31: "iktees ikattees iktis इकतीस",
    32: "battees battis बत्तीस",
    33: "taintees taintis tetis तैंतीस",
    34: "chauntees chauntis chontis चौंतीस",
    35: "paintees paintis pentis पैंतीस",
    36: "chhattees chhattis chattis छत्तीस",
    37: "saintees saintis सैंतीस",
    38: "adtees adtis artis अड़तीस",
    39: "untaalees untalis उनतालीस",
    40: "chaalees chalis chaalis चालीस",
    41: "iktaalees iktalis इकतालीस",
    42: "bayaalees bayalis बयालीस",
    43: "taintaalees taintalis तैंतालीस",
    44: "chavaalees chavalis chauvalis चवालीस",
    45: "paintaalees paintalis पैंतालीस",
    46: "chhiyaalees chhiyalis छियालीस",
    47: "saintaalees saintalis सैंतालीस",
    48: "adtaalees adtalis artalis अड़तालीस",
    49: "unchaas unchas उनचास",
    50: "pachaas pachas पचास",
    51: "ikyaavan ikyavan इक्यावन",
    52: "baavan bavan बावन",
    53: "tirpan tirepan तिरपन",
    54: "chauvan chauwan चौवन",
    55: "pachpan पचपन",
    56: "chhappan chappan छप्पन",
    57: "sattaavan sattavan सत्तावन",
    58: "atthaavan atthavan अट्ठावन",
    59: "unsath उनसठ",
    60: "saath sath साठ",
    61: "iksath इकसठ",
    62: "baasath basath बासठ",
    63: "tirsath tresath तिरसठ",
    64: "chaunsath chausath चौंसठ",
    65: "painsath पैंसठ",
    66: "chhiyaasath chhiyasath छियासठ",
    67: "sadsath सड़सठ",
    68: "adsath arsath अड़सठ",
    69: "unhattar उनहत्तर",
    70: "sattar सत्तर",
    71: "ikhattar ikahattar इकहत्तर",
    72: "bahattar बहत्तर",
    73: "tihattar तिहत्तर",
    74: "chauhattar चौहत्तर",
    75: "pachhattar pachattar पचहत्तर",
    76: "chhihattar छिहत्तर",
    77: "sathattar satattar सतहत्तर",
    78: "athhattar athattar अठहत्तर",
    79: "unaasi unyasi उन्यासी उनासी",
    80: "assi अस्सी",
    81: "ikyaasi इक्यासी",
    82: "bayaasi बयासी",
    83: "tiraasi तिरासी",
    84: "chauraasi चौरासी",
    85: "pachaasi पचासी",
    86: "chhiyaasi छियासी",
    87: "sattaasi सत्तासी",
    88: "atthaasi अट्ठासी",
    89: "navaasi nawasi नवासी",
    90: "nabbe नब्बे",
    91: "ikyaanave इक्यानवे",
    92: "baanave बानवे",
    93: "tiraanave तिरानवे",
    94: "chauraanave चौरानवे",
    95: "pachaanave पचानवे",
    96: "chhiyaanave छियानवे",
    97: "sattaanave सत्तानवे",
    98: "atthaanave अट्ठानवे",
    99: "ninyaanave निन्यानवे",
}
_ENGLISH = {
    0: "zero",
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
    13: "thirteen",
    14: "fourteen",
    15: "fifteen",
    16: "sixteen",
    17: "seventeen",
    18: "eighteen",
    19: "nineteen",
    20: "twenty",
    30: "thirty",
    40: "forty fourty",
    50: "fifty",
    60: "sixty",
    70: "seventy",
    80: "eighty",
    90: "ninety",
}
_MULTIPLIERS = {
    100: "sau sao सौ hundred hundreds",
    1000: "hazaar hazar hajaar hajar hazzar hajjar हज़ार हजार thousand thousands k",
    100_000: "lakh lac lakhs lacs laakh laakhs लाख",
    10_000_000: "crore crores karod karor cr करोड़ करोड",
}
# A fixed fraction said as one word: dedh 1.5, dhai 2.5, aadha 0.5, paav 0.25.
_FIXED = {
    D("1.5"): "dedh dhed deidh derh dedha डेढ़ डेढ",
    D("2.5"): "dhai dhaai dhaayi adhai arhai adhaai ढाई",
    D("0.5"): "aadha adha aadhe adhe aadhi adhi half आधा आधे आधी",
    D("0.25"): "paav pav pao paw quarter पाव पौआ",
}
# A fraction word that changes the number after it: sava do = 2.25, paune do = 1.75.
_PREFIXES = {
    "sava": "sava savaa sawa sawaa सवा",
    "paune": "paune pone paun pauney पौने",
    "saadhe": "saadhe saade sadhe sade saadhey साढ़े साढे",
}

_WORD_VALUES: dict[str, int] = {}
_ENGLISH_KEYS: set[str] = set()
for _value, _words in _HINDI.items():
    for _w in _words.split():
        _WORD_VALUES[fold(_w)] = _value
for _value, _words in _ENGLISH.items():
    for _w in _words.split():
        _WORD_VALUES[fold(_w)] = _value
        _ENGLISH_KEYS.add(fold(_w))
MULTIPLIER_VALUES = {fold(w): v for v, ws in _MULTIPLIERS.items() for w in ws.split()}
FIXED_VALUES = {fold(w): v for v, ws in _FIXED.items() for w in ws.split()}
PREFIX_KINDS = {fold(w): kind for kind, ws in _PREFIXES.items() for w in ws.split()}
PAAV_KEYS = frozenset(fold(w) for w in _FIXED[D("0.25")].split() if w != "quarter")

NUMBER_WORDS = frozenset(_WORD_VALUES) | frozenset(MULTIPLIER_VALUES) | frozenset(FIXED_VALUES)
NUMBER_WORDS |= frozenset(PREFIX_KINDS)

_ARTICLES = frozenset({"a", "an"})
_AND = frozenset({"and", fold("aur")})
_SAATH_WITH = frozenset({"ke", "ki", "ka"})  # "ke saath" is "with", not 60


def to_decimal_string(value: Decimal) -> str:
    """ "1500", "0.5", "250000": plain digits, no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def parse_digits(text: str) -> Decimal | None:
    """ "1,250" -> 1250, "2.5" -> 2.5; None when it is not a number."""
    try:
        return D(text.replace(",", ""))
    except InvalidOperation:
        return None


def merge_numbers(
    tokens: list[Token],
    *,
    is_do_number: Callable[[list[Token], int], bool],
) -> list[Token]:
    """Replace each run of number tokens by one NUM token carrying its value.

    `is_do_number(tokens, i)` decides whether the word "do" at i is the number
    two or the imperative ("kar do"); the parser knows the verbs, so it decides.
    """
    out: list[Token] = []
    i = 0
    n = len(tokens)
    while i < n:
        end, value, flags = _read_number(tokens, i, is_do_number)
        if end > i and value is not None:
            first, last = tokens[i], tokens[end - 1]
            out.append(
                Token(
                    text=" ".join(t.text for t in tokens[i:end]),
                    key=to_decimal_string(value),
                    kind=NUM,
                    start=first.start,
                    end=last.end,
                    value=value,
                    words=flags["words"],
                    fraction=flags["fraction"],
                    article=flags["article"],
                    ordinal=last.ordinal,
                    paav=flags["paav"],
                )
            )
            i = end
            continue
        out.append(tokens[i])
        i += 1
    return out


def _classify(
    tokens: list[Token], i: int, is_do_number: Callable[[list[Token], int], bool]
) -> tuple[str, Decimal] | tuple[str, str] | None:
    token = tokens[i]
    if token.kind == NUM:
        value = parse_digits(token.key)
        return ("base", value) if value is not None else None
    if token.kind != WORD:
        return None
    key = token.key
    if key in PREFIX_KINDS:
        return ("prefix", PREFIX_KINDS[key])
    if key in FIXED_VALUES:
        return ("fixed", FIXED_VALUES[key])
    if key in MULTIPLIER_VALUES:
        if key == "k" and (i == 0 or tokens[i - 1].kind != NUM):
            return None  # "5k": only glued to, or right after, a number
        return ("mult", D(MULTIPLIER_VALUES[key]))
    if "-" in key:  # twenty-five
        parts = key.split("-")
        if len(parts) == 2 and all(p in _WORD_VALUES for p in parts):
            tens, units = (_WORD_VALUES[p] for p in parts)
            if tens % 10 == 0 and 20 <= tens <= 90 and 0 < units < 10:
                return ("base", D(tens + units))
        return None
    if key in _WORD_VALUES:
        if key == "do" and not is_do_number(tokens, i):
            return None
        if _surname(tokens, i):
            return None
        if key == fold("saath") and i > 0 and tokens[i - 1].key in _SAATH_WITH:
            return None
        return ("base", D(_WORD_VALUES[key]))
    return None


def _read_number(
    tokens: list[Token], i: int, is_do_number: Callable[[list[Token], int], bool]
) -> tuple[int, Decimal | None, dict[str, bool]]:
    flags = {"words": False, "fraction": False, "article": False, "paav": False}
    n = len(tokens)
    # "a kilo", "an hour": the article is the number one before a unit or time word.
    if tokens[i].kind == WORD and tokens[i].key in _ARTICLES:
        return i, None, flags
    total = D(0)
    current: Decimal | None = None
    prefix: str | None = None
    last: str | None = None  # "base", "mult", "prefix"
    last_scale = D(0)
    single_english = False  # current is one English word under 100 ("seven", "twelve")
    pos = i
    while pos < n:
        kind = _classify(tokens, pos, is_do_number)
        if kind is None:
            break
        what, val = kind
        token = tokens[pos]
        if what == "prefix":
            if last is not None:
                break
            prefix, last = str(val), "prefix"
            flags["fraction"] = True
            flags["words"] = True
            pos += 1
            continue
        if what in ("base", "fixed"):
            number = D(val)
            english = token.kind == WORD and token.key in _ENGLISH_KEYS
            if token.kind == WORD and token.key in PAAV_KEYS:
                flags["paav"] = True
                if last == "base" and current is not None and current == int(current):
                    current *= number  # "do paav": two quarters
                    pos += 1
                    continue
            if last == "base":
                # English: "twenty five" = 25; "seven fifty" = 750; "twelve fifty" = 1250.
                if (
                    english
                    and current is not None
                    and current % 10 == 0
                    and 20 <= current % 100 <= 90
                    and 0 < number < 10
                    and what == "base"
                ):
                    current += number
                    single_english = False
                    pos += 1
                    continue
                if (
                    english
                    and single_english
                    and current is not None
                    and 1 <= current < 100
                    and 10 <= number < 100
                    and not _next_is_multiplier(tokens, pos + 1, is_do_number)
                ):
                    current = current * 100 + number
                    single_english = False
                    pos += 1
                    continue
                break
            if last == "mult" and number >= last_scale:
                break
            if prefix is not None:
                number = _apply_prefix(prefix, number)
                prefix = None
            current = (current or D(0)) + number
            single_english = english and number < 100 and what == "base"
            if token.kind == WORD:
                flags["words"] = True
            if what == "fixed":
                flags["fraction"] = True
            last = "base"
            pos += 1
            # "half a kilo": the article belongs to "half".
            if what == "fixed" and pos < n and tokens[pos].key in _ARTICLES:
                pos += 1
            # "one and a half", "2 and a half"
            if (
                pos + 2 < n
                and tokens[pos].key in _AND
                and tokens[pos + 1].key in _ARTICLES
                and tokens[pos + 2].key == "half"
            ):
                current += D("0.5")
                flags["fraction"] = True
                pos += 3
            continue
        if what == "mult":
            scale = D(val)
            if last is None:
                # "hazaar rupaye", "सौ रुपये किलो": the multiplier alone is one of it.
                if scale == 1000 and token.key == "k":
                    break
                if not (pos + 1 < n and _alone_ok(tokens[pos + 1])):
                    break
                last = "base"
                current = D(1)
            if last == "prefix":
                current = _apply_prefix(str(prefix), D(1))
                prefix = None
            base = current if current is not None else D(1)
            if scale == 100:
                if last == "mult" and last_scale == 100:
                    break
                current = base * scale
            else:
                if last == "mult" and scale <= last_scale and current is None:
                    break
                total += base * scale
                current = None
            last, last_scale = "mult", scale
            single_english = False
            if token.kind == WORD:
                flags["words"] = True
            pos += 1
            # "two thousand and fifty", "one hundred and five": English joins the rest with "and".
            if pos + 1 < n and tokens[pos].key == "and" and tokens[pos + 1].key in _ENGLISH_KEYS:
                following = _classify(tokens, pos + 1, is_do_number)
                if (
                    following is not None
                    and following[0] == "base"
                    and following[1] < min(scale, 100)
                    and not _next_is_multiplier(tokens, pos + 2, is_do_number)
                ):
                    pos += 1
            continue
        break
    if last == "prefix" and prefix in ("sava", "paune") and pos < n and tokens[pos].kind == WORD:
        # "sava kilo", "paune ghanta": a quarter more or less than one
        return pos, _apply_prefix(prefix, D(1)), flags
    if last is None or last == "prefix":
        return i, None, flags
    value = total + (current or D(0))
    return pos, value, flags


_ALONE_BEFORE = frozenset({CURRENCY, KA})


def _alone_ok(following: Token) -> bool:
    return following.kind == WORD and not tags_of(following.key).isdisjoint(_ALONE_BEFORE)


def _surname(tokens: list[Token], i: int) -> bool:
    """ "Mohan Das", "Ram Saat": a capitalised Hindi number word right after a capitalised
    word the lexicon does not know is part of a name, not a number."""
    token = tokens[i]
    if not token.capital or token.key in _ENGLISH_KEYS or i == 0:
        return False
    previous = tokens[i - 1]
    return (
        previous.kind == WORD
        and previous.capital
        and previous.key not in _WORD_VALUES
        and not tags_of(previous.key)
    )


def _next_is_multiplier(
    tokens: list[Token], pos: int, is_do_number: Callable[[list[Token], int], bool]
) -> bool:
    if pos >= len(tokens):
        return False
    kind = _classify(tokens, pos, is_do_number)
    return kind is not None and kind[0] == "mult"


def _apply_prefix(prefix: str, number: Decimal) -> Decimal:
    if prefix == "sava":
        return number + D("0.25")
    if prefix == "paune":
        return number - D("0.25")
    return number + D("0.5")  # saadhe


def article_number(token: Token) -> Token:
    """The article of "a kilo" as the number one."""
    return Token(
        text=token.text,
        key="1",
        kind=NUM,
        start=token.start,
        end=token.end,
        value=D(1),
        article=True,
    )


def parse_number(text: str) -> Decimal | None:
    """The value of a text that is one number ("dedh hazaar", "1,250", "twenty-five"), else None.

    "do" counts as two here: with nothing around it, there is no verb for it to be.
    """
    from voice.intents.tokens import normalise, tokenize

    merged = merge_numbers(tokenize(normalise(text)), is_do_number=lambda _tokens, _i: True)
    if len(merged) == 1 and merged[0].kind == NUM:
        return merged[0].value
    return None
