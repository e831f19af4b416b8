//! `trainready dedup INPUT... --out DIR`: near-duplicate detection alone, on JSONL or Parquet.
//!
//! Streams JSONL in bounded batches: each batch is parsed (only the id and text fields are
//! decoded), shingled and signed in parallel, and only `(id, signature)` is kept, so memory is
//! about `n × (4 × num_perm + id)` bytes plus one batch, whatever the size of the text.
//! Records are then ordered by id (ties: input order), so clusters and kept records do not
//! depend on the input order, and clustered with the same kernels as the build's near stage
//! (one group: the command knows no splits).
//!
//! Writes `DIR/clusters.parquet` (one row per input record: `record_id`, `cluster_id`, `kept`,
//! `dup_of`, `similarity`, plus `input` and `error`), `DIR/kept_ids.txt`, `DIR/removed_ids.txt`
//! and `DIR/report.json`.

use std::fmt;
use std::process::ExitCode;

use bytes::Bytes;
use polars::prelude::*;
use rayon::prelude::*;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::FieldArgs;
use crate::dedup::{NearSpec, VerifyMode};
use crate::error::{Error, PolarsContext, Result};
use crate::kernels::lsh::{self, Verify};
use crate::kernels::minhash::MinHasher;
use crate::records::{Batch, Format, ReadOptions};
use crate::storage::Storage;

/// Near-duplicate detection alone (MinHash LSH) on JSONL, JSON, CSV or Parquet files.
///
/// Inputs may be gzip or zstd compressed. Writes DIR/clusters.parquet (record_id, cluster_id,
/// kept, dup_of, similarity; one row per input record), DIR/kept_ids.txt, DIR/removed_ids.txt
/// and DIR/report.json. Text: the contents of the messages field joined, else the text field.
/// Exit 0 when it ran, 2 when no record has the text field.
///
/// Examples:
///   trainready dedup corpus.jsonl --out dedup-out
///   trainready dedup a.jsonl b.parquet --out d --text-field body --id-field uid --threshold 0.7
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Input files (paths or URIs).
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output folder.
    #[arg(long)]
    pub out: String,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// True Jaccard similarity from which records are near-duplicates.
    #[arg(long, default_value_t = NearSpec::default().threshold)]
    pub threshold: f64,
    /// MinHash permutations.
    #[arg(long, default_value_t = NearSpec::default().num_perm)]
    pub num_perm: usize,
    /// Shingle size in tokens.
    #[arg(long, default_value_t = NearSpec::default().ngram)]
    pub ngram: usize,
    /// Permutation seed.
    #[arg(long, default_value_t = NearSpec::default().seed)]
    pub seed: u64,
    /// Verify candidates by the signature estimate or the exact shingle Jaccard (more memory).
    #[arg(long, value_enum, default_value = "estimate")]
    pub verify: VerifyArg,
    /// Above this size a cluster is checked against its representative, not chained.
    #[arg(long, default_value_t = NearSpec::default().max_cluster_size)]
    pub max_cluster_size: usize,
    /// MiB of JSONL parsed per batch (memory: about four times this, plus the signatures).
    #[arg(long, default_value_t = 16)]
    pub batch_mib: usize,
}

/// `--verify` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum VerifyArg {
    Estimate,
    Exact,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let near = NearSpec {
        threshold: args.threshold,
        num_perm: args.num_perm,
        ngram: args.ngram,
        seed: args.seed,
        verify: match args.verify {
            VerifyArg::Estimate => VerifyMode::Estimate,
            VerifyArg::Exact => VerifyMode::Exact,
        },
        max_cluster_size: args.max_cluster_size,
        ..Default::default()
    };
    let opts = DedupOptions {
        inputs: args.inputs,
        out: args.out.clone(),
        text_field: args.fields.text_field,
        messages_field: args.fields.messages_field,
        id_field: args.fields.id_field,
        near,
        batch_bytes: args.batch_mib.max(1) << 20,
    };
    let storage = Storage::new()?;
    let s = dedup(&storage, &opts)?;
    super::out(&format!(
        "{} records: {} kept, {} near-duplicates removed in {} clusters ({} unreadable) in {:.1}s\n  {}/clusters.parquet\n",
        s.records, s.kept, s.removed, s.clusters, s.errors, s.seconds, args.out
    ));
    Ok(ExitCode::SUCCESS)
}

/// Options of the command.
#[derive(Debug, Clone)]
pub struct DedupOptions {
    pub inputs: Vec<String>,
    pub out: String,
    pub text_field: Option<String>,
    pub messages_field: Option<String>,
    pub id_field: String,
    pub near: NearSpec,
    /// Bytes of JSONL parsed per batch.
    pub batch_bytes: usize,
}

/// What the command did (also `report.json`).
#[derive(Debug, Clone, Serialize)]
pub struct DedupSummary {
    pub records: u64,
    pub kept: u64,
    pub removed: u64,
    pub clusters: u64,
    pub errors: u64,
    /// Records without the text field (kept, never clustered; also counted in `errors`).
    pub missing_text: u64,
    pub candidates: u64,
    pub edges: u64,
    pub oversized: Vec<(String, usize)>,
    pub bands: usize,
    pub rows: usize,
    pub cut: f64,
    pub seconds: f64,
}

/// One parsed record: id, and the texts to shingle (or why it could not be read).
struct Parsed {
    id: String,
    input: u32,
    shingles: std::result::Result<Vec<u32>, String>,
    /// The record has no text field.
    missing: bool,
}

/// Run the command.
pub fn dedup(storage: &Storage, opts: &DedupOptions) -> Result<DedupSummary> {
    let started = std::time::Instant::now();
    let near = &opts.near;
    if let Err((key, message)) = near.validate() {
        return Err(Error::Usage(format!("{key}: {message}")));
    }
    let hasher = MinHasher::new(near.num_perm, near.ngram, near.seed);
    let keep_shingles = near.verify == VerifyMode::Exact;
    let mut ids: Vec<String> = Vec::new();
    let mut inputs: Vec<u32> = Vec::new();
    let mut errors: Vec<Option<String>> = Vec::new();
    let mut sigs: Vec<u32> = Vec::new();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    let mut empty: Vec<bool> = Vec::new();
    let mut absorb = |batch: Vec<Parsed>, ids: &mut Vec<String>| {
        let signed: Vec<(Parsed, Vec<u32>)> = batch
            .into_par_iter()
            .map(|p| {
                let sig = match &p.shingles {
                    Ok(s) if !s.is_empty() => hasher.signature(s),
                    _ => vec![u32::MAX; hasher.num_perm],
                };
                (p, sig)
            })
            .collect();
        for (p, sig) in signed {
            ids.push(p.id);
            inputs.push(p.input);
            sigs.extend_from_slice(&sig);
            match p.shingles {
                Ok(s) => {
                    empty.push(s.is_empty());
                    errors.push(None);
                    if keep_shingles {
                        sets.push(s);
                    }
                }
                Err(e) => {
                    empty.push(true);
                    errors.push(Some(e));
                    if keep_shingles {
                        sets.push(Vec::new());
                    }
                }
            }
        }
    };

    let fields = Fields {
        id: &opts.id_field,
        text: opts.text_field.as_deref(),
        messages: opts.messages_field.as_deref(),
    };
    let mut missing_field = 0u64;
    for (input_no, uri) in opts.inputs.iter().enumerate() {
        let loc = storage.locate(uri)?;
        let name = loc.path.filename().unwrap_or("input").to_string();
        let input_no = input_no as u32;
        let format = Format::from_path(&name).unwrap_or(Format::Jsonl);
        let mut read_opts = ReadOptions::new(format);
        read_opts.batch_bytes = opts.batch_bytes;
        let reader = storage.reader(&loc)?;
        let (mut readable, mut missing) = (0u64, 0u64);
        crate::records::read(reader, &name, uri, &read_opts, &mut |batch| {
            let parsed: Vec<Parsed> = match batch {
                Batch::Lines {
                    first_index,
                    lines,
                    too_long,
                } => {
                    let mut p: Vec<(u64, Parsed)> = lines
                        .into_par_iter()
                        .enumerate()
                        .map(|(i, (line, bytes))| {
                            let index = first_index + i as u64;
                            (
                                index,
                                parse_line(bytes, line, &fields, &hasher, &name, index, input_no),
                            )
                        })
                        .collect();
                    p.extend(too_long.into_iter().map(|r| {
                        (
                            r.index,
                            unreadable(&name, r.index, r.line, input_no, &r.value),
                        )
                    }));
                    p.sort_by_key(|(i, _)| *i);
                    p.into_iter().map(|(_, p)| p).collect()
                }
                Batch::Records(records) => records
                    .into_par_iter()
                    .map(|r| match &r.value {
                        Ok(map) => {
                            parse_map(map, r.line, &fields, &hasher, &name, r.index, input_no)
                        }
                        Err(_) => unreadable(&name, r.index, r.line, input_no, &r.value),
                    })
                    .collect(),
            };
            missing += parsed.iter().filter(|p| p.missing).count() as u64;
            readable += parsed
                .iter()
                .filter(|p| p.missing || p.shingles.is_ok())
                .count() as u64;
            absorb(parsed, &mut ids);
            Ok(())
        })?;
        missing_field += missing;
        if readable > 0 && missing == readable {
            return Err(Error::Usage(format!(
                "{uri}: none of its {readable} records has {}; a wrong field is never a clean result: set --messages-field or --text-field",
                match (&opts.text_field, &opts.messages_field) {
                    (Some(t), _) => format!("the text field `{}`", crate::error::echo(t)),
                    (None, Some(m)) => format!("the messages field `{}`", crate::error::echo(m)),
                    (None, None) => "a `messages` or `text` field".to_string(),
                }
            )));
        }
        if missing > 0 {
            tracing::warn!(input = %uri, records = missing, "records without the text field (kept, never clustered)");
        }
    }

    // Key order: id, then input order.
    let n = ids.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| ids[a].cmp(&ids[b]).then(a.cmp(&b)));
    // Signatures into key order in place (one signature of scratch, not a second copy).
    let mut sorted_sigs = sigs;
    permute_rows(&mut sorted_sigs, near.num_perm, &order);
    let eligible: Vec<bool> = order.iter().map(|&row| !empty[row]).collect();
    let sorted_sets: Vec<Vec<u32>> = if keep_shingles {
        order
            .iter()
            .map(|&row| std::mem::take(&mut sets[row]))
            .collect()
    } else {
        Vec::new()
    };
    let verify = if keep_shingles {
        Verify::Exact(&sorted_sets)
    } else {
        Verify::Estimate
    };
    let banding = near.banding();
    let c = lsh::cluster(
        &sorted_sigs,
        near.num_perm,
        banding,
        &eligible,
        &vec![0; n],
        &verify,
        near.cut(),
        near.max_cluster_size,
    );

    // Back to input order.
    let mut cluster_id = vec![String::new(); n];
    let mut kept = vec![true; n];
    let mut dup_of: Vec<Option<String>> = vec![None; n];
    let mut similarity: Vec<Option<f64>> = vec![None; n];
    let mut sizes = std::collections::BTreeMap::<u32, u64>::new();
    for k in 0..n {
        *sizes.entry(c.rep[k]).or_default() += 1;
    }
    for k in 0..n {
        let row = order[k];
        cluster_id[row] = ids[order[c.rep[k] as usize]].clone();
        if let Some(p) = c.parent[k] {
            kept[row] = false;
            dup_of[row] = Some(ids[order[p as usize]].clone());
            similarity[row] = c.similarity[k].map(f64::from);
        }
    }
    let removed = kept.iter().filter(|k| !**k).count() as u64;
    let summary = DedupSummary {
        records: n as u64,
        kept: n as u64 - removed,
        removed,
        clusters: sizes.values().filter(|s| **s > 1).count() as u64,
        errors: errors.iter().filter(|e| e.is_some()).count() as u64,
        missing_text: missing_field,
        candidates: c.candidates as u64,
        edges: c.edges as u64,
        oversized: c
            .oversized
            .iter()
            .map(|&(r, s)| (ids[order[r as usize]].clone(), s))
            .collect(),
        bands: banding.bands,
        rows: banding.rows,
        cut: near.cut(),
        seconds: started.elapsed().as_secs_f64(),
    };

    let out = storage.locate(&opts.out)?;
    let input_names: Vec<&str> = inputs
        .iter()
        .map(|&i| opts.inputs[i as usize].as_str())
        .collect();
    let mut df = df!(
        "record_id" => &ids,
        "cluster_id" => cluster_id,
        "kept" => &kept,
        "dup_of" => dup_of,
        "similarity" => similarity,
        "input" => input_names,
        "error" => errors,
    )
    .ctx("building clusters.parquet")?;
    storage.put(
        &out.join("clusters.parquet"),
        Bytes::from(crate::schema::parquet_bytes(&mut df)?),
    )?;
    // One id per line: `\`, newline and carriage return inside an id are escaped (`\\`, `\n`,
    // `\r`), so an id never spans lines.
    let list = |want: bool| {
        let mut s = String::new();
        for (id, k) in ids.iter().zip(&kept) {
            if *k == want {
                if id.contains(['\\', '\n', '\r']) {
                    s.push_str(
                        &id.replace('\\', "\\\\")
                            .replace('\n', "\\n")
                            .replace('\r', "\\r"),
                    );
                } else {
                    s.push_str(id);
                }
                s.push('\n');
            }
        }
        Bytes::from(s)
    };

    storage.put(&out.join("kept_ids.txt"), list(true))?;
    storage.put(&out.join("removed_ids.txt"), list(false))?;
    let json = serde_json::to_value(&summary).expect("invariant: summary serialises");
    storage.put(
        &out.join("report.json"),
        Bytes::from(crate::schema::pretty(&json)),
    )?;
    Ok(summary)
}

/// Reorder `data` (rows of `width` values) so that row k becomes old row `order[k]`, in place:
/// cycle by cycle, with one row of scratch.
fn permute_rows(data: &mut [u32], width: usize, order: &[usize]) {
    let mut done = vec![false; order.len()];
    let mut tmp = vec![0u32; width];
    for start in 0..order.len() {
        if done[start] || order[start] == start {
            done[start] = true;
            continue;
        }
        tmp.copy_from_slice(&data[start * width..(start + 1) * width]);
        let mut k = start;
        loop {
            done[k] = true;
            let from = order[k];
            if from == start {
                data[k * width..(k + 1) * width].copy_from_slice(&tmp);
                break;
            }
            data.copy_within(from * width..(from + 1) * width, k * width);
            k = from;
        }
    }
}

/// Which fields to read.
struct Fields<'a> {
    id: &'a str,
    text: Option<&'a str>,
    messages: Option<&'a str>,
}

fn parse_line(
    bytes: &[u8],
    line: u64,
    fields: &Fields<'_>,
    hasher: &MinHasher,
    name: &str,
    index: u64,
    input: u32,
) -> Parsed {
    let fallback = || format!("{name}#{index}");
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match (Wanted { fields }).deserialize(&mut de) {
        Ok(rec) => {
            let id = rec.id.unwrap_or_else(fallback);
            let missing = rec.texts.is_none();
            let shingles = match rec.texts {
                Some(texts) => Ok(hasher.shingles(texts.iter().map(String::as_str))),
                None => Err(format!("line {line}: no text field")),
            };
            Parsed {
                id,
                input,
                shingles,
                missing,
            }
        }
        Err(e) => Parsed {
            id: fallback(),
            input,
            shingles: Err(format!(
                "line {line}: malformed JSON at column {}: {}",
                e.column(),
                crate::records::json_error(&e)
            )),
            missing: false,
        },
    }
}

/// A record of a format read whole (JSON array, CSV, Parquet): the same fields from its map.
fn parse_map(
    map: &serde_json::Map<String, serde_json::Value>,
    line: u64,
    fields: &Fields<'_>,
    hasher: &MinHasher,
    name: &str,
    index: u64,
    input: u32,
) -> Parsed {
    use serde_json::Value;
    let id = match map.get(fields.id) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => format!("{name}#{index}"),
        Some(other) => other.to_string(),
    };
    let text_of = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let messages = if fields.text.is_none() {
        match map.get(fields.messages.unwrap_or("messages")) {
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(|m| {
                        m.get("content")
                            .or_else(|| m.get("value"))
                            .and_then(text_of)
                    })
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        }
    } else {
        None
    };
    let text = if fields.messages.is_none() {
        map.get(fields.text.unwrap_or("text"))
            .and_then(text_of)
            .map(|t| vec![t])
    } else {
        None
    };
    let texts = messages.or(text);
    let missing = texts.is_none();
    Parsed {
        id,
        input,
        shingles: match texts {
            Some(t) => Ok(hasher.shingles(t.iter().map(String::as_str))),
            None => Err(format!("line {line}: no text field")),
        },
        missing,
    }
}

fn unreadable(
    name: &str,
    index: u64,
    line: u64,
    input: u32,
    value: &std::result::Result<serde_json::Map<String, serde_json::Value>, String>,
) -> Parsed {
    Parsed {
        id: format!("{name}#{index}"),
        input,
        shingles: Err(format!(
            "line {line}: {}",
            value
                .as_ref()
                .err()
                .map(String::as_str)
                .unwrap_or("unreadable")
        )),
        missing: false,
    }
}

/// What [`Wanted`] extracts from one record.
struct Extracted {
    id: Option<String>,
    texts: Option<Vec<String>>,
}

/// Decode only the id and text fields of a JSON object; skip the rest without building it.
struct Wanted<'f> {
    fields: &'f Fields<'f>,
}

impl<'de> DeserializeSeed<'de> for Wanted<'_> {
    type Value = Extracted;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Extracted, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Wanted<'_> {
    type Value = Extracted;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Extracted, A::Error> {
        let (mut id, mut messages, mut text) = (None, None, None);
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.0.as_ref();
            if key == self.fields.id {
                id = map.next_value::<IdValue>()?.0;
            } else if self.fields.text.is_none()
                && key == self.fields.messages.unwrap_or("messages")
            {
                let msgs: Vec<MessageContent> = map.next_value()?;
                messages = Some(msgs.into_iter().filter_map(|m| m.content).collect());
            } else if self.fields.messages.is_none() && key == self.fields.text.unwrap_or("text") {
                text = map.next_value::<Option<String>>()?.map(|t| vec![t]);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        // Default: messages when present, else text.
        Ok(Extracted {
            id,
            texts: messages.or(text),
        })
    }
}

/// A map key, borrowed when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// An id: a string as it is, a number or boolean printed, null as absent.
struct IdValue(Option<String>);

impl<'de> Deserialize<'de> for IdValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Ok(IdValue(match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }))
    }
}

/// A message: only its content (ChatML `content`, ShareGPT `value`) is decoded.
#[derive(Deserialize)]
struct MessageContent {
    #[serde(alias = "value")]
    content: Option<String>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn permute_rows_in_place() {
        let mut data: Vec<u32> = (0..12).collect(); // 6 rows of 2
        let order = [3, 0, 5, 1, 2, 4];
        super::permute_rows(&mut data, 2, &order);
        let expected: Vec<u32> = order
            .iter()
            .flat_map(|&r| [2 * r as u32, 2 * r as u32 + 1])
            .collect();
        assert_eq!(data, expected);
    }
}
