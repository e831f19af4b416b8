//! The report's sections, in order, each from `stats.json`, the gates and the two text-free
//! tables. Every count shown goes through [`count_cell`] (small cells suppressed).

use std::collections::BTreeMap;

use serde_json::Value;

use super::figures::{bars, log_histogram};
use super::{Block, ReportInput};
use crate::error::Result;
use crate::schema::STATUSES;
use crate::schema::release::GateResult;
use crate::schema::{str_column, u64_column};

/// Table headers.
fn h(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// Every section of the report, in order.
pub(super) fn document(input: &ReportInput<'_>) -> Result<Vec<Block>> {
    let mut doc = Vec::new();
    for section in [
        verdict_and_gates,
        sources_and_licences,
        records,
        rejections,
        coverage,
        families_and_curriculum,
        breakdowns,
        lengths,
        structure,
        quality,
        duplicates_and_leakage,
        personal_data,
    ] {
        section(input, &mut doc)?;
    }
    Ok(doc)
}

fn sources_and_licences(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let s = input.stats;
    let cell = |v: &Value| count_cell(v.as_u64(), k);
    doc.push(Block::H2("Sources and licences".into()));
    let licenses = s["provenance"]["licenses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let license_of = |src: &str| {
        licenses
            .iter()
            .find(|l| {
                l["sources"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == src))
            })
            .and_then(|l| l["license"].as_str())
            .unwrap_or("-")
            .to_string()
    };
    let sources: Vec<String> = s["load"]["read"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    doc.push(Block::Table {
        head: h(&[
            "source", "licence", "read", "loaded", "rejected", "exported",
        ]),
        rows: sources
            .iter()
            .map(|src| {
                vec![
                    src.clone(),
                    license_of(src),
                    cell(&s["load"]["read"][src]),
                    cell(&s["load"]["loaded"][src]),
                    cell(&s["load"]["rejected"][src]),
                    cell(&s["counts"]["by_source"][src]["exported"]),
                ]
            })
            .collect(),
    });
    doc.push(Block::Table {
        head: h(&["licence", "sources", "exported records"]),
        rows: licenses
            .iter()
            .map(|l| {
                vec![
                    format!("`{}`", l["license"].as_str().unwrap_or("")),
                    l["sources"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default(),
                    cell(&l["exported"]),
                ]
            })
            .collect(),
    });
    let policy = &s["provenance"]["license_policy"];
    doc.push(Block::P(if policy["set"] == true {
        format!(
            "Licence policy (`[provenance]`): {} source(s) outside it{}.",
            policy["violations"],
            policy["sources_outside"]
                .as_array()
                .filter(|a| !a.is_empty())
                .map(|a| format!(
                    ": {}",
                    a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
                ))
                .unwrap_or_default()
        )
    } else {
        "No licence policy (`[provenance]`): any declared licence is accepted. Check the licences above before a release leaves the team (NC and ND licences restrict use).".into()
    }));
    Ok(())
}

fn rejections(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let s = input.stats;
    let mut rows = Vec::new();
    for (src, reasons) in s["load"]["top_reasons"].as_object().into_iter().flatten() {
        for r in reasons.as_array().into_iter().flatten() {
            rows.push(vec![
                src.clone(),
                r["reason"].as_str().unwrap_or("").to_string(),
                count_cell(r["records"].as_u64(), k),
            ]);
        }
    }
    doc.push(Block::H2("Records rejected at load".into()));
    if rows.is_empty() {
        doc.push(Block::P("No record was rejected at load.".into()));
    } else {
        doc.push(Block::P(
            "The most common reasons per source (reasons name fields, lines and hashes, never a value).".into(),
        ));
        doc.push(Block::Table {
            head: h(&["source", "reason", "records"]),
            rows,
        });
    }
    Ok(())
}

fn coverage(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let c = input.coverage;
    doc.push(Block::H2("Coverage of the families".into()));
    let list = |v: &Value| {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    doc.push(Block::Table {
        head: h(&[
            "family", "required", "status", "records", "sources", "phases", "waiver",
        ]),
        rows: c["families"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                vec![
                    f["family"].as_str().unwrap_or("").to_string(),
                    if f["required"] == true { "yes" } else { "no" }.into(),
                    if f["status"] == "missing" {
                        "**missing**".to_string()
                    } else {
                        f["status"].as_str().unwrap_or("").to_string()
                    },
                    count_cell(f["records"].as_u64(), k),
                    list(&f["sources"]),
                    list(&f["phases"]),
                    f["waiver"].as_str().unwrap_or("").to_string(),
                ]
            })
            .collect(),
    });
    Ok(())
}

fn breakdowns(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let s = input.stats;
    let Some(fields) = s["breakdowns"].as_object().filter(|o| !o.is_empty()) else {
        return Ok(());
    };
    doc.push(Block::H2("Breakdowns".into()));
    doc.push(Block::P(format!(
        "Shares of the exported records by metadata value, per split and per phase; values held by fewer than {k} records are pooled as `(other)`."
    )));
    for (field, b) in fields {
        for by in ["split", "phase"] {
            let groups: Vec<(String, Value)> = b[by]
                .as_object()
                .map(|o| o.iter().map(|(g, v)| (g.clone(), v.clone())).collect())
                .unwrap_or_default();
            let mut values: std::collections::BTreeSet<String> = Default::default();
            for (_, v) in &groups {
                values.extend(v.as_object().into_iter().flatten().map(|(x, _)| x.clone()));
            }
            let mut head = h(&["value"]);
            head.extend(groups.iter().map(|(g, _)| format!("{by} {g}")));
            let drift = &s["drift"]["breakdown_share_change"][field.as_str()];
            if !drift.is_null() {
                head.push("drift".into());
            }
            let rows = values
                .iter()
                .map(|value| {
                    let mut row = vec![format!("`{field}` = {value}")];
                    for (_, v) in &groups {
                        row.push(
                            v[value.as_str()]["share"]
                                .as_f64()
                                .map_or("-".into(), |x| format!("{:.1}%", 100.0 * x)),
                        );
                    }
                    if !drift.is_null() {
                        row.push(drift[value.as_str()].as_f64().map_or("-".into(), num));
                    }
                    row
                })
                .collect();
            doc.push(Block::Table { head, rows });
        }
    }
    Ok(())
}

fn verdict_and_gates(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let failed: Vec<&GateResult> = input.gates.iter().filter(|g| !g.passed).collect();
    // Verdict and gates.
    doc.push(Block::P(if failed.is_empty() {
        format!(
            "**Verdict: every gate passed** ({} gates). {}",
            input.gates.len(),
            if input.review_required {
                "The spec requires a review: the release is staged until `trainready publish RUN_DIR --reviewed-by NAME` publishes it."
            } else {
                "The release is published."
            }
        )
    } else {
        format!(
            "**Verdict: BLOCKED**: {} of {} gates failed; nothing was published. Failed: {}.",
            failed.len(),
            input.gates.len(),
            failed
                .iter()
                .map(|g| format!("`{}`", g.name))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }));
    doc.push(Block::P(format!(
        "Counts from 1 to {} are shown as `<{k}`; histogram bins and bars with fewer than {k} records are not drawn. No text from the data appears here.",
        k.saturating_sub(1)
    )));
    doc.push(Block::H2("Gates".into()));
    let mut gates: Vec<&GateResult> = input.gates.iter().collect();
    gates.sort_by_key(|g| g.passed);
    doc.push(Block::Table {
        head: h(&["gate", "verdict", "value", "must be", "detail"]),
        rows: gates
            .iter()
            .map(|g| {
                vec![
                    format!("`{}`", g.name),
                    if g.passed { "pass" } else { "**FAIL**" }.into(),
                    g.value.map_or("missing".into(), num),
                    format!("{} {}", g.op, num(g.threshold)),
                    g.detail.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    });

    Ok(())
}

fn records(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let s = input.stats;
    let cell = |v: &Value| count_cell(v.as_u64(), k);
    // Removal waterfall.
    doc.push(Block::H2("Where the records went".into()));
    let by_status = &s["counts"]["by_status"];
    let steps: Vec<(String, u64)> = std::iter::once((
        "input".to_string(),
        s["counts"]["input"].as_u64().unwrap_or(0),
    ))
    .chain(
        [
            "rejected",
            "duplicate",
            "near_duplicate",
            "leakage",
            "pii_dropped",
            "unrouted",
            "exported",
        ]
        .iter()
        .map(|st| (st.to_string(), by_status[st].as_u64().unwrap_or(0))),
    )
    .collect();
    doc.push(Block::Figure {
        file: "waterfall.svg".into(),
        svg: bars("Input records and where they went", "records", &steps, k)?,
        caption: "Removal waterfall: input, then each removal status, then exported.".into(),
    });
    let sources: Vec<String> = s["counts"]["by_source"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let mut head = h(&["source", "input"]);
    head.extend(STATUSES.iter().map(|s| s.to_string()));
    doc.push(Block::Table {
        head,
        rows: sources
            .iter()
            .map(|src| {
                let c = &s["counts"]["by_source"][src];
                let mut row = vec![src.clone(), cell(&c["input"])];
                row.extend(STATUSES.iter().map(|st| cell(&c["by_status"][st])));
                row
            })
            .collect(),
    });

    Ok(())
}

fn families_and_curriculum(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let s = input.stats;
    let cell = |v: &Value| count_cell(v.as_u64(), k);
    // Coverage and curriculum.
    doc.push(Block::H2("Families, coverage and curriculum".into()));
    let shares: Vec<(String, u64)> = s["family_shares"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(f, v)| (f.clone(), v["records"].as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    doc.push(Block::Figure {
        file: "family_shares.svg".into(),
        svg: bars("Exported lines per family", "lines", &shares, k)?,
        caption: "Family shares of the exported lines.".into(),
    });
    let phases = s["curriculum"]["phases"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    doc.push(Block::Table {
        head: h(&[
            "phase",
            "kind",
            "lines",
            "records",
            "tokens",
            "≈ tokens (chars/4)",
            "families",
        ]),
        rows: phases
            .iter()
            .map(|(name, p)| {
                vec![
                    name.clone(),
                    p["kind"].as_str().unwrap_or("").to_string(),
                    cell(&p["records"]),
                    cell(&p["distinct_records"]),
                    num(p["tokens"].as_f64().unwrap_or(0.0)),
                    num(p["approx_tokens"].as_f64().unwrap_or(0.0)),
                    p["by_family"]
                        .as_object()
                        .map(|f| {
                            f.iter()
                                .map(|(n, v)| format!("{n} ({})", cell(&v["records"])))
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    });
    let tokens: Vec<(String, u64)> = phases
        .iter()
        .map(|(n, p)| (n.clone(), p["tokens"].as_u64().unwrap_or(0)))
        .collect();
    let tokenizer = s["curriculum"]["tokenizer"].as_str().unwrap_or("approx");
    let unit = if tokenizer == "approx" {
        "tokens (characters / 4)".to_string()
    } else {
        format!("tokens ({tokenizer})")
    };
    doc.push(Block::Figure {
        file: "phases.svg".into(),
        svg: bars("Tokens per phase", &unit, &tokens, k)?,
        caption: format!(
            "Tokens per curriculum phase, counted with `{tokenizer}` over the exported message contents (no chat-template tokens)."
        ),
    });
    doc.push(Block::P(format!(
        "Coverage: {} required families missing, {} present, {} waived. Records routed to no phase: {}.",
        s["coverage"]["missing"],
        s["coverage"]["present"],
        s["coverage"]["waived"],
        cell(&s["curriculum"]["unrouted"])
    )));

    Ok(())
}

fn lengths(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let s = input.stats;
    let cell = |v: &Value| count_cell(v.as_u64(), k);
    // Lengths.
    doc.push(Block::H2("Lengths".into()));
    let roles = str_column(input.messages, "role")?;
    let msg_sources = str_column(input.messages, "source")?;
    let chars = u64_column(input.messages, "n_chars")?;
    let mut by_role: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut by_source: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for i in 0..roles.len() {
        by_role.entry(roles[i].clone()).or_default().push(chars[i]);
        by_source
            .entry(msg_sources[i].clone())
            .or_default()
            .push(chars[i]);
    }
    doc.push(Block::Figure {
        file: "lengths_by_role.svg".into(),
        svg: log_histogram("Message length by role", &by_role, k)?,
        caption: "Share of each role's messages by length in characters (log scale).".into(),
    });
    doc.push(Block::Figure {
        file: "lengths_by_source.svg".into(),
        svg: log_histogram("Message length by source", &by_source, k)?,
        caption: "Share of each source's messages by length in characters (log scale).".into(),
    });
    let lengths = s["message_lengths_by_role"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    doc.push(Block::Table {
        head: h(&[
            "role", "messages", "chars p5", "p50", "p95", "mean", "words p5", "p50", "p95",
        ]),
        rows: lengths
            .iter()
            .map(|(role, v)| {
                // Percentiles of fewer than k messages would describe individual messages.
                let few = v["messages"].as_u64().unwrap_or(0) < k;
                let f = |key: &str| v[key].as_f64().filter(|_| !few).map_or("-".into(), num);
                vec![
                    role.clone(),
                    cell(&v["messages"]),
                    f("chars_p5"),
                    f("chars_p50"),
                    f("chars_p95"),
                    f("chars_mean"),
                    f("words_p5"),
                    f("words_p50"),
                    f("words_p95"),
                ]
            })
            .collect(),
    });
    let turns = u64_column(input.manifest, "n_turns")?;
    const TURN_BINS: [(u64, u64, &str); 9] = [
        (0, 1, "1"),
        (2, 2, "2"),
        (3, 3, "3"),
        (4, 4, "4"),
        (5, 6, "5-6"),
        (7, 10, "7-10"),
        (11, 20, "11-20"),
        (21, 40, "21-40"),
        (41, u64::MAX, "41+"),
    ];
    let turn_bars: Vec<(String, u64)> = TURN_BINS
        .iter()
        .map(|(lo, hi, label)| {
            let n = turns.iter().filter(|t| (*lo..=*hi).contains(*t)).count() as u64;
            (label.to_string(), n)
        })
        .collect();
    doc.push(Block::Figure {
        file: "turns.svg".into(),
        svg: bars("Messages per exported line", "lines", &turn_bars, k)?,
        caption: "Distribution of messages per exported line.".into(),
    });

    Ok(())
}

fn structure(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let s = input.stats;
    let cell = |v: &Value| count_cell(v.as_u64(), k);
    // Quality.
    doc.push(Block::H2("Structure and language".into()));
    let alternation = s["role_alternation"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let empty = &s["empty_and_one_word_turns"];
    doc.push(Block::Table {
        head: h(&[
            "source",
            "conversations",
            "role violations",
            "first not user",
            "last not assistant",
            "repeated role",
            "one-word messages",
            "scripts",
        ]),
        rows: alternation
            .iter()
            .map(|(src, v)| {
                let one_word: u64 = empty[src]
                    .as_object()
                    .map(|r| r.values().filter_map(|x| x["one_word"].as_u64()).sum())
                    .unwrap_or(0);
                let scripts = s["script_mix"][src]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(sc, x)| {
                                format!("{sc} {:.0}%", 100.0 * x["share"].as_f64().unwrap_or(0.0))
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                vec![
                    src.clone(),
                    cell(&v["conversations"]),
                    cell(&v["violations"]),
                    cell(&v["first_not_user"]),
                    cell(&v["last_not_assistant"]),
                    cell(&v["consecutive_same_role"]),
                    count_cell(Some(one_word), k),
                    scripts,
                ]
            })
            .collect(),
    });

    Ok(())
}

/// The quality stage: filtered records by rule and source, languages of the exported records,
/// and the signals' distributions. Nothing when the stage did not run.
fn quality(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let q = &input.stats["quality"];
    if q["enabled"].as_bool() != Some(true) {
        return Ok(());
    }
    let cell = |v: &Value| count_cell(v.as_u64(), k);
    // `{"a": 3, "b": 9}` as `a <5, b 9` (empty when there is nothing).
    let counts = |v: &Value| {
        v.as_object()
            .map(|o| {
                o.iter()
                    .map(|(name, n)| format!("{name} {}", cell(n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    doc.push(Block::H2("Quality filters and languages".into()));
    doc.push(Block::P(format!(
        "{} of {} records filtered (by source: {}); `sft_shape` trimmed {} messages from {} records; {} records start with the assistant and {} end with the user before any trim.",
        cell(&q["filtered"]),
        cell(&q["records"]),
        Some(counts(&q["filtered_by_source"]))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "none".into()),
        cell(&q["trimmed_messages"]),
        cell(&q["trimmed_records"]),
        count_cell(Some(q["shape"]["starts_with_assistant"].as_u64().unwrap_or(0)), k),
        count_cell(Some(q["shape"]["ends_with_user"].as_u64().unwrap_or(0)), k),
    )));
    let rules = q["filtered_by_rule"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if !rules.is_empty() {
        doc.push(Block::Table {
            head: h(&["rule", "records filtered"]),
            rows: rules
                .iter()
                .map(|(r, n)| vec![r.clone(), cell(n)])
                .collect(),
        });
    }
    let exported = &q["exported"];
    let by_source = exported["by_source"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    doc.push(Block::Table {
        head: h(&["source", "languages of the exported records"]),
        rows: by_source
            .iter()
            .map(|(src, langs)| vec![src.clone(), counts(langs)])
            .collect(),
    });
    let non_target = exported["non_target_language_share"]
        .as_f64()
        .map(|x| format!(" Share outside {}: {}.", q["languages"], num(x)))
        .unwrap_or_default();
    doc.push(Block::P(format!(
        "Mixed-language records exported: {} (share {}).{non_target}",
        cell(&exported["mixed_language"]),
        num(exported["mixed_language_share"].as_f64().unwrap_or(0.0)),
    )));
    let signals = q["signals"].as_object().cloned().unwrap_or_default();
    doc.push(Block::Table {
        head: h(&["signal (all loaded records)", "p50", "p90", "p99", "max"]),
        rows: signals
            .iter()
            .map(|(name, d)| {
                let f = |key: &str| num(d[key].as_f64().unwrap_or(0.0));
                vec![name.clone(), f("p50"), f("p90"), f("p99"), f("max")]
            })
            .collect(),
    });
    Ok(())
}

fn duplicates_and_leakage(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let s = input.stats;
    let cell = |v: &Value| count_cell(v.as_u64(), k);
    let by_status = &s["counts"]["by_status"];
    // Dedup and leakage.
    doc.push(Block::H2("Duplicates and leakage".into()));
    doc.push(Block::P(format!(
        "Exact duplicates removed: {}. Near-duplicates removed: {}. Leakage pairs found: {} (policy `{}`), records removed by the policy: {}, pairs left unresolved: {}.",
        cell(&by_status["duplicate"]),
        cell(&by_status["near_duplicate"]),
        count_cell(
            s["leakage"]["found"]
                .as_object()
                .map(|o| o.values().filter_map(Value::as_u64).sum()),
            k
        ),
        s["leakage"]["policy"].as_str().unwrap_or("-"),
        cell(&by_status["leakage"]),
        // The gate value: never suppressed.
        s["leakage"]["pairs"],
    )));
    let mut leak_rows = Vec::new();
    if let Some(a) = s["leakage_by_split_pair"].as_object() {
        for (sa, bs) in a {
            for (sb, kinds) in bs.as_object().into_iter().flatten() {
                for (kind, v) in kinds.as_object().into_iter().flatten() {
                    leak_rows.push(vec![
                        sa.clone(),
                        sb.clone(),
                        kind.clone(),
                        cell(&v["pairs"]),
                    ]);
                }
            }
        }
    }
    if !leak_rows.is_empty() {
        doc.push(Block::Table {
            head: h(&["split a", "split b", "kind", "pairs"]),
            rows: leak_rows,
        });
    }

    Ok(())
}

fn personal_data(input: &ReportInput<'_>, doc: &mut Vec<Block>) -> Result<()> {
    let k = input.spec.min_cell;
    let s = input.stats;
    // PII.
    doc.push(Block::H2("Personal data".into()));
    let kinds: Vec<(String, u64)> = s["pii"]["findings"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(kind, v)| (kind.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    doc.push(Block::Figure {
        file: "pii_by_kind.svg".into(),
        svg: bars(
            "PII findings by kind (before redaction)",
            "findings",
            &kinds,
            k,
        )?,
        caption: "PII findings per kind, before redaction.".into(),
    });
    doc.push(Block::Table {
        head: h(&["kind", "found", "redacted", "flagged", "left in export"]),
        rows: kinds
            .iter()
            .map(|(kind, _)| {
                let p = &s["pii"];
                // A kind absent from a count map was counted 0 times.
                let c = |map: &str| count_cell(Some(p[map][kind].as_u64().unwrap_or(0)), k);
                vec![
                    kind.clone(),
                    c("findings"),
                    c("redacted"),
                    c("flagged"),
                    // The residual is a gate value: never suppressed.
                    p["residual"][kind].to_string(),
                ]
            })
            .collect(),
    });

    Ok(())
}

/// A count for a table: 1..k-1 as `<k`.
pub(super) fn count_cell(v: Option<u64>, k: u64) -> String {
    match v {
        None => "-".into(),
        Some(n) if n > 0 && n < k => format!("<{k}"),
        Some(n) => n.to_string(),
    }
}

/// A number with at most 3 decimals and no trailing zeros.
pub(super) fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
