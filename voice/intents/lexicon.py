"""The words the parser knows: grammar, verbs per intent, units, payment modes, products.

Every entry is written as people write it (Hinglish, English, Devanagari) and
stored under its folded key (tokens.fold), so one entry covers the spellings
that fold together ("udhaar", "udhar", "उधार"); spellings that do not fold
together are listed side by side. A word that is in none of these tables is
what names and products are made of, so the grammar and filler lists are
deliberately long: an unlisted common word would be mistaken for a name.
"""

from __future__ import annotations

from functools import lru_cache

from voice.intents.tokens import fold, fold_words

# --- Grammar -------------------------------------------------------------------------

KO = "KO"  # dative: "Ramesh ko", to
NE = "NE"  # ergative: "Ramesh ne" (the customer did it)
KA = "KA"  # genitive: ka, ke, ki
PE = "PE"  # on, at: pe, par
SE = "SE"  # from, with, by: se
MEIN = "MEIN"  # in
WALA = "WALA"  # "Ramesh wala bill"
NAAM = "NAAM"  # "ke naam likho"
AUR = "AUR"  # and
LIYE = "LIYE"  # "ke liye" (for); alone it is also "took"
EN_TO = "EN_TO"
EN_FOR = "EN_FOR"
EN_FROM = "EN_FROM"
EN_OF = "EN_OF"
EN_WITH = "EN_WITH"
EN_BY = "EN_BY"  # by, via, through, using
EN_ON = "EN_ON"
EN_AT = "EN_AT"
EN_IN = "EN_IN"
ABOUT = "ABOUT"  # about, regarding; Hindi "ki" (that) is KA
NAMED = "NAMED"  # "a customer named X", "naam X"
PER = "PER"  # per, prati, each, har
FILLER = "FILLER"  # words that carry no entity: pronouns, particles, politeness
QWORD = "QWORD"  # kitna, how much, what, kya
KAISE = "KAISE"  # how (to)
NEG = "NEG"  # mat, nahi, don't
PAST = "PAST"  # tha, thi, was, did
HI_GRAMMAR = "HI_GRAMMAR"  # marks Hinglish for language detection
EN_GRAMMAR = "EN_GRAMMAR"
HONORIFIC = "HONORIFIC"
TIMES = "TIMES"  # "ek baar", "two times": a count, not an amount

# --- Verbs and nouns that decide the intent ------------------------------------------

UDHAAR = "UDHAAR"
KHATA = "KHATA"  # khata, account
HISAAB = "HISAAB"
STATEMENT = "STATEMENT"  # statement, ledger, passbook, entries
LIKH = "LIKH"  # write it down
PUT = "PUT"  # daal, jod, chadha, add, badha
GIVE_PAST = "GIVE_PAST"  # diya, diye, gave
GIVE = "GIVE"  # de, dena, give
TAKE_PAST = "TAKE_PAST"  # liya, took, bought
PAY = "PAY"  # jama, paid, chukta, lautaya
SENT_PAST = "SENT_PAST"  # bheje, bheja, sent, transferred
RECEIVE = "RECEIVE"  # mila, received, got
ARRIVE = "ARRIVE"  # aaya, aa gaya, arrived
SEND = "SEND"  # bhejo, send, share, WhatsApp
SHOW = "SHOW"  # dikhao, batao, show
BAAKI = "BAAKI"  # baaki, balance, pending, owe
REMAIN = "REMAIN"  # bacha, left, remaining
STOCK = "STOCK"
PRICE = "PRICE"  # rate, bhav, daam, price
NEW = "NEW"
CREATE = "CREATE"  # banao, make, create, open
CUSTOMER_N = "CUSTOMER_N"  # customer, grahak
PRODUCT_N = "PRODUCT_N"  # product, item, saman
BILL = "BILL"
NUMBER_N = "NUMBER_N"  # "bill number 42"
PHONE_N = "PHONE_N"  # phone, mobile
CANCEL = "CANCEL"
REMINDER = "REMINDER"
DILA = "DILA"  # "yaad dila"
SET = "SET"  # laga, set, schedule
MODIFY = "MODIFY"  # badlo, change, move, shift
SALE = "SALE"
SUMMARY = "SUMMARY"
COLLECTIVE = "COLLECTIVE"  # sab, everyone, kis kis
TOTAL = "TOTAL"
CURRENCY = "CURRENCY"
MONEY_N = "MONEY_N"  # paisa, money, amount
YES = "YES"
YES_WEAK = "YES_WEAK"  # words that may stand beside a yes or a no: kar, do, ji
NO = "NO"
UNDO = "UNDO"
WRONG = "WRONG"
ENTRY = "ENTRY"
LAST = "LAST"
RETURN = "RETURN"  # wapas, back
REDUCE = "REDUCE"  # kaat do, kam karo: take off the balance
HELP = "HELP"
CAN = "CAN"  # sakte, can
KAR = "KAR"  # the light verb: kar, karo, kiya
VERB = "VERB"  # other verbs that are never names
VETO = "VETO"  # topics no intent covers
VETO_SOFT = "VETO_SOFT"  # questions (where, when) that no intent answers, unless a strong cue
PRODUCT = "PRODUCT"  # words that are products, never names
PLACE = "PLACE"  # market, bank, dukaan: never a customer
UNIT = "UNIT"  # kilo, litre, packet ... (UNITS gives the normalised unit)
MODE = "MODE"  # cash, GPay, NEFT ... (PAYMENT_MODES gives the normalised mode)

# Verbs after which "do" is the imperative "give/do", not the number two.
DO_VERB_STEMS = fold_words(
    """
    kar de le likh bhej bana chadha chadh daal dal jod hata laga rakh dikha bata badal mita
    dila bhar lauta nikal khol check cancel update add set shift radd chala bol samjha suna
    mil uthva hatva banva jama karva likhva chuka utar badha ghata gin tol कर दे ले लिख भेज
    बना चढ़ा डाल जोड़ हटा लगा रख दिखा बता बदल मिटा दिला भर लौटा निकाल खोल
    """
)

_ENTRIES: dict[str, str] = {
    KO: "ko ku को कू",
    NE: "ne ने",
    KA: "ka ke ki kaa kay kee का के की",
    PE: "pe par pr upar पे पर ऊपर",
    SE: "se sey से",
    MEIN: "mein me mai mei men mien mai andar में मैं मे अंदर",
    WALA: "wala wale wali waala waale waali vala vale vali वाला वाले वाली",
    NAAM: "naam nam नाम",
    AUR: "aur or and plus tatha evam और तथा एवं व",
    LIYE: "liye liya lie लिए लिये",
    EN_TO: "to into",
    EN_FOR: "for",
    EN_FROM: "from",
    EN_OF: "of",
    EN_WITH: "with",
    EN_BY: "by via through thru using",
    EN_ON: "on",
    EN_AT: "at",
    EN_IN: "in",
    ABOUT: "about regarding re",
    NAMED: "named called naam",
    PER: "per prati each har pratee प्रति हर",
    QWORD: """kitna kitni kitne kitnaa kitana kitta kitti much many what whats kya kyaa kaun
        which kaunsa kaunse kaunsi kis kin kiske kinke kiska kinka
        कितना कितनी कितने क्या कौन कौनसा कौनसे""",
    KAISE: "kaise kese kaisa how कैसे",
    NEG: """mat nahi nahin nai na dont don't not never no nope मत नहीं नही ना न""",
    PAST: "tha thi thee was were did yesterday था थी थे",
    HI_GRAMMAR: """ko ne ka ke ki pe par se mein me hai hain ho hua hui karo kar kardo diya diye
        liya dena dedo bhejo bhejna kitna kitni kitne wala wali wale tha thi abhi aaj kal
        parson baje ghante baad dikhao batao banao banado yaad dila dilana lagao bacha bachi
        bache naya nayi naye jodo daalo chadha chadhao haan nahi mat karna aur kya kaise
        liye lie die gaya gaye gayi de""",
    EN_GRAMMAR: """the a an to for from of by via with on at is are was were do does did have has
        had my me our we us you your his her their this that these those please what how
        which who much many can could will would should add make create send show set
        remind received paid got took change move cancel delete check update tomorrow today
        yesterday next all""",
    HONORIFIC: """ji jee bhai bhaiya bhaiyya bhaiyaa bhaiji bhaisahab bhaisaab bhaisaheb didi
        behen behenji bahen bahenji bhabhi bhabhiji aunty auntie anty uncle sahab saheb sahib
        seth sethji mr mrs ms miss shri shree sri smt shrimati dr madam maam sir chacha
        chachi kaka kaki mausi bua ustad haji janab mister
        श्री श्रीमान श्रीमती सुश्री जी भैया भइया भैय्या भाई भाईसाहब दीदी बहन बहनजी भाभी भाभीजी
        आंटी आँटी अंकल साहब सेठ सेठजी चाचा चाची काका काकी मौसी बुआ जनाब""",
    TIMES: "baar bar times time dafa बार दफा",
    # --- intent words
    UDHAAR: """udhaar udhar udhaari udhari udhaar udhhar udaar udar credit credited
        उधार उधारी क्रेडिट""",
    KHATA: "khata khate khaata khaate khaatey account accounts a/c tab खाता खाते खाते",
    HISAAB: "hisaab hisab hisaab-kitaab hisab-kitab हिसाब हिसाब-किताब",
    STATEMENT: """statement statements ledger passbook entries history transactions
        स्टेटमेंट लेजर""",
    LIKH: """likh likho likhna likhdo likhiye likhe likha likhi likhde likhlo likhna write
        written enter note mark log लिख लिखो लिखना लिखिए लिखे लिखा नोट""",
    REDUCE: """kaat kaato kato katt kat katdo kam ghata ghatao minus deduct deducted subtract
        reduce कम काट काटो घटा घटाओ""",
    PUT: """daal dal daalo dalo daaldo daalna daaliye jod jodo jodna jodiye jodh chadha
        chadhao chadhana chadhaiye chada chadao badha badhao badhana add added adding put
        include increase डाल डालो डालना जोड़ जोड़ो जोड़ना चढ़ा चढ़ाओ चढ़ाना बढ़ा बढ़ाओ
        जोड़िए डालिए""",
    GIVE_PAST: """diya diye die de-diya dediya dediye diyaa diyee gave given diyo di dee
        दिया दिए दिये दी""",
    GIVE: "de dena dedo dijiye dijie give दे देना दीजिए देदो",
    TAKE_PAST: """liya liye lie le-liya leliya took taken bought kharida kharidi kharide
        khareeda purchased li lee लिया ली लिए लिये खरीदा खरीदी खरीदे""",
    PAY: """jama jamaa paid pay pays paying payment payments bhugtan chukta chukti chukaya
        chukaye chukayi chuka chukana lauta lautaya lautaye lautai lautaa laut lautaaye
        lautay returned repaid cleared clear settled settle deposit deposited
        जमा चुकता चुकाया चुकाए चुका लौटा लौटाया लौटाए लौटाये भुगतान पेमेंट""",
    SENT_PAST: """bheje bheja bheji transferred transfer sent bhejdiye bhejdiya
        भेजे भेजा भेजी ट्रांसफर""",
    RECEIVE: """mila mile mili mil received receive got milgaya prapt
        मिला मिले मिली प्राप्त""",
    ARRIVE: """aaya aaye aayi aayee aae aai arrived came आया आए आये आई""",
    SEND: """bhejo bhej bhejna bhejdo bhejde bhejiye bhejiega bhejenge bhejna bhejiyega
        send share forward whatsapp watsapp whatsap whatsaap wa
        भेजो भेज भेजना भेजिए भेजें व्हाट्सएप व्हाट्सऐप वॉट्सऐप वाट्सएप शेयर""",
    SHOW: """dikhao dikha dikhana dikhaiye dikhaao dikhado batao bata batana bataiye bataao
        batado bolo suna sunao show display list dekh dekho check see view
        दिखाओ दिखा दिखाना दिखाइए बताओ बता बताना बताइए बोलो सुनाओ देखो लिस्ट चेक""",
    BAAKI: """baaki baki baqi baaqi bakaya bakaaya bakaya balance pending outstanding due dues
        owe owes owed owing nikalta nikalte nikla nikalti nikal lena bakki fasa fansa phansa
        atka atke atki
        बाकी बाक़ी बकाया बैलेंस पेंडिंग""",
    REMAIN: """bacha bachi bache bachaa bachhi bachhe bacha-hua left remaining available
        pada padi pade reh rah बचा बची बचे पड़ा पड़ी पड़े रह""",
    STOCK: "stock stocks inventory godown maal स्टॉक गोदाम माल",
    PRICE: """rate rates bhav bhaav bhaw daam dam keemat kimat kimmat price prices cost mrp
        रेट भाव दाम कीमत क़ीमत प्राइस""",
    NEW: "naya nayi naye nai naya new नया नई नए नये न्यू",
    CREATE: """banao bana banado banana banaiye banaao banaa make create generate kholo khol
        kholna open register banaye jodo bnao
        बनाओ बना बनाना बनाइए बनादो खोलो खोलना""",
    CUSTOMER_N: """customer customers grahak graahak grahakon client clients party kastamar
        costumer ग्राहक ग्राहकों कस्टमर""",
    PRODUCT_N: """product products item items saman saaman samaan samaan cheez chiz vastu
        goods stuff grocery groceries ration
        प्रोडक्ट आइटम सामान चीज़ चीज वस्तु""",
    BILL: """bill bills invoice invoices receipt parchi parchee raseed rasid challan
        बिल इनवॉइस इन्वॉइस रसीद पर्ची""",
    NUMBER_N: "number no num nambar numbr नंबर",
    PHONE_N: "phone mobile mob contact fon mobail फोन फ़ोन मोबाइल",
    CANCEL: """cancel cancelled canceled cancell kancel radd rad raddh hatao hata hatado
        hataao hatana delete remove mitao mita void khatam band stop
        रद्द कैंसिल कैंसल हटाओ हटा हटाना मिटाओ मिटा डिलीट बंद""",
    REMINDER: """reminder reminders remind reminding yaad tagada takaza tagaada alert
        रिमाइंडर रिमाइंडरों याद तगादा तकाज़ा""",
    DILA: "dila dilana dilao dilado dilaiye dilaana dilaye dilaa दिला दिलाना दिलाओ दिलाइए",
    SET: "laga lagao lagado lagana lagaiye set schedule rakh rakho लगा लगाओ लगाना रखो",
    MODIFY: """badlo badal badli badalna change changed move shift reschedule postpone
        prepone modify edit update aage peeche piche push delay postponed
        बदलो बदल बदलना शिफ्ट आगे पीछे""",
    SALE: """bikri bikree sale sales sell sold selling becha bechi beche bech dhanda dhandha
        galla kamai kamaai income revenue turnover collection bikaa bika
        बिक्री बेचा बेची बेचे धंधा गल्ला कमाई सेल""",
    SUMMARY: "summary report saransh सारांश रिपोर्ट समरी",
    COLLECTIVE: """sab sabka sabki sabke sabhi saare sare saari sari sabko sabse everyone everybody
        all logon log logo customers grahakon market bazaar bazar milake milakar
        सब सबका सबकी सबके सभी सारे सारी लोगों बाज़ार बाजार मार्केट""",
    TOTAL: "total kul overall milake milakar कुल टोटल",
    CURRENCY: """rupaye rupay rupaiye rupaya rupiya rupiye rupee rupees rs inr rupe rupya bucks
        रुपये रुपए रुपया रुपैया रु""",
    MONEY_N: "paisa paise paiso money amount raqam rakam पैसा पैसे रकम रक़म",
    YES: """haan han haa ha haanji hanji hnji yes yeah yep yup ok okay okk theek thik tik
        sahi bilkul zaroor jaroor sure confirm confirmed done proceed correct right chalo
        chaliye perfect accha acha achha acchha go ahead
        हाँ हां हा ठीक सही बिल्कुल बिलकुल ज़रूर जरूर ओके चलो""",
    YES_WEAK: """ji jee kar karo kardo do dijiye dijie dijiyega please pls plz hai bhai it
        that this karna kariye jaldi abhi thanks thank you now haan chahiye chahie
        जी कर करो करदो दो दीजिए दीजिये है""",
    NO: """nahi nahin nai na naa no nope nah mat ruko ruk rukiye rukjao wait stop rehne rahne
        dont don't never cancel chhodo chodo jane
        नहीं नही ना न मत रुको रुकिए रहने छोड़ो रुक""",
    UNDO: "undo revert reverse rollback undu अनडू",
    WRONG: """galat galati galti ghalat wrong mistake oops galtee error
        गलत ग़लत गलती ग़लती""",
    ENTRY: "entry entri transaction एंट्री",
    LAST: """last pichla pichli pichle pichhla pichhli pichhle aakhri akhri aakhiri latest
        previous recent just पिछला पिछली पिछले आखिरी आख़िरी""",
    RETURN: "wapas vapas waapas back वापस",
    HELP: """help madad sahayata sahayta samjhao samjha samjhaiye sikhao sikha guide tutorial
        command commands instructions feature features options menu
        मदद सहायता समझाओ समझाइए सिखाओ हेल्प""",
    CAN: "sakte sakta sakti sakoge sakenge can could सकते सकता सकती",
    KAR: """kar karo karna kardo karde karke kariye kijiye kijie karen karein karenge kiya
        kiye kie ki-ye karwa karva kr kro krdo karunga hoga ho hua hui hue gaya gayi gaye
        gye gyi make do does
        कर करो करना करदो करके करिए कीजिए करें किया किए किये हुआ हुई हुए गया गई गए हो होगा""",
    VERB: """hai hain he hei tha thi the raha rahi rahe hona hoga hogi chahiye chahie
        chahta chahti lo le lena lijiye dekhna is are am be been being has have had
        rakha rakhi rakhe lagta lagti jaana jana jayega jaega jaayega jaane jaani jayenge
        gaye karni karne hogi hoga record use kaam chalate chalana chalta karta karti
        kaam-kaaj work works hota hoti hote
        है हैं था थी थे रहा रही रहे चाहिए लो ले लेना जाना जाएगा जाने जानी""",
    VETO: """call calling recharge discount chhoot chhut percent mausam weather barish
        baarish rain joke chutkula music song gaana gana play news khabar address bijli light
        electricity kiraya rent salary tankhwah tankha supplier suppliers distributor
        distributors wholesaler wholesalers vendor vendors dealer agency company mangwana
        mangwani mangwao mangao mangwa mangvana order orders bharna bharni bharo bharne
        khulegi khulega khulna loan emi tax gst movie cricket score train flight
        कॉल रिचार्ज डिस्काउंट छूट मौसम बारिश चुटकुला गाना बिजली किराया सैलरी तनख्वाह
        सप्लायर डिस्ट्रीब्यूटर होलसेलर मंगवाना मंगवानी मंगाओ ऑर्डर भरना भरनी खुलेगी खुलेगा""",
    VETO_SOFT: "kahan kahaan kab where when why kyon kyun pata कहाँ कहां कब क्यों पता",
    PLACE: "market bazaar bazar bank dukaan dukan shop godown ghar mandi बैंक दुकान घर मंडी",
    FILLER: """abhi zara jara jaldi turant bhi to toh yaar yar please pls plz accha acha achha
        bas sirf hi wo woh voh yeh ye is us iska uska uski uske unka unki unke inka inki
        apna apni apne mera meri mere hamara hamari hamare hum main mai mujhe humko hume
        hamein tum aap aapko tumhe ab phir fir wahi kuch koi jo ki isme isko usko unko
        inko ise use ek-baar thoda thodi jab tab bhai-sahab sahi pura poora puri poori
        saara sara saari sari sabhi bilkul bahut aaj-kal aajkal abhi-abhi ke-liye jaise
        vaise waise the a an this that these those it its it's i i'm me my mine we our us
        you your yours he him his she her they them their there here what's which who whom
        whose do does did done doing have has had having is am are was were be been being
        will would shall should can could may might must and or but so then than also just
        only very too more less some any all every each no yes not please kindly sir madam
        now today right away again new old last first next one ones thing things stuff
        okay ok well hey hello hi oh ah um uh hmm let lets let's give get got put take
        want need like make made show know think say said go going gone come coming
        up down out off over under again about above below into onto upon within without
        amount money rupees total much many how what when where why whom who's
        customer's till until since before after during while as if else either neither
        am pm ke-saath saath sath bolo full complete entire whole anymore any-more batao
        matlab yani yaani hisaab-se waise-hi sabse zyada jyada jada most least highest
        lowest maximum worth taraf tarf taraph umm um hmm haan-to arre are arey oye suno
        sunna dekho bhaiya-ji dost friend padosi neighbour neighbor
        today's tomorrow's yesterday's app aip application system software isme ismein
        अभी ज़रा जरा जल्दी तुरंत भी तो यार बस सिर्फ़ सिर्फ ही वो वह यह ये इस उस इसका उसका उसकी उसके
        उनका उनकी उनके अपना अपनी अपने मेरा मेरी मेरे हमारा हमारी हमारे हम मैं मुझे तुम आप आपको
        अब फिर कुछ कोई जो कि इसमें इसको उसको उनको थोड़ा बहुत पूरा पूरी सारा सारी साथ मतलब""",
    PRODUCT: """cheeni chini sugar shakkar tel oil atta aata atte aate chawal chaawal chaval
        chaawal rice dal daal dail doodh dudh milk paneer panir dahi curd ghee ghi makhan
        butter namak salt besan maida sooji suji rava chai tea patti coffee ande anda anday
        egg eggs kele kela banana bananas aloo alu aalu potato potatoes pyaaz pyaz pyaj onion
        onions tamatar tomato tomatoes sabun saabun soap biscuit biscuits bread cement haldi
        mirch mirchi jeera jira dhaniya masala sarson mustard toor tur arhar tuar moong mung
        masoor chana chhole rajma poha sooji gud jaggery shampoo toothpaste matchbox machis
        agarbatti candle mombatti detergent surf sabzi sabji fruit fruits phal noodles
        cardamom elaichi laung clove kaju badam almonds kishmish raisins pista dry-fruits
        refined kerosene mitti petrol diesel gas cylinder medicine dawai dawa
        syrup paracetamol juice cold-drink pani water chocolate toffee namkeen
        bhujia chips kurkure icecream ice-cream powder cream lotion oil-packet
        चीनी शक्कर तेल आटा आटे चावल दाल दूध पनीर दही घी मक्खन नमक बेसन मैदा सूजी चाय पत्ती
        कॉफी अंडे अंडा केले केला आलू प्याज टमाटर साबुन बिस्कुट ब्रेड सीमेंट हल्दी मिर्च
        जीरा धनिया मसाला सरसों तूर अरहर मूंग मसूर चना राजमा पोहा गुड़ शैम्पू माचिस अगरबत्ती
        मोमबत्ती सब्ज़ी सब्जी फल इलायची लौंग काजू बादाम किशमिश दवाई दवा गोली पानी नमकीन""",
}

# Product words that combine with a preceding word into one product: "sarson ka tel",
# "haldi powder", "toor dal". Used to join "X ka Y" into one product mention.
PRODUCT_HEADS = fold_words(
    """
    tel oil dal daal dail atta aata chawal rice powder masala patti chai doodh milk ghee
    namak salt mirch biscuit bread sabun soap तेल दाल आटा चावल पाउडर मसाला पत्ती चाय दूध घी
    नमक मिर्च
    """
)

UNITS: dict[str, str] = {}
for _unit, _words in {
    "kg": "kg kgs kilo kilos kilogram kilograms kilogramme kg. keji किलो केजी किग्रा",
    "g": "g gm gms gram grams gramme grammes gr grm ग्राम",
    "l": "l ltr ltrs litre litres liter liters lt लीटर लिटर",
    "ml": "ml mls millilitre millilitres milliliter milliliters मिली एमएल",
    "pcs": """pc pcs piece pieces nag nang peece pis bottle bottles botal strip strips patta
        patte pattas tablet tablets पीस नग बोतल पत्ता पत्ते""",
    "dozen": "dozen dozens darjan darjen dazan दर्जन",
    "packet": "packet packets pkt pkts pack packs paket pakit pouch packet. पैकेट पैकेट्स पाकेट",
    "box": """box boxes dabba dabbe dibba dibbe dibbi carton cartons peti
        डिब्बा डिब्बे डब्बा डब्बे बॉक्स पेटी""",
    "bag": "bag bags bori bora boriya boriyan sack sacks katta katte बोरी बोरा बैग कट्टा कट्टे",
}.items():
    for _word in _words.split():
        UNITS[fold(_word)] = _unit

PAYMENT_MODES: dict[str, str] = {}
for _mode, _words in {
    "cash": "cash nakad naqad nagad nakd nakit kash नकद नक़द कैश",
    "upi": """upi gpay googlepay phonepe phonepay paytm bhim qr scan यूपीआई गूगलपे फ़ोनपे फोनपे
        पेटीएम""",
    "card": "card debit swipe कार्ड",
    # not "online": it is said of UPI and of bank transfers alike
    "bank": "neft imps rtgs bank transfer nett banking netbanking एनईएफटी बैंक",
    "cheque": "cheque check chek चेक",
}.items():
    for _word in _words.split():
        PAYMENT_MODES[fold(_word)] = _mode
# Two-word names of modes: "google pay", "credit card", "bank transfer", "net banking".
MODE_PHRASES: dict[tuple[str, ...], str] = {
    tuple(fold(word) for word in phrase.split()): mode
    for phrase, mode in (
        ("google pay", "upi"),
        ("phone pe", "upi"),
        ("amazon pay", "upi"),
        ("credit card", "card"),
        ("debit card", "card"),
        ("bank transfer", "bank"),
        ("net banking", "bank"),
        ("online transfer", "bank"),
    )
}

# English words whose folded key is a Hindi word ("tell" folds to "tel", oil; "call" is
# not "kal"): these are matched on the lower-cased surface only.
_EXACT: dict[str, frozenset[str]] = {
    "tell": frozenset({"SHOW", "FILLER"}),
    "call": frozenset({"VETO"}),
    # "aa gaya" (it came) folds to the English article "a".
    "aa": frozenset({"ARRIVE"}),
    "आ": frozenset({"ARRIVE"}),
    "calls": frozenset({"VETO"}),
}

_TAGS: dict[str, frozenset[str]] = {}


def _build() -> None:
    collected: dict[str, set[str]] = {}
    for tag, words in _ENTRIES.items():
        for word in words.split():
            collected.setdefault(fold(word), set()).add(tag)
    for key in UNITS:
        collected.setdefault(key, set()).add(UNIT)
    for key in PAYMENT_MODES:
        collected.setdefault(key, set()).add(MODE)
    _TAGS.update({key: frozenset(tags) for key, tags in collected.items()})


_build()


@lru_cache(maxsize=16384)
def tags_of(key: str) -> frozenset[str]:
    """The lexicon's tags of one folded word; empty for a word it does not know."""
    return _TAGS.get(key, frozenset())


def word_tags(surface: str, key: str) -> frozenset[str]:
    """Tags of a word as written: the exact English entries first, then its folded key."""
    exact = _EXACT.get(surface.casefold())
    if exact is not None:
        return exact
    return tags_of(key)
