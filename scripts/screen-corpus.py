#!/usr/bin/env python3
"""Writes the labelled corpus for the personal-data screen (docs/REPORTS.md §2.1).

    python3 scripts/screen-corpus.py > Tests/ILONetTests/Corpus/personal-data-screen.jsonl

Each line is one free-text value placed in one field of an otherwise valid
strategic report:

    {"label": "identifier" | "name" | "address" | "clean",
     "category": what it carries, "field": the field path, "text": the value}

`identifier` values carry something the screen must refuse; `name` and
`address` values something it should warn of; `clean` values are the kind of
text officers write without personal data, with the place names, numbers,
dates, prices, vessels and agencies that look most like identifiers. The
identifiers are generated with valid check digits (IBAN mod 97, Luhn, ICAO
9303, Base58Check, Bech32) from a fixed seed, so the file is the same on every
run; the corpus test (Tests/ILONetTests/PersonalDataScreenTests.swift) reads
the committed file.
"""
import hashlib
import json
import random
import string

rng = random.Random(20261201)

FIELDS = [
    "headline",
    "body.modus_operandi",
    "body.facilitator_network",
    "body.document_fraud.description",
    "body.vulnerable_persons.notes",
    "body.gender_dimension",
    "body.obstacles[0]",
    "body.identification_missions[0].authority",
    "body.location.crossing_point",
    "body.authorities_response",
    "conditions",
]
# Fields limited to 200 characters take short values only.
SHORT = {"headline", "body.identification_missions[0].authority", "body.location.crossing_point"}


def field_for(text):
    choices = [f for f in FIELDS if len(text) <= (200 if f in SHORT else 500)]
    return rng.choice(choices)


# ---------------------------------------------------------------- identifiers

def luhn_complete(digits):
    for check in range(10):
        candidate = digits + [check]
        total = 0
        for i, d in enumerate(reversed(candidate)):
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return candidate


def card():
    prefix = rng.choice([[4], [5, 1], [5, 5], [3, 7], [6, 0, 1, 1], [2, 2, 2, 1]])
    length = 15 if prefix[:2] == [3, 7] else 16
    digits = luhn_complete(prefix + [rng.randrange(10) for _ in range(length - 1 - len(prefix))])
    s = "".join(map(str, digits))
    if rng.random() < 0.6:
        return " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    return s


def imei():
    digits = luhn_complete([3, 5] + [rng.randrange(10) for _ in range(12)])
    s = "".join(map(str, digits))
    return rng.choice([s, f"{s[:2]}-{s[2:8]}-{s[8:14]}-{s[14]}", f"{s[:8]} {s[8:14]} {s[14]}"])


IBAN_LENGTHS = {"DE": 22, "FR": 27, "IT": 27, "ES": 24, "NL": 18, "BE": 16, "LY": 25, "TN": 24, "TR": 26, "EG": 29, "MT": 31, "GR": 27, "AT": 20, "PL": 28}


def iban():
    country = rng.choice(sorted(IBAN_LENGTHS))
    n = IBAN_LENGTHS[country] - 4
    if country in ("NL", "MT"):
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + "".join(rng.choice(string.digits) for _ in range(n - 4))
    else:
        bban = "".join(rng.choice(string.digits) for _ in range(n))
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    value = f"{country}{check:02d}{bban}"
    if rng.random() < 0.6:
        return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    return value


def mrz_check(field):
    total = 0
    for i, c in enumerate(field):
        v = int(c) if c.isdigit() else (0 if c == "<" else ord(c) - 55)
        total += v * [7, 3, 1][i % 3]
    return str(total % 10)


SURNAMES = ["SALEM", "ABDELKADER", "TESFAY", "OKAFOR", "DIALLO", "HADDAD", "YILMAZ", "PETROV", "GHANEM", "MERED", "BERHE", "KHALIFA"]
GIVEN = ["AHMED", "MOHAMED", "KIDANE", "CHINEDU", "MAMADOU", "OMAR", "MEHMET", "IVAN", "ALI", "YONAS", "IBRAHIM", "FATIMA"]


def mrz():
    state = rng.choice(["LBY", "NGA", "ERI", "SDN", "TUN", "EGY", "TUR", "SYR", "GIN", "MLI"])
    number = rng.choice(string.ascii_uppercase) + "".join(rng.choice(string.digits) for _ in range(rng.choice([7, 8])))
    number = (number + "<<<")[:9]
    birth = f"{rng.randrange(60, 99):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    expiry = f"{rng.randrange(26, 34):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    sex = rng.choice("MF")
    name = f"{rng.choice(SURNAMES)}<<{rng.choice(GIVEN)}"
    line1 = (f"P<{state}{name}" + "<" * 44)[:44]
    body = f"{number}{mrz_check(number)}{state}{birth}{mrz_check(birth)}{sex}{expiry}{mrz_check(expiry)}" + "<" * 14
    composite = body[:10] + body[13:20] + body[21:28] + body[28:42]
    line2 = body + mrz_check(body[28:42]) + mrz_check(composite)
    td1_number = (rng.choice(string.ascii_uppercase) + "".join(rng.choice(string.digits) for _ in range(8)))
    td1_line1 = (f"I<{state}{td1_number}{mrz_check(td1_number)}" + "<" * 30)[:30]
    td1_line2 = (f"{birth}{mrz_check(birth)}{sex}{expiry}{mrz_check(expiry)}{state}" + "<" * 30)[:30]
    return rng.choice([line2, line1, f"{line1} {line2}", line2, td1_line1, td1_line2])


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(payload):
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((top >> i) & 1) else 0
    return chk


def bech32(hrp, data, const):
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data
    polymod = bech32_polymod(values + [0] * 6) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH[d] for d in data + checksum)


def wallet():
    kind = rng.choice(["btc", "p2sh", "bech32", "taproot", "eth", "tron", "ltc"])
    if kind == "btc":
        return base58check(b"\x00" + rng.randbytes(20))
    if kind == "p2sh":
        return base58check(b"\x05" + rng.randbytes(20))
    if kind == "ltc":
        return base58check(b"\x30" + rng.randbytes(20))
    if kind == "tron":
        return base58check(b"\x41" + rng.randbytes(20))
    if kind == "eth":
        return "0x" + rng.randbytes(20).hex()
    if kind == "bech32":
        return bech32("bc", [0] + [rng.randrange(32) for _ in range(32)], 1)
    return bech32("bc", [1] + [rng.randrange(32) for _ in range(52)], 0x2BC830A3)


def digits(n):
    return "".join(rng.choice(string.digits) for _ in range(n))


def phone():
    forms = [
        lambda: f"+218 9{rng.choice('1234')} {digits(3)} {digits(4)}",
        lambda: f"+2189{rng.choice('1234')}{digits(7)}",
        lambda: f"00218 9{rng.choice('1234')} {digits(7)}",
        lambda: f"+216 {rng.choice(['20', '22', '50', '98'])} {digits(3)} {digits(3)}",
        lambda: f"+234 80{rng.choice('36')} {digits(3)} {digits(4)}",
        lambda: f"+33 6 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
        lambda: f"+39 34{rng.choice('0789')} {digits(3)} {digits(4)}",
        lambda: f"+49 1{rng.choice('567')}{digits(1)} {digits(7)}",
        lambda: f"+20 10{digits(1)} {digits(3)} {digits(4)}",
        lambda: f"+227 9{digits(1)} {digits(2)} {digits(2)} {digits(2)}",
        lambda: f"+90 5{digits(2)} {digits(3)} {digits(2)} {digits(2)}",
        lambda: f"+7 916 {digits(3)}-{digits(2)}-{digits(2)}",
        lambda: f"(+218) 9{rng.choice('12')}-{digits(7)}",
        lambda: f"0{rng.choice(['91', '92', '94'])}{digits(7)}",
        lambda: f"0{rng.choice(['91', '92'])}-{digits(3)}-{digits(4)}",
        lambda: f"+251 91 {digits(3)} {digits(4)}",
        lambda: f"+249 9{digits(2)} {digits(3)} {digits(3)}",
    ]
    return rng.choice(forms)()


def email():
    user = rng.choice(["ahmed.salem", "k.tesfay", "boss_zuwara", "m.diallo88", "okafor.travel", "abu.hamza", "ivan.p", "sabratha.boats", "yilmaz.mehmet", "harraga2025"])
    domain = rng.choice(["gmail.com", "yahoo.fr", "hotmail.com", "proton.me", "mail.ru", "outlook.de", "libyana.ly", "yandex.ru", "gmx.net", "icloud.com"])
    form = rng.random()
    if form < 0.8:
        return f"{user}@{domain}"
    name, tld = domain.rsplit(".", 1)
    return f"{user} [at] {name} [dot] {tld}" if form < 0.9 else f"{user}(at){domain}"


def social():
    handle = rng.choice(["abu_salem_ly", "zuwara.trips", "harraga_2025", "captain.sabratha", "kidane_travel", "okafor_connect", "yilmaz.transfer", "libya_boats"])
    return rng.choice([
        f"@{handle}", f"facebook.com/{handle}", f"t.me/{handle}", f"https://instagram.com/{handle}", f"tiktok.com/@{handle}",
        f"https://www.facebook.com/{handle}", f"vk.com/{handle}", f"wa.me/2189{digits(8)}",
    ])


def passport_number():
    return rng.choice([
        lambda: rng.choice(string.ascii_uppercase) + digits(8),
        lambda: rng.choice(string.ascii_uppercase) + rng.choice(string.ascii_uppercase) + digits(7),
        lambda: "C01X" + digits(2) + "T" + digits(2),
        lambda: digits(2) + "AB" + digits(5),
        lambda: digits(9),
        lambda: "N0" + digits(7),
    ])()


def plate():
    return rng.choice([
        f"5-{digits(6)}", f"B-{rng.choice(['AB', 'KX', 'MU'])} {digits(4)}", f"{rng.choice(['AB', 'FG', 'EX'])} {digits(3)} {rng.choice(['CD', 'LM', 'ZZ'])}",
        f"{digits(3)} TU {digits(4)}", f"34 {rng.choice(['ABC', 'KLM'])} {digits(3)}", f"ABC-{digits(3)}-DE", f"{digits(2)}-{digits(5)}",
    ])


def date_numeric():
    d, m, y = rng.randrange(1, 29), rng.randrange(1, 13), rng.randrange(1960, 2008)
    return rng.choice([f"{d:02d}.{m:02d}.{y}", f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d}.{m}.{y}", f"{d:02d}/{m:02d}/{y % 100:02d}"])


# (template, generator): {v} is the value. Several languages each, as officers write.
IDENTIFIER_TEMPLATES = {
    "e-mail": (email, [
        "Bookings are taken by e-mail at {v}.", "Contact address used by the organiser: {v}", "Les passeurs répondent à l'adresse {v}.",
        "Kontakt der Schleuser per E-Mail: {v}", "Gli organizzatori usano {v} per i pagamenti.", "البريد الإلكتروني للمهرب {v}",
        "Адрес почты организатора: {v}", "Organizatör e-posta adresi {v}", "Payments confirmed from {v} to the cashier in Zuwara.",
    ]),
    "phone": (phone, [
        "Crossings are booked by phone on {v}.", "The coordinator answers on WhatsApp {v} day and night.", "Numéro du passeur : {v}",
        "Die Schleuser sind unter {v} erreichbar.", "Il numero {v} è usato per le prenotazioni.", "رقم الهاتف المستخدم للحجز {v}",
        "Телефон организатора {v}", "Telefon numarası {v} üzerinden rezervasyon alınıyor.", "Migrants are told to call {v} once in Sabratha.",
        "Viber group admin: {v}", "Le numéro {v} circule parmi les candidats au départ.", "Contact on Telegram via {v}.",
    ]),
    "iban": (iban, [
        "Payments go to the account {v}.", "Fees are wired to IBAN {v} in the name of a front company.", "Virement sur le compte {v}.",
        "Überweisungen auf das Konto {v}.", "Bonifico sul conto {v}.", "التحويل إلى الحساب {v}", "Оплата на счет {v}.", "Ödemeler {v} hesabına yapılıyor.",
    ]),
    "bank-account": (lambda: rng.choice([digits(10), digits(12), f"{digits(3)}-{digits(3)}-{digits(4)}"]), [
        "Money is sent by Western Union, MTCN {v}.", "Payments to account number {v} at a Tripoli bank.", "رقم الحساب {v} في مصرف الجمهورية",
        "Kontonummer {v} bei einer Bank in Istanbul.", "Hesap no {v} üzerinden ödeme.", "Numéro de compte {v}.",
    ]),
    "mrz": (mrz, [
        "Photo of the document shows {v}", "MRZ read at the checkpoint: {v}", "Counterfeit passport seized, zone reads {v}",
        "{v}", "Machine-readable zone copied from the seized document: {v}",
    ]),
    "document-number": (passport_number, [
        "The organiser travels on passport no. {v}.", "Reisepass-Nr. {v}, ausgestellt in Niamey.", "Il voyage avec le passeport {v}.",
        "Passaporto n. {v} rilasciato a Khartoum.", "Viaja con el pasaporte {v}.", "Paszport nr {v}.", "Паспорт {v} выдан в Москве.",
        "جواز سفر رقم {v}", "Pasaport numarası {v}.", "Διαβατήριο {v}.", "Útlevélszám {v}.", "Personalausweis {v} gefälscht.",
        "ID card number {v} was used at Ras Ajdir.", "His national ID {v} matches the seized phone.", "Document number {v} appears on three bookings.",
        "carte d'identité {v}", "carta d'identità {v}", "رقم الهوية {v}", "Kimlik no {v}.", "Identity card {v} issued in Lagos.",
    ]),
    "national-id": (lambda: rng.choice([digits(11), digits(12), f"{digits(6)}-{digits(4)}", digits(10), digits(13)]), [
        "T.C. kimlik no {v}", "PESEL {v}", "CNP {v}", "personnummer {v}", "الرقم الوطني {v}", "NIN {v} on the Nigerian slip.", "BSN {v}", "ЕГН {v}",
        "codice fiscale RSSMRA85T10A562S and {v}", "Libyan national number {v}", "DNI {v}",
    ]),
    "date-of-birth": (date_numeric, [
        "The driver, born {v}, steers the boat.", "Date of birth {v}, Nigerian national.", "DOB: {v}", "Geboren am {v} in Benghazi.",
        "né le {v} à Tunis", "nato il {v} a Khartoum", "nacido el {v}", "urodzony {v}", "дата рождения {v}", "تاريخ الميلاد {v}",
        "doğum tarihi {v}", "γεννήθηκε {v}", "The cashier (d.o.b. {v}) keeps the ledger.", "Geburtsdatum {v}", "date de naissance : {v}",
    ]),
    "date-of-birth-words": (lambda: rng.choice([
        f"{rng.randrange(1, 29)} March {rng.randrange(1965, 2005)}", f"{rng.randrange(1, 29)} mars {rng.randrange(1965, 2005)}",
        f"{rng.randrange(1, 29)} marzo {rng.randrange(1965, 2005)}", f"{rng.randrange(1, 29)} марта {rng.randrange(1965, 2005)} года",
        f"{rng.randrange(1, 29)} مارس {rng.randrange(1965, 2005)}", f"May {rng.randrange(1, 29)}, {rng.randrange(1965, 2005)}",
        f"{rng.randrange(1, 29)} Mai {rng.randrange(1965, 2005)}", f"{rng.randrange(1, 29)} Mart {rng.randrange(1965, 2005)}",
    ]), [
        "The boat driver was born on {v}.", "Il est né le {v} à Sfax.", "È nato il {v}.", "Он родился {v}.", "المولود في {v}", "He was born {v} in Kano.",
        "Er wurde am {v} geboren.", "{v} doğumlu.",
    ]),
    "year-of-birth": (lambda: str(rng.randrange(1965, 2005)), [
        "organiser, {v} г.р., citizen of Sudan", "من مواليد {v}، ليبي الجنسية", "{v} doğumlu sürücü", "водитель {v} года рождения",
    ]),
    "imei": (imei, [
        "The phone seized (IMEI {v}) held the booking lists.", "IMEI: {v}", "Handy mit IMEI-Nummer {v} sichergestellt.", "Téléphone IMEI {v}.",
        "The satellite phone {v} was recovered from the boat.", "Telefono sequestrato, IMEI {v}.",
    ]),
    "payment-card": (card, [
        "Deposits were paid with the card {v}.", "Card number {v} used to buy fuel.", "Carte bancaire {v} utilisée à Tunis.",
        "Kreditkarte {v} für Bootskauf verwendet.", "Pagamento con carta {v}.", "بطاقة الدفع {v}",
    ]),
    "crypto-wallet": (wallet, [
        "Fees are paid in USDT to the wallet {v}.", "Bitcoin address {v} receives the deposits.", "Les paiements arrivent sur {v}.",
        "Zahlungen in Kryptowährung an {v}.", "Pagamenti su {v}.", "محفظة العملات المشفرة {v}", "Кошелек {v}.", "Deposits to {v} before departure.",
    ]),
    "social-media": (social, [
        "Crossings are advertised by {v}.", "The recruiter posts as {v}.", "Annonces publiées par {v}.", "Werbung über {v}.", "Pubblicità su {v}.",
        "الإعلانات على {v}", "Реклама через {v}.", "İlanlar {v} hesabında.",
    ]),
    "vehicle-plate": (plate, [
        "The migrants were moved in a pick-up, plate {v}.", "Lkw mit Kennzeichen {v} an der Grenze.", "Camion immatriculé {v}.",
        "Furgone targato {v}.", "Camión con matrícula {v}.", "شاحنة رقم اللوحة {v}", "Грузовик с госномером {v}.", "{v} plakalı kamyon.",
        "Licence plate {v} seen at the crossing twice.",
    ]),
}

# ---------------------------------------------------------------- names and addresses

LATIN_NAMES = ["Ahmed Dabbashi", "Mohamed Salem", "Kidane Zekarias", "Tesfay Berhe", "Chinedu Okafor", "Mamadou Diallo", "Ibrahim Haddad",
               "Omar Khalifa", "Yonas Ghebre", "Abdelkader Ghanem", "Mehmet Yilmaz", "Ali Ben Nasser", "Fatima Ould Ahmed", "Ivan Petrov",
               "Ermias Ghermay", "Osas Igbinedion", "Moussa Traore", "Walid Mansour", "Hamza Kebir", "Sergei Volkov"]
ARABIC_NAMES = ["محمد سالم", "أحمد الدباشي", "عبد الرحمن ميلاد", "خالد الزاوي", "علي بن ناصر", "إبراهيم حداد", "عمر خليفة", "يوسف المصراتي"]
CYRILLIC_NAMES = ["Иван Петров", "Сергей Волков", "Олег Сидоренко", "Андрей Иванович Козлов", "Дмитрий Орлов", "Николай Петрович"]
GREEK_NAMES = ["Γιώργος Παπαδόπουλος", "Νίκος Αντωνίου", "Δημήτρης Κωνσταντίνου", "Κώστας Ιωάννου"]
NICKNAMES = ["Al-Ghoul", "the Doctor", "Abu Hamza", "Kapitän", "Il Capo", "El Faraón", "Bosco", "Shrek"]

NAME_TEMPLATES = [
    ("latin", "The network is run by Mr {n} from a farm near Zuwara."), ("latin", "Departures are organised by a Libyan named {n}."),
    ("latin", "The cashier, known as {n}, collects fees in Sabratha."), ("latin", "The boat driver is the son of {n}."),
    ("latin", "Herr {n} koordiniert die Transporte."), ("latin", "Le réseau est dirigé par M. {n}."), ("latin", "Il capo è il sig. {n}."),
    ("latin", "El organizador, llamado {n}, opera desde Trípoli."), ("latin", "Recruiter {n} works the Agadez bus station."),
    ("latin", "{n} organises the departures from Garabulli."), ("latin", "Payments are collected by {n} in Kufra."),
    ("latin", "The smuggler {n} (alias {k}) controls the beach."), ("latin", "Organizatör {n} lakaplı {k}."),
    ("latin", "Dr {n} issues false medical certificates."), ("latin", "Sheikh {n} mediates between militias."),
    ("arabic", "يدير الشبكة المدعو {n} من زوارة"), ("arabic", "السيد {n} ينظم الرحلات"), ("arabic", "الملقب {n} يجمع المبالغ"),
    ("arabic", "الحاج {n} يملك المستودع"), ("arabic", "The organiser {n} runs the warehouse."),
    ("cyrillic", "Организатор по имени {n} работает в Бенгази."), ("cyrillic", "господин {n} отвечает за транспорт"),
    ("cyrillic", "Перевозку организует {n}."), ("cyrillic", "Водитель по кличке {k}."),
    ("greek", "Ο διακινητής ονόματι {n} οργανώνει τα ταξίδια."), ("greek", "Ο κ. {n} είναι ο ταμίας."),
    ("latin", "a.k.a. {k}, the network's cashier"), ("latin", "The network's boss, nicknamed {k}, lives in Tripoli."),
    # Without a title, marker or common given name: what the screen is expected to miss.
    ("uncued", "{u} controls departures from the western beaches."), ("uncued", "Boats are bought from {u} in Zuwara."),
    ("uncued", "The network of {u} moves groups from Agadez to Sebha."), ("uncued-arabic", "شبكة {ua} تنقل المهاجرين من الكفرة"),
    ("uncued-cyrillic", "Сеть {uc} перевозит людей через Бенгази."), ("latin", "Payments reach {n} through hawala brokers."),
]
UNCUED_LATIN = ["Tesfamariam Gebremedhin", "Dabbashi", "Okonkwo Eze", "Gebre Wolde", "Al-Bija", "Osagie Uyi", "Zekarias Habtemariam", "Ghirmay Tewelde"]
UNCUED_ARABIC = ["الدباشي", "البيجا", "ميلاد القصب", "الزاوي"]
UNCUED_CYRILLIC = ["Сидоренко", "Козлова", "Орлова и Зайцева"]

ADDRESS_TEMPLATES = [
    "The safe house is at 12 Omar Mukhtar Street, Zuwara.", "Sammelstelle in der Via Roma 15, Agrigent.", "Le dépôt se trouve 4 rue de la Paix, Sfax.",
    "المستودع في شارع عمر المختار 23", "Склад на ул. Ленина 5.", "Depo Atatürk Caddesi 45 adresinde.", "Stash house at 7 Airport Road, Benghazi.",
    "Hideout at Calle Mayor 8.", "Treffpunkt Hauptstraße 21.", "Safe house on 33 Tariq Street in Sabratha.",
]

# ---------------------------------------------------------------- clean

PLACES = ["Zuwara", "Sabratha", "Garabulli", "Tripoli", "Misrata", "Benghazi", "Tobruk", "Kufra", "Sebha", "Ubari", "Ghat", "Agadez", "Arlit", "Dirkou",
          "Gao", "Bamako", "Niamey", "Kano", "Khartoum", "Port Sudan", "Ras Ajdir", "Ben Gardane", "Sfax", "Kerkennah", "Mahdia", "Monastir",
          "Lampedusa", "Pozzallo", "Augusta", "Crotone", "Gulf of Sirte", "Abu Kammash", "Al Khums", "Zawiya", "Bir al-Ghanam", "Port Said", "Alexandria",
          "Marsa Matruh", "Salloum", "Amsaad", "Djanet", "Tamanrasset", "Oujda", "Nador", "Melilla", "Ceuta", "Laayoune", "Dakhla", "Nouadhibou"]
ORGS = ["Frontex", "EUROSUR", "Europol", "the EMSC", "IOM", "UNHCR", "EUBAM Libya", "EUNAVFOR MED Irini", "the Libyan Coast Guard", "the Tunisian National Guard",
        "the Garde Nationale", "the Guardia di Finanza", "MRCC Rome", "the Italian Coast Guard", "the Department for Combating Illegal Migration (DCIM)",
        "the Nigerien police", "Interpol", "the ILO network", "the EU delegation", "Eurojust", "the Maltese Armed Forces", "Sea-Watch", "SOS Méditerranée"]
VESSELS = ["a 12-metre wooden fishing boat", "an inflatable rubber boat with a 40 hp engine", "the fishing vessel Al Hadi", "the MV Ocean Viking",
           "a fibreglass boat of 9 metres", "the tug Asso Trenta", "the cargo ship Maersk Etienne", "a former fishing trawler", "the Geo Barents"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
CURRENCIES = ["EUR", "USD", "LYD", "TND", "dinars", "euros", "dollars", "CFA francs"]

CLEAN_TEMPLATES = [
    "Departures from {p} rose in {m}; {c} persons left on {x} boats.",
    "Prices at {p} reached {a} {cur} per person for the sea crossing.",
    "Since {d} {m} {y}, {o} reports {c} interceptions off {p}.",
    "Boats leave {p} between 02:00 and 04:00 when the sea is calm.",
    "The route runs {p} – {q} – {r}, then by sea to Lampedusa.",
    "Smugglers in {p} use {v} for groups of about {x}.",
    "{o} intercepted {c} persons on {d} {m} near {p}.",
    "Counterfeit passports are sold in {p} for about {a} {cur}.",
    "Forged Schengen visas and Italian ID cards were seen at {p}.",
    "Document fraud: {x} passports and {x2} residence permits seized at {p} in {m} {y}.",
    "Payments move through hawala brokers in {p} and {q}.",
    "Crossings are advertised on Telegram and TikTok channels in Arabic and French.",
    "WhatsApp groups share departure times a day in advance.",
    "Phone networks Libyana and Almadar cover the beaches west of {p}.",
    "Migrants born in Sudan and Eritrea are the largest groups in {p}.",
    "Children born in transit camps lack birth registration.",
    "The convoy left {p} at 23:30 and reached {q} after 14 hours.",
    "Vehicles on the {p} – {q} road carry up to {x} persons each.",
    "Trucks cross at {p} after 22:00; {x} were counted on {d} {m}.",
    "Coordinates of the launch point: 32.9{x3} N, 12.{x3} E.",
    "The position reported by {o} was 33°{x}'N 011°{x2}'E at 0{h}:{x}Z.",
    "SAR event reported by MRCC Rome at 0{h}:15 UTC on {d} {m}.",
    "Per Regulation (EU) 2019/1240, no personal data is included in this report.",
    "Joint operation Themis recorded {c} detections in {m} {y}.",
    "Unaccompanied minors: about {x} among {c} arrivals at {p}.",
    "Women travel with their children; {x}% of the group were women.",
    "Fees rose by {x}% after the arrests in {p}.",
    "Boats carry between {x} and {c} persons depending on size.",
    "{o} and {o2} held a meeting in {p} on {d} {m} {y}.",
    "Identification mission by the Nigerian embassy on {d} {m}; {x} persons confirmed.",
    "Laissez-passers for {x} returnees are ready; charter flight planned for {m}.",
    "The embassy of {nat} in {p} issues emergency travel documents within {x} days.",
    "Readmission cooperation remains partial; {x} of {c} requests answered.",
    "Return flights leave {p} airport on Tuesdays; capacity {c} seats.",
    "{v} was seen off {p} on {d} {m} with about {c} persons on board.",
    "The crossing point at {p} was closed from {d} {m} to {d2} {m}.",
    "Congestion at {p}: queues of {x} trucks, waiting time {h} hours.",
    "A large group of about {c} persons attempted the crossing near {p}.",
    "Authorities at {p} deployed {x} additional patrols and a drone.",
    "The border guards at {p} detained {x} drivers for questioning.",
    "Recruiters operate at the bus stations of {p} and {q}.",
    "The network has cells in {p}, {q} and {r}, with couriers between them.",
    "Fuel for the engines is bought in {p} at {a} {cur} per barrel.",
    "Engines of 40 hp and 60 hp are imported through {p}.",
    "GPS devices and satellite phones (Thuraya) are handed to the boat driver.",
    "Most passengers paid in cash; some paid by hawala via {p}.",
    "The smugglers' warehouses in {p} hold up to {c} persons.",
    "Militia checkpoints on the road from {p} to {q} charge {a} {cur} per vehicle.",
    "Tides and weather: departures stop when waves exceed 1.5 m.",
    "Bulletin {y}/{x}: situation unchanged at {p}.",
    "Flight TK {x3}{x} from Istanbul to {p} carried groups of {x} travellers.",
    "Visa-free entry to {p} since {m} {y} has opened a new air route.",
    "Between {y} and {y2} the route via {p} declined by {x}%.",
    "Report follows the meeting of {d} {m} {y} at the EU delegation in {p}.",
    "The harbour of {p} has {x} berths used by fishing boats.",
    "Pick-up trucks (Toyota Hilux) carry groups of {x} through the desert.",
    "Numbers: {c} departures, {x} interceptions, {x2} rescues in week {x3}.",
    "Shipping containers in {p} port are used to hide persons; {x} found.",
    "Deaths at sea: {x} bodies recovered off {p} on {d} {m}.",
    "The Libyan Coast Guard returned {c} persons to {p} in {m}.",
    "Price list: Zuwara–Lampedusa {a} {cur}; Tobruk–Crete {a2} {cur}.",
    "Routes shift east after the arrests; {p} is the new hub.",
    "Joint patrols of {o} and {o2} started on {d} {m}.",
    "Hotline of {o} for SAR alerts remains operational 24/7.",
    "Phone credit is sold in {p} for {a} {cur} a card.",
    "A major route now runs through {p}.",
    "General Directorate of Passports in {p} resumed work on {d} {m}.",
    "The detention centre at {p} holds about {c} persons.",
    "Case reference SIENA {y}-{x3}{x} refers to the same network.",
    "Migrants pay {a} {cur} at {p}, then {a2} {cur} at {q}.",
    "Temperature +{x}°C in the desert; water shortages reported.",
    "Arrivals grew +{x}% year on year.",
    "Abu Salim district of Tripoli hosts several smuggling warehouses.",
    "Ports of {p} and {q} see departures on Fridays.",
    "The Mohamed V airport in Casablanca is used for transit.",
    "Sidi Bouzid and Kasserine supply most of the Tunisian departures.",
    "Between 300 400 persons gather at the beach before each departure.",
    "Kilometre 27 of the coastal road is the usual meeting point.",
    # Numbers, codes and words that look most like identifiers.
    "The Coast Guard hotline 1525 answered {x} calls in {m}.",
    "Flights TU 514 and LY {x3}{h} carry returnees from {p}.",
    "Position 32°54'N 012°08'E, drift to the north-east.",
    "Bulletin 2026/11/0{x3} covers {p} and {q}.",
    "Cash seized: 1,250,000 EUR and 40,000 USD in {p}.",
    "Patrol vessel call sign 5AB{x3} returned to {p}.",
    "Prices: 1500-2000 USD per person, paid half in advance.",
    "The vessel (IMO 9{x3}{x3}) was detained in {p}.",
    "MMSI 642{x3}{x3} belongs to a Libyan patrol boat.",
    "The passport office in {p} issued 12000 passports in {y}.",
    "Passport fees rose to 150000 LYD on the black market.",
    "Passports of the {y} series are counterfeited in {p}.",
    "Passport renewals: {y}-{y2} backlog of 35000 applications.",
    "ID cards from {nat} are forged in {p} for {a} {cur}.",
    "Born in {nat}, most of the passengers travelled via {p}.",
    "Phone credit of {x} LYD is sold with each booking.",
    "Plates of the trucks were removed before the crossing.",
    "Licence plates from {nat} are common on the {p} road.",
    "Telegram channels of the smugglers have {c} subscribers.",
    "The account of the crossing given by {o} matches ours.",
    "Crypto payments in USDT are now common in {p}.",
    "Wallet apps are used to pay in {p}; cash still dominates.",
    "Departures on {d}.{d2}.{y} and {d2}/{d}/{y} from {p}.",
    "Mr and Mrs are not used in the network's messages.",
    "Les départs depuis {p} ont augmenté en {m} ; {c} personnes.",
    "I prezzi a {p} sono saliti a {a} {cur} a persona.",
    "Die Abfahrten aus {p} stiegen im {m} auf {c}.",
    "Los precios en {p} subieron a {a} {cur}.",
    "ارتفعت أسعار العبور في زوارة إلى {a} دينار للشخص",
    "انطلقت {x} قوارب من صبراتة خلال شهر مارس",
    "Цены на переправу из {p} выросли до {a} {cur}.",
    "Из {p} в {m} отправились {c} человек.",
    "{p} limanından kalkışlar {m} ayında arttı.",
    "Οι αναχωρήσεις από τη Λιβύη αυξήθηκαν τον Μάρτιο.",
    "Week {x3}: {c} arrivals, {x} boats, {x2} interceptions.",
    "Hotline numbers of {o} are published on its website.",
]

NATIONS = ["Nigeria", "Niger", "Mali", "Sudan", "Eritrea", "Egypt", "Bangladesh", "Pakistan", "Syria", "Guinea", "Côte d'Ivoire", "Tunisia", "Morocco"]


def clean():
    t = rng.choice(CLEAN_TEMPLATES)
    p, q, r = rng.sample(PLACES, 3)
    o, o2 = rng.sample(ORGS, 2)
    d, d2 = sorted(rng.sample(range(1, 29), 2))
    y = rng.randrange(2019, 2027)
    return t.format(
        p=p, q=q, r=r, o=o, o2=o2, v=rng.choice(VESSELS), m=rng.choice(MONTHS), d=d, d2=d2, y=y, y2=y + rng.randrange(1, 4),
        c=rng.choice(["1,200", "350", "2.400", "4500", "12 000", "780", "60", "95"]), x=rng.randrange(2, 60), x2=rng.randrange(2, 60),
        x3=rng.randrange(100, 999), h=rng.randrange(1, 9), a=rng.choice(["2,500", "3000", "1.800", "4 500", "900", "12,000"]),
        a2=rng.choice(["1,500", "700", "5000"]), cur=rng.choice(CURRENCIES), nat=rng.choice(NATIONS))


# Issue 27: forms an outside check found missing — document numbers written in
# spaced groups after their keyword, addresses spelled out in words — and clean
# text built to trip their detection (spaced dates, years, amounts, "at … dot").
ISSUE_27_IDENTIFIERS = [
    ("document-number", "A forged passport No. X 991 20 47 was found in the boat."),
    ("document-number", "Le titre de séjour n° 97 55 231 40 était falsifié."),
    ("document-number", "Ausweis-Nr. L01 X 5 2 3 8 7 stammt aus einer Fälscherwerkstatt."),
    ("document-number", "Carta d'identità n. CA 00000 AA rilasciata a Palermo."),
    ("document-number", "DNI 1234 5678 Z utilizado por el conductor."),
    ("document-number", "Paspoort BN 57 99 10 2 van de schipper."),
    ("document-number", "Pasaport numarası U 098 765 43 ile bilet alındı."),
    ("document-number", "رقم الجواز A 5566 7788 عند المهرب"),
    ("e-mail", "Orders come from kufra.cargo at yahoo dot com every week."),
    ("e-mail", "Adresse du réseau : depart.nuit arobase gmail point com"),
    ("e-mail", "Anfragen an schiff.blau at gmx punkt de"),
    ("e-mail", "Le prenotazioni arrivano a partenze.notte chiocciola gmail punto com"),
]
ISSUE_27_CLEAN = [
    "Passport controls added 2 to 3 hours at the crossing.",
    "Passports issued in 2018 2019 were the most forged.",
    "Le passeport coûte 1 500 euros sur le marché noir.",
    "Der Reisepass wurde am 12 03 2026 kontrolliert.",
    "Il passaporto costa 2 000 euro a Tripoli.",
    "Pasaporte y 3 000 euros por persona en Tánger.",
    "Boats gather at dawn dot the shoreline near Zuwara.",
    "Officers met at the hub at 10 dot 30 to plan patrols.",
    "The group arrived at Sabha point of entry on Monday.",
    "Les départs ont lieu à Zuwara point de passage habituel.",
    "ID checks of 1 200 travellers were made in week 14.",
    "Reisepässe von 40 Personen wurden sichergestellt.",
]


def emit(label, category, text):
    print(json.dumps({"label": label, "category": category, "field": field_for(text), "text": text}, ensure_ascii=False))


def main():
    for category, (generate, templates) in IDENTIFIER_TEMPLATES.items():
        count = 30 if category in ("document-number", "phone", "date-of-birth") else 18
        for i in range(count):
            emit("identifier", category, templates[i % len(templates)].format(v=generate()))
    for i in range(100):
        script, template = NAME_TEMPLATES[i % len(NAME_TEMPLATES)]
        pool = {"latin": LATIN_NAMES, "arabic": ARABIC_NAMES, "cyrillic": CYRILLIC_NAMES, "greek": GREEK_NAMES}.get(script, LATIN_NAMES)
        emit("name", f"name-{script}", template.format(
            n=rng.choice(pool), k=rng.choice(NICKNAMES), u=rng.choice(UNCUED_LATIN), ua=rng.choice(UNCUED_ARABIC), uc=rng.choice(UNCUED_CYRILLIC)))
    for template in ADDRESS_TEMPLATES:
        emit("address", "address", template)
    seen = set()
    while len(seen) < 340:
        text = clean()
        if text not in seen:
            seen.add(text)
            emit("clean", "clean", text)
    for category, text in ISSUE_27_IDENTIFIERS:
        emit("identifier", category, text)
    for text in ISSUE_27_CLEAN:
        emit("clean", "clean", text)


if __name__ == "__main__":
    main()
