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

/// A zero-copy view of the `messages` column: every message's role and content as `&str`
/// borrowed from the column's own buffers (a list column's values are already "exploded"), for
/// the stages that only read the text. [`messages_of`] makes owned copies instead.
pub struct MessageView {
    roles: StringChunked,
    contents: StringChunked,
    /// `offsets[i]..offsets[i + 1]` are row i's messages.
    offsets: Vec<usize>,
}

impl MessageView {
    /// The view of `df`'s `messages` column.
    pub fn of(df: &DataFrame) -> Result<Self> {
        let list = df.column("messages").ctx("messages column")?;
        let list = list.list().ctx("messages must be a list")?;
        let (values, offsets) = list
            .explode_and_offsets(ExplodeOptions {
                empty_as_null: false,
                keep_nulls: false,
            })
            .ctx("messages")?;
        let offsets = offsets.as_slice();
        let base = offsets.first().copied().unwrap_or(0);
        let offsets: Vec<usize> = offsets.iter().map(|&o| (o - base) as usize).collect();
        if offsets.last().copied().unwrap_or(0) != values.len() {
            return Err(crate::error::Error::Internal(
                "messages: list offsets do not match its values".into(),
            ));
        }
        let st = values.struct_().ctx("messages must be structs")?;
        let field = |name: &str| -> Result<StringChunked> {
            Ok(st
                .field_by_name(name)
                .ctx(format!("messages.{name}"))?
                .str()
                .ctx(format!("messages.{name} must be text"))?
                .rechunk()
                .into_owned())
        };
        Ok(Self {
            roles: field("role")?,
            contents: field("content")?,
            offsets,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`'s messages as (role, content).
    pub fn row(&self, i: usize) -> impl Iterator<Item = (&str, &str)> + '_ {
        (self.offsets[i]..self.offsets[i + 1]).map(move |k| {
            (
                self.roles.get(k).unwrap_or_default(),
                self.contents.get(k).unwrap_or_default(),
            )
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(id: &str, texts: &[(&str, &str)]) -> Conversation {
        Conversation {
            record_id: id.into(),
            source: "s".into(),
            family: "f".into(),
            split: "train".into(),
            messages: texts
                .iter()
                .map(|(r, c)| Message {
                    role: r.to_string(),
                    content: c.to_string(),
                })
                .collect(),
            license: "CC0-1.0".into(),
            origin_uri: "x".into(),
            origin_sha256: "0".into(),
            origin_row: 0,
            origin_line: 0,
            metadata: None,
            priority: 0,
            empty_turns: 0,
            preference: None,
        }
    }

    #[test]
    fn message_view_matches_owned_messages_on_sliced_and_taken_frames() {
        let convs = vec![
            conv("a", &[("user", "hi"), ("assistant", "hello")]),
            conv(
                "b",
                &[("system", "ctx"), ("user", "é ☕"), ("assistant", "ok")],
            ),
            conv("c", &[("user", "x"), ("assistant", "y"), ("user", "z")]),
        ];
        let df = to_frame(&convs).unwrap();
        let idx = IdxCa::from_vec("i".into(), vec![2, 0]);
        for frame in [df.clone(), df.slice(1, 2), df.take(&idx).unwrap()] {
            let view = MessageView::of(&frame).unwrap();
            let owned = messages_of(&frame).unwrap();
            assert_eq!(view.len(), owned.len());
            for (i, msgs) in owned.iter().enumerate() {
                let v: Vec<(&str, &str)> = view.row(i).collect();
                let o: Vec<(&str, &str)> = msgs
                    .iter()
                    .map(|m| (m.role.as_str(), m.content.as_str()))
                    .collect();
                assert_eq!(v, o);
            }
        }
    }
}
