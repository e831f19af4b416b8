#!/usr/bin/env python3
"""Generate the labelled PII evaluation set for trainready's PII detector.

Deterministic: a single ``random.Random(20261125)`` drives every choice, so
running this script twice writes a byte-identical ``labelled.jsonl``.
Python 3 standard library only.

Usage:  python3 eval/pii/make_eval.py        (writes eval/pii/labelled.jsonl)

v1 (pii-0001 .. pii-0552) is drawn first with exactly the draws it always had, so
its texts and ids never change; v2 (pii-0553 on: LOCATION, REGION, more PERSON
contexts, whole-address spans, new card/phone/IBAN formats, new negative
families) is drawn afterwards.  See README.md for the labelling rules.

Each output line:
    {"id": "pii-0001", "text": "...", "spans": [{"kind": "EMAIL", "start": 12, "end": 30}]}
Hard negatives have "spans": [] and "negative": "<family>".
Offsets are Unicode code points (Python str indices), end exclusive.

Templates use ``{NAME}`` placeholders.  UPPER-CASE placeholders become labelled
spans (see SPAN_GEN), lower-case placeholders are filled with unlabelled text
(see FILL_GEN).  ``{NAME#2}`` draws a second value from the same generator,
``{NAME@}`` repeats the last one, ``{KIND:text}`` is a literal span and
``{[}...{]}`` merges everything inside into one STREET_ADDRESS span.
After generation, ``check()`` re-verifies every record and aborts on any error.
"""

import json
import os
import re
import sys
from collections import Counter
from datetime import date
import random

SEED = 20261125
rng = random.Random(SEED)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "labelled.jsonl")

KINDS = [
    "EMAIL", "PHONE", "SSN", "CREDIT_CARD", "IP_ADDRESS", "URL", "IBAN",
    "DATE_OF_BIRTH", "STREET_ADDRESS", "ZIP_CODE", "AGE_OVER_89", "HANDLE",
    "RECORD_NUMBER", "PERSON", "LOCATION", "REGION",
]
MIN_PER_KIND = {k: 25 for k in KINDS}
MIN_PER_KIND["PERSON"] = 300
MIN_PER_KIND["LOCATION"] = 120
MIN_PER_KIND["REGION"] = 80
MIN_PER_KIND["STREET_ADDRESS"] = 110
MIN_TOTAL_SPANS = 1100
MIN_NEGATIVES = 350
MIN_NON_ASCII_BEFORE_SPAN = 150
# minimums for the records added in v2 alone (pii-0553 on)
MIN_V2_PER_KIND = {"PERSON": 250, "LOCATION": 120, "REGION": 80, "STREET_ADDRESS": 80,
                   "PHONE": 50, "CREDIT_CARD": 40}
MIN_V2_NEW_CARDS = 40       # Maestro, JCB 15/16, Visa 19, Mastercard 2-series
MIN_V2_LOWER_IBAN = 15
MIN_V2_PER_FAMILY = 12
MIN_V2_NEGATIVES = 200


class Cycler:
    """Yields the items of a list in a shuffled order, reshuffling each pass,
    so every format / template is used before any is repeated."""

    def __init__(self, items):
        self.items = list(items)
        self.queue = []

    def next(self):
        if not self.queue:
            self.queue = self.items[:]
            rng.shuffle(self.queue)
        return self.queue.pop()


# --------------------------------------------------------------------------
# check-digit helpers
# --------------------------------------------------------------------------

def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(partial):
    for d in "0123456789":
        if luhn_ok(partial + d):
            return partial + d
    raise AssertionError("unreachable")


def iban_numeric(s):
    return "".join(str(int(c, 36)) for c in s)  # A=10 .. Z=35, digits stay


def iban_ok(iban):
    s = iban.replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", s):
        return False
    return int(iban_numeric(s[4:] + s[:4])) % 97 == 1


def iban_make(country, bban):
    check = 98 - int(iban_numeric(bban + country + "00")) % 97
    iban = "%s%02d%s" % (country, check, bban)
    assert iban_ok(iban)
    return iban


def ssn_ok(s):
    m = re.fullmatch(r"(\d{3})[- ](\d{2})[- ](\d{4})", s)
    if not m:
        return False
    area, group, serial = m.groups()
    return (area != "000" and area != "666" and not area.startswith("9")
            and group != "00" and serial != "0000")


def digits(n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def letters(n):
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(n))


# --------------------------------------------------------------------------
# span value generators (one per kind, many formats each)
# --------------------------------------------------------------------------

FIRST_NAMES = [
    "Dana", "Priya", "Marcus", "Zoë", "José", "Søren", "Łukasz", "Aoife", "Siobhan",
    "Oluwaseun", "Mei-Ling", "Aarav", "Fatima", "Kwame", "Björn", "Anaïs", "Jürgen",
    "Inés", "D'Andre", "Tomás", "Hana", "Yusuf", "Ngozi", "Rafael", "Elena", "Sam",
    "Jordan", "Thandiwe", "Nikolai", "Leilani", "Mateo", "Camille", "Ayşe", "Dmitri",
    "Chloé", "Jean-Luc", "Kenji", "Aleksandra", "Chiara", "Emeka", "Noor", "Ravi",
    "Zainab", "Iñaki", "Ólafur", "François", "Małgorzata", "Gurpreet", "Tavita", "Mirela",
]
LAST_NAMES = [
    "Okafor", "Lindqvist", "Petrova", "Kim", "O'Brien", "García-López", "Nowak", "Müller",
    "Nguyễn", "Al-Sayed", "Mensah", "Chen", "Shah", "Dubois", "Kobayashi", "Adeyemi",
    "Dunleavy", "Williams", "Haddad", "Kowalczyk", "Fernández", "Rossi", "Yılmaz",
    "Ivanova", "Kaur", "Dlamini", "Tanaka", "MacLeod", "D'Souza", "Johansson", "Novák",
    "Øvergaard", "Brennan", "Papadopoulos", "Abebe", "Smith-Jones", "Oyelaran", "Ramírez",
]
FULL_NAMES = [
    "Elena Petrova", "Siobhan O'Brien", "Łukasz Nowak", "Søren Østergaard",
    "Zoë Williams-Hart", "José Martínez", "Mei-Ling Chen", "Oluwaseun Adeyemi",
    "Aarav Shah", "Fatima Al-Sayed", "Kwame Mensah", "Björn Johansson", "Anaïs Dubois",
    "Jürgen Müller", "Inés García-López", "D'Andre Williams", "Hana Kobayashi",
    "Nguyễn Thị Mai", "Ayşe Yılmaz", "Thandiwe Dlamini", "Małgorzata Kowalczyk",
    "Chiara Rossi", "Kenji Tanaka", "Aoife Brennan", "Ravi D'Souza", "Noor Haddad",
    "Dmitri Ivanov", "Mary-Kate Dunleavy", "Jean-Luc Moreau", "Iñaki Etxeberria",
    "Ólafur Sigurðsson", "Leilani Kahale", "Mateo Fernández", "Priya Raman",
    "Gurpreet Kaur", "Elif Şahin", "Tavita Faleolo", "Chidi Okafor", "Camille Lefèvre",
    "Sean MacLeod",
]
c_first, c_last, c_full = Cycler(FIRST_NAMES), Cycler(LAST_NAMES), Cycler(FULL_NAMES)

# --- EMAIL ---
EMAIL_LOCAL = [
    lambda: "dana+therapy", lambda: "priya.raman+journal", lambda: "m.okafor",
    lambda: "sam-lee", lambda: "quiet_waves" + digits(2), lambda: "Dana.Kim",
    lambda: "J.Rivera", lambda: "elena.petrova.1987", lambda: "kwame-mensah",
    lambda: "noor+support", lambda: "HANA.K", lambda: "d.williams" + digits(2),
    lambda: "anon.helper", lambda: "first.last+counselling", lambda: "jr" + digits(4),
    lambda: "mei-ling.chen", lambda: "Zoe.WH", lambda: "t_faleolo",
]
EMAIL_DOMAIN = [
    "example.com", "mail.example.org", "student.uni-example.edu", "Example.COM",
    "counsel.example.net", "proton.me", "gmail.com", "outlook.com", "yahoo.co.uk",
    "icloud.com", "posteo.de", "web.de", "my-clinic.example.org", "NHS.example.uk",
    "fastmail.fm", "staff.health-example.co.uk",
]
c_email_local, c_email_domain = Cycler(EMAIL_LOCAL), Cycler(EMAIL_DOMAIN)


def gen_email():
    return c_email_local.next()() + "@" + c_email_domain.next()


# --- PHONE ---
US_AREAS = ["212", "312", "415", "617", "503", "646", "202", "718", "305", "206", "512", "555"]


def _us():
    return rng.choice(US_AREAS), "01%02d" % rng.randint(0, 99)


def _d(n):
    return digits(n)


PHONE_US = [
    lambda a, l: "(%s) 555-%s" % (a, l),
    lambda a, l: "%s-555-%s" % (a, l),
    lambda a, l: "%s.555.%s" % (a, l),
    lambda a, l: "+1 %s 555 %s" % (a, l),
    lambda a, l: "+1-%s-555-%s" % (a, l),
    lambda a, l: "1-%s-555-%s" % (rng.choice(["800", "888", "877"]), l),
    lambda a, l: "+1 (%s) 555-%s" % (a, l),
    lambda a, l: "%s 555 %s" % (a, l),
    lambda a, l: "%s-555-%s x%s" % (a, l, _d(3)),
    lambda a, l: "(%s) 555-%s ext. %s" % (a, l, _d(2)),
    lambda a, l: "+1 %s-555-%s ext %s" % (a, l, _d(3)),
    lambda a, l: "+1%s555%s" % (a, l),
    lambda a, l: "(555) 123-4567",
    lambda a, l: "555.123.4567 x%s" % _d(4),
]
PHONE_UK = [
    lambda: "+447700900" + _d(3),
    lambda: "+44 7700 900" + _d(3),
    lambda: "07700 900" + _d(3),
    lambda: "07700 900 " + _d(3),
    lambda: "020 7946 0" + _d(3),
    lambda: "+44 20 7946 0" + _d(3),
    lambda: "0161 496 0" + _d(3),
    lambda: "0113 496 0" + _d(3),
    lambda: "+44 (0)161 496 0" + _d(3),
]
PHONE_FR = [
    lambda: "+33 6 39 98 %s %s" % (_d(2), _d(2)),
    lambda: "06 39 98 %s %s" % (_d(2), _d(2)),
    lambda: "01 99 00 %s %s" % (_d(2), _d(2)),
    lambda: "01.99.00.%s.%s" % (_d(2), _d(2)),
    lambda: "+33 1 99 00 %s %s" % (_d(2), _d(2)),
    lambda: "+3363998" + _d(4),
]
PHONE_DE = [
    lambda: "+49 30 23125" + _d(3),
    lambda: "030 23125 " + _d(3),
    lambda: "+49 (0)69 90009" + _d(3),
    lambda: "069 90009 " + _d(3),
    lambda: "040/66969-" + _d(3),
    lambda: "+49 40 66969 " + _d(3),
    lambda: "030.23125." + _d(3),
]
PHONE_ES = [
    lambda: "+34 6%s %s %s" % (_d(2), _d(3), _d(3)),
    lambda: "91%s %s %s %s" % (_d(1), _d(2), _d(2), _d(2)),
    lambda: "+34 91 %s %s %s" % (_d(3), _d(2), _d(2)),
    lambda: "6%s.%s.%s" % (_d(2), _d(3), _d(3)),
    lambda: "+34 93 %s %s %s" % (_d(3), _d(2), _d(2)),
]
c_us, c_uk, c_fr, c_de, c_es = (Cycler(PHONE_US), Cycler(PHONE_UK), Cycler(PHONE_FR),
                                Cycler(PHONE_DE), Cycler(PHONE_ES))


def gen_phone_us():
    return c_us.next()(*_us())


def gen_phone_uk():
    return c_uk.next()()


def gen_phone_fr():
    return c_fr.next()()


def gen_phone_de():
    return c_de.next()()


def gen_phone_es():
    return c_es.next()()


c_phone_region = Cycler(["us", "us", "us", "uk", "uk", "fr", "de", "es"])


def gen_phone():
    return {"us": gen_phone_us, "uk": gen_phone_uk, "fr": gen_phone_fr,
            "de": gen_phone_de, "es": gen_phone_es}[c_phone_region.next()]()


# --- SSN ---
c_ssn_sep = Cycler(["-", "-", "-", " "])


def gen_ssn():
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    sep = c_ssn_sep.next()
    s = "%03d%s%02d%s%04d" % (area, sep, rng.randint(1, 99), sep, rng.randint(1, 9999))
    assert ssn_ok(s)
    return s


# --- CREDIT_CARD ---
CARD_TYPES = {
    # name: (prefix chooser, length, grouping)
    "visa16": (lambda: "4" + _d(5), 16, [4, 4, 4, 4]),
    "visa13": (lambda: "4" + _d(5), 13, [4, 4, 5]),
    "visa19": (lambda: "4" + _d(5), 19, [4, 4, 4, 4, 3]),
    "mc": (lambda: "5" + rng.choice("12345") + _d(4), 16, [4, 4, 4, 4]),
    "amex": (lambda: "3" + rng.choice("47") + _d(4), 15, [4, 6, 5]),
    "discover": (lambda: rng.choice(["6011", "65" + _d(2), "644" + _d(1)]) + _d(2), 16, [4, 4, 4, 4]),
    "diners": (lambda: "36" + _d(4), 14, [4, 6, 4]),
    "discover19": (lambda: "6011" + _d(2), 19, [4, 4, 4, 4, 3]),
}
c_card_type = Cycler(["visa16", "visa16", "mc", "mc", "amex", "discover", "visa13",
                      "visa19", "diners", "discover19"])
c_card_sep = Cycler([" ", "-", "", " "])


def group(s, sizes, sep):
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    return sep.join(out)


def make_card(kind, valid=True):
    pre, length, sizes = CARD_TYPES[kind]
    num = luhn_complete((pre() + _d(19))[:length - 1])
    if not valid:  # bump the check digit to a wrong one
        num = num[:-1] + str((int(num[-1]) + rng.randint(1, 9)) % 10)
        assert not luhn_ok(num)
    return num, sizes


def gen_card(kind=None):
    num, sizes = make_card(kind or c_card_type.next())
    return group(num, sizes, c_card_sep.next())


# --- IP_ADDRESS ---
IPV4 = [
    lambda: "192.168.%d.%d" % (rng.randint(0, 5), rng.randint(2, 254)),
    lambda: "10.0.%d.%d" % (rng.randint(0, 255), rng.randint(1, 254)),
    lambda: "172.16.%d.%d" % (rng.randint(0, 255), rng.randint(1, 254)),
    lambda: "203.0.113.%d" % rng.randint(1, 254),
    lambda: "198.51.100.%d" % rng.randint(1, 254),
    lambda: "192.0.2.%d" % rng.randint(1, 254),
    lambda: "%d.%d.%d.%d" % (rng.randint(11, 223), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)),
    lambda: "%d.%d.%d.%d" % (rng.randint(24, 199), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)),
]


def _h(n=4):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n)).lstrip("0") or "0"


IPV6 = [
    lambda: "2001:db8::1",
    lambda: "fe80::1ff:fe23:4567:890a",
    lambda: "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    lambda: "2001:0db8:" + ":".join("".join(rng.choice("0123456789abcdef") for _ in range(4)) for _ in range(6)),
    lambda: "2001:db8::%s:%s" % (_h(), _h()),
    lambda: "fe80::%s:%s:%s:%s" % (_h(), _h(), _h(), _h()),
    lambda: "2001:db8:%s:%s::%s" % (_h(), _h(), _h()),
    lambda: "2001:DB8:0:0:8:800:200C:417A",
]
c_ipv4, c_ipv6 = Cycler(IPV4), Cycler(IPV6)
c_ipver = Cycler([4, 4, 6])


def gen_ipv4():
    return c_ipv4.next()()


def gen_ipv6():
    return c_ipv6.next()()


def gen_ip():
    return gen_ipv4() if c_ipver.next() == 4 else gen_ipv6()


# --- URL ---
URLS = [
    "https://www.example.org/resources/grounding-techniques",
    "http://blog.example.com/2023/10/anxiety-journal?ref=chat",
    "https://forum.example.net/t/coping-with-grief/48213",
    "www.example.org/path?x=1",
    "counselchat.com",
    "mysite.co.uk",
    "https://telehealth.example.com/join/8HK-22Q-91",
    "https://example.com/a_b-c/d.html#section-2",
    "https://docs.example.co.uk/self-help/sleep?lang=en&page=2",
    "www.selfcare-journal.com",
    "mindfulnessnotes.net",
    "https://www.example.org/",
    "http://192.0.2.10/portal/login",
    "HTTPS://Example.ORG/Help",
    "https://peer-support.example.io/rooms/night-owls?utm_source=reddit",
    "https://calendly.com/dr-example/intake-30min",
    "griefcircle.org/meetings",
    "https://example.net/~quietwaves/poems/2.html",
    "https://www.example.com/search?q=panic+attack+at+night&hl=en",
    "ftp.example.org",
    "https://m.example.com/app/v2/checkin/91827",
    "healingtogether.co.uk/forum",
]
BARE_URLS = ["counselchat.com", "mysite.co.uk", "mindfulnessnotes.net", "www.selfcare-journal.com",
             "griefcircle.org/meetings", "healingtogether.co.uk/forum", "quietwaves.blog",
             "my-recovery-diary.com", "sobersteps.org"]
c_url, c_bare_url = Cycler(URLS), Cycler(BARE_URLS)


def gen_url():
    return c_url.next()


def gen_bare_url():
    return c_bare_url.next()


# --- IBAN ---
def fr_rib_key(bank, branch, account):
    return "%02d" % (97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97)


def nl_account():
    while True:
        acc = _d(10)
        if sum(int(c) * w for c, w in zip(acc, range(10, 0, -1))) % 11 == 0 and acc[0] != "0":
            return acc


def es_dc(ten):
    w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]
    d = 11 - sum(int(c) * x for c, x in zip(ten, w)) % 11
    return {11: 0, 10: 1}.get(d, d)


CIN_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]


def it_cin(s):
    total = 0
    for i, c in enumerate(s):
        v = int(c) if c.isdigit() else ord(c) - 65
        total += CIN_ODD[v] if i % 2 == 0 else v
    return chr(65 + total % 26)


def bban(country):
    if country == "DE":
        return _d(8) + _d(10)
    if country == "GB":
        return rng.choice(["NWBK", "BARC", "LOYD", "MIDL", "HBUK"]) + _d(6) + _d(8)
    if country == "FR":
        bank, branch, acc = _d(5), _d(5), _d(11)
        return bank + branch + acc + fr_rib_key(bank, branch, acc)
    if country == "NL":
        return rng.choice(["ABNA", "INGB", "RABO", "TRIO", "SNSB"]) + nl_account()
    if country == "ES":
        bank, branch, acc = _d(4), _d(4), _d(10)
        return bank + branch + "%d%d" % (es_dc("00" + bank + branch), es_dc(acc)) + acc
    if country == "IT":
        abi, cab, acc = _d(5), _d(5), _d(12)
        return it_cin(abi + cab + acc) + abi + cab + acc
    raise ValueError(country)


c_iban_country = Cycler(["DE", "GB", "FR", "NL", "ES", "IT"])
c_iban_grouped = Cycler([True, False])


def fmt_iban(iban, grouped):
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)) if grouped else iban


def _gen_iban(country):
    cc = country or c_iban_country.next()
    return fmt_iban(iban_make(cc, bban(cc)), c_iban_grouped.next())


def gen_iban_de():
    return _gen_iban("DE")


# --- DATE_OF_BIRTH ---
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def ordinal(n):
    if 11 <= n % 100 <= 13:
        return "%dth" % n
    return "%d%s" % (n, {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


def rand_date(y0, y1):
    while True:
        y, m, d = rng.randint(y0, y1), rng.randint(1, 12), rng.randint(1, 31)
        try:
            return date(y, m, d)
        except ValueError:
            pass


DATE_FORMATS = [
    lambda t: "%d %s %d" % (t.day, MONTHS[t.month - 1], t.year),
    lambda t: "%02d/%02d/%d" % (t.month, t.day, t.year),
    lambda t: t.isoformat(),
    lambda t: "%02d.%02d.%d" % (t.day, t.month, t.year),
    lambda t: "%s %s, %d" % (MONTHS[t.month - 1], ordinal(t.day), t.year),
    lambda t: "%s %d, %d" % (MONTHS[t.month - 1], t.day, t.year),
    lambda t: "%02d/%02d/%d" % (t.day, t.month, t.year),
    lambda t: "%s %d, %d" % (MONTHS[t.month - 1][:3], t.day, t.year),
    lambda t: "%s of %s %d" % (ordinal(t.day), MONTHS[t.month - 1], t.year),
    lambda t: "%d-%s-%d" % (t.day, MONTHS[t.month - 1][:3], t.year),
    lambda t: "%d/%d/%02d" % (t.month, t.day, t.year % 100),
    lambda t: "%d %s %d" % (t.day, MONTHS[t.month - 1][:3], t.year),
]
c_dob_fmt = Cycler(DATE_FORMATS)
c_date_fmt = Cycler(DATE_FORMATS)


def gen_dob():
    return c_dob_fmt.next()(rand_date(1934, 2010))


def gen_other_date():  # non-birth dates for negatives
    return c_date_fmt.next()(rand_date(2019, 2026))


# --- STREET_ADDRESS / ZIP ---
STREET_NAMES = ["Elm", "Baker", "Madison", "Oak", "Maple", "Cedar Hollow", "Martin Luther King Jr.",
                "Sunset", "Willow Creek", "Pine", "Lakeview", "Harbor", "Chestnut", "Riverside",
                "Mill", "Park", "5th", "42nd", "3rd", "Old Mill", "Juniper", "Magnolia", "Orchard",
                "Highland", "Bayview", "Kingsley", "Prospect", "Grove", "Fairview", "Sycamore"]
SUFFIXES = ["Street", "St", "St.", "Avenue", "Ave", "Ave.", "Road", "Rd", "Rd.", "Boulevard",
            "Blvd", "Blvd.", "Lane", "Ln", "Drive", "Dr", "Dr.", "Court", "Ct", "Place", "Pl",
            "Way", "Terrace"]
DIRECTIONS = ["W.", "N.", "East", "S", "NE", "West", "S."]
c_street_name, c_suffix = Cycler(STREET_NAMES), Cycler(SUFFIXES)
c_house = Cycler(["plain", "plain", "plain", "letter", "small", "big"])
# city, state and the ZIP prefix that goes with it (so "Boise, ID 837xx" is coherent)
CITY_ST = [("Springfield, IL", "627"), ("Portland, OR", "972"), ("Austin, TX", "787"),
           ("Columbus, OH", "432"), ("Madison, WI", "537"), ("Burlington, VT", "054"),
           ("Tucson, AZ", "857"), ("Asheville, NC", "288"), ("Boise, ID", "837"),
           ("Albany, NY", "122"), ("Savannah, GA", "314"), ("Duluth, MN", "558"),
           ("Eugene, OR", "974"), ("Providence, RI", "029")]
c_city = Cycler(CITY_ST)
_zip_prefix = []


def gen_city():
    city, prefix = c_city.next()
    _zip_prefix[:] = [prefix]  # the next ZIP rendered uses this prefix
    return city


def gen_street():
    """Returns (span_value, text_after).  A period ending an abbreviated suffix
    ("St.") is written to the text but kept OUTSIDE the span."""
    style = c_house.next()
    num = {"plain": lambda: str(rng.randint(100, 9999)),
           "letter": lambda: str(rng.randint(1, 400)) + rng.choice("ABC"),
           "small": lambda: str(rng.randint(1, 99)),
           "big": lambda: str(rng.randint(10000, 24999))}[style]()
    parts = [num]
    if rng.random() < 0.25:
        parts.append(rng.choice(DIRECTIONS))
    parts.append(c_street_name.next())
    suffix = c_suffix.next()
    after = ""
    if suffix.endswith("."):
        suffix, after = suffix[:-1], "."
    parts.append(suffix)
    return " ".join(parts), after


c_zip_style = Cycler(["5", "5", "5", "plus4"])


def gen_zip():
    if _zip_prefix:
        z = _zip_prefix.pop() + "%02d" % rng.randint(1, 99)
    else:
        z = "%05d" % rng.randint(1001, 99950)
    if c_zip_style.next() == "plus4":
        z += "-" + _d(4)
    return z


# --- AGE_OVER_89 ---
def gen_age():
    return str(rng.choice(list(range(90, 100)) * 3 + list(range(100, 109))))


# --- HANDLE ---
HANDLES = ["@quiet_moon_93", "@name_123", "@sam.writes", "@RecoveryRoad", "@anxious__artist",
           "@_dana_k", "@healing.journey.22", "@NightOwlNotes", "@mx_river", "@priya_heals",
           "@kwame.m", "@TheSoberSide", "@lil_storm_07", "@grief_and_grace", "@b3tter_days",
           "@MoodTrackerMia", "@okafor_art", "@zoe_wh", "@soren_oe", "@calm.corner"]
c_handle = Cycler(HANDLES)


def gen_handle():
    return c_handle.next()


# --- RECORD_NUMBER ---
def nhs_number():
    while True:
        d9 = _d(9)
        if d9[0] == "0":
            continue
        c = 11 - sum(int(x) * w for x, w in zip(d9, range(10, 1, -1))) % 11
        if c == 10:
            continue
        num = d9 + str(0 if c == 11 else c)
        return "%s %s %s" % (num[:3], num[3:6], num[6:])


REC = {
    "MRN_ID": [lambda: _d(8), lambda: "%s-%s" % (_d(4), _d(4)), lambda: "00" + _d(6),
               lambda: "MR" + _d(7), lambda: "E" + _d(9)],
    "MEMBER_ID": [lambda: letters(3) + _d(9), lambda: "W" + _d(9), lambda: "%s-%s" % (letters(2), _d(8)),
                  lambda: "XHP" + _d(9)],
    "POLICY_ID": [lambda: "PN-%s-%s" % (_d(2), _d(6)), lambda: "POL%s" % _d(8),
                  lambda: "%s-%s-%s" % (letters(2), _d(4), _d(4))],
    "PATIENT_ID": [lambda: _d(5), lambda: "P-%s" % _d(6), lambda: _d(7)],
    "CASE_ID": [lambda: "%d-CV-%s" % (rng.randint(2018, 2025), _d(4)),
                lambda: "%d-FAM-%s" % (rng.randint(2018, 2025), _d(5)),
                lambda: "CPS-%s-%s" % (_d(2), _d(5)), lambda: "%s/%d" % (_d(5), rng.randint(2019, 2025))],
    "NHS_ID": [nhs_number],
    "CLAIM_ID": [lambda: "CLM-%d-%s" % (rng.randint(2022, 2025), _d(5)), lambda: _d(11)],
    "CHART_ID": [lambda: _d(6), lambda: "C" + _d(6)],
    "MEDICAID_ID": [lambda: _d(8) + letters(1), lambda: letters(2) + _d(5) + letters(1)],
}
c_rec = {k: Cycler(v) for k, v in REC.items()}


def rec_gen(key):
    return lambda: c_rec[key].next()()


# --------------------------------------------------------------------------
# placeholder tables
# --------------------------------------------------------------------------

SPAN_GEN = {
    "EMAIL": ("EMAIL", gen_email),
    "PHONE": ("PHONE", gen_phone), "PHONE_US": ("PHONE", gen_phone_us),
    "PHONE_UK": ("PHONE", gen_phone_uk), "PHONE_FR": ("PHONE", gen_phone_fr),
    "PHONE_DE": ("PHONE", gen_phone_de), "PHONE_ES": ("PHONE", gen_phone_es),
    "SSN": ("SSN", gen_ssn),
    "CC": ("CREDIT_CARD", gen_card), "CC_VISA": ("CREDIT_CARD", lambda: gen_card("visa16")),
    "CC_AMEX": ("CREDIT_CARD", lambda: gen_card("amex")),
    "CC_MC": ("CREDIT_CARD", lambda: gen_card("mc")),
    "IP": ("IP_ADDRESS", gen_ip), "IPV4": ("IP_ADDRESS", gen_ipv4), "IPV6": ("IP_ADDRESS", gen_ipv6),
    "URL": ("URL", gen_url), "URL_BARE": ("URL", gen_bare_url),
    "IBAN": ("IBAN", lambda: _gen_iban(None)), "IBAN_DE": ("IBAN", gen_iban_de),
    "DOB": ("DATE_OF_BIRTH", gen_dob),
    "STREET": ("STREET_ADDRESS", gen_street),
    "ZIP": ("ZIP_CODE", gen_zip),
    "AGE": ("AGE_OVER_89", gen_age),
    "HANDLE": ("HANDLE", gen_handle),
    "FIRST": ("PERSON", c_first.next), "LAST": ("PERSON", c_last.next), "FULL": ("PERSON", c_full.next),
}
for _k in REC:
    SPAN_GEN[_k] = ("RECORD_NUMBER", rec_gen(_k))


def gen_city_state():
    """Old-set "City, ST" (no street): LOCATION city + REGION state.  Same rng use as gen_city."""
    city_st = gen_city()
    city, st = city_st.split(", ")
    return Multi(city_st, [("LOCATION", 0, len(city)), ("REGION", len(city) + 2, len(city_st))])


SPAN_GEN["CITY_ST"] = ("MULTI", gen_city_state)


def gen_uuid():
    h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    h = h[:12] + "4" + h[13:16] + rng.choice("89ab") + h[17:]
    u = "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])
    return u.upper() if rng.random() < 0.3 else u


def gen_isbn():
    body = rng.choice(["978", "979"]) + _d(9)
    chk = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body)) % 10) % 10
    n = body + str(chk)
    return "%s-%s-%s-%s-%s" % (n[:3], n[3], n[4:7], n[7:12], n[12])


def gen_bad_card():
    kind = rng.choice(["visa16", "mc", "amex", "discover"])
    num, sizes = make_card(kind, valid=False)
    return group(num, sizes, rng.choice([" ", "-", ""]))


def gen_bad_ssn():
    sep = rng.choice(["-", "-", " "])
    area, grp, ser = "%03d" % rng.randint(1, 899), "%02d" % rng.randint(1, 99), "%04d" % rng.randint(1, 9999)
    which = rng.choice(["000", "666", "9xx", "9xx", "group00", "serial0000"])
    if which == "000":
        area = "000"
    elif which == "666":
        area = "666"
    elif which == "9xx":
        area = "9%02d" % rng.randint(0, 99)
    elif which == "group00":
        grp = "00"
    else:
        ser = "0000"
    s = area + sep + grp + sep + ser
    assert not ssn_ok(s)
    return s


def gen_bad_iban():
    cc = c_iban_country.next()
    iban = iban_make(cc, bban(cc))
    while True:
        bad = iban[:2] + "%02d" % rng.randint(2, 98) + iban[4:]
        if not iban_ok(bad):
            break
    return fmt_iban(bad, c_iban_grouped.next())


FILL_GEN = {
    "uuid": gen_uuid,
    "order": lambda: rng.choice([_d(7), _d(8), "A-" + _d(5), letters(2) + _d(6)]),
    "amz_order": lambda: "%s-%s-%s" % (_d(3), _d(7), _d(7)),
    "time": lambda: rng.choice(["%02d:%02d:%02d" % (rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)),
                                "%d:%02d am" % (rng.randint(1, 5), rng.randint(0, 59)),
                                "%02d:%02d" % (rng.randint(0, 23), rng.randint(0, 59))]),
    "iso_ts": lambda: rng.choice(["%sT%02d:%02d:%02dZ", "%s %02d:%02d:%02d", "%sT%02d:%02d:%02d+01:00"]) % (
        rand_date(2021, 2025).isoformat(), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)),
    "price": lambda: rng.choice(["$1,299.99", "€45,00", "£60", "$150", "¥3,000", "$%d.%02d" % (rng.randint(5, 400), rng.randint(0, 99)),
                                 "€%d,%02d" % (rng.randint(5, 400), rng.randint(0, 99)), "CHF 180.–", "₹2,500"]),
    "app_ver": lambda: rng.choice(["v2.14.3", "version 4.2.0", "build 2024.11.3", "v1.0.0-beta.3",
                                   "v%d.%d.%d" % (rng.randint(1, 9), rng.randint(0, 30), rng.randint(0, 99))]),
    "os_ver": lambda: rng.choice(["iOS 17.1.2", "Android 14", "Windows 10.0.19045.3570", "Chrome 119.0.6045.105",
                                  "macOS 14.2.1", "iPadOS 16.7.5"]),
    "trk": lambda: rng.choice(["1Z999AA1" + _d(10), "9400 1" + _d(3) + " " + " ".join(_d(4) for _ in range(4)) + " " + _d(2),
                               "7" + _d(11), "JD0000" + _d(12), "LX" + _d(9) + "DE"]),
    "isbn": gen_isbn,
    "bad_cc": gen_bad_card,
    "bad_ssn": gen_bad_ssn,
    "bad_iban": gen_bad_iban,
    "date": gen_other_date,
    "young_age": lambda: str(rng.choice([14, 16, 17, 19, 23, 27, 31, 38, 45])),
    "older_age": lambda: str(rng.choice([52, 58, 64, 71, 77, 83, 86, 88, 89])),
    "pct": lambda: rng.choice(["80%", "12.5%", "100%", "3 %", "45 percent", "0.5%"]),
    "phq": lambda: str(rng.randint(5, 27)),
    "dose": lambda: rng.choice(["20 mg of fluoxetine", "50mg sertraline", "0.5 mg of lorazepam",
                                "150 mg bupropion XL", "1,000 IU of vitamin D", "37.5 mg venlafaxine",
                                "10mg escitalopram", "3 mg of melatonin", "2 x 500mg paracetamol"]),
    "year": lambda: str(rng.randint(1995, 2025)),
    "big_count": lambda: rng.choice(["10000", "12000", "50000", "25000", "30000", "15000", "86400"]),
    "fname": lambda: rng.choice(["journal_2023.pdf", "notes.docx", "IMG_4821.png", "thought_record_v2.xlsx",
                                 "sleep-log.csv", "safety_plan_final(2).pdf", "Screenshot 2024-03-02 at 22.41.17.png"]),
}


# --------------------------------------------------------------------------
# templates
# --------------------------------------------------------------------------

T = {}
T["EMAIL"] = [
    "You can reach me at {EMAIL} after 6pm if the chat drops.",
    "My email is {EMAIL}.",
    "Please send the worksheet to {EMAIL}. I'll look at it tonight.",
    "If it's easier, email me: {EMAIL}",
    "My old counsellor's address was {EMAIL}, but I don't think she checks it anymore.",
    "I made a new account ({EMAIL}) so my parents can't see it.",
    "Can you cc my partner? It's {EMAIL}.",
    "Write to {EMAIL} or {EMAIL#2}, whichever you prefer.",
    "The support group newsletter goes to {EMAIL}; I never read it though.",
    "I keep getting messages from {EMAIL} and they make me feel unsafe.",
    "my school email is {EMAIL} but please don't use it, my parents can see it",
    "Reply to {EMAIL}!",
]
T["PHONE"] = [
    "You can reach me at {PHONE} after 6pm.",
    "My therapist's office number is {PHONE_US}, they said to call if it gets bad.",
    "Call me on {PHONE_UK} tomorrow? I'd rather talk than type.",
    "The clinic gave me {PHONE} for after-hours.",
    "My mum's number is {PHONE_UK} in case you need an emergency contact.",
    "Text me at {PHONE_US} — I don't really do emails.",
    "Here's my work line: {PHONE}. Please don't leave a voicemail.",
    "If I go quiet, my sister is at {PHONE}.",
    "I'm staying in {LOCATION:Lyon} for a month, my French number is {PHONE_FR}.",
    "Meine Nummer ist {PHONE_DE}, ich bin abends erreichbar.",
    "I'm in {LOCATION:Madrid} this term, best number is {PHONE_ES} (WhatsApp too).",
    "The hotline they gave me was wrong, the counsellor's direct line is {PHONE}.",
    "Could you call {PHONE_US} and ask for the intake nurse? I can't make myself do it.",
    "my cell: {PHONE}",
    "My German therapist's practice is on {PHONE_DE}, but the wait is 6 months.",
    "Ruf mich an: {PHONE_DE}. Or my {REGION:UK} mobile {PHONE_UK}.",
]
T["SSN"] = [
    "The intake form asked for my SSN, it's {SSN}, is that safe?",
    "My social is {SSN} if the billing office needs it.",
    "I accidentally typed my social security number {SSN} into the chat, can you delete it?",
    "SSN: {SSN}",
    "For the disability paperwork they have {SSN} on file for me.",
    "My son's SSN is {SSN} — the school counsellor asked for it.",
    "Someone opened a credit card with my social ({SSN}) and I can't stop shaking.",
    "Is it normal that the app wants my full SSN? It's {SSN}.",
]
T["CREDIT_CARD"] = [
    "I paid for the session with my card {CC} and got charged twice.",
    "Card number {CC}, exp 09/27 — is it safe to give that to the booking site?",
    "My Visa is {CC_VISA}.",
    "They charged my Amex {CC_AMEX} for a no-show fee and I was in hospital.",
    "I gave {CC} to a 'free therapy' website and now I'm panicking.",
    "Billing: {CC}",
    "My mom used my card ({CC_MC}) without asking and I don't know how to bring it up.",
    "Can you check if {CC} went through for the group session?",
    "I wrote my card number {CC} on a sticky note and now I can't find it.",
]
T["IP_ADDRESS"] = [
    "The forum banned my IP, {IP} — I just wanted to talk.",
    "My router's at {IPV4} and the telehealth call keeps dropping.",
    "The session log said connected from {IP}, which isn't my home.",
    "Someone logged into my account from {IPV6}, I'm scared my ex is tracking me.",
    "I can't reach the video room, it says host {IP} unreachable.",
    "My brother set up a server on {IPV4} to read my messages, is that possible?",
    "The security email listed a sign-in from {IP} at 3am.",
    "IP: {IP}",
]
T["URL"] = [
    "The worksheet is at {URL}.",
    "I found this article ({URL}) really helpful.",
    "Have you seen {URL}? It helped me a lot.",
    "My blog is {URL_BARE} if you want to read what I wrote.",
    "Someone in the group recommended {URL}, is it legit?",
    "I booked through {URL} but never got a confirmation!",
    "Link: {URL}",
    "I spend way too much time on {URL_BARE}.",
    "Is {URL_BARE} a real counselling site or a scam?",
    "The breathing exercise is here: {URL} (scroll down).",
]
T["IBAN"] = [
    "My landlord wants the deposit refund sent to {IBAN}, can you help me write the email?",
    "IBAN: {IBAN}",
    "For the refund from the clinic, my IBAN is {IBAN}.",
    "I sent the money to {IBAN} and now I think it was a scam.",
    "Meine Therapeutin hat mir ihre IBAN gegeben: {IBAN_DE}",
    "The insurer needs an account for reimbursement, I gave them {IBAN} — was that okay?",
    "My ex still has access to {IBAN} and I don't know how to change that.",
]
T["DATE_OF_BIRTH"] = [
    "I was born on {DOB} and every birthday since the accident has been hard.",
    "DOB: {DOB}",
    "My birthday is {DOB}, in case the portal asks.",
    "Date of birth {DOB} — the receptionist wrote it down wrong.",
    "I was born {DOB}, the same week my grandfather died.",
    "They need your date of birth? Mine is {DOB}.",
    "d.o.b. {DOB}, and the patient portal still won't accept it.",
    "My son was born on {DOB} and I've felt numb ever since.",
    "Birthdate: {DOB}",
    "born {DOB}, if that matters for the referral",
]
T["STREET_ADDRESS"] = [
    "My therapist's office is at {[}{STREET}, {CITY_ST} {ZIP}{]}.",
    "I live at {STREET} with my grandmother.",
    "The support group meets at {STREET}, second floor.",
    "Can you send the letter to {[}{STREET}, Apt 4B, {CITY_ST} {ZIP}{]}?",
    "We moved to {STREET} last year and I still don't know anyone.",
    "The shelter is on {STREET} near the park.",
    "Ship it to {[}{STREET}, {CITY_ST} {ZIP}{]}",
    "My ex keeps driving past {STREET} at night.",
    "Address: {[}{STREET}, {CITY_ST} {ZIP}{]}",
    "The clinic moved from {STREET} to {STREET#2} and I got lost.",
]
T["ZIP_CODE"] = [
    "ZIP {ZIP} if that helps find a clinic near me.",
    "Are there any free counsellors around zip code {ZIP}?",
    "I'm in {CITY_ST} {ZIP}, is there a crisis center nearby?",
    "My zip is {ZIP}.",
    "Postal code {ZIP} — the map shows nothing close.",
    "Searching for providers in {ZIP} only shows one therapist.",
]
T["AGE_OVER_89"] = [
    "My grandmother is {AGE} and she's the only one who gets me.",
    "Taking care of a {AGE}-year-old is exhausting.",
    "My grandpa, aged {AGE}, just moved in with us.",
    "He turned {AGE} last week and doesn't recognise me anymore.",
    "My great-aunt is {AGE} years old and still calls me every Sunday.",
    "At {AGE}, she's outlived all her friends and she's lonely.",
    "My neighbour is {AGE}, and I'm scared he'll fall when I'm not around.",
    "She'll be {AGE} in May and wants a big party, I can't face it.",
    "I'm 23 and my nan is {AGE}; I'm her only carer.",
    "Grandad died last night. He was {AGE}.",
]
T["HANDLE"] = [
    "Follow me on Instagram, I'm {HANDLE}.",
    "My TikTok is {HANDLE}, I post about recovery.",
    "DM me on Twitter {HANDLE} if you want to talk more.",
    "Someone called {HANDLE} keeps sending me mean comments on Instagram.",
    "You can find me on Threads as {HANDLE}.",
    "My sister's Insta is {HANDLE}, she's been posting worrying stuff.",
    "The creator {HANDLE} on YouTube has great breathing videos.",
    "add me on discord, {HANDLE}",
    "I blocked {HANDLE} on every app but they made a new account.",
]
T["RECORD_NUMBER"] = [
    "My MRN is {MRN_ID}, the hospital keeps losing my records.",
    "MRN: {MRN_ID}",
    "Insurance says my member ID {MEMBER_ID} isn't covered for therapy.",
    "The policy number is {POLICY_ID} if you need it for the claim.",
    "Patient ID {PATIENT_ID} — that's me on the discharge papers.",
    "My custody hearing is case number {CASE_ID} and I'm terrified.",
    "My NHS number is {NHS_ID}, the GP needs it for the referral.",
    "Claim number {CLAIM_ID} got denied again.",
    "Medical record number: {MRN_ID}.",
    "My Medicaid ID is {MEDICAID_ID}.",
    "The psychiatrist's letter lists chart number {CHART_ID}.",
    "I take 20 mg of sertraline and my MRN is {MRN_ID}, can you check the refill?",
]
T["PERSON"] = [
    "Hi, my name is {FIRST} and I've been struggling with panic attacks.",
    "I'm {FIRST} and this is my first time doing this.",
    "This is {FULL}, I had a session booked for Thursday.",
    "My name's {FULL}. I'm not sure where to start.",
    "Hey, {FIRST} here. Rough night again.",
    "It's {FIRST} again, from yesterday's chat.",
    "Dear Dr. {LAST},\nI wanted to thank you for last week.",
    "Hi {FIRST},\nsorry I missed our call.",
    "Hello Ms. {LAST}, I'm writing about my son's appointments.",
    "Dear Mr. {LAST}, thank you for listening.",
    "Hey {FIRST}, are you around tonight?",
    "Dear {FULL},\nI don't know if you remember me.",
    "Thanks for listening tonight. - {FIRST}",
    "I'll try the breathing exercise.\n\nBest,\n{FULL}",
    "See you next week.\nWarmly, Dr. {LAST}",
    "Talk soon,\n{FIRST}",
    "Thank you so much for everything.\n– {FULL}",
    "I think I'm ready to stop for today. Cheers, {FIRST}",
    "Take care of yourself.\nKind regards,\nMrs. {LAST}",
    "My best friend {FIRST} stopped talking to me and I don't know why.",
    "My therapist, Dr. {LAST}, says I should journal more.",
    "I'm {FULL}, I was referred by my GP.",
]
MIXED = [
    "Hi, I'm {FIRST}. You can reach me at {PHONE} or {EMAIL}.",
    "My name is {FULL}, DOB {DOB}, MRN {MRN_ID}.",
    "Send the forms to {[}{STREET}, {CITY_ST} {ZIP}{]} — thanks, {FIRST}",
    "My grandmother is {AGE} and lives alone at {[}{STREET}, {CITY_ST} {ZIP}{]}.",
    "Follow my recovery blog {URL_BARE} or {HANDLE} on Instagram.",
    "The account that logged in from {IP} used {EMAIL}.",
    "Card {CC}, billing ZIP {ZIP}.",
    "Dear Dr. {LAST},\nmy patient ID is {PATIENT_ID} and my date of birth is {DOB}.\nBest,\n{FULL}",
    "I'm {FIRST}, born {DOB}. My member ID is {MEMBER_ID}.",
    "Refund to {IBAN} please, or call me on {PHONE_UK}. – {FULL}",
    "My SSN is {SSN} and my insurance policy number is {POLICY_ID}.",
    "Hello Ms. {LAST}, my address changed to {[}{STREET}, {CITY_ST} {ZIP}{]}; new number {PHONE_US}.",
    "I'm {FIRST} ({HANDLE} on TikTok), I'm 17 and my great-grandma just turned {AGE}.",
    "The scam site {URL} took my card {CC} and my email {EMAIL}.",
    "My dad is 64 and my grandad is {AGE}; both live at {STREET}.",
]

NEG = {
    "guid": [
        "The app crashed and showed error {uuid}, do I need to redo the whole questionnaire?",
        "Support asked me to paste the crash code: {uuid}",
        "It keeps saying 'token {uuid} expired' and logs me out.",
        "The download link ended with {uuid} and then it broke.",
        "My mood-tracker export came out as {uuid}.json for some reason.",
    ],
    "order_number": [
        "My weighted blanket still hasn't arrived, order #{order}.",
        "I returned the journal (order #{order}) because it made me sad.",
        "Amazon says order {amz_order} was delivered but it wasn't, and I can't deal with it today.",
        "Order no. {order} — the self-help book came with pages missing.",
    ],
    "time": [
        "I woke up at {time} again and couldn't fall back asleep.",
        "The log says my last check-in was {iso_ts}.",
        "The panic started around {time} and lasted forever.",
        "My sleep app recorded {iso_ts} as the moment I finally fell asleep.",
    ],
    "price": [
        "Therapy here costs {price} a session and I can't afford it.",
        "The retreat was {price} and it didn't help at all.",
        "I spent {price} on a meditation app I never open.",
        "Insurance only covers {price} of each visit.",
    ],
    "version": [
        "The journaling app updated to {app_ver} and deleted my entries.",
        "I'm learning to code in Python 3.11.7 to distract myself at night.",
        "My phone is on {os_ver} and the video call keeps freezing.",
        "After the {app_ver} update the reminders stopped working.",
        "The telehealth site says it needs {os_ver} or newer.",
    ],
    "tracking_number": [
        "The tracking number {trk} hasn't updated in a week.",
        "My meds are stuck in customs, tracking {trk}.",
        "The courier gave me {trk} but the parcel is 'lost'.",
    ],
    "isbn": [
        "The book my therapist recommended is ISBN {isbn}.",
        "I ordered the workbook, ISBN {isbn}, for the group.",
        "Is the second edition ({isbn}) any different?",
    ],
    "invalid_luhn": [
        "I typed {bad_cc} and the site said the card number is invalid — I think I mistyped.",
        "The number on the back of the gift voucher is {bad_cc}, does that mean anything?",
        "Their example card in the tutorial was {bad_cc}, I just copied it.",
    ],
    "ssn_invalid": [
        "The sample form shows {bad_ssn} as an example, do I fill mine in the same way?",
        "Is {bad_ssn} even a real social security number? The letter looks fake.",
        "The scam text asked me to 'confirm' {bad_ssn} and I almost replied.",
    ],
    "iban_bad_checksum": [
        "The bank rejected {bad_iban} as invalid, I think the landlord gave me a wrong one.",
        "Is {bad_iban} a real account? The payment keeps bouncing.",
        "The invoice says pay to {bad_iban} but the bank says the checksum is wrong.",
    ],
    "non_birth_date": [
        "I have the appointment on {date} and I'm already dreading it.",
        "It's been really hard since {date}, when we broke up.",
        "My last session was {date}.",
        "The exam is on {date} and I can't sleep.",
        "We lost our dog on {date} and I still cry every day.",
    ],
    "age_under_90": [
        "My dad is {older_age} and still won't talk about feelings.",
        "I'm {young_age} and I feel like I've wasted my life.",
        "My grandma is {older_age} and just got diagnosed.",
        "Being a {young_age}-year-old with this much anxiety is exhausting.",
        "She turned {older_age} last week and nobody called her.",
        "My grandfather, aged {older_age}, still drives himself to the clinic.",
    ],
    "percentage": [
        "My therapist says about {pct} of people relapse at least once.",
        "My battery is at {pct} and so am I.",
        "I'm maybe {pct} sure I want to keep going with therapy.",
    ],
    "score": [
        "I scored {phq} on the PHQ-9 this week.",
        "My GAD-7 was {phq}, is that bad?",
        "The intake said my K10 score was {phq}.",
    ],
    "dosage": [
        "My doctor upped me to {dose} and I feel weird.",
        "I take {dose} every morning.",
        "Is {dose} too much?",
    ],
    "im_not_name": [
        "I'm so tired of pretending everything is fine.",
        "I'm Feeling low again today.",
        "I'm Sorry for dumping all of this on you.",
        "I'm Done with trying to make everyone happy.",
        "I'm Fine, honestly. Just tired.",
        "I'm Exhausted and it's only Tuesday.",
        "I'm Grateful you're here tonight.",
        "Hi, I'm new here and not sure how this works.",
    ],
    "salutation_no_name": [
        "Dear diary,\ntoday was a little better.",
        "Hi there,\nI don't really know how to start.",
        "Hi everyone, first post, please be kind.",
        "Hello all,\nhas anyone else felt numb after a breakup?",
        "Dear Sir or Madam,\nI would like to cancel my appointment.",
        "Dear future me, I hope you made it.",
        "Hey team, thanks for last night's session.",
    ],
    "at_not_handle": [
        "Can we meet @ 5pm instead?",
        "Group session is @ the library on Thursdays.",
        "Coffee @ 10 tomorrow, if I can get out of bed.",
        "I'll be @ my mum's all weekend.",
    ],
    "email_like_invalid": [
        "The form wants 'name at domain dot com' format, what does that even mean?",
        "I typed firstname.lastname@ and it just errored.",
        "It says 'user@' is incomplete.",
        "The placeholder text literally says you@yourmail and I don't get it.",
        "Is 'me at my name dot net' a thing people still write?",
    ],
    "year_only": [
        "Back in {year} I was in a much better place.",
        "I've had insomnia since {year}.",
        "Everything fell apart in {year}.",
    ],
    "crisis_line": [
        "I called 988 last night and it actually helped.",
        "Someone told me to text HOME to 741741, is that free?",
        "I rang Samaritans on 116 123 at 2am.",
        "If it gets bad I know I can call 911.",
    ],
    "street_no_number": [
        "I walked down Main Street for an hour just to get out of the house.",
        "We used to live near Elm Street when I was little.",
        "There's a quiet café on Baker St. where I go to journal.",
    ],
    "five_digit_number": [
        "I hit {big_count} steps today for the first time in months!",
        "My thesis is at {big_count} words and I'm burnt out.",
        "That's {big_count} seconds of worrying a day, apparently.",
    ],
    "filename": [
        "I attached {fname} with my thought record.",
        "My therapist asked me to fill in {fname} before Friday.",
        "Can't open {fname} on my phone.",
    ],
    "hashtag": [
        "Saw #mentalhealthawareness trending and felt a bit less alone.",
        "The #1 thing that helps me is walking.",
        "Everyone posting #MondayMotivation makes me feel worse.",
    ],
}
NEG_COUNT = {"guid": 7, "order_number": 6, "time": 6, "price": 6, "version": 7,
             "tracking_number": 5, "isbn": 5, "invalid_luhn": 7, "ssn_invalid": 7,
             "iban_bad_checksum": 7, "non_birth_date": 8, "age_under_90": 8, "percentage": 5,
             "score": 5, "dosage": 5, "im_not_name": 8, "salutation_no_name": 7,
             "at_not_handle": 4, "email_like_invalid": 5, "year_only": 4, "crisis_line": 4,
             "street_no_number": 3, "five_digit_number": 4, "filename": 5, "hashtag": 3}

# number of records per primary template group
PLAN = [("EMAIL", 26), ("PHONE", 36), ("SSN", 26), ("CREDIT_CARD", 27), ("IP_ADDRESS", 26),
        ("URL", 27), ("IBAN", 27), ("DATE_OF_BIRTH", 27), ("STREET_ADDRESS", 24),
        ("ZIP_CODE", 10), ("AGE_OVER_89", 26), ("HANDLE", 25), ("RECORD_NUMBER", 30),
        ("PERSON", 44), ("MIXED", 30)]

# ==========================================================================
# v2 additions (LOCATION, REGION, new PERSON contexts, full-address spans,
# new card / phone / IBAN formats, new hard-negative families).
# The v1 records above are generated first with exactly the same random draws
# as before, so their texts and ids (pii-0001 .. pii-0552) do not change.
# Everything below is drawn afterwards and numbered from pii-0553 on.
# ==========================================================================

V1_RECORDS = 552

# --- people -----------------------------------------------------------------
# Invented, common-name combinations.  No public figures, fictional characters
# or brand names; no name that is also an ordinary English word, a weekday or
# month, or one of the place names below (check() enforces the last two).
V2_FIRST_F = [
    "Ingrid", "Nadia", "Aisha", "Amara", "Siobhán", "Niamh", "Eilidh", "Mhairi", "Carys", "Bethan",
    "Jess", "Becca", "Ellie", "Kayleigh", "Leah", "Keisha", "Latoya", "Imani", "Zara", "Yasmin",
    "Layla", "Mariam", "Khadija", "Anjali", "Ananya", "Deepa", "Lakshmi", "Meera", "Simran",
    "Xiaoling", "Yui", "Jiwoo", "Linh", "Nkechi", "Chiamaka", "Funmilayo", "Yetunde", "Akosua",
    "Wanjiru", "Nomvula", "Zanele", "Zeynep", "Eleni", "Katarzyna", "Agnieszka", "Olena", "Oksana",
    "Ioana", "Astrid", "Sigrid", "Aino", "Giulia", "Beatriz", "Joana", "Lucía", "Nerea", "Itziar",
    "Mathilde", "Margaux", "Solène", "Maëlle", "Lotte", "Femke", "Valentina", "Ximena", "Rocío",
    "Aroha", "Rachel", "Sarah", "Hannah", "Sandra", "Helen", "Fiona", "Orla", "Bronwen",
]
V2_FIRST_M = [
    "Daniel", "Tomasz", "Kwabena", "Ciarán", "Rhys", "Dafydd", "Callum", "Hamish", "Tom", "Mike",
    "Dan", "Liam", "Harvey", "Nathan", "Tyrone", "DeShawn", "Jamal", "Omar", "Hamza", "Bilal",
    "Tariq", "Arjun", "Vikram", "Rahul", "Haruto", "Minjun", "Thanh", "Obinna", "Tunde", "Kofi",
    "Otieno", "Sipho", "Thabo", "Mehmet", "Emre", "Giorgos", "Piotr", "Taras", "Mihai", "Lars",
    "Henrik", "Matteo", "Lorenzo", "Tiago", "Gonçalo", "Álvaro", "Théo", "Étienne", "Daan",
    "Joaquín", "Thiago", "Wiremu", "Tevita", "Sione", "Jonathan", "Gareth", "Nigel", "Kevin",
    "Stuart", "Declan", "Tadhg",
]
V2_FIRST_X = ["Rowan", "Tendai", "Harpreet"]          # used for either
V2_FIRST = V2_FIRST_F + V2_FIRST_M + V2_FIRST_X
V2_LAST = [
    "Okonkwo", "Eze", "Adebayo", "Boateng", "Owusu", "Asante", "Kamau", "Odhiambo", "Mwangi",
    "Ndlovu", "Khumalo", "Nkosi", "Diallo", "Traoré", "Tesfaye", "Bekele", "Hassan", "Abdi",
    "Al-Farsi", "Al-Rashid", "Khoury", "Nasser", "Karimi", "Ahmadi", "Hosseini", "Demir",
    "Çelik", "Aydın", "Kaya", "Papadakis", "Nikolaidis", "Georgiou", "Wiśniewska", "Kowalski",
    "Wójcik", "Bondarenko", "Kovalenko", "Popescu", "Ionescu", "Horváth", "Nagy", "Svoboda",
    "Halvorsen", "Virtanen", "Korhonen", "Nielsen", "Sørensen", "de Vries", "Jansen", "Bakker",
    "Visser", "Girard", "Fontaine", "Bianchi", "Ricci", "Esposito", "Greco", "Conti",
    "Ferreira", "Oliveira", "Pereira", "Almeida", "Carvalho", "Sousa", "Ortega", "Navarro",
    "Castillo", "Delgado", "Agirre", "Urrutia", "Zhang", "Wang", "Liu", "Huang", "Zhou",
    "Nakamura", "Watanabe", "Yamamoto", "Ishikawa", "Choi", "Kang", "Yoon", "Nguyen", "Trần",
    "Phạm", "Patel", "Sharma", "Iyer", "Reddy", "Nair", "Menon", "Chatterjee", "Gupta",
    "Desai", "Sandhu", "Qureshi", "Chaudhry", "Rahman", "Hussain", "Siddiqui", "Ní Bhriain",
    "Ó Súilleabháin", "Sinclair", "Pryce", "Llewellyn", "Whitfield", "Ashworth", "Hargreaves",
    "Thornton", "Okoro", "Nwosu", "Ogunleye", "Balogun", "Fifita", "Ngata", "Taufa",
]
# full names: given + family name in the order the culture writes them
# (Zhang Wei, Kang Min-jun, Trần Thị Linh: family name first)
V2_FULL_F = [
    "Funmilayo Adebayo", "Akosua Owusu", "Wanjiru Kamau", "Zanele Khumalo", "Fatoumata Traoré",
    "Aisha Al-Farsi", "Yasmin Nasser", "Parisa Ahmadi", "Zeynep Kaya", "Eleni Georgiou",
    "Katarzyna Wiśniewska", "Olena Kovalenko", "Ioana Popescu", "Astrid Halvorsen", "Aino Virtanen",
    "Femke de Vries", "Margaux Girard", "Giulia Bianchi", "Joana Ferreira", "Lucía Navarro",
    "Itziar Agirre", "Huang Xiaoling", "Yui Watanabe", "Yoon Seo-yeon", "Trần Thị Linh",
    "Anjali Iyer", "Meera Nair", "Khadija Rahman", "Siobhán Ní Bhriain", "Mhairi Sinclair",
    "Bethan Pryce", "Rachel Hargreaves", "Keisha Thornton", "Rocío Delgado", "Larissa Carvalho",
    "Aroha Ngata", "Nkechi Nwosu", "Oksana Bondarenko", "Nadia Hussain", "Niamh Ashworth",
]
V2_FULL_M = [
    "Chukwuemeka Eze", "Kofi Boateng", "Lwazi Ndlovu", "Tesfaye Bekele", "Omar Khoury",
    "Hamid Karimi", "Mehmet Demir", "Giorgos Nikolaidis", "Piotr Wójcik", "Mihai Ionescu",
    "Henrik Nielsen", "Daan Visser", "Étienne Fontaine", "Lorenzo Ricci", "Tiago Oliveira",
    "Zhang Wei", "Haruto Nakamura", "Kang Min-jun", "Phạm Quang Huy", "Vikram Reddy",
    "Bilal Qureshi", "Tadhg Ó Súilleabháin", "Rhys Llewellyn", "Gareth Whitfield", "Jamal Okoro",
    "Santiago Castillo", "Sione Taufa", "Tunde Ogunleye", "Sipho Nkosi", "Daniel Okonkwo",
    "John Smith",
]
V2_FULL = V2_FULL_F + V2_FULL_M + ["Harpreet Sandhu"]
# one span including the middle initial and its dot
V2_MIDINIT = [
    "Jane M. Doe", "Rachel K. Adeyemi", "Tomás J. Reyes", "Daniel R. Okonkwo",
    "Ingrid S. Halvorsen", "Kwabena A. Owusu", "Sarah J. Ashworth", "Nadia F. Haddad",
    "Arjun P. Menon", "Mei L. Zhang", "Leah T. Whitfield", "Jamal D. Pryce",
]
# "Family, Given" as on forms and letters: one span
V2_REVERSED = [
    "Doe, Jane", "Okonkwo, Daniel", "Halvorsen, Ingrid", "Nguyen, Linh", "Al-Rashid, Omar",
    "Pereira, Joana", "Kamau, Wanjiru", "Ferreira, Tiago", "Nakamura, Haruto", "Sharma, Ananya",
]
# names in their own script (CJK, Hangul, Cyrillic, Arabic, Devanagari, Greek, Hebrew)
V2_NATIVE_F = ["王秀英", "佐藤花子", "이서연", "Мария Петрова", "فاطمة حداد", "प्रिया शर्मा", "נועה כהן"]
V2_NATIVE_M = ["张伟", "김민준", "Олег Коваленко", "Γιώργος Νικολαΐδης"]
V2_NATIVE = V2_NATIVE_F + V2_NATIVE_M
V2_NICK = ["Bex", "Jonno", "Lulu", "Kiki", "Tash", "Robbo", "Gaz", "Deano", "Squish", "Nikki"]
# lower-case first names, texting style
V2_LOWER_F = ["jess", "becca", "ellie", "zara", "yasmin", "priya", "leah", "linh", "giulia", "astrid"]
V2_LOWER_M = ["mike", "tom", "dan", "liam", "omar", "kofi", "tunde", "nathan", "hamza", "sipho",
              "rhys", "callum"]
V2_LOWER = V2_LOWER_F + V2_LOWER_M

# --- places -----------------------------------------------------------------
# LOCATION: below the state/province level.  No name that is also an ordinary
# word (Reading, Nice, Bath, Split, Mobile...), a person's name (Victoria,
# Sydney, Florence, Charlotte...) or ambiguous between city and state/country
# (New York, Washington, Quebec, Singapore...).
V2_LOCATIONS = [
    "Giza", "Leeds", "Manchester", "Glasgow", "Cardiff", "Belfast", "Bristol", "Sheffield", "Leicester",
    "Brighton", "Dundee", "Galway", "Limerick", "Swansea", "Aberdeen", "Inverness", "Peckham",
    "Hackney", "Croydon", "Headingley", "Moss Side", "Stockport", "Wolverhampton",
    "Middlesbrough", "Sunderland", "Norwich", "Edinburgh", "Liverpool", "Birmingham", "London",
    "Dublin", "Toronto", "Vancouver", "Winnipeg", "Calgary", "Montréal", "Saskatoon", "Seattle",
    "Denver", "Oakland", "Minneapolis", "Pittsburgh", "Albuquerque", "Sacramento", "Harlem",
    "Milwaukee", "Baltimore", "El Paso", "San Antonio", "Anchorage", "Honolulu", "Marseille",
    "Toulouse", "Lille", "Nantes", "Belleville", "Berlin", "Hamburg", "München", "Köln",
    "Leipzig", "Dresden", "Kreuzberg", "Neukölln", "Barcelona", "Sevilla", "Bilbao", "Málaga",
    "Gràcia", "Lisboa", "Porto", "Coimbra", "Braga", "Alfama", "Rome", "Milano", "Napoli",
    "Torino", "Bologna", "Palermo", "Trastevere", "Kraków", "Gdańsk", "Wrocław", "Łódź",
    "Praha", "Brno", "Budapest", "Cluj-Napoca", "Thessaloniki", "İzmir", "Istanbul", "Tbilisi",
    "Yerevan", "Reykjavík", "Tromsø", "Göteborg", "Malmö", "Aarhus", "Tampere", "Zürich",
    "Genève", "Graz", "Rotterdam", "Utrecht", "Antwerpen", "Lagos", "Abuja", "Ibadan", "Enugu",
    "Accra", "Kumasi", "Nairobi", "Mombasa", "Kisumu", "Kampala", "Addis Ababa", "Johannesburg",
    "Soweto", "Durban", "Cape Town", "Harare", "Bulawayo", "Cairo", "Casablanca", "Marrakesh",
    "Tunis", "Beirut", "Amman", "Karachi", "Lahore", "Rawalpindi", "Mumbai", "Pune", "Chennai",
    "Bengaluru", "Kolkata", "Kochi", "Dhaka", "Sylhet", "Kathmandu", "Colombo", "Hanoi",
    "Ho Chi Minh City", "Da Nang", "Manila", "Quezon City", "Cebu", "Jakarta", "Surabaya",
    "Bangkok", "Chiang Mai", "Seoul", "Busan", "Osaka", "Kyoto", "Sapporo", "Shanghai",
    "Chengdu", "Shenzhen", "Taipei", "Kaohsiung", "Auckland", "Christchurch", "Dunedin",
    "Melbourne", "Brisbane", "Perth", "São Paulo", "Recife", "Bogotá", "Medellín", "Lima",
    "Quito", "Guadalajara", "Oaxaca", "Kingston", "Port of Spain",
]
V2_LOC_LOWER = ["leeds", "glasgow", "toronto", "lagos", "manchester", "bristol", "berlin",
                "dublin", "nairobi", "melbourne", "brighton", "lisboa"]
# REGION: countries, states, provinces, first-level regions
V2_REGIONS = [
    "Texas", "Ohio", "California", "Oregon", "Vermont", "Maine", "Arizona", "Michigan",
    "Florida", "Nevada", "Utah", "Iowa", "Alaska", "New Mexico", "Minnesota", "Colorado",
    "Kentucky", "Tennessee", "Louisiana", "North Carolina", "Pennsylvania", "Wisconsin",
    "Massachusetts", "Ontario", "Nova Scotia", "Manitoba", "British Columbia", "Saskatchewan",
    "New Brunswick", "France", "Germany", "Nigeria", "Ghana", "Kenya", "India", "Pakistan",
    "Bangladesh", "Vietnam", "Brazil", "Mexico", "Colombia", "Poland",
    "Portugal", "Spain", "Italy", "Ireland", "Scotland", "Wales", "England", "Northern Ireland",
    "Canada", "Australia", "New Zealand", "Japan", "South Korea", "China", "Taiwan", "Iran",
    "Lebanon", "Syria", "Egypt", "Morocco", "Ethiopia", "Somalia", "Eritrea", "Ukraine",
    "Romania", "Greece", "Norway", "Sweden", "Iceland", "Jamaica", "Trinidad and Tobago",
    "Haiti", "Peru", "Argentina", "Zimbabwe", "South Africa", "Uganda", "Nepal", "Sri Lanka",
    "Türkiye", "Armenia", "Bavaria", "Bayern", "Saxony", "Catalonia", "Catalunya", "Andalucía",
    "Galicia", "Lombardy", "Sicily", "Tuscany", "Provence", "Normandy", "Île-de-France",
    "Punjab", "Kerala", "Gujarat", "Maharashtra", "Sindh", "Queensland", "Tasmania",
]
# abbreviations: scanned case-sensitively; ID, OR, IN, ME, OK, HI, ON... are left out
# of the scan because they are ordinary upper-case tokens elsewhere in the set
V2_REGION_ABBR = ["UK", "USA", "US", "TX", "CA", "FL", "MI", "NM", "PA", "MN", "NC", "AZ", "WA",
                  "BC", "NSW", "QLD", "IL", "OH", "WI", "VT", "NY", "GA", "RI", "CO", "MD",
                  "AK", "MB", "QC", "SK", "AB"]
V2_CITY_REGION = [
    ("Leeds", "UK"), ("Manchester", "England"), ("Glasgow", "Scotland"), ("Cardiff", "Wales"),
    ("Belfast", "Northern Ireland"), ("Galway", "Ireland"), ("Toronto", "Ontario"),
    ("Winnipeg", "Manitoba"), ("Vancouver", "BC"), ("Austin", "Texas"), ("Tucson", "Arizona"),
    ("Denver", "Colorado"), ("Pittsburgh", "Pennsylvania"), ("Duluth", "MN"), ("Lagos", "Nigeria"),
    ("Accra", "Ghana"), ("Nairobi", "Kenya"), ("Kraków", "Poland"), ("Porto", "Portugal"),
    ("Bilbao", "Spain"), ("Lyon", "France"), ("Leipzig", "Germany"), ("München", "Bayern"),
    ("Pune", "India"), ("Lahore", "Pakistan"), ("Hanoi", "Vietnam"), ("Cebu", "Philippines"),
    ("Osaka", "Japan"), ("Busan", "South Korea"), ("Auckland", "New Zealand"),
    ("Brisbane", "Queensland"), ("Medellín", "Colombia"), ("Recife", "Brazil"),
    ("Seattle", "WA"), ("Albuquerque", "New Mexico"), ("Kochi", "Kerala"), ("Sevilla", "Andalucía"),
    ("Palermo", "Sicily"), ("Halifax", "Nova Scotia"), ("Kingston", "Jamaica"),
]

# two places near each other, for "from X to Y" / "grew up in X, moved to Y"
V2_LOC_PAIRS = [
    ("Leeds", "Manchester"), ("Glasgow", "Edinburgh"), ("Toronto", "Montréal"), ("Lisboa", "Porto"),
    ("Berlin", "Leipzig"), ("Lagos", "Ibadan"), ("Nairobi", "Mombasa"), ("Osaka", "Kyoto"),
    ("Hanoi", "Da Nang"), ("Mumbai", "Pune"), ("Seoul", "Busan"), ("Cardiff", "Swansea"),
    ("Kraków", "Wrocław"), ("Milano", "Torino"), ("Barcelona", "Bilbao"), ("Melbourne", "Brisbane"),
    ("Accra", "Kumasi"), ("Lahore", "Rawalpindi"), ("Bogotá", "Medellín"), ("Hackney", "Peckham"),
    ("Dundee", "Aberdeen"), ("Marseille", "Toulouse"), ("Sevilla", "Málaga"), ("Hamburg", "Köln"),
    ("Johannesburg", "Durban"), ("Cairo", "Giza"), ("Chennai", "Bengaluru"),
    ("Seattle", "Oakland"), ("Rotterdam", "Utrecht"), ("Istanbul", "İzmir"), ("Harare", "Bulawayo"),
    ("Kampala", "Kisumu"), ("Shanghai", "Chengdu"), ("Auckland", "Christchurch"),
]

# Words that are capitalised in the negatives (drug, app, programme and diagnosis
# names, virtue words, weekdays, months, holidays, demonyms, languages and ordinary
# words that double as names or places).  None may be in a name or place list.
TRAP_WORDS = [
    "Prozac", "Zoloft", "Lexapro", "Lithium", "Wellbutrin", "Seroquel", "Abilify", "Xanax",
    "Klonopin", "Adderall", "Ritalin", "Lamictal", "Effexor", "Cymbalta", "Trazodone",
    "Mirtazapine", "Hope", "Grace", "Faith", "Joy", "Will", "Patience", "Trust", "Charity",
    "Mercy", "Honesty", "Serenity", "Courage", "Kindness", "Prudence", "Harmony", "Monday",
    "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Christmas", "Easter", "Ramadan", "Diwali", "Thanksgiving", "Hanukkah", "Eid",
    "Bipolar", "PTSD", "Asperger", "Alzheimer", "Tourette", "Parkinson", "Crohn", "Huntington",
    "CBT", "DBT", "EMDR", "Mindfulness", "Gestalt", "Samaritans", "NAMI", "Mind", "SAMHSA",
    "Shout", "Papyrus", "Beat", "Headspace", "Calm", "BetterHelp", "Talkspace", "Instagram",
    "Zoom", "Daylio", "Bearable", "WhatsApp", "Reddit", "Spotify", "TikTok", "Snapchat",
    "Discord", "FaceTime", "Hinge", "God", "Lord", "Jesus", "Allah", "Christ", "Hashem",
    "Buddha", "Bill", "Mark", "Reading", "Nice", "Young", "Rose", "Bath", "Sage", "Dawn",
    "Frank", "Art", "Miles", "Summer", "Split", "Chase", "Sue", "Rich", "Hunter", "Pat", "Deal",
    "Mobile", "Park", "Gent", "Roma", "French", "Spanish", "Nigerian", "Polish", "Portuguese",
    "Arabic", "Korean", "Irish", "Mandarin", "Scottish", "German", "Brazilian", "Japanese",
    "Urdu", "Welsh", "Mexican", "Ghanaian", "English", "Western",
]

c2_first, c2_last, c2_full = Cycler(V2_FIRST), Cycler(V2_LAST), Cycler(V2_FULL)
c2_first_f, c2_first_m = Cycler(V2_FIRST_F), Cycler(V2_FIRST_M)
c2_full_f, c2_full_m = Cycler(V2_FULL_F), Cycler(V2_FULL_M)
c2_mid, c2_rev, c2_native = Cycler(V2_MIDINIT), Cycler(V2_REVERSED), Cycler(V2_NATIVE)
c2_native_f, c2_native_m = Cycler(V2_NATIVE_F), Cycler(V2_NATIVE_M)
c2_nick, c2_lower = Cycler(V2_NICK), Cycler(V2_LOWER)
c2_lower_f, c2_lower_m = Cycler(V2_LOWER_F), Cycler(V2_LOWER_M)
c2_loc_pair = Cycler(V2_LOC_PAIRS)
_loc_b = []


def gen_loc_a():
    """First place of a nearby pair; {LOC_B} then writes the second one."""
    a, b = c2_loc_pair.next()
    _loc_b[:] = [b]
    return a


def gen_loc_b():
    return _loc_b.pop()
c2_loc, c2_loc_lower, c2_reg = Cycler(V2_LOCATIONS), Cycler(V2_LOC_LOWER), Cycler(V2_REGIONS)
c2_cityreg = Cycler(V2_CITY_REGION)


def gen_city_region():
    city, reg = c2_cityreg.next()
    text = city + ", " + reg
    return Multi(text, [("LOCATION", 0, len(city)), ("REGION", len(city) + 2, len(text))])


# --- STREET_ADDRESS (one span: street + unit + city + state/region + postcode) ---
US_STREETS2 = ["Alder", "Birch Hollow", "Clearwater", "Dogwood", "Evergreen", "Foxglove", "Garnet",
               "Hawthorn", "Ironwood", "Lantern Hill", "Meadowbrook", "Northgate", "Quarry",
               "Redbud", "Silver Lake", "Tamarack", "Union", "Vine", "Walnut Ridge", "Yarrow",
               "14th", "Elm"]
US_SUFFIX2 = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln",
              "Drive", "Dr", "Way", "Court", "Ct", "Place", "Pl", "Terrace", "Circle", "Pkwy", "Trail"]
US_UNITS = [", Apt 4B", ", Apt 12", ", Unit 2", " #12", ", Suite 210", ", Apt. 3C", ", Unit 7A", " #305"]
US_CITIES2 = [("Seattle", "WA", "981"), ("Denver", "CO", "802"), ("Oakland", "CA", "946"),
              ("Minneapolis", "MN", "554"), ("Pittsburgh", "PA", "152"), ("Albuquerque", "NM", "871"),
              ("Sacramento", "CA", "958"), ("Milwaukee", "WI", "532"), ("Baltimore", "MD", "212"),
              ("Anchorage", "AK", "995"), ("El Paso", "TX", "799"), ("San Antonio", "TX", "782"),
              ("Honolulu", "HI", "968")]
c_us_street, c_us_suffix = Cycler(US_STREETS2), Cycler(US_SUFFIX2)
c_us_unit, c_us_city = Cycler(US_UNITS), Cycler(US_CITIES2)
c_us_form = Cycler(["bare", "unit", "city_zip", "unit_city_zip", "city_st", "zip4",
                    "city_zip", "unit_city_zip", "dir"])


def _us_street():
    return "%d %s %s" % (rng.choice([rng.randint(1, 99), rng.randint(100, 9999)]),
                         c_us_street.next(), c_us_suffix.next())


def _us_city(zip4=False):
    city, st, pre = c_us_city.next()
    z = pre + "%02d" % rng.randint(1, 99) + ("-" + _d(4) if zip4 else "")
    return city, st, z


def gen_addr_us(form=None):
    form = form or c_us_form.next()
    if form == "pobox":
        box = rng.choice(["PO Box ", "P.O. Box "]) + str(rng.randint(12, 9999))
        if rng.random() < 0.6:
            city, st, z = _us_city()
            box += ", %s, %s %s" % (city, st, z)
        return box
    if form == "dir":
        return "%d %s %s %s" % (rng.randint(100, 4999), rng.choice(["N", "S", "E", "W", "NE", "SW"]),
                                c_us_street.next(), c_us_suffix.next())
    s = _us_street()
    if form in ("unit", "unit_city_zip"):
        s += c_us_unit.next()
    if form in ("city_zip", "unit_city_zip", "zip4"):
        city, st, z = _us_city(form == "zip4")
        s += ", %s, %s %s" % (city, st, z)
    if form == "city_st":
        city, st, _ = _us_city()
        s += ", %s, %s" % (city, st)
    return s


def gen_addr_us_ml():
    city, st, z = _us_city()
    return "%s\n%s, %s %s" % (_us_street(), city, st, z)


def gen_addr_short():
    """Number + street only (English style), for "the clinic on 14 Elm Street"."""
    return rng.choice([_us_street, _uk_street])()


UK_STREETS = ["Kingsley", "Harehills", "Mill", "Church", "Oakfield", "Belgrave", "Hawthorn",
              "Rosebery", "Station", "Meadow", "Ashgrove", "Cliff", "Granby", "Elmwood"]
UK_SUFFIX = ["Road", "Street", "Lane", "Avenue", "Close", "Crescent", "Terrace", "Gardens",
             "Grove", "Place", "Drive", "Way", "Mews", "Row"]
UK_CITIES = [("Leeds", ["LS6", "LS7", "LS11"]), ("Manchester", ["M14", "M20", "M4"]),
             ("Bristol", ["BS3", "BS5", "BS7"]), ("Glasgow", ["G12", "G41", "G3"]),
             ("Cardiff", ["CF24", "CF11"]), ("Sheffield", ["S10", "S7"]), ("Edinburgh", ["EH6", "EH9"]),
             ("Belfast", ["BT7", "BT9"]), ("Brighton", ["BN2", "BN1"]), ("Norwich", ["NR2"]),
             ("London", ["E8", "SE15", "N16", "SW9"]), ("Liverpool", ["L8", "L17"])]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
c_uk_street, c_uk_suffix, c_uk_city = Cycler(UK_STREETS), Cycler(UK_SUFFIX), Cycler(UK_CITIES)
c_uk_form = Cycler(["bare", "city_pc", "flat_after", "flat_before", "city", "city_pc", "letter"])


def uk_postcode(outwards):
    return "%s %d%s%s" % (rng.choice(outwards), rng.randint(1, 9), rng.choice(INWARD_LETTERS),
                          rng.choice(INWARD_LETTERS))


def _uk_street(letter=False):
    n = str(rng.randint(1, 180)) + (rng.choice("abc") if letter else "")
    return "%s %s %s" % (n, c_uk_street.next(), c_uk_suffix.next())


def gen_addr_uk(form=None):
    form = form or c_uk_form.next()
    city, outs = c_uk_city.next()
    if form == "pobox":
        return "PO Box %d, %s %s" % (rng.randint(100, 9999), city, uk_postcode(outs))
    s = _uk_street(form == "letter")
    flat = "Flat %d" % rng.randint(1, 12)
    if form == "bare":
        return s
    if form == "city":
        return "%s, %s" % (s, city)
    if form == "flat_after":
        return "%s, %s, %s %s" % (s, flat, city, uk_postcode(outs))
    if form == "flat_before":  # UK order: the flat comes first, still one contiguous address
        return "%s, %s, %s %s" % (flat, s, city, uk_postcode(outs))
    return "%s, %s %s" % (s, city, uk_postcode(outs))  # city_pc, letter


def gen_addr_uk_ml():
    city, outs = c_uk_city.next()
    return "%s\n%s\n%s" % (_uk_street(), city, uk_postcode(outs))


CA_STREETS = [("Queen St W", "Toronto", "ON", ["M5V", "M6J"]), ("Spadina Ave", "Toronto", "ON", ["M5T"]),
              ("Portage Ave", "Winnipeg", "MB", ["R3B", "R3G"]), ("Commercial Dr", "Vancouver", "BC", ["V5N", "V5L"]),
              ("rue Sainte-Catherine O", "Montréal", "QC", ["H3G"]), ("17 Ave SW", "Calgary", "AB", ["T2S"]),
              ("Broadway Ave", "Saskatoon", "SK", ["S7N"])]
CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
c_ca_street = Cycler(CA_STREETS)
c_ca_form = Cycler(["full", "unit", "unit_dash", "bare", "nocomma"])


def ca_postcode(fsas):
    return "%s %d%s%d" % (rng.choice(fsas), rng.randint(0, 9), rng.choice(CA_LETTERS), rng.randint(0, 9))


def gen_addr_ca(form=None):
    form = form or c_ca_form.next()
    street, city, prov, fsas = c_ca_street.next()
    n = rng.randint(10, 2999)
    if form == "pobox":
        return "PO Box %d, %s, %s %s" % (rng.randint(100, 9999), city, prov, ca_postcode(fsas))
    if form == "bare":
        return "%d %s" % (n, street)
    if form == "unit":
        return "%d %s, Unit %d, %s, %s %s" % (n, street, rng.randint(101, 2404), city, prov, ca_postcode(fsas))
    if form == "unit_dash":  # Canadian unit-number prefix: 1204-88 Queen St W
        return "%d-%d %s, %s, %s %s" % (rng.randint(101, 2404), n, street, city, prov, ca_postcode(fsas))
    if form == "nocomma":
        return "%d %s, %s %s %s" % (n, street, city, prov, ca_postcode(fsas))
    return "%d %s, %s, %s %s" % (n, street, city, prov, ca_postcode(fsas))


DE_STREETS = ["Hauptstraße", "Schillerstraße", "Lindenstraße", "Gartenweg", "Bahnhofstraße",
              "Kirchgasse", "Berliner Str.", "Wiener Str.", "Oranienstraße", "Weserstraße",
              "Eichenallee", "Am Markt", "Am Kirchberg", "Sonnenallee"]
DE_CITIES = [("Berlin", ["10997", "10969", "12047", "10437"]), ("Leipzig", ["04105", "04275"]),
             ("Hamburg", ["20357", "22767"]), ("München", ["80336", "81541"]),
             ("Köln", ["50667", "50823"]), ("Dresden", ["01099"])]
c_de_street, c_de_city = Cycler(DE_STREETS), Cycler(DE_CITIES)
c_de_form = Cycler(["bare", "plz", "plz", "letter_plz"])


def gen_addr_de(form=None):
    form = form or c_de_form.next()
    n = str(rng.randint(1, 140)) + (rng.choice("abc") if form == "letter_plz" else "")
    s = "%s %s" % (c_de_street.next(), n)
    if form == "bare":
        return s
    city, plzs = c_de_city.next()
    return "%s%s%s %s" % (s, "\n" if form == "ml" else ", ", rng.choice(plzs), city)


FR_STREETS = ["rue de la Paix", "rue des Lilas", "avenue des Tilleuls", "place du Marché",
              "boulevard de la Liberté", "chemin des Vignes", "rue du Moulin", "allée des Cerisiers",
              "impasse des Roses", "quai de la Loire"]
FR_CITIES = [("Paris", ["75011", "75019", "75002", "75020"]), ("Lyon", ["69003", "69007"]),
             ("Marseille", ["13001", "13006"]), ("Toulouse", ["31000", "31400"]),
             ("Nantes", ["44000"]), ("Lille", ["59000"])]
c_fr_street, c_fr_city = Cycler(FR_STREETS), Cycler(FR_CITIES)
c_fr_form = Cycler(["bare", "cp", "bis_cp", "comma_cp", "bat_cp"])


def gen_addr_fr(form=None):
    form = form or c_fr_form.next()
    n = rng.randint(1, 120)
    num = {"bis_cp": "%d bis" % n, "comma_cp": "%d," % n}.get(form, str(n))
    s = "%s %s" % (num, c_fr_street.next())
    if form == "bare":
        return s
    city, cps = c_fr_city.next()
    if form == "bat_cp":
        s += ", Bât. B"
    return "%s%s%s %s" % (s, "\n" if form == "ml" else ", ", rng.choice(cps), city)


ES_STREETS = ["Calle Mayor", "C/ de la Luna", "Avenida del Mar", "Carrer del Sol", "Plaza de la Paz",
              "Paseo de las Acacias", "Calle del Olmo"]
ES_CITIES = [("Madrid", ["28013", "28004"]), ("Barcelona", ["08012", "08001"]), ("Sevilla", ["41003"]),
             ("Bilbao", ["48005"]), ("Málaga", ["29012"]), ("Valencia", ["46011"])]
c_es_street, c_es_city = Cycler(ES_STREETS), Cycler(ES_CITIES)
c_es_form = Cycler(["bare", "floor_cp", "cp", "floor"])


def gen_addr_es():
    form = c_es_form.next()
    s = "%s %d" % (c_es_street.next(), rng.randint(1, 90))
    if form in ("floor_cp", "floor"):
        s += ", " + rng.choice(["2º B", "3º izq", "1º A", "bajo", "4º dcha"])
    if form in ("floor_cp", "cp"):
        city, cps = c_es_city.next()
        s += ", %s %s" % (rng.choice(cps), city)
    return s


IT_STREETS = ["Via Roma", "Via delle Rose", "Corso Italia", "Viale dei Pini", "Via della Pace",
              "Via dei Mille", "Vicolo del Cedro"]
IT_CITIES = [("Roma", ["00184", "00153"]), ("Milano", ["20121", "20135"]), ("Napoli", ["80134"]),
             ("Torino", ["10123"]), ("Bologna", ["40126"]), ("Firenze", ["50123"])]
c_it_street, c_it_city = Cycler(IT_STREETS), Cycler(IT_CITIES)
c_it_form = Cycler(["bare", "cap", "comma_cap", "slash_cap"])


def gen_addr_it():
    form = c_it_form.next()
    n = rng.randint(1, 150)
    street = c_it_street.next()
    s = {"comma_cap": "%s, %d" % (street, n), "slash_cap": "%s %d/B" % (street, n)}.get(form, "%s %d" % (street, n))
    if form != "bare":
        city, caps = c_it_city.next()
        s += ", %s %s" % (rng.choice(caps), city)
    return s


PT_STREETS = ["Rua Augusta", "Rua das Flores", "Avenida da Liberdade", "Travessa do Carmo",
              "Rua de Santa Catarina", "Rua do Almada"]
PT_CITIES = [("Lisboa", ["1100", "1250"]), ("Porto", ["4050", "4000"]), ("Coimbra", ["3000"]),
             ("Braga", ["4700"]), ("Faro", ["8000"])]
c_pt_street, c_pt_city = Cycler(PT_STREETS), Cycler(PT_CITIES)
c_pt_form = Cycler(["bare", "floor_cp", "cp", "floor"])


def gen_addr_pt():
    form = c_pt_form.next()
    s = "%s %d" % (c_pt_street.next(), rng.randint(1, 300))
    if form in ("floor_cp", "floor"):
        s += ", " + rng.choice(["2.º Dto", "3.º Esq", "r/c", "1.º Frt"])
    if form in ("floor_cp", "cp"):
        city, cps = c_pt_city.next()
        s += ", %s-%03d %s" % (rng.choice(cps), rng.randint(1, 999), city)
    return s


c_pobox_country = Cycler(["us", "us", "uk", "ca"])


def gen_pobox():
    c = c_pobox_country.next()
    return {"us": lambda: gen_addr_us("pobox"), "uk": lambda: gen_addr_uk("pobox"),
            "ca": lambda: gen_addr_ca("pobox")}[c]()


# --- ZIP_CODE outside an address (US, UK, CA, DE/FR/ES/IT 5-digit, PT 4-3) ---
c_pc_form = Cycler(["us", "uk", "ca", "de", "fr", "pt", "uk", "us"])


def gen_postcode_any():
    f = c_pc_form.next()
    if f == "us":
        return "%05d" % rng.randint(1001, 99950)
    if f == "uk":
        return uk_postcode(rng.choice(UK_CITIES)[1])
    if f == "ca":
        return ca_postcode(rng.choice(CA_STREETS)[3])
    if f == "pt":
        return "%s-%03d" % (rng.choice(rng.choice(PT_CITIES)[1]), rng.randint(1, 999))
    return rng.choice(rng.choice(DE_CITIES if f == "de" else FR_CITIES)[1])


# --- CREDIT_CARD, new formats (all Luhn-valid, grouped in 4s) ---
CARD_TYPES2 = {
    "maestro12": (lambda: rng.choice(["6759", "6761", "6763", "5018", "5020", "5038"]), 12),
    "maestro16": (lambda: rng.choice(["6759", "6761", "6763", "5018", "5020", "5038", "6304"]), 16),
    "maestro18": (lambda: rng.choice(["6759", "6763", "5018"]), 18),
    "maestro19": (lambda: rng.choice(["6759", "6761", "5020", "5038"]), 19),
    "jcb15": (lambda: rng.choice(["1800", "2131"]), 15),
    "jcb16": (lambda: str(rng.randint(3528, 3589)), 16),
    "visa19": (lambda: "4" + _d(3), 19),
    "mc2": (lambda: str(rng.randint(2221, 2720)), 16),
}
c_card2_type = Cycler(list(CARD_TYPES2))
c_card2_sep = Cycler([" ", "-", "", " "])


def card_format(d):
    """Classify a digit string into the v2 card formats (None = a v1 format)."""
    n, p4 = len(d), int(d[:4])
    if p4 in (1800, 2131) and n == 15:
        return "jcb15"
    if 3528 <= p4 <= 3589 and n == 16:
        return "jcb16"
    if 2221 <= p4 <= 2720 and n == 16:
        return "mc2"
    if d[:2] in ("50", "56", "57", "58") or (d[0] == "6" and d[:4] != "6011" and d[:2] != "65"
                                             and d[:3] not in ("644", "645", "646", "647", "648", "649")):
        if 12 <= n <= 19:
            return "maestro"
    if d[0] == "4" and n == 19:
        return "visa19"
    return None


def gen_card2(kind=None):
    kind = kind or c_card2_type.next()
    pre, length = CARD_TYPES2[kind]
    num = luhn_complete((pre() + _d(19))[:length - 1])
    assert card_format(num), (kind, num)
    return group(num, [4] * (length // 4) + ([length % 4] if length % 4 else []), c_card2_sep.next())


# --- PHONE, new national/international formats (used with a phone context word) ---
AU_FICTION_MOBILE = ["006", "156", "157", "158", "159", "110", "313", "737"]
_r = rng.randint
PHONE2 = {
    "UK": [lambda: "00 44 7700 900%03d" % _r(0, 999),          # UK via 00, Ofcom drama ranges
           lambda: "0044 20 7946 0%03d" % _r(0, 999),
           lambda: "00 44 113 496 0%03d" % _r(0, 999),
           lambda: "(0113) 496 0%03d" % _r(0, 999),
           lambda: "(020) 7946 0%03d" % _r(0, 999)],
    "US": [lambda: "001-%s-555-01%02d" % (rng.choice(US_AREAS[:-1]), _r(0, 99)),   # via 001, 555-01xx
           lambda: "001 (%s) 555-01%02d" % (rng.choice(US_AREAS[:-1]), _r(0, 99))],
    "AU": [lambda: "(02) 5550 %04d" % _r(0, 9999),             # ACMA drama ranges
           lambda: "(03) 7010 %04d" % _r(0, 9999),
           lambda: "0491 570 %s" % rng.choice(AU_FICTION_MOBILE)],
    "DE": [lambda: "(030) 23125-%03d" % _r(0, 999),            # film ranges
           lambda: "030-23125-%03d" % _r(0, 999),
           lambda: "(069) 90009 %03d" % _r(0, 999)],
    "FR": [lambda: "06-39-98-%02d-%02d" % (_r(0, 99), _r(0, 99)),   # ARCEP fiction ranges
           lambda: "06.39.98.%02d.%02d" % (_r(0, 99), _r(0, 99)),
           lambda: "01-99-00-%02d-%02d" % (_r(0, 99), _r(0, 99))],
    "NL": [lambda: "020-%03d %04d" % (_r(100, 999), _r(0, 9999)),
           lambda: "06-%04d%04d" % (_r(1000, 9999), _r(0, 9999))],
    "IT": [lambda: "02 %04d %04d" % (_r(1000, 9999), _r(0, 9999)),
           lambda: "347 %03d %04d" % (_r(100, 999), _r(0, 9999))],
    "ES": [lambda: "612 %02d %02d %02d" % (_r(10, 99), _r(0, 99), _r(0, 99)),
           lambda: "91%d %02d %02d %02d" % (_r(0, 9), _r(0, 99), _r(0, 99), _r(0, 99))],
    "PT": [lambda: "21 %03d %04d" % (_r(100, 999), _r(0, 9999)),
           lambda: "912 %03d %03d" % (_r(100, 999), _r(0, 999))],
    "JP": [lambda: "03-%04d-%04d" % (_r(1000, 9999), _r(0, 9999)),
           lambda: "090-%04d-%04d" % (_r(1000, 9999), _r(0, 9999))],
    "NG": [lambda: "0803 %03d %04d" % (_r(100, 999), _r(0, 9999))],
    "KE": [lambda: "0712 %03d %03d" % (_r(100, 999), _r(0, 999))],
}
c_phone2 = Cycler([f for fs in PHONE2.values() for f in fs])
c_phone2_by = {cc: Cycler(fs) for cc, fs in PHONE2.items()}


def gen_phone2(country=None):
    return (c_phone2_by[country] if country else c_phone2).next()()


# --- IBAN in lower case ---
c_iban2_country = Cycler(["DE", "GB", "FR", "NL", "ES", "IT", "DE", "GB"])
c_iban2_grouped = Cycler([True, True, False])


def gen_iban_lower():
    cc = c_iban2_country.next()
    return fmt_iban(iban_make(cc, bban(cc)), c_iban2_grouped.next()).lower()


SPAN_GEN.update({
    "FN": ("PERSON", c2_first.next), "LN": ("PERSON", c2_last.next), "FULLN": ("PERSON", c2_full.next),
    "FN_F": ("PERSON", c2_first_f.next), "FN_M": ("PERSON", c2_first_m.next),
    "FULLN_F": ("PERSON", c2_full_f.next), "FULLN_M": ("PERSON", c2_full_m.next),
    "MIDN": ("PERSON", c2_mid.next), "REVN": ("PERSON", c2_rev.next), "NATIVE": ("PERSON", c2_native.next),
    "NATIVE_F": ("PERSON", c2_native_f.next), "NATIVE_M": ("PERSON", c2_native_m.next),
    "NICK": ("PERSON", c2_nick.next), "FN_LC": ("PERSON", c2_lower.next),
    "FN_LC_F": ("PERSON", c2_lower_f.next), "FN_LC_M": ("PERSON", c2_lower_m.next),
    "LOC": ("LOCATION", c2_loc.next), "LOC_LC": ("LOCATION", c2_loc_lower.next),
    "LOC_A": ("LOCATION", gen_loc_a), "LOC_B": ("LOCATION", gen_loc_b),
    "REG": ("REGION", c2_reg.next), "CITYREG": ("MULTI", gen_city_region),
    "ADDR_US": ("STREET_ADDRESS", gen_addr_us), "ADDR_US_ML": ("STREET_ADDRESS", gen_addr_us_ml),
    "POBOX": ("STREET_ADDRESS", gen_pobox),
    "ADDR_DE_ML": ("STREET_ADDRESS", lambda: gen_addr_de("ml")),
    "ADDR_FR_ML": ("STREET_ADDRESS", lambda: gen_addr_fr("ml")),
    "ADDR_UK": ("STREET_ADDRESS", gen_addr_uk), "ADDR_UK_ML": ("STREET_ADDRESS", gen_addr_uk_ml),
    "ADDR_CA": ("STREET_ADDRESS", gen_addr_ca), "ADDR_DE": ("STREET_ADDRESS", gen_addr_de),
    "ADDR_FR": ("STREET_ADDRESS", gen_addr_fr), "ADDR_ES": ("STREET_ADDRESS", gen_addr_es),
    "ADDR_IT": ("STREET_ADDRESS", gen_addr_it), "ADDR_PT": ("STREET_ADDRESS", gen_addr_pt),
    "ADDR_SHORT": ("STREET_ADDRESS", gen_addr_short),
    "PCODE": ("ZIP_CODE", gen_postcode_any),
    "PC_UK": ("ZIP_CODE", lambda: uk_postcode(rng.choice(UK_CITIES)[1])),
    "PC_CA": ("ZIP_CODE", lambda: ca_postcode(rng.choice(CA_STREETS)[3])),
    "PC_DE": ("ZIP_CODE", lambda: rng.choice(rng.choice(DE_CITIES)[1])),
    "CC_NEW": ("CREDIT_CARD", gen_card2),
    "CC_MAESTRO": ("CREDIT_CARD", lambda: gen_card2(rng.choice(["maestro12", "maestro16", "maestro18", "maestro19"]))),
    "CC_JCB": ("CREDIT_CARD", lambda: gen_card2(rng.choice(["jcb15", "jcb16"]))),
    "CC_MC2": ("CREDIT_CARD", lambda: gen_card2("mc2")),
    "CC_VISA19": ("CREDIT_CARD", lambda: gen_card2("visa19")),
    "PH2": ("PHONE", gen_phone2), "PH2_US": ("PHONE", lambda: gen_phone2("US")),
    "PH2_UK": ("PHONE", lambda: gen_phone2("UK")), "PH2_DE": ("PHONE", lambda: gen_phone2("DE")),
    "PH2_FR": ("PHONE", lambda: gen_phone2("FR")), "PH2_ES": ("PHONE", lambda: gen_phone2("ES")),
    "IBAN_LC": ("IBAN", gen_iban_lower),
})

# --- v2 templates -------------------------------------------------------------
T2 = {}
T2["PERSON"] = [
    # relations
    "My husband {FN_M} thinks I'm overreacting about the panic attacks.",
    "my ex, {FN_F}, moved to {LOC} and I still check her stories every night.",
    "My therapist, Dr. {LN}, wants me to try journaling before bed.",
    "My sister {FN_F} is the only one who knows I'm in therapy.",
    "My wife {FN_F} and I keep having the same argument about money.",
    "My son {FN_M} hasn't left his room in three days.",
    "My daughter {FN_F} started self-harming and I don't know what to do.",
    "Our counsellor, {FULLN}, is leaving the practice next month.",
    "My best mate {NICK} keeps telling me to just get over it.",
    "My stepdad {FN_M} drinks every night and I hate being home.",
    "My grandmother {FN_F} raised me, and she died in the spring.",
    "My boyfriend {FN_M} says I'm too much.",
    "My girlfriend {FN_F} wants me to see someone, so here I am.",
    "Aunt {FN_F} is the only relative who still calls.",
    "Uncle {FN_M} said things at the funeral that I can't unhear.",
    "My roommate {FN} keeps bringing people over at 2am.",
    "My manager, {FULLN}, signed off my sick leave without any questions.",
    "My case worker {FULLN} hasn't answered in two weeks.",
    "My psychiatrist Dr {LN} upped my dose again.",
    "My sponsor {FN} picked up at 3am when I nearly relapsed.",
    "My twin brother {FN_M} lives in {LOC} now and we barely talk.",
    "My mother-in-law, {FULLN_F}, criticises everything I do.",
    "My cousin {FN} from {LOC} is the only one I've told.",
    "My old teacher, Mrs {LN}, was the first adult who believed me.",
    "The school counsellor, Mr. {LN}, told my parents without asking me.",
    "My partner {FN}'s family doesn't know we're together.",
    "{FN}'s mum found my journal and read it out loud.",
    "I'm staying at {FN}'s place until things calm down.",
    "Mx {LN} runs the Tuesday peer group and they're really kind.",
    "Prof. {LN} gave me an extension after I told her what happened.",
    "Prof {LN}'s office hours are the only time I feel okay on campus.",
    "Ms {LN}, the nurse, sat with me until the panic passed.",
    # reported speech
    "{FN} said I should just stop thinking about it, like it's that easy.",
    "According to {FN}, I've been 'different' since the accident.",
    "Then {FULLN} told the whole group what I'd said in private.",
    "\"You're being dramatic,\" {FN} said, and walked out.",
    "{FN} told me to ring the crisis line, so I did.",
    "My mum keeps saying {FN} was a bad influence.",
    "Dr. {LN} said the new meds take four to six weeks to work.",
    "I asked {FN_F} if she was okay and she just laughed.",
    "{FN} and {FN#2} both stopped replying after I told them.",
    "{FN}, {FN#2} and {FN#3} all went to the party without me.",
    "\"It's not your fault,\" {FULLN_F} kept saying, and I finally believed her.",
    # bare mentions
    "{FN} never texts back.",
    "{FN} hasn't spoken to me since the wedding.",
    "{FULLN} was my first real friend at uni.",
    "Still thinking about {FN}. It's been a year.",
    "Is it weird that I miss {FN_M} even though he hurt me?",
    "{FN} from work covered my shift so I could come to this appointment.",
    "I keep rereading {FN}'s last message.",
    "Nobody at work knows except {FN}.",
    "I dreamt about {FULLN} again last night.",
    "I can still hear {FN} laughing in the kitchen.",
    "I finally told {FN} about the eating disorder.",
    "{FN} is coming with me to the first appointment.",
    "Mum and {FN} aren't speaking again.",
    "Is it okay to message {FULLN} after we ended therapy?",
    "{FN} again. It's always {FN@} who ends up comforting me.",
    "{FULLN_F} was the nurse on the ward that night, and she was so kind.",
    "My son's teacher, {FULLN}, asked if everything's okay at home.",
    # lower-case texting
    "i told {FN_LC} i cant do friday, i just cant",
    "omg {FN_LC} just texted me after 6 months",
    "ok so {FN_LC} and {FN_LC#2} broke up and now im in the middle",
    "{FN_LC} keeps leaving me on read lol",
    "tbh {FN_LC} is the only reason i got out of bed today",
    "my bf {FN_LC_M} thinks therapy is for weak people",
    "idk if i should tell {FN_LC} abt the meds",
    "ngl {FN_LC}'s comment really got to me",
    "going to {FN_LC}'s later, might help",
    "me and {FN_LC} are moving to {LOC_LC} next month",
    # sign-offs with credentials (credentials and titles are outside the span)
    "Be well,\n{MIDN}, DBH, LPCC, NCC",
    "Warm regards, {FULLN}, M.S., LMHC",
    "Take care,\n{FULLN}, LCSW",
    "Sincerely,\nDr. {FULLN}, PsyD",
    "In kindness,\n{MIDN}, PhD, LMFT",
    "Best wishes,\n{FULLN}, MA, MSW, LMSW",
    "With warmth,\nProf. {FULLN}, PhD",
    "See you Thursday.\n— {FN}, your peer supporter",
    "Thanks again for getting in touch. Kind regards, Mx {FULLN}, LPCC",
    "Warmly,\n{FN_F} (she/her), LMHC",
    "Cheers,\n{NICK}",
    "xx {FN}",
    "Love you, {FN}. Talk tomorrow.",
    "Best,\n{MIDN}",
    "I hope the exercise helps.\nBe gentle with yourself,\n{MIDN}, MA, LPC",
    # forms and records ("Family, Given" is one span)
    "Client name: {REVN}\nReason for referral: low mood, poor sleep.",
    "Patient: {REVN}. Seen for follow-up, reports improved sleep.",
    "Referred by: {MIDN}",
    "Emergency contact: {FULLN_F} (mother)",
    "The letter was addressed to {REVN}, which is how the school writes my name.",
    # introductions and salutations
    "Hi, I'm {FULLN}, I moved here from {REG} last year and I don't know anyone.",
    "Hello, my name is {FULLN} and I'm a carer for my dad.",
    "Dear {FN},\nthank you for holding space for me last week.",
    "Hi Dr. {LN}, quick question about my next session.",
    "Dear Ms {LN},\nI need to reschedule.",
    "Hey {NICK}! Did you get home okay?",
    "Dear {MIDN},\nI am writing to request my records.",
    # names in their own script and in other languages
    "My grandmother's name is {NATIVE_F}, and she's the one I talk to when I can't sleep.",
    "In my contacts he's still saved as {NATIVE_M}.",
    "The card from my aunt was signed {NATIVE_F}.",
    "My new flatmate is {NATIVE} and we barely speak.",
    "我跟{PERSON:王秀英}说了，她也不理解。",
    "어제 {PERSON:김민준}한테 다 말했어. 조금 나아졌어.",
    "Вчера {PERSON:Олег} опять не пришёл на встречу.",
    "Ayer {PERSON:Rocío} me dijo que no puede más.",
    "Gestern hat {PERSON:Henrik} mich zur Beratung begleitet.",
    "Ma psy, Mme {PERSON:Girard}, m'a conseillé d'écrire tous les soirs.",
    "My nani, {PERSON:प्रिया शर्मा}, wrote me a letter in Hindi.",
    "My best friend {FULLN} is coming over from {REG} for a week.",
    # the examples from the labelling brief, verbatim
    "Thank you for today.\nBe well,\n{PERSON:Jane M. Doe}, DBH, LPCC, NCC",
    "Warm regards, {PERSON:John Smith}, M.S., LMHC",
    "my ex, {PERSON:Daniel}, moved to {LOCATION:Leeds} and I still can't sleep",
    "Dr. {PERSON:Okafor} at the clinic on {STREET_ADDRESS:14 Elm Street} says I'm doing better.",
    "{PERSON:Priya} never texts back.",
    "i told {PERSON:mike} i'd call him tomorrow",
    "I grew up in {LOCATION:Kreuzberg} and moved to {LOCATION:Austin}, {REGION:Texas} for work.",
    "Mum flew back to {LOCATION:Lagos} on Tuesday.",
    "We might move to {LOCATION:Leeds}, {REGION:UK} next year.",
    "I was raised near {LOCATION:Springfield} by my grandparents.",
    "My therapist, Dr {PERSON:Aisha Al-Farsi}, works out of {LOCATION:Bristol}.",
    "{PERSON:Siobhán Ní Bhriain} and {PERSON:Iñaki Etxeberria} run the Wednesday group.",
]

T2["PLACE"] = [
    "Mum flew back to {LOC} on Tuesday and the house feels empty.",
    "I grew up in {LOC} and I still miss the noise.",
    "We moved to {LOC} for my dad's job and I haven't made any friends.",
    "Back home in {LOC}, nobody talks about mental health.",
    "I'm visiting my family in {LOC} next week and I'm dreading it.",
    "The only therapist near {LOC} who takes my insurance has a six-month wait.",
    "Does anyone know a good support group in {LOC}?",
    "I lived in {LOC} for ten years before the divorce.",
    "My flight to {LOC} got cancelled and I had a full-blown panic attack at the gate.",
    "Since I left {LOC}, I feel like I don't belong anywhere.",
    "My brother is studying in {LOC} and he's not picking up.",
    "Every time I go back to {LOC} the memories hit me.",
    "I'm from {LOC} originally, but I've been here since I was twelve.",
    "The train from {LOC_A} to {LOC_B} is the only time I get to think.",
    "We used to spend every summer holiday in {LOC}.",
    "My partner wants to move to {LOC} and I'm terrified of starting over.",
    "The hospital in {LOC} discharged me after one night.",
    "I took the bus to {LOC} just to be somewhere nobody knows me.",
    "Life in {LOC} is so expensive, I work two jobs and still can't afford therapy.",
    "Is the waitlist in {LOC} always this long?",
    "She grew up in {LOC_A} and moved to {LOC_B} after her divorce.",
    "The anniversary of the flood in {LOC} is next week.",
    "We lost everything in the fire outside {LOC}.",
    "{LOC} in winter makes my depression so much worse.",
    "My abuela in {LOC} doesn't know I'm gay.",
    "I moved from {CITYREG} last spring.",
    "My parents still live in {CITYREG}, and I'm scared to visit.",
    "Born and raised in {CITYREG}, now completely alone here.",
    "She's in {CITYREG} now, hours ahead of me.",
    "I got the job offer in {CITYREG} but I don't think I can leave my mum.",
    "My family is in {REG} and I only see them once a year.",
    "I came to {REG} as a student and never went back.",
    "Moving back to {REG} feels like failing.",
    "We're flying to {REG} for my grandfather's funeral.",
    "Therapy in {REG} is so different, nobody talks about feelings.",
    "I've been homesick for {REG} since the day I arrived.",
    "My dad went back to {REG} and I don't know if he'll come back.",
    "Half my family is in {REG} and the other half won't speak to them.",
    "My parents came from {REG} with nothing.",
    "I miss the food from {REG} so much it hurts.",
    "{REG} feels like another life now.",
    "I've never even been to {REG} but my dad keeps telling me I'm not really from here.",
    "I'm a nurse from {REG} working nights in {LOC}, and I'm exhausted.",
    "Since we moved to the {REGION:UK}, my son has been so withdrawn.",
    "I've been in the {REGION:US} for three years and still feel like a guest.",
    "My student visa for the {REGION:USA} runs out soon and I can't sleep.",
    "Is BetterHelp available in {REGION:Canada}?",
    "I was born in {REGION:Scotland} but grew up in {LOCATION:Cardiff}.",
    "My grandmother survived the war in {REGION:Syria} and never talks about it.",
    "We drove from {LOCATION:Toronto} to {LOCATION:Montréal} in silence.",
    "I spent my twenties in {LOCATION:Kreuzberg} and now I can't stand the quiet.",
    "My therapist is in {LOCATION:Lisboa} and I'm in {LOCATION:Porto}, so it's all online.",
    "My mum's village near {LOCATION:Enugu} has no signal, so I can't talk to her for weeks.",
    "My cousin moved to {LOCATION:El Paso}, {REGION:TX} and hates it.",
    "The job in {LOCATION:Seattle}, {REGION:WA} fell through.",
    "We're in {LOCATION:Brisbane}, {REGION:QLD} now, far from everyone.",
    "I'm in {REGION:Bavaria} for work, completely alone.",
    "My girlfriend is from {REGION:Catalonia} and her parents don't approve of me.",
    "We lived in {LOCATION:Moss Side} until I was nine.",
    "I used to live in {LOCATION:Headingley} as a student and it was the best year of my life.",
    "Mum is back in {LOCATION:Lagos} and I'm stuck here in {LOCATION:Peckham}.",
    "My granddad still lives near {LOCATION:Springfield} and refuses to move.",
    "我家在{LOCATION:成都}，离这里很远。",
    "{LOCATION:東京}に引っ越してから、ずっと一人です。",
    "엄마가 {LOCATION:부산}에 계셔서 자주 못 봐요.",
    "Мама живёт в {LOCATION:Казани}, и я очень скучаю.",
    "moving to {LOC_LC} next week, kinda scared",
    "omg im finally back in {LOC_LC}",
    "cant believe {LOC_LC} has no free counselling at all",
    "We're flying from {LOCATION:Accra} to {LOCATION:London} for the funeral.",
    "He was deployed to {REGION:Afghanistan} twice and still won't talk about it.",
    "I was born in {REG} but grew up in {REG#2}, so I never know what to say when people ask.",
    "My parents are from {REG} and {REG#2} and they argue about where to retire.",
    "We left {REG} for {REG#2} when I was six and I still miss it.",
    "My husband got a transfer to {REG} and I'm the trailing spouse with no friends.",
    "Every summer we went back to {REG}, and every summer I felt like a tourist.",
    "I've lived in {REG}, {REG#2} and now here, and I'm lonely everywhere.",
    "My therapist trained in {REG}, which is why she gets the family stuff.",
    "My uncle in {REG} sends money and then guilt-trips everyone about it.",
    "I left {REGION:Eritrea} when I was fourteen.",
    "My lola back in the {REGION:Philippines} calls every Sunday and I never pick up.",
    "My family fled {REGION:Ukraine} and my little brother has nightmares every night.",
]

T2["ADDR_US"] = [
    "I live at {ADDR_US} with my grandmother.",
    "My new place is {ADDR_US}, and it's the first time I've lived alone.",
    "Dr. {LN} at the clinic on {ADDR_SHORT} said the waitlist is long.",
    "Please mail the forms to {ADDR_US}.",
    "My ex turned up at {ADDR_US} last night and I didn't open the door.",
    "The refuge is at {ADDR_US} but please don't share it.",
    "Send the paperwork to {POBOX}, it's safer than my home address.",
    "My post goes to {POBOX} since I moved into the refuge.",
    "Please write to me at {POBOX}, not at home.",
    "My mom still lives at {ADDR_US} and I can't bring myself to visit.",
    "The group meets at {ADDR_US} on Wednesdays.",
    "Mailing address: {ADDR_US}",
    "Could you send the letter to:\n{ADDR_US_ML}",
    "Our practice has moved to {ADDR_US}.",
]
T2["ADDR_UK"] = [
    "I've just moved into {ADDR_UK} and I can't sleep.",
    "Please post it to:\n{ADDR_UK_ML}",
    "The drop-in is at {ADDR_UK} if anyone wants to come.",
    "My nan lives at {ADDR_UK}, I go every Sunday.",
    "Address for the referral: {ADDR_UK}",
    "Correspondence address: {POBOX}",
    "He knows I'm at {ADDR_UK} now and it scares me.",
    "Dr {LN} at the surgery on {ADDR_SHORT} finally listened to me.",
    "Can the letters go to {ADDR_UK} instead of my parents' house?",
]
T2["ADDR_CA"] = [
    "I'm at {ADDR_CA} now, finally away from him.",
    "The clinic is at {ADDR_CA}, second floor.",
    "Please send the receipt to {ADDR_CA}.",
    "My address changed to {ADDR_CA} last month.",
    "Mailing address: {ADDR_CA}",
]
T2["ADDR_DE"] = [
    "Ich wohne in der {ADDR_DE}.",
    "Die Beratungsstelle ist in der {ADDR_DE}, zweiter Stock.",
    "My therapist's practice is at {ADDR_DE} and I walk there every week.",
    "Bitte schicken Sie die Unterlagen an:\n{ADDR_DE_ML}",
    "We moved to {ADDR_DE} and I don't know anyone.",
]
T2["ADDR_FR"] = [
    "J'habite au {ADDR_FR}.",
    "Le cabinet est au {ADDR_FR}, au deuxième étage.",
    "My mum's flat is at {ADDR_FR} and she won't leave it.",
    "Envoyez le courrier à :\n{ADDR_FR_ML}",
    "The group meets at {ADDR_FR} every Thursday.",
]
T2["ADDR_ES"] = [
    "Vivo en {ADDR_ES} y no conozco a nadie.",
    "La consulta está en {ADDR_ES}.",
    "My grandmother's flat is at {ADDR_ES}, I'm staying there for now.",
    "Please send the documents to {ADDR_ES}.",
]
T2["ADDR_IT"] = [
    "Abito in {ADDR_IT} da due anni.",
    "Lo studio della psicologa è in {ADDR_IT}.",
    "My nonna still lives at {ADDR_IT}.",
    "Please post the letter to {ADDR_IT}.",
]
T2["ADDR_PT"] = [
    "Moro na {ADDR_PT} com a minha avó.",
    "O consultório fica na {ADDR_PT}.",
    "I'm renting a room at {ADDR_PT} for the semester.",
    "Please send it to {ADDR_PT}.",
]
T2["CARD"] = [
    "My debit card is a Maestro, {CC_MAESTRO}, is that okay for the co-pay?",
    "I paid the retreat deposit with {CC_MAESTRO} and now they won't refund it.",
    "My JCB card {CC_JCB} was charged for a session I cancelled.",
    "The clinic's form won't accept my JCB, {CC_JCB}.",
    "Card: {CC_MC2}, expiry 04/28.",
    "My new Mastercard {CC_MC2} got skimmed, I think, and I'm spiralling.",
    "Visa {CC_VISA19}, the long one, keeps failing in the app.",
    "I read my card details {CC_NEW} out to a stranger and now I regret it.",
    "please charge {CC_NEW} for the missed session",
    "My dad's card, {CC_NEW}, was used without his permission.",
    "Ich habe mit meiner Maestro-Karte {CC_MAESTRO} bezahlt.",
    "He made me memorise his card ({CC_NEW}) so I could order his meds.",
    "Billing card {CC_NEW} — can you confirm the refund?",
]
T2["PHONE"] = [
    "Call me on {PH2}, I'm up all night anyway.",
    "My mobile is {PH2} if the video drops.",
    "cell: {PH2}",
    "Text me at {PH2} when you're outside.",
    "You can reach me on {PH2} after 5.",
    "WhatsApp me on {PH2}, I'm abroad for a bit.",
    "Tel. {PH2}",
    "Our landline is {PH2} but my parents listen in.",
    "My mum's number back home is {PH2}.",
    "Ring me on {PH2} if you can't find the building.",
    "My therapist gave me her work phone, {PH2}, for emergencies.",
    "number: {PH2}",
    "Phone: {PH2}",
    "If you need to call my sister, it's {PH2}.",
    "Please update my contact number to {PH2}.",
    "my new number is {PH2} dont give it to my ex",
    "The counsellor's direct line is {PH2}, you can call her any time before 6.",
    "Handy: {PH2_DE}",
    "Mon portable : {PH2_FR}",
    "Mi móvil es {PH2_ES}.",
]
T2["IBAN"] = [
    "my iban is {IBAN_LC}",
    "iban: {IBAN_LC} (sorry for the lower case, typing fast)",
    "can u send the refund to {IBAN_LC}",
    "Refund to {IBAN_LC} please.",
    "i copied {IBAN_LC} from my banking app, is it right?",
    "The landlord's account is {IBAN_LC}, he wants the deposit by Friday.",
    "meine iban: {IBAN_LC}",
    "pls pay the group fee back to {IBAN_LC} thx",
]
T2["ZIP"] = [
    "My postcode is {PC_UK}, is there a crisis café nearby?",
    "postcode {PC_UK} if that helps the GP find me",
    "Postal code {PC_CA} — any free counselling around here?",
    "Meine PLZ ist {PC_DE}, gibt es hier Beratungsstellen?",
    "The map shows nothing near zip code {PCODE}.",
    "Searching for therapists near postcode {PCODE} gives me one result.",
    "zip code {PCODE}, anything within walking distance?",
    "I typed in my postcode {PCODE} and the directory said no providers.",
]
T2["MIXED"] = [
    "Hi, I'm {FULLN} from {LOC}. Best number for me is {PH2}.",
    "{FN} drove me from {LOC_A} to the emergency department in {LOC_B}.",
    "My mum {FN_F} lives at {ADDR_UK}; her number is {PH2_UK}.",
    "Warm regards,\n{FULLN}, LMFT\n{ADDR_US_ML}\nTel. {PH2_US}",
    "{FN_M} lent me his card {CC_NEW} to pay for therapy in {LOC}.",
    "Mum flew back to {LOC} on Tuesday; you can text her on {PH2}.",
    "Please send the refund to {IBAN_LC} — {FULLN}, {CITYREG}",
    "My ex, {FN}, still lives at {ADDR_US} and I have to drive past it.",
    "Dr. {LN} moved the practice to {ADDR_CA} and I can't get there by bus.",
    "Best,\n{MIDN}, LCSW\n{ADDR_US}",
    "I'm {FN_LC}, im from {LOC_LC}, text me on {PH2}",
    "My grandfather is {AGE}, lives alone in {LOC}, and my aunt {FN_F} is his only carer.",
    "{FULLN}, born {DOB} in {LOC}, referred by Dr {LN}.",
    "Since {FN} moved to {CITYREG} I've felt completely alone.",
    "My sister {FN_F} ({HANDLE} on Instagram) lives in {LOC} now.",
    "Email {FN} at {EMAIL} or call the office on {PH2}.",
    "My daughter {FN_F} is at uni, her flat is at {ADDR_UK}.",
    "Kind regards,\n{FULLN}, MSW\n{ADDR_DE}",
    "Mme {LN} habite au {ADDR_FR}, son portable : {PH2_FR}.",
    "{FN}, who moved here from {REG}, says the Thursday group in {LOC} is the best one.",
]

# --- v2 hard negatives: NO PII of any kind -----------------------------------
NEG2 = {
    "drug_name": [
        "Prozac made me feel flat for the first month.",
        "Zoloft or Lexapro, which one had fewer side effects for you?",
        "Lithium levels came back fine this time.",
        "Lexapro is the first thing that's actually helped.",
        "Wellbutrin gave me the worst insomnia of my life.",
        "Seroquel knocks me out for twelve hours.",
        "Abilify was added last week and I feel restless.",
        "Xanax is the only thing that stops the panic, and that scares me.",
        "Klonopin withdrawal is no joke.",
        "Adderall helps me focus but I crash every evening.",
        "Ritalin made me lose my appetite completely.",
        "Lamictal needs a slow taper, my GP said.",
        "Effexor brain zaps are the worst part of coming off it.",
        "Cymbalta helped the pain but not the mood.",
        "Trazodone at night and still no real sleep.",
        "Mirtazapine made me so hungry I gained weight fast.",
    ],
    "virtue_word": [
        "Hope is hard to hold onto right now.",
        "Grace is something I'm learning to give myself.",
        "Faith in the process, that's what my group keeps saying.",
        "Joy feels like a foreign word these days.",
        "Will power isn't the problem, my therapist says.",
        "Patience with myself is the hardest part of recovery.",
        "Trust takes a long time to rebuild after what happened.",
        "Charity shops are the only place I go without anxiety.",
        "Mercy, that session was intense.",
        "Honesty with my partner made things worse before they got better.",
        "The workbook chapter is called Finding Hope Again.",
        "Serenity is not a word I'd use for my house.",
        "Courage Over Fear is the name of the workshop.",
        "Kindness Matters, says the poster in the waiting room.",
        "Harmony at home is non-existent right now.",
    ],
    "weekday_month_holiday": [
        "Monday mornings are the worst for my anxiety.",
        "May is always hard because of the anniversary.",
        "June was a blur of appointments.",
        "August feels so far away.",
        "Christmas at home is really stressful for me.",
        "Easter with my family means three days of pretending.",
        "Ramadan starts soon and I'm worried about taking my meds while fasting.",
        "Diwali used to be my favourite time of year.",
        "Thanksgiving dinner ended with everyone shouting again.",
        "Hanukkah this year will be the first without my grandfather.",
        "Sunday evenings give me a knot in my stomach.",
        "Eid is next week and I don't want to see anyone.",
        "Lunar New Year reminds me how far I am from my family.",
        "Mother's Day is brutal when your mum is gone.",
        "Friday can't come soon enough.",
        "April was the month everything fell apart.",
        "Boxing Day is when the loneliness really kicks in.",
        "New Year's Eve alone again.",
    ],
    "diagnosis": [
        "Bipolar Disorder runs in my family.",
        "Panic Disorder is what they finally called it.",
        "PTSD from the crash still wakes me up at night.",
        "Asperger's was the old word they used for me.",
        "Alzheimer's is taking my dad away slowly.",
        "OCD makes me check the door over and over.",
        "ADHD wasn't diagnosed until I was thirty.",
        "Borderline Personality Disorder is such a stigmatised label.",
        "Generalised Anxiety Disorder, that's what's on my notes now.",
        "Major Depressive Disorder, recurrent, says the letter.",
        "Tourette's isn't what people think it is.",
        "Parkinson's changed my mum's personality.",
        "Crohn's and anxiety feed off each other.",
        "Postpartum Depression hit me three weeks after the birth.",
        "Seasonal Affective Disorder is real and it's kicking in.",
        "Huntington's is in the family and I'm scared to get tested.",
    ],
    "therapy": [
        "CBT helped me notice the spirals earlier.",
        "DBT skills group is twice a week.",
        "EMDR sessions leave me exhausted.",
        "Mindfulness just makes me more aware of how anxious I am.",
        "Twelve Steps saved my life, honestly.",
        "ACT is about accepting the thoughts, not fighting them.",
        "Internal Family Systems sounds weird but it works for me.",
        "Exposure and Response Prevention is terrifying but I'm doing it.",
        "Schema Therapy was recommended after CBT didn't stick.",
        "Somatic Experiencing is next on the list.",
        "Gestalt therapy felt like acting class.",
        "Psychodynamic work is slow, but I'm learning a lot.",
        "Motivational Interviewing is what the nurse used on me, I think.",
        "Compassion Focused Therapy made me cry in the first session.",
        "IPT is focused on relationships, which is exactly my problem.",
    ],
    "programme_helpline": [
        "Alcoholics Anonymous meetings are the only place I feel understood.",
        "Narcotics Anonymous has an online meeting every night.",
        "Crisis Text Line was faster than I expected.",
        "Samaritans stayed on the line with me for an hour.",
        "NAMI has a family course that my parents might do.",
        "Mind has a good page on panic attacks.",
        "Al-Anon helped me stop blaming myself for his drinking.",
        "SAMHSA's locator found a clinic but it's full.",
        "Shout replied within five minutes.",
        "Papyrus helped when I was at uni.",
        "Gamblers Anonymous was my wife's idea.",
        "Overeaters Anonymous meets in a church hall.",
        "SMART Recovery felt less religious than AA.",
        "Rethink Mental Illness has a carers' forum.",
        "Beat has a helpline for eating disorders.",
        "Young Minds has good stuff for parents.",
    ],
    "app_brand": [
        "Headspace has a sleep cast I listen to every night.",
        "Calm keeps asking me to renew and I feel guilty.",
        "BetterHelp matched me with someone who didn't get it.",
        "Talkspace messages feel too slow when I'm spiralling.",
        "Instagram makes me compare myself to everyone.",
        "Zoom sessions are easier than going in person.",
        "Daylio shows my mood dips every weekend.",
        "Bearable tracks my symptoms and meds.",
        "WhatsApp groups from school make me anxious.",
        "Reddit threads at 3am are not good for me.",
        "Spotify has a playlist that gets me through panic attacks.",
        "TikTok is full of people self-diagnosing.",
        "Snapchat streaks are the only way I keep in touch.",
        "Discord servers were my only friends during lockdown.",
        "FaceTime with my therapist felt awkward at first.",
        "Hinge dates keep triggering my anxiety.",
    ],
    "religion": [
        "God feels very far away lately.",
        "I pray to Allah every night for the strength to keep going.",
        "Jesus was the only one I could talk to as a kid.",
        "Lord, give me patience with my mother.",
        "My faith in God is the only thing that's stayed steady.",
        "I don't know if God is listening anymore.",
        "Praise the Lord, I slept six hours last night.",
        "Allah knows what's in my heart, my mum says.",
        "Christ, this week has been long.",
        "The Holy Spirit is a big part of how I cope, even if my therapist doesn't get it.",
        "Hashem will provide, my father says, but rent is due.",
        "Buddha's teachings about suffering helped me more than any book.",
        "My church talks about Jesus but never about depression.",
        "Oh my God, I actually went to the gym.",
        "Thank God the session is online this week.",
    ],
    "capitalised_word": [
        "Bill came in the mail and I couldn't open it.",
        "Mark my words, I'm going to finish this course.",
        "Reading helps me switch off at night.",
        "Nice try, brain, but I'm not cancelling.",
        "Young people are struggling more than ever, my counsellor said.",
        "Rose petals were everywhere at the funeral.",
        "Bath time is the only time I get to myself.",
        "Sage advice from my nan: eat something first.",
        "Dawn is the worst time for my thoughts.",
        "Frank conversations with my dad never go well.",
        "Art helps me process things I can't say.",
        "Miles of walking every day is how I cope.",
        "Summer makes my anxiety so much worse.",
        "Split the bill? I can barely afford the co-pay.",
        "Chase the small wins, my therapist says.",
        "Sue me, I'm taking a nap.",
        "Rich people don't have to wait six months for therapy.",
        "Hunter green was the colour of the waiting room walls.",
        "Pat on the back for getting out of bed today.",
        "Deal with it, they said, like it's that easy.",
        "Mobile signal in the hospital was terrible.",
        "Park benches are where I do my breathing exercises.",
    ],
    "nationality_language": [
        "My French teacher was the first person I told.",
        "I speak Spanish at home and English at school, and I feel split in two.",
        "My Nigerian aunties think depression is a Western thing.",
        "Polish food is the only thing that comforts me.",
        "The Portuguese word saudade describes exactly how I feel.",
        "Is there a counsellor who speaks Arabic?",
        "My Korean parents don't believe in therapy.",
        "I want a therapist who understands Irish family guilt.",
        "Mandarin is my first language and I think in it when I'm upset.",
        "My Scottish granny would say just get on with it.",
        "The German side of my family never talks about feelings.",
        "I'm half Brazilian and half Japanese and belong nowhere.",
        "Can I do sessions in Urdu?",
        "Welsh is the language I dream in.",
        "My Mexican grandmother makes tea for every problem.",
        "Being the only Ghanaian kid in class was lonely.",
    ],
    # 8-12 digits in groups of 2-4, but no phone context word anywhere near
    "phone_shaped": [
        "My PHQ-9 scores went 12 14 16 18 over the last month.",
        "Flight 0412 3345 was delayed and I sat at the gate shaking.",
        "Our seats were 14 15 16 17 in row 22 and I still left at the interval.",
        "The hostel door code changes daily, today it's 4417 2290.",
        "The lottery picks were 04 12 19 23 31 again.",
        "Rooms 2104 2106 2108 are where the groups meet.",
        "Step counts this week: 8412 9034 7721.",
        "The barcode on the pill box reads 5012 3456 78.",
        "Bus routes 12 34 56 and 78 all stop outside the hospital.",
        "My sleep scores were 62 71 58 80 77 this week.",
        "The workbook exercises are on pages 112 134 156 and 178.",
        "Invoice 2024 0311 0042 was for the assessment.",
        "Breathing rounds took 12 45 33 10 seconds each.",
        "At the gym I lifted 20 25 30 35 kilos, one set each.",
        "The tiles in the waiting room go 11 22 33 44 and I count them to calm down.",
        "Locker 0815 2207 is where I leave my bag during group.",
    ],
    # pattern look-alike families that also exist in the v1 part
    "version": [
        "The app is on version 5.3.1 and still crashes.",
        "Updated to iOS 18.1 and my mood widget vanished.",
        "Firmware 2.0.14 broke my sleep tracker.",
        "They rolled back to v3.9.2 after complaints.",
        "Android 15 keeps killing the reminder app.",
        "DSM-5-TR changed some of the criteria.",
        "Build 24.10.2 fixed the journaling bug.",
        "My brother says kernel 6.8.0-45 is why my laptop freezes.",
        "Release 1.12.0-rc2 of the mood app is in beta.",
        "Version 10.4.312.7 of the portal logs me out every five minutes.",
        "The changelog for 7.0.0 mentions dark mode, finally.",
        "macOS 15.1 broke the video sessions.",
    ],
    "guid": [
        "Session token {uuid} expired again.",
        "Crash report {uuid_braced} was sent automatically.",
        "Request {uuid} failed, please try again, it says.",
        "Correlation ID: {uuid}",
        "The share link ends in {uuid} and it doesn't open.",
        "Error reference {uuid_upper}, whatever that means.",
        "My export is named {hex32}.csv for some reason.",
        "The install log keeps repeating {uuid_braced}.",
        "Support ticket attachment {uuid} is corrupted.",
        "Device ID {uuid_upper} is not recognised by the app.",
        "Every failed check-in shows {uuid}.",
        "The calendar invite has {hex32} in the link.",
    ],
    "order_number": [
        "Order #{order} still hasn't shipped.",
        "My light therapy lamp (order {amz_order}) arrived broken.",
        "Return label for order #{order} won't print.",
        "The journal I ordered, #{order}, came without the stickers.",
        "Order ref {order_ref} — the bookshop lost it.",
        "They cancelled order {order_ref} without telling me.",
        "Still waiting on order #{order} for the weighted blanket.",
        "Order no. {order} was a gift for my therapist, is that weird?",
        "Refund for order {amz_order} finally came through.",
        "The pharmacy order {order_ref} is ready for collection.",
        "Order {order_ref} shows delivered, but it isn't here.",
        "My meditation cushion order #{order} is stuck in a warehouse.",
    ],
    "dosage": [
        "I'm on {dose2} now.",
        "50 mg felt like too much, so we went back to 25 mg.",
        "Half a 0.5 mg tablet when the panic starts.",
        "Lithium 400 mg twice a day, and blood tests every three months.",
        "They started me on {dose2} and I feel foggy.",
        "Is {dose2} a low dose or a high one?",
        "I missed my {dose2} this morning and feel awful.",
        "Going from 10 mg to 20 mg made the nausea worse.",
        "My GP prescribed {dose2} for sleep.",
        "Tapering by 12.5 mg every two weeks is so slow.",
        "I take 1 g of omega-3 and 2000 IU of vitamin D daily.",
        "The nurse said up to 4 x 500 mg a day is the limit.",
    ],
    "score": [
        "My PHQ-9 score of 18 put me in the moderately severe range.",
        "GAD-7 score: 15.",
        "My EPDS was 14 at the six-week check.",
        "BDI-II score 29, which the psychologist called severe.",
        "K10 of 32 at intake.",
        "The AUDIT came back at 17.",
        "My PCL-5 was 48, so they referred me for trauma therapy.",
        "ASRS screener: 5 out of 6.",
        "My WEMWBS score went up to 47!",
        "CORE-10 score is 22 now, down from 30.",
        "My DASS-21 anxiety subscale was 16.",
        "The MoCA was 26 out of 30 for my dad.",
    ],
    "price": [
        "Sessions are $89 each after insurance.",
        "The group costs £45 a week and I can't keep paying it.",
        "€120 for the intake assessment felt like a lot.",
        "A$220 for one psychiatrist appointment is robbery.",
        "CAD 150 a session, and no sliding scale.",
        "The app is ₹1,500 a month now.",
        "R450 per consultation is more than I earn in a day.",
        "₦15,000 for a session is too much for my family.",
        "¥8,000 per counselling hour, my student health centre said.",
        "CHF 200 per session and insurance covers half.",
        "kr 900 for the first session, then kr 750.",
        "My deductible is $1,250 and I haven't met it.",
    ],
    "time": [
        "The group starts at 18:30.",
        "I woke at 3:47 am again.",
        "My session moved to 09:15.",
        "Lights out at 23:00, awake at 04:10, every night.",
        "Meds at 8 pm sharp or I forget.",
        "The drop-in runs from 14h00 to 15h30.",
        "The last bus is at 00:42 and I always miss it.",
        "Between 2:00 and 3:00 am is when it gets worst.",
        "My alarm goes off at 06:45 and I lie there until 08:00.",
        "The webinar is at 19:00 CET.",
        "Check-in at 10:30, group at 11:00, lunch at 12:15.",
        "It was 01:17 when I finally put my phone down.",
    ],
}

FILL_GEN.update({
    "uuid_braced": lambda: "{" + gen_uuid().upper() + "}",
    "uuid_upper": lambda: gen_uuid().upper(),
    "hex32": lambda: "".join(rng.choice("0123456789abcdef") for _ in range(32)),
    "order_ref": lambda: rng.choice(["ORD-" + _d(6), "W" + _d(9), "#" + letters(3) + "-" + _d(5), "A" + _d(7)]),
    "dose2": lambda: rng.choice(["75 mg of venlafaxine", "25mg quetiapine", "100 mg sertraline", "15 mg mirtazapine",
                                 "0.25 mg clonazepam", "300 mg lithium carbonate", "40mg propranolol",
                                 "5 mg aripiprazole", "2.5 mg of olanzapine"]),
})

# records per v2 template group (each group's templates are cycled before repeating)
PLAN2 = [("PERSON", 227), ("PLACE", 142), ("ADDR_US", 24), ("ADDR_UK", 16), ("ADDR_CA", 8),
         ("ADDR_DE", 8), ("ADDR_FR", 8), ("ADDR_ES", 6), ("ADDR_IT", 6), ("ADDR_PT", 6),
         ("CARD", 40), ("PHONE", 50), ("IBAN", 16), ("ZIP", 14), ("MIXED", 34)]


# Non-ASCII lead-ins: emoji (astral: 1 code point, 2 UTF-16 units, 4 UTF-8 bytes),
# ZWJ sequences, CJK, Cyrillic, Latin diacritics, typographic punctuation.
PREFIXES = [
    "café ☕ ", "Sorry if this is naïve… ", "我很焦虑。", "🙂 ", "😔😔 ", "Ugh 😩 ",
    "über stressed today — ", "Merci 🙏 ", "私は大丈夫じゃない。", "Привет. ", "¿Hola? ",
    "ok… ", "👩‍👧 long story. ", "🏳️‍🌈 ", "“Quick question” ", "Ça va pas. ",
    "😭 ", "Día terrible. ", "ℹ️ ", "💙 ",
]
c_prefix = Cycler(PREFIXES)
PREFIX_RATE_POS, PREFIX_RATE_NEG = 0.35, 0.25

# Template tokens:
#   {NAME} / {NAME#2}   a generator from SPAN_GEN (a labelled span) or FILL_GEN (unlabelled text);
#                       #2 only makes the placeholder name unique, it draws a new value
#   {NAME@}             repeats the value last drawn for NAME (same span kind)
#   {KIND:text}         a literal labelled span, e.g. {LOCATION:Lyon}, {REGION:UK}
#   {[} ... {]}         everything rendered in between becomes ONE STREET_ADDRESS span
#                       (street + unit + city + state + ZIP written contiguously)
TOKEN_RE = re.compile(r"\{(?:(\[)|(\])|([A-Z][A-Z_0-9]*):([^{}]+)|([A-Za-z_][A-Za-z0-9_]*?)(#\d+|@)?)\}")


class Multi:
    """A generated value carrying several labelled sub-spans (relative offsets),
    e.g. "Austin, Texas" -> LOCATION "Austin" + REGION "Texas"."""

    def __init__(self, text, parts):
        self.text, self.parts = text, parts


def render(template, prefix=""):
    out, spans, pos = [prefix], [], 0
    cur = len(prefix)
    after_pending = ""
    groups, last = [], {}
    for m in TOKEN_RE.finditer(template):
        lit = template[pos:m.start()]
        if after_pending and lit.startswith(after_pending):
            after_pending = ""  # "St." + "." -> "St."
        out.append(after_pending + lit)
        cur += len(after_pending) + len(lit)
        after_pending = ""
        pos = m.end()
        if m.group(1):  # {[} address group opens
            groups.append((cur, len(spans)))
            continue
        if m.group(2):  # {]} address group closes: inner spans -> one STREET_ADDRESS
            start, n_before = groups.pop()
            del spans[n_before:]
            val = "".join(out)[start:cur]
            spans.append({"kind": "STREET_ADDRESS", "start": start, "end": cur, "_value": val})
            continue
        if m.group(3):  # {KIND:literal}
            kind, val = m.group(3), m.group(4)
            spans.append({"kind": kind, "start": cur, "end": cur + len(val), "_value": val})
            out.append(val)
            cur += len(val)
            continue
        name, suffix = m.group(5), m.group(6)
        if name in SPAN_GEN:
            kind, gen = SPAN_GEN[name]
            val = last[name] if suffix == "@" else gen()
            last[name] = val
            if isinstance(val, tuple):
                val, after_pending = val
            if isinstance(val, Multi):
                for k, a, b in val.parts:
                    spans.append({"kind": k, "start": cur + a, "end": cur + b, "_value": val.text[a:b]})
                val = val.text
            else:
                spans.append({"kind": kind, "start": cur, "end": cur + len(val), "_value": val})
        else:
            val = FILL_GEN[name]()
        out.append(val)
        cur += len(val)
    assert not groups, template
    lit = template[pos:]
    if after_pending and lit.startswith(after_pending):
        after_pending = ""
    out.append(after_pending + lit)
    return "".join(out), spans


# v3 (issue 14, second pass): pattern kinds phrased in other languages and registers, addresses
# over several lines, numbers that only look like phones or ages. Written for the categories the
# detectors lacked (multilingual birth, age and record words; informal "mine's"; national phone
# formats), with values and wording of our own.
T3 = [
    "Geburtsdatum: {DATE_OF_BIRTH:03.11.1984}, Hausarzt weiß Bescheid.",
    "Sie ist am {DATE_OF_BIRTH:21.02.1957} geboren und hat seitdem nie Hilfe gesucht.",
    "fecha de nacimiento {DATE_OF_BIRTH:2 de marzo de 1990}, por si lo piden en la clínica",
    "Nací el 8 de junio... bueno, nacida el {DATE_OF_BIRTH:08/06/1979} según el papel.",
    "Ma fille est née le {DATE_OF_BIRTH:17 octobre 2009} et depuis je dors mal.",
    "date de naissance : {DATE_OF_BIRTH:1971-04-30}",
    "data di nascita {DATE_OF_BIRTH:12 maggio 1988}, medico di base avvisato",
    "DOB {DATE_OF_BIRTH:1995.12.03} on the form, is that the right format?",
    "出生日期：{DATE_OF_BIRTH:1986-07-21}，我一直失眠。",
    "My nan's {AGE_OVER_89:93} and still asks about my therapy every Sunday.",
    "grandpa's nearly {AGE_OVER_89:96} now, and I'm scared of the phone ringing.",
    "Meine Oma wird jetzt {AGE_OVER_89:91} und erkennt mich kaum noch.",
    "mi abuelo tiene {AGE_OVER_89:94} años y vive solo en el pueblo",
    "Ma grand-mère a {AGE_OVER_89:99} ans et elle me raconte tout.",
    "she's {AGE_OVER_89:91} already and still drives, it terrifies me",
    "Versicherungsnummer {RECORD_NUMBER:H820417735}, bitte nicht weitergeben.",
    "número de paciente {RECORD_NUMBER:PAC-448210} en el hospital",
    "they asked for my patient ID ({RECORD_NUMBER:PT-772019}) twice on the phone",
    "病历号：{RECORD_NUMBER:BL20240117} 请不要外传",
    "zip code? {ZIP_CODE:48104}. it's been the same since I was a kid",
    "the intake form wants my zip ({ZIP_CODE:30309}) and my insurer",
    "what zip are you in? mine's {ZIP_CODE:85716}",
    "My social is on the form (#{SSN:219-09-9999})... should I have left it blank?",
    "Llámanos o llama al {PHONE:934 12 58 07} si necesitas hablar esta noche.",
    "Mi celular es {PHONE:33 1642 8870}, escríbeme cuando quieras.",
    "Telefone da minha psicóloga: {PHONE:21 390 4417}",
    "我的电话是 {PHONE:139 1088 2741}，晚上可以打。",
    "me liga no {PHONE:(21) 98765-3321} se precisar",
    "write to {[}{STREET_ADDRESS:PO Box 4417}, {LOCATION:Bozeman}, {REGION:MT} {ZIP_CODE:59771}{]} if you want a pen pal",
    "Post goes to {[}{STREET_ADDRESS:P.O. Box 1987}, {LOCATION:Tucson}, {REGION:AZ} {ZIP_CODE:85702}{]} for now.",
    "We meet at {[}{STREET_ADDRESS:212 Broadway}, 4th Floor, {LOCATION:Nashville}, {REGION:TN} {ZIP_CODE:37201}{]} on Thursdays.",
    "New address:\n{[}{STREET_ADDRESS:48 Kestrel Road}\nApt 3\n{LOCATION:Halifax}, {REGION:NS} B3K 4Z1{]}\nplease don't share it",
]

NEG3 = {
    "time": [
        "My sleep tracker logged wake-ups at 0147 0322 0455 last night, every single one.",
        "Alarms set for 0615 0630 0645 and I still slept through all of them.",
    ],
    "score": [
        "Lottery numbers this week: 04 11 27 33 48, not that I ever win.",
        "Bingo card had 03 17 29 44 61 and I got a line!",
    ],
    "number_not_age": [
        "She's 100% sure it was a panic attack, not her heart.",
        "He's 95 kilos now after the meds, and hates the scale.",
        "Der Termin ist 100 Meter von der Haltestelle entfernt.",
    ],
}

def build():
    records, seen = [], set()

    def add(template, negative=None):
        rate = PREFIX_RATE_NEG if negative else PREFIX_RATE_POS
        for _ in range(50):
            prefix = c_prefix.next() if rng.random() < rate else ""
            text, spans = render(template, prefix)
            if text not in seen:
                break
        seen.add(text)
        rec = {"text": text, "spans": spans}
        if negative:
            rec["negative"] = negative
        records.append(rec)

    for group_name, n in PLAN:
        cyc = Cycler(MIXED if group_name == "MIXED" else T[group_name])
        for _ in range(n):
            add(cyc.next())
    for fam in NEG:  # dict order is insertion order -> deterministic
        cyc = Cycler(NEG[fam])
        for _ in range(NEG_COUNT[fam]):
            add(cyc.next(), negative=fam)
    rng.shuffle(records)
    for i, r in enumerate(records, 1):
        r["id"] = "pii-%04d" % i
    assert len(records) == V1_RECORDS

    # v2: drawn after the whole v1 part, shuffled among themselves, numbered on
    v2 = []
    records_v1, records[:] = records[:], []
    for group_name, n in PLAN2:
        templates = T2[group_name]
        # a template without generators can only be used once (its text never changes)
        reusable = [t for t in templates if any(m.group(5) for m in TOKEN_RE.finditer(t))]
        queue = list(templates)
        rng.shuffle(queue)
        for i in range(n):
            if i >= len(queue):
                more = list(reusable)
                rng.shuffle(more)
                queue += more
            add(queue[i])
    for fam, templates in NEG2.items():
        for t in templates:
            add(t, negative=fam)
    v2, records[:] = records[:], records_v1
    rng.shuffle(v2)
    for i, r in enumerate(v2, V1_RECORDS + 1):
        r["id"] = "pii-%04d" % i
    # v3: fixed sentences (no random draw, so v1 and v2 stay as they were)
    v3 = []
    for t in T3:
        text, spans = render(t)
        v3.append({"text": text, "spans": spans})
    for fam, templates in NEG3.items():
        for t in templates:
            text, spans = render(t)
            v3.append({"text": text, "spans": spans, "negative": fam})
    for i, r in enumerate(v3, V1_RECORDS + len(v2) + 1):
        r["id"] = "pii-%04d" % i
    return records + v2 + v3


# --------------------------------------------------------------------------
# checker
# --------------------------------------------------------------------------

TRAILING_PUNCT = set(".,;:!?)]}\"'…»”’–—-")
LEADING_BAD = set(".,;:!?)]}\"'…»”’ ")

LEAK_PATTERNS = {
    "EMAIL": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    # 12-19 digits starting 1-6 (JCB 1800/2131, MC 2-series, Maestro 12-digit included)
    "CREDIT_CARD": re.compile(r"(?<!\d)(?<!\d[ -])[1-6]\d{3}(?:[ -]?\d){8,15}(?![ -]?\d)"),
    "IBAN": re.compile(r"(?i)\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
    "SSN": re.compile(r"(?<!\d)(?<!\d[ -])\d{3}[- ]\d{2}[- ]\d{4}(?![ -]?\d)"),
    "URL": re.compile(r"(?i)https?://\S+|www\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|me|edu|gov|uk|de|fr|blog|fm)\b"),
    "IP_ADDRESS": re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)"),
    "HANDLE": re.compile(r"(?<![\w.@])@[A-Za-z0-9_][A-Za-z0-9_.]*"),
}
# a run of digit groups (optionally "+", "00", brackets) that could be a phone number
PHONE_RUN = re.compile(r"(?<![\w+/.-])(?:\+|\()?\d[\d()]*(?:[ .\-/]\(?\d[\d()]*)*")
PHONE_CONTEXT = re.compile(r"(?i)\b(?:call|calling|phone|mobile|cell|number|text me|txt|reach me|"
                           r"whatsapp|tel|landline|ring me|dial|handy|mobil|portable|móvil|contact)\b")
US_ZIP_RE = r"\d{5}(?:-\d{4})?"
POSTCODE_RE = re.compile(r"%s|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|[A-Z]\d[A-Z] \d[A-Z]\d|\d{4}-\d{3}" % US_ZIP_RE)
TITLE_RE = re.compile(r"^(?:Dr|Mr|Mrs|Ms|Mx|Prof|Mme|Aunt|Uncle)\b\.?")
CREDENTIAL_RE = re.compile(r"\b(?:LPCC|LMHC|LMFT|LCSW|LMSW|LPC|NCC|PhD|PsyD|MA|MSW|DBH|M\.S)\b")
COMPOSITE = {"EMAIL", "URL", "HANDLE", "STREET_ADDRESS", "RECORD_NUMBER", "IBAN"}
ADDRESS_PARTS = {"LOCATION", "REGION", "ZIP_CODE", "STREET_ADDRESS"}


def iban_ok_any_case(s):
    return iban_ok(s.upper())


def leak_valid(kind, s):
    if kind == "CREDIT_CARD":
        d = re.sub(r"\D", "", s)
        return 12 <= len(d) <= 19 and luhn_ok(d)
    if kind == "IBAN":
        return iban_ok_any_case(s)
    if kind == "SSN":
        return ssn_ok(s)
    if kind == "IP_ADDRESS":
        return all(int(p) <= 255 for p in s.split("."))
    return True


def _literal_spans(kind):
    """Values written literally in templates as {KIND:value}."""
    out = []
    for tpls in list(T.values()) + [MIXED] + list(T2.values()):
        for t in tpls:
            out += [m.group(4) for m in TOKEN_RE.finditer(t) if m.group(3) == kind]
    return out


def name_and_place_lists():
    """Every name and place the generator can write, for the unlabelled-PII scan."""
    def tokens(names):
        return [w.strip(",") for n in names for w in n.split()]
    names = (FIRST_NAMES + LAST_NAMES + FULL_NAMES + tokens(FULL_NAMES) + V2_FIRST + V2_LAST
             + V2_FULL + tokens(V2_FULL) + V2_MIDINIT + tokens(V2_MIDINIT) + V2_REVERSED
             + tokens(V2_REVERSED) + V2_NATIVE + tokens(V2_NATIVE) + V2_NICK + V2_LOWER
             + _literal_spans("PERSON"))
    places = ([c.split(", ")[0] for c, _ in CITY_ST] + V2_LOCATIONS + V2_LOC_LOWER + V2_REGIONS
              + [c for c, _ in V2_CITY_REGION] + [r for _, r in V2_CITY_REGION if len(r) > 3]
              + _literal_spans("LOCATION") + [r for r in _literal_spans("REGION") if not r.isupper()])
    abbrs = sorted(set([c.split(", ")[1] for c, _ in CITY_ST] + V2_REGION_ABBR
                       + [r for r in _literal_spans("REGION") if r.isupper()]) - {"ID", "OR"})
    latin = lambda w: all(ord(ch) < 0x250 for ch in w)  # noqa: E731
    # Latin names of 1-2 letters are too ambiguous to scan; 2-character CJK names are not
    names = sorted({n for n in names if (len(n) >= 3 or not latin(n)) and not n.endswith(".")})
    places = sorted({p for p in places if len(p) >= 3 or not latin(p)})
    return ([n for n in names if latin(n)], [n for n in names if not latin(n)],
            [p for p in places if latin(p)], [p for p in places if not latin(p)], abbrs)


def _alt(words):
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda x: (-len(x), x)))


def check_lists():
    """The name, place and trap-word lists must not overlap (case-insensitively),
    otherwise a word in a negative or a place could be mistaken for a name."""
    errors = []
    names_l, names_n, places_l, places_n, abbrs = name_and_place_lists()
    n_set = {n.lower() for n in names_l + names_n}
    p_set = {p.lower() for p in places_l + places_n}
    # person-name tokens inside full names may coincide with nothing else
    for w in sorted(n_set & p_set):
        errors.append("list overlap: %r is both a name and a place" % w)
    traps = {w.lower() for w in TRAP_WORDS}
    for w in sorted((n_set | p_set) & traps):
        errors.append("list overlap: %r is a trap word and a name/place" % w)
    for lst, nm in ((V2_FIRST, "V2_FIRST"), (V2_LAST, "V2_LAST"), (V2_FULL, "V2_FULL"),
                    (V2_LOCATIONS, "V2_LOCATIONS"), (V2_REGIONS, "V2_REGIONS")):
        if len(set(lst)) != len(lst):
            errors.append("duplicate entries in %s" % nm)
    return errors


def check(records):
    errors = check_lists()
    per_kind, per_fam = Counter(), Counter()
    per_kind_v2, per_fam_v2 = Counter(), Counter()
    card_fmt_v2, lower_iban_v2 = Counter(), 0
    non_ascii_before = astral_before = 0
    names_l, names_n, places_l, places_n, abbrs = name_and_place_lists()
    name_re = re.compile(r"(?i)(?<![\w'-])(?:%s)(?![\w'-])" % _alt(names_l))
    native_name_re = re.compile(_alt(names_n))
    place_re = re.compile(r"(?i)(?<![\w'-])(?:%s)(?![\w-])" % _alt(places_l))
    native_place_re = re.compile(_alt(places_n))
    abbr_re = re.compile(r"(?<![\w.-])(?:%s)(?![\w-])" % _alt(abbrs))
    ids, texts = set(), set()
    for r in records:
        rid, text, spans = r["id"], r["text"], r["spans"]
        is_v2 = int(rid.split("-")[1]) > V1_RECORDS
        if rid in ids:
            errors.append("%s: duplicate id" % rid)
        ids.add(rid)
        if text in texts:
            errors.append("%s: duplicate text" % rid)
        texts.add(text)
        if "negative" in r:
            per_fam[r["negative"]] += 1
            per_fam_v2[r["negative"]] += is_v2
            if spans:
                errors.append("%s: negative record has spans" % rid)
        elif not spans:
            errors.append("%s: positive record without spans" % rid)
        prev_end = -1
        for s in spans:
            k, a, b = s["kind"], s["start"], s["end"]
            val = text[a:b]
            per_kind[k] += 1
            per_kind_v2[k] += is_v2
            if k not in KINDS:
                errors.append("%s: unknown kind %s" % (rid, k))
            if not (0 <= a < b <= len(text)):
                errors.append("%s: bad offsets %r" % (rid, s))
                continue
            if "_value" in s and val != s["_value"]:
                errors.append("%s: span text %r != intended %r" % (rid, val, s["_value"]))
            if val != val.strip():
                errors.append("%s: whitespace at span edge %r" % (rid, val))
            if val[-1] in TRAILING_PUNCT:
                errors.append("%s: trailing punctuation in %s span %r" % (rid, k, val))
            if val[0] in LEADING_BAD:
                errors.append("%s: leading punctuation in %s span %r" % (rid, k, val))
            if a < prev_end:
                errors.append("%s: spans unsorted or overlapping" % rid)
            prev_end = b
            # spans start and end on word boundaries (scripts without spaces excepted)
            if k in ("PERSON", "LOCATION", "REGION", "STREET_ADDRESS", "ZIP_CODE"):
                if a > 0 and ord(val[0]) < 0x250 and (text[a - 1].isalnum() or text[a - 1] == "_"):
                    errors.append("%s: %s span %r starts inside a word" % (rid, k, val))
                if b < len(text) and ord(val[-1]) < 0x250 and (text[b].isalnum() or text[b] == "_"):
                    errors.append("%s: %s span %r ends inside a word" % (rid, k, val))
            if k == "CREDIT_CARD":
                d = re.sub(r"[ -]", "", val)
                if not (d.isdigit() and 12 <= len(d) <= 19 and luhn_ok(d)):
                    errors.append("%s: CREDIT_CARD fails Luhn/length %r" % (rid, val))
                elif len(d) < 13 and card_format(d) != "maestro":
                    errors.append("%s: 12-digit card that is not Maestro %r" % (rid, val))
                elif is_v2:
                    card_fmt_v2[card_format(d) or "v1 format"] += 1
            if k == "IBAN":
                if not iban_ok_any_case(val):
                    errors.append("%s: IBAN fails mod-97 %r" % (rid, val))
                if val != val.upper() and val != val.lower():
                    errors.append("%s: IBAN in mixed case %r" % (rid, val))
                lower_iban_v2 += is_v2 and val == val.lower()
            if k == "SSN" and not ssn_ok(val):
                errors.append("%s: SSN fails area/group/serial %r" % (rid, val))
            if k == "AGE_OVER_89" and not (val.isdigit() and int(val) >= 90):
                errors.append("%s: AGE_OVER_89 not a number >= 90 %r" % (rid, val))
            if k == "HANDLE" and (not val.startswith("@") or "@" in val[1:]):
                errors.append("%s: bad HANDLE %r" % (rid, val))
            if k == "EMAIL" and not LEAK_PATTERNS["EMAIL"].fullmatch(val):
                errors.append("%s: bad EMAIL %r" % (rid, val))
            if k == "ZIP_CODE" and not POSTCODE_RE.fullmatch(val):
                errors.append("%s: bad ZIP/postcode %r" % (rid, val))
            if k == "IP_ADDRESS" and val == "0.0.0.0":
                errors.append("%s: 0.0.0.0" % rid)
            if k == "PHONE":
                nd = sum(c.isdigit() for c in val.split("x")[0].split("ext")[0])
                if not (7 <= nd <= 15) or not re.fullmatch(r"[\d+() .\-/extETX]+", val):
                    errors.append("%s: bad PHONE %r" % (rid, val))
            if k == "PERSON":
                if TITLE_RE.match(val):
                    errors.append("%s: title inside PERSON span %r" % (rid, val))
                if CREDENTIAL_RE.search(val):
                    errors.append("%s: credential inside PERSON span %r" % (rid, val))
                if re.search(r"['’]s$", val) or "\n" in val:
                    errors.append("%s: possessive or newline in PERSON span %r" % (rid, val))
                if "," in val and not re.fullmatch(r"[^,\s]+(?: [^,\s]+)?, [^,\s]+", val):
                    errors.append("%s: comma in PERSON span that is not 'Family, Given' %r" % (rid, val))
            if k == "STREET_ADDRESS":
                if not re.search(r"\d", val):
                    errors.append("%s: STREET_ADDRESS without a number %r" % (rid, val))
                # one contiguous span: no unit, city, region, postcode or second street
                # labelled (or left unlabelled) right next to it
                after, before = text[b:], text[:a]
                if re.match(r",? ?(?:Apt|Unit|Flat|Suite|#)", after):
                    errors.append("%s: unit left outside the address %r" % (rid, val))
                if re.search(r"(?:Flat|Apt|Unit) \w+, $", before):
                    errors.append("%s: unit left outside the address %r" % (rid, val))
                for o in spans:
                    if o is s or o["kind"] not in ADDRESS_PARTS:
                        continue
                    gap_after = text[b:o["start"]] if o["start"] >= b else None
                    gap_before = text[o["end"]:a] if o["end"] <= a else None
                    for gap in (gap_after, gap_before):
                        if gap is not None and re.fullmatch(r"[ ,\n]*", gap):
                            errors.append("%s: address split into %s + %s spans" % (rid, k, o["kind"]))
                m_pc = re.match(r"[ ,]+(%s)\b" % POSTCODE_RE.pattern, after)
                if m_pc:
                    errors.append("%s: postcode %r right after the address" % (rid, m_pc.group(1)))
        # code-point offsets exercised?
        if spans and any(ord(c) > 127 for c in text[:spans[0]["start"]]):
            non_ascii_before += 1
            if any(ord(c) > 0xFFFF for c in text[:spans[0]["start"]]):
                astral_before += 1

        # unlabelled-PII scan: anything PII-shaped must overlap a labelled span
        def covered(a, b):
            return any(s["start"] < b and a < s["end"] for s in spans)

        def inside(a, b, kinds):
            return any(s["start"] <= a and b <= s["end"] and (s["kind"] in kinds or s["kind"] in COMPOSITE)
                       for s in spans)
        for kind, pat in LEAK_PATTERNS.items():
            for m in pat.finditer(text):
                if leak_valid(kind, m.group()) and not covered(m.start(), m.end()):
                    errors.append("%s: unlabelled %s-like text %r" % (rid, kind, m.group()))
        for m in PHONE_RUN.finditer(text):
            run = m.group().rstrip("(")
            nd = sum(c.isdigit() for c in run)
            groups = re.split(r"[ .\-/]", run)
            if (8 <= nd <= 13 and (len(groups) >= 2 or run.startswith("+"))
                    and any(0 <= m.start() - c.end() <= 40 for c in PHONE_CONTEXT.finditer(text))
                    and not covered(m.start(), m.end())):
                errors.append("%s: phone-like %r near a phone context word, unlabelled" % (rid, run))
        for rx in (name_re, native_name_re):
            for m in rx.finditer(text):
                if not inside(m.start(), m.end(), {"PERSON"}):
                    errors.append("%s: name %r outside a PERSON span" % (rid, m.group()))
        for rx in (place_re, native_place_re, abbr_re):
            for m in rx.finditer(text):
                if not inside(m.start(), m.end(), {"LOCATION", "REGION"}):
                    errors.append("%s: place %r outside a LOCATION/REGION span" % (rid, m.group()))
    total = sum(per_kind.values())
    for k in KINDS:
        if per_kind[k] < MIN_PER_KIND[k]:
            errors.append("kind %s has %d spans < %d" % (k, per_kind[k], MIN_PER_KIND[k]))
    for k, n in MIN_V2_PER_KIND.items():
        if per_kind_v2[k] < n:
            errors.append("v2 records have %d %s spans < %d" % (per_kind_v2[k], k, n))
    if sum(card_fmt_v2[f] for f in card_fmt_v2 if f != "v1 format") < MIN_V2_NEW_CARDS:
        errors.append("too few new-format cards: %r" % card_fmt_v2)
    if lower_iban_v2 < MIN_V2_LOWER_IBAN:
        errors.append("only %d lower-case IBANs" % lower_iban_v2)
    for fam in NEG2:
        if per_fam_v2[fam] < MIN_V2_PER_FAMILY:
            errors.append("v2 family %s has %d records < %d" % (fam, per_fam_v2[fam], MIN_V2_PER_FAMILY))
    if sum(per_fam_v2.values()) < MIN_V2_NEGATIVES:
        errors.append("only %d v2 negatives" % sum(per_fam_v2.values()))
    if total < MIN_TOTAL_SPANS:
        errors.append("only %d spans" % total)
    if sum(per_fam.values()) < MIN_NEGATIVES:
        errors.append("only %d negatives" % sum(per_fam.values()))
    if non_ascii_before < MIN_NON_ASCII_BEFORE_SPAN:
        errors.append("only %d records with non-ASCII before a span" % non_ascii_before)
    stats = {"per_kind": per_kind, "per_fam": per_fam, "per_kind_v2": per_kind_v2,
             "per_fam_v2": per_fam_v2, "card_fmt_v2": card_fmt_v2, "lower_iban_v2": lower_iban_v2,
             "non_ascii_before": non_ascii_before, "astral_before": astral_before}
    return errors, stats


def print_stats(records, st):
    pos = sum(1 for r in records if r["spans"])
    v2 = [r for r in records if int(r["id"].split("-")[1]) > V1_RECORDS]
    pos2 = sum(1 for r in v2 if r["spans"])
    print("records: %d (%d with spans, %d hard negatives); v1 pii-0001..pii-%04d: %d, v2: %d (%d with spans)"
          % (len(records), pos, len(records) - pos, V1_RECORDS, len(records) - len(v2), len(v2), pos2))
    print("spans:   %d" % sum(st["per_kind"].values()))
    print("records with non-ASCII before the first span: %d (%d with astral/emoji chars)"
          % (st["non_ascii_before"], st["astral_before"]))
    print("spans per record: %s" % dict(sorted(Counter(len(r["spans"]) for r in records if r["spans"]).items())))
    print("records mixing kinds: %d" % sum(1 for r in records if len({s["kind"] for s in r["spans"]}) > 1))
    print("\n| kind | v1 records | v2 records | total |\n|---|---:|---:|---:|")
    for k in KINDS:
        n, n2 = st["per_kind"][k], st["per_kind_v2"][k]
        print("| %s | %d | %d | %d |" % (k, n - n2, n2, n))
    n, n2 = sum(st["per_kind"].values()), sum(st["per_kind_v2"].values())
    print("| **total** | **%d** | **%d** | **%d** |" % (n - n2, n2, n))
    print("\nv2 card formats: %s; v2 lower-case IBANs: %d" % (dict(sorted(st["card_fmt_v2"].items())),
                                                           st["lower_iban_v2"]))
    print("\n| negative family | v1 records | v2 records | total |\n|---|---:|---:|---:|")
    for fam in list(NEG) + [f for f in NEG2 if f not in NEG]:
        n, n2 = st["per_fam"][fam], st["per_fam_v2"][fam]
        print("| %s | %d | %d | %d |" % (fam, n - n2, n2, n))
    n, n2 = sum(st["per_fam"].values()), sum(st["per_fam_v2"].values())
    print("| **total** | **%d** | **%d** | **%d** |" % (n - n2, n2, n))


def main():
    records = build()
    errors, stats = check(records)
    if errors:
        for e in errors:
            print("ERROR", e, file=sys.stderr)
        sys.exit(1)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            obj = {"id": r["id"], "text": r["text"],
                   "spans": [{"kind": s["kind"], "start": s["start"], "end": s["end"]} for s in r["spans"]]}
            if "negative" in r:
                obj["negative"] = r["negative"]
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")
    # re-read the written file and re-check from disk (no _value available there)
    with open(OUT, encoding="utf-8") as f:
        disk = [json.loads(line) for line in f]
    errors2 = check(disk)[0]
    if errors2:
        for e in errors2:
            print("ERROR (on disk)", e, file=sys.stderr)
        sys.exit(1)
    print_stats(records, stats)
    print("\nOK: all checks passed; wrote %s" % os.path.relpath(OUT))


if __name__ == "__main__":
    main()
