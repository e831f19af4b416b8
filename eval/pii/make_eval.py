#!/usr/bin/env python3
"""Generate the labelled PII evaluation set for trainready's PII detector.

Deterministic: a single ``random.Random(20261125)`` drives every choice, so
running this script twice writes a byte-identical ``labelled.jsonl``.
Python 3 standard library only.

Usage:  python3 eval/pii/make_eval.py        (writes eval/pii/labelled.jsonl)

Each output line:
    {"id": "pii-0001", "text": "...", "spans": [{"kind": "EMAIL", "start": 12, "end": 30}]}
Hard negatives have "spans": [] and "negative": "<family>".
Offsets are Unicode code points (Python str indices), end exclusive.

Templates use ``{NAME}`` placeholders.  UPPER-CASE placeholders become labelled
spans (see SPAN_GEN), lower-case placeholders are filled with unlabelled text
(see FILL_GEN).  ``{NAME#2}`` is the same placeholder used a second time.
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
    "RECORD_NUMBER", "PERSON",
]
MIN_PER_KIND = {k: 25 for k in KINDS}
MIN_PER_KIND["PERSON"] = 40
MIN_TOTAL_SPANS = 450
MIN_NEGATIVES = 120
MIN_NON_ASCII_BEFORE_SPAN = 60


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
    "city_st": gen_city,
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
    "I'm staying in Lyon for a month, my French number is {PHONE_FR}.",
    "Meine Nummer ist {PHONE_DE}, ich bin abends erreichbar.",
    "I'm in Madrid this term, best number is {PHONE_ES} (WhatsApp too).",
    "The hotline they gave me was wrong, the counsellor's direct line is {PHONE}.",
    "Could you call {PHONE_US} and ask for the intake nurse? I can't make myself do it.",
    "my cell: {PHONE}",
    "My German therapist's practice is on {PHONE_DE}, but the wait is 6 months.",
    "Ruf mich an: {PHONE_DE}. Or my UK mobile {PHONE_UK}.",
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
    "My therapist's office is at {STREET}, {city_st} {ZIP}.",
    "I live at {STREET} with my grandmother.",
    "The support group meets at {STREET}, second floor.",
    "Can you send the letter to {STREET}, Apt 4B, {city_st} {ZIP}?",
    "We moved to {STREET} last year and I still don't know anyone.",
    "The shelter is on {STREET} near the park.",
    "Ship it to {STREET}, {city_st} {ZIP}",
    "My ex keeps driving past {STREET} at night.",
    "Address: {STREET}, {city_st} {ZIP}",
    "The clinic moved from {STREET} to {STREET#2} and I got lost.",
]
T["ZIP_CODE"] = [
    "ZIP {ZIP} if that helps find a clinic near me.",
    "Are there any free counsellors around zip code {ZIP}?",
    "I'm in {city_st} {ZIP}, is there a crisis center nearby?",
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
    "Send the forms to {STREET}, {city_st} {ZIP} — thanks, {FIRST}",
    "My grandmother is {AGE} and lives alone at {STREET}, {city_st} {ZIP}.",
    "Follow my recovery blog {URL_BARE} or {HANDLE} on Instagram.",
    "The account that logged in from {IP} used {EMAIL}.",
    "Card {CC}, billing ZIP {ZIP}.",
    "Dear Dr. {LAST},\nmy patient ID is {PATIENT_ID} and my date of birth is {DOB}.\nBest,\n{FULL}",
    "I'm {FIRST}, born {DOB}. My member ID is {MEMBER_ID}.",
    "Refund to {IBAN} please, or call me on {PHONE_UK}. – {FULL}",
    "My SSN is {SSN} and my insurance policy number is {POLICY_ID}.",
    "Hello Ms. {LAST}, my address changed to {STREET}, {city_st} {ZIP}; new number {PHONE_US}.",
    "I'm {FIRST} ({HANDLE} on TikTok), I'm 17 and my great-grandma just turned {AGE}.",
    "The scam site {URL} took my card {CC} and my email {EMAIL}.",
    "My dad is 64 and my grandad is {AGE}; both live at {STREET}.",
]

NEG = {
    "uuid": [
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
    "timestamp": [
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
NEG_COUNT = {"uuid": 7, "order_number": 6, "timestamp": 6, "price": 6, "version": 7,
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

PH_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*?)(?:#\d+)?\}")


def render(template, prefix=""):
    out, spans, pos = [prefix], [], 0
    cur = len(prefix)
    after_pending = ""
    for m in PH_RE.finditer(template):
        lit = template[pos:m.start()]
        if after_pending and lit.startswith(after_pending):
            after_pending = ""  # "St." + "." -> "St."
        out.append(after_pending + lit)
        cur += len(after_pending) + len(lit)
        after_pending = ""
        name = m.group(1)
        if name in SPAN_GEN:
            kind, gen = SPAN_GEN[name]
            val = gen()
            if isinstance(val, tuple):
                val, after_pending = val
            spans.append({"kind": kind, "start": cur, "end": cur + len(val), "_value": val})
        else:
            val = FILL_GEN[name]()
        out.append(val)
        cur += len(val)
        pos = m.end()
    lit = template[pos:]
    if after_pending and lit.startswith(after_pending):
        after_pending = ""
    out.append(after_pending + lit)
    return "".join(out), spans


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
    return records


# --------------------------------------------------------------------------
# checker
# --------------------------------------------------------------------------

TRAILING_PUNCT = set(".,;:!?)]}\"'…»”’–—-")
LEADING_BAD = set(".,;:!?)]}\"'…»”’ ")

LEAK_PATTERNS = {
    "EMAIL": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    "CREDIT_CARD": re.compile(r"(?<!\d)(?<!\d[ -])[3-6]\d{3}(?:[ -]?\d){9,15}(?![ -]?\d)"),
    "IBAN": re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
    "SSN": re.compile(r"(?<!\d)(?<!\d[ -])\d{3}[- ]\d{2}[- ]\d{4}(?![ -]?\d)"),
    "URL": re.compile(r"(?i)https?://\S+|www\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|me|edu|gov|uk|de|fr|blog|fm)\b"),
    "IP_ADDRESS": re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)"),
    "HANDLE": re.compile(r"(?<![\w.@])@[A-Za-z0-9_][A-Za-z0-9_.]*"),
}


def leak_valid(kind, s):
    if kind == "CREDIT_CARD":
        d = re.sub(r"\D", "", s)
        return 13 <= len(d) <= 19 and luhn_ok(d)
    if kind == "IBAN":
        return iban_ok(s)
    if kind == "SSN":
        return ssn_ok(s)
    if kind == "IP_ADDRESS":
        return all(int(p) <= 255 for p in s.split("."))
    return True


def check(records):
    errors = []
    per_kind, per_fam = Counter(), Counter()
    non_ascii_before = astral_before = 0
    all_names = [n for full in FULL_NAMES for n in full.split()] + FIRST_NAMES + LAST_NAMES
    name_re = re.compile(r"(?<![\w'-])(?:%s)(?![\w'-])" % "|".join(
        re.escape(n) for n in sorted(set(all_names), key=lambda x: (-len(x), x)) if len(n) >= 3))
    ids = set()
    for r in records:
        rid, text, spans = r["id"], r["text"], r["spans"]
        if rid in ids:
            errors.append("%s: duplicate id" % rid)
        ids.add(rid)
        if "negative" in r:
            per_fam[r["negative"]] += 1
            if spans:
                errors.append("%s: negative record has spans" % rid)
        elif not spans:
            errors.append("%s: positive record without spans" % rid)
        prev_end = -1
        for s in spans:
            k, a, b = s["kind"], s["start"], s["end"]
            val = text[a:b]
            per_kind[k] += 1
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
            if k == "CREDIT_CARD":
                d = re.sub(r"[ -]", "", val)
                if not (d.isdigit() and 13 <= len(d) <= 19 and luhn_ok(d)):
                    errors.append("%s: CREDIT_CARD fails Luhn/length %r" % (rid, val))
            if k == "IBAN" and not iban_ok(val):
                errors.append("%s: IBAN fails mod-97 %r" % (rid, val))
            if k == "SSN" and not ssn_ok(val):
                errors.append("%s: SSN fails area/group/serial %r" % (rid, val))
            if k == "AGE_OVER_89" and not (val.isdigit() and int(val) >= 90):
                errors.append("%s: AGE_OVER_89 not a number >= 90 %r" % (rid, val))
            if k == "HANDLE" and (not val.startswith("@") or "@" in val[1:]):
                errors.append("%s: bad HANDLE %r" % (rid, val))
            if k == "EMAIL" and not LEAK_PATTERNS["EMAIL"].fullmatch(val):
                errors.append("%s: bad EMAIL %r" % (rid, val))
            if k == "ZIP_CODE" and not re.fullmatch(r"\d{5}(?:-\d{4})?", val):
                errors.append("%s: bad ZIP %r" % (rid, val))
            if k == "IP_ADDRESS" and val == "0.0.0.0":
                errors.append("%s: 0.0.0.0" % rid)
        # code-point offsets exercised?
        if spans and any(ord(c) > 127 for c in text[:spans[0]["start"]]):
            non_ascii_before += 1
            if any(ord(c) > 0xFFFF for c in text[:spans[0]["start"]]):
                astral_before += 1

        # unlabelled-PII scan: anything PII-shaped must overlap a labelled span
        def covered(a, b):
            return any(s["start"] < b and a < s["end"] for s in spans)
        for kind, pat in LEAK_PATTERNS.items():
            for m in pat.finditer(text):
                if leak_valid(kind, m.group()) and not covered(m.start(), m.end()):
                    errors.append("%s: unlabelled %s-like text %r" % (rid, kind, m.group()))
        for m in name_re.finditer(text):
            if not covered(m.start(), m.end()):
                errors.append("%s: name %r outside a span" % (rid, m.group()))
    total = sum(per_kind.values())
    for k in KINDS:
        if per_kind[k] < MIN_PER_KIND[k]:
            errors.append("kind %s has %d spans < %d" % (k, per_kind[k], MIN_PER_KIND[k]))
    if total < MIN_TOTAL_SPANS:
        errors.append("only %d spans" % total)
    if sum(per_fam.values()) < MIN_NEGATIVES:
        errors.append("only %d negatives" % sum(per_fam.values()))
    if non_ascii_before < MIN_NON_ASCII_BEFORE_SPAN:
        errors.append("only %d records with non-ASCII before a span" % non_ascii_before)
    return errors, per_kind, per_fam, non_ascii_before, astral_before


def main():
    records = build()
    errors, per_kind, per_fam, na, astral = check(records)
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
    pos = sum(1 for r in records if r["spans"])
    print("records: %d (%d with spans, %d hard negatives)" % (len(records), pos, len(records) - pos))
    print("spans:   %d" % sum(per_kind.values()))
    print("records with non-ASCII before the first span: %d (%d with astral/emoji chars)" % (na, astral))
    print("\n| kind | spans |\n|---|---:|")
    for k in KINDS:
        print("| %s | %d |" % (k, per_kind[k]))
    print("| **total** | **%d** |" % sum(per_kind.values()))
    print("\n| negative family | records |\n|---|---:|")
    for fam in NEG:
        print("| %s | %d |" % (fam, per_fam[fam]))
    print("| **total** | **%d** |" % sum(per_fam.values()))
    print("\nOK: all checks passed; wrote %s" % os.path.relpath(OUT))


if __name__ == "__main__":
    main()
