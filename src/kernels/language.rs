//! Language identification of messages and conversations, with the `whatlang` crate (trigram
//! profiles of 69 languages; scripts such as Han, Hangul or Cyrillic decide most non-Latin
//! cases at once).
//!
//! Codes are ISO 639-1 where one exists (`en`, `zh`; every language whatlang knows today has
//! one), else the ISO 639-3 code, and `und` (undetermined) for text too short or too ambiguous to
//! tell.
//!
//! - A message needs at least [`MIN_LETTERS`] letters ([`MIN_UNSPACED`] for Chinese, Japanese,
//!   Thai...: one character is a word there) and a confidence of at least
//!   [`MIN_MESSAGE_CONFIDENCE`]; otherwise it is `und`.
//! - English fast path: whatlang scores every Latin-script language, which costs about
//!   1-3 MB/s per core on chat messages. An ASCII message of at least 6 words of which at least
//!   30% are English function words ([`ENGLISH_MARKERS`], found in no other major Latin-script
//!   language, and [`ENGLISH_COMMON`], which some share), with at least 8% from the first list,
//!   is English without asking whatlang (confidence 1). The tests check that the two agree on
//!   real English data and that the fast path never fires on other languages' samples.
//! - Candidates: whatlang costs about 1-3 MB/s per core when it scores all 40-odd Latin-script
//!   languages on every message, 5-10 MB/s with a short list. So a conversation is first judged
//!   as a whole (its first [`SAMPLE_CHARS`] characters, every language), and its Latin-script
//!   messages are then judged among that language, [`LATIN_CANDIDATES`] and the caller's target
//!   languages;
//!   messages in other scripts (Han, Cyrillic, Arabic, ...) are judged among every language. A
//!   Latin-script message in another language is therefore `und` or the nearest candidate:
//!   mixing is seen among the conversation's language, the common ones and the targets.
//! - A conversation's language is the one with the most (characters × confidence) among its
//!   messages; its confidence is that score over the characters of its judged messages; it is
//!   mixed when messages in other languages carry at least [`MIXED_SHARE`] of the judged
//!   characters. A conversation with no judged message takes the whole-text judgement.

use std::collections::BTreeMap;

/// Letters a message needs before its language is judged (spaced scripts).
pub const MIN_LETTERS: usize = 20;
/// Letters a message of an unspaced script (Han, kana, Thai, ...) needs.
pub const MIN_UNSPACED: usize = 4;
/// Below this whatlang confidence a message is `und`.
pub const MIN_MESSAGE_CONFIDENCE: f64 = 0.5;
/// Share of judged characters in other languages that makes a conversation mixed.
pub const MIXED_SHARE: f64 = 0.2;
/// Characters judged at most per message, and per conversation when no message could be.
pub const SAMPLE_CHARS: usize = 1000;

/// English function words that are not (common) words in other Latin-script languages (none is
/// longer than 7 bytes: the fast path relies on it).
pub const ENGLISH_MARKERS: [&str; 44] = [
    "the", "and", "you", "that", "this", "with", "what", "they", "your", "been", "would", "there",
    "their", "about", "just", "like", "feel", "because", "really", "think", "know", "when", "how",
    "which", "could", "should", "it's", "i'm", "don't", "can't", "i've", "you're", "she", "we",
    "be", "if", "get", "had", "were", "things", "some", "very", "myself", "are",
];

/// Frequent English words that other languages also use (`in`, `was`, `so`...): they count
/// towards the fast path only beside [`ENGLISH_MARKERS`].
pub const ENGLISH_COMMON: [&str; 16] = [
    "i", "have", "not", "my", "it", "to", "of", "is", "in", "was", "for", "me", "so", "at", "on",
    "do",
];

/// Latin-script languages every conversation's messages are judged among, besides the
/// conversation's own and the targets: the most common ones, so that a short list still
/// discriminates (a list of one would name every message's language).
pub const LATIN_CANDIDATES: [&str; 7] = ["en", "es", "fr", "de", "pt", "it", "nl"];

/// [`ENGLISH_MARKERS`] (true) and [`ENGLISH_COMMON`] (false) for one lookup per word.
static MARKER_SET: std::sync::LazyLock<
    std::collections::HashMap<&'static str, bool, foldhash::fast::FixedState>,
> = std::sync::LazyLock::new(|| {
    ENGLISH_MARKERS
        .iter()
        .map(|w| (*w, true))
        .chain(ENGLISH_COMMON.iter().map(|w| (*w, false)))
        .collect()
});

/// The language of one text: a code (ISO 639-1 where one exists) or `und`, and a confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guess {
    pub code: &'static str,
    pub confidence: f64,
}

impl Guess {
    pub const UNDETERMINED: Guess = Guess {
        code: "und",
        confidence: 0.0,
    };

    pub fn is_determined(&self) -> bool {
        self.code != "und"
    }
}

/// ISO 639-1 for whatlang's ISO 639-3 codes (all of its 69 languages have one).
pub fn iso639_1(code3: &'static str) -> &'static str {
    match code3 {
        "epo" => "eo",
        "eng" => "en",
        "rus" => "ru",
        "cmn" => "zh",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "ben" => "bn",
        "fra" => "fr",
        "deu" => "de",
        "ukr" => "uk",
        "kat" => "ka",
        "ara" => "ar",
        "hin" => "hi",
        "jpn" => "ja",
        "heb" => "he",
        "yid" => "yi",
        "pol" => "pl",
        "amh" => "am",
        "jav" => "jv",
        "kor" => "ko",
        "nob" => "nb",
        "dan" => "da",
        "swe" => "sv",
        "fin" => "fi",
        "tur" => "tr",
        "nld" => "nl",
        "hun" => "hu",
        "ces" => "cs",
        "ell" => "el",
        "bul" => "bg",
        "bel" => "be",
        "mar" => "mr",
        "kan" => "kn",
        "ron" => "ro",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "mkd" => "mk",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "tam" => "ta",
        "vie" => "vi",
        "urd" => "ur",
        "tha" => "th",
        "guj" => "gu",
        "uzb" => "uz",
        "pan" => "pa",
        "aze" => "az",
        "ind" => "id",
        "tel" => "te",
        "pes" => "fa",
        "mal" => "ml",
        "ori" => "or",
        "mya" => "my",
        "nep" => "ne",
        "sin" => "si",
        "khm" => "km",
        "tuk" => "tk",
        "aka" => "ak",
        "zul" => "zu",
        "sna" => "sn",
        "afr" => "af",
        "lat" => "la",
        "slk" => "sk",
        "cat" => "ca",
        "tgl" => "tl",
        "hye" => "hy",
        "cym" => "cy",
        other => other,
    }
}

/// Every code [`guess`] can return but `und`, sorted.
pub fn known_codes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = whatlang::Lang::all()
        .iter()
        .map(|l| iso639_1(l.code()))
        .collect();
    v.sort_unstable();
    v
}

/// Whether `code` is a code [`guess`] can return (ISO 639-1, or the 639-3 code of a language
/// without a 639-1 code).
pub fn is_known(code: &str) -> bool {
    known_codes().contains(&code)
}

/// The language of one message (or any short text), among every language.
pub fn guess(text: &str) -> Guess {
    guess_among(text, None)
}

/// The language of one text; Latin-script text among `candidates` when given.
fn guess_among(text: &str, candidates: Option<&whatlang::Detector>) -> Guess {
    let (mut letters, mut unspaced) = (0usize, 0usize);
    for c in text.chars() {
        if c.is_alphabetic() {
            letters += 1;
            unspaced += usize::from(crate::normalize::is_unspaced_script(c));
        }
    }
    if letters < MIN_LETTERS && unspaced < MIN_UNSPACED {
        return Guess::UNDETERMINED;
    }
    if let Some(g) = english_fast_path(text) {
        return g;
    }
    let text = sample(text);
    match candidates {
        Some(detector) if whatlang::detect_script(text) == Some(whatlang::Script::Latin) => {
            match detector.detect(text) {
                Some(info) if info.confidence() >= MIN_MESSAGE_CONFIDENCE => Guess {
                    code: iso639_1(info.lang().code()),
                    confidence: info.confidence(),
                },
                _ => Guess::UNDETERMINED,
            }
        }
        _ => whatlang_guess(text, MIN_MESSAGE_CONFIDENCE),
    }
}

/// whatlang's language for an ISO 639-1 code of ours.
fn lang_of(code: &str) -> Option<whatlang::Lang> {
    whatlang::Lang::all()
        .iter()
        .copied()
        .find(|l| iso639_1(l.code()) == code)
}

/// At most [`SAMPLE_CHARS`] characters from the start of `text`.
fn sample(text: &str) -> &str {
    match text.char_indices().nth(SAMPLE_CHARS) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

fn whatlang_guess(text: &str, min_confidence: f64) -> Guess {
    match whatlang::detect(text) {
        Some(info) if info.confidence() >= min_confidence => Guess {
            code: iso639_1(info.lang().code()),
            confidence: info.confidence(),
        },
        _ => Guess::UNDETERMINED,
    }
}

/// English without whatlang, when the text is plainly English (see the module notes).
fn english_fast_path(text: &str) -> Option<Guess> {
    if !text.is_ascii() {
        return None;
    }
    let (mut words, mut strong, mut common) = (0usize, 0usize, 0usize);
    for w in text.split(|c: char| !(c.is_ascii_alphabetic() || c == '\'')) {
        if w.is_empty() || w == "'" {
            continue;
        }
        words += 1;
        // No marker is longer than 7 bytes: lower-case into a buffer, no allocation.
        if w.len() > 7 {
            continue;
        }
        let mut buf = [0u8; 7];
        for (b, c) in buf.iter_mut().zip(w.bytes()) {
            *b = c.to_ascii_lowercase();
        }
        let lower = std::str::from_utf8(&buf[..w.len()]).unwrap_or_default();
        match MARKER_SET.get(lower) {
            Some(true) => strong += 1,
            Some(false) => common += 1,
            None => {}
        }
    }
    let english = words >= 6 && (strong + common) * 10 >= words * 3 && strong * 100 >= words * 8;
    english.then_some(Guess {
        code: "en",
        confidence: 1.0,
    })
}

/// A conversation's languages.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationLanguage {
    /// The conversation's language (`und` when undetermined).
    pub language: Guess,
    /// Messages in another language carry at least [`MIXED_SHARE`] of the judged characters.
    pub mixed: bool,
    /// Each message's language code, in order (`und` for messages too short to judge).
    pub messages: Vec<&'static str>,
}

/// The languages of a conversation's messages and of the conversation; `targets` (ISO 639-1
/// codes) join the candidates for its Latin-script messages (see the module notes).
pub fn conversation<'a>(
    contents: impl IntoIterator<Item = &'a str>,
    targets: &[String],
) -> ConversationLanguage {
    let contents: Vec<&str> = contents.into_iter().collect();
    let joined = contents.join("\n");
    let whole = guess(&joined);
    let mut candidates: Vec<whatlang::Lang> = LATIN_CANDIDATES
        .into_iter()
        .chain(whole.is_determined().then_some(whole.code))
        .chain(targets.iter().map(String::as_str))
        .filter_map(lang_of)
        .collect();
    candidates.sort_unstable_by_key(|l| l.code());
    candidates.dedup();
    let detector = whatlang::Detector::with_allowlist(candidates);
    let guesses: Vec<Guess> = contents
        .iter()
        .map(|c| guess_among(c, Some(&detector)))
        .collect();
    let mut score: BTreeMap<&'static str, f64> = BTreeMap::new();
    let mut chars_by_lang: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut judged = 0usize;
    for (c, g) in contents.iter().zip(&guesses) {
        if g.is_determined() {
            let n = c.chars().count();
            judged += n;
            *score.entry(g.code).or_default() += n as f64 * g.confidence;
            *chars_by_lang.entry(g.code).or_default() += n;
        }
    }
    let messages = guesses.iter().map(|g| g.code).collect();
    // Highest score; ties go to the smaller code, so the result never depends on order.
    let top = score
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(code, s)| (*code, *s));
    let Some((code, s)) = top else {
        return ConversationLanguage {
            language: whole,
            mixed: false,
            messages,
        };
    };
    let own = chars_by_lang.get(code).copied().unwrap_or(0);
    let other = judged - own;
    ConversationLanguage {
        language: Guess {
            code,
            confidence: if judged == 0 { 0.0 } else { s / judged as f64 },
        },
        mixed: judged > 0 && other as f64 >= MIXED_SHARE * judged as f64,
        messages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_chinese_and_spanish_messages() {
        assert_eq!(
            guess("I have been feeling anxious lately and I cannot sleep at night.").code,
            "en"
        );
        assert_eq!(
            guess("我最近感觉很焦虑，晚上睡不着觉，不知道该怎么办。").code,
            "zh"
        );
        let es = "Me siento muy triste últimamente y no sé qué hacer con mi vida. Mis amigos dicen que debería hablar con alguien, pero me da vergüenza.";
        assert_eq!(guess(es).code, "es");
        // One short sentence: whatlang says Portuguese at 0.28; below the cut it is `und`,
        // never a confident wrong answer.
        let one =
            "Me siento muy triste últimamente y no sé qué hacer con mi vida ni con mi familia.";
        assert_eq!(conversation([one], &[]).language.code, "und");
        assert_eq!(guess("ok").code, "und");
        assert_eq!(guess("").code, "und");
    }

    #[test]
    fn english_fast_path_never_fires_on_other_languages() {
        for text in [
            "Ich weiß nicht, was ich machen soll, weil ich jeden Tag so müde bin und keine Kraft habe.",
            "Je ne sais pas quoi faire parce que je suis fatigué tous les jours et je n'ai pas de force.",
            "Non so cosa fare perché sono stanco ogni giorno e non ho più forza per niente.",
            "Ik weet niet wat ik moet doen omdat ik elke dag zo moe ben en geen kracht meer heb.",
            "Nie wiem co robić, bo jestem zmęczony każdego dnia i nie mam siły na nic.",
            "Eu não sei o que fazer porque estou cansado todos os dias e não tenho força.",
            "Jeg ved ikke hvad jeg skal gøre fordi jeg er træt hver dag og har ingen kraft.",
            "Ich bin so allein, was soll ich in der Nacht tun, wenn ich nicht schlafen kann",
            "No se que hacer, me siento muy solo y no tengo a nadie con quien hablar",
            "Non so cosa fare, i miei amici sono lontani e io sono solo in casa",
        ] {
            assert_eq!(english_fast_path(text), None, "{text}");
            assert_ne!(guess(text).code, "en", "{text}");
        }
    }

    #[test]
    fn a_conversation_takes_the_language_of_most_of_its_text_and_reports_mixing() {
        let c = conversation(
            [
                "I have been feeling anxious lately and I cannot sleep at night.",
                "It sounds like you are going through a lot, and that must be exhausting.",
                "Yes.",
            ],
            &[],
        );
        assert_eq!(c.language.code, "en");
        assert!(!c.mixed);
        assert_eq!(c.messages, vec!["en", "en", "und"]);
        let mixed = conversation(
            [
                "I have been feeling anxious lately and I cannot sleep at night.",
                "我最近感觉很焦虑，晚上睡不着觉，不知道该怎么办，我很害怕。",
            ],
            &[],
        );
        assert!(mixed.mixed, "{mixed:?}");
        let short = conversation(["hi", "hello"], &[]);
        assert_eq!(short.language.code, "und");
    }

    /// Every message content (`text` or `content`) of the JSONL files of a fixture folder.
    fn fixture_messages(dir: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(dir);
        let mut out = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "jsonl"))
        {
            for line in std::fs::read_to_string(f).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                for key in ["dialog", "messages"] {
                    for m in v[key].as_array().into_iter().flatten() {
                        if let Some(t) = m["text"].as_str().or(m["content"].as_str()) {
                            out.push(t.to_string());
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_english_fast_path_agrees_with_whatlang_on_real_messages() {
        // ESConv (English support chats): where the fast path fires and whatlang is confident,
        // whatlang says English too; SMILE (Chinese) never takes the fast path.
        let en = fixture_messages("esconv");
        assert!(en.len() > 200, "{}", en.len());
        let (mut fired, mut both, mut agree) = (0, 0, 0);
        for m in &en {
            if english_fast_path(m).is_some() {
                fired += 1;
                let g = whatlang_guess(sample(m), MIN_MESSAGE_CONFIDENCE);
                if g.is_determined() {
                    both += 1;
                    agree += usize::from(g.code == "en");
                }
            }
        }
        assert!(
            fired * 3 > en.len(),
            "fast path fired on {fired} of {}",
            en.len()
        );
        assert!(both > 50 && agree == both, "{agree} of {both} agree");
        let zh = fixture_messages("smile");
        assert!(zh.len() > 50);
        assert!(zh.iter().all(|m| english_fast_path(m).is_none()));
        let judged: Vec<&str> = zh
            .iter()
            .map(|m| guess(m).code)
            .filter(|c| *c != "und")
            .collect();
        assert!(judged.iter().all(|c| *c == "zh"), "{judged:?}");
    }

    #[test]
    fn markers_fit_the_fast_path_buffer() {
        assert!(
            ENGLISH_MARKERS
                .iter()
                .chain(&ENGLISH_COMMON)
                .all(|w| w.len() <= 7)
        );
    }

    #[test]
    fn codes_are_iso_639_1_and_known() {
        assert!(is_known("en") && is_known("zh") && is_known("es"));
        assert!(!is_known("eng") && !is_known("xx"));
        assert!(
            known_codes().iter().all(|c| c.len() == 2),
            "{:?}",
            known_codes()
        );
    }
}
