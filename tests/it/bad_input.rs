//! Bad input: each bad record is rejected into the ledger with its reason, file and line; the
//! rest of the file is processed; counts balance; nothing printed contains record text.

use crate::common::*;

#[test]
fn bad_records_are_rejected_with_reason_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let o = build(&fixtures().join("bad/release.toml"), tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rel = tmp.path().join("releases/bad-inputs/0.1.0");
    let ledger = ledger_rows(&rel);
    let reason = |id: &str| -> String {
        let (_, status, reason) = ledger
            .get(id)
            .unwrap_or_else(|| panic!("{id} not in ledger: {:?}", ledger.keys()));
        assert_eq!(status, "rejected", "{id}");
        reason.clone().unwrap()
    };
    let exported = |src: &str| {
        ledger
            .values()
            .filter(|(s, st, _)| s == src && st == "exported")
            .count()
    };

    // chatml_bad.jsonl: 8 records (the blank line is not one), 3 good.
    assert_eq!(
        ledger
            .values()
            .filter(|(s, _, _)| s == "chatml-bad")
            .count(),
        8
    );
    assert_eq!(exported("chatml-bad"), 3);
    let r = reason("chatml-bad/chatml_bad.jsonl#2");
    assert!(
        r.contains("malformed JSON") && r.contains("chatml_bad.jsonl line 4"),
        "{r}"
    );
    let r = reason("chatml-bad/chatml_bad.jsonl#3");
    assert!(r.contains("invalid UTF-8") && r.contains("line 5"), "{r}");
    let r = reason("chatml-bad/bad-005");
    assert!(
        r.contains("unknown speaker `narrator`") && r.contains("line 6"),
        "{r}"
    );
    let r = reason("chatml-bad/bad-006");
    assert!(r.contains("no turns") && r.contains("line 7"), "{r}");
    let r = reason("chatml-bad/bad-007");
    assert!(
        r.contains("missing field `messages`") && r.contains("line 8"),
        "{r}"
    );

    // An empty file shows up as one rejected row.
    let r = reason("empty/empty.jsonl#0");
    assert!(r.contains("empty file"), "{r}");

    // A CSV without the answer column: every row rejected, naming the column.
    for i in 0..3 {
        let r = reason(&format!("qa-missing-column/qa_missing_column.csv#{i}"));
        assert!(r.contains("missing required column `answerText`"), "{r}");
        assert!(r.contains(&format!("line {}", i + 2)), "{r}");
    }

    // A ragged row and an empty answer; the other three rows are exported.
    let r = reason("qa-ragged/qa_ragged.csv#2");
    assert!(
        r.contains("expected 3 fields, found 4") && r.contains("line 4"),
        "{r}"
    );
    let r = reason("qa-ragged/q4");
    assert!(r.contains("empty answer") && r.contains("line 5"), "{r}");
    assert_eq!(exported("qa-ragged"), 3);

    // dialog: no turns, unknown speaker.
    let r = reason("dialog-bad/dialog_bad.jsonl#1");
    assert!(r.contains("no turns") && r.contains("line 2"), "{r}");
    let r = reason("dialog-bad/dialog_bad.jsonl#3");
    assert!(
        r.contains("unknown speaker `moderator`") && r.contains("line 4"),
        "{r}"
    );
    assert_eq!(exported("dialog-bad"), 2);

    // Balance: input = exported + rejected.
    let rj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rel.join("release.json")).unwrap()).unwrap();
    assert_eq!(rj["counts"]["input"], 8 + 1 + 3 + 5 + 4);
    assert_eq!(rj["counts"]["exported"], 3 + 3 + 2);
    assert_eq!(rj["counts"]["by_status"]["rejected"], 5 + 1 + 3 + 2 + 2);

    // Logs never carry record text.
    let printed = format!("{}{}", text(&o.stdout), text(&o.stderr));
    for needle in [
        "overthinking",
        "grieving",
        "narrator",
        "Hi. I have my review",
    ] {
        assert!(
            !printed.contains(needle),
            "printed output contains record text `{needle}`"
        );
    }
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
}

#[test]
fn unreadable_source_is_a_tool_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(
        tmp.path(),
        "r.toml",
        r#"
[release]
name = "x"
version = "1"
[[source]]
name = "nothing-here"
family = "f"
uri = "does/not/exist/*.jsonl"
mapping = "chatml"
license = "MIT"
origin = "nowhere"
"#,
    );
    let o = build(&spec, &tmp.path().join("o"));
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("nothing-here") && err.contains("matched no object"),
        "{err}"
    );

    let bad_json = tmp.path().join("broken.json");
    std::fs::write(&bad_json, "[{\"dialog\": [}").unwrap();
    let spec = write_spec(
        tmp.path(),
        "r2.toml",
        r#"
[release]
name = "x"
version = "1"
[[source]]
name = "broken"
family = "f"
uri = "broken.json"
mapping = "dialog"
license = "MIT"
origin = "nowhere"
"#,
    );
    let o = build(&spec, &tmp.path().join("o"));
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("broken.json") && err.contains("line 1"),
        "{err}"
    );
}
