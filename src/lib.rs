//! trainready: build versioned, training-ready releases of conversation datasets.
//!
//! The binary is a thin wrapper around [`cli::main`]; every stage is a library function so that
//! tests, benches and other tools can call them. Modules form layers, each importing only the
//! ones below it (a test checks that no two import each other, directly or not):
//!
//! | layer | modules |
//! |---|---|
//! | entry | [`cli`] (arguments), [`commands`] (one file per subcommand) |
//! | orchestration | [`pipeline`] (the table of steps), [`spec`] (the run spec, composing each stage's own configuration), [`release`] (assembly and publish) |
//! | stages | [`load`], [`split`], [`dedup`], [`leakage`], [`pii`], [`curriculum`], [`export`], [`manifest`], [`stats`], [`gates`], [`coverage`], [`report`] |
//! | kernels | [`records`] (the one record reader), [`normalize`], [`kernels`] (MinHash, LSH, union-find), [`storage`] |
//! | foundation | [`schema`] (canonical types, statuses, release files), [`error`] |

pub mod cli;
pub mod commands;
pub mod coverage;
pub mod curriculum;
pub mod dedup;
pub mod error;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod gates;
pub mod kernels;
pub mod leakage;
pub mod load;
pub mod manifest;
pub mod normalize;
pub mod pii;
pub mod pipeline;
pub mod quality;
pub mod records;
pub mod release;
pub mod report;
pub mod schema;
pub mod spec;
pub mod split;
pub mod stats;
pub mod storage;
pub mod tokens;

pub use error::{Error, Result};
