//! PII: per-kind precision and recall on the labelled evaluation set, redaction in the fixture
//! release, the residual gate, and the `trainready pii` command.

use std::collections::BTreeMap;

use trainready::pii::{Kind, scan};

use crate::common::*;

/// How a finding matches a labelled span.
#[derive(Clone, Copy, PartialEq)]
enum Match {
    /// Same kind, same start and end (the development set).
    Exact,
    /// Same kind and any overlap (the held-out set, as the issue judges it).
    Overlap,
}

/// Per kind: (true positives, false positives, false negatives); and per hard-negative
/// family: (records, records with any finding).
struct Eval {
    kinds: BTreeMap<&'static str, (usize, usize, usize)>,
    negatives: BTreeMap<String, (usize, usize)>,
}

fn evaluate(file: &str, how: Match) -> Eval {
    let text = std::fs::read_to_string(repo().join("eval/pii").join(file)).unwrap();
    let mut kinds: BTreeMap<&'static str, (usize, usize, usize)> =
        Kind::ALL.iter().map(|k| (k.name(), (0, 0, 0))).collect();
    let mut negatives: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let verbose = std::env::var("PII_EVAL_VERBOSE").is_ok();
    for line in text.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let t = r["text"].as_str().unwrap();
        let gold: Vec<(String, usize, usize)> = r["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["kind"].as_str().unwrap().to_string(),
                    s["start"].as_u64().unwrap() as usize,
                    s["end"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        let found: Vec<(String, usize, usize)> = scan(t, &[])
            .into_iter()
            .map(|f| (f.kind.name().to_string(), f.start, f.end))
            .collect();
        if let Some(family) = r["negative"].as_str() {
            let e = negatives.entry(family.to_string()).or_default();
            e.0 += 1;
            e.1 += usize::from(!found.is_empty());
        }
        let same = |a: &(String, usize, usize), b: &(String, usize, usize)| {
            a.0 == b.0
                && match how {
                    Match::Exact => a.1 == b.1 && a.2 == b.2,
                    Match::Overlap => a.1 < b.2 && b.1 < a.2,
                }
        };
        let show = |what: &str, f: &(String, usize, usize)| {
            if verbose {
                eprintln!(
                    "{what} {} {:?} in {}",
                    f.0,
                    t.chars().skip(f.1).take(f.2 - f.1).collect::<String>(),
                    r["id"]
                );
            }
        };
        for f in &found {
            let e = kinds.get_mut(f.0.as_str()).unwrap();
            if gold.iter().any(|g| same(f, g)) {
                e.0 += 1;
            } else {
                e.1 += 1;
                show("FP", f);
            }
        }
        for g in &gold {
            if !found.iter().any(|f| same(f, g)) {
                kinds.get_mut(g.0.as_str()).unwrap().2 += 1;
                show("FN", g);
            }
        }
    }
    Eval { kinds, negatives }
}

fn ratio(a: usize, b: usize) -> f64 {
    a as f64 / b.max(1) as f64
}

fn print_table(name: &str, e: &Eval) {
    eprintln!("{name}");
    eprintln!("| kind | TP | FP | FN | precision | recall |\n|---|---|---|---|---|---|");
    let (mut tp, mut fp, mut fne) = (0, 0, 0);
    for (k, (t, f, n)) in &e.kinds {
        eprintln!(
            "| {k} | {t} | {f} | {n} | {:.3} | {:.3} |",
            ratio(*t, t + f),
            ratio(*t, t + n)
        );
        tp += t;
        fp += f;
        fne += n;
    }
    eprintln!(
        "| all | {tp} | {fp} | {fne} | {:.3} | {:.3} |",
        ratio(tp, tp + fp),
        ratio(tp, tp + fne)
    );
    eprintln!("| hard-negative family | records | flagged | rate |\n|---|---|---|---|");
    for (family, (n, flagged)) in &e.negatives {
        eprintln!(
            "| {family} | {n} | {flagged} | {:.3} |",
            ratio(*flagged, *n)
        );
    }
}

/// The kinds the issue calls pattern kinds (everything but names, places and addresses).
fn pattern_kind(k: &str) -> bool {
    !matches!(k, "PERSON" | "LOCATION" | "REGION" | "STREET_ADDRESS")
}

/// The hard-negative families made of capitalised words that look like names or places.
const NAME_NEGATIVES: &[&str] = &[
    "drug_name",
    "virtue_word",
    "weekday_month_holiday",
    "diagnosis",
    "therapy",
    "programme_helpline",
    "app_brand",
    "religion",
    "capitalised_word",
    "nationality_language",
];

#[test]
fn labelled_set_precision_and_recall() {
    let e = evaluate("labelled.jsonl", Match::Exact);
    print_table(
        "labelled.jsonl (development set: the detectors were tuned on it; exact spans)",
        &e,
    );
    // The targets: PERSON recall >= 0.90, LOCATION and STREET_ADDRESS >= 0.85, every
    // pattern kind >= 0.97; precision >= 0.90 per kind; name hard negatives flagged <= 2%.
    let mut failures = Vec::new();
    for (k, (t, f, n)) in &e.kinds {
        let (p, r) = (ratio(*t, t + f), ratio(*t, t + n));
        let min_recall = match *k {
            "PERSON" => 0.90,
            "LOCATION" | "REGION" | "STREET_ADDRESS" => 0.85,
            _ => 0.97,
        };
        if t + n > 0 && (p < 0.90 || r < min_recall) {
            failures.push(format!("{k}: precision {p:.3} recall {r:.3}"));
        }
    }
    let (n, flagged) = e
        .negatives
        .iter()
        .filter(|(f, _)| NAME_NEGATIVES.contains(&f.as_str()))
        .fold((0, 0), |a, (_, v)| (a.0 + v.0, a.1 + v.1));
    assert!(n >= 100, "only {n} name hard negatives");
    if ratio(flagged, n) > 0.02 {
        failures.push(format!("name hard negatives flagged: {flagged} of {n}"));
    }
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn heldout_set_precision_and_recall() {
    // Written independently of the detectors and never tuned on: the honest figure. Judged
    // as the issue says: a labelled span is found when a finding of its kind overlaps it.
    let e = evaluate("heldout.jsonl", Match::Overlap);
    print_table("heldout.jsonl (held out; overlapping spans)", &e);
    let mut failures = Vec::new();
    let sum = |pred: &dyn Fn(&str) -> bool| {
        e.kinds
            .iter()
            .filter(|(k, _)| pred(k))
            .fold((0, 0, 0), |a, (_, v)| (a.0 + v.0, a.1 + v.1, a.2 + v.2))
    };
    for (name, pred, min) in [
        (
            "PERSON",
            &(|k: &str| k == "PERSON") as &dyn Fn(&str) -> bool,
            0.85,
        ),
        ("STREET_ADDRESS", &|k: &str| k == "STREET_ADDRESS", 0.80),
        (
            "LOCATION+REGION",
            &|k: &str| k == "LOCATION" || k == "REGION",
            0.75,
        ),
        ("pattern kinds", &pattern_kind, 0.97),
    ] {
        let (t, _, n) = sum(pred);
        if ratio(t, t + n) < min {
            failures.push(format!("{name}: recall {:.3} < {min}", ratio(t, t + n)));
        }
    }
    let (t, f, _) = sum(&|_| true);
    if ratio(t, t + f) < 0.90 {
        failures.push(format!(
            "precision of all findings {:.3} < 0.90",
            ratio(t, t + f)
        ));
    }
    assert!(failures.is_empty(), "{failures:?}");
}

fn fixture_spec_with(tmp: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let body = fixture_spec_local() + extra;
    write_spec(tmp, "pii.toml", &body)
}

#[test]
fn fixture_release_is_redacted_and_passes_the_residual_gate() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    let records = shard_records(&rel);
    let text_of = |id: &str| {
        records
            .iter()
            .find(|(_, r)| r["id"] == id)
            .map(|(_, r)| r["messages"].to_string())
            .unwrap()
    };
    let c4 = text_of("synthetic-chatml/chat-004");
    assert!(
        !c4.contains("Dana")
            && c4.contains("my name is [PERSON_1]")
            && c4.contains("Hi [PERSON_1]"),
        "{c4}"
    );
    let c6 = text_of("synthetic-chatml/chat-006");
    assert!(!c6.contains("riverstone") && c6.contains("[EMAIL_1]"));
    let c8 = text_of("synthetic-chatml/chat-008");
    assert!(!c8.contains("555-0147") && c8.contains("[PHONE_1]"));

    // No therapist named in a counsel-chat record's metadata appears in the export.
    let all: String = records
        .iter()
        .map(|(_, r)| r["messages"].to_string())
        .collect();
    for (file, name, _) in therapist_rows() {
        if name.split_whitespace().count() >= 2 {
            assert!(
                !all.contains(&name),
                "therapist name left in the export ({file})"
            );
        }
    }
    assert!(
        !all.contains("Dr. Spencer"),
        "sign-off name left in the export"
    );

    let m = read_parquet(&rel.join("manifest.parquet"));
    let sum = |c: &str| {
        m.column(c)
            .unwrap()
            .u32()
            .unwrap()
            .iter()
            .flatten()
            .sum::<u32>()
    };
    assert!(
        sum("pii_person") >= 5
            && sum("pii_url") >= 1
            && sum("pii_email") >= 1
            && sum("pii_phone") >= 1
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rel.join("reports/pii_summary.json")).unwrap())
            .unwrap();
    // Nothing is left but REGION (countries and states: flagged, allowed by default).
    assert!(
        summary["residual"]
            .as_object()
            .unwrap()
            .iter()
            .all(|(k, v)| v == 0 || k == "REGION"),
        "{summary}"
    );
    let gates: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rel.join("reports/gates.json")).unwrap()).unwrap();
    let residual: Vec<_> = gates
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["name"].as_str().unwrap().starts_with("pii_residual."))
        .collect();
    // One gate per kind but the allowed ones (REGION by default: flagged and counted only).
    assert_eq!(residual.len(), 15);
    assert!(residual.iter().all(|g| g["name"] != "pii_residual.REGION"));
    assert!(residual.iter().all(|g| g["passed"] == true));
    // The report never carries matched text.
    let report = std::fs::read_to_string(rel.join("reports/pii_summary.json")).unwrap();
    assert!(!report.contains("Dana") && !report.contains("555-0147"));
}

#[test]
fn flag_only_fails_the_residual_gate() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = fixture_spec_with(tmp.path(), "\n[pii.sources]\nsynthetic-chatml = \"flag\"\n");
    let o = build(&spec, &tmp.path().join("o"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("pii_residual.PHONE")
            && err.contains("pii_residual.EMAIL")
            && err.contains("pii_residual.PERSON"),
        "{err}"
    );
    assert!(!tmp.path().join("o/releases").exists());
    assert!(
        !err.contains("555-0147") && !err.contains("riverstone"),
        "no values in messages"
    );

    // An `allow` list replaces the default one (`["REGION"]`): without REGION in it, the
    // country names the fixtures mention block the release.
    let spec = fixture_spec_with(
        tmp.path(),
        "\n[pii]\nallow = [\"PHONE\", \"EMAIL\", \"PERSON\"]\n[pii.sources]\nsynthetic-chatml = \"flag\"\n",
    );
    let o = build(&spec, &tmp.path().join("o1"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("pii_residual.REGION"));
    // Allowing the flagged kinds lets it through.
    let spec = fixture_spec_with(
        tmp.path(),
        "\n[pii]\nallow = [\"PHONE\", \"EMAIL\", \"PERSON\", \"REGION\"]\n[pii.sources]\nsynthetic-chatml = \"flag\"\n",
    );
    let rel = build_ok(&spec, &tmp.path().join("o2"), "fixtures", "0.1.0");
    let records = shard_records(&rel);
    assert!(
        records
            .iter()
            .any(|(_, r)| r["messages"].to_string().contains("555-0147")),
        "flagged values stay"
    );
}

/// The words of one section of `data/pii/not_names.txt` (a section title's prefix).
fn not_names_section(prefix: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("data/pii/not_names.txt")).unwrap();
    let mut on = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("# ") {
            on = title.starts_with(prefix);
        } else if on && !line.trim().is_empty() && !line.starts_with('#') {
            out.push(line.to_string());
        }
    }
    assert!(out.len() > 20, "section {prefix}: {}", out.len());
    out
}

/// Every row of the counsel-chat fixtures: (file, the therapist's name from the therapist
/// column up to the first comma, the row's fields that differ from the therapist column).
fn therapist_rows() -> Vec<(&'static str, String, Vec<String>)> {
    let mut out = Vec::new();
    for (file, col) in [
        ("counsel_chat_2020.csv", "therapistInfo"),
        ("counselchat_data.csv", "therapistName"),
    ] {
        let mut rdr = csv::Reader::from_path(fixtures().join("counsel-chat").join(file)).unwrap();
        let h = rdr.headers().unwrap().clone();
        let c = h.iter().position(|x| x == col).unwrap();
        for r in rdr.records() {
            let r = r.unwrap();
            let name = r[c].split(',').next().unwrap().trim().to_string();
            let others = r
                .iter()
                .filter(|f| *f != &r[c])
                .map(str::to_string)
                .collect();
            out.push((file, name, others));
        }
    }
    out
}

/// Every string of a JSON value, one per line.
fn strings_of(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings_of(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings_of(x, out)),
        _ => {}
    }
}

/// Whole-word occurrences of `word` in `text`.
fn word_count(text: &str, word: &str) -> usize {
    text.match_indices(word)
        .filter(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + word.len()..].chars().next();
            before.is_none_or(|c| !c.is_alphanumeric())
                && after.is_none_or(|c| !c.is_alphanumeric())
        })
        .count()
}

#[test]
fn r14_fixture_release_redacts_therapist_names_without_metadata_and_keeps_drug_and_feeling_words() {
    // Without the therapist columns (`metadata_names = false`), the counsel-chat answers'
    // signed names are still found in the text; drug names and feeling words never are.
    let tmp = tempfile::tempdir().unwrap();
    let spec = fixture_spec_with(tmp.path(), "\n[pii]\nmetadata_names = false\n");
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("o"), &run);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rel = tmp.path().join("o/releases/fixtures/0.1.0");
    let records = shard_records(&rel);
    let exported: BTreeMap<String, String> = records
        .iter()
        .map(|(_, r)| {
            // The strings themselves, not their JSON escapes: `\nHope` is a word boundary.
            let mut text = String::new();
            strings_of(r, &mut text);
            (r["id"].as_str().unwrap().to_string(), text)
        })
        .collect();
    let all: String = exported.values().cloned().collect();
    let mut signed = 0;
    for (file, name, other_fields) in therapist_rows() {
        let last = name.split_whitespace().last().unwrap_or("").to_string();
        if name.split_whitespace().count() >= 2 && other_fields.iter().any(|f| f.contains(&last)) {
            signed += 1;
        }
        if name.split_whitespace().count() >= 2 {
            assert!(
                !all.contains(&name),
                "therapist name left in the export ({file})"
            );
        }
    }
    assert!(
        signed >= 3,
        "the fixtures hold only {signed} signed answers"
    );

    // Every drug name and feeling word of the loaded text is still in the exported text.
    // Records the quality stage trimmed (`sft_shape = "trim"`) lost whole messages on purpose:
    // they are left out of this comparison.
    let load = read_parquet(&run.join("01_load.parquet"));
    let ids = strs_nonnull(&load, "record_id");
    let messages = trainready::schema::messages_of(&load).unwrap();
    let manifest = read_parquet(&rel.join("manifest.parquet"));
    let trimmed: std::collections::BTreeSet<String> = strs_nonnull(&manifest, "record_id")
        .into_iter()
        .zip(
            manifest
                .column("trimmed_messages")
                .unwrap()
                .u32()
                .unwrap()
                .iter()
                .collect::<Vec<_>>(),
        )
        .filter(|(_, n)| n.unwrap_or(0) > 0)
        .map(|(id, _)| id)
        .collect();
    assert!(!trimmed.is_empty());
    let mut words = not_names_section("psychiatric");
    words.extend(not_names_section("feelings"));
    let mut checked = 0;
    for (id, m) in ids.iter().zip(messages) {
        let Some(out) = exported.get(id) else {
            continue;
        };
        if trimmed.contains(id) {
            continue;
        }
        let loaded: String = m
            .iter()
            .map(|x| x.content.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        for w in &words {
            let n = word_count(&loaded, w);
            if n > 0 {
                checked += 1;
                assert!(word_count(out, w) >= n, "`{w}` was redacted in {id}");
            }
        }
    }
    assert!(
        checked >= 10,
        "only {checked} drug or feeling words in the fixtures"
    );
}

#[test]
fn r14_counsel_chat_signatures_are_found_without_metadata() {
    // The full 2020 counsel-chat scrape: answers that end with the therapist's own full name
    // ("Be well, Robin J. Landwehr, DBH, LPCC"). `trainready pii` must find >= 95% of them
    // with no metadata at all.
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let file = data.join("counsel-chat/20200325_counsel_chat.csv");
    let mut rdr = csv::Reader::from_path(&file).unwrap();
    let h = rdr.headers().unwrap().clone();
    let info = h.iter().position(|x| x == "therapistInfo").unwrap();
    let answer = h.iter().position(|x| x == "answerText").unwrap();
    let (mut signed, mut found) = (0, 0);
    for r in rdr.records() {
        let r = r.unwrap();
        // The therapist's name: therapistInfo up to the first comma or credential.
        let name: Vec<&str> = r[info]
            .split([',', '\n'])
            .next()
            .unwrap()
            .split_whitespace()
            .take_while(|w| !w.chars().all(|c| c.is_uppercase() || c == '.'))
            .collect();
        if name.len() < 2 {
            continue;
        }
        let (first, last) = (name[0], name[name.len() - 1]);
        let text = &r[answer];
        // A signature: the first name, then the last name within a few words.
        let Some(at) = text.rfind(last) else { continue };
        let Some(f) = text[..at].rfind(first) else {
            continue;
        };
        if text[f..at].split_whitespace().count() > 3 {
            continue;
        }
        signed += 1;
        let findings = trainready::pii::scan(text, &[]);
        let start = text[..at].chars().count();
        // Found: a PERSON over the surname, or a web address or e-mail that holds it
        // ("~Mark (www.MarkMorrisLCSW.com)"), redacted whole.
        let covers = |x: &trainready::pii::Finding| {
            matches!(x.kind, Kind::Person | Kind::Url | Kind::Email)
                && x.start <= start
                && start < x.end
        };
        if findings.iter().any(covers) {
            found += 1;
        } else if std::env::var("PII_EVAL_VERBOSE").is_ok() {
            eprintln!("missed signature of {first} {last}");
        }
    }
    eprintln!("counsel-chat 2020: {found} of {signed} signed answers found");
    assert!(signed >= 50, "{signed}");
    assert!(found as f64 >= 0.95 * signed as f64, "{found} of {signed}");
}

#[test]
fn drop_action_removes_records_into_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = fixture_spec_with(tmp.path(), "\n[pii.kinds]\nEMAIL = \"drop\"\n");
    let rel = build_ok(&spec, &tmp.path().join("o"), "fixtures", "0.1.0");
    let ledger = ledger_rows(&rel);
    let (_, status, reason) = &ledger["synthetic-chatml/chat-006"];
    assert_eq!(status, "pii_dropped");
    assert_eq!(reason.as_deref(), Some("PII with action drop: EMAIL"));
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
}

#[test]
fn pii_command_prints_code_point_offsets_and_redacts() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.jsonl");
    let lines = [
        serde_json::json!({"id": "r1", "messages": [{"role": "user", "content": "café ☕ 🙂 mail me at dana@example.com or call 555-123-4567"}]}),
        serde_json::json!({"id": 2, "messages": [{"role": "user", "content": "nothing here"}, {"role": "user", "content": "Hi, my name is Dana and (555) 123-4567 is mine"}]}),
        serde_json::json!({"text": "order #4839201 shipped"}),
    ];
    std::fs::write(
        &input,
        lines
            .iter()
            .map(|l| l.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let out = tmp.path().join("clean.jsonl");
    let o = trainready(&[
        "pii",
        input.to_str().unwrap(),
        "--redact",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    let findings: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let as_tuple = |f: &serde_json::Value| {
        (
            f["record"].as_str().unwrap().to_string(),
            f["message"].as_u64().unwrap(),
            f["kind"].as_str().unwrap().to_string(),
            f["start"].as_u64().unwrap(),
            f["end"].as_u64().unwrap(),
        )
    };
    let got: Vec<_> = findings.iter().map(as_tuple).collect();
    let content0: Vec<char> = lines[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .chars()
        .collect();
    let s = content0.iter().collect::<String>().find("dana@").unwrap();
    let email_start = content0.iter().collect::<String>()[..s].chars().count() as u64;
    assert_eq!(
        got[0],
        (
            "r1".into(),
            0,
            "EMAIL".into(),
            email_start,
            email_start + 16
        )
    );
    assert_eq!(got[1].2, "PHONE");
    assert_eq!(got[2], ("2".into(), 1, "PERSON".into(), 15, 19));
    assert_eq!(got.len(), 4, "{stdout}");
    for f in &findings {
        assert_eq!(f.as_object().unwrap().len(), 5, "exactly the fixed fields");
    }
    assert!(
        !stdout.contains("dana@") && !stdout.contains("Dana"),
        "never the value"
    );
    let clean = std::fs::read_to_string(&out).unwrap();
    assert!(
        clean.contains("[EMAIL_1]") && clean.contains("[PHONE_1]") && clean.contains("[PERSON_1]")
    );
    assert!(
        !clean.contains("dana@") && !clean.contains("123-4567") && clean.contains("order #4839201")
    );
}
