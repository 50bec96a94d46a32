"""Names, products, units, payment modes and phones as the parser reads them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from voice.intents import parse

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Kolkata"))


def entities(text: str) -> dict:
    return parse(text, now=NOW).entities


@pytest.mark.parametrize(
    ("text", "customer"),
    [
        ("Ramesh ji ko 500 udhaar diya", "Ramesh"),
        ("Sharma ji ka kitna baaki hai", "Sharma"),
        ("Add ₹820 to Gupta ji's khata", "Gupta"),
        ("Gupta seth ka kitna baaki hai", "Gupta"),
        ("pinky didi pe kitna udhaar hai", "Pinky"),
        ("Bablu bhaiya ne 25 rupaye lauta diye", "Bablu"),
        ("Sharma uncle ka pura hisaab bhej do", "Sharma"),
        ("Mrs. Anjali Verma took Rs 2,350 on credit", "Anjali Verma"),
        ("Create customer Mr. Suresh Kumar", "Suresh Kumar"),
        ("Meena Devi ke naam 500 udhaar likho", "Meena Devi"),  # Devi is part of the name
        ("Mohammed Irfan ne 1200 diye", "Mohammed Irfan"),
        ("Farhan bhai ke khate mein 350 likh do", "Farhan"),
        ("Joseph paid 1,250 by cheque", "Joseph"),
        ("R. K. Sharma ke khate mein 500 likho", "R. K. Sharma"),
        ("श्री रमेश जी को पांच सौ रुपये उधार दिए", "रमेश"),  # Devanagari stays Devanagari
        ("शर्मा जी का कितना बाकी है", "शर्मा"),
        ("बबलू भैया का खाता दिखाओ", "बबलू"),
        ("bablu ka kitna baaki hai", "Bablu"),  # lower-case speech gets a capital
        ("Mohan Das ko 500 udhaar diya", "Mohan Das"),  # "Das" is a surname here, not 10
        ("mere dost Ramesh ne 500 diye", "Ramesh"),
    ],
)
def test_customer_names_lose_honorifics_and_case_markers(text, customer):
    assert entities(text)["customer"] == customer


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("Suresh ne 200 diye PhonePe se", "upi"),
        ("Ramesh paid 500 by GPay", "upi"),
        ("Pinky ka 150 aa gaya paytm par", "upi"),
        ("Ramesh ne 500 google pay kiye", "upi"),
        ("ramesh ne paanch sau cash diye", "cash"),
        ("रमेश ने पांच सौ रुपये नकद दिए", "cash"),
        ("Anjali ne NEFT se 12,500 bheje", "bank"),
        ("Got a bank transfer of 5000 from Irfan", "bank"),
        ("Priya ne IMPS se 15,000 transfer kiye", "bank"),
        ("Suresh paid 300 rupees by card", "card"),
        ("Suresh paid 300 by credit card", "card"),
        ("मोहम्मद इरफ़ान ने ढाई लाख का चेक दिया", "cheque"),
        ("Joseph paid 1,250 by cheque", "cheque"),
    ],
)
def test_payment_modes_are_normalised(text, mode):
    # given a payment said with any mode name / then the mode is one of the five
    result = parse(text, now=NOW)
    assert result.intent == "record_payment"
    assert result.entities["payment_mode"] == mode


def test_online_alone_names_no_mode_but_upi_beside_it_does():
    # "online" is said of UPI and of bank transfers alike, so it decides nothing
    assert "payment_mode" not in entities("Neha ne 1000 online bheje")
    assert entities("Neha ne 1000 online bheje UPI pe")["payment_mode"] == "upi"


def test_credit_card_is_a_mode_not_credit():
    assert parse("Suresh paid 300 by credit card", now=NOW).intent == "record_payment"


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("50 kilo atta stock mein daalo", "kg"),
        ("Add 20 kgs sugar to stock", "kg"),
        ("Add 250 g cardamom to stock", "g"),
        ("Add 500 grams jeera to stock", "g"),
        ("sarson tel pandrah litre stock mein daal do", "l"),
        ("Add 200 ml gulab jal to stock", "ml"),
        ("Add 48 pcs Lux soap to stock", "pcs"),
        ("do darjan ande add karo stock mein", "dozen"),
        ("Add 10 packets Maggi to stock", "packet"),
        ("Received 5 boxes of Dolo 650, update the stock", "box"),
        ("तेल के 12 डिब्बे स्टॉक में जोड़ो", "box"),
        ("chawal ki 5 bori aayi hai, stock mein daal do", "bag"),
        ("सीमेंट के 100 बैग स्टॉक में चढ़ाओ", "bag"),
    ],
)
def test_units_are_normalised(text, unit):
    assert entities(text)["unit"] == unit


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("Dolo 650 ke kitne patte bache hain", "Dolo 650"),  # brand numbers stay
        ("Received 5 boxes of Dolo 650, update the stock", "Dolo 650"),
        ("Check stock of Parle-G", "Parle-G"),
        ("नया सामान जोड़ो सरसों का तेल, 180 रुपये लीटर", "सरसों का तेल"),
        ("How many litres of mustard oil do we have?", "mustard oil"),
        ("Add new product Good Day biscuit at 10 rupees", "Good Day biscuit"),
    ],
)
def test_products_are_the_mention_as_spoken(text, product):
    assert entities(text)["product"] == product


def test_phone_digits_lose_their_spaces():
    result = entities("naya customer add karo Anjali Verma, mobile 91234 56780")
    assert result == {"customer": "Anjali Verma", "phone": "9123456780"}


def test_note_is_kept_apart_from_the_rest():
    # given a note after a colon, and one spoken without it
    typed = entities("Add ₹820 to Gupta ji's khata, note: Diwali order")
    spoken = entities("Rekha ka 1000 udhaar likho note dawai")
    # then the note is its own entity and "order" in it is not a command word
    assert typed == {"customer": "Gupta", "amount": "820", "note": "Diwali order"}
    assert spoken == {"customer": "Rekha", "amount": "1000", "note": "dawai"}


def test_amounts_are_decimal_strings():
    # given amounts said with rupee signs, commas, lakhs and fractions
    assert entities("Mrs. Anjali Verma took Rs 2,350 on credit")["amount"] == "2350"
    assert entities("Mohammed Irfan took 2.5 lakh on credit")["amount"] == "250000"
    assert entities("Ganesh paid Rs 99.50 in cash")["amount"] == "99.5"
    assert entities("pinky ne 340 rs ka saman udhaar liya")["amount"] == "340"
    assert entities("Ramesh ko 500/- udhaar diya")["amount"] == "500"


@pytest.mark.parametrize(
    ("text", "items"),
    [
        (
            "Ramesh ka bill bana do: 2 kilo cheeni aur ek litre sarson tel",
            [
                {"product": "cheeni", "quantity": "2", "unit": "kg"},
                {"product": "sarson tel", "quantity": "1", "unit": "l"},
            ],
        ),
        (
            "bill banao aadha kilo paneer, do packet Maggi",
            [
                {"product": "paneer", "quantity": "0.5", "unit": "kg"},
                {"product": "Maggi", "quantity": "2", "unit": "packet"},
            ],
        ),
        (
            "bill bana do 3 dozen kele aur 1 packet doodh 50 rupaye wala",
            [
                {"product": "kele", "quantity": "3", "unit": "dozen"},
                {"product": "doodh", "quantity": "1", "unit": "packet", "unit_price": "50"},
            ],
        ),
        (
            "Invoice Irfan for 25 bags of cement at 390 per bag",
            [{"product": "cement", "quantity": "25", "unit": "bag", "unit_price": "390"}],
        ),
        (
            "chintu ka bill banao 2 kg aloo 1 kg pyaz",  # no pause between the items
            [
                {"product": "aloo", "quantity": "2", "unit": "kg"},
                {"product": "pyaz", "quantity": "1", "unit": "kg"},
            ],
        ),
        (
            "bill bana do toor dal 2 kg 140 ke bhav se chawal 5 kg",
            [
                {"product": "toor dal", "quantity": "2", "unit": "kg", "unit_price": "140"},
                {"product": "chawal", "quantity": "5", "unit": "kg"},
            ],
        ),
        (
            "Vinod ka bill: ek paav jeera, 250 ml tel, half litre doodh",
            [
                {"product": "jeera", "quantity": "0.25", "unit": "kg"},  # a paav: quarter kilo
                {"product": "tel", "quantity": "250", "unit": "ml"},
                {"product": "doodh", "quantity": "0.5", "unit": "l"},
            ],
        ),
        (
            "पिंकी का बिल बना दो, दो दर्जन अंडे और पाव किलो दही",
            [
                {"product": "अंडे", "quantity": "2", "unit": "dozen"},
                {"product": "दही", "quantity": "0.25", "unit": "kg"},
            ],
        ),
    ],
)
def test_invoice_items_in_order(text, items):
    result = parse(text, now=NOW)
    assert result.intent == "create_invoice"
    assert result.entities["items"] == items
