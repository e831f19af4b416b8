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
        // "Doe, Jane" and "doe  jane" are one name.
        Kind::Person | Kind::Location => value
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        _ => value.to_lowercase(),
    }
}

/// Placeholders for one conversation: the same value gets the same `[KIND_n]`.
#[derive(Default)]
pub struct Pseudonyms {
    seen: BTreeMap<(Kind, String), usize>,
    next: BTreeMap<Kind, usize>,
    /// A short form of a person's name → the full name it stands for (lower-cased keys).
    aliases: BTreeMap<String, String>,
}

impl Pseudonyms {
    /// Link the short forms of the full names among `people` (the PERSON values of one
    /// conversation), where only one full name can be meant: "Okafor" or "Daniel" to "Daniel
    /// Okafor" (a token of exactly one full name), "Dan" to "Daniel Okafor" (the start, 3+
    /// letters, of the first name of exactly one full name). A short form that fits two full
    /// names ("Dan" with "Daniel Okafor" and "Dana Reyes") keeps its own placeholder.
    pub fn link_names<'a>(&mut self, people: impl IntoIterator<Item = &'a str>) {
        let mut full: Vec<Vec<String>> = Vec::new();
        let mut short: Vec<String> = Vec::new();
        for p in people {
            let key = value_key(Kind::Person, p);
            let words: Vec<String> = key
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect();
            match words.len() {
                0 => {}
                1 => short.push(key),
                _ if !full.contains(&words) => full.push(words),
                _ => {}
            }
        }
        for s in short {
            let exact: Vec<&Vec<String>> = full.iter().filter(|f| f.contains(&s)).collect();
            let target = if exact.is_empty() {
                let starts: Vec<&Vec<String>> = full
                    .iter()
                    .filter(|f| s.chars().count() >= 3 && f[0].starts_with(s.as_str()))
                    .collect();
                (starts.len() == 1).then(|| starts[0])
            } else {
                (exact.len() == 1).then(|| exact[0])
            };
            if let Some(t) = target {
                self.aliases.insert(s, t.join(" "));
            }
        }
    }

    pub fn placeholder(&mut self, kind: Kind, value: &str) -> String {
        let mut key = (kind, value_key(kind, value));
        if kind == Kind::Person
            && let Some(full) = self.aliases.get(&key.1)
        {
            key.1 = full.clone();
        }
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
    pseudo.link_names(texts.iter().zip(findings).flat_map(|(t, f)| {
        f.iter()
            .filter(|x| x.kind == Kind::Person)
            .map(|x| &t[x.byte_start..x.byte_end])
    }));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(texts: &[&str]) -> Vec<String> {
        let findings: Vec<Vec<Finding>> = texts.iter().map(|t| scan(t, &[])).collect();
        redact_conversation(texts, &findings, &[], |k| k == Kind::Person).0
    }

    #[test]
    fn short_forms_of_one_full_name_share_its_placeholder() {
        let out = placeholders(&[
            "My ex, Daniel Okafor, moved out in May.",
            "Dan still texts me at night.",
            "Okafor's sister called too.",
        ]);
        assert!(out[0].contains("[PERSON_1]"), "{out:?}");
        assert!(out[1].starts_with("[PERSON_1]"), "{out:?}");
        assert!(out[2].starts_with("[PERSON_1]"), "{out:?}");
    }

    #[test]
    fn a_short_form_that_fits_two_names_keeps_its_own() {
        let out = placeholders(&[
            "Daniel Okafor and Dana Reyes both work there.",
            "Dan said nothing.",
        ]);
        assert!(
            out[0].contains("[PERSON_1]") && out[0].contains("[PERSON_2]"),
            "{out:?}"
        );
        assert!(out[1].starts_with("[PERSON_3]"), "{out:?}");
    }
}
