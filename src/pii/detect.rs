//! Detection ([`scan`]): one pass over a text's bytes finds what it contains (`@`, digits, `:`,
//! `.`, capitals), then only the detectors that can match run, each a regex from one table
//! (`detectors`, compiled once) plus a validator (checksums, context, boundaries). Overlapping
//! findings are resolved longest-first (ties: the kind listed first in [`Kind`]).

use std::sync::LazyLock;

use regex::Regex;

use super::validators::{digits, iban_valid, luhn};
use super::words::DOMAIN_TLDS;
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
    /// National number in groups (8-10 digits, not a date): needs a phone word nearby.
    PhoneNational,
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
    /// ZIP in address context.
    Zip,
    /// Street address: the attached unit and locality join the span; not a year after a
    /// street-first word ("Im Jahr 2020").
    Address,
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
            Check::AgeWords => true,
            _ => kind == Kind::Person || self.digit,
        }
    }
}

/// The detectors. Each comment says what it matches and what it deliberately does not.
fn detectors() -> Vec<Detector> {
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
        // IBAN: country code, check digits, 11-30 alphanumerics, compact or in groups of four,
        // in either case; checked by length per country and mod-97. Not IBAN-shaped strings
        // failing the check.
        Detector {
            kind: Kind::Iban,
            regex: r"(?-u:\b)[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}(?-u:\b)",
            check: Check::Iban,
            needs: &[],
            grouped: false,
        },
        // Payment card: 13-19 digits in groups separated by spaces or dashes, Luhn-valid, with a
        // card-network prefix (2-6). Not other digit runs (order, tracking, ISBN numbers fail Luhn
        // or the prefix, or touch other digits).
        Detector {
            kind: Kind::CreditCard,
            regex: r"(?-u:\b)\d(?:[ \-]?\d){11,18}(?-u:\b)",
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
        // National numbers without trunk prefix in groups of 2-4 (ES 667.436.597, 913 99 69 69,
        // PT 21 819 2972, CN 138 2047 6631), 8-11 digits: only with a phone word just before.
        Detector {
            kind: Kind::Phone,
            regex: r"(?-u:\b)\d{2,4}(?:[ .\-]\d{2,4}){2,4}(?-u:\b)",
            check: Check::PhoneNational,
            needs: &[],
            grouped: false,
        },
        // Area code with trunk prefix in parentheses: (020) 7946 0169, (03) 7010 9831,
        // (069) 90009 085, (030) 23125-105.
        Detector {
            kind: Kind::Phone,
            regex: r"\(0\d{1,4}\)[ \-.]?\d{2,5}(?:[ \-.]\d{2,5}){1,3}(?-u:\b)",
            check: Check::Phone,
            needs: &[],
            grouped: false,
        },
        // Two-digit area code in parentheses, no trunk prefix (BR (81) 99812-4430, (11) 3456-7890,
        // MX (55) 4821 9903): 8-9 digits after it.
        Detector {
            kind: Kind::Phone,
            regex: r"\([1-9]\d\)[ \-.]?\d{4,5}[ \-.]?\d{4}(?-u:\b)",
            check: Check::Phone,
            needs: &[],
            grouped: false,
        },
        // International prefix written 00 or 011 (or 001 for North America): 00 44 7700 900225,
        // 0044 20 7946 0156, 001 (512) 555-0115, 001-305-555-0142.
        Detector {
            kind: Kind::Phone,
            regex: r"(?-u:\b)(?:00|011)[ \-]?[1-9]\d{0,2}[ \-]?(?:\(\d{1,4}\)[ \-]?)?\d{1,6}(?:[ \-.]\d{1,6}){1,4}(?-u:\b)",
            check: Check::Phone,
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
            regex: r"(?i)(?:(?-u:\b)(?:MRN|medical[ \t]+record(?:[ \t]+(?:number|no\.?|#))?|(?:member|patient|policy|case|account|insurance|subscriber|client|chart|claim|medicaid|medicare|benefits|health[ \t]+card|NHS|NHI)[ \t]*(?:ID|number|no\.?|#)|NHS[ \t]+number|versichertennummer|versicherungsnummer|patientennummer|krankenversicherungsnummer|n[úu]mero[ \t]+de[ \t]+(?:paciente|historia(?:[ \t]+cl[íi]nica)?|expediente|afiliaci[óo]n|afiliado|utente|prontu[áa]rio)|num[ée]ro[ \t]+de[ \t]+(?:dossier|patient)|numero[ \t]+(?:di[ \t]+)?(?:tessera[ \t]+sanitaria|cartella(?:[ \t]+clinica)?)|patiëntnummer)|病历号|病案号|就诊卡号|医保卡号|患者番号|診察券番号)(?:[ \t]+(?:is|ist|es|est))?[ \t]*[:#(：]?[ \t]*((?-i:[A-Z0-9][A-Z0-9\-/]*[A-Z0-9]|[A-Z0-9])(?:[ ]\d{2,})*)",
            check: Check::Record,
            needs: &[],
            grouped: false,
        },
        // Dates in a birth context (born, birth, DOB, d.o.b., birthday within a few words, and
        // the same words in other languages; "am 12.05.1988 geboren"): the date only. Not dates
        // without such a word (appointments, deadlines).
        Detector {
            kind: Kind::DateOfBirth,
            regex: Box::leak(dob_regex().into_boxed_str()),
            check: Check::Plain,
            needs: &[],
            grouped: false,
        },
        // Street addresses (see `address`): the street part in four orders and PO boxes; the
        // check extends each over an attached unit and locality (city, state, postcode). Not
        // street names without a house number ("Main Street"), nor "3 Jurassic Park".
        Detector {
            kind: Kind::StreetAddress,
            regex: Box::leak(super::address::english().into_boxed_str()),
            check: Check::Address,
            needs: &[],
            grouped: false,
        },
        Detector {
            kind: Kind::StreetAddress,
            regex: super::address::FRENCH,
            check: Check::Address,
            needs: &[],
            grouped: false,
        },
        Detector {
            kind: Kind::StreetAddress,
            regex: super::address::NAME_FIRST,
            check: Check::Address,
            needs: &[],
            grouped: false,
        },
        Detector {
            kind: Kind::StreetAddress,
            regex: super::address::GERMANIC,
            check: Check::Address,
            needs: &[],
            grouped: false,
        },
        Detector {
            kind: Kind::StreetAddress,
            regex: super::address::NAMED,
            check: Check::Address,
            needs: &[],
            grouped: false,
        },
        Detector {
            kind: Kind::StreetAddress,
            regex: super::address::PO_BOX,
            check: Check::Address,
            needs: &[],
            grouped: false,
        },
        // US ZIP or ZIP+4 after a state code (", IL 62704") or the word ZIP/zip code/postal code,
        // or "in 34902-6780" style ZIP+4. Not other five-digit numbers.
        Detector {
            kind: Kind::ZipCode,
            regex: r"(?i)(?:(?-u:\b)(?:zip|zip[ \t]+code|zipcode|postal[ \t]+code|post[ \t]?code|PLZ|code[ \t]+postal|CAP|c[oó]digo[ \t]+postal|CP)[ \t]*(?:is|ist|est|es|é|è|:|\?|\()?[ \t]*(?:[^\d\n]{0,24}?(?:mine|it|ours|hers|his)(?:'s|’s|[ \t]+is)[ \t]+)?|(?-i:,[ \t]*[A-Z]{2})[ \t]+)((?-i:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d|\d{4}-\d{3}))(?-u:\b)|(?-u:\b)(\d{5}-\d{4})(?-u:\b)",
            check: Check::Zip,
            needs: &[],
            grouped: false,
        },
        // Ages of 90 and over (HIPAA Safe Harbor): "93-year-old", "93 years old", "aged 91",
        // "turned 102", "<relative> is 93", "He was 97". The number only. Not ages under 90.
        Detector {
            kind: Kind::AgeOver89,
            regex: r"(?i)(?-u:\b)(\d{2,3})(?:[ \-]?(?:years?|yrs?)[ \-]?old|[ \-]year[ \-]old|[ \t]*y/?o(?-u:\b))|(?-u:\b)(?:aged?|turned|turning|reached|age[ \t]+of|(?:is|was|am|be)(?:[ \t]+now)?)[ \t]+(\d{2,3})(?-u:\b)|(?-u:\b)at[ \t]+(\d{2,3}),|(?-u:\b)age[ \t]*:[ \t]*(\d{2,3})(?-u:\b)|(?-u:\b)(?:mom|mum|dad|mother|father|grand(?:mother|father|ma|pa)|husband|wife|aunt|uncle|patient|client|neighbou?r|he|she)[ \t]*,[ \t]*(\d{2,3})[ \t]*,|(?-u:\b)(?:mom|mum|dad|mother|father|grand(?:mother|father|ma|pa)|gran|granny|nan|nana|husband|wife|aunt|uncle|he|she)(?:'s|’s)(?:[ \t]+(?:now|already|nearly|almost|just))?[ \t]+(\d{2,3})(?-u:\b)|(?-u:\b)(?:ist|wird|wurde|war)(?:[ \t]+(?:jetzt|schon|fast|gerade|nun))?[ \t]+(\d{2,3})(?:[ \t]+Jahre)?(?-u:\b)|(?-u:\b)(\d{2,3})[ \t]+(?:años|anos|anni|ans|Jahre|jaar|lat)(?-u:\b)",
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
    super::names::warm_up();
}

/// Detectors whose every match contains a digit (they run on [`digit_windows`] only).
fn needs_digit(check: Check, kind: Kind) -> bool {
    !matches!(
        check,
        Check::Email | Check::Handle | Check::Url | Check::Domain | Check::Ipv6 | Check::AgeWords
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
    Regex::new(r"(?i)\b(?:call|calls|calling|phone|number|cell|mobile|text|texting|reach|tel|telephone|dial|ring|whatsapp|contact|line|landline|fax|móvil|movil|teléfono|telefono|llámame|llamame|handy|telefon|nummer|portable|numéro|numero|número|cellulare|telemóvel|telemovel|zap|llama|llamar|llámanos|llamanos|celular|cel|telefone|telefonnummer|anrufen|ruf|appelle|appelez|appeler|chiama|chiamami|liga|ligue|contacto|contato)\b|手机|电话|號碼|号码|電話|携帯|번호|전화")
        .expect("invariant: static regex compiles")
});

/// A phone word in the 41 characters before byte `s`.
fn phone_word_before(text: &str, s: usize) -> bool {
    PHONE_CONTEXT.is_match(chars_before(text, s, 41))
}

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
    super::names::find(text, &mut found);
    resolve(text, found)
}

/// Longest first, then kind priority; drop anything overlapping an accepted span. A name
/// that runs out of a longer span keeps its part outside ("...-therapistLaura Cassity, LMSW"
/// after a URL): the URL's redaction must not leave the surname in the clear.
fn resolve(text: &str, mut found: Vec<(usize, usize, Kind)>) -> Vec<Finding> {
    found.sort_by(|a, b| {
        (b.1 - b.0)
            .cmp(&(a.1 - a.0))
            .then(a.2.cmp(&b.2))
            .then(a.0.cmp(&b.0))
    });
    let mut accepted: Vec<(usize, usize, Kind)> = Vec::new();
    for f in found {
        if f.0 >= f.1 {
            continue;
        }
        if accepted.iter().all(|a| f.1 <= a.0 || f.0 >= a.1) {
            accepted.push(f);
        } else if matches!(f.2, Kind::Person | Kind::Location) {
            for (s, e) in uncovered(text, f.0, f.1, &accepted) {
                accepted.push((s, e, f.2));
            }
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

/// Units after a number that make it a quantity, not an age.
const UNITS: &[&str] = &[
    "percent", "per", "kg", "kilos", "lbs", "lb", "pounds", "pound", "mg", "ml", "degrees",
    "minutes", "mins", "min", "seconds", "hours", "days", "weeks", "months", "dollars", "euros",
    "meter", "meters", "metres", "km", "miles", "mph", "bpm", "points", "pages", "times", "euro",
    "prozent", "grad", "kilo", "minuten", "stunden", "tage",
];

/// The date-of-birth detector: a birth word, at most 24 other characters, a date (or a date
/// followed by "geboren").
fn dob_regex() -> String {
    let en = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec";
    // French, Spanish, German, Italian, Portuguese and Dutch month names, whole.
    let other = "janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|sept?iembre|octubre|noviembre|diciembre|januar|februar|m[äa]rz|juni|juli|oktober|dezember|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|janeiro|fevereiro|mar[çc]o|maio|junho|julho|setembro|outubro|dezembro|januari|februari|maart|mei|augustus";
    let date = format!(
        r"(?:\d{{1,2}}-(?:{en})[a-z]*-\d{{4}})|(?:\d{{1,2}}(?:st|nd|rd|th|er|º|\.)?[ \t]+(?:of[ \t]+|de[ \t]+)?(?:(?:{other})|(?:{en})[a-z]*\.?),?[ \t]+(?:de[ \t]+)?\d{{4}})|(?:(?:{en})[a-z]*\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}})|(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{2,4}})|(?:\d{{4}}[\-./]\d{{1,2}}[\-./]\d{{1,2}})|(?:\d{{4}}年\d{{1,2}}月\d{{1,2}}日)"
    );
    let words = r"born(?:[ \t]+(?:on|in))?|birth[ \t]*date|date[ \t]+of[ \t]+birth|d\.?o\.?b\.?|birthday(?:[ \t]+is)?|geburtsdatum|geb\.|geboren(?:[ \t]+(?:am|op))?|fecha[ \t]+de[ \t]+nacimiento|nacid[oa](?:[ \t]+el)?|n[ée]e?[ \t]+le|date[ \t]+de[ \t]+naissance|data[ \t]+di[ \t]+nascita|nat[oa][ \t]+il|data[ \t]+de[ \t]+nascimento|nascid[oa][ \t]+em|geboortedatum";
    format!(
        r"(?i)(?:(?-u:\b)(?:{words})|出生日期|出生于|出生|生日|生年月日)[^\d\n]{{0,24}}?({date})|(?-u:\b)({date})[ \t]+geboren(?-u:\b)"
    )
}

/// Digit groups that read as a list of clock times ("0214 0348 0512") or a sorted draw of
/// two-digit numbers ("07 19 23 41 56"), not as one phone number.
fn times_or_draw(m: &str) -> bool {
    let groups: Vec<&str> = m
        .split([' ', '-', '.', '/'])
        .filter(|g| !g.is_empty())
        .collect();
    if groups.len() < 3 || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let n = |g: &str| g.parse::<u32>().unwrap_or(u32::MAX);
    let times = groups
        .iter()
        .all(|g| g.len() == 4 && n(&g[..2]) < 24 && n(&g[2..]) < 60);
    let draw = groups.iter().all(|g| g.len() == 2) && groups.windows(2).all(|w| n(w[0]) < n(w[1]));
    times || draw
}

/// The parts of `text[s..e]` outside every accepted span, trimmed to letters and digits, that
/// hold at least two of them.
fn uncovered(
    text: &str,
    s: usize,
    e: usize,
    accepted: &[(usize, usize, Kind)],
) -> Vec<(usize, usize)> {
    let mut cuts: Vec<(usize, usize)> = accepted
        .iter()
        .filter(|a| a.0 < e && a.1 > s)
        .map(|a| (a.0.max(s), a.1.min(e)))
        .collect();
    cuts.sort_unstable();
    let mut pieces = Vec::new();
    let mut at = s;
    for (cs, ce) in cuts.into_iter().chain([(e, e)]) {
        if cs > at {
            let piece = &text[at..cs];
            let lead = piece.len()
                - piece
                    .trim_start_matches(|c: char| !c.is_alphanumeric())
                    .len();
            let trail = piece.len() - piece.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
            if lead + trail < piece.len()
                && piece.chars().filter(|c| c.is_alphanumeric()).count() >= 2
            {
                pieces.push((at + lead, cs - trail));
            }
        }
        at = at.max(ce);
    }
    pieces
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
            if !tokens_isolated(text, s, e) || times_or_draw(m) && !phone_word_before(text, s) {
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
            phone_word_before(text, s).then_some((s, e))
        }
        Check::PhoneNational => {
            let d = digits(m);
            let groups: Vec<&str> = m.split([' ', '.', '-']).collect();
            let date_like = groups.len() == 3
                && groups[0].len() <= 2
                && groups[1].len() <= 2
                && matches!(groups[2].len(), 2 | 4);
            // ddd-dd-dddd is the shape of an SSN (valid or not), not a phone number.
            let ssn_shaped = groups.len() == 3
                && groups[0].len() == 3
                && groups[1].len() == 2
                && groups[2].len() == 4;
            // Chinese mobiles are 11 digits, 3-4-4, starting with 1.
            let cn_mobile = d.len() == 11 && d[0] == 1 && groups.len() == 3 && groups[0].len() == 3;
            if !((8..=10).contains(&d.len()) || cn_mobile)
                || date_like
                || ssn_shaped
                || !digits_isolated(text, s, e)
            {
                return None;
            }
            phone_word_before(text, s).then_some((s, e))
        }
        Check::Ssn => {
            // "#" is a number sign before an order number, but "(#377-77-0065)" is still an SSN.
            let hash = text[..s].ends_with('#');
            if !(digits_isolated(text, s, e) || hash && digits_isolated(text, s - 1, e)) {
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
            let prefix = |p: &[u8]| d.starts_with(p);
            // Maestro: 12-19 digits, 50 or 56-69; JCB 15: 1800, 2131; the others 13-19 digits
            // from 2 (Mastercard 2221-2720) to 6.
            let maestro = prefix(&[5, 0]) || matches!(d[..2], [5, 6..=9] | [6, _]);
            let jcb15 = d.len() == 15 && (prefix(&[1, 8, 0, 0]) || prefix(&[2, 1, 3, 1]));
            let known = match d.len() {
                12 => maestro,
                13..=19 => matches!(d[0], 2..=6) || jcb15,
                _ => false,
            };
            if !known || !luhn(&d) || !digits_isolated(text, s, e) {
                return None;
            }
            // Separators, if any, are of one kind, between groups of 3-6 digits (4-4-4-4, 4-6-5),
            // the last of 2-6 (Maestro 4-4-4-4-2).
            let seps: Vec<char> = m.chars().filter(|c| !c.is_ascii_digit()).collect();
            let parts: Vec<&str> = m.split([' ', '-']).collect();
            let groups_ok = seps.is_empty()
                || parts.iter().enumerate().all(|(i, g)| {
                    (3..=6).contains(&g.len()) || i + 1 == parts.len() && g.len() >= 2
                });
            // Twelve bare digits are a card only where a card is talked about.
            if d.len() == 12 && seps.is_empty() {
                let before = lower_before(text, s, 40);
                if !["card", "maestro", "debit", "credit", "visa", "mastercard"]
                    .iter()
                    .any(|w| before.contains(w))
                {
                    return None;
                }
            }
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
            let compact: String = m
                .chars()
                .filter(|c| *c != ' ')
                .map(|c| c.to_ascii_uppercase())
                .collect();
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
            // Not a quantity: "she's 100% sure", "he's 95 kilos", "war 100 Meter entfernt".
            let after = text[e..].trim_start().to_lowercase();
            let unit = after.starts_with(['%', '°', '$', '€'])
                || UNITS.iter().any(|u| {
                    after.starts_with(u) && !after[u.len()..].starts_with(char::is_alphanumeric)
                });
            ((90..=125).contains(&n) && !unit && digits_isolated(text, s, e)).then_some((s, e))
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
        Check::Zip => boundary_before(text, s).then_some((s, e)),
        Check::Address => {
            if !boundary_before(text, s) && !m.starts_with(|c: char| !c.is_alphanumeric()) {
                return None;
            }
            // A number-after street form whose number is a year is a date ("Im Jahr 2020").
            let tail = m.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let number = &tail[tail.trim_end_matches(|c: char| c.is_ascii_digit()).len()..];
            // (A post-office box may have any number: "P.O. Box 1912".)
            let po_box = super::address::is_po_box(m);
            if !po_box
                && number.len() == 4
                && (number.starts_with("19") || number.starts_with("20"))
            {
                return None;
            }
            Some((s, super::address::extend(text, e)))
        }
        Check::Record => (m.chars().filter(char::is_ascii_alphanumeric).count() >= 4
            && m.chars().any(|c| c.is_ascii_digit())
            && boundary_after(text, e))
        .then_some((s, e)),
    }
}
