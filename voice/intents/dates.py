"""Relative dates and times, resolved in the shop's time zone against a given `now`.

Finding and resolving are separate steps: `find_datetime` marks which tokens
say a date or a time (so their numbers are never taken for amounts), and
`resolve_when` / `resolve_date` turn that into a datetime or a date once the
parser knows whether the sentence looks forward ("kal reminder bhejo": kal is
tomorrow) or back ("kal ki bikri": kal is yesterday).

Defaults (SCHEMA.md): a date without a time is 10:00; subah/morning 09:00,
dopahar/afternoon 14:00, shaam/evening 18:00, raat/night 20:00; a weekday is
the first such day after today; "2 ghante baad" is now + 2 hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from voice.intents.lexicon import CURRENCY, PER, UNIT, tags_of
from voice.intents.tokens import DATE, NUM, TIME, WORD, Token, fold

MORNING, AFTERNOON, EVENING, NIGHT = "morning", "afternoon", "evening", "night"
DAYPART_HOURS = {MORNING: 9, AFTERNOON: 14, EVENING: 18, NIGHT: 20}
DEFAULT_HOUR = 10


def _keys(words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words.split())


def _table(entries: dict[object, str]) -> dict[str, object]:
    return {fold(word): value for value, words in entries.items() for word in words.split()}


TODAY = _keys("aaj aj aaje today आज")
KAL = _keys("kal kl कल")  # tomorrow or yesterday, by context
PARSON = _keys("parson parso parsoon parsun परसों परसो")  # day after tomorrow / before yesterday
TOMORROW = _keys("tomorrow tommorow tomorow tmrw tmr")
YESTERDAY = _keys("yesterday")
TONIGHT = _keys("tonight tonite")
WEEKDAYS: dict[str, int] = _table(  # type: ignore[assignment]
    {
        0: "monday mon somvar somwar sombar somvaar सोमवार",
        1: "tuesday tue tues mangalvar mangalwar mangalvaar मंगलवार",
        2: "wednesday wed budhvar budhwar budhvaar बुधवार",
        3: """thursday thu thurs guruvar guruwar brihaspativar brihaspatvar veervar virvar
            guruvaar गुरुवार बृहस्पतिवार वीरवार""",
        4: "friday fri shukravar shukrawar shukravaar jumma शुक्रवार",
        5: "saturday shanivar shaniwar shanivaar शनिवार",
        6: "sunday ravivar raviwar itvaar itwar etvar itvar ravivaar रविवार इतवार",
    }
)
NEXT = _keys("agle agla agli aane aanewale aanewala next coming upcoming this is अगले अगला अगली")
PREVIOUS = _keys("pichle pichla pichli pichhle pichhla last previous beete guzre पिछले पिछला")
MONTHS: dict[str, int] = _table(  # type: ignore[assignment]
    {
        1: "january jan janvari janwari जनवरी",
        2: "february feb farvari farwari pharvari फरवरी फ़रवरी",
        3: "march मार्च",
        4: "april apr aprail aprel अप्रैल",
        5: "may मई",
        6: "june jun joon जून",
        7: "july jul julai जुलाई",
        8: "august aug agast अगस्त",
        9: "september sep sept sitambar sitamber सितंबर सितम्बर",
        10: "october oct aktubar aktoobar अक्टूबर",
        11: "november nov navambar navambar नवंबर नवम्बर",
        12: "december dec disambar दिसंबर दिसम्बर",
    }
)
DAYPARTS: dict[str, str] = _table(  # type: ignore[assignment]
    {
        MORNING: "subah subha suba savere sawere savera sabere morning सुबह सवेरे",
        AFTERNOON: "dopahar dopehar dupahar dopahr dophar afternoon noon दोपहर",
        EVENING: "shaam sham saam evening शाम",
        NIGHT: "raat rat night रात",
    }
)
BAJE = _keys("baje bje baj bajey oclock o'clock बजे")
NOON = _keys("noon midday")
AM = _keys("am")
PM = _keys("pm")
HOURS = _keys("ghante ghanta ghanton ghanto ghante hour hours hr hrs घंटे घंटा घंटों")
MINUTES = _keys("minute minutes min mins minat minut mint मिनट")
DAYS = _keys("din dino dinon days day दिन दिनों")
WEEKS = _keys("hafte hafta haftay hafton week weeks हफ्ते हफ़्ते हफ्ता सप्ताह")
AFTER = _keys("baad bad later mein me main after बाद में")
RELATIVE_UNITS = HOURS | MINUTES | DAYS | WEEKS
AM_PM = AM | PM
AGO = _keys("pehle pahle ago पहले")
BEFORE_IN = _keys("in after within")
TARIKH = _keys("tarikh tareekh taarikh तारीख तारीख़")
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_AT = _keys("at")
_OF = _keys("of the")
_IN_THE = _keys("in the")

# Every word this module reads, so the lexicon can keep them out of names.
DATE_WORDS = (
    TODAY
    | KAL
    | PARSON
    | TOMORROW
    | YESTERDAY
    | TONIGHT
    | frozenset(WEEKDAYS)
    | frozenset(MONTHS)
    | frozenset(DAYPARTS)
    | BAJE
    | AM
    | PM
    | HOURS
    | MINUTES
    | DAYS
    | WEEKS
    | TARIKH
    | AGO
    | NOON
)


@dataclass
class DateTimeMention:
    """What a sentence says about a date and a time, before it is resolved."""

    consumed: set[int] = field(default_factory=set)
    day_offset: int | None = None  # explicit: today 0, tomorrow +1, yesterday -1
    ambiguous_days: int | None = None  # kal 1, parson 2: sign from the context
    weekday: int | None = None
    weekday_direction: str | None = None  # "next", "last" or None
    day: int | None = None
    month: int | None = None
    year: int | None = None
    hour: int | None = None
    minute: int = 0
    ampm: str | None = None
    daypart: str | None = None
    delta: dt.timedelta | None = None  # "2 ghante baad"
    day_delta: int | None = None  # "3 din baad", "agle hafte"

    @property
    def has_date(self) -> bool:
        return (
            self.day_offset is not None
            or self.ambiguous_days is not None
            or self.weekday is not None
            or self.month is not None
            or self.day is not None
            or self.day_delta is not None
        )

    @property
    def has_time(self) -> bool:
        return self.hour is not None or self.daypart is not None or self.delta is not None

    @property
    def found(self) -> bool:
        return self.has_date or self.has_time

    @property
    def is_today(self) -> bool:
        return self.day_offset == 0 and not self.has_time


def find_datetime(tokens: list[Token], *, expect_time: bool) -> DateTimeMention:
    """Mark the tokens that say a date or a time.

    `expect_time` (the sentence is about a reminder) lets weaker clues count as
    a time: "at 11", "saade 10", "shaam 6" without "baje".
    """
    m = DateTimeMention()
    n = len(tokens)
    keys = [t.key if t.kind == WORD else "" for t in tokens]

    def take(*indexes: int) -> None:
        m.consumed.update(indexes)

    def num(i: int) -> Decimal | None:
        if 0 <= i < n and tokens[i].kind == NUM and i not in m.consumed:
            return tokens[i].value
        return None

    # Relative: "2 ghante baad", "in 3 hours", "aadhe ghante mein", "3 din baad", "2 din pehle".
    for i in range(n):
        unit_key = keys[i]
        if unit_key not in RELATIVE_UNITS:
            continue
        amount_index = i - 1
        amount = num(amount_index)
        if amount is None and i > 0 and keys[i - 1] in {"a", "an"}:
            amount = Decimal(1)
        after = i + 1 < n and keys[i + 1] in AFTER
        ago = i + 1 < n and keys[i + 1] in AGO
        before = amount_index - 1 >= 0 and keys[amount_index - 1] in BEFORE_IN
        if amount is None:
            # "agle hafte", "next week"
            if unit_key in WEEKS and i > 0 and keys[i - 1] in NEXT:
                m.day_delta = 7
                take(i - 1, i)
            continue
        if not (after or before or ago or expect_time):
            continue
        sign = -1 if ago else 1
        take(amount_index, i)
        if after or ago:
            take(i + 1)
        if before:
            take(amount_index - 1)
        # "2 ghante 30 minute baad": the parts add up.
        if unit_key in HOURS:
            m.delta = (m.delta or dt.timedelta()) + dt.timedelta(minutes=float(amount * 60)) * sign
        elif unit_key in MINUTES:
            m.delta = (m.delta or dt.timedelta()) + dt.timedelta(minutes=float(amount)) * sign
        elif unit_key in DAYS:
            m.day_delta = int(amount) * sign
        else:
            m.day_delta = int(amount) * 7 * sign

    for i in range(n):
        key = keys[i]
        if not key or i in m.consumed:
            continue
        if key in TODAY:
            m.day_offset = 0
            take(i)
        elif key in TOMORROW:
            m.day_offset = 1
            take(i)
        elif key in YESTERDAY:
            m.day_offset = -1
            take(i)
        elif key in TONIGHT:
            m.day_offset = 0
            m.daypart = NIGHT
            take(i)
        elif key in KAL:
            m.ambiguous_days = 1
            take(i)
        elif key in PARSON:
            m.ambiguous_days = 2
            take(i)
        elif key == "day" and i + 2 < n:
            # "the day after tomorrow", "the day before yesterday"
            if keys[i + 1] == "after" and keys[i + 2] in TOMORROW:
                m.day_offset = 2
                take(i, i + 1, i + 2)
            elif keys[i + 1] == "before" and keys[i + 2] in YESTERDAY:
                m.day_offset = -2
                take(i, i + 1, i + 2)
        elif key in WEEKDAYS:
            m.weekday = WEEKDAYS[key]
            take(i)
            if i > 0 and keys[i - 1] in NEXT:
                m.weekday_direction = "next"
                take(i - 1)
            elif i > 0 and keys[i - 1] in PREVIOUS:
                m.weekday_direction = "last"
                take(i - 1)
        elif key in MONTHS:
            _month(tokens, keys, i, m, num, take)
        elif key in TARIKH:
            day = num(i - 1)
            if day is not None and _is_day(day):
                m.day = int(day)
                take(i - 1, i)
        elif key in NOON and m.hour is None:
            m.hour, m.minute, m.daypart = 12, 0, AFTERNOON
            take(i)
        elif key in DAYPARTS:
            m.daypart = DAYPARTS[key]  # type: ignore[assignment]
            take(i)

    for i, token in enumerate(tokens):
        if token.kind == DATE and i not in m.consumed:
            _numeric_date(token.text, m)
            take(i)
        elif (
            token.kind == NUM
            and token.ordinal
            and i not in m.consumed
            and m.day is None
            and token.value is not None
            and _is_day(token.value)
        ):
            m.day = int(token.value)  # "on the 15th": this month's, or the next one's
            take(i)

    _times(tokens, keys, m, num, take, expect_time)
    return m


def _is_day(value: Decimal) -> bool:
    return value == value.to_integral_value() and 1 <= value <= 31


def _month(tokens, keys, i, m, num, take) -> None:  # type: ignore[no-untyped-def]
    n = len(tokens)
    before = num(i - 1)
    # "the 5th of April"
    if before is None and i >= 2 and keys[i - 1] in _OF:
        before = num(i - 2)
        if before is not None and _is_day(before):
            m.day, m.month = int(before), MONTHS[keys[i]]
            take(i - 2, i - 1, i)
            _year(tokens, i + 1, m, take)
            return
    if before is not None and _is_day(before):
        m.day, m.month = int(before), MONTHS[keys[i]]
        take(i - 1, i)
        _year(tokens, i + 1, m, take)
        return
    after = num(i + 1)
    if after is not None and _is_day(after):
        m.day, m.month = int(after), MONTHS[keys[i]]
        take(i, i + 1)
        _year(tokens, i + 2, m, take)
        return
    if keys[i] not in {fold("may"), fold("march")} or i + 1 < n:
        # A month alone ("April mein"): the first of it is not what people mean; ignore.
        return


def _year(tokens: list[Token], i: int, m: DateTimeMention, take) -> None:  # type: ignore[no-untyped-def]
    if i < len(tokens) and tokens[i].kind == NUM and tokens[i].value is not None:
        value = tokens[i].value
        if value == value.to_integral_value() and 2000 <= value <= 2100:
            m.year = int(value)
            take(i)


def _numeric_date(text: str, m: DateTimeMention) -> None:
    parts = [int(p) for p in text.replace("-", "/").split("/") if p]
    if len(parts) >= 2 and 1 <= parts[0] <= 31 and 1 <= parts[1] <= 12:
        m.day, m.month = parts[0], parts[1]
        if len(parts) == 3:
            m.year = parts[2] + 2000 if parts[2] < 100 else parts[2]


def _times(tokens, keys, m, num, take, expect_time) -> None:  # type: ignore[no-untyped-def]
    n = len(tokens)
    for i, token in enumerate(tokens):
        if i in m.consumed:
            continue
        if token.kind == TIME:
            hour, minute = (int(p) for p in token.text.split(":"))
            if 0 <= hour <= 23 and 0 <= minute <= 59:
                m.hour, m.minute = hour, minute
                take(i)
                _ampm(keys, i + 1, m, take)
            continue
        value = num(i)
        if value is None or not (0 < value <= 24):
            continue
        next_key = keys[i + 1] if i + 1 < n else ""
        if next_key in BAJE or next_key in AM_PM:
            _set_hour(m, value)
            take(i, i + 1)
            if next_key in AM_PM:
                m.ampm = "am" if next_key in AM else "pm"
            else:
                _ampm(keys, i + 2, m, take)
            continue
        # "6 in the evening", "7 shaam ko"
        j = i + 1
        while j < n and keys[j] in _IN_THE:
            j += 1
        if j < n and keys[j] in DAYPARTS and value <= 12:
            _set_hour(m, value)
            m.daypart = DAYPARTS[keys[j]]
            take(*range(i, j + 1))
            continue
        if not expect_time or _quantity_follows(tokens, keys, i + 1):
            continue
        previous = keys[i - 1] if i > 0 else ""
        if previous in _AT and value <= 24:
            _set_hour(m, value)
            take(i - 1, i)
        elif previous in DAYPARTS and value <= 12:
            _set_hour(m, value)
            take(i)
        elif token.fraction and value < 13:
            _set_hour(m, value)  # "saade 10"
            take(i)


_NOT_A_TIME = frozenset({UNIT, CURRENCY, PER})


def _quantity_follows(tokens: list[Token], keys: list[str], i: int) -> bool:
    """A number followed by a unit or a currency word is a quantity or a price, not a time."""
    return i < len(tokens) and not tags_of(keys[i]).isdisjoint(_NOT_A_TIME)


def _set_hour(m: DateTimeMention, value: Decimal) -> None:
    whole = int(value)
    m.hour = whole
    m.minute = int((value - whole) * 60)


def _ampm(keys: list[str], i: int, m: DateTimeMention, take) -> None:  # type: ignore[no-untyped-def]
    if i < len(keys) and keys[i] in AM_PM:
        m.ampm = "am" if keys[i] in AM else "pm"
        take(i)


def _base_date(m: DateTimeMention, today: dt.date, *, past: bool) -> dt.date | None:
    if m.month is not None or m.day is not None:
        year = m.year or today.year
        month = m.month or today.month
        day = m.day or 1
        candidate = _safe_date(year, month, day)
        if candidate is None:
            return None
        if m.year is None:
            if m.month is None:  # "15 tarikh": this month's, or next/previous month's
                if not past and candidate < today:
                    candidate = _add_months(candidate, 1)
                elif past and candidate > today:
                    candidate = _add_months(candidate, -1)
            elif not past and candidate < today:
                candidate = _safe_date(year + 1, month, day) or candidate
            elif past and candidate > today:
                candidate = _safe_date(year - 1, month, day) or candidate
        return candidate
    if m.weekday is not None:
        backwards = m.weekday_direction == "last" or (past and m.weekday_direction != "next")
        if backwards:
            back = (today.weekday() - m.weekday) % 7 or 7
            return today - dt.timedelta(days=back)
        ahead = (m.weekday - today.weekday()) % 7 or 7
        return today + dt.timedelta(days=ahead)
    if m.day_offset is not None:
        return today + dt.timedelta(days=m.day_offset)
    if m.ambiguous_days is not None:
        sign = -1 if past else 1
        return today + dt.timedelta(days=sign * m.ambiguous_days)
    if m.day_delta is not None:
        return today + dt.timedelta(days=m.day_delta)
    return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _add_months(d: dt.date, months: int) -> dt.date:
    month_index = d.year * 12 + d.month - 1 + months
    year, month = divmod(month_index, 12)
    return _safe_date(year, month + 1, d.day) or d


def _hour_of_day(m: DateTimeMention) -> tuple[int, int, int] | None:
    """(hour, minute, extra days) after am/pm and the part of the day are applied."""
    if m.hour is None:
        if m.daypart is None:
            return None
        return DAYPART_HOURS[m.daypart], 0, 0
    hour, minute, extra = m.hour, m.minute, 0
    if m.ampm == "pm" and hour < 12:
        hour += 12
    elif m.ampm == "am" and hour == 12:
        hour = 0
    elif m.ampm is None and hour <= 12:
        if (m.daypart == AFTERNOON and hour <= 7) or (m.daypart == EVENING and hour < 12):
            hour += 12
        elif m.daypart == NIGHT:
            if 6 <= hour < 12:
                hour += 12
            elif hour == 12:
                hour, extra = 0, 1
        elif m.daypart is None and 1 <= hour <= 6:
            hour += 12  # "4 baje" in a shop means the afternoon
    if hour == 24:
        hour, extra = 0, 1
    return hour, minute, extra


def resolve_when(m: DateTimeMention, now: dt.datetime) -> dt.datetime | None:
    """The instant a future-looking sentence means (reminders), in now's time zone."""
    if m.delta is not None and m.day_delta is None and not m.has_date:
        return (now + m.delta).replace(microsecond=0)
    today = now.date()
    base = _base_date(m, today, past=False)
    clock = _hour_of_day(m)
    if base is None and clock is None:
        return None
    if clock is None:
        clock = (DEFAULT_HOUR, 0, 0)
    hour, minute, extra = clock
    date = base or today
    when = dt.datetime.combine(date, dt.time(hour, minute), tzinfo=now.tzinfo)
    when += dt.timedelta(days=extra)
    if base is None:
        # A time alone is its next occurrence; "9 baje" said at 19:45 is 21:00.
        if when <= now and m.ampm is None and m.daypart is None and 7 <= hour <= 11:
            evening = when + dt.timedelta(hours=12)
            if evening > now:
                return evening
        if when <= now:
            when += dt.timedelta(days=1)
    return when


def resolve_date(m: DateTimeMention, now: dt.datetime, *, past: bool) -> dt.date | None:
    """The calendar day a sentence names; `past` reads "kal"/"parson"/weekdays backwards."""
    return _base_date(m, now.date(), past=past)
