"""What the engine says back: short, speakable sentences in the language the user spoke.

Every reply is a template per language (`en`, `hinglish`, `hi` in Devanagari)
filled with names, spoken amounts ("1,250" in Indian digit grouping, paise
only when there are some) and spoken times ("kal subah 10 baje").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from execora.money import rupees

LANGS = ("en", "hinglish", "hi")

T: dict[str, dict[str, str]] = {
    # --- writes ------------------------------------------------------------------------
    "credit_added": {
        "en": "Wrote {amount} rupees udhaar for {name}. {balance}",
        "hinglish": "{name} ke khate mein {amount} rupaye udhaar likh diya. {balance}",
        "hi": "{name} के खाते में {amount} रुपये उधार लिख दिया। {balance}",
    },
    "payment_recorded": {
        "en": "Got {amount} rupees from {name}{mode}. {balance}",
        "hinglish": "{name} se {amount} rupaye mil gaye{mode}. {balance}",
        "hi": "{name} से {amount} रुपये मिल गए{mode}। {balance}",
    },
    "invoice_created": {
        "en": "Bill number {serial} for {name}: {total} rupees. {balance}",
        "hinglish": "{name} ka bill number {serial} ban gaya, kul {total} rupaye. {balance}",
        "hi": "{name} का बिल नंबर {serial} बन गया, कुल {total} रुपये। {balance}",
    },
    "invoice_created_cash": {
        "en": "Cash bill number {serial}: {total} rupees.",
        "hinglish": "Bill number {serial} ban gaya, kul {total} rupaye nakad.",
        "hi": "बिल नंबर {serial} बन गया, कुल {total} रुपये नकद।",
    },
    "invoice_cancelled": {
        "en": "Bill number {serial}{of_name} is cancelled.{balance}",
        "hinglish": "Bill number {serial}{of_name} cancel ho gaya.{balance}",
        "hi": "बिल नंबर {serial}{of_name} रद्द हो गया।{balance}",
    },
    "customer_created": {
        "en": "Added {name} as a new customer.",
        "hinglish": "Naya customer {name} jod diya.",
        "hi": "नया ग्राहक {name} जोड़ दिया।",
    },
    "product_created": {
        "en": "Added {name} at {price} rupees per {unit}.",
        "hinglish": "Naya saaman {name} jod diya, {price} rupaye {unit}.",
        "hi": "नया सामान {name} जोड़ दिया, {price} रुपये {unit}।",
    },
    "stock_added": {
        "en": "Added {quantity} {unit} of {name}. Stock now {stock} {unit}.",
        "hinglish": "{name} {quantity} {unit} stock mein daal diya. Ab {stock} {unit} hai.",
        "hi": "{name} {quantity} {unit} स्टॉक में डाल दिया। अब {stock} {unit} है।",
    },
    "price_set": {
        "en": "{name} is now {price} rupees per {unit}.",
        "hinglish": "{name} ka rate ab {price} rupaye {unit} hai.",
        "hi": "{name} का रेट अब {price} रुपये {unit} है।",
    },
    "reminder_created": {
        "en": "{name} will get a reminder{amount_part} {when}.",
        "hinglish": "{name} ko {when}{amount_part} reminder chala jayega.",
        "hi": "{name} को {when}{amount_part} रिमाइंडर चला जाएगा।",
    },
    "reminder_cancelled": {
        "en": "Cancelled {name}'s reminder.",
        "hinglish": "{name} ka reminder cancel kar diya.",
        "hi": "{name} का रिमाइंडर रद्द कर दिया।",
    },
    "reminders_cancelled": {
        "en": "Cancelled {count} reminders of {name}.",
        "hinglish": "{name} ke {count} reminder cancel kar diye.",
        "hi": "{name} के {count} रिमाइंडर रद्द कर दिए।",
    },
    "reminder_moved": {
        "en": "{name}'s reminder will now go {when}.",
        "hinglish": "{name} ka reminder ab {when} jayega.",
        "hi": "{name} का रिमाइंडर अब {when} जाएगा।",
    },
    "statement_sent": {
        "en": "Sending {name}'s statement on WhatsApp: {due} rupees due.",
        "hinglish": "{name} ko WhatsApp par hisaab bhej rahe hain, baaki {due} rupaye.",
        "hi": "{name} को WhatsApp पर हिसाब भेज रहे हैं, बाकी {due} रुपये।",
    },
    "invoice_sent": {
        "en": "Sending bill number {serial} to {name} on WhatsApp.",
        "hinglish": "{name} ko bill number {serial} WhatsApp par bhej rahe hain.",
        "hi": "{name} को बिल नंबर {serial} WhatsApp पर भेज रहे हैं।",
    },
    "undone": {
        "en": "Undone: {what}.{balance}",
        "hinglish": "Wapas le liya: {what}.{balance}",
        "hi": "वापस ले लिया: {what}।{balance}",
    },
    # --- reads -------------------------------------------------------------------------
    "balance_due": {
        "en": "{name} owes {amount} rupees.",
        "hinglish": "{name} ka kul baaki {amount} rupaye hai.",
        "hi": "{name} का कुल बाकी {amount} रुपये है।",
    },
    "balance_zero": {
        "en": "{name} owes nothing.",
        "hinglish": "{name} ka koi baaki nahi hai.",
        "hi": "{name} का कोई बाकी नहीं है।",
    },
    "balance_advance": {
        "en": "{name} has {amount} rupees paid in advance.",
        "hinglish": "{name} ka {amount} rupaye advance jama hai.",
        "hi": "{name} का {amount} रुपये एडवांस जमा है।",
    },
    "stock_level": {
        "en": "{name}: {stock} {unit} in stock.",
        "hinglish": "{name} abhi {stock} {unit} bacha hai.",
        "hi": "{name} अभी {stock} {unit} बचा है।",
    },
    "stock_low": {
        "en": "Running low, order more.",
        "hinglish": "Stock kam hai, aur mangwa lijiye.",
        "hi": "स्टॉक कम है, और मंगवा लीजिए।",
    },
    "daily_summary": {
        "en": "{day}: {count} bill{s}, sales {sales} rupees. Received {received} rupees, "
        "udhaar given {credit} rupees.",
        "hinglish": "{day} {count} bill bane, bikri {sales} rupaye. {received} rupaye jama hue, "
        "{credit} rupaye udhaar gaya.",
        "hi": "{day} {count} बिल बने, बिक्री {sales} रुपये। {received} रुपये जमा हुए, "
        "{credit} रुपये उधार गया।",
    },
    "total_dues": {
        "en": "{count} customers owe {total} rupees in all. Most: {top}.",
        "hinglish": "{count} logon ka kul {total} rupaye baaki hai. Sabse zyada: {top}.",
        "hi": "{count} लोगों का कुल {total} रुपये बाकी है। सबसे ज़्यादा: {top}।",
    },
    "total_dues_one": {
        "en": "One customer owes {total} rupees: {top}.",
        "hinglish": "Ek customer ka {total} rupaye baaki hai: {top}.",
        "hi": "एक ग्राहक का {total} रुपये बाकी है: {top}।",
    },
    "total_dues_none": {
        "en": "Nobody owes anything.",
        "hinglish": "Kisi ka kuch baaki nahi hai.",
        "hi": "किसी का कुछ बाकी नहीं है।",
    },
    "reminders_list": {
        "en": "{count} reminders: {items}.",
        "hinglish": "{count} reminder hain: {items}.",
        "hi": "{count} रिमाइंडर हैं: {items}।",
    },
    "reminders_one": {
        "en": "One reminder: {items}.",
        "hinglish": "Ek reminder hai: {items}.",
        "hi": "एक रिमाइंडर है: {items}।",
    },
    "reminders_none": {
        "en": "No reminders.",
        "hinglish": "Koi reminder nahi hai.",
        "hi": "कोई रिमाइंडर नहीं है।",
    },
    "help": {
        "en": "I can write udhaar and payments, make and cancel bills, tell balances and stock, "
        "add stock, items and customers, change prices, send reminders and statements on "
        "WhatsApp, tell the day's sales and who owes what, and undo your last entry.",
        "hinglish": "Main udhaar aur jama likh sakta hoon, bill bana aur cancel kar sakta hoon, "
        "baaki aur stock bata sakta hoon, stock, saaman aur customer jod sakta hoon, rate badal "
        "sakta hoon, WhatsApp par reminder aur hisaab bhej sakta hoon, din ki bikri aur kiska "
        "kitna baaki hai bata sakta hoon, aur aapki pichhli entry wapas le sakta hoon.",
        "hi": "मैं उधार और जमा लिख सकता हूँ, बिल बना और रद्द कर सकता हूँ, बाकी और स्टॉक बता सकता हूँ, "
        "स्टॉक, सामान और ग्राहक जोड़ सकता हूँ, रेट बदल सकता हूँ, WhatsApp पर रिमाइंडर और हिसाब भेज "
        "सकता हूँ, दिन की बिक्री और किसका कितना बाकी है बता सकता हूँ, और आपकी पिछली एंट्री वापस ले "
        "सकता हूँ।",
    },
    # --- balance after a write (appended to a reply) -----------------------------------
    "after_due": {
        "en": "Total due now {amount} rupees.",
        "hinglish": "Ab kul baaki {amount} rupaye.",
        "hi": "अब कुल बाकी {amount} रुपये।",
    },
    "after_zero": {
        "en": "Nothing due now.",
        "hinglish": "Ab koi baaki nahi.",
        "hi": "अब कोई बाकी नहीं।",
    },
    "after_advance": {
        "en": "{amount} rupees now in advance.",
        "hinglish": "Ab {amount} rupaye advance jama hai.",
        "hi": "अब {amount} रुपये एडवांस जमा है।",
    },
    # --- questions ---------------------------------------------------------------------
    "ask_credit": {
        "en": "Write {amount} rupees udhaar for {name}?",
        "hinglish": "{name} ke khate mein {amount} rupaye udhaar likh doon?",
        "hi": "{name} के खाते में {amount} रुपये उधार लिख दूँ?",
    },
    "ask_payment": {
        "en": "Write {amount} rupees received from {name}{mode}?",
        "hinglish": "{name} se {amount} rupaye jama likh doon{mode}?",
        "hi": "{name} से {amount} रुपये जमा लिख दूँ{mode}?",
    },
    "ask_invoice": {
        "en": "Make a bill of {total} rupees for {name}: {items}?",
        "hinglish": "{name} ka {total} rupaye ka bill bana doon: {items}?",
        "hi": "{name} का {total} रुपये का बिल बना दूँ: {items}?",
    },
    "ask_invoice_cash": {
        "en": "Make a cash bill of {total} rupees: {items}?",
        "hinglish": "{total} rupaye ka nakad bill bana doon: {items}?",
        "hi": "{total} रुपये का नकद बिल बना दूँ: {items}?",
    },
    "ask_cancel_invoice": {
        "en": "Cancel bill number {serial}{of_name}, {total} rupees?",
        "hinglish": "Bill number {serial}{of_name}, {total} rupaye, cancel kar doon?",
        "hi": "बिल नंबर {serial}{of_name}, {total} रुपये, रद्द कर दूँ?",
    },
    "ask_cancel_reminder": {
        "en": "Cancel {name}'s reminder for {when}?",
        "hinglish": "{name} ka {when} wala reminder cancel kar doon?",
        "hi": "{name} का {when} वाला रिमाइंडर रद्द कर दूँ?",
    },
    "ask_cancel_reminders": {
        "en": "{name} has {count} reminders. Cancel all of them?",
        "hinglish": "{name} ke {count} reminder hain. Sab cancel kar doon?",
        "hi": "{name} के {count} रिमाइंडर हैं। सब रद्द कर दूँ?",
    },
    "ask_modify_reminder": {
        "en": "Move {name}'s reminder from {old} to {when}?",
        "hinglish": "{name} ka {old} wala reminder {when} kar doon?",
        "hi": "{name} का {old} वाला रिमाइंडर {when} कर दूँ?",
    },
    "ask_create_reminder": {
        "en": "Send {name} a reminder{amount_part} {when}?",
        "hinglish": "{name} ko {when}{amount_part} reminder bhej doon?",
        "hi": "{name} को {when}{amount_part} रिमाइंडर भेज दूँ?",
    },
    "ask_add_stock": {
        "en": "Add {quantity} {unit} of {name} to stock?",
        "hinglish": "{name} {quantity} {unit} stock mein daal doon?",
        "hi": "{name} {quantity} {unit} स्टॉक में डाल दूँ?",
    },
    "ask_set_price": {
        "en": "Set {name} to {price} rupees per {unit}?",
        "hinglish": "{name} ka rate {price} rupaye {unit} kar doon?",
        "hi": "{name} का रेट {price} रुपये {unit} कर दूँ?",
    },
    "ask_create_product": {
        "en": "Add new item {name} at {price} rupees per {unit}?",
        "hinglish": "Naya saaman {name}, {price} rupaye {unit}, jod doon?",
        "hi": "नया सामान {name}, {price} रुपये {unit}, जोड़ दूँ?",
    },
    "ask_create_customer": {
        "en": "Add {name} as a new customer?",
        "hinglish": "Naya customer {name} jod doon?",
        "hi": "नया ग्राहक {name} जोड़ दूँ?",
    },
    "ask_create_customer_similar": {
        "en": "{existing} is already a customer. Add {name} as a new one anyway?",
        "hinglish": "{existing} pehle se customer hain. Phir bhi naya customer {name} jod doon?",
        "hi": "{existing} पहले से ग्राहक हैं। फिर भी नया ग्राहक {name} जोड़ दूँ?",
    },
    "ask_statement": {
        "en": "Send {name}'s statement on WhatsApp?",
        "hinglish": "{name} ko WhatsApp par hisaab bhej doon?",
        "hi": "{name} को WhatsApp पर हिसाब भेज दूँ?",
    },
    "ask_send_invoice": {
        "en": "Send bill number {serial} to {name} on WhatsApp?",
        "hinglish": "{name} ko bill number {serial} WhatsApp par bhej doon?",
        "hi": "{name} को बिल नंबर {serial} WhatsApp पर भेज दूँ?",
    },
    "ask_undo": {
        "en": "Your last entry: {what}. Undo it?",
        "hinglish": "Aapki pichhli entry: {what}. Ise wapas le loon?",
        "hi": "आपकी पिछली एंट्री: {what}। इसे वापस ले लूँ?",
    },
    "offer_new_customer": {
        "en": "There is no customer called {name}; I will add one.",
        "hinglish": "{name} naam ka koi customer nahi hai, naya bana dunga.",
        "hi": "{name} नाम का कोई ग्राहक नहीं है, नया बना दूँगा।",
    },
    "choose": {
        "en": "Which one: {options}?",
        "hinglish": "Kaun se: {options}?",
        "hi": "कौन से: {options}?",
    },
    "did_you_mean": {
        "en": "No {name} found. Did you mean {option}?",
        "hinglish": "{name} nahi mile. Kya aap {option} ki baat kar rahe hain?",
        "hi": "{name} नहीं मिले। क्या आप {option} की बात कर रहे हैं?",
    },
    "or": {"en": " or ", "hinglish": " ya ", "hi": " या "},
    # --- undo read-backs ----------------------------------------------------------------
    "what_credit": {
        "en": "{amount} rupees udhaar for {name}",
        "hinglish": "{name} ke khate mein {amount} rupaye udhaar",
        "hi": "{name} के खाते में {amount} रुपये उधार",
    },
    "what_payment": {
        "en": "{amount} rupees received from {name}",
        "hinglish": "{name} se {amount} rupaye jama",
        "hi": "{name} से {amount} रुपये जमा",
    },
    "what_invoice": {
        "en": "bill number {serial}{of_name}, {total} rupees",
        "hinglish": "bill number {serial}{of_name}, {total} rupaye",
        "hi": "बिल नंबर {serial}{of_name}, {total} रुपये",
    },
    "what_reminder": {
        "en": "a reminder to {name} {when}",
        "hinglish": "{name} ko {when} ka reminder",
        "hi": "{name} को {when} का रिमाइंडर",
    },
    "what_stock": {
        "en": "{quantity} {unit} of {name} added to stock",
        "hinglish": "{name} {quantity} {unit} stock mein",
        "hi": "{name} {quantity} {unit} स्टॉक में",
    },
    "of_name": {"en": " of {name}", "hinglish": " ({name})", "hi": " ({name})"},
    # --- refusals and the conversation ------------------------------------------------
    "unknown": {
        "en": "Sorry, I did not understand. Say it again, for example: "
        "write 500 udhaar for Ramesh.",
        "hinglish": "Maaf kijiye, samajh nahi aaya. Dobara boliye, jaise: "
        "Ramesh ko 500 udhaar likho.",
        "hi": "माफ़ कीजिए, समझ नहीं आया। दोबारा बोलिए, जैसे: रमेश को 500 उधार लिखो।",
    },
    "pardon": {
        "en": "Sorry, I did not understand.",
        "hinglish": "Maaf kijiye, samajh nahi aaya.",
        "hi": "माफ़ कीजिए, समझ नहीं आया।",
    },
    "missing": {
        "en": "I did not catch the {what}. Please say the whole thing again.",
        "hinglish": "{what} samajh nahi aaya. Poori baat dobara boliye.",
        "hi": "{what} समझ नहीं आया। पूरी बात दोबारा बोलिए।",
    },
    "no_customer": {
        "en": "There is no customer called {name}.",
        "hinglish": "{name} naam ka koi customer nahi hai.",
        "hi": "{name} नाम का कोई ग्राहक नहीं है।",
    },
    "no_product": {
        "en": "There is no item called {name}.",
        "hinglish": "{name} naam ka koi saaman nahi hai.",
        "hi": "{name} नाम का कोई सामान नहीं है।",
    },
    "product_exists": {
        "en": "{name} is already in your items.",
        "hinglish": "{name} pehle se saaman mein hai.",
        "hi": "{name} पहले से सामान में है।",
    },
    "need_price": {
        "en": "Tell me the price too, for example: new item Maggi 14 rupees a packet.",
        "hinglish": "Daam bhi boliye, jaise: naya product Maggi 14 rupaye packet.",
        "hi": "दाम भी बोलिए, जैसे: नया सामान मैगी 14 रुपये पैकेट।",
    },
    "unit_mismatch": {
        "en": "{name} is sold by {unit}; say the quantity in {unit}.",
        "hinglish": "{name} {unit} mein bikta hai; {unit} mein boliye.",
        "hi": "{name} {unit} में बिकता है; {unit} में बोलिए।",
    },
    "amount_too_large": {
        "en": "That amount is too large to be right. Please say it again.",
        "hinglish": "Itni badi rakam sahi nahi lagti. Dobara boliye.",
        "hi": "इतनी बड़ी रकम सही नहीं लगती। दोबारा बोलिए।",
    },
    "no_invoice": {
        "en": "I could not find that bill.",
        "hinglish": "Woh bill nahi mila.",
        "hi": "वह बिल नहीं मिला।",
    },
    "already_cancelled": {
        "en": "Bill number {serial} is already cancelled.",
        "hinglish": "Bill number {serial} pehle hi cancel ho chuka hai.",
        "hi": "बिल नंबर {serial} पहले ही रद्द हो चुका है।",
    },
    "no_reminder": {
        "en": "{name} has no reminder waiting to go.",
        "hinglish": "{name} ka koi reminder baaki nahi hai.",
        "hi": "{name} का कोई रिमाइंडर बाकी नहीं है।",
    },
    "no_phone": {
        "en": "{name} has no phone number, so nothing can go on WhatsApp.",
        "hinglish": "{name} ka phone number nahi hai, WhatsApp nahi ja sakta.",
        "hi": "{name} का फ़ोन नंबर नहीं है, WhatsApp नहीं जा सकता।",
    },
    "nothing_due": {
        "en": "{name} owes nothing, so there is nothing to send.",
        "hinglish": "{name} ka koi baaki nahi hai, bhejne ko kuch nahi.",
        "hi": "{name} का कोई बाकी नहीं है, भेजने को कुछ नहीं।",
    },
    "owner_only": {
        "en": "Only the shop owner can cancel a bill.",
        "hinglish": "Bill sirf dukaan ke maalik cancel kar sakte hain.",
        "hi": "बिल सिर्फ़ दुकान के मालिक रद्द कर सकते हैं।",
    },
    "nothing_to_undo": {
        "en": "Nothing of yours from the last 10 minutes can be undone.",
        "hinglish": "Pichhle 10 minute mein aapki koi entry nahi jo wapas ho sake.",
        "hi": "पिछले 10 मिनट में आपकी कोई एंट्री नहीं जो वापस हो सके।",
    },
    "denied": {
        "en": "Okay, I did nothing.",
        "hinglish": "Theek hai, kuch nahi kiya.",
        "hi": "ठीक है, कुछ नहीं किया।",
    },
    "nothing_pending": {
        "en": "There is nothing waiting for a yes or no.",
        "hinglish": "Abhi koi sawaal baaki nahi hai.",
        "hi": "अभी कोई सवाल बाकी नहीं है।",
    },
    "expired": {
        "en": "That question has expired; nothing was done. Please say it again.",
        "hinglish": "Woh sawaal purana ho gaya, kuch nahi kiya. Dobara boliye.",
        "hi": "वह सवाल पुराना हो गया, कुछ नहीं किया। दोबारा बोलिए।",
    },
    "not_understood_choice": {
        "en": "Please say which one: {options}?",
        "hinglish": "Boliye kaun se: {options}?",
        "hi": "बोलिए कौन से: {options}?",
    },
    "unavailable": {
        "en": "I cannot understand commands right now. Try again in a moment.",
        "hinglish": "Abhi command samajh nahi pa raha. Thodi der mein dobara boliye.",
        "hi": "अभी कमांड समझ नहीं पा रहा। थोड़ी देर में दोबारा बोलिए।",
    },
}

MISSING_WHAT = {
    "customer": {"en": "customer's name", "hinglish": "Customer ka naam", "hi": "ग्राहक का नाम"},
    "amount": {"en": "amount", "hinglish": "Rakam", "hi": "रकम"},
    "product": {"en": "item", "hinglish": "Saaman", "hi": "सामान"},
    "items": {"en": "items", "hinglish": "Saaman", "hi": "सामान"},
    "quantity": {"en": "quantity", "hinglish": "Matra", "hi": "मात्रा"},
    "when": {"en": "time", "hinglish": "Samay", "hi": "समय"},
    "unit_price": {"en": "price", "hinglish": "Daam", "hi": "दाम"},
}

MODE_WORDS = {
    "upi": {"en": " by UPI", "hinglish": " UPI se", "hi": " UPI से"},
    "card": {"en": " by card", "hinglish": " card se", "hi": " कार्ड से"},
    "bank": {"en": " by bank transfer", "hinglish": " bank se", "hi": " बैंक से"},
    "cheque": {"en": " by cheque", "hinglish": " cheque se", "hi": " चेक से"},
    "cash": {"en": "", "hinglish": "", "hi": ""},
}

UNIT_WORDS = {
    "kg": {"en": "kg", "hinglish": "kilo", "hi": "किलो"},
    "g": {"en": "grams", "hinglish": "gram", "hi": "ग्राम"},
    "l": {"en": "litres", "hinglish": "litre", "hi": "लीटर"},
    "ml": {"en": "ml", "hinglish": "ml", "hi": "मि.ली."},
    "pcs": {"en": "pieces", "hinglish": "piece", "hi": "पीस"},
    "dozen": {"en": "dozen", "hinglish": "darjan", "hi": "दर्जन"},
    "packet": {"en": "packets", "hinglish": "packet", "hi": "पैकेट"},
    "box": {"en": "boxes", "hinglish": "dabba", "hi": "डिब्बा"},
    "bag": {"en": "bags", "hinglish": "bori", "hi": "बोरी"},
}

_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "hinglish": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "hi": [
        "जनवरी",
        "फ़रवरी",
        "मार्च",
        "अप्रैल",
        "मई",
        "जून",
        "जुलाई",
        "अगस्त",
        "सितंबर",
        "अक्टूबर",
        "नवंबर",
        "दिसंबर",
    ],
}
_DAY_WORDS = {
    "en": {0: "today", 1: "tomorrow", 2: "the day after tomorrow", -1: "yesterday"},
    "hinglish": {0: "aaj", 1: "kal", 2: "parson", -1: "kal"},
    "hi": {0: "आज", 1: "कल", 2: "परसों", -1: "कल"},
}


def lang_of(lang: str | None) -> str:
    return lang if lang in LANGS else "hinglish"


def say(key: str, lang: str, **params: Any) -> str:
    """The template `key` in `lang`, filled in; surplus spaces from empty parts removed."""
    text = T[key][lang_of(lang)].format(**params)
    return " ".join(text.split())


def spoken_amount(value: Decimal) -> str:
    """1250 → "1,250"; 1250.5 → "1,250.50"; Indian grouping (1,23,456), paise only when any."""
    text = rupees(abs(value)).removeprefix("₹")
    return text.removesuffix(".00")


def spoken_quantity(value: Decimal) -> str:
    """2.000 → "2"; 0.500 → "0.5"; 1500 → "1,500"."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return spoken_amount(value.quantize(Decimal("1")))
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{spoken_amount(Decimal(whole))}.{fraction}"


def unit_word(unit: str, lang: str) -> str:
    return UNIT_WORDS.get(unit, {}).get(lang_of(lang), unit)


def mode_words(mode: str | None, lang: str) -> str:
    return MODE_WORDS.get(mode or "cash", MODE_WORDS["cash"])[lang_of(lang)]


def balance_after(balance: Decimal, lang: str) -> str:
    """The sentence that ends a khata write: what the customer owes now."""
    if balance > 0:
        return say("after_due", lang, amount=spoken_amount(balance))
    if balance < 0:
        return say("after_advance", lang, amount=spoken_amount(balance))
    return say("after_zero", lang)


def balance_sentence(name: str, balance: Decimal, lang: str) -> str:
    if balance > 0:
        return say("balance_due", lang, name=name, amount=spoken_amount(balance))
    if balance < 0:
        return say("balance_advance", lang, name=name, amount=spoken_amount(balance))
    return say("balance_zero", lang, name=name)


def options_text(names: list[str], lang: str) -> str:
    """["A", "B", "C"] → "A, B ya C"."""
    joiner = T["or"][lang_of(lang)]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + joiner + names[-1]


def _clock(local: dt.datetime, lang: str) -> str:
    hour12 = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    if lang == "en":
        return f"at {hour12}{minutes} {'AM' if local.hour < 12 else 'PM'}"
    if 4 <= local.hour < 12:
        part = {"hinglish": "subah", "hi": "सुबह"}[lang]
    elif 12 <= local.hour < 16:
        part = {"hinglish": "dopahar", "hi": "दोपहर"}[lang]
    elif 16 <= local.hour < 20:
        part = {"hinglish": "shaam", "hi": "शाम"}[lang]
    else:
        part = {"hinglish": "raat", "hi": "रात"}[lang]
    baje = {"hinglish": "baje", "hi": "बजे"}[lang]
    return f"{part} {hour12}{minutes} {baje}"


def spoken_day(day: dt.date, today: dt.date, lang: str) -> str:
    """ "aaj", "kal", "parson" or "12 March" ("on 12 March" in English)."""
    lang = lang_of(lang)
    offset = (day - today).days
    word = _DAY_WORDS[lang].get(offset)
    if word is not None:
        return word
    month = _MONTHS[lang][day.month - 1]
    if lang == "en":
        return f"on {day.day} {month}"
    return f"{day.day} {month} {'ko' if lang == 'hinglish' else 'को'}"


def spoken_when(when: dt.datetime, now: dt.datetime, lang: str) -> str:
    """A moment as said aloud, relative to `now` in its time zone: "kal subah 10 baje"."""
    lang = lang_of(lang)
    local = when.astimezone(now.tzinfo)
    day = spoken_day(local.date(), now.date(), lang)
    if lang == "hinglish" and day.endswith(" ko"):
        day = day.removesuffix(" ko")
    if lang == "hi" and day.endswith(" को"):
        day = day.removesuffix(" को")
    return f"{day} {_clock(local, lang)}"


def day_title(day: dt.date, today: dt.date, lang: str) -> str:
    """The subject of a day's summary: "Aaj", "Kal", "9 March ko" ("Today", "On 9 March")."""
    text = spoken_day(day, today, lang)
    return text[:1].upper() + text[1:] if lang_of(lang) != "hi" else text
