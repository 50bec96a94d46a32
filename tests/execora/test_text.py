import pytest

from execora.text import devanagari_to_latin, phonetic_key, strip_honorifics


@pytest.mark.parametrize(
    ("devanagari", "latin"),
    [
        ("रमेश", "ramesh"),
        ("सुनीता", "sunita"),
        ("चीनी", "chini"),
        ("शर्मा", "sharma"),
        ("मोहम्मद इरफ़ान", "mohammad irfan"),
        ("आटा", "ata"),
        ("दूध", "dudh"),
        ("तेल", "tel"),
        ("गुप्ता", "gupta"),
        ("लक्ष्मी", "lakshmi"),
        # medial schwa deletion (VC_CV), kept word-initially and before clusters
        ("कमला", "kamla"),
        ("अरहर", "arhar"),
        ("सरसों", "sarson"),
        ("यादव", "yadav"),
        ("मसाला", "masala"),
        # final schwa kept after a conjunct, after "iy", and in one-letter words
        ("कृष्ण", "krishna"),
        ("मिश्र", "mishra"),
        ("नरेंद्र", "narendra"),
        ("प्रिय", "priya"),
        ("न", "na"),
        # anusvara / chandrabindu
        ("संजय", "sanjay"),
        ("चंपा", "champa"),
        ("अंबानी", "ambani"),
        ("सिंह", "singh"),
        ("हाँ", "han"),
        ("नहीं", "nahin"),
        # nukta, precomposed (U+095B) and combining
        ("\u095bुबैर", "zubair"),
        ("ज\u093cुबैर", "zubair"),
        ("फ़ारूक़", "faruq"),
        ("थोड़ा", "thoda"),
        ("ज्ञान", "gyan"),
        ("राजनीति", "rajniti"),
        ("छोटू", "chhotu"),
        ("१२३", "123"),
    ],
)
def test_devanagari_is_romanised_as_hinglish(devanagari, latin):
    # when romanised / then it reads as a Hinglish writer would spell it
    assert devanagari_to_latin(devanagari) == latin


def test_devanagari_to_latin_keeps_other_text_as_it_is():
    # given mixed text / when romanised / then Latin, digits and punctuation pass through
    assert devanagari_to_latin("Ramesh ko ₹500, रमेश जी।") == "Ramesh ko ₹500, ramesh ji."
    assert devanagari_to_latin("Gupta General Store") == "Gupta General Store"


@pytest.mark.parametrize(
    "variants",
    [
        ("Ramesh", "RAMESH", "rameshh", "रमेश", " Ramesh "),
        ("Geeta", "Gita", "गीता"),
        ("Sunita", "Suneeta", "सुनीता"),
        ("Lakshmi", "Laxmi", "लक्ष्मी"),
        ("Mohammad Irfan", "Mohamad Irfaan", "मोहम्मद इरफ़ान"),
        ("Pawan", "Pavan", "पवन"),
        ("Vijay", "Vijai", "विजय"),
        ("Zubair", "Jubair"),
        ("Farooq", "Pharuk", "फ़ारूक़"),
        ("Doodh", "Dudh", "दूध"),
        ("Aata", "Ata", "आटा"),
        ("Cheeni", "Chini", "चीनी"),
        ("Chhotu", "Chotu", "छोटू"),
        ("Ajith", "Ajit", "अजीत"),
        ("José", "Jose"),
        ("Shah", "Shaah"),
        ("D'Souza", "Dsouza"),
    ],
)
def test_phonetic_key_folds_spelling_variants_together(variants):
    # when keyed / then every spelling of the same name gives one key
    keys = {phonetic_key(variant) for variant in variants}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ramesh", "Suresh"),
        ("Ramesh", "Rakesh"),
        ("Amit", "Amita"),  # a final "a" separates two people
        ("Sunil", "Sunita"),
        ("Bharat", "Barat"),  # aspiration is kept
        ("Sahil", "Shahil"),  # s and sh are kept apart
        ("Chand", "Kand"),  # ch is not k
    ],
)
def test_phonetic_key_keeps_different_names_apart(one, other):
    assert phonetic_key(one) != phonetic_key(other)


def test_phonetic_key_keeps_words_in_order_with_single_spaces():
    # given punctuation, initials and extra spaces / then words, in order, one space apart
    assert phonetic_key("  R.K.   Sharma-ji ") == "r k sharma ji"
    assert phonetic_key("") == ""


@pytest.mark.parametrize(
    ("spoken", "name"),
    [
        ("Ramesh ji", "Ramesh"),
        ("Ramesh bhaiya", "Ramesh"),
        ("Sharma ji", "Sharma"),
        ("Mr. Rakesh Sharma", "Rakesh Sharma"),
        ("Smt. Sunita Devi", "Sunita Devi"),
        ("Shri Ram Prasad ji", "Ram Prasad"),
        ("Sunita didi", "Sunita"),
        ("Gupta uncle", "Gupta"),
        ("Ramesh-ji", "Ramesh"),
        ("Verma Sahab", "Verma"),
        ("श्री रमेश जी", "रमेश"),
        ("रमेश भैया", "रमेश"),
        ("सुनीता दीदी", "सुनीता"),
        ("Balaji", "Balaji"),  # "ji" inside a word stays
        ("Ramesh Kumar", "Ramesh Kumar"),
        ("Didi", "Didi"),  # nothing but an honorific: keep it, it may be the saved name
        ("", ""),
    ],
)
def test_strip_honorifics_leaves_the_name_as_spoken(spoken, name):
    assert strip_honorifics(spoken) == name
