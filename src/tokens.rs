//! Token counts (`[tokens] tokenizer`): the number of tokens a model's tokenizer makes of the
//! exported text, for the manifest's `tokens` column, the curriculum's token figures, the
//! statistics and the report.
//!
//! - `o200k_base` (default; GPT-4o and later) and `cl100k_base` (GPT-4, GPT-3.5): OpenAI's BPE
//!   ranks, which ship inside the `bpe-openai` crate (GitHub's implementation; its counts equal
//!   tiktoken's, checked in the tests below against counts taken from tiktoken-rs). Nothing is
//!   downloaded.
//! - `approx`: characters / 4, rounded up: the old estimate, named as such. It is off by a factor
//!   of about 3 for Chinese.
//!
//! Counting is pre-tokenisation (the tokenizer's own regex) then BPE per piece; a piece's count
//! depends only on its bytes, so each thread keeps a bounded cache of piece counts, which makes
//! natural-language text (a Zipfian vocabulary) about twice as fast to count.
//!
//! What is counted: the message contents of a line (SFT, preference) or its text
//! (pretraining), without chat-template tokens (those depend on the model's template).

use std::cell::RefCell;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// `[tokens]`
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TokensSpec {
    /// `"o200k_base"` (default), `"cl100k_base"` or `"approx"` (characters / 4).
    #[serde(default = "default_tokenizer")]
    pub tokenizer: String,
}

fn default_tokenizer() -> String {
    Tokenizer::O200kBase.name().to_string()
}

impl Default for TokensSpec {
    fn default() -> Self {
        Self {
            tokenizer: default_tokenizer(),
        }
    }
}

impl TokensSpec {
    /// Check the values; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        Tokenizer::named(&self.tokenizer)
            .map(|_| ())
            .map_err(|m| ("tokens.tokenizer".to_string(), m))
    }

    /// The configured tokenizer (`approx` if the name is unknown; [`Self::validate`] refuses
    /// that before a build starts).
    pub fn tokenizer(&self) -> Tokenizer {
        Tokenizer::named(&self.tokenizer).unwrap_or(Tokenizer::Approx)
    }
}

/// A tokenizer the build can count with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tokenizer {
    /// Characters / 4, rounded up.
    Approx,
    O200kBase,
    Cl100kBase,
}

impl Tokenizer {
    pub const ALL: [Tokenizer; 3] = [
        Tokenizer::O200kBase,
        Tokenizer::Cl100kBase,
        Tokenizer::Approx,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tokenizer::Approx => "approx",
            Tokenizer::O200kBase => "o200k_base",
            Tokenizer::Cl100kBase => "cl100k_base",
        }
    }

    /// The tokenizer called `name`; the error lists the names there are.
    pub fn named(name: &str) -> std::result::Result<Self, String> {
        if let Some(t) = Self::ALL.into_iter().find(|t| t.name() == name) {
            return Ok(t);
        }
        let known = Self::ALL.map(|t| format!("`{}`", t.name())).join(", ");
        let hint = if name.ends_with(".json") {
            " (a Hugging Face tokenizer.json is not supported yet)"
        } else {
            ""
        };
        Err(format!(
            "unknown tokenizer `{}`{hint}: use one of {known}",
            crate::error::echo(name)
        ))
    }

    /// Whether the counts are an estimate rather than a tokenizer's.
    pub fn is_approximate(self) -> bool {
        self == Tokenizer::Approx
    }

    /// Load the tokenizer's ranks now (about 0.1 s for the BPE ones), so the first count of a
    /// parallel section does not wait for it on every thread.
    pub fn warm_up(self) {
        if let Some(t) = self.bpe() {
            let _ = t.count("warm up");
        }
    }

    fn bpe(self) -> Option<&'static bpe_openai::Tokenizer> {
        match self {
            Tokenizer::Approx => None,
            Tokenizer::O200kBase => Some(bpe_openai::o200k_base()),
            Tokenizer::Cl100kBase => Some(bpe_openai::cl100k_base()),
        }
    }

    /// Tokens of `texts` counted as one document (for `approx`: their characters together / 4,
    /// rounded up).
    pub fn count_all<'a>(self, texts: impl IntoIterator<Item = &'a str>) -> u64 {
        match self.bpe() {
            None => {
                let chars: u64 = texts.into_iter().map(|t| t.chars().count() as u64).sum();
                chars.div_ceil(4)
            }
            Some(bpe) => texts.into_iter().map(|t| count_bpe(self, bpe, t)).sum(),
        }
    }

    /// Tokens of one text.
    pub fn count(self, text: &str) -> u64 {
        self.count_all([text])
    }
}

/// Pieces longer than this are counted without the cache (they are rare and seldom repeat).
const MAX_CACHED_PIECE: usize = 48;
/// A thread's cache is emptied when it holds this many pieces (bounds it to a few tens of MB).
const MAX_CACHED_PIECES: usize = 400_000;

type PieceCache = HashMap<Box<str>, u32, foldhash::fast::FixedState>;

thread_local! {
    /// Piece counts per tokenizer (index: position in [`Tokenizer::ALL`]).
    static PIECES: RefCell<[PieceCache; 2]> = RefCell::new(Default::default());
}

fn count_bpe(which: Tokenizer, bpe: &bpe_openai::Tokenizer, text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    // The BPE tokenizers here do not normalise (their `nfc` is off), so splitting the text as
    // it is gives what `Tokenizer::count` gives.
    let slot = usize::from(which == Tokenizer::Cl100kBase);
    PIECES.with(|cell| {
        let mut caches = cell.borrow_mut();
        let cache = &mut caches[slot];
        if cache.len() > MAX_CACHED_PIECES {
            cache.clear();
        }
        let mut n = 0u64;
        for piece in bpe.split(text) {
            if piece.len() > MAX_CACHED_PIECE {
                n += bpe.bpe.count(piece.as_bytes()) as u64;
                continue;
            }
            let c = match cache.get(piece) {
                Some(&c) => c,
                None => {
                    let c = bpe.bpe.count(piece.as_bytes()) as u32;
                    cache.insert(piece.into(), c);
                    c
                }
            };
            n += u64::from(c);
        }
        n
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts taken from tiktoken-rs 0.12.1 (`encode_ordinary(..).len()`), an implementation
    /// independent of the one we use.
    const KNOWN: [(&str, u64, u64); 6] = [
        ("Hello, world!", 4, 4),
        (
            "I have been feeling anxious lately and cannot sleep.",
            10,
            10,
        ),
        ("我最近感觉很焦虑，晚上睡不着觉，不知道该怎么办。", 17, 34),
        ("It's   okay\n\nto  feel   this way 12345678 😊", 15, 17),
        ("", 0, 0),
        ("antidisestablishmentarianism", 6, 6),
    ];

    #[test]
    fn counts_equal_tiktoken_for_known_strings() {
        for (text, o200k, cl100k) in KNOWN {
            assert_eq!(Tokenizer::O200kBase.count(text), o200k, "o200k {text:?}");
            assert_eq!(Tokenizer::Cl100kBase.count(text), cl100k, "cl100k {text:?}");
            // Twice: the second count comes from the piece cache.
            assert_eq!(
                Tokenizer::O200kBase.count(text),
                o200k,
                "o200k cached {text:?}"
            );
        }
    }

    #[test]
    fn cached_counts_equal_uncached_counts_on_long_and_repeated_text() {
        let long = "word ".repeat(50) + &"x".repeat(200) + " 🙂🙂🙂 " + &"長い".repeat(40);
        for t in [Tokenizer::O200kBase, Tokenizer::Cl100kBase] {
            let direct = t.bpe().unwrap().count(long.as_str()) as u64;
            assert_eq!(t.count(&long), direct);
            assert_eq!(t.count(&long), direct);
        }
    }

    #[test]
    fn approx_is_characters_over_four_rounded_up() {
        assert_eq!(Tokenizer::Approx.count_all(["abc", "de"]), 2);
        assert_eq!(Tokenizer::Approx.count("我最近感觉"), 2);
        assert_eq!(Tokenizer::Approx.count(""), 0);
    }

    #[test]
    fn chinese_costs_more_tokens_per_character_than_approx_says() {
        let zh = "我最近感觉很焦虑，晚上睡不着觉，不知道该怎么办。";
        assert!(Tokenizer::O200kBase.count(zh) > 2 * Tokenizer::Approx.count(zh));
    }

    #[test]
    fn unknown_names_are_refused_with_the_known_ones() {
        let e = Tokenizer::named("gpt2").unwrap_err();
        assert!(e.contains("`o200k_base`") && e.contains("`approx`"), "{e}");
        assert!(
            Tokenizer::named("tok/tokenizer.json")
                .unwrap_err()
                .contains("tokenizer.json")
        );
        assert_eq!(TokensSpec::default().tokenizer(), Tokenizer::O200kBase);
    }
}
