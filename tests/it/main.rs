//! Integration tests: one binary (ripgrep/polars style). Each test builds in a fresh temp dir.

mod architecture;
mod bad_input;
mod build;
mod common;
mod coverage;
mod curriculum;
mod fuzz_regressions;
mod gates;
mod near_dedup;
mod notebooks;
mod pii;
mod properties;
mod quality;
mod readme;
mod real_data;
mod reliability;
mod s3;
mod snapshots;
mod spec_errors;
mod split_assign;
mod tamper;
mod trust;
mod turns;
mod verify;
