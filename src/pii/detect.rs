//! Detection ([`scan`]): one pass over a text's bytes finds what it contains (`@`, digits, `:`,
//! `.`, capitals), then only the detectors that can match run, each a regex from one table
//! (`detectors`, compiled once) plus a validator (checksums, context, boundaries). Overlapping
//! findings are resolved longest-first (ties: the kind listed first in [`Kind`]).

use std::sync::LazyLock;

use regex::Regex;

use super::validators::{digits, iban_valid, luhn};
use super::words::{DOMAIN_TLDS, NOT_NAMES};
use super::{Finding, Kind};

/// How a detector's match becomes a finding.
#[derive(Clone, Copy)]
enum Check {
    /// Capture group 1 (else the whole match) is the span, with no further check.
    Plain,
    /// E-mail: the whole match.
    Email,
    /// URL: trailing punctuation trimmed; not part of an e-mail.
    Url,
    /// Bare domain: not part of an e-mail or of a longer dotted word.
    Domain,
    /// Phone: digit count, isolation from other digits, not a date/time/price/version.
    Phone,
    /// Phone written without area code or without separators: needs a phone word nearby.
    PhoneWithContext,
    /// SSN: area not 000/666/9xx, group not 00, serial not 0000.
    Ssn,
    /// Payment card: 13-19 digits, Luhn, known prefix, isolated.
    Card,
    /// IPv4 address, not a version string.
    Ipv4,
    /// IPv6 address: must parse.
    Ipv6,
    /// IBAN: country length and mod-97.
    Iban,
    /// Age 90 or more.
    Age,
    /// Age 90 or more in words: the captured words, no further check.
    AgeWords,
    /// Handle: not inside an e-mail or word.
    Handle,
    /// A name: not a common word.
    Person,
    /// ZIP in address context.
    Zip,
    /// Record number: at least 4 characters, a digit.
    Record,
}

struct Detector {
    kind: Kind,
    regex: &'static str,
    check: Check,
    /// Literals one of which every match contains (empty: none): the detector is skipped on a
    /// text without any of them.
    needs: &'static [&'static str],
    /// Run only when the one regex joining every `grouped` detector matches the text (one pass
    /// instead of one per detector; they rarely match, so most texts stop there).
    grouped: bool,
}

/// What a text contains, from one pass over its bytes: a detector runs only when the text has
/// what every one of its matches needs.
#[derive(Clone, Copy, Default)]
struct Features {
    at: bool,
    digit: bool,
    colon: bool,
    dot: bool,
    upper: bool,
    /// A `.` followed by a listed lower-case TLD and a non-alphanumeric byte (or the end).
    tld: bool,
}

impl Features {
    fn of(text: &str) -> Self {
        let mut f = Features::default();
        for &b in text.as_bytes() {
            match b {
                b'@' => f.at = true,
                b'0'..=b'9' => f.digit = true,
                b':' => f.colon = true,
                b'.' => f.dot = true,
                b'A'..=b'Z' => f.upper = true,
                0x80.. => f.upper = true, // non-ASCII capitals (names)
                _ => {}
            }
        }
        if f.dot {
            let b = text.as_bytes();
            f.tld = b.iter().enumerate().any(|(i, &c)| {
                c == b'.'
                    && DOMAIN_TLDS.iter().any(|t| {
                        b[i + 1..].starts_with(t.as_bytes())
                            && b.get(i + 1 + t.len())
                                .is_none_or(|n| !n.is_ascii_alphanumeric())
                    })
            });
        }
        f
    }

    fn allows(self, check: Check, kind: Kind) -> bool {
        match check {
            Check::Email | Check::Handle => self.at,
            Check::Url => self.dot || self.colon,
            Check::Domain => self.tld,
            Check::Ipv6 => self.colon,
            Check::Person => self.upper,
            Check::AgeWords => true,
            _ => kind == Kind::Person || self.digit,
        }
    }
}

const NAME: &str = r"\p{Lu}[\p{Ll}\p{Lu}'’\-]*\p{Ll}(?:[ \t]+(?:(?:van|von|de|da|del|der|di|du|la|le|bin|al|el)[ \t]+)?\p{Lu}[\p{Ll}\p{Lu}'’\-]*\p{Ll})?";

/// The detectors. Each comment says what it matches and what it deliberately does not.
fn detectors() -> Vec<Detector> {
    let title = r"(?:(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof|Rev)\.?[ \t]+)?";
    vec![
        // E-mail: local@domain.tld with a 2-24 letter TLD. Not "name at domain dot com", not
        // "@handle" (no local part).
        Detector {
            kind: Kind::Email,
            regex: r"(?i)[a-z0-9][a-z0-9._%+\-]*@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,24}",
            check: Check::Email,
            needs: &[],
            grouped: false,
        },
        // URL with a scheme or www.; trailing punctuation and a wrapping ')' are not part of it.
        Detector {
            kind: Kind::Url,
            regex: r#"(?i)(?:https?://|www\.)[^\s<>"'\[\]{}]+"#,
            check: Check::Url,
            needs: &[],
            grouped: false,
        },
        // Bare domain with a known, lower-case TLD (optionally a path): counselchat.com,
        // griefcircle.org/x. Not file names (notes.txt) or abbreviations (e.g.): the TLD must be on
        // the list; not sentences glued at a full stop ("do.It", "help.Me"): the TLD is lower case,
        // and TLDs that are English words (it, me, in, no, ...) need a path.
        Detector {
            kind: Kind::Url,
            regex: Box::leak(
                format!(
                    r"(?-u:\b)(?:(?i:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?)\.)+(?:{})(?-u:\b)(?:/[^\s<>]*)?",
                    DOMAIN_TLDS.join("|")
                )
                .into_boxed_str(),
            ),
            check: Check::Domain,
            needs: &[],
            grouped: false,
        },
        // IBAN: country code, check digits, 11-30 alphanumerics, compact or in groups of four;
        // checked by length per country and mod-97. Not IBAN-shaped strings failing the check.
        Detector {
            kind: Kind::Iban,
            regex: r"(?-u:\b)[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}(?-u:\b)",
            check: Check::Iban,
            needs: &[],
            grouped: false,
        },
        // Payment card: 13-19 digits in groups separated by spaces or dashes, Luhn-valid, with a
        // card-network prefix (2-6). Not other digit runs (order, tracking, ISBN numbers fail Luhn
        // or the prefix, or touch other digits).
        Detector {
            kind: Kind::CreditCard,
            regex: r"(?-u:\b)\d(?:[ \-]?\d){12,18}(?-u:\b)",
            check: Check::Card,
            needs: &[],
            grouped: false,
        },
        // US SSN: ddd-dd-dddd or ddd dd dddd with valid area, group and serial. Not 000/666/9xx
        // areas, 00 groups or 0000 serials; not nine bare digits.
        Detector {
            kind: Kind::Ssn,
            regex: r"(?-u:\b)\d{3}[\- ]\d{2}[\- ]\d{4}(?-u:\b)",
            check: Check::Ssn,
            needs: &[],
            grouped: false,
        },
        // NANP: (555) 123-4567, 555-123-4567, 555.123.4567, +1 555 123 4567, 1-800-555-0199,
        // with an optional extension. Not digit runs inside longer numbers, dates, times, prices.
        Detector {
            kind: Kind::Phone,
            regex: r"(?i)(?:\+?1[ \-.]?)?(?:\(\d{3}\)[ \-.]?|\d{3}[ \-.])\d{3}[ \-.]\d{4}(?:[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6})?",
            check: Check::Phone,
            needs: &[],
            grouped: false,
        },
        // International with +: +44 7911 123456, +33 6 12 34 56 78, +447911123456, +49 (0)30 ...
        Detector {
            kind: Kind::Phone,
            regex: r"\+\d{1,3}(?:[ \-.]?\(0\))?(?:[ \-.]?\d{1,5}){2,6}",
            check: Check::Phone,
            needs: &[],
            grouped: false,
        },
        // National trunk-prefixed numbers (UK 07911 123456 / 020 7946 0958, FR 06 12 34 56 78,
        // DE 069 90009 350, ES/IT similar): a leading 0, separators, 9-12 digits.
        Detector {
            kind: Kind::Phone,
            regex: r"(?-u:\b)0[1-9]\d{0,3}(?:[ \-./]\d{2,8}){1,4}(?-u:\b)",
            check: Check::Phone,
            needs: &[],
            grouped: false,
        },
        // A local number without area code (555-0147) or ten bare digits: only with a phone word
        // (call, phone, number, cell, mobile, text, reach, tel, dial, ring) just before.
        Detector {
            kind: Kind::Phone,
            regex: r"(?-u:\b)(?:\d{3}[\-.]\d{4}|[2-9]\d{9})(?-u:\b)",
            check: Check::PhoneWithContext,
            needs: &[],
            grouped: false,
        },
        // Nine-digit national numbers without trunk prefix (ES 667.436.597, 910 81 44 28): only
        // with a phone word just before.
        Detector {
            kind: Kind::Phone,
            regex: r"(?-u:\b)[6-9]\d{2}(?:[ .]\d{2,3}){2,3}(?-u:\b)",
            check: Check::PhoneWithContext,
            needs: &[],
            grouped: false,
        },
        // IPv4 dotted quad. Not version strings (v1.2.3.4, "version 1.2.3.4").
        Detector {
            kind: Kind::IpAddress,
            regex: r"(?-u:\b)(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?-u:\b)",
            check: Check::Ipv4,
            needs: &[],
            grouped: false,
        },
        // IPv6, full or compressed; must parse as an address. Not times (14:32:07).
        Detector {
            kind: Kind::IpAddress,
            regex: r"(?i)(?:[0-9a-f]{1,4}:){1,7}(?:(?::[0-9a-f]{1,4}){1,7}|[0-9a-f]{1,4}|:)",
            check: Check::Ipv6,
            needs: &[],
            grouped: false,
        },
        // Record numbers introduced by a keyword: MRN, medical record, member/patient/policy/case/
        // account/insurance ID or number, NHS number. The identifier is the span, not the keyword;
        // it must contain a digit. Not order or tracking numbers (no such keyword).
        Detector {
            kind: Kind::RecordNumber,
            regex: r"(?i)(?-u:\b)(?:MRN|medical[ \t]+record(?:[ \t]+(?:number|no\.?|#))?|(?:member|patient|policy|case|account|insurance|subscriber|client|chart|claim|medicaid|medicare|benefits|health[ \t]+card|NHS|NHI)[ \t]*(?:ID|number|no\.?|#)|NHS[ \t]+number)(?:[ \t]+is)?[ \t]*[:#]?[ \t]*((?-i:[A-Z0-9][A-Z0-9\-/]*[A-Z0-9]|[A-Z0-9])(?:[ ]\d{2,})*)",
            check: Check::Record,
            needs: &[],
            grouped: false,
        },
        // Dates in a birth context (born, birth, DOB, d.o.b., birthday within a few words): the
        // date only. Not dates without such a word (appointments, deadlines).
        Detector {
            kind: Kind::DateOfBirth,
            regex: r"(?i)(?-u:\b)(?:born(?:[ \t]+(?:on|in))?|birth[ \t]*date|date[ \t]+of[ \t]+birth|d\.?o\.?b\.?|birthday(?:[ \t]+is)?)[^\d\n]{0,24}?((?:\d{1,2}-(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*-\d{4})|(?:\d{1,2}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?[ \t]+\d{4})|(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[ \t]+\d{1,2}(?:st|nd|rd|th)?,?[ \t]+\d{4})|(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4})|(?:\d{4}-\d{2}-\d{2}))",
            check: Check::Plain,
            needs: &[],
            grouped: false,
        },
        // Street address: house number (+ letter), optional direction, 1-3 capitalised words or an
        // ordinal (42nd), and a street suffix. The span ends at the suffix (no trailing '.').
        Detector {
            kind: Kind::StreetAddress,
            regex: r"(?-u:\b)\d{1,6}[A-Z]?[ \t]+(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?[ \t]+)?(?:(?:\p{Lu}[\p{Ll}'’]+\.?|\d{1,3}(?:st|nd|rd|th))[ \t]+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Close|Crescent|Row)(?-u:\b)",
            check: Check::Plain,
            needs: &[],
            grouped: false,
        },
        // US ZIP or ZIP+4 after a state code (", IL 62704") or the word ZIP/zip code/postal code,
        // or "in 34902-6780" style ZIP+4. Not other five-digit numbers.
        Detector {
            kind: Kind::ZipCode,
            regex: r"(?i)(?:(?-u:\b)(?:zip|zip[ \t]+code|zipcode|postal[ \t]+code)[ \t]*(?:is|:)?[ \t]*|(?-i:,[ \t]*[A-Z]{2})[ \t]+)(\d{5}(?:-\d{4})?)(?-u:\b)|(?-u:\b)(\d{5}-\d{4})(?-u:\b)",
            check: Check::Zip,
            needs: &[],
            grouped: false,
        },
        // Ages of 90 and over (HIPAA Safe Harbor): "93-year-old", "93 years old", "aged 91",
        // "turned 102", "<relative> is 93", "He was 97". The number only. Not ages under 90.
        Detector {
            kind: Kind::AgeOver89,
            regex: r"(?i)(?-u:\b)(\d{2,3})(?:[ \-]?(?:years?|yrs?)[ \-]?old|[ \-]year[ \-]old|[ \t]*y/?o(?-u:\b))|(?-u:\b)(?:aged?|turned|turning|reached|age[ \t]+of|(?:is|was|am|be)(?:[ \t]+now)?)[ \t]+(\d{2,3})(?-u:\b)|(?-u:\b)at[ \t]+(\d{2,3}),|(?-u:\b)age[ \t]*:[ \t]*(\d{2,3})(?-u:\b)|(?-u:\b)(?:mom|mum|dad|mother|father|grand(?:mother|father|ma|pa)|husband|wife|aunt|uncle|patient|client|neighbou?r|he|she)[ \t]*,[ \t]*(\d{2,3})[ \t]*,",
            check: Check::Age,
            needs: &[],
            grouped: false,
        },
        // The same ages in words: "ninety-two years old", "turned ninety five", "a hundred and
        // one year old". The words only. Not "ninety percent", "ninety days".
        Detector {
            kind: Kind::AgeOver89,
            regex: Box::leak(
                format!(
                    r"(?i)(?-u:\b)({words})(?:[ \-]?(?:years?|yrs?)[ \-]?old|[ \-]year[ \-]old)|(?-u:\b)(?:aged?|turned|turning|reached|age[ \t]+of|(?:is|was|am|be|i'm|i’m)(?:[ \t]+now)?)[ \t]+({words})(?-u:\b)",
                    words = r"(?:ninety|(?:one|a)[ \t]+hundred(?:[ \t]+and)?)(?:[ \-]?(?:one|two|three|four|five|six|seven|eight|nine))?"
                )
                .into_boxed_str(),
            ),
            check: Check::AgeWords,
            needs: &["inety", "INETY", "undred", "UNDRED"],
            grouped: false,
        },
        // Social handle @name (letters, digits, _ and inner dots, up to 30). Not e-mails (a
        // word character before '@') and not "@ 5pm".
        Detector {
            kind: Kind::Handle,
            regex: r"@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?",
            check: Check::Handle,
            needs: &[],
            grouped: false,
        },
        // Self-introductions: "my name is X", "I'm X and|,|.", "call me X", "X here", "this is X".
        // The name must be capitalised and not a common word ("I'm Sorry", "I'm Feeling").
        Detector {
            kind: Kind::Person,
            regex: Box::leak(
                format!(r"(?:(?i:(?-u:\b)my[ \t]+name[ \t]+is|(?-u:\b)my[ \t]+name's|(?-u:\b)call[ \t]+me|(?-u:\b)this[ \t]+is|(?-u:\b)I[ \t]*am|(?-u:\b)I'?m|(?-u:\b)I’m|(?-u:\b)it'?s|(?-u:\b)it’s)[ \t]+{title}({NAME}))")
                    .into_boxed_str(),
            ),
            check: Check::Person,
            needs: &[],
            grouped: true,
        },
        // A title before a capitalised name anywhere: "Dr. Okafor", "Ms. Lindqvist".
        Detector {
            kind: Kind::Person,
            regex: Box::leak(format!(r"(?-u:\b)(?:Dr|Mr|Mrs|Ms|Mx|Prof)\.?[ \t]+({NAME})").into_boxed_str()),
            check: Check::Person,
            needs: &[],
            grouped: true,
        },
        // A relation before a name: "my best friend Gurpreet", "my therapist, Jordan".
        Detector {
            kind: Kind::Person,
            regex: Box::leak(
                format!(r"(?-u:\b)(?i:my|our|his|her|their)[ \t]+(?i:best[ \t]+)?(?i:friend|boyfriend|girlfriend|partner|husband|wife|son|daughter|brother|sister|mom|mum|dad|mother|father|therapist|counsellor|counselor|psychiatrist|boss|manager|roommate|flatmate|cousin|aunt|uncle|grandma|grandpa|grandmother|grandfather|ex|fiancée?|colleague|coworker|co-worker|neighbou?r|teacher|doctor|nurse|coach)[ \t,]+{title}({NAME})").into_boxed_str(),
            ),
            check: Check::Person,
            needs: &[],
            grouped: true,
        },
        // A short closing line ending in a comma, then the name on the last line:
        // "Talk soon,\nChiara".
        Detector {
            kind: Kind::Person,
            regex: Box::leak(format!(r"(?:^|\n)[^\n,]{{1,25}},[ \t]*\n[ \t]*{title}({NAME})[ \t]*[.!]?[ \t]*$").into_boxed_str()),
            check: Check::Person,
            needs: &[],
            grouped: false,
        },
        // "X here." at the start of a message or after a greeting.
        Detector {
            kind: Kind::Person,
            regex: Box::leak(format!(r"(?:^|[.!?,][ \t]+|\n)({NAME})[ \t]+here(?-u:\b)").into_boxed_str()),
            check: Check::Person,
            needs: &[" here", "\there"],
            grouped: false,
        },
        // Salutations: "Dear Dr. Okafor,", "Hi Sam,", "Hello Ms. Lindqvist". Not "Hi there",
        // "Dear diary", "Hi everyone" (lower case or common words).
        Detector {
            kind: Kind::Person,
            regex: Box::leak(
                format!(r"(?:(?-u:\b)(?i:dear|hi|hello|hey|thanks|thank[ \t]+you)[ \t,]+){title}({NAME})(?-u:\b)").into_boxed_str(),
            ),
            check: Check::Person,
            needs: &[],
            grouped: true,
        },
        // Sign-offs closing a message: "- Jordan", "Best, Elena Petrova", "Warmly, Dr. Kim".
        Detector {
            kind: Kind::Person,
            regex: Box::leak(
                format!(r"(?:^|\n|[.!?][ \t]+)[ \t]*(?:[-–—~][ \t]*|(?i:best|regards|warmly|sincerely|thanks|cheers|best[ \t]+wishes|kind[ \t]+regards|take[ \t]+care|love|xo|with[ \t]+care|yours)[ \t]*,?[ \t\n]+){title}({NAME})[ \t]*[.!]?[ \t]*$")
                    .into_boxed_str(),
            ),
            check: Check::Person,
            needs: &[],
            grouped: false,
        },
    ]
}

struct Compiled {
    regexes: Vec<Regex>,
    detectors: Vec<Detector>,
    /// The alternation of the `grouped` detectors' patterns.
    group: Regex,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let detectors = detectors();
    let patterns: Vec<String> = detectors
        .iter()
        .map(|d| {
            // Sign-offs anchor on the end of the text: `$` means end of text here.
            d.regex.to_string()
        })
        .collect();
    let group = detectors
        .iter()
        .zip(&patterns)
        .filter(|(d, _)| d.grouped)
        .map(|(_, p)| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    // The one place the detectors' regexes are compiled (clippy.toml forbids it elsewhere).
    #[allow(clippy::disallowed_methods)]
    let compile = |p: &str| Regex::new(p).expect("invariant: PII patterns compile");
    Compiled {
        regexes: patterns.iter().map(|p| compile(p)).collect(),
        group: compile(&group),
        detectors,
    }
});

/// Force compilation (so timing a scan does not include it).
pub fn warm_up() {
    LazyLock::force(&COMPILED);
}

/// Detectors whose every match contains a digit (they run on [`digit_windows`] only).
fn needs_digit(check: Check, kind: Kind) -> bool {
    !matches!(
        check,
        Check::Email
            | Check::Handle
            | Check::Url
            | Check::Domain
            | Check::Ipv6
            | Check::Person
            | Check::AgeWords
    ) && kind != Kind::Person
}

/// Byte ranges around digit runs (80 bytes before, 40 after, on char boundaries), merged.
fn digit_windows(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let mut j = i;
            while j < b.len()
                && (b[j].is_ascii_alphanumeric()
                    || matches!(b[j], b' ' | b'-' | b'.' | b'/' | b'(' | b')' | b'+'))
            {
                j += 1;
            }
            let s = text.floor_char_boundary(i.saturating_sub(80));
            let e = text.ceil_char_boundary((j + 40).min(b.len()));
            match out.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => out.push((s, e)),
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Phone words that make a short or unseparated digit run a phone number.
#[allow(clippy::disallowed_methods)] // compiled once, in this static
static PHONE_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:call|calls|calling|phone|number|cell|mobile|text|texting|reach|tel|telephone|dial|ring|whatsapp|contact|line|landline|fax)\b")
        .expect("invariant: static regex compiles")
});

/// Scan one text. `known_names` (from the record's own metadata) are found wherever they occur.
pub fn scan(text: &str, known_names: &[String]) -> Vec<Finding> {
    let c = &*COMPILED;
    let mut found: Vec<(usize, usize, Kind)> = Vec::new();
    let features = Features::of(text);
    // Detectors anchored on digits only need to look around digit runs: windows from 80 bytes
    // before to 40 after each run, merged. Validators still see the whole text.
    let digit_windows = if features.digit {
        digit_windows(text)
    } else {
        Vec::new()
    };
    let whole = [(0usize, text.len())];
    let mut group_matches: Option<bool> = None;
    for (i, d) in c.detectors.iter().enumerate() {
        if !features.allows(d.check, d.kind)
            || !(d.needs.is_empty() || d.needs.iter().any(|n| text.contains(n)))
            || (d.grouped && !*group_matches.get_or_insert_with(|| c.group.is_match(text)))
        {
            continue;
        }
        let windows: &[(usize, usize)] = if needs_digit(d.check, d.kind) {
            &digit_windows
        } else {
            &whole
        };
        for &(ws, we) in windows {
            for caps in c.regexes[i].captures_iter(&text[ws..we]) {
                let m = (1..caps.len())
                    .find_map(|g| caps.get(g))
                    .unwrap_or_else(|| caps.get(0).expect("invariant: group 0"));
                if let Some((s, e)) = validate(d.check, text, ws + m.start(), ws + m.end()) {
                    found.push((s, e, d.kind));
                }
            }
        }
    }
    for name in known_names {
        if name.chars().count() < 4 {
            continue;
        }
        for (s, _) in text.match_indices(name.as_str()) {
            let e = s + name.len();
            // Scraped text glues words ("Best wishesKatrina Whitehead"): a lower-case letter
            // running into the name's capital still counts as a boundary.
            let glued = char_before(text, s).is_some_and(char::is_lowercase);
            if (boundary_before(text, s) || glued) && boundary_after(text, e) {
                found.push((s, e, Kind::Person));
            }
        }
    }
    resolve(text, found)
}

/// Longest first, then kind priority; drop anything overlapping an accepted span.
fn resolve(text: &str, mut found: Vec<(usize, usize, Kind)>) -> Vec<Finding> {
    found.sort_by(|a, b| {
        (b.1 - b.0)
            .cmp(&(a.1 - a.0))
            .then(a.2.cmp(&b.2))
            .then(a.0.cmp(&b.0))
    });
    let mut accepted: Vec<(usize, usize, Kind)> = Vec::new();
    for f in found {
        if f.0 < f.1 && accepted.iter().all(|a| f.1 <= a.0 || f.0 >= a.1) {
            accepted.push(f);
        }
    }
    accepted.sort_unstable();
    // Byte offsets to code points, in one pass.
    let mut out = Vec::with_capacity(accepted.len());
    let mut chars = 0usize;
    let mut pos = 0usize;
    for (s, e, kind) in accepted {
        chars += text[pos..s].chars().count();
        let start = chars;
        chars += text[s..e].chars().count();
        pos = e;
        out.push(Finding {
            kind,
            start,
            end: chars,
            byte_start: s,
            byte_end: e,
        });
    }
    out
}

/// The (at most) `n` characters of `text` before byte `i`.
fn chars_before(text: &str, i: usize, n: usize) -> &str {
    let from = text[..i]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(k, _)| k);
    &text[from..i]
}

/// The (at most) `n` characters before byte `i`, lower-cased: the context words of a match
/// ("order #", "version").
fn lower_before(text: &str, i: usize, n: usize) -> String {
    chars_before(text, i, n).to_lowercase()
}

fn char_before(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

fn char_after(text: &str, i: usize) -> Option<char> {
    text[i..].chars().next()
}

fn boundary_before(text: &str, i: usize) -> bool {
    char_before(text, i).is_none_or(|c| !c.is_alphanumeric() && c != '_')
}

fn boundary_after(text: &str, i: usize) -> bool {
    char_after(text, i).is_none_or(|c| !c.is_alphanumeric() && c != '_')
}

/// Not glued to other digits or number punctuation (`1234-555-0101`, `3.555.123.4567`).
fn digits_isolated(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s].chars().rev().take(2).collect::<Vec<_>>();
    let after = text[e..].chars().take(2).collect::<Vec<_>>();
    let glued_before = match before.as_slice() {
        [c, ..] if c.is_alphanumeric() || *c == '_' => true,
        [c, d, ..] if matches!(c, '-' | '.' | '/' | ':' | ',') && d.is_ascii_digit() => true,
        ['$' | '€' | '£' | '#', ..] => true,
        _ => false,
    };
    let glued_after = match after.as_slice() {
        [c, ..] if c.is_alphanumeric() || *c == '_' => true,
        [c, d, ..] if matches!(c, '-' | '.' | '/' | ':' | ',') && d.is_ascii_digit() => true,
        [c, ..] if *c == '%' => true,
        _ => false,
    };
    !glued_before && !glued_after
}

/// The neighbouring tokens are not digit groups (a phone inside a longer grouped number).
fn tokens_isolated(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s].trim_end_matches([' ', '\t']);
    let after = text[e..].trim_start_matches([' ', '\t']);
    let spaced_before = before.len() < s;
    let spaced_after = after.len() < text.len() - e;
    let digit_before = spaced_before && before.ends_with(|c: char| c.is_ascii_digit());
    let digit_after = spaced_after && after.starts_with(|c: char| c.is_ascii_digit());
    !digit_before && !digit_after
}

/// Apply a detector's check; returns the (possibly trimmed) span.
fn validate(check: Check, text: &str, s: usize, e: usize) -> Option<(usize, usize)> {
    let m = &text[s..e];
    match check {
        Check::AgeWords => Some((s, e)),
        Check::Plain => {
            if !boundary_before(text, s) && !m.starts_with(|c: char| !c.is_alphanumeric()) {
                return None;
            }
            Some((s, e))
        }
        Check::Email => boundary_before(text, s).then_some((s, e)),
        Check::Url => {
            let trimmed = m.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"', '’', '”']);
            let mut e2 = s + trimmed.len();
            // A ')' closing an unopened '(' belongs to the sentence.
            while text[s..e2].ends_with(')')
                && text[s..e2].matches('(').count() < text[s..e2].matches(')').count()
            {
                e2 -= 1;
            }
            let trimmed = text[s..e2].trim_end_matches(['.', ',', ';', ':', '!', '?']);
            Some((s, s + trimmed.len()))
        }
        Check::Domain => {
            if char_before(text, s)
                .is_some_and(|c| c == '@' || c == '.' || c == '/' || c.is_alphanumeric())
            {
                return None;
            }
            // Part of an e-mail (the domain after '@') or of a longer dotted token.
            if char_after(text, e).is_some_and(|c| c == '@') {
                return None;
            }
            let trimmed = m.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
            let host = trimmed.split('/').next().unwrap_or(trimmed);
            let tld = host.rsplit('.').next().unwrap_or("");
            const WORD_TLDS: [&str; 9] = ["it", "me", "in", "no", "at", "be", "us", "to", "so"];
            if WORD_TLDS.contains(&tld) && !trimmed.contains('/') {
                return None;
            }
            Some((s, s + trimmed.len()))
        }
        Check::Phone => {
            let d = digits(m);
            if d.len() < 9 || d.len() > 15 || !digits_isolated(text, s, e) {
                return None;
            }
            // Not a date (2023-10-05), an ISBN (978-...), or all one digit.
            if m.contains(':') || d.iter().all(|x| *x == d[0]) {
                return None;
            }
            let bytes = m.as_bytes();
            if bytes.len() >= 10
                && bytes[4] == b'-'
                && bytes[7] == b'-'
                && bytes[..4].iter().all(u8::is_ascii_digit)
            {
                return None;
            }
            // A ZIP+4 (12345-6789) is not a phone number.
            if bytes.len() == 10 && bytes[5] == b'-' && d.len() == 9 {
                return None;
            }
            if !tokens_isolated(text, s, e) {
                return None;
            }
            let before = &text[..s];
            if before.trim_end().ends_with(['$', '€', '£', '#']) {
                return None;
            }
            let context = lower_before(text, s, 12);
            if context.contains("isbn") || context.contains("order") || context.contains("tracking")
            {
                return None;
            }
            Some((s, e))
        }
        Check::PhoneWithContext => {
            if !digits_isolated(text, s, e) {
                return None;
            }
            PHONE_CONTEXT
                .is_match(chars_before(text, s, 41))
                .then_some((s, e))
        }
        Check::Ssn => {
            if !digits_isolated(text, s, e) {
                return None;
            }
            let d = digits(m);
            let area = u32::from(d[0]) * 100 + u32::from(d[1]) * 10 + u32::from(d[2]);
            let group = u32::from(d[3]) * 10 + u32::from(d[4]);
            let serial: u32 = d[5..].iter().fold(0, |a, &x| a * 10 + u32::from(x));
            // One separator style throughout.
            let seps: Vec<char> = m.chars().filter(|c| !c.is_ascii_digit()).collect();
            let valid = area != 0
                && area != 666
                && area < 900
                && group != 0
                && serial != 0
                && seps.windows(2).all(|w| w[0] == w[1]);
            valid.then_some((s, e))
        }
        Check::Card => {
            let d = digits(m);
            if !(13..=19).contains(&d.len())
                || !luhn(&d)
                || !matches!(d[0], 2..=6)
                || !digits_isolated(text, s, e)
            {
                return None;
            }
            // Separators, if any, are of one kind, between groups of 3-6 digits (4-4-4-4, 4-6-5).
            let seps: Vec<char> = m.chars().filter(|c| !c.is_ascii_digit()).collect();
            let groups_ok =
                seps.is_empty() || m.split([' ', '-']).all(|g| (3..=6).contains(&g.len()));
            let before = lower_before(text, s, 16);
            let order =
                before.contains("order") || before.contains("tracking") || before.contains("isbn");
            (seps.windows(2).all(|w| w[0] == w[1]) && groups_ok && !order).then_some((s, e))
        }
        Check::Ipv4 => {
            let before = lower_before(text, s, 9);
            if before.ends_with('v') || before.contains("version") || !digits_isolated(text, s, e) {
                return None;
            }
            m.parse::<std::net::Ipv4Addr>()
                .ok()
                .filter(|ip| !ip.is_unspecified())
                .map(|_| (s, e))
        }
        Check::Ipv6 => {
            if m.matches(':').count() < 2
                || !boundary_before(text, s)
                || char_after(text, e).is_some_and(|c| c.is_ascii_hexdigit())
            {
                return None;
            }
            m.parse::<std::net::Ipv6Addr>().ok().map(|_| (s, e))
        }
        Check::Iban => {
            let compact: String = m.chars().filter(|c| *c != ' ').collect();
            // Grouped IBANs may swallow a following word: try the longest valid prefix of groups.
            let mut best = None;
            let mut len = compact.len();
            while len >= 15 {
                if iban_valid(&compact[..len]) {
                    best = Some(len);
                    break;
                }
                len -= 1;
            }
            let len = best?;
            // Map the compact length back to an end offset in the text.
            let mut seen = 0;
            let mut end = s;
            for (i, c) in m.char_indices() {
                if c != ' ' {
                    seen += 1;
                }
                if seen == len {
                    end = s + i + c.len_utf8();
                    break;
                }
            }
            boundary_after(text, end).then_some((s, end))
        }
        Check::Age => {
            let n: u32 = m.parse().ok()?;
            ((90..=125).contains(&n)).then_some((s, e))
        }
        Check::Handle => {
            if char_before(text, s)
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '@')
            {
                return None;
            }
            // "@5pm" / all digits is not a handle.
            if m[1..].chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let trimmed = m.trim_end_matches('.');
            Some((s, s + trimmed.len()))
        }
        Check::Person => {
            let first = m.split([' ', '\t']).next().unwrap_or(m);
            if NOT_NAMES.contains(&first) {
                return None;
            }
            // A two-word match whose second word is a common word keeps only the first.
            let words: Vec<&str> = m.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
            if words.len() >= 2 && NOT_NAMES.contains(words.last().expect("invariant: two words")) {
                return Some((s, s + first.len()));
            }
            Some((s, e))
        }
        Check::Zip => boundary_before(text, s).then_some((s, e)),
        Check::Record => (m.chars().filter(char::is_ascii_alphanumeric).count() >= 4
            && m.chars().any(|c| c.is_ascii_digit())
            && boundary_after(text, e))
        .then_some((s, e)),
    }
}
