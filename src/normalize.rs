//! Text normalisation shared by the stages.
//!
//! Two forms of every text:
//! - the **exported** form, made at load by [`clean_text`]: line endings to `\n`, HTML to text
//!   (when the field holds tags), entities unescaped, Unicode NFC, outer whitespace trimmed. PII
//!   offsets and exports refer to this form.
//! - the **hashing** form, made by [`tokens`] / [`normalized`]: NFKC, lower case, punctuation and
//!   symbols removed, whitespace folded, and scripts written without spaces (Han, kana, Thai, Lao,
//!   Khmer, Myanmar) split into one token per character. Exact dedup (`text_hash`), near dedup and
//!   leakage shingles all use it, so they agree on what "the same text" means.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::{IsNormalized, UnicodeNormalization};
use xxhash_rust::xxh3::xxh3_128;

use serde::{Deserialize, Serialize};

/// When to turn HTML into text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HtmlMode {
    #[default]
    Auto,
    Always,
    Never,
}

/// Tags that mark a field as HTML (a bare `<` in prose does not).
#[allow(clippy::disallowed_methods)] // compiled once, in this static
static HTML_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)</?(p|br|div|span|a|b|i|u|em|strong|ul|ol|li|h[1-6]|blockquote|table|tr|td|th|img|hr|pre|code|sup|sub)(\s[^<>]*)?/?>")
        .expect("invariant: static regex compiles")
});

/// Character references (`&amp;`, `&#34;`, `&#x27;`).
#[allow(clippy::disallowed_methods)] // compiled once, in this static
static HTML_ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
        .expect("invariant: static regex compiles")
});

/// Clean a raw field into the exported text form: line endings to `\n`, control characters
/// other than `\n` and `\t` removed (NUL included), HTML to text, NFC, outer whitespace trimmed.
/// A text made only of whitespace and invisible characters (zero-width spaces and joiners, bidi
/// marks, BOMs, variation selectors) is empty: such a turn is dropped like an empty one.
pub fn clean_text(raw: &str, html: HtmlMode) -> String {
    let text = if raw.contains('\r') {
        raw.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        raw.to_string()
    };
    let text = if text.chars().any(is_stripped_control) {
        text.chars().filter(|c| !is_stripped_control(*c)).collect()
    } else {
        text
    };
    let has_tags = match html {
        HtmlMode::Never => false,
        HtmlMode::Always => true,
        HtmlMode::Auto => HTML_TAG.is_match(&text),
    };
    let text = if has_tags {
        html_to_text(&text)
    } else if html != HtmlMode::Never && HTML_ENTITY.is_match(&text) {
        html_escape::decode_html_entities(&text).into_owned()
    } else {
        text
    };
    let text = if unicode_normalization::is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        text.nfc().collect()
    };
    let text = text.trim();
    if text.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return String::new();
    }
    text.to_string()
}

/// Control characters removed from text: C0 other than tab and newline, DEL, C1.
fn is_stripped_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Characters that print nothing: zero-width space, joiners, word joiner, BOM, soft hyphen,
/// bidi marks and isolates, variation selectors, tags, Mongolian vowel separator.
pub fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// HTML to plain text: paragraphs become blank-line separated, no re-wrapping, no decorations.
fn html_to_text(html: &str) -> String {
    // A width far beyond any line keeps html2text from wrapping paragraphs.
    let rendered = html2text::config::plain_no_decorate()
        .allow_width_overflow()
        .no_link_wrapping()
        .string_from_read(html.as_bytes(), 1 << 24);
    match rendered {
        Ok(text) => text
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n"),
        // Malformed beyond repair: fall back to entity decoding so no text is lost.
        Err(_) => html_escape::decode_html_entities(html).into_owned(),
    }
}

/// True for characters of scripts written without spaces between words.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F  // CJK extensions B-F, compatibility supplement
        | 0x0E00..=0x0EFF    // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
    )
}

/// Call `emit` for each token of the hashing form of `text`, in order.
pub fn for_each_token(text: &str, mut emit: impl FnMut(&str)) {
    // ASCII is its own NFKC and lower-cases byte by byte: skip the normaliser on the common path.
    if text.is_ascii() {
        let mut word = [0u8; 256];
        let mut len = 0usize;
        for &b in text.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if len == word.len() {
                    emit(std::str::from_utf8(&word[..len]).expect("invariant: ASCII"));
                    len = 0;
                }
                word[len] = b.to_ascii_lowercase();
                len += 1;
            } else if len > 0 {
                emit(std::str::from_utf8(&word[..len]).expect("invariant: ASCII"));
                len = 0;
            }
        }
        if len > 0 {
            emit(std::str::from_utf8(&word[..len]).expect("invariant: ASCII"));
        }
    } else {
        tokenize(text.nfkc(), emit);
    }
}

fn tokenize(chars: impl Iterator<Item = char>, mut emit: impl FnMut(&str)) {
    let mut word = String::new();
    let mut buf = [0u8; 4];
    for c in chars.flat_map(char::to_lowercase) {
        if is_unspaced_script(c) {
            if !word.is_empty() {
                emit(&word);
                word.clear();
            }
            emit(c.encode_utf8(&mut buf));
        } else if c.is_alphanumeric() {
            word.push(c);
        } else if !word.is_empty() && !is_joiner(c) {
            emit(&word);
            word.clear();
        }
    }
    if !word.is_empty() {
        emit(&word);
    }
}

/// Marks that sit inside words without separating them (combining marks after NFKC).
fn is_joiner(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

/// The tokens of the hashing form.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t| out.push(t.to_string()));
    out
}

/// The hashing form as one string: tokens joined by single spaces.
pub fn normalized(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for_each_token(text, |t| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t);
    });
    out
}

/// `text_hash`: lower-case hex xxh3-128 of the normalised contents joined by `\n`.
pub fn text_hash<'a>(contents: impl IntoIterator<Item = &'a str>) -> String {
    let mut joined = String::new();
    for (i, c) in contents.into_iter().enumerate() {
        if i > 0 {
            joined.push('\n');
        }
        joined.push_str(&normalized(c));
    }
    format!("{:032x}", xxh3_128(joined.as_bytes()))
}

/// Number of words in the exported form: whitespace-separated runs, plus one per character of
/// unspaced scripts.
pub fn word_count(text: &str) -> u32 {
    let mut n = 0u32;
    for w in text.split_whitespace() {
        let unspaced = w.chars().filter(|c| is_unspaced_script(*c)).count() as u32;
        let rest = w
            .chars()
            .any(|c| !is_unspaced_script(c) && c.is_alphanumeric());
        n += unspaced + u32::from(rest);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    #[test_case("Hello, World!", "hello world" ; "punctuation and case")]
    #[test_case("  many   spaces\n\tand tabs ", "many spaces and tabs" ; "whitespace folding")]
    #[test_case("ﬁne ①", "fine 1" ; "nfkc compatibility forms")]
    #[test_case("高考前的恐惧", "高 考 前 的 恐 惧" ; "han split by character")]
    #[test_case("I'm café-owner", "i m café owner" ; "apostrophes and hyphens separate")]
    #[test_case("cafe\u{301}", "café" ; "combining marks stay inside words")]
    fn hashing_form(input: &str, expected: &str) {
        assert_eq!(normalized(input), expected);
    }

    #[test]
    fn html_answers_become_text() {
        let html = "<p>What you are describing is &#34;triangulation&#34;.</p><p>Second&nbsp;para &amp; more.</p>";
        let text = clean_text(html, HtmlMode::Auto);
        // html2text renders &nbsp; as a plain space.
        assert_eq!(
            text,
            "What you are describing is \"triangulation\".\n\nSecond para & more."
        );
    }

    #[test]
    fn entities_without_tags_keep_line_breaks() {
        assert_eq!(clean_text("a &amp; b\nc", HtmlMode::Auto), "a & b\nc");
        assert_eq!(clean_text("a &amp; b", HtmlMode::Never), "a &amp; b");
    }

    #[test]
    fn prose_with_angle_brackets_is_not_html() {
        assert_eq!(
            clean_text("I <3 you and 2 < 3", HtmlMode::Auto),
            "I <3 you and 2 < 3"
        );
    }

    #[test]
    fn crlf_and_nfc() {
        assert_eq!(
            clean_text("line1\r\nline2\rline3 cafe\u{301}", HtmlMode::Auto),
            "line1\nline2\nline3 café"
        );
    }

    #[test]
    fn hash_ignores_formatting_only() {
        let a = text_hash(["Hello there!", "How are you?"]);
        let b = text_hash(["hello   THERE", "how are you"]);
        let c = text_hash(["hello there how are you"]);
        assert_eq!(a, b);
        assert_ne!(a, c, "turn boundaries are part of the hash");
        assert_eq!(a.len(), 32);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn ascii_fast_path_matches_the_general_path() {
        for t in [
            "Hello, World! It's 9am...",
            "a_b-c  d\te",
            "UPPER lower 123abc",
            "x".repeat(300).as_str(),
        ] {
            let mut fast = Vec::new();
            for_each_token(t, |w| fast.push(w.to_string()));
            let mut slow = Vec::new();
            tokenize(t.chars(), |w| slow.push(w.to_string()));
            if t.len() < 256 {
                assert_eq!(fast, slow, "{t}");
            } else {
                assert_eq!(
                    fast.concat(),
                    slow.concat(),
                    "over-long words are split, not lost"
                );
            }
        }
    }

    #[test]
    fn words() {
        assert_eq!(word_count("hello there, friend"), 3);
        assert_eq!(word_count("高考 前"), 3);
        assert_eq!(word_count(" -- "), 0);
    }
}
