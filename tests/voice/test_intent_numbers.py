from decimal import Decimal

import pytest

from voice.intents.numbers import parse_number, to_decimal_string


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # digits as written
        ("500", "500"),
        ("1,250", "1250"),
        ("1,25,000", "125000"),
        ("2.5", "2.5"),
        ("५००", "500"),
        ("३२०", "320"),
        # Hinglish words and compounds
        ("paanch sau", "500"),
        ("ek hazaar do sau", "1200"),
        ("do hazaar paanch sau", "2500"),
        ("teen sau pachaas", "350"),
        ("chaar sau bees", "420"),
        ("ek sau dus", "110"),
        ("pachees", "25"),
        ("pachchees", "25"),
        ("ek lakh bees hazaar", "120000"),
        ("2 hazaar", "2000"),
        ("2.5 lakh", "250000"),
        ("5k", "5000"),
        ("ek crore", "10000000"),
        # fractions
        ("dedh hazaar", "1500"),
        ("dhai sau", "250"),
        ("dhai lakh", "250000"),
        ("sava sau", "125"),
        ("sava do sau", "225"),
        ("paune do sau", "175"),
        ("paune sau", "75"),
        ("saadhe teen sau", "350"),
        ("saade 10", "10.5"),
        ("aadha", "0.5"),
        ("paav", "0.25"),
        ("ek paav", "0.25"),  # a paav is a quarter: "do paav" is half
        ("do paav", "0.5"),
        ("dedh", "1.5"),
        # Devanagari
        ("पांच सौ", "500"),
        ("डेढ़ हज़ार", "1500"),
        ("ढाई लाख", "250000"),
        ("सवा दो सौ", "225"),
        ("साढ़े तीन सौ", "350"),
        ("बारह सौ", "1200"),
        ("साठ", "60"),
        ("सात", "7"),
        ("अस्सी", "80"),
        # English
        ("one thousand two hundred", "1200"),
        ("fifteen hundred", "1500"),
        ("twenty-five", "25"),
        ("twenty five", "25"),
        ("seven fifty", "750"),
        ("twelve fifty", "1250"),
        ("two thousand", "2000"),
        ("five hundred", "500"),
        ("one and a half", "1.5"),
        # English joins the rest to a hundred or a thousand with "and"
        ("one hundred and twenty five", "125"),
        ("one hundred twenty five", "125"),
        ("two thousand and fifty", "2050"),
        ("two thousand five hundred and seventy five", "2575"),
        ("five hundred and five", "505"),
    ],
)
def test_number_words_and_digits_give_their_value(text, value):
    # given a spoken or written number / when it is parsed / then it has its value
    assert parse_number(text) == Decimal(value)


def test_sixty_and_seven_stay_apart():
    # given saath (60) and saat (7), which a loose phonetic fold would merge
    # then they keep their own values
    assert parse_number("saath") == 60
    assert parse_number("saat") == 7


def test_a_sentence_is_not_one_number():
    assert parse_number("Ramesh ko 500") is None
    assert parse_number("hazaar") is None
    # "and" joins a number only to a smaller English number word after a multiplier
    assert parse_number("five hundred and 2") is None
    assert parse_number("two thousand and ten thousand") is None


@pytest.mark.parametrize(
    ("value", "text"),
    [("1500", "1500"), ("1.50", "1.5"), ("250000.00", "250000"), ("0.5", "0.5"), ("1E+3", "1000")],
)
def test_decimal_strings_have_no_exponent_or_trailing_zeros(value, text):
    assert to_decimal_string(Decimal(value)) == text
