#!/usr/bin/env python3
"""Validate eval/pii/heldout.jsonl (Python 3 stdlib only).

Usage:
    python3 eval/pii/check_heldout.py [path/to/heldout.jsonl] [--stats] [--warnings]
    python3 eval/pii/check_heldout.py --selftest      # mutation tests of the checker itself

Exit status 0 when every hard check passes, 1 otherwise. Hard checks:

* file: UTF-8, one JSON object per line, keys id/text/spans(/negative), unique ids
  (`ho-NNNN` or `ho2-NNNN`), kinds in the allowed list, no staging markers left in the text.
* spans: code-point offsets in bounds, sorted, non-overlapping; no leading or trailing
  whitespace or punctuation (a PHONE may open with `+` or `(`, a HANDLE with `@`).
* negatives: `"spans": []` and a non-empty `negative` family; positives: at least one span and
  no `negative` key.
* per-kind shape: Luhn + issuer prefix/length for CREDIT_CARD; country length, mod-97 == 1
  and national keys (FR RIB, ES DC, IT CIN, NL 11-test, BE, PT NIB) for IBAN, any case;
  SSN area/group/serial rules; valid IPv4/IPv6; age >= 90; a birth keyword for DATE_OF_BIRTH;
  NHS mod-11; no title/credential/possessive in PERSON; no digits in LOCATION/REGION and no
  demonym/language as REGION; a house number, number-after-name or PO Box in STREET_ADDRESS;
  a postal keyword before a ZIP_CODE; a phone context word near a PHONE written in a national
  format without `+` (NANP 555 numbers excepted).
* unlabelled-PII scan over every record (negatives included): e-mails, URLs/domains,
  @handles, Luhn-valid 13–19 digit runs, valid SSNs, mod-97-valid IBANs (any case) and valid
  IPv4 addresses must overlap a span; inside one record every other occurrence of a labelled
  PERSON token or LOCATION/REGION value must be labelled too (names that are also ordinary
  words, WORD_NAMES, only warn: "We moved to Reading ... Reading novels").
* minimums: >= 10 spans per kind, >= 8 records per negative family introduced for the
  2025 extension.

`--warnings` also lists soft findings (a value labelled LOCATION/REGION/PERSON in one record
that appears unlabelled in another record); they are for review, not failures.
"""
import ipaddress
import json
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "heldout.jsonl")

KINDS = ["EMAIL", "PHONE", "SSN", "CREDIT_CARD", "IP_ADDRESS", "URL", "IBAN", "DATE_OF_BIRTH",
         "STREET_ADDRESS", "ZIP_CODE", "AGE_OVER_89", "HANDLE", "RECORD_NUMBER", "PERSON",
         "LOCATION", "REGION"]
NEW_FAMILIES = ["drug_name", "virtue_word", "weekday_month_holiday", "diagnosis", "therapy",
                "programme_helpline", "app_brand", "religion", "capitalised_word",
                "nationality_language", "version", "guid", "order_number", "dosage", "score",
                "price", "time", "not_phone_number"]
MIN_PER_KIND = 10
MIN_PER_NEW_FAMILY = 8

# Names and places that are also ordinary words. A record may use one as a name or place and,
# deliberately, as a word ("We moved to Reading ... Reading helps"); the unlabelled second use is
# then a soft warning, not an error.
WORD_NAMES = {"Reading", "Nice", "Bath", "August", "April", "June", "May", "Hope", "Grace", "Will",
              "Faith", "Joy", "Mark", "Rose", "Bill", "Frank", "Dawn", "Summer", "Chase",
              "Patience", "Charity", "Trust", "Mercy"}

BAD_EDGE = set(" \t\n\r\u00a0.,;:!?)]}\"'-–—“”‘’«»")
BAD_START = BAD_EDGE | set("([{")

# ------------------------------------------------------------------ check-digit helpers


def digits(s):
    return "".join(c for c in s if c.isdigit())


def luhn_ok(d):
    total = 0
    for i, ch in enumerate(reversed(d)):
        x = int(ch)
        if i % 2 == 1:
            x *= 2
            if x > 9:
                x -= 9
        total += x
    return total % 10 == 0


def card_issuer(d):
    n = len(d)
    p2, p4 = int(d[:2]), int(d[:4])
    if d[0] == "4" and n in (13, 16, 19):
        return "visa"
    if 51 <= p2 <= 55 and n == 16 or 2221 <= p4 <= 2720 and n == 16:
        return "mastercard"
    if p2 in (34, 37) and n == 15:
        return "amex"
    if p4 in (1800, 2131) and n == 15:
        return "jcb15"
    if 3528 <= p4 <= 3589 and 16 <= n <= 19:
        return "jcb"
    if (p2 in (36, 38, 39) or 300 <= int(d[:3]) <= 305) and 14 <= n <= 19:
        return "diners"
    if (d.startswith("6011") or d.startswith("65") or 644 <= int(d[:3]) <= 649) and 16 <= n <= 19:
        return "discover"
    if (p2 == 50 or 56 <= p2 <= 69) and 12 <= n <= 19:
        return "maestro"
    return None


IBAN_LEN = {"AT": 20, "BE": 16, "CH": 21, "DE": 22, "DK": 18, "ES": 24, "FI": 18, "FR": 27,
            "GB": 22, "IE": 22, "IT": 27, "LU": 20, "NL": 18, "NO": 15, "PL": 28, "PT": 25,
            "SE": 24}


def iban_mod97(s):
    s = s.replace(" ", "").upper()
    r = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in r)) % 97


def rib_ok(bban):
    tbl = {}
    for i, ch in enumerate("ABCDEFGHI"):
        tbl[ch] = str(i + 1)
    for i, ch in enumerate("JKLMNOPQR"):
        tbl[ch] = str(i + 1)
    for i, ch in enumerate("STUVWXYZ"):
        tbl[ch] = str(i + 2)
    bank, branch, acct, key = bban[:5], bban[5:10], bban[10:21], bban[21:23]
    acct = "".join(tbl.get(c, c) for c in acct)
    return (89 * int(bank) + 15 * int(branch) + 3 * int(acct) + int(key)) % 97 == 0


def es_ok(bban):
    w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]

    def dc(ds):
        d = 11 - sum(int(a) * b for a, b in zip(ds, w)) % 11
        return {11: 0, 10: 1}.get(d, d)
    return f"{dc('00' + bban[:8])}{dc(bban[10:])}" == bban[8:10]


IT_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25,
          24, 23]


def it_ok(bban):
    tot = 0
    for i, ch in enumerate(bban[1:]):
        v = int(ch) if ch.isdigit() else ord(ch) - 65
        tot += IT_ODD[v] if i % 2 == 0 else v
    return chr(65 + tot % 26) == bban[0]


def nl_ok(bban):
    acct = bban[4:]
    return sum(int(c) * (10 - i) for i, c in enumerate(acct)) % 11 == 0


def be_ok(bban):
    r = int(bban[:10]) % 97
    return (r or 97) == int(bban[10:])


def pt_ok(bban):
    return int(bban) % 97 == 1


NATIONAL = {"FR": rib_ok, "ES": es_ok, "IT": it_ok, "NL": nl_ok, "BE": be_ok, "PT": pt_ok}


def iban_problem(v):
    if not re.fullmatch(r"[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{1,4})+", v):
        return "bad IBAN shape"
    if " " in v and not re.fullmatch(r"(?:[A-Za-z0-9]{4} )+[A-Za-z0-9]{1,4}", v):
        return "IBAN not grouped in 4s"
    if v != v.upper() and v != v.lower():
        return "IBAN mixes upper and lower case"
    c = v.replace(" ", "").upper()
    if IBAN_LEN.get(c[:2]) != len(c):
        return f"IBAN length {len(c)} wrong for {c[:2]}"
    if iban_mod97(c) != 1:
        return "IBAN mod-97 != 1"
    nat = NATIONAL.get(c[:2])
    if nat and not nat(c[4:]):
        return f"IBAN national key fails for {c[:2]}"
    return None


def ssn_ok(v):
    m = re.fullmatch(r"(\d{3})([- ])(\d{2})\2(\d{4})", v)
    if not m:
        return False
    a, g, s = m.group(1), m.group(3), m.group(4)
    return a not in ("000", "666") and a[0] != "9" and g != "00" and s != "0000"


def nhs_ok(v):
    d = digits(v)
    if len(d) != 10:
        return False
    chk = 11 - sum(int(c) * (10 - i) for i, c in enumerate(d[:9])) % 11
    chk = 0 if chk == 11 else chk
    return chk != 10 and chk == int(d[9])


# ------------------------------------------------------------------ per-kind shapes

TITLE = re.compile(r"^(?:Mr|Mrs|Ms|Mx|Dr|Dra|Prof|Professor|Mme|Mlle|Madame|Monsieur|Sr|Sra|"
                   r"Herr|Frau|Dott|Dott\.ssa|Doña|Rev|Reverend|Pastor|Coach)\.?\s", re.I)
CREDENTIALS = {"LPCC", "LMHC", "LMFT", "LCSW", "LMSW", "NCC", "PHD", "PSYD", "MA", "M.S", "MS",
               "MSW", "DBH", "LPC", "RN", "MD", "LCPC", "EDD", "BACP", "UKCP", "MBACP", "HCPC",
               "CADC", "LADC", "DO", "NP", "PMHNP", "APRN", "BSC", "MSC", "MFT", "RCC", "CCC"}
DEMONYMS = {"french", "spanish", "german", "english", "mexican", "italian", "portuguese",
            "chinese", "british", "american", "canadian", "irish", "scottish", "welsh",
            "polish", "dutch", "swiss", "brazilian", "nigerian", "indian", "japanese", "korean",
            "mandarin", "cantonese", "arabic", "turkish", "greek", "swedish", "australian"}
BIRTH = re.compile(r"born|\bdob\b|d\.o\.b|date of birth|birth ?day|birthdate|geboren|"
                   r"geburt|nacimiento|nací|naissance|\bnée?\b|nascimento|nasci|nato|nata|"
                   r"nascita|出生|生日|生于", re.I)
POSTAL = re.compile(r"zip|postal|post ?code|\bplz\b|postleitzahl|código postal|\bcp\b|"
                    r"code postal|\bcap\b|邮编|邮政编码", re.I)
PHONE_CTX = re.compile(
    r"call|phone|mobile|cell|number|\bno\b|text|txt|reach|whats ?app|\btel\b|tel\.|landline|"
    r"\bring\b|fax|contact|line|desk|voicemail|signal|\bhandy\b|telefon|nummer|\bruf|anruf|"
    r"festnetz|kontakt|teléfono|telefono|móvil|celular|llám|llama|número|numero|téléphone|"
    r"portable|numéro|appel|joindre|telefone|telemóvel|ligar|liga-me|ligue|cellulare|"
    r"chiam|电话|手机|号码|微信|携帯|電話|番号|mobil|\bbel\b|tlf|mob\b|cel\b|zap|whats|linea|línea|ligação|sms|ruft|"
    r"erreichbar|raggiung|contatto|contacto|contactez|rappel", re.I)
UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
CA_POSTCODE = r"[A-Z]\d[A-Z] ?\d[A-Z]\d"
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
TLDS = r"(?:com|org|net|edu|gov|io|co|uk|de|fr|es|it|pt|cn|nl|be|ch|at|ie|ca|au|br|mx|jp|info|app)"
URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\." + TLDS + r"\b(?:/\S*)?",
                    re.I)
HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]*")
CARD_RUN = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])")
SSN_RE = re.compile(r"(?<!\d)\d{3}([- ])\d{2}\1\d{4}(?!\d)")
IBAN_RE = re.compile(r"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?\b")
IPV4_RE = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")


def shape_problem(kind, v, text, start):
    before = text[max(0, start - 80):start]
    if kind == "EMAIL":
        return None if EMAIL_RE.fullmatch(v) else "bad e-mail shape"
    if kind == "URL":
        return None if URL_RE.fullmatch(v) or re.fullmatch(r"https?://\S+", v, re.I) else "bad URL"
    if kind == "HANDLE":
        return None if re.fullmatch(r"@[A-Za-z0-9_][A-Za-z0-9_.]*", v) else "bad handle"
    if kind == "SSN":
        return None if ssn_ok(v) else "invalid SSN"
    if kind == "CREDIT_CARD":
        if not re.fullmatch(r"\d+(?:([ -])\d+(?:\1\d+)*)?", v):
            return "card has mixed or odd separators"
        d = digits(v)
        if not 12 <= len(d) <= 19:
            return "card length"
        if not luhn_ok(d):
            return "card fails Luhn"
        if card_issuer(d) is None:
            return "card prefix/length matches no issuer"
        return None
    if kind == "IBAN":
        return iban_problem(v)
    if kind == "IP_ADDRESS":
        try:
            ip = ipaddress.ip_address(v)
        except ValueError:
            return "invalid IP"
        return "0.0.0.0" if str(ip) == "0.0.0.0" else None
    if kind == "AGE_OVER_89":
        return None if v.isdigit() and int(v) >= 90 else "age < 90 or not a number"
    if kind == "DATE_OF_BIRTH":
        return None if BIRTH.search(text) and re.search(r"\d", v) else "no birth keyword"
    if kind == "RECORD_NUMBER":
        if not re.search(r"\d", v):
            return "record number without digits"
        if re.search(r"NHS", before[-30:]) and not nhs_ok(v):
            return "NHS number fails mod-11"
        return None
    if kind == "PHONE":
        if not re.fullmatch(r"\+?\(?[\d][\d ().\-/]*\d(?:\s*(?:x|ext\.?|extension|Durchwahl|poste)\s*\d+)?", v):
            return "bad phone characters"
        main = re.split(r"\s*(?:x|ext|extension|Durchwahl|poste)", v)[0]
        n = len(digits(main))
        if not 7 <= n <= 15:
            return "phone digit count"
        d = digits(main)
        nanp555 = len(d) in (7, 10, 11) and d[-7:-4] == "555" and d[-4:-2] == "01"
        if not v.startswith("+") and not nanp555:
            window = text[max(0, start - 90):start] + " " + text[start + len(v):start + len(v) + 50]
            if not PHONE_CTX.search(window):
                return "national-format phone without a context word nearby"
        return None
    if kind == "ZIP_CODE":
        if not (re.fullmatch(r"\d{5}(?:-\d{4})?", v) or re.fullmatch(UK_POSTCODE, v)
                or re.fullmatch(CA_POSTCODE, v) or re.fullmatch(r"\d{4}(?:-\d{3})?", v)):
            return "bad postcode shape"
        return None if POSTAL.search(text[max(0, start - 40):start]) else "no postal keyword before ZIP"
    if kind == "STREET_ADDRESS":
        if re.search(r"\.\s*$", v):
            return "address ends with a period"
        if re.match(r"(?i)(?:P\.?\s?O\.?\s?Box|Post(?:fach| Office Box)|Apartado(?: de Correos)?|"
                    r"Caixa Postal|Boîte postale|BP|Casella [Pp]ostale)\s*\d", v):
            return None
        if re.match(r"\d+[A-Za-z]?(?:[-/]\d+)?,?\s+\S", v):
            return None
        if re.match(r"[^\d\n]{3,60}?\s\d+[A-Za-z]?\b", v):
            return None
        return "no house number / PO Box at the start of the address"
    if kind == "PERSON":
        if TITLE.match(v + " "):
            return "title inside PERSON"
        if re.search(r"['’]s$", v):
            return "possessive inside PERSON"
        if re.search(r"\d", v):
            return "digit in PERSON"
        last = re.split(r"[\s,]+", v)[-1].rstrip(".").upper()
        if last in CREDENTIALS and len(v.split()) > 1:
            return "credential inside PERSON"
        if "," in v and not re.fullmatch(r"[^,]+, [^,]+", v):
            return "PERSON with a comma that is not 'Last, First'"
        return None
    if kind in ("LOCATION", "REGION"):
        if re.search(r"\d", v):
            return f"digit in {kind}"
        if kind == "REGION" and v.lower() in DEMONYMS:
            return "demonym/language labelled REGION"
        if not v[0].isalpha():
            return f"{kind} does not start with a letter"
        return None
    return None


# ------------------------------------------------------------------ main checks


def covered(spans, a, b):
    return any(s["start"] < b and a < s["end"] for s in spans)


def word_occurrences(text, word):
    pat = r"(?<![\w])" + re.escape(word) + r"(?![\w])"
    return [(m.start(), m.end()) for m in re.finditer(pat, text)]


def check_records(recs):
    errs = []
    seen = set()
    for r in recs:
        rid = r.get("id", "?")

        def err(msg):
            errs.append(f"{rid}: {msg}")
        if set(r) - {"id", "text", "spans", "negative"} or not {"id", "text", "spans"} <= set(r):
            err(f"unexpected keys {sorted(r)}")
            continue
        if not re.fullmatch(r"ho2?-\d{4}", rid):
            err("bad id")
        if rid in seen:
            err("duplicate id")
        seen.add(rid)
        t, spans = r["text"], r["spans"]
        if not isinstance(t, str) or not t:
            err("empty text")
            continue
        if "⟦" in t or "⟧" in t or "[[" in t:
            err("staging marker left in text")
        if "negative" in r:
            if spans:
                err("negative with spans")
            if not isinstance(r["negative"], str) or not r["negative"]:
                err("empty negative family")
        elif not spans:
            err("positive without spans")
        prev_end = -1
        for s in spans:
            if set(s) != {"kind", "start", "end"}:
                err(f"bad span keys {s}")
                continue
            k, a, b = s["kind"], s["start"], s["end"]
            if k not in KINDS:
                err(f"unknown kind {k}")
            if not (isinstance(a, int) and isinstance(b, int) and 0 <= a < b <= len(t)):
                err(f"span out of bounds {s}")
                continue
            if a < prev_end:
                err(f"spans unsorted or overlapping at {a}")
            prev_end = b
            v = t[a:b]
            if v[0] in BAD_START and not (k == "PHONE" and v[0] in "+("):
                err(f"{k} {v!r} starts with whitespace/punctuation")
            if v[-1] in BAD_EDGE:
                err(f"{k} {v!r} ends with whitespace/punctuation")
            if unicodedata.category(v[0]).startswith("M"):
                err(f"{k} {v!r} starts with a combining mark")
            p = shape_problem(k, v, t, a)
            if p:
                err(f"{k} {v!r}: {p}")
        # unlabelled-PII scan
        for m in EMAIL_RE.finditer(t):
            if not covered(spans, m.start(), m.end()):
                err(f"unlabelled e-mail {m.group()!r}")
        for m in URL_RE.finditer(t):
            if not covered(spans, m.start(), m.end()):
                err(f"unlabelled URL/domain {m.group()!r}")
        for m in HANDLE_RE.finditer(t):
            if not covered(spans, m.start(), m.end()):
                err(f"unlabelled handle {m.group()!r}")
        for m in CARD_RUN.finditer(t):
            d = digits(m.group())
            for i in range(len(d)):
                for j in range(i + 13, min(len(d), i + 19) + 1):
                    if luhn_ok(d[i:j]) and card_issuer(d[i:j]) and not covered(spans, m.start(), m.end()):
                        err(f"unlabelled Luhn-valid card-like run {m.group()!r}")
                        break
                else:
                    continue
                break
        for m in SSN_RE.finditer(t):
            if ssn_ok(m.group()) and not covered(spans, m.start(), m.end()):
                err(f"unlabelled SSN-like {m.group()!r}")
        for m in IBAN_RE.finditer(t):
            c = m.group().replace(" ", "").upper()
            for n in range(len(c), 14, -1):
                if IBAN_LEN.get(c[:2]) == n and iban_mod97(c[:n]) == 1:
                    if not covered(spans, m.start(), m.end()):
                        err(f"unlabelled IBAN {m.group()!r}")
                    break
        for m in IPV4_RE.finditer(t):
            try:
                ipaddress.IPv4Address(m.group())
            except ValueError:
                continue
            if not covered(spans, m.start(), m.end()):
                err(f"unlabelled IPv4 {m.group()!r}")
        # in-record consistency for names and places
        for s in spans:
            v = t[s["start"]:s["end"]]
            if s["kind"] == "PERSON":
                words = [w for w in re.split(r"[\s,]+", v) if len(w.rstrip(".")) > 1]
            elif s["kind"] in ("LOCATION", "REGION"):
                words = [v]
            else:
                continue
            for w in words:
                for a, b in word_occurrences(t, w):
                    if not covered(spans, a, b) and w not in WORD_NAMES:
                        err(f"{s['kind']} {w!r} also occurs unlabelled at {a}")
    return errs


def check_minimums(recs):
    errs = []
    kinds, fams = stats(recs)
    for k in KINDS:
        if kinds[k] < MIN_PER_KIND:
            errs.append(f"minimum: only {kinds[k]} {k} spans (need {MIN_PER_KIND})")
    for f in NEW_FAMILIES:
        if fams[f] < MIN_PER_NEW_FAMILY:
            errs.append(f"minimum: only {fams[f]} negatives in family {f} (need {MIN_PER_NEW_FAMILY})")
    return errs


def stats(recs):
    kinds, fams = Counter(), Counter()
    for r in recs:
        for s in r["spans"]:
            kinds[s["kind"]] += 1
        if "negative" in r:
            fams[r["negative"]] += 1
    return kinds, fams


def warnings(recs):
    """Values labelled LOCATION/REGION/PERSON somewhere that occur unlabelled elsewhere."""
    vocab = defaultdict(set)
    for r in recs:
        for s in r["spans"]:
            if s["kind"] in ("LOCATION", "REGION", "PERSON"):
                vocab[r["text"][s["start"]:s["end"]]].add(s["kind"])
    out = []
    for r in recs:
        for s in r["spans"]:
            v = r["text"][s["start"]:s["end"]]
            if v in WORD_NAMES:
                for a, b in word_occurrences(r["text"], v):
                    if not covered(r["spans"], a, b):
                        out.append(f"{r['id']}: {v!r} labelled {s['kind']} here and also used "
                                   f"as an ordinary word at {a} (deliberate contrast)")
        for v, ks in vocab.items():
            if r["spans"] and v in WORD_NAMES:
                continue
            if len(v) < 3 and "REGION" not in ks:
                continue
            for a, b in word_occurrences(r["text"], v):
                if not covered(r["spans"], a, b):
                    out.append(f"{r['id']} ({r.get('negative', 'pos')}): {v!r} labelled "
                               f"{'/'.join(sorted(ks))} elsewhere, unlabelled here")
    return out


def load(path):
    recs = []
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    if not text.endswith("\n"):
        raise SystemExit(f"{path}: no final newline")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        try:
            recs.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise SystemExit(f"{path}:{n}: bad JSON: {e}")
    return recs


def print_stats(recs):
    kinds_old, fams_old = stats([r for r in recs if r["id"].startswith("ho-")])
    kinds_new, fams_new = stats([r for r in recs if r["id"].startswith("ho2-")])
    print("| kind | ho- | ho2- | total |\n|---|---:|---:|---:|")
    for k in KINDS:
        print(f"| {k} | {kinds_old[k]} | {kinds_new[k]} | {kinds_old[k] + kinds_new[k]} |")
    to, tn = sum(kinds_old.values()), sum(kinds_new.values())
    print(f"| **total** | **{to}** | **{tn}** | **{to + tn}** |\n")
    print("| negative family | ho- | ho2- | total |\n|---|---:|---:|---:|")
    for f in sorted(set(fams_old) | set(fams_new), key=lambda f: (-(fams_old[f] + fams_new[f]), f)):
        print(f"| {f} | {fams_old[f]} | {fams_new[f]} | {fams_old[f] + fams_new[f]} |")
    fo, fn = sum(fams_old.values()), sum(fams_new.values())
    print(f"| **total** | **{fo}** | **{fn}** | **{fo + fn}** |\n")
    pos = [r for r in recs if r["spans"]]
    print(f"records: {len(recs)} ({len(pos)} positive, {len(recs) - len(pos)} negative); "
          f"multi-line positives: {sum(1 for r in pos if chr(10) in r['text'])}; "
          f"mixing kinds: {sum(1 for r in pos if len({s['kind'] for s in r['spans']}) > 1)}")


def selftest():
    base = {"id": "ho2-9999", "text": "Call Dana Reyes on 0113 496 0555 or pay 6759 6498 2643 8453.",
            "spans": [{"kind": "PERSON", "start": 5, "end": 15},
                      {"kind": "PHONE", "start": 19, "end": 32},
                      {"kind": "CREDIT_CARD", "start": 40, "end": 59}]}
    assert not check_records([base]), check_records([base])
    muts = {
        "broken Luhn": lambda r: r.update(text=r["text"].replace("8453", "8454")),
        "overlap": lambda r: r["spans"][1].update(start=14),
        "trailing space": lambda r: r["spans"][0].update(end=16),
        "unlabelled e-mail": lambda r: r.update(text=r["text"] + " x@example.com"),
        "unlabelled card": lambda r: (r["spans"].pop(), None),
        "negative with spans": lambda r: r.update(negative="time"),
        "unknown kind": lambda r: r["spans"][0].update(kind="NAME"),
        "second name unlabelled": lambda r: r.update(text=r["text"] + " Dana"),
        "title inside": lambda r: r.update(text="Call Dr Reyes on 0113 496 0555 or pay 6759 6498 2643 8453."),
        "phone without context": lambda r: r.update(text="Meet Dana Reyes in 0113 496 0555 or pay 6759 6498 2643 8453."),
        "bad IBAN": lambda r: r.update(text=r["text"] + " de89 3704 0044 0532 0130 01",
                                       spans=r["spans"] + [{"kind": "IBAN", "start": 60, "end": 87}]),
        "unlabelled IBAN": lambda r: r.update(text=r["text"] + " de89 3704 0044 0532 0130 00"),
        "demonym REGION": lambda r: r.update(text=r["text"] + " French",
                                             spans=r["spans"] + [{"kind": "REGION", "start": 60, "end": 66}]),
    }
    ok = True
    for name, f in muts.items():
        r = json.loads(json.dumps(base))
        f(r)
        if not check_records([r]):
            print(f"SELFTEST: mutation not caught: {name}")
            ok = False
    ids = [dict(base), dict(base)]
    if not check_records(ids):
        print("SELFTEST: duplicate id not caught")
        ok = False
    print("selftest", "passed" if ok else "FAILED", f"({len(muts) + 1} mutations)")
    return ok


def main(argv):
    if "--selftest" in argv:
        sys.exit(0 if selftest() else 1)
    paths = [a for a in argv if not a.startswith("--")]
    path = paths[0] if paths else DEFAULT
    recs = load(path)
    errs = check_records(recs) + check_minimums(recs)
    if "--stats" in argv:
        print_stats(recs)
    if "--warnings" in argv:
        for w in warnings(recs):
            print("WARN", w)
    for e in errs:
        print("ERROR", e)
    print(f"{path}: {len(recs)} records, {sum(len(r['spans']) for r in recs)} spans, "
          f"{len(errs)} errors")
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
