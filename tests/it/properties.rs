//! Property tests of the invariants the release rests on: the ledger balances for any mix of
//! good and bad records, and redaction leaves no detector match behind.

use proptest::prelude::*;

use crate::common::*;

/// One line of a generated JSONL source.
#[derive(Debug, Clone)]
enum Line {
    Good(u16),
    /// The same text as an earlier good line (an exact duplicate).
    Copy(u16),
    MalformedJson,
    NotAnObject,
    MissingMessages,
    UnknownRole,
    OnlyUser,
    EmptyTurns,
    InvalidUtf8,
    Blank,
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        4 => (0u16..500).prop_map(Line::Good),
        1 => (0u16..500).prop_map(Line::Copy),
        1 => Just(Line::MalformedJson),
        1 => Just(Line::NotAnObject),
        1 => Just(Line::MissingMessages),
        1 => Just(Line::UnknownRole),
        1 => Just(Line::OnlyUser),
        1 => Just(Line::EmptyTurns),
        1 => Just(Line::InvalidUtf8),
        1 => Just(Line::Blank),
    ]
}

fn chat(n: u16) -> String {
    format!(
        r#"{{"messages": [{{"role": "user", "content": "question number {n} about sleeping badly for weeks"}}, {{"role": "assistant", "content": "answer {n}: routines and light help many people"}}]}}"#
    )
}

fn render(lines: &[Line]) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut records = 0;
    for l in lines {
        let bytes: Vec<u8> = match l {
            Line::Good(n) | Line::Copy(n) => chat(*n).into_bytes(),
            Line::MalformedJson => br#"{"messages": [ {"role": "user""#.to_vec(),
            Line::NotAnObject => b"[1, 2, 3]".to_vec(),
            Line::MissingMessages => br#"{"text": "no messages"}"#.to_vec(),
            Line::UnknownRole => {
                br#"{"messages": [{"role": "narrator", "content": "x"}, {"role": "assistant", "content": "y"}]}"#.to_vec()
            }
            Line::OnlyUser => br#"{"messages": [{"role": "user", "content": "alone"}]}"#.to_vec(),
            Line::EmptyTurns => {
                br#"{"messages": [{"role": "user", "content": " "}, {"role": "assistant", "content": ""}]}"#.to_vec()
            }
            Line::InvalidUtf8 => b"{\"messages\": \"\xff\xfe\"}".to_vec(),
            Line::Blank => b"   ".to_vec(),
        };
        if !matches!(l, Line::Blank) {
            records += 1;
        }
        out.extend_from_slice(&bytes);
        out.push(b'\n');
    }
    (out, records)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Whatever the mix, every record read has exactly one ledger row with one fixed status, and
    /// the counts add up: input = exported + every removal.
    #[test]
    fn the_ledger_balances_for_any_mix_of_records(lines in proptest::collection::vec(line(), 1..60)) {
        let tmp = tempfile::tempdir().unwrap();
        let (bytes, records) = render(&lines);
        let data = tmp.path().join("data.jsonl");
        std::fs::write(&data, bytes).unwrap();
        let spec = write_spec(
            tmp.path(),
            "spec.toml",
            &format!(
                "[release]\nname = \"p\"\nversion = \"1.0.0\"\n[load]\nmax_rejection_rate = 1.0\n[dedup]\nmax_removal_rate = 1.0\n[[source]]\nname = \"s\"\nfamily = \"f\"\nuri = {:?}\nmapping = \"chatml\"\nlicense = \"CC0-1.0\"\norigin = \"generated\"\n",
                data.to_str().unwrap()
            ),
        );
        let run = tmp.path().join("run");
        let o = build_with_run(&spec, &tmp.path().join("out"), &run);
        prop_assert!(matches!(o.status.code(), Some(0) | Some(1)), "{}", text(&o.stderr));
        let ledger = ledger_rows_at(&run.join("08_ledger.parquet"));
        prop_assert_eq!(ledger.len(), records);
        let stats: serde_json::Value =
            serde_json::from_slice(&std::fs::read(run.join("reports/stats.json")).unwrap()).unwrap();
        let by_status: u64 = stats["counts"]["by_status"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        prop_assert_eq!(stats["counts"]["input"].as_u64(), Some(records as u64));
        prop_assert_eq!(by_status, records as u64);
        prop_assert_eq!(stats["counts"]["unaccounted"].as_u64(), Some(0));
        for (_, status, reason) in ledger.values() {
            prop_assert!(trainready::schema::STATUSES.contains(&status.as_str()));
            prop_assert_eq!(status == "exported", reason.is_none());
        }
    }
}

/// A piece of generated text: filler, or a PII value of some kind.
fn piece() -> impl Strategy<Value = String> {
    let filler = prop_oneof![
        Just("I have been feeling".to_string()),
        Just("and my therapist said".to_string()),
        Just("call me on".to_string()),
        Just("or write to".to_string()),
        Just("my name is".to_string()),
        Just("I live at".to_string()),
        Just(", ".to_string()),
        Just(". ".to_string()),
        Just("\n".to_string()),
    ];
    let email = (
        "[a-z]{2,8}",
        "[a-z]{2,8}",
        prop::sample::select(vec!["com", "org", "net", "co.uk"]),
    )
        .prop_map(|(a, b, t)| format!("{a}.{b}@example.{t}"));
    let phone = (0u32..100).prop_map(|n| format!("(555) 01{:02}-{:04}", n % 100, 1000 + n));
    let card = (0u64..100_000).prop_map(|n| luhn_card(4_000_000_000_000_000 + n * 7919));
    let ip = (1u8..=254, 0u8..=255).prop_map(|(a, b)| format!("192.0.{a}.{b}"));
    let url = "[a-z]{3,10}".prop_map(|s| format!("https://www.{s}.example.org/help"));
    let ssn = (100u32..899, 10u32..99, 1000u32..9999)
        .prop_filter("not 666", |(a, _, _)| *a != 666)
        .prop_map(|(a, b, c)| format!("{a}-{b}-{c}"));
    let handle = "[a-z]{4,10}".prop_map(|s| format!("@{s}_22 on Instagram"));
    prop_oneof![
        filler.clone(),
        filler.clone(),
        filler,
        email,
        phone,
        card,
        ip,
        url,
        ssn,
        handle
    ]
}

/// A 16-digit Visa-like number (from `base`) with a valid Luhn check digit, grouped in fours.
fn luhn_card(base: u64) -> String {
    let body: Vec<u8> = format!("{:015}", base / 10 % 1_000_000_000_000_000)
        .bytes()
        .map(|b| b - b'0')
        .collect();
    let mut digits = body.clone();
    digits[0] = 4;
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    digits.push(((10 - sum % 10) % 10) as u8);
    let s: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    format!("{} {} {} {}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// After redaction, scanning the redacted messages finds nothing the redaction should have
    /// removed: no detector match is left behind, whatever the mix and the order of the values.
    #[test]
    fn redaction_leaves_no_detector_match(
        messages in proptest::collection::vec(proptest::collection::vec(piece(), 1..12), 1..4)
    ) {
        let texts: Vec<String> = messages.iter().map(|m| m.join(" ")).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let findings: Vec<Vec<trainready::pii::Finding>> =
            refs.iter().map(|t| trainready::pii::scan(t, &[])).collect();
        let (redacted, _) = trainready::pii::redact_conversation(&refs, &findings, &[], |_| true);
        for r in &redacted {
            let left = trainready::pii::scan(r, &[]);
            prop_assert!(left.is_empty(), "left behind: {:?} in {r:?}", left.iter().map(|f| f.kind).collect::<Vec<_>>());
        }
    }
}

/// Text made of what the detectors look at: capitalised and lower-case words (names, places,
/// cue words), digits and separators, apostrophes, non-ASCII letters, CJK and emoji.
fn tricky_text() -> impl Strategy<Value = String> {
    let atom = prop::sample::select(vec![
        "Dana",
        "Okafor",
        "my sister",
        "Dr.",
        "Best,",
        "~",
        "LPCC",
        "in",
        "Leeds",
        "from",
        "TX",
        "St",
        "Apt 4",
        "PO Box",
        "12",
        "555",
        "0",
        "-",
        ".",
        ",",
        "(",
        ")",
        "\n",
        " ",
        "'s",
        "’",
        "é",
        "Ł",
        "李",
        "明",
        "😀",
        "\u{a0}",
        "born",
        "aged",
        "zip",
        "+44",
        "#",
        "@",
        "www.",
        ".com",
        "McDonald",
        "wellRobin",
        "O'Neil",
        "Jane A. Doe",
        "Doe, Jane",
        "I'm",
        "and",
    ]);
    prop_oneof![
        proptest::collection::vec(atom, 0..40).prop_map(|v| v.concat()),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any text: the scan does not panic, and its findings are well formed: byte offsets on
    /// character boundaries, code-point offsets that agree with them, sorted, not overlapping.
    #[test]
    fn scan_findings_are_well_formed_on_any_text(text in tricky_text()) {
        let findings = trainready::pii::scan(&text, &[]);
        let mut last_end = 0;
        for f in &findings {
            prop_assert!(f.byte_start < f.byte_end && f.byte_end <= text.len());
            prop_assert!(text.is_char_boundary(f.byte_start) && text.is_char_boundary(f.byte_end));
            prop_assert!(f.byte_start >= last_end, "overlap");
            prop_assert_eq!(text[..f.byte_start].chars().count(), f.start);
            prop_assert_eq!(text[..f.byte_end].chars().count(), f.end);
            last_end = f.byte_end;
        }
        let (redacted, _) = trainready::pii::redact_conversation(&[&text], &[findings], &[], |_| true);
        prop_assert_eq!(redacted.len(), 1);
    }
}
