//! People's names and places: gazetteers (`data/pii/`, embedded in the binary) matched token by
//! token, with the context cues that tell a name from an ordinary word.
//!
//! One pass splits a text into word tokens (letters with inner apostrophes and hyphens; a
//! possessive `'s` cut off; words glued by scraping, `wellRobin`, split). Each capitalised token
//! is looked up once in one hash table that holds, per lower-cased word or phrase, what the
//! lists know of it: given-name and surname counts, place kind and population, whether it is a
//! common English word and whether it is on the hand-made stop-list (`not_names.txt`: drugs,
//! feelings, weekdays, months, holidays, diagnoses, therapies, helplines, apps, religion,
//! family words, interjections). Multi-word places and stop-list phrases ("Newcastle upon
//! Tyne", "Crisis Text Line") are tried at the tokens that start one. Whole-token hashing is
//! the gazetteer match: the same one-pass cost as an Aho-Corasick automaton over the text, with
//! word boundaries and case rules for free.
//!
//! A token becomes a finding by evidence, strongest first:
//! - strong person cues: a title (`Dr`, `Ms`, `Grandma`), a relation (`my sister`, `my
//!   therapist,`), an introduction (`my name is`, `I'm`, `call me`, `named`), a salutation at
//!   the start (`Hi`, `Dear`), a sign-off at the end (`Best,`, `- `, `~`), professional
//!   credentials after the name (`, LPCC`, `M.S., LMHC`). These accept names missing from the
//!   lists and words that are also common words ("my daughter Hope");
//! - place cues: `in`, `from`, `to`, `near`, `moved to`, `the <place> area`, `<city>, <region>`;
//! - otherwise a listed name that is neither a common word nor on the stop-list is a person,
//!   a listed place (above a population floor, or a country) a place; a common word without
//!   a cue ("Bill came in the mail", "Reading helps") is nothing.
//!
//! Adjacent name tokens, middle initials (`Jane A. Doe`) and particles (`van`, `de`, `bin`)
//! make one span; `Doe, Jane` is one span when `Doe` is only a surname.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::Kind;

const GIVEN_NAMES: &str = include_str!("../../data/pii/given_names.tsv");
const SURNAMES: &str = include_str!("../../data/pii/surnames.tsv");
const PLACES: &str = include_str!("../../data/pii/places.tsv");
const COMMON_WORDS: &str = include_str!("../../data/pii/common_words.txt");
const NOT_NAMES: &str = include_str!("../../data/pii/not_names.txt");

/// What the lists know of one lower-cased word or phrase.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    given: u32,
    surname: u32,
    /// Largest population of a city or town of this name, plus one (0: not a city or town).
    location: u32,
    /// 0: not a region; 1: a state, province or short form; 2: a country.
    region: u8,
    common: bool,
    not_name: bool,
    /// The first word of a multi-word place or stop-list phrase.
    starts_phrase: bool,
    /// A stop-list entry that is a family word or title ("Grandma", "Aunt"): a cue, not a name.
    family: bool,
    /// A stop-list entry that may still be a place with a cue ("moved to Reading"); other
    /// stop-list entries (months, weekdays, drugs...) never are.
    place_with_cue: bool,
    /// A city of 20,000 or more named like a region of its own country (Utrecht, Porto,
    /// Lagos): the city is meant.
    city_of_region: bool,
    /// A region of an English-speaking country (Florida, Ontario, Queensland): the region is
    /// meant over a city of the same name elsewhere.
    anglo_region: bool,
}

impl Entry {
    fn is_name(&self) -> bool {
        self.given > 0 || self.surname > 0
    }

    fn is_place(&self) -> bool {
        (self.location > 0 || self.region > 0) && (!self.not_name || self.place_with_cue)
    }
}

/// The lexicon's table, keyed by a 64-bit hash of the word (foldhash, fixed seed): no key
/// strings to chase and compare, so a lookup touches one bucket (the table is ~10 MB and the
/// scan is bound by its cache misses). Two of the ~350,000 keys, or a token and a key, share a
/// hash with probability ~2^-45 per lookup: a wrong entry is never seen in practice.
struct Words(std::collections::HashMap<u64, Entry, std::hash::BuildHasherDefault<Prehashed>>);

/// The identity hasher for keys that are already hashes.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn word_hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x7472_6169_6e72).hash_one(key)
}

impl Words {
    fn get(&self, key: &str) -> Option<&Entry> {
        self.0.get(&word_hash(key))
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.0.get_mut(&word_hash(key))
    }

    fn entry(&mut self, key: &str) -> &mut Entry {
        self.0.entry(word_hash(key)).or_default()
    }
}

struct Lexicon {
    words: Words,
    /// The most words of a phrase.
    max_phrase: usize,
}

/// A token's lookup key: the token itself when it is already lower-case ASCII letters (most
/// words: no allocation), else [`key_of`].
struct Key<'a>(std::borrow::Cow<'a, str>);

impl<'a> Key<'a> {
    fn of(s: &'a str) -> Self {
        if s.bytes().all(|b| b.is_ascii_lowercase()) {
            Key(std::borrow::Cow::Borrowed(s))
        } else {
            Key(std::borrow::Cow::Owned(key_of(s)))
        }
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Key<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// Lower-case `s`, letters only, words joined by one space ("St. Louis" → "st louis").
fn key_of(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars() {
        if c.is_alphabetic() || c == '\'' || c == '’' || c == '-' {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            if c == '’' {
                out.push('\'');
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            gap = true;
        }
    }
    out
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut words = Words(std::collections::HashMap::default());
    let mut max_phrase = 1;
    let mut add = |name: &str, f: &mut dyn FnMut(&mut Entry)| {
        let key = key_of(name);
        if key.is_empty() {
            return;
        }
        let n = key.split(' ').count();
        if n > 1 {
            max_phrase = max_phrase.max(n);
            let first = key.split(' ').next().unwrap_or_default();
            words.entry(first).starts_phrase = true;
        }
        f(words.entry(&key));
    };
    let count = |line: &str| -> (String, u32) {
        let mut parts = line.split('\t');
        let name = parts.next().unwrap_or_default().to_string();
        let n = parts
            .next()
            .and_then(|c| c.parse::<u64>().ok())
            .unwrap_or(0);
        (name, n.clamp(1, u64::from(u32::MAX)) as u32)
    };
    for line in GIVEN_NAMES.lines() {
        let (name, n) = count(line);
        add(&name, &mut |e| e.given = e.given.max(n));
    }
    for line in SURNAMES.lines() {
        let (name, n) = count(line);
        add(&name, &mut |e| e.surname = e.surname.max(n));
    }
    // (countries of its cities of 50,000 or more, countries of its regions) per place name.
    let mut countries: FxHashMap<String, (Vec<&str>, Vec<&str>)> = FxHashMap::default();
    for line in PLACES.lines() {
        let mut parts = line.split('\t');
        let (Some(name), Some(kind), Some(cc), Some(pop)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let pop = pop.parse::<u64>().unwrap_or(0).min(u64::from(u32::MAX) - 1) as u32;
        let seen = countries.entry(key_of(name)).or_default();
        match kind {
            "LOCATION" => {
                if pop >= 20_000 {
                    seen.0.push(cc);
                }
                add(name, &mut |e| e.location = e.location.max(pop + 1));
            }
            _ => {
                seen.1.push(cc);
                add(name, &mut |e| {
                    e.region = e.region.max(if pop > 0 { 2 } else { 1 })
                });
            }
        }
    }
    for word in COMMON_WORDS.lines() {
        add(word, &mut |e| e.common = true);
    }
    let mut section = "";
    for line in NOT_NAMES.lines() {
        if let Some(s) = line.strip_prefix("# ") {
            section = s;
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let family = section.starts_with("family");
        let place_with_cue = section.starts_with("common words");
        add(line, &mut |e| {
            e.not_name = true;
            e.family |= family;
            e.place_with_cue |= place_with_cue;
        });
    }
    #[allow(clippy::iter_over_hash_type)] // each key is updated on its own: order is irrelevant
    for (key, (cities, regions)) in countries {
        if let Some(e) = words.get_mut(key.as_str()) {
            e.city_of_region = cities.iter().any(|c| regions.contains(c));
            e.anglo_region = regions
                .iter()
                .any(|c| matches!(*c, "US" | "CA" | "GB" | "AU" | "IE" | "NZ"));
        }
    }
    Lexicon { words, max_phrase }
});

/// Whether `word` is a listed state, province, region or country.
pub fn region(word: &str) -> bool {
    REGION_CODES.contains(&word)
        || LEXICON
            .words
            .get(key_of(word).as_str())
            .is_some_and(|e| e.region > 0)
}

/// Whether `word` is a listed city or town.
pub fn location(word: &str) -> bool {
    LEXICON
        .words
        .get(key_of(word).as_str())
        .is_some_and(|e| e.location > 0)
}

/// Load the lists now (so timing a scan does not include it).
pub fn warm_up() {
    LazyLock::force(&LEXICON);
}

/// One word of the text.
#[derive(Debug, Clone, Copy)]
struct Tok {
    /// Byte range in the text.
    s: usize,
    e: usize,
    /// Starts with an upper-case letter.
    cap: bool,
    /// Two or more letters, all upper case.
    caps: bool,
    /// Starts a sentence (or a line, or the text).
    start: bool,
    /// Byte range of what separates it from the previous token.
    gap_s: usize,
    /// A possessive `'s` followed it (cut off).
    possessive: bool,
    /// Letters of a script without case (Han, Hangul, Arabic, Hebrew, Devanagari...).
    uncased: bool,
    /// Digits touch it ("NL39RABO...", "A4"): part of a code, not a word.
    glued: bool,
}

/// Split `text` into word tokens.
fn tokens(text: &str) -> Vec<Tok> {
    tokens_ascii(text).unwrap_or_else(|| tokens_unicode(text))
}

/// [`tokens_unicode`] on bytes, for text whose words are ASCII (most English chat text, with
/// non-ASCII spaces, quotes and emoji between the words): the same tokens, or `None` when a
/// word holds or touches a non-ASCII character.
fn tokens_ascii(text: &str) -> Option<Vec<Tok>> {
    let b = text.as_bytes();
    let n = b.len();
    let mut out: Vec<Tok> = Vec::with_capacity(n / 5 + 1);
    let mut prev_end = 0usize;
    let mut k = 0usize;
    while k < n {
        if b[k] >= 0x80 {
            let c = text[k..].chars().next()?;
            if c.is_alphabetic() {
                return None;
            }
            k += c.len_utf8();
            continue;
        }
        if !b[k].is_ascii_alphabetic() {
            k += 1;
            continue;
        }
        let word_start = k;
        let mut last = b[k];
        let mut e = k + 1;
        let mut lower_run = last.is_ascii_lowercase();
        // At most a few glue splits per word; a fixed buffer (more are ignored, as no real
        // word has them).
        let mut splits = [0usize; 4];
        let mut n_splits = 0usize;
        while e < n {
            let d = b[e];
            // A typographic apostrophe inside a word ("don’t"), as `'`.
            if b[e..].starts_with("’".as_bytes()) && last.is_ascii_alphabetic() {
                match b.get(e + 3) {
                    Some(&x) if x >= 0x80 => return None,
                    Some(x) if x.is_ascii_alphabetic() => {
                        last = b'\'';
                        e += 3;
                        continue;
                    }
                    _ => break,
                }
            }
            if d >= 0x80 {
                return None;
            }
            if d.is_ascii_alphabetic() {
                if d.is_ascii_uppercase()
                    && last.is_ascii_lowercase()
                    && lower_run
                    && e - word_start >= 2
                {
                    if n_splits < splits.len() {
                        splits[n_splits] = e;
                        n_splits += 1;
                    }
                    lower_run = false;
                } else if !d.is_ascii_lowercase() {
                    lower_run = false;
                }
                last = d;
                e += 1;
            } else if matches!(d, b'\'' | b'-') && last.is_ascii_alphabetic() {
                match b.get(e + 1) {
                    Some(&x) if x >= 0x80 => return None,
                    Some(x) if x.is_ascii_alphabetic() => {
                        last = d;
                        e += 1;
                    }
                    _ => break,
                }
            } else {
                break;
            }
        }
        let mut end = e;
        let mut possessive = false;
        for suffix in [
            "'s".as_bytes(),
            "’s".as_bytes(),
            "'S".as_bytes(),
            "’S".as_bytes(),
        ] {
            if end - word_start > suffix.len() + 1 && b[word_start..end].ends_with(suffix) {
                end -= suffix.len();
                possessive = true;
            }
        }
        let mut from = word_start;
        for &to in splits[..n_splits]
            .iter()
            .filter(|&&s| s < end)
            .chain(std::iter::once(&end))
        {
            let (s, e) = (from, to);
            from = to;
            let word = &b[s..e];
            let letters = word.iter().filter(|c| c.is_ascii_alphabetic()).count();
            let gap_s = if out.is_empty() { 0 } else { prev_end };
            let start = s == word_start && sentence_start(&text[..s]);
            out.push(Tok {
                s,
                e,
                cap: word[0].is_ascii_uppercase(),
                caps: letters >= 2 && !word.iter().any(u8::is_ascii_lowercase),
                start,
                gap_s,
                possessive: possessive && e == end,
                uncased: false,
                glued: s > 0 && b[s - 1].is_ascii_digit()
                    || b.get(e).is_some_and(u8::is_ascii_digit),
            });
            prev_end = e;
        }
        prev_end = prev_end.max(end);
        k = e;
    }
    Some(out)
}

/// Split `text` into word tokens, any script.
fn tokens_unicode(text: &str) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut prev_end = 0usize;
    while let Some((i, c)) = chars.next() {
        if !c.is_alphabetic() {
            continue;
        }
        let mut e = i + c.len_utf8();
        let mut last = c;
        // Letters, with inner apostrophes, hyphens and (for glued words) case changes.
        let mut splits: Vec<usize> = Vec::new();
        let mut lower_run = c.is_lowercase();
        let word_start = i;
        while let Some(&(j, d)) = chars.peek() {
            if d.is_alphabetic() || is_mark(d) {
                // `wellRobin`: a lower-case run of 2+ letters at the word's start running into
                // a capital (scraped sign-offs lose their separators).
                if d.is_uppercase() && last.is_lowercase() && lower_run && j - word_start >= 2 {
                    splits.push(j);
                    lower_run = false;
                } else if !d.is_lowercase() {
                    lower_run = false;
                }
                e = j + d.len_utf8();
                last = d;
                chars.next();
            } else if matches!(d, '\'' | '’' | '-') && last.is_alphabetic() {
                // Inner only: the next character must be a letter.
                let mut ahead = text[j + d.len_utf8()..].chars();
                match ahead.next() {
                    Some(n) if n.is_alphabetic() => {
                        e = j + d.len_utf8();
                        last = d;
                        chars.next();
                    }
                    _ => break,
                }
            } else {
                break;
            }
        }
        // A possessive 's is not part of the name.
        let mut end = e;
        let mut possessive = false;
        for suffix in ["'s", "’s", "'S", "’S"] {
            if text[i..end].len() > suffix.len() + 1 && text[i..end].ends_with(suffix) {
                end -= suffix.len();
                possessive = true;
            }
        }
        // Pieces between the glue splits (one piece, without allocating, for most words).
        let inner = splits.iter().copied().filter(|&s| s < end);
        let mut from = i;
        for to in inner.chain(std::iter::once(end)) {
            let (s, e) = (from, to);
            from = to;
            let word = &text[s..e];
            let first = word.chars().next().unwrap_or(' ');
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            let gap_s = if out.is_empty() { 0 } else { prev_end };
            let start = if s == word_start {
                sentence_start(&text[..s])
            } else {
                false
            };
            let uncased = !first.is_uppercase() && !first.is_lowercase();
            out.push(Tok {
                s,
                e,
                cap: first.is_uppercase(),
                caps: letters >= 2 && !uncased && word.chars().all(|c| !c.is_lowercase()),
                start,
                gap_s,
                possessive: possessive && e == end,
                uncased,
                glued: text[..s].ends_with(|c: char| c.is_ascii_digit())
                    || text[e..].starts_with(|c: char| c.is_ascii_digit()),
            });
            prev_end = e;
        }
        prev_end = prev_end.max(end);
    }
    out
}

fn is_mark(c: char) -> bool {
    // Combining diacritics (a name typed in NFD), Hebrew and Arabic points, and the Indic
    // blocks, whose viramas and vowel signs are marks inside words.
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x0591..=0x05C7
        | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x0900..=0x0DFF | 0x200C | 0x200D)
}

/// Whether a word after `before` starts a sentence: nothing, or sentence punctuation, a line
/// break, a bullet, an emoji or an opening quote before it.
fn sentence_start(before: &str) -> bool {
    match before
        .trim_end_matches([' ', '\t', '\u{a0}'])
        .chars()
        .next_back()
    {
        None => true,
        Some(c) => !(c.is_alphanumeric() || matches!(c, ',' | ';' | '&' | '\'' | '’' | '/')),
    }
}

/// Short forms of Canadian provinces and Australian states (Canada Post, Australia Post),
/// beside the US ones in the gazetteer.
const REGION_CODES: &[&str] = &[
    "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT", "NSW", "VIC",
    "QLD", "SA", "WA", "TAS", "ACT", "UK", "USA", "UAE",
];

const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "mx",
    "miss",
    "dr",
    "prof",
    "professor",
    "sir",
    "madam",
    "mme",
    "mlle",
    "herr",
    "frau",
    "sr",
    "sra",
    "srta",
    "señor",
    "señora",
    "dra",
    "don",
    "doña",
    "dott",
    "pastor",
    "father",
    "sister",
    "brother",
    "rev",
    "reverend",
    "rabbi",
    "imam",
    "coach",
    "nurse",
    "uncle",
    "aunt",
    "aunty",
    "auntie",
    "grandma",
    "grandpa",
    "granny",
    "nana",
    "nan",
    "nanna",
    "grandad",
    "granddad",
    "cousin",
    "officer",
    "detective",
    "judge",
    "mag",
    "ing",
];

const RELATIONS: &[&str] = &[
    "friend",
    "bf",
    "gf",
    "boyfriend",
    "girlfriend",
    "partner",
    "husband",
    "wife",
    "hubby",
    "spouse",
    "son",
    "daughter",
    "brother",
    "sister",
    "sis",
    "bro",
    "mom",
    "mum",
    "mother",
    "dad",
    "father",
    "stepdad",
    "stepmom",
    "stepmum",
    "stepfather",
    "stepmother",
    "stepson",
    "stepdaughter",
    "therapist",
    "counsellor",
    "counselor",
    "psychiatrist",
    "psychologist",
    "doctor",
    "gp",
    "boss",
    "manager",
    "supervisor",
    "roommate",
    "flatmate",
    "housemate",
    "cousin",
    "aunt",
    "uncle",
    "niece",
    "nephew",
    "grandma",
    "grandpa",
    "grandmother",
    "grandfather",
    "granddaughter",
    "grandson",
    "nan",
    "nana",
    "ex",
    "fiance",
    "fiancé",
    "fiancee",
    "fiancée",
    "colleague",
    "coworker",
    "co-worker",
    "neighbour",
    "neighbor",
    "teacher",
    "tutor",
    "nurse",
    "coach",
    "sponsor",
    "pastor",
    "priest",
    "mentor",
    "caseworker",
    "worker",
    "classmate",
    "child",
    "kid",
    "baby",
    "twin",
    "toddler",
    "teen",
    "buddy",
    "mate",
    "bestie",
    "crush",
    "date",
    "lawyer",
    "landlord",
    "landlady",
    "dentist",
    "surgeon",
    "specialist",
    "pediatrician",
    "paediatrician",
    "social",
    "guy",
    "girl",
];

/// Words after which the next capitalised word names a person ("told Priya").
const PERSON_BEFORE: &[&str] = &[
    "named", "called", "told", "tell", "tells", "asked", "ask", "texted", "text", "messaged",
    "met", "meet", "with", "and", "like", "love", "loves", "miss", "misses", "hug", "hugged",
    "thank", "thanked", "call", "phoned", "visited", "visit", "see", "saw", "about",
];

/// Words after a capitalised word that make it a person ("Priya said").
const PERSON_AFTER: &[&str] = &[
    "said", "says", "told", "tells", "asked", "asks", "texted", "texts", "messaged", "called",
    "calls", "thinks", "thought", "wants", "wanted", "never", "always", "keeps", "kept", "left",
    "yelled", "replied", "answered", "cried", "laughed", "smiled", "hugged", "died", "passed",
    "moved", "lives", "lived", "works", "worked", "doesn't", "didn't", "won't", "can't", "isn't",
    "wasn't", "hasn't", "hadn't", "and", "is", "was", "has", "had", "will", "would", "could",
    "should", "might", "does", "did", "just", "still", "also", "really", "got", "gets", "came",
    "comes", "went", "goes", "made", "makes", "gave", "gives", "took", "takes", "seems", "feels",
    "felt", "loves", "loved", "hates", "hated", "knows", "knew", "needs", "needed",
];

/// Words before a place ("moved to Leeds", "back home in Lagos").
const PLACE_BEFORE: &[&str] = &[
    "in", "from", "to", "near", "around", "outside", "into", "toward", "towards", "via",
    "visiting", "visit", "visited", "leaving", "left", "reach", "reached", "across", "of", "at",
    "between", "nach", "aus", "bei", "en", "de", "à", "em", "di",
];

/// Words after a place ("the Leeds site", "the Denver area").
const PLACE_AFTER: &[&str] = &[
    "area", "city", "centre", "center", "downtown", "suburbs", "site", "office", "branch", "group",
    "campus", "region", "based", "born", "native",
];

/// Closing words of a sign-off ("Best,", "Warm regards,").
const SIGN_OFFS: &[&str] = &[
    "best",
    "regards",
    "warmly",
    "sincerely",
    "thanks",
    "cheers",
    "wishes",
    "care",
    "love",
    "xo",
    "xoxo",
    "yours",
    "blessings",
    "well",
    "peace",
    "hugs",
    "luck",
    "soon",
    "gratitude",
];

/// Salutations before a name at the start ("Hi Sam,").
const SALUTATIONS: &[&str] = &[
    "hi", "hey", "hello", "dear", "hiya", "thanks", "morning", "evening", "yo", "hallo", "hola",
    "bonjour", "ciao", "salut", "olá", "oi",
];

/// Introductions before a name ("my name is", "I'm", "this is").
fn introduced(lower_before: &str) -> bool {
    let b = lower_before.trim_end_matches([' ', '\t', ',', ':', '\u{a0}']);
    [
        "my name is",
        "my name's",
        "name is",
        "name's",
        "i'm",
        "i’m",
        "i am",
        "im",
        "call me",
        "this is",
        "it's",
        "it’s",
        "it is",
        "named",
        "called",
        "known as",
        "signed",
        "yours truly",
        "me llamo",
        "je m'appelle",
        "ich bin",
        "ich heiße",
        "sono",
        "mi chiamo",
        "sou",
    ]
    .iter()
    .any(|cue| {
        b.ends_with(cue)
            && b[..b.len() - cue.len()]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Professional credentials (never names, never regions).
const CREDENTIALS: &[&str] = &[
    "DBH", "LPCC", "LPC", "NCC", "LMSW", "LMAC", "LMHC", "CASAC", "RN", "LPCMH", "MFT", "MA", "MS",
    "M.S.", "M.A.", "MSW", "M.S.W.", "LCSW", "LMFT", "PhD", "Ph.D.", "Ph.D", "PsyD", "Psy.D.",
    "EdD", "Ed.D.", "MD", "M.D.", "NP", "LCPC", "LISW", "LICSW", "LCADC", "LADC", "CADC", "LAC",
    "ATR", "BCBA", "CSAT", "CST", "LMHCA", "LPCA", "LPCI", "LSW", "MSc", "MEd", "M.Ed.", "MAC",
    "PMHNP", "APRN", "DNP", "CRC", "CCTP", "CHT", "RPT", "CEDS", "LCDC", "LMHP", "LPHA", "LCMHC",
    "LCPC", "LPCS", "LPC-S", "LMFT-S", "MFT-C", "LCSW-C", "LGSW", "LGPC", "LLPC", "LMHC-QS", "CAP",
    "ICADC", "CSW", "DSW", "PsyS", "BSW", "MPH", "LLP",
];

/// The end of the run of credentials right after a name (`e` when there is none).
fn credentials_end(text: &str, e: usize) -> usize {
    let mut end = e;
    loop {
        let rest = &text[end..];
        let skipped = rest.len() - rest.trim_start_matches([' ', ',', '\u{a0}', '\t']).len();
        let r = &rest[skipped..];
        let first = r.as_bytes().first().copied().unwrap_or(0);
        if !first.is_ascii_uppercase() {
            return end;
        }
        let Some(c) = CREDENTIALS
            .iter()
            .filter(|c| {
                c.as_bytes()[0] == first
                    && r.starts_with(**c)
                    && r[c.len()..]
                        .chars()
                        .next()
                        .is_none_or(|n| !n.is_alphanumeric())
            })
            .max_by_key(|c| c.len())
        else {
            return end;
        };
        end += skipped + c.len();
    }
}

/// Professional credentials right after a name: ", LPCC", " M.S., LMHC", ", PhD".
fn credentials_after(text: &str, e: usize) -> bool {
    credentials_end(text, e) > e
}

/// A cue word just before a lower-case word ([`LOWER_CUES`]).
const CUE_BEFORE: u8 = 1;
/// A cue word just after a lower-case word.
const CUE_AFTER: u8 = 2;

/// The words that, just before or just after a lower-case word, can make it a name or place
/// (the cues of `lower_case_person`, `relation_before`, `introduced` and the texting-style
/// places); a lower-case word with neither is not looked up.
static LOWER_CUES: LazyLock<rustc_hash::FxHashMap<&'static str, u8>> = LazyLock::new(|| {
    let mut map: rustc_hash::FxHashMap<&'static str, u8> = rustc_hash::FxHashMap::default();
    let before = RELATIONS.iter().copied().chain([
        // places, "tell/told X", "me and X", "to X's"
        "in",
        "from",
        "to",
        "near",
        "outside",
        "tell",
        "told",
        "texted",
        "asked",
        "named",
        "called",
        "and",
        "at",
        "ngl",
        "tbh",
        "with",
        // the last word of each introduction (`introduced`)
        "is",
        "name's",
        "i'm",
        "am",
        "im",
        "me",
        "it's",
        "as",
        "signed",
        "truly",
        "llamo",
        "m'appelle",
        "appelle",
        "bin",
        "heiße",
        "sono",
        "chiamo",
        "sou",
    ]);
    for w in before {
        *map.entry(w).or_default() |= CUE_BEFORE;
    }
    // "X said", "X just texted", "X and Y", "X is the ..."
    let after = PERSON_VERBS
        .iter()
        .chain(ADVERBS)
        .copied()
        .chain(["and", "is", "was", "has"]);
    for w in after {
        *map.entry(w).or_default() |= CUE_AFTER;
    }
    map
});

fn in_list(list: &[&str], word: &str) -> bool {
    list.contains(&word)
}

/// Scan `text` for people's names and places; push `(start, end, kind)` byte spans.
pub fn find(text: &str, out: &mut Vec<(usize, usize, Kind)>) {
    let lex = &*LEXICON;
    let toks = tokens(text);
    if toks.is_empty() {
        return;
    }
    let lower: Vec<Key<'_>> = toks.iter().map(|t| Key::of(&text[t.s..t.e])).collect();
    let cue: Vec<u8> = lower
        .iter()
        .map(|k| LOWER_CUES.get(k.as_str()).copied().unwrap_or(0))
        .collect();
    let entry = |i: usize| {
        lex.words
            .get(lower[i].as_str())
            .copied()
            .unwrap_or_default()
    };
    let gap = |i: usize| &text[toks[i].gap_s..toks[i].s];
    let prev_word = |i: usize| if i > 0 { lower[i - 1].as_str() } else { "" };
    let all_caps_text = !text.chars().any(char::is_lowercase);

    // Tokens inside a stop-list phrase or a multi-word place are decided together.
    let mut taken = vec![false; toks.len()];
    // The end of the credentials after the last name found ("Mei L. Zhang, MA, LPC").
    let mut credentials_until = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        // A lower-case word is a name or place only beside a cue word: skip the table lookup
        // (the scan's main cost) for the others.
        let cue_before = i > 0 && cue[i - 1] & CUE_BEFORE != 0;
        let cue_after = cue.get(i + 1).is_some_and(|c| c & CUE_AFTER != 0);
        if !(t.cap || t.uncased || t.possessive || cue_before || cue_after) {
            i += 1;
            continue;
        }
        let e = entry(i);
        // Multi-word phrases (places, stop-list entries) starting here: longest first.
        if e.starts_phrase && toks[i].cap {
            let mut best: Option<(usize, Entry)> = None;
            let mut key = lower[i].as_str().to_string();
            for j in i + 1..toks.len().min(i + lex.max_phrase) {
                let g = gap(j);
                if g.is_empty()
                    || g.len() > 3
                    || !g.chars().all(|c| matches!(c, ' ' | '.' | '-' | '\u{a0}'))
                {
                    break;
                }
                key.push(' ');
                key.push_str(&lower[j]);
                let connector = in_list(
                    &[
                        "de", "of", "upon", "on", "the", "la", "le", "del", "da", "do", "am", "an",
                        "sur", "en", "y", "and", "et", "und",
                    ],
                    lower[j].as_str(),
                );
                if !toks[j].cap && !connector {
                    break;
                }
                if let Some(pe) = lex.words.get(key.as_str())
                    && toks[j].cap
                {
                    best = Some((j, *pe));
                }
            }
            if let Some((j, pe)) = best {
                for k in taken.iter_mut().take(j + 1).skip(i) {
                    *k = true;
                }
                if pe.not_name && !pe.is_place() {
                    i = j + 1;
                    continue;
                }
                if pe.is_place() {
                    let span = (t.s, toks[j].e);
                    if let Some(kind) = place_kind(text, &toks, &lower, i, j, pe, true) {
                        out.push((span.0, span.1, kind));
                    }
                    i = j + 1;
                    continue;
                }
            }
        }
        if taken[i] || t.glued {
            i += 1;
            continue;
        }
        // Scripts without case: a listed given name followed by a listed surname, a cue, or
        // a short Han/Hangul run that splits into surname + given name.
        if t.uncased {
            if uncased_person(text, &toks, &lower, i) {
                let (s, end, next) = extend_name(text, &toks, &lower, i);
                out.push((s, end, Kind::Person));
                i = next;
            } else {
                i += 1;
            }
            continue;
        }
        // Lower-case places in texting style, after a place cue: "im from brighton".
        if !t.cap
            && e.is_place()
            && !e.common
            && !e.not_name
            && (!e.is_name() || u64::from(e.given.max(e.surname)) * 20 < u64::from(e.location))
            && (e.location > 100_001 || e.region == 2)
            && i > 0
            && in_list(&["in", "from", "to", "near", "outside"], prev_word(i))
            && !all_caps_text
        {
            let kind = if e.region == 2 && !e.city_of_region {
                Kind::Region
            } else {
                Kind::Location
            };
            out.push((t.s, t.e, kind));
            i += 1;
            continue;
        }
        // Lower-case names in texting style: a listed given name with a cue.
        if !t.cap {
            if lower_case_person(text, &toks, &lower, i, &e) && !all_caps_text {
                out.push((t.s, t.e, Kind::Person));
            }
            i += 1;
            continue;
        }
        // All-caps short forms: regions ("the UK", "Austin, TX", "in the USA").
        if t.caps && !all_caps_text {
            let word = &text[t.s..t.e];
            let code = e.region > 0 || REGION_CODES.contains(&word);
            if code && lower[i].len() <= 3 && t.s >= credentials_until {
                let after_place = i > 0 && gap(i).trim() == "," && toks[i - 1].cap;
                let cue = in_list(&["the", "in", "from", "to"], prev_word(i));
                if after_place || cue || matches!(word, "UK" | "USA" | "UAE") {
                    out.push((t.s, t.e, Kind::Region));
                }
            }
            i += 1;
            continue;
        }
        let person = person_evidence(text, &toks, &lower, i, &e);
        let place = e.is_place() && !e.family;
        if place {
            let kind = place_kind(text, &toks, &lower, i, i, e, false);
            let place_cue = place_cue(text, &toks, &lower, i, i);
            let choose_place = match (person, kind) {
                (_, None) => false,
                (Evidence::Strong, _) => false,
                (Evidence::Medium, Some(_)) => place_cue || e.region == 2,
                (Evidence::None, Some(_)) => true,
                (Evidence::Listed, Some(_)) => {
                    // A listed name that is also a place: the cue decides; without one, a
                    // common given name is a person unless the place is big.
                    place_cue
                        || e.given < 1_000
                        || (e.given < 20_000 && (e.location > 1_000_000 || e.region == 2))
                }
            };
            if choose_place {
                out.push((t.s, t.e, kind.expect("invariant: checked above")));
                i += 1;
                continue;
            }
        }
        if person == Evidence::None {
            i += 1;
            continue;
        }
        // A person: extend over the rest of the name.
        let (mut s, end, mut next) = extend_name(text, &toks, &lower, i);
        // And to the left: "Mhairi Sinclair was", "Trần Thị Linh kept".
        let mut k = i;
        while k > 0 && !taken[k - 1] && out.last().is_none_or(|f| f.1 <= toks[k - 1].s) {
            let p = &toks[k - 1];
            let g = &text[toks[k].gap_s..toks[k].s];
            let pe = entry(k - 1);
            // An unlisted word may join only a listed surname ("Mhairi Sinclair").
            let unlisted_ok = !pe.is_name()
                && !pe.is_place()
                && k == i
                && entry(i).surname > 0
                && text[p.s..p.e].chars().skip(1).any(char::is_lowercase);
            if !(p.cap
                && !lower[k - 1].contains('\'')
                && (g == " " || g == "\u{a0}")
                && (pe.is_name() || unlisted_ok)
                && !pe.common
                && !pe.not_name
                && !pe.family
                && !in_list(TITLES, lower[k - 1].as_str())
                && (!pe.is_place() || pe.is_name()))
            {
                break;
            }
            k -= 1;
            s = toks[k].s;
        }
        out.push((s, end, Kind::Person));
        credentials_until = credentials_end(text, end);
        while toks.get(next).is_some_and(|t| t.s < credentials_until) {
            next += 1;
        }
        i = next;
    }
}

/// Verbs after a word that make it a person ("Giorgos told me", "kofi keeps").
const PERSON_VERBS: &[&str] = &[
    "said", "says", "told", "tells", "asked", "asks", "texted", "texts", "messaged", "called",
    "calls", "thinks", "thought", "wants", "wanted", "keeps", "kept", "yelled", "replied", "cried",
    "laughed", "smiled", "hugged", "died", "lives", "lived", "works", "worked", "aren't", "isn't",
    "wasn't", "doesn't", "didn't", "won't", "broke", "dumped", "ghosted", "blocked", "cheated",
    "promised", "agreed", "admitted", "insisted", "refuses", "refused",
];

/// Adverbs between a name and its verb ("callum just texted").
const ADVERBS: &[&str] = &[
    "just",
    "never",
    "always",
    "still",
    "finally",
    "literally",
    "also",
    "actually",
    "really",
    "even",
    "already",
    "suddenly",
    "basically",
];

/// A lower-case token named as a person in texting style: "my bf sipho", "me and kofi",
/// "tell mike", "liam keeps", "going to zara's".
fn lower_case_person(text: &str, toks: &[Tok], lower: &[Key<'_>], i: usize, e: &Entry) -> bool {
    let word = lower[i].as_str();
    // Not in the lists: only right after a relation, followed by what a person does ("my bf
    // sipho thinks").
    if !e.is_name() && !e.common && !e.not_name && !e.is_place() && word.chars().count() >= 3 {
        let next = lower.get(i + 1).map_or("", Key::as_str);
        return relation_before(lower, toks, text, i)
            && (in_list(PERSON_VERBS, next) || in_list(ADVERBS, next) || next == "and");
    }
    if e.given == 0
        || e.not_name
        || e.family
        || word.chars().count() < 3
        || e.is_place() && e.common
    {
        return false;
    }
    let prev = if i > 0 { lower[i - 1].as_str() } else { "" };
    let prev2 = if i > 1 { lower[i - 2].as_str() } else { "" };
    let next = lower.get(i + 1).map_or("", Key::as_str);
    let next2 = lower.get(i + 2).map_or("", Key::as_str);
    let same_sentence = |j: usize| !text[toks[j].gap_s..toks[j].s].contains(['.', '!', '?', '\n']);
    let before_ok = i > 0 && same_sentence(i);
    let after_ok = i + 1 < toks.len() && same_sentence(i + 1);
    let verb = after_ok
        && (in_list(PERSON_VERBS, next) && !in_list(&["aren't", "isn't", "wasn't"], next)
            || in_list(ADVERBS, next) && in_list(PERSON_VERBS, next2));
    let told = relation_before(lower, toks, text, i)
        || before_ok
            && in_list(
                &["tell", "told", "texted", "asked", "named", "called"],
                prev,
            )
        || before_ok && prev == "and" && prev2 == "me";
    if e.common {
        // An ordinary word too ("mike", "will"): only after a relation, "tell" or "me and".
        return told;
    }
    let strong = told || verb;
    if strong || before_ok && introduced(&lower_prefix(text, toks[i].s, 24)) {
        return true;
    }
    if e.given < 500 {
        return false;
    }
    after_ok
        && next == "and"
        && lex_given(next2)
        && !text[toks[i].s..].starts_with(char::is_uppercase)
        || after_ok
            && in_list(&["is", "was", "has"], next)
            && in_list(&["the", "my", "so", "never", "always", "literally"], next2)
        || toks[i].possessive && i > 0 && in_list(&["to", "at", "from", "ngl", "tbh", "with"], prev)
        || toks[i].possessive && i == 0
        || toks[i].possessive
            && in_list(&["ngl", "tbh", "honestly", "lol", "omg", "ok", "so"], prev)
}

fn lex_given(word: &str) -> bool {
    LEXICON
        .words
        .get(word)
        .is_some_and(|e| e.given >= 500 && !e.not_name)
}

/// A token of a script without case (Han, Hangul, Arabic, Hebrew, Devanagari...): a listed
/// given name with a listed surname next to it or a strong cue; a Han or Hangul run of 2-4
/// characters made of a listed surname and a listed given name (or 1-2 characters).
fn uncased_person(text: &str, toks: &[Tok], lower: &[Key<'_>], i: usize) -> bool {
    let lex = &*LEXICON;
    let word = &text[toks[i].s..toks[i].e];
    let e = lex
        .words
        .get(lower[i].as_str())
        .copied()
        .unwrap_or_default();
    let next = toks.get(i + 1).filter(|t| {
        let g = &text[t.gap_s..t.s];
        t.uncased && !g.is_empty() && g.chars().all(|c| c == ' ')
    });
    if e.given > 0 && !e.not_name {
        if next.is_some_and(|_| {
            lex.words
                .get(lower[i + 1].as_str())
                .is_some_and(|n| n.surname > 0 || n.given > 0)
        }) {
            return true;
        }
        let before = lower_prefix(text, toks[i].s, 24);
        if introduced(&before) || relation_before(lower, toks, text, i) {
            return true;
        }
    }
    let chars: Vec<char> = word.chars().collect();
    let han_or_hangul = chars
        .iter()
        .all(|c| matches!(*c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xAC00..=0xD7AF));
    if han_or_hangul && (2..=4).contains(&chars.len()) {
        for cut in 1..=2.min(chars.len() - 1) {
            let surname: String = chars[..cut].iter().collect();
            let given: String = chars[cut..].iter().collect();
            let s = lex.words.get(surname.as_str()).copied().unwrap_or_default();
            let g = lex.words.get(given.as_str()).copied().unwrap_or_default();
            if s.surname > 0 && g.given > 0 {
                return true;
            }
        }
    }
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    None,
    /// A listed name that is not an ordinary word.
    Listed,
    /// A listed name with a weak cue (a verb after it), or context that suits a person.
    Medium,
    /// A title, relation, introduction, salutation, sign-off or credentials.
    Strong,
}

fn lower_prefix(text: &str, i: usize, n: usize) -> String {
    let from = text[..i]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(k, _)| k);
    text[from..i].to_lowercase()
}

/// "my sister", "our therapist,", "Grandma" just before token `i`.
fn relation_before(lower: &[Key<'_>], toks: &[Tok], text: &str, i: usize) -> bool {
    if i == 0 {
        return false;
    }
    let g = &text[toks[i].gap_s..toks[i].s];
    if !g
        .chars()
        .all(|c| matches!(c, ' ' | ',' | '\u{a0}' | '(' | ':'))
    {
        return false;
    }
    let p = lower[i - 1].as_str();
    // "my sister's Insta" names a thing of hers, not her.
    if !in_list(RELATIONS, p) || toks[i - 1].possessive {
        return false;
    }
    // A possessive before the relation (my/our/his/her/their/your), maybe with adjectives.
    (1..=3).any(|k| {
        i > k
            && in_list(
                &[
                    "my", "our", "his", "her", "their", "your", "mi", "mon", "ma", "mein", "meine",
                ],
                lower[i - 1 - k].as_str(),
            )
    })
}

fn person_evidence(text: &str, toks: &[Tok], lower: &[Key<'_>], i: usize, e: &Entry) -> Evidence {
    let t = toks[i];
    let prev = if i > 0 { lower[i - 1].as_str() } else { "" };
    let next = lower.get(i + 1).map_or("", Key::as_str);
    let next2 = lower.get(i + 2).map_or("", Key::as_str);
    let gap = &text[t.gap_s..t.s];
    let word = &text[t.s..t.e];
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    // Single letters (initials belong to a name, never start one), contractions ("I'm"),
    // credentials ("PhD").
    if letters < 2 || CREDENTIALS.contains(&word) {
        return Evidence::None;
    }
    if let Some((head, _)) = lower[i].split_once('\'')
        && (head == "i" || head.len() >= 2 && LEXICON.words.get(head).is_some_and(|h| h.common))
    {
        return Evidence::None;
    }
    let same_sentence_next = toks
        .get(i + 1)
        .is_some_and(|n| !text[n.gap_s..n.s].contains(['.', '!', '?', '\n', ',', ';', ':']));
    // Title: "Dr. Okafor", "Grandma June", "Ms Lindqvist".
    let titled = i > 0
        && toks[i - 1].cap
        && in_list(TITLES, prev)
        && gap.chars().all(|c| matches!(c, ' ' | '.' | '\u{a0}'))
        && gap.len() <= 3;
    let relation = relation_before(lower, toks, text, i);
    // An ordinary word that is no name and no place ("The", "When") is a name only after a
    // title or relation or before credentials ("my daughter Hope"): settle that first, the
    // other cues cost more.
    let plain_word = !e.is_name() && e.common && !e.is_place();
    if plain_word && !titled && !relation {
        let next_may_extend = toks
            .get(i + 1)
            .is_some_and(|n| n.cap || in_list(PARTICLES, lower[i + 1].as_str()));
        let run_end = if next_may_extend {
            name_run_end(text, toks, lower, i)
        } else {
            t.e
        };
        if !credentials_after(text, run_end) {
            return Evidence::None;
        }
    }
    let intro = || introduced(&lower_prefix(text, t.s, 24));
    let salutation = i > 0
        && in_list(SALUTATIONS, prev)
        && (toks[i - 1].start || i == 1)
        && gap.chars().all(|c| matches!(c, ' ' | ',' | '\u{a0}'));
    // Sign-off: the name ends the message (maybe with credentials or a URL after), after a
    // closing word, a dash, a tilde or a line break.
    let last_name_end = name_run_end(text, toks, lower, i);
    let tail = text[last_name_end..].trim_start_matches([' ', '\t', '\u{a0}', '.', '!']);
    let ends = tail.is_empty()
        || tail.starts_with('(')
        || tail.starts_with('\n') && tail.trim().is_empty();
    let closing = gap.contains('\n')
        || gap.contains('-')
        || gap.contains('–')
        || gap.contains('—')
        || gap.contains('~')
        || (i > 0 && in_list(SIGN_OFFS, prev));
    let sign_off = ends && closing;
    let credentials = credentials_after(text, last_name_end);
    let shape_ok = word.chars().skip(1).any(char::is_lowercase);
    // (Only where it decides something.)
    let intro = shape_ok && !(titled || relation || credentials) && intro();
    if (titled || relation || intro || salutation || sign_off || credentials) && shape_ok {
        // Strong cues still refuse family words and interjections ("Hi Mom", "I'm Sorry").
        if e.family {
            return Evidence::None;
        }
        // A frequent given name that is also an ordinary word ("Mark", "Grant", "Guy") is
        // a name in a sign-off, before credentials or after a greeting; other stop-list
        // words (drugs, feelings, weekdays) only after a title or relation.
        let ordinary_name = e.place_with_cue && e.given >= 10_000;
        if e.not_name
            && !(titled || relation || ordinary_name && (sign_off || credentials || salutation))
        {
            return Evidence::None;
        }
        if !e.is_name() && e.common && !(titled || relation || credentials) {
            return Evidence::None;
        }
        if !e.is_name() && e.is_place() && !(titled || relation || credentials || intro) {
            return Evidence::None;
        }
        return Evidence::Strong;
    }
    if e.not_name || e.family || letters <= 2 || t.caps {
        return Evidence::None;
    }
    let verb_after = same_sentence_next
        && (in_list(PERSON_VERBS, next) || in_list(ADVERBS, next) && in_list(PERSON_VERBS, next2));
    // "Mike and Margaux", "Mum and Dafydd": a name joined by "and" to another.
    let and_name = |j: usize| {
        toks.get(j).is_some_and(|n| n.cap)
            && LEXICON
                .words
                .get(lower[j].as_str())
                .is_some_and(|n| n.given >= 500 && !n.not_name && !n.common)
    };
    let joined = same_sentence_next && next == "and" && and_name(i + 2)
        || i >= 2 && prev == "and" && and_name(i - 2) && !toks[i].start;
    if !e.is_name() {
        // Not in the lists: a capitalised word that is no ordinary word, told apart by what
        // a person does ("Giorgos told me") or by company ("Mum and Dafydd").
        if e.common || e.is_place() || !shape_ok {
            return Evidence::None;
        }
        let mum_and = i >= 2
            && prev == "and"
            && LEXICON
                .words
                .get(lower[i - 2].as_str())
                .is_some_and(|n| n.family);
        return if verb_after || mum_and || joined {
            Evidence::Medium
        } else {
            Evidence::None
        };
    }
    if e.common {
        // An ordinary word: only with another name beside it ("Will Thompson", "Mike and
        // Margaux") or mid-sentence with a person verb ("and Mark said").
        let neighbour = toks.get(i + 1).is_some_and(|n| {
            n.cap
                && &text[n.gap_s..n.s] == " "
                && LEXICON
                    .words
                    .get(lower[i + 1].as_str())
                    .is_some_and(|n| n.surname > 0 && !n.common && !n.not_name)
        });
        if neighbour && e.given > 0 || joined && e.given >= 500 {
            return Evidence::Medium;
        }
        if !t.start && verb_after && in_list(&["and", "with", "told", "asked"], prev) {
            return Evidence::Medium;
        }
        return Evidence::None;
    }
    if verb_after || joined || in_list(PERSON_BEFORE, prev) && !t.start {
        return Evidence::Medium;
    }
    if in_list(PERSON_AFTER, next)
        && same_sentence_next
        && !in_list(&["is", "was", "has", "had"], next)
        || in_list(&["is", "was"], next) && in_list(&["the", "my", "so", "always", "never"], next2)
    {
        return Evidence::Medium;
    }
    // A surname only at a sentence start is too weak ("Parker said nothing" reads as a name,
    // but so does "Young people" read as a surname).
    if t.start && e.given == 0 && !t.possessive {
        return Evidence::None;
    }
    Evidence::Listed
}

/// The end of the name starting at token `i` (for the sign-off and credentials checks).
fn name_run_end(text: &str, toks: &[Tok], lower: &[Key<'_>], i: usize) -> usize {
    let (_, e, _) = extend_name(text, toks, lower, i);
    e
}

/// Particles inside a full name.
const PARTICLES: &[&str] = &[
    "van", "von", "de", "da", "del", "der", "den", "di", "du", "la", "le", "bin", "binti", "ibn",
    "al", "el", "ní", "nic", "mac", "ter", "ten", "dos", "das", "do", "y", "af", "zu", "ó", "o",
    "ua", "mc", "bean", "ap", "ab", "ben", "bat", "abu", "ould",
];

/// The span of the full name that starts with token `i`: following name tokens, middle
/// initials and particles; `Doe, Jane`. Returns (start, end, next token index).
fn extend_name(text: &str, toks: &[Tok], lower: &[Key<'_>], i: usize) -> (usize, usize, usize) {
    let lex = &*LEXICON;
    let mut j = i;
    loop {
        let k = j + 1;
        let Some(next) = toks.get(k) else { break };
        let g = &text[next.gap_s..next.s];
        let simple =
            !g.is_empty() && g.len() <= 3 && g.chars().all(|c| matches!(c, ' ' | '\u{a0}'));
        let word = &text[next.s..next.e];
        let current = &text[toks[j].s..toks[j].e];
        // A middle initial "J." (the gap after it holds the dot).
        if next.cap && word.chars().count() == 1 && simple {
            if let Some(after) = toks.get(k + 1) {
                let g2 = &text[after.gap_s..after.s];
                if after.cap
                    && (g2 == ". " || g2 == "." || g2 == ".\u{a0}" || g2 == " ")
                    && g2.starts_with('.')
                {
                    j = k + 1;
                    continue;
                }
            }
            break;
        }
        // Particles: "van der Berg", "bin Salman", "de la Cruz".
        if in_list(PARTICLES, lower[k].as_str()) && simple {
            let mut m = k;
            while toks
                .get(m + 1)
                .is_some_and(|_| in_list(PARTICLES, lower[m + 1].as_str()))
            {
                m += 1;
            }
            if let Some(after) = toks.get(m + 1)
                && after.cap
                && text[after.gap_s..after.s].chars().all(|c| c == ' ')
            {
                j = m + 1;
                continue;
            }
            break;
        }
        let uncased = next.uncased && toks[i].uncased;
        if !((next.cap || uncased) && simple) || next.caps && !toks[i].caps {
            break;
        }
        let e = lex
            .words
            .get(lower[k].as_str())
            .copied()
            .unwrap_or_default();
        // The next word belongs to the name when the lists know it as a name and it is not a
        // stop-list word; a common word only when it is a surname and the name so far is a
        // given name ("Grace Young").
        let first_given = lex
            .words
            .get(lower[i].as_str())
            .is_some_and(|f| f.given > 0);
        let name_shaped = word.chars().skip(1).any(char::is_lowercase);
        let ok = e.is_name() && !e.not_name && !e.family && (!e.common || e.surname >= 500)
            || (!e.common && !e.not_name && !e.is_place() && credentials_after(text, next.e))
            || (e.is_name() && e.common && !e.not_name && credentials_after(text, next.e))
            // An unlisted surname after a given name: "Iñaki Etxeberria".
            || (first_given && name_shaped && !e.is_name() && !e.common && !e.not_name && !e.is_place());
        let _ = current;
        if !ok {
            break;
        }
        j = k;
    }
    // "Lindqvist, Maren": a surname-only word, a comma, a given name ending the phrase.
    if j == i
        && let Some(next) = toks.get(i + 1)
    {
        let g = &text[next.gap_s..next.s];
        let here = lex
            .words
            .get(lower[i].as_str())
            .copied()
            .unwrap_or_default();
        let there = lex
            .words
            .get(lower[i + 1].as_str())
            .copied()
            .unwrap_or_default();
        if g == ", "
            && next.cap
            && (here.surname > here.given || !here.is_name())
            && !here.common
            && !here.not_name
            && !here.is_place()
            && there.given > 0
            && !there.common
            && !there.not_name
            && toks.get(i + 2).is_none_or(|t| {
                let a = &text[t.gap_s..t.s];
                // Not a list of names ("Tom, Jane, Mike", "Tom, Jane and Mike").
                !(a == ", " && t.cap) && !(a == " " && (t.cap || lower[i + 2].as_str() == "and"))
            })
        {
            j = i + 1;
        }
    }
    (toks[i].s, toks[j].e, j + 1)
}

/// Whether a place cue surrounds tokens `i..=j`.
fn place_cue(text: &str, toks: &[Tok], lower: &[Key<'_>], i: usize, j: usize) -> bool {
    let prev = if i > 0 { lower[i - 1].as_str() } else { "" };
    let prev2 = if i > 1 { lower[i - 2].as_str() } else { "" };
    let next = lower.get(j + 1).map_or("", Key::as_str);
    let gap_before = &text[toks[i].gap_s..toks[i].s];
    let gap_after = toks.get(j + 1).map_or("", |t| &text[t.gap_s..t.s]);
    let before =
        i > 0 && !gap_before.contains(['.', '!', '?', '\n']) && in_list(PLACE_BEFORE, prev);
    let the_area = prev == "the" && in_list(PLACE_AFTER, next);
    let near_region = gap_after.trim() == ","
        && toks.get(j + 1).is_some_and(|t| {
            t.cap
                && LEXICON
                    .words
                    .get(lower[j + 1].as_str())
                    .is_some_and(|e| e.region > 0)
        });
    // "Austin, Texas": a region after a place and a comma.
    let after_place = i > 0
        && gap_before.trim() == ","
        && toks[i - 1].cap
        && LEXICON
            .words
            .get(lower[i - 1].as_str())
            .is_some_and(|e| e.location > 0);
    let moved = in_list(
        &[
            "moved", "move", "live", "lives", "lived", "living", "grew", "born", "based", "flew",
            "drove",
        ],
        prev2,
    ) && in_list(&["to", "in", "up", "from"], prev);
    before
        || the_area
        || near_region
        || after_place
        || moved
        || in_list(PLACE_AFTER, next) && toks[i].cap
}

/// Whether tokens `i..=j` (a listed place) are a place here, and which kind.
fn place_kind(
    text: &str,
    toks: &[Tok],
    lower: &[Key<'_>],
    i: usize,
    j: usize,
    e: Entry,
    phrase: bool,
) -> Option<Kind> {
    let cue = place_cue(text, toks, lower, i, j);
    let kind = if e.region > 0 && e.location > 0 {
        if e.city_of_region || e.location > 300_001 && e.region < 2 && !e.anglo_region {
            Kind::Location
        } else {
            Kind::Region
        }
    } else if e.region > 0 {
        Kind::Region
    } else {
        Kind::Location
    };
    let word = &text[toks[i].s..toks[j].e];
    if !toks[i].cap || word.chars().count() < 3 && !phrase {
        return None;
    }
    // "MoCA", "iPhone": inner capitals after a lower-case letter are not a place's name.
    let camel = word
        .chars()
        .zip(word.chars().skip(1))
        .any(|(a, b)| a.is_lowercase() && b.is_uppercase());
    if camel {
        return None;
    }
    if e.not_name || e.common || e.family {
        // "moved to Reading", never "Reading helps".
        return (cue && (!toks[i].start || i > 0)).then_some(kind);
    }
    if cue || phrase {
        return Some(kind);
    }
    // No cue: big places and countries, regions of a few letters or more.
    let big = match kind {
        Kind::Region => e.region == 2 || word.chars().count() >= 4,
        _ => e.location > 15_001,
    };
    big.then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(Kind, String)> {
        let mut out = Vec::new();
        find(text, &mut out);
        out.sort();
        out.into_iter()
            .map(|(s, e, k)| (k, text[s..e].to_string()))
            .collect()
    }

    #[test]
    fn names_and_places_in_counselling_text() {
        let f = found("my ex, Daniel, moved to Leeds last year");
        assert!(f.contains(&(Kind::Person, "Daniel".into())), "{f:?}");
        assert!(f.contains(&(Kind::Location, "Leeds".into())), "{f:?}");
        let f = found("Dr. Okafor at the clinic said Priya Raman never texts back.");
        assert!(f.contains(&(Kind::Person, "Okafor".into())), "{f:?}");
        assert!(f.contains(&(Kind::Person, "Priya Raman".into())), "{f:?}");
        let f = found("We drove from Austin, Texas to see my sister Hope.");
        assert!(f.contains(&(Kind::Location, "Austin".into())), "{f:?}");
        assert!(f.contains(&(Kind::Region, "Texas".into())), "{f:?}");
        assert!(f.contains(&(Kind::Person, "Hope".into())), "{f:?}");
    }

    #[test]
    fn signatures_with_credentials() {
        let f = found("I hope this was helpful. Be well.Robin J. Landwehr, DBH, LPCC, NCC");
        assert_eq!(f, [(Kind::Person, "Robin J. Landwehr".into())]);
        let f = found("seeking help.\u{a0}Best wishesKatrina Whitehead MA LPCC");
        assert_eq!(f, [(Kind::Person, "Katrina Whitehead".into())]);
        let f = found("Warm regards,Shawn Berthel, M.S., LMHC");
        assert_eq!(f, [(Kind::Person, "Shawn Berthel".into())]);
    }

    #[test]
    fn ordinary_words_are_not_names() {
        for text in [
            "Bill came in the mail today.",
            "Hope is what keeps me going.",
            "Prozac helped more than Zoloft did.",
            "Reading helps me calm down.",
            "Mark my words, it gets better.",
            "On Monday in May I start CBT with the Crisis Text Line.",
            "Grace under pressure is hard.",
            "Young people struggle with this.",
        ] {
            assert_eq!(found(text), [], "{text}");
        }
    }
}

#[cfg(test)]
mod tokenizer_tests {
    use super::*;

    #[test]
    fn ascii_fast_path_gives_the_same_tokens() {
        let texts = [
            "Hi! I'm Dana's sister; wellRobin Smith, LPCC -- see www.x.com/aB 12ab cd3 don't",
            "O'Neil-Smith's  'quoted' x-'y a-b- 'S's I'S MiXedCase McDonald iPhone ABC's",
            "",
            "   ...",
            "a",
            "Zz-9 9Zz best!Laura Cassity,LMSW\nBe well,\n~Mark",
        ];
        for t in texts {
            let a: Vec<_> = tokens(t).iter().map(|x| format!("{x:?}")).collect();
            let u: Vec<_> = tokens_unicode(t).iter().map(|x| format!("{x:?}")).collect();
            assert_eq!(a, u, "{t}");
        }
        // And on random strings over the characters that matter.
        let alphabet = [
            'a', 'A', 'b', 'Z', 'z', '\'', 's', '-', ' ', '.', ',', '!', '\n', '9', '~', '(',
            '\u{a0}', '’', 'é', '—', '😀',
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..5000 {
            let len = (state % 24) as usize;
            let mut s = String::new();
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            state = state.wrapping_add(1);
            let a: Vec<_> = tokens(&s).iter().map(|x| format!("{x:?}")).collect();
            let u: Vec<_> = tokens_unicode(&s)
                .iter()
                .map(|x| format!("{x:?}"))
                .collect();
            assert_eq!(a, u, "{s:?}");
        }
    }
}
