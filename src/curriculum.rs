//! Curriculum (runbook step E): route the kept records of each family into training phases and
//! say, for every record, where it went.
//!
//! `[curriculum]` lists ordered `[[curriculum.phase]]` entries, each with a `kind`:
//! - `pretraining`: continued pretraining, exported as `{"text": ...}` rendered by [`crate::export::render_text`];
//! - `sft`: supervised fine-tuning, exported as `{"messages": [...]}` (a preference record gives
//!   its prompt and chosen response); it needs a user and an assistant message;
//! - `preference`: exported as `{"prompt": [...], "chosen": [...], "rejected": [...]}`; it takes
//!   only records of sources with the `preference` mapping.
//!
//! A phase takes the records of its `families` and `sources`, then applies its filters
//! (`min_turns`, `max_chars`, `roles`) to every split, and its per-family `caps` and `weights` to
//! the **train split only** (evaluation splits stay whole so evaluations remain comparable across
//! curricula). Both are deterministic: each record draws a number in [0, 1) from xxh3 of
//! (`seed`, phase, record_id); a cap keeps the records with the smallest draws, a weight `w`
//! exports `floor(w)` copies plus one more when the draw is below `w - floor(w)` (0.5 keeps about
//! half, 2.0 doubles). Caps apply before weights.
//!
//! A family (or source) in two phases is a spec error unless `allow_overlap = true`; then a record
//! is exported once per phase that takes it. A kept record that no phase takes gets the ledger
//! status `unrouted` with every phase's reason. Without `[curriculum]`, one `sft` phase takes every
//! family.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{PolarsContext, Result};
use crate::schema::{PhaseKind, Status, conversation_len, mark_status};
use crate::schema::{opt_u32_column, str_column, u64_column};

/// `[curriculum]`
/// The largest weight: a record is exported at most this many times in a phase.
pub const MAX_WEIGHT: f64 = 100.0;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CurriculumSpec {
    /// Seed of the sampling draws (weights and caps). Default 0.
    #[serde(default)]
    pub seed: u64,
    /// Let one family or source feed several phases. Default `false` (a spec error).
    #[serde(default)]
    pub allow_overlap: bool,
    /// `[[curriculum.phase]]`, in training order.
    #[serde(rename = "phase")]
    pub phases: Vec<PhaseSpec>,
}

/// `[[curriculum.phase]]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseSpec {
    /// Directory name under `chatml/`, e.g. `name = "sft_stage1"`.
    pub name: String,
    /// `pretraining | sft | preference`.
    pub kind: PhaseKind,
    /// Families routed here.
    #[serde(default)]
    pub families: Vec<String>,
    /// Sources routed here (in addition to `families`).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Keep only records with at least this many non-system messages.
    pub min_turns: Option<u32>,
    /// Keep only records of at most this many characters.
    pub max_chars: Option<u32>,
    /// Keep only records that have a message of each of these roles.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Family -> sampling weight on the train split (0.5 halves, 2.0 doubles). Default 1.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// Family -> the most train records taken (after filters, before weights).
    #[serde(default)]
    pub caps: BTreeMap<String, u64>,
    /// Gate: the phase exports at least this many lines.
    pub min_records: Option<u64>,
    /// Gate: the phase exports at most this many lines.
    pub max_records: Option<u64>,
    /// `pretraining`: the label of each role in the rendered text. Defaults: `System`, `User`,
    /// `Assistant`.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// (family, source) of every source in the spec.
pub type SourceFamilies<'a> = [(&'a str, &'a str)];

impl CurriculumSpec {
    /// The curriculum of a spec without `[curriculum]`: one `sft` phase taking every family.
    pub fn default_for(families: impl IntoIterator<Item = String>) -> Self {
        let families: BTreeSet<String> = families.into_iter().collect();
        Self {
            seed: 0,
            allow_overlap: false,
            phases: vec![PhaseSpec {
                name: crate::schema::DEFAULT_PHASE.into(),
                kind: PhaseKind::Sft,
                families: families.into_iter().collect(),
                sources: Vec::new(),
                min_turns: None,
                max_chars: None,
                roles: Vec::new(),
                weights: BTreeMap::new(),
                caps: BTreeMap::new(),
                min_records: None,
                max_records: None,
                labels: BTreeMap::new(),
            }],
        }
    }

    /// Check the spec against the sources: (key, message) of the first problem.
    pub fn validate(
        &self,
        sources: &SourceFamilies<'_>,
    ) -> std::result::Result<(), (String, String)> {
        let err = |key: String, msg: String| Err((key, msg));
        if self.phases.is_empty() {
            return err(
                "curriculum.phase".into(),
                "needs at least one [[curriculum.phase]]".into(),
            );
        }
        let mut names = BTreeSet::new();
        for (i, p) in self.phases.iter().enumerate() {
            let key = |k: &str| format!("curriculum.phase[{i}].{k}");
            let valid = !p.name.is_empty()
                && p.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                && !p.name.starts_with('.');
            if !valid {
                return err(
                    key("name"),
                    format!("`{}`: use letters, digits, `-`, `_` and `.`", p.name),
                );
            }
            if !names.insert(p.name.as_str()) {
                return err(key("name"), format!("phase `{}` appears twice", p.name));
            }
            if p.families.is_empty() && p.sources.is_empty() {
                return err(
                    key("families"),
                    format!("phase `{}` takes no family and no source", p.name),
                );
            }
            for f in &p.families {
                if !sources.iter().any(|(fam, _)| fam == f) {
                    return err(key("families"), format!("no [[source]] has family `{f}`"));
                }
            }
            for s in &p.sources {
                if !sources.iter().any(|(_, src)| src == s) {
                    return err(key("sources"), format!("no [[source]] is named `{s}`"));
                }
            }
            for r in &p.roles {
                if !matches!(r.as_str(), "system" | "user" | "assistant") {
                    return err(key("roles"), format!("`{r}` is not a ChatML role"));
                }
            }
            for r in p.labels.keys() {
                if !matches!(r.as_str(), "system" | "user" | "assistant") {
                    return err(key("labels"), format!("`{r}` is not a ChatML role"));
                }
            }
            for (f, w) in &p.weights {
                if !w.is_finite() || *w < 0.0 || *w > MAX_WEIGHT {
                    return err(
                        key(&format!("weights.{f}")),
                        format!(
                            "{w} must be a finite number from 0 to {MAX_WEIGHT} (at most {MAX_WEIGHT} copies of a record)"
                        ),
                    );
                }
            }
            for f in p.weights.keys().chain(p.caps.keys()) {
                let taken = p.families.contains(f)
                    || sources
                        .iter()
                        .any(|(fam, src)| fam == f && p.sources.iter().any(|s| s == src));
                if !taken {
                    return err(
                        key("weights"),
                        format!(
                            "family `{f}` has a weight or cap but phase `{}` does not take it",
                            p.name
                        ),
                    );
                }
            }
            if let (Some(lo), Some(hi)) = (p.min_records, p.max_records)
                && lo > hi
            {
                return err(
                    key("min_records"),
                    format!("{lo} is above max_records {hi}"),
                );
            }
        }
        if !self.allow_overlap {
            for (family, source) in sources {
                let phases: Vec<&str> = self
                    .phases
                    .iter()
                    .filter(|p| p.takes(family, source))
                    .map(|p| p.name.as_str())
                    .collect();
                if phases.len() > 1 {
                    return err(
                        "curriculum.allow_overlap".into(),
                        format!(
                            "source `{source}` (family `{family}`) is routed to phases {}: set allow_overlap = true if that is meant",
                            phases.join(", ")
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    /// Family -> the phases that take it (from the spec alone).
    pub fn routing(&self, sources: &SourceFamilies<'_>) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (family, source) in sources {
            let entry = out.entry(family.to_string()).or_default();
            for p in &self.phases {
                if p.takes(family, source) && !entry.contains(&p.name) {
                    entry.push(p.name.clone());
                }
            }
        }
        out
    }

    /// The kind of phase `name`.
    pub fn kind_of(&self, name: &str) -> Option<PhaseKind> {
        self.phases.iter().find(|p| p.name == name).map(|p| p.kind)
    }
}

impl PhaseSpec {
    /// Whether records of this family and source are routed here.
    pub fn takes(&self, family: &str, source: &str) -> bool {
        self.families.iter().any(|f| f == family) || self.sources.iter().any(|s| s == source)
    }
}

/// Where the kept records go.
pub struct Routing {
    /// One row per export line: `row` (index into the routed frame), `phase`, `copy`.
    pub lines: Vec<(usize, String, u32)>,
    /// Rows no phase took, with the reason.
    pub unrouted: Vec<(usize, String)>,
}

/// A number in [0, 1) drawn from (seed, salt, phase, record id).
fn draw(seed: u64, salt: &str, phase: &str, id: &str) -> f64 {
    let mut h = xxhash_rust::xxh3::Xxh3::with_seed(seed);
    h.update(salt.as_bytes());
    h.update(&[0]);
    h.update(phase.as_bytes());
    h.update(&[0]);
    h.update(id.as_bytes());
    (h.digest() >> 11) as f64 / (1u64 << 53) as f64
}

/// The curriculum's output besides the frame: the export lines (the kept records in export
/// order, repeated per line, with `phase` and `copy`) and how many kept records no phase takes.
pub struct CurriculumOutput {
    pub lines: DataFrame,
    pub unrouted: u64,
}

/// Route the records still `kept` into phases: records no phase takes become `unrouted` (with
/// every phase's reason); the others become export lines, in export order (source priority,
/// then origin). The frame keeps its row order.
pub fn apply(staged: DataFrame, spec: &CurriculumSpec) -> Result<(DataFrame, CurriculumOutput)> {
    let kept = staged
        .clone()
        .lazy()
        .filter(col("status").eq(lit(Status::Kept.as_str())))
        .sort(
            ["priority", "source", "origin_uri", "origin_row"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()
        .ctx("ordering the export")?;
    let routing = route(&kept, spec)?;
    let kept_ids = str_column(&kept, "record_id")?;
    let unrouted: BTreeMap<String, String> = routing
        .unrouted
        .iter()
        .map(|(i, reason)| (kept_ids[*i].clone(), reason.clone()))
        .collect();
    let staged = mark_status(staged, &unrouted, Status::Unrouted)?;
    let lines = lines_frame(&kept, &routing.lines)?;
    Ok((
        staged,
        CurriculumOutput {
            lines,
            unrouted: unrouted.len() as u64,
        },
    ))
}

/// Route the kept records of `df` (columns `record_id`, `source`, `family`, `split`, `messages`,
/// `n_chars`, `pref_prompt`, `pref_chosen`).
#[tracing::instrument(skip_all, fields(stage = "curriculum", rows = df.height()))]
pub fn route(df: &DataFrame, spec: &CurriculumSpec) -> Result<Routing> {
    let ids = str_column(df, "record_id")?;
    let sources = str_column(df, "source")?;
    let families = str_column(df, "family")?;
    let splits = str_column(df, "split")?;
    let chars = u64_column(df, "n_chars")?;
    let pref = opt_u32_column(df, "pref_prompt")?;
    let chosen = opt_u32_column(df, "pref_chosen")?;
    let messages = crate::schema::MessageView::of(df)?;

    let mut reasons: Vec<Vec<String>> = vec![Vec::new(); df.height()];
    let mut lines = Vec::new();
    for p in &spec.phases {
        // Eligible rows after kind and filters.
        let mut eligible: Vec<usize> = Vec::new();
        for i in 0..df.height() {
            if !p.takes(&families[i], &sources[i]) {
                continue;
            }
            // What an sft or pretraining line holds: a preference pair's prompt and chosen answer.
            let exported: Vec<(&str, &str)> = messages
                .row(i)
                .take(conversation_len(pref[i], chosen[i]))
                .collect();
            let has = |role: &str| exported.iter().any(|m| m.0 == role);
            let why = match p.kind {
                PhaseKind::Preference if pref[i].is_none() => {
                    Some("not a preference pair (needs the `preference` mapping)".to_string())
                }
                PhaseKind::Sft if !(has("user") && has("assistant")) => {
                    Some("sft needs a user and an assistant message".to_string())
                }
                _ => None,
            }
            .or_else(|| {
                let turns = exported.iter().filter(|m| m.0 != "system").count() as u32;
                p.min_turns
                    .filter(|min| turns < *min)
                    .map(|min| format!("{turns} turns, fewer than min_turns {min}"))
            })
            .or_else(|| {
                p.max_chars
                    .filter(|max| chars[i] > u64::from(*max))
                    .map(|max| format!("{} characters, more than max_chars {max}", chars[i]))
            })
            .or_else(|| {
                p.roles
                    .iter()
                    .find(|r| !has(r))
                    .map(|r| format!("no `{r}` message (roles filter)"))
            });
            match why {
                Some(w) => reasons[i].push(format!("phase `{}`: {w}", p.name)),
                None => eligible.push(i),
            }
        }
        // Caps, then weights, on the train split, per family.
        let mut by_family: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in &eligible {
            if splits[i] == "train" {
                by_family.entry(families[i].as_str()).or_default().push(i);
            } else {
                lines.push((i, p.name.clone(), 0));
            }
        }
        for (family, mut rows) in by_family {
            if let Some(&cap) = p.caps.get(family)
                && rows.len() as u64 > cap
            {
                let mut keyed: Vec<(f64, usize)> = rows
                    .iter()
                    .map(|&i| (draw(spec.seed, "cap", &p.name, &ids[i]), i))
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| ids[a.1].cmp(&ids[b.1])));
                for &(_, i) in &keyed[cap as usize..] {
                    reasons[i].push(format!(
                        "phase `{}`: over the cap of {cap} train records for family `{family}`",
                        p.name
                    ));
                }
                rows = keyed[..cap as usize].iter().map(|&(_, i)| i).collect();
                rows.sort_unstable();
            }
            let weight = p.weights.get(family).copied().unwrap_or(1.0);
            for i in rows {
                let whole = weight.floor();
                let extra = draw(spec.seed, "weight", &p.name, &ids[i]) < weight - whole;
                let copies = whole as u32 + u32::from(extra);
                if copies == 0 {
                    reasons[i].push(format!(
                        "phase `{}`: sampled out by weight {weight} for family `{family}`",
                        p.name
                    ));
                }
                for c in 0..copies {
                    lines.push((i, p.name.clone(), c));
                }
            }
        }
    }
    // Export order: phases in curriculum order, records in the frame's order, then copies.
    let position: BTreeMap<&str, usize> = spec
        .phases
        .iter()
        .enumerate()
        .map(|(k, p)| (p.name.as_str(), k))
        .collect();
    lines.sort_by_key(|(i, p, c)| (position[p.as_str()], *i, *c));
    let routed: BTreeSet<usize> = lines.iter().map(|(i, _, _)| *i).collect();
    let unrouted = (0..df.height())
        .filter(|i| !routed.contains(i))
        .map(|i| {
            let reason = if reasons[i].is_empty() {
                format!(
                    "family `{}` (source `{}`) is routed to no curriculum phase",
                    families[i], sources[i]
                )
            } else {
                format!("unrouted: {}", reasons[i].join("; "))
            };
            (i, reason)
        })
        .collect();
    Ok(Routing { lines, unrouted })
}

/// The frame of export lines: the rows of `df` repeated per line, with `phase` and `copy`.
pub fn lines_frame(df: &DataFrame, lines: &[(usize, String, u32)]) -> Result<DataFrame> {
    let idx: Vec<IdxSize> = lines.iter().map(|(i, _, _)| *i as IdxSize).collect();
    let idx = IdxCa::from_vec("idx".into(), idx);
    let mut out = df.take(&idx).ctx("selecting the routed records")?;
    let phases: Vec<&str> = lines.iter().map(|(_, p, _)| p.as_str()).collect();
    let copies: Vec<u32> = lines.iter().map(|(_, _, c)| *c).collect();
    out.with_column(Column::new("phase".into(), phases))
        .ctx("phase column")?;
    out.with_column(Column::new("copy".into(), copies))
        .ctx("copy column")?;
    Ok(out)
}

/// `stats.json` → `curriculum`: lines, distinct records, tokens (by `tokenizer`) and approximate
/// tokens (characters / 4, rounded up per line) per phase, and per phase and family; plus the
/// unrouted count.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CurriculumReport {
    /// The tokenizer of the `tokens` figures (`[tokens] tokenizer`).
    pub tokenizer: String,
    pub phases: BTreeMap<String, PhaseReport>,
    pub unrouted: u64,
    /// Required families (`[coverage] required`) that no phase takes.
    pub required_unrouted: u64,
}

/// One phase in [`CurriculumReport`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct PhaseReport {
    pub kind: String,
    pub records: u64,
    pub distinct_records: u64,
    pub tokens: u64,
    pub approx_tokens: u64,
    pub by_split: BTreeMap<String, u64>,
    pub by_family: BTreeMap<String, FamilyReport>,
}

/// One family within a phase.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FamilyReport {
    pub records: u64,
    pub tokens: u64,
    pub approx_tokens: u64,
}

/// The report over the exported lines (`phase`, `family`, `split`, `record_id`, `tokens`,
/// `approx_tokens`), whose `tokens` were counted by `tokenizer`.
pub fn report(
    lines: &DataFrame,
    spec: &CurriculumSpec,
    tokenizer: &str,
    unrouted: u64,
    required_unrouted: u64,
) -> Result<CurriculumReport> {
    let phases = str_column(lines, "phase")?;
    let families = str_column(lines, "family")?;
    let splits = str_column(lines, "split")?;
    let ids = str_column(lines, "record_id")?;
    let tokens = u64_column(lines, "tokens")?;
    let approx = u64_column(lines, "approx_tokens")?;
    let mut out = CurriculumReport {
        tokenizer: tokenizer.to_string(),
        unrouted,
        required_unrouted,
        ..Default::default()
    };
    for p in &spec.phases {
        out.phases.insert(
            p.name.clone(),
            PhaseReport {
                kind: p.kind.as_str().into(),
                by_split: crate::schema::SPLITS
                    .iter()
                    .map(|s| (s.to_string(), 0))
                    .collect(),
                ..Default::default()
            },
        );
    }
    let mut distinct: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for i in 0..lines.height() {
        let r = out.phases.entry(phases[i].clone()).or_default();
        r.records += 1;
        r.tokens += tokens[i];
        r.approx_tokens += approx[i];
        *r.by_split.entry(splits[i].clone()).or_default() += 1;
        let f = r.by_family.entry(families[i].clone()).or_default();
        f.records += 1;
        f.tokens += tokens[i];
        f.approx_tokens += approx[i];
        distinct.entry(&phases[i]).or_default().insert(&ids[i]);
    }
    for (p, set) in distinct {
        if let Some(r) = out.phases.get_mut(p) {
            r.distinct_records = set.len() as u64;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(name: &str, kind: PhaseKind, families: &[&str]) -> PhaseSpec {
        let mut p = CurriculumSpec::default_for([]).phases.remove(0);
        p.name = name.into();
        p.kind = kind;
        p.families = families.iter().map(|s| s.to_string()).collect();
        p
    }

    #[test]
    fn overlap_is_an_error_unless_allowed() {
        let sources = [("qa", "a"), ("chat", "b")];
        let mut spec = CurriculumSpec {
            seed: 0,
            allow_overlap: false,
            phases: vec![
                phase("p1", PhaseKind::Pretraining, &["qa"]),
                phase("p2", PhaseKind::Sft, &["qa", "chat"]),
            ],
        };
        let (key, msg) = spec.validate(&sources).unwrap_err();
        assert_eq!(key, "curriculum.allow_overlap");
        assert!(
            msg.contains("source `a`") && msg.contains("p1, p2"),
            "{msg}"
        );
        spec.allow_overlap = true;
        spec.validate(&sources).unwrap();
        spec.phases[1].families.push("nope".into());
        let (key, msg) = spec.validate(&sources).unwrap_err();
        assert_eq!(key, "curriculum.phase[1].families");
        assert!(msg.contains("`nope`"));
    }

    #[test]
    fn weights_are_deterministic_and_near_their_expectation() {
        let n = 20_000;
        let hits = (0..n)
            .filter(|i| draw(7, "weight", "sft", &format!("s/{i}")) < 0.25)
            .count();
        let share = hits as f64 / n as f64;
        assert!((share - 0.25).abs() < 0.01, "{share}");
        assert_eq!(
            draw(7, "weight", "sft", "s/1"),
            draw(7, "weight", "sft", "s/1")
        );
        assert_ne!(
            draw(7, "weight", "sft", "s/1"),
            draw(8, "weight", "sft", "s/1")
        );
    }
}
