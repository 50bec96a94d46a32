"""Spoken amounts, quantities and times."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from voice.engine.replies import T, spoken_amount, spoken_quantity, spoken_when

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=IST)


@pytest.mark.parametrize(
    ("value", "spoken"),
    [
        ("500", "500"),
        ("1250.00", "1,250"),
        ("123456.5", "1,23,456.50"),
        ("10000000", "1,00,00,000"),
        ("-200", "200"),
        ("0.75", "0.75"),
    ],
)
def test_amounts_are_spoken_in_indian_grouping_without_empty_paise(value, spoken):
    assert spoken_amount(Decimal(value)) == spoken


@pytest.mark.parametrize(
    ("value", "spoken"), [("2.000", "2"), ("0.500", "0.5"), ("1500", "1,500"), ("1.250", "1.25")]
)
def test_quantities_drop_trailing_zeros(value, spoken):
    assert spoken_quantity(Decimal(value)) == spoken


@pytest.mark.parametrize(
    ("when", "lang", "spoken"),
    [
        (dt.datetime(2026, 3, 11, 10, 0, tzinfo=IST), "hinglish", "kal subah 10 baje"),
        (dt.datetime(2026, 3, 12, 18, 30, tzinfo=IST), "hinglish", "parson shaam 6:30 baje"),
        (dt.datetime(2026, 3, 10, 21, 0, tzinfo=IST), "hi", "आज रात 9 बजे"),
        (dt.datetime(2026, 3, 11, 14, 0, tzinfo=IST), "en", "tomorrow at 2 PM"),
        (dt.datetime(2026, 3, 20, 10, 0, tzinfo=IST), "hinglish", "20 March subah 10 baje"),
        (dt.datetime(2026, 3, 20, 10, 0, tzinfo=IST), "en", "on 20 March at 10 AM"),
        # stored in UTC, spoken in the shop's time
        (dt.datetime(2026, 3, 11, 4, 30, tzinfo=dt.UTC), "hinglish", "kal subah 10 baje"),
    ],
)
def test_times_are_spoken_relative_to_now(when, lang, spoken):
    assert spoken_when(when, NOW, lang) == spoken


def test_every_template_has_all_three_languages():
    incomplete = [key for key, texts in T.items() if set(texts) != {"en", "hinglish", "hi"}]
    assert incomplete == []
