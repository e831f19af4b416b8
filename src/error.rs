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

    /// An input object cannot be read as its format; the message never quotes its content.
    #[error("{uri}: {message}")]
    Input { uri: String, message: String },

    /// Object storage failed for a URI; the message says what to do about it.
    #[error("storage error on {uri}: {}", hint(source))]
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

/// A value from the user (a spec value, a file name, a field name) as it may be echoed in a
/// message: control characters dropped and at most 64 characters, so a 10 MB name or a
/// terminal escape sequence is never printed back whole.
pub fn echo(value: &str) -> String {
    const MAX: usize = 64;
    let clean: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX)
        .collect();
    if value.chars().filter(|c| !c.is_control()).nth(MAX).is_some() {
        format!("{clean}… ({} bytes)", value.len())
    } else {
        clean
    }
}

/// A URL with any user and password removed (`https://user:secret@host` → `https://host`).
pub fn without_userinfo(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) => match url.split_once("://") {
            Some((scheme, rest)) => match rest.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://{host}"),
                None => url.to_string(),
            },
            None => url.to_string(),
        },
    }
}

/// Text with the user and password of every URL in it removed (`https://user:secret@host/...`
/// → `https://***@host/...`): errors from the HTTP client quote the URLs they requested.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // The authority ends at the first `/`, `?`, `#` or whitespace.
        let end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// What to do about a storage error, in words: 404 → the bucket or prefix, 401/403 → the
/// credentials, a connection or name failure → the endpoint. `check` prints it, and every
/// command's storage error carries it.
pub fn hint(e: &object_store::Error) -> String {
    let text = scrub(&e.to_string());
    match e {
        object_store::Error::NotFound { .. } => {
            "not found: does the bucket exist? is the prefix right?".into()
        }
        object_store::Error::PermissionDenied { .. } => {
            "403: the credentials lack permission: check the key's permissions".into()
        }
        object_store::Error::Unauthenticated { .. } => {
            "401: the credentials were rejected: check OVH_S3_ACCESS_KEY / OVH_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)".into()
        }
        _ if text.contains("NoSuchBucket") => "the bucket does not exist".into(),
        _ if text.contains("403")
            || text.contains("AccessDenied")
            || text.contains("InvalidAccessKeyId")
            || text.contains("SignatureDoesNotMatch") =>
        {
            "403: the credentials were rejected or lack permission: check OVH_S3_ACCESS_KEY / OVH_S3_SECRET_KEY (or the AWS fallback) and the key's permissions".into()
        }
        _ if text.contains("onnect") || text.contains("dns") || text.contains("timed out") => {
            format!("cannot reach the endpoint: check OVH_S3_ENDPOINT and the network ({text})")
        }
        _ => text,
    }
}

// -------------------------------------------------------------------------------------------------
// Panics of dependencies on untrusted bytes.

/// How many [`catch_panic`] sections are running (on any thread: a dependency may panic on its
/// own worker threads, and the panic reaches the section through its thread pool).
static GUARDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Whether a [`catch_panic`] section is running: the CLI's panic hook then stays quiet, since
/// the section turns the panic into an error.
pub fn panic_guarded() -> bool {
    GUARDED.load(std::sync::atomic::Ordering::SeqCst) > 0
}

/// Run `f`, turning a panic into `Err` with a summary of where it happened (a source location,
/// never the panic's message, which may quote the data). For decoders of untrusted bytes that
/// are known to panic on malformed input (the Parquet reader): a panic there is bad input, not
/// a bug of ours. Allocation failures abort and cannot be caught: check the sizes a file
/// declares before decoding it.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    use std::sync::atomic::Ordering;
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.fetch_sub(1, Ordering::SeqCst);
    out.map_err(|_| match LAST_GUARDED_PANIC.lock().map(|mut l| l.take()) {
        Ok(Some(at)) => format!("the decoder failed at {at}"),
        _ => "the decoder failed".to_string(),
    })
}

static LAST_GUARDED_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// For the panic hook: remember where a guarded panic happened (`crate/file.rs:line`, the path
/// after the registry's folder), for [`catch_panic`]'s error.
pub fn note_guarded_panic(location: Option<&std::panic::Location<'_>>) {
    let at = location.map(|l| {
        let file = l.file();
        let short = file
            .rfind("/src/")
            .and_then(|i| file[..i].rfind('/').map(|j| &file[j + 1..]))
            .unwrap_or(file);
        format!("{short}:{}", l.line())
    });
    if let Ok(mut last) = LAST_GUARDED_PANIC.lock() {
        *last = at;
    }
}
