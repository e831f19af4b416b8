//! The library's one error type. Messages name the thing that went wrong: the file or URI, the line
//! or row, the key or column, the stage. Rejected *records* are not errors: they go to the ledger.

use std::path::PathBuf;

/// Everything that can make a command fail (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The run spec could not be read or parsed; the message names the file, the key and the line.
    #[error("invalid spec {path}: {message}")]
    Spec { path: PathBuf, message: String },

    /// A value in the spec is well-formed TOML but not acceptable.
    #[error("invalid spec {path}: {key}: {message}")]
    SpecValue {
        path: PathBuf,
        key: String,
        message: String,
    },

    /// A source as a whole cannot be read (missing, unreadable, matched no object).
    #[error("source `{source_name}` ({uri}): {message}")]
    Source {
        source_name: String,
        uri: String,
        message: String,
    },

    /// Object storage failed for a URI.
    #[error("storage error on {uri}")]
    Storage {
        uri: String,
        #[source]
        source: object_store::Error,
    },

    /// A release version already exists: releases are create-only.
    #[error("release {uri} already exists: versions are create-only; choose another --version")]
    AlreadyPublished { uri: String },

    /// A command-line or spec argument that is not valid.
    #[error("{0}")]
    Usage(String),

    /// A Polars operation failed inside a stage.
    #[error("{context}: {source}")]
    Polars {
        context: String,
        #[source]
        source: polars::error::PolarsError,
    },

    /// A local I/O failure.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// A file that trainready wrote is not what it should be (verify).
    #[error("{0}")]
    Corrupt(String),

    /// An invariant was broken: this is a bug in trainready.
    #[error("internal error (this is a bug in trainready): {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attach context to Polars results: `df.collect().ctx("dedup: collect")?`.
pub trait PolarsContext<T> {
    fn ctx(self, context: impl Into<String>) -> Result<T>;
}

impl<T> PolarsContext<T> for polars::error::PolarsResult<T> {
    fn ctx(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|source| Error::Polars {
            context: context.into(),
            source,
        })
    }
}

/// Attach context to I/O results.
pub trait IoContext<T> {
    fn io_ctx(self, context: impl Into<String>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn io_ctx(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|source| Error::Io {
            context: context.into(),
            source,
        })
    }
}
