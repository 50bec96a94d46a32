"""What the demo shop is filled with: a Pune kirana store's regulars and shelf.

Plain data, written through the services by `seed_demo`. Prices are MRP
(GST included), as a kirana prices them; HSN codes and GST slabs are the
ones these goods carry.
"""

from __future__ import annotations

from decimal import Decimal as D

# name, phone, aliases, credit limit, preferred language, opening balance
CUSTOMERS: list[tuple[str, str, list[str], D | None, str, D]] = [
    ("Ramesh Kumar", "9876543210", ["Ramesh", "रमेश", "Ramesh bhaiya"], D("5000"), "hinglish", D("750")),
    ("Suresh Patil", "9823456789", ["Suresh", "सुरेश"], D("3000"), "hi", D("0")),
    ("Sunita Deshmukh", "9890123456", ["Sunita", "सुनीता", "Sunita didi"], D("4000"), "hi", D("1250")),
    ("Mohammed Irfan", "9822334455", ["Irfan", "Irfan bhai", "मोहम्मद इरफ़ान"], None, "hinglish", D("0")),
    ("Lakshmi Iyer", "9765432109", ["Lakshmi", "लक्ष्मी"], D("2500"), "en", D("320")),
    ("Anjali Verma", "9811122233", ["Anjali", "अंजलि"], D("3000"), "en", D("0")),
    ("Rakesh Gupta", "9822001122", ["Gupta ji", "Gupta", "गुप्ता जी"], D("10000"), "hi", D("2100")),
    ("Pinky Shinde", "9970011223", ["Pinky", "पिंकी"], D("1500"), "hinglish", D("0")),
    ("Bablu Yadav", "9881234567", ["Bablu", "बबलू"], D("1000"), "hinglish", D("180")),
    ("Meena Devi", "9850098765", ["Meena", "मीना"], D("2000"), "hi", D("0")),
    ("Joseph D'Souza", "9921122334", ["Joseph", "जोसेफ"], D("5000"), "en", D("0")),
    ("Farhan Shaikh", "9545012345", ["Farhan", "फ़रहान"], D("2000"), "hinglish", D("640")),
    ("Kavita Joshi", "9404123456", ["Kavita", "कविता"], D("3000"), "hi", D("0")),
    ("Vijay Pawar", "9623456780", ["Vijay", "विजय"], D("2500"), "hinglish", D("0")),
    ("Pooja Kulkarni", "9730012345", ["Pooja", "पूजा"], D("2000"), "en", D("95")),
    ("Sanjay Mehta", "9595123456", ["Sanjay", "Mehta ji", "संजय"], D("8000"), "hinglish", D("0")),
    ("Geeta Bai", "9405012345", ["Geeta", "Geeta mausi", "गीता"], D("1000"), "hi", D("410")),
    ("Arjun Nair", "9876012345", ["Arjun", "अर्जुन"], None, "en", D("0")),
    ("Rukhsana Begum", "9822567890", ["Rukhsana", "रुख़साना"], D("1500"), "hinglish", D("0")),
    ("Deepak Chavan", "9767123450", ["Deepak", "दीपक"], D("2000"), "hinglish", D("0")),
]

# name, aliases, unit, MRP per unit, GST %, HSN, opening stock, low-stock level
PRODUCTS: list[tuple[str, list[str], str, D, D, str, D, D]] = [
    ("Sugar", ["cheeni", "chini", "चीनी", "shakkar"], "kg", D("46.00"), D("5"), "1701", D("120"), D("20")),
    ("Wheat Atta", ["atta", "aata", "आटा", "gehun ka atta"], "kg", D("42.00"), D("0"), "1101", D("200"), D("30")),
    ("Basmati Rice", ["chawal", "chaawal", "चावल", "rice"], "kg", D("98.00"), D("5"), "1006", D("150"), D("25")),
    ("Sona Masoori Rice", ["masoori chawal", "sona masoori"], "kg", D("62.00"), D("5"), "1006", D("100"), D("20")),
    ("Toor Dal", ["arhar dal", "tur dal", "दाल", "dal", "daal"], "kg", D("160.00"), D("0"), "0713", D("60"), D("10")),
    ("Moong Dal", ["moong", "मूंग दाल"], "kg", D("130.00"), D("0"), "0713", D("40"), D("8")),
    ("Chana Dal", ["chana", "चना दाल"], "kg", D("95.00"), D("0"), "0713", D("40"), D("8")),
    ("Sunflower Oil", ["tel", "तेल", "oil", "refined"], "l", D("165.00"), D("5"), "1512", D("80"), D("12")),
    ("Mustard Oil", ["sarson ka tel", "sarson tel", "सरसों तेल"], "l", D("185.00"), D("5"), "1514", D("40"), D("8")),
    ("Amul Ghee", ["ghee", "घी", "desi ghee"], "l", D("650.00"), D("12"), "0405", D("15"), D("3")),
    ("Amul Taaza Milk", ["doodh", "dudh", "दूध", "milk", "Amul milk"], "packet", D("27.00"), D("0"), "0401", D("60"), D("20")),
    ("Amul Butter 100g", ["butter", "makhan", "मक्खन"], "pcs", D("58.00"), D("12"), "0405", D("30"), D("6")),
    ("Paneer 200g", ["paneer", "पनीर"], "packet", D("90.00"), D("5"), "0406", D("20"), D("5")),
    ("Curd 400g", ["dahi", "दही", "curd"], "packet", D("35.00"), D("5"), "0403", D("25"), D("6")),
    ("Eggs", ["anda", "ande", "अंडा", "egg"], "dozen", D("84.00"), D("0"), "0407", D("30"), D("5")),
    ("Bread", ["bread", "pav", "ब्रेड"], "packet", D("45.00"), D("0"), "1905", D("20"), D("5")),
    ("Maggi Noodles", ["maggi", "मैगी", "noodles"], "packet", D("14.00"), D("18"), "1902", D("150"), D("30")),
    ("Parle-G", ["parle g", "parle", "पारले जी", "biscuit"], "packet", D("10.00"), D("18"), "1905", D("200"), D("40")),
    ("Good Day Biscuit", ["good day", "गुड डे"], "packet", D("30.00"), D("18"), "1905", D("60"), D("12")),
    ("Tata Salt", ["namak", "नमक", "salt"], "kg", D("28.00"), D("0"), "2501", D("80"), D("15")),
    ("Tata Tea Gold 250g", ["chai patti", "chai", "चाय पत्ती", "tea"], "packet", D("145.00"), D("5"), "0902", D("40"), D("8")),
    ("Bru Coffee 50g", ["coffee", "कॉफ़ी"], "packet", D("110.00"), D("18"), "2101", D("20"), D("4")),
    ("Haldi Powder 100g", ["haldi", "हल्दी", "turmeric"], "packet", D("32.00"), D("5"), "0910", D("40"), D("8")),
    ("Lal Mirch Powder 100g", ["mirchi", "lal mirch", "लाल मिर्च"], "packet", D("45.00"), D("5"), "0904", D("40"), D("8")),
    ("Jeera 100g", ["jeera", "जीरा", "cumin"], "packet", D("60.00"), D("5"), "0909", D("30"), D("6")),
    ("Poha", ["poha", "पोहा", "chiwda"], "kg", D("55.00"), D("5"), "1904", D("40"), D("8")),
    ("Besan", ["besan", "बेसन", "gram flour"], "kg", D("90.00"), D("5"), "1106", D("30"), D("6")),
    ("Sooji", ["rava", "suji", "सूजी"], "kg", D("48.00"), D("5"), "1103", D("30"), D("6")),
    ("Potato", ["aloo", "alu", "आलू"], "kg", D("30.00"), D("0"), "0701", D("100"), D("20")),
    ("Onion", ["pyaaz", "pyaz", "kanda", "प्याज़"], "kg", D("40.00"), D("0"), "0703", D("100"), D("20")),
    ("Tomato", ["tamatar", "टमाटर"], "kg", D("36.00"), D("0"), "0702", D("50"), D("10")),
    ("Banana", ["kela", "kele", "केला"], "dozen", D("60.00"), D("0"), "0803", D("20"), D("4")),
    ("Surf Excel 1kg", ["surf", "detergent", "सर्फ़"], "packet", D("140.00"), D("18"), "3402", D("30"), D("6")),
    ("Vim Bar", ["vim", "बर्तन साबुन"], "pcs", D("20.00"), D("18"), "3402", D("50"), D("10")),
    ("Lifebuoy Soap", ["sabun", "साबुन", "soap", "lifebuoy"], "pcs", D("38.00"), D("18"), "3401", D("60"), D("12")),
    ("Colgate 100g", ["colgate", "manjan", "toothpaste", "कोलगेट"], "pcs", D("55.00"), D("18"), "3306", D("40"), D("8")),
    ("Dolo 650", ["dolo", "डोलो"], "pcs", D("32.00"), D("12"), "3004", D("30"), D("5")),
    ("Agarbatti", ["agarbatti", "अगरबत्ती"], "box", D("50.00"), D("5"), "3307", D("25"), D("5")),
    ("Matchbox", ["machis", "maachis", "माचिस"], "box", D("2.00"), D("12"), "3605", D("200"), D("40")),
    ("Candle", ["mombatti", "मोमबत्ती", "candle"], "pcs", D("5.00"), D("12"), "3406", D("100"), D("20")),
    ("Jute Bag", ["thaila", "jhola", "थैला"], "bag", D("25.00"), D("5"), "6305", D("40"), D("8")),
]
