import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from voice.intents import parse
from voice.intents.dates import DateTimeMention, resolve_date, resolve_when

IST = ZoneInfo("Asia/Kolkata")
# Tuesday 10 March 2026, 09:00 in the shop
TUESDAY_9AM = dt.datetime(2026, 3, 10, 9, 0, tzinfo=IST)


def when(text: str, now: dt.datetime = TUESDAY_9AM) -> str | None:
    return parse(text, now=now).entities.get("when")


def date(text: str, now: dt.datetime = TUESDAY_9AM) -> str | None:
    return parse(text, now=now).entities.get("date")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ramesh ko kal subah 10 baje reminder bhejo", "2026-03-11T10:00:00+05:30"),
        ("Ramesh ko kal reminder bhejo", "2026-03-11T10:00:00+05:30"),  # a date alone is 10:00
        ("Ramesh ko kal subah reminder bhejo", "2026-03-11T09:00:00+05:30"),
        ("Ramesh ko kal dopahar reminder bhejo", "2026-03-11T14:00:00+05:30"),
        ("Ramesh ko kal shaam reminder bhejo", "2026-03-11T18:00:00+05:30"),
        ("Ramesh ko kal raat reminder bhejo", "2026-03-11T20:00:00+05:30"),
        ("Ramesh ko parson shaam 6 baje reminder bhejo", "2026-03-12T18:00:00+05:30"),
        ("Ramesh ko kal saade 10 baje reminder bhejo", "2026-03-11T10:30:00+05:30"),
        ("Ramesh ko kal sava 9 baje reminder bhejo", "2026-03-11T09:15:00+05:30"),
        ("Ramesh ko kal paune 9 baje reminder bhejo", "2026-03-11T08:45:00+05:30"),
        ("Ramesh ko kal 10:30 reminder bhejo", "2026-03-11T10:30:00+05:30"),
        ("Ramesh ko 2 ghante baad reminder bhejo", "2026-03-10T11:00:00+05:30"),
        ("Ramesh ko aadhe ghante baad reminder bhejo", "2026-03-10T09:30:00+05:30"),
        ("Ramesh ko 2 ghante 30 minute baad reminder bhejo", "2026-03-10T11:30:00+05:30"),
        ("Remind Ramesh in 3 hours", "2026-03-10T12:00:00+05:30"),
        ("Remind Ramesh in an hour", "2026-03-10T10:00:00+05:30"),
        ("Remind Ramesh tonight at 10:30", "2026-03-10T22:30:00+05:30"),
        ("Remind Ramesh tomorrow at 4 pm", "2026-03-11T16:00:00+05:30"),
        ("Remind Ramesh the day after tomorrow evening", "2026-03-12T18:00:00+05:30"),
        ("Remind Ramesh at noon tomorrow", "2026-03-11T12:00:00+05:30"),
        # weekdays: the first such day after today, in Hindi, Devanagari and English
        ("Ramesh ko agle somvar reminder bhejo", "2026-03-16T10:00:00+05:30"),
        ("Ramesh ko mangalvar ko reminder bhejo", "2026-03-17T10:00:00+05:30"),  # today is Tuesday
        ("Ramesh ko budhvar ko reminder bhejo", "2026-03-11T10:00:00+05:30"),
        ("Ramesh ko guruvar ko reminder bhejo", "2026-03-12T10:00:00+05:30"),
        ("Ramesh ko brihaspativar ko reminder bhejo", "2026-03-12T10:00:00+05:30"),
        ("Ramesh ko shukravar ko reminder bhejo", "2026-03-13T10:00:00+05:30"),
        ("Ramesh ko shanivar ko reminder bhejo", "2026-03-14T10:00:00+05:30"),
        ("Ramesh ko ravivar ko reminder bhejo", "2026-03-15T10:00:00+05:30"),
        ("रमेश को अगले सोमवार शाम 6 बजे याद दिलाना", "2026-03-16T18:00:00+05:30"),
        ("Remind Ramesh next Friday morning", "2026-03-13T09:00:00+05:30"),
        ("Suresh ko Friday ko reminder bhej dena", "2026-03-13T10:00:00+05:30"),
        # calendar dates; a passed one is next year's
        ("Ramesh ko 15 April ko reminder bhejo", "2026-04-15T10:00:00+05:30"),
        ("Remind Ramesh on 5th April", "2026-04-05T10:00:00+05:30"),
        ("Remind Ramesh on 1st January", "2027-01-01T10:00:00+05:30"),
        ("Ramesh ko 20 tarikh ko reminder bhejo", "2026-03-20T10:00:00+05:30"),
        ("Ramesh ko 5 tarikh ko reminder bhejo", "2026-04-05T10:00:00+05:30"),
        ("Remind Ramesh on 15th at 6 pm", "2026-03-15T18:00:00+05:30"),
    ],
)
def test_reminder_times_resolve_against_now(text, expected):
    # given now = Tuesday 09:00 / when the sentence is parsed / then `when` is that instant
    assert when(text) == expected


def test_a_time_alone_is_its_next_occurrence():
    evening = dt.datetime(2026, 3, 10, 19, 45, tzinfo=IST)
    # "9 baje" said at 19:45 means 21:00 tonight; "shaam 5 baje" has passed, so tomorrow
    assert when("Ramesh ka reminder 9 baje kar do", evening) == "2026-03-10T21:00:00+05:30"
    assert when("Ramesh ko shaam 5 baje yaad dilana", evening) == "2026-03-11T17:00:00+05:30"


def test_kal_raat_at_year_end_rolls_into_the_new_year():
    new_years_eve = dt.datetime(2026, 12, 31, 18, 5, tzinfo=IST)
    assert when("pinky ko kal raat 8 baje reminder", new_years_eve) == "2027-01-01T20:00:00+05:30"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aaj ki bikri kitni hui", "2026-03-10"),
        ("kal ki bikri kitni thi", "2026-03-09"),  # a question about the past: yesterday
        ("कल कितनी बिक्री हुई थी", "2026-03-09"),
        ("parson kitni sale hui thi", "2026-03-08"),
        ("How much did we sell yesterday?", "2026-03-09"),
        ("pichle somvar ki bikri batao", "2026-03-09"),
        ("What were the total sales on 5th March?", "2026-03-05"),
        ("Show today's sales summary", "2026-03-10"),
    ],
)
def test_sales_questions_read_kal_backwards(text, expected):
    assert date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aaj ke reminders dikhao", "2026-03-10"),
        ("kal ke reminders kaun kaun se hain", "2026-03-11"),  # reminders look forward
        ("कल कौन कौन से रिमाइंडर जाने हैं", "2026-03-11"),
        ("What reminders are set for 15th April?", "2026-04-15"),
    ],
)
def test_reminder_lists_read_kal_forwards(text, expected):
    assert date(text) == expected


def test_an_unstated_date_is_left_out():
    assert "date" not in parse("saare reminders dikhao", now=TUESDAY_9AM).entities
    assert "date" not in parse("bikri ka summary dikhao", now=TUESDAY_9AM).entities


def test_resolution_uses_the_offset_of_now():
    # given a shop in another time zone / then the instant carries that offset
    dubai = dt.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Dubai"))
    assert when("Ramesh ko kal reminder bhejo", dubai) == "2026-03-11T10:00:00+04:00"


def test_naive_now_is_read_as_india_time():
    naive = dt.datetime(2026, 3, 10, 9, 0)
    assert when("Ramesh ko kal reminder bhejo", naive) == "2026-03-11T10:00:00+05:30"


def test_resolve_functions_on_a_mention():
    # given a mention of "next Tuesday" made on a Tuesday
    mention = DateTimeMention(weekday=1, weekday_direction="next")
    # then it is a week later, at the default hour, and backwards it is last week
    assert resolve_when(mention, TUESDAY_9AM) == dt.datetime(2026, 3, 17, 10, 0, tzinfo=IST)
    assert resolve_date(DateTimeMention(weekday=1), TUESDAY_9AM, past=True) == dt.date(2026, 3, 3)
    assert resolve_when(DateTimeMention(), TUESDAY_9AM) is None
