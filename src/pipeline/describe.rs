//! What each step of a build will do for a plan, in words (`trainready plan`).

use crate::spec::Plan;

/// A serialisable value's name as written in the spec (`"estimate"`, `"drop-from-train"`).
fn label<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub fn load(p: &Plan) -> String {
    format!(
        "{} sources; HTML to text, NFC; rejected records go to the ledger",
        p.sources.len()
    )
}
pub fn sign(p: &Plan) -> String {
    let n = &p.dedup.near;
    if n.enabled || p.split.assign.is_some() {
        format!(
            "MinHash {} permutations over {}-gram shingles, seed {}; shared by split assignment and near dedup",
            n.num_perm, n.ngram, n.seed
        )
    } else {
        "off".into()
    }
}
pub fn split(p: &Plan) -> String {
    match &p.split.assign {
        None => "keep each source's split".to_string(),
        Some(f) => format!(
            "assign by fractions {} grouped by near-duplicate cluster{} (seed {})",
            f.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            p.split
                .group
                .as_ref()
                .map(|g| format!(" and `{g}`"))
                .unwrap_or_default(),
            p.split.seed
        ),
    }
}
pub fn dedup_exact(p: &Plan) -> String {
    if p.dedup.exact {
        "same text_hash within a split; lowest priority, then record_id, is kept".into()
    } else {
        "off".into()
    }
}
pub fn dedup_near(p: &Plan) -> String {
    let n = &p.dedup.near;
    let b = n.banding();
    if n.enabled {
        format!(
            "LSH {} bands x {} rows, Jaccard >= {} (verified by {} at {}) within each split",
            b.bands,
            b.rows,
            n.threshold,
            label(&n.verify),
            n.cut()
        )
    } else {
        "off".into()
    }
}
pub fn leakage(p: &Plan) -> String {
    let l = &p.leakage;
    if l.enabled {
        format!(
            "exact, near and {}-gram overlap (>= {} shared and >= {} of the smaller record; a turn: >= {} and >= {}; stop-list df >= {}), policy `{}`, {} external eval set(s)",
            l.ngram,
            l.min_shared,
            l.min_fraction,
            l.turn_min_shared,
            l.turn_min_fraction,
            l.stop_df,
            label(&l.policy),
            l.eval_sets.len()
        )
    } else {
        "off".into()
    }
}
pub fn quality(p: &Plan) -> String {
    let q = &p.quality;
    if !q.enabled {
        return "off (no [quality])".into();
    }
    let languages = if q.languages.is_empty() {
        "any language".to_string()
    } else {
        format!(
            "languages {:?} (confidence >= {})",
            q.languages, q.min_language_confidence
        )
    };
    format!(
        "{languages}; sft_shape `{}`; messages {}-{}, message characters {}-{}; Gopher ratios from {} words (dup lines <= {}, dup line chars <= {}, top n-grams {:?}, dup n-grams {:?}, alpha words >= {}); repeated messages <= {}; character runs <= {}; URL/emoji-only messages <= {}",
        serde_json::to_value(q.sft_shape)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        q.min_messages,
        q.max_messages,
        q.min_message_chars,
        q.max_message_chars,
        q.min_words_for_ratios,
        q.max_dup_line_fraction,
        q.max_dup_line_char_fraction,
        q.top_ngrams,
        q.dup_ngrams,
        q.min_alpha_words_fraction,
        q.max_repeated_message_fraction,
        q.max_char_run,
        q.max_url_or_emoji_only_fraction
    )
}

pub fn pii(p: &Plan) -> String {
    if p.pii.enabled {
        format!(
            "{} kinds, default action `{}`, per kind {:?}, per source {:?}, allowed in the export {:?}",
            crate::schema::PiiKind::ALL.len(),
            label(&p.pii.action),
            p.pii.kinds,
            p.pii.sources,
            p.pii.allow
        )
    } else {
        "off".into()
    }
}
pub fn curriculum(p: &Plan) -> String {
    p.curriculum
        .phases
        .iter()
        .map(|ph| format!("{} ({})", ph.name, ph.kind.as_str()))
        .collect::<Vec<_>>()
        .join(" -> ")
}
pub fn export(p: &Plan) -> String {
    format!(
        "chatml/<phase>/<split>/ shards of at most {} records / {} bytes, compression {}",
        p.export.shard_records,
        p.export.shard_bytes,
        label(&p.export.compression)
    )
}
pub fn ledger(_: &Plan) -> String {
    "manifest (one row per exported line) and ledger (one row per input record)".into()
}
pub fn stats(_: &Plan) -> String {
    format!(
        "{} queries from queries/, coverage, curriculum, load",
        crate::stats::QUERIES.len()
    )
}
pub fn gates(p: &Plan) -> String {
    format!(
        "built-in gates and {} from the spec; fail closed",
        p.gates.len()
    )
}
pub fn report(p: &Plan) -> String {
    format!(
        "report.md, report.html, figures/*.svg; counts under {} suppressed",
        p.report.min_cell
    )
}
