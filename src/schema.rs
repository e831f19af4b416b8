//! The canonical schema (one row per conversation) and the two conversions between Rust values
//! and Polars frames: [`to_frame`] (after load; also computes the derived columns `text_hash`,
//! `n_turns`, `n_chars`, `n_words` in parallel) and [`messages_of`] (for export and verify).
//!
//! Columns: `record_id`, `source`, `family`, `split`, `messages` (list<struct{role, content}>),
//! `license`, `origin_uri`, `origin_sha256`, `origin_row` (u64), `origin_line` (u64), `metadata`
//! (JSON string, nullable), `priority` (i64), `text_hash` (32 hex), `n_turns`, `n_chars`,
//! `n_words` (u32), `empty_turns` (u32), `pref_prompt` and `pref_chosen` (u32, preference records
//! only: `messages` holds the prompt, then the chosen, then the rejected messages, and these are
//! the sizes of the first two parts; null otherwise). Stages add `status`, `dup_of`, `cluster_id`, ...

use polars::prelude::*;
use rayon::prelude::*;

use crate::error::{PolarsContext, Result};
use crate::load::{Conversation, Message};
use crate::normalize::{text_hash, word_count};

/// Build the canonical frame from loaded conversations (their order is kept).
pub fn to_frame(convs: &[Conversation]) -> Result<DataFrame> {
    let derived: Vec<(String, u32, u32, u32)> = convs
        .par_iter()
        .map(|c| {
            let hash = text_hash(c.messages.iter().map(|m| m.content.as_str()));
            let chars: usize = c.messages.iter().map(|m| m.content.chars().count()).sum();
            let words: u32 = c.messages.iter().map(|m| word_count(&m.content)).sum();
            (hash, c.messages.len() as u32, chars as u32, words)
        })
        .collect();

    let n_msgs: usize = convs.iter().map(|c| c.messages.len()).sum();
    let mut idx = Vec::with_capacity(n_msgs);
    let mut roles = Vec::with_capacity(n_msgs);
    let mut contents = Vec::with_capacity(n_msgs);
    for (i, c) in convs.iter().enumerate() {
        for m in &c.messages {
            idx.push(i as u32);
            roles.push(m.role.as_str());
            contents.push(m.content.as_str());
        }
    }
    let messages = messages_column(convs.len(), &idx, &roles, &contents)?;

    let s = |f: fn(&Conversation) -> &str| convs.iter().map(f).collect::<Vec<&str>>();
    let mut df = df!(
        "record_id" => s(|c| &c.record_id),
        "source" => s(|c| &c.source),
        "family" => s(|c| &c.family),
        "split" => s(|c| &c.split),
        "license" => s(|c| &c.license),
        "origin_uri" => s(|c| &c.origin_uri),
        "origin_sha256" => s(|c| &c.origin_sha256),
        "origin_row" => convs.iter().map(|c| c.origin_row).collect::<Vec<u64>>(),
        "origin_line" => convs.iter().map(|c| c.origin_line).collect::<Vec<u64>>(),
        "metadata" => convs.iter().map(|c| c.metadata.as_deref()).collect::<Vec<Option<&str>>>(),
        "priority" => convs.iter().map(|c| c.priority).collect::<Vec<i64>>(),
        "text_hash" => derived.iter().map(|d| d.0.as_str()).collect::<Vec<&str>>(),
        "n_turns" => derived.iter().map(|d| d.1).collect::<Vec<u32>>(),
        "n_chars" => derived.iter().map(|d| d.2).collect::<Vec<u32>>(),
        "n_words" => derived.iter().map(|d| d.3).collect::<Vec<u32>>(),
        "empty_turns" => convs.iter().map(|c| c.empty_turns).collect::<Vec<u32>>(),
        "pref_prompt" => convs.iter().map(|c| c.preference.map(|p| p.0)).collect::<Vec<Option<u32>>>(),
        "pref_chosen" => convs.iter().map(|c| c.preference.map(|p| p.1)).collect::<Vec<Option<u32>>>(),
    )
    .ctx("building the canonical frame")?;
    df.insert_column(4, messages).ctx("messages column")?;
    Ok(df)
}

/// The `messages` column of `n` rows from flat message arrays (`idx[k]` = row of message k, in
/// row order; every row has at least one message).
pub fn messages_column(n: usize, idx: &[u32], roles: &[&str], contents: &[&str]) -> Result<Column> {
    if n == 0 {
        return Ok(Series::new_empty("messages".into(), &message_list_dtype()).into_column());
    }
    let msgs = df!(
        "__idx" => idx,
        "role" => roles,
        "content" => contents,
    )
    .ctx("building messages")?;
    let grouped = msgs
        .lazy()
        .group_by_stable([col("__idx")])
        .agg([as_struct(vec![col("role"), col("content")]).alias("messages")])
        .collect()
        .ctx("grouping messages into conversations")?;
    if grouped.height() != n {
        return Err(crate::error::Error::Internal(format!(
            "{} conversations but {} with messages",
            n,
            grouped.height()
        )));
    }
    Ok(grouped.column("messages").ctx("messages column")?.clone())
}

/// `list<struct{role: str, content: str}>`
pub fn message_list_dtype() -> DataType {
    DataType::List(Box::new(DataType::Struct(vec![
        Field::new("role".into(), DataType::String),
        Field::new("content".into(), DataType::String),
    ])))
}

/// The messages of every row of `df` (column `messages`), in row order.
pub fn messages_of(df: &DataFrame) -> Result<Vec<Vec<Message>>> {
    let col = df.column("messages").ctx("messages column")?;
    let list = col.list().ctx("messages must be a list")?;
    let mut out = Vec::with_capacity(df.height());
    for row in list.amortized_iter() {
        let Some(series) = row else {
            out.push(Vec::new());
            continue;
        };
        let st = series.as_ref().struct_().ctx("messages must be structs")?;
        let roles = st.field_by_name("role").ctx("messages.role")?;
        let contents = st.field_by_name("content").ctx("messages.content")?;
        let roles = roles.str().ctx("messages.role must be text")?;
        let contents = contents.str().ctx("messages.content must be text")?;
        out.push(
            roles
                .iter()
                .zip(contents.iter())
                .map(|(r, c)| Message {
                    role: r.unwrap_or_default().to_string(),
                    content: c.unwrap_or_default().to_string(),
                })
                .collect(),
        );
    }
    Ok(out)
}

/// A nullable u32 column (absent column: all `None`).
pub fn opt_u32_column(df: &DataFrame, name: &str) -> Result<Vec<Option<u32>>> {
    let Ok(c) = df.column(name) else {
        return Ok(vec![None; df.height()]);
    };
    let c = c
        .cast(&DataType::UInt32)
        .ctx(format!("column {name} as u32"))?;
    Ok(c.u32()
        .ctx(format!("column {name} as u32"))?
        .iter()
        .collect())
}

/// A string column as owned values (nulls as `None`).
pub fn str_values(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let c = df.column(name).ctx(format!("column {name}"))?;
    let ca = c.str().ctx(format!("column {name} must be text"))?;
    Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
}

/// A string column that has no nulls.
pub fn str_column(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    Ok(str_values(df, name)?
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// An integer column as u64 (cast as needed; nulls as 0).
pub fn u64_column(df: &DataFrame, name: &str) -> Result<Vec<u64>> {
    let c = df.column(name).ctx(format!("column {name}"))?;
    let c = c
        .cast(&DataType::UInt64)
        .ctx(format!("column {name} as u64"))?;
    let ca = c.u64().ctx(format!("column {name} as u64"))?;
    Ok(ca.iter().map(Option::unwrap_or_default).collect())
}

/// Write a frame as Parquet bytes (zstd, statistics on): deterministic for the same frame.
pub fn parquet_bytes(df: &mut DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(df)
        .ctx("writing Parquet")?;
    Ok(buf)
}

/// Read Parquet bytes into a frame.
pub fn read_parquet(bytes: &[u8]) -> Result<DataFrame> {
    ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .ctx("reading Parquet")
}
