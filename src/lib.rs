//! trainready: build versioned, training-ready releases of conversation datasets.
//!
//! The binary is a thin wrapper around [`cli::run`]; every stage is a library function so that
//! tests, benches and other tools can call them. See DESIGN.md for the architecture and
//! `pipeline.rs` for the order of the stages.

pub mod check;
pub mod cli;
pub mod coverage;
pub mod curriculum;
pub mod dedup;
pub mod diff;
pub mod error;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod gates;
pub mod load;
pub mod manifest;
pub mod normalize;
pub mod pii;
pub mod pii_command;
pub mod pipeline;
pub mod plan_command;
pub mod query;
pub mod records;
pub mod report;
pub mod schema;
pub mod spec;
pub mod split;
pub mod stats;
pub mod storage;
pub mod verify;

pub use error::{Error, Result};
