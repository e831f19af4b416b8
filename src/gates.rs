//! Gates: fail-closed checks over `stats.json`. Built-in gates for the stages that ran, plus the
//! spec's `[[gate]]` entries. A metric that is missing, not a number or NaN fails its gate.
//!
//! Built in: `ledger_balances` (every input record has exactly one final status),
//! `ledger_statuses_known`, `provenance_license` and `provenance_origin` (every exported record
//! has a licence and an origin), `release_not_empty`, and `dedup_removal_rate.<source>` ≤
//! `[dedup] max_removal_rate` (default 0.5: a dedup that removes half of a source is more likely
//! a bug than a finding). Stages add their own (coverage, curriculum, leakage, PII residual), and
//! `[drift]` adds gates against a baseline release (see [`DriftSpec`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::schema::release::GateResult;

/// `[[gate]]`: `metric` is a dotted path into stats.json, e.g. `counts.exported`.
#[derive(Debug, Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct GateSpec {
    pub name: String,
    pub metric: String,
    pub op: GateOp,
    pub threshold: f64,
}

impl GateSpec {
    /// A gate requiring `metric <op> threshold`.
    pub fn new(
        name: impl Into<String>,
        metric: impl Into<String>,
        op: GateOp,
        threshold: f64,
    ) -> Self {
        Self {
            name: name.into(),
            metric: metric.into(),
            op,
            threshold,
        }
    }

    /// Check a `[[gate]]`; `Err` names it.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        if self.metric.trim().is_empty() || !self.threshold.is_finite() {
            return Err((
                format!("gate `{}`", crate::error::echo(&self.name)),
                "needs a metric path and a finite threshold".into(),
            ));
        }
        Ok(())
    }

    /// A gate requiring `metric` (a dotted path into stats.json) to be 0.
    pub fn equals_zero(name: impl Into<String>, metric: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            metric: metric.into(),
            op: GateOp::Eq,
            threshold: 0.0,
        }
    }
}

/// Gate comparison: `value <op> threshold` must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum GateOp {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
}

impl GateOp {
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Self::Lt => value < threshold,
            Self::Le => value <= threshold,
            Self::Eq => value == threshold,
            Self::Ge => value >= threshold,
            Self::Gt => value > threshold,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Eq => "==",
            Self::Ge => ">=",
            Self::Gt => ">",
        }
    }
}

/// Thresholds of the built-in gates that the spec can set.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The highest share of a source that dedup may remove.
    pub max_removal_rate: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_removal_rate: 0.5,
        }
    }
}

/// The built-in gates for the stages that ran.
pub fn builtin(stats: &Value, sources: &[String], limits: Limits) -> Vec<GateSpec> {
    let gate = |name: &str, metric: &str, op: GateOp, threshold: f64| GateSpec {
        name: name.to_string(),
        metric: metric.to_string(),
        op,
        threshold,
    };
    let mut gates = vec![
        gate("ledger_balances", "counts.unaccounted", GateOp::Eq, 0.0),
        gate(
            "ledger_statuses_known",
            "counts.unknown_status",
            GateOp::Eq,
            0.0,
        ),
        gate(
            "provenance_license",
            "provenance.missing_license",
            GateOp::Eq,
            0.0,
        ),
        gate(
            "provenance_origin",
            "provenance.missing_origin",
            GateOp::Eq,
            0.0,
        ),
        gate("release_not_empty", "counts.exported", GateOp::Gt, 0.0),
    ];
    if stats.get("dedup").is_some() {
        for s in sources {
            gates.push(gate(
                &format!("dedup_removal_rate.{s}"),
                &format!("dedup.removal_rate.{s}"),
                GateOp::Le,
                limits.max_removal_rate,
            ));
        }
    }
    gates
}

/// `[drift]`: compare this build with a published baseline release and fail when it moved too
/// far. Metrics (in `stats.json` → `drift`): `family_share_change.<family>` and
/// `family_share_change_max` (absolute change of a family's share of exported lines),
/// `median_chars_change.<role>` and `median_chars_change_max` (relative change of the median
/// message length in characters per role; a role present on one side only counts 1.0), and
/// `records_change` (relative change of the exported lines). An unreadable baseline leaves the
/// metrics missing (and `drift.error` set), so the drift gates fail closed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DriftSpec {
    /// The baseline release: its folder or URI (holding `reports/stats.json`), e.g.
    /// `baseline = "out/releases/fixtures/0.1.0"`. Relative paths are from the spec's folder.
    pub baseline: String,
    /// Largest allowed absolute change of any family's share. Default 0.10.
    #[serde(default = "default_share_change")]
    pub max_family_share_change: f64,
    /// Largest allowed relative change of a role's median message length. Default 0.25.
    #[serde(default = "default_relative_change")]
    pub max_median_chars_change: f64,
    /// Largest allowed relative change of the number of exported lines. Default 0.25.
    #[serde(default = "default_relative_change")]
    pub max_records_change: f64,
}

fn default_share_change() -> f64 {
    0.10
}
fn default_relative_change() -> f64 {
    0.25
}

impl DriftSpec {
    /// Check the limits; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        let limits = [
            self.max_family_share_change,
            self.max_median_chars_change,
            self.max_records_change,
        ];
        if limits.iter().any(|x| !x.is_finite() || *x < 0.0) {
            return Err((
                "drift".into(),
                "the max_* limits must be finite numbers ≥ 0".into(),
            ));
        }
        Ok(())
    }

    /// The gates on the drift metrics.
    pub fn gates(&self) -> Vec<GateSpec> {
        let gate = |name: &str, metric: &str, threshold: f64| GateSpec {
            name: name.into(),
            metric: metric.into(),
            op: GateOp::Le,
            threshold,
        };
        vec![
            gate(
                "drift_family_share",
                "drift.family_share_change_max",
                self.max_family_share_change,
            ),
            gate(
                "drift_median_chars",
                "drift.median_chars_change_max",
                self.max_median_chars_change,
            ),
            gate(
                "drift_records",
                "drift.records_change",
                self.max_records_change,
            ),
        ]
    }
}

/// The drift of `current` (this build's stats.json) from `baseline` (the baseline's).
pub fn drift(current: &Value, baseline: &Value) -> Value {
    let share = |v: &Value, f: &str| v["family_shares"][f]["share"].as_f64().unwrap_or(0.0);
    // The keys of a statistic in either release.
    let keys = |stat: &str| -> BTreeSet<String> {
        [current, baseline]
            .iter()
            .filter_map(|v| v[stat].as_object())
            .flat_map(|o| o.keys().cloned())
            .collect()
    };
    let families = keys("family_shares");
    let mut share_change = serde_json::Map::new();
    let mut share_max = 0.0f64;
    for f in &families {
        let d = (share(current, f) - share(baseline, f)).abs();
        share_max = share_max.max(d);
        share_change.insert(f.clone(), json!(d));
    }
    let roles = keys("message_lengths_by_role");
    let mut median_change = serde_json::Map::new();
    let mut median_max = 0.0f64;
    for r in &roles {
        let m = |v: &Value| v["message_lengths_by_role"][r]["chars_p50"].as_f64();
        let d = match (m(current), m(baseline)) {
            (Some(a), Some(b)) if b > 0.0 => (a - b).abs() / b,
            (Some(a), Some(b)) if a == b => 0.0,
            _ => 1.0,
        };
        median_max = median_max.max(d);
        median_change.insert(r.clone(), json!(d));
    }
    let lines = |v: &Value| {
        v["curriculum"]["phases"].as_object().map(|p| {
            p.values()
                .filter_map(|x| x["records"].as_f64())
                .sum::<f64>()
        })
    };
    let records_change = match (lines(current), lines(baseline)) {
        (Some(a), Some(b)) if b > 0.0 => Some((a - b).abs() / b),
        _ => None,
    };
    // Breakdowns (`[report] breakdowns`): change of each value's share of all exported records.
    let mut breakdown_change = serde_json::Map::new();
    let fields: BTreeSet<String> = current["breakdowns"]
        .as_object()
        .into_iter()
        .flat_map(|o| o.keys().cloned())
        .collect();
    for field in &fields {
        let all = |v: &Value| v["breakdowns"][field.as_str()]["all"].clone();
        let (now, then) = (all(current), all(baseline));
        let values: BTreeSet<String> = [&now, &then]
            .iter()
            .filter_map(|v| v.as_object())
            .flat_map(|o| o.keys().cloned())
            .collect();
        let mut changes = serde_json::Map::new();
        let mut max = 0.0f64;
        for v in values {
            let s = |x: &Value| x[v.as_str()]["share"].as_f64().unwrap_or(0.0);
            let d = (s(&now) - s(&then)).abs();
            max = max.max(d);
            changes.insert(v, json!(d));
        }
        changes.insert("(max)".into(), json!(max));
        breakdown_change.insert(field.clone(), Value::Object(changes));
    }
    json!({
        "breakdown_share_change": breakdown_change,
        "family_share_change": share_change,
        "family_share_change_max": share_max,
        "median_chars_change": median_change,
        "median_chars_change_max": median_max,
        "records_change": records_change,
        "baseline_exported": baseline["counts"]["exported"],
    })
}

/// Evaluate the built-in gates, then the spec's.
/// `stage_gates` are built-in gates that a stage adds for itself (e.g. the PII residual gates).
pub fn evaluate(
    stats: &Value,
    sources: &[String],
    limits: Limits,
    stage_gates: &[GateSpec],
    spec_gates: &[GateSpec],
) -> Vec<GateResult> {
    let mut builtin = builtin(stats, sources, limits);
    builtin.extend_from_slice(stage_gates);
    builtin
        .iter()
        .map(|g| (g, true))
        .chain(spec_gates.iter().map(|g| (g, false)))
        .map(|(g, is_builtin)| {
            let value = metric(stats, &g.metric);
            let passed = value.is_some_and(|v| g.op.holds(v, g.threshold));
            let detail = match value {
                None => Some(format!(
                    "metric `{}` is missing or not a number in stats.json",
                    g.metric
                )),
                Some(v) if !passed => Some(format!(
                    "{} = {} but must be {} {} (off by {})",
                    g.metric,
                    v,
                    g.op.as_str(),
                    g.threshold,
                    (v - g.threshold).abs()
                )),
                Some(_) => None,
            };
            GateResult {
                name: g.name.clone(),
                metric: g.metric.clone(),
                op: g.op.as_str().to_string(),
                value,
                threshold: g.threshold,
                passed,
                builtin: is_builtin,
                detail,
            }
        })
        .collect()
}

/// The number at a dotted path of `stats.json`, if it is one. A key may itself hold dots (a
/// source named `counsel.chat`): each level tries the shortest key first, then longer ones.
pub fn metric(stats: &Value, path: &str) -> Option<f64> {
    fn walk<'a>(v: &'a Value, parts: &[&str]) -> Option<&'a Value> {
        if parts.is_empty() {
            return Some(v);
        }
        let obj = v.as_object()?;
        for k in 1..=parts.len() {
            if let Some(next) = obj.get(&parts[..k].join("."))
                && let Some(found) = walk(next, &parts[k..])
            {
                return Some(found);
            }
        }
        None
    }
    let parts: Vec<&str> = path.split('.').collect();
    walk(stats, &parts)?.as_f64().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_metric_fails_closed() {
        let stats = json!({"counts": {"exported": 3}});
        let gates = [GateSpec {
            name: "x".into(),
            metric: "counts.nope".into(),
            op: GateOp::Ge,
            threshold: 0.0,
        }];
        let r = evaluate(&stats, &[], Limits::default(), &[], &gates);
        let x = r.iter().find(|g| g.name == "x").unwrap();
        assert!(!x.passed);
        assert!(x.detail.as_ref().unwrap().contains("missing"));
        // Built-ins whose metrics are absent fail too.
        assert!(
            !r.iter()
                .find(|g| g.name == "ledger_balances")
                .unwrap()
                .passed
        );
    }

    /// A stats.json on which every built-in gate passes.
    fn healthy() -> Value {
        json!({"counts": {"exported": 3, "unaccounted": 0, "unknown_status": 0},
               "provenance": {"missing_license": 0, "missing_origin": 0},
               "dedup": {"removal_rate": {"a": 0.1}}})
    }

    #[test]
    fn every_builtin_gate_fails_on_its_bad_value_alone() {
        let sources = ["a".to_string()];
        let r = evaluate(&healthy(), &sources, Limits::default(), &[], &[]);
        assert!(r.iter().all(|g| g.passed), "{r:?}");
        let cases = [
            ("ledger_balances", "/counts/unaccounted", json!(2)),
            ("ledger_statuses_known", "/counts/unknown_status", json!(1)),
            (
                "provenance_license",
                "/provenance/missing_license",
                json!(1),
            ),
            ("provenance_origin", "/provenance/missing_origin", json!(4)),
            ("release_not_empty", "/counts/exported", json!(0)),
            ("dedup_removal_rate.a", "/dedup/removal_rate/a", json!(0.51)),
        ];
        assert_eq!(
            cases.len(),
            builtin(&healthy(), &sources, Limits::default()).len(),
            "a case per built-in gate"
        );
        for (name, pointer, bad) in cases {
            for value in [bad, Value::Null, json!("NaN")] {
                let mut stats = healthy();
                *stats.pointer_mut(pointer).unwrap() = value.clone();
                let r = evaluate(&stats, &sources, Limits::default(), &[], &[]);
                let failed: Vec<&str> = r
                    .iter()
                    .filter(|g| !g.passed)
                    .map(|g| g.name.as_str())
                    .collect();
                assert_eq!(failed, vec![name], "{pointer} = {value}");
            }
        }
    }

    #[test]
    fn drift_measures_share_median_and_count_changes() {
        let base = json!({
            "family_shares": {"qa": {"share": 0.5}, "chat": {"share": 0.5}},
            "message_lengths_by_role": {"user": {"chars_p50": 100.0}, "assistant": {"chars_p50": 200.0}},
            "curriculum": {"phases": {"sft": {"records": 100}}},
            "counts": {"exported": 100}
        });
        let now = json!({
            "family_shares": {"qa": {"share": 0.7}, "chat": {"share": 0.2}, "new": {"share": 0.1}},
            "message_lengths_by_role": {"user": {"chars_p50": 150.0}},
            "curriculum": {"phases": {"sft": {"records": 80}, "pt": {"records": 40}}},
        });
        let d = drift(&now, &base);
        assert!((d["family_share_change"]["chat"].as_f64().unwrap() - 0.3).abs() < 1e-12);
        assert!((d["family_share_change_max"].as_f64().unwrap() - 0.3).abs() < 1e-12);
        assert_eq!(d["median_chars_change"]["user"], 0.5);
        assert_eq!(
            d["median_chars_change"]["assistant"], 1.0,
            "a role that vanished"
        );
        assert!((d["records_change"].as_f64().unwrap() - 0.2).abs() < 1e-12);
        let spec = DriftSpec {
            baseline: "b".into(),
            max_family_share_change: 0.1,
            max_median_chars_change: 0.25,
            max_records_change: 0.25,
        };
        let stats = json!({"drift": d});
        let r = evaluate(&stats, &[], Limits::default(), &spec.gates(), &[]);
        let failed: Vec<&str> = r
            .iter()
            .filter(|g| !g.passed && g.name.starts_with("drift"))
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(failed, vec!["drift_family_share", "drift_median_chars"]);
    }

    #[test]
    fn comparison_and_detail() {
        let stats = json!({"counts": {"exported": 3, "unaccounted": 0, "unknown_status": 0},
                           "provenance": {"missing_license": 0, "missing_origin": 0},
                           "dedup": {"removal_rate": {"a": 0.75}}});
        let r = evaluate(&stats, &["a".to_string()], Limits::default(), &[], &[]);
        let failed: Vec<_> = r
            .iter()
            .filter(|g| !g.passed)
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(failed, vec!["dedup_removal_rate.a"]);
        let d = r.iter().find(|g| g.name == "dedup_removal_rate.a").unwrap();
        assert!(
            d.detail.as_ref().unwrap().contains("off by 0.25"),
            "{:?}",
            d.detail
        );
    }
}
