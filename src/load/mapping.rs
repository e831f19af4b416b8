//! Mappings: a raw record (its fields) to canonical messages, for each `mapping` of a source
//! (`chatml`, `sharegpt`, `qa`, `turns`, `dialog`, `text`, `preference`). Reasons name fields,
//! turns and lines, and a hash and length for a value, never the value.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::config::{Mapping, SourcePlan, SplitRule};
use super::{ObjectCtx, SourceLoad, TurnStats, encode_key};
use crate::normalize::clean_text;
use crate::records::{RawRecord, json_type};
use crate::schema::{Conversation, Message, Rejection, canonical_split};

/// A field as text: strings as they are, numbers and booleans printed, null/missing as None.
fn field_str(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// A value from a record as it may appear in a reason: never the value itself (it may be a
/// name or an e-mail address), only a hash to find it by and its length.
fn label(s: &str) -> String {
    format!(
        "#{:08x} ({} chars)",
        xxhash_rust::xxh3::xxh3_64(s.as_bytes()) as u32,
        s.chars().count()
    )
}

/// A row with the line it starts on.
type LineRow = (u64, Map<String, Value>);

struct Turn {
    speaker: String,
    content: String,
}

pub(super) fn map_record(
    raw: RawRecord,
    ctx: &ObjectCtx<'_>,
) -> std::result::Result<Conversation, Box<Rejection>> {
    let RawRecord {
        index, line, value, ..
    } = raw;
    let map = value.map_err(|reason| Box::new(ctx.reject(None, index, line, reason)))?;
    let s = ctx.source;
    let id = record_id(&map, ctx, index);
    let fail = |reason: String| Box::new(ctx.reject(id.clone().ok(), index, line, reason));
    let id = id.clone().map_err(&fail)?;
    let split = record_split(&map, ctx).map_err(&fail)?;
    let turns = match s.mapping {
        Mapping::Chatml => list_turns(
            &map,
            &s.columns.messages,
            &s.columns.speaker,
            &s.columns.content,
        ),
        Mapping::Sharegpt => list_turns(
            &map,
            &s.columns.conversations,
            &s.columns.speaker,
            &s.columns.content,
        ),
        Mapping::Dialog => list_turns(
            &map,
            &s.columns.dialog,
            &s.columns.speaker,
            &s.columns.content,
        ),
        Mapping::Qa => qa_turns(&map, s),
        Mapping::Text => text_turns(&map, s),
        Mapping::Preference => {
            let metadata = metadata(&map, &s.columns.metadata);
            return preference_conversation(ctx, &map, id, split, metadata, index, line)
                .map_err(&fail);
        }
        Mapping::Turns => unreachable!("turns are mapped per object"),
    }
    .map_err(&fail)?;
    let context = s
        .columns
        .context
        .as_deref()
        .and_then(|c| field_str(&map, c));
    let metadata = metadata(&map, &s.columns.metadata);
    build_conversation(ctx, id, split, context, turns, metadata, index, line).map_err(&fail)
}

fn record_id(
    map: &Map<String, Value>,
    ctx: &ObjectCtx<'_>,
    index: u64,
) -> std::result::Result<String, String> {
    let col = &ctx.source.columns.id;
    match field_str(map, col).filter(|v| !v.trim().is_empty()) {
        Some(v) => Ok(format!("{}/{}", ctx.source.name, encode_key(v.trim()))),
        None if ctx.source.columns.id_explicit => Err(format!("missing id field `{col}`")),
        None => Ok(ctx.fallback_id(index)),
    }
}

fn record_split(
    map: &Map<String, Value>,
    ctx: &ObjectCtx<'_>,
) -> std::result::Result<String, String> {
    match &ctx.source.split {
        SplitRule::Fixed(s) => Ok(s.clone()),
        SplitRule::FromFilename => {
            split_from_filename(ctx.rel)
                .map(str::to_string)
                .ok_or_else(|| {
                    format!(
                        "no split (train, valid, val, dev, validation, test) in the file name `{}`",
                        ctx.rel
                    )
                })
        }
        SplitRule::Column(col) => match field_str(map, col).filter(|v| !v.trim().is_empty()) {
            None => Ok("train".into()),
            Some(v) => canonical_split(&v)
                .map(str::to_string)
                .ok_or_else(|| format!("unknown split value {} in field `{col}`", label(&v))),
        },
    }
}

/// `train` / `valid|val|dev|validation` / `test` as a word of the file name.
pub fn split_from_filename(rel: &str) -> Option<&'static str> {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .find_map(canonical_split)
}

fn list_turns(
    map: &Map<String, Value>,
    list_key: &str,
    speaker_key: &str,
    content_key: &str,
) -> std::result::Result<Vec<Turn>, String> {
    let list = match map.get(list_key) {
        None | Some(Value::Null) => return Err(format!("missing field `{list_key}`")),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(format!(
                "field `{list_key}` must be a list of turns, found {}",
                json_type(other)
            ));
        }
    };
    let mut turns = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let Value::Object(turn) = item else {
            return Err(format!(
                "turn {i} of `{list_key}` is {}, not an object",
                json_type(item)
            ));
        };
        let speaker = field_str(turn, speaker_key)
            .ok_or_else(|| format!("turn {i} of `{list_key}` has no `{speaker_key}`"))?;
        let content = match turn.get(content_key) {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => String::new(),
            Some(other) => {
                return Err(format!(
                    "turn {i} of `{list_key}`: `{content_key}` is {}, not a string",
                    json_type(other)
                ));
            }
        };
        turns.push(Turn { speaker, content });
    }
    Ok(turns)
}

fn qa_turns(map: &Map<String, Value>, s: &SourcePlan) -> std::result::Result<Vec<Turn>, String> {
    let mut parts = Vec::new();
    for q in &s.columns.question {
        if !map.contains_key(q) {
            return Err(format!("missing required column `{q}`"));
        }
        if let Some(v) = field_str(map, q).filter(|v| !v.trim().is_empty()) {
            parts.push(v);
        }
    }
    if !map.contains_key(&s.columns.answer) {
        return Err(format!("missing required column `{}`", s.columns.answer));
    }
    let answer = field_str(map, &s.columns.answer).unwrap_or_default();
    if parts.is_empty() {
        return Err("empty question".into());
    }
    if answer.trim().is_empty() {
        return Err("empty answer".into());
    }
    Ok(vec![
        Turn {
            speaker: "user".into(),
            content: parts.join("\n\n"),
        },
        Turn {
            speaker: "assistant".into(),
            content: answer,
        },
    ])
}

fn text_turns(map: &Map<String, Value>, s: &SourcePlan) -> std::result::Result<Vec<Turn>, String> {
    let key = &s.columns.text;
    match map.get(key) {
        None | Some(Value::Null) => Err(format!("missing field `{key}`")),
        Some(Value::String(t)) => Ok(vec![Turn {
            speaker: "user".into(),
            content: t.clone(),
        }]),
        Some(other) => Err(format!(
            "field `{key}` must be a string, found {}",
            json_type(other)
        )),
    }
}

/// One part of a preference record: a string (one message of `role`) or a list of messages.
fn preference_part(
    map: &Map<String, Value>,
    key: &str,
    role: &str,
    s: &SourcePlan,
) -> std::result::Result<Vec<Message>, String> {
    let turns = match map.get(key) {
        None | Some(Value::Null) => return Err(format!("missing field `{key}`")),
        Some(Value::String(t)) => vec![Turn {
            speaker: role.into(),
            content: t.clone(),
        }],
        Some(Value::Array(_)) => list_turns(map, key, &s.columns.speaker, &s.columns.content)?,
        Some(other) => {
            return Err(format!(
                "field `{key}` must be a string or a list of messages, found {}",
                json_type(other)
            ));
        }
    };
    let (messages, _) = clean_messages(turns, s)?;
    if messages.is_empty() {
        return Err(format!("field `{key}` is empty after cleaning"));
    }
    Ok(messages)
}

/// `preference`: prompt, chosen and rejected, concatenated into `messages` with the part sizes
/// in `Conversation::preference`.
fn preference_conversation(
    ctx: &ObjectCtx<'_>,
    map: &Map<String, Value>,
    record_id: String,
    split: String,
    metadata: Option<String>,
    index: u64,
    line: u64,
) -> std::result::Result<Conversation, String> {
    let s = ctx.source;
    let c = &s.columns;
    let mut prompt = preference_part(map, &c.prompt, "user", s)?;
    let chosen = preference_part(map, &c.chosen, "assistant", s)?;
    let rejected = preference_part(map, &c.rejected, "assistant", s)?;
    if !prompt.iter().any(|m| m.role == "user") {
        return Err(format!("prompt `{}` has no user message", c.prompt));
    }
    for (name, part) in [(&c.chosen, &chosen), (&c.rejected, &rejected)] {
        if !part.iter().any(|m| m.role == "assistant") {
            return Err(format!("`{name}` has no assistant message"));
        }
    }
    if chosen == rejected {
        return Err(format!(
            "`{}` and `{}` are identical: no preference to learn",
            c.chosen, c.rejected
        ));
    }
    if let Some(system) = context_message(c.context.as_deref().and_then(|k| field_str(map, k)), s) {
        prompt.insert(0, system);
    }
    let preference = Some((prompt.len() as u32, chosen.len() as u32));
    let mut messages = prompt;
    messages.extend(chosen);
    messages.extend(rejected);
    Ok(Conversation {
        preference,
        ..ctx.conversation(record_id, split, messages, metadata, index, line)
    })
}

/// A record's context field as a leading system message (none when absent or empty).
fn context_message(context: Option<String>, s: &SourcePlan) -> Option<Message> {
    let content = clean_text(&context?, s.html);
    (!content.is_empty()).then(|| Message {
        role: "system".into(),
        content,
    })
}

/// Turns to cleaned messages: roles mapped, text cleaned, empty turns dropped (and counted),
/// consecutive turns of one role merged when the source asks.
fn clean_messages(
    turns: Vec<Turn>,
    s: &SourcePlan,
) -> std::result::Result<(Vec<Message>, u32), String> {
    let mut messages: Vec<Message> = Vec::with_capacity(turns.len());
    let mut empty_turns = 0u32;
    for (i, turn) in turns.into_iter().enumerate() {
        let key = turn.speaker.trim().to_lowercase();
        let Some(role) = s.roles.get(&key) else {
            return Err(format!(
                "unknown speaker value {} in turn {i}: map it under [source.roles]",
                label(&turn.speaker)
            ));
        };
        let content = clean_text(&turn.content, s.html);
        if content.is_empty() {
            empty_turns += 1;
            continue;
        }
        match messages.last_mut() {
            Some(last) if s.merge_turns && last.role == *role => {
                last.content.push('\n');
                last.content.push_str(&content);
            }
            _ => messages.push(Message {
                role: role.clone(),
                content,
            }),
        }
    }
    Ok((messages, empty_turns))
}

fn metadata(map: &Map<String, Value>, fields: &[String]) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let mut out = Map::new();
    for f in fields {
        out.insert(f.clone(), map.get(f).cloned().unwrap_or(Value::Null));
    }
    Some(Value::Object(out).to_string())
}

#[allow(clippy::too_many_arguments)]
fn build_conversation(
    ctx: &ObjectCtx<'_>,
    record_id: String,
    split: String,
    context: Option<String>,
    turns: Vec<Turn>,
    metadata: Option<String>,
    index: u64,
    line: u64,
) -> std::result::Result<Conversation, String> {
    let s = ctx.source;
    if turns.is_empty() {
        return Err("conversation has no turns".into());
    }
    let mut messages: Vec<Message> = Vec::with_capacity(turns.len() + 1);
    messages.extend(context_message(context, s));
    let (cleaned, empty_turns) = clean_messages(turns, s)?;
    messages.extend(cleaned);
    if s.mapping == Mapping::Text {
        if messages.iter().all(|m| m.role == "system") {
            return Err("empty text".into());
        }
    } else if !messages.iter().any(|m| m.role != "system") {
        return Err("conversation has no turns".into());
    }
    let emptied = if empty_turns > 0 {
        " (its other turns are empty after cleaning)"
    } else {
        ""
    };
    if s.mapping != Mapping::Text && !messages.iter().any(|m| m.role == "assistant") {
        return Err(format!("conversation has no assistant turn{emptied}"));
    }
    if !messages.iter().any(|m| m.role == "user") {
        return Err(format!("conversation has no user turn{emptied}"));
    }
    Ok(Conversation {
        empty_turns,
        ..ctx.conversation(record_id, split, messages, metadata, index, line)
    })
}

/// `turns`: one utterance per row; rows grouped by the conversation key (one column or several,
/// first-appearance order) and ordered by the turn key (column by column, numerically where every
/// value of the column is a number). Rows repeating a turn key with the same speaker and text
/// (a transcript carried once per annotator) collapse to one; with a different speaker or text
/// they reject the conversation. A bad row rejects its whole conversation, naming the row's line.
/// Returns what it saw of the keys.
pub(super) fn map_turns(
    raw: Vec<RawRecord>,
    ctx: &ObjectCtx<'_>,
    out: &mut SourceLoad,
) -> TurnStats {
    let c = &ctx.source.columns;
    let mut stats = TurnStats::default();
    // Conversation key (parts joined by U+001F) → (id part, rows).
    let mut groups: BTreeMap<String, (String, Vec<LineRow>)> = BTreeMap::new();
    let mut first_seen: Vec<String> = Vec::new();
    let mut bad_rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in raw {
        let map = match r.value {
            Ok(m) => m,
            Err(reason) => {
                out.rejections
                    .push(ctx.reject(None, r.index, r.line, reason));
                continue;
            }
        };
        let parts: Option<Vec<String>> = c
            .conversation
            .iter()
            .map(|col| {
                field_str(&map, col)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
            })
            .collect();
        let Some(parts) = parts else {
            out.rejections.push(ctx.reject(
                None,
                r.index,
                r.line,
                format!(
                    "row has no conversation id in `{}`",
                    c.conversation.join("`, `")
                ),
            ));
            continue;
        };
        let key = parts.join("\u{1f}");
        if !groups.contains_key(&key) {
            first_seen.push(key.clone());
        }
        for col in [&c.speaker, &c.content].into_iter().chain(&c.turn) {
            if !map.contains_key(col.as_str()) {
                bad_rows
                    .entry(key.clone())
                    .or_default()
                    .push(format!("row at line {}: missing column `{col}`", r.line));
            }
        }
        groups
            .entry(key)
            .or_insert_with(|| (conversation_id_part(&parts), Vec::new()))
            .1
            .push((r.line, map));
    }
    stats.conversations = first_seen.len() as u64;
    for (index, key) in first_seen.iter().enumerate() {
        let (id_part, rows) = groups
            .remove(key)
            .expect("invariant: every seen conversation has rows");
        let first_line = rows.first().map(|(l, _)| *l).unwrap_or(0);
        let id = format!("{}/{}", ctx.source.name, id_part);
        let index = index as u64;
        if let Some(problems) = bad_rows.get(key) {
            out.rejections
                .push(ctx.reject(Some(id), index, first_line, problems.join("; ")));
            continue;
        }
        let turn_of = |row: &LineRow| -> Vec<String> {
            c.turn
                .iter()
                .map(|col| {
                    field_str(&row.1, col)
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                })
                .collect()
        };
        let keys: Vec<Vec<String>> = rows.iter().map(turn_of).collect();
        // Per turn column: its values as numbers when all of them are.
        let numeric: Vec<Option<Vec<f64>>> = (0..c.turn.len())
            .map(|j| keys.iter().map(|k| k[j].parse::<f64>().ok()).collect())
            .collect();
        let cmp = |a: usize, b: usize| {
            (0..c.turn.len())
                .map(|j| match &numeric[j] {
                    Some(n) => n[a].total_cmp(&n[b]),
                    None => keys[a][j].cmp(&keys[b][j]),
                })
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        };
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|a, b| cmp(*a, *b).then(a.cmp(b)));
        if order.windows(2).any(|w| w[0] > w[1]) {
            stats.conversations_out_of_order += 1;
        }
        // Runs of one turn key: identical repeats collapse, different ones reject.
        let speaker = |i: usize| field_str(&rows[i].1, &c.speaker).unwrap_or_default();
        let content = |i: usize| field_str(&rows[i].1, &c.content).unwrap_or_default();
        let mut kept: Vec<usize> = Vec::with_capacity(order.len());
        let mut conflict: Option<String> = None;
        let mut repeats = false;
        let mut k = 0;
        while k < order.len() {
            let mut e = k + 1;
            while e < order.len() && cmp(order[k], order[e]).is_eq() {
                e += 1;
            }
            let run = &order[k..e];
            if run.len() > 1 {
                let (s0, t0) = (speaker(run[0]), content(run[0]));
                let same = run[1..]
                    .iter()
                    .all(|&i| speaker(i) == s0 && content(i) == t0);
                let turn_id = turn_id_part(&keys[run[0]]);
                if same {
                    repeats = true;
                    stats.repeated_rows_collapsed += (run.len() - 1) as u64;
                    if stats.repeated_keys.len() < 10 {
                        stats.repeated_keys.push(format!("{id}/{turn_id}"));
                    }
                } else if conflict.is_none() {
                    let lines: Vec<String> =
                        run.iter().take(5).map(|&i| rows[i].0.to_string()).collect();
                    conflict = Some(format!(
                        "turn `{}` = {turn_id} appears in {} rows with different speaker or text (lines {}): several copies of one conversation (annotators?) need a composite `conversation` key",
                        c.turn.join("`, `"),
                        run.len(),
                        lines.join(", ")
                    ));
                }
            }
            kept.push(run[0]);
            k = e;
        }
        if repeats {
            stats.conversations_with_repeats += 1;
        }
        if let Some(reason) = conflict {
            stats.conversations_with_conflicting_repeats += 1;
            out.rejections
                .push(ctx.reject(Some(id), index, first_line, reason));
            continue;
        }
        // Integer turn numbers (one turn column) that skip a value.
        if let [Some(n)] = numeric.as_slice() {
            let ints: Vec<f64> = kept.iter().map(|&i| n[i]).collect();
            if ints.iter().all(|x| x.fract() == 0.0) && ints.windows(2).any(|w| w[1] - w[0] > 1.0) {
                stats.conversations_with_missing_turns += 1;
            }
        }
        let turns: Vec<Turn> = kept
            .iter()
            .map(|&i| Turn {
                speaker: speaker(i),
                content: content(i),
            })
            .collect();
        let first = &rows[0].1;
        let split = record_split(first, ctx);
        let context = c.context.as_deref().and_then(|k| field_str(first, k));
        let meta = metadata(first, &c.metadata);
        let result = split.and_then(|split| {
            build_conversation(
                ctx,
                id.clone(),
                split,
                context,
                turns,
                meta,
                index,
                first_line,
            )
        });
        match result {
            Ok(conv) => out.conversations.push(conv),
            Err(reason) => out
                .rejections
                .push(ctx.reject(Some(id), index, first_line, reason)),
        }
    }
    stats
}

/// A conversation's id part: its one key value as it is (with `%` and `#` encoded), or the parts
/// of a composite key, each with `/` encoded too, joined by `/`.
fn conversation_id_part(parts: &[String]) -> String {
    match parts {
        [one] => encode_key(one).into_owned(),
        _ => parts
            .iter()
            .map(|p| encode_key(p).replace('/', "%2F"))
            .collect::<Vec<_>>()
            .join("/"),
    }
}

/// A turn key for reasons and repeated-key lists: short id-like parts (`12`, `u-3.1`) as they
/// are, anything else as a hash and length (a turn column mapped to text by mistake must not
/// echo the text).
fn turn_id_part(parts: &[String]) -> String {
    parts
        .iter()
        .map(|p| {
            let id_like = p.len() <= 24
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
            if id_like { p.clone() } else { label(p) }
        })
        .collect::<Vec<_>>()
        .join("/")
}
