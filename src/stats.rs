//! Statistics: the SQL in `queries/` run by Polars' SQL context over the run's tables, folded
//! into `stats.json` with stable keys. Gate metrics are dotted paths into it
//! (`counts.input`, `counts.exported`, `counts.by_status.<status>`, `dedup.removal_rate.<source>`).
//!
//! Tables: see [`Tables`]. Every query in `queries/` follows one convention: its leading string
//! columns are keys and its other columns numbers, folded by [`fold`] into
//! `stats.json["<query name>"][key1][key2]...[column]`, e.g.
//! `message_lengths_by_role.assistant.chars_p50`; gates can name any of these paths.
//! Materialises each query's (small) result.

use std::collections::BTreeMap;

use polars::prelude::*;
use polars::sql::SQLContext;
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::error::{PolarsContext, Result};
use crate::schema::release::Counts;
use crate::schema::{STATUSES, str_column, u64_column};

/// The statistics queries, by name (file `queries/<name>.sql`). Each result is folded into
/// `stats.json` under its name by [`fold`] and written as `reports/stats_<name>.parquet`.
pub const QUERIES: &[(&str, &str)] = &[
    (
        "counts_by_source_status",
        include_str!("../queries/counts_by_source_status.sql"),
    ),
    (
        "exported_by_split_family",
        include_str!("../queries/exported_by_split_family.sql"),
    ),
    (
        "exported_by_source_family_split_phase",
        include_str!("../queries/exported_by_source_family_split_phase.sql"),
    ),
    (
        "exported_by_phase_family",
        include_str!("../queries/exported_by_phase_family.sql"),
    ),
    (
        "family_shares",
        include_str!("../queries/family_shares.sql"),
    ),
    (
        "turns_per_conversation",
        include_str!("../queries/turns_per_conversation.sql"),
    ),
    (
        "turns_per_conversation_overall",
        include_str!("../queries/turns_per_conversation_overall.sql"),
    ),
    (
        "message_lengths_by_role",
        include_str!("../queries/message_lengths_by_role.sql"),
    ),
    (
        "message_lengths_by_source_role",
        include_str!("../queries/message_lengths_by_source_role.sql"),
    ),
    (
        "empty_and_one_word_turns",
        include_str!("../queries/empty_and_one_word_turns.sql"),
    ),
    (
        "role_alternation",
        include_str!("../queries/role_alternation.sql"),
    ),
    ("script_mix", include_str!("../queries/script_mix.sql")),
    (
        "removal_rates_by_source",
        include_str!("../queries/removal_rates_by_source.sql"),
    ),
    (
        "pii_by_source_kind",
        include_str!("../queries/pii_by_source_kind.sql"),
    ),
    (
        "leakage_by_split_pair",
        include_str!("../queries/leakage_by_split_pair.sql"),
    ),
    (
        "near_cluster_sizes",
        include_str!("../queries/near_cluster_sizes.sql"),
    ),
    (
        "lengths_by_split",
        include_str!("../queries/lengths_by_split.sql"),
    ),
];

/// Run one query over the tables.
pub fn run_query(tables: &[(&str, &DataFrame)], sql: &str) -> Result<DataFrame> {
    let mut ctx = SQLContext::new();
    for (name, df) in tables {
        ctx.register(name, (*df).clone().lazy());
    }
    ctx.execute(sql)
        .ctx("running SQL")?
        .collect()
        .ctx("running SQL")
}

/// The tables the queries read (registered under these names).
pub struct Tables<'a> {
    /// One row per input record: its final status (`ledger.parquet`).
    pub ledger: &'a DataFrame,
    /// One row per export line (`manifest.parquet`).
    pub manifest: &'a DataFrame,
    /// One row per loaded record, every column but `messages` and `metadata` (no text).
    pub conversations: &'a DataFrame,
    /// One row per message of each exported record (see [`messages_table`]; no text).
    pub messages: &'a DataFrame,
    /// Near-duplicate cluster members (`dedup_clusters.parquet`).
    pub clusters: &'a DataFrame,
    /// Leakage pairs (`leakage_pairs.parquet`).
    pub leakage_pairs: &'a DataFrame,
    /// Records read from the inputs (loaded + rejected), counted at load, independently of the
    /// ledger: the ledger balances when it has exactly this many rows.
    pub records_read: u64,
}

impl Tables<'_> {
    fn named(&self) -> [(&'static str, &DataFrame); 6] {
        [
            ("ledger", self.ledger),
            ("manifest", self.manifest),
            ("conversations", self.conversations),
            ("messages", self.messages),
            ("clusters", self.clusters),
            ("leakage_pairs", self.leakage_pairs),
        ]
    }
}

/// The `conversations` table: the staged frame without its text columns.
pub fn conversations_table(staged: &DataFrame) -> Result<DataFrame> {
    let drop: Vec<PlSmallStr> = ["messages", "metadata"]
        .iter()
        .filter(|c| staged.column(c).is_ok())
        .map(|c| PlSmallStr::from(*c))
        .collect();
    Ok(staged.drop_many(drop))
}

/// (role, previous role, characters, words, script, language) of one message.
type MessageStats = (
    String,
    Option<String>,
    u32,
    u32,
    &'static str,
    Option<String>,
);

/// The `messages` table: one row per message of each exported record (its first export line;
/// a preference pair contributes its prompt and chosen response), with `record_id`, `source`,
/// `family`, `split`, `phase`, `turn` (0-based), `role`, `prev_role` (null for the first),
/// `n_chars` (code points), `n_words` and `script` (the dominant script of its letters, see
/// [`dominant_script`]). No text.
pub fn messages_table(lines: &DataFrame) -> Result<DataFrame> {
    let ids = str_column(lines, "record_id")?;
    let sources = str_column(lines, "source")?;
    let families = str_column(lines, "family")?;
    let splits = str_column(lines, "split")?;
    let phases = str_column(lines, "phase")?;
    let pref = crate::schema::opt_u32_column(lines, "pref_prompt")?;
    let chosen = crate::schema::opt_u32_column(lines, "pref_chosen")?;
    let messages = crate::schema::MessageView::of(lines)?;
    // Each message's language, when the quality stage ran (comma-separated, message order).
    let languages: Option<Vec<String>> = match lines.column("message_languages") {
        Ok(_) => Some(str_column(lines, "message_languages")?),
        Err(_) => None,
    };
    let mut seen = std::collections::BTreeSet::new();
    let rows: Vec<usize> = (0..lines.height())
        .filter(|&i| seen.insert(ids[i].as_str()))
        .collect();
    let per_row: Vec<Vec<MessageStats>> = rows
        .par_iter()
        .map(|&i| {
            let mut prev: Option<String> = None;
            let mut langs = languages.as_ref().map(|l| l[i].split(','));
            messages
                .row(i)
                .take(crate::schema::conversation_len(pref[i], chosen[i]))
                .map(|(role, content)| {
                    (
                        role.to_string(),
                        prev.replace(role.to_string()),
                        content.chars().count() as u32,
                        crate::normalize::word_count(content),
                        dominant_script(content),
                        langs
                            .as_mut()
                            .map(|l| l.next().unwrap_or("und").to_string()),
                    )
                })
                .collect()
        })
        .collect();
    let n: usize = per_row.iter().map(Vec::len).sum();
    let (mut c_id, mut c_src, mut c_fam, mut c_split, mut c_phase) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let mut c_lang: Vec<Option<&str>> = Vec::with_capacity(n);
    let (mut c_turn, mut c_role, mut c_prev, mut c_chars, mut c_words, mut c_script) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for (&i, msgs) in rows.iter().zip(&per_row) {
        for (t, (role, prev, chars, words, script, lang)) in msgs.iter().enumerate() {
            c_lang.push(lang.as_deref());
            c_id.push(ids[i].as_str());
            c_src.push(sources[i].as_str());
            c_fam.push(families[i].as_str());
            c_split.push(splits[i].as_str());
            c_phase.push(phases[i].as_str());
            c_turn.push(t as u32);
            c_role.push(role.as_str());
            c_prev.push(prev.as_deref());
            c_chars.push(*chars);
            c_words.push(*words);
            c_script.push(*script);
        }
    }
    let mut table = df!(
        "record_id" => c_id,
        "source" => c_src,
        "family" => c_fam,
        "split" => c_split,
        "phase" => c_phase,
        "turn" => c_turn,
        "role" => c_role,
        "prev_role" => c_prev,
        "n_chars" => c_chars,
        "n_words" => c_words,
        "script" => c_script,
    )
    .ctx("building the messages table")?;
    if languages.is_some() {
        table
            .with_column(Column::new("language".into(), c_lang))
            .ctx("messages language column")?;
    }
    Ok(table)
}

/// The dominant script of the letters of `text`: `latin`, `han` (CJK ideographs, kana, hangul),
/// `cyrillic`, `arabic`, `other` (any other letters), or `none` (no letters). Ties go to the
/// first in that order.
pub fn dominant_script(text: &str) -> &'static str {
    let mut counts = [0u32; 5];
    for ch in text.chars() {
        let k = match ch as u32 {
            0x41..=0x5A | 0x61..=0x7A => 0,
            _ if ch.is_ascii() || !ch.is_alphabetic() => continue,
            0xC0..=0x24F | 0x1E00..=0x1EFF => 0,
            0x3040..=0x30FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xAC00..=0xD7AF
            | 0xF900..=0xFAFF
            | 0x20000..=0x2FFFF => 1,
            0x400..=0x52F => 2,
            0x600..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF => 3,
            _ => 4,
        };
        counts[k] += 1;
    }
    const NAMES: [&str; 5] = ["latin", "han", "cyrillic", "arabic", "other"];
    let best = (0..5)
        .max_by_key(|&k| (counts[k], std::cmp::Reverse(k)))
        .unwrap_or(0);
    if counts[best] == 0 {
        "none"
    } else {
        NAMES[best]
    }
}

/// Fold a query result into JSON: the leading string columns are keys (nested in order), every
/// later column a value: `{key1: {key2: {value_column: number}}}`. A result without key columns
/// is its first row's values. Null numbers stay null (a gate on them fails closed).
pub fn fold(df: &DataFrame) -> Result<Value> {
    let cols = df.columns();
    let n_keys = cols
        .iter()
        .take_while(|c| c.dtype() == &DataType::String)
        .count();
    let keys: Vec<Vec<String>> = cols[..n_keys]
        .iter()
        .map(|c| {
            Ok(c.str()
                .ctx("key column")?
                .iter()
                .map(|v| v.unwrap_or("null").to_string())
                .collect())
        })
        .collect::<Result<_>>()?;
    let values: Vec<(String, Vec<Value>)> = cols[n_keys..]
        .iter()
        .map(|c| {
            let f = c
                .cast(&DataType::Float64)
                .ctx(format!("value column {}", c.name()))?;
            let is_int = c.dtype().is_integer();
            let vals = f
                .f64()
                .ctx("values")?
                .iter()
                .map(|v| match v {
                    Some(x) if is_int => json!(x as i64),
                    Some(x) if x.is_finite() => json!(x),
                    _ => Value::Null,
                })
                .collect();
            Ok((c.name().to_string(), vals))
        })
        .collect::<Result<_>>()?;
    let mut root = Value::Object(Default::default());
    let rows = if n_keys == 0 {
        df.height().min(1)
    } else {
        df.height()
    };
    for r in 0..rows {
        let mut node = &mut root;
        for k in &keys {
            node = node
                .as_object_mut()
                .expect("invariant: folded nodes are objects")
                .entry(k[r].clone())
                .or_insert_with(|| Value::Object(Default::default()));
        }
        let obj = node
            .as_object_mut()
            .expect("invariant: folded nodes are objects");
        for (name, vals) in &values {
            obj.insert(name.clone(), vals[r].clone());
        }
    }
    Ok(root)
}

/// Everything `stats.json` holds, plus the query results as tables.
pub struct Stats {
    pub json: Value,
    pub counts: Counts,
    pub tables: Vec<(String, DataFrame)>,
}

/// The stages' own reports, as they go into `stats.json` (`dedup.exact`, `dedup.near`,
/// `leakage`, `pii`).
pub struct StageReports {
    pub exact: Value,
    pub near: Value,
    pub leakage: Value,
    pub pii: Value,
}

/// Compute the statistics of a run.
#[tracing::instrument(skip_all, fields(stage = "stats"))]
pub fn compute(tables: &Tables<'_>, stages: &StageReports, sources: &[String]) -> Result<Stats> {
    let manifest = tables.manifest;
    let named = tables.named();
    let mut results = Vec::new();
    for (name, sql) in QUERIES {
        let df = run_query(&named, sql).map_err(|e| match e {
            crate::error::Error::Polars { source, .. } => crate::error::Error::Internal(format!(
                "statistics query queries/{name}.sql failed: {source}"
            )),
            other => other,
        })?;
        results.push((name.to_string(), df));
    }
    let result = |name: &str| -> &DataFrame {
        &results
            .iter()
            .find(|(n, _)| n == name)
            .expect("invariant: every named query ran")
            .1
    };

    // counts.*
    let by_source_status = result("counts_by_source_status");
    let src = str_column(by_source_status, "source")?;
    let status = str_column(by_source_status, "status")?;
    let n = u64_column(by_source_status, "records")?;
    let zero_statuses = || {
        STATUSES
            .iter()
            .map(|s| (s.to_string(), 0u64))
            .collect::<BTreeMap<_, _>>()
    };
    let mut counts = Counts {
        by_status: zero_statuses(),
        ..Default::default()
    };
    let mut per_source: BTreeMap<String, Counts> = sources
        .iter()
        .map(|s| {
            (
                s.clone(),
                Counts {
                    by_status: zero_statuses(),
                    ..Default::default()
                },
            )
        })
        .collect();
    for i in 0..src.len() {
        counts.input += n[i];
        *counts.by_status.entry(status[i].clone()).or_default() += n[i];
        let c = per_source.entry(src[i].clone()).or_default();
        c.input += n[i];
        *c.by_status.entry(status[i].clone()).or_default() += n[i];
    }
    counts.exported = counts.by_status.get("exported").copied().unwrap_or(0);
    for c in per_source.values_mut() {
        c.exported = c.by_status.get("exported").copied().unwrap_or(0);
    }
    let accounted: u64 = counts.by_status.values().sum();
    // Exported in the ledger but not in the manifest, or the other way round.
    let manifest_ids: std::collections::BTreeSet<String> =
        str_column(manifest, "record_id")?.into_iter().collect();
    let exported_mismatch = (manifest_ids.len() as i64 - counts.exported as i64).unsigned_abs();
    let unknown_status: u64 = counts
        .by_status
        .iter()
        .filter(|(s, _)| !STATUSES.contains(&s.as_str()))
        .map(|(_, n)| n)
        .sum();

    // Exported per split and family.
    let mut by_split: BTreeMap<String, u64> = crate::schema::SPLITS
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    let mut by_family: BTreeMap<String, u64> = BTreeMap::new();
    let t = result("exported_by_split_family");
    let (splits, families, recs) = (
        str_column(t, "split")?,
        str_column(t, "family")?,
        u64_column(t, "records")?,
    );
    for i in 0..splits.len() {
        *by_split.entry(splits[i].clone()).or_default() += recs[i];
        *by_family.entry(families[i].clone()).or_default() += recs[i];
    }

    // Provenance of what is exported.
    let missing = |name: &str| -> Result<u64> {
        let c = manifest.column(name).ctx(name.to_string())?;
        let ca = c.str().ctx(name.to_string())?;
        Ok(ca
            .iter()
            .filter(|v| v.is_none_or(|s| s.trim().is_empty()))
            .count() as u64)
    };
    let removal_rate: BTreeMap<&String, f64> = per_source
        .iter()
        .map(|(s, c)| {
            let removed = c.by_status.get("duplicate").copied().unwrap_or(0)
                + c.by_status.get("near_duplicate").copied().unwrap_or(0);
            (
                s,
                if c.input == 0 {
                    0.0
                } else {
                    removed as f64 / c.input as f64
                },
            )
        })
        .collect();

    let mut json = json!({
        "counts": {
            "input": counts.input,
            "exported": counts.exported,
            "accounted": accounted,
            // Records read but absent from the ledger (or ledger rows nobody read), plus
            // exported records missing from the manifest: the `ledger_balances` gate.
            "records_read": tables.records_read,
            "unaccounted": (tables.records_read as i64 - accounted as i64).unsigned_abs()
                + exported_mismatch,
            "unknown_status": unknown_status,
            "by_status": counts.by_status,
            "by_source": per_source,
            "by_split": by_split,
            "by_family": by_family,
        },
        "dedup": {
            "exact": stages.exact,
            "near": stages.near,
            "removal_rate": removal_rate,
        },
        "leakage": stages.leakage,
        "pii": stages.pii,
        "provenance": {
            "missing_license": missing("license")?,
            "missing_origin": missing("origin_uri")?,
        },
    });
    for (name, df) in &results {
        json[name.as_str()] = fold(df)?;
    }
    Ok(Stats {
        json,
        counts,
        tables: results,
    })
}

/// `stats.json` → `breakdowns`: for each metadata field, the exported records (distinct record
/// ids) by value, over all of them (`all`), per split and per phase, with their share. Values
/// held by fewer than `min_cell` records of a group are pooled as `(other)`; a record without
/// the field counts as `(none)`. Values are cut to 64 characters.
pub fn breakdowns(
    staged: &DataFrame,
    manifest: &DataFrame,
    fields: &[String],
    min_cell: u64,
) -> Result<Value> {
    let mut out = serde_json::Map::new();
    if fields.is_empty() {
        return Ok(Value::Object(out));
    }
    let ids = str_column(staged, "record_id")?;
    let meta = crate::schema::str_values(staged, "metadata")?;
    let meta_of: BTreeMap<&str, Value> = ids
        .iter()
        .zip(&meta)
        .filter_map(|(id, m)| {
            m.as_deref()
                .and_then(|m| serde_json::from_str(m).ok())
                .map(|v| (id.as_str(), v))
        })
        .collect();
    let m_ids = str_column(manifest, "record_id")?;
    let splits = str_column(manifest, "split")?;
    let phases = str_column(manifest, "phase")?;
    for field in fields {
        let value_of = |id: &str| -> String {
            match meta_of.get(id).map(|m| &m[field.as_str()]) {
                None | Some(Value::Null) => "(none)".into(),
                Some(Value::String(s)) if s.trim().is_empty() => "(none)".into(),
                Some(Value::String(s)) => crate::error::echo(s.trim()),
                Some(other) => crate::error::echo(&other.to_string()),
            }
        };
        let mut groups: BTreeMap<
            (&str, String),
            BTreeMap<String, std::collections::BTreeSet<&str>>,
        > = BTreeMap::new();
        for i in 0..m_ids.len() {
            let v = value_of(&m_ids[i]);
            for key in [
                ("all", "all".to_string()),
                ("split", splits[i].clone()),
                ("phase", phases[i].clone()),
            ] {
                groups
                    .entry(key)
                    .or_default()
                    .entry(v.clone())
                    .or_default()
                    .insert(m_ids[i].as_str());
            }
        }
        let mut f = json!({"all": {}, "split": {}, "phase": {}});
        for ((by, group), values) in groups {
            let total: usize = values.values().map(|s| s.len()).sum();
            let mut pooled: BTreeMap<String, usize> = BTreeMap::new();
            for (v, ids) in values {
                let key = if (ids.len() as u64) < min_cell {
                    "(other)".to_string()
                } else {
                    v
                };
                *pooled.entry(key).or_default() += ids.len();
            }
            let cells: serde_json::Map<String, Value> = pooled
                .into_iter()
                .map(|(v, n)| {
                    (
                        v,
                        json!({"records": n, "share": n as f64 / total.max(1) as f64}),
                    )
                })
                .collect();
            if by == "all" {
                f["all"] = Value::Object(cells);
            } else {
                f[by][group.as_str()] = Value::Object(cells);
            }
        }
        out.insert(field.clone(), f);
    }
    Ok(Value::Object(out))
}
