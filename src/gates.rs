//! Gates: fail-closed checks over `stats.json`. Built-in gates for the stages that ran, plus the
//! spec's `[[gate]]` entries. A metric that is missing, not a number or NaN fails its gate.
//!
//! Built in: `ledger_balances` (every input record has exactly one final status),
//! `ledger_statuses_known`, `provenance_license` and `provenance_origin` (every exported record
//! has a licence and an origin), `release_not_empty`, and `dedup_removal_rate.<source>` ≤
//! `[dedup] max_removal_rate` (default 0.5: a dedup that removes half of a source is more likely
//! a bug than a finding).

use serde_json::Value;

use crate::manifest::GateResult;
use crate::spec::{GateOp, GateSpec};
use crate::stats::metric;

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
