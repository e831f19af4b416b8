//! Redaction: consistent placeholders (`[KIND_n]`, numbered per conversation so one value keeps
//! one placeholder) and the fixpoint that re-scans until nothing redactable is left.

use std::collections::BTreeMap;

use super::{Finding, Kind, scan};

/// Normalise a value so that formatting variants share a placeholder.
fn value_key(kind: Kind, value: &str) -> String {
    match kind {
        Kind::Phone | Kind::CreditCard | Kind::Ssn | Kind::ZipCode | Kind::AgeOver89 => {
            value.chars().filter(char::is_ascii_digit).collect()
        }
        Kind::Iban | Kind::RecordNumber => value
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_uppercase(),
        _ => value.to_lowercase(),
    }
}

/// Placeholders for one conversation: the same value gets the same `[KIND_n]`.
#[derive(Default)]
pub struct Pseudonyms {
    seen: BTreeMap<(Kind, String), usize>,
    next: BTreeMap<Kind, usize>,
}

impl Pseudonyms {
    pub fn placeholder(&mut self, kind: Kind, value: &str) -> String {
        let key = (kind, value_key(kind, value));
        let n = match self.seen.get(&key) {
            Some(n) => *n,
            None => {
                let n = self.next.entry(kind).or_insert(0);
                *n += 1;
                let n = *n;
                self.seen.insert(key, n);
                n
            }
        };
        format!("[{}_{n}]", kind.name())
    }
}

/// Replace the findings of `redact` kinds in `text`.
pub fn redact(
    text: &str,
    findings: &[Finding],
    redact_kind: impl Fn(Kind) -> bool,
    names: &mut Pseudonyms,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for f in findings {
        if !redact_kind(f.kind) {
            continue;
        }
        out.push_str(&text[pos..f.byte_start]);
        out.push_str(&names.placeholder(f.kind, &text[f.byte_start..f.byte_end]));
        pos = f.byte_end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Redact one conversation's texts (given their first-round findings) to a fixpoint: a value
/// hidden behind a longer overlapping finding (a name glued to a domain) shows once that finding
/// is replaced, so the texts are scanned again, at most 3 more rounds. Placeholders are numbered
/// across the whole conversation. Returns the texts and the kinds found in later rounds.
pub fn redact_conversation(
    texts: &[&str],
    findings: &[Vec<Finding>],
    names: &[String],
    redacts: impl Fn(Kind) -> bool + Copy,
) -> (Vec<String>, Vec<Kind>) {
    let mut pseudo = Pseudonyms::default();
    let mut current: Vec<String> = texts
        .iter()
        .zip(findings)
        .map(|(t, f)| redact(t, f, redacts, &mut pseudo))
        .collect();
    let mut later = Vec::new();
    for _ in 0..3 {
        let again: Vec<Vec<Finding>> = current.iter().map(|t| scan(t, names)).collect();
        if !again.iter().flatten().any(|f| redacts(f.kind)) {
            break;
        }
        later.extend(
            again
                .iter()
                .flatten()
                .filter(|f| redacts(f.kind))
                .map(|f| f.kind),
        );
        for (t, f) in current.iter_mut().zip(&again) {
            *t = redact(t, f, redacts, &mut pseudo);
        }
    }
    (current, later)
}

/// Names in a record's metadata: fields whose name contains `name` or `info` (e.g. counsel-chat's
/// `therapistName`, `therapistInfo`); the text before the first comma, 2-4 capitalised words.
pub fn names_from_metadata(metadata: Option<&str>) -> Vec<String> {
    let Some(m) = metadata else { return Vec::new() };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(m) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in &map {
        let k = k.to_lowercase();
        if !(k.contains("name") || k.contains("info") || k == "author") {
            continue;
        }
        let Some(s) = v.as_str() else { continue };
        let head = s.split([',', '\n', '|']).next().unwrap_or("").trim();
        // Leading capitalised words up to the first credential ("MA", "LPCC", "PhD").
        let words: Vec<&str> = head
            .split_whitespace()
            .take_while(|w| {
                let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
                let credential =
                    letters.len() >= 2 && letters.iter().filter(|c| c.is_uppercase()).count() >= 2;
                w.chars().next().is_some_and(char::is_uppercase)
                    && !credential
                    && !w.chars().any(|c| c.is_ascii_digit())
            })
            .collect();
        if (2..=4).contains(&words.len()) {
            out.push(words.join(" "));
            // "Dr. Surname" is also this person.
            if let Some(last) = words.last()
                && last.chars().count() >= 4
            {
                for t in ["Dr. ", "Dr ", "Mr. ", "Ms. ", "Mrs. "] {
                    out.push(format!("{t}{last}"));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
