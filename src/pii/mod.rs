//! PII: detection, consistent pseudonymisation, and the PII stage of the build.
//!
//! Detection ([`scan`]) runs over one text: one pass over its bytes finds what it contains (`@`,
//! digits, `:`, `.`, capitals), then only the detectors that can match run, each a regex plus a
//! validator (checksums, context, boundaries).
//! Overlapping findings are resolved longest-first (ties: the kind listed first in [`Kind`]).
//! Offsets are Unicode code points of the text as loaded (after HTML to text); the matched
//! value never leaves this module except as a placeholder.
//!
//! Stage ([`apply`]): reads `messages`, `metadata`, `source`, `status`; for records still `kept`
//! it counts findings per kind (`pii_<kind>` columns), then per the spec's action for the
//! record's source and kind: `flag` (count only), `redact` (placeholders `[KIND_n]`, numbered per
//! conversation so the same value keeps the same placeholder), `drop` (status `pii_dropped`).
//! Redacted records get a new `text_hash` (the manifest describes what the shard holds). The
//! residual scan (inside [`apply`], after redaction) runs over the final messages: any finding of a kind not in
//! `allow` fails the `pii_residual` gate. Materialises the messages.

use std::collections::BTreeMap;

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{PolarsContext, Result};
use crate::schema::Message;
use crate::schema::{messages_of, str_column, str_values};

pub use crate::schema::PiiKind as Kind;

/// One finding: kind and span, in code points and in bytes of the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

pub mod address;
pub mod detect;
pub mod names;
pub mod redact;
pub mod validators;
pub mod words;

pub use detect::{scan, warm_up};
pub use redact::{Pseudonyms, names_from_metadata, redact, redact_conversation};
pub use validators::{iban_valid, luhn};

// ---------------------------------------------------------------------------------------------
// The stage.

/// What to do with a kind's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Count only (the residual gate then fails unless the kind is allowed).
    Flag,
    /// Replace with placeholders.
    #[default]
    Redact,
    /// Remove the record (ledger status `pii_dropped`).
    Drop,
}

/// `[pii]` in the spec.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PiiSpec {
    /// Run the PII stage. Default `true`.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Default action for every kind but REGION: `redact` (default), `flag` or `drop`.
    #[serde(default)]
    pub action: Action,
    /// Per-kind actions, e.g. `{ URL = "flag", SSN = "drop" }`. REGION (countries, states,
    /// provinces) is `flag` unless set here.
    #[serde(default)]
    pub kinds: BTreeMap<String, Action>,
    /// Per-source actions (win over kinds), e.g. `{ "synthetic-chatml" = "flag" }`.
    #[serde(default)]
    pub sources: BTreeMap<String, Action>,
    /// Kinds whose findings may remain in the export (the residual gate ignores them).
    /// Default `["REGION"]`; a list you write replaces it.
    #[serde(default = "default_allow")]
    pub allow: Vec<String>,
    /// Use names from the record's metadata (fields named *name*/*info*). Default `true`.
    #[serde(default = "default_true")]
    pub metadata_names: bool,
}

fn default_true() -> bool {
    true
}

fn default_allow() -> Vec<String> {
    vec![Kind::Region.name().to_string()]
}

impl Default for PiiSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            action: Action::Redact,
            kinds: BTreeMap::new(),
            sources: BTreeMap::new(),
            allow: default_allow(),
            metadata_names: true,
        }
    }
}

impl PiiSpec {
    /// Check kind names; `Err` names the key.
    /// Check the kinds and the sources named; `Err` names the key.
    pub fn validate(&self, sources: &[&str]) -> std::result::Result<(), (String, String)> {
        for k in self.kinds.keys().chain(&self.allow) {
            if Kind::from_name(k).is_none() {
                return Err((
                    "pii".into(),
                    format!(
                        "`{}` is not a PII kind: use {}",
                        crate::error::echo(k),
                        Kind::ALL.map(Kind::name).join(", ")
                    ),
                ));
            }
        }
        for s in self.sources.keys() {
            if !sources.contains(&s.as_str()) {
                return Err((
                    format!("pii.sources.{}", crate::error::echo(s)),
                    "no [[source]] has this name".into(),
                ));
            }
        }
        Ok(())
    }

    pub fn action_for(&self, source: &str, kind: Kind) -> Action {
        if let Some(a) = self.sources.get(source) {
            return *a;
        }
        self.kinds
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(kind.name()))
            .map(|(_, a)| *a)
            .unwrap_or(if kind == Kind::Region {
                Action::Flag
            } else {
                self.action
            })
    }

    pub fn allowed(&self, kind: Kind) -> bool {
        self.allow
            .iter()
            .any(|k| k.eq_ignore_ascii_case(kind.name()))
    }
}

/// Counts by kind.
pub type KindCounts = BTreeMap<String, u64>;

/// `pii_summary.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PiiReport {
    pub enabled: bool,
    /// Findings per kind (before any action), over records that reached the stage.
    pub findings: KindCounts,
    /// Findings per source and kind.
    pub by_source: BTreeMap<String, KindCounts>,
    pub redacted: KindCounts,
    pub flagged: KindCounts,
    /// Records removed by a `drop` action.
    pub dropped_records: u64,
    /// Findings left in the exported text, per kind (every kind listed, 0 when none).
    pub residual: KindCounts,
    /// Residual findings of kinds not in `allow` (what the gate checks).
    pub residual_blocking: u64,
    pub records_with_findings: u64,
}

/// Apply the PII stage to the records still `kept`.
#[tracing::instrument(skip_all, fields(stage = "pii", rows = df.height()))]
pub fn apply(df: DataFrame, spec: &PiiSpec) -> Result<(DataFrame, PiiReport)> {
    let n = df.height();
    let mut report = PiiReport {
        enabled: spec.enabled,
        ..Default::default()
    };
    let mut df = df;
    let zero = |k: Kind| (k.column(), vec![0u32; n]);
    let mut counts: BTreeMap<String, Vec<u32>> = Kind::ALL.into_iter().map(zero).collect();
    if !spec.enabled {
        for (name, v) in counts {
            df.with_column(Column::new(name.into(), v))
                .ctx("pii columns")?;
        }
        return Ok((df, report));
    }
    let status = str_column(&df, "status")?;
    let sources = str_column(&df, "source")?;
    let metadata = str_values(&df, "metadata")?;
    let messages = messages_of(&df)?;

    struct RowResult {
        findings: Vec<Vec<Finding>>,
        /// Kinds found and redacted in later rounds (uncovered by an earlier redaction).
        later: Vec<Kind>,
        redacted: Option<Vec<Message>>,
        drop: bool,
    }
    let results: Vec<Option<RowResult>> = (0..n)
        .into_par_iter()
        .map(|i| {
            if status[i] != "kept" {
                return None;
            }
            let names = if spec.metadata_names {
                names_from_metadata(metadata[i].as_deref())
            } else {
                Vec::new()
            };
            let findings: Vec<Vec<Finding>> = messages[i]
                .iter()
                .map(|m| scan(&m.content, &names))
                .collect();
            let redacts = |k: Kind| spec.action_for(&sources[i], k) == Action::Redact;
            let any = |a: Action| {
                findings
                    .iter()
                    .flatten()
                    .any(|f| spec.action_for(&sources[i], f.kind) == a)
            };
            let drop = any(Action::Drop);
            let mut later = Vec::new();
            let redacted = (!drop && any(Action::Redact)).then(|| {
                let contents: Vec<&str> = messages[i].iter().map(|m| m.content.as_str()).collect();
                let (texts, extra) = redact_conversation(&contents, &findings, &names, redacts);
                later = extra;
                messages[i]
                    .iter()
                    .zip(texts)
                    .map(|(m, content)| Message {
                        role: m.role.clone(),
                        content,
                    })
                    .collect()
            });
            Some(RowResult {
                findings,
                later,
                redacted,
                drop,
            })
        })
        .collect();

    let mut new_status = status.clone();
    let mut reason = str_values(&df, "reason")?;
    let mut hashes = str_column(&df, "text_hash")?;
    let mut final_messages = messages;
    for (i, r) in results.into_iter().enumerate() {
        let Some(r) = r else { continue };
        let mut any = false;
        for kind in r
            .findings
            .iter()
            .flatten()
            .map(|f| f.kind)
            .chain(r.later.iter().copied())
        {
            any = true;
            let name = kind.name().to_string();
            counts
                .get_mut(&kind.column())
                .expect("invariant: every kind has a column")[i] += 1;
            *report.findings.entry(name.clone()).or_default() += 1;
            *report
                .by_source
                .entry(sources[i].clone())
                .or_default()
                .entry(name.clone())
                .or_default() += 1;
            match spec.action_for(&sources[i], kind) {
                Action::Redact if !r.drop => *report.redacted.entry(name).or_default() += 1,
                Action::Flag => *report.flagged.entry(name).or_default() += 1,
                _ => {}
            }
        }
        report.records_with_findings += u64::from(any);
        if r.drop {
            let kinds: std::collections::BTreeSet<&str> = r
                .findings
                .iter()
                .flatten()
                .filter(|f| spec.action_for(&sources[i], f.kind) == Action::Drop)
                .map(|f| f.kind.name())
                .collect();
            new_status[i] = "pii_dropped".into();
            reason[i] = Some(format!(
                "PII with action drop: {}",
                kinds.into_iter().collect::<Vec<_>>().join(", ")
            ));
            report.dropped_records += 1;
        } else if let Some(m) = r.redacted {
            hashes[i] = crate::normalize::text_hash(m.iter().map(|x| x.content.as_str()));
            final_messages[i] = m;
        }
    }

    // Residual: what will be exported, scanned again.
    let residual: Vec<Vec<Kind>> = (0..n)
        .into_par_iter()
        .map(|i| {
            if new_status[i] != "kept" {
                return Vec::new();
            }
            let names = if spec.metadata_names {
                names_from_metadata(metadata[i].as_deref())
            } else {
                Vec::new()
            };
            final_messages[i]
                .iter()
                .flat_map(|m| scan(&m.content, &names))
                .map(|f| f.kind)
                .collect()
        })
        .collect();
    report.residual = Kind::ALL
        .iter()
        .map(|k| (k.name().to_string(), 0))
        .collect();
    for k in residual.iter().flatten() {
        *report.residual.entry(k.name().to_string()).or_default() += 1;
        if !spec.allowed(*k) {
            report.residual_blocking += 1;
        }
    }

    df.with_column(Column::new("status".into(), new_status))
        .ctx("status")?;
    df.with_column(Column::new("reason".into(), reason))
        .ctx("reason")?;
    df.with_column(Column::new("text_hash".into(), hashes))
        .ctx("text_hash")?;
    df.with_column(messages_column(&final_messages)?)
        .ctx("messages")?;
    for (name, v) in counts {
        df.with_column(Column::new(name.into(), v))
            .ctx("pii columns")?;
    }
    tracing::info!(
        findings = report.findings.values().sum::<u64>(),
        dropped = report.dropped_records,
        residual_blocking = report.residual_blocking,
        "pii"
    );
    Ok((df, report))
}

/// A `messages` column from Rust values.
fn messages_column(messages: &[Vec<Message>]) -> Result<Column> {
    let mut idx = Vec::new();
    let mut roles = Vec::new();
    let mut contents = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        for x in m {
            idx.push(i as u32);
            roles.push(x.role.as_str());
            contents.push(x.content.as_str());
        }
    }
    crate::schema::messages_column(messages.len(), &idx, &roles, &contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        scan(text, &[])
            .into_iter()
            .map(|f| {
                (
                    f.kind,
                    text.chars().skip(f.start).take(f.end - f.start).collect(),
                )
            })
            .collect()
    }

    #[test_case(
        "write to jane.doe+work@mail.example.co.uk.",
        Kind::Email,
        "jane.doe+work@mail.example.co.uk"
    )]
    #[test_case(
        "call (555) 123-4567 ext. 45 tonight",
        Kind::Phone,
        "(555) 123-4567 ext. 45"
    )]
    #[test_case("my cell: 212.555.0104", Kind::Phone, "212.555.0104")]
    #[test_case("ring +44 7911 123456 later", Kind::Phone, "+44 7911 123456")]
    #[test_case("Call me on 07700 900 965 tomorrow", Kind::Phone, "07700 900 965")]
    #[test_case("her number is 555-0147, ok", Kind::Phone, "555-0147")]
    #[test_case("SSN 123-45-6789 on file", Kind::Ssn, "123-45-6789")]
    #[test_case(
        "card 4111 1111 1111 1111 expired",
        Kind::CreditCard,
        "4111 1111 1111 1111"
    )]
    #[test_case("from 192.168.10.4 again", Kind::IpAddress, "192.168.10.4")]
    #[test_case(
        "host fe80::1ff:fe23:4567:890a down",
        Kind::IpAddress,
        "fe80::1ff:fe23:4567:890a"
    )]
    #[test_case(
        "see https://example.org/a?b=1).",
        Kind::Url,
        "https://example.org/a?b=1"
    )]
    #[test_case(
        "Is griefcircle.org/meetings real?",
        Kind::Url,
        "griefcircle.org/meetings"
    )]
    #[test_case(
        "IBAN DE89 3704 0044 0532 0130 00 please",
        Kind::Iban,
        "DE89 3704 0044 0532 0130 00"
    )]
    #[test_case(
        "I was born on 14 March 1987 in Leeds",
        Kind::DateOfBirth,
        "14 March 1987"
    )]
    #[test_case("DOB: 03/14/1987", Kind::DateOfBirth, "03/14/1987")]
    #[test_case(
        "we live at 1428 Elm Street now",
        Kind::StreetAddress,
        "1428 Elm Street"
    )]
    #[test_case("Springfield, IL 62704 is home", Kind::ZipCode, "62704")]
    #[test_case("my grandmother is 93 and frail", Kind::AgeOver89, "93")]
    #[test_case("a 96-year-old neighbour", Kind::AgeOver89, "96")]
    #[test_case("Age: 97, lives alone", Kind::AgeOver89, "97")]
    #[test_case("my dad, 92, has dementia", Kind::AgeOver89, "92")]
    #[test_case("She turned ninety-two last month", Kind::AgeOver89, "ninety-two")]
    #[test_case("He is Ninety Five years old", Kind::AgeOver89, "Ninety Five")]
    #[test_case(
        "a hundred and one year old aunt",
        Kind::AgeOver89,
        "a hundred and one"
    )]
    #[test_case("follow @mx_river on YouTube", Kind::Handle, "@mx_river")]
    #[test_case("My MRN is E652429487, again", Kind::RecordNumber, "E652429487")]
    #[test_case("Hi, my name is Dana and I'm stressed", Kind::Person, "Dana")]
    #[test_case("Dear Dr. Okafor, thank you", Kind::Person, "Okafor")]
    #[test_case("That helps.\n\nBest,\nRavi D'Souza", Kind::Person, "Ravi D'Souza")]
    fn positives(text: &str, kind: Kind, value: &str) {
        let found = kinds(text);
        assert!(
            found.contains(&(kind, value.to_string())),
            "{text:?}: {found:?}"
        );
    }

    #[test_case("ticket 550e8400-e29b-41d4-a716-446655440000 closed" ; "guid")]
    #[test_case("order #4839201 shipped" ; "order number")]
    #[test_case("at 2023-10-05T14:32:07Z the server restarted" ; "timestamp")]
    #[test_case("it cost $1,299.99 last year" ; "price")]
    #[test_case("upgrade to v2.14.3 or Python 3.11.7" ; "versions")]
    #[test_case("ISBN 978-0-306-40615-7 is the workbook" ; "isbn")]
    #[test_case("card 4111 1111 1111 1112 is fake" ; "luhn fails")]
    #[test_case("number 666-12-3456 and 900-12-3456" ; "invalid ssn areas")]
    #[test_case("the appointment on 14 March 2024 went fine" ; "date without birth context")]
    #[test_case("my dad is 64 and tired" ; "age under ninety")]
    #[test_case("ninety percent of the time, ninety days sober" ; "ninety not an age")]
    #[test_case("my dad, 64, is tired; rooms 12, 95, 101" ; "numbers in a list")]
    #[test_case("I'm so tired and I'm Feeling low" ; "not names")]
    #[test_case("Dear diary, Hi there, Hi everyone," ; "salutations without names")]
    #[test_case("meet @ 5pm by the door" ; "at sign not a handle")]
    #[test_case("see https://example.com/page/1234567890" ; "digits inside a url are the url")]
    #[test_case("I scored 27 on the PHQ-9 and take 20 mg" ; "scores and dosages")]
    #[test_case("it is the best thing you can do.It is okay to rest" ; "sentences glued at a full stop")]
    fn negatives(text: &str) {
        let found: Vec<_> = kinds(text)
            .into_iter()
            .filter(|(k, _)| *k != Kind::Url)
            .collect();
        assert!(found.is_empty(), "{text:?}: {found:?}");
    }

    #[test]
    fn offsets_are_code_points() {
        let text = "café ☕ 🙂 mail me: a@b.io";
        let f = scan(text, &[]);
        assert_eq!(f.len(), 1);
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(
            chars[f[0].start..f[0].end].iter().collect::<String>(),
            "a@b.io"
        );
        assert_eq!(&text[f[0].byte_start..f[0].byte_end], "a@b.io");
    }

    #[test]
    fn pseudonyms_are_consistent_within_a_conversation() {
        let mut p = Pseudonyms::default();
        let a = "Call 555-123-4567 or mail x@y.com";
        let b = "I said (555) 123-4567, not 555-987-6543";
        let ra = redact(a, &scan(a, &[]), |_| true, &mut p);
        let rb = redact(b, &scan(b, &[]), |_| true, &mut p);
        assert_eq!(ra, "Call [PHONE_1] or mail [EMAIL_1]");
        assert_eq!(rb, "I said [PHONE_1], not [PHONE_2]");
        assert!(
            scan(&ra, &[]).is_empty() && scan(&rb, &[]).is_empty(),
            "placeholders are not PII"
        );
    }

    #[test]
    fn names_from_counsel_chat_metadata() {
        let names = names_from_metadata(Some(
            r#"{"therapistInfo": "Sherry Katz, LCSWCouples and Family Therapist, LCSW", "therapistURL": "x"}"#,
        ));
        assert!(names.contains(&"Sherry Katz".to_string()));
        assert!(names.contains(&"Dr. Katz".to_string()));
        let glued = names_from_metadata(Some(
            r#"{"therapistInfo": "Katrina Whitehead MA LPCCLicensed Professional Counselor"}"#,
        ));
        assert!(
            glued.contains(&"Katrina Whitehead".to_string()),
            "{glued:?}"
        );
        let f = scan("seeking help. Best wishesKatrina Whitehead MA LPCC", &glued);
        assert!(
            f.iter()
                .any(|f| f.kind == Kind::Person && f.end - f.start == 17)
        );
        let f = scan("Thanks! Sherry Katz, LCSW", &names);
        assert!(f.iter().any(|f| f.kind == Kind::Person));
    }

    #[test]
    fn luhn_and_iban() {
        let digits = validators::digits;
        assert!(luhn(&digits("4111111111111111")));
        assert!(!luhn(&digits("4111111111111112")));
        assert!(iban_valid("GB82WEST12345698765432"));
        assert!(!iban_valid("GB82WEST12345698765433"));
    }
}
