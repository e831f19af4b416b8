//! Dedup stages: [`exact`] (same normalised text, same split) then [`near`] (MinHash LSH over
//! the shared signatures, within each split). Their settings are `[dedup]` and `[dedup.near]`
//! ([`config`]).

pub mod config;
pub mod exact;
pub mod near;

pub use config::{DedupSpec, KeepPolicy, NearSpec, VerifyMode};
pub use exact::ExactReport;
pub use near::{NearOutput, NearReport};
